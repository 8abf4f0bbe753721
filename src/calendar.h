/*
 * The calendar the monthly statement counts in (src/statement.c, R18):
 * day numbers, France's public holidays and the working days between two
 * days.  A day number counts the days from 1970-01-01 (day 0), proleptic
 * Gregorian.
 */
#ifndef CONSORT_CALENDAR_H
#define CONSORT_CALENDAR_H

#include <stdbool.h>
#include <stdint.h>

/* The text of a day, YYYY-MM-DD and its NUL. */
#define CALENDAR_DAY_BUF 11

/*
 * The day number of a civil date; the date is trusted (a real day).
 * @param m 1..12; d 1..31
 */
int64_t calendar_day(int y, unsigned m, unsigned d);

/* The civil date of a day number. */
void calendar_civil(int64_t day, int *y, unsigned *m, unsigned *d);

/* Writes a day number as YYYY-MM-DD (years 0 to 9999). */
void calendar_text(int64_t day, char out[CALENDAR_DAY_BUF]);

/* The day of the week of a day number: 0 Monday .. 6 Sunday. */
unsigned calendar_weekday(int64_t day);

/*
 * The day number of Easter Sunday of a Gregorian year (the anonymous
 * Gregorian algorithm, Meeus/Jones/Butcher).
 */
int64_t calendar_easter(int year);

/*
 * The French public holiday falling on a day, by its French name, or
 * NULL: the eight fixed ones (1 January, 1 May, 8 May, 14 July,
 * 15 August, 1 November, 11 November, 25 December) and the three that
 * follow Easter (Easter Monday, Ascension Thursday, Whit Monday).  Good
 * Friday and 26 December, public holidays in Alsace and Moselle only, are
 * not among them: the consortium works in the Pays de la Loire.
 */
const char *calendar_holiday(int64_t day);

/* Whether a day is a working day: Monday to Friday, no public holiday. */
bool calendar_working(int64_t day);

/*
 * The working days from a to b, both included (calendar_working); 0 when
 * a > b.
 */
int64_t calendar_working_days(int64_t a, int64_t b);

#endif
