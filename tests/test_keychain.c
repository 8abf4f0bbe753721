/*
 * Unit tests of keychain.c: the chain of key records a request carries,
 * from the key the Region knows to the key that signed it, checked with
 * keys made here: good chains (rotations, a recovery, the recovery key's
 * own rotation) and each refusal, which names its link.
 */
#include <jansson.h>

#include "testutil.h"

/* A key pair of a test. */
struct kp {
	uint8_t pk[CONSORT_KEY_BYTES];
	uint8_t sk[64];
};

/* The consortium every link of these tests names. */
static const uint8_t consortium[CONSORT_HASH_BYTES] = { 0xc0, 0x45, 0x07 };

/* The keys of a test: the founder, three later keys, two recovery keys. */
struct keys {
	struct kp k0, k1, k2, k3, r0, r1, x;
};

/* Per-test setup: fresh keys. */
static int
setup(void **state)
{
	struct keys *k = calloc(1, sizeof(*k));

	if (k == NULL)
		return -1;
	crypto_sign_keypair(k->k0.pk, k->k0.sk);
	crypto_sign_keypair(k->k1.pk, k->k1.sk);
	crypto_sign_keypair(k->k2.pk, k->k2.sk);
	crypto_sign_keypair(k->k3.pk, k->k3.sk);
	crypto_sign_keypair(k->r0.pk, k->r0.sk);
	crypto_sign_keypair(k->r1.pk, k->r1.sk);
	crypto_sign_keypair(k->x.pk, k->x.sk);
	*state = k;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	free(*state);
	return 0;
}

/* A hex string of n bytes, as JSON. */
static json_t *
hex_json(const uint8_t *p, size_t n)
{
	char hex[2 * 64 + 1];

	util_hex(hex, p, n);
	return json_string(hex);
}

/* An empty chain: {"links": []}. */
static json_t *
chain_new(void)
{
	json_t *c = json_object();

	json_object_set_new(c, "links", json_array());
	return c;
}

/* Names the recovery key in a chain, signed by the original key. */
static void
name_recovery(json_t *c, const struct kp *orig, const struct kp *rec)
{
	uint8_t sig[64];
	json_t *r = json_object();

	keychain_recovery_sign(sig, orig->pk, rec->pk, orig->sk);
	json_object_set_new(r, "key", hex_json(rec->pk, CONSORT_KEY_BYTES));
	json_object_set_new(r, "signature", hex_json(sig, 64));
	json_object_set_new(c, "recovery", r);
}

/*
 * Appends a link from one key to another, of a role and signer kind,
 * signed by signer and proved by to, for the consortium cid.
 */
static void
push_for(json_t *c, const uint8_t *cid, const struct kp *from,
    const struct kp *to, enum key_role role, enum key_by by,
    const struct kp *signer, const char *date)
{
	struct key_link l;
	json_t *o = json_object();

	memset(&l, 0, sizeof(l));
	memcpy(l.from, from->pk, CONSORT_KEY_BYTES);
	memcpy(l.to, to->pk, CONSORT_KEY_BYTES);
	l.role = role;
	l.by = by;
	snprintf(l.date, sizeof(l.date), "%s", date);
	assert_ok(keychain_link_sign(cid, &l, signer->sk, to->sk));
	json_object_set_new(o, "from", hex_json(l.from, CONSORT_KEY_BYTES));
	json_object_set_new(o, "to", hex_json(l.to, CONSORT_KEY_BYTES));
	json_object_set_new(o, "role", json_string(keychain_role_name(role)));
	json_object_set_new(o, "by", json_string(keychain_by_name(by)));
	json_object_set_new(o, "date", json_string(date));
	json_object_set_new(o, "signature", hex_json(l.sig, 64));
	json_object_set_new(o, "proof", hex_json(l.proof, 64));
	json_array_append_new(json_object_get(c, "links"), o);
}

/* Appends a rotation: from's key replaced by to's, signed by from. */
static void
rotate(json_t *c, const struct kp *from, const struct kp *to,
    const char *date)
{
	push_for(c, consortium, from, to, KEY_ROLE_MEMBER, KEY_BY_KEY, from,
	    date);
}

/* Appends a recovery: from's key replaced by to's, signed by rec. */
static void
recover(json_t *c, const struct kp *from, const struct kp *to,
    const struct kp *rec, const char *date)
{
	push_for(c, consortium, from, to, KEY_ROLE_MEMBER, KEY_BY_RECOVERY,
	    rec, date);
}

/* Checks a chain from k0 to signer, into d. */
static int
check(const json_t *c, const struct kp *orig, const struct kp *signer,
    struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return keychain_verify_json(c, consortium, orig->pk, signer->pk, d);
}

/* Sets member key of link i of a chain to a string. */
static void
set_member(json_t *c, size_t i, const char *key, const char *v)
{
	json_object_set_new(json_array_get(json_object_get(c, "links"), i),
	    key, json_string(v));
}

/* Asserts that a diagnostic names a place and says something. */
static void
assert_diag(const struct consort_diag *d, const char *where,
    const char *what)
{
	if (strstr(d->where, where) == NULL || strstr(d->what, what) == NULL)
		fail_msg("diag \"%s: %s\", want \"%s\" and \"%s\"", d->where,
		    d->what, where, what);
}

/* One rotation, then a second one: each signer at the end is accepted. */
static void
test_rotate(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	rotate(c, &k->k0, &k->k1, "2026-03-01");
	assert_ok(check(c, &k->k0, &k->k1, &d));
	rotate(c, &k->k1, &k->k2, "2026-04-01");
	assert_ok(check(c, &k->k0, &k->k2, &d));
	/* the original key is part of what is signed: another one fails */
	assert_err(check(c, &k->x, &k->k2, &d), E(PERM));
	assert_diag(&d, "link 1", "unknown key");
	json_decref(c);
}

/* A recovery by the named recovery key, then a rotation of the new key. */
static void
test_recover(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	name_recovery(c, &k->k0, &k->r0);
	recover(c, &k->k0, &k->k1, &k->r0, "2026-03-01");
	assert_ok(check(c, &k->k0, &k->k1, &d));
	rotate(c, &k->k1, &k->k2, "2026-04-01");
	assert_ok(check(c, &k->k0, &k->k2, &d));
	json_decref(c);
}

/* The recovery key replaced by its successor, which then recovers. */
static void
test_recovery_rotation_then_recover(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	name_recovery(c, &k->k0, &k->r0);
	rotate(c, &k->k0, &k->k1, "2026-02-01");
	push_for(c, consortium, &k->r0, &k->r1, KEY_ROLE_RECOVERY,
	    KEY_BY_RECOVERY, &k->r0, "2026-02-15");
	recover(c, &k->k1, &k->k2, &k->r1, "2026-03-01");
	assert_ok(check(c, &k->k0, &k->k2, &d));
	json_decref(c);

	/* the replaced recovery key no longer recovers */
	c = chain_new();
	name_recovery(c, &k->k0, &k->r0);
	push_for(c, consortium, &k->r0, &k->r1, KEY_ROLE_RECOVERY,
	    KEY_BY_RECOVERY, &k->r0, "2026-02-15");
	recover(c, &k->k0, &k->k1, &k->r0, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SIGNATURE));
	assert_diag(&d, "link 2", "recovery key in force");
	json_decref(c);

	/* nor is it replaced twice */
	c = chain_new();
	name_recovery(c, &k->k0, &k->r0);
	push_for(c, consortium, &k->r0, &k->r1, KEY_ROLE_RECOVERY,
	    KEY_BY_RECOVERY, &k->r0, "2026-02-15");
	push_for(c, consortium, &k->r0, &k->x, KEY_ROLE_RECOVERY,
	    KEY_BY_RECOVERY, &k->r0, "2026-02-16");
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(PERM));
	assert_diag(&d, "link 2", "replaced on 2026-02-15");
	json_decref(c);
}

/* A signature or a proof that does not hold, or another consortium's. */
static void
test_bad_signatures(void **state)
{
	struct keys *k = *state;
	static const uint8_t other[CONSORT_HASH_BYTES] = { 0xbb };
	struct consort_diag d;
	char hex[129];
	json_t *c = chain_new();

	rotate(c, &k->k0, &k->k1, "2026-03-01");
	rotate(c, &k->k1, &k->k2, "2026-04-01");
	snprintf(hex, sizeof(hex), "%s", json_string_value(json_object_get(
	    json_array_get(json_object_get(c, "links"), 1), "signature")));
	hex[0] = hex[0] == '0' ? '1' : '0';
	set_member(c, 1, "signature", hex);
	assert_err(check(c, &k->k0, &k->k2, &d), E(SIGNATURE));
	assert_diag(&d, "link 2", "its signature by key");
	json_decref(c);

	/* a proof by another key than the new one */
	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	snprintf(hex, sizeof(hex), "%s", json_string_value(json_object_get(
	    json_array_get(json_object_get(c, "links"), 0), "proof")));
	hex[5] = hex[5] == 'a' ? 'b' : 'a';
	set_member(c, 0, "proof", hex);
	assert_err(check(c, &k->k0, &k->k1, &d), E(SIGNATURE));
	assert_diag(&d, "link 1", "proof by the new key");
	json_decref(c);

	/* the date is signed */
	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	set_member(c, 0, "date", "2026-03-02");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SIGNATURE));
	json_decref(c);

	/* a link of another consortium */
	c = chain_new();
	push_for(c, other, &k->k0, &k->k1, KEY_ROLE_MEMBER, KEY_BY_KEY, &k->k0,
	    "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SIGNATURE));
	json_decref(c);

	/* a recovery key the founder did not name */
	c = chain_new();
	name_recovery(c, &k->x, &k->r0);
	recover(c, &k->k0, &k->k1, &k->r0, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SIGNATURE));
	assert_diag(&d, "key_chain.recovery", "does not hold");
	json_decref(c);
}

/* A link from a replaced key, or from a key the chain never met. */
static void
test_from_replaced_or_unknown(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	rotate(c, &k->k0, &k->k1, "2026-03-01");
	rotate(c, &k->k0, &k->k2, "2026-03-05");
	assert_err(check(c, &k->k0, &k->k2, &d), E(PERM));
	assert_diag(&d, "link 2", "link 1 replaced on 2026-03-01");
	json_decref(c);

	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	rotate(c, &k->x, &k->k2, "2026-03-05");
	assert_err(check(c, &k->k0, &k->k2, &d), E(PERM));
	assert_diag(&d, "link 2", "an unknown key");
	json_decref(c);

	/* the recovery key is no member key: it replaces no member key */
	c = chain_new();
	name_recovery(c, &k->k0, &k->r0);
	push_for(c, consortium, &k->r0, &k->k1, KEY_ROLE_MEMBER,
	    KEY_BY_RECOVERY, &k->r0, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(PERM));
	assert_diag(&d, "link 1", "unknown key");
	json_decref(c);
}

/* The signer is the chain's last key: an earlier one, or another, fails. */
static void
test_signer(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	name_recovery(c, &k->k0, &k->r0);
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	recover(c, &k->k1, &k->k2, &k->r0, "2026-04-02");
	assert_ok(check(c, &k->k0, &k->k2, &d));
	assert_err(check(c, &k->k0, &k->k1, &d), E(PERM));
	assert_diag(&d, "key_chain", "link 2 replaced on 2026-04-02");
	assert_non_null(strstr(d.what, "revoked"));
	assert_err(check(c, &k->k0, &k->k0, &d), E(PERM));
	assert_diag(&d, "key_chain", "link 1 replaced on 2026-03-01");
	assert_err(check(c, &k->k0, &k->x, &d), E(PERM));
	assert_diag(&d, "key_chain", "an unknown key");
	assert_err(check(c, &k->k0, &k->r0, &d), E(PERM));
	assert_diag(&d, "key_chain", "a recovery key");
	json_decref(c);
}

/* A key met twice in a chain is refused, whichever role it had. */
static void
test_duplicate(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	rotate(c, &k->k0, &k->k1, "2026-03-01");
	rotate(c, &k->k1, &k->k0, "2026-03-02");
	assert_err(check(c, &k->k0, &k->k0, &d), E(PERM));
	assert_diag(&d, "link 2", "a key is used once");
	json_decref(c);

	c = chain_new();
	name_recovery(c, &k->k0, &k->r0);
	rotate(c, &k->k0, &k->r0, "2026-03-01");
	assert_err(check(c, &k->k0, &k->r0, &d), E(PERM));
	assert_diag(&d, "link 1", "a key is used once");
	json_decref(c);

	c = chain_new();
	name_recovery(c, &k->k0, &k->k0);
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(PERM));
	assert_diag(&d, "key_chain.recovery", "is the original key");
	json_decref(c);
}

/* A recovery-signed link needs the recovery key the founder named. */
static void
test_recovery_not_named(void **state)
{
	struct keys *k = *state;
	struct consort_diag d;
	json_t *c = chain_new();

	recover(c, &k->k0, &k->k1, &k->r0, "2026-03-01");
	assert_err(check(c, &k->k0, &k->k1, &d), E(PERM));
	assert_diag(&d, "link 1", "names no recovery key");
	json_decref(c);

	c = chain_new();
	push_for(c, consortium, &k->r0, &k->r1, KEY_ROLE_RECOVERY,
	    KEY_BY_RECOVERY, &k->r0, "2026-02-15");
	assert_err(check(c, &k->k0, &k->k0, &d), E(PERM));
	assert_diag(&d, "link 1", "names no recovery key");
	json_decref(c);
}

/* At most KEYCHAIN_MAX_LINKS links, and at least one. */
static void
test_bounds(void **state)
{
	struct keys *k = *state;
	struct kp keys[KEYCHAIN_MAX_LINKS + 2];
	struct consort_diag d;
	json_t *c = chain_new();
	size_t i;

	assert_err(check(c, &k->k0, &k->k0, &d), E(SCHEMA));
	assert_diag(&d, "key_chain", "at least one link");
	keys[0] = k->k0;
	for (i = 1; i <= KEYCHAIN_MAX_LINKS + 1; i++) {
		crypto_sign_keypair(keys[i].pk, keys[i].sk);
		if (i <= KEYCHAIN_MAX_LINKS)
			rotate(c, &keys[i - 1], &keys[i], "2026-03-01");
	}
	assert_ok(check(c, &k->k0, &keys[KEYCHAIN_MAX_LINKS], &d));
	rotate(c, &keys[KEYCHAIN_MAX_LINKS], &keys[KEYCHAIN_MAX_LINKS + 1],
	    "2026-03-01");
	assert_err(check(c, &k->k0, &keys[KEYCHAIN_MAX_LINKS + 1], &d),
	    E(TOOBIG));
	assert_diag(&d, "key_chain", "at most 64");
	json_decref(c);
}

/* Every member of a link is read strictly. */
static void
test_malformed(void **state)
{
	static const struct {
		const char *member, *value;
	} bad[] = {
		{ "to", "ABCDEF" },
		{ "role", "admin" },
		{ "role", "recovery" },   /* by key: a recovery link is not */
		{ "by", "lead" },
		{ "date", "2026-02-30" },
		{ "date", "2026-3-01" },
		{ "signature", "00" },
	};
	struct keys *k = *state;
	struct consort_diag d;
	char up[65];
	json_t *c;
	size_t i;

	for (i = 0; i < nitems(bad); i++) {
		c = chain_new();
		rotate(c, &k->k0, &k->k1, "2026-03-01");
		set_member(c, 0, bad[i].member, bad[i].value);
		assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
		assert_diag(&d, "link 1", "");
		json_decref(c);
	}
	/* uppercase hex, an extra member, a member missing */
	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	util_hex(up, k->k1.pk, CONSORT_KEY_BYTES);
	for (i = 0; up[i]; i++)
		if (up[i] >= 'a')
			up[i] -= 'a' - 'A';
	set_member(c, 0, "to", up);
	assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
	json_decref(c);
	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	set_member(c, 0, "note", "x");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
	json_object_del(json_array_get(json_object_get(c, "links"), 0), "note");
	assert_ok(check(c, &k->k0, &k->k1, &d));
	json_object_del(json_array_get(json_object_get(c, "links"), 0), "date");
	assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
	json_decref(c);
	/* the chain itself: an unknown member, links not an array */
	c = chain_new();
	rotate(c, &k->k0, &k->k1, "2026-03-01");
	json_object_set_new(c, "note", json_string("x"));
	assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
	assert_diag(&d, "key_chain", "");
	json_object_del(c, "note");
	json_object_set_new(c, "links", json_object());
	assert_err(check(c, &k->k0, &k->k1, &d), E(SCHEMA));
	json_decref(c);
	assert_err(check(NULL, &k->k0, &k->k1, &d), E(SCHEMA));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_rotate),
		T(test_recover),
		T(test_recovery_rotation_then_recover),
		T(test_bad_signatures),
		T(test_from_replaced_or_unknown),
		T(test_signer),
		T(test_duplicate),
		T(test_recovery_not_named),
		T(test_bounds),
		T(test_malformed),
	};
#undef T

	return cmocka_run_group_tests_name("keychain", tests, tu_group_setup,
	    NULL);
}
