/*
 * The sync session: version vectors exchanged once, then each side streams
 * the change-sets the other lacks while applying what it receives: the
 * batches that arrive back to back share one LMDB transaction (a group),
 * and each is acknowledged once that transaction is committed.  Transport-free: the
 * session hands out messages through emit() and takes them in with
 * sess_receive(); sync/conn.c carries them in frames, sync/bundle.c in a
 * file.  Messages: schema/protocol.md, "Session messages".
 */
#ifndef CONSORT_SYNC_SESSION_H
#define CONSORT_SYNC_SESSION_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

#define SYNC_PROTOCOL 2
#define SESS_BATCH_BYTES (512u << 10)  /* change-set bytes per batch */
#define SESS_BATCH_MAX 256             /* change-sets per batch */
#define SESS_WINDOW 16                 /* batches sent but not acknowledged */
#define SESS_GROUP_BATCHES 8           /* batches committed together, at most */
#define SESS_GROUP_BYTES (4u << 20)    /* a group's change-set bytes, at most */
#define SESS_GROUP_PRIVATE (40u << 20) /* private memory over the start's */
#define SESS_GROUP_IDLE_MS 20          /* a group waits this long for more */
#define SESS_MAX_AUTHORS STORE_MAX_AUTHORS
#define SESS_MAX_FORKS 64              /* forks recorded per session */

enum sess_msg { SM_HELLO = 0, SM_BATCH = 1, SM_ACK = 2, SM_DONE = 3,
	SM_ERROR = 4, SM_WANT = 5, SM_OPENINGS = 6 };

/* What was done with the openings a peer sent (openings.c). */
struct openings_receipt {
	uint64_t kept;     /* checked and kept, sealed */
	uint64_t skipped;  /* not readable here, not in the state, or erased */
};

/* What the session still has to send of one author's chain. */
struct sess_plan {
	uint8_t author[CONSORT_KEY_BYTES];
	uint64_t next;  /* next seq to send */
	uint64_t last;  /* last seq to send */
};

/* The peer's version vector, as its HELLO gave it. */
struct sess_vv {
	uint8_t author[CONSORT_KEY_BYTES];
	uint64_t seq;
	uint8_t head[CONSORT_HASH_BYTES];
};

/* The private memory a receiver's groups are judged by (sess_group_full). */
struct sess_mem {
	uint64_t base;  /* when the session began */
	uint64_t last;  /* after the last batch applied */
	uint64_t step;  /* what that batch added */
};

struct sess_stats {
	uint64_t sent;           /* change-sets sent */
	uint64_t sent_bytes;
	uint64_t batches_sent;
	uint64_t batches_received;
	struct log_receipt recv;
	uint64_t forks;          /* seen in the version vectors */
	uint64_t wanted;         /* openings asked for */
	uint64_t openings_sent;
	struct openings_receipt openings;
};

struct sess {
	struct node *n;
	uint8_t peer[CONSORT_KEY_BYTES];  /* the peer's key (not for a file) */
	bool has_peer;
	const uint8_t *bundle_for;  /* a bundle's reader: its openings */
	struct entitle_set theirs;  /* the trainees the peer may read */
	bool has_theirs;
	bool want_begun;          /* the first WANT went out */
	bool want_sent, peer_want_done, openings_done;  /* want_sent: the last */
	bool want_more;           /* want_pos holds the last commitment asked */
	uint8_t want_pos[PERSONAL_KEY_BYTES];
	uint32_t want_max;        /* items of a WANT sent: WANT_MAX (tests lower it) */
	int (*emit)(void *ctx, const uint8_t *msg, size_t len);
	bool (*may_send)(void *ctx);  /* the transport takes another batch */
	void *ctx;
	struct sess_plan *plan;
	uint32_t nplan;
	struct sess_vv *peer_vv;
	uint32_t npeer_vv;
	bool hello_sent, hello_received, done_sent, peer_done;
	bool file;               /* a bundle: nothing is acknowledged */
	uint64_t acked;
	uint64_t acked_bytes;    /* of the BATCH messages the peer acknowledged */
	uint64_t inflight[SESS_WINDOW];  /* sizes of those not acknowledged yet */
	uint64_t peer_batches;   /* total the peer announced with DONE */
	struct store_txn *group;  /* batches applied, not committed yet */
	uint32_t group_batches;
	uint64_t group_bytes;
	struct sess_mem mem;      /* private memory, for the groups */
	struct log_receipt group_rcpt;  /* what they did, counted at the commit */
	struct sess_stats st;
	struct sess_vv forked[SESS_MAX_FORKS];  /* seen in the peer's HELLO */
	msgpack_sbuffer out;
	int err;
	struct consort_diag diag;
};

/*
 * Starts a session: sends HELLO.  peer is the authenticated key of the
 * peer (NULL for a bundle), to which openings go only as it may read them.
 */
int sess_start(struct sess *ss, struct node *n, const uint8_t *peer,
    int (*emit)(void *, const uint8_t *, size_t), void *ctx);
/* Starts a message [kind, ...] of n elements in ss->out; sess_send() it. */
msgpack_packer sess_begin(struct sess *ss, unsigned kind, unsigned n);
int sess_send(struct sess *ss);
int sess_receive(struct sess *ss, const uint8_t *msg, size_t len);
int sess_pump(struct sess *ss);
int sess_plan_since(struct sess *ss, const struct sess_vv *vv, uint32_t n);
bool sess_finished(const struct sess *ss);
int sess_fail(struct sess *ss, int err, const char *what);
/*
 * Commits the group of batches applied since the last commit and
 * acknowledges them (ack false: the connection is gone, commit only).
 */
int sess_flush(struct sess *ss, bool ack);
/* Whether the session has more to send once the transport drains. */
bool sess_has_more(const struct sess *ss);
/* Whether batches wait in an open group for sess_flush(). */
bool sess_group_open(const struct sess *ss);
/* Starts measuring a receiver's private memory. */
void sess_mem_start(struct sess_mem *m);
/*
 * Whether a group of batches received (a sync's, a bundle's) must be
 * committed now, a batch having just been applied: batches and bytes so
 * far, and the private memory, which the next batch may grow as much as
 * the last one did.
 */
bool sess_group_full(uint32_t batches, uint64_t bytes, struct sess_mem *m);
void sess_free(struct sess *ss);

/* ---- openings.c: personal values between entitled members ---- */

int openings_send_want(struct sess *ss);
int openings_on_want(struct sess *ss, struct mp_reader *r, uint32_t n);
int openings_on_openings(struct sess *ss, struct mp_reader *r, uint32_t n);
/*
 * Reads the items of an OPENINGS message: with txn keeps those this node
 * may read (wants_may_read(): refresh first) and whose record holds the
 * commitment; without, checks
 * each against its commitment only (a bundle's first pass).
 * @return 0, or E(BADTYPE) (malformed), E(COMMITMENT), E(SCHEMA), or an
 *	error of personal_put() or the store
 */
int openings_items(struct store_txn *txn, struct store *s, struct mp_reader *r,
    struct openings_receipt *rr, struct consort_diag *d);
/* Writes, before a bundle's DONE, the openings its reader may read. */
int openings_export(struct sess *ss);

#endif
