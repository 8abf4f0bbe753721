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
put_euros(FILE *f, int64_t cents, enum fmt_lang lang)
{
	char eur[64];

	fmt_euros(eur, sizeof(eur), cents, lang, FMT_TEXT);
	fputs(eur, f);
}

/* Writes a day, JJ/MM/AAAA in French. */
static void
put_date(FILE *f, const char *iso, enum fmt_lang lang)
{
	char buf[64];

	if (strlen(iso) >= sizeof(buf)) {
		put_line(f, iso);
		return;
	}
	fmt_date(buf, sizeof(buf), iso, lang);
	put_line(f, buf);
}

/* Writes an order's state in English: what the Region answered, if it did. */
static void
put_state_en(FILE *f, const json_t *o)
{
	const json_t *dec = json_object_get(o, "decisions"), *x;
	const char *state = jr_str(o, "state");
	size_t i;

	x = json_array_get(dec, 0);
	if (strcmp(state, "accepted") == 0) {
		fprintf(f, "accepted on %s: order %s, ", jr_str(x, "date"),
		    jr_str(x, "order_number"));
		put_euros(f, jr_int(x, "amount_cents"), FMT_EN);
	} else if (strcmp(state, "refused") == 0) {
		fprintf(f, "refused on %s: ", jr_str(x, "date"));
		put_line(f, jr_str(x, "reason"));
	} else if (strcmp(state, "conflicting") == 0) {
		fputs("conflicting decisions of the Region:", f);
		json_array_foreach(dec, i, x)
			fprintf(f, " %s (%s on %s)", jr_str(x, "ref"), jr_str(x,
			    "verdict"), jr_str(x, "date"));
	} else
		fputs(state, f);
}

/* Writes an order's state in French: préparée, transmise, acceptée... */
static void
put_state_fr(FILE *f, const json_t *o)
{
	const json_t *dec = json_object_get(o, "decisions"), *x;
	const char *state = jr_str(o, "state");
	char label[64];
	size_t i;

	x = json_array_get(dec, 0);
	if (strcmp(state, "accepted") == 0) {
		fputs("acceptée le ", f);
		put_date(f, jr_str(x, "date"), FMT_FR);
		fputs(FMT_NBSP ": bon de commande ", f);
		put_line(f, jr_str(x, "order_number"));
		fputs(", ", f);
		put_euros(f, jr_int(x, "amount_cents"), FMT_FR);
	} else if (strcmp(state, "refused") == 0) {
		fputs("refusée le ", f);
		put_date(f, jr_str(x, "date"), FMT_FR);
		fputs(FMT_NBSP ": ", f);
		put_line(f, jr_str(x, "reason"));
	} else if (strcmp(state, "conflicting") == 0) {
		fputs("décisions contradictoires de la Région" FMT_NBSP ":", f);
		json_array_foreach(dec, i, x) {
			fprintf(f, " %s (%s le ", jr_str(x, "ref"), fmt_value(label,
			    sizeof(label), "decision", "verdict", jr_str(x,
			    "verdict"), FMT_FR));
			put_date(f, jr_str(x, "date"), FMT_FR);
			fputs(")", f);
		}
	} else if (strcmp(state, "submitted") == 0)
		fputs("transmise", f);
	else if (strcmp(state, "built") == 0)
		fputs("préparée", f);
	else
		fputs(state, f);
}

/* Writes one order on one line, in English as before. */
static void
put_order_en(FILE *f, const json_t *o)
{
	const json_t *snd = json_object_get(o, "sender");
	const json_t *t = json_object_get(o, "totals");
	const json_t *am = json_object_get(o, "amended_by"), *x;
	size_t i;

	fprintf(f, "%s %s #%lld %.12s %s by %s%s%s (%s): %lld session%s, %lld "
	    "financed, %lld h, ", jr_str(o, "lot"), jr_str(o, "period"),
	    (long long)jr_int(o, "number"), jr_str(o, "hash"), jr_str(o, "date"),
	    jr_str(snd, "siret"), jr_str(snd, "name")[0] ? " " : "",
	    jr_str(snd, "name"), jr_bool(snd, "direct") ? "direct" : "lead",
	    (long long)jr_int(t, "sessions"), jr_int(t, "sessions") == 1 ? "" :
	    "s", (long long)jr_int(t, "financed"), (long long)jr_int(t, "hours"));
	put_euros(f, jr_int(t, "cost_cents"), FMT_EN);
	fputs("; ", f);
	put_state_en(f, o);
	if (strcmp(jr_str(o, "state"), "built") == 0) {
		fputs(" on this node, issued ", f);
		put_line(f, jr_str(o, "issued"));
		fputs(", not submitted: ", f);
		put_line(f, jr_str(o, "file"));
		fputc('\n', f);
		return;
	}
	json_array_foreach(json_object_get(o, "same_number"), i, x)
		fprintf(f, "%s %s", i == 0 ? "; its number also taken by" : ",",
		    json_string_value(x));
	json_array_foreach(am, i, x)
		fprintf(f, "%s #%lld %s", i == 0 ? "; amended by" : ",",
		    (long long)jr_int(x, "number"), jr_str(x, "ref"));
	fprintf(f, " [%s]\n", jr_str(o, "ref"));
}

/* Writes one order on one line, in French. */
static void
put_order_fr(FILE *f, const json_t *o)
{
	const json_t *snd = json_object_get(o, "sender");
	const json_t *t = json_object_get(o, "totals");
	const json_t *am = json_object_get(o, "amended_by"), *x;
	char month[64], hours[32];
	size_t i;

	fmt_month(month, sizeof(month), jr_str(o, "period"), FMT_FR);
	fmt_hours(hours, sizeof(hours), jr_int(t, "hours"), FMT_FR, FMT_TEXT);
	fprintf(f, "%s %s n°" FMT_NBSP "%lld %.12s ", jr_str(o, "lot"), month,
	    (long long)jr_int(o, "number"), jr_str(o, "hash"));
	put_date(f, jr_str(o, "date"), FMT_FR);
	fprintf(f, " par %s%s%s (%s)" FMT_NBSP ": %lld session%s, %lld "
	    "financé%s, %s" FMT_NBSP "h, ", jr_str(snd, "siret"),
	    jr_str(snd, "name")[0] ? " " : "", jr_str(snd, "name"),
	    jr_bool(snd, "direct") ? "demande directe" : "mandataire",
	    (long long)jr_int(t, "sessions"), jr_int(t, "sessions") > 1 ? "s" :
	    "", (long long)jr_int(t, "financed"), jr_int(t, "financed") > 1 ?
	    "s" : "", hours);
	put_euros(f, jr_int(t, "cost_cents"), FMT_FR);
	fputs(" ; ", f);
	put_state_fr(f, o);
	if (strcmp(jr_str(o, "state"), "built") == 0) {
		fputs(" sur ce nœud, émise le ", f);
		put_date(f, jr_str(o, "issued"), FMT_FR);
		fputs(", non transmise" FMT_NBSP ": ", f);
		put_line(f, jr_str(o, "file"));
		fputc('\n', f);
		return;
	}
	json_array_foreach(json_object_get(o, "same_number"), i, x)
		fprintf(f, "%s %s", i == 0 ? " ; son numéro est aussi pris par" :
		    ",", json_string_value(x));
	json_array_foreach(am, i, x)
		fprintf(f, "%s n°" FMT_NBSP "%lld %s", i == 0 ? " ; remplacée par" :
		    ",", (long long)jr_int(x, "number"), jr_str(x, "ref"));
	fprintf(f, " [%s]\n", jr_str(o, "ref"));
}

/* Says that no order is recorded (for the lot, in the month). */
static void
put_none(FILE *f, const char *lot, const char *period, enum fmt_lang lang)
{
	char month[64];

	if (lang == FMT_EN) {
		fprintf(f, "no order recorded%s%s%s%s\n", lot ? " for lot " : "",
		    lot ? lot : "", period ? " in " : "", period ? period : "");
		return;
	}
	fmt_month(month, sizeof(month), period ? period : "", FMT_FR);
	fprintf(f, "aucune demande enregistrée%s%s%s%s\n", lot ? " pour le lot " :
	    "", lot ? lot : "", period ? " en " : "", period ? month : "");
}

/* order list [--lot LOT] [--period YYYY-MM] [--json] [--lang fr|en] */
static int
order_list_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *lot = cmd_args_get(args, "lot");
	const char *period = cmd_args_get(args, "period");
	bool json = cmd_args_has(args, "json");
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *orders = NULL, *o;
	enum fmt_lang lang;
	char *text;
	size_t i, len;
	FILE *out;
	int rc;

	if ((rc = cmd_doc_lang(ctx, args, &lang)) != 0)
		return rc;
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
			(lang == FMT_FR ? put_order_fr : put_order_en)(out, o);
		if (json_array_size(orders) == 0)
			put_none(out, lot, period, lang);
	}
	json_decref(orders);
	rc = json ? cmd_out_end(out, rc) : cmd_out_end_safe(out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, NULL) : EXIT_OK;
}

static const struct cmd_opt order_list_opts[] = {
	{ "lot", N_("LOT"), NULL },
	{ "period", N_("YYYY-MM"), NULL },
	{ "json", NULL, NULL },
	{ "lang", "fr|en", NULL },
	{ NULL, NULL, NULL },
};

const struct cmd_entry order_list_entry = {
	.name = "list",
	.summary = N_(
	    "the requests submitted (of a lot, of a month), each with\n"
	    "its number, hash, date, sender, totals and state:\n"
	    "submitted, accepted (the order's number and amount),\n"
	    "refused (the reason), amended by; in French (préparée,\n"
	    "transmise, acceptée, refusée, remplacée par n°...) or\n"
	    "--lang en; --json every detail, the same in every\n"
	    "language"),
	.args = { .opts = order_list_opts,
	    .unexpected = N_("takes no argument; "
	    "give --lot LOT or --period YYYY-MM") },
	.exec = order_list_cmd,
};
