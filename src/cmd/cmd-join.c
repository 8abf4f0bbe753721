/* consort join: turns a keygen directory into a member's node. */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "../cmd.h"

/* Reads a whole file of at most max bytes. */
static int
slurp(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return E(NOENT);
	if ((*buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return E(NOMEM);
	}
	n = fread(*buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(*buf);
		return E(TOOBIG);
	}
	*len = n;
	return 0;
}

/* Opens the invite with this directory's key and creates the node. */
static int
join_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
	struct node *keys = NULL;
	struct invite inv;
	uint8_t *buf;
	size_t len;
	char hex[2 * CONSORT_HASH_BYTES + 1];
	int rc;

	if (argc != 2)
		return cmd_usage(ctx, "expected the invite FILE");
	if ((rc = slurp(argv[1], INVITE_MAX_BYTES, &buf, &len)) != 0) {
		consort_diag_set(&d, rc, argv[1], "cannot read the invite file",
		    "give the file consort invite wrote");
		return cmd_fail(ctx, rc, &d);
	}
	/* the key pair of keygen: open it as a node without a store */
	if ((rc = cmd_open_keys(ctx, &keys)) != 0) {
		free(buf);
		return rc;
	}
	rc = invite_open(buf, len, keys->pk, keys->sk, &inv, &d);
	free(buf);
	if (rc == 0)
		rc = node_join(ctx->dir, &inv, &ctx->node, &d);
	node_close(keys);
	if (rc == 0 && inv.address[0])
		rc = peers_add(ctx->node, inv.address, &d);
	if (rc != 0) {
		if (inv.buf != NULL)
			invite_free(&inv);
		return cmd_fail(ctx, rc, &d);
	}
	util_hex(hex, inv.consortium, CONSORT_HASH_BYTES);
	printf("joined consortium %s as SIRET %s\n", hex, inv.siret);
	if (inv.address[0])
		printf("the lead serves at %s (added to the peers); next: consort "
		    "sync\n", inv.address);
	else
		printf("next: consort sync HOST:PORT of the lead or another member\n");
	invite_free(&inv);
	return EXIT_OK;
}

const struct cmd_entry cmd_join_entry = {
	"join",
	"FILE",
	"become a member with the invite the lead sent (after consort keygen)",
	"Opens the invite with this directory's secret key (made by consort\n"
	"keygen), creates the store with the consortium's genesis and network\n"
	"key, and adds the lead's address to the peers. The rest of the log\n"
	"arrives with the first consort sync.\n",
	join_exec,
};
