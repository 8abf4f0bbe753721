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
	return consort_diag_set(d, E(INVAL), addr, "not a HOST:PORT address",
	    "for example 127.0.0.1:7400");
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
		return consort_diag_set(d, E(TOOBIG), addr, "too many peers", NULL);
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
		return consort_diag_set(d, E(NOENT), addr, "not a peer of this node",
		    "consort peer list shows them");
	return peers_save(n, list, k);
}
