/*
 * The Region's key and its decisions in the log (schema/order.md, "The
 * Region's decision"): the lead records the key that signs the Region's
 * decisions (region_key RK-N, the highest number the key in force), and
 * any member records a decision the Region sent back (decision
 * D-LOT-PERIOD-<12 hex>), which every node checks against that key and
 * the order it answers (perm-order.c).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/*
 * Records the Region's key (the lead's only): RK-N, N the next number
 * after the keys recorded, with today's date; nothing when it is the key
 * in force already.
 */
int
region_key_record(struct edit *e, const uint8_t key[CONSORT_KEY_BYTES],
    char *ref, size_t reflen, bool *already, struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_region_key);
	struct field_input in[4];
	struct region_key rk;
	char hex[2 * CONSORT_KEY_BYTES + 1], date[11];
	unsigned n = 0;
	bool changed;
	int rc;

	*already = false;
	if (!perm_is_lead(&e->n->store, e->n->pk))
		return consort_diag_set(d, E(PERM), "region-key", _("only the "
		    "consortium's lead records the Region's key"),
		    _("the lead runs consort order region-key HEX"));
	if ((rc = perm_region_key(e->txn, &e->n->store, NULL, &rk)) != 0)
		return rc;
	if (rk.number > 0 && memcmp(rk.key, key, CONSORT_KEY_BYTES) == 0) {
		*already = true;
		snprintf(ref, reflen, "%s", rk.ref);
		return 0;
	}
	snprintf(ref, reflen, "RK-%lld", (long long)rk.number + 1);
	util_hex(hex, key, CONSORT_KEY_BYTES);
	order_today(date);
	order_input(in, &n, t, F_region_key_key, order_vstr(hex));
	order_input(in, &n, t, F_region_key_date, order_vstr(date));
	order_input(in, &n, t, F_region_key_number, order_vint(rk.number + 1));
	return records_put(e, t, ref, strlen(ref), in, n, PUT_ADD, true,
	    &changed, d);
}

/* The ref of a decision: D-LOT-PERIOD- and 12 hex digits of its hash. */
int
decision_ref(char *ref, size_t len, const char *lot, const char *period,
    const char *hash_hex, struct consort_diag *d)
{
	struct strbuf sb;

	strbuf_init(&sb, ref, len < CONSORT_REF_MAX + 1 ? len :
	    CONSORT_REF_MAX + 1);
	strbuf_printf(&sb, "D-%s-%s-%.12s", lot, period, hash_hex);
	if (strbuf_end(&sb) != 0)
		return consort_diag_set(d, E(TOOBIG), "decision",
		    _("its ref would not fit in a "
		    "ref"), _("a lot that is ordered has a short "
		    "ref (schema/order.md)"));
	return 0;
}

/*
 * Checks a decision against the Region's key in force: E(NOENT) when none
 * is recorded, E(PERM) when another key signed it.
 */
static int
check_key(struct edit *e, const struct order_file *f, struct consort_diag *d)
{
	char have[2 * CONSORT_KEY_BYTES + 1], want[2 * CONSORT_KEY_BYTES + 1];
	char what[400];
	struct region_key rk;
	int rc;

	if ((rc = perm_region_key(e->txn, &e->n->store, NULL, &rk)) != 0)
		return rc;
	if (rk.number == 0)
		return consort_diag_set(d, E(NOENT), "decision",
		    _("no Region key is recorded, to check the decision with"),
		    _("the lead records it "
		    "first: consort order region-key HEX (the key consort order "
		    "keygen printed at the Region)"));
	if (memcmp(rk.key, f->file_key, CONSORT_KEY_BYTES) == 0)
		return 0;
	util_hex(have, f->file_key, CONSORT_KEY_BYTES);
	util_hex(want, rk.key, CONSORT_KEY_BYTES);
	snprintf(what, sizeof(what), _("signed by key %s, not by the Region's "
	    "key %s (%s, recorded %s)"), have, want, rk.ref, rk.date);
	return consort_diag_set(d, E(PERM), "decision", what,
	    _("ask the Region for the decision its officer signed; if the "
	    "Region has a new key, "
	    "the lead records it with consort order region-key"));
}

/*
 * Finds the order a decision answers: a live order of its lot and period
 * whose request has its SHA-256; E(NOENT) when none was submitted.
 */
static int
find_order(struct edit *e, const struct decision *x, char *ref, size_t len,
    int64_t *cost, struct consort_diag *d)
{
	struct store *s = &e->n->store;
	const struct value *v;
	struct record r;
	char what[300];
	int rc;

	if ((rc = order_ref(ref, len, x->lot, x->period, x->request, d)) != 0)
		return rc;
	record_init(&r);
	rc = state_lookup(e->txn, s, e->n->founder, T_order, ref, strlen(ref),
	    &r);
	if (rc == 0 && (!record_alive(s, &r) ||
	    (v = state_field(s, &r, F_order_hash)) == NULL ||
	    v->kind != VAL_STR || v->len != 64 ||
	    memcmp(v->s, x->request, 64) != 0))
		rc = E(NOENT);
	if (rc == 0 && (v = state_field(s, &r, F_order_cost_cents)) != NULL &&
	    v->kind == VAL_INT)
		*cost = v->i;
	record_free(&r);
	if (rc != E(NOENT))
		return rc;
	snprintf(what, sizeof(what), _("no submitted order of lot %s, period "
	    "%s has the request sha256 %.64s"), x->lot, x->period, x->request);
	return consort_diag_set(d, E(NOENT), "decision", what, _("submit it "
	    "first: consort order submit REQUEST.json (the request the Region "
	    "answered), then receive the decision again"));
}

/*
 * Checks that the Region has not answered the request already with
 * another decision: it answers a request once.
 */
static int
check_unanswered(struct edit *e, const struct decision *x,
    struct consort_diag *d)
{
	char other[CONSORT_REF_MAX + 1], what[300];
	int rc;

	if ((rc = perm_decision_of(e->txn, &e->n->store, NULL, x->request, other,
	    sizeof(other))) != 0 || other[0] == '\0')
		return rc;
	snprintf(what, sizeof(what), _("the Region answered this request "
	    "already: decision %s"), other);
	return consort_diag_set(d, E(EXIST), "decision", what, _("it answers a "
	    "request once; a new answer needs a new request: amend it (consort "
	    "order build, consort order submit) for the Region to decide on"));
}

/* Adds the fields of a decision record, as the decision f says them. */
static void
decision_inputs(struct field_input *in, unsigned *n, const struct order_file *f,
    const struct decision *x, const char *order, const char *hash,
    const char *key, const char *file, size_t flen)
{
	const struct schema_type *t = schema_type(T_decision);

	order_input(in, n, t, F_decision_lot, order_vstr(x->lot));
	order_input(in, n, t, F_decision_period, order_vstr(x->period));
	order_input(in, n, t, F_decision_request, order_vstr(x->request));
	order_input(in, n, t, F_decision_order, order_vstr(order));
	order_input(in, n, t, F_decision_verdict, order_vstr(x->accepted ? "accepted" :
	    "refused"));
	if (x->accepted) {
		order_input(in, n, t, F_decision_order_number, order_vstr(x->number));
		order_input(in, n, t, F_decision_amount_cents, order_vint(x->amount_cents));
	} else
		order_input(in, n, t, F_decision_reason, order_vstr(x->reason));
	order_input(in, n, t, F_decision_date, order_vstr(x->date));
	if (x->has_request_number)
		order_input(in, n, t, F_decision_request_number,
		    order_vint(x->request_number));
	order_input(in, n, t, F_decision_hash, order_vstr(hash));
	order_input(in, n, t, F_decision_key, order_vstr(key));
	order_input(in, n, t, F_decision_signature, order_vstr(jr_str(json_object_get(
	    f->root, "signature"), "sig")));
	order_input(in, n, t, F_decision_signed, (struct value){ VAL_STR, false, 0,
	    file, (uint32_t)flen });
}

/*
 * Records a decision of the Region (consort order receive), as every node
 * checks it (perm-order.c): signed by the Region's key in force, answering
 * a submitted order, its amount the request's total cost; every field is
 * taken from the file, so that members who receive it at the same time
 * record the same values.  Receiving it again changes nothing.
 */
int
decision_receive(struct edit *e, const struct order_file *f, char *ref,
    size_t reflen, bool *already, struct consort_diag *d)
{
	struct field_input in[16];
	struct decision x;
	struct record r;
	char hash[65], key[65], order[CONSORT_REF_MAX + 1], what[200], *file;
	int64_t cost = -1;
	unsigned n = 0;
	size_t flen;
	bool changed;
	int rc;

	*already = false;
	if (!f->valid)
		return consort_diag_set(d, E(SIGNATURE), "decision",
		    _("the decision does not match its signature"),
		    _("it was changed after the "
		    "Region signed it: ask the Region for the file it sent"));
	if ((rc = decision_read(f->decision, &x, d)) != 0)
		return rc;
	util_hex(hash, f->hash, 32);
	util_hex(key, f->file_key, CONSORT_KEY_BYTES);
	if ((rc = decision_ref(ref, reflen, x.lot, x.period, hash, d)) != 0)
		return rc;
	/* the same file again: recorded already, whatever key is in force */
	record_init(&r);
	rc = state_lookup(e->txn, &e->n->store, e->n->founder, T_decision, ref,
	    strlen(ref), &r);
	*already = rc == 0 && record_alive(&e->n->store, &r);
	record_free(&r);
	if (*already || (rc != 0 && rc != E(NOENT)))
		return *already ? 0 : rc;
	if ((rc = check_key(e, f, d)) != 0 ||
	    (rc = find_order(e, &x, order, sizeof(order), &cost, d)) != 0 ||
	    (rc = check_unanswered(e, &x, d)) != 0)
		return rc;
	if (x.accepted && x.amount_cents != cost) {
		snprintf(what, sizeof(what), _("the order's amount, %lld "
		    "cents, is not the request's total cost, %lld cents"),
		    (long long)x.amount_cents, (long long)cost);
		return consort_diag_set(d, E(PERM), "decision", what,
		    _("ask the Region for a decision consort order decide "
		    "wrote"));
	}
	if ((rc = jcs_canonical(f->root, &file, &flen)) != 0)
		return consort_diag_set(d, rc, "decision",
		    _("has no canonical form"),
		    NULL);
	decision_inputs(in, &n, f, &x, order, hash, key, file, flen);
	rc = records_put(e, schema_type(T_decision), ref, strlen(ref), in, n,
	    PUT_ADD, true, &changed, d);
	free(file);
	return rc;
}
