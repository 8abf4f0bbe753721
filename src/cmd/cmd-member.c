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
member_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct member_ctx m = { NULL, NULL, NULL };
	struct consort_diag d = { 0 };
	struct jsonw jw;
	struct store_txn *txn;
	bool json;
	int rc;

	if ((rc = cmd_json_flag(ctx, &argc, argv, &json)) != 0)
		return rc;
	if (argc != 2 || strcmp(argv[1], "list") != 0)
		return cmd_usage(ctx, "expected \"list\"");
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
	store_abort(txn);
	if (json) {
		jw_obj_end(&jw);
		putc('\n', m.out);
	}
	rc = cmd_out_end(m.out, rc);
	return rc != 0 ? cmd_fail(ctx, rc, &d) : EXIT_OK;
}

const struct cmd_entry cmd_member_entry = {
	"member",
	"list [--json]",
	"list the consortium's members (the roster), by SIRET",
	"  --json  print {\"SIRET\": {FIELD: VALUE, ...}, ...}\n",
	member_exec,
};
