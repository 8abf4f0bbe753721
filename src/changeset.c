/*
 * Change-sets: the canonical msgpack body, its Ed25519 signature and its
 * BLAKE2b-256 id.  The format is specified in schema/changeset.md; the
 * decoder refuses everything the encoder would not have written.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

#define BODY_FIELDS 8
#define DEP_FIELDS 3
#define OP_FIELDS 5

static const uint8_t zero_hash[CONSORT_HASH_BYTES];

/* The name of an op kind, for logs and messages. */
const char *
cs_op_kind_name(unsigned kind)
{
	static const char *const names[] = { "create", "set", "unset", "delete" };

	return kind <= OP_KIND_MAX ? names[kind] : "unknown";
}

/* Records a decoding refusal at the reader's offset. */
static int
refuse(struct consort_diag *d, const struct mp_reader *r, int err,
    const char *what)
{
	char where[64], msg[512];

	snprintf(where, sizeof(where), _("byte %zu"), mp_offset(r));
	snprintf(msg, sizeof(msg), "%s: %s", what, consort_strerror(err));
	return consort_diag_set(d, err, where, msg,
	    _("the change-set is corrupt or was not written by consort; "
	    "ask its sender for it again"));
}

/* Refuses a change-set of another format version, saying which and why. */
static int
refuse_version(struct consort_diag *d, const struct mp_reader *r,
    uint64_t version)
{
	char where[64], msg[300];

	snprintf(where, sizeof(where), _("byte %zu"), mp_offset(r));
	snprintf(msg, sizeof(msg), _("change-set format version %llu; this "
	    "node reads version %d (personal values travel as commitments "
	    "since version 2, schema/changeset.md)"),
	    (unsigned long long)version, CONSORT_CS_VERSION);
	return consort_diag_set(d, E(VERSION), where, msg, version <
	    CONSORT_CS_VERSION ? _("the node that wrote it runs an older "
	    "consort: upgrade it") : _("this node runs an older consort: "
	    "upgrade it"));
}

/* Reads one dep: [author, seq, hash]. */
static int
decode_dep(struct mp_reader *r, struct cs_dep *dep, struct consort_diag *d)
{
	uint32_t n;
	int rc;

	if ((rc = mp_read_array(r, &n)) != 0)
		return refuse(d, r, rc, "dep");
	if (n != DEP_FIELDS)
		return refuse(d, r, E(BADTYPE), _("dep must have 3 elements"));
	if ((rc = mp_read_bin_fixed(r, dep->author, CONSORT_KEY_BYTES)) != 0)
		return refuse(d, r, rc, _("dep author"));
	if ((rc = mp_read_uint(r, &dep->seq)) != 0)
		return refuse(d, r, rc, _("dep seq"));
	if (dep->seq == 0)
		return refuse(d, r, E(INVAL), _("dep seq must be at least 1"));
	if ((rc = mp_read_bin_fixed(r, dep->hash, CONSORT_HASH_BYTES)) != 0)
		return refuse(d, r, rc, _("dep hash"));
	return 0;
}

/* Reads the deps array, sorted by author with no repeats. */
static int
decode_deps(struct mp_reader *r, struct changeset *cs, struct consort_diag *d)
{
	uint32_t i, n;
	int rc;

	if ((rc = mp_read_array(r, &n)) != 0)
		return refuse(d, r, rc, "deps");
	if (n > CONSORT_CS_MAX_DEPS)
		return refuse(d, r, E(TOOBIG), "deps");
	if (n > 0 && (cs->deps = calloc(n, sizeof(*cs->deps))) == NULL)
		return E(NOMEM);
	for (i = 0; i < n; i++) {
		if ((rc = decode_dep(r, &cs->deps[i], d)) != 0)
			return rc;
		cs->ndeps = i + 1;
		if (memcmp(cs->deps[i].author, cs->author, CONSORT_KEY_BYTES) == 0)
			return refuse(d, r, E(INVAL),
			    _("a dep names the author itself"));
		if (i > 0 && memcmp(cs->deps[i - 1].author, cs->deps[i].author,
		    CONSORT_KEY_BYTES) >= 0)
			return refuse(d, r, E(NONCANON),
			    _("deps must be sorted by author, each once"));
	}
	return 0;
}

/* Checks an op's field and value against the schema. */
static int
check_op(struct mp_reader *r, struct cs_op *op, struct consort_diag *d)
{
	const struct schema_type *t;
	const struct schema_field *f;
	int rc;

	if (op->kind > OP_KIND_MAX)
		return refuse(d, r, E(INVAL), _("unknown op kind"));
	if ((t = schema_type(op->type)) == NULL)
		return refuse(d, r, E(SCHEMA), _("unknown entity type"));
	if (op->kind == OP_CREATE || op->kind == OP_DELETE) {
		if (op->field != 0)
			return refuse(d, r, E(INVAL),
			    _("create/delete op names a field"));
		if (op->kind == OP_DELETE && op->val.kind != VAL_NIL)
			return refuse(d, r, E(INVAL),
			    _("delete op carries a value"));
		if (op->kind == OP_CREATE && (op->val.kind != VAL_STR ||
		    schema_check_ref(op->val.s, op->val.len, NULL) != 0))
			return refuse(d, r, E(SCHEMA),
			    _("create op without a valid ref"));
		return 0;
	}
	if ((f = schema_field(t, op->field)) == NULL)
		return refuse(d, r, E(SCHEMA), _("unknown field"));
	if (op->kind == OP_UNSET)
		return op->val.kind == VAL_NIL ? 0 :
		    refuse(d, r, E(INVAL), _("unset op carries a value"));
	if ((rc = schema_check_wire(f, &op->val, d)) != 0)
		return refuse(d, r, rc, d != NULL ? d->what : "value");
	return 0;
}

/* Reads one op: [kind, type, id, field, value]. */
static int
decode_op(struct mp_reader *r, struct cs_op *op, struct consort_diag *d)
{
	const struct schema_type *t;
	const struct schema_field *f;
	uint64_t kind, type, field;
	uint32_t n;
	int rc;

	if ((rc = mp_read_array(r, &n)) != 0)
		return refuse(d, r, rc, "op");
	if (n != OP_FIELDS)
		return refuse(d, r, E(BADTYPE), _("op must have 5 elements"));
	if ((rc = mp_read_uint(r, &kind)) != 0 || (rc = mp_read_uint(r, &type)) != 0)
		return refuse(d, r, rc, _("op kind/type"));
	if ((rc = mp_read_bin_fixed(r, op->id, CONSORT_EID_BYTES)) != 0)
		return refuse(d, r, rc, _("op entity id"));
	if ((rc = mp_read_uint(r, &field)) != 0)
		return refuse(d, r, rc, _("op field"));
	/* a string passes CONSORT_STR_MAX only in a field of kind TEXT */
	t = type < SCHEMA_MAX_TYPES ? schema_type((unsigned)type) : NULL;
	f = t != NULL && field <= SCHEMA_MAX_FIELDS ?
	    schema_field(t, (unsigned)field) : NULL;
	if ((rc = mp_read_value_max(r, &op->val, kind == OP_SET ?
	    schema_str_max(f) : CONSORT_STR_MAX)) != 0)
		return refuse(d, r, rc, _("op value"));
	if (kind > 255 || type > 255 || field > 255)
		return refuse(d, r, E(SCHEMA), _("op kind, type or field out "
		    "of range"));
	op->kind = (uint8_t)kind;
	op->type = (uint8_t)type;
	op->field = (uint8_t)field;
	return check_op(r, op, d);
}

/* Reads the ops array: at least one op, at most CONSORT_CS_MAX_OPS. */
static int
decode_ops(struct mp_reader *r, struct changeset *cs, struct consort_diag *d)
{
	uint32_t i, n;
	int rc;

	if ((rc = mp_read_array(r, &n)) != 0)
		return refuse(d, r, rc, "ops");
	if (n == 0)
		return refuse(d, r, E(INVAL), _("a change-set holds no op"));
	if (n > CONSORT_CS_MAX_OPS)
		return refuse(d, r, E(TOOBIG), "ops");
	if ((cs->ops = calloc(n, sizeof(*cs->ops))) == NULL)
		return E(NOMEM);
	for (i = 0; i < n; i++) {
		if ((rc = decode_op(r, &cs->ops[i], d)) != 0)
			return rc;
		cs->nops = i + 1;
	}
	return 0;
}

/* Reads the header fields: version to prev. */
static int
decode_header(struct mp_reader *r, struct changeset *cs, struct consort_diag *d)
{
	uint32_t n;
	int rc;

	if ((rc = mp_read_array(r, &n)) != 0)
		return refuse(d, r, rc, "change-set");
	if ((rc = mp_read_uint(r, &cs->version)) != 0)
		return refuse(d, r, rc, "version");
	if (cs->version != CONSORT_CS_VERSION)
		return refuse_version(d, r, cs->version);
	if (n != BODY_FIELDS)
		return refuse(d, r, E(BADTYPE),
		    _("change-set must have 8 elements"));
	if ((rc = mp_read_bin_fixed(r, cs->consortium, CONSORT_HASH_BYTES)) != 0)
		return refuse(d, r, rc, _("consortium id"));
	if ((rc = mp_read_bin_fixed(r, cs->author, CONSORT_KEY_BYTES)) != 0)
		return refuse(d, r, rc, "author");
	if ((rc = mp_read_uint(r, &cs->seq)) != 0)
		return refuse(d, r, rc, "seq");
	if (cs->seq == 0)
		return refuse(d, r, E(INVAL), _("seq must be at least 1"));
	if ((rc = mp_read_bin_fixed(r, cs->prev, CONSORT_HASH_BYTES)) != 0)
		return refuse(d, r, rc, _("prev hash"));
	if ((cs->seq == 1) != (memcmp(cs->prev, zero_hash, CONSORT_HASH_BYTES) == 0))
		return refuse(d, r, E(CHAIN),
		    _("prev hash must be zero exactly when seq is 1"));
	return 0;
}

/*
 * Decodes a signed change-set without checking its signature (cs_verify
 * does).  Pointers in cs point into buf, which must outlive it.
 */
int
cs_decode(const uint8_t *buf, size_t len, struct changeset *cs,
    struct consort_diag *d)
{
	struct mp_reader r;
	int rc;

	memset(cs, 0, sizeof(*cs));
	mp_reader_init(&r, buf, len);
	if (len > CONSORT_CS_MAX_BYTES)
		return refuse(d, &r, E(TOOBIG), "change-set");
	if ((rc = decode_header(&r, cs, d)) != 0 ||
	    (rc = decode_deps(&r, cs, d)) != 0)
		goto fail;
	if ((rc = mp_read_uint(&r, &cs->hlc)) != 0) {
		rc = refuse(d, &r, rc, "hlc");
		goto fail;
	}
	if ((rc = decode_ops(&r, cs, d)) != 0)
		goto fail;
	cs->body = buf;
	cs->body_len = mp_offset(&r);
	if (len - cs->body_len < CONSORT_SIG_BYTES) {
		rc = refuse(d, &r, E(TRUNCATED), "signature");
		goto fail;
	}
	if (len - cs->body_len > CONSORT_SIG_BYTES) {
		r.p += CONSORT_SIG_BYTES;
		rc = refuse(d, &r, E(TRAILING), "change-set");
		goto fail;
	}
	cs->sig = buf + cs->body_len;
	keys_hash(cs->id, cs->body, cs->body_len);
	return 0;
fail:
	cs_free(cs);
	return rc;
}

/* Checks the Ed25519 signature of a decoded change-set by its author. */
int
cs_verify(const struct changeset *cs)
{
	if (crypto_sign_verify_detached(cs->sig, cs->body, cs->body_len,
	    cs->author) != 0)
		return E(SIGNATURE);
	return 0;
}

/* Frees what cs_decode allocated. */
void
cs_free(struct changeset *cs)
{
	free(cs->deps);
	free(cs->ops);
	cs->deps = NULL;
	cs->ops = NULL;
	cs->ndeps = cs->nops = 0;
}

/* Starts an empty builder. */
void
csb_init(struct cs_builder *b)
{
	msgpack_sbuffer_init(&b->ops);
	msgpack_packer_init(&b->pk, &b->ops, msgpack_sbuffer_write);
	b->nops = 0;
}

/* Empties a builder, keeping its buffer. */
void
csb_reset(struct cs_builder *b)
{
	msgpack_sbuffer_clear(&b->ops);
	b->nops = 0;
}

/* Frees a builder's buffer. */
void
csb_free(struct cs_builder *b)
{
	msgpack_sbuffer_destroy(&b->ops);
}

/* Appends one op; the caller has checked it against the schema. */
void
csb_op(struct cs_builder *b, unsigned kind, unsigned type,
    const uint8_t id[CONSORT_EID_BYTES], unsigned field, const struct value *v)
{
	static const struct value nil = { VAL_NIL, false, 0, NULL, 0 };

	msgpack_pack_array(&b->pk, OP_FIELDS);
	msgpack_pack_uint32(&b->pk, kind);
	msgpack_pack_uint32(&b->pk, type);
	mp_pack_bin(&b->pk, id, CONSORT_EID_BYTES);
	msgpack_pack_uint32(&b->pk, field);
	mp_pack_value(&b->pk, v != NULL ? v : &nil);
	b->nops++;
}

/* Bytes of ops encoded so far (the body adds the header and deps). */
size_t
csb_size(const struct cs_builder *b)
{
	return b->ops.size;
}

/*
 * Encodes the body from hdr (version, consortium, author, seq, prev, deps,
 * hlc) and the builder's ops, signs it, and leaves body || signature in out.
 */
int
csb_sign(struct cs_builder *b, const struct changeset *hdr,
    const uint8_t sk[64], msgpack_sbuffer *out)
{
	uint8_t sig[CONSORT_SIG_BYTES];
	msgpack_packer pk;
	uint32_t i;

	if (b->nops == 0)
		return E(INVAL);
	if (b->nops > CONSORT_CS_MAX_OPS || hdr->ndeps > CONSORT_CS_MAX_DEPS)
		return E(TOOBIG);
	msgpack_sbuffer_clear(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, BODY_FIELDS);
	msgpack_pack_uint32(&pk, CONSORT_CS_VERSION);
	mp_pack_bin(&pk, hdr->consortium, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, hdr->author, CONSORT_KEY_BYTES);
	msgpack_pack_uint64(&pk, hdr->seq);
	mp_pack_bin(&pk, hdr->prev, CONSORT_HASH_BYTES);
	msgpack_pack_array(&pk, hdr->ndeps);
	for (i = 0; i < hdr->ndeps; i++) {
		msgpack_pack_array(&pk, DEP_FIELDS);
		mp_pack_bin(&pk, hdr->deps[i].author, CONSORT_KEY_BYTES);
		msgpack_pack_uint64(&pk, hdr->deps[i].seq);
		mp_pack_bin(&pk, hdr->deps[i].hash, CONSORT_HASH_BYTES);
	}
	msgpack_pack_uint64(&pk, hdr->hlc);
	msgpack_pack_array(&pk, b->nops);
	msgpack_sbuffer_write(out, b->ops.data, b->ops.size);
	if (out->size + CONSORT_SIG_BYTES > CONSORT_CS_MAX_BYTES)
		return E(TOOBIG);
	crypto_sign_detached(sig, NULL, (const uint8_t *)out->data, out->size, sk);
	msgpack_sbuffer_write(out, (const char *)sig, sizeof(sig));
	return 0;
}

/*
 * Reads only the author, seq and hlc of a stored change-set (no ops), to
 * order change-sets for sending without decoding them whole.
 */
int
cs_peek(const uint8_t *buf, size_t len, uint64_t *seq, uint64_t *hlc)
{
	struct changeset cs;
	struct mp_reader r;
	const uint8_t *p;
	uint32_t i, n, m;
	uint64_t u;
	int rc;

	memset(&cs, 0, sizeof(cs));
	mp_reader_init(&r, buf, len);
	if ((rc = decode_header(&r, &cs, NULL)) != 0 ||
	    (rc = mp_read_array(&r, &n)) != 0)
		return rc;
	for (i = 0; i < n; i++)
		if ((rc = mp_read_array(&r, &m)) != 0 || m != DEP_FIELDS ||
		    (rc = mp_read_bin(&r, &p, &m)) != 0 ||
		    (rc = mp_read_uint(&r, &u)) != 0 ||
		    (rc = mp_read_bin(&r, &p, &m)) != 0)
			return rc != 0 ? rc : E(BADTYPE);
	*seq = cs.seq;
	return mp_read_uint(&r, hlc);
}
