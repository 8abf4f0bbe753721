/* consort export --json: the canonical materialised state. */
#include "../cmd.h"

/* Prints the export. */
static int
export_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
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
	jw_init(&jw, out);
	rc = state_export_json(txn, &ctx->node->store, &jw, &d);
	store_abort(txn);
	putc('\n', out);
	rc = cmd_out_end(out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

const struct cmd_entry cmd_export_entry = {
	"export",
	"[--json]",
	"print the records as canonical JSON (the only format; --json is accepted)",
	"Prints {\"<type>\": {\"<ref>\": {FIELD: VALUE, ...}}} for every type but\n"
	"the roster: keys sorted at every level, no whitespace, non-ASCII as raw\n"
	"UTF-8, integers as integers, unset fields absent. Its SHA-256 (without\n"
	"the trailing newline) is comparable with other tools' digests.\n",
	export_exec,
};
