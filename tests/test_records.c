/*
 * Unit tests of records.c: local writes over the schema in their modes
 * (add, set, upsert), the ops they make, references and deletion.
 */

#include "node_fixture.h"

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
	struct nf_fix *f = *state;
	struct changeset cs;
	struct tu_cs last;
	struct edit e;
	bool changed;

	assert_int_equal(nf_put(f->n, "lot", "LOT-04", lot, 3, PUT_ADD), 1);
	assert_int_equal(nf_own_seq(f->n), 2);
	assert_err(nf_put(f->n, "lot", "LOT-04", lot, 3, PUT_ADD), E(EXIST));
	assert_err(nf_put(f->n, "lot", "LOT-99", lot, 3, PUT_SET), E(NOENT));
	assert_int_equal(nf_own_seq(f->n), 2);

	/* the same values again: no op, no change-set */
	tu_state_hash(&f->n->store, before);
	assert_ok(edit_begin(f->n, &e));
	assert_ok(nf_put_in(&e, "lot", "LOT-04", lot, 3, PUT_UPSERT, true,
	    &changed));
	assert_false(changed);
	assert_int_equal(e.b.nops, 0);
	assert_ok(edit_commit(&e));
	assert_int_equal(e.appended, 0);
	assert_int_equal(nf_own_seq(f->n), 2);
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", lot, 3, PUT_SET), 0);

	/* one value differs: one SET op */
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &rate, 1, PUT_UPSERT),
	    1);
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
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &unset, 1, PUT_SET), 1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 4);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 1);
	assert_int_equal(cs.ops[0].kind, OP_UNSET);
	assert_int_equal(cs.ops[0].field, 2);
	cs_free(&cs);
	tu_cs_free(&last);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-04", "territory"),
	    "(none)");
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &unset, 1, PUT_SET), 0);

	/* UPSERT of a new record creates it with its fields */
	assert_int_equal(nf_put(f->n, "lot", "LOT-05", lot, 3, PUT_UPSERT), 1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 5);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 4);
	assert_int_equal(cs.ops[0].kind, OP_CREATE);
	assert_true(tu_is_str(&cs.ops[0].val, "LOT-05"));
	cs_free(&cs);
	tu_cs_free(&last);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-05", "rate_cents"),
	    "1455");
	/* a bad ref is refused */
	assert_err(nf_put(f->n, "lot", " LOT-06", lot, 3, PUT_ADD), E(SCHEMA));
	assert_err(nf_put(f->n, "lot", "", lot, 3, PUT_ADD), E(SCHEMA));
	assert_int_equal(nf_count(f->n, T_lot), 2);
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
	struct nf_fix *f = *state;

	assert_err(nf_put(f->n, "session", "S1", session, 2, PUT_ADD), E(REF));
	assert_int_equal(nf_own_seq(f->n), 1);
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "session", "S1", session, 2, PUT_ADD), 1);
	assert_err(nf_put(f->n, "path", "P1", path, 2, PUT_ADD), E(REF));
	/* unchecked (as import's second pass writes) it is accepted */
	assert_int_equal(nf_put_refs(f->n, "path", "P1", path, 2, PUT_ADD,
	    false), 1);
	path[0].v = tu_str("S1");
	assert_int_equal(nf_put(f->n, "path", "P2", path, 2, PUT_ADD), 1);
	/* a deleted record is no longer a valid target */
	assert_int_equal(nf_put(f->n, "trainee", "T1", &fam, 1, PUT_ADD), 1);
	assert_ok(tu_del(f->n, "trainee", "T1"));
	path[0] = (struct kv){ "trainee", tu_str("T1") };
	assert_err(nf_put(f->n, "path", "P3", path, 1, PUT_ADD), E(REF));
	assert_int_equal(nf_count(f->n, T_path), 2);
}

/* A deleted record is dead: delete or SET are refused, ADD revives it. */
static void
test_delete(void **state)
{
	struct kv sector = { "sector", tu_str("s") };
	struct nf_fix *f = *state;

	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_true(nf_lookup(f->n, "lot", "LOT-01", "sector", NULL, 0));
	assert_ok(tu_del(f->n, "lot", "LOT-01"));
	assert_int_equal(nf_own_seq(f->n), 3);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "sector"),
	    "(gone)");
	assert_int_equal(nf_count(f->n, T_lot), 0);
	assert_err(tu_del(f->n, "lot", "LOT-01"), E(NOENT));
	assert_err(tu_del(f->n, "lot", "LOT-02"), E(NOENT));
	assert_err(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_SET),
	    E(NOENT));
	assert_int_equal(nf_own_seq(f->n), 3);
	sector.v = tu_str("back");
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", &sector, 1, PUT_ADD), 1);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "sector"), "back");
	assert_int_equal(nf_count(f->n, T_lot), 1);
}

int
main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, nf_teardown)
	const struct CMUnitTest tests[] = {
		T(test_put_modes, nf_setup_node),
		T(test_reference_checks, nf_setup_node),
		T(test_delete, nf_setup_node),
	};
#undef T

	return cmocka_run_group_tests_name("records", tests, tu_group_setup,
	    NULL);
}
