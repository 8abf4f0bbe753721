/* consort report: what became of the trainees and the intents (R23). */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"
#include "../order.h"
#include "../report.h"

/* The report asked for. */
struct report_args {
	struct report_opts o;
	enum fmt_lang lang;
	bool json, csv, html;
	const char *out;  /* FILE, or NULL: standard output */
};

/* Writes the report in the form asked for. */
static int
report_render(FILE *f, const json_t *r, const struct report_args *a)
{
	char *s;
	size_t len;
	int rc;

	if (a->csv)
		return report_write_csv(f, r, a->lang);
	if (a->html)
		return report_write_html(f, r, a->lang);
	if (!a->json)
		return report_write_text(f, r, a->lang);
	if ((rc = jcs_canonical(r, &s, &len)) != 0)
		return rc;
	fwrite(s, 1, len, f);
	putc('\n', f);
	free(s);
	return ferror(f) ? E(IO) : 0;
}

/*
 * Builds the report and writes it to standard output, or to FILE (whole
 * or not at all), saying then in one line what it holds.
 */
static int
report_print(struct cmd_listing *l)
{
	const struct report_args *a = l->arg;
	struct outfile of;
	const json_t *t;
	json_t *r = NULL;
	int rc;

	if ((rc = report_build(l->txn, &l->ctx->node->store, &a->o, &r,
	    &l->diag)) != 0)
		return rc;
	if (a->out == NULL) {
		rc = report_render(l->out, r, a);
		json_decref(r);
		return rc;
	}
	if ((rc = outfile_open(&of, a->out, 0644, &l->diag)) != 0) {
		json_decref(r);
		return rc;
	}
	if ((rc = report_render(of.f, r, a)) != 0)
		outfile_abort(&of);
	else
		rc = outfile_commit(&of, &l->diag);
	t = json_object_get(r, "totals");
	if (rc == 0 && strcmp(a->out, "-") != 0)
		fprintf(l->out, _("report %s: %lld sessions, %lld financed "
		    "paths, %lld hired of %lld intents\n"), a->out,
		    (long long)jr_int(t, "sessions"),
		    (long long)jr_int(t, "financed"), (long long)jr_int(t, "hired"),
		    (long long)jr_int(t, "intents"));
	json_decref(r);
	return rc;
}

/*
 * report [--lot LOT] [--period FROM..TO] [--html | --csv | --json]
 * [--lang fr|en] [--out FILE]
 */
static int
report_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct report_args a = { { NULL, NULL, NULL }, FMT_FR,
		cmd_args_has(args, "json"), cmd_args_has(args, "csv"),
		cmd_args_has(args, "html"), cmd_args_get(args, "out") };
	const char *period = cmd_args_get(args, "period");
	struct consort_diag d = { 0 };
	char from[11], to[11];
	int rc;

	if (a.json + a.csv + a.html > 1)
		return cmd_usage(ctx, _("--html, --csv and --json exclude each "
		    "other"));
	if ((rc = cmd_doc_lang(ctx, args, &a.lang)) != 0)
		return rc;
	if (cmd_args_has(args, "lang") && a.json)
		return cmd_usage(ctx, _("--lang is for people's documents; "
		    "--json keeps its English keys"));
	a.o.lot = cmd_args_get(args, "lot");
	if (period != NULL) {
		if (report_period(period, from, to, &d) != 0)
			return cmd_usage(ctx, _("--period %s: %s; %s"), period,
			    d.what, d.hint);
		a.o.from = from[0] ? from : NULL;
		a.o.to = to[0] ? to : NULL;
	}
	return cmd_listing(ctx, CMD_TEXT, report_print, &a);
}

static const struct cmd_opt report_opts[] = {
	{ "lot", N_("LOT"), N_("only the sessions of this lot (default: every "
	    "lot)") },
	{ "period", N_("FROM..TO"), N_("the paths ordered from FROM to TO, "
	    "each a year\n(2026), a month (2026-01) or a day (2026-01-15);\n"
	    "an open bound left out: 2026-04.. (default: all)") },
	{ "html", NULL, N_("one printable HTML page with a bar chart") },
	{ "csv", NULL, N_("one CSV table for a French spreadsheet (';', "
	    "BOM)") },
	{ "json", NULL, N_("the figures as canonical JSON, English keys") },
	CMD_OPT_LANG,
	{ "out", N_("FILE"), N_("write FILE (whole, or not at all) rather "
	    "than\nstandard output") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_report_entry = {
	.name = "report",
	.usage = N_("[--lot LOT] [--period FROM..TO] [--html | --csv | --json] "
	    "[--lang fr|en] [--out FILE]"),
	.summary = N_("what became of the trainees and intents: hires (R23)"),
	.args = { .opts = report_opts },
	.help_head = N_("Per session, per provider and per employer: the paths "
	    "the Region\nfinances that were ordered in the period (a path's "
	    "own start, or\nits session's, as order requests take them), how "
	    "many trainees\ncompleted the training or dropped out, how many "
	    "intents ended in a\nhire and on which contract, the hiring rate "
	    "(hires over intents),\nand the employers who did not hire after "
	    "committing (not hired, or\nwithdrawn by the employer), with their "
	    "reasons. Warnings name the\nhires recorded without their day or "
	    "contract, before the training,\non another contract or fewer "
	    "hours than promised.\n\n"
	    "Counts and refs only: no trainee's name nor value. A trainee's exit\n"
	    "is personal: a node counts the exits it may read (the lead all of\n"
	    "them, a provider its trainees'), the others apart as not readable\n"
	    "here. Outcomes are recorded with consort set intent (outcome=,\n"
	    "hired_date=, ...) and consort set trainee (exit=, exit_date=), by\n"
	    "the lead or the session's provider. Format: schema/report.md.\n"),
	.exec = report_exec,
};
