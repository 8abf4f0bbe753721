/*
 * Orders and notices in the log (DESIGN.md §4, schema/order.md): records
 * that stand for something signed, so nobody may write them but what they
 * stand for.  An order record is the request its author signed: it holds
 * the signed file itself (field `signed`, canonical JSON), and every other
 * field must be what that verified request says, or what the author's
 * causal past gives (its number and the order it amends).  A notice (R11)
 * is a co-contractor's own statement to the real lead about a lot alive in
 * its past.  Each is written whole by a change-set that holds nothing
 * else, and never set, unset or deleted afterwards, by anyone, the lead
 * included.  Every node judges the same way when it applies the change-set,
 * as for every other permission; a local write meets the same check.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"

/* The ops of the one record a change-set writes, by field. */
struct run {
	const char *ref;
	uint32_t reflen;
	const struct value *f[SCHEMA_MAX_FIELDS + 1];
};

/* Whether a value is the string s. */
static bool
is_str(const struct value *v, const char *s)
{
	return v != NULL && v->kind == VAL_STR && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* Whether a value is the integer i. */
static bool
is_int(const struct value *v, int64_t i)
{
	return v != NULL && v->kind == VAL_INT && v->i == i;
}

/* The refusals of ops that are not one record's whole creation. */
struct run_words {
	const char *changed;  /* an op on a record that exists, or no create */
	const char *alone;    /* another record's op in the change-set */
	const char *once;     /* a field set twice, unset, or a delete */
	const char *created;  /* a record created in the author's past */
};

/* The refusals of a run of ops on a record of type. */
static const struct run_words *
words_of(unsigned type)
{
	static const struct run_words order = {
		N_("an order or a notice is never changed nor deleted, by "
		    "anyone: it is written whole by the change-set that "
		    "creates it"),
		N_("the change-set that creates an order or a notice holds "
		    "nothing else"),
		N_("an order or a notice is created with each of its fields "
		    "once, and never changed nor deleted"),
		N_("an order or a notice is created once, and never changed "
		    "nor deleted"),
	}, decision = {
		N_("a decision of the Region is never changed nor deleted, by "
		    "anyone: it is written whole by the change-set that "
		    "records it"),
		N_("the change-set that records a decision of the Region holds "
		    "nothing else"),
		N_("a decision of the Region is recorded with each of its "
		    "fields once, and never changed nor deleted"),
		N_("a decision of the Region is recorded once, and never "
		    "changed nor deleted"),
	}, key = {
		N_("the Region's key is never changed nor deleted, by anyone: "
		    "the lead records a new one"),
		N_("the change-set that records the Region's key holds nothing "
		    "else"),
		N_("the Region's key is recorded with each of its fields once, "
		    "and never changed nor deleted"),
		N_("the Region's key is recorded once, and never changed nor "
		    "deleted: the lead records a new one"),
	};

	return type == T_decision ? &decision : type == T_region_key ? &key :
	    &order;
}

/*
 * Reads the change-set's ops as the whole creation of one record: a create,
 * then each field once.  Returns a reason when they are not.
 */
static const char *
read_run(const struct changeset *cs, struct run *r)
{
	const struct run_words *w = words_of(cs->ops[0].type);
	const struct cs_op *op;
	uint32_t k;

	memset(r, 0, sizeof(*r));
	if (cs->ops[0].kind != OP_CREATE)
		return w->changed;
	r->ref = cs->ops[0].val.s;
	r->reflen = cs->ops[0].val.len;
	for (k = 1; k < cs->nops; k++) {
		op = &cs->ops[k];
		if (op->type != cs->ops[0].type ||
		    memcmp(op->id, cs->ops[0].id, CONSORT_EID_BYTES) != 0)
			return w->alone;
		if (op->kind != OP_SET || r->f[op->field] != NULL)
			return w->once;
		r->f[op->field] = &op->val;
	}
	return NULL;
}

/* The SIRET of the lead (the founder's member record), or NULL. */
static const char *
lead_siret(const struct store *s)
{
	const struct member *l = perm_member_by_key(s, s->founder);

	return l != NULL && l->siret[0] ? l->siret : NULL;
}

/* Whether a record of type and ref was created in the causal past c. */
static int
created(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const char *ref, size_t len, bool *yes, bool *alive)
{
	uint8_t id[CONSORT_EID_BYTES];

	keys_entity_id(id, s->founder, type, ref, len);
	return perm_existed(txn, s, c, type, id, yes, alive);
}

/* Checks a notice: a co-contractor's own, to the real lead, on a live lot. */
static int
check_notice(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct run *r, const char **why)
{
	const char *lead = lead_siret(s);
	char ref[CONSORT_REF_MAX + 64];
	bool yes, alive;
	unsigned k;
	int rc;

	if (m == NULL || m->role != ROLE_CO) {
		*why = N_("only a co-contractor records a notice, of its own "
		    "direct request to the lead (R11)");
		return E(PERM);
	}
	for (k = 1; k <= schema_type(T_notice)->max_field; k++)
		if (r->f[k] == NULL || r->f[k]->kind != VAL_STR) {
			*why = N_("a notice names its lot, period, member, "
			    "lead and date");
			return E(PERM);
		}
	if (!is_str(r->f[F_notice_member], m->siret)) {
		*why = N_("a notice names its own author as the member");
		return E(PERM);
	}
	if (lead == NULL || !is_str(r->f[F_notice_lead], lead)) {
		*why = N_("a notice names the consortium's lead");
		return E(PERM);
	}
	snprintf(ref, sizeof(ref), "N-%.*s-%.*s-%s",
	    (int)r->f[F_notice_lot]->len, r->f[F_notice_lot]->s,
	    (int)r->f[F_notice_period]->len, r->f[F_notice_period]->s, m->siret);
	if (strlen(ref) != r->reflen || memcmp(ref, r->ref, r->reflen) != 0) {
		*why = N_("a notice's ref is N-LOT-PERIOD-SIRET of its fields");
		return E(PERM);
	}
	if ((rc = created(txn, s, c, T_lot, r->f[F_notice_lot]->s,
	    r->f[F_notice_lot]->len, &yes, &alive)) != 0)
		return rc;
	if (!alive) {
		*why = N_("a notice names a lot that exists");
		return E(PERM);
	}
	return 0;
}

/* Whether a record holds a signed file in its canonical form (RFC 8785). */
static bool
held_canonical(const json_t *root, const struct value *v)
{
	char *canon = NULL;
	size_t clen = 0;
	bool same;

	same = jcs_canonical(root, &canon, &clen) == 0 && clen == v->len &&
	    memcmp(canon, v->s, clen) == 0;
	free(canon);
	return same;
}

/* The verified request an order record holds, and what it says. */
struct signed_request {
	struct order_file f;
	const json_t *req, *sender, *totals;
	char hash[2 * 32 + 1];
	char author[2 * CONSORT_KEY_BYTES + 1];
};

/*
 * Checks the key chain of a verified request: a lead's request signed by
 * another key than the founder's carries the chain from the founder's key
 * to its author's (schema/keys.md), and any chain it carries holds.  The
 * request alone decides, so every node judges alike.
 */
static int
verify_chain(const struct store *s, const struct changeset *cs,
    const struct signed_request *q, const char **why)
{
	*why = NULL;
	if (!q->f.direct && !q->f.has_chain &&
	    memcmp(cs->author, s->founder, CONSORT_KEY_BYTES) != 0) {
		*why = N_("a lead's request signed by a key that replaced the "
		    "founder's carries the chain of key records from the "
		    "founder's key to its signer's (schema/keys.md)");
		return E(PERM);
	}
	if (q->f.has_chain && q->f.chain_rc != 0) {
		*why = N_("its request's key chain does not link its signer's "
		    "key to the founder's, or to its own first key in a direct "
		    "request (schema/keys.md)");
		return E(PERM);
	}
	return 0;
}

/*
 * Verifies the signed file an order record holds: well formed, in its
 * canonical form, signed with its author's key, for this consortium and
 * this lead, and linked to the founder's key when another key signed it.
 */
static int
verify_signed(const struct store *s, const struct changeset *cs,
    const struct value *v, struct signed_request *q, const char **why)
{
	char hex[2 * CONSORT_HASH_BYTES + 1];
	const json_t *x;

	*why = N_("an order holds the signed request it records (field "
	    "signed)");
	if (v == NULL || v->kind != VAL_STR)
		return E(PERM);
	util_hex(q->author, cs->author, CONSORT_KEY_BYTES);
	*why = N_("its signed request is not a signed order request file");
	if (order_parse(v->s, v->len, NULL, &q->f, NULL) != 0)
		return E(PERM);
	if (!held_canonical(q->f.root, v)) {
		*why = N_("its signed request is not in its canonical form "
		    "(RFC 8785)");
		return E(PERM);
	}
	if (memcmp(q->f.file_key, cs->author, CONSORT_KEY_BYTES) != 0 ||
	    !q->f.valid) {
		*why = N_("its request was not signed by the author of the "
		    "change-set");
		return E(PERM);
	}
	q->req = q->f.request;
	q->sender = json_object_get(q->req, "sender");
	q->totals = json_object_get(q->req, "totals");
	util_hex(q->hash, q->f.hash, 32);
	util_hex(hex, cs->consortium, CONSORT_HASH_BYTES);
	x = json_object_get(q->req, "consortium");
	if (strcmp(jr_str(x, "id"), hex) != 0) {
		*why = N_("its request is another consortium's");
		return E(PERM);
	}
	util_hex(hex, s->founder, CONSORT_KEY_BYTES);
	if (strcmp(jr_str(json_object_get(q->req, "lead"), "key"), hex) != 0) {
		*why = N_("its request names another lead");
		return E(PERM);
	}
	return verify_chain(s, cs, q, why);
}

/*
 * Checks who sends the request: the lead, or a co-contractor directly
 * (R11) whose notice to the lead is in the change-set's past.
 */
static int
check_sender(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct signed_request *q, const char **why)
{
	const char *lead = lead_siret(s), *siret = jr_str(q->sender, "siret");
	const char *lot = jr_str(json_object_get(q->req, "lot"), "ref");
	const char *period = jr_str(q->req, "period");
	bool direct = json_is_true(json_object_get(q->sender, "direct"));
	char ref[CONSORT_REF_MAX + 64];
	bool yes, alive;
	int rc;

	if (strcmp(jr_str(q->sender, "key"), q->author) != 0) {
		*why = N_("its request names another sender than its author");
		return E(PERM);
	}
	if (m == NULL) {
		if (!direct && lead != NULL && strcmp(siret, lead) == 0)
			return 0;
		*why = N_("the lead's request is sent as the lead's");
		return E(PERM);
	}
	if (m->role != ROLE_CO || !direct || strcmp(siret, m->siret) != 0) {
		*why = N_("an order request is the lead's, or a "
		    "co-contractor's own direct request (R11)");
		return E(PERM);
	}
	snprintf(ref, sizeof(ref), "N-%s-%s-%s", lot, period, siret);
	if ((rc = created(txn, s, c, T_notice, ref, strlen(ref), &yes,
	    &alive)) != 0)
		return rc;
	if (!yes) {
		*why = N_("a direct request follows its notice to the lead "
		    "(R11)");
		return E(PERM);
	}
	return 0;
}

/* Whether the order's own fields are what its verified request says. */
static bool
fields_match(const struct run *r, const struct signed_request *q)
{
	const char *lot = jr_str(json_object_get(q->req, "lot"), "ref");
	const char *sig = jr_str(json_object_get(q->f.root, "signature"), "sig");
	const struct value *d = r->f[F_order_direct];

	return is_str(r->f[F_order_lot], lot) &&
	    is_str(r->f[F_order_period], jr_str(q->req, "period")) &&
	    is_str(r->f[F_order_hash], q->hash) &&
	    is_str(r->f[F_order_key], q->author) &&
	    is_str(r->f[F_order_signature], sig) &&
	    is_str(r->f[F_order_sender], jr_str(q->sender, "siret")) &&
	    d != NULL && d->kind == VAL_BOOL &&
	    d->b == json_is_true(json_object_get(q->sender, "direct")) &&
	    r->f[F_order_date] != NULL;
}

/* Whether the order's totals are its verified request's. */
static bool
totals_match(const struct run *r, const struct signed_request *q)
{
	static const struct { unsigned field; const char *key; } t[] = {
		{ F_order_sessions, "sessions" }, { F_order_financed, "financed" },
		{ F_order_hours, "hours" }, { F_order_cost_cents, "cost_cents" },
	};
	const json_t *v;
	size_t i;

	for (i = 0; i < nitems(t); i++) {
		v = json_object_get(q->totals, t[i].key);
		if (!json_is_integer(v) || !is_int(r->f[t[i].field],
		    json_integer_value(v)))
			return false;
	}
	return true;
}

/* What perm_order_series looks for, and what it found. */
struct series_walk {
	const struct store *s;
	const struct causal *c;
	const char *lot, *period;
	size_t lotlen;
	struct order_series *out;
	int err;
};

/* Whether a record was created in the causal past c (NULL: it exists). */
static bool
in_past(const struct record *r, const struct causal *c)
{
	const struct entry *e;
	uint32_t k;

	if (c == NULL)
		return true;
	for (k = 0; k < r->exist.n; k++) {
		e = &r->pool[r->exist.off + k];
		if (e->val.kind != VAL_NIL && e->author < c->n &&
		    e->seq <= c->vv[e->author])
			return true;
	}
	return false;
}

/* Adds an order of the lot and period in the past to the series. */
static int
series_one(void *ctx, const struct record *r)
{
	struct series_walk *w = ctx;
	struct order_series *o = w->out;
	struct order_entry *e, *nv;
	const struct value *v;

	v = state_field(w->s, r, F_order_lot);
	if (!in_past(r, w->c) || v == NULL || v->kind != VAL_STR ||
	    v->len != w->lotlen || memcmp(v->s, w->lot, v->len) != 0 ||
	    !is_str(state_field(w->s, r, F_order_period), w->period))
		return 0;
	v = state_field(w->s, r, F_order_number);
	if (v == NULL || v->kind != VAL_INT || r->ref_len > CONSORT_REF_MAX)
		return 0;
	if (o->n == o->cap) {
		o->cap = o->cap ? 2 * o->cap : 8;
		if ((nv = realloc(o->v, o->cap * sizeof(*nv))) == NULL)
			return w->err = E(NOMEM);
		o->v = nv;
	}
	e = &o->v[o->n++];
	memset(e, 0, sizeof(*e));
	e->number = v->i;
	e->visit = o->n - 1;
	memcpy(e->ref, r->ref, r->ref_len);
	value_copy_str(e->hash, sizeof(e->hash), state_field(w->s, r,
	    F_order_hash));
	value_copy_str(e->sender, sizeof(e->sender), state_field(w->s, r,
	    F_order_sender));
	v = state_field(w->s, r, F_order_direct);
	e->direct = v != NULL && v->kind == VAL_BOOL && v->b;
	if (e->number > o->max)
		o->max = e->number;
	return 0;
}

/*
 * Visits the live orders of the lot and period in ref order: those the
 * index holds under them, or every order of a store without its index.
 */
static int
walk_series(struct store_txn *txn, struct store *s, struct series_walk *w)
{
	char lot[CONSORT_REF_MAX + 1];
	struct index_hits h = { 0 };
	int64_t month = index_month(w->period, strlen(w->period));
	int rc;

	if (month < 0 || strlen(w->period) != 7 || w->lotlen == 0 ||
	    w->lotlen > CONSORT_REF_MAX || memchr(w->lot, 0, w->lotlen) != NULL ||
	    !index_ready(txn, s))
		return state_foreach(txn, s, T_order, series_one, w);
	memcpy(lot, w->lot, w->lotlen);
	lot[w->lotlen] = '\0';
	if ((rc = index_find(txn, s, IX_ORDER_PERIOD, lot, month, &h)) == 0)
		rc = index_visit(txn, s, T_order, &h, false, series_one, w);
	index_hits_free(&h);
	return rc;
}

/* Orders entries by number, then ref. */
static int
entry_cmp(const void *a, const void *b)
{
	const struct order_entry *x = a, *y = b;

	if (x->number != y->number)
		return x->number < y->number ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

/*
 * The orders of (lot, period) in the causal past c (NULL: every order in
 * the state, a local write's past), by number then ref, and the highest
 * number: a new request takes the next one.
 */
int
perm_order_series(struct store_txn *txn, struct store *s,
    const struct causal *c, const char *lot, size_t lotlen, const char *period,
    struct order_series *out)
{
	struct series_walk w = { s, c, lot, period, lotlen, out, 0 };
	int rc;

	memset(out, 0, sizeof(*out));
	rc = walk_series(txn, s, &w);
	if (rc == 0)
		rc = w.err;
	if (rc != 0) {
		order_series_free(out);
		return rc;
	}
	if (out->n > 1)
		qsort(out->v, out->n, sizeof(*out->v), entry_cmp);
	return 0;
}

/* Frees a series of perm_order_series(); NULL is allowed. */
void
order_series_free(struct order_series *o)
{
	if (o == NULL)
		return;
	free(o->v);
	memset(o, 0, sizeof(*o));
}

/*
 * Whether an order is of a scope: the lead's requests (direct false), or
 * one co-contractor's direct requests (direct true, sender its SIRET).
 */
bool
order_entry_in_scope(const struct order_entry *e, bool direct,
    const char *sender)
{
	return direct ? e->direct && strcmp(e->sender, sender) == 0 :
	    !e->direct;
}

/*
 * The latest order of a scope, the one a new request of that scope
 * amends, or NULL; among equal numbers (submitted concurrently), the
 * first ref, so that every node finds the same.
 */
const struct order_entry *
order_series_latest(const struct order_series *o, bool direct,
    const char *sender)
{
	const struct order_entry *best = NULL;
	size_t i;

	for (i = 0; i < o->n; i++)
		if (order_entry_in_scope(&o->v[i], direct, sender) &&
		    (best == NULL || o->v[i].number > best->number))
			best = &o->v[i];
	return best;
}

/*
 * The highest number among the orders of (lot, period) in the causal past
 * c, 0 when none, and the first of that number in the state's walk (any
 * sender): the rule of requests of format 1, which carry no number of
 * their own.
 */
static int
prior_v1(struct store_txn *txn, struct store *s, const struct causal *c,
    const char *lot, const char *period, int64_t *number, char *ref,
    size_t reflen)
{
	const struct order_entry *first;
	struct order_series o;
	size_t i;
	int rc;

	ref[0] = '\0';
	if ((rc = perm_order_series(txn, s, c, lot, strlen(lot), period,
	    &o)) != 0)
		return rc;
	*number = o.max;
	for (i = 0, first = NULL; i < o.n; i++)
		if (o.v[i].number == o.max &&
		    (first == NULL || o.v[i].visit < first->visit))
			first = &o.v[i];
	if (first != NULL)
		snprintf(ref, reflen, "%s", first->ref);
	order_series_free(&o);
	return 0;
}

/*
 * The number an order must carry and the ref of the order it amends ("" if
 * none), by the orders of its lot and period in its author's past c: a
 * request of format 2 carries them, and must follow that past (why set
 * when not); one of format 1 takes 1 + the highest number, and amends the
 * first order of that number.
 */
static int
past_chain(struct store_txn *txn, struct store *s, const struct causal *c,
    const json_t *req, const char *lot, const char *period, int64_t *number,
    char *prior, size_t len, const char **why)
{
	const struct order_entry *latest;
	struct order_series o;
	int rc;

	*why = NULL;
	if (!order_has_number(req)) {
		rc = prior_v1(txn, s, c, lot, period, number, prior, len);
		*number += 1;
		return rc;
	}
	if ((rc = perm_order_series(txn, s, c, lot, strlen(lot), period,
	    &o)) != 0)
		return rc;
	if ((*why = order_chain_why(req, &o, &latest)) != NULL)
		*why = N_("an order's request is numbered after, and names, "
		    "the orders of its lot and period in its author's past");
	*number = json_integer_value(json_object_get(req, "number"));
	snprintf(prior, len, "%s", latest != NULL ? latest->ref : "");
	order_series_free(&o);
	return 0;
}

/*
 * Checks every field of an order record against its verified request and
 * the author's causal past (its number, the order it amends).
 */
static int
check_fields(struct store_txn *txn, struct store *s, const struct causal *c,
    const struct run *r, const struct signed_request *q, const char **why)
{
	const char *lot = jr_str(json_object_get(q->req, "lot"), "ref");
	const char *period = jr_str(q->req, "period");
	char ref[CONSORT_REF_MAX + 64], prior[CONSORT_REF_MAX + 1];
	int64_t number;
	int rc;

	if (!schema_period_valid(period, strlen(period)) ||
	    schema_check_ref(lot, strlen(lot), NULL) != 0) {
		*why = N_("its request names no lot or no real period");
		return E(PERM);
	}
	if ((rc = past_chain(txn, s, c, q->req, lot, period, &number, prior,
	    sizeof(prior), why)) != 0)
		return rc;
	snprintf(ref, sizeof(ref), "O-%s-%s-%.12s", lot, period, q->hash);
	if (strlen(ref) != r->reflen || memcmp(ref, r->ref, r->reflen) != 0)
		*why = N_("an order's ref is O-LOT-PERIOD- and 12 hex digits "
		    "of its request's hash");
	else if (!fields_match(r, q))
		*why = N_("an order's fields are what its signed request says");
	else if (!totals_match(r, q))
		*why = N_("an order's totals are its signed request's");
	else if (*why != NULL)
		;
	else if (!is_int(r->f[F_order_number], number) ||
	    (prior[0] != '\0') != (r->f[F_order_amends] != NULL) ||
	    (prior[0] != '\0' && !is_str(r->f[F_order_amends], prior)))
		*why = N_("an order's number and the order it amends follow "
		    "the orders of its lot and period in its author's past");
	else
		return 0;
	return E(PERM);
}

/* Checks an order record: the verified request it holds, and its fields. */
static int
check_order(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, const struct run *r,
    const char **why)
{
	struct signed_request q;
	unsigned k;
	int rc;

	if (m != NULL && m->role != ROLE_CO) {
		*why = N_("an order request is sent by the lead, or directly "
		    "by a co-contractor (R11)");
		return E(PERM);
	}
	for (k = schema_type(T_order)->max_field + 1u; k <= SCHEMA_MAX_FIELDS;
	    k++)
		if (r->f[k] != NULL) {
			*why = N_("an order holds only the fields of the "
			    "schema");
			return E(PERM);
		}
	memset(&q, 0, sizeof(q));
	if ((rc = verify_signed(s, cs, r->f[F_order_signed], &q, why)) == 0 &&
	    (rc = check_sender(txn, s, m, c, &q, why)) == 0)
		rc = check_fields(txn, s, c, r, &q, why);
	order_file_free(&q.f);
	return rc;
}

/* The verified decision a decision record holds, and what it says. */
struct signed_decision {
	struct order_file f;
	struct decision x;
	char hash[2 * 32 + 1];
	char key[2 * CONSORT_KEY_BYTES + 1];
	char order[CONSORT_REF_MAX + 64];   /* the ref of the order it answers */
};

/*
 * Verifies the signed file a decision record holds: a well-formed
 * decision, in its canonical form, whose signature holds with the key it
 * names.
 */
static int
verify_decision(const struct value *v, struct signed_decision *q,
    const char **why)
{
	*why = N_("a decision holds the signed decision of the Region it "
	    "records (field signed)");
	if (v == NULL || v->kind != VAL_STR)
		return E(PERM);
	*why = N_("its signed decision is not a signed decision file");
	if (order_parse_as("decision", v->s, v->len, NULL, &q->f, NULL) != 0)
		return E(PERM);
	if (!held_canonical(q->f.root, v)) {
		*why = N_("its signed decision is not in its canonical form "
		    "(RFC 8785)");
		return E(PERM);
	}
	if (!q->f.valid) {
		*why = N_("its decision does not match its signature");
		return E(PERM);
	}
	if (decision_read(q->f.decision, &q->x, NULL) != 0) {
		*why = N_("its decision is not one of "
		    "schema/decision.schema.json");
		return E(PERM);
	}
	util_hex(q->hash, q->f.hash, 32);
	util_hex(q->key, q->f.file_key, CONSORT_KEY_BYTES);
	if (order_ref(q->order, sizeof(q->order), q->x.lot, q->x.period,
	    q->x.request, NULL) != 0) {
		*why = N_("its decision names a lot whose orders have no ref");
		return E(PERM);
	}
	*why = NULL;
	return 0;
}

/*
 * Checks the order a decision answers: submitted in the author's past,
 * of the decision's request, its total cost the order's amount, its number
 * the request's.
 */
static int
check_answered(struct store_txn *txn, struct store *s, const struct causal *c,
    const struct signed_decision *q, const char **why)
{
	struct record r;
	bool yes, alive;
	int rc;

	/* an order is never deleted: created in the past, it is there */
	if ((rc = created(txn, s, c, T_order, q->order, strlen(q->order), &yes,
	    &alive)) != 0)
		return rc;
	if (!yes) {
		*why = N_("its decision answers no order submitted in its "
		    "author's past");
		return E(PERM);
	}
	record_init(&r);
	if ((rc = state_lookup(txn, s, s->founder, T_order, q->order,
	    strlen(q->order), &r)) != 0) {
		record_free(&r);
		return rc == E(NOENT) ? (*why = N_("its decision answers no "
		    "order submitted in its author's past"), E(PERM)) : rc;
	}
	if (!is_str(state_field(s, &r, F_order_hash), q->x.request))
		*why = N_("its decision answers no order submitted in its "
		    "author's past");
	else if (q->x.accepted && !is_int(state_field(s, &r,
	    F_order_cost_cents), q->x.amount_cents))
		*why = N_("an accepted decision's amount is the request's "
		    "total cost");
	else if (q->x.has_request_number && !is_int(state_field(s, &r,
	    F_order_number), q->x.request_number))
		*why = N_("a decision names the number of the request it "
		    "answers");
	else
		*why = NULL;
	record_free(&r);
	return *why != NULL ? E(PERM) : 0;
}

/* Whether a decision record's fields are what its verified decision says. */
static bool
decision_fields_match(const struct run *r, const struct signed_decision *q)
{
	const struct decision *x = &q->x;
	const char *sig = jr_str(json_object_get(q->f.root, "signature"), "sig");
	bool answer;

	answer = x->accepted ? is_str(r->f[F_decision_order_number], x->number) &&
	    is_int(r->f[F_decision_amount_cents], x->amount_cents) &&
	    r->f[F_decision_reason] == NULL :
	    is_str(r->f[F_decision_reason], x->reason) &&
	    r->f[F_decision_order_number] == NULL &&
	    r->f[F_decision_amount_cents] == NULL;
	return answer && is_str(r->f[F_decision_lot], x->lot) &&
	    is_str(r->f[F_decision_period], x->period) &&
	    is_str(r->f[F_decision_request], x->request) &&
	    is_str(r->f[F_decision_order], q->order) &&
	    is_str(r->f[F_decision_verdict], x->accepted ? "accepted" :
	    "refused") &&
	    is_str(r->f[F_decision_date], x->date) &&
	    is_str(r->f[F_decision_hash], q->hash) &&
	    is_str(r->f[F_decision_key], q->key) &&
	    is_str(r->f[F_decision_signature], sig) &&
	    (x->has_request_number ? is_int(r->f[F_decision_request_number],
	    x->request_number) : r->f[F_decision_request_number] == NULL);
}

/*
 * Checks a decision record: the signed decision it holds, signed by the
 * Region's key in force in its author's past, answering an order there
 * that the Region had not answered, and every field what it says.  Any
 * member may record it: the signature is the Region's.
 */
static int
check_decision(struct store_txn *txn, struct store *s, const struct causal *c,
    const struct run *r, const char **why)
{
	struct signed_decision q;
	struct region_key rk;
	char ref[CONSORT_REF_MAX + 64], other[CONSORT_REF_MAX + 1];
	unsigned k;
	int rc;

	for (k = schema_type(T_decision)->max_field + 1u; k <= SCHEMA_MAX_FIELDS;
	    k++)
		if (r->f[k] != NULL) {
			*why = N_("a decision holds only the fields of the "
			    "schema");
			return E(PERM);
		}
	memset(&q, 0, sizeof(q));
	if ((rc = verify_decision(r->f[F_decision_signed], &q, why)) != 0)
		goto out;
	if ((rc = perm_region_key(txn, s, c, &rk)) != 0)
		goto out;
	rc = E(PERM);
	if (decision_ref(ref, sizeof(ref), q.x.lot, q.x.period, q.hash,
	    NULL) != 0)
		*why = N_("its decision names a lot whose decisions have no "
		    "ref");
	else if (rk.number == 0)
		*why = N_("no Region key is recorded in its author's past (the "
		    "lead records it: consort order region-key)");
	else if (memcmp(rk.key, q.f.file_key, CONSORT_KEY_BYTES) != 0)
		*why = N_("its decision is not signed by the Region's key in "
		    "force in its author's past");
	else if (strlen(ref) != r->reflen || memcmp(ref, r->ref, r->reflen) != 0)
		*why = N_("a decision's ref is D-LOT-PERIOD- and 12 hex digits "
		    "of its hash");
	else if (!decision_fields_match(r, &q))
		*why = N_("a decision's fields are what its signed decision "
		    "says");
	else if ((rc = check_answered(txn, s, c, &q, why)) == 0 &&
	    (rc = perm_decision_of(txn, s, c, q.x.request, other,
	    sizeof(other))) == 0 && other[0] != '\0') {
		*why = N_("the Region answers a request once: another decision "
		    "on it is in its author's past");
		rc = E(PERM);
	}
out:
	order_file_free(&q.f);
	return rc;
}

/*
 * Checks a Region key: the lead's, its key, date and number, numbered
 * after the Region keys in its past, its ref RK- and its number.
 */
static int
check_region_key(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, const struct run *r,
    const char **why)
{
	const struct value *n = r->f[F_region_key_number];
	struct region_key rk;
	char ref[32];
	unsigned k;
	int rc;

	if (m != NULL) {
		*why = N_("only the lead records the Region's key");
		return E(PERM);
	}
	for (k = schema_type(T_region_key)->max_field + 1u;
	    k <= SCHEMA_MAX_FIELDS; k++)
		if (r->f[k] != NULL) {
			*why = N_("a Region key holds only the fields of the "
			    "schema");
			return E(PERM);
		}
	if (r->f[F_region_key_key] == NULL || r->f[F_region_key_date] == NULL ||
	    n == NULL || n->kind != VAL_INT) {
		*why = N_("a Region key names its key, its date and its "
		    "number");
		return E(PERM);
	}
	if ((rc = perm_region_key(txn, s, c, &rk)) != 0)
		return rc;
	snprintf(ref, sizeof(ref), "RK-%lld", (long long)n->i);
	if (n->i != rk.number + 1)
		*why = N_("a Region key's number follows the Region keys in "
		    "its author's past");
	else if (strlen(ref) != r->reflen || memcmp(ref, r->ref, r->reflen) != 0)
		*why = N_("a Region key's ref is RK- and its number");
	else
		return 0;
	return E(PERM);
}

/* Judges the change-set holding op i, an order's, a notice's, a
   decision's or a Region key's. */
static int
judge(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why)
{
	const struct cs_op *op = &cs->ops[i];
	struct run r;
	bool before, alive;
	int rc;

	if ((*why = read_run(cs, &r)) != NULL)
		return E(PERM);
	if ((rc = perm_roster(txn, s)) != 0 ||
	    (rc = perm_existed(txn, s, c, op->type, op->id, &before,
	    &alive)) != 0)
		return rc;
	if (before) {
		*why = words_of(op->type)->created;
		return E(PERM);
	}
	switch (op->type) {
	case T_notice:
		return check_notice(txn, s, m, c, &r, why);
	case T_decision:
		return check_decision(txn, s, c, &r, why);
	case T_region_key:
		return check_region_key(txn, s, m, c, &r, why);
	default:
		return check_order(txn, s, m, c, cs, &r, why);
	}
}

/*
 * Decides whether the author of cs (m, NULL for the lead) may apply its op
 * i on an order or a notice.  The whole change-set is judged at its first
 * op; the verdict holds for the ops that follow (s->verdict).
 */
int
perm_order_check(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why)
{
	struct perm_verdict *v = &s->verdict;
	int rc;

	if (i > 0 && v->valid && v->op + 1 == i &&
	    memcmp(v->cs, cs->id, CONSORT_HASH_BYTES) == 0) {
		v->op = i;
		*why = v->why;
		return v->rc;
	}
	v->valid = false;
	rc = i == 0 ? judge(txn, s, m, c, cs, i, why) :
	    (*why = words_of(cs->ops[0].type)->alone, E(PERM));
	if (rc != 0 && rc != E(PERM))
		return rc;
	memcpy(v->cs, cs->id, CONSORT_HASH_BYTES);
	v->op = i;
	v->rc = rc;
	v->why = *why;
	v->valid = true;
	return rc;
}

/* What perm_region_key looks for, and what it found. */
struct key_search {
	const struct store *s;
	const struct causal *c;
	struct region_key *out;
};

/* Keeps the Region key of the highest number in the past. */
static int
key_one(void *ctx, const struct record *r)
{
	struct key_search *k = ctx;
	const struct value *n = state_field(k->s, r, F_region_key_number);
	const struct value *v = state_field(k->s, r, F_region_key_key);
	const struct value *d = state_field(k->s, r, F_region_key_date);

	if (!in_past(r, k->c) || n == NULL || n->kind != VAL_INT ||
	    n->i <= k->out->number || v == NULL || v->kind != VAL_STR ||
	    v->len != 64 || r->ref_len > CONSORT_REF_MAX ||
	    util_unhex_n(k->out->key, CONSORT_KEY_BYTES, v->s, 64) != 0)
		return 0;
	k->out->number = n->i;
	value_copy_str(k->out->date, sizeof(k->out->date), d);
	memcpy(k->out->ref, r->ref, r->ref_len);
	k->out->ref[r->ref_len] = '\0';
	return 0;
}

/*
 * The Region's key in force in the causal past c (NULL: the state): the
 * one of the highest number.  Only the lead records them, one after the
 * other, so every node finds the same.
 */
int
perm_region_key(struct store_txn *txn, struct store *s, const struct causal *c,
    struct region_key *out)
{
	struct key_search k = { s, c, out };

	memset(out, 0, sizeof(*out));
	return state_foreach(txn, s, T_region_key, key_one, &k);
}

/* What perm_decision_of looks for, and what it found. */
struct answer_search {
	const struct store *s;
	const struct causal *c;
	const char *request;
	char *ref;
	size_t reflen;
};

/* Keeps the first decision (by ref) on the request in the past. */
static int
answer_one(void *ctx, const struct record *r)
{
	struct answer_search *a = ctx;
	size_t have = strlen(a->ref);
	int cmp;

	if (!in_past(r, a->c) || !is_str(state_field(a->s, r,
	    F_decision_request), a->request) || r->ref_len >= a->reflen)
		return 0;
	cmp = memcmp(a->ref, r->ref, have < r->ref_len ? have : r->ref_len);
	if (have > 0 && (cmp < 0 || (cmp == 0 && have <= r->ref_len)))
		return 0;
	memcpy(a->ref, r->ref, r->ref_len);
	a->ref[r->ref_len] = '\0';
	return 0;
}

/* A decision of the Region on a request in the causal past c, by ref. */
int
perm_decision_of(struct store_txn *txn, struct store *s,
    const struct causal *c, const char *request, char *ref, size_t reflen)
{
	struct answer_search a = { s, c, request, ref, reflen };

	ref[0] = '\0';
	return state_foreach(txn, s, T_decision, answer_one, &a);
}

/* Whether perm_order_check judges a record type. */
bool
perm_order_type(unsigned type)
{
	return type == T_order || type == T_notice || type == T_decision ||
	    type == T_region_key;
}
