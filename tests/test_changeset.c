/*
 * Unit tests of changeset.c: change-sets built with csb_* decode back field
 * by field, every single-byte change is caught by the decoder or the
 * signature, and hand-packed malformed bodies (signed, so only the decoder
 * can refuse them) are refused with their exact error code.
 */
#include "testutil.h"

static struct tu_author alice, bob, carol;
static const uint8_t consortium[CONSORT_HASH_BYTES] = {
	0xc0, 0x45, 0x01, 0x7e, 0x57, 0x11, 0x22, 0x33, 0x44, 0x55, 0x66, 0x77,
	0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd, 0xee, 0xff, 1, 2, 3, 4, 5, 6, 7, 8,
	9, 10, 11, 12,
};

/* A body to pack by hand: every element can be set, even wrongly. */
struct body {
	uint32_t nfields;	/* the outer array's count, normally 8 */
	uint64_t version;
	struct changeset h;	/* consortium, author, seq, prev, deps, hlc */
	struct cs_builder *ops;
	uint32_t nops;		/* the ops array's count */
};

/* Group setup: libsodium and three fixed key pairs. */
static int
group_setup(void **state)
{
	if (tu_group_setup(state) != 0)
		return -1;
	tu_author_init(&alice, 1);
	tu_author_init(&bob, 2);
	tu_author_init(&carol, 3);
	return 0;
}

/* An entity id under alice as founder. */
static void
eid(unsigned type, const char *ref, uint8_t out[CONSORT_EID_BYTES])
{
	keys_entity_id(out, alice.pk, type, ref, strlen(ref));
}

/* A dep on author a at seq, with a hash made from the seq. */
static struct cs_dep
dep_on(const struct tu_author *a, uint64_t seq)
{
	struct cs_dep d;

	memcpy(d.author, a->pk, CONSORT_KEY_BYTES);
	d.seq = seq;
	memset(d.hash, (int)(0x40 + seq), CONSORT_HASH_BYTES);
	return d;
}

/* A header of alice at seq 2 with one dep on bob, and one valid op in b. */
static void
default_body(struct body *bd, struct cs_builder *b, struct cs_dep *deps)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct value v = tu_str("x");

	memset(bd, 0, sizeof(*bd));
	bd->nfields = 8;
	bd->version = CONSORT_CS_VERSION;
	memcpy(bd->h.consortium, consortium, CONSORT_HASH_BYTES);
	memcpy(bd->h.author, alice.pk, CONSORT_KEY_BYTES);
	bd->h.seq = 2;
	memset(bd->h.prev, 0x5a, CONSORT_HASH_BYTES);
	deps[0] = dep_on(&bob, 5);
	bd->h.deps = deps;
	bd->h.ndeps = 1;
	bd->h.hlc = 0x0123456789abULL;
	csb_init(b);
	eid(T_lot, "LOT-01", id);
	csb_op(b, OP_SET, T_lot, id, 1, &v);
	bd->ops = b;
	bd->nops = b->nops;
}

/* Packs a body as given, unchecked, signs it with sk, appends the signature. */
static void
pack_signed(msgpack_sbuffer *out, const struct body *bd, const uint8_t *sk)
{
	uint8_t sig[CONSORT_SIG_BYTES];
	msgpack_packer pk;
	uint32_t i;

	msgpack_sbuffer_init(out);
	msgpack_packer_init(&pk, out, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, bd->nfields);
	msgpack_pack_uint64(&pk, bd->version);
	mp_pack_bin(&pk, bd->h.consortium, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, bd->h.author, CONSORT_KEY_BYTES);
	msgpack_pack_uint64(&pk, bd->h.seq);
	mp_pack_bin(&pk, bd->h.prev, CONSORT_HASH_BYTES);
	msgpack_pack_array(&pk, bd->h.ndeps);
	for (i = 0; i < bd->h.ndeps; i++) {
		msgpack_pack_array(&pk, 3);
		mp_pack_bin(&pk, bd->h.deps[i].author, CONSORT_KEY_BYTES);
		msgpack_pack_uint64(&pk, bd->h.deps[i].seq);
		mp_pack_bin(&pk, bd->h.deps[i].hash, CONSORT_HASH_BYTES);
	}
	msgpack_pack_uint64(&pk, bd->h.hlc);
	msgpack_pack_array(&pk, bd->nops);
	msgpack_sbuffer_write(out, bd->ops->ops.data, bd->ops->ops.size);
	crypto_sign_detached(sig, NULL, (const uint8_t *)out->data, out->size,
	    sk);
	msgpack_sbuffer_write(out, (const char *)sig, sizeof(sig));
}

/* Packs and signs a body as alice, decodes it, and returns cs_decode's code. */
static int
decode_body(const struct body *bd)
{
	struct consort_diag d = { 0 };
	struct changeset cs;
	msgpack_sbuffer out;
	int rc;

	memset(&d, 0, sizeof(d));
	pack_signed(&out, bd, alice.sk);
	rc = cs_decode((const uint8_t *)out.data, out.size, &cs, &d);
	if (rc == 0) {
		assert_ok(cs_verify(&cs));
		cs_free(&cs);
	} else {
		/* a refusal says where */
		assert_true(strncmp(d.where, "byte ", 5) == 0);
		assert_true(d.what[0] != '\0');
	}
	msgpack_sbuffer_destroy(&out);
	return rc;
}

/* Builds, with csb_sign, the small signed change-set of default_body. */
static void
small_signed(msgpack_sbuffer *out)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;

	default_body(&bd, &b, deps);
	msgpack_sbuffer_init(out);
	assert_ok(csb_sign(&b, &bd.h, alice.sk, out));
	csb_free(&b);
}

/* Every header field and op of a built change-set decodes back exactly. */
static void
test_round_trip(void **state)
{
	uint8_t lot[CONSORT_EID_BYTES], tr[CONSORT_EID_BYTES],
	    in[CONSORT_EID_BYTES], se[CONSORT_EID_BYTES], me[CONSORT_EID_BYTES],
	    pa[CONSORT_EID_BYTES], hash[CONSORT_HASH_BYTES],
	    salt[CONSORT_SALT_BYTES], commit[CONSORT_COMMIT_BYTES];
	static const char sector[] = "B\xc3\xa2timent";
	struct value ref = tu_str("LOT-01"), sec = tu_str(sector),
	    rate = tu_int(1410), yes = tu_bool(true), year = tu_int(1989),
	    steps = tu_str("info_meeting,selection"),
	    day = tu_str("2024-02-29"), c;
	struct consort_diag d = { 0 };
	struct cs_dep deps[2];
	struct changeset hdr, cs;
	struct cs_builder b;
	msgpack_sbuffer out;
	uint32_t i;

	(void)state;
	eid(T_lot, "LOT-01", lot);
	eid(T_trainee, "T1", tr);
	eid(T_intent, "I1", in);
	eid(T_session, "S1", se);
	eid(T_member, TU_LEAD_SIRET, me);
	eid(T_path, "P1", pa);
	/* a personal field (a trainee's birth year) carries a commitment */
	personal_commit_new(T_trainee, tr, F_trainee_birth_year, &year, salt,
	    commit);
	c = (struct value){ VAL_BIN, false, 0, (const char *)commit,
	    CONSORT_COMMIT_BYTES };
	csb_init(&b);
	csb_op(&b, OP_CREATE, T_lot, lot, 0, &ref);
	csb_op(&b, OP_SET, T_lot, lot, 1, &sec);
	csb_op(&b, OP_SET, T_lot, lot, 3, &rate);
	csb_op(&b, OP_UNSET, T_lot, lot, 2, NULL);
	csb_op(&b, OP_SET, T_path, pa, F_path_financed, &yes);
	csb_op(&b, OP_SET, T_trainee, tr, F_trainee_birth_year, &c);
	csb_op(&b, OP_SET, T_intent, in, 10, &steps);
	csb_op(&b, OP_DELETE, T_session, se, 0, NULL);
	csb_op(&b, OP_SET, T_member, me, 9, &day);
	assert_int_equal(b.nops, 9);

	memset(&hdr, 0, sizeof(hdr));
	memcpy(hdr.consortium, consortium, CONSORT_HASH_BYTES);
	memcpy(hdr.author, alice.pk, CONSORT_KEY_BYTES);
	hdr.seq = 70000;
	memset(hdr.prev, 0xab, CONSORT_HASH_BYTES);
	deps[0] = dep_on(&bob, 3);
	deps[1] = dep_on(&carol, 1ULL << 40);
	qsort(deps, 2, sizeof(deps[0]), tu_cmp_dep);
	hdr.deps = deps;
	hdr.ndeps = 2;
	hdr.hlc = 0xfedcba9876543210ULL;
	msgpack_sbuffer_init(&out);
	assert_ok(csb_sign(&b, &hdr, alice.sk, &out));

	assert_ok(cs_decode((const uint8_t *)out.data, out.size, &cs, &d));
	assert_ok(cs_verify(&cs));
	assert_int_equal(cs.version, CONSORT_CS_VERSION);
	assert_memory_equal(cs.consortium, consortium, CONSORT_HASH_BYTES);
	assert_memory_equal(cs.author, alice.pk, CONSORT_KEY_BYTES);
	assert_int_equal(cs.seq, 70000);
	assert_memory_equal(cs.prev, hdr.prev, CONSORT_HASH_BYTES);
	assert_int_equal(cs.ndeps, 2);
	for (i = 0; i < 2; i++) {
		assert_memory_equal(cs.deps[i].author, deps[i].author,
		    CONSORT_KEY_BYTES);
		assert_true(cs.deps[i].seq == deps[i].seq);
		assert_memory_equal(cs.deps[i].hash, deps[i].hash,
		    CONSORT_HASH_BYTES);
	}
	assert_true(cs.hlc == 0xfedcba9876543210ULL);
	assert_int_equal(cs.nops, 9);
	assert_int_equal(cs.body_len, out.size - CONSORT_SIG_BYTES);
	assert_ptr_equal(cs.body, out.data);
	assert_ptr_equal(cs.sig, (const uint8_t *)out.data + cs.body_len);
	keys_hash(hash, out.data, cs.body_len);
	assert_memory_equal(cs.id, hash, CONSORT_HASH_BYTES);

	assert_int_equal(cs.ops[0].kind, OP_CREATE);
	assert_int_equal(cs.ops[0].type, T_lot);
	assert_memory_equal(cs.ops[0].id, lot, CONSORT_EID_BYTES);
	assert_int_equal(cs.ops[0].field, 0);
	assert_true(tu_is_str(&cs.ops[0].val, "LOT-01"));
	assert_int_equal(cs.ops[1].kind, OP_SET);
	assert_int_equal(cs.ops[1].field, 1);
	assert_true(tu_is_str(&cs.ops[1].val, sector));
	assert_int_equal(cs.ops[2].val.kind, VAL_INT);
	assert_int_equal(cs.ops[2].val.i, 1410);
	assert_int_equal(cs.ops[3].kind, OP_UNSET);
	assert_int_equal(cs.ops[3].field, 2);
	assert_int_equal(cs.ops[3].val.kind, VAL_NIL);
	assert_int_equal(cs.ops[4].type, T_path);
	assert_memory_equal(cs.ops[4].id, pa, CONSORT_EID_BYTES);
	assert_int_equal(cs.ops[4].val.kind, VAL_BOOL);
	assert_true(cs.ops[4].val.b);
	assert_int_equal(cs.ops[5].type, T_trainee);
	assert_memory_equal(cs.ops[5].id, tr, CONSORT_EID_BYTES);
	assert_int_equal(cs.ops[5].field, F_trainee_birth_year);
	assert_int_equal(cs.ops[5].val.kind, VAL_BIN);
	assert_int_equal(cs.ops[5].val.len, CONSORT_COMMIT_BYTES);
	assert_memory_equal(cs.ops[5].val.s, commit, CONSORT_COMMIT_BYTES);
	assert_int_equal(cs.ops[6].type, T_intent);
	assert_true(tu_is_str(&cs.ops[6].val, "info_meeting,selection"));
	assert_int_equal(cs.ops[7].kind, OP_DELETE);
	assert_int_equal(cs.ops[7].type, T_session);
	assert_memory_equal(cs.ops[7].id, se, CONSORT_EID_BYTES);
	assert_int_equal(cs.ops[7].val.kind, VAL_NIL);
	assert_int_equal(cs.ops[8].type, T_member);
	assert_int_equal(cs.ops[8].field, 9);
	assert_true(tu_is_str(&cs.ops[8].val, "2024-02-29"));
	cs_free(&cs);
	assert_null(cs.ops);
	assert_null(cs.deps);
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
}

/* Decoding accepts only what encoding writes: re-encoding is identical. */
static void
test_reencode_identical(void **state)
{
	msgpack_sbuffer in, out;
	struct changeset cs;
	struct cs_builder b;
	uint32_t i;

	(void)state;
	small_signed(&in);
	assert_ok(cs_decode((const uint8_t *)in.data, in.size, &cs, NULL));
	csb_init(&b);
	for (i = 0; i < cs.nops; i++)
		csb_op(&b, cs.ops[i].kind, cs.ops[i].type, cs.ops[i].id,
		    cs.ops[i].field, &cs.ops[i].val);
	msgpack_sbuffer_init(&out);
	assert_ok(csb_sign(&b, &cs, alice.sk, &out));
	assert_int_equal(out.size, in.size);
	assert_memory_equal(out.data, in.data, in.size);
	cs_free(&cs);
	csb_free(&b);
	msgpack_sbuffer_destroy(&in);
	msgpack_sbuffer_destroy(&out);
}

/* A genesis shape (seq 1, zero prev, no deps, zero consortium) decodes. */
static void
test_genesis_shape(void **state)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	bd.h.seq = 1;
	memset(bd.h.prev, 0, CONSORT_HASH_BYTES);
	memset(bd.h.consortium, 0, CONSORT_HASH_BYTES);
	bd.h.ndeps = 0;
	assert_ok(decode_body(&bd));
	bd.h.hlc = 0;
	assert_ok(decode_body(&bd));
	csb_free(&b);
}

/* Flipping any one byte makes decoding or the signature check fail. */
static void
test_tamper_each_byte(void **state)
{
	static const uint8_t masks[] = { 0x01, 0x80, 0xff };
	msgpack_sbuffer good;
	struct changeset cs;
	uint8_t *copy;
	unsigned decoded = 0, refused = 0;
	size_t i, k;

	(void)state;
	small_signed(&good);
	copy = malloc(good.size);
	assert_non_null(copy);
	for (k = 0; k < nitems(masks); k++) {
		for (i = 0; i < good.size; i++) {
			memcpy(copy, good.data, good.size);
			copy[i] ^= masks[k];
			if (cs_decode(copy, good.size, &cs, NULL) != 0) {
				refused++;
				continue;
			}
			decoded++;
			if (cs_verify(&cs) != E(SIGNATURE))
				fail_msg("byte %zu ^ 0x%02x: decodes and "
				    "verifies", i, masks[k]);
			cs_free(&cs);
		}
	}
	/* both defences were exercised: the signature bytes at least decode */
	assert_true(decoded >= nitems(masks) * CONSORT_SIG_BYTES);
	assert_true(refused > 0);
	assert_int_equal(decoded + refused, nitems(masks) * good.size);
	free(copy);
	msgpack_sbuffer_destroy(&good);
}

/* A signature by another key than the author's is refused. */
static void
test_wrong_signer(void **state)
{
	struct cs_dep deps[1];
	struct changeset cs;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	pack_signed(&out, &bd, bob.sk);
	assert_ok(cs_decode((const uint8_t *)out.data, out.size, &cs, NULL));
	assert_err(cs_verify(&cs), E(SIGNATURE));
	cs_free(&cs);
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
}

/* Bytes after the signature are refused. */
static void
test_trailing(void **state)
{
	msgpack_sbuffer good;
	struct changeset cs;
	uint8_t *buf;

	(void)state;
	small_signed(&good);
	buf = calloc(1, good.size + CONSORT_SIG_BYTES);
	assert_non_null(buf);
	memcpy(buf, good.data, good.size);
	assert_ok(cs_decode(buf, good.size, &cs, NULL));
	cs_free(&cs);
	assert_err(cs_decode(buf, good.size + 1, &cs, NULL), E(TRAILING));
	assert_err(cs_decode(buf, good.size + CONSORT_SIG_BYTES, &cs, NULL),
	    E(TRAILING));
	free(buf);
	msgpack_sbuffer_destroy(&good);
}

/* Every proper prefix of a change-set is refused as truncated. */
static void
test_truncated(void **state)
{
	msgpack_sbuffer good;
	struct consort_diag d = { 0 };
	struct changeset cs;
	uint8_t *copy;
	size_t len;

	(void)state;
	small_signed(&good);
	assert_err(cs_decode((const uint8_t *)good.data, good.size - 1, &cs,
	    &d),
	    E(TRUNCATED));
	assert_true(strstr(d.what, "signature") != NULL);
	assert_err(cs_decode((const uint8_t *)good.data,
	    good.size - CONSORT_SIG_BYTES, &cs, NULL), E(TRUNCATED));
	/* an exact-size copy, so a read past the prefix shows under ASan */
	for (len = 0; len < good.size; len++) {
		copy = malloc(len ? len : 1);
		assert_non_null(copy);
		memcpy(copy, good.data, len);
		if (cs_decode(copy, len, &cs, NULL) != E(TRUNCATED))
			fail_msg("prefix of %zu bytes not refused as truncated",
			    len);
		free(copy);
	}
	msgpack_sbuffer_destroy(&good);
}

/*
 * Only version 2 is known (version 1 carried personal values in clear),
 * and the body has exactly 8 elements.
 */
static void
test_version_and_shape(void **state)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	assert_int_equal(CONSORT_CS_VERSION, 2);
	assert_ok(decode_body(&bd));
	bd.version = 1;
	assert_err(decode_body(&bd), E(VERSION));
	bd.version = 3;
	assert_err(decode_body(&bd), E(VERSION));
	bd.version = 0;
	assert_err(decode_body(&bd), E(VERSION));
	bd.version = CONSORT_CS_VERSION;
	bd.nfields = 7;
	assert_err(decode_body(&bd), E(BADTYPE));
	bd.nfields = 9;
	assert_err(decode_body(&bd), E(BADTYPE));
	csb_free(&b);
}

/* seq counts from 1, and prev is zero exactly at seq 1. */
static void
test_seq_and_prev(void **state)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	bd.h.seq = 0;
	assert_err(decode_body(&bd), E(INVAL));
	memset(bd.h.prev, 0, CONSORT_HASH_BYTES);
	assert_err(decode_body(&bd), E(INVAL));
	bd.h.seq = 1;
	assert_ok(decode_body(&bd));
	bd.h.prev[31] = 1;		/* seq 1 with a predecessor */
	assert_err(decode_body(&bd), E(CHAIN));
	bd.h.seq = 2;
	memset(bd.h.prev, 0, CONSORT_HASH_BYTES);
	assert_err(decode_body(&bd), E(CHAIN));	/* seq 2 without one */
	csb_free(&b);
}

/* Deps are sorted by author, each once, never the author, seq at least 1. */
static void
test_deps(void **state)
{
	struct cs_dep deps[3], lo, hi;
	struct cs_builder b;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	lo = dep_on(&bob, 1);
	hi = dep_on(&carol, 1);
	if (memcmp(lo.author, hi.author, CONSORT_KEY_BYTES) > 0) {
		lo = dep_on(&carol, 1);
		hi = dep_on(&bob, 1);
	}
	bd.h.ndeps = 2;
	deps[0] = lo;
	deps[1] = hi;
	assert_ok(decode_body(&bd));
	deps[0] = hi;
	deps[1] = lo;
	assert_err(decode_body(&bd), E(NONCANON));	/* not sorted */
	deps[0] = lo;
	deps[1] = lo;
	deps[1].seq = 2;
	assert_err(decode_body(&bd), E(NONCANON));	/* one author twice */
	bd.h.ndeps = 1;
	deps[0] = dep_on(&alice, 1);
	assert_err(decode_body(&bd), E(INVAL));	/* the author itself */
	deps[0] = dep_on(&bob, 1);
	deps[0].seq = 0;
	assert_err(decode_body(&bd), E(INVAL));
	deps[0].seq = 1;
	assert_ok(decode_body(&bd));
	csb_free(&b);
}

/* Malformed deps arrays: too many, more than the bytes left, wrong shape. */
static void
test_deps_bounds(void **state)
{
	uint8_t buf[256];
	struct changeset cs;
	msgpack_sbuffer sb;
	msgpack_packer pk;
	uint8_t *big;
	size_t hdr, len;

	(void)state;
	/* the header up to deps, packed by hand */
	msgpack_sbuffer_init(&sb);
	msgpack_packer_init(&pk, &sb, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, 8);
	msgpack_pack_uint64(&pk, CONSORT_CS_VERSION);
	mp_pack_bin(&pk, consortium, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, alice.pk, CONSORT_KEY_BYTES);
	msgpack_pack_uint64(&pk, 1);
	memset(buf, 0, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, buf, CONSORT_HASH_BYTES);
	hdr = sb.size;
	assert_true(hdr + 16 < sizeof(buf));
	memcpy(buf, sb.data, hdr);

	/* 4000 deps announced, 64 bytes left: refused before any allocation */
	memcpy(buf + hdr, "\xdc\x0f\xa0", 3);
	memset(buf + hdr + 3, 0x93, 64);
	assert_err(cs_decode(buf, hdr + 3 + 64, &cs, NULL), E(TRUNCATED));
	/* 4 billion deps announced */
	memcpy(buf + hdr, "\xdd\xff\xff\xff\xff", 5);
	assert_err(cs_decode(buf, hdr + 5 + 64, &cs, NULL), E(TRUNCATED));

	/* more than CONSORT_CS_MAX_DEPS, with the bytes there */
	len = hdr + 3 + CONSORT_CS_MAX_DEPS + 1 + 64;
	big = malloc(len);
	assert_non_null(big);
	memcpy(big, buf, hdr);
	big[hdr] = 0xdc;
	big[hdr + 1] = (CONSORT_CS_MAX_DEPS + 1) >> 8;
	big[hdr + 2] = (CONSORT_CS_MAX_DEPS + 1) & 0xff;
	memset(big + hdr + 3, 0x93, len - hdr - 3);
	assert_err(cs_decode(big, len, &cs, NULL), E(TOOBIG));
	free(big);

	/* a dep of 2 elements */
	memcpy(buf + hdr, "\x91\x92\xc0\xc0", 4);
	memset(buf + hdr + 4, 0, 64);
	assert_err(cs_decode(buf, hdr + 4 + 64, &cs, NULL), E(BADTYPE));
	msgpack_sbuffer_destroy(&sb);
}

/* Returns cs_decode's code for a body whose only op is given. */
static int
one_op(unsigned kind, unsigned type, const char *ref, unsigned field,
    const struct value *v)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;
	int rc;

	default_body(&bd, &b, deps);
	csb_reset(&b);
	eid(type, ref, id);
	csb_op(&b, kind, type, id, field, v);
	bd.nops = b.nops;
	rc = decode_body(&bd);
	csb_free(&b);
	return rc;
}

/* Ops are checked against the schema: type, field, kind of value. */
static void
test_ops_schema(void **state)
{
	struct value s = tu_str("1410"), i = tu_int(1410), yes = tu_bool(true),
	    nil = { VAL_NIL, false, 0, NULL, 0 }, ref = tu_str("LOT-01");

	(void)state;
	/* the valid forms first, so the refusals below are about one thing */
	assert_ok(one_op(OP_SET, T_lot, "L", 3, &i));
	assert_ok(one_op(OP_SET, T_trainee, "T", 5, &(struct value){ VAL_STR,
	    false, 0, "employee", 8 }));
	assert_ok(one_op(OP_CREATE, T_lot, "L", 0, &ref));
	assert_ok(one_op(OP_DELETE, T_lot, "L", 0, NULL));
	assert_ok(one_op(OP_UNSET, T_lot, "L", 3, NULL));

	/* unknown types */
	assert_err(one_op(OP_SET, 99, "L", 1, &s), E(SCHEMA));
	assert_err(one_op(OP_SET, 0, "L", 1, &s), E(SCHEMA));
	assert_err(one_op(OP_CREATE, 9, "L", 0, &ref), E(SCHEMA));
	/* unknown fields */
	assert_err(one_op(OP_SET, T_lot, "L", 6, &s), E(SCHEMA));
	assert_err(one_op(OP_SET, T_lot, "L", 0, &s), E(SCHEMA));
	assert_err(one_op(OP_UNSET, T_lot, "L", 31, NULL), E(SCHEMA));
	/* values of the wrong kind: a string in an INT field, ... */
	assert_err(one_op(OP_SET, T_lot, "L", 3, &s), E(SCHEMA));
	assert_err(one_op(OP_SET, T_lot, "L", 3, &yes), E(SCHEMA));
	assert_err(one_op(OP_SET, T_lot, "L", 3, &nil), E(SCHEMA));
	assert_err(one_op(OP_SET, T_lot, "L", 3, &(struct value){ VAL_INT,
	    false, 0, NULL, 0 }), E(SCHEMA));			/* below 1 */
	assert_err(one_op(OP_SET, T_lot, "L", 1, &i), E(SCHEMA));
	assert_err(one_op(OP_SET, T_trainee, "T", 6, &s), E(SCHEMA));
	/* ... values a field's kind refuses: not in the enum, ... */
	assert_err(one_op(OP_SET, T_trainee, "T", 5, &(struct value){ VAL_STR,
	    false, 0, "retired", 7 }), E(SCHEMA));
	assert_err(one_op(OP_SET, T_intent, "I", 10, &(struct value){ VAL_STR,
	    false, 0, "selection,info_meeting", 22 }), E(SCHEMA));
	assert_err(one_op(OP_SET, T_intent, "I", 8, &(struct value){ VAL_STR,
	    false, 0, "2026-02-29", 10 }), E(SCHEMA));
	assert_err(one_op(OP_SET, T_session, "S", 1, &(struct value){ VAL_STR,
	    false, 0, "41852736200128", 14 }), E(SCHEMA));
	/* create carries a valid ref, and no field */
	assert_err(one_op(OP_CREATE, T_lot, "L", 0, &i), E(SCHEMA));
	assert_err(one_op(OP_CREATE, T_lot, "L", 0, &nil), E(SCHEMA));
	assert_err(one_op(OP_CREATE, T_lot, "L", 0, &(struct value){ VAL_STR,
	    false, 0, " LOT", 4 }), E(SCHEMA));
	assert_err(one_op(OP_CREATE, T_lot, "L", 1, &ref), E(INVAL));
	/* delete and unset carry no value */
	assert_err(one_op(OP_DELETE, T_lot, "L", 0, &ref), E(INVAL));
	assert_err(one_op(OP_DELETE, T_lot, "L", 1, NULL), E(INVAL));
	assert_err(one_op(OP_UNSET, T_lot, "L", 3, &i), E(INVAL));
	/* unknown kinds */
	assert_err(one_op(4, T_lot, "L", 1, &s), E(INVAL));
	assert_err(one_op(256, T_lot, "L", 1, &s), E(SCHEMA));
	assert_err(one_op(OP_SET, 256 + T_lot, "L", 1, &s), E(SCHEMA));
	assert_err(one_op(OP_SET, T_lot, "L", 256 + 1, &s), E(SCHEMA));
}

/* Decodes a body whose only op sets a trainee's field; keeps the diag. */
static int
one_trainee_set(unsigned field, const struct value *v, struct consort_diag *d)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct cs_dep deps[1];
	struct changeset cs;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct body bd;
	int rc;

	default_body(&bd, &b, deps);
	csb_reset(&b);
	eid(T_trainee, "T", id);
	csb_op(&b, OP_SET, T_trainee, id, field, v);
	bd.nops = b.nops;
	memset(d, 0, sizeof(*d));
	pack_signed(&out, &bd, alice.sk);
	rc = cs_decode((const uint8_t *)out.data, out.size, &cs, d);
	if (rc == 0)
		cs_free(&cs);
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
	return rc;
}

/*
 * A personal field carries a 32-byte commitment, never its value; a
 * binary value goes in no other field.  A refusal names the field.
 */
static void
test_ops_personal(void **state)
{
	static const uint8_t bytes[CONSORT_COMMIT_BYTES + 1] = { 0x5c };
	struct value c = { VAL_BIN, false, 0, (const char *)bytes,
	    CONSORT_COMMIT_BYTES };
	struct value shortc = c, longc = c;
	struct value name = tu_str("Durand"), year = tu_int(1989),
	    yes = tu_bool(true), status = tu_str("employee");
	struct consort_diag d;

	(void)state;
	shortc.len = CONSORT_COMMIT_BYTES - 1;
	longc.len = CONSORT_COMMIT_BYTES + 1;
	assert_ok(one_trainee_set(F_trainee_family_name, &c, &d));
	assert_ok(one_trainee_set(F_trainee_disability, &c, &d));
	assert_ok(one_trainee_set(F_trainee_status, &status, &d));
	assert_ok(one_op(OP_UNSET, T_trainee, "T", F_trainee_part_time, NULL));

	/* clear values of every kind a personal field holds */
	assert_err(one_trainee_set(F_trainee_family_name, &name, &d),
	    E(SCHEMA));
	assert_non_null(strstr(d.what, "field family_name"));
	assert_non_null(strstr(d.what, "commitment"));
	assert_null(strstr(d.what, "Durand"));
	assert_null(strstr(d.where, "Durand"));
	assert_err(one_trainee_set(F_trainee_birth_year, &year, &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "field birth_year"));
	assert_err(one_trainee_set(F_trainee_part_time, &yes, &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "field part_time"));
	/* a commitment of the wrong length */
	assert_err(one_trainee_set(F_trainee_ft_id, &shortc, &d), E(SCHEMA));
	assert_err(one_trainee_set(F_trainee_ft_id, &longc, &d), E(SCHEMA));
	/* a binary value in a field that is not personal */
	assert_err(one_trainee_set(F_trainee_status, &c, &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "field status"));
	assert_err(one_op(OP_SET, T_lot, "L", 1, &c), E(SCHEMA));
	/* a record's ref is no personal field: a create carries a string */
	assert_err(one_op(OP_CREATE, T_trainee, "T", 0, &c), E(SCHEMA));
}

/*
 * A string passes CONSORT_STR_MAX only in a field of kind TEXT (an order's
 * signed request), up to that field's own bound.
 */
static void
test_text_field(void **state)
{
	const struct schema_field *f = schema_field_by_name(
	    schema_type(T_order), "signed", 6);
	size_t big = CONSORT_STR_MAX + 1000;
	char *text = malloc((size_t)f->hi + 2);
	struct value v = { VAL_STR, false, 0, text, (uint32_t)big };

	(void)state;
	assert_non_null(text);
	memset(text, 'x', (size_t)f->hi + 1);
	assert_ok(one_op(OP_SET, T_order, "O", f->id, &v));
	v.len = (uint32_t)f->hi;
	assert_ok(one_op(OP_SET, T_order, "O", f->id, &v));
	v.len = (uint32_t)f->hi + 1;
	assert_err(one_op(OP_SET, T_order, "O", f->id, &v), E(TOOBIG));
	/* any other field: the 4096 bytes of every string */
	v.len = (uint32_t)big;
	assert_err(one_op(OP_SET, T_order, "O", schema_field_by_name(
	    schema_type(T_order), "hash", 4)->id, &v), E(TOOBIG));
	assert_err(one_op(OP_SET, T_session, "S", 4, &v), E(TOOBIG));
	free(text);
}

/* Malformed op shapes: wrong element count, id length, value encoding. */
static void
test_ops_shape(void **state)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct cs_dep deps[1];
	struct cs_builder b;
	msgpack_packer *pk = &b.pk;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	memset(id, 7, sizeof(id));

	csb_reset(&b);			/* 4 elements */
	msgpack_pack_array(pk, 4);
	msgpack_pack_uint32(pk, OP_DELETE);
	msgpack_pack_uint32(pk, T_lot);
	mp_pack_bin(pk, id, 16);
	msgpack_pack_uint32(pk, 0);
	assert_err(decode_body(&bd), E(BADTYPE));

	csb_reset(&b);			/* a 15-byte entity id */
	msgpack_pack_array(pk, 5);
	msgpack_pack_uint32(pk, OP_DELETE);
	msgpack_pack_uint32(pk, T_lot);
	mp_pack_bin(pk, id, 15);
	msgpack_pack_uint32(pk, 0);
	msgpack_pack_nil(pk);
	assert_err(decode_body(&bd), E(BADTYPE));

	csb_reset(&b);			/* a value that is not UTF-8 */
	msgpack_pack_array(pk, 5);
	msgpack_pack_uint32(pk, OP_SET);
	msgpack_pack_uint32(pk, T_lot);
	mp_pack_bin(pk, id, 16);
	msgpack_pack_uint32(pk, 1);
	mp_pack_strn(pk, "\xc0\x80", 2);
	assert_err(decode_body(&bd), E(BADUTF8));

	csb_reset(&b);			/* a float value */
	msgpack_pack_array(pk, 5);
	msgpack_pack_uint32(pk, OP_SET);
	msgpack_pack_uint32(pk, T_lot);
	mp_pack_bin(pk, id, 16);
	msgpack_pack_uint32(pk, 3);
	msgpack_pack_double(pk, 1410.0);
	assert_err(decode_body(&bd), E(BADTYPE));

	csb_reset(&b);			/* a kind in a signed form */
	msgpack_pack_array(pk, 5);
	msgpack_sbuffer_write(&b.ops, "\xd0\x01", 2);
	msgpack_pack_uint32(pk, T_lot);
	mp_pack_bin(pk, id, 16);
	msgpack_pack_uint32(pk, 1);
	mp_pack_strn(pk, "x", 1);
	assert_err(decode_body(&bd), E(NONCANON));
	csb_free(&b);
}

/* A change-set holds at least one op, and csb_sign will not sign none. */
static void
test_empty_ops(void **state)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	msgpack_sbuffer out;
	struct body bd;

	(void)state;
	default_body(&bd, &b, deps);
	csb_reset(&b);
	bd.nops = 0;
	assert_err(decode_body(&bd), E(INVAL));
	msgpack_sbuffer_init(&out);
	assert_err(csb_sign(&b, &bd.h, alice.sk, &out), E(INVAL));
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
}

/* An ops count the bytes cannot hold, or over the bound, is refused. */
static void
test_ops_bounds(void **state)
{
	struct cs_dep deps[1];
	struct cs_builder b;
	struct body bd;
	size_t i;

	(void)state;
	default_body(&bd, &b, deps);
	bd.nops = 200;			/* more than the bytes left */
	assert_err(decode_body(&bd), E(TRUNCATED));
	/* CONSORT_CS_MAX_OPS + 1 announced, and that many bytes follow */
	csb_reset(&b);
	for (i = 0; i < CONSORT_CS_MAX_OPS + 1; i++)
		msgpack_pack_nil(&b.pk);
	bd.nops = CONSORT_CS_MAX_OPS + 1;
	assert_err(decode_body(&bd), E(TOOBIG));
	csb_free(&b);
}

/* A change-set over CONSORT_CS_MAX_BYTES is refused; one just under decodes. */
static void
test_too_big(void **state)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct cs_dep deps[1];
	struct changeset cs;
	struct cs_builder b;
	msgpack_sbuffer out;
	struct body bd;
	char *reason;
	struct value v;
	unsigned i;

	(void)state;
	reason = malloc(1000);
	assert_non_null(reason);
	memset(reason, 'r', 1000);
	v = (struct value){ VAL_STR, false, 0, reason, 1000 };
	default_body(&bd, &b, deps);
	csb_reset(&b);
	eid(T_derogation, "D1", id);
	for (i = 0; i < 1000; i++)
		csb_op(&b, OP_SET, T_derogation, id, 4, &v);
	bd.nops = b.nops;
	assert_ok(decode_body(&bd));		/* about 1.02 MB: fits */

	for (i = 0; i < 100; i++)
		csb_op(&b, OP_SET, T_derogation, id, 4, &v);
	bd.nops = b.nops;
	pack_signed(&out, &bd, alice.sk);
	assert_true(out.size > CONSORT_CS_MAX_BYTES);
	assert_err(cs_decode((const uint8_t *)out.data, out.size, &cs, NULL),
	    E(TOOBIG));
	/* csb_sign refuses to write it */
	assert_err(csb_sign(&b, &bd.h, alice.sk, &out), E(TOOBIG));
	msgpack_sbuffer_destroy(&out);
	csb_free(&b);
	free(reason);
}

/* Op kinds have names for messages. */
static void
test_op_kind_names(void **state)
{
	(void)state;
	assert_string_equal(cs_op_kind_name(OP_CREATE), "create");
	assert_string_equal(cs_op_kind_name(OP_SET), "set");
	assert_string_equal(cs_op_kind_name(OP_UNSET), "unset");
	assert_string_equal(cs_op_kind_name(OP_DELETE), "delete");
	assert_string_equal(cs_op_kind_name(4), "unknown");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),
		cmocka_unit_test(test_reencode_identical),
		cmocka_unit_test(test_genesis_shape),
		cmocka_unit_test(test_tamper_each_byte),
		cmocka_unit_test(test_wrong_signer),
		cmocka_unit_test(test_trailing),
		cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_version_and_shape),
		cmocka_unit_test(test_seq_and_prev),
		cmocka_unit_test(test_deps),
		cmocka_unit_test(test_deps_bounds),
		cmocka_unit_test(test_ops_schema),
		cmocka_unit_test(test_ops_personal),
		cmocka_unit_test(test_text_field),
		cmocka_unit_test(test_ops_shape),
		cmocka_unit_test(test_empty_ops),
		cmocka_unit_test(test_ops_bounds),
		cmocka_unit_test(test_too_big),
		cmocka_unit_test(test_op_kind_names),
	};

	return cmocka_run_group_tests_name("changeset", tests, group_setup,
	    NULL);
}
