/*
 * consort erase: erases a trainee's personal values (GDPR art. 17) in one
 * change-set, then compacts the store so that no old page keeps them.
 */
#include <string.h>
#include <time.h>

#include "../cmd.h"
#include "../rights.h"

/* Today's date (UTC) as YYYY-MM-DD, the default day of an erasure. */
void
cmd_today(char out[11])
{
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 11, "%Y-%m-%d", &tm);
}

/*
 * Compacts the node's store after an erasure: LMDB keeps the old bytes of
 * the pages it frees, the deleted values' among them, until a copy without
 * its free pages replaces the file.
 * @return 0, or an error of store_compact() (E(BUSY): another process
 *	holds the store open; the compaction is pending and runs once the
 *	node is alone)
 */
int
erase_compact(struct cmd_ctx *ctx)
{
	struct store_compact_stats st;
	struct consort_diag d = { 0 };

	return store_compact(&ctx->node->store, &st, &d);
}

/* What a compaction that could not run leaves to do, for a hint. */
const char *
erase_compact_hint(int rc)
{
	return rc == E(BUSY) ? _("another process has the node's store open "
	    "(consort serve or sync?); the compaction is pending and runs at "
	    "the next command once that process has stopped, or run consort "
	    "compact then") : _("run consort compact");
}

/* The roster's lead, or NULL. */
static const struct member *
lead_of(const struct store *s)
{
	uint32_t i;

	for (i = 0; i < s->nroster; i++)
		if (s->roster[i].role == ROLE_LEAD)
			return &s->roster[i];
	return NULL;
}

/*
 * Explains a refused erasure: only the lead or the member who recorded the
 * trainee may; d is left as it was for any other refusal (a member off the
 * roster).
 */
void
cmd_erase_refused(struct store_txn *txn, struct node *n, const char *ref,
    struct consort_diag *d)
{
	struct store *s = &n->store;
	const struct member *me, *lead;
	char what[512], hint[512];

	if (perm_roster(txn, s) != 0 || perm_is_lead(s, n->pk) ||
	    (me = perm_member_by_key(s, n->pk)) == NULL)
		return;
	lead = lead_of(s);
	snprintf(what, sizeof(what), _("only the lead or the member who "
	    "recorded a trainee may erase its personal values, and this node's "
	    "member, %s (SIRET %s), did not record it"), me->name, me->siret);
	snprintf(hint, sizeof(hint), _("ask the lead (%s, SIRET %s) or the "
	    "member who recorded it to erase it; nothing was written"),
	    lead != NULL ? lead->name : "?", lead != NULL ? lead->siret : "?");
	snprintf(d->where, sizeof(d->where), "trainee %s", ref);
	consort_diag_set(d, E(PERM), d->where, what, hint);
}

/* Refuses a trainee erased already, compacting the store on the way. */
static int
erased_already(struct cmd_ctx *ctx, struct consort_diag *d)
{
	char hint[sizeof(d->hint)];
	int rc;

	/* the erasure came by sync, or its compaction could not run */
	if ((rc = erase_compact(ctx)) == 0)
		snprintf(hint, sizeof(hint), _("nothing was written; the store "
		    "was compacted: no old page of it keeps the values"));
	else
		snprintf(hint, sizeof(hint), _("nothing was written; the store "
		    "could not be compacted (%s): %s"), consort_strerror(rc),
		    erase_compact_hint(rc));
	snprintf(d->hint, sizeof(d->hint), "%s", hint);
	return cmd_fail(ctx, E(ERASED), d);
}

/* Writes the erasure of one trainee and compacts the store. */
static int
erase_trainee(struct cmd_ctx *ctx, const char *ref, const char *date,
    const char *reason)
{
	struct consort_diag d = { 0 };
	unsigned held;
	struct edit e;
	int rc;

	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	rc = rights_erase(&e, ref, strlen(ref), date, reason, strlen(reason),
	    &held, &d);
	if (rc == E(ERASED)) {
		edit_abort(&e);
		return erased_already(ctx, &d);
	}
	if (rc == 0 && (rc = edit_flush(&e)) != 0) {
		d = e.diag;
		if (rc == E(PERM))
			cmd_erase_refused(e.txn, ctx->node, ref, &d);
	}
	if (rc != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf(_("erased trainee %s: personal values erased on %s (%u held on "
	    "this node, deleted)\n"), ref, date, held);
	if ((rc = erase_compact(ctx)) != 0) {
		snprintf(d.where, sizeof(d.where), "%s", ctx->dir);
		snprintf(d.what, sizeof(d.what), _("the erasure is recorded, "
		    "but the store could not be compacted: old pages of it may "
		    "still keep the values, sealed"));
		snprintf(d.hint, sizeof(d.hint), "%s", erase_compact_hint(rc));
		return cmd_fail(ctx, rc, &d);
	}
	printf(_("store compacted: no old page keeps the values\n"));
	return EXIT_OK;
}

/* Parses "trainee REF --reason TEXT [--date DATE]" and erases. */
static int
erase_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *reason = cmd_args_get(args, "reason");
	const char *date = cmd_args_get(args, "date");
	char today[11];

	if (strcmp(args->argv[0], "trainee") != 0)
		return cmd_usage(ctx, _("only a trainee holds a person's "
		    "values; expected trainee REF, not \"%s\""), args->argv[0]);
	if (reason == NULL)
		return cmd_usage(ctx, _("--reason TEXT is required: it says to "
		    "every member why the values were erased"));
	if (date == NULL) {
		cmd_today(today);
		date = today;
	}
	return erase_trainee(ctx, args->argv[1], date, reason);
}

static const struct cmd_opt erase_opts[] = {
	{ "reason", N_("TEXT"), N_(
	    "why, in a few words (1 to 500 bytes): it travels to\n"
	    "every member and stays in the log, so it may not hold\n"
	    "the person's values (names, France Travail id...)") },
	{ "date", N_("YYYY-MM-DD"), N_("the day of the erasure (default: "
	    "today, UTC)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_erase_entry = {
	.name = "erase",
	.usage = N_("trainee REF --reason TEXT [--date YYYY-MM-DD]"),
	.summary = N_("erase a trainee's personal values on every node (GDPR "
	    "right to erasure)"),
	.args = { .opts = erase_opts, .lower = 2, .upper = 2,
	    .missing = N_("expected trainee REF"),
	        .unexpected = N_("expected trainee REF") },
	.help = N_(
	    "\nWrites trainee.erased (the date) and erased_reason in one change-set.\n"
	    "Every node that applies it deletes the trainee's personal values it\n"
	    "holds and never keeps one again; the log keeps only their salted\n"
	    "commitments, which reveal nothing. Then the store is compacted, so\n"
	    "that no old page of it keeps the values.\n"
	    "\n"
	    "Only the lead or the member who recorded the trainee may erase, and\n"
	    "nobody undoes an erasure. A deleted trainee can be erased. Refused\n"
	    "(exit 3): a trainee this node does not know, a member who may not, a\n"
	    "reason that holds one of the trainee's values, a trainee erased\n"
	    "already (its store is compacted again: that is how a node that got\n"
	    "the erasure by sync, or whose compaction could not run, compacts).\n"
	    "consort show and consort subject say when and why the values were\n"
	    "erased.\n"),
	.exec = erase_exec,
};
