/* consort revoke: a member's later change-sets count nowhere (lead). */
#include <string.h>

#include "../cmd.h"

/* Revokes the member of SIRET. */
static int
revoke_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *siret = args->argv[0];
	struct edit e;
	uint64_t after;
	int rc;

	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = roster_revoke(&e, siret, &after, &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf(_("revoked %s: its change-sets after seq %llu are refused "
	    "everywhere\n"), siret, (unsigned long long)after);
	return EXIT_OK;
}

const struct cmd_entry cmd_revoke_entry = {
	.name = "revoke",
	.usage = N_("SIRET"),
	.summary = N_("revoke a member: its change-sets after the last one "
	    "held are refused (lead)"),
	.args = { .lower = 1, .upper = 1,
	    .missing = N_("expected the member's SIRET"),
	    .unexpected = N_("expected the member's SIRET"),
	    .flags = CMD_ARGS_LITERAL },
	.exec = revoke_exec,
};
