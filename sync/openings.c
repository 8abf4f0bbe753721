/*
 * Personal values between members (schema/protocol.md, "Openings").  Once
 * a side has applied every batch of the peer (its DONE), it asks for the
 * openings it lacks of the trainees it may read (WANT); the peer answers
 * with those it holds that the asker may read by the peer's own state
 * (OPENINGS).  Each side checks every opening against the commitment its
 * record holds and keeps it only if it may read it itself, so a value
 * never reaches a node that is not entitled, through a relay or a bundle.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "session.h"

#define WANT_MAX 8192                 /* items of one WANT */
#define OPENINGS_BYTES (256u << 10)   /* of one OPENINGS message */
#define WANT_ITEM 3
#define OPENING_ITEM 6

/* One WANT being packed: its items, and the key of the last one. */
struct want_chunk {
	msgpack_sbuffer items;
	msgpack_packer pk;
	uint32_t n, max;
	uint8_t last[PERSONAL_KEY_BYTES];
};

/* Packs one wanted commitment into the chunk; stops it when it is full. */
static int
want_add(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	struct want_chunk *w = ctx;

	msgpack_pack_array(&w->pk, WANT_ITEM);
	mp_pack_bin(&w->pk, id, CONSORT_EID_BYTES);
	msgpack_pack_uint32(&w->pk, field);
	mp_pack_bin(&w->pk, c, CONSORT_COMMIT_BYTES);
	memcpy(w->last, id, CONSORT_EID_BYTES);
	w->last[CONSORT_EID_BYTES] = (uint8_t)field;
	memcpy(w->last + CONSORT_EID_BYTES + 1, c, CONSORT_COMMIT_BYTES);
	return ++w->n == w->max;
}

/*
 * Brings the lists of what this node may read and lacks up to date
 * (committed: the next sync starts from them).
 */
static int
refresh_wants(struct sess *ss)
{
	struct store *s = &ss->n->store;
	struct store_txn *txn;
	bool changed;
	int rc;

	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	if ((rc = wants_refresh(txn, s, ss->n->pk, &changed)) == 0 && changed)
		return store_commit(txn);
	store_abort(txn);  /* nothing changed: no durable commit to pay */
	return rc;
}

/*
 * Sends the next WANT: up to WANT_MAX (or the session's want_max) wanted
 * commitments after the last one sent, read from the wanted table; the
 * last WANT says it is final.
 */
static int
send_want_chunk(struct sess *ss)
{
	struct store *s = &ss->n->store;
	struct want_chunk w = { .n = 0, .max = ss->want_max > 0 &&
	    ss->want_max < WANT_MAX ? ss->want_max : WANT_MAX };
	struct store_txn *txn;
	msgpack_packer pk;
	int rc;

	msgpack_sbuffer_init(&w.items);
	msgpack_packer_init(&w.pk, &w.items, msgpack_sbuffer_write);
	if (s->atrest != NULL) {  /* without a key at rest nothing is kept */
		if ((rc = store_begin(s, false, &txn)) != 0) {
			msgpack_sbuffer_destroy(&w.items);
			return rc;
		}
		rc = wants_foreach(txn, s, ss->want_more ? ss->want_pos : NULL,
		    want_add, &w);
		store_abort(txn);
		if (rc != 0) {
			msgpack_sbuffer_destroy(&w.items);
			return rc;
		}
	}
	ss->want_sent = w.n < w.max;
	ss->want_more = !ss->want_sent;
	memcpy(ss->want_pos, w.last, sizeof(ss->want_pos));
	ss->st.wanted += w.n;
	pk = sess_begin(ss, SM_WANT, 3);
	if (ss->want_sent)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	msgpack_pack_array(&pk, w.n);
	msgpack_sbuffer_write(&ss->out, w.items.data, w.items.size);
	msgpack_sbuffer_destroy(&w.items);
	return sess_send(ss);
}

/*
 * Sends the WANT messages, what this node lacks of what it may read, a
 * chunk at a time as the transport drains (may_send), so that neither the
 * list nor the messages are held whole: the list grows with the store.
 */
int
openings_send_want(struct sess *ss)
{
	int rc;

	if (ss->want_sent)
		return 0;
	if (!ss->want_begun) {
		ss->want_begun = true;
		if (ss->n->store.atrest != NULL && (rc = refresh_wants(ss)) != 0)
			return sess_fail(ss, rc, N_("cannot update the personal "
			    "values wanted"));
	}
	do {
		if ((rc = send_want_chunk(ss)) != 0)
			return ss->err != 0 ? ss->err : sess_fail(ss, rc,
			    N_("cannot update the personal values wanted"));
	} while (!ss->want_sent && (ss->may_send == NULL ||
	    ss->may_send(ss->ctx)));
	return 0;
}

/* Packs one opening as an OPENINGS item. */
static void
pack_opening(msgpack_packer *pk, const struct personal_opening *o)
{
	msgpack_pack_array(pk, OPENING_ITEM);
	mp_pack_bin(pk, o->id, CONSORT_EID_BYTES);
	msgpack_pack_uint32(pk, o->type);
	msgpack_pack_uint32(pk, o->field);
	mp_pack_bin(pk, o->commitment, CONSORT_COMMIT_BYTES);
	mp_pack_bin(pk, o->salt, CONSORT_SALT_BYTES);
	mp_pack_value(pk, &o->value);
}

/* Sends one OPENINGS message of packed items. */
static int
send_openings(struct sess *ss, bool final, const msgpack_sbuffer *items,
    uint32_t n)
{
	msgpack_packer pk = sess_begin(ss, SM_OPENINGS, 3);

	if (final)
		msgpack_pack_true(&pk);
	else
		msgpack_pack_false(&pk);
	msgpack_pack_array(&pk, n);
	msgpack_sbuffer_write(&ss->out, items->data, items->size);
	ss->st.openings_sent += n;
	return sess_send(ss);
}

/*
 * Collects, packed, the openings this node holds of the asked commitments
 * that the peer may read; sends an OPENINGS (not final) whenever the
 * packed items reach OPENINGS_BYTES.
 */
static int
answer_items(struct sess *ss, struct store_txn *txn, struct mp_reader *r,
    uint32_t count, msgpack_sbuffer *items, uint32_t *n)
{
	uint8_t buf[PERSONAL_OPENING_MAX], id[CONSORT_EID_BYTES];
	uint8_t c[CONSORT_COMMIT_BYTES];
	struct personal_opening o;
	msgpack_packer pk;
	uint64_t field;
	uint32_t i, m;
	int rc = 0;

	msgpack_packer_init(&pk, items, msgpack_sbuffer_write);
	for (i = 0; i < count && rc == 0; i++) {
		if (mp_read_array(r, &m) != 0 || m != WANT_ITEM ||
		    mp_read_bin_fixed(r, id, CONSORT_EID_BYTES) != 0 ||
		    mp_read_uint(r, &field) != 0 || field > SCHEMA_MAX_FIELDS ||
		    mp_read_bin_fixed(r, c, CONSORT_COMMIT_BYTES) != 0)
			return E(BADTYPE);
		if (!entitle_has(&ss->theirs, id))
			continue;  /* never to a member that may not read it */
		rc = personal_get(txn, &ss->n->store, T_trainee, id,
		    (unsigned)field, c, &o, buf);
		if (rc == 0 && o.found) {
			pack_opening(&pk, &o);
			(*n)++;
		}
		sodium_memzero(buf, sizeof(buf));
		if (rc == 0 && items->size >= OPENINGS_BYTES) {
			rc = send_openings(ss, false, items, *n);
			sodium_memzero(items->data, items->size);
			msgpack_sbuffer_clear(items);
			*n = 0;
		}
	}
	return rc;
}

/* Answers one WANT with the openings the peer may read. */
int
openings_on_want(struct sess *ss, struct mp_reader *r, uint32_t n)
{
	struct store *s = &ss->n->store;
	msgpack_sbuffer items;
	struct store_txn *txn;
	uint32_t count, k = 0;
	bool final;
	int rc;

	if (n != 3 || ss->peer_want_done || mp_read_bool(r, &final) != 0 ||
	    mp_read_array(r, &count) != 0 || count > WANT_MAX)
		return sess_fail(ss, E(BADTYPE), N_("malformed WANT"));
	if ((rc = store_begin(s, false, &txn)) != 0)
		return sess_fail(ss, rc, N_("cannot read the store"));
	/* what the peer may read: computed once, and only when it asks */
	if (count > 0 && !ss->has_theirs && ss->has_peer && s->atrest != NULL &&
	    (rc = entitle_set_of(txn, s, ss->peer, &ss->theirs)) == 0)
		ss->has_theirs = true;
	msgpack_sbuffer_init(&items);
	if (rc == 0 && ss->has_theirs)
		rc = answer_items(ss, txn, r, count, &items, &k);
	store_abort(txn);
	if (rc == 0)
		rc = send_openings(ss, final, &items, k);
	else
		rc = sess_fail(ss, rc, rc == E(BADTYPE) ? N_("malformed WANT") :
		    N_("cannot read the store"));
	sodium_memzero(items.data, items.size);
	msgpack_sbuffer_destroy(&items);
	ss->peer_want_done = final;
	return rc;
}

/* Whether a record's register of a field holds the commitment. */
static bool
holds_commitment(const struct record *r, unsigned field, const uint8_t *c)
{
	const struct entry *e;
	uint32_t k;

	for (k = 0; k < r->fields[field].n; k++) {
		e = &r->pool[r->fields[field].off + k];
		if (e->val.kind == VAL_BIN && e->val.len == CONSORT_COMMIT_BYTES &&
		    memcmp(e->val.s, c, CONSORT_COMMIT_BYTES) == 0)
			return true;
	}
	return false;
}

/* Reads one OPENINGS item. */
static int
read_opening(struct mp_reader *r, struct personal_opening *o)
{
	uint64_t type, field;
	uint32_t m;

	memset(o, 0, sizeof(*o));
	if (mp_read_array(r, &m) != 0 || m != OPENING_ITEM ||
	    mp_read_bin_fixed(r, o->id, CONSORT_EID_BYTES) != 0 ||
	    mp_read_uint(r, &type) != 0 || type != T_trainee ||
	    mp_read_uint(r, &field) != 0 || field > SCHEMA_MAX_FIELDS ||
	    mp_read_bin_fixed(r, o->commitment, CONSORT_COMMIT_BYTES) != 0 ||
	    mp_read_bin_fixed(r, o->salt, CONSORT_SALT_BYTES) != 0 ||
	    mp_read_value(r, &o->value) != 0)
		return E(BADTYPE);
	o->type = (uint8_t)type;
	o->field = (uint8_t)field;
	return 0;
}

/*
 * Keeps one received opening when this node may read it and its record
 * holds the commitment: counted in kept, or in skipped.
 */
static int
keep_opening(struct store_txn *txn, struct store *s,
    const struct personal_opening *o, struct record *rec,
    struct openings_receipt *rr, struct consort_diag *d)
{
	bool may;
	int rc;

	if ((rc = wants_may_read(txn, s, o->id, &may)) != 0)
		return rc;
	if (!may) {
		rr->skipped++;
		return 0;
	}
	if ((rc = record_load(txn, s, o->type, o->id, rec)) != 0)
		return rc;
	if (!holds_commitment(rec, o->field, o->commitment)) {
		rr->skipped++;
		return 0;
	}
	rc = personal_put_in(txn, s, o, rec, d);
	if (rc == E(ERASED)) {
		rr->skipped++;
		return 0;
	}
	if (rc == 0) {
		rr->kept++;
		rc = wants_done(txn, s, o->id, o->field, o->commitment);
	}
	return rc;
}

/*
 * Checks the items of an OPENINGS message, and with txn keeps them
 * (openings_keep); without, only checks each against its commitment.
 */
int
openings_items(struct store_txn *txn, struct store *s, struct mp_reader *r,
    struct openings_receipt *rr, struct consort_diag *d)
{
	struct personal_opening o;
	struct record rec;
	uint32_t count, i;
	int rc = 0;

	if (mp_read_array(r, &count) != 0)
		return E(BADTYPE);
	record_init(&rec);
	for (i = 0; i < count && rc == 0; i++) {
		if ((rc = read_opening(r, &o)) != 0)
			break;
		if (txn == NULL)
			rc = personal_check(&o, d);
		else
			rc = keep_opening(txn, s, &o, &rec, rr, d);
	}
	record_free(&rec);
	return rc;
}

/* Keeps the openings the peer sent, in one transaction. */
int
openings_on_openings(struct sess *ss, struct mp_reader *r, uint32_t n)
{
	struct store *s = &ss->n->store;
	struct store_txn *txn;
	bool final;
	int rc;

	if (n != 3 || !ss->want_begun || ss->openings_done ||
	    mp_read_bool(r, &final) != 0)
		return sess_fail(ss, E(BADTYPE), N_("malformed OPENINGS"));
	if ((rc = store_begin(s, true, &txn)) != 0)
		return sess_fail(ss, rc, N_("cannot write the store"));
	rc = openings_items(txn, s, r, &ss->st.openings, &ss->diag);
	if (rc == 0)
		rc = store_commit(txn);
	else
		store_abort(txn);
	if (rc != 0)
		return sess_fail(ss, rc, rc == E(BADTYPE) ?
		    N_("malformed OPENINGS") : NULL);
	ss->openings_done = final;
	return 0;
}

struct export_ctx {
	struct sess *ss;
	struct store_txn *txn;
	msgpack_sbuffer items;
	msgpack_packer pk;
	uint32_t n;
};

/* Packs one held opening the bundle's reader may read; sends full messages. */
static int
export_one(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	struct export_ctx *x = ctx;
	uint8_t buf[PERSONAL_OPENING_MAX];
	struct personal_opening o;
	int rc;

	if (!entitle_has(&x->ss->theirs, id))
		return 0;
	rc = personal_get(x->txn, &x->ss->n->store, T_trainee, id, field, c,
	    &o, buf);
	if (rc == 0 && o.found) {
		pack_opening(&x->pk, &o);
		x->n++;
	}
	sodium_memzero(buf, sizeof(buf));
	if (rc == 0 && x->items.size >= OPENINGS_BYTES) {
		rc = send_openings(x->ss, false, &x->items, x->n);
		sodium_memzero(x->items.data, x->items.size);
		msgpack_sbuffer_clear(&x->items);
		x->n = 0;
	}
	return rc;
}

/* Writes, before a bundle's DONE, the openings its reader may read. */
int
openings_export(struct sess *ss)
{
	struct store *s = &ss->n->store;
	struct export_ctx x = { .ss = ss };
	int rc;

	if (s->atrest == NULL)
		return 0;  /* no key at rest: nothing readable to give */
	if ((rc = store_begin(s, false, &x.txn)) != 0)
		return rc;
	if ((rc = entitle_set_of(x.txn, s, ss->bundle_for, &ss->theirs)) == 0) {
		ss->has_theirs = true;
		msgpack_sbuffer_init(&x.items);
		msgpack_packer_init(&x.pk, &x.items, msgpack_sbuffer_write);
		rc = personal_foreach(x.txn, s, export_one, &x);
		if (rc == 0)
			rc = send_openings(ss, true, &x.items, x.n);
		sodium_memzero(x.items.data, x.items.size);
		msgpack_sbuffer_destroy(&x.items);
	}
	store_abort(x.txn);
	return rc;
}
