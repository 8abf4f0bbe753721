/*
 * consort order list [--lot LOT] [--period YYYY-MM] [--json]: each lot and
 * period's submitted requests with their state: submitted, accepted by
 * the Region (the order's number and amount), refused (the reason), and
 * the orders that amend them.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd-order.h"

/* Writes text on one line: its line feeds as spaces. */
static void
put_line(FILE *f, const char *text)
{
	for (; *text != '\0'; text++)
		putc(*text == '\n' ? ' ' : *text, f);
}

/* Writes an amount of cents in euros, French style. */
static void
put_euros(FILE *f, int64_t cents)
{
	char eur[64];

	order_euros(eur, sizeof(eur), cents, " ");
	fputs(eur, f);
}

/* Writes an order's state: what the Region answered, if it did. */
static void
put_state(FILE *f, const json_t *o)
{
	const json_t *dec = json_object_get(o, "decisions"), *x;
	const char *state = jr_str(o, "state");
	size_t i;

	x = json_array_get(dec, 0);
	if (strcmp(state, "accepted") == 0) {
		fprintf(f, _("accepted on %s: order %s, "), jr_str(x, "date"),
		    jr_str(x, "order_number"));
		put_euros(f, jr_int(x, "amount_cents"));
	} else if (strcmp(state, "refused") == 0) {
		fprintf(f, _("refused on %s: "), jr_str(x, "date"));
		put_line(f, jr_str(x, "reason"));
	} else if (strcmp(state, "conflicting") == 0) {
		fputs(_("conflicting decisions of the Region:"), f);
		json_array_foreach(dec, i, x)
			fprintf(f, _(" %s (%s on %s)"), jr_str(x, "ref"),
			    jr_str(x, "verdict"), jr_str(x, "date"));
	} else
		fputs(state, f);
}

/* Writes one order on one line. */
static void
put_order(FILE *f, const json_t *o)
{
	const json_t *snd = json_object_get(o, "sender");
	const json_t *t = json_object_get(o, "totals");
	const json_t *am = json_object_get(o, "amended_by"), *x;
	size_t i;

	fprintf(f, _("%s %s #%lld %.12s %s by %s%s%s (%s): %lld session%s, "
	    "%lld financed, %lld h, "), jr_str(o, "lot"), jr_str(o, "period"),
	    (long long)jr_int(o, "number"), jr_str(o, "hash"), jr_str(o, "date"),
	    jr_str(snd, "siret"), jr_str(snd, "name")[0] ? " " : "",
	    jr_str(snd, "name"), jr_bool(snd, "direct") ? _("direct") : _("lead"),
	    (long long)jr_int(t, "sessions"), jr_int(t, "sessions") == 1 ? "" :
	    "s", (long long)jr_int(t, "financed"), (long long)jr_int(t, "hours"));
	put_euros(f, jr_int(t, "cost_cents"));
	fputs("; ", f);
	put_state(f, o);
	if (strcmp(jr_str(o, "state"), "built") == 0) {
		fputs(_(" on this node, issued "), f);
		put_line(f, jr_str(o, "issued"));
		fputs(_(", not submitted: "), f);
		put_line(f, jr_str(o, "file"));
		fputc('\n', f);
		return;
	}
	json_array_foreach(json_object_get(o, "same_number"), i, x)
		fprintf(f, "%s %s", i == 0 ? _("; its number also taken by") :
		    ",",
		    json_string_value(x));
	json_array_foreach(am, i, x)
		fprintf(f, "%s #%lld %s", i == 0 ? _("; amended by") : ",",
		    (long long)jr_int(x, "number"), jr_str(x, "ref"));
	fprintf(f, " [%s]\n", jr_str(o, "ref"));
}

/* order list [--lot LOT] [--period YYYY-MM] [--json] */
static int
order_list_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *lot = cmd_args_get(args, "lot");
	const char *period = cmd_args_get(args, "period");
	bool json = cmd_args_has(args, "json");
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *orders = NULL, *o;
	char *text;
	size_t i, len;
	FILE *out;
	int rc;

	if (period != NULL && !order_period_valid(period))
		return cmd_usage(ctx, _("--period takes a month, YYYY-MM"));
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = store_load_authors(txn, &ctx->node->store)) == 0)
		rc = order_list(txn, &ctx->node->store, lot, period, &orders, &d);
	store_abort(txn);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	out = cmd_out_begin();
	if (json) {
		if ((rc = jcs_canonical(orders, &text, &len)) == 0) {
			fwrite(text, 1, len, out);
			putc('\n', out);
			free(text);
		}
	} else {
		json_array_foreach(orders, i, o)
			put_order(out, o);
		if (json_array_size(orders) == 0)
			fprintf(out, _("no order recorded%s%s%s%s\n"), lot ?
			    _(" for lot ") :
			    "", lot ? lot : "", period ? _(" in ") : "",
			    period ? period : "");
	}
	json_decref(orders);
	rc = json ? cmd_out_end(out, rc) : cmd_out_end_safe(out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, NULL) : EXIT_OK;
}

static const struct cmd_opt order_list_opts[] = {
	{ "lot", N_("LOT"), NULL },
	{ "period", N_("YYYY-MM"), NULL },
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

const struct cmd_entry order_list_entry = {
	.name = "list",
	.summary = N_(
	    "the requests submitted (of a lot, of a month), each with\n"
	    "its number, hash, date, sender, totals and state:\n"
	    "submitted, accepted (the order's number and amount),\n"
	    "refused (the reason), amended by; --json every detail"),
	.args = { .opts = order_list_opts,
	    .unexpected = N_("takes no argument; "
	    "give --lot LOT or --period YYYY-MM") },
	.exec = order_list_cmd,
};
