/*
 * Unit tests of merge.c and log.c through real nodes: node A is made with
 * node_init and written with records_put; the concurrent authors B and C
 * are hand-driven key pairs whose change-sets are built with csb_* and
 * applied with log_apply, their deps saying what each had seen.
 */
#include "testutil.h"

#define VIEW_MAX 8
#define SIRET_B "83046172900451"
#define SIRET_C "50324917900212"

/* A node A, two other authors, and the temporary directory of it all. */
struct fix {
	char *dir;
	struct node *a;
	struct tu_author b, c;
	struct cs_builder cb;
};

/* A field-name / value pair for records_put. */
struct kv {
	const char *name;
	struct value v;
};

/* One record to write with records_put. */
struct rec {
	const char *type, *ref;
	const struct kv *kv;
	unsigned nkv;
	enum put_mode mode;
};

/* A copy of one register of a record, taken inside a read transaction. */
struct view {
	bool found, alive;
	uint32_t n;
	char val[VIEW_MAX][128];
	uint8_t author[VIEW_MAX][CONSORT_KEY_BYTES];
	uint64_t seq[VIEW_MAX];
	char win[128];		/* the displayed value, "(none)" when unset */
};

/* Writes records in one local change-set of node n. */
static int
put_recs(struct node *n, const struct rec *recs, unsigned nrecs)
{
	struct field_input in[SCHEMA_MAX_FIELDS];
	const struct schema_type *t;
	struct consort_diag d = { 0 };
	struct edit e;
	unsigned i, k;
	bool changed;
	int rc = 0;

	assert_ok(edit_begin(n, &e));
	for (k = 0; k < nrecs && rc == 0; k++) {
		t = schema_type_by_name(recs[k].type);
		assert_non_null(t);
		for (i = 0; i < recs[k].nkv; i++) {
			in[i].f = schema_field_by_name(t, recs[k].kv[i].name,
			    strlen(recs[k].kv[i].name));
			assert_non_null(in[i].f);
			in[i].v = recs[k].kv[i].v;
		}
		rc = records_put(&e, t, recs[k].ref, strlen(recs[k].ref), in,
		    recs[k].nkv, recs[k].mode, true, &changed, &d);
	}
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/*
 * Per-test setup: node A, the lead, in a fresh directory, with B and C
 * co-contractors of its genesis (A:1) whose keys A binds in A:2, so that
 * their change-sets are members' ones.
 */
static int
setup(void **state)
{
	struct genesis_member co[2] = {
		{ "Co Formation B", SIRET_B }, { "Co Formation C", SIRET_C },
	};
	struct genesis g = {
		"Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, co, 2
	};
	char path[4096], hb[2 * CONSORT_KEY_BYTES + 1],
	    hc[2 * CONSORT_KEY_BYTES + 1];
	struct kv kb = { "key", tu_str("") }, kc = kb;
	struct rec bind[2] = {
		{ "member", SIRET_B, &kb, 1, PUT_SET },
		{ "member", SIRET_C, &kc, 1, PUT_SET },
	};
	struct consort_diag d = { 0 };
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(path, sizeof(path), f->dir, "a");
	if (node_init(path, &g, NULL, 0, &f->a, &d) != 0)
		return -1;
	tu_author_init(&f->b, 0xb0);
	tu_author_init(&f->c, 0xc0);
	csb_init(&f->cb);
	util_hex(hb, f->b.pk, CONSORT_KEY_BYTES);
	util_hex(hc, f->c.pk, CONSORT_KEY_BYTES);
	kb.v = tu_str(hb);
	kc.v = tu_str(hc);
	assert_ok(put_recs(f->a, bind, 2));
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 2);
	*state = f;
	return 0;
}

/* Per-test teardown: closes the node and removes the directory. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	csb_free(&f->cb);
	node_close(f->a);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Writes one record in one local change-set of node n. */
static int
put(struct node *n, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode)
{
	struct rec r = { type, ref, kv, nkv, mode };

	return put_recs(n, &r, 1);
}

/* Sets one field of a record on node n, in its own change-set. */
static void
put1(struct node *n, const char *type, const char *ref, const char *name,
    struct value v, enum put_mode mode)
{
	struct kv kv = { name, v };

	assert_ok(put(n, type, ref, &kv, 1, mode));
}

/* Adds one op to the peers' builder: kind on (type, ref), field by name. */
static void
op(struct fix *f, unsigned kind, const char *type, const char *ref,
    const char *name, struct value v)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct schema_field *fl = NULL;
	uint8_t id[CONSORT_EID_BYTES];

	assert_non_null(t);
	if (name != NULL) {
		fl = schema_field_by_name(t, name, strlen(name));
		assert_non_null(fl);
	}
	node_entity_id(f->a, t->id, ref, strlen(ref), id);
	csb_op(&f->cb, kind, t->id, id, fl ? fl->id : 0,
	    kind == OP_DELETE || kind == OP_UNSET ? NULL : &v);
}

/* Signs the builder's ops as author p, with deps and an hlc. */
static struct tu_cs
sign(struct fix *f, struct tu_author *p, const struct cs_dep *deps,
    uint32_t ndeps, uint64_t hlc)
{
	return tu_author_sign(p, f->a->consortium, deps, ndeps, hlc, &f->cb);
}

/* A dep on a hand-driven author's last change-set. */
static struct cs_dep
dep_tip(const struct tu_author *p)
{
	struct cs_dep d;

	assert_true(p->seq > 0);
	memcpy(d.author, p->pk, CONSORT_KEY_BYTES);
	d.seq = p->seq;
	memcpy(d.hash, p->prev, CONSORT_HASH_BYTES);
	return d;
}

/* A dep on change-set seq of author p, kept as cs. */
static struct cs_dep
dep_of(const struct tu_author *p, const struct tu_cs *cs, uint64_t seq)
{
	struct cs_dep d;

	memcpy(d.author, p->pk, CONSORT_KEY_BYTES);
	d.seq = seq;
	keys_hash(d.hash, cs->p, cs->len - CONSORT_SIG_BYTES);
	return d;
}

/* Node A's head as a dep, and its hlc. */
static struct cs_dep
dep_a(struct fix *f, uint64_t *hlc)
{
	if (hlc != NULL)
		*hlc = tu_head(&f->a->store, f->a->pk).hlc;
	return tu_dep(&f->a->store, f->a->pk);
}

/* Applies a change-set to node A's store. */
static int
apply_a(struct fix *f, const struct tu_cs *cs)
{
	return tu_apply_cs(&f->a->store, f->a->consortium, cs);
}

/* Writes a value as text for comparisons. */
static void
value_text(char *buf, size_t len, const struct value *v)
{
	switch (v->kind) {
	case VAL_NIL:
		snprintf(buf, len, "(nil)");
		break;
	case VAL_BOOL:
		snprintf(buf, len, "%s", v->b ? "true" : "false");
		break;
	case VAL_INT:
		snprintf(buf, len, "%lld", (long long)v->i);
		break;
	case VAL_STR:
		snprintf(buf, len, "%.*s", (int)v->len, v->s);
		break;
	}
}

/* Copies a register of (type, ref) out of a store: a field, or existence. */
static struct view
view(struct store *s, const uint8_t *founder, const char *type,
    const char *ref, const char *name)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct value *win;
	const struct entry *e;
	const struct reg *g;
	struct record r;
	struct view w;
	MDB_txn *txn;
	uint32_t i;

	memset(&w, 0, sizeof(w));
	record_init(&r);
	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_lookup(txn, s, founder, t->id, ref, strlen(ref), &r));
	w.found = r.found;
	w.alive = record_alive(s, &r);
	if (name == NULL)
		g = &r.exist;
	else
		g = &r.fields[schema_field_by_name(t, name, strlen(name))->id];
	w.n = g->n;
	assert_true(w.n <= VIEW_MAX);
	for (i = 0; i < g->n; i++) {
		e = &r.pool[g->off + i];
		value_text(w.val[i], sizeof(w.val[i]), &e->val);
		memcpy(w.author[i], s->authors[e->author], CONSORT_KEY_BYTES);
		w.seq[i] = e->seq;
	}
	snprintf(w.win, sizeof(w.win), "(none)");
	if (name != NULL && (win = state_field(s, &r,
	    schema_field_by_name(t, name, strlen(name))->id)) != NULL)
		value_text(w.win, sizeof(w.win), win);
	else if (name == NULL && (e = record_winner(s, &r, g)) != NULL)
		value_text(w.win, sizeof(w.win), &e->val);
	mdb_txn_abort(txn);
	record_free(&r);
	return w;
}

/* A view of node A's store. */
static struct view
view_a(struct fix *f, const char *type, const char *ref, const char *name)
{
	return view(&f->a->store, f->a->founder, type, ref, name);
}

/* Whether a view holds the entry (author, seq) with that value. */
static bool
has(const struct view *w, const uint8_t *author, uint64_t seq, const char *val)
{
	uint32_t i;

	for (i = 0; i < w->n; i++)
		if (memcmp(w->author[i], author, CONSORT_KEY_BYTES) == 0 &&
		    w->seq[i] == seq && strcmp(w->val[i], val) == 0)
			return true;
	return false;
}

/* Live records of a type in a store. */
static uint64_t
count(struct store *s, unsigned type)
{
	MDB_txn *txn;
	uint64_t n;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_count(txn, s, type, &n));
	mdb_txn_abort(txn);
	return n;
}

/* Opens an empty store beside node A, judging permissions as A's does. */
static void
fresh_store(struct fix *f, const char *name, struct store *s)
{
	char path[4096];

	tu_path(path, sizeof(path), f->dir, name);
	assert_ok(store_open(s, path, true));
	memcpy(s->founder, f->a->founder, CONSORT_KEY_BYTES);
	s->has_founder = true;
}

/* Adds trainee ref on node A with a family name and a given name. */
static void
add_trainee(struct fix *f, const char *ref, const char *family)
{
	struct kv kv[2] = {
		{ "family_name", tu_str(family) },
		{ "given_name", tu_str("Ann") },
	};

	assert_ok(put(f->a, "trainee", ref, kv, 2, PUT_ADD));
}

/* A later local write replaces an earlier one: one entry. */
static void
test_sequential_local(void **state)
{
	struct fix *f = *state;
	struct view w;

	add_trainee(f, "T01", "first");
	put1(f->a, "trainee", "T01", "family_name", tu_str("second"), PUT_SET);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "second"));
	assert_string_equal(w.win, "second");
	w = view_a(f, "trainee", "T01", "given_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 3, "Ann"));
	w = view_a(f, "trainee", "T01", NULL);
	assert_true(w.alive);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 3, "T01"));
	assert_int_equal(count(&f->a->store, T_trainee), 1);
}

/* A peer's write that saw A's replaces it; A's next replaces the peer's. */
static void
test_sequential_across_authors(void **state)
{
	struct fix *f = *state;
	struct cs_dep d;
	struct tu_cs b1, a4;
	struct changeset cs;
	uint64_t hlc;
	struct view w;

	add_trainee(f, "T01", "alice");
	d = dep_a(f, &hlc);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	/* an older clock does not matter: causality decides */
	b1 = sign(f, &f->b, &d, 1, hlc - 1000);
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_string_equal(w.win, "bob");

	put1(f->a, "trainee", "T01", "family_name", tu_str("alice again"),
	    PUT_SET);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "alice again"));
	/* A's change-set names B's head among its deps */
	a4 = tu_stored_cs(&f->a->store, f->a->pk, 4);
	assert_ok(cs_decode(a4.p, a4.len, &cs, NULL));
	assert_int_equal(cs.ndeps, 1);
	assert_memory_equal(cs.deps[0].author, f->b.pk, CONSORT_KEY_BYTES);
	assert_int_equal(cs.deps[0].seq, 1);
	assert_memory_equal(cs.deps[0].hash, f->b.prev, CONSORT_HASH_BYTES);
	cs_free(&cs);
	tu_cs_free(&a4);
	tu_cs_free(&b1);
}

/* Concurrent writes keep both entries; the larger (hlc, author) is shown. */
static void
test_concurrent_winner(void **state)
{
	struct kv alice = { "family_name", tu_str("alice") };
	struct rec sectors[3] = {
		{ "trainee", "T01", &alice, 1, PUT_SET },
		{ "trainee", "T02", &alice, 1, PUT_SET },
		{ "trainee", "T03", &alice, 1, PUT_SET },
	};
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1, b2, b3;
	uint64_t h3;
	struct view w;
	char *json;

	add_trainee(f, "T01", "a1");
	add_trainee(f, "T02", "a2");
	add_trainee(f, "T03", "a3");
	d2 = dep_a(f, NULL);		/* A:5, the last creation */
	/* A writes all three sectors in A:6, not knowing B */
	assert_ok(put_recs(f->a, sectors, 3));
	h3 = tu_head(&f->a->store, f->a->pk).hlc;
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 6);
	/* B, having seen the creations only, writes each with another clock */
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h3 + 1);
	op(f, OP_SET, "trainee", "T02", "family_name", tu_str("bob"));
	b2 = sign(f, &f->b, &d2, 1, h3 - 1);
	op(f, OP_SET, "trainee", "T03", "family_name", tu_str("bob"));
	b3 = sign(f, &f->b, &d2, 1, h3);
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &b2));
	assert_ok(apply_a(f, &b3));

	/* a later clock wins */
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 6, "alice"));
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_string_equal(w.win, "bob");
	/* an earlier clock loses, even from a later change-set of B */
	w = view_a(f, "trainee", "T02", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 6, "alice"));
	assert_true(has(&w, f->b.pk, 2, "bob"));
	assert_string_equal(w.win, "alice");
	/* equal clocks: the larger author key wins */
	w = view_a(f, "trainee", "T03", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 3, "bob"));
	assert_string_equal(w.win, memcmp(f->b.pk, f->a->pk,
	    CONSORT_KEY_BYTES) > 0 ? "bob" : "alice");
	/* untouched fields keep their single entry */
	w = view_a(f, "trainee", "T02", "given_name");
	assert_int_equal(w.n, 1);

	/* the export shows the displayed values */
	json = tu_export(&f->a->store);
	assert_non_null(strstr(json, "\"T01\":{\"family_name\":\"bob\""));
	assert_non_null(strstr(json, "\"T02\":{\"family_name\":\"alice\""));
	free(json);
	tu_cs_free(&b1);
	tu_cs_free(&b2);
	tu_cs_free(&b3);
}

/* With equal clocks the larger author key is shown, in any arrival order. */
static void
test_tie_on_author_key(void **state)
{
	struct fix *f = *state;
	const char *big;
	struct tu_cs b1, c1;
	struct cs_dep d3;
	struct store s;
	struct view w;
	unsigned i;

	add_trainee(f, "T01", "a");
	d3 = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d3, 1, 1000);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("carol"));
	c1 = sign(f, &f->c, &d3, 1, 1000);
	big = memcmp(f->b.pk, f->c.pk, CONSORT_KEY_BYTES) > 0 ? "bob" : "carol";
	/* node A gets B:1 first, a fresh store C:1 first */
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	fresh_store(f, "other", &s);
	for (i = 1; i <= 3; i++) {
		struct tu_cs a = tu_stored_cs(&f->a->store, f->a->pk, i);

		assert_ok(tu_apply_cs(&s, f->a->consortium, &a));
		tu_cs_free(&a);
	}
	assert_ok(tu_apply_cs(&s, f->a->consortium, &c1));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_string_equal(w.win, big);
	assert_string_equal(w.val[0], "bob");	/* arrival order differs... */
	w = view(&s, f->a->founder, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_string_equal(w.win, big);	/* ...the winner does not */
	assert_string_equal(w.val[0], "carol");
	store_close(&s);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}

/* Three concurrent writes keep three entries; one that saw all leaves one. */
static void
test_three_way_then_resolve(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1, c1;
	uint64_t h2;
	struct view w;

	add_trainee(f, "T01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "trainee", "T01", "family_name", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("carol"));
	c1 = sign(f, &f->c, &d2, 1, UINT64_C(1) << 62);
	assert_ok(apply_a(f, &c1));
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 3);
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_true(has(&w, f->b.pk, 1, "bob"));
	assert_true(has(&w, f->c.pk, 1, "carol"));
	assert_string_equal(w.win, "carol");

	/* writing the displayed value again is a change: it resolves */
	put1(f->a, "trainee", "T01", "family_name", tu_str("carol"), PUT_SET);
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 5);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 5, "carol"));
	/* and once resolved, the same value again appends nothing */
	put1(f->a, "trainee", "T01", "family_name", tu_str("carol"), PUT_SET);
	assert_int_equal(tu_head(&f->a->store, f->a->pk).seq, 5);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}

/* A peer's write whose deps cover every competing entry resolves them. */
static void
test_resolve_by_peer(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2, deps[2];
	struct tu_cs b1, c1, b2;
	uint64_t h2;
	struct view w;

	add_trainee(f, "T01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "trainee", "T01", "family_name", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("carol"));
	c1 = sign(f, &f->c, &d2, 1, h2 + 2);
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	assert_int_equal(view_a(f, "trainee", "T01", "family_name").n, 3);

	/* B has seen C:1 but not A:4: A's entry stays */
	deps[0] = d2;
	deps[1] = dep_tip(&f->c);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob2"));
	b2 = sign(f, &f->b, deps, 2, 5);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_true(has(&w, f->b.pk, 2, "bob2"));
	assert_string_equal(w.win, "alice");	/* hlc 5 is older */
	tu_cs_free(&b2);

	/* B has now seen A:4 too */
	deps[0] = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob3"));
	b2 = sign(f, &f->b, deps, 2, 6);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 3, "bob3"));
	tu_cs_free(&b1);
	tu_cs_free(&c1);
	tu_cs_free(&b2);
}

/* An unset concurrent with a set keeps both; a nil winner shows no value. */
static void
test_concurrent_unset(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2;
	struct tu_cs b1;
	uint64_t h2;
	struct view w;

	add_trainee(f, "T01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "trainee", "T01", "family_name", tu_str("alice"), PUT_SET);
	op(f, OP_UNSET, "trainee", "T01", "family_name", tu_int(0));
	b1 = sign(f, &f->b, &d2, 1, UINT64_MAX);
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 1, "(nil)"));
	assert_true(has(&w, f->a->pk, 4, "alice"));
	assert_string_equal(w.win, "(none)");
	tu_cs_free(&b1);
}

/* Delete vs concurrent update: the record is gone, the update's entry stays. */
static void
test_delete_vs_update(void **state)
{
	struct fix *f = *state;
	uint8_t ha[CONSORT_HASH_BYTES], hs[CONSORT_HASH_BYTES];
	struct tu_cs a[4], b1;
	struct store s;
	struct cs_dep d2;
	uint64_t h2;
	struct view w;
	unsigned i;
	char *json;

	add_trainee(f, "T01", "a");
	d2 = dep_a(f, &h2);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);
	assert_ok(tu_del(f->a, "trainee", "T01"));		/* A:4 */
	assert_ok(apply_a(f, &b1));

	w = view_a(f, "trainee", "T01", NULL);
	assert_true(w.found);
	assert_false(w.alive);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 4, "(nil)"));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 1, "bob"));
	w = view_a(f, "trainee", "T01", "given_name");
	assert_int_equal(w.n, 0);
	assert_int_equal(count(&f->a->store, T_trainee), 0);
	json = tu_export(&f->a->store);
	assert_string_equal(json, "{}");
	free(json);

	/* the other order gives the same state */
	for (i = 0; i < 4; i++)
		a[i] = tu_stored_cs(&f->a->store, f->a->pk, i + 1);
	fresh_store(f, "other", &s);
	for (i = 0; i < 3; i++)
		assert_ok(tu_apply_cs(&s, f->a->consortium, &a[i]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &b1));
	w = view(&s, f->a->founder, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "bob");
	assert_ok(tu_apply_cs(&s, f->a->consortium, &a[3]));
	tu_state_hash(&f->a->store, ha);
	tu_state_hash(&s, hs);
	assert_memory_equal(ha, hs, CONSORT_HASH_BYTES);
	store_close(&s);

	/* a write that has seen the delete brings the record back, alone */
	put1(f->a, "trainee", "T01", "family_name", tu_str("again"), PUT_ADD);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->a->pk, 5, "again"));
	assert_true(view_a(f, "trainee", "T01", NULL).alive);
	assert_int_equal(view_a(f, "trainee", "T01", NULL).n, 1);
	for (i = 0; i < 4; i++)
		tu_cs_free(&a[i]);
	tu_cs_free(&b1);
}

/* The change-sets of the scenario: A1 genesis, A2 key binding, then edits. */
enum { A1, A2, A3, A4, A5, B1, B2, C1, C2, NCS };

/*
 * The scenario of the order tests, written into node A in A's own order:
 * A:3 creates T01 and T02; B:1 and C:1 write T01 concurrently with A:4, C:1
 * deletes T02; B:2 (after C:1) revives T02; C:2 (after A:4 and B:1)
 * resolves T01's family name; A:5 has seen everything.  T01's status keeps
 * three concurrent entries (A:4, B:1, C:1) and its ft_id two (A:4, B:2).
 */
static void
scenario(struct fix *f, struct tu_cs cs[NCS])
{
	struct kv t01[3] = {
		{ "family_name", tu_str("A-name") },
		{ "given_name", tu_str("Ann") },
		{ "birth_year", tu_int(1980) },
	};
	struct kv a4[4] = {
		{ "family_name", tu_str("A2") },
		{ "given_name", tu_str("Anna") },
		{ "status", tu_str("siae_employee") },
		{ "ft_id", tu_str("FA") },
	};
	struct kv t02 = { "family_name", tu_str("x") };
	struct rec a3[2] = {
		{ "trainee", "T01", t01, 3, PUT_ADD },
		{ "trainee", "T02", &t02, 1, PUT_ADD },
	};
	struct cs_dep d3, d4, deps[2];
	uint64_t h3, h4;
	unsigned i;

	assert_ok(put_recs(f->a, a3, 2));
	d3 = dep_a(f, &h3);

	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("B-name"));
	op(f, OP_SET, "trainee", "T01", "birth_year", tu_int(1981));
	op(f, OP_SET, "trainee", "T01", "status", tu_str("employee"));
	cs[B1] = sign(f, &f->b, &d3, 1, h3 + 1);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("C-name"));
	op(f, OP_SET, "trainee", "T01", "status", tu_str("job_seeker"));
	op(f, OP_DELETE, "trainee", "T02", NULL, tu_int(0));
	cs[C1] = sign(f, &f->c, &d3, 1, h3 + 2);

	/* a millisecond later, A's clock is past B:1's and C:1's */
	usleep(2000);
	assert_ok(put(f->a, "trainee", "T01", a4, 4, PUT_SET));
	d4 = dep_a(f, &h4);
	assert_ok(apply_a(f, &cs[B1]));
	assert_ok(apply_a(f, &cs[C1]));

	deps[0] = d3;
	deps[1] = dep_tip(&f->c);
	op(f, OP_SET, "trainee", "T01", "birth_year", tu_int(1982));
	op(f, OP_SET, "trainee", "T01", "ft_id", tu_str("FB"));
	op(f, OP_CREATE, "trainee", "T02", NULL, tu_str("T02"));
	op(f, OP_SET, "trainee", "T02", "family_name", tu_str("revived"));
	cs[B2] = sign(f, &f->b, deps, 2, h4 + 5);
	deps[0] = d4;
	deps[1] = dep_of(&f->b, &cs[B1], 1);	/* C has seen B:1, not B:2 */
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("C2"));
	cs[C2] = sign(f, &f->c, deps, 2, h4 + 6);
	assert_ok(apply_a(f, &cs[B2]));
	assert_ok(apply_a(f, &cs[C2]));

	put1(f->a, "trainee", "T01", "given_name", tu_str("Anne"), PUT_SET);
	for (i = A1; i <= A5; i++)
		cs[i] = tu_stored_cs(&f->a->store, f->a->pk, i - A1 + 1);
}

/* Applies change-sets to a fresh store in the given order; returns its hash. */
static void
replay_in_order(struct fix *f, const char *name, struct tu_cs cs[NCS],
    const int *order, unsigned n, uint8_t hash[CONSORT_HASH_BYTES],
    char **json)
{
	struct store s;
	unsigned i;

	fresh_store(f, name, &s);
	for (i = 0; i < n; i++)
		if (tu_apply_cs(&s, f->a->consortium, &cs[order[i]]) != 0)
			fail_msg("%s: change-set %u of the order refused", name,
			    i);
	tu_state_hash(&s, hash);
	if (json != NULL)
		*json = tu_export(&s);
	store_close(&s);
}

/* The same change-sets in different causal orders give one state hash. */
static void
test_order_independence(void **state)
{
	static const int y[] = { A1, A2, A3, C1, B1, B2, A4, C2, A5 };
	static const int z[] = { A1, A2, A3, B1, A4, C1, C2, B2, A5 };
	static const int partial[] = { A1, A2, A3, B1, A4, C1, C2, B2 };
	uint8_t hx[CONSORT_HASH_BYTES], hy[CONSORT_HASH_BYTES],
	    hz[CONSORT_HASH_BYTES], hp[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_cs cs[NCS];
	char *jx, *jy, *jz;
	struct view w;
	unsigned i;

	scenario(f, cs);
	tu_state_hash(&f->a->store, hx);
	jx = tu_export(&f->a->store);
	assert_string_equal(jx, "{\"trainee\":{"
	    "\"T01\":{\"birth_year\":1982,\"family_name\":\"C2\","
	    "\"ft_id\":\"FB\",\"given_name\":\"Anne\","
	    "\"status\":\"siae_employee\"},"
	    "\"T02\":{\"family_name\":\"revived\"}}}");
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->c.pk, 2, "C2"));
	w = view_a(f, "trainee", "T01", "birth_year");
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 2, "1982"));
	w = view_a(f, "trainee", "T02", NULL);
	assert_int_equal(w.n, 1);
	assert_true(has(&w, f->b.pk, 2, "T02"));
	w = view_a(f, "trainee", "T01", "status");
	assert_int_equal(w.n, 3);
	assert_true(has(&w, f->a->pk, 4, "siae_employee"));
	assert_true(has(&w, f->b.pk, 1, "employee"));
	assert_true(has(&w, f->c.pk, 1, "job_seeker"));
	w = view_a(f, "trainee", "T01", "ft_id");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->a->pk, 4, "FA"));
	assert_true(has(&w, f->b.pk, 2, "FB"));

	replay_in_order(f, "y", cs, y, nitems(y), hy, &jy);
	replay_in_order(f, "z", cs, z, nitems(z), hz, &jz);
	assert_memory_equal(hx, hy, CONSORT_HASH_BYTES);
	assert_memory_equal(hx, hz, CONSORT_HASH_BYTES);
	assert_string_equal(jx, jy);
	assert_string_equal(jx, jz);
	/* without A:5 the state differs: the hash covers it */
	replay_in_order(f, "p", cs, partial, nitems(partial), hp, NULL);
	assert_memory_not_equal(hx, hp, CONSORT_HASH_BYTES);
	free(jx);
	free(jy);
	free(jz);
	for (i = 0; i < NCS; i++)
		tu_cs_free(&cs[i]);
}

/* A rebuild from the log of a multi-author store gives the same state hash. */
static void
test_replay_multi_author(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], empty[CONSORT_HASH_BYTES],
	    after[CONSORT_HASH_BYTES];
	struct log_replay_stats st;
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct tu_cs cs[NCS];
	MDB_txn *txn;
	unsigned i;

	scenario(f, cs);
	tu_state_hash(&f->a->store, before);
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(store_clear_state(txn, &f->a->store));
	assert_ok(state_hash(txn, &f->a->store, empty));
	assert_memory_not_equal(before, empty, CONSORT_HASH_BYTES);
	assert_ok(log_replay(txn, &f->a->store, f->a->consortium, &st, &d));
	assert_int_equal(st.changesets, NCS);
	assert_ok(store_commit(txn));
	tu_state_hash(&f->a->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	for (i = 0; i < NCS; i++)
		tu_cs_free(&cs[i]);
}

/* A change-set whose dep is not stored is refused, and nothing changes. */
static void
test_refuse_missing_dep(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct cs_dep d;
	struct tu_author b0;
	struct tu_cs b1;

	add_trainee(f, "T01", "a");
	tu_state_hash(&f->a->store, before);
	b0 = f->b;
	d = dep_a(f, NULL);
	d.seq = 9;			/* a seq A has not reached */
	memset(d.hash, 0x99, CONSORT_HASH_BYTES);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(CAUSAL));
	tu_cs_free(&b1);

	/* a stored change-set, named with the wrong seq */
	f->b = b0;
	d = dep_a(f, NULL);
	d.seq = 1;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(CAUSAL));
	tu_cs_free(&b1);

	/* a change-set of C that B's depends on, not yet here */
	f->b = b0;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("carol"));
	b1 = sign(f, &f->c, NULL, 0, 1);
	tu_cs_free(&b1);
	d = dep_tip(&f->c);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(CAUSAL));
	tu_cs_free(&b1);

	tu_state_hash(&f->a->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 0);
}

/* A gap in an author's seq, or a wrong prev, breaks the chain. */
static void
test_refuse_gap(void **state)
{
	struct fix *f = *state;
	struct tu_cs b1, b2, b3;
	struct tu_author b2tip;
	struct cs_dep d;

	add_trainee(f, "T01", "a");
	d = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("b1"));
	b1 = sign(f, &f->b, &d, 1, 1);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("b2"));
	b2 = sign(f, &f->b, &d, 1, 2);
	b2tip = f->b;
	assert_err(apply_a(f, &b2), E(CHAIN));		/* B:1 missing */
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 0);
	assert_ok(apply_a(f, &b1));
	/* B:3 whose prev is not B:2's id, after B:2 */
	assert_ok(apply_a(f, &b2));
	memset(f->b.prev, 0x33, CONSORT_HASH_BYTES);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("b3"));
	b3 = sign(f, &f->b, &d, 1, 3);
	assert_err(apply_a(f, &b3), E(CHAIN));
	tu_cs_free(&b3);
	/* B:4 right after B:2 */
	f->b = b2tip;
	f->b.seq = 3;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("b4"));
	b3 = sign(f, &f->b, &d, 1, 4);
	assert_err(apply_a(f, &b3), E(CHAIN));
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 2);
	assert_string_equal(view_a(f, "trainee", "T01", "family_name").win,
	    "b2");
	tu_cs_free(&b1);
	tu_cs_free(&b2);
	tu_cs_free(&b3);
}

/* Two change-sets at one author and seq are a fork; one twice exists. */
static void
test_refuse_fork_and_duplicate(void **state)
{
	struct fix *f = *state;
	struct tu_author b0;
	struct tu_cs b1, b1x, a2;
	struct cs_dep d;

	add_trainee(f, "T01", "a");
	d = dep_a(f, NULL);
	b0 = f->b;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("one"));
	b1 = sign(f, &f->b, &d, 1, 1);
	f->b = b0;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("other"));
	b1x = sign(f, &f->b, &d, 1, 1);
	assert_ok(apply_a(f, &b1));
	assert_err(apply_a(f, &b1x), E(FORK));
	assert_err(apply_a(f, &b1), E(EXIST));
	/* A's own last change-set again */
	a2 = tu_stored_cs(&f->a->store, f->a->pk,
	    tu_head(&f->a->store, f->a->pk).seq);
	assert_err(apply_a(f, &a2), E(EXIST));
	tu_cs_free(&a2);
	assert_string_equal(view_a(f, "trainee", "T01", "family_name").win,
	    "one");
	tu_cs_free(&b1);
	tu_cs_free(&b1x);
}

/* A change-set with a bad signature is refused. */
static void
test_refuse_bad_signature(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_author forger;
	struct tu_cs b1;
	struct cs_dep d;

	add_trainee(f, "T01", "a");
	tu_state_hash(&f->a->store, before);
	d = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	b1.p[b1.len - 1] ^= 0x01;		/* a signature bit */
	assert_err(apply_a(f, &b1), E(SIGNATURE));
	b1.p[b1.len - 1] ^= 0x01;
	tu_cs_free(&b1);

	/* C signs a change-set in B's name */
	forger = f->c;
	memcpy(forger.pk, f->b.pk, CONSORT_KEY_BYTES);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("forged"));
	b1 = sign(f, &forger, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(SIGNATURE));
	tu_cs_free(&b1);
	tu_state_hash(&f->a->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 0);
}

/* A change-set of another consortium, or a foreign genesis, is refused. */
static void
test_refuse_other_consortium(void **state)
{
	static const uint8_t zero[CONSORT_HASH_BYTES];
	uint8_t other[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_author b0;
	struct tu_cs b1;
	struct cs_dep d;

	add_trainee(f, "T01", "a");
	d = dep_a(f, NULL);
	b0 = f->b;
	memcpy(other, f->a->consortium, CONSORT_HASH_BYTES);
	other[0] ^= 0x80;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = tu_author_sign(&f->b, other, &d, 1, 1, &f->cb);
	assert_err(apply_a(f, &b1), E(CONSORTIUM));
	tu_cs_free(&b1);
	/* a genesis-shaped change-set (zero consortium) that is not ours */
	f->b = b0;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = tu_author_sign(&f->b, zero, NULL, 0, 1, &f->cb);
	assert_err(apply_a(f, &b1), E(CONSORTIUM));
	tu_cs_free(&b1);
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 0);
}

/* In a fresh store a change-set is refused until its past is there. */
static void
test_causal_delivery_in_fresh_store(void **state)
{
	uint8_t ha[CONSORT_HASH_BYTES], hs[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct tu_cs cs[NCS];
	struct store s;
	unsigned i;

	scenario(f, cs);
	fresh_store(f, "fresh", &s);
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[A1]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[A2]));
	assert_err(tu_apply_cs(&s, f->a->consortium, &cs[B1]), E(CAUSAL));
	assert_err(tu_apply_cs(&s, f->a->consortium, &cs[A4]), E(CHAIN));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[A3]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[B1]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[C1]));
	assert_err(tu_apply_cs(&s, f->a->consortium, &cs[C2]), E(CAUSAL));
	assert_err(tu_apply_cs(&s, f->a->consortium, &cs[A5]), E(CHAIN));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[A4]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[C2]));
	assert_err(tu_apply_cs(&s, f->a->consortium, &cs[A5]), E(CAUSAL));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[B2]));
	assert_ok(tu_apply_cs(&s, f->a->consortium, &cs[A5]));
	/* refusals changed nothing: the state is node A's */
	tu_state_hash(&s, hs);
	tu_state_hash(&f->a->store, ha);
	assert_memory_equal(ha, hs, CONSORT_HASH_BYTES);
	store_close(&s);
	for (i = 0; i < NCS; i++)
		tu_cs_free(&cs[i]);
}

/* Applies A:1..A:n then x into one store, and x right after A:2 into another. */
static void
both_orders(struct fix *f, struct tu_cs *x, unsigned n, int *r_late,
    int *r_early, bool *same)
{
	static int k;
	uint8_t h1[32], h2[32];
	struct store s1, s2;
	char n1[16], n2[16];
	unsigned i;

	snprintf(n1, sizeof(n1), "o1-%d", k);
	snprintf(n2, sizeof(n2), "o2-%d", k++);
	fresh_store(f, n1, &s1);
	fresh_store(f, n2, &s2);
	*r_early = -1;
	for (i = 1; i <= n; i++) {
		struct tu_cs a = tu_stored_cs(&f->a->store, f->a->pk, i);

		assert_ok(tu_apply_cs(&s1, f->a->consortium, &a));
		assert_ok(tu_apply_cs(&s2, f->a->consortium, &a));
		if (i == 2)
			*r_early = tu_apply_cs(&s2, f->a->consortium, x);
		tu_cs_free(&a);
	}
	*r_late = tu_apply_cs(&s1, f->a->consortium, x);
	tu_state_hash(&s1, h1);
	tu_state_hash(&s2, h2);
	*same = memcmp(h1, h2, 32) == 0;
	store_close(&s1);
	store_close(&s2);
}

/* A set concurrent with the record's creation converges in either order. */
static void
test_set_before_create_converges(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2 = dep_a(f, NULL);
	struct tu_cs x;
	int late, early;
	bool same;

	add_trainee(f, "T01", "alice");		/* A:3 creates T01 */
	op(f, OP_SET, "trainee", "T01", "given_name", tu_str("bob"));
	x = sign(f, &f->b, &d2, 1, 1);		/* B:1, concurrent with A:3 */
	both_orders(f, &x, 3, &late, &early, &same);
	assert_int_equal(late, 0);
	assert_int_equal(early, 0);
	assert_true(same);
	tu_cs_free(&x);
}

/* A create whose ref does not derive the entity id is refused, in any order. */
static void
test_create_with_foreign_ref_refused(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2 = dep_a(f, NULL);
	struct tu_cs x;
	int late, early;
	bool same;

	add_trainee(f, "T01", "alice");
	op(f, OP_CREATE, "trainee", "T01", NULL, tu_str("T99"));
	x = sign(f, &f->b, &d2, 1, 1);
	both_orders(f, &x, 3, &late, &early, &same);
	assert_true(same);
	tu_cs_free(&x);
}

/* An older change-set applied again is held already, not a fork. */
static void
test_old_duplicate_is_exist(void **state)
{
	struct fix *f = *state;
	struct tu_cs a1 = tu_stored_cs(&f->a->store, f->a->pk, 1);
	struct tu_cs a2 = tu_stored_cs(&f->a->store, f->a->pk, 2);

	assert_err(apply_a(f, &a2), -CONSORT_EEXIST);
	assert_err(apply_a(f, &a1), -CONSORT_EEXIST);
	tu_cs_free(&a1);
	tu_cs_free(&a2);
}

/* A member's change-set that arrives before its binding waits for it. */
static void
test_receive_before_binding_parks(void **state)
{
	struct fix *f = *state;
	struct tu_cs a1, a2, b1;
	struct cs_dep d2 = dep_a(f, NULL);
	struct log_receipt rc;
	struct consort_diag d = { 0 };
	struct store s;
	MDB_txn *txn;

	op(f, OP_SET, "trainee", "T01", "given_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, 1);		/* B:1 depends on A:2 */
	a1 = tu_stored_cs(&f->a->store, f->a->pk, 1);
	a2 = tu_stored_cs(&f->a->store, f->a->pk, 2);
	fresh_store(f, "recv", &s);
	assert_ok(tu_apply_cs(&s, f->a->consortium, &a1));
	memset(&rc, 0, sizeof(rc));
	assert_ok(store_begin(&s, true, &txn));
	assert_ok(log_receive(txn, &s, b1.p, b1.len, f->a->consortium, &rc, &d));
	assert_int_equal(rc.pending, 1);
	assert_ok(log_receive(txn, &s, a2.p, a2.len, f->a->consortium, &rc, &d));
	assert_ok(log_finish_batch(txn, &s, f->a->consortium, &rc, &d));
	assert_int_equal(rc.applied, 2);
	assert_ok(store_commit(txn));
	store_close(&s);
	tu_cs_free(&a1);
	tu_cs_free(&a2);
	tu_cs_free(&b1);
}

/* Deps are closed transitively: C saw A:3 through B:1, so replaces it. */
static void
test_transitive_causality(void **state)
{
	struct fix *f = *state;
	struct tu_cs b1, c1;
	struct cs_dep d3, db;
	struct view w;

	add_trainee(f, "T01", "alice");		/* A:3 */
	d3 = dep_a(f, NULL);
	op(f, OP_SET, "trainee", "T01", "given_name", tu_str("b"));
	b1 = sign(f, &f->b, &d3, 1, 1);		/* B:1 has seen A:3 */
	db = dep_tip(&f->b);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("carol"));
	c1 = sign(f, &f->c, &db, 1, 2);		/* C:1 has seen B:1, so A:3 */
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "carol");
	tu_cs_free(&b1);
	tu_cs_free(&c1);
}


/* A resolution and a new write concurrent with it conflict again, with those two. */
static void
test_resolve_vs_new_concurrent_write(void **state)
{
	struct fix *f = *state;
	struct cs_dep d2, d3;
	struct tu_cs b1, b2;
	uint64_t h2;
	struct view w;

	add_trainee(f, "T01", "a");
	d2 = dep_a(f, &h2);
	put1(f->a, "trainee", "T01", "family_name", tu_str("alice"), PUT_SET);
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bob"));
	b1 = sign(f, &f->b, &d2, 1, h2 + 1);		/* concurrent with alice */
	assert_ok(apply_a(f, &b1));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	/* A resolves, having seen both */
	put1(f->a, "trainee", "T01", "family_name", tu_str("resolved"), PUT_SET);
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 1);
	assert_string_equal(w.win, "resolved");
	/* B, not having seen the resolution, writes again */
	d3 = d2;
	op(f, OP_SET, "trainee", "T01", "family_name", tu_str("bobby"));
	b2 = sign(f, &f->b, &d3, 1, h2 + 2);
	assert_ok(apply_a(f, &b2));
	w = view_a(f, "trainee", "T01", "family_name");
	assert_int_equal(w.n, 2);
	assert_true(has(&w, f->b.pk, 2, "bobby"));
	assert_true(has(&w, f->a->pk, tu_head(&f->a->store, f->a->pk).seq,
	    "resolved"));
	tu_cs_free(&b1);
	tu_cs_free(&b2);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_sequential_local, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_sequential_across_authors,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_winner, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_tie_on_author_key, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_three_way_then_resolve,
		    setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_resolve_by_peer, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_unset, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_delete_vs_update, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_order_independence, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_replay_multi_author, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_missing_dep, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_gap, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_fork_and_duplicate,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_refuse_bad_signature,
		    setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_refuse_other_consortium,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(
		    test_causal_delivery_in_fresh_store, setup, teardown),
		cmocka_unit_test_setup_teardown(test_set_before_create_converges,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_with_foreign_ref_refused,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_old_duplicate_is_exist,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_receive_before_binding_parks,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_transitive_causality,
		    setup, teardown),
		cmocka_unit_test_setup_teardown(test_resolve_vs_new_concurrent_write,
		    setup, teardown),
	};

	return cmocka_run_group_tests_name("merge", tests, tu_group_setup,
	    NULL);
}
