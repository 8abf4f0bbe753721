/* consort revoke: a member's later change-sets count nowhere (lead). */
#include <string.h>

#include "../cmd.h"

/* Revokes the member of SIRET. */
static int
revoke_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
	struct edit e;
	uint64_t after;
	int rc;

	if (argc != 2)
		return cmd_usage(ctx, "expected the member's SIRET");
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = roster_revoke(&e, argv[1], &after, &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf("revoked %s: its change-sets after seq %llu are refused "
	    "everywhere\n", argv[1], (unsigned long long)after);
	return EXIT_OK;
}

const struct cmd_entry cmd_revoke_entry = {
	.name = "revoke",
	.usage = "SIRET",
	.summary = "revoke a member: its change-sets after the last one held are refused (lead)",
	.help = "",
	.exec_argv = revoke_exec,
};
