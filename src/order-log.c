/*
 * Orders and notices in the log (schema/order.md): the notice by which a
 * co-contractor informs the lead of its direct request (R11), and a
 * submitted request recorded as an order record that every node checks
 * against the signed file it holds (perm-order.c).
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* Today's date (UTC) as YYYY-MM-DD: the date a record is made. */
void
order_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/* Appends a field input of a type, by wire id. */
void
order_input(struct field_input *in, unsigned *n, const struct schema_type *t,
    unsigned field, struct value v)
{
	in[*n].f = schema_field(t, field);
	in[*n].v = v;
	(*n)++;
}

/* A string value over a C string. */
struct value
order_vstr(const char *s)
{
	return (struct value){ VAL_STR, false, 0, s, (uint32_t)strlen(s) };
}

/* An integer value. */
struct value
order_vint(int64_t i)
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
	snprintf(what, sizeof(what), _("a ref of %zu bytes: the refs of its "
	    "orders and notices would not fit in %d bytes; a lot that is "
	    "ordered has a ref of at most %d bytes"), strlen(lot),
	    CONSORT_REF_MAX, ORDER_LOT_REF_MAX);
	return consort_diag_set(d, E(TOOBIG), "lot", what, _("record the "
	    "sessions under a lot with a shorter ref (schema/order.md)"));
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
		return consort_diag_set(d, E(TOOBIG), "lot", _("the ref of an "
		    "order or notice of this lot would not fit in a ref"),
		    _("a lot that is ordered has a short ref "
		    "(schema/order.md)"));
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
order_find_notice(struct store_txn *txn, struct store *s, const char *lot,
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
	order_today(date);
	order_input(in, &n, t, F_notice_lot, order_vstr(o->lot));
	order_input(in, &n, t, F_notice_period, order_vstr(o->period));
	order_input(in, &n, t, F_notice_member, order_vstr(member));
	order_input(in, &n, t, F_notice_lead, order_vstr(lead));
	order_input(in, &n, t, F_notice_date, order_vstr(date));
	if ((rc = records_put(e, t, ref, strlen(ref), in, n, PUT_ADD, true,
	    &changed, d)) != 0)
		return rc;
	*recorded = true;
	return 0;
}

/* Whether a request carries its own number (format 2 and later). */
bool
order_has_number(const json_t *req)
{
	return json_is_integer(json_object_get(req, "number"));
}

/* Whether two JSON values are equal, or both absent. */
static bool
same_json(const json_t *a, const json_t *b)
{
	return a == NULL ? b == NULL : b != NULL && json_equal(a, b);
}

/* {"number": N, "sha256": HEX} of an order of a series. */
static json_t *
chain_link(struct jb *b, const struct order_entry *e)
{
	json_t *x = json_object();

	jb_put_int(b, x, "number", e->number);
	jb_put_str(b, x, "sha256", e->hash);
	return x;
}

/*
 * Puts into a request body its number for its lot and period (1 + the
 * highest submitted), and the requests of its scope it replaces: all of
 * them, oldest first (`replaces`), the latest named apart (`amends`).
 */
int
order_put_chain(json_t *req, const struct order_series *o, bool direct,
    const char *sender)
{
	const struct order_entry *latest = order_series_latest(o, direct,
	    sender);
	struct jb b = { 0 };
	json_t *all = json_array();
	size_t i;

	jb_put_int(&b, req, "number", o->max + 1);
	for (i = 0; i < o->n; i++)
		if (order_entry_in_scope(&o->v[i], direct, sender))
			jb_push(&b, all, chain_link(&b, &o->v[i]));
	if (latest != NULL)
		jb_put(&b, req, "amends", chain_link(&b, latest));
	jb_put(&b, req, "replaces", all);
	return b.err;
}

/*
 * Checks a request's number and chain against the series of its lot and
 * period: NULL when they follow it, else why not.
 * @param latest set to the order it amends, NULL when none
 */
const char *
order_chain_why(const json_t *req, const struct order_series *o,
    const struct order_entry **latest)
{
	const json_t *snd = json_object_get(req, "sender");
	bool direct = json_is_true(json_object_get(snd, "direct"));
	const char *sender = jr_str(snd, "siret"), *why = NULL;
	json_t *want;

	*latest = order_series_latest(o, direct, sender);
	if ((want = json_object()) == NULL ||
	    order_put_chain(want, o, direct, sender) != 0) {
		json_decref(want);
		return N_("cannot compute the requests it follows");
	}
	if (!json_equal(json_object_get(req, "number"),
	    json_object_get(want, "number")))
		why = N_("its number is not 1 + the highest request submitted "
		    "for its lot and period");
	else if (!same_json(json_object_get(req, "amends"),
	    json_object_get(want, "amends")) ||
	    !same_json(json_object_get(req, "replaces"),
	    json_object_get(want, "replaces")))
		why = N_("the requests it amends and replaces are not the ones "
		    "submitted before it for its lot and period");
	json_decref(want);
	return why;
}

/*
 * Checks that a request to submit follows the orders of its lot and
 * period this node holds, and gives its number and the ref of the order
 * it amends ("" when none).
 */
static int
follows(struct edit *e, const json_t *req, const char *lot,
    const char *period, int64_t *number, char *prior, size_t len,
    struct consort_diag *d)
{
	const struct order_entry *latest;
	struct order_series o;
	const char *why;
	char what[200];
	int rc;

	if (!order_has_number(req))
		return consort_diag_set(d, E(VERSION), "request",
		    _("it carries no number of its own: an older consort built "
		    "it"),
		    _("rebuild it (consort order build)"));
	if ((rc = perm_order_series(e->txn, &e->n->store, NULL, lot,
	    strlen(lot), period, &o)) != 0)
		return rc;
	*number = json_integer_value(json_object_get(req, "number"));
	if ((why = order_chain_why(req, &o, &latest)) != NULL) {
		snprintf(what, sizeof(what), _("request no. %lld of %s %s: %s "
		    "(%zu submitted here)"), (long long)*number, lot, period,
		    _(why), o.n);
		order_series_free(&o);
		return consort_diag_set(d, E(PERM), "request", what,
		    _("another request was submitted since it was built: build "
		    "it again (consort order build) and submit the new file"));
	}
	snprintf(prior, len, "%s", latest != NULL ? latest->ref : "");
	order_series_free(&o);
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
	int64_t number = 0;
	unsigned n = 0;
	bool changed;
	int rc;

	*already = false;
	if (!f->valid)
		return consort_diag_set(d, E(SIGNATURE), NULL,
		    _("the request does not match its "
		    "signature"), _("rebuild it (consort order "
		    "build)"));
	if (memcmp(f->file_key, e->n->pk, CONSORT_KEY_BYTES) != 0 ||
	    memcmp(f->key, e->n->pk, CONSORT_KEY_BYTES) != 0)
		return consort_diag_set(d, E(PERM), NULL,
		    _("this node did not sign "
		    "the request"), _("the member who built and signed it "
		    "submits it"));
	lot = jr_str(json_object_get(req, "lot"), "ref");
	period = jr_str(req, "period");
	tot = json_object_get(req, "totals");
	snd = json_object_get(req, "sender");
	sig = jr_str(json_object_get(f->root, "signature"), "sig");
	if (!lot[0] || !order_period_valid(period) || !json_is_object(tot))
		return consort_diag_set(d, E(SCHEMA), "request",
		    _("not an order request (no lot, period or totals)"), NULL);
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
		return consort_diag_set(d, rc, "request",
		    _("has no canonical form"),
		    NULL);
	if ((int64_t)flen > fs->hi) {
		free(file);
		snprintf(what, sizeof(what), _("the signed request is %zu "
		    "bytes; an order record holds at most %lld"), flen,
		    (long long)fs->hi);
		return consort_diag_set(d, E(TOOBIG), "request", what, NULL);
	}
	if ((rc = follows(e, req, lot, period, &number, prior, sizeof(prior),
	    d)) != 0) {
		free(file);
		return rc;
	}
	order_today(date);
	order_input(in, &n, t, F_order_lot, order_vstr(lot));
	order_input(in, &n, t, F_order_period, order_vstr(period));
	order_input(in, &n, t, F_order_hash, order_vstr(hhex));
	order_input(in, &n, t, F_order_key, order_vstr(khex));
	order_input(in, &n, t, F_order_signature, order_vstr(sig));
	order_input(in, &n, t, F_order_date, order_vstr(date));
	order_input(in, &n, t, F_order_sessions, order_vint(jr_int(tot, "sessions")));
	order_input(in, &n, t, F_order_financed, order_vint(jr_int(tot, "financed")));
	order_input(in, &n, t, F_order_hours, order_vint(jr_int(tot, "hours")));
	order_input(in, &n, t, F_order_cost_cents, order_vint(jr_int(tot, "cost_cents")));
	order_input(in, &n, t, F_order_sender, order_vstr(jr_str(snd, "siret")));
	order_input(in, &n, t, F_order_direct, (struct value){ VAL_BOOL,
	    jr_bool(snd, "direct"), 0, NULL, 0 });
	order_input(in, &n, t, F_order_number, order_vint(number));
	order_input(in, &n, t, F_order_signed, (struct value){ VAL_STR, false, 0,
	    file, (uint32_t)flen });
	if (prior[0])
		order_input(in, &n, t, F_order_amends, order_vstr(prior));
	/* the change-set builder copies the values */
	rc = records_put(e, t, ref, strlen(ref), in, n, PUT_ADD, true,
	    &changed, d);
	free(file);
	return rc;
}
