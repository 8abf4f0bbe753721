/*
 * Unit tests of store.c's error mapping and of what an import that runs
 * out of disk leaves: LMDB's writes (pwrite, writev) are replaced here by
 * versions that fail with ENOSPC once a budget of bytes is spent, so this
 * runs anywhere, without a small file system to fill.  And the author
 * numbers of a store another process writes to as well.
 */
#include <dirent.h>
#include <errno.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>

#include <lmdb.h>

#include "testutil.h"

#define NRECORDS 2000

/* Bytes LMDB may still write before its writes fail; -1: no limit. */
static long long budget = -1;
static unsigned failed_writes;

/* Spends n bytes of the budget; false (errno ENOSPC) when it is spent. */
static bool
spend(size_t n)
{
	if (budget < 0)
		return true;
	if ((long long)n > budget) {
		budget = 0;
		failed_writes++;
		errno = ENOSPC;
		return false;
	}
	budget -= (long long)n;
	return true;
}

/* LMDB's pwrite, through the budget. */
ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	if (!spend(n))
		return -1;
	return syscall(SYS_pwrite64, fd, buf, n, off);
}

/* LMDB's writev, through the budget. */
ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	int i;

	for (i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	if (!spend(n))
		return -1;
	return syscall(SYS_writev, fd, iov, iovcnt);
}

/* A temporary directory, a node in DIR/node and a file to import. */
struct fix {
	char *dir;
	struct node *n;
	char path[4096];	/* DIR/node */
	char file[4096];	/* DIR/lots.jsonl */
};

/* Per-test setup: the node and NRECORDS lots to import. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));
	FILE *fp;
	unsigned i;

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node", f->dir);
	snprintf(f->file, sizeof(f->file), "%s/lots.jsonl", f->dir);
	if ((fp = fopen(f->file, "w")) == NULL)
		return -1;
	for (i = 0; i < NRECORDS; i++)
		fprintf(fp, "{\"type\":\"lot\",\"ref\":\"LOT-%05u\",\"sector\":"
		    "\"Secteur %u\",\"territory\":\"44\",\"rate_cents\":%u}\n", i,
		    i, 1000 + i);
	fclose(fp);
	f->n = tu_node_init(f->dir, "node", NULL);
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	budget = -1;
	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Imports the fixture's file, 10 records to a change-set. */
static int
import(struct fix *f, struct import_result *res)
{
	struct import_opts o = { f->file, IMPORT_JSONL, NULL, false, 10, NULL,
		NULL, NULL, 0 };
	struct consort_diag d = { 0 };

	return import_file(f->n, &o, res, &d);
}

/* The number of live records of a type. */
static uint64_t
count(struct node *n, unsigned type)
{
	uint64_t k;
	struct store_txn *txn;

	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_count(txn, &n->store, type, &k));
	store_abort(txn);
	return k;
}

/* Reopens the node, as the next command would. */
static void
reopen(struct fix *f)
{
	struct consort_diag d = { 0 };

	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_ok(node_unlock(f->n, NULL, 0, &d));
}

/* LMDB's ENOSPC and EDQUOT are named as such, not as a store error. */
static void
test_store_err_names(void **state)
{
	(void)state;
	assert_err(store_err(ENOSPC), E(NOSPC));
	assert_err(store_err(EDQUOT), E(NOSPC));
	assert_err(store_err(MDB_MAP_FULL), E(MAPFULL));
	assert_err(store_err(EACCES), E(READONLY));
	assert_err(store_err(EROFS), E(READONLY));
	assert_string_equal(consort_err_name(E(NOSPC)), "ENOSPC");
}

/* Asserts that store_err maps rc to want, whose name and message are given. */
static void
maps_to(int rc, int want, const char *name, const char *message)
{
	int got = store_err(rc);

	if (got != want)
		fail_msg("store_err(%d) is %s, not %s", rc, consort_err_name(got),
		    name);
	assert_string_equal(consort_err_name(got), name);
	assert_string_equal(consort_strerror(got), message);
}

/*
 * LMDB's own codes and errno values become consort errors that say what
 * happened: a damaged store, a spoilt transaction, a full map, a missing
 * key, the disk.  None is left unknown.
 */
static void
test_store_err_lmdb(void **state)
{
	int rc;

	(void)state;
	maps_to(MDB_CORRUPTED, E(CORRUPTED), "ECORRUPTED",
	    "store corrupted: a page is missing or damaged (LMDB)");
	maps_to(MDB_PAGE_NOTFOUND, E(CORRUPTED), "ECORRUPTED",
	    "store corrupted: a page is missing or damaged (LMDB)");
	maps_to(MDB_BAD_TXN, E(BADTXN), "EBADTXN",
	    "store transaction unusable after an earlier failure (LMDB)");
	maps_to(MDB_MAP_FULL, E(MAPFULL), "EMAPFULL",
	    "store is full (LMDB map size)");
	maps_to(MDB_NOTFOUND, E(NOENT), "ENOENT", "not found");
	maps_to(MDB_KEYEXIST, E(EXIST), "EEXIST", "already exists");
	maps_to(MDB_READERS_FULL, E(BUSY), "EBUSY", "busy: try again later");
	maps_to(EIO, E(IO), "EIO", "input/output error");
	maps_to(ENOSPC, E(NOSPC), "ENOSPC", "no space left on the device");
	maps_to(ENOMEM, E(NOMEM), "ENOMEM", "out of memory");
	assert_int_equal(store_err(0), 0);
	/* a consort error passes unchanged: mapping twice changes nothing */
	assert_err(store_err(E(CORRUPTED)), E(CORRUPTED));
	assert_err(store_err(store_err(MDB_BAD_TXN)), E(BADTXN));
	for (rc = MDB_KEYEXIST; rc <= MDB_LAST_ERRCODE; rc++)
		if (strcmp(consort_err_name(store_err(rc)), "EUNKNOWN") == 0)
			fail_msg("LMDB's %d (%s) maps to no consort error", rc,
			    mdb_strerror(rc));
	/* those that stop a batch rather than refuse its item */
	assert_true(store_fault(store_err(MDB_CORRUPTED)));
	assert_true(store_fault(store_err(MDB_BAD_TXN)));
	assert_true(store_fault(store_err(MDB_MAP_FULL)));
	assert_true(store_fault(store_err(EIO)));
	assert_false(store_fault(store_err(MDB_NOTFOUND)));
	assert_false(store_fault(E(SIGNATURE)));
}

/* A local edit on a full disk fails with E(NOSPC) and stores nothing. */
static void
test_edit_nospace(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct field_input in[1];
	struct edit e;
	bool changed;

	in[0].f = schema_field_by_name(schema_type_by_name("lot"), "sector", 6);
	in[0].v = tu_str("Bâtiment");
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_put(&e, schema_type_by_name("lot"), "LOT-X", 5, in, 1,
	    PUT_ADD, true, &changed, &d));
	budget = 0;
	assert_err(edit_commit(&e), E(NOSPC));
	assert_true(failed_writes > 0);
	budget = -1;
	reopen(f);
	assert_int_equal(count(f->n, T_lot), 0);
	assert_int_equal(tu_head(&f->n->store, f->n->pk).seq, 1);
}

/*
 * An import that runs out of disk half-way says how many change-sets and
 * records it committed, and they are whole and stored; importing the same
 * file again finishes the job, to the state of an import never cut.
 */
static void
test_import_nospace(void **state)
{
	struct fix *f = *state;
	struct import_result res;
	struct node *other;
	char *cut, *whole;
	uint64_t before;

	/* enough for a few commits, not for all 200 change-sets */
	budget = 600 << 10;
	failed_writes = 0;
	assert_err(import(f, &res), E(NOSPC));
	assert_true(failed_writes > 0);
	budget = -1;
	assert_true(res.committed_changesets > 0);
	assert_true(res.committed_changesets < NRECORDS / 10);
	assert_int_equal(res.committed_records, res.committed_changesets * 10);

	reopen(f);
	assert_int_equal(count(f->n, T_lot), res.committed_records);
	assert_int_equal(tu_head(&f->n->store, f->n->pk).seq,
	    1 + res.committed_changesets);

	/* again: the rest, and nothing twice */
	before = res.committed_records;
	assert_ok(import(f, &res));
	assert_int_equal(res.changed, NRECORDS - before);
	assert_int_equal(count(f->n, T_lot), NRECORDS);
	assert_ok(import(f, &res));
	assert_int_equal(res.changed, 0);

	/* the same export as a node that imported in one go */
	cut = tu_export(&f->n->store);
	other = tu_node_init(f->dir, "other", NULL);
	assert_non_null(other);
	node_close(f->n);
	f->n = other;
	assert_ok(import(f, &res));
	whole = tu_export(&f->n->store);
	assert_string_equal(cut, whole);
	free(cut);
	free(whole);
}

/* Binds key as a subcontractor of the lead on node n. */
static void
bind_sub(struct node *n, const char *siret, const uint8_t *key)
{
	struct roster_invite rq = { "Sous-Traitant", siret, ROLE_SUB, { 0 },
		TU_LEAD_SIRET, "DC4-1" };
	struct consort_diag d = { 0 };
	struct edit e;

	memcpy(rq.key, key, CONSORT_KEY_BYTES);
	assert_ok(edit_begin(n, &e));
	if (roster_invite(&e, &rq, &d) != 0)
		fail_msg("invite %s: %s", siret, d.what);
	assert_ok(edit_commit(&e));
}

/* Author a's first change-set: it creates trainee ref, having seen n. */
static struct tu_cs
first_cs(struct node *n, struct tu_author *a, const char *ref)
{
	const struct schema_type *t = schema_type_by_name("trainee");
	struct cs_dep dep = tu_dep(&n->store, n->pk);
	uint8_t id[CONSORT_EID_BYTES];
	struct value v = tu_str(ref);
	struct cs_builder b;
	struct tu_cs cs;

	csb_init(&b);
	node_entity_id(n, t->id, ref, strlen(ref), id);
	csb_op(&b, OP_CREATE, t->id, id, 0, &v);
	cs = tu_author_sign(a, n->consortium, &dep, 1, node_hlc_next(n), &b);
	csb_free(&b);
	return cs;
}

/*
 * While this process has the store open, another one stores a change-set
 * of a new author: a change-set of another new author stored here then
 * gets the next number, not the one the other process gave out.
 */
static void
test_author_numbers_across_processes(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct tu_author s1, s2;
	struct tu_cs c1, c2;
	struct node *other;
	struct store_txn *txn;
	pid_t pid;
	int status;

	tu_author_init(&s1, 0x51);
	tu_author_init(&s2, 0x52);
	bind_sub(f->n, "73282932000074", s1.pk);
	bind_sub(f->n, "79911548000375", s2.pk);
	c1 = first_cs(f->n, &s1, "T-S1");
	c2 = first_cs(f->n, &s2, "T-S2");
	assert_int_equal(f->n->store.nauthors, 1);
	if ((pid = fork()) == 0) {
		/* the other process: its own node handle; no cmocka here */
		if (node_open(f->path, &other, &d) != 0 ||
		    store_begin(&other->store, true, &txn) != 0)
			_exit(2);
		if (log_apply(txn, &other->store, c1.p, c1.len,
		    other->consortium, &d) != 0 || store_commit(txn) != 0)
			_exit(3);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_ok(tu_apply_cs(&f->n->store, f->n->consortium, &c2));
	assert_int_equal(tu_head(&f->n->store, s1.pk).seq, 1);
	assert_int_equal(tu_head(&f->n->store, s2.pk).seq, 1);
	assert_int_equal(tu_head(&f->n->store, s1.pk).idx, 1);
	assert_int_equal(tu_head(&f->n->store, s2.pk).idx, 2);
	assert_ok(store_begin(&f->n->store, true, &txn));
	assert_ok(log_verify(txn, &f->n->store, f->n->consortium, &st, &d));
	store_abort(txn);
	tu_cs_free(&c1);
	tu_cs_free(&c2);
}

/* Writes key "k%04u" = value "v%u" (x: "x%u") into table t. */
static void
put_kv(struct store_txn *txn, struct store *s, enum store_table t,
    unsigned i, bool x)
{
	char k[16], v[16];

	snprintf(k, sizeof(k), "k%04u", i);
	snprintf(v, sizeof(v), "%c%u", x ? 'x' : 'v', i);
	assert_ok(store_put(txn, s, t, k, strlen(k), v, strlen(v), 0));
}

/*
 * store_adopt makes a table of the store equal to a scratch table, writing
 * only what differs, across several of its batches (256 differences each):
 * keys only in the store go, keys only in the scratch table come, values
 * that differ are replaced, equal ones are left alone.
 */
static void
test_adopt(void **state)
{
	struct fix *f = *state;
	struct store *s = &f->n->store;
	struct store_walk wa, wb;
	struct store_val ka, va, kb, vb;
	struct store_adopt pos;
	struct store_txn *txn;
	uint64_t changed, want = 0, room, total = 0;
	unsigned i, calls = 0;
	int ra, rb;

	assert_ok(store_begin(s, true, &txn));
	assert_ok(store_scratch_open(txn, s, 0));
	for (i = 0; i < 1200; i++) {
		bool in_dst = i % 4 != 0, in_src = i % 3 != 0, x = i % 5 == 0;

		if (in_dst)
			put_kv(txn, s, TB_PEERS, i, false);
		if (in_src)
			put_kv(txn, s, TB_SCRATCH_VV, i, x);
		want += in_dst != in_src || (in_src && x);
	}
	assert_true(want > 512);
	/* a room of 100 keys a call: several calls, each from where it was */
	memset(&pos, 0, sizeof(pos));
	while (!pos.done) {
		room = 100 * 4096;
		assert_ok(store_adopt(txn, s, TB_PEERS, TB_SCRATCH_VV, &room,
		    &pos, &changed));
		assert_true(changed <= 256 + 100);
		total += changed;
		calls++;
	}
	assert_int_equal(total, want);
	assert_true(calls >= 2);
	assert_ok(store_walk_begin(&wa, txn, s, TB_PEERS, NULL, 0, 0));
	assert_ok(store_walk_begin(&wb, txn, s, TB_SCRATCH_VV, NULL, 0, 0));
	for (i = 0;; i++) {
		ra = store_walk_next(&wa, &ka, &va);
		rb = store_walk_next(&wb, &kb, &vb);
		assert_int_equal(ra, rb);
		if (ra == 0)
			break;
		assert_int_equal(ka.len, kb.len);
		assert_memory_equal(ka.data, kb.data, ka.len);
		assert_int_equal(va.len, vb.len);
		assert_memory_equal(va.data, vb.data, va.len);
	}
	store_walk_end(&wa);
	store_walk_end(&wb);
	assert_int_equal(i, 800);
	/* a second time, whole: nothing left to write */
	memset(&pos, 0, sizeof(pos));
	room = UINT64_MAX;
	assert_ok(store_adopt(txn, s, TB_PEERS, TB_SCRATCH_VV, &room, &pos,
	    &changed));
	assert_int_equal(changed, 0);
	assert_true(pos.done);
	store_scratch_close(s);
	store_abort(txn);
}

/* The number of scratch folders left in dir. */
static unsigned
scratch_folders(const char *dir)
{
	struct dirent *e;
	unsigned n = 0;
	DIR *d;

	assert_non_null(d = opendir(dir));
	while ((e = readdir(d)) != NULL)
		n += strncmp(e->d_name, "consort-scratch-", 16) == 0;
	closedir(d);
	return n;
}

/*
 * The scratch tables are sized from the store: filled past that, a write
 * fails with E(MAPFULL) and says so (store_scratch_full), and the next
 * attempt opens them twice larger, empty.  What they held is nowhere in
 * the store, nor in TMPDIR.
 */
static void
test_scratch_full(void **state)
{
	struct fix *f = *state;
	struct store *s = &f->n->store;
	struct store_txn *txn;
	struct store_val v;
	char key[16], val[4000], *tmp = strdup(getenv("TMPDIR") ?
	    getenv("TMPDIR") : "/tmp");
	unsigned i, n = 0;
	int rc = 0;

	setenv("TMPDIR", f->dir, 1);  /* to see what is left there */
	memset(val, 'a', sizeof(val));
	assert_ok(store_begin(s, true, &txn));
	assert_ok(store_scratch_open(txn, s, 0));
	assert_false(store_scratch_full(s));
	while (rc == 0) {
		snprintf(key, sizeof(key), "k%08u", n);
		rc = store_put(txn, s, TB_SCRATCH_ENTITIES, key, strlen(key), val,
		    sizeof(val), 0);
		n += rc == 0;
		assert_true(n < 100000);
	}
	assert_int_equal(rc, E(MAPFULL));
	assert_true(store_scratch_full(s));
	assert_err(store_scratch_open(txn, s, 1), E(BUSY));
	store_scratch_close(s);
	assert_ok(store_scratch_open(txn, s, 1));
	assert_false(store_scratch_full(s));
	assert_err(store_get(txn, s, TB_SCRATCH_ENTITIES, "k00000000", 9, &v),
	    E(NOENT));
	for (i = 0; i <= n; i++) {
		snprintf(key, sizeof(key), "k%08u", i);
		assert_ok(store_put(txn, s, TB_SCRATCH_ENTITIES, key,
		    strlen(key), val, sizeof(val), 0));
	}
	/* the table of trainees to look at again is kept there too */
	assert_ok(store_put(txn, s, TB_RECHECK, "0123456789abcdef", 16, "", 0,
	    0));
	store_scratch_close(s);
	assert_err(store_get(txn, s, TB_RECHECK, "0123456789abcdef", 16, &v),
	    E(NOENT));
	store_abort(txn);
	assert_int_equal(scratch_folders(f->dir), 0);
	setenv("TMPDIR", tmp, 1);
	free(tmp);
}

/* Stores a signed change-set-like value of author a at seq in TB_CHANGES. */
static void
put_signed(struct store_txn *txn, struct store *s, struct tu_author *a,
    uint64_t seq, bool bad)
{
	uint8_t key[CONSORT_KEY_BYTES + 8], val[64 + CONSORT_SIG_BYTES];

	memcpy(key, a->pk, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, seq);
	memset(val, (int)(seq & 0xff), 64);
	util_put_be64(val, seq);
	crypto_sign_detached(val + 64, NULL, val, 64, a->sk);
	if (bad)
		val[3] ^= 1;
	assert_ok(store_put(txn, s, TB_CHANGES, key, sizeof(key), val,
	    sizeof(val), 0));
}

/* Checks every signature of TB_CHANGES with a sigpool, feeding it often. */
static int
check_all(struct store_txn *txn, struct store *s, uint8_t *author,
    uint64_t *seq)
{
	struct sigpool *p;
	unsigned i;

	assert_ok(sigpool_start(txn, s, &p));
	for (i = 0; i < 200; i++)
		sigpool_feed(p);
	return sigpool_finish(p, author, seq);
}

/*
 * The signature checks take the log a chunk at a time, and name the first
 * bad change-set in log order, wherever the chunks put it, after or before
 * another bad one.
 */
static void
test_sigpool_chunks(void **state)
{
	struct fix *f = *state;
	struct store *s = &f->n->store;
	uint8_t author[CONSORT_KEY_BYTES];
	struct tu_author a;
	struct store_txn *txn;
	uint64_t seq, i;

	tu_author_init(&a, 0x61);
	assert_ok(store_begin(s, true, &txn));
	for (i = 1; i <= 5000; i++)
		put_signed(txn, s, &a, i, false);
	assert_ok(check_all(txn, s, author, &seq));
	put_signed(txn, s, &a, 4321, true);
	assert_err(check_all(txn, s, author, &seq), E(SIGNATURE));
	assert_memory_equal(author, a.pk, CONSORT_KEY_BYTES);
	assert_int_equal(seq, 4321);
	put_signed(txn, s, &a, 2100, true);
	assert_err(check_all(txn, s, author, &seq), E(SIGNATURE));
	assert_int_equal(seq, 2100);
	put_signed(txn, s, &a, 1, true);
	assert_err(check_all(txn, s, author, &seq), E(SIGNATURE));
	assert_int_equal(seq, 1);
	store_abort(txn);
}

/* Imports n lots, 100 to a change-set. */
static void
import_more(struct fix *f, unsigned n)
{
	struct import_opts o = { f->file, IMPORT_JSONL, NULL, false, 100, NULL,
		NULL, NULL, 0 };
	struct consort_diag d = { 0 };
	struct import_result res;
	FILE *fp;
	unsigned i;

	assert_non_null(fp = fopen(f->file, "w"));
	for (i = 0; i < n; i++)
		fprintf(fp, "{\"type\":\"lot\",\"ref\":\"LOT-%05u\",\"sector\":"
		    "\"Secteur %u\",\"territory\":\"44\",\"rate_cents\":%u}\n", i,
		    i, 1000 + i);
	fclose(fp);
	assert_ok(import_file(f->n, &o, &res, &d));
}

/* Empties the state tables, committed: a store whose state was lost. */
static void
lose_state(struct store *s)
{
	struct store_txn *txn;

	assert_ok(store_begin(s, true, &txn));
	assert_ok(store_clear_state(txn, s));
	assert_ok(store_commit(txn));
}

/* Whether a rebuild in steps is left unfinished in the store. */
static int
pending(struct store *s)
{
	struct store_txn *txn;
	int rc;

	assert_ok(store_begin(s, false, &txn));
	rc = log_rebuild_pending(txn, s);
	store_abort(txn);
	return rc;
}

/* A last step that fails, as a rebuild killed before its last commit. */
static int
fail_last(struct store_txn *txn, struct store *s, void *arg)
{
	return E(IO);
}

/*
 * A rebuild that writes more than a step holds (a lost state) writes it in
 * steps when the process is alone: one that fails before its last step
 * leaves the state marked unfinished, and the next open rebuilds it.
 * Whole again, the mark is gone.
 */
static void
test_rebuild_in_steps(void **state)
{
	uint8_t want[CONSORT_HASH_BYTES], got[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct store *s = &f->n->store;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;

	import_more(f, 10000);  /* more than a step: 10,000 records */
	tu_state_hash(s, want);
	lose_state(s);
	assert_err(log_rebuild_store(s, f->n->consortium, fail_last, NULL, &st,
	    &d), E(IO));
	assert_int_equal(pending(s), 1);
	reopen(f);  /* node_open finishes it */
	s = &f->n->store;
	assert_int_equal(pending(s), 0);
	tu_state_hash(s, got);
	assert_memory_equal(got, want, CONSORT_HASH_BYTES);
	assert_int_equal(count(f->n, T_lot), 10000);

	lose_state(s);
	assert_ok(log_rebuild_store(s, f->n->consortium, NULL, NULL, &st, &d));
	assert_int_equal(st.changesets, tu_head(s, f->n->pk).seq);
	assert_int_equal(pending(s), 0);
	tu_state_hash(s, got);
	assert_memory_equal(got, want, CONSORT_HASH_BYTES);
}

/*
 * A process that shares the store (another has it open) rebuilds in one
 * transaction: one that fails writes nothing, and leaves nothing pending.
 */
static void
test_rebuild_shared(void **state)
{
	uint8_t want[CONSORT_HASH_BYTES], lost[CONSORT_HASH_BYTES],
	    got[CONSORT_HASH_BYTES];
	struct fix *f = *state;
	struct store *s = &f->n->store;
	struct consort_diag d = { 0 };
	struct log_replay_stats st;
	struct import_result res;
	struct node *other;
	int go[2], done[2], status;
	pid_t pid;
	char c;

	assert_ok(import(f, &res));
	tu_state_hash(s, want);
	lose_state(s);
	tu_state_hash(s, lost);
	assert_ok(pipe(go));
	assert_ok(pipe(done));
	if ((pid = fork()) == 0) {
		/* the other process: has the node open until told */
		if (node_open(f->path, &other, &d) != 0)
			_exit(2);
		if (write(go[1], "1", 1) != 1 || read(done[0], &c, 1) != 1)
			_exit(3);
		node_close(other);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(read(go[0], &c, 1), 1);
	assert_err(log_rebuild_store(s, f->n->consortium, fail_last, NULL, &st,
	    &d), E(IO));
	assert_int_equal(pending(s), 0);
	tu_state_hash(s, got);
	assert_memory_equal(got, lost, CONSORT_HASH_BYTES);
	assert_ok(log_rebuild_store(s, f->n->consortium, NULL, NULL, &st, &d));
	tu_state_hash(s, got);
	assert_memory_equal(got, want, CONSORT_HASH_BYTES);
	assert_int_equal(write(done[1], "1", 1), 1);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	close(go[0]);
	close(go[1]);
	close(done[0]);
	close(done[1]);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_store_err_names),
		T(test_store_err_lmdb),
		T(test_edit_nospace),
		T(test_import_nospace),
		T(test_author_numbers_across_processes),
		T(test_adopt),
		T(test_scratch_full),
		T(test_sigpool_chunks),
		T(test_rebuild_in_steps),
		T(test_rebuild_shared),
	};
#undef T

	return cmocka_run_group_tests_name("store", tests, tu_group_setup, NULL);
}
