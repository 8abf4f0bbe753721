/*
 * Unit tests of the compaction of a store (store_compact): a value deleted
 * is still in data.mdb's free pages until the store is compacted, and gone
 * after; a store another environment or process has open is left alone,
 * the compaction marked pending until one runs alone; a full disk or a
 * crash before the rename leaves data.mdb as it was.  write(2), which
 * LMDB's copy calls, is replaced here by one that fails with ENOSPC once a
 * budget of bytes is spent.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>

#include "testutil.h"

/* A made-up value, easy to find among the bytes of a file. */
#define SECRET "Zephyrine Quillebeuf, nee en 1987, FT 0123456789X"
#define NFILL 300

/* Bytes write(2) may still write before it fails; -1: no limit. */
static long long budget = -1;

/* write(2), through the budget (LMDB's copy writes with it). */
ssize_t
write(int fd, const void *buf, size_t n)
{
	if (budget >= 0 && fd > 2) {
		if ((long long)n > budget) {
			budget = 0;
			errno = ENOSPC;
			return -1;
		}
		budget -= (long long)n;
	}
	return syscall(SYS_write, fd, buf, n);
}

/* A temporary directory holding a store in DIR/store. */
struct fix {
	char *dir;
	char path[4096];  /* DIR/store */
	char data[4200];  /* DIR/store/data.mdb */
	char tmp[4200];   /* DIR/store/data.mdb.compact */
	struct store s;
};

/* Per-test setup: an empty store. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(f->path, sizeof(f->path), f->dir, "store");
	snprintf(f->data, sizeof(f->data), "%s/data.mdb", f->path);
	snprintf(f->tmp, sizeof(f->tmp), "%s/data.mdb.compact", f->path);
	if (store_open(&f->s, f->path, true) != 0)
		return -1;
	store_set_sync(&f->s, false);
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	budget = -1;
	store_close(&f->s);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Puts (or deletes, with v NULL) a key of the meta table, committed. */
static void
meta(struct store *s, const char *k, const void *v, size_t vlen)
{
	struct store_txn *txn;

	assert_err(store_begin(s, true, &txn), 0);
	if (v != NULL)
		assert_err(store_put(txn, s, TB_META, k, strlen(k), v, vlen, 0),
		    0);
	else
		assert_err(store_del(txn, s, TB_META, k, strlen(k)), 0);
	assert_err(store_commit(txn), 0);
}

/* Fills the store with NFILL values of 1 KiB, committed. */
static void
fill(struct store *s, const char *prefix)
{
	char key[64], val[1024];
	struct store_txn *txn;
	int i;

	memset(val, 'x', sizeof(val));
	assert_err(store_begin(s, true, &txn), 0);
	for (i = 0; i < NFILL; i++) {
		snprintf(key, sizeof(key), "%s%04d", prefix, i);
		assert_err(store_put(txn, s, TB_PEERS, key, strlen(key), val,
		    sizeof(val), 0), 0);
	}
	assert_err(store_commit(txn), 0);
}

/* Deletes what fill() put. */
static void
unfill(struct store *s, const char *prefix)
{
	struct store_txn *txn;
	char key[64];
	int i;

	assert_err(store_begin(s, true, &txn), 0);
	for (i = 0; i < NFILL; i++) {
		snprintf(key, sizeof(key), "%s%04d", prefix, i);
		assert_err(store_del(txn, s, TB_PEERS, key, strlen(key)), 0);
	}
	assert_err(store_commit(txn), 0);
}

/* Reads a whole file; *len its size.  The caller frees it. */
static uint8_t *
slurp(const char *path, size_t *len)
{
	struct stat st;
	uint8_t *buf;
	FILE *fp;

	assert_int_equal(stat(path, &st), 0);
	*len = (size_t)st.st_size;
	assert_non_null(buf = malloc(*len + 1));
	assert_non_null(fp = fopen(path, "rb"));
	assert_int_equal(fread(buf, 1, *len, fp), *len);
	fclose(fp);
	return buf;
}

/* Whether a file holds the bytes of s anywhere. */
static bool
file_holds(const char *path, const char *s)
{
	size_t len;
	uint8_t *buf = slurp(path, &len);
	bool found = memmem(buf, len, s, strlen(s)) != NULL;

	free(buf);
	return found;
}

/* Whether a file exists. */
static bool
exists(const char *path)
{
	return access(path, F_OK) == 0;
}

/* A value deleted stays in data.mdb until a compaction; then it is gone. */
static void
test_deleted_value_gone(void **state)
{
	struct fix *f = *state;
	struct store_compact_stats st;
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	struct store_val v;

	meta(&f->s, "keep", "still here", 10);
	fill(&f->s, "fill");
	meta(&f->s, "secret", SECRET, strlen(SECRET));
	assert_true(file_holds(f->data, SECRET));
	meta(&f->s, "secret", NULL, 0);
	unfill(&f->s, "fill");
	/* deleted, but its bytes are still in a free page of the file */
	assert_true(file_holds(f->data, SECRET));

	assert_err(store_compact(&f->s, &st, &d), 0);
	assert_false(file_holds(f->data, SECRET));
	assert_false(exists(f->tmp));
	assert_true(st.before > 0 && st.after > 0);
	assert_true(st.after < st.before);
	/* the store reads and writes on, in this process and the next */
	assert_err(store_begin(&f->s, false, &txn), 0);
	assert_err(store_get(txn, &f->s, TB_META, "keep", 4, &v), 0);
	assert_memory_equal(v.data, "still here", 10);
	assert_err(store_get(txn, &f->s, TB_META, "secret", 6, &v), E(NOENT));
	store_abort(txn);
	meta(&f->s, "after", "1", 1);
	store_close(&f->s);
	assert_err(store_open(&f->s, f->path, false), 0);
	assert_err(store_begin(&f->s, false, &txn), 0);
	assert_err(store_get(txn, &f->s, TB_META, "after", 5, &v), 0);
	assert_err(store_get(txn, &f->s, TB_META, "keep", 4, &v), 0);
	store_abort(txn);
	assert_false(store_compact_pending(&f->s));
}

/*
 * Another environment on the store (here, of this process: its lock is
 * its own) makes the compaction wait: E(BUSY), nothing changed, the
 * compaction marked pending, durably; alone again, it runs and the mark
 * goes.
 */
static void
test_busy_other_env(void **state)
{
	struct fix *f = *state;
	struct store_compact_stats st;
	struct consort_diag d = { 0 };
	struct store other;

	fill(&f->s, "fill");
	meta(&f->s, "secret", SECRET, strlen(SECRET));
	meta(&f->s, "secret", NULL, 0);
	unfill(&f->s, "fill");
	assert_err(store_open(&other, f->path, false), 0);
	assert_false(store_compact_pending(&f->s));
	assert_err(store_compact(&f->s, &st, &d), E(BUSY));
	assert_non_null(strstr(d.what, "another consort process"));
	assert_true(file_holds(f->data, SECRET));
	assert_true(store_compact_pending(&f->s));
	assert_true(store_compact_pending(&other));
	/* the other one cannot either, while this one is open */
	assert_err(store_compact(&other, &st, NULL), E(BUSY));
	store_close(&other);
	/* the mark outlives the processes */
	store_close(&f->s);
	assert_err(store_open(&f->s, f->path, false), 0);
	assert_true(store_compact_pending(&f->s));
	assert_err(store_compact(&f->s, &st, &d), 0);
	assert_false(store_compact_pending(&f->s));
	assert_false(file_holds(f->data, SECRET));
}

/* Another process that has the store open makes it wait as well. */
static void
test_busy_other_process(void **state)
{
	struct fix *f = *state;
	struct store_compact_stats st;
	int ready[2], done[2], status;
	struct store child;
	pid_t pid;
	char c;

	assert_int_equal(pipe(ready), 0);
	assert_int_equal(pipe(done), 0);
	if ((pid = fork()) == 0) {
		/* a store of its own: its lock is not the parent's */
		if (store_open(&child, f->path, false) != 0)
			_exit(1);
		c = 'r';
		if (syscall(SYS_write, ready[1], &c, 1) != 1 ||
		    read(done[0], &c, 1) != 1)
			_exit(2);
		store_close(&child);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(read(ready[0], &c, 1), 1);
	assert_err(store_compact(&f->s, &st, NULL), E(BUSY));
	assert_true(store_compact_pending(&f->s));
	c = 'd';
	assert_int_equal(syscall(SYS_write, done[1], &c, 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status) && WEXITSTATUS(status) == 0);
	assert_err(store_compact(&f->s, &st, NULL), 0);
	assert_false(store_compact_pending(&f->s));
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
}

/*
 * A disk full while the copy is written: E(NOSPC), data.mdb byte for byte
 * as it was, no copy left, the store usable, a pending mark kept.
 */
static void
test_full_disk_leaves_store(void **state)
{
	struct fix *f = *state;
	struct store_compact_stats st;
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	uint8_t *before, *after;
	size_t blen, alen;

	fill(&f->s, "fill");
	meta(&f->s, "secret", SECRET, strlen(SECRET));
	meta(&f->s, "secret", NULL, 0);
	unfill(&f->s, "fill");
	fill(&f->s, "more");
	assert_err(store_begin(&f->s, true, &txn), 0);
	assert_err(store_compact_mark(txn, &f->s), 0);
	assert_err(store_commit(txn), 0);
	before = slurp(f->data, &blen);
	budget = 64 * 1024;
	assert_err(store_compact(&f->s, &st, &d), E(NOSPC));
	budget = -1;
	assert_non_null(strstr(d.what, "the store is unchanged"));
	after = slurp(f->data, &alen);
	assert_int_equal(alen, blen);
	assert_memory_equal(after, before, blen);
	free(before);
	free(after);
	assert_false(exists(f->tmp));
	assert_true(store_compact_pending(&f->s));
	meta(&f->s, "after", "1", 1);
	/* with room again, it works */
	assert_err(store_compact(&f->s, &st, &d), 0);
	assert_false(store_compact_pending(&f->s));
	assert_false(file_holds(f->data, SECRET));
}

/* A copy left by a compaction that crashed is removed by the next open. */
static void
test_crash_copy_removed(void **state)
{
	struct fix *f = *state;
	struct store_txn *txn;
	struct store_val v;
	FILE *fp;

	meta(&f->s, "keep", "still here", 10);
	store_close(&f->s);
	assert_non_null(fp = fopen(f->tmp, "w"));
	fputs("a copy cut short", fp);
	fclose(fp);
	assert_err(store_open(&f->s, f->path, false), 0);
	assert_false(exists(f->tmp));
	assert_err(store_begin(&f->s, false, &txn), 0);
	assert_err(store_get(txn, &f->s, TB_META, "keep", 4, &v), 0);
	store_abort(txn);
}

/* A store this user cannot write is not compacted, nor marked. */
static void
test_readonly_refused(void **state)
{
	struct fix *f = *state;
	struct store_compact_stats st;

	f->s.readonly = true;  /* as store_open() finds a node not ours */
	assert_err(store_compact(&f->s, &st, NULL), E(READONLY));
	f->s.readonly = false;
	assert_false(store_compact_pending(&f->s));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_deleted_value_gone),
		T(test_busy_other_env),
		T(test_busy_other_process),
		T(test_full_disk_leaves_store),
		T(test_crash_copy_removed),
		T(test_readonly_refused),
	};

	return cmocka_run_group_tests_name("store_compact", tests, NULL, NULL);
}
