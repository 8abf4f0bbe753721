/*
 * A streaming JSON writer.  Output is compact (no whitespace), strings are
 * escaped the way JavaScript's JSON.stringify escapes them (non-ASCII as
 * raw UTF-8), so the canonical export digests the same as other tools.
 */
#include <stdio.h>
#include <string.h>

#include "core.h"
#include "jsonw.h"

/* Writes the separator a new element needs in the current container. */
static void
jw_sep(struct jsonw *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (w->count[w->depth])
			putc(',', w->f);
		w->count[w->depth]++;
	}
}

/* Opens an object or array. */
static void
jw_open(struct jsonw *w, int c)
{
	jw_sep(w);
	putc(c, w->f);
	if (w->depth + 1 < JSONW_MAX_DEPTH)
		w->depth++;
	w->count[w->depth] = 0;
}

/* Closes the current object or array. */
static void
jw_close(struct jsonw *w, int c)
{
	putc(c, w->f);
	if (w->depth > 0)
		w->depth--;
}

/* Starts writing to f. */
void
jw_init(struct jsonw *w, FILE *f)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
}

/* Opens an object. */
void
jw_obj(struct jsonw *w)
{
	jw_open(w, '{');
}

/* Closes an object. */
void
jw_obj_end(struct jsonw *w)
{
	jw_close(w, '}');
}

/* Opens an array. */
void
jw_arr(struct jsonw *w)
{
	jw_open(w, '[');
}

/* Closes an array. */
void
jw_arr_end(struct jsonw *w)
{
	jw_close(w, ']');
}

/* Writes a string body with JSON.stringify's escapes. */
static void
jw_escaped(struct jsonw *w, const char *s, size_t len)
{
	static const char hex[] = "0123456789abcdef";
	unsigned char c;
	size_t i, run = 0;

	putc('"', w->f);
	for (i = 0; i < len; i++) {
		c = (unsigned char)s[i];
		if (c >= 0x20 && c != '"' && c != '\\')
			continue;
		fwrite(s + run, 1, i - run, w->f);
		run = i + 1;
		putc('\\', w->f);
		switch (c) {
		case '"': putc('"', w->f); break;
		case '\\': putc('\\', w->f); break;
		case '\b': putc('b', w->f); break;
		case '\t': putc('t', w->f); break;
		case '\n': putc('n', w->f); break;
		case '\f': putc('f', w->f); break;
		case '\r': putc('r', w->f); break;
		default:
			fputs("u00", w->f);
			putc(hex[c >> 4], w->f);
			putc(hex[c & 0xf], w->f);
		}
	}
	fwrite(s + run, 1, len - run, w->f);
	putc('"', w->f);
}

/* Writes an object key (len bytes). */
void
jw_keyn(struct jsonw *w, const char *k, size_t len)
{
	jw_sep(w);
	jw_escaped(w, k, len);
	putc(':', w->f);
	w->after_key = true;
}

/* Writes a NUL-terminated object key. */
void
jw_key(struct jsonw *w, const char *k)
{
	jw_keyn(w, k, strlen(k));
}

/* Writes a string value (len bytes). */
void
jw_strn(struct jsonw *w, const char *s, size_t len)
{
	jw_sep(w);
	jw_escaped(w, s, len);
}

/* Writes a NUL-terminated string value. */
void
jw_str(struct jsonw *w, const char *s)
{
	jw_strn(w, s, strlen(s));
}

/* Writes an integer value. */
void
jw_int(struct jsonw *w, int64_t i)
{
	jw_sep(w);
	fprintf(w->f, "%lld", (long long)i);
}

/* Writes true or false. */
void
jw_bool(struct jsonw *w, bool b)
{
	jw_sep(w);
	fputs(b ? "true" : "false", w->f);
}

/* Writes null. */
void
jw_null(struct jsonw *w)
{
	jw_sep(w);
	fputs("null", w->f);
}

/* Writes bytes as a lowercase hex string. */
void
jw_hex(struct jsonw *w, const uint8_t *p, size_t len)
{
	char buf[2 * 64 + 1];

	if (len > 64)
		len = 64;
	util_hex(buf, p, len);
	jw_strn(w, buf, 2 * len);
}

/* Writes a field value. */
void
jw_value(struct jsonw *w, const struct value *v)
{
	switch (v->kind) {
	case VAL_NIL:
		jw_null(w);
		break;
	case VAL_BOOL:
		jw_bool(w, v->b);
		break;
	case VAL_INT:
		jw_int(w, v->i);
		break;
	case VAL_STR:
		jw_strn(w, v->s, v->len);
		break;
	case VAL_BIN:
		jw_hex(w, (const uint8_t *)v->s, v->len);
		break;
	}
}
