/* consort peer add|rm|list: the peers consort sync uses by default. */
#include <string.h>

#include "../cmd.h"

/* Lists the peers as text or JSON. */
static int
peer_list(struct cmd_ctx *ctx, bool json)
{
	char peers[PEERS_MAX][PEERS_ADDR_MAX + 1];
	struct jsonw jw;
	unsigned count, i;
	int rc;

	if ((rc = peers_load(ctx->node, peers, PEERS_MAX, &count)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if (!json) {
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

/* Dispatches add, rm and list. */
static int
peer_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
	bool json;
	int rc;

	if ((rc = cmd_json_flag(ctx, &argc, argv, &json)) != 0)
		return rc;
	if (argc < 2)
		return cmd_usage(ctx, "expected add, rm or list");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if (strcmp(argv[1], "list") == 0 && argc == 2)
		return peer_list(ctx, json);
	if (argc != 3 || (strcmp(argv[1], "add") && strcmp(argv[1], "rm")))
		return cmd_usage(ctx, "expected add HOST:PORT, rm HOST:PORT or list");
	rc = argv[1][0] == 'a' ? peers_add(ctx->node, argv[2], &d) :
	    peers_rm(ctx->node, argv[2], &d);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	printf("%s %s\n", argv[1][0] == 'a' ? "added" : "removed", argv[2]);
	return EXIT_OK;
}

const struct cmd_entry cmd_peer_entry = {
	"peer",
	"add HOST:PORT | rm HOST:PORT | list [--json]",
	"manage the peers consort sync uses when given none",
	"The list is the node's file DIR/peers, one HOST:PORT per line.\n",
	peer_exec,
};
