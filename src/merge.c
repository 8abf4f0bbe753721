/*
 * Applying a change-set's ops to records (DESIGN.md §4).  Every field, and
 * the record's existence, is a multi-value register (src/record.c).
 * Applying an op of change-set C drops the entries C's causal context
 * covers and adds C's own; with causal delivery the result does not depend
 * on the order in which concurrent change-sets arrive.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* Whether the change-set has seen entry e (so its write replaces it). */
static bool
covers(const struct causal *c, const struct entry *e)
{
	return e->author < c->n && e->seq <= c->vv[e->author];
}

/* Drops covered entries of a register; appends C's entry if v is given. */
static int
reg_write(struct record *r, struct reg *g, const struct causal *c,
    const struct value *v)
{
	uint32_t i, keep = 0, off;
	int rc;

	for (i = 0; i < g->n; i++)
		keep += !covers(c, &r->pool[g->off + i]);
	if (v == NULL && keep == g->n)
		return 0;
	if ((rc = record_pool_take(r, keep + (v != NULL), &off)) != 0)
		return rc;
	keep = 0;
	for (i = 0; i < g->n; i++)
		if (!covers(c, &r->pool[g->off + i]))
			r->pool[off + keep++] = r->pool[g->off + i];
	if (v != NULL) {
		r->pool[off + keep].author = c->author;
		r->pool[off + keep].seq = c->seq;
		r->pool[off + keep].hlc = c->hlc;
		r->pool[off + keep].val = *v;
		keep++;
	}
	g->off = off;
	g->n = keep;
	return 0;
}

/* Records the ref index of a record created for the first time. */
static int
put_ref(struct store_txn *txn, struct store *s, const struct record *r)
{
	uint8_t key[1 + CONSORT_REF_MAX];

	key[0] = r->type;
	memcpy(key + 1, r->ref, r->ref_len);
	return store_put(txn, s, TB_REFS, key, 1 + r->ref_len, r->id,
	    CONSORT_EID_BYTES, 0);
}

/* Whether a create op's ref is the one its entity id derives from. */
static bool
ref_matches(const struct store *s, const struct cs_op *op)
{
	uint8_t id[CONSORT_EID_BYTES];

	if (!s->has_founder)
		return true;
	keys_entity_id(id, s->founder, op->type, op->val.s, op->val.len);
	return memcmp(id, op->id, CONSORT_EID_BYTES) == 0;
}

/* Whether a field records an erasure, which outlives the record's deletion. */
static bool
erasure_field(unsigned type, unsigned field)
{
	return type == T_trainee && (field == F_trainee_erased ||
	    field == F_trainee_erased_reason);
}

/*
 * Deletes the openings of the personal values a write replaces (the
 * entries it covers), so that a corrected name leaves no trace of the
 * old one (GDPR art. 16); v is the value written, which stays.
 */
static int
forget_replaced(struct store_txn *txn, struct store *s, const struct record *r,
    unsigned field, const struct causal *c, const struct value *v)
{
	const struct schema_type *t = schema_type(r->type);
	const struct schema_field *f = t != NULL ? schema_field(t, field) : NULL;
	const struct reg *g = &r->fields[field];
	const struct entry *e;
	uint32_t i;
	int rc;

	if (f == NULL || !f->personal)
		return 0;
	for (i = 0; i < g->n; i++) {
		e = &r->pool[g->off + i];
		if (!covers(c, e) || e->val.kind != VAL_BIN ||
		    e->val.len != CONSORT_COMMIT_BYTES ||
		    (v != NULL && value_equal(v, &e->val)))
			continue;
		if ((rc = personal_forget(txn, s, r->id, field,
		    (const uint8_t *)e->val.s)) != 0)
			return rc;
	}
	return 0;
}

/*
 * An erasure: deletes the record's openings and what this node wanted of
 * them; when values were deleted, marks the store for a compaction (their
 * bytes stay in LMDB's free pages until then).
 */
static int
erase_openings(struct store_txn *txn, struct store *s, const uint8_t *id)
{
	unsigned deleted;
	int rc;

	if ((rc = personal_erase_count(txn, s, id, &deleted)) != 0 ||
	    (rc = wants_forget(txn, s, id)) != 0)
		return rc;
	return deleted > 0 && !s->scratch ? store_compact_mark(txn, s) : 0;
}

/* Applies one op to the loaded record; *changed tells whether it took. */
static int
apply_op(struct store_txn *txn, struct store *s, struct record *r,
    const struct cs_op *op, const struct causal *c, bool *changed)
{
	static const struct value tomb = { VAL_NIL, false, 0, NULL, 0 };
	uint32_t f;
	int rc;

	*changed = false;
	if (op->kind == OP_CREATE) {
		if (!ref_matches(s, op))
			return 0;
		if (r->ref_len == 0) {
			r->ref = op->val.s;
			r->ref_len = op->val.len;
			if ((rc = put_ref(txn, s, r)) != 0)
				return rc;
		}
		*changed = true;
		return reg_write(r, &r->exist, c, &op->val);
	}
	/* a record may get values before its creation arrives: kept, not shown */
	*changed = true;
	if (op->kind == OP_DELETE) {
		for (f = 1; f <= SCHEMA_MAX_FIELDS; f++)
			if (!erasure_field(r->type, f) &&
			    ((rc = forget_replaced(txn, s, r, f, c, NULL)) != 0 ||
			    (rc = reg_write(r, &r->fields[f], c, NULL)) != 0))
				return rc;
		return reg_write(r, &r->exist, c, &tomb);
	}
	if ((rc = forget_replaced(txn, s, r, op->field, c,
	    op->kind == OP_SET ? &op->val : NULL)) != 0)
		return rc;
	return reg_write(r, &r->fields[op->field], c, &op->val);
}

/* Raises c to cover the causal context stored for change-set id. */
static int
merge_vv(struct store_txn *txn, struct store *s, struct causal *c,
    const uint8_t *id)
{
	const uint8_t *p;
	uint32_t idx;
	uint64_t seq;
	struct store_val v;
	size_t i;
	int rc;

	rc = store_get(txn, s, TB_VV, id, CONSORT_HASH_BYTES, &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	for (i = 0; i + 12 <= v.len; i += 12) {
		p = (const uint8_t *)v.data + i;
		idx = util_get_be32(p);
		seq = util_get_be64(p + 4);
		if (idx < c->n && seq > c->vv[idx])
			c->vv[idx] = seq;
	}
	return 0;
}

/*
 * Whether an author's latest change-set had seen change-set seq of the
 * author of local number idx (its own, or one in its causal context).
 */
int
merge_seen_by(struct store_txn *txn, struct store *s, const uint8_t *who,
    uint32_t idx, uint64_t seq, bool *seen)
{
	struct causal c = { 0 };
	struct head h;
	int rc;

	*seen = false;
	if ((rc = store_head(txn, s, who, &h)) != 0)
		return rc == E(NOENT) ? 0 : rc;
	if (h.idx == idx) {
		*seen = h.seq >= seq;
		return 0;
	}
	if (h.seq == 0 || idx >= s->nauthors)
		return 0;
	c.n = s->nauthors;
	if ((c.vv = calloc(c.n, sizeof(*c.vv))) == NULL)
		return E(NOMEM);
	if ((rc = merge_vv(txn, s, &c, h.id)) == 0)
		*seen = c.vv[idx] >= seq;
	free(c.vv);
	return rc;
}

/* Keeps the causal context of a change-set, for those that depend on it. */
static int
store_vv(struct store_txn *txn, struct store *s, const struct causal *c,
    const uint8_t *id)
{
	uint8_t *buf;
	uint32_t i;
	size_t n = 0;
	int rc;

	if ((buf = malloc((size_t)c->n * 12 + 1)) == NULL)
		return E(NOMEM);
	for (i = 0; i < c->n; i++) {
		if (c->vv[i] == 0)
			continue;
		util_put_be32(buf + n, i);
		util_put_be64(buf + n + 4, c->vv[i]);
		n += 12;
	}
	rc = store_put(txn, s, TB_VV, id, CONSORT_HASH_BYTES, buf, n, 0);
	free(buf);
	return rc;
}

/*
 * Builds the causal context of cs: its own position, its deps, and
 * everything they and its predecessor had seen (so that a change-set whose
 * deps name only some heads still covers what it causally follows).
 */
static int
context_init(struct store_txn *txn, struct store *s, const struct changeset *cs,
    uint32_t author_idx, struct causal *c)
{
	uint32_t i, idx;
	int rc;

	c->n = s->nauthors;
	if ((c->vv = calloc(c->n + 1, sizeof(*c->vv))) == NULL)
		return E(NOMEM);
	for (i = 0; i < cs->ndeps; i++) {
		if ((rc = store_author_idx(txn, s, cs->deps[i].author, &idx)) != 0)
			return rc;
		if (idx < c->n && cs->deps[i].seq > c->vv[idx])
			c->vv[idx] = cs->deps[i].seq;
		if ((rc = merge_vv(txn, s, c, cs->deps[i].hash)) != 0)
			return rc;
	}
	if (cs->seq > 1 && (rc = merge_vv(txn, s, c, cs->prev)) != 0)
		return rc;
	c->author = author_idx;
	c->seq = cs->seq;
	c->hlc = cs->hlc;
	c->vv[author_idx] = cs->seq;
	return store_vv(txn, s, c, cs->id);
}

/* Whether cs is a genesis: the first of its author, naming no consortium. */
static bool
is_genesis(const struct changeset *cs)
{
	static const uint8_t zero[CONSORT_HASH_BYTES];

	return cs->seq == 1 && memcmp(cs->consortium, zero,
	    CONSORT_HASH_BYTES) == 0;
}

/*
 * Decides whether an op may apply: an order, a notice, a decision of the
 * Region or its key by what it stands for (perm-order.c), a key record
 * by who may replace that key (perm-key.c), any other by who may edit
 * what (perm.c).  Refusals
 * are counted, not errors.
 */
static int
allowed(struct store_txn *txn, struct store *s, const struct member *m,
    bool recovery, const struct causal *c, const struct changeset *cs,
    uint32_t i, struct merge_result *res, bool *ok)
{
	unsigned type = cs->ops[i].type;
	const char *why = NULL;
	int rc;

	if (s->has_founder && type == T_key)
		rc = perm_key_check(txn, s, cs, i, &why);
	else if (s->has_founder && type == T_consortium && !is_genesis(cs) &&
	    (cs->ops[i].field == F_consortium_recovery ||
	    cs->ops[i].field == F_consortium_recovery_signature)) {
		/* the genesis names the recovery key; only it replaces itself */
		why = N_("the recovery key is named by the genesis and replaced "
		    "by consort key rotate-recovery only");
		rc = E(PERM);
	}
	else if (recovery) {
		why = N_("the recovery key writes only key records");
		rc = E(PERM);
	} else if (s->has_founder && perm_order_type(type))
		rc = perm_order_check(txn, s, m, c, cs, i, &why);
	else
		rc = perm_check_op(txn, s, m, c, cs, i, &why);
	*ok = rc == 0;
	if (rc == E(PERM)) {
		if (res->refused++ == 0) {
			res->first_refusal = rc;
			res->first_refused_op = i;
			res->why = why;
		}
		return 0;
	}
	return rc;
}

/* Refuses every op of a change-set its revoked author wrote too late. */
static int
revoked(struct store_txn *txn, struct store *s, const struct changeset *cs,
    struct merge_result *res)
{
	uint64_t after;
	bool is;
	int rc;

	if (!s->has_founder)
		return 0;
	if ((rc = perm_revoked_after(txn, s, cs->author, &after, &is)) != 0)
		return rc;
	if (is && cs->seq > after) {
		res->refused = cs->nops;
		res->first_refusal = E(PERM);
		res->first_refused_op = 0;
		res->why = N_("its author was revoked, or its key replaced, "
		    "before it");
	}
	return 0;
}

/*
 * Loads the roster and finds the author; NULL stands for the lead (and
 * the recovery key, which allowed() holds to key records).  A key bound
 * to nobody, as one whose binding stopped counting when a rebuild
 * followed a revocation, has every op refused.
 */
static int
author_member(struct store_txn *txn, struct store *s,
    const struct changeset *cs, const struct member **m,
    struct merge_result *res)
{
	int rc;

	*m = NULL;
	if (!s->has_founder || memcmp(cs->author, s->founder,
	    CONSORT_KEY_BYTES) == 0)
		return 0;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	if (perm_is_lead(s, cs->author) || perm_is_recovery(s, cs->author))
		return 0;
	if ((*m = perm_member_by_key(s, cs->author)) == NULL) {
		res->refused = cs->nops;
		res->first_refusal = E(PERM);
		res->first_refused_op = 0;
		res->why = N_("its author's key is bound to no member");
	}
	return 0;
}

/*
 * Writes a record the ops changed, and its index from the keys it had:
 * first, while its values still point where it was loaded from.
 */
static int
save_record(struct store_txn *txn, struct store *s, struct record *r,
    msgpack_sbuffer *buf, const struct index_keys *had)
{
	int rc;

	if ((rc = index_update(txn, s, r, had)) != 0)
		return rc;
	return record_save(txn, s, r, buf);
}

/*
 * Applies every op of a verified, causally ready change-set to the state;
 * ops its author may not make are refused (counted in res) and skipped.
 */
int
merge_apply(struct store_txn *txn, struct store *s, const struct changeset *cs,
    uint32_t author_idx, struct merge_result *res)
{
	const struct member *m;
	const struct cs_op *op;
	struct causal c = { 0 };
	struct record r;
	struct index_keys *had;
	msgpack_sbuffer buf;
	bool loaded = false, changed, dirty = false, ok, roster = false;
	bool recovery;
	uint32_t i;
	int rc;

	memset(res, 0, sizeof(*res));
	if ((rc = author_member(txn, s, cs, &m, res)) != 0)
		return rc;
	recovery = m == NULL && s->has_founder && perm_is_recovery(s, cs->author);
	if (res->refused == 0 && (rc = revoked(txn, s, cs, res)) != 0)
		return rc;
	if (res->refused > 0)
		return 0;
	if ((rc = context_init(txn, s, cs, author_idx, &c)) != 0) {
		free(c.vv);
		return rc;
	}
	if ((had = malloc(sizeof(*had))) == NULL) {
		free(c.vv);
		return E(NOMEM);
	}
	record_init(&r);
	msgpack_sbuffer_init(&buf);
	for (i = 0; i < cs->nops && rc == 0; i++) {
		op = &cs->ops[i];
		/* the lead (m NULL) too: nobody rewrites an order or a notice */
		if ((rc = allowed(txn, s, m, recovery, &c, cs, i, res, &ok)) != 0 ||
		    !ok)
			continue;
		if (!loaded || r.type != op->type ||
		    memcmp(r.id, op->id, CONSORT_EID_BYTES) != 0) {
			if (dirty && (rc = save_record(txn, s, &r, &buf,
			    had)) != 0)
				break;
			dirty = false;
			r.npool = 0;
			if ((rc = record_load(txn, s, op->type, op->id, &r)) != 0)
				break;
			index_keys(s, &r, had);
			loaded = true;
		}
		if ((rc = apply_op(txn, s, &r, op, &c, &changed)) != 0 ||
		    (changed && (rc = perm_record_op(txn, s, m, &c, op)) != 0))
			break;
		/* an erasure deletes the openings, here and on every node */
		if (changed && op->kind == OP_SET && op->type == T_trainee &&
		    op->field == F_trainee_erased &&
		    (rc = erase_openings(txn, s, op->id)) != 0)
			break;
		if (changed && (rc = wants_note_op(txn, s, op)) != 0)
			break;
		dirty |= changed;
		if (op->type == T_member || op->type == T_key ||
		    op->type == T_consortium)
			roster = s->roster_stale = true;
		if (changed)
			res->applied++;
		else if (res->refused++ == 0) {
			res->first_refusal = E(REF);
			res->first_refused_op = i;
			res->why = N_("its ref does not match the record's id");
		}
	}
	if (rc == 0 && dirty)
		rc = save_record(txn, s, &r, &buf, had);
	if (rc == 0 && roster)
		rc = perm_sync_revocations(txn, s);
	msgpack_sbuffer_destroy(&buf);
	record_free(&r);
	free(had);
	free(c.vv);
	return rc;
}
