/*
 * Unit tests of node.c, records.c, import.c, log.c (replay) and state.c
 * (export): a node directory's files and keys, local edits and their
 * modes, JSON Lines and CSV import, rebuild from the log, and the canonical
 * export.
 */
#include <sys/stat.h>

#include "testutil.h"

#define PASSPHRASE "correct horse battery staple"
#define LOT01 "{\"type\":\"lot\",\"ref\":\"LOT-01\"," \
	"\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\"," \
	"\"rate_cents\":1410}\n"
#define T02 "{\"type\":\"trainee\",\"ref\":\"T000002\",\"family_name\":" \
	"\"Garnier\",\"given_name\":\"A\xc3\xaf" "cha\",\"birth_year\":1989," \
	"\"ft_id\":\"1250405C\",\"status\":\"job_seeker\"," \
	"\"disability\":false,\"part_time\":false}\n"
/* The canonical export of LOT01 and T02 (the benchmark README's example). */
#define EXPORT_LOT_T02 "{\"lot\":{\"LOT-01\":{\"rate_cents\":1410," \
	"\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\"}},\"trainee\":" \
	"{\"T000002\":{\"birth_year\":1989,\"disability\":false," \
	"\"family_name\":\"Garnier\",\"ft_id\":\"1250405C\"," \
	"\"given_name\":\"A\xc3\xaf" "cha\",\"part_time\":false," \
	"\"status\":\"job_seeker\"}}}"
#define EXPORT_SHA256 \
	"b3f772293051a591f383ad275cd86041324c567e5f47030d805577b017f9ffb1"

/* A temporary directory and, for most tests, a node in DIR/node. */
struct fix {
	char *dir;
	struct node *n;
	char path[4096];	/* DIR/node */
};

/* The bad lines an import reported. */
struct badlog {
	unsigned n;
	char where[4][256];
	char what[4][512];
};

/* A field-name / value pair. */
struct kv {
	const char *name;
	struct value v;
};

/* Per-test setup: a temporary directory only. */
static int
setup_dir(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node", f->dir);
	*state = f;
	return 0;
}

/* Per-test setup: a temporary directory with a fresh node in it. */
static int
setup_node(void **state)
{
	struct fix *f;

	if (setup_dir(state) != 0)
		return -1;
	f = *state;
	f->n = tu_node_init(f->dir, "node", NULL);
	return 0;
}

/* Per-test teardown: closes the node if any and removes the directory. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Reads a whole small file into buf; returns its size. */
static size_t
slurp(const char *path, uint8_t *buf, size_t max)
{
	FILE *fp = fopen(path, "rb");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, max, fp);
	fclose(fp);
	return n;
}

/* DIR/node/name. */
static const char *
node_file(struct fix *f, const char *name)
{
	static char buf[4200];

	tu_path(buf, sizeof(buf), f->path, name);
	return buf;
}

/* The seq of the node's own head. */
static uint64_t
own_seq(struct node *n)
{
	return tu_head(&n->store, n->pk).seq;
}

/* Calls records_put for one record inside an open edit. */
static int
put_in(struct edit *e, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode, bool refs, bool *changed)
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
static int
put_refs(struct node *n, const char *type, const char *ref,
    const struct kv *kv, unsigned nkv, enum put_mode mode, bool refs)
{
	struct edit e;
	bool changed;
	int rc;

	assert_ok(edit_begin(n, &e));
	if ((rc = put_in(&e, type, ref, kv, nkv, mode, refs, &changed)) != 0) {
		edit_abort(&e);
		return rc;
	}
	assert_ok(edit_commit(&e));
	return (int)e.appended;
}

/* Writes one record in its own edit, references checked. */
static int
put(struct node *n, const char *type, const char *ref, const struct kv *kv,
    unsigned nkv, enum put_mode mode)
{
	return put_refs(n, type, ref, kv, nkv, mode, true);
}

/* Whether (type, ref) is a live record; its field's displayed value as text. */
static bool
lookup(struct node *n, const char *type, const char *ref, const char *field,
    char *out, size_t len)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct value *v;
	struct record r;
	MDB_txn *txn;
	bool alive;

	record_init(&r);
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, t->id, ref,
	    strlen(ref), &r));
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
	}
	mdb_txn_abort(txn);
	record_free(&r);
	return alive;
}

/* A field's displayed value as text: "(none)" if unset, "(gone)" if dead. */
static const char *
shown(struct node *n, const char *type, const char *ref, const char *field)
{
	static char buf[256];

	if (!lookup(n, type, ref, field, buf, sizeof(buf)))
		snprintf(buf, sizeof(buf), "(gone)");
	return buf;
}

/* Live records of a type. */
static uint64_t
count(struct node *n, unsigned type)
{
	MDB_txn *txn;
	uint64_t c;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_count(txn, &n->store, type, &c));
	mdb_txn_abort(txn);
	return c;
}

/* Import callback: keeps the first bad lines' diagnostics. */
static int
collect_bad(void *ctx, const struct consort_diag *d)
{
	struct badlog *b = ctx;

	if (b->n < nitems(b->where)) {
		snprintf(b->where[b->n], sizeof(b->where[0]), "%s", d->where);
		snprintf(b->what[b->n], sizeof(b->what[0]), "%s", d->what);
	}
	b->n++;
	return 0;
}

/* Writes text to DIR/name and imports it; type given for CSV. */
static int
import_text(struct fix *f, const char *name, const char *text,
    const char *type, bool skip_bad, struct import_result *res,
    struct badlog *bad)
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
	o.bad = collect_bad;
	o.ctx = bad;
	return import_file(f->n, &o, res, &d);
}

/* Asserts the import reported one bad line, at DIR/name:line, about what. */
static void
expect_one_bad(struct fix *f, const struct badlog *bad, const char *name,
    unsigned line, const char *what)
{
	char where[4300];

	snprintf(where, sizeof(where), "%s/%s:%u", f->dir, name, line);
	assert_int_equal(bad->n, 1);
	assert_string_equal(bad->where[0], where);
	if (strstr(bad->what[0], what) == NULL)
		fail_msg("bad line says \"%s\", not \"%s\"", bad->what[0],
		    what);
}

/* node_init writes the key (0600), key.pub, network.key and the store. */
static void
test_init_files(void **state)
{
	struct fix *f = *state;
	uint8_t buf[256], hash[CONSORT_HASH_BYTES];
	struct tu_cs genesis;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(node_file(f, "key"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 8 + 1 + 64);
	assert_int_equal(stat(node_file(f, "network.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(slurp(node_file(f, "key.pub"), buf, sizeof(buf)),
	    CONSORT_KEY_BYTES);
	assert_memory_equal(buf, f->n->pk, CONSORT_KEY_BYTES);
	assert_int_equal(slurp(node_file(f, "key"), buf, sizeof(buf)), 73);
	assert_memory_equal(buf, "CSRTSK01", 8);
	assert_memory_equal(buf + 9, f->n->sk, 64);
	assert_int_equal(stat(node_file(f, "store/data.mdb"), &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* the founder is this node; the consortium id is the genesis id */
	assert_memory_equal(f->n->founder, f->n->pk, CONSORT_KEY_BYTES);
	assert_int_equal(own_seq(f->n), 1);
	genesis = tu_stored_cs(&f->n->store, f->n->pk, 1);
	keys_hash(hash, genesis.p, genesis.len - CONSORT_SIG_BYTES);
	assert_memory_equal(f->n->consortium, hash, CONSORT_HASH_BYTES);
	tu_cs_free(&genesis);
	assert_int_equal(count(f->n, T_member), 1);
	assert_int_equal(count(f->n, T_consortium), 1);
	assert_string_equal(shown(f->n, "member", TU_LEAD_SIRET, "role"),
	    "lead");
	assert_string_equal(shown(f->n, "member", TU_LEAD_SIRET, "awarded"),
	    "true");
	assert_string_equal(shown(f->n, "consortium", "consortium", "name"),
	    "Consortium Test");
}

/* node_open finds the same node; writing needs node_unlock first. */
static void
test_open_and_unlock(void **state)
{
	uint8_t pk[CONSORT_KEY_BYTES], cons[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct edit e;

	memcpy(pk, f->n->pk, sizeof(pk));
	memcpy(cons, f->n->consortium, sizeof(cons));
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_memory_equal(f->n->pk, pk, sizeof(pk));
	assert_memory_equal(f->n->founder, pk, sizeof(pk));
	assert_memory_equal(f->n->consortium, cons, sizeof(cons));
	assert_false(f->n->sealed);
	assert_false(f->n->have_sk);
	assert_err(edit_begin(f->n, &e), E(KEY));
	assert_ok(node_unlock(f->n, NULL, 0, &d));
	assert_true(f->n->have_sk);
	assert_ok(edit_begin(f->n, &e));
	edit_abort(&e);
}

/* node_open refuses what is not a node directory. */
static void
test_open_not_node(void **state)
{
	struct fix *f = *state;
	static struct node sentinel;	/* node_open must reset out */
	struct consort_diag d = { 0 };
	struct node *n = &sentinel;
	char path[4200];

	assert_err(node_open(f->dir, &n, &d), E(NOTNODE));
	assert_null(n);
	n = &sentinel;
	tu_path(path, sizeof(path), f->dir, "missing");
	assert_err(node_open(path, &n, &d), E(NOTNODE));
	assert_null(n);
}

/* node_init on an existing node refuses and leaves its key file alone. */
static void
test_init_twice(void **state)
{
	struct genesis g = {
		"Other", "MKT", { "Lead Formation", TU_LEAD_SIRET }, NULL, 0
	};
	uint8_t before[256], after[256];
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	struct stat st1, st2;
	size_t len;

	len = slurp(node_file(f, "key"), before, sizeof(before));
	assert_int_equal(stat(node_file(f, "key"), &st1), 0);
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(EXIST));
	assert_null(n);
	assert_int_equal(slurp(node_file(f, "key"), after, sizeof(after)), len);
	assert_memory_equal(before, after, len);
	assert_int_equal(stat(node_file(f, "key"), &st2), 0);
	assert_int_equal(st1.st_ino, st2.st_ino);
	assert_true(st1.st_mtim.tv_sec == st2.st_mtim.tv_sec &&
	    st1.st_mtim.tv_nsec == st2.st_mtim.tv_nsec);
	/* the node still opens with its own key */
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_ok(node_unlock(f->n, NULL, 0, &d));
}

/* A directory holding a key file but no store is not overwritten either. */
static void
test_init_over_key_file(void **state)
{
	struct genesis g = {
		"Consortium Test", "MKT", { "Lead Formation", TU_LEAD_SIRET },
		NULL, 0
	};
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	uint8_t buf[64];

	assert_int_equal(mkdir(f->path, 0700), 0);
	tu_write_file(node_file(f, "key"), "precious");
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(EXIST));
	assert_null(n);
	assert_int_equal(slurp(node_file(f, "key"), buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "precious", 8);
	assert_int_not_equal(access(node_file(f, "store/data.mdb"), F_OK), 0);
}

/* A genesis with a bad value or a repeated member is refused: no file made. */
static void
test_init_bad_genesis(void **state)
{
	struct genesis_member co[1] = { { "Co", TU_LEAD_SIRET } };
	struct genesis g = {
		"Consortium Test", "MKT", { "Lead Formation",
		    "41852736200128" },
		NULL, 0
	};
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct node *n = NULL;

	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(SCHEMA));
	assert_null(n);
	g.lead.siret = TU_LEAD_SIRET;
	g.co = co;
	g.nco = 1;
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(EXIST));
	g.nco = 0;
	g.consortium = "";
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(SCHEMA));
	assert_int_not_equal(access(f->path, F_OK), 0);
}

/* A sealed key opens with the right passphrase only. */
static void
test_sealed_key(void **state)
{
	struct fix *f = *state;
	uint8_t buf[512], sk[64];
	struct consort_diag d = { 0 };
	struct kv lot = { "sector", tu_str("x") };
	size_t len;

	f->n = tu_node_init(f->dir, "node", PASSPHRASE);
	memcpy(sk, f->n->sk, sizeof(sk));
	node_close(f->n);
	f->n = NULL;
	len = slurp(node_file(f, "key"), buf, sizeof(buf));
	assert_int_equal(len, 8 + 1 + 16 + 16 + 24 + 16 + 64);
	assert_null(memmem(buf, len, sk, 32));	/* the seed is not in clear */

	assert_ok(node_open(f->path, &f->n, &d));
	assert_true(f->n->sealed);
	assert_false(f->n->have_sk);
	assert_err(node_unlock(f->n, NULL, 0, &d), E(PASSPHRASE));
	assert_err(node_unlock(f->n, "wrong", 5, &d), E(PASSPHRASE));
	assert_err(node_unlock(f->n, PASSPHRASE, strlen(PASSPHRASE) - 1, &d),
	    E(PASSPHRASE));
	assert_false(f->n->have_sk);
	assert_ok(node_unlock(f->n, PASSPHRASE, strlen(PASSPHRASE), &d));
	assert_true(f->n->have_sk);
	assert_memory_equal(f->n->sk, sk, sizeof(sk));
	assert_int_equal(put(f->n, "lot", "LOT-01", &lot, 1, PUT_ADD), 1);
}

/* ADD refuses a live record, SET a missing one; equal values add nothing. */
static void
test_put_modes(void **state)
{
	struct kv lot[3] = {
		{ "sector", tu_str("Industrie") },
		{ "territory", tu_str("49") },
		{ "rate_cents", tu_int(1455) },
	};
	struct kv rate = { "rate_cents", tu_int(1500) };
	struct kv unset = { "territory", { VAL_NIL, false, 0, NULL, 0 } };
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct changeset cs;
	struct tu_cs last;
	struct edit e;
	bool changed;

	assert_int_equal(put(f->n, "lot", "LOT-04", lot, 3, PUT_ADD), 1);
	assert_int_equal(own_seq(f->n), 2);
	assert_err(put(f->n, "lot", "LOT-04", lot, 3, PUT_ADD), E(EXIST));
	assert_err(put(f->n, "lot", "LOT-99", lot, 3, PUT_SET), E(NOENT));
	assert_int_equal(own_seq(f->n), 2);

	/* the same values again: no op, no change-set */
	tu_state_hash(&f->n->store, before);
	assert_ok(edit_begin(f->n, &e));
	assert_ok(put_in(&e, "lot", "LOT-04", lot, 3, PUT_UPSERT, true,
	    &changed));
	assert_false(changed);
	assert_int_equal(e.b.nops, 0);
	assert_ok(edit_commit(&e));
	assert_int_equal(e.appended, 0);
	assert_int_equal(own_seq(f->n), 2);
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_int_equal(put(f->n, "lot", "LOT-04", lot, 3, PUT_SET), 0);

	/* one value differs: one SET op */
	assert_int_equal(put(f->n, "lot", "LOT-04", &rate, 1, PUT_UPSERT), 1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 3);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 1);
	assert_int_equal(cs.ops[0].kind, OP_SET);
	assert_int_equal(cs.ops[0].type, T_lot);
	assert_int_equal(cs.ops[0].field, 3);
	assert_int_equal(cs.ops[0].val.i, 1500);
	cs_free(&cs);
	tu_cs_free(&last);

	/* a nil value unsets */
	assert_int_equal(put(f->n, "lot", "LOT-04", &unset, 1, PUT_SET), 1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 4);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 1);
	assert_int_equal(cs.ops[0].kind, OP_UNSET);
	assert_int_equal(cs.ops[0].field, 2);
	cs_free(&cs);
	tu_cs_free(&last);
	assert_string_equal(shown(f->n, "lot", "LOT-04", "territory"),
	    "(none)");
	assert_int_equal(put(f->n, "lot", "LOT-04", &unset, 1, PUT_SET), 0);

	/* UPSERT of a new record creates it with its fields */
	assert_int_equal(put(f->n, "lot", "LOT-05", lot, 3, PUT_UPSERT), 1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 5);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 4);
	assert_int_equal(cs.ops[0].kind, OP_CREATE);
	assert_true(tu_is_str(&cs.ops[0].val, "LOT-05"));
	cs_free(&cs);
	tu_cs_free(&last);
	assert_string_equal(shown(f->n, "lot", "LOT-05", "rate_cents"), "1455");
	/* a bad ref is refused */
	assert_err(put(f->n, "lot", " LOT-06", lot, 3, PUT_ADD), E(SCHEMA));
	assert_err(put(f->n, "lot", "", lot, 3, PUT_ADD), E(SCHEMA));
	assert_int_equal(count(f->n, T_lot), 2);
}

/* Records in one edit make one change-set; an aborted edit leaves nothing. */
static void
test_edit_batch_and_abort(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct edit e;
	bool changed;

	assert_ok(edit_begin(f->n, &e));
	assert_ok(put_in(&e, "lot", "LOT-01", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(put_in(&e, "lot", "LOT-02", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(edit_commit(&e));
	assert_int_equal(e.appended, 1);
	assert_int_equal(own_seq(f->n), 2);
	assert_int_equal(count(f->n, T_lot), 2);

	tu_state_hash(&f->n->store, before);
	assert_ok(edit_begin(f->n, &e));
	assert_ok(put_in(&e, "lot", "LOT-03", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(edit_flush(&e));
	assert_int_equal(e.appended, 1);
	edit_abort(&e);
	assert_int_equal(own_seq(f->n), 2);
	assert_int_equal(count(f->n, T_lot), 2);
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	/* the next edit takes seq 3 */
	assert_int_equal(put(f->n, "lot", "LOT-03", &sector, 1, PUT_ADD), 1);
	assert_int_equal(own_seq(f->n), 3);
}

/* A reference field must name a live record when refs are checked. */
static void
test_reference_checks(void **state)
{
	struct kv session[2] = {
		{ "title", tu_str("Soudure") }, { "lot", tu_str("LOT-01") },
	};
	struct kv path[2] = {
		{ "session", tu_str("S-MISSING") }, { "hours", tu_int(10) },
	};
	struct kv sector = { "sector", tu_str("s") };
	struct kv fam = { "family_name", tu_str("Martin") };
	struct fix *f = *state;

	assert_err(put(f->n, "session", "S1", session, 2, PUT_ADD), E(REF));
	assert_int_equal(own_seq(f->n), 1);
	assert_int_equal(put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_int_equal(put(f->n, "session", "S1", session, 2, PUT_ADD), 1);
	assert_err(put(f->n, "path", "P1", path, 2, PUT_ADD), E(REF));
	/* unchecked (as import's second pass writes) it is accepted */
	assert_int_equal(put_refs(f->n, "path", "P1", path, 2, PUT_ADD, false),
	    1);
	path[0].v = tu_str("S1");
	assert_int_equal(put(f->n, "path", "P2", path, 2, PUT_ADD), 1);
	/* a deleted record is no longer a valid target */
	assert_int_equal(put(f->n, "trainee", "T1", &fam, 1, PUT_ADD), 1);
	assert_ok(tu_del(f->n, "trainee", "T1"));
	path[0] = (struct kv){ "trainee", tu_str("T1") };
	assert_err(put(f->n, "path", "P3", path, 1, PUT_ADD), E(REF));
	assert_int_equal(count(f->n, T_path), 2);
}

/* A deleted record is dead: delete or SET are refused, ADD revives it. */
static void
test_delete(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	struct fix *f = *state;

	assert_int_equal(put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_true(lookup(f->n, "lot", "LOT-01", "sector", NULL, 0));
	assert_ok(tu_del(f->n, "lot", "LOT-01"));
	assert_int_equal(own_seq(f->n), 3);
	assert_string_equal(shown(f->n, "lot", "LOT-01", "sector"), "(gone)");
	assert_int_equal(count(f->n, T_lot), 0);
	assert_err(tu_del(f->n, "lot", "LOT-01"), E(NOENT));
	assert_err(tu_del(f->n, "lot", "LOT-02"), E(NOENT));
	assert_err(put(f->n, "lot", "LOT-01", &sector, 1, PUT_SET), E(NOENT));
	assert_int_equal(own_seq(f->n), 3);
	sector.v = tu_str("back");
	assert_int_equal(put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_string_equal(shown(f->n, "lot", "LOT-01", "sector"), "back");
	assert_int_equal(count(f->n, T_lot), 1);
}

/* The canonical export of a tiny state is exact, however it was written. */
static void
test_export_exact(void **state)
{
	struct kv lot[3] = {
		{ "rate_cents", tu_int(1410) },
		{ "sector", tu_str("B\xc3\xa2timent") },
		{ "territory", tu_str("44") },
	};
	struct kv tr[7] = {
		{ "family_name", tu_str("Garnier") },
		{ "given_name", tu_str("A\xc3\xaf" "cha") },
		{ "birth_year", tu_int(1989) }, { "ft_id", tu_str("1250405C") },
		{ "status", tu_str("job_seeker") },
		{ "disability", tu_bool(false) },
		{ "part_time", tu_bool(false) },
	};
	uint8_t sha[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;
	struct node *local;
	char *json;

	/* written with records_put */
	assert_int_equal(put(f->n, "trainee", "T000002", tr, 7, PUT_ADD), 1);
	assert_int_equal(put(f->n, "lot", "LOT-01", lot, 3, PUT_ADD), 1);
	json = tu_export(&f->n->store);
	assert_string_equal(json, EXPORT_LOT_T02);
	crypto_hash_sha256(sha, (const uint8_t *)json, strlen(json));
	util_hex(hex, sha, sizeof(sha));
	assert_string_equal(hex, EXPORT_SHA256);
	free(json);

	/* imported into another node */
	local = f->n;
	f->n = tu_node_init(f->dir, "other", NULL);
	assert_ok(import_text(f, "tiny.jsonl", LOT01 T02, NULL, false, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	json = tu_export(&f->n->store);
	assert_string_equal(json, EXPORT_LOT_T02);
	free(json);
	node_close(f->n);
	f->n = local;
}

/* Strings are exported with JSON.stringify's escapes, non-ASCII raw. */
static void
test_export_escapes(void **state)
{
	struct kv lot = { "sector",
	    tu_str("q\"b\\n\nt\tc\x01\x1f/\xc3\xa9\xe2\x82\xac") };
	struct fix *f = *state;
	char *json;

	assert_int_equal(put(f->n, "lot", "L\"1", &lot, 1, PUT_ADD), 1);
	json = tu_export(&f->n->store);
	assert_string_equal(json, "{\"lot\":{\"L\\\"1\":{\"sector\":"
	    "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f/\xc3\xa9\xe2\x82\xac\"}}}");
	free(json);
}

/* The export of the genesis alone is empty: roster types are not exported. */
static void
test_export_empty(void **state)
{
	struct fix *f = *state;
	char *json = tu_export(&f->n->store);

	assert_string_equal(json, "{}");
	free(json);
}

/* A second import of the same file appends nothing and keeps the state hash. */
static void
test_import_idempotent(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"lot\",\"ref\":\"LOT-02\","
	    "\"sector\":\"Num\xc3\xa9rique\","
	    "\"territory\":\"72\",\"rate_cents\":1215}\n"
	    T02
	    "{\"type\":\"session\",\"ref\":\"S000001\",\"provider\":\""
	    TU_LEAD_SIRET "\",\"lot\":\"LOT-02\",\"title\":\"Soudure\"}\n"
	    "\n"
	    "{\"type\":\"path\",\"ref\":\"P000001\",\"trainee\":\"T000002\","
	    "\"session\":\"S000001\",\"hours\":176,\"financed\":true}\n";
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_ok(import_text(f, "data.jsonl", text, NULL, false, &res, &bad));
	assert_int_equal(res.lines, 6);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.changed, 5);
	assert_int_equal(res.bad, 0);
	assert_int_equal(res.changesets, 1);
	assert_int_equal(bad.n, 0);
	assert_int_equal(own_seq(f->n), 2);
	assert_string_equal(shown(f->n, "path", "P000001", "hours"), "176");
	assert_string_equal(shown(f->n, "session", "S000001", "lot"), "LOT-02");
	tu_state_hash(&f->n->store, h1);

	assert_ok(import_text(f, "data.jsonl", text, NULL, false, &res, &bad));
	assert_int_equal(res.records, 5);
	assert_int_equal(res.changed, 0);
	assert_int_equal(res.changesets, 0);
	assert_int_equal(own_seq(f->n), 2);
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
}

/* A file with one bad line is refused whole: nothing is written. */
static void
test_import_all_or_nothing(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"trainee\",\"ref\":\"T1\",\"status\":\"retired\"}\n"
	    T02;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	tu_state_hash(&f->n->store, h1);
	assert_err(import_text(f, "bad.jsonl", text, NULL, false, &res, &bad),
	    E(SCHEMA));
	assert_int_equal(res.bad, 1);
	assert_int_equal(res.changesets, 0);
	expect_one_bad(f, &bad, "bad.jsonl", 2, "field status");
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_int_equal(own_seq(f->n), 1);
	assert_int_equal(count(f->n, T_lot), 0);
	assert_int_equal(count(f->n, T_trainee), 0);
}

/* With skip_bad the good lines are imported and the bad one left out. */
static void
test_import_skip_bad(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"trainee\",\"ref\":\"T1\",\"status\":\"retired\"}\n"
	    "not json\n"
	    T02;
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_ok(import_text(f, "skip.jsonl", text, NULL, true, &res, &bad));
	assert_int_equal(res.lines, 4);
	assert_int_equal(res.bad, 2);
	assert_int_equal(res.records, 2);
	assert_int_equal(res.changed, 2);
	assert_int_equal(res.changesets, 1);
	assert_int_equal(bad.n, 2);
	assert_non_null(strstr(bad.where[1], "skip.jsonl:3"));
	assert_string_equal(shown(f->n, "lot", "LOT-01", "rate_cents"), "1410");
	assert_string_equal(shown(f->n, "trainee", "T000002", "status"),
	    "job_seeker");
	assert_false(lookup(f->n, "trainee", "T1", "status", NULL, 0));
	assert_int_equal(count(f->n, T_trainee), 1);
}

/* One ref twice in a file is refused, naming both lines. */
static void
test_import_duplicate_ref(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"lot\",\"ref\":\"LOT-02\",\"sector\":\"x\"}\n"
	    "{\"type\":\"lot\",\"ref\":\"LOT-01\",\"sector\":\"y\"}\n";
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_err(import_text(f, "dup.jsonl", text, NULL, false, &res, &bad),
	    E(SCHEMA));
	expect_one_bad(f, &bad, "dup.jsonl", 3, "already appears on line 1");
	assert_int_equal(own_seq(f->n), 1);
	/* the same ref under another type is another record */
	assert_ok(import_text(f, "two.jsonl",
	    "{\"type\":\"lot\",\"ref\":\"X1\",\"sector\":\"x\"}\n"
	    "{\"type\":\"trainee\",\"ref\":\"X1\",\"family_name\":\"x\"}\n",
	    NULL, false, &res, &bad));
	assert_int_equal(res.records, 2);
}

/* A reference must name a record earlier in the file (or in the store). */
static void
test_import_reference_order(void **state)
{
	static const char later[] =
	    "{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T000002\"}\n"
	    T02;
	static const char earlier[] = T02
	    "{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T000002\"}\n";
	static const char stored[] =
	    "{\"type\":\"path\",\"ref\":\"P2\",\"trainee\":\"T000002\"}\n";
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_err(import_text(f, "later.jsonl", later, NULL, false, &res,
	    &bad),
	    E(SCHEMA));
	expect_one_bad(f, &bad, "later.jsonl", 1, "no trainee \"T000002\"");
	assert_int_equal(own_seq(f->n), 1);
	assert_ok(import_text(f, "earlier.jsonl", earlier, NULL, false, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	assert_ok(import_text(f, "stored.jsonl", stored, NULL, false, &res,
	    &bad));
	assert_int_equal(res.changed, 1);
	assert_int_equal(count(f->n, T_path), 2);
}

/* JSON lines that are not records of an importable type are refused. */
static void
test_import_jsonl_refusals(void **state)
{
	static const char *const lines[] = {
		"{\"type\":\"member\",\"ref\":\"" TU_LEAD_SIRET "\","
		    "\"name\":\"x\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"color\":\"red\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":14.5}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":\"1410\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"sector\":[\"a\"]}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"sector\":\"a\","
		    "\"sector\":\"b\"}",
		"{\"type\":\"lot\",\"sector\":\"a\"}",
		"{\"type\":\"lot\",\"ref\":7}",
		"[1,2]",
		"{\"type\":\"lot\",\"ref\":\"L\"",
	};
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;
	char text[256];
	size_t i;

	for (i = 0; i < nitems(lines); i++) {
		snprintf(text, sizeof(text), "%s\n", lines[i]);
		if (import_text(f, "one.jsonl", text, NULL, false, &res,
		    &bad) != E(SCHEMA) || res.bad != 1 || bad.n != 1)
			fail_msg("line accepted: %s", lines[i]);
	}
	assert_int_equal(own_seq(f->n), 1);
}

/* JSON null unsets a field. */
static void
test_import_null_unsets(void **state)
{
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_ok(import_text(f, "a.jsonl", LOT01, NULL, false, &res, &bad));
	assert_ok(import_text(f, "b.jsonl",
	    "{\"type\":\"lot\",\"ref\":\"LOT-01\","
	    "\"territory\":null}\n", NULL, false, &res, &bad));
	assert_int_equal(res.changed, 1);
	assert_string_equal(shown(f->n, "lot", "LOT-01", "territory"),
	    "(none)");
	assert_string_equal(shown(f->n, "lot", "LOT-01", "rate_cents"), "1410");
}

/* CSV: a header row, quoted cells with commas, quotes and UTF-8. */
static void
test_import_csv(void **state)
{
	static const char text[] =
	    "ref,sector,territory,rate_cents\n"
	    "LOT-01,\"B\xc3\xa2timent, travaux publics\",44,1410\n"
	    "LOT-02,\"Dit \"\"num\xc3\xa9rique\"\"\",72,1215\n"
	    "LOT-03,Propret\xc3\xa9,,1365\n";
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	assert_ok(import_text(f, "lots.csv", text, "lot", false, &res, &bad));
	assert_int_equal(res.records, 3);
	assert_int_equal(res.changed, 3);
	assert_int_equal(res.bad, 0);
	assert_string_equal(shown(f->n, "lot", "LOT-01", "sector"),
	    "B\xc3\xa2timent, travaux publics");
	assert_string_equal(shown(f->n, "lot", "LOT-01", "rate_cents"), "1410");
	assert_string_equal(shown(f->n, "lot", "LOT-02", "sector"),
	    "Dit \"num\xc3\xa9rique\"");
	/* an empty cell leaves the field unset */
	assert_string_equal(shown(f->n, "lot", "LOT-03", "territory"),
	    "(none)");
	/* and leaves an existing value alone */
	assert_ok(import_text(f, "again.csv", "ref,territory,rate_cents\n"
	    "LOT-01,,1411\n", "lot", false, &res, &bad));
	assert_int_equal(res.changed, 1);
	assert_string_equal(shown(f->n, "lot", "LOT-01", "territory"), "44");
	assert_string_equal(shown(f->n, "lot", "LOT-01", "rate_cents"), "1411");
}

/* CSV rows with the wrong number of cells, and bad headers, are refused. */
static void
test_import_csv_refusals(void **state)
{
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct fix *f = *state;
	struct badlog bad;

	tu_state_hash(&f->n->store, h1);
	assert_err(import_text(f, "cells.csv", "ref,sector,territory\n"
	    "LOT-01,a,44\n" "LOT-02,b\n" "LOT-03,c,72\n", "lot", false, &res,
	    &bad), E(SCHEMA));
	assert_int_equal(res.bad, 1);
	expect_one_bad(f, &bad, "cells.csv", 3,
	    "2 cells where the header has 3");
	assert_err(import_text(f, "cells2.csv", "ref,sector\n"
	    "LOT-01,a,extra\n", "lot", false, &res, &bad), E(SCHEMA));
	assert_int_equal(res.bad, 1);
	assert_err(import_text(f, "col.csv", "ref,color\nLOT-01,red\n", "lot",
	    false, &res, &bad), E(SCHEMA));
	assert_err(import_text(f, "noref.csv", "sector\nx\n", "lot", false,
	    &res, &bad), E(SCHEMA));
	assert_err(import_text(f, "value.csv", "ref,rate_cents\nLOT-01,cheap\n",
	    "lot", false, &res, &bad), E(SCHEMA));
	assert_err(import_text(f, "quote.csv", "ref,sector\nLOT-01,\"a\"b\n",
	    "lot", false, &res, &bad), E(SCHEMA));
	/* a quote never closed would swallow the rest of the file */
	assert_err(import_text(f, "open.csv", "ref,sector\nLOT-01,\"open\n"
	    "LOT-02,b\n", "lot", false, &res, &bad), E(SCHEMA));
	assert_err(import_text(f, "notype.csv", "ref,sector\nLOT-01,a\n", NULL,
	    false, &res, &bad), E(INVAL));
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_int_equal(own_seq(f->n), 1);
	/* skip_bad keeps the good rows of the first file */
	assert_ok(import_text(f, "cells.csv", "ref,sector,territory\n"
	    "LOT-01,a,44\n" "LOT-02,b\n" "LOT-03,c,72\n", "lot", true, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	assert_int_equal(count(f->n, T_lot), 2);
}

/* Import in small batches gives the same records as one change-set. */
static void
test_import_batches(void **state)
{
	struct fix *f = *state;
	struct import_opts o;
	struct import_result res;
	struct consort_diag d = { 0 };
	struct node *other;
	char path[4200], *j1, *j2;
	FILE *fp;
	int i;

	tu_path(path, sizeof(path), f->dir, "many.jsonl");
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 1; i <= 25; i++)
		fprintf(fp, "{\"type\":\"trainee\",\"ref\":\"T%03d\","
		    "\"family_name\":\"N%d\",\"birth_year\":%d}\n", i, i,
		    1950 + i);
	assert_int_equal(fclose(fp), 0);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.batch = 10;
	assert_ok(import_file(f->n, &o, &res, &d));
	assert_int_equal(res.records, 25);
	assert_int_equal(res.changesets, 3);
	assert_int_equal(own_seq(f->n), 4);

	other = tu_node_init(f->dir, "other", NULL);
	o.batch = 1000;
	assert_ok(import_file(other, &o, &res, &d));
	assert_int_equal(res.changesets, 1);
	j1 = tu_export(&f->n->store);
	j2 = tu_export(&other->store);
	assert_string_equal(j1, j2);
	assert_int_equal(count(other, T_trainee), 25);
	free(j1);
	free(j2);
	node_close(other);
}

/* Rebuilding the state from the log gives the same state hash. */
static void
test_replay_after_clear(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], empty[CONSORT_HASH_BYTES],
	    after[CONSORT_HASH_BYTES];
	struct kv sector = { "sector", tu_str("new") };
	struct log_replay_stats st;
	struct import_result res;
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct badlog bad;
	MDB_txn *txn;
	char *j1, *j2;

	assert_ok(import_text(f, "a.jsonl", LOT01 T02, NULL, false, &res,
	    &bad));
	assert_int_equal(put(f->n, "lot", "LOT-01", &sector, 1, PUT_SET), 1);
	assert_ok(tu_del(f->n, "trainee", "T000002"));
	tu_state_hash(&f->n->store, before);
	j1 = tu_export(&f->n->store);

	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(store_clear_state(txn, &f->n->store));
	assert_ok(state_hash(txn, &f->n->store, empty));
	assert_memory_not_equal(before, empty, CONSORT_HASH_BYTES);
	memset(&d, 0, sizeof(d));
	assert_ok(log_replay(txn, &f->n->store, f->n->consortium, &st, &d));
	assert_int_equal(st.changesets, 4);
	assert_ok(store_commit(txn));
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	j2 = tu_export(&f->n->store);
	assert_string_equal(j1, j2);
	assert_string_equal(j2, "{\"lot\":{\"LOT-01\":{\"rate_cents\":1410,"
	    "\"sector\":\"new\",\"territory\":\"44\"}}}");
	free(j1);
	free(j2);
}

/* The clock rises strictly and survives a reopen. */
static void
test_hlc(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	uint64_t a, b, last;
	int i;

	a = node_hlc_next(f->n);
	for (i = 0; i < 1000; i++) {
		b = node_hlc_next(f->n);
		assert_true(b > a);
		a = b;
	}
	assert_int_equal(put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	last = tu_head(&f->n->store, f->n->pk).hlc;
	assert_true(last > a);
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_true(f->n->hlc == last);
	assert_true(node_hlc_next(f->n) > last);
}

int
main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_files, setup_node),
		T(test_open_and_unlock, setup_node),
		T(test_open_not_node, setup_dir),
		T(test_init_twice, setup_node),
		T(test_init_over_key_file, setup_dir),
		T(test_init_bad_genesis, setup_dir),
		T(test_sealed_key, setup_dir),
		T(test_put_modes, setup_node),
		T(test_edit_batch_and_abort, setup_node),
		T(test_reference_checks, setup_node),
		T(test_delete, setup_node),
		T(test_export_exact, setup_node),
		T(test_export_escapes, setup_node),
		T(test_export_empty, setup_node),
		T(test_import_idempotent, setup_node),
		T(test_import_all_or_nothing, setup_node),
		T(test_import_skip_bad, setup_node),
		T(test_import_duplicate_ref, setup_node),
		T(test_import_reference_order, setup_node),
		T(test_import_jsonl_refusals, setup_node),
		T(test_import_null_unsets, setup_node),
		T(test_import_csv, setup_node),
		T(test_import_csv_refusals, setup_node),
		T(test_import_batches, setup_node),
		T(test_replay_after_clear, setup_node),
		T(test_hlc, setup_node),
	};
#undef T

	return cmocka_run_group_tests_name("node", tests, tu_group_setup, NULL);
}
