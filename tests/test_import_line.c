/*
 * Unit tests of import_check_line (import.c), the entry point of the
 * import fuzzers: one JSON Lines record or one CSV row checked against the
 * schema with no node, refused with the reason an import would give.
 */
#include "testutil.h"

/* Checks a JSON line; returns the error. */
static int
jsonl(const char *line, struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return import_check_line(IMPORT_JSONL, NULL, NULL, line, strlen(line), d);
}

/* Checks a CSV row of trainees under a header; returns the error. */
static int
csv(const char *header, const char *row, struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return import_check_line(IMPORT_CSV, schema_type_by_name("trainee"),
	    header, row, strlen(row), d);
}

/* JSON Lines: a good record passes; each kind of bad line says why. */
static void
test_jsonl(void **state)
{
	struct consort_diag d;

	(void)state;
	assert_ok(jsonl("{\"type\":\"lot\",\"ref\":\"LOT-01\",\"sector\":\"B\","
	    "\"territory\":\"44\",\"rate_cents\":1410}", &d));
	/* references are not checked: there is no store */
	assert_ok(jsonl("{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T9\","
	    "\"session\":\"S9\",\"hours\":10}", &d));
	assert_err(jsonl("{\"type\":\"lot\"", &d), E(SCHEMA));
	assert_string_equal(d.where, "line:1");
	assert_non_null(strstr(d.what, "not a JSON object"));
	assert_err(jsonl("{\"type\":\"lot\",\"ref\":\"L\",\"colour\":\"red\"}", &d),
	    E(SCHEMA));
	assert_non_null(strstr(d.what, "colour"));
	assert_err(jsonl("{\"type\":\"member\",\"ref\":\"M\"}", &d), E(SCHEMA));
	assert_err(jsonl("{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":\"x\"}",
	    &d), E(SCHEMA));
	assert_true(d.what[0] != '\0');
}

/* CSV: a header and a row; a row that does not fit its header is refused. */
static void
test_csv(void **state)
{
	struct consort_diag d;

	(void)state;
	assert_ok(csv("ref,family_name,status", "T1,\"Le Goff, \"\"dit\"\" X\","
	    "job_seeker", &d));
	assert_err(csv("ref,family_name", "T1", &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "1 cells where the header has 2"));
	assert_err(csv("ref,colour", "T1,red", &d), E(SCHEMA));
	assert_err(csv("family_name", "X", &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "no \"ref\" column"));
	assert_err(csv("ref,status", "T1,\"open", &d), E(SCHEMA));
	assert_err(csv("ref,status", "T1,retired", &d), E(SCHEMA));
	assert_err(import_check_line(IMPORT_CSV, NULL, "ref", "T1", 2, &d),
	    E(INVAL));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jsonl),
		cmocka_unit_test(test_csv),
	};

	return cmocka_run_group_tests_name("import_line", tests, NULL, NULL);
}
