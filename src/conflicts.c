/*
 * Conflicts (DESIGN.md §4): a register holding competing values written
 * concurrently, a deletion concurrent with an update, and the business
 * conflicts (schema/rules.md) computed on the merged state: one intent backing
 * two paths or one employer's intents for one trainee with two providers
 * (R07), one trainee financed in two sessions at once (R01), a path whose
 * session is gone (R16).  Every node holding the same change-sets lists the
 * same conflicts with the same ids.
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

/* Appends a register entry as a competing value. */
static void
add_value(const struct store *s, struct conflict *c, const struct entry *e,
    bool deletion)
{
	struct conflict_value *v;

	if (c->n == CONFLICT_MAX_VALUES)
		return;
	v = &c->values[c->n++];
	v->val = deletion ? (struct value){ VAL_NIL, false, 0, NULL, 0 } : e->val;
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
		if (c->values[i].val.kind == VAL_STR)
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
	const struct entry *w = merge_winner(s, r, &r->exist);
	bool deleted = w != NULL && w->val.kind == VAL_NIL;
	struct conflict c;
	uint32_t f, i;
	int rc;

	if (r->ref_len == 0)
		return 0;  /* values of a record whose creation has not arrived */
	if (competing(r, &r->exist)) {
		conflict_begin(&c, "delete", r, 0);
		for (i = 0; i < r->exist.n; i++)
			add_value(s, &c, &r->pool[r->exist.off + i],
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
			add_value(s, &c, w, true);
		for (i = 0; i < g->n; i++)
			add_value(s, &c, &r->pool[g->off + i], false);
		conflict_finish(&c, r->id);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	return 0;
}

/* Walks every stored record (alive or not) of a type, or of every type. */
static int
register_conflicts(MDB_txn *txn, struct store *s, int type, conflict_fn fn,
    void *ctx)
{
	uint8_t t = (uint8_t)(type > 0 ? type : 0);
	struct record r;
	MDB_cursor *cur;
	MDB_val k = { 1, &t }, v;
	int rc, op = type > 0 ? MDB_SET_RANGE : MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, s->dbi[TB_ENTITIES], &cur)) != 0)
		return store_err(rc);
	merge_record_init(&r);
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != 1 + CONSORT_EID_BYTES) {
			rc = E(STORE);
			break;
		}
		if (type > 0 && *(uint8_t *)k.mv_data != t)
			break;
		memset(&r.exist, 0, sizeof(r.exist));
		memset(r.fields, 0, sizeof(r.fields));
		r.npool = 0;
		r.type = *(uint8_t *)k.mv_data;
		memcpy(r.id, (uint8_t *)k.mv_data + 1, CONSORT_EID_BYTES);
		if ((rc = merge_decode(v.mv_data, v.mv_size, &r)) != 0 ||
		    (rc = record_conflicts(s, &r, fn, ctx)) != 0)
			break;
	}
	mdb_cursor_close(cur);
	merge_record_free(&r);
	return rc == MDB_NOTFOUND ? 0 : rc;
}

/* Lists every open conflict (of one type when type > 0) to fn. */
int
conflicts_scan(MDB_txn *txn, struct store *s, int type, conflict_fn fn,
    void *ctx)
{
	int rc;

	if ((rc = register_conflicts(txn, s, type, fn, ctx)) != 0)
		return rc;
	return rules_business_conflicts(txn, s, type, fn, ctx);
}

struct finder {
	const char *id;
	struct conflict *out;
	bool found;
};

/* Keeps the conflict whose id is wanted. */
static int
find_one(void *ctx, const struct conflict *c)
{
	struct finder *f = ctx;

	if (strcmp(c->id, f->id) != 0)
		return 0;
	*f->out = *c;
	f->found = true;
	return 1;
}

/*
 * Finds an open conflict by id.  A register conflict's values point into
 * the transaction; a business conflict keeps only its kind and detail.
 */
int
conflicts_find(MDB_txn *txn, struct store *s, const char *id,
    struct conflict *out)
{
	struct finder f = { id, out, false };
	int rc;

	if ((rc = conflicts_scan(txn, s, 0, find_one, &f)) < 0)
		return rc;
	if (!f.found)
		return E(NOENT);
	if (out->kind[0] == 'R') {
		out->ref = NULL;
		out->ref_len = 0;
		out->n = 0;
	}
	return 0;
}

/*
 * Writes the resolution of a register conflict into the edit's change-set:
 * keep value n (1-based, in listing order), or the value v, or delete (the
 * field of a field conflict, the record of a deletion conflict).  The
 * change-set has seen every competing value, so it replaces them all.
 */
int
conflicts_resolve(struct edit *e, const struct conflict *c, unsigned keep,
    const struct value *v, bool del, struct consort_diag *d)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct value ref = { VAL_STR, false, 0, c->ref, c->ref_len };
	const struct conflict_value *kept = keep ? &c->values[keep - 1] : NULL;
	bool record = strcmp(c->kind, "delete") == 0;

	if (c->kind[0] == 'R')
		return consort_diag_set(d, E(PERM), c->id, c->detail,
		    "business conflicts clear when the records change");
	if (keep > c->n)
		return consort_diag_set(d, E(INVAL), c->id, "no such value",
		    "consort conflicts lists the values, numbered from 1");
	node_entity_id(e->n, c->type, c->ref, c->ref_len, id);
	if (record && (del || (kept != NULL && kept->deletion))) {
		csb_op(&e->b, OP_DELETE, c->type, id, 0, NULL);
		return 0;
	}
	if (record)
		csb_op(&e->b, OP_CREATE, c->type, id, 0, &ref);
	if (c->field == 0)
		return v == NULL ? 0 : consort_diag_set(d, E(INVAL), c->id,
		    "this conflict is about the record itself", "use --keep N or "
		    "--delete");
	if (del)
		csb_op(&e->b, OP_UNSET, c->type, id, c->field, NULL);
	else {
		v = v != NULL ? v : &kept->val;
		csb_op(&e->b, v->kind == VAL_NIL ? OP_UNSET : OP_SET, c->type, id,
		    c->field, v);
	}
	return 0;
}
