/*
 * Signature checks of the whole log on two threads.  Replaying the log
 * (rebuild, verify) applies change-sets on the calling thread while a
 * worker checks their Ed25519 signatures; the caller joins in once its own
 * work is done.  Each stored value is body || signature and its key names
 * the author, so a check needs no decoding.
 *
 * The calling thread walks the changes table and hands the worker chunks
 * of it, a few at a time (sigpool_feed), so that the pool's memory does
 * not grow with the log: SIG_CHUNKS chunks of SIG_CHUNK change-sets.
 */
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

#define SIG_CHUNK 512
#define SIG_CHUNKS 4

struct sigjob {
	const uint8_t *bytes;  /* inside the map: the changes table is not written */
	size_t len;
	const uint8_t *key;    /* author(32) seq(8) */
};

enum chunk_state { CHUNK_FREE, CHUNK_READY, CHUNK_BUSY };

/* Change-sets of the log that follow one another, checked by one thread. */
struct sigchunk {
	struct sigjob jobs[SIG_CHUNK];
	size_t n;
	uint64_t first;  /* the log order of jobs[0] */
	enum chunk_state state;
};

struct sigpool {
	struct store_walk walk;  /* the calling thread's, over the changes table */
	bool walked;             /* the walk has ended: no chunk comes */
	int walk_err;            /* why it ended early, or 0 */
	uint64_t produced;       /* change-sets handed out */
	struct sigchunk chunks[SIG_CHUNKS];
	pthread_mutex_t lock;    /* the states, walked, the first bad */
	pthread_cond_t ready;    /* a chunk was handed out, or the walk ended */
	bool bad;
	uint64_t first_bad;      /* log order of the first bad one found */
	uint8_t bad_key[CONSORT_KEY_BYTES + 8];
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

/* Checks a chunk taken by this thread, then frees it for the next one. */
static void
check_chunk(struct sigpool *p, struct sigchunk *c)
{
	size_t i;

	for (i = 0; i < c->n; i++)
		if (!job_ok(&c->jobs[i]))
			break;
	pthread_mutex_lock(&p->lock);
	if (i < c->n && (!p->bad || c->first + i < p->first_bad)) {
		p->bad = true;
		p->first_bad = c->first + i;
		memcpy(p->bad_key, c->jobs[i].key, sizeof(p->bad_key));
	}
	c->state = CHUNK_FREE;
	pthread_mutex_unlock(&p->lock);
}

/*
 * Takes the chunk handed out first, waiting for one if wait and the walk
 * goes on; NULL when none is left (or none is ready and !wait).
 */
static struct sigchunk *
take(struct sigpool *p, bool wait)
{
	struct sigchunk *c;
	int i;

	pthread_mutex_lock(&p->lock);
	for (;;) {
		c = NULL;
		for (i = 0; i < SIG_CHUNKS; i++)
			if (p->chunks[i].state == CHUNK_READY &&
			    (c == NULL || p->chunks[i].first < c->first))
				c = &p->chunks[i];
		if (c != NULL || !wait || p->walked)
			break;
		pthread_cond_wait(&p->ready, &p->lock);
	}
	if (c != NULL)
		c->state = CHUNK_BUSY;
	pthread_mutex_unlock(&p->lock);
	return c;
}

/* The worker thread's body: checks chunks until the walk has ended. */
static void *
worker(void *arg)
{
	struct sigpool *p = arg;
	struct sigchunk *c;

	while ((c = take(p, true)) != NULL)
		check_chunk(p, c);
	return NULL;
}

/* Ends the walk (at the table's end, or on err), waking the worker. */
static void
end_walk(struct sigpool *p, int err)
{
	store_walk_end(&p->walk);
	pthread_mutex_lock(&p->lock);
	p->walked = true;
	p->walk_err = err;
	pthread_cond_broadcast(&p->ready);
	pthread_mutex_unlock(&p->lock);
}

/*
 * Fills a free chunk from the walk and hands it out: 1 if one was, 0 if
 * none is free or the walk has ended.  The walk stops once a bad
 * signature was found: what follows it in the log cannot come first.
 */
static int
fill_one(struct sigpool *p)
{
	struct sigchunk *c = NULL;
	struct store_val k, v;
	bool stop;
	int i, rc = 0;

	pthread_mutex_lock(&p->lock);
	stop = p->walked || p->bad;
	for (i = 0; i < SIG_CHUNKS && !stop && c == NULL; i++)
		if (p->chunks[i].state == CHUNK_FREE)
			c = &p->chunks[i];
	pthread_mutex_unlock(&p->lock);
	if (p->walked)
		return 0;
	if (stop) {
		end_walk(p, 0);
		return 0;
	}
	if (c == NULL)
		return 0;
	c->n = 0;
	c->first = p->produced;
	while (c->n < SIG_CHUNK && (rc = store_walk_next(&p->walk, &k, &v)) > 0) {
		if (k.len != CONSORT_KEY_BYTES + 8) {
			rc = E(STORE);
			break;
		}
		c->jobs[c->n].bytes = v.data;
		c->jobs[c->n].len = v.len;
		c->jobs[c->n].key = k.data;
		c->n++;
	}
	p->produced += c->n;
	if (c->n > 0) {
		pthread_mutex_lock(&p->lock);
		c->state = CHUNK_READY;
		pthread_cond_signal(&p->ready);
		pthread_mutex_unlock(&p->lock);
	}
	if (rc <= 0)
		end_walk(p, rc);
	return c->n > 0;
}

/*
 * Starts checking every stored signature on a worker thread.  The
 * transaction must stay open, and must not write the changes table, until
 * sigpool_finish(); it is read on the calling thread only, by
 * sigpool_feed() and sigpool_finish().
 */
int
sigpool_start(struct store_txn *txn, struct store *s, struct sigpool **out)
{
	struct sigpool *p;
	int rc;

	if ((p = calloc(1, sizeof(*p))) == NULL)
		return E(NOMEM);
	if ((rc = store_walk_begin(&p->walk, txn, s, TB_CHANGES, NULL, 0,
	    0)) != 0) {
		free(p);
		return rc;
	}
	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->ready, NULL);
	sigpool_feed(p);
	p->started = pthread_create(&p->worker, NULL, worker, p) == 0;
	*out = p;
	return 0;
}

/* Hands the worker every chunk that is free, from the calling thread. */
void
sigpool_feed(struct sigpool *p)
{
	while (fill_one(p) > 0)
		;
}

/*
 * Checks the remaining chunks beside the worker, waits for it, and frees
 * the pool.  Returns E(SIGNATURE) and the (author, seq) of the first bad
 * change-set in log order, if any, or the error that ended the walk.
 */
int
sigpool_finish(struct sigpool *p, uint8_t author[CONSORT_KEY_BYTES],
    uint64_t *seq)
{
	struct sigchunk *c;
	int rc = 0;

	for (;;) {
		sigpool_feed(p);
		if ((c = take(p, false)) != NULL)
			check_chunk(p, c);
		else if (p->walked)
			break;
	}
	if (p->started)
		pthread_join(p->worker, NULL);
	if (p->bad) {
		memcpy(author, p->bad_key, CONSORT_KEY_BYTES);
		*seq = util_get_be64(p->bad_key + CONSORT_KEY_BYTES);
		rc = E(SIGNATURE);
	} else
		rc = p->walk_err;
	pthread_cond_destroy(&p->ready);
	pthread_mutex_destroy(&p->lock);
	free(p);
	return rc;
}
