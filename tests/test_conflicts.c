/*
 * Unit tests of conflicts.c: the register conflicts of the merged state
 * (competing values of a field, a deletion concurrent with an update), the
 * business conflicts listed with them, finding one by id and resolving it.
 * Node A writes locally; B and C are hand-driven concurrent authors
 * (three_authors.h).
 */
#include "three_authors.h"

#define LIST_MAX 8

/* A conflict as a scan listed it, its strings copied out. */
struct seen {
	char id[18];
	char kind[8];
	unsigned type, field, n;
	char ref[64];
	char val[4][64];	/* "(deleted)" for a deletion */
	uint8_t author[4][CONSORT_KEY_BYTES];
	uint64_t seq[4];
	char detail[1024];
};

/* What a scan listed. */
struct list {
	unsigned n;
	struct seen c[LIST_MAX];
	int stop_with;		/* returned by the callback when non-zero */
};

/* Scan callback: copies each conflict. */
static int
collect(void *ctx, const struct conflict *c)
{
	struct list *l = ctx;
	struct seen *s;
	unsigned i;

	assert_true(l->n < LIST_MAX);
	s = &l->c[l->n++];
	memset(s, 0, sizeof(*s));
	snprintf(s->id, sizeof(s->id), "%s", c->id);
	snprintf(s->kind, sizeof(s->kind), "%s", c->kind);
	snprintf(s->ref, sizeof(s->ref), "%.*s", (int)c->ref_len,
	    c->ref ? c->ref : "");
	snprintf(s->detail, sizeof(s->detail), "%s", c->detail);
	s->type = c->type;
	s->field = c->field;
	s->n = c->n;
	for (i = 0; i < c->n && i < 4; i++) {
		if (c->values[i].deletion)
			snprintf(s->val[i], sizeof(s->val[i]), "(deleted)");
		else
			value_text(s->val[i], sizeof(s->val[i]),
			    &c->values[i].val);
		memcpy(s->author[i], c->values[i].author, CONSORT_KEY_BYTES);
		s->seq[i] = c->values[i].seq;
	}
	return l->stop_with;
}

/* Lists the open conflicts of a store (of one type when type > 0). */
static struct list
scan(struct store *s, int type)
{
	struct list l;
	struct store_txn *txn;

	memset(&l, 0, sizeof(l));
	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_load_authors(txn, s));
	assert_ok(conflicts_scan(txn, s, type, collect, &l));
	store_abort(txn);
	return l;
}

/* The wire id of a field. */
static unsigned
field_id(const char *type, const char *name)
{
	const struct schema_type *t = schema_type_by_name(type);

	return schema_field_by_name(t, name, strlen(name))->id;
}

/*
 * I01 made by A (A:3); then B:1, having seen A:3 only, sets its employer
 * to "bob" while A:4, later by the clock, sets it to "alice".
 */
static void
field_conflict(struct fix *f, const char *bob)
{
	struct cs_dep d3;
	struct tu_cs b1;
	uint64_t h3;

	add_intent(f, "I01", "first");
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "intent", "I01", "employer", tu_str(bob));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	usleep(2000);
	put1(f->a, "intent", "I01", "employer", tu_str("alice"), PUT_SET);
	assert_ok(apply_a(f, &b1));
	tu_cs_free(&b1);
}

/* Resolves the conflict id on node A in one change-set. */
static int
resolve(struct fix *f, const char *id, unsigned keep, const struct value *v,
    bool del, struct consort_diag *d)
{
	struct conflict c;
	struct edit e;
	int rc;

	memset(d, 0, sizeof(*d));
	assert_ok(edit_begin(f->a, &e));
	if ((rc = conflicts_find(e.txn, &f->a->store, id, &c)) != 0 ||
	    (rc = conflicts_resolve(&e, &c, keep, v, del, d)) != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/*
 * Competing values of a field are one conflict, listed winner first, with
 * an id that another store holding the same change-sets gives it too.
 */
static void
test_field_conflict(void **state)
{
	struct fix *f = *state;
	struct list l, other;
	struct store s;
	struct tu_cs cs;
	uint64_t i, n;
	size_t k;

	field_conflict(f, "bob");
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.c[0].kind, "field");
	assert_int_equal(l.c[0].type, T_intent);
	assert_string_equal(l.c[0].ref, "I01");
	assert_int_equal(l.c[0].field, field_id("intent", "employer"));
	assert_int_equal(l.c[0].n, 2);
	assert_string_equal(l.c[0].val[0], "alice");
	assert_memory_equal(l.c[0].author[0], f->a->pk, CONSORT_KEY_BYTES);
	assert_int_equal(l.c[0].seq[0], 4);
	assert_string_equal(l.c[0].val[1], "bob");
	assert_memory_equal(l.c[0].author[1], f->b.pk, CONSORT_KEY_BYTES);
	assert_int_equal(l.c[0].seq[1], 1);
	assert_int_equal(strlen(l.c[0].id), 17);
	assert_int_equal(l.c[0].id[0], 'C');
	for (k = 1; k < 17; k++)
		assert_non_null(strchr("0123456789abcdef", l.c[0].id[k]));
	assert_int_equal(scan(&f->a->store, T_intent).n, 1);
	assert_int_equal(scan(&f->a->store, T_lot).n, 0);

	/* B's change-set first, then A's: the same conflict, the same id */
	fresh_store(f, "other", &s);
	n = tu_head(&f->a->store, f->a->pk).seq;
	for (i = 1; i <= 3; i++) {
		cs = tu_stored_cs(&f->a->store, f->a->pk, i);
		assert_ok(tu_apply_cs(&s, f->a->consortium, &cs));
		tu_cs_free(&cs);
	}
	cs = tu_stored_cs(&f->a->store, f->b.pk, 1);
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs));
	tu_cs_free(&cs);
	for (i = 4; i <= n; i++) {
		cs = tu_stored_cs(&f->a->store, f->a->pk, i);
		assert_ok(tu_apply_cs(&s, f->a->consortium, &cs));
		tu_cs_free(&cs);
	}
	other = scan(&s, 0);
	store_close(&s);
	assert_int_equal(other.n, 1);
	assert_string_equal(other.c[0].id, l.c[0].id);
	assert_string_equal(other.c[0].val[0], "alice");
}

/* Concurrent writes of one value are no conflict, nor a later write. */
static void
test_no_conflict(void **state)
{
	struct fix *f = *state;

	field_conflict(f, "alice");
	assert_int_equal(view_a(f, "intent", "I01", "employer").n, 2);
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	put1(f->a, "intent", "I01", "job", tu_str("Chef"), PUT_SET);
	assert_int_equal(scan(&f->a->store, 0).n, 0);
}

/* conflicts_find returns the listed conflict; an unknown id is E(NOENT). */
static void
test_find(void **state)
{
	struct fix *f = *state;
	struct conflict c;
	struct list l;
	struct store_txn *txn;

	field_conflict(f, "bob");
	l = scan(&f->a->store, 0);
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(conflicts_find(txn, &f->a->store, l.c[0].id, &c));
	assert_string_equal(c.id, l.c[0].id);
	assert_string_equal(c.kind, "field");
	assert_int_equal(c.n, 2);
	assert_true(tu_is_str(&c.values[1].val, "bob"));
	assert_err(conflicts_find(txn, &f->a->store, "C0000000000000000", &c),
	    E(NOENT));
	assert_err(conflicts_find(txn, &f->a->store, "", &c), E(NOENT));
	store_abort(txn);
}

/* Keeping a value ends the conflict with it; a bad choice is refused. */
static void
test_resolve_keep(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct list l;
	uint64_t seq;

	field_conflict(f, "bob");
	l = scan(&f->a->store, 0);
	seq = tu_head(&f->a->store, f->a->pk).seq;
	assert_err(resolve(f, l.c[0].id, 3, NULL, false, &d), E(INVAL));
	assert_string_equal(d.what, "no such value");
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, seq);
	assert_ok(resolve(f, l.c[0].id, 2, NULL, false, &d));
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, seq + 1);
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	assert_int_equal(view_a(f, "intent", "I01", "employer").n, 1);
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
	    "bob");
	/* resolved: no longer found */
	assert_err(resolve(f, l.c[0].id, 1, NULL, false, &d), E(NOENT));
}

/* A conflict resolved with a new value, or by unsetting the field. */
static void
test_resolve_value_or_unset(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct value v = tu_str("carol");
	struct tu_author a4_author;
	struct tu_cs a4, b2;
	struct cs_dep d4;
	struct list l;
	uint64_t h5;

	field_conflict(f, "bob");
	memcpy(a4_author.pk, f->a->pk, CONSORT_KEY_BYTES);
	l = scan(&f->a->store, 0);
	assert_ok(resolve(f, l.c[0].id, 0, &v, false, &d));
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
	    "carol");
	assert_int_equal(scan(&f->a->store, 0).n, 0);

	/* B writes again, having seen alice (A:4) but not carol (A:5) */
	(void)dep_a(f, &h5);
	a4 = tu_stored_cs(&f->a->store, f->a->pk, 4);
	d4 = dep_of(&a4_author, &a4, 4);
	tu_cs_free(&a4);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bobby"));
	b2 = sign(f, &f->b, &d4, 1, h5 + 1);
	assert_ok(apply_a(f, &b2));
	tu_cs_free(&b2);
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	assert_ok(resolve(f, l.c[0].id, 0, NULL, true, &d));
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
	    "(none)");
	assert_true(view_a(f, "intent", "I01", NULL).alive);
}

/*
 * A deletion concurrent with an update is a "delete" conflict listing the
 * deletion and the value; keeping the value brings the record back.
 */
static void
test_delete_conflict(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct cs_dep d3;
	struct tu_cs b1, c1;
	struct list l;
	uint64_t h3;

	add_intent(f, "I01", "first");
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	op(f, OP_DELETE, "intent", "I01", NULL, tu_int(0));
	c1 = sign(f, &f->c, &d3, 1, h3 + 2);
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	assert_false(view_a(f, "intent", "I01", NULL).alive);
	l = scan(&f->a->store, 0);
	/* the deletion saw job's value: only employer competes */
	assert_int_equal(l.n, 1);
	assert_string_equal(l.c[0].kind, "delete");
	assert_int_equal(l.c[0].field, field_id("intent", "employer"));
	assert_int_equal(l.c[0].n, 2);
	assert_string_equal(l.c[0].val[0], "(deleted)");
	assert_memory_equal(l.c[0].author[0], f->c.pk, CONSORT_KEY_BYTES);
	assert_string_equal(l.c[0].val[1], "bob");

	/* keeping bob recreates the record with it */
	assert_ok(resolve(f, l.c[0].id, 2, NULL, false, &d));
	assert_true(view_a(f, "intent", "I01", NULL).alive);
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
	    "bob");
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}

/* Business conflicts are listed by rule and clear only with the data. */
static void
test_business_conflicts(void **state)
{
	struct kv lot = { "sector", tu_str("B") };
	struct kv sess = { "lot", tu_str("LOT-A") };
	struct kv intent = { "employer", tu_str("Acme") };
	struct kv p1[3] = { { "trainee", tu_str("T01") }, { "session",
		tu_str("S1") }, { "intent", tu_str("I1") } };
	struct kv p2[3] = { { "trainee", tu_str("T02") }, { "session",
		tu_str("S1") }, { "intent", tu_str("I1") } };
	struct kv p3[2] = { { "trainee", tu_str("T03") }, { "session",
		tu_str("S2") } };
	struct fix *f = *state;
	struct consort_diag d;
	struct conflict c;
	struct list l;
	struct store_txn *txn;

	assert_ok(put(f->a, "lot", "LOT-A", &lot, 1, PUT_ADD));
	assert_ok(put(f->a, "session", "S1", &sess, 1, PUT_ADD));
	assert_ok(put(f->a, "session", "S2", &sess, 1, PUT_ADD));
	assert_ok(put(f->a, "intent", "I1", &intent, 1, PUT_ADD));
	add_trainee(f, "T01", "Martin");
	add_trainee(f, "T02", "Durand");
	add_trainee(f, "T03", "Petit");
	assert_ok(put(f->a, "path", "P1", p1, 3, PUT_ADD));
	assert_ok(put(f->a, "path", "P3", p3, 2, PUT_ADD));
	assert_int_equal(scan(&f->a->store, 0).n, 0);

	/* R07: one intent backs two paths */
	assert_ok(put(f->a, "path", "P2", p2, 3, PUT_ADD));
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.c[0].kind, "R07");
	assert_int_equal(l.c[0].type, T_intent);
	assert_string_equal(l.c[0].ref, "I1");
	assert_non_null(strstr(l.c[0].detail, "intent I1 backs 2 paths"));
	/* R16: a path whose session is gone */
	assert_ok(tu_del(f->a, "session", "S2"));
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 2);
	assert_string_equal(l.c[1].kind, "R16");
	assert_string_equal(l.c[1].ref, "P3");
	assert_int_equal(scan(&f->a->store, T_intent).n, 1);
	assert_int_equal(scan(&f->a->store, T_path).n, 1);
	assert_string_equal(scan(&f->a->store, T_path).c[0].kind, "R16");
	assert_int_equal(scan(&f->a->store, T_session).n, 0);

	/* found by id, without its values; never resolved by hand */
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(conflicts_find(txn, &f->a->store, l.c[0].id, &c));
	store_abort(txn);
	assert_string_equal(c.kind, "R07");
	assert_null(c.ref);
	assert_int_equal(c.n, 0);
	assert_err(resolve(f, l.c[0].id, 1, NULL, false, &d), E(PERM));
	assert_non_null(strstr(d.what, "intent I1 backs 2 paths"));
	/* the data changes: the conflict clears */
	assert_ok(tu_del(f->a, "path", "P2"));
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.c[0].kind, "R16");
}

/* A callback's non-zero return stops the scan and is returned. */
static void
test_scan_stops(void **state)
{
	struct fix *f = *state;
	struct cs_dep d3;
	struct tu_cs b1;
	struct list l;
	struct store_txn *txn;
	uint64_t h3;

	add_intent(f, "I01", "first");
	add_intent(f, "I02", "second");
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("b1"));
	op(f, OP_SET, "intent", "I02", "employer", tu_str("b2"));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	put1(f->a, "intent", "I01", "employer", tu_str("a1"), PUT_SET);
	put1(f->a, "intent", "I02", "employer", tu_str("a2"), PUT_SET);
	assert_ok(apply_a(f, &b1));
	tu_cs_free(&b1);
	assert_int_equal(scan(&f->a->store, 0).n, 2);
	memset(&l, 0, sizeof(l));
	l.stop_with = 7;
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_int_equal(conflicts_scan(txn, &f->a->store, 0, collect, &l), 7);
	store_abort(txn);
	assert_int_equal(l.n, 1);
}

/*
 * Competing values of a personal field are commitments: the conflict lists
 * them as the log signed them, and keeping one writes that commitment
 * again.
 */
static void
test_personal_conflict(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct store_txn *txn;
	struct conflict c;
	struct cs_dep d3;
	struct tu_cs b1, a6;
	struct changeset cs;
	struct list l, other;
	uint8_t bc[CONSORT_COMMIT_BYTES];
	uint64_t h3;
	struct view w;

	add_trainee(f, "T01", "Martin");
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("Durand"));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	usleep(2000);
	put1(f->a, "trainee", "T01", "family_name", tu_str("Bernard"),
	    PUT_SET);
	assert_ok(apply_a(f, &b1));
	tu_cs_free(&b1);
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	assert_string_equal(l.c[0].kind, "field");
	assert_int_equal(l.c[0].type, T_trainee);
	assert_int_equal(l.c[0].field, F_trainee_family_name);
	assert_int_equal(l.c[0].n, 2);
	assert_string_equal(l.c[0].val[0], "(commitment)");
	assert_memory_equal(l.c[0].author[0], f->a->pk, CONSORT_KEY_BYTES);
	assert_string_equal(l.c[0].val[1], "(commitment)");
	assert_memory_equal(l.c[0].author[1], f->b.pk, CONSORT_KEY_BYTES);
	/* listed opened where A can read: its own value, one conflict id */
	f->a->store.open_personal = true;
	other = scan(&f->a->store, 0);
	f->a->store.open_personal = false;
	assert_int_equal(other.n, 1);
	assert_string_equal(other.c[0].id, l.c[0].id);
	assert_string_equal(other.c[0].val[0], "Bernard");
	assert_string_equal(other.c[0].val[1], "(commitment)");
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(conflicts_find(txn, &f->a->store, l.c[0].id, &c));
	assert_int_equal(c.values[1].val.kind, VAL_BIN);
	assert_int_equal(c.values[1].val.len, CONSORT_COMMIT_BYTES);
	memcpy(bc, c.values[1].val.s, sizeof(bc));
	store_abort(txn);

	/* keeping B's: A signs B's commitment, which it cannot open */
	assert_ok(resolve(f, l.c[0].id, 2, NULL, false, &d));
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "(commitment)");
	a6 = tu_stored_cs(&f->a->store, f->a->pk,
	    tu_head(&f->a->store, f->a->pk).seq);
	assert_ok(cs_decode(a6.p, a6.len, &cs, NULL));
	assert_int_equal(cs.nops, 1);
	assert_int_equal(cs.ops[0].val.kind, VAL_BIN);
	assert_memory_equal(cs.ops[0].val.s, bc, sizeof(bc));
	cs_free(&cs);
	tu_cs_free(&a6);
}

/*
 * A conflict of a personal field resolved with a new value: the value is
 * written as a commitment whose opening A keeps, as records_put does.
 */
static void
test_personal_resolve_value(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct value v = tu_str("Petit");
	struct changeset cs;
	struct cs_dep d3;
	struct tu_cs b1, a6;
	struct list l;
	uint64_t h3, seq;
	struct view w;
	int rc;

	add_trainee(f, "T01", "Martin");
	d3 = dep_a(f, &h3);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("Durand"));
	b1 = sign(f, &f->b, &d3, 1, h3 + 1);
	usleep(2000);
	put1(f->a, "trainee", "T01", "family_name", tu_str("Bernard"),
	    PUT_SET);
	assert_ok(apply_a(f, &b1));
	tu_cs_free(&b1);
	l = scan(&f->a->store, 0);
	assert_int_equal(l.n, 1);
	seq = tu_head(&f->a->store, f->a->pk).seq;
	rc = resolve(f, l.c[0].id, 0, &v, false, &d);
	assert_ok(rc);
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, seq + 1);
	assert_int_equal(scan(&f->a->store, 0).n, 0);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "Petit");
	a6 = tu_stored_cs(&f->a->store, f->a->pk,
	    tu_head(&f->a->store, f->a->pk).seq);
	assert_ok(cs_decode(a6.p, a6.len, &cs, NULL));
	assert_int_equal(cs.ops[0].val.kind, VAL_BIN);
	cs_free(&cs);
	tu_cs_free(&a6);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_field_conflict),
		T(test_no_conflict),
		T(test_find),
		T(test_resolve_keep),
		T(test_resolve_value_or_unset),
		T(test_delete_conflict),
		T(test_business_conflicts),
		T(test_scan_stops),
		T(test_personal_conflict),
		T(test_personal_resolve_value),
	};
#undef T

	return cmocka_run_group_tests_name("conflicts", tests, tu_group_setup,
	    NULL);
}
