/*
 * Unit tests of invite.c: an invite sealed to a new member's key opens
 * with that key only, carries what join needs byte for byte, and names who
 * invites only when its genesis is the consortium's, signed by its lead.
 * Altered, cut or malformed invites are refused, each with its error.
 */
#include "testutil.h"

#define INVITED_SIRET "50324917900212"

/* A lead node, a member key pair, and an invite made for that member. */
struct fix {
	char *dir;
	struct node *lead;
	uint8_t pk[CONSORT_KEY_BYTES], sk[64];
	struct tu_cs genesis;
	uint8_t keys[2 * CONSORT_KEY_BYTES];
	struct invite inv;		/* what the lead seals */
	msgpack_sbuffer file;		/* the sealed invite */
};

/* Per-test setup: the lead, a member key and the invite sealed to it. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	f->lead = tu_node_init(f->dir, "lead", NULL);
	crypto_sign_keypair(f->pk, f->sk);
	f->genesis = tu_stored_cs(&f->lead->store, f->lead->pk, 1);
	memset(f->keys, 0xa1, CONSORT_KEY_BYTES);
	memset(f->keys + CONSORT_KEY_BYTES, 0xb2, CONSORT_KEY_BYTES);
	memcpy(f->inv.consortium, f->lead->consortium, CONSORT_HASH_BYTES);
	memcpy(f->inv.founder, f->lead->founder, CONSORT_KEY_BYTES);
	assert_ok(node_netkey(f->lead, f->inv.netkey));
	snprintf(f->inv.address, sizeof(f->inv.address), "lead.example:7400");
	snprintf(f->inv.siret, sizeof(f->inv.siret), "%s", INVITED_SIRET);
	f->inv.genesis = f->genesis.p;
	f->inv.genesis_len = f->genesis.len;
	f->inv.keys = f->keys;
	f->inv.nkeys = 2;
	msgpack_sbuffer_init(&f->file);
	assert_ok(invite_seal(&f->inv, f->pk, &f->file));
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	msgpack_sbuffer_destroy(&f->file);
	tu_cs_free(&f->genesis);
	node_close(f->lead);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Opens bytes with the member's key; returns the error, diag in d. */
static int
open_bytes(struct fix *f, const void *p, size_t len, struct invite *inv,
    struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return invite_open(p, len, f->pk, f->sk, inv, d);
}

/* Seals a hand-made payload to the member's key, as invite_seal frames it. */
static void
seal_payload(struct fix *f, const msgpack_sbuffer *plain, msgpack_sbuffer *out)
{
	uint8_t curve[crypto_box_PUBLICKEYBYTES];
	uint8_t *sealed = malloc(plain->size + crypto_box_SEALBYTES);

	assert_non_null(sealed);
	assert_int_equal(crypto_sign_ed25519_pk_to_curve25519(curve, f->pk), 0);
	assert_int_equal(crypto_box_seal(sealed, (const uint8_t *)plain->data,
	    plain->size, curve), 0);
	msgpack_sbuffer_clear(out);
	msgpack_sbuffer_write(out, "CSRTINV1", 8);
	msgpack_sbuffer_write(out, (const char *)sealed,
	    plain->size + crypto_box_SEALBYTES);
	free(sealed);
}

/* How a hand-made payload departs from a good one. */
enum spoil { GOOD, VERSION2, SEVEN_FIELDS, TRAILING, KEYS_33, LONG_ADDRESS,
	BAD_SIRET, SHORT_FOUNDER };

/* Packs the invite's payload, spoiled one way. */
static void
pack_payload(struct fix *f, enum spoil how, msgpack_sbuffer *plain)
{
	char address[300];
	msgpack_packer pk;

	memset(address, 'h', sizeof(address));
	msgpack_sbuffer_clear(plain);
	msgpack_packer_init(&pk, plain, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, how == SEVEN_FIELDS ? 7 : 8);
	msgpack_pack_uint32(&pk, how == VERSION2 ? 2 : 1);
	mp_pack_bin(&pk, f->inv.consortium, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, f->inv.founder, how == SHORT_FOUNDER ?
	    CONSORT_KEY_BYTES - 1 : CONSORT_KEY_BYTES);
	mp_pack_bin(&pk, f->inv.netkey, 32);
	if (how == LONG_ADDRESS)
		mp_pack_strn(&pk, address, sizeof(address));
	else
		mp_pack_strn(&pk, "a:1", 3);
	if (how == BAD_SIRET)
		mp_pack_strn(&pk, "50324917900213", 14);
	else
		mp_pack_strn(&pk, INVITED_SIRET, 14);
	mp_pack_bin(&pk, f->genesis.p, f->genesis.len);
	if (how != SEVEN_FIELDS)
		mp_pack_bin(&pk, f->keys, how == KEYS_33 ? 33 :
		    2 * CONSORT_KEY_BYTES);
	if (how == TRAILING)
		msgpack_pack_nil(&pk);
}

/* An invite opens with the member's key, its content intact. */
static void
test_round_trip(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct invite got;

	assert_int_equal(f->file.size, 8 + crypto_box_SEALBYTES + 1 + 1 +
	    2 + 32 + 2 + 32 + 2 + 32 + 1 + strlen("lead.example:7400") + 1 +
	    14 + 3 + f->genesis.len + 2 + 64);
	assert_memory_equal(f->file.data, "CSRTINV1", 8);
	/* the network key does not travel in clear */
	assert_null(memmem(f->file.data, f->file.size, f->inv.netkey, 32));
	assert_ok(open_bytes(f, f->file.data, f->file.size, &got, &d));
	assert_memory_equal(got.consortium, f->lead->consortium,
	    CONSORT_HASH_BYTES);
	assert_memory_equal(got.founder, f->lead->pk, CONSORT_KEY_BYTES);
	assert_memory_equal(got.netkey, f->inv.netkey, 32);
	assert_string_equal(got.address, "lead.example:7400");
	assert_string_equal(got.siret, INVITED_SIRET);
	assert_int_equal(got.genesis_len, f->genesis.len);
	assert_memory_equal(got.genesis, f->genesis.p, f->genesis.len);
	assert_int_equal(got.nkeys, 2);
	assert_memory_equal(got.keys, f->keys, sizeof(f->keys));
	assert_non_null(got.buf);
	invite_free(&got);
	assert_null(got.buf);
	assert_true(sodium_is_zero(got.netkey, 32));
}

/* The identity join shows comes from the genesis: names, SIRET, keys. */
static void
test_identity(void **state)
{
	struct fix *f = *state;
	struct invite_identity id;
	struct consort_diag d;
	struct invite got;
	char hex[2 * CONSORT_HASH_BYTES + 1];

	assert_ok(open_bytes(f, f->file.data, f->file.size, &got, &d));
	assert_ok(invite_identity(&got, &id, &d));
	util_hex(hex, f->lead->consortium, CONSORT_HASH_BYTES);
	assert_string_equal(id.consortium, hex);
	util_hex(hex, f->lead->pk, CONSORT_KEY_BYTES);
	assert_string_equal(id.lead_key, hex);
	assert_string_equal(id.name, "Consortium Test");
	assert_string_equal(id.market, "MKT-2026-01");
	assert_string_equal(id.lead_name, "Lead Formation");
	assert_string_equal(id.lead_siret, TU_LEAD_SIRET);
	invite_free(&got);
}

/* Another key cannot open it; nothing is left allocated. */
static void
test_wrong_key(void **state)
{
	uint8_t pk[CONSORT_KEY_BYTES], sk[64];
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct invite got;

	crypto_sign_keypair(pk, sk);
	assert_err(invite_open((const uint8_t *)f->file.data, f->file.size, pk,
	    sk, &got, &d), E(PERM));
	assert_null(got.buf);
	assert_non_null(strstr(d.what, "not made for this node's key"));
	/* the lead's own key neither */
	assert_err(invite_open((const uint8_t *)f->file.data, f->file.size,
	    f->lead->pk, f->lead->sk, &got, &d), E(PERM));
}

/* Every altered byte, a cut, and a file that is no invite, are refused. */
static void
test_altered(void **state)
{
	struct fix *f = *state;
	struct consort_diag d;
	struct invite got;
	uint8_t *copy = malloc(f->file.size + 1);
	size_t i;
	int rc;

	assert_non_null(copy);
	for (i = 0; i < f->file.size; i++) {
		memcpy(copy, f->file.data, f->file.size);
		copy[i] ^= 0x01;
		rc = open_bytes(f, copy, f->file.size, &got, &d);
		if (rc != (i < 8 ? E(BADTYPE) : E(PERM)))
			fail_msg("byte %zu altered: %s", i,
			    consort_err_name(rc));
		assert_null(got.buf);
	}
	memcpy(copy, f->file.data, f->file.size);
	assert_err(open_bytes(f, copy, f->file.size - 1, &got, &d), E(PERM));
	copy[f->file.size] = 0;
	assert_err(open_bytes(f, copy, f->file.size + 1, &got, &d), E(PERM));
	assert_err(open_bytes(f, copy, 8 + crypto_box_SEALBYTES - 1, &got, &d),
	    E(BADTYPE));
	assert_string_equal(d.what, "not a consort invite file");
	assert_err(open_bytes(f, copy, 0, &got, &d), E(BADTYPE));
	assert_err(open_bytes(f, copy, INVITE_MAX_BYTES + 1, &got, &d),
	    E(BADTYPE));
	free(copy);
}

/* A payload sealed to the right key but malformed is refused by kind. */
static void
test_malformed_payload(void **state)
{
	static const struct {
		enum spoil how;
		int err;
	} cases[] = {
		{ GOOD, 0 },
		{ VERSION2, E(VERSION) },
		{ SEVEN_FIELDS, E(BADTYPE) },
		{ TRAILING, E(TRAILING) },
		{ KEYS_33, E(BADTYPE) },
		{ LONG_ADDRESS, E(BADTYPE) },
		{ BAD_SIRET, E(BADTYPE) },
		{ SHORT_FOUNDER, E(BADTYPE) },
	};
	struct fix *f = *state;
	msgpack_sbuffer plain, file;
	struct consort_diag d;
	struct invite got;
	size_t i;
	int rc;

	msgpack_sbuffer_init(&plain);
	msgpack_sbuffer_init(&file);
	for (i = 0; i < nitems(cases); i++) {
		pack_payload(f, cases[i].how, &plain);
		seal_payload(f, &plain, &file);
		rc = open_bytes(f, file.data, file.size, &got, &d);
		if (rc != cases[i].err)
			fail_msg("case %zu: %s, want %s", i,
			    consort_err_name(rc),
			    consort_err_name(cases[i].err));
		if (rc == 0) {
			assert_string_equal(got.address, "a:1");
			invite_free(&got);
			continue;
		}
		assert_null(got.buf);
		assert_string_equal(d.what,
		    "the invite's content is malformed");
	}
	msgpack_sbuffer_destroy(&plain);
	msgpack_sbuffer_destroy(&file);
}

/*
 * The genesis must be the consortium's it names (seq 1, its id, signed by
 * the founder named); otherwise join shows nothing and refuses.
 */
static void
test_identity_refusals(void **state)
{
	struct fix *f = *state;
	struct invite_identity id;
	struct consort_diag d = { 0 };
	struct invite got;
	struct tu_cs other;
	struct node *stranger;

	assert_ok(open_bytes(f, f->file.data, f->file.size, &got, &d));
	/* another consortium's id */
	got.consortium[0] ^= 0x01;
	assert_err(invite_identity(&got, &id, &d), E(CONSORTIUM));
	assert_non_null(strstr(d.what, "its genesis is not the consortium's"));
	got.consortium[0] ^= 0x01;
	/* another founder */
	got.founder[5] ^= 0x01;
	assert_err(invite_identity(&got, &id, &d), E(CONSORTIUM));
	got.founder[5] ^= 0x01;
	assert_ok(invite_identity(&got, &id, &d));
	/* a genesis that does not decode */
	got.genesis_len -= 1;
	assert_true(invite_identity(&got, &id, &d) < 0);
	assert_non_null(strstr(d.what, "its genesis does not decode"));
	got.genesis_len += 1;
	invite_free(&got);

	/* another consortium's genesis, under this consortium's id */
	stranger = tu_node_init(f->dir, "stranger", NULL);
	other = tu_stored_cs(&stranger->store, stranger->pk, 1);
	f->inv.genesis = other.p;
	f->inv.genesis_len = other.len;
	assert_ok(invite_seal(&f->inv, f->pk, &f->file));
	assert_ok(open_bytes(f, f->file.data, f->file.size, &got, &d));
	assert_err(invite_identity(&got, &id, &d), E(CONSORTIUM));
	invite_free(&got);
	tu_cs_free(&other);
	node_close(stranger);
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_round_trip),
		T(test_identity),
		T(test_wrong_key),
		T(test_altered),
		T(test_malformed_payload),
		T(test_identity_refusals),
	};
#undef T

	return cmocka_run_group_tests_name("invite", tests, tu_group_setup,
	    NULL);
}
