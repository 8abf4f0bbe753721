/*
 * Fault injection: what a local edit, an import and a bundle of others'
 * change-sets leave when the store fails under them.  The link wraps
 * LMDB's mdb_txn_commit and mdb_put (-Wl,--wrap, see the Makefile), so a
 * commit fails as a failed write would make it, or a put finds the map
 * full (and, as in LMDB, the transaction then refuses everything but an
 * abort).  LMDB writes its pages itself, inside liblmdb, where --wrap does
 * not reach: its pwrite() and writev() are replaced here by versions that
 * write short or fail.  After each fault the operation must have failed
 * with the consort error for it, the store must verify (the state equals
 * a rebuild of the log) with the state hash it had before, and the same
 * operation, tried again, must succeed.
 */
#include <errno.h>
#include <sys/syscall.h>
#include <sys/uio.h>

#include <lmdb.h>

#include "testutil.h"
#include "../sync/bundle.h"

/* What to break, counted from when the fault is armed; 0: nothing. */
struct fault {
	bool armed;
	unsigned commit_at;	/* fail this commit, with commit_err */
	int commit_err;
	unsigned put_at;	/* this put finds the map full */
	unsigned write_at;	/* this page write of LMDB's is cut */
	bool write_short;	/* short (half written) rather than failed */
	unsigned commits, puts, writes;
	unsigned fired;
};

static struct fault fault;
static MDB_txn *poisoned;	/* a transaction a failed put left unusable */

int __real_mdb_txn_commit(MDB_txn *txn);
int __real_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data,
    unsigned flags);
void __real_mdb_txn_abort(MDB_txn *txn);
int __wrap_mdb_txn_commit(MDB_txn *txn);
int __wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data,
    unsigned flags);
void __wrap_mdb_txn_abort(MDB_txn *txn);

/* Arms a fault for the next operation. */
static void
arm(struct fault f)
{
	fault = f;
	fault.armed = true;
}

/* Disarms the fault; returns how many times it fired. */
static unsigned
disarm(void)
{
	unsigned fired = fault.fired;

	memset(&fault, 0, sizeof(fault));
	return fired;
}

/* mdb_txn_commit, failing the armed one (LMDB frees a failed transaction). */
int
__wrap_mdb_txn_commit(MDB_txn *txn)
{
	if (txn == poisoned) {
		poisoned = NULL;
		__real_mdb_txn_abort(txn);
		return MDB_BAD_TXN;
	}
	if (fault.armed && fault.commit_at && ++fault.commits ==
	    fault.commit_at) {
		fault.fired++;
		__real_mdb_txn_abort(txn);
		return fault.commit_err;
	}
	return __real_mdb_txn_commit(txn);
}

/* mdb_put, finding the map full at the armed one. */
int
__wrap_mdb_put(MDB_txn *txn, MDB_dbi dbi, MDB_val *key, MDB_val *data,
    unsigned flags)
{
	if (txn == poisoned)
		return MDB_BAD_TXN;
	if (fault.armed && fault.put_at && ++fault.puts == fault.put_at) {
		fault.fired++;
		poisoned = txn;
		return MDB_MAP_FULL;
	}
	return __real_mdb_put(txn, dbi, key, data, flags);
}

/* mdb_txn_abort: a poisoned transaction is gone. */
void
__wrap_mdb_txn_abort(MDB_txn *txn)
{
	if (txn == poisoned)
		poisoned = NULL;
	__real_mdb_txn_abort(txn);
}

/* Whether LMDB's next page write of n bytes is cut; *n becomes what goes. */
static bool
cut_write(size_t *n)
{
	if (!fault.armed || !fault.write_at || ++fault.writes != fault.write_at)
		return false;
	fault.fired++;
	if (fault.write_short) {
		*n /= 2;
		return false;
	}
	errno = EIO;
	return true;
}

/* LMDB's pwrite, cut when armed. */
ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	size_t len = n;

	if (cut_write(&len))
		return -1;
	return syscall(SYS_pwrite64, fd, buf, len, off);
}

/* LMDB's writev, cut when armed (a short one writes the first half). */
ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	struct iovec part[64];
	size_t n = 0, len, k;
	int i;

	for (i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	len = n;
	if (cut_write(&len))
		return -1;
	if (len == n || iovcnt > (int)nitems(part))
		return syscall(SYS_writev, fd, iov, iovcnt);
	for (i = 0; i < iovcnt && len > 0; i++) {
		k = iov[i].iov_len < len ? iov[i].iov_len : len;
		part[i].iov_base = iov[i].iov_base;
		part[i].iov_len = k;
		len -= k;
	}
	return syscall(SYS_writev, fd, part, i);
}

/* The lead, a member joined by invite, and a bundle of the member's. */
struct fix {
	char *dir;
	struct node *lead, *co;
	char bundle[4200];
	char jsonl[4200];
};

/* Closes and opens node *np again, as the next command would. */
static void
reopen(struct node **np)
{
	struct consort_diag d = { 0 };
	char *dir = strdup((*np)->dir);

	assert_non_null(dir);
	node_close(*np);
	*np = NULL;
	assert_ok(node_open(dir, np, &d));
	assert_ok(node_unlock(*np, NULL, 0, &d));
	tu_nosync(*np);
	free(dir);
}

/* Per-test setup: the lead, the member, a file of 40 lots to import. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	FILE *fp;
	int i;

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	f->lead = tu_lead_init(f->dir, "lead");
	f->co = tu_member_join(f->lead, f->dir, "co");
	tu_path(f->bundle, sizeof(f->bundle), f->dir, "co.bundle");
	tu_path(f->jsonl, sizeof(f->jsonl), f->dir, "lots.jsonl");
	fp = fopen(f->jsonl, "w");
	assert_non_null(fp);
	for (i = 0; i < 40; i++)
		fprintf(fp, "{\"type\":\"lot\",\"ref\":\"LOT-%02d\",\"sector\":"
		    "\"S%d\",\"rate_cents\":%d}\n", i, i, 1000 + i);
	assert_int_equal(fclose(fp), 0);
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	disarm();
	node_close(f->lead);
	node_close(f->co);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Fails the test unless the store verifies: the state equals a rebuild. */
static void
verify(struct node *n)
{
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct store_txn *txn;
	int rc;

	assert_ok(store_begin(&n->store, true, &txn));
	assert_ok(store_load_authors(txn, &n->store));
	rc = log_verify(txn, &n->store, n->consortium, &st, &d);
	store_abort(txn);
	if (rc != 0)
		fail_msg("verify: %s: %s %s", consort_err_name(rc), d.where,
		    d.what);
}

/* The state hash, the heads and the openings kept by a node, to compare. */
struct snap {
	uint8_t state[CONSORT_HASH_BYTES];
	uint64_t lead_seq, co_seq, openings;
};

/* Takes a node's snapshot. */
static struct snap
snap(struct fix *f, struct node *n)
{
	struct snap s;

	tu_state_hash(&n->store, s.state);
	s.lead_seq = tu_head(&n->store, f->lead->pk).seq;
	s.co_seq = tu_head(&n->store, f->co->pk).seq;
	s.openings = tu_openings(&n->store);
	return s;
}

/* Fails unless a node is as its snapshot says. */
static void
expect_snap(struct fix *f, struct node *n, const struct snap *want)
{
	struct snap now = snap(f, n);

	assert_memory_equal(now.state, want->state, CONSORT_HASH_BYTES);
	assert_int_equal(now.lead_seq, want->lead_seq);
	assert_int_equal(now.co_seq, want->co_seq);
	assert_int_equal(now.openings, want->openings);
}

/*
 * A local edit on node n: one trainee, in one change-set; its two personal
 * values leave two openings in the store.
 */
static int
edit(struct node *n, const char *ref, struct consort_diag *d)
{
	const struct schema_type *t = schema_type_by_name("trainee");
	struct field_input in[2];
	struct edit e;
	bool changed;
	int rc;

	memset(d, 0, sizeof(*d));
	in[0].f = schema_field_by_name(t, "family_name", 11);
	in[0].v = tu_str("Durand");
	in[1].f = schema_field_by_name(t, "birth_year", 10);
	in[1].v = tu_int(1990);
	if ((rc = edit_begin(n, &e)) != 0)
		return rc;
	if ((rc = records_put(&e, t, ref, strlen(ref), in, 2, PUT_ADD, true,
	    &changed, d)) != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* Imports the fixture's lots into the lead, 1 record a change-set. */
static int
import(struct fix *f, struct import_result *res, struct consort_diag *d)
{
	struct import_opts o;

	memset(&o, 0, sizeof(o));
	memset(d, 0, sizeof(*d));
	o.path = f->jsonl;
	o.batch = 1;
	return import_file(f->lead, &o, res, d);
}

/*
 * The member takes in the lead's log (its binding), writes two trainees
 * and bundles them for the lead.
 */
static void
member_bundle(struct fix *f)
{
	struct consort_diag d = { 0 };
	struct bundle_stats st;
	struct sess_vv vv;

	assert_ok(bundle_export(f->lead, f->bundle, NULL, 0, NULL, &st, &d));
	assert_ok(bundle_import(f->co, f->bundle, &st, &d));
	assert_ok(edit(f->co, "T-CO-1", &d));
	assert_ok(edit(f->co, "T-CO-2", &d));
	memcpy(vv.author, f->lead->pk, CONSORT_KEY_BYTES);
	vv.seq = tu_head(&f->lead->store, f->lead->pk).seq;
	memcpy(vv.head, tu_head(&f->lead->store, f->lead->pk).id,
	    CONSORT_HASH_BYTES);
	assert_ok(bundle_export(f->co, f->bundle, &vv, 1, NULL, &st, &d));
	assert_int_equal(st.changesets, 2);
}

/* Messages one side of a sync emitted, not read yet by the other. */
struct wire {
	uint8_t *msg[256];
	size_t len[256];
	size_t head, n;
};

/* A session's emit(): keeps a copy of the message. */
static int
wire_push(void *ctx, const uint8_t *msg, size_t len)
{
	struct wire *w = ctx;

	assert_true(w->n < nitems(w->msg));
	w->msg[w->n] = malloc(len);
	assert_non_null(w->msg[w->n]);
	memcpy(w->msg[w->n], msg, len);
	w->len[w->n++] = len;
	return 0;
}

/*
 * Syncs x and y through two sessions joined by their emit callbacks;
 * returns y's error, and x's in *xerr.
 */
static int
sync_nodes(struct node *x, struct node *y, int *xerr, char *why, size_t len)
{
	struct wire wx = { 0 }, wy = { 0 };
	struct sess sx, sy;
	bool moved = true;
	size_t i;
	int rc;

	assert_ok(sess_start(&sx, x, y->pk, wire_push, &wx));
	assert_ok(sess_start(&sy, y, x->pk, wire_push, &wy));
	while (moved) {
		moved = false;
		if (wx.head < wx.n) {
			(void)sess_receive(&sy, wx.msg[wx.head],
			    wx.len[wx.head]);
			wx.head++;
			moved = true;
		}
		if (wy.head < wy.n) {
			(void)sess_receive(&sx, wy.msg[wy.head],
			    wy.len[wy.head]);
			wy.head++;
			moved = true;
		}
	}
	*xerr = sx.err;
	rc = sy.err;
	snprintf(why, len, "%s", sy.diag.what);
	if (rc == 0 && (!sess_finished(&sx) || !sess_finished(&sy)))
		fail_msg("the sync did not finish");
	sess_free(&sx);
	sess_free(&sy);
	for (i = 0; i < wx.n; i++)
		free(wx.msg[i]);
	for (i = 0; i < wy.n; i++)
		free(wy.msg[i]);
	return rc;
}

/* Whether rc is how consort reports a failed write of the store. */
static bool
write_error(int rc)
{
	return rc == E(STORE) || rc == E(IO) || rc == E(BADTXN);
}

/*
 * A commit that fails (a write error, a full disk) fails the edit with
 * E(STORE), E(IO), E(BADTXN) or E(NOSPC): nothing of it is stored, and
 * the edit, tried again, is stored whole.
 */
static void
test_edit_commit_fails(void **state)
{
	static const int errs[] = { EIO, ENOSPC, MDB_BAD_TXN };
	struct fix *f = *state;
	struct consort_diag d;
	struct snap before;
	size_t i;
	int rc;

	for (i = 0; i < nitems(errs); i++) {
		before = snap(f, f->lead);
		arm((struct fault){ .commit_at = 1, .commit_err = errs[i] });
		rc = edit(f->lead, "T1", &d);
		assert_int_equal(disarm(), 1);
		if (errs[i] == ENOSPC)
			assert_err(rc, E(NOSPC));
		else if (!write_error(rc))
			fail_msg("commit failing with %d: %s", errs[i],
			    consort_err_name(rc));
		expect_snap(f, f->lead, &before);
		verify(f->lead);
	}
	assert_ok(edit(f->lead, "T1", &d));
	assert_int_equal(tu_head(&f->lead->store, f->lead->pk).seq,
	    before.lead_seq + 1);
	assert_int_equal(tu_openings(&f->lead->store), before.openings + 2);
	verify(f->lead);
	reopen(&f->lead);
	verify(f->lead);
	assert_int_equal(tu_head(&f->lead->store, f->lead->pk).seq,
	    before.lead_seq + 1);
}

/*
 * The map full at each put of an edit in turn: every time the edit fails
 * with E(MAPFULL) and the store is as before; then the edit succeeds.
 */
static void
test_edit_map_full(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct snap before = snap(f, f->lead);
	unsigned at;
	int rc;

	for (at = 1; at < 200; at++) {
		arm((struct fault){ .put_at = at });
		rc = edit(f->lead, "T1", &d);
		if (disarm() == 0) {
			/* fewer puts than at: it went through */
			assert_ok(rc);
			break;
		}
		if (rc != E(MAPFULL))
			fail_msg("map full at put %u: %s (%s)", at,
			    consort_err_name(rc), d.what);
		expect_snap(f, f->lead, &before);
	}
	assert_true(at > 5);
	assert_null(poisoned);
	verify(f->lead);
	assert_int_equal(tu_head(&f->lead->store, f->lead->pk).seq,
	    before.lead_seq + 1);
}

/*
 * LMDB's page writes cut short or failed, one after the other: the edit
 * fails with a store error, and the node, opened again as the next
 * command would, is as before and takes the edit.
 */
static void
test_edit_write_cut(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct snap before = snap(f, f->lead);
	unsigned at, k;
	int rc;

	for (k = 0; k < 2; k++)
		for (at = 1; at < 50; at++) {
			arm((struct fault){ .write_at = at, .write_short = k });
			rc = edit(f->lead, "T1", &d);
			if (disarm() == 0) {
				/* fewer writes than at: it went through */
				assert_ok(rc);
				assert_true(at > 1);
				verify(f->lead);
				/* T1 deleted, to be written again */
				assert_ok(tu_del(f->lead, "trainee", "T1"));
				before = snap(f, f->lead);
				break;
			}
			if (!write_error(rc))
				fail_msg("write %u cut: %s", at,
				    consort_err_name(rc));
			reopen(&f->lead);
			expect_snap(f, f->lead, &before);
			verify(f->lead);
		}
}

/*
 * An import whose second commit fails says what it committed before, and
 * that is what the store holds; the same import again finishes the job.
 */
static void
test_import_commit_fails(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct import_result res;
	uint64_t seq = tu_head(&f->lead->store, f->lead->pk).seq;
	uint64_t n;
	struct store_txn *txn;

	arm((struct fault){ .commit_at = 2, .commit_err = EIO });
	assert_true(write_error(import(f, &res, &d)));
	assert_int_equal(disarm(), 1);
	assert_true(res.committed_changesets > 0);
	assert_true(res.committed_changesets < 40);
	assert_int_equal(res.committed_records, res.committed_changesets);
	assert_int_equal(tu_head(&f->lead->store, f->lead->pk).seq,
	    seq + res.committed_changesets);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(state_count(txn, &f->lead->store, T_lot, &n));
	store_abort(txn);
	assert_int_equal(n, res.committed_records);
	verify(f->lead);
	assert_ok(import(f, &res, &d));
	assert_int_equal(res.changed, 40 - n);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(state_count(txn, &f->lead->store, T_lot, &n));
	store_abort(txn);
	assert_int_equal(n, 40);
	verify(f->lead);
}

/*
 * An import commits in transactions that grow as long as their pages are
 * few: whichever commit fails, what it says it committed is what the
 * store holds, whole change-sets; the same import again goes on from
 * there, and the last one finishes the job.
 */
static void
test_import_commit_fails_anywhere(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct import_result res;
	uint64_t seq = tu_head(&f->lead->store, f->lead->pk).seq;
	uint64_t n, had = 0;
	struct store_txn *txn;
	unsigned at, failed = 0;
	int rc;

	for (at = 2; at < 40; at++) {
		arm((struct fault){ .commit_at = at, .commit_err = EIO });
		rc = import(f, &res, &d);
		if (disarm() == 0) {
			assert_ok(rc);
			break;
		}
		failed++;
		assert_true(write_error(rc));
		assert_true(res.committed_changesets >= at - 1);
		assert_int_equal(res.committed_records, res.committed_changesets);
		assert_ok(store_begin(&f->lead->store, false, &txn));
		assert_ok(state_count(txn, &f->lead->store, T_lot, &n));
		store_abort(txn);
		assert_int_equal(n, had + res.committed_records);
		assert_int_equal(tu_head(&f->lead->store, f->lead->pk).seq,
		    seq + n);
		had = n;
	}
	assert_true(failed >= 2);  /* the transactions are more than one */
	assert_int_equal(res.changed, 40 - had);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_ok(state_count(txn, &f->lead->store, T_lot, &n));
	store_abort(txn);
	assert_int_equal(n, 40);
	verify(f->lead);
}

/* Writes a file of 30 sessions of the fixture's lots, 3 months each. */
static void
sessions_file(struct fix *f, char *path, size_t len)
{
	FILE *fp;
	int i;

	tu_path(path, len, f->dir, "sessions.jsonl");
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < 30; i++)
		fprintf(fp, "{\"type\":\"session\",\"ref\":\"S%02d\","
		    "\"provider\":\"%s\",\"lot\":\"LOT-%02d\",\"scheme\":"
		    "\"1e1f\",\"title\":\"T\",\"cert_kind\":\"full\","
		    "\"cert_code\":\"RNCP38510\",\"site\":\"Nantes\","
		    "\"territory\":\"44\",\"start\":\"2026-%02d-02\","
		    "\"end\":\"2026-%02d-20\",\"hours\":210,\"capacity\":6,"
		    "\"permanent_entry\":false}\n", i, TU_LEAD_SIRET, i % 7,
		    1 + i % 9, 3 + i % 9);
	assert_int_equal(fclose(fp), 0);
}

/*
 * An import that defers the index (store.index_defer_min lowered to every
 * import): whichever commit fails, its catch-up's included, the node goes
 * on noting index keys, and the same import again brings the index to
 * what a replay derives.
 */
static void
test_import_deferred_fails_anywhere(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct import_result res;
	struct import_opts o = { 0 };
	struct store_txn *txn;
	char path[4096];
	unsigned at, failed = 0;
	int rc;

	assert_ok(import(f, &res, &d));
	sessions_file(f, path, sizeof(path));
	o.path = path;
	o.batch = 1;
	f->lead->store.index_defer_min = 1;
	for (at = 1; at < 80; at++) {
		arm((struct fault){ .commit_at = at, .commit_err = EIO });
		rc = import_file(f->lead, &o, &res, &d);
		if (disarm() == 0) {
			assert_ok(rc);
			break;
		}
		failed++;
		assert_true(write_error(rc));
	}
	assert_true(failed >= 3);
	assert_false(f->lead->store.index_later);
	assert_ok(store_begin(&f->lead->store, false, &txn));
	assert_true(index_ready(txn, &f->lead->store));
	store_abort(txn);
	verify(f->lead);  /* the index included */
	/* a catch-up whose commit fails leaves the node deferring */
	f->lead->store.index_later = true;
	arm((struct fault){ .commit_at = 1, .commit_err = EIO });
	assert_true(write_error(index_catch_up(&f->lead->store)));
	assert_int_equal(disarm(), 1);
	assert_true(f->lead->store.index_later);
	assert_ok(index_catch_up(&f->lead->store));
	assert_false(f->lead->store.index_later);
	verify(f->lead);
}

/*
 * A bundle of the member's change-sets, imported by the lead: a failed
 * commit, the map full at any put, or a cut page write leave the lead as
 * it was; the bundle imported again (in the same process, as a server
 * would) brings the lead to the member's state, and both nodes still
 * write and verify.
 */
static void
test_bundle_import_faults(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct bundle_stats st;
	struct snap before;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	unsigned at, tried = 0;
	int rc;

	member_bundle(f);
	before = snap(f, f->lead);
	assert_int_equal(before.co_seq, 0);	/* a new author for the lead */
	/* the batch's nested commit, then its group's durable one */
	for (at = 1; at <= 2; at++) {
		arm((struct fault){ .commit_at = at, .commit_err = EIO });
		rc = bundle_import(f->lead, f->bundle, &st, &d);
		assert_int_equal(disarm(), 1);
		if (!write_error(rc))
			fail_msg("commit %u failed: %s", at, consort_err_name(rc));
		expect_snap(f, f->lead, &before);
		verify(f->lead);
	}
	for (at = 1; at < 400; at++) {
		arm((struct fault){ .put_at = at });
		rc = bundle_import(f->lead, f->bundle, &st, &d);
		if (disarm() == 0) {
			assert_ok(rc);
			break;
		}
		tried++;
		if (rc != E(MAPFULL))
			fail_msg("map full at put %u: %s (%s)", at,
			    consort_err_name(rc), d.what);
		expect_snap(f, f->lead, &before);
	}
	assert_true(tried > 5);
	assert_int_equal(st.recv.applied, 2);
	tu_state_hash(&f->lead->store, h1);
	tu_state_hash(&f->co->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_int_equal(tu_head(&f->lead->store, f->co->pk).seq, 2);
	/* the lead still writes, and verifies */
	assert_ok(edit(f->lead, "T-LEAD", &d));
	verify(f->lead);
}

/* A bundle's import cut at a page write: after a reopen, the retry works. */
static void
test_bundle_import_write_cut(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct bundle_stats st;
	struct snap before;
	unsigned at;
	int rc;

	member_bundle(f);
	before = snap(f, f->lead);
	for (at = 1; at < 50; at++) {
		arm((struct fault){ .write_at = at, .write_short = at % 2 });
		rc = bundle_import(f->lead, f->bundle, &st, &d);
		if (disarm() == 0) {
			assert_ok(rc);
			break;
		}
		if (!write_error(rc))
			fail_msg("write %u cut: %s", at, consort_err_name(rc));
		reopen(&f->lead);
		expect_snap(f, f->lead, &before);
		verify(f->lead);
	}
	assert_true(at > 1);
	assert_int_equal(tu_head(&f->lead->store, f->co->pk).seq, 2);
	verify(f->lead);
	assert_ok(edit(f->lead, "T-LEAD", &d));
}

/*
 * A sync whose batch the lead cannot commit ends with the lead's error,
 * told to the member: whether the batch's own (nested) commit fails, or
 * the durable commit of its group.  The next sync, in the same process,
 * brings the member's change-sets, and the lead still writes and verifies.
 */
static void
test_sync_commit_fails(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct snap before;
	char why[sizeof(((struct consort_diag *)0)->what)];
	unsigned at;
	int coerr, rc;

	member_bundle(f);
	before = snap(f, f->lead);
	for (at = 1; at <= 2; at++) {
		arm((struct fault){ .commit_at = at, .commit_err = EIO });
		rc = sync_nodes(f->co, f->lead, &coerr, why, sizeof(why));
		assert_int_equal(disarm(), 1);
		if (!write_error(rc))
			fail_msg("the lead's session, commit %u: %s", at,
			    consort_err_name(rc));
		assert_string_equal(why, "cannot commit to the store");
		assert_err(coerr, E(PERM));
		expect_snap(f, f->lead, &before);
	}
	rc = sync_nodes(f->co, f->lead, &coerr, why, sizeof(why));
	assert_ok(rc);
	assert_ok(coerr);
	assert_int_equal(tu_head(&f->lead->store, f->co->pk).seq, 2);
	assert_ok(edit(f->lead, "T-LEAD", &d));
	verify(f->lead);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_edit_commit_fails),
		T(test_edit_map_full),
		T(test_edit_write_cut),
		T(test_import_commit_fails),
		T(test_import_commit_fails_anywhere),
		T(test_import_deferred_fails_anywhere),
		T(test_bundle_import_faults),
		T(test_bundle_import_write_cut),
		T(test_sync_commit_fails),
	};
#undef T

	return cmocka_run_group_tests_name("faults", tests, tu_group_setup,
	    NULL);
}
