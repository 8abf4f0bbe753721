/*
 * The orders recorded and their state (consort order list, schema/order.md,
 * "The orders and their state"): each submitted request with its number,
 * hash, sender, date and totals, the Region's decisions on it (accepted,
 * refused) and the orders that amend it.  Read from the merged state.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

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
	jb_put(&g->b, o, "same_number", json_array());
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

/* The key of a request built on this node: "built:" and its sha256. */
#define BUILT_PREFIX "built:"
#define BUILT_KEY_LEN (sizeof(BUILT_PREFIX) - 1 + 64)

/*
 * Keeps, on this node only, a request built here and written to a file,
 * so that order list shows it (state built) until it is submitted: its
 * lot, period, number, date of issue, sender, totals and file.
 */
int
order_note_built(struct store *s, const json_t *req, const char *file)
{
	char key[BUILT_KEY_LEN + 1], *canon = NULL, *text = NULL;
	uint8_t h[crypto_hash_sha256_BYTES];
	struct store_txn *txn;
	const json_t *snd = json_object_get(req, "sender");
	json_t *o;
	size_t len;
	int rc;

	if ((rc = jcs_canonical(req, &canon, &len)) != 0)
		return rc;
	crypto_hash_sha256(h, (const uint8_t *)canon, len);
	free(canon);
	memcpy(key, BUILT_PREFIX, sizeof(BUILT_PREFIX) - 1);
	util_hex(key + sizeof(BUILT_PREFIX) - 1, h, sizeof(h));
	o = json_pack("{s:s, s:s, s:I, s:s, s:s, s:s, s:{s:s, s:s, s:b}, s:O}",
	    "lot", jr_str(json_object_get(req, "lot"), "ref"),
	    "period", jr_str(req, "period"),
	    "number", (json_int_t)jr_int(req, "number"),
	    "issued", jr_str(req, "issued"),
	    "hash", key + sizeof(BUILT_PREFIX) - 1,
	    "file", file,
	    "sender", "siret", jr_str(snd, "siret"), "name", jr_str(snd, "name"),
	    "direct", jr_bool(snd, "direct"),
	    "totals", json_object_get(req, "totals"));
	if (o == NULL || (text = json_dumps(o, JSON_COMPACT)) == NULL) {
		json_decref(o);
		return E(NOMEM);
	}
	json_decref(o);
	if ((rc = store_begin(s, true, &txn)) == 0) {
		if ((rc = store_put(txn, s, TB_META, key, BUILT_KEY_LEN, text,
		    strlen(text), 0)) == 0)
			rc = store_commit(txn);
		else
			store_abort(txn);
	}
	free(text);
	return rc;
}

/* The highest number submitted for an entry's lot and period. */
static int64_t
highest_submitted(const json_t *orders, const json_t *e)
{
	const json_t *o;
	int64_t max = 0;
	size_t i;

	json_array_foreach(orders, i, o)
		if (strcmp(jr_str(o, "state"), "built") != 0 &&
		    cmp_member(o, e, "lot") == 0 &&
		    cmp_member(o, e, "period") == 0 && jr_int(o, "number") > max)
			max = jr_int(o, "number");
	return max;
}

/*
 * Adds the requests built on this node that may still be submitted (their
 * number follows the highest submitted), each with state built.
 */
static int
gather_built(struct gather *g, struct store_txn *txn)
{
	struct store_walk w;
	struct store_val k, v;
	json_t *e;
	int rc;

	if ((rc = store_walk_begin(&w, txn, g->s, TB_META, BUILT_PREFIX,
	    sizeof(BUILT_PREFIX) - 1, sizeof(BUILT_PREFIX) - 1)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if ((e = json_loadb(v.data, v.len, 0, NULL)) == NULL)
			continue;  /* this node's own note: never refuse a listing */
		if ((g->lot == NULL || strcmp(jr_str(e, "lot"), g->lot) == 0) &&
		    (g->period == NULL || strcmp(jr_str(e, "period"),
		    g->period) == 0) &&
		    jr_int(e, "number") > highest_submitted(g->orders, e)) {
			jb_put_str(&g->b, e, "state", "built");
			jb_put(&g->b, e, "decisions", json_array());
			jb_put(&g->b, e, "amended_by", json_array());
			jb_put(&g->b, e, "same_number", json_array());
			jb_push(&g->b, g->orders, e);
		} else
			json_decref(e);
	}
	store_walk_end(&w);
	return rc < 0 ? rc : g->b.err;
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
 * Names the other orders of the lot and period that carry an order's
 * number: submitted on two nodes that had not seen each other.
 */
static void
same_number(struct gather *g, json_t *o)
{
	json_t *x, *same = json_object_get(o, "same_number");
	size_t k;

	json_array_foreach(g->orders, k, x)
		if (x != o && strcmp(jr_str(x, "state"), "built") != 0 &&
		    cmp_member(x, o, "lot") == 0 &&
		    cmp_member(x, o, "period") == 0 &&
		    jr_int(x, "number") == jr_int(o, "number"))
			jb_push(&g->b, same, json_string(jr_str(x, "ref")));
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
		if (strcmp(jr_str(o, "state"), "built") == 0)
			continue;
		dec = json_object_get(o, "decisions");
		am = json_object_get(o, "amended_by");
		same_number(g, o);
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
	    d)) == 0 && (rc = gather_built(&g, txn)) == 0 &&
	    (rc = jr_sort(g.orders, cmp_orders)) == 0) {
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
