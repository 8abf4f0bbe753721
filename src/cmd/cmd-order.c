/*
 * consort order: build a lot's signed order request for one month (the
 * lead, or a co-contractor directly with --direct), verify one with only a
 * public key, show it as text, CSV or HTML, submit it to the log, and
 * compare two (an amendment).
 */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "../cmd.h"
#include "../order.h"
#include "cmd-order.h"

/* A string member of a request's object, "" when absent. */
static const char *
field_of(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s != NULL ? s : "";
}

/*
 * Reads the --key HEX option into key (*have_key says whether it was
 * given); returns the exit code of a malformed one.
 */
static int
parse_key(const struct cmd_ctx *ctx, const struct cmd_args *args,
    uint8_t key[32], bool *have_key)
{
	const char *hex = cmd_args_get(args, "key");

	*have_key = hex != NULL;
	if (hex != NULL && (strlen(hex) != 64 || util_unhex(key, 32, hex) != 0))
		return cmd_usage(ctx, _("--key takes 64 hexadecimal digits (an "
		    "Ed25519 public key)"));
	return 0;
}

/*
 * Prints every refusal of a checked model on stderr, one per line, and
 * why a derogation lifted nothing.
 */
static void
print_refusals(const struct rules_model *m, const struct order_opts *o)
{
	const struct schema_type *t;
	size_t i;

	for (i = 0; i < m->nresults; i++) {
		const struct rule_result *x = &m->results[i];

		if (x->level != LEVEL_ERROR && x->type != T_derogation)
			continue;
		t = schema_type(x->type);
		if (x->level != LEVEL_ERROR)
			fprintf(stderr, _("consort order build: warning: %s %s "
			    "%s: %s; %s\n"), x->rule, t->name, x->ref, x->what,
			    x->hint);
		else if (x->conflict[0])
			fprintf(stderr, _("consort order build: conflict %s "
			    "(%s) %s %s: %s; %s\n"), x->conflict, x->rule, t ? t->name :
			    "?",
			    x->ref, x->what, x->hint);
		else
			fprintf(stderr, _("consort order build: %s %s %s: %s; "
			    "%s\n"),
			    x->rule, t ? t->name : "?", x->ref, x->what, x->hint);
	}
	fprintf(stderr, _("consort order build: refused: %zu error%s and %zu "
	    "conflict%s in the request of %s for %s\n"), m->errors,
	    m->errors == 1 ? "" : "s", m->conflicts, m->conflicts == 1 ? "" : "s",
	    o->lot, o->period);
}

/*
 * Runs the rules on a model.  Their messages go into the signed request,
 * in English whatever the locale, unless translated: for the refusals
 * printed when nothing is built.
 */
static int
check_rules(struct store_txn *txn, struct rules_model *m, bool translated)
{
	bool english = i18n_is_untranslated();
	int rc;

	i18n_untranslated(english || !translated);
	rc = rules_check(txn, m);
	i18n_untranslated(english);
	return rc;
}

/*
 * Loads and checks the model of a request in a read transaction, the
 * rules' messages translated or not (check_rules).
 */
static int
check(struct cmd_ctx *ctx, const struct order_opts *o, struct store_txn **txn,
    struct rules_model **m, struct consort_diag *d, bool translated)
{
	struct store *s = &ctx->node->store;
	struct order_coverage cv = { 0 };
	struct rules_query q;
	char from[11], to[11];
	int rc;

	*m = NULL;
	s->open_personal = true;  /* R15 reads the values this node holds */
	if ((rc = store_begin(s, false, txn)) != 0)
		return rc;
	if ((rc = store_load_authors(*txn, s)) == 0 &&
	    (rc = perm_roster(*txn, s)) == 0 &&
	    (rc = order_query(s, ctx->node->pk, o, &q, from, to, d)) == 0 &&
	    !o->direct &&
	    (rc = order_coverage(*txn, s, o->lot, o->period, &cv)) == 0)
		q.skip = &cv;  /* the lead leaves out what was requested directly */
	if (rc == 0)
		rc = rules_load(*txn, s, &q, m, d);
	order_coverage_free(&cv);
	if (rc != 0 || (rc = check_rules(*txn, *m, translated)) != 0) {
		rules_free(*m);
		*m = NULL;
		store_abort(*txn);
		*txn = NULL;
	}
	return rc;
}

/* Records the notice of a co-contractor's direct request (R11). */
static int
record_notice(struct cmd_ctx *ctx, const struct order_opts *o,
    const struct rules_model *m)
{
	struct consort_diag d = { 0 };
	const struct member *me = perm_member_by_key(&ctx->node->store,
	    ctx->node->pk);
	const struct rm_member *lead = rules_lead(m);
	char ref[CONSORT_REF_MAX + 1];
	struct edit e;
	bool recorded;
	int rc;

	if (me == NULL || lead == NULL)
		return cmd_fail(ctx, E(PERM), NULL);
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = order_record_notice(&e, o, me->siret, lead->siret, ref,
	    sizeof(ref), &recorded, &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	if (recorded)
		fprintf(stderr, _("consort order build: notice %s to the lead "
		    "%s recorded (R11)\n"), ref, lead->siret);
	return 0;
}

/*
 * Says when the lead has not yet received a co-contractor's notice (R11:
 * "en informant au préalable son mandataire"): no change-set of the
 * lead's has it in its past, and no full sync with the lead's node
 * handed it over.
 */
static int
warn_notice_unseen(struct cmd_ctx *ctx, struct store_txn *txn,
    const char *notice)
{
	bool seen;
	int rc;

	if ((rc = order_notice_seen_by_lead(txn, &ctx->node->store, notice,
	    &seen)) != 0)
		return rc;
	if (!seen)
		fprintf(stderr, _("consort order build: R11: the lead has not "
		    "yet received notice %s (no change of the lead's has it in "
		    "its past, no sync with the lead's node handed it over): "
		    "sync with the lead before you send this request to the "
		    "Region\n"),
		    notice);
	return 0;
}

/* Lists the sessions a lead's request left out: requested directly (R11). */
static void
note_left_out(const json_t *req)
{
	const json_t *a = json_object_get(req, "requested_directly"), *x;
	size_t i;

	for (i = 0; i < json_array_size(a); i++) {
		x = json_array_get(a, i);
		fprintf(stderr, _("consort order build: R11: session %s left "
		    "out: requested directly by %s (request no. %lld, sha256 "
		    "%.12s)\n"),
		    field_of(x, "session"), field_of(x, "sender"),
		    (long long)json_integer_value(json_object_get(x, "number")),
		    field_of(x, "sha256"));
	}
}

/* order build --lot LOT --period YYYY-MM [--out FILE] [--direct] */
static int
order_build(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct order_opts o = { cmd_args_get(args, "lot"),
		cmd_args_get(args, "period"), cmd_args_has(args, "direct"), NULL,
		NULL, cmd_args_get(args, "date") };
	struct consort_diag d = { 0 };
	char nref[CONSORT_REF_MAX + 1], ndate[11], eur[64], issued[11];
	char abs[PATH_MAX];
	const char *out = cmd_args_get(args, "out");
	struct rules_model *m = NULL;
	const struct member *me;
	json_t *req = NULL, *t;
	struct store_txn *txn = NULL;
	char *file = NULL;
	size_t len;
	int rc;

	if (o.lot == NULL || o.period == NULL)
		return cmd_usage(ctx, _("order build needs --lot LOT and "
		    "--period YYYY-MM"));
	if (!order_period_valid(o.period))
		return cmd_usage(ctx, _("--period takes a month, YYYY-MM"));
	if (o.issued == NULL) {
		cmd_today(issued);
		o.issued = issued;
	} else if (!util_date_valid(o.issued, strlen(o.issued)))
		return cmd_usage(ctx, _("--date takes the day of issue, "
		    "YYYY-MM-DD"));
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if (o.direct && perm_is_lead(&ctx->node->store, ctx->node->pk))
		return cmd_usage(ctx, _("--direct is a co-contractor's own "
		    "request; the lead builds without it"));
	if ((rc = check(ctx, &o, &txn, &m, &d, false)) != 0)
		return cmd_fail(ctx, rc, &d);
	if (m->errors > 0 || m->conflicts > 0) {
		/* nothing is built: the rules once more, in the user's language */
		rules_free(m);
		store_abort(txn);
		if ((rc = check(ctx, &o, &txn, &m, &d, true)) != 0)
			return cmd_fail(ctx, rc, &d);
		print_refusals(m, &o);
		rules_free(m);
		store_abort(txn);
		return EXIT_REFUSED;
	}
	if (o.direct) {
		store_abort(txn);
		rc = record_notice(ctx, &o, m);
		rules_free(m);
		if (rc != 0)
			return rc;
		if ((rc = check(ctx, &o, &txn, &m, &d, false)) != 0)
			return cmd_fail(ctx, rc, &d);
		me = perm_member_by_key(&ctx->node->store, ctx->node->pk);
		if (me == NULL || order_find_notice(txn, &ctx->node->store, o.lot,
		    o.period, me->siret, nref, sizeof(nref), ndate) != 0) {
			rules_free(m);
			store_abort(txn);
			return cmd_fail(ctx, E(NOENT), NULL);
		}
		o.notice = nref;
		o.notice_date = ndate;
		if ((rc = warn_notice_unseen(ctx, txn, nref)) != 0) {
			rules_free(m);
			store_abort(txn);
			return cmd_fail(ctx, rc, NULL);
		}
	}
	rc = order_request(txn, ctx->node, m, &o, &req, &d);
	store_abort(txn);
	if (rc == E(NOENT)) {
		fprintf(stderr, _("consort order build: %s: %s; %s\n"), d.where,
		    d.what, d.hint);
		rules_free(m);
		return EXIT_REFUSED;
	}
	if (rc == 0)
		rc = order_sign(req, ctx->node->pk, ctx->node->sk, &file, &len);
	if (rc == 0)
		rc = outfile_write(out != NULL ? out : "-", file, len, 0644, &d);
	if (rc == 0)
		note_left_out(req);
	if (rc == 0 && out != NULL && strcmp(out, "-") != 0 &&
	    order_note_built(&ctx->node->store, req,
	    realpath(out, abs) != NULL ? abs : out) != 0)
		fprintf(stderr, _("consort order build: warning: %s is "
		    "written, but this node could not note it for order list "
		    "(a read-only store?)\n"), out);
	if (rc == 0 && out != NULL && strcmp(out, "-") != 0) {
		t = json_object_get(req, "totals");
		order_euros(eur, sizeof(eur), json_integer_value(json_object_get(t,
		    "cost_cents")), " ");
		printf(_("order request %s %s: %lld sessions, %lld financed "
		    "trainees, %lld h, %s; %zu warnings, %zu derogations; "
		    "written to %s\n"),
		    o.lot, o.period, (long long)json_integer_value(
		    json_object_get(t, "sessions")), (long long)json_integer_value(
		    json_object_get(t, "financed")), (long long)json_integer_value(
		    json_object_get(t, "hours")), eur, m->warnings, m->nderogs, out);
	}
	free(file);
	json_decref(req);
	rules_free(m);
	if (rc != 0) {
		if (d.what[0] == '\0' && out != NULL)
			consort_diag_set(&d, rc, out,
			    _("cannot write the request"),
			    NULL);
		return cmd_fail(ctx, rc, &d);
	}
	return EXIT_OK;
}

static int request_verdict(struct cmd_ctx *ctx, const char *path,
    bool have_key, struct order_file *f);

/*
 * Refuses a request whose key chain does not link its signer to the key
 * asked for: exit 3 for a replaced or unknown key, 1 for a signature of
 * the chain that does not hold or a malformed chain; f is freed.
 */
static int
chain_refused(struct cmd_ctx *ctx, const char *path, struct order_file *f)
{
	struct consort_diag d = f->chain_diag;
	char from[65], where[2 * sizeof(d.where) + 8];
	int rc = f->chain_rc;

	util_hex(from, f->chain_from, 32);
	snprintf(where, sizeof(where), "%s: %s", path, f->chain_diag.where);
	snprintf(d.where, sizeof(d.where), "%.255s", where);
	if (d.hint[0] == '\0')
		snprintf(d.hint, sizeof(d.hint), _("the request's key chain "
		    "does not link its signer to key %s"), from);
	order_file_free(f);
	cmd_fail(ctx, rc, &d);
	return rc == E(PERM) ? EXIT_REFUSED : EXIT_ERROR;
}

/*
 * Loads a request and checks that it is valid as order verify says: its
 * signature holds (exit 1 otherwise, or for a malformed file) and its key
 * is the signer the request names (exit 3 otherwise: a re-signed
 * request); key, when not NULL, checks it instead of the file's key.
 * Returns 0 with f loaded, or the exit code of the refusal, reported.
 */
int
order_verify_request(struct cmd_ctx *ctx, const char *path,
    const uint8_t *key, struct order_file *f)
{
	struct consort_diag d = { 0 };
	int rc;

	if ((rc = order_load(path, key, f, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	return request_verdict(ctx, path, key != NULL, f);
}

/*
 * The verdict on a loaded request, as order_verify_request() gives it;
 * f is freed unless it is valid.
 */
static int
request_verdict(struct cmd_ctx *ctx, const char *path, bool have_key,
    struct order_file *f)
{
	struct consort_diag d = { 0 };
	char khex[65], verdict[ORDER_VERDICT_MAX];
	enum order_verdict v;
	int rc;

	util_hex(khex, f->key, 32);
	v = order_verdict(f);
	if ((rc = order_verdict_text(f, verdict, sizeof(verdict))) != 0) {
		order_file_free(f);
		cmd_fail(ctx, rc, NULL);
		return EXIT_ERROR;
	}
	if (v == ORDER_BAD_SIGNATURE) {
		consort_diag_set(&d, E(SIGNATURE), path,
		    _("the signature does not "
		    "match the request"), have_key ?
		    _("the request was changed, "
		    "or another key signed it") : _("the request was changed "
		    "after it was signed"));
		snprintf(d.what, sizeof(d.what),
		    _("the signature does not match "
		    "the request with key %s"), khex);
		order_file_free(f);
		cmd_fail(ctx, E(SIGNATURE), &d);
		return EXIT_ERROR;
	}
	if (v == ORDER_WRONG_SIGNER) {
		consort_diag_set(&d, E(PERM), path, verdict,
		    _("the request was "
		    "signed again by someone else: ask its sender for the file it "
		    "signed"));
		order_file_free(f);
		cmd_fail(ctx, E(PERM), &d);
		return EXIT_REFUSED;
	}
	if (v == ORDER_BAD_CHAIN)
		return chain_refused(ctx, path, f);
	return 0;
}

/* Prints that a request verified, and with which key. */
static void
print_valid(const char *path, const struct order_file *f, bool have_key)
{
	char khex[65], hhex[65], from[65];

	util_hex(khex, f->key, 32);
	util_hex(hhex, f->hash, 32);
	printf(_("%s: valid signature by %s, %s (lot %s, period %s, sha256 "
	    "%s)\n"),
	    path, khex, f->direct ? _("the sender of this direct request") :
	    _("the lead named in the request"), field_of(json_object_get(
	    f->request, "lot"), "ref"), field_of(f->request, "period"), hhex);
	if (f->has_chain) {
		util_hex(from, f->chain_from, 32);
		printf(_("%s: key chain from key %s to the key in force %s: "
		    "key records %u (rotations %u, recoveries by the recovery "
		    "key %u, of the recovery key itself %u)\n"), path, from,
		    khex, f->chain_links, f->chain_rotations,
		    f->chain_recoveries, f->chain_links - f->chain_rotations -
		    f->chain_recoveries);
	}
	if (!have_key)
		printf(_("%s: checked with the key the file names; check it is "
		    "the lead's with --key LEAD_PUBKEY\n"), path);
}

/* What order verify --json prints of a valid request. */
static json_t *
valid_json(const char *path, const struct order_file *f, bool have_key)
{
	char hex[65];
	json_t *o = json_object(), *c;

	json_object_set_new(o, "file", json_string(path));
	json_object_set_new(o, "valid", json_true());
	util_hex(hex, f->key, 32);
	json_object_set_new(o, "key", json_string(hex));
	json_object_set_new(o, "checked_with", json_string(have_key ? "key" :
	    "file"));
	json_object_set_new(o, "direct", json_boolean(f->direct));
	json_object_set_new(o, "lot", json_string(field_of(json_object_get(
	    f->request, "lot"), "ref")));
	json_object_set_new(o, "period", json_string(field_of(f->request,
	    "period")));
	if (order_has_number(f->request))
		json_object_set_new(o, "number", json_integer(json_integer_value(
		    json_object_get(f->request, "number"))));
	util_hex(hex, f->hash, 32);
	json_object_set_new(o, "sha256", json_string(hex));
	if (f->has_chain) {
		c = json_object();
		util_hex(hex, f->chain_from, 32);
		json_object_set_new(c, "from", json_string(hex));
		util_hex(hex, f->key, 32);
		json_object_set_new(c, "current", json_string(hex));
		json_object_set_new(c, "links", json_integer(f->chain_links));
		json_object_set_new(c, "rotations",
		    json_integer(f->chain_rotations));
		json_object_set_new(c, "recoveries",
		    json_integer(f->chain_recoveries));
		json_object_set_new(c, "recovery_key_rotations",
		    json_integer(f->chain_links - f->chain_rotations -
		    f->chain_recoveries));
		json_object_set_new(o, "key_chain", c);
	}
	json_object_set_new(o, "replaces", json_array());
	return o;
}

/*
 * The date on which a request's key chain shows key (hex) replaced by the
 * recovery key (a lost key), or NULL.
 */
static const char *
recovered_on(const struct order_file *f, const char *key)
{
	const json_t *links, *l;
	size_t i;

	if (!f->has_chain)
		return NULL;
	links = json_object_get(json_object_get(f->request, "key_chain"),
	    "links");
	for (i = 0; i < json_array_size(links); i++) {
		l = json_array_get(links, i);
		if (strcmp(field_of(l, "role"), "member") == 0 &&
		    strcmp(field_of(l, "by"), "recovery") == 0 &&
		    strcmp(field_of(l, "from"), key) == 0)
			return field_of(l, "date");
	}
	return NULL;
}

/*
 * Refuses a request that still follows a key an earlier request shows
 * replaced by the recovery key: signed by that key, or its chain going on
 * from it by a rotation that key signed (whoever holds a lost key can
 * sign with it, and only the recovery key is the lead's then).
 */
static int
follows_lost_key(struct cmd_ctx *ctx, const char *path,
    const struct order_file *f, const char *oldpath,
    const struct order_file *old)
{
	struct consort_diag d = { 0 };
	const json_t *links, *l;
	const char *date;
	char hex[65], what[600];
	size_t i;

	util_hex(hex, f->key, 32);
	if ((date = recovered_on(old, hex)) != NULL) {
		snprintf(what, sizeof(what), _("signed by key %s, which the "
		    "key chain of %s shows replaced by the recovery key on %s: "
		    "a lost key"), hex, oldpath, date);
		goto refused;
	}
	links = json_object_get(json_object_get(f->request, "key_chain"),
	    "links");
	for (i = 0; i < json_array_size(links); i++) {
		l = json_array_get(links, i);
		if (strcmp(field_of(l, "by"), "key") != 0 ||
		    strcmp(field_of(l, "role"), "member") != 0 ||
		    (date = recovered_on(old, field_of(l, "from"))) == NULL)
			continue;
		snprintf(what, sizeof(what), _("its key chain goes on from key "
		    "%s by a rotation that key signed (link %zu), but the key "
		    "chain of %s shows it replaced by the recovery key on %s: "
		    "a lost key"), field_of(l, "from"), i + 1, oldpath, date);
		goto refused;
	}
	return EXIT_OK;
refused:
	consort_diag_set(&d, E(PERM), path, what, _("only the request of the "
	    "key the recovery key made is the lead's: ask the lead which "
	    "requests it sent"));
	cmd_fail(ctx, E(PERM), &d);
	return EXIT_REFUSED;
}

/*
 * Whether a request replaces an earlier one: same lot and period, the
 * earlier one's number and sha256 in its `replaces`.
 */
static bool
replaces(const struct order_file *new, const struct order_file *old,
    int64_t *number)
{
	const json_t *a = new->request, *b = old->request, *rp, *x;
	char hhex[65];
	size_t i;

	util_hex(hhex, old->hash, 32);
	*number = json_integer_value(json_object_get(b, "number"));
	if (strcmp(field_of(json_object_get(a, "lot"), "ref"),
	    field_of(json_object_get(b, "lot"), "ref")) != 0 ||
	    strcmp(field_of(a, "period"), field_of(b, "period")) != 0)
		return false;
	rp = json_object_get(a, "replaces");
	for (i = 0; i < json_array_size(rp); i++) {
		x = json_array_get(rp, i);
		if (strcmp(field_of(x, "sha256"), hhex) == 0 &&
		    (!order_has_number(b) || json_integer_value(
		    json_object_get(x, "number")) == *number))
			return true;
	}
	return false;
}

/*
 * Verifies each earlier request and that the request f replaces it: exit
 * 3 for one it does not replace.
 */
static int
verify_earlier(struct cmd_ctx *ctx, const struct cmd_args *args,
    const uint8_t *key, const struct order_file *f, json_t *out)
{
	struct consort_diag d = { 0 };
	struct order_file old;
	char hhex[65], what[300];
	int64_t number;
	json_t *r;
	int i, rc = EXIT_OK;

	for (i = 1; i < args->argc && rc == EXIT_OK; i++) {
		if ((rc = order_verify_request(ctx, args->argv[i], key,
		    &old)) != 0)
			break;
		if (out == NULL)
			print_valid(args->argv[i], &old, key != NULL);
		util_hex(hhex, old.hash, 32);
		if ((rc = follows_lost_key(ctx, args->argv[0], f,
		    args->argv[i], &old)) != EXIT_OK)
			;
		else if (replaces(f, &old, &number) && out != NULL) {
			r = json_object();
			json_object_set_new(r, "file",
			    json_string(args->argv[i]));
			json_object_set_new(r, "number", json_integer(number));
			json_object_set_new(r, "sha256", json_string(hhex));
			json_array_append_new(json_object_get(out, "replaces"),
			    r);
		} else if (replaces(f, &old, &number))
			printf(_("%s: replaces %s (request no. %lld, sha256 "
			    "%s)\n"),
			    args->argv[0], args->argv[i], (long long)number, hhex);
		else {
			snprintf(what, sizeof(what),
			    _("does not replace %s (sha256 "
			    "%.12s): another lot or period, or not in its "
			    "replaces"),
			    args->argv[i], hhex);
			consort_diag_set(&d, E(PERM), args->argv[0], what,
			    _("give the "
			    "newest request first, then the ones it replaces"));
			cmd_fail(ctx, E(PERM), &d);
			rc = EXIT_REFUSED;
		}
		order_file_free(&old);
	}
	return rc;
}

/*
 * order verify FILE [EARLIER...] [--key HEX] [--json]: needs no node.
 * Valid only when the signature holds and its key is the signer the
 * request names (its lead, or its sender for a direct request), linked by
 * its key chain, when it carries one, to the key asked for: exit 1 for a
 * signature that does not hold, 3 for one by another key (a re-signed
 * request) or a chain through a replaced or unknown key.
 * Given earlier requests, checks that FILE replaces each (schema/order.md,
 * "A request's history"): exit 3 when not.  A decision of the Region is
 * checked by order_verify_decision().
 */
static int
order_verify(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *path = args->argv[0];
	bool json = cmd_args_has(args, "json");
	struct order_file f;
	json_t *out = NULL;
	uint8_t key[32];
	bool have_key;
	int rc;

	if ((rc = parse_key(ctx, args, key, &have_key)) != 0)
		return rc;
	if ((rc = order_load_as(NULL, path, have_key ? key : NULL, &f,
	    &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	if (strcmp(f.member, "decision") == 0) {
		if (args->argc > 1 || json) {
			order_file_free(&f);
			return cmd_usage(ctx, json ? _("--json verifies a "
			    "request; a decision of the Region is verified "
			    "without it") : _("a decision is verified alone"));
		}
		return order_verify_decision(ctx, path, have_key ? key : NULL, &f);
	}
	if ((rc = request_verdict(ctx, path, have_key, &f)) != 0)
		return rc;
	if (json && (out = valid_json(path, &f, have_key)) == NULL) {
		order_file_free(&f);
		return cmd_fail(ctx, E(NOMEM), NULL);
	}
	if (!json)
		print_valid(path, &f, have_key);
	rc = verify_earlier(ctx, args, have_key ? key : NULL, &f, out);
	if (rc == EXIT_OK && out != NULL) {
		json_dumpf(out, stdout, JSON_COMPACT);
		putchar('\n');
	}
	json_decref(out);
	order_file_free(&f);
	return rc;
}

/* order show FILE [--csv | --html] [--lang fr|en] [--key HEX] */
static int
order_show(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	bool csv = cmd_args_has(args, "csv"), html = cmd_args_has(args, "html");
	struct consort_diag d = { 0 };
	const char *path = args->argv[0];
	struct order_file f;
	enum fmt_lang lang;
	char verdict[ORDER_VERDICT_MAX];
	uint8_t key[32];
	bool have_key;
	FILE *out;
	int rc;

	if ((rc = parse_key(ctx, args, key, &have_key)) != 0 ||
	    (rc = cmd_doc_lang(ctx, args, &lang)) != 0)
		return rc;
	if (csv && html)
		return cmd_usage(ctx, _("--csv and --html exclude each other"));
	if ((rc = order_load(path, have_key ? key : NULL, &f, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	if (order_verdict(&f) != ORDER_VALID &&
	    order_verdict_text(&f, verdict, sizeof(verdict)) == 0)
		fprintf(stderr, _("consort order show: %s: warning: signature "
		    "%s\n"),
		    path, verdict);
	out = cmd_out_begin();
	if (csv)
		rc = order_write_csv(out, f.request, lang, &d);
	else if (html)
		rc = order_write_html(out, &f, lang);
	else
		rc = order_write_text(out, &f);
	order_file_free(&f);
	rc = csv || html ? cmd_out_end(out, rc) : cmd_out_end_safe(out, rc);
	if (rc != 0) {
		if (d.what[0] != '\0' && d.where[0] == '\0')
			snprintf(d.where, sizeof(d.where), "%s", path);
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

/* order submit FILE: records the signed request in the log. */
static int
order_submit_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	char ref[CONSORT_REF_MAX + 1], nref[CONSORT_REF_MAX + 1], ndate[11];
	const char *path = args->argv[0];
	const json_t *snd;
	struct order_file f;
	struct edit e;
	bool already;
	int rc;

	if ((rc = order_load(path, NULL, &f, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	if ((rc = cmd_open(ctx, true)) != 0) {
		order_file_free(&f);
		return rc;
	}
	if ((rc = edit_begin(ctx->node, &e)) != 0) {
		order_file_free(&f);
		return cmd_fail(ctx, rc, NULL);
	}
	snd = json_object_get(f.request, "sender");
	if (json_is_true(json_object_get(snd, "direct")) &&
	    order_find_notice(e.txn, &ctx->node->store,
	    field_of(json_object_get(f.request, "lot"), "ref"),
	    field_of(f.request, "period"), field_of(snd, "siret"), nref,
	    sizeof(nref), ndate) != 0) {
		edit_abort(&e);
		order_file_free(&f);
		fprintf(stderr, _("consort order submit: R11: a direct request "
		    "needs its notice to the lead in the log; build it again "
		    "with --direct\n"));
		return EXIT_REFUSED;
	}
	rc = order_submit(&e, &f, ref, sizeof(ref), &already, &d);
	order_file_free(&f);
	if (rc != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	printf(_("%s %s: order %s\n"), already ? _("already submitted") :
	    _("submitted"), path, ref);
	return EXIT_OK;
}

/* A short human summary of a value of a request. */
static void
summary(FILE *f, const json_t *v)
{
	const json_t *t = json_object_get(v, "totals");
	char eur[64], *s;

	if (json_is_object(t) && json_is_string(json_object_get(v, "title"))) {
		order_euros(eur, sizeof(eur), json_integer_value(json_object_get(t,
		    "cost_cents")), " ");
		fprintf(f, _("%s, %lld financed, %lld h, %s"),
		    json_string_value(
		    json_object_get(v, "title")), (long long)json_integer_value(
		    json_object_get(t, "financed")), (long long)json_integer_value(
		    json_object_get(t, "hours")), eur);
		return;
	}
	if (json_is_object(v) && json_is_integer(json_object_get(v,
	    "cost_cents")) && json_is_integer(json_object_get(v, "hours"))) {
		order_euros(eur, sizeof(eur), json_integer_value(json_object_get(v,
		    "cost_cents")), " ");
		fprintf(f, "%lld h, %s", (long long)json_integer_value(
		    json_object_get(v, "hours")), eur);
		return;
	}
	if ((s = json_dumps(v, JSON_COMPACT | JSON_SORT_KEYS |
	    JSON_ENCODE_ANY)) == NULL)
		return;
	fprintf(f, "%.160s%s", s, strlen(s) > 160 ? "..." : "");
	free(s);
}

/* order diff OLD NEW [--json]: an amendment, change by change. */
static int
order_diff_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *const *files = (const char *const *)args->argv;
	bool json = cmd_args_has(args, "json");
	struct order_file a, b;
	json_t *diff = NULL, *ch, *c;
	char ha[65], hb[65], *s;
	size_t i;
	FILE *out;
	int rc;

	if ((rc = order_load(files[0], NULL, &a, &d)) == 0 &&
	    (rc = order_load(files[1], NULL, &b, &d)) != 0)
		order_file_free(&a);
	if (rc != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	for (i = 0; i < 2; i++) {
		const struct order_file *f = i == 0 ? &a : &b;
		char verdict[ORDER_VERDICT_MAX];

		if (order_verdict(f) != ORDER_VALID &&
		    order_verdict_text(f, verdict, sizeof(verdict)) == 0)
			fprintf(stderr, _("consort order diff: %s: warning: "
			    "signature %s\n"), files[i], verdict);
	}
	if ((rc = order_diff(a.request, b.request, &diff)) != 0) {
		if (rc == E(TOOBIG))
			consort_diag_set(&d, rc, NULL,
			    _("a ref or a place in the "
			    "requests is too long to compare (over 1 KiB, or 4 KiB "
			    "for a place)"), _("compare files that consort "
			    "order build wrote"));
		goto out;
	}
	util_hex(ha, a.hash, 32);
	util_hex(hb, b.hash, 32);
	json_object_set_new(diff, "old", json_string(ha));
	json_object_set_new(diff, "new", json_string(hb));
	out = cmd_out_begin();
	ch = json_object_get(diff, "changes");
	if (json) {
		if ((rc = jcs_canonical(diff, &s, &i)) == 0) {
			fwrite(s, 1, i, out);
			putc('\n', out);
			free(s);
		}
	} else {
		fprintf(out, _("%s of %s %s: %zu change%s (sha256 %.16s... -> "
		    "%.16s...)\n"), json_is_true(json_object_get(diff,
		    "same_period")) ? _("amendment") : _("comparison"),
		    json_string_value(json_object_get(diff, "lot")),
		    json_string_value(json_object_get(diff, "period")),
		    json_array_size(ch), json_array_size(ch) == 1 ? "" : "s", ha,
		    hb);
		for (i = 0; i < json_array_size(ch); i++) {
			c = json_array_get(ch, i);
			s = (char *)json_string_value(json_object_get(c, "op"));
			fprintf(out, "%c %s: ", s[0] == 'a' ? '+' : s[0] == 'r' ?
			    '-' : '~', json_string_value(json_object_get(c, "at")));
			if (s[0] == 'a')
				summary(out, json_object_get(c, "new"));
			else if (s[0] == 'r')
				summary(out, json_object_get(c, "old"));
			else {
				summary(out, json_object_get(c, "old"));
				fputs(" -> ", out);
				summary(out, json_object_get(c, "new"));
			}
			putc('\n', out);
		}
	}
	rc = cmd_out_end(out, rc);
out:
	json_decref(diff);
	order_file_free(&a);
	order_file_free(&b);
	if (rc != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	return EXIT_OK;
}

static const struct cmd_opt order_build_opts[] = {
	{ "lot", N_("LOT"), NULL },
	{ "period", N_("YYYY-MM"), NULL },
	{ "out", N_("FILE"), N_(
	    "write there, replacing a regular file whole (never\n"
	    "a device, folder or link); - or none: standard\n"
	    "output") },
	{ "direct", NULL, N_(
	    "a co-contractor's own request (R11): records its\n"
	    "notice to the lead in the log, then builds") },
	{ "date", N_("YYYY-MM-DD"), N_(
	    "its date of issue, signed in the request\n"
	    "(default: today, UTC): the same date and change-sets\n"
	    "give the same bytes on any node") },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry order_build_entry = {
	.name = "build",
	.summary = N_(
	    "the lot's sessions starting in the month, checked against\n"
	    "the rules (schema/rules.md) and the open conflicts, as\n"
	    "{\"request\": {...}, \"signature\": {...}} signed with this\n"
	    "node's key over the request's RFC 8785 form\n"
	    "(schema/order.md); exit 3 with every refusal on stderr"),
	.args = { .opts = order_build_opts },
	.exec = order_build,
};

static const struct cmd_opt order_verify_opts[] = {
	{ "key", N_("HEX"), NULL },
	{ "json", NULL, N_(
	    "print a valid request as {\"file\", \"valid\",\n"
	    "\"key\", \"checked_with\", \"direct\", \"lot\",\n"
	    "\"period\", \"number\", \"sha256\", \"key_chain\"\n"
	    "(signed by a key that replaced the lead's:\n"
	    "\"from\", \"current\", \"links\", \"rotations\",\n"
	    "\"recoveries\", \"recovery_key_rotations\"),\n"
	    "\"replaces\" [{\"file\", \"number\", \"sha256\"}]}") },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry order_verify_entry = {
	.name = "verify",
	.summary = N_("checks the signature; needs no node. --key HEX checks\n"
	    "against that key instead of the file's. The signer must\n"
	    "be the one the request names (its lead, or the sender of\n"
	    "a direct request). A request signed by a key that\n"
	    "replaced the lead's carries the chain of key records\n"
	    "from it (schema/keys.md): checked from --key HEX (else\n"
	    "the lead key the request names) to the signer's. Given\n"
	    "EARLIER requests too, checks each and that FILE replaces\n"
	    "it (same lot and period, in its replaces), and refuses\n"
	    "FILE when it follows a key an EARLIER chain shows\n"
	    "replaced by the recovery key. Exit 0 valid, 1 a\n"
	    "signature that does not hold or a malformed file, 3\n"
	    "signed by another key, a chain through a replaced or\n"
	    "unknown key, or an EARLIER request FILE does not\n"
	    "replace. A decision of the Region (order decide) is\n"
	    "checked the same way, --key the Region's"),
	.args = { .opts = order_verify_opts, .lower = 1, .upper = 64,
	    .missing = N_("expected FILE") },
	.flags = CMD_NO_NODE,
	.exec = order_verify,
};

static const struct cmd_opt order_show_opts[] = {
	{ "csv", NULL, NULL },
	{ "html", NULL, NULL },
	{ "key", N_("HEX"), NULL },
	{ "lang", "fr|en", NULL },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry order_show_entry = {
	.name = "show",
	.summary = N_(
	    "a summary, the signature's verdict first; --csv one row\n"
	    "per path, safe to open in a spreadsheet (no formula, no\n"
	    "control character); --html one printable page with\n"
	    "totals per session and per provider, warnings,\n"
	    "derogations and the signature block. Both in French\n"
	    "(CSV: BOM, ';', decimal comma), or --lang en: English"),
	.args = { .opts = order_show_opts, .lower = 1, .upper = 1,
	    .missing = N_("expected FILE") },
	.flags = CMD_NO_NODE,
	.exec = order_show,
};

static const struct cmd_entry order_submit_entry = {
	.name = "submit",
	.summary = N_(
	    "records the request (its hash, totals, signature) as an\n"
	    "order record, so every member sees what was sent"),
	.args = { .lower = 1, .upper = 1, .missing = N_("expected FILE") },
	.exec = order_submit_cmd,
};

static const struct cmd_opt order_diff_opts[] = {
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry order_diff_entry = {
	.name = "diff",
	.summary = N_("what changed between two requests (an amendment)"),
	.args = { .opts = order_diff_opts, .lower = 2, .upper = 2,
	    .missing = N_("expected OLD NEW") },
	.flags = CMD_NO_NODE,
	.exec = order_diff_cmd,
};

static const struct cmd_entry *const order_sub[] = {
	&order_build_entry,
	&order_verify_entry,
	&order_show_entry,
	&order_submit_entry,
	&order_diff_entry,
	&order_keygen_entry,
	&order_decide_entry,
	&order_region_key_entry,
	&order_receive_entry,
	&order_list_entry,
	NULL,
};

const struct cmd_entry cmd_order_entry = {
	.name = "order",
	.usage = N_("build --lot LOT --period YYYY-MM [--out FILE] [--direct] "
	    "[--date YYYY-MM-DD] | verify FILE [EARLIER...] [--key HEX] [--json] | show "
	    "FILE [--csv | --html] [--lang fr|en] | submit FILE | diff OLD NEW [--json] | keygen "
	    "--out FILE [--no-passphrase] | decide REQUEST (--accept --number N | "
	    "--refuse --reason TEXT) --key-file FILE [--date YYYY-MM-DD] "
	    "[--request-key HEX] [--out FILE] | region-key [HEX] [--json] | "
	    "receive DECISION | list [--lot LOT] [--period YYYY-MM] [--json] "
	    "[--lang fr|en]"),
	.summary = N_("build, verify, show, submit and compare signed order "
	    "requests; the Region's key and decisions; the orders and their "
	    "state"),
	.args = { .missing = N_("missing build, verify, show, submit, diff, "
	    "keygen, decide, region-key, receive or list") },
	.sub = order_sub,
	.help_col = 13,
};
