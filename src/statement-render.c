/*
 * Rendering the monthly statement (R18) for people, from the JSON that
 * statement_build() makes: a text table, in French by default or in
 * English as before, and a CSV as the language's spreadsheets open it
 * (fmt.h), one row per path and rate of the month.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "core.h"
#include "order.h"

/* The how of the statement's hours, in French, for the rules it states. */
static const struct {
	const char *en, *fr;
} rule_texts[] = {
	{ "attended hours where the provider recorded attendance in the "
	    "month (its days' records, else the month's), planned hours where "
	    "not: spread over the session's working days (Monday to Friday, no "
	    "public holiday), floor(hours x days through the month's end / days "
	    "in all) less the same through the day before the month; at most "
	    "the path's planned hours; split where the rate changes, each part "
	    "at its rate",
	  "heures de présence là où l'organisme a relevé la présence du mois "
	    "(ses relevés par jour, sinon celui du mois), heures prévues "
	    "ailleurs" FMT_NBSP ": réparties sur les jours ouvrés de la session "
	    "(du lundi au vendredi, hors jours fériés), partie entière de "
	    "(heures × jours jusqu'à la fin du mois / jours en tout), moins la "
	    "même chose jusqu'à la veille du mois" FMT_NBSP "; au plus les "
	    "heures prévues du parcours" FMT_NBSP "; découpées au changement "
	    "de taux, chaque partie à son taux" },
	{ "hours spread over the session's working days (Monday to Friday, no "
	    "public holiday): floor(hours x days through the month's end / days "
	    "in all) less the same through the day before the month; split "
	    "where the rate changes, each part at its rate",
	  "heures réparties sur les jours ouvrés de la session (du lundi au "
	    "vendredi, hors jours fériés)" FMT_NBSP ": partie entière de (heures × jours jusqu'à "
	    "la fin du mois / jours en tout), moins la même chose jusqu'à la "
	    "veille du mois" FMT_NBSP "; découpées au changement de taux, "
	    "chaque partie à son taux" },
};

/* The statement's rule in the language: its French when known. */
static const char *
rule_text(const char *rule, enum fmt_lang lang)
{
	size_t i;

	for (i = 0; lang == FMT_FR && i < nitems(rule_texts); i++)
		if (strcmp(rule, rule_texts[i].en) == 0)
			return rule_texts[i].fr;
	return rule;
}

/* Writes minutes as hours, "12 h" or "12 h 30" (narrow space in French). */
static void
minutes_text(char *buf, size_t len, int64_t minutes, enum fmt_lang lang)
{
	const char *sp = lang == FMT_FR ? FMT_NBSP : " ";

	if (minutes % 60 == 0)
		snprintf(buf, len, "%lld%sh", (long long)(minutes / 60), sp);
	else
		snprintf(buf, len, "%lld%sh%s%02lld", (long long)(minutes / 60),
		    sp, sp, (long long)(minutes % 60));
}

/* Writes, for a session, the paths counted from planned hours. */
static void
text_fallbacks(FILE *f, const json_t *x, enum fmt_lang lang)
{
	const json_t *ps = jr_arr(x, "paths"), *p;
	const char *sep = "";
	char day[16];
	size_t k, planned = 0;

	for (k = 0; k < jr_len(ps); k++)
		planned += strcmp(jr_str(json_array_get(ps, k), "source"),
		    "planned") == 0;
	if (planned > 1 && planned == jr_len(ps)) {
		fprintf(f, lang == FMT_FR ? "%s" FMT_NBSP ": heures prévues pour "
		    "ses %zu parcours (aucune présence relevée)\n" : "%s: planned "
		    "hours for its %zu paths (no attendance recorded)\n",
		    jr_str(x, "ref"), planned);
		return;
	}
	for (k = 0; k < jr_len(ps); k++) {
		p = json_array_get(ps, k);
		if (strcmp(jr_str(p, "source"), "attended") == 0)
			continue;
		if (*sep == '\0')
			fprintf(f, lang == FMT_FR ? "%s" FMT_NBSP ": heures prévues "
			    "pour" : "%s: planned hours for", jr_str(x, "ref"));
		if (strcmp(jr_str(p, "source"), "mixed") == 0) {
			fmt_date(day, sizeof(day), jr_str(p, "planned_from"), lang);
			fprintf(f, lang == FMT_FR ? "%s %s à partir du %s" :
			    "%s %s from %s", sep, jr_str(p, "path"), day);
		} else
			fprintf(f, lang == FMT_FR ? "%s %s tout le mois" :
			    "%s %s all month", sep, jr_str(p, "path"));
		sep = ",";
	}
	if (*sep != '\0')
		putc('\n', f);
}

/* Writes one warning about attendance, in French from its fields. */
static void
text_warning_fr(FILE *f, const json_t *w)
{
	const char *kind = jr_str(w, "kind"), *path = jr_str(w, "path");
	const char *when = jr_str(w, "date");
	char d[64], m[32];

	if (*when != '\0')
		fmt_date(d, sizeof(d), when, FMT_FR);
	else
		fmt_month(d, sizeof(d), jr_str(w, "month"), FMT_FR);
	minutes_text(m, sizeof(m), jr_int(w, "minutes"), FMT_FR);
	fputs("Attention" FMT_NBSP ": ", f);
	if (strcmp(kind, "outside") == 0)
		fprintf(f, "présence du parcours %s (%s, %s) hors de ses jours"
		    FMT_NBSP ": non comptée" FMT_NBSP "; corriger le jour dans "
		    "le registre, ou les dates du parcours\n", path, d, m);
	else if (strcmp(kind, "non_working") == 0)
		fprintf(f, "présence du parcours %s le %s, jour non ouvré, "
		    "comptée (%s)" FMT_NBSP ": vérifier le jour dans le "
		    "registre\n", path, d, m);
	else if (strcmp(kind, "month_and_days") == 0)
		fprintf(f, "le parcours %s a des relevés par jour en %s" FMT_NBSP
		    ": ils comptent, son relevé du mois (%s) est écarté\n", path,
		    d, m);
	else if (strcmp(kind, "beyond_planned") == 0)
		fprintf(f, "le parcours %s dépasse ses heures prévues fin %s"
		    FMT_NBSP ": temps non compté" FMT_NBSP ": %s\n", path, d, m);
	else if (strcmp(kind, "exit_unread") == 0)
		fprintf(f, "la sortie du stagiaire du parcours %s est enregistrée "
		    "mais illisible ici" FMT_NBSP ": ses jours comptent jusqu'à la "
		    "fin de sa session\n", path);
	else
		fprintf(f, "%s\n", jr_str(w, "what"));
}

/*
 * Writes where the month's time comes from: per session the paths that
 * fell back to planned hours, the attended and planned totals, and the
 * warnings about attendance.
 */
static void
text_sources(FILE *f, const json_t *st, enum fmt_lang lang)
{
	const json_t *ss = jr_arr(st, "sessions"), *ws = jr_arr(st, "warnings");
	const json_t *t = json_object_get(st, "totals");
	const json_t *by = json_object_get(t, "paths_by_source");
	char att[32], plan[32];
	size_t i;

	for (i = 0; i < jr_len(ss); i++)
		text_fallbacks(f, json_array_get(ss, i), lang);
	minutes_text(att, sizeof(att), jr_int(t, "attended_minutes"), lang);
	minutes_text(plan, sizeof(plan), jr_int(t, "planned_minutes"), lang);
	fprintf(f, lang == FMT_FR ? "Présence relevée" FMT_NBSP ": %s, heures "
	    "prévues" FMT_NBSP ": %s (parcours relevés" FMT_NBSP ": %lld, "
	    "prévus" FMT_NBSP ": %lld, mixtes" FMT_NBSP ": %lld)\n" : "attended: %s, planned: %s (paths: %lld "
	    "attended, %lld planned, %lld mixed)\n", att, plan,
	    (long long)jr_int(by, "attended"), (long long)jr_int(by, "planned"),
	    (long long)jr_int(by, "mixed"));
	for (i = 0; i < jr_len(ws); i++) {
		if (lang == FMT_FR)
			text_warning_fr(f, json_array_get(ws, i));
		else
			fprintf(f, "warning: %s\n", jr_str(json_array_get(ws, i),
			    "what"));
	}
}

/* The time of a session or of the totals in English: minutes when given. */
static const char *
time_en(char *buf, size_t len, const json_t *o)
{
	const json_t *m = json_object_get(o, "minutes");

	minutes_text(buf, len, m != NULL ? json_integer_value(m) :
	    jr_int(o, "hours") * 60, FMT_EN);
	return buf;
}

/* Writes the statement's text in English, as consort always wrote it. */
static void
text_en(FILE *f, const json_t *st)
{
	const json_t *lot = json_object_get(st, "lot");
	const json_t *ss = jr_arr(st, "sessions"), *x;
	const json_t *t = json_object_get(st, "totals");
	const json_t *rates = jr_arr(st, "rates");
	char eur[64], cost[64], h[32];
	size_t i;

	order_euros(eur, sizeof(eur), jr_int(lot, "rate_cents"), " ");
	fprintf(f, "statement %s %s (R18): %s, territory %s, %s per hour\n",
	    jr_str(lot, "ref"), jr_str(st, "month"), jr_str(lot, "sector"),
	    jr_str(lot, "territory"), eur);
	/* R14: a month the rate changes in, part by part */
	for (i = 0; jr_len(rates) > 1 && i < jr_len(rates); i++) {
		x = json_array_get(rates, i);
		order_euros(eur, sizeof(eur), jr_int(x, "rate_cents"), " ");
		order_euros(cost, sizeof(cost), jr_int(x, "cost_cents"), " ");
		fprintf(f, "rate %s per hour from %s to %s: %lld h, %s\n", eur,
		    jr_str(x, "from"), jr_str(x, "to"), (long long)jr_int(x,
		    "hours"), cost);
	}
	fprintf(f, "%-10s %-14s %-10s %-10s %5s %6s %8s %9s %16s\n", "session",
	    "provider", "start", "end", "days", "month", "financed", "hours",
	    "cost");
	for (i = 0; i < jr_len(ss); i++) {
		x = json_array_get(ss, i);
		order_euros(eur, sizeof(eur), jr_int(x, "cost_cents"), " ");
		fprintf(f, "%-10s %-14s %-10s %-10s %5lld %6lld %8lld %9s %16s\n",
		    jr_str(x, "ref"), jr_str(json_object_get(x, "provider"),
		    "siret"), jr_str(x, "start"), jr_str(x, "end"),
		    (long long)jr_int(x, "working_days"), (long long)jr_int(x,
		    "working_days_in_month"), (long long)jr_int(x, "financed"),
		    time_en(h, sizeof(h), x), eur);
	}
	order_euros(eur, sizeof(eur), jr_int(t, "cost_cents"), " ");
	fprintf(f, "total: %lld sessions, %lld financed trainees, %s, %s "
	    "(%lld cents)\n", (long long)jr_int(t, "sessions"),
	    (long long)jr_int(t, "financed"), time_en(h, sizeof(h), t), eur,
	    (long long)jr_int(t, "cost_cents"));
	text_sources(f, st, FMT_EN);
	fprintf(f, "rule: %s\n", jr_str(st, "rule"));
}

/* Writes one cell of the French table, padded to width characters. */
static void
cell(FILE *f, const char *s, int width, bool right)
{
	fmt_pad(f, s, width, right);
	putc(' ', f);
}

/*
 * Writes the time of a session or of the totals in French: its hours
 * grouped by thousands ("1 176"), and its minutes when it has some past
 * the hour ("132 h 30"), so that the hours times the rate give the amount.
 */
static void
fr_time(char *buf, size_t len, const json_t *o, bool unit)
{
	const json_t *m = json_object_get(o, "minutes");

	if (json_is_integer(m) && json_integer_value(m) % 60 != 0) {
		minutes_text(buf, len, json_integer_value(m), FMT_FR);
		return;
	}
	fmt_hours(buf, len, jr_int(o, "hours"), FMT_FR, FMT_TEXT);
	if (unit && strlen(buf) + 4 < len)
		strcat(buf, FMT_NBSP "h");
}

/* Writes one session's line of the French table. */
static void
text_fr_session(FILE *f, const json_t *x)
{
	char buf[64];

	cell(f, jr_str(x, "ref"), 10, false);
	cell(f, jr_str(json_object_get(x, "provider"), "siret"), 14, false);
	fmt_date(buf, sizeof(buf), jr_str(x, "start"), FMT_FR);
	cell(f, buf, 10, false);
	fmt_date(buf, sizeof(buf), jr_str(x, "end"), FMT_FR);
	cell(f, buf, 10, false);
	snprintf(buf, sizeof(buf), "%lld", (long long)jr_int(x, "working_days"));
	cell(f, buf, 5, true);
	snprintf(buf, sizeof(buf), "%lld", (long long)jr_int(x,
	    "working_days_in_month"));
	cell(f, buf, 6, true);
	snprintf(buf, sizeof(buf), "%lld", (long long)jr_int(x, "financed"));
	cell(f, buf, 8, true);
	fr_time(buf, sizeof(buf), x, false);
	cell(f, buf, 9, true);
	fmt_euros(buf, sizeof(buf), jr_int(x, "cost_cents"), FMT_FR, FMT_TEXT);
	fmt_pad(f, buf, 16, true);
	putc('\n', f);
}

/* Writes the statement's text in French. */
static void
text_fr(FILE *f, const json_t *st)
{
	const json_t *lot = json_object_get(st, "lot");
	const json_t *ss = jr_arr(st, "sessions"), *x;
	const json_t *t = json_object_get(st, "totals");
	const json_t *rates = jr_arr(st, "rates");
	char eur[64], cost[64], month[64], a[16], b[16], h[32];
	size_t i;

	fmt_euros(eur, sizeof(eur), jr_int(lot, "rate_cents"), FMT_FR, FMT_TEXT);
	fmt_month(month, sizeof(month), jr_str(st, "month"), FMT_FR);
	fprintf(f, "Relevé mensuel du lot %s, %s (R18)" FMT_NBSP ": %s, "
	    "territoire %s, %s de l'heure\n", jr_str(lot, "ref"), month,
	    jr_str(lot, "sector"), jr_str(lot, "territory"), eur);
	/* R14: a month the rate changes in, part by part */
	for (i = 0; jr_len(rates) > 1 && i < jr_len(rates); i++) {
		x = json_array_get(rates, i);
		fmt_euros(eur, sizeof(eur), jr_int(x, "rate_cents"), FMT_FR,
		    FMT_TEXT);
		fmt_euros(cost, sizeof(cost), jr_int(x, "cost_cents"), FMT_FR,
		    FMT_TEXT);
		fmt_date(a, sizeof(a), jr_str(x, "from"), FMT_FR);
		fmt_date(b, sizeof(b), jr_str(x, "to"), FMT_FR);
		fmt_hours(h, sizeof(h), jr_int(x, "hours"), FMT_FR, FMT_TEXT);
		fprintf(f, "Taux de %s de l'heure du %s au %s" FMT_NBSP ": %s"
		    FMT_NBSP "h, %s\n", eur, a, b, h, cost);
	}
	cell(f, "session", 10, false);
	cell(f, "organisme", 14, false);
	cell(f, "début", 10, false);
	cell(f, "fin", 10, false);
	cell(f, "jours", 5, true);
	cell(f, "mois", 6, true);
	cell(f, "financés", 8, true);
	cell(f, "heures", 9, true);
	fmt_pad(f, "montant", 16, true);
	putc('\n', f);
	for (i = 0; i < jr_len(ss); i++)
		text_fr_session(f, json_array_get(ss, i));
	fmt_euros(eur, sizeof(eur), jr_int(t, "cost_cents"), FMT_FR, FMT_TEXT);
	fr_time(h, sizeof(h), t, true);
	fprintf(f, "Total" FMT_NBSP ": %lld session%s, %lld stagiaire%s "
	    "financé%s, %s, %s\n", (long long)jr_int(t, "sessions"),
	    jr_int(t, "sessions") > 1 ? "s" : "", (long long)jr_int(t,
	    "financed"), jr_int(t, "financed") > 1 ? "s" : "",
	    jr_int(t, "financed") > 1 ? "s" : "", h, eur);
	text_sources(f, st, FMT_FR);
	fprintf(f, "Règle" FMT_NBSP ": %s\n", rule_text(jr_str(st, "rule"),
	    FMT_FR));
}

/* Writes a statement as a text table in a language. */
int
statement_write_text(FILE *f, const json_t *st, enum fmt_lang lang)
{
	if (lang == FMT_EN)
		text_en(f, st);
	else
		text_fr(f, st);
	return ferror(f) ? E(IO) : 0;
}

/*
 * The columns of the statement's CSV: an id, the English and the French
 * headings, and the kind of the cells (TEXT, DATE, MONTH, INT, CENTS: an
 * amount as cents in English and euros in French, EUROS).
 */
#define ST_COLUMNS(X)							\
	X(LOT, "lot", "Lot", TEXT)					\
	X(MONTH, "month", "Mois", MONTH)				\
	X(SESSION, "session", "Session", TEXT)				\
	X(TITLE, "title", "Intitulé", TEXT)				\
	X(SCHEME, "scheme", "Dispositif", TEXT)				\
	X(PROVIDER_SIRET, "provider_siret", "SIRET organisme", TEXT)	\
	X(PROVIDER_NAME, "provider_name", "Organisme", TEXT)		\
	X(START, "start", "Début de session", DATE)			\
	X(END, "end", "Fin de session", DATE)				\
	X(DAYS, "working_days", "Jours ouvrés", INT)			\
	X(DAYS_MONTH, "working_days_in_month", "Jours ouvrés du mois", INT) \
	X(PATH, "path", "Parcours", TEXT)				\
	X(TRAINEE, "trainee", "Stagiaire", TEXT)			\
	X(PATH_START, "path_start", "Début du parcours", DATE)		\
	X(PATH_HOURS, "path_hours", "Heures du parcours", INT)		\
	X(SOURCE, "source", "Heures comptées", TEXT)			\
	X(FROM, "from", "Du", DATE)					\
	X(TO, "to", "Au", DATE)						\
	X(RATE, "rate_cents", "Taux horaire (€)", CENTS)		\
	X(HOURS, "hours", "Heures du mois", INT)			\
	X(MINUTES, "minutes", "Minutes du mois", INT)			\
	X(COST, "cost_cents", "Montant (€)", CENTS)

enum st_kind { SK_TEXT, SK_DATE, SK_MONTH, SK_INT, SK_CENTS };

enum st_col {
#define ST_ENUM(id, en, fr, kind) ST_##id,
	ST_COLUMNS(ST_ENUM)
#undef ST_ENUM
	ST_NCOLS
};

static const struct {
	const char *en, *fr;
	enum st_kind kind;
} st_columns[] = {
#define ST_TABLE(id, en, fr, kind) { en, fr, SK_##kind },
	ST_COLUMNS(ST_TABLE)
#undef ST_TABLE
};

/* One row of the CSV: text or a number per column; none: an empty cell. */
struct st_row {
	const char *text[ST_NCOLS];
	int64_t num[ST_NCOLS];
	bool none[ST_NCOLS];
};

/* Writes one row (the header when r is NULL). */
static int
st_put_row(const struct fmt_csv *c, const struct st_row *r)
{
	bool last;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < ST_NCOLS; i++) {
		last = i + 1 == ST_NCOLS;
		if (r == NULL)
			rc = fmt_csv_cell(c, c->lang == FMT_FR ? st_columns[i].fr :
			    st_columns[i].en, last);
		else if (r->none[i])
			rc = fmt_csv_cell(c, "", last);
		else if (st_columns[i].kind == SK_DATE)
			rc = fmt_csv_date(c, r->text[i], last);
		else if (st_columns[i].kind == SK_MONTH)
			rc = fmt_csv_month(c, r->text[i], last);
		else if (st_columns[i].kind == SK_INT || (st_columns[i].kind ==
		    SK_CENTS && c->lang == FMT_EN))
			rc = fmt_csv_int(c, r->num[i], last);
		else if (st_columns[i].kind == SK_CENTS)
			rc = fmt_csv_euros(c, r->num[i], last);
		else
			rc = fmt_csv_cell(c, r->text[i], last);
	}
	return rc;
}

/* Where a path's hours of the month come from, in the language. */
static const char *
source_text(const char *source, enum fmt_lang lang)
{
	if (lang == FMT_EN)
		return source;
	if (strcmp(source, "attended") == 0)
		return "présence relevée";
	if (strcmp(source, "mixed") == 0)
		return "présence puis prévues";
	return "prévues";
}

/*
 * Writes the rows of one path p of session x: one per part of the month
 * with its rate, or one with no rate and no hour when it has none there.
 */
static int
st_path_rows(const struct fmt_csv *c, const json_t *st, const json_t *x,
    const json_t *p)
{
	const json_t *pv = json_object_get(x, "provider");
	const json_t *parts = jr_arr(p, "parts"), *q;
	char scheme[128];
	struct st_row r;
	size_t i;
	int rc = 0;

	memset(&r, 0, sizeof(r));
	r.text[ST_LOT] = jr_str(json_object_get(st, "lot"), "ref");
	r.text[ST_MONTH] = jr_str(st, "month");
	r.text[ST_SESSION] = jr_str(x, "ref");
	r.text[ST_TITLE] = jr_str(x, "title");
	r.text[ST_SCHEME] = fmt_value(scheme, sizeof(scheme), "session", "scheme",
	    jr_str(x, "scheme"), c->lang);
	r.text[ST_PROVIDER_SIRET] = jr_str(pv, "siret");
	r.text[ST_PROVIDER_NAME] = jr_str(pv, "name");
	r.text[ST_START] = jr_str(x, "start");
	r.text[ST_END] = jr_str(x, "end");
	r.num[ST_DAYS] = jr_int(x, "working_days");
	r.num[ST_DAYS_MONTH] = jr_int(x, "working_days_in_month");
	r.text[ST_PATH] = jr_str(p, "path");
	r.text[ST_TRAINEE] = jr_str(p, "trainee");
	r.text[ST_PATH_START] = jr_str(p, "start");
	r.num[ST_PATH_HOURS] = jr_int(p, "hours");
	r.text[ST_SOURCE] = source_text(jr_str(p, "source"), c->lang);
	if (jr_len(parts) == 0) {
		r.none[ST_FROM] = r.none[ST_TO] = r.none[ST_RATE] = true;
		return st_put_row(c, &r);  /* HOURS and COST stay 0 */
	}
	for (i = 0; rc == 0 && i < jr_len(parts); i++) {
		q = json_array_get(parts, i);
		r.text[ST_FROM] = jr_str(q, "from");
		r.text[ST_TO] = jr_str(q, "to");
		r.num[ST_RATE] = jr_int(q, "rate_cents");
		r.num[ST_HOURS] = jr_int(q, "hours");
		r.num[ST_MINUTES] = jr_int(q, "minutes");
		r.num[ST_COST] = jr_int(q, "cost_cents");
		rc = st_put_row(c, &r);
	}
	return rc;
}

/*
 * Writes a statement as CSV in a language: a header, then one row per
 * financed path and part of the month with its rate (R14), so that the
 * hours and cost columns add up to the statement's totals.
 */
int
statement_write_csv(FILE *f, const json_t *st, enum fmt_lang lang)
{
	const struct fmt_csv c = { f, lang };
	const json_t *ss = jr_arr(st, "sessions"), *x;
	size_t i, k;
	int rc;

	fmt_csv_begin(&c);
	rc = st_put_row(&c, NULL);
	for (i = 0; rc == 0 && i < jr_len(ss); i++) {
		x = json_array_get(ss, i);
		for (k = 0; rc == 0 && k < jr_len(jr_arr(x, "paths")); k++)
			rc = st_path_rows(&c, st, x, json_array_get(jr_arr(x,
			    "paths"), k));
	}
	if (rc == 0 && ferror(f))
		rc = E(IO);
	return rc;
}
