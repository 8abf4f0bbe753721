/* consort resolve: one change-set that supersedes every competing value. */
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "../cmd.h"

struct choice {
	const char *id;
	long keep;
	const char *value;
	bool del;
};

/* Parses ID and exactly one of --keep, --value, --delete. */
static int
parse(struct cmd_ctx *ctx, int argc, char **argv, struct choice *ch)
{
	static const struct option opts[] = {
		{ "keep", required_argument, NULL, 'k' },
		{ "value", required_argument, NULL, 'v' },
		{ "delete", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	char *end;
	int c, n = 0;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		n++;
		if (c == 'k') {
			ch->keep = strtol(optarg, &end, 10);
			if (*end != '\0' || ch->keep < 1 || ch->keep > CONFLICT_MAX_VALUES)
				return cmd_usage(ctx, "--keep takes a value's number");
		} else if (c == 'v')
			ch->value = optarg;
		else if (c == 'd')
			ch->del = true;
		else
			return cmd_usage(ctx, "unknown option");
	}
	if (optind + 1 != argc || n != 1)
		return cmd_usage(ctx, "expected ID and one of --keep N, --value V, "
		    "--delete");
	ch->id = argv[optind];
	return 0;
}

/* Finds the conflict and writes its resolution. */
static int
resolve_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
	struct choice ch = { NULL, 0, NULL, false };
	struct conflict c;
	struct value v, *pv = NULL;
	struct edit e;
	int rc;

	if ((rc = parse(ctx, argc, argv, &ch)) != 0)
		return rc;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = conflicts_find(e.txn, &ctx->node->store, ch.id, &c)) != 0) {
		edit_abort(&e);
		consort_diag_set(&d, rc, ch.id, rc == E(NOENT) ? "no open conflict "
		    "has this id" : NULL, "consort conflicts lists them");
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
	printf("resolved %s\n", ch.id);
	return EXIT_OK;
}

const struct cmd_entry cmd_resolve_entry = {
	.name = "resolve",
	.usage = "ID (--keep N | --value V | --delete)",
	.summary = "resolve a conflict with one change-set that supersedes every value",
	.help = "  --keep N    keep the N-th value listed by consort conflicts\n"
	    "  --value V   write another value\n"
	    "  --delete    unset the field (or delete the record, for a deletion\n"
	    "              conflict)\n"
	    "Business conflicts (R07, R01, R16) clear when the records are edited;\n"
	    "consort conflicts says which edit clears each.\n",
	.exec_argv = resolve_exec,
};
