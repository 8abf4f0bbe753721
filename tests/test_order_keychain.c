/*
 * Unit tests of order-keychain.c and the key chain of a request: a lead
 * whose key replaced the founder's (key records written in the state, as
 * consort key rotate and consort key recover write them) builds a request
 * that names the founder's key as the lead's and carries the chain from
 * it to the signer's, which keychain_verify_json() and order verify accept
 * with the founder's key alone; a request signed by the founder carries
 * none; a key no record links is refused.
 */
#include "testutil.h"

#include "order.h"

#define CO_SIRET "50324917900212"

#include "order_base.h"

/* A key pair of a test. */
struct kp {
	uint8_t pk[CONSORT_KEY_BYTES];
	uint8_t sk[64];
};

struct fix {
	char *dir;
	struct node *n;
	uint8_t founder_pk[CONSORT_KEY_BYTES];
	uint8_t *founder_sk;    /* the node's own, while another signs */
	struct kp k0;           /* the founder's, copied */
};

/* Per-test setup: a consortium with a co-contractor, the base lot imported. */
static int
setup(void **state)
{
	struct genesis_member co = { "Atelier Comp\xc3\xa9tences", CO_SIRET };
	struct genesis g = { "Groupement Test", "MKT-2026", { "Lead Formation",
		TU_LEAD_SIRET }, &co, 1 };
	struct import_opts o = { 0 };
	struct import_result res;
	struct consort_diag d = { 0 };
	char path[4096];
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(path, sizeof(path), f->dir, "node");
	if (node_init(path, &g, NULL, 0, &f->n, &d) != 0)
		return -1;
	tu_path(path, sizeof(path), f->dir, "base.jsonl");
	tu_write_file(path, base);
	o.path = path;
	o.format = IMPORT_JSONL;
	o.batch = 100;
	if (import_file(f->n, &o, &res, &d) != 0)
		fail_msg("import: %s %s", d.where, d.what);
	memcpy(f->k0.pk, f->n->pk, CONSORT_KEY_BYTES);
	memcpy(f->k0.sk, f->n->sk, 64);
	memcpy(f->founder_pk, f->n->pk, CONSORT_KEY_BYTES);
	f->founder_sk = f->n->sk;
	*state = f;
	return 0;
}

/* Per-test teardown: the node's own key back, then closed. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	if (f->n->sk != f->founder_sk) {
		free(f->n->sk);
		f->n->sk = f->founder_sk;
		memcpy(f->n->pk, f->founder_pk, CONSORT_KEY_BYTES);
	}
	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The node signs with another key from now on (its store stays). */
static void
sign_as(struct fix *f, const struct kp *k)
{
	if (f->n->sk == f->founder_sk)
		f->n->sk = malloc(64);
	assert_non_null(f->n->sk);
	memcpy(f->n->sk, k->sk, 64);
	memcpy(f->n->pk, k->pk, CONSORT_KEY_BYTES);
}

/* Writes a record of fields given as text, in one edit of the lead's. */
static void
put(struct fix *f, unsigned type, const char *ref, const char *const *names,
    const char *const *vals, size_t n)
{
	const struct schema_type *t = schema_type(type);
	struct consort_diag d = { 0 };
	struct field_input in[8];
	struct edit e;
	bool changed;
	size_t i;

	for (i = 0; i < n; i++) {
		in[i].f = schema_field_by_name(t, names[i], strlen(names[i]));
		assert_non_null(in[i].f);
		assert_ok(schema_parse_text(in[i].f, vals[i], strlen(vals[i]),
		    &in[i].v, &d));
	}
	assert_ok(edit_begin(f->n, &e));
	if (records_put(&e, t, ref, strlen(ref), in, n, PUT_UPSERT, false,
	    &changed, &d) != 0)
		fail_msg("records_put %s: %s %s", ref, d.where, d.what);
	assert_ok(edit_commit(&e));
}

/*
 * Writes the key record of a link from one key to another, signed by
 * signer (the replaced key, or the recovery key) and proved by to.
 */
static void
put_link(struct fix *f, const struct kp *from, const struct kp *to,
    enum key_role role, enum key_by by, const struct kp *signer,
    const char *date)
{
	static const char *const names[] = { "from", "role", "by", "last",
		"date", "signature", "proof" };
	char fhex[65], thex[65], sig[129], proof[129];
	const char *vals[7];
	struct key_link l;

	memset(&l, 0, sizeof(l));
	memcpy(l.from, from->pk, CONSORT_KEY_BYTES);
	memcpy(l.to, to->pk, CONSORT_KEY_BYTES);
	l.role = role;
	l.by = by;
	snprintf(l.date, sizeof(l.date), "%s", date);
	assert_ok(keychain_link_sign(f->n->consortium, &l, signer->sk,
	    to->sk));
	util_hex(fhex, l.from, CONSORT_KEY_BYTES);
	util_hex(thex, l.to, CONSORT_KEY_BYTES);
	util_hex(sig, l.sig, 64);
	util_hex(proof, l.proof, 64);
	vals[0] = fhex;
	vals[1] = keychain_role_name(role);
	vals[2] = keychain_by_name(by);
	vals[3] = "0";
	vals[4] = date;
	vals[5] = sig;
	vals[6] = proof;
	put(f, T_key, thex, names, vals, nitems(names));
}

/* Names the consortium's recovery key, signed by the founder. */
static void
put_recovery(struct fix *f, const struct kp *r)
{
	static const char *const names[] = { "recovery", "recovery_signature" };
	char rhex[65], sig[129];
	const char *vals[2] = { rhex, sig };
	uint8_t s[64];

	keychain_recovery_sign(s, f->k0.pk, r->pk, f->k0.sk);
	util_hex(rhex, r->pk, CONSORT_KEY_BYTES);
	util_hex(sig, s, 64);
	put(f, T_consortium, "consortium", names, vals, 2);
}

/* The lead's member record names key k (the roster's key in force). */
static void
lead_key(struct fix *f, const struct kp *k)
{
	static const char *const names[] = { "key" };
	char hex[65];
	const char *vals[1] = { hex };

	util_hex(hex, k->pk, CONSORT_KEY_BYTES);
	put(f, T_member, TU_LEAD_SIRET, names, vals, 1);
}

/* Builds LOT-A's March request as the node signs now; NULL: refused (d). */
static json_t *
build(struct fix *f, struct consort_diag *d)
{
	struct order_opts o = { "LOT-A", "2026-03", false, NULL, NULL,
	    "2026-03-02" };
	struct rules_query q;
	struct rules_model *m;
	char from[11], to[11];
	struct store_txn *txn;
	json_t *req = NULL;

	memset(d, 0, sizeof(*d));
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->n->store));
	assert_ok(perm_roster(txn, &f->n->store));
	assert_ok(order_query(&f->n->store, f->n->pk, &o, &q, from, to, d));
	assert_ok(rules_load(txn, &f->n->store, &q, &m, d));
	assert_ok(rules_check(txn, m));
	if (m->errors + m->conflicts != 0)
		fail_msg("the rules refuse the request: %zu errors", m->errors);
	if (order_request(txn, f->n, m, &o, &req, d) != 0)
		req = NULL;
	rules_free(m);
	store_abort(txn);
	return req;
}

/* Signs a request with the node's key in force and parses it back. */
static void
sign_parse(struct fix *f, const json_t *req, const uint8_t *key,
    struct order_file *of)
{
	struct consort_diag d = { 0 };
	char *file;
	size_t len;

	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_ok(order_parse(file, len, key, of, &d));
	free(file);
}

/* Asserts a request's lead key is the founder's. */
static void
assert_lead_founder(struct fix *f, const json_t *req)
{
	char hex[65];

	util_hex(hex, f->founder_pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_object_get(req, "lead"), "key"), hex);
}

/* The founder's request carries no chain, and its lead key is the founder's. */
static void
test_founder_no_chain(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct order_file of;
	json_t *req = build(f, &d);

	assert_non_null(req);
	assert_null(json_object_get(req, "key_chain"));
	assert_lead_founder(f, req);
	sign_parse(f, req, f->founder_pk, &of);
	assert_false(of.has_chain);
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	order_file_free(&of);
	json_decref(req);
}

/*
 * Two rotations: the request signed by the second new key carries both
 * links, names the founder as lead, and verifies with the founder's key.
 */
static void
test_rotated(void **state)
{
	struct fix *f = *state;
	struct kp k1, k2;
	struct consort_diag d = { 0 };
	struct order_file of;
	const json_t *chain, *links;
	char hex[65], text[ORDER_VERDICT_MAX];
	json_t *req;

	crypto_sign_keypair(k1.pk, k1.sk);
	crypto_sign_keypair(k2.pk, k2.sk);
	put_link(f, &f->k0, &k1, KEY_ROLE_MEMBER, KEY_BY_KEY, &f->k0,
	    "2026-03-01");
	put_link(f, &k1, &k2, KEY_ROLE_MEMBER, KEY_BY_KEY, &k1, "2026-03-02");
	lead_key(f, &k2);
	sign_as(f, &k2);
	req = build(f, &d);
	if (req == NULL)
		fail_msg("build: %s: %s", d.where, d.what);
	assert_lead_founder(f, req);
	util_hex(hex, k2.pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_object_get(req, "sender"), "key"), hex);
	chain = json_object_get(req, "key_chain");
	links = json_object_get(chain, "links");
	assert_int_equal(json_array_size(links), 2);
	assert_null(json_object_get(chain, "recovery"));
	util_hex(hex, f->founder_pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_array_get(links, 0), "from"), hex);
	assert_ok(keychain_verify_json(chain, f->n->consortium, f->founder_pk,
	    k2.pk, &d));
	/* order verify --key FOUNDER: valid, through the chain */
	sign_parse(f, req, f->founder_pk, &of);
	assert_true(of.has_chain);
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	assert_int_equal(of.chain_rotations, 2);
	assert_ok(order_verdict_text(&of, text, sizeof(text)));
	assert_non_null(strstr(text, "through a chain of 2 key records"));
	order_file_free(&of);
	/* without --key: from the lead key it names */
	sign_parse(f, req, NULL, &of);
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	order_file_free(&of);
	/* checked against another key than the founder's: refused */
	sign_parse(f, req, k1.pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_BAD_CHAIN);
	assert_int_equal(of.chain_rc, E(PERM));
	order_file_free(&of);
	/* signed by the replaced key k1: the chain ends at k2, k1 is revoked */
	sign_as(f, &k1);
	sign_parse(f, req, f->founder_pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	order_file_free(&of);
	util_hex(hex, k1.pk, CONSORT_KEY_BYTES);
	json_object_set_new(json_object_get(req, "sender"), "key",
	    json_string(hex));
	sign_parse(f, req, f->founder_pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_BAD_CHAIN);
	assert_non_null(strstr(of.chain_diag.what, "replaced on 2026-03-02"));
	order_file_free(&of);
	json_decref(req);
}

/*
 * A recovery after the recovery key's own rotation: the chain names the
 * founder's recovery key and holds its rotation before the recovery.
 */
static void
test_recovered(void **state)
{
	struct fix *f = *state;
	struct kp k1, k2, r0, r1;
	struct consort_diag d = { 0 };
	struct order_file of;
	const json_t *chain, *links;
	char hex[65];
	json_t *req;

	crypto_sign_keypair(k1.pk, k1.sk);
	crypto_sign_keypair(k2.pk, k2.sk);
	crypto_sign_keypair(r0.pk, r0.sk);
	crypto_sign_keypair(r1.pk, r1.sk);
	put_recovery(f, &r0);
	put_link(f, &f->k0, &k1, KEY_ROLE_MEMBER, KEY_BY_KEY, &f->k0,
	    "2026-03-01");
	put_link(f, &r0, &r1, KEY_ROLE_RECOVERY, KEY_BY_RECOVERY, &r0,
	    "2026-03-02");
	put_link(f, &k1, &k2, KEY_ROLE_MEMBER, KEY_BY_RECOVERY, &r1,
	    "2026-03-03");
	lead_key(f, &k2);
	sign_as(f, &k2);
	req = build(f, &d);
	if (req == NULL)
		fail_msg("build: %s: %s", d.where, d.what);
	chain = json_object_get(req, "key_chain");
	links = json_object_get(chain, "links");
	assert_int_equal(json_array_size(links), 3);
	assert_string_equal(jr_str(json_array_get(links, 1), "role"),
	    "recovery");
	util_hex(hex, r0.pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_object_get(chain, "recovery"), "key"),
	    hex);
	assert_ok(keychain_verify_json(chain, f->n->consortium, f->founder_pk,
	    k2.pk, &d));
	sign_parse(f, req, f->founder_pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	assert_int_equal(of.chain_rotations, 1);
	assert_int_equal(of.chain_recoveries, 1);
	assert_int_equal(of.chain_links, 3);
	order_file_free(&of);
	json_decref(req);
}

/* A key no record links, or a record that does not hold: no chain built. */
static void
test_refused(void **state)
{
	struct fix *f = *state;
	struct kp k1, k2, x;
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *chain = NULL;

	crypto_sign_keypair(k1.pk, k1.sk);
	crypto_sign_keypair(k2.pk, k2.sk);
	crypto_sign_keypair(x.pk, x.sk);
	/* k1 made by a record signed by another key than the founder's */
	put_link(f, &f->k0, &k1, KEY_ROLE_MEMBER, KEY_BY_KEY, &x,
	    "2026-03-01");
	/* k2 made by the recovery key, and the consortium names none */
	put_link(f, &f->k0, &k2, KEY_ROLE_MEMBER, KEY_BY_RECOVERY, &x,
	    "2026-03-01");
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->founder_pk, x.pk, &chain, &d), E(NOENT));
	assert_non_null(strstr(d.what, "no key record links key"));
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->founder_pk, k1.pk, &chain, &d), E(SIGNATURE));
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->founder_pk, k2.pk, &chain, &d), E(PERM));
	assert_null(chain);
	/* the founder itself needs none */
	assert_ok(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->founder_pk, f->founder_pk, &chain, &d));
	assert_null(chain);
	store_abort(txn);
	/* and the build says why */
	lead_key(f, &x);
	sign_as(f, &x);
	assert_null(build(f, &d));
	assert_string_equal(d.where, "key_chain");
}

/*
 * A co-contractor's line of keys: its first key found back from its key in
 * force, the chain from it made of rotations only (the recovery key is
 * the lead's).
 */
static void
test_co_line(void **state)
{
	struct fix *f = *state;
	struct kp c0, c1, c2, c3, r0;
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	uint8_t origin[CONSORT_KEY_BYTES];
	json_t *chain = NULL;

	crypto_sign_keypair(c0.pk, c0.sk);
	crypto_sign_keypair(c1.pk, c1.sk);
	crypto_sign_keypair(c2.pk, c2.sk);
	crypto_sign_keypair(c3.pk, c3.sk);
	crypto_sign_keypair(r0.pk, r0.sk);
	put_recovery(f, &r0);
	put_link(f, &c0, &c1, KEY_ROLE_MEMBER, KEY_BY_KEY, &c0, "2026-03-01");
	put_link(f, &c1, &c2, KEY_ROLE_MEMBER, KEY_BY_KEY, &c1, "2026-03-02");
	put_link(f, &c2, &c3, KEY_ROLE_MEMBER, KEY_BY_RECOVERY, &r0,
	    "2026-03-03");
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(order_keychain_origin(txn, &f->n->store, c2.pk, origin));
	assert_memory_equal(origin, c0.pk, CONSORT_KEY_BYTES);
	assert_ok(order_keychain_origin(txn, &f->n->store, c0.pk, origin));
	assert_memory_equal(origin, c0.pk, CONSORT_KEY_BYTES);
	assert_ok(order_keychain(txn, &f->n->store, f->n->consortium, c0.pk,
	    c2.pk, &chain, &d));
	assert_non_null(chain);
	assert_int_equal(json_array_size(json_object_get(chain, "links")), 2);
	assert_null(json_object_get(chain, "recovery"));
	assert_ok(keychain_verify_json(chain, f->n->consortium, c0.pk, c2.pk,
	    &d));
	json_decref(chain);
	chain = NULL;
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium, c0.pk,
	    c3.pk, &chain, &d), E(PERM));
	assert_null(chain);
	store_abort(txn);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_founder_no_chain),
		T(test_rotated),
		T(test_recovered),
		T(test_refused),
		T(test_co_line),
	};
#undef T

	return cmocka_run_group_tests_name("order_keychain", tests,
	    tu_group_setup, NULL);
}
