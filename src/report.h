/*
 * The report on what the scheme is for (R23): the trainees financed in a
 * period, how many completed or dropped out, how many were hired and on
 * which contract, per session, per provider and per employer, and the
 * employers who did not hire after committing (report.c); its French and
 * English renderings as text, CSV and one printable HTML page
 * (report-render.c).  Internal to the core, like order.h.
 */
#ifndef CONSORT_REPORT_H
#define CONSORT_REPORT_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>

#include <jansson.h>

#include "core.h"
#include "fmt.h"

#define REPORT_FORMAT "consort-report/1"

/* What a report covers. */
struct report_opts {
	const char *lot;         /* NULL: every lot */
	const char *from, *to;   /* inclusive YYYY-MM-DD bounds; NULL: open */
};

/*
 * Reads a period "FROM..TO", each bound a year (YYYY), a month (YYYY-MM)
 * or a day (YYYY-MM-DD): a year or a month starts on its first day as
 * FROM and ends on its last as TO; either bound may be left empty (open).
 * A bound alone, without "..", is that year, month or day.
 * @param from, to set to the days, or "" for an open bound
 * @return 0, or E(INVAL) (not a period, a day that is none, or FROM after
 *	TO; d says which and how to write one)
 */
int report_period(const char *text, char from[11], char to[11],
    struct consort_diag *d);

/*
 * A rate in thousandths, rounded half up: 2 of 3 is 667.
 * @return false (and *out 0) when den is 0: no rate
 */
bool report_permille(int64_t num, int64_t den, int64_t *out);

/*
 * Builds the report (schema/report.md) from the merged state: the paths
 * ordered in the period (as order requests take them: a path's own start,
 * or its session's), their trainees' exits as this node reads them, their
 * intents' outcomes, and the withdrawn intents these replaced.
 * @param txn a read transaction, personal values opened where this node
 *	may read them (s->open_personal)
 * @param out set to the report; json_decref()
 * @return 0, or E(NOENT) (no such lot), E(NOMEM), or an error of
 *	rules_load() or store_head()
 */
int report_build(struct store_txn *txn, struct store *s,
    const struct report_opts *o, json_t **out, struct consort_diag *d);

/*
 * Writes a report as text tables (French by default).
 * @return 0, or E(IO) (f has an error)
 */
int report_write_text(FILE *f, const json_t *r, enum fmt_lang lang);
/*
 * Writes a report as one CSV table in the form the language's spreadsheets
 * open (struct fmt_csv: in French a UTF-8 byte order mark, ';' between
 * cells, a decimal comma, days as JJ/MM/AAAA), every cell safe.
 * @return 0, or E(NOMEM), E(IO) (f has an error)
 */
int report_write_csv(FILE *f, const json_t *r, enum fmt_lang lang);
/*
 * Writes a report as one self-contained printable HTML page (no script,
 * nothing fetched) with a bar chart as inline SVG.
 * @return 0, or E(IO) (f has an error)
 */
int report_write_html(FILE *f, const json_t *r, enum fmt_lang lang);

#endif
