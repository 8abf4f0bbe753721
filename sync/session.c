/*
 * The sync session (session.h).  Each side sends HELLO with its version
 * vector; on the peer's HELLO it plans, per author, the seqs the peer
 * lacks and streams them in batches ordered by HLC (which follows
 * causality, so a receiver rarely has to park one), at most SESS_WINDOW
 * batches ahead of the acknowledgements.  A received batch is applied in
 * one write transaction, committed, then acknowledged: a cut connection
 * resumes from what was committed.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session.h"

/* Packs and emits one message built in ss->out. */
int
sess_send(struct sess *ss)
{
	return ss->emit(ss->ctx, (const uint8_t *)ss->out.data, ss->out.size);
}

/* Starts a message: [kind, ...] with n elements in all. */
msgpack_packer
sess_begin(struct sess *ss, unsigned kind, unsigned n)
{
	msgpack_packer pk;

	msgpack_sbuffer_clear(&ss->out);
	msgpack_packer_init(&pk, &ss->out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, n);
	msgpack_pack_uint32(&pk, kind);
	return pk;
}

/* Records a failure (the first one) and tells the peer why. */
int
sess_fail(struct sess *ss, int err, const char *what)
{
	msgpack_packer pk;

	if (ss->err != 0)
		return ss->err;
	ss->err = err;
	if (what != NULL && !ss->diag.what[0])
		consort_diag_set(&ss->diag, err, NULL, what, NULL);
	pk = sess_begin(ss, SM_ERROR, 3);
	msgpack_pack_int32(&pk, err);
	mp_pack_strn(&pk, ss->diag.what, strlen(ss->diag.what));
	(void)sess_send(ss);
	return err;
}

static void group_abort(struct sess *ss);

/* Sends HELLO: the protocol, the consortium and this node's heads. */
static int
send_hello(struct sess *ss)
{
	struct store *s = &ss->n->store;
	msgpack_packer pk;
	struct head h;
	struct store_txn *txn;
	uint32_t i, n = 0;
	int rc;

	if ((rc = store_begin(s, false, &txn)) != 0)
		return rc;
	if ((rc = store_load_authors(txn, s)) != 0)
		goto out;
	pk = sess_begin(ss, SM_HELLO, 4);
	msgpack_pack_uint32(&pk, SYNC_PROTOCOL);
	mp_pack_bin(&pk, ss->n->consortium, CONSORT_HASH_BYTES);
	for (i = 0; i < s->nauthors; i++)
		if (store_head(txn, s, s->authors[i], &h) == 0 && h.seq > 0)
			n++;
	msgpack_pack_array(&pk, n);
	for (i = 0; i < s->nauthors; i++) {
		if ((rc = store_head(txn, s, s->authors[i], &h)) != 0)
			goto out;
		if (h.seq == 0)
			continue;
		msgpack_pack_array(&pk, 3);
		mp_pack_bin(&pk, s->authors[i], CONSORT_KEY_BYTES);
		msgpack_pack_uint64(&pk, h.seq);
		mp_pack_bin(&pk, h.id, CONSORT_HASH_BYTES);
	}
	ss->hello_sent = true;
	rc = sess_send(ss);
out:
	store_abort(txn);
	return rc;
}

/* Starts a session: sends HELLO. */
int
sess_start(struct sess *ss, struct node *n, const uint8_t *peer,
    int (*emit)(void *, const uint8_t *, size_t), void *ctx)
{
	memset(ss, 0, sizeof(*ss));
	ss->n = n;
	if (peer != NULL) {
		memcpy(ss->peer, peer, CONSORT_KEY_BYTES);
		ss->has_peer = true;
	}
	ss->emit = emit;
	ss->ctx = ctx;
	sess_mem_start(&ss->mem);
	msgpack_sbuffer_init(&ss->out);
	return send_hello(ss);
}

/* Frees a session. */
void
sess_free(struct sess *ss)
{
	group_abort(ss);  /* the transport flushed what it could keep */
	free(ss->plan);
	free(ss->peer_vv);
	entitle_free(&ss->theirs);
	sodium_memzero(ss->out.data, ss->out.size);  /* may hold openings */
	msgpack_sbuffer_destroy(&ss->out);
	ss->plan = NULL;
	ss->peer_vv = NULL;
}

/* The peer's seq for an author (0 if it has none), and its head. */
static const struct sess_vv *
peer_has(const struct sess *ss, const uint8_t *author)
{
	uint32_t i;

	for (i = 0; i < ss->npeer_vv; i++)
		if (memcmp(ss->peer_vv[i].author, author, CONSORT_KEY_BYTES) == 0)
			return &ss->peer_vv[i];
	return NULL;
}

/* Whether our change-set at the peer's head seq is the peer's head. */
static int
same_history(struct store_txn *txn, struct store *s, const struct sess_vv *pv,
    bool *same)
{
	uint8_t key[CONSORT_KEY_BYTES + 8];
	struct store_val v;
	int rc;

	rc = store_get(txn, s, TB_IDS, pv->head, CONSORT_HASH_BYTES, &v);
	if (rc == E(NOENT)) {
		*same = false;
		return 0;
	}
	if (rc != 0)
		return rc;
	memcpy(key, pv->author, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, pv->seq);
	*same = v.len == sizeof(key) && memcmp(v.data, key, sizeof(key)) == 0;
	return 0;
}

/* Plans what the peer lacks, author by author; a diverging head is a fork. */
static int
make_plan(struct sess *ss)
{
	struct store *s = &ss->n->store;
	const struct sess_vv *pv;
	struct head h;
	struct store_txn *txn;
	bool same;
	uint32_t i;
	int rc;

	if ((rc = store_begin(s, false, &txn)) != 0)
		return rc;
	if ((rc = store_load_authors(txn, s)) != 0)
		goto out;
	if ((ss->plan = calloc(s->nauthors + 1, sizeof(*ss->plan))) == NULL) {
		rc = E(NOMEM);
		goto out;
	}
	for (i = 0; i < s->nauthors; i++) {
		if ((rc = store_head(txn, s, s->authors[i], &h)) != 0)
			goto out;
		pv = peer_has(ss, s->authors[i]);
		if (pv != NULL && pv->seq <= h.seq && pv->seq > 0 &&
		    !sodium_is_zero(pv->head, CONSORT_HASH_BYTES)) {
			if ((rc = same_history(txn, s, pv, &same)) != 0)
				goto out;
			if (!same) {
				/* reported, never merged */
				ss->forked[ss->st.forks++ % SESS_MAX_FORKS] = *pv;
				continue;
			}
		}
		if (pv != NULL && pv->seq >= h.seq)
			continue;
		memcpy(ss->plan[ss->nplan].author, s->authors[i], CONSORT_KEY_BYTES);
		ss->plan[ss->nplan].next = pv != NULL ? pv->seq + 1 : 1;
		ss->plan[ss->nplan].last = h.seq;
		ss->nplan++;
	}
out:
	store_abort(txn);
	return rc;
}

/* Records the forks the version vectors showed (for consort status). */
static int
note_forks(struct sess *ss)
{
	struct store *s = &ss->n->store;
	struct store_txn *txn;
	uint64_t i, n = ss->st.forks < SESS_MAX_FORKS ? ss->st.forks : SESS_MAX_FORKS;
	int rc;

	if (n == 0)
		return 0;
	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = log_note_fork(txn, s, ss->forked[i].author, ss->forked[i].seq,
		    ss->forked[i].head, NULL, 0);
	if (rc != 0) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

/* Reads the peer's HELLO: protocol, consortium, version vector. */
static int
on_hello(struct sess *ss, struct mp_reader *r, uint32_t n)
{
	uint8_t consortium[CONSORT_HASH_BYTES];
	uint64_t proto;
	uint32_t i, count, m;
	char what[200];

	if (ss->hello_received || n != 4 || mp_read_uint(r, &proto) != 0)
		return sess_fail(ss, E(BADTYPE), N_("malformed HELLO"));
	if (proto != SYNC_PROTOCOL) {
		snprintf(what, sizeof(what), "the peer speaks sync protocol %llu, "
		    "this node %d: upgrade the older consort",
		    (unsigned long long)proto, SYNC_PROTOCOL);
		return sess_fail(ss, E(VERSION), what);
	}
	if (mp_read_bin_fixed(r, consortium, CONSORT_HASH_BYTES) != 0 ||
	    mp_read_array(r, &count) != 0 || count > SESS_MAX_AUTHORS)
		return sess_fail(ss, E(BADTYPE), N_("malformed HELLO"));
	if (memcmp(consortium, ss->n->consortium, CONSORT_HASH_BYTES) != 0)
		return sess_fail(ss, E(CONSORTIUM),
		    N_("the peer belongs to another "
		    "consortium"));
	if ((ss->peer_vv = calloc(count + 1, sizeof(*ss->peer_vv))) == NULL)
		return sess_fail(ss, E(NOMEM), NULL);
	for (i = 0; i < count; i++)
		if (mp_read_array(r, &m) != 0 || m != 3 ||
		    mp_read_bin_fixed(r, ss->peer_vv[i].author, CONSORT_KEY_BYTES) ||
		    mp_read_uint(r, &ss->peer_vv[i].seq) != 0 ||
		    mp_read_bin_fixed(r, ss->peer_vv[i].head, CONSORT_HASH_BYTES))
			return sess_fail(ss, E(BADTYPE), N_("malformed HELLO"));
	ss->npeer_vv = count;
	ss->hello_received = true;
	if (make_plan(ss) != 0 || note_forks(ss) != 0)
		return sess_fail(ss, E(STORE), N_("cannot read the store"));
	return sess_pump(ss);
}

/*
 * Plans what a peer whose version vector is vv lacks, as if its HELLO had
 * said so (a bundle for a known member, or --since).
 */
int
sess_plan_since(struct sess *ss, const struct sess_vv *vv, uint32_t n)
{
	int rc;

	if ((ss->peer_vv = calloc(n + 1, sizeof(*vv))) == NULL)
		return E(NOMEM);
	if (n > 0)
		memcpy(ss->peer_vv, vv, n * sizeof(*vv));
	ss->npeer_vv = n;
	ss->hello_received = true;
	if ((rc = make_plan(ss)) != 0)
		return rc;
	return 0;
}

/* Picks the plan entry whose next change-set has the smallest HLC. */
static int
pick_next(struct sess *ss, struct store_txn *txn, int *best,
    struct store_val *bytes)
{
	struct store *s = &ss->n->store;
	uint64_t best_hlc = 0, hlc, seq;
	struct store_val v;
	uint32_t i;
	int rc;

	*best = -1;
	for (i = 0; i < ss->nplan; i++) {
		if (ss->plan[i].next > ss->plan[i].last)
			continue;
		if ((rc = store_get_change(txn, s, ss->plan[i].author,
		    ss->plan[i].next, &v)) != 0)
			return rc;
		if ((rc = cs_peek(v.data, v.len, &seq, &hlc)) != 0)
			return rc;
		if (*best < 0 || hlc < best_hlc) {
			*best = (int)i;
			best_hlc = hlc;
			*bytes = v;
		}
	}
	return 0;
}

/* Sends the next batch of the plan; *sent tells whether there was one. */
static int
send_batch(struct sess *ss, bool *sent)
{
	struct store *s = &ss->n->store;
	msgpack_packer pk;
	msgpack_sbuffer items;
	msgpack_packer ik;
	struct store_txn *txn;
	struct store_val v;
	uint32_t count = 0;
	size_t bytes = 0;
	int best, rc;

	*sent = false;
	if ((rc = store_begin(s, false, &txn)) != 0)
		return rc;
	msgpack_sbuffer_init(&items);
	msgpack_packer_init(&ik, &items, msgpack_sbuffer_write);
	while (count < SESS_BATCH_MAX && bytes < SESS_BATCH_BYTES) {
		if ((rc = pick_next(ss, txn, &best, &v)) != 0 || best < 0)
			break;
		if (count > 0 && bytes + v.len > SESS_BATCH_BYTES)
			break;
		mp_pack_bin(&ik, v.data, v.len);
		ss->plan[best].next++;
		bytes += v.len;
		count++;
	}
	store_abort(txn);
	if (rc == 0 && count > 0) {
		pk = sess_begin(ss, SM_BATCH, 3);
		msgpack_pack_uint64(&pk, ss->st.batches_sent + 1);
		msgpack_pack_array(&pk, count);
		msgpack_sbuffer_write(&ss->out, items.data, items.size);
		ss->inflight[ss->st.batches_sent % SESS_WINDOW] = ss->out.size;
		ss->st.batches_sent++;
		ss->st.sent += count;
		ss->st.sent_bytes += bytes;
		*sent = true;
		rc = sess_send(ss);
	}
	msgpack_sbuffer_destroy(&items);
	return rc;
}

/*
 * Asks for the missing personal values once both directions of change-sets
 * are over: every batch of the peer applied (its DONE came after them) and
 * every batch of this side acknowledged, so that the peer judges what this
 * node may read on a state that holds all it sent.
 */
static int
want_when_settled(struct sess *ss)
{
	if (ss->file || ss->want_sent || !ss->peer_done || !ss->done_sent ||
	    ss->acked != ss->st.batches_sent)
		return 0;
	return openings_send_want(ss);
}

/*
 * Whether the session has more to send once the transport drains:
 * batches before DONE, or the WANT messages after it.
 */
bool
sess_has_more(const struct sess *ss)
{
	return !ss->done_sent || (ss->want_begun && !ss->want_sent);
}

/* Sends batches while the window allows, then DONE. */
int
sess_pump(struct sess *ss)
{
	msgpack_packer pk;
	bool sent = true;
	int rc;

	if (ss->err != 0 || !ss->hello_received)
		return ss->err;
	if (ss->done_sent)
		return want_when_settled(ss);
	while (sent && (ss->file || (ss->st.batches_sent - ss->acked < SESS_WINDOW &&
	    (ss->may_send == NULL || ss->may_send(ss->ctx)))))
		if ((rc = send_batch(ss, &sent)) != 0)
			return sess_fail(ss, rc, N_("cannot read the store"));
	if (sent)
		return 0;
	if (ss->file && ss->bundle_for != NULL && (rc = openings_export(ss)) != 0)
		return sess_fail(ss, rc, N_("cannot read the store"));
	pk = sess_begin(ss, SM_DONE, 2);
	msgpack_pack_uint64(&pk, ss->st.batches_sent);
	ss->done_sent = true;
	if ((rc = sess_send(ss)) != 0)
		return rc;
	return want_when_settled(ss);
}

/* Adds one receipt's counts to another. */
static void
receipt_add(struct log_receipt *to, const struct log_receipt *r)
{
	to->applied += r->applied;
	to->ops += r->ops;
	to->held += r->held;
	to->pending += r->pending;
	to->forks += r->forks;
	to->refused_ops += r->refused_ops;
	to->woken += r->woken;
	to->dropped += r->dropped;
}

/* Forgets the group's hook in the store, if it is this session's. */
static void
group_unhook(struct sess *ss)
{
	struct store *s = &ss->n->store;

	if (s->end_writer_ctx == ss) {
		s->end_writer = NULL;
		s->end_writer_ctx = NULL;
	}
}

/* Drops the group: nothing of it was acknowledged, the peer keeps it. */
static void
group_abort(struct sess *ss)
{
	if (ss->group != NULL) {
		group_unhook(ss);
		store_abort(ss->group);
	}
	ss->group = NULL;
	ss->group_batches = 0;
	ss->group_bytes = 0;
	memset(&ss->group_rcpt, 0, sizeof(ss->group_rcpt));
}

/* Whether batches wait in an open group for sess_flush(). */
bool
sess_group_open(const struct sess *ss)
{
	return ss->group != NULL;
}

/*
 * Commits the group (one durable commit for all its batches), then
 * acknowledges each of its batches in order: what is acknowledged is on
 * disk.  Without ack (the connection is gone) it only commits.
 */
int
sess_flush(struct sess *ss, bool ack)
{
	uint64_t no, last = ss->st.batches_received;
	msgpack_packer pk;
	uint32_t n = ss->group_batches;
	int rc;

	if (ss->group == NULL)
		return 0;
	group_unhook(ss);
	rc = store_commit(ss->group);
	ss->group = NULL;
	if (rc != 0) {
		group_abort(ss);
		return sess_fail(ss, rc, N_("cannot commit to the store"));
	}
	receipt_add(&ss->st.recv, &ss->group_rcpt);
	group_abort(ss);  /* resets the counts; the transaction is gone */
	for (no = last - n + 1; ack && no <= last && rc == 0; no++) {
		pk = sess_begin(ss, SM_ACK, 2);
		msgpack_pack_uint64(&pk, no);
		rc = sess_send(ss);
	}
	return rc;
}

/* Ends the group for another writer of this process (another peer's). */
static int
group_yield(void *ctx)
{
	return sess_flush(ctx, true);
}

/* Opens the group's transaction. */
static int
group_begin(struct sess *ss)
{
	struct store *s = &ss->n->store;
	int rc;

	if ((rc = store_begin(s, true, &ss->group)) != 0)
		return rc;
	/* a long sync writes the index keys sorted, when it ends */
	if (ss->st.recv.ops >= 8 * s->index_defer_min)
		index_defer(s);
	s->end_writer = group_yield;
	s->end_writer_ctx = ss;
	return 0;
}

/* Starts measuring a receiver's private memory. */
void
sess_mem_start(struct sess_mem *m)
{
	m->base = m->last = util_private_bytes();
	m->step = 0;
}

/*
 * Whether the group must be committed now: it is as large as it may grow,
 * in batches, in bytes, or in the private memory its transaction's dirty
 * pages take (which grows with the store when keys are scattered), the
 * next batch counted as growing it as much as the last one did, so that
 * the peak stays under SESS_GROUP_PRIVATE rather than one batch over.
 * The memory is measured against the session's start, not the group's:
 * LMDB keeps the pages a commit frees for the next transaction, so a
 * group grows the process only once it needs more than the groups before
 * it.  A group stays under the sender's window, so that the sender goes
 * on while it commits.  Otherwise the transport commits it once no batch
 * came for SESS_GROUP_IDLE_MS, or before the next message of another kind.
 */
bool
sess_group_full(uint32_t batches, uint64_t bytes, struct sess_mem *m)
{
	uint64_t mem = util_private_bytes(), next;

	m->step = mem > m->last ? mem - m->last : 0;
	m->last = mem;
	if (batches >= SESS_GROUP_BATCHES || bytes >= SESS_GROUP_BYTES)
		return true;
	next = mem + m->step;
	return next > m->base && next - m->base >= SESS_GROUP_PRIVATE;
}

/*
 * Applies one batch's change-sets in a transaction nested in the group's:
 * a refused batch vanishes whole, and leaves the batches before it.  A
 * fault of the store (store_fault()) drops the group too, and *commit
 * tells whether it was the commit that failed.
 */
static int
apply_batch(struct sess *ss, struct mp_reader *r, uint32_t count,
    struct log_receipt *rcpt, uint64_t *bytes, bool *commit)
{
	struct store *s = &ss->n->store;
	struct sigahead *ahead = NULL;
	const uint8_t **p = NULL;
	struct store_txn *txn;
	uint32_t i, *len = NULL;
	int rc;

	/* each change-set takes two bytes at least: count is bounded */
	if (count > (size_t)(r->end - r->p) / 2)
		return E(BADTYPE);
	if (count > 0 && ((p = calloc(count, sizeof(*p))) == NULL ||
	    (len = calloc(count, sizeof(*len))) == NULL)) {
		free(p);
		return E(NOMEM);
	}
	for (i = 0, rc = 0; i < count && rc == 0; i++) {
		rc = mp_read_bin(r, &p[i], &len[i]) != 0 ? E(BADTYPE) : 0;
		*bytes += len[i];
	}
	if (rc == 0 && (rc = sigahead_start(&ahead, p, len, count)) == 0 &&
	    (rc = store_begin_nested(s, ss->group, &txn)) != 0)
		sigahead_finish(ahead);
	if (rc != 0) {
		free(p);
		free(len);
		return rc;
	}
	for (i = 0; i < count && rc == 0; i++)
		rc = log_receive_checked(txn, s, p[i], len[i], ss->n->consortium,
		    sigahead_good(ahead, i), rcpt, &ss->diag);
	sigahead_finish(ahead);
	free(p);
	free(len);
	if (rc == 0)
		rc = log_finish_batch(txn, s, ss->n->consortium, rcpt, &ss->diag);
	if (rc == 0) {
		/* LMDB ends a nested transaction whose commit fails */
		if ((rc = store_commit(txn)) != 0) {
			*commit = true;
			group_abort(ss);
		}
		return rc;
	}
	if (store_abort_nested(s, txn, ss->group) != 0 || store_fault(rc))
		group_abort(ss);  /* the store failed: keep nothing unsure */
	return rc;
}

/*
 * Applies a received batch inside the group's transaction.  A refused
 * batch ends the session; the group before it is committed and
 * acknowledged first, as if each batch had its own transaction.
 */
static int
on_batch(struct sess *ss, struct mp_reader *r, uint32_t n)
{
	struct log_receipt rcpt = { 0 };
	uint64_t no, bytes = 0;
	bool commit = false;
	uint32_t count;
	int rc;

	if (n != 3 || mp_read_uint(r, &no) != 0 || mp_read_array(r, &count) != 0 ||
	    no != ss->st.batches_received + 1)
		return sess_fail(ss, E(BADTYPE), N_("malformed BATCH"));
	if (ss->group == NULL && (rc = group_begin(ss)) != 0)
		return sess_fail(ss, rc, N_("cannot write the store"));
	if ((rc = apply_batch(ss, r, count, &rcpt, &bytes, &commit)) != 0) {
		ss->st.recv.refused += rcpt.refused;
		if (sess_flush(ss, true) != 0)  /* the batches before it */
			return ss->err;
		return sess_fail(ss, rc, commit ? N_("cannot commit to the store") :
		    rc == E(BADTYPE) ? N_("malformed BATCH") : NULL);
	}
	ss->st.batches_received++;
	ss->group_batches++;
	ss->group_bytes += bytes;
	receipt_add(&ss->group_rcpt, &rcpt);
	return sess_group_full(ss->group_batches, ss->group_bytes, &ss->mem) ?
	    sess_flush(ss, true) : 0;
}

/* Reads an acknowledgement and sends more. */
static int
on_ack(struct sess *ss, struct mp_reader *r, uint32_t n)
{
	uint64_t no;

	if (n != 2 || mp_read_uint(r, &no) != 0 || no != ss->acked + 1 ||
	    no > ss->st.batches_sent)
		return sess_fail(ss, E(BADTYPE), N_("malformed ACK"));
	ss->acked = no;
	ss->acked_bytes += ss->inflight[(no - 1) % SESS_WINDOW];
	return sess_pump(ss);
}

/* Reads the peer's error and ends the session with it. */
static int
on_error(struct sess *ss, struct mp_reader *r)
{
	const char *msg = "";
	uint32_t len = 0;
	struct value code;
	char what[400], said[300];

	if (mp_read_value(r, &code) != 0 || mp_read_str(r, &msg, &len) != 0)
		len = 0;
	/* the peer says it in English: in the user's language if known */
	snprintf(said, sizeof(said), "%.*s", (int)len, msg);
	snprintf(what, sizeof(what), _("the peer refused: %s"), _(said));
	ss->err = E(PERM);
	consort_diag_set(&ss->diag, E(PERM), NULL, what, NULL);
	return ss->err;
}

/* Handles one message from the peer. */
int
sess_receive(struct sess *ss, const uint8_t *msg, size_t len)
{
	struct mp_reader r;
	uint64_t kind, total;
	uint32_t n;

	if (ss->err != 0)
		return ss->err;
	mp_reader_init(&r, msg, len);
	if (mp_read_array(&r, &n) != 0 || n < 1 || mp_read_uint(&r, &kind) != 0)
		return sess_fail(ss, E(BADTYPE), N_("malformed message"));
	if (kind != SM_HELLO && kind != SM_ERROR && !ss->hello_received)
		return sess_fail(ss, E(BADTYPE), N_("the first message must be "
		    "HELLO"));
	if (kind != SM_BATCH && kind != SM_ACK && sess_flush(ss, true) != 0)
		return ss->err;
	switch (kind) {
	case SM_HELLO:
		return on_hello(ss, &r, n);
	case SM_BATCH:
		return on_batch(ss, &r, n);
	case SM_ACK:
		return on_ack(ss, &r, n);
	case SM_DONE:
		if (n != 2 || mp_read_uint(&r, &total) != 0 || ss->peer_done)
			return sess_fail(ss, E(BADTYPE), N_("malformed DONE"));
		ss->peer_done = true;
		ss->peer_batches = total;
		return want_when_settled(ss);
	case SM_WANT:
		return openings_on_want(ss, &r, n);
	case SM_OPENINGS:
		return openings_on_openings(ss, &r, n);
	case SM_ERROR:
		return on_error(ss, &r);
	default:
		return sess_fail(ss, E(BADTYPE), N_("unknown message"));
	}
}

/* Whether both sides have sent and acknowledged everything. */
bool
sess_finished(const struct sess *ss)
{
	return ss->err == 0 && ss->done_sent && ss->peer_done &&
	    ss->acked == ss->st.batches_sent &&
	    ss->st.batches_received == ss->peer_batches &&
	    ss->want_sent && ss->openings_done && ss->peer_want_done;
}
