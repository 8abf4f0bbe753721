/*
 * The Region's decision on an order request (schema/order.md, "The
 * Region's decision"): its body built from a verified request and the
 * officer's answer, and read back with every member checked.  It is
 * signed and parsed as a request is (order.c, member "decision"); it is
 * recorded in the log by order-region.c.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* Whether s is 64 lowercase hexadecimal digits: a SHA-256 as order verify prints it. */
static bool
sha256_hex(const char *s)
{
	size_t i;

	for (i = 0; s[i] != '\0'; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return i == 64;
}

/*
 * Counts the characters of UTF-8 text (false if one is a control
 * character: C0, DEL or C1), a line feed allowed when lf is.
 */
static bool
printable(const char *s, bool lf, size_t *chars)
{
	const unsigned char *p = (const unsigned char *)s;

	*chars = 0;
	if (!util_utf8_valid(p, strlen(s)))
		return false;
	for (; *p != '\0'; p++) {
		if ((*p < 0x20 && !(lf && *p == '\n')) || *p == 0x7f)
			return false;
		/* U+0080..U+009F are C2 80..C2 9F */
		if (*p == 0xc2 && p[1] >= 0x80 && p[1] <= 0x9f)
			return false;
		*chars += (*p & 0xc0) != 0x80;
	}
	return true;
}

/* Whether an order's number is 1 to 40 printable characters. */
bool
decision_number_valid(const char *s)
{
	size_t n;

	return s != NULL && printable(s, false, &n) && n >= 1 &&
	    n <= DECISION_NUMBER_MAX;
}

/* Whether a refusal's reason is 1 to 1000 bytes of text (line feeds allowed). */
bool
decision_reason_valid(const char *s)
{
	size_t n;

	return s != NULL && printable(s, true, &n) && strlen(s) >= 1 &&
	    strlen(s) <= DECISION_REASON_MAX;
}

/* Whether an object holds no member but those named (NULL-ended). */
static bool
only_members(const json_t *o, const char *const *names)
{
	const char *key;
	json_t *v;
	size_t i;

	json_object_foreach((json_t *)o, key, v) {
		for (i = 0; names[i] != NULL && strcmp(names[i], key) != 0; i++)
			;
		if (names[i] == NULL)
			return false;
	}
	return true;
}

/* A string member, or NULL when it is absent or not a string. */
static const char *
str_member(const json_t *o, const char *key)
{
	return json_string_value(json_object_get(o, key));
}

/* Reads the answer of an accepted decision: the order's number and amount. */
static int
read_order(const json_t *o, struct decision *x, struct consort_diag *d)
{
	static const char *const names[] = { "number", "amount_cents", NULL };
	const json_t *amount = json_object_get(o, "amount_cents");

	if (!json_is_object(o) || !only_members(o, names))
		return consort_diag_set(d, E(SCHEMA), "decision.order", _("an "
		    "accepted decision names the order: {\"number\", "
		    "\"amount_cents\"} and nothing else"), NULL);
	x->number = str_member(o, "number");
	if (!decision_number_valid(x->number))
		return consort_diag_set(d, E(SCHEMA), "decision.order.number",
		    _("the order's number is 1 to 40 printable characters"),
		    NULL);
	if (!json_is_integer(amount) || json_integer_value(amount) < 0)
		return consort_diag_set(d, E(SCHEMA), "decision.order.amount_cents",
		    _("the order's amount is an integer of cents, 0 or more"),
		    NULL);
	x->amount_cents = (int64_t)json_integer_value(amount);
	return 0;
}

/* Reads what a decision is about: the request, its lot, period and number. */
static int
read_about(const json_t *b, struct decision *x, struct consort_diag *d)
{
	const json_t *num = json_object_get(b, "number");

	x->request = str_member(b, "request");
	x->lot = str_member(b, "lot");
	x->period = str_member(b, "period");
	x->date = str_member(b, "date");
	if (x->request == NULL || !sha256_hex(x->request))
		return consort_diag_set(d, E(SCHEMA), "decision.request",
		    _("the request is named by its SHA-256, 64 lowercase hex "
		    "digits (what consort order verify prints)"), NULL);
	if (x->lot == NULL || strlen(x->lot) > ORDER_LOT_REF_MAX ||
	    schema_check_ref(x->lot, strlen(x->lot), NULL) != 0)
		return consort_diag_set(d, E(SCHEMA), "decision.lot",
		    _("not the ref of a lot that can be ordered"), NULL);
	if (x->period == NULL || !order_period_valid(x->period))
		return consort_diag_set(d, E(SCHEMA), "decision.period",
		    _("not a month YYYY-MM"), NULL);
	if (x->date == NULL || !util_date_valid(x->date, strlen(x->date)))
		return consort_diag_set(d, E(SCHEMA), "decision.date",
		    _("not a date YYYY-MM-DD"), NULL);
	x->has_request_number = num != NULL;
	if (num != NULL && (!json_is_integer(num) || json_integer_value(num) < 1 ||
	    json_integer_value(num) > ORDER_NUMBER_MAX))
		return consort_diag_set(d, E(SCHEMA), "decision.number",
		    _("the request's number is an integer from 1 to "
		    "1000000"), NULL);
	x->request_number = num != NULL ? (int64_t)json_integer_value(num) : 0;
	return 0;
}

/*
 * Reads a decision's body and checks every member: its format, what it is
 * about, and the answer (the order, or the reason of a refusal), and
 * nothing else.
 */
int
decision_read(const json_t *b, struct decision *x, struct consort_diag *d)
{
	static const char *const accepted[] = { "format", "request", "lot",
		"period", "number", "verdict", "order", "date", NULL };
	static const char *const refused[] = { "format", "request", "lot",
		"period", "number", "verdict", "reason", "date", NULL };
	const char *format = str_member(b, "format");
	const char *verdict = str_member(b, "verdict");
	int rc;

	memset(x, 0, sizeof(*x));
	if (!json_is_object(b) || format == NULL ||
	    strcmp(format, DECISION_FORMAT) != 0)
		return consort_diag_set(d, E(SCHEMA), "decision.format",
		    _("not a decision of format consort-decision/1"),
		    _("see schema/decision.schema.json"));
	if ((rc = read_about(b, x, d)) != 0)
		return rc;
	if (verdict == NULL || (strcmp(verdict, "accepted") != 0 &&
	    strcmp(verdict, "refused") != 0))
		return consort_diag_set(d, E(SCHEMA), "decision.verdict",
		    _("the verdict is \"accepted\" or \"refused\""), NULL);
	x->accepted = strcmp(verdict, "accepted") == 0;
	if (!only_members(b, x->accepted ? accepted : refused))
		return consort_diag_set(d, E(SCHEMA), "decision", x->accepted ?
		    _("an accepted decision holds format, request, lot, "
		    "period, number (optional), verdict, order and date, "
		    "nothing else") :
		    _("a refusal holds format, request, lot, period, number "
		    "(optional), verdict, reason and date, nothing else"),
		    _("see schema/decision.schema.json"));
	if (x->accepted)
		return read_order(json_object_get(b, "order"), x, d);
	x->reason = str_member(b, "reason");
	if (!decision_reason_valid(x->reason))
		return consort_diag_set(d, E(SCHEMA), "decision.reason",
		    _("the reason of a refusal is 1 to 1000 bytes of text, "
		    "without control characters but line feeds"), NULL);
	return 0;
}

/*
 * Builds the body of the Region's decision on a verified request: what it
 * is about (the request's SHA-256, lot, period and number, when it has
 * one), the verdict, and the order (its number, the request's total cost)
 * or the reason of a refusal; checked as decision_read() checks it.
 */
int
decision_build(const struct order_file *req, const struct decision_opts *o,
    json_t **out, struct consort_diag *d)
{
	const json_t *r = req->request, *num = json_object_get(r, "number");
	const json_t *cost = json_object_get(json_object_get(r, "totals"),
	    "cost_cents");
	struct decision x;
	struct jb b = { 0 };
	json_t *body, *order;
	char hash[65];
	int rc;

	*out = NULL;
	if (!json_is_integer(cost) || (num != NULL && !json_is_integer(num)))
		return consort_diag_set(d, E(SCHEMA), "request", _("no integer "
		    "totals.cost_cents, or a number that is not an integer: not "
		    "an order request consort builds"), NULL);
	util_hex(hash, req->hash, 32);
	if ((body = json_object()) == NULL)
		return E(NOMEM);
	jb_put_str(&b, body, "format", DECISION_FORMAT);
	jb_put_str(&b, body, "request", hash);
	jb_put_str(&b, body, "lot", jr_str(json_object_get(r, "lot"), "ref"));
	jb_put_str(&b, body, "period", jr_str(r, "period"));
	if (num != NULL)
		jb_put_int(&b, body, "number", json_integer_value(num));
	jb_put_str(&b, body, "verdict", o->accept ? "accepted" : "refused");
	if (o->accept) {
		order = json_object();
		jb_put_str(&b, order, "number", o->number);
		jb_put_int(&b, order, "amount_cents", json_integer_value(cost));
		jb_put(&b, body, "order", order);
	} else
		jb_put_str(&b, body, "reason", o->reason);
	jb_put_str(&b, body, "date", o->date);
	if ((rc = b.err) == 0)
		rc = decision_read(body, &x, d);
	if (rc != 0) {
		json_decref(body);
		return rc;
	}
	*out = body;
	return 0;
}
