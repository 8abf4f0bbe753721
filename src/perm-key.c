/*
 * Keys over time (DESIGN.md §2): which keys speak for which member, and
 * who may write a key record.
 *
 * A member's first key is the one the lead bound (member.key, or the
 * founder's in the genesis).  A key record replaces a key by another: a
 * member's own rotation, signed by the key it replaces, or the lead's
 * recovery, signed by the consortium's recovery key, whose first public
 * half the genesis names; the recovery key replaces itself the same way.
 * The replaced key's change-sets after the record's `last` count nowhere
 * (the revoked table, as for a revoked member), so every node reaches the
 * same verdict whatever the arrival order.  The roster cache maps every
 * key a member ever held to it, old ones too: its change-sets before the
 * rotation still count.  Only current keys may sync or read personal
 * values.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

/* A key record as the roster resolves it. */
struct link_rec {
	struct key_link l;
	uint64_t last;
	bool done;
};

/* Adds a key to the roster's key table; E(NOMEM). */
static int
add_key(struct store *s, const uint8_t *key, int32_t member)
{
	struct roster_key *k;
	uint32_t cap = s->caprkeys ? s->caprkeys * 2 : 64;

	if (s->nrkeys == s->caprkeys) {
		if ((k = realloc(s->rkeys, cap * sizeof(*k))) == NULL)
			return E(NOMEM);
		s->rkeys = k;
		s->caprkeys = cap;
	}
	k = &s->rkeys[s->nrkeys++];
	memcpy(k->key, key, CONSORT_KEY_BYTES);
	k->member = member;
	k->current = true;
	k->by_recovery = false;
	return 0;
}

/* The key table's entry of key, or NULL. */
static struct roster_key *
find_key(const struct store *s, const uint8_t *key)
{
	uint32_t i;

	for (i = 0; i < s->nrkeys; i++)
		if (memcmp(s->rkeys[i].key, key, CONSORT_KEY_BYTES) == 0)
			return &s->rkeys[i];
	return NULL;
}

/* Reads a 64-hex-digit string value into 32 bytes; false if it is not one. */
static bool
hex_key(const struct value *v, uint8_t out[CONSORT_KEY_BYTES])
{
	return v != NULL && v->kind == VAL_STR && v->len == 64 &&
	    util_unhex_n(out, CONSORT_KEY_BYTES, v->s, 64) == 0;
}

/* Reads a 128-hex-digit string value into a 64-byte signature. */
static bool
hex_sig(const struct value *v, uint8_t out[64])
{
	return v != NULL && v->kind == VAL_STR && v->len == 128 &&
	    util_unhex_n(out, 64, v->s, 128) == 0;
}

/* Whether an enum value is the string name. */
static bool
is_name(const struct value *v, const char *name)
{
	return v != NULL && v->kind == VAL_STR && strlen(name) == v->len &&
	    memcmp(v->s, name, v->len) == 0;
}

/* Fills a link from a key record's fields; false if one is missing. */
static bool
link_of_record(const struct store *s, const struct record *r,
    struct link_rec *out)
{
	const struct value *v;

	memset(out, 0, sizeof(*out));
	if (r->ref == NULL || r->ref_len != 64 ||
	    util_unhex_n(out->l.to, CONSORT_KEY_BYTES, r->ref, 64) != 0 ||
	    !hex_key(state_field(s, r, F_key_from), out->l.from) ||
	    !hex_sig(state_field(s, r, F_key_signature), out->l.sig) ||
	    !hex_sig(state_field(s, r, F_key_proof), out->l.proof))
		return false;
	out->l.role = is_name(state_field(s, r, F_key_role), "recovery") ?
	    KEY_ROLE_RECOVERY : KEY_ROLE_MEMBER;
	out->l.by = is_name(state_field(s, r, F_key_by), "recovery") ?
	    KEY_BY_RECOVERY : KEY_BY_KEY;
	v = state_field(s, r, F_key_date);
	if (v == NULL || v->kind != VAL_STR || v->len != 10)
		return false;
	memcpy(out->l.date, v->s, 10);
	v = state_field(s, r, F_key_last);
	out->last = v != NULL && v->kind == VAL_INT ? (uint64_t)v->i : 0;
	return true;
}

/* What perm_keys_load() gathers from the key records. */
struct links {
	struct store *s;
	struct link_rec *v;
	uint32_t n, cap;
};

/* Collects one key record. */
static int
collect_link(void *ctx, const struct record *r)
{
	struct links *ls = ctx;
	struct link_rec *v;

	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 16;
		if ((v = realloc(ls->v, ls->cap * sizeof(*v))) == NULL)
			return E(NOMEM);
		ls->v = v;
	}
	if (link_of_record(ls->s, r, &ls->v[ls->n]))
		ls->n++;
	return 0;
}

/* Reads every key record of the state into ls (the caller frees ls->v). */
static int
load_links(struct store_txn *txn, struct store *s, struct links *ls)
{
	memset(ls, 0, sizeof(*ls));
	ls->s = s;
	return state_foreach(txn, s, T_key, collect_link, ls);
}

/*
 * Adds the consortium's first recovery key, named by the genesis under
 * the founder's signature.
 */
static int
add_first_recovery(struct store_txn *txn, struct store *s)
{
	uint8_t key[CONSORT_KEY_BYTES], sig[64];
	struct record r;
	int rc;

	record_init(&r);
	rc = state_lookup(txn, s, s->founder, T_consortium, "consortium", 10, &r);
	if (rc == 0 && r.found && hex_key(state_field(s, &r,
	    F_consortium_recovery), key) && hex_sig(state_field(s, &r,
	    F_consortium_recovery_signature), sig) &&
	    keychain_recovery_verify(sig, s->founder, key) == 0 &&
	    find_key(s, key) == NULL)
		rc = add_key(s, key, -1);
	else if (rc == E(NOENT))
		rc = 0;
	record_free(&r);
	return rc;
}

/*
 * Follows the key records from the keys already in the table: a link
 * whose replaced key is known adds its new key to the same member (or to
 * the recovery keys), until none is left that can follow.
 */
static int
follow_links(struct store *s, struct links *ls)
{
	struct roster_key *from, *to;
	bool progressed;
	uint32_t i;
	int rc;

	do {
		progressed = false;
		for (i = 0; i < ls->n; i++) {
			struct link_rec *lr = &ls->v[i];

			if (lr->done || (from = find_key(s, lr->l.from)) == NULL)
				continue;
			lr->done = progressed = true;
			if ((from->member < 0) != (lr->l.role == KEY_ROLE_RECOVERY) ||
			    find_key(s, lr->l.to) != NULL)
				continue;  /* a key reused, or roles crossed */
			if ((rc = add_key(s, lr->l.to, from->member)) != 0)
				return rc;
			from = find_key(s, lr->l.from);
			to = &s->rkeys[s->nrkeys - 1];
			from->current = false;
			to->by_recovery = lr->l.by == KEY_BY_RECOVERY;
		}
	} while (progressed);
	return 0;
}

/*
 * Keeps one current key per member (and one recovery key): one a
 * recovery made before one its replaced key made, then the lowest bytes.
 * Two only arise when a recovery and a rotation replaced one key each.
 */
static void
one_current(struct store *s)
{
	struct roster_key *a, *b;
	uint32_t i, j;

	for (i = 0; i < s->nrkeys; i++)
		for (j = i + 1; j < s->nrkeys; j++) {
			a = &s->rkeys[i];
			b = &s->rkeys[j];
			if (!a->current || !b->current || a->member != b->member)
				continue;
			if (a->by_recovery != b->by_recovery ?
			    b->by_recovery : memcmp(b->key, a->key,
			    CONSORT_KEY_BYTES) < 0)
				a->current = false;
			else
				b->current = false;
		}
}

/*
 * Builds the roster's key table from the members' bound keys, the
 * genesis's recovery key and the key records, and gives each member its
 * current key.
 */
int
perm_keys_load(struct store_txn *txn, struct store *s)
{
	struct links ls;
	uint32_t i;
	int rc = 0;

	s->nrkeys = 0;
	for (i = 0; i < s->nroster && rc == 0; i++)
		if (s->roster[i].has_key && find_key(s, s->roster[i].key) == NULL)
			rc = add_key(s, s->roster[i].key, (int32_t)i);
	if (rc != 0 || (rc = add_first_recovery(txn, s)) != 0 ||
	    (rc = load_links(txn, s, &ls)) != 0)
		return rc;
	rc = follow_links(s, &ls);
	free(ls.v);
	if (rc != 0)
		return rc;
	one_current(s);
	for (i = 0; i < s->nrkeys; i++)
		if (s->rkeys[i].member >= 0 && s->rkeys[i].current)
			memcpy(s->roster[s->rkeys[i].member].key, s->rkeys[i].key,
			    CONSORT_KEY_BYTES);
	return 0;
}

/* The member a key speaks for (any key it held), or NULL. */
const struct member *
perm_member_by_key(const struct store *s, const uint8_t *key)
{
	const struct roster_key *k = find_key(s, key);

	return k != NULL && k->member >= 0 ? &s->roster[k->member] : NULL;
}

/* Whether key is a member's or the recovery's current key. */
bool
perm_key_current(const struct store *s, const uint8_t *key)
{
	const struct roster_key *k = find_key(s, key);

	if (k == NULL)
		return s->has_founder && s->nrkeys == 0 &&
		    memcmp(key, s->founder, CONSORT_KEY_BYTES) == 0;
	return k->current;
}

/* Whether key is one of the consortium's recovery keys, current or not. */
bool
perm_is_recovery(const struct store *s, const uint8_t *key)
{
	const struct roster_key *k = find_key(s, key);

	return k != NULL && k->member < 0;
}

/* The consortium's current recovery key, or false when it has none. */
bool
perm_recovery_key(const struct store *s, uint8_t out[CONSORT_KEY_BYTES])
{
	uint32_t i;

	for (i = 0; i < s->nrkeys; i++)
		if (s->rkeys[i].member < 0 && s->rkeys[i].current) {
			memcpy(out, s->rkeys[i].key, CONSORT_KEY_BYTES);
			return true;
		}
	return false;
}

/* Whether key is the lead's: the founder's, or one that replaced it. */
bool
perm_is_lead(const struct store *s, const uint8_t *key)
{
	const struct member *m;

	if (!s->has_founder)
		return false;
	if (memcmp(s->founder, key, CONSORT_KEY_BYTES) == 0)
		return true;
	m = perm_member_by_key(s, key);
	return m != NULL && m->role == ROLE_LEAD;
}

/* The ops of a change-set that write the key record id, as one link. */
struct key_ops {
	struct key_link l;
	uint64_t last;
	unsigned seen;  /* bit per field written; bit 0 the creation */
	bool bad;
};

/* Reads one op of the key record into k; marks k bad if it is not one. */
static void
key_op(struct key_ops *k, const struct cs_op *op)
{
	const struct value *v = &op->val;
	unsigned bit = op->kind == OP_CREATE ? 1u : 1u << op->field;
	bool ok = true;

	if ((op->kind != OP_CREATE && op->kind != OP_SET) ||
	    op->field > F_key_proof || (k->seen & bit))
		ok = false;
	else if (op->kind == OP_CREATE)
		ok = hex_key(v, k->l.to);
	else if (op->field == F_key_from)
		ok = hex_key(v, k->l.from);
	else if (op->field == F_key_role)
		k->l.role = is_name(v, "recovery") ? KEY_ROLE_RECOVERY :
		    KEY_ROLE_MEMBER;
	else if (op->field == F_key_by)
		k->l.by = is_name(v, "recovery") ? KEY_BY_RECOVERY : KEY_BY_KEY;
	else if (op->field == F_key_last)
		k->last = v->kind == VAL_INT ? (uint64_t)v->i : 0;
	else if (op->field == F_key_date && v->kind == VAL_STR && v->len == 10)
		memcpy(k->l.date, v->s, 10);
	else if (op->field == F_key_signature)
		ok = hex_sig(v, k->l.sig);
	else if (op->field == F_key_proof)
		ok = hex_sig(v, k->l.proof);
	else
		ok = false;
	k->seen |= bit;
	k->bad |= !ok;
}

/* Gathers the change-set's ops on the key record of op i; a why if bad. */
static const char *
gather(const struct changeset *cs, uint32_t i, struct key_ops *k)
{
	const uint8_t *id = cs->ops[i].id;
	unsigned all = 1u | 0xfeu;  /* the creation and fields 1..7 */
	uint32_t j;

	memset(k, 0, sizeof(*k));
	for (j = 0; j < cs->nops; j++) {
		if (cs->ops[j].type != T_key)
			continue;
		if (memcmp(cs->ops[j].id, id, CONSORT_EID_BYTES) != 0)
			return N_("a change-set writes one key record at most");
		key_op(k, &cs->ops[j]);
	}
	if (k->bad || k->seen != all)
		return N_("a key record is written whole by the change-set "
		    "that creates it, and never changed");
	return NULL;
}

/* Who may write the link k in change-set cs; a why if not its author. */
static const char *
check_signer(const struct store *s, const struct changeset *cs,
    const struct key_ops *k)
{
	bool self = memcmp(cs->author, k->l.from, CONSORT_KEY_BYTES) == 0;

	if (perm_member_by_key(s, k->l.to) != NULL ||
	    perm_is_recovery(s, k->l.to) || perm_is_lead(s, k->l.to))
		return N_("the new key is already in use");

	if (k->l.by == KEY_BY_KEY) {
		if (!self || k->l.role != KEY_ROLE_MEMBER ||
		    perm_member_by_key(s, k->l.from) == NULL)
			return N_("a member's key is replaced by a change-set "
			    "of that key");
		if (k->last != cs->seq)
			return N_("a key's rotation is the last change-set of "
			    "the key it replaces");
		return NULL;
	}
	if (!perm_is_recovery(s, cs->author))
		return N_("only the consortium's recovery key signs a "
		    "recovery");
	if (k->l.role == KEY_ROLE_RECOVERY)
		return self && k->last == cs->seq ? NULL :
		    N_("the recovery key replaces itself in its own last "
		    "change-set");
	return perm_is_lead(s, k->l.from) ? NULL :
	    N_("a recovery replaces only the lead's key");
}

/*
 * Whether op i of cs, on a key record, may apply: the change-set writes
 * the record whole, its author may replace that key, and the statement's
 * signature and the new key's proof hold.  One verdict per change-set.
 */
int
perm_key_check(struct store_txn *txn, struct store *s,
    const struct changeset *cs, uint32_t i, const char **why)
{
	struct key_ops k;
	int rc;

	*why = NULL;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	if ((*why = gather(cs, i, &k)) == NULL &&
	    (*why = check_signer(s, cs, &k)) == NULL &&
	    keychain_link_verify(cs->consortium, &k.l, k.l.by == KEY_BY_KEY ?
	    k.l.from : cs->author) != 0)
		*why = N_("the key record's signature or the new key's proof "
		    "does not hold");
	return *why == NULL ? 0 : E(PERM);
}

/* Lowers the revoked table's point of key to after, if it is later. */
static int
revoke_at(struct store_txn *txn, struct store *s, const uint8_t *key,
    uint64_t after)
{
	uint8_t buf[8];
	struct head h;
	uint64_t was;
	bool revoked;
	int rc;

	if ((rc = perm_revoked_after(txn, s, key, &was, &revoked)) != 0)
		return rc;
	if (revoked && was <= after)
		return 0;
	util_put_be64(buf, after);
	if ((rc = store_put(txn, s, TB_REVOKED, key, CONSORT_KEY_BYTES, buf, 8,
	    0)) != 0)
		return rc;
	rc = store_head(txn, s, key, &h);
	if (rc == 0 && h.seq > after)
		s->needs_rebuild = true;
	return rc == E(NOENT) ? 0 : rc;
}

/*
 * Copies the revocations into the revoked table: a revoked member's
 * current key after its point, and each replaced key after the last of
 * its change-sets that counts.  The table only ever moves a point earlier.
 */
int
perm_sync_revocations(struct store_txn *txn, struct store *s)
{
	struct links ls;
	uint32_t i;
	int rc;

	s->roster_stale = true;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	for (i = 0; i < s->nroster; i++) {
		const struct member *m = &s->roster[i];

		if (m->revoked && m->has_key &&
		    (rc = revoke_at(txn, s, m->key, m->revoked_after)) != 0)
			return rc;
	}
	if ((rc = load_links(txn, s, &ls)) != 0)
		return rc;
	for (i = 0; i < ls.n && rc == 0; i++)
		rc = revoke_at(txn, s, ls.v[i].l.from, ls.v[i].last);
	free(ls.v);
	return rc;
}
