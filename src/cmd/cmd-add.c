/* consort add: records a new record as one signed change-set. */
#include <getopt.h>
#include <string.h>

#include "../cmd.h"

/* Writes one record (add or set) as one change-set; shared with cmd-set.c. */
int
cmd_write_record(struct cmd_ctx *ctx, const struct schema_type *t,
    const char *ref, int argc, char **argv, enum put_mode mode)
{
	struct consort_diag d = { 0 };
	struct field_input in[SCHEMA_MAX_FIELDS];
	struct edit e;
	unsigned n;
	bool changed;
	int rc;

	if ((rc = cmd_field_args(ctx, t, argc, argv, in, &n, mode == PUT_SET)) != 0)
		return rc;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	rc = records_put(&e, t, ref, strlen(ref), in, n, mode, true, &changed, &d);
	if (rc != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf("%s %s %s%s\n", mode == PUT_ADD ? "added" : "updated", t->name,
	    ref, changed ? "" : " (no change)");
	return EXIT_OK;
}

/* Parses "TYPE [--ref REF] FIELD=VALUE..." and adds the record. */
static int
add_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "ref", required_argument, NULL, 'r' },
		{ NULL, 0, NULL, 0 },
	};
	const struct schema_type *t;
	const char *ref = NULL;
	char fresh[CONSORT_REF_MAX];
	int c;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (c != 'r')
			return cmd_usage(ctx, "unknown option");
		ref = optarg;
	}
	if (optind >= argc)
		return cmd_usage(ctx, "missing TYPE");
	if ((t = cmd_type(ctx, argv[optind])) == NULL)
		return EXIT_USAGE;
	if (ref == NULL) {
		records_new_ref(t, fresh, sizeof(fresh));
		ref = fresh;
	}
	return cmd_write_record(ctx, t, ref, argc - optind - 1, argv + optind + 1,
	    PUT_ADD);
}

const struct cmd_entry cmd_add_entry = {
	.name = "add",
	.usage = "TYPE [--ref REF] FIELD=VALUE...",
	.summary = "add a record (lot, session, trainee, intent, path, derogation)",
	.help = "  --ref REF     the record's natural key (a trainee's France Travail id,\n"
	    "                an intent's reference...); members recording the same\n"
	    "                ref address the same record. Without it a random ref\n"
	    "                is made and printed.\n"
	    "  FIELD=VALUE   a field of the type (see schema/entities.def); values\n"
	    "                are checked: integers, true/false, YYYY-MM-DD dates,\n"
	    "                enumerations, SIRETs, refs of existing records\n",
	.exec_argv = add_exec,
};
