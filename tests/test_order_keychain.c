/*
 * Unit tests of order-keychain.c and the key chain of a request: a lead
 * whose key replaced the founder's (node_rotate, node_rotate_recovery and
 * node_recover, as consort key rotate, rotate-recovery and recover do)
 * builds a request that names the founder's key as the lead's and carries
 * the chain from it to the signer's, which keychain_verify_json() and
 * order verify accept with the founder's key alone; a request signed by
 * the founder carries none; a key no record links is refused.
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
	uint8_t seed[RECOVERY_SEED_BYTES];  /* the recovery key's */
	uint8_t *node_sk;       /* the node's own, while a test signs */
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
	if (node_init_recovery(path, &g, NULL, 0, f->seed, &f->n, &d) != 0)
		return -1;
	tu_nosync(f->n);
	tu_path(path, sizeof(path), f->dir, "base.jsonl");
	tu_write_file(path, base);
	o.path = path;
	o.format = IMPORT_JSONL;
	o.batch = 100;
	if (import_file(f->n, &o, &res, &d) != 0)
		fail_msg("import: %s %s", d.where, d.what);
	memcpy(f->k0.pk, f->n->pk, CONSORT_KEY_BYTES);
	memcpy(f->k0.sk, f->n->sk, 64);
	*state = f;
	return 0;
}

/* Per-test teardown: the node's own secret key back, then closed. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	if (f->node_sk != NULL) {
		free(f->n->sk);
		f->n->sk = f->node_sk;
	}
	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The node's key pair in force, copied. */
static void
key_now(struct fix *f, struct kp *k)
{
	memcpy(k->pk, f->n->pk, CONSORT_KEY_BYTES);
	memcpy(k->sk, f->n->sk, 64);
}

/* Replaces the node's key as consort key rotate does; k the new pair. */
static void
rotate(struct fix *f, struct kp *k)
{
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES];

	if (node_rotate(f->n, NULL, 0, pk, &d) != 0)
		fail_msg("node_rotate: %s %s", d.where, d.what);
	key_now(f, k);
	assert_memory_equal(pk, k->pk, CONSORT_KEY_BYTES);
}

/* The node signs with another key from now on (its store stays). */
static void
sign_as(struct fix *f, const struct kp *k)
{
	if (f->node_sk == NULL) {
		f->node_sk = f->n->sk;
		f->n->sk = malloc(64);
	}
	assert_non_null(f->n->sk);
	memcpy(f->n->sk, k->sk, 64);
	memcpy(f->n->pk, k->pk, CONSORT_KEY_BYTES);
}

/*
 * The lead's laptop is lost: its recovery key is replaced (seed by
 * next), then a new key pair kn recovers the lead's key with it, as
 * consort key rotate-recovery and key recover do on the new machine.
 */
static void
recover(struct fix *f, struct kp *kn, uint8_t replaced[CONSORT_KEY_BYTES])
{
	uint8_t next[RECOVERY_SEED_BYTES];
	struct consort_diag d = { 0 };

	randombytes_buf(next, sizeof(next));
	if (node_rotate_recovery(f->n, f->seed, next, &d) != 0)
		fail_msg("node_rotate_recovery: %s %s", d.where, d.what);
	crypto_sign_keypair(kn->pk, kn->sk);
	sign_as(f, kn);
	if (node_recover(f->n, next, replaced, &d) != 0)
		fail_msg("node_recover: %s %s", d.where, d.what);
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

	util_hex(hex, f->k0.pk, CONSORT_KEY_BYTES);
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
	sign_parse(f, req, f->k0.pk, &of);
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
	char hex[65], text[ORDER_VERDICT_MAX], when[64];
	json_t *req;

	rotate(f, &k1);
	rotate(f, &k2);
	req = build(f, &d);
	if (req == NULL)
		fail_msg("build: %s: %s", d.where, d.what);
	assert_lead_founder(f, req);
	util_hex(hex, k2.pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_object_get(req, "sender"), "key"), hex);
	assert_string_equal(jr_str(json_object_get(req, "sender"), "role"),
	    "lead");
	chain = json_object_get(req, "key_chain");
	links = json_object_get(chain, "links");
	assert_int_equal(json_array_size(links), 2);
	assert_null(json_object_get(chain, "recovery"));
	util_hex(hex, f->k0.pk, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_array_get(links, 0), "from"), hex);
	assert_ok(keychain_verify_json(chain, f->n->consortium, f->k0.pk,
	    k2.pk, &d));
	/* order verify --key FOUNDER: valid, through the chain */
	sign_parse(f, req, f->k0.pk, &of);
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
	sign_parse(f, req, f->k0.pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	order_file_free(&of);
	util_hex(hex, k1.pk, CONSORT_KEY_BYTES);
	json_object_set_new(json_object_get(req, "sender"), "key",
	    json_string(hex));
	sign_parse(f, req, f->k0.pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_BAD_CHAIN);
	snprintf(when, sizeof(when), "which link 2 replaced on %s",
	    jr_str(json_array_get(links, 1), "date"));
	assert_non_null(strstr(of.chain_diag.what, when));
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
	struct kp k1, kn;
	struct consort_diag d = { 0 };
	struct order_file of;
	const json_t *chain, *links;
	uint8_t r0[CONSORT_KEY_BYTES], sk[64], replaced[CONSORT_KEY_BYTES];
	char hex[65];
	json_t *req;

	rotate(f, &k1);
	recover(f, &kn, replaced);
	assert_memory_equal(replaced, k1.pk, CONSORT_KEY_BYTES);
	req = build(f, &d);
	if (req == NULL)
		fail_msg("build: %s: %s", d.where, d.what);
	assert_lead_founder(f, req);
	chain = json_object_get(req, "key_chain");
	links = json_object_get(chain, "links");
	assert_int_equal(json_array_size(links), 3);
	assert_string_equal(jr_str(json_array_get(links, 0), "by"), "key");
	assert_string_equal(jr_str(json_array_get(links, 1), "role"),
	    "recovery");
	assert_string_equal(jr_str(json_array_get(links, 2), "by"),
	    "recovery");
	crypto_sign_seed_keypair(r0, sk, f->seed);
	util_hex(hex, r0, CONSORT_KEY_BYTES);
	assert_string_equal(jr_str(json_object_get(chain, "recovery"), "key"),
	    hex);
	assert_ok(keychain_verify_json(chain, f->n->consortium, f->k0.pk,
	    kn.pk, &d));
	sign_parse(f, req, f->k0.pk, &of);
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	assert_int_equal(of.chain_rotations, 1);
	assert_int_equal(of.chain_recoveries, 1);
	assert_int_equal(of.chain_links, 3);
	order_file_free(&of);
	json_decref(req);
}

/*
 * A key no record links is refused; a key's line goes back to its first
 * key; a chain from another key than the founder's holds rotations only
 * (a co-contractor's: the recovery key is the lead's).
 */
static void
test_refused(void **state)
{
	struct fix *f = *state;
	struct kp k1, kn, x;
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	uint8_t origin[CONSORT_KEY_BYTES], replaced[CONSORT_KEY_BYTES];
	json_t *chain = NULL;

	crypto_sign_keypair(x.pk, x.sk);
	rotate(f, &k1);
	recover(f, &kn, replaced);
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->k0.pk, x.pk, &chain, &d), E(NOENT));
	assert_non_null(strstr(d.what, "no key record links key"));
	assert_null(chain);
	/* the founder itself needs none */
	assert_ok(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->k0.pk, f->k0.pk, &chain, &d));
	assert_null(chain);
	/* the first key of a line */
	assert_ok(order_keychain_origin(txn, &f->n->store, kn.pk, origin));
	assert_memory_equal(origin, f->k0.pk, CONSORT_KEY_BYTES);
	assert_ok(order_keychain_origin(txn, &f->n->store, x.pk, origin));
	assert_memory_equal(origin, x.pk, CONSORT_KEY_BYTES);
	/* from k1, a rotation's chain holds; a recovery's is not built */
	assert_ok(order_keychain(txn, &f->n->store, f->n->consortium,
	    f->k0.pk, k1.pk, &chain, &d));
	assert_non_null(chain);
	assert_int_equal(json_array_size(json_object_get(chain, "links")), 1);
	json_decref(chain);
	chain = NULL;
	assert_err(order_keychain(txn, &f->n->store, f->n->consortium,
	    k1.pk, kn.pk, &chain, &d), E(PERM));
	assert_null(chain);
	store_abort(txn);
}

/* Submits a request signed by the node's key in force: edit_commit's code. */
static int
submit(struct fix *f, const json_t *req, struct consort_diag *d)
{
	char ref[CONSORT_REF_MAX + 1], *file;
	struct order_file of;
	struct edit e;
	bool already;
	size_t len;
	int rc;

	memset(d, 0, sizeof(*d));
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_ok(order_parse(file, len, NULL, &of, d));
	free(file);
	assert_ok(edit_begin(f->n, &e));
	rc = order_submit(&e, &of, ref, sizeof(ref), &already, d);
	order_file_free(&of);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	rc = edit_commit(&e);
	*d = e.diag;
	return rc;
}

/*
 * Every node's check of an order: a rotated lead's request holding no
 * chain, or one that does not end at its author, is refused; with the
 * chain its build made, it is recorded.
 */
static void
test_order_record(void **state)
{
	struct fix *f = *state;
	struct kp k1;
	struct consort_diag d = { 0 };
	json_t *req, *bare, *links;

	rotate(f, &k1);
	req = build(f, &d);
	if (req == NULL)
		fail_msg("build: %s: %s", d.where, d.what);
	bare = json_deep_copy(req);
	json_object_del(bare, "key_chain");
	assert_err(submit(f, bare, &d), E(PERM));
	assert_non_null(strstr(d.what, "carries the chain of key records"));
	/* a chain that ends at another key than the author's */
	json_object_set_new(bare, "key_chain",
	    json_deep_copy(json_object_get(req, "key_chain")));
	links = json_object_get(json_object_get(bare, "key_chain"), "links");
	json_array_append(links, json_array_get(links, 0));
	assert_err(submit(f, bare, &d), E(PERM));
	assert_non_null(strstr(d.what, "key chain does not link"));
	json_decref(bare);
	if (submit(f, req, &d) != 0)
		fail_msg("submit: %s %s", d.where, d.what);
	json_decref(req);
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
		T(test_order_record),
	};
#undef T

	return cmocka_run_group_tests_name("order_keychain", tests,
	    tu_group_setup, NULL);
}
