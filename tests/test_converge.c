/*
 * Seeded randomized convergence: 3 to 5 replicas of one consortium (the
 * lead and co-contractors) make random edits — set, unset, delete,
 * re-create, link a path to a trainee or an intent, replace their own key
 * (consort key rotate), or sign with the key they replaced, as a stale
 * copy of the laptop would — and exchange
 * change-sets between random pairs, in shuffled order (so that some wait
 * for their past) or through bundle files.  After a full exchange every
 * replica must hold the same state hash and the same conflicts.
 *
 *   CONSORT_SEEDS=N   how many seeds (default 1000; make soak: 100000)
 *   CONSORT_SEED=S    replay one seed
 */
#include "testutil.h"
#include "../sync/bundle.h"

#define MAX_REPLICAS 6  /* the lead, co-contractors, the lead's new machine */
#define NREFS 4
#define MAX_CONFLICTS 256

/*
 * Everything random in a run derives from the seed: libsodium's randomness
 * (keys, network keys, nonces) through this implementation, and the clock
 * of the hybrid logical clocks through util_clock.  So a seed replays
 * exactly, with the keys and clocks of the failing run.
 */
static uint8_t det_seed[randombytes_SEEDBYTES];
static uint64_t det_counter, det_ms;

/* Deterministic bytes: a ChaCha20 stream keyed by the seed and a counter. */
static void
det_buf(void *buf, size_t n)
{
	uint8_t k[randombytes_SEEDBYTES];

	memcpy(k, det_seed, sizeof(k));
	util_put_be64(k, util_get_be64(k) ^ det_counter++);
	randombytes_buf_deterministic(buf, n, k);
}

/* A deterministic 32-bit number. */
static uint32_t
det_random(void)
{
	uint32_t r;

	det_buf(&r, sizeof(r));
	return r;
}

/* The name of the implementation. */
static const char *
det_name(void)
{
	return "consort-test-deterministic";
}

static randombytes_implementation det_impl = {
	det_name, det_random, NULL, NULL, det_buf, NULL,
};

/* The test's clock: one millisecond per reading, from a fixed start. */
static uint64_t
det_clock(void)
{
	return det_ms++;
}

/* Restarts the randomness and the clock from a seed. */
static void
det_reset(uint64_t seed)
{
	memset(det_seed, 0, sizeof(det_seed));
	util_put_be64(det_seed + 8, seed);
	det_counter = 0;
	det_ms = UINT64_C(1767225600000);  /* 2026-01-01 */
}

/* Totals over every seed, printed at the end: the test must exercise merges. */
static unsigned long long total_edits, total_refused, total_conflicts;
static unsigned long long total_openings, total_erased;
static unsigned long long total_rotations, total_stale, total_recoveries;

static const char *const co_sirets[] = { "50324917900212", "79911548000375",
	"83046172900451", "73282932000074" };

struct world {
	char *dir;
	struct node *r[MAX_REPLICAS];
	unsigned n;
	uint64_t rng;
	uint64_t seed;
	unsigned bundles;
	uint8_t old_sk[MAX_REPLICAS][64];  /* the key each replaced last */
	bool rotated[MAX_REPLICAS];
	unsigned spare;        /* the lead's new machine: the last replica */
	uint8_t recovery_seed[RECOVERY_SEED_BYTES];
	bool recovered;
};

/* xorshift64*: the test's only source of randomness. */
static uint64_t
rnd(struct world *w)
{
	w->rng ^= w->rng >> 12;
	w->rng ^= w->rng << 25;
	w->rng ^= w->rng >> 27;
	return w->rng * 2685821657736338717ULL;
}

/* A number in [0, n). */
static unsigned
pick(struct world *w, unsigned n)
{
	return (unsigned)(rnd(w) % n);
}

/* Makes LMDB skip fsync: a test store never outlives its process. */
static void
nosync(struct node *n)
{
	store_set_sync(&n->store, false);
}

/* Writes fields of one record in one change-set of replica n. */
static int
put(struct node *n, const char *type, const char *ref, const char *field,
    struct value v, enum put_mode mode)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct field_input in[1];
	struct consort_diag d = { 0 };
	struct edit e;
	bool changed;
	int rc;

	in[0].f = schema_field_by_name(t, field, strlen(field));
	in[0].v = v;
	if ((rc = edit_begin(n, &e)) != 0)
		return rc;
	rc = records_put(&e, t, ref, strlen(ref), in, field ? 1 : 0, mode, false,
	    &changed, &d);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* Binds a replica's key as a co-contractor on the lead. */
static void
bind_co(struct node *lead, const char *siret, const uint8_t *pk)
{
	struct roster_invite rq = { NULL, siret, ROLE_CO, { 0 }, NULL, NULL };
	struct consort_diag d = { 0 };
	struct edit e;

	memcpy(rq.key, pk, CONSORT_KEY_BYTES);
	assert_ok(edit_begin(lead, &e));
	assert_ok(roster_invite(&e, &rq, &d));
	assert_ok(edit_commit(&e));
}

/* Copies every change-set of `from` that `to` lacks, in shuffled order. */
static void
exchange_direct(struct world *w, struct node *from, struct node *to)
{
	struct log_receipt rc = { 0 };
	struct consort_diag d = { 0 };
	struct store_txn *rt, *wt;
	struct store_walk sw;
	struct store_val k, v;
	uint8_t **items = NULL;
	size_t *lens = NULL, n = 0, cap = 0, i, j;

	assert_ok(store_begin(&from->store, false, &rt));
	assert_ok(store_walk_begin(&sw, rt, &from->store, TB_CHANGES, NULL, 0, 0));
	while (store_walk_next(&sw, &k, &v) > 0) {
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			items = realloc(items, cap * sizeof(*items));
			lens = realloc(lens, cap * sizeof(*lens));
		}
		items[n] = malloc(v.len);
		memcpy(items[n], v.data, v.len);
		lens[n++] = v.len;
	}
	store_walk_end(&sw);
	store_abort(rt);
	for (i = n; i > 1; i--) {  /* Fisher-Yates */
		uint8_t *t = items[i - 1];
		size_t tl = lens[i - 1];

		j = pick(w, (unsigned)i);
		items[i - 1] = items[j];
		lens[i - 1] = lens[j];
		items[j] = t;
		lens[j] = tl;
	}
	assert_ok(store_begin(&to->store, true, &wt));
	for (i = 0; i < n; i++) {
		int r = log_receive(wt, &to->store, items[i], lens[i],
		    to->consortium, &rc, &d);

		if (r != 0)
			fail_msg("seed %llu: receive: %s %s %s", (unsigned long long)
			    w->seed, consort_err_name(r), d.where, d.what);
		free(items[i]);
	}
	assert_ok(log_finish_batch(wt, &to->store, to->consortium, &rc, &d));
	assert_ok(store_commit(wt));
	free(items);
	free(lens);
}

/* Carries what `from` holds to `to` in a bundle file. */
static void
exchange_bundle(struct world *w, struct node *from, struct node *to)
{
	struct consort_diag d = { 0 };
	struct bundle_stats st;
	char path[4096];
	int r;

	snprintf(path, sizeof(path), "%s/b%u", w->dir, w->bundles++);
	assert_ok(bundle_export(from, path, NULL, 0, NULL, &st, &d));
	if ((r = bundle_import(to, path, &st, &d)) != 0)
		fail_msg("seed %llu: bundle import: %s %s %s", (unsigned long long)
		    w->seed, consort_err_name(r), d.where, d.what);
	unlink(path);
}

struct give {
	struct world *w;
	struct node *from, *to;
	struct store_txn *rt, *wt;
	bool all;
};

/* Gives one opening of `from` to `to`, one time in two. */
static int
give_one(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	struct give *g = ctx;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct consort_diag d = { 0 };
	struct personal_opening o;
	int r;

	if (!g->all && pick(g->w, 2) != 0)
		return 0;
	assert_ok(personal_get(g->rt, &g->from->store, T_trainee, id, field, c,
	    &o, buf));
	if (!o.found)
		return 0;
	r = personal_put(g->wt, &g->to->store, &o, &d);
	if (r != 0 && r != E(ERASED))
		fail_msg("seed %llu: personal_put: %s %s", (unsigned long long)
		    g->w->seed, consort_err_name(r), d.what);
	total_openings += r == 0;
	return 0;
}

/*
 * Copies a random half of the openings `from` holds to `to` (all of them
 * with all), whoever may read them: which replica holds which values must
 * not change the state, its digest or its conflicts.
 */
static void
exchange_openings(struct world *w, struct node *from, struct node *to,
    bool all)
{
	struct give g = { w, from, to, NULL, NULL, all };

	assert_ok(store_begin(&from->store, false, &g.rt));
	assert_ok(store_begin(&to->store, true, &g.wt));
	assert_ok(personal_foreach(g.rt, &from->store, give_one, &g));
	store_abort(g.rt);
	assert_ok(store_commit(g.wt));
}

/* One exchange between a random pair, one way or both. */
static void
random_exchange(struct world *w)
{
	unsigned a = pick(w, w->n), b = pick(w, w->n);

	if (a == b)
		return;
	if (pick(w, 4) == 0)
		exchange_bundle(w, w->r[a], w->r[b]);
	else
		exchange_direct(w, w->r[a], w->r[b]);
	if (pick(w, 2) == 0)
		exchange_direct(w, w->r[b], w->r[a]);
	if (pick(w, 2) == 0)
		exchange_openings(w, w->r[a], w->r[b], false);
}

/* Replica i replaces its key; it keeps the old one for stale_edit(). */
static int
rotate(struct world *w, unsigned i)
{
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES];
	int rc;

	memcpy(w->old_sk[i], w->r[i]->sk, 64);
	if ((rc = node_rotate(w->r[i], NULL, 0, pk, &d)) == 0) {
		w->rotated[i] = true;
		total_rotations++;
	}
	return rc;
}

/* The heads of every author but one: the deps of a change-set of it. */
static void
deps_but(struct store_txn *txn, struct store *s, const uint8_t *author,
    struct changeset *hdr)
{
	struct head h;
	uint32_t a;

	hdr->deps = calloc(s->nauthors + 1, sizeof(*hdr->deps));
	assert_non_null(hdr->deps);
	for (a = 0; a < s->nauthors; a++) {
		assert_ok(store_head(txn, s, s->authors[a], &h));
		if (h.seq == 0 || memcmp(s->authors[a], author,
		    CONSORT_KEY_BYTES) == 0)
			continue;
		memcpy(hdr->deps[hdr->ndeps].author, s->authors[a],
		    CONSORT_KEY_BYTES);
		hdr->deps[hdr->ndeps].seq = h.seq;
		memcpy(hdr->deps[hdr->ndeps].hash, h.id, CONSORT_HASH_BYTES);
		hdr->ndeps++;
	}
}

/*
 * A stale copy of replica i's laptop signs an intent with the key i
 * replaced, after the rotation, and i's log takes it in as received: every
 * replica must store it and count none of it.
 */
static void
stale_edit(struct world *w, unsigned i)
{
	struct node *n = w->r[i];
	struct log_receipt rc = { 0 };
	struct consort_diag d = { 0 };
	struct changeset hdr;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct store_txn *txn;
	uint8_t id[CONSORT_EID_BYTES];
	struct head h;
	struct value v = tu_str("declared");

	memset(&hdr, 0, sizeof(hdr));
	crypto_sign_ed25519_sk_to_pk(hdr.author, w->old_sk[i]);
	memcpy(hdr.consortium, n->consortium, CONSORT_HASH_BYTES);
	assert_ok(store_begin(&n->store, true, &txn));
	assert_ok(store_head(txn, &n->store, hdr.author, &h));
	hdr.seq = h.seq + 1;
	memcpy(hdr.prev, h.id, CONSORT_HASH_BYTES);
	hdr.hlc = node_hlc_next(n);
	deps_but(txn, &n->store, hdr.author, &hdr);
	qsort(hdr.deps, hdr.ndeps, sizeof(*hdr.deps), tu_cmp_dep);
	csb_init(&b);
	msgpack_sbuffer_init(&out);
	node_entity_id(n, T_intent, "I0", 2, id);
	csb_op(&b, OP_SET, T_intent, id, F_intent_status, &v);
	assert_ok(csb_sign(&b, &hdr, w->old_sk[i], &out));
	if (log_receive(txn, &n->store, (uint8_t *)out.data, out.size,
	    n->consortium, &rc, &d) != 0 || log_finish_batch(txn, &n->store,
	    n->consortium, &rc, &d) != 0)
		fail_msg("seed %llu: stale edit: %s %s", (unsigned long long)
		    w->seed, d.where, d.what);
	assert_ok(store_commit(txn));
	csb_free(&b);
	msgpack_sbuffer_destroy(&out);
	free(hdr.deps);
	total_stale++;
}

/* A random ref among the few each type uses, so that edits collide. */
static void
ref_of(struct world *w, const char *prefix, char *out, size_t len)
{
	snprintf(out, len, "%s%u", prefix, pick(w, NREFS));
}

/* One random edit on replica i; refused edits (no such record) are fine. */
static void
random_edit(struct world *w, unsigned i)
{
	static const char *const names[] = { "Léa", "Noé", "Maëlle", "Loïc" };
	static const char *const status[] = { "declared", "confirmed", "withdrawn" };
	struct node *n = w->r[i];
	char ref[16], target[16], session[16];
	int r;

	switch (pick(w, 10)) {
	case 0:
		ref_of(w, "T", ref, sizeof(ref));
		r = put(n, "trainee", ref, "given_name", tu_str(names[pick(w, 4)]),
		    PUT_UPSERT);
		break;
	case 1:
		ref_of(w, "T", ref, sizeof(ref));
		r = put(n, "trainee", ref, "birth_year",
		    tu_int(1980 + pick(w, 20)), PUT_UPSERT);
		break;
	case 2:
		ref_of(w, "I", ref, sizeof(ref));
		r = put(n, "intent", ref, "status", tu_str(status[pick(w, 3)]),
		    PUT_UPSERT);
		break;
	case 3:
		ref_of(w, "T", ref, sizeof(ref));
		r = put(n, "trainee", ref, "given_name",
		    (struct value){ VAL_NIL, false, 0, NULL, 0 }, PUT_SET);
		break;
	case 4:
		ref_of(w, pick(w, 2) ? "T" : "I", ref, sizeof(ref));
		r = tu_del(n, ref[0] == 'T' ? "trainee" : "intent", ref);
		break;
	case 5:
		/* a path in this replica's own session, linked to a trainee */
		snprintf(session, sizeof(session), "S%u", i);
		snprintf(ref, sizeof(ref), "P%u-%u", i, pick(w, 2));
		ref_of(w, "T", target, sizeof(target));
		r = put(n, "path", ref, "session", tu_str(session), PUT_UPSERT);
		if (r == 0)
			r = put(n, "path", ref, "trainee", tu_str(target), PUT_SET);
		break;
	case 6:
		/* an erasure: the lead's or the recorder's, for good */
		ref_of(w, "T", ref, sizeof(ref));
		r = put(n, "trainee", ref, "erased", tu_str("2026-11-30"), PUT_SET);
		total_erased += r == 0;
		break;
	case 8:
		/* one rotation per replica at most: each writes key files */
		r = w->rotated[i] ? 0 : rotate(w, i);
		break;
	case 9:
		if (w->rotated[i])
			stale_edit(w, i);
		r = 0;
		break;
	default:
		snprintf(ref, sizeof(ref), "P%u-%u", i, pick(w, 2));
		ref_of(w, "I", target, sizeof(target));
		r = put(n, "path", ref, "intent", tu_str(target), PUT_SET);
		break;
	}
	total_edits++;
	total_refused += r != 0;
	if (r != 0 && r != E(NOENT) && r != E(REF) && r != E(PERM) &&
	    r != E(ERASED))
		fail_msg("seed %llu: edit on replica %u: %s", (unsigned long long)
		    w->seed, i, consort_err_name(r));
}

/* Creates the replicas: the lead, then co-contractors joined by invite. */
static void
make_world(struct world *w)
{
	struct genesis_member co[4];
	struct genesis g = { "Convergence", "MKT-RAND", { "Lead", TU_LEAD_SIRET },
		co, 4 };
	struct consort_diag d = { 0 };
	struct invite inv;
	struct store_val gv;
	struct store_txn *txn;
	char path[4096], sess[16];
	unsigned i;

	for (i = 0; i < 4; i++) {
		co[i].name = co_sirets[i];
		co[i].siret = co_sirets[i];
	}
	w->dir = tu_mkdtemp();
	tu_path(path, sizeof(path), w->dir, "r0");
	assert_ok(node_init_recovery(path, &g, NULL, 0, w->recovery_seed, &w->r[0], &d));
	nosync(w->r[0]);
	memset(&inv, 0, sizeof(inv));
	memcpy(inv.consortium, w->r[0]->consortium, CONSORT_HASH_BYTES);
	memcpy(inv.founder, w->r[0]->founder, CONSORT_KEY_BYTES);
	assert_ok(node_netkey(w->r[0], inv.netkey));
	for (i = 1; i < w->n; i++) {
		uint8_t pk[CONSORT_KEY_BYTES];

		snprintf(path, sizeof(path), "%s/r%u", w->dir, i);
		assert_ok(node_keygen(path, NULL, 0, pk, &d));
		if (i != w->spare)  /* the new machine is bound by recovery */
			bind_co(w->r[0], co_sirets[i - 1], pk);
		assert_ok(store_begin(&w->r[0]->store, false, &txn));
		assert_ok(store_get_change(txn, &w->r[0]->store, w->r[0]->pk, 1, &gv));
		inv.genesis = gv.data;
		inv.genesis_len = gv.len;
		assert_ok(node_join(path, &inv, &w->r[i], &d));
		store_abort(txn);
		nosync(w->r[i]);
		assert_ok(node_unlock(w->r[i], NULL, 0, &d));
	}
	/* one session per replica, provided by its member, for its paths */
	for (i = 0; i < w->n && i != w->spare; i++) {
		snprintf(sess, sizeof(sess), "S%u", i);
		assert_ok(put(w->r[0], "session", sess, "provider",
		    tu_str(i == 0 ? TU_LEAD_SIRET : co_sirets[i - 1]), PUT_UPSERT));
	}
	for (i = 1; i < w->n; i++)
		exchange_direct(w, w->r[0], w->r[i]);
}

struct idlist {
	char ids[MAX_CONFLICTS][18];
	unsigned n;
};

/* Collects conflict ids. */
static int
collect(void *ctx, const struct conflict *c)
{
	struct idlist *l = ctx;

	if (l->n < MAX_CONFLICTS)
		memcpy(l->ids[l->n++], c->id, sizeof(c->id));
	return 0;
}

/* Orders ids. */
static int
cmp_id(const void *a, const void *b)
{
	return strcmp(a, b);
}

/* The sorted conflict ids of a replica. */
static void
conflict_ids(struct node *n, struct idlist *l)
{
	struct store_txn *txn;

	l->n = 0;
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(store_load_authors(txn, &n->store));
	assert_ok(conflicts_scan(txn, &n->store, 0, collect, l));
	store_abort(txn);
	qsort(l->ids, l->n, sizeof(l->ids[0]), cmp_id);
}

struct erased_check {
	struct store_txn *txn;
	struct node *n;
	unsigned long long held;
};

/* Counts the openings held of one trainee. */
static int
count_held(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	const struct record *r = ctx;

	(void)field;
	(void)c;
	if (memcmp(id, r->id, CONSORT_EID_BYTES) == 0)
		fail_msg("an erased trainee's opening is still held");
	return 0;
}

/* Checks that an erased trainee has no opening left on the replica. */
static int
check_erased_one(void *ctx, const struct record *r)
{
	struct erased_check *x = ctx;

	if (!personal_erased(r))
		return 0;
	return personal_foreach(x->txn, &x->n->store, count_held, (void *)r);
}

/* No replica holds an opening of a trainee erased in its state. */
static void
check_erasures(struct node *n)
{
	struct erased_check x = { NULL, n, 0 };

	assert_ok(store_begin(&n->store, false, &x.txn));
	assert_ok(state_foreach_stored(x.txn, &n->store, T_trainee,
	    check_erased_one, &x, NULL));
	store_abort(x.txn);
}

/* Exchanges between every pair until nothing moves, then compares. */
static void
converge(struct world *w)
{
	uint8_t h0[CONSORT_HASH_BYTES], h[CONSORT_HASH_BYTES];
	static struct idlist c0, c;
	unsigned round, i, j;

	for (round = 0; round < 2; round++)
		for (i = 0; i < w->n; i++)
			for (j = 0; j < w->n; j++)
				if (i != j)
					exchange_direct(w, w->r[i], w->r[j]);
	for (i = 0; i < w->n; i++) {
		/* one replica in two gets every value the others hold */
		for (j = 0; i > 0 && pick(w, 2) == 0 && j < w->n; j++)
			if (j != i)
				exchange_openings(w, w->r[j], w->r[i], true);
		check_erasures(w->r[i]);
		/* some replicas list conflicts with the values they can read */
		w->r[i]->store.open_personal = i > 0;
	}
	tu_state_hash(&w->r[0]->store, h0);
	conflict_ids(w->r[0], &c0);
	total_conflicts += c0.n;
	for (i = 1; i < w->n; i++) {
		tu_state_hash(&w->r[i]->store, h);
		conflict_ids(w->r[i], &c);
		if (memcmp(h, h0, sizeof(h)) != 0 || c.n != c0.n ||
		    memcmp(c.ids, c0.ids, c.n * sizeof(c.ids[0])) != 0)
			fail_msg("seed %llu: replica %u differs from replica 0 (%u vs %u "
			    "conflicts); replay: CONSORT_SEED=%llu %s", (unsigned long long)
			    w->seed, i, c.n, c0.n, (unsigned long long)w->seed,
			    ".build/tests/test_converge");
	}
}

/*
 * The lead's laptop is lost: its new machine takes the lead's place with
 * the recovery key, from what it holds; the old lead replica goes on
 * editing with the lost key, and those edits count nowhere.
 */
static void
recover(struct world *w)
{
	struct consort_diag d = { 0 };
	uint8_t replaced[CONSORT_KEY_BYTES];

	if (node_recover(w->r[w->spare], w->recovery_seed, replaced, &d) != 0)
		fail_msg("seed %llu: recover: %s %s", (unsigned long long)w->seed,
		    d.where, d.what);
	w->recovered = true;
	total_recoveries++;
}

/* Runs one seed. */
static void
run_seed(uint64_t seed)
{
	struct world w;
	unsigned i, steps, recover_at;

	memset(&w, 0, sizeof(w));
	det_reset(seed);
	w.seed = seed;
	w.rng = seed * 0x9E3779B97F4A7C15ULL + 1;
	w.n = 3 + pick(&w, MAX_REPLICAS - 3) + 1;
	w.spare = w.n - 1;
	make_world(&w);
	steps = 10 + pick(&w, 20);
	recover_at = pick(&w, 2) == 0 ? pick(&w, steps) : steps;
	for (i = 0; i < steps; i++) {
		if (i == recover_at)
			recover(&w);
		if (pick(&w, 3) == 0)
			random_exchange(&w);
		else
			random_edit(&w, pick(&w, w.n));
	}
	converge(&w);
	for (i = 0; i < w.n; i++)
		node_close(w.r[i]);
	tu_rmtree(w.dir);
}

/* Every seed of CONSORT_SEEDS (or the one CONSORT_SEED) converges. */
static void
test_random_convergence(void **state)
{
	const char *one = getenv("CONSORT_SEED"), *many = getenv("CONSORT_SEEDS");
	uint64_t seeds = many ? strtoull(many, NULL, 10) : 1000, s;

	(void)state;
	if (one != NULL) {
		run_seed(strtoull(one, NULL, 10));
		return;
	}
	for (s = 1; s <= seeds; s++)
		run_seed(s);
	print_message("%llu seeds converged: %llu edits (%llu refused: no such "
	    "record, not permitted or erased), %llu conflicts left open at the "
	    "end, %llu erasures, %llu personal values handed around, %llu "
	    "key rotations, %llu change-sets of a replaced key, %llu "
	    "recoveries of the lead\n",
	    (unsigned long long)seeds, total_edits, total_refused, total_conflicts,
	    total_erased, total_openings, total_rotations, total_stale,
	    total_recoveries);
	assert_true(total_conflicts > 0);
	assert_true(total_erased > 0);
	assert_true(total_openings > 0);
	assert_true(total_rotations > 0);
	assert_true(total_stale > 0);
	assert_true(total_recoveries > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_random_convergence),
	};

	/* before sodium_init (in the group setup) */
	randombytes_set_implementation(&det_impl);
	util_clock = det_clock;

	return cmocka_run_group_tests_name("converge", tests, tu_group_setup, NULL);
}
