/*
 * Who may edit what (DESIGN.md §4).  The lead (the founder) edits
 * everything but orders and notices.  A co-contractor edits everything but
 * the roster, the lots, and the sessions of other providers with their
 * paths, derogations, agreements and attendance.  A subcontractor edits
 * only the sessions it provides with their paths, derogations and
 * attendance, and the trainees and intents it recorded; it records no
 * agreement of the Region (its parent asks the Region for it).  A session
 * without a provider (a path, a derogation or an agreement without a
 * session, attendance without a path) is the lead's, except in the ops
 * that create it naming the member's own.  Attendance belongs to its
 * path's session: its owner is two steps away.  An intent's outcome and a
 * trainee's exit (R23) are the lead's and those of the provider of a
 * session whose path named the intent or the trainee.  Orders and notices
 * are judged against what they stand for, for every author (perm-order.c).
 *
 * Every node must reach the same verdict whatever order concurrent
 * change-sets arrive in, so ownership is judged in the change-set's causal
 * past: the owners table keeps every write of the fields that decide it
 * (session.provider, path.session, derogation.session,
 * agreement.session, attendance.path), the creations that say whether a
 * record existed before (sessions, paths, derogations, agreements,
 * attendance, orders, notices, a subcontractor's trainees and intents), a
 * lot's creations and deletions, each with the writer's causal context,
 * and under an intent or a trainee the paths that named it; the
 * values visible to a change-set are the writes it had seen that nothing it
 * had seen replaced.  Roster facts (keys, roles) are written by the lead
 * only, so a member's binding is always in the causal past of its own
 * change-sets.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define OWNERS_KEY (1 + CONSORT_EID_BYTES + 1 + 4 + 8)
#define MAX_VISIBLE 64

/* The owner field of a type no field owns: the record's existence. */
enum { F_EXISTENCE = 0 };

/*
 * The owners-table field under which an intent or a trainee keeps the
 * paths that named it (no field of the schema has this wire id): the value
 * of a row is the ids of the paths one change-set pointed at it, 16 bytes
 * each.
 */
enum { F_NAMED_BY = 0xff };
#define NAMED_BY_MAX (CONSORT_STR_MAX / CONSORT_EID_BYTES)

/* The field that says who owns a record of type: 0 when none does. */
static unsigned
owner_field(unsigned type)
{
	return type == T_session ? F_session_provider : type == T_path ?
	    F_path_session : type == T_derogation ? F_derogation_session :
	    type == T_agreement ? F_agreement_session : type == T_attendance ?
	    F_attendance_path : F_EXISTENCE;
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
	copy_siret(m->siret, state_field(s, r, F_member_siret));
	if ((v = state_field(s, r, F_member_name)) != NULL && v->kind == VAL_STR &&
	    v->len < sizeof(m->name))
		memcpy(m->name, v->s, v->len);
	copy_siret(m->parent, state_field(s, r, F_member_parent));
	if ((v = state_field(s, r, F_member_key)) != NULL && v->len == 64)
		m->has_key = util_unhex_n(m->key, CONSORT_KEY_BYTES, v->s, 64) == 0;
	m->role = role_of(state_field(s, r, F_member_role));
	v = state_field(s, r, F_member_revoked);
	m->revoked = v != NULL && v->kind == VAL_BOOL && v->b;
	v = state_field(s, r, F_member_revoked_after);
	m->revoked_after = v != NULL && v->kind == VAL_INT ? (uint64_t)v->i : 0;
	return 0;
}

/* Reloads the roster cache from the member records if it may be stale. */
int
perm_roster(struct store_txn *txn, struct store *s)
{
	int rc;

	if (!s->roster_stale && s->roster != NULL)
		return 0;
	if (s->roster == NULL &&
	    (s->roster = calloc(STORE_MAX_MEMBERS, sizeof(*s->roster))) == NULL)
		return E(NOMEM);
	s->nroster = 0;
	if ((rc = state_foreach(txn, s, T_member, load_member, s)) != 0 ||
	    (rc = perm_keys_load(txn, s)) != 0)
		return rc;
	s->roster_stale = false;
	return 0;
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
decode_write(const struct store_val *k, const struct store_val *v,
    struct owner_write *w)
{
	struct mp_reader r;
	const uint8_t *p = k->data;
	uint32_t n;

	if (k->len != OWNERS_KEY)
		return E(STORE);
	w->author = util_get_be32(p + 1 + CONSORT_EID_BYTES + 1);
	w->seq = util_get_be64(p + 1 + CONSORT_EID_BYTES + 1 + 4);
	w->hidden = false;
	mp_reader_init(&r, v->data, v->len);
	if (mp_read_array(&r, &n) != 0 || n != 2 || mp_read_value(&r, &w->val) != 0)
		return E(STORE);
	w->vv = r.p;
	w->vvlen = (size_t)(r.end - r.p);
	return 0;
}

/*
 * The writes of (type, id, field) visible to the change-set of causal
 * context c: seen by it, and not replaced by another write it had seen.
 * With past, the change-set's own writes are left out: its causal past.
 */
static int
visible_in(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, unsigned field, bool past,
    struct owner_write *out, unsigned *n)
{
	uint8_t prefix[OWNERS_KEY];
	struct store_walk w;
	struct store_val k, v;
	unsigned i, j, seen = 0;
	int rc;

	owners_prefix(prefix, type, id, field);
	if ((rc = store_walk_begin(&w, txn, s, TB_OWNERS, prefix,
	    1 + CONSORT_EID_BYTES + 1, 1 + CONSORT_EID_BYTES + 1)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != OWNERS_KEY) {
			rc = 0;
			break;
		}
		if (seen == MAX_VISIBLE) {
			rc = E(TOOBIG);
			break;
		}
		if ((rc = decode_write(&k, &v, &out[seen])) != 0)
			break;
		if (out[seen].author < c->n &&
		    out[seen].seq <= c->vv[out[seen].author] &&
		    (!past || out[seen].author != c->author ||
		    out[seen].seq != c->seq))
			seen++;
	}
	store_walk_end(&w);
	if (rc != 0)
		return rc;
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

/* The writes visible to c, its own earlier ops included (visible_in). */
static int
visible(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, unsigned field, struct owner_write *out,
    unsigned *n)
{
	return visible_in(txn, s, c, type, id, field, false, out, n);
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

/*
 * Whether m may edit the session id as the change-set sees it: m answers
 * for every provider visible to it (none visible: *unset, and not allowed).
 */
static int
session_allowed(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const uint8_t *id, bool *ok, bool *unset)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	if ((rc = visible(txn, s, c, T_session, id, F_session_provider, w, &n)) != 0)
		return rc;
	*unset = n == 0;
	*ok = n > 0;
	for (i = 0; i < n && *ok; i++)
		*ok = provides(s, m, &w[i].val);
	return 0;
}

/* Whether m may edit the session a reference value names. */
static int
session_ref_allowed(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, const struct value *v,
    bool *ok)
{
	uint8_t sid[CONSORT_EID_BYTES];
	bool none;

	*ok = false;
	if (v->kind != VAL_STR)
		return 0;
	keys_entity_id(sid, s->founder, T_session, v->s, v->len);
	return session_allowed(txn, s, m, c, sid, ok, &none);
}

static int owner_ref_allowed(struct store_txn *, struct store *,
    const struct member *, const struct causal *, unsigned,
    const struct value *, bool *);

/*
 * Whether m may edit the path, derogation, agreement or attendance id,
 * which belongs to the record its owner field names (a session; a path
 * for attendance): m must be allowed on every one visible to the
 * change-set (none visible: *unset, and not allowed).
 */
static int
held_allowed(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, unsigned type, const uint8_t *id, bool *ok,
    bool *unset)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	if ((rc = visible(txn, s, c, type, id, owner_field(type), w, &n)) != 0)
		return rc;
	*unset = n == 0;
	*ok = n > 0;
	for (i = 0; i < n && *ok; i++)
		if ((rc = owner_ref_allowed(txn, s, m, c, type, &w[i].val,
		    ok)) != 0)
			return rc;
	return 0;
}

/*
 * Whether m may edit a record of type whose owner field holds v: the
 * session it names, or for attendance the path it names (held_allowed on
 * that path: m must run its session).
 */
static int
owner_ref_allowed(struct store_txn *txn, struct store *s,
    const struct member *m, const struct causal *c, unsigned type,
    const struct value *v, bool *ok)
{
	uint8_t pid[CONSORT_EID_BYTES];
	bool none;

	if (type != T_attendance)
		return session_ref_allowed(txn, s, m, c, v, ok);
	*ok = false;
	if (v->kind != VAL_STR)
		return 0;
	keys_entity_id(pid, s->founder, T_path, v->s, v->len);
	return held_allowed(txn, s, m, c, T_path, pid, ok, &none);
}

/* Whether subcontractor m recorded the trainee or intent id. */
static int
recorded_by(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, unsigned type, const uint8_t *id, bool *ok)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	*ok = false;
	if ((rc = visible(txn, s, c, type, id, F_EXISTENCE, w, &n)) != 0)
		return rc;
	for (i = 0; i < n && !*ok; i++)
		*ok = w[i].author == c->author || (w[i].author < s->nauthors &&
		    perm_member_by_key(s, s->authors[w[i].author]) == m);
	return 0;
}

/*
 * Whether a record was created in the change-set's causal past, the
 * change-set itself left out (creations are kept in the owners table), and
 * whether it is alive there: a creation visible that no visible deletion
 * replaced (lots keep both).
 */
int
perm_existed(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, bool *created, bool *alive)
{
	struct owner_write w[MAX_VISIBLE];
	unsigned i, n;
	int rc;

	if ((rc = visible_in(txn, s, c, type, id, F_EXISTENCE, true, w,
	    &n)) != 0)
		return rc;
	*created = n > 0;
	*alive = false;
	for (i = 0; i < n; i++)
		*alive |= w[i].val.kind != VAL_NIL;
	return 0;
}

/* The ops on op i's record around it: [*lo, *hi), one record's run. */
static void
run_of(const struct changeset *cs, uint32_t i, uint32_t *lo, uint32_t *hi)
{
	const struct cs_op *op = &cs->ops[i];

	for (*lo = i; *lo > 0 && cs->ops[*lo - 1].type == op->type &&
	    memcmp(cs->ops[*lo - 1].id, op->id, CONSORT_EID_BYTES) == 0; (*lo)--)
		;
	for (*hi = i + 1; *hi < cs->nops && cs->ops[*hi].type == op->type &&
	    memcmp(cs->ops[*hi].id, op->id, CONSORT_EID_BYTES) == 0; (*hi)++)
		;
}

/*
 * Whether the run of op i creates a record that had no creation in the
 * change-set's causal past and names its owner (a session's provider, the
 * session of a path, a derogation or an agreement, the path of
 * attendance) as one m answers for:
 * how a member other than the lead brings a record of its own into being.
 */
static int
creates_own(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i, bool *ok,
    bool *other)
{
	const struct cs_op *op = &cs->ops[i], *x;
	unsigned field = owner_field(op->type);
	bool created = false, named = false, before, alive;
	uint32_t lo, hi, k;
	int rc;

	*ok = *other = false;
	run_of(cs, i, &lo, &hi);
	for (k = lo; k < hi; k++) {
		x = &cs->ops[k];
		created |= x->kind == OP_CREATE;
		if (x->kind != OP_SET || x->field != field)
			continue;
		if (op->type == T_session)
			named = provides(s, m, &x->val);
		else if ((rc = owner_ref_allowed(txn, s, m, c, op->type,
		    &x->val, &named)) != 0)
			return rc;
		/* it names another's: refused as that op would be */
		if (!named) {
			*other = true;
			return 0;
		}
	}
	if (!created || !named)
		return 0;
	if ((rc = perm_existed(txn, s, c, op->type, op->id, &before, &alive)) != 0)
		return rc;
	*ok = !before;
	return 0;
}

/* The refusal of an op on a session or a record it holds (check_owned). */
static const char *
not_owned(unsigned type, bool unset)
{
	if (type == T_session)
		return unset ? N_("a session without a provider is edited by "
		    "the lead only (a member creates one naming itself, or its "
		    "subcontractor, as provider in the same change-set)") :
		    N_("the session is run by another provider");
	if (type == T_path)
		return unset ? N_("a path without a session is edited by the "
		    "lead only (a member creates one in its own session)") :
		    N_("the path belongs to a session run by another provider");
	if (type == T_agreement)
		return unset ? N_("an agreement without a session is recorded "
		    "by the lead only (a member records one for a session it "
		    "runs)") :
		    N_("the agreement is about a session run by another "
		    "provider");
	if (type == T_attendance)
		return unset ? N_("attendance without a path is recorded by "
		    "the lead only (a member records it for a path of a "
		    "session it runs)") : N_("the attendance is of a path of a "
		    "session run by another provider");
	return unset ? N_("a derogation without a session is recorded by the "
	    "lead only (a member derogates only for a session it runs)") :
	    N_("the derogation is about a session run by another provider");
}

/*
 * The check of an op on a session, a path, a derogation, an agreement or
 * attendance: m must answer for the record's owner as the change-set sees it (every
 * value visible, when concurrent writes left several), and for the new
 * owner when the op changes it.  A record with no owner visible is the
 * lead's, except in the run of ops that creates it naming m's own.
 */
static int
check_owned(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why)
{
	const struct cs_op *op = &cs->ops[i];
	bool ok, unset, named, other = false;
	int rc;

	rc = op->type == T_session ?
	    session_allowed(txn, s, m, c, op->id, &ok, &unset) :
	    held_allowed(txn, s, m, c, op->type, op->id, &ok, &unset);
	if (rc == 0 && unset)
		rc = creates_own(txn, s, m, c, cs, i, &ok, &other);
	if (rc != 0)
		return rc;
	if (other) {
		/* its creation names another's provider or session */
		*why = op->type == T_session ?
		    N_("a member may only name itself "
		    "(or, for a co-contractor, its subcontractors) as a "
		    "session's provider") : op->type == T_path ?
		    N_("the path's "
		    "session is run by another provider") : op->type ==
		    T_agreement ? N_("the agreement is about a session run by "
		    "another provider") : op->type == T_attendance ? N_("the "
		    "attendance is of a path of a session run by another "
		    "provider") : N_("the derogation is about a session "
		    "run by another provider");
		return E(PERM);
	}
	if (!ok) {
		*why = not_owned(op->type, unset);
		return E(PERM);
	}
	if (op->kind != OP_SET || op->field != owner_field(op->type))
		return 0;
	/* a change of owner: m must answer for the new one too */
	if (op->type == T_session)
		named = provides(s, m, &op->val);
	else if ((rc = owner_ref_allowed(txn, s, m, c, op->type, &op->val,
	    &named)) != 0)
		return rc;
	if (named)
		return 0;
	*why = op->type == T_session ? N_("a member may only name itself (or, "
	    "for a co-contractor, its subcontractors) as a session's "
	    "provider") :
	    op->type == T_path ? N_("the path's new session is run by another "
	    "provider") : op->type == T_agreement ? N_("the agreement's new "
	    "session is run by another provider") : op->type == T_attendance ?
	    N_("the attendance's new path is of a session run by another "
	    "provider") : N_("the derogation's new session is run by another "
	    "provider");
	return E(PERM);
}

/* Whether an op writes a trainee's erasure (its date or its reason). */
static bool
is_erasure(const struct cs_op *op)
{
	return op->type == T_trainee && (op->field == F_trainee_erased ||
	    op->field == F_trainee_erased_reason);
}

/*
 * An erasure is the lead's or the recording member's, and for good:
 * nobody unsets it.
 */
static int
check_erasure(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op, const char **why)
{
	bool ok;
	int rc;

	if (op->kind != OP_SET) {
		*why = N_("an erasure is for good: nobody unsets it");
		return E(PERM);
	}
	if (m == NULL || m->role == ROLE_LEAD)
		return 0;
	if ((rc = recorded_by(txn, s, m, c, op->type, op->id, &ok)) != 0)
		return rc;
	if (!ok)
		*why = N_("only the lead or the member who recorded a trainee "
		    "erases its personal values");
	return ok ? 0 : E(PERM);
}

/* Whether an op writes an intent's outcome or a trainee's exit (R23). */
static bool
is_outcome(const struct cs_op *op)
{
	if (op->kind != OP_SET && op->kind != OP_UNSET)
		return false;
	if (op->type == T_trainee)
		return op->field == F_trainee_exit ||
		    op->field == F_trainee_exit_date;
	return op->type == T_intent && (op->field == F_intent_outcome ||
	    op->field == F_intent_hired_date ||
	    op->field == F_intent_hired_contract ||
	    op->field == F_intent_hired_weekly_hours ||
	    op->field == F_intent_not_hired_reason);
}

/* The ids of the paths that named a record, each once. */
struct named {
	uint8_t (*id)[CONSORT_EID_BYTES];
	size_t n, cap;
};

/* Adds a path's id to the list, unless it holds it already. */
static int
named_add(struct named *x, const uint8_t *id)
{
	uint8_t (*p)[CONSORT_EID_BYTES];
	size_t i;

	for (i = 0; i < x->n; i++)
		if (memcmp(x->id[i], id, CONSORT_EID_BYTES) == 0)
			return 0;
	if (x->n == x->cap) {
		if ((p = realloc(x->id, (x->cap ? x->cap * 2 : 8) *
		    sizeof(*p))) == NULL)
			return E(NOMEM);
		x->id = p;
		x->cap = x->cap ? x->cap * 2 : 8;
	}
	memcpy(x->id[x->n++], id, CONSORT_EID_BYTES);
	return 0;
}

/*
 * The paths that named the intent or trainee id in the change-set's causal
 * past, its own earlier ops included: every row kept under it (F_NAMED_BY)
 * whose change-set c had seen.
 */
static int
named_by(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, struct named *out)
{
	uint8_t prefix[OWNERS_KEY];
	struct owner_write ow;
	struct store_walk w;
	struct store_val k, v;
	uint32_t i;
	int rc;

	owners_prefix(prefix, type, id, F_NAMED_BY);
	if ((rc = store_walk_begin(&w, txn, s, TB_OWNERS, prefix,
	    1 + CONSORT_EID_BYTES + 1, 1 + CONSORT_EID_BYTES + 1)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if ((rc = decode_write(&k, &v, &ow)) != 0)
			break;
		if (ow.author >= c->n || ow.seq > c->vv[ow.author])
			continue;
		if (ow.val.kind != VAL_BIN || ow.val.len % CONSORT_EID_BYTES) {
			rc = E(STORE);
			break;
		}
		for (i = 0; i < ow.val.len && rc == 0; i += CONSORT_EID_BYTES)
			rc = named_add(out, (const uint8_t *)ow.val.s + i);
		if (rc != 0)
			break;
	}
	store_walk_end(&w);
	return rc;
}

/*
 * Whether m provides a session in which a path named the intent or
 * trainee id, as the change-set sees it: a path that named it in c's
 * past (even if pointed elsewhere since: a withdrawn intent's outcome is
 * still its provider's to record) and belongs to a session m answers for.
 */
static int
provides_for(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, unsigned type, const uint8_t *id, bool *ok)
{
	struct named x = { NULL, 0, 0 };
	bool unset;
	size_t i;
	int rc;

	*ok = false;
	rc = named_by(txn, s, c, type, id, &x);
	for (i = 0; rc == 0 && i < x.n && !*ok; i++)
		rc = held_allowed(txn, s, m, c, T_path, x.id[i], ok, &unset);
	free(x.id);
	return rc;
}

/*
 * An intent's outcome and a trainee's exit (R23) are recorded by the lead
 * or by the provider of a session in which a path names the intent or the
 * trainee (a co-contractor for its subcontractors' sessions too): the
 * members who saw the training end, not every member who may edit the
 * intent.
 */
static int
check_outcome(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op, const char **why)
{
	bool ok;
	int rc;

	if ((rc = provides_for(txn, s, m, c, op->type, op->id, &ok)) != 0)
		return rc;
	if (ok)
		return 0;
	*why = op->type == T_intent ? N_("an intent's outcome is recorded by "
	    "the lead or the provider of the session whose path names the "
	    "intent") :
	    N_("a trainee's exit is recorded by the lead or the provider of a "
	    "session whose path names the trainee");
	return E(PERM);
}

/*
 * Decides whether the author of cs may apply its op i: m is the author's
 * roster entry, NULL for the lead.  Returns 0, E(PERM) with a reason, or a
 * store error.  Orders, notices, the Region's decisions and keys are not
 * judged here but by perm_order_check (perm-order.c), for every author,
 * the lead included.
 */
int
perm_check_op(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct changeset *cs, uint32_t i,
    const char **why)
{
	const struct cs_op *op = &cs->ops[i];
	const struct schema_type *t = schema_type(op->type);
	bool ok;
	int rc;

	*why = NULL;
	if (!s->has_founder)
		return 0;
	if (is_erasure(op))
		return check_erasure(txn, s, m, c, op, why);
	if (m == NULL || m->role == ROLE_LEAD)
		return 0;
	if (is_outcome(op))
		return check_outcome(txn, s, m, c, op, why);
	if (t->flags & (SCHEMA_ROSTER | SCHEMA_LEAD)) {
		*why = N_("only the lead edits the roster and the lots");
		return E(PERM);
	}
	if (op->type == T_agreement && m->role == ROLE_SUB) {
		*why = N_("a subcontractor records no agreement of the Region: "
		    "the member it is attached to asks the Region and records "
		    "it");
		return E(PERM);
	}
	if (op->type == T_session || op->type == T_path ||
	    op->type == T_derogation || op->type == T_agreement ||
	    op->type == T_attendance)
		return check_owned(txn, s, m, c, cs, i, why);
	if (m->role == ROLE_CO)
		return 0;
	if (op->type != T_trainee && op->type != T_intent) {
		*why = N_("a subcontractor edits only its sessions, their "
		    "paths, derogations and attendance, and the trainees and "
		    "intents it recorded");
		return E(PERM);
	}
	/* trainee, intent: a subcontractor edits what it recorded */
	if (op->kind == OP_CREATE)
		return 0;
	if ((rc = recorded_by(txn, s, m, c, op->type, op->id, &ok)) != 0)
		return rc;
	if (!ok)
		*why = N_("a subcontractor edits only the trainees and intents "
		    "it recorded");
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
 * Which write of op the owners table keeps, if any: the fields that decide
 * ownership (a session's provider, the session of a path, a derogation or
 * an agreement, the path of attendance); the creation of a session, a
 * path, a derogation, an agreement, attendance, an order, a notice, a decision of the Region or its key,
 * of a trainee, and of an intent by a subcontractor; a lot's creation and
 * deletion (a notice names a lot alive in its past).  *v is the value kept.
 */
static bool
kept(const struct member *m, const struct cs_op *op, unsigned *field,
    const struct value **v)
{
	static const struct value nil = { VAL_NIL, false, 0, NULL, 0 };

	*field = F_EXISTENCE;
	*v = &nil;
	switch (op->kind) {
	case OP_SET:
		*field = owner_field(op->type);
		*v = &op->val;
		return *field != F_EXISTENCE && op->field == *field;
	case OP_CREATE:
		if (op->type == T_lot)
			*v = &op->val;
		if (op->type == T_trainee)  /* who recorded it: erasure */
			return true;
		if (op->type == T_intent)
			return m != NULL && m->role == ROLE_SUB;
		return op->type == T_session || op->type == T_path ||
		    op->type == T_derogation || op->type == T_agreement ||
		    op->type == T_attendance || perm_order_type(op->type) ||
		    op->type == T_lot;
	case OP_DELETE:
		return op->type == T_lot;
	default:
		return false;
	}
}

/*
 * Puts one write in the owners table: (type, id, field) by c, value v, and
 * c's causal context, or an empty one when the row needs none (with_vv).
 */
static int
put_owner(struct store_txn *txn, struct store *s, const struct causal *c,
    unsigned type, const uint8_t *id, unsigned field, const struct value *v,
    bool with_vv)
{
	uint8_t key[OWNERS_KEY];
	msgpack_sbuffer buf;
	msgpack_packer pk;
	int rc;

	owners_prefix(key, type, id, field);
	util_put_be32(key + 1 + CONSORT_EID_BYTES + 1, c->author);
	util_put_be64(key + 1 + CONSORT_EID_BYTES + 1 + 4, c->seq);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 2);
	mp_pack_value(&pk, v);
	if (with_vv)
		pack_vv(&pk, c);
	else
		msgpack_pack_array(&pk, 0);
	rc = store_put(txn, s, TB_OWNERS, key, sizeof(key), buf.data, buf.size, 0);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/*
 * Keeps what a path names (R23): under the intent or trainee a write of
 * path.intent or path.trainee names, the path's id, in one row per
 * change-set holding the ids of every path it pointed there (NAMED_BY_MAX
 * at most: a change-set naming one intent from more paths is an R07
 * conflict many times over), so that who may record an outcome or an
 * exit is judged in the causal past (provides_for).  The row needs no
 * causal context of its own: the key's author and seq say whether a
 * change-set had seen it.
 */
static int
record_named(struct store_txn *txn, struct store *s, const struct causal *c,
    const struct cs_op *op)
{
	uint8_t key[OWNERS_KEY], tid[CONSORT_EID_BYTES];
	uint8_t ids[NAMED_BY_MAX * CONSORT_EID_BYTES];
	struct owner_write ow;
	struct store_val k = { key, sizeof(key) }, v;
	struct value list = { VAL_BIN, false, 0, (const char *)ids, 0 };
	unsigned type;
	uint32_t i;
	int rc;

	if (op->type != T_path || op->kind != OP_SET || op->val.kind != VAL_STR ||
	    (op->field != F_path_intent && op->field != F_path_trainee))
		return 0;
	type = op->field == F_path_intent ? T_intent : T_trainee;
	keys_entity_id(tid, s->founder, type, op->val.s, op->val.len);
	owners_prefix(key, type, tid, F_NAMED_BY);
	util_put_be32(key + 1 + CONSORT_EID_BYTES + 1, c->author);
	util_put_be64(key + 1 + CONSORT_EID_BYTES + 1 + 4, c->seq);
	rc = store_get(txn, s, TB_OWNERS, key, sizeof(key), &v);
	if (rc == 0) {
		if ((rc = decode_write(&k, &v, &ow)) != 0)
			return rc;
		if (ow.val.kind != VAL_BIN || ow.val.len > sizeof(ids) ||
		    ow.val.len % CONSORT_EID_BYTES)
			return E(STORE);
		memcpy(ids, ow.val.s, ow.val.len);
		list.len = ow.val.len;
	} else if (rc != E(NOENT))
		return rc;
	for (i = 0; i < list.len; i += CONSORT_EID_BYTES)
		if (memcmp(ids + i, op->id, CONSORT_EID_BYTES) == 0)
			return 0;
	if (list.len == sizeof(ids))
		return 0;
	memcpy(ids + list.len, op->id, CONSORT_EID_BYTES);
	list.len += CONSORT_EID_BYTES;
	return put_owner(txn, s, c, type, tid, F_NAMED_BY, &list, false);
}

/*
 * Keeps, in the owners table, a write that later permission checks depend
 * on (see kept, record_named), with the writer's causal context.
 */
int
perm_record_op(struct store_txn *txn, struct store *s, const struct member *m,
    const struct causal *c, const struct cs_op *op)
{
	const struct value *v;
	unsigned field;
	int rc;

	if ((rc = record_named(txn, s, c, op)) != 0)
		return rc;
	if (!kept(m, op, &field, &v))
		return 0;
	return put_owner(txn, s, c, op->type, op->id, field, v, true);
}

/* Whether an author is revoked, and after which of its change-sets. */
int
perm_revoked_after(struct store_txn *txn, struct store *s,
    const uint8_t *author, uint64_t *after, bool *revoked)
{
	struct store_val v;
	int rc;

	*revoked = false;
	*after = 0;
	rc = store_get(txn, s, TB_REVOKED, author, CONSORT_KEY_BYTES, &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	if (v.len != 8)
		return E(STORE);
	*after = util_get_be64(v.data);
	*revoked = true;
	return 0;
}

/*
 * Calls fn(ctx, id, author) for each creation of a record of type that the
 * owners table keeps (every trainee's, whoever wrote it), author the
 * creator's local number; of one record only when id is not NULL.
 */
int
perm_foreach_creation(struct store_txn *txn, struct store *s, unsigned type,
    const uint8_t *id, perm_creation_fn fn, void *ctx)
{
	uint8_t prefix[OWNERS_KEY];
	struct store_walk w;
	struct store_val k, v;
	const uint8_t *p;
	int rc;

	prefix[0] = (uint8_t)type;
	if (id != NULL)
		owners_prefix(prefix, type, id, F_EXISTENCE);
	if ((rc = store_walk_begin(&w, txn, s, TB_OWNERS, prefix, id != NULL ?
	    1 + CONSORT_EID_BYTES + 1 : 1, id != NULL ?
	    1 + CONSORT_EID_BYTES + 1 : 1)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		p = k.data;
		if (k.len != OWNERS_KEY || p[1 + CONSORT_EID_BYTES] != F_EXISTENCE)
			continue;
		if ((rc = fn(ctx, p + 1, util_get_be32(p + 1 + CONSORT_EID_BYTES +
		    1))) != 0)
			break;
	}
	store_walk_end(&w);
	return rc < 0 ? rc : 0;
}

/* What perm_may_edit() looks for among a record's creations. */
struct creator {
	uint32_t author;
	bool found;
};

/* Notes a creation by the author looked for. */
static int
is_creator(void *ctx, const uint8_t *id, uint32_t author)
{
	struct creator *c = ctx;

	(void)id;
	c->found |= author == c->author;
	return 0;
}

/*
 * Whether the member of key may edit the live trainee or intent id in a
 * change-set of its own that follows the whole state, as perm_check_op()
 * will judge it: the lead and the co-contractors edit every one, a
 * subcontractor those it recorded.
 */
int
perm_may_edit(struct store_txn *txn, struct store *s, const uint8_t *key,
    unsigned type, const uint8_t *id, bool *ok)
{
	const struct member *m;
	struct creator c = { 0, false };
	int rc;

	*ok = false;
	if (s->has_founder && (rc = perm_roster(txn, s)) != 0)
		return rc;
	if (!s->has_founder || perm_is_lead(s, key)) {
		*ok = true;
		return 0;
	}
	if ((m = perm_member_by_key(s, key)) == NULL ||
	    (type != T_trainee && type != T_intent))
		return 0;
	if (m->role == ROLE_CO) {
		*ok = true;
		return 0;
	}
	if (m->role != ROLE_SUB)
		return 0;
	for (c.author = 0; c.author < s->nauthors; c.author++)
		if (memcmp(s->authors[c.author], key, CONSORT_KEY_BYTES) == 0)
			break;
	if (c.author == s->nauthors)
		return 0;  /* it wrote nothing yet */
	if ((rc = perm_foreach_creation(txn, s, type, id, is_creator, &c)) != 0)
		return rc;
	*ok = c.found;
	return 0;
}
