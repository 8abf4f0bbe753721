/*
 * Unit tests of report.c: a period's bounds, rates with nothing to divide
 * by, and the counts of a small consortium's hires per session, provider
 * and employer, with the intents not kept and the outcomes that do not
 * hold together.
 */
#include "node_fixture.h"
#include "order.h"
#include "report.h"

#define SIRET_E1 "64152677700041"
#define SIRET_E2 "90104765400016"
#define SIRET_E3 "68199521300011"

/*
 * The lead's lot, a 1e1f session S1 in March, a 1e1f session S2 in May, a
 * socle session S3 in May; in S1: P1 hired on a CDI as promised (E1),
 * P2 hired on a CDD where a CDI was promised and fewer hours (E1), P3
 * not hired (E2), P4 pending (E3); in S2: P5 whose intent E3 withdrew,
 * P6 not financed though hired; in S3: P7 financed, no intent.
 */
static const char dataset[] =
    LOT01
    "{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\"" TU_LEAD_SIRET "\","
    "\"lot\":\"LOT-01\",\"scheme\":\"1e1f\",\"title\":\"Macon\","
    "\"start\":\"2026-03-02\",\"end\":\"2026-06-26\"}\n"
    "{\"type\":\"session\",\"ref\":\"S2\",\"provider\":\"" TU_LEAD_SIRET "\","
    "\"lot\":\"LOT-01\",\"scheme\":\"1e1f\",\"title\":\"Plaquiste\","
    "\"start\":\"2026-05-04\",\"end\":\"2026-07-03\"}\n"
    "{\"type\":\"session\",\"ref\":\"S3\",\"provider\":\"" TU_LEAD_SIRET "\","
    "\"lot\":\"LOT-01\",\"scheme\":\"socle\",\"title\":\"HACCP\","
    "\"start\":\"2026-05-11\",\"end\":\"2026-05-15\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T1\",\"exit\":\"completed\","
    "\"exit_date\":\"2026-06-26\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T2\",\"exit\":\"completed\","
    "\"exit_date\":\"2026-06-26\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T3\",\"exit\":\"dropped_out\","
    "\"exit_date\":\"2026-04-10\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T4\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T5\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T6\"}\n"
    "{\"type\":\"trainee\",\"ref\":\"T7\",\"exit\":\"completed\","
    "\"exit_date\":\"2026-05-15\"}\n"
    "{\"type\":\"intent\",\"ref\":\"I1\",\"employer\":\"Bati\",\"siret\":\""
    SIRET_E1 "\",\"contract\":\"CDI\",\"weekly_hours\":35,"
    "\"outcome\":\"hired\",\"hired_date\":\"2026-06-29\","
    "\"hired_contract\":\"CDI\",\"hired_weekly_hours\":35}\n"
    "{\"type\":\"intent\",\"ref\":\"I2\",\"employer\":\"Bati\",\"siret\":\""
    SIRET_E1 "\",\"contract\":\"CDI\",\"weekly_hours\":35,"
    "\"outcome\":\"hired\",\"hired_date\":\"2026-02-20\","
    "\"hired_contract\":\"CDD\",\"hired_weekly_hours\":28}\n"
    "{\"type\":\"intent\",\"ref\":\"I3\",\"employer\":\"Platre\",\"siret\":\""
    SIRET_E2 "\",\"contract\":\"CDD\",\"outcome\":\"not_hired\","
    "\"not_hired_reason\":\"poste supprime\"}\n"
    "{\"type\":\"intent\",\"ref\":\"I4\",\"employer\":\"Renov\",\"siret\":\""
    SIRET_E3 "\",\"contract\":\"CDI\"}\n"
    "{\"type\":\"intent\",\"ref\":\"I5\",\"employer\":\"Renov\",\"siret\":\""
    SIRET_E3 "\",\"contract\":\"CDI\",\"status\":\"withdrawn\","
    "\"withdrawn_by\":\"employer\",\"status_date\":\"2026-05-20\","
    "\"status_reason\":\"chantier annule\"}\n"
    "{\"type\":\"intent\",\"ref\":\"I6\",\"employer\":\"Renov\",\"siret\":\""
    SIRET_E3 "\",\"contract\":\"CDI\",\"outcome\":\"hired\","
    "\"hired_date\":\"2026-07-06\",\"hired_contract\":\"CDI\"}\n"
    "{\"type\":\"path\",\"ref\":\"P1\",\"session\":\"S1\",\"trainee\":\"T1\","
    "\"intent\":\"I1\",\"financed\":true}\n"
    "{\"type\":\"path\",\"ref\":\"P2\",\"session\":\"S1\",\"trainee\":\"T2\","
    "\"intent\":\"I2\",\"financed\":true}\n"
    "{\"type\":\"path\",\"ref\":\"P3\",\"session\":\"S1\",\"trainee\":\"T3\","
    "\"intent\":\"I3\",\"financed\":true}\n"
    "{\"type\":\"path\",\"ref\":\"P4\",\"session\":\"S1\",\"trainee\":\"T4\","
    "\"intent\":\"I4\",\"financed\":true}\n"
    "{\"type\":\"path\",\"ref\":\"P5\",\"session\":\"S2\",\"trainee\":\"T5\","
    "\"intent\":\"I5\",\"financed\":true}\n"
    "{\"type\":\"path\",\"ref\":\"P6\",\"session\":\"S2\",\"trainee\":\"T6\","
    "\"intent\":\"I6\",\"financed\":false}\n"
    "{\"type\":\"path\",\"ref\":\"P7\",\"session\":\"S3\",\"trainee\":\"T7\","
    "\"financed\":true}\n";

/* Per-test setup: a node holding the dataset. */
static int
setup(void **state)
{
	struct import_result res;
	struct nf_badlog bad;
	struct nf_fix *f;

	if (nf_setup_node(state) != 0)
		return -1;
	f = *state;
	memset(&res, 0, sizeof(res));
	if (nf_import_text(f, "hires.jsonl", dataset, NULL, false, &res,
	    &bad) != 0 || bad.n != 0)
		fail_msg("import: %u bad lines: %s %s", bad.n, bad.where[0],
		    bad.what[0]);
	return 0;
}

/* The report of the node over [from, to] (NULL: open). */
static json_t *
build(struct nf_fix *f, const char *from, const char *to)
{
	struct report_opts o = { NULL, from, to };
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *r;

	f->n->store.open_personal = true;
	assert_ok(store_begin(&f->n->store, false, &txn));
	if (report_build(txn, &f->n->store, &o, &r, &d) != 0)
		fail_msg("report: %s %s", d.where, d.what);
	store_abort(txn);
	return r;
}

/* An integer member, failing when it is not one. */
static int64_t
num(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	if (!json_is_integer(v))
		fail_msg("%s is not an integer", key);
	return json_integer_value(v);
}

/* The element of an array whose member key is want. */
static const json_t *
find(const json_t *a, const char *key, const char *want)
{
	size_t i;

	for (i = 0; i < json_array_size(a); i++)
		if (strcmp(jr_str(json_array_get(a, i), key), want) == 0)
			return json_array_get(a, i);
	fail_msg("no %s %s", key, want);
	return NULL;
}

/* A period's bounds: years, months, days, open ends; and what is none. */
static void
test_period(void **state)
{
	static const char *const bad[] = { "", "..", "2026-13", "2026-02-29",
		"26-01", "2026-1", "2026-06..2026-01", "2026-01...2026-02",
		"2026-01..x", "janvier", "2026-01-01..2025-12-31" };
	struct consort_diag d;
	char from[11], to[11];
	size_t i;

	(void)state;
	assert_ok(report_period("2026-01..2026-06", from, to, NULL));
	assert_string_equal(from, "2026-01-01");
	assert_string_equal(to, "2026-06-30");
	assert_ok(report_period("2026", from, to, NULL));
	assert_string_equal(from, "2026-01-01");
	assert_string_equal(to, "2026-12-31");
	assert_ok(report_period("2024-02", from, to, NULL));
	assert_string_equal(to, "2024-02-29");
	assert_ok(report_period("2026-04..", from, to, NULL));
	assert_string_equal(from, "2026-04-01");
	assert_string_equal(to, "");
	assert_ok(report_period("..2026-02-15", from, to, NULL));
	assert_string_equal(from, "");
	assert_string_equal(to, "2026-02-15");
	assert_ok(report_period("2026-03-02..2026-03-02", from, to, NULL));
	for (i = 0; i < nitems(bad); i++) {
		memset(&d, 0, sizeof(d));
		if (report_period(bad[i], from, to, &d) != E(INVAL))
			fail_msg("period \"%s\" taken", bad[i]);
		assert_string_equal(d.where, "--period");
		assert_true(d.hint[0] != '\0');
	}
	memset(&d, 0, sizeof(d));
	report_period("2026-06..2026-01", from, to, &d);
	assert_non_null(strstr(d.what, "ends before it starts"));
}

/* Rates in thousandths, rounded half up; none over nothing. */
static void
test_permille(void **state)
{
	int64_t r;

	(void)state;
	assert_true(report_permille(2, 3, &r));
	assert_int_equal(r, 667);
	assert_true(report_permille(1, 3, &r));
	assert_int_equal(r, 333);
	assert_true(report_permille(1, 8, &r));
	assert_int_equal(r, 125);
	assert_true(report_permille(5, 5, &r));
	assert_int_equal(r, 1000);
	assert_true(report_permille(0, 4, &r));
	assert_int_equal(r, 0);
	assert_false(report_permille(0, 0, &r));
	assert_int_equal(r, 0);
	assert_false(report_permille(3, 0, &r));
}

/* The counts of every row, and the rates, over the whole dataset. */
static void
test_counts(void **state)
{
	struct nf_fix *f = *state;
	json_t *r = build(f, NULL, NULL);
	const json_t *t = json_object_get(r, "totals"), *x, *c;

	assert_string_equal(jr_str(r, "format"), REPORT_FORMAT);
	assert_int_equal(num(t, "sessions"), 3);
	assert_int_equal(num(t, "financed"), 6);      /* P6 is not */
	assert_int_equal(num(t, "completed"), 3);
	assert_int_equal(num(t, "dropped_out"), 1);
	assert_int_equal(num(t, "exit_unknown"), 2);
	assert_int_equal(num(t, "exit_unreadable"), 0);
	assert_int_equal(num(t, "intents"), 5);
	assert_int_equal(num(t, "hired"), 2);
	assert_int_equal(num(t, "not_hired"), 1);
	assert_int_equal(num(t, "pending"), 1);
	assert_int_equal(num(t, "withdrawn"), 1);
	assert_int_equal(num(t, "hire_rate_permille"), 400);
	c = json_object_get(t, "hired_by_contract");
	assert_int_equal(num(c, "CDI"), 1);
	assert_int_equal(num(c, "CDD"), 1);
	assert_int_equal(num(c, "unknown"), 0);

	/* sessions by start; the socle one has no intent: no rate */
	x = json_object_get(r, "sessions");
	assert_int_equal(json_array_size(x), 3);
	assert_string_equal(jr_str(json_array_get(x, 0), "ref"), "S1");
	x = find(json_object_get(r, "sessions"), "ref", "S1");
	assert_int_equal(num(x, "financed"), 4);
	assert_int_equal(num(x, "hired"), 2);
	assert_int_equal(num(x, "hire_rate_permille"), 500);
	x = find(json_object_get(r, "sessions"), "ref", "S3");
	assert_int_equal(num(x, "financed"), 1);
	assert_int_equal(num(x, "completed"), 1);
	assert_int_equal(num(x, "intents"), 0);
	assert_true(json_is_null(json_object_get(x, "hire_rate_permille")));
	x = find(json_object_get(r, "sessions"), "ref", "S2");
	assert_int_equal(num(x, "withdrawn"), 1);
	assert_int_equal(num(x, "pending"), 0);
	assert_int_equal(num(x, "hire_rate_permille"), 0);

	/* one provider, with its three sessions */
	x = json_object_get(r, "providers");
	assert_int_equal(json_array_size(x), 1);
	assert_int_equal(num(json_array_get(x, 0), "sessions"), 3);
	assert_int_equal(num(json_array_get(x, 0), "financed"), 6);
	assert_string_equal(jr_str(json_array_get(x, 0), "name"),
	    "Lead Formation");

	/* employers by SIRET: the one who hired both, the two who did not */
	x = json_object_get(r, "employers");
	assert_int_equal(json_array_size(x), 3);
	x = find(json_object_get(r, "employers"), "siret", SIRET_E1);
	assert_int_equal(num(x, "intents"), 2);
	assert_int_equal(num(x, "hire_rate_permille"), 1000);
	x = find(json_object_get(r, "employers"), "siret", SIRET_E2);
	assert_int_equal(num(x, "not_hired"), 1);
	assert_int_equal(num(x, "hire_rate_permille"), 0);
	x = find(json_object_get(r, "employers"), "siret", SIRET_E3);
	assert_int_equal(num(x, "intents"), 2);
	assert_int_equal(num(x, "pending"), 1);
	assert_int_equal(num(x, "withdrawn"), 1);
	json_decref(r);
}

/*
 * The employers who did not hire after committing: the intent not hired
 * with its reason, the one its employer withdrew; and the outcomes that
 * do not hold together, as warnings.
 */
static void
test_not_kept(void **state)
{
	struct nf_fix *f = *state;
	json_t *r = build(f, NULL, NULL);
	const json_t *a = json_object_get(r, "not_kept"), *x;
	const json_t *w = json_object_get(r, "warnings");
	size_t i;
	bool mismatch = false, early = false, hours = false;

	assert_int_equal(json_array_size(a), 2);
	x = json_array_get(a, 0);
	assert_string_equal(jr_str(x, "kind"), "withdrawn");
	assert_string_equal(jr_str(x, "intent"), "I5");
	assert_string_equal(jr_str(x, "by"), "employer");
	assert_string_equal(jr_str(x, "reason"), "chantier annule");
	assert_string_equal(jr_str(json_object_get(x, "employer"), "siret"),
	    SIRET_E3);
	x = json_array_get(a, 1);
	assert_string_equal(jr_str(x, "kind"), "not_hired");
	assert_string_equal(jr_str(x, "intent"), "I3");
	assert_string_equal(jr_str(x, "session"), "S1");
	assert_string_equal(jr_str(x, "reason"), "poste supprime");
	/* I2: another contract, fewer hours, hired before the training */
	for (i = 0; i < json_array_size(w); i++) {
		x = json_array_get(w, i);
		assert_string_equal(jr_str(x, "rule"), "R23");
		assert_string_equal(jr_str(x, "ref"), "I2");
		mismatch |= strstr(jr_str(x, "what"), "the contract signed (CDD) "
		    "is not the one promised (CDI)") != NULL;
		hours |= strstr(jr_str(x, "what"), "28 hours a week signed, 35 "
		    "promised") != NULL;
		early |= strstr(jr_str(x, "what"), "before the training started "
		    "on 2026-03-02") != NULL;
	}
	assert_int_equal(json_array_size(w), 3);
	assert_true(mismatch && hours && early);
	json_decref(r);
}

/*
 * A period keeps the paths ordered in it; nothing in it is a report of
 * zeros, whose rates are none; the JSON has a canonical form; a trainee
 * followed in two sessions leaves from the one its exit's day falls in.
 */
static void
test_period_and_exit(void **state)
{
	struct kv p8[4] = { { "session", tu_str("S2") }, { "trainee",
		tu_str("T3") }, { "intent", tu_str("I4") }, { "financed",
		{ VAL_BOOL, true, 0, NULL, 0 } } };
	struct nf_fix *f = *state;
	json_t *r = build(f, "2026-05-01", "2026-05-31"), *t;
	char *canon;
	size_t len;

	t = json_object_get(r, "totals");
	assert_int_equal(num(t, "sessions"), 2);
	assert_int_equal(num(t, "financed"), 2);
	assert_int_equal(num(t, "withdrawn"), 1);
	assert_string_equal(jr_str(json_object_get(r, "scope"), "from"),
	    "2026-05-01");
	assert_ok(jcs_canonical(r, &canon, &len));
	free(canon);
	json_decref(r);

	r = build(f, "2027-01-01", NULL);
	t = json_object_get(r, "totals");
	assert_int_equal(num(t, "financed"), 0);
	assert_int_equal(json_array_size(json_object_get(r, "sessions")), 0);
	assert_true(json_is_null(json_object_get(t, "hire_rate_permille")));
	assert_ok(jcs_canonical(r, &canon, &len));
	free(canon);
	json_decref(r);

	/* T3 (dropped out on 2026-04-10) also follows S2 from May: the
	   exit counts in S1 only */
	assert_int_equal(nf_put(f->n, "path", "P8", p8, 4, PUT_ADD), 1);
	r = build(f, NULL, NULL);
	assert_int_equal(num(find(json_object_get(r, "sessions"), "ref", "S1"),
	    "dropped_out"), 1);
	assert_int_equal(num(find(json_object_get(r, "sessions"), "ref", "S2"),
	    "dropped_out"), 0);
	assert_int_equal(num(json_object_get(r, "totals"), "dropped_out"), 1);
	json_decref(r);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_period),
		cmocka_unit_test(test_permille),
		cmocka_unit_test_setup_teardown(test_counts, setup, nf_teardown),
		cmocka_unit_test_setup_teardown(test_not_kept, setup,
		    nf_teardown),
		cmocka_unit_test_setup_teardown(test_period_and_exit, setup,
		    nf_teardown),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
