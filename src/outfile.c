/*
 * The files the commands write with --out (order build, bundle export,
 * invite): one rule for all of them (DESIGN.md §8, README.md "Files it
 * writes").
 *
 * --out FILE is written to a temporary file beside it, named
 * .FILE.XXXXXX.tmp (created O_EXCL, so never anyone else's file), which is
 * flushed, fsynced and renamed over FILE only when everything was written:
 * FILE is either untouched or whole, never partial.  FILE may be absent or
 * a regular file, which is replaced; anything else (a device such as
 * /dev/null, a folder, a named pipe, a socket) is refused, and so is a
 * symbolic link: replacing it would cut the link, and writing through it
 * would replace a file elsewhere, the classic trap of a shared folder.
 * "-" is standard output, where the command allows it.
 *
 * On an error the temporary is removed; on SIGINT, SIGTERM or SIGHUP a
 * handler removes it before the signal ends the process as it would have.
 * Only SIGKILL (or a crash) can leave one, and its name says what it is.
 * Secret keys do not use this: they are created O_EXCL and never replaced
 * (keys.c).
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"

#define TMP_SUFFIX ".tmp"
#define TMP_SLOTS 4

/* The temporaries being written, for the signal handler. */
static char *volatile live[TMP_SLOTS];
static const int handled[] = { SIGINT, SIGTERM, SIGHUP };
static struct sigaction saved[nitems(handled)];
static int installed;  /* how many temporaries asked for the handler */

/* Removes the temporaries, then lets the signal do what it would have. */
static void
on_signal(int sig)
{
	size_t i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (live[i] != NULL)
			unlink(live[i]);
	for (i = 0; i < nitems(handled); i++)
		if (handled[i] == sig)
			sigaction(sig, &saved[i], NULL);
	raise(sig);
}

/* Registers a temporary for removal on a signal; installs the handler. */
static void
watch(char *tmp)
{
	struct sigaction sa;
	size_t i;

	for (i = 0; i < TMP_SLOTS && live[i] != NULL; i++)
		;
	if (i == TMP_SLOTS)
		return;  /* more at once than any command writes */
	live[i] = tmp;
	if (installed++ > 0)
		return;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	for (i = 0; i < nitems(handled); i++) {
		sigaction(handled[i], NULL, &saved[i]);
		/* a signal the caller ignores (nohup) stays ignored */
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(handled[i], &sa, NULL);
	}
}

/* Forgets a temporary; restores the signals when it was the last one. */
static void
unwatch(const char *tmp)
{
	size_t i;

	for (i = 0; i < TMP_SLOTS; i++)
		if (live[i] == tmp)
			break;
	if (i == TMP_SLOTS)
		return;
	live[i] = NULL;
	if (--installed > 0)
		return;
	for (i = 0; i < nitems(handled); i++)
		if (saved[i].sa_handler != SIG_IGN)
			sigaction(handled[i], &saved[i], NULL);
}

/* What a file that is not regular is, in words. */
static const char *
kind_of(mode_t m)
{
	if (S_ISDIR(m))
		return _("a folder");
	if (S_ISCHR(m))
		return _("a character device");
	if (S_ISBLK(m))
		return _("a block device");
	if (S_ISFIFO(m))
		return _("a named pipe");
	if (S_ISSOCK(m))
		return _("a socket");
	if (S_ISLNK(m))
		return _("a symbolic link");
	return _("not a regular file");
}

/* Checks that FILE is absent or a regular file (not a link to one). */
static int
check_target(const char *path, struct consort_diag *d)
{
	struct stat st;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		return consort_diag_set(d, E(IO), path, strerror(errno),
		    _("check the folder of --out"));
	}
	if (S_ISREG(st.st_mode))
		return 0;
	consort_diag_set(d, E(INVAL), path, NULL, S_ISLNK(st.st_mode) ?
	    _("--out replaces only a regular file: name the file itself, not a "
	    "link to it") : _("--out replaces only a regular file: name a file "
	    "(or - for standard output)"));
	if (d != NULL)
		snprintf(d->what, sizeof(d->what), _("%s, not a regular file"),
		    kind_of(st.st_mode));
	return E(INVAL);
}

/* The current umask, without changing it. */
static mode_t
current_umask(void)
{
	mode_t m = umask(077);

	umask(m);
	return m;
}

/*
 * Starts writing path ("-": standard output), mode bits as given less the
 * umask.  Write to o->f, then outfile_commit() or outfile_abort().
 */
int
outfile_open(struct outfile *o, const char *path, unsigned mode,
    struct consort_diag *d)
{
	const char *slash = strrchr(path, '/');
	const char *base = slash != NULL ? slash + 1 : path;
	size_t dirlen = (size_t)(base - path);
	struct strbuf sb;
	int fd, rc;

	memset(o, 0, sizeof(*o));
	if (strcmp(path, "-") == 0) {
		o->f = stdout;
		o->path = "-";
		return 0;
	}
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0)
		return consort_diag_set(d, E(INVAL), path,
		    _("names a folder, not a "
		    "file"), _("give --out a file name"));
	if ((rc = check_target(path, d)) != 0)
		return rc;
	o->cap = strlen(path) + sizeof(".") + sizeof(".XXXXXX" TMP_SUFFIX);
	if ((o->tmp = malloc(o->cap)) == NULL)
		return E(NOMEM);
	strbuf_init(&sb, o->tmp, o->cap);
	strbuf_add(&sb, path, dirlen);
	strbuf_printf(&sb, ".%s.XXXXXX" TMP_SUFFIX, base);
	if (strbuf_end(&sb) != 0) {
		free(o->tmp);
		o->tmp = NULL;
		return E(TOOBIG);
	}
	if ((fd = mkostemps(o->tmp, (int)strlen(TMP_SUFFIX), O_CLOEXEC)) < 0) {
		rc = consort_diag_set(d, E(IO), path, strerror(errno),
		    _("check that the folder of --out exists and is writable"));
		free(o->tmp);
		o->tmp = NULL;
		return rc;
	}
	watch(o->tmp);
	if (fchmod(fd, (mode_t)mode & ~current_umask() & 07777) != 0 ||
	    (o->f = fdopen(fd, "wb")) == NULL) {
		rc = consort_diag_set(d, E(IO), path, strerror(errno), NULL);
		close(fd);
		outfile_abort(o);
		return rc;
	}
	o->path = path;
	return 0;
}

/* Makes the rename durable: fsyncs the folder (where it can be opened). */
static void
sync_folder(const char *tmp)
{
	const char *slash = strrchr(tmp, '/');
	char *dir;
	int fd;

	if (slash == NULL)
		dir = strdup(".");
	else if (slash == tmp)
		dir = strdup("/");
	else
		dir = strndup(tmp, (size_t)(slash - tmp));
	if (dir == NULL)
		return;
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) >= 0) {
		(void)fsync(fd);  /* some file systems refuse; the data is synced */
		close(fd);
	}
	free(dir);
}

/*
 * Finishes the file: flushes and fsyncs the temporary, then renames it over
 * FILE (still absent or a regular file).  On any failure FILE is untouched
 * and the temporary removed, unless o->keep asks to keep it, whose name the
 * diagnostic's hint then gives.
 */
int
outfile_commit(struct outfile *o, struct consort_diag *d)
{
	int rc = 0;

	if (o->tmp == NULL) {
		if (o->f == stdout && (fflush(stdout) != 0 || ferror(stdout)))
			return consort_diag_set(d, E(IO), _("standard output"),
			    strerror(errno), NULL);
		return 0;
	}
	if (fflush(o->f) != 0 || ferror(o->f) || fsync(fileno(o->f)) != 0)
		rc = consort_diag_set(d, E(IO), o->path, strerror(errno),
		    _("check the space left in the folder of --out"));
	if (fclose(o->f) != 0 && rc == 0)
		rc = consort_diag_set(d, E(IO), o->path, strerror(errno), NULL);
	o->f = NULL;
	/* FILE may have changed since outfile_open */
	if (rc == 0)
		rc = check_target(o->path, d);
	if (rc == 0 && rename(o->tmp, o->path) != 0)
		rc = consort_diag_set(d, E(IO), o->path, strerror(errno), NULL);
	if (rc == 0) {
		sync_folder(o->tmp);
		unwatch(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return 0;
	}
	if (o->keep && d != NULL) {
		snprintf(d->hint, sizeof(d->hint),
		    _("what was written is in %s"),
		    o->tmp);
		unwatch(o->tmp);
		free(o->tmp);
		o->tmp = NULL;
		return rc;
	}
	outfile_abort(o);
	return rc;
}

/* Abandons the file: FILE is untouched and the temporary removed. */
void
outfile_abort(struct outfile *o)
{
	if (o->tmp == NULL) {
		o->f = NULL;
		return;
	}
	if (o->f != NULL)
		fclose(o->f);
	o->f = NULL;
	unlink(o->tmp);
	unwatch(o->tmp);
	free(o->tmp);
	o->tmp = NULL;
}

/* Writes a whole buffer to path by the rule above (outfile_open). */
int
outfile_write(const char *path, const void *buf, size_t len, unsigned mode,
    struct consort_diag *d)
{
	struct outfile o;
	int rc;

	if ((rc = outfile_open(&o, path, mode, d)) != 0)
		return rc;
	if (len > 0 && fwrite(buf, 1, len, o.f) != len) {
		rc = consort_diag_set(d, E(IO), path, strerror(errno),
		    _("check the space left in the folder of --out"));
		outfile_abort(&o);
		return rc;
	}
	return outfile_commit(&o, d);
}
