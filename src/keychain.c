/*
 * Keys over time (DESIGN.md §2, schema/keys.md): the statements that
 * link a key to the key it replaces, signed by the replaced key or by the
 * consortium's recovery key and proved by the new key, and the statement
 * by which the founder names the recovery key in the genesis.  The
 * statements are plain text, so that the Region checks a chain with any
 * Ed25519 library.
 */
#include <stdio.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core.h"

/* The name of a link's role in its statement and in the key record. */
const char *
keychain_role_name(enum key_role role)
{
	return role == KEY_ROLE_RECOVERY ? "recovery" : "member";
}

/* The name of a link's signer in its statement and in the key record. */
const char *
keychain_by_name(enum key_by by)
{
	return by == KEY_BY_RECOVERY ? "recovery" : "key";
}

/* Writes the statement a link's signature and proof cover; its length. */
size_t
keychain_statement(char *buf, size_t cap,
    const uint8_t consortium[CONSORT_HASH_BYTES], const struct key_link *l)
{
	char c[2 * CONSORT_HASH_BYTES + 1], from[2 * CONSORT_KEY_BYTES + 1];
	char to[2 * CONSORT_KEY_BYTES + 1];
	int n;

	util_hex(c, consortium, CONSORT_HASH_BYTES);
	util_hex(from, l->from, CONSORT_KEY_BYTES);
	util_hex(to, l->to, CONSORT_KEY_BYTES);
	n = snprintf(buf, cap, "consort-key/1\nconsortium %s\nrole %s\nby %s\n"
	    "from %s\nto %s\ndate %s\n", c, keychain_role_name(l->role),
	    keychain_by_name(l->by), from, to, l->date);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Writes the statement by which the founder names its recovery key. */
size_t
keychain_recovery_statement(char *buf, size_t cap,
    const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES])
{
	char l[2 * CONSORT_KEY_BYTES + 1], r[2 * CONSORT_KEY_BYTES + 1];
	int n;

	util_hex(l, lead, CONSORT_KEY_BYTES);
	util_hex(r, recovery, CONSORT_KEY_BYTES);
	n = snprintf(buf, cap, "consort-recovery/1\nlead %s\nrecovery %s\n", l,
	    r);
	return n < 0 || (size_t)n >= cap ? 0 : (size_t)n;
}

/* Signs a link: the signer's signature and the new key's proof. */
int
keychain_link_sign(const uint8_t consortium[CONSORT_HASH_BYTES],
    struct key_link *l, const uint8_t *signer_sk, const uint8_t *to_sk)
{
	char st[KEYCHAIN_STATEMENT_MAX];
	size_t n;

	if ((n = keychain_statement(st, sizeof(st), consortium, l)) == 0)
		return E(INVAL);
	crypto_sign_detached(l->sig, NULL, (const uint8_t *)st, n, signer_sk);
	crypto_sign_detached(l->proof, NULL, (const uint8_t *)st, n, to_sk);
	return 0;
}

/*
 * Checks a link's signature by signer and its proof by the new key:
 * 0, or E(SIGNATURE).
 */
int
keychain_link_verify(const uint8_t consortium[CONSORT_HASH_BYTES],
    const struct key_link *l, const uint8_t signer[CONSORT_KEY_BYTES])
{
	char st[KEYCHAIN_STATEMENT_MAX];
	size_t n;

	if ((n = keychain_statement(st, sizeof(st), consortium, l)) == 0 ||
	    crypto_sign_verify_detached(l->sig, (const uint8_t *)st, n,
	    signer) != 0 ||
	    crypto_sign_verify_detached(l->proof, (const uint8_t *)st, n,
	    l->to) != 0)
		return E(SIGNATURE);
	return 0;
}

/* Signs the founder's naming of its recovery key. */
void
keychain_recovery_sign(uint8_t sig[64], const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES], const uint8_t *lead_sk)
{
	char st[KEYCHAIN_STATEMENT_MAX];
	size_t n = keychain_recovery_statement(st, sizeof(st), lead, recovery);

	crypto_sign_detached(sig, NULL, (const uint8_t *)st, n, lead_sk);
}

/* Checks the founder's naming of its recovery key: 0, or E(SIGNATURE). */
int
keychain_recovery_verify(const uint8_t sig[64],
    const uint8_t lead[CONSORT_KEY_BYTES],
    const uint8_t recovery[CONSORT_KEY_BYTES])
{
	char st[KEYCHAIN_STATEMENT_MAX];
	size_t n = keychain_recovery_statement(st, sizeof(st), lead, recovery);

	return crypto_sign_verify_detached(sig, (const uint8_t *)st, n,
	    lead) == 0 ? 0 : E(SIGNATURE);
}

/* A key met along a chain, and the link that replaced it (0: in force). */
struct chain_key {
	uint8_t key[CONSORT_KEY_BYTES];
	bool recovery;      /* a recovery key, not a member's */
	size_t replaced;    /* the link (from 1) that replaced it */
	char date[11];      /* that link's date */
};

/* A chain being checked: the keys met so far and the two in force. */
struct chain_walk {
	const uint8_t *consortium;
	struct chain_key keys[KEYCHAIN_MAX_LINKS + 2];
	size_t nkeys;
	size_t member;      /* the member key in force, an index of keys */
	size_t recovery;    /* the recovery key in force, when has_recovery */
	bool has_recovery;
	struct consort_diag *d;
};

/* Reads a JSON string of exactly 2n lowercase hex digits into out. */
static bool
lower_hex(const json_t *v, uint8_t *out, size_t n)
{
	const char *s;
	size_t i;

	if (!json_is_string(v) || json_string_length(v) != 2 * n)
		return false;
	s = json_string_value(v);
	for (i = 0; i < 2 * n; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return util_unhex_n(out, n, s, 2 * n) == 0;
}

/* Which of two names a JSON string is: 0, 1, or -1 for neither. */
static int
name_of(const json_t *v, const char *a, const char *b)
{
	const char *s = json_string_value(v);

	if (s == NULL || strlen(s) != json_string_length(v))
		return -1;
	return strcmp(s, a) == 0 ? 0 : strcmp(s, b) == 0 ? 1 : -1;
}

/* Refuses link i (from 1) of a chain: the diagnostic names the link. */
static int
link_fail(struct consort_diag *d, int err, size_t i, const char *what,
    const char *hint)
{
	char where[64];

	snprintf(where, sizeof(where), _("key_chain, link %zu"), i);
	return consort_diag_set(d, err, where, what, hint);
}

/* Reads link i of a chain, every member strictly: 0, or E(SCHEMA). */
static int
link_read(const json_t *o, size_t i, struct key_link *l,
    struct consort_diag *d)
{
	const json_t *date = json_object_get(o, "date");
	int role, by;

	memset(l, 0, sizeof(*l));
	role = name_of(json_object_get(o, "role"), "member", "recovery");
	by = name_of(json_object_get(o, "by"), "key", "recovery");
	if (!json_is_object(o) || json_object_size(o) != 7 ||
	    !lower_hex(json_object_get(o, "from"), l->from, CONSORT_KEY_BYTES) ||
	    !lower_hex(json_object_get(o, "to"), l->to, CONSORT_KEY_BYTES) ||
	    role < 0 || by < 0 || !json_is_string(date) ||
	    json_string_length(date) != 10 ||
	    !util_date_valid(json_string_value(date), 10) ||
	    !lower_hex(json_object_get(o, "signature"), l->sig, 64) ||
	    !lower_hex(json_object_get(o, "proof"), l->proof, 64))
		return link_fail(d, E(SCHEMA), i, _("expected {\"from\", \"to\": "
		    "64 lowercase hex digits, \"role\": member or recovery, "
		    "\"by\": key or recovery, \"date\": YYYY-MM-DD, "
		    "\"signature\", \"proof\": 128 lowercase hex digits} and "
		    "nothing else"), _("see schema/keys.md"));
	l->role = role == 1 ? KEY_ROLE_RECOVERY : KEY_ROLE_MEMBER;
	l->by = by == 1 ? KEY_BY_RECOVERY : KEY_BY_KEY;
	if (l->role == KEY_ROLE_RECOVERY && l->by != KEY_BY_RECOVERY)
		return link_fail(d, E(SCHEMA), i, _("a link that replaces the "
		    "recovery key is signed by the recovery key (by recovery)"),
		    _("see schema/keys.md"));
	memcpy(l->date, json_string_value(date), 10);
	return 0;
}

/* The index of a key met along the chain, or nkeys. */
static size_t
chain_find(const struct chain_walk *w, const uint8_t *key)
{
	size_t k;

	for (k = 0; k < w->nkeys; k++)
		if (memcmp(w->keys[k].key, key, CONSORT_KEY_BYTES) == 0)
			break;
	return k;
}

/* Adds a key met along the chain; false when it was met already. */
static bool
chain_add(struct chain_walk *w, const uint8_t *key, bool recovery)
{
	struct chain_key *k;

	if (chain_find(w, key) < w->nkeys || w->nkeys == nitems(w->keys))
		return false;
	k = &w->keys[w->nkeys++];
	memset(k, 0, sizeof(*k));
	memcpy(k->key, key, CONSORT_KEY_BYTES);
	k->recovery = recovery;
	return true;
}

/*
 * Refuses link i whose replaced key is not the one in force (in_force):
 * a key an earlier link replaced (revoked), or one the chain never met.
 */
static int
from_refused(const struct chain_walk *w, size_t i, const struct key_link *l,
    size_t in_force)
{
	char from[2 * CONSORT_KEY_BYTES + 1], cur[2 * CONSORT_KEY_BYTES + 1];
	char what[600];
	size_t k = chain_find(w, l->from);

	util_hex(from, l->from, CONSORT_KEY_BYTES);
	util_hex(cur, w->keys[in_force].key, CONSORT_KEY_BYTES);
	if (k < w->nkeys && w->keys[k].replaced > 0)
		snprintf(what, sizeof(what), _("it replaces key %s, which link "
		    "%zu replaced on %s: a replaced key is revoked"), from,
		    w->keys[k].replaced, w->keys[k].date);
	else
		snprintf(what, sizeof(what), _("it replaces key %s, an unknown "
		    "key: the key in force there is %s"), from, cur);
	return link_fail(w->d, E(PERM), i, what, _("each link replaces the "
	    "key in force, from the original key to the signer's"));
}

/* Checks link i's signature by signer and its proof by its new key. */
static int
link_signed(const struct chain_walk *w, size_t i, const struct key_link *l,
    const uint8_t signer[CONSORT_KEY_BYTES])
{
	char st[KEYCHAIN_STATEMENT_MAX], hex[2 * CONSORT_KEY_BYTES + 1];
	char what[300];
	size_t n = keychain_statement(st, sizeof(st), w->consortium, l);

	if (n == 0 || crypto_sign_verify_detached(l->sig, (const uint8_t *)st,
	    n, signer) != 0) {
		util_hex(hex, signer, CONSORT_KEY_BYTES);
		snprintf(what, sizeof(what), l->by == KEY_BY_RECOVERY ?
		    _("its signature by key %s, the recovery key in force, "
		    "does not hold") : _("its signature by key %s, the key it "
		    "replaces, does not hold"), hex);
		return link_fail(w->d, E(SIGNATURE), i, what, _("the link was "
		    "changed after it was signed, or is another "
		    "consortium's"));
	}
	if (crypto_sign_verify_detached(l->proof, (const uint8_t *)st, n,
	    l->to) != 0) {
		util_hex(hex, l->to, CONSORT_KEY_BYTES);
		snprintf(what, sizeof(what), _("its proof by the new key %s "
		    "does not hold"), hex);
		return link_fail(w->d, E(SIGNATURE), i, what, _("the link was "
		    "changed after it was signed, or is another "
		    "consortium's"));
	}
	return 0;
}

/*
 * Checks link i against the keys in force: it replaces the member key in
 * force (role member) or the recovery key in force (role recovery),
 * signed by the one its by names and proved by a key not met before.
 */
static int
chain_link(struct chain_walk *w, size_t i, const struct key_link *l)
{
	char hex[2 * CONSORT_KEY_BYTES + 1], what[300];
	bool recovery = l->role == KEY_ROLE_RECOVERY;
	size_t in_force, signer;
	int rc;

	if (l->by == KEY_BY_RECOVERY && !w->has_recovery)
		return link_fail(w->d, E(PERM), i, _("it is signed by the "
		    "recovery key, but the chain names no recovery key signed "
		    "by the original key"), _("a chain that needs the recovery "
		    "key names it in \"recovery\", with the original key's "
		    "signature"));
	in_force = recovery ? w->recovery : w->member;
	if (memcmp(l->from, w->keys[in_force].key, CONSORT_KEY_BYTES) != 0)
		return from_refused(w, i, l, in_force);
	signer = l->by == KEY_BY_RECOVERY ? w->recovery : w->member;
	if ((rc = link_signed(w, i, l, w->keys[signer].key)) != 0)
		return rc;
	if (!chain_add(w, l->to, recovery)) {
		util_hex(hex, l->to, CONSORT_KEY_BYTES);
		snprintf(what, sizeof(what), _("its new key %s is met earlier "
		    "in the chain: a key is used once"), hex);
		return link_fail(w->d, E(PERM), i, what, NULL);
	}
	w->keys[in_force].replaced = i;
	memcpy(w->keys[in_force].date, l->date, sizeof(l->date));
	if (recovery)
		w->recovery = w->nkeys - 1;
	else
		w->member = w->nkeys - 1;
	return 0;
}

/*
 * Reads the recovery key a chain names, when it names one: the original
 * key's signature of it must hold.
 */
static int
chain_recovery(struct chain_walk *w, const json_t *r,
    const uint8_t original[CONSORT_KEY_BYTES])
{
	uint8_t key[CONSORT_KEY_BYTES], sig[64];

	if (r == NULL)
		return 0;
	if (!json_is_object(r) || json_object_size(r) != 2 ||
	    !lower_hex(json_object_get(r, "key"), key, CONSORT_KEY_BYTES) ||
	    !lower_hex(json_object_get(r, "signature"), sig, 64))
		return consort_diag_set(w->d, E(SCHEMA), "key_chain.recovery",
		    _("expected {\"key\": 64 lowercase hex digits, "
		    "\"signature\": 128 lowercase hex digits}"),
		    _("see schema/keys.md"));
	if (keychain_recovery_verify(sig, original, key) != 0)
		return consort_diag_set(w->d, E(SIGNATURE),
		    "key_chain.recovery", _("the original key's signature of "
		    "the recovery key does not hold"), _("the recovery key is "
		    "the one the consortium's founder named at its creation"));
	if (!chain_add(w, key, true))
		return consort_diag_set(w->d, E(PERM), "key_chain.recovery",
		    _("the recovery key is the original key"), NULL);
	w->recovery = w->nkeys - 1;
	w->has_recovery = true;
	return 0;
}

/* Checks that the chain ends at the signer: the member key in force. */
static int
chain_end(const struct chain_walk *w, const uint8_t signer[CONSORT_KEY_BYTES])
{
	char hex[2 * CONSORT_KEY_BYTES + 1], cur[2 * CONSORT_KEY_BYTES + 1];
	char what[600];
	size_t k;

	if (memcmp(signer, w->keys[w->member].key, CONSORT_KEY_BYTES) == 0)
		return 0;
	k = chain_find(w, signer);
	util_hex(hex, signer, CONSORT_KEY_BYTES);
	util_hex(cur, w->keys[w->member].key, CONSORT_KEY_BYTES);
	if (k < w->nkeys && !w->keys[k].recovery)
		snprintf(what, sizeof(what), _("signed by key %s, which link "
		    "%zu replaced on %s: a replaced key is revoked"), hex,
		    w->keys[k].replaced, w->keys[k].date);
	else if (k < w->nkeys)
		snprintf(what, sizeof(what), _("signed by key %s, a recovery "
		    "key: the chain ends at key %s"), hex, cur);
	else
		snprintf(what, sizeof(what), _("signed by key %s, an unknown "
		    "key: the chain ends at key %s"), hex, cur);
	return consort_diag_set(w->d, E(PERM), "key_chain", what,
	    _("ask the sender for a request signed with its key in force"));
}

/*
 * Checks the key chain a request carries (schema/keys.md, "The chain"):
 * from original, each link replacing the member key or the recovery key
 * in force, to signer.
 */
int
keychain_verify_json(const json_t *chain,
    const uint8_t consortium[CONSORT_HASH_BYTES],
    const uint8_t original[CONSORT_KEY_BYTES],
    const uint8_t signer[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	const json_t *links = json_object_get(chain, "links");
	const json_t *r = json_object_get(chain, "recovery");
	struct chain_walk w;
	struct key_link l;
	char what[100];
	size_t i, n;
	int rc;

	if (!json_is_object(chain) || !json_is_array(links) ||
	    json_object_size(chain) != (r != NULL ? 2u : 1u))
		return consort_diag_set(d, E(SCHEMA), "key_chain",
		    _("expected {\"links\": [...]} and, when a link needs it, "
		    "\"recovery\""), _("see schema/keys.md"));
	if ((n = json_array_size(links)) == 0)
		return consort_diag_set(d, E(SCHEMA), "key_chain",
		    _("a key chain holds at least one link"), NULL);
	if (n > KEYCHAIN_MAX_LINKS) {
		snprintf(what, sizeof(what), _("%zu links; a key chain holds "
		    "at most %d"), n, KEYCHAIN_MAX_LINKS);
		return consort_diag_set(d, E(TOOBIG), "key_chain", what, NULL);
	}
	memset(&w, 0, sizeof(w));
	w.consortium = consortium;
	w.d = d;
	chain_add(&w, original, false);
	if ((rc = chain_recovery(&w, r, original)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = link_read(json_array_get(links, i), i + 1, &l,
		    d)) != 0 || (rc = chain_link(&w, i + 1, &l)) != 0)
			return rc;
	return chain_end(&w, signer);
}
