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
		fprintf(out, "%.16s %6llu  %.16s  %s  %5u ops  %7zu bytes  %u deps\n",
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

/* Prints the log. */
static int
log_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct jsonw jw;
	struct store_txn *txn;
	FILE *out;
	bool json;
	int rc;

	if ((rc = cmd_json_flag(ctx, &argc, argv, &json)) != 0)
		return rc;
	if (argc != 1)
		return cmd_usage(ctx, "unexpected argument \"%s\"", argv[1]);
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	out = cmd_out_begin();
	if (json) {
		jw_init(&jw, out);
		jw_arr(&jw);
	}
	rc = walk(ctx, txn, out, json ? &jw : NULL);
	store_abort(txn);
	if (json && rc == EXIT_OK) {
		jw_arr_end(&jw);
		putc('\n', out);
	}
	if (cmd_out_end(out, rc == EXIT_OK ? 0 : E(IO)) != 0 && rc == EXIT_OK)
		rc = EXIT_ERROR;
	return rc;
}

const struct cmd_entry cmd_log_entry = {
	"log",
	"[--json]",
	"list the stored change-sets by author and seq",
	"  --json  print an array of {author, deps, hlc, id, ops, prev, seq,\n"
	"          size, time}\n",
	log_exec,
};
