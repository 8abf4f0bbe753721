/*
 * The report on hires (R23, schema/report.md): over the paths a rules
 * model orders in a period, what became of each financed trainee (its
 * exit, as this node reads it) and of the intent backing it (its
 * outcome), summed per session, per provider, per employer and in all;
 * the intents not kept (not hired, or withdrawn by the employer) and the
 * outcomes that do not hold together.  Counts and refs only: no value of
 * a trainee's leaves this file but in a count.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "order.h"
#include "report.h"

/* The contracts of intent.contract and intent.hired_contract, then none. */
static const char *const contracts[] = { "CDI", "CDD", "CDI_INTERIM",
	"APPRENTICESHIP", "PRO_CONTRACT" };
#define NCONTRACTS (nitems(contracts) + 1)

/* What one row of the report counts. */
struct tally {
	int64_t financed;         /* financed paths */
	int64_t completed, dropped, unreadable;  /* their trainees' exits */
	int64_t intents;          /* those backed by a recorded intent */
	int64_t hired, not_hired, pending, withdrawn;
	int64_t by_contract[NCONTRACTS];  /* hires per contract signed */
	int64_t sessions;
};

/* A row of providers or employers: its SIRET, its name, its tally. */
struct row {
	const char *siret, *name;
	struct tally t;
};

/* Rows found by SIRET, in the order they come. */
struct rows {
	struct row *v;
	size_t n, cap;
};

/* The report being built. */
struct build {
	struct jb b;
	struct rules_model *m;   /* its arena holds the warnings' texts */
	struct tally *sessions;   /* by session of the model */
	struct rows providers, employers;
	struct tally total;
	long *exit_path;          /* by trainee: the path its exit counts for */
	json_t *not_kept, *warnings;
};

/* Whether s (n bytes) is a real day, YYYY-MM-DD. */
static bool
is_day(const char *s, size_t n)
{
	char buf[11];
	int64_t x;

	if (n != 10)
		return false;
	memcpy(buf, s, 10);
	buf[10] = '\0';
	return order_day_number(buf, &x);
}

/* Reads one bound of a period: a year, a month or a day ("" open). */
static bool
period_bound(const char *s, size_t n, bool end, char out[11])
{
	char month[8], a[11], b[11];
	size_t i;

	out[0] = '\0';
	if (n == 0)
		return true;
	if (n == 4) {
		for (i = 0; i < 4; i++)
			if (s[i] < '0' || s[i] > '9')
				return false;
		snprintf(out, 11, "%.4s-%s", s, end ? "12-31" : "01-01");
		return true;
	}
	if (n == 7) {
		memcpy(month, s, 7);
		month[7] = '\0';
		if (!order_period_valid(month))
			return false;
		order_month_bounds(month, a, b);
		memcpy(out, end ? b : a, 11);
		return true;
	}
	if (!is_day(s, n))
		return false;
	memcpy(out, s, 10);
	out[10] = '\0';
	return true;
}

/* Reads a period "FROM..TO" (report.h). */
int
report_period(const char *text, char from[11], char to[11],
    struct consort_diag *d)
{
	const char *dots = strstr(text, "..");
	size_t n = strlen(text), k = dots != NULL ? (size_t)(dots - text) : n;
	bool ok;

	from[0] = to[0] = '\0';
	ok = period_bound(text, k, false, from) && (dots != NULL ?
	    period_bound(dots + 2, n - k - 2, true, to) :
	    period_bound(text, k, true, to)) && (from[0] || to[0]);
	if (!ok)
		return consort_diag_set(d, E(INVAL), "--period",
		    _("not a period "
		    "(each bound a year YYYY, a month YYYY-MM or a day "
		    "YYYY-MM-DD, a real one)"), _("give FROM..TO, for instance "
		    "2026-01..2026-06, 2026-03-01..2026-06-30 or 2026; leave a "
		    "bound out for an open one: 2026-04.."));
	if (from[0] && to[0] && strcmp(from, to) > 0)
		return consort_diag_set(d, E(INVAL), "--period",
		    _("the period ends "
		    "before it starts"), _("give the earlier bound first: "
		    "FROM..TO"));
	return 0;
}

/* A rate in thousandths, rounded half up (report.h). */
bool
report_permille(int64_t num, int64_t den, int64_t *out)
{
	*out = 0;
	if (den <= 0 || num < 0)
		return false;
	*out = (num * 2000 + den) / (den * 2);
	return true;
}

/* Whether s is the string want. */
static bool
is(const char *s, const char *want)
{
	return s != NULL && strcmp(s, want) == 0;
}

/* The index of a contract in contracts[], or the last (none, unknown). */
static size_t
contract_idx(const char *c)
{
	size_t i;

	for (i = 0; i < nitems(contracts); i++)
		if (is(c, contracts[i]))
			return i;
	return nitems(contracts);
}

/* The row of a SIRET, added with its name when it is new; NULL: memory. */
static struct row *
row_of(struct rows *rs, const char *siret, const char *name)
{
	struct row *p;
	size_t i;

	for (i = 0; i < rs->n; i++)
		if (strcmp(rs->v[i].siret, siret) == 0)
			return &rs->v[i];
	if (rules_grow((void **)&rs->v, rs->n, &rs->cap, sizeof(*rs->v)) != 0)
		return NULL;
	p = &rs->v[rs->n++];
	memset(p, 0, sizeof(*p));
	p->siret = siret;
	p->name = name;
	return p;
}

/* Adds a path's counts to the tallies it belongs to (NULL ones skipped). */
static void
add(struct tally *const *t, size_t n, const struct tally *x)
{
	size_t i, k;

	for (i = 0; i < n; i++) {
		if (t[i] == NULL)
			continue;
		t[i]->financed += x->financed;
		t[i]->completed += x->completed;
		t[i]->dropped += x->dropped;
		t[i]->unreadable += x->unreadable;
		t[i]->intents += x->intents;
		t[i]->hired += x->hired;
		t[i]->not_hired += x->not_hired;
		t[i]->pending += x->pending;
		t[i]->withdrawn += x->withdrawn;
		for (k = 0; k < NCONTRACTS; k++)
			t[i]->by_contract[k] += x->by_contract[k];
	}
}

/* A provider's name from the roster ("" when not a member). */
static const char *
member_name(const struct rules_model *m, const char *siret)
{
	const struct rm_member *x = rules_member(m, siret);

	return x != NULL ? x->name : "";
}

/*
 * Whether path a fits a trainee's exit on day (YYYY-MM-DD, "" unknown)
 * better than path b: ordered on or before that day rather than after
 * it, and then the latest of those before, the earliest of those after;
 * without a day, the latest.
 */
static bool
fits_exit(const struct rm_path *a, const struct rm_path *b, const char *day)
{
	bool ab, bb;

	if (!day[0])
		return strcmp(a->day, b->day) > 0;
	ab = strcmp(a->day, day) <= 0;
	bb = strcmp(b->day, day) <= 0;
	if (ab != bb)
		return ab;
	return ab ? strcmp(a->day, b->day) > 0 : strcmp(a->day, b->day) < 0;
}

/*
 * Chooses, for each trainee with an exit, the financed path of the model
 * its exit counts for (fits_exit), so that a trainee who went from one
 * session to another leaves once; the first by session and ref on a tie.
 */
static int
choose_exit_paths(struct build *x)
{
	const struct rules_model *m = x->m;
	const struct rm_trainee *t;
	const struct rm_path *p;
	long *best;
	size_t i;

	if ((x->exit_path = best = calloc(m->ntrainees + 1,
	    sizeof(*best))) == NULL)
		return E(NOMEM);
	for (i = 0; i < m->ntrainees; i++)
		best[i] = -1;
	for (i = 0; i < m->npaths; i++) {
		p = &m->paths[i];
		if (!p->financed || p->tidx < 0)
			continue;
		t = &m->trainees[p->tidx];
		if (!t->found || (!t->exit[0] && !t->exit_sealed))
			continue;
		if (best[p->tidx] < 0 ||
		    fits_exit(p, &m->paths[best[p->tidx]], t->exit_date))
			best[p->tidx] = (long)i;
	}
	return 0;
}

/* The counts of one financed path: its trainee's exit, its intent's fate. */
static void
path_tally(const struct build *x, size_t i, struct tally *t)
{
	const struct rules_model *m = x->m;
	const struct rm_path *p = &m->paths[i];
	const struct rm_trainee *tr = p->tidx >= 0 ? &m->trainees[p->tidx] :
	    NULL;
	const struct rm_intent *in = p->iidx >= 0 ? &m->intents[p->iidx] : NULL;

	memset(t, 0, sizeof(*t));
	t->financed = 1;
	if (tr != NULL && x->exit_path[p->tidx] == (long)i) {
		if (tr->exit_sealed)
			t->unreadable = 1;
		else if (is(tr->exit, "completed"))
			t->completed = 1;
		else if (is(tr->exit, "dropped_out"))
			t->dropped = 1;
	}
	if (in == NULL || !in->found)
		return;
	t->intents = 1;
	if (is(in->outcome, "hired")) {
		t->hired = 1;
		t->by_contract[contract_idx(in->hired_contract)] = 1;
	} else if (is(in->outcome, "not_hired"))
		t->not_hired = 1;
	else if (!is(in->status, "withdrawn"))
		t->pending = 1;
}

/* The provider's and employer's rows of a path (NULL: out of memory). */
static bool
rows_of(struct build *x, const struct rm_path *p, const struct rm_intent *in,
    struct tally **prov, struct tally **emp)
{
	const struct rm_session *s = &x->m->sessions[p->sidx];
	struct row *r;

	*emp = NULL;
	if ((r = row_of(&x->providers, s->provider, member_name(x->m,
	    s->provider))) == NULL)
		return false;
	*prov = &r->t;
	if (in == NULL || !in->found)
		return true;
	if ((r = row_of(&x->employers, in->siret, in->employer)) == NULL)
		return false;
	*emp = &r->t;
	return true;
}

/* A record named in the report: {"session", "path"} of a path. */
static void
put_path(struct build *x, json_t *o, const struct rm_path *p)
{
	jb_put_str(&x->b, o, "session", p->session);
	jb_put_str(&x->b, o, "path", p->ref);
}

/* Notes an intent not kept: not hired, or withdrawn but by its trainee. */
static void
not_kept(struct build *x, const struct rm_intent *in, const struct rm_path *p,
    bool withdrawn)
{
	json_t *o = json_object(), *e = json_object();

	jb_put_str(&x->b, o, "kind", withdrawn ? "withdrawn" : "not_hired");
	jb_put_str(&x->b, o, "intent", in->ref);
	jb_put_str(&x->b, e, "siret", in->siret);
	jb_put_str(&x->b, e, "name", in->employer);
	jb_put(&x->b, o, "employer", e);
	put_path(x, o, p);
	jb_put_str(&x->b, o, "promised", in->contract);
	if (withdrawn) {
		jb_put_str(&x->b, o, "by", in->withdrawn_by[0] ?
		    in->withdrawn_by : "unknown");
		jb_put_opt(&x->b, o, "date", in->status_date);
		jb_put_opt(&x->b, o, "reason", in->status_reason);
	} else
		jb_put_opt(&x->b, o, "reason", in->not_hired_reason);
	jb_push(&x->b, x->not_kept, o);
}

/*
 * Adds a warning (R23) about an intent backing a path: its code, which a
 * rendering words in its language, and the sentence in English; returns
 * it for the values the code needs.
 */
static json_t *
warn(struct build *x, const struct rm_intent *in, const struct rm_path *p,
    const char *code, const char *what)
{
	json_t *o = json_object();

	jb_put_str(&x->b, o, "rule", "R23");
	jb_put_str(&x->b, o, "code", code);
	jb_put_str(&x->b, o, "type", "intent");
	jb_put_str(&x->b, o, "ref", in->ref);
	put_path(x, o, p);
	jb_put_str(&x->b, o, "what", what != NULL ? what : "");
	jb_push(&x->b, x->warnings, o);
	return o;
}

/*
 * The outcomes that do not hold together, as warnings: a hire without its
 * day or contract, before the training started, on another contract or
 * fewer hours than promised; an intent not kept without a reason.
 */
static void
check_outcome(struct build *x, const struct rm_intent *in,
    const struct rm_path *p)
{
	struct rules_model *m = x->m;
	json_t *o;

	if (is(in->outcome, "not_hired") && !in->not_hired_reason[0])
		warn(x, in, p, "no_reason", "recorded as not hired without a "
		    "reason (not_hired_reason)");
	if (!is(in->outcome, "hired"))
		return;
	if (!in->hired_date[0])
		warn(x, in, p, "no_hired_date", "recorded as hired without its "
		    "day (hired_date)");
	else if (p->day[0] && strcmp(in->hired_date, p->day) < 0) {
		o = warn(x, in, p, "hired_before_start", rules_printf(m, "hired "
		    "on %s, before the training started on %s: a company's "
		    "employee may not attend (R17)", in->hired_date, p->day));
		jb_put_str(&x->b, o, "hired_date", in->hired_date);
		jb_put_str(&x->b, o, "start", p->day);
	}
	if (!in->hired_contract[0])
		warn(x, in, p, "no_contract", "the contract signed is not "
		    "recorded (hired_contract)");
	else if (in->contract[0] && !is(in->contract, in->hired_contract)) {
		o = warn(x, in, p, "contract_differs", rules_printf(m, "the "
		    "contract signed (%s) is not the one promised (%s)",
		    in->hired_contract, in->contract));
		jb_put_str(&x->b, o, "signed", in->hired_contract);
		jb_put_str(&x->b, o, "promised", in->contract);
	}
	if (in->has_hired_weekly && in->has_weekly &&
	    in->hired_weekly_hours < in->weekly_hours) {
		o = warn(x, in, p, "fewer_hours", rules_printf(m, "%lld hours a "
		    "week signed, %lld promised", (long long)in->hired_weekly_hours,
		    (long long)in->weekly_hours));
		jb_put_int(&x->b, o, "signed_hours", in->hired_weekly_hours);
		jb_put_int(&x->b, o, "promised_hours", in->weekly_hours);
	}
}

/* Sums the financed paths into their rows; notes intents not hired. */
static int
tally_paths(struct build *x)
{
	const struct rules_model *m = x->m;
	const struct rm_path *p;
	const struct rm_intent *in;
	struct tally t, *rows[4];
	size_t i;

	for (i = 0; i < m->npaths; i++) {
		p = &m->paths[i];
		if (!p->financed)
			continue;
		in = p->iidx >= 0 ? &m->intents[p->iidx] : NULL;
		path_tally(x, i, &t);
		rows[0] = &x->sessions[p->sidx];
		rows[3] = &x->total;
		if (!rows_of(x, p, in, &rows[1], &rows[2]))
			return E(NOMEM);
		add(rows, 4, &t);
		if (in == NULL || !in->found || in->pidx != (long)i)
			continue;  /* an intent's notes once, with its first path */
		if (is(in->outcome, "not_hired"))
			not_kept(x, in, p, false);
		check_outcome(x, in, p);
	}
	return 0;
}

/*
 * Counts the withdrawn intents (R16) whose withdrawal concerns a financed
 * path of the report, the ones since replaced included: in the rows of
 * that path's session and provider, and of the intent's own employer.
 * Those the employer (or nobody recorded who) withdrew are not kept.
 */
static int
tally_withdrawn(struct build *x)
{
	const struct rules_model *m = x->m;
	const struct rm_intent *in;
	const struct rm_path *p;
	struct tally t = { 0 }, *rows[4];
	size_t i;

	t.withdrawn = 1;
	for (i = 0; i < m->nintents; i++) {
		in = &m->intents[i];
		if (!in->found || !is(in->status, "withdrawn") ||
		    is(in->outcome, "hired") || is(in->outcome, "not_hired") ||
		    in->wpidx < 0 || !m->paths[in->wpidx].financed)
			continue;
		p = &m->paths[in->wpidx];
		rows[0] = &x->sessions[p->sidx];
		rows[3] = &x->total;
		if (!rows_of(x, p, in, &rows[1], &rows[2]))
			return E(NOMEM);
		add(rows, 4, &t);
		if (!is(in->withdrawn_by, "trainee"))
			not_kept(x, in, p, true);
	}
	return 0;
}

/* The counts of a row as members of o. */
static void
put_tally(struct jb *b, json_t *o, const struct tally *t)
{
	json_t *c = json_object();
	int64_t r;
	size_t k;

	jb_put_int(b, o, "financed", t->financed);
	jb_put_int(b, o, "completed", t->completed);
	jb_put_int(b, o, "dropped_out", t->dropped);
	jb_put_int(b, o, "exit_unreadable", t->unreadable);
	jb_put_int(b, o, "exit_unknown", t->financed - t->completed -
	    t->dropped - t->unreadable);
	jb_put_int(b, o, "intents", t->intents);
	jb_put_int(b, o, "hired", t->hired);
	jb_put_int(b, o, "not_hired", t->not_hired);
	jb_put_int(b, o, "pending", t->pending);
	jb_put_int(b, o, "withdrawn", t->withdrawn);
	for (k = 0; k < NCONTRACTS; k++)
		jb_put_int(b, c, k < nitems(contracts) ? contracts[k] : "unknown",
		    t->by_contract[k]);
	jb_put(b, o, "hired_by_contract", c);
	if (report_permille(t->hired, t->intents, &r))
		jb_put_int(b, o, "hire_rate_permille", r);
	else
		jb_put(b, o, "hire_rate_permille", json_null());
}

/* The sessions' rows, by start then ref. */
static json_t *
sessions_json(struct build *x, const size_t *ix)
{
	const struct rules_model *m = x->m;
	const struct rm_session *s;
	json_t *a = json_array(), *o, *p;
	struct row *pr;
	size_t i;

	for (i = 0; i < m->nsessions; i++) {
		s = &m->sessions[ix[i]];
		if (x->sessions[ix[i]].financed == 0 &&
		    x->sessions[ix[i]].withdrawn == 0)
			continue;
		o = json_object();
		jb_put_str(&x->b, o, "ref", s->ref);
		jb_put_str(&x->b, o, "title", s->title);
		jb_put_str(&x->b, o, "lot", s->lot);
		jb_put_str(&x->b, o, "scheme", s->scheme);
		jb_put_str(&x->b, o, "start", s->start);
		jb_put_str(&x->b, o, "end", s->end);
		p = json_object();
		jb_put_str(&x->b, p, "siret", s->provider);
		jb_put_str(&x->b, p, "name", member_name(m, s->provider));
		jb_put(&x->b, o, "provider", p);
		put_tally(&x->b, o, &x->sessions[ix[i]]);
		jb_push(&x->b, a, o);
		x->total.sessions++;
		if ((pr = row_of(&x->providers, s->provider, "")) != NULL)
			pr->t.sessions++;
		else
			x->b.err = E(NOMEM);
	}
	return a;
}

/* Orders rows by SIRET, then name. */
static int
cmp_row(const void *a, const void *b)
{
	const struct row *x = a, *y = b;
	int c = strcmp(x->siret, y->siret);

	return c != 0 ? c : strcmp(x->name, y->name);
}

/* The rows of providers or employers, by SIRET. */
static json_t *
rows_json(struct build *x, struct rows *rs, bool sessions)
{
	json_t *a = json_array(), *o;
	size_t i;

	if (rs->n > 1)
		qsort(rs->v, rs->n, sizeof(*rs->v), cmp_row);
	for (i = 0; i < rs->n; i++) {
		o = json_object();
		jb_put_str(&x->b, o, "siret", rs->v[i].siret);
		jb_put_str(&x->b, o, "name", rs->v[i].name);
		if (sessions)
			jb_put_int(&x->b, o, "sessions", rs->v[i].t.sessions);
		put_tally(&x->b, o, &rs->v[i].t);
		jb_push(&x->b, a, o);
	}
	return a;
}

/* Orders the intents not kept by employer SIRET, then intent. */
static int
cmp_not_kept(const void *a, const void *b)
{
	const json_t *x = *(json_t *const *)a, *y = *(json_t *const *)b;
	int c = strcmp(jr_str(json_object_get(x, "employer"), "siret"),
	    jr_str(json_object_get(y, "employer"), "siret"));

	return c != 0 ? c : strcmp(jr_str(x, "intent"), jr_str(y, "intent"));
}

/* The report's heading: format, consortium, scope, lots. */
static void
head_json(struct build *x, struct store_txn *txn, struct store *s,
    const struct report_opts *o, json_t *r)
{
	const struct rules_model *m = x->m;
	const struct value *v;
	json_t *c = json_object(), *sc = json_object(), *a = json_array(), *l;
	struct record rec;
	size_t i;

	jb_put_str(&x->b, r, "format", REPORT_FORMAT);
	record_init(&rec);
	if (state_lookup(txn, s, s->founder, T_consortium, "consortium", 10,
	    &rec) == 0 && record_alive(s, &rec)) {
		if ((v = state_field(s, &rec, F_consortium_name)) != NULL &&
		    v->kind == VAL_STR)
			jb_put(&x->b, c, "name", json_stringn(v->s, v->len));
		if ((v = state_field(s, &rec, F_consortium_market)) != NULL &&
		    v->kind == VAL_STR)
			jb_put(&x->b, c, "market", json_stringn(v->s, v->len));
	}
	record_free(&rec);
	jb_put(&x->b, r, "consortium", c);
	jb_put(&x->b, sc, "lot", o->lot ? json_string(o->lot) : json_null());
	jb_put(&x->b, sc, "from", o->from ? json_string(o->from) : json_null());
	jb_put(&x->b, sc, "to", o->to ? json_string(o->to) : json_null());
	jb_put(&x->b, r, "scope", sc);
	for (i = 0; i < m->nlots; i++) {
		l = json_object();
		jb_put_str(&x->b, l, "ref", m->lots[i].ref);
		jb_put_str(&x->b, l, "sector", m->lots[i].sector);
		jb_put_str(&x->b, l, "territory", m->lots[i].territory);
		jb_push(&x->b, a, l);
	}
	jb_put(&x->b, r, "lots", a);
}

/* Frees what a build holds but its JSON. */
static void
build_free(struct build *x)
{
	free(x->sessions);
	free(x->providers.v);
	free(x->employers.v);
	free(x->exit_path);
}

/* Builds the report (report.h, schema/report.md). */
int
report_build(struct store_txn *txn, struct store *s,
    const struct report_opts *o, json_t **out, struct consort_diag *d)
{
	struct rules_query q = { 0 };
	struct rules_model *m;
	struct build x;
	json_t *r, *t;
	size_t *ix = NULL;
	int rc;

	*out = NULL;
	q.lot = o->lot;
	q.from = o->from;
	q.to = o->to;
	q.window = WINDOW_START;
	if ((rc = rules_load(txn, s, &q, &m, d)) != 0)
		return rc;
	memset(&x, 0, sizeof(x));
	x.m = m;
	x.not_kept = json_array();
	x.warnings = json_array();
	if ((x.sessions = calloc(m->nsessions + 1, sizeof(*x.sessions))) ==
	    NULL || (ix = order_sessions_by_start(m)) == NULL)
		rc = E(NOMEM);
	if (rc == 0)
		rc = choose_exit_paths(&x);
	if (rc == 0)
		rc = tally_paths(&x);
	if (rc == 0)
		rc = tally_withdrawn(&x);
	if (rc == 0)
		rc = jr_sort(x.not_kept, cmp_not_kept);
	r = json_object();
	if (rc == 0) {
		head_json(&x, txn, s, o, r);
		jb_put(&x.b, r, "sessions", sessions_json(&x, ix));
		jb_put(&x.b, r, "providers", rows_json(&x, &x.providers, true));
		jb_put(&x.b, r, "employers", rows_json(&x, &x.employers, false));
		jb_put(&x.b, r, "not_kept", json_incref(x.not_kept));
		jb_put(&x.b, r, "warnings", json_incref(x.warnings));
		t = json_object();
		jb_put_int(&x.b, t, "sessions", x.total.sessions);
		put_tally(&x.b, t, &x.total);
		jb_put(&x.b, r, "totals", t);
		t = json_object();
		jb_put(&x.b, t, "heads", order_heads_json(&x.b, txn, s));
		jb_put(&x.b, r, "state", t);
		rc = x.b.err;
	}
	json_decref(x.not_kept);
	json_decref(x.warnings);
	free(ix);
	build_free(&x);
	rules_free(m);
	if (rc != 0) {
		json_decref(r);
		return rc;
	}
	*out = r;
	return 0;
}
