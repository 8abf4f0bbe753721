/*
 * The openings this node lacks, kept current at the cost of what changed
 * (schema/DESIGN.md, section 9).  Who may read what changes only with the
 * roster, a session's provider, a path's session or trainee, and the
 * creation or deletion of a trainee: applying such an op marks the lists
 * stale, and the next sync recomputes them whole.  A new personal value
 * only marks its trainee for a second look.  So a sync where nothing of
 * that changed asks for its openings from two small tables.
 *
 *	entitled   the trainees this node may read (for the lead: meta
 *	           "pd-all", every one)
 *	wanted     their commitments whose openings this node lacks
 *	recheck    trainees whose personal values changed since
 */
#include <string.h>

#include "core.h"

#define WANT_KEY (CONSORT_EID_BYTES + 1 + CONSORT_COMMIT_BYTES)

/* Whether an op changes who may read a trainee. */
static bool
moves_entitlement(const struct cs_op *op)
{
	switch (op->type) {
	case T_member:
		return true;
	case T_trainee:
		return op->kind == OP_CREATE || op->kind == OP_DELETE;
	case T_session:
		return op->kind == OP_DELETE || op->field == F_session_provider;
	case T_path:
		return op->kind == OP_DELETE || op->field == F_path_session ||
		    op->field == F_path_trainee;
	default:
		return false;
	}
}

/* Marks the lists stale, once: a full sync applies thousands of such ops. */
static int
mark_stale(struct store_txn *txn, struct store *s)
{
	struct store_val v;

	if (store_get(txn, s, TB_META, "pd-stale", 8, &v) == 0 && v.len == 1 &&
	    *(const uint8_t *)v.data == '1')
		return 0;
	return store_put(txn, s, TB_META, "pd-stale", 8, "1", 1, 0);
}

/* Notes an applied op that changes what this node may read or lacks. */
int
wants_note_op(struct store_txn *txn, struct store *s, const struct cs_op *op)
{
	const struct schema_type *t;
	const struct schema_field *f;

	if (moves_entitlement(op))
		return mark_stale(txn, s);
	if (op->kind != OP_SET || (t = schema_type(op->type)) == NULL ||
	    (f = schema_field(t, op->field)) == NULL || !f->personal)
		return 0;
	return store_put(txn, s, TB_RECHECK, op->id, CONSORT_EID_BYTES, "", 0, 0);
}

/* Whether this node may read a trainee, by the entitled table. */
int
wants_may_read(struct store_txn *txn, struct store *s, const uint8_t *id,
    bool *may)
{
	struct store_val v;
	int rc;

	*may = store_get(txn, s, TB_META, "pd-all", 6, &v) == 0;
	if (*may)
		return 0;
	rc = store_get(txn, s, TB_ENTITLED, id, CONSORT_EID_BYTES, &v);
	*may = rc == 0;
	return rc == E(NOENT) ? 0 : rc;
}

/* Adds to the wanted table the commitments of a record this node lacks. */
static int
want_record(struct store_txn *txn, struct store *s, const struct record *r)
{
	const struct schema_type *t = schema_type(r->type);
	uint8_t key[WANT_KEY];
	const struct entry *e;
	unsigned i, fid;
	uint32_t k;
	bool has;
	int rc;

	if (t == NULL || !record_alive(s, r) || personal_erased(r))
		return 0;
	for (i = 0; i < t->nfields; i++) {
		if (!t->sorted[i]->personal)
			continue;
		fid = t->sorted[i]->id;
		for (k = 0; k < r->fields[fid].n; k++) {
			e = &r->pool[r->fields[fid].off + k];
			if (e->val.kind != VAL_BIN || e->val.len != CONSORT_COMMIT_BYTES)
				continue;
			if ((rc = personal_has(txn, s, r->id, fid,
			    (const uint8_t *)e->val.s, &has)) != 0)
				return rc;
			if (has)
				continue;
			memcpy(key, r->id, CONSORT_EID_BYTES);
			key[CONSORT_EID_BYTES] = (uint8_t)fid;
			memcpy(key + CONSORT_EID_BYTES + 1, e->val.s,
			    CONSORT_COMMIT_BYTES);
			if ((rc = store_put(txn, s, TB_WANTED, key, sizeof(key), "",
			    0, 0)) != 0)
				return rc;
		}
	}
	return 0;
}

/* Looks at one trainee again: its wanted commitments, from scratch. */
static int
recheck_one(struct store_txn *txn, struct store *s, const uint8_t *id,
    struct record *r)
{
	bool may;
	int rc;

	if ((rc = store_del_prefix(txn, s, TB_WANTED, id, CONSORT_EID_BYTES,
	    NULL)) != 0 ||
	    (rc = wants_may_read(txn, s, id, &may)) != 0 || !may)
		return rc;
	if ((rc = record_load(txn, s, T_trainee, id, r)) != 0)
		return rc;
	return want_record(txn, s, r);
}

/* Looks again at the trainees whose personal values changed. */
static int
recheck_marked(struct store_txn *txn, struct store *s, bool *changed)
{
	uint8_t ids[256][CONSORT_EID_BYTES];
	struct store_walk w;
	struct store_val k, v;
	struct record r;
	unsigned n, i;
	int rc = 0;

	record_init(&r);
	do {
		n = 0;
		if ((rc = store_walk_begin(&w, txn, s, TB_RECHECK, NULL, 0, 0)) != 0)
			break;
		while (n < 256 && (rc = store_walk_next(&w, &k, &v)) > 0)
			if (k.len == CONSORT_EID_BYTES)
				memcpy(ids[n++], k.data, CONSORT_EID_BYTES);
		store_walk_end(&w);
		*changed |= n > 0;
		for (i = 0; rc >= 0 && i < n; i++)
			if ((rc = recheck_one(txn, s, ids[i], &r)) == 0)
				rc = store_del(txn, s, TB_RECHECK, ids[i],
				    CONSORT_EID_BYTES);
	} while (rc >= 0 && n == 256);
	record_free(&r);
	return rc < 0 ? rc : 0;
}

struct rebuild_ctx {
	struct store_txn *txn;
	struct store *s;
	const struct entitle_set *may;
	unsigned long seen;
};

/*
 * Adds the wanted commitments of one trainee this node may read; now and
 * then gives the store's mapped pages back (a walk of every trainee).
 */
static int
rebuild_one(void *ctx, const struct record *r)
{
	struct rebuild_ctx *x = ctx;

	return entitle_has(x->may, r->id) ? want_record(x->txn, x->s, r) : 0;
}

/* Recomputes the entitled and wanted tables whole. */
static int
rebuild_all(struct store_txn *txn, struct store *s, const uint8_t *self)
{
	struct rebuild_ctx x = { txn, s, NULL, 0 };
	struct entitle_set e;
	size_t i;
	int rc;

	if ((rc = entitle_set_of(txn, s, self, &e)) != 0)
		return rc;
	x.may = &e;
	rc = store_empty(txn, s, TB_ENTITLED);
	if (rc == 0)
		rc = store_empty(txn, s, TB_WANTED);
	if (rc == 0)
		rc = store_empty(txn, s, TB_RECHECK);
	if (rc == 0)
		rc = e.all ? store_put(txn, s, TB_META, "pd-all", 6, "1", 1, 0) :
		    store_del(txn, s, TB_META, "pd-all", 6);
	if (rc == E(NOENT))
		rc = 0;
	for (i = 0; rc == 0 && i < e.n; i++)
		rc = store_put(txn, s, TB_ENTITLED, e.ids[i], CONSORT_EID_BYTES,
		    "", 0, 0);
	if (rc == 0)
		rc = state_foreach(txn, s, T_trainee, rebuild_one, &x);
	if (rc == 0)
		rc = store_put(txn, s, TB_META, "pd-stale", 8, "0", 1, 0);
	entitle_free(&e);
	return rc;
}

/*
 * Brings the entitled and wanted tables up to date, in a write
 * transaction; *changed tells whether it wrote anything (to commit).
 */
int
wants_refresh(struct store_txn *txn, struct store *s, const uint8_t *self,
    bool *changed)
{
	struct store_val v;
	int rc;

	*changed = false;
	rc = store_get(txn, s, TB_META, "pd-stale", 8, &v);
	if (rc == E(NOENT) || (rc == 0 && v.len == 1 &&
	    *(const uint8_t *)v.data == '1')) {
		*changed = true;
		return rebuild_all(txn, s, self);
	}
	if (rc != 0)
		return rc;
	return recheck_marked(txn, s, changed);
}

/* Calls fn(ctx, id, field, commitment) for each wanted commitment after `after`. */
int
wants_foreach(struct store_txn *txn, struct store *s, const uint8_t *after,
    personal_fn fn, void *ctx)
{
	return personal_walk(txn, s, TB_WANTED, after, fn, ctx);
}

/* Forgets a wanted commitment (its opening arrived). */
int
wants_done(struct store_txn *txn, struct store *s, const uint8_t *id,
    unsigned field, const uint8_t *commitment)
{
	uint8_t key[WANT_KEY];
	int rc;

	memcpy(key, id, CONSORT_EID_BYTES);
	key[CONSORT_EID_BYTES] = (uint8_t)field;
	memcpy(key + CONSORT_EID_BYTES + 1, commitment, CONSORT_COMMIT_BYTES);
	rc = store_del(txn, s, TB_WANTED, key, sizeof(key));
	return rc == E(NOENT) ? 0 : rc;
}

/* Forgets every wanted commitment of an erased trainee. */
int
wants_forget(struct store_txn *txn, struct store *s, const uint8_t *id)
{
	return store_del_prefix(txn, s, TB_WANTED, id, CONSORT_EID_BYTES, NULL);
}
