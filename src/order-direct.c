/*
 * Direct requests seen by the whole consortium (R11, schema/order.md,
 * "Direct requests"): which sessions the current requests of a lot and
 * period cover (the latest of each scope: the lead's, or one
 * co-contractor's direct ones), so that the lead's build leaves out what a
 * co-contractor already requested, a session in two current requests is a
 * business conflict, and a co-contractor knows whether the lead has
 * received its notice.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* Adds one covered session to a coverage. */
static int
cover_add(struct order_coverage *cv, const char *session,
    const struct order_entry *e)
{
	struct order_covered *nv, *c;

	if (strlen(session) > CONSORT_REF_MAX)
		return 0;
	if (cv->n == cv->cap) {
		cv->cap = cv->cap ? 2 * cv->cap : 16;
		if ((nv = realloc(cv->v, cv->cap * sizeof(*nv))) == NULL)
			return E(NOMEM);
		cv->v = nv;
	}
	c = &cv->v[cv->n++];
	memset(c, 0, sizeof(*c));
	snprintf(c->session, sizeof(c->session), "%s", session);
	c->order = *e;
	return 0;
}

/* Adds the sessions (1e1f and socle) of one order's signed request. */
static int
cover_order(struct store_txn *txn, struct store *s, const struct order_entry *e,
    struct order_coverage *cv)
{
	static const char *const lists[] = { "sessions", "socle" };
	const struct value *v;
	json_t *root = NULL, *a;
	struct record r;
	size_t i, k;
	int rc;

	record_init(&r);
	if ((rc = state_lookup(txn, s, s->founder, T_order, e->ref,
	    strlen(e->ref), &r)) != 0) {
		record_free(&r);
		return rc == E(NOENT) ? 0 : rc;
	}
	v = state_field(s, &r, F_order_signed);
	if (v != NULL && v->kind == VAL_STR)
		root = json_loadb(v->s, v->len, JSON_REJECT_DUPLICATES, NULL);
	record_free(&r);
	if (root == NULL)
		return 0;  /* every node checked it when it came: none is bad */
	for (k = 0, rc = 0; k < nitems(lists) && rc == 0; k++) {
		a = json_object_get(json_object_get(root, "request"), lists[k]);
		for (i = 0; i < json_array_size(a) && rc == 0; i++)
			rc = cover_add(cv, jr_str(json_array_get(a, i), "ref"), e);
	}
	json_decref(root);
	return rc;
}

/* Whether an earlier entry of the series is of the same scope as e. */
static bool
scope_seen(const struct order_series *o, size_t i)
{
	size_t j;

	for (j = 0; j < i; j++)
		if (order_entry_in_scope(&o->v[j], o->v[i].direct,
		    o->v[i].sender))
			return true;
	return false;
}

/*
 * Lists the sessions the current requests of (lot, period) cover: for
 * each scope, its latest request (the one nothing replaced yet).
 */
int
order_coverage(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, struct order_coverage *cv)
{
	struct order_series o;
	const struct order_entry *latest;
	size_t i;
	int rc;

	memset(cv, 0, sizeof(*cv));
	if ((rc = perm_order_series(txn, s, NULL, lot, strlen(lot), period,
	    &o)) != 0)
		return rc;
	for (i = 0; i < o.n && rc == 0; i++) {
		if (scope_seen(&o, i))
			continue;
		latest = order_series_latest(&o, o.v[i].direct, o.v[i].sender);
		rc = cover_order(txn, s, latest, cv);
	}
	order_series_free(&o);
	if (rc != 0)
		order_coverage_free(cv);
	return rc;
}

/* Frees a coverage of order_coverage(); NULL is allowed. */
void
order_coverage_free(struct order_coverage *cv)
{
	if (cv == NULL)
		return;
	free(cv->v);
	memset(cv, 0, sizeof(*cv));
}

/* The covered entry of a session in a direct request, or NULL. */
const struct order_covered *
order_covered_directly(const struct order_coverage *cv, const char *session)
{
	size_t i;

	for (i = 0; i < cv->n; i++)
		if (cv->v[i].order.direct &&
		    strcmp(cv->v[i].session, session) == 0)
			return &cv->v[i];
	return NULL;
}

/* Orders covered sessions by session ref. */
static int
by_session_ref(const void *a, const void *b)
{
	const struct order_covered *x = a, *y = b;

	return strcmp(x->session, y->session);
}

/*
 * The sessions of (lot, period) already requested directly by
 * co-contractors (R11), which a lead's request leaves out: [{"session",
 * "sender", "number", "sha256"}], by session.
 */
int
order_direct_json(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, json_t **out)
{
	struct order_coverage cv;
	struct jb b = { 0 };
	json_t *a, *x;
	size_t i;
	int rc;

	if ((a = *out = json_array()) == NULL)
		return E(NOMEM);
	if ((rc = order_coverage(txn, s, lot, period, &cv)) != 0)
		return rc;
	if (cv.n > 1)
		qsort(cv.v, cv.n, sizeof(*cv.v), by_session_ref);
	for (i = 0; i < cv.n; i++) {
		if (!cv.v[i].order.direct)
			continue;
		x = json_object();
		jb_put_str(&b, x, "session", cv.v[i].session);
		jb_put_str(&b, x, "sender", cv.v[i].order.sender);
		jb_put_int(&b, x, "number", cv.v[i].order.number);
		jb_put_str(&b, x, "sha256", cv.v[i].order.hash);
		jb_push(&b, a, x);
	}
	order_coverage_free(&cv);
	return b.err;
}

/*
 * Whether the lead has received a co-contractor's notice: the lead's
 * latest change-set had it in its causal past, or this node's last full
 * sync with the lead's node handed it over.
 */
int
order_notice_seen_by_lead(struct store_txn *txn, struct store *s,
    const char *notice, bool *seen)
{
	const struct entry *e;
	struct record r;
	uint64_t held, seq = 0;
	uint32_t author = 0;
	int rc;

	*seen = false;
	record_init(&r);
	rc = state_lookup(txn, s, s->founder, T_notice, notice, strlen(notice),
	    &r);
	if (rc == 0 && (e = record_winner(s, &r, &r.exist)) != NULL) {
		author = e->author;
		seq = e->seq;
		rc = merge_seen_by(txn, s, s->founder, author, seq, seen);
	}
	record_free(&r);
	if (rc == 0 && !*seen && seq > 0 && author < s->nauthors &&
	    (rc = peers_known_seq(txn, s, s->founder, s->authors[author],
	    &held)) == 0)
		*seen = held >= seq;
	return rc;
}

/* A conflict of sessions requested twice, being reported. */
struct overlap {
	struct store_txn *txn;
	struct store *s;
	conflict_fn fn;
	void *ctx;
	char lot[CONSORT_REF_MAX + 1], period[8];
};

/* Orders covered sessions by session, then order ref. */
static int
by_session(const void *a, const void *b)
{
	const struct order_covered *x = a, *y = b;
	int c = strcmp(x->session, y->session);

	return c != 0 ? c : strcmp(x->order.ref, y->order.ref);
}

/* The creation of an order, as a competing value of a conflict. */
static void
order_value(struct store_txn *txn, struct store *s, const char *ref,
    struct conflict_value *cv)
{
	const struct entry *e;
	struct record r;

	memset(cv, 0, sizeof(*cv));
	record_init(&r);
	if (state_lookup(txn, s, s->founder, T_order, ref, strlen(ref),
	    &r) == 0 && (e = record_winner(s, &r, &r.exist)) != NULL) {
		memcpy(cv->author, s->authors[e->author], CONSORT_KEY_BYTES);
		cv->seq = e->seq;
		cv->hlc = e->hlc;
	}
	record_free(&r);
}

/* Reports one session covered by the requests v[0 .. n). */
static int
report_overlap(struct overlap *w, const struct order_covered *v, size_t n)
{
	struct conflict c;
	size_t i, len;

	memset(&c, 0, sizeof(c));
	c.kind = "R11";
	c.type = T_session;
	c.ref = v[0].session;
	c.ref_len = (uint32_t)strlen(v[0].session);
	len = (size_t)snprintf(c.detail, sizeof(c.detail), _("session %s is in "
	    "%zu current requests of %s %s:"), v[0].session, n, w->lot,
	    w->period);
	for (i = 0; i < n && c.n < CONFLICT_MAX_VALUES; i++) {
		order_value(w->txn, w->s, v[i].order.ref, &c.values[c.n]);
		c.values[c.n].val = (struct value){ VAL_STR, false, 0,
			v[i].order.ref, (uint32_t)strlen(v[i].order.ref) };
		c.n++;
		if (len < sizeof(c.detail))
			len += (size_t)snprintf(c.detail + len, sizeof(c.detail) -
			    len, _(" %s (no. %lld, %s %s)"), v[i].order.ref,
			    (long long)v[i].order.number, v[i].order.direct ?
			    _("direct, by") : _("by the lead"),
			    v[i].order.sender);
	}
	if (len < sizeof(c.detail))
		snprintf(c.detail + len, sizeof(c.detail) - len, _("; the lead "
		    "builds and submits a request without it (its build leaves "
		    "out the sessions requested directly), or the co-contractor "
		    "one without it"));
	conflict_finish(&c, NULL);
	return w->fn(w->ctx, &c);
}

/* Reports the sessions of one lot and period in two current requests. */
static int
overlaps_of(struct overlap *w)
{
	struct order_coverage cv;
	size_t i, j, k;
	bool two;
	int rc;

	if ((rc = order_coverage(w->txn, w->s, w->lot, w->period, &cv)) != 0)
		return rc;
	if (cv.n > 1)
		qsort(cv.v, cv.n, sizeof(*cv.v), by_session);
	for (i = 0; i < cv.n && rc == 0; i = j) {
		for (j = i + 1, two = false; j < cv.n && strcmp(cv.v[i].session,
		    cv.v[j].session) == 0; j++)
			for (k = i; k < j; k++)
				two |= !order_entry_in_scope(&cv.v[k].order,
				    cv.v[j].order.direct, cv.v[j].order.sender);
		if (two)
			rc = report_overlap(w, &cv.v[i], j - i);
	}
	order_coverage_free(&cv);
	return rc;
}

/* A lot and period that has orders. */
struct period_key {
	char lot[CONSORT_REF_MAX + 1], period[8];
};

/* The distinct lots and periods of the orders, being collected. */
struct periods {
	const struct store *s;
	struct period_key *v;
	size_t n, cap;
	int err;
};

/* Adds the lot and period of one order, once. */
static int
period_one(void *ctx, const struct record *r)
{
	struct periods *p = ctx;
	struct period_key k, *nv;
	size_t i;

	memset(&k, 0, sizeof(k));
	value_copy_str(k.lot, sizeof(k.lot), state_field(p->s, r, F_order_lot));
	value_copy_str(k.period, sizeof(k.period), state_field(p->s, r,
	    F_order_period));
	for (i = 0; i < p->n; i++)
		if (strcmp(p->v[i].lot, k.lot) == 0 &&
		    strcmp(p->v[i].period, k.period) == 0)
			return 0;
	if (p->n == p->cap) {
		p->cap = p->cap ? 2 * p->cap : 16;
		if ((nv = realloc(p->v, p->cap * sizeof(*nv))) == NULL)
			return p->err = E(NOMEM);
		p->v = nv;
	}
	p->v[p->n++] = k;
	return 0;
}

/*
 * Lists the business conflicts of requests (R11): a session in the
 * current requests of two scopes of one lot and period.
 */
int
conflicts_orders(struct store_txn *txn, struct store *s, conflict_fn fn,
    void *ctx)
{
	struct periods p = { s, NULL, 0, 0, 0 };
	struct overlap w = { txn, s, fn, ctx, "", "" };
	size_t i;
	int rc;

	rc = state_foreach(txn, s, T_order, period_one, &p);
	if (rc == 0)
		rc = p.err;
	for (i = 0; i < p.n && rc == 0; i++) {
		memcpy(w.lot, p.v[i].lot, sizeof(w.lot));
		memcpy(w.period, p.v[i].period, sizeof(w.period));
		rc = overlaps_of(&w);
	}
	free(p.v);
	return rc;
}
