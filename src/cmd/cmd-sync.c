/* consort sync: exchanges change-sets with peers until both hold the same. */
#include <string.h>
#include <unistd.h>

#include "../cmd.h"
#include "../../sync/net.h"

/*
 * Whether the roster knows key at all (current or replaced): a key it
 * does not know may be a peer's new key whose rotation has not come yet.
 */
static bool
peer_key_known(struct node *n, const uint8_t *key)
{
	return perm_member_by_key(&n->store, key) != NULL ||
	    perm_is_lead(&n->store, key) || perm_is_recovery(&n->store, key);
}

/* Syncs with one peer and prints its line; returns its error. */
static int
sync_one(struct cmd_ctx *ctx, const char *addr, const struct net_limits *lim,
    bool tty)
{
	struct net_result res;
	char line[800];
	int rc;

	if (tty) {
		fprintf(stderr, _("sync: %s ..."), addr);
		fputc('\r', stderr);
	}
	rc = net_sync(ctx->node, addr, lim, &res);
	if (rc != 0 && res.key_refused && node_old_key_use(ctx->node) == 0) {
		/* a peer without this node's rotation yet knows its old key */
		rc = net_sync(ctx->node, addr, lim, &res);
		node_old_key_drop(ctx->node);
	}
	if (rc != 0 && res.peer_refused && res.peer_known &&
	    !peer_key_known(ctx->node, res.peer))
		/* a peer that rotated its key shows its old one the next time */
		rc = net_sync(ctx->node, addr, lim, &res);
	if (tty)
		fputs("\r\033[K", stderr);
	net_describe(&res, line, sizeof(line));
	if (rc != 0) {
		cmd_fail(ctx, rc, &res.diag);
		return rc;
	}
	printf("%s: %s\n", addr, line);
	return 0;
}

/* Syncs with the given peers, or every configured one. */
static int
sync_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	char **addrs = args->argv;
	char peers[PEERS_MAX][PEERS_ADDR_MAX + 1];
	struct consort_diag d = { 0 };
	bool tty = cmd_progress_wanted();
	struct net_limits lim;
	unsigned count = 0, failed = 0, i;
	int rc;

	for (i = 0; i < (unsigned)args->argc; i++)
		if (peers_check_address(addrs[i], &d) != 0)
			return cmd_fail(ctx, E(INVAL), &d);
	net_limits_default(&lim);
	if (net_limits_env(&lim, &d) != 0)
		return cmd_fail(ctx, E(INVAL), &d);
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if (args->argc == 0) {
		if ((rc = peers_load(ctx->node, peers, PEERS_MAX, &count)) != 0)
			return cmd_fail(ctx, rc, NULL);
		if (count == 0) {
			consort_diag_set(&d, E(NOENT), ctx->dir,
			    _("no peer to sync with"),
			    _("give HOST:PORT, or add one with consort peer "
			    "add"));
			cmd_fail(ctx, E(NOENT), &d);
			return EXIT_ERROR;
		}
		for (i = 0; i < count; i++)
			failed += sync_one(ctx, peers[i], &lim, tty) != 0;
	} else
		for (i = 0; i < (unsigned)args->argc; i++)
			failed += sync_one(ctx, addrs[i], &lim, tty) != 0;
	return failed ? EXIT_ERROR : EXIT_OK;
}

const struct cmd_entry cmd_sync_entry = {
	.name = "sync",
	.usage = N_("[HOST:PORT...]"),
	.summary = N_("sync with peers (default: every peer of consort peer "
	    "list)"),
	.args = { .upper = -1, .flags = CMD_ARGS_LITERAL },
	.help = N_(
	    "Exchanges change-sets both ways until both nodes hold the same; exits\n"
	    "0 only if every peer synced. What was acknowledged is kept if the\n"
	    "connection is cut: sync again to finish.\n"
	    "The handshake must end within 20 s of the connection; the session\n"
	    "ends when nothing moves for 120 s, or when it moves under 128 bytes/s\n"
	    "on average after its first 120 s (CONSORT_HANDSHAKE_MS,\n"
	    "CONSORT_IDLE_MS, CONSORT_MIN_RATE change them).\n"),
	.exec = sync_exec,
};
