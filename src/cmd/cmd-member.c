/* consort member list: the consortium's roster. */
#include <string.h>

#include "../cmd.h"

struct member_ctx {
	const struct store *s;
	struct jsonw *jw;
	FILE *out;
};

/* Prints one member. */
static int
member_one(void *ctx, const struct record *r)
{
	const struct schema_type *t = schema_type(T_member);
	struct member_ctx *m = ctx;
	const struct value *v;
	unsigned i;

	if (m->jw != NULL) {
		jw_keyn(m->jw, r->ref, r->ref_len);
		state_record_json(m->jw, m->s, r);
		return 0;
	}
	fwrite(r->ref, 1, r->ref_len, m->out);
	for (i = 0; i < t->nfields; i++) {
		if ((v = state_field(m->s, r, t->sorted[i]->id)) == NULL ||
		    strcmp(t->sorted[i]->name, "siret") == 0)
			continue;
		fprintf(m->out, " %s=", t->sorted[i]->name);
		cmd_print_value(m->out, v);
	}
	putc('\n', m->out);
	return 0;
}

/* Lists the roster. */
static int
member_list(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct member_ctx m = { NULL, NULL, NULL };
	struct consort_diag d = { 0 };
	bool json = cmd_args_has(args, "json");
	struct jsonw jw;
	MDB_txn *txn;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	m.s = &ctx->node->store;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	m.out = cmd_out_begin();
	if (json) {
		jw_init(&jw, m.out);
		m.jw = &jw;
		jw_obj(&jw);
	}
	rc = state_foreach_d(txn, &ctx->node->store, T_member, member_one, &m,
	    &d);
	mdb_txn_abort(txn);
	if (json) {
		jw_obj_end(&jw);
		putc('\n', m.out);
	}
	rc = cmd_out_end(m.out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

static const struct cmd_opt member_list_opts[] = {
	{ "json", NULL, "print {\"SIRET\": {FIELD: VALUE, ...}, ...}" },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry member_list_entry = {
	.name = "list",
	.args = { .opts = member_list_opts, .unexpected = "expected \"list\"" },
	.exec = member_list,
};

static const struct cmd_entry *const member_sub[] = {
	&member_list_entry,
	NULL,
};

const struct cmd_entry cmd_member_entry = {
	.name = "member",
	.usage = "list [--json]",
	.summary = "list the consortium's members (the roster), by SIRET",
	.args = { .missing = "expected \"list\"",
	    .unexpected = "expected \"list\"" },
	.sub = member_sub,
};
