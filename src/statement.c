/*
 * The monthly statement of a lot (R18): every session running in the
 * month with its financed trainees, the hours falling in the month spread
 * over the session's working days, and their cost at the rate in force on
 * the days they fall on (R14): a month the rate changes in is split at the
 * change, each part at its rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "calendar.h"
#include "core.h"
#include "order.h"

/*
 * The working days (Monday to Friday, no public holiday) of a session: in all, up to the day
 * before from, and up to to (bounded by the session's end).  Returns
 * E(INVAL) when a date does not parse.
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
	int64_t hours, cost;         /* over every path of the statement */
};

/* The month's parts, split where a rate of the lot starts. */
struct parts {
	struct part v[64];
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
 * A path's hours spread over the working days from its start (its own, a
 * complementary path's, or its session's) to its session's end.
 */
struct spread {
	int64_t start, end, total, hours;
};

/* floor(hours x working days from the start to d / working days in all). */
static int64_t
through(const struct spread *sp, int64_t d)
{
	if (sp->total <= 0)
		return 0;
	return sp->hours * calendar_working_days(sp->start, d < sp->end ? d :
	    sp->end) / sp->total;
}

/* Refuses a statement with hours on days no rate is in force on (R14). */
static int
no_rate(const struct rm_session *x, const struct rm_path *pt,
    const struct part *c, struct consort_diag *d)
{
	char what[512], hint[512];

	snprintf(what, sizeof(what), "lot %.128s has no hourly rate in "
	    "force on %s, and path %.128s of session %.128s has hours from that "
	    "day", x->lot, c->from, pt->ref, x->ref);
	snprintf(hint, sizeof(hint), "the lead records the rate of that day: "
	    "consort add rate --ref %.128s@DAY lot=%.128s since=DAY "
	    "rate_cents=N, DAY on or before %s", x->lot, x->lot, c->from);
	return consort_diag_set(d, E(NOENT), "R14", what, hint);
}

/*
 * Prices one path's hours of the month part by part; a part holding hours
 * and no rate is refused (R14), naming its first day.
 */
static int
path_parts(struct jb *b, const struct rules_model *m,
    const struct rm_session *x, const struct rm_path *pt, struct parts *ps,
    json_t *o, int64_t *hours, int64_t *cost, struct consort_diag *d)
{
	struct spread sp = { 0, 0, 0, pt->hours };
	json_t *a = json_array(), *q;
	struct part *c;
	int64_t h;
	size_t i;

	*hours = *cost = 0;
	if (order_day_number(pt->day, &sp.start) &&
	    order_day_number(x->end, &sp.end))
		sp.total = calendar_working_days(sp.start, sp.end);
	for (i = 0; i < ps->n; i++) {
		c = &ps->v[i];
		if ((h = through(&sp, c->b) - through(&sp, c->a - 1)) == 0)
			continue;
		if (c->rate == NULL) {
			json_decref(a);
			return no_rate(x, pt, c, d);
		}
		q = json_object();
		jb_put_str(b, q, "from", c->from);
		jb_put_str(b, q, "to", c->to);
		jb_put_int(b, q, "rate_cents", c->rate->cents);
		jb_put_int(b, q, "hours", h);
		jb_put_int(b, q, "cost_cents", h * c->rate->cents);
		jb_push(b, a, q);
		c->hours += h;
		c->cost += h * c->rate->cents;
		*hours += h;
		*cost += h * c->rate->cents;
	}
	jb_put(b, o, "parts", a);
	return 0;
}

/* One session of the statement. */
static json_t *
statement_session(struct jb *b, const struct rules_model *m,
    const struct rm_session *x, const char *from, const char *to,
    struct parts *ps, struct order_sums *tot, struct consort_diag *d)
{
	const struct rm_member *pm = rules_member(m, x->provider);
	int64_t total = 0, prev = 0, thru = 0, h, hm, cost, shours = 0, scost = 0;
	json_t *o = json_object(), *a = json_array(), *p;
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
		h = pt->hours;
		p = json_object();
		jb_put_str(b, p, "path", pt->ref);
		jb_put_str(b, p, "trainee", pt->trainee);
		jb_put_opt(b, p, "start", pt->start);
		jb_put_int(b, p, "hours", h);
		if ((rc = path_parts(b, m, x, pt, ps, p, &hm, &cost, d)) != 0) {
			b->err = rc;
			json_decref(p);
			break;
		}
		jb_put_int(b, p, "hours_in_month", hm);
		jb_put_int(b, p, "cost_cents", cost);
		jb_push(b, a, p);
		fin++;
		shours += hm;
		scost += cost;
	}
	jb_put(b, o, "paths", a);
	jb_put_int(b, o, "financed", fin);
	jb_put_int(b, o, "hours", shours);
	jb_put_int(b, o, "cost_cents", scost);
	tot->sessions++;
	tot->financed += fin;
	tot->hours += shours;
	tot->cost += scost;
	return o;
}

/* The month's rates (R14): each part's days, rate, hours and cost. */
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
		jb_put_int(b, o, "hours", c->hours);
		jb_put_int(b, o, "cost_cents", c->cost);
		jb_push(b, a, o);
	}
	return a;
}

/*
 * Builds the monthly statement of a lot (R18): every session of the lot
 * running in the month, with each financed path's hours falling in the
 * month.  A path's hours are spread over the session's working days
 * (Monday to Friday, France's public holidays left out, calendar.c):
 * the hours through a day are floor(hours x working days so far / working
 * days in all), and a month
 * gets the hours through its last day less those through the day before
 * it, so the months of a session add up to its hours exactly.  The hours
 * between two days a and b are through(b) less through(a - 1): a month
 * the lot's rate changes in is split at the change, each part at the rate
 * in force on its days (R14).
 */
int
statement_build(struct store_txn *txn, struct store *s, const char *lot,
    const char *month, json_t **out, struct consort_diag *d)
{
	struct rules_query q = { 0 };
	struct rules_model *m;
	struct order_sums tot = { 0 };
	struct jb b = { 0 };
	struct parts *ps;
	const struct rm_rate *last;
	char from[11], to[11];
	int64_t f, t;
	json_t *o, *x, *a;
	size_t *ix, i;
	int rc;

	*out = NULL;
	if (!order_period_valid(month))
		return consort_diag_set(d, E(INVAL), month, "not a month",
		    "give the month as YYYY-MM");
	order_month_bounds(month, from, to);
	q.lot = lot;
	q.from = from;
	q.to = to;
	q.window = WINDOW_ACTIVE;
	if ((rc = rules_load(txn, s, &q, &m, d)) != 0)
		return rc;
	ix = order_sessions_by_start(m);
	ps = calloc(1, sizeof(*ps));
	if (ix == NULL || ps == NULL || !order_day_number(from, &f) ||
	    !order_day_number(to, &t)) {
		free(ix);
		free(ps);
		rules_free(m);
		return E(NOMEM);
	}
	month_parts(m, 0, f, t, ps);
	last = rules_rate_on(m, 0, to);
	o = json_object();
	jb_put_str(&b, o, "format", "consort-statement/1");
	x = json_object();
	jb_put_str(&b, x, "ref", m->lots[0].ref);
	jb_put_str(&b, x, "sector", m->lots[0].sector);
	jb_put_str(&b, x, "territory", m->lots[0].territory);
	jb_put_int(&b, x, "rate_cents", last ? last->cents :
	    m->lots[0].rate_cents);
	jb_put(&b, o, "lot", x);
	jb_put_str(&b, o, "month", month);
	jb_put_str(&b, o, "rule", "hours spread over the session's working days "
	    "(Monday to Friday, no public holiday): floor(hours x days through the month's end / "
	    "days in all) less the same through the day before the month; "
	    "split where the rate changes, each part at its rate");
	a = json_array();
	for (i = 0; i < m->nsessions && b.err == 0; i++)
		jb_push(&b, a, statement_session(&b, m, &m->sessions[ix[i]], from, to,
		    ps, &tot, d));
	jb_put(&b, o, "sessions", a);
	jb_put(&b, o, "rates", rates_json(&b, ps));
	x = json_object();
	jb_put_int(&b, x, "sessions", tot.sessions);
	jb_put_int(&b, x, "financed", tot.financed);
	jb_put_int(&b, x, "hours", tot.hours);
	jb_put_int(&b, x, "cost_cents", tot.cost);
	jb_put(&b, o, "totals", x);
	x = json_object();
	jb_put(&b, x, "heads", order_heads_json(&b, txn, s));
	jb_put(&b, o, "state", x);
	free(ix);
	free(ps);
	rules_free(m);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
