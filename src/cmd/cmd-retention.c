/*
 * consort retention: the trainees whose training ended before a date and
 * whose personal values are still kept (GDPR art. 5(1)(e), storage
 * limitation), and with --erase their erasure in one change-set, after a
 * confirmation on the terminal.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>

#include "../cmd.h"
#include "../rights.h"

/* A trainee past the date, and why this member may not erase it, if so. */
struct ret_item {
	char ref[RIGHTS_REF_BUF];
	char session[RIGHTS_REF_BUF];
	char end[RIGHTS_DATE_BUF];
	char skip[200];  /* "": to erase */
};

struct retention {
	struct cmd_ctx *ctx;
	struct store_txn *txn;
	struct store *s;
	const char *before;
	const char *reason;  /* NULL: list only */
	bool lead;
	bool mine;           /* scratch: the trainee was recorded by this node */
	struct ret_item *items;
	size_t n, cap, skipped;
	struct consort_diag diag;
};

/* Notes a creation of the trainee by this node's member. */
static int
recorded_here(void *ctx, const uint8_t *id, uint32_t author)
{
	struct retention *x = ctx;

	(void)id;
	if (author < x->s->nauthors && memcmp(x->s->authors[author],
	    x->ctx->node->pk, CONSORT_KEY_BYTES) == 0)
		x->mine = true;
	return x->mine;
}

/* Why this member may not erase a trainee ("" when it may). */
static int
why_not(struct retention *x, const struct record *r, char *why, size_t len)
{
	const struct schema_field *f;
	int rc;

	why[0] = '\0';
	x->mine = x->lead;
	if (!x->mine && (rc = perm_foreach_creation(x->txn, x->s, T_trainee,
	    r->id, recorded_here, x)) != 0)
		return rc;
	if (!x->mine)
		snprintf(why, len, _("recorded by another member: only the "
		    "lead or the member who recorded it erases it"));
	else if ((f = rights_text_names(r, x->reason, strlen(x->reason))) != NULL)
		snprintf(why, len, _("the reason holds its %s, and a reason "
		    "reaches every member"), f->name);
	return 0;
}

/* Keeps one trainee past the date. */
static int
keep(void *ctx, const struct record *r, const struct rights_last *last)
{
	struct retention *x = ctx;
	struct ret_item *it;
	int rc;

	if (r->ref_len >= sizeof(it->ref))
		return 0;
	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 64;
		if ((it = realloc(x->items, x->cap * sizeof(*it))) == NULL)
			return E(NOMEM);
		x->items = it;
	}
	it = &x->items[x->n++];
	memset(it, 0, sizeof(*it));
	memcpy(it->ref, r->ref, r->ref_len);
	snprintf(it->session, sizeof(it->session), "%s", last->session);
	snprintf(it->end, sizeof(it->end), "%s", last->end);
	if (x->reason != NULL &&
	    (rc = why_not(x, r, it->skip, sizeof(it->skip))) != 0)
		return rc;
	x->skipped += it->skip[0] != '\0';
	return 0;
}

/* Finds the trainees past the date in a transaction. */
static int
gather(struct retention *x, struct store_txn *txn)
{
	int rc;

	x->txn = txn;
	x->n = x->skipped = 0;
	x->lead = perm_is_lead(x->s, x->ctx->node->pk);
	if ((rc = store_load_authors(txn, x->s)) != 0 ||
	    (rc = perm_roster(txn, x->s)) != 0)
		return rc;
	return rights_retention(txn, x->s, x->before, keep, x, &x->diag);
}

/* Prints the trainees found, as text lines or a JSON object. */
static void
print_items(const struct retention *x, FILE *f, bool json, long erased)
{
	struct jsonw jw;
	size_t i;

	if (!json) {
		for (i = 0; i < x->n; i++) {
			fprintf(f, _("%s  last session %s  ended %s"),
			    x->items[i].ref,
			    x->items[i].session, x->items[i].end);
			if (x->reason != NULL && x->items[i].skip[0])
				fprintf(f, _("  skipped: %s"),
				    x->items[i].skip);
			fputc('\n', f);
		}
		fprintf(f, _("%zu trainee%s whose last session ended before %s "
		    "and whose values are not erased\n"), x->n, x->n == 1 ? "" :
		    "s",
		    x->before);
		return;
	}
	jw_init(&jw, f);
	jw_obj(&jw);
	jw_key(&jw, "before");
	jw_str(&jw, x->before);
	jw_key(&jw, "count");
	jw_int(&jw, (int64_t)x->n);
	if (erased >= 0) {
		jw_key(&jw, "erased");
		jw_int(&jw, erased);
	}
	jw_key(&jw, "trainees");
	jw_arr(&jw);
	for (i = 0; i < x->n; i++) {
		jw_obj(&jw);
		jw_key(&jw, "end");
		jw_str(&jw, x->items[i].end);
		jw_key(&jw, "ref");
		jw_str(&jw, x->items[i].ref);
		jw_key(&jw, "session");
		jw_str(&jw, x->items[i].session);
		if (x->reason != NULL) {
			jw_key(&jw, "skipped");
			if (x->items[i].skip[0])
				jw_str(&jw, x->items[i].skip);
			else
				jw_null(&jw);
		}
		jw_obj_end(&jw);
	}
	jw_arr_end(&jw);
	jw_obj_end(&jw);
	fputc('\n', f);
}

/* Lists the trainees past the date, in the listing's transaction. */
static int
list_print(struct cmd_listing *l)
{
	struct retention *x = l->arg;
	int rc;

	x->s = &l->ctx->node->store;
	x->s->open_personal = false;  /* a listing needs no value */
	if ((rc = gather(x, l->txn)) != 0) {
		l->diag = x->diag;
		return rc;
	}
	print_items(x, l->out, l->jw != NULL, -1);
	return 0;
}

/* Asks on the terminal whether to erase n trainees' values. */
static bool
confirmed(size_t n)
{
	char line[64];

	fprintf(stderr, _("erase the personal values of %zu trainee%s? [y/N] "),
	    n, n == 1 ? "" : "s");
	fflush(stderr);
	if (fgets(line, sizeof(line), stdin) == NULL)
		return false;
	line[strcspn(line, "\r\n")] = '\0';
	return strcasecmp(line, "y") == 0 || strcasecmp(line, "yes") == 0 ||
	    strcasecmp(line, "o") == 0 || strcasecmp(line, "oui") == 0;
}

/* Adds the erasure of every trainee this member may erase; counts them. */
static int
erase_all(struct retention *x, struct edit *e, const char *date, long *erased)
{
	struct consort_diag d = { 0 };
	unsigned held;
	size_t i;
	int rc;

	*erased = 0;
	for (i = 0; i < x->n; i++) {
		if (x->items[i].skip[0])
			continue;
		if ((rc = rights_erase(e, x->items[i].ref, strlen(x->items[i].ref),
		    date, x->reason, strlen(x->reason), &held, &d)) != 0) {
			x->diag = d;
			return rc;
		}
		(*erased)++;
	}
	return 0;
}

/* Erases, in one change-set, the trainees past the date this member may. */
static int
erase_past(struct retention *x, bool yes, bool json)
{
	struct store_txn *txn;
	char today[11];
	long erased = 0;
	struct edit e;
	int rc;

	if ((rc = cmd_open(x->ctx, true)) != 0)
		return rc;
	x->s = &x->ctx->node->store;
	x->s->open_personal = true;  /* the reason is checked against them */
	if ((rc = store_begin(x->s, false, &txn)) != 0)
		return cmd_fail(x->ctx, rc, NULL);
	rc = gather(x, txn);  /* no write transaction while the user thinks */
	store_abort(txn);
	if (rc != 0)
		return cmd_fail(x->ctx, rc, &x->diag);
	if (x->n - x->skipped == 0 || (!yes && !confirmed(x->n - x->skipped))) {
		print_items(x, stdout, json, 0);
		if (!json)
			printf(_("nothing erased\n"));
		return EXIT_OK;
	}
	if ((rc = edit_begin(x->ctx->node, &e)) != 0)
		return cmd_fail(x->ctx, rc, NULL);
	cmd_today(today);
	if ((rc = gather(x, e.txn)) != 0 ||
	    (rc = erase_all(x, &e, today, &erased)) != 0 ||
	    (rc = edit_flush(&e)) != 0) {
		if (rc == E(PERM) || e.diag.what[0])
			x->diag = e.diag;
		edit_abort(&e);
		return cmd_fail(x->ctx, rc, &x->diag);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(x->ctx, rc, &e.diag);
	print_items(x, stdout, json, erased);
	if (!json)
		printf(_("erased the personal values of %ld trainee%s on %s "
		    "(reason: %s); %zu skipped\n"), erased, erased == 1 ? "" :
		    "s", today,
		    x->reason, x->skipped);
	fflush(stdout);
	if (erased > 0 && (rc = erase_compact(x->ctx)) != 0) {
		snprintf(x->diag.where, sizeof(x->diag.where), "%s", x->ctx->dir);
		snprintf(x->diag.what, sizeof(x->diag.what),
		    _("the erasures are "
		    "recorded, but the store could not be compacted: old pages of "
		    "it may still keep the values, sealed"));
		snprintf(x->diag.hint, sizeof(x->diag.hint), "%s",
		    erase_compact_hint(rc));
		return cmd_fail(x->ctx, rc, &x->diag);
	}
	if (erased > 0 && !json)
		printf(_("store compacted: no old page keeps the values\n"));
	return EXIT_OK;
}

/* Parses the options; lists, or erases. */
static int
retention_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct retention x;
	const char *before = cmd_args_get(args, "ended-before");
	bool erase = cmd_args_has(args, "erase"), yes = cmd_args_has(args, "yes");
	bool json = cmd_args_has(args, "json");
	char reason[128];
	int rc;

	if (before == NULL)
		return cmd_usage(ctx, _("--ended-before YYYY-MM-DD is "
		    "required"));
	if (!util_date_valid(before, strlen(before)))
		return cmd_usage(ctx, _("--ended-before %s: %s"), before,
		    util_date_why(before, strlen(before)));
	if (!erase && (yes || cmd_args_has(args, "reason")))
		return cmd_usage(ctx, _("--yes and --reason go with --erase"));
	if (erase && !yes && isatty(STDIN_FILENO) != 1)
		return cmd_usage(ctx, _("--erase asks for a confirmation on a "
		    "terminal, and there is none; list first without --erase, "
		    "then add --yes to erase without asking"));
	memset(&x, 0, sizeof(x));
	x.ctx = ctx;
	x.before = before;
	if (erase) {
		snprintf(reason, sizeof(reason), "retention period over (ended "
		    "before %s)", before);
		x.reason = cmd_args_has(args, "reason") ?
		    cmd_args_get(args, "reason") : reason;
		rc = erase_past(&x, yes, json);
	} else
		rc = cmd_listing(ctx, json ? CMD_JSON : CMD_TEXT, list_print, &x);
	free(x.items);
	return rc;
}

static const struct cmd_opt retention_opts[] = {
	{ "ended-before", N_("YYYY-MM-DD"), N_(
	    "the trainees whose last session ended before\n"
	    "this day (every session of their paths has an end,\n"
	    "the latest one before it)") },
	{ "erase", NULL, N_("erase their personal values in one change-set,\n"
	    "once confirmed on the terminal; then compact the\n"
	    "store, as consort erase does") },
	{ "reason", N_("TEXT"), N_(
	    "the reason of the erasures (default: \"retention\n"
	    "period over (ended before DATE)\")") },
	{ "yes", NULL, N_("erase without asking (no terminal needed)") },
	{ "json", NULL, N_("print {\"before\", \"count\", \"erased\" (with\n"
	    "--erase), \"trainees\": [{\"end\", \"ref\", \"session\",\n"
	    "\"skipped\" (with --erase: why not, or null)}]}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_retention_entry = {
	.name = "retention",
	.usage = N_("--ended-before YYYY-MM-DD [--erase [--reason TEXT] "
	    "[--yes]] [--json]"),
	.summary = N_("the trainees kept past their training, and their "
	    "erasure (GDPR storage limitation)"),
	.help_col = 17,
	.args = { .opts = retention_opts, .upper = 0,
	    .unexpected = N_("takes no argument (--ended-before YYYY-MM-DD)") },
	.help = N_(
	    "\nLists the trainees whose values are not erased and whose last session\n"
	    "(the latest end among the live sessions of their live paths) ended\n"
	    "before the date: ref, that session, its end, and how many. A trainee\n"
	    "with a session without an end, or without any session, is not listed.\n"
	    "\n"
	    "--erase erases them in one change-set: only those this member may\n"
	    "erase (the lead every one; another member those it recorded); the\n"
	    "others are listed as skipped, with why. Without a terminal to confirm\n"
	    "on, --erase needs --yes (exit 2 otherwise).\n"),
	.exec = retention_exec,
};
