/* consort set: changes fields of an existing record as one change-set. */
#include "../cmd.h"

/* Parses "TYPE REF FIELD=VALUE..." and updates the record. */
static int
set_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct schema_type *t;

	if (argc < 4)
		return cmd_usage(ctx, "missing TYPE, REF or FIELD=VALUE");
	if ((t = cmd_type(ctx, argv[1])) == NULL)
		return EXIT_USAGE;
	return cmd_write_record(ctx, t, argv[2], argc - 3, argv + 3, PUT_SET);
}

const struct cmd_entry cmd_set_entry = {
	.name = "set",
	.usage = "TYPE REF FIELD=VALUE...",
	.summary = "change fields of a record; FIELD= (no value) unsets the field",
	.help = "  FIELD=VALUE   the new value, checked against the schema\n"
	    "  FIELD=        unset the field\n",
	.exec_argv = set_exec,
};
