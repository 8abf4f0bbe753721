/*
 * The fixture of the merge and log tests: node A, the lead, made with
 * node_init and written with records_put; the concurrent authors B and C
 * are hand-driven key pairs whose change-sets are built with csb_* and
 * applied with log_apply, their deps saying what each had seen.
 */
#ifndef CONSORT_TEST_THREE_AUTHORS_H
#define CONSORT_TEST_THREE_AUTHORS_H

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
static inline int
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
static inline int
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
static inline int
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
static inline int
put(struct node *n, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode)
{
	struct rec r = { type, ref, kv, nkv, mode };

	return put_recs(n, &r, 1);
}

/* Sets one field of a record on node n, in its own change-set. */
static inline void
put1(struct node *n, const char *type, const char *ref, const char *name,
    struct value v, enum put_mode mode)
{
	struct kv kv = { name, v };

	assert_ok(put(n, type, ref, &kv, 1, mode));
}

/* Adds one op to the peers' builder: kind on (type, ref), field by name. */
static inline void
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
	if (kind == OP_SET && fl->personal) {
		/* what a peer signs: a commitment (a fixed salt, so that equal
		   values make equal commitments in these tests) */
		static uint8_t c[CONSORT_COMMIT_BYTES];
		static const uint8_t salt[CONSORT_SALT_BYTES];

		personal_commit(t->id, id, fl->id, salt, &v, c);
		v.kind = VAL_BIN;
		v.s = (const char *)c;
		v.len = CONSORT_COMMIT_BYTES;
	}
	csb_op(&f->cb, kind, t->id, id, fl ? fl->id : 0,
	    kind == OP_DELETE || kind == OP_UNSET ? NULL : &v);
}

/* Signs the builder's ops as author p, with deps and an hlc. */
static inline struct tu_cs
sign(struct fix *f, struct tu_author *p, const struct cs_dep *deps,
    uint32_t ndeps, uint64_t hlc)
{
	return tu_author_sign(p, f->a->consortium, deps, ndeps, hlc, &f->cb);
}

/* A dep on a hand-driven author's last change-set. */
static inline struct cs_dep
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
static inline struct cs_dep
dep_of(const struct tu_author *p, const struct tu_cs *cs, uint64_t seq)
{
	struct cs_dep d;

	memcpy(d.author, p->pk, CONSORT_KEY_BYTES);
	d.seq = seq;
	keys_hash(d.hash, cs->p, cs->len - CONSORT_SIG_BYTES);
	return d;
}

/* Node A's head as a dep, and its hlc. */
static inline struct cs_dep
dep_a(struct fix *f, uint64_t *hlc)
{
	if (hlc != NULL)
		*hlc = tu_head(&f->a->store, f->a->pk).hlc;
	return tu_dep(&f->a->store, f->a->pk);
}

/* Applies a change-set to node A's store. */
static inline int
apply_a(struct fix *f, const struct tu_cs *cs)
{
	return tu_apply_cs(&f->a->store, f->a->consortium, cs);
}

/* Writes a value as text for comparisons. */
static inline void
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
	case VAL_BIN:
		snprintf(buf, len, "(commitment)");
		break;
	}
}

/*
 * Copies a register of (type, ref) out of a store: a field, or existence.
 * Personal values the store holds the openings of are opened; the others
 * show as "(commitment)".
 */
static inline struct view
view(struct store *s, const uint8_t *founder, const char *type,
    const char *ref, const char *name)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct value *win;
	const struct entry *e;
	const struct reg *g;
	struct record r;
	struct view w;
	struct store_txn *txn;
	uint32_t i;

	memset(&w, 0, sizeof(w));
	record_init(&r);
	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_lookup(txn, s, founder, t->id, ref, strlen(ref), &r));
	assert_ok(personal_open_record(txn, s, &r));
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
		value_text(w.val[i], sizeof(w.val[i]), record_shown(&r, e));
		memcpy(w.author[i], s->authors[e->author], CONSORT_KEY_BYTES);
		w.seq[i] = e->seq;
	}
	snprintf(w.win, sizeof(w.win), "(none)");
	if (name != NULL && (win = state_field(s, &r,
	    schema_field_by_name(t, name, strlen(name))->id)) != NULL)
		value_text(w.win, sizeof(w.win), win);
	else if (name == NULL && (e = record_winner(s, &r, g)) != NULL)
		value_text(w.win, sizeof(w.win), &e->val);
	store_abort(txn);
	record_free(&r);
	return w;
}

/* A view of node A's store. */
static inline struct view
view_a(struct fix *f, const char *type, const char *ref, const char *name)
{
	return view(&f->a->store, f->a->founder, type, ref, name);
}

/* Whether a view holds the entry (author, seq) with that value. */
static inline bool
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
static inline uint64_t
count(struct store *s, unsigned type)
{
	struct store_txn *txn;
	uint64_t n;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_count(txn, s, type, &n));
	store_abort(txn);
	return n;
}

/* Opens an empty store beside node A, judging permissions as A's does. */
static inline void
fresh_store(struct fix *f, const char *name, struct store *s)
{
	char path[4096];

	tu_path(path, sizeof(path), f->dir, name);
	memset(s, 0, sizeof(*s));	/* no key at rest: store_open keeps one */
	assert_ok(store_open(s, path, true));
	memcpy(s->founder, f->a->founder, CONSORT_KEY_BYTES);
	s->has_founder = true;
}

/* Adds intent ref on node A with an employer and a job. */
static inline void
add_intent(struct fix *f, const char *ref, const char *employer)
{
	struct kv kv[2] = {
		{ "employer", tu_str(employer) },
		{ "job", tu_str("Cook") },
	};

	assert_ok(put(f->a, "intent", ref, kv, 2, PUT_ADD));
}

/*
 * Adds trainee ref on node A with a family name and a given name, both
 * personal: A signs commitments and keeps the openings.
 */
static inline void
add_trainee(struct fix *f, const char *ref, const char *family)
{
	struct kv kv[2] = {
		{ "family_name", tu_str(family) },
		{ "given_name", tu_str("Ann") },
	};

	assert_ok(put(f->a, "trainee", ref, kv, 2, PUT_ADD));
}

/* The change-sets of the scenario: A1 genesis, A2 key binding, then edits. */
enum { A1, A2, A3, A4, A5, B1, B2, C1, C2, NCS };

/*
 * The scenario of the order tests, written into node A in A's own order:
 * A:3 creates I01 and I02; B:1 and C:1 write I01 concurrently with A:4, C:1
 * deletes I02; B:2 (after C:1) revives I02; C:2 (after A:4 and B:1)
 * resolves I01's employer; A:5 has seen everything.  I01's status keeps
 * three concurrent entries (A:4, B:1, C:1) and its evidence two (A:4, B:2).
 */
static inline void
scenario(struct fix *f, struct tu_cs cs[NCS])
{
	struct kv i01[3] = {
		{ "employer", tu_str("A-name") },
		{ "job", tu_str("Cook") },
		{ "months", tu_int(12) },
	};
	struct kv a4[4] = {
		{ "employer", tu_str("A2") },
		{ "job", tu_str("Cook's aide") },
		{ "status", tu_str("confirmed") },
		{ "evidence", tu_str("FA") },
	};
	struct kv i02 = { "employer", tu_str("x") };
	struct rec a3[2] = {
		{ "intent", "I01", i01, 3, PUT_ADD },
		{ "intent", "I02", &i02, 1, PUT_ADD },
	};
	struct cs_dep d3, d4, deps[2];
	uint64_t h3, h4;
	unsigned i;

	assert_ok(put_recs(f->a, a3, 2));
	d3 = dep_a(f, &h3);

	op(f, OP_SET, "intent", "I01", "employer", tu_str("B-name"));
	op(f, OP_SET, "intent", "I01", "months", tu_int(18));
	op(f, OP_SET, "intent", "I01", "status", tu_str("withdrawn"));
	cs[B1] = sign(f, &f->b, &d3, 1, h3 + 1);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("C-name"));
	op(f, OP_SET, "intent", "I01", "status", tu_str("declared"));
	op(f, OP_DELETE, "intent", "I02", NULL, tu_int(0));
	cs[C1] = sign(f, &f->c, &d3, 1, h3 + 2);

	/* a millisecond later, A's clock is past B:1's and C:1's */
	usleep(2000);
	assert_ok(put(f->a, "intent", "I01", a4, 4, PUT_SET));
	d4 = dep_a(f, &h4);
	assert_ok(apply_a(f, &cs[B1]));
	assert_ok(apply_a(f, &cs[C1]));

	deps[0] = d3;
	deps[1] = dep_tip(&f->c);
	op(f, OP_SET, "intent", "I01", "months", tu_int(24));
	op(f, OP_SET, "intent", "I01", "evidence", tu_str("FB"));
	op(f, OP_CREATE, "intent", "I02", NULL, tu_str("I02"));
	op(f, OP_SET, "intent", "I02", "employer", tu_str("revived"));
	cs[B2] = sign(f, &f->b, deps, 2, h4 + 5);
	deps[0] = d4;
	deps[1] = dep_of(&f->b, &cs[B1], 1);	/* C has seen B:1, not B:2 */
	op(f, OP_SET, "intent", "I01", "employer", tu_str("C2"));
	cs[C2] = sign(f, &f->c, deps, 2, h4 + 6);
	assert_ok(apply_a(f, &cs[B2]));
	assert_ok(apply_a(f, &cs[C2]));

	put1(f->a, "intent", "I01", "job", tu_str("Chef"), PUT_SET);
	for (i = A1; i <= A5; i++)
		cs[i] = tu_stored_cs(&f->a->store, f->a->pk, i - A1 + 1);
}

#endif
