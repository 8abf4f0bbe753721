/*
 * The key chain a request carries (schema/keys.md; schema/order.md, "The
 * signed file"): when a request is signed by a key that replaced the one
 * the Region knows (the founder's for the lead, a co-contractor's first
 * key for its direct request), the links from that key to the signer's,
 * built from the key records of the state, with the recovery key's own
 * links where a link signed by the recovery key needs them.  The Region
 * checks it with keychain_verify_json() or any Ed25519 library.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "order.h"

/* The key records of the state, read as links. */
struct key_records {
	const struct store *s;
	struct key_link *v;
	size_t n, cap;
	int err;
};

/* Whether a value is a string of exactly 2n hex digits, read into out. */
static bool
value_hex(const struct value *v, uint8_t *out, size_t n)
{
	return v != NULL && v->kind == VAL_STR && v->len == 2 * n &&
	    util_unhex_n(out, n, v->s, v->len) == 0;
}

/* Whether a value is the string s. */
static bool
value_is(const struct value *v, const char *s)
{
	return v != NULL && v->kind == VAL_STR && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* Reads one key record as a link; one that does not read is left out. */
static int
record_one(void *ctx, const struct record *r)
{
	struct key_records *k = ctx;
	const struct value *role = state_field(k->s, r, F_key_role);
	const struct value *by = state_field(k->s, r, F_key_by);
	const struct value *date = state_field(k->s, r, F_key_date);
	struct key_link l, *nv;

	memset(&l, 0, sizeof(l));
	if (r->ref == NULL || util_unhex_n(l.to, CONSORT_KEY_BYTES, r->ref,
	    r->ref_len) != 0 ||
	    !value_hex(state_field(k->s, r, F_key_from), l.from,
	    CONSORT_KEY_BYTES) ||
	    !value_hex(state_field(k->s, r, F_key_signature), l.sig, 64) ||
	    !value_hex(state_field(k->s, r, F_key_proof), l.proof, 64) ||
	    date == NULL || date->kind != VAL_STR ||
	    !util_date_valid(date->s, date->len) ||
	    !(value_is(role, "member") || value_is(role, "recovery")) ||
	    !(value_is(by, "key") || value_is(by, "recovery")))
		return 0;
	l.role = value_is(role, "recovery") ? KEY_ROLE_RECOVERY :
	    KEY_ROLE_MEMBER;
	l.by = value_is(by, "recovery") ? KEY_BY_RECOVERY : KEY_BY_KEY;
	memcpy(l.date, date->s, 10);
	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 8;
		if ((nv = realloc(k->v, k->cap * sizeof(*nv))) == NULL)
			return k->err = E(NOMEM);
		k->v = nv;
	}
	k->v[k->n++] = l;
	return 0;
}

/* Reads every key record of the state. */
static int
records_read(struct store_txn *txn, struct store *s, struct key_records *k)
{
	int rc;

	memset(k, 0, sizeof(*k));
	k->s = s;
	rc = state_foreach(txn, s, T_key, record_one, k);
	if (rc == 0)
		rc = k->err;
	if (rc != 0) {
		free(k->v);
		k->v = NULL;
	}
	return rc;
}

/* The record that made key (its ref is the new key), of a role, or NULL. */
static const struct key_link *
made(const struct key_records *k, const uint8_t key[CONSORT_KEY_BYTES],
    enum key_role role)
{
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].role == role &&
		    memcmp(k->v[i].to, key, CONSORT_KEY_BYTES) == 0)
			return &k->v[i];
	return NULL;
}

/*
 * The record that replaces the recovery key r, signed by r: the first by
 * its new key when two do (the recovery secret used twice at once), so
 * that every node builds the same chain.
 */
static const struct key_link *
recovery_next(const struct key_records *k,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t r[CONSORT_KEY_BYTES])
{
	const struct key_link *best = NULL;
	size_t i;

	for (i = 0; i < k->n; i++)
		if (k->v[i].role == KEY_ROLE_RECOVERY &&
		    memcmp(k->v[i].from, r, CONSORT_KEY_BYTES) == 0 &&
		    (best == NULL || memcmp(k->v[i].to, best->to,
		    CONSORT_KEY_BYTES) < 0) &&
		    keychain_link_verify(consortium, &k->v[i], r) == 0)
			best = &k->v[i];
	return best;
}

/* A link as the request carries it. */
static json_t *
link_json(struct jb *b, const struct key_link *l)
{
	char hex[2 * 64 + 1];
	json_t *o = json_object();

	util_hex(hex, l->from, CONSORT_KEY_BYTES);
	jb_put_str(b, o, "from", hex);
	util_hex(hex, l->to, CONSORT_KEY_BYTES);
	jb_put_str(b, o, "to", hex);
	jb_put_str(b, o, "role", keychain_role_name(l->role));
	jb_put_str(b, o, "by", keychain_by_name(l->by));
	jb_put_str(b, o, "date", l->date);
	util_hex(hex, l->sig, 64);
	jb_put_str(b, o, "signature", hex);
	util_hex(hex, l->proof, 64);
	jb_put_str(b, o, "proof", hex);
	return o;
}

/*
 * Reads the recovery key the founder named in the genesis and its
 * signature: false when there is none, or it does not hold.
 */
static bool
recovery_named(struct store_txn *txn, struct store *s,
    uint8_t key[CONSORT_KEY_BYTES], uint8_t sig[64])
{
	struct record r;
	bool ok;

	record_init(&r);
	ok = state_lookup(txn, s, s->founder, T_consortium, "consortium", 10,
	    &r) == 0 &&
	    value_hex(state_field(s, &r, F_consortium_recovery), key,
	    CONSORT_KEY_BYTES) &&
	    value_hex(state_field(s, &r, F_consortium_recovery_signature), sig,
	    64) && keychain_recovery_verify(sig, s->founder, key) == 0;
	record_free(&r);
	return ok;
}

/* What a chain being built holds. */
struct chain_build {
	struct jb b;
	json_t *links;
	size_t n;
	bool recovery;       /* a link needs the recovery key */
	uint8_t r[CONSORT_KEY_BYTES];    /* the recovery key in force */
	uint8_t r0[CONSORT_KEY_BYTES];   /* the one the founder named */
	uint8_t r0sig[64];
	bool has_r;
};

/* Refuses to build a chain: what went wrong, about key. */
static int
build_fail(struct consort_diag *d, int err, const uint8_t *key,
    const char *fmt)
{
	char hex[2 * CONSORT_KEY_BYTES + 1], what[300];

	util_hex(hex, key, CONSORT_KEY_BYTES);
	snprintf(what, sizeof(what), fmt, hex);
	return consort_diag_set(d, err, "key_chain", what, _("the key "
	    "records come with a sync from the node that wrote them (consort "
	    "sync, or a bundle); consort key rotate and consort key recover "
	    "write them"));
}

/* Appends a link to the chain being built. */
static int
push(struct chain_build *c, const struct key_link *l, struct consort_diag *d)
{
	if (c->n == KEYCHAIN_MAX_LINKS)
		return build_fail(d, E(TOOBIG), l->to, _("the chain to key %s "
		    "would hold more than 64 key records"));
	jb_push(&c->b, c->links, link_json(&c->b, l));
	c->n++;
	return c->b.err;
}

/*
 * Appends the recovery key's own links until the recovery key in force
 * signed l, a link signed by the recovery key.
 */
static int
push_recovery(struct chain_build *c, const struct key_records *k,
    const uint8_t consortium[CONSORT_HASH_BYTES], const struct key_link *l,
    struct consort_diag *d)
{
	const struct key_link *next;
	int rc;

	if (!c->has_r)
		return build_fail(d, E(PERM), l->to, _("the key record of key "
		    "%s is signed by the recovery key, and the consortium "
		    "names none that its founder signed"));
	c->recovery = true;
	while (keychain_link_verify(consortium, l, c->r) != 0) {
		if ((next = recovery_next(k, consortium, c->r)) == NULL)
			return build_fail(d, E(SIGNATURE), l->to, _("the key "
			    "record of key %s holds with no recovery key in "
			    "force"));
		if ((rc = push(c, next, d)) != 0)
			return rc;
		memcpy(c->r, next->to, CONSORT_KEY_BYTES);
	}
	return 0;
}

/*
 * The links from first to signer, by the key records that made each key
 * (a key is made once: its record's ref), checked in order.
 */
static int
build_links(struct chain_build *c, const struct key_records *k,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t first[CONSORT_KEY_BYTES],
    const uint8_t signer[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	const struct key_link *path[KEYCHAIN_MAX_LINKS];
	const uint8_t *key = signer, *current = first;
	size_t np = 0;
	int rc;

	while (memcmp(key, first, CONSORT_KEY_BYTES) != 0) {
		if (np == KEYCHAIN_MAX_LINKS)
			return build_fail(d, E(TOOBIG), signer, _("the chain "
			    "to key %s would hold more than 64 key records"));
		if ((path[np] = made(k, key, KEY_ROLE_MEMBER)) == NULL)
			return build_fail(d, E(NOENT), key, _("no key record "
			    "links key %s to the key the Region knows: this "
			    "node holds no record of the key it replaced"));
		key = path[np++]->from;
	}
	while (np-- > 0) {
		if (path[np]->by == KEY_BY_RECOVERY)
			rc = push_recovery(c, k, consortium, path[np], d);
		else
			rc = keychain_link_verify(consortium, path[np],
			    current) == 0 ? 0 : build_fail(d, E(SIGNATURE),
			    path[np]->to, _("the key record of key %s does not "
			    "hold with the key it replaces"));
		if (rc != 0 || (rc = push(c, path[np], d)) != 0)
			return rc;
		current = path[np]->to;
	}
	return 0;
}

/*
 * Builds the key chain of a request signed by signer, from first (the
 * founder's key for the lead's request, a co-contractor's first key for
 * its direct one) by the key records of the state; *out NULL when signer
 * is first.
 */
int
order_keychain(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t first[CONSORT_KEY_BYTES],
    const uint8_t signer[CONSORT_KEY_BYTES], json_t **out,
    struct consort_diag *d)
{
	char hex[2 * 64 + 1];
	struct chain_build c;
	struct key_records k;
	json_t *chain, *r;
	int rc;

	*out = NULL;
	if (memcmp(first, signer, CONSORT_KEY_BYTES) == 0)
		return 0;
	if ((rc = records_read(txn, s, &k)) != 0)
		return rc;
	memset(&c, 0, sizeof(c));
	c.has_r = memcmp(first, s->founder, CONSORT_KEY_BYTES) == 0 &&
	    recovery_named(txn, s, c.r0, c.r0sig);
	memcpy(c.r, c.r0, CONSORT_KEY_BYTES);
	chain = json_object();
	c.links = json_array();
	rc = build_links(&c, &k, consortium, first, signer, d);
	free(k.v);
	jb_put(&c.b, chain, "links", c.links);
	if (rc == 0 && c.recovery) {
		r = json_object();
		util_hex(hex, c.r0, CONSORT_KEY_BYTES);
		jb_put_str(&c.b, r, "key", hex);
		util_hex(hex, c.r0sig, 64);
		jb_put_str(&c.b, r, "signature", hex);
		jb_put(&c.b, chain, "recovery", r);
	}
	if (rc == 0)
		rc = c.b.err;
	if (rc != 0) {
		json_decref(chain);
		return rc;
	}
	*out = chain;
	return 0;
}

/*
 * The first key of signer's line: the key that no key record of role
 * member made, following the records back from signer (at most
 * KEYCHAIN_MAX_LINKS of them); signer itself when none made it.
 */
int
order_keychain_origin(struct store_txn *txn, struct store *s,
    const uint8_t signer[CONSORT_KEY_BYTES],
    uint8_t origin[CONSORT_KEY_BYTES])
{
	const struct key_link *l;
	struct key_records k;
	size_t i;
	int rc;

	memcpy(origin, signer, CONSORT_KEY_BYTES);
	if ((rc = records_read(txn, s, &k)) != 0)
		return rc;
	for (i = 0; i < KEYCHAIN_MAX_LINKS &&
	    (l = made(&k, origin, KEY_ROLE_MEMBER)) != NULL; i++)
		memcpy(origin, l->from, CONSORT_KEY_BYTES);
	free(k.v);
	return 0;
}
