/*
 * The secret handshake (schema/protocol.md, "Handshake"): hellos
 * authenticated with the network key, an ephemeral X25519 exchange, then
 * each side's Ed25519 key and its signature over the transcript, boxed
 * under a key only the two ephemeral key holders can derive.  libsodium
 * primitives only; every secret derived on the stack is wiped before return.
 */
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "transport.h"

/* Labels, without a terminating NUL (protocol.md, "Labels"). */
#define LABEL_TRANSCRIPT "consort-shs-1"
#define LABEL_SIG_CLIENT "consort-shs-1 client"
#define LABEL_SIG_SERVER "consort-shs-1 server"
#define LABEL_AUTH_CLIENT "auth-c"
#define LABEL_AUTH_SERVER "auth-s"
#define LABEL_STREAM_CS "stream-cs"
#define LABEL_STREAM_SC "stream-sc"
#define LABEL_BUSY "consort-shs-1 busy"

#define LABEL_LEN(s) (sizeof(s) - 1)
#define HASH_BYTES 32
#define SIG_MSG_MAX (LABEL_LEN(LABEL_SIG_SERVER) + HASH_BYTES + 64)

/* The four calls of a handshake, in the order they may be made. */
enum shs_call { CALL_HELLO, CALL_READ_HELLO, CALL_AUTH, CALL_READ_AUTH };

/*
 * step is 0 for a handshake not started, wiped or failed, so that none of
 * its calls does anything; 1 to 4 name the next call; 5 is done.
 */
#define STEP_NONE 0
#define STEP_FIRST 1
#define STEP_DONE 5

static const enum shs_call call_order[2][4] = {
	[SHS_CLIENT] = { CALL_HELLO, CALL_READ_HELLO, CALL_AUTH, CALL_READ_AUTH },
	[SHS_SERVER] = { CALL_READ_HELLO, CALL_HELLO, CALL_READ_AUTH, CALL_AUTH },
};

/* Returns whether call is the one this handshake expects next. */
static bool
expects(const struct shs *h, enum shs_call call)
{
	if (h->step < STEP_FIRST || h->step >= STEP_DONE)
		return false;
	if (h->role != SHS_CLIENT && h->role != SHS_SERVER)
		return false;
	return call_order[h->role][h->step - STEP_FIRST] == call;
}

/* Ends a handshake on a refusal: its secrets are wiped and it takes no call. */
static int
fail(struct shs *h, int err)
{
	shs_wipe(h);
	return err;
}

/* BLAKE2b-256 of label || a || b || c || d (NULL parts are skipped). */
static void
derive(uint8_t out[HASH_BYTES], const char *label, const uint8_t *a,
    size_t alen, const uint8_t *b, size_t blen, const uint8_t *c, size_t clen)
{
	crypto_generichash_state st;

	crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)label, strlen(label));
	if (a != NULL)
		crypto_generichash_update(&st, a, alen);
	if (b != NULL)
		crypto_generichash_update(&st, b, blen);
	if (c != NULL)
		crypto_generichash_update(&st, c, clen);
	crypto_generichash_final(&st, out, HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/* The transcript hash T: label, network key, both ephemerals, shared secret. */
static void
transcript(const struct shs *h, uint8_t t[HASH_BYTES])
{
	crypto_generichash_state st;
	const uint8_t *ceph, *seph;

	ceph = h->role == SHS_CLIENT ? h->eph_pk : h->peer_eph;
	seph = h->role == SHS_CLIENT ? h->peer_eph : h->eph_pk;
	crypto_generichash_init(&st, NULL, 0, HASH_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)LABEL_TRANSCRIPT,
	    LABEL_LEN(LABEL_TRANSCRIPT));
	crypto_generichash_update(&st, h->netkey, SHS_NETKEY_BYTES);
	crypto_generichash_update(&st, ceph, 32);
	crypto_generichash_update(&st, seph, 32);
	crypto_generichash_update(&st, h->shared, sizeof(h->shared));
	crypto_generichash_final(&st, t, HASH_BYTES);
	sodium_memzero(&st, sizeof(st));
}

/*
 * Builds the message a side signs: its role's label, T and, for the server,
 * the client's signature.  Returns its length.
 */
static size_t
sig_message(uint8_t msg[SIG_MSG_MAX], enum shs_role signer,
    const uint8_t t[HASH_BYTES], const uint8_t client_sig[64])
{
	const char *label;
	size_t n;

	label = signer == SHS_CLIENT ? LABEL_SIG_CLIENT : LABEL_SIG_SERVER;
	n = strlen(label);
	memcpy(msg, label, n);
	memcpy(msg + n, t, HASH_BYTES);
	n += HASH_BYTES;
	if (signer == SHS_SERVER) {
		memcpy(msg + n, client_sig, 64);
		n += 64;
	}
	return n;
}

/* Sets tx_key and rx_key once both long-term keys are known. */
static void
stream_keys(struct shs *h, const uint8_t t[HASH_BYTES])
{
	const uint8_t *cpk, *spk;
	uint8_t *kcs, *ksc;

	cpk = h->role == SHS_CLIENT ? h->pk : h->peer_pk;
	spk = h->role == SHS_CLIENT ? h->peer_pk : h->pk;
	kcs = h->role == SHS_CLIENT ? h->tx_key : h->rx_key;
	ksc = h->role == SHS_CLIENT ? h->rx_key : h->tx_key;
	derive(kcs, LABEL_STREAM_CS, t, HASH_BYTES, cpk, 32, spk, 32);
	derive(ksc, LABEL_STREAM_SC, t, HASH_BYTES, cpk, 32, spk, 32);
}

/*
 * Counts one call done; once the last is, wipes what the connection no longer
 * needs, the ephemeral secret first (forward secrecy), keeping peer_pk and
 * the stream keys.
 */
static void
advance(struct shs *h)
{
	if (++h->step < STEP_DONE)
		return;
	sodium_memzero(h->eph_sk, sizeof(h->eph_sk));
	sodium_memzero(h->shared, sizeof(h->shared));
	sodium_memzero(h->sk, sizeof(h->sk));
	sodium_memzero(h->netkey, sizeof(h->netkey));
}

/* Starts a handshake; makes the ephemeral key pair. */
void
shs_init(struct shs *h, enum shs_role role,
    const uint8_t netkey[SHS_NETKEY_BYTES], const uint8_t pk[32],
    const uint8_t sk[64])
{
	memset(h, 0, sizeof(*h));
	if (role != SHS_CLIENT && role != SHS_SERVER)
		return;
	h->role = role;
	memcpy(h->netkey, netkey, SHS_NETKEY_BYTES);
	memcpy(h->pk, pk, sizeof(h->pk));
	memcpy(h->sk, sk, sizeof(h->sk));
	randombytes_buf(h->eph_sk, sizeof(h->eph_sk));
	crypto_scalarmult_base(h->eph_pk, h->eph_sk);
	h->step = STEP_FIRST;
}

/* Writes this side's hello: HMAC-SHA512-256(netkey, eph_pk) || eph_pk. */
int
shs_hello(struct shs *h, uint8_t out[SHS_HELLO_BYTES])
{
	if (!expects(h, CALL_HELLO))
		return E(INVAL);
	crypto_auth(out, h->eph_pk, sizeof(h->eph_pk), h->netkey);
	memcpy(out + crypto_auth_BYTES, h->eph_pk, sizeof(h->eph_pk));
	advance(h);
	return 0;
}

/* Checks the peer's hello against the network key and makes the shared secret. */
int
shs_read_hello(struct shs *h, const uint8_t in[SHS_HELLO_BYTES])
{
	const uint8_t *eph = in + crypto_auth_BYTES;

	if (!expects(h, CALL_READ_HELLO))
		return E(INVAL);
	if (crypto_auth_verify(in, eph, 32, h->netkey) != 0)
		return fail(h, E(PERM));
	/* Our own hello sent back: a reflection, never a peer. */
	if (sodium_memcmp(eph, h->eph_pk, 32) == 0)
		return fail(h, E(PERM));
	memcpy(h->peer_eph, eph, 32);
	/* A low-order point gives a secret any eavesdropper knows. */
	if (crypto_scalarmult(h->shared, h->eph_sk, h->peer_eph) != 0 ||
	    sodium_is_zero(h->shared, sizeof(h->shared)))
		return fail(h, E(PERM));
	advance(h);
	return 0;
}

/* Boxes this side's key and signature under its auth key (zero nonce). */
int
shs_auth(struct shs *h, uint8_t out[SHS_AUTH_BYTES])
{
	static const uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t t[HASH_BYTES], key[crypto_secretbox_KEYBYTES];
	uint8_t msg[SIG_MSG_MAX], plain[32 + 64];
	size_t mlen;

	if (!expects(h, CALL_AUTH))
		return E(INVAL);
	transcript(h, t);
	mlen = sig_message(msg, h->role, t, h->client_sig);
	memcpy(plain, h->pk, 32);
	crypto_sign_detached(plain + 32, NULL, msg, mlen, h->sk);
	if (h->role == SHS_CLIENT)
		memcpy(h->client_sig, plain + 32, 64);
	derive(key, h->role == SHS_CLIENT ? LABEL_AUTH_CLIENT :
	    LABEL_AUTH_SERVER, t, HASH_BYTES, NULL, 0, NULL, 0);
	crypto_secretbox_easy(out, plain, sizeof(plain), nonce, key);
	if (h->role == SHS_SERVER)
		stream_keys(h, t);
	sodium_memzero(key, sizeof(key));
	sodium_memzero(t, sizeof(t));
	sodium_memzero(msg, sizeof(msg));
	sodium_memzero(plain, sizeof(plain));
	advance(h);
	return 0;
}

/* Opens the peer's auth and checks its signature over the transcript. */
int
shs_read_auth(struct shs *h, const uint8_t in[SHS_AUTH_BYTES])
{
	static const uint8_t nonce[crypto_secretbox_NONCEBYTES];
	uint8_t t[HASH_BYTES], key[crypto_secretbox_KEYBYTES];
	uint8_t msg[SIG_MSG_MAX], plain[32 + 64];
	enum shs_role peer;
	size_t mlen;
	int rc = E(PERM);

	if (!expects(h, CALL_READ_AUTH))
		return E(INVAL);
	peer = h->role == SHS_CLIENT ? SHS_SERVER : SHS_CLIENT;
	transcript(h, t);
	derive(key, peer == SHS_CLIENT ? LABEL_AUTH_CLIENT : LABEL_AUTH_SERVER,
	    t, HASH_BYTES, NULL, 0, NULL, 0);
	if (crypto_secretbox_open_easy(plain, in, SHS_AUTH_BYTES, nonce,
	    key) != 0)
		goto out;
	mlen = sig_message(msg, peer, t, h->client_sig);
	if (crypto_sign_verify_detached(plain + 32, msg, mlen, plain) != 0)
		goto out;
	memcpy(h->peer_pk, plain, 32);
	if (peer == SHS_CLIENT)
		memcpy(h->client_sig, plain + 32, 64);
	else
		stream_keys(h, t);
	advance(h);
	rc = 0;
out:
	sodium_memzero(key, sizeof(key));
	sodium_memzero(t, sizeof(t));
	sodium_memzero(msg, sizeof(msg));
	sodium_memzero(plain, sizeof(plain));
	return rc == 0 ? 0 : fail(h, rc);
}

/* Wipes the handshake's secrets. */
void
shs_wipe(struct shs *h)
{
	sodium_memzero(h, sizeof(*h));
}

/* HMAC-SHA512-256(netkey, "consort-shs-1 busy" || body(32)). */
static void
busy_tag(const uint8_t netkey[SHS_NETKEY_BYTES], const uint8_t body[32],
    uint8_t tag[crypto_auth_BYTES])
{
	crypto_auth_hmacsha512256_state st;

	crypto_auth_hmacsha512256_init(&st, netkey, SHS_NETKEY_BYTES);
	crypto_auth_hmacsha512256_update(&st, (const uint8_t *)LABEL_BUSY,
	    LABEL_LEN(LABEL_BUSY));
	crypto_auth_hmacsha512256_update(&st, body, 32);
	crypto_auth_hmacsha512256_final(&st, tag);
	sodium_memzero(&st, sizeof(st));
}

/* Writes a refusal: tag || reason || 31 random bytes. */
void
shs_busy(const uint8_t netkey[SHS_NETKEY_BYTES], uint8_t reason,
    uint8_t out[SHS_HELLO_BYTES])
{
	uint8_t *body = out + crypto_auth_BYTES;

	body[0] = reason;
	randombytes_buf(body + 1, 31);
	busy_tag(netkey, body, out);
}

/* Checks 64 bytes read in place of the server's hello as a refusal. */
bool
shs_read_busy(const struct shs *h, const uint8_t in[SHS_HELLO_BYTES],
    uint8_t *reason)
{
	uint8_t tag[crypto_auth_BYTES];
	bool ok;

	if (h->role != SHS_CLIENT || !expects(h, CALL_READ_HELLO))
		return false;
	busy_tag(h->netkey, in + crypto_auth_BYTES, tag);
	ok = crypto_verify_32(tag, in) == 0;
	sodium_memzero(tag, sizeof(tag));
	if (ok)
		*reason = in[crypto_auth_BYTES];
	return ok;
}
