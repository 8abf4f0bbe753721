/*
 * Identifiers and key files.  Primitives come from libsodium only: Ed25519
 * signatures, BLAKE2b hashes, Argon2id + XSalsa20-Poly1305 for sealed keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>
#ifdef __linux__
#include <sys/prctl.h>
#endif

#include <sodium.h>

#include "core.h"

/*
 * One sealed-file format for the node's secrets (schema/DESIGN.md §2):
 *
 *   magic(8) kind(1) payload                                  kind 0, plain
 *   magic(8) kind(1) salt(16) opslimit(8) memlimit(8)         kind 1, sealed
 *       nonce(24) secretbox(payload)
 *
 * The magic names the payload: "CSRTSK01" the 64-byte secret key,
 * "CSRTNK01" the 32-byte network key.  A plain network key is its 32 bytes
 * alone, as before sealing existed.  The sealing key is Argon2id of the
 * passphrase with the salt and costs of the file; a node's key and network
 * key share one salt, so that one derivation opens both.
 */
#define KEYFILE_MAGIC "CSRTSK01"
#define NETKEY_MAGIC "CSRTNK01"
#define MAGIC_LEN 8
#define KIND_PLAIN 0
#define KIND_SEALED 1
#define SEAL_HEAD (MAGIC_LEN + 1 + crypto_pwhash_SALTBYTES + 16 + \
	crypto_secretbox_NONCEBYTES)
#define SEALED_LEN(n) (SEAL_HEAD + crypto_secretbox_MACBYTES + (n))
#define PLAIN_LEN (MAGIC_LEN + 1 + 64)
#define SEALED_MAX SEALED_LEN(64)
#define NETKEY_BYTES 32

/* A sealing key, with the salt and costs it was derived for. */
struct derived {
	uint8_t salt[crypto_pwhash_SALTBYTES];
	uint64_t ops, mem;
	uint8_t key[crypto_secretbox_KEYBYTES];
};

/* A sealed file's fields, pointing into its bytes. */
struct sealed {
	const uint8_t *salt;
	uint64_t ops, mem;
	const uint8_t *nonce;
	const uint8_t *box;
	size_t boxlen;
};

/*
 * The sealing key this process last derived and proved (it opened or
 * sealed a file), in guarded memory left without access between uses; and
 * where the process's passphrase is, when the command line gave one.  One
 * process serves one node with one passphrase, so one key is enough.
 */
static struct derived *memo;
static const char *pass_source;

/* An entity id: keyed BLAKE2b-128 of (type, ref) under the founder's key. */
void
keys_entity_id(uint8_t out[CONSORT_EID_BYTES],
    const uint8_t founder[CONSORT_KEY_BYTES], unsigned type, const char *ref,
    size_t len)
{
	crypto_generichash_state st;
	uint8_t t = (uint8_t)type;

	crypto_generichash_init(&st, founder, CONSORT_KEY_BYTES, CONSORT_EID_BYTES);
	crypto_generichash_update(&st, &t, 1);
	crypto_generichash_update(&st, (const uint8_t *)ref, len);
	crypto_generichash_final(&st, out, CONSORT_EID_BYTES);
}

/* BLAKE2b-256 of a buffer. */
void
keys_hash(uint8_t out[CONSORT_HASH_BYTES], const void *p, size_t len)
{
	crypto_generichash(out, CONSORT_HASH_BYTES, p, len, NULL, 0);
}

/*
 * Keeps this process out of core dumps: not dumpable (which also refuses a
 * debugger's attach by the same user) and a core size limit of 0.  The
 * guarded allocations of the secrets are left out of any dump as well
 * (MADV_DONTDUMP), even where the system dumps regardless (DESIGN.md §2).
 */
int
keys_no_core_dumps(void)
{
	struct rlimit rl;

#ifdef __linux__
	if (prctl(PR_SET_DUMPABLE, 0, 0, 0, 0) != 0)
		return E(IO);
#endif
	if (getrlimit(RLIMIT_CORE, &rl) != 0)
		return E(IO);
	rl.rlim_cur = 0;
	return setrlimit(RLIMIT_CORE, &rl) == 0 ? 0 : E(IO);
}

/* Writes a whole new file, mode 0600, refusing to replace or follow a link. */
static int
write_new(const char *path, const void *p, size_t len)
{
	ssize_t w;
	int fd, err;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? E(EXIST) : errno == ENOSPC ||
		    errno == EDQUOT ? E(NOSPC) : E(IO);
	w = write(fd, p, len);
	if (w != (ssize_t)len || fsync(fd) != 0) {
		err = w < 0 || w == (ssize_t)len ? errno : ENOSPC;
		close(fd);
		unlink(path);
		return err == ENOSPC || err == EDQUOT ? E(NOSPC) : E(IO);
	}
	return close(fd) == 0 ? 0 : E(IO);
}

/* Reads a whole small file of at most max bytes, without following a link. */
static int
read_small(const char *path, uint8_t *buf, size_t max, size_t *len)
{
	ssize_t r;
	int fd;

	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? E(NOENT) : E(KEY);
	r = read(fd, buf, max + 1);
	close(fd);
	if (r < 0 || (size_t)r > max)
		return E(KEY);
	*len = (size_t)r;
	return 0;
}

/*
 * Guarded memory for a secret (guard pages, locked, left out of core
 * dumps), or NULL; initialises libsodium first, so that any caller of the
 * library, not only main, can hold secrets.
 */
void *
keys_secret_alloc(size_t len)
{
	if (sodium_init() < 0)
		return NULL;
	return sodium_malloc(len);
}

/* A sealing key in guarded memory, or NULL when memory is short. */
static struct derived *
derived_new(void)
{
	return keys_secret_alloc(sizeof(struct derived));
}

/* Derives a sealing key from a passphrase, for k's salt and costs. */
static int
derive(struct derived *k, const char *pass, size_t passlen)
{
	if (crypto_pwhash(k->key, sizeof(k->key), pass, passlen, k->salt,
	    k->ops, (size_t)k->mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return E(NOMEM);
	return 0;
}

/* Keeps k (proved by a file it opened or sealed) as the process's key. */
static void
memo_keep(struct derived *k)
{
	sodium_free(memo);
	memo = k;
	sodium_mprotect_noaccess(memo);
}

/* The kept key when it was derived for this salt and these costs, or NULL. */
static const struct derived *
memo_find(const uint8_t *salt, uint64_t ops, uint64_t mem)
{
	if (memo == NULL)
		return NULL;
	sodium_mprotect_readonly(memo);
	if (memo->ops == ops && memo->mem == mem &&
	    sodium_memcmp(memo->salt, salt, sizeof(memo->salt)) == 0)
		return memo;
	sodium_mprotect_noaccess(memo);
	return NULL;
}

/* Ends a use of the kept key. */
static void
memo_done(void)
{
	if (memo != NULL)
		sodium_mprotect_noaccess(memo);
}

/* Wipes the kept sealing key and forgets the passphrase file. */
void
keys_forget(void)
{
	sodium_free(memo);
	memo = NULL;
	pass_source = NULL;
}

/*
 * Names the passphrase file of this process (NULL: none), read only when a
 * sealed network key must be opened without the secret key (a bundle).
 * The path must stay valid while it is named.
 */
void
keys_passphrase_source(const char *path)
{
	pass_source = path;
}

/*
 * Reads a passphrase file into guarded memory: its first line, 1 to
 * KEYS_PASS_MAX bytes (a longer one is refused rather than cut).  A file
 * that other users may read is refused, as ssh refuses such a private key.
 * The caller frees *pass with sodium_free.
 */
int
keys_passphrase_read(const char *path, char **pass, size_t *passlen,
    struct consort_diag *d)
{
	char *buf, what[200], hint[300];
	struct stat st;
	size_t n = 0, len;
	ssize_t r;
	int fd, rc;

	*pass = NULL;
	*passlen = 0;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return consort_diag_set(d, E(IO), path, errno == ENOENT ?
		    _("no such passphrase file") : strerror(errno),
		    _("give a file whose first line (1 to 1023 bytes) is the "
		    "passphrase"));
	if (fstat(fd, &st) != 0) {
		close(fd);
		return consort_diag_set(d, E(IO), path, strerror(errno), NULL);
	}
	if ((S_ISREG(st.st_mode) || S_ISFIFO(st.st_mode)) &&
	    (st.st_mode & 077) != 0) {
		close(fd);
		snprintf(what, sizeof(what), _("mode %04o lets other users "
		    "read the passphrase file"),
		    (unsigned)(st.st_mode & 07777));
		snprintf(hint, sizeof(hint), _("run chmod 600 %.200s (no "
		    "access for group and others)"), path);
		return consort_diag_set(d, E(FILEMODE), path, what, hint);
	}
	if ((buf = keys_secret_alloc(KEYS_PASS_MAX + 2)) == NULL) {
		close(fd);
		return E(NOMEM);
	}
	/* read(2) straight into guarded memory: no stdio buffer keeps a copy */
	while (n < KEYS_PASS_MAX + 1 && (r = read(fd, buf + n,
	    KEYS_PASS_MAX + 1 - n)) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rc = consort_diag_set(d, E(IO), path, strerror(errno),
			    NULL);
			goto fail;
		}
		n += (size_t)r;
		if (memchr(buf + n - (size_t)r, '\n', (size_t)r) != NULL)
			break;
	}
	close(fd);
	fd = -1;
	for (len = 0; len < n && buf[len] != '\n' && buf[len] != '\r'; len++)
		;
	if (len > KEYS_PASS_MAX) {
		rc = consort_diag_set(d, E(TOOBIG), path, _("the passphrase is "
		    "longer than 1023 bytes"), _("give a shorter passphrase"));
		goto fail;
	}
	if (len == 0 || memchr(buf, '\0', len) != NULL) {
		rc = consort_diag_set(d, E(PASSPHRASE), path, len == 0 ?
		    _("the first line of the passphrase file is empty") :
		    _("the passphrase holds a NUL byte"), _("give a file whose "
		    "first line (1 to 1023 bytes) is the passphrase"));
		goto fail;
	}
	sodium_memzero(buf + len, KEYS_PASS_MAX + 2 - len);
	*pass = buf;
	*passlen = len;
	return 0;
fail:
	if (fd >= 0)
		close(fd);
	sodium_free(buf);
	return rc;
}

/* Parses a sealed file of a payload of plen bytes under magic. */
static int
sealed_parse(const uint8_t *buf, size_t len, const char *magic, size_t plen,
    struct sealed *s)
{
	const uint8_t *p = buf + MAGIC_LEN + 1;

	if (len != SEALED_LEN(plen) || memcmp(buf, magic, MAGIC_LEN) != 0 ||
	    buf[MAGIC_LEN] != KIND_SEALED)
		return E(KEY);
	s->salt = p;
	s->ops = util_get_be64(p + crypto_pwhash_SALTBYTES);
	s->mem = util_get_be64(p + crypto_pwhash_SALTBYTES + 8);
	s->nonce = p + crypto_pwhash_SALTBYTES + 16;
	s->box = s->nonce + crypto_secretbox_NONCEBYTES;
	s->boxlen = plen + crypto_secretbox_MACBYTES;
	/* costs read from the file are bounded: a file cannot make us hang */
	if (s->ops < crypto_pwhash_OPSLIMIT_MIN ||
	    s->ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
	    s->mem < crypto_pwhash_MEMLIMIT_MIN ||
	    s->mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
		return E(KEY);
	return 0;
}

/* Derives the key of a sealed file from a passphrase; *out is guarded. */
static int
derive_for(const struct sealed *s, const char *pass, size_t passlen,
    struct derived **out)
{
	struct derived *k;
	int rc;

	if ((*out = k = derived_new()) == NULL)
		return E(NOMEM);
	memcpy(k->salt, s->salt, sizeof(k->salt));
	k->ops = s->ops;
	k->mem = s->mem;
	if ((rc = derive(k, pass, passlen)) != 0) {
		sodium_free(k);
		*out = NULL;
	}
	return rc;
}

/* Opens a sealed file's payload with key k. */
static int
sealed_open(const struct sealed *s, const struct derived *k, uint8_t *out)
{
	return crypto_secretbox_open_easy(out, s->box, s->boxlen, s->nonce,
	    k->key) == 0 ? 0 : E(PASSPHRASE);
}

/* Writes payload as a new sealed file under magic, with key k. */
static int
sealed_write(const char *path, const char *magic, const uint8_t *payload,
    size_t plen, const struct derived *k)
{
	uint8_t buf[SEALED_MAX], *p = buf;
	int rc;

	memcpy(p, magic, MAGIC_LEN);
	p[MAGIC_LEN] = KIND_SEALED;
	p += MAGIC_LEN + 1;
	memcpy(p, k->salt, crypto_pwhash_SALTBYTES);
	util_put_be64(p + crypto_pwhash_SALTBYTES, k->ops);
	util_put_be64(p + crypto_pwhash_SALTBYTES + 8, k->mem);
	p += crypto_pwhash_SALTBYTES + 16;
	randombytes_buf(p, crypto_secretbox_NONCEBYTES);
	crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES, payload, plen, p,
	    k->key);
	rc = write_new(path, buf, SEALED_LEN(plen));
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/*
 * Writes a secret key file, sealed with the passphrase when one is given
 * (a fresh salt; the key derived is kept to seal the network key too).
 */
int
keys_file_write(const char *path, const uint8_t sk[64], const char *pass,
    size_t passlen)
{
	uint8_t buf[PLAIN_LEN];
	struct derived *k;
	int rc;

	if (pass == NULL) {
		memcpy(buf, KEYFILE_MAGIC, MAGIC_LEN);
		buf[MAGIC_LEN] = KIND_PLAIN;
		memcpy(buf + MAGIC_LEN + 1, sk, 64);
		rc = write_new(path, buf, PLAIN_LEN);
		sodium_memzero(buf, sizeof(buf));
		return rc;
	}
	if ((k = derived_new()) == NULL)
		return E(NOMEM);
	randombytes_buf(k->salt, sizeof(k->salt));
	k->ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	k->mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	if ((rc = derive(k, pass, passlen)) != 0 ||
	    (rc = sealed_write(path, KEYFILE_MAGIC, sk, 64, k)) != 0) {
		sodium_free(k);
		return rc;
	}
	memo_keep(k);
	return 0;
}

/* Reads a secret key file, opening it with the passphrase if it is sealed. */
int
keys_file_read(const char *path, uint8_t sk[64], const char *pass,
    size_t passlen, bool *sealed)
{
	uint8_t buf[SEALED_MAX];
	struct derived *k = NULL;
	struct sealed s;
	size_t len;
	int rc;

	if ((rc = read_small(path, buf, sizeof(buf), &len)) != 0)
		return rc;
	rc = E(KEY);
	if (len < MAGIC_LEN + 1 || memcmp(buf, KEYFILE_MAGIC, MAGIC_LEN) != 0)
		goto out;
	*sealed = buf[MAGIC_LEN] == KIND_SEALED;
	if (buf[MAGIC_LEN] == KIND_PLAIN && len == PLAIN_LEN) {
		memcpy(sk, buf + MAGIC_LEN + 1, 64);
		rc = 0;
	} else if (sealed_parse(buf, len, KEYFILE_MAGIC, 64, &s) == 0) {
		if (pass == NULL) {
			rc = E(PASSPHRASE);
			goto out;
		}
		if ((rc = derive_for(&s, pass, passlen, &k)) != 0)
			goto out;
		if ((rc = sealed_open(&s, k, sk)) == 0)
			memo_keep(k);
		else
			sodium_free(k);
	}
out:
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* Reads the public key beside a key file (PATH.pub) and whether it is sealed. */
int
keys_file_public(const char *path, uint8_t pk[CONSORT_KEY_BYTES],
    bool *sealed)
{
	char pubpath[4096];
	uint8_t head[MAGIC_LEN + 1];
	size_t len;
	ssize_t r;
	int fd, rc;

	if ((size_t)snprintf(pubpath, sizeof(pubpath), "%s.pub", path) >= sizeof(pubpath))
		return E(INVAL);
	if ((rc = read_small(pubpath, pk, CONSORT_KEY_BYTES, &len)) != 0)
		return rc;
	if (len != CONSORT_KEY_BYTES)
		return E(KEY);
	fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT ? E(NOENT) : E(KEY);
	r = read(fd, head, sizeof(head));
	close(fd);
	if (r != (ssize_t)sizeof(head) || memcmp(head, KEYFILE_MAGIC, MAGIC_LEN) != 0)
		return E(KEY);
	*sealed = head[MAGIC_LEN] == KIND_SEALED;
	return 0;
}

/*
 * Writes a network key file beside the key file keypath: sealed, with the
 * key file's salt and the key derived when it was opened or written, if the
 * key file is sealed; its 32 bytes alone otherwise.
 */
int
keys_netkey_write(const char *path, const uint8_t netkey[32],
    const char *keypath)
{
	uint8_t buf[SEALED_MAX];
	const struct derived *k;
	struct sealed s;
	size_t len;
	int rc;

	if ((rc = read_small(keypath, buf, sizeof(buf), &len)) != 0)
		return rc;
	if (len == PLAIN_LEN && memcmp(buf, KEYFILE_MAGIC, MAGIC_LEN) == 0 &&
	    buf[MAGIC_LEN] == KIND_PLAIN)
		rc = write_new(path, netkey, NETKEY_BYTES);
	else if (sealed_parse(buf, len, KEYFILE_MAGIC, 64, &s) != 0)
		rc = E(KEY);
	else if ((k = memo_find(s.salt, s.ops, s.mem)) == NULL)
		rc = E(PASSPHRASE);
	else {
		rc = sealed_write(path, NETKEY_MAGIC, netkey, NETKEY_BYTES, k);
		memo_done();
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/*
 * Reads a network key file, plain or sealed.  A sealed one opens with the
 * key kept from opening the secret key, or else with the passphrase file
 * of keys_passphrase_source; E(PASSPHRASE) without either.
 */
int
keys_netkey_read(const char *path, uint8_t netkey[32])
{
	uint8_t buf[SEALED_MAX];
	const struct derived *kept;
	struct derived *k = NULL;
	struct sealed s;
	size_t len, passlen;
	char *pass;
	int rc;

	if ((rc = read_small(path, buf, sizeof(buf), &len)) != 0)
		return rc;
	if (len == NETKEY_BYTES) {
		memcpy(netkey, buf, NETKEY_BYTES);
		rc = 0;
	} else if ((rc = sealed_parse(buf, len, NETKEY_MAGIC, NETKEY_BYTES,
	    &s)) != 0)
		;
	else if ((kept = memo_find(s.salt, s.ops, s.mem)) != NULL) {
		rc = sealed_open(&s, kept, netkey);
		memo_done();
	} else if (pass_source == NULL)
		rc = E(PASSPHRASE);
	else if ((rc = keys_passphrase_read(pass_source, &pass, &passlen,
	    NULL)) == 0) {
		rc = derive_for(&s, pass, passlen, &k);
		sodium_free(pass);
		if (rc == 0 && (rc = sealed_open(&s, k, netkey)) == 0)
			memo_keep(k);
		else
			sodium_free(k);
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* Writes a new file (mode 0600, O_EXCL): the public key. */
int
keys_public_write(const char *path, const void *p, size_t len)
{
	return write_new(path, p, len);
}
