/*
 * RFC 8785 (JSON Canonicalization Scheme) over a jansson tree: object keys
 * sorted by their UTF-16 code units, no whitespace, strings escaped as
 * JavaScript's JSON.stringify escapes them, and numbers as ECMAScript
 * writes them.  Order requests hold integers only, so a real number is
 * refused rather than formatted: an integer of at most 2^53 - 1 in
 * magnitude is written in plain decimal, which is what ECMAScript writes.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

#define JCS_MAX_DEPTH 64
#define JCS_MAX_INT 9007199254740991LL  /* 2^53 - 1: exact as a double */

struct jbuf {
	char *p;
	size_t len, cap;
	int err;
};

/* Appends n bytes to the buffer, growing it. */
static void
put(struct jbuf *b, const char *s, size_t n)
{
	char *p;
	size_t cap;

	if (b->err != 0)
		return;
	if (b->len + n + 1 > b->cap) {
		cap = b->cap ? b->cap : 4096;
		while (cap < b->len + n + 1)
			cap *= 2;
		if ((p = realloc(b->p, cap)) == NULL) {
			b->err = E(NOMEM);
			return;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
}

/* Appends a string literal with JSON.stringify's escapes. */
static void
put_string(struct jbuf *b, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	char esc[6] = { '\\', 'u', '0', '0', 0, 0 };
	size_t i, run = 0;
	unsigned char c;

	put(b, "\"", 1);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		put(b, s + run, i - run);
		run = i + 1;
		switch (c) {
		case '"': put(b, "\\\"", 2); break;
		case '\\': put(b, "\\\\", 2); break;
		case '\b': put(b, "\\b", 2); break;
		case '\t': put(b, "\\t", 2); break;
		case '\n': put(b, "\\n", 2); break;
		case '\f': put(b, "\\f", 2); break;
		case '\r': put(b, "\\r", 2); break;
		default:
			esc[4] = hex[c >> 4];
			esc[5] = hex[c & 0xf];
			put(b, esc, 6);
		}
	}
	put(b, s + run, len - run);
	put(b, "\"", 1);
}

/* Decodes one UTF-8 sequence at s (valid UTF-8: jansson checked it). */
static uint32_t
utf8_next(const unsigned char **s, const unsigned char *end)
{
	const unsigned char *p = *s;
	uint32_t cp;
	int n, i;

	if (p[0] < 0x80) {
		*s = p + 1;
		return p[0];
	}
	if ((p[0] & 0xe0) == 0xc0) {
		cp = p[0] & 0x1f;
		n = 1;
	} else if ((p[0] & 0xf0) == 0xe0) {
		cp = p[0] & 0x0f;
		n = 2;
	} else {
		cp = p[0] & 0x07;
		n = 3;
	}
	for (i = 1; i <= n && p + i < end; i++)
		cp = (cp << 6) | (p[i] & 0x3f);
	*s = p + i;
	return cp;
}

/* Splits a code point into UTF-16 code units; returns how many (1 or 2). */
static int
utf16_units(uint32_t cp, uint16_t u[2])
{
	if (cp < 0x10000) {
		u[0] = (uint16_t)cp;
		return 1;
	}
	cp -= 0x10000;
	u[0] = (uint16_t)(0xd800 + (cp >> 10));
	u[1] = (uint16_t)(0xdc00 + (cp & 0x3ff));
	return 2;
}

/* Compares two UTF-8 strings by their UTF-16 code units (RFC 8785 §3.2.3). */
int
jcs_key_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	const unsigned char *pa = (const unsigned char *)a, *ea = pa + alen;
	const unsigned char *pb = (const unsigned char *)b, *eb = pb + blen;
	uint16_t ua[2], ub[2];
	int na = 0, nb = 0, ia = 0, ib = 0;

	for (;;) {
		if (ia == na) {
			if (pa == ea)
				na = 0;
			else
				na = utf16_units(utf8_next(&pa, ea), ua);
			ia = 0;
		}
		if (ib == nb) {
			if (pb == eb)
				nb = 0;
			else
				nb = utf16_units(utf8_next(&pb, eb), ub);
			ib = 0;
		}
		if (na == 0 || nb == 0)
			return (na != 0) - (nb != 0);
		if (ua[ia] != ub[ib])
			return ua[ia] < ub[ib] ? -1 : 1;
		ia++;
		ib++;
	}
}

struct member_ref {
	const char *key;
	size_t len;
	json_t *value;
};

/* Orders object members by key for qsort. */
static int
cmp_member(const void *x, const void *y)
{
	const struct member_ref *a = x, *b = y;

	return jcs_key_cmp(a->key, a->len, b->key, b->len);
}

static void emit(struct jbuf *b, const json_t *v, int depth);

/* Writes an object with its members in canonical order. */
static void
emit_object(struct jbuf *b, const json_t *v, int depth)
{
	struct member_ref *m;
	size_t n = json_object_size(v), i = 0;
	void *it;

	put(b, "{", 1);
	if (n > 0) {
		if ((m = calloc(n, sizeof(*m))) == NULL) {
			b->err = E(NOMEM);
			return;
		}
		for (it = json_object_iter((json_t *)v); it != NULL && i < n;
		    it = json_object_iter_next((json_t *)v, it), i++) {
			m[i].key = json_object_iter_key(it);
			m[i].len = json_object_iter_key_len(it);
			m[i].value = json_object_iter_value(it);
		}
		qsort(m, i, sizeof(*m), cmp_member);
		for (n = i, i = 0; i < n; i++) {
			if (i > 0)
				put(b, ",", 1);
			put_string(b, m[i].key, m[i].len);
			put(b, ":", 1);
			emit(b, m[i].value, depth + 1);
		}
		free(m);
	}
	put(b, "}", 1);
}

/* Writes one value in canonical form. */
static void
emit(struct jbuf *b, const json_t *v, int depth)
{
	char num[32];
	json_int_t i;
	size_t k;

	if (b->err != 0)
		return;
	if (depth > JCS_MAX_DEPTH) {
		b->err = E(TOOBIG);
		return;
	}
	switch (json_typeof(v)) {
	case JSON_OBJECT:
		emit_object(b, v, depth);
		break;
	case JSON_ARRAY:
		put(b, "[", 1);
		for (k = 0; k < json_array_size(v); k++) {
			if (k > 0)
				put(b, ",", 1);
			emit(b, json_array_get(v, k), depth + 1);
		}
		put(b, "]", 1);
		break;
	case JSON_STRING:
		put_string(b, json_string_value(v), json_string_length(v));
		break;
	case JSON_INTEGER:
		i = json_integer_value(v);
		if (i > JCS_MAX_INT || i < -JCS_MAX_INT) {
			b->err = E(TOOBIG);
			return;
		}
		snprintf(num, sizeof(num), "%lld", (long long)i);
		put(b, num, strlen(num));
		break;
	case JSON_REAL:
		b->err = E(BADTYPE);  /* order requests hold integers only */
		break;
	case JSON_TRUE:
		put(b, "true", 4);
		break;
	case JSON_FALSE:
		put(b, "false", 5);
		break;
	case JSON_NULL:
		put(b, "null", 4);
		break;
	}
}

/*
 * Writes the canonical form of v into a malloc'd NUL-terminated buffer.
 * Refuses real numbers (E(BADTYPE)), integers beyond 2^53 - 1 and nesting
 * deeper than 64 (E(TOOBIG)).
 */
int
jcs_canonical(const json_t *v, char **out, size_t *len)
{
	struct jbuf b = { NULL, 0, 0, 0 };

	*out = NULL;
	*len = 0;
	if (v == NULL)
		return E(INVAL);
	emit(&b, v, 0);
	if (b.err == 0 && b.p == NULL)
		put(&b, "", 0);
	if (b.err != 0) {
		free(b.p);
		return b.err;
	}
	*out = b.p;
	*len = b.len;
	return 0;
}
