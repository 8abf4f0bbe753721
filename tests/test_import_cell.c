/*
 * Unit tests of import-cell.c and import-text.c: cells of a French sheet
 * made into field values (dates, numbers, booleans, SIRETs, words), the
 * loose comparison of headers, and the encoding and separator of a CSV
 * file.
 */

#include "testutil.h"

/* The field of a type by name. */
static const struct schema_field *
field(const char *type, const char *name)
{
	const struct schema_field *f = schema_field_by_name(
	    schema_type_by_name(type), name, strlen(name));

	assert_non_null(f);
	return f;
}

static char norm[CELL_NORM_MAX];
static struct consort_diag d;

/* Turns a text cell of type.name into v; returns the error. */
static int
cell(const char *type, const char *name, const char *text, struct value *v)
{
	memset(&d, 0, sizeof(d));
	return import_cell_value(field(type, name), SHEET_TEXT, text,
	    strlen(text), false, norm, v, &d);
}

/* Turns an .xlsx number cell of type.name into v; returns the error. */
static int
number(const char *type, const char *name, const char *text, bool date1904,
    struct value *v)
{
	memset(&d, 0, sizeof(d));
	return import_cell_value(field(type, name), SHEET_NUMBER, text,
	    strlen(text), date1904, norm, v, &d);
}

/* Asserts that a cell gives the string want. */
static void
str_is(const char *type, const char *name, const char *text, const char *want)
{
	struct value v;

	if (cell(type, name, text, &v) != 0)
		fail_msg("%s.%s \"%s\" refused: %s", type, name, text, d.what);
	assert_int_equal(v.kind, VAL_STR);
	if (!tu_is_str(&v, want))
		fail_msg("%s.%s \"%s\" gives \"%.*s\", not \"%s\"", type, name,
		    text, (int)v.len, v.s, want);
}

/* Asserts that a cell is refused with a reason holding why. */
static void
refused(const char *type, const char *name, const char *text, const char *why)
{
	struct value v;

	assert_err(cell(type, name, text, &v), E(SCHEMA));
	if (strstr(d.what, why) == NULL)
		fail_msg("%s.%s \"%s\": \"%s\" lacks \"%s\"", type, name, text,
		    d.what, why);
	assert_null(strstr(d.what, "field "));
}

/* Dates: 31/12/2026, 1/2/2026, ISO; two-digit years and unreal days refused. */
static void
test_cell_dates(void **state)
{
	(void)state;
	str_is("session", "start", "31/12/2026", "2026-12-31");
	str_is("session", "start", "1/2/2026", "2026-02-01");
	str_is("session", "start", "07.09.2026", "2026-09-07");
	str_is("session", "start", "2026-09-07", "2026-09-07");
	str_is("session", "start", " 2026-9-7\xc2\xa0", "2026-09-07");
	refused("session", "start", "31/04/2026", "that month has no such day");
	refused("session", "start", "29/02/2027", "no such day");
	refused("session", "start", "12/03/26", "a year of two digits");
	refused("session", "start", "13/13/2026", "the month is not 01 to 12");
	refused("session", "start", "demain", "expected a date as 31/12/2026");
	refused("session", "start", "1/2/2026 10:00", "expected a date");
	refused("session", "start", "46091", "expected a date");
	refused("session", "start", "31/12/1899", "out of the range");
}

/* .xlsx serial numbers in a date field, both date systems. */
static void
test_cell_serial_dates(void **state)
{
	struct value v;

	(void)state;
	assert_ok(number("session", "start", "46091", false, &v));
	assert_true(tu_is_str(&v, "2026-03-10"));
	assert_ok(number("session", "start", "1", false, &v));
	assert_true(tu_is_str(&v, "1900-01-01"));
	assert_ok(number("session", "start", "61", false, &v));
	assert_true(tu_is_str(&v, "1900-03-01"));
	assert_ok(number("session", "start", "59", false, &v));
	assert_true(tu_is_str(&v, "1900-02-28"));
	assert_ok(number("session", "start", "44629", true, &v));
	assert_true(tu_is_str(&v, "2026-03-10"));
	assert_ok(number("session", "start", "4.6091E4", false, &v));
	assert_true(tu_is_str(&v, "2026-03-10"));
	/* 29 Feb 1900, which the 1900 system counts, is no day */
	assert_err(number("session", "start", "60", false, &v), E(SCHEMA));
	assert_err(number("session", "start", "46091.5", false, &v),
	    E(SCHEMA));
	assert_non_null(strstr(d.what, "a time of day"));
	assert_err(number("session", "start", "0", false, &v), E(SCHEMA));
	assert_err(number("session", "start", "99999999", false, &v),
	    E(SCHEMA));
}

/* Integers: grouped by spaces of three kinds, "35,0"; fractions refused. */
static void
test_cell_integers(void **state)
{
	struct value v;

	(void)state;
	assert_ok(cell("session", "hours", "1 372", &v));
	assert_int_equal(v.kind, VAL_INT);
	assert_int_equal(v.i, 1372);
	assert_ok(cell("session", "hours", "1\xc2\xa0" "372", &v));
	assert_int_equal(v.i, 1372);
	assert_ok(cell("session", "hours", "1\xe2\x80\xaf" "372", &v));
	assert_int_equal(v.i, 1372);
	assert_ok(cell("intent", "weekly_hours", "35,0", &v));
	assert_int_equal(v.i, 35);
	assert_ok(cell("intent", "weekly_hours", "35.00", &v));
	assert_int_equal(v.i, 35);
	assert_ok(cell("session", "hours", "1 000,000", &v));
	assert_int_equal(v.i, 1000);
	refused("intent", "weekly_hours", "35,5", "\"35,5\": not a whole number");
	refused("session", "hours", "1,000", "a whole number or thousands?");
	refused("session", "hours", "1 37 2x", "not a number");
	refused("session", "hours", "12 000", "out of range 0..10000");
	refused("session", "hours", "1372 h", "not a number");
	/* cents: a decimal part is refused, saying what the column counts */
	assert_ok(cell("lot", "rate_cents", "1 410", &v));
	assert_int_equal(v.i, 1410);
	refused("lot", "rate_cents", "14,10", "this column counts cents, so "
	    "14,10 euros is written 1410");
	/* .xlsx numbers */
	assert_ok(number("session", "hours", "1372", false, &v));
	assert_int_equal(v.i, 1372);
	assert_ok(number("session", "hours", "34.999999999999993", false, &v));
	assert_int_equal(v.i, 35);
	assert_err(number("session", "hours", "35.5", false, &v), E(SCHEMA));
	/* a personal value is never repeated */
	refused("trainee", "birth_year", "1 800", "out of range 1900..2100");
	assert_null(strstr(d.what, "1800"));
	refused("trainee", "birth_year", "1988,5", "not a whole number");
	assert_null(strstr(d.what, "1988"));
}

/* Booleans: Oui/Non and their kin, in any case. */
static void
test_cell_booleans(void **state)
{
	static const char *const yes[] = { "Oui", "oui", "OUI", "O", "o", "1",
		"vrai", "VRAI", "true", "yes", " Oui " };
	static const char *const no[] = { "Non", "non", "N", "n", "0", "faux",
		"FAUX", "false", "no" };
	struct value v;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(yes); i++) {
		assert_ok(cell("session", "permanent_entry", yes[i], &v));
		assert_int_equal(v.kind, VAL_BOOL);
		assert_true(v.b);
	}
	for (i = 0; i < nitems(no); i++) {
		assert_ok(cell("session", "permanent_entry", no[i], &v));
		assert_false(v.b);
	}
	refused("session", "permanent_entry", "peut-être", "expected Oui or Non");
	refused("trainee", "disability", "2", "expected Oui or Non");
}

/* SIRETs grouped by spaces; the leading zero an .xlsx number lost. */
static void
test_cell_sirets(void **state)
{
	struct value v;

	(void)state;
	str_is("session", "provider", "418 527 362 00127", "41852736200127");
	str_is("session", "provider", "418\xc2\xa0" "527\xe2\x80\xaf" "362 00127",
	    "41852736200127");
	refused("session", "provider", "418 527 362 00128", "Luhn");
	refused("session", "provider", "1852736200127", "13 digits");
	refused("session", "provider", "418-527-362", "14 digits");
	assert_ok(number("session", "provider", "41852736200127", false, &v));
	assert_true(tu_is_str(&v, "41852736200127"));
	assert_ok(number("session", "provider", "4.1852736200127E+13", false,
	    &v));
	assert_true(tu_is_str(&v, "41852736200127"));
	/* a SIRET that starts with 0, read as a number by the sheet */
	assert_ok(number("intent", "siret", "7302196800000", false, &v));
	assert_true(tu_is_str(&v, "07302196800000"));
}

/* Words of a list in any case; lists of them in any order. */
static void
test_cell_words(void **state)
{
	struct value v;

	(void)state;
	str_is("trainee", "status", "Job_Seeker", "job_seeker");
	str_is("trainee", "status", "job seeker", "job_seeker");
	str_is("intent", "contract", "cdi", "CDI");
	refused("intent", "contract", "CDD long", "\"CDD long\": not one of");
	str_is("intent", "steps", "interview; Selection,info_meeting",
	    "info_meeting,selection,interview");
	refused("intent", "steps", "interview,interview", "listed twice");
	refused("intent", "steps", "interview,dinner", "\"dinner\": not one of");
	/* strings keep their case; the spaces around them go */
	str_is("session", "title", "  Aide-soignant ", "Aide-soignant");
	assert_ok(number("session", "territory", "49", false, &v));
	assert_true(tu_is_str(&v, "49"));
	/* a cell of spaces is no value */
	assert_ok(cell("session", "title", " \xc2\xa0 ", &v));
	assert_int_equal(v.kind, VAL_NIL);
	assert_err(cell("session", "title", "a\xff", &v), E(BADUTF8));
}

/* Headers compare without case, accents, '_' or extra spaces. */
static void
test_cell_fold(void **state)
{
	char out[64];

	(void)state;
	assert_int_equal(import_cell_fold("  Date de  D\xc3\xa9" "but ", 18, out,
	    sizeof(out)), 13);
	assert_string_equal(out, "date de debut");
	import_cell_fold("\xc5\x92uvre d\xe2\x80\x99" "\xc3\x89tat", 16, out,
	    sizeof(out));
	assert_string_equal(out, "oeuvre d'etat");
	assert_true(import_cell_same("Birth_Year", 10, "birth year", 10));
	assert_true(import_cell_same("R\xc3\xa9" "f\xc3\xa9rence", 11,
	    "reference", 9));
	assert_false(import_cell_same("", 0, "", 0));
	assert_false(import_cell_same("ref", 3, "refs", 4));
	/* cut to fit, still terminated */
	assert_int_equal(import_cell_fold("abcdef", 6, out, 4), 3);
	assert_string_equal(out, "abc");
}

/* Sniffs bytes written to a temporary file; returns the error. */
static int
sniff(const char *bytes, size_t len, char sep, struct import_text *t)
{
	FILE *f = tmpfile();
	int rc;

	assert_non_null(f);
	assert_int_equal(fwrite(bytes, 1, len, f), len);
	rewind(f);
	memset(&d, 0, sizeof(d));
	rc = import_text_sniff(f, "t.csv", sep, t, &d);
	fclose(f);
	return rc;
}

#define SNIFF(s, sep, t) sniff(s, sizeof(s) - 1, sep, t)

/* The separator the header holds most, outside quotes; or the one given. */
static void
test_text_separator(void **state)
{
	struct import_text t;

	(void)state;
	assert_ok(SNIFF("ref;Nom;Pr\xc3\xa9nom\r\nT1;a,b;c\r\n", 0, &t));
	assert_int_equal(t.sep, ';');
	assert_ok(SNIFF("ref,family_name\nT1;x\n", 0, &t));
	assert_int_equal(t.sep, ',');
	assert_ok(SNIFF("ref\tNom\tx,y\n", 0, &t));
	assert_int_equal(t.sep, '\t');
	/* separators inside quotes do not count */
	assert_ok(SNIFF("\"a;b;c\",ref,Nom\n", 0, &t));
	assert_int_equal(t.sep, ',');
	assert_ok(SNIFF("ref\n", 0, &t));
	assert_int_equal(t.sep, ',');
	assert_ok(SNIFF("ref;Nom\n", ',', &t));
	assert_int_equal(t.sep, ',');
}

/* UTF-8 with or without its mark, else Windows-1252, else refused. */
static void
test_text_encoding(void **state)
{
	static const char big[] = "ref;Nom;\n";  /* odd: a chunk cuts an é */
	struct import_text t;
	char *buf;
	size_t i;

	(void)state;
	assert_ok(SNIFF("\xef\xbb\xbfref;Nom\nT1;Zo\xc3\xa9\n", 0, &t));
	assert_int_equal(t.skip, 3);
	assert_false(t.cp1252);
	assert_int_equal(t.sep, ';');
	assert_ok(SNIFF("ref;Nom\nT1;Zo\xe9 \x80\n", 0, &t));
	assert_true(t.cp1252);
	assert_int_equal(t.skip, 0);
	/* a mark, then bytes that are not UTF-8 */
	assert_err(SNIFF("\xef\xbb\xbfref;Nom\nT1;Zo\xe9\n", 0, &t), E(BADUTF8));
	assert_non_null(strstr(d.what, "UTF-8 mark"));
	/* 0x81 is in neither encoding: its line is named */
	assert_err(SNIFF("ref;Nom\nT1;a\nT2;Zo\xe9\x81\n", 0, &t), E(BADUTF8));
	assert_non_null(strstr(d.what, "neither UTF-8 nor Windows-1252"));
	assert_non_null(strstr(d.what, "line 3"));
	assert_string_equal(d.where, "t.csv");
	assert_err(SNIFF("ref;Nom\nT1;\0x\n", 0, &t), E(BADUTF8));
	assert_non_null(strstr(d.what, "NUL byte on line 2"));
	assert_err(SNIFF("\xff\xfer\0e\0f\0", 0, &t), E(BADUTF8));
	assert_non_null(strstr(d.what, "UTF-16"));
	assert_err(SNIFF("\xd0\xcf\x11\xe0\0\0\0\0", 0, &t), E(BADUTF8));
	assert_non_null(strstr(d.what, ".xls"));
	/* a file cut in a UTF-8 sequence */
	assert_ok(SNIFF("ref;Nom\nT1;Zo\xc3", 0, &t));
	assert_true(t.cp1252);
	/* sequences across the reader's chunks stay UTF-8 */
	buf = malloc(3 * 8192 + 16);
	assert_non_null(buf);
	memcpy(buf, big, sizeof(big) - 1);
	for (i = sizeof(big) - 1; i + 2 <= 3 * 8192; i += 2)
		memcpy(buf + i, "\xc3\xa9", 2);
	assert_ok(sniff(buf, i, 0, &t));
	assert_false(t.cp1252);
	buf[i - 1] = 'x';  /* the last é cut in half */
	assert_ok(sniff(buf, i, 0, &t));
	assert_true(t.cp1252);
	free(buf);
}

/* A Windows-1252 file reads as UTF-8, the mark of a UTF-8 one skipped. */
static void
test_text_reader(void **state)
{
	static const char cp[] = "ref;Nom\nT1;Zo\xe9 \x80 \x92\n";
	struct import_text_reader r;
	struct import_text t;
	const char *buf;
	size_t len;
	FILE *f = tmpfile();

	(void)state;
	assert_non_null(f);
	fwrite(cp, 1, sizeof(cp) - 1, f);
	rewind(f);
	assert_ok(import_text_sniff(f, "t.csv", 0, &t, &d));
	assert_true(t.cp1252);
	assert_ok(import_text_open(&r, f, &t, "t.csv", &d));
	assert_ok(import_text_read(&r, &buf, &len));
	assert_int_equal(len, 24);
	assert_memory_equal(buf, "ref;Nom\nT1;Zo\xc3\xa9 \xe2\x82\xac "
	    "\xe2\x80\x99\n", 24);
	assert_ok(import_text_read(&r, &buf, &len));
	assert_int_equal(len, 0);
	import_text_close(&r);
	fclose(f);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cell_dates),
		cmocka_unit_test(test_cell_serial_dates),
		cmocka_unit_test(test_cell_integers),
		cmocka_unit_test(test_cell_booleans),
		cmocka_unit_test(test_cell_sirets),
		cmocka_unit_test(test_cell_words),
		cmocka_unit_test(test_cell_fold),
		cmocka_unit_test(test_text_separator),
		cmocka_unit_test(test_text_encoding),
		cmocka_unit_test(test_text_reader),
	};

	return cmocka_run_group_tests_name("import_cell", tests,
	    tu_group_setup, NULL);
}
