/*
 * A node directory: its key, its network key, its LMDB store, and the local
 * write path that turns edits into signed change-sets.
 *
 *   DIR/key          secret key (0600, O_EXCL; optionally sealed)
 *   DIR/key.pub      public key, 32 bytes
 *   DIR/network.key  the consortium's network key (0600)
 *   DIR/store/       the LMDB environment (data.mdb, lock.mdb)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

static const uint8_t zero_hash[CONSORT_HASH_BYTES];

/* Joins the node directory and a file name into buf. */
int
node_path(char *buf, size_t len, const char *dir, const char *name)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len)
		return E(INVAL);
	return 0;
}

/* Records that the state tables have this release's layout. */
static int
put_layout(struct node *n, struct store_txn *txn)
{
	uint8_t v[8];

	util_put_be64(v, STATE_LAYOUT);
	return store_put(txn, &n->store, TB_META, "layout", 6, v, sizeof(v), 0);
}

/* Whether the state tables have this release's layout (index_ready). */
static bool
layout_current(struct node *n, struct store_txn *txn)
{
	return index_ready(txn, &n->store);
}

/* Whether the state is this release's and whole: no rebuild left unfinished. */
static int
state_current(struct node *n, struct store_txn *txn)
{
	int rc;

	if (!layout_current(n, txn))
		return 0;
	rc = log_rebuild_pending(txn, &n->store);
	return rc < 0 ? rc : !rc;
}

/* Records the layout in the last transaction of the rebuild. */
static int
rebuilt_layout(struct store_txn *txn, struct store *s, void *n)
{
	return put_layout(n, txn);
}

/*
 * Rebuilds the state of a store an older release wrote (STATE_LAYOUT), or
 * whose rebuild was killed half-way, from its log (log_rebuild_store), and
 * records the layout.  A store this process may not write is left as it
 * is: reading it needs no rebuild.
 */
static int
upgrade_layout(struct node *n, struct consort_diag *d)
{
	struct log_replay_stats st;
	struct store_txn *txn;
	int rc;

	if ((rc = store_begin(&n->store, false, &txn)) != 0)
		return rc;
	rc = state_current(n, txn);
	store_abort(txn);
	if (rc != 0)
		return rc < 0 ? rc : 0;
	rc = log_rebuild_store(&n->store, n->consortium, rebuilt_layout, n, &st,
	    d);
	return rc == E(READONLY) ? 0 : rc;
}

/* Reads the consortium id, the founder key and the clock from the meta table. */
static int
load_meta(struct node *n)
{
	struct store_txn *txn;
	struct store_val v;
	int rc;

	if ((rc = store_begin(&n->store, false, &txn)) != 0)
		return rc;
	rc = store_get(txn, &n->store, TB_META, "consortium", 10, &v);
	if (rc == 0 && v.len == CONSORT_HASH_BYTES)
		memcpy(n->consortium, v.data, CONSORT_HASH_BYTES);
	else if (rc == 0 || rc == E(NOENT))
		rc = E(NOTNODE);
	if (rc == 0 && (rc = store_get(txn, &n->store, TB_META, "founder", 7,
	    &v)) == 0 && v.len == CONSORT_KEY_BYTES) {
		memcpy(n->founder, v.data, CONSORT_KEY_BYTES);
		memcpy(n->store.founder, n->founder, CONSORT_KEY_BYTES);
		n->store.has_founder = true;
	}
	if (rc == 0 && store_get(txn, &n->store, TB_META, "hlc", 3, &v) == 0 &&
	    v.len == 8)
		n->hlc = util_get_be64(v.data);
	store_abort(txn);
	return rc;
}

/*
 * Allocates an empty node for dir.  The secret key gets guarded memory
 * (guard pages, locked, left out of core dumps), read-only once loaded.
 */
static struct node *
node_new(const char *dir)
{
	struct node *n = calloc(1, sizeof(*n));

	if (n == NULL || (n->dir = strdup(dir)) == NULL ||
	    (n->sk = keys_secret_alloc(64)) == NULL) {
		if (n != NULL)
			free(n->dir);
		free(n);
		return NULL;
	}
	return n;
}

/*
 * Opens the node's store; with the secret key loaded, derives the key of
 * personal values at rest for it again (store_open() starts it empty).
 */
static int
open_store(struct node *n, const char *path, bool create)
{
	int rc;

	personal_key_free(&n->store);
	if ((rc = store_open(&n->store, path, create)) != 0)
		return rc;
	return n->have_sk ? personal_key_init(&n->store, n->sk) : 0;
}

/* Marks the secret key as loaded; from then on it cannot be written. */
static int
have_key(struct node *n)
{
	n->have_sk = true;
	sodium_mprotect_readonly(n->sk);
	return personal_key_init(&n->store, n->sk);
}

/* Whether path names a directory. */
static bool
is_dir(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0 && S_ISDIR(st.st_mode);
}

/*
 * Loads the roster, so that whether a key is the lead's (it may have
 * replaced the founder's) is known from the start.
 */
static int
load_roster(struct node *n)
{
	struct store_txn *txn;
	int rc;

	if (!n->store.has_founder)
		return 0;
	if ((rc = store_begin(&n->store, false, &txn)) != 0)
		return rc;
	rc = perm_roster(txn, &n->store);
	store_abort(txn);
	return rc;
}

/* Opens an existing node directory (read-only key: see node_unlock). */
int
node_open(const char *dir, struct node **out, struct consort_diag *d)
{
	char path[4096];
	struct node *n;
	int rc;

	*out = NULL;
	if (!is_dir(dir))
		return consort_diag_set(d, E(NOTNODE), dir,
		    _("not a consort node "
		    "directory"), _("give the node with --dir DIR or "
		    "CONSORT_DIR, or create one with consort init"));
	if ((n = node_new(dir)) == NULL)
		return E(NOMEM);
	if ((rc = node_path(path, sizeof(path), dir, "key")) != 0 ||
	    (rc = keys_file_public(path, n->pk, &n->sealed)) != 0 ||
	    (rc = node_path(path, sizeof(path), dir, "store")) != 0 ||
	    (rc = open_store(n, path, false)) != 0 ||
	    (rc = load_meta(n)) != 0) {
		if (rc == E(NOENT))
			rc = E(NOTNODE);
		consort_diag_set(d, rc, dir, rc == E(NOTNODE) ?
		    _("not a consort node directory") : rc == E(PERM) ?
		    _("you may not read this node's store") :
		    consort_strerror(rc),
		    rc == E(PERM) ? _("run the command as the node's owner") :
		    _("give the node with --dir DIR or CONSORT_DIR, or create "
		    "one with consort init"));
		node_close(n);
		return rc;
	}
	if ((rc = node_finish_rotation(n)) != 0 || (rc = load_roster(n)) != 0) {
		consort_diag_set(d, rc, dir, _("a key rotation left half done "
		    "could not be finished"), _("check the folder's "
		    "permissions and free space, then run the command again"));
		node_close(n);
		return rc;
	}
	if ((rc = upgrade_layout(n, d)) != 0) {
		if (d != NULL && d->err == 0)
			consort_diag_set(d, rc, dir,
			    _("the store written by an "
			    "older release could not be rebuilt from its log"),
			    _("run consort verify, then consort rebuild"));
		node_close(n);
		return rc;
	}
	*out = n;
	return 0;
}

/* Opens a directory that holds only a key pair (consort keygen). */
int
node_open_keys(const char *dir, struct node **out, struct consort_diag *d)
{
	char path[4096];
	struct node *n;
	int rc;

	*out = NULL;
	if ((n = node_new(dir)) == NULL)
		return E(NOMEM);
	if ((rc = node_path(path, sizeof(path), dir, "key")) != 0 ||
	    (rc = keys_file_public(path, n->pk, &n->sealed)) != 0) {
		node_close(n);
		return consort_diag_set(d, rc == E(NOENT) ? E(NOTNODE) : rc, dir,
		    _("no key pair in this directory"),
		    _("create one with consort "
		    "keygen --dir DIR"));
	}
	*out = n;
	return 0;
}

/* Loads the secret key, opening it with the passphrase if it is sealed. */
int
node_unlock(struct node *n, const char *pass, size_t passlen,
    struct consort_diag *d)
{
	uint8_t pk[CONSORT_KEY_BYTES];
	char path[4096];
	bool sealed;
	int rc;

	if (n->have_sk)
		return 0;
	if ((rc = node_path(path, sizeof(path), n->dir, "key")) != 0)
		return rc;
	rc = keys_file_read(path, n->sk, pass, passlen, &sealed);
	if (rc == E(PASSPHRASE))
		return consort_diag_set(d, rc, path, pass == NULL ?
		    _("the secret key is sealed with a passphrase") :
		    _("the passphrase does not open the secret key"),
		    _("give the passphrase with --passphrase-file FILE"));
	if (rc != 0)
		return consort_diag_set(d, rc, path,
		    _("cannot read the secret key"),
		    _("check the file's owner and mode (0600)"));
	crypto_sign_ed25519_sk_to_pk(pk, n->sk);
	if (memcmp(pk, n->pk, CONSORT_KEY_BYTES) != 0) {
		sodium_memzero(n->sk, 64);
		return consort_diag_set(d, E(KEY), path,
		    _("the secret key does not "
		    "match key.pub"), _("restore the node's key files "
		    "together"));
	}
	return have_key(n);
}

/* Closes a node and wipes its secret key. */
void
node_close(struct node *n)
{
	if (n == NULL)
		return;
	store_close(&n->store);
	personal_key_free(&n->store);
	sodium_free(n->sk);  /* wipes it */
	free(n->dir);
	free(n);
}

/* The next hybrid logical clock value: (ms << 16 | counter), strictly rising. */
uint64_t
node_hlc_next(struct node *n)
{
	uint64_t now = util_now_ms() << 16;

	n->hlc = now > n->hlc ? now : n->hlc + 1;
	return n->hlc;
}

/* The entity id of (type, ref) in this consortium. */
void
node_entity_id(const struct node *n, unsigned type, const char *ref, size_t len,
    uint8_t out[CONSORT_EID_BYTES])
{
	keys_entity_id(out, n->founder, type, ref, len);
}

/* Begins a local write transaction. */
int
edit_begin(struct node *n, struct edit *e)
{
	struct store_val v;
	int rc;

	memset(e, 0, sizeof(*e));
	if (!n->have_sk)
		return E(KEY);
	e->n = n;
	if ((rc = store_begin(&n->store, true, &e->txn)) != 0)
		return rc;
	/* another process may have written since the node was opened */
	if ((rc = store_load_authors(e->txn, &n->store)) != 0 ||
	    (rc = perm_roster(e->txn, &n->store)) != 0) {
		store_abort(e->txn);
		return rc;
	}
	if (store_get(e->txn, &n->store, TB_META, "hlc", 3, &v) == 0 &&
	    v.len == 8 && util_get_be64(v.data) > n->hlc)
		n->hlc = util_get_be64(v.data);
	csb_init(&e->b);
	msgpack_sbuffer_init(&e->out);
	return 0;
}

/* Collects the heads of every other author: the deps of a new change-set. */
static int
collect_deps(struct edit *e, struct changeset *hdr, struct head *self)
{
	struct store *s = &e->n->store;
	struct head h;
	uint32_t i, k = 0;
	int rc;

	memset(self, 0, sizeof(*self));
	hdr->deps = calloc(s->nauthors + 1, sizeof(*hdr->deps));
	if (hdr->deps == NULL)
		return E(NOMEM);
	for (i = 0; i < s->nauthors; i++) {
		if ((rc = store_head(e->txn, s, s->authors[i], &h)) != 0)
			return rc;
		if (memcmp(s->authors[i], e->n->pk, CONSORT_KEY_BYTES) == 0) {
			*self = h;
			continue;
		}
		if (h.seq == 0)
			continue;
		memcpy(hdr->deps[k].author, s->authors[i], CONSORT_KEY_BYTES);
		hdr->deps[k].seq = h.seq;
		memcpy(hdr->deps[k].hash, h.id, CONSORT_HASH_BYTES);
		k++;
	}
	hdr->ndeps = k;
	return 0;
}

/* Orders deps by author key, as the format requires. */
static int
cmp_dep(const void *a, const void *b)
{
	return memcmp(((const struct cs_dep *)a)->author,
	    ((const struct cs_dep *)b)->author, CONSORT_KEY_BYTES);
}

/* Signs the ops gathered so far into one change-set, stores and applies it. */
int
edit_flush(struct edit *e)
{
	struct changeset hdr, cs;
	struct head self;
	uint8_t clock[8];
	int rc;

	if (e->b.nops == 0)
		return 0;
	memset(&hdr, 0, sizeof(hdr));
	if ((rc = collect_deps(e, &hdr, &self)) != 0)
		goto out;
	qsort(hdr.deps, hdr.ndeps, sizeof(*hdr.deps), cmp_dep);
	memcpy(hdr.consortium, e->n->consortium, CONSORT_HASH_BYTES);
	memcpy(hdr.author, e->n->pk, CONSORT_KEY_BYTES);
	hdr.seq = self.seq + 1;
	memcpy(hdr.prev, self.id, CONSORT_HASH_BYTES);
	hdr.hlc = node_hlc_next(e->n);
	if ((rc = csb_sign(&e->b, &hdr, e->n->sk, &e->out)) != 0)
		goto out;
	if (memcmp(e->n->consortium, zero_hash, CONSORT_HASH_BYTES) == 0) {
		/* the genesis: its id becomes the consortium id */
		if ((rc = cs_decode((uint8_t *)e->out.data, e->out.size, &cs,
		    NULL)) != 0)
			goto out;
		memcpy(e->n->consortium, cs.id, CONSORT_HASH_BYTES);
		cs_free(&cs);
	}
	if ((rc = log_apply_own(e->txn, &e->n->store, (uint8_t *)e->out.data,
	    e->out.size, e->n->consortium, &e->diag)) != 0)
		goto out;
	util_put_be64(clock, e->n->hlc);
	rc = store_put(e->txn, &e->n->store, TB_META, "hlc", 3, clock, 8, 0);
	csb_reset(&e->b);
	e->appended++;
out:
	free(hdr.deps);
	return rc;
}

/* Frees what an edit holds, after commit or abort. */
static void
edit_release(struct edit *e)
{
	csb_free(&e->b);
	msgpack_sbuffer_destroy(&e->out);
	record_free(&e->rec);
	record_free(&e->target);
	e->txn = NULL;
}

/* Flushes the last change-set and commits the transaction. */
int
edit_commit(struct edit *e)
{
	int rc;

	if ((rc = edit_flush(e)) != 0) {
		edit_abort(e);
		return rc;
	}
	if ((rc = store_commit(e->txn)) == 0)
		e->committed = e->appended;
	edit_release(e);
	return rc;
}

/* Abandons the transaction: nothing of it is stored. */
void
edit_abort(struct edit *e)
{
	if (e->txn != NULL)
		store_abort(e->txn);
	edit_release(e);
}

/* Commits what was flushed so far and continues in a new transaction. */
int
edit_renew(struct edit *e)
{
	int rc;

	if ((rc = store_commit(e->txn)) != 0) {
		e->txn = NULL;
		return rc;
	}
	e->committed = e->appended;
	return store_begin(&e->n->store, true, &e->txn);
}

/*
 * Adds the genesis ops: the consortium, its recovery key (named by the
 * founder's signature) and its awarded members.
 */
static void
genesis_ops(struct edit *e, const struct genesis *g,
    const uint8_t recovery[CONSORT_KEY_BYTES])
{
	char hex[2 * CONSORT_KEY_BYTES + 1], sighex[2 * 64 + 1];
	uint8_t sig[64];
	const struct genesis_member *m;
	uint8_t id[CONSORT_EID_BYTES];
	struct value v = { VAL_STR, false, 0, NULL, 0 };
	unsigned i;

#define STR(x) (v.kind = VAL_STR, v.s = (x), v.len = (uint32_t)strlen(x), &v)
	node_entity_id(e->n, T_consortium, "consortium", 10, id);
	csb_op(&e->b, OP_CREATE, T_consortium, id, 0, STR("consortium"));
	csb_op(&e->b, OP_SET, T_consortium, id, F_consortium_name,
	    STR(g->consortium));
	csb_op(&e->b, OP_SET, T_consortium, id, F_consortium_market,
	    STR(g->market));
	keychain_recovery_sign(sig, e->n->pk, recovery, e->n->sk);
	util_hex(hex, recovery, CONSORT_KEY_BYTES);
	util_hex(sighex, sig, sizeof(sig));
	csb_op(&e->b, OP_SET, T_consortium, id, F_consortium_recovery,
	    STR(hex));
	csb_op(&e->b, OP_SET, T_consortium, id,
	    F_consortium_recovery_signature, STR(sighex));
	util_hex(hex, e->n->pk, CONSORT_KEY_BYTES);
	for (i = 0; i <= g->nco; i++) {
		m = i == 0 ? &g->lead : &g->co[i - 1];
		node_entity_id(e->n, T_member, m->siret, strlen(m->siret), id);
		csb_op(&e->b, OP_CREATE, T_member, id, 0, STR(m->siret));
		csb_op(&e->b, OP_SET, T_member, id, F_member_name,
		    STR(m->name));
		csb_op(&e->b, OP_SET, T_member, id, F_member_siret,
		    STR(m->siret));
		csb_op(&e->b, OP_SET, T_member, id, F_member_role,
		    STR(i == 0 ? "lead" : "co"));
		if (i == 0)
			csb_op(&e->b, OP_SET, T_member, id, F_member_key,
			    STR(hex));
		v.kind = VAL_BOOL;
		v.b = true;
		csb_op(&e->b, OP_SET, T_member, id, F_member_awarded, &v);
	}
#undef STR
}

/* Checks the genesis values against the member and consortium schema. */
static int
check_genesis(const struct genesis *g, struct consort_diag *d)
{
	const struct schema_type *ct = schema_type(T_consortium);
	const struct schema_type *mt = schema_type(T_member);
	struct value v = { VAL_STR, false, 0, NULL, 0 };
	unsigned i, k;
	int rc;

#define CHECK(t, fid, x) (v.s = (x), v.len = (uint32_t)strlen(x), \
	schema_check_value(schema_field(t, fid), &v, d))
	if ((rc = CHECK(ct, F_consortium_name, g->consortium)) != 0 ||
	    (rc = CHECK(ct, F_consortium_market, g->market)) != 0)
		return rc;
	for (i = 0; i <= g->nco; i++) {
		const struct genesis_member *m = i == 0 ? &g->lead : &g->co[i - 1];

		if ((rc = CHECK(mt, F_member_name, m->name)) != 0 ||
		    (rc = CHECK(mt, F_member_siret, m->siret)) != 0)
			return consort_diag_set(d, rc, m->name, NULL, NULL);
		for (k = 0; k < i; k++)
			if (strcmp(m->siret, k == 0 ? g->lead.siret :
			    g->co[k - 1].siret) == 0)
				return consort_diag_set(d, E(EXIST), m->siret,
				    _("two members share one SIRET"),
				    _("give each member once"));
	}
#undef CHECK
	return 0;
}

/* Writes a new key pair: the secret key (O_EXCL, 0600) and key.pub. */
static int
create_keypair(struct node *n, const char *pass, size_t passlen,
    struct consort_diag *d)
{
	char path[4096];
	int rc;

	crypto_sign_keypair(n->pk, n->sk);
	if ((rc = have_key(n)) != 0)
		return rc;
	if ((rc = node_path(path, sizeof(path), n->dir, "key")) != 0 ||
	    (rc = keys_file_write(path, n->sk, pass, passlen)) != 0)
		return consort_diag_set(d, rc, path, rc == E(EXIST) ?
		    _("a key file already exists") :
		    _("cannot write the key file"),
		    rc == E(EXIST) ? _("this directory already has a key; "
		    "choose another --dir") : rc == E(NOSPC) ? NULL :
		    _("check the directory's permissions"));
	if ((rc = node_path(path, sizeof(path), n->dir, "key.pub")) != 0 ||
	    (rc = keys_public_write(path, n->pk, CONSORT_KEY_BYTES)) != 0)
		return consort_diag_set(d, rc, path,
		    _("cannot write the public key"),
		    NULL);
	return 0;
}

/*
 * Writes the consortium's network key into the node (0600, O_EXCL), sealed
 * like the secret key when that is sealed.
 */
static int
write_netkey(struct node *n, const uint8_t netkey[32], struct consort_diag *d)
{
	char path[4096], keypath[4096];
	int rc;

	if ((rc = node_path(path, sizeof(path), n->dir, "network.key")) != 0 ||
	    (rc = node_path(keypath, sizeof(keypath), n->dir, "key")) != 0)
		return rc;
	if ((rc = keys_netkey_write(path, netkey, keypath)) != 0)
		return consort_diag_set(d, rc, path, rc == E(PASSPHRASE) ?
		    _("the secret key is sealed, and the network key must be "
		    "sealed with the same passphrase") : _("cannot write the "
		    "network key"), rc == E(PASSPHRASE) ?
		    _("give the passphrase "
		    "with --passphrase-file FILE") : NULL);
	return 0;
}

/*
 * Reads the consortium's network key; a sealed one opens with the
 * passphrase that opened the secret key (or the passphrase file named to
 * keys_passphrase_source).
 */
int
node_netkey(const struct node *n, uint8_t netkey[32])
{
	char path[4096];
	int rc;

	if ((rc = node_path(path, sizeof(path), n->dir, "network.key")) != 0)
		return rc;
	return keys_netkey_read(path, netkey);
}

/* Writes the key pair and a fresh network key of a new consortium's node. */
static int
create_keys(struct node *n, const char *pass, size_t passlen,
    struct consort_diag *d)
{
	uint8_t netkey[32];
	int rc;

	if ((rc = create_keypair(n, pass, passlen, d)) != 0)
		return rc;
	randombytes_buf(netkey, sizeof(netkey));
	rc = write_netkey(n, netkey, d);
	sodium_memzero(netkey, sizeof(netkey));
	return rc;
}

/*
 * Creates one folder of a node's path unless it is there; says which one
 * could not be made, and why.
 */
static int
make_dir(const char *path, mode_t mode, struct consort_diag *d)
{
	int e;

	if (mkdir(path, mode) == 0 || (errno == EEXIST && is_dir(path)))
		return 0;
	e = errno;
	return consort_diag_set(d, util_errno(e == EEXIST ? ENOTDIR : e), path,
	    e == EEXIST ? _("cannot create the folder: a file of that name is "
	    "in the way") : e == ENOTDIR ? _("cannot create the folder: a part "
	    "of its path is a file, not a folder") : strerror(e), e == EACCES ||
	    e == EPERM || e == EROFS ? _("choose a --dir where you may create "
	    "folders") : _("choose another --dir"));
}

/*
 * Creates dir, and the folders above it that are missing, as git init and
 * mkdir -p do (those with the usual mode, the node's own 0700: it holds
 * the key); refuses a folder that already holds a store.
 */
static int
fresh_dir(const char *dir, struct consort_diag *d)
{
	char path[4096], *p;
	size_t len = strlen(dir);
	int rc;

	if (len == 0 || len >= sizeof(path))
		return consort_diag_set(d, E(INVAL), dir,
		    _("not a folder name"),
		    _("give the node's folder with --dir DIR"));
	memcpy(path, dir, len + 1);
	while (len > 1 && path[len - 1] == '/')
		path[--len] = '\0';
	for (p = path + 1; (p = strchr(p, '/')) != NULL; p++) {
		if (p[-1] == '/')
			continue;
		*p = '\0';
		rc = make_dir(path, 0777, d);
		*p = '/';
		if (rc != 0)
			return rc;
	}
	if ((rc = make_dir(path, 0700, d)) != 0)
		return rc;
	if ((rc = node_path(path, sizeof(path), dir, "store")) != 0)
		return rc;
	if (access(path, F_OK) == 0)
		return consort_diag_set(d, E(EXIST), dir,
		    _("already a consort node"),
		    _("choose another --dir, or remove the old node first"));
	return 0;
}

/* Creates a key pair in a new directory, for a member to be invited. */
int
node_keygen(const char *dir, const char *pass, size_t passlen,
    uint8_t pk[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	struct node *n;
	int rc;

	if ((rc = fresh_dir(dir, d)) != 0)
		return rc;
	if ((n = node_new(dir)) == NULL)
		return E(NOMEM);
	if ((rc = create_keypair(n, pass, passlen, d)) == 0)
		memcpy(pk, n->pk, CONSORT_KEY_BYTES);
	node_close(n);
	return rc;
}

/* Records the consortium id and founder key in the meta table. */
static int
put_identity(struct node *n, struct store_txn *txn)
{
	int rc;

	if ((rc = store_put(txn, &n->store, TB_META, "consortium", 10,
	    n->consortium, CONSORT_HASH_BYTES, 0)) != 0 ||
	    (rc = put_layout(n, txn)) != 0)
		return rc;
	return store_put(txn, &n->store, TB_META, "founder", 7, n->founder,
	    CONSORT_KEY_BYTES, 0);
}

/*
 * Turns a directory made by node_keygen into a member's node: the store,
 * the consortium's identity and network key, and its genesis.  The rest of
 * the log arrives with the first sync.
 */
int
node_join(const char *dir, const struct invite *inv, struct node **out,
    struct consort_diag *d)
{
	const uint8_t *consortium = inv->consortium, *founder = inv->founder;
	char path[4096];
	struct node *n;
	struct store_txn *txn;
	int rc;

	*out = NULL;
	if ((rc = fresh_dir(dir, d)) != 0)
		return rc;
	if ((n = node_new(dir)) == NULL)
		return E(NOMEM);
	memcpy(n->consortium, consortium, CONSORT_HASH_BYTES);
	memcpy(n->founder, founder, CONSORT_KEY_BYTES);
	if ((rc = node_path(path, sizeof(path), dir, "key")) != 0 ||
	    (rc = keys_file_public(path, n->pk, &n->sealed)) != 0) {
		node_close(n);
		return consort_diag_set(d, rc == E(NOENT) ? E(NOTNODE) : rc, dir,
		    _("no key pair in this directory"),
		    _("create one with consort "
		    "keygen and send its public key to the lead"));
	}
	if ((rc = write_netkey(n, inv->netkey, d)) != 0 ||
	    (rc = node_path(path, sizeof(path), dir, "store")) != 0 ||
	    (rc = open_store(n, path, true)) != 0) {
		node_close(n);
		return consort_diag_set(d, rc, dir, NULL, NULL);
	}
	memcpy(n->store.founder, founder, CONSORT_KEY_BYTES);
	n->store.has_founder = true;
	if ((rc = store_begin(&n->store, true, &txn)) != 0) {
		node_close(n);
		return rc;
	}
	if ((rc = put_identity(n, txn)) != 0 ||
	    (rc = store_put(txn, &n->store, TB_META, "trusted", 7, inv->nkeys ?
	    inv->keys : (const uint8_t *)"", (size_t)inv->nkeys *
	    CONSORT_KEY_BYTES, 0)) != 0 ||
	    (rc = log_apply(txn, &n->store, inv->genesis, inv->genesis_len,
	    consortium, d)) != 0) {
		store_abort(txn);
		node_close(n);
		return rc;
	}
	if ((rc = store_commit(txn)) != 0) {
		node_close(n);
		return rc;
	}
	*out = n;
	return 0;
}

/* Writes the genesis change-set and the meta entries of a new node. */
static int
write_genesis(struct node *n, const struct genesis *g,
    const uint8_t recovery[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	struct edit e;
	int rc;

	memcpy(n->founder, n->pk, CONSORT_KEY_BYTES);
	memcpy(n->store.founder, n->pk, CONSORT_KEY_BYTES);
	n->store.has_founder = true;
	if ((rc = edit_begin(n, &e)) != 0)
		return rc;
	genesis_ops(&e, g, recovery);
	if ((rc = edit_flush(&e)) != 0 || (rc = put_identity(n, e.txn)) != 0) {
		edit_abort(&e);
		return consort_diag_set(d, rc, "genesis", consort_strerror(rc), NULL);
	}
	return edit_commit(&e);
}

/*
 * Creates a node directory: keys, store and the consortium's genesis,
 * which names a new recovery key; its seed goes to the caller alone.
 */
int
node_init_recovery(const char *dir, const struct genesis *g,
    const char *pass, size_t passlen,
    uint8_t recovery_seed[RECOVERY_SEED_BYTES], struct node **out,
    struct consort_diag *d)
{
	uint8_t seed[RECOVERY_SEED_BYTES], rpk[CONSORT_KEY_BYTES];
	char path[4096];
	struct node *n;
	int rc;

	*out = NULL;
	if ((rc = check_genesis(g, d)) != 0 || (rc = fresh_dir(dir, d)) != 0)
		return rc;
	if ((n = node_new(dir)) == NULL)
		return E(NOMEM);
	randombytes_buf(seed, sizeof(seed));
	if ((rc = node_path(path, sizeof(path), dir, "store")) != 0 ||
	    (rc = create_keys(n, pass, passlen, d)) != 0 ||
	    (rc = recovery_keypair(seed, rpk, NULL)) != 0 ||
	    (rc = open_store(n, path, true)) != 0 ||
	    (rc = write_genesis(n, g, rpk, d)) != 0) {
		sodium_memzero(seed, sizeof(seed));
		node_close(n);
		return consort_diag_set(d, rc, NULL, NULL, NULL);
	}
	if (recovery_seed != NULL)
		memcpy(recovery_seed, seed, sizeof(seed));
	sodium_memzero(seed, sizeof(seed));
	*out = n;
	return 0;
}

/*
 * Adds key to the keys this node trusts before the roster names them (as
 * those its invite listed): the lead's new machine it handed the
 * consortium over to, in the caller's write transaction.
 */
int
node_trust_key(struct node *n, struct store_txn *txn,
    const uint8_t key[CONSORT_KEY_BYTES])
{
	uint8_t *buf;
	struct store_val v;
	size_t len = 0;
	int rc;

	if (store_get(txn, &n->store, TB_META, "trusted", 7, &v) == 0)
		len = v.len - v.len % CONSORT_KEY_BYTES;
	if (len / CONSORT_KEY_BYTES >= STORE_MAX_MEMBERS)
		return E(TOOBIG);
	if ((buf = malloc(len + CONSORT_KEY_BYTES)) == NULL)
		return E(NOMEM);
	if (len > 0)
		memcpy(buf, v.data, len);
	memcpy(buf + len, key, CONSORT_KEY_BYTES);
	rc = store_put(txn, &n->store, TB_META, "trusted", 7, buf,
	    len + CONSORT_KEY_BYTES, 0);
	free(buf);
	return rc;
}

/* Creates a node directory, its recovery key's seed thrown away. */
int
node_init(const char *dir, const struct genesis *g, const char *pass,
    size_t passlen, struct node **out, struct consort_diag *d)
{
	return node_init_recovery(dir, g, pass, passlen, NULL, out, d);
}

/* Whether a key listed in the invite this node joined with is key. */
static bool
invited_with(struct node *n, struct store_txn *txn, const uint8_t *key)
{
	struct store_val v;
	size_t i;

	if (store_get(txn, &n->store, TB_META, "trusted", 7, &v) != 0)
		return false;
	for (i = 0; i + CONSORT_KEY_BYTES <= v.len; i += CONSORT_KEY_BYTES)
		if (memcmp((const uint8_t *)v.data + i, key,
		    CONSORT_KEY_BYTES) == 0)
			return true;
	return false;
}

/*
 * Whether a peer's key may sync with this node: the lead, a member not
 * revoked, or (before the first sync has brought the roster) a member key
 * the invite listed.
 */
bool
node_trusts(struct node *n, const uint8_t key[CONSORT_KEY_BYTES])
{
	struct store *s = &n->store;
	const struct member *m;
	struct store_txn *txn;
	bool ok = false;

	if (store_begin(s, false, &txn) != 0)
		return false;
	if (perm_roster(txn, s) == 0) {
		m = perm_member_by_key(s, key);
		if (m != NULL)
			ok = !m->revoked && perm_key_current(s, key);
		else
			ok = perm_is_lead(s, key) || invited_with(n, txn, key);
	}
	store_abort(txn);
	return ok;
}
