/*
 * bound NODE_DIR OUT_DIR: the machine's bound for a full sync that ended
 * with NODE_DIR's store.  Two threads start together:
 *
 *  - the writer copies every table of NODE_DIR/store, in key order
 *    (MDB_APPEND), into a fresh LMDB environment at OUT_DIR (created; it
 *    must not hold one already) in one write transaction and one durable
 *    commit (LMDB's default: fdatasync before the commit returns);
 *  - the checker decodes every change-set of the "changes" table
 *    (cs_decode, straight from the mapped store) and checks its Ed25519
 *    signature (cs_verify).
 *
 * The bound is the wall time until both are done.  Prints one line:
 *
 *   bound_s=B write_s=W check_s=C changesets=N tables=T entries=E
 *   written_bytes=X store_bytes=S
 *
 * X is what the writer thread wrote to storage (its ru_oublock x 512), S
 * the size of OUT_DIR/data.mdb.  Exit status: 0, 1 on an error or a bad
 * signature, 2 on misuse.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <lmdb.h>
#include <sodium.h>

#include "core.h"

#define MAX_TABLES 64
#define MAP_SIZE ((size_t)64 << 30)
#define KEPT_FLAGS (MDB_REVERSEKEY | MDB_DUPSORT | MDB_INTEGERKEY | \
	MDB_DUPFIXED | MDB_INTEGERDUP | MDB_REVERSEDUP)

/* The source store and its tables, by name. */
struct source {
	MDB_env *env;
	unsigned ntables;
	char *names[MAX_TABLES];
	MDB_dbi dbi[MAX_TABLES];
	unsigned flags[MAX_TABLES];
	MDB_dbi changes;
	int has_changes;
};

/* What one thread did: its end time, counts and error. */
struct job {
	const struct source *src;
	const char *out;
	struct timespec t0, t1;
	size_t count, entries;
	long long written;
	const char *err;
	int rc;
};

/* Prints the usage line and returns the misuse exit status. */
static int
usage(void)
{
	fprintf(stderr, "usage: bound NODE_DIR OUT_DIR\n");
	return 2;
}

/* Seconds elapsed between two monotonic times. */
static double
elapsed(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Opens the source store read-only and every named table in it. */
static int
source_open(struct source *src, const char *node_dir, const char **err)
{
	char path[4096];
	MDB_txn *txn;
	MDB_cursor *cur;
	MDB_dbi main_dbi;
	MDB_val k, v;
	int rc;

	memset(src, 0, sizeof(*src));
	snprintf(path, sizeof(path), "%s/store", node_dir);
	*err = "open the store";
	if ((rc = mdb_env_create(&src->env)) != 0)
		return rc;
	mdb_env_set_maxdbs(src->env, MAX_TABLES);
	mdb_env_set_mapsize(src->env, MAP_SIZE);
	if ((rc = mdb_env_open(src->env, path, MDB_RDONLY | MDB_NOTLS, 0600)))
		return rc;
	*err = "list the tables";
	if ((rc = mdb_txn_begin(src->env, NULL, MDB_RDONLY, &txn)) != 0)
		return rc;
	if ((rc = mdb_dbi_open(txn, NULL, 0, &main_dbi)) != 0 ||
	    (rc = mdb_cursor_open(txn, main_dbi, &cur)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		unsigned i = src->ntables;

		if (i == MAX_TABLES) {
			rc = MDB_DBS_FULL;
			break;
		}
		if ((src->names[i] = strndup(k.mv_data, k.mv_size)) == NULL) {
			rc = ENOMEM;
			break;
		}
		src->ntables++;
		if ((rc = mdb_dbi_open(txn, src->names[i], 0, &src->dbi[i])) ||
		    (rc = mdb_dbi_flags(txn, src->dbi[i], &src->flags[i])))
			break;
		if (strcmp(src->names[i], "changes") == 0) {
			src->changes = src->dbi[i];
			src->has_changes = 1;
		}
	}
	mdb_cursor_close(cur);
	if (rc != MDB_NOTFOUND) {
		mdb_txn_abort(txn);
		return rc;
	}
	/* a read-only transaction's commit keeps the handles */
	return mdb_txn_commit(txn);
}

/* Closes the source store. */
static void
source_close(struct source *src)
{
	unsigned i;

	if (src->env != NULL)
		mdb_env_close(src->env);
	for (i = 0; i < src->ntables; i++)
		free(src->names[i]);
}

/* Appends every entry of one source table to the same table of dst. */
static int
copy_table(MDB_txn *rtxn, MDB_txn *wtxn, const struct source *src,
    unsigned i, size_t *entries)
{
	unsigned flags = src->flags[i] & KEPT_FLAGS;
	unsigned put = flags & MDB_DUPSORT ? MDB_APPENDDUP : MDB_APPEND;
	MDB_cursor *cur;
	MDB_dbi dbi;
	MDB_val k, v;
	int rc;

	if ((rc = mdb_dbi_open(wtxn, src->names[i], MDB_CREATE | flags, &dbi)))
		return rc;
	if ((rc = mdb_cursor_open(rtxn, src->dbi[i], &cur)) != 0)
		return rc;
	while ((rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if ((rc = mdb_put(wtxn, dbi, &k, &v, put)) != 0)
			break;
		(*entries)++;
	}
	mdb_cursor_close(cur);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Creates the fresh environment at out, durable commits (LMDB's default). */
static int
dest_open(MDB_env **env, const char *out)
{
	int rc;

	if (mkdir(out, 0700) != 0)
		return errno;
	if ((rc = mdb_env_create(env)) != 0)
		return rc;
	mdb_env_set_maxdbs(*env, MAX_TABLES);
	mdb_env_set_mapsize(*env, MAP_SIZE);
	return mdb_env_open(*env, out, MDB_NOTLS, 0600);
}

/* The writer: every table into the fresh store, one durable commit. */
static void *
write_all(void *arg)
{
	struct job *j = arg;
	const struct source *src = j->src;
	struct rusage ru0, ru1;
	MDB_env *env = NULL;
	MDB_txn *rtxn = NULL, *wtxn = NULL;
	unsigned i;

	getrusage(RUSAGE_THREAD, &ru0);
	j->err = "create the fresh store";
	if ((j->rc = dest_open(&env, j->out)) != 0)
		goto out;
	j->err = "copy the tables";
	if ((j->rc = mdb_txn_begin(src->env, NULL, MDB_RDONLY, &rtxn)) != 0 ||
	    (j->rc = mdb_txn_begin(env, NULL, 0, &wtxn)) != 0)
		goto out;
	for (i = 0; i < src->ntables; i++)
		if ((j->rc = copy_table(rtxn, wtxn, src, i, &j->entries)) != 0)
			goto out;
	j->err = "commit";
	j->rc = mdb_txn_commit(wtxn);
	wtxn = NULL;
out:
	if (wtxn != NULL)
		mdb_txn_abort(wtxn);
	if (rtxn != NULL)
		mdb_txn_abort(rtxn);
	if (env != NULL)
		mdb_env_close(env);
	clock_gettime(CLOCK_MONOTONIC, &j->t1);
	getrusage(RUSAGE_THREAD, &ru1);
	j->written = (long long)(ru1.ru_oublock - ru0.ru_oublock) * 512;
	j->count = src->ntables;
	return NULL;
}

/* The checker: every change-set decoded and its signature checked. */
static void *
check_all(void *arg)
{
	struct job *j = arg;
	const struct source *src = j->src;
	struct consort_diag d = { 0 };
	struct changeset cs;
	MDB_txn *txn = NULL;
	MDB_cursor *cur = NULL;
	MDB_val k, v;

	j->err = "read the change-sets";
	if ((j->rc = mdb_txn_begin(src->env, NULL, MDB_RDONLY, &txn)) != 0 ||
	    (j->rc = mdb_cursor_open(txn, src->changes, &cur)) != 0)
		goto out;
	while ((j->rc = mdb_cursor_get(cur, &k, &v, MDB_NEXT)) == 0) {
		if ((j->rc = cs_decode(v.mv_data, v.mv_size, &cs, &d)) != 0) {
			j->err = "decode a change-set";
			goto out;
		}
		j->rc = cs_verify(&cs);
		cs_free(&cs);
		if (j->rc != 0) {
			j->err = "a signature does not verify";
			goto out;
		}
		j->count++;
	}
	j->rc = j->rc == MDB_NOTFOUND ? 0 : j->rc;
out:
	if (cur != NULL)
		mdb_cursor_close(cur);
	if (txn != NULL)
		mdb_txn_abort(txn);
	clock_gettime(CLOCK_MONOTONIC, &j->t1);
	return NULL;
}

/* Prints what failed in a job; returns 1. */
static int
job_fail(const struct job *j)
{
	fprintf(stderr, "bound: %s: %s\n", j->err, j->rc > 0 ?
	    mdb_strerror(j->rc) : consort_strerror(j->rc));
	return 1;
}

/* Runs the writer and the checker together and prints the bound. */
int
main(int argc, char **argv)
{
	struct source src;
	struct job w = { 0 }, c = { 0 };
	struct timespec t0, *end;
	struct stat st;
	char path[4200];
	pthread_t tid;
	const char *err;
	int rc, ret = 1;

	if (argc != 3)
		return usage();
	if (sodium_init() < 0) {
		fprintf(stderr, "bound: sodium_init failed\n");
		return 1;
	}
	if ((rc = source_open(&src, argv[1], &err)) != 0) {
		fprintf(stderr, "bound: %s: %s: %s\n", argv[1], err,
		    mdb_strerror(rc));
		goto out;
	}
	if (!src.has_changes) {
		fprintf(stderr, "bound: %s: no changes table\n", argv[1]);
		goto out;
	}
	w.src = c.src = &src;
	w.out = argv[2];
	clock_gettime(CLOCK_MONOTONIC, &t0);
	w.t0 = c.t0 = t0;
	if ((rc = pthread_create(&tid, NULL, write_all, &w)) != 0) {
		fprintf(stderr, "bound: pthread_create: %s\n", strerror(rc));
		goto out;
	}
	check_all(&c);
	pthread_join(tid, NULL);
	if (w.rc != 0 || c.rc != 0) {
		ret = job_fail(w.rc != 0 ? &w : &c);
		goto out;
	}
	snprintf(path, sizeof(path), "%s/data.mdb", argv[2]);
	if (stat(path, &st) != 0) {
		fprintf(stderr, "bound: %s: %s\n", path, strerror(errno));
		goto out;
	}
	end = elapsed(&t0, &w.t1) > elapsed(&t0, &c.t1) ? &w.t1 : &c.t1;
	printf("bound_s=%.6f write_s=%.6f check_s=%.6f changesets=%zu "
	    "tables=%zu entries=%zu written_bytes=%lld store_bytes=%lld\n",
	    elapsed(&t0, end), elapsed(&t0, &w.t1), elapsed(&t0, &c.t1),
	    c.count, w.count, w.entries, w.written, (long long)st.st_size);
	ret = 0;
out:
	source_close(&src);
	return ret;
}
