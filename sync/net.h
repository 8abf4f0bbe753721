/*
 * consort over TCP: a client that syncs with one peer, and a server that
 * syncs with every peer that connects, on libuv.
 */
#ifndef CONSORT_SYNC_NET_H
#define CONSORT_SYNC_NET_H

#include <stdio.h>

#include "session.h"

#define NET_IDLE_MS 30000            /* a silent peer is dropped */
#define NET_HANDSHAKE_MS 10000       /* to finish the handshake */
#define NET_LINGER_MS 2000           /* for the peer's end once done */
#define NET_DEFAULT_PORT 7400

/* What one sync with one peer did. */
struct net_result {
	struct sess_stats st;
	uint64_t bytes_in, bytes_out;  /* everything on the socket */
	uint64_t frames_in, frames_out;
	uint64_t handshake_bytes;      /* both ways */
	double secs;
	uint8_t peer[CONSORT_KEY_BYTES];
	bool peer_known;
	int err;
	struct consort_diag diag;
};

int net_sync(struct node *n, const char *addr, struct net_result *res);
int net_serve(struct node *n, const char *listen, FILE *log,
    struct consort_diag *d);
void net_describe(const struct net_result *r, char *buf, size_t len);

#endif
