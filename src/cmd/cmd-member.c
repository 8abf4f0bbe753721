/* consort member list: the consortium's roster. */
#include <string.h>

#include "../cmd.h"

/* Prints one member. */
static int
member_one(void *arg, const struct record *r)
{
	const struct schema_type *t = schema_type(T_member);
	struct cmd_listing *l = arg;
	const struct store *s = &l->ctx->node->store;
	const struct value *v;
	unsigned i;

	if (l->jw != NULL) {
		jw_keyn(l->jw, r->ref, r->ref_len);
		state_record_json(l->jw, s, r);
		return 0;
	}
	fwrite(r->ref, 1, r->ref_len, l->out);
	for (i = 0; i < t->nfields; i++) {
		if ((v = state_field(s, r, t->sorted[i]->id)) == NULL ||
		    strcmp(t->sorted[i]->name, "siret") == 0)
			continue;
		fprintf(l->out, " %s=", t->sorted[i]->name);
		cmd_print_value(l->out, v);
	}
	putc('\n', l->out);
	return 0;
}

/* Prints every member of the roster. */
static int
member_all(struct cmd_listing *l)
{
	return state_foreach_d(l->txn, &l->ctx->node->store, T_member,
	    member_one, l, &l->diag);
}

/* member list [--json]: the roster. */
static int
member_list(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON_OBJECT :
	    CMD_TEXT, member_all, NULL);
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
