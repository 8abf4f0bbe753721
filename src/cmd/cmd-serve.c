/* consort serve: syncs with every member that connects, until stopped. */
#include <getopt.h>

#include "../cmd.h"
#include "../../sync/net.h"

/* Parses --listen and serves. */
static int
serve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "listen", required_argument, NULL, 'l' },
		{ NULL, 0, NULL, 0 },
	};
	struct consort_diag d = { 0 };
	const char *listen = "127.0.0.1:7400";
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'l')
			return cmd_usage(ctx, "unknown option");
		listen = optarg;
	}
	if (optind != argc)
		return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
	if (peers_check_address(listen, &d) != 0)
		return cmd_fail(ctx, E(INVAL), &d);
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = net_serve(ctx->node, listen, stderr, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return EXIT_OK;
}

const struct cmd_entry cmd_serve_entry = {
	"serve",
	"[--listen ADDR:PORT]",
	"accept syncs from the consortium's members (until SIGINT/SIGTERM)",
	"  --listen ADDR:PORT  where to listen (default 127.0.0.1:7400; give\n"
	"                      0.0.0.0:7400 to accept other machines)\n"
	"One line per session on stderr: peer, sent, received, refused, time.\n"
	"Other commands keep working on the node while it serves.\n",
	serve_exec,
};
