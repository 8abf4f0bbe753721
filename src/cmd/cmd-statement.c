/* consort statement: the monthly statement of one lot (R18). */
#include <string.h>

#include "../cmd.h"
#include "../order.h"

/* An integer member of a JSON object. */
static long long
num(const json_t *o, const char *key)
{
	return (long long)json_integer_value(json_object_get(o, key));
}

/* A string member of a JSON object ("" when absent). */
static const char *
str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/* Prints a statement as a table. */
static void
print_text(FILE *f, const json_t *st)
{
	const json_t *lot = json_object_get(st, "lot");
	const json_t *ss = json_object_get(st, "sessions"), *x;
	const json_t *t = json_object_get(st, "totals");
	const json_t *rates = json_object_get(st, "rates");
	char eur[64], cost[64];
	size_t i;

	order_euros(eur, sizeof(eur), num(lot, "rate_cents"), " ");
	fprintf(f, "statement %s %s (R18): %s, territory %s, %s per hour\n",
	    str(lot, "ref"), str(st, "month"), str(lot, "sector"),
	    str(lot, "territory"), eur);
	/* R14: a month the rate changes in, part by part */
	for (i = 0; json_array_size(rates) > 1 && i < json_array_size(rates);
	    i++) {
		x = json_array_get(rates, i);
		order_euros(eur, sizeof(eur), num(x, "rate_cents"), " ");
		order_euros(cost, sizeof(cost), num(x, "cost_cents"), " ");
		fprintf(f, "rate %s per hour from %s to %s: %lld h, %s\n", eur,
		    str(x, "from"), str(x, "to"), num(x, "hours"), cost);
	}
	fprintf(f, "%-10s %-14s %-10s %-10s %5s %6s %8s %7s %16s\n", "session",
	    "provider", "start", "end", "days", "month", "financed", "hours",
	    "cost");
	for (i = 0; i < json_array_size(ss); i++) {
		x = json_array_get(ss, i);
		order_euros(eur, sizeof(eur), num(x, "cost_cents"), " ");
		fprintf(f, "%-10s %-14s %-10s %-10s %5lld %6lld %8lld %7lld %16s\n",
		    str(x, "ref"), str(json_object_get(x, "provider"), "siret"),
		    str(x, "start"), str(x, "end"), num(x, "working_days"),
		    num(x, "working_days_in_month"), num(x, "financed"),
		    num(x, "hours"), eur);
	}
	order_euros(eur, sizeof(eur), num(t, "cost_cents"), " ");
	fprintf(f, "total: %lld sessions, %lld financed trainees, %lld h, %s "
	    "(%lld cents)\n", num(t, "sessions"), num(t, "financed"),
	    num(t, "hours"), eur, num(t, "cost_cents"));
	fprintf(f, "rule: %s\n", str(st, "rule"));
}

/* The statement asked for: a lot, a month, and whether as JSON. */
struct statement_args {
	const char *lot;
	const char *month;
	bool json;
};

/* Builds the statement and prints it as text or canonical JSON. */
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
	if (!a->json)
		print_text(l->out, st);
	else if ((rc = jcs_canonical(st, &s, &len)) == 0) {
		fwrite(s, 1, len, l->out);
		putc('\n', l->out);
		free(s);
	}
	json_decref(st);
	return rc;
}

/* statement --lot LOT --month YYYY-MM [--json] */
static int
statement_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct statement_args a = { cmd_args_get(args, "lot"),
		cmd_args_get(args, "month"), cmd_args_has(args, "json") };

	if (a.lot == NULL || a.month == NULL)
		return cmd_usage(ctx, "statement needs --lot LOT and --month YYYY-MM");
	if (!order_period_valid(a.month))
		return cmd_usage(ctx, "--month takes a month, YYYY-MM");
	return cmd_listing(ctx, CMD_TEXT, statement_print, &a);
}

static const struct cmd_opt statement_opts[] = {
	{ "lot", "LOT", NULL },
	{ "month", "YYYY-MM", NULL },
	{ "json", NULL, "the statement as canonical JSON" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_statement_entry = {
	.name = "statement",
	.usage = "--lot LOT --month YYYY-MM [--json]",
	.summary = "the monthly statement of a lot (R18): one per lot per month",
	.args = { .opts = statement_opts },
	.help_head = "Every session of the lot running in the month, with its financed\n"
	    "trainees, the hours falling in the month and their cost at the rate\n"
	    "in force on the days they fall on; then the totals. A path's hours\n"
	    "are spread over its session's working days (Monday to Friday, no\n"
	    "public holiday in France), rounded so that the months of a session\n"
	    "add up to its hours; a month the lot's rate changes in is split at\n"
	    "the change, each part at its rate (schema/order.md).\n",
	.exec = statement_exec,
};
