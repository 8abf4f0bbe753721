/*
 * Personal values (schema/DESIGN.md, "Personal data").  A change-set never
 * carries the value of a personal field: it carries a commitment to it,
 *
 *	commitment = BLAKE2b-256(key = salt,
 *	    "consort personal 1" || type || entity id || field || value)
 *
 * with a random 32-byte salt per written value and the value in canonical
 * msgpack.  The opening (salt and value) is what lets a node read it: it
 * travels beside the change-sets, only to members entitled to it, and is
 * kept in the openings table sealed with the node's key at rest
 * (XChaCha20-Poly1305, the table key as associated data, so a sealed
 * opening cannot be moved to another record or field).  Erasing a person
 * deletes the openings of the record and refuses every later one; the log,
 * signed over the commitments, is untouched.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

#define DOMAIN "consort personal 1"
#define AT_REST_CONTEXT "consort: personal values at rest, version 1"
#define OPENING_KEY_BYTES PERSONAL_KEY_BYTES
#define SEAL_NONCE crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_TAG crypto_aead_xchacha20poly1305_ietf_ABYTES
/* a sealed opening: nonce, then salt and value sealed */
#define OPENING_MAX (CONSORT_SALT_BYTES + 16 + CONSORT_STR_MAX)

/* Derives the key of personal values at rest from the node's secret key. */
int
personal_key_init(struct store *s, const uint8_t sk[64])
{
	if (s->atrest == NULL &&
	    (s->atrest = keys_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)) == NULL)
		return E(NOMEM);
	/* the seed is the first half of libsodium's Ed25519 secret key */
	crypto_generichash(s->atrest, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	    (const uint8_t *)AT_REST_CONTEXT, sizeof(AT_REST_CONTEXT) - 1, sk, 32);
	return 0;
}

/* Wipes and frees the key of personal values at rest. */
void
personal_key_free(struct store *s)
{
	sodium_free(s->atrest);
	s->atrest = NULL;
}

/* Computes the commitment to a value of a record's personal field. */
void
personal_commit(unsigned type, const uint8_t id[CONSORT_EID_BYTES],
    unsigned field, const uint8_t salt[CONSORT_SALT_BYTES],
    const struct value *v, uint8_t out[CONSORT_COMMIT_BYTES])
{
	crypto_generichash_state st;
	msgpack_sbuffer buf;
	msgpack_packer pk;
	uint8_t head[2];

	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	mp_pack_value(&pk, v);
	crypto_generichash_init(&st, salt, CONSORT_SALT_BYTES,
	    CONSORT_COMMIT_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)DOMAIN,
	    sizeof(DOMAIN) - 1);
	head[0] = (uint8_t)type;
	head[1] = (uint8_t)field;
	crypto_generichash_update(&st, head, 1);
	crypto_generichash_update(&st, id, CONSORT_EID_BYTES);
	crypto_generichash_update(&st, head + 1, 1);
	crypto_generichash_update(&st, (const uint8_t *)buf.data, buf.size);
	crypto_generichash_final(&st, out, CONSORT_COMMIT_BYTES);
	sodium_memzero(buf.data, buf.size);
	msgpack_sbuffer_destroy(&buf);
}

/* Picks a fresh salt and commits to a value. */
void
personal_commit_new(unsigned type, const uint8_t id[CONSORT_EID_BYTES],
    unsigned field, const struct value *v, uint8_t salt[CONSORT_SALT_BYTES],
    uint8_t out[CONSORT_COMMIT_BYTES])
{
	randombytes_buf(salt, CONSORT_SALT_BYTES);
	personal_commit(type, id, field, salt, v, out);
}

/* Checks an opening: a value of the field's kind that the commitment names. */
int
personal_check(const struct personal_opening *o, struct consort_diag *d)
{
	const struct schema_type *t = schema_type(o->type);
	const struct schema_field *f = t != NULL ? schema_field(t, o->field) : NULL;
	uint8_t c[CONSORT_COMMIT_BYTES];
	int rc;

	if (f == NULL || !f->personal)
		return consort_diag_set(d, E(SCHEMA), NULL,
		    _("a personal value for a field that is not personal"),
		    NULL);
	if ((rc = schema_check_value(f, &o->value, d)) != 0)
		return rc;
	personal_commit(o->type, o->id, o->field, o->salt, &o->value, c);
	if (sodium_memcmp(c, o->commitment, sizeof(c)) != 0)
		return consort_diag_set(d, E(COMMITMENT), NULL,
		    _("a personal value does not match the commitment its "
		    "change-set signed"),
		    NULL);
	return 0;
}

/* The openings table's key of a commitment. */
static void
opening_key(uint8_t key[OPENING_KEY_BYTES], const uint8_t id[CONSORT_EID_BYTES],
    unsigned field, const uint8_t commitment[CONSORT_COMMIT_BYTES])
{
	memcpy(key, id, CONSORT_EID_BYTES);
	key[CONSORT_EID_BYTES] = (uint8_t)field;
	memcpy(key + CONSORT_EID_BYTES + 1, commitment, CONSORT_COMMIT_BYTES);
}

/* Whether a record's personal values were erased (trainee.erased is set). */
bool
personal_erased(const struct record *r)
{
	return r->found && r->type == T_trainee &&
	    r->fields[F_trainee_erased].n > 0;
}

/* Seals and stores a checked opening. */
static int
seal_opening(struct store_txn *txn, struct store *s,
    const struct personal_opening *o)
{
	uint8_t key[OPENING_KEY_BYTES];
	uint8_t clear[OPENING_MAX], sealed[SEAL_NONCE + OPENING_MAX + SEAL_TAG];
	msgpack_sbuffer buf;
	msgpack_packer pk;
	unsigned long long n;
	int rc = 0;

	msgpack_sbuffer_init(&buf);
	msgpack_packer_init(&pk, &buf, msgpack_sbuffer_write);
	mp_pack_value(&pk, &o->value);
	if (buf.size > sizeof(clear) - CONSORT_SALT_BYTES)
		rc = E(TOOBIG);
	if (rc == 0) {
		memcpy(clear, o->salt, CONSORT_SALT_BYTES);
		memcpy(clear + CONSORT_SALT_BYTES, buf.data, buf.size);
		opening_key(key, o->id, o->field, o->commitment);
		randombytes_buf(sealed, SEAL_NONCE);
		crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + SEAL_NONCE,
		    &n, clear, CONSORT_SALT_BYTES + buf.size, key, sizeof(key),
		    NULL, sealed, s->atrest);
		rc = store_put(txn, s, TB_OPENINGS, key, sizeof(key), sealed,
		    SEAL_NONCE + (size_t)n, 0);
	}
	sodium_memzero(clear, sizeof(clear));
	sodium_memzero(buf.data, buf.size);
	msgpack_sbuffer_destroy(&buf);
	return rc;
}

/* Checks an opening of a loaded record and keeps it, sealed. */
int
personal_put_in(struct store_txn *txn, struct store *s,
    const struct personal_opening *o, const struct record *r,
    struct consort_diag *d)
{
	int rc;

	if (s->atrest == NULL)
		return consort_diag_set(d, E(KEY), NULL,
		    _("personal values need "
		    "the node's secret key"),
		    _("unlock the key (--passphrase-file)"));
	if ((rc = personal_check(o, d)) != 0)
		return rc;
	if (personal_erased(r))
		return consort_diag_set(d, E(ERASED), NULL,
		    _("the personal values "
		    "of this record were erased; none is kept again"), NULL);
	return seal_opening(txn, s, o);
}

/* Checks an opening and keeps it, sealed, unless its person was erased. */
int
personal_put(struct store_txn *txn, struct store *s,
    const struct personal_opening *o, struct consort_diag *d)
{
	struct record r;
	int rc;

	record_init(&r);
	if ((rc = record_load(txn, s, o->type, o->id, &r)) == 0)
		rc = personal_put_in(txn, s, o, &r, d);
	record_free(&r);
	return rc;
}

/* Whether this node holds the opening of a commitment. */
int
personal_has(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES], bool *has)
{
	uint8_t key[OPENING_KEY_BYTES];
	struct store_val v;
	int rc;

	opening_key(key, id, field, commitment);
	rc = store_get(txn, s, TB_OPENINGS, key, sizeof(key), &v);
	*has = rc == 0;
	return rc == E(NOENT) ? 0 : rc;
}

/*
 * Reads the opening of a commitment into clear (salt, then the value in
 * msgpack); *len 0 when this node does not hold it or cannot open it.
 */
static int
unseal(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES], uint8_t *clear,
    size_t *len)
{
	uint8_t key[OPENING_KEY_BYTES];
	unsigned long long n;
	struct store_val v;
	int rc;

	*len = 0;
	if (s->atrest == NULL)
		return 0;
	opening_key(key, id, field, commitment);
	rc = store_get(txn, s, TB_OPENINGS, key, sizeof(key), &v);
	if (rc == E(NOENT))
		return 0;
	if (rc != 0)
		return rc;
	if (v.len < SEAL_NONCE + SEAL_TAG + CONSORT_SALT_BYTES ||
	    v.len > SEAL_NONCE + OPENING_MAX + SEAL_TAG)
		return E(STORE);
	if (crypto_aead_xchacha20poly1305_ietf_decrypt(clear, &n, NULL,
	    (const uint8_t *)v.data + SEAL_NONCE, v.len - SEAL_NONCE, key,
	    sizeof(key), v.data, s->atrest) != 0)
		return 0;  /* sealed under another key: not readable here */
	*len = (size_t)n;
	return 0;
}

/*
 * Reads the opening of a commitment held by this node.
 * @param o set to the opening (its value's string in buf); o->found false
 *	when this node does not hold it
 */
int
personal_get(struct store_txn *txn, struct store *s, unsigned type,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES], struct personal_opening *o,
    uint8_t buf[PERSONAL_OPENING_MAX])
{
	struct mp_reader rd;
	size_t len;
	int rc;

	memset(o, 0, sizeof(*o));
	o->type = (uint8_t)type;
	o->field = (uint8_t)field;
	memcpy(o->id, id, CONSORT_EID_BYTES);
	memcpy(o->commitment, commitment, CONSORT_COMMIT_BYTES);
	if ((rc = unseal(txn, s, id, field, commitment, buf, &len)) != 0 ||
	    len == 0)
		return rc;
	memcpy(o->salt, buf, CONSORT_SALT_BYTES);
	mp_reader_init(&rd, buf + CONSORT_SALT_BYTES, len - CONSORT_SALT_BYTES);
	if (mp_read_value(&rd, &o->value) != 0 || rd.p != rd.end)
		return E(STORE);
	o->found = true;
	return 0;
}

/* Deletes every opening of a record (its person's values are erased). */
int
personal_erase(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES])
{
	return personal_erase_count(txn, s, id, NULL);
}

/* The same, counting in *deleted (if not NULL) the openings it deleted. */
int
personal_erase_count(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned *deleted)
{
	return store_del_prefix(txn, s, TB_OPENINGS, id, CONSORT_EID_BYTES,
	    deleted);
}

/* Appends bytes to a record's buffer of opened values. */
static int
clear_append(struct record *r, const void *p, size_t len, size_t *off)
{
	size_t cap;
	char *b;

	if (r->nclear + len > r->capclear) {
		cap = r->capclear ? r->capclear : 256;
		while (cap < r->nclear + len)
			cap *= 2;
		if ((b = sodium_malloc(cap)) == NULL)
			return E(NOMEM);
		if (r->clear != NULL) {
			memcpy(b, r->clear, r->nclear);
			sodium_free(r->clear);
		}
		r->clear = b;
		r->capclear = cap;
	}
	memcpy(r->clear + r->nclear, p, len);
	*off = r->nclear;
	r->nclear += len;
	return 0;
}

/* Opens one entry of a personal field into its shown value, if it can. */
static int
open_entry(struct store_txn *txn, struct store *s, struct record *r,
    unsigned field, uint32_t at, size_t *off)
{
	uint8_t buf[PERSONAL_OPENING_MAX];
	const struct entry *e = &r->pool[at];
	struct personal_opening o;
	int rc;

	*off = SIZE_MAX;
	if (e->val.kind != VAL_BIN || e->val.len != CONSORT_COMMIT_BYTES)
		return 0;
	rc = personal_get(txn, s, r->type, r->id, field,
	    (const uint8_t *)e->val.s, &o, buf);
	if (rc == 0 && o.found) {
		r->shown[at] = o.value;
		if (o.value.kind == VAL_STR)
			rc = clear_append(r, o.value.s, o.value.len, off);
	}
	sodium_memzero(buf, sizeof(buf));
	return rc;
}

/* Opens the entries of one personal field; off[] gets their strings. */
static int
open_field(struct store_txn *txn, struct store *s, struct record *r,
    unsigned field, size_t *off)
{
	const struct reg *g = &r->fields[field];
	uint32_t k;
	int rc;

	for (k = 0; k < g->n; k++)
		if ((rc = open_entry(txn, s, r, field, g->off + k,
		    &off[g->off + k])) != 0)
			return rc;
	return 0;
}

/*
 * Opens, in a loaded record, the personal values this node may read: each
 * entry's shown value (record_shown) becomes its value where this node
 * holds the opening; the entries themselves keep their commitments, so
 * merging, conflicts and the state digest see the same on every node.
 */
int
personal_open_record(struct store_txn *txn, struct store *s, struct record *r)
{
	const struct schema_type *t = schema_type(r->type);
	size_t *off = NULL;
	uint32_t k;
	unsigned i;
	int rc = 0;

	if (t == NULL || !r->found || r->npool == 0 || r->shown != NULL)
		return 0;
	for (i = 0; i < t->nfields; i++)
		if (t->sorted[i]->personal && r->fields[t->sorted[i]->id].n > 0)
			break;
	if (i == t->nfields)
		return 0;  /* no personal value to open */
	if ((r->shown = malloc(r->npool * sizeof(*r->shown))) == NULL ||
	    (off = malloc(r->npool * sizeof(*off))) == NULL) {
		free(off);
		return E(NOMEM);
	}
	r->nshown = r->npool;
	for (k = 0; k < r->npool; k++) {
		r->shown[k] = r->pool[k].val;
		off[k] = SIZE_MAX;
	}
	r->opened = true;
	for (i = 0; rc == 0 && i < t->nfields; i++)
		if (t->sorted[i]->personal)
			rc = open_field(txn, s, r, t->sorted[i]->id, off);
	for (k = 0; rc == 0 && k < r->npool; k++)  /* the buffer may have moved */
		if (off[k] != SIZE_MAX)
			r->shown[k].s = r->clear + off[k];
	free(off);
	return rc;
}

/* Wipes a record's opened values, keeping the buffer of their strings. */
void
personal_record_clear(struct record *r)
{
	if (r->shown != NULL) {
		sodium_memzero(r->shown, r->nshown * sizeof(*r->shown));
		free(r->shown);
	}
	r->shown = NULL;
	r->nshown = 0;
	if (r->clear != NULL)
		sodium_memzero(r->clear, r->nclear);
	r->nclear = 0;
	r->opened = false;
}

/* Wipes and frees a record's opened values. */
void
personal_record_wipe(struct record *r)
{
	personal_record_clear(r);
	sodium_free(r->clear);  /* wipes it */
	r->clear = NULL;
	r->capclear = 0;
}

/*
 * Calls fn(ctx, id, field, commitment) for every key of a table keyed by
 * entity id, field and commitment (openings, wanted), in key order, after
 * the key `after` (OPENING_KEY_BYTES; NULL: from the first); fn returns 0
 * to go on, non-zero to stop.
 */
int
personal_walk(struct store_txn *txn, struct store *s, enum store_table t,
    const uint8_t *after, personal_fn fn, void *ctx)
{
	struct store_walk w;
	struct store_val k, v;
	const uint8_t *p;
	int rc;

	if ((rc = store_walk_begin(&w, txn, s, t, after, after != NULL ?
	    OPENING_KEY_BYTES : 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != OPENING_KEY_BYTES || (after != NULL &&
		    memcmp(k.data, after, OPENING_KEY_BYTES) == 0))
			continue;
		p = k.data;
		if ((rc = fn(ctx, p, p[CONSORT_EID_BYTES],
		    p + CONSORT_EID_BYTES + 1)) != 0)
			break;
	}
	store_walk_end(&w);
	return rc < 0 ? rc : 0;
}

/* Walks every opening this node holds (fn returns non-zero to stop). */
int
personal_foreach(struct store_txn *txn, struct store *s, personal_fn fn,
    void *ctx)
{
	return personal_walk(txn, s, TB_OPENINGS, NULL, fn, ctx);
}

/* Deletes the opening of one commitment, if this node holds it. */
int
personal_forget(struct store_txn *txn, struct store *s,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field,
    const uint8_t commitment[CONSORT_COMMIT_BYTES])
{
	uint8_t key[OPENING_KEY_BYTES];
	int rc;

	opening_key(key, id, field, commitment);
	rc = store_del(txn, s, TB_OPENINGS, key, sizeof(key));
	return rc == E(NOENT) ? 0 : rc;
}

/* Gathers every key of the openings table (the caller frees *keys). */
static int
opening_keys(struct store_txn *txn, struct store *s, uint8_t **keys,
    size_t *n)
{
	struct store_walk w;
	struct store_val k, v;
	size_t cap = 0;
	uint8_t *p;
	int rc;

	*keys = NULL;
	*n = 0;
	if ((rc = store_walk_begin(&w, txn, s, TB_OPENINGS, NULL, 0, 0)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0) {
		if (k.len != OPENING_KEY_BYTES)
			continue;
		if (*n == cap) {
			cap = cap ? cap * 2 : 256;
			if ((p = realloc(*keys, cap * OPENING_KEY_BYTES)) == NULL) {
				rc = E(NOMEM);
				break;
			}
			*keys = p;
		}
		memcpy(*keys + *n * OPENING_KEY_BYTES, k.data, OPENING_KEY_BYTES);
		(*n)++;
	}
	store_walk_end(&w);
	return rc < 0 ? rc : 0;
}

/* Opens one sealed opening with from and seals it again with to. */
static int
reseal_one(struct store_txn *txn, struct store *s, const uint8_t *key,
    const uint8_t *from, const uint8_t *to)
{
	uint8_t clear[OPENING_MAX + SEAL_TAG];
	uint8_t sealed[SEAL_NONCE + OPENING_MAX + SEAL_TAG];
	unsigned long long n, len;
	struct store_val v;
	int rc;

	if ((rc = store_get(txn, s, TB_OPENINGS, key, OPENING_KEY_BYTES, &v)) != 0)
		return rc;
	if (v.len < SEAL_NONCE + SEAL_TAG || v.len > sizeof(sealed) ||
	    crypto_aead_xchacha20poly1305_ietf_decrypt(clear, &n, NULL,
	    (const uint8_t *)v.data + SEAL_NONCE, v.len - SEAL_NONCE, key,
	    OPENING_KEY_BYTES, v.data, from) != 0)
		return 0;  /* sealed under another key: it stays as it is */
	len = n;
	randombytes_buf(sealed, SEAL_NONCE);
	crypto_aead_xchacha20poly1305_ietf_encrypt(sealed + SEAL_NONCE, &n,
	    clear, len, key, OPENING_KEY_BYTES, NULL, sealed,
	    to);
	sodium_memzero(clear, sizeof(clear));
	return store_put(txn, s, TB_OPENINGS, key, OPENING_KEY_BYTES, sealed,
	    SEAL_NONCE + (size_t)n, 0);
}

/*
 * Seals every personal value kept at rest again under the key derived
 * from new_sk (a key rotation), in the caller's transaction; the old
 * key then opens none of them.
 */
int
personal_rekey(struct store_txn *txn, struct store *s, const uint8_t new_sk[64])
{
	uint8_t *keys, *to;
	size_t i, n;
	int rc;

	if (s->atrest == NULL)
		return 0;
	if ((to = keys_secret_alloc(crypto_aead_xchacha20poly1305_ietf_KEYBYTES)) == NULL)
		return E(NOMEM);
	crypto_generichash(to, crypto_aead_xchacha20poly1305_ietf_KEYBYTES,
	    (const uint8_t *)AT_REST_CONTEXT, sizeof(AT_REST_CONTEXT) - 1,
	    new_sk, 32);
	if ((rc = opening_keys(txn, s, &keys, &n)) == 0)
		for (i = 0; i < n && rc == 0; i++)
			rc = reseal_one(txn, s, keys + i * OPENING_KEY_BYTES,
			    s->atrest, to);
	free(keys);
	sodium_free(to);
	return rc;
}
