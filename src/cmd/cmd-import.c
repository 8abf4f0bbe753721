/* consort import: JSON Lines, CSV or .xlsx records, all or nothing. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "../cmd.h"

/* Bad lines shown one by one; the others are counted. */
#define BAD_SHOWN 20

struct import_cli {
	struct cmd_ctx *ctx;
	bool progress;
	uint64_t bad;
};

/* Prints one refused line, the first BAD_SHOWN of them. */
static int
report_bad(void *arg, const struct consort_diag *d)
{
	struct import_cli *cli = arg;

	if (++cli->bad > BAD_SHOWN)
		return 0;
	if (cli->progress)
		fputs("\r\033[K", stderr);
	cmd_fail(cli->ctx, d->err ? d->err : E(SCHEMA), d);
	return 0;
}

/* Prints "... and N more bad lines (rows), T in all" after the ones shown. */
static void
report_more(const struct import_opts *o, const struct import_result *res)
{
	if (res->bad > BAD_SHOWN)
		fprintf(stderr, res->rows ? _("consort import: %s: ... and %llu "
		    "more bad rows, %llu in all\n") : _("consort import: %s: ... "
		    "and %llu more bad lines, %llu in all\n"), o->path,
		    (unsigned long long)(res->bad - BAD_SHOWN),
		    (unsigned long long)res->bad);
}

/* Prints that bad lines (rows) refused the file. */
static void
report_refused(const struct import_opts *o, const struct import_result *res)
{
	const char *fmt;

	if (res->rows)
		fmt = res->bad == 1 ? _("consort import: %s: %llu bad row, "
		    "nothing imported; fix it, or use --skip-bad to import the "
		    "good rows\n") : _("consort import: %s: %llu bad rows, "
		    "nothing imported; fix them, or use --skip-bad to import the "
		    "good rows\n");
	else
		fmt = res->bad == 1 ? _("consort import: %s: %llu bad line, "
		    "nothing imported; fix them, or use --skip-bad to import the "
		    "good lines\n") : _("consort import: %s: %llu bad lines, "
		    "nothing imported; fix them, or use --skip-bad to import the "
		    "good lines\n");
	fprintf(stderr, fmt, o->path, (unsigned long long)res->bad);
}

/* Shows "import: checking P%" (or writing) on a terminal. */
static void
report_progress(void *arg, int pass, uint64_t done, uint64_t total)
{
	struct import_cli *cli = arg;

	if (cli->progress && total > 0) {
		fputc('\r', stderr);
		fprintf(stderr, pass == 1 ? _("import: checking %3llu%%") :
		    _("import: writing  %3llu%%"),
		    (unsigned long long)(done * 100 / total));
	}
}

/*
 * Reports an import that stopped while writing: what is stored (whole
 * change-sets), and that importing the same file again finishes the job.
 */
static int
report_partial(struct cmd_ctx *ctx, const struct import_opts *o,
    const struct import_result *res, int rc, struct consort_diag *d)
{
	char what[sizeof(d->what)], hint[sizeof(d->hint)];
	const char *cause = rc == E(NOSPC) || !d->what[0] ?
	    consort_strerror(rc) : d->what;

	if (res->committed_changesets == 0)
		snprintf(what, sizeof(what), "%.400s; nothing was imported", cause);
	else
		snprintf(what, sizeof(what), "%.300s after %llu change-sets (%llu "
		    "records) were committed: those are stored, the rest is "
		    "not", cause, (unsigned long long)res->committed_changesets,
		    (unsigned long long)res->committed_records);
	snprintf(hint, sizeof(hint), "%simport the same file again: it skips "
	    "what is stored and finishes the job", rc == E(NOSPC) ?
	    "free space on the disk that holds the node, then " : "");
	consort_diag_set(d, rc, o->path, what, hint);
	return cmd_fail(ctx, rc, d);
}

/*
 * The type --type names: its name, or its French label, loosely
 * ("Stagiaire", "intention d'embauche"); NULL after a usage error.
 */
static const struct schema_type *
import_type(const struct cmd_ctx *ctx, const char *name)
{
	const struct schema_type *all[SCHEMA_MAX_TYPES];
	size_t len = strlen(name);
	unsigned i, n;

	n = schema_types_sorted(all, SCHEMA_MAX_TYPES);
	for (i = 0; i < n && schema_type_by_name(name) == NULL; i++)
		if (!(all[i]->flags & SCHEMA_ROSTER) &&
		    (import_cell_same(name, len, all[i]->label,
		    strlen(all[i]->label)) || import_cell_same(name, len,
		    all[i]->name, strlen(all[i]->name))))
			return all[i];
	return cmd_type(ctx, name);
}

/* Reads the option values into o; returns non-zero (an exit code) on misuse. */
static int
parse(struct cmd_ctx *ctx, const struct cmd_args *args, struct import_opts *o)
{
	const char *type = cmd_args_get(args, "type");
	const char *batch = cmd_args_get(args, "batch");
	const char *format = cmd_args_get(args, "format");
	const char *sep = cmd_args_get(args, "separator");
	char *end;
	long n;

	if (type != NULL && (o->type = import_type(ctx, type)) == NULL)
		return EXIT_USAGE;
	o->skip_bad = cmd_args_has(args, "skip-bad");
	if (batch != NULL) {
		n = strtol(batch, &end, 10);
		if (*end != '\0' || n < 1 || n > 10000)
			return cmd_usage(ctx, _("--batch takes 1 to 10000"));
		o->batch = (unsigned)n;
	}
	if (format != NULL && strcmp(format, "jsonl") == 0)
		o->format = IMPORT_JSONL;
	else if (format != NULL && strcmp(format, "csv") == 0)
		o->format = IMPORT_CSV;
	else if (format != NULL && strcmp(format, "xlsx") == 0)
		o->format = IMPORT_XLSX;
	else if (format != NULL)
		return cmd_usage(ctx, _("--format takes jsonl, csv or xlsx"));
	if (sep != NULL && (strcmp(sep, ";") == 0 || strcmp(sep, ",") == 0))
		o->separator = sep[0];
	else if (sep != NULL && (strcmp(sep, "tab") == 0 ||
	    strcmp(sep, "\t") == 0))
		o->separator = '\t';
	else if (sep != NULL)
		return cmd_usage(ctx, _("--separator takes ';', ',' or tab"));
	o->path = args->argv[0];
	return 0;
}

/* Writes the template of --template TYPE (CSV, or .xlsx with --xlsx). */
static int
template_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *out = cmd_args_get(args, "out");
	bool xlsx = cmd_args_has(args, "xlsx");
	const struct schema_type *t;
	struct consort_diag d = { 0 };
	int rc;

	if (args->argc > 0)
		return cmd_usage(ctx, _("--template writes a sheet: it reads no FILE"));
	if ((t = import_type(ctx, cmd_args_get(args, "template"))) == NULL)
		return EXIT_USAGE;
	if (out == NULL)
		out = "-";
	if (xlsx && strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
		return cmd_usage(ctx, _("a workbook is binary: send standard output "
		    "to a file or a pipe, or give --out FILE"));
	if ((rc = import_template(t, xlsx, out, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return EXIT_OK;
}

/* Imports FILE, or writes a template. */
static int
import_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct import_cli cli = { ctx, cmd_progress_wanted(), 0 };
	struct import_opts o = { .format = IMPORT_AUTO, .batch = 100,
		.bad = report_bad, .progress = report_progress, .ctx = &cli };
	struct import_result res;
	int rc;

	if (cmd_args_has(args, "template"))
		return template_exec(ctx, args);
	if (cmd_args_has(args, "xlsx") || cmd_args_has(args, "out"))
		return cmd_usage(ctx, _("--xlsx and --out go with --template"));
	if (args->argc != 1)
		return cmd_usage(ctx, _("expected one FILE"));
	if ((rc = parse(ctx, args, &o)) != 0)
		return rc;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	rc = import_file(ctx->node, &o, &res, &d);
	if (cli.progress)
		fputs("\r\033[K", stderr);
	report_more(&o, &res);
	if (rc == E(SCHEMA) && res.bad > 0 && !o.skip_bad) {
		report_refused(&o, &res);
		return EXIT_REFUSED;
	}
	if (rc != 0 && (rc == E(NOSPC) || res.committed_changesets > 0))
		return report_partial(ctx, &o, &res, rc, &d);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	printf(_("imported %s: %llu records read, %llu new or changed, "
	    "%llu change-sets"), o.path, (unsigned long long)res.records,
	    (unsigned long long)res.changed, (unsigned long long)res.changesets);
	if (res.bad > 0)
		printf(res.rows ? _(", %llu bad rows skipped") :
		    _(", %llu bad lines skipped"), (unsigned long long)res.bad);
	putchar('\n');
	return EXIT_OK;
}

static const struct cmd_opt import_opts[] = {
	{ "type", "TYPE", N_("the records' type (CSV, .xlsx: required; the\n"
	    "header row names the fields, with a \"ref\" column)") },
	{ "skip-bad", NULL, N_("import the good lines and list the bad ones\n"
	    "(default: a single bad line refuses the whole file)") },
	{ "batch", "N", N_("records per change-set (default 100)") },
	{ "format", "F", N_("jsonl, csv or xlsx (default: from the file's\n"
	    "content and name)") },
	{ "separator", "C", N_("CSV: ';', ',' or tab (default: the one the\n"
	    "header row holds most)") },
	{ "template", "TYPE", N_("write an empty sheet of TYPE to fill in (no\n"
	    "FILE): row 1 names its columns in French") },
	{ "xlsx", NULL, N_("the template as an .xlsx workbook (default: CSV\n"
	    "with ';', as French Excel writes it)") },
	{ "out", "FILE", N_("write the template to FILE (default: standard\n"
	    "output)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_import_entry = {
	.name = "import",
	.usage = "FILE [--type TYPE] [--skip-bad] [--batch N] [--format F] "
	    "[--separator C] | --template TYPE [--xlsx] [--out FILE]",
	.summary = N_("import records from JSON Lines, CSV or .xlsx, all or "
	    "nothing, idempotently"),
	.args = { .opts = import_opts, .lower = 0, .upper = 1,
	    .unexpected = "expected one FILE" },
	.help = N_("JSON Lines: one object per line with \"type\", \"ref\" and fields.\n"
	    "CSV (';', ',' or tab; UTF-8 or Windows-1252) and .xlsx (the first\n"
	    "sheet): row 1 names the columns; cells as spreadsheets write them\n"
	    "(31/12/2026, 1 372, Oui/Non); an empty cell leaves its field as it is.\n"
	    "References must name records earlier in the file or in the store.\n"
	    "Importing the same file again appends nothing. The first 20 bad lines\n"
	    "are shown, the others counted.\n"
	    "--template TYPE writes the sheet to fill in: its columns' French\n"
	    "names; only Référence (the records' refs) is required. With --xlsx\n"
	    "its second sheet, Aide, says what each column holds.\n"),
	.help_col = 18,
	.exec = import_exec,
};
