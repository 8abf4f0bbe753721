/* consort invite: binds a member's key in the roster and writes its invite. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../cmd.h"

struct invite_args {
	struct roster_invite rq;
	const char *key_hex;
	const char *out;
	const char *address;
	const char *role;
};

#define KEY_HINT N_("give the 64 hex digits that consort keygen printed " \
	"on the node of that key")

/*
 * Reads a key option (--key): an Ed25519 public key, 64 hex digits; a
 * refusal says what is wrong with it (its length, a character, the curve).
 */
int
cmd_parse_key(struct cmd_ctx *ctx, const char *opt, const char *hex,
    uint8_t key[CONSORT_KEY_BYTES])
{
	struct consort_diag d = { 0 };
	size_t len = strlen(hex), i;
	char what[200];

	for (i = 0; i < len && isxdigit((unsigned char)hex[i]); i++)
		;
	if (i < len)
		snprintf(what, sizeof(what), _("character %zu (%s%c%s) is not "
		    "a hex digit"), i + 1, isprint((unsigned char)hex[i]) ?
		    "\"" :
		    _("byte "), isprint((unsigned char)hex[i]) ? hex[i] : '?',
		    isprint((unsigned char)hex[i]) ? "\"" : "");
	else if (len != 2 * CONSORT_KEY_BYTES)
		snprintf(what, sizeof(what), _("%zu characters, where a public "
		    "key has 64 hex digits%s"), len, len > 64 ?
		    _(" (a line cut wrong, "
		    "or two keys?)") : _(" (cut short?)"));
	else if (util_unhex(key, CONSORT_KEY_BYTES, hex) != 0 ||
	    crypto_core_ed25519_is_valid_point(key) == 0)
		snprintf(what, sizeof(what), _("64 hex digits, but not an "
		    "Ed25519 public key (no point of the curve, or one of "
		    "small order): a typing error?"));
	else
		return 0;
	consort_diag_set(&d, E(INVAL), opt, what, _(KEY_HINT));
	return cmd_fail(ctx, E(INVAL), &d);
}

/* Reads and checks the option values. */
static int
parse(struct cmd_ctx *ctx, const struct cmd_args *args, struct invite_args *a)
{
	a->rq.name = cmd_args_get(args, "name");
	a->rq.siret = cmd_args_get(args, "siret");
	a->role = cmd_args_get(args, "role");
	a->key_hex = cmd_args_get(args, "key");
	a->rq.parent = cmd_args_get(args, "parent");
	a->rq.dc4 = cmd_args_get(args, "dc4");
	a->out = cmd_args_get(args, "out");
	a->address = cmd_args_get(args, "address");
	if (!a->rq.siret || !a->role || !a->key_hex || !a->out)
		return cmd_usage(ctx, _("--siret, --role, --key and --out are "
		    "required"));
	if (strcmp(a->out, "-") == 0)
		return cmd_usage(ctx, _("--out takes a file: the invite is "
		    "written only once the binding is recorded"));
	if (strcmp(a->role, "co") == 0)
		a->rq.role = ROLE_CO;
	else if (strcmp(a->role, "sub") == 0)
		a->rq.role = ROLE_SUB;
	else
		return cmd_usage(ctx, _("--role takes co or sub"));
	if (cmd_parse_key(ctx, "--key", a->key_hex, a->rq.key) != 0)
		return EXIT_USAGE;
	if (!util_siret_valid(a->rq.siret, strlen(a->rq.siret)))
		return cmd_usage(ctx, _("--siret takes 14 digits with a valid "
		    "Luhn check digit"));
	if (a->address != NULL && strlen(a->address) > 200)
		return cmd_usage(ctx, _("--address is too long"));
	return 0;
}

/* Lists the keys of the members bound and not revoked. */
static int
member_keys(struct cmd_ctx *ctx, struct store_txn *txn, struct invite *inv)
{
	struct store *s = &ctx->node->store;
	static uint8_t keys[STORE_MAX_MEMBERS][CONSORT_KEY_BYTES];
	uint32_t i;
	int rc;

	s->roster_stale = true;
	if ((rc = perm_roster(txn, s)) != 0)
		return rc;
	inv->nkeys = 0;
	for (i = 0; i < s->nroster; i++)
		if (s->roster[i].has_key && !s->roster[i].revoked)
			memcpy(keys[inv->nkeys++], s->roster[i].key, CONSORT_KEY_BYTES);
	inv->keys = keys[0];
	return 0;
}

/* Fills the invite with the consortium's identity, network key and genesis. */
static int
fill_invite(struct cmd_ctx *ctx, struct store_txn *txn,
    const struct invite_args *a, struct invite *inv)
{
	struct store_val v;
	int rc;

	memset(inv, 0, sizeof(*inv));
	memcpy(inv->consortium, ctx->node->consortium, CONSORT_HASH_BYTES);
	memcpy(inv->founder, ctx->node->founder, CONSORT_KEY_BYTES);
	snprintf(inv->address, sizeof(inv->address), "%s",
	    a->address ? a->address : "");
	snprintf(inv->siret, sizeof(inv->siret), "%s", a->rq.siret);
	if ((rc = node_netkey(ctx->node, inv->netkey)) != 0 ||
	    (rc = store_get_change(txn, &ctx->node->store, ctx->node->founder, 1,
	    &v)) != 0)
		return rc;
	inv->genesis = v.data;
	inv->genesis_len = v.len;
	return member_keys(ctx, txn, inv);
}

/* Records the binding, then writes the sealed invite. */
static int
invite_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	struct invite_args a;
	struct invite inv;
	struct outfile of;
	msgpack_sbuffer out;
	struct edit e;
	int rc;

	memset(&a, 0, sizeof(a));
	memset(&inv, 0, sizeof(inv));
	if ((rc = parse(ctx, args, &a)) != 0)
		return rc;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if (memcmp(a.rq.key, ctx->node->pk, CONSORT_KEY_BYTES) == 0) {
		consort_diag_set(&d, E(INVAL), "--key",
		    _("that is this node's own "
		    "public key (the lead's), not the member's"), _(KEY_HINT));
		return cmd_fail(ctx, E(INVAL), &d);
	}
	/* refused before anything is bound: not a file --out may replace */
	if ((rc = outfile_open(&of, a.out, 0600, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	if ((rc = edit_begin(ctx->node, &e)) != 0) {
		outfile_abort(&of);
		return cmd_fail(ctx, rc, NULL);
	}
	msgpack_sbuffer_init(&out);
	if ((rc = roster_invite(&e, &a.rq, &d)) != 0 ||
	    (rc = edit_flush(&e)) != 0 ||
	    (rc = fill_invite(ctx, e.txn, &a, &inv)) != 0 ||
	    (rc = invite_seal(&inv, a.rq.key, &out)) != 0 ||
	    (rc = fwrite(out.data, 1, out.size, of.f) == out.size ? 0 :
	    consort_diag_set(&d, E(IO), a.out, _("cannot write"), NULL)) != 0) {
		sodium_memzero(inv.netkey, sizeof(inv.netkey));
		if (!d.what[0])
			d = e.diag;
		edit_abort(&e);
		outfile_abort(&of);
		msgpack_sbuffer_destroy(&out);
		return cmd_fail(ctx, rc, &d);
	}
	sodium_memzero(inv.netkey, sizeof(inv.netkey));
	msgpack_sbuffer_destroy(&out);
	if ((rc = edit_commit(&e)) != 0) {
		outfile_abort(&of);
		return cmd_fail(ctx, rc, &e.diag);
	}
	/* the binding is recorded: a failed rename keeps what was written */
	of.keep = true;
	if ((rc = outfile_commit(&of, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	printf(_("invited %s (SIRET %s) as %s; invite written to %s\n"),
	    a.rq.name ? a.rq.name : _("member"), a.rq.siret, a.role, a.out);
	return EXIT_OK;
}

/*
 * Writes, for the lead's new machine (consort key handover), the
 * consortium's identity, network key, genesis and members' keys sealed
 * to its key, binding nothing; and lets that key sync with this node
 * until the recovery makes it the lead's.
 */
int
cmd_invite_handover(struct cmd_ctx *ctx, const uint8_t key[CONSORT_KEY_BYTES],
    FILE *f, const char *out, struct consort_diag *d)
{
	const struct member *lead = NULL;
	struct store_txn *txn;
	struct invite_args a;
	struct invite inv;
	msgpack_sbuffer buf;
	uint32_t i;
	int rc;

	memset(&a, 0, sizeof(a));
	if ((rc = store_begin(&ctx->node->store, true, &txn)) != 0)
		return rc;
	if ((rc = perm_roster(txn, &ctx->node->store)) == 0)
		for (i = 0; i < ctx->node->store.nroster; i++)
			if (ctx->node->store.roster[i].role == ROLE_LEAD)
				lead = &ctx->node->store.roster[i];
	a.rq.siret = lead != NULL ? lead->siret : "";
	msgpack_sbuffer_init(&buf);
	if (rc == 0 && (rc = fill_invite(ctx, txn, &a, &inv)) == 0 &&
	    (rc = invite_seal(&inv, key, &buf)) == 0 &&
	    fwrite(buf.data, 1, buf.size, f) != buf.size)
		rc = consort_diag_set(d, E(IO), out, _("cannot write"), NULL);
	sodium_memzero(inv.netkey, sizeof(inv.netkey));
	msgpack_sbuffer_destroy(&buf);
	if (rc == 0)
		rc = node_trust_key(ctx->node, txn, key);
	if (rc != 0) {
		store_abort(txn);
		return rc;
	}
	return store_commit(txn);
}

static const struct cmd_opt invite_opts[] = {
	{ "siret", N_("SIRET"), N_("the member (co: one awarded at "
	    "creation)") },
	{ "role", N_("co|sub"), N_("co-contractor, or subcontractor (R10)") },
	{ "key", N_("PUBKEY"), N_("the key consort keygen printed on its "
	    "node") },
	{ "name", N_("NAME"), N_("its name (sub: required in practice)") },
	{ "parent", N_("SIRET"), N_("sub: the member it is attached to") },
	{ "dc4", N_("REF"), N_("sub: its DC4 subcontracting declaration") },
	{ "address", "H:P", N_("where this node serves, written into the "
	    "invite") },
	{ "out", N_("FILE"), N_("the invite file, sealed to the member's key\n"
	    "(mode 0600; it replaces a regular file whole,\n"
	    "never a device, folder or link)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_invite_entry = {
	.name = "invite",
	.usage = N_("--siret SIRET --role co|sub --key PUBKEY [--name NAME] "
	    "[--parent SIRET --dc4 REF] [--address HOST:PORT] --out FILE"),
	.summary = N_("bind a member's key in the roster and write its sealed "
	    "invite (lead)"),
	.args = { .opts = invite_opts },
	.help_col = 20,
	.exec = invite_exec,
};
