/* consort init: creates a node directory and the consortium's genesis. */
#include <getopt.h>
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

	printf("created node %s\n", ctx->dir);
	printf("member      %s (SIRET %s), lead\n", g->lead.name, g->lead.siret);
	util_hex(hex, ctx->node->pk, CONSORT_KEY_BYTES);
	printf("public key  %s\n", hex);
	util_hex(hex, ctx->node->consortium, CONSORT_HASH_BYTES);
	printf("consortium  %s (%s, market %s, %u co-contractor%s)\n", hex,
	    g->consortium, g->market, g->nco, g->nco == 1 ? "" : "s");
}

/* Parses the options, then writes the node. */
static int
init_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "consortium", required_argument, NULL, 'c' },
		{ "member", required_argument, NULL, 'm' },
		{ "siret", required_argument, NULL, 's' },
		{ "market", required_argument, NULL, 'k' },
		{ "co", required_argument, NULL, 'o' },
		{ "passphrase-file", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	struct genesis_member co[MAX_CO];
	struct genesis g = { NULL, NULL, { NULL, NULL }, co, 0 };
	struct consort_diag d = { 0 };
	size_t passlen;
	char *pass;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		switch (c) {
		case 'c': g.consortium = optarg; break;
		case 'm': g.lead.name = optarg; break;
		case 's': g.lead.siret = optarg; break;
		case 'k': g.market = optarg; break;
		case 'p': ctx->passfile = optarg; break;
		case 'o':
			if (g.nco == MAX_CO)
				return cmd_usage(ctx, "at most %d --co", MAX_CO);
			if (parse_co(optarg, &co[g.nco++]) != 0)
				return cmd_usage(ctx, "--co takes \"NAME:SIRET\"");
			break;
		default:
			return cmd_usage(ctx, "unknown option");
		}
	}
	if (optind != argc)
		return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
	if (!g.consortium || !g.lead.name || !g.lead.siret || !g.market)
		return cmd_usage(ctx, "--consortium, --member, --siret and --market "
		    "are required");
	if (ctx->dir == NULL)
		return cmd_usage(ctx, "no node directory: give --dir DIR before "
		    "the command or set CONSORT_DIR");
	if ((rc = cmd_passphrase(ctx, &pass, &passlen)) != 0)
		return rc;
	rc = node_init(ctx->dir, &g, pass, passlen, &ctx->node, &d);
	sodium_free(pass);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	print_created(ctx, &g);
	return EXIT_OK;
}

const struct cmd_entry cmd_init_entry = {
	.name = "init",
	.usage = "--consortium NAME --member NAME --siret SIRET --market REF "
	    "[--co NAME:SIRET]... [--passphrase-file FILE]",
	.summary = "create a node for the lead of a new consortium (key pair, store, genesis)",
	.help = "  --consortium NAME       the consortium's name\n"
	    "  --member NAME           the lead contractor's name\n"
	    "  --siret SIRET           the lead's SIRET (14 digits)\n"
	    "  --market REF            the Region's market reference\n"
	    "  --co NAME:SIRET         an awarded co-contractor (repeat for each)\n"
	    "  --passphrase-file FILE  seal the secret key and the network key with\n"
	    "                          the first line of FILE (Argon2id); later\n"
	    "                          commands need it too; FILE must not be\n"
	    "                          readable by group or others (chmod 600)\n",
	.exec_argv = init_exec,
};
