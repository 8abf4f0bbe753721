/* Small helpers: hex, UTF-8, dates, SIRET, clocks, memory, big-endian integers. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "core.h"

/* Writes len bytes as 2*len lowercase hex characters and a NUL. */
void
util_hex(char *out, const uint8_t *in, size_t len)
{
	static const char digits[] = "0123456789abcdef";
	size_t i;

	for (i = 0; i < len; i++) {
		out[2 * i] = digits[in[i] >> 4];
		out[2 * i + 1] = digits[in[i] & 0xf];
	}
	out[2 * len] = '\0';
}

/* Returns the value of one hex digit, or -1. */
static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parses exactly 2*len hex characters (and nothing more) into out. */
int
util_unhex(uint8_t *out, size_t len, const char *hex)
{
	return util_unhex_n(out, len, hex, strlen(hex));
}

/* Parses hexlen hex characters, which must be exactly 2*len, into out. */
int
util_unhex_n(uint8_t *out, size_t len, const char *hex, size_t hexlen)
{
	size_t i;
	int hi, lo;

	if (hexlen != 2 * len)
		return E(INVAL);
	for (i = 0; i < len; i++) {
		hi = hexval(hex[2 * i]);
		lo = hexval(hex[2 * i + 1]);
		if (hi < 0 || lo < 0)
			return E(INVAL);
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* Strict UTF-8: no overlong forms, no surrogates, nothing past U+10FFFF, no NUL. */
bool
util_utf8_valid(const uint8_t *s, size_t len)
{
	size_t i = 0, n, k;
	uint32_t c;

	while (i < len) {
		c = s[i];
		if (c == 0)
			return false;
		if (c < 0x80) {
			i++;
			continue;
		}
		if (c >= 0xc2 && c <= 0xdf) {
			n = 1;
			c &= 0x1f;
		} else if (c >= 0xe0 && c <= 0xef) {
			n = 2;
			c &= 0x0f;
		} else if (c >= 0xf0 && c <= 0xf4) {
			n = 3;
			c &= 0x07;
		} else
			return false;
		if (len - i <= n)
			return false;
		for (k = 1; k <= n; k++) {
			if ((s[i + k] & 0xc0) != 0x80)
				return false;
			c = c << 6 | (s[i + k] & 0x3f);
		}
		if ((n == 2 && c < 0x800) || (n == 3 && c < 0x10000) ||
		    c > 0x10ffff || (c >= 0xd800 && c <= 0xdfff))
			return false;
		i += n + 1;
	}
	return true;
}

/* Returns whether the year is a Gregorian leap year. */
static bool
leap(int y)
{
	return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

/*
 * Why s is not a date: exactly YYYY-MM-DD naming a real calendar day of
 * the years UTIL_DATE_YEAR_MIN to UTIL_DATE_YEAR_MAX.  NULL for a date.
 */
const char *
util_date_why(const char *s, size_t len)
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y, m, d, dim;
	size_t i;

	if (len != 10 || s[4] != '-' || s[7] != '-')
		return _("not of the form YYYY-MM-DD");
	for (i = 0; i < 10; i++)
		if (i != 4 && i != 7 && (s[i] < '0' || s[i] > '9'))
			return _("not of the form YYYY-MM-DD");
	y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
	m = (s[5] - '0') * 10 + (s[6] - '0');
	d = (s[8] - '0') * 10 + (s[9] - '0');
	if (y < UTIL_DATE_YEAR_MIN || y > UTIL_DATE_YEAR_MAX)
		return _("the year is out of the range");
	if (m < 1 || m > 12)
		return _("the month is not 01 to 12");
	dim = mdays[m - 1] + (m == 2 && leap(y));
	return d >= 1 && d <= dim ? NULL : _("that month has no such day");
}

/* Accepts exactly YYYY-MM-DD naming a real calendar day (util_date_why). */
bool
util_date_valid(const char *s, size_t len)
{
	return util_date_why(s, len) == NULL;
}

/* Maps an errno value to a consort error: the one place that does. */
int
util_errno(int e)
{
	switch (e) {
	case 0:
		return 0;
	case ENOENT:
		return E(NOENT);
	case EEXIST:
		return E(EXIST);
	case ENOSPC:
	case EDQUOT:
		return E(NOSPC);
	case EACCES:
	case EPERM:
		return E(PERM);
	case EROFS:
		return E(READONLY);
	case ENOTDIR:
	case ENAMETOOLONG:
		return E(INVAL);
	case ENOMEM:
		return E(NOMEM);
	default:
		return E(IO);
	}
}

/* Reads the start of a small file of /proc into buf, a string; false if not. */
static bool
read_proc(const char *path, char *buf, size_t len)
{
	ssize_t n;
	int fd;

	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return false;
	n = read(fd, buf, len - 1);
	close(fd);
	if (n <= 0)
		return false;
	buf[n] = '\0';
	return true;
}

/* The bytes this process has given to write(2) and its kin: /proc/self/io's wchar. */
uint64_t
util_written_bytes(void)
{
	unsigned long long rchar, wchar;
	char buf[512];

	if (!read_proc("/proc/self/io", buf, sizeof(buf)) ||
	    sscanf(buf, "rchar: %llu wchar: %llu", &rchar, &wchar) != 2)
		return 0;
	return (uint64_t)wchar;
}

/* Returns whether the digits pass the Luhn check. */
static bool
luhn(const char *s, size_t len)
{
	unsigned sum = 0, dgt;
	size_t i;

	for (i = 0; i < len; i++) {
		dgt = (unsigned)(s[len - 1 - i] - '0');
		if (i % 2) {
			dgt *= 2;
			if (dgt > 9)
				dgt -= 9;
		}
		sum += dgt;
	}
	return sum % 10 == 0;
}

/* A SIRET: 14 digits whose Luhn check holds. */
bool
util_siret_valid(const char *s, size_t len)
{
	size_t i;

	if (len != 14)
		return false;
	for (i = 0; i < len; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return luhn(s, len);
}

/* A replacement clock for tests that must replay exactly; NULL: the real one. */
uint64_t (*util_clock)(void);

/* Wall-clock time in milliseconds since the epoch. */
uint64_t
util_now_ms(void)
{
	struct timespec ts;

	if (util_clock != NULL)
		return util_clock();
	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* The process's private resident memory: statm's resident less shared. */
uint64_t
util_private_bytes(void)
{
	unsigned long size, resident, shared;
	long page = sysconf(_SC_PAGESIZE);
	char buf[128];

	if (page <= 0 || !read_proc("/proc/self/statm", buf, sizeof(buf)) ||
	    sscanf(buf, "%lu %lu %lu", &size, &resident, &shared) != 3 ||
	    shared > resident)
		return 0;
	return (uint64_t)(resident - shared) * (uint64_t)page;
}

/* Stores v big-endian in 8 bytes. */
void
util_put_be64(uint8_t *p, uint64_t v)
{
	int i;

	for (i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

/* Reads 8 big-endian bytes. */
uint64_t
util_get_be64(const uint8_t *p)
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

/* Stores v big-endian in 4 bytes. */
void
util_put_be32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

/* Reads 4 big-endian bytes. */
uint32_t
util_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

/* Copies a string value into a buffer, cut to fit ("" when unset). */
void
value_copy_str(char *out, size_t len, const struct value *v)
{
	size_t n = v != NULL && v->kind == VAL_STR ? v->len : 0;

	if (n >= len)
		n = len - 1;
	memcpy(out, n ? v->s : "", n);
	out[n] = '\0';
}

/* Whether text holds needle, ASCII letters compared without case. */
bool
util_holds_nocase(const char *text, size_t len, const char *needle,
    size_t nlen)
{
	size_t i;

	for (i = 0; nlen > 0 && i + nlen <= len; i++)
		if (strncasecmp(text + i, needle, nlen) == 0)
			return true;
	return false;
}

/* Two values are equal when kind and content are. */
bool
value_equal(const struct value *a, const struct value *b)
{
	if (a->kind != b->kind)
		return false;
	switch (a->kind) {
	case VAL_NIL:
		return true;
	case VAL_BOOL:
		return a->b == b->b;
	case VAL_INT:
		return a->i == b->i;
	case VAL_STR:
	case VAL_BIN:
		return a->len == b->len && memcmp(a->s, b->s, a->len) == 0;
	}
	return false;
}
