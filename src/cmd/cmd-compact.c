/* consort compact: rewrites the store without its free pages. */
#include "../cmd.h"

/* Prints a size in bytes as a person reads it: B, KiB, MiB or GiB. */
static void
print_size(uint64_t n)
{
	static const char *const unit[] = { "KiB", "MiB", "GiB" };
	double v = (double)n;
	int i = -1;

	if (n < 1024) {
		printf("%llu B", (unsigned long long)n);
		return;
	}
	while (v >= 1024 && i < 2) {
		v /= 1024;
		i++;
	}
	printf("%.1f %s", v, unit[i]);
}

/* Compacts the node's store and prints the sizes of data.mdb. */
static int
compact_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct store_compact_stats st;
	struct jsonw jw;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = store_compact(&ctx->node->store, &st, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	if (cmd_args_has(args, "json")) {
		jw_init(&jw, stdout);
		jw_obj(&jw);
		jw_key(&jw, "before");
		jw_int(&jw, (int64_t)st.before);
		jw_key(&jw, "after");
		jw_int(&jw, (int64_t)st.after);
		jw_obj_end(&jw);
		putchar('\n');
		return EXIT_OK;
	}
	printf(_("compacted %s/store: data.mdb "), ctx->dir);
	print_size(st.before);
	printf(" -> ");
	print_size(st.after);
	printf(_(" (%llu -> %llu bytes)\n"), (unsigned long long)st.before,
	    (unsigned long long)st.after);
	return EXIT_OK;
}

static const struct cmd_opt compact_opts[] = {
	{ "json", NULL, N_("print {\"before\": BYTES, \"after\": BYTES}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_compact_entry = {
	.name = "compact",
	.usage = N_("[--json]"),
	.summary = N_("rewrite the store without its free pages (what was "
	    "erased leaves no byte)"),
	.args = { .opts = compact_opts },
	.help = N_(
	    "LMDB keeps the pages a deletion frees, bytes included, for later\n"
	    "writes; compact writes a compacted copy of the store beside it\n"
	    "(store/data.mdb.compact), flushes it and renames it over data.mdb.\n"
	    "Its sizes before and after are printed. It needs the node to itself:\n"
	    "while another consort process has it open (consort serve, a sync),\n"
	    "it fails with EBUSY and the compaction stays pending; the next consort\n"
	    "command on the node that finds itself alone runs it when it ends.\n"
	    "A full disk leaves the store as it was (ENOSPC); so does a read-only\n"
	    "node (EREADONLY).\n"),
	.exec = compact_exec,
};
