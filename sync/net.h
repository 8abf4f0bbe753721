/*
 * consort over TCP: a client that syncs with one peer, and a server that
 * syncs with every peer that connects, on libuv.
 */
#ifndef CONSORT_SYNC_NET_H
#define CONSORT_SYNC_NET_H

#include <stdio.h>

#include "session.h"

/*
 * The defaults of struct net_limits; schema/protocol.md ("Deadlines and
 * caps") gives the reasons for each number.
 */
#define NET_HANDSHAKE_MS 20000   /* the whole handshake, from the connection */
#define NET_IDLE_MS 120000       /* a session: nothing moved; and its grace */
#define NET_MIN_RATE 128         /* bytes/s a session averages after its grace */
#define NET_MAX_PENDING 64       /* serve: connections in their handshake */
#define NET_MAX_PENDING_ADDR 8   /* ... from one address */
#define NET_CREDIT_AHEAD (64u << 10)  /* written, not acknowledged, that counts */
#define NET_LINGER_MS 2000       /* for the peer's end once done */
#define NET_REFUSE_LINGER_MS 2000  /* to read a refused client's hello */
#define NET_DEFAULT_PORT 7400

/* How long and how slow a peer may be, and how many may be in a handshake. */
struct net_limits {
	uint64_t handshake_ms;   /* from accept (or connect) to the stream headers */
	uint64_t idle_ms;        /* a session where nothing moves for this long ends */
	uint64_t min_rate;       /* after its first idle_ms, bytes/s both ways */
	unsigned max_pending;    /* serve: connections still in their handshake */
	unsigned max_pending_addr;  /* ... from one remote address */
};

/* What one sync with one peer did. */
struct net_result {
	struct sess_stats st;
	uint64_t bytes_in, bytes_out;  /* everything on the socket */
	uint64_t frames_in, frames_out;
	uint64_t handshake_bytes;      /* both ways */
	double secs;
	uint8_t peer[CONSORT_KEY_BYTES];
	bool peer_known;
	bool key_refused;  /* the peer closed the handshake after our key */
	bool peer_refused; /* this node refused the peer's key */
	int err;
	struct consort_diag diag;
};

void net_limits_default(struct net_limits *l);
int net_limits_env(struct net_limits *l, struct consort_diag *d);
int net_sync(struct node *n, const char *addr, const struct net_limits *l,
    struct net_result *res);
int net_serve(struct node *n, const char *listen, const struct net_limits *l,
    FILE *log, struct consort_diag *d);
void net_describe(const struct net_result *r, char *buf, size_t len);

#endif
