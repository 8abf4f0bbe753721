/*
 * Identifiers and key files.  Primitives come from libsodium only: Ed25519
 * signatures, BLAKE2b hashes, Argon2id + XSalsa20-Poly1305 for sealed keys.
 */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <stdio.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

#define KEYFILE_MAGIC "CSRTSK01"
#define KEYFILE_PLAIN 0
#define KEYFILE_SEALED 1
#define SEALED_LEN (8 + 1 + crypto_pwhash_SALTBYTES + 16 + \
	crypto_secretbox_NONCEBYTES + crypto_secretbox_MACBYTES + 64)
#define PLAIN_LEN (8 + 1 + 64)

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

/* Writes a whole new file, mode 0600, refusing to replace or follow a link. */
static int
write_new(const char *path, const void *p, size_t len)
{
	ssize_t w;
	int fd;

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (fd < 0)
		return errno == EEXIST ? E(EXIST) : E(IO);
	w = write(fd, p, len);
	if (w != (ssize_t)len || fsync(fd) != 0) {
		close(fd);
		unlink(path);
		return E(IO);
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

/* Derives the sealing key from a passphrase with Argon2id. */
static int
derive(uint8_t key[crypto_secretbox_KEYBYTES], const char *pass, size_t passlen,
    const uint8_t *salt, uint64_t ops, uint64_t mem)
{
	if (crypto_pwhash(key, crypto_secretbox_KEYBYTES, pass, passlen, salt,
	    ops, (size_t)mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
		return E(NOMEM);
	return 0;
}

/* Writes a secret key file, sealed with the passphrase when one is given. */
int
keys_file_write(const char *path, const uint8_t sk[64], const char *pass,
    size_t passlen)
{
	uint8_t buf[SEALED_LEN], key[crypto_secretbox_KEYBYTES], *p;
	uint64_t ops = crypto_pwhash_OPSLIMIT_INTERACTIVE;
	uint64_t mem = crypto_pwhash_MEMLIMIT_INTERACTIVE;
	size_t len;
	int rc;

	memcpy(buf, KEYFILE_MAGIC, 8);
	if (pass == NULL) {
		buf[8] = KEYFILE_PLAIN;
		memcpy(buf + 9, sk, 64);
		len = PLAIN_LEN;
	} else {
		buf[8] = KEYFILE_SEALED;
		p = buf + 9;
		randombytes_buf(p, crypto_pwhash_SALTBYTES);
		util_put_be64(p + crypto_pwhash_SALTBYTES, ops);
		util_put_be64(p + crypto_pwhash_SALTBYTES + 8, mem);
		if ((rc = derive(key, pass, passlen, p, ops, mem)) != 0)
			return rc;
		p += crypto_pwhash_SALTBYTES + 16;
		randombytes_buf(p, crypto_secretbox_NONCEBYTES);
		crypto_secretbox_easy(p + crypto_secretbox_NONCEBYTES, sk, 64, p, key);
		sodium_memzero(key, sizeof(key));
		len = SEALED_LEN;
	}
	rc = write_new(path, buf, len);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* Reads a secret key file, opening it with the passphrase if it is sealed. */
int
keys_file_read(const char *path, uint8_t sk[64], const char *pass,
    size_t passlen, bool *sealed)
{
	uint8_t buf[SEALED_LEN], key[crypto_secretbox_KEYBYTES], *p;
	uint64_t ops, mem;
	size_t len;
	int rc;

	if ((rc = read_small(path, buf, sizeof(buf), &len)) != 0)
		return rc;
	rc = E(KEY);
	if (len < 9 || memcmp(buf, KEYFILE_MAGIC, 8) != 0)
		goto out;
	*sealed = buf[8] == KEYFILE_SEALED;
	if (buf[8] == KEYFILE_PLAIN && len == PLAIN_LEN) {
		memcpy(sk, buf + 9, 64);
		rc = 0;
	} else if (buf[8] == KEYFILE_SEALED && len == SEALED_LEN) {
		if (pass == NULL) {
			rc = E(PASSPHRASE);
			goto out;
		}
		p = buf + 9;
		ops = util_get_be64(p + crypto_pwhash_SALTBYTES);
		mem = util_get_be64(p + crypto_pwhash_SALTBYTES + 8);
		if (ops > crypto_pwhash_OPSLIMIT_SENSITIVE ||
		    mem > crypto_pwhash_MEMLIMIT_SENSITIVE)
			goto out;
		if ((rc = derive(key, pass, passlen, p, ops, mem)) != 0)
			goto out;
		p += crypto_pwhash_SALTBYTES + 16;
		rc = crypto_secretbox_open_easy(sk, p + crypto_secretbox_NONCEBYTES,
		    64 + crypto_secretbox_MACBYTES, p, key) == 0 ? 0 : E(PASSPHRASE);
		sodium_memzero(key, sizeof(key));
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
	uint8_t head[9];
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
	if (r != (ssize_t)sizeof(head) || memcmp(head, KEYFILE_MAGIC, 8) != 0)
		return E(KEY);
	*sealed = head[8] == KEYFILE_SEALED;
	return 0;
}

/* Writes a new secret file (mode 0600, O_EXCL). */
int
keys_secret_write(const char *path, const void *p, size_t len)
{
	return write_new(path, p, len);
}

/* Reads a secret file of exactly len bytes. */
int
keys_secret_read(const char *path, void *p, size_t len)
{
	uint8_t buf[256];
	size_t got;
	int rc;

	if (len > sizeof(buf) - 1)
		return E(INVAL);
	if ((rc = read_small(path, buf, len, &got)) != 0)
		return rc;
	rc = got == len ? 0 : E(KEY);
	if (rc == 0)
		memcpy(p, buf, len);
	sodium_memzero(buf, sizeof(buf));
	return rc;
}
