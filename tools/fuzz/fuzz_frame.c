/*
 * libFuzzer harness for the frame layer.  The first byte picks a mode:
 * even, the rest is read as a stream of frames by a side pulling under a
 * fixed key and header (frame_length and fstream_open must refuse cleanly,
 * never over-read); odd, the rest is cut into plaintexts that are sealed,
 * one bit of the wire is perhaps flipped, and the wire read back must give
 * exactly the plaintexts when untouched and stop short when not.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "transport.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define MAX_CHUNKS 64

/* The plaintexts sealed in the round-trip mode. */
struct chunks {
	const uint8_t *p[MAX_CHUNKS];
	size_t len[MAX_CHUNKS];
	size_t n;
	bool final;  /* the last is sealed as the final frame */
};

static const uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES] = {
	0x63, 0x6f, 0x6e, 0x73, 0x6f, 0x72, 0x74, 0x2d, 0x66, 0x75, 0x7a, 0x7a,
	0x2d, 0x66, 0x72, 0x61, 0x6d, 0x65, 0x2d, 0x6b, 0x65, 0x79, 0x2d, 0x30,
	0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x30, 0x31,
};

static const uint8_t header[STREAM_HEADER_BYTES] = {
	0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c,
	0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18,
};

/*
 * Reads frames off a wire until it ends or one is refused, each body and
 * plaintext in a buffer of its exact size.  When want is given, checks each
 * opened frame against it.  Returns the number of frames opened.
 */
static size_t
read_frames(struct fstream *rx, const uint8_t *p, size_t n,
    const struct chunks *want)
{
	uint8_t *body, *plain;
	size_t len, plen, opened = 0;
	bool final;
	int rc;

	while (n >= FRAME_HEADER_BYTES) {
		if (frame_length(p, &len) != 0)
			break;
		if (len < FRAME_OVERHEAD || len > FRAME_MAX_WIRE)
			abort();
		p += FRAME_HEADER_BYTES;
		n -= FRAME_HEADER_BYTES;
		if (len > n)
			break;
		body = malloc(len);
		plain = malloc(len - FRAME_OVERHEAD + 1);
		if (body == NULL || plain == NULL)
			abort();
		memcpy(body, p, len);
		rc = fstream_open(rx, body, len, plain, &plen, &final);
		if (rc == 0) {
			if (plen != len - FRAME_OVERHEAD)
				abort();
			if (want != NULL && (opened >= want->n ||
			    plen != want->len[opened] ||
			    memcmp(plain, want->p[opened], plen) != 0 ||
			    final != (want->final && opened + 1 == want->n)))
				abort();
			opened++;
		} else if (rc != E(SIGNATURE))
			abort();
		free(body);
		free(plain);
		if (rc != 0 || final) {
			/* An ended stream opens nothing more. */
			if (fstream_open(rx, p, len, NULL, &plen, &final) !=
			    E(SIGNATURE))
				abort();
			break;
		}
		p += len;
		n -= len;
	}
	return opened;
}

/* Cuts data into plaintexts, each prefixed by a one-byte length. */
static void
cut(struct chunks *c, const uint8_t *p, size_t n)
{
	size_t len;

	c->n = 0;
	while (n > 0 && c->n < MAX_CHUNKS) {
		len = p[0];
		p++;
		n--;
		if (len > n)
			len = n;
		c->p[c->n] = p;
		c->len[c->n] = len;
		c->n++;
		p += len;
		n -= len;
	}
}

/* Seals the chunks, flips one bit of the wire if asked, reads it back. */
static void
round_trip(const uint8_t *data, size_t size)
{
	struct fstream tx, rx;
	struct chunks c;
	uint8_t hdr[STREAM_HEADER_BYTES], *wire;
	size_t i, n = 0, cap = 0, outlen, opened, pos;
	bool flip;

	if (size < 4)
		return;
	flip = (data[0] & 2) != 0;
	c.final = (data[0] & 4) != 0;
	pos = (size_t)data[1] << 8 | data[2];
	cut(&c, data + 4, size - 4);
	for (i = 0; i < c.n; i++)
		cap += FRAME_HEADER_BYTES + c.len[i] + FRAME_OVERHEAD;
	wire = malloc(cap + 1);
	if (wire == NULL)
		abort();
	fstream_init_push(&tx, key, hdr);
	for (i = 0; i < c.n; i++) {
		if (fstream_seal(&tx, c.p[i], c.len[i], c.final && i + 1 == c.n,
		    wire + n, &outlen) != 0)
			abort();
		n += outlen;
	}
	if (n != cap)
		abort();
	flip = flip && n > 0;
	if (flip)
		wire[pos % n] ^= (uint8_t)(1u << (data[3] & 7));
	if (fstream_init_pull(&rx, key, hdr) != 0)
		abort();
	opened = read_frames(&rx, wire, n, flip ? NULL : &c);
	if (flip ? opened >= c.n : opened != c.n)
		abort();
	free(wire);
	sodium_memzero(&tx, sizeof(tx));
	sodium_memzero(&rx, sizeof(rx));
}

/* One fuzz input. */
int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct fstream rx;
	static int ready;

	if (!ready) {
		if (sodium_init() < 0)
			abort();
		ready = 1;
	}
	if (size == 0)
		return 0;
	if (data[0] & 1) {
		round_trip(data, size);
		return 0;
	}
	if (fstream_init_pull(&rx, key, header) != 0)
		abort();
	(void)read_frames(&rx, data + 1, size - 1, NULL);
	return 0;
}
