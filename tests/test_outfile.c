/*
 * Unit tests of outfile.c, the rule of every --out: a new file or a
 * regular file replaced whole; a device, folder, named pipe or link
 * refused and left as it was; an abandoned write, a failed one, a SIGTERM
 * in the middle leave FILE untouched and no temporary; a SIGKILL leaves
 * FILE untouched and a temporary that says what it is.
 */
#include "testutil.h"

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>

struct fix {
	char *dir;
	char file[4096];
};

/* Per-test setup: an empty folder. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(f->file, sizeof(f->file), f->dir, "out.txt");
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The number of entries of the folder other than . and ..; the last name. */
static int
entries(const char *dir, char *last, size_t len)
{
	struct dirent *e;
	DIR *d = opendir(dir);
	int n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL) {
		if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
			continue;
		n++;
		if (last != NULL)
			snprintf(last, len, "%s", e->d_name);
	}
	closedir(d);
	return n;
}

/* The whole content of a file, as a string (the caller frees it). */
static char *
slurp(const char *path)
{
	FILE *fp = fopen(path, "rb");
	char *buf = calloc(1, 4096);

	assert_non_null(fp);
	assert_non_null(buf);
	if (fread(buf, 1, 4095, fp) == 0)
		buf[0] = '\0';
	fclose(fp);
	return buf;
}

/* A new file and a regular file replaced: whole, with the mode asked. */
static void
test_write_replace(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct stat st;
	mode_t um = umask(022);
	char *s;

	assert_ok(outfile_write(f->file, "first\n", 6, 0644, &d));
	s = slurp(f->file);
	assert_string_equal(s, "first\n");
	free(s);
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0644);
	assert_ok(outfile_write(f->file, "second\n", 7, 0600, &d));
	s = slurp(f->file);
	assert_string_equal(s, "second\n");
	free(s);
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0600);
	assert_int_equal(entries(f->dir, NULL, 0), 1);  /* no temporary left */
	umask(um);
}

/* What is not a regular file is refused, and stays what it was. */
static void
test_refused(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char dev[4096], sub[4096], fifo[4096], link[4096];
	struct stat st;
	char *s;

	/* a character device like /dev/null, made here when we may */
	tu_path(dev, sizeof(dev), f->dir, "null");
	if (mknod(dev, S_IFCHR | 0666, makedev(1, 3)) == 0) {
		assert_err(outfile_write(dev, "x", 1, 0644, &d), E(INVAL));
		assert_non_null(strstr(d.what, "a character device"));
		assert_int_equal(lstat(dev, &st), 0);
		assert_true(S_ISCHR(st.st_mode));
		unlink(dev);
	}
	tu_path(sub, sizeof(sub), f->dir, "sub");
	assert_int_equal(mkdir(sub, 0700), 0);
	assert_err(outfile_write(sub, "x", 1, 0644, &d), E(INVAL));
	assert_non_null(strstr(d.what, "a folder"));
	assert_int_equal(lstat(sub, &st), 0);
	assert_true(S_ISDIR(st.st_mode));
	tu_path(sub, sizeof(sub), f->dir, "sub/");
	assert_err(outfile_write(sub, "x", 1, 0644, &d), E(INVAL));
	tu_path(fifo, sizeof(fifo), f->dir, "fifo");
	assert_int_equal(mkfifo(fifo, 0600), 0);
	assert_err(outfile_write(fifo, "x", 1, 0644, &d), E(INVAL));
	assert_non_null(strstr(d.what, "a named pipe"));
	assert_int_equal(lstat(fifo, &st), 0);
	assert_true(S_ISFIFO(st.st_mode));
	/* a link to a regular file: neither cut nor followed */
	assert_ok(outfile_write(f->file, "target\n", 7, 0644, &d));
	tu_path(link, sizeof(link), f->dir, "link");
	assert_int_equal(symlink(f->file, link), 0);
	assert_err(outfile_write(link, "x", 1, 0644, &d), E(INVAL));
	assert_non_null(strstr(d.what, "a symbolic link"));
	assert_int_equal(lstat(link, &st), 0);
	assert_true(S_ISLNK(st.st_mode));
	s = slurp(f->file);
	assert_string_equal(s, "target\n");
	free(s);
	/* a missing folder */
	tu_path(link, sizeof(link), f->dir, "none/out.txt");
	assert_err(outfile_write(link, "x", 1, 0644, &d), E(IO));
	/* sub, fifo, link, out.txt: no temporary anywhere */
	assert_int_equal(entries(f->dir, NULL, 0), 4);
}

/* Abandoned, or refused at commit: FILE untouched, no temporary. */
static void
test_abort(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct outfile o;
	char *s;

	assert_ok(outfile_write(f->file, "old\n", 4, 0644, &d));
	assert_ok(outfile_open(&o, f->file, 0644, &d));
	fputs("half", o.f);
	assert_int_equal(entries(f->dir, NULL, 0), 2);
	outfile_abort(&o);
	s = slurp(f->file);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(entries(f->dir, NULL, 0), 1);
	/* FILE became a folder while it was written */
	assert_ok(outfile_open(&o, f->file, 0644, &d));
	fputs("new", o.f);
	assert_int_equal(unlink(f->file), 0);
	assert_int_equal(mkdir(f->file, 0700), 0);
	assert_err(outfile_commit(&o, &d), E(INVAL));
	assert_int_equal(entries(f->dir, NULL, 0), 1);
	/* standard output */
	assert_ok(outfile_open(&o, "-", 0644, &d));
	assert_ptr_equal(o.f, stdout);
	assert_ok(outfile_commit(&o, &d));
}

/* Runs a child that writes half of FILE then gets sig; returns its status. */
static int
killed_midway(struct fix *f, int sig)
{
	struct consort_diag d = { 0 };
	struct outfile o;
	int status;
	pid_t pid;

	assert_ok(outfile_write(f->file, "old\n", 4, 0644, &d));
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (outfile_open(&o, f->file, 0644, &d) != 0)
			_exit(2);
		fputs("half of it", o.f);
		fflush(o.f);
		raise(sig);
		_exit(3);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return status;
}

/* SIGTERM midway: the process ends by it, FILE untouched, no temporary. */
static void
test_sigterm(void **state)
{
	struct fix *f = *state;
	int status = killed_midway(f, SIGTERM);
	char *s;

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGTERM);
	s = slurp(f->file);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(entries(f->dir, NULL, 0), 1);
}

/* SIGKILL midway: FILE untouched; the temporary left says what it is. */
static void
test_sigkill(void **state)
{
	struct fix *f = *state;
	int status = killed_midway(f, SIGKILL);
	char name[256], *s;
	size_t n;

	assert_true(WIFSIGNALED(status));
	assert_int_equal(WTERMSIG(status), SIGKILL);
	s = slurp(f->file);
	assert_string_equal(s, "old\n");
	free(s);
	assert_int_equal(entries(f->dir, NULL, 0), 2);
	tu_path(name, sizeof(name), f->dir, "out.txt");
	unlink(name);
	assert_int_equal(entries(f->dir, name, sizeof(name)), 1);
	n = strlen(name);
	assert_int_equal(n, strlen(".out.txt.XXXXXX.tmp"));
	assert_memory_equal(name, ".out.txt.", 9);
	assert_string_equal(name + n - 4, ".tmp");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_write_replace, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigterm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sigkill, setup, teardown),
	};

	return cmocka_run_group_tests_name("outfile", tests, NULL, NULL);
}
