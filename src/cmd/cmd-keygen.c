/* consort keygen: a key pair for a member about to be invited. */
#include <unistd.h>

#include <sodium.h>

#include "../cmd.h"

/* Creates the key pair and prints the public key. */
static int
keygen_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES];
	char hex[2 * CONSORT_KEY_BYTES + 1], *pass;
	size_t passlen;
	int rc;

	if (ctx->dir == NULL)
		return cmd_usage(ctx, _("no node directory: give --dir DIR "
		    "before the command or set CONSORT_DIR"));
	if (cmd_args_has(args, "no-passphrase") && ctx->passfile != NULL)
		return cmd_usage(ctx, _("give --passphrase-file or "
		    "--no-passphrase, not both"));
	if ((rc = cmd_passphrase_new(ctx, cmd_args_has(args, "no-passphrase"),
	    &pass, &passlen)) != 0)
		return rc;
	rc = node_keygen(ctx->dir, pass, passlen, pk, &d);
	sodium_free(pass);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	util_hex(hex, pk, sizeof(pk));
	printf("%s\n", hex);
	if (isatty(STDOUT_FILENO))
		printf(_("send this public key to the lead; join with the "
		    "invite file it sends back: consort --dir %s join FILE\n"),
		    ctx->dir);
	return EXIT_OK;
}

static const struct cmd_opt keygen_opts[] = {
	{ "no-passphrase", NULL, N_(
	    "leave the secret key unsealed, without asking\n"
	    "(for scripts)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_keygen_entry = {
	.name = "keygen",
	.usage = N_("[--no-passphrase]"),
	.summary = N_("create a key pair in a new node directory and print the "
	    "public key"),
	.args = { .opts = keygen_opts, .unexpected = N_("takes no argument") },
	.help = N_(
	    "Prints the 64-hex public key to give the lead, who answers with an\n"
	    "invite file (consort invite); then consort join FILE. The global\n"
	    "--passphrase-file FILE seals the secret key (and join then seals the\n"
	    "network key with it); FILE must be readable by its owner only.\n"
	    "Without it or --no-passphrase, and when standard input is a\n"
	    "terminal, the passphrase is asked for there, twice; an empty one\n"
	    "leaves the key unsealed, with a warning.\n"),
	.exec = keygen_exec,
};
