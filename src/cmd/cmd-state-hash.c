/* consort state-hash: BLAKE2b-256 of the whole internal state, hex. */
#include "../cmd.h"

/* Prints the state hash. */
static int
state_hash_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	uint8_t h[CONSORT_HASH_BYTES];
	char hex[2 * CONSORT_HASH_BYTES + 1];
	struct store_txn *txn;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	rc = state_hash(txn, &ctx->node->store, h);
	store_abort(txn);
	if (rc != 0) {
		consort_diag_set(&d, rc, "state",
		    _("a stored record is damaged"),
		    _("run consort verify, then consort rebuild"));
		return cmd_fail(ctx, rc, &d);
	}
	util_hex(hex, h, sizeof(h));
	printf("%s\n", hex);
	return EXIT_OK;
}

const struct cmd_entry cmd_state_hash_entry = {
	.name = "state-hash",
	.usage = "",
	.summary = N_("print the BLAKE2b-256 of the state (every record, every "
	    "register), hex"),
	.args = CMD_NO_ARGUMENTS,
	.help = N_(
	    "Equal on two nodes exactly when they applied the same change-sets,\n"
	    "conflicts included.\n"),
	.exec = state_hash_exec,
};
