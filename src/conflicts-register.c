/*
 * Register conflicts (DESIGN.md §4): a register holding competing values
 * written concurrently, and a deletion concurrent with an update.  Every
 * node holding the same change-sets lists the same conflicts with the same
 * ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

/* Orders values for listing: the displayed winner first (hlc, then key). */
static int
cmp_values(const void *pa, const void *pb)
{
	const struct conflict_value *a = pa, *b = pb;

	size_t n;
	int c;

	if (a->hlc != b->hlc)
		return a->hlc > b->hlc ? -1 : 1;
	if ((c = memcmp(a->author, b->author, CONSORT_KEY_BYTES)) != 0)
		return -c;
	if (a->seq != b->seq)
		return a->seq > b->seq ? -1 : 1;
	if (a->val.kind != VAL_STR || b->val.kind != VAL_STR)
		return (int)a->val.kind - (int)b->val.kind;
	n = a->val.len < b->val.len ? a->val.len : b->val.len;
	if ((c = memcmp(a->val.s, b->val.s, n)) != 0)
		return c;
	return (int)a->val.len - (int)b->val.len;
}

/* Appends a register entry as a competing value (opened if it was). */
static void
add_value(const struct store *s, struct conflict *c, const struct record *r,
    const struct entry *e, bool deletion)
{
	struct conflict_value *v;

	if (c->n == CONFLICT_MAX_VALUES)
		return;
	v = &c->values[c->n++];
	v->val = deletion ? (struct value){ VAL_NIL, false, 0, NULL, 0 } :
	    *record_shown(r, e);
	memcpy(v->author, s->authors[e->author], CONSORT_KEY_BYTES);
	v->seq = e->seq;
	v->hlc = e->hlc;
	v->deletion = deletion;
}

/*
 * Sorts a conflict's values (displayed winner first) and gives it its id:
 * a hash of what it is about and of who wrote what.
 */
void
conflict_finish(struct conflict *c, const uint8_t *eid)
{
	crypto_generichash_state st;
	uint8_t h[8], head[2] = { c->type, c->field };
	const struct schema_type *t = schema_type(c->type);
	const struct schema_field *f = t != NULL && c->field != 0 ?
	    schema_field(t, c->field) : NULL;
	bool personal = f != NULL && f->personal;
	uint8_t seq[8];
	uint32_t i;

	qsort(c->values, c->n, sizeof(c->values[0]), cmp_values);
	crypto_generichash_init(&st, NULL, 0, sizeof(h));
	crypto_generichash_update(&st, (const uint8_t *)c->kind, strlen(c->kind));
	crypto_generichash_update(&st, head, 2);
	if (eid != NULL)
		crypto_generichash_update(&st, eid, CONSORT_EID_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)c->ref, c->ref_len);
	for (i = 0; i < c->n; i++) {
		util_put_be64(seq, c->values[i].seq);
		crypto_generichash_update(&st, c->values[i].author, CONSORT_KEY_BYTES);
		crypto_generichash_update(&st, seq, 8);
		/* a personal value, opened or not, stays out: the id is the same
		   on a node that reads it and on one that does not */
		if (c->values[i].val.kind == VAL_STR && !personal)
			crypto_generichash_update(&st, (const uint8_t *)c->values[i].val.s,
			    c->values[i].val.len);
	}
	crypto_generichash_final(&st, h, sizeof(h));
	c->id[0] = 'C';
	util_hex(c->id + 1, h, sizeof(h));
}

/* Whether a register holds two or more different values. */
static bool
competing(const struct record *r, const struct reg *g)
{
	uint32_t i;

	for (i = 1; i < g->n; i++)
		if (!value_equal(&r->pool[g->off].val, &r->pool[g->off + i].val))
			return true;
	return false;
}

/* Starts a conflict about a record. */
void
conflict_begin(struct conflict *c, const char *kind, const struct record *r,
    unsigned field)
{
	memset(c, 0, sizeof(*c));
	c->kind = kind;
	c->type = r->type;
	c->ref = r->ref;
	c->ref_len = r->ref_len;
	c->field = (uint8_t)field;
}

/* The register conflicts of one record: fields, and deletion vs update. */
static int
record_conflicts(const struct store *s, const struct record *r,
    conflict_fn fn, void *ctx)
{
	const struct entry *w = record_winner(s, r, &r->exist);
	bool deleted = w != NULL && w->val.kind == VAL_NIL;
	struct conflict c;
	uint32_t f, i;
	int rc;

	if (r->ref_len == 0)
		return 0;  /* values of a record whose creation has not arrived */
	if (competing(r, &r->exist)) {
		conflict_begin(&c, "delete", r, 0);
		for (i = 0; i < r->exist.n; i++)
			add_value(s, &c, r, &r->pool[r->exist.off + i],
			    r->pool[r->exist.off + i].val.kind == VAL_NIL);
		conflict_finish(&c, r->id);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++) {
		const struct reg *g = &r->fields[f];

		if (g->n == 0 || (!deleted && !competing(r, g)))
			continue;
		conflict_begin(&c, deleted ? "delete" : "field", r, f);
		if (deleted)
			add_value(s, &c, r, w, true);
		for (i = 0; i < g->n; i++)
			add_value(s, &c, r, &r->pool[g->off + i], false);
		conflict_finish(&c, r->id);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Whether a record holds a register conflict: its existence or a field
 * holds competing values, or it was deleted while a field was written
 * concurrently (what record_conflicts lists).
 */
bool
conflicts_record_has(const struct store *s, const struct record *r)
{
	const struct entry *w = record_winner(s, r, &r->exist);
	bool deleted = w != NULL && w->val.kind == VAL_NIL;
	uint32_t f;

	if (r->ref_len == 0)
		return false;
	if (competing(r, &r->exist))
		return true;
	for (f = 1; f <= SCHEMA_MAX_FIELDS; f++)
		if (r->fields[f].n > 0 && (deleted || competing(r, &r->fields[f])))
			return true;
	return false;
}

/*
 * Lists the register conflicts of every stored record (alive or not) of a
 * type (when type > 0), or of every type, to fn; with s->open_personal,
 * their personal values opened where this node can.
 */
int
conflicts_register_scan(struct store_txn *txn, struct store *s, int type,
    conflict_fn fn, void *ctx)
{
	uint8_t t = (uint8_t)(type > 0 ? type : 0);
	struct record r;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_ENTITIES, &t, type > 0 ? 1 : 0,
	    type > 0 ? 1 : 0)) != 0)
		return rc;
	record_init(&r);
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != 1 + CONSORT_EID_BYTES) {
			rc = E(STORE);
			break;
		}
		personal_record_wipe(&r);
		memset(&r.exist, 0, sizeof(r.exist));
		memset(r.fields, 0, sizeof(r.fields));
		r.npool = 0;
		r.type = *(const uint8_t *)k.data;
		memcpy(r.id, (const uint8_t *)k.data + 1, CONSORT_EID_BYTES);
		if ((rc = record_decode(v.data, v.len, &r)) != 0 ||
		    (s->open_personal &&
		    (rc = personal_open_record(txn, s, &r)) != 0) ||
		    (rc = record_conflicts(s, &r, fn, ctx)) != 0)
			break;
	}
	store_walk_end(&w);
	record_free(&r);
	return rc;
}

/* Orders records found by their entity ids, as the entities table does. */
static int
cmp_id(const void *a, const void *b)
{
	return memcmp(((const struct index_hit *)a)->id,
	    ((const struct index_hit *)b)->id, CONSORT_EID_BYTES);
}

/*
 * Lists the register conflicts of the records of a type that have the
 * refs given, as conflicts_register_scan() lists them for that type (in
 * the entities table's order), reading only those records.
 */
int
conflicts_register_of(struct store_txn *txn, struct store *s, unsigned type,
    const char *const *refs, size_t n, conflict_fn fn, void *ctx)
{
	struct index_hits h = { 0 };
	struct record r;
	size_t i, k = 0;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = index_add_ref(txn, s, type, refs[i], &h);
	if (rc == 0 && h.n > 1)
		qsort(h.v, h.n, sizeof(*h.v), cmp_id);
	record_init(&r);
	for (i = 0; i < h.n && rc == 0; i++) {
		if (k > 0 && memcmp(h.v[k - 1].id, h.v[i].id,
		    CONSORT_EID_BYTES) == 0)
			continue;  /* a record flagged twice */
		h.v[k++] = h.v[i];
		if ((rc = record_load(txn, s, type, h.v[i].id, &r)) == 0 &&
		    (!s->open_personal ||
		    (rc = personal_open_record(txn, s, &r)) == 0) && r.found)
			rc = record_conflicts(s, &r, fn, ctx);
	}
	record_free(&r);
	index_hits_free(&h);
	return rc;
}
