/* consort init: creates a node directory and the consortium's genesis. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../cmd.h"

#define MAX_CO 64

/* Splits "NAME:SIRET" at its last colon. */
static int
parse_co(char *arg, struct genesis_member *m)
{
	char *colon = strrchr(arg, ':');

	if (colon == NULL || colon == arg || colon[1] == '\0')
		return -1;
	*colon = '\0';
	m->name = arg;
	m->siret = colon + 1;
	return 0;
}

/* Prints what was created. */
static void
print_created(const struct cmd_ctx *ctx, const struct genesis *g)
{
	char hex[2 * CONSORT_HASH_BYTES + 1];

	printf(_("created node %s\n"), ctx->dir);
	printf(_("member      %s (SIRET %s), lead\n"), g->lead.name,
	    g->lead.siret);
	util_hex(hex, ctx->node->pk, CONSORT_KEY_BYTES);
	printf(_("public key  %s\n"), hex);
	util_hex(hex, ctx->node->consortium, CONSORT_HASH_BYTES);
	printf(_("consortium  %s (%s, market %s, %u co-contractor%s)\n"), hex,
	    g->consortium, g->market, g->nco, g->nco == 1 ? "" : "s");
}

/* Prints the recovery code once, framed for a person to copy by hand. */
static void
print_recovery(const char *code)
{
	printf("\n%s\n", _("== RECOVERY CODE, shown once "
	    "============================="));
	printf("    %.*s\n    %s\n", RECOVERY_LINE_LEN, code,
	    code + RECOVERY_LINE_LEN + 1);
	printf("%s\n", _("Write it down or print it, and keep it away from "
	    "this computer:\nif this computer is lost, consort key recover "
	    "asks for it to give\nthe lead a new key. It will not be shown "
	    "again."));
	printf("%s\n", "=================================================="
	    "=========");
}

/*
 * Hands the recovery code to the lead: in a new file when one is named,
 * else on stdout.  A file that cannot be written after all (the disk
 * filled since the check) falls back to stdout: the code is never lost.
 */
static int
give_recovery(const struct cmd_ctx *ctx, const char *file,
    const struct genesis *g, const uint8_t *seed)
{
	char code[RECOVERY_TEXT_MAX], hex[2 * CONSORT_HASH_BYTES + 1];
	struct consort_diag d = { 0 };
	int rc = 0;

	util_hex(hex, ctx->node->consortium, CONSORT_HASH_BYTES);
	if (file != NULL && (rc = recovery_file_write(file, seed,
	    g->consortium, hex, &d)) == 0) {
		printf(_("\nrecovery code written to %s (mode 600): move it "
		    "off this computer\n(print it, or keep it on a USB stick "
		    "put away); consort key recover\nasks for it if this "
		    "computer is lost.\n"), file);
		return 0;
	}
	recovery_encode(code, sizeof(code), seed);
	print_recovery(code);
	sodium_memzero(code, sizeof(code));
	if (rc == 0)
		return 0;
	fflush(stdout);
	consort_diag_set(&d, rc, NULL, NULL, _("the node was created and its "
	    "recovery code is printed above instead: write it down"));
	return cmd_fail(ctx, rc, &d);
}

/* Parses the options, then writes the node. */
static int
init_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct genesis_member co[MAX_CO];
	struct genesis g = { cmd_args_get(args, "consortium"),
		cmd_args_get(args, "market"), { cmd_args_get(args, "member"),
		cmd_args_get(args, "siret") }, co, 0 };
	struct consort_diag d = { 0 };
	const char *file = cmd_args_get(args, "recovery-file");
	uint8_t *seed;
	char *v;
	size_t passlen;
	char *pass;
	int i = 0, rc;

	if (cmd_args_has(args, "passphrase-file"))
		ctx->passfile = cmd_args_get(args, "passphrase-file");
	while ((v = cmd_args_next(args, "co", &i)) != NULL) {
		if (g.nco == MAX_CO)
			return cmd_usage(ctx, _("at most %d --co"), MAX_CO);
		if (parse_co(v, &co[g.nco++]) != 0)
			return cmd_usage(ctx, _("--co takes \"NAME:SIRET\""));
	}
	if (!g.consortium || !g.lead.name || !g.lead.siret || !g.market)
		return cmd_usage(ctx, _("--consortium, --member, --siret and "
		    "--market are required"));
	if (ctx->dir == NULL)
		return cmd_usage(ctx, _("no node directory: give --dir DIR "
		    "before the command or set CONSORT_DIR"));
	if (cmd_args_has(args, "no-passphrase") && ctx->passfile != NULL)
		return cmd_usage(ctx, _("give --passphrase-file or "
		    "--no-passphrase, not both"));
	if (file != NULL && (rc = recovery_file_check(file, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	if ((rc = cmd_passphrase_new(ctx, cmd_args_has(args, "no-passphrase"),
	    &pass, &passlen)) != 0)
		return rc;
	if ((seed = keys_secret_alloc(RECOVERY_SEED_BYTES)) == NULL) {
		sodium_free(pass);
		return cmd_fail(ctx, E(NOMEM), &d);
	}
	rc = node_init_recovery(ctx->dir, &g, pass, passlen, seed, &ctx->node,
	    &d);
	sodium_free(pass);
	if (rc != 0) {
		sodium_free(seed);
		return cmd_fail(ctx, rc, &d);
	}
	print_created(ctx, &g);
	rc = give_recovery(ctx, file, &g, seed);
	sodium_free(seed);
	return rc;
}

static const struct cmd_opt init_opts[] = {
	{ "consortium", N_("NAME"), N_("the consortium's name") },
	{ "member", N_("NAME"), N_("the lead contractor's name") },
	{ "siret", N_("SIRET"), N_("the lead's SIRET (14 digits)") },
	{ "market", N_("REF"), N_("the Region's market reference") },
	{ "co", N_("NAME:SIRET"), N_("an awarded co-contractor (repeat for "
	    "each)") },
	{ "passphrase-file", N_("FILE"), N_(
	    "seal the secret key and the network key with\n"
	    "the first line of FILE (Argon2id); later\n"
	    "commands need it too; FILE must not be\n"
	    "readable by group or others (chmod 600)") },
	{ "no-passphrase", NULL, N_(
	    "leave the secret key unsealed, without asking\n"
	    "(for scripts)") },
	{ "recovery-file", N_("FILE"), N_(
	    "write the recovery code to FILE (a new file,\n"
	    "mode 600) instead of showing it, for you to move\n"
	    "off this computer") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = N_("--consortium NAME --member NAME --siret SIRET --market "
	    "REF [--co NAME:SIRET]... [--passphrase-file FILE | "
	    "--no-passphrase] [--recovery-file FILE]"),
	.summary = N_("create a node for the lead of a new consortium (key "
	    "pair, store, genesis)"),
	.args = { .opts = init_opts },
	.help = N_(
	    "Without --passphrase-file or --no-passphrase, and when standard\n"
	    "input is a terminal, the passphrase is asked for there, twice, as\n"
	    "ssh-keygen does; an empty one leaves the key unsealed, with a warning.\n"
	    "When standard input is not a terminal, nothing is asked: unsealed.\n"
	    "\n"
	    "init also makes the consortium's recovery key, named in the genesis.\n"
	    "Its secret, a code of 14 groups of 4 characters, is shown once, at\n"
	    "the end, or written to --recovery-file FILE: keep it offline, away\n"
	    "from this computer (on paper, or on a USB stick put away). If this\n"
	    "computer is lost, consort key recover --recovery-file FILE gives the\n"
	    "lead a new key with it; nobody can do that without it.\n"),
	.exec = init_exec,
};
