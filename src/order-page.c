/*
 * The printable page of a signed order request: one self-contained HTML
 * file (inline CSS, no script, no external asset), in French by default
 * or in English, with its number and date of issue, page numbers when
 * printed and the signature block of its sender.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* What the page is written to, and in which language. */
struct page {
	FILE *f;
	enum fmt_lang lang;
};

/* The English or the French of a piece of the page's text. */
static const char *
tr(const struct page *pg, const char *en, const char *fr)
{
	return pg->lang == FMT_FR ? fr : en;
}

/* Writes n bytes of text with HTML's special characters escaped. */
static void
html_n(const struct page *pg, const char *s, size_t n)
{
	fmt_html(pg->f, s, n);
}

/* Writes text with HTML's special characters escaped. */
static void
html(const struct page *pg, const char *s)
{
	html_n(pg, s, strlen(s));
}

/* Writes a day, JJ/MM/AAAA in French, escaped. */
static void
html_date(const struct page *pg, const char *iso)
{
	char buf[64];

	if (strlen(iso) >= sizeof(buf)) {
		html(pg, iso);
		return;
	}
	fmt_date(buf, sizeof(buf), iso, pg->lang);
	html(pg, buf);
}

/* Writes an integer, grouped by thousands in French. */
static void
html_int(const struct page *pg, int64_t v)
{
	char buf[64];

	fmt_hours(buf, sizeof(buf), v, pg->lang, FMT_HTML);
	fputs(buf, pg->f);
}

/* Writes an amount of cents in euros. */
static void
html_eur(const struct page *pg, int64_t cents)
{
	char buf[128];

	fmt_euros(buf, sizeof(buf), cents, pg->lang, FMT_HTML);
	fputs(buf, pg->f);
}

/*
 * Writes a value of an ENUM field named "type.field": its French label in
 * French ("unknown", which no field lists, is "inconnu"), escaped.
 */
static void
html_value(const struct page *pg, const char *what, const char *value)
{
	const char *dot = strchr(what, '.');
	char type[32], buf[256];

	if (pg->lang == FMT_FR && strcmp(value, "unknown") == 0) {
		fputs("inconnu", pg->f);
		return;
	}
	snprintf(type, sizeof(type), "%.*s", (int)(dot - what), what);
	html(pg, fmt_value(buf, sizeof(buf), type, dot + 1, value, pg->lang));
}

/* Writes a table cell holding escaped text. */
static void
td(const struct page *pg, const char *s)
{
	fputs("<td>", pg->f);
	html(pg, s);
	fputs("</td>", pg->f);
}

/* Writes a right-aligned table cell holding an integer. */
static void
td_int(const struct page *pg, int64_t v)
{
	fputs("<td class=\"n\">", pg->f);
	html_int(pg, v);
	fputs("</td>", pg->f);
}

/* Writes a right-aligned table cell holding an amount in euros. */
static void
td_eur(const struct page *pg, int64_t cents)
{
	fprintf(pg->f, "<td class=\"n\" data-cents=\"%lld\">", (long long)cents);
	html_eur(pg, cents);
	fputs("</td>", pg->f);
}

/* What a cell of an HTML table shows of its row's object. */
enum html_kind {
	CELL_TEXT,      /* a string member, escaped */
	CELL_DATE,      /* a day, JJ/MM/AAAA in French */
	CELL_INT,       /* an integer member, right-aligned */
	CELL_EUR,       /* an amount in cents, as euros, right-aligned */
	CELL_FINANCED,  /* a boolean member: "yes", or "no (R06)" */
	CELL_RECORD,    /* a record named by its members type and ref */
	CELL_WHO,       /* a member named by its members name and siret */
	CELL_AGREEMENT, /* the Region's agreement: ref, reference, date */
	CELL_RULE,      /* a rule's id, and its title in French */
	CELL_ENUM,      /* a value of an ENUM field (enum_fields) */
	CELL_LIST,      /* a comma-separated list, that may wrap after a comma */
};

/*
 * A column of an HTML table: its English and French headings, and the
 * member of each row's object (of its sub-object obj when not NULL) that
 * its cells show.
 */
struct html_col {
	const char *en, *fr;
	const char *obj, *key;
	enum html_kind kind;
};

/* The ENUM fields of schema/entities.def that CELL_ENUM members hold. */
static const char *const enum_fields[][2] = {
	{ "contract", "intent.contract" },
	{ "by", "intent.withdrawn_by" },
	{ "followup", "intent.followup" },
};

/* The "type.field" of a CELL_ENUM member, or NULL. */
static const char *
enum_field(const char *key)
{
	size_t i;

	for (i = 0; i < nitems(enum_fields); i++)
		if (strcmp(enum_fields[i][0], key) == 0)
			return enum_fields[i][1];
	return NULL;
}

/* The rules' titles in French (schema/rules.md), for the warnings. */
static const char *const rule_titles[] = {
	"Un parcours financé, une intention d'embauche individuelle",
	"Une intention écrite, datée, avec les étapes de l'employeur",
	"Un emploi durable après la formation",
	"L'employeur n'est pas une SIAE",
	"Au moins 5 stagiaires financés pour ouvrir une session",
	"Au-delà du groupe financé, hors financement Région",
	"Un employeur, un organisme ; une intention, un parcours",
	"La certification visée est enregistrée",
	"La session relève de son lot, sur son territoire",
	"Co-traitants de l'attribution, sous-traitants par DC4",
	"Demande par le mandataire, ou par un co-traitant qui l'en informe",
	"Les demandes dans l'ordre où elles sont faites",
	"Des heures et des modules propres à chaque parcours",
	"Un taux horaire par lot",
	"Temps partiel des stagiaires en situation de handicap",
	"Un désistement est enregistré, le parcours reste listé",
	"Demandeurs d'emploi, salariés de SIAE sans rémunération Région",
	"Une facture par lot et par mois",
	"Plusieurs employeurs par session",
	"Sessions socle sans intention, listées à part",
	"L'accord de la Région, avec sa référence et sa date",
	"Un parcours complémentaire pour un groupe existant",
	"Le devenir de chaque intention et de chaque stagiaire",
	"Demandes numérotées, modificatifs, réponse de la Région",
	"Les données personnelles des stagiaires",
};

/* The French title of rule "Rnn", or NULL. */
static const char *
rule_title(const char *id)
{
	int n;

	if (id[0] != 'R' || id[1] < '0' || id[1] > '9' || id[2] < '0' ||
	    id[2] > '9' || id[3] != '\0')
		return NULL;
	n = (id[1] - '0') * 10 + (id[2] - '0');
	return n >= 1 && (size_t)n <= nitems(rule_titles) ?
	    rule_titles[n - 1] : NULL;
}

/*
 * Writes the Region's agreement {ref, reference, date, subject} as
 * "REF: REFERENCE of DATE (SUBJECT)", and nothing when x is NULL.
 */
static void
html_agreement(const struct page *pg, const json_t *x)
{
	if (x == NULL)
		return;
	html(pg, jr_str(x, "ref"));
	if (jr_str(x, "reference")[0]) {
		fputs(tr(pg, ": ", FMT_NBSP ": "), pg->f);
		html(pg, jr_str(x, "reference"));
	}
	if (jr_str(x, "date")[0]) {
		fputs(tr(pg, " of ", " du "), pg->f);
		html_date(pg, jr_str(x, "date"));
	}
	if (jr_str(x, "subject")[0]) {
		fputs(" (", pg->f);
		html_value(pg, "agreement.subject", jr_str(x, "subject"));
		fputs(")", pg->f);
	}
}

/* Writes one cell of a row's object. */
static void
html_cell(const struct page *pg, const json_t *x, const struct html_col *c)
{
	FILE *f = pg->f;
	const char *title, *s;
	size_t n;

	if (c->obj != NULL)
		x = json_object_get(x, c->obj);
	switch (c->kind) {
	case CELL_TEXT:
		td(pg, jr_str(x, c->key));
		break;
	case CELL_DATE:
		fputs("<td class=\"d\">", f);
		html_date(pg, jr_str(x, c->key));
		fputs("</td>", f);
		break;
	case CELL_INT:
		td_int(pg, jr_int(x, c->key));
		break;
	case CELL_EUR:
		td_eur(pg, jr_int(x, c->key));
		break;
	case CELL_FINANCED:
		td(pg, jr_bool(x, c->key) ? tr(pg, "yes", "oui") :
		    tr(pg, "no (R06)", "non (R06)"));
		break;
	case CELL_RECORD:
		fputs("<td class=\"d\">", f);
		html(pg, fmt_type(jr_str(x, "type"), pg->lang));
		fputs(" ", f);
		html(pg, jr_str(x, "ref"));
		fputs("</td>", f);
		break;
	case CELL_WHO:
		fputs("<td>", f);
		html(pg, jr_str(x, "name"));
		fputs(" (", f);
		html(pg, jr_str(x, "siret"));
		fputs(")</td>", f);
		break;
	case CELL_AGREEMENT:
		fputs("<td>", f);
		html_agreement(pg, json_object_get(x, c->key));
		fputs("</td>", f);
		break;
	case CELL_LIST:
		fputs("<td>", f);
		for (s = jr_str(x, c->key); *s != '\0'; s += n) {
			n = strcspn(s, ",");
			n += s[n] == ',';
			html_n(pg, s, n);
			if (s[n - 1] == ',')
				fputs("<wbr>", f);
		}
		fputs("</td>", f);
		break;
	case CELL_ENUM:
		if (enum_field(c->key) == NULL) {
			td(pg, jr_str(x, c->key));
			break;
		}
		fputs("<td>", f);
		html_value(pg, enum_field(c->key), jr_str(x, c->key));
		fputs("</td>", f);
		break;
	case CELL_RULE:
		fputs("<td>", f);
		html(pg, jr_str(x, c->key));
		title = rule_title(jr_str(x, c->key));
		if (pg->lang == FMT_FR && title != NULL)
			fprintf(f, "<div class=\"small\">%s</div>", title);
		fputs("</td>", f);
		break;
	}
}

/* Opens a table with a heading per column, and its body. */
static void
html_head(const struct page *pg, const struct html_col *c, size_t n,
    const char *cls)
{
	size_t k;

	fprintf(pg->f, "<table%s%s%s><thead><tr>", cls ? " class=\"" : "",
	    cls ? cls : "", cls ? "\"" : "");
	for (k = 0; k < n; k++)
		fprintf(pg->f, "<th>%s</th>", tr(pg, c[k].en, c[k].fr));
	fputs("</tr></thead><tbody>\n", pg->f);
}

/* Writes the cells of one row's object. */
static void
html_cells(const struct page *pg, const json_t *x, const struct html_col *c,
    size_t n)
{
	size_t k;

	for (k = 0; k < n; k++)
		html_cell(pg, x, &c[k]);
}

/* Writes a row per element of an array, each <tr> with attributes attr. */
static void
html_rows(const struct page *pg, const json_t *rows, const struct html_col *c,
    size_t n, const char *attr)
{
	size_t i;

	for (i = 0; i < jr_len(rows); i++) {
		fprintf(pg->f, "<tr%s>", attr);
		html_cells(pg, json_array_get(rows, i), c, n);
		fputs("</tr>\n", pg->f);
	}
}

/*
 * Writes a titled section listing an array as a table, or "None." (none
 * in French: "Aucune." or "Aucun.").
 */
static void
html_list(const struct page *pg, const char *title, const char *none,
    const json_t *rows, const struct html_col *c, size_t n, const char *attr,
    const char *cls)
{
	fprintf(pg->f, "<section><h2>%s (%zu)</h2>\n", title, jr_len(rows));
	if (jr_len(rows) == 0) {
		fprintf(pg->f, "<p>%s</p></section>\n", tr(pg, "None.", none));
		return;
	}
	html_head(pg, c, n, cls);
	html_rows(pg, rows, c, n, attr);
	fputs("</tbody></table></section>\n", pg->f);
}

/*
 * The page's style: A4, its tables within the page's width, and when
 * printed, the request's number and the page's number in the bottom
 * margin of every page (CSS Paged Media margin boxes).
 */
static const char html_style[] =
	"@page{size:A4;margin:14mm 12mm 16mm}"
	"body{font:10pt/1.35 -apple-system,'Segoe UI',Helvetica,Arial,"
	"sans-serif;color:#111;max-width:190mm;margin:0 auto;padding:8mm 0}"
	"h1{font-size:17pt;margin:0 0 1mm}h2{font-size:12pt;margin:6mm 0 2mm;"
	"border-bottom:1px solid #999}h3{font-size:10.5pt;margin:4mm 0 1mm}"
	"table{border-collapse:collapse;width:100%;margin:1mm 0 3mm}"
	"th,td{border:1px solid #bbb;padding:1mm 1.5mm;text-align:left;"
	"vertical-align:top}th{background:#eee}"
	"td.n{text-align:right;white-space:nowrap}td.d{white-space:nowrap}"
	"tr.total td{font-weight:bold;background:#f6f6f6}"
	"tr.total{break-before:avoid}"
	"table.wide{font-size:8.5pt}table.wide th,table.wide td{padding:"
	".6mm 1mm}"
	".meta td:first-child{width:32mm;font-weight:bold}"
	".warn{color:#8a4b00}.ok{color:#0a6b2a}.bad{color:#b00020}"
	".small{font-size:8.5pt;color:#555;overflow-wrap:anywhere}"
	".banner{font-weight:bold;border:2px solid #b00020;padding:2mm;"
	"overflow-wrap:anywhere}"
	".top{display:flex;justify-content:space-between;align-items:flex-start;"
	"gap:6mm;margin-bottom:3mm}.top p{margin:0}"
	".kicker{font-size:9pt;color:#555}"
	".no{border:2px solid #111;padding:2mm 4mm;text-align:right;"
	"white-space:nowrap}.no b{display:block;font-size:16pt}"
	".sign{break-inside:avoid;margin-top:8mm}"
	".sign .box{border:1px solid #111;padding:3mm 4mm;width:95mm;"
	"margin-left:auto}.sign .box p{margin:0 0 3mm}"
	".sign .stamp{height:32mm;border-top:1px dashed #999;padding-top:1mm;"
	"color:#555;font-size:9pt}"
	"@media print{body{padding:0;max-width:none}section{break-inside:"
	"auto}h2,h3{break-after:avoid}tr{break-inside:avoid}thead{display:"
	"table-header-group}}";

/*
 * Writes s as the inside of a CSS string: every character but letters,
 * digits, space, "-", "." and "/" as a hexadecimal escape, so that no text
 * of the file can close the string, the rule or the <style> element.
 */
static void
css_text(FILE *f, const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	uint32_t cp;
	int k;

	while (*p) {
		if ((*p >= 'a' && *p <= 'z') || (*p >= 'A' && *p <= 'Z') ||
		    (*p >= '0' && *p <= '9') || strchr(" -./", *p) != NULL) {
			putc(*p++, f);
			continue;
		}
		/* one code point of valid UTF-8 (jansson's strings are) */
		k = *p >= 0xf0 ? 3 : *p >= 0xe0 ? 2 : *p >= 0xc0 ? 1 : 0;
		cp = k == 0 ? *p : *p & (0x3f >> k);
		for (p++; k > 0 && (*p & 0xc0) == 0x80; k--, p++)
			cp = cp << 6 | (*p & 0x3f);
		fprintf(f, "\\%x ", (unsigned)cp);
	}
}

/*
 * Writes the margin boxes of the printed page: the request (its number,
 * lot and period) at the bottom left, "Page N / M" at the bottom right.
 */
static void
html_page_style(const struct page *pg, const json_t *req)
{
	FILE *f = pg->f;
	char month[64];

	fmt_month(month, sizeof(month), jr_str(req, "period"), pg->lang);
	fputs("@page{@bottom-left{font:8pt Helvetica,Arial,sans-serif;color:#555;"
	    "content:\"", f);
	css_text(f, tr(pg, "Order request", "Demande de bon de commande"));
	if (order_has_number(req))
		fprintf(f, " %s%lld", tr(pg, "no. ", "n\\b0  "),
		    (long long)jr_int(req, "number"));
	fputs(" \\2014  ", f);
	css_text(f, jr_str(json_object_get(req, "lot"), "ref"));
	fputs(" \\2014  ", f);
	css_text(f, month);
	fputs("\"}@bottom-right{font:8pt Helvetica,Arial,sans-serif;color:#555;"
	    "content:\"Page \" counter(page) \" / \" counter(pages)}}", f);
}

/* Writes one session of the HTML page: its facts, paths and totals. */
static void
html_session(const struct page *pg, const json_t *x)
{
	static const struct html_col path_cols[] = {
		{ "Path", "Parcours", NULL, "ref", CELL_TEXT },
		{ "Trainee", "Stagiaire", NULL, "trainee", CELL_TEXT },
		{ "Start", "Début", NULL, "start", CELL_DATE },
		{ "Hours", "Heures", NULL, "hours", CELL_INT },
		{ "Modules", "Modules", NULL, "modules", CELL_LIST },
		{ "Certification", "Certification", "certification", "code",
		    CELL_TEXT },
		{ "Intent", "Intention", "intent", "ref", CELL_TEXT },
		{ "Employer", "Employeur", "intent", "employer", CELL_TEXT },
		{ "Contract", "Contrat", "intent", "contract", CELL_ENUM },
		{ "Financed", "Financé", NULL, "financed", CELL_FINANCED },
		{ "Rate", "Taux", NULL, "rate_cents", CELL_EUR },
		{ "Cost", "Montant", NULL, "cost_cents", CELL_EUR },
	};
	const json_t *prov = json_object_get(x, "provider"), *t, *sub;
	FILE *f = pg->f;
	size_t i;

	fputs("<h3>", f);
	html(pg, jr_str(x, "ref"));
	fputs(" — ", f);
	html(pg, jr_str(x, "title"));
	fprintf(f, "</h3>\n<table class=\"meta\"><tr><td>%s</td><td>",
	    tr(pg, "Provider", "Organisme"));
	html(pg, jr_str(prov, "name"));
	fputs(" (SIRET ", f);
	html(pg, jr_str(prov, "siret"));
	fputs(", ", f);
	html_value(pg, "member.role", jr_str(prov, "role"));
	fputs(")", f);
	if ((sub = json_object_get(x, "subcontracting")) != NULL) {
		fputs(tr(pg, "; subcontractor of ", " ; sous-traitant de "), f);
		html(pg, jr_str(json_object_get(sub, "for"), "name"));
		fputs(", DC4 ", f);
		html(pg, jr_str(sub, "dc4"));
	}
	fprintf(f, "</td></tr><tr><td>%s</td><td>", tr(pg, "Site", "Lieu"));
	html(pg, jr_str(x, "site"));
	fputs(" (", f);
	html(pg, jr_str(x, "territory"));
	fputs(")", f);
	if (jr_str(x, "territory_agreement")[0]) {
		fputs(tr(pg, "; Region's agreement: ", " ; accord de la "
		    "Région" FMT_NBSP ": "), f);
		html(pg, jr_str(x, "territory_agreement"));
	}
	for (i = 0; i < jr_len(jr_arr(x, "agreements")); i++) {
		fputs(i > 0 ? ", " : tr(pg, "; Region's agreements: ", " ; "
		    "accords de la Région" FMT_NBSP ": "), f);
		html_agreement(pg, json_array_get(jr_arr(x, "agreements"), i));
	}
	fputs("</td></tr><tr><td>Certification</td><td>", f);
	html_value(pg, "session.cert_kind", jr_str(json_object_get(x,
	    "certification"), "kind"));
	fputs(" ", f);
	html(pg, jr_str(json_object_get(x, "certification"), "code"));
	fprintf(f, "</td></tr><tr><td>%s</td><td>", tr(pg, "Dates", "Dates"));
	if (pg->lang == FMT_FR) {
		fputs("du ", f);
		html_date(pg, jr_str(x, "start"));
		fputs(" au ", f);
		html_date(pg, jr_str(x, "end"));
		fputs(", ", f);
		html_int(pg, jr_int(x, "hours"));
		fprintf(f, FMT_NBSP "h prévues, %lld place%s financée%s%s, %lld "
		    "employeur%s</td></tr></table>\n", (long long)jr_int(x,
		    "capacity"), jr_int(x, "capacity") > 1 ? "s" : "",
		    jr_int(x, "capacity") > 1 ? "s" : "",
		    jr_bool(x, "permanent_entry") ? ", entrée permanente" : "",
		    (long long)jr_int(x, "employers"), jr_int(x, "employers") >
		    1 ? "s" : "");
	} else {
		html(pg, jr_str(x, "start"));
		fputs(" to ", f);
		html(pg, jr_str(x, "end"));
		fprintf(f, ", %lld h planned, %lld financed places%s, %lld "
		    "employer%s</td></tr></table>\n", (long long)jr_int(x, "hours"),
		    (long long)jr_int(x, "capacity"), jr_bool(x,
		    "permanent_entry") ? ", permanent entry" : "",
		    (long long)jr_int(x, "employers"), jr_int(x, "employers") ==
		    1 ? "" : "s");
	}
	html_head(pg, path_cols, nitems(path_cols), "wide");
	html_rows(pg, jr_arr(x, "paths"), path_cols, nitems(path_cols), "");
	t = json_object_get(x, "totals");
	fprintf(f, "<tr class=\"total\"><td colspan=\"3\">%s%lld %s</td>",
	    tr(pg, "Session total: ", "Total de la session" FMT_NBSP ": "),
	    (long long)jr_int(t, "financed"), pg->lang == FMT_EN ? "financed" :
	    jr_int(t, "financed") > 1 ? "financés" : "financé");
	td_int(pg, jr_int(t, "hours"));
	fputs("<td colspan=\"7\"></td>", f);
	td_eur(pg, jr_int(t, "cost_cents"));
	fputs("</tr></tbody></table>\n", f);
}

/* Writes a list of sessions with a heading. */
static void
html_sessions(const struct page *pg, const json_t *list, const char *title)
{
	size_t i;

	fprintf(pg->f, "<section><h2>%s (%zu)</h2>\n", title, jr_len(list));
	for (i = 0; i < jr_len(list); i++)
		html_session(pg, json_array_get(list, i));
	fputs("</section>\n", pg->f);
}

/* Writes the totals table: all, per scheme, per provider. */
static void
html_totals(const struct page *pg, const json_t *t)
{
	static const struct html_col sum_cols[] = {
		{ "", "", NULL, NULL, CELL_TEXT },
		{ "Sessions", "Sessions", NULL, "sessions", CELL_INT },
		{ "Financed trainees", "Stagiaires financés", NULL, "financed",
		    CELL_INT },
		{ "Not financed", "Non financés", NULL, "not_financed", CELL_INT },
		{ "Hours", "Heures", NULL, "hours", CELL_INT },
		{ "Cost", "Montant", NULL, "cost_cents", CELL_EUR },
	};
	static const struct html_col provider_cols[] = {
		{ "Provider", "Organisme", NULL, "name", CELL_TEXT },
		{ "SIRET", "SIRET", NULL, "siret", CELL_TEXT },
		{ "Sessions", "Sessions", NULL, "sessions", CELL_INT },
		{ "Financed trainees", "Stagiaires financés", NULL, "financed",
		    CELL_INT },
		{ "Hours", "Heures", NULL, "hours", CELL_INT },
		{ "Cost", "Montant", NULL, "cost_cents", CELL_EUR },
	};
	static const char *const schemes[] = { "1e1f", "socle" };
	const json_t *bs = json_object_get(t, "by_scheme");
	FILE *f = pg->f;
	size_t i;

	fprintf(f, "<section><h2>%s</h2>", tr(pg, "Totals", "Totaux"));
	html_head(pg, sum_cols, nitems(sum_cols), NULL);
	for (i = 0; i < nitems(schemes); i++) {
		if (pg->lang == FMT_FR) {
			fputs("<tr><td>", f);
			html_value(pg, "session.scheme", schemes[i]);
			fputs("</td>", f);
		} else
			fprintf(f, "<tr><td>%s sessions</td>", schemes[i]);
		html_cells(pg, json_object_get(bs, schemes[i]), sum_cols + 1,
		    nitems(sum_cols) - 1);
		fputs("</tr>\n", f);
	}
	fputs("<tr class=\"total\"><td>Total</td>", f);
	html_cells(pg, t, sum_cols + 1, nitems(sum_cols) - 1);
	fprintf(f, "</tr></tbody></table>\n<h3>%s</h3>", tr(pg, "Per provider",
	    "Par organisme"));
	html_head(pg, provider_cols, nitems(provider_cols), NULL);
	html_rows(pg, jr_arr(t, "by_provider"), provider_cols,
	    nitems(provider_cols), "");
	fputs("</tbody></table></section>\n", f);
}

/* Writes the warnings, derogations, withdrawals and unfinanced trainees. */
static void
html_notes(const struct page *pg, const json_t *req)
{
	static const struct html_col warning_cols[] = {
		{ "Rule", "Règle", NULL, "rule", CELL_RULE },
		{ "Record", "Objet", NULL, NULL, CELL_RECORD },
		{ "Message", "Détail (tel que signé)", NULL, "message", CELL_TEXT },
		{ "Derogation", "Dérogation", NULL, "derogation", CELL_TEXT },
	};
	static const struct html_col derogation_cols[] = {
		{ "Ref", "Réf.", NULL, "ref", CELL_TEXT },
		{ "Rule", "Règle", NULL, "rule", CELL_TEXT },
		{ "Session", "Session", NULL, "session", CELL_TEXT },
		{ "Intent", "Intention", NULL, "intent", CELL_TEXT },
		{ "Reason", "Motif", NULL, "reason", CELL_TEXT },
		{ "Date", "Date", NULL, "date", CELL_DATE },
		{ "Recorded by", "Enregistrée par", "author", NULL, CELL_WHO },
		{ "Region's agreement", "Accord de la Région", NULL, "agreement",
		    CELL_AGREEMENT },
	};
	static const struct html_col withdrawn_cols[] = {
		{ "Intent", "Intention", NULL, "intent", CELL_TEXT },
		{ "Employer", "Employeur", NULL, "employer", CELL_TEXT },
		{ "Path", "Parcours", NULL, "path", CELL_TEXT },
		{ "Session", "Session", NULL, "session", CELL_TEXT },
		{ "Date", "Date", NULL, "date", CELL_DATE },
		{ "Reason", "Motif", NULL, "reason", CELL_TEXT },
		{ "Withdrawn by", "Retirée par", NULL, "by", CELL_ENUM },
		{ "Follow-up", "Suite", NULL, "followup", CELL_ENUM },
		{ "Replaced by", "Remplacée par", "replaced_by", "ref", CELL_TEXT },
		{ "Its employer", "Son employeur", "replaced_by", "employer",
		    CELL_TEXT },
		{ "Its date", "Sa date", "replaced_by", "date", CELL_DATE },
	};
	static const struct html_col direct_cols[] = {
		{ "Session", "Session", NULL, "session", CELL_TEXT },
		{ "Requested by (SIRET)", "Demandée par (SIRET)", NULL, "sender",
		    CELL_TEXT },
		{ "Request no.", "Demande n°", NULL, "number", CELL_INT },
		{ "SHA-256", "SHA-256", NULL, "sha256", CELL_TEXT },
	};
	static const struct html_col unfinanced_cols[] = {
		{ "Path", "Parcours", NULL, "path", CELL_TEXT },
		{ "Session", "Session", NULL, "session", CELL_TEXT },
		{ "Trainee", "Stagiaire", NULL, "trainee", CELL_TEXT },
		{ "Hours", "Heures", NULL, "hours", CELL_INT },
	};

	html_list(pg, tr(pg, "Warnings", "Alertes"), "Aucune.",
	    jr_arr(req, "warnings"), warning_cols, nitems(warning_cols),
	    " class=\"warn\"", NULL);
	html_list(pg, tr(pg, "Derogations", "Dérogations"), "Aucune.",
	    jr_arr(req, "derogations"), derogation_cols,
	    nitems(derogation_cols), "", "wide");
	html_list(pg, tr(pg, "Withdrawn intents (R16)", "Intentions retirées "
	    "(R16)"), "Aucune.", jr_arr(req, "withdrawn"), withdrawn_cols,
	    nitems(withdrawn_cols), "", "wide");
	html_list(pg, tr(pg, "Not financed by the Region (R06)", "Stagiaires "
	    "hors financement Région (R06)"), "Aucun.",
	    jr_arr(req, "not_financed"), unfinanced_cols,
	    nitems(unfinanced_cols), "", NULL);
	if (jr_len(jr_arr(req, "requested_directly")) > 0)
		html_list(pg, tr(pg, "Sessions requested directly by a "
		    "co-contractor, left out (R11)", "Sessions demandées "
		    "directement par un co-traitant, non reprises (R11)"),
		    "Aucune.", jr_arr(req, "requested_directly"), direct_cols,
		    nitems(direct_cols), "", "wide");
}

/* Writes the order lines of R12. */
static void
html_lines(const struct page *pg, const json_t *lines)
{
	static const struct html_col line_cols[] = {
		{ "#", "N°", NULL, "n", CELL_INT },
		{ "Intent date", "Date de l'intention", NULL, "date", CELL_DATE },
		{ "Intent", "Intention", NULL, "intent", CELL_TEXT },
		{ "Path", "Parcours", NULL, "path", CELL_TEXT },
		{ "Session", "Session", NULL, "session", CELL_TEXT },
		{ "Trainee", "Stagiaire", NULL, "trainee", CELL_TEXT },
		{ "Hours", "Heures", NULL, "hours", CELL_INT },
		{ "Cost", "Montant", NULL, "cost_cents", CELL_EUR },
	};

	fprintf(pg->f, "<section><h2>%s (%zu)</h2>\n", tr(pg, "Order lines, in "
	    "the order the requests were made (R12)", "Lignes de commande, dans "
	    "l'ordre des demandes (R12)"), jr_len(lines));
	html_head(pg, line_cols, nitems(line_cols), NULL);
	html_rows(pg, lines, line_cols, nitems(line_cols), "");
	fputs("</tbody></table></section>\n", pg->f);
}

/* Writes the rates a request's paths are priced at (R14), by day. */
static void
html_rates(const struct page *pg, const json_t *rates)
{
	const json_t *r;
	size_t i;

	fputs(tr(pg, ", per trainee hour: ", ", par heure-stagiaire" FMT_NBSP
	    ": "), pg->f);
	for (i = 0; i < jr_len(rates); i++) {
		r = json_array_get(rates, i);
		fputs(i > 0 ? tr(pg, "; ", " ; ") : "", pg->f);
		html_eur(pg, jr_int(r, "rate_cents"));
		if (!jr_str(r, "since")[0]) {
			fputs(tr(pg, " from the start", " depuis le début"), pg->f);
			continue;
		}
		fputs(tr(pg, " from ", " à partir du "), pg->f);
		html_date(pg, jr_str(r, "since"));
	}
}

/* Writes the lot's rate (or rates, R14) after its other facts. */
static void
html_rate(const struct page *pg, const json_t *lot)
{
	if (jr_len(jr_arr(lot, "rates")) > 1) {
		html_rates(pg, jr_arr(lot, "rates"));
		return;
	}
	fputs(", ", pg->f);
	html_eur(pg, jr_int(lot, "rate_cents"));
	fputs(tr(pg, " per trainee hour", " par heure-stagiaire"), pg->f);
	if (jr_str(lot, "rate_since")[0]) {
		fputs(tr(pg, " since ", " depuis le "), pg->f);
		html_date(pg, jr_str(lot, "rate_since"));
	}
}

/*
 * The signature's verdict in the page's language: valid, or not, and by
 * which key.  English is order_verdict_text()'s.
 */
static int
page_verdict(const struct page *pg, const struct order_file *of, char *buf,
    size_t len)
{
	char key[2 * CONSORT_KEY_BYTES + 1], named[2 * CONSORT_KEY_BYTES + 1];
	char from[2 * CONSORT_KEY_BYTES + 1];
	const char *whose = of->direct ? "de l'émetteur (demande directe, R11)" :
	    "du mandataire";
	struct strbuf sb;

	if (pg->lang == FMT_EN)
		return order_verdict_text(of, buf, len);
	util_hex(key, of->key, CONSORT_KEY_BYTES);
	util_hex(named, of->named, CONSORT_KEY_BYTES);
	util_hex(from, of->chain_from, CONSORT_KEY_BYTES);
	strbuf_init(&sb, buf, len);
	switch (order_verdict(of)) {
	case ORDER_VALID:
		strbuf_printf(&sb, "valide, signée par la clé %s %s", whose, key);
		if (of->has_chain)
			strbuf_printf(&sb, ", qui a remplacé la clé %s par une "
			    "chaîne de %u enregistrement%s de clé", from,
			    of->chain_links, of->chain_links > 1 ? "s" : "");
		break;
	case ORDER_BAD_CHAIN:
		strbuf_printf(&sb, "CHAÎNE DE CLÉS REFUSÉE" FMT_NBSP ": signée "
		    "par la clé %s %s, qui n'est pas reliée à la clé %s (%s"
		    FMT_NBSP ": %s)", whose, key, from, of->chain_diag.where,
		    of->chain_diag.what);
		break;
	case ORDER_BAD_SIGNATURE:
		strbuf_printf(&sb, "INVALIDE" FMT_NBSP ": la demande ne correspond "
		    "pas à sa signature par la clé %s", key);
		break;
	case ORDER_WRONG_SIGNER:
		if (of->has_named)
			strbuf_printf(&sb, "NON SIGNÉE PAR SON ÉMETTEUR" FMT_NBSP
			    ": signée par la clé %s, alors que la demande désigne "
			    "la clé %s %s", key, whose, named);
		else
			strbuf_printf(&sb, "NON SIGNÉE PAR SON ÉMETTEUR" FMT_NBSP
			    ": signée par la clé %s, alors que la demande ne "
			    "désigne aucun signataire", key);
		break;
	}
	return strbuf_end(&sb);
}

/*
 * Writes the top of the page: who asks, what for, and the request's
 * number, date of issue and the request it amends, in a box at the right.
 */
static void
html_top(const struct page *pg, const json_t *req)
{
	const json_t *lot = json_object_get(req, "lot");
	const json_t *c = json_object_get(req, "consortium");
	const json_t *am = json_object_get(req, "amends");
	FILE *f = pg->f;
	char month[64];

	fmt_month(month, sizeof(month), jr_str(req, "period"), pg->lang);
	fputs("<div class=\"top\"><div><p class=\"kicker\">", f);
	html(pg, jr_str(c, "name"));
	fputs(tr(pg, " — market ", " — marché "), f);
	html(pg, jr_str(c, "market"));
	fprintf(f, "</p><h1>%s</h1><p>Lot ", tr(pg, "Order request (demande de "
	    "bon de commande)", "Demande de bon de commande"));
	html(pg, jr_str(lot, "ref"));
	fputs(" — ", f);
	html(pg, jr_str(lot, "sector"));
	fputs(tr(pg, " — period ", " — période" FMT_NBSP ": "), f);
	html(pg, month);
	fputs("</p></div>", f);
	if (!order_has_number(req)) {
		fputs("</div>\n", f);
		return;
	}
	fprintf(f, "<div class=\"no\"><b>%s%lld</b>%s", tr(pg, "No. ",
	    "N°" FMT_NBSP), (long long)jr_int(req, "number"),
	    tr(pg, "issued ", "émise le "));
	html_date(pg, jr_str(req, "issued"));
	if (am != NULL)
		fprintf(f, "<br>%s%lld", tr(pg, "amends no. ", "modifie la "
		    "demande n°" FMT_NBSP), (long long)jr_int(am, "number"));
	fputs("</div></div>\n", f);
}

/*
 * The history row of the header table: number, date of issue, the
 * request it amends (with its hash) and those it replaces; none for a
 * request of format 1.
 */
static void
html_history(const struct page *pg, const json_t *req)
{
	const json_t *am = json_object_get(req, "amends");
	const json_t *rp = jr_arr(req, "replaces");
	FILE *f = pg->f;
	size_t i;

	if (!order_has_number(req))
		return;
	fprintf(f, "<tr><td>%s</td><td>%s%lld%s", tr(pg, "Request", "Demande"),
	    tr(pg, "no. ", "n°" FMT_NBSP), (long long)jr_int(req, "number"),
	    tr(pg, ", issued ", ", émise le "));
	html_date(pg, jr_str(req, "issued"));
	if (am != NULL) {
		fprintf(f, tr(pg, "; amends no. %lld (sha256 ", " ; modifie la "
		    "demande n°" FMT_NBSP "%lld (SHA-256 "), (long long)jr_int(am,
		    "number"));
		fprintf(f, "%.12s)", jr_str(am, "sha256"));
	}
	for (i = 0; i < jr_len(rp); i++)
		fprintf(f, "%s%lld", i > 0 ? ", " : tr(pg, "; replaces no. ",
		    " ; remplace les demandes n°" FMT_NBSP), (long long)jr_int(
		    json_array_get(rp, i), "number"));
	fputs("</td></tr>", f);
}

/* Writes the header table: parties, lot, rate, the signature's verdict. */
static void
html_meta(const struct page *pg, const struct order_file *of,
    const char *verdict)
{
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	const json_t *lead = json_object_get(req, "lead");
	const json_t *snd = json_object_get(req, "sender");
	char khex[2 * CONSORT_KEY_BYTES + 1], hhex[65];
	FILE *f = pg->f;

	util_hex(khex, of->key, CONSORT_KEY_BYTES);
	util_hex(hhex, of->hash, 32);
	fputs("<table class=\"meta\">", f);
	html_history(pg, req);
	fprintf(f, "<tr><td>%s</td><td>", tr(pg, "Lead", "Mandataire"));
	html(pg, jr_str(lead, "name"));
	fputs(" (SIRET ", f);
	html(pg, jr_str(lead, "siret"));
	fprintf(f, ")</td></tr><tr><td>%s</td><td>", tr(pg, "Sent by",
	    "Émise par"));
	html(pg, jr_str(snd, "name"));
	fputs(" (", f);
	html_value(pg, "member.role", jr_str(snd, "role"));
	fputs(")", f);
	if (jr_bool(snd, "direct")) {
		fputs(tr(pg, ", direct request; notice to the lead ", ", demande "
		    "directe ; information du mandataire "), f);
		html(pg, jr_str(json_object_get(snd, "notice"), "ref"));
		fputs(tr(pg, " of ", " du "), f);
		html_date(pg, jr_str(json_object_get(snd, "notice"), "date"));
	}
	fputs("</td></tr><tr><td>Lot</td><td>", f);
	html(pg, jr_str(lot, "ref"));
	if (jr_str(lot, "market_lot")[0]) {
		fputs(" (", f);
		html(pg, jr_str(lot, "market_lot"));
		fputs(")", f);
	}
	fputs(" — ", f);
	html(pg, jr_str(lot, "sector"));
	fputs(tr(pg, ", territory ", ", territoire "), f);
	html(pg, jr_str(lot, "territory"));
	html_rate(pg, lot);
	fprintf(f, "</td></tr><tr><td>%s</td><td class=\"%s\">",
	    tr(pg, "Signature", "Signature électronique"),
	    order_verdict(of) == ORDER_VALID ? "ok" : "bad");
	html(pg, verdict);
	fprintf(f, " (Ed25519)<div class=\"small\">%s %s<br>%s %s</div></td>"
	    "</tr></table>\n", tr(pg, "key", "clé"), khex, tr(pg, "SHA-256 of "
	    "the canonical request", "SHA-256 de la demande canonique"), hhex);
}

/*
 * Writes the block its sender signs by hand: the lead, or the
 * co-contractor of a direct request (R11), its name and SIRET, the place
 * and day to fill in, and room for the signature and the stamp.
 */
static void
html_signature(const struct page *pg, const json_t *req)
{
	const json_t *snd = json_object_get(req, "sender");
	const json_t *who = json_object_get(req, "lead");
	bool direct = jr_bool(snd, "direct");
	FILE *f = pg->f;

	if (direct)
		who = snd;
	fprintf(f, "<section class=\"sign\"><div class=\"box\"><p>%s<br><b>",
	    direct ? tr(pg, "The co-contractor (direct request, R11)",
	    "Le co-traitant (demande directe, R11)") : tr(pg, "The consortium's "
	    "lead", "Le mandataire du groupement"));
	html(pg, jr_str(who, "name"));
	fputs("</b>, SIRET ", f);
	html(pg, jr_str(who, "siret"));
	fprintf(f, "</p><p>%s</p><div class=\"stamp\">%s</div></div></section>\n",
	    tr(pg, "Done at ………………………………, on ……………………",
	    "Fait à ………………………………, le ……………………"),
	    tr(pg, "Signature and stamp", "Signature et cachet"));
}

/*
 * Writes a request as one self-contained printable HTML page (inline CSS,
 * no external asset) in a language: header with its number and date of
 * issue, totals per scheme and per provider, each session with its paths
 * and totals, the lines of R12, warnings, derogations, withdrawals,
 * unfinanced trainees, and the sender's signature block.
 */
int
order_write_html(FILE *f, const struct order_file *of, enum fmt_lang lang)
{
	const struct page pg = { f, lang };
	const json_t *req = of->request, *lot = json_object_get(req, "lot");
	char verdict[ORDER_VERDICT_MAX], month[64];
	int rc;

	if ((rc = page_verdict(&pg, of, verdict, sizeof(verdict))) != 0)
		return rc;
	fmt_month(month, sizeof(month), jr_str(req, "period"), lang);
	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<title>%s", tr(&pg, "en", "fr"), tr(&pg,
	    "Order request ", "Demande de bon de commande "));
	if (order_has_number(req))
		fprintf(f, "%s%lld ", tr(&pg, "no. ", "n°" FMT_NBSP),
		    (long long)jr_int(req, "number"));
	html(&pg, jr_str(lot, "ref"));
	fputs(" ", f);
	html(&pg, month);
	fprintf(f, "</title>\n<style>%s", html_style);
	html_page_style(&pg, req);
	fputs("</style>\n</head>\n<body>\n", f);
	if (order_verdict(of) != ORDER_VALID) {
		/* first, before anything the file says about itself */
		fputs("<p class=\"bad banner\">Signature ", f);
		html(&pg, verdict);
		fputs("</p>\n", f);
	}
	fputs("<header>", f);
	html_top(&pg, req);
	html_meta(&pg, of, verdict);
	fputs("</header>\n", f);
	html_totals(&pg, json_object_get(req, "totals"));
	html_sessions(&pg, jr_arr(req, "sessions"), tr(&pg, "Sessions 1 emploi "
	    "= 1 formation", "Sessions «" FMT_NBSP "1 emploi = 1 formation"
	    FMT_NBSP "»"));
	html_sessions(&pg, jr_arr(req, "socle"), tr(&pg, "Baseline sessions "
	    "(socle, R20)", "Sessions socle (R20)"));
	html_lines(&pg, jr_arr(req, "lines"));
	html_notes(&pg, req);
	html_signature(&pg, req);
	fputs("</body>\n</html>\n", f);
	return ferror(f) ? E(IO) : 0;
}
