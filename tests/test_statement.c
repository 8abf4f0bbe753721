/*
 * Unit tests of statement.c and attendance.c: the monthly statement (R18)
 * counts the hours attended where the provider recorded attendance for
 * the month (records of days, else of the month), planned hours where
 * not or after the last day recorded, says which (attended, planned,
 * mixed), prices attendance at the rate of its day, warns about what it
 * does not count (days outside the path's, a month record beside day
 * records, hours beyond the path's) or counts on a day off, and spreads
 * planned hours over working days without France's public holidays.
 *
 * The base lot (order_base.h): S1 runs 2026-03-02 to 2026-04-10, 29
 * working days (Easter Monday 2026-04-06 left out), 22 in March; S3 runs
 * 2026-04-13 to 2026-07-03, 56 working days (1, 8, 14 and 25 May left
 * out); LOT-A's rate is 1410 cents an hour.
 */
#include "testutil.h"

#include "order.h"

#define CO_SIRET "50324917900212"

#include "order_base.h"

struct fix {
	char *dir;
	struct node *n;
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
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Writes fields of a record, FIELD=VALUE texts, in one edit. */
static void
put(struct fix *f, const char *type, const char *ref, const char *const *kv,
    size_t n)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct field_input in[8];
	const char *eq;
	struct edit e;
	bool changed;
	size_t i;

	for (i = 0; i < n; i++) {
		eq = strchr(kv[i], '=');
		in[i].f = schema_field_by_name(t, kv[i], (size_t)(eq - kv[i]));
		assert_non_null(in[i].f);
		assert_ok(schema_parse_text(in[i].f, eq + 1, strlen(eq + 1),
		    &in[i].v, &d));
	}
	assert_ok(edit_begin(f->n, &e));
	if (records_put(&e, t, ref, strlen(ref), in, (unsigned)n, PUT_UPSERT,
	    true, &changed, &d) != 0)
		fail_msg("%s %s: %s", type, ref, d.what);
	assert_ok(edit_commit(&e));
}

/* Records attendance of a path on a day (YYYY-MM-DD) or a month (YYYY-MM). */
static void
attend(struct fix *f, const char *path, const char *when, int hours,
    int minutes)
{
	char ref[64], p[64], w[32], h[32], m[32];
	const char *kv[] = { p, w, h, m };

	snprintf(ref, sizeof(ref), "%s@%s", path, when);
	snprintf(p, sizeof(p), "path=%s", path);
	snprintf(w, sizeof(w), "%s=%s", strlen(when) == 7 ? "month" : "date",
	    when);
	snprintf(h, sizeof(h), "hours=%d", hours);
	snprintf(m, sizeof(m), "minutes=%d", minutes);
	put(f, "attendance", ref, kv, minutes ? 4 : 3);
}

/* LOT-A's statement of a month. */
static json_t *
statement(struct fix *f, const char *month)
{
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *st = NULL;

	f->n->store.open_personal = true;  /* as consort opens a node */
	assert_ok(store_begin(&f->n->store, false, &txn));
	if (statement_build(txn, &f->n->store, "LOT-A", month, &st, &d) != 0)
		fail_msg("statement %s: %s %s", month, d.where, d.what);
	store_abort(txn);
	return st;
}

/* An integer member of a JSON object. */
static int64_t
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/* A string member of a JSON object ("" when absent). */
static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* The path of a statement, whatever its session. */
static const json_t *
path_of(const json_t *st, const char *ref)
{
	const json_t *ss = json_object_get(st, "sessions"), *ps;
	size_t i, k;

	for (i = 0; i < json_array_size(ss); i++) {
		ps = json_object_get(json_array_get(ss, i), "paths");
		for (k = 0; k < json_array_size(ps); k++)
			if (strcmp(str(json_array_get(ps, k), "path"), ref) == 0)
				return json_array_get(ps, k);
	}
	fail_msg("no path %s in the statement", ref);
	return NULL;
}

/* The statement's warning of a kind about a path and day, or NULL. */
static const json_t *
warning(const json_t *st, const char *kind, const char *path,
    const char *when)
{
	const json_t *ws = json_object_get(st, "warnings"), *w;
	size_t i;

	for (i = 0; i < json_array_size(ws); i++) {
		w = json_array_get(ws, i);
		if (strcmp(str(w, "kind"), kind) == 0 &&
		    strcmp(str(w, "path"), path) == 0 &&
		    (strcmp(str(w, "date"), when) == 0 ||
		    strcmp(str(w, "month"), when) == 0))
			return w;
	}
	return NULL;
}

/*
 * March: P1's register covers the month (its last line an absence), P2
 * has none, P3's stops on the 13th, with a Saturday and a day before its
 * session among its lines; a record whose ref is not its own counts for
 * nobody.
 */
static void
test_attended(void **state)
{
	struct fix *f = *state;
	const json_t *p, *w, *t;
	json_t *st;
	struct edit e;
	struct value v;
	uint8_t id[CONSORT_EID_BYTES];
	char day[32];
	int d;

	attend(f, "P1", "2026-03-02", 7, 0);
	attend(f, "P1", "2026-03-03", 3, 30);
	attend(f, "P1", "2026-03-31", 0, 0);
	for (d = 2; d <= 13; d++) {
		snprintf(day, sizeof(day), "2026-03-%02d", d);
		if (d != 7 && d != 8)
			attend(f, "P3", day, 7, 0);
	}
	attend(f, "P3", "2026-03-07", 4, 0);
	attend(f, "P3", "2026-03-01", 7, 0);
	/* a record of P1 under P2's ref, as a change-set might carry */
	assert_ok(edit_begin(f->n, &e));
	node_entity_id(f->n, T_attendance, "P2@2026-03-05", 13, id);
	v = (struct value){ VAL_STR, false, 0, "P2@2026-03-05", 13 };
	csb_op(&e.b, OP_CREATE, T_attendance, id, 0, &v);
	v = (struct value){ VAL_STR, false, 0, "P1", 2 };
	csb_op(&e.b, OP_SET, T_attendance, id, F_attendance_path, &v);
	v = (struct value){ VAL_STR, false, 0, "2026-03-05", 10 };
	csb_op(&e.b, OP_SET, T_attendance, id, F_attendance_date, &v);
	v = (struct value){ VAL_INT, false, 7, NULL, 0 };
	csb_op(&e.b, OP_SET, T_attendance, id, F_attendance_hours, &v);
	assert_ok(edit_commit(&e));

	st = statement(f, "2026-03");
	assert_string_equal(str(st, "format"), "consort-statement/2");
	/* P1: 7 h + 3 h 30 + 0 attended, nothing planned */
	p = path_of(st, "P1");
	assert_string_equal(str(p, "source"), "attended");
	assert_int_equal(num(p, "attended_minutes"), 630);
	assert_int_equal(num(p, "planned_minutes"), 0);
	assert_int_equal(num(p, "minutes_in_month"), 630);
	assert_int_equal(num(p, "hours_in_month"), 10);
	assert_int_equal(num(p, "cost_cents"), 14805);  /* 10.5 h x 1410 */
	assert_null(json_object_get(p, "planned_from"));
	/* P2: planned, 189 h x 22 / 29 */
	p = path_of(st, "P2");
	assert_string_equal(str(p, "source"), "planned");
	assert_int_equal(num(p, "hours_in_month"), 143);
	assert_int_equal(num(p, "planned_minutes"), 143 * 60);
	assert_int_equal(num(p, "cost_cents"), 143 * 1410);
	/* P3: 10 days of 7 h and the Saturday, then planned from the 16th */
	p = path_of(st, "P3");
	assert_string_equal(str(p, "source"), "mixed");
	assert_string_equal(str(p, "planned_from"), "2026-03-16");
	assert_int_equal(num(p, "attended_minutes"), 70 * 60 + 4 * 60);
	/* 231 h x 22 / 29 less 231 h x 10 / 29: 175 - 79 */
	assert_int_equal(num(p, "planned_minutes"), 96 * 60);
	assert_int_equal(num(p, "cost_cents"), (74 + 96) * 1410);
	w = warning(st, "non_working", "P3", "2026-03-07");
	assert_non_null(w);
	assert_true(json_is_true(json_object_get(w, "counted")));
	assert_int_equal(num(w, "minutes"), 240);
	assert_non_null(strstr(str(w, "what"), "a Saturday"));
	w = warning(st, "outside", "P3", "2026-03-01");
	assert_non_null(w);
	assert_true(json_is_false(json_object_get(w, "counted")));
	assert_string_equal(str(w, "session"), "S1");
	assert_null(warning(st, "outside", "P1", "2026-03-05"));
	/* the totals: each source, and the minutes they count */
	t = json_object_get(st, "totals");
	assert_int_equal(num(json_object_get(t, "paths_by_source"), "attended"),
	    1);
	assert_int_equal(num(json_object_get(t, "paths_by_source"), "mixed"), 1);
	assert_int_equal(num(json_object_get(t, "paths_by_source"), "planned"),
	    8);
	assert_int_equal(num(t, "attended_minutes"), 630 + 74 * 60);
	assert_int_equal(num(t, "minutes"), num(t, "attended_minutes") +
	    num(t, "planned_minutes"));
	assert_int_equal(num(t, "hours"), num(t, "minutes") / 60);
	assert_int_equal(json_array_size(json_object_get(st, "warnings")), 2);
	json_decref(st);
}

/*
 * A record of the month: counted whole, unless records of days of that
 * month are there (they count; it is left out, with a warning); a path
 * counts at most its planned hours over its months, the rest left out
 * with a warning, and the next month counts what is left.
 */
static void
test_month_record(void **state)
{
	struct fix *f = *state;
	const json_t *p, *w;
	json_t *st;

	attend(f, "P4", "2026-03", 200, 0);
	attend(f, "P5", "2026-03", 100, 0);
	attend(f, "P5", "2026-03-02", 7, 0);
	attend(f, "P2", "2026-04", 30, 15);
	attend(f, "P1", "2026-04-13", 7, 0);
	st = statement(f, "2026-03");
	/* P4: 200 h recorded, 168 h planned: 32 h left out */
	p = path_of(st, "P4");
	assert_string_equal(str(p, "source"), "attended");
	assert_int_equal(num(p, "attended_minutes"), 168 * 60);
	assert_int_equal(num(p, "cut_minutes"), 32 * 60);
	assert_int_equal(num(p, "cost_cents"), 168 * 1410);
	w = warning(st, "beyond_planned", "P4", "2026-03");
	assert_non_null(w);
	assert_int_equal(num(w, "minutes"), 32 * 60);
	/* P5: its day counts, its month record not; planned after the 2nd */
	p = path_of(st, "P5");
	assert_string_equal(str(p, "source"), "mixed");
	assert_int_equal(num(p, "attended_minutes"), 7 * 60);
	assert_int_equal(num(p, "planned_minutes"), (159 - 7) * 60);
	w = warning(st, "month_and_days", "P5", "2026-03");
	assert_non_null(w);
	assert_int_equal(num(w, "minutes"), 100 * 60);
	assert_true(json_is_false(json_object_get(w, "counted")));
	json_decref(st);

	st = statement(f, "2026-04");
	/* P4 counted its 168 h in March: nothing left for April */
	p = path_of(st, "P4");
	assert_string_equal(str(p, "source"), "planned");
	assert_int_equal(num(p, "minutes_in_month"), 0);
	assert_int_equal(num(p, "cost_cents"), 0);
	assert_int_equal(json_array_size(json_object_get(p, "parts")), 0);
	w = warning(st, "beyond_planned", "P4", "2026-04");
	assert_non_null(w);
	assert_int_equal(num(w, "minutes"), (168 - 127) * 60);
	/* P2: 30 h 15 attended in April, at 1410 c/h to the nearest cent */
	p = path_of(st, "P2");
	assert_string_equal(str(p, "source"), "attended");
	assert_int_equal(num(p, "attended_minutes"), 1815);
	assert_int_equal(num(p, "hours_in_month"), 30);
	assert_int_equal(num(p, "cost_cents"), (1815 * 1410 + 30) / 60);
	/* P1: a day after its session ended is not counted, April planned */
	p = path_of(st, "P1");
	assert_string_equal(str(p, "source"), "planned");
	assert_int_equal(num(p, "hours_in_month"), 210 - 159);
	assert_non_null(warning(st, "outside", "P1", "2026-04-13"));
	json_decref(st);
}

/*
 * A month the rate changes in: attendance is priced at the rate of its
 * day, and the planned time after the last day recorded at the rate of
 * the days it falls on.
 */
static void
test_attended_rates(void **state)
{
	struct fix *f = *state;
	const char *const rate[] = { "rate_cents=1600", "rate_since=2026-04-20" };
	const json_t *p, *parts;
	json_t *st;

	put(f, "lot", "LOT-A", rate, 2);
	attend(f, "P12", "2026-04-17", 7, 0);
	attend(f, "P12", "2026-04-21", 3, 30);
	st = statement(f, "2026-04");
	p = path_of(st, "P12");
	assert_string_equal(str(p, "source"), "mixed");
	assert_string_equal(str(p, "planned_from"), "2026-04-22");
	parts = json_object_get(p, "parts");
	assert_int_equal(json_array_size(parts), 2);
	assert_int_equal(num(json_array_get(parts, 0), "rate_cents"), 1410);
	assert_int_equal(num(json_array_get(parts, 0), "minutes"), 420);
	assert_int_equal(num(json_array_get(parts, 0), "attended_minutes"), 420);
	assert_int_equal(num(json_array_get(parts, 0), "cost_cents"), 7 * 1410);
	/* 3 h 30 on the 21st, then 420 h x 14 / 56 less 420 h x 7 / 56: 53 h */
	assert_int_equal(num(json_array_get(parts, 1), "rate_cents"), 1600);
	assert_int_equal(num(json_array_get(parts, 1), "attended_minutes"), 210);
	assert_int_equal(num(json_array_get(parts, 1), "minutes"), 210 + 53 * 60);
	assert_int_equal(num(json_array_get(parts, 1), "cost_cents"),
	    (210 + 53 * 60) * 1600 / 60);
	assert_int_equal(num(p, "cost_cents"), 7 * 1410 + (210 + 53 * 60) *
	    1600 / 60);
	json_decref(st);
}

/*
 * May 2026 holds 1 and 8 May, Ascension (14) and Whit Monday (25): S3
 * works 17 days of it; a path starting on Monday 11 May works 13 of them
 * and 38 in all (to 3 July); a day recorded on Whit Monday is counted,
 * with a warning naming it.
 */
static void
test_may(void **state)
{
	struct fix *f = *state;
	const char *const p14[] = { "trainee=T11", "session=S3", "hours=100",
		"financed=true", "start=2026-05-11" };
	const json_t *s3, *p, *w;
	json_t *st;

	put(f, "path", "P14", p14, nitems(p14));
	st = statement(f, "2026-05");
	s3 = json_array_get(json_object_get(st, "sessions"), 0);
	assert_string_equal(str(s3, "ref"), "S3");
	assert_int_equal(num(s3, "working_days_in_month"), 17);
	/* P12: 420 h x 31 / 56 less 420 h x 14 / 56 */
	assert_int_equal(num(path_of(st, "P12"), "hours_in_month"), 232 - 105);
	p = path_of(st, "P14");
	assert_int_equal(num(p, "hours_in_month"), 100 * 13 / 38);
	json_decref(st);

	attend(f, "P14", "2026-05-25", 7, 0);
	st = statement(f, "2026-05");
	p = path_of(st, "P14");
	assert_string_equal(str(p, "source"), "mixed");
	/* 100 h x 13 / 38 less 100 h x 9 / 38 (11 to 25 May): 34 - 23 */
	assert_int_equal(num(p, "planned_minutes"), 11 * 60);
	assert_int_equal(num(p, "attended_minutes"), 7 * 60);
	w = warning(st, "non_working", "P14", "2026-05-25");
	assert_non_null(w);
	assert_non_null(strstr(str(w, "what"), "Lundi de Pentec\xc3\xb4te"));
	json_decref(st);
}

/*
 * A trainee's exit ends its path's days: dropped out, the planned hours
 * spread over the session count up to the exit, and attendance after it
 * is not counted; completed, the planned hours are spread up to the exit.
 * An exit before a path's day is an earlier path's; one after a later
 * path's day is that path's.
 */
static void
test_exit(void **state)
{
	struct fix *f = *state;
	const char *const t1[] = { "exit=dropped_out", "exit_date=2026-03-20" };
	const char *const t2[] = { "exit=completed", "exit_date=2026-03-31" };
	const char *const t4[] = { "exit=completed", "exit_date=2026-02-27" };
	const char *const t5[] = { "exit=dropped_out", "exit_date=2026-05-05" };
	const char *const p15[] = { "trainee=T5", "session=S3", "hours=100",
		"financed=true" };
	const json_t *p, *w;
	json_t *st;

	put(f, "trainee", "T1", t1, 2);
	put(f, "trainee", "T2", t2, 2);
	put(f, "trainee", "T4", t4, 2);
	put(f, "trainee", "T5", t5, 2);
	put(f, "path", "P15", p15, nitems(p15));
	attend(f, "P1", "2026-03-23", 7, 0);
	st = statement(f, "2026-03");
	/* P1: 210 h x 15 / 29 through Friday 20 March, then nothing */
	p = path_of(st, "P1");
	assert_string_equal(str(p, "source"), "planned");
	assert_int_equal(num(p, "hours_in_month"), 210 * 15 / 29);
	w = warning(st, "outside", "P1", "2026-03-23");
	assert_non_null(w);
	assert_non_null(strstr(str(w, "what"), "after its trainee's exit"));
	assert_null(strstr(str(w, "what"), "2026-03-20"));
	/* P2: its 189 h over its 22 days to 31 March */
	assert_int_equal(num(path_of(st, "P2"), "hours_in_month"), 189);
	/* P4: an exit before its day is not its own */
	assert_int_equal(num(path_of(st, "P4"), "hours_in_month"),
	    168 * 22 / 29);
	/* P5: T5's exit is P15's, which began after it */
	assert_int_equal(num(path_of(st, "P5"), "hours_in_month"),
	    210 * 22 / 29);
	json_decref(st);
	st = statement(f, "2026-04");
	assert_int_equal(num(path_of(st, "P1"), "minutes_in_month"), 0);
	assert_int_equal(num(path_of(st, "P2"), "minutes_in_month"), 0);
	assert_int_equal(num(path_of(st, "P5"), "hours_in_month"),
	    210 - 210 * 22 / 29);
	json_decref(st);
	/* P15: 100 h over S3's 56 days, 14 in April, 2 in May to the 5th */
	st = statement(f, "2026-05");
	assert_int_equal(num(path_of(st, "P15"), "hours_in_month"),
	    100 * 16 / 56 - 100 * 14 / 56);
	json_decref(st);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_attended, setup, teardown),
		cmocka_unit_test_setup_teardown(test_month_record, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_attended_rates, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_may, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exit, setup, teardown),
	};

	return cmocka_run_group_tests_name("statement", tests, tu_group_setup,
	    NULL);
}
