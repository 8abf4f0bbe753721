/*
 * The fixture of the node, records, import, state and log tests: a
 * temporary directory with a node in DIR/node, records written through
 * records_put, files imported with import_file, and what the state shows.
 */
#ifndef CONSORT_TEST_NODE_FIXTURE_H
#define CONSORT_TEST_NODE_FIXTURE_H

#include "testutil.h"

/* Two records as JSON Lines: a lot and a trainee. */
#define LOT01 "{\"type\":\"lot\",\"ref\":\"LOT-01\"," \
	"\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\"," \
	"\"rate_cents\":1410}\n"
#define T02 "{\"type\":\"trainee\",\"ref\":\"T000002\",\"family_name\":" \
	"\"Garnier\",\"given_name\":\"A\xc3\xaf" "cha\",\"birth_year\":1989," \
	"\"ft_id\":\"1250405C\",\"status\":\"job_seeker\"," \
	"\"disability\":false,\"part_time\":false}\n"

/* A temporary directory and, for most tests, a node in DIR/node. */
struct nf_fix {
	char *dir;
	struct node *n;
	char path[4096];	/* DIR/node */
};

/* The bad lines an import reported. */
struct nf_badlog {
	unsigned n;
	char where[4][256];
	char what[4][sizeof(((struct consort_diag *)0)->what)];
};

/* Per-test setup: a temporary directory only. */
static inline int
nf_setup_dir(void **state)
{
	struct nf_fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node", f->dir);
	*state = f;
	return 0;
}

/* Per-test setup: a temporary directory with a fresh node in it. */
static inline int
nf_setup_node(void **state)
{
	struct nf_fix *f;

	if (nf_setup_dir(state) != 0)
		return -1;
	f = *state;
	f->n = tu_node_init(f->dir, "node", NULL);
	return 0;
}

/* Per-test teardown: closes the node if any and removes the directory. */
static inline int
nf_teardown(void **state)
{
	struct nf_fix *f = *state;

	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Reads a whole small file into buf; returns its size. */
static inline size_t
nf_slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

/* DIR/node/name. */
static inline const char *
nf_node_file(struct nf_fix *f, const char *name)
{
	static char buf[4200];

	tu_path(buf, sizeof(buf), f->path, name);
	return buf;
}

/* The seq of the node's own head. */
static inline uint64_t
nf_own_seq(struct node *n)
{
	return tu_head(&n->store, n->pk).seq;
}

/* Calls records_put for one record inside an open edit. */
static inline int
nf_put_in(struct edit *e, const char *type, const char *ref,
    const struct kv *kv, unsigned nkv, enum put_mode mode, bool refs,
    bool *changed)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct field_input in[SCHEMA_MAX_FIELDS];
	struct consort_diag d = { 0 };
	unsigned i;

	assert_non_null(t);
	for (i = 0; i < nkv; i++) {
		in[i].f = schema_field_by_name(t, kv[i].name,
		    strlen(kv[i].name));
		assert_non_null(in[i].f);
		in[i].v = kv[i].v;
	}
	memset(&d, 0, sizeof(d));
	return records_put(e, t, ref, strlen(ref), in, nkv, mode, refs, changed,
	    &d);
}

/* Writes a record in its own edit; returns change-sets appended or an error. */
static inline int
nf_put_refs(struct node *n, const char *type, const char *ref,
    const struct kv *kv, unsigned nkv, enum put_mode mode, bool refs)
{
	struct edit e;
	bool changed;
	int rc;

	assert_ok(edit_begin(n, &e));
	if ((rc = nf_put_in(&e, type, ref, kv, nkv, mode, refs,
	    &changed)) != 0) {
		edit_abort(&e);
		return rc;
	}
	assert_ok(edit_commit(&e));
	return (int)e.appended;
}

/* Writes one record in its own edit, references checked. */
static inline int
nf_put(struct node *n, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode)
{
	return nf_put_refs(n, type, ref, kv, nkv, mode, true);
}

/*
 * Whether (type, ref) is a live record; its field's displayed value as
 * text, a personal value opened where the node holds it, "(sealed)" where
 * it does not.
 */
static inline bool
nf_lookup(struct node *n, const char *type, const char *ref, const char *field,
    char *out, size_t len)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct value *v;
	struct record r;
	struct store_txn *txn;
	bool alive;

	record_init(&r);
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, t->id, ref,
	    strlen(ref), &r));
	assert_ok(personal_open_record(txn, &n->store, &r));
	alive = record_alive(&n->store, &r);
	if (out != NULL) {
		snprintf(out, len, "(none)");
		v = state_field(&n->store, &r,
		    schema_field_by_name(t, field, strlen(field))->id);
		if (v != NULL && v->kind == VAL_STR)
			snprintf(out, len, "%.*s", (int)v->len, v->s);
		else if (v != NULL && v->kind == VAL_INT)
			snprintf(out, len, "%lld", (long long)v->i);
		else if (v != NULL && v->kind == VAL_BOOL)
			snprintf(out, len, "%s", v->b ? "true" : "false");
		else if (v != NULL && v->kind == VAL_BIN)
			snprintf(out, len, "(sealed)");
	}
	store_abort(txn);
	record_free(&r);
	return alive;
}

/* A field's displayed value as text: "(none)" if unset, "(gone)" if dead. */
static inline const char *
nf_shown(struct node *n, const char *type, const char *ref, const char *field)
{
	static char buf[256];

	if (!nf_lookup(n, type, ref, field, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(gone)");
	return buf;
}

/* Live records of a type. */
static inline uint64_t
nf_count(struct node *n, unsigned type)
{
	struct store_txn *txn;
	uint64_t c;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_count(txn, &n->store, type, &c));
	store_abort(txn);
	return c;
}

/* Import callback: keeps the first bad lines' diagnostics. */
static inline int
nf_collect_bad(void *ctx, const struct consort_diag *d)
{
	struct nf_badlog *b = ctx;

	if (b->n < nitems(b->where)) {
		snprintf(b->where[b->n], sizeof(b->where[0]), "%s", d->where);
		snprintf(b->what[b->n], sizeof(b->what[0]), "%s", d->what);
	}
	b->n++;
	return 0;
}

/* Writes text to DIR/name and imports it; type given for CSV. */
static inline int
nf_import_text(struct nf_fix *f, const char *name, const char *text,
    const char *type, bool skip_bad, struct import_result *res,
    struct nf_badlog *bad)
{
	struct import_opts o;
	struct consort_diag d = { 0 };
	char path[4200];

	tu_path(path, sizeof(path), f->dir, name);
	tu_write_file(path, text);
	memset(&o, 0, sizeof(o));
	memset(&d, 0, sizeof(d));
	memset(bad, 0, sizeof(*bad));
	o.path = path;
	o.format = IMPORT_AUTO;
	o.type = type ? schema_type_by_name(type) : NULL;
	o.skip_bad = skip_bad;
	o.batch = 1000;
	o.bad = nf_collect_bad;
	o.ctx = bad;
	return import_file(f->n, &o, res, &d);
}

/* Asserts the import reported one bad line, at DIR/name:line, about what. */
static inline void
nf_expect_one_bad(struct nf_fix *f, const struct nf_badlog *bad,
    const char *name, unsigned line, const char *what)
{
	char where[4300];

	snprintf(where, sizeof(where), "%s/%s:%u", f->dir, name, line);
	assert_int_equal(bad->n, 1);
	assert_string_equal(bad->where[0], where);
	if (strstr(bad->what[0], what) == NULL)
		fail_msg("bad line says \"%s\", not \"%s\"", bad->what[0],
		    what);
}

#endif
