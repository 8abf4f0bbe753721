/*
 * Rendering a signed order request for people: CSV (one row per path, safe
 * to open in a spreadsheet, in French or English) and a text summary; the
 * printable page is order-page.c's.
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
	return fmt_euros_sep(buf, len, cents, sep, sep);
}

/*
 * The warnings concerning one path (its own, its intent's, its session's)
 * as "R05 (derogation D1);R16" ("dérogation" in French); E(TOOBIG) when they do not fit in sb.
 */
static int
path_warnings(const json_t *req, const char *session, const json_t *path,
    enum fmt_lang lang, struct strbuf *sb)
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
			strbuf_printf(sb, " (%s %s)", lang == FMT_FR ?
			    "dérogation" : "derogation", jr_str(x, "derogation"));
	}
	return strbuf_end(sb);
}

/*
 * One member of the withdrawals concerning one path (R16), ";"-separated
 * in the order of the request's list: the intent, who withdrew it (in
 * French its label), or (sub "replaced_by") the ref of its replacement;
 * E(TOOBIG) when they do not fit in sb.
 */
static int
path_withdrawn(const json_t *req, const char *session, const json_t *path,
    const char *sub, const char *key, enum fmt_lang lang, struct strbuf *sb)
{
	const json_t *w = jr_arr(req, "withdrawn"), *x;
	const char *v;
	char label[128];
	size_t i, n = 0;

	for (i = 0; i < jr_len(w); i++) {
		x = json_array_get(w, i);
		if (strcmp(jr_str(x, "session"), session) != 0 ||
		    strcmp(jr_str(x, "path"), jr_str(path, "ref")) != 0)
			continue;
		if (sub != NULL)
			x = json_object_get(x, sub);
		v = jr_str(x, key);
		if (strcmp(key, "by") == 0)
			v = lang == FMT_FR && strcmp(v, "unknown") == 0 ? "inconnu" :
			    fmt_value(label, sizeof(label), "intent", "withdrawn_by",
			    v, lang);
		strbuf_printf(sb, "%s%s", n++ ? ";" : "", v);
	}
	return strbuf_end(sb);
}

/*
 * The columns of the CSV of a request: an id, the English heading (the
 * file's before it spoke French) and the French one (NULL: not in that
 * language), and the kind of its cells: TEXT as it is, DATE and MONTH
 * (JJ/MM/AAAA and MM/AAAA in French), BOOL, INT, CENTS (an amount as
 * cents in English, euros in French), EUROS.
 */
#define CSV_COLUMNS(X)							\
	X(LOT, "lot", "Lot", TEXT)					\
	X(PERIOD, "period", "Période", MONTH)				\
	X(SCHEME, "scheme", "Dispositif", TEXT)				\
	X(SESSION, "session", "Session", TEXT)				\
	X(TITLE, "title", "Intitulé", TEXT)				\
	X(PROVIDER_SIRET, "provider_siret", "SIRET organisme", TEXT)	\
	X(PROVIDER_NAME, "provider_name", "Organisme", TEXT)		\
	X(DC4, "dc4", "DC4", TEXT)					\
	X(SITE, "site", "Lieu", TEXT)					\
	X(TERRITORY, "territory", "Territoire", TEXT)			\
	X(CERT_KIND, "cert_kind", "Type de certification", TEXT)	\
	X(CERT_CODE, "cert_code", "Certification", TEXT)		\
	X(START, "start", "Début de session", DATE)			\
	X(END, "end", "Fin de session", DATE)				\
	X(PATH, "path", "Parcours", TEXT)				\
	X(PATH_START, "path_start", "Début du parcours", DATE)		\
	X(TRAINEE, "trainee", "Stagiaire", TEXT)			\
	X(HOURS, "hours", "Heures", INT)				\
	X(MODULES, "modules", "Modules", TEXT)				\
	X(FINANCED, "financed", "Financé", BOOL)			\
	X(REMUNERATED, "remunerated", "Rémunéré", BOOL)			\
	X(INTENT, "intent", "Intention d'embauche", TEXT)		\
	X(EMPLOYER, "employer", "Employeur", TEXT)			\
	X(EMPLOYER_SIRET, "employer_siret", "SIRET employeur", TEXT)	\
	X(CONTRACT, "contract", "Contrat", TEXT)			\
	X(INTENT_DATE, "intent_date", "Date de l'intention", DATE)	\
	X(INTENT_STATUS, "intent_status", "État de l'intention", TEXT)	\
	X(WITHDRAWN, "withdrawn_intents", "Intentions retirées", TEXT)	\
	X(WITHDRAWN_BY, "withdrawn_by", "Retirées par", TEXT)		\
	X(REPLACED_BY, "replaced_by", "Remplacées par", TEXT)		\
	X(RATE, "rate_cents", "Taux horaire (€)", CENTS)		\
	X(COST_CENTS, "cost_cents", NULL, INT)				\
	X(COST, "cost_eur", "Montant (€)", EUROS)			\
	X(WARNINGS, "warnings", "Alertes", TEXT)

enum csv_kind { CSV_TEXT, CSV_DATE, CSV_MONTH, CSV_BOOL, CSV_INT,
	CSV_CENTS, CSV_EUROS };

enum csv_col {
#define CSV_ENUM(id, en, fr, kind) COL_##id,
	CSV_COLUMNS(CSV_ENUM)
#undef CSV_ENUM
	CSV_NCOLS
};

static const struct {
	const char *en, *fr;
	enum csv_kind kind;
} csv_columns[] = {
#define CSV_TABLE(id, en, fr, kind) { en, fr, CSV_##kind },
	CSV_COLUMNS(CSV_TABLE)
#undef CSV_TABLE
};

/* The cells of one row: text, or a number; none marks an empty cell. */
struct csv_row {
	const char *text[CSV_NCOLS];
	int64_t num[CSV_NCOLS];
	bool none[CSV_NCOLS];
};

/* Writes one cell of a row in the language of c. */
static int
csv_put(const struct fmt_csv *c, const struct csv_row *r, size_t i)
{
	bool last = i + 1 == CSV_NCOLS;

	if (r->none[i])
		return fmt_csv_cell(c, "", last);
	switch (csv_columns[i].kind) {
	case CSV_DATE:
		return fmt_csv_date(c, r->text[i], last);
	case CSV_MONTH:
		return fmt_csv_month(c, r->text[i], last);
	case CSV_BOOL:
		return fmt_csv_bool(c, r->num[i] != 0, last);
	case CSV_INT:
		return fmt_csv_int(c, r->num[i], last);
	case CSV_CENTS:
		if (c->lang == FMT_EN)
			return fmt_csv_int(c, r->num[i], last);
		/* FALLTHROUGH */
	case CSV_EUROS:
		return fmt_csv_euros(c, r->num[i], last);
	default:
		return fmt_csv_cell(c, r->text[i], last);
	}
}

/* Writes a row's cells of the columns of c's language. */
static int
csv_put_row(const struct fmt_csv *c, const struct csv_row *r)
{
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < CSV_NCOLS; i++)
		if ((c->lang == FMT_FR ? csv_columns[i].fr : csv_columns[i].en) !=
		    NULL)
			rc = csv_put(c, r, i);
	return rc;
}

/* Writes the header row in c's language. */
static int
csv_put_header(const struct fmt_csv *c)
{
	const char *name;
	size_t i;
	int rc = 0;

	for (i = 0; rc == 0 && i < CSV_NCOLS; i++) {
		name = c->lang == FMT_FR ? csv_columns[i].fr : csv_columns[i].en;
		if (name != NULL)
			rc = fmt_csv_cell(c, name, i + 1 == CSV_NCOLS);
	}
	return rc;
}

/*
 * The rate cell of a path: the rate it is priced at (R14); a file built
 * before paths carried theirs priced every path at the lot's.
 */
static void
csv_rate(struct csv_row *r, const json_t *lot, const json_t *p)
{
	if (json_object_get(p, "rate_cents") != NULL)
		r->num[COL_RATE] = jr_int(p, "rate_cents");
	else if (json_object_get(lot, "rates") != NULL)
		r->none[COL_RATE] = true;  /* not financed, no rate that day */
	else
		r->num[COL_RATE] = jr_int(lot, "rate_cents");
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
    enum fmt_lang lang, char *cells, struct consort_diag *d)
{
	struct strbuf sb;
	size_t c;
	int rc;

	for (c = 0; c < nitems(csv_withdrawn); c++) {
		strbuf_init(&sb, cells + c * CSV_WARNINGS_MAX, CSV_WARNINGS_MAX);
		if (path_withdrawn(req, jr_str(x, "ref"), p, csv_withdrawn[c][0],
		    csv_withdrawn[c][1], lang, &sb) == 0)
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

/*
 * Fills the row of path p of session x: warn and wd hold its warnings
 * and withdrawals.
 */
static void
csv_fill(struct csv_row *r, const json_t *req, const json_t *x,
    const json_t *p, const char *warn, const char *wd)
{
	const json_t *lot = json_object_get(req, "lot");
	const json_t *pv = json_object_get(x, "provider");
	const json_t *in = json_object_get(p, "intent");
	/* R08: a path's own certification, or its session's */
	const json_t *cert = json_object_get(p, "certification");

	if (cert == NULL)
		cert = json_object_get(x, "certification");
	memset(r, 0, sizeof(*r));
	r->text[COL_LOT] = jr_str(lot, "ref");
	r->text[COL_PERIOD] = jr_str(req, "period");
	r->text[COL_SCHEME] = jr_str(x, "scheme");
	r->text[COL_SESSION] = jr_str(x, "ref");
	r->text[COL_TITLE] = jr_str(x, "title");
	r->text[COL_PROVIDER_SIRET] = jr_str(pv, "siret");
	r->text[COL_PROVIDER_NAME] = jr_str(pv, "name");
	r->text[COL_DC4] = jr_str(json_object_get(x, "subcontracting"), "dc4");
	r->text[COL_SITE] = jr_str(x, "site");
	r->text[COL_TERRITORY] = jr_str(x, "territory");
	r->text[COL_CERT_KIND] = jr_str(cert, "kind");
	r->text[COL_CERT_CODE] = jr_str(cert, "code");
	r->text[COL_START] = jr_str(x, "start");
	r->text[COL_END] = jr_str(x, "end");
	r->text[COL_PATH] = jr_str(p, "ref");
	r->text[COL_PATH_START] = jr_str(p, "start");
	r->text[COL_TRAINEE] = jr_str(p, "trainee");
	r->num[COL_HOURS] = jr_int(p, "hours");
	r->text[COL_MODULES] = jr_str(p, "modules");
	r->num[COL_FINANCED] = jr_bool(p, "financed");
	r->num[COL_REMUNERATED] = jr_bool(p, "remunerated");
	r->text[COL_INTENT] = jr_str(in, "ref");
	r->text[COL_EMPLOYER] = jr_str(in, "employer");
	r->text[COL_EMPLOYER_SIRET] = jr_str(in, "siret");
	r->text[COL_CONTRACT] = jr_str(in, "contract");
	r->text[COL_INTENT_DATE] = jr_str(in, "date");
	r->text[COL_INTENT_STATUS] = jr_str(in, "status");
	r->text[COL_WITHDRAWN] = wd;
	r->text[COL_WITHDRAWN_BY] = wd + CSV_WARNINGS_MAX;
	r->text[COL_REPLACED_BY] = wd + 2 * CSV_WARNINGS_MAX;
	csv_rate(r, lot, p);
	r->num[COL_COST_CENTS] = jr_int(p, "cost_cents");
	r->num[COL_COST] = jr_int(p, "cost_cents");
	r->text[COL_WARNINGS] = warn;
}

/* The French labels of a row's ENUM cells (csv_labels()). */
struct csv_labels {
	char v[4][128];
};

/*
 * Puts the French labels of a row's values of ENUM fields in place of the
 * values (schema/entities.def); English keeps the values.
 */
static void
csv_labels(struct csv_row *r, struct csv_labels *l, enum fmt_lang lang)
{
	static const struct {
		enum csv_col col;
		const char *type, *field;
	} enums[] = {
		{ COL_SCHEME, "session", "scheme" },
		{ COL_CERT_KIND, "session", "cert_kind" },
		{ COL_CONTRACT, "intent", "contract" },
		{ COL_INTENT_STATUS, "intent", "status" },
	};
	size_t i;

	for (i = 0; i < nitems(enums); i++)
		r->text[enums[i].col] = fmt_value(l->v[i], sizeof(l->v[i]),
		    enums[i].type, enums[i].field, r->text[enums[i].col], lang);
}

/* Writes the CSV rows of one list of sessions. */
static int
csv_sessions(const struct fmt_csv *c, const json_t *req, const json_t *list,
    struct consort_diag *d)
{
	const json_t *x, *paths, *p;
	struct csv_labels labels;
	struct csv_row row;
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
		for (k = 0; rc == 0 && k < jr_len(paths); k++) {
			p = json_array_get(paths, k);
			strbuf_init(&sb, warn, CSV_WARNINGS_MAX);
			if (path_warnings(req, jr_str(x, "ref"), p, c->lang,
			    &sb) != 0) {
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
			if ((rc = csv_withdrawn_cells(req, x, p, c->lang, wd,
			    d)) != 0)
				break;
			csv_fill(&row, req, x, p, warn, wd);
			csv_labels(&row, &labels, c->lang);
			rc = csv_put_row(c, &row);
		}
	}
	free(warn);
	free(wd);
	return rc;
}

/*
 * Writes a request as CSV in a language: a header, then one row per path
 * (1e1f sessions, then socle), with its session, intent, cost and the
 * rule ids of the warnings about it.  Every cell is safe to open in a
 * spreadsheet: no control character, nothing it would evaluate as a
 * formula.
 */
int
order_write_csv(FILE *out, const json_t *req, enum fmt_lang lang,
    struct consort_diag *d)
{
	struct fmt_csv c = { out, lang };
	int rc;

	fmt_csv_begin(&c);
	rc = csv_put_header(&c);
	if (rc == 0)
		rc = csv_sessions(&c, req, jr_arr(req, "sessions"), d);
	if (rc == 0)
		rc = csv_sessions(&c, req, jr_arr(req, "socle"), d);
	if (rc == 0 && ferror(out))
		rc = E(IO);
	return rc;
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
	char hhex[65], eur[64], verdict[ORDER_VERDICT_MAX], hist[512];
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
