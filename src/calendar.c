/*
 * Day numbers, France's public holidays and working days (calendar.h):
 * what the monthly statement spreads a path's hours over (R18).
 */
#include <stdio.h>

#include "calendar.h"

/* A public holiday on the same day every year. */
static const struct {
	unsigned m, d;
	const char *name;
} fixed[] = {
	{ 1, 1, "Jour de l'an" },
	{ 5, 1, "Fête du Travail" },
	{ 5, 8, "Victoire 1945" },
	{ 7, 14, "Fête nationale" },
	{ 8, 15, "Assomption" },
	{ 11, 1, "Toussaint" },
	{ 11, 11, "Armistice 1918" },
	{ 12, 25, "Noël" },
};

/* A public holiday a number of days after Easter Sunday. */
static const struct {
	int after;
	const char *name;
} movable[] = {
	{ 1, "Lundi de Pâques" },
	{ 39, "Ascension" },
	{ 50, "Lundi de Pentecôte" },
};

#define nitems(a) (sizeof(a) / sizeof((a)[0]))

/* Days from 1970-01-01 to a civil date (H. Hinnant's days_from_civil). */
int64_t
calendar_day(int y, unsigned m, unsigned d)
{
	int64_t era;
	unsigned yoe, doy, doe;

	y -= m <= 2;
	era = (y >= 0 ? y : y - 399) / 400;
	yoe = (unsigned)(y - era * 400);
	doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (int64_t)doe - 719468;
}

/* The civil date of a day number (H. Hinnant's civil_from_days). */
void
calendar_civil(int64_t z, int *y, unsigned *m, unsigned *d)
{
	int64_t era;
	unsigned doe, yoe, doy, mp;

	z += 719468;
	era = (z >= 0 ? z : z - 146096) / 146097;
	doe = (unsigned)(z - era * 146097);
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	*d = doy - (153 * mp + 2) / 5 + 1;
	*m = mp < 10 ? mp + 3 : mp - 9;
	*y = (int)((int64_t)yoe + era * 400 + (*m <= 2));
}

/* Writes a day number as YYYY-MM-DD. */
void
calendar_text(int64_t day, char out[CALENDAR_DAY_BUF])
{
	unsigned m, d;
	int y;

	calendar_civil(day, &y, &m, &d);
	snprintf(out, CALENDAR_DAY_BUF, "%04u-%02u-%02u", (unsigned)y % 10000u,
	    m % 100u, d % 100u);
}

/* The day of the week, 0 Monday: 1970-01-01 was a Thursday. */
unsigned
calendar_weekday(int64_t day)
{
	return (unsigned)(((day % 7) + 7 + 3) % 7);
}

/* Easter Sunday of a Gregorian year (anonymous Gregorian algorithm). */
int64_t
calendar_easter(int year)
{
	int a = year % 19, b = year / 100, c = year % 100;
	int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
	int h = (19 * a + b - d - g + 15) % 30, i = c / 4, k = c % 4;
	int l = (32 + 2 * e + 2 * i - h - k) % 7;
	int m = (a + 11 * h + 22 * l) / 451;
	int n = h + l - 7 * m + 114;

	return calendar_day(year, (unsigned)(n / 31), (unsigned)(n % 31 + 1));
}

/* The name of the fixed holiday on a civil date, or NULL. */
static const char *
fixed_on(unsigned m, unsigned d)
{
	size_t i;

	for (i = 0; i < nitems(fixed); i++)
		if (fixed[i].m == m && fixed[i].d == d)
			return fixed[i].name;
	return NULL;
}

/* The French public holiday on a day, or NULL. */
const char *
calendar_holiday(int64_t day)
{
	int64_t easter;
	unsigned m, d;
	const char *name;
	size_t i;
	int y;

	calendar_civil(day, &y, &m, &d);
	if ((name = fixed_on(m, d)) != NULL)
		return name;
	easter = calendar_easter(y);
	for (i = 0; i < nitems(movable); i++)
		if (day == easter + movable[i].after)
			return movable[i].name;
	return NULL;
}

/* Whether a day is Monday to Friday and no public holiday. */
bool
calendar_working(int64_t day)
{
	return calendar_weekday(day) < 5 && calendar_holiday(day) == NULL;
}

/* Mondays to Fridays from a to b, both included (0 if a > b). */
static int64_t
weekdays(int64_t a, int64_t b)
{
	int64_t n, w;

	if (a > b)
		return 0;
	n = (b - a + 1) / 7 * 5;
	for (w = a + (b - a + 1) / 7 * 7; w <= b; w++)
		n += calendar_weekday(w) < 5;
	return n;
}

/* Whether a day lies in [a, b] and falls on Monday to Friday. */
static bool
weekday_within(int64_t day, int64_t a, int64_t b)
{
	return day >= a && day <= b && calendar_weekday(day) < 5;
}

/*
 * The working days from a to b: the weekdays, less the public holidays
 * falling on one of them (an Easter holiday on a fixed one's day counted
 * once: Ascension fell on 1 May in 2008).
 */
int64_t
calendar_working_days(int64_t a, int64_t b)
{
	int64_t n = weekdays(a, b), easter, h;
	unsigned m, d;
	int y, ya, yb, yh;
	size_t i;

	if (a > b)
		return 0;
	calendar_civil(a, &ya, &m, &d);
	calendar_civil(b, &yb, &m, &d);
	for (y = ya; y <= yb; y++) {
		for (i = 0; i < nitems(fixed); i++)
			n -= weekday_within(calendar_day(y, fixed[i].m,
			    fixed[i].d), a, b);
		easter = calendar_easter(y);
		for (i = 0; i < nitems(movable); i++) {
			h = easter + movable[i].after;
			calendar_civil(h, &yh, &m, &d);
			if (fixed_on(m, d) == NULL)
				n -= weekday_within(h, a, b);
		}
	}
	return n;
}
