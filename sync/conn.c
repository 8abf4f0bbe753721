/*
 * One TCP connection on libuv: the handshake (transport.h), then frames
 * carrying the session's messages (session.h).  Bytes are accumulated until
 * a whole handshake message or frame is there; a frame's announced length
 * is checked before anything is allocated for it.  One timer per
 * connection: the handshake's total deadline, then the session's rule of
 * progress (net.h, struct net_limits), then the wait for the peer's end.
 */
#include <stdlib.h>
#include <string.h>

#include <uv.h>

#include "conn.h"

#define IN_MAX (FRAME_HEADER_BYTES + FRAME_MAX_WIRE)

static void on_timeout(uv_timer_t *t);
static void progress_start(struct conn *c);
static void refused_read(struct conn *c, ssize_t nread);

/* A write request and the bytes it carries. */
struct wreq {
	uv_write_t req;
	size_t len;
};

/* Seconds of a monotonic clock. */
static double
now_s(void)
{
	return (double)uv_hrtime() / 1e9;
}

/* Formats a duration in milliseconds as seconds ("20 s", "1.5 s"). */
static void
fmt_secs(char *buf, size_t len, uint64_t ms)
{
	if (ms % 1000 == 0)
		snprintf(buf, len, "%llu s", (unsigned long long)(ms / 1000));
	else
		snprintf(buf, len, "%.1f s", (double)ms / 1000);
}

/* Whether the session (after the handshake) has started. */
static bool
in_session(const struct conn *c)
{
	return c->phase == PH_FRAMES && !c->finished && !c->refused;
}

/* Ends the connection with an error (the first one counts). */
void
conn_fail(struct conn *c, int err, const char *what, const char *hint)
{
	if (c->res.err == 0) {
		c->res.err = err;
		if (!c->res.diag.what[0])
			consort_diag_set(&c->res.diag, err, c->name, what, hint);
	}
	conn_close(c);
}

/*
 * The session's may_send(): whether another batch may be queued.  Batches
 * are made only as the socket drains, so that a peer that reads slowly
 * costs a server one batch of memory, not its whole window.
 */
static bool
may_send(void *ctx)
{
	struct conn *c = ctx;

	return uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) <
	    SESS_BATCH_BYTES / 2;
}

/* Frees a write request when libuv is done with it; its bytes moved. */
static void
on_written(uv_write_t *req, int status)
{
	struct conn *c = req->data;
	size_t len = ((struct wreq *)req)->len;
	int rc;

	free(req);
	if (status == 0 && c != NULL && in_session(c)) {
		c->sent += len;
		c->last = uv_now(c->loop);
		/* the socket drained: the session may have more to send */
		if (c->sess_started && !c->closing && sess_has_more(&c->sess) &&
		    c->sess.hello_received && (rc = sess_pump(&c->sess)) != 0)
			conn_fail(c, rc, c->sess.diag.what[0] ? c->sess.diag.what :
			    consort_strerror(rc), c->sess.diag.hint);
	}
	if (status < 0 && c != NULL && !c->closing && !c->refused)
		conn_fail(c, E(IO), status == UV_EPIPE || status == UV_ECONNRESET ?
		    _("the peer closed the connection before the end of the "
		    "sync") :
		    uv_strerror(status), _("sync again: what was acknowledged "
		    "is kept"));
}

/* A write request and room for len bytes after it, or NULL. */
static struct wreq *
wreq_new(struct conn *c, size_t len)
{
	struct wreq *w;

	if (c->closing || (w = malloc(sizeof(*w) + len)) == NULL)
		return NULL;
	w->req.data = c;
	w->len = len;
	return w;
}

/* Queues a request's first len bytes for writing; it is freed once sent. */
static int
wreq_send(struct conn *c, struct wreq *w, size_t len)
{
	uv_buf_t buf = uv_buf_init((char *)(w + 1), (unsigned)len);

	w->len = len;
	if (uv_write(&w->req, (uv_stream_t *)&c->tcp, &buf, 1, on_written) != 0) {
		free(w);
		return E(IO);
	}
	c->res.bytes_out += len;
	return 0;
}

/* Queues bytes for writing (copied). */
static int
conn_write(struct conn *c, const void *p, size_t len)
{
	struct wreq *w;

	if ((w = wreq_new(c, len)) == NULL)
		return c->closing ? E(IO) : E(NOMEM);
	memcpy(w + 1, p, len);
	return wreq_send(c, w, len);
}

/*
 * The session's emit(): seals one message in a frame, straight into the
 * buffer that is written (no second copy of a batch per peer).
 */
static int
emit_frame(void *ctx, const uint8_t *msg, size_t len)
{
	struct conn *c = ctx;
	struct wreq *w;
	size_t outlen;
	int rc;

	if ((w = wreq_new(c, len + FRAME_HEADER_BYTES + FRAME_OVERHEAD)) == NULL)
		return c->closing ? E(IO) : E(NOMEM);
	if ((rc = fstream_seal(&c->tx, msg, len, false, (uint8_t *)(w + 1),
	    &outlen)) != 0) {
		free(w);
		return rc;
	}
	c->res.frames_out++;
	return wreq_send(c, w, outlen);
}

/* Whether the peer's key belongs to a member that may sync. */
static bool
peer_allowed(struct conn *c)
{
	return node_trusts(c->n, c->hs.peer_pk);
}

/* After both auths: checks the peer, starts the sending stream. */
static int
start_stream(struct conn *c)
{
	uint8_t header[STREAM_HEADER_BYTES];

	memcpy(c->res.peer, c->hs.peer_pk, CONSORT_KEY_BYTES);
	c->res.peer_known = true;
	if (!peer_allowed(c)) {
		c->res.peer_refused = true;
		conn_fail(c, E(PERM), _("the peer's key is not a member of the "
		    "consortium (or was revoked)"),
		    _("the lead binds keys with "
		    "consort invite"));
		return E(PERM);
	}
	fstream_init_push(&c->tx, c->hs.tx_key, header);
	return conn_write(c, header, sizeof(header));
}

/* Handshake: the peer's hello (or, to a client, a server's refusal). */
static int
step_hello(struct conn *c, const uint8_t *in)
{
	uint8_t out[SHS_AUTH_BYTES], reason;
	int rc;

	if (!c->server && shs_read_busy(&c->hs, in, &reason)) {
		conn_fail(c, E(BUSY), reason == SHS_BUSY_ADDRESS ?
		    _("the peer is busy: too many connections from this node's "
		    "address are in their handshake "
		    "there") : _("the peer is busy: too many "
		    "connections are in their handshake there"),
		    _("sync again in a minute"));
		return E(BUSY);
	}
	if ((rc = shs_read_hello(&c->hs, in)) != 0) {
		conn_fail(c, E(PERM), _("the handshake failed: the peer does "
		    "not hold this consortium's network key"),
		    _("check that both nodes "
		    "belong to the same consortium"));
		return rc;
	}
	if (c->server) {
		if ((rc = shs_hello(&c->hs, out)) != 0)
			return rc;
		return conn_write(c, out, SHS_HELLO_BYTES);
	}
	if ((rc = shs_auth(&c->hs, out)) != 0)
		return rc;
	return conn_write(c, out, SHS_AUTH_BYTES);
}

/*
 * The clients that closed the handshake right after this server's key
 * (conn.c's server side, for the life of the process): they lack this
 * node's key rotation, so their next handshake gets the replaced key.
 */
#define REFUSED_MAX 64
static uint8_t refused_keys[REFUSED_MAX][CONSORT_KEY_BYTES];
static unsigned nrefused;

/* The slot of a client key among those that refused, or -1. */
static int
refused_slot(const uint8_t *key)
{
	unsigned i;

	for (i = 0; i < nrefused; i++)
		if (memcmp(refused_keys[i], key, CONSORT_KEY_BYTES) == 0)
			return (int)i;
	return -1;
}

/* Notes (add) or forgets a client that refused this server's key. */
static void
note_refusal(const uint8_t *key, bool add)
{
	int i = refused_slot(key);

	if (add && i < 0) {
		i = nrefused < REFUSED_MAX ? (int)nrefused++ : REFUSED_MAX - 1;
		memcpy(refused_keys[i], key, CONSORT_KEY_BYTES);
	} else if (!add && i >= 0)
		memcpy(refused_keys[i], refused_keys[--nrefused],
		    CONSORT_KEY_BYTES);
}

/*
 * The server shows its key before its last rotation to a client that
 * refused the current one (it lacks the rotation), so that the session
 * can hand the rotation over.
 */
static void
server_identity(struct conn *c)
{
	uint8_t *sk;

	if (refused_slot(c->hs.peer_pk) < 0 ||
	    (sk = keys_secret_alloc(64)) == NULL)
		return;
	if (node_old_keypair(c->n, c->hs.pk, sk) == 0) {
		memcpy(c->hs.sk, sk, 64);
		c->old_identity = true;
	}
	sodium_free(sk);
}

/* Handshake: the peer's auth. */
static int
step_auth(struct conn *c, const uint8_t *in)
{
	uint8_t out[SHS_AUTH_BYTES];
	int rc;

	if ((rc = shs_read_auth(&c->hs, in)) != 0) {
		conn_fail(c, E(PERM), _("the handshake failed: the peer's key "
		    "does not authenticate"), NULL);
		return rc;
	}
	if (c->server) {
		memcpy(c->res.peer, c->hs.peer_pk, CONSORT_KEY_BYTES);
		c->res.peer_known = true;
		if (!peer_allowed(c)) {
			conn_fail(c, E(PERM), _("the peer's key is not a "
			    "member of the consortium (or was revoked)"), NULL);
			return E(PERM);
		}
		server_identity(c);
		if ((rc = shs_auth(&c->hs, out)) != 0 ||
		    (rc = conn_write(c, out, SHS_AUTH_BYTES)) != 0)
			return rc;
	}
	c->res.handshake_bytes = 2 * (SHS_HELLO_BYTES + SHS_AUTH_BYTES) +
	    2 * STREAM_HEADER_BYTES;
	return start_stream(c);
}

/* Opens one frame and hands its message to the session. */
static int
step_frame(struct conn *c, const uint8_t *body, size_t len)
{
	size_t plainlen;
	bool final;
	int rc;

	if (len > c->plaincap) {
		free(c->plain);
		if ((c->plain = malloc(len)) == NULL) {
			c->plaincap = 0;
			return E(NOMEM);
		}
		c->plaincap = len;
	}
	if ((rc = fstream_open(&c->rx, body, len, c->plain, &plainlen, &final)) != 0) {
		conn_fail(c, rc, _("a frame does not authenticate: altered, "
		    "replayed or out of order"),
		    _("sync again; if it persists, the "
		    "network between the nodes alters data"));
		return rc;
	}
	c->res.frames_in++;
	if (final)
		return 0;  /* the peer's last frame: its direction has ended */
	rc = sess_receive(&c->sess, c->plain, plainlen);
	if (rc != 0) {
		conn_fail(c, rc, c->sess.diag.what[0] ? c->sess.diag.what :
		    consort_strerror(rc), c->sess.diag.hint);
		return rc;
	}
	if (sess_finished(&c->sess))
		conn_finish(c);
	return 0;
}

/* How many bytes the next unit of input needs (handshake or frame). */
static int
need(struct conn *c, size_t *n)
{
	size_t len;
	int rc;

	switch (c->phase) {
	case PH_HELLO:
		*n = SHS_HELLO_BYTES;
		return 0;
	case PH_AUTH:
		*n = SHS_AUTH_BYTES;
		return 0;
	case PH_HEADER:
		*n = STREAM_HEADER_BYTES;
		return 0;
	default:
		if (c->inlen - c->inoff < FRAME_HEADER_BYTES) {
			*n = FRAME_HEADER_BYTES;
			return 0;
		}
		if ((rc = frame_length(c->in + c->inoff, &len)) != 0) {
			conn_fail(c, rc, rc == E(TOOBIG) ?
			    _("the peer announced a "
			    "frame over the size bound") :
			    _("a frame is too short to "
			    "be sealed"), _("the peer is not a consort node"));
			return rc;
		}
		*n = FRAME_HEADER_BYTES + len;
		return 0;
	}
}

/* Consumes every whole unit of input. */
static void
process(struct conn *c)
{
	uint8_t *p;
	size_t n;
	int rc = 0;

	while (!c->closing && (rc = need(c, &n)) == 0 && c->inlen - c->inoff >= n) {
		p = c->in + c->inoff;
		c->inoff += n;
		switch (c->phase) {
		case PH_HELLO:
			rc = step_hello(c, p);
			c->phase = PH_AUTH;
			break;
		case PH_AUTH:
			rc = step_auth(c, p);
			c->phase = PH_HEADER;
			break;
		case PH_HEADER:
			rc = fstream_init_pull(&c->rx, c->hs.rx_key, p);
			shs_wipe(&c->hs);
			c->phase = PH_FRAMES;
			progress_start(c);
			if (rc == 0 && (rc = sess_start(&c->sess, c->n, c->res.peer,
			    emit_frame, c)) == 0) {
				c->sess_started = true;
				c->sess.may_send = may_send;
			}
			break;
		default:
			rc = step_frame(c, p + FRAME_HEADER_BYTES, n - FRAME_HEADER_BYTES);
		}
		if (rc != 0 && !c->closing)
			conn_fail(c, rc, consort_strerror(rc), NULL);
	}
	if (c->inoff > 0 && !c->closing) {
		memmove(c->in, c->in + c->inoff, c->inlen - c->inoff);
		c->inlen -= c->inoff;
		c->inoff = 0;
	}
}

/* libuv: room for incoming bytes, straight into the input buffer. */
static void
on_alloc(uv_handle_t *h, size_t hint, uv_buf_t *buf)
{
	struct conn *c = h->data;
	size_t want = 65536, cap;
	uint8_t *p;

	(void)hint;
	if (c->incap - c->inlen < want && c->incap < IN_MAX + want) {
		cap = c->incap ? c->incap * 2 : 131072;
		if (cap > IN_MAX + want)
			cap = IN_MAX + want;
		if ((p = realloc(c->in, cap)) != NULL) {
			c->in = p;
			c->incap = cap;
		}
	}
	*buf = uv_buf_init((char *)c->in + c->inlen, (unsigned)(c->incap - c->inlen));
}

/* The handshake ended on the peer's side: says what it can mean. */
static void
closed_in_handshake(struct conn *c)
{
	if (c->server && c->phase == PH_HEADER && c->res.peer_known)
		note_refusal(c->res.peer, true);
	if (c->server)
		conn_fail(c, E(PERM), _("the peer closed the connection during "
		    "the handshake"), NULL);
	else if (c->phase == PH_HELLO)
		conn_fail(c, E(PERM), _("the peer closed the connection during "
		    "the handshake, without answering this node's hello: it "
		    "does not hold this consortium's network key, or is not "
		    "consort serve"),
		    _("check that both nodes belong to the same consortium"));
	else {
		c->res.key_refused = true;
		conn_fail(c, E(PERM), _("the peer closed the connection during "
		    "the handshake, after this node's key: it does not take "
		    "that key (not in its roster, or revoked), or the "
		    "handshake took longer than it allows"),
		    _("a newly invited node syncs with the lead "
		    "first; consort member list shows the roster"));
	}
}

/* libuv: no batch came for a while; the group waiting for more commits. */
static void
on_group_idle(uv_timer_t *t)
{
	struct conn *c = t->data;

	if (!c->closing && sess_flush(&c->sess, true) != 0)
		conn_fail(c, c->sess.err, c->sess.diag.what, c->sess.diag.hint);
}

/*
 * Gives the session's open group SESS_GROUP_IDLE_MS from its last batch:
 * batches that come back to back share a commit, and a slow link does not
 * keep the store's writer waiting for its next batch.
 */
static void
group_watch(struct conn *c)
{
	if (!c->sess_started || c->closing || !sess_group_open(&c->sess))
		return;
	if (c->group_seen == c->sess.st.batches_received &&
	    uv_is_active((uv_handle_t *)&c->group_timer))
		return;
	c->group_seen = c->sess.st.batches_received;
	uv_timer_start(&c->group_timer, on_group_idle, SESS_GROUP_IDLE_MS, 0);
}

/* libuv: bytes arrived, or the stream ended. */
static void
on_read(uv_stream_t *s, ssize_t nread, const uv_buf_t *buf)
{
	struct conn *c = s->data;
	uint64_t t;

	(void)buf;
	if (c->refused) {
		refused_read(c, nread);
		return;
	}
	if (nread < 0) {
		if (c->finished)
			conn_close(c);
		else if (c->phase != PH_FRAMES)
			closed_in_handshake(c);
		else
			conn_fail(c, E(IO), nread == UV_EOF ?
			    _("the peer closed the "
			    "connection before the end of the sync") :
			    uv_strerror((int)nread), _("sync again: what was "
			    "acknowledged is kept"));
		return;
	}
	c->res.bytes_in += (uint64_t)nread;
	c->inlen += (size_t)nread;
	if (in_session(c))
		c->got += (uint64_t)nread;
	t = uv_hrtime();
	process(c);
	group_watch(c);
	if (in_session(c) && !c->closing) {
		/* this side's own work (applying a batch) is not the peer's delay */
		c->busy_ms += (uv_hrtime() - t) / 1000000;
		uv_update_time(c->loop);
		c->last = uv_now(c->loop);
	}
}

/*
 * What a session has moved, as its rule of progress counts it: every byte
 * read, and the bytes written as far as the peer acknowledged them, plus
 * at most NET_CREDIT_AHEAD more (a peer that reads batches without ever
 * acknowledging one earns little).
 */
static uint64_t
moved(const struct conn *c)
{
	uint64_t acked = c->sess_started ? c->sess.acked_bytes : 0;

	return c->got + (c->sent < acked + NET_CREDIT_AHEAD ? c->sent :
	    acked + NET_CREDIT_AHEAD);
}

/*
 * The session's rule of progress: it ends when nothing moved either way
 * for idle_ms, or when, after its first idle_ms (and the time this side
 * spent working), it has moved fewer than min_rate bytes a second on
 * average.  Otherwise the timer is set for the first moment either could
 * fail; what moves meanwhile only pushes that moment later.
 */
static void
progress_check(struct conn *c)
{
	const struct net_limits *l = c->lim;
	uint64_t now = uv_now(c->loop), idle_end, rate_end, next, m = moved(c);
	char what[240], a[32], b[32];

	idle_end = c->last + l->idle_ms;
	rate_end = l->min_rate == 0 ? UINT64_MAX : c->t0 + c->busy_ms +
	    l->idle_ms + m * 1000 / l->min_rate;
	if (now >= idle_end) {
		fmt_secs(a, sizeof(a), l->idle_ms);
		snprintf(what, sizeof(what), _("the peer sent and read nothing "
		    "for %s"),
		    a);
		conn_fail(c, E(TIMEOUT), what,
		    _("sync again: what was acknowledged "
		    "is kept"));
		return;
	}
	if (now >= rate_end) {
		fmt_secs(a, sizeof(a), now - c->t0);
		fmt_secs(b, sizeof(b), l->idle_ms);
		snprintf(what, sizeof(what), _("the peer is too slow: %llu "
		    "bytes in %s, under %llu bytes/s after the first %s"),
		    (unsigned long long)m, a,
		    (unsigned long long)l->min_rate, b);
		conn_fail(c, E(TIMEOUT), what, _("sync again over a better "
		    "link: what was acknowledged is kept"));
		return;
	}
	next = idle_end < rate_end ? idle_end : rate_end;
	uv_timer_start(&c->timer, on_timeout, next - now, 0);
}

/* The handshake is done: the session's clock starts. */
static void
progress_start(struct conn *c)
{
	c->t0 = c->last = uv_now(c->loop);
	c->busy_ms = 0;
	c->got = c->sent = 0;
	progress_check(c);
}

/* libuv: the connection's timer ran out. */
static void
on_timeout(uv_timer_t *t)
{
	struct conn *c = t->data;
	char what[160], secs[32];

	if (c->finished || c->refused) {
		conn_close(c);  /* done: the peer only failed to say goodbye */
		return;
	}
	if (c->phase == PH_FRAMES) {
		progress_check(c);
		return;
	}
	fmt_secs(secs, sizeof(secs), c->lim->handshake_ms);
	snprintf(what, sizeof(what), _("the handshake did not finish within "
	    "%s"),
	    secs);
	conn_fail(c, E(TIMEOUT), what, c->server ? _("the peer is too slow, or "
	    "not a consort node") : _("check the peer's address and that it "
	    "runs consort serve"));
}

/* libuv: a handle is closed; frees the connection after both. */
static void
on_closed(uv_handle_t *h)
{
	struct conn *c = h->data;

	if (--c->open_handles > 0)
		return;
	if (c->on_done != NULL)
		c->on_done(c);
}

/* Starts a connection whose TCP handle is connected or accepted. */
int
conn_start(struct conn *c)
{
	uint8_t hello[SHS_HELLO_BYTES];
	uint8_t netkey[SHS_NETKEY_BYTES];
	int rc;

	c->tcp.data = c;
	c->timer.data = c;
	c->res.secs = now_s();
	uv_tcp_nodelay(&c->tcp, 1);
	if ((rc = node_netkey(c->n, netkey)) != 0) {
		conn_fail(c, rc, _("cannot read the network key"), NULL);
		return rc;
	}
	shs_init(&c->hs, c->server ? SHS_SERVER : SHS_CLIENT, netkey, c->n->pk,
	    c->n->sk);
	sodium_memzero(netkey, sizeof(netkey));
	/* one deadline for the whole handshake: bytes that trickle in do not
	 * push it back */
	uv_timer_start(&c->timer, on_timeout, c->lim->handshake_ms, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0) {
		conn_fail(c, E(IO), _("cannot read from the connection"), NULL);
		return E(IO);
	}
	if (c->server)
		return 0;
	if ((rc = shs_hello(&c->hs, hello)) != 0)
		return rc;
	return conn_write(c, hello, sizeof(hello));
}

/* Initialises a connection's handles on the loop. */
int
conn_init(struct conn *c, uv_loop_t *loop, struct node *n,
    const struct net_limits *lim, bool server)
{
	memset(c, 0, sizeof(*c));
	c->loop = loop;
	c->n = n;
	c->lim = lim;
	c->server = server;
	c->phase = PH_HELLO;
	if (uv_tcp_init(loop, &c->tcp) != 0)
		return E(IO);
	if (uv_timer_init(loop, &c->timer) != 0) {
		c->open_handles = 1;
		uv_close((uv_handle_t *)&c->tcp, on_closed);
		return E(IO);
	}
	if (uv_timer_init(loop, &c->group_timer) != 0) {
		c->open_handles = 2;
		uv_close((uv_handle_t *)&c->tcp, on_closed);
		uv_close((uv_handle_t *)&c->timer, on_closed);
		return E(IO);
	}
	c->open_handles = 3;
	c->tcp.data = c;
	c->timer.data = c;
	c->group_timer.data = c;
	return 0;
}

/* libuv: the write side is shut down; the peer's end of file closes. */
static void
on_shutdown(uv_shutdown_t *req, int status)
{
	struct conn *c = req->data;

	free(req);
	if (status < 0)
		conn_close(c);
}

/* Ends a finished session: a FINAL frame, what is queued, then close. */
void
conn_finish(struct conn *c)
{
	uint8_t end[FRAME_HEADER_BYTES + FRAME_OVERHEAD] = { 0 };
	uv_shutdown_t *req;
	size_t len;

	if (c->server && c->old_identity)
		note_refusal(c->res.peer, false);  /* it has the rotation now */
	if (c->finished || c->closing)
		return;
	c->finished = true;
	if (fstream_seal(&c->tx, end, 0, true, end, &len) == 0) {
		c->res.frames_out++;
		(void)conn_write(c, end, len);
	}
	/* wait for the peer's own end, but not for ever */
	uv_timer_start(&c->timer, on_timeout, NET_LINGER_MS, 0);
	if ((req = malloc(sizeof(*req))) == NULL ||
	    uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
		free(req);
		conn_close(c);
		return;
	}
	req->data = c;
}

/*
 * Writes the index keys a long session deferred (index_catch_up()); a
 * failure is the connection's error unless it had one: what it stored
 * stays, and the next writer rebuilds the index.
 */
static void
catch_up_index(struct conn *c)
{
	int rc = index_catch_up(&c->sess.n->store);

	if (rc != 0 && c->res.err == 0) {
		c->res.err = rc;
		consort_diag_set(&c->res.diag, rc, _("the order index"),
		    consort_strerror(rc), _("what was received is stored; the "
		    "next command that writes to this node rebuilds the index"));
	}
}

/* Closes both handles (once); on_done runs when they are closed. */
void
conn_close(struct conn *c)
{
	if (c->closing)
		return;
	c->closing = true;
	c->res.secs = now_s() - c->res.secs;
	/* batches applied but not acknowledged yet were checked: keep them */
	if (c->sess_started && sess_flush(&c->sess, false) != 0 &&
	    c->res.err == 0) {
		c->res.err = c->sess.err;
		consort_diag_set(&c->res.diag, c->sess.err, c->name,
		    c->sess.diag.what, c->sess.diag.hint);
	}
	if (c->sess_started)
		c->res.st = c->sess.st;
	if (c->sess_started)
		catch_up_index(c);
	uv_read_stop((uv_stream_t *)&c->tcp);
	uv_timer_stop(&c->timer);
	uv_timer_stop(&c->group_timer);
	uv_close((uv_handle_t *)&c->tcp, on_closed);
	uv_close((uv_handle_t *)&c->timer, on_closed);
	uv_close((uv_handle_t *)&c->group_timer, on_closed);
}

/* Frees what a closed connection holds (not the struct itself). */
void
conn_free(struct conn *c)
{
	if (c->sess_started)
		sess_free(&c->sess);
	shs_wipe(&c->hs);
	free(c->in);
	free(c->plain);
	c->in = c->plain = NULL;
}

/* Reads (and drops) a refused client's hello, then closes. */
static void
refused_read(struct conn *c, ssize_t nread)
{
	if (nread < 0) {
		conn_close(c);
		return;
	}
	c->res.bytes_in += (uint64_t)nread;
	c->refused_read += (size_t)nread;
	c->inlen = 0;
	/* its whole hello read, closing sends no reset that could overtake
	 * the refusal on its way */
	if (c->refused_read >= SHS_HELLO_BYTES)
		conn_close(c);
}

/*
 * Server: turns away an accepted connection before its handshake, with a
 * refusal the client can check (protocol.md, "Busy"); reads its hello for
 * a short while so that closing does not reset the connection first.
 */
int
conn_refuse(struct conn *c, uint8_t reason)
{
	uint8_t netkey[SHS_NETKEY_BYTES], msg[SHS_HELLO_BYTES];
	uv_shutdown_t *req;
	int rc;

	c->tcp.data = c;
	c->timer.data = c;
	c->refused = true;
	c->res.secs = now_s();
	if ((rc = node_netkey(c->n, netkey)) != 0) {
		conn_close(c);
		return rc;
	}
	shs_busy(netkey, reason, msg);
	sodium_memzero(netkey, sizeof(netkey));
	uv_timer_start(&c->timer, on_timeout, NET_REFUSE_LINGER_MS, 0);
	if (uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read) != 0 ||
	    conn_write(c, msg, sizeof(msg)) != 0) {
		conn_close(c);
		return E(IO);
	}
	if ((req = malloc(sizeof(*req))) == NULL ||
	    uv_shutdown(req, (uv_stream_t *)&c->tcp, on_shutdown) != 0) {
		free(req);
		conn_close(c);
		return E(IO);
	}
	req->data = c;
	return 0;
}

/* Whether a server's connection is still in its handshake (not refused). */
bool
conn_pending(const struct conn *c)
{
	return !c->refused && !c->closing && c->phase != PH_FRAMES;
}
