/*
 * The LMDB environment of a node: one named database per table
 * (core.h, enum store_table), a version vector of heads, and the dense
 * local numbering of authors that records use to keep entries small.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <lmdb.h>

#include "core.h"

#define STORE_MAP_SIZE ((size_t)16 << 30)
#define HEAD_BYTES (4 + 8 + CONSORT_HASH_BYTES + 8)

/* The user context of a read-only store's private copy (scratch). */
static char scratch_mark;

static int compact_lock_shared(struct store *s, const char *path);
static int compact_lock_set(int fd, short type, bool wait);
static void compact_unlock(struct store *s);

/* struct store keeps LMDB's table handles as plain unsigned ints. */
_Static_assert(_Generic((MDB_dbi)0, unsigned int: 1, default: 0),
    "MDB_dbi is not an unsigned int");

static const char *const table_names[TB_COUNT] = {
	"changes", "ids", "heads", "entities", "refs", "meta", "owners",
	"revoked", "pending", "forks", "refused", "peers", "vv", "waits",
	"openings", "wanted", "entitled", "recheck", "index", "later",
};

/*
 * What each of LMDB's own return codes means to consort, indexed from
 * MDB_KEYEXIST as mdb_strerror() indexes its messages.  A code missing here
 * (one a later LMDB adds) is a store error.
 */
static const int mdb_codes[MDB_LAST_ERRCODE - MDB_KEYEXIST + 1] = {
	[MDB_KEYEXIST - MDB_KEYEXIST] = E(EXIST),
	[MDB_NOTFOUND - MDB_KEYEXIST] = E(NOENT),
	[MDB_PAGE_NOTFOUND - MDB_KEYEXIST] = E(CORRUPTED),
	[MDB_CORRUPTED - MDB_KEYEXIST] = E(CORRUPTED),
	[MDB_PANIC - MDB_KEYEXIST] = E(STORE),
	[MDB_VERSION_MISMATCH - MDB_KEYEXIST] = E(VERSION),
	[MDB_INVALID - MDB_KEYEXIST] = E(CORRUPTED),
	[MDB_MAP_FULL - MDB_KEYEXIST] = E(MAPFULL),
	[MDB_DBS_FULL - MDB_KEYEXIST] = E(STORE),
	[MDB_READERS_FULL - MDB_KEYEXIST] = E(BUSY),
	[MDB_TLS_FULL - MDB_KEYEXIST] = E(BUSY),
	[MDB_TXN_FULL - MDB_KEYEXIST] = E(STORE),
	[MDB_CURSOR_FULL - MDB_KEYEXIST] = E(STORE),
	[MDB_PAGE_FULL - MDB_KEYEXIST] = E(STORE),
	[MDB_MAP_RESIZED - MDB_KEYEXIST] = E(BUSY),
	[MDB_INCOMPATIBLE - MDB_KEYEXIST] = E(STORE),
	[MDB_BAD_RSLOT - MDB_KEYEXIST] = E(STORE),
	[MDB_BAD_TXN - MDB_KEYEXIST] = E(BADTXN),
	[MDB_BAD_VALSIZE - MDB_KEYEXIST] = E(STORE),
	[MDB_BAD_DBI - MDB_KEYEXIST] = E(STORE),
};

/*
 * Maps a return code of LMDB to a consort error: the one place that does.
 * LMDB returns 0, one of its own codes (the range MDB_KEYEXIST ..
 * MDB_LAST_ERRCODE, checked as mdb_strerror() checks it) or an errno value.
 * EACCES is LMDB's refusal of a write in a read-only environment; any other
 * errno value means what it means elsewhere (util_errno).  A consort error
 * passes unchanged.
 */
int
store_err(int rc)
{
	int err;

	if (rc == MDB_SUCCESS)
		return 0;
	if (rc >= MDB_KEYEXIST && rc <= MDB_LAST_ERRCODE) {
		err = mdb_codes[rc - MDB_KEYEXIST];
		return err != 0 ? err : E(STORE);
	}
	if (rc == EACCES)
		return E(READONLY);
	if (rc > 0)
		return util_errno(rc);
	return rc;
}

/*
 * Whether an error is the node's (its store, memory or disk) rather than
 * the data's: what stops a batch instead of refusing one of its items.
 */
bool
store_fault(int err)
{
	return err == E(NOMEM) || err == E(IO) || err == E(STORE) ||
	    err == E(MAPFULL) || err == E(CORRUPTED) || err == E(BADTXN) ||
	    err == E(BUSY);
}

/*
 * The LMDB transaction behind a store transaction: struct store_txn is
 * never defined, its pointers are LMDB's under another name.
 */
static inline MDB_txn *
mtxn(struct store_txn *txn)
{
	return (MDB_txn *)txn;
}

/* The store transaction of an LMDB one. */
static inline struct store_txn *
stxn(MDB_txn *txn)
{
	return (struct store_txn *)txn;
}

/*
 * The LMDB transaction that holds table t: the scratch environment's for
 * the tables that live there while a replay runs (store_scratch_open).
 */
static inline MDB_txn *
ttxn(struct store_txn *txn, const struct store *s, enum store_table t)
{
	return s->scratch_mask >> t & 1 ? mtxn(s->scratch_txn) : mtxn(txn);
}

/* LMDB's handle of table t, in the environment ttxn() names. */
static inline MDB_dbi
tdbi(const struct store *s, enum store_table t)
{
	return s->scratch_mask >> t & 1 ? s->scratch_dbi[t] : s->dbi[t];
}

/* Notes a scratch table's map filling up: store_scratch_open() retries. */
static int
scratch_err(struct store *s, enum store_table t, int rc)
{
	if (rc == MDB_MAP_FULL && s->scratch_mask >> t & 1)
		s->scratch_full = true;
	return store_err(rc);
}

/* The LMDB environment behind a store. */
static inline MDB_env *
menv(const struct store *s)
{
	return (MDB_env *)s->env;
}

/* Whether an open failed for want of write access to the store's files. */
static bool
no_write_access(int rc)
{
	return rc == EACCES || rc == EROFS || rc == EPERM;
}

/* Opens the environment at path with flags; *env is NULL on failure. */
static int
env_open(MDB_env **env, const char *path, unsigned flags)
{
	int rc;

	if ((rc = mdb_env_create(env)) != 0)
		return rc;
	mdb_env_set_maxdbs(*env, TB_ALL);
	mdb_env_set_mapsize(*env, STORE_MAP_SIZE);
	if ((rc = mdb_env_open(*env, path, flags, 0600)) != 0) {
		mdb_env_close(*env);
		*env = NULL;
	}
	return rc;
}

/*
 * Opens an existing environment that this user cannot write (a read-only
 * mount, files without write permission): read-only, and without locks when
 * even the lock file cannot be written.  LMDB itself does without locks on
 * a read-only file system; without them a reader is not protected from a
 * writer that has write access, which such a node rarely has.
 */
static int
env_open_readonly(MDB_env **env, const char *path)
{
	int rc = env_open(env, path, MDB_NOTLS | MDB_RDONLY);

	if (no_write_access(rc))
		rc = env_open(env, path, MDB_NOTLS | MDB_RDONLY | MDB_NOLOCK);
	return rc;
}

/* Opens the tables, creating them unless the store is read-only. */
static int
open_tables(struct store *s)
{
	MDB_txn *txn;
	unsigned i;
	int rc;

	if ((rc = mdb_txn_begin(menv(s), NULL, s->readonly ? MDB_RDONLY : 0,
	    &txn)) != 0)
		return store_err(rc);
	for (i = 0; i < TB_COUNT; i++) {
		rc = mdb_dbi_open(txn, table_names[i], s->readonly ? 0 :
		    MDB_CREATE, &s->dbi[i]);
		/*
		 * A store an older release wrote has no index; read-only, it
		 * is not rebuilt and its index is never read (index_ready):
		 * the handle names the main table, whose keys (the tables'
		 * names) no index key matches.  Nor is TB_LATER, which only
		 * a bulk write on a writable store fills.
		 */
		if (rc == MDB_NOTFOUND && s->readonly &&
		    (i == TB_INDEX || i == TB_LATER))
			rc = mdb_dbi_open(txn, NULL, 0, &s->dbi[i]);
		if (rc != 0) {
			mdb_txn_abort(txn);
			return store_err(rc);
		}
	}
	if ((rc = store_load_authors(stxn(txn), s)) != 0) {
		mdb_txn_abort(txn);
		return rc;
	}
	/* a read-only transaction's commit keeps the handles for later ones */
	return store_err(mdb_txn_commit(txn));
}

/*
 * Opens (or creates) the environment at path and its tables.  A node the
 * user cannot write opens read-only (s->readonly): reads work, a write
 * transaction is refused with E(READONLY).
 */
int
store_open(struct store *s, const char *path, bool create)
{
	MDB_env *env = NULL;
	int rc;

	memset(s, 0, sizeof(*s));  /* atrest: the node's to set (node.c) */
	s->index_defer_min = INDEX_DEFER_RECORDS;
	if (create && mkdir(path, 0700) != 0 && errno != EEXIST)
		return errno == ENOSPC ? E(NOSPC) : errno == EACCES ||
		    errno == EROFS ? E(READONLY) : E(IO);
	if ((rc = compact_lock_shared(s, path)) != 0)
		return rc;
	rc = env_open(&env, path, MDB_NOTLS);
	if (!create && no_write_access(rc) &&
	    (rc = env_open_readonly(&env, path)) == 0)
		s->readonly = true;
	if (rc != 0) {  /* EACCES still: the store cannot even be read */
		compact_unlock(s);
		return rc == ENOENT ? E(NOTNODE) : rc == EACCES ? E(PERM) :
		    store_err(rc);
	}
	s->env = (struct store_env *)env;
	if ((rc = open_tables(s)) != 0) {
		store_close(s);
		return rc;
	}
	return 0;
}

/*
 * Begins a write transaction that will be abandoned (a verification's
 * replay).  On a read-only store it runs in a private copy of the store, in
 * a folder of TMPDIR removed at once (the open files keep it while needed);
 * the store reads that copy from then on, and refuses to commit to it.
 */
int
store_begin_scratch(struct store *s, struct store_txn **txn)
{
	char tmpl[4096], data[4200], lock[4200];
	const char *tmp = getenv("TMPDIR");
	MDB_env *copy = NULL;
	MDB_txn *t;
	int rc;

	*txn = NULL;
	if (!s->readonly || s->scratch)
		return store_begin(s, true, txn);
	if ((size_t)snprintf(tmpl, sizeof(tmpl), "%s/consort-verify-XXXXXX",
	    tmp != NULL && tmp[0] ? tmp : "/tmp") >= sizeof(tmpl) ||
	    mkdtemp(tmpl) == NULL)
		return errno == ENOSPC ? E(NOSPC) : E(IO);
	snprintf(data, sizeof(data), "%s/data.mdb", tmpl);
	snprintf(lock, sizeof(lock), "%s/lock.mdb", tmpl);
	rc = mdb_env_copy2(menv(s), tmpl, MDB_CP_COMPACT);
	if (rc == 0)
		rc = env_open(&copy, tmpl, MDB_NOTLS | MDB_NOSYNC);
	unlink(data);
	unlink(lock);
	rmdir(tmpl);
	if (rc != 0)
		return store_err(rc);
	mdb_env_set_userctx(copy, &scratch_mark);
	mdb_env_close(menv(s));
	s->env = (struct store_env *)copy;
	s->readonly = false;
	if ((rc = open_tables(s)) != 0) {
		mdb_env_close(copy);
		s->env = NULL;
		return rc;
	}
	s->readonly = true;
	s->scratch = true;
	if ((rc = mdb_txn_begin(copy, NULL, 0, &t)) != 0)
		return store_err(rc);
	*txn = stxn(t);
	s->roster_stale = true;
	return 0;
}

/* Closes the environment. */
void
store_close(struct store *s)
{
	store_scratch_close(s);
	if (s->env != NULL)
		mdb_env_close(menv(s));
	compact_unlock(s);  /* after the close: see store_compact() */
	free(s->authors);
	free(s->roster);
	s->roster = NULL;
	free(s->rkeys);
	s->rkeys = NULL;
	s->nrkeys = s->caprkeys = 0;
	s->nroster = 0;
	s->authors = NULL;
	s->env = NULL;
	s->nauthors = 0;
}

/*
 * Whether commits wait for the disk.  Statistics a node could lose with
 * no harm are committed without waiting (sync false); tests do the same.
 */
void
store_set_sync(struct store *s, bool sync)
{
	(void)mdb_env_set_flags(menv(s), MDB_NOSYNC, !sync);
}

/*
 * Begins a read or write transaction; E(READONLY) for a write on a
 * read-only store.  A write transaction starts from the author numbers
 * stored: those an abandoned transaction gave out are forgotten, and those
 * another process gave out are known.
 */
int
store_begin(struct store *s, bool write, struct store_txn **txn)
{
	MDB_txn *t;
	int rc;

	*txn = NULL;
	if (write && s->readonly && !s->scratch)
		return E(READONLY);
	if (write && s->end_writer != NULL)
		(void)s->end_writer(s->end_writer_ctx);  /* it clears the hook */
	if (s->env == NULL)  /* a compaction could not reopen it */
		return E(STORE);
	rc = mdb_txn_begin(menv(s), NULL, write ? 0 : MDB_RDONLY, &t);
	s->roster_stale = true;  /* another process may have changed it */
	if (rc != 0)
		return store_err(rc);
	if (write && (rc = store_load_authors(stxn(t), s)) != 0) {
		mdb_txn_abort(t);
		return rc;
	}
	*txn = stxn(t);
	return 0;
}

/*
 * Whether the file system holding an environment is full: LMDB reports a
 * short write, which is how a full disk often shows, as EIO.
 */
static bool
env_full(MDB_env *env)
{
	struct statvfs st;
	const char *path;

	if (mdb_env_get_path(env, &path) != 0 || statvfs(path, &st) != 0)
		return false;
	return (uint64_t)st.f_bavail * st.f_frsize < ((uint64_t)1 << 20) ||
	    (st.f_files > 0 && st.f_favail == 0);
}

/*
 * Commits a write transaction (durably: LMDB syncs on commit); one on the
 * private copy of a read-only store is abandoned and refused.
 */
int
store_commit(struct store_txn *txn)
{
	MDB_env *env = mdb_txn_env(mtxn(txn));
	int rc;

	if (mdb_env_get_userctx(env) == &scratch_mark) {
		mdb_txn_abort(mtxn(txn));
		return E(READONLY);
	}
	rc = mdb_txn_commit(mtxn(txn));

	if (rc == EIO && env_full(env))
		return E(NOSPC);
	return store_err(rc);
}

/* Abandons a transaction; NULL is ignored. */
void
store_abort(struct store_txn *txn)
{
	if (txn != NULL)
		mdb_txn_abort(mtxn(txn));
}

/* Begins a write transaction nested in parent. */
int
store_begin_nested(struct store *s, struct store_txn *parent,
    struct store_txn **txn)
{
	MDB_txn *t;
	int rc;

	*txn = NULL;
	if ((rc = mdb_txn_begin(menv(s), mtxn(parent), 0, &t)) != 0)
		return store_err(rc);
	*txn = stxn(t);
	return 0;
}

/* Abandons a nested transaction; the caches follow its parent again. */
int
store_abort_nested(struct store *s, struct store_txn *txn,
    struct store_txn *parent)
{
	mdb_txn_abort(mtxn(txn));
	s->roster_stale = true;
	s->needs_rebuild = false;
	return store_load_authors(parent, s);
}

/* Reads a value; E(NOENT) when the key is absent. */
int
store_get(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, struct store_val *v)
{
	MDB_val key = { klen, (void *)k }, val;
	int rc;

	if ((rc = mdb_get(ttxn(txn, s, t), tdbi(s, t), &key, &val)) != 0) {
		v->data = NULL;
		v->len = 0;
		return store_err(rc);
	}
	v->data = val.mv_data;
	v->len = val.mv_size;
	return 0;
}

/* Writes a value; E(EXIST) with STORE_NOOVERWRITE when the key is there. */
int
store_put(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen, const void *v, size_t vlen, unsigned flags)
{
	MDB_val key = { klen, (void *)k }, val = { vlen, (void *)v };

	return scratch_err(s, t, mdb_put(ttxn(txn, s, t), tdbi(s, t), &key,
	    &val, (flags & STORE_NOOVERWRITE ? MDB_NOOVERWRITE : 0) |
	    (flags & STORE_APPEND ? MDB_APPEND : 0)));
}

/* Deletes a key; E(NOENT) when it is absent. */
int
store_del(struct store_txn *txn, struct store *s, enum store_table t,
    const void *k, size_t klen)
{
	MDB_val key = { klen, (void *)k };

	return scratch_err(s, t, mdb_del(ttxn(txn, s, t), tdbi(s, t), &key,
	    NULL));
}

/* Reads the last key of a table in key order; E(NOENT) when it is empty. */
int
store_last(struct store_txn *txn, struct store *s, enum store_table t,
    struct store_val *k)
{
	MDB_cursor *c;
	MDB_val key, val;
	int rc;

	if ((rc = mdb_cursor_open(ttxn(txn, s, t), tdbi(s, t), &c)) != 0)
		return store_err(rc);
	if ((rc = mdb_cursor_get(c, &key, &val, MDB_LAST)) == 0) {
		k->data = key.mv_data;
		k->len = key.mv_size;
	}
	mdb_cursor_close(c);
	return store_err(rc);
}

/* Counts a table's entries and the bytes of its pages. */
int
store_stat(struct store_txn *txn, struct store *s, enum store_table t,
    struct store_stat *st)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(ttxn(txn, s, t), tdbi(s, t), &ms)) != 0)
		return store_err(rc);
	st->entries = ms.ms_entries;
	st->bytes = (uint64_t)(ms.ms_branch_pages + ms.ms_leaf_pages +
	    ms.ms_overflow_pages) * ms.ms_psize;
	return 0;
}

/*
 * Begins a walk through a table in key order, from the first key not
 * below start (the table's first when startlen is 0), while keys begin
 * with the first prefixlen bytes of start.
 */
int
store_walk_begin(struct store_walk *w, struct store_txn *txn, struct store *s,
    enum store_table t, const void *start, size_t startlen, size_t prefixlen)
{
	MDB_cursor *c;
	MDB_val k = { startlen, (void *)start }, v;
	int rc;

	w->cursor = NULL;
	w->prefixlen = 0;
	w->ready = false;
	w->done = true;  /* until it is positioned */
	if (prefixlen > startlen || prefixlen > sizeof(w->prefix))
		return E(INVAL);
	if ((rc = mdb_cursor_open(ttxn(txn, s, t), tdbi(s, t), &c)) != 0)
		return store_err(rc);
	if (prefixlen > 0)
		memcpy(w->prefix, start, prefixlen);
	w->prefixlen = prefixlen;
	w->cursor = (struct store_cursor *)c;
	rc = mdb_cursor_get(c, &k, &v, startlen > 0 ? MDB_SET_RANGE : MDB_FIRST);
	if (rc == MDB_NOTFOUND)
		return 0;
	if (rc != 0) {
		store_walk_end(w);
		return store_err(rc);
	}
	w->key.data = k.mv_data;
	w->key.len = k.mv_size;
	w->val.data = v.mv_data;
	w->val.len = v.mv_size;
	w->ready = true;
	w->done = false;
	return 0;
}

/* Steps a walk: 1 and the next key and value, 0 at its end, or an error. */
int
store_walk_next(struct store_walk *w, struct store_val *k, struct store_val *v)
{
	MDB_val mk, mv;
	int rc;

	if (w->done)
		return 0;
	if (w->ready) {
		w->ready = false;
		*k = w->key;
		*v = w->val;
	} else {
		rc = mdb_cursor_get((MDB_cursor *)w->cursor, &mk, &mv, MDB_NEXT);
		if (rc != 0) {
			w->done = true;
			return rc == MDB_NOTFOUND ? 0 : store_err(rc);
		}
		k->data = mk.mv_data;
		k->len = mk.mv_size;
		v->data = mv.mv_data;
		v->len = mv.mv_size;
	}
	if (w->prefixlen > 0 && (k->len < w->prefixlen ||
	    memcmp(k->data, w->prefix, w->prefixlen) != 0)) {
		w->done = true;
		return 0;
	}
	return 1;
}

/* Ends a walk, whether or not it reached its end; a second call is harmless. */
void
store_walk_end(struct store_walk *w)
{
	if (w->cursor != NULL)
		mdb_cursor_close((MDB_cursor *)w->cursor);
	w->cursor = NULL;
	w->done = true;
}

/* Decodes a stored head. */
static int
head_decode(const struct store_val *v, struct head *h)
{
	const uint8_t *p = v->data;

	if (v->len != HEAD_BYTES)
		return E(STORE);
	h->idx = util_get_be32(p);
	h->seq = util_get_be64(p + 4);
	memcpy(h->id, p + 12, CONSORT_HASH_BYTES);
	h->hlc = util_get_be64(p + 12 + CONSORT_HASH_BYTES);
	return 0;
}

/* Reads an author's head; E(NOENT) for an author never seen. */
int
store_head(struct store_txn *txn, struct store *s, const uint8_t *author,
    struct head *h)
{
	struct store_val v;
	int rc;

	if ((rc = store_get(txn, s, TB_HEADS, author, CONSORT_KEY_BYTES, &v)) != 0)
		return rc;
	return head_decode(&v, h);
}

/* Writes an author's head. */
int
store_set_head(struct store_txn *txn, struct store *s, const uint8_t *author,
    struct head *h)
{
	uint8_t buf[HEAD_BYTES];

	util_put_be32(buf, h->idx);
	util_put_be64(buf + 4, h->seq);
	memcpy(buf + 12, h->id, CONSORT_HASH_BYTES);
	util_put_be64(buf + 12 + CONSORT_HASH_BYTES, h->hlc);
	return store_put(txn, s, TB_HEADS, author, CONSORT_KEY_BYTES, buf,
	    sizeof(buf), 0);
}

/* Rebuilds the in-memory idx -> author table from the heads. */
int
store_load_authors(struct store_txn *txn, struct store *s)
{
	struct store_walk w;
	struct store_val k, v;
	struct head h;
	int rc;

	free(s->authors);
	s->authors = calloc(STORE_MAX_AUTHORS, CONSORT_KEY_BYTES);
	s->nauthors = 0;
	if (s->authors == NULL)
		return E(NOMEM);
	if ((rc = store_walk_begin(&w, txn, s, TB_HEADS, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != CONSORT_KEY_BYTES || head_decode(&v, &h) != 0 ||
		    h.idx >= STORE_MAX_AUTHORS) {
			rc = E(STORE);
			break;
		}
		memcpy(s->authors[h.idx], k.data, CONSORT_KEY_BYTES);
		if (h.idx + 1 > s->nauthors)
			s->nauthors = h.idx + 1;
	}
	store_walk_end(&w);
	return rc;
}

/* Returns the local number of an author, giving the next one to a new author. */
int
store_author_idx(struct store_txn *txn, struct store *s, const uint8_t *author,
    uint32_t *idx)
{
	struct head h;
	int rc;

	rc = store_head(txn, s, author, &h);
	if (rc == 0) {
		*idx = h.idx;
		return 0;
	}
	if (rc != E(NOENT))
		return rc;
	if (s->nauthors >= STORE_MAX_AUTHORS)
		return E(TOOBIG);
	memset(&h, 0, sizeof(h));
	h.idx = s->nauthors;
	if ((rc = store_set_head(txn, s, author, &h)) != 0)
		return rc;
	memcpy(s->authors[h.idx], author, CONSORT_KEY_BYTES);
	s->nauthors++;
	*idx = h.idx;
	return 0;
}

/* Stores a change-set's bytes under (author, seq) and its id. */
int
store_put_change(struct store_txn *txn, struct store *s,
    const struct changeset *cs, const uint8_t *bytes, size_t len)
{
	uint8_t key[CONSORT_KEY_BYTES + 8];
	int rc;

	memcpy(key, cs->author, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, cs->seq);
	rc = store_put(txn, s, TB_CHANGES, key, sizeof(key), bytes, len,
	    STORE_NOOVERWRITE);
	if (rc != 0)
		return rc;
	return store_put(txn, s, TB_IDS, cs->id, CONSORT_HASH_BYTES, key,
	    sizeof(key), STORE_NOOVERWRITE);
}

/* Reads the stored bytes of (author, seq). */
int
store_get_change(struct store_txn *txn, struct store *s, const uint8_t *author,
    uint64_t seq, struct store_val *v)
{
	uint8_t key[CONSORT_KEY_BYTES + 8];

	memcpy(key, author, CONSORT_KEY_BYTES);
	util_put_be64(key + CONSORT_KEY_BYTES, seq);
	return store_get(txn, s, TB_CHANGES, key, sizeof(key), v);
}

/*
 * Deletes every key of a table that begins with prefix: keys are collected
 * a few at a time (a walk may not write its table), deleted, and again.
 */
int
store_del_prefix(struct store_txn *txn, struct store *s, enum store_table t,
    const void *prefix, size_t len, unsigned *deleted)
{
	enum { BATCH = 64 };
	uint8_t (*keys)[STORE_KEY_MAX];
	size_t klen[BATCH];
	struct store_walk w;
	struct store_val k, v;
	unsigned n, i;
	int rc = 0;

	if (deleted != NULL)
		*deleted = 0;
	if ((keys = malloc(BATCH * sizeof(*keys))) == NULL)
		return E(NOMEM);
	do {
		n = 0;
		if ((rc = store_walk_begin(&w, txn, s, t, prefix, len, len)) != 0)
			break;
		while (n < BATCH && (rc = store_walk_next(&w, &k, &v)) > 0) {
			memcpy(keys[n], k.data, k.len);
			klen[n++] = k.len;
		}
		store_walk_end(&w);
		for (i = 0; rc >= 0 && i < n; i++) {
			rc = store_del(txn, s, t, keys[i], klen[i]);
			if (rc == 0 && deleted != NULL)
				(*deleted)++;
			if (rc == E(NOENT))
				rc = 0;
		}
	} while (rc >= 0 && n == BATCH);
	free(keys);
	return rc < 0 ? rc : 0;
}

/*
 * Empties one table; an empty one is left untouched (LMDB's drop would
 * write its record anew).
 */
int
store_empty(struct store_txn *txn, struct store *s, enum store_table t)
{
	MDB_stat ms;
	int rc;

	if ((rc = mdb_stat(ttxn(txn, s, t), tdbi(s, t), &ms)) != 0)
		return store_err(rc);
	if (ms.ms_entries == 0)
		return 0;
	if ((rc = mdb_drop(ttxn(txn, s, t), tdbi(s, t), 0)) != 0)
		return store_err(rc);
	return 0;
}

/* Empties the derived tables (state, refs and index) before a replay. */
int
store_clear_state(struct store_txn *txn, struct store *s)
{
	int rc;

	if ((rc = store_empty(txn, s, TB_ENTITIES)) != 0 ||
	    (rc = store_empty(txn, s, TB_REFS)) != 0 ||
	    (rc = store_empty(txn, s, TB_OWNERS)) != 0 ||
	    (rc = store_empty(txn, s, TB_VV)) != 0 ||
	    (rc = store_empty(txn, s, TB_INDEX)) != 0 ||
	    (rc = store_empty(txn, s, TB_LATER)) != 0)
		return rc;
	s->roster_stale = true;
	return 0;
}

/* The state tables and, in the same order, their scratch copies. */
static const enum store_table state_tables[STORE_STATE_TABLES] = {
	TB_ENTITIES, TB_REFS, TB_OWNERS, TB_VV, TB_INDEX };
static const enum store_table scratch_tables[STORE_STATE_TABLES] = {
	TB_SCRATCH_ENTITIES, TB_SCRATCH_REFS, TB_SCRATCH_OWNERS,
	TB_SCRATCH_VV, TB_SCRATCH_INDEX };

_Static_assert(TB_ALL <= 32, "store.scratch_mask has a bit per table");

/*
 * The bytes a replay's scratch tables should need: those of the tables it
 * rebuilds, or of the log when the state is smaller (a store whose state
 * was damaged or lost), and a quarter more; doubled at each attempt.
 */
static int
scratch_size(struct store_txn *txn, struct store *s, unsigned attempt,
    size_t *size)
{
	static const enum store_table rebuilt[] = { TB_ENTITIES, TB_REFS,
		TB_OWNERS, TB_VV, TB_INDEX, TB_RECHECK };
	struct store_stat st;
	uint64_t state = 0, need;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(rebuilt) / sizeof(rebuilt[0]); i++) {
		if ((rc = store_stat(txn, s, rebuilt[i], &st)) != 0)
			return rc;
		state += st.bytes;
	}
	if ((rc = store_stat(txn, s, TB_CHANGES, &st)) != 0)
		return rc;
	need = (state > st.bytes ? state : st.bytes) / 4 * 5 +
	    ((uint64_t)16 << 20);
	need = attempt < 8 ? need << attempt : STORE_MAP_SIZE;
	*size = need < STORE_MAP_SIZE ? (size_t)need : STORE_MAP_SIZE;
	return 0;
}

/*
 * Reserves the disk space of a whole map: the scratch environment writes
 * into its map (MDB_WRITEMAP), and a page the file system could not give
 * at that moment would kill the process (SIGBUS) instead of failing a call.
 * A file system that cannot reserve (fallocate unsupported) goes without.
 */
static int
scratch_reserve(MDB_env *env, size_t size)
{
	int fd, rc;

	if ((rc = mdb_env_get_fd(env, &fd)) != 0)
		return store_err(rc);
	rc = posix_fallocate(fd, 0, (off_t)size);
	if (rc == ENOSPC || rc == EDQUOT || rc == EFBIG)
		return E(NOSPC);
	return rc == 0 || rc == EOPNOTSUPP || rc == EINVAL || rc == ENOSYS ?
	    0 : util_errno(rc);
}

/*
 * Opens a throwaway environment of size bytes in a new folder of TMPDIR,
 * and removes its file and folder at once: the open environment keeps
 * them while it is needed, and nothing is left behind, even by a process
 * that is killed.  Never synced, and written in place (MDB_WRITEMAP): its
 * dirty pages are the file's, in the kernel's page cache, and not the
 * process's private memory as those of a transaction of the store are.
 */
static int
scratch_env_open(MDB_env **env, size_t size)
{
	char dir[4096], data[4200];
	const char *tmp = getenv("TMPDIR");
	int rc;

	if ((size_t)snprintf(dir, sizeof(dir), "%s/consort-scratch-XXXXXX",
	    tmp != NULL && tmp[0] ? tmp : "/tmp") >= sizeof(dir) ||
	    mkdtemp(dir) == NULL)
		return errno == ENOSPC ? E(NOSPC) : E(IO);
	snprintf(data, sizeof(data), "%s/data.mdb", dir);
	if ((rc = mdb_env_create(env)) == 0) {
		mdb_env_set_maxdbs(*env, TB_ALL);
		mdb_env_set_mapsize(*env, size);
		if ((rc = mdb_env_open(*env, dir, MDB_NOTLS | MDB_NOSYNC |
		    MDB_NOLOCK | MDB_WRITEMAP, 0600)) != 0) {
			mdb_env_close(*env);
			*env = NULL;
		}
	}
	unlink(data);
	rmdir(dir);
	if (rc != 0)
		return store_err(rc);
	if ((rc = scratch_reserve(*env, size)) != 0) {
		mdb_env_close(*env);
		*env = NULL;
	}
	return rc;
}

/* Opens a table of the scratch environment, kept there for table t. */
static int
scratch_table(struct store *s, MDB_txn *t, const char *name,
    enum store_table tb)
{
	int rc;

	if ((rc = mdb_dbi_open(t, name, MDB_CREATE, &s->scratch_dbi[tb])) != 0)
		return store_err(rc);
	s->scratch_mask |= 1u << tb;
	return 0;
}

/*
 * Opens the scratch tables of a replay, empty, in a throwaway environment
 * (scratch_env_open) sized from the store that txn reads, larger at each
 * attempt: the copies of the state tables, and the table of trainees to
 * look at again, which a replay fills with every trainee.
 */
int
store_scratch_open(struct store_txn *txn, struct store *s, unsigned attempt)
{
	size_t size;
	int rc;

	if (s->scratch_env != NULL)
		return E(BUSY);
	if ((rc = scratch_size(txn, s, attempt, &size)) != 0)
		return rc;
	return store_scratch_open_size(s, size);
}

/* Opens the scratch tables of store_scratch_open() in a map of size bytes. */
int
store_scratch_open_size(struct store *s, uint64_t size)
{
	static const char *const names[STORE_STATE_TABLES] = { "entities",
		"refs", "owners", "vv", "index" };
	MDB_env *env;
	MDB_txn *t;
	int i, rc;

	if (s->scratch_env != NULL)
		return E(BUSY);
	size = size < STORE_MAP_SIZE ? size : STORE_MAP_SIZE;
	size = (size + 0xfffff) & ~(uint64_t)0xfffff;
	if ((rc = scratch_env_open(&env, (size_t)size)) != 0)
		return rc;
	if ((rc = mdb_txn_begin(env, NULL, 0, &t)) != 0) {
		mdb_env_close(env);
		return store_err(rc);
	}
	s->scratch_env = (struct store_env *)env;
	s->scratch_txn = stxn(t);
	s->scratch_full = false;
	for (i = 0; i < STORE_STATE_TABLES && rc == 0; i++)
		rc = scratch_table(s, t, names[i], scratch_tables[i]);
	if (rc == 0)
		rc = scratch_table(s, t, "recheck", TB_RECHECK);
	if (rc != 0)
		store_scratch_close(s);
	s->roster_stale = true;
	return rc;
}

/* Whether table t is, for now, a scratch table (a replay writes there). */
bool
store_in_scratch(const struct store *s, enum store_table t)
{
	return s->scratch_mask >> t & 1;
}

/* Whether the scratch tables ran out of room: open them again larger. */
bool
store_scratch_full(const struct store *s)
{
	return s->scratch_full;
}

/* Closes the scratch environment, and with it its tables; NULL is ignored. */
void
store_scratch_close(struct store *s)
{
	if (s->scratch_env == NULL)
		return;
	if (s->scratch_txn != NULL)
		mdb_txn_abort(mtxn(s->scratch_txn));
	mdb_env_close((MDB_env *)s->scratch_env);
	s->scratch_env = NULL;
	s->scratch_txn = NULL;
	s->scratch_mask = 0;
	memset(s->scratch_dbi, 0, sizeof(s->scratch_dbi));
	s->roster_stale = true;
}

/*
 * Exchanges the state tables with their scratch copies: what reads or
 * writes TB_ENTITIES reaches TB_SCRATCH_ENTITIES and back, and so on.
 */
void
store_swap_scratch(struct store *s)
{
	enum store_table a, b;
	unsigned int h;
	uint32_t ma, mb;
	int i;

	for (i = 0; i < STORE_STATE_TABLES; i++) {
		a = state_tables[i];
		b = scratch_tables[i];
		h = s->dbi[a];
		s->dbi[a] = s->dbi[b];
		s->dbi[b] = h;
		h = s->scratch_dbi[a];
		s->scratch_dbi[a] = s->scratch_dbi[b];
		s->scratch_dbi[b] = h;
		ma = s->scratch_mask >> a & 1;
		mb = s->scratch_mask >> b & 1;
		s->scratch_mask &= ~(1u << a | 1u << b);
		s->scratch_mask |= mb << a | ma << b;
	}
	s->roster_stale = true;
}

/* Orders two keys as LMDB's default comparison does. */
static int
key_cmp(const struct store_val *a, const struct store_val *b)
{
	size_t n = a->len < b->len ? a->len : b->len;
	int c = n > 0 ? memcmp(a->data, b->data, n) : 0;

	return c != 0 ? c : a->len < b->len ? -1 : a->len > b->len;
}

/* A batch of differences between two tables: keys copied, values not. */
struct adopt_batch {
	uint8_t keys[256][STORE_KEY_MAX];
	size_t klen[256];
	struct store_val val[256];  /* in src; data NULL: a key to delete */
	unsigned n;
};

/* Adds a difference to a batch. */
static void
adopt_add(struct adopt_batch *b, const struct store_val *k,
    const struct store_val *v)
{
	memcpy(b->keys[b->n], k->data, k->len);
	b->klen[b->n] = k->len;
	b->val[b->n].data = v != NULL ? v->data : NULL;
	b->val[b->n].len = v != NULL ? v->len : 0;
	b->n++;
}

/*
 * Gathers into b the differences of dst from src from key start on (from
 * the first key when startlen is 0), until b is full or both tables end.
 */
static int
adopt_gather(struct store_txn *txn, struct store *s, enum store_table dst,
    enum store_table src, const void *start, size_t startlen,
    struct adopt_batch *b)
{
	struct store_walk wa, wb;
	struct store_val ka, va, kb, vb;
	int ra, rb, c, rc;

	b->n = 0;
	if ((rc = store_walk_begin(&wa, txn, s, dst, start, startlen, 0)) != 0)
		return rc;
	if ((rc = store_walk_begin(&wb, txn, s, src, start, startlen, 0)) != 0) {
		store_walk_end(&wa);
		return rc;
	}
	ra = store_walk_next(&wa, &ka, &va);
	rb = store_walk_next(&wb, &kb, &vb);
	while ((ra > 0 || rb > 0) && b->n < sizeof(b->klen) /
	    sizeof(b->klen[0])) {
		c = ra <= 0 ? 1 : rb <= 0 ? -1 : key_cmp(&ka, &kb);
		if (c < 0)
			adopt_add(b, &ka, NULL);
		else if (c > 0 || va.len != vb.len ||
		    memcmp(va.data, vb.data, va.len) != 0)
			adopt_add(b, &kb, &vb);
		if (c <= 0)
			ra = store_walk_next(&wa, &ka, &va);
		if (c >= 0)
			rb = store_walk_next(&wb, &kb, &vb);
	}
	store_walk_end(&wa);
	store_walk_end(&wb);
	return ra < 0 ? ra : rb < 0 ? rb : 0;
}

/*
 * Makes table dst hold what table src holds, writing only the keys that
 * differ: a rebuilt state replaces the stored one at the cost of what
 * changed.  The tables are walked in key order, a batch of differences at
 * a time (a walk may not write its table), from the last key written on;
 * pos says where to go on, and it stops once the keys and values written
 * have spent the budget (a page a key, and the value's bytes): a
 * transaction holds no more than that, and the next one goes on from pos.
 */
int
store_adopt(struct store_txn *txn, struct store *s, enum store_table dst,
    enum store_table src, uint64_t *budget, struct store_adopt *pos,
    uint64_t *changed)
{
	struct adopt_batch *b;
	uint64_t cost;
	unsigned i;
	int rc;

	*changed = 0;
	if (pos->done)
		return 0;
	if ((b = malloc(sizeof(*b))) == NULL)
		return E(NOMEM);
	do {
		if ((rc = adopt_gather(txn, s, dst, src, pos->last, pos->lastlen,
		    b)) != 0)
			break;
		for (i = 0; i < b->n && rc == 0; i++) {
			rc = b->val[i].data == NULL ? store_del(txn, s, dst,
			    b->keys[i], b->klen[i]) : store_put(txn, s, dst,
			    b->keys[i], b->klen[i], b->val[i].data,
			    b->val[i].len, 0);
			cost = 4096 + b->val[i].len;
			*budget = *budget > cost ? *budget - cost : 0;
		}
		*changed += b->n;
		if (b->n > 0) {
			pos->lastlen = b->klen[b->n - 1];
			memcpy(pos->last, b->keys[b->n - 1], pos->lastlen);
		}
		pos->done = b->n < sizeof(b->klen) / sizeof(b->klen[0]);
	} while (rc == 0 && !pos->done && *budget > 0);
	free(b);
	if (*changed > 0)
		s->roster_stale = true;
	return rc;
}

/*
 * Takes the store for this process alone, if no other process has it
 * open: the compaction lock, exclusive (see below).  Others wait to open
 * it until store_unlock_alone().
 */
int
store_lock_alone(struct store *s)
{
	if (!s->locked || compact_lock_set(s->lockfd, F_WRLCK, false) != 0)
		return E(BUSY);
	return 0;
}

/* Shares the store again after store_lock_alone(). */
void
store_unlock_alone(struct store *s)
{
	(void)compact_lock_set(s->lockfd, F_RDLCK, false);
}

/* The scratch copy of a state table, or the table itself for another. */
enum store_table
store_scratch_of(enum store_table t)
{
	int i;

	for (i = 0; i < STORE_STATE_TABLES; i++)
		if (state_tables[i] == t)
			return scratch_tables[i];
	return t;
}

/*
 * Compaction (DESIGN.md §5): a compacted copy of the environment
 * (mdb_env_copyfd2, MDB_CP_COMPACT) replaces data.mdb, so that what was
 * deleted leaves no byte in its free pages.  Every process that opens the
 * store holds a shared lock on store/compact.lock for as long as it has it
 * open; a compaction needs it exclusive, or it is left pending in the meta
 * table for the next process that is alone.  The locks are open file
 * description locks (fcntl F_OFD_SETLK): unlike flock(2), turning a shared
 * lock into an exclusive one either succeeds or leaves the shared lock as
 * it was, so a process that fails to compact never goes unprotected.
 */
#define COMPACT_LOCK "compact.lock"
#define COMPACT_TMP "data.mdb.compact"
#define COMPACT_MARK "compact-pending"

/* Sets the lock of fd: F_RDLCK, F_WRLCK or F_UNLCK; waits if wait. */
static int
compact_lock_set(int fd, short type, bool wait)
{
	struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
	int rc;

	while ((rc = fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl)) != 0 &&
	    errno == EINTR)
		;
	return rc;
}

/* Joins the store's folder and a name into buf. */
static int
compact_path(char *buf, size_t len, const char *dir, const char *name)
{
	return (size_t)snprintf(buf, len, "%s/%s", dir, name) < len ? 0 :
	    E(INVAL);
}

/*
 * Takes the shared lock of a store about to open, waiting while another
 * process compacts it, then removes the copy a compaction that crashed
 * left.  A user who may neither create nor open the lock file (another
 * user's node, read-only) goes without, as LMDB then goes without its own
 * locks: such a user cannot compact, nor write.
 */
static int
compact_lock_shared(struct store *s, const char *path)
{
	char lock[4200], tmp[4200];

	s->locked = false;
	if (compact_path(lock, sizeof(lock), path, COMPACT_LOCK) != 0 ||
	    compact_path(tmp, sizeof(tmp), path, COMPACT_TMP) != 0)
		return E(INVAL);
	if ((s->lockfd = open(lock, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC,
	    0600)) < 0 &&
	    (s->lockfd = open(lock, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)) < 0)
		return 0;
	if (compact_lock_set(s->lockfd, F_RDLCK, true) != 0) {
		close(s->lockfd);  /* locks unsupported here: none */
		return 0;
	}
	s->locked = true;
	/* no compaction runs while the lock is shared: a copy is stale */
	if (unlink(tmp) != 0 && errno != ENOENT && errno != EACCES &&
	    errno != EROFS && errno != EPERM) {
		compact_unlock(s);
		return E(IO);
	}
	return 0;
}

/* Releases the lock of a store, closed first. */
static void
compact_unlock(struct store *s)
{
	if (s->locked)
		close(s->lockfd);  /* releases the lock */
	s->locked = false;
}

/* Marks a compaction as pending, in the caller's write transaction. */
int
store_compact_mark(struct store_txn *txn, struct store *s)
{
	return store_put(txn, s, TB_META, COMPACT_MARK, sizeof(COMPACT_MARK) - 1,
	    "\1", 1, 0);
}

/* Sets (mark true) or clears the pending mark in a transaction of its own. */
static int
compact_mark_set(struct store *s, bool mark)
{
	struct store_txn *txn;
	int rc;

	if ((rc = store_begin(s, true, &txn)) != 0)
		return rc;
	rc = mark ? store_compact_mark(txn, s) : store_del(txn, s, TB_META,
	    COMPACT_MARK, sizeof(COMPACT_MARK) - 1);
	if (rc != 0 && !(rc == E(NOENT) && !mark)) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

/* Whether a compaction is pending: asked for while the store was busy. */
bool
store_compact_pending(struct store *s)
{
	struct store_txn *txn;
	struct store_val v;
	bool pending;

	if (s->env == NULL || store_begin(s, false, &txn) != 0)
		return false;
	pending = store_get(txn, s, TB_META, COMPACT_MARK,
	    sizeof(COMPACT_MARK) - 1, &v) == 0;
	store_abort(txn);
	return pending;
}

/* Flushes a folder's entries (a rename in it) to the disk. */
static int
compact_sync_dir(const char *dir)
{
	int fd, rc;

	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return E(IO);
	rc = fsync(fd) == 0 ? 0 : E(IO);
	close(fd);
	return rc;
}

/*
 * Writes the compacted copy of the environment to tmp, on the disk when
 * this returns 0; an LMDB code or an errno value otherwise, tmp removed.
 */
static int
compact_copy(struct store *s, const char *tmp)
{
	int fd, rc;

	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_NOFOLLOW | O_CLOEXEC,
	    0600);
	if (fd < 0)
		return errno;
	rc = mdb_env_copyfd2(menv(s), fd, MDB_CP_COMPACT);
	if (rc == 0 && fsync(fd) != 0)
		rc = errno;
	if (close(fd) != 0 && rc == 0)
		rc = errno;
	if (rc != 0)
		unlink(tmp);
	return rc;
}

/* Closes the environment and opens the file now named data.mdb. */
static int
compact_reopen(struct store *s, const char *dir, unsigned flags)
{
	MDB_env *env;
	int rc;

	mdb_env_close(menv(s));
	s->env = NULL;
	if ((rc = env_open(&env, dir, MDB_NOTLS)) != 0)
		return store_err(rc);
	s->env = (struct store_env *)env;
	if (flags & MDB_NOSYNC)
		mdb_env_set_flags(env, MDB_NOSYNC, 1);
	return open_tables(s);
}

/* The size of a file in bytes, 0 if it cannot be read. */
static uint64_t
compact_size(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 ? (uint64_t)st.st_size : 0;
}

/*
 * Compacts a store whose lock is exclusive: the copy, flushed; renamed
 * over data.mdb, the folder flushed; the environment reopened on it.  A
 * failure before the rename leaves data.mdb as it was.
 */
static int
compact_locked(struct store *s, const char *dir,
    struct store_compact_stats *st, struct consort_diag *d)
{
	char data[4200], tmp[4200];
	unsigned flags = 0;
	int rc;

	if (compact_path(data, sizeof(data), dir, "data.mdb") != 0 ||
	    compact_path(tmp, sizeof(tmp), dir, COMPACT_TMP) != 0)
		return E(INVAL);
	st->before = compact_size(data);
	(void)mdb_env_get_flags(menv(s), &flags);
	if ((rc = compact_copy(s, tmp)) != 0) {
		if (rc == ENOSPC || rc == EDQUOT ||
		    (rc == EIO && env_full(menv(s))))
			return consort_diag_set(d, E(NOSPC), dir,
			    _("no space left for the compacted copy of the "
			    "store; the store is "
			    "unchanged"), _("free space on the disk that holds "
			    "the node (the copy needs at most the size of "
			    "data.mdb), then run consort compact again"));
		return consort_diag_set(d, store_err(rc), dir, _("cannot write "
		    "the compacted copy of the store; the store is unchanged"),
		    NULL);
	}
	if (rename(tmp, data) != 0) {
		rc = errno;
		unlink(tmp);
		return consort_diag_set(d, util_errno(rc), data,
		    _("cannot replace data.mdb by its compacted copy; the "
		    "store is unchanged"),
		    NULL);
	}
	if ((rc = compact_sync_dir(dir)) != 0 ||
	    (rc = compact_reopen(s, dir, flags)) != 0)
		return consort_diag_set(d, rc, dir,
		    _("the store was compacted, "
		    "but cannot be opened again in this process"), _("run the "
		    "command again"));
	st->after = compact_size(data);
	return compact_mark_set(s, false);
}

/*
 * Compacts a store, or leaves the compaction pending when another process
 * has it open.  No transaction of the store may be running.
 */
int
store_compact(struct store *s, struct store_compact_stats *st,
    struct consort_diag *d)
{
	char dir[4096];
	const char *path;
	int rc;

	memset(st, 0, sizeof(*st));
	if (s->env == NULL)
		return E(STORE);
	if (s->readonly || s->scratch)
		return consort_diag_set(d, E(READONLY), NULL, NULL, NULL);
	if (mdb_env_get_path(menv(s), &path) != 0 ||
	    (size_t)snprintf(dir, sizeof(dir), "%s", path) >= sizeof(dir))
		return E(INVAL);
	if (!s->locked)
		return consort_diag_set(d, E(IO), dir, _("the store's compaction "
		    "lock (compact.lock) cannot be taken"),
		    _("check the owner and mode of the node's store folder"));
	if (compact_lock_set(s->lockfd, F_WRLCK, false) != 0) {
		if (errno != EAGAIN && errno != EACCES)
			return consort_diag_set(d, E(IO), dir, _("the store's "
			    "compaction lock (compact.lock) cannot be taken"),
			    NULL);
		if ((rc = compact_mark_set(s, true)) != 0)
			return rc;
		return consort_diag_set(d, E(BUSY), dir, _("another consort "
		    "process has this node open (consort serve, a sync); the "
		    "compaction is pending"), _("it runs by itself at the end "
		    "of the next consort command on this node once that one is "
		    "alone; or stop the other process and run consort "
		    "compact"));
	}
	rc = compact_locked(s, dir, st, d);
	/* back to shared, at once: never unlocked in between */
	(void)compact_lock_set(s->lockfd, F_RDLCK, false);
	return rc;
}
