/* consort serve: syncs with every member that connects, until stopped. */
#include <errno.h>
#include <stdlib.h>

#include "../cmd.h"
#include "../../sync/net.h"

/* Reads a cap: a whole number from 1 to 100000. */
static bool
parse_cap(const char *s, unsigned *out)
{
	unsigned long v;
	char *end;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (*s < '0' || *s > '9' || *end != '\0' || errno != 0 || v < 1 ||
	    v > 100000)
		return false;
	*out = (unsigned)v;
	return true;
}

/* Parses --listen and the caps, and serves. */
static int
serve_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *pending = cmd_args_get(args, "max-pending");
	const char *per_addr = cmd_args_get(args, "max-pending-per-address");
	const char *listen = cmd_args_get(args, "listen");
	struct consort_diag d = { 0 };
	struct net_limits lim;
	int rc;

	net_limits_default(&lim);
	if (listen == NULL)
		listen = "127.0.0.1:7400";
	if (pending != NULL && !parse_cap(pending, &lim.max_pending))
		return cmd_usage(ctx, _("--max-pending takes a number from 1 "
		    "to 100000, not \"%s\""), pending);
	if (per_addr != NULL && !parse_cap(per_addr, &lim.max_pending_addr))
		return cmd_usage(ctx, _("--max-pending-per-address takes a "
		    "number from 1 to 100000, not \"%s\""), per_addr);
	if (peers_check_address(listen, &d) != 0)
		return cmd_fail(ctx, E(INVAL), &d);
	if (net_limits_env(&lim, &d) != 0)
		return cmd_fail(ctx, E(INVAL), &d);
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = net_serve(ctx->node, listen, &lim, stderr, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return EXIT_OK;
}

static const struct cmd_opt serve_opts[] = {
	{ "listen", N_("ADDR:PORT"), N_(
	    "where to listen (default 127.0.0.1:7400;\n"
	    "give 0.0.0.0:7400 to accept other machines)") },
	{ "max-pending", "N", N_("connections still in their handshake, at\n"
	    "most (default 64); more are turned away\n"
	    "with \"busy\"") },
	{ "max-pending-per-address", "N", N_("the same from one address "
	    "(default 8)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_serve_entry = {
	.name = "serve",
	.usage = N_("[--listen ADDR:PORT] [--max-pending N] "
	    "[--max-pending-per-address N]"),
	.summary = N_("accept syncs from the consortium's members (until "
	    "SIGINT/SIGTERM)"),
	.args = { .opts = serve_opts },
	.help = N_(
	    "One line per session on stderr: peer, sent, received, refused, time;\n"
	    "one line per refused connection (at most one a second).\n"
	    "A handshake must end within 20 s; a session ends when nothing moves\n"
	    "for 120 s, or when it moves under 128 bytes/s on average after its\n"
	    "first 120 s (CONSORT_HANDSHAKE_MS, CONSORT_IDLE_MS, CONSORT_MIN_RATE\n"
	    "change them).  Other commands keep working on the node while it\n"
	    "serves.\n"),
	.help_col = 27,
	.exec = serve_exec,
};
