/* consort member list: the consortium's roster. */
#include "../cmd.h"

/* member list [--json]: the roster; its ref is the SIRET. */
static int
member_list(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_list_records(ctx, schema_type(T_member),
	    cmd_args_has(args, "json"), "siret");
}

static const struct cmd_opt member_list_opts[] = {
	{ "json", NULL, N_("print {\"SIRET\": {FIELD: VALUE, ...}, ...}") },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry member_list_entry = {
	.name = "list",
	.args = { .opts = member_list_opts,
	    .unexpected = N_("expected \"list\"") },
	.exec = member_list,
};

static const struct cmd_entry *const member_sub[] = {
	&member_list_entry,
	NULL,
};

const struct cmd_entry cmd_member_entry = {
	.name = "member",
	.usage = N_("list [--json]"),
	.summary = N_("list the consortium's members (the roster), by SIRET"),
	.args = { .missing = N_("expected \"list\""),
	    .unexpected = N_("expected \"list\"") },
	.sub = member_sub,
};
