/*
 * The one bounded string builder of the tree.  Text built piece by piece
 * (a list of rule ids, an identifier made of user data, a place in a
 * document) goes into a fixed buffer through these functions and nowhere
 * else: an append never writes past the capacity, and one that does not
 * fit marks the builder truncated and empties it, so that a cut text can
 * never be used by mistake.  Callers check strbuf_end(), whose result they
 * cannot ignore: a truncation is an error, never silent.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "core.h"

/* Starts an empty text in buf, which holds cap bytes (the NUL included). */
void
strbuf_init(struct strbuf *sb, char *buf, size_t cap)
{
	sb->buf = buf;
	sb->cap = cap;
	sb->len = 0;
	sb->truncated = cap == 0;
	if (cap > 0)
		buf[0] = '\0';
}

/* Marks the text cut: it is emptied and every later append does nothing. */
static void
cut(struct strbuf *sb)
{
	sb->truncated = true;
	sb->len = 0;
	if (sb->cap > 0)
		sb->buf[0] = '\0';
}

/* Appends n bytes (which must not hold a NUL). */
void
strbuf_add(struct strbuf *sb, const char *s, size_t n)
{
	if (sb->truncated)
		return;
	if (n >= sb->cap - sb->len) {
		cut(sb);
		return;
	}
	memcpy(sb->buf + sb->len, s, n);
	sb->len += n;
	sb->buf[sb->len] = '\0';
}

/* Appends a C string. */
void
strbuf_puts(struct strbuf *sb, const char *s)
{
	strbuf_add(sb, s, strlen(s));
}

/* Appends formatted text, from a va_list. */
void
strbuf_vprintf(struct strbuf *sb, const char *fmt, va_list ap)
{
	size_t room;
	int n;

	if (sb->truncated)
		return;
	room = sb->cap - sb->len;
	n = vsnprintf(sb->buf + sb->len, room, fmt, ap);
	if (n < 0 || (size_t)n >= room) {
		cut(sb);
		return;
	}
	sb->len += (size_t)n;
}

/* Appends formatted text. */
void
strbuf_printf(struct strbuf *sb, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	strbuf_vprintf(sb, fmt, ap);
	va_end(ap);
}

/* Returns 0 when every append fitted, E(TOOBIG) when the text was cut. */
int
strbuf_end(const struct strbuf *sb)
{
	return sb->truncated ? E(TOOBIG) : 0;
}
