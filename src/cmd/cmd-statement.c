/* consort statement: the monthly statement of one lot (R18). */
#include <getopt.h>
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
	char eur[64];
	size_t i;

	order_euros(eur, sizeof(eur), num(lot, "rate_cents"), " ");
	fprintf(f, "statement %s %s (R18): %s, territory %s, %s per hour\n",
	    str(lot, "ref"), str(st, "month"), str(lot, "sector"),
	    str(lot, "territory"), eur);
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

/* statement --lot LOT --month YYYY-MM [--json] */
static int
statement_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "lot", required_argument, NULL, 'l' },
		{ "month", required_argument, NULL, 'm' },
		{ "json", no_argument, NULL, 'j' },
		{ NULL, 0, NULL, 0 },
	};
	struct consort_diag d = { 0 };
	const char *lot = NULL, *month = NULL;
	json_t *st = NULL;
	MDB_txn *txn;
	bool json = false;
	char *s;
	size_t len;
	FILE *out;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c == 'l')
			lot = optarg;
		else if (c == 'm')
			month = optarg;
		else if (c == 'j')
			json = true;
		else
			return cmd_usage(ctx, "unknown option");
	}
	if (optind != argc)
		return cmd_usage(ctx, "unexpected argument \"%s\"", argv[optind]);
	if (lot == NULL || month == NULL)
		return cmd_usage(ctx, "statement needs --lot LOT and --month YYYY-MM");
	if (!order_period_valid(month))
		return cmd_usage(ctx, "--month takes a month, YYYY-MM");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	rc = statement_build(txn, &ctx->node->store, lot, month, &st, &d);
	mdb_txn_abort(txn);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	out = cmd_out_begin();
	if (json) {
		if ((rc = jcs_canonical(st, &s, &len)) == 0) {
			fwrite(s, 1, len, out);
			putc('\n', out);
			free(s);
		}
	} else
		print_text(out, st);
	json_decref(st);
	if ((rc = cmd_out_end(out, rc)) != 0)
		return cmd_fail(ctx, rc, NULL);
	return EXIT_OK;
}

const struct cmd_entry cmd_statement_entry = {
	.name = "statement",
	.usage = "--lot LOT --month YYYY-MM [--json]",
	.summary = "the monthly statement of a lot (R18): one per lot per month",
	.help = "Every session of the lot running in the month, with its financed\n"
	    "trainees, the hours falling in the month and their cost at the lot's\n"
	    "rate; then the totals. A path's hours are spread over its session's\n"
	    "working days (Monday to Friday, no holidays), rounded so that the\n"
	    "months of a session add up to its hours (schema/order.md).\n"
	    "  --json  the statement as canonical JSON\n",
	.exec_argv = statement_exec,
};
