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

/* Parses the options, then writes the node. */
static int
init_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct genesis_member co[MAX_CO];
	struct genesis g = { cmd_args_get(args, "consortium"),
		cmd_args_get(args, "market"), { cmd_args_get(args, "member"),
		cmd_args_get(args, "siret") }, co, 0 };
	struct consort_diag d = { 0 };
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
	if ((rc = cmd_passphrase_new(ctx, cmd_args_has(args, "no-passphrase"),
	    &pass, &passlen)) != 0)
		return rc;
	rc = node_init(ctx->dir, &g, pass, passlen, &ctx->node, &d);
	sodium_free(pass);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	print_created(ctx, &g);
	return EXIT_OK;
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
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = N_("--consortium NAME --member NAME --siret SIRET --market "
	    "REF [--co NAME:SIRET]... [--passphrase-file FILE | "
	    "--no-passphrase]"),
	.summary = N_("create a node for the lead of a new consortium (key "
	    "pair, store, genesis)"),
	.args = { .opts = init_opts },
	.help = N_(
	    "Without --passphrase-file or --no-passphrase, and when standard\n"
	    "input is a terminal, the passphrase is asked for there, twice, as\n"
	    "ssh-keygen does; an empty one leaves the key unsealed, with a warning.\n"
	    "When standard input is not a terminal, nothing is asked: unsealed.\n"),
	.exec = init_exec,
};
