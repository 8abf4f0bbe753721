/* consort show: one record, every field, and competing values if any. */
#include <string.h>

#include "../cmd.h"

/* Says plainly that a trainee's personal values were erased, when and why. */
static void
show_erasure(const struct store *s, const struct record *r)
{
	const struct value *why = state_field(s, r, F_trainee_erased_reason);

	fputs(_("personal values erased on "), stdout);
	cmd_print_value(stdout, state_field(s, r, F_trainee_erased));
	if (why != NULL) {
		fputs(": ", stdout);
		cmd_print_value(stdout, why);
	}
	putchar('\n');
}

/* Prints the record as "field  value" lines, noting fields in conflict. */
static void
show_text(const struct store *s, const struct schema_type *t,
    const struct record *r)
{
	const struct value *v;
	unsigned i, n;

	printf("%s %.*s\n", t->name, (int)r->ref_len, r->ref);
	for (i = 0; i < t->nfields; i++) {
		if ((v = state_field(s, r, t->sorted[i]->id)) == NULL)
			continue;
		printf("  %-20s ", t->sorted[i]->name);
		if (t->sorted[i]->kind == FK_TEXT)
			printf(_("(%u bytes; show --json prints it)"), v->len);
		else if (v->kind == VAL_BIN && personal_erased(r))
			fputs(_("(erased)"), stdout);
		else
			cmd_print_value(stdout, v);
		n = r->fields[t->sorted[i]->id].n;
		if (n > 1)
			printf(_("   (conflict: %u competing values)"), n);
		putchar('\n');
	}
	if (personal_erased(r))
		show_erasure(s, r);
}

/* Counts the personal fields whose values this node cannot read. */
static unsigned
sealed_fields(const struct store *s, const struct schema_type *t,
    const struct record *r)
{
	const struct value *v;
	unsigned i, n = 0;

	for (i = 0; i < t->nfields; i++)
		n += (v = state_field(s, r, t->sorted[i]->id)) != NULL &&
		    v->kind == VAL_BIN;
	return n;
}

/* Writes key: [the personal fields this node cannot read], if any. */
static void
unreadable_json(struct jsonw *jw, const char *key, const struct store *s,
    const struct schema_type *t, const struct record *r)
{
	const struct value *v;
	unsigned i;

	if (sealed_fields(s, t, r) == 0)
		return;
	jw_key(jw, key);
	jw_arr(jw);
	for (i = 0; i < t->nfields; i++)
		if ((v = state_field(s, r, t->sorted[i]->id)) != NULL &&
		    v->kind == VAL_BIN)
			jw_str(jw, t->sorted[i]->name);
	jw_arr_end(jw);
}

/*
 * Prints {"erased": [FIELD...], "fields": {...}, "ref": REF, "sealed":
 * [FIELD...], "type": TYPE}: "sealed" names the personal fields this node
 * cannot read, "erased" (instead) those whose values were erased.
 */
static void
show_json(const struct store *s, const struct schema_type *t,
    const struct record *r)
{
	struct jsonw jw;

	jw_init(&jw, stdout);
	jw_obj(&jw);
	if (personal_erased(r))
		unreadable_json(&jw, "erased", s, t, r);
	jw_key(&jw, "fields");
	state_record_json(&jw, s, r);
	jw_key(&jw, "ref");
	jw_strn(&jw, r->ref, r->ref_len);
	if (!personal_erased(r))
		unreadable_json(&jw, "sealed", s, t, r);
	jw_key(&jw, "type");
	jw_str(&jw, t->name);
	jw_obj_end(&jw);
	putchar('\n');
}

/* Shows TYPE REF. */
static int
show_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *ref = args->argv[1];
	bool json = cmd_args_has(args, "json");
	const struct schema_type *t;
	struct record r;
	struct store_txn *txn;
	int rc;

	if ((t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	if ((rc = cmd_open(ctx, false)) != 0 || (rc = cmd_read_personal(ctx)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	record_init(&r);
	rc = state_lookup(txn, &ctx->node->store, ctx->node->founder, t->id,
	    ref, strlen(ref), &r);
	if (rc != 0) {
		snprintf(d.where, sizeof(d.where), "%s %s", t->name, ref);
		consort_diag_set(&d, rc, NULL,
		    _("the stored record is damaged"),
		    _("run consort verify, then consort rebuild"));
	} else if (!record_alive(&ctx->node->store, &r)) {
		snprintf(d.where, sizeof(d.where), "%s %s", t->name, ref);
		rc = consort_diag_set(&d, E(NOENT), NULL, _("no such record"),
		    _("list the records with consort list"));
	} else if (rc == 0 && json)
		show_json(&ctx->node->store, t, &r);
	else if (rc == 0)
		show_text(&ctx->node->store, t, &r);
	store_abort(txn);
	record_free(&r);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

static const struct cmd_opt show_opts[] = {
	{ "json", NULL, N_(
	    "print {\"fields\": {...}, \"ref\": REF, \"sealed\":\n"
	    "[FIELD...], \"type\": TYPE}; \"sealed\" names the personal fields\n"
	    "this node holds but cannot read (not entitled, or the key is\n"
	    "sealed and no passphrase was given); for a trainee whose\n"
	    "values were erased, \"erased\": [FIELD...] names them instead\n"
	    "(fields.erased and fields.erased_reason say when and why)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_show_entry = {
	.name = "show",
	.usage = N_("TYPE REF [--json]"),
	.summary = N_("show one record"),
	.args = { .opts = show_opts, .lower = 2, .upper = 2,
	    .missing = N_("expected TYPE REF"),
	        .unexpected = N_("expected TYPE REF") },
	.exec = show_exec,
};
