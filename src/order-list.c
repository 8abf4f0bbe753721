/*
 * The orders recorded and their state (consort order list, schema/order.md,
 * "The orders and their state"): each submitted request with its number,
 * hash, sender, date and totals, the Region's decisions on it (accepted,
 * refused) and the orders that amend it.  Read from the merged state.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* What the listing gathers, and its filters. */
struct gather {
	struct store *s;
	const char *lot, *period;   /* NULL: any */
	json_t *orders;             /* the entries */
	json_t *decisions;          /* every decision, to attach */
	struct jb b;
};

/* Adds key: a string field of a record (nothing when it is unset). */
static void
put_field(struct gather *g, json_t *o, const char *key,
    const struct record *r, unsigned field)
{
	const struct value *v = state_field(g->s, r, field);

	if (v != NULL && v->kind == VAL_STR)
		jb_put(&g->b, o, key, json_stringn(v->s, v->len));
	else if (v != NULL && v->kind == VAL_INT)
		jb_put_int(&g->b, o, key, v->i);
	else if (v != NULL && v->kind == VAL_BOOL)
		jb_put_bool(&g->b, o, key, v->b);
}

/* Whether a string field of a record is s (or s is NULL: no filter). */
static bool
field_is(const struct gather *g, const struct record *r, unsigned field,
    const char *s)
{
	const struct value *v = state_field(g->s, r, field);

	return s == NULL || (v != NULL && v->kind == VAL_STR &&
	    v->len == strlen(s) && memcmp(v->s, s, v->len) == 0);
}

/* The entry of one order record, its state left for later. */
static int
gather_order(void *ctx, const struct record *r)
{
	struct gather *g = ctx;
	const struct member *m;
	const struct value *v;
	json_t *o, *snd, *tot;

	if (!field_is(g, r, F_order_lot, g->lot) ||
	    !field_is(g, r, F_order_period, g->period))
		return 0;
	o = json_object();
	snd = json_object();
	tot = json_object();
	jb_put(&g->b, o, "ref", json_stringn(r->ref, r->ref_len));
	put_field(g, o, "lot", r, F_order_lot);
	put_field(g, o, "period", r, F_order_period);
	put_field(g, o, "number", r, F_order_number);
	put_field(g, o, "hash", r, F_order_hash);
	put_field(g, o, "date", r, F_order_date);
	put_field(g, o, "amends", r, F_order_amends);
	put_field(g, snd, "siret", r, F_order_sender);
	put_field(g, snd, "direct", r, F_order_direct);
	v = state_field(g->s, r, F_order_sender);
	if (v != NULL && v->kind == VAL_STR && (m = perm_member_by_siret(g->s,
	    v->s, v->len)) != NULL && m->name[0] != '\0')
		jb_put_str(&g->b, snd, "name", m->name);
	put_field(g, tot, "sessions", r, F_order_sessions);
	put_field(g, tot, "financed", r, F_order_financed);
	put_field(g, tot, "hours", r, F_order_hours);
	put_field(g, tot, "cost_cents", r, F_order_cost_cents);
	jb_put(&g->b, o, "sender", snd);
	jb_put(&g->b, o, "totals", tot);
	jb_put(&g->b, o, "amended_by", json_array());
	jb_put(&g->b, o, "decisions", json_array());
	jb_push(&g->b, g->orders, o);
	return g->b.err;
}

/* Keeps one decision of the Region, to attach to the order it answers. */
static int
gather_decision(void *ctx, const struct record *r)
{
	struct gather *g = ctx;
	json_t *o;

	if (!field_is(g, r, F_decision_lot, g->lot) ||
	    !field_is(g, r, F_decision_period, g->period))
		return 0;
	o = json_object();
	jb_put(&g->b, o, "ref", json_stringn(r->ref, r->ref_len));
	put_field(g, o, "request", r, F_decision_request);
	put_field(g, o, "verdict", r, F_decision_verdict);
	put_field(g, o, "date", r, F_decision_date);
	put_field(g, o, "order_number", r, F_decision_order_number);
	put_field(g, o, "amount_cents", r, F_decision_amount_cents);
	put_field(g, o, "reason", r, F_decision_reason);
	put_field(g, o, "hash", r, F_decision_hash);
	put_field(g, o, "key", r, F_decision_key);
	jb_push(&g->b, g->decisions, o);
	return g->b.err;
}

/* Compares two string members of two objects ("" when absent). */
static int
cmp_member(const json_t *a, const json_t *b, const char *key)
{
	return strcmp(jr_str(a, key), jr_str(b, key));
}

/* The canonical order of the orders: lot, period, number, hash. */
static int
cmp_orders(const void *pa, const void *pb)
{
	const json_t *a = *(json_t *const *)pa, *b = *(json_t *const *)pb;
	int64_t na = jr_int(a, "number"), nb = jr_int(b, "number");
	int c;

	if ((c = cmp_member(a, b, "lot")) != 0 ||
	    (c = cmp_member(a, b, "period")) != 0)
		return c;
	if (na != nb)
		return na < nb ? -1 : 1;
	return cmp_member(a, b, "hash");
}

/* Orders the entries of an array with cmp (json arrays do not sort). */
static int
sort_array(json_t *a, int (*cmp)(const void *, const void *))
{
	size_t i, n = json_array_size(a);
	json_t **v;

	if (n < 2)
		return 0;
	if ((v = calloc(n, sizeof(*v))) == NULL)
		return E(NOMEM);
	for (i = 0; i < n; i++)
		v[i] = json_incref(json_array_get(a, i));
	qsort(v, n, sizeof(*v), cmp);
	json_array_clear(a);
	for (i = 0; i < n; i++)
		json_array_append_new(a, v[i]);
	free(v);
	return json_array_size(a) == n ? 0 : E(NOMEM);
}

/* The state an order's decisions give it. */
static const char *
state_of(const json_t *decisions)
{
	if (json_array_size(decisions) == 0)
		return "submitted";
	if (json_array_size(decisions) > 1)
		return "conflicting";   /* two answers received concurrently */
	return jr_str(json_array_get(decisions, 0), "verdict");
}

/*
 * Attaches each decision to the order it answers and each amendment to
 * the order it amends, and gives every order its state.
 */
static void
link_orders(struct gather *g)
{
	json_t *o, *x, *dec, *am;
	size_t i, k;

	json_array_foreach(g->orders, i, o) {
		dec = json_object_get(o, "decisions");
		am = json_object_get(o, "amended_by");
		json_array_foreach(g->decisions, k, x)
			if (strcmp(jr_str(x, "request"), jr_str(o, "hash")) == 0)
				jb_push(&g->b, dec, json_incref(x));
		json_array_foreach(g->orders, k, x) {
			if (strcmp(jr_str(x, "amends"), jr_str(o, "ref")) != 0)
				continue;
			jb_push(&g->b, am, json_pack("{s:s, s:I}", "ref",
			    jr_str(x, "ref"), "number", (json_int_t)jr_int(x,
			    "number")));
		}
		jb_put_str(&g->b, o, "state", state_of(dec));
	}
}

/*
 * Lists the orders of the merged state with their state: the Region's
 * decisions on each, the orders that amend it; filtered by lot and
 * period, in the order of lot, period, number and hash.
 */
int
order_list(struct store_txn *txn, struct store *s, const char *lot,
    const char *period, json_t **out, struct consort_diag *d)
{
	struct gather g = { s, lot, period, json_array(), json_array(),
		{ 0 } };
	int rc;

	*out = NULL;
	if (g.orders == NULL || g.decisions == NULL)
		rc = E(NOMEM);
	else if ((rc = perm_roster(txn, s)) == 0 &&
	    (rc = state_foreach_d(txn, s, T_order, gather_order, &g, d)) == 0 &&
	    (rc = state_foreach_d(txn, s, T_decision, gather_decision, &g,
	    d)) == 0 && (rc = sort_array(g.orders, cmp_orders)) == 0) {
		link_orders(&g);
		rc = g.b.err;
	}
	json_decref(g.decisions);
	if (rc != 0) {
		json_decref(g.orders);
		return rc;
	}
	*out = g.orders;
	return 0;
}
