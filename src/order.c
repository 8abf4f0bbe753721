/*
 * The order request (DESIGN.md §7, schema/order.md): what its parts share
 * (building and reading its JSON, months and days), signing a request
 * over its RFC 8785 canonical form, and reading a signed file back with
 * only a public key.  Built in order-build.c, rendered in order-render.c,
 * compared in order-diff.c, recorded in the log by order-log.c.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "calendar.h"
#include "core.h"
#include "order.h"

/* Adds key: value to an object (value reference stolen), noting failures. */
void
jb_put(struct jb *b, json_t *o, const char *key, json_t *v)
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
void
jb_put_str(struct jb *b, json_t *o, const char *key, const char *v)
{
	jb_put(b, o, key, json_string(v != NULL ? v : ""));
}

/* Adds key: string, unless the string is empty. */
void
jb_put_opt(struct jb *b, json_t *o, const char *key, const char *v)
{
	if (v != NULL && v[0] != '\0')
		jb_put_str(b, o, key, v);
}

/* Adds key: integer. */
void
jb_put_int(struct jb *b, json_t *o, const char *key, int64_t v)
{
	jb_put(b, o, key, json_integer((json_int_t)v));
}

/* Adds key: boolean. */
void
jb_put_bool(struct jb *b, json_t *o, const char *key, bool v)
{
	jb_put(b, o, key, json_boolean(v));
}

/* Appends a value to an array (reference stolen). */
void
jb_push(struct jb *b, json_t *a, json_t *v)
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

/* Parses YYYY-MM-DD into a day number; false if it is not a date. */
bool
order_day_number(const char *s, int64_t *out)
{
	int y, m, d;

	if (s == NULL || !util_date_valid(s, strlen(s)) ||
	    sscanf(s, "%4d-%2d-%2d", &y, &m, &d) != 3)
		return false;
	*out = calendar_day(y, (unsigned)m, (unsigned)d);
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
 * Signs a request: the file is {"request": R, "signature": {"alg":
 * "ed25519", "key": HEX, "sig": HEX}} in canonical form (so the request's
 * bytes in the file are exactly the signed bytes), and a newline.
 */
int
order_sign(const json_t *request, const uint8_t pk[CONSORT_KEY_BYTES],
    const uint8_t sk[64], char **file, size_t *len)
{
	return order_sign_as("request", request, pk, sk, file, len);
}

/*
 * Signs a body under a member name ("request", "decision"), which sorts
 * before "signature": the file is canonical.
 */
int
order_sign_as(const char *member, const json_t *body,
    const uint8_t pk[CONSORT_KEY_BYTES], const uint8_t sk[64], char **file,
    size_t *len)
{
	char khex[2 * CONSORT_KEY_BYTES + 1], shex[2 * CONSORT_SIG_BYTES + 1];
	uint8_t sig[CONSORT_SIG_BYTES];
	char *canon, *buf;
	size_t clen, n;
	int rc;

	*file = NULL;
	*len = 0;
	if ((rc = jcs_canonical(body, &canon, &clen)) != 0)
		return rc;
	if (crypto_sign_detached(sig, NULL, (const uint8_t *)canon, clen,
	    sk) != 0) {
		free(canon);
		return E(CRYPTO);
	}
	util_hex(khex, pk, CONSORT_KEY_BYTES);
	util_hex(shex, sig, CONSORT_SIG_BYTES);
	n = clen + strlen(member) + 256;
	if ((buf = malloc(n)) == NULL) {
		free(canon);
		return E(NOMEM);
	}
	*len = (size_t)snprintf(buf, n, "{\"%s\":%s,\"signature\":"
	    "{\"alg\":\"ed25519\",\"key\":\"%s\",\"sig\":\"%s\"}}\n", member,
	    canon, khex, shex);
	free(canon);
	*file = buf;
	return 0;
}

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
static void chain_check(struct order_file *f, const uint8_t *key);

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
	return order_parse_as("request", buf, len, key, f, d);
}

/*
 * The member of a signed file's object that is its body: the one asked
 * for, or, when none is, whichever of "request" and "decision" it holds.
 */
static const char *
body_member(const json_t *root, const char *member)
{
	if (member != NULL)
		return member;
	return json_object_get(root, "decision") != NULL ? "decision" :
	    "request";
}

/*
 * Parses a signed file {member: {...}, "signature": {...}} and checks its
 * signature over the canonical form of the body, with key (when not NULL)
 * instead of the file's; a request's named signer is read too.
 */
int
order_parse_as(const char *member, const char *buf, size_t len,
    const uint8_t *key, struct order_file *f, struct consort_diag *d)
{
	uint8_t sig[CONSORT_SIG_BYTES];
	const char *what, *schema;
	json_error_t jerr;
	json_t *s, *alg;
	char where[256], expected[96];

	memset(f, 0, sizeof(*f));
	what = member == NULL ? _("the file is not a JSON order request or "
	    "decision") : strcmp(member, "decision") == 0 ?
	    _("the file is not a JSON decision of the "
	    "Region") : _("the file is not a JSON order "
	    "request");
	if ((f->root = json_loadb(buf, len, JSON_REJECT_DUPLICATES, &jerr)) ==
	    NULL) {
		snprintf(where, sizeof(where), _("line %d, column %d"),
		    jerr.line, jerr.column);
		return consort_diag_set(d, E(SCHEMA), where, jerr.text, what);
	}
	f->member = member = body_member(f->root, member);
	schema = strcmp(member, "decision") == 0 ?
	    _("see schema/decision.schema.json") :
	    _("see schema/order.schema.json");
	f->request = json_object_get(f->root, member);
	s = json_object_get(f->root, "signature");
	if (!json_is_object(f->root) || json_object_size(f->root) != 2 ||
	    !json_is_object(f->request) || !json_is_object(s)) {
		order_file_free(f);
		snprintf(expected, sizeof(expected),
		    _("expected {\"%s\": {...}, "
		    "\"signature\": {...}}"), member);
		return consort_diag_set(d, E(SCHEMA), NULL, expected, schema);
	}
	alg = json_object_get(s, "alg");
	if (!json_is_string(alg) || strcmp(json_string_value(alg),
	    "ed25519") != 0 || !hex_member(s, "key", f->file_key,
	    CONSORT_KEY_BYTES) || !hex_member(s, "sig", sig, CONSORT_SIG_BYTES)) {
		order_file_free(f);
		return consort_diag_set(d, E(SCHEMA), "signature", _("expected "
		    "alg \"ed25519\", key (64 hex) and sig (128 hex)"), schema);
	}
	f->has_chain = strcmp(member, "request") == 0 &&
	    json_object_get(f->request, "key_chain") != NULL;
	memcpy(f->key, key != NULL && !f->has_chain ? key : f->file_key,
	    CONSORT_KEY_BYTES);
	if (jcs_canonical(f->request, &f->canonical, &f->canonical_len) != 0) {
		order_file_free(f);
		return consort_diag_set(d, E(SCHEMA), member, _("holds a value "
		    "with no canonical form here (a real number, an integer "
		    "beyond 2^53, or nesting deeper than 64)"), NULL);
	}
	crypto_hash_sha256(f->hash, (const uint8_t *)f->canonical,
	    f->canonical_len);
	f->valid = crypto_sign_verify_detached(sig,
	    (const uint8_t *)f->canonical, f->canonical_len, f->key) == 0;
	if (strcmp(member, "request") == 0) {
		named_signer(f);
		chain_check(f, key);
	}
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
	    (f->direct || f->has_chain ||
	    memcmp(lk, f->named, CONSORT_KEY_BYTES) == 0);
	f->named_signer = f->has_named && memcmp(f->key, f->named,
	    CONSORT_KEY_BYTES) == 0;
}

/* Counts a verified chain's links by what they did. */
static void
chain_count(struct order_file *f, const json_t *links)
{
	const json_t *l;
	size_t i;

	f->chain_links = (unsigned)json_array_size(links);
	for (i = 0; i < json_array_size(links); i++) {
		l = json_array_get(links, i);
		if (strcmp(jr_str(l, "role"), "member") != 0)
			continue;
		if (strcmp(jr_str(l, "by"), "recovery") == 0)
			f->chain_recoveries++;
		else
			f->chain_rotations++;
	}
}

/*
 * Checks the key chain a request carries, from the key asked for (else
 * the lead's it names, else, in a direct request, the chain's first key)
 * to the key that signed it (schema/keys.md); a lead's request checked
 * against a key names that key as its lead's.
 */
static void
chain_check(struct order_file *f, const uint8_t *key)
{
	const json_t *chain = json_object_get(f->request, "key_chain");
	const json_t *first = json_array_get(json_object_get(chain, "links"), 0);
	uint8_t cid[CONSORT_HASH_BYTES], lead[CONSORT_KEY_BYTES] = { 0 };
	char hex[2 * CONSORT_KEY_BYTES + 1], lhex[2 * CONSORT_KEY_BYTES + 1];
	char what[300];
	bool has_lead;

	if (!f->has_chain)
		return;
	has_lead = hex_member(json_object_get(f->request, "lead"), "key", lead,
	    CONSORT_KEY_BYTES);
	if (!hex_member(json_object_get(f->request, "consortium"), "id", cid,
	    CONSORT_HASH_BYTES)) {
		f->chain_rc = consort_diag_set(&f->chain_diag, E(SCHEMA),
		    "consortium.id", _("a request with a key chain names its "
		    "consortium, whose id the chain's links sign"), NULL);
		return;
	}
	if (key != NULL)
		memcpy(f->chain_from, key, CONSORT_KEY_BYTES);
	else if (!f->direct && has_lead)
		memcpy(f->chain_from, lead, CONSORT_KEY_BYTES);
	else if (!hex_member(first, "from", f->chain_from, CONSORT_KEY_BYTES)) {
		f->chain_rc = keychain_verify_json(chain, cid, f->file_key,
		    f->file_key, &f->chain_diag);
		return;
	}
	if (!f->direct && (!has_lead || memcmp(lead, f->chain_from,
	    CONSORT_KEY_BYTES) != 0)) {
		util_hex(hex, f->chain_from, CONSORT_KEY_BYTES);
		util_hex(lhex, lead, CONSORT_KEY_BYTES);
		snprintf(what, sizeof(what), _("the request names lead key %s, "
		    "and its chain is checked from key %s"), has_lead ? lhex :
		    "-", hex);
		f->chain_rc = consort_diag_set(&f->chain_diag, E(PERM),
		    "lead.key", what, NULL);
		return;
	}
	f->chain_rc = keychain_verify_json(chain, cid, f->chain_from,
	    f->file_key, &f->chain_diag);
	if (f->chain_rc == 0)
		chain_count(f, json_object_get(chain, "links"));
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
	if (f->has_chain && f->chain_rc != 0)
		return ORDER_BAD_CHAIN;
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
	char from[2 * CONSORT_KEY_BYTES + 1];
	const char *whose = f->direct ? "its sender's (a direct request, R11)" :
	    "the lead's";
	struct strbuf sb;

	util_hex(key, f->key, CONSORT_KEY_BYTES);
	util_hex(named, f->named, CONSORT_KEY_BYTES);
	strbuf_init(&sb, buf, len);
	util_hex(from, f->chain_from, CONSORT_KEY_BYTES);
	switch (order_verdict(f)) {
	case ORDER_VALID:
		strbuf_printf(&sb, "valid, signed by %s key %s", whose, key);
		if (f->has_chain)
			strbuf_printf(&sb, ", which replaced key %s through a "
			    "chain of %u key record%s", from, f->chain_links,
			    f->chain_links == 1 ? "" : "s");
		break;
	case ORDER_BAD_CHAIN:
		strbuf_printf(&sb, "KEY CHAIN REFUSED: a signature by %s key "
		    "%s, not linked to key %s (%s: %s)", whose, key, from,
		    f->chain_diag.where, f->chain_diag.what);
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
	return order_load_as("request", path, key, f, d);
}

/* Reads and parses a signed file (order_parse_as). */
int
order_load_as(const char *member, const char *path, const uint8_t *key,
    struct order_file *f, struct consort_diag *d)
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
		return consort_diag_set(d, E(IO), path, _("cannot read"), NULL);
	}
	if ((unsigned long)size > ORDER_MAX_FILE) {
		fclose(fp);
		return consort_diag_set(d, E(TOOBIG), path, _("over 64 MiB"),
		    NULL);
	}
	if ((buf = malloc((size_t)size + 1)) == NULL) {
		fclose(fp);
		return E(NOMEM);
	}
	n = fread(buf, 1, (size_t)size, fp);
	fclose(fp);
	rc = n == (size_t)size ? order_parse_as(member, buf, n, key, f, d) :
	    consort_diag_set(d, E(IO), path, _("short read"), NULL);
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

/* A string member of an object ("" when absent or not a string). */
const char *
jr_str(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_string(v) ? json_string_value(v) : "";
}

/* An integer member of an object (0 when absent). */
int64_t
jr_int(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_integer(v) ? (int64_t)json_integer_value(v) : 0;
}

/* A boolean member of an object. */
bool
jr_bool(const json_t *o, const char *key)
{
	return json_is_true(json_object_get(o, key));
}

/* An array member of an object (an empty static array when absent). */
const json_t *
jr_arr(const json_t *o, const char *key)
{
	const json_t *v = json_object_get(o, key);

	return json_is_array(v) ? v : NULL;
}

/* Orders the entries of an array with cmp (json arrays do not sort). */
int
jr_sort(json_t *a, int (*cmp)(const void *, const void *))
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

/* Number of elements of a possibly absent array. */
size_t
jr_len(const json_t *a)
{
	return a != NULL ? json_array_size(a) : 0;
}
