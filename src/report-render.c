/*
 * The hires report (report.c) for people: text, a CSV table as French
 * spreadsheets open it, and one printable HTML page with a bar chart in
 * inline SVG; French by default, English on request.  Every text comes
 * from the report, escaped (HTML) or defused (CSV): nothing in it is run.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "fmt.h"
#include "order.h"
#include "report.h"

/* A rendering: where it goes and in which language. */
struct out {
	FILE *f;
	enum fmt_lang lang;
	struct fmt_csv csv;  /* the CSV's cells */
};

/* The French text, or the English one. */
static const char *
tr(const struct out *o, const char *fr, const char *en)
{
	return o->lang == FMT_FR ? fr : en;
}

/* What goes before a colon's text: " : " in French, ": " in English. */
static const char *
colon(const struct out *o)
{
	return o->lang == FMT_FR ? FMT_NBSP ": " : ": ";
}

/* ---- formatting numbers and days (French or English) ---- */

/* A day YYYY-MM-DD as JJ/MM/AAAA in French, as it is in English. */
static const char *
fmt_day(const struct out *o, const char *day, char buf[11])
{
	fmt_date(buf, 11, day, o->lang);
	return buf;
}

/*
 * A rate in thousandths as a percentage with one decimal: "66,7 %" in
 * French (a no-break space before the sign), "66.7%" in English; with
 * sign false, the number alone ("66,7").  A rate that is none (JSON null)
 * is "—", or "" without the sign.
 */
static const char *
fmt_rate(const struct out *o, const json_t *permille, bool sign, char *buf,
    size_t len)
{
	size_t n;

	if (!json_is_integer(permille) || fmt_decimal(buf, len,
	    json_integer_value(permille), 1, "", o->lang == FMT_FR ? "," :
	    ".") != 0)
		return sign ? "—" : "";
	n = strlen(buf);
	if (sign)
		snprintf(buf + n, len - n, "%s", o->lang == FMT_FR ? FMT_NBSP "%" :
		    "%");
	return buf;
}

/*
 * A count: grouped by thousands in French ("23 915", U+202F between the
 * groups), plain digits in English, as fmt_hours() writes hours.
 */
static const char *
num(const struct out *o, int64_t v, char buf[32])
{
	if (fmt_hours(buf, 32, v, o->lang, FMT_TEXT) != 0)
		snprintf(buf, 32, "%lld", (long long)v);
	return buf;
}

/* ---- what the report's words mean ---- */

/* A count of a row: its member, and its heading in both languages. */
struct count_col {
	const char *key, *fr, *en;
};

static const struct count_col counts[] = {
	{ "financed", "Parcours financés", "Financed paths" },
	{ "completed", "Formation terminée", "Completed" },
	{ "dropped_out", "Abandons", "Dropped out" },
	{ "exit_unknown", "Sortie non renseignée", "Exit not recorded" },
	{ "exit_unreadable", "Sortie non lisible ici", "Exit not readable here" },
	{ "intents", "Intentions d'embauche", "Hiring intents" },
	{ "hired", "Embauchés", "Hired" },
	{ "not_hired", "Non embauchés", "Not hired" },
	{ "withdrawn", "Désistements", "Withdrawn" },
	{ "pending", "En attente", "Pending" },
};

/* The contracts, as hired_by_contract names them. */
static const struct count_col contracts[] = {
	{ "CDI", "CDI", "CDI" },
	{ "CDD", "CDD", "CDD" },
	{ "CDI_INTERIM", "CDI intérimaire", "Interim CDI" },
	{ "APPRENTICESHIP", "Apprentissage", "Apprenticeship" },
	{ "PRO_CONTRACT", "Contrat de professionnalisation",
	    "Professionalisation contract" },
	{ "unknown", "Contrat non précisé", "Contract not recorded" },
};

/* A contract's name (the code itself when unknown). */
static const char *
contract_name(const struct out *o, const char *code)
{
	size_t i;

	for (i = 0; i < nitems(contracts); i++)
		if (strcmp(contracts[i].key, code) == 0)
			return tr(o, contracts[i].fr, contracts[i].en);
	return code;
}

/* Whether the unreadable exits are worth a column: some are. */
static bool
any_unreadable(const json_t *r)
{
	return jr_int(json_object_get(r, "totals"), "exit_unreadable") > 0;
}

/* Writes the contracts of a row's hires: "CDI 2, CDD 1" ("" none). */
static void
contracts_text(const struct out *o, const json_t *row, char *buf, size_t len)
{
	const json_t *c = json_object_get(row, "hired_by_contract");
	char nb[32];
	size_t i, k = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < nitems(contracts) && k < len; i++) {
		if (jr_int(c, contracts[i].key) == 0)
			continue;
		n = snprintf(buf + k, len - k, "%s%s %s", k ? ", " : "",
		    tr(o, contracts[i].fr, contracts[i].en),
		    num(o, jr_int(c, contracts[i].key), nb));
		if (n < 0)
			break;
		k += (size_t)n;
	}
}

/* The period in words: "du 01/01/2026 au 30/06/2026", open ends said. */
static void
period_text(const struct out *o, const json_t *scope, char *buf, size_t len)
{
	const char *from = jr_str(scope, "from"), *to = jr_str(scope, "to");
	char a[11], b[11];

	if (from[0] && to[0])
		snprintf(buf, len, tr(o, "du %s au %s", "from %s to %s"),
		    fmt_day(o, from, a), fmt_day(o, to, b));
	else if (from[0])
		snprintf(buf, len, tr(o, "depuis le %s", "from %s on"),
		    fmt_day(o, from, a));
	else if (to[0])
		snprintf(buf, len, tr(o, "jusqu'au %s", "up to %s"),
		    fmt_day(o, to, b));
	else
		snprintf(buf, len, "%s", tr(o, "toutes les dates",
		    "every date"));
}

/*
 * The lots in words: "LOT-01 (Bâtiment, 44)", or with no lot asked for,
 * every lot the report found, said to be all.
 */
static void
lots_text(const struct out *o, const json_t *r, char *buf, size_t len)
{
	const json_t *a = json_object_get(r, "lots"), *l;
	size_t i, k = 0;
	int n;

	buf[0] = '\0';
	for (i = 0; i < json_array_size(a) && k < len; i++) {
		l = json_array_get(a, i);
		n = snprintf(buf + k, len - k, "%s%s (%s, %s)", i ? ", " : "",
		    jr_str(l, "ref"), jr_str(l, "sector"), jr_str(l, "territory"));
		if (n < 0)
			break;
		k += (size_t)n;
	}
	if (k < len && json_is_null(json_object_get(json_object_get(r,
	    "scope"), "lot")))
		snprintf(buf + k, len - k, "%s", tr(o, " — tous les lots",
		    " — every lot"));
}

/* A warning in words, from its code and values. */
static void
warning_text(const struct out *o, const json_t *w, char *buf, size_t len)
{
	const char *code = jr_str(w, "code");
	char a[11], b[11];

	if (strcmp(code, "no_reason") == 0)
		snprintf(buf, len, "%s", tr(o, "non embauché sans motif "
		    "(not_hired_reason)", "not hired, without a reason "
		    "(not_hired_reason)"));
	else if (strcmp(code, "no_hired_date") == 0)
		snprintf(buf, len, "%s", tr(o, "embauché sans date d'embauche "
		    "(hired_date)", "hired, without its day (hired_date)"));
	else if (strcmp(code, "hired_before_start") == 0)
		snprintf(buf, len, tr(o, "embauché le %s, avant le début de la "
		    "formation le %s : un salarié d'entreprise ne peut pas la "
		    "suivre (R17)", "hired on %s, before the training started on "
		    "%s: a company's employee may not attend (R17)"),
		    fmt_day(o, jr_str(w, "hired_date"), a),
		    fmt_day(o, jr_str(w, "start"), b));
	else if (strcmp(code, "no_contract") == 0)
		snprintf(buf, len, "%s", tr(o, "contrat signé non renseigné "
		    "(hired_contract)", "the contract signed is not recorded "
		    "(hired_contract)"));
	else if (strcmp(code, "contract_differs") == 0)
		snprintf(buf, len, tr(o, "contrat signé (%s) différent du contrat "
		    "promis (%s)", "the contract signed (%s) is not the one "
		    "promised (%s)"), contract_name(o, jr_str(w, "signed")),
		    contract_name(o, jr_str(w, "promised")));
	else if (strcmp(code, "fewer_hours") == 0)
		snprintf(buf, len, tr(o, "%lld h par semaine au contrat, %lld h "
		    "promises", "%lld hours a week signed, %lld promised"),
		    (long long)jr_int(w, "signed_hours"),
		    (long long)jr_int(w, "promised_hours"));
	else
		snprintf(buf, len, "%s", jr_str(w, "what"));
}

/* What became of an intent not kept, in words. */
static const char *
not_kept_text(const struct out *o, const json_t *x)
{
	const char *by = jr_str(x, "by");

	if (strcmp(jr_str(x, "kind"), "not_hired") == 0)
		return tr(o, "non embauché", "not hired");
	if (strcmp(by, "employer") == 0)
		return tr(o, "désistement de l'employeur", "withdrawn by the "
		    "employer");
	return tr(o, "désistement (auteur non renseigné)", "withdrawn (by "
	    "whom not recorded)");
}

/* The note on the exits this node cannot read, or NULL when none. */
static const char *
unreadable_note(const struct out *o, const json_t *r)
{
	if (!any_unreadable(r))
		return NULL;
	return tr(o, "Une sortie de formation est une donnée personnelle : ce "
	    "nœud ne lit que celles des stagiaires qu'il suit (le mandataire "
	    "les lit toutes). Les sorties qu'il ne lit pas sont comptées à "
	    "part, « sortie non lisible ici ».", "A trainee's exit is "
	    "personal data: this node reads only those of the trainees it "
	    "follows (the lead reads them all). Those it cannot read are "
	    "counted apart, \"exit not readable here\".");
}

/* ---- text ---- */

/* Writes ", LABEL N" (or "LABEL N" first on its line) of a row's count. */
static void
text_count(const struct out *o, const json_t *row, const char *key,
    const char *fr, const char *en, const char *before)
{
	char nb[32];

	fprintf(o->f, "%s%s %s", before, tr(o, fr, en), num(o, jr_int(row, key),
	    nb));
}

/*
 * Writes one row's counts on two lines of text: the trainees' exits, then
 * the intents' outcomes with the contracts signed and the hiring rate.
 */
static void
text_counts(const struct out *o, const json_t *row, bool unreadable)
{
	char cbuf[512], rbuf[32];

	text_count(o, row, "financed", "parcours financés", "financed paths",
	    "  ");
	text_count(o, row, "completed", "formation terminée", "completed",
	    " — ");
	text_count(o, row, "dropped_out", "abandons", "dropped out", ", ");
	text_count(o, row, "exit_unknown", "sortie non renseignée",
	    "exit not recorded", ", ");
	if (unreadable)
		text_count(o, row, "exit_unreadable", "sortie non lisible ici",
		    "exit not readable here", ", ");
	text_count(o, row, "intents", "intentions d'embauche", "hiring intents",
	    "\n  ");
	text_count(o, row, "hired", "embauchés", "hired", " — ");
	contracts_text(o, row, cbuf, sizeof(cbuf));
	if (cbuf[0])
		fprintf(o->f, " (%s)", cbuf);
	text_count(o, row, "not_hired", "non embauchés", "not hired", ", ");
	text_count(o, row, "withdrawn", "désistements", "withdrawn", ", ");
	text_count(o, row, "pending", "en attente", "pending", ", ");
	fprintf(o->f, " — %s %s\n", tr(o, "taux d'embauche", "hiring rate"),
	    fmt_rate(o, json_object_get(row, "hire_rate_permille"), true, rbuf,
	    sizeof(rbuf)));
}

/* Writes the report as text (report.h). */
int
report_write_text(FILE *f, const json_t *r, enum fmt_lang lang)
{
	struct out o = { f, lang, { f, lang } };
	const json_t *a, *x;
	char buf[1024], d1[11], d2[11], nb[32];
	bool un = any_unreadable(r);
	size_t i;

	period_text(&o, json_object_get(r, "scope"), buf, sizeof(buf));
	fprintf(f, "%s — %s\n%s%s%s\n", tr(&o, "Embauches après la formation "
	    "(R23)", "Hires after the training (R23)"),
	    jr_str(json_object_get(r, "consortium"), "name"),
	    tr(&o, "Période", "Period"), colon(&o), buf);
	lots_text(&o, r, buf, sizeof(buf));
	fprintf(f, "Lots%s%s\n\n%s\n", colon(&o), buf,
	    tr(&o, "Total", "Total"));
	text_counts(&o, json_object_get(r, "totals"), un);
	fprintf(f, "\n%s\n", tr(&o, "Par session", "By session"));
	a = json_object_get(r, "sessions");
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fprintf(f, "%s %s — %s (%s %s %s %s), %s\n", jr_str(x, "ref"),
		    jr_str(x, "title"), jr_str(json_object_get(x, "provider"),
		    "name"), tr(&o, "du", "from"), fmt_day(&o, jr_str(x, "start"),
		    d1), tr(&o, "au", "to"), fmt_day(&o, jr_str(x, "end"), d2),
		    jr_str(x, "lot"));
		text_counts(&o, x, un);
	}
	fprintf(f, "\n%s\n", tr(&o, "Par organisme de formation",
	    "By provider"));
	a = json_object_get(r, "providers");
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fprintf(f, "%s (SIRET %s), %s session(s)\n", jr_str(x, "name"),
		    jr_str(x, "siret"), num(&o, jr_int(x, "sessions"),
		    nb));
		text_counts(&o, x, un);
	}
	fprintf(f, "\n%s\n", tr(&o, "Par employeur", "By employer"));
	a = json_object_get(r, "employers");
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fprintf(f, "%s (SIRET %s)\n", jr_str(x, "name"),
		    jr_str(x, "siret"));
		text_counts(&o, x, un);
	}
	a = json_object_get(r, "not_kept");
	fprintf(f, "\n%s (%zu)\n", tr(&o, "Engagements d'employeurs non tenus",
	    "Employers' commitments not kept"), json_array_size(a));
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fprintf(f, "  %s (SIRET %s) — %s %s, session %s%s%s%s%s\n",
		    jr_str(json_object_get(x, "employer"), "name"),
		    jr_str(json_object_get(x, "employer"), "siret"),
		    tr(&o, "intention", "intent"), jr_str(x, "intent"),
		    jr_str(x, "session"), colon(&o), not_kept_text(&o, x),
		    jr_str(x, "reason")[0] ? " — " : "", jr_str(x, "reason"));
	}
	a = json_object_get(r, "warnings");
	fprintf(f, "\n%s (%zu)\n", tr(&o, "Avertissements", "Warnings"),
	    json_array_size(a));
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		warning_text(&o, x, buf, sizeof(buf));
		fprintf(f, "  %s %s %s (%s %s, session %s)%s%s\n",
		    jr_str(x, "rule"), tr(&o, "intention", "intent"),
		    jr_str(x, "ref"), tr(&o, "parcours", "path"),
		    jr_str(x, "path"), jr_str(x, "session"), colon(&o), buf);
	}
	if (unreadable_note(&o, r) != NULL)
		fprintf(f, "\n%s\n", unreadable_note(&o, r));
	return ferror(f) ? E(IO) : 0;
}

/* ---- CSV ---- */

/* Writes an integer CSV cell. */
static int
csv_int(const struct fmt_csv *c, int64_t v)
{
	return fmt_csv_int(c, v, false);
}

/* The CSV's columns after its first six (level, ref, name, lot, dates). */
static int
csv_counts(const struct out *o, const json_t *row)
{
	const json_t *c = json_object_get(row, "hired_by_contract");
	char rbuf[32];
	size_t i;
	int rc = 0;

	for (i = 0; i < nitems(counts) && rc == 0; i++)
		rc = csv_int(&o->csv, jr_int(row, counts[i].key));
	for (i = 0; i < nitems(contracts) && rc == 0; i++)
		rc = csv_int(&o->csv, jr_int(c, contracts[i].key));
	if (rc == 0)
		rc = fmt_csv_cell(&o->csv, fmt_rate(o, json_object_get(row,
		    "hire_rate_permille"), false, rbuf, sizeof(rbuf)), false);
	return rc;
}

/* Writes the cells that name a row: level, ref, name, lot, start, end. */
static int
csv_names(const struct out *o, const char *level, const char *ref,
    const char *name, const char *lot, const char *start, const char *end)
{
	int rc;

	if ((rc = fmt_csv_cell(&o->csv, level, false)) != 0 ||
	    (rc = fmt_csv_cell(&o->csv, ref, false)) != 0 ||
	    (rc = fmt_csv_cell(&o->csv, name, false)) != 0 ||
	    (rc = fmt_csv_cell(&o->csv, lot, false)) != 0 ||
	    (rc = fmt_csv_date(&o->csv, start, false)) != 0)
		return rc;
	return fmt_csv_date(&o->csv, end, false);
}

/* Writes the rows of one list of the report with their counts. */
static int
csv_rows(const struct out *o, const json_t *r, const char *list,
    const char *level)
{
	const json_t *a = json_object_get(r, list), *x;
	bool session = strcmp(list, "sessions") == 0;
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(a) && rc == 0; i++) {
		x = json_array_get(a, i);
		if ((rc = csv_names(o, level, jr_str(x, session ? "ref" : "siret"),
		    jr_str(x, session ? "title" : "name"), jr_str(x, "lot"),
		    jr_str(x, "start"), jr_str(x, "end"))) != 0 ||
		    (rc = csv_counts(o, x)) != 0)
			break;
		rc = fmt_csv_cell(&o->csv, session ? jr_str(json_object_get(x,
		    "provider"), "name") : "", true);
	}
	return rc;
}

/* Writes an empty cell for each count column (a row that has none). */
static int
csv_blanks(const struct out *o)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < nitems(counts) + nitems(contracts) + 1 && rc == 0; i++)
		rc = fmt_csv_cell(&o->csv, "", false);
	return rc;
}

/* Writes the intents not kept and the warnings as rows with a note. */
static int
csv_notes(const struct out *o, const json_t *r)
{
	const json_t *a = json_object_get(r, "not_kept"), *x;
	char note[1536], what[1024];
	size_t i;
	int rc = 0;

	for (i = 0; i < json_array_size(a) && rc == 0; i++) {
		x = json_array_get(a, i);
		snprintf(note, sizeof(note), "%s %s, session %s%s%s%s%s",
		    tr(o, "intention", "intent"), jr_str(x, "intent"),
		    jr_str(x, "session"), colon(o), not_kept_text(o, x),
		    jr_str(x, "reason")[0] ? " — " : "", jr_str(x, "reason"));
		if ((rc = csv_names(o, tr(o, "Engagement non tenu",
		    "Commitment not kept"), jr_str(json_object_get(x, "employer"),
		    "siret"), jr_str(json_object_get(x, "employer"), "name"), "",
		    "", "")) != 0 || (rc = csv_blanks(o)) != 0)
			break;
		rc = fmt_csv_cell(&o->csv, note, true);
	}
	a = json_object_get(r, "warnings");
	for (i = 0; i < json_array_size(a) && rc == 0; i++) {
		x = json_array_get(a, i);
		warning_text(o, x, what, sizeof(what));
		snprintf(note, sizeof(note), "%s %s %s, session %s%s%s",
		    jr_str(x, "rule"), tr(o, "intention", "intent"),
		    jr_str(x, "ref"), jr_str(x, "session"), colon(o), what);
		if ((rc = csv_names(o, tr(o, "Avertissement", "Warning"),
		    jr_str(x, "ref"), "", "", "", "")) != 0 ||
		    (rc = csv_blanks(o)) != 0)
			break;
		rc = fmt_csv_cell(&o->csv, note, true);
	}
	return rc;
}

/* Writes the report as a CSV table (report.h). */
int
report_write_csv(FILE *f, const json_t *r, enum fmt_lang lang)
{
	struct out o = { f, lang, { f, lang } };
	size_t i;
	int rc = 0;

	fmt_csv_begin(&o.csv);
	if ((rc = csv_names(&o, tr(&o, "Niveau", "Level"), tr(&o, "Référence",
	    "Ref"), tr(&o, "Intitulé ou nom", "Title or name"), "Lot",
	    tr(&o, "Début", "Start"), tr(&o, "Fin", "End"))) != 0)
		return rc;
	for (i = 0; i < nitems(counts) && rc == 0; i++)
		rc = fmt_csv_cell(&o.csv, tr(&o, counts[i].fr, counts[i].en),
		    false);
	for (i = 0; i < nitems(contracts) && rc == 0; i++)
		rc = fmt_csv_cell(&o.csv, tr(&o, contracts[i].fr,
		    contracts[i].en), false);
	if (rc == 0)
		rc = fmt_csv_cell(&o.csv, tr(&o, "Taux d'embauche (%)",
		    "Hiring rate (%)"), false);
	if (rc == 0)
		rc = fmt_csv_cell(&o.csv, tr(&o, "Organisme ou remarque",
		    "Provider or note"), true);
	if (rc == 0)
		rc = csv_rows(&o, r, "sessions", "Session");
	if (rc == 0)
		rc = csv_rows(&o, r, "providers", tr(&o, "Organisme",
		    "Provider"));
	if (rc == 0)
		rc = csv_rows(&o, r, "employers", tr(&o, "Employeur",
		    "Employer"));
	if (rc == 0 && (rc = csv_names(&o, "Total", "", "", "", "", "")) == 0 &&
	    (rc = csv_counts(&o, json_object_get(r, "totals"))) == 0)
		rc = fmt_csv_cell(&o.csv, unreadable_note(&o, r) != NULL ?
		    unreadable_note(&o, r) : "", true);
	if (rc == 0)
		rc = csv_notes(&o, r);
	if (rc != 0)
		return rc;
	return ferror(f) ? E(IO) : 0;
}

/* ---- HTML ---- */

/* Writes text with HTML's special characters escaped. */
static void
html(FILE *f, const char *s)
{
	fmt_html(f, s, strlen(s));
}

/*
 * Writes text escaped, cut after max characters (UTF-8 code points) with
 * an ellipsis: a chart's label has only so much room.
 */
static void
html_cut(FILE *f, const char *s, size_t max)
{
	char buf[256];
	size_t i, n;

	for (i = n = 0; s[i] && i < sizeof(buf) - 4; i++) {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && n++ == max)
			break;
		buf[i] = s[i];
	}
	buf[i] = '\0';
	html(f, buf);
	if (s[i])
		fputs("…", f);
}

/* Writes a table cell holding escaped text. */
static void
td(FILE *f, const char *s)
{
	fputs("<td>", f);
	html(f, s);
	fputs("</td>", f);
}

static const char style[] =
	"@page{size:A4 landscape;margin:12mm;@bottom-right{content:"
	"counter(page) \" / \" counter(pages)}}"
	"body{font:9.5pt/1.35 -apple-system,'Segoe UI',Helvetica,Arial,"
	"sans-serif;color:#111;max-width:273mm;margin:0 auto;padding:6mm 0}"
	"h1{font-size:15pt;margin:0 0 2mm}h2{font-size:11.5pt;margin:5mm 0 2mm;"
	"border-bottom:1px solid #999}"
	"table{border-collapse:collapse;width:100%;margin:1mm 0 3mm}"
	"th,td{border:1px solid #bbb;padding:.8mm 1.2mm;text-align:left;"
	"vertical-align:top}th{background:#eee;font-weight:600;font-size:8.5pt;"
	"vertical-align:bottom}th.n{text-align:right}"
	"td.n{text-align:right;white-space:nowrap}td.name{min-width:38mm}"
	".c{white-space:normal;font-weight:normal}"
	"tr.total td{font-weight:bold;background:#f6f6f6}"
	".meta td:first-child{width:30mm;font-weight:bold}"
	".kpi{display:flex;gap:3mm;margin:2mm 0 3mm}.kpi div{flex:1;border:1px "
	"solid #bbb;padding:1.5mm 2mm}.kpi b{display:block;font-size:15pt}"
	".note{font-size:8.5pt;color:#444}.warn{color:#8a4b00}"
	"svg{display:block;margin:1mm 0 3mm}"
	"@media print{body{padding:0;max-width:none}h2{break-after:avoid}"
	"tr,svg{break-inside:avoid}thead{display:table-header-group}"
	"*{print-color-adjust:exact;-webkit-print-color-adjust:exact}}";

/* The bars of the chart: a count, its colour, its name. */
static const struct bar {
	const char *key, *colour, *fr, *en;
} bars[] = {
	{ "financed", "#9aa5b1", "Parcours financés", "Financed paths" },
	{ "completed", "#3b7dd8", "Formation terminée", "Completed" },
	{ "hired", "#2e9e5b", "Embauchés", "Hired" },
};

/*
 * Writes the bar chart as inline SVG: for each row (the sessions, or the
 * providers when there are more than 12 sessions), its financed paths,
 * completed trainings and hires as three bars on one scale, the number
 * at each bar's end.
 */
static void
html_chart(const struct out *o, const json_t *r)
{
	const json_t *a = json_object_get(r, "sessions"), *x;
	bool by_session = json_array_size(a) <= 12;
	const int label = 190, width = 1000, bar = 11, gap = 12, top = 28;
	int64_t max = 1, v;
	char nb[32];
	size_t i, k, n;
	int y, w, h;

	if (!by_session)
		a = json_object_get(r, "providers");
	if ((n = json_array_size(a)) == 0)
		return;
	for (i = 0; i < n; i++)
		if ((v = jr_int(json_array_get(a, i), "financed")) > max)
			max = v;
	h = top + (int)n * ((int)nitems(bars) * bar + gap) + 4;
	fprintf(o->f, "<svg role=\"img\" viewBox=\"0 0 %d %d\" width=\"100%%\" "
	    "xmlns=\"http://www.w3.org/2000/svg\" font-size=\"12\" "
	    "font-family=\"Helvetica,Arial,sans-serif\"><title>", width, h);
	html(o->f, by_session ? tr(o, "Par session : parcours financés, "
	    "formations terminées et embauches", "By session: financed paths, "
	    "completed trainings and hires") : tr(o, "Par organisme : parcours "
	    "financés, formations terminées et embauches", "By provider: "
	    "financed paths, completed trainings and hires"));
	fputs("</title>\n", o->f);
	for (k = 0; k < nitems(bars); k++) {
		fprintf(o->f, "<rect x=\"%d\" y=\"6\" width=\"12\" height=\"12\" "
		    "fill=\"%s\"/><text x=\"%d\" y=\"16\">", label + (int)k * 200,
		    bars[k].colour, label + (int)k * 200 + 17);
		html(o->f, tr(o, bars[k].fr, bars[k].en));
		fputs("</text>\n", o->f);
	}
	for (i = 0, y = top; i < n; i++) {
		x = json_array_get(a, i);
		fprintf(o->f, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">",
		    label - 8, y + (int)nitems(bars) * bar / 2 + 4);
		html_cut(o->f, jr_str(x, by_session ? "ref" : "name"), 26);
		fputs("</text>\n", o->f);
		for (k = 0; k < nitems(bars); k++, y += bar) {
			v = jr_int(x, bars[k].key);
			w = (int)(v * (width - label - 60) / max);
			fprintf(o->f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" "
			    "height=\"%d\" fill=\"%s\"/><text x=\"%d\" y=\"%d\" "
			    "font-size=\"10\">%s</text>\n", label, y, w, bar - 2,
			    bars[k].colour, label + w + 4, y + bar - 3,
			    num(o, v, nb));
		}
		y += gap;
	}
	fputs("</svg>\n", o->f);
}

/* Writes the headings of a table of rows with counts. */
static void
html_head(const struct out *o, const char *first, const char *second,
    bool unreadable)
{
	size_t i;

	fputs("<table><thead><tr><th>", o->f);
	html(o->f, first);
	fputs("</th><th>", o->f);
	html(o->f, second);
	fputs("</th>", o->f);
	for (i = 0; i < nitems(counts); i++) {
		if (!unreadable && strcmp(counts[i].key, "exit_unreadable") == 0)
			continue;
		fputs("<th class=\"n\">", o->f);
		html(o->f, tr(o, counts[i].fr, counts[i].en));
		if (strcmp(counts[i].key, "hired") == 0)
			fprintf(o->f, "<div class=\"note\">%s</div>",
			    tr(o, "contrats signés", "contracts signed"));
		fputs("</th>", o->f);
	}
	fprintf(o->f, "<th class=\"n\">%s</th></tr></thead><tbody>\n",
	    tr(o, "Taux d'embauche", "Hiring rate"));
}

/* Writes the count cells of one row, the contracts under the hires. */
static void
html_counts(const struct out *o, const json_t *row, bool unreadable)
{
	char buf[512], nb[32];
	size_t i;

	for (i = 0; i < nitems(counts); i++) {
		if (!unreadable && strcmp(counts[i].key, "exit_unreadable") == 0)
			continue;
		fprintf(o->f, "<td class=\"n\">%s",
		    num(o, jr_int(row, counts[i].key), nb));
		if (strcmp(counts[i].key, "hired") == 0) {
			contracts_text(o, row, buf, sizeof(buf));
			fputs("<div class=\"note c\">", o->f);
			html(o->f, buf);
			fputs("</div>", o->f);
		}
		fputs("</td>", o->f);
	}
	fprintf(o->f, "<td class=\"n\">%s</td></tr>\n", fmt_rate(o,
	    json_object_get(row, "hire_rate_permille"), true, buf,
	    sizeof(buf)));
}

/* Writes one table of rows: sessions, providers or employers. */
static void
html_rows(const struct out *o, const json_t *r, const char *list,
    const char *title)
{
	const json_t *a = json_object_get(r, list), *x;
	bool session = strcmp(list, "sessions") == 0, un = any_unreadable(r);
	char buf[256], d1[11], d2[11], nb[32];
	size_t i;

	fprintf(o->f, "<section><h2>%s (%s)</h2>\n", title,
	    num(o, (int64_t)json_array_size(a), nb));
	html_head(o, session ? "Session" : "SIRET", session ? tr(o, "Intitulé, "
	    "organisme, dates", "Title, provider, dates") : tr(o, "Nom", "Name"),
	    un);
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fputs("<tr>", o->f);
		td(o->f, jr_str(x, session ? "ref" : "siret"));
		fputs("<td class=\"name\">", o->f);
		html(o->f, jr_str(x, session ? "title" : "name"));
		if (session) {
			snprintf(buf, sizeof(buf), "%s, %s %s %s %s", jr_str(x, "lot"),
			    tr(o, "du", "from"), fmt_day(o, jr_str(x, "start"), d1),
			    tr(o, "au", "to"), fmt_day(o, jr_str(x, "end"), d2));
			fputs("<div class=\"note\">", o->f);
			html(o->f, jr_str(json_object_get(x, "provider"), "name"));
			fputs("<br>", o->f);
			html(o->f, buf);
			fputs("</div>", o->f);
		} else if (strcmp(list, "providers") == 0)
			fprintf(o->f, "<div class=\"note\">%s session(s)</div>",
			    num(o, jr_int(x, "sessions"), nb));
		fputs("</td>", o->f);
		html_counts(o, x, un);
	}
	if (session) {
		fputs("<tr class=\"total\"><td colspan=\"2\">Total</td>", o->f);
		html_counts(o, json_object_get(r, "totals"), un);
	}
	fputs("</tbody></table></section>\n", o->f);
}

/* Writes the employers' commitments not kept. */
static void
html_not_kept(const struct out *o, const json_t *r)
{
	const json_t *a = json_object_get(r, "not_kept"), *x, *e;
	char d[11];
	size_t i;

	fprintf(o->f, "<section><h2>%s (%zu)</h2>\n", tr(o, "Employeurs "
	    "n'ayant pas embauché après s'être engagés", "Employers who did not "
	    "hire after committing"), json_array_size(a));
	if (json_array_size(a) == 0) {
		fprintf(o->f, "<p>%s</p></section>\n", tr(o, "Aucun.", "None."));
		return;
	}
	fprintf(o->f, "<table><thead><tr><th>%s</th><th>SIRET</th><th>%s</th>"
	    "<th>Session</th><th>%s</th><th>%s</th><th>Date</th><th>%s</th>"
	    "</tr></thead><tbody>\n", tr(o, "Employeur", "Employer"),
	    tr(o, "Intention", "Intent"), tr(o, "Contrat promis",
	    "Contract promised"), tr(o, "Situation", "What happened"),
	    tr(o, "Motif", "Reason"));
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		e = json_object_get(x, "employer");
		fputs("<tr>", o->f);
		td(o->f, jr_str(e, "name"));
		td(o->f, jr_str(e, "siret"));
		td(o->f, jr_str(x, "intent"));
		td(o->f, jr_str(x, "session"));
		td(o->f, contract_name(o, jr_str(x, "promised")));
		td(o->f, not_kept_text(o, x));
		td(o->f, fmt_day(o, jr_str(x, "date"), d));
		td(o->f, jr_str(x, "reason"));
		fputs("</tr>\n", o->f);
	}
	fprintf(o->f, "</tbody></table><p class=\"note\">%s</p></section>\n",
	    tr(o, "La Région, avec l'organisme concerné, cherche une solution "
	    "pour le stagiaire (FAQ §6) : poursuite sur un parcours complet, "
	    "mise en relation avec France Travail.", "The Region and the "
	    "provider look for a solution for the trainee (FAQ §6): a full "
	    "path, a referral to France Travail."));
}

/* Writes the warnings, when there are any. */
static void
html_warnings(const struct out *o, const json_t *r)
{
	const json_t *a = json_object_get(r, "warnings"), *x;
	char buf[1024];
	size_t i;

	if (json_array_size(a) == 0)
		return;
	fprintf(o->f, "<section><h2>%s (%zu)</h2><ul class=\"warn\">\n",
	    tr(o, "Avertissements", "Warnings"), json_array_size(a));
	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		warning_text(o, x, buf, sizeof(buf));
		fputs("<li>", o->f);
		html(o->f, jr_str(x, "rule"));
		fprintf(o->f, " — %s ", tr(o, "intention", "intent"));
		html(o->f, jr_str(x, "ref"));
		fprintf(o->f, " (%s ", tr(o, "parcours", "path"));
		html(o->f, jr_str(x, "path"));
		fputs(", session ", o->f);
		html(o->f, jr_str(x, "session"));
		fputs(")", o->f);
		fputs(colon(o), o->f);
		html(o->f, buf);
		fputs("</li>\n", o->f);
	}
	fputs("</ul></section>\n", o->f);
}

/* Writes the key figures: financed, completed, dropped out, hired, rate. */
static void
html_kpi(const struct out *o, const json_t *t)
{
	static const char *const keys[] = { "financed", "completed",
		"dropped_out", "hired" };
	char buf[32];
	size_t i, k;

	fputs("<div class=\"kpi\">", o->f);
	for (i = 0; i < nitems(keys); i++)
		for (k = 0; k < nitems(counts); k++)
			if (strcmp(counts[k].key, keys[i]) == 0)
				fprintf(o->f, "<div><b>%s</b>%s</div>",
				    num(o, jr_int(t, keys[i]), buf),
				    tr(o, counts[k].fr, counts[k].en));
	fprintf(o->f, "<div><b>%s</b>%s</div></div>\n", fmt_rate(o,
	    json_object_get(t, "hire_rate_permille"), true, buf, sizeof(buf)),
	    tr(o, "Taux d'embauche (embauchés / intentions)", "Hiring rate "
	    "(hired / intents)"));
}

/* Writes the report as one printable HTML page (report.h). */
int
report_write_html(FILE *f, const json_t *r, enum fmt_lang lang)
{
	struct out o = { f, lang, { f, lang } };
	const json_t *c = json_object_get(r, "consortium");
	char buf[1024];

	fprintf(f, "<!DOCTYPE html>\n<html lang=\"%s\">\n<head>\n<meta "
	    "charset=\"utf-8\">\n<title>", tr(&o, "fr", "en"));
	html(f, tr(&o, "Embauches après la formation", "Hires after the "
	    "training"));
	fprintf(f, "</title>\n<style>%s</style>\n</head>\n<body>\n<header><h1>",
	    style);
	html(f, tr(&o, "Embauches après la formation — 1 emploi = 1 formation",
	    "Hires after the training — 1 emploi = 1 formation"));
	fprintf(f, "</h1>\n<table class=\"meta\"><tr><td>%s</td><td>",
	    tr(&o, "Groupement", "Consortium"));
	html(f, jr_str(c, "name"));
	if (jr_str(c, "market")[0]) {
		fprintf(f, " — %s ", tr(&o, "marché", "market"));
		html(f, jr_str(c, "market"));
	}
	period_text(&o, json_object_get(r, "scope"), buf, sizeof(buf));
	fprintf(f, "</td></tr><tr><td>%s</td><td>", tr(&o, "Période",
	    "Period"));
	html(f, buf);
	fprintf(f, " <span class=\"note\">(%s)</span></td></tr><tr><td>Lots"
	    "</td><td>", tr(&o, "parcours commandés dans la période",
	    "paths ordered in the period"));
	lots_text(&o, r, buf, sizeof(buf));
	html(f, buf);
	fputs("</td></tr></table></header>\n", f);
	html_kpi(&o, json_object_get(r, "totals"));
	html_chart(&o, r);
	html_rows(&o, r, "sessions", tr(&o, "Par session", "By session"));
	html_rows(&o, r, "providers", tr(&o, "Par organisme de formation",
	    "By provider"));
	html_rows(&o, r, "employers", tr(&o, "Par employeur", "By employer"));
	html_not_kept(&o, r);
	html_warnings(&o, r);
	fputs("<footer class=\"note\"><p>", f);
	html(f, tr(&o, "Les nombres comptent les parcours financés par la Région "
	    "et commandés dans la période ; un stagiaire est compté une fois par "
	    "parcours. Le taux d'embauche rapporte les embauches aux intentions "
	    "d'embauche. Ce document ne contient aucune donnée personnelle : des "
	    "nombres et des références.", "The figures count the paths the "
	    "Region finances that were ordered in the period, each trainee once "
	    "per path. The hiring rate is hires over hiring intents. This "
	    "document holds no personal data: numbers and refs."));
	if (unreadable_note(&o, r) != NULL) {
		fputs("</p><p>", f);
		html(f, unreadable_note(&o, r));
	}
	fputs("</p></footer>\n</body>\n</html>\n", f);
	return ferror(f) ? E(IO) : 0;
}
