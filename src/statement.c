/*
 * The monthly statement of a lot (R18): every session running in the
 * month with its financed trainees, the hours falling in the month spread
 * over the session's working days, and their cost at the lot's rate.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* Mondays to Fridays between two day numbers, inclusive (0 if a > b). */
static int64_t
weekdays(int64_t a, int64_t b)
{
	int64_t n, full, w;

	if (a > b)
		return 0;
	n = b - a + 1;
	full = n / 7;
	n = full * 5;
	/* 1970-01-01 was a Thursday: (day + 3) % 7 is 0 on Mondays */
	for (w = a + full * 7; w <= b; w++)
		if (((w % 7) + 7 + 3) % 7 < 5)
			n++;
	return n;
}

/*
 * The working days (Monday to Friday) of a session: in all, up to the day
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
	*total = weekdays(s, e);
	*through_prev = weekdays(s, (e < f - 1 ? e : f - 1));
	*through_end = weekdays(s, e < t ? e : t);
	return 0;
}

/* One session of the statement. */
static json_t *
statement_session(struct jb *b, const struct rules_model *m,
    const struct rm_session *x, const char *from, const char *to,
    struct order_sums *tot)
{
	const struct rm_member *pm = rules_member(m, x->provider);
	int64_t total = 0, prev = 0, thru = 0, h, hm, cost, shours = 0, scost = 0;
	json_t *o = json_object(), *a = json_array(), *p;
	unsigned fin = 0;
	size_t i;

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

		if (!pt->financed)
			continue;
		h = pt->hours;
		hm = total > 0 ? h * thru / total - h * prev / total : 0;
		cost = x->lot_idx >= 0 ? hm * m->lots[x->lot_idx].rate_cents : 0;
		p = json_object();
		jb_put_str(b, p, "path", pt->ref);
		jb_put_str(b, p, "trainee", pt->trainee);
		jb_put_int(b, p, "hours", h);
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

/*
 * Builds the monthly statement of a lot (R18): every session of the lot
 * running in the month, with each financed path's hours falling in the
 * month.  A path's hours are spread over the session's working days
 * (Monday to Friday, no holidays): the hours through a day are
 * floor(hours x working days so far / working days in all), and a month
 * gets the hours through its last day less those through the day before
 * it, so the months of a session add up to its hours exactly.
 */
int
statement_build(struct store_txn *txn, struct store *s, const char *lot,
    const char *month, json_t **out, struct consort_diag *d)
{
	struct rules_query q = { 0 };
	struct rules_model *m;
	struct order_sums tot = { 0 };
	struct jb b = { 0 };
	char from[11], to[11];
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
	if ((ix = order_sessions_by_start(m)) == NULL) {
		rules_free(m);
		return E(NOMEM);
	}
	o = json_object();
	jb_put_str(&b, o, "format", "consort-statement/1");
	x = json_object();
	jb_put_str(&b, x, "ref", m->lots[0].ref);
	jb_put_str(&b, x, "sector", m->lots[0].sector);
	jb_put_str(&b, x, "territory", m->lots[0].territory);
	jb_put_int(&b, x, "rate_cents", m->lots[0].rate_cents);
	jb_put(&b, o, "lot", x);
	jb_put_str(&b, o, "month", month);
	jb_put_str(&b, o, "rule", "hours spread over the session's working days "
	    "(Monday to Friday): floor(hours x days through the month's end / "
	    "days in all) less the same through the day before the month");
	a = json_array();
	for (i = 0; i < m->nsessions; i++)
		jb_push(&b, a, statement_session(&b, m, &m->sessions[ix[i]], from, to,
		    &tot));
	jb_put(&b, o, "sessions", a);
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
	rules_free(m);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
