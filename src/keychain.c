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
