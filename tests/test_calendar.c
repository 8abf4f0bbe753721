/*
 * Unit tests of calendar.c: day numbers both ways, Easter over several
 * years against known dates, France's public holidays (the fixed ones and
 * those that follow Easter, no Alsace-Moselle day), and the working days
 * the monthly statement spreads hours over.
 */
#include "testutil.h"

#include "calendar.h"
#include "order.h"

/* The day number of a YYYY-MM-DD text. */
static int64_t
day(const char *s)
{
	int64_t n;

	assert_true(order_day_number(s, &n));
	return n;
}

/* The text of a day number. */
static const char *
text(int64_t n)
{
	static char buf[CALENDAR_DAY_BUF];

	calendar_text(n, buf);
	return buf;
}

/* Day numbers and their dates agree, both ways, with order_day_number. */
static void
test_day_numbers(void **state)
{
	static const char *const days[] = { "1900-01-01", "1970-01-01",
		"2000-02-29", "2024-12-31", "2026-05-14", "2199-12-31" };
	unsigned m, d;
	size_t i;
	int y;

	(void)state;
	assert_int_equal(calendar_day(1970, 1, 1), 0);
	for (i = 0; i < nitems(days); i++) {
		assert_string_equal(text(day(days[i])), days[i]);
		calendar_civil(day(days[i]), &y, &m, &d);
		assert_int_equal(calendar_day(y, m, d), day(days[i]));
	}
	assert_int_equal(calendar_weekday(day("1970-01-01")), 3);  /* Thursday */
	assert_int_equal(calendar_weekday(day("2026-05-25")), 0);  /* Monday */
	assert_int_equal(calendar_weekday(day("1969-12-28")), 6);  /* Sunday */
}

/* Easter Sunday over several years, earliest and latest included. */
static void
test_easter(void **state)
{
	static const struct {
		int year;
		const char *day;
	} known[] = {
		{ 1913, "1913-03-23" }, { 1943, "1943-04-25" },
		{ 2000, "2000-04-23" }, { 2008, "2008-03-23" },
		{ 2011, "2011-04-24" }, { 2019, "2019-04-21" },
		{ 2024, "2024-03-31" }, { 2025, "2025-04-20" },
		{ 2026, "2026-04-05" }, { 2027, "2027-03-28" },
		{ 2038, "2038-04-25" }, { 2100, "2100-03-28" },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(known); i++)
		assert_string_equal(text(calendar_easter(known[i].year)),
		    known[i].day);
}

/* The eleven holidays of 2026, and days that are none. */
static void
test_holidays(void **state)
{
	static const struct {
		const char *day, *name;
	} y2026[] = {
		{ "2026-01-01", "Jour de l'an" },
		{ "2026-04-06", "Lundi de Pâques" },
		{ "2026-05-01", "Fête du Travail" },
		{ "2026-05-08", "Victoire 1945" },
		{ "2026-05-14", "Ascension" },
		{ "2026-05-25", "Lundi de Pentecôte" },
		{ "2026-07-14", "Fête nationale" },
		{ "2026-08-15", "Assomption" },
		{ "2026-11-01", "Toussaint" },
		{ "2026-11-11", "Armistice 1918" },
		{ "2026-12-25", "Noël" },
	};
	/* Easter Sunday itself, Good Friday and 26 December (Alsace-Moselle
	   only), Whit Sunday, a plain day */
	static const char *const none[] = { "2026-04-05", "2026-04-03",
		"2026-12-26", "2026-05-24", "2026-05-13", "2026-05-26" };
	int64_t d, a, b;
	unsigned n = 0;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(y2026); i++) {
		assert_non_null(calendar_holiday(day(y2026[i].day)));
		assert_string_equal(calendar_holiday(day(y2026[i].day)),
		    y2026[i].name);
	}
	for (i = 0; i < nitems(none); i++)
		assert_null(calendar_holiday(day(none[i])));
	a = day("2026-01-01");
	b = day("2026-12-31");
	for (d = a; d <= b; d++)
		n += calendar_holiday(d) != NULL;
	assert_int_equal(n, 11);
	/* the Easter holidays of other years */
	assert_string_equal(calendar_holiday(day("2024-04-01")), "Lundi de Pâques");
	assert_string_equal(calendar_holiday(day("2024-05-09")), "Ascension");
	assert_string_equal(calendar_holiday(day("2024-05-20")),
	    "Lundi de Pentecôte");
	assert_string_equal(calendar_holiday(day("2027-03-29")), "Lundi de Pâques");
	assert_string_equal(calendar_holiday(day("2027-05-06")), "Ascension");
	assert_string_equal(calendar_holiday(day("2027-05-17")),
	    "Lundi de Pentecôte");
	assert_false(calendar_working(day("2026-05-14")));
	assert_false(calendar_working(day("2026-05-16")));   /* a Saturday */
	assert_true(calendar_working(day("2026-05-15")));
}

/* Counts working days one by one, the reference for the fast count. */
static int64_t
slow_count(int64_t a, int64_t b)
{
	int64_t n = 0;

	for (; a <= b; a++)
		n += calendar_working(a);
	return n;
}

/*
 * Working days: a month with 1 and 8 May, Ascension and Whit Monday; one
 * where Ascension fell on 1 May (counted once); a stretch starting
 * mid-month; a whole year; and every span of a few years against the
 * day-by-day count.
 */
static void
test_working_days(void **state)
{
	int64_t a, b;

	(void)state;
	/* May 2026: 21 weekdays less 1, 8, 14 and 25 May */
	assert_int_equal(calendar_working_days(day("2026-05-01"),
	    day("2026-05-31")), 17);
	/* May 2008: 22 weekdays less 1 May (and Ascension), 8 and 12 May */
	assert_int_equal(calendar_working_days(day("2008-05-01"),
	    day("2008-05-31")), 19);
	/* from Monday 11 May 2026: 15 weekdays less Ascension, Whit Monday */
	assert_int_equal(calendar_working_days(day("2026-05-11"),
	    day("2026-05-31")), 13);
	/* April 2026: 22 weekdays less Easter Monday */
	assert_int_equal(calendar_working_days(day("2026-04-01"),
	    day("2026-04-30")), 21);
	assert_int_equal(calendar_working_days(day("2026-01-01"),
	    day("2026-12-31")), 252);
	assert_int_equal(calendar_working_days(day("2026-05-14"),
	    day("2026-05-14")), 0);
	assert_int_equal(calendar_working_days(day("2026-05-15"),
	    day("2026-05-14")), 0);
	for (a = day("2023-12-20"); a < day("2024-01-15"); a += 3)
		for (b = a - 1; b < day("2028-02-10"); b += 37)
			assert_int_equal(calendar_working_days(a, b),
			    slow_count(a, b));
	assert_int_equal(calendar_working_days(day("1900-01-01"),
	    day("2199-12-31")), slow_count(day("1900-01-01"),
	    day("2199-12-31")));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_day_numbers),
		cmocka_unit_test(test_easter),
		cmocka_unit_test(test_holidays),
		cmocka_unit_test(test_working_days),
	};

	return cmocka_run_group_tests_name("calendar", tests, NULL, NULL);
}
