/*
 * edrate NODE_DIR [--repeat N] [--threads T]: the raw Ed25519 verify rate
 * on a node's own change-sets.  Every value of the "changes" table is
 * loaded from the node's store and decoded (cs_decode) before the clock
 * starts; then crypto_sign_verify_detached runs over exactly those bodies,
 * signatures and author keys, N times (default 5) after one untimed
 * warm-up pass, timed with CLOCK_MONOTONIC; with T threads (default 1)
 * each pass splits the change-sets into T equal slices verified at the
 * same time (T = 2: the rate of two cores).  Prints the medians:
 *
 *   raw_verify_per_s=R raw_verify_mb_per_s=M changesets=N threads=T
 *
 * MB/s counts the signed body bytes (the signature excluded), 1 MB = 10^6
 * bytes.  Exit status: 0 when every signature verified, 1 on an error or a
 * bad signature, 2 on misuse.
 */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core.h"

#define DEFAULT_REPEAT 5
#define MAX_REPEAT 1000
#define MAX_THREADS 64

/* One loaded change-set: its own copy of the stored bytes. */
struct item {
	uint8_t *bytes;
	size_t len;
	const uint8_t *body;
	size_t body_len;
	const uint8_t *sig;
	uint8_t author[CONSORT_KEY_BYTES];
};

struct items {
	struct item *v;
	size_t n, cap;
	uint64_t body_bytes;
};

/* Prints the usage line and returns the misuse exit status. */
static int
usage(void)
{
	fprintf(stderr, "usage: edrate NODE_DIR [--repeat N] [--threads T]\n");
	return 2;
}

/* Prints a store failure and returns the error exit status. */
static int
store_fail(const char *what, int rc)
{
	fprintf(stderr, "edrate: %s: %s [%s]\n", what, consort_strerror(rc),
	    consort_err_name(rc));
	return 1;
}

/* Copies one stored change-set and decodes it to find body, sig and author. */
static int
items_add(struct items *it, const struct store_val *v)
{
	struct consort_diag d = { 0 };
	struct changeset cs;
	struct item *x;
	int rc;

	if (it->n == it->cap) {
		size_t cap = it->cap ? it->cap * 2 : 256;
		struct item *nv = realloc(it->v, cap * sizeof(*nv));

		if (nv == NULL)
			return -1;
		it->v = nv;
		it->cap = cap;
	}
	x = &it->v[it->n];
	if ((x->bytes = malloc(v->len ? v->len : 1)) == NULL)
		return -1;
	memcpy(x->bytes, v->data, v->len);
	x->len = v->len;
	if ((rc = cs_decode(x->bytes, x->len, &cs, &d)) != 0) {
		fprintf(stderr, "edrate: stored change-set %zu does not decode: "
		    "%s: %s\n", it->n + 1, d.where, d.what);
		free(x->bytes);
		return -1;
	}
	x->body = cs.body;
	x->body_len = cs.body_len;
	x->sig = cs.sig;
	memcpy(x->author, cs.author, CONSORT_KEY_BYTES);
	cs_free(&cs);
	it->body_bytes += x->body_len;
	it->n++;
	return 0;
}

/* Loads every value of the "changes" table of NODE_DIR/store. */
static int
load(const char *node_dir, struct items *it)
{
	char path[4096];
	struct store s;
	struct store_txn *txn;
	struct store_walk w;
	struct store_val k, v;
	int rc, ret = 1;

	if ((size_t)snprintf(path, sizeof(path), "%s/store", node_dir) >=
	    sizeof(path)) {
		fprintf(stderr, "edrate: path too long\n");
		return 1;
	}
	if ((rc = store_open(&s, path, false)) != 0)
		return store_fail(path, rc);
	if ((rc = store_begin(&s, false, &txn)) != 0) {
		store_close(&s);
		return store_fail("begin a read", rc);
	}
	if ((rc = store_walk_begin(&w, txn, &s, TB_CHANGES, NULL, 0, 0)) != 0) {
		store_fail("read the changes table", rc);
		goto out;
	}
	while ((rc = store_walk_next(&w, &k, &v)) > 0)
		if (items_add(it, &v) != 0)
			break;
	store_walk_end(&w);
	if (rc < 0)
		store_fail("read the changes table", rc);
	else if (rc == 0)
		ret = 0;
out:
	store_abort(txn);
	store_close(&s);
	return ret;
}

/* Seconds elapsed between two monotonic times. */
static double
elapsed(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* One thread's slice of the change-sets, and how many of it failed. */
struct slice {
	const struct item *v;
	size_t n, bad;
};

/* Verifies the signatures of one slice (a thread's start routine). */
static void *
verify_slice(void *arg)
{
	struct slice *sl = arg;
	size_t i;

	sl->bad = 0;
	for (i = 0; i < sl->n; i++) {
		const struct item *x = &sl->v[i];

		if (crypto_sign_verify_detached(x->sig, x->body, x->body_len,
		    x->author) != 0)
			sl->bad++;
	}
	return NULL;
}

/*
 * Verifies every loaded signature once, on the calling thread and
 * threads - 1 others; returns the number that failed.
 */
static size_t
verify_all(const struct items *it, unsigned threads)
{
	struct slice sl[MAX_THREADS];
	pthread_t tid[MAX_THREADS];
	size_t bad = 0, from = 0, per = it->n / threads;
	unsigned t, started = 1;

	for (t = 0; t < threads; t++) {
		sl[t].v = it->v + from;
		sl[t].n = t + 1 == threads ? it->n - from : per;
		from += sl[t].n;
	}
	for (t = 1; t < threads; t++, started++)
		if (pthread_create(&tid[t], NULL, verify_slice, &sl[t]) != 0)
			break;
	for (t = started; t < threads; t++)  /* no thread: done here */
		verify_slice(&sl[t]);
	verify_slice(&sl[0]);
	for (t = 1; t < started; t++)
		pthread_join(tid[t], NULL);
	for (t = 0; t < threads; t++)
		bad += sl[t].bad;
	return bad;
}

/* Orders doubles for qsort. */
static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The median of n doubles (sorts them in place). */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Parses a count between 1 and max; -1 if it is not one. */
static long
parse_count(const char *s, long max)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || n < 1 || n > max)
		return -1;
	return n;
}

/* Parses the arguments: NODE_DIR, optional --repeat N and --threads T. */
static int
parse_args(int argc, char **argv, const char **dir, unsigned *repeat,
    unsigned *threads)
{
	long n;
	int i;

	*dir = NULL;
	*repeat = DEFAULT_REPEAT;
	*threads = 1;
	for (i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--repeat") == 0 && i + 1 < argc) {
			if ((n = parse_count(argv[++i], MAX_REPEAT)) < 0)
				return -1;
			*repeat = (unsigned)n;
		} else if (strcmp(argv[i], "--threads") == 0 && i + 1 < argc) {
			if ((n = parse_count(argv[++i], MAX_THREADS)) < 0)
				return -1;
			*threads = (unsigned)n;
		} else if (argv[i][0] == '-' || *dir != NULL) {
			return -1;
		} else {
			*dir = argv[i];
		}
	}
	return *dir == NULL ? -1 : 0;
}

/* Loads, verifies N times and prints the median rates. */
int
main(int argc, char **argv)
{
	struct items it = { NULL, 0, 0, 0 };
	struct timespec t0, t1;
	const char *dir;
	unsigned repeat, threads, r;
	double secs, rates[MAX_REPEAT], mbs[MAX_REPEAT];
	size_t i, bad;
	int ret = 1;

	if (parse_args(argc, argv, &dir, &repeat, &threads) != 0)
		return usage();
	if (sodium_init() < 0) {
		fprintf(stderr, "edrate: sodium_init failed\n");
		return 1;
	}
	if (load(dir, &it) != 0)
		goto out;
	if (it.n == 0) {
		fprintf(stderr, "edrate: %s: no stored change-set\n", dir);
		goto out;
	}
	if ((bad = verify_all(&it, threads)) != 0) {  /* warm-up, and a sanity check */
		fprintf(stderr, "edrate: %zu of %zu signatures do not verify\n",
		    bad, it.n);
		goto out;
	}
	for (r = 0; r < repeat; r++) {
		clock_gettime(CLOCK_MONOTONIC, &t0);
		bad = verify_all(&it, threads);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		if (bad != 0) {
			fprintf(stderr, "edrate: %zu signatures failed on pass %u\n",
			    bad, r + 1);
			goto out;
		}
		if ((secs = elapsed(&t0, &t1)) <= 0)
			secs = 1e-9;
		rates[r] = (double)it.n / secs;
		mbs[r] = (double)it.body_bytes / 1e6 / secs;
	}
	printf("raw_verify_per_s=%.1f raw_verify_mb_per_s=%.2f changesets=%zu "
	    "threads=%u\n", median(rates, repeat), median(mbs, repeat), it.n,
	    threads);
	ret = 0;
out:
	for (i = 0; i < it.n; i++)
		free(it.v[i].bytes);
	free(it.v);
	return ret;
}
