/*
 * Unit tests of sync/frame.c, the encrypted frame stream: frames of every
 * size round-trip in order; an altered, replayed, reordered, dropped or
 * post-final frame is refused with E(SIGNATURE); lengths are bounded before
 * anything is allocated.
 */
#include "testutil.h"

#include "../sync/transport.h"

/* A sealed frame kept by a test: header and body. */
struct frame {
	uint8_t *p;
	size_t len;  /* FRAME_HEADER_BYTES + body */
};

/* A pushing and a pulling side over one key. */
struct pipe {
	struct fstream tx;
	struct fstream rx;
};

static uint8_t key[crypto_secretstream_xchacha20poly1305_KEYBYTES];

/* Group setup: libsodium and a fixed key. */
static int
setup(void **state)
{
	if (tu_group_setup(state) != 0)
		return -1;
	memset(key, 0x6b, sizeof(key));
	return 0;
}

/* Starts both sides of a pipe. */
static void
pipe_init(struct pipe *p)
{
	uint8_t header[STREAM_HEADER_BYTES];

	fstream_init_push(&p->tx, key, header);
	assert_ok(fstream_init_pull(&p->rx, key, header));
}

/* Seals len bytes of a pattern into a new frame. */
static struct frame
seal(struct fstream *tx, size_t len, uint8_t fill, bool final)
{
	struct frame f;
	uint8_t *plain;

	plain = malloc(len + 1);
	assert_non_null(plain);
	memset(plain, fill, len);
	f.p = malloc(FRAME_HEADER_BYTES + len + FRAME_OVERHEAD);
	assert_non_null(f.p);
	assert_ok(fstream_seal(tx, plain, len, final, f.p, &f.len));
	assert_int_equal(f.len, FRAME_HEADER_BYTES + len + FRAME_OVERHEAD);
	free(plain);
	return f;
}

/* Pushes one frame with libsodium directly, with any tag. */
static struct frame
raw_push(crypto_secretstream_xchacha20poly1305_state *st, size_t len,
    uint8_t fill, unsigned char tag)
{
	unsigned long long clen;
	uint8_t plain[256];
	struct frame f;

	assert_true(len <= sizeof(plain));
	memset(plain, fill, len);
	f.len = FRAME_HEADER_BYTES + len + FRAME_OVERHEAD;
	f.p = malloc(f.len);
	assert_non_null(f.p);
	util_put_be32(f.p, (uint32_t)(len + FRAME_OVERHEAD));
	assert_int_equal(crypto_secretstream_xchacha20poly1305_push(st,
	    f.p + FRAME_HEADER_BYTES, &clen, plain, len, NULL, 0, tag), 0);
	assert_int_equal(clen, len + FRAME_OVERHEAD);
	return f;
}

/* Opens a kept frame through frame_length, as a reader of the wire would. */
static int
open_frame(struct fstream *rx, const struct frame *f, size_t *plainlen,
    bool *final, uint8_t **plain)
{
	size_t len;
	int rc;

	*plain = NULL;
	if ((rc = frame_length(f->p, &len)) != 0)
		return rc;
	assert_int_equal(len, f->len - FRAME_HEADER_BYTES);
	*plain = malloc(len - FRAME_OVERHEAD + 1);
	assert_non_null(*plain);
	rc = fstream_open(rx, f->p + FRAME_HEADER_BYTES, len, *plain,
	    plainlen, final);
	if (rc != 0) {
		free(*plain);
		*plain = NULL;
	}
	return rc;
}

/* Opens a frame and checks its size, pattern and final flag. */
static void
expect_open(struct fstream *rx, const struct frame *f, size_t len,
    uint8_t fill, bool final)
{
	uint8_t *plain;
	size_t plen, i;
	bool fin = !final;

	assert_ok(open_frame(rx, f, &plen, &fin, &plain));
	assert_int_equal(plen, len);
	assert_int_equal(fin, final);
	for (i = 0; i < len; i++)
		if (plain[i] != fill)
			fail_msg("byte %zu of a %zu-byte frame differs", i, len);
	free(plain);
}

/* Asserts that a frame is refused with want. */
static void
expect_refused(struct fstream *rx, const struct frame *f, int want)
{
	uint8_t *plain;
	size_t plen;
	bool fin;

	assert_err(open_frame(rx, f, &plen, &fin, &plain), want);
	assert_null(plain);
}

/* Frees a kept frame. */
static void
frame_free(struct frame *f)
{
	free(f->p);
	f->p = NULL;
}

/* Frames of 0, 1, 1000 and FRAME_MAX_PLAIN bytes, then a final one, round-trip. */
static void
test_round_trip(void **state)
{
	static const size_t sizes[] = { 0, 1, 1000, FRAME_MAX_PLAIN, 1, 0 };
	struct frame f[nitems(sizes)];
	struct pipe p;
	size_t i;

	(void)state;
	pipe_init(&p);
	for (i = 0; i < nitems(sizes); i++)
		f[i] = seal(&p.tx, sizes[i], (uint8_t)(0x30 + i),
		    i + 1 == nitems(sizes));
	for (i = 0; i < nitems(sizes); i++)
		expect_open(&p.rx, &f[i], sizes[i], (uint8_t)(0x30 + i),
		    i + 1 == nitems(sizes));
	/* The length prefix is big-endian: plaintext + 17. */
	assert_int_equal(f[2].p[0], 0);
	assert_int_equal(f[2].p[1], 0);
	assert_int_equal(f[2].p[2], (1000 + FRAME_OVERHEAD) >> 8);
	assert_int_equal(f[2].p[3], (1000 + FRAME_OVERHEAD) & 0xff);
	for (i = 0; i < nitems(sizes); i++)
		frame_free(&f[i]);
}

/* Sealing and opening interleave: each frame opens as soon as it is sent. */
static void
test_interleaved(void **state)
{
	struct frame f;
	struct pipe p;
	size_t i;

	(void)state;
	pipe_init(&p);
	for (i = 0; i < 100; i++) {
		f = seal(&p.tx, i * 7, (uint8_t)i, i == 99);
		expect_open(&p.rx, &f, i * 7, (uint8_t)i, i == 99);
		frame_free(&f);
	}
}

/* Any flipped bit of a frame's body, or a cut body, is refused. */
static void
test_flipped_bit(void **state)
{
	struct frame f, bad;
	struct pipe p;
	struct fstream rx0;
	size_t i, len;
	uint8_t plain[100], *out;
	size_t plen;
	bool fin;
	int bit;

	(void)state;
	pipe_init(&p);
	rx0 = p.rx;
	f = seal(&p.tx, 40, 0xaa, false);
	bad.len = f.len;
	bad.p = malloc(f.len);
	assert_non_null(bad.p);
	for (i = FRAME_HEADER_BYTES; i < f.len; i++)
		for (bit = 0; bit < 8; bit++) {
			memcpy(bad.p, f.p, f.len);
			bad.p[i] ^= (uint8_t)(1u << bit);
			p.rx = rx0;
			if (open_frame(&p.rx, &bad, &plen, &fin, &out) !=
			    E(SIGNATURE))
				fail_msg("byte %zu bit %d accepted", i, bit);
		}
	/* One byte short, and one byte long. */
	len = f.len - FRAME_HEADER_BYTES;
	p.rx = rx0;
	assert_err(fstream_open(&p.rx, f.p + FRAME_HEADER_BYTES, len - 1, plain,
	    &plen, &fin), E(SIGNATURE));
	p.rx = rx0;
	{
		uint8_t longer[100];

		memcpy(longer, f.p + FRAME_HEADER_BYTES, len);
		longer[len] = 0;
		assert_err(fstream_open(&p.rx, longer, len + 1, plain, &plen,
		    &fin), E(SIGNATURE));
	}
	/* The untouched frame opens. */
	p.rx = rx0;
	expect_open(&p.rx, &f, 40, 0xaa, false);
	frame_free(&bad);
	frame_free(&f);
}

/* A frame opened twice is refused the second time. */
static void
test_replayed(void **state)
{
	struct frame f1, f2;
	struct pipe p;

	(void)state;
	pipe_init(&p);
	f1 = seal(&p.tx, 10, 1, false);
	f2 = seal(&p.tx, 10, 2, false);
	expect_open(&p.rx, &f1, 10, 1, false);
	expect_refused(&p.rx, &f1, E(SIGNATURE));
	frame_free(&f1);
	frame_free(&f2);

	/* A frame of an earlier stream under the same key: its header differs. */
	pipe_init(&p);
	f1 = seal(&p.tx, 10, 1, false);
	pipe_init(&p);
	expect_refused(&p.rx, &f1, E(SIGNATURE));
	frame_free(&f1);
}

/* Frames out of order, or with one dropped, are refused. */
static void
test_reordered(void **state)
{
	struct frame f1, f2, f3;
	struct pipe p;
	struct fstream rx0;

	(void)state;
	pipe_init(&p);
	rx0 = p.rx;
	f1 = seal(&p.tx, 10, 1, false);
	f2 = seal(&p.tx, 10, 2, false);
	f3 = seal(&p.tx, 10, 3, true);
	expect_refused(&p.rx, &f2, E(SIGNATURE));
	p.rx = rx0;
	expect_open(&p.rx, &f1, 10, 1, false);
	expect_refused(&p.rx, &f3, E(SIGNATURE));  /* f2 dropped */
	p.rx = rx0;
	expect_open(&p.rx, &f1, 10, 1, false);
	expect_open(&p.rx, &f2, 10, 2, false);
	expect_open(&p.rx, &f3, 10, 3, true);
	frame_free(&f1);
	frame_free(&f2);
	frame_free(&f3);
}

/*
 * After the final frame nothing opens, not even a frame a non-conforming
 * sender pushed after it (which libsodium alone would accept), and nothing
 * more is sealed.
 */
static void
test_after_final(void **state)
{
	struct frame f1, f2, raw2, late;
	struct pipe p;
	struct fstream tx_copy, rx_copy;
	uint8_t out[64] = { 0 }, plain[64];
	unsigned long long mlen;
	unsigned char tag;
	size_t outlen;

	(void)state;
	pipe_init(&p);
	f1 = seal(&p.tx, 10, 1, false);
	tx_copy = p.tx;
	f2 = seal(&p.tx, 10, 2, true);
	assert_false(p.tx.ready);
	assert_err(fstream_seal(&p.tx, out, 1, false, out, &outlen), E(INVAL));
	/* The same final frame, then one more, pushed by hand. */
	raw2 = raw_push(&tx_copy.st, 10, 2,
	    crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	assert_memory_equal(raw2.p, f2.p, f2.len);
	late = raw_push(&tx_copy.st, 10, 3,
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE);

	expect_open(&p.rx, &f1, 10, 1, false);
	rx_copy = p.rx;
	expect_open(&p.rx, &f2, 10, 2, true);
	expect_refused(&p.rx, &late, E(SIGNATURE));
	expect_refused(&p.rx, &f2, E(SIGNATURE));
	expect_refused(&p.rx, &f1, E(SIGNATURE));
	assert_false(p.rx.ready);
	assert_true(sodium_is_zero((const uint8_t *)&p.rx.st, sizeof(p.rx.st)));

	/* libsodium by itself would have taken the late frame. */
	assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&rx_copy.st,
	    plain, &mlen, &tag, f2.p + 4, f2.len - 4, NULL, 0), 0);
	assert_int_equal(tag, crypto_secretstream_xchacha20poly1305_TAG_FINAL);
	assert_int_equal(crypto_secretstream_xchacha20poly1305_pull(&rx_copy.st,
	    plain, &mlen, &tag, late.p + 4, late.len - 4, NULL, 0), 0);
	frame_free(&f1);
	frame_free(&f2);
	frame_free(&raw2);
	frame_free(&late);
}

/* A refused frame ends the stream: the right frame no longer opens either. */
static void
test_refusal_ends_stream(void **state)
{
	struct frame f1, bad;
	struct pipe p;

	(void)state;
	pipe_init(&p);
	f1 = seal(&p.tx, 10, 1, false);
	bad.len = f1.len;
	bad.p = malloc(f1.len);
	assert_non_null(bad.p);
	memcpy(bad.p, f1.p, f1.len);
	bad.p[bad.len - 1] ^= 0x80;
	expect_refused(&p.rx, &bad, E(SIGNATURE));
	expect_refused(&p.rx, &f1, E(SIGNATURE));
	frame_free(&bad);
	frame_free(&f1);
}

/* A frame with a tag other than MESSAGE or FINAL is refused. */
static void
test_other_tag(void **state)
{
	static const unsigned char tags[] = {
		crypto_secretstream_xchacha20poly1305_TAG_REKEY,
		crypto_secretstream_xchacha20poly1305_TAG_PUSH,
	};
	struct pipe p;
	struct frame f;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(tags); i++) {
		pipe_init(&p);
		f = raw_push(&p.tx.st, 3, 7, tags[i]);
		expect_refused(&p.rx, &f, E(SIGNATURE));
		frame_free(&f);
	}
}

/* A frame under another key is refused. */
static void
test_wrong_key(void **state)
{
	struct fstream tx, rx;
	uint8_t header[STREAM_HEADER_BYTES], other[sizeof(key)];
	struct frame f;

	(void)state;
	memset(other, 0x6c, sizeof(other));
	fstream_init_push(&tx, key, header);
	assert_ok(fstream_init_pull(&rx, other, header));
	f = seal(&tx, 10, 1, false);
	expect_refused(&rx, &f, E(SIGNATURE));
	frame_free(&f);
}

/*
 * The frame test vector of protocol.md: under k_cs of the handshake vector
 * and the stream header 24 x 33, "consort" then an empty final frame.
 */
static void
test_vector(void **state)
{
	struct fstream rx;
	struct frame f1, f2;
	uint8_t k[32], header[STREAM_HEADER_BYTES];
	uint8_t w1[28], w2[21];

	(void)state;
	assert_ok(util_unhex(k, sizeof(k), "323792c54bff3093a20701aa60a9a43f"
	    "828766a67fc81b376f21801cee91706b"));
	memset(header, 0x33, sizeof(header));
	assert_ok(util_unhex(w1, sizeof(w1),
	    "000000183f2e0cebb5284e7e99830a3900cbdd627a9abccf3af9748c"));
	assert_ok(util_unhex(w2, sizeof(w2),
	    "0000001154cfc37c05f6d1f263c3279ab040ef771f"));
	f1.p = w1;
	f1.len = sizeof(w1);
	f2.p = w2;
	f2.len = sizeof(w2);
	assert_ok(fstream_init_pull(&rx, k, header));
	{
		uint8_t *plain;
		size_t plen;
		bool fin;

		assert_ok(open_frame(&rx, &f1, &plen, &fin, &plain));
		assert_int_equal(plen, 7);
		assert_memory_equal(plain, "consort", 7);
		assert_false(fin);
		free(plain);
	}
	expect_open(&rx, &f2, 0, 0, true);
}

/* frame_length bounds the length before anything is allocated. */
static void
test_frame_length(void **state)
{
	static const struct {
		uint32_t len;
		int want;
	} cases[] = {
		{ 0xffffffffu, E(TOOBIG) },
		{ 0x80000000u, E(TOOBIG) },
		{ FRAME_MAX_WIRE + 1, E(TOOBIG) },
		{ FRAME_MAX_WIRE, 0 },
		{ FRAME_OVERHEAD + 1, 0 },
		{ FRAME_OVERHEAD, 0 },
		{ FRAME_OVERHEAD - 1, E(TRUNCATED) },
		{ 1, E(TRUNCATED) },
		{ 0, E(TRUNCATED) },
	};
	uint8_t h[FRAME_HEADER_BYTES];
	size_t i, len;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		util_put_be32(h, cases[i].len);
		len = 12345;
		assert_err(frame_length(h, &len), cases[i].want);
		assert_int_equal(len, cases[i].want == 0 ? cases[i].len : 12345);
	}
	/* Big-endian: 00 00 01 00 is 256. */
	memcpy(h, "\x00\x00\x01\x00", 4);
	assert_ok(frame_length(h, &len));
	assert_int_equal(len, 256);
}

/* Plaintexts over FRAME_MAX_PLAIN are refused, and the stream goes on. */
static void
test_seal_too_big(void **state)
{
	struct pipe p;
	struct frame f;
	uint8_t *big;
	size_t outlen = 0;
	uint8_t plain[32];
	size_t plen;
	bool fin;

	(void)state;
	pipe_init(&p);
	big = calloc(1, FRAME_HEADER_BYTES + FRAME_MAX_PLAIN + 1 +
	    FRAME_OVERHEAD);
	assert_non_null(big);
	assert_err(fstream_seal(&p.tx, big, FRAME_MAX_PLAIN + 1, false, big,
	    &outlen), E(TOOBIG));
	assert_err(fstream_seal(&p.tx, big, SIZE_MAX, false, big, &outlen),
	    E(TOOBIG));
	assert_int_equal(outlen, 0);
	free(big);
	f = seal(&p.tx, 5, 9, false);
	expect_open(&p.rx, &f, 5, 9, false);
	frame_free(&f);

	/* fstream_open bounds len itself too. */
	assert_err(fstream_open(&p.rx, plain, FRAME_OVERHEAD - 1, plain, &plen,
	    &fin), E(TRUNCATED));
	pipe_init(&p);
	assert_err(fstream_open(&p.rx, plain, (size_t)FRAME_MAX_WIRE + 1,
	    plain, &plen, &fin), E(TOOBIG));
}

/* A stream never started, or wiped, neither seals nor opens. */
static void
test_not_started(void **state)
{
	struct fstream f;
	uint8_t buf[64] = { 0 };
	size_t n;
	bool fin;

	(void)state;
	memset(&f, 0, sizeof(f));
	assert_err(fstream_seal(&f, buf, 1, false, buf, &n), E(INVAL));
	assert_err(fstream_open(&f, buf, 40, buf, &n, &fin), E(SIGNATURE));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_interleaved),
		cmocka_unit_test(test_flipped_bit),
		cmocka_unit_test(test_replayed),
		cmocka_unit_test(test_reordered),
		cmocka_unit_test(test_after_final),
		cmocka_unit_test(test_refusal_ends_stream),
		cmocka_unit_test(test_other_tag),
		cmocka_unit_test(test_wrong_key),
		cmocka_unit_test(test_vector),
		cmocka_unit_test(test_frame_length),
		cmocka_unit_test(test_seal_too_big),
		cmocka_unit_test(test_not_started),
	};

	return cmocka_run_group_tests_name("frame", tests, setup, NULL);
}
