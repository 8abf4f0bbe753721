/*
 * Shared fixtures and helpers of the cmocka unit tests: temporary node
 * directories, values, hand-built change-sets of a second author, and
 * applying change-sets to a store.  Every helper is static inline so a test
 * program that does not use one compiles without a warning.
 */
#ifndef CONSORT_TESTUTIL_H
#define CONSORT_TESTUTIL_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"
#include "jsonw.h"

/* The lead's SIRET of every test consortium (Luhn-valid). */
#define TU_LEAD_SIRET "41852736200127"

/* Fails the test unless expr returns the error code want, naming both. */
#define assert_err(expr, want) do {					\
	int tu_rc_ = (expr);						\
	int tu_want_ = (want);						\
	if (tu_rc_ != tu_want_)						\
		fail_msg("%s: got %s (%d), want %s (%d)", #expr,	\
		    consort_err_name(tu_rc_), tu_rc_,			\
		    consort_err_name(tu_want_), tu_want_);		\
} while (0)

/* Fails the test unless expr returns 0. */
#define assert_ok(expr) assert_err(expr, 0)

/* A hand-driven author: its key pair and the tip of its chain. */
struct tu_author {
	uint8_t pk[CONSORT_KEY_BYTES];
	uint8_t sk[64];
	uint64_t seq;
	uint8_t prev[CONSORT_HASH_BYTES];
};

/* A field-name / value pair. */
struct kv {
	const char *name;
	struct value v;
};

/* A signed change-set kept by a test. */
struct tu_cs {
	uint8_t *p;
	size_t len;
};

/* Group setup: libsodium must be initialised before any key is made. */
static inline int
tu_group_setup(void **state)
{
	(void)state;
	return sodium_init() < 0 ? -1 : 0;
}

/* Makes a fresh directory under $TMPDIR (or /tmp); the caller frees it. */
static inline char *
tu_mkdtemp(void)
{
	const char *dir = getenv("TMPDIR");
	char tmpl[4096];

	if (dir == NULL || dir[0] == '\0')
		dir = "/tmp";
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/consort-test-XXXXXX",
	    dir) >= sizeof(tmpl) || mkdtemp(tmpl) == NULL)
		return NULL;
	return strdup(tmpl);
}

/* nftw callback removing one entry, children first. */
static inline int
tu_rm_one(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	(void)st;
	(void)flag;
	(void)ftw;
	return remove(path);
}

/* Removes a directory tree and frees its path. */
static inline void
tu_rmtree(char *dir)
{
	if (dir == NULL)
		return;
	nftw(dir, tu_rm_one, 16, FTW_DEPTH | FTW_PHYS);
	free(dir);
}

/* Joins dir and name into a static-size buffer. */
static inline void
tu_path(char *buf, size_t len, const char *dir, const char *name)
{
	assert_true((size_t)snprintf(buf, len, "%s/%s", dir, name) < len);
}

/* Creates a node at dir/name with the test genesis, optionally sealed. */
static inline struct node *
tu_node_init(const char *dir, const char *name, const char *pass)
{
	struct genesis g = {
		"Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, NULL, 0
	};
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	char path[4096];

	memset(&d, 0, sizeof(d));
	tu_path(path, sizeof(path), dir, name);
	if (node_init(path, &g, pass, pass ? strlen(pass) : 0, &n, &d) != 0)
		fail_msg("node_init %s: %s %s", path, d.where, d.what);
	return n;
}

/* Deletes a record of node n in its own change-set. */
static inline int
tu_del(struct node *n, const char *type, const char *ref)
{
	struct consort_diag d = { 0 };
	struct edit e;
	int rc;

	assert_ok(edit_begin(n, &e));
	rc = records_delete(&e, schema_type_by_name(type), ref, strlen(ref), &d);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* A string value over a NUL-terminated C string. */
static inline struct value
tu_str(const char *s)
{
	struct value v = { VAL_STR, false, 0, s, (uint32_t)strlen(s) };

	return v;
}

/* An integer value. */
static inline struct value
tu_int(int64_t i)
{
	struct value v = { VAL_INT, false, i, NULL, 0 };

	return v;
}

/* A boolean value. */
static inline struct value
tu_bool(bool b)
{
	struct value v = { VAL_BOOL, b, 0, NULL, 0 };

	return v;
}

/* Whether a value is the string s. */
static inline bool
tu_is_str(const struct value *v, const char *s)
{
	return v != NULL && v->kind == VAL_STR && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* The state hash of a store, in its own read transaction. */
static inline void
tu_state_hash(struct store *s, uint8_t out[CONSORT_HASH_BYTES])
{
	struct store_txn *txn;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_hash(txn, s, out));
	store_abort(txn);
}

/* An author's head in a store (seq 0 when the author is unknown). */
static inline struct head
tu_head(struct store *s, const uint8_t *author)
{
	struct head h;
	struct store_txn *txn;
	int rc;

	memset(&h, 0, sizeof(h));
	assert_ok(store_begin(s, false, &txn));
	rc = store_head(txn, s, author, &h);
	store_abort(txn);
	if (rc == E(NOENT))
		memset(&h, 0, sizeof(h));
	else
		assert_ok(rc);
	return h;
}

/* A dep naming an author's current head in a store. */
static inline struct cs_dep
tu_dep(struct store *s, const uint8_t *author)
{
	struct head h = tu_head(s, author);
	struct cs_dep dep;

	assert_true(h.seq > 0);
	memcpy(dep.author, author, CONSORT_KEY_BYTES);
	dep.seq = h.seq;
	memcpy(dep.hash, h.id, CONSORT_HASH_BYTES);
	return dep;
}

/* The number of personal values' openings a store keeps. */
static inline uint64_t
tu_openings(struct store *s)
{
	struct store_walk w;
	struct store_val k, v;
	struct store_txn *txn;
	uint64_t n = 0;
	int rc;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_walk_begin(&w, txn, s, TB_OPENINGS, NULL, 0, 0));
	while ((rc = store_walk_next(&w, &k, &v)) > 0)
		n++;
	store_walk_end(&w);
	assert_int_equal(rc, 0);
	store_abort(txn);
	return n;
}

/* Applies one signed change-set in its own write transaction. */
static inline int
tu_apply(struct store *s, const uint8_t consortium[CONSORT_HASH_BYTES],
    const void *p, size_t len)
{
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	int rc;

	memset(&d, 0, sizeof(d));
	assert_ok(store_begin(s, true, &txn));
	if ((rc = log_apply(txn, s, p, len, consortium, &d)) != 0) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

/* Applies a kept change-set. */
static inline int
tu_apply_cs(struct store *s, const uint8_t consortium[CONSORT_HASH_BYTES],
    const struct tu_cs *cs)
{
	return tu_apply(s, consortium, cs->p, cs->len);
}

/* Makes an author from a one-byte seed, so keys are the same every run. */
static inline void
tu_author_init(struct tu_author *a, uint8_t seed)
{
	uint8_t s[crypto_sign_SEEDBYTES];

	memset(a, 0, sizeof(*a));
	memset(s, seed, sizeof(s));
	crypto_sign_seed_keypair(a->pk, a->sk, s);
}

/* Orders deps by author key. */
static inline int
tu_cmp_dep(const void *a, const void *b)
{
	return memcmp(((const struct cs_dep *)a)->author,
	    ((const struct cs_dep *)b)->author, CONSORT_KEY_BYTES);
}

/*
 * Signs the builder's ops as author a's next change-set (seq and prev from
 * a, deps sorted here), keeps a copy, and advances a's chain.
 */
static inline struct tu_cs
tu_author_sign(struct tu_author *a,
    const uint8_t consortium[CONSORT_HASH_BYTES], const struct cs_dep *deps,
    uint32_t ndeps, uint64_t hlc, struct cs_builder *b)
{
	struct cs_dep sorted[8];
	struct changeset hdr;
	msgpack_sbuffer out;
	struct tu_cs cs;

	assert_true(ndeps <= nitems(sorted));
	if (ndeps > 0)
		memcpy(sorted, deps, ndeps * sizeof(*deps));
	qsort(sorted, ndeps, sizeof(*sorted), tu_cmp_dep);
	memset(&hdr, 0, sizeof(hdr));
	hdr.version = CONSORT_CS_VERSION;
	memcpy(hdr.consortium, consortium, CONSORT_HASH_BYTES);
	memcpy(hdr.author, a->pk, CONSORT_KEY_BYTES);
	hdr.seq = a->seq + 1;
	memcpy(hdr.prev, a->prev, CONSORT_HASH_BYTES);
	hdr.deps = sorted;
	hdr.ndeps = ndeps;
	hdr.hlc = hlc;
	msgpack_sbuffer_init(&out);
	assert_ok(csb_sign(b, &hdr, a->sk, &out));
	a->seq++;
	keys_hash(a->prev, out.data, out.size - CONSORT_SIG_BYTES);
	cs.len = out.size;
	cs.p = malloc(cs.len);
	assert_non_null(cs.p);
	memcpy(cs.p, out.data, cs.len);
	msgpack_sbuffer_destroy(&out);
	csb_reset(b);
	return cs;
}

/* Frees a kept change-set. */
static inline void
tu_cs_free(struct tu_cs *cs)
{
	free(cs->p);
	cs->p = NULL;
	cs->len = 0;
}

/* Copies the stored change-set (author, seq) out of a store. */
static inline struct tu_cs
tu_stored_cs(struct store *s, const uint8_t *author, uint64_t seq)
{
	struct tu_cs cs;
	struct store_txn *txn;
	struct store_val v;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_get_change(txn, s, author, seq, &v));
	cs.len = v.len;
	cs.p = malloc(cs.len);
	assert_non_null(cs.p);
	memcpy(cs.p, v.data, cs.len);
	store_abort(txn);
	return cs;
}

/* Writes a whole text file. */
static inline void
tu_write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	assert_int_equal(fwrite(text, 1, strlen(text), f), strlen(text));
	assert_int_equal(fclose(f), 0);
}

/* The canonical JSON export of a store, as a malloc'd NUL-terminated string. */
static inline char *
tu_export(struct store *s)
{
	struct consort_diag d = { 0 };
	struct jsonw w;
	struct store_txn *txn;
	char *buf = NULL;
	size_t len = 0;
	FILE *f;

	f = open_memstream(&buf, &len);
	assert_non_null(f);
	jw_init(&w, f);
	assert_ok(store_begin(s, false, &txn));
	assert_ok(state_export_json(txn, s, &w, &d));
	store_abort(txn);
	assert_int_equal(fclose(f), 0);
	return buf;
}

/* Makes LMDB skip fsync: a test store never outlives its process. */
static inline void
tu_nosync(struct node *n)
{
	store_set_sync(&n->store, false);
}

/* The SIRET of the co-contractor in tu_lead_init's genesis (Luhn-valid). */
#define TU_CO_SIRET "50324917900212"

/*
 * Creates a lead's node at dir/name whose genesis awards TU_CO_SIRET too;
 * its store skips fsync.
 */
static inline struct node *
tu_lead_init(const char *dir, const char *name)
{
	struct genesis_member co[1] = { { "Co Formation", TU_CO_SIRET } };
	struct genesis g = {
		"Consortium Test", "MKT-2026-01",
		{ "Lead Formation", TU_LEAD_SIRET }, co, 1
	};
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	char path[4096];

	tu_path(path, sizeof(path), dir, name);
	if (node_init(path, &g, NULL, 0, &n, &d) != 0)
		fail_msg("node_init %s: %s %s", path, d.where, d.what);
	tu_nosync(n);
	return n;
}

/*
 * Makes the co-contractor's node at dir/name as consort keygen, invite and
 * join do: a key pair, its binding on the lead, the store with the
 * genesis; unlocked, its store skipping fsync.  Its first sync brings
 * the rest.
 */
static inline struct node *
tu_member_join(struct node *lead, const char *dir, const char *name)
{
	struct roster_invite rq = { NULL, TU_CO_SIRET, ROLE_CO, { 0 }, NULL,
		NULL };
	struct consort_diag d = { 0 };
	struct tu_cs genesis;
	struct invite inv;
	struct node *n = NULL;
	struct edit e;
	char path[4096];

	tu_path(path, sizeof(path), dir, name);
	if (node_keygen(path, NULL, 0, rq.key, &d) != 0)
		fail_msg("keygen %s: %s", path, d.what);
	assert_ok(edit_begin(lead, &e));
	if (roster_invite(&e, &rq, &d) != 0)
		fail_msg("invite: %s", d.what);
	assert_ok(edit_commit(&e));
	genesis = tu_stored_cs(&lead->store, lead->pk, 1);
	memset(&inv, 0, sizeof(inv));
	memcpy(inv.consortium, lead->consortium, CONSORT_HASH_BYTES);
	memcpy(inv.founder, lead->founder, CONSORT_KEY_BYTES);
	assert_ok(node_netkey(lead, inv.netkey));
	inv.genesis = genesis.p;
	inv.genesis_len = genesis.len;
	if (node_join(path, &inv, &n, &d) != 0)
		fail_msg("join %s: %s", path, d.what);
	sodium_memzero(inv.netkey, sizeof(inv.netkey));
	tu_cs_free(&genesis);
	assert_ok(node_unlock(n, NULL, 0, &d));
	tu_nosync(n);
	return n;
}

#endif
