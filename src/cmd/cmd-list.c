/* consort list: the live records of one type, in ref order. */
#include "../cmd.h"

struct list_ctx {
	const struct store *s;
	const struct schema_type *t;
	struct jsonw *jw;  /* NULL: text */
	FILE *out;
};

/* Prints one record: "REF field=value ..." or a JSON member. */
static int
list_one(void *ctx, const struct record *r)
{
	struct list_ctx *l = ctx;
	const struct value *v;
	unsigned i;

	if (l->jw != NULL) {
		jw_keyn(l->jw, r->ref, r->ref_len);
		state_record_json(l->jw, l->s, r);
		return 0;
	}
	fwrite(r->ref, 1, r->ref_len, l->out);
	for (i = 0; i < l->t->nfields; i++) {
		if ((v = state_field(l->s, r, l->t->sorted[i]->id)) == NULL)
			continue;
		fprintf(l->out, " %s=", l->t->sorted[i]->name);
		if (l->t->sorted[i]->kind == FK_TEXT)
			fprintf(l->out, "(%u bytes)", v->len);
		else
			cmd_print_value(l->out, v);
	}
	putc('\n', l->out);
	return 0;
}

/* Lists the records of TYPE. */
static int
list_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct list_ctx l = { NULL, NULL, NULL, NULL };
	struct consort_diag d = { 0 };
	bool json = cmd_args_has(args, "json");
	struct jsonw jw;
	MDB_txn *txn;
	int rc;

	if ((l.t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	l.s = &ctx->node->store;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	l.out = cmd_out_begin();
	if (json) {
		jw_init(&jw, l.out);
		l.jw = &jw;
		jw_obj(&jw);
	}
	rc = state_foreach_d(txn, &ctx->node->store, l.t->id, list_one, &l, &d);
	mdb_txn_abort(txn);
	if (json) {
		jw_obj_end(&jw);
		putc('\n', l.out);
	}
	rc = cmd_out_end(l.out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

static const struct cmd_opt list_opts[] = {
	{ "json", NULL, "print {\"REF\": {FIELD: VALUE, ...}, ...}" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_list_entry = {
	.name = "list",
	.usage = "TYPE [--json]",
	.summary = "list the records of a type, in ref order",
	.args = { .opts = list_opts, .lower = 1, .upper = 1,
	    .missing = "expected TYPE", .unexpected = "expected TYPE" },
	.help = "A text field (an order's signed request) is shown by its size; --json\n"
	    "and consort show --json print it whole.\n",
	.exec = list_exec,
};
