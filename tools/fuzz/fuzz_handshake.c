/*
 * libFuzzer harness for the secret handshake: the input plays the peer's
 * hello and auth, against a client or a server (bit 2 of the first byte).
 * Bits 0-1 pick how deep the bytes reach:
 *   0  hello and auth raw: the hello must be refused (network key);
 *   1  the harness authenticates the input's ephemeral key with the network
 *      key, the auth stays raw: it must be refused;
 *   2  as 1, and the harness boxes the input's 96 bytes under the right auth
 *      key, so they reach the signature check: they must be refused;
 *   3  an honest peer runs the handshake, and the input is XORed over its
 *      hello and auth: it must succeed exactly when nothing was changed.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The input, read in pieces, zeros past its end. */
struct input {
	const uint8_t *p;
	size_t n;
};

static uint8_t netkey[SHS_NETKEY_BYTES];
static uint8_t our_pk[32], our_sk[64], peer_pk[32], peer_sk[64];

/* Copies the next len bytes of the input, zero-padded. */
static void
take(struct input *in, uint8_t *out, size_t len)
{
	size_t n = in->n < len ? in->n : len;

	memcpy(out, in->p, n);
	memset(out + n, 0, len - n);
	in->p += n;
	in->n -= n;
}

/* Boxes plain (pk || sig) as the peer would, from our side's fields. */
static void
box_as_peer(const struct shs *h, const uint8_t plain[96],
    uint8_t out[SHS_AUTH_BYTES])
{
	static const uint8_t nonce[crypto_secretbox_NONCEBYTES];
	crypto_generichash_state st;
	const uint8_t *ceph, *seph;
	uint8_t t[32], key[32];

	ceph = h->role == SHS_CLIENT ? h->eph_pk : h->peer_eph;
	seph = h->role == SHS_CLIENT ? h->peer_eph : h->eph_pk;
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)"consort-shs-1", 13);
	crypto_generichash_update(&st, h->netkey, 32);
	crypto_generichash_update(&st, ceph, 32);
	crypto_generichash_update(&st, seph, 32);
	crypto_generichash_update(&st, h->shared, 32);
	crypto_generichash_final(&st, t, 32);
	crypto_generichash_init(&st, NULL, 0, 32);
	crypto_generichash_update(&st, (const uint8_t *)(h->role == SHS_CLIENT ?
	    "auth-s" : "auth-c"), 6);
	crypto_generichash_update(&st, t, 32);
	crypto_generichash_final(&st, key, 32);
	crypto_secretbox_easy(out, plain, 96, nonce, key);
}

/* Runs our side against hello and auth bytes made from the input. */
static void
against_bytes(enum shs_role role, int mode, struct input *in)
{
	uint8_t hello[SHS_HELLO_BYTES], auth[SHS_AUTH_BYTES], plain[96];
	uint8_t mine[SHS_AUTH_BYTES > SHS_HELLO_BYTES ? SHS_AUTH_BYTES :
	    SHS_HELLO_BYTES];
	struct shs h;
	int rc;

	shs_init(&h, role, netkey, our_pk, our_sk);
	if (mode == 0)
		take(in, hello, sizeof(hello));
	else {
		take(in, hello + 32, 32);
		crypto_auth(hello, hello + 32, 32, netkey);
	}
	if (role == SHS_CLIENT && shs_hello(&h, mine) != 0)
		abort();
	rc = shs_read_hello(&h, hello);
	if (mode == 0 && rc != E(PERM))
		abort();
	if (rc != 0)
		goto out;
	if (role == SHS_SERVER && shs_hello(&h, mine) != 0)
		abort();
	if (role == SHS_CLIENT && shs_auth(&h, mine) != 0)
		abort();
	if (mode == 2) {
		take(in, plain, sizeof(plain));
		box_as_peer(&h, plain, auth);
	} else
		take(in, auth, sizeof(auth));
	if (shs_read_auth(&h, auth) != E(PERM))
		abort();
	/* A refused handshake is wiped and takes no further call. */
	if (!sodium_is_zero((const uint8_t *)&h, sizeof(h)) ||
	    shs_auth(&h, mine) != E(INVAL))
		abort();
out:
	shs_wipe(&h);
}

/* Runs our side against an honest peer whose messages the input alters. */
static void
against_peer(enum shs_role role, struct input *in)
{
	uint8_t mhello[SHS_HELLO_BYTES], mauth[SHS_AUTH_BYTES];
	uint8_t hello[SHS_HELLO_BYTES], auth[SHS_AUTH_BYTES];
	uint8_t mine_hello[SHS_HELLO_BYTES], mine_auth[SHS_AUTH_BYTES];
	struct shs us, peer;
	bool clean;
	size_t i;
	int rc;

	take(in, mhello, sizeof(mhello));
	take(in, mauth, sizeof(mauth));
	clean = sodium_is_zero(mhello, sizeof(mhello)) &&
	    sodium_is_zero(mauth, sizeof(mauth));
	shs_init(&us, role, netkey, our_pk, our_sk);
	shs_init(&peer, role == SHS_CLIENT ? SHS_SERVER : SHS_CLIENT, netkey,
	    peer_pk, peer_sk);
	if (role == SHS_CLIENT) {
		if (shs_hello(&us, mine_hello) != 0 ||
		    shs_read_hello(&peer, mine_hello) != 0 ||
		    shs_hello(&peer, hello) != 0)
			abort();
	} else if (shs_hello(&peer, hello) != 0)
		abort();
	for (i = 0; i < sizeof(hello); i++)
		hello[i] ^= mhello[i];
	rc = shs_read_hello(&us, hello);
	if (!sodium_is_zero(mhello, sizeof(mhello))) {
		if (rc != E(PERM))
			abort();
		goto out;
	}
	if (rc != 0)
		abort();
	if (role == SHS_CLIENT) {
		if (shs_auth(&us, mine_auth) != 0 ||
		    shs_read_auth(&peer, mine_auth) != 0 ||
		    shs_auth(&peer, auth) != 0)
			abort();
	} else if (shs_hello(&us, mine_hello) != 0 ||
	    shs_read_hello(&peer, mine_hello) != 0 ||
	    shs_auth(&peer, auth) != 0)
		abort();
	for (i = 0; i < sizeof(auth); i++)
		auth[i] ^= mauth[i];
	rc = shs_read_auth(&us, auth);
	if (rc != (clean ? 0 : E(PERM)))
		abort();
	if (clean) {
		if (memcmp(us.peer_pk, peer_pk, 32) != 0)
			abort();
		if (role == SHS_SERVER && (shs_auth(&us, mine_auth) != 0 ||
		    shs_read_auth(&peer, mine_auth) != 0))
			abort();
		if (memcmp(us.tx_key, peer.rx_key, sizeof(us.tx_key)) != 0 ||
		    memcmp(us.rx_key, peer.tx_key, sizeof(us.rx_key)) != 0)
			abort();
	}
out:
	shs_wipe(&us);
	shs_wipe(&peer);
}

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static int ready;
	struct input in;
	enum shs_role role;
	uint8_t seed[crypto_sign_SEEDBYTES];
	int mode;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		memset(netkey, 0x4e, sizeof(netkey));
		memset(seed, 1, sizeof(seed));
		crypto_sign_seed_keypair(our_pk, our_sk, seed);
		memset(seed, 2, sizeof(seed));
		crypto_sign_seed_keypair(peer_pk, peer_sk, seed);
		ready = 1;
	}
	if (size == 0)
		return 0;
	mode = data[0] & 3;
	role = (data[0] & 4) ? SHS_SERVER : SHS_CLIENT;
	in.p = data + 1;
	in.n = size - 1;
	if (mode == 3)
		against_peer(role, &in);
	else
		against_bytes(role, mode, &in);
	return 0;
}
