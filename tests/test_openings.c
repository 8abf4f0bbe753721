/*
 * Personal values between members (sync/openings.c, src/wants.c,
 * src/entitle.c): two sessions joined by their emit() callbacks, and a
 * hand-made peer that sends crafted WANT and OPENINGS messages.
 */
#include <stdarg.h>

#include "testutil.h"
#include "../sync/session.h"

/* Messages one side emitted and the other has not read yet. */
struct wire {
	uint8_t *msg[256];
	size_t len[256];
	size_t head, n;
};

struct side {
	struct sess ss;
	struct wire out;
};

struct fix {
	char *dir;
	struct node *lead, *co;
};

/* Keeps a copy of one emitted message. */
static int
wire_push(void *ctx, const uint8_t *msg, size_t len)
{
	struct wire *w = ctx;

	assert_true(w->n < 256);
	w->msg[w->n] = malloc(len ? len : 1);
	assert_non_null(w->msg[w->n]);
	memcpy(w->msg[w->n], msg, len);
	w->len[w->n++] = len;
	return 0;
}

/* Frees a wire. */
static void
wire_free(struct wire *w)
{
	size_t i;

	for (i = 0; i < w->n; i++)
		free(w->msg[i]);
	memset(w, 0, sizeof(*w));
}

/* Starts node n's session with the peer of key peer. */
static void
side_start(struct side *sd, struct node *n, const uint8_t *peer)
{
	memset(sd, 0, sizeof(*sd));
	assert_ok(sess_start(&sd->ss, n, peer, wire_push, &sd->out));
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

/* Syncs x and y; returns what x received and kept. */
static struct sess_stats
sync_pair(struct node *x, struct node *y)
{
	struct side a, b;
	struct sess_stats st;

	side_start(&a, x, y->pk);
	side_start(&b, y, x->pk);
	pump(&a, &b);
	if (!sess_finished(&a.ss) || !sess_finished(&b.ss))
		fail_msg("the sync did not finish: %s / %s", a.ss.diag.what,
		    b.ss.diag.what);
	st = a.ss.st;
	sess_free(&a.ss);
	sess_free(&b.ss);
	wire_free(&a.out);
	wire_free(&b.out);
	return st;
}

/* Writes one record with fields on node n (FIELD, VALUE pairs, NULL-ended). */
static void
put(struct node *n, const char *type, const char *ref, ...)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct field_input in[8];
	struct consort_diag d = { 0 };
	const char *name, *val;
	unsigned k = 0;
	struct edit e;
	bool changed;
	va_list ap;

	va_start(ap, ref);
	while (k < 8 && (name = va_arg(ap, const char *)) != NULL) {
		val = va_arg(ap, const char *);
		in[k].f = schema_field_by_name(t, name, strlen(name));
		assert_non_null(in[k].f);
		assert_ok(schema_parse_text(in[k].f, val, strlen(val), &in[k].v,
		    &d));
		k++;
	}
	va_end(ap);
	assert_ok(edit_begin(n, &e));
	if (records_put(&e, t, ref, strlen(ref), in, k, PUT_UPSERT, false,
	    &changed, &d) != 0)
		fail_msg("put %s %s: %s", type, ref, d.what);
	assert_ok(edit_commit(&e));
}

/* The shown value of a trainee's family name on node n, or NULL if sealed. */
static bool
reads(struct node *n, const char *ref, const char *name)
{
	struct store_txn *txn;
	const struct value *v;
	struct record r;
	bool ok;

	record_init(&r);
	n->store.open_personal = true;
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, T_trainee, ref,
	    strlen(ref), &r));
	v = state_field(&n->store, &r, F_trainee_family_name);
	ok = v != NULL && tu_is_str(v, name);
	store_abort(txn);
	record_free(&r);
	n->store.open_personal = false;
	return ok;
}

/*
 * The lead and a co-contractor; trainee TA has a path in the co's session,
 * TB only in the lead's.
 */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->dir = tu_mkdtemp();
	f->lead = tu_lead_init(f->dir, "lead");
	f->co = tu_member_join(f->lead, f->dir, "co");
	put(f->lead, "lot", "L1", "sector", "Batiment", "territory", "44",
	    "rate_cents", "1000", NULL);
	put(f->lead, "session", "SC", "provider", TU_CO_SIRET, "lot", "L1", NULL);
	put(f->lead, "session", "SL", "provider", TU_LEAD_SIRET, "lot", "L1", NULL);
	put(f->lead, "trainee", "TA", "family_name", "Quixotte", "birth_year",
	    "1990", NULL);
	put(f->lead, "trainee", "TB", "family_name", "Zanzibar", NULL);
	put(f->lead, "path", "PA", "trainee", "TA", "session", "SC", NULL);
	put(f->lead, "path", "PB", "trainee", "TB", "session", "SL", NULL);
	*state = f;
	return 0;
}

/* Closes the nodes and removes their directories. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	node_close(f->lead);
	node_close(f->co);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The co reads the trainee of its session, not the lead's own. */
static void
test_entitled_only(void **state)
{
	struct fix *f = *state;
	struct sess_stats st = sync_pair(f->co, f->lead);

	assert_int_equal(st.openings.kept, 2);  /* TA: name and birth year */
	assert_true(reads(f->co, "TA", "Quixotte"));
	assert_false(reads(f->co, "TB", "Zanzibar"));
	assert_true(reads(f->lead, "TB", "Zanzibar"));
	/* nothing new: nothing asked, nothing given */
	st = sync_pair(f->co, f->lead);
	assert_int_equal(st.wanted, 0);
	assert_int_equal(st.openings.kept, 0);
}

/* Counts the messages of a kind a side sent. */
static unsigned
sent_of_kind(const struct side *sd, uint64_t kind)
{
	struct mp_reader r;
	uint64_t k;
	uint32_t n;
	unsigned count = 0;
	size_t i;

	for (i = 0; i < sd->out.n; i++) {
		mp_reader_init(&r, sd->out.msg[i], sd->out.len[i]);
		if (mp_read_array(&r, &n) == 0 && mp_read_uint(&r, &k) == 0 &&
		    k == kind)
			count++;
	}
	return count;
}

/*
 * The wanted commitments go a chunk at a time, read from the wanted table
 * after the last one sent (here one a WANT, then an empty final one), and
 * every one is answered.
 */
static void
test_wants_in_chunks(void **state)
{
	struct fix *f = *state;
	struct side a, b;

	put(f->lead, "trainee", "TC", "family_name", "Cervantes", NULL);
	put(f->lead, "path", "PC", "trainee", "TC", "session", "SC", NULL);
	side_start(&a, f->co, f->lead->pk);
	side_start(&b, f->lead, f->co->pk);
	a.ss.want_max = 1;
	pump(&a, &b);
	assert_true(sess_finished(&a.ss) && sess_finished(&b.ss));
	assert_int_equal(a.ss.st.wanted, 3);  /* TA's two, TC's name */
	assert_int_equal(sent_of_kind(&a, SM_WANT), 4);
	assert_int_equal(a.ss.st.openings.kept, 3);
	sess_free(&a.ss);
	sess_free(&b.ss);
	wire_free(&a.out);
	wire_free(&b.out);
	assert_true(reads(f->co, "TA", "Quixotte"));
	assert_true(reads(f->co, "TC", "Cervantes"));
	assert_false(reads(f->co, "TB", "Zanzibar"));
}

/* A trainee that joins the co's session reaches it at the next sync. */
static void
test_joins_later(void **state)
{
	struct fix *f = *state;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];

	(void)sync_pair(f->co, f->lead);
	assert_false(reads(f->co, "TB", "Zanzibar"));
	put(f->lead, "path", "PB", "session", "SC", NULL);
	(void)sync_pair(f->co, f->lead);
	assert_true(reads(f->co, "TB", "Zanzibar"));
	tu_state_hash(&f->lead->store, h1);
	tu_state_hash(&f->co->store, h2);
	assert_memory_equal(h1, h2, sizeof(h1));
}

/* Packs [kind, true, [item...]] with one item made by the caller. */
static msgpack_packer
msg_begin(msgpack_sbuffer *b, unsigned kind, unsigned nitems)
{
	msgpack_packer pk;

	msgpack_sbuffer_clear(b);
	msgpack_packer_init(&pk, b, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	msgpack_pack_uint32(&pk, kind);
	msgpack_pack_true(&pk);
	msgpack_pack_array(&pk, nitems);
	return pk;
}

/* The commitment TB's family name holds on node n. */
static void
commitment_of(struct node *n, const char *ref, uint8_t id[CONSORT_EID_BYTES],
    uint8_t c[CONSORT_COMMIT_BYTES])
{
	struct store_txn *txn;
	struct record r;
	const struct entry *e;

	record_init(&r);
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, T_trainee, ref,
	    strlen(ref), &r));
	e = &r.pool[r.fields[F_trainee_family_name].off];
	assert_int_equal(e->val.kind, VAL_BIN);
	memcpy(c, e->val.s, CONSORT_COMMIT_BYTES);
	memcpy(id, r.id, CONSORT_EID_BYTES);
	store_abort(txn);
	record_free(&r);
}

/* Runs a session of node n with peer until both DONEs, then feeds msg. */
static void
session_after_done(struct node *n, struct node *peer, struct side *a,
    struct side *b)
{
	side_start(a, n, peer->pk);
	side_start(b, peer, n->pk);
	pump(a, b);
	assert_true(sess_finished(&a->ss));
}

/* A member that asks for what it may not read gets nothing. */
static void
test_want_not_entitled(void **state)
{
	struct fix *f = *state;
	uint8_t id[CONSORT_EID_BYTES], c[CONSORT_COMMIT_BYTES];
	msgpack_sbuffer b;
	msgpack_packer pk;
	struct side a, p;
	struct mp_reader r;
	uint32_t n, count;
	uint64_t kind;
	bool final;

	(void)sync_pair(f->co, f->lead);
	commitment_of(f->lead, "TB", id, c);
	/* the lead's session with the co: a second WANT is refused... */
	session_after_done(f->lead, f->co, &a, &p);
	msgpack_sbuffer_init(&b);
	pk = msg_begin(&b, SM_WANT, 1);
	msgpack_pack_array(&pk, 3);
	mp_pack_bin(&pk, id, CONSORT_EID_BYTES);
	msgpack_pack_uint32(&pk, F_trainee_family_name);
	mp_pack_bin(&pk, c, CONSORT_COMMIT_BYTES);
	assert_int_not_equal(sess_receive(&a.ss, (uint8_t *)b.data, b.size), 0);
	sess_free(&a.ss);
	sess_free(&p.ss);
	wire_free(&a.out);
	wire_free(&p.out);
	/* ... and a first one for TB is answered with no opening */
	side_start(&a, f->lead, f->co->pk);
	a.ss.hello_received = true;
	assert_ok(sess_receive(&a.ss, (uint8_t *)b.data, b.size));
	mp_reader_init(&r, a.out.msg[a.out.n - 1], a.out.len[a.out.n - 1]);
	assert_ok(mp_read_array(&r, &n));
	assert_ok(mp_read_uint(&r, &kind));
	assert_int_equal(kind, SM_OPENINGS);
	assert_ok(mp_read_bool(&r, &final));
	assert_ok(mp_read_array(&r, &count));
	assert_int_equal(count, 0);
	sess_free(&a.ss);
	wire_free(&a.out);
	msgpack_sbuffer_destroy(&b);
}

/* Feeds one crafted OPENINGS to the co's session after it sent WANT. */
static int
feed_opening(struct fix *f, const struct personal_opening *o, bool *kept)
{
	struct side a, p;
	msgpack_sbuffer b;
	msgpack_packer pk;
	int rc;

	side_start(&a, f->co, f->lead->pk);
	a.ss.hello_received = true;
	a.ss.want_begun = a.ss.want_sent = true;  /* as after its WANT */
	msgpack_sbuffer_init(&b);
	pk = msg_begin(&b, SM_OPENINGS, 1);
	msgpack_pack_array(&pk, 6);
	mp_pack_bin(&pk, o->id, CONSORT_EID_BYTES);
	msgpack_pack_uint32(&pk, o->type);
	msgpack_pack_uint32(&pk, o->field);
	mp_pack_bin(&pk, o->commitment, CONSORT_COMMIT_BYTES);
	mp_pack_bin(&pk, o->salt, CONSORT_SALT_BYTES);
	mp_pack_value(&pk, &o->value);
	rc = sess_receive(&a.ss, (uint8_t *)b.data, b.size);
	*kept = a.ss.st.openings.kept > 0;
	sess_free(&a.ss);
	wire_free(&a.out);
	(void)p;
	msgpack_sbuffer_destroy(&b);
	return rc;
}

/* The opening the lead holds of a trainee's family name. */
static void
lead_opening(struct fix *f, const char *ref, struct personal_opening *o,
    uint8_t buf[PERSONAL_OPENING_MAX])
{
	uint8_t id[CONSORT_EID_BYTES], c[CONSORT_COMMIT_BYTES];
	struct store_txn *txn;

	commitment_of(f->lead, ref, id, c);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(personal_get(txn, &f->lead->store, T_trainee, id,
	    F_trainee_family_name, c, o, buf));
	store_abort(txn);
	assert_true(o->found);
}

/* A forged value is refused; one the co may not read is not kept. */
static void
test_hostile_openings(void **state)
{
	struct fix *f = *state;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct personal_opening o;
	bool kept;

	(void)sync_pair(f->co, f->lead);
	/* TB, not the co's: checked, but not kept */
	lead_opening(f, "TB", &o, buf);
	assert_ok(feed_opening(f, &o, &kept));
	assert_false(kept);
	assert_false(reads(f->co, "TB", "Zanzibar"));
	/* TA, the co's, with a value other than the one committed: refused */
	lead_opening(f, "TA", &o, buf);
	o.value = tu_str("Autre");
	assert_int_equal(feed_opening(f, &o, &kept), E(COMMITMENT));
	assert_false(kept);
	/* the right one is kept again harmlessly */
	lead_opening(f, "TA", &o, buf);
	assert_ok(feed_opening(f, &o, &kept));
	assert_true(reads(f->co, "TA", "Quixotte"));
}

/* OPENINGS the node did not ask for are refused. */
static void
test_unasked_refused(void **state)
{
	struct fix *f = *state;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct personal_opening o;
	struct side a;
	msgpack_sbuffer b;
	msgpack_packer pk;

	lead_opening(f, "TA", &o, buf);
	side_start(&a, f->co, f->lead->pk);
	a.ss.hello_received = true;
	msgpack_sbuffer_init(&b);
	pk = msg_begin(&b, SM_OPENINGS, 0);
	(void)pk;
	assert_int_equal(sess_receive(&a.ss, (uint8_t *)b.data, b.size),
	    E(BADTYPE));
	sess_free(&a.ss);
	wire_free(&a.out);
	msgpack_sbuffer_destroy(&b);
}

/* Counts the openings held of any kind (personal_foreach). */
static int
count_one(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	(void)id;
	(void)field;
	(void)c;
	(*(unsigned *)ctx)++;
	return 0;
}

/* How many openings node n holds. */
static unsigned
openings_held(struct node *n)
{
	struct store_txn *txn;
	unsigned k = 0;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(personal_foreach(txn, &n->store, count_one, &k));
	store_abort(txn);
	return k;
}

/* After an erasure no sync brings the values back. */
static void
test_erased_stays_erased(void **state)
{
	struct fix *f = *state;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct personal_opening o;
	bool kept;

	(void)sync_pair(f->co, f->lead);
	assert_true(reads(f->co, "TA", "Quixotte"));
	assert_int_equal(openings_held(f->co), 2);
	lead_opening(f, "TA", &o, buf);  /* kept before the erasure */
	put(f->lead, "trainee", "TA", "erased", "2026-11-30", "erased_reason",
	    "fin", NULL);
	(void)sync_pair(f->co, f->lead);
	assert_int_equal(openings_held(f->co), 0);
	assert_false(reads(f->co, "TA", "Quixotte"));
	/* the value the lead still has is offered: not kept */
	assert_ok(feed_opening(f, &o, &kept));
	assert_false(kept);
	(void)sync_pair(f->co, f->lead);
	assert_false(reads(f->lead, "TA", "Quixotte"));
	assert_false(reads(f->co, "TA", "Quixotte"));
}

/* A corrected value leaves no opening of the old one, here or there. */
static void
test_corrected_value_forgotten(void **state)
{
	struct fix *f = *state;

	(void)sync_pair(f->co, f->lead);
	assert_int_equal(openings_held(f->co), 2);
	put(f->lead, "trainee", "TA", "family_name", "Quichotte", NULL);
	put(f->lead, "trainee", "TA", "family_name", "Quixote", NULL);
	(void)sync_pair(f->co, f->lead);
	assert_int_equal(openings_held(f->co), 2);  /* the name, the year */
	assert_true(reads(f->co, "TA", "Quixote"));
	assert_int_equal(openings_held(f->lead), 3);  /* TB's name too */
}

/*
 * A member whose own last change-set (past a window of batches) makes it
 * entitled gets the values in that same sync: WANT waits until the peer
 * has applied all it was sent.
 */
static void
test_entitled_by_own_last_change(void **state)
{
	struct fix *f = *state;
	struct sess_stats st;
	char ref[16];
	unsigned i;

	(void)sync_pair(f->co, f->lead);
	for (i = 0; i < 5 * SESS_BATCH_MAX; i++) {
		snprintf(ref, sizeof(ref), "I%u", i);
		put(f->co, "intent", ref, "employer", "Entreprise", NULL);
	}
	put(f->co, "path", "PC", "trainee", "TB", "session", "SC", NULL);
	st = sync_pair(f->co, f->lead);
	assert_true(st.openings.kept > 0);
	assert_true(reads(f->co, "TB", "Zanzibar"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_entitled_only, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wants_in_chunks, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_joins_later, setup, teardown),
		cmocka_unit_test_setup_teardown(test_want_not_entitled, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_hostile_openings, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_unasked_refused, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_erased_stays_erased, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_corrected_value_forgotten,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_entitled_by_own_last_change,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("openings", tests, tu_group_setup,
	    NULL);
}
