/*
 * Unit tests of cmd-args.c, the command-line parser and help of the
 * commands: options anywhere among the arguments, values given with "="
 * or as the next word, unique prefixes, "--", repeated options, argument
 * counts, subcommands found by name, and the help drawn from the
 * templates.  cmd-args.c is compiled in; cmd_usage and cmd_fail, which it
 * reports through, are replaced by recorders.
 */
#include "testutil.h"

#include "cmd.h"
#include "cmd-args.c"

/* The last usage error, as cmd_usage would have printed it. */
static char usage_msg[512];

/* Records a usage error; returns EXIT_USAGE as the real one does. */
int
cmd_usage(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	(void)ctx;
	va_start(ap, fmt);
	vsnprintf(usage_msg, sizeof(usage_msg), fmt, ap);
	va_end(ap);
	return EXIT_USAGE;
}

/* Records nothing: the parser fails through it only out of memory. */
int
cmd_fail(const struct cmd_ctx *ctx, int rc, const struct consort_diag *d)
{
	(void)ctx;
	(void)rc;
	(void)d;
	return EXIT_ERROR;
}

static const struct cmd_opt opts[] = {
	{ "json", NULL, "print JSON" },
	{ "lot", "LOT", "the lot" },
	{ "member", "NAME", NULL },
	{ "market", "REF", NULL },
	{ "co", "NAME:SIRET", "repeat for each" },
	{ NULL, NULL, NULL },
};

static const struct cmd_args_spec spec = {
	.opts = opts, .lower = 1, .upper = 2, .missing = "expected TYPE",
};

/* Parses the words of line (split at spaces) against s into a. */
static int
parse_line(const struct cmd_args_spec *s, const char *line, char **argv,
    char *buf, size_t bufsize, struct cmd_args *a)
{
	struct cmd_ctx ctx = { 0 };
	int argc = 0;
	char *w, *save = NULL;

	snprintf(buf, bufsize, "cmd %s", line);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	usage_msg[0] = '\0';
	return parse(&ctx, s, argc, argv, a);
}

/* Options go anywhere among the arguments, which keep their order. */
static void
test_options_anywhere(void **state)
{
	char buf[256], *argv[32];
	struct cmd_args a;

	(void)state;
	assert_int_equal(parse_line(&spec, "one --lot A two --json", argv, buf,
	    sizeof(buf), &a), 0);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "one");
	assert_string_equal(a.argv[1], "two");
	assert_null(a.argv[2]);
	assert_string_equal(cmd_args_get(&a, "lot"), "A");
	assert_true(cmd_args_has(&a, "json"));
	assert_false(cmd_args_has(&a, "member"));
	assert_null(cmd_args_get(&a, "member"));
	free(a.given);
}

/* --opt=VALUE, the last value wins, a unique prefix names its option. */
static void
test_values(void **state)
{
	char buf[256], *argv[32];
	struct cmd_args a;

	(void)state;
	assert_int_equal(parse_line(&spec, "--lot=A x --lot B --mem M --mar=",
	    argv, buf, sizeof(buf), &a), 0);
	assert_string_equal(cmd_args_get(&a, "lot"), "B");
	assert_int_equal(cmd_args_count(&a, "lot"), 2);
	assert_string_equal(cmd_args_get(&a, "member"), "M");
	assert_string_equal(cmd_args_get(&a, "market"), "");
	/* the next word is the value, even one that starts with - */
	free(a.given);
	assert_int_equal(parse_line(&spec, "x --lot --json", argv, buf,
	    sizeof(buf), &a), 0);
	assert_string_equal(cmd_args_get(&a, "lot"), "--json");
	assert_false(cmd_args_has(&a, "json"));
	free(a.given);
}

/* A repeated option gives each of its values, in order. */
static void
test_repeated(void **state)
{
	char buf[256], *argv[32];
	struct cmd_args a;
	int i = 0;

	(void)state;
	assert_int_equal(parse_line(&spec, "--co A:1 x --json --co B:2", argv,
	    buf, sizeof(buf), &a), 0);
	assert_string_equal(cmd_args_next(&a, "co", &i), "A:1");
	assert_string_equal(cmd_args_next(&a, "co", &i), "B:2");
	assert_null(cmd_args_next(&a, "co", &i));
	free(a.given);
}

/* Misuse is a usage error that names the word. */
static void
test_misuse(void **state)
{
	static const struct {
		const char *line, *msg;
	} cases[] = {
		{ "x --bogus", "unknown option --bogus" },
		{ "x -j", "unknown option -j" },
		{ "x --m N", "ambiguous option --m" },
		{ "x --lot", "--lot needs a value" },
		{ "x --json=1", "--json takes no value" },
		{ "", "expected TYPE" },
		{ "--json", "expected TYPE" },
		{ "x y z", "unexpected argument \"z\"" },
	};
	char buf[256], *argv[32];
	struct cmd_args a;
	size_t i;

	(void)state;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse_line(&spec, cases[i].line, argv, buf,
		    sizeof(buf), &a), EXIT_USAGE);
		assert_string_equal(usage_msg, cases[i].msg);
		free(a.given);
	}
}

/* "--" ends the options; "-" alone is an argument. */
static void
test_end_of_options(void **state)
{
	char buf[256], *argv[32];
	struct cmd_args a;

	(void)state;
	assert_int_equal(parse_line(&spec, "- -- --json", argv, buf,
	    sizeof(buf), &a), 0);
	assert_int_equal(a.argc, 2);
	assert_string_equal(a.argv[0], "-");
	assert_string_equal(a.argv[1], "--json");
	assert_false(cmd_args_has(&a, "json"));
	free(a.given);
}

/* A literal template takes every word as an argument. */
static void
test_literal(void **state)
{
	static const struct cmd_args_spec literal = { .lower = 2, .upper = 2,
		.missing = "expected TYPE REF", .unexpected = "expected TYPE REF",
		.flags = CMD_ARGS_LITERAL };
	static const struct cmd_args_spec none = CMD_NO_ARGUMENTS;
	char buf[256], *argv[32];
	struct cmd_args a;

	(void)state;
	assert_int_equal(parse_line(&literal, "lot -x", argv, buf, sizeof(buf),
	    &a), 0);
	assert_string_equal(a.argv[1], "-x");
	free(a.given);
	assert_int_equal(parse_line(&literal, "lot -x --", argv, buf,
	    sizeof(buf), &a), EXIT_USAGE);
	assert_string_equal(usage_msg, "expected TYPE REF");
	free(a.given);
	assert_int_equal(parse_line(&none, "--json", argv, buf, sizeof(buf),
	    &a), EXIT_USAGE);
	assert_string_equal(usage_msg, "takes no argument");
	free(a.given);
}

/* What the subcommands of the test saw. */
static const struct cmd_entry *ran;
static int ran_argc;
static bool ran_json;

/* Records which subcommand ran, and its arguments. */
static int
record_run(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	ran = ctx->sub;
	ran_argc = args->argc;
	ran_json = cmd_args_has(args, "json");
	return EXIT_OK;
}

static const struct cmd_opt sub_opts[] = {
	{ "json", NULL, "print JSON" },
	{ "out", "FILE", NULL },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry sub_add = {
	.name = "add",
	.usage = "HOST",
	.summary = "adds one",
	.args = { .opts = sub_opts, .lower = 1, .upper = 1,
	    .missing = "expected add HOST" },
	.exec = record_run,
};

static const struct cmd_entry sub_list = {
	.name = "list",
	.args = { .opts = sub_opts },
	.exec = record_run,
};

static const struct cmd_entry *const subs[] = { &sub_add, &sub_list, NULL };

static const struct cmd_entry parent = {
	.name = "peer",
	.usage = "add HOST | list [--json]",
	.summary = "manage the peers",
	.args = { .missing = "expected add or list" },
	.sub = subs,
	.help = "The end.\n",
};

/* Runs the parent command on the words of line. */
static int
run_line(const char *line)
{
	struct cmd_ctx ctx = { .entry = &parent };
	char buf[256], *argv[32], *w, *save = NULL;
	int argc = 0;

	snprintf(buf, sizeof(buf), "peer %s", line);
	for (w = strtok_r(buf, " ", &save); w != NULL;
	    w = strtok_r(NULL, " ", &save))
		argv[argc++] = w;
	argv[argc] = NULL;
	ran = NULL;
	usage_msg[0] = '\0';
	return cmd_run(&ctx, argc, argv);
}

/* The subcommand is the first word that is no option, by exact name. */
static void
test_subcommands(void **state)
{
	(void)state;
	assert_int_equal(run_line("add h:1 --json"), EXIT_OK);
	assert_ptr_equal(ran, &sub_add);
	assert_int_equal(ran_argc, 1);
	assert_true(ran_json);
	assert_int_equal(run_line("--json list"), EXIT_OK);
	assert_ptr_equal(ran, &sub_list);
	assert_int_equal(ran_argc, 0);
	assert_int_equal(run_line(""), EXIT_USAGE);
	assert_string_equal(usage_msg, "expected add or list");
	assert_int_equal(run_line("li"), EXIT_USAGE);
	assert_string_equal(usage_msg, "unknown subcommand \"li\"");
	assert_int_equal(run_line("add"), EXIT_USAGE);
	assert_string_equal(usage_msg, "expected add HOST");
	assert_null(ran);
}

/* Prints e's help into a string. */
static char *
help_of(const struct cmd_entry *e)
{
	char *s = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&s, &len);

	assert_non_null(f);
	cmd_print_help(f, e);
	fclose(f);
	return s;
}

/* Help: options aligned, text lines below, a wide term on its own line. */
static void
test_help(void **state)
{
	static const struct cmd_opt o[] = {
		{ "json", NULL, "print JSON" },
		{ "lot", "LOT", "the lot,\nfrom the table" },
		{ "hidden", NULL, NULL },
		{ "max-pending-per-address", "N", "the cap" },
		{ NULL, NULL, NULL },
	};
	static const struct cmd_entry e = {
		.name = "x", .usage = "[--json]", .summary = "does x",
		.args = { .opts = o }, .help_head = "Head.\n", .help = "Tail.\n",
		.help_col = 13,
	};
	static const struct cmd_entry bare = {
		.name = "y", .usage = "", .summary = "does y",
	};
	char *s;

	(void)state;
	s = help_of(&e);
	assert_string_equal(s, "usage: consort [--dir DIR] x [--json]\n\n"
	    "does x\n\nHead.\n"
	    "  --json     print JSON\n"
	    "  --lot LOT  the lot,\n"
	    "             from the table\n"
	    "  --max-pending-per-address N\n"
	    "             the cap\n"
	    "Tail.\n");
	free(s);
	s = help_of(&parent);
	assert_string_equal(s, "usage: consort [--dir DIR] peer add HOST | list "
	    "[--json]\n\nmanage the peers\n\n"
	    "  add HOST  adds one\n"
	    "    --json  print JSON\n"
	    "  --json  print JSON\n"
	    "The end.\n");
	free(s);
	s = help_of(&bare);
	assert_string_equal(s, "usage: consort [--dir DIR] y \n\ndoes y\n");
	free(s);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_options_anywhere),
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_repeated),
		cmocka_unit_test(test_misuse),
		cmocka_unit_test(test_end_of_options),
		cmocka_unit_test(test_literal),
		cmocka_unit_test(test_subcommands),
		cmocka_unit_test(test_help),
	};

	return cmocka_run_group_tests_name("cmd_args", tests, NULL, NULL);
}
