/*
 * Who may edit what (DESIGN.md §4).  The lead (the founder) edits
 * everything.  A co-contractor edits everything but the roster, the lots,
 * and the sessions of other providers and the paths in them.  A
 * subcontractor edits only the sessions it provides and their paths, and
 * the trainees and intents it recorded.
 *
 * Every node must reach the same verdict whatever order concurrent
 * change-sets arrive in, so ownership is judged in the change-set's causal
 * past: the owners table keeps every write of the fields that decide it
 * (session.provider, path.session) and every record created by a
 * subcontractor, each with the writer's causal context; the values visible
 * to a change-set are the writes it had seen that nothing it had seen
 * replaced.  Roster facts (keys, roles) are written by the lead only, so a
 * member's binding is always in the causal past of its own change-sets.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define OWNERS_KEY (1 + CONSORT_EID_BYTES + 1 + 4 + 8)
#define MAX_VISIBLE 64

enum { F_MEMBER_NAME = 1, F_MEMBER_SIRET = 2, F_MEMBER_ROLE = 3, F_MEMBER_KEY = 4,
	F_MEMBER_PARENT = 5, F_MEMBER_REVOKED = 8, F_MEMBER_REVOKED_AFTER = 10,
	F_SESSION_PROVIDER = 1, F_PATH_SESSION = 2, F_EXISTENCE = 0 };

/* Whether key is the founder's: the lead. */
bool
perm_is_lead(const struct store *s, const uint8_t *key)
{
	return s->has_founder &&
	    memcmp(s->founder, key, CONSORT_KEY_BYTES) == 0;
}

/* Copies a string value of at most 14 bytes into a SIRET buffer. */
static void
copy_siret(char out[15], const struct value *v)
{
	size_t n = v != NULL && v->kind == VAL_STR && v->len <= 14 ? v->len : 0;

	memcpy(out, n ? v->s : "", n);
	out[n] = '\0';
}

/* The role a member record names. */
static enum member_role
role_of(const struct value *v)
{
	static const char *const names[] = { "", "lead", "co", "sub" };
	unsigned i;

	for (i = ROLE_LEAD; v != NULL && v->kind == VAL_STR && i <= ROLE_SUB; i++)
		if (strlen(names[i]) == v->len && memcmp(names[i], v->s, v->len) == 0)
			return (enum member_role)i;
	return ROLE_NONE;
}

/* Fills one roster entry from a member record. */
static int
load_member(void *ctx, const struct record *r)
{
	struct store *s = ctx;
	struct member *m;
	const struct value *v;

	if (s->nroster == STORE_MAX_MEMBERS)
		return E(TOOBIG);
	m = &s->roster[s->nroster++];
	memset(m, 0, sizeof(*m));
	copy_siret(m->siret, state_field(s, r, F_MEMBER_SIRET));
	if ((v = state_field(s, r, F_MEMBER_NAME)) != NULL && v->kind == VAL_STR &&
	    v->len < sizeof(m->name))
		memcpy(m->name, v->s, v->len);
	copy_siret(m->parent, state_field(s, r, F_MEMBER_PARENT));
	if ((v = state_field(s, r, F_MEMBER_KEY)) != NULL && v->len == 64)
		m->has_key = util_unhex_n(m->key, CONSORT_KEY_BYTES, v->s, 64) == 0;
	m->role = role_of(state_field(s, r, F_MEMBER_ROLE));
	v = state_field(s, r, F_MEMBER_REVOKED);
	m->revoked = v != NULL && v->kind == VAL_BOOL && v->b;
	v = state_field(s, r, F_MEMBER_REVOKED_AFTER);
	m->revoked_after = v != NULL && v->kind == VAL_INT ? (uint64_t)v->i : 0;
	return 0;
}

/* Reloads the roster cache from the member records if it may be stale. */
int
perm_roster(MDB_txn *txn, struct store *s)
{
	int rc;

	if (!s->roster_stale && s->roster != NULL)
		return 0;
	if (s->roster == NULL &&
	    (s->roster = calloc(STORE_MAX_MEMBERS, sizeof(*s->roster))) == NULL)
		return E(NOMEM);
	s->nroster = 0;
	if ((rc = state_foreach(txn, s, T_member, load_member, s)) != 0)
		return rc;
	s->roster_stale = false;
	return 0;
}

/* The member bound to a key, or NULL. */
const struct member *
perm_member_by_key(const struct store *s, const uint8_t *key)
{
	uint32_t i;

	for (i = 0; i < s->nroster; i++)
		if (s->roster[i].has_key &&
		    memcmp(s->roster[i].key, key, CONSORT_KEY_BYTES) == 0)
			return &s->roster[i];
	return NULL;
}

/* The member of a SIRET, or NULL. */
const struct member *
perm_member_by_siret(const struct store *s, const char *siret, size_t len)
{
	uint32_t i;

	for (i = 0; i < s->nroster; i++)
		if (strlen(s->roster[i].siret) == len &&
		    memcmp(s->roster[i].siret, siret, len) == 0)
			return &s->roster[i];
	return NULL;
}

/* A write kept in the owners table. */
struct owner_write {
	uint32_t author;
	uint64_t seq;
	struct value val;
	const uint8_t *vv;  /* packed [[idx, seq]...] */
	size_t vvlen;
	bool hidden;
};

/* The owners-table key prefix of (type, id, field). */
static void
owners_prefix(uint8_t *k, unsigned type, const uint8_t *id, unsigned field)
{
	k[0] = (uint8_t)type;
	memcpy(k + 1, id, CONSORT_EID_BYTES);
	k[1 + CONSORT_EID_BYTES] = (uint8_t)field;
}

/* Whether the write w's causal context covers (author, seq). */
static bool
write_saw(const struct owner_write *w, uint32_t author, uint64_t seq)
{
	struct mp_reader r;
	uint64_t a, q;
	uint32_t i, n, m;

	if (w->author == author)
		return w->seq >= seq;
	mp_reader_init(&r, w->vv, w->vvlen);
	if (mp_read_array(&r, &n) != 0)
		return false;
	for (i = 0; i < n; i++) {
		if (mp_read_array(&r, &m) != 0 || m != 2 ||
		    mp_read_uint(&r, &a) != 0 || mp_read_uint(&r, &q) != 0)
			return false;
		if (a == author)
			return q >= seq;
	}
	return false;
}

/* Decodes one owners-table row. */
static int
decode_write(const MDB_val *k, const MDB_val *v, struct owner_write *w)
{
	struct mp_reader r;
	const uint8_t *p = k->mv_data;
	uint32_t n;

	if (k->mv_size != OWNERS_KEY)
		return E(STORE);
	w->author = util_get_be32(p + 1 + CONSORT_EID_BYTES + 1);
	w->seq = util_get_be64(p + 1 + CONSORT_EID_BYTES + 1 + 4);
	w->hidden = false;
	mp_reader_init(&r, v->mv_data, v->mv_size);
	if (mp_read_array(&r, &n) != 0 || n != 2 || mp_read_value(&r, &w->val) != 0)
		return E(STORE);
	w->vv = r.p;
	w->vvlen = (size_t)(r.end - r.p);
	return 0;
}

/*
 * The writes of (type, id, field) visible to the change-set of causal
 * context c: seen by it, and not replaced by another write it had seen.
 */
static int
visible(MDB_txn *txn, struct store *s, const struct causal *c, unsigned type,
    const uint8_t *id, unsigned field, struct owner_write *out, unsigned *n)
{
	uint8_t prefix[OWNERS_KEY];
	MDB_cursor *cur;
	MDB_val k = { 1 + CONSORT_EID_BYTES + 1, prefix }, v;
	unsigned i, j, seen = 0;
	int rc, op = MDB_SET_RANGE;

	owners_prefix(prefix, type, id, field);
	if ((rc = mdb_cursor_open(txn, s->dbi[TB_OWNERS], &cur)) != 0)
		return store_err(rc);
	while ((rc = mdb_cursor_get(cur, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if (k.mv_size != OWNERS_KEY || memcmp(k.mv_data, prefix,
		    1 + CONSORT_EID_BYTES + 1) != 0)
			break;
		if (seen == MAX_VISIBLE) {
			rc = E(TOOBIG);
			break;
		}
		if ((rc = decode_write(&k, &v, &out[seen])) != 0)
			break;
		if (out[seen].author < c->n &&
		    out[seen].seq <= c->vv[out[seen].author])
			seen++;
	}
	mdb_cursor_close(cur);
	if (rc != 0 && rc != MDB_NOTFOUND)
		return rc < 0 ? rc : store_err(rc);
	for (i = 0; i < seen; i++)
		for (j = 0; j < seen; j++)
			if (i != j && write_saw(&out[j], out[i].author, out[i].seq))
				out[i].hidden = true;
	for (i = j = 0; i < seen; i++)
		if (!out[i].hidden)
			out[j++] = out[i];
	*n = j;
	return 0;
}

/* Whether member m may run sessions of this provider SIRET. */
static bool
provides(const struct store *s, const struct member *m, const struct value *v)
{
	const struct member *p;

	if (v == NULL || v->kind != VAL_STR)
		return false;
	if (strlen(m->siret) == v->len && memcmp(m->siret, v->s, v->len) == 0)
		return true;
	/* a co-contractor answers for its subcontractors' sessions */
	p = perm_member_by_siret(s, v->s, v->len);
	return m->role == ROLE_CO && p != NULL && p->role == ROLE_SUB &&
	    strcmp(p->parent, m->siret) == 0;
}

/* Whether m may edit the session id as the change-set sees it. */
static int
session_allowed(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const uint8_t *id, bool *ok, bool *unset)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	*ok = false;
	if ((rc = visible(txn, s, c, T_session, id, F_SESSION_PROVIDER, w, &n)) != 0)
		return rc;
	*unset = n == 0;
	for (i = 0; i < n && !*ok; i++)
		*ok = provides(s, m, &w[i].val);
	return 0;
}

/* Whether m may edit the path id: one of its sessions is m's. */
static int
path_allowed(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const uint8_t *id, bool *ok, bool *unset)
{
	struct owner_write w[MAX_VISIBLE];
	uint8_t sid[CONSORT_EID_BYTES];
	unsigned i, n;
	bool none;
	int rc;

	*ok = false;
	if ((rc = visible(txn, s, c, T_path, id, F_PATH_SESSION, w, &n)) != 0)
		return rc;
	*unset = n == 0;
	for (i = 0; i < n && !*ok; i++) {
		if (w[i].val.kind != VAL_STR)
			continue;
		keys_entity_id(sid, s->founder, T_session, w[i].val.s, w[i].val.len);
		if ((rc = session_allowed(txn, s, m, c, sid, ok, &none)) != 0)
			return rc;
	}
	return 0;
}

/* Whether subcontractor m recorded the trainee or intent id. */
static int
recorded_by(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, unsigned type, const uint8_t *id, bool *ok)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	(void)m;
	*ok = false;
	if ((rc = visible(txn, s, c, type, id, F_EXISTENCE, w, &n)) != 0)
		return rc;
	for (i = 0; i < n && !*ok; i++)
		*ok = w[i].author == c->author;
	return 0;
}

/* The check for an op on a session or a path: ownership by provider. */
static int
check_owned(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op, const char **why)
{
	bool ok, unset;
	int rc;

	rc = op->type == T_session ?
	    session_allowed(txn, s, m, c, op->id, &ok, &unset) :
	    path_allowed(txn, s, m, c, op->id, &ok, &unset);
	if (rc != 0)
		return rc;
	if (op->type == T_session && op->kind == OP_SET &&
	    op->field == F_SESSION_PROVIDER && !provides(s, m, &op->val)) {
		*why = "a member may only name itself (or, for a co-contractor, "
		    "its subcontractors) as a session's provider";
		return E(PERM);
	}
	if (op->type == T_path && op->kind == OP_SET && op->field == F_PATH_SESSION) {
		uint8_t sid[CONSORT_EID_BYTES];
		bool none;

		keys_entity_id(sid, s->founder, T_session, op->val.s, op->val.len);
		if ((rc = session_allowed(txn, s, m, c, sid, &ok, &none)) != 0)
			return rc;
		if (!ok) {
			*why = "the path's session is run by another provider";
			return E(PERM);
		}
		return 0;
	}
	if (ok || (unset && (op->kind == OP_CREATE || op->kind == OP_SET)))
		return 0;
	*why = op->type == T_session ? "the session is run by another provider" :
	    "the path belongs to a session run by another provider";
	return E(PERM);
}

/*
 * Decides whether the member m (the change-set's author) may apply op.
 * Returns 0, E(PERM) with a reason, or a store error.
 */
int
perm_check_op(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op, const char **why)
{
	const struct schema_type *t = schema_type(op->type);
	bool ok;
	int rc;

	*why = NULL;
	if (m == NULL || m->role == ROLE_LEAD)
		return 0;
	if (t->flags & (SCHEMA_ROSTER | SCHEMA_LEAD)) {
		*why = "only the lead edits the roster and the lots";
		return E(PERM);
	}
	if (op->type == T_session || op->type == T_path)
		return check_owned(txn, s, m, c, op, why);
	if (m->role == ROLE_CO)
		return 0;
	if (op->type != T_trainee && op->type != T_intent) {
		*why = "a subcontractor edits only its sessions and their paths, "
		    "and the trainees and intents it recorded";
		return E(PERM);
	}
	/* trainee, intent: a subcontractor edits what it recorded */
	if (op->kind == OP_CREATE)
		return 0;
	if ((rc = recorded_by(txn, s, m, c, op->type, op->id, &ok)) != 0)
		return rc;
	if (!ok)
		*why = "a subcontractor edits only the trainees and intents it "
		    "recorded";
	return ok ? 0 : E(PERM);
}

/* Packs the causal context of c as [[author idx, seq]...] (non-zero only). */
static void
pack_vv(msgpack_packer *pk, const struct causal *c)
{
	uint32_t i, n = 0;

	for (i = 0; i < c->n; i++)
		n += c->vv[i] != 0;
	msgpack_pack_array(pk, n);
	for (i = 0; i < c->n; i++) {
		if (c->vv[i] == 0)
			continue;
		msgpack_pack_array(pk, 2);
		msgpack_pack_uint32(pk, i);
		msgpack_pack_uint64(pk, c->vv[i]);
	}
}

/*
 * Keeps, in the owners table, a write that later permission checks depend
 * on: a session's provider, a path's session, a record a subcontractor
 * created.
 */
int
perm_record_op(MDB_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op)
{
	static const struct value nil = { VAL_NIL, false, 0, NULL, 0 };
	uint8_t key[OWNERS_KEY];
	const struct value *v = &op->val;
	msgpack_sbuffer buf;
	msgpack_packer pk;
	unsigned field;
	int rc;

	if (op->kind == OP_SET && ((op->type == T_session &&
	    op->field == F_SESSION_PROVIDER) || (op->type == T_path &&
	    op->field == F_PATH_SESSION)))
		field = op->field;
	else if (op->kind == OP_CREATE && m != NULL && m->role == ROLE_SUB &&
	    (op->type == T_trainee || op->type == T_intent)) {
		field = F_EXISTENCE;
		v = &nil;
	} else
		return 0;
	owners_prefix(key, op->type, op->id, field);
	util_put_be32(key + 1 + CONSORT_EID_BYTES + 1, c->author);
	util_put_be64(key + 1 + CONSORT_EID_BYTES + 1 + 4, c->seq);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	mp_pack_value(&pk, v);
	pack_vv(&pk, c);
	rc = store_put(txn, s, TB_OWNERS, key, sizeof(key), buf.data, buf.size, 0);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* Whether an author is revoked, and after which of its change-sets. */
int
perm_revoked_after(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint64_t *after, bool *revoked)
{
	MDB_val v;
	int rc;

	*revoked = false;
	*after = 0;
	rc = store_get(txn, s, TB_REVOKED, author, CONSORT_KEY_BYTES, &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	if (v.mv_size != 8)
		return E(STORE);
	*after = util_get_be64(v.mv_data);
	*revoked = true;
	return 0;
}

/*
 * Copies the roster's revocations into the revoked table, which a rebuild
 * keeps: whether a revoked member's change-set counts must not depend on
 * the order in which the revocation and that change-set were applied.  A
 * revocation that reaches change-sets already applied asks for a rebuild.
 */
int
perm_sync_revocations(MDB_txn *txn, struct store *s)
{
	uint8_t buf[8];
	struct head h;
	uint64_t after;
	bool revoked;
	uint32_t i;
	int rc;

	s->roster_stale = true;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	for (i = 0; i < s->nroster; i++) {
		const struct member *m = &s->roster[i];

		if (!m->revoked || !m->has_key)
			continue;
		if ((rc = perm_revoked_after(txn, s, m->key, &after, &revoked)) != 0)
			return rc;
		if (revoked && after == m->revoked_after)
			continue;
		util_put_be64(buf, m->revoked_after);
		if ((rc = store_put(txn, s, TB_REVOKED, m->key, CONSORT_KEY_BYTES,
		    buf, 8, 0)) != 0)
			return rc;
		rc = store_head(txn, s, m->key, &h);
		if (rc == 0 && h.seq > m->revoked_after)
			s->needs_rebuild = true;
		else if (rc != 0 && rc != E(NOENT))
			return rc;
	}
	return 0;
}
