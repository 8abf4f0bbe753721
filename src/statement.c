/*
 * The monthly statement of a lot (R18): every session running in the
 * month with its financed trainees, the hours each attended in the month
 * as its provider's register says (attendance records), or where there is
 * none the planned hours falling in the month spread over the session's
 * working days, and their cost at the rate in force on the days they fall
 * on (R14): a month the rate changes in is split at the change, each part
 * at its rate.  Time is counted in minutes (a register counts half-days of
 * 3 h 30), hours shown whole, rounded down.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar.h"
#include "core.h"
#include "order.h"

/*
 * The working days (Monday to Friday, no public holiday) of a session: in
 * all, up to the day before from, and up to to (bounded by the session's
 * end).  Returns E(INVAL) when a date does not parse.
 */
int
statement_days(const char *start, const char *end, const char *from,
    const char *to, int64_t *total, int64_t *through_prev,
    int64_t *through_end)
{
	int64_t s, e, f, t;

	if (!order_day_number(start, &s) || !order_day_number(end, &e) ||
	    !order_day_number(from, &f) || !order_day_number(to, &t))
		return E(INVAL);
	*total = calendar_working_days(s, e);
	*through_prev = calendar_working_days(s, (e < f - 1 ? e : f - 1));
	*through_end = calendar_working_days(s, e < t ? e : t);
	return 0;
}

/* A part of the month with one rate (R14): its days and what it costs. */
struct part {
	int64_t a, b;                /* its first and last days */
	char from[11], to[11];
	const struct rm_rate *rate;  /* NULL: none in force */
	int64_t minutes, cost;       /* over every path of the statement */
};

#define PARTS_MAX 64

/* The month's parts, split where a rate of the lot starts. */
struct parts {
	struct part v[PARTS_MAX];
	size_t n;
};

/*
 * Splits the month [f, t] where a rate of the lot starts (its since), each
 * part with the rate in force on its first day.  The rates come sorted by
 * day and a part starts on a day of the month after the previous one, so
 * there are at most 31 parts: the array never fills.
 */
static void
month_parts(const struct rules_model *m, long lot, int64_t f, int64_t t,
    struct parts *ps)
{
	const struct rm_lot *l = lot >= 0 ? &m->lots[lot] : NULL;
	struct part *cur;
	int64_t s;
	size_t i;

	ps->n = 1;
	cur = &ps->v[0];
	memset(cur, 0, sizeof(*cur));
	cur->a = f;
	cur->b = t;
	for (i = 0; l != NULL && i < l->nrates; i++) {
		if (!order_day_number(m->rates[l->rfirst + i].since, &s) ||
		    s <= cur->a || s > t || ps->n == nitems(ps->v))
			continue;
		cur->b = s - 1;
		cur = &ps->v[ps->n++];
		memset(cur, 0, sizeof(*cur));
		cur->a = s;
		cur->b = t;
	}
	for (i = 0; i < ps->n; i++) {
		cur = &ps->v[i];
		calendar_text(cur->a, cur->from);
		calendar_text(cur->b, cur->to);
		cur->rate = rules_rate_on(m, lot, cur->from);
	}
}

/*
 * A path's own days and its planned hours spread over the working days
 * from its start (its own, a complementary path's, or its session's) to
 * its session's end.
 */
struct spread {
	int64_t start, end;  /* the spread's first and last days */
	int64_t stop;        /* the last of its own days */
	int64_t total;       /* working days from start to end */
	int64_t hours;       /* its planned hours */
	bool exited;         /* stop is its trainee's exit */
};

/*
 * floor(hours x working days from the start to d / working days in all),
 * d bounded by the path's last day.
 */
static int64_t
through(const struct spread *sp, int64_t d)
{
	if (d > sp->stop)
		d = sp->stop;
	if (sp->total <= 0 || d < sp->start)
		return 0;
	return sp->hours * calendar_working_days(sp->start, d < sp->end ? d :
	    sp->end) / sp->total;
}

/* The planned hours of the days a to b: through(b) less through(a - 1). */
static int64_t
planned_between(const struct spread *sp, int64_t a, int64_t b)
{
	return a > b ? 0 : through(sp, b) - through(sp, a - 1);
}

/* The statement being built: the month, its parts, the sums so far. */
struct stmt {
	struct store_txn *txn;
	struct store *s;
	const struct rules_model *m;
	struct jb *b;
	struct consort_diag *d;
	struct parts *ps;        /* the month's parts */
	struct parts *one;       /* scratch: an earlier month in one part */
	int64_t f, t;            /* the month's first and last days */
	json_t *warnings;
	struct order_sums tot;
	int64_t minutes, attended, planned;
	unsigned by_source[3];
};

/* Where a path's time of a month comes from. */
enum source { SRC_PLANNED, SRC_ATTENDED, SRC_MIXED };

static const char *const source_names[] = { "planned", "attended", "mixed" };

/* What a path counts in a month, part by part, in minutes. */
struct count {
	int64_t att[PARTS_MAX];  /* attended */
	int64_t plan[PARTS_MAX]; /* planned, where no attendance is recorded */
	bool covered;            /* some attendance is counted */
	int64_t planned_from;    /* first day of planned time after attendance,
	                            or -1 */
	int64_t cut;             /* minutes beyond its planned hours */
};

/* The path a warning is about, and where warnings go (NULL: nowhere). */
struct about {
	const struct rm_path *pt;
	const struct rm_session *x;
	json_t *warnings;
};

/*
 * Adds a warning about a path's attendance: its kind, the day (or month)
 * and minutes concerned, whether they are counted, and what it means.
 */
static void
warn(struct stmt *st, const struct about *ab, const char *kind,
    const char *when, int64_t minutes, bool counted, const char *what)
{
	json_t *o;

	if (ab->warnings == NULL)
		return;
	o = json_object();
	jb_put_str(st->b, o, "kind", kind);
	jb_put_str(st->b, o, "path", ab->pt->ref);
	jb_put_str(st->b, o, "session", ab->x->ref);
	jb_put_str(st->b, o, strlen(when) == 7 ? "month" : "date", when);
	jb_put_int(st->b, o, "minutes", minutes);
	jb_put_bool(st->b, o, "counted", counted);
	jb_put_str(st->b, o, "what", what);
	jb_push(st->b, ab->warnings, o);
}

/* The part of ps holding day d (the last one when none does). */
static size_t
part_of(const struct parts *ps, int64_t d)
{
	size_t i;

	for (i = 0; i + 1 < ps->n; i++)
		if (d <= ps->v[i].b)
			return i;
	return ps->n - 1;
}

/* Adds the planned hours of the days a to b to each part they cross. */
static void
add_planned(const struct spread *sp, const struct parts *ps, int64_t a,
    int64_t b, struct count *c)
{
	int64_t x, y;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		x = a > ps->v[i].a ? a : ps->v[i].a;
		y = b < ps->v[i].b ? b : ps->v[i].b;
		c->plan[i] += 60 * planned_between(sp, x, y);
	}
}

/*
 * Spreads a month record's minutes over the parts in proportion to the
 * path's working days in each (rounded down through each part's end, so
 * that the parts add up to the record); all in the part of its first day
 * when it has no working day in the month.
 */
static void
add_month_record(const struct parts *ps, int64_t a, int64_t b,
    int64_t minutes, struct count *c)
{
	int64_t w[PARTS_MAX], total = 0, cum = 0, x, y, prev = 0, now;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		x = a > ps->v[i].a ? a : ps->v[i].a;
		y = b < ps->v[i].b ? b : ps->v[i].b;
		w[i] = x <= y ? calendar_working_days(x, y) : 0;
		total += w[i];
	}
	if (total == 0) {
		c->att[part_of(ps, a)] += minutes;
		return;
	}
	for (i = 0; i < ps->n; i++) {
		cum += w[i];
		now = minutes * cum / total;
		c->att[i] += now - prev;
		prev = now;
	}
}

/* Names why a day is no working day: its holiday, or its weekday. */
static const char *
day_off(int64_t day)
{
	const char *h = calendar_holiday(day);

	if (h != NULL)
		return h;
	return calendar_weekday(day) == 5 ? "a Saturday" : "a Sunday";
}

/*
 * Says that attendance of a path on day d, outside its days, is not
 * counted; a day after its trainee's exit says so without the exit's
 * date, which is personal.
 */
static void
outside_what(char *what, size_t len, const struct rm_path *pt,
    const struct spread *sp, int64_t d)
{
	char day[CALENDAR_DAY_BUF], first[CALENDAR_DAY_BUF];
	char last[CALENDAR_DAY_BUF];

	calendar_text(d, day);
	calendar_text(sp->start, first);
	calendar_text(sp->stop, last);
	if (sp->exited && d > sp->stop)
		snprintf(what, len, "attendance of path %s on %s is after its "
		    "trainee's exit: not counted; correct the day in the "
		    "register, or the exit", pt->ref, day);
	else if (sp->exited)
		snprintf(what, len, "attendance of path %s on %s is before its "
		    "days begin (%s): not counted; correct the day in the "
		    "register, or the path's start", pt->ref, day, first);
	else
		snprintf(what, len, "attendance of path %s on %s is outside its "
		    "days (%s to %s): not counted; correct the day in the "
		    "register, or the path's days", pt->ref, day, first, last);
}

/*
 * Counts a path's day records of the month: those on its own days
 * (a to b), a warning for those outside (not counted) and for those on a
 * day that is no working day (counted); the days after the last record
 * counted fall back to planned hours.
 */
static void
count_days(struct stmt *st, const struct about *ab, const struct spread *sp,
    const struct parts *ps, const struct attendance_month *am, int64_t a,
    int64_t b, struct count *c)
{
	char day[CALENDAR_DAY_BUF], what[512];
	int64_t end = -1, d;
	size_t i;

	for (i = 0; i < am->ndays; i++) {
		d = am->days[i].day;
		calendar_text(d, day);
		if (d < a || d > b) {
			outside_what(what, sizeof(what), ab->pt, sp, d);
			warn(st, ab, "outside", day, am->days[i].minutes, false,
			    what);
			continue;
		}
		if (!calendar_working(d)) {
			snprintf(what, sizeof(what), "attendance of path %s on %s, "
			    "%s, is counted: check the day in the register",
			    ab->pt->ref, day, day_off(d));
			warn(st, ab, "non_working", day, am->days[i].minutes, true,
			    what);
		}
		c->att[part_of(ps, d)] += am->days[i].minutes;
		c->covered = true;
		end = d;
	}
	if (end + 1 > a)
		a = end + 1;
	while (a < b && !calendar_working(a))
		a++;  /* planned time starts on a working day */
	if (planned_between(sp, a, b) > 0) {
		add_planned(sp, ps, a, b, c);
		c->planned_from = a;
	}
}

/*
 * Counts what a path gives in one month (its days f to t, in parts ps):
 * its day records when it has some (a month record beside them is left
 * out, with a warning), else its month record, else its planned hours.
 */
static int
count_month(struct stmt *st, const struct about *ab, const struct spread *sp,
    const struct parts *ps, int64_t f, int64_t t, struct count *c)
{
	struct attendance_month am;
	int64_t a = f > sp->start ? f : sp->start;
	int64_t b = t < sp->stop ? t : sp->stop;
	char mon[CALENDAR_DAY_BUF], what[512];
	int rc;

	memset(c, 0, sizeof(*c));
	c->planned_from = -1;
	if ((rc = attendance_read(st->txn, st->s, ab->pt->ref, f, t, &am)) != 0)
		return rc;
	calendar_text(f, mon);
	mon[7] = '\0';
	if (am.ndays > 0) {
		count_days(st, ab, sp, ps, &am, a, b, c);
		if (am.has_month) {
			snprintf(what, sizeof(what), "path %s has records of days "
			    "in %s: they count, its record of the month is left "
			    "out", ab->pt->ref, mon);
			warn(st, ab, "month_and_days", mon, am.month_minutes, false,
			    what);
		}
	} else if (am.has_month && a <= b) {
		add_month_record(ps, a, b, am.month_minutes, c);
		c->covered = true;
	} else if (am.has_month) {
		snprintf(what, sizeof(what), "attendance of path %s in %s is "
		    "outside its days: not counted", ab->pt->ref, mon);
		warn(st, ab, "outside", mon, am.month_minutes, false, what);
	} else
		add_planned(sp, ps, a, b, c);
	if (c->planned_from >= 0 && !c->covered)
		c->planned_from = -1;
	return 0;
}

/* The minutes a count gives, over every part. */
static int64_t
count_total(const struct count *c, size_t n)
{
	int64_t sum = 0;
	size_t i;

	for (i = 0; i < n; i++)
		sum += c->att[i] + c->plan[i];
	return sum;
}

/*
 * Leaves out what passes the minutes still allowed, from the month's last
 * part back, planned time first.
 */
static void
cap(struct count *c, size_t n, int64_t allowed)
{
	int64_t over = count_total(c, n) - (allowed > 0 ? allowed : 0), k;
	size_t i;

	if (over <= 0)
		return;
	c->cut = over;
	for (i = n; i-- > 0 && over > 0;) {
		k = c->plan[i] < over ? c->plan[i] : over;
		c->plan[i] -= k;
		over -= k;
		k = c->att[i] < over ? c->att[i] : over;
		c->att[i] -= k;
		over -= k;
	}
}

/*
 * The minutes a path counted in the months before the statement's, each
 * as its own statement counted them (attendance, or planned hours where
 * none is recorded, capped at the path's planned hours): what is left of
 * them bounds the statement's month.
 */
static int
counted_before(struct stmt *st, const struct about *ab,
    const struct spread *sp, int64_t *before)
{
	struct about quiet = { ab->pt, ab->x, NULL };
	struct count c;
	int64_t f, t, allowed;
	unsigned m, d;
	int y, rc;

	*before = 0;
	calendar_civil(sp->start, &y, &m, &d);
	for (f = calendar_day(y, m, 1); f < st->f; f = t + 1) {
		calendar_civil(f, &y, &m, &d);
		t = (m == 12 ? calendar_day(y + 1, 1, 1) : calendar_day(y, m + 1,
		    1)) - 1;
		st->one->n = 1;
		st->one->v[0].a = f;
		st->one->v[0].b = t;
		if ((rc = count_month(st, &quiet, sp, st->one, f, t, &c)) != 0)
			return rc;
		allowed = sp->hours * 60 - *before;
		cap(&c, 1, allowed);
		*before += count_total(&c, 1);
	}
	return 0;
}

/* The source of a count: attended, planned, or both. */
static enum source
source_of(const struct count *c, size_t n)
{
	int64_t plan = 0;
	size_t i;

	for (i = 0; i < n; i++)
		plan += c->plan[i];
	if (!c->covered)
		return SRC_PLANNED;
	return plan > 0 ? SRC_MIXED : SRC_ATTENDED;
}

/* Refuses a statement with hours on days no rate is in force on (R14). */
static int
no_rate(const struct rm_session *x, const struct rm_path *pt,
    const struct part *c, struct consort_diag *d)
{
	char what[512], hint[512];

	snprintf(what, sizeof(what), _("lot %.128s has no hourly rate in "
	    "force on %s, and path %.128s of session %.128s has hours from that "
	    "day"), x->lot, c->from, pt->ref, x->ref);
	snprintf(hint, sizeof(hint), _("the lead records the rate of that day: "
	    "consort add rate --ref %.128s@DAY lot=%.128s since=DAY "
	    "rate_cents=N, DAY on or before %s"), x->lot, x->lot, c->from);
	return consort_diag_set(d, E(NOENT), "R14", what, hint);
}

/* The cost of minutes at an hourly rate, to the nearest cent. */
static int64_t
cost_of(int64_t minutes, int64_t cents)
{
	return (minutes * cents + 30) / 60;
}

/* What one path adds to its session. */
struct path_sums {
	int64_t minutes, attended, planned, cost;
};

/*
 * Prices one path's time of the month part by part; a part holding time
 * and no rate is refused (R14), naming its first day.
 */
static int
price_parts(struct stmt *st, const struct about *ab, const struct count *c,
    json_t *o, struct path_sums *ps)
{
	json_t *a = json_array(), *q;
	struct part *p;
	int64_t min, cost;
	size_t i;

	memset(ps, 0, sizeof(*ps));
	for (i = 0; i < st->ps->n; i++) {
		p = &st->ps->v[i];
		if ((min = c->att[i] + c->plan[i]) == 0)
			continue;
		if (p->rate == NULL) {
			json_decref(a);
			return no_rate(ab->x, ab->pt, p, st->d);
		}
		cost = cost_of(min, p->rate->cents);
		q = json_object();
		jb_put_str(st->b, q, "from", p->from);
		jb_put_str(st->b, q, "to", p->to);
		jb_put_int(st->b, q, "rate_cents", p->rate->cents);
		jb_put_int(st->b, q, "hours", min / 60);
		jb_put_int(st->b, q, "minutes", min);
		jb_put_int(st->b, q, "attended_minutes", c->att[i]);
		jb_put_int(st->b, q, "cost_cents", cost);
		jb_push(st->b, a, q);
		p->minutes += min;
		p->cost += cost;
		ps->minutes += min;
		ps->attended += c->att[i];
		ps->planned += c->plan[i];
		ps->cost += cost;
	}
	jb_put(st->b, o, "parts", a);
	return 0;
}

/* Warns that a path's time of the month passes its planned hours. */
static void
warn_cut(struct stmt *st, const struct about *ab, const struct count *c)
{
	char mon[CALENDAR_DAY_BUF], what[512];

	calendar_text(st->f, mon);
	mon[7] = '\0';
	snprintf(what, sizeof(what), "path %s counts more than its %lld "
	    "planned hours by the end of %s: %lld min left out", ab->pt->ref,
	    (long long)ab->pt->hours, mon, (long long)c->cut);
	warn(st, ab, "beyond_planned", mon, c->cut, false, what);
}

/*
 * The trainee's exit that ends a path, as the hires report counts it
 * (src/report.c): on or after the path's day, and no other path of the
 * trainee in the model ordered after it and on or before the exit (a
 * trainee who completed one path and began another left the first).
 * Returns its trainee with *day the exit's, or NULL.
 */
static const struct rm_trainee *
exit_of(const struct rules_model *m, const struct rm_path *pt, int64_t start,
    int64_t *day)
{
	const struct rm_trainee *tr;
	int64_t other;
	size_t i;

	if (pt->tidx < 0)
		return NULL;
	tr = &m->trainees[pt->tidx];
	if (!order_day_number(tr->exit_date, day) || *day < start)
		return NULL;
	for (i = 0; i < m->npaths; i++)
		if (m->paths[i].tidx == pt->tidx && &m->paths[i] != pt &&
		    order_day_number(m->paths[i].day, &other) && other > start &&
		    other <= *day)
			return NULL;
	return tr;
}

/*
 * Fills a path's own days and spread: from its day (its own start, or
 * its session's) to its session's end, or to its trainee's exit when it
 * comes before.  A path completed early has its planned hours spread up
 * to the exit; one dropped out keeps its spread over the session, and
 * counts only the days up to the exit.  False when a day does not parse.
 */
static bool
spread_of(const struct rules_model *m, const struct rm_session *x,
    const struct rm_path *pt, struct spread *sp)
{
	const struct rm_trainee *tr;
	int64_t day;

	memset(sp, 0, sizeof(*sp));
	sp->hours = pt->hours;
	if (!order_day_number(pt->day, &sp->start) ||
	    !order_day_number(x->end, &sp->end))
		return false;
	sp->stop = sp->end;
	if ((tr = exit_of(m, pt, sp->start, &day)) != NULL && day < sp->end) {
		sp->stop = day;
		sp->exited = true;
		if (strcmp(tr->exit, "completed") == 0)
			sp->end = day;
	}
	sp->total = calendar_working_days(sp->start, sp->end);
	return true;
}

/* Warns that a path's trainee left on a day this node may not read. */
static void
warn_exit_sealed(struct stmt *st, const struct about *ab)
{
	char mon[CALENDAR_DAY_BUF], what[512];

	calendar_text(st->f, mon);
	mon[7] = '\0';
	snprintf(what, sizeof(what), "path %s: its trainee's exit is recorded "
	    "but not readable on this node: its days are counted to its "
	    "session's end; the lead's statement reads it", ab->pt->ref);
	warn(st, ab, "exit_unread", mon, 0, true, what);
}

/*
 * One path of the statement: where its time comes from (attended,
 * planned, mixed), its time and cost part by part, and its sums.
 */
static int
statement_path(struct stmt *st, const struct rm_session *x,
    const struct rm_path *pt, json_t *p, struct path_sums *sums)
{
	struct about ab = { pt, x, st->warnings };
	struct spread sp;
	struct count c;
	char day[CALENDAR_DAY_BUF];
	int64_t before = 0;
	enum source src;
	int rc;

	memset(&c, 0, sizeof(c));
	c.planned_from = -1;
	if (pt->tidx >= 0 && st->m->trainees[pt->tidx].exit_sealed)
		warn_exit_sealed(st, &ab);
	if (spread_of(st->m, x, pt, &sp) &&
	    ((rc = counted_before(st, &ab, &sp, &before)) != 0 ||
	    (rc = count_month(st, &ab, &sp, st->ps, st->f, st->t, &c)) != 0))
		return rc;
	cap(&c, st->ps->n, sp.hours * 60 - before);
	if (c.cut > 0)
		warn_cut(st, &ab, &c);
	src = source_of(&c, st->ps->n);
	jb_put_str(st->b, p, "source", source_names[src]);
	if (c.planned_from >= 0) {
		calendar_text(c.planned_from, day);
		jb_put_str(st->b, p, "planned_from", day);
	}
	if ((rc = price_parts(st, &ab, &c, p, sums)) != 0)
		return rc;
	jb_put_int(st->b, p, "hours_in_month", sums->minutes / 60);
	jb_put_int(st->b, p, "minutes_in_month", sums->minutes);
	jb_put_int(st->b, p, "attended_minutes", sums->attended);
	jb_put_int(st->b, p, "planned_minutes", sums->planned);
	if (c.cut > 0)
		jb_put_int(st->b, p, "cut_minutes", c.cut);
	jb_put_int(st->b, p, "cost_cents", sums->cost);
	st->by_source[src]++;
	return 0;
}

/* One session of the statement. */
static json_t *
statement_session(struct stmt *st, const struct rm_session *x,
    const char *from, const char *to)
{
	const struct rules_model *m = st->m;
	const struct rm_member *pm = rules_member(m, x->provider);
	int64_t total = 0, prev = 0, thru = 0;
	struct path_sums ps, ss = { 0, 0, 0, 0 };
	json_t *o = json_object(), *a = json_array(), *p;
	struct jb *b = st->b;
	unsigned fin = 0;
	size_t i;
	int rc;

	if (statement_days(x->start, x->end, from, to, &total, &prev,
	    &thru) != 0)
		total = prev = thru = 0;
	jb_put_str(b, o, "ref", x->ref);
	jb_put_str(b, o, "title", x->title);
	jb_put_str(b, o, "scheme", x->scheme);
	jb_put(b, o, "provider", order_member_json(b, pm, x->provider, false));
	jb_put_str(b, o, "start", x->start);
	jb_put_str(b, o, "end", x->end);
	jb_put_int(b, o, "working_days", total);
	jb_put_int(b, o, "working_days_in_month", thru - prev);
	for (i = x->first; i < x->first + x->npaths; i++) {
		const struct rm_path *pt = &m->paths[i];

		if (!pt->financed || strcmp(pt->day, to) > 0)
			continue;  /* a path joining after the month: not yet */
		p = json_object();
		jb_put_str(b, p, "path", pt->ref);
		jb_put_str(b, p, "trainee", pt->trainee);
		jb_put_opt(b, p, "start", pt->start);
		jb_put_int(b, p, "hours", pt->hours);
		if ((rc = statement_path(st, x, pt, p, &ps)) != 0) {
			b->err = rc;
			json_decref(p);
			break;
		}
		jb_push(b, a, p);
		fin++;
		ss.minutes += ps.minutes;
		ss.attended += ps.attended;
		ss.planned += ps.planned;
		ss.cost += ps.cost;
	}
	jb_put(b, o, "paths", a);
	jb_put_int(b, o, "financed", fin);
	jb_put_int(b, o, "hours", ss.minutes / 60);
	jb_put_int(b, o, "minutes", ss.minutes);
	jb_put_int(b, o, "attended_minutes", ss.attended);
	jb_put_int(b, o, "planned_minutes", ss.planned);
	jb_put_int(b, o, "cost_cents", ss.cost);
	st->tot.sessions++;
	st->tot.financed += fin;
	st->tot.cost += ss.cost;
	st->minutes += ss.minutes;
	st->attended += ss.attended;
	st->planned += ss.planned;
	return o;
}

/* The month's rates (R14): each part's days, rate, time and cost. */
static json_t *
rates_json(struct jb *b, const struct parts *ps)
{
	const struct part *c;
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < ps->n; i++) {
		c = &ps->v[i];
		if (c->rate == NULL)
			continue;
		o = json_object();
		jb_put_str(b, o, "from", c->from);
		jb_put_str(b, o, "to", c->to);
		jb_put_opt(b, o, "since", c->rate->since);
		jb_put_int(b, o, "rate_cents", c->rate->cents);
		jb_put_int(b, o, "hours", c->minutes / 60);
		jb_put_int(b, o, "minutes", c->minutes);
		jb_put_int(b, o, "cost_cents", c->cost);
		jb_push(b, a, o);
	}
	return a;
}

/* The statement's totals, and how many paths each source counted. */
static json_t *
totals_json(struct stmt *st)
{
	json_t *x = json_object(), *by = json_object();
	size_t i;

	jb_put_int(st->b, x, "sessions", st->tot.sessions);
	jb_put_int(st->b, x, "financed", st->tot.financed);
	jb_put_int(st->b, x, "hours", st->minutes / 60);
	jb_put_int(st->b, x, "minutes", st->minutes);
	jb_put_int(st->b, x, "attended_minutes", st->attended);
	jb_put_int(st->b, x, "planned_minutes", st->planned);
	jb_put_int(st->b, x, "cost_cents", st->tot.cost);
	for (i = 0; i < nitems(source_names); i++)
		jb_put_int(st->b, by, source_names[i], st->by_source[i]);
	jb_put(st->b, x, "paths_by_source", by);
	return x;
}

/*
 * Builds the monthly statement of a lot (R18): every session of the lot
 * running in the month, with each financed path's time in the month.  A
 * path counts its attendance where its provider recorded some for the
 * month (records of days, else one of the month), its planned hours
 * where none is recorded: through a day, floor(hours x working days so
 * far / working days in all), working days being Monday to Friday less
 * France's public holidays (calendar.c), so that the months of a session
 * add up to its hours exactly; after the last day recorded in the month,
 * planned hours again (source "mixed").  A path's days end at its
 * trainee's exit when it comes first.  A path counts, over its months,
 * at most its planned hours.  The time between two days a and b is
 * through(b) less through(a - 1): a month the lot's rate changes in is
 * split at the change, each part at the rate in force on its days (R14),
 * attendance at the rate of its day.
 */
int
statement_build(struct store_txn *txn, struct store *s, const char *lot,
    const char *month, json_t **out, struct consort_diag *d)
{
	struct rules_query q = { 0 };
	struct rules_model *m;
	struct jb b = { 0 };
	struct stmt st;
	const struct rm_rate *last;
	char from[11], to[11];
	json_t *o, *x, *a;
	size_t *ix, i;
	int rc;

	*out = NULL;
	if (!order_period_valid(month))
		return consort_diag_set(d, E(INVAL), month, _("not a month"),
		    _("give the month as YYYY-MM"));
	order_month_bounds(month, from, to);
	q.lot = lot;
	q.from = from;
	q.to = to;
	q.window = WINDOW_ACTIVE;
	if ((rc = rules_load(txn, s, &q, &m, d)) != 0)
		return rc;
	memset(&st, 0, sizeof(st));
	st.txn = txn;
	st.s = s;
	st.m = m;
	st.b = &b;
	st.d = d;
	ix = order_sessions_by_start(m);
	st.ps = calloc(1, sizeof(*st.ps));
	st.one = calloc(1, sizeof(*st.one));
	if (ix == NULL || st.ps == NULL || st.one == NULL ||
	    !order_day_number(from, &st.f) || !order_day_number(to, &st.t)) {
		free(ix);
		free(st.ps);
		free(st.one);
		rules_free(m);
		return E(NOMEM);
	}
	month_parts(m, 0, st.f, st.t, st.ps);
	last = rules_rate_on(m, 0, to);
	o = json_object();
	jb_put_str(&b, o, "format", "consort-statement/2");
	x = json_object();
	jb_put_str(&b, x, "ref", m->lots[0].ref);
	jb_put_str(&b, x, "sector", m->lots[0].sector);
	jb_put_str(&b, x, "territory", m->lots[0].territory);
	jb_put_int(&b, x, "rate_cents", last ? last->cents :
	    m->lots[0].rate_cents);
	jb_put(&b, o, "lot", x);
	jb_put_str(&b, o, "month", month);
	jb_put_str(&b, o, "rule", "attended hours where the provider recorded "
	    "attendance in the month (its days' records, else the month's), "
	    "planned hours where not: spread over the session's working days "
	    "(Monday to Friday, no public holiday), floor(hours x days through "
	    "the month's end / days in all) less the same through the day "
	    "before the month; at most the path's planned hours; split where "
	    "the rate changes, each part at its rate");
	st.warnings = json_array();
	a = json_array();
	for (i = 0; i < m->nsessions && b.err == 0; i++)
		jb_push(&b, a, statement_session(&st, &m->sessions[ix[i]], from,
		    to));
	jb_put(&b, o, "sessions", a);
	jb_put(&b, o, "rates", rates_json(&b, st.ps));
	jb_put(&b, o, "totals", totals_json(&st));
	jb_put(&b, o, "warnings", st.warnings);
	x = json_object();
	jb_put(&b, x, "heads", order_heads_json(&b, txn, s));
	jb_put(&b, o, "state", x);
	free(ix);
	free(st.ps);
	free(st.one);
	rules_free(m);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
