/*
 * Spreadsheet cells into field values: what a French provider's sheet
 * holds (dates as 31/12/2026 or .xlsx serial numbers, numbers grouped by
 * spaces or with a decimal comma, Oui and Non, SIRETs in groups of digits,
 * words in any case) made into the one form the schema keeps.  A refusal
 * says which rule the cell breaks and, for a personal field, never repeats
 * the value.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"

/* The integers a double holds exactly: serial numbers, SIRETs. */
#define EXACT_MAX 9007199254740992.0

/* Length of the space that starts s: ASCII space or tab, no-break ones. */
static size_t
space_at(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;

	if (len >= 1 && (u[0] == ' ' || u[0] == '\t'))
		return 1;
	if (len >= 2 && u[0] == 0xc2 && u[1] == 0xa0)
		return 2;  /* U+00A0 no-break space */
	if (len >= 3 && u[0] == 0xe2 && u[1] == 0x80 &&
	    (u[2] == 0xaf || u[2] == 0x89 || u[2] == 0x87))
		return 3;  /* U+202F narrow no-break, U+2009 thin, U+2007 figure */
	return 0;
}

/* Length of the space that ends s (len bytes), or 0. */
static size_t
space_before(const char *s, size_t len)
{
	size_t k;

	for (k = 1; k <= 3 && k <= len; k++)
		if (space_at(s + len - k, k) == k)
			return k;
	return 0;
}

/* Drops the spaces at both ends of a cell. */
void
import_cell_trim(const char **s, size_t *len)
{
	size_t k;

	while (*len > 0 && (k = space_at(*s, *len)) > 0) {
		*s += k;
		*len -= k;
	}
	while (*len > 0 && (k = space_before(*s, *len)) > 0)
		*len -= k;
}

/* The plain letters of U+00C0..U+00FF ("" for the two signs there). */
static const char *const latin1[64] = {
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "ss",
	"a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e",
	"i", "i", "i", "i", "d", "n", "o", "o", "o", "o", "o", "",
	"o", "u", "u", "u", "u", "y", "th", "y",
};

/* Appends n bytes to out if they fit; returns the new length. */
static size_t
put(char *out, size_t o, size_t size, const char *s, size_t n)
{
	if (o + n < size) {
		memcpy(out + o, s, n);
		return o + n;
	}
	return o;
}

/*
 * Folds a header or a word for a loose comparison: ASCII letters in lower
 * case, Latin letters without their accents (é e, œ oe), the typographic
 * apostrophe as ', '_' and every run of spaces as one space, none at the
 * ends.  Returns the length written to out (NUL-terminated, cut to fit).
 */
size_t
import_cell_fold(const char *s, size_t len, char *out, size_t size)
{
	const unsigned char *u;
	const char *l;
	size_t i = 0, o = 0, k;
	bool space = false;

	if (size == 0)
		return 0;
	while (i < len) {
		u = (const unsigned char *)s + i;
		if ((k = space_at(s + i, len - i)) > 0 || u[0] == '_') {
			space = o > 0;
			i += k ? k : 1;
			continue;
		}
		if (space)
			o = put(out, o, size, " ", 1);
		space = false;
		if (u[0] >= 'A' && u[0] <= 'Z') {
			char c = (char)(u[0] - 'A' + 'a');

			o = put(out, o, size, &c, 1);
			i++;
		} else if (u[0] == 0xc3 && i + 1 < len && u[1] >= 0x80 &&
		    u[1] <= 0xbf) {
			l = latin1[u[1] - 0x80];
			o = put(out, o, size, *l ? l : (const char *)u, *l ?
			    strlen(l) : 2);
			i += 2;
		} else if (u[0] == 0xc5 && i + 1 < len &&
		    (u[1] == 0x92 || u[1] == 0x93)) {
			o = put(out, o, size, "oe", 2);  /* Œ œ */
			i += 2;
		} else if (u[0] == 0xe2 && i + 2 < len && u[1] == 0x80 &&
		    (u[2] == 0x98 || u[2] == 0x99)) {
			o = put(out, o, size, "'", 1);   /* ‘ ’ */
			i += 3;
		} else {
			o = put(out, o, size, s + i, 1);
			i++;
		}
	}
	out[o] = '\0';
	return o;
}

/* Whether two cells are the same word once folded. */
bool
import_cell_same(const char *a, size_t alen, const char *b, size_t blen)
{
	char fa[256], fb[256];
	size_t na, nb;

	if (alen >= sizeof(fa) || blen >= sizeof(fb))
		return false;
	na = import_cell_fold(a, alen, fa, sizeof(fa));
	nb = import_cell_fold(b, blen, fb, sizeof(fb));
	return na > 0 && na == nb && memcmp(fa, fb, na) == 0;
}

/*
 * Fills d with why the cell is refused, in the user's language (fmt is
 * marked N_() where given), and returns E(SCHEMA).
 */
static int
refuse(struct consort_diag *d, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
refuse(struct consort_diag *d, const char *fmt, ...)
{
	char what[sizeof(d->what)];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), _(fmt), ap);
	va_end(ap);
	return consort_diag_set(d, E(SCHEMA), NULL, what, NULL);
}

/* "\"VALUE\": " for a field that is not personal, "" for one that is. */
static const char *
shown(const struct schema_field *f, const char *s, size_t len, char *buf,
    size_t size)
{
	if (f->personal)
		return "";
	snprintf(buf, size, _("\"%.*s%s\": "), (int)(len > 40 ? 40 : len), s,
	    len > 40 ? "..." : "");
	return buf;
}

/* A number as a sheet writes it: sign, digits grouped by spaces, decimals. */
struct number {
	bool neg;
	bool grouped;     /* spaces between the digits of the whole part */
	uint64_t whole;
	const char *frac; /* the digits after ',' or '.' */
	size_t nfrac;
	char mark;        /* ',' or '.', or 0 */
};

/* Reads a number of text; false for anything else, or over 18 digits. */
static bool
read_number(const char *s, size_t len, struct number *n)
{
	size_t i = 0, k, digits = 0;

	memset(n, 0, sizeof(*n));
	if (len > 0 && (s[0] == '-' || s[0] == '+')) {
		n->neg = s[0] == '-';
		i++;
	}
	while (i < len) {
		if (s[i] >= '0' && s[i] <= '9') {
			if (++digits > 18)
				return false;
			n->whole = n->whole * 10 + (uint64_t)(s[i++] - '0');
		} else if (digits > 0 && (k = space_at(s + i, len - i)) > 0 &&
		    i + k < len && s[i + k] >= '0' && s[i + k] <= '9') {
			n->grouped = true;
			i += k;
		} else
			break;
	}
	if (digits == 0)
		return false;
	if (i < len && (s[i] == ',' || s[i] == '.')) {
		n->mark = s[i++];
		n->frac = s + i;
		while (i < len && s[i] >= '0' && s[i] <= '9')
			i++;
		n->nfrac = (size_t)(s + i - n->frac);
		if (n->nfrac == 0)
			return false;
	}
	return i == len;
}

/* Whether the decimals of a number are all zeros. */
static bool
frac_zero(const struct number *n)
{
	size_t i;

	for (i = 0; i < n->nfrac; i++)
		if (n->frac[i] != '0')
			return false;
	return true;
}

/*
 * An .xlsx number cell as a whole number, when it is one (within the
 * rounding of a formula's result); false for a fraction or no number.
 */
static bool
xlsx_whole(const char *s, size_t len, int64_t *out)
{
	char buf[64], *end;
	double x, r;

	if (len == 0 || len >= sizeof(buf))
		return false;
	memcpy(buf, s, len);
	buf[len] = '\0';
	x = strtod(buf, &end);
	if (*end != '\0' || !isfinite(x) || fabs(x) >= EXACT_MAX)
		return false;
	r = nearbyint(x);
	if (fabs(x - r) > 1e-9 * (fabs(r) > 1 ? fabs(r) : 1))
		return false;
	*out = (int64_t)r;
	return true;
}

/* Turns an integer cell into v; a decimal part is taken only when nought. */
static int
int_cell(const struct schema_field *f, enum sheet_cell kind, const char *s,
    size_t len, struct value *v, struct consort_diag *d)
{
	struct number n;
	char buf[64];
	const char *was = shown(f, s, len, buf, sizeof(buf));
	size_t nlen = strlen(f->name);

	v->kind = VAL_INT;
	if (kind == SHEET_NUMBER) {
		if (xlsx_whole(s, len, &v->i))
			return 0;
		return refuse(d, N_("%snot a whole number; this column holds an "
		    "integer"), was);
	}
	if (!read_number(s, len, &n))
		return refuse(d, N_("%snot a number; this column holds an integer "
		    "(digits, which spaces may group)"), was);
	if (n.nfrac > 0 && nlen > 6 && strcmp(f->name + nlen - 6, "_cents") == 0 &&
	    !frac_zero(&n))
		return refuse(d, N_("%sa decimal part; this column counts cents, "
		    "so 14,10 euros is written 1410"), was);
	if (n.nfrac > 0 && !frac_zero(&n))
		return refuse(d, N_("%snot a whole number; this column holds an "
		    "integer"), was);
	if (n.nfrac == 3 && !n.grouped)
		return refuse(d, N_("%sa whole number or thousands?  Write it "
		    "with no separator, or group the thousands by spaces "
		    "(1000, 1 000)"), was);
	v->i = n.neg ? -(int64_t)n.whole : (int64_t)n.whole;
	return 0;
}

/* Checks an integer against f's bounds, saying them. */
static int
int_bounds(const struct schema_field *f, const char *s, size_t len,
    const struct value *v, struct consort_diag *d)
{
	char buf[64];

	if (v->i >= f->lo && v->i <= f->hi)
		return 0;
	return refuse(d, N_("%sout of range %lld..%lld"), shown(f, s, len, buf,
	    sizeof(buf)), (long long)f->lo, (long long)f->hi);
}

/* Checks the length of a string against f's bounds, saying them. */
static int
str_bounds(const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	if (v->len >= f->lo && v->len <= f->hi)
		return 0;
	return refuse(d, N_("%u bytes, where this column takes %lld to %lld"),
	    v->len, (long long)f->lo, (long long)f->hi);
}

/* Whether the folded cell is one of the words of a "|"-separated list. */
static bool
word_in(const char *folded, const char *list)
{
	char w[32];
	const char *p = list, *bar;
	size_t n;

	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		import_cell_fold(p, n, w, sizeof(w));
		if (strcmp(w, folded) == 0)
			return true;
		if (bar == NULL)
			return false;
		p = bar + 1;
	}
}

/* Turns Oui or Non (O, N, vrai, faux, 1, 0, true, false, yes, no) into v. */
static int
bool_cell(const char *s, size_t len, struct value *v, struct consort_diag *d)
{
	char w[16];

	v->kind = VAL_BOOL;
	if (len < sizeof(w)) {
		import_cell_fold(s, len, w, sizeof(w));
		if (word_in(w, "oui|o|vrai|1|true|yes|y")) {
			v->b = true;
			return 0;
		}
		if (word_in(w, "non|n|faux|0|false|no")) {
			v->b = false;
			return 0;
		}
	}
	return refuse(d, N_("expected Oui or Non (or O/N, vrai/faux, 1/0, "
	    "true/false)"));
}

/* Writes the day of a serial number of the 1900 (or 1904) date system. */
static bool
serial_date(int64_t serial, bool date1904, char *out, size_t size)
{
	int64_t days, y, m, doy, mp, era, yoe, doe;

	/* days from 1970-01-01; the 1900 system counts a 29 Feb 1900 */
	if (date1904)
		days = serial - 24107;
	else if (serial >= 61)
		days = serial - 25569;
	else if (serial >= 1 && serial < 60)
		days = serial - 25568;
	else
		return false;
	/* civil_from_days (H. Hinnant) */
	days += 719468;
	era = (days >= 0 ? days : days - 146096) / 146097;
	doe = days - era * 146097;
	yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
	y = yoe + era * 400;
	doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
	mp = (5 * doy + 2) / 153;
	m = mp < 10 ? mp + 3 : mp - 9;
	y += m <= 2;
	if (y < UTIL_DATE_YEAR_MIN || y > UTIL_DATE_YEAR_MAX)
		return false;
	snprintf(out, size, "%04d-%02d-%02d", (int)y, (int)m,
	    (int)(doy - (153 * mp + 2) / 5 + 1));
	return true;
}

/* Reads 1 to max digits at s[*i]; returns how many, 0 if none. */
static size_t
digits(const char *s, size_t len, size_t *i, size_t max, int *out)
{
	size_t k = 0;

	*out = 0;
	while (*i < len && k < max + 1 && s[*i] >= '0' && s[*i] <= '9') {
		*out = *out * 10 + (s[(*i)++] - '0');
		k++;
	}
	return k <= max ? k : 0;
}

/*
 * Turns a date cell into YYYY-MM-DD in norm: 31/12/2026, 1/2/2026 (also
 * with '-' or '.'), 2026-12-31, or an .xlsx serial number.
 */
static int
date_cell(enum sheet_cell kind, const char *s, size_t len, bool date1904,
    char *norm, struct value *v, struct consort_diag *d)
{
	size_t i = 0, k1, k2, k3;
	int a, b, c;
	char sep;
	int64_t serial;
	const char *why;

	if (kind == SHEET_NUMBER) {
		if (!xlsx_whole(s, len, &serial))
			return refuse(d, N_("a date and a time of day: keep the "
			    "date alone"));
		if (!serial_date(serial, date1904, norm, CELL_NORM_MAX))
			return refuse(d, N_("a number that is no date from 1900 "
			    "to 2199: format the column as dates"));
	} else {
		k1 = digits(s, len, &i, 4, &a);
		sep = i < len ? s[i++] : 0;
		if (k1 == 0 || (sep != '/' && sep != '-' && sep != '.'))
			return refuse(d, N_("expected a date as 31/12/2026 or "
			    "2026-12-31"));
		k2 = digits(s, len, &i, 2, &b);
		if (k2 == 0 || i >= len || s[i++] != sep)
			return refuse(d, N_("expected a date as 31/12/2026 or "
			    "2026-12-31"));
		k3 = digits(s, len, &i, 4, &c);
		if (k3 == 0 || i != len)
			return refuse(d, N_("expected a date as 31/12/2026 or "
			    "2026-12-31"));
		if (k1 == 4 && k3 <= 2)
			snprintf(norm, CELL_NORM_MAX, "%04d-%02d-%02d", a, b, c);
		else if (k1 <= 2 && k3 == 4)
			snprintf(norm, CELL_NORM_MAX, "%04d-%02d-%02d", c, b, a);
		else if (k1 <= 2 && k3 == 2)
			return refuse(d, N_("a year of two digits: write the "
			    "year with four, as 31/12/2026 or 2026-12-31"));
		else
			return refuse(d, N_("expected a date as 31/12/2026 or "
			    "2026-12-31"));
	}
	if ((why = util_date_why(norm, 10)) != NULL)
		return refuse(d, N_("expected a date as 31/12/2026 or "
		    "2026-12-31 (from 1900 to 2199): %s"), _(why));
	v->kind = VAL_STR;
	v->s = norm;
	v->len = 10;
	return 0;
}

/* Turns a month cell into YYYY-MM in norm: 2026-04, 04/2026, 4/2026. */
static int
period_cell(enum sheet_cell kind, const char *s, size_t len, bool date1904,
    char *norm, struct value *v, struct consort_diag *d)
{
	size_t i = 0, k1, k2;
	int a, b;
	int64_t serial;

	if (kind == SHEET_NUMBER) {
		if (!xlsx_whole(s, len, &serial) ||
		    !serial_date(serial, date1904, norm, CELL_NORM_MAX))
			return refuse(d, N_("expected a month, as 04/2026 or "
			    "2026-04"));
		norm[7] = '\0';
	} else {
		k1 = digits(s, len, &i, 4, &a);
		if (k1 == 0 || i >= len || (s[i] != '/' && s[i] != '-'))
			return refuse(d, N_("expected a month, as 04/2026 or "
			    "2026-04"));
		i++;
		k2 = digits(s, len, &i, 4, &b);
		if (i != len || !((k1 == 4 && k2 <= 2 && k2 > 0) ||
		    (k1 <= 2 && k2 == 4)))
			return refuse(d, N_("expected a month, as 04/2026 or "
			    "2026-04"));
		snprintf(norm, CELL_NORM_MAX, "%04d-%02d", k1 == 4 ? a : b,
		    k1 == 4 ? b : a);
	}
	v->kind = VAL_STR;
	v->s = norm;
	v->len = 7;
	return 0;
}

/*
 * Turns a SIRET cell into its 14 digits in norm: spaces dropped; an
 * .xlsx number gets back the leading zeros a number cannot hold.
 */
static int
siret_cell(enum sheet_cell kind, const char *s, size_t len, char *norm,
    struct value *v, struct consort_diag *d)
{
	size_t i = 0, n = 0, k;
	int64_t x;

	if (kind == SHEET_NUMBER && xlsx_whole(s, len, &x) && x > 0 &&
	    x < 100000000000000LL)
		n = (size_t)snprintf(norm, CELL_NORM_MAX, "%014lld",
		    (long long)x);
	else
		while (i < len) {
			if ((k = space_at(s + i, len - i)) > 0) {
				i += k;
				continue;
			}
			if (n + 1 >= CELL_NORM_MAX)
				break;
			norm[n++] = s[i++];
		}
	v->kind = VAL_STR;
	v->s = norm;
	v->len = (uint32_t)n;
	for (i = 0; i < n; i++)
		if (norm[i] < '0' || norm[i] > '9')
			return refuse(d, N_("expected a SIRET: 14 digits, which "
			    "spaces may group"));
	if (n == 13)
		return refuse(d, N_("a SIRET of 13 digits: the sheet likely read "
		    "it as a number and dropped its leading 0; format the "
		    "column as text and type the 14 digits"));
	if (n != 14)
		return refuse(d, N_("expected a SIRET: 14 digits, which spaces "
		    "may group"));
	if (!util_siret_valid(norm, n))
		return refuse(d, N_("not a SIRET: its 14 digits fail the check "
		    "of the last one (Luhn key)"));
	return 0;
}

/* The i-th item of a "|"-separated list (its length in len), or NULL. */
static const char *
item_at(const char *list, int i, size_t *len)
{
	const char *p = list, *bar;

	if (list == NULL || list[0] == '\0')
		return NULL;
	while (i-- > 0) {
		if ((p = strchr(p, '|')) == NULL)
			return NULL;
		p++;
	}
	bar = strchr(p, '|');
	*len = bar ? (size_t)(bar - p) : strlen(p);
	return p;
}

/* The i-th word of f's list (its length in len). */
static const char *
word_at(const struct schema_field *f, int i, size_t *len)
{
	return item_at(f->extra, i, len);
}

/*
 * The position in f's list of a cell that names a word of it, or its
 * French label, loosely (case, accents, the typographic apostrophe); -1.
 */
static int
word_index(const struct schema_field *f, const char *s, size_t len)
{
	const char *w;
	size_t n;
	int i;

	for (i = 0; (w = word_at(f, i, &n)) != NULL; i++)
		if (import_cell_same(s, len, w, n) ||
		    ((w = item_at(f->values, i, &n)) != NULL &&
		    import_cell_same(s, len, w, n)))
			return i;
	return -1;
}

/* Writes the words a cell of f may hold: "Label (word), ..." or "a, b". */
static const char *
words(const struct schema_field *f, char *buf, size_t size)
{
	const char *w, *l;
	size_t n, ln, o = 0;
	int i;

	buf[0] = '\0';
	for (i = 0; (w = word_at(f, i, &n)) != NULL && o < size; i++) {
		if ((l = item_at(f->values, i, &ln)) != NULL)
			o += (size_t)snprintf(buf + o, size - o, "%s%.*s (%.*s)",
			    i ? ", " : "", (int)ln, l, (int)n, w);
		else
			o += (size_t)snprintf(buf + o, size - o, "%s%.*s",
			    i ? ", " : "", (int)n, w);
	}
	return buf;
}

/* Turns a word of a list, in any case, into the list's own spelling. */
static int
enum_cell(const struct schema_field *f, const char *s, size_t len,
    struct value *v, struct consort_diag *d)
{
	char buf[64], list[360];
	size_t n;
	int i;

	if ((i = word_index(f, s, len)) < 0)
		return refuse(d, N_("%snot one of %s"), shown(f, s, len, buf,
		    sizeof(buf)), words(f, list, sizeof(list)));
	v->kind = VAL_STR;
	v->s = word_at(f, i, &n);
	v->len = (uint32_t)n;
	return 0;
}

/*
 * Turns a list of words (separated by ',' or ';', in any order and case)
 * into the schema's form in norm: the list's spelling, in its order.
 */
static int
set_cell(const struct schema_field *f, const char *s, size_t len, char *norm,
    struct value *v, struct consort_diag *d)
{
	uint32_t seen = 0;
	const char *w;
	size_t i = 0, j, wl, o = 0, n;
	char buf[64], list[360];
	int k;

	while (i < len) {
		for (j = i; j < len && s[j] != ',' && s[j] != ';'; j++)
			;
		w = s + i;
		wl = j - i;
		import_cell_trim(&w, &wl);
		i = j + 1;
		if (wl == 0)
			continue;
		if ((k = word_index(f, w, wl)) < 0 || k >= 32)
			return refuse(d, N_("%snot one of %s"), shown(f, w, wl,
			    buf, sizeof(buf)), words(f, list, sizeof(list)));
		if (seen & (1u << k))
			return refuse(d, N_("%slisted twice"), shown(f, w, wl,
			    buf, sizeof(buf)));
		seen |= 1u << k;
	}
	for (k = 0; k < 32; k++)
		if (seen & (1u << k)) {
			w = word_at(f, k, &n);
			if (o + n + 2 >= CELL_NORM_MAX)
				return refuse(d, N_("too many words"));
			if (o > 0)
				norm[o++] = ',';
			memcpy(norm + o, w, n);
			o += n;
		}
	v->kind = VAL_STR;
	v->s = norm;
	v->len = (uint32_t)o;
	return 0;
}

/* An .xlsx number as text: a whole number without ".0" or an exponent. */
static void
number_text(const char **s, size_t *len, char *norm)
{
	int64_t x;

	if (xlsx_whole(*s, *len, &x)) {
		*len = (size_t)snprintf(norm, CELL_NORM_MAX, "%lld",
		    (long long)x);
		*s = norm;
	}
}

/* A cell as text: trimmed, an .xlsx number as a whole number if it is one. */
void
import_cell_text(enum sheet_cell kind, const char **s, size_t *len,
    char norm[CELL_NORM_MAX])
{
	import_cell_trim(s, len);
	if (kind == SHEET_NUMBER)
		number_text(s, len, norm);
}

/* Drops "field NAME: " from the front of a refusal of schema_check_value. */
static void
drop_field_name(const struct schema_field *f, struct consort_diag *d)
{
	size_t n = strlen(f->name);

	if (strncmp(d->what, "field ", 6) == 0 &&
	    strncmp(d->what + 6, f->name, n) == 0 &&
	    strncmp(d->what + 6 + n, ": ", 2) == 0)
		memmove(d->what, d->what + 8 + n, strlen(d->what + 8 + n) + 1);
}

/*
 * Turns a spreadsheet cell into a value of f (see the top of this file).
 * A cell of spaces alone is no value: v->kind is VAL_NIL.
 */
int
import_cell_value(const struct schema_field *f, enum sheet_cell kind,
    const char *s, size_t len, bool date1904, char norm[CELL_NORM_MAX],
    struct value *v, struct consort_diag *d)
{
	int rc;

	memset(v, 0, sizeof(*v));
	if (!util_utf8_valid((const uint8_t *)s, len))
		return consort_diag_set(d, E(BADUTF8), NULL, _("not valid UTF-8"),
		    NULL);
	import_cell_trim(&s, &len);
	if (len == 0)
		return 0;
	if (kind == SHEET_ERROR)
		return refuse(d, N_("the cell holds the error %.20s of a formula"),
		    s);
	switch (f->kind) {
	case FK_INT:
		if ((rc = int_cell(f, kind, s, len, v, d)) == 0)
			rc = int_bounds(f, s, len, v, d);
		break;
	case FK_BOOL:
		rc = bool_cell(s, len, v, d);
		break;
	case FK_DATE:
		rc = date_cell(kind, s, len, date1904, norm, v, d);
		break;
	case FK_PERIOD:
		rc = period_cell(kind, s, len, date1904, norm, v, d);
		break;
	case FK_SIRET:
		rc = siret_cell(kind, s, len, norm, v, d);
		break;
	case FK_ENUM:
		rc = enum_cell(f, s, len, v, d);
		break;
	case FK_SET:
		rc = set_cell(f, s, len, norm, v, d);
		break;
	default:
		if (kind == SHEET_NUMBER)
			number_text(&s, &len, norm);
		v->kind = VAL_STR;
		v->s = s;
		v->len = (uint32_t)len;
		rc = f->kind == FK_STR || f->kind == FK_TEXT ?
		    str_bounds(f, v, d) : 0;
		break;
	}
	if (rc == 0 && (rc = schema_check_value(f, v, d)) != 0)
		drop_field_name(f, d);
	return rc;
}
