/* The command table and the helpers shared by every command. */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd.h"

/* How many times a new passphrase is asked for while the two typed differ. */
#define PROMPT_TRIES 3

const struct cmd_entry *const cmd_table[] = {
	&cmd_init_entry,
	&cmd_whoami_entry,
	&cmd_key_entry,
	&cmd_member_entry,
	&cmd_keygen_entry,
	&cmd_invite_entry,
	&cmd_join_entry,
	&cmd_revoke_entry,
	&cmd_serve_entry,
	&cmd_sync_entry,
	&cmd_peer_entry,
	&cmd_bundle_entry,
	&cmd_status_entry,
	&cmd_conflicts_entry,
	&cmd_resolve_entry,
	&cmd_order_entry,
	&cmd_statement_entry,
	&cmd_report_entry,
	&cmd_add_entry,
	&cmd_set_entry,
	&cmd_rm_entry,
	&cmd_list_entry,
	&cmd_show_entry,
	&cmd_subject_entry,
	&cmd_erase_entry,
	&cmd_retention_entry,
	&cmd_import_entry,
	&cmd_export_entry,
	&cmd_log_entry,
	&cmd_verify_entry,
	&cmd_rebuild_entry,
	&cmd_compact_entry,
	&cmd_state_hash_entry,
	NULL,
};

/* Maps an error code to the exit code of the command line. */
int
cmd_exit_code(int rc)
{
	if (rc == 0)
		return EXIT_OK;
	if (rc == E(SCHEMA) || rc == E(REF) || rc == E(EXIST) ||
	    rc == E(NOENT) || rc == E(PERM) || rc == E(BADUTF8) ||
	    rc == E(ERASED))
		return EXIT_REFUSED;
	if (rc == E(INVAL))
		return EXIT_USAGE;
	return EXIT_ERROR;
}

/* Whether the running command works on a node (not on files alone). */
static bool
on_node(const struct cmd_ctx *ctx)
{
	const struct cmd_entry *e = ctx->sub ? ctx->sub : ctx->entry;

	return e == NULL || !(e->flags & CMD_NO_NODE);
}

/* The cause of an error the command did not explain. */
static const char *
default_what(const struct cmd_ctx *ctx, int rc)
{
	if (!on_node(ctx))
		return consort_strerror(rc);
	if (rc == E(PASSPHRASE) && ctx->passfile == NULL)
		return _("the node's keys are sealed with a passphrase");
	if (rc == E(READONLY))
		return _("the node is read-only: you cannot write its store");
	return consort_strerror(rc);
}

/* What to do about an error, when the command did not say. */
static const char *
default_hint(const struct cmd_ctx *ctx, int rc)
{
	if (!on_node(ctx))
		return NULL;
	if (rc == E(PASSPHRASE))
		return ctx->passfile == NULL ? _("give the passphrase with "
		    "--passphrase-file FILE or CONSORT_PASSPHRASE_FILE") :
		    _("the first line of the passphrase file must be the "
		    "passphrase the node was sealed with");
	if (rc == E(FILEMODE))
		return _("chmod 600 the passphrase file");
	if (rc == E(NOSPC))
		return _("free space on the disk that holds the node, then run "
		    "the command again");
	if (rc == E(READONLY))
		return _("read commands work on it; to write, give yourself "
		    "write access to the node's folder and store (or a "
		    "writable mount), or work on a copy");
	return NULL;
}

/*
 * Prints one error line (the command and subcommand, where, what, what to
 * do) and returns the exit code.
 */
int
cmd_fail(const struct cmd_ctx *ctx, int rc, const struct consort_diag *d)
{
	const char *name = ctx->entry ? ctx->entry->name : "consort";
	/* a message kept in English where it was made is looked up here */
	const char *what = d && d->what[0] ? _(d->what) : default_what(ctx, rc);
	const char *hint = d && d->hint[0] ? _(d->hint) : default_hint(ctx, rc);

	fprintf(stderr, "consort %s%s%s: ", name, ctx->sub ? " " : "",
	    ctx->sub ? ctx->sub->name : "");
	if (d != NULL && d->where[0])
		fprintf(stderr, "%s: ", d->where);
	else if ((rc == E(READONLY) || rc == E(NOSPC)) && ctx->dir != NULL &&
	    on_node(ctx))
		fprintf(stderr, "%s: ", ctx->dir);
	fprintf(stderr, "%s [%s]", what, consort_err_name(rc));
	if (hint != NULL)
		fprintf(stderr, "; %s", hint);
	fputc('\n', stderr);
	return cmd_exit_code(rc);
}

/* Prints a usage error with the command's synopsis; returns EXIT_USAGE. */
int
cmd_usage(const struct cmd_ctx *ctx, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "consort %s: ", ctx->entry->name);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, _("; usage: consort %s %s (see consort %s --help)\n"),
	    ctx->entry->name, _(ctx->entry->usage), ctx->entry->name);
	return EXIT_USAGE;
}

/*
 * Reads the passphrase of --passphrase-file (or CONSORT_PASSPHRASE_FILE)
 * into guarded memory, to be freed with sodium_free; *pass stays NULL when
 * no file was given.  A refused file is reported: returns the exit code.
 */
int
cmd_passphrase(const struct cmd_ctx *ctx, char **pass, size_t *passlen)
{
	struct consort_diag d = { 0 };
	int rc;

	*pass = NULL;
	*passlen = 0;
	if (ctx->passfile == NULL)
		return 0;
	if ((rc = keys_passphrase_read(ctx->passfile, pass, passlen, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return 0;
}

/*
 * The terminal to ask a passphrase on: /dev/tty, when standard input is a
 * terminal (a script's or a test's is not: it is never asked); else -1.
 */
static int
prompt_tty(void)
{
	return isatty(STDIN_FILENO) == 1 ? tty_open() : -1;
}

/* Reports a passphrase that the terminal did not give; returns the exit code. */
static int
prompt_fail(const struct cmd_ctx *ctx, int rc)
{
	struct consort_diag d = { 0 };

	consort_diag_set(&d, rc, "/dev/tty", rc == E(TRUNCATED) ?
	    _("no passphrase typed (end of input)") : rc == E(TOOBIG) ?
	    _("the passphrase is longer than 1023 bytes") :
	    rc == E(PASSPHRASE) ?
	    _("the passphrase holds a NUL byte") : rc == E(INTERRUPTED) ?
	    _("interrupted while the passphrase was asked") :
	    _("cannot read a passphrase on the terminal"),
	    _("nothing was changed; "
	    "run the command again, or give the passphrase with "
	    "--passphrase-file FILE"));
	return cmd_fail(ctx, rc, &d);
}

/* Whether dir holds a key already (the command that makes one refuses it). */
static bool
has_key(const char *dir)
{
	char path[4096];

	return (size_t)snprintf(path, sizeof(path), "%s/key", dir) <
	    sizeof(path) && access(path, F_OK) == 0;
}

/*
 * Asks for a new passphrase twice on the terminal fd, as ssh-keygen does,
 * up to PROMPT_TRIES times while the two differ; an empty one leaves the
 * key (of the node or file named where) unsealed, with a warning.  Returns
 * the exit code of a refusal.
 */
static int
ask_new_passphrase(const struct cmd_ctx *ctx, int fd, const char *where,
    const char *holds, char **pass, size_t *passlen)
{
	struct consort_diag d = { 0 };
	size_t len1, len2;
	char *p1, *p2;
	bool same;
	int i, rc;

	for (i = 0; i < PROMPT_TRIES; i++) {
		if ((rc = tty_passphrase(fd, _("Enter passphrase (empty for no "
		    "passphrase): "), &p1, &len1)) != 0)
			return prompt_fail(ctx, rc);
		if ((rc = tty_passphrase(fd, _("Enter same passphrase again: "),
		    &p2, &len2)) != 0) {
			sodium_free(p1);
			return prompt_fail(ctx, rc);
		}
		same = len1 == len2 && sodium_memcmp(p1, p2, len1) == 0;
		sodium_free(p2);
		if (same && len1 > 0) {
			*pass = p1;
			*passlen = len1;
			return 0;
		}
		sodium_free(p1);
		if (same) {
			fprintf(stderr, _("warning: the secret key is not "
			    "protected by a passphrase; anyone who copies %s "
			    "can %s\n"), where,
			    holds);
			return 0;
		}
		dprintf(fd, _("Passphrases do not match.%s\n"),
		    i + 1 < PROMPT_TRIES ?
		    _("  Try again.") : "");
	}
	consort_diag_set(&d, E(PASSPHRASE), where, NULL, _("run the "
	    "command again, or give the passphrase with --passphrase-file FILE "
	    "(or --no-passphrase for none)"));
	snprintf(d.what, sizeof(d.what), _("the two passphrases typed differed "
	    "%d times; nothing was created"), PROMPT_TRIES);
	return cmd_fail(ctx, E(PASSPHRASE), &d);
}

/*
 * The passphrase to seal a new key with (init, keygen): the first line of
 * --passphrase-file; else, unless none (--no-passphrase), one typed twice
 * on the terminal when standard input is one; else no passphrase, *pass
 * NULL.  Returns the exit code of a refusal.
 */
int
cmd_passphrase_new(const struct cmd_ctx *ctx, bool none, char **pass,
    size_t *passlen)
{
	int fd, rc;

	*pass = NULL;
	*passlen = 0;
	if (ctx->passfile != NULL)
		return cmd_passphrase(ctx, pass, passlen);
	if (none || ctx->dir == NULL || has_key(ctx->dir) ||
	    (fd = prompt_tty()) < 0)
		return 0;
	rc = ask_new_passphrase(ctx, fd, ctx->dir, _("sign as you and read the "
	    "trainees' personal data this node holds"), pass, passlen);
	close(fd);
	return rc;
}

/*
 * The passphrase to seal a new key file with (the Region's): as
 * cmd_passphrase_new() for a node, the file's path named in the prompts'
 * warnings.  Returns the exit code of a refusal.
 */
int
cmd_passphrase_new_file(const struct cmd_ctx *ctx, bool none,
    const char *path, char **pass, size_t *passlen)
{
	int fd, rc;

	*pass = NULL;
	*passlen = 0;
	if (ctx->passfile != NULL)
		return cmd_passphrase(ctx, pass, passlen);
	if (none || (fd = prompt_tty()) < 0)
		return 0;
	rc = ask_new_passphrase(ctx, fd, path, _("sign with it"), pass,
	    passlen);
	close(fd);
	return rc;
}

/*
 * The passphrase that opens a sealed key (of the node or file named
 * where): the first line of --passphrase-file, or else one typed on the
 * terminal when standard input is one (*typed true); *pass stays NULL
 * without either.  Returns the exit code of a refusal.
 */
int
cmd_passphrase_open(const struct cmd_ctx *ctx, const char *where,
    char **pass, size_t *passlen, bool *typed)
{
	char prompt[4200];
	int fd, rc;

	*typed = false;
	if (ctx->passfile != NULL)
		return cmd_passphrase(ctx, pass, passlen);
	*pass = NULL;
	*passlen = 0;
	if ((fd = prompt_tty()) < 0)
		return 0;
	snprintf(prompt, sizeof(prompt), _("Enter passphrase for %s: "), where);
	rc = tty_passphrase(fd, prompt, pass, passlen);
	close(fd);
	if (rc != 0)
		return prompt_fail(ctx, rc);
	*typed = true;
	return 0;
}

/*
 * Loads a node's secret key, with the passphrase of --passphrase-file or
 * one typed on the terminal.
 */
static int
unlock(struct cmd_ctx *ctx, struct node *n)
{
	struct consort_diag d = { 0 };
	size_t passlen = 0;
	char *pass = NULL;
	bool typed = false;
	int rc;

	if (n->sealed && !n->have_sk &&
	    (rc = cmd_passphrase_open(ctx, n->dir, &pass, &passlen,
	    &typed)) != 0)
		return rc;
	rc = node_unlock(n, pass, passlen, &d);
	sodium_free(pass);
	if (rc == E(PASSPHRASE))
		snprintf(d.hint, sizeof(d.hint), "%s", typed ? _("type the "
		    "passphrase the key was sealed with (at consort init or "
		    "keygen), or give it with --passphrase-file FILE") :
		    ctx->passfile != NULL ?
		        _("the first line of the passphrase "
		    "file must be the passphrase the key was sealed with") :
		    _("give the passphrase with --passphrase-file FILE (or "
		    "CONSORT_PASSPHRASE_FILE), or run the command on a terminal "
		    "to type it"));
	return rc != 0 ? cmd_fail(ctx, rc, &d) : 0;
}

/*
 * Lets a reading command show the personal values this node holds: loads
 * the secret key (whose key at rest opens them) when it is not sealed or
 * a passphrase was given.  Without it (a sealed key and no passphrase, or
 * a directory copied without its key) the values stay sealed.  Returns
 * the exit code of a passphrase refused, else 0.
 */
int
cmd_read_personal(struct cmd_ctx *ctx)
{
	struct node *n = ctx->node;
	struct consort_diag d = { 0 };
	size_t passlen = 0;
	char *pass = NULL;
	int rc = 0;

	if (!n->have_sk && (!n->sealed || ctx->passfile != NULL)) {
		if (n->sealed && (rc = cmd_passphrase(ctx, &pass, &passlen)) != 0)
			return rc;
		rc = node_unlock(n, pass, passlen, &d);
		sodium_free(pass);
		if (rc == E(PASSPHRASE))
			return cmd_fail(ctx, rc, &d);
	}
	n->store.open_personal = true;
	return 0;
}

/* Fails (with the exit code) when no node directory was given. */
static int
need_dir(const struct cmd_ctx *ctx)
{
	struct consort_diag d = { 0 };

	if (ctx->dir != NULL)
		return 0;
	consort_diag_set(&d, E(NOTNODE), NULL, _("no node directory given"),
	    _("pass --dir DIR before the command or set CONSORT_DIR"));
	return cmd_fail(ctx, E(NOTNODE), &d);
}

/* Opens the node of --dir / CONSORT_DIR; loads the secret key if needed. */
int
cmd_open(struct cmd_ctx *ctx, bool need_key)
{
	struct consort_diag d = { 0 };
	int rc;

	if ((rc = need_dir(ctx)) != 0)
		return rc;
	if ((rc = node_open(ctx->dir, &ctx->node, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	/* a sealed network key (bundles) opens with it even without the key */
	keys_passphrase_source(ctx->passfile);
	return need_key ? unlock(ctx, ctx->node) : 0;
}

/*
 * Opens the node for a command that opens its network key without signing
 * (a bundle): a sealed key is unlocked first when no passphrase file was
 * given and one can be typed on the terminal.
 */
int
cmd_open_netkey(struct cmd_ctx *ctx)
{
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if (!ctx->node->sealed || ctx->passfile != NULL ||
	    isatty(STDIN_FILENO) != 1)
		return 0;
	return unlock(ctx, ctx->node);
}

/*
 * Runs the compaction left pending on the node of a command that has
 * ended (asked for while another process had the node open), when this
 * process now has it to itself and may write it.  Still busy, it stays
 * pending, silently; another failure is a warning, since the command's
 * own work is done.
 */
void
cmd_compact_pending(struct cmd_ctx *ctx)
{
	struct consort_diag d = { 0 };
	struct store_compact_stats st;
	struct store *s;
	int rc;

	if (ctx->node == NULL)
		return;
	s = &ctx->node->store;
	if (s->env == NULL || s->readonly || s->scratch ||
	    !store_compact_pending(s))
		return;
	if ((rc = store_compact(s, &st, &d)) == 0 || rc == E(BUSY))
		return;
	fprintf(stderr, _("consort: warning: %s: the pending compaction of the "
	    "store failed: %s [%s]; run consort compact\n"), ctx->dir,
	    d.what[0] ? d.what : consort_strerror(rc), consort_err_name(rc));
}

/* Opens the key pair of a directory made by keygen, secret key loaded. */
int
cmd_open_keys(struct cmd_ctx *ctx, struct node **keys)
{
	struct consort_diag d = { 0 };
	int rc;

	if ((rc = need_dir(ctx)) != 0)
		return rc;
	if ((rc = node_open_keys(ctx->dir, keys, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	if ((rc = unlock(ctx, *keys)) != 0) {
		node_close(*keys);
		*keys = NULL;
	}
	return rc;
}

/*
 * Prints what a read-only command lists: opens the node, begins one read
 * transaction, and lets print write into a temporary output (through a
 * JSON writer unless json is CMD_TEXT), then ends the transaction and
 * copies the output to stdout.  print returns 0, an error (reported here
 * with l->diag), or the exit code of an error it reported itself.
 * Returns the exit code.
 */
int
cmd_listing(struct cmd_ctx *ctx, enum cmd_json json,
    int (*print)(struct cmd_listing *l), void *arg)
{
	struct cmd_listing l = { .ctx = ctx, .arg = arg };
	struct jsonw jw;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0 || (rc = cmd_read_personal(ctx)) != 0)
		return rc;
	if ((rc = store_begin(&ctx->node->store, false, &l.txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	l.out = cmd_out_begin();
	if (json != CMD_TEXT) {
		jw_init(&jw, l.out);
		l.jw = &jw;
	}
	if (json == CMD_JSON_OBJECT)
		jw_obj(&jw);
	else if (json == CMD_JSON_ARRAY)
		jw_arr(&jw);
	rc = print(&l);
	store_abort(l.txn);
	if (rc > 0) {
		cmd_out_end(l.out, E(IO));  /* reported: the output is dropped */
		return rc;
	}
	if (json == CMD_JSON_OBJECT)
		jw_obj_end(&jw);
	else if (json == CMD_JSON_ARRAY)
		jw_arr_end(&jw);
	if (json == CMD_JSON_OBJECT || json == CMD_JSON_ARRAY)
		putc('\n', l.out);
	if ((rc = cmd_out_end(l.out, rc)) != 0)
		return cmd_fail(ctx, rc, &l.diag);
	return EXIT_OK;
}

/* Looks up a record type by name, printing the known ones if it fails. */
const struct schema_type *
cmd_type(const struct cmd_ctx *ctx, const char *name)
{
	const struct schema_type *t = schema_type_by_name(name);

	if (t == NULL || (t->flags & SCHEMA_ROSTER)) {
		cmd_usage(ctx, _("unknown record type \"%s\" (lot, rate, "
		    "session, trainee, intent, path, derogation)"), name);
		return NULL;
	}
	return t;
}

/* Parses FIELD=VALUE arguments against the schema; FIELD= unsets. */
int
cmd_field_args(const struct cmd_ctx *ctx, const struct schema_type *t,
    int argc, char **argv, struct field_input *in, unsigned *n, bool allow_unset)
{
	struct consort_diag d = { 0 };
	const struct schema_field *f;
	const char *eq;
	unsigned k;
	int i, rc;

	*n = 0;
	for (i = 0; i < argc; i++) {
		if ((eq = strchr(argv[i], '=')) == NULL)
			return cmd_usage(ctx, _("\"%s\" is not FIELD=VALUE"),
			    argv[i]);
		if ((f = schema_field_by_name(t, argv[i], (size_t)(eq - argv[i]))) == NULL) {
			consort_diag_set(&d, E(SCHEMA), argv[i],
			    _("no such field"),
			    _("consort help fields lists the fields of each "
			    "type"));
			d.err = E(SCHEMA);
			snprintf(d.what, sizeof(d.what),
			    _("%s has no field \"%.*s\""),
			    t->name, (int)(eq - argv[i]), argv[i]);
			return cmd_fail(ctx, E(SCHEMA), &d);
		}
		for (k = 0; k < *n; k++)
			if (in[k].f == f)
				return cmd_usage(ctx, _("field %s given twice"),
				    f->name);
		in[*n].f = f;
		if (eq[1] == '\0') {
			if (!allow_unset)
				return cmd_usage(ctx,
				    _("field %s has no value"), f->name);
			memset(&in[*n].v, 0, sizeof(in[*n].v));
		} else if ((rc = schema_parse_text(f, eq + 1, strlen(eq + 1),
		    &in[*n].v, &d)) != 0) {
			snprintf(d.where, sizeof(d.where), "%s", argv[i]);
			return cmd_fail(ctx, rc, &d);
		}
		(*n)++;
	}
	return 0;
}

/* Progress lines only on a terminal. */
bool
cmd_progress_wanted(void)
{
	return isatty(STDERR_FILENO) == 1;
}

/* Prints a string with its control characters escaped, as C would. */
static void
print_escaped(FILE *f, const char *s, size_t len)
{
	size_t i;

	for (i = 0; i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c == '\n')
			fputs("\\n", f);
		else if (c == '\t')
			fputs("\\t", f);
		else if (c < 0x20 || c == 0x7f)
			fprintf(f, "\\x%02x", c);
		else
			putc(c, f);
	}
}

/* Prints a value as text: integers and booleans as written, strings escaped. */
void
cmd_print_value(FILE *f, const struct value *v)
{
	switch (v->kind) {
	case VAL_NIL:
		fputs(_("(unset)"), f);
		break;
	case VAL_BOOL:
		fputs(v->b ? "true" : "false", f);
		break;
	case VAL_INT:
		fprintf(f, "%lld", (long long)v->i);
		break;
	case VAL_STR:
		print_escaped(f, v->s, v->len);
		break;
	case VAL_BIN:
		fputs(_("(personal, not readable on this node)"), f);
		break;
	}
}

/*
 * Starts a command's output in a temporary file, so that a command that
 * fails half-way prints nothing rather than a truncated document.
 */
FILE *
cmd_out_begin(void)
{
	FILE *f = tmpfile();

	return f != NULL ? f : stdout;
}

/* Set once stdout's reader has gone: the rest of the output is dropped. */
static bool stdout_gone;

/* Whether stdout is a pipe or socket whose reader has closed it. */
static bool
reader_gone(void)
{
	struct pollfd p = { STDOUT_FILENO, POLLOUT, 0 };

	return errno == EPIPE || (poll(&p, 1, 0) == 1 && (p.revents & POLLERR));
}

/* Copies a temporary output file to stdout, optionally defusing controls. */
static int
out_copy(FILE *f, int rc, bool safe)
{
	char buf[65536];
	size_t n, i;

	if (f == stdout)
		return rc;
	if (rc == 0) {
		rewind(f);
		while (!stdout_gone && (n = fread(buf, 1, sizeof(buf), f)) > 0) {
			for (i = 0; safe && i < n; i++)
				if (((unsigned char)buf[i] < 0x20 && buf[i] != '\n' &&
				    buf[i] != '\t') || buf[i] == 0x7f)
					buf[i] = '?';
			if (fwrite(buf, 1, n, stdout) == n)
				continue;
			/* a reader that stops early is no error: main ends quietly */
			if (reader_gone())
				stdout_gone = true;
			else
				rc = errno == ENOSPC ? E(NOSPC) : E(IO);
			break;
		}
		if (ferror(f))
			rc = E(IO);
	}
	fclose(f);
	return rc;
}

/*
 * Flushes stdout at the end of a command.  When its reader has gone (a
 * closed pipe: `consort log | head -n 1`), the process ends quietly,
 * killed by SIGPIPE as git is (status 141 in a shell; SIGPIPE is ignored
 * otherwise, so that a vanished sync peer is an error and not a death).
 * Any other write error is reported.  Returns the exit code.
 */
int
cmd_finish_output(int rc)
{
	sigset_t set;

	if (!stdout_gone && fflush(stdout) == 0 && !ferror(stdout))
		return rc;
	if (stdout_gone || reader_gone()) {
		signal(SIGPIPE, SIG_DFL);
		sigemptyset(&set);
		sigaddset(&set, SIGPIPE);
		sigprocmask(SIG_UNBLOCK, &set, NULL);
		raise(SIGPIPE);
		_exit(128 + SIGPIPE);
	}
	fprintf(stderr, _("consort: writing the output: %s [%s]\n"),
	    strerror(errno),
	    errno == ENOSPC ? "ENOSPC" : "EIO");
	return rc == EXIT_OK ? EXIT_ERROR : rc;
}

/* Copies the finished output to stdout (when rc is 0) and closes it. */
int
cmd_out_end(FILE *f, int rc)
{
	return out_copy(f, rc, false);
}

/*
 * cmd_out_end for text that carries strings from an untrusted file: control
 * characters other than newline and tab are shown as '?', so that a file
 * cannot drive the terminal.
 */
int
cmd_out_end_safe(FILE *f, int rc)
{
	return out_copy(f, rc, true);
}

/* Formats a Unix time as UTC ISO 8601 (YYYY-MM-DDTHH:MM:SSZ). */
void
cmd_time(char *buf, size_t len, time_t t)
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* Formats the wall-clock part of a hybrid logical clock value. */
void
cmd_hlc_time(char *buf, size_t len, uint64_t hlc)
{
	cmd_time(buf, len, (time_t)((hlc >> 16) / 1000));
}

/*
 * Reads --lang, the language of a document for people (a page, a CSV, a
 * statement, a list): fr, the default, or en.  Another value is a usage
 * error, whose exit code it returns.
 */
int
cmd_doc_lang(const struct cmd_ctx *ctx, const struct cmd_args *args,
    enum fmt_lang *lang)
{
	const char *s = cmd_args_get(args, "lang");

	*lang = FMT_FR;
	if (s == NULL || fmt_lang_parse(s, lang))
		return 0;
	return cmd_usage(ctx, _("--lang takes fr (French, the default) or en "
	    "(English), the language of the document; not '%s'"), s);
}
