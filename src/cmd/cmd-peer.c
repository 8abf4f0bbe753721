/* consort peer add|rm|list: the peers consort sync uses by default. */
#include <string.h>

#include "../cmd.h"

/* peer list [--json]: the peers as text or JSON. */
static int
peer_list(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char peers[PEERS_MAX][PEERS_ADDR_MAX + 1];
	struct jsonw jw;
	unsigned count, i;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = peers_load(ctx->node, peers, PEERS_MAX, &count)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if (!cmd_args_has(args, "json")) {
		for (i = 0; i < count; i++)
			printf("%s\n", peers[i]);
		return EXIT_OK;
	}
	jw_init(&jw, stdout);
	jw_arr(&jw);
	for (i = 0; i < count; i++)
		jw_str(&jw, peers[i]);
	jw_arr_end(&jw);
	putchar('\n');
	return EXIT_OK;
}

/* Adds or removes the peer of the argument. */
static int
peer_change(struct cmd_ctx *ctx, const struct cmd_args *args, bool add)
{
	struct consort_diag d = { 0 };
	const char *addr = args->argv[0];
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	rc = add ? peers_add(ctx->node, addr, &d) : peers_rm(ctx->node, addr, &d);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	printf(add ? _("added %s\n") : _("removed %s\n"), addr);
	return EXIT_OK;
}

/* peer add HOST:PORT */
static int
peer_add(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return peer_change(ctx, args, true);
}

/* peer rm HOST:PORT */
static int
peer_rm(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return peer_change(ctx, args, false);
}

#define PEER_EXPECTED "expected add HOST:PORT, rm HOST:PORT or list"

/* --json is accepted by every subcommand; list alone prints JSON. */
static const struct cmd_opt peer_opts[] = {
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry peer_add_entry = {
	.name = "add",
	.args = { .opts = peer_opts, .lower = 1, .upper = 1,
	    .missing = PEER_EXPECTED, .unexpected = PEER_EXPECTED },
	.exec = peer_add,
};

static const struct cmd_entry peer_rm_entry = {
	.name = "rm",
	.args = { .opts = peer_opts, .lower = 1, .upper = 1,
	    .missing = PEER_EXPECTED, .unexpected = PEER_EXPECTED },
	.exec = peer_rm,
};

static const struct cmd_entry peer_list_entry = {
	.name = "list",
	.args = { .opts = peer_opts, .unexpected = PEER_EXPECTED },
	.exec = peer_list,
};

static const struct cmd_entry *const peer_sub[] = {
	&peer_add_entry,
	&peer_rm_entry,
	&peer_list_entry,
	NULL,
};

const struct cmd_entry cmd_peer_entry = {
	.name = "peer",
	.usage = N_("add HOST:PORT | rm HOST:PORT | list [--json]"),
	.summary = N_("manage the peers consort sync uses when given none"),
	.args = { .missing = N_("expected add, rm or list"),
	    .unexpected = PEER_EXPECTED },
	.sub = peer_sub,
	.help = N_("The list is the node's file DIR/peers, one HOST:PORT per "
	    "line.\n"),
};
