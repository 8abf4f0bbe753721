/* consort list: the live records of one type, in ref order. */
#include <string.h>

#include "../cmd.h"

/* What list prints: the records of one type. */
struct records {
	const struct schema_type *t;
	const char *hide;  /* a field the text leaves out, or NULL */
};

/* Prints one record: "REF field=value ..." or a JSON member. */
static int
list_one(void *arg, const struct record *r)
{
	struct cmd_listing *l = arg;
	const struct records *rs = l->arg;
	const struct schema_field *f;
	const struct store *s = &l->ctx->node->store;
	const struct value *v;
	unsigned i;

	if (l->jw != NULL) {
		jw_keyn(l->jw, r->ref, r->ref_len);
		state_record_json(l->jw, s, r);
		return 0;
	}
	fwrite(r->ref, 1, r->ref_len, l->out);
	for (i = 0; i < rs->t->nfields; i++) {
		f = rs->t->sorted[i];
		if ((v = state_field(s, r, f->id)) == NULL ||
		    (rs->hide != NULL && strcmp(f->name, rs->hide) == 0))
			continue;
		fprintf(l->out, " %s=", f->name);
		if (f->kind == FK_TEXT)
			fprintf(l->out, _("(%u bytes)"), v->len);
		else
			cmd_print_value(l->out, v);
	}
	putc('\n', l->out);
	return 0;
}

/* Prints every live record of the type. */
static int
list_all(struct cmd_listing *l)
{
	const struct records *rs = l->arg;

	return state_foreach_d(l->txn, &l->ctx->node->store, rs->t->id, list_one,
	    l, &l->diag);
}

/*
 * Lists the live records of t in ref order, as text or a JSON object;
 * the text leaves out the field hide (NULL: none).  Shared with member list.
 */
int
cmd_list_records(struct cmd_ctx *ctx, const struct schema_type *t, bool json,
    const char *hide)
{
	struct records rs = { t, hide };

	return cmd_listing(ctx, json ? CMD_JSON_OBJECT : CMD_TEXT, list_all, &rs);
}

/* Lists the records of TYPE. */
static int
list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct schema_type *t;

	if ((t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	return cmd_list_records(ctx, t, cmd_args_has(args, "json"), NULL);
}

static const struct cmd_opt list_opts[] = {
	{ "json", NULL, N_("print {\"REF\": {FIELD: VALUE, ...}, ...}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = N_("TYPE [--json]"),
	.summary = N_("list the records of a type, in ref order"),
	.args = { .opts = list_opts, .lower = 1, .upper = 1,
	    .missing = N_("expected TYPE"), .unexpected = N_("expected TYPE") },
	.help = N_(
	    "A text field (an order's signed request) is shown by its size; --json\n"
	    "and consort show --json print it whole.\n"),
	.exec = list_exec,
};
