/* consort export --json: the canonical materialised state. */
#include "../cmd.h"

/* Prints the export. */
static int
export_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct jsonw jw;
	MDB_txn *txn;
	FILE *out;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	out = cmd_out_begin();
	jw_init(&jw, out);
	rc = state_export_json(txn, &ctx->node->store, &jw, &d);
	mdb_txn_abort(txn);
	putc('\n', out);
	rc = cmd_out_end(out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

/* --json is accepted: JSON is the only format. */
static const struct cmd_opt export_opts[] = {
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = "[--json]",
	.summary = "print the records as canonical JSON (the only format; --json is accepted)",
	.args = { .opts = export_opts },
	.help = "Prints {\"<type>\": {\"<ref>\": {FIELD: VALUE, ...}}} for every type but\n"
	    "the roster: keys sorted at every level, no whitespace, non-ASCII as raw\n"
	    "UTF-8, integers as integers, unset fields absent. Its SHA-256 (without\n"
	    "the trailing newline) is comparable with other tools' digests.\n",
	.exec = export_exec,
};
