/*
 * Signature checks of the whole log on two threads.  Replaying the log
 * (rebuild, verify) applies change-sets on the calling thread while a
 * worker checks their Ed25519 signatures; the caller joins in once its own
 * work is done.  Each stored value is body || signature and its key names
 * the author, so a check needs no decoding.
 */
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

struct sigjob {
	const uint8_t *bytes;  /* inside the map: the changes table is not written */
	size_t len;
	const uint8_t *key;    /* author(32) seq(8) */
};

struct sigpool {
	struct sigjob *jobs;
	size_t n;
	atomic_size_t next;
	atomic_size_t first_bad;  /* n when none */
	pthread_t worker;
	bool started;
};

/* Checks one stored change-set's signature against the author of its key. */
static bool
job_ok(const struct sigjob *j)
{
	if (j->len <= CONSORT_SIG_BYTES)
		return false;
	return crypto_sign_verify_detached(j->bytes + j->len - CONSORT_SIG_BYTES,
	    j->bytes, j->len - CONSORT_SIG_BYTES, j->key) == 0;
}

/* Takes jobs until none is left, recording the lowest bad index. */
static void
drain(struct sigpool *p)
{
	size_t i, bad;

	while ((i = atomic_fetch_add(&p->next, 1)) < p->n) {
		if (job_ok(&p->jobs[i]))
			continue;
		bad = atomic_load(&p->first_bad);
		while (i < bad && !atomic_compare_exchange_weak(&p->first_bad,
		    &bad, i))
			;
	}
}

/* The worker thread's body. */
static void *
worker(void *arg)
{
	drain(arg);
	return NULL;
}

/* Lists every stored change-set of the transaction's snapshot. */
static int
collect(struct store_txn *txn, struct store *s, struct sigpool *p)
{
	struct store_stat st;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_stat(txn, s, TB_CHANGES, &st)) != 0)
		return rc;
	if ((p->jobs = calloc(st.entries + 1, sizeof(*p->jobs))) == NULL)
		return E(NOMEM);
	if ((rc = store_walk_begin(&w, txn, s, TB_CHANGES, NULL, 0, 0)) != 0)
		return rc;
	while (p->n < st.entries && (rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != CONSORT_KEY_BYTES + 8) {
			rc = E(STORE);
			break;
		}
		p->jobs[p->n].bytes = v.data;
		p->jobs[p->n].len = v.len;
		p->jobs[p->n].key = k.data;
		p->n++;
	}
	store_walk_end(&w);
	return rc < 0 ? rc : 0;
}

/*
 * Starts checking every stored signature on a worker thread.  The
 * transaction must stay open, and must not write the changes table, until
 * sigpool_finish().
 */
int
sigpool_start(struct store_txn *txn, struct store *s, struct sigpool **out)
{
	struct sigpool *p;
	int rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return E(NOMEM);
	if ((rc = collect(txn, s, p)) != 0) {
		free(p->jobs);
		free(p);
		return rc;
	}
	atomic_init(&p->next, 0);
	atomic_init(&p->first_bad, p->n);
	p->started = pthread_create(&p->worker, NULL, worker, p) == 0;
	*out = p;
	return 0;
}

/*
 * Helps with the remaining checks, waits for the worker, and frees the
 * pool.  Returns E(SIGNATURE) and the (author, seq) of the first bad
 * change-set in log order, if any.
 */
int
sigpool_finish(struct sigpool *p, uint8_t author[CONSORT_KEY_BYTES],
    uint64_t *seq)
{
	size_t bad;
	int rc = 0;

	drain(p);
	if (p->started)
		pthread_join(p->worker, NULL);
	bad = atomic_load(&p->first_bad);
	if (bad < p->n) {
		memcpy(author, p->jobs[bad].key, CONSORT_KEY_BYTES);
		*seq = util_get_be64(p->jobs[bad].key + CONSORT_KEY_BYTES);
		rc = E(SIGNATURE);
	}
	free(p->jobs);
	free(p);
	return rc;
}
