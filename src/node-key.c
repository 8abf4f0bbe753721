/*
 * Replacing a node's key pair (DESIGN.md §2, "Keys over time"): a
 * rotation signed by the key it replaces, and the lead's recovery signed
 * by the consortium's recovery key.  The new key's files are written
 * beside the old ones (`key.new`, `network.key.new`, then `key.new.pub`
 * last), the key record and the personal values sealed again for the new
 * key are committed in one transaction, and only then do the new files
 * take the old ones' names.  A process killed between the two is finished
 * by the next node_open(): the store decides whether the new key counts.
 */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

static const char *const new_files[] = {
	"key.new", "network.key.new", "key.old.new", "key.new.pub",
};
static const char *const final_files[] = {
	"key", "network.key", "key.old", "key.pub",
};

/* Makes the renames in the node's folder durable. */
static int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY), rc = 0;

	if (fd < 0)
		return E(IO);
	if (fsync(fd) != 0)
		rc = E(IO);
	close(fd);
	return rc;
}

/* Removes the new files a rotation left behind. */
static void
drop_new_files(const struct node *n)
{
	char path[4096];
	size_t i;

	for (i = 0; i < nitems(new_files); i++)
		if (node_path(path, sizeof(path), n->dir, new_files[i]) == 0)
			unlink(path);
}

/* Gives the new files the old ones' names, the public key last. */
static int
install_new_files(const struct node *n)
{
	char from[4096], to[4096];
	size_t i;
	int rc;

	for (i = 0; i < nitems(new_files); i++) {
		if ((rc = node_path(from, sizeof(from), n->dir, new_files[i])) != 0 ||
		    (rc = node_path(to, sizeof(to), n->dir, final_files[i])) != 0)
			return rc;
		if (access(from, F_OK) != 0)
			continue;  /* a plain network key stays as it is */
		if (rename(from, to) != 0)
			return E(IO);
	}
	return fsync_dir(n->dir);
}

/*
 * Writes the new key's files beside the old: the secret key (sealed with
 * the passphrase when there is one), the network key sealed again with
 * it (a plain one is left as it is), the old key (key.old: only ever used
 * to shake hands with a peer that lacks the rotation), then the public
 * key.
 */
static int
write_new_files(const struct node *n, const uint8_t *sk, const uint8_t *pk,
    const char *pass, size_t passlen)
{
	char path[4096], keypath[4096];
	uint8_t netkey[32];
	int rc;

	drop_new_files(n);
	/* read before the new key file is sealed: that forgets the old salt */
	if (pass != NULL && (rc = node_netkey(n, netkey)) != 0)
		return rc;
	if ((rc = node_path(keypath, sizeof(keypath), n->dir, "key.new")) == 0 &&
	    (rc = keys_file_write(keypath, sk, pass, passlen)) == 0 &&
	    pass != NULL &&
	    (rc = node_path(path, sizeof(path), n->dir, "network.key.new")) == 0)
		rc = keys_netkey_write(path, netkey, keypath);
	sodium_memzero(netkey, sizeof(netkey));
	if (rc != 0)
		return rc;
	/* the old key's seed, sealed as the network key is, for handshakes */
	if ((rc = node_path(path, sizeof(path), n->dir, "key.old.new")) != 0 ||
	    (rc = keys_netkey_write(path, n->sk, keypath)) != 0)
		return rc;
	if ((rc = node_path(path, sizeof(path), n->dir, "key.new.pub")) != 0)
		return rc;
	return keys_public_write(path, pk, CONSORT_KEY_BYTES);
}

/* Adds a string op to the change-set being built. */
static void
put_str(struct edit *e, const uint8_t *id, unsigned field, const char *s,
    size_t len)
{
	struct value v = { VAL_STR, false, 0, s, (uint32_t)len };

	csb_op(&e->b, field == 0 ? OP_CREATE : OP_SET, T_key, id, field, &v);
}

/* Adds the ops of a key record: the whole link, with last. */
static void
put_link(struct edit *e, const struct key_link *l, uint64_t last)
{
	char to[2 * CONSORT_KEY_BYTES + 1], from[2 * CONSORT_KEY_BYTES + 1];
	char sig[129], proof[129];
	const char *role = keychain_role_name(l->role);
	const char *by = keychain_by_name(l->by);
	uint8_t id[CONSORT_EID_BYTES];
	struct value v = { VAL_INT, false, (int64_t)last, NULL, 0 };

	util_hex(to, l->to, CONSORT_KEY_BYTES);
	util_hex(from, l->from, CONSORT_KEY_BYTES);
	util_hex(sig, l->sig, 64);
	util_hex(proof, l->proof, 64);
	node_entity_id(e->n, T_key, to, 64, id);
	put_str(e, id, 0, to, 64);
	put_str(e, id, F_key_from, from, 64);
	put_str(e, id, F_key_role, role, strlen(role));
	put_str(e, id, F_key_by, by, strlen(by));
	csb_op(&e->b, OP_SET, T_key, id, F_key_last, &v);
	put_str(e, id, F_key_date, l->date, 10);
	put_str(e, id, F_key_signature, sig, 128);
	put_str(e, id, F_key_proof, proof, 128);
}

/* Today's date, YYYY-MM-DD, in UTC. */
static void
today(char out[11])
{
	time_t now = time(NULL);

	strftime(out, 11, "%Y-%m-%d", gmtime(&now));
}

/* Takes the new key as the node's own, in memory. */
static int
adopt_key(struct node *n, const uint8_t *sk, const uint8_t *pk)
{
	sodium_mprotect_readwrite(n->sk);
	memcpy(n->sk, sk, 64);
	sodium_mprotect_readonly(n->sk);
	memcpy(n->pk, pk, CONSORT_KEY_BYTES);
	personal_key_free(&n->store);
	return personal_key_init(&n->store, n->sk);
}

/*
 * Signs and applies the key record of l in one change-set of its author:
 * the replaced key itself, or the recovery key (author_pk, author_sk).
 * The replaced key's last change-set that counts is this one when the
 * author replaces itself, else the last of it this node holds.  With
 * new_sk, the personal values are sealed again for that key.  Commits.
 */
static int
commit_link(struct node *n, const struct key_link *l, const uint8_t *author_pk,
    uint8_t *author_sk, const uint8_t *new_sk, struct consort_diag *d)
{
	uint8_t *keep_sk = n->sk, keep_pk[CONSORT_KEY_BYTES];
	bool self = memcmp(author_pk, l->from, CONSORT_KEY_BYTES) == 0;
	struct edit e;
	struct head h;
	int rc;

	if ((rc = edit_begin(n, &e)) != 0)
		return rc;
	rc = store_head(e.txn, &n->store, l->from, &h);
	if (rc == E(NOENT)) {
		h.seq = 0;
		rc = 0;
	}
	memcpy(keep_pk, n->pk, CONSORT_KEY_BYTES);
	if (rc == 0) {
		put_link(&e, l, self ? h.seq + 1 : h.seq);
		/* the change-set is the author's: signed with that key */
		n->sk = author_sk;
		memcpy(n->pk, author_pk, CONSORT_KEY_BYTES);
		rc = edit_flush(&e);
		n->sk = keep_sk;
		memcpy(n->pk, keep_pk, CONSORT_KEY_BYTES);
	}
	if (rc == 0 && new_sk != NULL)
		rc = personal_rekey(e.txn, &n->store, new_sk);
	if (rc != 0) {
		if (e.diag.err != 0 && d != NULL)
			*d = e.diag;
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* The lead's member entry in the roster, or NULL. */
static const struct member *
lead_member(const struct store *s)
{
	uint32_t i;

	for (i = 0; i < s->nroster; i++)
		if (s->roster[i].role == ROLE_LEAD)
			return &s->roster[i];
	return NULL;
}

/*
 * Checks that rpk is the consortium's recovery key in force and, when it
 * binds this node's key, that the key is no member's yet; gives the
 * lead's current key.
 */
static int
recovery_check(struct node *n, const uint8_t rpk[CONSORT_KEY_BYTES],
    bool binding, uint8_t current[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	uint8_t r[CONSORT_KEY_BYTES];
	const struct member *lead;
	struct store_txn *txn;
	bool has_r;
	int rc;

	if ((rc = store_begin(&n->store, false, &txn)) != 0)
		return rc;
	if ((rc = perm_roster(txn, &n->store)) != 0) {
		store_abort(txn);
		return rc;
	}
	store_abort(txn);
	has_r = perm_recovery_key(&n->store, r);
	lead = lead_member(&n->store);
	if (!has_r)
		return consort_diag_set(d, E(KEY), n->dir, _("this consortium "
		    "has no recovery key, or this node does not hold its "
		    "genesis yet"), _("join the consortium's data from a "
		    "member first (consort key handover, join, sync)"));
	if (memcmp(r, rpk, CONSORT_KEY_BYTES) != 0)
		return consort_diag_set(d, E(KEY), _("the recovery secret"),
		    _("it is not the consortium's recovery key in force"),
		    _("use the secret consort init showed, or the one of the "
		    "last recovery key rotation; sync first if one was made "
		    "elsewhere"));
	if (binding && perm_member_by_key(&n->store, n->pk) != NULL)
		return consort_diag_set(d, E(EXIST), n->dir, _("this node's key "
		    "is already a member's"), _("run consort key recover on the "
		    "lead's new machine, made with consort keygen"));
	if (lead == NULL || !lead->has_key)
		return consort_diag_set(d, E(NOENT), n->dir, _("the roster has "
		    "no lead"), _("sync with a member first"));
	memcpy(current, lead->key, CONSORT_KEY_BYTES);
	return 0;
}

/*
 * Replaces the node's key pair by a new one (consort key rotate): the
 * key record signed by the old key and proved by the new, the personal
 * values sealed again, the new key's files in place of the old.
 */
int
node_rotate(struct node *n, const char *pass, size_t passlen,
    uint8_t new_pk[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	struct key_link l;
	uint8_t *sk;
	int rc;

	if (!n->have_sk)
		return E(KEY);
	if ((sk = keys_secret_alloc(64)) == NULL)
		return E(NOMEM);
	memset(&l, 0, sizeof(l));
	crypto_sign_keypair(l.to, sk);
	memcpy(l.from, n->pk, CONSORT_KEY_BYTES);
	l.role = KEY_ROLE_MEMBER;
	l.by = KEY_BY_KEY;
	today(l.date);
	if ((rc = keychain_link_sign(n->consortium, &l, n->sk, sk)) == 0 &&
	    (rc = write_new_files(n, sk, l.to, pass, passlen)) != 0)
		consort_diag_set(d, rc, n->dir, _("cannot write the new key's "
		    "files"), _("check the folder's permissions and free space; "
		    "nothing was changed"));
	if (rc == 0)
		rc = commit_link(n, &l, n->pk, n->sk, sk, d);
	if (rc != 0)
		drop_new_files(n);
	else if ((rc = install_new_files(n)) == 0)
		rc = adopt_key(n, sk, l.to);
	if (rc == 0)
		memcpy(new_pk, l.to, CONSORT_KEY_BYTES);
	sodium_free(sk);
	return rc;
}

/*
 * Binds this node's key as the lead's, in place of the lead's current key
 * (consort key recover): the key record signed by the consortium's
 * recovery key, whose secret seed the lead kept offline.  The replaced
 * key's change-sets after the last this node holds count nowhere.
 */
int
node_recover(struct node *n, const uint8_t seed[32],
    uint8_t replaced[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	uint8_t rpk[CONSORT_KEY_BYTES], current[CONSORT_KEY_BYTES], *rsk;
	struct key_link l;
	int rc;

	if (!n->have_sk)
		return E(KEY);
	if ((rsk = keys_secret_alloc(64)) == NULL)
		return E(NOMEM);
	crypto_sign_seed_keypair(rpk, rsk, seed);
	if ((rc = recovery_check(n, rpk, true, current, d)) == 0) {
		memset(&l, 0, sizeof(l));
		memcpy(l.from, current, CONSORT_KEY_BYTES);
		memcpy(l.to, n->pk, CONSORT_KEY_BYTES);
		l.role = KEY_ROLE_MEMBER;
		l.by = KEY_BY_RECOVERY;
		today(l.date);
		if ((rc = keychain_link_sign(n->consortium, &l, rsk, n->sk)) == 0)
			rc = commit_link(n, &l, rpk, rsk, NULL, d);
	}
	if (rc == 0)
		memcpy(replaced, current, CONSORT_KEY_BYTES);
	sodium_free(rsk);
	return rc;
}

/*
 * Replaces the consortium's recovery key by the one of new_seed, signed
 * by the current one (seed): the lead does it when the recovery secret
 * was used or may have been seen.
 */
int
node_rotate_recovery(struct node *n, const uint8_t seed[32],
    const uint8_t new_seed[32], struct consort_diag *d)
{
	uint8_t rpk[CONSORT_KEY_BYTES], current[CONSORT_KEY_BYTES], *rsk, *nsk;
	struct key_link l;
	int rc;

	if ((rsk = keys_secret_alloc(64)) == NULL)
		return E(NOMEM);
	if ((nsk = keys_secret_alloc(64)) == NULL) {
		sodium_free(rsk);
		return E(NOMEM);
	}
	crypto_sign_seed_keypair(rpk, rsk, seed);
	memset(&l, 0, sizeof(l));
	crypto_sign_seed_keypair(l.to, nsk, new_seed);
	if ((rc = recovery_check(n, rpk, false, current, d)) == 0) {
		memcpy(l.from, rpk, CONSORT_KEY_BYTES);
		l.role = KEY_ROLE_RECOVERY;
		l.by = KEY_BY_RECOVERY;
		today(l.date);
		if ((rc = keychain_link_sign(n->consortium, &l, rsk, nsk)) == 0)
			rc = commit_link(n, &l, rpk, rsk, NULL, d);
	}
	sodium_free(nsk);
	sodium_free(rsk);
	return rc;
}

/* Reads the 32 bytes of a public key file; false if it is not one. */
static bool
read_pub(const char *path, uint8_t pk[CONSORT_KEY_BYTES])
{
	uint8_t buf[CONSORT_KEY_BYTES + 1];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);

	if (fd < 0)
		return false;
	r = read(fd, buf, sizeof(buf));
	close(fd);
	if (r != CONSORT_KEY_BYTES)
		return false;
	memcpy(pk, buf, CONSORT_KEY_BYTES);
	return true;
}

/* Whether the store holds the key record that replaces from by to. */
static int
holds_link(struct node *n, const uint8_t *from, const uint8_t *to, bool *yes)
{
	char hex[2 * CONSORT_KEY_BYTES + 1];
	uint8_t was[CONSORT_KEY_BYTES];
	const struct value *v;
	struct store_txn *txn;
	struct record r;
	int rc;

	*yes = false;
	util_hex(hex, to, CONSORT_KEY_BYTES);
	if ((rc = store_begin(&n->store, false, &txn)) != 0)
		return rc;
	record_init(&r);
	if (state_lookup(txn, &n->store, n->founder, T_key, hex, 64, &r) == 0 &&
	    r.found && (v = state_field(&n->store, &r, F_key_from)) != NULL &&
	    v->len == 64 && util_unhex_n(was, CONSORT_KEY_BYTES, v->s, 64) == 0)
		*yes = memcmp(was, from, CONSORT_KEY_BYTES) == 0;
	record_free(&r);
	store_abort(txn);
	return 0;
}

/*
 * Finishes or undoes a key rotation a killed process left half done:
 * key.new.pub, written last and renamed last, names the new key; the new
 * files take the old names when the store holds the key record that
 * replaces this node's key (the one key.pub still names) by it, even if
 * some were renamed already, and are removed when it does not.
 */
int
node_finish_rotation(struct node *n)
{
	char path[4096];
	uint8_t pk[CONSORT_KEY_BYTES];
	bool done, sealed;
	int rc;

	if ((rc = node_path(path, sizeof(path), n->dir, "key.new.pub")) != 0)
		return rc;
	if (!read_pub(path, pk)) {
		drop_new_files(n);  /* written no further than the secret */
		return 0;
	}
	if ((rc = holds_link(n, n->pk, pk, &done)) != 0)
		return rc;
	if (!done) {
		drop_new_files(n);
		return 0;
	}
	if ((rc = install_new_files(n)) != 0 ||
	    (rc = node_path(path, sizeof(path), n->dir, "key")) != 0 ||
	    (rc = keys_file_public(path, n->pk, &sealed)) != 0)
		return rc;
	n->sealed = sealed;
	return 0;
}

/* The key this node signs with while it shakes hands with its old one. */
static uint8_t *saved_sk;
static uint8_t saved_pk[CONSORT_KEY_BYTES];

/*
 * Takes the node's key before its last rotation (key.old) for the
 * handshake of a sync with a peer that does not have the rotation yet;
 * node_old_key_drop() gives the current one back.  E(NOENT) when the node
 * was never rotated.
 */
int
node_old_key_use(struct node *n)
{
	uint8_t seed[32], pk[CONSORT_KEY_BYTES];
	char path[4096];
	int rc;

	if (saved_sk != NULL || !n->have_sk)
		return E(INVAL);
	if ((rc = node_path(path, sizeof(path), n->dir, "key.old")) != 0 ||
	    access(path, F_OK) != 0)
		return E(NOENT);
	if ((saved_sk = keys_secret_alloc(64)) == NULL)
		return E(NOMEM);
	if ((rc = keys_netkey_read(path, seed)) != 0) {
		sodium_free(saved_sk);
		saved_sk = NULL;
		return rc;
	}
	memcpy(saved_sk, n->sk, 64);
	memcpy(saved_pk, n->pk, CONSORT_KEY_BYTES);
	sodium_mprotect_readwrite(n->sk);
	crypto_sign_seed_keypair(pk, n->sk, seed);
	sodium_mprotect_readonly(n->sk);
	memcpy(n->pk, pk, CONSORT_KEY_BYTES);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* Gives back the key node_old_key_use() set aside. */
void
node_old_key_drop(struct node *n)
{
	if (saved_sk == NULL)
		return;
	sodium_mprotect_readwrite(n->sk);
	memcpy(n->sk, saved_sk, 64);
	sodium_mprotect_readonly(n->sk);
	memcpy(n->pk, saved_pk, CONSORT_KEY_BYTES);
	sodium_free(saved_sk);
	saved_sk = NULL;
}

/*
 * The node's key pair before its last rotation (key.old), for a server's
 * handshake with a client that lacks the rotation.  E(NOENT) when the
 * node was never rotated.
 */
int
node_old_keypair(const struct node *n, uint8_t pk[CONSORT_KEY_BYTES],
    uint8_t *sk)
{
	uint8_t seed[32];
	char path[4096];
	int rc;

	if ((rc = node_path(path, sizeof(path), n->dir, "key.old")) != 0 ||
	    access(path, F_OK) != 0)
		return E(NOENT);
	if ((rc = keys_netkey_read(path, seed)) != 0)
		return rc;
	crypto_sign_seed_keypair(pk, sk, seed);
	sodium_memzero(seed, sizeof(seed));
	return 0;
}

/* The public key the node's key files hold now (key.pub). */
int
node_key_on_disk(const struct node *n, uint8_t pk[CONSORT_KEY_BYTES])
{
	char path[4096];
	bool sealed;
	int rc;

	if ((rc = node_path(path, sizeof(path), n->dir, "key")) != 0)
		return rc;
	return keys_file_public(path, pk, &sealed);
}
