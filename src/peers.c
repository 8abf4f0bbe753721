/*
 * The node's peers: DIR/peers, one HOST:PORT per line ('#' starts a
 * comment), read by consort sync when it is given no peer.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

/* Checks HOST:PORT: a host of printable characters and a port 1-65535. */
int
peers_check_address(const char *addr, struct consort_diag *d)
{
	const char *colon = strrchr(addr, ':');
	char *end;
	long port;
	size_t i;

	if (colon == NULL || colon == addr || strlen(addr) > PEERS_ADDR_MAX)
		goto bad;
	for (i = 0; addr + i < colon; i++)
		if ((unsigned char)addr[i] <= ' ' || addr[i] == '#' ||
		    (unsigned char)addr[i] >= 0x7f)
			goto bad;
	errno = 0;
	port = strtol(colon + 1, &end, 10);
	if (*end == '\0' && errno == 0 && port >= 1 && port <= 65535)
		return 0;
bad:
	return consort_diag_set(d, E(INVAL), addr, _("not a HOST:PORT address"),
	    _("for example 127.0.0.1:7400"));
}

/* The path of the peers file. */
static int
peers_path(const struct node *n, char *buf, size_t len)
{
	return (size_t)snprintf(buf, len, "%s/peers", n->dir) < len ? 0 : E(INVAL);
}

/* Reads the peers into out (at most max); returns how many. */
int
peers_load(const struct node *n, char (*out)[PEERS_ADDR_MAX + 1], unsigned max,
    unsigned *count)
{
	char path[4096], line[512];
	FILE *f;
	size_t len;

	*count = 0;
	if (peers_path(n, path, sizeof(path)) != 0)
		return E(INVAL);
	if ((f = fopen(path, "r")) == NULL)
		return errno == ENOENT ? 0 : E(IO);
	while (fgets(line, sizeof(line), f) != NULL && *count < max) {
		line[strcspn(line, "#\r\n")] = '\0';
		len = strlen(line);
		while (len > 0 && (line[len - 1] == ' ' || line[len - 1] == '\t'))
			line[--len] = '\0';
		if (len == 0 || len > PEERS_ADDR_MAX ||
		    peers_check_address(line, NULL) != 0)
			continue;
		memcpy(out[(*count)++], line, len + 1);
	}
	fclose(f);
	return 0;
}

/* Writes the peers file anew (through a temporary file and rename). */
static int
peers_save(const struct node *n, char (*list)[PEERS_ADDR_MAX + 1], unsigned count)
{
	char path[4096], tmp[4200];
	unsigned i;
	FILE *f;
	int fd;

	if (peers_path(n, path, sizeof(path)) != 0)
		return E(INVAL);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW, 0600)) < 0 ||
	    (f = fdopen(fd, "w")) == NULL) {
		if (fd >= 0)
			close(fd);
		return errno == EACCES || errno == EROFS ? E(READONLY) : E(IO);
	}
	fprintf(f, "# peers of this node, one HOST:PORT per line\n");
	for (i = 0; i < count; i++)
		fprintf(f, "%s\n", list[i]);
	if (fflush(f) != 0 || fsync(fileno(f)) != 0) {
		fclose(f);
		return E(IO);
	}
	fclose(f);
	return rename(tmp, path) == 0 ? 0 : E(IO);
}

/* Adds a peer (once). */
int
peers_add(const struct node *n, const char *addr, struct consort_diag *d)
{
	char list[PEERS_MAX][PEERS_ADDR_MAX + 1];
	unsigned count, i;
	int rc;

	if ((rc = peers_check_address(addr, d)) != 0 ||
	    (rc = peers_load(n, list, PEERS_MAX, &count)) != 0)
		return rc;
	for (i = 0; i < count; i++)
		if (strcmp(list[i], addr) == 0)
			return 0;
	if (count == PEERS_MAX)
		return consort_diag_set(d, E(TOOBIG), addr, _("too many peers"),
		    NULL);
	snprintf(list[count++], PEERS_ADDR_MAX + 1, "%s", addr);
	return peers_save(n, list, count);
}

/* Removes a peer; E(NOENT) if it was not there. */
int
peers_rm(const struct node *n, const char *addr, struct consort_diag *d)
{
	char list[PEERS_MAX][PEERS_ADDR_MAX + 1];
	unsigned count, i, k = 0;
	int rc;

	if ((rc = peers_load(n, list, PEERS_MAX, &count)) != 0)
		return rc;
	for (i = 0; i < count; i++)
		if (strcmp(list[i], addr) != 0)
			memcpy(list[k++], list[i], sizeof(list[i]));
	if (k == count)
		return consort_diag_set(d, E(NOENT), addr,
		    _("not a peer of this node"),
		    _("consort peer list shows them"));
	return peers_save(n, list, k);
}

/*
 * Decodes a sync's outcome as sync/net.c records it: 8 elements, and a
 * 9th, the change-sets refused, since that was counted.
 */
static int
stats_decode(const struct store_val *k, const struct store_val *v,
    struct peer_stats *st)
{
	uint64_t num[6];
	const uint8_t *peer;
	struct mp_reader r;
	uint32_t n, plen, i;

	memset(st, 0, sizeof(*st));
	mp_reader_init(&r, v->data, v->len);
	if (mp_read_array(&r, &n) != 0 || (n != 8 && n != 9))
		return E(STORE);
	for (i = 0; i < 6; i++)
		if (mp_read_uint(&r, &num[i]) != 0)
			return E(STORE);
	if (mp_read_bin(&r, &peer, &plen) != 0 ||
	    mp_read_str(&r, &st->err, &st->errlen) != 0)
		return E(STORE);
	if (n == 9 && mp_read_uint(&r, &st->refused) != 0)
		return E(STORE);
	st->addr = k->data;
	st->addrlen = k->len;
	st->time = num[0];
	st->sent = num[1];
	st->received = num[2];
	st->refused_ops = num[3];
	st->forks = num[4];
	st->bytes = num[5];
	st->key = plen == CONSORT_KEY_BYTES ? peer : NULL;
	return 0;
}

/*
 * Calls fn on the last sync's outcome with each peer, by address (the
 * peers table, without its "vv:" records).  fn returns 0 to go on, or an
 * error to stop with.
 */
int
peers_foreach_stats(struct store_txn *txn, struct store *s,
    peers_stats_fn fn, void *ctx)
{
	struct peer_stats st;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_PEERS, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len > 3 && memcmp(k.data, "vv:", 3) == 0)
			continue;
		if ((rc = stats_decode(&k, &v, &st)) != 0 ||
		    (rc = fn(ctx, &st)) != 0)
			break;
	}
	store_walk_end(&w);
	return rc;
}

/*
 * Calls fn on each entry of the version vector kept after the last full
 * sync with a peer ("vv:KEY"): author, last seq and head; nothing when
 * this node never synced with it.
 */
int
peers_vv_foreach(struct store_txn *txn, struct store *s, const uint8_t *peer,
    peers_vv_fn fn, void *ctx)
{
	char key[3 + 2 * CONSORT_KEY_BYTES + 1];
	uint8_t who[CONSORT_KEY_BYTES], head[CONSORT_HASH_BYTES];
	struct mp_reader r;
	struct store_val v;
	uint32_t i, count, k;
	uint64_t n;
	int rc;

	memcpy(key, "vv:", 3);
	util_hex(key + 3, peer, CONSORT_KEY_BYTES);
	if ((rc = store_get(txn, s, TB_PEERS, key, sizeof(key) - 1, &v)) != 0)
		return rc == E(NOENT) ? 0 : rc;
	mp_reader_init(&r, v.data, v.len);
	if (mp_read_array(&r, &count) != 0)
		return E(STORE);
	for (i = 0; i < count; i++) {
		if (mp_read_array(&r, &k) != 0 || k != 3 ||
		    mp_read_bin_fixed(&r, who, CONSORT_KEY_BYTES) != 0 ||
		    mp_read_uint(&r, &n) != 0 ||
		    mp_read_bin_fixed(&r, head, CONSORT_HASH_BYTES) != 0)
			return E(STORE);
		if ((rc = fn(ctx, who, n, head)) != 0)
			return rc;
	}
	return 0;
}

/* What peers_known_seq looks for, and what it found. */
struct known {
	const uint8_t *author;
	uint64_t seq;
};

/* Keeps the seq of the author looked for. */
static int
known_one(void *ctx, const uint8_t *author, uint64_t seq, const uint8_t *head)
{
	struct known *k = ctx;

	if (memcmp(author, k->author, CONSORT_KEY_BYTES) == 0)
		k->seq = seq;
	return 0;
}

/*
 * How far a peer holds an author's change-sets, by the version vector kept
 * after the last full sync with it: 0 when never synced or the author was
 * not known then.
 */
int
peers_known_seq(struct store_txn *txn, struct store *s, const uint8_t *peer,
    const uint8_t *author, uint64_t *seq)
{
	struct known k = { author, 0 };
	int rc;

	rc = peers_vv_foreach(txn, s, peer, known_one, &k);
	*seq = k.seq;
	return rc;
}
