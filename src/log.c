/*
 * The append-only log: checking a change-set against the store (consortium,
 * signature, chain, causal deps), storing it, and applying it; and the
 * replay of the whole log that rebuild and verify use.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

static const uint8_t zero_hash[CONSORT_HASH_BYTES];

/* Formats "AUTHOR8/SEQ (id ID16)" naming a change-set in messages. */
static void
name_cs(char *buf, size_t len, const struct changeset *cs)
{
	char a[2 * CONSORT_KEY_BYTES + 1], id[2 * CONSORT_HASH_BYTES + 1];

	util_hex(a, cs->author, CONSORT_KEY_BYTES);
	util_hex(id, cs->id, CONSORT_HASH_BYTES);
	snprintf(buf, len, "change-set %.16s/%llu (id %.16s)", a,
	    (unsigned long long)cs->seq, id);
}

/* Fills d for a refused change-set and returns err. */
static int
refuse(struct consort_diag *d, const struct changeset *cs, int err,
    const char *what, const char *hint)
{
	char where[160];

	name_cs(where, sizeof(where), cs);
	return consort_diag_set(d, err, where, what, hint);
}

/* The consortium check: the genesis carries zeros and is the consortium's id. */
static int
check_consortium(const struct changeset *cs,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d)
{
	if (memcmp(cs->consortium, zero_hash, CONSORT_HASH_BYTES) == 0) {
		if (cs->seq == 1 && memcmp(cs->id, consortium,
		    CONSORT_HASH_BYTES) == 0)
			return 0;
		return refuse(d, cs, E(CONSORTIUM), "not this consortium's genesis",
		    "only members of this consortium can exchange change-sets");
	}
	if (memcmp(cs->consortium, consortium, CONSORT_HASH_BYTES) != 0)
		return refuse(d, cs, E(CONSORTIUM),
		    "change-set of another consortium",
		    "only members of this consortium can exchange change-sets");
	return 0;
}

/* Checks that the change-set a dep names is stored with that exact id. */
static int
check_dep(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const struct cs_dep *dep, struct consort_diag *d)
{
	MDB_val v;
	int rc;

	rc = store_get(txn, s, TB_IDS, dep->hash, CONSORT_HASH_BYTES, &v);
	if (rc == E(NOENT))
		return refuse(d, cs, E(CAUSAL), "a change-set it depends on is "
		    "missing", "sync with the member that wrote it first");
	if (rc != 0)
		return rc;
	if (v.mv_size != CONSORT_KEY_BYTES + 8 ||
	    memcmp(v.mv_data, dep->author, CONSORT_KEY_BYTES) != 0 ||
	    util_get_be64((const uint8_t *)v.mv_data + CONSORT_KEY_BYTES) != dep->seq)
		return refuse(d, cs, E(CAUSAL), "a dep names a change-set by the "
		    "wrong author or seq", "the sender's log is damaged");
	return 0;
}

/* An author's head, or a zero head for an author never seen. */
static int
head_or_zero(MDB_txn *txn, struct store *s, const uint8_t *author,
    struct head *h)
{
	int rc = store_head(txn, s, author, h);

	if (rc == E(NOENT)) {
		memset(h, 0, sizeof(*h));
		return 0;
	}
	return rc;
}

/*
 * Refuses change-sets of non-members.  A revoked member's later change-sets
 * are stored (others may depend on them) but their ops count nowhere.
 */
static int
check_member(MDB_txn *txn, struct store *s, const struct changeset *cs,
    struct consort_diag *d)
{
	const struct member *m;
	int rc;

	if (!s->has_founder || perm_is_lead(s, cs->author) ||
	    (cs->seq == 1 && memcmp(cs->consortium, zero_hash,
	    CONSORT_HASH_BYTES) == 0))
		return 0;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	if ((m = perm_member_by_key(s, cs->author)) == NULL)
		return refuse(d, cs, E(PERM), "its author is not a member of the "
		    "consortium", "the lead binds members' keys with consort invite");
	return 0;
}

/* Checks cs against the author's head and the deps (and its signature). */
static int
check_append(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t consortium[CONSORT_HASH_BYTES], bool check_sig,
    struct consort_diag *d)
{
	struct head h;
	MDB_val v;
	uint32_t i;
	int rc;

	if ((rc = check_consortium(cs, consortium, d)) != 0)
		return rc;
	if ((rc = head_or_zero(txn, s, cs->author, &h)) != 0)
		return rc;
	if (cs->seq <= h.seq) {
		rc = store_get(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, &v);
		if (rc != 0 && rc != E(NOENT))
			return rc;
		return refuse(d, cs, rc == 0 ? E(EXIST) : E(FORK), rc == 0 ?
		    "held already" : "the author already has another change-set "
		    "at this seq", NULL);
	}
	if (cs->seq != h.seq + 1 || memcmp(cs->prev, h.id, CONSORT_HASH_BYTES) != 0)
		return refuse(d, cs, E(CHAIN), "its predecessor is missing or "
		    "differs", "sync the author's earlier change-sets first");
	for (i = 0; i < cs->ndeps; i++)
		if ((rc = check_dep(txn, s, cs, &cs->deps[i], d)) != 0)
			return rc;
	/* the author's binding is in its causal past, so checked after it */
	if ((rc = check_member(txn, s, cs, d)) != 0)
		return rc;
	if (check_sig && cs_verify(cs) != 0)
		return refuse(d, cs, E(SIGNATURE), "bad signature",
		    "the change-set was altered; get it again from its author");
	return 0;
}

/* Checks a received change-set before it is stored. */
int
log_check_append(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d)
{
	return check_append(txn, s, cs, consortium, true, d);
}

/* Stores a checked change-set, moves the author's head and applies it. */
static int
append(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len, struct merge_result *res)
{
	struct head h;
	uint32_t idx;
	int rc;

	if ((rc = store_author_idx(txn, s, cs->author, &idx)) != 0 ||
	    (rc = store_put_change(txn, s, cs, bytes, len)) != 0)
		return rc;
	h.idx = idx;
	h.seq = cs->seq;
	memcpy(h.id, cs->id, CONSORT_HASH_BYTES);
	h.hlc = cs->hlc;
	if ((rc = store_set_head(txn, s, cs->author, &h)) != 0)
		return rc;
	return merge_apply(txn, s, cs, idx, res);
}

/* Decodes, checks, stores and applies one signed change-set. */
static int
apply_bytes(MDB_txn *txn, struct store *s, const uint8_t *bytes, size_t len,
    const uint8_t consortium[CONSORT_HASH_BYTES], bool own,
    struct consort_diag *d)
{
	const struct cs_op *op;
	struct merge_result res;
	struct changeset cs;
	char what[512];
	int rc;

	if ((rc = cs_decode(bytes, len, &cs, d)) != 0)
		return rc;
	if ((rc = check_append(txn, s, &cs, consortium, !own, d)) == 0)
		rc = append(txn, s, &cs, bytes, len, &res);
	if (rc == 0 && own && res.refused > 0) {
		/* a local edit that would be refused elsewhere is refused now */
		op = &cs.ops[res.first_refused_op];
		snprintf(what, sizeof(what), "op %u (%s %s): %s",
		    res.first_refused_op + 1, cs_op_kind_name(op->kind),
		    schema_type(op->type)->name, res.why);
		rc = consort_diag_set(d, res.first_refusal, "this edit", what,
		    op->type == T_order || op->type == T_notice ?
		    "orders are recorded by consort order submit, notices by "
		    "consort order build --direct, and never changed; nothing "
		    "was written" : "ask the lead, or the member who runs that "
		    "session, to make it; nothing was written");
	}
	cs_free(&cs);
	return rc;
}

/* Applies a change-set received from elsewhere: every check, signature too. */
int
log_apply(MDB_txn *txn, struct store *s, const uint8_t *bytes, size_t len,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d)
{
	return apply_bytes(txn, s, bytes, len, consortium, false, d);
}

/*
 * Applies a change-set this node has just signed: the same checks but the
 * signature, which cannot fail on bytes that never left the process.
 */
int
log_apply_own(MDB_txn *txn, struct store *s, const uint8_t *bytes, size_t len,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct consort_diag *d)
{
	return apply_bytes(txn, s, bytes, len, consortium, true, d);
}

/* Replay progress of one author. */
struct cursor {
	uint8_t author[CONSORT_KEY_BYTES];
	uint32_t idx;
	uint64_t head;   /* last seq stored */
	uint64_t done;   /* last seq applied */
	uint8_t last[CONSORT_HASH_BYTES];
	uint8_t head_id[CONSORT_HASH_BYTES];
};

/* Whether every dep of cs has been replayed already. */
static bool
deps_ready(const struct changeset *cs, const struct cursor *cur, uint32_t n)
{
	uint32_t i, k;

	for (i = 0; i < cs->ndeps; i++) {
		for (k = 0; k < n; k++)
			if (memcmp(cur[k].author, cs->deps[i].author,
			    CONSORT_KEY_BYTES) == 0)
				break;
		if (k == n || cur[k].done < cs->deps[i].seq)
			return false;
	}
	return true;
}

/* Loads every author's head into a cursor array. */
static int
load_cursors(MDB_txn *txn, struct store *s, struct cursor **out, uint32_t *n)
{
	struct cursor *cur;
	struct head h;
	uint32_t i;
	int rc;

	*n = s->nauthors;
	if ((cur = calloc(*n + 1, sizeof(*cur))) == NULL)
		return E(NOMEM);
	for (i = 0; i < *n; i++) {
		memcpy(cur[i].author, s->authors[i], CONSORT_KEY_BYTES);
		if ((rc = store_head(txn, s, cur[i].author, &h)) != 0) {
			free(cur);
			return rc;
		}
		cur[i].idx = h.idx;
		cur[i].head = h.seq;
		memcpy(cur[i].head_id, h.id, CONSORT_HASH_BYTES);
	}
	*out = cur;
	return 0;
}

/* Reports a hole in an author's stored chain. */
static int
missing(struct consort_diag *d, const struct cursor *c)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128];

	util_hex(a, c->author, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), "change-set %.16s/%llu", a,
	    (unsigned long long)(c->done + 1));
	return consort_diag_set(d, E(CHAIN), where, "missing from the store "
	    "while later ones of its author are there",
	    "restore the node from a backup or sync it again");
}

/* Reports a stored change-set that no longer decodes, naming it. */
static int
undecodable(struct consort_diag *d, const struct cursor *c, int err)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128], what[1024];

	util_hex(a, c->author, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), "change-set %.16s/%llu", a,
	    (unsigned long long)(c->done + 1));
	snprintf(what, sizeof(what), "stored bytes do not decode (%s: %s)",
	    d ? d->where : "", d ? d->what : consort_strerror(err));
	return consort_diag_set(d, err, where, what,
	    "the store was altered; restore it from a backup or sync it again");
}

/* Checks that the id index maps the change-set's id back to it. */
static int
check_id(MDB_txn *txn, struct store *s, const struct changeset *cs,
    struct consort_diag *d)
{
	MDB_val v;
	int rc;

	rc = store_get(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, &v);
	if (rc != 0 && rc != E(NOENT))
		return rc;
	if (rc == E(NOENT) || v.mv_size != CONSORT_KEY_BYTES + 8 ||
	    memcmp(v.mv_data, cs->author, CONSORT_KEY_BYTES) != 0 ||
	    util_get_be64((const uint8_t *)v.mv_data + CONSORT_KEY_BYTES) != cs->seq)
		return refuse(d, cs, E(STORE), "the id index does not name this "
		    "change-set", "the store was altered; run consort rebuild "
		    "after restoring it");
	return 0;
}

/* Replays one stored change-set of a cursor, if its deps are ready. */
static int
replay_one(MDB_txn *txn, struct store *s, struct cursor *cur, uint32_t ncur,
    struct cursor *c, const uint8_t *consortium, struct log_replay_stats *st,
    struct consort_diag *d, bool *progressed)
{
	struct merge_result res;
	struct changeset cs;
	MDB_val v;
	int rc;

	*progressed = false;
	if ((rc = store_get_change(txn, s, c->author, c->done + 1, &v)) != 0)
		return rc == E(NOENT) ? missing(d, c) : rc;
	if ((rc = cs_decode(v.mv_data, v.mv_size, &cs, d)) != 0)
		return undecodable(d, c, rc);
	if (!deps_ready(&cs, cur, ncur)) {
		cs_free(&cs);
		return 0;
	}
	rc = check_consortium(&cs, consortium, d);
	if (rc == 0 && (memcmp(cs.author, c->author, CONSORT_KEY_BYTES) != 0 ||
	    cs.seq != c->done + 1 || memcmp(cs.prev, c->last, CONSORT_HASH_BYTES)))
		rc = refuse(d, &cs, E(CHAIN), "the stored change-set does not "
		    "follow its predecessor", "the store was altered");
	if (rc == 0)
		rc = check_id(txn, s, &cs, d);
	if (rc == 0)
		rc = merge_apply(txn, s, &cs, c->idx, &res);
	if (rc == 0) {
		c->done = cs.seq;
		memcpy(c->last, cs.id, CONSORT_HASH_BYTES);
		st->changesets++;
		st->ops += cs.nops;
		st->bytes += v.mv_size;
		*progressed = true;
		if ((st->changesets & 63) == 0)
			store_release_map(s);
	}
	cs_free(&cs);
	return rc;
}

/* Applies every stored change-set in an order that keeps chains and deps. */
static int
replay_all(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	struct cursor *cur;
	bool any, progressed, pending;
	uint32_t n, i;
	int rc = 0;

	if ((rc = load_cursors(txn, s, &cur, &n)) != 0)
		return rc;
	do {
		any = pending = false;
		for (i = 0; i < n && rc == 0; i++) {
			while (rc == 0 && cur[i].done < cur[i].head) {
				rc = replay_one(txn, s, cur, n, &cur[i], consortium,
				    st, d, &progressed);
				if (!progressed)
					break;
				any = true;
			}
			pending |= cur[i].done < cur[i].head;
		}
	} while (rc == 0 && pending && any);
	for (i = 0; rc == 0 && i < n; i++) {
		if (cur[i].done < cur[i].head)
			rc = consort_diag_set(d, E(CAUSAL), "log",
			    "change-sets wait for deps that are not stored",
			    "sync with the other members");
		else if (memcmp(cur[i].last, cur[i].head_id, CONSORT_HASH_BYTES))
			rc = consort_diag_set(d, E(CHAIN), "heads table",
			    "an author's head does not match its last change-set",
			    "run consort rebuild from a good backup");
	}
	free(cur);
	return rc;
}

/* Reports the first change-set whose signature does not hold. */
static int
bad_signature(struct consort_diag *d, const uint8_t *author, uint64_t seq)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128];

	util_hex(a, author, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), "change-set %.16s/%llu", a,
	    (unsigned long long)seq);
	return consort_diag_set(d, E(SIGNATURE), where, "bad signature: its "
	    "stored bytes were altered", "restore the store from a backup or "
	    "sync it again from another member");
}

/*
 * Re-applies every stored change-set in an order that respects each
 * author's chain and every dep, re-checking links and ids, while a second
 * thread re-checks every signature.  The caller has emptied the state
 * tables (store_clear_state).  A bad signature is reported before any other
 * refusal: it names the change-set that was altered.
 */
int
log_replay(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	uint8_t author[CONSORT_KEY_BYTES];
	struct sigpool *pool;
	uint64_t seq;
	int rc, sig;

	memset(st, 0, sizeof(*st));
	if ((rc = sigpool_start(txn, s, &pool)) != 0)
		return rc;
	rc = replay_all(txn, s, consortium, st, d);
	if ((sig = sigpool_finish(pool, author, &seq)) != 0)
		return bad_signature(d, author, seq);
	return rc;
}

/*
 * Checks the log and the state: replays every change-set into scratch
 * tables of the (write) transaction and compares them with the stored
 * state.  The caller aborts the transaction afterwards.
 */
int
log_verify(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	static const enum store_table tables[4] = { TB_ENTITIES, TB_REFS,
		TB_OWNERS, TB_VV };
	MDB_dbi live[4], scratch[4];
	int i, rc;

	if ((rc = store_open_scratch(txn, s, scratch)) != 0)
		return rc;
	for (i = 0; i < 4; i++) {
		live[i] = s->dbi[tables[i]];
		s->dbi[tables[i]] = scratch[i];
	}
	rc = log_replay(txn, s, consortium, st, d);
	for (i = 0; i < 4; i++)
		s->dbi[tables[i]] = live[i];
	s->roster_stale = true;
	for (i = 0; i < 4 && rc == 0; i++)
		rc = state_compare(txn, s, live[i], scratch[i], tables[i], d);
	return rc;
}

/* Records the first refused op of a change-set, for consort status. */
static int
record_refusal(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const struct merge_result *res)
{
	msgpack_sbuffer buf;
	msgpack_packer pk;
	const char *why = res->why ? res->why : "";
	int rc;

	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 4);
	msgpack_pack_uint32(&pk, res->first_refused_op);
	msgpack_pack_uint32(&pk, res->refused);
	msgpack_pack_int32(&pk, res->first_refusal);
	mp_pack_strn(&pk, why, strlen(why));
	rc = store_put(txn, s, TB_REFUSED, cs->id, CONSORT_HASH_BYTES, buf.data,
	    buf.size, 0);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/*
 * Records a fork: another change-set (other id, and its bytes when known)
 * at an author's seq whose change-set this node holds.
 */
int
log_note_fork(MDB_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, const uint8_t other[CONSORT_HASH_BYTES],
    const uint8_t *bytes, size_t len)
{
	uint8_t key[CONSORT_KEY_BYTES + 8], held_id[CONSORT_HASH_BYTES];
	msgpack_sbuffer buf;
	msgpack_packer pk;
	MDB_val held;
	int rc;

	if ((rc = store_get_change(txn, s, author, seq, &held)) != 0)
		return rc;
	if (held.mv_size <= CONSORT_SIG_BYTES)
		return E(STORE);
	keys_hash(held_id, held.mv_data, held.mv_size - CONSORT_SIG_BYTES);
	memcpy(key, author, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, seq);
	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 3);
	mp_pack_bin(&pk, held_id, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, other, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, bytes != NULL ? bytes : held_id, bytes != NULL ? len : 0);
	rc = store_put(txn, s, TB_FORKS, key, sizeof(key), buf.data, buf.size, 0);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* Records a fork met in a received change-set. */
static int
record_fork(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len)
{
	return log_note_fork(txn, s, cs->author, cs->seq, cs->id, bytes, len);
}

/* Whether the pending table has room for one more change-set. */
static int
pending_room(MDB_txn *txn, struct store *s, bool *room)
{
	MDB_stat st;
	int rc;

	if ((rc = mdb_stat(txn, s->dbi[TB_PENDING], &st)) != 0)
		return store_err(rc);
	*room = st.ms_entries < LOG_PENDING_MAX &&
	    (st.ms_branch_pages + st.ms_leaf_pages + st.ms_overflow_pages) *
	    (uint64_t)st.ms_psize < LOG_PENDING_MAX_BYTES;
	return 0;
}

/* Keeps a change-set whose past has not arrived yet. */
static int
park(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len, struct log_receipt *rcpt,
    struct consort_diag *d)
{
	uint8_t key[CONSORT_KEY_BYTES + 8];
	bool room = false;
	int rc;

	if ((rc = pending_room(txn, s, &room)) != 0)
		return rc;
	if (!room)
		return refuse(d, cs, E(TOOBIG), "too many change-sets wait for "
		    "their predecessors", "sync with the member that has them");
	memcpy(key, cs->author, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, cs->seq);
	rcpt->pending++;
	return store_put(txn, s, TB_PENDING, key, sizeof(key), bytes, len, 0);
}

/* Whether every dep of cs is stored (E(CAUSAL) when one is missing). */
static int
deps_stored(MDB_txn *txn, struct store *s, const struct changeset *cs,
    struct consort_diag *d)
{
	uint32_t i;
	int rc;

	for (i = 0; i < cs->ndeps; i++)
		if ((rc = check_dep(txn, s, cs, &cs->deps[i], d)) != 0)
			return rc;
	return 0;
}

/*
 * Takes one decoded change-set from a peer or a bundle: applies it, or
 * recognises it as held already, parks it until its past arrives, records
 * it as a fork.  Errors are for change-sets no member would send (bad
 * signature, another consortium, a non-member author).
 */
static int
receive_one(MDB_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len, const uint8_t *consortium,
    struct log_receipt *rcpt, struct consort_diag *d)
{
	struct merge_result res;
	struct head h;
	MDB_val v;
	int rc;

	if ((rc = check_consortium(cs, consortium, d)) != 0)
		return rc;
	if ((rc = head_or_zero(txn, s, cs->author, &h)) != 0)
		return rc;
	if (cs->seq <= h.seq || (cs->seq == h.seq + 1 &&
	    memcmp(cs->prev, h.id, CONSORT_HASH_BYTES) != 0 && h.seq > 0)) {
		rc = store_get(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, &v);
		if (rc == 0) {
			rcpt->held++;
			return 0;
		}
		if (rc != E(NOENT) || cs_verify(cs) != 0)
			return rc != E(NOENT) ? rc : refuse(d, cs, E(SIGNATURE),
			    "bad signature", "the sender's copy was altered");
		if (cs->seq > h.seq) /* differs from our head's successor: */
			return park(txn, s, cs, bytes, len, rcpt, d);
		rcpt->forks++;
		return record_fork(txn, s, cs, bytes, len);
	}
	if (cs->seq > h.seq + 1 ||
	    (rc = deps_stored(txn, s, cs, NULL)) == E(CAUSAL)) {
		/* only what its author signed may wait for its past */
		if (cs_verify(cs) != 0)
			return refuse(d, cs, E(SIGNATURE), "bad signature",
			    "the sender's copy was altered");
		return park(txn, s, cs, bytes, len, rcpt, d);
	}
	if (rc != 0)
		return refuse(d, cs, rc, "a dep names a change-set by the wrong "
		    "author or seq", "the sender's log is damaged");
	/* the author's binding is in its causal past, so checked after it */
	if ((rc = check_member(txn, s, cs, d)) != 0)
		return rc;
	if (cs_verify(cs) != 0)
		return refuse(d, cs, E(SIGNATURE), "bad signature",
		    "the sender's copy was altered");
	if ((rc = append(txn, s, cs, bytes, len, &res)) != 0)
		return rc;
	rcpt->applied++;
	rcpt->ops += cs->nops;
	if (res.refused > 0) {
		rcpt->refused_ops += res.refused;
		return record_refusal(txn, s, cs, &res);
	}
	return 0;
}

/* Decodes and receives one change-set (see receive_one). */
int
log_receive(MDB_txn *txn, struct store *s, const uint8_t *bytes, size_t len,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_receipt *rcpt,
    struct consort_diag *d)
{
	struct changeset cs;
	int rc;

	if ((rc = cs_decode(bytes, len, &cs, d)) != 0)
		return rc;
	rc = receive_one(txn, s, &cs, bytes, len, consortium, rcpt, d);
	cs_free(&cs);
	return rc;
}

/* Applies the parked change-sets whose past has arrived, until none is. */
static int
drain_pending(MDB_txn *txn, struct store *s, const uint8_t *consortium,
    struct log_receipt *rcpt, struct consort_diag *d)
{
	struct log_receipt inner;
	MDB_cursor *c;
	MDB_val k, v;
	bool progress = true;
	uint64_t before;
	uint8_t *copy;
	int rc = 0, op;

	while (progress && rc == 0) {
		progress = false;
		if ((rc = mdb_cursor_open(txn, s->dbi[TB_PENDING], &c)) != 0)
			return store_err(rc);
		for (op = MDB_FIRST; rc == 0 &&
		    (rc = mdb_cursor_get(c, &k, &v, op)) == 0; op = MDB_NEXT) {
			if ((copy = malloc(v.mv_size)) == NULL) {
				rc = E(NOMEM);
				break;
			}
			memcpy(copy, v.mv_data, v.mv_size);
			memset(&inner, 0, sizeof(inner));
			rc = log_receive(txn, s, copy, v.mv_size, consortium, &inner, d);
			before = inner.pending;
			free(copy);
			if (rc != 0 && rc != E(NOMEM) && rc != E(STORE) &&
			    rc != E(MAPFULL)) {
				/* it can never apply (another fork, a non-member): drop it */
				rc = store_err(mdb_cursor_del(c, 0));
				continue;
			}
			if (rc == 0 && before == 0) {
				rc = store_err(mdb_cursor_del(c, 0));
				rcpt->applied += inner.applied;
				rcpt->ops += inner.ops;
				rcpt->refused_ops += inner.refused_ops;
				rcpt->forks += inner.forks;
				progress |= inner.applied > 0;
			}
		}
		mdb_cursor_close(c);
		if (rc == MDB_NOTFOUND)
			rc = 0;
	}
	return rc;
}

/*
 * Ends a batch of received change-sets: applies what waited for them and,
 * when a revocation reached change-sets applied already, rebuilds the state
 * so that they count nowhere.
 */
int
log_finish_batch(MDB_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_receipt *rcpt,
    struct consort_diag *d)
{
	struct log_replay_stats st;
	int rc;

	if ((rc = drain_pending(txn, s, consortium, rcpt, d)) != 0)
		return rc;
	if (!s->needs_rebuild)
		return 0;
	s->needs_rebuild = false;
	if ((rc = store_clear_state(txn, s)) != 0)
		return rc;
	return log_replay(txn, s, consortium, &st, d);
}
