/* One TCP connection: handshake, frames, session (conn.c). */
#ifndef CONSORT_SYNC_CONN_H
#define CONSORT_SYNC_CONN_H

#include <uv.h>

#include "net.h"
#include "session.h"
#include "transport.h"

enum conn_phase { PH_HELLO, PH_AUTH, PH_HEADER, PH_FRAMES };

struct conn {
	uv_tcp_t tcp;
	uv_timer_t timer;
	uv_timer_t group_timer;  /* commits the session's group once idle */
	uint64_t group_seen;     /* batches received when it was last set */
	uv_loop_t *loop;
	struct node *n;
	const struct net_limits *lim;
	bool server;
	bool refused;         /* server: turned away before its handshake */
	bool old_identity;    /* server: showed its key before its rotation */
	uint64_t t0, last;    /* ms (loop time): the session's start, last progress */
	uint64_t busy_ms;     /* time this side spent working on what it read */
	uint64_t got, sent;   /* session bytes read, and written, since t0 */
	size_t refused_read;  /* bytes of a refused client's hello read so far */
	char addr[64];        /* the peer's address, without its port */
	enum conn_phase phase;
	struct shs hs;
	struct fstream tx, rx;
	uint8_t *in;          /* bytes read, not yet consumed */
	size_t inlen, inoff, incap;
	uint8_t *plain;       /* scratch for opening frames */
	size_t plaincap;
	struct sess sess;
	bool sess_started, finished, closing;
	int open_handles;
	char name[96];        /* the peer, for messages */
	struct net_result res;
	void (*on_done)(struct conn *c);
	void *owner;
	struct conn *next;    /* the server's list */
};

int conn_init(struct conn *c, uv_loop_t *loop, struct node *n,
    const struct net_limits *lim, bool server);
int conn_start(struct conn *c);
int conn_refuse(struct conn *c, uint8_t reason);
bool conn_pending(const struct conn *c);
void conn_fail(struct conn *c, int err, const char *what, const char *hint);
void conn_finish(struct conn *c);
void conn_close(struct conn *c);
void conn_free(struct conn *c);

#endif
