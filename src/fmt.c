/*
 * The formats of the documents people read, in French (the default) or
 * English: numbers, amounts, hours, dates and months, yes or no, and CSV
 * cells safe to open in a spreadsheet (fmt.h).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fmt.h"

/* Reads "fr" or "en". */
bool
fmt_lang_parse(const char *s, enum fmt_lang *lang)
{
	if (s != NULL && strcmp(s, "fr") == 0)
		*lang = FMT_FR;
	else if (s != NULL && strcmp(s, "en") == 0)
		*lang = FMT_EN;
	else
		return false;
	return true;
}

/* Formats v / 10^decimals with groups of thousands (fmt.h). */
int
fmt_decimal(char *buf, size_t len, int64_t v, unsigned decimals,
    const char *group, const char *point)
{
	uint64_t u = v < 0 ? (uint64_t)(-(v + 1)) + 1 : (uint64_t)v, scale = 1;
	char digits[24];
	struct strbuf sb;
	unsigned k;
	size_t n, i;

	strbuf_init(&sb, buf, len);
	if (decimals > 18)
		return E(INVAL);
	for (k = 0; k < decimals; k++)
		scale *= 10;
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(u / scale));
	n = strlen(digits);
	if (v < 0)
		strbuf_puts(&sb, "-");
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			strbuf_puts(&sb, group);
		strbuf_add(&sb, digits + i, 1);
	}
	if (decimals > 0)
		strbuf_printf(&sb, "%s%0*llu", point, (int)decimals,
		    (unsigned long long)(u % scale));
	return strbuf_end(&sb);
}

/* Formats cents as euros with a decimal comma (fmt.h). */
int
fmt_euros_sep(char *buf, size_t len, int64_t cents, const char *group,
    const char *before)
{
	size_t n;
	int rc;

	if ((rc = fmt_decimal(buf, len, cents, 2, group, ",")) != 0)
		return rc;
	n = strlen(buf);
	if (strlen(before) + 3 >= len - n) {
		buf[0] = '\0';
		return E(TOOBIG);
	}
	snprintf(buf + n, len - n, "%s\xe2\x82\xac", before);
	return 0;
}

/* Formats cents as euros in a language, for a kind of output (fmt.h). */
int
fmt_euros(char *buf, size_t len, int64_t cents, enum fmt_lang lang,
    enum fmt_out out)
{
	const char *sep = out == FMT_HTML ? "&nbsp;" : " ";

	if (out == FMT_CSV)
		return fmt_decimal(buf, len, cents, 2, "", lang == FMT_FR ?
		    "," : ".");
	if (lang == FMT_FR)
		return fmt_euros_sep(buf, len, cents, FMT_NNBSP, FMT_NBSP);
	return fmt_euros_sep(buf, len, cents, sep, sep);
}

/* Formats a number of hours (fmt.h). */
int
fmt_hours(char *buf, size_t len, int64_t hours, enum fmt_lang lang,
    enum fmt_out out)
{
	return fmt_decimal(buf, len, hours, 0, lang == FMT_FR && out !=
	    FMT_CSV ? FMT_NNBSP : "", "");
}

/* Whether s starts with n digits. */
static bool
digits(const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return false;
	return true;
}

/* Copies s into buf, cut to len - 1 bytes. */
static void
copy(char *buf, size_t len, const char *s)
{
	if (len > 0)
		snprintf(buf, len, "%s", s != NULL ? s : "");
}

/* Writes a day YYYY-MM-DD as JJ/MM/AAAA in French (fmt.h). */
void
fmt_date(char *buf, size_t len, const char *iso, enum fmt_lang lang)
{
	if (lang != FMT_FR || iso == NULL || strlen(iso) != 10 ||
	    !util_date_valid(iso, 10) || len < 11) {
		copy(buf, len, iso);
		return;
	}
	snprintf(buf, len, "%.2s/%.2s/%.4s", iso + 8, iso + 5, iso);
}

/* Writes a month YYYY-MM as "mars 2026" in French (fmt.h). */
void
fmt_month(char *buf, size_t len, const char *ym, enum fmt_lang lang)
{
	static const char *const months[] = { "janvier", "février", "mars",
		"avril", "mai", "juin", "juillet", "août", "septembre",
		"octobre", "novembre", "décembre" };
	int m;

	if (lang != FMT_FR || ym == NULL || strlen(ym) != 7 ||
	    !digits(ym, 4) || ym[4] != '-' || !digits(ym + 5, 2)) {
		copy(buf, len, ym);
		return;
	}
	m = (ym[5] - '0') * 10 + (ym[6] - '0');
	if (m < 1 || m > 12) {
		copy(buf, len, ym);
		return;
	}
	snprintf(buf, len, "%s %.4s", months[m - 1], ym);
}

/* "oui" or "non", "yes" or "no". */
const char *
fmt_yes_no(bool v, enum fmt_lang lang)
{
	if (lang == FMT_FR)
		return v ? "oui" : "non";
	return v ? "yes" : "no";
}

/* A value of an ENUM field as people read it: its French label in French. */
const char *
fmt_value(char *buf, size_t len, const char *type, const char *field,
    const char *value, enum fmt_lang lang)
{
	const struct schema_type *t;

	if (lang != FMT_FR || (t = schema_type_by_name(type)) == NULL ||
	    !schema_value_label(schema_field_by_name(t, field, strlen(field)),
	    value, buf, len))
		return value;
	return buf;
}

/* A record type's name: its French label in French. */
const char *
fmt_type(const char *type, enum fmt_lang lang)
{
	const struct schema_type *t;

	if (lang != FMT_FR || (t = schema_type_by_name(type)) == NULL ||
	    t->label == NULL)
		return type;
	return t->label;
}

/* The UTF-8 code points of s (its bytes that start one). */
static int
code_points(const char *s)
{
	int n = 0;

	for (; *s; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			n++;
	return n;
}

/* Writes s padded with spaces to width code points (fmt.h). */
void
fmt_pad(FILE *f, const char *s, int width, bool right)
{
	int n = width - code_points(s);

	for (; right && n > 0; n--)
		putc(' ', f);
	fputs(s, f);
	for (; !right && n > 0; n--)
		putc(' ', f);
}

/*
 * The bytes of a control character at p: C0 (tab, CR and LF included) and
 * DEL are one byte, C1 (U+0080 to U+009F) two in UTF-8; 0 for anything
 * else.
 */
static size_t
control_len(const char *p)
{
	unsigned char c = (unsigned char)p[0];

	if (c < 0x20 || c == 0x7f)
		return 1;
	if (c == 0xc2 && (unsigned char)p[1] >= 0x80 &&
	    (unsigned char)p[1] <= 0x9f)
		return 2;
	return 0;
}

/*
 * Whether s is a plain decimal number: an optional minus, digits, and
 * decimals after point.
 */
static bool
plain_number(const char *s, char point)
{
	size_t i = s[0] == '-', n;

	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
		;
	if (n == 0)
		return false;
	if (s[i] == point) {
		for (i++, n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
			;
		if (n == 0)
			return false;
	}
	return s[i] == '\0';
}

/*
 * Whether a spreadsheet opening the cell would evaluate it: it starts with
 * = + - @ (or their full-width and small forms, U+FF1D U+FF0B U+FF0D
 * U+FF20 U+FE66 U+FE62 U+FE63 U+FE6B), tab or CR (OWASP, "CSV
 * Injection"), and is not a plain number.
 */
static bool
formula_like(const char *s, char point)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
		"\xef\xbc\x8d", "\xef\xbc\xa0", "\xef\xb9\xa6", "\xef\xb9\xa2",
		"\xef\xb9\xa3", "\xef\xb9\xab" };
	size_t i;

	if (plain_number(s, point))
		return false;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		return true;
	for (i = 0; i < nitems(wide); i++)
		if (strncmp(s, wide[i], 3) == 0)
			return true;
	return false;
}

/* Starts a CSV file: the BOM in French. */
void
fmt_csv_begin(const struct fmt_csv *c)
{
	if (c->lang == FMT_FR)
		fputs(FMT_BOM, c->f);
}

/*
 * Writes one CSV cell and what follows it: the text's control characters
 * removed, a leading apostrophe when a spreadsheet would evaluate it
 * (formula_like), RFC 4180 quoting when it holds the separator or a quote.
 */
int
fmt_csv_cell(const struct fmt_csv *c, const char *s, bool last)
{
	const char *special = c->lang == FMT_FR ? ";\"" : ",\"";
	char point = c->lang == FMT_FR ? ',' : '.';
	size_t n = strlen(s), i, k = 0, cl;
	char *t = malloc(n + 1), *p;
	FILE *f = c->f;

	if (t == NULL)
		return E(NOMEM);
	for (i = 0; i < n; ) {
		if ((cl = control_len(s + i)) > 0) {
			i += cl;
			continue;
		}
		t[k++] = s[i++];
	}
	t[k] = '\0';
	if (strpbrk(t, special) == NULL) {
		if (formula_like(t, point))
			putc('\'', f);
		fputs(t, f);
	} else {
		putc('"', f);
		if (formula_like(t, point))
			putc('\'', f);
		for (p = t; *p; p++) {
			if (*p == '"')
				putc('"', f);
			putc(*p, f);
		}
		putc('"', f);
	}
	if (last)
		fputs("\r\n", f);
	else
		putc(c->lang == FMT_FR ? ';' : ',', f);
	free(t);
	return 0;
}

/* Writes an integer CSV cell. */
int
fmt_csv_int(const struct fmt_csv *c, int64_t v, bool last)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return fmt_csv_cell(c, buf, last);
}

/* Writes cents as a CSV cell of euros, with the language's decimal mark. */
int
fmt_csv_euros(const struct fmt_csv *c, int64_t cents, bool last)
{
	char buf[32];

	if (fmt_euros(buf, sizeof(buf), cents, c->lang, FMT_CSV) != 0)
		return E(TOOBIG);  /* cannot happen: 21 digits at most */
	return fmt_csv_cell(c, buf, last);
}

/* Writes a day as a CSV cell, JJ/MM/AAAA in French. */
int
fmt_csv_date(const struct fmt_csv *c, const char *iso, bool last)
{
	char buf[64];

	if (strlen(iso) >= sizeof(buf))
		return fmt_csv_cell(c, iso, last);
	fmt_date(buf, sizeof(buf), iso, c->lang);
	return fmt_csv_cell(c, buf, last);
}

/* Writes a month as a CSV cell, MM/AAAA in French. */
int
fmt_csv_month(const struct fmt_csv *c, const char *ym, bool last)
{
	char buf[8];

	if (c->lang != FMT_FR || strlen(ym) != 7 || !digits(ym, 4) ||
	    ym[4] != '-' || !digits(ym + 5, 2))
		return fmt_csv_cell(c, ym, last);
	snprintf(buf, sizeof(buf), "%.2s/%.4s", ym + 5, ym);
	return fmt_csv_cell(c, buf, last);
}

/* Writes oui/non (French) or true/false (English, as before). */
int
fmt_csv_bool(const struct fmt_csv *c, bool v, bool last)
{
	if (c->lang == FMT_FR)
		return fmt_csv_cell(c, v ? "oui" : "non", last);
	return fmt_csv_cell(c, v ? "true" : "false", last);
}

/* Writes n bytes of text with HTML's special characters escaped. */
void
fmt_html(FILE *f, const char *s, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++, s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: putc(*s, f);
		}
}
