/*
 * Frames (schema/protocol.md, "Frames"): a 4-byte big-endian length, then
 * one crypto_secretstream_xchacha20poly1305 message.  The stream's own
 * counter makes a replayed, dropped or reordered frame fail to open; its
 * FINAL tag marks the end, so a cut stream is told from a finished one.
 * There is no resynchronising after a bad frame: the receiving side ends.
 */
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "transport.h"

/* Ends one direction: its state is wiped and it opens or seals nothing more. */
static void
end(struct fstream *f)
{
	sodium_memzero(&f->st, sizeof(f->st));
	f->ready = false;
}

/* Starts the sending side; writes the 24-byte stream header to send first. */
void
fstream_init_push(struct fstream *f, const uint8_t *key,
    uint8_t header[STREAM_HEADER_BYTES])
{
	crypto_secretstream_xchacha20poly1305_init_push(&f->st, header, key);
	f->ready = true;
}

/* Starts the receiving side from the peer's stream header. */
int
fstream_init_pull(struct fstream *f, const uint8_t *key,
    const uint8_t header[STREAM_HEADER_BYTES])
{
	f->ready = false;
	if (crypto_secretstream_xchacha20poly1305_init_pull(&f->st, header,
	    key) != 0) {
		end(f);
		return E(SIGNATURE);
	}
	f->ready = true;
	return 0;
}

/* Seals one frame; after a final frame the side seals nothing more. */
int
fstream_seal(struct fstream *f, const uint8_t *plain, size_t len,
    bool final, uint8_t *out, size_t *outlen)
{
	unsigned char tag;
	unsigned long long clen;

	if (!f->ready)
		return E(INVAL);
	if (len > FRAME_MAX_PLAIN)
		return E(TOOBIG);
	tag = final ? crypto_secretstream_xchacha20poly1305_TAG_FINAL :
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
	util_put_be32(out, (uint32_t)(len + FRAME_OVERHEAD));
	if (crypto_secretstream_xchacha20poly1305_push(&f->st,
	    out + FRAME_HEADER_BYTES, &clen, plain, len, NULL, 0, tag) != 0)
		return E(CRYPTO);
	*outlen = FRAME_HEADER_BYTES + (size_t)clen;
	if (final)
		end(f);
	return 0;
}

/* Reads and bounds the length of the next frame, before anything is allocated. */
int
frame_length(const uint8_t header[FRAME_HEADER_BYTES], size_t *len)
{
	uint32_t l = util_get_be32(header);

	if (l > FRAME_MAX_WIRE)
		return E(TOOBIG);
	if (l < FRAME_OVERHEAD)
		return E(TRUNCATED);
	*len = l;
	return 0;
}

/* Opens one frame body; any refusal, or the final frame, ends the stream. */
int
fstream_open(struct fstream *f, const uint8_t *body, size_t len,
    uint8_t *plain, size_t *plainlen, bool *final)
{
	unsigned long long mlen;
	unsigned char tag;

	if (!f->ready)
		return E(SIGNATURE);
	if (len > FRAME_MAX_WIRE) {
		end(f);
		return E(TOOBIG);
	}
	if (len < FRAME_OVERHEAD) {
		end(f);
		return E(TRUNCATED);
	}
	if (crypto_secretstream_xchacha20poly1305_pull(&f->st, plain, &mlen,
	    &tag, body, len, NULL, 0) != 0) {
		end(f);
		return E(SIGNATURE);
	}
	/* Only MESSAGE and FINAL are sent; a peer's REKEY or PUSH is refused. */
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_MESSAGE &&
	    tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL) {
		sodium_memzero(plain, (size_t)mlen);
		end(f);
		return E(SIGNATURE);
	}
	*plainlen = (size_t)mlen;
	*final = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	if (*final)
		end(f);
	return 0;
}
