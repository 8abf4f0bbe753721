/*
 * Invite files: what a new member needs to join, sealed to its key.
 *
 *   file    = "CSRTINV1" || crypto_box_seal(payload, X25519 of member key)
 *   payload = [1, consortium(32), founder(32), network key(32),
 *              lead address (str, may be empty), member SIRET (str),
 *              genesis change-set (bin), member keys (bin, 32 each)]
 *
 * The member keys are those bound when the invite was made, so that the
 * new node can authenticate other members before its first sync brings it
 * the roster.
 *
 * Only the holder of the member's secret key opens it; the network key
 * never travels in clear.
 */
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "core.h"

#define INVITE_MAGIC "CSRTINV1"
#define INVITE_VERSION 1
#define INVITE_FIELDS 8

/* Seals an invite for the member whose Ed25519 public key is member_pk. */
int
invite_seal(const struct invite *inv, const uint8_t member_pk[32],
    msgpack_sbuffer *out)
{
	uint8_t curve[crypto_box_PUBLICKEYBYTES];
	msgpack_sbuffer plain;
	msgpack_packer pk;
	size_t sealed;
	char *p;

	if (crypto_sign_ed25519_pk_to_curve25519(curve, member_pk) != 0)
		return E(KEY);
	msgpack_sbuffer_init(&plain);
	msgpack_packer_init(&pk, &plain, msgpack_sbuffer_write);
	msgpack_pack_array(&pk, INVITE_FIELDS);
	msgpack_pack_uint32(&pk, INVITE_VERSION);
	mp_pack_bin(&pk, inv->consortium, CONSORT_HASH_BYTES);
	mp_pack_bin(&pk, inv->founder, CONSORT_KEY_BYTES);
	mp_pack_bin(&pk, inv->netkey, 32);
	mp_pack_strn(&pk, inv->address, strlen(inv->address));
	mp_pack_strn(&pk, inv->siret, strlen(inv->siret));
	mp_pack_bin(&pk, inv->genesis, inv->genesis_len);
	mp_pack_bin(&pk, inv->keys, (size_t)inv->nkeys * CONSORT_KEY_BYTES);
	sealed = plain.size + crypto_box_SEALBYTES;
	msgpack_sbuffer_clear(out);
	msgpack_sbuffer_write(out, INVITE_MAGIC, 8);
	if ((p = calloc(1, sealed)) == NULL ||
	    msgpack_sbuffer_write(out, p, sealed) != 0) {
		free(p);
		sodium_memzero(plain.data, plain.size);
		msgpack_sbuffer_destroy(&plain);
		return E(NOMEM);
	}
	free(p);
	p = out->data + 8;
	crypto_box_seal((uint8_t *)p, (const uint8_t *)plain.data, plain.size,
	    curve);
	sodium_memzero(plain.data, plain.size);
	msgpack_sbuffer_destroy(&plain);
	return 0;
}

/* Reads the payload's fields into inv (pointers into plain). */
static int
parse_payload(const uint8_t *plain, size_t len, struct invite *inv)
{
	struct mp_reader r;
	const char *s;
	uint32_t n, slen;
	uint64_t version;

	mp_reader_init(&r, plain, len);
	if (mp_read_array(&r, &n) != 0 || mp_read_uint(&r, &version) != 0)
		return E(BADTYPE);
	if (version != INVITE_VERSION)
		return E(VERSION);
	if (n != INVITE_FIELDS ||
	    mp_read_bin_fixed(&r, inv->consortium, CONSORT_HASH_BYTES) != 0 ||
	    mp_read_bin_fixed(&r, inv->founder, CONSORT_KEY_BYTES) != 0 ||
	    mp_read_bin_fixed(&r, inv->netkey, 32) != 0)
		return E(BADTYPE);
	if (mp_read_str(&r, &s, &slen) != 0 || slen >= sizeof(inv->address))
		return E(BADTYPE);
	memcpy(inv->address, s, slen);
	inv->address[slen] = '\0';
	if (mp_read_str(&r, &s, &slen) != 0 || !util_siret_valid(s, slen))
		return E(BADTYPE);
	memcpy(inv->siret, s, slen);
	inv->siret[slen] = '\0';
	if (mp_read_bin(&r, &inv->genesis, &n) != 0)
		return E(BADTYPE);
	inv->genesis_len = n;
	if (mp_read_bin(&r, &inv->keys, &n) != 0 || n % CONSORT_KEY_BYTES != 0)
		return E(BADTYPE);
	inv->nkeys = n / CONSORT_KEY_BYTES;
	return r.p == r.end ? 0 : E(TRAILING);
}

/*
 * Opens an invite file's bytes with the member's secret key.  inv->buf
 * holds the opened payload (free with invite_free).
 */
int
invite_open(const uint8_t *file, size_t len, const uint8_t pk[32],
    const uint8_t sk[64], struct invite *inv, struct consort_diag *d)
{
	uint8_t cpk[crypto_box_PUBLICKEYBYTES], csk[crypto_box_SECRETKEYBYTES];
	int rc;

	memset(inv, 0, sizeof(*inv));
	if (len < 8 + crypto_box_SEALBYTES || len > INVITE_MAX_BYTES ||
	    memcmp(file, INVITE_MAGIC, 8) != 0)
		return consort_diag_set(d, E(BADTYPE), NULL,
		    _("not a consort invite "
		    "file"), _("ask the lead for the file consort invite "
		    "wrote"));
	if (crypto_sign_ed25519_pk_to_curve25519(cpk, pk) != 0 ||
	    crypto_sign_ed25519_sk_to_curve25519(csk, sk) != 0)
		return E(KEY);
	inv->buf_len = len - 8 - crypto_box_SEALBYTES;
	if ((inv->buf = malloc(inv->buf_len + 1)) == NULL)
		return E(NOMEM);
	rc = crypto_box_seal_open(inv->buf, file + 8, len - 8, cpk, csk);
	sodium_memzero(csk, sizeof(csk));
	if (rc != 0) {
		invite_free(inv);
		return consort_diag_set(d, E(PERM), NULL,
		    _("this invite was not "
		    "made for this node's key (or was altered)"),
		    _("send the lead the key that consort keygen printed in "
		    "this directory"));
	}
	if ((rc = parse_payload(inv->buf, inv->buf_len, inv)) != 0) {
		invite_free(inv);
		return consort_diag_set(d, rc, NULL,
		    _("the invite's content is "
		    "malformed"), _("ask the lead for a new invite"));
	}
	return 0;
}

/* Copies a string value into a NUL-terminated buffer of len bytes. */
static void
copy_str(char *out, size_t len, const struct value *v)
{
	size_t n = v->kind == VAL_STR && v->len < len ? v->len : 0;

	memcpy(out, n ? v->s : "", n);
	out[n] = '\0';
}

/*
 * Reads who invites from an opened invite's genesis: it must be signed by
 * the founder the invite names and be the consortium whose id it carries,
 * and name the lead with the founder's key.  What join shows the new
 * member before it writes anything.
 */
int
invite_identity(const struct invite *inv, struct invite_identity *id,
    struct consort_diag *d)
{
	static const char *const lead_role = "lead";
	uint8_t lead[CONSORT_EID_BYTES];
	struct changeset cs;
	const struct cs_op *op;
	bool is_lead = false, has_lead = false;
	char key[2 * CONSORT_KEY_BYTES + 1];
	uint32_t i;
	int rc;

	memset(id, 0, sizeof(*id));
	util_hex(id->consortium, inv->consortium, CONSORT_HASH_BYTES);
	util_hex(id->lead_key, inv->founder, CONSORT_KEY_BYTES);
	if ((rc = cs_decode(inv->genesis, inv->genesis_len, &cs, NULL)) != 0)
		return consort_diag_set(d, rc, "invite",
		    _("its genesis does not "
		    "decode"), _("ask the lead for a new invite"));
	rc = E(CONSORTIUM);
	if (cs.seq != 1 || cs_verify(&cs) != 0 ||
	    memcmp(cs.author, inv->founder, CONSORT_KEY_BYTES) != 0 ||
	    memcmp(cs.id, inv->consortium, CONSORT_HASH_BYTES) != 0) {
		cs_free(&cs);
		return consort_diag_set(d, rc, "invite",
		    _("its genesis is not the "
		    "consortium's it names, signed by the lead it names"),
		    _("ask the lead for a new invite"));
	}
	/* the member record whose role is lead: its name, SIRET and key */
	for (i = 0; i < cs.nops && !has_lead; i++) {
		op = &cs.ops[i];
		if (op->type == T_member && op->kind == OP_SET &&
		    op->field == F_member_role &&
		    op->val.kind == VAL_STR && op->val.len == strlen(lead_role) &&
		    memcmp(op->val.s, lead_role, op->val.len) == 0) {
			memcpy(lead, op->id, CONSORT_EID_BYTES);
			has_lead = true;
		}
	}
	key[0] = '\0';
	for (i = 0; i < cs.nops; i++) {
		op = &cs.ops[i];
		if (op->kind != OP_SET)
			continue;
		if (op->type == T_consortium && op->field == F_consortium_name)
			copy_str(id->name, sizeof(id->name), &op->val);
		else if (op->type == T_consortium &&
		    op->field == F_consortium_market)
			copy_str(id->market, sizeof(id->market), &op->val);
		is_lead = has_lead && op->type == T_member &&
		    memcmp(op->id, lead, CONSORT_EID_BYTES) == 0;
		if (is_lead && op->field == F_member_name)
			copy_str(id->lead_name, sizeof(id->lead_name), &op->val);
		else if (is_lead && op->field == F_member_siret)
			copy_str(id->lead_siret, sizeof(id->lead_siret), &op->val);
		else if (is_lead && op->field == F_member_key)
			copy_str(key, sizeof(key), &op->val);
	}
	cs_free(&cs);
	if (!has_lead || !id->name[0] || !id->lead_siret[0] ||
	    strcmp(key, id->lead_key) != 0)
		return consort_diag_set(d, rc, "invite",
		    _("its genesis names no "
		    "consortium, or no lead bound to the founder's key"),
		    _("ask the lead for a new invite"));
	return 0;
}

/* Wipes and frees an opened invite. */
void
invite_free(struct invite *inv)
{
	if (inv->buf != NULL) {
		sodium_memzero(inv->buf, inv->buf_len);
		free(inv->buf);
	}
	sodium_memzero(inv->netkey, sizeof(inv->netkey));
	inv->buf = NULL;
}
