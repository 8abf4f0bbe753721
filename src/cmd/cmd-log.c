/* consort log: the stored change-sets, by author then seq. */
#include <time.h>

#include "../cmd.h"

/* Prints one change-set as a text line (to out) or a JSON object. */
static void
print_cs(FILE *out, struct jsonw *jw, const struct changeset *cs, size_t size)
{
	char a[2 * CONSORT_KEY_BYTES + 1], id[2 * CONSORT_HASH_BYTES + 1];
	char when[32];

	cmd_hlc_time(when, sizeof(when), cs->hlc);
	if (jw == NULL) {
		util_hex(a, cs->author, CONSORT_KEY_BYTES);
		util_hex(id, cs->id, CONSORT_HASH_BYTES);
		fprintf(out, _("%.16s %6llu  %.16s  %s  %5u ops  %7zu bytes  "
		    "%u deps\n"),
		    a, (unsigned long long)cs->seq, id, when, cs->nops, size,
		    cs->ndeps);
		return;
	}
	jw_obj(jw);
	jw_key(jw, "author");
	jw_hex(jw, cs->author, CONSORT_KEY_BYTES);
	jw_key(jw, "deps");
	jw_int(jw, cs->ndeps);
	jw_key(jw, "hlc");
	jw_int(jw, (int64_t)cs->hlc);
	jw_key(jw, "id");
	jw_hex(jw, cs->id, CONSORT_HASH_BYTES);
	jw_key(jw, "ops");
	jw_int(jw, cs->nops);
	jw_key(jw, "prev");
	jw_hex(jw, cs->prev, CONSORT_HASH_BYTES);
	jw_key(jw, "seq");
	jw_int(jw, (int64_t)cs->seq);
	jw_key(jw, "size");
	jw_int(jw, (int64_t)size);
	jw_key(jw, "time");
	jw_str(jw, when);
	jw_obj_end(jw);
}

/* Where log_foreach's change-sets are printed. */
struct log_out {
	FILE *out;
	struct jsonw *jw;
};

/* Prints one stored change-set of log_foreach. */
static int
print_one(void *ctx, const struct changeset *cs, size_t size)
{
	struct log_out *o = ctx;

	print_cs(o->out, o->jw, cs, size);
	return 0;
}

/* Walks the stored change-sets and prints each. */
static int
walk(struct cmd_ctx *ctx, struct store_txn *txn, FILE *out, struct jsonw *jw)
{
	struct consort_diag d = { 0 };
	struct log_out o = { out, jw };
	int rc;

	if ((rc = log_foreach(txn, &ctx->node->store, print_one, &o, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;  /* store damage, not a refused input */
	}
	return EXIT_OK;
}

/* Prints the change-sets; walk reports its own failure. */
static int
log_all(struct cmd_listing *l)
{
	return walk(l->ctx, l->txn, l->out, l->jw);
}

/* Prints the log. */
static int
log_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON_ARRAY :
	    CMD_TEXT, log_all, NULL);
}

static const struct cmd_opt log_opts[] = {
	{ "json", NULL, N_(
	    "print an array of {author, deps, hlc, id, ops, prev, seq,\n"
	    "size, time}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = N_("[--json]"),
	.summary = N_("list the stored change-sets by author and seq"),
	.args = { .opts = log_opts },
	.exec = log_exec,
};
