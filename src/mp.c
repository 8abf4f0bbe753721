/*
 * A strict reader of canonical msgpack, and packing helpers over msgpack-c.
 *
 * msgpack-c writes the canonical form (smallest integer, string, binary and
 * array headers) but its unpacker accepts any form and allocates element
 * arrays from a count read off the wire before checking that the bytes
 * exist.  Input from a file or a peer therefore goes through this cursor,
 * which allocates nothing, checks every count against the bytes left, and
 * refuses every form msgpack-c would not have written.
 */
#include <string.h>

#include "core.h"

/* Starts reading len bytes at buf. */
void
mp_reader_init(struct mp_reader *r, const void *buf, size_t len)
{
	r->start = buf;
	r->p = buf;
	r->end = r->start + len;
}

/* Byte offset of the cursor from the start of the buffer. */
size_t
mp_offset(const struct mp_reader *r)
{
	return (size_t)(r->p - r->start);
}

/* Consumes n big-endian bytes as an unsigned integer. */
static int
take_be(struct mp_reader *r, unsigned n, uint64_t *v)
{
	unsigned i;

	if ((size_t)(r->end - r->p) < n)
		return E(TRUNCATED);
	*v = 0;
	for (i = 0; i < n; i++)
		*v = *v << 8 | *r->p++;
	return 0;
}

/* Reads a length header of str/bin/array with its canonical bounds. */
static int
take_len(struct mp_reader *r, unsigned n, uint64_t min, uint32_t *len)
{
	uint64_t v;
	int rc;

	if ((rc = take_be(r, n, &v)) != 0)
		return rc;
	if (v < min)
		return E(NONCANON);
	*len = (uint32_t)v;
	return 0;
}

/* Reads an array header; the count can never exceed the bytes left. */
int
mp_read_array(struct mp_reader *r, uint32_t *n)
{
	const uint8_t *save = r->p;
	int rc = 0;
	uint8_t b;

	if (r->p >= r->end)
		return E(TRUNCATED);
	b = *r->p++;
	if (b >= 0x90 && b <= 0x9f)
		*n = b & 0x0f;
	else if (b == 0xdc)
		rc = take_len(r, 2, 16, n);
	else if (b == 0xdd)
		rc = take_len(r, 4, 65536, n);
	else
		rc = E(BADTYPE);
	if (rc == 0 && *n > (size_t)(r->end - r->p))
		rc = E(TRUNCATED);
	if (rc != 0)
		r->p = save;
	return rc;
}

/* Reads any canonical integer, signed or not, as int64 or uint64. */
static int
read_integer(struct mp_reader *r, bool *neg, uint64_t *u)
{
	static const uint64_t umin[] = { 128, 256, 65536, 1ULL << 32 };
	static const int64_t smax[] = { -33, -129, -32769, -2147483649LL };
	const uint8_t *save = r->p;
	uint64_t v;
	int64_t sv;
	unsigned w;
	uint8_t b;
	int rc;

	if (r->p >= r->end)
		return E(TRUNCATED);
	b = *r->p++;
	*neg = false;
	if (b <= 0x7f) {
		*u = b;
		return 0;
	}
	if (b >= 0xe0) {
		*neg = true;
		*u = (uint64_t)(int64_t)(int8_t)b;
		return 0;
	}
	if (b >= 0xcc && b <= 0xcf) {
		w = b - 0xcc;
		if ((rc = take_be(r, 1u << w, &v)) != 0 || (v < umin[w] &&
		    (rc = E(NONCANON)) != 0)) {
			r->p = save;
			return rc;
		}
		*u = v;
		return 0;
	}
	if (b >= 0xd0 && b <= 0xd3) {
		w = b - 0xd0;
		if ((rc = take_be(r, 1u << w, &v)) != 0) {
			r->p = save;
			return rc;
		}
		/* sign-extend from the encoded width */
		if (w < 3 && (v >> ((8u << w) - 1)) & 1)
			v |= ~0ULL << (8u << w);
		sv = (int64_t)v;
		if (sv > smax[w]) {
			r->p = save;
			return E(NONCANON);
		}
		*neg = true;
		*u = v;
		return 0;
	}
	r->p = save;
	return E(BADTYPE);
}

/* Reads a boolean. */
int
mp_read_bool(struct mp_reader *r, bool *v)
{
	if (r->p >= r->end)
		return E(TRUNCATED);
	if (*r->p != 0xc2 && *r->p != 0xc3)
		return E(BADTYPE);
	*v = *r->p++ == 0xc3;
	return 0;
}

/* Reads a canonical non-negative integer. */
int
mp_read_uint(struct mp_reader *r, uint64_t *v)
{
	const uint8_t *save = r->p;
	bool neg;
	int rc;

	if ((rc = read_integer(r, &neg, v)) != 0)
		return rc;
	if (neg) {
		r->p = save;
		return E(BADTYPE);
	}
	return 0;
}

/* Reads a canonical binary string, pointing into the buffer. */
int
mp_read_bin(struct mp_reader *r, const uint8_t **p, uint32_t *len)
{
	const uint8_t *save = r->p;
	int rc;
	uint8_t b;

	if (r->p >= r->end)
		return E(TRUNCATED);
	b = *r->p++;
	if (b == 0xc4)
		rc = take_len(r, 1, 0, len);
	else if (b == 0xc5)
		rc = take_len(r, 2, 256, len);
	else if (b == 0xc6)
		rc = take_len(r, 4, 65536, len);
	else
		rc = E(BADTYPE);
	if (rc == 0 && *len > (size_t)(r->end - r->p))
		rc = E(TRUNCATED);
	if (rc != 0) {
		r->p = save;
		return rc;
	}
	*p = r->p;
	r->p += *len;
	return 0;
}

/* Reads a binary string of exactly len bytes into out. */
int
mp_read_bin_fixed(struct mp_reader *r, uint8_t *out, uint32_t len)
{
	const uint8_t *save = r->p, *p;
	uint32_t n;
	int rc;

	if ((rc = mp_read_bin(r, &p, &n)) != 0)
		return rc;
	if (n != len) {
		r->p = save;
		return E(BADTYPE);
	}
	memcpy(out, p, len);
	return 0;
}

/* Reads a canonical UTF-8 string of at most CONSORT_STR_MAX bytes. */
int
mp_read_str(struct mp_reader *r, const char **s, uint32_t *len)
{
	return mp_read_str_max(r, s, len, CONSORT_STR_MAX);
}

/*
 * Reads a canonical UTF-8 string of at most max bytes: the bound of a
 * field of kind TEXT (schema_str_max), which alone passes CONSORT_STR_MAX.
 */
int
mp_read_str_max(struct mp_reader *r, const char **s, uint32_t *len,
    uint32_t max)
{
	const uint8_t *save = r->p;
	int rc = 0;
	uint8_t b;

	if (r->p >= r->end)
		return E(TRUNCATED);
	b = *r->p++;
	if (b >= 0xa0 && b <= 0xbf)
		*len = b & 0x1f;
	else if (b == 0xd9)
		rc = take_len(r, 1, 32, len);
	else if (b == 0xda)
		rc = take_len(r, 2, 256, len);
	else if (b == 0xdb)
		rc = take_len(r, 4, 65536, len);
	else
		rc = E(BADTYPE);
	if (rc == 0 && *len > (size_t)(r->end - r->p))
		rc = E(TRUNCATED);
	if (rc == 0 && *len > max)
		rc = E(TOOBIG);
	if (rc == 0 && !util_utf8_valid(r->p, *len))
		rc = E(BADUTF8);
	if (rc != 0) {
		r->p = save;
		return rc;
	}
	*s = (const char *)r->p;
	r->p += *len;
	return 0;
}

/* Reads a field value: nil, a boolean, an integer or a string. */
int
mp_read_value(struct mp_reader *r, struct value *v)
{
	return mp_read_value_max(r, v, CONSORT_STR_MAX);
}

/* Reads a field value whose string, if it is one, holds at most max bytes. */
int
mp_read_value_max(struct mp_reader *r, struct value *v, uint32_t max)
{
	const uint8_t *save = r->p;
	uint64_t u;
	bool neg;
	uint8_t b;
	int rc;

	memset(v, 0, sizeof(*v));
	if (r->p >= r->end)
		return E(TRUNCATED);
	b = *r->p;
	if (b == 0xc0 || b == 0xc2 || b == 0xc3) {
		r->p++;
		v->kind = b == 0xc0 ? VAL_NIL : VAL_BOOL;
		v->b = b == 0xc3;
		return 0;
	}
	if ((b >= 0xa0 && b <= 0xbf) || (b >= 0xd9 && b <= 0xdb)) {
		v->kind = VAL_STR;
		return mp_read_str_max(r, &v->s, &v->len, max);
	}
	if (b >= 0xc4 && b <= 0xc6) {
		const uint8_t *p;

		v->kind = VAL_BIN;
		if ((rc = mp_read_bin(r, &p, &v->len)) != 0)
			return rc;
		if (v->len > max) {
			r->p = save;
			return E(TOOBIG);
		}
		v->s = (const char *)p;
		return 0;
	}
	if ((rc = read_integer(r, &neg, &u)) != 0)
		return rc;
	if (!neg && u > INT64_MAX) {
		r->p = save;
		return E(TOOBIG);
	}
	v->kind = VAL_INT;
	v->i = (int64_t)u;
	return 0;
}

/* Packs a field value in its canonical form. */
void
mp_pack_value(msgpack_packer *pk, const struct value *v)
{
	switch (v->kind) {
	case VAL_NIL:
		msgpack_pack_nil(pk);
		break;
	case VAL_BOOL:
		if (v->b)
			msgpack_pack_true(pk);
		else
			msgpack_pack_false(pk);
		break;
	case VAL_INT:
		msgpack_pack_int64(pk, v->i);
		break;
	case VAL_STR:
		mp_pack_strn(pk, v->s, v->len);
		break;
	case VAL_BIN:
		mp_pack_bin(pk, v->s, v->len);
		break;
	}
}

/* Packs a binary string. */
void
mp_pack_bin(msgpack_packer *pk, const void *p, size_t len)
{
	msgpack_pack_bin(pk, len);
	msgpack_pack_bin_body(pk, p, len);
}

/* Packs a UTF-8 string given with its length. */
void
mp_pack_strn(msgpack_packer *pk, const char *s, size_t len)
{
	msgpack_pack_str(pk, len);
	msgpack_pack_str_body(pk, s, len);
}
