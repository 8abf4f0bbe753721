/*
 * Signatures of a received batch checked ahead, on a second thread.  The
 * receiving thread applies a batch's change-sets in order; meanwhile a
 * worker walks the same change-sets and checks each Ed25519 signature
 * against the author its header names.  When the receiver reaches one the
 * worker has checked and found good, it skips its own check; one the
 * worker has not reached yet it takes and checks itself, as before.  A
 * verdict of the worker is only ever "good" or "unknown": a change-set it
 * could not read or whose signature fails is judged by the receiver, which
 * refuses it with the reason it always gave.
 */
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>

#include <sodium.h>

#include "core.h"

enum { SA_TODO, SA_BUSY, SA_GOOD, SA_UNKNOWN, SA_MINE };

struct sigahead {
	const uint8_t **bytes;
	const uint32_t *lens;
	uint32_t n;
	_Atomic unsigned char *state;
	atomic_bool stop;
	pthread_t worker;
	bool started;
};

/* Reads the author of a signed change-set's header without decoding it. */
static bool
peek_author(const uint8_t *p, uint32_t len, uint8_t author[CONSORT_KEY_BYTES])
{
	uint8_t consortium[CONSORT_HASH_BYTES];
	struct mp_reader r;
	uint64_t version;
	uint32_t n;

	mp_reader_init(&r, p, len);
	return mp_read_array(&r, &n) == 0 && n >= 3 &&
	    mp_read_uint(&r, &version) == 0 &&
	    mp_read_bin_fixed(&r, consortium, CONSORT_HASH_BYTES) == 0 &&
	    mp_read_bin_fixed(&r, author, CONSORT_KEY_BYTES) == 0;
}

/* Whether change-set i is signed by the author its header names. */
static bool
good(const struct sigahead *a, uint32_t i)
{
	uint8_t author[CONSORT_KEY_BYTES];
	const uint8_t *p = a->bytes[i];
	uint32_t len = a->lens[i];

	if (len <= CONSORT_SIG_BYTES || len > CONSORT_CS_MAX_BYTES ||
	    !peek_author(p, len - CONSORT_SIG_BYTES, author))
		return false;
	return crypto_sign_verify_detached(p + len - CONSORT_SIG_BYTES, p,
	    len - CONSORT_SIG_BYTES, author) == 0;
}

/* The worker: checks, in order, each change-set nobody took yet. */
static void *
worker(void *arg)
{
	struct sigahead *a = arg;
	unsigned char todo;
	uint32_t i;

	for (i = 0; i < a->n && !atomic_load(&a->stop); i++) {
		todo = SA_TODO;
		if (!atomic_compare_exchange_strong(&a->state[i], &todo, SA_BUSY))
			continue;
		atomic_store(&a->state[i], good(a, i) ? SA_GOOD : SA_UNKNOWN);
	}
	return NULL;
}

/*
 * Starts checking the signatures of n change-sets ahead of the caller.
 * bytes and lens must outlive sigahead_finish().  With fewer than two
 * change-sets, or when no thread can be made, the caller checks them all.
 */
int
sigahead_start(struct sigahead **out, const uint8_t **bytes,
    const uint32_t *lens, uint32_t n)
{
	struct sigahead *a;
	uint32_t i;

	*out = NULL;
	if (n < 2)
		return 0;
	if ((a = calloc(1, sizeof(*a))) == NULL ||
	    (a->state = calloc(n, sizeof(*a->state))) == NULL) {
		free(a);
		return E(NOMEM);
	}
	a->bytes = bytes;
	a->lens = lens;
	a->n = n;
	for (i = 0; i < n; i++)
		atomic_init(&a->state[i], SA_TODO);
	atomic_init(&a->stop, false);
	a->started = pthread_create(&a->worker, NULL, worker, a) == 0;
	*out = a;
	return 0;
}

/*
 * Whether change-set i's signature is known good.  One the worker has not
 * reached is the caller's to check (false); one it is checking is waited
 * for, which is shorter than checking it again.
 */
bool
sigahead_good(struct sigahead *a, uint32_t i)
{
	unsigned char st = SA_TODO;

	if (a == NULL || i >= a->n || !a->started)
		return false;
	if (atomic_compare_exchange_strong(&a->state[i], &st, SA_MINE))
		return false;
	while ((st = atomic_load(&a->state[i])) == SA_BUSY)
		sched_yield();
	return st == SA_GOOD;
}

/* Stops the worker, waits for it, and frees what sigahead_start() made. */
void
sigahead_finish(struct sigahead *a)
{
	if (a == NULL)
		return;
	atomic_store(&a->stop, true);
	if (a->started)
		pthread_join(a->worker, NULL);
	free(a->state);
	free(a);
}
