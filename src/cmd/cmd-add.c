/* consort add: records a new record as one signed change-set. */
#include <string.h>

#include "../cmd.h"

/*
 * Writes one record (add or set) as one change-set; shared with cmd-set.c.
 * A record added without a ref gets the one its fields make (attendance:
 * PATH@DAY), else a random one.
 */
int
cmd_write_record(struct cmd_ctx *ctx, const struct schema_type *t,
    const char *ref, int argc, char **argv, enum put_mode mode)
{
	struct consort_diag d = { 0 };
	struct field_input in[SCHEMA_MAX_FIELDS];
	char fresh[CONSORT_REF_MAX + 2];
	struct edit e;
	unsigned n;
	bool changed;
	int rc;

	if ((rc = cmd_field_args(ctx, t, argc, argv, in, &n, mode == PUT_SET)) != 0)
		return rc;
	if (ref == NULL) {
		if (!records_derived_ref(t, in, n, fresh, sizeof(fresh)))
			records_new_ref(t, fresh, sizeof(fresh));
		ref = fresh;
	}
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
	printf(mode == PUT_ADD ? _("added %s %s%s\n") : _("updated %s %s%s\n"),
	    t->name, ref, changed ? "" : _(" (no change)"));
	if (e.note.what[0])
		fprintf(stderr, _("consort %s: note: %s: %s; %s\n"),
		    ctx->entry->name, e.note.where, e.note.what, e.note.hint);
	return EXIT_OK;
}

/* Parses "TYPE [--ref REF] FIELD=VALUE..." and adds the record. */
static int
add_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *ref = cmd_args_get(args, "ref");
	const struct schema_type *t;

	if ((t = cmd_type(ctx, args->argv[0])) == NULL)
		return EXIT_USAGE;
	return cmd_write_record(ctx, t, ref, args->argc - 1, args->argv + 1,
	    PUT_ADD);
}

static const struct cmd_opt add_opts[] = {
	{ "ref", N_("REF"), N_(
	    "the record's natural key (a trainee's file number, never\n"
	    "its name or France Travail id: refs reach every member;\n"
	    "an intent's reference...); members recording the same\n"
	    "ref address the same record. Without it a random ref\n"
	    "is made and printed; attendance's is its path and day\n"
	    "or month, PATH@YYYY-MM-DD or PATH@YYYY-MM.") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_add_entry = {
	.name = "add",
	.usage = N_("TYPE [--ref REF] FIELD=VALUE..."),
	.summary = N_("add a record (lot, rate, session, trainee, intent, "
	    "path, derogation, agreement, attendance)"),
	.args = { .opts = add_opts, .lower = 1, .upper = -1,
	    .missing = N_("missing TYPE") },
	.help = N_(
	    "  FIELD=VALUE   a field of the type (see schema/entities.def); values\n"
	    "                are checked: integers, true/false, YYYY-MM-DD dates,\n"
	    "                enumerations, SIRETs, refs of existing records\n"),
	.help_col = 16,
	.exec = add_exec,
};
