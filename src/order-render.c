/*
 * Rendering a signed order request for people: CSV (one row per path, safe
 * to open in a spreadsheet), one printable HTML page, and a text summary.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/*
 * Formats cents as euros, French style: "12 345,67 €", with sep between
 * groups of thousands and before the euro sign.  Returns E(TOOBIG) (and
 * buf "") when it does not fit in len bytes.
 */
int
order_euros(char *buf, size_t len, int64_t cents, const char *sep)
{
	char digits[32];
	uint64_t u = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
	struct strbuf sb;
	size_t n, i;

	strbuf_init(&sb, buf, len);
	snprintf(digits, sizeof(digits), "%llu", (unsigned long long)(u / 100));
	n = strlen(digits);
	if (cents < 0)
		strbuf_puts(&sb, "-");
	for (i = 0; i < n; i++) {
		if (i > 0 && (n - i) % 3 == 0)
			strbuf_puts(&sb, sep);
		strbuf_add(&sb, digits + i, 1);
	}
	strbuf_printf(&sb, ",%02u%s\xe2\x82\xac", (unsigned)(u % 100), sep);
	return strbuf_end(&sb);
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

/* Whether s is a plain decimal number: an optional minus, digits, cents. */
static bool
plain_number(const char *s)
{
	size_t i = s[0] == '-', n;

	for (n = 0; s[i] >= '0' && s[i] <= '9'; i++, n++)
		;
	if (n == 0)
		return false;
	if (s[i] == '.') {
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
formula_like(const char *s)
{
	static const char *const wide[] = { "\xef\xbc\x9d", "\xef\xbc\x8b",
		"\xef\xbc\x8d", "\xef\xbc\xa0", "\xef\xb9\xa6", "\xef\xb9\xa2",
		"\xef\xb9\xa3", "\xef\xb9\xab" };
	size_t i;

	if (plain_number(s))
		return false;
	if (s[0] != '\0' && strchr("=+-@\t\r", s[0]) != NULL)
		return true;
	for (i = 0; i < nitems(wide); i++)
		if (strncmp(s, wide[i], 3) == 0)
			return true;
	return false;
}

/*
 * Writes one CSV cell and its separator: the text's control characters
 * removed, a leading apostrophe when a spreadsheet would evaluate it
 * (formula_like), RFC 4180 quoting.
 */
static int
csv_cell(FILE *f, const char *s, bool last)
{
	size_t n = strlen(s), i, k = 0, c;
	char *t = malloc(n + 1), *p;

	if (t == NULL)
		return E(NOMEM);
	for (i = 0; i < n; ) {
		if ((c = control_len(s + i)) > 0) {
			i += c;
			continue;
		}
		t[k++] = s[i++];
	}
	t[k] = '\0';
	if (strpbrk(t, ",\"") == NULL) {
		if (formula_like(t))
			putc('\'', f);
		fputs(t, f);
	} else {
		putc('"', f);
		if (formula_like(t))
			putc('\'', f);
		for (p = t; *p; p++) {
			if (*p == '"')
				putc('"', f);
			putc(*p, f);
		}
		putc('"', f);
	}
	fputs(last ? "\r\n" : ",", f);
	free(t);
	return 0;
}

/* Writes an integer CSV cell. */
static int
csv_int(FILE *f, int64_t v, bool last)
{
	char buf[32];

	snprintf(buf, sizeof(buf), "%lld", (long long)v);
	return csv_cell(f, buf, last);
}

/* Writes an amount of cents as a CSV cell of euros with a point: -12.05. */
static int
csv_eur(FILE *f, int64_t cents, bool last)
{
	uint64_t u = cents < 0 ? (uint64_t)(-(cents + 1)) + 1 : (uint64_t)cents;
	char buf[32];

	snprintf(buf, sizeof(buf), "%s%llu.%02u", cents < 0 ? "-" : "",
	    (unsigned long long)(u / 100), (unsigned)(u % 100));
	return csv_cell(f, buf, last);
}

/*
 * The warnings concerning one path (its own, its intent's, its session's)
 * as "R05 (derogation D1);R16"; E(TOOBIG) when they do not fit in sb.
 */
static int
path_warnings(const json_t *req, const char *session, const json_t *path,
    struct strbuf *sb)
{
	const json_t *w = jr_arr(req, "warnings"), *x;
	const char *intent = jr_str(json_object_get(path, "intent"), "ref");
	size_t i;
	bool mine;

	for (i = 0; i < jr_len(w); i++) {
		x = json_array_get(w, i);
		if (strcmp(jr_str(x, "session"), session) != 0)
			continue;
		if (jr_str(x, "path")[0])
			mine = strcmp(jr_str(x, "path"), jr_str(path, "ref")) == 0;
		else if (jr_str(x, "intent")[0])
			mine = strcmp(jr_str(x, "intent"), intent) == 0;
		else
			mine = true;  /* about the whole session */
		if (!mine)
			continue;
		strbuf_printf(sb, "%s%s", sb->len > 0 ? ";" : "", jr_str(x, "rule"));
		if (jr_str(x, "derogation")[0])
			strbuf_printf(sb, " (derogation %s)", jr_str(x, "derogation"));
	}
	return strbuf_end(sb);
}

/*
 * One member of the withdrawals concerning one path (R16), ";"-separated
 * in the order of the request's list: the intent, who withdrew it, or
 * (sub "replaced_by") the ref of its replacement; E(TOOBIG) when they do
 * not fit in sb.
 */
static int
path_withdrawn(const json_t *req, const char *session, const json_t *path,
    const char *sub, const char *key, struct strbuf *sb)
{
	const json_t *w = jr_arr(req, "withdrawn"), *x;
	size_t i, n = 0;

	for (i = 0; i < jr_len(w); i++) {
		x = json_array_get(w, i);
		if (strcmp(jr_str(x, "session"), session) != 0 ||
		    strcmp(jr_str(x, "path"), jr_str(path, "ref")) != 0)
			continue;
		if (sub != NULL)
			x = json_object_get(x, sub);
		strbuf_printf(sb, "%s%s", n++ ? ";" : "", jr_str(x, key));
	}
	return strbuf_end(sb);
}

static const char *const csv_columns[] = {
	"lot", "period", "scheme", "session", "title", "provider_siret",
	"provider_name", "dc4", "site", "territory", "cert_kind", "cert_code",
	"start", "end", "path", "path_start", "trainee", "hours", "modules",
	"financed", "remunerated", "intent", "employer", "employer_siret",
	"contract", "intent_date", "intent_status", "withdrawn_intents",
	"withdrawn_by", "replaced_by", "rate_cents", "cost_cents", "cost_eur",
	"warnings",
};

/*
 * The rate cell of a path: the rate it is priced at (R14); a file built
 * before paths carried theirs priced every path at the lot's.
 */
static int
csv_rate(FILE *f, const json_t *lot, const json_t *p)
{
	if (json_object_get(p, "rate_cents") != NULL)
		return csv_int(f, jr_int(p, "rate_cents"), false);
	if (json_object_get(lot, "rates") != NULL)
		return csv_cell(f, "", false);  /* not financed, no rate that day */
	return csv_int(f, jr_int(lot, "rate_cents"), false);
}

/* The bytes of the warnings cell of one CSV row, its NUL included. */
#define CSV_WARNINGS_MAX 16384

/* The columns of the withdrawals of a path: the member of each, and its object. */
static const char *const csv_withdrawn[][2] = {
	{ NULL, "intent" }, { NULL, "by" }, { "replaced_by", "ref" },
};

/*
 * Fills the withdrawal cells of one path (csv_withdrawn, each of
 * CSV_WARNINGS_MAX bytes); E(TOOBIG) naming the path when one does not fit.
 */
static int
csv_withdrawn_cells(const json_t *req, const json_t *x, const json_t *p,
    char *cells, struct consort_diag *d)
{
	struct strbuf sb;
	size_t c;
	int rc;

	for (c = 0; c < nitems(csv_withdrawn); c++) {
		strbuf_init(&sb, cells + c * CSV_WARNINGS_MAX, CSV_WARNINGS_MAX);
		if (path_withdrawn(req, jr_str(x, "ref"), p, csv_withdrawn[c][0],
		    csv_withdrawn[c][1], &sb) == 0)
			continue;
		rc = consort_diag_set(d, E(TOOBIG), NULL, "the withdrawals of one "
		    "path do not fit in a CSV cell (16 KiB)", "the file was not "
		    "written by consort order build");
		if (d != NULL)
			snprintf(d->where, sizeof(d->where), "session %.100s, path "
			    "%.100s", jr_str(x, "ref"), jr_str(p, "ref"));
		return rc;
	}
	return 0;
}

/* Writes the CSV rows of one list of sessions. */
static int
csv_sessions(FILE *f, const json_t *req, const json_t *list,
    struct consort_diag *d)
{
	const json_t *lot = json_object_get(req, "lot"), *x, *paths, *p, *in;
	const json_t *pv, *cert;
	char *warn, *wd;
	struct strbuf sb;
	size_t i, k;
	int rc = 0;

	if ((warn = malloc(CSV_WARNINGS_MAX)) == NULL)
		return E(NOMEM);
	if ((wd = malloc(nitems(csv_withdrawn) * CSV_WARNINGS_MAX)) == NULL) {
		free(warn);
		return E(NOMEM);
	}
	for (i = 0; rc == 0 && i < jr_len(list); i++) {
		x = json_array_get(list, i);
		paths = jr_arr(x, "paths");
		pv = json_object_get(x, "provider");
		for (k = 0; rc == 0 && k < jr_len(paths); k++) {
			p = json_array_get(paths, k);
			in = json_object_get(p, "intent");
			/* R08: a path's own certification, or its session's */
			cert = json_object_get(p, "certification");
			if (cert == NULL)
				cert = json_object_get(x, "certification");
			strbuf_init(&sb, warn, CSV_WARNINGS_MAX);
			if (path_warnings(req, jr_str(x, "ref"), p, &sb) != 0) {
				rc = consort_diag_set(d, E(TOOBIG), NULL, "the "
				    "warnings of one path do not fit in a CSV cell "
				    "(16 KiB)", "the file was not written by consort "
				    "order build");
				if (d != NULL)
					snprintf(d->where, sizeof(d->where),
					    "session %.100s, path %.100s", jr_str(x, "ref"),
					    jr_str(p, "ref"));
				break;
			}
			if ((rc = csv_withdrawn_cells(req, x, p, wd, d)) != 0)
				break;
			if ((rc = csv_cell(f, jr_str(lot, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(req, "period"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "scheme"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "title"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(pv, "siret"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(pv, "name"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(json_object_get(x,
			    "subcontracting"), "dc4"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "site"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "territory"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(cert, "kind"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(cert, "code"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "start"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(x, "end"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(p, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(p, "start"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(p, "trainee"), false)) != 0 ||
			    (rc = csv_int(f, jr_int(p, "hours"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(p, "modules"), false)) != 0 ||
			    (rc = csv_cell(f, jr_bool(p, "financed") ? "true" :
			    "false", false)) != 0 ||
			    (rc = csv_cell(f, jr_bool(p, "remunerated") ? "true" :
			    "false", false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "ref"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "employer"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "siret"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "contract"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "date"), false)) != 0 ||
			    (rc = csv_cell(f, jr_str(in, "status"), false)) != 0 ||
			    (rc = csv_cell(f, wd, false)) != 0 ||
			    (rc = csv_cell(f, wd + CSV_WARNINGS_MAX, false)) != 0 ||
			    (rc = csv_cell(f, wd + 2 * CSV_WARNINGS_MAX,
			    false)) != 0 ||
			    (rc = csv_rate(f, lot, p)) != 0 ||
			    (rc = csv_int(f, jr_int(p, "cost_cents"), false)) != 0 ||
			    (rc = csv_eur(f, jr_int(p, "cost_cents"), false)) != 0 ||
			    (rc = csv_cell(f, warn, true)) != 0)
				break;
		}
	}
	free(warn);
	free(wd);
	return rc;
}

/*
 * Writes a request as CSV: a header, then one row per path (1e1f
 * sessions, then socle), with its session, intent, cost and the rule ids
 * of the warnings about it.  Every cell is safe to open in a spreadsheet:
 * no control character, nothing it would evaluate as a formula.
 */
int
order_write_csv(FILE *out, const json_t *req, struct consort_diag *d)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < nitems(csv_columns); i++)
		rc = csv_cell(out, csv_columns[i], i + 1 == nitems(csv_columns));
	if (rc == 0)
		rc = csv_sessions(out, req, jr_arr(req, "sessions"), d);
	if (rc == 0)
		rc = csv_sessions(out, req, jr_arr(req, "socle"), d);
	if (rc == 0 && ferror(out))
		rc = E(IO);
	return rc;
}

/* Writes text with HTML's special characters escaped. */
static void
html(FILE *f, const char *s)
{
	for (; *s; s++)
		switch (*s) {
		case '&': fputs("&amp;", f); break;
		case '<': fputs("&lt;", f); break;
		case '>': fputs("&gt;", f); break;
		case '"': fputs("&quot;", f); break;
		case '\'': fputs("&#39;", f); break;
		default: putc(*s, f);
		}
}

/* Writes a table cell holding escaped text. */
static void
td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html(f, s);
	fputs("</td>", f);
}

/* Writes a right-aligned table cell holding an integer. */
static void
td_int(FILE *f, int64_t v)
{
	fprintf(f, "<td class=\"n\">%lld</td>", (long long)v);
}

/* Writes a right-aligned table cell holding an amount in euros. */
static void
td_eur(FILE *f, int64_t cents)
{
	char buf[128];

	order_euros(buf, sizeof(buf), cents, "&nbsp;");
	fprintf(f, "<td class=\"n\" data-cents=\"%lld\">%s</td>",
	    (long long)cents, buf);
}

/* What a cell of an HTML table shows of its row's object. */
enum html_kind {
	CELL_TEXT,      /* a string member, escaped */
	CELL_INT,       /* an integer member, right-aligned */
	CELL_EUR,       /* an amount in cents, as euros, right-aligned */
	CELL_FINANCED,  /* a boolean member: "yes", or "no (R06)" */
	CELL_RECORD,    /* a record named by its members type and ref */
	CELL_WHO,       /* a member named by its members name and siret */
	CELL_AGREEMENT, /* the Region's agreement: ref, reference, date */
};

/*
 * A column of an HTML table: its heading, and the member of each row's
 * object (of its sub-object obj when not NULL) that its cells show.
 */
struct html_col {
	const char *head;
	const char *obj, *key;
	enum html_kind kind;
};

/*
 * Writes the Region's agreement {ref, reference, date, subject} as
 * "REF: REFERENCE of DATE (SUBJECT)", and nothing when x is NULL.
 */
static void
html_agreement(FILE *f, const json_t *x)
{
	if (x == NULL)
		return;
	html(f, jr_str(x, "ref"));
	if (jr_str(x, "reference")[0]) {
		fputs(": ", f);
		html(f, jr_str(x, "reference"));
	}
	if (jr_str(x, "date")[0]) {
		fputs(" of ", f);
		html(f, jr_str(x, "date"));
	}
	if (jr_str(x, "subject")[0]) {
		fputs(" (", f);
		html(f, jr_str(x, "subject"));
		fputs(")", f);
	}
}

/* Writes one cell of a row's object. */
static void
html_cell(FILE *f, const json_t *x, const struct html_col *c)
{
	if (c->obj != NULL)
		x = json_object_get(x, c->obj);
	switch (c->kind) {
	case CELL_TEXT:
		td(f, jr_str(x, c->key));
		break;
	case CELL_INT:
		td_int(f, jr_int(x, c->key));
		break;
	case CELL_EUR:
		td_eur(f, jr_int(x, c->key));
		break;
	case CELL_FINANCED:
		td(f, jr_bool(x, c->key) ? "yes" : "no (R06)");
		break;
	case CELL_RECORD:
		fputs("<td>", f);
		html(f, jr_str(x, "type"));
		fputs(" ", f);
		html(f, jr_str(x, "ref"));
		fputs("</td>", f);
		break;
	case CELL_WHO:
		fputs("<td>", f);
		html(f, jr_str(x, "name"));
		fputs(" (", f);
		html(f, jr_str(x, "siret"));
		fputs(")</td>", f);
		break;
	case CELL_AGREEMENT:
		fputs("<td>", f);
		html_agreement(f, json_object_get(x, c->key));
		fputs("</td>", f);
		break;
	}
}

/* Opens a table with a heading per column, and its body. */
static void
html_head(FILE *f, const struct html_col *c, size_t n)
{
	size_t k;

	fputs("<table><thead><tr>", f);
	for (k = 0; k < n; k++)
		fprintf(f, "<th>%s</th>", c[k].head);
	fputs("</tr></thead><tbody>\n", f);
}

/* Writes the cells of one row's object. */
static void
html_cells(FILE *f, const json_t *x, const struct html_col *c, size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		html_cell(f, x, &c[k]);
}

/* Writes a row per element of an array, each <tr> with attributes attr. */
static void
html_rows(FILE *f, const json_t *rows, const struct html_col *c, size_t n,
    const char *attr)
{
	size_t i;

	for (i = 0; i < jr_len(rows); i++) {
		fprintf(f, "<tr%s>", attr);
		html_cells(f, json_array_get(rows, i), c, n);
		fputs("</tr>\n", f);
	}
}

/* Writes a titled section listing an array as a table, or "None.". */
static void
html_list(FILE *f, const char *title, const json_t *rows,
    const struct html_col *c, size_t n, const char *attr)
{
	fprintf(f, "<section><h2>%s (%zu)</h2>\n", title, jr_len(rows));
	if (jr_len(rows) == 0) {
		fputs("<p>None.</p></section>\n", f);
		return;
	}
	html_head(f, c, n);
	html_rows(f, rows, c, n, attr);
	fputs("</tbody></table></section>\n", f);
}

static const char html_style[] =
	"@page{size:A4;margin:14mm 12mm}"
	"body{font:10pt/1.35 -apple-system,'Segoe UI',Helvetica,Arial,"
	"sans-serif;color:#111;max-width:190mm;margin:0 auto;padding:8mm 0}"
	"h1{font-size:16pt;margin:0 0 2mm}h2{font-size:12pt;margin:6mm 0 2mm;"
	"border-bottom:1px solid #999}h3{font-size:10.5pt;margin:4mm 0 1mm}"
	"table{border-collapse:collapse;width:100%;margin:1mm 0 3mm}"
	"th,td{border:1px solid #bbb;padding:1mm 1.5mm;text-align:left;"
	"vertical-align:top}th{background:#eee}td.n{text-align:right;"
	"white-space:nowrap}tr.total td{font-weight:bold;background:#f6f6f6}"
	".meta td:first-child{width:32mm;font-weight:bold}"
	".warn{color:#8a4b00}.ok{color:#0a6b2a}.bad{color:#b00020}"
	".small{font-size:8.5pt;color:#555;word-break:break-all}"
	".banner{font-weight:bold;border:2px solid #b00020;padding:2mm;"
	"word-break:break-all}"
	"@media print{body{padding:0;max-width:none}section{break-inside:"
	"auto}h2,h3{break-after:avoid}tr{break-inside:avoid}thead{display:"
	"table-header-group}}";

/* Writes one session of the HTML page: its facts, paths and totals. */
static void
html_session(FILE *f, const json_t *x)
{
	static const struct html_col path_cols[] = {
		{ "Path", NULL, "ref", CELL_TEXT },
		{ "Trainee", NULL, "trainee", CELL_TEXT },
		{ "Start", NULL, "start", CELL_TEXT },
		{ "Hours", NULL, "hours", CELL_INT },
		{ "Modules", NULL, "modules", CELL_TEXT },
		{ "Certification", "certification", "code", CELL_TEXT },
		{ "Intent", "intent", "ref", CELL_TEXT },
		{ "Employer", "intent", "employer", CELL_TEXT },
		{ "Contract", "intent", "contract", CELL_TEXT },
		{ "Financed", NULL, "financed", CELL_FINANCED },
		{ "Rate", NULL, "rate_cents", CELL_EUR },
		{ "Cost", NULL, "cost_cents", CELL_EUR },
	};
	const json_t *prov = json_object_get(x, "provider"), *t, *sub;
	size_t i;

	fputs("<h3>", f);
	html(f, jr_str(x, "ref"));
	fputs(" — ", f);
	html(f, jr_str(x, "title"));
	fputs("</h3>\n<table class=\"meta\"><tr><td>Provider</td><td>", f);
	html(f, jr_str(prov, "name"));
	fputs(" (SIRET ", f);
	html(f, jr_str(prov, "siret"));
	fputs(", ", f);
	html(f, jr_str(prov, "role"));
	fputs(")", f);
	if ((sub = json_object_get(x, "subcontracting")) != NULL) {
		fputs("; subcontractor of ", f);
		html(f, jr_str(json_object_get(sub, "for"), "name"));
		fputs(", DC4 ", f);
		html(f, jr_str(sub, "dc4"));
	}
	fputs("</td></tr><tr><td>Site</td><td>", f);
	html(f, jr_str(x, "site"));
	fputs(" (", f);
	html(f, jr_str(x, "territory"));
	fputs(")", f);
	if (jr_str(x, "territory_agreement")[0]) {
		fputs("; Region's agreement: ", f);
		html(f, jr_str(x, "territory_agreement"));
	}
	for (i = 0; i < jr_len(jr_arr(x, "agreements")); i++) {
		fputs(i == 0 ? "; Region's agreements: " : ", ", f);
		html_agreement(f, json_array_get(jr_arr(x, "agreements"), i));
	}
	fputs("</td></tr><tr><td>Certification</td><td>", f);
	html(f, jr_str(json_object_get(x, "certification"), "kind"));
	fputs(" ", f);
	html(f, jr_str(json_object_get(x, "certification"), "code"));
	fputs("</td></tr><tr><td>Dates</td><td>", f);
	html(f, jr_str(x, "start"));
	fputs(" to ", f);
	html(f, jr_str(x, "end"));
	fprintf(f, ", %lld h planned, "
	    "%lld financed places%s, %lld employer%s</td></tr></table>\n",
	    (long long)jr_int(x, "hours"),
	    (long long)jr_int(x, "capacity"), jr_bool(x, "permanent_entry") ?
	    ", permanent entry" : "", (long long)jr_int(x, "employers"),
	    jr_int(x, "employers") == 1 ? "" : "s");
	html_head(f, path_cols, nitems(path_cols));
	html_rows(f, jr_arr(x, "paths"), path_cols, nitems(path_cols), "");
	t = json_object_get(x, "totals");
	fprintf(f, "<tr class=\"total\"><td colspan=\"3\">Session total: %lld "
	    "financed</td>", (long long)jr_int(t, "financed"));
	td_int(f, jr_int(t, "hours"));
	fputs("<td colspan=\"7\"></td>", f);
	td_eur(f, jr_int(t, "cost_cents"));
	fputs("</tr></tbody></table>\n", f);
}

/* Writes a list of sessions with a heading. */
static void
html_sessions(FILE *f, const json_t *list, const char *title)
{
	size_t i;

	fprintf(f, "<section><h2>%s (%zu)</h2>\n", title, jr_len(list));
	for (i = 0; i < jr_len(list); i++)
		html_session(f, json_array_get(list, i));
	fputs("</section>\n", f);
}

/* Writes the totals table: all, per scheme, per provider. */
static void
html_totals(FILE *f, const json_t *t)
{
	static const struct html_col sum_cols[] = {
		{ "", NULL, NULL, CELL_TEXT },
		{ "Sessions", NULL, "sessions", CELL_INT },
		{ "Financed trainees", NULL, "financed", CELL_INT },
		{ "Not financed", NULL, "not_financed", CELL_INT },
		{ "Hours", NULL, "hours", CELL_INT },
		{ "Cost", NULL, "cost_cents", CELL_EUR },
	};
	static const struct html_col provider_cols[] = {
		{ "Provider", NULL, "name", CELL_TEXT },
		{ "SIRET", NULL, "siret", CELL_TEXT },
		{ "Sessions", NULL, "sessions", CELL_INT },
		{ "Financed trainees", NULL, "financed", CELL_INT },
		{ "Hours", NULL, "hours", CELL_INT },
		{ "Cost", NULL, "cost_cents", CELL_EUR },
	};
	static const char *const schemes[] = { "1e1f", "socle" };
	const json_t *bs = json_object_get(t, "by_scheme");
	size_t i;

	fputs("<section><h2>Totals</h2>", f);
	html_head(f, sum_cols, nitems(sum_cols));
	for (i = 0; i < nitems(schemes); i++) {
		fprintf(f, "<tr><td>%s sessions</td>", schemes[i]);
		html_cells(f, json_object_get(bs, schemes[i]), sum_cols + 1,
		    nitems(sum_cols) - 1);
		fputs("</tr>\n", f);
	}
	fputs("<tr class=\"total\"><td>Total</td>", f);
	html_cells(f, t, sum_cols + 1, nitems(sum_cols) - 1);
	fputs("</tr></tbody></table>\n<h3>Per provider</h3>", f);
	html_head(f, provider_cols, nitems(provider_cols));
	html_rows(f, jr_arr(t, "by_provider"), provider_cols,
	    nitems(provider_cols), "");
	fputs("</tbody></table></section>\n", f);
}

/* Writes the warnings, derogations, withdrawals and unfinanced trainees. */
static void
html_notes(FILE *f, const json_t *req)
{
	static const struct html_col warning_cols[] = {
		{ "Rule", NULL, "rule", CELL_TEXT },
		{ "Record", NULL, NULL, CELL_RECORD },
		{ "Message", NULL, "message", CELL_TEXT },
		{ "Derogation", NULL, "derogation", CELL_TEXT },
	};
	static const struct html_col derogation_cols[] = {
		{ "Ref", NULL, "ref", CELL_TEXT },
		{ "Rule", NULL, "rule", CELL_TEXT },
		{ "Session", NULL, "session", CELL_TEXT },
		{ "Intent", NULL, "intent", CELL_TEXT },
		{ "Reason", NULL, "reason", CELL_TEXT },
		{ "Date", NULL, "date", CELL_TEXT },
		{ "Recorded by", "author", NULL, CELL_WHO },
		{ "Region's agreement", NULL, "agreement", CELL_AGREEMENT },
	};
	static const struct html_col withdrawn_cols[] = {
		{ "Intent", NULL, "intent", CELL_TEXT },
		{ "Employer", NULL, "employer", CELL_TEXT },
		{ "Path", NULL, "path", CELL_TEXT },
		{ "Session", NULL, "session", CELL_TEXT },
		{ "Date", NULL, "date", CELL_TEXT },
		{ "Reason", NULL, "reason", CELL_TEXT },
		{ "Withdrawn by", NULL, "by", CELL_TEXT },
		{ "Follow-up", NULL, "followup", CELL_TEXT },
		{ "Replaced by", "replaced_by", "ref", CELL_TEXT },
		{ "Its employer", "replaced_by", "employer", CELL_TEXT },
		{ "Its date", "replaced_by", "date", CELL_TEXT },
	};
	static const struct html_col direct_cols[] = {
		{ "Session", NULL, "session", CELL_TEXT },
		{ "Requested by (SIRET)", NULL, "sender", CELL_TEXT },
		{ "Request no.", NULL, "number", CELL_INT },
		{ "SHA-256", NULL, "sha256", CELL_TEXT },
	};
	static const struct html_col unfinanced_cols[] = {
		{ "Path", NULL, "path", CELL_TEXT },
		{ "Session", NULL, "session", CELL_TEXT },
		{ "Trainee", NULL, "trainee", CELL_TEXT },
		{ "Hours", NULL, "hours", CELL_INT },
	};

	html_list(f, "Warnings", jr_arr(req, "warnings"), warning_cols,
	    nitems(warning_cols), " class=\"warn\"");
	html_list(f, "Derogations", jr_arr(req, "derogations"),
	    derogation_cols, nitems(derogation_cols), "");
	html_list(f, "Withdrawn intents (R16)", jr_arr(req, "withdrawn"),
	    withdrawn_cols, nitems(withdrawn_cols), "");
	html_list(f, "Not financed by the Region (R06)",
	    jr_arr(req, "not_financed"), unfinanced_cols,
	    nitems(unfinanced_cols), "");
	if (jr_len(jr_arr(req, "requested_directly")) > 0)
		html_list(f, "Sessions requested directly by a co-contractor, "
		    "left out (R11)", jr_arr(req, "requested_directly"),
		    direct_cols, nitems(direct_cols), "");
}

/* Writes the order lines of R12. */
static void
html_lines(FILE *f, const json_t *lines)
{
	static const struct html_col line_cols[] = {
		{ "#", NULL, "n", CELL_INT },
		{ "Intent date", NULL, "date", CELL_TEXT },
		{ "Intent", NULL, "intent", CELL_TEXT },
		{ "Path", NULL, "path", CELL_TEXT },
		{ "Session", NULL, "session", CELL_TEXT },
		{ "Trainee", NULL, "trainee", CELL_TEXT },
		{ "Hours", NULL, "hours", CELL_INT },
		{ "Cost", NULL, "cost_cents", CELL_EUR },
	};

	fprintf(f, "<section><h2>Order lines, in the order the requests were "
	    "made (R12) (%zu)</h2>\n", jr_len(lines));
	html_head(f, line_cols, nitems(line_cols));
	html_rows(f, lines, line_cols, nitems(line_cols), "");
	fputs("</tbody></table></section>\n", f);
}

/* Writes the rates a request's paths are priced at (R14), by day. */
static void
html_rates(FILE *f, const json_t *rates)
{
	const json_t *r;
	char eur[64];
	size_t i;

	fputs(", per trainee hour: ", f);
	for (i = 0; i < jr_len(rates); i++) {
		r = json_array_get(rates, i);
		order_euros(eur, sizeof(eur), jr_int(r, "rate_cents"), "&nbsp;");
		fprintf(f, "%s%s %s", i > 0 ? "; " : "", eur,
		    jr_str(r, "since")[0] ? "from" : "from the start");
		if (jr_str(r, "since")[0]) {
			fputs(" ", f);
			html(f, jr_str(r, "since"));
		}
	}
}

/*
 * The history of a request as one line: its number and date of issue, the
 * request it amends and every one it replaces; "" for a request of format
 * 1, which carries none.
 */
static void
history_text(const json_t *req, char *buf, size_t len)
{
	const json_t *am = json_object_get(req, "amends");
	const json_t *rp = jr_arr(req, "replaces");
	size_t i, n;

	buf[0] = '\0';
	if (!order_has_number(req))
		return;
	n = (size_t)snprintf(buf, len, "no. %lld, issued %s",
	    (long long)jr_int(req, "number"), jr_str(req, "issued"));
	if (am != NULL && n < len)
		n += (size_t)snprintf(buf + n, len - n, "; amends no. %lld "
		    "(sha256 %.12s)", (long long)jr_int(am, "number"),
		    jr_str(am, "sha256"));
	for (i = 0; i < jr_len(rp) && n < len; i++)
		n += (size_t)snprintf(buf + n, len - n, "%s%lld",
		    i == 0 ? "; replaces no. " : ", ", (long long)jr_int(
		    json_array_get(rp, i), "number"));
}

/* The history row of the HTML page's header table (none for format 1). */
static void
html_history(FILE *f, const json_t *req)
{
	char buf[512];

	history_text(req, buf, sizeof(buf));
	if (buf[0] == '\0')
		return;
	fputs("<tr><td>Request</td><td>", f);
	html(f, buf);
	fputs("</td></tr>", f);
}

/*
 * Writes a request as one self-contained printable HTML page (inline CSS,
 * no external asset): header, totals per scheme and per provider, each
 * session with its paths and totals, the lines of R12, warnings,
 * derogations, withdrawals, unfinanced trainees, and the signature.
 */
int
order_write_html(FILE *f, const struct order_file *of)
{
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	const json_t *c = json_object_get(req, "consortium");
	const json_t *lead = json_object_get(req, "lead");
	const json_t *snd = json_object_get(req, "sender");
	char khex[2 * CONSORT_KEY_BYTES + 1], hhex[65], rate[64], verdict[512];
	bool ok = order_verdict(of) == ORDER_VALID;
	int rc;

	util_hex(khex, of->key, CONSORT_KEY_BYTES);
	util_hex(hhex, of->hash, 32);
	if ((rc = order_verdict_text(of, verdict, sizeof(verdict))) != 0)
		return rc;
	order_euros(rate, sizeof(rate), jr_int(lot, "rate_cents"), "&nbsp;");
	fputs("<!DOCTYPE html>\n<html lang=\"fr\">\n<head>\n<meta charset=\"utf-8\">"
	    "\n<title>Order request ", f);
	html(f, jr_str(lot, "ref"));
	fputs(" ", f);
	html(f, jr_str(req, "period"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n", html_style);
	if (!ok) {
		/* first, before anything the file says about itself */
		fputs("<p class=\"bad banner\">Signature ", f);
		html(f, verdict);
		fputs("</p>\n", f);
	}
	fputs("<header><h1>Order request (demande de bon de commande) — ", f);
	html(f, jr_str(lot, "ref"));
	fputs(", ", f);
	html(f, jr_str(req, "period"));
	fputs("</h1>\n<table class=\"meta\">", f);
	html_history(f, req);
	fputs("<tr><td>Consortium</td><td>", f);
	html(f, jr_str(c, "name"));
	fputs(" — market ", f);
	html(f, jr_str(c, "market"));
	fputs("</td></tr><tr><td>Lead</td><td>", f);
	html(f, jr_str(lead, "name"));
	fputs(" (SIRET ", f);
	html(f, jr_str(lead, "siret"));
	fputs(")</td></tr><tr><td>Sent by</td><td>", f);
	html(f, jr_str(snd, "name"));
	fputs(" (", f);
	html(f, jr_str(snd, "role"));
	fputs(")", f);
	if (jr_bool(snd, "direct")) {
		fputs(", direct request; notice to the lead ", f);
		html(f, jr_str(json_object_get(snd, "notice"), "ref"));
		fputs(" of ", f);
		html(f, jr_str(json_object_get(snd, "notice"), "date"));
	}
	fputs("</td></tr><tr><td>Lot</td><td>", f);
	html(f, jr_str(lot, "ref"));
	if (jr_str(lot, "market_lot")[0]) {
		fputs(" (", f);
		html(f, jr_str(lot, "market_lot"));
		fputs(")", f);
	}
	fputs(" — ", f);
	html(f, jr_str(lot, "sector"));
	fputs(", territory ", f);
	html(f, jr_str(lot, "territory"));
	if (jr_len(jr_arr(lot, "rates")) > 1)
		html_rates(f, jr_arr(lot, "rates"));
	else {
		fprintf(f, ", %s per trainee hour", rate);
		if (jr_str(lot, "rate_since")[0]) {
			fputs(" since ", f);
			html(f, jr_str(lot, "rate_since"));
		}
	}
	fprintf(f, "</td></tr><tr><td>Signature</td><td class=\"%s\">",
	    ok ? "ok" : "bad");
	html(f, verdict);
	fprintf(f, " (Ed25519)<div class=\"small\">key %s<br>SHA-256 of the "
	    "canonical request %s</div></td></tr></table></header>\n", khex, hhex);
	html_totals(f, json_object_get(req, "totals"));
	html_sessions(f, jr_arr(req, "sessions"), "Sessions 1 emploi = 1 formation");
	html_sessions(f, jr_arr(req, "socle"), "Baseline sessions (socle, R20)");
	html_lines(f, jr_arr(req, "lines"));
	html_notes(f, req);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? E(IO) : 0;
}

/* Writes one withdrawn intent of a request as a line of text (R16). */
static void
text_withdrawn(FILE *f, const json_t *w)
{
	const json_t *r = json_object_get(w, "replaced_by");

	fprintf(f, "  %s (%s) path %s session %s: withdrawn by %s on %s (%s), "
	    "follow-up %s", jr_str(w, "intent"), jr_str(w, "employer"),
	    jr_str(w, "path"), jr_str(w, "session"), jr_str(w, "by"),
	    jr_str(w, "date")[0] ? jr_str(w, "date") : "an unrecorded date",
	    jr_str(w, "reason")[0] ? jr_str(w, "reason") : "no reason",
	    jr_str(w, "followup"));
	if (r != NULL)
		fprintf(f, "; replaced by %s (%s, %s)", jr_str(r, "ref"),
		    jr_str(r, "employer"), jr_str(r, "date")[0] ? jr_str(r,
		    "date") : "undated");
	fputc('\n', f);
}

/* Writes a short text summary of a request. */
int
order_write_text(FILE *f, const struct order_file *of)
{
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	const json_t *t = json_object_get(req, "totals"), *x, *bp;
	const json_t *snd = json_object_get(req, "sender");
	const json_t *bs = json_object_get(t, "by_scheme");
	char hhex[65], eur[64], verdict[512], hist[512];
	size_t i;
	int rc;

	util_hex(hhex, of->hash, 32);
	if ((rc = order_verdict_text(of, verdict, sizeof(verdict))) != 0)
		return rc;
	fprintf(f, "signature   %s\n", verdict);
	fprintf(f, "order request %s %s\n", jr_str(lot, "ref"), jr_str(req, "period"));
	history_text(req, hist, sizeof(hist));
	if (hist[0] != '\0')
		fprintf(f, "request     %s\n", hist);
	fprintf(f, "sha256      %s\n", hhex);
	fprintf(f, "consortium  %s (market %s)\n",
	    jr_str(json_object_get(req, "consortium"), "name"),
	    jr_str(json_object_get(req, "consortium"), "market"));
	fprintf(f, "lead        %s (%s)\n", jr_str(json_object_get(req, "lead"),
	    "name"), jr_str(json_object_get(req, "lead"), "siret"));
	fprintf(f, "sender      %s (%s)%s%s\n", jr_str(snd, "name"), jr_str(snd,
	    "role"), jr_bool(snd, "direct") ? ", direct; notice " : "",
	    jr_str(json_object_get(snd, "notice"), "ref"));
	order_euros(eur, sizeof(eur), jr_int(lot, "rate_cents"), " ");
	fprintf(f, "lot         %s %s, territory %s, %s per hour\n",
	    jr_str(lot, "ref"), jr_str(lot, "sector"), jr_str(lot, "territory"), eur);
	x = jr_arr(lot, "rates");
	for (i = 0; jr_len(x) > 1 && i < jr_len(x); i++) {
		order_euros(eur, sizeof(eur), jr_int(json_array_get(x, i),
		    "rate_cents"), " ");
		fprintf(f, "  rate %s from %s\n", eur, jr_str(json_array_get(x, i),
		    "since")[0] ? jr_str(json_array_get(x, i), "since") :
		    "the start");
	}
	fprintf(f, "sessions    %lld (%lld 1e1f, %lld socle), %lld financed "
	    "trainees, %lld not financed\n", (long long)jr_int(t, "sessions"),
	    (long long)jr_int(json_object_get(bs, "1e1f"), "sessions"),
	    (long long)jr_int(json_object_get(bs, "socle"), "sessions"),
	    (long long)jr_int(t, "financed"), (long long)jr_int(t, "not_financed"));
	order_euros(eur, sizeof(eur), jr_int(t, "cost_cents"), " ");
	fprintf(f, "total       %lld h, %s (%lld cents)\n",
	    (long long)jr_int(t, "hours"), eur, (long long)jr_int(t, "cost_cents"));
	bp = jr_arr(t, "by_provider");
	for (i = 0; i < jr_len(bp); i++) {
		x = json_array_get(bp, i);
		order_euros(eur, sizeof(eur), jr_int(x, "cost_cents"), " ");
		fprintf(f, "  %s %s: %lld sessions, %lld financed, %lld h, %s\n",
		    jr_str(x, "siret"), jr_str(x, "name"), (long long)jr_int(x,
		    "sessions"), (long long)jr_int(x, "financed"),
		    (long long)jr_int(x, "hours"), eur);
	}
	x = jr_arr(req, "requested_directly");
	for (i = 0; i < jr_len(x); i++)
		fprintf(f, "left out    %s: requested directly by %s (no. %lld)\n",
		    jr_str(json_array_get(x, i), "session"), jr_str(
		    json_array_get(x, i), "sender"), (long long)jr_int(
		    json_array_get(x, i), "number"));
	x = jr_arr(req, "warnings");
	fprintf(f, "warnings    %zu\n", jr_len(x));
	for (i = 0; i < jr_len(x); i++)
		fprintf(f, "  %s %s%s%s\n", jr_str(json_array_get(x, i), "rule"),
		    jr_str(json_array_get(x, i), "message"),
		    jr_str(json_array_get(x, i), "derogation")[0] ?
		    "; derogation " : "", jr_str(json_array_get(x, i),
		    "derogation"));
	x = jr_arr(req, "withdrawn");
	fprintf(f, "withdrawn   %zu\n", jr_len(x));
	for (i = 0; i < jr_len(x); i++)
		text_withdrawn(f, json_array_get(x, i));
	x = jr_arr(req, "derogations");
	fprintf(f, "derogations %zu\n", jr_len(x));
	for (i = 0; i < jr_len(x); i++) {
		const json_t *d = json_array_get(x, i);

		fprintf(f, "  %s %s session %s%s%s: %s (%s, by %s)\n", jr_str(d, "ref"),
		    jr_str(d, "rule"), jr_str(d, "session"), jr_str(d, "intent")[0] ?
		    " intent " : "", jr_str(d, "intent"), jr_str(d, "reason"),
		    jr_str(d, "date"), jr_str(json_object_get(d, "author"), "name"));
	}
	return ferror(f) ? E(IO) : 0;
}
