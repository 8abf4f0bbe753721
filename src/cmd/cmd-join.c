/* consort join: turns a keygen directory into a member's node. */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../cmd.h"

/* Reads a whole file of at most max bytes. */
static int
slurp(const char *path, size_t max, uint8_t **buf, size_t *len)
{
	FILE *f = fopen(path, "rb");
	size_t n;

	if (f == NULL)
		return E(NOENT);
	if ((*buf = malloc(max + 1)) == NULL) {
		fclose(f);
		return E(NOMEM);
	}
	n = fread(*buf, 1, max + 1, f);
	fclose(f);
	if (n > max) {
		free(*buf);
		return E(TOOBIG);
	}
	*len = n;
	return 0;
}

/* Whether a pin (64 hex, either case) names hex (64 lowercase hex). */
static bool
pin_matches(const char *pin, const char *hex)
{
	size_t i;

	if (strlen(pin) != strlen(hex))
		return false;
	for (i = 0; hex[i]; i++)
		if (tolower((unsigned char)pin[i]) != hex[i])
			return false;
	return true;
}

/* Prints who invites, before anything is written. */
static void
show_identity(const struct invite_identity *id, const struct invite *inv)
{
	printf(_("invite to the consortium \"%s\" (market %s)\n"), id->name,
	    id->market);
	printf(_("  consortium id  %s\n"), id->consortium);
	printf(_("  lead           %s, SIRET %s\n"), id->lead_name,
	    id->lead_siret);
	printf(_("  lead key       %s\n"), id->lead_key);
	printf(_("  you join as    SIRET %s\n"), inv->siret);
	fflush(stdout);
}

/*
 * Asks on the terminal whether to join an invite that no pin checked, as
 * ssh asks about a host it does not know; true for yes.
 */
static bool
confirm(void)
{
	char line[16];

	printf(_("Check the consortium id or the lead key with the lead (its "
	    "consort whoami prints both).\nJoin this consortium? [y/N] "));
	fflush(stdout);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	/* and the French answers, "o" or "oui" */
	return strcmp(line, "y\n") == 0 || strcmp(line, "yes\n") == 0 ||
	    strcmp(line, "Y\n") == 0 || strcmp(line, "o\n") == 0 ||
	    strcmp(line, "oui\n") == 0 || strcmp(line, "O\n") == 0;
}

/*
 * Checks who invites against the pins; with none, asks on a terminal, and
 * only warns without one (a script: pin, or pass --yes to say so).
 * Returns 0 to join, or the exit code of a refusal.
 */
static int
check_inviter(struct cmd_ctx *ctx, const struct invite_identity *id,
    const char *expect_consortium, const char *expect_lead, bool yes)
{
	struct consort_diag d = { 0 };
	char what[300];

	if (expect_consortium != NULL &&
	    !pin_matches(expect_consortium, id->consortium)) {
		snprintf(what, sizeof(what), _("the invite is for consortium "
		    "%.16s..., not the expected %.16s..."), id->consortium,
		    expect_consortium);
		consort_diag_set(&d, E(PERM), "invite", what,
		    _("nothing was written; "
		    "ask the lead for its consortium id (consort whoami) and "
		    "invite"));
		return cmd_fail(ctx, E(PERM), &d);
	}
	if (expect_lead != NULL && !pin_matches(expect_lead, id->lead_key)) {
		snprintf(what, sizeof(what), _("the invite comes from lead key "
		    "%.16s..., not the expected %.16s..."), id->lead_key,
		    expect_lead);
		consort_diag_set(&d, E(PERM), "invite", what,
		    _("nothing was written; "
		    "check the lead's key with the lead (consort whoami)"));
		return cmd_fail(ctx, E(PERM), &d);
	}
	if (expect_consortium != NULL || expect_lead != NULL || yes)
		return 0;
	if (isatty(STDIN_FILENO) && isatty(STDOUT_FILENO)) {
		if (confirm())
			return 0;
		consort_diag_set(&d, E(PERM), "invite", _("not confirmed"),
		    _("nothing was written"));
		return cmd_fail(ctx, E(PERM), &d);
	}
	fprintf(stderr, _("consort join: joined without a pin: check the "
	    "consortium id and the lead key above with the lead, or pass "
	    "--expect-lead KEY\n"));
	return 0;
}

/* Whether s is 64 hexadecimal digits. */
static bool
hex64(const char *s)
{
	size_t i;

	for (i = 0; s[i]; i++)
		if (!isxdigit((unsigned char)s[i]))
			return false;
	return i == 64;
}

/* Opens the invite, shows who invites, checks the pins, creates the node. */
static int
join_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *expect_consortium = cmd_args_get(args, "expect-consortium");
	const char *expect_lead = cmd_args_get(args, "expect-lead");
	const char *path = args->argv[0];
	struct consort_diag d = { 0 };
	struct invite_identity id;
	struct node *keys = NULL;
	struct invite inv;
	uint8_t *buf;
	size_t len;
	int rc;

	if ((expect_consortium != NULL && !hex64(expect_consortium)) ||
	    (expect_lead != NULL && !hex64(expect_lead)))
		return cmd_usage(ctx, _("--expect-consortium and --expect-lead "
		    "take 64 hexadecimal digits"));
	if ((rc = slurp(path, INVITE_MAX_BYTES, &buf, &len)) != 0) {
		consort_diag_set(&d, rc, path, _("cannot read the invite file"),
		    _("give the file consort invite wrote"));
		return cmd_fail(ctx, rc, &d);
	}
	/* the key pair of keygen: open it as a node without a store */
	if ((rc = cmd_open_keys(ctx, &keys)) != 0) {
		free(buf);
		return rc;
	}
	rc = invite_open(buf, len, keys->pk, keys->sk, &inv, &d);
	free(buf);
	node_close(keys);
	if (rc == 0 && (rc = invite_identity(&inv, &id, &d)) != 0)
		invite_free(&inv);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	show_identity(&id, &inv);
	if ((rc = check_inviter(ctx, &id, expect_consortium, expect_lead,
	    cmd_args_has(args, "yes"))) != 0) {
		invite_free(&inv);
		return rc;
	}
	rc = node_join(ctx->dir, &inv, &ctx->node, &d);
	if (rc == 0 && inv.address[0])
		rc = peers_add(ctx->node, inv.address, &d);
	if (rc != 0) {
		invite_free(&inv);
		return cmd_fail(ctx, rc, &d);
	}
	printf(_("joined consortium %s as SIRET %s\n"), id.consortium,
	    inv.siret);
	if (inv.address[0])
		printf(_("the lead serves at %s (added to the peers); next: "
		    "consort sync\n"), inv.address);
	else
		printf(_("next: consort sync HOST:PORT of the lead or another "
		    "member\n"));
	invite_free(&inv);
	return EXIT_OK;
}

static const struct cmd_opt join_opts[] = {
	{ "expect-consortium", N_("ID"), N_(
	    "refuse (exit 3, nothing written) unless the\n"
	    "consortium id is ID (64 hex)") },
	{ "expect-lead", N_("KEY"), N_(
	    "refuse (exit 3, nothing written) unless the\n"
	    "lead's key is KEY (64 hex)") },
	{ "yes", NULL, N_("join without a pin and without asking") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_join_entry = {
	.name = "join",
	.usage = N_("FILE [--expect-consortium ID] [--expect-lead KEY] "
	    "[--yes]"),
	.summary = N_("become a member with the invite the lead sent (after "
	    "consort keygen)"),
	.args = { .opts = join_opts, .lower = 1, .upper = 1,
	    .missing = N_("expected the invite FILE"),
	    .unexpected = N_("expected the invite FILE") },
	.help_head = N_(
	    "Opens the invite with this directory's secret key (made by consort\n"
	    "keygen) and shows who invites: the consortium's name and id, the\n"
	    "lead's name, SIRET and public key (64 hex, as the lead's consort\n"
	    "whoami prints them). Anyone who knows your public key can seal an\n"
	    "invite to it, so check them with the lead. Then it creates the store\n"
	    "with the consortium's genesis and network key, and adds the lead's\n"
	    "address to the peers. The rest of the log arrives with the first\n"
	    "consort sync.\n"),
	.help = N_(
	    "Without a pin or --yes, join asks for confirmation on a terminal; run\n"
	    "from a script (no terminal), it joins and warns on stderr.\n"),
	.exec = join_exec,
};
