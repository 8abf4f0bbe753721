/*
 * consort verify and consort rebuild: replay the whole log.  verify
 * re-checks every signature, chain link and id, rebuilds the state inside
 * a transaction it then abandons, and compares the state hashes; rebuild
 * does the same and keeps the rebuilt state.
 */
#include <string.h>
#include <time.h>

#include "../cmd.h"

/* Prints the counts and time of a replay. */
static void
print_summary(const char *verb, const struct log_replay_stats *st,
    uint32_t authors, double secs)
{
	printf(_("%s %llu change-sets (%llu ops, %llu bytes) from %u author%s "
	    "in %.2f s\n"), verb, (unsigned long long)st->changesets,
	    (unsigned long long)st->ops, (unsigned long long)st->bytes, authors,
	    authors == 1 ? "" : "s", secs);
}

/* Seconds since an earlier monotonic time. */
static double
since(const struct timespec *t0)
{
	struct timespec t1;

	clock_gettime(CLOCK_MONOTONIC, &t1);
	return (double)(t1.tv_sec - t0->tv_sec) +
	    (double)(t1.tv_nsec - t0->tv_nsec) / 1e9;
}

/*
 * Opens the node and a write transaction with a fresh author table, never
 * kept, which works on a read-only node too (store_begin_scratch).
 */
static int
begin(struct cmd_ctx *ctx, struct store_txn **txn)
{
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin_scratch(&ctx->node->store, txn)) != 0 ||
	    (rc = store_load_authors(*txn, &ctx->node->store)) != 0) {
		if (*txn != NULL)
			store_abort(*txn);
		return cmd_fail(ctx, rc, NULL);
	}
	return 0;
}

/* Checks the whole store; changes nothing. */
static int
verify_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct timespec t0;
	struct store_txn *txn = NULL;
	int rc;

	if ((rc = begin(ctx, &txn)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	rc = log_verify(txn, &ctx->node->store, ctx->node->consortium, &st, &d);
	store_abort(txn);
	if (rc != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	print_summary(_("verified"), &st, ctx->node->store.nauthors, since(&t0));
	printf(_("every signature and chain link holds; the state equals a "
	    "rebuild of the log\n"));
	return EXIT_OK;
}

/* Reads the rebuilt state's hash, in the rebuild's last transaction. */
static int
rebuilt_hash(struct store_txn *txn, struct store *s, void *h)
{
	return state_hash(txn, s, h);
}

/*
 * Rebuilds the state from the log: what differs from the stored state is
 * written in one transaction, or in steps marked unfinished until the last
 * (log_rebuild_store).
 */
static int
rebuild_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	uint8_t h[CONSORT_HASH_BYTES];
	char hex[2 * CONSORT_HASH_BYTES + 1];
	struct log_replay_stats st;
	struct timespec t0;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = log_rebuild_store(&ctx->node->store, ctx->node->consortium,
	    rebuilt_hash, h, &st, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	print_summary(_("rebuilt from"), &st, ctx->node->store.nauthors,
	    since(&t0));
	util_hex(hex, h, sizeof(h));
	printf(_("state hash %s\n"), hex);
	return EXIT_OK;
}

const struct cmd_entry cmd_verify_entry = {
	.name = "verify",
	.usage = "",
	.summary = N_("re-check every signature, chain link and the state "
	    "against a rebuild"),
	.args = CMD_NO_ARGUMENTS,
	.help = N_(
	    "Exits 1 naming the first bad change-set, or when the stored state\n"
	    "differs from a rebuild of the log. Changes nothing.\n"),
	.exec = verify_exec,
};

const struct cmd_entry cmd_rebuild_entry = {
	.name = "rebuild",
	.usage = "",
	.summary = N_("rebuild the state from the log (the log is checked on "
	    "the way)"),
	.args = CMD_NO_ARGUMENTS,
	.exec = rebuild_exec,
};
