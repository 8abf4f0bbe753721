/*
 * consort verify and consort rebuild: replay the whole log.  verify
 * re-checks every signature, chain link and id, rebuilds the state inside
 * a transaction it then abandons, and compares the state hashes; rebuild
 * does the same and keeps the rebuilt state.
 */
#include <string.h>
#include <time.h>

#include "../cmd.h"

/* Prints a progress-free summary of a replay. */
static void
print_summary(const char *verb, const struct log_replay_stats *st,
    uint32_t authors, const uint8_t *hash, double secs)
{
	char hex[2 * CONSORT_HASH_BYTES + 1];

	util_hex(hex, hash, CONSORT_HASH_BYTES);
	printf("%s %llu change-sets (%llu ops, %llu bytes) from %u author%s "
	    "in %.2f s\nstate hash %s\n", verb, (unsigned long long)st->changesets,
	    (unsigned long long)st->ops, (unsigned long long)st->bytes, authors,
	    authors == 1 ? "" : "s", secs, hex);
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

/* Replays the log in a write transaction; keeps it when commit is set. */
static int
replay(struct cmd_ctx *ctx, bool commit, uint8_t before[CONSORT_HASH_BYTES],
    uint8_t after[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	struct store *s = &ctx->node->store;
	MDB_txn *txn;
	int rc;

	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	if ((rc = store_load_authors(txn, s)) != 0 ||
	    (rc = state_hash(txn, s, before)) != 0 ||
	    (rc = store_clear_state(txn, s)) != 0 ||
	    (rc = log_replay(txn, s, ctx->node->consortium, st, d)) != 0 ||
	    (rc = state_hash(txn, s, after)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	if (!commit) {
		mdb_txn_abort(txn);
		return 0;
	}
	return store_commit(txn);
}

/* Checks the whole store. */
static int
verify_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { "", "", "" };
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct log_replay_stats st;
	struct timespec t0;
	int rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage(ctx, "takes no argument");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = replay(ctx, false, before, after, &st, &d)) != 0)
		return cmd_fail(ctx, rc, &d), EXIT_ERROR;
	if (memcmp(before, after, CONSORT_HASH_BYTES) != 0) {
		consort_diag_set(&d, E(STATE), "state", "the stored state differs "
		    "from a rebuild of the log", "run consort rebuild");
		cmd_fail(ctx, E(STATE), &d);
		return EXIT_ERROR;
	}
	print_summary("verified", &st, ctx->node->store.nauthors, after, since(&t0));
	return EXIT_OK;
}

/* Rebuilds the state from the log. */
static int
rebuild_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { "", "", "" };
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct log_replay_stats st;
	struct timespec t0;
	int rc;

	(void)argv;
	if (argc != 1)
		return cmd_usage(ctx, "takes no argument");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((rc = replay(ctx, true, before, after, &st, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	print_summary("rebuilt from", &st, ctx->node->store.nauthors, after,
	    since(&t0));
	if (memcmp(before, after, CONSORT_HASH_BYTES) != 0)
		printf("the state changed: the old one differed from the log\n");
	return EXIT_OK;
}

const struct cmd_entry cmd_verify_entry = {
	"verify",
	"",
	"re-check every signature, chain link and the state against a rebuild",
	"Exits 1 naming the first bad change-set, or when the stored state\n"
	"differs from a rebuild of the log. Changes nothing.\n",
	verify_exec,
};

const struct cmd_entry cmd_rebuild_entry = {
	"rebuild",
	"",
	"rebuild the state from the log (the log is checked on the way)",
	"",
	rebuild_exec,
};
