/*
 * The transport of consort's sync: a handshake in the pattern of Secure
 * Scuttlebutt's secret handshake, then length-prefixed frames encrypted
 * with one crypto_secretstream per direction.  Everything here is pure
 * (no sockets, no event loop): sync/conn.c drives it over libuv, and a
 * bundle file uses the frame layer alone.  Message by message, with sizes:
 * schema/protocol.md.
 */
#ifndef CONSORT_SYNC_TRANSPORT_H
#define CONSORT_SYNC_TRANSPORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <sodium.h>

#include "consort/consort.h"

#define SHS_NETKEY_BYTES 32
#define SHS_HELLO_BYTES 64   /* HMAC(netkey, eph_pk) || eph_pk */
#define SHS_AUTH_BYTES (crypto_secretbox_MACBYTES + 32 + 64)  /* 112 */

/* The largest plaintext a frame carries: one change-set and its header. */
#define FRAME_MAX_PLAIN (CONSORT_CS_MAX_BYTES + 4096)
#define FRAME_HEADER_BYTES 4  /* big-endian length of what follows */
#define FRAME_OVERHEAD crypto_secretstream_xchacha20poly1305_ABYTES  /* 17 */
#define FRAME_MAX_WIRE (FRAME_MAX_PLAIN + FRAME_OVERHEAD)
#define STREAM_HEADER_BYTES crypto_secretstream_xchacha20poly1305_HEADERBYTES

enum shs_role { SHS_CLIENT, SHS_SERVER };

/*
 * One side of a handshake.  The client speaks first:
 *   1. client -> server  hello (64)
 *   2. server -> client  hello (64)
 *   3. client -> server  auth (112): the client's key and its signature
 *   4. server -> client  auth (112): the server's key and its signature
 * after which both hold the peer's long-term public key and two stream
 * keys, one per direction.  The client calls shs_hello, shs_read_hello,
 * shs_auth, shs_read_auth; the server shs_read_hello, shs_hello,
 * shs_read_auth, shs_auth.  A call out of turn returns E(INVAL); a refusal
 * wipes the handshake, and every later call returns E(INVAL).  peer_pk is
 * authenticated, not authorised: the caller checks it against the roster.
 * Once done, the handshake keeps peer_pk, tx_key and rx_key (and the public
 * keys) and has wiped sk, netkey, eph_sk and shared; shs_wipe wipes the rest.
 */
struct shs {
	enum shs_role role;
	int step;
	uint8_t netkey[SHS_NETKEY_BYTES];
	uint8_t pk[32], sk[64];          /* long-term Ed25519 */
	uint8_t eph_pk[32], eph_sk[32];  /* ephemeral X25519 */
	uint8_t peer_eph[32];
	uint8_t peer_pk[32];
	uint8_t shared[32];              /* X25519(eph, peer_eph) */
	uint8_t client_sig[64];          /* kept: the server's signature covers it */
	uint8_t tx_key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
	uint8_t rx_key[crypto_secretstream_xchacha20poly1305_KEYBYTES];
};

/* Starts a handshake; makes the ephemeral key pair. */
void shs_init(struct shs *h, enum shs_role role,
    const uint8_t netkey[SHS_NETKEY_BYTES], const uint8_t pk[32],
    const uint8_t sk[64]);

/* Writes this side's hello (64 bytes); E(INVAL) when called out of turn. */
int shs_hello(struct shs *h, uint8_t out[SHS_HELLO_BYTES]);

/* Reads the peer's hello; E(PERM) if it was not made with the network key. */
int shs_read_hello(struct shs *h, const uint8_t in[SHS_HELLO_BYTES]);

/* Writes this side's auth (after both hellos; the client's comes first). */
int shs_auth(struct shs *h, uint8_t out[SHS_AUTH_BYTES]);

/*
 * Reads the peer's auth: E(PERM) if it does not open or its signature does
 * not hold.  On success peer_pk is the authenticated peer and, once both
 * auths are exchanged, tx_key / rx_key are set.
 */
int shs_read_auth(struct shs *h, const uint8_t in[SHS_AUTH_BYTES]);

/* Wipes the handshake's secrets. */
void shs_wipe(struct shs *h);

/*
 * A server's refusal sent in place of its hello, before any handshake
 * (protocol.md, "Busy"): 64 bytes that only a holder of the network key can
 * make or check.  The reason is SHS_BUSY_ALL or SHS_BUSY_ADDRESS.
 */
#define SHS_BUSY_ALL 1      /* too many connections in their handshake */
#define SHS_BUSY_ADDRESS 2  /* too many from the client's address */

/* Writes a refusal for reason under the network key. */
void shs_busy(const uint8_t netkey[SHS_NETKEY_BYTES], uint8_t reason,
    uint8_t out[SHS_HELLO_BYTES]);

/*
 * Whether the 64 bytes a client read in place of the server's hello are a
 * refusal under its network key (a client handshake before its
 * shs_read_hello); *reason is then the reason byte.
 */
bool shs_read_busy(const struct shs *h, const uint8_t in[SHS_HELLO_BYTES],
    uint8_t *reason);

/* One direction of the encrypted frame stream. */
struct fstream {
	crypto_secretstream_xchacha20poly1305_state st;
	bool ready;
};

/* Starts the sending side; writes the 24-byte stream header to send first. */
void fstream_init_push(struct fstream *f, const uint8_t *key,
    uint8_t header[STREAM_HEADER_BYTES]);

/* Starts the receiving side from the peer's stream header. */
int fstream_init_pull(struct fstream *f, const uint8_t *key,
    const uint8_t header[STREAM_HEADER_BYTES]);

/*
 * Seals one frame: 4-byte length, then the ciphertext of len bytes.  out
 * must hold FRAME_HEADER_BYTES + len + FRAME_OVERHEAD; final marks the
 * stream's last frame.  E(TOOBIG) when len > FRAME_MAX_PLAIN; E(INVAL) on a
 * stream not started or already sealed with a final frame.
 */
int fstream_seal(struct fstream *f, const uint8_t *plain, size_t len,
    bool final, uint8_t *out, size_t *outlen);

/*
 * Reads the length of the next frame from its 4-byte header: the number of
 * bytes that follow.  E(TOOBIG) — before anything is allocated — when it
 * exceeds FRAME_MAX_WIRE; E(TRUNCATED) when shorter than FRAME_OVERHEAD.
 */
int frame_length(const uint8_t header[FRAME_HEADER_BYTES], size_t *len);

/*
 * Opens one frame body of len bytes (what follows the header) into plain
 * (room for len - FRAME_OVERHEAD bytes).  E(SIGNATURE) when it was altered,
 * replayed, reordered or the stream had ended; *final tells the last frame.
 * A refusal ends the stream too (there is no resynchronising): the state is
 * wiped and every later call returns E(SIGNATURE).  The caller wipes a
 * stream it drops early with sodium_memzero.
 */
int fstream_open(struct fstream *f, const uint8_t *body, size_t len,
    uint8_t *plain, size_t *plainlen, bool *final);

#endif
