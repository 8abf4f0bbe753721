/* consort statement: the monthly statement of one lot (R18). */
#include <string.h>

#include "../cmd.h"
#include "../order.h"

/* The statement asked for: a lot, a month, as what, in which language. */
struct statement_args {
	const char *lot;
	const char *month;
	bool json, csv;
	enum fmt_lang lang;
};

/* Builds the statement and prints it as text, CSV or canonical JSON. */
static int
statement_print(struct cmd_listing *l)
{
	const struct statement_args *a = l->arg;
	json_t *st = NULL;
	char *s;
	size_t len;
	int rc;

	if ((rc = statement_build(l->txn, &l->ctx->node->store, a->lot, a->month,
	    &st, &l->diag)) != 0)
		return rc;
	if (a->csv)
		rc = statement_write_csv(l->out, st, a->lang);
	else if (!a->json)
		rc = statement_write_text(l->out, st, a->lang);
	else if ((rc = jcs_canonical(st, &s, &len)) == 0) {
		fwrite(s, 1, len, l->out);
		putc('\n', l->out);
		free(s);
	}
	json_decref(st);
	return rc;
}

/* statement --lot LOT --month YYYY-MM [--json | --csv] [--lang fr|en] */
static int
statement_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct statement_args a = { cmd_args_get(args, "lot"),
		cmd_args_get(args, "month"), cmd_args_has(args, "json"),
		cmd_args_has(args, "csv"), FMT_FR };
	int rc;

	if ((rc = cmd_doc_lang(ctx, args, &a.lang)) != 0)
		return rc;
	if (a.json && a.csv)
		return cmd_usage(ctx, _("--json and --csv exclude each other"));
	if (a.lot == NULL || a.month == NULL)
		return cmd_usage(ctx, _("statement needs --lot LOT and --month "
		    "YYYY-MM"));
	if (!order_period_valid(a.month))
		return cmd_usage(ctx, _("--month takes a month, YYYY-MM"));
	return cmd_listing(ctx, CMD_TEXT, statement_print, &a);
}

static const struct cmd_opt statement_opts[] = {
	{ "lot", N_("LOT"), NULL },
	{ "month", N_("YYYY-MM"), NULL },
	{ "json", NULL, N_("the statement as canonical JSON (the same in\n"
	    "every language)") },
	{ "csv", NULL, N_("one row per financed path and rate of the month,\n"
	    "as the language's spreadsheets open it (French: BOM,\n"
	    "';', decimal comma)") },
	CMD_OPT_LANG,
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_statement_entry = {
	.name = "statement",
	.usage = N_("--lot LOT --month YYYY-MM [--json | --csv] [--lang "
	    "fr|en]"),
	.summary = N_("the monthly statement of a lot (R18): one per lot per "
	    "month"),
	.args = { .opts = statement_opts },
	.help_head = N_(
	    "Every session of the lot running in the month, with its financed\n"
	    "trainees, the hours attended in the month and their cost at the\n"
	    "rate in force on the days they fall on; then the totals. A path\n"
	    "counts the attendance its provider recorded for the month\n"
	    "(consort add attendance, or import of a register); where there is\n"
	    "none, or after the last day recorded, its planned hours spread over\n"
	    "its session's working days (Monday to Friday, no public holiday in\n"
	    "France), rounded so that the months of a session add up to its\n"
	    "hours; the statement says which paths fell back to planned hours.\n"
	    "A path counts at most its planned hours. A month the lot's rate\n"
	    "changes in is split at the change, each part at its rate\n"
	    "(schema/order.md).\n"),
	.exec = statement_exec,
};
