/*
 * Unit tests of sync/shs.c, the secret handshake: two honest sides agree on
 * crossed stream keys and learn each other's key; the bytes match an
 * independent implementation of schema/protocol.md; a wrong network key,
 * any flipped bit, a signature by another key, a relaying man in the middle
 * and calls out of turn are all refused.
 */
#include "testutil.h"

#include "../sync/transport.h"

/* A side's long-term Ed25519 key pair. */
struct ident {
	uint8_t pk[32];
	uint8_t sk[64];
};

/* Everything that crossed the wire in one handshake. */
struct wire {
	uint8_t hello_c[SHS_HELLO_BYTES];
	uint8_t hello_s[SHS_HELLO_BYTES];
	uint8_t auth_c[SHS_AUTH_BYTES];
	uint8_t auth_s[SHS_AUTH_BYTES];
};

/* How far run() takes a handshake. */
enum stage {
	UPTO_HELLOS,     /* both hellos read */
	UPTO_AUTH_C,     /* the client's auth written, not yet read */
	UPTO_AUTH_S,     /* the client's auth read, the server's written */
	UPTO_DONE,       /* both auths read */
};

static uint8_t netkey[SHS_NETKEY_BYTES];
static uint8_t netkey2[SHS_NETKEY_BYTES];
static struct ident alice, bob, mallory;

/* Makes an identity from a one-byte seed, the same every run. */
static void
ident_init(struct ident *id, uint8_t seed)
{
	uint8_t s[crypto_sign_SEEDBYTES];

	memset(s, seed, sizeof(s));
	crypto_sign_seed_keypair(id->pk, id->sk, s);
}

/* Group setup: libsodium, the network keys and three identities. */
static int
setup(void **state)
{
	if (tu_group_setup(state) != 0)
		return -1;
	memset(netkey, 0x4e, sizeof(netkey));
	memset(netkey2, 0x4f, sizeof(netkey2));
	ident_init(&alice, 1);
	ident_init(&bob, 2);
	ident_init(&mallory, 3);
	return 0;
}

/* Runs an honest handshake, client alice and server bob, up to a stage. */
static void
run(struct shs *c, struct shs *s, struct wire *w, enum stage upto)
{
	shs_init(c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	shs_init(s, SHS_SERVER, netkey, bob.pk, bob.sk);
	assert_ok(shs_hello(c, w->hello_c));
	assert_ok(shs_read_hello(s, w->hello_c));
	assert_ok(shs_hello(s, w->hello_s));
	assert_ok(shs_read_hello(c, w->hello_s));
	if (upto == UPTO_HELLOS)
		return;
	assert_ok(shs_auth(c, w->auth_c));
	if (upto == UPTO_AUTH_C)
		return;
	assert_ok(shs_read_auth(s, w->auth_c));
	assert_ok(shs_auth(s, w->auth_s));
	if (upto == UPTO_AUTH_S)
		return;
	assert_ok(shs_read_auth(c, w->auth_s));
}

/* ---- an independent implementation of protocol.md, for the tests ---- */

/* A byte string built by appending. */
struct bytes {
	uint8_t p[512];
	size_t n;
};

/* Appends n bytes. */
static void
put(struct bytes *b, const void *p, size_t n)
{
	assert_true(b->n + n <= sizeof(b->p));
	memcpy(b->p + b->n, p, n);
	b->n += n;
}

/* Appends a label's bytes, without its NUL. */
static void
put_label(struct bytes *b, const char *label)
{
	put(b, label, strlen(label));
}

/* BLAKE2b-256 of a byte string. */
static void
blake(uint8_t out[32], const struct bytes *b)
{
	crypto_generichash(out, 32, b->p, b->n, NULL, 0);
}

/* T = BLAKE2b-256("consort-shs-1" || netkey || client eph || server eph || shared). */
static void
ref_transcript(uint8_t t[32], const uint8_t *nk, const uint8_t *ceph,
    const uint8_t *seph, const uint8_t *shared)
{
	struct bytes b = { .n = 0 };

	put_label(&b, "consort-shs-1");
	put(&b, nk, 32);
	put(&b, ceph, 32);
	put(&b, seph, 32);
	put(&b, shared, 32);
	blake(t, &b);
}

/* BLAKE2b-256(label || t). */
static void
ref_key(uint8_t key[32], const char *label, const uint8_t t[32])
{
	struct bytes b = { .n = 0 };

	put_label(&b, label);
	put(&b, t, 32);
	blake(key, &b);
}

/* Boxes pk || sig under BLAKE2b-256(label || t) with the zero nonce. */
static void
ref_box(uint8_t out[SHS_AUTH_BYTES], const char *label, const uint8_t t[32],
    const uint8_t pk[32], const uint8_t sig[64])
{
	uint8_t nonce[crypto_secretbox_NONCEBYTES] = { 0 };
	uint8_t key[32], plain[96];

	ref_key(key, label, t);
	memcpy(plain, pk, 32);
	memcpy(plain + 32, sig, 64);
	assert_int_equal(crypto_secretbox_easy(out, plain, 96, nonce, key), 0);
}

/* Opens a boxed auth into pk || sig; returns whether it opened. */
static bool
ref_unbox(uint8_t plain[96], const char *label, const uint8_t t[32],
    const uint8_t in[SHS_AUTH_BYTES])
{
	uint8_t nonce[crypto_secretbox_NONCEBYTES] = { 0 };
	uint8_t key[32];

	ref_key(key, label, t);
	return crypto_secretbox_open_easy(plain, in, SHS_AUTH_BYTES, nonce,
	    key) == 0;
}

/* sig_c: the client's signature over "consort-shs-1 client" || T. */
static void
ref_sig_c(uint8_t sig[64], const uint8_t t[32], const uint8_t sk[64])
{
	struct bytes b = { .n = 0 };

	put_label(&b, "consort-shs-1 client");
	put(&b, t, 32);
	crypto_sign_detached(sig, NULL, b.p, b.n, sk);
}

/* sig_s: the server's signature over "consort-shs-1 server" || T || sig_c. */
static void
ref_sig_s(uint8_t sig[64], const uint8_t t[32], const uint8_t sig_c[64],
    const uint8_t sk[64])
{
	struct bytes b = { .n = 0 };

	put_label(&b, "consort-shs-1 server");
	put(&b, t, 32);
	put(&b, sig_c, 64);
	crypto_sign_detached(sig, NULL, b.p, b.n, sk);
}

/* A stream key: BLAKE2b-256(label || T || client pk || server pk). */
static void
ref_stream(uint8_t key[32], const char *label, const uint8_t t[32],
    const uint8_t *cpk, const uint8_t *spk)
{
	struct bytes b = { .n = 0 };

	put_label(&b, label);
	put(&b, t, 32);
	put(&b, cpk, 32);
	put(&b, spk, 32);
	blake(key, &b);
}

/* The transcript of a side whose hellos are both read. */
static void
side_transcript(const struct shs *h, uint8_t t[32])
{
	if (h->role == SHS_CLIENT)
		ref_transcript(t, h->netkey, h->eph_pk, h->peer_eph, h->shared);
	else
		ref_transcript(t, h->netkey, h->peer_eph, h->eph_pk, h->shared);
}

/* ---- tests ---- */

/* A full handshake: crossed keys, each side knows the other's key. */
static void
test_handshake(void **state)
{
	struct shs c, s;
	struct wire w;
	uint8_t zero[32] = { 0 };

	(void)state;
	run(&c, &s, &w, UPTO_DONE);
	assert_memory_equal(c.peer_pk, bob.pk, 32);
	assert_memory_equal(s.peer_pk, alice.pk, 32);
	assert_memory_equal(c.tx_key, s.rx_key, sizeof(c.tx_key));
	assert_memory_equal(c.rx_key, s.tx_key, sizeof(c.rx_key));
	assert_memory_not_equal(c.tx_key, c.rx_key, sizeof(c.tx_key));
	assert_memory_not_equal(c.tx_key, zero, 32);
	/* Done: the secrets no longer needed are gone. */
	assert_true(sodium_is_zero(c.eph_sk, 32) && sodium_is_zero(s.eph_sk, 32));
	assert_true(sodium_is_zero(c.shared, 32) && sodium_is_zero(s.shared, 32));
	assert_true(sodium_is_zero(c.sk, 64) && sodium_is_zero(s.sk, 64));
	assert_true(sodium_is_zero(c.netkey, 32) && sodium_is_zero(s.netkey, 32));
	shs_wipe(&c);
	shs_wipe(&s);
}

/* Two handshakes between the same keys give different stream keys. */
static void
test_fresh_keys(void **state)
{
	struct shs c1, s1, c2, s2;
	struct wire w;

	(void)state;
	run(&c1, &s1, &w, UPTO_DONE);
	run(&c2, &s2, &w, UPTO_DONE);
	assert_memory_not_equal(c1.tx_key, c2.tx_key, sizeof(c1.tx_key));
	assert_memory_not_equal(c1.rx_key, c2.rx_key, sizeof(c1.rx_key));
}

/* Every byte sent and every key made is the one protocol.md defines. */
static void
test_matches_spec(void **state)
{
	struct shs c, s, c0, s0;
	struct wire w;
	uint8_t t[32], ts[32], shared[32], sig_c[64], sig_s[64];
	uint8_t box[SHS_AUTH_BYTES], mac[32], key[32];

	(void)state;
	run(&c, &s, &w, UPTO_HELLOS);
	c0 = c;
	s0 = s;
	assert_ok(shs_auth(&c, w.auth_c));
	assert_ok(shs_read_auth(&s, w.auth_c));
	assert_ok(shs_auth(&s, w.auth_s));
	assert_ok(shs_read_auth(&c, w.auth_s));

	/* hello = HMAC-SHA512-256(netkey, eph_pk) || eph_pk */
	crypto_auth_hmacsha512256(mac, c0.eph_pk, 32, netkey);
	assert_memory_equal(w.hello_c, mac, 32);
	assert_memory_equal(w.hello_c + 32, c0.eph_pk, 32);
	crypto_auth_hmacsha512256(mac, s0.eph_pk, 32, netkey);
	assert_memory_equal(w.hello_s, mac, 32);
	assert_memory_equal(w.hello_s + 32, s0.eph_pk, 32);

	/* shared = X25519(eph_sk, peer eph), the same on both sides */
	assert_int_equal(crypto_scalarmult_curve25519(shared, c0.eph_sk,
	    s0.eph_pk), 0);
	assert_memory_equal(c0.shared, shared, 32);
	assert_memory_equal(s0.shared, shared, 32);
	side_transcript(&c0, t);
	side_transcript(&s0, ts);
	assert_memory_equal(t, ts, 32);

	/* the two auths, byte for byte (Ed25519 is deterministic) */
	ref_sig_c(sig_c, t, alice.sk);
	ref_box(box, "auth-c", t, alice.pk, sig_c);
	assert_memory_equal(w.auth_c, box, SHS_AUTH_BYTES);
	ref_sig_s(sig_s, t, sig_c, bob.sk);
	ref_box(box, "auth-s", t, bob.pk, sig_s);
	assert_memory_equal(w.auth_s, box, SHS_AUTH_BYTES);

	/* stream keys */
	ref_stream(key, "stream-cs", t, alice.pk, bob.pk);
	assert_memory_equal(c.tx_key, key, 32);
	assert_memory_equal(s.rx_key, key, 32);
	ref_stream(key, "stream-sc", t, alice.pk, bob.pk);
	assert_memory_equal(c.rx_key, key, 32);
	assert_memory_equal(s.tx_key, key, 32);
}

/* A hello made with another network key is refused, both ways. */
static void
test_wrong_netkey(void **state)
{
	struct shs c, s;
	uint8_t hc[SHS_HELLO_BYTES], hs[SHS_HELLO_BYTES];

	(void)state;
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	shs_init(&s, SHS_SERVER, netkey2, bob.pk, bob.sk);
	assert_ok(shs_hello(&c, hc));
	assert_err(shs_read_hello(&s, hc), E(PERM));
	/* A refused handshake takes no further call. */
	assert_err(shs_hello(&s, hs), E(INVAL));
	assert_true(sodium_is_zero((const uint8_t *)&s, sizeof(s)));

	/* The server's hello, read by a client of another network. */
	shs_init(&s, SHS_SERVER, netkey2, bob.pk, bob.sk);
	shs_init(&c, SHS_CLIENT, netkey2, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hc));
	assert_ok(shs_read_hello(&s, hc));
	assert_ok(shs_hello(&s, hs));
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hc));
	assert_err(shs_read_hello(&c, hs), E(PERM));
}

/* Any flipped bit of a hello is refused, by either side. */
static void
test_tampered_hello(void **state)
{
	struct shs c, s, c0, s0;
	uint8_t hc[SHS_HELLO_BYTES], hs[SHS_HELLO_BYTES], bad[SHS_HELLO_BYTES];
	size_t i;
	int bit;

	(void)state;
	shs_init(&c0, SHS_CLIENT, netkey, alice.pk, alice.sk);
	shs_init(&s0, SHS_SERVER, netkey, bob.pk, bob.sk);
	assert_ok(shs_hello(&c0, hc));
	s = s0;
	assert_ok(shs_read_hello(&s, hc));
	assert_ok(shs_hello(&s, hs));
	for (i = 0; i < SHS_HELLO_BYTES; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, hc, sizeof(bad));
			bad[i] ^= (uint8_t)(1u << bit);
			s = s0;
			if (shs_read_hello(&s, bad) != E(PERM))
				fail_msg("client hello, byte %zu bit %d accepted",
				    i, bit);
			memcpy(bad, hs, sizeof(bad));
			bad[i] ^= (uint8_t)(1u << bit);
			c = c0;
			if (shs_read_hello(&c, bad) != E(PERM))
				fail_msg("server hello, byte %zu bit %d accepted",
				    i, bit);
		}
	/* The untouched hellos still pass. */
	s = s0;
	assert_ok(shs_read_hello(&s, hc));
	c = c0;
	assert_ok(shs_read_hello(&c, hs));
}

/* A hello carrying a low-order point, or our own hello reflected, is refused. */
static void
test_bad_ephemeral(void **state)
{
	/* Points of order 1 and 8 on Curve25519 (their X25519 product is 0). */
	static const uint8_t low[][32] = {
		{ 0 },
		{ 1 },
		{ 0xe0, 0xeb, 0x7a, 0x7c, 0x3b, 0x41, 0xb8, 0xae, 0x16, 0x56,
		  0xe3, 0xfa, 0xf1, 0x9f, 0xc4, 0x6a, 0xda, 0x09, 0x8d, 0xeb,
		  0x9c, 0x32, 0xb1, 0xfd, 0x86, 0x62, 0x05, 0x16, 0x5f, 0x49,
		  0xb8, 0x00 },
	};
	struct shs c, s;
	uint8_t hello[SHS_HELLO_BYTES];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(low); i++) {
		crypto_auth(hello, low[i], 32, netkey);
		memcpy(hello + 32, low[i], 32);
		shs_init(&s, SHS_SERVER, netkey, bob.pk, bob.sk);
		if (shs_read_hello(&s, hello) != E(PERM))
			fail_msg("low-order point %zu accepted", i);
	}
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hello));
	assert_err(shs_read_hello(&c, hello), E(PERM));
}

/* Any flipped bit of an auth is refused, by either side. */
static void
test_tampered_auth(void **state)
{
	struct shs c, s, c0, s0;
	struct wire w;
	uint8_t bad[SHS_AUTH_BYTES];
	size_t i;
	int bit;

	(void)state;
	run(&c0, &s0, &w, UPTO_AUTH_C);
	for (i = 0; i < SHS_AUTH_BYTES; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, w.auth_c, sizeof(bad));
			bad[i] ^= (uint8_t)(1u << bit);
			s = s0;
			if (shs_read_auth(&s, bad) != E(PERM))
				fail_msg("client auth, byte %zu bit %d accepted",
				    i, bit);
		}
	s = s0;
	assert_ok(shs_read_auth(&s, w.auth_c));
	assert_ok(shs_auth(&s, w.auth_s));
	for (i = 0; i < SHS_AUTH_BYTES; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad, w.auth_s, sizeof(bad));
			bad[i] ^= (uint8_t)(1u << bit);
			c = c0;
			if (shs_read_auth(&c, bad) != E(PERM))
				fail_msg("server auth, byte %zu bit %d accepted",
				    i, bit);
		}
	c = c0;
	assert_ok(shs_read_auth(&c, w.auth_s));
	assert_memory_equal(c.peer_pk, bob.pk, 32);
}

/*
 * A well-boxed auth whose signature is not by the key inside it, or not
 * over the right message, is refused.
 */
static void
test_auth_wrong_signer(void **state)
{
	struct shs c, s, c0, s0;
	struct wire w;
	uint8_t t[32], sig[64], sig_c[64], box[SHS_AUTH_BYTES];
	uint8_t t_other[32];

	(void)state;
	run(&c0, &s0, &w, UPTO_AUTH_C);
	side_transcript(&s0, t);

	/* The client's box is opened with the reference code. */
	ref_sig_c(sig_c, t, alice.sk);
	ref_box(box, "auth-c", t, alice.pk, sig_c);
	assert_memory_equal(box, w.auth_c, SHS_AUTH_BYTES);

	/* alice's key, mallory's signature */
	ref_sig_c(sig, t, mallory.sk);
	ref_box(box, "auth-c", t, alice.pk, sig);
	s = s0;
	assert_err(shs_read_auth(&s, box), E(PERM));
	/* alice's signature, mallory's key */
	ref_box(box, "auth-c", t, mallory.pk, sig_c);
	s = s0;
	assert_err(shs_read_auth(&s, box), E(PERM));
	/* mallory's key and signature: a valid, other identity */
	ref_box(box, "auth-c", t, mallory.pk, sig);
	s = s0;
	assert_ok(shs_read_auth(&s, box));
	assert_memory_equal(s.peer_pk, mallory.pk, 32);
	/* alice's signature under the server's label */
	ref_sig_s(sig, t, sig_c, alice.sk);
	ref_box(box, "auth-c", t, alice.pk, sig);
	s = s0;
	assert_err(shs_read_auth(&s, box), E(PERM));
	/* alice's auth boxed under the server's auth key */
	ref_box(box, "auth-s", t, alice.pk, sig_c);
	s = s0;
	assert_err(shs_read_auth(&s, box), E(PERM));
	/* alice's signature over another transcript */
	memcpy(t_other, t, 32);
	t_other[0] ^= 1;
	ref_sig_c(sig, t_other, alice.sk);
	ref_box(box, "auth-c", t, alice.pk, sig);
	s = s0;
	assert_err(shs_read_auth(&s, box), E(PERM));

	/* The server's side: its signature must cover sig_c. */
	s = s0;
	assert_ok(shs_read_auth(&s, w.auth_c));
	assert_ok(shs_auth(&s, w.auth_s));
	c = c0;
	assert_ok(shs_read_auth(&c, w.auth_s));
	{
		struct bytes b = { .n = 0 };

		put_label(&b, "consort-shs-1 server");
		put(&b, t, 32);
		crypto_sign_detached(sig, NULL, b.p, b.n, bob.sk);
	}
	ref_box(box, "auth-s", t, bob.pk, sig);
	c = c0;
	assert_err(shs_read_auth(&c, box), E(PERM));
	/* bob's key, mallory's signature over the right message */
	ref_sig_s(sig, t, sig_c, mallory.sk);
	ref_box(box, "auth-s", t, bob.pk, sig);
	c = c0;
	assert_err(shs_read_auth(&c, box), E(PERM));
	/* the client's own auth sent back */
	c = c0;
	assert_err(shs_read_auth(&c, w.auth_c), E(PERM));
}

/* The calls each role may not make at each step. */
static void
check_refused_except(struct shs *h, int allowed)
{
	uint8_t hello[SHS_HELLO_BYTES] = { 0 }, auth[SHS_AUTH_BYTES] = { 0 };
	struct shs before = *h;

	if (allowed != 0)
		assert_err(shs_hello(h, hello), E(INVAL));
	if (allowed != 1)
		assert_err(shs_read_hello(h, hello), E(INVAL));
	if (allowed != 2)
		assert_err(shs_auth(h, auth), E(INVAL));
	if (allowed != 3)
		assert_err(shs_read_auth(h, auth), E(INVAL));
	/* A refused call leaves the handshake as it was. */
	assert_memory_equal(&before, h, sizeof(before));
}

/* Calls out of turn return E(INVAL), at every step of both roles. */
static void
test_out_of_order(void **state)
{
	struct shs c, s, z;
	struct wire w;

	(void)state;
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	shs_init(&s, SHS_SERVER, netkey, bob.pk, bob.sk);
	check_refused_except(&c, 0);
	assert_ok(shs_hello(&c, w.hello_c));
	check_refused_except(&c, 1);
	check_refused_except(&s, 1);
	assert_ok(shs_read_hello(&s, w.hello_c));
	check_refused_except(&s, 0);
	assert_ok(shs_hello(&s, w.hello_s));
	check_refused_except(&s, 3);
	assert_ok(shs_read_hello(&c, w.hello_s));
	check_refused_except(&c, 2);
	assert_ok(shs_auth(&c, w.auth_c));
	check_refused_except(&c, 3);
	/* The server signs only after reading the client's auth. */
	assert_ok(shs_read_auth(&s, w.auth_c));
	check_refused_except(&s, 2);
	assert_ok(shs_auth(&s, w.auth_s));
	check_refused_except(&s, -1);
	assert_ok(shs_read_auth(&c, w.auth_s));
	check_refused_except(&c, -1);

	/* A wiped handshake, a zeroed one, and one with a bad role. */
	shs_wipe(&c);
	assert_true(sodium_is_zero((const uint8_t *)&c, sizeof(c)));
	check_refused_except(&c, -1);
	memset(&z, 0, sizeof(z));
	check_refused_except(&z, -1);
	shs_init(&z, (enum shs_role)7, netkey, alice.pk, alice.sk);
	check_refused_except(&z, -1);
}

/*
 * A man in the middle who knows the network key and relays with his own
 * ephemeral keys: he can open the auths meant for him, but a signature binds
 * its transcript, so neither honest side accepts the other's identity.
 */
static void
test_mitm(void **state)
{
	struct shs c, s, mc, ms;  /* mc faces bob as a client, ms faces alice */
	uint8_t hc[SHS_HELLO_BYTES], hs[SHS_HELLO_BYTES];
	uint8_t hmc[SHS_HELLO_BYTES], hms[SHS_HELLO_BYTES];
	uint8_t auth_c[SHS_AUTH_BYTES], auth_mc[SHS_AUTH_BYTES];
	uint8_t auth_s[SHS_AUTH_BYTES], box[SHS_AUTH_BYTES];
	uint8_t t1[32], t2[32], plain[96];
	struct shs s_before;

	(void)state;
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	shs_init(&s, SHS_SERVER, netkey, bob.pk, bob.sk);
	shs_init(&ms, SHS_SERVER, netkey, mallory.pk, mallory.sk);
	shs_init(&mc, SHS_CLIENT, netkey, mallory.pk, mallory.sk);

	/* alice <-> mallory (T1) and mallory <-> bob (T2) */
	assert_ok(shs_hello(&c, hc));
	assert_ok(shs_read_hello(&ms, hc));
	assert_ok(shs_hello(&ms, hms));
	assert_ok(shs_read_hello(&c, hms));
	assert_ok(shs_hello(&mc, hmc));
	assert_ok(shs_read_hello(&s, hmc));
	assert_ok(shs_hello(&s, hs));
	assert_ok(shs_read_hello(&mc, hs));
	side_transcript(&ms, t1);
	side_transcript(&mc, t2);
	assert_memory_not_equal(t1, t2, 32);

	/* alice's auth reaches mallory, who can open it. */
	assert_ok(shs_auth(&c, auth_c));
	assert_true(ref_unbox(plain, "auth-c", t1, auth_c));
	assert_memory_equal(plain, alice.pk, 32);
	s_before = s;
	/* Relayed as is, bob cannot open it. */
	assert_err(shs_read_auth(&s, auth_c), E(PERM));
	/* Re-boxed for T2, alice's signature does not hold. */
	s = s_before;
	ref_box(box, "auth-c", t2, plain, plain + 32);
	assert_err(shs_read_auth(&s, box), E(PERM));

	/* Toward alice: mallory gets bob's auth by showing his own key. */
	s = s_before;
	assert_ok(shs_auth(&mc, auth_mc));
	assert_ok(shs_read_auth(&s, auth_mc));
	assert_memory_equal(s.peer_pk, mallory.pk, 32);
	assert_ok(shs_auth(&s, auth_s));
	assert_true(ref_unbox(plain, "auth-s", t2, auth_s));
	assert_memory_equal(plain, bob.pk, 32);
	/* Relayed as is, or re-boxed for T1, alice refuses it. */
	{
		struct shs c_before = c;

		assert_err(shs_read_auth(&c, auth_s), E(PERM));
		c = c_before;
		ref_box(box, "auth-s", t1, plain, plain + 32);
		assert_err(shs_read_auth(&c, box), E(PERM));
	}
}

/* Asserts that len bytes equal the hex string of the test vector. */
static void
assert_hex(const uint8_t *p, size_t len, const char *hex, const char *what)
{
	uint8_t want[128];

	assert_true(len <= sizeof(want));
	assert_ok(util_unhex(want, len, hex));
	if (memcmp(p, want, len) != 0)
		fail_msg("%s differs from the test vector", what);
}

/* Sets a handshake's ephemeral secret to 32 bytes of b, as the vector does. */
static void
set_eph(struct shs *h, uint8_t b)
{
	memset(h->eph_sk, b, sizeof(h->eph_sk));
	crypto_scalarmult_base(h->eph_pk, h->eph_sk);
}

/*
 * The test vector of protocol.md, byte for byte: network key 00..1f, the
 * client's Ed25519 seed 32 x 01, the server's 32 x 02, ephemeral secrets
 * 32 x 11 and 32 x 22.  (An independent implementation, Python's hashlib,
 * hmac and cryptography, gives the same bytes.)
 */
static void
test_vector(void **state)
{
	struct ident ci, si;
	struct shs c, s;
	struct wire w;
	uint8_t nk[32];
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(nk); i++)
		nk[i] = (uint8_t)i;
	ident_init(&ci, 1);
	ident_init(&si, 2);
	assert_hex(ci.pk, 32, "8a88e3dd7409f195fd52db2d3cba5d72"
	    "ca6709bf1d94121bf3748801b40f6f5c", "client pk");
	assert_hex(si.pk, 32, "8139770ea87d175f56a35466c34c7ecc"
	    "cb8d8a91b4ee37a25df60f5b8fc9b394", "server pk");
	shs_init(&c, SHS_CLIENT, nk, ci.pk, ci.sk);
	shs_init(&s, SHS_SERVER, nk, si.pk, si.sk);
	set_eph(&c, 0x11);
	set_eph(&s, 0x22);
	assert_ok(shs_hello(&c, w.hello_c));
	assert_hex(w.hello_c, 64, "b0b299821f6ef9101ef10c72519723d0"
	    "7d0a498bc0f904656636f0a2ab31885a7b4e909bbe7ffe44c465a220037d608e"
	    "e35897d31ef972f07f74892cb0f73f13", "client hello");
	assert_ok(shs_read_hello(&s, w.hello_c));
	assert_ok(shs_hello(&s, w.hello_s));
	assert_hex(w.hello_s, 64, "bac79c5467f2ec1381e06d42360f0f4a"
	    "942ef4523b2979ea2116693ff83054d60faa684ed28867b97f4a6a2dee5df8ce"
	    "974e76b7018e3f22a1c4cf2678570f20", "server hello");
	assert_ok(shs_read_hello(&c, w.hello_s));
	assert_hex(c.shared, 32, "9e004098efc091d4ec2663b4e9f5cfd4"
	    "d7064571690b4bea97ab146ab9f35056", "shared");
	assert_ok(shs_auth(&c, w.auth_c));
	assert_hex(c.client_sig, 64, "03f92fcdf68ec74597bef85a795310b4"
	    "7724e5946740bd016f39323c37bf0483feb2c253d2310b1317dac4140c6d6a3d"
	    "f734595aacbc5a8ce42b77fd8ce0d60e", "sig_c");
	assert_hex(w.auth_c, 112, "0c4308c104afc51fbe67d6549872c681"
	    "8aae6651b52e9c06bca16c13fd90ead5b64a6306af9d6aabfc541d12c076b233"
	    "66e93d5a64bb69d61d7fda12571df6397e792de2841501678723c296e2201f0f"
	    "0f22667fd182c05879ac99c68bf4dbd3eace2e9590a123ef760ebe7d404dca3e",
	    "client auth");
	assert_ok(shs_read_auth(&s, w.auth_c));
	assert_ok(shs_auth(&s, w.auth_s));
	assert_hex(w.auth_s, 112, "5d25cb38d946b3bc34b5b32898afdb57"
	    "619e2152465a47ab7da49c7c8e25d713df694bd20de4374ea21f3aad5f3f254d"
	    "2b705d257aa0f14e414227fd3ea904459d027c9a97f1d18552bd56862d503fb5"
	    "6d5d8fb2a14a9ae5564cd9895b779bf85b75422481919805d3f77e2b007945c9",
	    "server auth");
	assert_ok(shs_read_auth(&c, w.auth_s));
	assert_hex(c.tx_key, 32, "323792c54bff3093a20701aa60a9a43f"
	    "828766a67fc81b376f21801cee91706b", "k_cs");
	assert_hex(c.rx_key, 32, "cfd654231364e73d3971368a52733c80"
	    "7a76e42a43979eaf4e5ccbdebf047487", "k_sc");
	assert_memory_equal(s.rx_key, c.tx_key, 32);
	assert_memory_equal(s.tx_key, c.rx_key, 32);
}

/* The stream keys of a handshake carry frames both ways. */
static void
test_keys_carry_frames(void **state)
{
	struct shs c, s;
	struct wire w;
	struct fstream ctx, srx, stx, crx;
	uint8_t hdr1[STREAM_HEADER_BYTES], hdr2[STREAM_HEADER_BYTES];
	uint8_t out[64], plain[64];
	size_t outlen, len, plen;
	bool final;

	(void)state;
	run(&c, &s, &w, UPTO_DONE);
	fstream_init_push(&ctx, c.tx_key, hdr1);
	assert_ok(fstream_init_pull(&srx, s.rx_key, hdr1));
	fstream_init_push(&stx, s.tx_key, hdr2);
	assert_ok(fstream_init_pull(&crx, c.rx_key, hdr2));

	assert_ok(fstream_seal(&ctx, (const uint8_t *)"ping", 4, false, out,
	    &outlen));
	assert_ok(frame_length(out, &len));
	assert_ok(fstream_open(&srx, out + 4, len, plain, &plen, &final));
	assert_int_equal(plen, 4);
	assert_memory_equal(plain, "ping", 4);
	assert_ok(fstream_seal(&stx, (const uint8_t *)"pong", 4, true, out,
	    &outlen));
	assert_ok(frame_length(out, &len));
	assert_ok(fstream_open(&crx, out + 4, len, plain, &plen, &final));
	assert_true(final);
	assert_memory_equal(plain, "pong", 4);

	/* A key of one direction does not open the other. */
	fstream_init_push(&stx, s.tx_key, hdr2);
	assert_ok(fstream_init_pull(&crx, c.tx_key, hdr2));
	assert_ok(fstream_seal(&stx, (const uint8_t *)"pong", 4, false, out,
	    &outlen));
	assert_err(fstream_open(&crx, out + 4, outlen - 4, plain, &plen,
	    &final), E(SIGNATURE));
	shs_wipe(&c);
	shs_wipe(&s);
}

/*
 * A server's refusal in place of its hello: a client holding the network
 * key reads it as such, with its reason; not under another network key,
 * and a real hello is not one (nor a refusal a hello).  The vector of
 * protocol.md ("Busy"): network key 00..1f, reason 1, then 31 x 44.
 */
static void
test_busy(void **state)
{
	uint8_t msg[SHS_HELLO_BYTES], hello[SHS_HELLO_BYTES], nk[32], reason = 0;
	struct shs c, s;
	size_t i;

	(void)state;
	shs_busy(netkey, SHS_BUSY_ADDRESS, msg);
	shs_init(&c, SHS_CLIENT, netkey, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hello));
	assert_true(shs_read_busy(&c, msg, &reason));
	assert_int_equal(reason, SHS_BUSY_ADDRESS);
	msg[40] ^= 1;
	assert_false(shs_read_busy(&c, msg, &reason));
	msg[40] ^= 1;
	/* a server's real hello is no refusal; a refusal is no hello */
	shs_init(&s, SHS_SERVER, netkey, bob.pk, bob.sk);
	assert_ok(shs_read_hello(&s, hello));
	assert_ok(shs_hello(&s, hello));
	assert_false(shs_read_busy(&c, hello, &reason));
	assert_err(shs_read_hello(&c, msg), E(PERM));
	/* under another network key, or to a server, it is nothing */
	shs_init(&c, SHS_CLIENT, netkey2, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hello));
	assert_false(shs_read_busy(&c, msg, &reason));
	assert_false(shs_read_busy(&s, msg, &reason));
	/* the vector */
	for (i = 0; i < sizeof(nk); i++)
		nk[i] = (uint8_t)i;
	shs_init(&c, SHS_CLIENT, nk, alice.pk, alice.sk);
	assert_ok(shs_hello(&c, hello));
	assert_ok(util_unhex(msg, sizeof(msg), "7e158f87fba7c4e18ee7115ba728536a"
	    "216bb1d5b467627a5f54eef6b7cfa184014444444444444444444444444444444"
	    "4444444444444444444444444444444"));
	assert_true(shs_read_busy(&c, msg, &reason));
	assert_int_equal(reason, SHS_BUSY_ALL);
	shs_wipe(&c);
	shs_wipe(&s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_handshake),
		cmocka_unit_test(test_fresh_keys),
		cmocka_unit_test(test_matches_spec),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_wrong_netkey),
		cmocka_unit_test(test_tampered_hello),
		cmocka_unit_test(test_bad_ephemeral),
		cmocka_unit_test(test_tampered_auth),
		cmocka_unit_test(test_auth_wrong_signer),
		cmocka_unit_test(test_out_of_order),
		cmocka_unit_test(test_mitm),
		cmocka_unit_test(test_keys_carry_frames),
		cmocka_unit_test(test_busy),
	};

	return cmocka_run_group_tests_name("shs", tests, setup, NULL);
}
