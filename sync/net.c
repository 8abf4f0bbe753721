/*
 * consort sync (a client for one peer) and consort serve (a server for
 * many), on libuv.  Each sync is one connection, one session; its outcome
 * is kept in the peers table for consort status.
 */
#include <errno.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <uv.h>

#include "conn.h"

/* The defaults: what a user gets (net.h, protocol.md). */
void
net_limits_default(struct net_limits *l)
{
	l->handshake_ms = NET_HANDSHAKE_MS;
	l->idle_ms = NET_IDLE_MS;
	l->min_rate = NET_MIN_RATE;
	l->max_pending = NET_MAX_PENDING;
	l->max_pending_addr = NET_MAX_PENDING_ADDR;
}

/* Reads one number of the environment within [min, max], if it is set. */
static int
env_number(const char *name, uint64_t min, uint64_t max, uint64_t *out,
    struct consort_diag *d)
{
	const char *v = getenv(name);
	char *end, what[160];
	unsigned long long n;

	if (v == NULL || *v == '\0')
		return 0;
	errno = 0;
	n = strtoull(v, &end, 10);
	if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n < min ||
	    n > max) {
		snprintf(what, sizeof(what), _("not a whole number from %llu "
		    "to %llu"),
		    (unsigned long long)min, (unsigned long long)max);
		return consort_diag_set(d, E(INVAL), name, what,
		    _("unset it to get the default"));
	}
	*out = n;
	return 0;
}

/*
 * Takes the deadlines from the environment when set: CONSORT_HANDSHAKE_MS,
 * CONSORT_IDLE_MS and CONSORT_MIN_RATE (bytes/s; 0 turns the rate rule
 * off), for tests and unusual links.
 */
int
net_limits_env(struct net_limits *l, struct consort_diag *d)
{
	int rc;

	if ((rc = env_number("CONSORT_HANDSHAKE_MS", 100, 3600000,
	    &l->handshake_ms, d)) != 0 ||
	    (rc = env_number("CONSORT_IDLE_MS", 100, 86400000, &l->idle_ms,
	    d)) != 0 ||
	    (rc = env_number("CONSORT_MIN_RATE", 0, 1000000000, &l->min_rate,
	    d)) != 0)
		return rc;
	return 0;
}

/* Splits HOST:PORT; the host may be [v6]. */
static int
split_addr(const char *addr, char *host, size_t hostlen, char *port,
    size_t portlen)
{
	const char *colon = strrchr(addr, ':');
	size_t n;

	if (colon == NULL || colon == addr || colon[1] == '\0')
		return E(INVAL);
	n = (size_t)(colon - addr);
	if (addr[0] == '[' && colon[-1] == ']') {
		addr++;
		n -= 2;
	}
	if (n >= hostlen || strlen(colon + 1) >= portlen)
		return E(INVAL);
	memcpy(host, addr, n);
	host[n] = '\0';
	strcpy(port, colon + 1);
	return 0;
}

/* Resolves HOST:PORT (numeric or a name) synchronously. */
static int
resolve(uv_loop_t *loop, const char *addr, struct sockaddr_storage *out,
    struct consort_diag *d)
{
	struct addrinfo hints, *ai;
	uv_getaddrinfo_t req;
	char host[256], port[16];

	if (split_addr(addr, host, sizeof(host), port, sizeof(port)) != 0)
		return consort_diag_set(d, E(INVAL), addr,
		    _("not a HOST:PORT address"),
		    _("for example 127.0.0.1:7400"));
	memset(&hints, 0, sizeof(hints));
	hints.ai_family = AF_UNSPEC;
	hints.ai_socktype = SOCK_STREAM;
	if (uv_getaddrinfo(loop, &req, NULL, host, port, &hints) != 0)
		return consort_diag_set(d, E(IO), addr,
		    _("cannot resolve the address"),
		    _("check the peer's host name"));
	ai = req.addrinfo;
	memcpy(out, ai->ai_addr, ai->ai_addrlen);
	uv_freeaddrinfo(ai);
	return 0;
}

/*
 * After a sync, the peer holds what this node holds: keeps its version
 * vector under "vv:KEY" for bundle export --for.
 */
static int
record_vv(struct node *n, struct store_txn *txn, const uint8_t *peer)
{
	struct store *s = &n->store;
	char key[3 + 2 * CONSORT_KEY_BYTES + 1];
	msgpack_sbuffer buf;
	msgpack_packer pk;
	struct head h;
	uint32_t i;
	int rc = 0;

	memcpy(key, "vv:", 3);
	util_hex(key + 3, peer, CONSORT_KEY_BYTES);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	if ((rc = store_load_authors(txn, s)) != 0)
		goto out;
	msgpack_pack_array(&pk, s->nauthors);
	for (i = 0; i < s->nauthors && rc == 0; i++) {
		if ((rc = store_head(txn, s, s->authors[i], &h)) != 0)
			break;
		msgpack_pack_array(&pk, 3);
		mp_pack_bin(&pk, s->authors[i], CONSORT_KEY_BYTES);
		msgpack_pack_uint64(&pk, h.seq);
		mp_pack_bin(&pk, h.id, CONSORT_HASH_BYTES);
	}
	if (rc == 0)
		rc = store_put(txn, s, TB_PEERS, key, sizeof(key) - 1, buf.data,
		    buf.size, 0);
out:
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* Saves a sync's outcome under the peer's address, for consort status. */
static void
record_peer(struct node *n, const char *addr, const struct net_result *r)
{
	msgpack_sbuffer buf;
	msgpack_packer pk;
	struct store_txn *txn;
	const char *err = r->err ? r->diag.what : "";

	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 9);
	msgpack_pack_uint64(&pk, (uint64_t)time(NULL));
	msgpack_pack_uint64(&pk, r->st.sent);
	msgpack_pack_uint64(&pk, r->st.recv.applied);
	msgpack_pack_uint64(&pk, r->st.recv.refused_ops);
	msgpack_pack_uint64(&pk, r->st.forks + r->st.recv.forks);
	msgpack_pack_uint64(&pk, r->bytes_in + r->bytes_out);
	mp_pack_bin(&pk, r->peer, r->peer_known ? CONSORT_KEY_BYTES : 0);
	mp_pack_strn(&pk, err, strlen(err));
	msgpack_pack_uint64(&pk, r->st.recv.refused);
	/* statistics, not data: their commit need not wait for the disk */
	store_set_sync(&n->store, false);
	if (store_begin(&n->store, true, &txn) == 0) {
		if (store_put(txn, &n->store, TB_PEERS, addr, strlen(addr), buf.data,
		    buf.size, 0) == 0 && (r->err != 0 || !r->peer_known ||
		    record_vv(n, txn, r->peer) == 0))
			(void)store_commit(txn);
		else
			store_abort(txn);
	}
	store_set_sync(&n->store, true);
	msgpack_sbuffer_destroy(&buf);
}

/* Client: the connection is closed; stop the loop. */
static void
client_done(struct conn *c)
{
	uv_stop(c->loop);
}

/* libuv: the client's connect finished. */
static void
on_connect(uv_connect_t *req, int status)
{
	struct conn *c = req->data;

	if (status < 0) {
		conn_fail(c, E(IO), uv_strerror(status),
		    _("check that the peer runs "
		    "consort serve at that address"));
		return;
	}
	(void)conn_start(c);
}

/* Syncs with one peer over TCP until both sides hold the same change-sets. */
int
net_sync(struct node *n, const char *addr, const struct net_limits *l,
    struct net_result *res)
{
	struct sockaddr_storage sa;
	uv_connect_t creq;
	uv_loop_t loop;
	struct conn c;
	int rc;

	memset(res, 0, sizeof(*res));
	if (uv_loop_init(&loop) != 0)
		return E(IO);
	if ((rc = resolve(&loop, addr, &sa, &res->diag)) != 0 ||
	    (rc = conn_init(&c, &loop, n, l, false)) != 0) {
		res->err = rc;
		uv_loop_close(&loop);
		return rc;
	}
	snprintf(c.name, sizeof(c.name), "%s", addr);
	c.on_done = client_done;
	creq.data = &c;
	if (uv_tcp_connect(&creq, &c.tcp, (const struct sockaddr *)&sa,
	    on_connect) != 0)
		conn_fail(&c, E(IO), _("cannot connect"), NULL);
	uv_run(&loop, UV_RUN_DEFAULT);
	*res = c.res;
	if (res->err == 0 && !c.finished) {
		res->err = E(IO);
		consort_diag_set(&res->diag, E(IO), addr,
		    _("the sync did not finish"),
		    NULL);
	}
	conn_free(&c);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	record_peer(n, addr, res);
	return res->err;
}

/*
 * One line about a finished sync: peer, sent, received, refused, personal
 * values given and kept, time.
 */
void
net_describe(const struct net_result *r, char *buf, size_t len)
{
	char hex[2 * CONSORT_KEY_BYTES + 1] = "unknown";

	if (r->peer_known)
		util_hex(hex, r->peer, CONSORT_KEY_BYTES);
	snprintf(buf, len, _("peer %.16s: sent %llu change-sets, received %llu "
	    "(%llu held already, %llu waiting), refused %llu ops, %llu forks, "
	    "personal values %llu sent %llu kept, "
	    "%llu bytes in %.3f s%s%s"), hex, (unsigned long long)r->st.sent,
	    (unsigned long long)r->st.recv.applied,
	    (unsigned long long)r->st.recv.held,
	    (unsigned long long)r->st.recv.pending,
	    (unsigned long long)r->st.recv.refused_ops,
	    (unsigned long long)(r->st.forks + r->st.recv.forks),
	    (unsigned long long)r->st.openings_sent,
	    (unsigned long long)r->st.openings.kept,
	    (unsigned long long)(r->bytes_in + r->bytes_out), r->secs,
	    r->err ? ": " : "", r->err ? _(r->diag.what) : "");
}

struct server {
	uv_loop_t *loop;
	uv_tcp_t listener;
	uv_signal_t sigint, sigterm;
	struct node *n;
	const struct net_limits *lim;
	struct conn *conns;
	FILE *log;
	bool stopping;
	bool key_replaced;          /* key rotate ran while it served */
	unsigned sessions;
	bool refusal_logged;        /* a refusal line was written at ... */
	uint64_t refusal_logged_at; /* ... this loop time (ms) */
	unsigned refusals_unlogged; /* refusals since, not written */
};

/* Server: a connection is closed; log it and free it. */
static void
server_conn_done(struct conn *c)
{
	struct server *srv = c->owner;
	struct conn **p;
	char line[700];

	for (p = &srv->conns; *p != NULL; p = &(*p)->next)
		if (*p == c) {
			*p = c->next;
			break;
		}
	if (c->refused) {  /* logged when it was refused */
		conn_free(c);
		free(c);
		return;
	}
	net_describe(&c->res, line, sizeof(line));
	if (c->res.bytes_in == 0)
		fprintf(srv->log, _("consort serve: connection from %s closed "
		    "before the handshake\n"), c->name);
	else
		fprintf(srv->log, _("consort serve: session from %s: %s\n"),
		    c->name, line);
	fflush(srv->log);
	if (c->res.peer_known) {
		char key[5 + 2 * CONSORT_KEY_BYTES + 1];

		memcpy(key, "from ", 5);
		util_hex(key + 5, c->res.peer, CONSORT_KEY_BYTES);
		record_peer(srv->n, key, &c->res);
	}
	conn_free(c);
	free(c);
	srv->sessions++;
}

/*
 * Whether a new connection is over the caps on connections still in their
 * handshake: SHS_BUSY_ALL or SHS_BUSY_ADDRESS, with *n how many there are;
 * 0 when it may go on.
 */
static uint8_t
over_cap(struct server *srv, const struct conn *c, unsigned *n)
{
	const struct conn *o;
	unsigned all = 0, same = 0;

	for (o = srv->conns; o != NULL; o = o->next)
		if (o != c && conn_pending(o)) {
			all++;
			same += strcmp(o->addr, c->addr) == 0;
		}
	if (same >= srv->lim->max_pending_addr) {
		*n = same;
		return SHS_BUSY_ADDRESS;
	}
	*n = all;
	return all >= srv->lim->max_pending ? SHS_BUSY_ALL : 0;
}

/* Logs a refused connection: one line, at most one a second. */
static void
log_refusal(struct server *srv, const struct conn *c, uint8_t reason,
    unsigned n)
{
	uint64_t now = uv_now(srv->loop);
	char more[64] = "";

	if (srv->refusal_logged && now - srv->refusal_logged_at < 1000) {
		srv->refusals_unlogged++;
		return;
	}
	if (srv->refusals_unlogged > 0)
		snprintf(more, sizeof(more), _("; %u more refused before it"),
		    srv->refusals_unlogged);
	fprintf(srv->log, _("consort serve: refused a connection from %s: %u "
	    "connections%s are in their handshake (--max-pending%s %u)%s\n"),
	    c->name, n, reason == SHS_BUSY_ADDRESS ? _(" from that address") :
	    "",
	    reason == SHS_BUSY_ADDRESS ? "-per-address" : "",
	    reason == SHS_BUSY_ADDRESS ? srv->lim->max_pending_addr :
	    srv->lim->max_pending, more);
	fflush(srv->log);
	srv->refusal_logged = true;
	srv->refusal_logged_at = now;
	srv->refusals_unlogged = 0;
}

/* The number of refused connections still being turned away. */
static unsigned
refusing(const struct server *srv)
{
	const struct conn *o;
	unsigned k = 0;

	for (o = srv->conns; o != NULL; o = o->next)
		k += o->refused && !o->closing;
	return k;
}

static void on_signal(uv_signal_t *sig, int signum);

/*
 * Whether the node's key was replaced on disk (consort key rotate) since
 * the server read it: a server keeps its key in memory and could no
 * longer be what its peers take it for, so it stops.
 */
static bool
key_replaced(struct server *srv)
{
	uint8_t pk[CONSORT_KEY_BYTES];

	if (node_key_on_disk(srv->n, pk) != 0 ||
	    memcmp(pk, srv->n->pk, CONSORT_KEY_BYTES) == 0)
		return false;
	srv->key_replaced = true;
	fprintf(srv->log, _("consort serve: this node's key was replaced "
	    "(consort key rotate) since it started\n"));
	on_signal(&srv->sigterm, SIGTERM);
	return true;
}

/* libuv: a peer connects. */
static void
on_connection(uv_stream_t *listener, int status)
{
	struct server *srv = listener->data;
	struct sockaddr_storage sa;
	int salen = sizeof(sa);
	char host[64] = "?";
	struct conn *c;
	uint8_t reason;
	unsigned n;

	if (status < 0 || srv->stopping || key_replaced(srv) ||
	    (c = malloc(sizeof(*c))) == NULL)
		return;
	if (conn_init(c, srv->loop, srv->n, srv->lim, true) != 0) {
		free(c);
		return;
	}
	c->owner = srv;
	c->on_done = server_conn_done;
	c->next = srv->conns;
	srv->conns = c;
	if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0) {
		conn_close(c);
		return;
	}
	if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&sa, &salen) == 0) {
		if (sa.ss_family == AF_INET6)
			uv_ip6_name((struct sockaddr_in6 *)&sa, host, sizeof(host));
		else
			uv_ip4_name((struct sockaddr_in *)&sa, host, sizeof(host));
	}
	snprintf(c->name, sizeof(c->name), "%s:%d", host, sa.ss_family == AF_INET6 ?
	    ntohs(((struct sockaddr_in6 *)&sa)->sin6_port) :
	    ntohs(((struct sockaddr_in *)&sa)->sin_port));
	snprintf(c->addr, sizeof(c->addr), "%s", host);
	if ((reason = over_cap(srv, c, &n)) != 0) {
		log_refusal(srv, c, reason, n);
		/* so many refused at once: no word for the latest, only a close */
		if (refusing(srv) >= srv->lim->max_pending)
			conn_close(c);
		else
			(void)conn_refuse(c, reason);
		return;
	}
	(void)conn_start(c);
}

/* A handle of the server closed during shutdown. */
static void
on_server_handle_closed(uv_handle_t *h)
{
	(void)h;
}

/* SIGINT/SIGTERM: stop accepting, end the sessions, leave the loop. */
static void
on_signal(uv_signal_t *sig, int signum)
{
	struct server *srv = sig->data;
	struct conn *c, *next;

	(void)signum;
	if (srv->stopping)
		return;
	srv->stopping = true;
	fprintf(srv->log, _("consort serve: stopping\n"));
	uv_close((uv_handle_t *)&srv->listener, on_server_handle_closed);
	uv_close((uv_handle_t *)&srv->sigint, on_server_handle_closed);
	uv_close((uv_handle_t *)&srv->sigterm, on_server_handle_closed);
	for (c = srv->conns; c != NULL; c = next) {
		next = c->next;
		conn_fail(c, E(INTERRUPTED), _("the server is stopping"), NULL);
	}
}

/* Listens on ADDR:PORT and syncs with every member that connects. */
int
net_serve(struct node *n, const char *listen, const struct net_limits *l,
    FILE *log, struct consort_diag *d)
{
	struct sockaddr_storage sa;
	struct server srv;
	uv_loop_t loop;
	int rc;

	memset(&srv, 0, sizeof(srv));
	if (uv_loop_init(&loop) != 0)
		return E(IO);
	srv.loop = &loop;
	srv.n = n;
	srv.lim = l;
	srv.log = log;
	if ((rc = resolve(&loop, listen, &sa, d)) != 0) {
		uv_loop_close(&loop);
		return rc;
	}
	uv_tcp_init(&loop, &srv.listener);
	srv.listener.data = &srv;
	if ((rc = uv_tcp_bind(&srv.listener, (const struct sockaddr *)&sa, 0)) != 0 ||
	    (rc = uv_listen((uv_stream_t *)&srv.listener, 64, on_connection)) != 0) {
		consort_diag_set(d, E(IO), listen, uv_strerror(rc),
		    _("choose another --listen address or port"));
		uv_close((uv_handle_t *)&srv.listener, NULL);
		uv_run(&loop, UV_RUN_DEFAULT);
		uv_loop_close(&loop);
		return E(IO);
	}
	uv_signal_init(&loop, &srv.sigint);
	uv_signal_init(&loop, &srv.sigterm);
	srv.sigint.data = srv.sigterm.data = &srv;
	uv_signal_start(&srv.sigint, on_signal, SIGINT);
	uv_signal_start(&srv.sigterm, on_signal, SIGTERM);
	fprintf(log, _("consort serve: listening on %s\n"), listen);
	fflush(log);
	uv_run(&loop, UV_RUN_DEFAULT);
	uv_loop_close(&loop);
	if (srv.key_replaced)
		return consort_diag_set(d, E(KEY), listen, _("this node's key "
		    "was replaced while it served"), _("start consort serve "
		    "again: it serves with the new key"));
	return 0;
}
