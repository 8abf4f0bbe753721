/*
 * Building an order request (DESIGN.md §7, schema/order.md) from a rules
 * model of one lot's sessions starting in one month.  Everything in a
 * request comes from the merged state, never from the clock, so every node
 * holding the same change-sets builds the same bytes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

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
		return consort_diag_set(d, E(INVAL), o->period,
		    _("not a period"),
		    _("give the month as YYYY-MM"));
	if (o->lot != NULL && (rc = order_lot_ref_check(o->lot, d)) != 0)
		return rc;
	order_month_bounds(o->period, from, to);
	q->lot = o->lot;
	q->from = from;
	q->to = to;
	q->window = WINDOW_START;
	q->sender = sender;
	q->direct = o->direct;
	m = sender != NULL ? perm_member_by_key(s, sender) : NULL;
	/* a key that replaced a member's speaks for the same member */
	q->sender_siret = m != NULL ? m->siret : NULL;
	if (o->direct)
		q->provider = m != NULL ? m->siret : "-";
	return 0;
}

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
size_t *
order_sessions_by_start(const struct rules_model *m)
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
json_t *
order_heads_json(struct jb *b, struct store_txn *txn, struct store *s)
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
		jb_put_str(b, h, "author", hex);
		jb_put_int(b, h, "seq", (int64_t)hd.seq);
		util_hex(hex, hd.id, CONSORT_HASH_BYTES);
		jb_put_str(b, h, "change", hex);
		jb_push(b, a, h);
	}
	free(keys);
	return a;
}

/* A member as {name, siret} (and its role). */
json_t *
order_member_json(struct jb *b, const struct rm_member *m, const char *siret,
    bool role)
{
	json_t *o = json_object();

	jb_put_str(b, o, "siret", m != NULL ? m->siret : siret);
	jb_put_str(b, o, "name", m != NULL ? m->name : "");
	if (role)
		jb_put_str(b, o, "role", m != NULL && m->role[0] ? m->role : "none");
	return o;
}

/* The intent backing a path. */
static json_t *
intent_json(struct jb *b, const struct rm_intent *x)
{
	json_t *o = json_object();

	jb_put_str(b, o, "ref", x->ref);
	jb_put_str(b, o, "employer", x->employer);
	jb_put_str(b, o, "siret", x->siret);
	jb_put_str(b, o, "employer_kind", x->kind);
	jb_put_str(b, o, "contract", x->contract);
	if (x->has_months)
		jb_put_int(b, o, "months", x->months);
	if (x->has_weekly)
		jb_put_int(b, o, "weekly_hours", x->weekly_hours);
	jb_put_opt(b, o, "job", x->job);
	jb_put_str(b, o, "date", x->date);
	jb_put_str(b, o, "status", x->status);
	return o;
}

/*
 * One path of a session: the trainee's ref only, never a personal value
 * (part time and disability are R15's, checked here, not carried: the
 * request reaches every member inside its order record).
 */
static json_t *
path_json(struct jb *b, const struct rules_model *m, const struct rm_path *p)
{
	const struct rm_trainee *t = p->tidx >= 0 ? &m->trainees[p->tidx] : NULL;
	const struct rm_session *x = &m->sessions[p->sidx];
	json_t *o = json_object(), *c;

	jb_put_str(b, o, "ref", p->ref);
	jb_put_str(b, o, "trainee", p->trainee);
	jb_put_opt(b, o, "start", p->start);
	jb_put_int(b, o, "hours", p->hours);
	jb_put_str(b, o, "modules", p->modules);
	if ((p->cert_kind[0] || p->cert_code[0]) &&
	    (strcmp(p->cert_kind, x->cert_kind) != 0 ||
	    strcmp(p->cert_code, x->cert_code) != 0)) {
		/* R08: another certification than its session's */
		c = json_object();
		jb_put_str(b, c, "kind", p->cert_kind);
		jb_put_str(b, c, "code", p->cert_code);
		jb_put(b, o, "certification", c);
	}
	jb_put_bool(b, o, "financed", p->financed);
	if (p->ridx >= 0) {
		/* R14: the rate in force on the day its hours are ordered */
		jb_put_int(b, o, "rate_cents", m->rates[p->ridx].cents);
		jb_put_opt(b, o, "rate_since", m->rates[p->ridx].since);
	}
	jb_put_int(b, o, "cost_cents", p->financed ? p->cost_cents : 0);
	/* R17: an SIAE employee attends without the Region's remuneration */
	jb_put_bool(b, o, "remunerated", t == NULL ||
	    strcmp(t->status, "siae_employee") != 0);
	if (p->iidx >= 0 && m->intents[p->iidx].found)
		jb_put(b, o, "intent", intent_json(b, &m->intents[p->iidx]));
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

/* The Region's agreement as {ref, reference, date, subject} (R21). */
static json_t *
agreement_json(struct jb *b, const struct rm_agreement *a)
{
	json_t *o = json_object();

	jb_put_str(b, o, "ref", a->ref);
	jb_put_opt(b, o, "reference", a->reference);
	jb_put_opt(b, o, "date", a->date);
	jb_put_opt(b, o, "subject", a->subject);
	jb_put_opt(b, o, "intent", a->intent);
	return o;
}

/* Puts the Region's agreements recorded for a session, if it has any. */
static void
put_agreements(struct jb *b, json_t *o, const struct rules_model *m,
    const struct rm_session *x)
{
	json_t *a = NULL;
	size_t i;

	for (i = 0; i < m->nagreements; i++) {
		if (strcmp(m->agreements[i].session, x->ref) != 0)
			continue;
		if (a == NULL)
			a = json_array();
		jb_push(b, a, agreement_json(b, &m->agreements[i]));
	}
	if (a != NULL)
		jb_put(b, o, "agreements", a);
}

/* One session with its paths and totals. */
static json_t *
session_json(struct jb *b, const struct rules_model *m,
    const struct rm_session *x)
{
	const struct rm_member *pm = rules_member(m, x->provider), *parent;
	json_t *o = json_object(), *a = json_array(), *t, *c, *sub;
	size_t i;

	jb_put_str(b, o, "ref", x->ref);
	jb_put_str(b, o, "title", x->title);
	jb_put_str(b, o, "scheme", x->scheme);
	jb_put(b, o, "provider", order_member_json(b, pm, x->provider, true));
	if (pm != NULL && strcmp(pm->role, "sub") == 0) {
		/* R10: a subcontractor's session carries its DC4 */
		parent = rules_member(m, pm->parent);
		sub = json_object();
		jb_put_str(b, sub, "dc4", x->dc4[0] ? x->dc4 : pm->dc4);
		jb_put(b, sub, "for", order_member_json(b, parent, pm->parent, false));
		jb_put(b, o, "subcontracting", sub);
	}
	jb_put_str(b, o, "site", x->site);
	jb_put_str(b, o, "territory", x->territory);
	jb_put_opt(b, o, "territory_agreement", x->agreement);
	put_agreements(b, o, m, x);
	c = json_object();
	jb_put_str(b, c, "kind", x->cert_kind);
	jb_put_str(b, c, "code", x->cert_code);
	jb_put(b, o, "certification", c);
	jb_put_str(b, o, "start", x->start);
	jb_put_str(b, o, "end", x->end);
	jb_put_int(b, o, "hours", x->hours);
	jb_put_int(b, o, "capacity", x->capacity);
	jb_put_bool(b, o, "permanent_entry", x->permanent_entry);
	jb_put_int(b, o, "employers", session_employers(m, x));
	for (i = x->first; i < x->first + x->npaths; i++)
		jb_push(b, a, path_json(b, m, &m->paths[i]));
	jb_put(b, o, "paths", a);
	t = json_object();
	jb_put_int(b, t, "financed", x->financed);
	jb_put_int(b, t, "not_financed", x->not_financed);
	jb_put_int(b, t, "hours", x->fin_hours);
	jb_put_int(b, t, "cost_cents", x->cost_cents);
	jb_put(b, o, "totals", t);
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
		jb_put_int(b, o, "n", (int64_t)i + 1);
		jb_put_str(b, o, "path", v[i]->ref);
		jb_put_str(b, o, "session", v[i]->session);
		jb_put_str(b, o, "trainee", v[i]->trainee);
		if (x != NULL) {
			jb_put_str(b, o, "intent", x->ref);
			jb_put_str(b, o, "date", x->date);
			jb_put_str(b, o, "employer_siret", x->siret);
		}
		jb_put_int(b, o, "hours", v[i]->hours);
		jb_put_int(b, o, "cost_cents", v[i]->cost_cents);
		jb_push(b, a, o);
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
		jb_put_str(b, o, "path", m->paths[i].ref);
		jb_put_str(b, o, "session", m->paths[i].session);
		jb_put_str(b, o, "trainee", m->paths[i].trainee);
		jb_put_int(b, o, "hours", m->paths[i].hours);
		jb_push(b, a, o);
	}
	return a;
}

/* Orders withdrawn intents by their path, then date of withdrawal, then ref. */
static int
cmp_withdrawn(const void *a, const void *b)
{
	const struct rm_intent *x = *(const struct rm_intent *const *)a;
	const struct rm_intent *y = *(const struct rm_intent *const *)b;
	int c;

	if (x->wpidx != y->wpidx)
		return x->wpidx < y->wpidx ? -1 : 1;
	if ((c = strcmp(x->status_date, y->status_date)) != 0)
		return c;
	return strcmp(x->ref, y->ref);
}

/* One withdrawn intent with its path, follow-up and replacement (R16). */
static json_t *
withdrawn_one(struct jb *b, const struct rules_model *m,
    const struct rm_intent *x)
{
	const struct rm_path *p = &m->paths[x->wpidx];
	json_t *o = json_object(), *r;

	jb_put_str(b, o, "intent", x->ref);
	jb_put_str(b, o, "path", p->ref);
	jb_put_str(b, o, "session", p->session);
	jb_put_str(b, o, "employer", x->employer);
	jb_put_opt(b, o, "date", x->status_date);
	jb_put_opt(b, o, "reason", x->status_reason);
	jb_put_str(b, o, "followup", x->followup[0] ? x->followup : "none");
	jb_put_str(b, o, "by", x->withdrawn_by[0] ? x->withdrawn_by : "unknown");
	if (x->byidx >= 0) {
		r = json_object();
		jb_put_str(b, r, "ref", m->intents[x->byidx].ref);
		jb_put_str(b, r, "employer", m->intents[x->byidx].employer);
		jb_put_str(b, r, "date", m->intents[x->byidx].date);
		jb_put(b, o, "replaced_by", r);
	}
	return o;
}

/*
 * The withdrawn intents (R16): those the paths name, and those that an
 * intent a path names replaces (directly or through earlier
 * replacements), each with the path it concerns, by path, then date of
 * withdrawal.
 */
static json_t *
withdrawn_json(struct jb *b, const struct rules_model *m)
{
	const struct rm_intent **v;
	json_t *a = json_array();
	size_t i, n = 0;

	if ((v = calloc(m->nintents + 1, sizeof(*v))) == NULL) {
		b->err = E(NOMEM);
		return a;
	}
	for (i = 0; i < m->nintents; i++)
		if (m->intents[i].found && m->intents[i].wpidx >= 0 &&
		    strcmp(m->intents[i].status, "withdrawn") == 0)
			v[n++] = &m->intents[i];
	if (n > 1)
		qsort(v, n, sizeof(*v), cmp_withdrawn);
	for (i = 0; i < n; i++)
		jb_push(b, a, withdrawn_one(b, m, v[i]));
	free(v);
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
		jb_put_str(b, o, "rule", x->rule);
		jb_put_str(b, o, "type", t != NULL ? t->name : "");
		jb_put_str(b, o, "ref", x->ref);
		jb_put_opt(b, o, "session", x->session);
		jb_put_opt(b, o, "intent", x->intent);
		jb_put_opt(b, o, "path", x->path);
		jb_put_str(b, o, "message", x->what);
		if (x->derog >= 0)
			jb_put_str(b, o, "derogation", m->derogs[x->derog].ref);
		jb_push(b, a, o);
	}
	return a;
}

/* The agreement a derogation cites: its ref alone when it is not recorded. */
static json_t *
cited_json(struct jb *b, const struct rules_model *m, const struct rm_derog *d)
{
	long ai = rules_agreement(m, d->agreement);
	json_t *o;

	if (ai >= 0)
		return agreement_json(b, &m->agreements[ai]);
	o = json_object();
	jb_put_str(b, o, "ref", d->agreement);
	return o;
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
		jb_put_str(b, o, "ref", d->ref);
		jb_put_str(b, o, "rule", d->rule);
		jb_put_str(b, o, "session", d->session);
		jb_put_opt(b, o, "intent", d->intent);
		jb_put_str(b, o, "reason", d->reason);
		jb_put_str(b, o, "date", d->date);
		au = json_object();
		jb_put_str(b, au, "name", d->author_name);
		jb_put_str(b, au, "siret", d->author_siret);
		jb_put(b, o, "author", au);
		jb_put_int(b, o, "applied", d->applied);
		if (d->agreement[0])
			jb_put(b, o, "agreement", cited_json(b, m, d));
		jb_push(b, a, o);
	}
	return a;
}

/* Adds a session to a sum. */
static void
sums_add(struct order_sums *s, const struct rm_session *x)
{
	s->sessions++;
	s->financed += x->financed;
	s->not_financed += x->not_financed;
	s->hours += x->fin_hours;
	s->cost += x->cost_cents;
}

/* A sum as {sessions, financed, not_financed, hours, cost_cents}. */
static json_t *
sums_json(struct jb *b, const struct order_sums *s)
{
	json_t *o = json_object();

	jb_put_int(b, o, "sessions", s->sessions);
	jb_put_int(b, o, "financed", s->financed);
	jb_put_int(b, o, "not_financed", s->not_financed);
	jb_put_int(b, o, "hours", s->hours);
	jb_put_int(b, o, "cost_cents", s->cost);
	return o;
}

/* The grand totals, per scheme and per provider (by SIRET). */
static json_t *
totals_json(struct jb *b, const struct rules_model *m)
{
	struct order_sums all = { 0 }, e1f = { 0 }, socle = { 0 }, *pv;
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
	jb_put(b, by, "1e1f", sums_json(b, &e1f));
	jb_put(b, by, "socle", sums_json(b, &socle));
	jb_put(b, o, "by_scheme", by);
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
		jb_put_str(b, p, "siret", sir[best]);
		jb_put_str(b, p, "name", rules_member(m, sir[best]) ?
		    rules_member(m, sir[best])->name : "");
		jb_push(b, a, p);
		sir[best] = NULL;
	}
	jb_put(b, o, "by_provider", a);
	free(pv);
	free(sir);
	return o;
}

/* Orders rates by their place in the model (lot, then since). */
static int
cmp_long(const void *a, const void *b)
{
	long x = *(const long *)a, y = *(const long *)b;

	return x < y ? -1 : x > y;
}

/*
 * The lot (R14): its rate is the one in force on the latest day the
 * request orders hours, and `rates` every rate its paths are priced at,
 * by since; a request without a priced path carries the lot's own pair.
 * So a later amendment of the rate changes nothing in it.
 */
static json_t *
lot_json(struct jb *b, const struct rules_model *m, const struct rm_lot *lot)
{
	json_t *o = json_object(), *a = json_array(), *r;
	const struct rm_rate *last = NULL;
	long *used;
	size_t i, n = 0;

	jb_put_str(b, o, "ref", lot->ref);
	jb_put_opt(b, o, "market_lot", lot->market_lot);
	jb_put_str(b, o, "sector", lot->sector);
	jb_put_str(b, o, "territory", lot->territory);
	if ((used = calloc(m->npaths + 1, sizeof(*used))) == NULL) {
		b->err = E(NOMEM);
		return o;
	}
	for (i = 0; i < m->npaths; i++)
		if (m->paths[i].ridx >= 0)
			used[n++] = m->paths[i].ridx;
	if (n > 1)
		qsort(used, n, sizeof(*used), cmp_long);
	for (i = 0; i < n; i++) {
		if (i > 0 && used[i] == used[i - 1])
			continue;
		last = &m->rates[used[i]];
		r = json_object();
		jb_put_opt(b, r, "since", last->since);
		jb_put_int(b, r, "rate_cents", last->cents);
		jb_push(b, a, r);
	}
	free(used);
	jb_put_int(b, o, "rate_cents", last ? last->cents : lot->rate_cents);
	jb_put_opt(b, o, "rate_since", last ? last->since : lot->rate_since);
	jb_put(b, o, "rates", a);
	return o;
}

/* The consortium: its id, name and market. */
static int
consortium_json(struct jb *b, struct store_txn *txn, struct node *n,
    json_t *req)
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
	jb_put_str(b, o, "id", hex);
	if (rc == 0) {
		v = state_field(&n->store, &r, F_consortium_name);
		jb_put(b, o, "name", v && v->kind == VAL_STR ?
		    json_stringn(v->s, v->len) : json_string(""));
		v = state_field(&n->store, &r, F_consortium_market);
		jb_put(b, o, "market", v && v->kind == VAL_STR ?
		    json_stringn(v->s, v->len) : json_string(""));
	}
	record_free(&r);
	jb_put(b, req, "consortium", o);
	return rc;
}

/*
 * Puts into a request its number for its lot and period and the earlier
 * requests of its sender's scope it amends and replaces, by the orders
 * this node holds.
 */
static int
put_chain(struct store_txn *txn, struct node *n, json_t *req,
    const char *lot, const struct order_opts *o, const struct rm_member *snd)
{
	struct order_series series;
	int rc;

	if ((rc = perm_order_series(txn, &n->store, NULL, lot, strlen(lot),
	    o->period, &series)) != 0)
		return rc;
	rc = order_put_chain(req, &series, o->direct, snd ? snd->siret : "");
	order_series_free(&series);
	return rc;
}

/*
 * Puts into a lead's request the sessions of its lot and period already
 * requested directly by co-contractors, which it leaves out (R11); a
 * direct request lists none.
 */
static int
put_direct(struct store_txn *txn, struct node *n, json_t *req,
    const char *lot, const struct order_opts *o)
{
	json_t *a = NULL;
	int rc = 0;

	if (o->direct)
		a = json_array();
	else
		rc = order_direct_json(txn, &n->store, lot, o->period, &a);
	if (rc == 0 && (a == NULL || json_object_set_new(req,
	    "requested_directly", a) != 0))
		return E(NOMEM);
	if (rc != 0)
		json_decref(a);
	return rc;
}

/*
 * The member of the model this node's key speaks for: the one it is bound
 * to, or whose bound key it replaced (key records), or NULL.
 */
static const struct rm_member *
sender_member(struct node *n, const struct rules_model *m)
{
	const struct member *r = perm_member_by_key(&n->store, n->pk);
	char hex[2 * CONSORT_KEY_BYTES + 1];
	size_t i;

	util_hex(hex, n->pk, CONSORT_KEY_BYTES);
	for (i = 0; i < m->nmembers; i++)
		if (strcmp(m->members[i].key, hex) == 0 || (r != NULL &&
		    strcmp(m->members[i].siret, r->siret) == 0))
			return &m->members[i];
	return NULL;
}

/*
 * Puts into a request signed by another key than the one the Region
 * knows the chain of key records from that key to the signer's
 * (schema/keys.md): the founder's for the lead's request, the
 * co-contractor's first key for a direct one.  A request signed by that
 * key itself carries none, and stays as it always was.
 */
static int
put_key_chain(struct store_txn *txn, struct node *n, json_t *req,
    const struct order_opts *o, struct consort_diag *d)
{
	uint8_t first[CONSORT_KEY_BYTES];
	json_t *chain;
	int rc;

	if (!o->direct)
		memcpy(first, n->founder, CONSORT_KEY_BYTES);
	else if ((rc = order_keychain_origin(txn, &n->store, n->pk,
	    first)) != 0)
		return rc;
	if ((rc = order_keychain(txn, &n->store, n->consortium, first, n->pk,
	    &chain, d)) != 0 || chain == NULL)
		return rc;
	return json_object_set_new(req, "key_chain", chain) == 0 ? 0 :
	    E(NOMEM);
}

/*
 * Builds the request body of a checked model (schema/order.md, "The
 * request body"; schema/rules.md).  The model must hold no error and no
 * conflict; txn is the transaction it was loaded in.
 */
int
order_request(struct store_txn *txn, struct node *n,
    const struct rules_model *m, const struct order_opts *o, json_t **out,
    struct consort_diag *d)
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
		return consort_diag_set(d, E(INVAL), o->lot,
		    _("a request covers one lot"), NULL);
	if (o->issued == NULL || !util_date_valid(o->issued, strlen(o->issued)))
		return consort_diag_set(d, E(INVAL), o->lot,
		    _("a request has a date of issue, YYYY-MM-DD"), NULL);
	if (m->errors > 0 || m->conflicts > 0)
		return consort_diag_set(d, E(PERM), o->lot,
		    _("the rules refuse this "
		    "request"), _("fix or derogate the errors first"));
	if (m->nsessions == 0)
		return consort_diag_set(d, E(NOENT), o->lot,
		    _("no session of the lot starts in this period, and no "
		    "path joins one in it"),
		    _("consort list session shows their start dates, consort "
		    "list path those of complementary paths"));
	lot = &m->lots[0];
	if ((req = json_object()) == NULL)
		return E(NOMEM);
	jb_put_str(&b, req, "format", ORDER_FORMAT);
	if ((rc = consortium_json(&b, txn, n, req)) != 0) {
		json_decref(req);
		return rc;
	}
	x = json_object();
	jb_put_str(&b, x, "name", lead ? lead->name : "");
	jb_put_str(&b, x, "siret", lead ? lead->siret : "");
	/* the key the Region knows, whatever key replaced it since */
	util_hex(hex, n->founder, CONSORT_KEY_BYTES);
	jb_put_str(&b, x, "key", lead ? hex : "");
	jb_put(&b, req, "lead", x);
	snd = sender_member(n, m);
	util_hex(hex, n->pk, CONSORT_KEY_BYTES);
	x = json_object();
	jb_put_str(&b, x, "role", snd ? snd->role : "");
	jb_put_str(&b, x, "name", snd ? snd->name : "");
	jb_put_str(&b, x, "siret", snd ? snd->siret : "");
	jb_put_str(&b, x, "key", hex);
	jb_put_bool(&b, x, "direct", o->direct);
	if (o->direct) {
		json_t *nt = json_object();

		jb_put_str(&b, nt, "ref", o->notice ? o->notice : "");
		jb_put_str(&b, nt, "date", o->notice_date ? o->notice_date : "");
		jb_put(&b, x, "notice", nt);
	}
	jb_put(&b, req, "sender", x);
	if ((rc = put_key_chain(txn, n, req, o, d)) != 0) {
		json_decref(req);
		return rc;
	}
	jb_put(&b, req, "lot", lot_json(&b, m, lot));
	jb_put_str(&b, req, "period", o->period);
	jb_put_str(&b, req, "issued", o->issued);
	if ((rc = put_chain(txn, n, req, lot->ref, o, snd)) != 0) {
		json_decref(req);
		return rc;
	}
	x = json_object();
	jb_put(&b, x, "heads", order_heads_json(&b, txn, &n->store));
	jb_put(&b, req, "state", x);
	if ((ix = order_sessions_by_start(m)) == NULL) {
		json_decref(req);
		return E(NOMEM);
	}
	e1f = json_array();
	socle = json_array();
	for (i = 0; i < m->nsessions; i++) {
		const struct rm_session *s = &m->sessions[ix[i]];

		jb_push(&b, strcmp(s->scheme, "socle") == 0 ? socle : e1f,
		    session_json(&b, m, s));
	}
	free(ix);
	jb_put(&b, req, "sessions", e1f);
	jb_put(&b, req, "socle", socle);
	jb_put(&b, req, "lines", lines_json(&b, m));
	jb_put(&b, req, "not_financed", not_financed_json(&b, m));
	jb_put(&b, req, "withdrawn", withdrawn_json(&b, m));
	if ((rc = put_direct(txn, n, req, lot->ref, o)) != 0) {
		json_decref(req);
		return rc;
	}
	jb_put(&b, req, "warnings", warnings_json(&b, m));
	jb_put(&b, req, "derogations", derogations_json(&b, m));
	jb_put(&b, req, "totals", totals_json(&b, m));
	if (b.err != 0) {
		json_decref(req);
		return b.err;
	}
	*out = req;
	return 0;
}
