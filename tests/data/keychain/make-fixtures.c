/*
 * Writes the signed requests of tests/cli/test-order-keychain.sh into the
 * current folder: requests of a made-up consortium whose keys come from
 * fixed seeds, signed by keys that replaced the founder's and carrying
 * their key chains (schema/keys.md).  Only order verify reads them: their
 * bodies hold what it reads, not a whole request.  Built and run by hand
 * when the format changes, from the tree's root after make:
 *
 *   cc -std=c11 -D_GNU_SOURCE -Isrc -Iinclude -o /tmp/make-fixtures \
 *       tests/data/keychain/make-fixtures.c .build/libconsort.a \
 *       $(pkg-config --libs msgpack libsodium libuv jansson libzip expat) \
 *       -llmdb -lcsv -lm -lpthread
 *   (cd tests/data/keychain && /tmp/make-fixtures)
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>
#include <sodium.h>

#include "core.h"
#include "order.h"

/* A key pair from a one-byte seed. */
struct kp {
	uint8_t pk[32];
	uint8_t sk[64];
};

static const uint8_t cid[32] = { 0xc0, 0x45, 0x07, 0x13 };

/* The key pair of seed byte s. */
static void
kp_seed(struct kp *k, uint8_t s)
{
	uint8_t seed[32];

	memset(seed, s, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
}

/* A string of hex. */
static json_t *
hexj(const uint8_t *p, size_t n)
{
	char h[129];

	util_hex(h, p, n);
	return json_string(h);
}

/* Appends a link to a chain. */
static void
link_add(json_t *chain, const struct kp *from, const struct kp *to,
    enum key_role role, enum key_by by, const struct kp *signer,
    const char *date)
{
	struct key_link l = { 0 };
	json_t *o = json_object();

	memcpy(l.from, from->pk, 32);
	memcpy(l.to, to->pk, 32);
	l.role = role;
	l.by = by;
	snprintf(l.date, sizeof(l.date), "%s", date);
	if (keychain_link_sign(cid, &l, signer->sk, to->sk) != 0)
		abort();
	json_object_set_new(o, "from", hexj(l.from, 32));
	json_object_set_new(o, "to", hexj(l.to, 32));
	json_object_set_new(o, "role", json_string(keychain_role_name(role)));
	json_object_set_new(o, "by", json_string(keychain_by_name(by)));
	json_object_set_new(o, "date", json_string(date));
	json_object_set_new(o, "signature", hexj(l.sig, 64));
	json_object_set_new(o, "proof", hexj(l.proof, 64));
	json_array_append_new(json_object_get(chain, "links"), o);
}

/* A chain, naming the recovery key r when not NULL. */
static json_t *
chain_new(const struct kp *founder, const struct kp *r)
{
	json_t *c = json_object(), *o;
	uint8_t sig[64];

	json_object_set_new(c, "links", json_array());
	if (r != NULL) {
		keychain_recovery_sign(sig, founder->pk, r->pk, founder->sk);
		o = json_object();
		json_object_set_new(o, "key", hexj(r->pk, 32));
		json_object_set_new(o, "signature", hexj(sig, 64));
		json_object_set_new(c, "recovery", o);
	}
	return c;
}

/* Writes a request of number n signed by signer, with a chain or none. */
static void
write_request(const char *path, const struct kp *founder,
    const struct kp *signer, json_t *chain, int n)
{
	json_t *r = json_object(), *o;
	char *file;
	size_t len;
	FILE *f;

	o = json_object();
	json_object_set_new(o, "id", hexj(cid, 32));
	json_object_set_new(o, "name", json_string("Groupement Test"));
	json_object_set_new(o, "market", json_string("MKT-2026"));
	json_object_set_new(r, "consortium", o);
	json_object_set_new(r, "format", json_string("consort-order/2"));
	o = json_object();
	json_object_set_new(o, "name", json_string("Lead Formation"));
	json_object_set_new(o, "siret", json_string("41852736200127"));
	json_object_set_new(o, "key", hexj(founder->pk, 32));
	json_object_set_new(r, "lead", o);
	o = json_object();
	json_object_set_new(o, "role", json_string("lead"));
	json_object_set_new(o, "name", json_string("Lead Formation"));
	json_object_set_new(o, "siret", json_string("41852736200127"));
	json_object_set_new(o, "key", hexj(signer->pk, 32));
	json_object_set_new(o, "direct", json_false());
	json_object_set_new(r, "sender", o);
	o = json_object();
	json_object_set_new(o, "ref", json_string("LOT-A"));
	json_object_set_new(r, "lot", o);
	json_object_set_new(r, "period", json_string("2026-03"));
	json_object_set_new(r, "issued", json_string("2026-03-02"));
	json_object_set_new(r, "number", json_integer(n));
	json_object_set_new(r, "replaces", json_array());
	if (chain != NULL)
		json_object_set_new(r, "key_chain", chain);
	if (order_sign(r, signer->pk, signer->sk, &file, &len) != 0 ||
	    (f = fopen(path, "wb")) == NULL)
		abort();
	fwrite(file, 1, len, f);
	fclose(f);
	free(file);
	json_decref(r);
}

int
main(void)
{
	struct kp k0, k1, k2, r0, r1, kn, kt;
	json_t *c;
	char *s;

	if (sodium_init() < 0)
		return 1;
	kp_seed(&k0, 1);
	kp_seed(&k1, 2);
	kp_seed(&k2, 3);
	kp_seed(&r0, 4);
	kp_seed(&r1, 5);
	kp_seed(&kn, 6);
	kp_seed(&kt, 7);
	/* the founder's own request: no chain */
	write_request("founder.json", &k0, &k0, NULL, 1);
	/* two rotations */
	c = chain_new(&k0, NULL);
	link_add(c, &k0, &k1, KEY_ROLE_MEMBER, KEY_BY_KEY, &k0, "2026-03-01");
	link_add(c, &k1, &k2, KEY_ROLE_MEMBER, KEY_BY_KEY, &k1, "2026-03-05");
	write_request("rotated.json", &k0, &k2, json_deep_copy(c), 2);
	/* the same chain, the request signed by the key it replaced */
	write_request("replaced-signer.json", &k0, &k1, json_deep_copy(c), 2);
	/* a link's signature changed after it was signed */
	s = strdup(json_string_value(json_object_get(json_array_get(
	    json_object_get(c, "links"), 1), "signature")));
	s[0] = s[0] == '0' ? '1' : '0';
	json_object_set_new(json_array_get(json_object_get(c, "links"), 1),
	    "signature", json_string(s));
	free(s);
	write_request("bad-link.json", &k0, &k2, c, 2);
	/* the lost founder's key recovered after the recovery key's rotation */
	c = chain_new(&k0, &r0);
	link_add(c, &r0, &r1, KEY_ROLE_RECOVERY, KEY_BY_RECOVERY, &r0,
	    "2026-02-01");
	link_add(c, &k0, &kn, KEY_ROLE_MEMBER, KEY_BY_RECOVERY, &r1,
	    "2026-03-10");
	write_request("recovered.json", &k0, &kn, c, 3);
	/* whoever took the lost key rotates it, or signs with it */
	c = chain_new(&k0, NULL);
	link_add(c, &k0, &kt, KEY_ROLE_MEMBER, KEY_BY_KEY, &k0, "2026-03-11");
	write_request("thief.json", &k0, &kt, c, 4);
	write_request("thief-founder.json", &k0, &k0, NULL, 4);
	/* a recovery-signed link with no recovery key named */
	c = chain_new(&k0, NULL);
	link_add(c, &k0, &kn, KEY_ROLE_MEMBER, KEY_BY_RECOVERY, &r0,
	    "2026-03-10");
	write_request("unnamed-recovery.json", &k0, &kn, c, 3);
	return 0;
}
