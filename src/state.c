/*
 * The materialised state: its hash (over every register, so two nodes agree
 * on conflicts too), the canonical JSON export, and record queries.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"
#include "jsonw.h"

/* Orders two entries of one register by (author key, seq). */
static int
entry_order(const struct store *s, const struct entry *a, const struct entry *b)
{
	int c = memcmp(s->authors[a->author], s->authors[b->author],
	    CONSORT_KEY_BYTES);

	if (c != 0)
		return c;
	return a->seq < b->seq ? -1 : a->seq > b->seq;
}

/* Packs a register's entries in (author key, seq) order, with full keys. */
static void
hash_entries(msgpack_packer *pk, const struct store *s, const struct record *r,
    const struct reg *g)
{
	const struct entry *e[RECORD_MAX_SORT], *t;
	uint32_t i, k, n = g->n < RECORD_MAX_SORT ? g->n : RECORD_MAX_SORT;

	for (i = 0; i < n; i++) {
		e[i] = &r->pool[g->off + i];
		for (k = i; k > 0 && entry_order(s, e[k - 1], e[k]) > 0; k--) {
			t = e[k - 1];
			e[k - 1] = e[k];
			e[k] = t;
		}
	}
	msgpack_pack_array(pk, n);
	for (i = 0; i < n; i++) {
		msgpack_pack_array(pk, 4);
		mp_pack_bin(pk, s->authors[e[i]->author], CONSORT_KEY_BYTES);
		msgpack_pack_uint64(pk, e[i]->seq);
		msgpack_pack_uint64(pk, e[i]->hlc);
		mp_pack_value(pk, &e[i]->val);
	}
}

/* Packs one record in the canonical form the state hash covers. */
static void
hash_record(msgpack_packer *pk, const struct store *s, const struct record *r)
{
	uint32_t f, nf = 0;

	msgpack_pack_array(pk, 5);
	msgpack_pack_uint32(pk, r->type);
	mp_pack_bin(pk, r->id, CONSORT_EID_BYTES);
	mp_pack_strn(pk, r->ref, r->ref_len);
	hash_entries(pk, s, r, &r->exist);
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++)
		nf += r->fields[f].n > 0;
	msgpack_pack_array(pk, nf);
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++) {
		if (r->fields[f].n == 0)
			continue;
		msgpack_pack_array(pk, 2);
		msgpack_pack_uint32(pk, f);
		hash_entries(pk, s, r, &r->fields[f]);
	}
}

/*
 * BLAKE2b-256 over every record in (type, id) order, each in canonical
 * form with author keys instead of local numbers: equal on every node that
 * applied the same change-sets.
 */
int
state_hash(struct store_txn *txn, struct store *s,
    uint8_t out[CONSORT_HASH_BYTES])
{
	crypto_generichash_state st;
	msgpack_sbuffer buf;
	msgpack_packer pk;
	struct record r;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_ENTITIES, NULL, 0, 0)) != 0)
		return rc;
	crypto_generichash_init(&st, NULL, 0, CONSORT_HASH_BYTES);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	record_init(&r);
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != 1 + CONSORT_EID_BYTES) {
			rc = E(STORE);
			break;
		}
		r.npool = 0;
		memset(&r.exist, 0, sizeof(r.exist));
		memset(r.fields, 0, sizeof(r.fields));
		r.type = *(const uint8_t *)k.data;
		memcpy(r.id, (const uint8_t *)k.data + 1, CONSORT_EID_BYTES);
		if ((rc = record_decode(v.data, v.len, &r)) != 0)
			break;
		msgpack_sbuffer_clear(&buf);
		hash_record(&pk, s, &r);
		crypto_generichash_update(&st, (uint8_t *)buf.data, buf.size);
	}
	store_walk_end(&w);
	record_free(&r);
	msgpack_sbuffer_destroy(&buf);
	if (rc != 0)
		return rc;
	crypto_generichash_final(&st, out, CONSORT_HASH_BYTES);
	return 0;
}

/* Loads the record (type, ref); r->found and record_alive() tell its state. */
int
state_lookup(struct store_txn *txn, struct store *s,
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len, struct record *r)
{
	uint8_t id[CONSORT_EID_BYTES];
	int rc;

	keys_entity_id(id, founder, type, ref, len);
	if ((rc = record_load(txn, s, type, id, r)) != 0)
		return rc;
	return s->open_personal ? personal_open_record(txn, s, r) : 0;
}

/* Names a stored record that does not decode, with what to do. */
static int
damaged(struct consort_diag *d, unsigned type, const struct store_val *refkey,
    int rc)
{
	const struct schema_type *t = schema_type(type);
	char where[300];

	snprintf(where, sizeof(where), "%s %.*s", t ? t->name : "record",
	    (int)(refkey->len - 1), (const char *)refkey->data + 1);
	return consort_diag_set(d, rc, where, _("the stored record is damaged"),
	    _("run consort verify, then consort rebuild"));
}

/*
 * Calls fn(ctx, r) for every stored record of a type, deleted ones too;
 * fn returns 0 to go on, a positive value to stop (success), a negative
 * error to fail.  A record that does not decode is named in d.
 */
int
state_foreach_stored(struct store_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx, struct consort_diag *d)
{
	uint8_t t = (uint8_t)type;
	struct record r;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_REFS, &t, 1, 1)) != 0)
		return rc;
	record_init(&r);
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len < 2) {
			rc = 0;
			break;
		}
		if (v.len != CONSORT_EID_BYTES) {
			rc = damaged(d, type, &k, E(STORE));
			break;
		}
		if ((rc = record_load(txn, s, type, v.data, &r)) != 0 ||
		    (s->open_personal &&
		    (rc = personal_open_record(txn, s, &r)) != 0)) {
			rc = damaged(d, type, &k, rc);
			break;
		}
		if ((rc = fn(ctx, &r)) != 0) {
			if (rc > 0)
				rc = 0;  /* fn stopped the walk */
			break;
		}
	}
	store_walk_end(&w);
	record_free(&r);
	return rc;
}

/* The visit of state_foreach_d: the caller's, for live records only. */
struct live_visit {
	struct store *s;
	state_visit_fn fn;
	void *ctx;
};

/* Passes a live record on to the caller's visit. */
static int
visit_live(void *ctx, const struct record *r)
{
	struct live_visit *lv = ctx;

	return record_alive(lv->s, r) ? lv->fn(lv->ctx, r) : 0;
}

/*
 * Calls fn(ctx, r) for every live record of a type, as
 * state_foreach_stored() does.
 */
int
state_foreach_d(struct store_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx, struct consort_diag *d)
{
	struct live_visit lv = { s, fn, ctx };

	return state_foreach_stored(txn, s, type, visit_live, &lv, d);
}

/* state_foreach_d without a diagnostic. */
int
state_foreach(struct store_txn *txn, struct store *s, unsigned type,
    state_visit_fn fn, void *ctx)
{
	return state_foreach_d(txn, s, type, fn, ctx, NULL);
}

/* Counter for state_count. */
static int
count_one(void *ctx, const struct record *r)
{
	(void)r;
	(*(uint64_t *)ctx)++;
	return 0;
}

/* Counts the live records of a type. */
int
state_count(struct store_txn *txn, struct store *s, unsigned type, uint64_t *n)
{
	*n = 0;
	return state_foreach(txn, s, type, count_one, n);
}

/* The displayed value of a field, or NULL when it is unset. */
const struct value *
state_field(const struct store *s, const struct record *r, unsigned field)
{
	const struct entry *e;

	if (field == 0 || field > SCHEMA_MAX_FIELDS)
		return NULL;
	e = record_winner(s, r, &r->fields[field]);
	return e == NULL || e->val.kind == VAL_NIL ? NULL : record_shown(r, e);
}

/*
 * Writes a record's displayed fields as a JSON object, sorted by name;
 * personal values this node cannot read are left out.
 */
void
state_record_json(struct jsonw *w, const struct store *s, const struct record *r)
{
	const struct schema_type *t = schema_type(r->type);
	const struct value *v;
	unsigned i;

	jw_obj(w);
	for (i = 0; t != NULL && i < t->nfields; i++) {
		/* a personal value this node cannot read is left out */
		if ((v = state_field(s, r, t->sorted[i]->id)) == NULL ||
		    v->kind == VAL_BIN)
			continue;
		jw_key(w, t->sorted[i]->name);
		jw_value(w, v);
	}
	jw_obj_end(w);
}

struct export_ctx {
	struct jsonw *w;
	const struct store *s;
	const char *type;
	bool opened;
};

/* Writes one record of the export, opening its type's object on first use. */
static int
export_one(void *ctx, const struct record *r)
{
	struct export_ctx *x = ctx;

	if (!x->opened) {
		jw_key(x->w, x->type);
		jw_obj(x->w);
		x->opened = true;
	}
	jw_keyn(x->w, r->ref, r->ref_len);
	state_record_json(x->w, x->s, r);
	return 0;
}

/*
 * Writes the canonical export: {"<type>": {"<ref>": {fields}}} for every
 * exported type that has live records, keys sorted at every level.
 */
int
state_export_json(struct store_txn *txn, struct store *s, struct jsonw *w,
    struct consort_diag *d)
{
	const struct schema_type *types[SCHEMA_MAX_TYPES];
	struct export_ctx x = { w, s, NULL, false };
	unsigned i, n;
	int rc;

	n = schema_types_sorted(types, SCHEMA_MAX_TYPES);
	jw_obj(w);
	for (i = 0; i < n; i++) {
		if (!(types[i]->flags & SCHEMA_EXPORT))
			continue;
		x.type = types[i]->name;
		x.opened = false;
		if ((rc = state_foreach_d(txn, s, types[i]->id, export_one, &x,
		    d)) != 0)
			return rc;
		if (x.opened)
			jw_obj_end(w);
	}
	jw_obj_end(w);
	return 0;
}

/* Whether two stored records hold the same registers, whatever their order. */
static int
records_equal(const struct store *s, const struct store_val *key,
    const struct store_val *a, const struct store_val *b, bool *equal)
{
	msgpack_sbuffer ba, bb;
	msgpack_packer pa, pb;
	struct record ra, rb;
	int rc;

	record_init(&ra);
	record_init(&rb);
	ra.type = rb.type = *(const uint8_t *)key->data;
	memcpy(ra.id, (const uint8_t *)key->data + 1, CONSORT_EID_BYTES);
	memcpy(rb.id, ra.id, CONSORT_EID_BYTES);
	msgpack_sbuffer_init(&ba);
	msgpack_sbuffer_init(&bb);
	rc = record_decode(a->data, a->len, &ra);
	if (rc == 0)
		rc = record_decode(b->data, b->len, &rb);
	if (rc == 0) {
		msgpack_packer_init(&pa, &ba, msgpack_sbuffer_write);
		msgpack_packer_init(&pb, &bb, msgpack_sbuffer_write);
		hash_record(&pa, s, &ra);
		hash_record(&pb, s, &rb);
		*equal = ba.size == bb.size && memcmp(ba.data, bb.data, ba.size) == 0;
	}
	if (rc == E(STORE)) {
		*equal = false;  /* a stored record that does not decode */
		rc = 0;
	}
	msgpack_sbuffer_destroy(&ba);
	msgpack_sbuffer_destroy(&bb);
	record_free(&ra);
	record_free(&rb);
	return rc;
}

/* Names the record of a state-table key in a diagnostic. */
static int
state_differs(struct consort_diag *d, const struct store_val *key,
    enum store_table table)
{
	const struct schema_type *t;
	const uint8_t *k = key->data;
	char where[300], hex[2 * CONSORT_EID_BYTES + 1];

	t = key->len > 0 ? schema_type(k[0]) : NULL;
	if (table == TB_INDEX)
		snprintf(where, sizeof(where), _("index entry %.*s"),
		    (int)(key->len > 1 ? key->len - 1 : 0), k + 1);
	else if (table == TB_REFS)
		snprintf(where, sizeof(where), _("ref %s %.*s"), t ? t->name :
		    "?",
		    (int)(key->len > 1 ? key->len - 1 : 0), k + 1);
	else if (table == TB_VV && key->len == CONSORT_HASH_BYTES) {
		util_hex(hex, k, CONSORT_EID_BYTES);
		snprintf(where, sizeof(where), _("causal context of change-set "
		    "%s"), hex);
	}
	else if (key->len >= 1 + CONSORT_EID_BYTES) {
		util_hex(hex, k + 1, CONSORT_EID_BYTES);
		snprintf(where, sizeof(where), "%s %s %s", table == TB_OWNERS ?
		    _("ownership of") : "record", t ? t->name : "unknown", hex);
	} else
		snprintf(where, sizeof(where), _("a malformed state key"));
	return consort_diag_set(d, E(STATE), where,
	    _("the stored state differs "
	    "from a rebuild of the log"), _("run consort rebuild"));
}

/*
 * Compares a stored state table with a rebuilt one, key by key.  Records
 * whose bytes differ are compared by content, since register entries may
 * be stored in another order.
 */
int
state_compare(struct store_txn *txn, struct store *s, enum store_table stored,
    enum store_table rebuilt, struct consort_diag *d)
{
	bool records = stored == TB_ENTITIES;
	struct store_walk wa, wb;
	struct store_val ka, va, kb, vb;
	bool equal;
	int ra, rb, rc = 0;

	if ((rc = store_walk_begin(&wa, txn, s, stored, NULL, 0, 0)) != 0)
		return rc;
	if ((rc = store_walk_begin(&wb, txn, s, rebuilt, NULL, 0, 0)) != 0) {
		store_walk_end(&wa);
		return rc;
	}
	for (;;) {
		ra = store_walk_next(&wa, &ka, &va);
		rb = store_walk_next(&wb, &kb, &vb);
		if (ra == 0 && rb == 0)
			break;
		if (ra < 0 || rb < 0) {
			rc = ra < 0 ? ra : rb;
			break;
		}
		if (ra == 0 || rb == 0 || ka.len != kb.len ||
		    memcmp(ka.data, kb.data, ka.len) != 0) {
			rc = state_differs(d, ra > 0 ? &ka : &kb, stored);
			break;
		}
		if (va.len == vb.len && memcmp(va.data, vb.data, va.len) == 0)
			continue;
		equal = false;
		if (records && (rc = records_equal(s, &ka, &va, &vb, &equal)) != 0)
			break;
		if (!equal) {
			rc = state_differs(d, &ka, stored);
			break;
		}
	}
	store_walk_end(&wa);
	store_walk_end(&wb);
	return rc;
}
