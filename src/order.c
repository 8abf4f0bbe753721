/*
 * The order request (DESIGN.md §7, schema/order.md): built from a rules
 * model of one lot's sessions starting in one month, signed over its RFC
 * 8785 canonical form, checked with only a public key, rendered as CSV,
 * HTML and text, compared with an earlier one, recorded in the log when it
 * is submitted; and the monthly statement of R18.  Everything in a request
 * comes from the merged state, never from the clock, so every node holding
 * the same change-sets builds the same bytes.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <sodium.h>

#include "core.h"
#include "order.h"

/* The JSON being built, with the first failure kept. */
struct jb {
	int err;
};

/* Adds key: value to an object (value reference stolen), noting failures. */
static void
put(struct jb *b, json_t *o, const char *key, json_t *v)
{
	if (v == NULL || o == NULL) {
		b->err = b->err ? b->err : E(NOMEM);
		json_decref(v);
		return;
	}
	if (json_object_set_new(o, key, v) != 0)
		b->err = b->err ? b->err : E(NOMEM);
}

/* Adds key: string. */
static void
put_str(struct jb *b, json_t *o, const char *key, const char *v)
{
	put(b, o, key, json_string(v != NULL ? v : ""));
}

/* Adds key: string, unless the string is empty. */
static void
put_opt(struct jb *b, json_t *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		put_str(b, o, key, v);
}

/* Adds key: integer. */
static void
put_int(struct jb *b, json_t *o, const char *key, int64_t v)
{
	put(b, o, key, json_integer((json_int_t)v));
}

/* Adds key: boolean. */
static void
put_bool(struct jb *b, json_t *o, const char *key, bool v)
{
	put(b, o, key, json_boolean(v));
}

/* Appends a value to an array (reference stolen). */
static void
push(struct jb *b, json_t *a, json_t *v)
{
	if (v == NULL || a == NULL || json_array_append_new(a, v) != 0)
		b->err = b->err ? b->err : E(NOMEM);
}

/* Whether a period is YYYY-MM with a month 01 to 12. */
bool
order_period_valid(const char *p)
{
	int i;

	if (p == NULL || strlen(p) != 7 || p[4] != '-')
		return false;
	for (i = 0; i < 7; i++)
		if (i != 4 && (p[i] < '0' || p[i] > '9'))
			return false;
	return (p[5] == '0' && p[6] >= '1') || (p[5] == '1' && p[6] <= '2');
}

/* Days from 1970-01-01 to a civil date (proleptic Gregorian). */
static int64_t
days_from_civil(int y, unsigned m, unsigned d)
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

/* Parses YYYY-MM-DD into a day number; false if it is not a date. */
static bool
day_number(const char *s, int64_t *out)
{
	int y, m, d;

	if (s == NULL || !util_date_valid(s, strlen(s)) ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	*out = days_from_civil(y, (unsigned)m, (unsigned)d);
	return true;
}

/* The first and last days of a YYYY-MM month. */
void
order_month_bounds(const char *period, char from[11], char to[11])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31,
		30, 31 };
	int y = atoi(period), m = atoi(period + 5), last;

	if (m < 1 || m > 12)
		m = 1;
	last = mdays[m - 1];
	if (m == 2 && ((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		last = 29;
	snprintf(from, 11, "%.7s-01", period);
	snprintf(to, 11, "%.7s-%02u", period, (unsigned)last % 100u);
}

/*
 * Fills the rules query of a request: the lot's sessions starting in the
 * period; a direct request covers only the sender's sessions and those of
 * its subcontractors.
 */
int
order_query(struct store *s, const uint8_t *sender, const struct order_opts *o,
    struct rules_query *q, char from[11], char to[11], struct consort_diag *d)
{
	const struct member *m;
	int rc;

	memset(q, 0, sizeof(*q));
	if (!order_period_valid(o->period))
		return consort_diag_set(d, E(INVAL), o->period, "not a period",
		    "give the month as YYYY-MM");
	if (o->lot != NULL && (rc = order_lot_ref_check(o->lot, d)) != 0)
		return rc;
	order_month_bounds(o->period, from, to);
	q->lot = o->lot;
	q->from = from;
	q->to = to;
	q->window = WINDOW_START;
	q->sender = sender;
	q->direct = o->direct;
	if (o->direct) {
		m = sender != NULL ? perm_member_by_key(s, sender) : NULL;
		q->provider = m != NULL ? m->siret : "-";
	}
	return 0;
}

/* ---- building the request ---- */

/* Compares two sessions of the model by (start, ref). */
static int
cmp_session_start(const void *a, const void *b, void *arg)
{
	const struct rules_model *m = arg;
	const struct rm_session *x = &m->sessions[*(const size_t *)a];
	const struct rm_session *y = &m->sessions[*(const size_t *)b];
	int c = strcmp(x->start, y->start);

	return c != 0 ? c : strcmp(x->ref, y->ref);
}

/* The session indexes of a model in (start, ref) order; caller frees. */
static size_t *
sessions_by_start(const struct rules_model *m)
{
	size_t *ix = calloc(m->nsessions + 1, sizeof(*ix)), i;

	if (ix == NULL)
		return NULL;
	for (i = 0; i < m->nsessions; i++)
		ix[i] = i;
	if (m->nsessions > 1)
		qsort_r(ix, m->nsessions, sizeof(*ix), cmp_session_start,
		    (void *)m);
	return ix;
}

/* The version vector of the state: every author's head, by key. */
static json_t *
heads_json(struct jb *b, MDB_txn *txn, struct store *s)
{
	char hex[2 * CONSORT_HASH_BYTES + 1];
	json_t *a = json_array(), *h;
	uint8_t (*keys)[CONSORT_KEY_BYTES];
	struct head hd;
	uint32_t i, k, n = s->nauthors;
	int rc;

	if (a == NULL || (keys = calloc(n + 1, CONSORT_KEY_BYTES)) == NULL) {
		b->err = E(NOMEM);
		return a;
	}
	memcpy(keys, s->authors, (size_t)n * CONSORT_KEY_BYTES);
	/* insertion sort: a consortium has few authors */
	for (i = 1; i < n; i++)
		for (k = i; k > 0 && memcmp(keys[k - 1], keys[k],
		    CONSORT_KEY_BYTES) > 0; k--) {
			uint8_t t[CONSORT_KEY_BYTES];

			memcpy(t, keys[k], CONSORT_KEY_BYTES);
			memcpy(keys[k], keys[k - 1], CONSORT_KEY_BYTES);
			memcpy(keys[k - 1], t, CONSORT_KEY_BYTES);
		}
	for (i = 0; i < n; i++) {
		if ((rc = store_head(txn, s, keys[i], &hd)) == E(NOENT))
			continue;
		if (rc != 0) {
			b->err = rc;
			break;
		}
		if (hd.seq == 0)
			continue;
		h = json_object();
		util_hex(hex, keys[i], CONSORT_KEY_BYTES);
		put_str(b, h, "author", hex);
		put_int(b, h, "seq", (int64_t)hd.seq);
		util_hex(hex, hd.id, CONSORT_HASH_BYTES);
		put_str(b, h, "change", hex);
		push(b, a, h);
	}
	free(keys);
	return a;
}

/* A member as {name, siret} (and its role). */
static json_t *
member_json(struct jb *b, const struct rm_member *m, const char *siret,
    bool role)
{
	json_t *o = json_object();

	put_str(b, o, "siret", m != NULL ? m->siret : siret);
	put_str(b, o, "name", m != NULL ? m->name : "");
	if (role)
		put_str(b, o, "role", m != NULL && m->role[0] ? m->role : "none");
	return o;
}

/* The intent backing a path. */
static json_t *
intent_json(struct jb *b, const struct rm_intent *x)
{
	json_t *o = json_object();

	put_str(b, o, "ref", x->ref);
	put_str(b, o, "employer", x->employer);
	put_str(b, o, "siret", x->siret);
	put_str(b, o, "employer_kind", x->kind);
	put_str(b, o, "contract", x->contract);
	if (x->has_months)
		put_int(b, o, "months", x->months);
	if (x->has_weekly)
		put_int(b, o, "weekly_hours", x->weekly_hours);
	put_opt(b, o, "job", x->job);
	put_str(b, o, "date", x->date);
	put_str(b, o, "status", x->status);
	return o;
}

/* One path of a session: the trainee's ref only, never personal data. */
static json_t *
path_json(struct jb *b, const struct rules_model *m, const struct rm_path *p)
{
	const struct rm_trainee *t = p->tidx >= 0 ? &m->trainees[p->tidx] : NULL;
	json_t *o = json_object();

	put_str(b, o, "ref", p->ref);
	put_str(b, o, "trainee", p->trainee);
	put_int(b, o, "hours", p->hours);
	put_str(b, o, "modules", p->modules);
	put_bool(b, o, "financed", p->financed);
	put_int(b, o, "cost_cents", p->financed ? p->cost_cents : 0);
	put_bool(b, o, "part_time", t != NULL && t->part_time);
	/* R17: an SIAE employee attends without the Region's remuneration */
	put_bool(b, o, "remunerated", t == NULL ||
	    strcmp(t->status, "siae_employee") != 0);
	if (p->iidx >= 0 && m->intents[p->iidx].found)
		put(b, o, "intent", intent_json(b, &m->intents[p->iidx]));
	return o;
}

/* Counts the distinct employers (SIRETs) of a session's paths (R19). */
static unsigned
session_employers(const struct rules_model *m, const struct rm_session *x)
{
	const char *seen[256];
	unsigned n = 0, k;
	size_t i;

	for (i = x->first; i < x->first + x->npaths; i++) {
		const struct rm_path *p = &m->paths[i];
		const char *siret;

		if (p->iidx < 0 || !m->intents[p->iidx].found)
			continue;
		siret = m->intents[p->iidx].siret;
		for (k = 0; k < n && strcmp(seen[k], siret) != 0; k++)
			;
		if (k == n && n < nitems(seen))
			seen[n++] = siret;
	}
	return n;
}

/* One session with its paths and totals. */
static json_t *
session_json(struct jb *b, const struct rules_model *m,
    const struct rm_session *x)
{
	const struct rm_member *pm = rules_member(m, x->provider), *parent;
	json_t *o = json_object(), *a = json_array(), *t, *c, *sub;
	size_t i;

	put_str(b, o, "ref", x->ref);
	put_str(b, o, "title", x->title);
	put_str(b, o, "scheme", x->scheme);
	put(b, o, "provider", member_json(b, pm, x->provider, true));
	if (pm != NULL && strcmp(pm->role, "sub") == 0) {
		/* R10: a subcontractor's session carries its DC4 */
		parent = rules_member(m, pm->parent);
		sub = json_object();
		put_str(b, sub, "dc4", x->dc4[0] ? x->dc4 : pm->dc4);
		put(b, sub, "for", member_json(b, parent, pm->parent, false));
		put(b, o, "subcontracting", sub);
	}
	put_str(b, o, "site", x->site);
	put_str(b, o, "territory", x->territory);
	put_opt(b, o, "territory_agreement", x->agreement);
	c = json_object();
	put_str(b, c, "kind", x->cert_kind);
	put_str(b, c, "code", x->cert_code);
	put(b, o, "certification", c);
	put_str(b, o, "start", x->start);
	put_str(b, o, "end", x->end);
	put_int(b, o, "hours", x->hours);
	put_int(b, o, "capacity", x->capacity);
	put_bool(b, o, "permanent_entry", x->permanent_entry);
	put_int(b, o, "employers", session_employers(m, x));
	for (i = x->first; i < x->first + x->npaths; i++)
		push(b, a, path_json(b, m, &m->paths[i]));
	put(b, o, "paths", a);
	t = json_object();
	put_int(b, t, "financed", x->financed);
	put_int(b, t, "not_financed", x->not_financed);
	put_int(b, t, "hours", x->fin_hours);
	put_int(b, t, "cost_cents", x->cost_cents);
	put(b, o, "totals", t);
	return o;
}

/* Orders line candidates: intent date, then intent id, then path (R12). */
static int
cmp_line(const void *a, const void *b, void *arg)
{
	const struct rules_model *m = arg;
	const struct rm_path *x = *(const struct rm_path *const *)a;
	const struct rm_path *y = *(const struct rm_path *const *)b;
	const struct rm_intent *ix = x->iidx >= 0 ? &m->intents[x->iidx] : NULL;
	const struct rm_intent *iy = y->iidx >= 0 ? &m->intents[y->iidx] : NULL;
	int c;

	if ((ix == NULL) != (iy == NULL))
		return ix == NULL ? 1 : -1;  /* paths with no intent last */
	if (ix != NULL) {
		if ((c = strcmp(ix->date, iy->date)) != 0)
			return c;
		if ((c = strcmp(ix->ref, iy->ref)) != 0)
			return c;
	}
	return strcmp(x->ref, y->ref);
}

/* The order lines: every financed path, in the order of R12. */
static json_t *
lines_json(struct jb *b, const struct rules_model *m)
{
	const struct rm_path **v;
	json_t *a = json_array(), *o;
	size_t i, n = 0;

	if ((v = calloc(m->npaths + 1, sizeof(*v))) == NULL) {
		b->err = E(NOMEM);
		return a;
	}
	for (i = 0; i < m->npaths; i++)
		if (m->paths[i].financed)
			v[n++] = &m->paths[i];
	if (n > 1)
		qsort_r(v, n, sizeof(*v), cmp_line, (void *)m);
	for (i = 0; i < n; i++) {
		const struct rm_intent *x = v[i]->iidx >= 0 ?
		    &m->intents[v[i]->iidx] : NULL;

		o = json_object();
		put_int(b, o, "n", (int64_t)i + 1);
		put_str(b, o, "path", v[i]->ref);
		put_str(b, o, "session", v[i]->session);
		put_str(b, o, "trainee", v[i]->trainee);
		if (x != NULL) {
			put_str(b, o, "intent", x->ref);
			put_str(b, o, "date", x->date);
			put_str(b, o, "employer_siret", x->siret);
		}
		put_int(b, o, "hours", v[i]->hours);
		put_int(b, o, "cost_cents", v[i]->cost_cents);
		push(b, a, o);
	}
	free(v);
	return a;
}

/* The trainees beyond the financed groups (R06). */
static json_t *
not_financed_json(struct jb *b, const struct rules_model *m)
{
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < m->npaths; i++) {
		if (m->paths[i].financed)
			continue;
		o = json_object();
		put_str(b, o, "path", m->paths[i].ref);
		put_str(b, o, "session", m->paths[i].session);
		put_str(b, o, "trainee", m->paths[i].trainee);
		put_int(b, o, "hours", m->paths[i].hours);
		push(b, a, o);
	}
	return a;
}

/* The paths of withdrawn intents, with their follow-up (R16). */
static json_t *
withdrawn_json(struct jb *b, const struct rules_model *m)
{
	json_t *a = json_array(), *o;
	const struct rm_intent *x;
	size_t i;

	for (i = 0; i < m->npaths; i++) {
		if (m->paths[i].iidx < 0)
			continue;
		x = &m->intents[m->paths[i].iidx];
		if (!x->found || strcmp(x->status, "withdrawn") != 0)
			continue;
		o = json_object();
		put_str(b, o, "intent", x->ref);
		put_str(b, o, "path", m->paths[i].ref);
		put_str(b, o, "session", m->paths[i].session);
		put_str(b, o, "employer", x->employer);
		put_opt(b, o, "date", x->status_date);
		put_opt(b, o, "reason", x->status_reason);
		put_str(b, o, "followup", x->followup[0] ? x->followup : "none");
		push(b, a, o);
	}
	return a;
}

/* The warnings: every finding that does not block, with its rule. */
static json_t *
warnings_json(struct jb *b, const struct rules_model *m)
{
	const struct schema_type *t;
	json_t *a = json_array(), *o;
	size_t i;

	for (i = 0; i < m->nresults; i++) {
		const struct rule_result *x = &m->results[i];

		if (x->level != LEVEL_WARNING)
			continue;
		t = schema_type(x->type);
		o = json_object();
		put_str(b, o, "rule", x->rule);
		put_str(b, o, "type", t != NULL ? t->name : "");
		put_str(b, o, "ref", x->ref);
		put_opt(b, o, "session", x->session);
		put_opt(b, o, "intent", x->intent);
		put_opt(b, o, "path", x->path);
		put_str(b, o, "message", x->what);
		if (x->derog >= 0)
			put_str(b, o, "derogation", m->derogs[x->derog].ref);
		push(b, a, o);
	}
	return a;
}

/* The derogations about the request's sessions and intents. */
static json_t *
derogations_json(struct jb *b, const struct rules_model *m)
{
	json_t *a = json_array(), *o, *au;
	size_t i;

	for (i = 0; i < m->nderogs; i++) {
		const struct rm_derog *d = &m->derogs[i];

		o = json_object();
		put_str(b, o, "ref", d->ref);
		put_str(b, o, "rule", d->rule);
		put_str(b, o, "session", d->session);
		put_opt(b, o, "intent", d->intent);
		put_str(b, o, "reason", d->reason);
		put_str(b, o, "date", d->date);
		au = json_object();
		put_str(b, au, "name", d->author_name);
		put_str(b, au, "siret", d->author_siret);
		put(b, o, "author", au);
		put_int(b, o, "applied", d->applied);
		push(b, a, o);
	}
	return a;
}

struct sums {
	int64_t sessions, financed, not_financed, hours, cost;
};

/* Adds a session to a sum. */
static void
sums_add(struct sums *s, const struct rm_session *x)
{
	s->sessions++;
	s->financed += x->financed;
	s->not_financed += x->not_financed;
	s->hours += x->fin_hours;
	s->cost += x->cost_cents;
}

/* A sum as {sessions, financed, not_financed, hours, cost_cents}. */
static json_t *
sums_json(struct jb *b, const struct sums *s)
{
	json_t *o = json_object();

	put_int(b, o, "sessions", s->sessions);
	put_int(b, o, "financed", s->financed);
	put_int(b, o, "not_financed", s->not_financed);
	put_int(b, o, "hours", s->hours);
	put_int(b, o, "cost_cents", s->cost);
	return o;
}

/* The grand totals, per scheme and per provider (by SIRET). */
static json_t *
totals_json(struct jb *b, const struct rules_model *m)
{
	struct sums all = { 0 }, e1f = { 0 }, socle = { 0 }, *pv;
	const char **sir;
	json_t *o, *by, *a, *p;
	size_t i, k, n = 0;

	pv = calloc(m->nsessions + 1, sizeof(*pv));
	sir = calloc(m->nsessions + 1, sizeof(*sir));
	if (pv == NULL || sir == NULL) {
		free(pv);
		free(sir);
		b->err = E(NOMEM);
		return json_object();
	}
	for (i = 0; i < m->nsessions; i++) {
		const struct rm_session *x = &m->sessions[i];

		sums_add(&all, x);
		sums_add(strcmp(x->scheme, "socle") == 0 ? &socle : &e1f, x);
		for (k = 0; k < n && strcmp(sir[k], x->provider) != 0; k++)
			;
		if (k == n)
			sir[n++] = x->provider;
		sums_add(&pv[k], x);
	}
	o = sums_json(b, &all);
	by = json_object();
	put(b, by, "1e1f", sums_json(b, &e1f));
	put(b, by, "socle", sums_json(b, &socle));
	put(b, o, "by_scheme", by);
	a = json_array();
	/* providers by SIRET: selection order over a handful of members */
	for (;;) {
		long best = -1;

		for (k = 0; k < n; k++)
			if (sir[k] != NULL && (best < 0 || strcmp(sir[k],
			    sir[best]) < 0))
				best = (long)k;
		if (best < 0)
			break;
		p = sums_json(b, &pv[best]);
		put_str(b, p, "siret", sir[best]);
		put_str(b, p, "name", rules_member(m, sir[best]) ?
		    rules_member(m, sir[best])->name : "");
		push(b, a, p);
		sir[best] = NULL;
	}
	put(b, o, "by_provider", a);
	free(pv);
	free(sir);
	return o;
}

/* The consortium: its id, name and market. */
static int
consortium_json(struct jb *b, MDB_txn *txn, struct node *n, json_t *req)
{
	char hex[2 * CONSORT_HASH_BYTES + 1];
	const struct value *v;
	struct record r;
	json_t *o = json_object();
	int rc;

	record_init(&r);
	rc = state_lookup(txn, &n->store, n->founder, T_consortium, "consortium",
	    10, &r);
	util_hex(hex, n->consortium, CONSORT_HASH_BYTES);
	put_str(b, o, "id", hex);
	if (rc == 0) {
		v = state_field(&n->store, &r, F_consortium_name);
		put(b, o, "name", v && v->kind == VAL_STR ?
		    json_stringn(v->s, v->len) : json_string(""));
		v = state_field(&n->store, &r, F_consortium_market);
		put(b, o, "market", v && v->kind == VAL_STR ?
		    json_stringn(v->s, v->len) : json_string(""));
	}
	record_free(&r);
	put(b, req, "consortium", o);
	return rc;
}

/*
 * Builds the request body of a checked model (schema/order.md, "The
 * request body"; schema/rules.md).  The model must hold no error and no
 * conflict; txn is the transaction it was loaded in.
 */
int
order_request(MDB_txn *txn, struct node *n, const struct rules_model *m,
    const struct order_opts *o, json_t **out, struct consort_diag *d)
{
	char hex[2 * CONSORT_KEY_BYTES + 1];
	const struct rm_member *lead = rules_lead(m), *snd = NULL;
	const struct rm_lot *lot;
	struct jb b = { 0 };
	json_t *req, *x, *e1f, *socle;
	size_t *ix, i;
	int rc;

	*out = NULL;
	if (m->nlots != 1)
		return consort_diag_set(d, E(INVAL), o->lot, "a request covers "
		    "one lot", NULL);
	if (m->errors > 0 || m->conflicts > 0)
		return consort_diag_set(d, E(PERM), o->lot, "the rules refuse "
		    "this request", "fix or derogate the errors first");
	if (m->nsessions == 0)
		return consort_diag_set(d, E(NOENT), o->lot, "no session of the "
		    "lot starts in this period", "consort list session shows "
		    "their start dates");
	lot = &m->lots[0];
	if ((req = json_object()) == NULL)
		return E(NOMEM);
	put_str(&b, req, "format", ORDER_FORMAT);
	if ((rc = consortium_json(&b, txn, n, req)) != 0) {
		json_decref(req);
		return rc;
	}
	x = json_object();
	put_str(&b, x, "name", lead ? lead->name : "");
	put_str(&b, x, "siret", lead ? lead->siret : "");
	put_str(&b, x, "key", lead ? lead->key : "");
	put(&b, req, "lead", x);
	util_hex(hex, n->pk, CONSORT_KEY_BYTES);
	for (i = 0; i < m->nmembers; i++)
		if (strcmp(m->members[i].key, hex) == 0)
			snd = &m->members[i];
	x = json_object();
	put_str(&b, x, "role", snd ? snd->role : "");
	put_str(&b, x, "name", snd ? snd->name : "");
	put_str(&b, x, "siret", snd ? snd->siret : "");
	put_str(&b, x, "key", hex);
	put_bool(&b, x, "direct", o->direct);
	if (o->direct) {
		json_t *nt = json_object();

		put_str(&b, nt, "ref", o->notice ? o->notice : "");
		put_str(&b, nt, "date", o->notice_date ? o->notice_date : "");
		put(&b, x, "notice", nt);
	}
	put(&b, req, "sender", x);
	x = json_object();
	put_str(&b, x, "ref", lot->ref);
	put_opt(&b, x, "market_lot", lot->market_lot);
	put_str(&b, x, "sector", lot->sector);
	put_str(&b, x, "territory", lot->territory);
	put_int(&b, x, "rate_cents", lot->rate_cents);
	put_opt(&b, x, "rate_since", lot->rate_since);
	put(&b, req, "lot", x);
	put_str(&b, req, "period", o->period);
	x = json_object();
	put(&b, x, "heads", heads_json(&b, txn, &n->store));
	put(&b, req, "state", x);
	if ((ix = sessions_by_start(m)) == NULL) {
		json_decref(req);
		return E(NOMEM);
	}
	e1f = json_array();
	socle = json_array();
	for (i = 0; i < m->nsessions; i++) {
		const struct rm_session *s = &m->sessions[ix[i]];

		push(&b, strcmp(s->scheme, "socle") == 0 ? socle : e1f,
		    session_json(&b, m, s));
	}
	free(ix);
	put(&b, req, "sessions", e1f);
	put(&b, req, "socle", socle);
	put(&b, req, "lines", lines_json(&b, m));
	put(&b, req, "not_financed", not_financed_json(&b, m));
	put(&b, req, "withdrawn", withdrawn_json(&b, m));
	put(&b, req, "warnings", warnings_json(&b, m));
	put(&b, req, "derogations", derogations_json(&b, m));
	put(&b, req, "totals", totals_json(&b, m));
	if (b.err != 0) {
		json_decref(req);
		return b.err;
	}
	*out = req;
	return 0;
}

/*
 * Signs a request: the file is {"request": R, "signature": {"alg":
 * "ed25519", "key": HEX, "sig": HEX}} in canonical form (so the request's
 * bytes in the file are exactly the signed bytes), and a newline.
 */
int
order_sign(const json_t *request, const uint8_t pk[CONSORT_KEY_BYTES],
    const uint8_t sk[64], char **file, size_t *len)
{
	char khex[2 * CONSORT_KEY_BYTES + 1], shex[2 * CONSORT_SIG_BYTES + 1];
	uint8_t sig[CONSORT_SIG_BYTES];
	char *canon, *buf;
	size_t clen, n;
	int rc;

	*file = NULL;
	*len = 0;
	if ((rc = jcs_canonical(request, &canon, &clen)) != 0)
		return rc;
	if (crypto_sign_detached(sig, NULL, (const uint8_t *)canon, clen,
	    sk) != 0) {
		free(canon);
		return E(CRYPTO);
	}
	util_hex(khex, pk, CONSORT_KEY_BYTES);
	util_hex(shex, sig, CONSORT_SIG_BYTES);
	n = clen + 256;
	if ((buf = malloc(n)) == NULL) {
		free(canon);
		return E(NOMEM);
	}
	*len = (size_t)snprintf(buf, n, "{\"request\":%s,\"signature\":"
	    "{\"alg\":\"ed25519\",\"key\":\"%s\",\"sig\":\"%s\"}}\n", canon,
	    khex, shex);
	free(canon);
	*file = buf;
	return 0;
}

/* ---- reading a signed file ---- */

/* Frees what a parsed file holds. */
void
order_file_free(struct order_file *f)
{
	if (f == NULL)
		return;
	json_decref(f->root);
	free(f->canonical);
	memset(f, 0, sizeof(*f));
}

/* Reads a hex string member of exactly n bytes. */
static bool
hex_member(const json_t *o, const char *key, uint8_t *out, size_t n)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) && json_string_length(v) == 2 * n &&
	    util_unhex_n(out, n, json_string_value(v), 2 * n) == 0;
}

static void named_signer(struct order_file *f);

/*
 * Parses a signed request and checks its signature over the canonical
 * form of "request", with key (when not NULL) instead of the file's.
 * Returns 0 when the file is well formed (f->valid says whether the
 * signature holds), or an error naming what is malformed.
 */
int
order_parse(const char *buf, size_t len, const uint8_t *key,
    struct order_file *f, struct consort_diag *d)
{
	uint8_t sig[CONSORT_SIG_BYTES];
	json_error_t jerr;
	json_t *s, *alg;
	char where[256];

	memset(f, 0, sizeof(*f));
	if ((f->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		snprintf(where, sizeof(where), "line %d, column %d", jerr.line,
		    jerr.column);
		return consort_diag_set(d, E(SCHEMA), where, jerr.text,
		    "the file is not a JSON order request");
	}
	f->request = json_object_get(f->root, "request");
	s = json_object_get(f->root, "signature");
	if (!json_is_object(f->root) || json_object_size(f->root) != 2 ||
	    !json_is_object(f->request) || !json_is_object(s)) {
		order_file_free(f);
		return consort_diag_set(d, E(SCHEMA), NULL, "expected "
		    "{\"request\": {...}, \"signature\": {...}}",
		    "see schema/order.schema.json");
	}
	alg = json_object_get(s, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg),
	    "ed25519") != 0 || !hex_member(s, "key", f->file_key,
	    CONSORT_KEY_BYTES) || !hex_member(s, "sig", sig, CONSORT_SIG_BYTES)) {
		order_file_free(f);
		return consort_diag_set(d, E(SCHEMA), "signature", "expected "
		    "alg \"ed25519\", key (64 hex) and sig (128 hex)",
		    "see schema/order.schema.json");
	}
	memcpy(f->key, key != NULL ? key : f->file_key, CONSORT_KEY_BYTES);
	if (jcs_canonical(f->request, &f->canonical, &f->canonical_len) != 0) {
		order_file_free(f);
		return consort_diag_set(d, E(SCHEMA), "request", "holds a value "
		    "with no canonical form here (a real number, an integer "
		    "beyond 2^53, or nesting deeper than 64)", NULL);
	}
	crypto_hash_sha256(f->hash, (const uint8_t *)f->canonical,
	    f->canonical_len);
	f->valid = crypto_sign_verify_detached(sig,
	    (const uint8_t *)f->canonical, f->canonical_len, f->key) == 0;
	named_signer(f);
	return 0;
}

/*
 * Reads the signer a request names: the sender's key, which is the lead's
 * unless the request is a co-contractor's direct one (R11); and whether
 * the key the file was checked with is that one.
 */
static void
named_signer(struct order_file *f)
{
	const json_t *snd = json_object_get(f->request, "sender");
	const json_t *lead = json_object_get(f->request, "lead");
	uint8_t lk[CONSORT_KEY_BYTES];

	f->direct = json_is_true(json_object_get(snd, "direct"));
	f->has_named = hex_member(snd, "key", f->named, CONSORT_KEY_BYTES) &&
	    hex_member(lead, "key", lk, CONSORT_KEY_BYTES) &&
	    (f->direct || memcmp(lk, f->named, CONSORT_KEY_BYTES) == 0);
	f->named_signer = f->has_named && memcmp(f->key, f->named,
	    CONSORT_KEY_BYTES) == 0;
}

/*
 * What a parsed file proves: its signature holds with the key it was
 * checked with, and that key is the signer the request names.  A request
 * re-signed with any other key is not valid, whatever key checks it.
 */
enum order_verdict
order_verdict(const struct order_file *f)
{
	if (!f->valid)
		return ORDER_BAD_SIGNATURE;
	if (!f->named_signer)
		return ORDER_WRONG_SIGNER;
	return ORDER_VALID;
}

/*
 * The verdict in words, starting "valid", "INVALID" or "NOT SIGNED BY ITS
 * SENDER"; E(TOOBIG) if it does not fit in len bytes.
 */
int
order_verdict_text(const struct order_file *f, char *buf, size_t len)
{
	char key[2 * CONSORT_KEY_BYTES + 1], named[2 * CONSORT_KEY_BYTES + 1];
	const char *whose = f->direct ? "its sender's (a direct request, R11)" :
	    "the lead's";
	struct strbuf sb;

	util_hex(key, f->key, CONSORT_KEY_BYTES);
	util_hex(named, f->named, CONSORT_KEY_BYTES);
	strbuf_init(&sb, buf, len);
	switch (order_verdict(f)) {
	case ORDER_VALID:
		strbuf_printf(&sb, "valid, signed by %s key %s", whose, key);
		break;
	case ORDER_BAD_SIGNATURE:
		strbuf_printf(&sb, "INVALID: the request does not match its "
		    "signature with key %s", key);
		break;
	case ORDER_WRONG_SIGNER:
		if (f->has_named)
			strbuf_printf(&sb, "NOT SIGNED BY ITS SENDER: a signature "
			    "by key %s, but the request names %s key %s", key,
			    whose, named);
		else
			strbuf_printf(&sb, "NOT SIGNED BY ITS SENDER: a signature "
			    "by key %s, but the request names no signer (its "
			    "sender.key must be its lead.key unless it is direct)",
			    key);
		break;
	}
	return strbuf_end(&sb);
}

/* Reads and parses a signed request file (order_parse). */
int
order_load(const char *path, const uint8_t *key, struct order_file *f,
    struct consort_diag *d)
{
	FILE *fp;
	char *buf;
	long size;
	size_t n;
	int rc;

	memset(f, 0, sizeof(*f));
	if ((fp = fopen(path, "rb")) == NULL)
		return consort_diag_set(d, errno == ENOENT ? E(NOENT) : E(IO),
		    path, strerror(errno), NULL);
	if (fseek(fp, 0, SEEK_END) != 0 || (size = ftell(fp)) < 0 ||
	    fseek(fp, 0, SEEK_SET) != 0) {
		fclose(fp);
		return consort_diag_set(d, E(IO), path, "cannot read", NULL);
	}
	if ((unsigned long)size > ORDER_MAX_FILE) {
		fclose(fp);
		return consort_diag_set(d, E(TOOBIG), path, "over 64 MiB", NULL);
	}
	if ((buf = malloc((size_t)size + 1)) == NULL) {
		fclose(fp);
		return E(NOMEM);
	}
	n = fread(buf, 1, (size_t)size, fp);
	fclose(fp);
	rc = n == (size_t)size ? order_parse(buf, n, key, f, d) :
	    consort_diag_set(d, E(IO), path, "short read", NULL);
	if (rc != 0 && d != NULL && d->where[0] == '\0')
		snprintf(d->where, sizeof(d->where), "%s", path);
	else if (rc != 0 && d != NULL) {
		char w[4096 + sizeof(d->where)];

		snprintf(w, sizeof(w), "%s: %s", path, d->where);
		snprintf(d->where, sizeof(d->where), "%.255s", w);
	}
	free(buf);
	return rc;
}

/* ---- rendering a request: CSV, HTML, text ---- */

/* A string member of an object ("" when absent or not a string). */
static const char *
jstr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* An integer member of an object (0 when absent). */
static int64_t
jint(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* A boolean member of an object. */
static bool
jbool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* An array member of an object (an empty static array when absent). */
static const json_t *
jarr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

/* Number of elements of a possibly absent array. */
static size_t
jlen(const json_t *a)
{
	return a != NULL ? json_array_size(a) : 0;
}

/*
 * Formats cents as euros, French style: "12 345,67 €", with sep between
 * groups of thousands and before the euro sign.  Returns E(TOOBIG) (and
 * buf "") when it does not fit in len bytes.
 */
int
order_euros(char *buf, size_t len, int64_t cents, const char *sep)
{
	char digits[32];
	uint64_t u = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
	struct strbuf sb;
	size_t n, i;

	strbuf_init(&sb, buf, len);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(u / 100));
	n = strlen(digits);
	if (cents < 0)
		strbuf_puts(&sb, "-");
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			strbuf_puts(&sb, sep);
		strbuf_add(&sb, digits + i, 1);
	}
	strbuf_printf(&sb, ",%02u%s\xe2\x82\xac", (unsigned)(u % 100), sep);
	return strbuf_end(&sb);
}

/*
 * The bytes of a control character at p: C0 (tab, CR and LF included) and
 * DEL are one byte, C1 (U+0080 to U+009F) two in UTF-8; 0 for anything
 * else.
 */
static size_t
control_len(const char *p)
{
	unsigned char c = (unsigned char)p[0];

	if (c < 0x20 || c == 0x7f)
		return 1;
	if (c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
	    (unsigned char)p[1] <= 0x9f)
		return 2;
	return 0;
}

/* Whether s is a plain decimal number: an optional minus, digits, cents. */
static bool
plain_number(const char *s)
{
	size_t i = s[0] == '-', n;

	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
		;
	if (n == 0)
		return false;
	if (s[i] == '.') {
		for (i++, n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
			;
		if (n == 0)
			return false;
	}
	return s[i] == '\0';
}

/*
 * Whether a spreadsheet opening the cell would evaluate it: it starts with
 * = + - @ (or their full-width and small forms, U+FF1D U+FF0B U+FF0D
 * U+FF20 U+FE66 U+FE62 U+FE63 U+FE6B), tab or CR (OWASP, "CSV
 * Injection"), and is not a plain number.
 */
static bool
formula_like(const char *s)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
		"\xef\xbc\x8d", "\xef\xbc\xa0", "\xef\xb9\xa6", "\xef\xb9\xa2",
		"\xef\xb9\xa3", "\xef\xb9\xab" };
	size_t i;

	if (plain_number(s))
		return false;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		return true;
	for (i = 0; i < nitems(wide); i++)
		if (strncmp(s, wide[i], 3) == 0)
			return true;
	return false;
}

/*
 * Writes one CSV cell and its separator: the text's control characters
 * removed, a leading apostrophe when a spreadsheet would evaluate it
 * (formula_like), RFC 4180 quoting.
 */
static int
csv_cell(FILE *f, const char *s, bool last)
{
	size_t n = strlen(s), i, k = 0, c;
	char *t = malloc(n + 1), *p;

	if (t == NULL)
		return E(NOMEM);
	for (i = 0; i < n; ) {
		if ((c = control_len(s + i)) > 0) {
			i += c;
			continue;
		}
		t[k++] = s[i++];
	}
	t[k] = '\0';
	if (strpbrk(t, ",\"") == NULL) {
		if (formula_like(t))
			putc('\'', f);
		fputs(t, f);
	} else {
		putc('"', f);
		if (formula_like(t))
			putc('\'', f);
		for (p = t; *p; p++) {
			if (*p == '"')
				putc('"', f);
			putc(*p, f);
		}
		putc('"', f);
	}
	fputs(last ? "\r\n" : ",", f);
	free(t);
	return 0;
}

/* Writes an integer CSV cell. */
static int
csv_int(FILE *f, int64_t v, bool last)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return csv_cell(f, buf, last);
}

/* Writes an amount of cents as a CSV cell of euros with a point: -12.05. */
static int
csv_eur(FILE *f, int64_t cents, bool last)
{
	uint64_t u = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
	char buf[32];

	snprintf(buf, sizeof(buf), "%s%llu.%02u", cents < 0 ? "-" : "",
	    (unsigned long long)(u / 100), (unsigned)(u % 100));
	return csv_cell(f, buf, last);
}

/*
 * The warnings concerning one path (its own, its intent's, its session's)
 * as "R05 (derogation D1);R16"; E(TOOBIG) when they do not fit in sb.
 */
static int
path_warnings(const json_t *req, const char *session, const json_t *path,
    struct strbuf *sb)
{
	const json_t *w = jarr(req, "warnings"), *x;
	const char *intent = jstr(json_object_get(path, "intent"), "ref");
	size_t i;
	bool mine;

	for (i = 0; i < jlen(w); i++) {
		x = json_array_get(w, i);
		if (strcmp(jstr(x, "session"), session) != 0)
			continue;
		if (jstr(x, "path")[0])
			mine = strcmp(jstr(x, "path"), jstr(path, "ref")) == 0;
		else if (jstr(x, "intent")[0])
			mine = strcmp(jstr(x, "intent"), intent) == 0;
		else
			mine = true;  /* about the whole session */
		if (!mine)
			continue;
		strbuf_printf(sb, "%s%s", sb->len > 0 ? ";" : "", jstr(x, "rule"));
		if (jstr(x, "derogation")[0])
			strbuf_printf(sb, " (derogation %s)", jstr(x, "derogation"));
	}
	return strbuf_end(sb);
}

static const char *const csv_columns[] = {
	"lot", "period", "scheme", "session", "title", "provider_siret",
	"provider_name", "dc4", "site", "territory", "cert_kind", "cert_code",
	"start", "end", "path", "trainee", "hours", "modules", "financed",
	"part_time", "remunerated", "intent", "employer", "employer_siret",
	"contract", "intent_date", "intent_status", "rate_cents", "cost_cents",
	"cost_eur", "warnings",
};

/* The bytes of the warnings cell of one CSV row, its NUL included. */
#define CSV_WARNINGS_MAX 16384

/* Writes the CSV rows of one list of sessions. */
static int
csv_sessions(FILE *f, const json_t *req, const json_t *list,
    struct consort_diag *d)
{
	const json_t *lot = json_object_get(req, "lot"), *x, *paths, *p, *in;
	const json_t *pv, *cert;
	char *warn;
	struct strbuf sb;
	size_t i, k;
	int rc = 0;

	if ((warn = malloc(CSV_WARNINGS_MAX)) == NULL)
		return E(NOMEM);
	for (i = 0; rc == 0 && i < jlen(list); i++) {
		x = json_array_get(list, i);
		paths = jarr(x, "paths");
		pv = json_object_get(x, "provider");
		cert = json_object_get(x, "certification");
		for (k = 0; rc == 0 && k < jlen(paths); k++) {
			p = json_array_get(paths, k);
			in = json_object_get(p, "intent");
			strbuf_init(&sb, warn, CSV_WARNINGS_MAX);
			if (path_warnings(req, jstr(x, "ref"), p, &sb) != 0) {
				rc = consort_diag_set(d, E(TOOBIG), NULL, "the "
				    "warnings of one path do not fit in a CSV cell "
				    "(16 KiB)", "the file was not written by consort "
				    "order build");
				if (d != NULL)
					snprintf(d->where, sizeof(d->where),
					    "session %.100s, path %.100s", jstr(x, "ref"),
					    jstr(p, "ref"));
				break;
			}
			if ((rc = csv_cell(f, jstr(lot, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(req, "period"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "scheme"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "title"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(pv, "siret"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(pv, "name"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(json_object_get(x,
			    "subcontracting"), "dc4"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "site"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "territory"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(cert, "kind"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(cert, "code"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "start"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(x, "end"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(p, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(p, "trainee"), false)) != 0 ||
			    (rc = csv_int(f, jint(p, "hours"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(p, "modules"), false)) != 0 ||
			    (rc = csv_cell(f, jbool(p, "financed") ? "true" :
			    "false", false)) != 0 ||
			    (rc = csv_cell(f, jbool(p, "part_time") ? "true" :
			    "false", false)) != 0 ||
			    (rc = csv_cell(f, jbool(p, "remunerated") ? "true" :
			    "false", false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "employer"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "siret"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "contract"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "date"), false)) != 0 ||
			    (rc = csv_cell(f, jstr(in, "status"), false)) != 0 ||
			    (rc = csv_int(f, jint(lot, "rate_cents"), false)) != 0 ||
			    (rc = csv_int(f, jint(p, "cost_cents"), false)) != 0 ||
			    (rc = csv_eur(f, jint(p, "cost_cents"), false)) != 0 ||
			    (rc = csv_cell(f, warn, true)) != 0)
				break;
		}
	}
	free(warn);
	return rc;
}

/*
 * Writes a request as CSV: a header, then one row per path (1e1f
 * sessions, then socle), with its session, intent, cost and the rule ids
 * of the warnings about it.  Every cell is safe to open in a spreadsheet:
 * no control character, nothing it would evaluate as a formula.
 */
int
order_write_csv(FILE *out, const json_t *req, struct consort_diag *d)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < nitems(csv_columns); i++)
		rc = csv_cell(out, csv_columns[i], i + 1 == nitems(csv_columns));
	if (rc == 0)
		rc = csv_sessions(out, req, jarr(req, "sessions"), d);
	if (rc == 0)
		rc = csv_sessions(out, req, jarr(req, "socle"), d);
	if (rc == 0 && ferror(out))
		rc = E(IO);
	return rc;
}

/* Writes text with HTML's special characters escaped. */
static void
html(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: putc(*s, f);
		}
}

/* Writes a table cell holding escaped text. */
static void
td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html(f, s);
	fputs("</td>", f);
}

/* Writes a right-aligned table cell holding an integer. */
static void
td_int(FILE *f, int64_t v)
{
	fprintf(f, "<td class=\"n\">%lld</td>", (long long)v);
}

/* Writes a right-aligned table cell holding an amount in euros. */
static void
td_eur(FILE *f, int64_t cents)
{
	char buf[128];

	order_euros(buf, sizeof(buf), cents, "&nbsp;");
	fprintf(f, "<td class=\"n\" data-cents=\"%lld\">%s</td>",
	    (long long)cents, buf);
}

static const char html_style[] =
	"@page{size:A4;margin:14mm 12mm}"
	"body{font:10pt/1.35 -apple-system,'Segoe UI',Helvetica,Arial,"
	"sans-serif;color:#111;max-width:190mm;margin:0 auto;padding:8mm 0}"
	"h1{font-size:16pt;margin:0 0 2mm}h2{font-size:12pt;margin:6mm 0 2mm;"
	"border-bottom:1px solid #999}h3{font-size:10.5pt;margin:4mm 0 1mm}"
	"table{border-collapse:collapse;width:100%;margin:1mm 0 3mm}"
	"th,td{border:1px solid #bbb;padding:1mm 1.5mm;text-align:left;"
	"vertical-align:top}th{background:#eee}td.n{text-align:right;"
	"white-space:nowrap}tr.total td{font-weight:bold;background:#f6f6f6}"
	".meta td:first-child{width:32mm;font-weight:bold}"
	".warn{color:#8a4b00}.ok{color:#0a6b2a}.bad{color:#b00020}"
	".small{font-size:8.5pt;color:#555;word-break:break-all}"
	".banner{font-weight:bold;border:2px solid #b00020;padding:2mm;"
	"word-break:break-all}"
	"@media print{body{padding:0;max-width:none}section{break-inside:"
	"auto}h2,h3{break-after:avoid}tr{break-inside:avoid}thead{display:"
	"table-header-group}}";

/* Writes one session of the HTML page: its facts, paths and totals. */
static void
html_session(FILE *f, const json_t *x)
{
	const json_t *paths = jarr(x, "paths"), *p, *in, *t, *sub;
	const json_t *prov = json_object_get(x, "provider");
	size_t k;

	fputs("<h3>", f);
	html(f, jstr(x, "ref"));
	fputs(" — ", f);
	html(f, jstr(x, "title"));
	fputs("</h3>\n<table class=\"meta\"><tr><td>Provider</td><td>", f);
	html(f, jstr(prov, "name"));
	fputs(" (SIRET ", f);
	html(f, jstr(prov, "siret"));
	fputs(", ", f);
	html(f, jstr(prov, "role"));
	fputs(")", f);
	if ((sub = json_object_get(x, "subcontracting")) != NULL) {
		fputs("; subcontractor of ", f);
		html(f, jstr(json_object_get(sub, "for"), "name"));
		fputs(", DC4 ", f);
		html(f, jstr(sub, "dc4"));
	}
	fputs("</td></tr><tr><td>Site</td><td>", f);
	html(f, jstr(x, "site"));
	fputs(" (", f);
	html(f, jstr(x, "territory"));
	fputs(")", f);
	if (jstr(x, "territory_agreement")[0]) {
		fputs("; Region's agreement: ", f);
		html(f, jstr(x, "territory_agreement"));
	}
	fputs("</td></tr><tr><td>Certification</td><td>", f);
	html(f, jstr(json_object_get(x, "certification"), "kind"));
	fputs(" ", f);
	html(f, jstr(json_object_get(x, "certification"), "code"));
	fputs("</td></tr><tr><td>Dates</td><td>", f);
	html(f, jstr(x, "start"));
	fputs(" to ", f);
	html(f, jstr(x, "end"));
	fprintf(f, ", %lld h planned, "
	    "%lld financed places%s, %lld employer%s</td></tr></table>\n",
	    (long long)jint(x, "hours"),
	    (long long)jint(x, "capacity"), jbool(x, "permanent_entry") ?
	    ", permanent entry" : "", (long long)jint(x, "employers"),
	    jint(x, "employers") == 1 ? "" : "s");
	fputs("<table><thead><tr><th>Path</th><th>Trainee</th><th>Hours</th>"
	    "<th>Modules</th><th>Intent</th><th>Employer</th><th>Contract</th>"
	    "<th>Financed</th><th>Cost</th></tr></thead><tbody>\n", f);
	for (k = 0; k < jlen(paths); k++) {
		p = json_array_get(paths, k);
		in = json_object_get(p, "intent");
		fputs("<tr>", f);
		td(f, jstr(p, "ref"));
		td(f, jstr(p, "trainee"));
		td_int(f, jint(p, "hours"));
		td(f, jstr(p, "modules"));
		td(f, jstr(in, "ref"));
		td(f, jstr(in, "employer"));
		td(f, jstr(in, "contract"));
		td(f, jbool(p, "financed") ? "yes" : "no (R06)");
		td_eur(f, jint(p, "cost_cents"));
		fputs("</tr>\n", f);
	}
	t = json_object_get(x, "totals");
	fprintf(f, "<tr class=\"total\"><td colspan=\"2\">Session total: %lld "
	    "financed</td>", (long long)jint(t, "financed"));
	td_int(f, jint(t, "hours"));
	fputs("<td colspan=\"5\"></td>", f);
	td_eur(f, jint(t, "cost_cents"));
	fputs("</tr></tbody></table>\n", f);
}

/* Writes a list of sessions with a heading. */
static void
html_sessions(FILE *f, const json_t *list, const char *title)
{
	size_t i;

	fprintf(f, "<section><h2>%s (%zu)</h2>\n", title, jlen(list));
	for (i = 0; i < jlen(list); i++)
		html_session(f, json_array_get(list, i));
	fputs("</section>\n", f);
}

/* Writes the totals table: all, per scheme, per provider. */
static void
html_totals(FILE *f, const json_t *t)
{
	const json_t *bp = jarr(t, "by_provider"), *p;
	const json_t *bs = json_object_get(t, "by_scheme");
	static const char *const schemes[] = { "1e1f", "socle" };
	size_t i;

	fputs("<section><h2>Totals</h2><table><thead><tr><th></th><th>Sessions"
	    "</th><th>Financed trainees</th><th>Not financed</th><th>Hours</th>"
	    "<th>Cost</th></tr></thead><tbody>\n", f);
	for (i = 0; i < nitems(schemes); i++) {
		p = json_object_get(bs, schemes[i]);
		fprintf(f, "<tr><td>%s sessions</td>", schemes[i]);
		td_int(f, jint(p, "sessions"));
		td_int(f, jint(p, "financed"));
		td_int(f, jint(p, "not_financed"));
		td_int(f, jint(p, "hours"));
		td_eur(f, jint(p, "cost_cents"));
		fputs("</tr>\n", f);
	}
	fputs("<tr class=\"total\"><td>Total</td>", f);
	td_int(f, jint(t, "sessions"));
	td_int(f, jint(t, "financed"));
	td_int(f, jint(t, "not_financed"));
	td_int(f, jint(t, "hours"));
	td_eur(f, jint(t, "cost_cents"));
	fputs("</tr></tbody></table>\n<h3>Per provider</h3><table><thead><tr>"
	    "<th>Provider</th><th>SIRET</th><th>Sessions</th><th>Financed "
	    "trainees</th><th>Hours</th><th>Cost</th></tr></thead><tbody>\n", f);
	for (i = 0; i < jlen(bp); i++) {
		p = json_array_get(bp, i);
		fputs("<tr>", f);
		td(f, jstr(p, "name"));
		td(f, jstr(p, "siret"));
		td_int(f, jint(p, "sessions"));
		td_int(f, jint(p, "financed"));
		td_int(f, jint(p, "hours"));
		td_eur(f, jint(p, "cost_cents"));
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

/* Writes the warnings, derogations, withdrawals and unfinanced trainees. */
static void
html_notes(FILE *f, const json_t *req)
{
	const json_t *w = jarr(req, "warnings"), *d = jarr(req, "derogations");
	const json_t *wd = jarr(req, "withdrawn"), *nf = jarr(req,
	    "not_financed"), *x;
	size_t i;

	fprintf(f, "<section><h2>Warnings (%zu)</h2>\n", jlen(w));
	if (jlen(w) > 0)
		fputs("<table><thead><tr><th>Rule</th><th>Record</th><th>"
		    "Message</th><th>Derogation</th></tr></thead><tbody>\n", f);
	for (i = 0; i < jlen(w); i++) {
		x = json_array_get(w, i);
		fputs("<tr class=\"warn\">", f);
		td(f, jstr(x, "rule"));
		fputs("<td>", f);
		html(f, jstr(x, "type"));
		fputs(" ", f);
		html(f, jstr(x, "ref"));
		fputs("</td>", f);
		td(f, jstr(x, "message"));
		td(f, jstr(x, "derogation"));
		fputs("</tr>\n", f);
	}
	fputs(jlen(w) > 0 ? "</tbody></table></section>\n" :
	    "<p>None.</p></section>\n", f);
	fprintf(f, "<section><h2>Derogations (%zu)</h2>\n", jlen(d));
	if (jlen(d) > 0)
		fputs("<table><thead><tr><th>Ref</th><th>Rule</th><th>Session"
		    "</th><th>Intent</th><th>Reason</th><th>Date</th><th>"
		    "Recorded by</th></tr></thead><tbody>\n", f);
	for (i = 0; i < jlen(d); i++) {
		x = json_array_get(d, i);
		fputs("<tr>", f);
		td(f, jstr(x, "ref"));
		td(f, jstr(x, "rule"));
		td(f, jstr(x, "session"));
		td(f, jstr(x, "intent"));
		td(f, jstr(x, "reason"));
		td(f, jstr(x, "date"));
		fputs("<td>", f);
		html(f, jstr(json_object_get(x, "author"), "name"));
		fputs(" (", f);
		html(f, jstr(json_object_get(x, "author"), "siret"));
		fputs(")</td></tr>\n", f);
	}
	fputs(jlen(d) > 0 ? "</tbody></table></section>\n" :
	    "<p>None.</p></section>\n", f);
	fprintf(f, "<section><h2>Withdrawn intents (R16) (%zu)</h2>\n", jlen(wd));
	if (jlen(wd) > 0)
		fputs("<table><thead><tr><th>Intent</th><th>Employer</th><th>Path"
		    "</th><th>Session</th><th>Date</th><th>Reason</th><th>"
		    "Follow-up</th></tr></thead><tbody>\n", f);
	for (i = 0; i < jlen(wd); i++) {
		x = json_array_get(wd, i);
		fputs("<tr>", f);
		td(f, jstr(x, "intent"));
		td(f, jstr(x, "employer"));
		td(f, jstr(x, "path"));
		td(f, jstr(x, "session"));
		td(f, jstr(x, "date"));
		td(f, jstr(x, "reason"));
		td(f, jstr(x, "followup"));
		fputs("</tr>\n", f);
	}
	fputs(jlen(wd) > 0 ? "</tbody></table></section>\n" :
	    "<p>None.</p></section>\n", f);
	fprintf(f, "<section><h2>Not financed by the Region (R06) (%zu)</h2>\n",
	    jlen(nf));
	if (jlen(nf) > 0)
		fputs("<table><thead><tr><th>Path</th><th>Session</th><th>Trainee"
		    "</th><th>Hours</th></tr></thead><tbody>\n", f);
	for (i = 0; i < jlen(nf); i++) {
		x = json_array_get(nf, i);
		fputs("<tr>", f);
		td(f, jstr(x, "path"));
		td(f, jstr(x, "session"));
		td(f, jstr(x, "trainee"));
		td_int(f, jint(x, "hours"));
		fputs("</tr>\n", f);
	}
	fputs(jlen(nf) > 0 ? "</tbody></table></section>\n" :
	    "<p>None.</p></section>\n", f);
}

/* Writes the order lines of R12. */
static void
html_lines(FILE *f, const json_t *lines)
{
	const json_t *x;
	size_t i;

	fprintf(f, "<section><h2>Order lines, in the order the requests were "
	    "made (R12) (%zu)</h2>\n<table><thead><tr><th>#</th><th>Intent "
	    "date</th><th>Intent</th><th>Path</th><th>Session</th><th>Trainee"
	    "</th><th>Hours</th><th>Cost</th></tr></thead><tbody>\n",
	    jlen(lines));
	for (i = 0; i < jlen(lines); i++) {
		x = json_array_get(lines, i);
		fputs("<tr>", f);
		td_int(f, jint(x, "n"));
		td(f, jstr(x, "date"));
		td(f, jstr(x, "intent"));
		td(f, jstr(x, "path"));
		td(f, jstr(x, "session"));
		td(f, jstr(x, "trainee"));
		td_int(f, jint(x, "hours"));
		td_eur(f, jint(x, "cost_cents"));
		fputs("</tr>\n", f);
	}
	fputs("</tbody></table></section>\n", f);
}

/*
 * Writes a request as one self-contained printable HTML page (inline CSS,
 * no external asset): header, totals per scheme and per provider, each
 * session with its paths and totals, the lines of R12, warnings,
 * derogations, withdrawals, unfinanced trainees, and the signature.
 */
int
order_write_html(FILE *f, const struct order_file *of)
{
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	const json_t *c = json_object_get(req, "consortium");
	const json_t *lead = json_object_get(req, "lead");
	const json_t *snd = json_object_get(req, "sender");
	char khex[2 * CONSORT_KEY_BYTES + 1], hhex[65], rate[64], verdict[512];
	bool ok = order_verdict(of) == ORDER_VALID;
	int rc;

	util_hex(khex, of->key, CONSORT_KEY_BYTES);
	util_hex(hhex, of->hash, 32);
	if ((rc = order_verdict_text(of, verdict, sizeof(verdict))) != 0)
		return rc;
	order_euros(rate, sizeof(rate), jint(lot, "rate_cents"), "&nbsp;");
	fputs("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">"
	    "\n<title>Order request ", f);
	html(f, jstr(lot, "ref"));
	fputs(" ", f);
	html(f, jstr(req, "period"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", html_style);
	if (!ok) {
		/* first, before anything the file says about itself */
		fputs("<p class=\"bad banner\">Signature ", f);
		html(f, verdict);
		fputs("</p>\n", f);
	}
	fputs("<header><h1>Order request (demande de bon de commande) — ", f);
	html(f, jstr(lot, "ref"));
	fputs(", ", f);
	html(f, jstr(req, "period"));
	fputs("</h1>\n<table class=\"meta\"><tr><td>Consortium</td><td>", f);
	html(f, jstr(c, "name"));
	fputs(" — market ", f);
	html(f, jstr(c, "market"));
	fputs("</td></tr><tr><td>Lead</td><td>", f);
	html(f, jstr(lead, "name"));
	fputs(" (SIRET ", f);
	html(f, jstr(lead, "siret"));
	fputs(")</td></tr><tr><td>Sent by</td><td>", f);
	html(f, jstr(snd, "name"));
	fputs(" (", f);
	html(f, jstr(snd, "role"));
	fputs(")", f);
	if (jbool(snd, "direct")) {
		fputs(", direct request; notice to the lead ", f);
		html(f, jstr(json_object_get(snd, "notice"), "ref"));
		fputs(" of ", f);
		html(f, jstr(json_object_get(snd, "notice"), "date"));
	}
	fputs("</td></tr><tr><td>Lot</td><td>", f);
	html(f, jstr(lot, "ref"));
	if (jstr(lot, "market_lot")[0]) {
		fputs(" (", f);
		html(f, jstr(lot, "market_lot"));
		fputs(")", f);
	}
	fputs(" — ", f);
	html(f, jstr(lot, "sector"));
	fputs(", territory ", f);
	html(f, jstr(lot, "territory"));
	fprintf(f, ", %s per trainee hour", rate);
	if (jstr(lot, "rate_since")[0]) {
		fputs(" since ", f);
		html(f, jstr(lot, "rate_since"));
	}
	fprintf(f, "</td></tr><tr><td>Signature</td><td class=\"%s\">",
	    ok ? "ok" : "bad");
	html(f, verdict);
	fprintf(f, " (Ed25519)<div class=\"small\">key %s<br>SHA-256 of the "
	    "canonical request %s</div></td></tr></table></header>\n", khex, hhex);
	html_totals(f, json_object_get(req, "totals"));
	html_sessions(f, jarr(req, "sessions"), "Sessions 1 emploi = 1 formation");
	html_sessions(f, jarr(req, "socle"), "Baseline sessions (socle, R20)");
	html_lines(f, jarr(req, "lines"));
	html_notes(f, req);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? E(IO) : 0;
}

/* Writes a short text summary of a request. */
int
order_write_text(FILE *f, const struct order_file *of)
{
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	const json_t *t = json_object_get(req, "totals"), *x, *bp;
	const json_t *snd = json_object_get(req, "sender");
	const json_t *bs = json_object_get(t, "by_scheme");
	char hhex[65], eur[64], verdict[512];
	size_t i;
	int rc;

	util_hex(hhex, of->hash, 32);
	if ((rc = order_verdict_text(of, verdict, sizeof(verdict))) != 0)
		return rc;
	fprintf(f, "signature   %s\n", verdict);
	fprintf(f, "order request %s %s\n", jstr(lot, "ref"), jstr(req, "period"));
	fprintf(f, "sha256      %s\n", hhex);
	fprintf(f, "consortium  %s (market %s)\n",
	    jstr(json_object_get(req, "consortium"), "name"),
	    jstr(json_object_get(req, "consortium"), "market"));
	fprintf(f, "lead        %s (%s)\n", jstr(json_object_get(req, "lead"),
	    "name"), jstr(json_object_get(req, "lead"), "siret"));
	fprintf(f, "sender      %s (%s)%s%s\n", jstr(snd, "name"), jstr(snd,
	    "role"), jbool(snd, "direct") ? ", direct; notice " : "",
	    jstr(json_object_get(snd, "notice"), "ref"));
	order_euros(eur, sizeof(eur), jint(lot, "rate_cents"), " ");
	fprintf(f, "lot         %s %s, territory %s, %s per hour\n",
	    jstr(lot, "ref"), jstr(lot, "sector"), jstr(lot, "territory"), eur);
	fprintf(f, "sessions    %lld (%lld 1e1f, %lld socle), %lld financed "
	    "trainees, %lld not financed\n", (long long)jint(t, "sessions"),
	    (long long)jint(json_object_get(bs, "1e1f"), "sessions"),
	    (long long)jint(json_object_get(bs, "socle"), "sessions"),
	    (long long)jint(t, "financed"), (long long)jint(t, "not_financed"));
	order_euros(eur, sizeof(eur), jint(t, "cost_cents"), " ");
	fprintf(f, "total       %lld h, %s (%lld cents)\n",
	    (long long)jint(t, "hours"), eur, (long long)jint(t, "cost_cents"));
	bp = jarr(t, "by_provider");
	for (i = 0; i < jlen(bp); i++) {
		x = json_array_get(bp, i);
		order_euros(eur, sizeof(eur), jint(x, "cost_cents"), " ");
		fprintf(f, "  %s %s: %lld sessions, %lld financed, %lld h, %s\n",
		    jstr(x, "siret"), jstr(x, "name"), (long long)jint(x,
		    "sessions"), (long long)jint(x, "financed"),
		    (long long)jint(x, "hours"), eur);
	}
	x = jarr(req, "warnings");
	fprintf(f, "warnings    %zu\n", jlen(x));
	for (i = 0; i < jlen(x); i++)
		fprintf(f, "  %s %s%s%s\n", jstr(json_array_get(x, i), "rule"),
		    jstr(json_array_get(x, i), "message"),
		    jstr(json_array_get(x, i), "derogation")[0] ?
		    "; derogation " : "", jstr(json_array_get(x, i),
		    "derogation"));
	x = jarr(req, "derogations");
	fprintf(f, "derogations %zu\n", jlen(x));
	for (i = 0; i < jlen(x); i++) {
		const json_t *d = json_array_get(x, i);

		fprintf(f, "  %s %s session %s%s%s: %s (%s, by %s)\n", jstr(d, "ref"),
		    jstr(d, "rule"), jstr(d, "session"), jstr(d, "intent")[0] ?
		    " intent " : "", jstr(d, "intent"), jstr(d, "reason"),
		    jstr(d, "date"), jstr(json_object_get(d, "author"), "name"));
	}
	return ferror(f) ? E(IO) : 0;
}

/* ---- comparing two requests (an amendment) ---- */

/* The bytes of an element's key and of a place in a diff, NUL included. */
#define DIFF_KEY_MAX 1024
#define DIFF_AT_MAX 4096

/*
 * The key that matches an array element across two requests; E(TOOBIG)
 * when it does not fit (two long keys must never be cut into one).
 */
static int
elem_key(const json_t *e, size_t idx, char *buf, size_t len)
{
	struct strbuf sb;

	strbuf_init(&sb, buf, len);
	if (json_is_object(e) && jstr(e, "message")[0])
		strbuf_printf(&sb, "%s %s %s %s", jstr(e, "rule"), jstr(e, "ref"),
		    jstr(e, "path"), jstr(e, "intent"));
	else if (json_is_object(e) && jstr(e, "ref")[0])
		strbuf_puts(&sb, jstr(e, "ref"));
	else if (json_is_object(e) && jstr(e, "path")[0])
		strbuf_puts(&sb, jstr(e, "path"));
	else
		strbuf_printf(&sb, "#%zu", idx);
	return strbuf_end(&sb);
}

/* The element of an array with a key, or NULL. */
static const json_t *
elem_find(struct jb *b, const json_t *a, const char *key)
{
	char k[DIFF_KEY_MAX];
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		if (elem_key(json_array_get(a, i), i, k, sizeof(k)) != 0) {
			b->err = b->err ? b->err : E(TOOBIG);
			return NULL;
		}
		if (strcmp(k, key) == 0)
			return json_array_get(a, i);
	}
	return NULL;
}

/* Appends one change {op, at, old?, new?}. */
static void
change(struct jb *b, json_t *out, const char *op, const char *at,
    const json_t *old, const json_t *new)
{
	json_t *c = json_object();

	put_str(b, c, "op", op);
	put_str(b, c, "at", at);
	if (old != NULL)
		put(b, c, "old", json_deep_copy(old));
	if (new != NULL)
		put(b, c, "new", json_deep_copy(new));
	push(b, out, c);
}

/* The place of a member or element below at: "at.k" or "at[k]". */
static bool
place(struct jb *b, char *sub, const char *at, const char *k, bool elem)
{
	struct strbuf sb;

	strbuf_init(&sb, sub, DIFF_AT_MAX);
	if (elem)
		strbuf_printf(&sb, "%s[%s]", at, k);
	else
		strbuf_printf(&sb, "%s%s%s", at, at[0] ? "." : "", k);
	if (strbuf_end(&sb) != 0) {
		b->err = b->err ? b->err : E(TOOBIG);
		return false;
	}
	return true;
}

/* Compares two values at a place of the request, recursively. */
static void
diff_value(struct jb *b, json_t *out, const char *at, const json_t *x,
    const json_t *y, int depth)
{
	char *sub, key[DIFF_KEY_MAX];
	const char *k;
	const json_t *v;
	size_t i;

	if (b->err != 0 || depth > 16)
		return;
	if (x == NULL || y == NULL) {
		change(b, out, x == NULL ? "added" : "removed", at, x, y);
		return;
	}
	if (!(json_is_object(x) && json_is_object(y)) &&
	    !(json_is_array(x) && json_is_array(y))) {
		if (!json_equal((json_t *)x, (json_t *)y))
			change(b, out, "changed", at, x, y);
		return;
	}
	if ((sub = malloc(DIFF_AT_MAX)) == NULL) {
		b->err = E(NOMEM);
		return;
	}
	if (json_is_object(x)) {
		json_object_foreach((json_t *)x, k, v) {
			/* the log state always moves; line numbers follow the lines */
			if ((depth == 0 && strcmp(k, "state") == 0) ||
			    (strncmp(at, "lines[", 6) == 0 && strcmp(k, "n") == 0))
				continue;
			if (!place(b, sub, at, k, false))
				break;
			diff_value(b, out, sub, v, json_object_get(y, k), depth + 1);
		}
		json_object_foreach((json_t *)y, k, v) {
			if (json_object_get(x, k) != NULL)
				continue;
			if (!place(b, sub, at, k, false))
				break;
			diff_value(b, out, sub, NULL, v, depth + 1);
		}
	} else {
		for (i = 0; b->err == 0 && i < json_array_size(x); i++) {
			if (elem_key(json_array_get(x, i), i, key, sizeof(key)) != 0 ||
			    !place(b, sub, at, key, true)) {
				b->err = b->err ? b->err : E(TOOBIG);
				break;
			}
			diff_value(b, out, sub, json_array_get(x, i),
			    elem_find(b, y, key), depth + 1);
		}
		for (i = 0; b->err == 0 && i < json_array_size(y); i++) {
			if (elem_key(json_array_get(y, i), i, key, sizeof(key)) != 0) {
				b->err = E(TOOBIG);
				break;
			}
			if (elem_find(b, x, key) != NULL || b->err != 0)
				continue;
			if (!place(b, sub, at, key, true))
				break;
			diff_value(b, out, sub, NULL, json_array_get(y, i), depth + 1);
		}
	}
	free(sub);
}

/*
 * Compares two request bodies: {"lot", "period", "same_period", "changes":
 * [{"op": "added" | "removed" | "changed", "at": PLACE, "old", "new"}]},
 * where PLACE names array elements by ref (sessions[S1].paths[P2].hours).
 * The log state (heads) and line numbers are left out.
 */
int
order_diff(const json_t *old, const json_t *new, json_t **out)
{
	struct jb b = { 0 };
	json_t *o = json_object(), *c = json_array();

	*out = NULL;
	put_str(&b, o, "lot", jstr(json_object_get(new, "lot"), "ref"));
	put_str(&b, o, "period", jstr(new, "period"));
	put_bool(&b, o, "same_period", strcmp(jstr(json_object_get(old, "lot"),
	    "ref"), jstr(json_object_get(new, "lot"), "ref")) == 0 &&
	    strcmp(jstr(old, "period"), jstr(new, "period")) == 0);
	diff_value(&b, c, "", old, new, 0);
	put(&b, o, "changes", c);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}

/* ---- records in the log: the notice of R11, a submitted request ---- */

/* Today's date (UTC) as YYYY-MM-DD: the date a record is made. */
static void
today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Appends a field input of a type, by wire id. */
static void
input(struct field_input *in, unsigned *n, const struct schema_type *t,
    unsigned field, struct value v)
{
	in[*n].f = schema_field(t, field);
	in[*n].v = v;
	(*n)++;
}

/* A string value over a C string. */
static struct value
vstr(const char *s)
{
	return (struct value){ VAL_STR, false, 0, s, (uint32_t)strlen(s) };
}

/* An integer value. */
static struct value
vint(int64_t i)
{
	return (struct value){ VAL_INT, false, i, NULL, 0 };
}

/*
 * Checks that the refs of a lot's notices and orders fit in a record ref:
 * a lot ref longer than ORDER_LOT_REF_MAX cannot be ordered.
 */
int
order_lot_ref_check(const char *lot, struct consort_diag *d)
{
	char what[160];

	if (strlen(lot) <= ORDER_LOT_REF_MAX)
		return 0;
	snprintf(what, sizeof(what), "a ref of %zu bytes: the refs of its "
	    "orders and notices would not fit in %d bytes; a lot that is "
	    "ordered has a ref of at most %d bytes", strlen(lot),
	    CONSORT_REF_MAX, ORDER_LOT_REF_MAX);
	return consort_diag_set(d, E(TOOBIG), "lot", what, "record the "
	    "sessions under a lot with a shorter ref (schema/order.md)");
}

/*
 * Builds the ref of a record of the log from a format: E(TOOBIG) when it
 * would be longer than a ref may be (never cut: a cut ref would name
 * another record).
 */
static int
log_ref(char *ref, size_t len, struct consort_diag *d, const char *fmt, ...)
{
	struct strbuf sb;
	va_list ap;

	strbuf_init(&sb, ref, len < CONSORT_REF_MAX + 1 ? len :
	    CONSORT_REF_MAX + 1);
	va_start(ap, fmt);
	strbuf_vprintf(&sb, fmt, ap);
	va_end(ap);
	if (strbuf_end(&sb) != 0)
		return consort_diag_set(d, E(TOOBIG), "lot", "the ref of an "
		    "order or notice of this lot would not fit in a ref",
		    "a lot that is ordered has a short ref (schema/order.md)");
	return 0;
}

/* The ref of a co-contractor's notice for (lot, period): N-LOT-PERIOD-SIRET. */
static int
notice_ref(char *ref, size_t len, const char *lot, const char *period,
    const char *member, struct consort_diag *d)
{
	return log_ref(ref, len, d, "N-%s-%s-%s", lot, period, member);
}

/*
 * The ref of a submitted request: O-LOT-PERIOD- and the first 12 hex
 * digits of its hash; E(TOOBIG) when it would not fit in a ref.
 */
int
order_ref(char *ref, size_t len, const char *lot, const char *period,
    const char *hash_hex, struct consort_diag *d)
{
	return log_ref(ref, len, d, "O-%s-%s-%.12s", lot, period, hash_hex);
}

/* Finds the notice a co-contractor recorded for (lot, period): its ref and date. */
int
order_find_notice(MDB_txn *txn, struct store *s, const char *lot,
    const char *period, const char *member, char *ref, size_t reflen,
    char date[11])
{
	const struct value *v;
	struct record r;
	int rc;

	if ((rc = notice_ref(ref, reflen, lot, period, member, NULL)) != 0)
		return rc;
	record_init(&r);
	rc = state_lookup(txn, s, s->founder, T_notice, ref, strlen(ref), &r);
	if (rc == 0 && !record_alive(s, &r))
		rc = E(NOENT);
	date[0] = '\0';
	if (rc == 0 && (v = state_field(s, &r, F_notice_date)) != NULL &&
	    v->kind == VAL_STR &&
	    v->len == 10) {
		memcpy(date, v->s, 10);
		date[10] = '\0';
	}
	record_free(&r);
	return rc;
}

/*
 * Records, in the edit's change-set, the notice by which a co-contractor
 * informs the lead of its direct request (R11), unless it is recorded
 * already; its ref is N-LOT-PERIOD-SIRET.
 */
int
order_record_notice(struct edit *e, const struct order_opts *o,
    const char *member, const char *lead, char *ref, size_t reflen,
    bool *recorded, struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_notice);
	struct field_input in[8];
	char date[11];
	unsigned n = 0;
	bool changed;
	int rc;

	*recorded = false;
	rc = order_find_notice(e->txn, &e->n->store, o->lot, o->period, member,
	    ref, reflen, date);
	if (rc != E(NOENT))
		return rc;
	today(date);
	input(in, &n, t, F_notice_lot, vstr(o->lot));
	input(in, &n, t, F_notice_period, vstr(o->period));
	input(in, &n, t, F_notice_member, vstr(member));
	input(in, &n, t, F_notice_lead, vstr(lead));
	input(in, &n, t, F_notice_date, vstr(date));
	if ((rc = records_put(e, t, ref, strlen(ref), in, n, PUT_ADD, true,
	    &changed, d)) != 0)
		return rc;
	*recorded = true;
	return 0;
}

/*
 * Records a submitted request as an order record (schema/order.md): the
 * signed file itself in its canonical form, and what every node checks
 * against it (perm-order.c): lot, period, SHA-256 of the canonical
 * request, the signer's key and signature, totals, sender, the number of
 * the request for its lot and period and the earlier request it amends.
 * Only the member who signed it submits it; submitting it again changes
 * nothing.
 */
int
order_submit(struct edit *e, const struct order_file *f, char *ref,
    size_t reflen, bool *already, struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_order);
	const struct schema_field *fs = schema_field(t, F_order_signed);
	const json_t *req = f->request, *tot, *snd;
	struct field_input in[16];
	struct record r;
	char hhex[65], khex[65], date[11], prior[CONSORT_REF_MAX + 1], what[160];
	const char *lot, *period, *sig;
	char *file = NULL;
	size_t flen = 0;
	int64_t number;
	unsigned n = 0;
	bool changed;
	int rc;

	*already = false;
	if (!f->valid)
		return consort_diag_set(d, E(SIGNATURE), NULL, "the request does "
		    "not match its signature", "rebuild it (consort order build)");
	if (memcmp(f->file_key, e->n->pk, CONSORT_KEY_BYTES) != 0 ||
	    memcmp(f->key, e->n->pk, CONSORT_KEY_BYTES) != 0)
		return consort_diag_set(d, E(PERM), NULL, "this node did not sign "
		    "the request", "the member who built and signed it submits it");
	lot = jstr(json_object_get(req, "lot"), "ref");
	period = jstr(req, "period");
	tot = json_object_get(req, "totals");
	snd = json_object_get(req, "sender");
	sig = jstr(json_object_get(f->root, "signature"), "sig");
	if (!lot[0] || !order_period_valid(period) || !json_is_object(tot))
		return consort_diag_set(d, E(SCHEMA), "request", "not an order "
		    "request (no lot, period or totals)", NULL);
	util_hex(hhex, f->hash, 32);
	util_hex(khex, f->key, CONSORT_KEY_BYTES);
	if ((rc = order_ref(ref, reflen, lot, period, hhex, d)) != 0)
		return rc;
	record_init(&r);
	rc = state_lookup(e->txn, &e->n->store, e->n->founder, T_order, ref,
	    strlen(ref), &r);
	*already = rc == 0 && record_alive(&e->n->store, &r);
	record_free(&r);
	if (rc != 0 || *already)
		return rc;
	/* the record holds the signed file, as every node verifies it */
	if ((rc = jcs_canonical(f->root, &file, &flen)) != 0)
		return consort_diag_set(d, rc, "request", "has no canonical form",
		    NULL);
	if ((int64_t)flen > fs->hi) {
		free(file);
		snprintf(what, sizeof(what), "the signed request is %zu bytes; "
		    "an order record holds at most %lld", flen, (long long)fs->hi);
		return consort_diag_set(d, E(TOOBIG), "request", what, NULL);
	}
	if ((rc = perm_order_prior(e->txn, &e->n->store, NULL, lot, strlen(lot),
	    period, &number, prior, sizeof(prior))) != 0) {
		free(file);
		return rc;
	}
	today(date);
	input(in, &n, t, F_order_lot, vstr(lot));
	input(in, &n, t, F_order_period, vstr(period));
	input(in, &n, t, F_order_hash, vstr(hhex));
	input(in, &n, t, F_order_key, vstr(khex));
	input(in, &n, t, F_order_signature, vstr(sig));
	input(in, &n, t, F_order_date, vstr(date));
	input(in, &n, t, F_order_sessions, vint(jint(tot, "sessions")));
	input(in, &n, t, F_order_financed, vint(jint(tot, "financed")));
	input(in, &n, t, F_order_hours, vint(jint(tot, "hours")));
	input(in, &n, t, F_order_cost_cents, vint(jint(tot, "cost_cents")));
	input(in, &n, t, F_order_sender, vstr(jstr(snd, "siret")));
	input(in, &n, t, F_order_direct, (struct value){ VAL_BOOL,
	    jbool(snd, "direct"), 0, NULL, 0 });
	input(in, &n, t, F_order_number, vint(number + 1));
	input(in, &n, t, F_order_signed, (struct value){ VAL_STR, false, 0,
	    file, (uint32_t)flen });
	if (prior[0])
		input(in, &n, t, F_order_amends, vstr(prior));
	/* the change-set builder copies the values */
	rc = records_put(e, t, ref, strlen(ref), in, n, PUT_ADD, true,
	    &changed, d);
	free(file);
	return rc;
}

/* ---- the monthly statement (R18) ---- */

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

	if (!day_number(start, &s) || !day_number(end, &e) ||
	    !day_number(from, &f) || !day_number(to, &t))
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
    struct sums *tot)
{
	const struct rm_member *pm = rules_member(m, x->provider);
	int64_t total = 0, prev = 0, thru = 0, h, hm, cost, shours = 0, scost = 0;
	json_t *o = json_object(), *a = json_array(), *p;
	unsigned fin = 0;
	size_t i;

	if (statement_days(x->start, x->end, from, to, &total, &prev,
	    &thru) != 0)
		total = prev = thru = 0;
	put_str(b, o, "ref", x->ref);
	put_str(b, o, "title", x->title);
	put_str(b, o, "scheme", x->scheme);
	put(b, o, "provider", member_json(b, pm, x->provider, false));
	put_str(b, o, "start", x->start);
	put_str(b, o, "end", x->end);
	put_int(b, o, "working_days", total);
	put_int(b, o, "working_days_in_month", thru - prev);
	for (i = x->first; i < x->first + x->npaths; i++) {
		const struct rm_path *pt = &m->paths[i];

		if (!pt->financed)
			continue;
		h = pt->hours;
		hm = total > 0 ? h * thru / total - h * prev / total : 0;
		cost = x->lot_idx >= 0 ? hm * m->lots[x->lot_idx].rate_cents : 0;
		p = json_object();
		put_str(b, p, "path", pt->ref);
		put_str(b, p, "trainee", pt->trainee);
		put_int(b, p, "hours", h);
		put_int(b, p, "hours_in_month", hm);
		put_int(b, p, "cost_cents", cost);
		push(b, a, p);
		fin++;
		shours += hm;
		scost += cost;
	}
	put(b, o, "paths", a);
	put_int(b, o, "financed", fin);
	put_int(b, o, "hours", shours);
	put_int(b, o, "cost_cents", scost);
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
statement_build(MDB_txn *txn, struct store *s, const char *lot,
    const char *month, json_t **out, struct consort_diag *d)
{
	struct rules_query q = { 0 };
	struct rules_model *m;
	struct sums tot = { 0 };
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
	if ((ix = sessions_by_start(m)) == NULL) {
		rules_free(m);
		return E(NOMEM);
	}
	o = json_object();
	put_str(&b, o, "format", "consort-statement/1");
	x = json_object();
	put_str(&b, x, "ref", m->lots[0].ref);
	put_str(&b, x, "sector", m->lots[0].sector);
	put_str(&b, x, "territory", m->lots[0].territory);
	put_int(&b, x, "rate_cents", m->lots[0].rate_cents);
	put(&b, o, "lot", x);
	put_str(&b, o, "month", month);
	put_str(&b, o, "rule", "hours spread over the session's working days "
	    "(Monday to Friday): floor(hours x days through the month's end / "
	    "days in all) less the same through the day before the month");
	a = json_array();
	for (i = 0; i < m->nsessions; i++)
		push(&b, a, statement_session(&b, m, &m->sessions[ix[i]], from, to,
		    &tot));
	put(&b, o, "sessions", a);
	x = json_object();
	put_int(&b, x, "sessions", tot.sessions);
	put_int(&b, x, "financed", tot.financed);
	put_int(&b, x, "hours", tot.hours);
	put_int(&b, x, "cost_cents", tot.cost);
	put(&b, o, "totals", x);
	x = json_object();
	put(&b, x, "heads", heads_json(&b, txn, s));
	put(&b, o, "state", x);
	free(ix);
	rules_free(m);
	if (b.err != 0) {
		json_decref(o);
		return b.err;
	}
	*out = o;
	return 0;
}
