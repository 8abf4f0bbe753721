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
	snprintf(buf, len, _("change-set %.16s/%llu (id %.16s)"), a,
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
		return refuse(d, cs, E(CONSORTIUM),
		    _("not this consortium's genesis"),
		    _("only members of this consortium can exchange "
		    "change-sets"));
	}
	if (memcmp(cs->consortium, consortium, CONSORT_HASH_BYTES) != 0)
		return refuse(d, cs, E(CONSORTIUM),
		    _("change-set of another consortium"),
		    _("only members of this consortium can exchange "
		    "change-sets"));
	return 0;
}

/* Checks that the change-set a dep names is stored with that exact id. */
static int
check_dep(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const struct cs_dep *dep, struct consort_diag *d)
{
	struct store_val v;
	int rc;

	rc = store_get(txn, s, TB_IDS, dep->hash, CONSORT_HASH_BYTES, &v);
	if (rc == E(NOENT))
		return refuse(d, cs, E(CAUSAL), _("a change-set it depends on "
		    "is missing"), _("sync with the member that wrote it "
		    "first"));
	if (rc != 0)
		return rc;
	if (v.len != CONSORT_KEY_BYTES + 8 ||
	    memcmp(v.data, dep->author, CONSORT_KEY_BYTES) != 0 ||
	    util_get_be64((const uint8_t *)v.data + CONSORT_KEY_BYTES) != dep->seq)
		return refuse(d, cs, E(CAUSAL), _("a dep names a change-set by "
		    "the wrong author or seq"),
		    _("the sender's log is damaged"));
	return 0;
}

/* An author's head, or a zero head for an author never seen. */
static int
head_or_zero(struct store_txn *txn, struct store *s, const uint8_t *author,
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
 * Whether cs follows a change-set that counts nowhere (a dep past its
 * key's revocation point): 0 if so, 1 if not, or an error.  A key bound
 * by such a change-set — a rotation the thief of a lost key signed after
 * the recovery — is nobody's, and its change-sets are stored, as a
 * revoked member's later ones, so that every node holds the same log,
 * and count nowhere.
 */
static int
follows_void(struct store_txn *txn, struct store *s, const struct changeset *cs)
{
	uint64_t after;
	bool revoked;
	uint32_t i;
	int rc;

	for (i = 0; i < cs->ndeps; i++) {
		if ((rc = perm_revoked_after(txn, s, cs->deps[i].author, &after,
		    &revoked)) != 0)
			return rc;
		if (revoked && cs->deps[i].seq > after)
			return 0;
	}
	return 1;
}

/*
 * Refuses change-sets of non-members.  A revoked member's later change-sets
 * are stored (others may depend on them) but their ops count nowhere.
 */
static int
check_member(struct store_txn *txn, struct store *s, const struct changeset *cs,
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
	if ((m = perm_member_by_key(s, cs->author)) == NULL &&
	    !perm_is_recovery(s, cs->author) &&
	    (rc = follows_void(txn, s, cs)) != 0)
		return rc < 0 ? rc : refuse(d, cs, E(PERM), _("its author is not "
		    "a member of the consortium"), _("the lead binds members' "
		    "keys with consort invite"));
	return 0;
}

/* Checks cs against the author's head and the deps (and its signature). */
static int
check_append(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t consortium[CONSORT_HASH_BYTES], bool check_sig,
    struct consort_diag *d)
{
	struct head h;
	struct store_val v;
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
		    _("held already") : _("the author already has another "
		    "change-set at this seq"), NULL);
	}
	if (cs->seq != h.seq + 1 || memcmp(cs->prev, h.id, CONSORT_HASH_BYTES) != 0)
		return refuse(d, cs, E(CHAIN), _("its predecessor is missing "
		    "or differs"), _("sync the author's earlier change-sets "
		    "first"));
	for (i = 0; i < cs->ndeps; i++)
		if ((rc = check_dep(txn, s, cs, &cs->deps[i], d)) != 0)
			return rc;
	/* the author's binding is in its causal past, so checked after it */
	if ((rc = check_member(txn, s, cs, d)) != 0)
		return rc;
	if (check_sig && cs_verify(cs) != 0)
		return refuse(d, cs, E(SIGNATURE), _("bad signature"),
		    _("the change-set was altered; get it again from its "
		    "author"));
	return 0;
}

/* Stores a checked change-set, moves the author's head and applies it. */
static int
append(struct store_txn *txn, struct store *s, const struct changeset *cs,
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
apply_bytes(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES], bool own,
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
		snprintf(what, sizeof(what), _("op %u (%s %s): %s"),
		    res.first_refused_op + 1, cs_op_kind_name(op->kind),
		    schema_type(op->type)->name, _(res.why));
		rc = consort_diag_set(d, res.first_refusal, _("this edit"),
		    what,
		    perm_order_type(op->type) ?
		    _("orders are recorded by consort "
		    "order submit, notices by consort order build --direct, the "
		    "Region's decisions by consort order receive and its key by "
		    "consort order region-key, and never changed; nothing was "
		    "written") : _("ask the lead, or the member who runs that "
		    "session, to make it; nothing was written"));
	}
	cs_free(&cs);
	return rc;
}

/* Applies a change-set received from elsewhere: every check, signature too. */
int
log_apply(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct consort_diag *d)
{
	return apply_bytes(txn, s, bytes, len, consortium, false, d);
}

/*
 * Applies a change-set this node has just signed: the same checks but the
 * signature, which cannot fail on bytes that never left the process.
 */
int
log_apply_own(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct consort_diag *d)
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
load_cursors(struct store_txn *txn, struct store *s, struct cursor **out,
    uint32_t *n)
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
	snprintf(where, sizeof(where), _("change-set %.16s/%llu"), a,
	    (unsigned long long)(c->done + 1));
	return consort_diag_set(d, E(CHAIN), where, _("missing from the store "
	    "while later ones of its author are there"),
	    _("restore the node from a backup or sync it again"));
}

/* Reports a stored change-set that no longer decodes, naming it. */
static int
undecodable(struct consort_diag *d, const struct cursor *c, int err)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128], what[1024];

	util_hex(a, c->author, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), _("change-set %.16s/%llu"), a,
	    (unsigned long long)(c->done + 1));
	snprintf(what, sizeof(what), _("stored bytes do not decode (%s: %s)"),
	    d ? d->where : "", d ? d->what : consort_strerror(err));
	return consort_diag_set(d, err, where, what,
	    _("the store was altered; restore it from a backup or sync it "
	    "again"));
}

/* Checks that the id index maps the change-set's id back to it. */
static int
check_id(struct store_txn *txn, struct store *s, const struct changeset *cs,
    struct consort_diag *d)
{
	struct store_val v;
	int rc;

	rc = store_get(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, &v);
	if (rc != 0 && rc != E(NOENT))
		return rc;
	if (rc == E(NOENT) || v.len != CONSORT_KEY_BYTES + 8 ||
	    memcmp(v.data, cs->author, CONSORT_KEY_BYTES) != 0 ||
	    util_get_be64((const uint8_t *)v.data + CONSORT_KEY_BYTES) != cs->seq)
		return refuse(d, cs, E(STORE), _("the id index does not name "
		    "this change-set"), _("the store was altered; run consort "
		    "rebuild after restoring it"));
	return 0;
}

/* Replays one stored change-set of a cursor, if its deps are ready. */
static int
replay_one(struct store_txn *txn, struct store *s, struct cursor *cur,
    uint32_t ncur, struct cursor *c, const uint8_t *consortium,
    struct log_replay_stats *st, struct consort_diag *d, bool *progressed)
{
	struct merge_result res;
	struct changeset cs;
	struct store_val v;
	int rc;

	*progressed = false;
	if ((rc = store_get_change(txn, s, c->author, c->done + 1, &v)) != 0)
		return rc == E(NOENT) ? missing(d, c) : rc;
	if ((rc = cs_decode(v.data, v.len, &cs, d)) != 0)
		return undecodable(d, c, rc);
	if (!deps_ready(&cs, cur, ncur)) {
		cs_free(&cs);
		return 0;
	}
	rc = check_consortium(&cs, consortium, d);
	if (rc == 0 && (memcmp(cs.author, c->author, CONSORT_KEY_BYTES) != 0 ||
	    cs.seq != c->done + 1 || memcmp(cs.prev, c->last, CONSORT_HASH_BYTES)))
		rc = refuse(d, &cs, E(CHAIN), _("the stored change-set does "
		    "not follow its predecessor"), _("the store was altered"));
	if (rc == 0)
		rc = check_id(txn, s, &cs, d);
	if (rc == 0)
		rc = merge_apply(txn, s, &cs, c->idx, &res);
	if (rc == 0) {
		c->done = cs.seq;
		memcpy(c->last, cs.id, CONSORT_HASH_BYTES);
		st->changesets++;
		st->ops += cs.nops;
		st->bytes += v.len;
		*progressed = true;
	}
	cs_free(&cs);
	return rc;
}

/*
 * Applies every stored change-set in an order that keeps chains and deps,
 * handing the signature checks more of the log as it goes.
 */
static int
replay_all(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct sigpool *pool,
    struct log_replay_stats *st, struct consort_diag *d)
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
				sigpool_feed(pool);
			}
			pending |= cur[i].done < cur[i].head;
		}
	} while (rc == 0 && pending && any);
	for (i = 0; rc == 0 && i < n; i++) {
		if (cur[i].done < cur[i].head)
			rc = consort_diag_set(d, E(CAUSAL), "log",
			    _("change-sets wait for deps that are not stored"),
			    _("sync with the other members"));
		else if (memcmp(cur[i].last, cur[i].head_id, CONSORT_HASH_BYTES))
			rc = consort_diag_set(d, E(CHAIN), _("heads table"),
			    _("an author's head does not match its last "
			    "change-set"),
			    _("run consort rebuild from a good backup"));
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
	snprintf(where, sizeof(where), _("change-set %.16s/%llu"), a,
	    (unsigned long long)seq);
	return consort_diag_set(d, E(SIGNATURE), where, _("bad signature: its "
	    "stored bytes were altered"), _("restore the store from a backup "
	    "or sync it again from another member"));
}

/*
 * Re-applies every stored change-set in an order that respects each
 * author's chain and every dep, re-checking links and ids, while a second
 * thread re-checks every signature.  The caller has emptied the state
 * tables (store_clear_state), or points them at scratch tables.  A bad
 * signature is reported before any other refusal: it names the change-set
 * that was altered.
 */
int
log_replay(struct store_txn *txn, struct store *s,
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
	rc = replay_all(txn, s, consortium, pool, st, d);
	sig = sigpool_finish(pool, author, &seq);
	if (sig == E(SIGNATURE))
		return bad_signature(d, author, seq);
	return rc != 0 ? rc : sig;
}

/* The state tables, which a replay into scratch tables rebuilds. */
static const enum store_table state_tables[STORE_STATE_TABLES] = {
	TB_ENTITIES, TB_REFS, TB_OWNERS, TB_VV, TB_INDEX };

/*
 * Says that the scratch tables of a replay cannot be made in TMPDIR: no
 * room there (E(NOSPC)), or no folder this user may write (E(IO)).
 */
static int
scratch_failed(struct consort_diag *d, int rc)
{
	const char *tmp = getenv("TMPDIR");

	if (rc != E(NOSPC) && rc != E(IO))
		return rc;
	tmp = tmp != NULL && tmp[0] ? tmp : "/tmp";
	if (rc == E(NOSPC))
		return consort_diag_set(d, rc, tmp, _("no room for the scratch "
		    "tables of the replay (about the size of the store's "
		    "state)"), _("free space there, or set TMPDIR to a folder "
		    "that has room"));
	return consort_diag_set(d, rc, tmp, _("cannot make the scratch tables "
	    "of the replay in this folder"), _("set TMPDIR to a folder you may "
	    "write"));
}

/*
 * Replays the log into the scratch tables (store_scratch_open), which the
 * caller closes afterwards: the transaction's own state tables are read
 * and written by nothing but the caller.  Tables that ran out of room are
 * opened again larger and the replay starts over.
 */
static int
replay_scratch(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	unsigned attempt;
	int rc;

	for (attempt = 0;; attempt++) {
		if ((rc = store_scratch_open(txn, s, attempt)) != 0)
			return scratch_failed(d, rc);
		store_swap_scratch(s);  /* the replay writes there */
		rc = log_replay(txn, s, consortium, st, d);
		store_swap_scratch(s);
		if (rc != E(MAPFULL) || !store_scratch_full(s) || attempt == 8)
			return rc;
		store_scratch_close(s);  /* and again, twice larger */
	}
}

/*
 * Checks the log and the state: replays every change-set into scratch
 * tables and compares them with the stored state.  The caller aborts the
 * transaction afterwards.
 */
int
log_verify(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	int i, rc;

	rc = replay_scratch(txn, s, consortium, st, d);
	for (i = 0; i < STORE_STATE_TABLES && rc == 0; i++)
		/* a store an older release wrote, read-only, has no index */
		if (state_tables[i] != TB_INDEX || index_ready(txn, s))
			rc = state_compare(txn, s, state_tables[i],
			    store_scratch_of(state_tables[i]), d);
	store_scratch_close(s);
	return rc;
}

/* Where the adoption of a rebuilt state goes on. */
struct rebuild_pos {
	int table;                 /* in state_tables */
	struct store_adopt at;
};

/*
 * Writes into the state tables of txn what differs from the scratch
 * tables, until the budget is spent; p->table is STORE_STATE_TABLES once all is written.
 */
static int
adopt_state(struct store_txn *txn, struct store *s, struct rebuild_pos *p,
    uint64_t budget)
{
	uint64_t changed;
	int rc;

	while (p->table < STORE_STATE_TABLES && budget > 0) {
		if ((rc = store_adopt(txn, s, state_tables[p->table],
		    store_scratch_of(state_tables[p->table]), &budget, &p->at,
		    &changed)) != 0)
			return rc;
		/* the rebuilt index holds what a deferred one noted (index.c) */
		if (p->at.done && state_tables[p->table] == TB_INDEX &&
		    (rc = store_empty(txn, s, TB_LATER)) != 0)
			return rc;
		if (p->at.done) {
			p->table++;
			memset(&p->at, 0, sizeof(p->at));
		}
	}
	return 0;
}

/*
 * Rebuilds the state from the log: replays it into scratch tables, then
 * writes into the state tables of txn what differs, so that the
 * transaction holds no more than what the rebuild changes.
 */
int
log_rebuild(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_replay_stats *st,
    struct consort_diag *d)
{
	struct rebuild_pos p = { 0 };
	int rc;

	if ((rc = replay_scratch(txn, s, consortium, st, d)) == 0)
		rc = adopt_state(txn, s, &p, UINT64_MAX);
	store_scratch_close(s);
	return rc;
}

/* What a transaction of a rebuild in steps may write: its dirty pages. */
#define REBUILD_STEP ((uint64_t)32 << 20)

/* The meta key of a rebuild in steps until its last one is committed. */
#define REBUILDING "rebuilding"

/*
 * Writes the rebuilt state in transactions of REBUILD_STEP bytes each,
 * the first marked unfinished (log_rebuild_pending) and committed with
 * txn, the last left open in *txn.
 */
static int
adopt_in_steps(struct store_txn **txn, struct store *s, struct rebuild_pos *p)
{
	int rc;

	if ((rc = store_put(*txn, s, TB_META, REBUILDING,
	    sizeof(REBUILDING) - 1, "1", 1, 0)) != 0)
		return rc;
	while (p->table < STORE_STATE_TABLES) {
		rc = store_commit(*txn);
		*txn = NULL;
		if (rc != 0 || (rc = store_begin(s, true, txn)) != 0 ||
		    (rc = adopt_state(*txn, s, p, REBUILD_STEP)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Rebuilds the state from the log in transactions of its own, and
 * commits it.  What differs is written in the replay's transaction when
 * it is little (REBUILD_STEP); more is written in steps of that size by a
 * process that has the store to itself (store_lock_alone), the state
 * marked unfinished until the last, so that a rebuild killed half-way is
 * done again by the next process to open the store (log_rebuild_pending);
 * a process that shares the store writes it all in the one transaction.
 * finish, unless NULL, writes or reads in the last transaction.
 */
int
log_rebuild_store(struct store *s, const uint8_t consortium[CONSORT_HASH_BYTES],
    log_rebuild_fn finish, void *arg, struct log_replay_stats *st,
    struct consort_diag *d)
{
	struct rebuild_pos p = { 0 };
	struct store_txn *txn;
	bool alone = false;
	int rc;

	memset(st, 0, sizeof(*st));
	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	if ((rc = replay_scratch(txn, s, consortium, st, d)) == 0)
		rc = adopt_state(txn, s, &p, REBUILD_STEP);
	if (rc == 0 && p.table < STORE_STATE_TABLES) {
		if ((alone = store_lock_alone(s) == 0))
			rc = adopt_in_steps(&txn, s, &p);
		else
			rc = adopt_state(txn, s, &p, UINT64_MAX);
	}
	if (rc == 0 && (rc = store_del(txn, s, TB_META, REBUILDING,
	    sizeof(REBUILDING) - 1)) == E(NOENT))
		rc = 0;
	if (rc == 0 && finish != NULL)
		rc = finish(txn, s, arg);
	if (rc == 0)
		rc = store_commit(txn);
	else
		store_abort(txn);
	if (alone)
		store_unlock_alone(s);
	store_scratch_close(s);
	return rc;
}

/* Whether a rebuild in steps was left unfinished: 1 if so, 0, or an error. */
int
log_rebuild_pending(struct store_txn *txn, struct store *s)
{
	struct store_val v;
	int rc;

	rc = store_get(txn, s, TB_META, REBUILDING, sizeof(REBUILDING) - 1, &v);
	return rc == 0 ? 1 : rc == E(NOENT) ? 0 : rc;
}

/* Records the first refused op of a change-set, for consort status. */
static int
record_refusal(struct store_txn *txn, struct store *s,
    const struct changeset *cs, const struct merge_result *res)
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
log_note_fork(struct store_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, const uint8_t other[CONSORT_HASH_BYTES],
    const uint8_t *bytes, size_t len)
{
	uint8_t key[CONSORT_KEY_BYTES + 8], held_id[CONSORT_HASH_BYTES];
	msgpack_sbuffer buf;
	msgpack_packer pk;
	struct store_val held;
	int rc;

	if ((rc = store_get_change(txn, s, author, seq, &held)) != 0)
		return rc;
	if (held.len <= CONSORT_SIG_BYTES)
		return E(STORE);
	keys_hash(held_id, held.data, held.len - CONSORT_SIG_BYTES);
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

/* Names a stored change-set (a key of TB_CHANGES) that does not decode. */
static int
damaged(struct consort_diag *d, const struct store_val *k, int rc)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128], what[1024];

	if (k->len != CONSORT_KEY_BYTES + 8)
		return consort_diag_set(d, E(STORE), _("changes table"),
		    _("a malformed key"), _("run consort verify"));
	util_hex(a, k->data, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), _("change-set %.16s/%llu"), a,
	    (unsigned long long)util_get_be64((const uint8_t *)k->data +
	    CONSORT_KEY_BYTES));
	snprintf(what, sizeof(what), _("the stored bytes do not decode (%s: "
	    "%s)"),
	    d->where, d->what);
	return consort_diag_set(d, rc, where, what,
	    _("the store was altered; run "
	    "consort verify, then restore it from a backup or sync it again"));
}

/*
 * Calls fn on every stored change-set, decoded, by author then seq.  fn
 * returns 0 to go on, or an error to stop with.  A change-set that does
 * not decode stops the walk and is named in d.
 */
int
log_foreach(struct store_txn *txn, struct store *s, log_visit_fn fn,
    void *ctx, struct consort_diag *d)
{
	struct changeset cs;
	struct store_walk w;
	struct store_val k, v;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_CHANGES, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if ((rc = cs_decode(v.data, v.len, &cs, d)) != 0) {
			rc = damaged(d, &k, rc);
			break;
		}
		rc = fn(ctx, &cs, v.len);
		cs_free(&cs);
		if (rc != 0)
			break;
	}
	store_walk_end(&w);
	return rc;
}

/*
 * Calls fn on every fork recorded (log_note_fork), by author then seq.  fn
 * returns 0 to go on, or an error to stop with.
 */
int
log_foreach_fork(struct store_txn *txn, struct store *s, log_fork_fn fn,
    void *ctx)
{
	struct log_fork f;
	struct mp_reader r;
	struct store_walk w;
	struct store_val k, v;
	uint32_t n;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, TB_FORKS, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		mp_reader_init(&r, v.data, v.len);
		if (k.len != CONSORT_KEY_BYTES + 8 || mp_read_array(&r, &n) != 0 ||
		    n != 3 || mp_read_bin_fixed(&r, f.held, sizeof(f.held)) != 0 ||
		    mp_read_bin_fixed(&r, f.other, sizeof(f.other)) != 0) {
			rc = E(STORE);
			break;
		}
		f.author = k.data;
		f.seq = util_get_be64((const uint8_t *)k.data + CONSORT_KEY_BYTES);
		if ((rc = fn(ctx, &f)) != 0)
			break;
	}
	store_walk_end(&w);
	return rc;
}

/* Records a fork met in a received change-set. */
static int
record_fork(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len)
{
	return log_note_fork(txn, s, cs->author, cs->seq, cs->id, bytes, len);
}

/*
 * The waiting room.  A change-set whose past has not arrived waits in
 * TB_PENDING (author seq -> its bytes); TB_WAITS says what each one waits
 * for, and counts what waits:
 *   'w' missing(40) waiter(40) -> ""  waiter waits for the change-set
 *                                     missing (both author(32) seq(8 BE))
 *   'a' author(32) -> count(8) bytes(8) stranger(1)  its waiting change-sets
 *   's'            -> count(8) bytes(8)  those of authors no binding named
 * When a change-set is applied, only those waiting for it are looked at
 * again, so a batch costs the same however much waits.
 */
#define CS_KEY (CONSORT_KEY_BYTES + 8)
#define WAIT_KEY (1 + 2 * CS_KEY)
#define TALLY_BYTES 17

/* What waits of one author, or of all strangers. */
struct tally {
	uint64_t count, bytes;
	bool stranger;  /* its first change-set waited before any binding */
};

/* What a received change-set comes to, once checked. */
enum verdict { V_APPLY, V_HELD, V_WAIT, V_FORK };

/* A stack of change-set keys (author seq). */
struct keylist {
	uint8_t (*k)[CS_KEY];
	size_t n, cap;
};

/* Whether an error is the node's (memory, store), not the change-set's. */
static bool
fatal(int rc)
{
	return store_fault(rc);
}

/* Writes the key of (author, seq). */
static void
cs_key(uint8_t out[CS_KEY], const uint8_t *author, uint64_t seq)
{
	memcpy(out, author, CONSORT_KEY_BYTES);
	util_put_be64(out + CONSORT_KEY_BYTES, seq);
}

/* Pushes a key on a stack. */
static int
keylist_push(struct keylist *l, const uint8_t key[CS_KEY])
{
	void *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 16;
		if ((p = realloc(l->k, l->cap * sizeof(*l->k))) == NULL)
			return E(NOMEM);
		l->k = p;
	}
	memcpy(l->k[l->n++], key, CS_KEY);
	return 0;
}

/* Reads a tally (zeros when there is none). */
static int
tally_get(struct store_txn *txn, struct store *s, const uint8_t *key,
    size_t klen, struct tally *t)
{
	const uint8_t *p;
	struct store_val v;
	int rc;

	memset(t, 0, sizeof(*t));
	rc = store_get(txn, s, TB_WAITS, key, klen, &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	if (v.len != TALLY_BYTES)
		return E(STORE);
	p = v.data;
	t->count = util_get_be64(p);
	t->bytes = util_get_be64(p + 8);
	t->stranger = p[16] != 0;
	return 0;
}

/* Writes a tally; an empty one is deleted. */
static int
tally_put(struct store_txn *txn, struct store *s, const uint8_t *key,
    size_t klen, const struct tally *t)
{
	uint8_t buf[TALLY_BYTES];
	int rc;

	if (t->count == 0) {
		rc = store_del(txn, s, TB_WAITS, key, klen);
		return rc == E(NOENT) ? 0 : rc;
	}
	util_put_be64(buf, t->count);
	util_put_be64(buf + 8, t->bytes);
	buf[16] = t->stranger;
	return store_put(txn, s, TB_WAITS, key, klen, buf, sizeof(buf), 0);
}

/* Counts one more (or one less) waiting change-set of author, of len bytes. */
static int
tally_move(struct store_txn *txn, struct store *s, const uint8_t *author,
    size_t len, bool stranger, bool add)
{
	uint8_t ak[1 + CONSORT_KEY_BYTES] = { 'a' }, sk[1] = { 's' };
	struct tally a, st;
	int rc;

	memcpy(ak + 1, author, CONSORT_KEY_BYTES);
	if ((rc = tally_get(txn, s, ak, sizeof(ak), &a)) != 0)
		return rc;
	if (add && a.count == 0)
		a.stranger = stranger;
	if (a.stranger) {
		if ((rc = tally_get(txn, s, sk, sizeof(sk), &st)) != 0)
			return rc;
		st.count = add ? st.count + 1 : st.count ? st.count - 1 : 0;
		st.bytes = add ? st.bytes + len : st.bytes > len ? st.bytes - len : 0;
		if ((rc = tally_put(txn, s, sk, sizeof(sk), &st)) != 0)
			return rc;
	}
	a.count = add ? a.count + 1 : a.count ? a.count - 1 : 0;
	a.bytes = add ? a.bytes + len : a.bytes > len ? a.bytes - len : 0;
	return tally_put(txn, s, ak, sizeof(ak), &a);
}

/* Whether the pending table has room for one more change-set. */
static int
pending_room(struct store_txn *txn, struct store *s, bool *room)
{
	struct store_stat st;
	int rc;

	if ((rc = store_stat(txn, s, TB_PENDING, &st)) != 0)
		return rc;
	*room = st.entries < LOG_PENDING_MAX && st.bytes < LOG_PENDING_MAX_BYTES;
	return 0;
}

/* Refuses a change-set the waiting room has no room for. */
static int
room_check(struct store_txn *txn, struct store *s, const struct changeset *cs,
    size_t len, bool stranger, struct consort_diag *d)
{
	uint8_t ak[1 + CONSORT_KEY_BYTES] = { 'a' }, sk[1] = { 's' };
	struct tally a, st;
	bool room = false;
	int rc;

	if ((rc = pending_room(txn, s, &room)) != 0)
		return rc;
	if (!room)
		return refuse(d, cs, E(TOOBIG), _("too many change-sets wait "
		    "for their past"), _("sync with the member that has them"));
	memcpy(ak + 1, cs->author, CONSORT_KEY_BYTES);
	if ((rc = tally_get(txn, s, ak, sizeof(ak), &a)) != 0)
		return rc;
	if (a.count + 1 > LOG_PENDING_AUTHOR_MAX ||
	    a.bytes + len > LOG_PENDING_AUTHOR_MAX_BYTES)
		return refuse(d, cs, E(TOOBIG), _("too many change-sets of its "
		    "author wait for their past"), _("sync with a member that "
		    "has the author's earlier change-sets first"));
	if (!stranger && !(a.count > 0 && a.stranger))
		return 0;
	if ((rc = tally_get(txn, s, sk, sizeof(sk), &st)) != 0)
		return rc;
	if (st.count + 1 > LOG_PENDING_STRANGERS_MAX ||
	    st.bytes + len > LOG_PENDING_STRANGERS_MAX_BYTES)
		return refuse(d, cs, E(TOOBIG), _("too many change-sets of "
		    "keys the roster does not name yet wait for the lead's "
		    "binding"),
		    _("sync with the lead, or a member that has its latest "
		    "change-sets, first"));
	return 0;
}

/* Notes that the change-set waiter waits for the change-set missing. */
static int
index_put(struct store_txn *txn, struct store *s, const uint8_t missing[CS_KEY],
    const uint8_t waiter[CS_KEY])
{
	uint8_t key[WAIT_KEY];

	key[0] = 'w';
	memcpy(key + 1, missing, CS_KEY);
	memcpy(key + 1 + CS_KEY, waiter, CS_KEY);
	return store_put(txn, s, TB_WAITS, key, sizeof(key), "", 0, 0);
}

/* Takes the change-sets waiting for missing out of the index, into out. */
static int
index_take(struct store_txn *txn, struct store *s,
    const uint8_t missing[CS_KEY], struct keylist *out)
{
	uint8_t key[WAIT_KEY];
	struct store_walk w;
	struct store_val k, v;
	size_t i, first = out->n;
	int rc;

	key[0] = 'w';
	memcpy(key + 1, missing, CS_KEY);
	if ((rc = store_walk_begin(&w, txn, s, TB_WAITS, key, 1 + CS_KEY,
	    1 + CS_KEY)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != WAIT_KEY) {
			rc = 0;
			break;
		}
		if ((rc = keylist_push(out, (const uint8_t *)k.data + 1 +
		    CS_KEY)) != 0)
			break;
	}
	store_walk_end(&w);
	if (rc != 0)
		return rc;
	for (i = first; i < out->n; i++) {
		memcpy(key + 1 + CS_KEY, out->k[i], CS_KEY);
		if ((rc = store_del(txn, s, TB_WAITS, key, WAIT_KEY)) != 0)
			return rc;
	}
	return 0;
}

/* Takes a change-set of len bytes out of the waiting room. */
static int
unpark(struct store_txn *txn, struct store *s, const uint8_t key[CS_KEY],
    size_t len)
{
	int rc;

	if ((rc = store_del(txn, s, TB_PENDING, key, CS_KEY)) != 0)
		return rc;
	return tally_move(txn, s, key, len, false, false);
}

/*
 * Whether a change-set whose past is missing may wait for it: its author
 * must be a member, or be one once that past is there — keys are bound by
 * the lead, by the key they replace or by the recovery key, and a key's
 * binding is in its change-sets' causal past, so a new key's change-sets
 * name a change-set of a known key (the lead's, a member's or the
 * recovery key's) this node lacks.  Those wait as strangers, indexed
 * under that change-set (*binder, *binder_seq).
 */
static int
may_wait(struct store_txn *txn, struct store *s, const struct changeset *cs,
    bool *stranger, const uint8_t **binder, uint64_t *binder_seq,
    struct consort_diag *d)
{
	const struct cs_dep *dep;
	struct head h;
	uint32_t i;
	int rc;

	*stranger = false;
	if (!s->has_founder || perm_is_lead(s, cs->author))
		return 0;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	if (perm_member_by_key(s, cs->author) != NULL ||
	    perm_is_recovery(s, cs->author) ||
	    (rc = follows_void(txn, s, cs)) <= 0)
		return rc < 0 ? rc : 0;
	for (i = 0; i < cs->ndeps; i++) {
		dep = &cs->deps[i];
		if (!perm_is_lead(s, dep->author) &&
		    perm_member_by_key(s, dep->author) == NULL &&
		    !perm_is_recovery(s, dep->author))
			continue;
		if ((rc = head_or_zero(txn, s, dep->author, &h)) != 0)
			return rc;
		if (dep->seq > h.seq) {
			*stranger = true;
			*binder = dep->author;
			*binder_seq = dep->seq;
			return 0;
		}
	}
	return refuse(d, cs, E(PERM), _("its author is not a member of the "
	    "consortium, and no change-set of the lead it depends on is missing "
	    "here"), _("the lead binds members' keys with consort invite"));
}

/*
 * The first dep of cs not stored (E(CAUSAL), *i naming it), 0 when all
 * are; a dep whose id is stored under another author or seq is refused.
 */
static int
first_missing(struct store_txn *txn, struct store *s,
    const struct changeset *cs, uint32_t *i, struct consort_diag *d)
{
	const struct cs_dep *dep;
	struct store_val v;
	int rc;

	for (*i = 0; *i < cs->ndeps; (*i)++) {
		dep = &cs->deps[*i];
		rc = store_get(txn, s, TB_IDS, dep->hash, CONSORT_HASH_BYTES, &v);
		if (rc == E(NOENT))
			return E(CAUSAL);
		if (rc != 0)
			return rc;
		if (v.len != CS_KEY ||
		    memcmp(v.data, dep->author, CONSORT_KEY_BYTES) != 0 ||
		    util_get_be64((const uint8_t *)v.data + CONSORT_KEY_BYTES) !=
		    dep->seq)
			return refuse(d, cs, E(CHAIN),
			    _("a dep names a change-set by "
			    "the wrong author or seq"),
			    _("the sender's log is damaged"));
	}
	return 0;
}

/*
 * Checks a change-set from a peer, a bundle or the waiting room (verified:
 * its signature was checked when it was parked) against the store: to
 * apply now, held already, a fork, or to wait for the change-set *missing.
 * Errors are for change-sets no member would send (bad signature, another
 * consortium, a non-member author).  Membership is checked before the
 * signature, which costs more.
 */
static int
judge(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *consortium, bool verified, enum verdict *verdict,
    uint8_t missing[CS_KEY], bool *stranger, struct consort_diag *d)
{
	struct head h;
	const uint8_t *binder = NULL;
	uint64_t binder_seq = 0;
	uint32_t i = 0;
	struct store_val v;
	int rc;

	*stranger = false;
	if ((rc = check_consortium(cs, consortium, d)) != 0)
		return rc;
	if ((rc = head_or_zero(txn, s, cs->author, &h)) != 0)
		return rc;
	if (cs->seq <= h.seq || (cs->seq == h.seq + 1 && h.seq > 0 &&
	    memcmp(cs->prev, h.id, CONSORT_HASH_BYTES) != 0)) {
		rc = store_get(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, &v);
		if (rc == 0) {
			*verdict = V_HELD;
			return 0;
		}
		if (rc != E(NOENT))
			return rc;
		if (!verified && cs_verify(cs) != 0)
			return refuse(d, cs, E(SIGNATURE), _("bad signature"),
			    _("the sender's copy was altered"));
		/* a successor of another change-set than ours: never applies */
		cs_key(missing, cs->author, cs->seq - 1);
		*verdict = cs->seq > h.seq ? V_WAIT : V_FORK;
		return 0;
	}
	if (cs->seq == h.seq + 1) {
		rc = first_missing(txn, s, cs, &i, d);
		if (rc != 0 && rc != E(CAUSAL))
			return rc;
	}
	if (cs->seq > h.seq + 1 || rc == E(CAUSAL)) {
		if ((rc = may_wait(txn, s, cs, stranger, &binder, &binder_seq,
		    d)) != 0)
			return rc;
		/* only what its author signed may wait for its past */
		if (!verified && cs_verify(cs) != 0)
			return refuse(d, cs, E(SIGNATURE), _("bad signature"),
			    _("the sender's copy was altered"));
		if (*stranger)
			cs_key(missing, binder, binder_seq);
		else if (cs->seq > h.seq + 1)
			cs_key(missing, cs->author, cs->seq - 1);
		else
			cs_key(missing, cs->deps[i].author, cs->deps[i].seq);
		*verdict = V_WAIT;
		return 0;
	}
	/* the author's binding is in its causal past, so checked after it */
	if ((rc = check_member(txn, s, cs, d)) != 0)
		return rc;
	if (!verified && cs_verify(cs) != 0)
		return refuse(d, cs, E(SIGNATURE), _("bad signature"),
		    _("the sender's copy was altered"));
	*verdict = V_APPLY;
	return 0;
}

/* Keeps a change-set until the change-set missing arrives. */
static int
park(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len, const uint8_t missing[CS_KEY],
    bool stranger, struct log_receipt *rcpt, struct consort_diag *d)
{
	uint8_t key[CS_KEY];
	struct store_val v;
	int rc;

	cs_key(key, cs->author, cs->seq);
	rc = store_get(txn, s, TB_PENDING, key, sizeof(key), &v);
	if (rc == 0) {
		/* waiting already; another one at its seq is a fork, kept out */
		if (v.len == len && memcmp(v.data, bytes, len) == 0)
			rcpt->pending++;
		else
			rcpt->forks++;
		return 0;
	}
	if (rc != E(NOENT))
		return rc;
	if ((rc = room_check(txn, s, cs, len, stranger, d)) != 0 ||
	    (rc = store_put(txn, s, TB_PENDING, key, sizeof(key), bytes, len,
	    0)) != 0 ||
	    (rc = index_put(txn, s, missing, key)) != 0 ||
	    (rc = tally_move(txn, s, cs->author, len, stranger, true)) != 0)
		return rc;
	rcpt->pending++;
	return 0;
}

/* Stores and applies a checked change-set, counting it. */
static int
take(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *bytes, size_t len, struct log_receipt *rcpt)
{
	struct merge_result res;
	int rc;

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

/*
 * Looks again at one waiting change-set, what it waited for being there:
 * applies it (and pushes it on todo, for those waiting for it), indexes it
 * under what it waits for now, or drops it when it can never apply.
 */
static int
revisit(struct store_txn *txn, struct store *s, const uint8_t key[CS_KEY],
    const uint8_t *consortium, struct log_receipt *rcpt, struct keylist *todo)
{
	uint8_t missing[CS_KEY], *copy;
	struct consort_diag d;
	struct changeset cs;
	enum verdict verdict = V_HELD;
	bool stranger, decoded = false;
	struct store_val v;
	size_t len;
	int rc;

	rc = store_get(txn, s, TB_PENDING, key, CS_KEY, &v);
	if (rc == E(NOENT))
		return 0;  /* gone already: the index entry was stale */
	if (rc != 0)
		return rc;
	len = v.len;
	if ((copy = malloc(len)) == NULL)
		return E(NOMEM);
	memcpy(copy, v.data, len);
	rcpt->woken++;
	memset(&d, 0, sizeof(d));
	if ((rc = cs_decode(copy, len, &cs, &d)) == 0) {
		decoded = true;
		rc = judge(txn, s, &cs, consortium, true, &verdict, missing,
		    &stranger, &d);
	}
	if (rc == 0 && verdict == V_WAIT) {
		rc = index_put(txn, s, missing, key);
		goto out;
	}
	if (rc == 0 && verdict == V_APPLY) {
		if ((rc = unpark(txn, s, key, len)) == 0 &&
		    (rc = take(txn, s, &cs, copy, len, rcpt)) == 0)
			rc = keylist_push(todo, key);
		goto out;
	}
	if (rc == 0 && verdict == V_FORK) {
		rcpt->forks++;
		rc = record_fork(txn, s, &cs, copy, len);
	}
	if (rc != 0 && fatal(rc))
		goto out;
	if (rc != 0)
		rcpt->dropped++;  /* another fork, or no member wrote it */
	rc = unpark(txn, s, key, len);
out:
	if (decoded)
		cs_free(&cs);
	free(copy);
	return rc;
}

/* Applies what waited for the change-sets of todo, then for those, etc. */
static int
wake_all(struct store_txn *txn, struct store *s, struct keylist *todo,
    const uint8_t *consortium, struct log_receipt *rcpt)
{
	struct keylist found = { NULL, 0, 0 };
	uint8_t key[CS_KEY];
	size_t i;
	int rc = 0;

	while (rc == 0 && todo->n > 0) {
		memcpy(key, todo->k[--todo->n], CS_KEY);
		found.n = 0;
		if ((rc = index_take(txn, s, key, &found)) != 0)
			break;
		for (i = 0; i < found.n && rc == 0; i++)
			rc = revisit(txn, s, found.k[i], consortium, rcpt, todo);
	}
	free(found.k);
	return rc;
}

/* After cs is applied: drops a copy of it left waiting, wakes its waiters. */
static int
wake(struct store_txn *txn, struct store *s, const struct changeset *cs,
    const uint8_t *consortium, struct log_receipt *rcpt)
{
	struct keylist todo = { NULL, 0, 0 };
	uint8_t key[CS_KEY];
	struct store_val v;
	int rc;

	cs_key(key, cs->author, cs->seq);
	rc = store_get(txn, s, TB_PENDING, key, sizeof(key), &v);
	if (rc == 0)
		rc = unpark(txn, s, key, v.len);
	if (rc != 0 && rc != E(NOENT))
		return rc;
	if ((rc = keylist_push(&todo, key)) == 0)
		rc = wake_all(txn, s, &todo, consortium, rcpt);
	free(todo.k);
	return rc;
}

/*
 * Takes one change-set from a peer or a bundle: applies it (and what
 * waited for it), or recognises it as held already, parks it until its
 * past arrives, records it as a fork.  Errors are for change-sets no
 * member would send, or that the waiting room has no room for.
 */
int
log_receive(struct store_txn *txn, struct store *s, const uint8_t *bytes,
    size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    struct log_receipt *rcpt, struct consort_diag *d)
{
	return log_receive_checked(txn, s, bytes, len, consortium, false, rcpt,
	    d);
}

/* log_receive(), its signature already found good when sig_ok. */
int
log_receive_checked(struct store_txn *txn, struct store *s,
    const uint8_t *bytes, size_t len, const uint8_t consortium[CONSORT_HASH_BYTES],
    bool sig_ok, struct log_receipt *rcpt, struct consort_diag *d)
{
	uint8_t missing[CS_KEY];
	struct changeset cs;
	enum verdict verdict;
	bool stranger;
	int rc;

	if ((rc = cs_decode(bytes, len, &cs, d)) != 0) {
		rcpt->refused++;
		return rc;
	}
	rc = judge(txn, s, &cs, consortium, sig_ok, &verdict, missing, &stranger,
	    d);
	if (rc == 0) {
		switch (verdict) {
		case V_HELD:
			rcpt->held++;
			break;
		case V_FORK:
			rcpt->forks++;
			rc = record_fork(txn, s, &cs, bytes, len);
			break;
		case V_WAIT:
			rc = park(txn, s, &cs, bytes, len, missing, stranger, rcpt, d);
			break;
		case V_APPLY:
			if ((rc = take(txn, s, &cs, bytes, len, rcpt)) == 0)
				rc = wake(txn, s, &cs, consortium, rcpt);
			break;
		}
	}
	if (rc != 0 && !fatal(rc))
		rcpt->refused++;
	cs_free(&cs);
	return rc;
}

/*
 * Indexes change-sets left waiting by a version that kept no index (a
 * store written before TB_WAITS): each is looked at once, as if what it
 * waited for had just arrived.
 */
static int
reindex(struct store_txn *txn, struct store *s, const uint8_t *consortium,
    struct log_receipt *rcpt)
{
	struct keylist all = { NULL, 0, 0 }, todo = { NULL, 0, 0 };
	struct store_stat ps, ws;
	struct store_walk w;
	struct store_val k, v;
	size_t i;
	int rc;

	if ((rc = store_stat(txn, s, TB_PENDING, &ps)) != 0 ||
	    (rc = store_stat(txn, s, TB_WAITS, &ws)) != 0)
		return rc;
	if (ps.entries == 0 || ws.entries > 0)
		return 0;
	if ((rc = store_walk_begin(&w, txn, s, TB_PENDING, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0)
		if (k.len == CS_KEY && ((rc = keylist_push(&all, k.data)) != 0 ||
		    (rc = tally_move(txn, s, k.data, v.len, false, true)) != 0))
			break;
	store_walk_end(&w);
	for (i = 0; i < all.n && rc == 0; i++)
		rc = revisit(txn, s, all.k[i], consortium, rcpt, &todo);
	if (rc == 0)
		rc = wake_all(txn, s, &todo, consortium, rcpt);
	free(all.k);
	free(todo.k);
	return rc;
}

/*
 * Wakes what waits for change-sets of the lead this node holds by now
 * without having received them: on the lead's own node, its local edits.
 * Only what is due is looked at.
 */
static int
wake_due(struct store_txn *txn, struct store *s, const uint8_t *consortium,
    struct log_receipt *rcpt)
{
	struct keylist todo = { NULL, 0, 0 };
	uint8_t key[WAIT_KEY];
	struct head h;
	struct store_walk w;
	struct store_val k, v;
	uint64_t seq, last = 0;
	int rc;

	if (!s->has_founder)
		return 0;
	if ((rc = head_or_zero(txn, s, s->founder, &h)) != 0)
		return rc;
	key[0] = 'w';
	cs_key(key + 1, s->founder, 0);
	if ((rc = store_walk_begin(&w, txn, s, TB_WAITS, key, 1 + CS_KEY,
	    1 + CONSORT_KEY_BYTES)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != WAIT_KEY ||
		    (seq = util_get_be64((const uint8_t *)k.data + 1 +
		    CONSORT_KEY_BYTES)) > h.seq) {
			rc = 0;
			break;
		}
		if (seq != last && (rc = keylist_push(&todo,
		    (const uint8_t *)k.data + 1)) != 0)
			break;
		last = seq;
	}
	store_walk_end(&w);
	if (rc == 0)
		rc = wake_all(txn, s, &todo, consortium, rcpt);
	free(todo.k);
	return rc;
}

/*
 * Ends a batch of received change-sets: when a revocation reached
 * change-sets applied already, rebuilds the state so that they count
 * nowhere.  (What waited for the batch was applied as it came.)
 */
int
log_finish_batch(struct store_txn *txn, struct store *s,
    const uint8_t consortium[CONSORT_HASH_BYTES], struct log_receipt *rcpt,
    struct consort_diag *d)
{
	struct log_replay_stats st;
	int rc;

	if ((rc = reindex(txn, s, consortium, rcpt)) != 0 ||
	    (rc = wake_due(txn, s, consortium, rcpt)) != 0)
		return rc;
	if (!s->needs_rebuild)
		return 0;
	s->needs_rebuild = false;
	return log_rebuild(txn, s, consortium, &st, d);
}
