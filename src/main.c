/* consort: global options, command lookup and dispatch. */
#include <libintl.h>
#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "cmd.h"

/*
 * Where the catalogues are (schema/po/LANG.po built as LANG/LC_MESSAGES/consort.mo
 * under it): the Makefile gives the build tree's for ./consort and the
 * installed one's for make install; CONSORT_LOCALEDIR, when set, wins.
 */
#ifndef LOCALEDIR
#define LOCALEDIR "/usr/local/share/locale"
#endif

/* The name of the locale that chooses the messages, by POSIX's order. */
static const char *
messages_locale(void)
{
	static const char *const vars[] = { "LC_ALL", "LC_MESSAGES", "LANG" };
	const char *v;
	size_t i;

	for (i = 0; i < nitems(vars); i++)
		if ((v = getenv(vars[i])) != NULL && v[0] != '\0')
			return v;
	return NULL;
}

/*
 * Speaks the language of the environment (DESIGN.md §8, "Languages"): its
 * locale, but numbers always read and written the C way.  A locale that is
 * not installed (a minimal Debian has only C.UTF-8) would leave every
 * message in English: consort then takes C.UTF-8 and the catalogue of the
 * language named, through LANGUAGE unless the user set it.
 */
static void
speak_locale(void)
{
	const char *name, *language, *dir = getenv("CONSORT_LOCALEDIR");

	if (setlocale(LC_ALL, "") == NULL && (name = messages_locale()) != NULL &&
	    strcmp(name, "C") != 0 && strcmp(name, "POSIX") != 0 &&
	    strncmp(name, "C.", 2) != 0 && setlocale(LC_ALL, "C.UTF-8") != NULL &&
	    ((language = getenv("LANGUAGE")) == NULL || language[0] == '\0'))
		setenv("LANGUAGE", name, 1);
	setlocale(LC_NUMERIC, "C");
	bindtextdomain("consort", dir != NULL && dir[0] != '\0' ? dir : LOCALEDIR);
	bind_textdomain_codeset("consort", "UTF-8");
	textdomain("consort");
}

/* Prints the list of commands. */
static void
usage(FILE *f)
{
	const struct cmd_entry *const *e;

	fprintf(f, _("usage: consort [--dir DIR] [--passphrase-file FILE] COMMAND "
	    "[ARGS]\n\nThe node is the directory given by --dir or CONSORT_DIR.\n"
	    "\ncommands:\n"));
	for (e = cmd_table; *e != NULL; e++)
		fprintf(f, "  %-12s %s\n", (*e)->name, _((*e)->summary));
	fprintf(f, _("\n'consort COMMAND --help' describes a command; 'consort help "
	    "fields [TYPE]' lists the record types and their fields.\n"
	    "Exit codes: 0 ok, 1 error, 2 usage, 3 refused by validation, "
	    "4 unresolved conflicts.\n"));
}

/* Finds a command by exact name or unique prefix. */
static const struct cmd_entry *
lookup(const char *name, bool *ambiguous)
{
	const struct cmd_entry *const *e, *found = NULL;
	size_t len = strlen(name);

	*ambiguous = false;
	for (e = cmd_table; *e != NULL; e++) {
		if (strcmp((*e)->name, name) == 0)
			return *e;
		if (strncmp((*e)->name, name, len) == 0) {
			if (found != NULL)
				*ambiguous = true;
			found = *e;
		}
	}
	return *ambiguous ? NULL : found;
}

/* Takes the value of a global option given as --opt VALUE or --opt=VALUE. */
static const char *
option_value(int argc, char **argv, int *i, const char *opt)
{
	size_t len = strlen(opt);

	if (strncmp(argv[*i], opt, len) != 0)
		return NULL;
	if (argv[*i][len] == '=')
		return argv[*i] + len + 1;
	if (argv[*i][len] == '\0' && *i + 1 < argc)
		return argv[++*i];
	return NULL;
}

/* Prints one field of the schema: name, kind and bounds. */
static void
print_field(const struct schema_field *f)
{
	printf("  %-20s %s", f->name, schema_kind_name(f->kind));
	if (f->kind == FK_STR)
		printf(_(", %lld to %lld bytes"), (long long)f->lo, (long long)f->hi);
	else if (f->kind == FK_INT)
		printf(_(", %lld to %lld"), (long long)f->lo, (long long)f->hi);
	else if (f->kind == FK_ENUM || f->kind == FK_SET)
		printf(": %s", f->extra);
	else if (f->kind == FK_REF)
		printf(" (%s)", f->extra);
	putchar('\n');
}

/* "consort help fields [TYPE]": the record types and their fields. */
static int
help_fields(const char *type)
{
	const struct schema_type *types[SCHEMA_MAX_TYPES];
	unsigned i, k, n = schema_types_sorted(types, SCHEMA_MAX_TYPES);
	bool any = false;

	for (i = 0; i < n; i++) {
		if ((type == NULL && (types[i]->flags & SCHEMA_ROSTER)) ||
		    (type != NULL && strcmp(type, types[i]->name) != 0))
			continue;
		printf("%s%s\n", any ? "\n" : "", types[i]->name);
		for (k = 0; k < types[i]->nfields; k++)
			print_field(types[i]->sorted[k]);
		any = true;
	}
	if (!any) {
		fprintf(stderr, _("consort help: no record type \"%s\"\n"), type);
		return EXIT_USAGE;
	}
	return EXIT_OK;
}

/* "consort help [COMMAND | fields [TYPE]]". */
static int
help(const char *name, const char *arg)
{
	const struct cmd_entry *e;
	bool ambiguous;

	if (name == NULL) {
		usage(stdout);
		return EXIT_OK;
	}
	if (strcmp(name, "fields") == 0)
		return help_fields(arg);
	if ((e = lookup(name, &ambiguous)) == NULL) {
		fprintf(stderr, _("consort help: no command \"%s\"\n"), name);
		return EXIT_USAGE;
	}
	cmd_print_help(stdout, e);
	return EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct cmd_ctx ctx = { getenv("CONSORT_DIR"),
		getenv("CONSORT_PASSPHRASE_FILE"), NULL, NULL, NULL };
	const char *v;
	bool ambiguous;
	int i, rc;

	speak_locale();
	/* a peer that vanishes must end a sync with an error, not kill us */
	signal(SIGPIPE, SIG_IGN);
	/* from the start: keys, passphrases and trainees' data (DESIGN.md §2) */
	if (keys_no_core_dumps() != 0) {
		perror(_("consort: cannot turn core dumps off"));
		return EXIT_ERROR;
	}
	if (sodium_init() < 0) {
		fprintf(stderr, _("consort: libsodium failed to initialise\n"));
		return EXIT_ERROR;
	}
	for (i = 1; i < argc && argv[i][0] == '-'; i++) {
		if ((v = option_value(argc, argv, &i, "--dir")) != NULL)
			ctx.dir = v;
		else if ((v = option_value(argc, argv, &i, "--passphrase-file")) != NULL)
			ctx.passfile = v;
		else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
			usage(stdout);
			return cmd_finish_output(EXIT_OK);
		} else if (strcmp(argv[i], "--version") == 0) {
			printf(_("consort %s (change-set format %d)\n"), CONSORT_VERSION,
			    CONSORT_CS_VERSION);
			return cmd_finish_output(EXIT_OK);
		} else {
			fprintf(stderr, _("consort: unknown or incomplete option %s; "
			    "see consort --help\n"), argv[i]);
			return EXIT_USAGE;
		}
	}
	if (i == argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	if (strcmp(argv[i], "help") == 0)
		return cmd_finish_output(help(i + 1 < argc ? argv[i + 1] : NULL,
		    i + 2 < argc ? argv[i + 2] : NULL));
	if ((ctx.entry = lookup(argv[i], &ambiguous)) == NULL) {
		fprintf(stderr, ambiguous ? _("consort: ambiguous command \"%s\"; "
		    "see consort --help\n") : _("consort: unknown command \"%s\"; "
		    "see consort --help\n"), argv[i]);
		return EXIT_USAGE;
	}
	if (cmd_want_help(argc - i, argv + i)) {
		cmd_print_help(stdout, ctx.entry);
		return cmd_finish_output(EXIT_OK);
	}
	rc = cmd_run(&ctx, argc - i, argv + i);
	cmd_compact_pending(&ctx);
	node_close(ctx.node);
	keys_forget();
	return cmd_finish_output(rc);
}
