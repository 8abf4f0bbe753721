/* consort set: changes fields of an existing record as one change-set. */
#include "../cmd.h"

/* Parses "TYPE REF FIELD=VALUE..." and updates the record. */
static int
set_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const struct schema_type *t;

	if ((t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	return cmd_write_record(ctx, t, args->argv[1], args->argc - 2,
	    args->argv + 2, PUT_SET);
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.usage = N_("TYPE REF FIELD=VALUE..."),
	.summary = N_("change fields of a record; FIELD= (no value) unsets the "
	    "field"),
	.args = { .lower = 3, .upper = -1,
	    .missing = N_("missing TYPE, REF or FIELD=VALUE"),
	    .flags = CMD_ARGS_LITERAL },
	.help = N_("  FIELD=VALUE   the new value, checked against the schema\n"
	    "  FIELD=        unset the field\n"),
	.exec = set_exec,
};
