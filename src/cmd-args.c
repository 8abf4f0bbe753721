/*
 * The command line of a command: its subcommand found, its options and
 * arguments parsed against its template, and its help drawn from the same
 * template.
 */
#include <stdlib.h>
#include <string.h>

#include "cmd.h"

/* Finds an option by its name, or by a unique prefix of it. */
static int
find_option(const struct cmd_ctx *ctx, const struct cmd_args_spec *spec,
    const char *arg, const struct cmd_opt **found)
{
	const char *name = arg + 2;
	size_t len = strcspn(name, "=");
	const struct cmd_opt *o;

	*found = NULL;
	for (o = spec->opts; o != NULL && o->name != NULL; o++) {
		if (strncmp(o->name, name, len) != 0)
			continue;
		if (o->name[len] == '\0') {
			*found = o;
			return 0;
		}
		if (*found != NULL)
			return cmd_usage(ctx, _("ambiguous option %s"), arg);
		*found = o;
	}
	if (*found == NULL)
		return cmd_usage(ctx, _("unknown option %s"), arg);
	return 0;
}

/* Takes the option at argv[*i], and its value (from "=" or the next word). */
static int
take_option(const struct cmd_ctx *ctx, int argc, char **argv, int *i,
    struct cmd_args *a)
{
	const struct cmd_opt *o;
	char *eq, *value = NULL;
	int rc;

	if (argv[*i][1] != '-')
		return cmd_usage(ctx, _("unknown option %s"), argv[*i]);
	if ((rc = find_option(ctx, a->spec, argv[*i], &o)) != 0)
		return rc;
	eq = strchr(argv[*i], '=');
	if (o->arg == NULL && eq != NULL)
		return cmd_usage(ctx, _("--%s takes no value"), o->name);
	if (o->arg != NULL && eq != NULL)
		value = eq + 1;
	else if (o->arg != NULL && *i + 1 < argc)
		value = argv[++*i];
	else if (o->arg != NULL)
		return cmd_usage(ctx, _("--%s needs a value"), o->name);
	a->given[a->ngiven].opt = o;
	a->given[a->ngiven++].value = value;
	return 0;
}

/* Checks the number of arguments against the template. */
static int
check_count(const struct cmd_ctx *ctx, const struct cmd_args *a)
{
	const struct cmd_args_spec *spec = a->spec;

	if (a->argc < spec->lower)
		return cmd_usage(ctx, "%s", _(spec->missing));
	if (spec->upper < 0 || a->argc <= spec->upper)
		return 0;
	if (spec->unexpected != NULL)
		return cmd_usage(ctx, "%s", _(spec->unexpected));
	return cmd_usage(ctx, _("unexpected argument \"%s\""),
	    a->argv[spec->upper]);
}

/*
 * Parses argv (argv[0] is the command's name) against a template: the
 * options go to a->given, the arguments stay in argv, in their order, as
 * a->argv.  A misuse is reported: returns its exit code.
 */
static int
parse(const struct cmd_ctx *ctx, const struct cmd_args_spec *spec, int argc,
    char **argv, struct cmd_args *a)
{
	bool options = !(spec->flags & CMD_ARGS_LITERAL);
	int i, k = 0, rc;

	memset(a, 0, sizeof(*a));
	a->spec = spec;
	if ((a->given = calloc((size_t)argc, sizeof(*a->given))) == NULL)
		return cmd_fail(ctx, E(NOMEM), NULL);
	for (i = 1; i < argc; i++) {
		if (!options || argv[i][0] != '-' || argv[i][1] == '\0')
			argv[k++] = argv[i];  /* k < i: nothing unread is lost */
		else if (strcmp(argv[i], "--") == 0)
			options = false;
		else if ((rc = take_option(ctx, argc, argv, &i, a)) != 0)
			return rc;
	}
	argv[k] = NULL;
	a->argv = argv;
	a->argc = k;
	return check_count(ctx, a);
}

/* The option of a template named name; a name it lacks is a bug. */
static const struct cmd_opt *
option(const struct cmd_args *a, const char *name)
{
	const struct cmd_opt *o;

	for (o = a->spec->opts; o != NULL && o->name != NULL; o++)
		if (strcmp(o->name, name) == 0)
			return o;
	abort();
}

/* How many times the option name was given. */
unsigned
cmd_args_count(const struct cmd_args *a, const char *name)
{
	const struct cmd_opt *o = option(a, name);
	unsigned n = 0;
	int i;

	for (i = 0; i < a->ngiven; i++)
		n += a->given[i].opt == o;
	return n;
}

/* Whether the option name was given. */
bool
cmd_args_has(const struct cmd_args *a, const char *name)
{
	return cmd_args_count(a, name) > 0;
}

/*
 * The values of a repeated option one by one: *i starts at 0; returns
 * NULL after the last.
 */
char *
cmd_args_next(const struct cmd_args *a, const char *name, int *i)
{
	const struct cmd_opt *o = option(a, name);

	for (; *i < a->ngiven; (*i)++)
		if (a->given[*i].opt == o)
			return a->given[(*i)++].value;
	return NULL;
}

/* The value of an option, the last one given; NULL when it was not. */
char *
cmd_args_get(const struct cmd_args *a, const char *name)
{
	char *v = NULL, *last = NULL;
	int i = 0;

	while ((v = cmd_args_next(a, name, &i)) != NULL)
		last = v;
	return last;
}

/*
 * Takes the subcommand out of argv: the first word that is no option (an
 * option before it is the subcommand's).  Returns its exit code if there
 * is none or it is unknown.
 */
static int
find_sub(const struct cmd_ctx *ctx, int *argc, char **argv,
    const struct cmd_entry **e)
{
	const struct cmd_args_spec *spec = &(*e)->args;
	const struct cmd_entry *const *s;
	int i;

	for (i = 1; i < *argc; i++)
		if (argv[i][0] != '-' || argv[i][1] == '\0')
			break;
	if (i == *argc)
		return cmd_usage(ctx, "%s", _(spec->missing));
	for (s = (*e)->sub; *s != NULL; s++)
		if (strcmp((*s)->name, argv[i]) == 0)
			break;
	if (*s == NULL && spec->unexpected != NULL)
		return cmd_usage(ctx, "%s", _(spec->unexpected));
	if (*s == NULL)
		return cmd_usage(ctx, _("unknown subcommand \"%s\""), argv[i]);
	memmove(argv + i, argv + i + 1, (size_t)(*argc - i) * sizeof(*argv));
	(*argc)--;
	*e = *s;
	return 0;
}

/*
 * Whether the command line asks for JSON: output for programs, which
 * stays in English, messages included (DESIGN.md §8, "Languages").
 */
static bool
wants_json(const struct cmd_args *a)
{
	int i;

	for (i = 0; i < a->ngiven; i++)
		if (strcmp(a->given[i].opt->name, "json") == 0)
			return true;
	return false;
}

/*
 * Runs the command of ctx->entry on its command line (argv[0] its name):
 * finds the subcommand, parses the options and arguments, calls it.
 * Returns the exit code.
 */
int
cmd_run(struct cmd_ctx *ctx, int argc, char **argv)
{
	const struct cmd_entry *e = ctx->entry;
	struct cmd_args a;
	int rc;

	if (e->sub != NULL && (rc = find_sub(ctx, &argc, argv, &e)) != 0)
		return rc;
	ctx->sub = e != ctx->entry ? e : NULL;
	if ((rc = parse(ctx, &e->args, argc, argv, &a)) == 0) {
		i18n_untranslated(wants_json(&a));
		rc = e->exec(ctx, &a);
	}
	free(a.given);
	return rc;
}

/* Whether the arguments ask for help (-h or --help anywhere). */
bool
cmd_want_help(int argc, char **argv)
{
	int i;

	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--") == 0)
			break;
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return true;
	}
	return false;
}

/* The columns a UTF-8 string takes on a terminal: one per character. */
static int
text_width(const char *s)
{
	int n = 0;

	for (; *s != '\0'; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* The width of an option's term in the help: "--name ARG". */
static int
term_width(const struct cmd_opt *o)
{
	return 2 + text_width(o->name) + (o->arg ? 1 + text_width(_(o->arg)) : 0);
}

/* The column of the texts of e's options listed at indent. */
static int
help_col(const struct cmd_entry *e, int indent)
{
	const struct cmd_opt *o;
	int col = 0;

	if (e->help_col > 0)
		return e->help_col;
	for (o = e->args.opts; o != NULL && o->name != NULL; o++)
		if (o->help != NULL && indent + term_width(o) + 2 > col)
			col = indent + term_width(o) + 2;
	return col;
}

/*
 * Prints a term at indent, then its text from column col, one line per
 * line of text; a term too wide for that goes on a line of its own.
 */
static void
help_row(FILE *f, int indent, const char *term, const char *arg,
    const char *text, int col)
{
	int n, len;

	fprintf(f, "%*s%s%s%s", indent, "", term, arg ? " " : "", arg ? arg : "");
	n = indent + text_width(term) + (arg ? 1 + text_width(arg) : 0);
	if (n + 2 > col) {
		fputc('\n', f);
		n = 0;
	}
	while (*text != '\0') {
		len = (int)strcspn(text, "\n");
		fprintf(f, "%*s%.*s\n", col - n, "", len, text);
		text += len + (text[len] == '\n');
		n = 0;
	}
}

/* Prints the listed options of e at indent; returns how many. */
static int
help_options(FILE *f, const struct cmd_entry *e, int indent)
{
	const struct cmd_opt *o;
	char term[64];
	int n = 0;

	for (o = e->args.opts; o != NULL && o->name != NULL; o++) {
		if (o->help == NULL)
			continue;
		if (f != NULL) {
			snprintf(term, sizeof(term), "--%s", o->name);
			help_row(f, indent, term, _(o->arg), _(o->help),
			    help_col(e, indent));
		}
		n++;
	}
	return n;
}

/* The column of the texts of e's subcommands. */
static int
sub_col(const struct cmd_entry *e)
{
	const struct cmd_entry *const *s;
	int w, col = e->help_col;

	for (s = e->sub; col == 0 && s != NULL && *s != NULL; s++) {
		w = 2 + text_width((*s)->name) + 2 +
		    ((*s)->usage ? 1 + text_width(_((*s)->usage)) : 0);
		if (w > col)
			col = w;
	}
	return col;
}

/*
 * Prints the lines of e's options, then each subcommand's text with its
 * options below it; with f NULL, only counts them.
 */
static int
help_body(FILE *f, const struct cmd_entry *e)
{
	const struct cmd_entry *const *s;
	int n = help_options(f, e, 2);

	for (s = e->sub; s != NULL && *s != NULL; s++) {
		if ((*s)->summary == NULL) {
			n += help_options(f, *s, 2);
			continue;
		}
		if (f != NULL)
			help_row(f, 2, (*s)->name, _((*s)->usage),
			    _((*s)->summary), sub_col(e));
		n += 1 + help_options(f, *s, 4);
	}
	return n;
}

/* Prints a command's help. */
void
cmd_print_help(FILE *f, const struct cmd_entry *e)
{
	fprintf(f, _("usage: consort [--dir DIR] %s %s\n\n%s\n"), e->name,
	    _(e->usage), _(e->summary));
	if ((e->help_head == NULL || !e->help_head[0]) && help_body(NULL, e) == 0 &&
	    (e->help == NULL || !e->help[0]))
		return;
	fprintf(f, "\n%s", e->help_head ? _(e->help_head) : "");
	help_body(f, e);
	fputs(e->help ? _(e->help) : "", f);
}
