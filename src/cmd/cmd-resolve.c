/* consort resolve: one change-set that supersedes every competing value. */
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"

struct choice {
	const char *id;
	long keep;
	const char *value;
	bool del;
};

#define RESOLVE_EXPECTED "expected ID and one of --keep N, --value V, --delete"

/* Reads ID and exactly one of --keep, --value, --delete. */
static int
parse(struct cmd_ctx *ctx, const struct cmd_args *args, struct choice *ch)
{
	const char *keep = cmd_args_get(args, "keep");
	char *end;

	if (keep != NULL) {
		ch->keep = strtol(keep, &end, 10);
		if (*end != '\0' || ch->keep < 1 || ch->keep > CONFLICT_MAX_VALUES)
			return cmd_usage(ctx,
			    _("--keep takes a value's number"));
	}
	if (args->ngiven != 1)
		return cmd_usage(ctx, RESOLVE_EXPECTED);
	ch->value = cmd_args_get(args, "value");
	ch->del = cmd_args_has(args, "delete");
	ch->id = args->argv[0];
	return 0;
}

/* Finds the conflict and writes its resolution. */
static int
resolve_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct choice ch = { NULL, 0, NULL, false };
	struct conflict c;
	struct value v, *pv = NULL;
	struct edit e;
	int rc;

	if ((rc = parse(ctx, args, &ch)) != 0)
		return rc;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = conflicts_find(e.txn, &ctx->node->store, ch.id, &c)) != 0) {
		edit_abort(&e);
		consort_diag_set(&d, rc, ch.id, rc == E(NOENT) ?
		    _("no open conflict "
		    "has this id") : NULL, _("consort conflicts lists them"));
		return cmd_fail(ctx, rc, &d);
	}
	if (ch.value != NULL && c.field != 0) {
		const struct schema_field *f = schema_field(schema_type(c.type), c.field);

		if ((rc = schema_parse_text(f, ch.value, strlen(ch.value), &v, &d)) != 0) {
			edit_abort(&e);
			return cmd_fail(ctx, rc, &d);
		}
		pv = &v;
	}
	if ((rc = conflicts_resolve(&e, &c, (unsigned)ch.keep, pv, ch.del, &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf(_("resolved %s\n"), ch.id);
	return EXIT_OK;
}

static const struct cmd_opt resolve_opts[] = {
	{ "keep", "N", N_("keep the N-th value listed by consort conflicts") },
	{ "value", "V", N_("write another value") },
	{ "delete", NULL, N_(
	    "unset the field (or delete the record, for a deletion\n"
	    "conflict)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = N_("ID (--keep N | --value V | --delete)"),
	.summary = N_("resolve a conflict with one change-set that supersedes "
	    "every value"),
	.args = { .opts = resolve_opts, .lower = 1, .upper = 1,
	    .missing = RESOLVE_EXPECTED, .unexpected = RESOLVE_EXPECTED },
	.help = N_(
	    "Business conflicts (R07, R01, R16) clear when the records are edited;\n"
	    "consort conflicts says which edit clears each.\n"),
	.help_col = 14,
	.exec = resolve_exec,
};
