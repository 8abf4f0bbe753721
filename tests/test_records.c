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
	struct kv sector = { "sector", tu_str("Industrie lourde") };
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
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &sector, 1, PUT_UPSERT),
	    1);
	last = tu_stored_cs(&f->n->store, f->n->pk, 3);
	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	assert_int_equal(cs.nops, 1);
	assert_int_equal(cs.ops[0].kind, OP_SET);
	assert_int_equal(cs.ops[0].type, T_lot);
	assert_int_equal(cs.ops[0].field, 1);
	assert_true(tu_is_str(&cs.ops[0].val, "Industrie lourde"));
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

/* How many ops of a type the change-set of seq holds. */
static unsigned
ops_of(struct nf_fix *f, uint64_t seq, unsigned type)
{
	struct changeset cs;
	struct tu_cs last = tu_stored_cs(&f->n->store, f->n->pk, seq);
	unsigned i, n = 0;

	assert_ok(cs_decode(last.p, last.len, &cs, NULL));
	for (i = 0; i < cs.nops; i++)
		n += cs.ops[i].type == type;
	cs_free(&cs);
	tu_cs_free(&last);
	return n;
}

/*
 * A change of a lot's rate keeps its history (R14): the same change-set
 * writes a rate record for the new pair and, when the day moves, one for
 * the pair it replaces; a lot's creation writes none; a rate's ref is its
 * lot and day.
 */
static void
test_rate_history(void **state)
{
	struct kv lot[3] = {
		{ "sector", tu_str("Industrie") },
		{ "territory", tu_str("49") },
		{ "rate_cents", tu_int(6000) },
	};
	struct kv amend[2] = {
		{ "rate_cents", tu_int(6300) },
		{ "rate_since", tu_str("2024-06-01") },
	};
	struct kv rate[3] = {
		{ "lot", tu_str("LOT-04") },
		{ "since", tu_str("2024-01-01") },
		{ "rate_cents", tu_int(5900) },
	};
	struct kv nil = { "rate_cents", { VAL_NIL, false, 0, NULL, 0 } };
	char longref[121];
	struct nf_fix *f = *state;

	assert_int_equal(nf_put(f->n, "lot", "LOT-04", lot, 3, PUT_ADD), 1);
	assert_int_equal(nf_count(f->n, T_rate), 0);
	/* the amendment: lot and both rates in one change-set */
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", amend, 2, PUT_SET), 1);
	assert_int_equal(ops_of(f, 3, T_lot), 2);
	assert_int_equal(ops_of(f, 3, T_rate), 7);
	assert_int_equal(nf_count(f->n, T_rate), 2);
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@2024-06-01",
	    "rate_cents"), "6300");
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@2024-06-01",
	    "since"), "2024-06-01");
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@start",
	    "rate_cents"), "6000");
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@start", "since"),
	    "(none)");
	assert_string_equal(nf_shown(f->n, "lot", "LOT-04", "rate_cents"),
	    "6300");
	/* the same values again: nothing */
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", amend, 2, PUT_SET), 0);
	/* a correction of the day's rate corrects its record */
	amend[0].v = tu_int(6400);
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", amend, 1, PUT_UPSERT),
	    1);
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@2024-06-01",
	    "rate_cents"), "6400");
	assert_int_equal(nf_count(f->n, T_rate), 2);
	/* the day moves: the pair it replaces is recorded already */
	amend[1].v = tu_str("2024-09-01");
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &amend[1], 1, PUT_SET),
	    1);
	assert_int_equal(ops_of(f, 5, T_rate), 4);
	assert_int_equal(nf_count(f->n, T_rate), 3);
	assert_string_equal(nf_shown(f->n, "rate", "LOT-04@2024-09-01",
	    "rate_cents"), "6400");
	/* unsetting the lot's rate writes no rate */
	assert_int_equal(nf_put(f->n, "lot", "LOT-04", &nil, 1, PUT_SET), 1);
	assert_int_equal(ops_of(f, 6, T_rate), 0);
	assert_int_equal(nf_count(f->n, T_rate), 3);
	/* an earlier rate recorded by hand, under its lot and day */
	assert_int_equal(nf_put(f->n, "rate", "LOT-04@2024-01-01", rate, 3,
	    PUT_ADD), 1);
	assert_err(nf_put(f->n, "rate", "LOT-04@2024-02-01", rate, 3,
	    PUT_ADD), E(SCHEMA));
	assert_err(nf_put(f->n, "rate", "R1", rate, 3, PUT_ADD), E(SCHEMA));
	rate[1].v = tu_str("2024-02-01");
	assert_err(nf_put(f->n, "rate", "LOT-04@2024-01-01", &rate[1], 1,
	    PUT_SET), E(SCHEMA));
	assert_err(nf_put(f->n, "rate", "LOT-04@start", &rate[1], 1,
	    PUT_SET), E(SCHEMA));
	assert_int_equal(nf_put(f->n, "rate", "LOT-04@start", &rate[2], 1,
	    PUT_SET), 1);
	/* a lot whose rates' refs would not fit: refused, nothing written */
	memset(longref, 'L', sizeof(longref) - 1);
	longref[sizeof(longref) - 1] = '\0';
	assert_int_equal(nf_put(f->n, "lot", longref, lot, 3, PUT_ADD), 1);
	assert_err(nf_put(f->n, "lot", longref, amend, 2, PUT_SET), E(TOOBIG));
	assert_string_equal(nf_shown(f->n, "lot", longref, "rate_cents"),
	    "6000");
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
		T(test_rate_history, nf_setup_node),
		T(test_reference_checks, nf_setup_node),
		T(test_delete, nf_setup_node),
	};
#undef T

	return cmocka_run_group_tests_name("records", tests, tu_group_setup,
	    NULL);
}
