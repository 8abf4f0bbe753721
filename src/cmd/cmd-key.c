/*
 * consort key rotate|recover|rotate-recovery|handover|list: keys over
 * time (DESIGN.md §2).  A member replaces its key; the lead whose laptop
 * is lost binds a new one with the consortium's recovery secret; any
 * member hands the consortium over to the lead's new machine.
 */
#include <string.h>

#include <sodium.h>

#include "../cmd.h"

/* Prints a key in hex, or its first 16 digits when short. */
static void
print_key(const char *label, const uint8_t *key, bool json, struct jsonw *jw)
{
	char hex[2 * CONSORT_KEY_BYTES + 1];

	util_hex(hex, key, CONSORT_KEY_BYTES);
	if (json) {
		jw_key(jw, label);
		jw_str(jw, hex);
	} else
		printf("%-12s %s\n", label, hex);
}

/* Loads the secret key; a sealed one with its passphrase, kept in *pass. */
static int
unlock_keeping(struct cmd_ctx *ctx, char **pass, size_t *passlen)
{
	struct consort_diag d = { 0 };
	bool typed = false;
	int rc;

	*pass = NULL;
	*passlen = 0;
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if (ctx->node->sealed && (rc = cmd_passphrase_open(ctx, ctx->node->dir,
	    pass, passlen, &typed)) != 0)
		return rc;
	if ((rc = node_unlock(ctx->node, *pass, *passlen, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return 0;
}

/* key rotate: a new key pair for this node, signed by the old one. */
static int
key_rotate(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	uint8_t old[CONSORT_KEY_BYTES], fresh[CONSORT_KEY_BYTES];
	bool json = cmd_args_has(args, "json");
	struct jsonw jw;
	size_t passlen;
	char *pass;
	int rc;

	if ((rc = unlock_keeping(ctx, &pass, &passlen)) != 0)
		return rc;
	memcpy(old, ctx->node->pk, CONSORT_KEY_BYTES);
	rc = node_rotate(ctx->node, pass, passlen, fresh, &d);
	sodium_free(pass);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	if (json) {
		jw_init(&jw, stdout);
		jw_obj(&jw);
	} else
		printf(_("this node signs with a new key from now on:\n"));
	print_key("old", old, json, &jw);
	print_key("new", fresh, json, &jw);
	if (json) {
		jw_obj_end(&jw);
		putchar('\n');
	} else
		printf(_("peers accept the new key once they have this change: "
		    "sync with them; the old key's later change-sets are "
		    "refused everywhere\n"));
	return EXIT_OK;
}

/* Reads the recovery secret of --recovery-file. */
static int
read_secret(struct cmd_ctx *ctx, const struct cmd_args *args,
    const char *opt, uint8_t seed[RECOVERY_SEED_BYTES])
{
	struct consort_diag d = { 0 };
	const char *path = cmd_args_get(args, opt);
	int rc;

	if (path == NULL)
		return cmd_usage(ctx, _("--%s FILE is required"), opt);
	if ((rc = recovery_file_read(path, seed, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return 0;
}

/*
 * With --new-recovery-file, replaces the recovery key by a new one whose
 * secret goes into that file (checked before anything is written).
 */
static int
new_recovery(struct cmd_ctx *ctx, const struct cmd_args *args,
    const uint8_t seed[RECOVERY_SEED_BYTES], bool *done)
{
	struct consort_diag d = { 0 };
	const char *path = cmd_args_get(args, "new-recovery-file");
	char id[2 * CONSORT_HASH_BYTES + 1];
	uint8_t fresh[RECOVERY_SEED_BYTES];
	int rc;

	*done = false;
	if (path == NULL)
		return 0;
	randombytes_buf(fresh, sizeof(fresh));
	util_hex(id, ctx->node->consortium, CONSORT_HASH_BYTES);
	if ((rc = recovery_file_write(path, fresh, "", id, &d)) == 0 &&
	    (rc = node_rotate_recovery(ctx->node, seed, fresh, &d)) != 0)
		remove(path);
	sodium_memzero(fresh, sizeof(fresh));
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	*done = true;
	return 0;
}

/* Refuses a --new-recovery-file that could not be created, up front. */
static int
check_new_file(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *path = cmd_args_get(args, "new-recovery-file");
	int rc;

	if (path != NULL && (rc = recovery_file_check(path, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	return 0;
}

/* key recover: this node's key becomes the lead's, by the recovery key. */
static int
key_recover(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	uint8_t seed[RECOVERY_SEED_BYTES], replaced[CONSORT_KEY_BYTES];
	bool json = cmd_args_has(args, "json"), rotated = false;
	struct jsonw jw;
	int rc;

	if ((rc = cmd_open(ctx, true)) != 0 || (rc = check_new_file(ctx,
	    args)) != 0 || (rc = read_secret(ctx, args, "recovery-file",
	    seed)) != 0)
		return rc;
	if ((rc = node_recover(ctx->node, seed, replaced, &d)) != 0) {
		sodium_memzero(seed, sizeof(seed));
		return cmd_fail(ctx, rc, &d);
	}
	rc = new_recovery(ctx, args, seed, &rotated);
	sodium_memzero(seed, sizeof(seed));
	if (json) {
		jw_init(&jw, stdout);
		jw_obj(&jw);
	} else
		printf(_("this node's key is the lead's from now on:\n"));
	print_key("replaced", replaced, json, &jw);
	print_key("lead", ctx->node->pk, json, &jw);
	if (json) {
		jw_key(&jw, "recovery_rotated");
		jw_bool(&jw, rotated);
		jw_obj_end(&jw);
		putchar('\n');
	} else {
		printf(_("the lost key's change-sets after the last one this "
		    "node holds are refused everywhere; sync with every member "
		    "(or carry a bundle) so that they accept the new key\n"));
		if (rotated)
			printf(_("the recovery key was replaced: keep the new "
			    "recovery file offline, the old secret no longer "
			    "works\n"));
	}
	return rc != 0 ? rc : EXIT_OK;
}

/* key rotate-recovery: a new recovery key, signed by the current one. */
static int
key_rotate_recovery(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	uint8_t seed[RECOVERY_SEED_BYTES];
	bool done = false;
	int rc;

	if (cmd_args_get(args, "new-recovery-file") == NULL)
		return cmd_usage(ctx, _("--new-recovery-file FILE is required"));
	if ((rc = cmd_open(ctx, true)) != 0 || (rc = check_new_file(ctx,
	    args)) != 0 || (rc = read_secret(ctx, args, "recovery-file",
	    seed)) != 0)
		return rc;
	rc = new_recovery(ctx, args, seed, &done);
	sodium_memzero(seed, sizeof(seed));
	if (rc != 0)
		return rc;
	printf(_("the recovery key was replaced; its secret is in %s: keep it "
	    "offline, the old secret no longer works\n"),
	    cmd_args_get(args, "new-recovery-file"));
	return EXIT_OK;
}

/* key handover PUBKEY --out FILE: the consortium for the lead's new machine. */
static int
key_handover(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *out = cmd_args_get(args, "out");
	uint8_t key[CONSORT_KEY_BYTES];
	struct outfile of;
	int rc;

	if (out == NULL || strcmp(out, "-") == 0)
		return cmd_usage(ctx, _("--out FILE is required"));
	if ((rc = cmd_parse_key(ctx, _("the new machine's key"), args->argv[0],
	    key)) != 0)
		return EXIT_USAGE;
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if (perm_member_by_key(&ctx->node->store, key) != NULL) {
		consort_diag_set(&d, E(EXIST), args->argv[0], _("this key is "
		    "already a member's"), _("give the key consort keygen "
		    "printed on the lead's new machine"));
		return cmd_fail(ctx, E(EXIST), &d);
	}
	if ((rc = outfile_open(&of, out, 0600, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	if ((rc = cmd_invite_handover(ctx, key, of.f, out, &d)) != 0) {
		outfile_abort(&of);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = outfile_commit(&of, &d)) != 0)
		return cmd_fail(ctx, rc, &d);
	printf(_("wrote %s for the lead's new machine: there, consort join "
	    "FILE, then sync with this node, then consort key recover\n"), out);
	return EXIT_OK;
}

/* One row of key list. */
static void
list_row(const struct store *s, const struct roster_key *k, bool json,
    struct jsonw *jw)
{
	const struct member *m = k->member >= 0 ? &s->roster[k->member] : NULL;
	char hex[2 * CONSORT_KEY_BYTES + 1];

	util_hex(hex, k->key, CONSORT_KEY_BYTES);
	if (!json) {
		printf("%-14s %-8s %-9s %s\n", m != NULL ? m->siret : "-",
		    m != NULL ? (m->role == ROLE_LEAD ? "lead" : m->role ==
		    ROLE_CO ? "co" : "sub") : "recovery",
		    k->current ? _("current") : _("replaced"), hex);
		return;
	}
	jw_obj(jw);
	jw_key(jw, "key");
	jw_str(jw, hex);
	jw_key(jw, "member");
	if (m != NULL)
		jw_str(jw, m->siret);
	else
		jw_null(jw);
	jw_key(jw, "recovery");
	jw_bool(jw, m == NULL);
	jw_key(jw, "current");
	jw_bool(jw, k->current);
	jw_obj_end(jw);
}

/* key list [--json]: every key the roster knows, current or replaced. */
static int
key_list(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	bool json = cmd_args_has(args, "json");
	struct store *s;
	struct store_txn *txn;
	struct jsonw jw;
	uint32_t i;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	s = &ctx->node->store;
	if ((rc = store_begin(s, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	s->roster_stale = true;
	rc = perm_roster(txn, s);
	store_abort(txn);
	if (rc != 0)
		return cmd_fail(ctx, rc, NULL);
	if (json) {
		jw_init(&jw, stdout);
		jw_arr(&jw);
	}
	for (i = 0; i < s->nrkeys; i++)
		list_row(s, &s->rkeys[i], json, &jw);
	if (json) {
		jw_arr_end(&jw);
		putchar('\n');
	}
	return EXIT_OK;
}

static const struct cmd_opt key_json_opts[] = {
	{ "json", NULL, N_("print JSON") },
	{ NULL, NULL, NULL },
};

static const struct cmd_opt key_recover_opts[] = {
	{ "recovery-file", N_("FILE"), N_("the recovery secret consort init "
	    "showed\n(the groups typed into a file, or its file)") },
	{ "new-recovery-file", N_("FILE"), N_("also replace the recovery key; "
	    "its new\nsecret is written there (mode 0600)") },
	{ "json", NULL, N_("print JSON") },
	{ NULL, NULL, NULL },
};

static const struct cmd_opt key_rotate_recovery_opts[] = {
	{ "recovery-file", N_("FILE"), N_("the recovery secret consort init "
	    "showed\n(the groups typed into a file, or its file)") },
	{ "new-recovery-file", N_("FILE"), N_("also replace the recovery key; "
	    "its new\nsecret is written there (mode 0600)") },
	{ NULL, NULL, NULL },
};

static const struct cmd_opt key_handover_opts[] = {
	{ "out", N_("FILE"), N_("the file for the new machine, sealed to its "
	    "key") },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry key_rotate_entry = {
	.name = "rotate",
	.usage = N_("[--json]"),
	.summary = N_("replace this node's key pair by a new one"),
	.args = { .opts = key_json_opts },
	.exec = key_rotate,
};

static const struct cmd_entry key_recover_entry = {
	.name = "recover",
	.usage = N_("--recovery-file FILE [--new-recovery-file FILE] [--json]"),
	.summary = N_("make this node's key the lead's, with the recovery "
	    "secret"),
	.args = { .opts = key_recover_opts },
	.help_col = 24,
	.exec = key_recover,
};

static const struct cmd_entry key_rotate_recovery_entry = {
	.name = "rotate-recovery",
	.usage = N_("--recovery-file FILE --new-recovery-file FILE"),
	.summary = N_("replace the consortium's recovery key"),
	.args = { .opts = key_rotate_recovery_opts },
	.help_col = 24,
	.exec = key_rotate_recovery,
};

static const struct cmd_entry key_handover_entry = {
	.name = "handover",
	.usage = N_("PUBKEY --out FILE"),
	.summary = N_("hand the consortium over to the lead's new machine"),
	.args = { .opts = key_handover_opts, .lower = 1, .upper = 1,
	    .missing = N_("expected the new machine's public key"),
	    .unexpected = N_("expected the new machine's public key") },
	.exec = key_handover,
};

static const struct cmd_entry key_list_entry = {
	.name = "list",
	.usage = N_("[--json]"),
	.summary = N_("every key of the roster, current or replaced"),
	.args = { .opts = key_json_opts },
	.exec = key_list,
};

static const struct cmd_entry *const key_sub[] = {
	&key_rotate_entry,
	&key_recover_entry,
	&key_rotate_recovery_entry,
	&key_handover_entry,
	&key_list_entry,
	NULL,
};

const struct cmd_entry cmd_key_entry = {
	.name = "key",
	.usage = N_("rotate | recover | rotate-recovery | handover | list"),
	.summary = N_("replace keys: rotation, the lead's recovery"),
	.args = { .missing = N_("expected rotate, recover, rotate-recovery, "
	    "handover or list"), .unexpected = N_("expected rotate, recover, "
	    "rotate-recovery, handover or list") },
	.sub = key_sub,
	.help = N_(
	    "rotate: the new key is signed by the old one; peers accept it once\n"
	    "they have the change, and refuse the old key's later change-sets.\n"
	    "A sealed key stays sealed with the same passphrase.\n"
	    "The day the lead's laptop is lost: on the new machine, consort\n"
	    "keygen; a member runs consort key handover PUBKEY --out FILE (the\n"
	    "consortium's identity, network key and genesis sealed to PUBKEY,\n"
	    "binding nothing); on the new machine, consort join FILE, a sync with\n"
	    "that member, then consort key recover, which binds the new key as\n"
	    "the lead's, signed by the recovery key whose code consort init\n"
	    "showed. The lost key's change-sets after the last one this node\n"
	    "holds count nowhere.\n"),
};
