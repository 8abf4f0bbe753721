/*
 * Unit tests of schema.c and the validators of util.c: dates, SIRETs, text
 * parsed into each field kind, refs, and the tables generated from
 * schema/entities.def.
 */
#include <strings.h>

#include "testutil.h"

/* A field looked up by type and field name; fails the test if missing. */
static const struct schema_field *
field(const char *type, const char *name)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct schema_field *f;

	assert_non_null(t);
	f = schema_field_by_name(t, name, strlen(name));
	if (f == NULL)
		fail_msg("no field %s.%s", type, name);
	return f;
}

/* Parses text into a field and returns the code, keeping the value. */
static int
parse(const struct schema_field *f, const char *text, struct value *v)
{
	struct consort_diag d = { 0 };

	memset(&d, 0, sizeof(d));
	return schema_parse_text(f, text, strlen(text), v, &d);
}

/* Asserts text is refused by the field with ESCHEMA. */
static void
expect_parse_refused(const struct schema_field *f, const char *text)
{
	struct value v;
	int rc = parse(f, text, &v);

	if (rc != E(SCHEMA))
		fail_msg("field %s, \"%s\": got %s, want ESCHEMA", f->name,
		    text,
		    consort_err_name(rc));
}

/* Asserts text is accepted by the field as the same string. */
static void
expect_parse_str(const struct schema_field *f, const char *text)
{
	struct value v;
	int rc = parse(f, text, &v);

	if (rc != 0)
		fail_msg("field %s, \"%s\": got %s, want OK", f->name, text,
		    consort_err_name(rc));
	assert_true(tu_is_str(&v, text));
}

/* Real calendar days are accepted, including leap days of leap years only. */
static void
test_date_valid(void **state)
{
	static const char *const good[] = {
		"2024-02-29", "2000-02-29", "2026-02-28", "2026-01-01",
		"2026-12-31", "2026-04-30", "1900-01-01", "2199-12-31",
		"2028-02-29",
	};
	static const char *const bad[] = {
		"2026-02-29", "1900-02-29", "2100-02-29", "2025-02-29",
		"2026-02-30", "2026-04-31", "2026-06-31", "2026-13-01",
		"2026-00-10", "2026-01-00", "2026-01-32", "1899-12-31",
		"2200-01-01", "2026-1-01", "2026-01-1", "20260101",
		"2026/01/01", "2026-01-0a", " 2026-01-01", "2026-01-01 ",
		"26-01-2026", "+026-01-01", "", "2026-01-01T00",
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++)
		if (!util_date_valid(good[i], strlen(good[i])))
			fail_msg("refused %s", good[i]);
	for (i = 0; i < nitems(bad); i++)
		if (util_date_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted \"%s\"", bad[i]);
	/* the length bounds the read: a valid date followed by more bytes */
	assert_true(util_date_valid("2024-02-29xyz", 10));
	assert_false(util_date_valid("2024-02-29", 9));
}

/* A SIRET is 14 digits with a valid Luhn check digit. */
static void
test_siret_valid(void **state)
{
	static const char *const bad[] = {
		"41852736200128",	/* last digit changed */
		"41852736200172",	/* last two swapped */
		"14852736200127",	/* first two swapped */
		"51852736200127",	/* first digit changed */
		"4185273620012",	/* 13 digits */
		"418527362001270",	/* 15 digits */
		"4185273620012a",
		"41852 736200127",
		"",
	};
	size_t i;

	(void)state;
	assert_true(util_siret_valid(TU_LEAD_SIRET, 14));
	assert_true(util_siret_valid("83046172900451", 14));
	for (i = 0; i < nitems(bad); i++)
		if (util_siret_valid(bad[i], strlen(bad[i])))
			fail_msg("accepted \"%s\"", bad[i]);
}

/* INT text: plain decimal within the field's bounds. */
static void
test_parse_int(void **state)
{
	const struct schema_field *rate = field("lot", "rate_cents");
	const struct schema_field *year = field("trainee", "birth_year");
	static const char *const bad[] = {
		"", "0", "-5", "1000001", "12a", "1e3", "+5", " 5", "5 ",
		"0x10", "14.10", "-", "9999999999999999999999",
	};
	struct value v;
	size_t i;

	(void)state;
	assert_ok(parse(rate, "1410", &v));
	assert_int_equal(v.kind, VAL_INT);
	assert_int_equal(v.i, 1410);
	assert_ok(parse(rate, "1", &v));
	assert_int_equal(v.i, 1);
	assert_ok(parse(rate, "1000000", &v));
	assert_int_equal(v.i, 1000000);
	for (i = 0; i < nitems(bad); i++)
		expect_parse_refused(rate, bad[i]);
	assert_ok(parse(year, "1989", &v));
	assert_int_equal(v.i, 1989);
	expect_parse_refused(year, "1899");
	expect_parse_refused(year, "2101");
	assert_ok(parse(field("session", "hours"), "0", &v));
	assert_int_equal(v.i, 0);
}

/* BOOL text: true/false/1/0 only. */
static void
test_parse_bool(void **state)
{
	const struct schema_field *f = field("trainee", "disability");
	static const char *const bad[] = {
		"yes", "no", "True", "FALSE", "", "2", "t", "true ", "01",
	};
	struct value v;
	size_t i;

	(void)state;
	assert_ok(parse(f, "true", &v));
	assert_int_equal(v.kind, VAL_BOOL);
	assert_true(v.b);
	assert_ok(parse(f, "1", &v));
	assert_true(v.b);
	assert_ok(parse(f, "false", &v));
	assert_int_equal(v.kind, VAL_BOOL);
	assert_false(v.b);
	assert_ok(parse(f, "0", &v));
	assert_false(v.b);
	for (i = 0; i < nitems(bad); i++)
		expect_parse_refused(f, bad[i]);
}

/* DATE text: a real day. */
static void
test_parse_date(void **state)
{
	const struct schema_field *f = field("intent", "date");

	(void)state;
	expect_parse_str(f, "2024-02-29");
	expect_parse_refused(f, "2026-02-29");
	expect_parse_refused(f, "29/02/2024");
	expect_parse_refused(f, "");
}

/* PERIOD text: a real month, the same in an order and a notice. */
static void
test_parse_period(void **state)
{
	static const char *const bad[] = {
		"2026-13", "2026-00", "2026-4", "26-04", "2026/04", "2026-04-01",
		"1899-12", "2200-01", "", "2026-0a",
	};
	const struct schema_field *o = field("order", "period");
	const struct schema_field *n = field("notice", "period");
	size_t i;

	(void)state;
	assert_int_equal(o->kind, FK_PERIOD);
	assert_int_equal(n->kind, FK_PERIOD);
	expect_parse_str(o, "2026-04");
	expect_parse_str(n, "2026-12");
	expect_parse_str(n, "2026-01");
	for (i = 0; i < nitems(bad); i++) {
		expect_parse_refused(o, bad[i]);
		expect_parse_refused(n, bad[i]);
	}
}

/* TEXT: an order's signed request, bounded by its field, past 4096 bytes. */
static void
test_text_bound(void **state)
{
	const struct schema_field *f = field("order", "signed");
	const struct schema_field *h = field("order", "hash");

	(void)state;
	assert_int_equal(f->kind, FK_TEXT);
	assert_int_equal(schema_str_max(f), 1000000);
	assert_int_equal(schema_str_max(h), CONSORT_STR_MAX);
	assert_int_equal(schema_str_max(NULL), CONSORT_STR_MAX);
	assert_true(f->hi < CONSORT_CS_MAX_BYTES);
}

/* ENUM text: exactly one word of the list. */
static void
test_parse_enum(void **state)
{
	const struct schema_field *f = field("trainee", "status");
	static const char *const bad[] = {
		"", "job", "job_seekers", "Job_seeker", "employe",
		"job_seeker|employee", "job_seeker,employee", " employee",
		"siae_employee ",
	};
	size_t i;

	(void)state;
	expect_parse_str(f, "job_seeker");
	expect_parse_str(f, "siae_employee");
	expect_parse_str(f, "employee");
	for (i = 0; i < nitems(bad); i++)
		expect_parse_refused(f, bad[i]);
	expect_parse_str(field("intent", "contract"), "CDI_INTERIM");
	expect_parse_refused(field("intent", "contract"), "cdi");
	/* the contract signed takes the values of the contract promised */
	assert_string_equal(field("intent", "hired_contract")->extra,
	    field("intent", "contract")->extra);
	expect_parse_str(field("intent", "outcome"), "not_hired");
	expect_parse_refused(field("intent", "outcome"), "withdrawn");
}

/* SET text: known words, comma-separated, each once, in the list's order. */
static void
test_parse_set(void **state)
{
	const struct schema_field *f = field("intent", "steps");
	static const char *const good[] = {
		"info_meeting,selection", "info_meeting", "interview",
		"selection,interview",
		"info_meeting,selection,immersion,final_review,interview",
	};
	static const char *const bad[] = {
		"selection,info_meeting", "info_meeting,info_meeting",
		"info_meeting,selection,selection", "", ",", "info_meeting,",
		",selection", "info_meeting,,selection",
		    "info_meeting, selection",
		"info_meeting;selection", "visit", "interview,info_meeting",
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++)
		expect_parse_str(f, good[i]);
	for (i = 0; i < nitems(bad); i++)
		expect_parse_refused(f, bad[i]);
}

/* SIRET and KEY text kinds. */
static void
test_parse_siret_key(void **state)
{
	const struct schema_field *siret = field("session", "provider");
	const struct schema_field *key = field("member", "key");
	char hex[66];

	(void)state;
	expect_parse_str(siret, TU_LEAD_SIRET);
	expect_parse_refused(siret, "41852736200128");
	expect_parse_refused(siret, "4185273620012");

	memset(hex, 'a', 64);
	hex[64] = '\0';
	memcpy(hex, "0123456789abcdef", 16);
	expect_parse_str(key, hex);
	hex[0] = 'A';
	expect_parse_refused(key, hex);
	hex[0] = 'g';
	expect_parse_refused(key, hex);
	hex[0] = '0';
	hex[63] = '\0';
	expect_parse_refused(key, hex);		/* 63 characters */
	hex[63] = 'a';
	hex[64] = 'a';
	hex[65] = '\0';
	expect_parse_refused(key, hex);		/* 65 characters */
}

/* STR text: length bounds in bytes, UTF-8 checked; REF text: a valid ref. */
static void
test_parse_str_ref(void **state)
{
	const struct schema_field *terr = field("lot", "territory");
	const struct schema_field *lot = field("session", "lot");
	struct value v;

	(void)state;
	expect_parse_str(terr, "44");
	expect_parse_str(terr, "0123456789");
	expect_parse_refused(terr, "01234567890");	/* 11 bytes */
	expect_parse_refused(terr, "");
	expect_parse_str(terr, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9");
	expect_parse_refused(terr, "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9x");
	expect_parse_refused(field("lot", "sector"), "B\xc3\xa2t\xc3");
	expect_parse_refused(field("lot", "sector"), "\xed\xa0\x80");
	expect_parse_str(lot, "LOT-01");
	expect_parse_refused(lot, "");
	expect_parse_refused(lot, " LOT-01");
	expect_parse_refused(lot, "LOT\t01");
	assert_err(schema_parse_text(field("lot", "sector"), "a\0b", 3, &v,
	    NULL),
	    E(SCHEMA));
}

/* schema_check_value refuses a value of the wrong kind for every field kind. */
static void
test_check_value_kinds(void **state)
{
	struct value s = tu_str("12"), i = tu_int(12), b = tu_bool(true);
	struct value nil = { VAL_NIL, false, 0, NULL, 0 };

	(void)state;
	assert_ok(schema_check_value(field("lot", "rate_cents"), &i, NULL));
	assert_err(schema_check_value(field("lot", "rate_cents"), &s, NULL),
	    E(SCHEMA));
	assert_err(schema_check_value(field("lot", "rate_cents"), &b, NULL),
	    E(SCHEMA));
	assert_err(schema_check_value(field("lot", "rate_cents"), &nil, NULL),
	    E(SCHEMA));
	assert_ok(schema_check_value(field("path", "financed"), &b, NULL));
	assert_err(schema_check_value(field("path", "financed"), &i, NULL),
	    E(SCHEMA));
	assert_err(schema_check_value(field("path", "financed"), &s, NULL),
	    E(SCHEMA));
	assert_ok(schema_check_value(field("lot", "territory"), &s, NULL));
	assert_err(schema_check_value(field("lot", "territory"), &i, NULL),
	    E(SCHEMA));
	assert_err(schema_check_value(field("intent", "date"), &b, NULL),
	    E(SCHEMA));
	assert_err(schema_check_value(field("path", "session"), &i, NULL),
	    E(SCHEMA));
}

/* A ref is 1..128 bytes of UTF-8 without control characters or edge spaces. */
static void
test_check_ref(void **state)
{
	char ref[CONSORT_REF_MAX + 2];

	(void)state;
	memset(ref, 'r', sizeof(ref));
	assert_ok(schema_check_ref(ref, 1, NULL));
	assert_ok(schema_check_ref(ref, CONSORT_REF_MAX, NULL));
	assert_err(schema_check_ref(ref, CONSORT_REF_MAX + 1, NULL), E(SCHEMA));
	assert_err(schema_check_ref(ref, 0, NULL), E(SCHEMA));
	assert_ok(schema_check_ref("LOT 01", 6, NULL));
	assert_ok(schema_check_ref("A\xc3\xaf" "cha", 6, NULL));
	assert_err(schema_check_ref(" LOT", 4, NULL), E(SCHEMA));
	assert_err(schema_check_ref("LOT ", 4, NULL), E(SCHEMA));
	assert_err(schema_check_ref("LOT\t1", 5, NULL), E(SCHEMA));
	assert_err(schema_check_ref("LOT\n", 4, NULL), E(SCHEMA));
	assert_err(schema_check_ref("LOT\x7f", 4, NULL), E(SCHEMA));
	assert_err(schema_check_ref("a\0b", 3, NULL), E(BADUTF8));
	assert_err(schema_check_ref("\xc3", 1, NULL), E(BADUTF8));
	assert_err(schema_check_ref("\xc0\x80", 2, NULL), E(BADUTF8));
}

/* Types and fields are found by wire id and by name, and nothing else is. */
static void
test_lookups(void **state)
{
	const struct schema_type *lot = schema_type_by_name("lot");
	const struct schema_type *t;
	unsigned id;

	(void)state;
	assert_non_null(lot);
	assert_int_equal(lot->id, T_lot);
	assert_ptr_equal(schema_type(T_lot), lot);
	assert_string_equal(schema_type(T_trainee)->name, "trainee");
	assert_string_equal(schema_type(T_derogation)->name, "derogation");
	for (id = T_consortium; id <= T_derogation; id++) {
		t = schema_type(id);
		assert_non_null(t);
		assert_int_equal(t->id, id);
		assert_ptr_equal(schema_type_by_name(t->name), t);
	}
	assert_null(schema_type(0));
	assert_null(schema_type(9));
	assert_null(schema_type(SCHEMA_MAX_TYPES - 1));
	assert_null(schema_type(SCHEMA_MAX_TYPES));
	assert_null(schema_type(1000));
	assert_null(schema_type_by_name("lots"));
	assert_null(schema_type_by_name(""));
	assert_null(schema_type_by_name("Lot"));

	assert_int_equal(lot->nfields, 5);
	assert_int_equal(lot->max_field, 5);
	assert_string_equal(schema_field(lot, 3)->name, "rate_cents");
	assert_int_equal(schema_field(lot, 3)->kind, FK_INT);
	assert_int_equal(schema_field(lot, 3)->lo, 1);
	assert_int_equal(schema_field(lot, 3)->hi, 1000000);
	assert_null(schema_field(lot, 0));
	assert_null(schema_field(lot, 6));
	assert_null(schema_field(lot, SCHEMA_MAX_FIELDS));
	assert_null(schema_field(lot, SCHEMA_MAX_FIELDS + 1));
	assert_null(schema_field(lot, 1000));
	assert_int_equal(schema_field_by_name(lot, "rate_cents", 10)->id, 3);
	assert_int_equal(schema_field_by_name(lot, "rate_centsXYZ", 10)->id, 3);
	assert_null(schema_field_by_name(lot, "rate", 4));
	assert_null(schema_field_by_name(lot, "rate_cents_", 11));
	assert_null(schema_field_by_name(lot, "", 0));
	assert_int_equal(schema_type_by_name("session")->max_field, 15);
	assert_int_equal(schema_type_by_name("intent")->max_field, 21);

	/* REF fields know their target type */
	assert_int_equal(field("session", "lot")->ref_type, T_lot);
	assert_int_equal(field("path", "trainee")->ref_type, T_trainee);
	assert_int_equal(field("path", "session")->ref_type, T_session);
	assert_int_equal(field("path", "intent")->ref_type, T_intent);
	assert_int_equal(field("derogation", "intent")->ref_type, T_intent);
	assert_int_equal(field("lot", "sector")->ref_type, 0);
}

/* Counts the |-separated items of a list ("" has none). */
static unsigned
count_items(const char *list)
{
	unsigned n = *list != '\0';

	for (; *list != '\0'; list++)
		n += *list == '|';
	return n;
}

/* Tells whether item (len bytes) is one of a |-separated list's. */
static bool
has_item(const char *list, const char *item, size_t len)
{
	const char *p = list, *bar;

	while (*p != '\0') {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		if ((size_t)(bar - p) == len && strncasecmp(p, item, len) == 0)
			return true;
		p = *bar == '|' ? bar + 1 : bar;
	}
	return false;
}

/* Checks that a field's value labels are one per value, none twice. */
static void
check_value_labels(const struct schema_field *f)
{
	const char *p = f->values, *bar;

	if (*p == '\0')
		return;
	assert_true(f->kind == FK_ENUM || f->kind == FK_SET);
	assert_int_equal(count_items(p), count_items(f->extra));
	while (*p != '\0') {
		bar = strchr(p, '|');
		if (bar == NULL)
			bar = p + strlen(p);
		assert_true(bar > p);
		/* no label is written twice, nor is it another value's name */
		assert_false(has_item(bar + (*bar == '|'), p, (size_t)(bar - p)));
		p = *bar == '|' ? bar + 1 : bar;
	}
}

/* A value's French label comes from its place in the field's list. */
static void
test_value_label(void **state)
{
	const struct schema_type *t = schema_type_by_name("intent");
	const struct schema_field *f = schema_field_by_name(t, "contract", 8);
	char out[64];

	(void)state;
	assert_true(schema_value_label(f, "CDI", out, sizeof(out)));
	assert_string_equal(out, "CDI");
	assert_true(schema_value_label(f, "APPRENTICESHIP", out, sizeof(out)));
	assert_string_equal(out, "Apprentissage");
	assert_true(schema_value_label(f, "PRO_CONTRACT", out, sizeof(out)));
	assert_string_equal(out, "Contrat de professionnalisation");
	assert_false(schema_value_label(f, "PRO_CONTRACT", out, 10));  /* cut */
	assert_string_equal(out, "");
	assert_false(schema_value_label(f, "CD", out, sizeof(out)));
	assert_false(schema_value_label(f, "", out, sizeof(out)));
	f = schema_field_by_name(t, "employer", 8);  /* no list */
	assert_false(schema_value_label(f, "x", out, sizeof(out)));
	assert_false(schema_value_label(NULL, "x", out, sizeof(out)));
	f = schema_field_by_name(schema_type_by_name("session"), "scheme", 6);
	assert_true(schema_value_label(f, "socle", out, sizeof(out)));
	assert_string_equal(out, "Socle");
}

/* Every type and field has a French label, unique within its type. */
static void
test_labels(void **state)
{
	const struct schema_type *types[SCHEMA_MAX_TYPES];
	const struct schema_type *t;
	unsigned n, i, k, j;

	(void)state;
	n = schema_types_sorted(types, SCHEMA_MAX_TYPES);
	assert_true(n > 10);
	assert_string_equal(schema_type(T_trainee)->label, "Stagiaire");
	assert_string_equal(field("trainee", "birth_year")->label,
	    "Année de naissance");
	assert_string_equal(field("intent", "employer_kind")->values,
	    "Entreprise|Agence d'intérim|SIAE");
	for (i = 0; i < n; i++) {
		t = types[i];
		assert_true(t->label != NULL && *t->label != '\0');
		for (k = 0; k < t->nfields; k++) {
			assert_true(*t->sorted[k]->label != '\0');
			assert_false(strcasecmp(t->sorted[k]->label,
			    "Référence") == 0);
			check_value_labels(t->sorted[k]);
			for (j = k + 1; j < t->nfields; j++)
				assert_int_not_equal(strcasecmp(
				    t->sorted[k]->label, t->sorted[j]->label), 0);
		}
	}
}

/* Fields are sorted by name within each type, and types by name. */
static void
test_sorted_order(void **state)
{
	static const char *const trainee[] = {
		"birth_year", "disability", "erased", "erased_reason", "exit",
		"exit_date", "family_name", "ft_id", "given_name", "part_time",
		"status",
	};
	static const char *const types[] = {
		"agreement", "attendance", "consortium", "decision", "derogation",
		"intent", "key",
		"lot", "member", "notice", "order", "path", "rate", "region_key",
		"session",
		"trainee",
	};
	const struct schema_type *all[SCHEMA_MAX_TYPES], *t;
	unsigned i, k, n, nf;

	(void)state;
	n = schema_types_sorted(all, SCHEMA_MAX_TYPES);
	assert_int_equal(n, nitems(types));
	for (i = 0; i < n; i++)
		assert_string_equal(all[i]->name, types[i]);
	assert_int_equal(schema_types_sorted(all, 3), 3);

	t = schema_type(T_trainee);
	assert_int_equal(t->nfields, nitems(trainee));
	for (i = 0; i < t->nfields; i++)
		assert_string_equal(t->sorted[i]->name, trainee[i]);
	for (i = 0; i < n; i++) {
		t = all[i];
		for (k = 1; k < t->nfields; k++)
			assert_true(strcmp(t->sorted[k - 1]->name,
			    t->sorted[k]->name) < 0);
		/* every sorted field is the one its wire id names */
		nf = 0;
		for (k = 0; k < t->nfields; k++)
			assert_ptr_equal(schema_field(t, t->sorted[k]->id),
			    t->sorted[k]);
		for (k = 1; k <= SCHEMA_MAX_FIELDS; k++)
			nf += schema_field(t, k) != NULL;
		assert_int_equal(nf, t->nfields);
	}
}

/*
 * The personal fields are exactly a trainee's names, birth year, France
 * Travail id, disability, part time and exit (how and when it left the
 * training): on the wire each carries a 32-byte commitment and nothing
 * else, and no other field takes one.
 */
static void
test_personal_fields(void **state)
{
	static const char *const personal[] = {
		"family_name", "given_name", "birth_year", "ft_id",
		"disability", "part_time", "exit", "exit_date",
	};
	static const uint8_t bytes[CONSORT_COMMIT_BYTES];
	const struct value c = { VAL_BIN, false, 0, (const char *)bytes,
	    CONSORT_COMMIT_BYTES };
	const struct value year = { VAL_INT, false, 1989, NULL, 0 };
	const struct value old = { VAL_INT, false, 1800, NULL, 0 };
	const struct schema_type *all[SCHEMA_MAX_TYPES], *t;
	const struct schema_field *f;
	struct consort_diag d;
	unsigned i, k, n, np = 0;
	struct value shortc = c;

	(void)state;
	shortc.len = CONSORT_COMMIT_BYTES - 1;
	n = schema_types_sorted(all, SCHEMA_MAX_TYPES);
	for (i = 0; i < n; i++) {
		t = all[i];
		for (k = 0; k < t->nfields; k++) {
			f = t->sorted[k];
			memset(&d, 0, sizeof(d));
			if (!f->personal) {
				assert_err(schema_check_wire(f, &c, &d),
				    E(SCHEMA));
				continue;
			}
			np++;
			assert_int_equal(t->id, T_trainee);
			assert_ok(schema_check_wire(f, &c, &d));
			assert_err(schema_check_wire(f, &shortc, &d), E(SCHEMA));
			assert_non_null(strstr(d.what, f->name));
		}
	}
	assert_int_equal(np, nitems(personal));
	t = schema_type(T_trainee);
	for (i = 0; i < nitems(personal); i++) {
		f = schema_field_by_name(t, personal[i], strlen(personal[i]));
		assert_non_null(f);
		assert_true(f->personal);
	}
	assert_false(schema_field_by_name(t, "status", 6)->personal);
	assert_false(schema_field_by_name(t, "erased", 6)->personal);
	assert_false(schema_field_by_name(t, "erased_reason", 13)->personal);
	/* the clear value is still checked where it is written */
	f = schema_field_by_name(t, "birth_year", 10);
	assert_ok(schema_check_value(f, &year, NULL));
	assert_err(schema_check_value(f, &old, NULL), E(SCHEMA));
	assert_err(schema_check_wire(f, &year, NULL), E(SCHEMA));
	assert_err(schema_check_value(f, &c, NULL), E(SCHEMA));
}

/* The number of codes in schema/errors.def. */
enum { NERRORS = 0
#define XX(name, msg) + 1
#include "../schema/errors.def"
#undef XX
};

/* Error names and messages come from schema/errors.def. */
static void
test_error_table(void **state)
{
	(void)state;
	assert_string_equal(consort_err_name(E(SIGNATURE)), "ESIGNATURE");
	assert_string_equal(consort_err_name(E(NOMEM)), "ENOMEM");
	assert_string_equal(consort_err_name(E(INTERRUPTED)), "EINTERRUPTED");
	assert_string_equal(consort_err_name(0), "OK");
	assert_string_equal(consort_err_name(-1), "EUNKNOWN");
	/* one past the last code of the table, whichever it is */
	assert_string_equal(consort_err_name(-(CONSORT__EBASE + 1 + NERRORS)),
	    "EUNKNOWN");
	assert_string_equal(consort_strerror(E(FORK)),
	    "two change-sets with one author and seq");
	assert_string_equal(consort_strerror(5), "unknown error");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_date_valid),
		cmocka_unit_test(test_siret_valid),
		cmocka_unit_test(test_parse_int),
		cmocka_unit_test(test_parse_bool),
		cmocka_unit_test(test_parse_date),
		cmocka_unit_test(test_parse_period),
		cmocka_unit_test(test_text_bound),
		cmocka_unit_test(test_parse_enum),
		cmocka_unit_test(test_parse_set),
		cmocka_unit_test(test_parse_siret_key),
		cmocka_unit_test(test_parse_str_ref),
		cmocka_unit_test(test_check_value_kinds),
		cmocka_unit_test(test_check_ref),
		cmocka_unit_test(test_lookups),
		cmocka_unit_test(test_labels),
		cmocka_unit_test(test_value_label),
		cmocka_unit_test(test_sorted_order),
		cmocka_unit_test(test_personal_fields),
		cmocka_unit_test(test_error_table),
	};

	return cmocka_run_group_tests_name("schema", tests, tu_group_setup,
	    NULL);
}
