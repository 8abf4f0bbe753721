/* consort whoami: the node's member, role, public key and consortium. */
#include <string.h>

#include "../cmd.h"

struct whoami {
	const struct store *s;
	char pk[2 * CONSORT_KEY_BYTES + 1];
	char consortium[2 * CONSORT_HASH_BYTES + 1];
	struct value name, siret, role;
	char holder[15];  /* the SIRET the node's key speaks for, if any */
	bool found;
};

/*
 * Picks the roster entry of the node's key: the one bound to it, or the
 * member it speaks for after a rotation or a recovery.
 */
static int
find_self(void *ctx, const struct record *r)
{
	static const struct value none = { VAL_STR, false, 0, "?", 1 };
	struct whoami *w = ctx;
	const struct value *key = state_field(w->s, r, F_member_key), *v;
	const struct value *siret = state_field(w->s, r, F_member_siret);
	bool bound = key != NULL && key->len == 64 &&
	    memcmp(key->s, w->pk, 64) == 0;
	bool holds = w->holder[0] != '\0' && siret != NULL &&
	    siret->len == strlen(w->holder) &&
	    memcmp(siret->s, w->holder, siret->len) == 0;

	if (!bound && !holds)
		return 0;
	w->found = true;
	w->name = (v = state_field(w->s, r, F_member_name)) ? *v : none;
	w->siret = (v = state_field(w->s, r, F_member_siret)) ? *v : none;
	w->role = (v = state_field(w->s, r, F_member_role)) ? *v : none;
	return 1;
}

/* Prints the identity as text or JSON. */
static void
print_whoami(const struct whoami *w, bool json)
{
	struct jsonw jw;

	if (!json) {
		if (w->found)
			printf(_("member      %.*s (SIRET %.*s), %.*s\n"),
			    (int)w->name.len, w->name.s, (int)w->siret.len,
			    w->siret.s, (int)w->role.len, w->role.s);
		else
			printf(_("member      (not in the roster yet)\n"));
		printf(_("public key  %s\nconsortium  %s\n"), w->pk,
		    w->consortium);
		return;
	}
	jw_init(&jw, stdout);
	jw_obj(&jw);
	jw_key(&jw, "consortium");
	jw_str(&jw, w->consortium);
	jw_key(&jw, "key");
	jw_str(&jw, w->pk);
	jw_key(&jw, "member");
	if (w->found)
		jw_value(&jw, &w->name);
	else
		jw_null(&jw);
	jw_key(&jw, "role");
	if (w->found)
		jw_value(&jw, &w->role);
	else
		jw_null(&jw);
	jw_key(&jw, "siret");
	if (w->found)
		jw_value(&jw, &w->siret);
	else
		jw_null(&jw);
	jw_obj_end(&jw);
	putchar('\n');
}

/* Prints who this node is. */
static int
whoami_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct whoami w;
	struct store_txn *txn;
	bool json = cmd_args_has(args, "json");
	bool key_only = cmd_args_has(args, "key");
	int rc;

	if (json && key_only)
		return cmd_usage(ctx, _("--json and --key exclude each other"));
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	memset(&w, 0, sizeof(w));
	w.s = &ctx->node->store;
	util_hex(w.pk, ctx->node->pk, CONSORT_KEY_BYTES);
	if (key_only) {
		printf("%s\n", w.pk);
		return EXIT_OK;
	}
	util_hex(w.consortium, ctx->node->consortium, CONSORT_HASH_BYTES);
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = perm_roster(txn, &ctx->node->store)) == 0) {
		const struct member *m = perm_member_by_key(&ctx->node->store,
		    ctx->node->pk);

		if (m != NULL)
			memcpy(w.holder, m->siret, sizeof(w.holder));
		rc = state_foreach(txn, &ctx->node->store, T_member, find_self,
		    &w);
	}
	if (rc >= 0)
		print_whoami(&w, json);  /* values point into the transaction */
	store_abort(txn);
	return rc < 0 ? cmd_fail(ctx, rc, NULL) : EXIT_OK;
}

static const struct cmd_opt whoami_opts[] = {
	{ "json", NULL, N_("print a JSON object") },
	{ "key", NULL, N_(
	    "print only the public key (64 hex), for scripts and\n"
	    "`order verify --key`") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_whoami_entry = {
	.name = "whoami",
	.usage = N_("[--json | --key]"),
	.summary = N_("print this node's member, role, public key (hex) and "
	    "consortium id"),
	.args = { .opts = whoami_opts },
	.exec = whoami_exec,
};
