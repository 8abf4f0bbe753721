/* consort rm: deletes a record (a tombstone change-set). */
#include <string.h>

#include "../cmd.h"

/* Parses "TYPE REF" and deletes the record. */
static int
rm_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *ref = args->argv[1];
	const struct schema_type *t;
	struct edit e;
	int rc;

	if ((t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = records_delete(&e, t, ref, strlen(ref), &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	/* who may delete it first, then whether live records still name it */
	if ((rc = edit_flush(&e)) != 0) {
		d = e.diag;
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = records_check_unreferenced(&e, t, ref, strlen(ref),
	    &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf(_("deleted %s %s\n"), t->name, ref);
	return EXIT_OK;
}

const struct cmd_entry cmd_rm_entry = {
	.name = "rm",
	.usage = N_("TYPE REF"),
	.summary = N_("delete a record (its history stays in the log)"),
	.args = { .lower = 2, .upper = 2, .missing = N_("expected TYPE REF"),
	    .unexpected = N_("expected TYPE REF"), .flags = CMD_ARGS_LITERAL },
	.help = N_(
	    "Refused (exit 3) while live records still name it in a reference\n"
	    "field (a lot named by sessions, a session by paths or derogations, a\n"
	    "trainee or an intent by paths): delete them or point them elsewhere\n"
	    "first.\n"),
	.exec = rm_exec,
};
