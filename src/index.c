/*
 * The index of what an order request reads (DESIGN.md §5, "The index"):
 * sessions by lot and each month they run in, and paths, derogations,
 * agreements, rates and orders by the record a field of theirs names.  The
 * merge keeps it on every write of a record (index_update), from the
 * displayed values of its fields, alive or deleted; a replay rebuilds it
 * with the other state tables.  So a query for one lot and one month reads
 * what that lot and month hold, not the whole store, and finds every
 * record a walk of the type would keep: the readers apply their own
 * filters to what it finds.
 *
 * Key: kind(1), the target's ref, NUL, a month (4 bytes, big-endian) for
 * IX_SESSION_MONTH and IX_ORDER_PERIOD, then the record's own ref; value:
 * the record's entity id.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* The layout of the store's state tables; 0 when none is recorded. */
static uint64_t
stored_layout(struct store_txn *txn, struct store *s)
{
	struct store_val v;

	if (store_get(txn, s, TB_META, "layout", 6, &v) != 0 || v.len != 8)
		return 0;
	return util_get_be64(v.data);
}

/* Whether the store's state tables have this release's layout. */
bool
index_ready(struct store_txn *txn, struct store *s)
{
	return stored_layout(txn, s) >= STATE_LAYOUT;
}

/* Whether c is an ASCII digit. */
static bool
digit(char c)
{
	return c >= '0' && c <= '9';
}

/* The month of "YYYY-MM..." as year * 12 + month - 1, or -1. */
int64_t
index_month(const char *p, size_t len)
{
	int y, m;

	if (len < 7 || !digit(p[0]) || !digit(p[1]) || !digit(p[2]) ||
	    !digit(p[3]) || p[4] != '-' || !digit(p[5]) || !digit(p[6]))
		return -1;
	y = (p[0] - '0') * 1000 + (p[1] - '0') * 100 + (p[2] - '0') * 10 +
	    (p[3] - '0');
	m = (p[5] - '0') * 10 + (p[6] - '0');
	if (m < 1 || m > 12)
		return -1;
	return (int64_t)y * 12 + m - 1;
}

/* A field's displayed string, when it can name a record; NULL otherwise. */
static const struct value *
ref_field(const struct store *s, const struct record *r, unsigned field)
{
	const struct value *v = state_field(s, r, field);

	if (v == NULL || v->kind != VAL_STR || v->len == 0 ||
	    v->len > CONSORT_REF_MAX)
		return NULL;
	return v;
}

/* Appends the key (kind, target, month, r's ref); month < 0: none. */
static void
add_key(struct index_keys *k, const struct record *r, enum index_kind kind,
    const struct value *target, int64_t month)
{
	uint8_t *p;
	size_t n = 0;

	if (target == NULL || k->n == INDEX_KEYS_MAX)
		return;
	p = k->key[k->n];
	p[n++] = (uint8_t)kind;
	memcpy(p + n, target->s, target->len);
	n += target->len;
	p[n++] = 0;
	if (month >= 0) {
		util_put_be32(p + n, (uint32_t)month);
		n += 4;
	}
	memcpy(p + n, r->ref, r->ref_len);
	n += r->ref_len;
	k->len[k->n++] = (uint16_t)n;
}

/* A date field of exactly YYYY-MM-DD's length, or NULL. */
static const struct value *
day_field(const struct store *s, const struct record *r, unsigned field)
{
	const struct value *v = state_field(s, r, field);

	return v != NULL && v->kind == VAL_STR && v->len == 10 ? v : NULL;
}

/*
 * A session's keys: under its lot, each month from its start to its end;
 * a session without an end, one running longer than INDEX_SPAN_MAX
 * months, or one whose dates are not of the calendar, under INDEX_OPEN
 * (every query reads it).  One without a start is in no window.
 */
static void
session_keys(const struct store *s, const struct record *r,
    struct index_keys *k)
{
	const struct value *lot = ref_field(s, r, F_session_lot);
	const struct value *start = day_field(s, r, F_session_start);
	const struct value *end = day_field(s, r, F_session_end);
	int64_t from, to, m;

	if (lot == NULL || start == NULL)
		return;
	from = index_month(start->s, start->len);
	to = end != NULL ? index_month(end->s, end->len) : -1;
	if (from < 0 || to < 0 || (to > from && to - from > INDEX_SPAN_MAX)) {
		add_key(k, r, IX_SESSION_MONTH, lot, INDEX_OPEN);
		return;
	}
	if (to < from)
		to = from;
	for (m = from; m <= to; m++)
		add_key(k, r, IX_SESSION_MONTH, lot, m);
}

/* An order's key: under its lot and the month of its period. */
static void
order_keys(const struct store *s, const struct record *r,
    struct index_keys *k)
{
	const struct value *period = state_field(s, r, F_order_period);
	int64_t m;

	if (period == NULL || period->kind != VAL_STR || period->len != 7 ||
	    (m = index_month(period->s, period->len)) < 0)
		return;
	add_key(k, r, IX_ORDER_PERIOD, ref_field(s, r, F_order_lot), m);
}

/* Computes the index keys of a record from its displayed fields. */
void
index_keys(const struct store *s, const struct record *r,
    struct index_keys *k)
{
	k->n = 0;
	if (r->ref_len == 0 || r->ref_len > CONSORT_REF_MAX)
		return;  /* not created yet: no walk of its type sees it */
	switch (r->type) {
	case T_session:
		session_keys(s, r, k);
		break;
	case T_path:
		add_key(k, r, IX_PATH_SESSION, ref_field(s, r, F_path_session),
		    -1);
		add_key(k, r, IX_PATH_TRAINEE, ref_field(s, r, F_path_trainee),
		    -1);
		add_key(k, r, IX_PATH_INTENT, ref_field(s, r, F_path_intent),
		    -1);
		break;
	case T_derogation:
		add_key(k, r, IX_DEROG_SESSION,
		    ref_field(s, r, F_derogation_session), -1);
		add_key(k, r, IX_DEROG_INTENT,
		    ref_field(s, r, F_derogation_intent), -1);
		break;
	case T_agreement:
		add_key(k, r, IX_AGREEMENT_SESSION,
		    ref_field(s, r, F_agreement_session), -1);
		break;
	case T_rate:
		add_key(k, r, IX_RATE_LOT, ref_field(s, r, F_rate_lot), -1);
		break;
	case T_order:
		order_keys(s, r, k);
		break;
	default:
		break;
	}
}

/* Whether k holds the key (key, len). */
static bool
has_key(const struct index_keys *k, const uint8_t *key, size_t len)
{
	uint32_t i;

	for (i = 0; i < k->n; i++)
		if (k->len[i] == len && memcmp(k->key[i], key, len) == 0)
			return true;
	return false;
}

/* Writes the layout a store's state tables have, in txn. */
static int
put_layout(struct store_txn *txn, struct store *s, uint64_t layout)
{
	uint8_t v[8];

	util_put_be64(v, layout);
	return store_put(txn, s, TB_META, "layout", 6, v, sizeof(v), 0);
}

/*
 * Whether the index goes to TB_LATER now: deferred by this process, or by
 * another one whose catch-up has not come yet (the layout, recorded, says
 * the index is behind), and no replay running (it writes a scratch index
 * of its own).  A store being made has no layout yet.
 */
static bool
deferring(struct store_txn *txn, struct store *s)
{
	uint64_t layout;

	if (store_in_scratch(s, TB_INDEX))
		return false;
	if (s->index_later)
		return true;
	layout = stored_layout(txn, s);
	return layout > 0 && layout < STATE_LAYOUT;
}

/*
 * Notes in TB_LATER, after every note there, a key put (op 'p', with the
 * record's id) or deleted (op 'd'); the index itself is behind until
 * index_catch_up(), so the layout says so in the same transaction.  The
 * next key is kept, and read again when another process noted since.
 */
static int
later_add(struct store_txn *txn, struct store *s, char op, const uint8_t *id,
    const uint8_t *key, size_t len)
{
	uint8_t seq[8], v[1 + CONSORT_EID_BYTES + INDEX_KEY_MAX];
	struct store_val last;
	int rc;

	if ((rc = put_layout(txn, s, STATE_LAYOUT - 1)) != 0)
		return rc;
	v[0] = (uint8_t)op;
	memcpy(v + 1, id, CONSORT_EID_BYTES);
	memcpy(v + 1 + CONSORT_EID_BYTES, key, len);
	util_put_be64(seq, s->later_seq);
	rc = store_put(txn, s, TB_LATER, seq, sizeof(seq), v,
	    1 + CONSORT_EID_BYTES + len, STORE_APPEND);
	if (rc == E(EXIST)) {  /* not after the last note: read it */
		if ((rc = store_last(txn, s, TB_LATER, &last)) != 0)
			return rc;
		if (last.len != 8)
			return E(CORRUPTED);
		s->later_seq = util_get_be64(last.data) + 1;
		util_put_be64(seq, s->later_seq);
		rc = store_put(txn, s, TB_LATER, seq, sizeof(seq), v,
		    1 + CONSORT_EID_BYTES + len, STORE_APPEND);
	}
	if (rc == 0)
		s->later_seq++;
	return rc;
}

/* Deletes an index key, now and, while deferred, from what TB_LATER holds. */
static int
index_del(struct store_txn *txn, struct store *s, const struct record *r,
    const uint8_t *key, size_t len)
{
	int rc = store_del(txn, s, TB_INDEX, key, len);

	if (rc != 0 && rc != E(NOENT))
		return rc;
	return deferring(txn, s) ? later_add(txn, s, 'd', r->id, key, len) : 0;
}

/* Puts an index key, or notes it in TB_LATER while deferred. */
static int
index_put(struct store_txn *txn, struct store *s, const struct record *r,
    const uint8_t *key, size_t len)
{
	if (deferring(txn, s))
		return later_add(txn, s, 'p', r->id, key, len);
	return store_put(txn, s, TB_INDEX, key, len, r->id, CONSORT_EID_BYTES,
	    0);
}

/*
 * Deletes the keys a record had and no longer has, and puts those it has
 * now and did not; a key already gone is no error.
 */
int
index_update(struct store_txn *txn, struct store *s, const struct record *r,
    const struct index_keys *old)
{
	struct index_keys now;
	uint32_t i;
	int rc;

	index_keys(s, r, &now);
	if (now.n == 0 && old->n == 0)
		return 0;
	for (i = 0; i < old->n; i++)
		if (!has_key(&now, old->key[i], old->len[i]) &&
		    (rc = index_del(txn, s, r, old->key[i], old->len[i])) != 0)
			return rc;
	for (i = 0; i < now.n; i++)
		if (!has_key(old, now.key[i], now.len[i]) &&
		    (rc = index_put(txn, s, r, now.key[i], now.len[i])) != 0)
			return rc;
	return 0;
}

/*
 * Defers the index: from now on the merge notes its keys in TB_LATER, in
 * the order of writing (appended: no page but the last is touched),
 * until index_catch_up() sorts them and writes them in key order.
 */
void
index_defer(struct store *s)
{
	s->index_later = true;
}

/*
 * Applies one note of TB_LATER to the scratch index: a key put takes its
 * record's id, a key deleted an empty value, so that the last note of a
 * key wins, deletions included.
 */
static int
later_apply(struct store_txn *txn, struct store *s, const struct store_val *v)
{
	const uint8_t *b = v->data;

	if (v->len <= 1 + CONSORT_EID_BYTES || (b[0] != 'p' && b[0] != 'd'))
		return E(CORRUPTED);
	return store_put(txn, s, TB_SCRATCH_INDEX, b + 1 + CONSORT_EID_BYTES,
	    v->len - 1 - CONSORT_EID_BYTES, b + 1, b[0] == 'p' ?
	    CONSORT_EID_BYTES : 0, 0);
}

/*
 * Sorts TB_LATER's notes from seq `from` on into the scratch index; *last
 * is the seq of the last one sorted.
 */
static int
later_sort(struct store_txn *txn, struct store *s, uint64_t from,
    uint64_t *last)
{
	struct store_walk w;
	struct store_val k, v;
	uint8_t start[8];
	int n, rc = 0;

	util_put_be64(start, from);
	if ((rc = store_walk_begin(&w, txn, s, TB_LATER, start, sizeof(start),
	    0)) != 0)
		return rc;
	while ((n = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != 8) {
			rc = E(CORRUPTED);
			break;
		}
		*last = util_get_be64(k.data);
		if ((rc = later_apply(txn, s, &v)) != 0)
			break;
	}
	store_walk_end(&w);
	return rc != 0 ? rc : n;
}

/* Sorts TB_LATER from `from` into a scratch index, larger at each attempt. */
static int
later_sorted(struct store_txn *txn, struct store *s, uint64_t from,
    uint64_t *last)
{
	struct store_stat st;
	unsigned attempt;
	int rc;

	if ((rc = store_stat(txn, s, TB_LATER, &st)) != 0)
		return rc;
	for (attempt = 0;; attempt++) {
		if ((rc = store_scratch_open_size(s, (st.bytes << attempt) +
		    ((uint64_t)16 << 20))) != 0)
			return rc;
		rc = later_sort(txn, s, from, last);
		if (rc != E(MAPFULL) || !store_scratch_full(s) || attempt == 8)
			return rc;
		store_scratch_close(s);
	}
}

/* What one transaction of the catch-up may add to private memory. */
#define CATCH_UP_STEP ((uint64_t)8 << 20)

/* Writes one sorted key into the index: its record's id, or deleted. */
static int
catch_up_key(struct store_txn *txn, struct store *s, const struct store_val *k,
    const struct store_val *v)
{
	int rc;

	if (v->len > 0)
		return store_put(txn, s, TB_INDEX, k->data, k->len, v->data,
		    v->len, 0);
	rc = store_del(txn, s, TB_INDEX, k->data, k->len);
	return rc == E(NOENT) ? 0 : rc;
}

/*
 * Writes the sorted keys into the index from *pos on (its key, or the
 * start), in key order, until the transaction's dirty pages reach
 * CATCH_UP_STEP; *done once every key is written.
 */
static int
catch_up_step(struct store_txn *txn, struct store *s, uint8_t *pos,
    size_t *poslen, bool *done)
{
	struct store_walk w;
	struct store_val k, v;
	uint64_t base = util_private_bytes(), now;
	uint32_t count = 0;
	int n, rc = 0;

	if ((n = store_walk_begin(&w, txn, s, TB_SCRATCH_INDEX, pos, *poslen,
	    0)) != 0)
		return n;
	while ((n = store_walk_next(&w, &k, &v)) > 0) {
		if (*poslen > 0 && k.len == *poslen &&
		    memcmp(k.data, pos, k.len) == 0)
			continue;  /* written by the last step */
		if ((rc = catch_up_key(txn, s, &k, &v)) != 0)
			break;
		memcpy(pos, k.data, k.len);
		*poslen = k.len;
		if (++count % 1024 == 0 && (now = util_private_bytes()) > base &&
		    now - base >= CATCH_UP_STEP)
			break;
	}
	store_walk_end(&w);
	*done = rc == 0 && n == 0;
	return rc != 0 ? rc : n < 0 ? n : 0;
}

/*
 * One round of the catch-up: sorts the notes from `from` on, writes them
 * in steps, each committed, and leaves the last transaction open in *txn;
 * *last is the last note written.
 */
static int
catch_up_round(struct store_txn **txn, struct store *s, uint64_t from,
    uint64_t *last)
{
	uint8_t pos[INDEX_KEY_MAX];
	size_t poslen = 0;
	bool done = false;
	int rc;

	if ((rc = later_sorted(*txn, s, from, last)) != 0)
		return rc;
	while ((rc = catch_up_step(*txn, s, pos, &poslen, &done)) == 0 &&
	    !done) {
		rc = store_commit(*txn);
		*txn = NULL;
		if (rc != 0 || (rc = store_begin(s, true, txn)) != 0)
			return rc;
	}
	store_scratch_close(s);
	return rc;
}

/*
 * Ends the catch-up in txn when no note came after `last` (another
 * process writes between the steps, and notes while the layout says the
 * index is behind): empties TB_LATER and gives the layout back; 1 when
 * notes came, to write in one more round.
 */
static int
catch_up_end(struct store_txn *txn, struct store *s, uint64_t last)
{
	struct store_val k;
	int rc;

	if ((rc = store_last(txn, s, TB_LATER, &k)) == 0 && k.len == 8 &&
	    util_get_be64(k.data) > last)
		return 1;
	if (rc != 0 && rc != E(NOENT))
		return rc;
	if ((rc = store_empty(txn, s, TB_LATER)) != 0)
		return rc;
	return put_layout(txn, s, STATE_LAYOUT);
}

/*
 * Brings the index up to what TB_LATER noted since index_defer(): sorts
 * the notes in a scratch table (in TMPDIR, in the kernel's page cache),
 * then writes them into the index in key order, in durable transactions
 * whose dirty pages stay under CATCH_UP_STEP; the last empties TB_LATER
 * and gives the layout back.  Killed half-way, the store keeps the older
 * layout, and the next process to open it for writing rebuilds the state;
 * failed, this process goes on noting, for the next catch-up.
 */
int
index_catch_up(struct store *s)
{
	struct store_txn *txn;
	uint64_t from = 0, last = 0;
	int rc;

	if (!s->index_later)
		return 0;
	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	while ((rc = catch_up_round(&txn, s, from, &last)) == 0 &&
	    (rc = catch_up_end(txn, s, last)) == 1)
		from = last + 1;
	store_scratch_close(s);
	if (rc == 0)
		rc = store_commit(txn);
	else if (txn != NULL)
		store_abort(txn);
	if (rc == 0)
		s->index_later = false;
	return rc;
}

/* Appends one record to h. */
static int
add_hit(struct index_hits *h, const uint8_t *id, const void *ref,
    size_t len)
{
	struct index_hit *v;
	size_t cap;

	if (len > CONSORT_REF_MAX)
		return 0;
	if (h->n == h->cap) {
		cap = h->cap ? h->cap * 2 : 32;
		if ((v = realloc(h->v, cap * sizeof(*v))) == NULL)
			return E(NOMEM);
		h->v = v;
		h->cap = cap;
	}
	memcpy(h->v[h->n].id, id, CONSORT_EID_BYTES);
	memcpy(h->v[h->n].ref, ref, len);
	h->v[h->n].ref[len] = '\0';
	h->n++;
	return 0;
}

/* Adds the records under (kind, target[, month]) to h. */
int
index_find(struct store_txn *txn, struct store *s, enum index_kind kind,
    const char *target, int64_t month, struct index_hits *h)
{
	uint8_t prefix[1 + CONSORT_REF_MAX + 1 + 4];
	size_t len = strlen(target), n = 0;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if (len == 0 || len > CONSORT_REF_MAX)
		return 0;
	prefix[n++] = (uint8_t)kind;
	memcpy(prefix + n, target, len);
	n += len;
	prefix[n++] = 0;
	if (month >= 0) {
		util_put_be32(prefix + n, (uint32_t)month);
		n += 4;
	}
	/* a walk checks STORE_PREFIX_MAX bytes of a prefix; the rest here */
	if ((rc = store_walk_begin(&w, txn, s, TB_INDEX, prefix, n,
	    n < STORE_PREFIX_MAX ? n : STORE_PREFIX_MAX)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len < n || memcmp(k.data, prefix, n) != 0)
			break;
		if (v.len != CONSORT_EID_BYTES) {
			rc = E(STORE);
			break;
		}
		if ((rc = add_hit(h, v.data, (const uint8_t *)k.data + n,
		    k.len - n)) != 0)
			break;
	}
	store_walk_end(&w);
	return rc < 0 ? rc : 0;
}

/* Adds the stored record of a type that has ref to h. */
int
index_add_ref(struct store_txn *txn, struct store *s, unsigned type,
    const char *ref, struct index_hits *h)
{
	uint8_t key[1 + CONSORT_REF_MAX];
	size_t len = strlen(ref);
	struct store_val v;
	int rc;

	if (len == 0 || len > CONSORT_REF_MAX)
		return 0;
	key[0] = (uint8_t)type;
	memcpy(key + 1, ref, len);
	rc = store_get(txn, s, TB_REFS, key, 1 + len, &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	if (v.len != CONSORT_EID_BYTES)
		return E(STORE);
	return add_hit(h, v.data, ref, len);
}

/* Orders hits by ref, then id. */
static int
cmp_hit(const void *a, const void *b)
{
	const struct index_hit *x = a, *y = b;
	int c = strcmp(x->ref, y->ref);

	return c != 0 ? c : memcmp(x->id, y->id, CONSORT_EID_BYTES);
}

/* Sorts hits by ref, each record once. */
static void
sort_hits(struct index_hits *h)
{
	size_t i, n = 0;

	if (h->n > 1)
		qsort(h->v, h->n, sizeof(*h->v), cmp_hit);
	for (i = 0; i < h->n; i++)
		if (n == 0 || memcmp(h->v[n - 1].id, h->v[i].id,
		    CONSORT_EID_BYTES) != 0 || strcmp(h->v[n - 1].ref,
		    h->v[i].ref) != 0)
			h->v[n++] = h->v[i];
	h->n = n;
}

/*
 * Visits the records of h in ref order, as a walk of their type over the
 * refs table would: those stored with a ref (and alive, unless stored).
 */
int
index_visit(struct store_txn *txn, struct store *s, unsigned type,
    struct index_hits *h, bool stored,
    int (*fn)(void *ctx, const struct record *r), void *ctx)
{
	struct record r;
	size_t i;
	int rc = 0;

	sort_hits(h);
	record_init(&r);
	for (i = 0; i < h->n && rc == 0; i++) {
		if ((rc = record_load(txn, s, type, h->v[i].id, &r)) != 0 ||
		    (s->open_personal &&
		    (rc = personal_open_record(txn, s, &r)) != 0))
			break;
		if (!r.found || r.ref_len == 0 || (!stored &&
		    !record_alive(s, &r)))
			continue;
		if ((rc = fn(ctx, &r)) > 0) {
			rc = 0;  /* fn stopped the visit */
			break;
		}
	}
	record_free(&r);
	return rc;
}

/* Frees the hits gathered. */
void
index_hits_free(struct index_hits *h)
{
	free(h->v);
	memset(h, 0, sizeof(*h));
}
