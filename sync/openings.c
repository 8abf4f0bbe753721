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
#define RELEASE_EVERY 4096            /* items read between two unmappings */

/* The wanted commitments of one session, read from the wanted table. */
struct want {
	uint8_t id[CONSORT_EID_BYTES];
	uint8_t field;
	uint8_t commitment[CONSORT_COMMIT_BYTES];
};

struct want_list {
	struct want *w;
	size_t n, cap;
};

/* Adds one wanted commitment to the list. */
static int
want_add(void *ctx, const uint8_t *id, unsigned field, const uint8_t *c)
{
	struct want_list *l = ctx;
	struct want *p;
	size_t cap;

	if (l->n == l->cap) {
		cap = l->cap ? l->cap * 2 : 256;
		if ((p = realloc(l->w, cap * sizeof(*p))) == NULL)
			return E(NOMEM);
		l->w = p;
		l->cap = cap;
	}
	p = &l->w[l->n++];
	memcpy(p->id, id, CONSORT_EID_BYTES);
	p->field = (uint8_t)field;
	memcpy(p->commitment, c, CONSORT_COMMIT_BYTES);
	return 0;
}

/*
 * Reads what this node lacks of what it may read, bringing the lists up
 * to date first (committed: the next sync starts from them).
 */
static int
read_wants(struct sess *ss, struct want_list *l)
{
	struct store *s = &ss->n->store;
	struct store_txn *txn;
	bool changed;
	int rc;

	if (s->atrest == NULL)
		return 0;  /* no key at rest: nothing could be kept */
	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	if ((rc = wants_refresh(txn, s, ss->n->pk, &changed)) == 0 &&
	    (rc = wants_foreach(txn, s, want_add, l)) == 0 && changed)
		rc = store_commit(txn);
	else
		store_abort(txn);  /* nothing changed: no durable commit to pay */
	return rc;
}

/* Sends the WANT messages: what this node lacks of what it may read. */
int
openings_send_want(struct sess *ss)
{
	struct want_list l = { 0 };
	msgpack_packer pk;
	size_t i = 0, k, chunk;
	int rc;

	if (ss->want_sent)
		return 0;
	ss->want_sent = true;
	if ((rc = read_wants(ss, &l)) != 0) {
		free(l.w);
		return sess_fail(ss, rc, N_("cannot update the personal values "
		    "wanted"));
	}
	ss->st.wanted = l.n;
	do {
		chunk = l.n - i < WANT_MAX ? l.n - i : WANT_MAX;
		pk = sess_begin(ss, SM_WANT, 3);
		if (i + chunk == l.n)
			msgpack_pack_true(&pk);
		else
			msgpack_pack_false(&pk);
		msgpack_pack_array(&pk, (uint32_t)chunk);
		for (k = i; k < i + chunk; k++) {
			msgpack_pack_array(&pk, WANT_ITEM);
			mp_pack_bin(&pk, l.w[k].id, CONSORT_EID_BYTES);
			msgpack_pack_uint32(&pk, l.w[k].field);
			mp_pack_bin(&pk, l.w[k].commitment, CONSORT_COMMIT_BYTES);
		}
		i += chunk;
		rc = sess_send(ss);
	} while (rc == 0 && i < l.n);
	free(l.w);
	return rc;
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
		if ((i + 1) % RELEASE_EVERY == 0)
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

	if (n != 3 || !ss->want_sent || ss->openings_done ||
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
