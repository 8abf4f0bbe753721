/*
 * A path's attendance of one month as the state holds it (R18): its
 * records of each day and of the month, looked up by their refs
 * (PATH@YYYY-MM-DD, PATH@YYYY-MM: schema/entities.def), so that reading a
 * month costs a lookup per day whatever the store holds.  A record counts
 * only if it is what its ref says: the path and the day or month it
 * names are its ref's.  One whose ref is not its own (a change-set written
 * without the local check, src/records.c) is not found, and not counted.
 */
#include <stdio.h>
#include <string.h>

#include "calendar.h"
#include "core.h"
#include "order.h"

/* Whether a string field of r is exactly want. */
static bool
field_is(const struct store *s, const struct record *r, unsigned field,
    const char *want)
{
	const struct value *v = state_field(s, r, field);

	return v != NULL && v->kind == VAL_STR && v->len == strlen(want) &&
	    memcmp(v->s, want, v->len) == 0;
}

/* The minutes a record gives: its hours and minutes. */
static int64_t
minutes_of(const struct store *s, const struct record *r)
{
	const struct value *h = state_field(s, r, F_attendance_hours);
	const struct value *m = state_field(s, r, F_attendance_minutes);

	return (h != NULL && h->kind == VAL_INT ? h->i * 60 : 0) +
	    (m != NULL && m->kind == VAL_INT ? m->i : 0);
}

/*
 * Looks up the attendance record PATH@when and tells whether it is alive,
 * names the path and holds when in field; *minutes is what it gives.
 */
static int
lookup(struct store_txn *txn, struct store *s, struct record *r,
    const char *path, const char *when, unsigned field, bool *found,
    int64_t *minutes)
{
	char ref[CONSORT_REF_MAX + 2];
	int k, rc;

	*found = false;
	k = snprintf(ref, sizeof(ref), "%s@%s", path, when);
	if (k <= 0 || (size_t)k > CONSORT_REF_MAX)
		return 0;  /* a path's ref too long for attendance: none */
	if ((rc = state_lookup(txn, s, s->founder, T_attendance, ref,
	    (size_t)k, r)) != 0)
		return rc;
	*found = record_alive(s, r) && field_is(s, r, F_attendance_path, path) &&
	    field_is(s, r, field, when);
	*minutes = *found ? minutes_of(s, r) : 0;
	return 0;
}

/* Reads the attendance of a path over the month of the days f to t. */
int
attendance_read(struct store_txn *txn, struct store *s, const char *path,
    int64_t f, int64_t t, struct attendance_month *out)
{
	char day[CALENDAR_DAY_BUF];
	struct record r;
	int64_t d, min;
	bool found;
	int rc = 0;

	memset(out, 0, sizeof(*out));
	record_init(&r);
	for (d = f; d <= t && rc == 0 && out->ndays < nitems(out->days); d++) {
		calendar_text(d, day);
		if ((rc = lookup(txn, s, &r, path, day, F_attendance_date, &found,
		    &min)) != 0 || !found)
			continue;
		out->days[out->ndays].day = d;
		out->days[out->ndays++].minutes = min;
	}
	if (rc == 0) {
		calendar_text(f, day);
		day[7] = '\0';
		rc = lookup(txn, s, &r, path, day, F_attendance_month,
		    &out->has_month, &out->month_minutes);
	}
	record_free(&r);
	return rc;
}
