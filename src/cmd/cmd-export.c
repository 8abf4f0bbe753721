/* consort export --json: the canonical materialised state. */
#include "../cmd.h"

/* Writes the records as one JSON object. */
static int
export_all(struct cmd_listing *l)
{
	int rc;

	rc = state_export_json(l->txn, &l->ctx->node->store, l->jw, &l->diag);
	putc('\n', l->out);
	return rc;
}

/* Prints the export. */
static int
export_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_listing(ctx, CMD_JSON, export_all, NULL);
}

/* --json is accepted: JSON is the only format. */
static const struct cmd_opt export_opts[] = {
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_export_entry = {
	.name = "export",
	.usage = N_("[--json]"),
	.summary = N_("print the records as canonical JSON (the only format; "
	    "--json is accepted)"),
	.args = { .opts = export_opts },
	.help = N_(
	    "Prints {\"<type>\": {\"<ref>\": {FIELD: VALUE, ...}}} for every type but\n"
	    "the roster: keys sorted at every level, no whitespace, non-ASCII as raw\n"
	    "UTF-8, integers as integers, unset fields absent. Its SHA-256 (without\n"
	    "the trailing newline) is comparable with other tools' digests.\n"),
	.exec = export_exec,
};
