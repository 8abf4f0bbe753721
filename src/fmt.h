/*
 * The formats of the documents people read (the printable request, the
 * CSV files, the monthly statement, the list of orders): numbers, amounts,
 * hours, dates, months and yes or no in the document's language, and CSV
 * cells a spreadsheet opens safely.  French is the default; English gives
 * the formats consort wrote before it spoke French, byte for byte.  The
 * language is the document's, chosen with --lang, never the user's locale.
 */
#ifndef CONSORT_FMT_H
#define CONSORT_FMT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* The language of a document. */
enum fmt_lang {
	FMT_FR,  /* the default */
	FMT_EN,
};

/* Where a formatted value goes: its spaces and separators depend on it. */
enum fmt_out {
	FMT_TEXT,  /* a terminal or a text file */
	FMT_HTML,  /* an HTML page (UTF-8) */
	FMT_CSV,   /* a spreadsheet cell: no separator of thousands */
};

#define FMT_NNBSP "\xe2\x80\xaf"  /* U+202F, between groups of thousands */
#define FMT_NBSP "\xc2\xa0"       /* U+00A0, between a number and its unit */
#define FMT_BOM "\xef\xbb\xbf"    /* what tells a spreadsheet it is UTF-8 */

/*
 * Reads a language's name.
 * @return true for "fr" or "en" (*lang set), false for anything else
 */
bool fmt_lang_parse(const char *s, enum fmt_lang *lang);

/*
 * Formats v / 10^decimals with a point and groups of thousands: -1234567
 * with 2 decimals, "." and "," gives "-12.345,67"; every int64_t value.
 * @param group between groups of three digits ("" for none)
 * @param point before the decimals (unused when decimals is 0)
 * @return 0, or E(TOOBIG) (it does not fit in len bytes; buf is ""), or
 *	E(INVAL) (decimals over 18)
 */
int fmt_decimal(char *buf, size_t len, int64_t v, unsigned decimals,
    const char *group, const char *point);

/*
 * Formats cents as euros with a decimal comma: digits grouped by three
 * with group between, then before and the euro sign ("1 234,50 €").
 * @return 0, or E(TOOBIG) (it does not fit in len bytes; buf is "")
 */
int fmt_euros_sep(char *buf, size_t len, int64_t cents, const char *group,
    const char *before);

/*
 * Formats cents as euros: in French "1 234,50 €" (U+202F between groups,
 * U+00A0 before the sign) for text and HTML, "1234,50" for CSV; in English
 * what consort wrote before, "1 234,50 €" for text, "1&nbsp;234,50&nbsp;€"
 * for HTML, "1234.50" for CSV.
 * @return 0, or E(TOOBIG) (buf is "")
 */
int fmt_euros(char *buf, size_t len, int64_t cents, enum fmt_lang lang,
    enum fmt_out out);

/*
 * Formats a number of hours: in French grouped by thousands with U+202F
 * ("1 176") for text and HTML; plain digits ("1176") in English and in CSV.
 * @return 0, or E(TOOBIG) (buf is "")
 */
int fmt_hours(char *buf, size_t len, int64_t hours, enum fmt_lang lang,
    enum fmt_out out);

/*
 * Writes a day YYYY-MM-DD as JJ/MM/AAAA in French, as it is in English;
 * text that is no such day (empty, another form) is copied as it is, cut
 * to len - 1 bytes.
 */
void fmt_date(char *buf, size_t len, const char *iso, enum fmt_lang lang);

/*
 * Writes a month YYYY-MM as "mars 2026" in French, as it is in English;
 * text that is no such month is copied as it is, cut to len - 1 bytes.
 */
void fmt_month(char *buf, size_t len, const char *ym, enum fmt_lang lang);

/* "oui" or "non" in French, "yes" or "no" in English. */
const char *fmt_yes_no(bool v, enum fmt_lang lang);

/*
 * A value of an ENUM field of schema/entities.def as people read it: in
 * French its label ("APPRENTICESHIP" of intent.contract: "Apprentissage",
 * written into buf), else (English, or a value with no label) the value.
 */
const char *fmt_value(char *buf, size_t len, const char *type,
    const char *field, const char *value, enum fmt_lang lang);

/* A record type's name for people: its French label in French, else type. */
const char *fmt_type(const char *type, enum fmt_lang lang);

/* Writes n bytes of text with HTML's special characters escaped. */
void fmt_html(FILE *f, const char *s, size_t n);

/*
 * Writes s and spaces up to width characters (UTF-8 code points, not
 * bytes), the spaces after (left aligned) or before (right aligned).
 */
void fmt_pad(FILE *f, const char *s, int width, bool right);

/*
 * A CSV file as the language's spreadsheets open it.  French: UTF-8 with
 * a BOM, ";" between cells, decimal comma, dates JJ/MM/AAAA, as French
 * Excel and LibreOffice read it.  English: no BOM, ",", decimal point,
 * dates YYYY-MM-DD.  Both: RFC 4180 quoting, CRLF line ends, control
 * characters removed, and a leading apostrophe on a cell a spreadsheet
 * would evaluate as a formula.
 */
struct fmt_csv {
	FILE *f;
	enum fmt_lang lang;
};

/* Starts the file: the BOM in French, nothing in English. */
void fmt_csv_begin(const struct fmt_csv *c);
/*
 * Writes one cell of text and what follows it (the separator, or CRLF
 * after the last of a row).
 * @return 0, or E(NOMEM)
 */
int fmt_csv_cell(const struct fmt_csv *c, const char *s, bool last);
/* Writes an integer cell. @return 0, or E(NOMEM) */
int fmt_csv_int(const struct fmt_csv *c, int64_t v, bool last);
/* Writes cents as a cell of euros: 6514,20 (French), 6514.20. @return 0, or E(NOMEM) */
int fmt_csv_euros(const struct fmt_csv *c, int64_t cents, bool last);
/* Writes a day as a cell (fmt_date). @return 0, or E(NOMEM) */
int fmt_csv_date(const struct fmt_csv *c, const char *iso, bool last);
/*
 * Writes a month YYYY-MM as a cell: MM/AAAA in French (a spreadsheet keeps
 * it as text), as it is in English. @return 0, or E(NOMEM)
 */
int fmt_csv_month(const struct fmt_csv *c, const char *ym, bool last);
/* Writes a yes-or-no cell: oui/non (French), true/false. @return 0, or E(NOMEM) */
int fmt_csv_bool(const struct fmt_csv *c, bool v, bool last);

#endif
