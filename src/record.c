/*
 * The stored form of a record (DESIGN.md §4): a multi-value register per
 * field and one for the record's existence, each the set of entries that
 * no later write has seen; decoding, encoding, loading and saving it, and
 * which entry of a register is displayed.
 *
 * Stored record: [ref, [entry...], [[field, [entry...]]...]] with
 * entry = [author idx, seq, hlc, value], canonical msgpack.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define ENTRY_FIELDS 4
#define RECORD_FIELDS 3

/* Starts an empty record. */
void
record_init(struct record *r)
{
	memset(r, 0, sizeof(*r));
}

/* Frees a record's entry pool. */
void
record_free(struct record *r)
{
	personal_record_wipe(r);
	free(r->pool);
	r->pool = NULL;
	r->cap = r->npool = 0;
}

/*
 * Forgets a record's content, keeping its pool and the buffer of its
 * opened values (wiped).
 */
static void
record_reset(struct record *r, unsigned type, const uint8_t *id)
{
	struct entry *pool = r->pool;
	uint32_t cap = r->cap;
	char *clear;
	size_t capclear;

	personal_record_clear(r);
	clear = r->clear;
	capclear = r->capclear;
	memset(r, 0, sizeof(*r));
	r->pool = pool;
	r->cap = cap;
	r->clear = clear;
	r->capclear = capclear;
	r->type = (uint8_t)type;
	memcpy(r->id, id, CONSORT_EID_BYTES);
}

/* The value shown for an entry: opened where this node could, else its own. */
const struct value *
record_shown(const struct record *r, const struct entry *e)
{
	return r->shown != NULL ? &r->shown[e - r->pool] : &e->val;
}

/* Reserves n entries at the end of the pool; returns their offset. */
int
record_pool_take(struct record *r, uint32_t n, uint32_t *off)
{
	struct entry *p;
	uint32_t cap;

	if (r->npool + n > r->cap) {
		cap = r->cap ? r->cap : 64;
		while (cap < r->npool + n)
			cap *= 2;
		if ((p = realloc(r->pool, cap * sizeof(*p))) == NULL)
			return E(NOMEM);
		r->pool = p;
		r->cap = cap;
	}
	*off = r->npool;
	r->npool += n;
	return 0;
}

/* Decodes a list of entries into a register. */
static int
decode_entries(struct mp_reader *rd, struct record *r, struct reg *g)
{
	uint64_t author, seq, hlc;
	struct entry *e;
	uint32_t i, n, m;
	int rc;

	if ((rc = mp_read_array(rd, &n)) != 0)
		return rc;
	if ((rc = record_pool_take(r, n, &g->off)) != 0)
		return rc;
	g->n = n;
	for (i = 0; i < n; i++) {
		e = &r->pool[g->off + i];
		if ((rc = mp_read_array(rd, &m)) != 0)
			return rc;
		if (m != ENTRY_FIELDS)
			return E(STORE);
		if ((rc = mp_read_uint(rd, &author)) != 0 ||
		    (rc = mp_read_uint(rd, &seq)) != 0 ||
		    (rc = mp_read_uint(rd, &hlc)) != 0 ||
		    (rc = mp_read_value_max(rd, &e->val,
		    CONSORT_CS_MAX_BYTES)) != 0)
			return rc;
		if (author >= STORE_MAX_AUTHORS)
			return E(STORE);
		e->author = (uint32_t)author;
		e->seq = seq;
		e->hlc = hlc;
	}
	return 0;
}

/* Decodes a stored record blob into r (type and id already set). */
int
record_decode(const void *blob, size_t len, struct record *r)
{
	struct mp_reader rd;
	uint64_t fid;
	uint32_t i, n, m;
	int rc;

	mp_reader_init(&rd, blob, len);
	if ((rc = mp_read_array(&rd, &n)) != 0 || n != RECORD_FIELDS)
		return E(STORE);
	if ((rc = mp_read_str(&rd, &r->ref, &r->ref_len)) != 0 ||
	    (rc = decode_entries(&rd, r, &r->exist)) != 0 ||
	    (rc = mp_read_array(&rd, &n)) != 0)
		return E(STORE);
	for (i = 0; i < n; i++) {
		if (mp_read_array(&rd, &m) != 0 || m != 2 ||
		    mp_read_uint(&rd, &fid) != 0 || fid == 0 ||
		    fid > SCHEMA_MAX_FIELDS ||
		    decode_entries(&rd, r, &r->fields[fid]) != 0)
			return E(STORE);
	}
	r->found = true;
	return rd.p == rd.end ? 0 : E(STORE);
}

/* Loads a record by (type, id); r->found tells whether it exists. */
int
record_load(struct store_txn *txn, struct store *s, unsigned type,
    const uint8_t *id, struct record *r)
{
	uint8_t key[1 + CONSORT_EID_BYTES];
	struct store_val v;
	int rc;

	record_reset(r, type, id);
	key[0] = (uint8_t)type;
	memcpy(key + 1, id, CONSORT_EID_BYTES);
	rc = store_get(txn, s, TB_ENTITIES, key, sizeof(key), &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	return record_decode(v.data, v.len, r);
}

/* Packs a register's entries. */
static void
pack_entries(msgpack_packer *pk, const struct record *r, const struct reg *g)
{
	const struct entry *e;
	uint32_t i;

	msgpack_pack_array(pk, g->n);
	for (i = 0; i < g->n; i++) {
		e = &r->pool[g->off + i];
		msgpack_pack_array(pk, ENTRY_FIELDS);
		msgpack_pack_uint32(pk, e->author);
		msgpack_pack_uint64(pk, e->seq);
		msgpack_pack_uint64(pk, e->hlc);
		mp_pack_value(pk, &e->val);
	}
}

/* Encodes a record and writes it to the entities table. */
int
record_save(struct store_txn *txn, struct store *s, struct record *r,
    msgpack_sbuffer *buf)
{
	uint8_t key[1 + CONSORT_EID_BYTES];
	msgpack_packer pk;
	uint32_t nf = 0, f;

	if (r->opened)  /* personal values never reach the entities table */
		return E(INVAL);
	msgpack_sbuffer_clear(buf);
	msgpack_packer_init(&pk, buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, RECORD_FIELDS);
	mp_pack_strn(&pk, r->ref_len ? r->ref : "", r->ref_len);
	pack_entries(&pk, r, &r->exist);
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++)
		nf += r->fields[f].n > 0;
	msgpack_pack_array(&pk, nf);
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++) {
		if (r->fields[f].n == 0)
			continue;
		msgpack_pack_array(&pk, 2);
		msgpack_pack_uint32(&pk, f);
		pack_entries(&pk, r, &r->fields[f]);
	}
	key[0] = r->type;
	memcpy(key + 1, r->id, CONSORT_EID_BYTES);
	return store_put(txn, s, TB_ENTITIES, key, sizeof(key), buf->data,
	    buf->size, 0);
}

/* Orders entries by (hlc, author key): the larger one is displayed. */
static int
entry_cmp(const struct store *s, const struct entry *a, const struct entry *b)
{
	if (a->hlc != b->hlc)
		return a->hlc < b->hlc ? -1 : 1;
	return memcmp(s->authors[a->author], s->authors[b->author],
	    CONSORT_KEY_BYTES);
}

/* The displayed entry of a register, or NULL when it is empty. */
const struct entry *
record_winner(const struct store *s, const struct record *r,
    const struct reg *g)
{
	const struct entry *best = NULL, *e;
	uint32_t i;

	for (i = 0; i < g->n; i++) {
		e = &r->pool[g->off + i];
		if (best == NULL || entry_cmp(s, e, best) > 0)
			best = e;
	}
	return best;
}

/* A record is alive when its displayed existence entry holds its ref. */
bool
record_alive(const struct store *s, const struct record *r)
{
	const struct entry *e;

	if (!r->found)
		return false;
	e = record_winner(s, r, &r->exist);
	return e != NULL && e->val.kind == VAL_STR;
}
