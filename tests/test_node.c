/*
 * Unit tests of node.c: a node directory's files and keys, opening and
 * unlocking it, sealed keys, local edits (one change-set per edit, an
 * aborted edit leaves nothing) and the clock.
 */
#include <sys/stat.h>

#include "node_fixture.h"

#define PASSPHRASE "correct horse battery staple"

/* node_init writes the key (0600), key.pub, network.key and the store. */
static void
test_init_files(void **state)
{
	struct nf_fix *f = *state;
	uint8_t buf[256], hash[CONSORT_HASH_BYTES];
	struct tu_cs genesis;
	struct stat st;

	assert_int_equal(stat(f->path, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0700);
	assert_int_equal(stat(nf_node_file(f, "key"), &st), 0);
	assert_true(S_ISREG(st.st_mode));
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 8 + 1 + 64);
	assert_int_equal(stat(nf_node_file(f, "network.key"), &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(nf_slurp(nf_node_file(f, "key.pub"), buf, sizeof(buf)),
	    CONSORT_KEY_BYTES);
	assert_memory_equal(buf, f->n->pk, CONSORT_KEY_BYTES);
	assert_int_equal(nf_slurp(nf_node_file(f, "key"), buf, sizeof(buf)),
	    73);
	assert_memory_equal(buf, "CSRTSK01", 8);
	assert_memory_equal(buf + 9, f->n->sk, 64);
	assert_int_equal(stat(nf_node_file(f, "store/data.mdb"), &st), 0);
	assert_true(S_ISREG(st.st_mode));

	/* the founder is this node; the consortium id is the genesis id */
	assert_memory_equal(f->n->founder, f->n->pk, CONSORT_KEY_BYTES);
	assert_int_equal(nf_own_seq(f->n), 1);
	genesis = tu_stored_cs(&f->n->store, f->n->pk, 1);
	keys_hash(hash, genesis.p, genesis.len - CONSORT_SIG_BYTES);
	assert_memory_equal(f->n->consortium, hash, CONSORT_HASH_BYTES);
	tu_cs_free(&genesis);
	assert_int_equal(nf_count(f->n, T_member), 1);
	assert_int_equal(nf_count(f->n, T_consortium), 1);
	assert_string_equal(nf_shown(f->n, "member", TU_LEAD_SIRET, "role"),
	    "lead");
	assert_string_equal(nf_shown(f->n, "member", TU_LEAD_SIRET, "awarded"),
	    "true");
	assert_string_equal(nf_shown(f->n, "consortium", "consortium", "name"),
	    "Consortium Test");
}

/* node_open finds the same node; writing needs node_unlock first. */
static void
test_open_and_unlock(void **state)
{
	uint8_t pk[CONSORT_KEY_BYTES], cons[CONSORT_HASH_BYTES];
	struct nf_fix *f = *state;
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
	struct nf_fix *f = *state;
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
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	struct stat st1, st2;
	size_t len;

	len = nf_slurp(nf_node_file(f, "key"), before, sizeof(before));
	assert_int_equal(stat(nf_node_file(f, "key"), &st1), 0);
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(EXIST));
	assert_null(n);
	assert_int_equal(nf_slurp(nf_node_file(f, "key"), after, sizeof(after)),
	    len);
	assert_memory_equal(before, after, len);
	assert_int_equal(stat(nf_node_file(f, "key"), &st2), 0);
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
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct node *n = NULL;
	uint8_t buf[64];

	assert_int_equal(mkdir(f->path, 0700), 0);
	tu_write_file(nf_node_file(f, "key"), "precious");
	assert_err(node_init(f->path, &g, NULL, 0, &n, &d), E(EXIST));
	assert_null(n);
	assert_int_equal(nf_slurp(nf_node_file(f, "key"), buf, sizeof(buf)), 8);
	assert_memory_equal(buf, "precious", 8);
	assert_int_not_equal(access(nf_node_file(f, "store/data.mdb"), F_OK),
	    0);
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
	struct nf_fix *f = *state;
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
	struct nf_fix *f = *state;
	uint8_t buf[512], sk[64];
	struct consort_diag d = { 0 };
	struct kv lot = { "sector", tu_str("x") };
	size_t len;

	f->n = tu_node_init(f->dir, "node", PASSPHRASE);
	memcpy(sk, f->n->sk, sizeof(sk));
	node_close(f->n);
	f->n = NULL;
	len = nf_slurp(nf_node_file(f, "key"), buf, sizeof(buf));
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
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &lot, 1, PUT_ADD), 1);
}

/* Records in one edit make one change-set; an aborted edit leaves nothing. */
static void
test_edit_batch_and_abort(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct nf_fix *f = *state;
	struct edit e;
	bool changed;

	assert_ok(edit_begin(f->n, &e));
	assert_ok(nf_put_in(&e, "lot", "LOT-01", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(nf_put_in(&e, "lot", "LOT-02", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(edit_commit(&e));
	assert_int_equal(e.appended, 1);
	assert_int_equal(nf_own_seq(f->n), 2);
	assert_int_equal(nf_count(f->n, T_lot), 2);

	tu_state_hash(&f->n->store, before);
	assert_ok(edit_begin(f->n, &e));
	assert_ok(nf_put_in(&e, "lot", "LOT-03", &sector, 1, PUT_ADD, true,
	    &changed));
	assert_ok(edit_flush(&e));
	assert_int_equal(e.appended, 1);
	edit_abort(&e);
	assert_int_equal(nf_own_seq(f->n), 2);
	assert_int_equal(nf_count(f->n, T_lot), 2);
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	/* the next edit takes seq 3 */
	assert_int_equal(nf_put(f->n, "lot", "LOT-03", &sector, 1, PUT_ADD), 1);
	assert_int_equal(nf_own_seq(f->n), 3);
}

/* The clock rises strictly and survives a reopen. */
static void
test_hlc(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	uint64_t a, b, last;
	int i;

	a = node_hlc_next(f->n);
	for (i = 0; i < 1000; i++) {
		b = node_hlc_next(f->n);
		assert_true(b > a);
		a = b;
	}
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	last = tu_head(&f->n->store, f->n->pk).hlc;
	assert_true(last > a);
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_true(f->n->hlc == last);
	assert_true(node_hlc_next(f->n) > last);
}

/*
 * A store an older release wrote (no layout mark, state tables that lack
 * what this release derives) is rebuilt from its log when first opened,
 * once: its records come back and the mark is written.
 */
static void
test_open_upgrades_layout(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct store_txn *txn;
	struct store_val v;

	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(store_get(txn, &f->n->store, TB_META, "layout", 6, &v));
	assert_ok(store_del(txn, &f->n->store, TB_META, "layout", 6));
	assert_ok(store_clear_state(txn, &f->n->store));
	assert_ok(store_commit(txn));
	assert_int_equal(nf_count(f->n, T_lot), 0);
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_int_equal(nf_count(f->n, T_lot), 1);
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(store_get(txn, &f->n->store, TB_META, "layout", 6, &v));
	assert_int_equal(v.len, 8);
	store_abort(txn);
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(log_verify(txn, &f->n->store, f->n->consortium, &st, &d));
	store_abort(txn);
}

int
main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, nf_teardown)
	const struct CMUnitTest tests[] = {
		T(test_init_files, nf_setup_node),
		T(test_open_and_unlock, nf_setup_node),
		T(test_open_not_node, nf_setup_dir),
		T(test_init_twice, nf_setup_node),
		T(test_init_over_key_file, nf_setup_dir),
		T(test_init_bad_genesis, nf_setup_dir),
		T(test_sealed_key, nf_setup_dir),
		T(test_edit_batch_and_abort, nf_setup_node),
		T(test_hlc, nf_setup_node),
		T(test_open_upgrades_layout, nf_setup_node),
	};
#undef T

	return cmocka_run_group_tests_name("node", tests, tu_group_setup, NULL);
}
