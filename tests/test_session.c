/*
 * The sync session (sync/session.c) and the waiting room of the log
 * (src/log.c), without sockets: two sessions joined by their emit()
 * callbacks, or a hand-made peer that sends crafted messages.  Members'
 * keys other than the nodes' are hand-driven authors (testutil.h), so a
 * test can sign what a hostile member would send: change-sets by thousands
 * of fresh keys, a chain with a hole, a new member's change-sets before
 * the lead's binding of its key.
 */
#include "testutil.h"
#include "../sync/session.h"

#define CO_SIRET "50324917900212"
#define CO2_SIRET "79911548000375"
#define SUB_SIRET "73282932000074"

/* Messages one side emitted and the other has not read yet. */
struct wire {
	uint8_t **msg;
	size_t *len;
	size_t head, n, cap;
};

/* One side of a link: a session and what it sends. */
struct side {
	struct sess ss;
	struct wire out;
	bool started;
};

/* The lead, a co-contractor's node, and hand-driven keys of the roster. */
struct fix {
	char *dir;
	struct node *lead, *co;
	struct tu_author co2;   /* a member whose change-sets the test signs */
	struct tu_author sub;   /* bound only in some tests */
	struct cs_builder cb;
};

/* Makes LMDB skip fsync: a test store never outlives its process. */
static void
nosync(struct node *n)
{
	store_set_sync(&n->store, false);
}

/* Appends a copy of one message to a wire. */
static int
wire_push(void *ctx, const uint8_t *msg, size_t len)
{
	struct wire *w = ctx;

	if (w->n == w->cap) {
		w->cap = w->cap ? 2 * w->cap : 16;
		w->msg = realloc(w->msg, w->cap * sizeof(*w->msg));
		w->len = realloc(w->len, w->cap * sizeof(*w->len));
		assert_non_null(w->msg);
		assert_non_null(w->len);
	}
	w->msg[w->n] = malloc(len ? len : 1);
	assert_non_null(w->msg[w->n]);
	memcpy(w->msg[w->n], msg, len);
	w->len[w->n++] = len;
	return 0;
}

/* Frees a wire's messages. */
static void
wire_free(struct wire *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->msg[i]);
	free(w->msg);
	free(w->len);
	memset(w, 0, sizeof(*w));
}

/* Whether a wire holds an ERROR message whose text contains what. */
static bool
wire_has_error(const struct wire *w, const char *what)
{
	struct mp_reader r;
	const char *s;
	struct value code;
	uint64_t kind;
	uint32_t n, len;
	size_t i;

	for (i = 0; i < w->n; i++) {
		mp_reader_init(&r, w->msg[i], w->len[i]);
		if (mp_read_array(&r, &n) != 0 || mp_read_uint(&r, &kind) != 0 ||
		    kind != SM_ERROR || mp_read_value(&r, &code) != 0 ||
		    mp_read_str(&r, &s, &len) != 0)
			continue;
		if (memmem(s, len, what, strlen(what)) != NULL)
			return true;
	}
	return false;
}

/*
 * Starts a session of node n with the peer of key peer (NULL: a peer
 * whose key the test does not name, to whom no personal value goes).
 */
static void
side_start(struct side *sd, struct node *n, const uint8_t *peer)
{
	memset(sd, 0, sizeof(*sd));
	assert_ok(sess_start(&sd->ss, n, peer, wire_push, &sd->out));
	sd->started = true;
}

/* Frees a side. */
static void
side_free(struct side *sd)
{
	if (sd->started)
		sess_free(&sd->ss);
	wire_free(&sd->out);
}

/* Carries messages both ways until neither side has anything to say. */
static void
pump(struct side *a, struct side *b)
{
	bool moved = true;

	while (moved) {
		moved = false;
		if (a->out.head < a->out.n) {
			(void)sess_receive(&b->ss, a->out.msg[a->out.head],
			    a->out.len[a->out.head]);
			a->out.head++;
			moved = true;
		}
		if (b->out.head < b->out.n) {
			(void)sess_receive(&a->ss, b->out.msg[b->out.head],
			    b->out.len[b->out.head]);
			b->out.head++;
			moved = true;
		}
	}
}

/* Syncs two nodes through two sessions joined by their emit callbacks. */
static void
sync_nodes(struct node *x, struct node *y, struct sess_stats *xs,
    struct sess_stats *ys)
{
	struct side a, b;

	side_start(&a, x, y->pk);
	side_start(&b, y, x->pk);
	pump(&a, &b);
	if (!sess_finished(&a.ss) || !sess_finished(&b.ss))
		fail_msg("the sync did not finish: %s / %s", a.ss.diag.what,
		    b.ss.diag.what);
	if (xs != NULL)
		*xs = a.ss.st;
	if (ys != NULL)
		*ys = b.ss.st;
	side_free(&a);
	side_free(&b);
}

/*
 * The number of change-sets waiting for their past on a node; when none
 * waits, nothing is left of the waiting room's index and counts either.
 */
static uint64_t
waiting(struct node *n)
{
	struct store_txn *txn;
	struct store_stat st, ws;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(store_stat(txn, &n->store, TB_PENDING, &st));
	assert_ok(store_stat(txn, &n->store, TB_WAITS, &ws));
	store_abort(txn);
	if (st.entries == 0)
		assert_int_equal(ws.entries, 0);
	return st.entries;
}

/* Writes fields of one record in one change-set of node n. */
static void
put(struct node *n, const char *type, const char *ref, const char *field,
    struct value v)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct field_input in[1];
	struct edit e;
	bool changed;

	in[0].f = schema_field_by_name(t, field, strlen(field));
	in[0].v = v;
	assert_ok(edit_begin(n, &e));
	if (records_put(&e, t, ref, strlen(ref), in, 1, PUT_UPSERT, false,
	    &changed, &d) != 0)
		fail_msg("put %s %s: %s", type, ref, d.what);
	assert_ok(edit_commit(&e));
}

/* Binds a key on the lead: a co-contractor, or a subcontractor of co. */
static void
bind_key(struct node *lead, const char *siret, enum member_role role,
    const uint8_t *pk)
{
	struct roster_invite rq = { NULL, siret, role, { 0 }, NULL, NULL };
	struct consort_diag d = { 0 };
	struct edit e;

	if (role == ROLE_SUB) {
		rq.name = "Sous-Traitant Test";
		rq.parent = CO_SIRET;
		rq.dc4 = "DC4-TEST-1";
	}
	memcpy(rq.key, pk, CONSORT_KEY_BYTES);
	assert_ok(edit_begin(lead, &e));
	if (roster_invite(&e, &rq, &d) != 0)
		fail_msg("invite %s: %s", siret, d.what);
	assert_ok(edit_commit(&e));
}

/* The lead, co (a node joined by invite) and co2 (a hand-driven key). */
static int
setup(void **state)
{
	struct genesis_member co[2] = { { "Co Un", CO_SIRET },
		{ "Co Deux", CO2_SIRET } };
	struct genesis g = { "Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, co, 2 };
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES];
	struct invite inv;
	struct fix *f;
	struct store_txn *txn;
	struct store_val gv;
	char path[4096];

	f = calloc(1, sizeof(*f));
	assert_non_null(f);
	f->dir = tu_mkdtemp();
	assert_non_null(f->dir);
	tu_path(path, sizeof(path), f->dir, "lead");
	assert_ok(node_init(path, &g, NULL, 0, &f->lead, &d));
	nosync(f->lead);
	tu_path(path, sizeof(path), f->dir, "co");
	assert_ok(node_keygen(path, NULL, 0, pk, &d));
	bind_key(f->lead, CO_SIRET, ROLE_CO, pk);
	tu_author_init(&f->co2, 0x42);
	bind_key(f->lead, CO2_SIRET, ROLE_CO, f->co2.pk);
	tu_author_init(&f->sub, 0x43);
	memset(&inv, 0, sizeof(inv));
	memcpy(inv.consortium, f->lead->consortium, CONSORT_HASH_BYTES);
	memcpy(inv.founder, f->lead->founder, CONSORT_KEY_BYTES);
	assert_ok(node_netkey(f->lead, inv.netkey));
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(store_get_change(txn, &f->lead->store, f->lead->pk, 1, &gv));
	inv.genesis = gv.data;
	inv.genesis_len = gv.len;
	assert_ok(node_join(path, &inv, &f->co, &d));
	store_abort(txn);
	nosync(f->co);
	assert_ok(node_unlock(f->co, NULL, 0, &d));
	put(f->lead, "trainee", "T1", "family_name", tu_str("Un"));
	sync_nodes(f->co, f->lead, NULL, NULL);
	csb_init(&f->cb);
	*state = f;
	return 0;
}

/* Closes both nodes and removes their directories. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	csb_free(&f->cb);
	node_close(f->lead);
	node_close(f->co);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/*
 * A change-set of author a creating trainee ref, with the given deps; its
 * family name travels as a commitment.
 */
static struct tu_cs
trainee_cs(struct fix *f, struct tu_author *a, const char *ref,
    const struct cs_dep *deps, uint32_t ndeps)
{
	const struct schema_type *t = schema_type_by_name("trainee");
	const struct schema_field *fl = schema_field_by_name(t, "family_name", 11);
	struct value v = tu_str(ref), name = tu_str("Durand");
	uint8_t id[CONSORT_EID_BYTES], salt[CONSORT_SALT_BYTES],
	    c[CONSORT_COMMIT_BYTES];
	struct value cv = { VAL_BIN, false, 0, (const char *)c, sizeof(c) };

	node_entity_id(f->lead, t->id, ref, strlen(ref), id);
	personal_commit_new(t->id, id, fl->id, &name, salt, c);
	csb_op(&f->cb, OP_CREATE, t->id, id, 0, &v);
	csb_op(&f->cb, OP_SET, t->id, id, fl->id, &cv);
	return tu_author_sign(a, f->lead->consortium, deps, ndeps,
	    node_hlc_next(f->lead), &f->cb);
}

/*
 * Receives change-sets into node n as a session applies one batch: one
 * write transaction, committed only if every change-set was taken.
 */
static int
receive(struct node *n, struct tu_cs *cs, size_t count,
    struct log_receipt *rcpt, struct consort_diag *d)
{
	struct store_txn *txn;
	size_t i;
	int rc = 0;

	memset(rcpt, 0, sizeof(*rcpt));
	memset(d, 0, sizeof(*d));
	assert_ok(store_begin(&n->store, true, &txn));
	for (i = 0; i < count && rc == 0; i++)
		rc = log_receive(txn, &n->store, cs[i].p, cs[i].len, n->consortium,
		    rcpt, d);
	if (rc == 0)
		rc = log_finish_batch(txn, &n->store, n->consortium, rcpt, d);
	if (rc != 0) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

/* Packs [1, no, [change-set...]]: a BATCH as a hostile member sends it. */
static void
batch_msg(msgpack_sbuffer *out, uint64_t no, struct tu_cs *cs, size_t count)
{
	msgpack_packer pk;
	size_t i;

	msgpack_sbuffer_clear(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_uint32(&pk, SM_BATCH);
	msgpack_pack_uint64(&pk, no);
	msgpack_pack_array(&pk, (uint32_t)count);
	for (i = 0; i < count; i++)
		mp_pack_bin(&pk, cs[i].p, cs[i].len);
}

/*
 * A member that passed the handshake floods node n: its HELLO claims all
 * n holds (so n sends nothing), then BATCHes of count change-sets made by
 * make(), 256 a batch, until n refuses one.  Returns the batches n took;
 * n's messages are left in victim->out.
 */
static uint64_t
flood(struct fix *f, struct node *n, struct side *victim, size_t count,
    struct tu_cs (*make)(struct fix *, size_t))
{
	struct tu_cs cs[SESS_BATCH_MAX];
	msgpack_sbuffer msg;
	uint64_t no = 0;
	size_t done = 0, k, i;

	side_start(victim, n, NULL);
	/* its own HELLO back: the peer claims to hold everything n holds */
	assert_ok(sess_receive(&victim->ss, victim->out.msg[0],
	    victim->out.len[0]));
	msgpack_sbuffer_init(&msg);
	while (done < count && victim->ss.err == 0) {
		k = count - done < SESS_BATCH_MAX ? count - done : SESS_BATCH_MAX;
		for (i = 0; i < k; i++)
			cs[i] = make(f, done + i);
		batch_msg(&msg, ++no, cs, k);
		(void)sess_receive(&victim->ss, (const uint8_t *)msg.data, msg.size);
		for (i = 0; i < k; i++)
			tu_cs_free(&cs[i]);
		done += k;
	}
	msgpack_sbuffer_destroy(&msg);
	return victim->ss.st.batches_received;
}

/* A fresh key's change-set at seq 2, its past all held: plain junk. */
static struct tu_cs
junk_gap(struct fix *f, size_t i)
{
	struct tu_author a;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);

	(void)i;
	memset(&a, 0, sizeof(a));
	crypto_sign_keypair(a.pk, a.sk);
	a.seq = 1;
	randombytes_buf(a.prev, sizeof(a.prev));
	return trainee_cs(f, &a, "TJUNK", &dep, 1);
}

/*
 * A fresh key's change-set naming a change-set of the lead one past the
 * lead's head (with a made-up id): as a new member's would, whose binding
 * has not arrived.
 */
static struct tu_cs
junk_ahead(struct fix *f, size_t i)
{
	struct tu_author a;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);

	(void)i;
	dep.seq++;
	randombytes_buf(dep.hash, sizeof(dep.hash));
	memset(&a, 0, sizeof(a));
	crypto_sign_keypair(a.pk, a.sk);
	return trainee_cs(f, &a, "TJUNK", &dep, 1);
}

/* Two sessions joined by their emit callbacks sync both ways. */
static void
test_sync_two_sessions(void **state)
{
	struct fix *f = *state;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct sess_stats a, b;

	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	put(f->co, "trainee", "T3", "family_name", tu_str("Trois"));
	sync_nodes(f->co, f->lead, &a, &b);
	assert_int_equal(a.sent, 1);
	assert_int_equal(a.recv.applied, 1);
	assert_int_equal(b.recv.applied, 1);
	tu_state_hash(&f->lead->store, h1);
	tu_state_hash(&f->co->store, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
	/* nothing left to send: one round trip, no batch */
	sync_nodes(f->lead, f->co, &a, &b);
	assert_int_equal(a.batches_sent + b.batches_sent, 0);
}

/*
 * Thousands of change-sets signed by fresh keys that no binding can name
 * (their past, the lead's head, is held): the first is refused with a
 * reason the peer reads, nothing waits, and the refusal is counted.
 */
static void
test_flood_of_outsiders_refused(void **state)
{
	struct fix *f = *state;
	struct side v;
	uint64_t taken;

	taken = flood(f, f->co, &v, 3000, junk_gap);
	assert_int_equal(taken, 0);
	assert_int_equal(waiting(f->co), 0);
	assert_err(v.ss.err, E(PERM));
	assert_true(wire_has_error(&v.out, "not a member"));
	assert_int_equal(v.ss.st.recv.refused, 1);
	side_free(&v);
}

/*
 * Fresh keys whose change-sets name a lead's change-set not held yet (as a
 * new member's do before its binding arrives) may wait, but only up to
 * the strangers' bound; the rest is refused.  When the lead's real
 * change-set arrives, they are looked at once and dropped: their authors
 * are still no member.
 */
static void
test_strangers_bounded_then_dropped(void **state)
{
	struct fix *f = *state;
	struct sess_stats a;
	struct side v;
	uint64_t parked;

	(void)flood(f, f->co, &v, 2 * LOG_PENDING_STRANGERS_MAX, junk_ahead);
	parked = waiting(f->co);
	assert_true(parked > 0 && parked <= LOG_PENDING_STRANGERS_MAX);
	assert_err(v.ss.err, E(TOOBIG));
	assert_true(wire_has_error(&v.out, "roster does not name"));
	assert_int_equal(v.ss.st.recv.refused, 1);
	side_free(&v);
	/* the lead's next change-set: the strangers' past, under another id */
	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	sync_nodes(f->co, f->lead, &a, NULL);
	assert_int_equal(a.recv.applied, 1);
	assert_int_equal(a.recv.woken, parked);
	assert_int_equal(a.recv.dropped, parked);
	assert_int_equal(waiting(f->co), 0);
}

/*
 * On the lead's own node, strangers naming its next change-set wait too;
 * the lead writes that change-set itself (a local edit wakes nothing), and
 * the next batch it receives drops them.
 */
static void
test_strangers_on_the_lead(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct log_receipt r;
	struct tu_cs cs[8];
	uint64_t parked;
	size_t i;

	for (i = 0; i < nitems(cs); i++)
		cs[i] = junk_ahead(f, i);
	assert_ok(receive(f->lead, cs, nitems(cs), &r, &d));
	parked = waiting(f->lead);
	assert_int_equal(parked, nitems(cs));
	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	/* a batch that brings nothing new still ends with what is due */
	assert_ok(receive(f->lead, cs, 0, &r, &d));
	assert_int_equal(r.dropped, parked);
	assert_int_equal(waiting(f->lead), 0);
	for (i = 0; i < nitems(cs); i++)
		tu_cs_free(&cs[i]);
}

/*
 * A member's change-sets behind a hole in its chain wait; a later sync of
 * one change-set by someone else looks at none of them (the cost of a
 * batch does not grow with what waits).  When the hole is filled, each
 * is looked at once and the whole chain applies.
 */
static void
test_waiting_room_cost(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct log_receipt r;
	struct sess_stats a;
	struct tu_cs *cs;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);
	size_t n = 2000, i;

	cs = calloc(n, sizeof(*cs));
	assert_non_null(cs);
	for (i = 0; i < n; i++)
		cs[i] = trainee_cs(f, &f->co2, "TCO2", &dep, 1);
	/* everything but the first 4, in batches: they wait for seq 4 */
	for (i = 4; i < n; i += SESS_BATCH_MAX) {
		size_t k = n - i < SESS_BATCH_MAX ? n - i : SESS_BATCH_MAX;

		if (receive(f->co, cs + i, k, &r, &d) != 0)
			fail_msg("receive: %s %s", d.where, d.what);
		assert_int_equal(r.pending, k);
	}
	assert_int_equal(waiting(f->co), n - 4);
	/* one change-set of the lead: nothing that waits is looked at */
	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	sync_nodes(f->co, f->lead, &a, NULL);
	assert_int_equal(a.recv.applied, 1);
	assert_int_equal(a.recv.woken, 0);
	assert_int_equal(waiting(f->co), n - 4);
	/* the hole filled: each waiting change-set is looked at once */
	if (receive(f->co, cs, 4, &r, &d) != 0)
		fail_msg("receive: %s %s", d.where, d.what);
	assert_int_equal(r.applied, n);
	assert_int_equal(r.woken, n - 4);
	assert_int_equal(waiting(f->co), 0);
	assert_int_equal(tu_head(&f->co->store, f->co2.pk).seq, n);
	for (i = 0; i < n; i++)
		tu_cs_free(&cs[i]);
	free(cs);
}

/* One member cannot fill the waiting room: its share is bounded. */
static void
test_waiting_bounded_per_author(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct log_receipt r;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);
	struct tu_cs cs[SESS_BATCH_MAX];
	uint64_t parked = 0;
	size_t k;
	int rc = 0;

	f->co2.seq = 1;  /* seq 1 never comes: everything waits */
	randombytes_buf(f->co2.prev, sizeof(f->co2.prev));
	while (rc == 0) {
		for (k = 0; k < SESS_BATCH_MAX; k++)
			cs[k] = trainee_cs(f, &f->co2, "TCO2", &dep, 1);
		rc = receive(f->co, cs, SESS_BATCH_MAX, &r, &d);
		for (k = 0; k < SESS_BATCH_MAX; k++)
			tu_cs_free(&cs[k]);
		if (rc == 0)
			parked += r.pending;
		assert_true(parked <= LOG_PENDING_AUTHOR_MAX);
	}
	assert_err(rc, E(TOOBIG));
	assert_non_null(strstr(d.what, "of its author"));
	assert_int_equal(waiting(f->co), parked);
	assert_true(parked > LOG_PENDING_AUTHOR_MAX - SESS_BATCH_MAX);
	/* another member's change-sets may still wait */
	f->sub.seq = 0;
	bind_key(f->lead, SUB_SIRET, ROLE_SUB, f->sub.pk);
	sync_nodes(f->co, f->lead, NULL, NULL);
	dep = tu_dep(&f->co->store, f->lead->pk);
	f->sub.seq = 3;
	randombytes_buf(f->sub.prev, sizeof(f->sub.prev));
	cs[0] = trainee_cs(f, &f->sub, "TSUB", &dep, 1);
	assert_ok(receive(f->co, cs, 1, &r, &d));
	assert_int_equal(r.pending, 1);
	tu_cs_free(&cs[0]);
}

/*
 * A new member's change-sets may reach a node before the lead's binding of
 * its key (a relay that holds them, or bundles imported out of order):
 * they wait and apply once the binding is there — also when the binding
 * itself waited for an earlier change-set of the lead.
 */
static void
test_new_member_before_its_binding(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct log_receipt r;
	struct tu_cs before, binding, s1, s2;
	struct cs_dep dep;
	uint64_t seq;

	/* the lead edits, then binds sub; sub writes two change-sets */
	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	bind_key(f->lead, SUB_SIRET, ROLE_SUB, f->sub.pk);
	seq = tu_head(&f->lead->store, f->lead->pk).seq;
	before = tu_stored_cs(&f->lead->store, f->lead->pk, seq - 1);
	binding = tu_stored_cs(&f->lead->store, f->lead->pk, seq);
	dep = tu_dep(&f->lead->store, f->lead->pk);
	s1 = trainee_cs(f, &f->sub, "TSUB1", &dep, 1);
	s2 = trainee_cs(f, &f->sub, "TSUB2", &dep, 1);
	/* co gets s2, s1, then the binding (which waits for `before`) */
	assert_ok(receive(f->co, &s2, 1, &r, &d));
	assert_int_equal(r.pending, 1);
	assert_ok(receive(f->co, &s1, 1, &r, &d));
	assert_int_equal(r.pending, 1);
	assert_ok(receive(f->co, &binding, 1, &r, &d));
	assert_int_equal(r.pending, 1);
	assert_int_equal(waiting(f->co), 3);
	/* the lead's earlier change-set: everything applies, in order */
	assert_ok(receive(f->co, &before, 1, &r, &d));
	assert_int_equal(r.applied, 4);
	assert_int_equal(waiting(f->co), 0);
	assert_int_equal(tu_head(&f->co->store, f->sub.pk).seq, 2);
	sync_nodes(f->co, f->lead, NULL, NULL);
	tu_cs_free(&before);
	tu_cs_free(&binding);
	tu_cs_free(&s1);
	tu_cs_free(&s2);
}

/*
 * Change-sets left waiting by a version that kept no index of what they
 * wait for are looked at once, at the end of the next batch.
 */
static void
test_waiting_from_an_older_store(void **state)
{
	struct fix *f = *state;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);
	struct consort_diag d;
	struct log_receipt r;
	struct tu_cs cs[3];
	uint8_t key[CONSORT_KEY_BYTES + 8];
	struct store_txn *txn;
	int i;

	for (i = 0; i < 3; i++)
		cs[i] = trainee_cs(f, &f->co2, "TCO2", &dep, 1);
	assert_ok(store_begin(&f->co->store, true, &txn));
	for (i = 1; i < 3; i++) {
		memcpy(key, f->co2.pk, CONSORT_KEY_BYTES);
		util_put_be64(key + CONSORT_KEY_BYTES, (uint64_t)i + 1);
		assert_ok(store_put(txn, &f->co->store, TB_PENDING, key,
		    sizeof(key), cs[i].p, cs[i].len, 0));
	}
	assert_ok(store_commit(txn));
	assert_ok(receive(f->co, cs, 1, &r, &d));
	assert_int_equal(r.applied, 3);
	assert_int_equal(waiting(f->co), 0);
	assert_int_equal(tu_head(&f->co->store, f->co2.pk).seq, 3);
	for (i = 0; i < 3; i++)
		tu_cs_free(&cs[i]);
}

/* A key no binding names, its past all held, is refused at once. */
static void
test_outsider_refused(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct log_receipt r;
	struct tu_cs cs;
	struct cs_dep dep = tu_dep(&f->co->store, f->lead->pk);

	cs = trainee_cs(f, &f->sub, "TSUB", &dep, 1);  /* sub is not bound */
	assert_err(receive(f->co, &cs, 1, &r, &d), E(PERM));
	assert_non_null(strstr(d.what, "not a member"));
	assert_int_equal(waiting(f->co), 0);
	tu_cs_free(&cs);
}

/* Packs a HELLO: protocol, consortium, and n heads of a version vector. */
static void
hello_msg(msgpack_sbuffer *out, uint64_t proto, const uint8_t *consortium,
    const struct sess_vv *vv, uint32_t n, uint32_t claimed)
{
	msgpack_packer pk;
	uint32_t i;

	msgpack_sbuffer_clear(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, SM_HELLO);
	msgpack_pack_uint64(&pk, proto);
	mp_pack_bin(&pk, consortium, CONSORT_HASH_BYTES);
	msgpack_pack_array(&pk, claimed);
	for (i = 0; i < n; i++) {
		msgpack_pack_array(&pk, 3);
		mp_pack_bin(&pk, vv[i].author, CONSORT_KEY_BYTES);
		msgpack_pack_uint64(&pk, vv[i].seq);
		mp_pack_bin(&pk, vv[i].head, CONSORT_HASH_BYTES);
	}
}

/* Packs [kind, number]: an ACK or a DONE. */
static void
numbered_msg(msgpack_sbuffer *out, unsigned kind, uint64_t no)
{
	msgpack_packer pk;

	msgpack_sbuffer_clear(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	msgpack_pack_uint32(&pk, kind);
	msgpack_pack_uint64(&pk, no);
}

/* Has side sd receive a packed message; returns its error. */
static int
deliver(struct side *sd, const msgpack_sbuffer *msg)
{
	return sess_receive(&sd->ss, (const uint8_t *)msg->data, msg->size);
}

/* The kind of a wire's i-th message. */
static uint64_t
kind_of(const struct wire *w, size_t i)
{
	struct mp_reader r;
	uint64_t kind;
	uint32_t n;

	assert_true(i < w->n);
	mp_reader_init(&r, w->msg[i], w->len[i]);
	assert_ok(mp_read_array(&r, &n));
	assert_ok(mp_read_uint(&r, &kind));
	return kind;
}

/* How many messages of a kind a wire holds. */
static size_t
count_kind(const struct wire *w, uint64_t kind)
{
	size_t i, n = 0;

	for (i = 0; i < w->n; i++)
		n += kind_of(w, i) == kind;
	return n;
}

/* Delivers one message from a's wire to b. */
static void
step(struct side *a, struct side *b)
{
	assert_true(a->out.head < a->out.n);
	(void)sess_receive(&b->ss, a->out.msg[a->out.head],
	    a->out.len[a->out.head]);
	a->out.head++;
}

/*
 * A HELLO of another protocol or another consortium, a malformed one, and
 * anything before a HELLO end the session with an error the peer is told;
 * the session then stays failed.
 */
static void
test_hello_refusals(void **state)
{
	struct fix *f = *state;
	uint8_t other[CONSORT_HASH_BYTES];
	msgpack_sbuffer msg;
	struct side sd;
	char want[64];

	msgpack_sbuffer_init(&msg);
	hello_msg(&msg, SYNC_PROTOCOL + 1, f->lead->consortium, NULL, 0, 0);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(VERSION));
	snprintf(want, sizeof(want), "the peer speaks sync protocol %d",
	    SYNC_PROTOCOL + 1);
	assert_true(wire_has_error(&sd.out, want));
	assert_int_equal(sd.out.n, 2);		/* HELLO, ERROR */
	/* failed for good: nothing more is said */
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, NULL, 0, 0);
	assert_err(deliver(&sd, &msg), E(VERSION));
	assert_int_equal(sd.out.n, 2);
	assert_false(sess_finished(&sd.ss));
	side_free(&sd);

	memcpy(other, f->lead->consortium, sizeof(other));
	other[31] ^= 1;
	hello_msg(&msg, SYNC_PROTOCOL, other, NULL, 0, 0);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(CONSORTIUM));
	assert_true(wire_has_error(&sd.out, "another consortium"));
	side_free(&sd);

	/* more heads announced than sent, or than a store may hold */
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, NULL, 0, 1);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(BADTYPE));
	assert_true(wire_has_error(&sd.out, "malformed HELLO"));
	side_free(&sd);
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, NULL, 0,
	    SESS_MAX_AUTHORS + 1);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(BADTYPE));
	side_free(&sd);

	/* an ACK first */
	numbered_msg(&msg, SM_ACK, 1);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(BADTYPE));
	assert_true(wire_has_error(&sd.out, "the first message must be HELLO"));
	side_free(&sd);

	/* bytes that are no message, an unknown kind */
	side_start(&sd, f->lead, NULL);
	assert_err(sess_receive(&sd.ss, (const uint8_t *)"\xc1", 1), E(BADTYPE));
	assert_true(wire_has_error(&sd.out, "malformed message"));
	side_free(&sd);
	side_start(&sd, f->lead, NULL);
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, NULL, 0, 0);
	assert_ok(deliver(&sd, &msg));
	numbered_msg(&msg, 9, 1);
	assert_err(deliver(&sd, &msg), E(BADTYPE));
	assert_true(wire_has_error(&sd.out, "unknown message"));
	side_free(&sd);
	msgpack_sbuffer_destroy(&msg);
}

/*
 * After the HELLOs: a second HELLO, a BATCH out of turn, an ACK of a batch
 * never sent and a second DONE are each refused as malformed.
 */
static void
test_out_of_order(void **state)
{
	static const struct {
		unsigned kind;
		uint64_t no;
		const char *why;
	} cases[] = {
		{ SM_ACK, 2, "malformed ACK" },	/* one batch was sent */
		{ SM_BATCH, 2, "malformed BATCH" },
		{ SM_HELLO, 0, "malformed HELLO" },
		{ SM_DONE, 0, "malformed DONE" },
	};
	struct fix *f = *state;
	msgpack_sbuffer msg;
	struct side sd;
	size_t i;

	msgpack_sbuffer_init(&msg);
	for (i = 0; i < nitems(cases); i++) {
		side_start(&sd, f->lead, NULL);
		hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, NULL, 0, 0);
		assert_ok(deliver(&sd, &msg));
		if (cases[i].kind == SM_DONE) {
			numbered_msg(&msg, SM_DONE, 0);
			assert_ok(deliver(&sd, &msg));
		}
		if (cases[i].kind == SM_HELLO)
			hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium,
			    NULL, 0, 0);
		else if (cases[i].kind == SM_BATCH)
			batch_msg(&msg, cases[i].no, NULL, 0);
		else
			numbered_msg(&msg, cases[i].kind, cases[i].no);
		if (deliver(&sd, &msg) != E(BADTYPE))
			fail_msg("case %zu: not refused", i);
		if (!wire_has_error(&sd.out, cases[i].why))
			fail_msg("case %zu: no \"%s\"", i, cases[i].why);
		side_free(&sd);
	}
	msgpack_sbuffer_destroy(&msg);
}

/* The peer's ERROR ends the session with the peer's words. */
static void
test_peer_error(void **state)
{
	struct fix *f = *state;
	msgpack_sbuffer msg;
	msgpack_packer pk;
	struct side sd;

	msgpack_sbuffer_init(&msg);
	msgpack_packer_init(&pk, &msg, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_uint32(&pk, SM_ERROR);
	msgpack_pack_int32(&pk, E(BUSY));
	mp_pack_strn(&pk, "too many connections", 20);
	side_start(&sd, f->lead, NULL);
	assert_err(deliver(&sd, &msg), E(PERM));
	assert_string_equal(sd.ss.diag.what,
	    "the peer refused: too many connections");
	assert_int_equal(sd.out.n, 1);		/* its HELLO only */
	assert_false(sess_finished(&sd.ss));
	side_free(&sd);
	msgpack_sbuffer_destroy(&msg);
}

/*
 * A HELLO whose head for an author differs from the change-set held at
 * that seq shows a fork: recorded, reported, and that author's chain is
 * not sent.
 */
static void
test_fork_in_hello(void **state)
{
	struct fix *f = *state;
	struct sess_vv vv;
	struct tu_cs two;
	msgpack_sbuffer msg;
	struct side sd;
	struct store_txn *txn;
	struct store_stat st;

	put(f->lead, "trainee", "T2", "family_name", tu_str("Deux"));
	memcpy(vv.author, f->lead->pk, CONSORT_KEY_BYTES);
	vv.seq = 2;
	randombytes_buf(vv.head, sizeof(vv.head));
	msgpack_sbuffer_init(&msg);
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, &vv, 1, 1);
	side_start(&sd, f->lead, NULL);
	assert_ok(deliver(&sd, &msg));
	assert_int_equal(sd.ss.st.forks, 1);
	assert_memory_equal(sd.ss.forked[0].head, vv.head, CONSORT_HASH_BYTES);
	assert_int_equal(sd.ss.st.sent, 0);
	assert_int_equal(count_kind(&sd.out, SM_BATCH), 0);
	assert_int_equal(count_kind(&sd.out, SM_DONE), 1);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(store_stat(txn, &f->lead->store, TB_FORKS, &st));
	store_abort(txn);
	assert_int_equal(st.entries, 1);
	side_free(&sd);

	/* the same seq with the right head: the rest of the chain is sent */
	two = tu_stored_cs(&f->lead->store, f->lead->pk, 2);
	keys_hash(vv.head, two.p, two.len - CONSORT_SIG_BYTES);
	tu_cs_free(&two);
	hello_msg(&msg, SYNC_PROTOCOL, f->lead->consortium, &vv, 1, 1);
	side_start(&sd, f->lead, NULL);
	assert_ok(deliver(&sd, &msg));
	assert_int_equal(sd.ss.st.forks, 0);
	assert_int_equal(sd.ss.st.sent,
	    tu_head(&f->lead->store, f->lead->pk).seq - 2);
	side_free(&sd);
	msgpack_sbuffer_destroy(&msg);
}

/*
 * At most SESS_WINDOW batches go out before the first is acknowledged,
 * and each acknowledgement lets one more go.  Batches that come back to
 * back share a commit, acknowledged once it is done (here when the
 * transport finds no more batch coming).  A session cut after two
 * batches were committed resumes from them: the next sync sends the rest.
 */
static void
test_window_and_resume(void **state)
{
	struct fix *f = *state;
	struct cs_dep dep = tu_dep(&f->lead->store, f->lead->pk);
	size_t n = SESS_BATCH_MAX * (SESS_WINDOW + 1) + 10, i;
	struct consort_diag d;
	struct log_receipt r;
	struct sess_stats a;
	struct side lead, co;
	struct tu_cs *cs;

	cs = calloc(n, sizeof(*cs));
	assert_non_null(cs);
	for (i = 0; i < n; i++)
		cs[i] = trainee_cs(f, &f->co2, "TCO2", &dep, 1);
	assert_ok(receive(f->lead, cs, n, &r, &d));
	assert_int_equal(r.applied, n);
	for (i = 0; i < n; i++)
		tu_cs_free(&cs[i]);
	free(cs);

	side_start(&lead, f->lead, f->co->pk);
	side_start(&co, f->co, f->lead->pk);
	step(&co, &lead);			/* co's HELLO */
	assert_int_equal(lead.ss.st.batches_sent, SESS_WINDOW);
	assert_int_equal(count_kind(&lead.out, SM_BATCH), SESS_WINDOW);
	assert_false(lead.ss.done_sent);
	step(&lead, &co);			/* the lead's HELLO */
	step(&lead, &co);			/* batch 1 */
	step(&lead, &co);			/* batch 2 */
	assert_int_equal(co.ss.st.batches_received, 2);
	assert_int_equal(count_kind(&co.out, SM_ACK), 0);  /* not committed */
	assert_true(sess_group_open(&co.ss));
	assert_ok(sess_flush(&co.ss, true));	/* no batch came for a while */
	assert_false(sess_group_open(&co.ss));
	assert_int_equal(count_kind(&co.out, SM_ACK), 2);
	assert_int_equal(kind_of(&co.out, 1), SM_DONE);	/* nothing to send */
	step(&co, &lead);			/* co's DONE */
	step(&co, &lead);			/* ACK 1 */
	assert_int_equal(lead.ss.acked, 1);
	assert_int_equal(lead.ss.st.batches_sent, SESS_WINDOW + 1);
	/* cut here: what co committed stays */
	side_free(&lead);
	side_free(&co);
	assert_int_equal(tu_head(&f->co->store, f->co2.pk).seq,
	    2 * SESS_BATCH_MAX);
	sync_nodes(f->co, f->lead, &a, NULL);
	assert_int_equal(a.recv.applied, n - 2 * SESS_BATCH_MAX);
	assert_int_equal(tu_head(&f->co->store, f->co2.pk).seq, n);
}

/* A side of node n whose peer claims all n holds, so sends it nothing. */
static void
side_quiet(struct side *sd, struct node *n)
{
	side_start(sd, n, NULL);
	assert_ok(sess_receive(&sd->ss, sd->out.msg[0], sd->out.len[0]));
}

/*
 * Two peers send batches to one node at once (a server): LMDB has one
 * writer, so the second session's batch commits and acknowledges the
 * first one's open group before it begins its own, and so does any other
 * write of the process.  Nothing waits for itself.
 */
static void
test_group_yields_to_another_writer(void **state)
{
	struct fix *f = *state;
	struct cs_dep dep = tu_dep(&f->lead->store, f->lead->pk);
	struct tu_cs cs[4];
	struct store_txn *txn;
	msgpack_sbuffer msg;
	struct side a, b;
	size_t i;

	for (i = 0; i < 4; i++)
		cs[i] = trainee_cs(f, &f->co2, "TGRP", &dep, 1);
	msgpack_sbuffer_init(&msg);
	side_quiet(&a, f->lead);
	side_quiet(&b, f->lead);
	batch_msg(&msg, 1, cs, 2);
	assert_ok(deliver(&a, &msg));
	assert_true(sess_group_open(&a.ss));
	assert_int_equal(count_kind(&a.out, SM_ACK), 0);
	batch_msg(&msg, 1, cs + 2, 1);
	assert_ok(deliver(&b, &msg));	/* its seq follows a's: a committed */
	assert_false(sess_group_open(&a.ss));
	assert_int_equal(count_kind(&a.out, SM_ACK), 1);
	assert_int_equal(a.ss.st.recv.applied, 2);
	assert_true(sess_group_open(&b.ss));
	assert_int_equal(tu_head(&f->lead->store, f->co2.pk).seq, 2);
	/* a local write of the same process ends b's group the same way */
	assert_ok(store_begin(&f->lead->store, true, &txn));
	store_abort(txn);
	assert_false(sess_group_open(&b.ss));
	assert_int_equal(count_kind(&b.out, SM_ACK), 1);
	assert_int_equal(tu_head(&f->lead->store, f->co2.pk).seq, 3);
	side_free(&a);
	side_free(&b);
	msgpack_sbuffer_destroy(&msg);
	for (i = 0; i < 4; i++)
		tu_cs_free(&cs[i]);
}

/*
 * A refused batch in the middle of a group refuses itself only: the
 * batches before it are committed and acknowledged, then ERROR goes out.
 */
static void
test_group_keeps_batches_before_a_refusal(void **state)
{
	struct fix *f = *state;
	struct cs_dep dep = tu_dep(&f->lead->store, f->lead->pk);
	struct tu_cs cs[4];
	msgpack_sbuffer msg;
	struct side a;
	size_t i;

	for (i = 0; i < 4; i++)
		cs[i] = trainee_cs(f, &f->co2, "TREF", &dep, 1);
	cs[3].p[cs[3].len - 1] ^= 1;	/* its signature no longer holds */
	msgpack_sbuffer_init(&msg);
	side_quiet(&a, f->lead);
	batch_msg(&msg, 1, cs, 2);
	assert_ok(deliver(&a, &msg));
	batch_msg(&msg, 2, cs + 2, 2);	/* cs[2] is fine, cs[3] is not */
	assert_err(deliver(&a, &msg), E(SIGNATURE));
	assert_int_equal(count_kind(&a.out, SM_ACK), 1);
	assert_int_equal(a.ss.st.recv.applied, 2);
	assert_int_equal(a.ss.st.recv.refused, 1);
	assert_int_equal(count_kind(&a.out, SM_ERROR), 1);
	assert_false(sess_group_open(&a.ss));
	side_free(&a);
	/* batch 1 is on disk; nothing of batch 2, not even its good cs[2] */
	assert_int_equal(tu_head(&f->lead->store, f->co2.pk).seq, 2);
	msgpack_sbuffer_destroy(&msg);
	for (i = 0; i < 4; i++)
		tu_cs_free(&cs[i]);
}

/*
 * The second thread's verdicts: a change-set whose signature fails, or
 * that cannot be read, is never "good" (the receiver checks it itself and
 * refuses it); one it finds good, it says so once it got there first.
 */
static void
test_sigahead_verdicts(void **state)
{
	struct fix *f = *state;
	struct cs_dep dep = tu_dep(&f->lead->store, f->lead->pk);
	const uint8_t *bytes[6];
	uint8_t junk[80] = { 0x98 };
	struct sigahead *a;
	struct tu_cs cs[4];
	uint32_t lens[6];
	size_t i, good = 0;

	for (i = 0; i < 4; i++) {
		cs[i] = trainee_cs(f, &f->co2, "TSIG", &dep, 1);
		bytes[i] = cs[i].p;
		lens[i] = (uint32_t)cs[i].len;
	}
	cs[1].p[cs[1].len - 1] ^= 1;	/* signature altered */
	cs[2].p[cs[2].len / 2] ^= 1;	/* body altered */
	bytes[4] = junk;		/* not a change-set */
	lens[4] = sizeof(junk);
	bytes[5] = junk;		/* shorter than a signature */
	lens[5] = 10;
	assert_ok(sigahead_start(&a, bytes, lens, 6));
	assert_non_null(a);
	usleep(50000);			/* let the worker go first, mostly */
	for (i = 0; i < 6; i++)
		if (sigahead_good(a, (uint32_t)i)) {
			assert_true(i == 0 || i == 3);
			good++;
		}
	assert_false(sigahead_good(a, 6));	/* out of range */
	sigahead_finish(a);
	assert_true(good <= 2);
	/* one change-set: nothing to check ahead */
	assert_ok(sigahead_start(&a, bytes, lens, 1));
	assert_null(a);
	assert_false(sigahead_good(a, 0));
	sigahead_finish(a);
	for (i = 0; i < 4; i++)
		tu_cs_free(&cs[i]);
}

/*
 * A long sync defers the receiver's index (store.index_defer_min, lowered
 * here to every sync): what arrives notes its index keys in TB_LATER, and
 * the catch-up the transport runs at the end leaves the index a replay
 * derives.
 */
static void
test_long_sync_defers_index(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct store_txn *txn;
	struct store_stat later;
	char ref[16];
	int i;

	for (i = 0; i < 12; i++) {
		snprintf(ref, sizeof(ref), "S%d", i);
		put(f->lead, "session", ref, "lot", tu_str(i % 2 ? "LOT-A" :
		    "LOT-B"));
		put(f->lead, "session", ref, "start", tu_str("2026-03-02"));
	}
	f->co->store.index_defer_min = 0;
	sync_nodes(f->co, f->lead, NULL, NULL);
	assert_true(f->co->store.index_later);
	assert_ok(store_begin(&f->co->store, false, &txn));
	assert_ok(store_stat(txn, &f->co->store, TB_LATER, &later));
	assert_false(index_ready(txn, &f->co->store));
	store_abort(txn);
	assert_true(later.entries >= 12);
	assert_ok(index_catch_up(&f->co->store));
	assert_ok(store_begin(&f->co->store, true, &txn));
	assert_true(index_ready(txn, &f->co->store));
	assert_ok(store_stat(txn, &f->co->store, TB_LATER, &later));
	assert_int_equal(later.entries, 0);
	assert_ok(log_verify(txn, &f->co->store, f->co->consortium, &st, &d));
	store_abort(txn);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sync_two_sessions, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_flood_of_outsiders_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_strangers_bounded_then_dropped,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_strangers_on_the_lead, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_waiting_room_cost, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_waiting_bounded_per_author,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_new_member_before_its_binding,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_waiting_from_an_older_store,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_outsider_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hello_refusals, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_out_of_order, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_peer_error, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_fork_in_hello, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sigahead_verdicts, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_group_yields_to_another_writer,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_group_keeps_batches_before_a_refusal, setup, teardown),
		cmocka_unit_test_setup_teardown(test_window_and_resume, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_sync_defers_index,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("session", tests, tu_group_setup,
	    NULL);
}
