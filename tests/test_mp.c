/*
 * Unit tests of mp.c, the strict canonical msgpack reader: every form
 * msgpack-c writes reads back exactly, and every other form is refused with
 * its own error code, leaving the cursor where it was.
 */
#include "testutil.h"

/* A byte string literal and its length (without the literal's NUL). */
#define B(s) (const uint8_t *)(s), sizeof(s) - 1

/* Which reader a refusal case goes through. */
enum reader { RD_UINT, RD_VALUE, RD_STR, RD_BIN, RD_ARRAY };

static const char *const reader_names[] = {
	"mp_read_uint", "mp_read_value", "mp_read_str", "mp_read_bin",
	"mp_read_array"
};

/* Runs one reader over a buffer; returns its code and the cursor offset. */
static int
read_as(enum reader which, const uint8_t *p, size_t len, size_t *off)
{
	struct mp_reader r;
	struct value v;
	const uint8_t *bp;
	const char *s;
	uint64_t u;
	uint32_t n;
	int rc = 0;

	mp_reader_init(&r, p, len);
	switch (which) {
	case RD_UINT:
		rc = mp_read_uint(&r, &u);
		break;
	case RD_VALUE:
		rc = mp_read_value(&r, &v);
		break;
	case RD_STR:
		rc = mp_read_str(&r, &s, &n);
		break;
	case RD_BIN:
		rc = mp_read_bin(&r, &bp, &n);
		break;
	case RD_ARRAY:
		rc = mp_read_array(&r, &n);
		break;
	}
	*off = mp_offset(&r);
	return rc;
}

/* Asserts that a reader refuses the bytes with want and does not move. */
static void
expect_refused(enum reader which, const uint8_t *p, size_t len, int want)
{
	size_t off;
	int rc;

	rc = read_as(which, p, len, &off);
	if (rc != want)
		fail_msg("%s on %zu bytes (first 0x%02x): got %s, want %s",
		    reader_names[which], len, len ? p[0] : 0,
		    consort_err_name(rc), consort_err_name(want));
	assert_int_equal(off, 0);
}

/* Packs with msgpack-c into a fresh buffer (the caller destroys it). */
static msgpack_packer
packer(msgpack_sbuffer *sb)
{
	msgpack_packer pk;

	msgpack_sbuffer_init(sb);
	msgpack_packer_init(&pk, sb, msgpack_sbuffer_write);
	return pk;
}

/* Every unsigned width boundary packed by msgpack-c reads back exactly. */
static void
test_uint_round_trip(void **state)
{
	static const struct {
		uint64_t v;
		size_t size;
	} cases[] = {
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { 255, 2 }, { 256, 3 },
		{ 65535, 3 }, { 65536, 5 }, { 4294967295ULL, 5 },
		{ 4294967296ULL, 9 }, { (uint64_t)INT64_MAX, 9 },
		{ UINT64_MAX, 9 },
	};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	struct value v;
	uint64_t u;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		pk = packer(&sb);
		msgpack_pack_uint64(&pk, cases[i].v);
		assert_int_equal(sb.size, cases[i].size);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_uint(&r, &u));
		assert_true(u == cases[i].v);
		assert_int_equal(mp_offset(&r), sb.size);
		mp_reader_init(&r, sb.data, sb.size);
		if (cases[i].v <= (uint64_t)INT64_MAX) {
			assert_ok(mp_read_value(&r, &v));
			assert_int_equal(v.kind, VAL_INT);
			assert_true(v.i == (int64_t)cases[i].v);
			assert_int_equal(mp_offset(&r), sb.size);
		} else
			assert_err(mp_read_value(&r, &v), E(TOOBIG));
		msgpack_sbuffer_destroy(&sb);
	}
}

/* Every signed width boundary packed by msgpack-c reads back exactly. */
static void
test_int_round_trip(void **state)
{
	static const struct {
		int64_t v;
		size_t size;
	} cases[] = {
		{ -1, 1 }, { -32, 1 }, { -33, 2 }, { -128, 2 }, { -129, 3 },
		{ -32768, 3 }, { -32769, 5 }, { -2147483647LL - 1, 5 },
		{ -2147483649LL, 9 }, { INT64_MIN, 9 },
		/* non-negative int64s take the unsigned forms */
		{ 0, 1 }, { 127, 1 }, { 128, 2 }, { 65536, 5 },
		{ INT64_MAX, 9 },
	};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	struct value v;
	uint64_t u;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		pk = packer(&sb);
		msgpack_pack_int64(&pk, cases[i].v);
		assert_int_equal(sb.size, cases[i].size);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_value(&r, &v));
		assert_int_equal(v.kind, VAL_INT);
		assert_true(v.i == cases[i].v);
		assert_int_equal(mp_offset(&r), sb.size);
		/* a negative value is not an unsigned integer */
		mp_reader_init(&r, sb.data, sb.size);
		if (cases[i].v < 0) {
			assert_err(mp_read_uint(&r, &u), E(BADTYPE));
			assert_int_equal(mp_offset(&r), 0);
		} else {
			assert_ok(mp_read_uint(&r, &u));
			assert_true(u == (uint64_t)cases[i].v);
		}
		msgpack_sbuffer_destroy(&sb);
	}
}

/* nil, booleans and strings of every header width round-trip. */
static void
test_value_round_trip(void **state)
{
	static const struct {
		uint32_t len;
		size_t header;
	} strs[] = {
		{ 0, 1 }, { 1, 1 }, { 31, 1 }, { 32, 2 }, { 255, 2 },
		{ 256, 3 }, { CONSORT_STR_MAX, 3 },
	};
	struct value in[3] = { { VAL_NIL, false, 0, NULL, 0 }, tu_bool(true),
		tu_bool(false) }, v;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	char *text;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(in); i++) {
		pk = packer(&sb);
		mp_pack_value(&pk, &in[i]);
		assert_int_equal(sb.size, 1);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_value(&r, &v));
		assert_true(value_equal(&v, &in[i]));
		msgpack_sbuffer_destroy(&sb);
	}
	text = malloc(CONSORT_STR_MAX);
	assert_non_null(text);
	for (i = 0; i < CONSORT_STR_MAX; i++)
		text[i] = (char)('a' + i % 26);
	for (i = 0; i < nitems(strs); i++) {
		struct value s = { VAL_STR, false, 0, text, strs[i].len };

		pk = packer(&sb);
		mp_pack_value(&pk, &s);
		assert_int_equal(sb.size, strs[i].header + strs[i].len);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_value(&r, &v));
		assert_int_equal(v.kind, VAL_STR);
		assert_true(value_equal(&v, &s));
		assert_ptr_equal(v.s, sb.data + strs[i].header);
		assert_int_equal(mp_offset(&r), sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
	free(text);
}

/* Binaries of every header width round-trip; fixed reads check the length. */
static void
test_bin_round_trip(void **state)
{
	static const struct {
		uint32_t len;
		size_t header;
	} cases[] = {
		{ 0, 2 }, { 16, 2 }, { 255, 2 }, { 256, 3 }, { 65535, 3 },
		{ 65536, 5 },
	};
	uint8_t *bytes, fixed[32];
	const uint8_t *p;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	uint32_t n;
	size_t i;

	(void)state;
	bytes = malloc(65536);
	assert_non_null(bytes);
	for (i = 0; i < 65536; i++)
		bytes[i] = (uint8_t)(i * 7);
	for (i = 0; i < nitems(cases); i++) {
		pk = packer(&sb);
		mp_pack_bin(&pk, bytes, cases[i].len);
		assert_int_equal(sb.size, cases[i].header + cases[i].len);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_bin(&r, &p, &n));
		assert_int_equal(n, cases[i].len);
		assert_memory_equal(p, bytes, n);
		assert_int_equal(mp_offset(&r), sb.size);
		msgpack_sbuffer_destroy(&sb);
	}
	pk = packer(&sb);
	mp_pack_bin(&pk, bytes, 16);
	mp_reader_init(&r, sb.data, sb.size);
	assert_ok(mp_read_bin_fixed(&r, fixed, 16));
	assert_memory_equal(fixed, bytes, 16);
	mp_reader_init(&r, sb.data, sb.size);
	assert_err(mp_read_bin_fixed(&r, fixed, 15), E(BADTYPE));
	assert_int_equal(mp_offset(&r), 0);
	mp_reader_init(&r, sb.data, sb.size);
	assert_err(mp_read_bin_fixed(&r, fixed, 17), E(BADTYPE));
	msgpack_sbuffer_destroy(&sb);
	free(bytes);
}

/* Array headers of every width round-trip when the elements are there. */
static void
test_array_round_trip(void **state)
{
	static const struct {
		uint32_t n;
		size_t header;
	} cases[] = {
		{ 0, 1 }, { 15, 1 }, { 16, 3 }, { 65535, 3 }, { 65536, 5 },
	};
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	uint32_t n, k;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		pk = packer(&sb);
		msgpack_pack_array(&pk, cases[i].n);
		assert_int_equal(sb.size, cases[i].header);
		for (k = 0; k < cases[i].n; k++)
			msgpack_pack_nil(&pk);
		mp_reader_init(&r, sb.data, sb.size);
		assert_ok(mp_read_array(&r, &n));
		assert_int_equal(n, cases[i].n);
		assert_int_equal(mp_offset(&r), cases[i].header);
		msgpack_sbuffer_destroy(&sb);
	}
}

/* Integers in a longer form than needed are refused as non-canonical. */
static void
test_refuse_noncanonical_int(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t len;
	} cases[] = {
		{ B("\xcc\x05") },		/* uint8 for a fixint */
		{ B("\xcc\x7f") },
		{ B("\xcd\x00\xff") },		/* uint16 for 255 */
		{ B("\xcd\x00\x00") },
		{ B("\xce\x00\x00\xff\xff") },	/* uint32 for 65535 */
		{ B("\xcf\x00\x00\x00\x00\xff\xff\xff\xff") },
		{ B("\xd0\x05") },		/* int8 for a non-negative */
		{ B("\xd0\x00") },
		{ B("\xd0\x7f") },
		{ B("\xd0\xe0") },		/* int8 for -32 (fixint) */
		{ B("\xd1\xff\x80") },		/* int16 for -128 */
		{ B("\xd1\x00\x05") },
		{ B("\xd2\xff\xff\x80\x00") },	/* int32 for -32768 */
		{ B("\xd2\x00\x00\x00\x01") },
		/* int64 for -2^31 */
		{ B("\xd3\xff\xff\xff\xff\x80\x00\x00\x00") },
		{ B("\xd3\x00\x00\x00\x00\x00\x00\x00\x05") },
	};
	size_t i;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		expect_refused(RD_UINT, cases[i].p, cases[i].len, E(NONCANON));
		expect_refused(RD_VALUE, cases[i].p, cases[i].len, E(NONCANON));
	}
}

/* String, binary and array headers longer than needed are refused. */
static void
test_refuse_noncanonical_headers(void **state)
{
	uint8_t *buf;

	(void)state;
	/* str8 for a 3-byte string (fixstr holds up to 31) */
	expect_refused(RD_STR, B("\xd9\x03" "abc"), E(NONCANON));
	expect_refused(RD_VALUE, B("\xd9\x03" "abc"), E(NONCANON));
	expect_refused(RD_STR, B("\xd9\x1f" "0123456789012345678901234567890"),
	    E(NONCANON));
	/* bin16 and bin32 for short binaries */
	expect_refused(RD_BIN, B("\xc5\x00\x03" "abc"), E(NONCANON));
	expect_refused(RD_BIN, B("\xc6\x00\x00\x00\x03" "abc"), E(NONCANON));
	/* array16 for 3 elements, array32 for 16 */
	expect_refused(RD_ARRAY, B("\xdc\x00\x03\xc0\xc0\xc0"), E(NONCANON));
	expect_refused(RD_ARRAY, B("\xdc\x00\x0f\xc0\xc0\xc0\xc0\xc0\xc0\xc0"
	    "\xc0\xc0\xc0\xc0\xc0\xc0\xc0\xc0"), E(NONCANON));
	expect_refused(RD_ARRAY, B("\xdd\x00\x00\x00\x10"), E(NONCANON));

	/* str16 for 255 bytes, str32 for 65535, bin32 for 65535 */
	buf = calloc(1, 5 + 65535);
	assert_non_null(buf);
	memset(buf, 'a', 5 + 65535);
	memcpy(buf, "\xda\x00\xff", 3);
	expect_refused(RD_STR, buf, 3 + 255, E(NONCANON));
	memcpy(buf, "\xdb\x00\x00\xff\xff", 5);
	expect_refused(RD_STR, buf, 5 + 65535, E(NONCANON));
	memcpy(buf, "\xc6\x00\x00\xff\xff", 5);
	expect_refused(RD_BIN, buf, 5 + 65535, E(NONCANON));
	memcpy(buf, "\xdd\x00\x00\xff\xff", 5);
	expect_refused(RD_ARRAY, buf, 5 + 65535, E(NONCANON));
	free(buf);
}

/* Floats, maps, extensions and the wrong family are refused by type. */
static void
test_refuse_types(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t len;
	} any[] = {
		{ B("\xca\x3f\x80\x00\x00") },		/* float32 1.0 */
		{ B("\xcb\x3f\xf0\x00\x00\x00\x00\x00\x00") }, /* float64 */
		{ B("\x80") },					/* fixmap {} */
		{ B("\x81\xa1" "a\x01") },			/* {"a": 1} */
		{ B("\xde\x00\x10") },				/* map16 */
		{ B("\xd4\x01\x00") },				/* fixext1 */
		{ B("\xc7\x01\x01\x00") },			/* ext8 */
		{ B("\xc1") },					/* never used */
	};
	size_t i;
	int w;

	(void)state;
	for (i = 0; i < nitems(any); i++)
		for (w = RD_UINT; w <= RD_ARRAY; w++)
			expect_refused((enum reader)w, any[i].p, any[i].len,
			    E(BADTYPE));
	/* one family where another is expected */
	expect_refused(RD_UINT, B("\xc0"), E(BADTYPE));
	expect_refused(RD_UINT, B("\xc3"), E(BADTYPE));
	expect_refused(RD_UINT, B("\xa1" "a"), E(BADTYPE));
	expect_refused(RD_STR, B("\xc4\x01" "a"), E(BADTYPE));
	expect_refused(RD_STR, B("\x05"), E(BADTYPE));
	expect_refused(RD_BIN, B("\xa1" "a"), E(BADTYPE));
	expect_refused(RD_ARRAY, B("\xc0"), E(BADTYPE));
	expect_refused(RD_VALUE, B("\x91\x01"), E(BADTYPE));
}

/*
 * A binary is a field value (a personal field's commitment): it reads
 * back as VAL_BIN, canonical and whole, within the value's bound.
 */
static void
test_value_bin(void **state)
{
	uint8_t commit[CONSORT_COMMIT_BYTES], *big;
	struct value in = { VAL_BIN, false, 0, (const char *)commit,
	    CONSORT_COMMIT_BYTES }, v;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(commit); i++)
		commit[i] = (uint8_t)(0xa0 + i);
	pk = packer(&sb);
	mp_pack_value(&pk, &in);
	assert_int_equal(sb.size, 2 + CONSORT_COMMIT_BYTES);
	assert_int_equal((uint8_t)sb.data[0], 0xc4);
	mp_reader_init(&r, sb.data, sb.size);
	assert_ok(mp_read_value(&r, &v));
	assert_int_equal(v.kind, VAL_BIN);
	assert_int_equal(v.len, CONSORT_COMMIT_BYTES);
	assert_memory_equal(v.s, commit, CONSORT_COMMIT_BYTES);
	assert_int_equal(mp_offset(&r), sb.size);
	assert_true(value_equal(&v, &in));
	/* a binary is not the string of the same bytes */
	in.kind = VAL_STR;
	assert_false(value_equal(&v, &in));
	/* cut anywhere: truncated, the cursor kept */
	for (i = 0; i < sb.size; i++)
		expect_refused(RD_VALUE, (uint8_t *)sb.data, i, E(TRUNCATED));
	msgpack_sbuffer_destroy(&sb);
	expect_refused(RD_VALUE, B("\xc4\x01"), E(TRUNCATED));
	/* a longer header than needed */
	expect_refused(RD_VALUE, B("\xc5\x00\x03" "abc"), E(NONCANON));
	expect_refused(RD_VALUE, B("\xc6\x00\x00\x00\x03" "abc"), E(NONCANON));
	/* over the value's bound: too big, the cursor kept */
	big = calloc(1, 3 + CONSORT_STR_MAX + 1);
	assert_non_null(big);
	big[0] = 0xc5;
	big[1] = (CONSORT_STR_MAX + 1) >> 8;
	big[2] = (CONSORT_STR_MAX + 1) & 0xff;
	expect_refused(RD_VALUE, big, 3 + CONSORT_STR_MAX + 1, E(TOOBIG));
	mp_reader_init(&r, B("\xc4\x03" "abc"));
	assert_err(mp_read_value_max(&r, &v, 2), E(TOOBIG));
	assert_int_equal(mp_offset(&r), 0);
	assert_ok(mp_read_value_max(&r, &v, 3));
	assert_int_equal(v.kind, VAL_BIN);
	free(big);
}

/* Inputs that end too early are refused as truncated, without reading past. */
static void
test_refuse_truncated(void **state)
{
	static const struct {
		enum reader which;
		const uint8_t *p;
		size_t len;
	} cases[] = {
		{ RD_UINT, B("\xcc") },
		{ RD_UINT, B("\xcd\x01") },
		{ RD_UINT, B("\xce\x00\x01\x00") },
		{ RD_UINT, B("\xcf\x00\x00\x00\x01\x00\x00\x00") },
		{ RD_VALUE, B("\xd0") },
		{ RD_VALUE, B("\xd1\xff") },
		{ RD_VALUE, B("\xd3\xff\xff\xff\xff\xff\xff\xff") },
		{ RD_VALUE, B("\xa3" "ab") },
		{ RD_STR, B("\xa3" "ab") },
		{ RD_STR, B("\xd9") },
		{ RD_STR, B("\xd9\x40" "a") },
		{ RD_STR, B("\xda\x01") },
		{ RD_STR, B("\xdb\x00\x01\x00\x00" "abc") },
		{ RD_BIN, B("\xc4") },
		{ RD_BIN, B("\xc4\x05" "abcd") },
		{ RD_BIN, B("\xc5\x01\x00" "a") },
		{ RD_ARRAY, B("\xdc\x00") },
		{ RD_ARRAY, B("\xdd\x00\x01") },
		/* counts larger than the bytes left: no element can fit */
		{ RD_ARRAY, B("\x92\xc0") },
		{ RD_ARRAY, B("\x9f") },
		{ RD_ARRAY, B("\xdc\xff\xff\xc0\xc0") },
		{ RD_ARRAY, B("\xdd\xff\xff\xff\xff") },
		{ RD_BIN, B("\xc6\xff\xff\xff\xff" "abc") },
		{ RD_STR, B("\xdb\xff\xff\xff\xff" "abc") },
	};
	struct mp_reader r;
	uint64_t u;
	size_t i;
	int w;

	(void)state;
	for (w = RD_UINT; w <= RD_ARRAY; w++)
		expect_refused((enum reader)w, (const uint8_t *)"", 0,
		    E(TRUNCATED));
	for (i = 0; i < nitems(cases); i++)
		expect_refused(cases[i].which, cases[i].p, cases[i].len,
		    E(TRUNCATED));
	/* the reader stops at its end even inside a larger buffer */
	mp_reader_init(&r, "\xcd\x01\x02", 2);
	assert_err(mp_read_uint(&r, &u), E(TRUNCATED));
	assert_int_equal(mp_offset(&r), 0);
}

/* Strings that are not strict UTF-8 are refused. */
static void
test_refuse_utf8(void **state)
{
	static const struct {
		const uint8_t *p;
		size_t len;
	} bad[] = {
		{ B("\xa2\xc0\x80") },			/* overlong NUL */
		{ B("\xa2\xc1\xbf") },			/* overlong 0x7f */
		{ B("\xa3\xe0\x80\x80") },		/* overlong 3-byte */
		{ B("\xa3\xe0\x9f\xbf") },		/* overlong U+07FF */
		{ B("\xa4\xf0\x80\x80\x80") },		/* overlong 4-byte */
		{ B("\xa4\xf0\x8f\xbf\xbf") },		/* overlong U+FFFF */
		{ B("\xa3\xed\xa0\x80") },		/* surrogate U+D800 */
		{ B("\xa3\xed\xbf\xbf") },		/* surrogate U+DFFF */
		{ B("\xa4\xf4\x90\x80\x80") },		/* U+110000 */
		{ B("\xa4\xf5\x80\x80\x80") },		/* lead byte 0xf5 */
		{ B("\xa1\xff") },
		{ B("\xa1\xfe") },
		{ B("\xa1\x80") },			/* lone continuation */
		{ B("\xa2\xc3\x41") },			/* bad continuation */
		{ B("\xa1\xc3") },			/* cut sequence */
		{ B("\xa3\xe2\x82" "\x00") },		/* cut, then NUL */
		{ B("\xa3" "a\x00" "b") },		/* embedded NUL */
		{ B("\xa1\x00") },
	};
	static const struct {
		const uint8_t *p;
		size_t len;
	} good[] = {
		{ B("\xa6" "A\xc3\xaf" "cha") },	/* Aïcha */
		{ B("\xa3\xe2\x82\xac") },		/* U+20AC */
		{ B("\xa3\xed\x9f\xbf") },		/* U+D7FF */
		{ B("\xa3\xee\x80\x80") },		/* U+E000 */
		{ B("\xa4\xf0\x9f\x98\x80") },		/* U+1F600 */
		{ B("\xa4\xf4\x8f\xbf\xbf") },		/* U+10FFFF */
		{ B("\xa2\xc2\x80") },			/* U+0080 */
		{ B("\xa1\x7f") },
	};
	struct mp_reader r;
	const char *s;
	uint32_t n;
	size_t i;

	(void)state;
	for (i = 0; i < nitems(bad); i++) {
		expect_refused(RD_STR, bad[i].p, bad[i].len, E(BADUTF8));
		expect_refused(RD_VALUE, bad[i].p, bad[i].len, E(BADUTF8));
	}
	for (i = 0; i < nitems(good); i++) {
		mp_reader_init(&r, good[i].p, good[i].len);
		assert_ok(mp_read_str(&r, &s, &n));
		assert_int_equal(n, good[i].len - 1);
		assert_int_equal(mp_offset(&r), good[i].len);
	}
}

/* Strings over CONSORT_STR_MAX bytes are refused as too big. */
static void
test_refuse_too_big(void **state)
{
	msgpack_sbuffer sb;
	msgpack_packer pk;
	struct mp_reader r;
	struct value v;
	const char *s;
	uint32_t n;
	char *text;

	(void)state;
	text = malloc(65536);
	assert_non_null(text);
	memset(text, 'x', 65536);
	/* the bound itself is accepted, one byte more is not */
	pk = packer(&sb);
	mp_pack_strn(&pk, text, CONSORT_STR_MAX);
	mp_reader_init(&r, sb.data, sb.size);
	assert_ok(mp_read_str(&r, &s, &n));
	assert_int_equal(n, CONSORT_STR_MAX);
	msgpack_sbuffer_destroy(&sb);

	pk = packer(&sb);
	mp_pack_strn(&pk, text, CONSORT_STR_MAX + 1);
	expect_refused(RD_STR, (uint8_t *)sb.data, sb.size, E(TOOBIG));
	expect_refused(RD_VALUE, (uint8_t *)sb.data, sb.size, E(TOOBIG));
	msgpack_sbuffer_destroy(&sb);

	pk = packer(&sb);
	mp_pack_strn(&pk, text, 65536);		/* str32 */
	assert_int_equal((uint8_t)sb.data[0], 0xdb);
	expect_refused(RD_STR, (uint8_t *)sb.data, sb.size, E(TOOBIG));
	msgpack_sbuffer_destroy(&sb);

	/* an integer above INT64_MAX is no field value */
	mp_reader_init(&r, "\xcf\x80\x00\x00\x00\x00\x00\x00\x00", 9);
	assert_err(mp_read_value(&r, &v), E(TOOBIG));
	free(text);
}

/* A refusal leaves the cursor in place, so another reader can try. */
static void
test_cursor_after_refusal(void **state)
{
	static const uint8_t buf[] = "\x93\xa2" "hi\xcd\x01\x00\xc3";
	struct mp_reader r;
	struct value v;
	const char *s;
	uint64_t u;
	uint32_t n;

	(void)state;
	mp_reader_init(&r, buf, sizeof(buf) - 1);
	assert_err(mp_read_uint(&r, &u), E(BADTYPE));
	assert_ok(mp_read_array(&r, &n));
	assert_int_equal(n, 3);
	assert_err(mp_read_uint(&r, &u), E(BADTYPE));
	assert_int_equal(mp_offset(&r), 1);
	assert_ok(mp_read_str(&r, &s, &n));
	assert_int_equal(n, 2);
	assert_memory_equal(s, "hi", 2);
	assert_err(mp_read_str(&r, &s, &n), E(BADTYPE));
	assert_ok(mp_read_uint(&r, &u));
	assert_true(u == 256);
	assert_ok(mp_read_value(&r, &v));
	assert_int_equal(v.kind, VAL_BOOL);
	assert_true(v.b);
	assert_int_equal(mp_offset(&r), sizeof(buf) - 1);
	assert_err(mp_read_value(&r, &v), E(TRUNCATED));
}

/* A value over INT64_MAX is refused and leaves the cursor where it was. */
static void
test_value_too_big_keeps_cursor(void **state)
{
	static const uint8_t big[] = { 0xcf, 0x80, 0, 0, 0, 0, 0, 0, 0 };
	struct mp_reader r;
	struct value v;

	(void)state;
	mp_reader_init(&r, big, sizeof(big));
	assert_int_equal(mp_read_value(&r, &v), -CONSORT_ETOOBIG);
	assert_int_equal(mp_offset(&r), 0);
}


int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_uint_round_trip),
		cmocka_unit_test(test_int_round_trip),
		cmocka_unit_test(test_value_round_trip),
		cmocka_unit_test(test_bin_round_trip),
		cmocka_unit_test(test_array_round_trip),
		cmocka_unit_test(test_refuse_noncanonical_int),
		cmocka_unit_test(test_refuse_noncanonical_headers),
		cmocka_unit_test(test_refuse_types),
		cmocka_unit_test(test_value_bin),
		cmocka_unit_test(test_refuse_truncated),
		cmocka_unit_test(test_refuse_utf8),
		cmocka_unit_test(test_refuse_too_big),
		cmocka_unit_test(test_cursor_after_refusal),
		cmocka_unit_test(test_value_too_big_keeps_cursor),
	};

	return cmocka_run_group_tests_name("mp", tests, tu_group_setup, NULL);
}
