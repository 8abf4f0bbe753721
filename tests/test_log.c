/*
 * Unit tests of log.c: change-sets refused (a missing dep, a gap or a
 * wrong prev, a fork, a bad signature, another consortium) and refusals
 * that change nothing, causal delivery into a fresh store, parking until
 * a binding arrives, and rebuilding the state from the log.
 */
#include "node_fixture.h"
#include "three_authors.h"

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
	struct store_txn *txn;
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

	add_intent(f, "I01", "a");
	tu_state_hash(&f->a->store, before);
	b0 = f->b;
	d = dep_a(f, NULL);
	d.seq = 9;			/* a seq A has not reached */
	memset(d.hash, 0x99, CONSORT_HASH_BYTES);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(CAUSAL));
	tu_cs_free(&b1);

	/* a stored change-set, named with the wrong seq */
	f->b = b0;
	d = dep_a(f, NULL);
	d.seq = 1;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	assert_err(apply_a(f, &b1), E(CAUSAL));
	tu_cs_free(&b1);

	/* a change-set of C that B's depends on, not yet here */
	f->b = b0;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("carol"));
	b1 = sign(f, &f->c, NULL, 0, 1);
	tu_cs_free(&b1);
	d = dep_tip(&f->c);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
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

	add_intent(f, "I01", "a");
	d = dep_a(f, NULL);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("b1"));
	b1 = sign(f, &f->b, &d, 1, 1);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("b2"));
	b2 = sign(f, &f->b, &d, 1, 2);
	b2tip = f->b;
	assert_err(apply_a(f, &b2), E(CHAIN));		/* B:1 missing */
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 0);
	assert_ok(apply_a(f, &b1));
	/* B:3 whose prev is not B:2's id, after B:2 */
	assert_ok(apply_a(f, &b2));
	memset(f->b.prev, 0x33, CONSORT_HASH_BYTES);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("b3"));
	b3 = sign(f, &f->b, &d, 1, 3);
	assert_err(apply_a(f, &b3), E(CHAIN));
	tu_cs_free(&b3);
	/* B:4 right after B:2 */
	f->b = b2tip;
	f->b.seq = 3;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("b4"));
	b3 = sign(f, &f->b, &d, 1, 4);
	assert_err(apply_a(f, &b3), E(CHAIN));
	assert_int_equal(tu_head(&f->a->store, f->b.pk).seq, 2);
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
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

	add_intent(f, "I01", "a");
	d = dep_a(f, NULL);
	b0 = f->b;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("one"));
	b1 = sign(f, &f->b, &d, 1, 1);
	f->b = b0;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("other"));
	b1x = sign(f, &f->b, &d, 1, 1);
	assert_ok(apply_a(f, &b1));
	assert_err(apply_a(f, &b1x), E(FORK));
	assert_err(apply_a(f, &b1), E(EXIST));
	/* A's own last change-set again */
	a2 = tu_stored_cs(&f->a->store, f->a->pk,
	    tu_head(&f->a->store, f->a->pk).seq);
	assert_err(apply_a(f, &a2), E(EXIST));
	tu_cs_free(&a2);
	assert_string_equal(view_a(f, "intent", "I01", "employer").win,
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

	add_intent(f, "I01", "a");
	tu_state_hash(&f->a->store, before);
	d = dep_a(f, NULL);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = sign(f, &f->b, &d, 1, 1);
	b1.p[b1.len - 1] ^= 0x01;		/* a signature bit */
	assert_err(apply_a(f, &b1), E(SIGNATURE));
	b1.p[b1.len - 1] ^= 0x01;
	tu_cs_free(&b1);

	/* C signs a change-set in B's name */
	forger = f->c;
	memcpy(forger.pk, f->b.pk, CONSORT_KEY_BYTES);
	op(f, OP_SET, "intent", "I01", "employer", tu_str("forged"));
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

	add_intent(f, "I01", "a");
	d = dep_a(f, NULL);
	b0 = f->b;
	memcpy(other, f->a->consortium, CONSORT_HASH_BYTES);
	other[0] ^= 0x80;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
	b1 = tu_author_sign(&f->b, other, &d, 1, 1, &f->cb);
	assert_err(apply_a(f, &b1), E(CONSORTIUM));
	tu_cs_free(&b1);
	/* a genesis-shaped change-set (zero consortium) that is not ours */
	f->b = b0;
	op(f, OP_SET, "intent", "I01", "employer", tu_str("bob"));
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
	struct store_txn *txn;

	op(f, OP_SET, "intent", "I01", "job", tu_str("bob"));
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

/* Rebuilding the state from the log gives the same state hash. */
static void
test_replay_after_clear(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], empty[CONSORT_HASH_BYTES],
	    after[CONSORT_HASH_BYTES];
	struct kv sector = { "sector", tu_str("new") };
	struct log_replay_stats st;
	struct import_result res;
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct nf_badlog bad;
	struct store_txn *txn;
	char *j1, *j2;

	assert_ok(nf_import_text(f, "a.jsonl", LOT01 T02, NULL, false, &res,
	    &bad));
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_SET), 1);
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

/*
 * A rebuild from the log keeps the personal values readable: the log holds
 * their commitments, the openings table their values, which a rebuild
 * leaves alone; an erasure in the log stays one.
 */
static void
test_replay_keeps_openings(void **state)
{
	uint8_t before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct kv erased = { "erased", tu_str("2026-03-02") };
	struct log_replay_stats st;
	struct import_result res;
	struct nf_fix *f = *state;
	struct consort_diag d = { 0 };
	struct nf_badlog bad;
	struct store_txn *txn;
	unsigned pass;
	char *j1, *j2;

	assert_ok(nf_import_text(f, "a.jsonl", LOT01 T02, NULL, false, &res,
	    &bad));
	f->n->store.open_personal = true;
	assert_int_equal(tu_openings(&f->n->store), 6);
	for (pass = 0; pass < 2; pass++) {
		tu_state_hash(&f->n->store, before);
		j1 = tu_export(&f->n->store);
		assert_true((strstr(j1, "Garnier") != NULL) == (pass == 0));
		assert_ok(store_begin(&f->n->store, true, &txn));
		assert_ok(store_clear_state(txn, &f->n->store));
		memset(&d, 0, sizeof(d));
		assert_ok(log_replay(txn, &f->n->store, f->n->consortium, &st,
		    &d));
		assert_ok(store_commit(txn));
		tu_state_hash(&f->n->store, after);
		assert_memory_equal(before, after, CONSORT_HASH_BYTES);
		j2 = tu_export(&f->n->store);
		assert_string_equal(j1, j2);
		free(j1);
		free(j2);
		assert_int_equal(tu_openings(&f->n->store), pass == 0 ? 6 : 0);
		/* then erased, and rebuilt again */
		if (pass == 0)
			assert_int_equal(nf_put(f->n, "trainee", "T000002",
			    &erased, 1, PUT_SET), 1);
	}
	assert_int_equal(nf_put(f->n, "trainee", "T000002", &(struct kv){
	    "given_name", tu_str("Lina") }, 1, PUT_SET), E(ERASED));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_replay_multi_author),
		T(test_refuse_missing_dep),
		T(test_refuse_gap),
		T(test_refuse_fork_and_duplicate),
		T(test_refuse_bad_signature),
		T(test_refuse_other_consortium),
		T(test_causal_delivery_in_fresh_store),
		T(test_old_duplicate_is_exist),
		T(test_receive_before_binding_parks),
		cmocka_unit_test_setup_teardown(test_replay_after_clear,
		    nf_setup_node, nf_teardown),
		cmocka_unit_test_setup_teardown(test_replay_keeps_openings,
		    nf_setup_node, nf_teardown),
	};
#undef T

	return cmocka_run_group_tests_name("log", tests, tu_group_setup, NULL);
}
