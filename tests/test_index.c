/*
 * Unit tests of index.c: the index of what an order request reads stays
 * what its records say through sets, deletions, a session moved to
 * another lot or month, concurrent edits and a rebuild; and the model of
 * a lot's month read through it equals, finding for finding and byte for
 * byte of the request, the model read by walking every record (a store
 * without its index).  Node A writes locally; B and C are hand-driven
 * concurrent authors (three_authors.h).
 */
#include "three_authors.h"

#include "order.h"

#include "order_base.h"

/* One index entry: key and value, as bytes. */
struct ix_entry {
	uint8_t key[INDEX_KEY_MAX];
	size_t len;
	uint8_t id[CONSORT_EID_BYTES];
};

/* A set of index entries. */
struct ix_set {
	struct ix_entry *v;
	size_t n, cap;
};

/* Adds one entry to a set. */
static void
ix_add(struct ix_set *x, const void *key, size_t len, const uint8_t *id)
{
	if (x->n == x->cap) {
		x->cap = x->cap ? 2 * x->cap : 256;
		x->v = realloc(x->v, x->cap * sizeof(*x->v));
		assert_non_null(x->v);
	}
	assert_true(len <= INDEX_KEY_MAX);
	memcpy(x->v[x->n].key, key, len);
	x->v[x->n].len = len;
	memcpy(x->v[x->n].id, id, CONSORT_EID_BYTES);
	x->n++;
}

/* Orders entries as LMDB orders keys. */
static int
ix_cmp(const void *a, const void *b)
{
	const struct ix_entry *x = a, *y = b;
	int c = memcmp(x->key, y->key, x->len < y->len ? x->len : y->len);

	return c != 0 ? c : x->len < y->len ? -1 : x->len > y->len;
}

/* The entries of the index table, in key order. */
static struct ix_set
ix_stored(struct store_txn *txn, struct store *s)
{
	struct ix_set x = { 0 };
	struct store_walk w;
	struct store_val k, v;
	int rc;

	assert_ok(store_walk_begin(&w, txn, s, TB_INDEX, NULL, 0, 0));
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		assert_int_equal(v.len, CONSORT_EID_BYTES);
		ix_add(&x, k.data, k.len, v.data);
	}
	store_walk_end(&w);
	assert_int_equal(rc, 0);
	return x;
}

/* The entries index_keys() gives every stored record, in key order. */
static struct ix_set
ix_expected(struct store_txn *txn, struct store *s)
{
	struct ix_set x = { 0 };
	struct index_keys *ks = malloc(sizeof(*ks));
	struct store_walk w;
	struct store_val k, v;
	struct record r;
	uint32_t i;
	int rc;

	assert_non_null(ks);
	record_init(&r);
	assert_ok(store_walk_begin(&w, txn, s, TB_ENTITIES, NULL, 0, 0));
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		assert_ok(record_load(txn, s, *(const uint8_t *)k.data,
		    (const uint8_t *)k.data + 1, &r));
		index_keys(s, &r, ks);
		for (i = 0; i < ks->n; i++)
			ix_add(&x, ks->key[i], ks->len[i], r.id);
	}
	store_walk_end(&w);
	assert_int_equal(rc, 0);
	record_free(&r);
	free(ks);
	if (x.n > 1)
		qsort(x.v, x.n, sizeof(*x.v), ix_cmp);
	return x;
}

/* Whether two sets hold the same entries. */
static bool
ix_equal(const struct ix_set *a, const struct ix_set *b)
{
	size_t i;

	if (a->n != b->n)
		return false;
	for (i = 0; i < a->n; i++)
		if (ix_cmp(&a->v[i], &b->v[i]) != 0 ||
		    memcmp(a->v[i].id, b->v[i].id, CONSORT_EID_BYTES) != 0)
			return false;
	return true;
}

/* Checks that a store's index is what its records say; returns its size. */
static size_t
index_is_kept(struct store *s)
{
	struct store_txn *txn;
	struct ix_set got, want;
	size_t n;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_load_authors(txn, s));
	got = ix_stored(txn, s);
	want = ix_expected(txn, s);
	store_abort(txn);
	if (!ix_equal(&got, &want))
		fail_msg("the index holds %zu entries, its records say %zu",
		    got.n, want.n);
	n = got.n;
	free(got.v);
	free(want.v);
	return n;
}

/* How many index entries of a kind are under target (and month, or -1). */
static size_t
index_count(struct store *s, enum index_kind kind, const char *target,
    int64_t month)
{
	struct index_hits h = { 0 };
	struct store_txn *txn;
	size_t n;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(index_find(txn, s, kind, target, month, &h));
	store_abort(txn);
	n = h.n;
	index_hits_free(&h);
	return n;
}

/* The month number of "YYYY-MM". */
static int64_t
month(const char *p)
{
	int64_t m = index_month(p, strlen(p));

	assert_true(m >= 0);
	return m;
}

/* Appends a formatted line to a memory stream. */
#define out(f, ...) fprintf(f, __VA_ARGS__)

/* Writes what a checked model holds and found, as text. */
static void
print_model(FILE *f, const struct rules_model *m)
{
	size_t i;

	for (i = 0; i < m->nlots; i++)
		out(f, "lot %s rates %zu+%zu\n", m->lots[i].ref,
		    m->lots[i].rfirst, m->lots[i].nrates);
	for (i = 0; i < m->nrates; i++)
		out(f, "rate %s %s %lld %d %ld\n", m->rates[i].ref,
		    m->rates[i].since, (long long)m->rates[i].cents,
		    m->rates[i].own, m->rates[i].lot_idx);
	for (i = 0; i < m->nsessions; i++) {
		const struct rm_session *x = &m->sessions[i];

		out(f, "session %s lot %s %s..%s carried %d before %u "
		    "paths %zu+%zu financed %u/%u cost %lld\n", x->ref, x->lot,
		    x->start, x->end, x->carried, x->financed_before, x->first,
		    x->npaths, x->financed, x->not_financed,
		    (long long)x->cost_cents);
	}
	for (i = 0; i < m->npaths; i++) {
		const struct rm_path *p = &m->paths[i];

		out(f, "path %s %s %s %s day %s %ld %ld %ld %ld\n", p->ref,
		    p->session, p->trainee, p->intent, p->day, p->sidx, p->iidx,
		    p->tidx, p->ridx);
	}
	for (i = 0; i < m->nintents; i++) {
		const struct rm_intent *x = &m->intents[i];

		out(f, "intent %s found %d replaced %d %ld %ld %ld %ld %u\n",
		    x->ref, x->found, x->replaced, x->pidx, x->ridx, x->byidx,
		    x->wpidx, x->nby);
	}
	for (i = 0; i < m->ntrainees; i++)
		out(f, "trainee %s found %d %ld\n", m->trainees[i].ref,
		    m->trainees[i].found, m->trainees[i].pidx);
	for (i = 0; i < m->nderogs; i++)
		out(f, "derogation %s %s %s %s applied %u unfit %d\n",
		    m->derogs[i].ref, m->derogs[i].rule, m->derogs[i].session,
		    m->derogs[i].intent, m->derogs[i].applied,
		    m->derogs[i].unfit);
	for (i = 0; i < m->nagreements; i++)
		out(f, "agreement %s %s %s\n", m->agreements[i].ref,
		    m->agreements[i].session, m->agreements[i].subject);
	for (i = 0; i < m->nflags; i++)
		out(f, "flag %u %s\n", m->flags[i].type, m->flags[i].ref);
	for (i = 0; i < m->nresults; i++) {
		const struct rule_result *x = &m->results[i];

		out(f, "result %s %d %u %s [%s] [%s] [%s] %s | %s | %s %ld\n",
		    x->rule, x->level, x->type, x->ref, x->session, x->intent,
		    x->path, x->what, x->hint, x->conflict, x->derog);
	}
	out(f, "errors %zu warnings %zu conflicts %zu cut %s\n", m->errors,
	    m->warnings, m->conflicts, m->chain_cut ? m->chain_cut : "-");
}

/* Whether the store has its index (a model reads it unless told not to). */
static bool expect_index = true;

/*
 * The model of a lot's month and its request, as text: read through the
 * index, or (index false) as a store without it is, by walking every
 * record: the layout mark is dropped in a write transaction abandoned
 * afterwards.
 */
static char *
model_text(struct fix *f, const char *lot, const char *period, bool index)
{
	struct order_opts o = { lot, period, false, NULL, NULL, "2026-09-01" };
	struct store *s = &f->a->store;
	struct consort_diag d = { 0 };
	struct rules_model *m = NULL;
	struct rules_query q;
	struct store_txn *txn;
	char from[11], to[11], *buf = NULL, *js;
	json_t *req = NULL;
	size_t len = 0;
	FILE *mf;
	int rc;

	mf = open_memstream(&buf, &len);
	assert_non_null(mf);
	s->open_personal = true;
	assert_ok(store_begin(s, !index, &txn));
	if (!index && (rc = store_del(txn, s, TB_META, "layout", 6)) != 0)
		assert_err(rc, E(NOENT));
	assert_ok(store_load_authors(txn, s));
	assert_ok(perm_roster(txn, s));
	assert_ok(order_query(s, f->a->pk, &o, &q, from, to, &d));
	rc = rules_load(txn, s, &q, &m, &d);
	out(mf, "load %d %s\n", rc, d.what);
	if (rc == 0) {
		assert_int_equal(m->indexed, index && expect_index);
		assert_ok(rules_check(txn, m));
		print_model(mf, m);
		rc = order_request(txn, f->a, m, &o, &req, &d);
		out(mf, "request %d %s\n", rc, rc != 0 ? d.what : "");
		if (rc == 0) {
			js = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
			assert_non_null(js);
			out(mf, "%s\n", js);
			free(js);
			json_decref(req);
		}
	}
	rules_free(m);
	store_abort(txn);
	s->open_personal = false;
	assert_int_equal(fclose(mf), 0);
	return buf;
}

/*
 * The model of the sessions of a lot running in a window (the monthly
 * statement's), as text, read through the index or by walks.
 */
static char *
active_text(struct fix *f, const char *lot, const char *from, const char *to,
    bool index)
{
	struct rules_query q = { .lot = lot, .from = from, .to = to,
		.window = WINDOW_ACTIVE };
	struct store *s = &f->a->store;
	struct consort_diag d = { 0 };
	struct rules_model *m = NULL;
	struct store_txn *txn;
	char *buf = NULL;
	size_t len = 0;
	FILE *mf;
	int rc;

	mf = open_memstream(&buf, &len);
	assert_non_null(mf);
	assert_ok(store_begin(s, !index, &txn));
	if (!index && (rc = store_del(txn, s, TB_META, "layout", 6)) != 0)
		assert_err(rc, E(NOENT));
	rc = rules_load(txn, s, &q, &m, &d);
	out(mf, "load %d %s\n", rc, d.what);
	if (rc == 0) {
		assert_int_equal(m->indexed, index && expect_index);
		assert_ok(rules_check(txn, m));
		print_model(mf, m);
	}
	rules_free(m);
	store_abort(txn);
	assert_int_equal(fclose(mf), 0);
	return buf;
}

/* Fails, showing both, when two texts of a model differ. */
static void
texts_equal(const char *a, const char *b, const char *what, const char *lot,
    const char *period)
{
	if (strcmp(a, b) == 0)
		return;
	fprintf(stderr, "through the index:\n%s\nwalking:\n%s\n", a, b);
	fail_msg("the %s of %s %s differs through the index", what, lot,
	    period);
}

/*
 * Checks that the model of a lot's month read through the index is the
 * one a walk of every record gives, as is the statement's (the sessions
 * running in the month, and in the quarter from it); returns its text.
 */
static char *
same_model(struct fix *f, const char *lot, const char *period)
{
	char *a = model_text(f, lot, period, true);
	char *b = model_text(f, lot, period, false), *c;
	char from[11], to[11], next[32];

	texts_equal(a, b, "model", lot, period);
	free(b);
	/* the month, then to the next month's 28th (in December, a window
	   that ends before it starts) */
	order_month_bounds(period, from, to);
	snprintf(next, sizeof(next), "%.5s%02d-28", to, atoi(to + 5) % 12 + 1);
	b = active_text(f, lot, from, to, true);
	c = active_text(f, lot, from, to, false);
	texts_equal(b, c, "statement", lot, period);
	free(b);
	free(c);
	b = active_text(f, lot, from, next, true);
	c = active_text(f, lot, from, next, false);
	texts_equal(b, c, "statement", lot, next);
	free(b);
	free(c);
	return a;
}

/* The months the tests look at, for each lot. */
static const char *const months[] = {
	"2026-02", "2026-03", "2026-04", "2026-05", "2026-07", "2026-08",
	"2029-06",
};

/* Checks every month's model of LOT-A and LOT-B. */
static void
all_models_same(struct fix *f)
{
	static const char *const lots[] = { "LOT-A", "LOT-B" };
	size_t i, k;

	for (i = 0; i < nitems(lots); i++)
		for (k = 0; k < nitems(months); k++)
			free(same_model(f, lots[i], months[k]));
}

/* Checks the index, and every month's model of LOT-A and LOT-B. */
static void
all_same(struct fix *f)
{
	index_is_kept(&f->a->store);
	all_models_same(f);
}

/* Whether the model text of a lot's month holds a line starting so. */
static bool
model_has(struct fix *f, const char *lot, const char *period,
    const char *line)
{
	char *t = same_model(f, lot, period), *p;
	bool found = false;

	for (p = t; p != NULL && *p != '\0' && !found; ) {
		found = strncmp(p, line, strlen(line)) == 0;
		p = strchr(p, '\n');
		if (p != NULL)
			p++;
	}
	free(t);
	return found;
}

/* Imports the base lot (order_base.h) and a second lot into node A. */
static void
import_base(struct fix *f)
{
	static const char lot_b[] = "{\"type\":\"lot\",\"ref\":\"LOT-B\","
	    "\"sector\":\"Industrie\",\"territory\":\"49\","
	    "\"rate_cents\":1200}\n";
	struct import_opts o = { 0 };
	struct import_result res;
	struct consort_diag d = { 0 };
	char path[4096], *text;

	text = malloc(sizeof(base) + sizeof(lot_b));
	assert_non_null(text);
	memcpy(text, base, sizeof(base) - 1);
	memcpy(text + sizeof(base) - 1, lot_b, sizeof(lot_b));
	tu_path(path, sizeof(path), f->dir, "base.jsonl");
	tu_write_file(path, text);
	free(text);
	o.path = path;
	o.format = IMPORT_JSONL;
	o.batch = 100;
	if (import_file(f->a, &o, &res, &d) != 0)
		fail_msg("import: %s %s", d.where, d.what);
}

/* Per-test setup: three_authors.h's node A, with the base lot imported. */
static int
setup_base(void **state)
{
	struct fix *f;

	if (setup(state) != 0)
		return -1;
	f = *state;
	tu_nosync(f->a);
	import_base(f);
	return 0;
}

/* The same, the import deferring the index (as a long one does). */
static int
setup_deferred(void **state)
{
	struct fix *f;

	if (setup(state) != 0)
		return -1;
	f = *state;
	tu_nosync(f->a);
	f->a->store.index_defer_min = 1;
	import_base(f);
	assert_false(f->a->store.index_later);  /* caught up */
	f->a->store.index_defer_min = INDEX_DEFER_RECORDS;
	return 0;
}

/* Whether node A stores a record (alive or deleted). */
static bool
stored_a(struct fix *f, unsigned type, const char *ref)
{
	struct store_txn *txn;
	struct record r;
	bool found;

	record_init(&r);
	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(state_lookup(txn, &f->a->store, f->a->founder, type, ref,
	    strlen(ref), &r));
	found = r.found;
	store_abort(txn);
	record_free(&r);
	return found;
}

/*
 * Sets a field of a record on node A from its text (NULL unsets it),
 * creating the record first if it is not stored; op by op, as any
 * change-set may hold it, whatever the records it names.
 */
static void
set_a(struct fix *f, const char *type, const char *ref, const char *field,
    const char *text)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct schema_field *fl = schema_field_by_name(t, field,
	    strlen(field));
	struct consort_diag d = { 0 };
	uint8_t id[CONSORT_EID_BYTES];
	struct value rv = tu_str(ref), v;
	struct edit e;

	assert_non_null(fl);
	node_entity_id(f->a, t->id, ref, strlen(ref), id);
	if (text != NULL)
		assert_ok(schema_parse_text(fl, text, strlen(text), &v, &d));
	assert_ok(edit_begin(f->a, &e));
	if (!stored_a(f, t->id, ref))
		csb_op(&e.b, OP_CREATE, t->id, id, 0, &rv);
	csb_op(&e.b, text != NULL ? OP_SET : OP_UNSET, t->id, id, fl->id,
	    text != NULL ? &v : NULL);
	if (edit_commit(&e) != 0)
		fail_msg("set %s %s %s=%s", type, ref, field, text);
}

/*
 * Sets fields of one record on node A one after the other, as set_a()
 * does: the arguments after ref are pairs of a field and its text, and
 * a NULL field ends them.
 */
static void
set_fields_a(struct fix *f, const char *type, const char *ref, ...)
{
	const char *field, *text;
	va_list ap;

	va_start(ap, ref);
	while ((field = va_arg(ap, const char *)) != NULL) {
		text = va_arg(ap, const char *);
		set_a(f, type, ref, field, text);
	}
	va_end(ap);
}

/*
 * The index follows sets: each session under its lot and every month it
 * runs in, each path under its session, trainee and intent; a
 * complementary path's own start carries its session into a later month.
 */
static void
test_index_sets(void **state)
{
	struct fix *f = *state;

	/* S1 runs in March and April, S3 from April to July */
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-03")), 2);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-04")), 2);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-07")), 1);
	assert_int_equal(index_count(&f->a->store, IX_PATH_SESSION, "S1", -1),
	    6);
	assert_int_equal(index_count(&f->a->store, IX_PATH_TRAINEE, "T12", -1),
	    1);
	assert_int_equal(index_count(&f->a->store, IX_PATH_INTENT, "I5", -1), 1);
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-03", "session S1 "));
	assert_false(model_has(f, "LOT-A", "2026-05", "session S3 "));
	/* P12 joins S3 in May: S3 is carried into May's request */
	set_a(f, "path", "P12", "start", "2026-05-04");
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-05", "session S3 lot LOT-A "
	    "2026-04-13..2026-07-03 carried 1"));
	/* a rate of the lot, a derogation and an agreement about S1 */
	set_fields_a(f, "rate", "LOT-A@2026-03-15", "lot", "LOT-A",
	    "since", "2026-03-15", "rate_cents", "1500", NULL);
	set_a(f, "intent", "I3", "months", "3");
	set_fields_a(f, "derogation", "D1", "rule", "R03", "session", "S1",
	    "intent", "I3", "reason", "saison", "date", "2026-02-20",
	    "agreement", "A-R03-I3", NULL);
	all_same(f);
	set_fields_a(f, "agreement", "A-R03-I3", "reference", "DR-1",
	    "date", "2026-02-18", "subject", "seasonal", "session", "S1",
	    "intent", "I3", NULL);
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-03", "derogation D1 R03 S1 I3 "
	    "applied 1"));
	assert_true(model_has(f, "LOT-A", "2026-03", "rate LOT-A@2026-03-15 "));
	/* an agreement cited by a derogation about an intent only */
	set_fields_a(f, "derogation", "D2", "rule", "R02", "intent", "I6",
	    "agreement", "A-X", NULL);
	set_fields_a(f, "agreement", "A-X", "reference", "DR-2",
	    "session", "S9", NULL);
	all_same(f);
	/* a replacement chain: I7 replaces the withdrawn I5 */
	set_fields_a(f, "intent", "I7", "employer", "Autre", "replaces", "I5",
	    NULL);
	set_a(f, "path", "P5", "intent", "I7");
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_PATH_INTENT, "I5", -1), 0);
	assert_int_equal(index_count(&f->a->store, IX_PATH_INTENT, "I7", -1), 1);
	/* another lot's path names I1, and another the replaced I5: R07 */
	set_fields_a(f, "session", "S9", "lot", "LOT-B", "start", "2026-06-01",
	    NULL);
	set_fields_a(f, "path", "P13", "session", "S9", "trainee", "T13",
	    "intent", "I1", NULL);
	set_fields_a(f, "path", "P14", "session", "S9", "trainee", "T14",
	    "intent", "I5", NULL);
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-03", "result R07 "));
}

/*
 * A session moved to another lot, to another month, given no end, or
 * dates too far apart: its entries move with it, and every month's model
 * through the index is the one a walk gives.
 */
static void
test_index_moves(void **state)
{
	struct fix *f = *state;

	set_a(f, "session", "S2", "lot", "LOT-B");
	all_same(f);
	assert_false(model_has(f, "LOT-A", "2026-03", "session S2 "));
	assert_true(model_has(f, "LOT-B", "2026-03", "session S2 "));
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-03")), 1);
	/* S1 starts in May now, after its end: under May only */
	set_a(f, "session", "S1", "start", "2026-05-04");
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-05", "session S1 "));
	assert_false(model_has(f, "LOT-A", "2026-03", "session S1 "));
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-04")), 1);
	/* without an end, S3 runs into every later month */
	set_a(f, "session", "S3", "end", NULL);
	set_a(f, "path", "P12", "start", "2029-06-11");
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    INDEX_OPEN), 1);
	assert_true(model_has(f, "LOT-A", "2029-06", "session S3 "));
	/* an end years away: under every month, as one entry */
	set_a(f, "session", "S3", "end", "2031-12-31");
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    INDEX_OPEN), 1);
	set_a(f, "session", "S3", "end", "2026-07-03");
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    INDEX_OPEN), 0);
	/* a path moved to another session, trainee and intent */
	set_fields_a(f, "path", "P6", "session", "S2", "trainee", "T12",
	    "intent", "I6", NULL);
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_PATH_SESSION, "S1", -1),
	    5);
	assert_int_equal(index_count(&f->a->store, IX_PATH_TRAINEE, "T12", -1),
	    2);
	/* and a session with no lot, then no start: in no lot's month */
	set_a(f, "session", "S2", "lot", NULL);
	all_same(f);
	set_a(f, "session", "S2", "lot", "LOT-A");
	set_a(f, "session", "S2", "start", NULL);
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-03")), 0);
}

/*
 * Deletions: a deleted path, session or derogation keeps entries only for
 * the values a concurrent write left; a path whose session is gone is an
 * R16 conflict through the index as through a walk.
 */
static void
test_index_deletes(void **state)
{
	struct fix *f = *state;

	set_fields_a(f, "derogation", "D1", "rule", "R05", "session", "S2",
	    "reason", "petit groupe", "date", "2026-02-20", NULL);
	all_same(f);
	assert_ok(tu_del(f->a, "derogation", "D1"));
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_DEROG_SESSION, "S2", -1),
	    0);
	assert_ok(tu_del(f->a, "path", "P11"));
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_PATH_SESSION, "S2", -1),
	    4);
	assert_ok(tu_del(f->a, "session", "S3"));
	all_same(f);
	assert_int_equal(index_count(&f->a->store, IX_SESSION_MONTH, "LOT-A",
	    month("2026-05")), 0);
	/* P12 still names S3: an R16 conflict, whatever reads it */
	assert_true(model_has(f, "LOT-A", "2026-03", "result R16 "));
}

/* The conflict ids a listing gave, in order, of the records of some refs. */
struct ids {
	const char *const *refs;
	size_t nrefs, n;
	char id[16][18];
};

/* Keeps the id of a conflict about one of the refs looked for. */
static int
keep_id(void *ctx, const struct conflict *c)
{
	struct ids *x = ctx;
	size_t i;

	for (i = 0; i < x->nrefs; i++)
		if (strlen(x->refs[i]) == c->ref_len &&
		    memcmp(x->refs[i], c->ref, c->ref_len) == 0)
			break;
	if (i == x->nrefs)
		return 0;
	assert_true(x->n < nitems(x->id));
	memcpy(x->id[x->n++], c->id, sizeof(c->id));
	return 0;
}

/*
 * Checks that the register conflicts of some records of a type, read
 * record by record, are those a scan of the type lists, in its order.
 */
static void
same_register_conflicts(struct fix *f, unsigned type,
    const char *const *refs, size_t n, size_t want)
{
	struct ids scan = { refs, n, 0, { { 0 } } }, of = scan;
	struct store_txn *txn;
	size_t i;

	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(conflicts_register_scan(txn, &f->a->store, (int)type,
	    keep_id, &scan));
	assert_ok(conflicts_register_of(txn, &f->a->store, type, refs, n,
	    keep_id, &of));
	store_abort(txn);
	assert_int_equal(scan.n, want);
	assert_int_equal(of.n, scan.n);
	for (i = 0; i < scan.n; i++)
		assert_string_equal(of.id[i], scan.id[i]);
}

/*
 * Concurrent edits: the index follows the value each register displays,
 * and a deleted session that a concurrent write moved keeps that entry.
 */
static void
test_index_concurrent(void **state)
{
	struct fix *f = *state;
	struct cs_dep da;
	struct tu_cs b1, c1;
	uint64_t h;

	da = dep_a(f, &h);
	/* B moves S2 to May, which it may not (S2 is C's); C, which
	   provides S2, moves it to LOT-B, retitles it and writes four of its
	   paths; A, later by the clock, moves it to April and writes the
	   same paths */
	op(f, OP_SET, "session", "S2", "start", tu_str("2026-05-11"));
	b1 = sign(f, &f->b, &da, 1, h + 1);
	op(f, OP_SET, "session", "S2", "lot", tu_str("LOT-B"));
	op(f, OP_SET, "session", "S2", "title", tu_str("HACCP 2"));
	op(f, OP_SET, "path", "P7", "trainee", tu_str("T1"));
	op(f, OP_SET, "path", "P8", "modules", tu_str("C8"));
	op(f, OP_SET, "path", "P9", "modules", tu_str("C9"));
	op(f, OP_SET, "path", "P10", "modules", tu_str("C10"));
	op(f, OP_SET, "path", "P11", "modules", tu_str("C11"));
	c1 = sign(f, &f->c, &da, 1, h + 2);
	usleep(2000);
	set_a(f, "session", "S2", "start", "2026-04-06");
	set_a(f, "path", "P8", "modules", "A8");
	set_a(f, "path", "P9", "modules", "A9");
	set_a(f, "path", "P10", "modules", "A10");
	set_a(f, "path", "P11", "modules", "A11");
	assert_ok(apply_a(f, &b1));
	assert_ok(apply_a(f, &c1));
	all_same(f);
	assert_true(model_has(f, "LOT-B", "2026-04", "result conflict 0 7 P11 "));
	{
		static const char *const paths[] = { "P9", "P8", "P11", "P1",
			"P10", "P9", "P404" };

		same_register_conflicts(f, T_path, paths, nitems(paths), 4);
	}
	/* A deletes S2, not having seen C's write: it stays, deleted, in
	   LOT-B, which C's entry still names */
	assert_ok(tu_del(f->a, "session", "S2"));
	all_same(f);
	tu_cs_free(&b1);
	tu_cs_free(&c1);
	/* C's later write, concurrent with nothing, moves it again */
	da = dep_a(f, &h);
	op(f, OP_SET, "session", "S2", "start", tu_str("2026-03-16"));
	c1 = sign(f, &f->c, &da, 1, h + 1);
	assert_ok(apply_a(f, &c1));
	tu_cs_free(&c1);
	all_same(f);
}

/*
 * A rebuild of the state derives the same index, verify finds an entry
 * missing, and a store without its index (an older release's) gets it
 * back when first opened for writing.
 */
static void
test_index_rebuild(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct store_txn *txn;
	struct ix_set before, after;
	char path[4096];
	size_t n;

	set_a(f, "session", "S2", "lot", "LOT-B");
	set_a(f, "path", "P12", "start", "2026-05-04");
	n = index_is_kept(&f->a->store);
	assert_true(n > 30);
	assert_ok(store_begin(&f->a->store, false, &txn));
	before = ix_stored(txn, &f->a->store);
	store_abort(txn);
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(store_clear_state(txn, &f->a->store));
	assert_ok(log_replay(txn, &f->a->store, f->a->consortium, &st, &d));
	assert_ok(store_commit(txn));
	assert_ok(store_begin(&f->a->store, false, &txn));
	after = ix_stored(txn, &f->a->store);
	store_abort(txn);
	assert_true(ix_equal(&before, &after));
	free(after.v);
	/* verify compares the index with a replay */
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(log_verify(txn, &f->a->store, f->a->consortium, &st, &d));
	store_abort(txn);
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(store_del(txn, &f->a->store, TB_INDEX, before.v[0].key,
	    before.v[0].len));
	assert_err(log_verify(txn, &f->a->store, f->a->consortium, &st, &d),
	    E(STATE));
	store_abort(txn);
	/* an older release's store: no index, no layout mark */
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(store_empty(txn, &f->a->store, TB_INDEX));
	assert_ok(store_del(txn, &f->a->store, TB_META, "layout", 6));
	assert_ok(store_commit(txn));
	expect_index = false;
	all_models_same(f);  /* read by walks meanwhile */
	expect_index = true;
	tu_path(path, sizeof(path), f->dir, "a");
	node_close(f->a);
	f->a = NULL;
	assert_ok(node_open(path, &f->a, &d));
	tu_nosync(f->a);
	assert_ok(store_begin(&f->a->store, false, &txn));
	after = ix_stored(txn, &f->a->store);
	assert_true(index_ready(txn, &f->a->store));
	store_abort(txn);
	assert_true(ix_equal(&before, &after));
	free(after.v);
	free(before.v);
	all_same(f);
}

/* Builds, signs and submits node A's request of LOT-A for a month. */
static void
submit_month(struct fix *f, const char *period)
{
	struct order_opts o = { "LOT-A", period, false, NULL, NULL,
	    "2026-09-01" };
	struct consort_diag d = { 0 };
	struct rules_model *m;
	struct order_file of;
	struct rules_query q;
	struct store_txn *txn;
	char from[11], to[11], ref[CONSORT_REF_MAX + 1], *file;
	struct edit e;
	json_t *req;
	size_t len;
	bool already;

	assert_ok(store_begin(&f->a->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->a->store));
	assert_ok(perm_roster(txn, &f->a->store));
	assert_ok(order_query(&f->a->store, f->a->pk, &o, &q, from, to, &d));
	assert_ok(rules_load(txn, &f->a->store, &q, &m, &d));
	assert_ok(rules_check(txn, m));
	if (m->errors + m->conflicts > 0)
		fail_msg("%s: %s", m->results[0].rule, m->results[0].what);
	if (order_request(txn, f->a, m, &o, &req, &d) != 0)
		fail_msg("order_request: %s", d.what);
	rules_free(m);
	store_abort(txn);
	assert_ok(order_sign(req, f->a->pk, f->a->sk, &file, &len));
	json_decref(req);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	assert_ok(edit_begin(f->a, &e));
	if (order_submit(&e, &of, ref, sizeof(ref), &already, &d) != 0)
		fail_msg("order_submit: %s", d.what);
	assert_ok(edit_commit(&e));
	assert_false(already);
	order_file_free(&of);
	free(file);
}

/*
 * The orders of a lot's month are found through the index: a request
 * amending two earlier ones numbers and chains them as a walk of every
 * order would.
 */
static void
test_index_orders(void **state)
{
	struct fix *f = *state;

	submit_month(f, "2026-03");
	/* S3 opens in April with one trainee, as the Region agreed */
	set_fields_a(f, "agreement", "A-R05-S3", "reference", "DR-5",
	    "date", "2026-03-20", "subject", "group_size", "session", "S3",
	    NULL);
	set_fields_a(f, "derogation", "D-R05-S3", "rule", "R05",
	    "session", "S3", "reason", "groupe", "date", "2026-03-21",
	    "agreement", "A-R05-S3", NULL);
	submit_month(f, "2026-04");
	assert_int_equal(index_count(&f->a->store, IX_ORDER_PERIOD, "LOT-A",
	    month("2026-03")), 1);
	set_a(f, "path", "P6", "hours", "200");
	submit_month(f, "2026-03");
	assert_int_equal(index_count(&f->a->store, IX_ORDER_PERIOD, "LOT-A",
	    month("2026-03")), 2);
	all_same(f);
	assert_true(model_has(f, "LOT-A", "2026-03", "{\"amends\""));
}

/* Months are numbers; what is not YYYY-MM is none. */
static void
test_index_month(void **state)
{
	(void)state;
	assert_int_equal(index_month("2026-03-01", 10), 2026 * 12 + 2);
	assert_int_equal(index_month("2026-12", 7), 2026 * 12 + 11);
	assert_int_equal(index_month("2026-13", 7), -1);
	assert_int_equal(index_month("2026-00", 7), -1);
	assert_int_equal(index_month("2026-1", 6), -1);
	assert_int_equal(index_month("26-03-01", 8), -1);
	assert_int_equal(index_month("2026/03", 7), -1);
}

/* Entries of TB_LATER: what a deferred index noted and has not written. */
static uint64_t
later_entries(struct store *s)
{
	struct store_txn *txn;
	struct store_stat st;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_stat(txn, s, TB_LATER, &st));
	store_abort(txn);
	return st.entries;
}

/* Whether the index of node A is read (index_ready) or walked around. */
static bool
ready_a(struct fix *f)
{
	struct store_txn *txn;
	bool ready;

	assert_ok(store_begin(&f->a->store, false, &txn));
	ready = index_ready(txn, &f->a->store);
	store_abort(txn);
	return ready;
}

/* Defers node A's index, as a long import or sync does. */
static void
defer_a(struct fix *f)
{
	index_defer(&f->a->store);
	assert_true(f->a->store.index_later);
}

/* Catches node A's deferred index up: the index is what its records say. */
static void
catch_up_a(struct fix *f)
{
	assert_ok(index_catch_up(&f->a->store));
	index_is_kept(&f->a->store);
	all_same(f);
}

/*
 * Edits that move, delete and move back index keys while the index is
 * deferred: noted in TB_LATER, not in the index.
 */
static void
deferred_edits(struct fix *f)
{
	set_a(f, "session", "S2", "lot", "LOT-B");
	set_a(f, "path", "P12", "start", "2026-05-04");
	set_a(f, "derogation", "D1", "rule", "R05");
	set_a(f, "derogation", "D1", "session", "S2");
	set_a(f, "derogation", "D1", "reason", "petit groupe");
	set_a(f, "derogation", "D1", "date", "2026-02-20");
	set_a(f, "derogation", "D1", "session", "S1");
	set_a(f, "derogation", "D1", "session", "S2");  /* its first key again */
	assert_ok(tu_del(f->a, "path", "P11"));
	assert_true(later_entries(&f->a->store) > 0);
	assert_false(ready_a(f));
}

/*
 * A deferred index: the edits note their keys in TB_LATER, queries walk
 * the types meanwhile, an abandoned transaction notes nothing, and
 * index_catch_up() leaves the index its records say, TB_LATER empty and
 * the layout current.
 */
static void
test_index_deferred(void **state)
{
	struct fix *f = *state;
	struct edit e;
	uint8_t id[CONSORT_EID_BYTES];
	struct value rv = tu_str("S9"), v = tu_str("LOT-B");

	defer_a(f);
	deferred_edits(f);
	expect_index = false;
	all_models_same(f);  /* read by walks meanwhile */
	expect_index = true;
	/* an abandoned transaction leaves no note */
	node_entity_id(f->a, T_session, "S9", 2, id);
	assert_ok(edit_begin(f->a, &e));
	csb_op(&e.b, OP_CREATE, T_session, id, 0, &rv);
	csb_op(&e.b, OP_SET, T_session, id, F_session_lot, &v);
	assert_ok(edit_flush(&e));
	edit_abort(&e);
	assert_ok(index_catch_up(&f->a->store));
	assert_false(f->a->store.index_later);
	assert_int_equal(later_entries(&f->a->store), 0);
	assert_true(ready_a(f));
	index_is_kept(&f->a->store);
	assert_int_equal(index_count(&f->a->store, IX_DEROG_SESSION, "S1", -1),
	    0);
	all_same(f);
	/* nothing deferred: nothing to do */
	assert_ok(index_catch_up(&f->a->store));
	index_is_kept(&f->a->store);
}

/*
 * A rebuild while the index is deferred (a revocation's, in the middle of
 * a sync) writes the whole index, and the notes before it go with it.
 */
static void
test_index_deferred_rebuild(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct store_txn *txn;

	defer_a(f);
	deferred_edits(f);
	assert_ok(store_begin(&f->a->store, true, &txn));
	assert_ok(log_rebuild(txn, &f->a->store, f->a->consortium, &st, &d));
	assert_ok(store_commit(txn));
	assert_int_equal(later_entries(&f->a->store), 0);
	index_is_kept(&f->a->store);
	set_a(f, "session", "S2", "lot", "LOT-A");
	set_a(f, "derogation", "D1", "session", "S1");
	assert_true(later_entries(&f->a->store) > 0);
	catch_up_a(f);
}

/*
 * A writer that did not defer the index notes its keys too while the
 * layout says another one did (a command beside a server's long sync),
 * so that the other's catch-up leaves no stale key behind.
 */
static void
test_index_deferred_elsewhere(void **state)
{
	struct fix *f = *state;
	uint64_t n;

	defer_a(f);
	deferred_edits(f);
	n = later_entries(&f->a->store);
	f->a->store.index_later = false;  /* another process */
	set_a(f, "derogation", "D1", "session", "S1");
	set_a(f, "session", "S2", "lot", "LOT-A");
	assert_true(later_entries(&f->a->store) > n);
	f->a->store.index_later = true;
	catch_up_a(f);
}

/*
 * A process killed before its catch-up leaves the older layout: the next
 * to open the node for writing rebuilds the state, index included.
 */
static void
test_index_deferred_killed(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char path[4096];

	defer_a(f);
	deferred_edits(f);
	tu_path(path, sizeof(path), f->dir, "a");
	node_close(f->a);  /* no catch-up */
	f->a = NULL;
	assert_ok(node_open(path, &f->a, &d));
	tu_nosync(f->a);
	assert_false(f->a->store.index_later);
	assert_int_equal(later_entries(&f->a->store), 0);
	assert_true(ready_a(f));
	index_is_kept(&f->a->store);
	all_same(f);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_base, teardown)
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_index_month),
		T(test_index_sets),
		T(test_index_moves),
		T(test_index_deletes),
		T(test_index_concurrent),
		T(test_index_rebuild),
		T(test_index_orders),
		T(test_index_deferred),
		T(test_index_deferred_rebuild),
		T(test_index_deferred_elsewhere),
		cmocka_unit_test_setup_teardown(test_index_sets, setup_deferred,
		    teardown),
		cmocka_unit_test_setup_teardown(test_index_moves,
		    setup_deferred, teardown),
		T(test_index_deferred_killed),
	};
#undef T

	return cmocka_run_group_tests_name("index", tests, tu_group_setup, NULL);
}
