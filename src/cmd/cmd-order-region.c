/*
 * consort order keygen, decide: the Region's side, needing no node (its
 * officer's key pair, and the signed decision on a request); order verify
 * of a decision; and the consortium's side: region-key (the lead records
 * the Region's key) and receive (a member records a decision of the
 * Region), schema/order.md, "The Region's decision".
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "cmd-order.h"

/* Prints text on one line: its line feeds as spaces. */
static void
print_line(FILE *f, const char *text)
{
	for (; *text != '\0'; text++)
		putc(*text == '\n' ? ' ' : *text, f);
}

/* Refuses a key file that exists already: a key is never replaced. */
static int
refuse_existing(struct cmd_ctx *ctx, const char *path)
{
	struct consort_diag d = { 0 };
	struct stat st;

	if (lstat(path, &st) != 0 && errno == ENOENT)
		return 0;
	consort_diag_set(&d, E(EXIST), path, _("exists: a key file is never "
	    "replaced"), _("give --out a path where nothing is"));
	return cmd_fail(ctx, E(EXIST), &d);
}

/* Reports a failure to write a key file; returns the exit code. */
static int
write_failed(struct cmd_ctx *ctx, int rc, const char *path)
{
	struct consort_diag d = { 0 };

	consort_diag_set(&d, rc, path, rc == E(EXIST) ? _("exists: a key file "
	    "is never replaced") : rc == E(NOSPC) ? _("no space left to write "
	    "the key") : _("cannot write the key"), rc == E(EXIST) ?
	    _("give --out "
	    "a path where nothing is") : NULL);
	return cmd_fail(ctx, rc, &d);
}

/*
 * order keygen --out FILE [--no-passphrase]: the Region's key pair, FILE
 * (the secret key, mode 0600, written as a node's key is) and FILE.pub.
 */
static int
order_keygen(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *out = cmd_args_get(args, "out");
	bool none = cmd_args_has(args, "no-passphrase");
	char pub[4096], hex[2 * CONSORT_KEY_BYTES + 1], *pass = NULL;
	uint8_t pk[CONSORT_KEY_BYTES], *sk;
	size_t passlen = 0;
	int rc;

	if (out == NULL || out[0] == '\0' || strcmp(out, "-") == 0)
		return cmd_usage(ctx, _("order keygen needs --out FILE, where "
		    "the Region's secret key goes"));
	if (none && ctx->passfile != NULL)
		return cmd_usage(ctx, _("give --passphrase-file or "
		    "--no-passphrase, not both"));
	if ((size_t)snprintf(pub, sizeof(pub), "%s.pub", out) >= sizeof(pub))
		return cmd_usage(ctx, _("--out: a path of at most 4091 bytes"));
	if ((rc = refuse_existing(ctx, out)) != 0 ||
	    (rc = refuse_existing(ctx, pub)) != 0)
		return rc;
	if ((rc = cmd_passphrase_new_file(ctx, none, out, &pass, &passlen)) != 0)
		return rc;
	if ((sk = keys_secret_alloc(64)) == NULL) {
		sodium_free(pass);
		return cmd_fail(ctx, E(NOMEM), NULL);
	}
	crypto_sign_keypair(pk, sk);
	rc = keys_file_write(out, sk, pass, passlen);
	sodium_free(sk);
	sodium_free(pass);
	if (rc != 0)
		return write_failed(ctx, rc, out);
	if ((rc = keys_public_write(pub, pk, sizeof(pk))) != 0) {
		unlink(out);
		return write_failed(ctx, rc, pub);
	}
	util_hex(hex, pk, sizeof(pk));
	printf("%s\n", hex);
	if (isatty(STDOUT_FILENO))
		printf(_("keep %s secret; send this public key to the "
		    "consortium's lead, who records it with consort order "
		    "region-key %s\n"), out,
		    hex);
	return EXIT_OK;
}

/* Reports a Region key file that cannot be read; returns exit code 1. */
static int
key_failed(struct cmd_ctx *ctx, int rc, const char *path, bool asked)
{
	struct consort_diag d = { 0 };
	const char *hint = _("give the file consort order keygen --out wrote");

	if (rc == E(NOENT))
		consort_diag_set(&d, rc, path, _("no such key file"), hint);
	else if (rc == E(KEY))
		consort_diag_set(&d, rc, path, _("not a consort secret key "
		    "file (or a link)"), hint);
	else if (rc == E(PASSPHRASE) && !asked)
		consort_diag_set(&d, rc, path, _("the key is sealed with a "
		    "passphrase"), _("give it with --passphrase-file FILE (or "
		    "CONSORT_PASSPHRASE_FILE), or run the command on a terminal "
		    "to type it"));
	else if (rc == E(PASSPHRASE))
		consort_diag_set(&d, rc, path, _("the passphrase does not open "
		    "the key"), _("give the passphrase the key was sealed with "
		    "at consort order keygen"));
	else
		consort_diag_set(&d, rc, path, NULL, NULL);
	cmd_fail(ctx, rc, &d);
	return EXIT_ERROR;
}

/*
 * Reads the Region's secret key file into sk (guarded memory), opening a
 * sealed one with the passphrase of --passphrase-file or one typed on the
 * terminal; returns the exit code of a failure.
 */
static int
read_region_key(struct cmd_ctx *ctx, const char *path, uint8_t *sk,
    uint8_t pk[CONSORT_KEY_BYTES])
{
	char *pass = NULL;
	size_t passlen = 0;
	bool sealed, typed = false, asked = false;
	int rc, x;

	rc = keys_file_read(path, sk, NULL, 0, &sealed);
	if (rc == E(PASSPHRASE)) {
		if ((x = cmd_passphrase_open(ctx, path, &pass, &passlen,
		    &typed)) != 0)
			return x;
		if ((asked = pass != NULL))
			rc = keys_file_read(path, sk, pass, passlen, &sealed);
		sodium_free(pass);
	}
	if (rc != 0)
		return key_failed(ctx, rc, path, asked);
	crypto_sign_ed25519_sk_to_pk(pk, sk);
	return 0;
}

/* Checks decide's options; returns the exit code of a misuse. */
static int
decide_usage(struct cmd_ctx *ctx, const struct cmd_args *args,
    const struct decision_opts *o)
{
	bool refuse = cmd_args_has(args, "refuse");

	if (o->accept == refuse)
		return cmd_usage(ctx, _("give --accept --number N, or --refuse "
		    "--reason TEXT"));
	if (o->accept && (o->number == NULL || o->reason != NULL))
		return cmd_usage(ctx, _("--accept takes --number N (the "
		    "order's number), and no --reason"));
	if (refuse && (o->reason == NULL || o->number != NULL))
		return cmd_usage(ctx, _("--refuse takes --reason TEXT, and no "
		    "--number"));
	if (o->number != NULL && !decision_number_valid(o->number))
		return cmd_usage(ctx, _("--number takes the order's number: 1 "
		    "to %d printable characters"), DECISION_NUMBER_MAX);
	if (o->reason != NULL && !decision_reason_valid(o->reason))
		return cmd_usage(ctx, _("--reason takes 1 to %d bytes of text, "
		    "without control characters but line feeds"),
		    DECISION_REASON_MAX);
	if (o->date != NULL && !util_date_valid(o->date, strlen(o->date)))
		return cmd_usage(ctx, _("--date takes a date, YYYY-MM-DD"));
	if (cmd_args_get(args, "key-file") == NULL)
		return cmd_usage(ctx, _("order decide needs --key-file FILE, "
		    "the Region's secret key (consort order keygen)"));
	return 0;
}

/* Prints what a decision says, on one line. */
static void
print_decision(FILE *f, const struct decision *x)
{
	char eur[64];

	fprintf(f, _("on the request of lot %s, period %s"), x->lot, x->period);
	if (x->has_request_number)
		fprintf(f, _(", number %lld"), (long long)x->request_number);
	fprintf(f, _(" (sha256 %s), %s: "), x->request, x->date);
	if (x->accepted) {
		order_euros(eur, sizeof(eur), x->amount_cents, " ");
		fprintf(f, _("accepted, order %s, %s"), x->number, eur);
		return;
	}
	fputs(_("refused: "), f);
	print_line(f, x->reason);
}

/*
 * order decide REQUEST (--accept --number N | --refuse --reason TEXT)
 * --key-file FILE [--date YYYY-MM-DD] [--request-key HEX] [--out FILE]:
 * the Region's signed decision on a request that verifies.
 */
static int
order_decide(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct decision_opts o = { cmd_args_has(args, "accept"),
		cmd_args_get(args, "number"), cmd_args_get(args, "reason"),
		cmd_args_get(args, "date") };
	const char *out = cmd_args_get(args, "out"), *rk;
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES], key[CONSORT_KEY_BYTES], *sk = NULL;
	char today[11], *file = NULL;
	struct order_file f;
	struct decision x;
	json_t *body = NULL;
	size_t len;
	int rc;

	if ((rc = decide_usage(ctx, args, &o)) != 0)
		return rc;
	rk = cmd_args_get(args, "request-key");
	if (rk != NULL && (strlen(rk) != 64 || util_unhex(key, 32, rk) != 0))
		return cmd_usage(ctx, _("--request-key takes 64 hexadecimal "
		    "digits (the lead's public key, or a co-contractor's for "
		    "its direct request)"));
	if (o.date == NULL) {
		cmd_today(today);
		o.date = today;
	}
	if ((rc = order_verify_request(ctx, args->argv[0], rk ? key : NULL,
	    &f)) != 0)
		return rc;
	if ((sk = keys_secret_alloc(64)) == NULL) {
		rc = cmd_fail(ctx, E(NOMEM), NULL);
		goto out;
	}
	if ((rc = read_region_key(ctx, cmd_args_get(args, "key-file"), sk,
	    pk)) != 0)
		goto out;
	if ((rc = decision_build(&f, &o, &body, &d)) == 0 &&
	    (rc = order_sign_as("decision", body, pk, sk, &file, &len)) == 0)
		rc = outfile_write(out != NULL ? out : "-", file, len, 0644, &d);
	if (rc != 0) {
		if (d.what[0] == '\0' && out != NULL)
			consort_diag_set(&d, rc, out,
			    _("cannot write the decision"),
			    NULL);
		rc = cmd_fail(ctx, rc, &d);
		goto out;
	}
	if (out != NULL && strcmp(out, "-") != 0 &&
	    decision_read(body, &x, NULL) == 0) {
		printf(_("decision "));
		print_decision(stdout, &x);
		printf(_("; written to %s: send it to the consortium's lead\n"),
		    out);
	}
	rc = EXIT_OK;
out:
	sodium_free(sk);
	free(file);
	json_decref(body);
	order_file_free(&f);
	return rc;
}

/*
 * The verdict on a decision checked with a key other than the one it
 * names: exit 3 when it holds with its own (signed by another key), 1
 * when it holds with neither.
 */
static int
other_key(struct cmd_ctx *ctx, const char *path, const uint8_t *key)
{
	struct consort_diag d = { 0 };
	char khex[65], fhex[65];
	struct order_file f;
	bool holds;
	int rc;

	if ((rc = order_load_as("decision", path, NULL, &f, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	holds = f.valid;
	util_hex(khex, key, 32);
	util_hex(fhex, f.file_key, 32);
	order_file_free(&f);
	if (!holds) {
		consort_diag_set(&d, E(SIGNATURE), path, NULL,
		    _("the decision was "
		    "changed after it was signed"));
		snprintf(d.what, sizeof(d.what),
		    _("the signature does not match "
		    "the decision, with key %s nor with its own"), khex);
		cmd_fail(ctx, E(SIGNATURE), &d);
		return EXIT_ERROR;
	}
	consort_diag_set(&d, E(PERM), path, NULL, _("ask the Region for the "
	    "decision its officer signed; check the key you hold is its own"));
	snprintf(d.what, sizeof(d.what), _("NOT SIGNED BY THE REGION'S KEY: a "
	    "signature by key %s, not by %s"), fhex, khex);
	cmd_fail(ctx, E(PERM), &d);
	return EXIT_REFUSED;
}

/*
 * order verify DECISION [--key HEX]: the signature holds with the key the
 * file names (or key, which must be that one), and the decision is well
 * formed.
 */
int
order_verify_decision(struct cmd_ctx *ctx, const char *path,
    const uint8_t *key, struct order_file *f)
{
	struct consort_diag d = { 0 };
	char khex[65], hhex[65];
	struct decision x;

	util_hex(khex, f->key, 32);
	util_hex(hhex, f->hash, 32);
	if (key != NULL && memcmp(key, f->file_key, 32) != 0) {
		order_file_free(f);
		return other_key(ctx, path, key);
	}
	if (!f->valid) {
		order_file_free(f);
		consort_diag_set(&d, E(SIGNATURE), path, NULL,
		    _("the decision was "
		    "changed after it was signed"));
		snprintf(d.what, sizeof(d.what),
		    _("the signature does not match "
		    "the decision with key %s"), khex);
		cmd_fail(ctx, E(SIGNATURE), &d);
		return EXIT_ERROR;
	}
	if (decision_read(f->decision, &x, &d) != 0) {
		order_file_free(f);
		snprintf(d.where, sizeof(d.where), "%s", path);
		cmd_fail(ctx, E(SCHEMA), &d);
		return EXIT_ERROR;
	}
	printf(_("%s: valid signature by %s, the Region's decision (sha256 "
	    "%s) "),
	    path, khex, hhex);
	print_decision(stdout, &x);
	putchar('\n');
	if (key == NULL)
		printf(_("%s: checked with the key the file names; check it is "
		    "the Region's with --key REGION_PUBKEY\n"), path);
	order_file_free(f);
	return EXIT_OK;
}

/* One recorded Region key, for order region-key's list. */
struct key_row {
	int64_t number;
	char ref[CONSORT_REF_MAX + 1], key[65], date[11];
};

/* The Region keys recorded, gathered by number. */
struct key_rows {
	const struct store *s;
	struct key_row *rows;
	size_t n, cap;
};

/* Keeps one recorded Region key. */
static int
gather_key(void *ctx, const struct record *r)
{
	struct key_rows *k = ctx;
	const struct value *n = state_field(k->s, r, F_region_key_number);
	struct key_row *w;

	if (k->n == k->cap) {
		k->cap = k->cap ? 2 * k->cap : 8;
		if ((w = realloc(k->rows, k->cap * sizeof(*w))) == NULL)
			return E(NOMEM);
		k->rows = w;
	}
	w = &k->rows[k->n++];
	w->number = n != NULL && n->kind == VAL_INT ? n->i : 0;
	snprintf(w->ref, sizeof(w->ref), "%.*s", (int)r->ref_len, r->ref);
	value_copy_str(w->key, sizeof(w->key), state_field(k->s, r,
	    F_region_key_key));
	value_copy_str(w->date, sizeof(w->date), state_field(k->s, r,
	    F_region_key_date));
	return 0;
}

/* Orders Region keys by number. */
static int
cmp_key_rows(const void *a, const void *b)
{
	const struct key_row *x = a, *y = b;

	return x->number < y->number ? -1 : x->number > y->number;
}

/* order region-key [--json]: the Region keys recorded, the last in force. */
static int
list_region_keys(struct cmd_ctx *ctx, bool json)
{
	struct key_rows k = { 0 };
	struct store_txn *txn;
	size_t i;
	int rc;

	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	k.s = &ctx->node->store;
	if ((rc = store_begin(&ctx->node->store, false, &txn)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = store_load_authors(txn, &ctx->node->store)) == 0)
		rc = state_foreach(txn, &ctx->node->store, T_region_key, gather_key,
		    &k);
	store_abort(txn);
	if (rc != 0) {
		free(k.rows);
		return cmd_fail(ctx, rc, NULL);
	}
	if (k.n > 1)
		qsort(k.rows, k.n, sizeof(k.rows[0]), cmp_key_rows);
	if (json)
		putchar('[');
	for (i = 0; i < k.n; i++) {
		const struct key_row *w = &k.rows[i];
		bool last = i + 1 == k.n;

		if (json)
			printf("%s{\"date\":\"%s\",\"in_force\":%s,\"key\":\"%s\","
			    "\"number\":%lld,\"ref\":\"%s\"}", i ? "," : "", w->date,
			    last ? "true" : "false", w->key, (long long)w->number,
			    w->ref);
		else
			printf("%s %s %s%s\n", w->ref, w->date, w->key, last ?
			    _(" (in force)") : "");
	}
	if (json)
		puts("]");
	else if (k.n == 0)
		printf(_("no Region key recorded; the lead records it with "
		    "consort order region-key HEX\n"));
	free(k.rows);
	return cmd_finish_output(EXIT_OK);
}

/* order region-key [HEX] [--json]: records the Region's key (the lead). */
static int
order_region_key(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *hex = args->argc > 0 ? args->argv[0] : NULL;
	char ref[CONSORT_REF_MAX + 1], khex[65];
	uint8_t key[CONSORT_KEY_BYTES];
	const struct member *me;
	struct edit e;
	bool already;
	int rc;

	if (hex == NULL)
		return list_region_keys(ctx, cmd_args_has(args, "json"));
	if (cmd_args_has(args, "json"))
		return cmd_usage(ctx, _("--json lists the Region keys "
		    "recorded: give no HEX"));
	if (strlen(hex) != 64 || util_unhex(key, sizeof(key), hex) != 0 ||
	    crypto_core_ed25519_is_valid_point(key) != 1)
		return cmd_usage(ctx, _("region-key takes the Region's public "
		    "key: 64 hexadecimal digits, as consort order keygen "
		    "printed it"));
	if ((rc = cmd_open(ctx, true)) != 0)
		return rc;
	if (!perm_is_lead(&ctx->node->store, ctx->node->pk)) {
		me = NULL;
		if (store_begin(&ctx->node->store, false, &e.txn) == 0) {
			if (perm_roster(e.txn, &ctx->node->store) == 0)
				me = perm_member_by_key(&ctx->node->store, ctx->node->pk);
			store_abort(e.txn);
		}
		consort_diag_set(&d, E(PERM), "region-key", NULL,
		    _("the lead records "
		    "the Region's key, and every member receives it at the next "
		    "sync; nothing was written"));
		snprintf(d.what, sizeof(d.what), _("only the consortium's lead "
		    "records the Region's key (this node is %s's, a %s)"),
		    me != NULL ? me->siret : _("another member's"),
		    me != NULL && me->role == ROLE_SUB ? _("subcontractor") :
		    _("co-contractor"));
		return cmd_fail(ctx, E(PERM), &d);
	}
	if ((rc = edit_begin(ctx->node, &e)) != 0)
		return cmd_fail(ctx, rc, NULL);
	if ((rc = region_key_record(&e, key, ref, sizeof(ref), &already,
	    &d)) != 0) {
		edit_abort(&e);
		return cmd_fail(ctx, rc, &d);
	}
	if ((rc = edit_commit(&e)) != 0)
		return cmd_fail(ctx, rc, &e.diag);
	util_hex(khex, key, sizeof(key));
	if (already)
		printf(_("the Region's key %s is the one in force already "
		    "(%s); nothing changed\n"), khex, ref);
	else
		printf(_("recorded the Region's key %s as %s; its decisions "
		    "can be received (consort order receive FILE)\n"), khex,
		    ref);
	return EXIT_OK;
}

/* order receive DECISION: records a decision of the Region. */
static int
order_receive(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *path = args->argv[0];
	char ref[CONSORT_REF_MAX + 1];
	struct order_file f;
	struct decision x;
	struct edit e;
	bool already;
	int rc;

	if ((rc = order_load_as("decision", path, NULL, &f, &d)) != 0) {
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
	rc = decision_receive(&e, &f, ref, sizeof(ref), &already, &d);
	if (rc != 0) {
		edit_abort(&e);
		order_file_free(&f);
		if (d.where[0] != '\0') {
			char w[sizeof(d.where) + 8];

			snprintf(w, sizeof(w), "%s: %s", path, d.where);
			snprintf(d.where, sizeof(d.where), "%.255s", w);
		}
		rc = cmd_fail(ctx, rc, &d);
		return rc == EXIT_OK ? EXIT_ERROR : rc;
	}
	if ((rc = edit_commit(&e)) != 0) {
		order_file_free(&f);
		return cmd_fail(ctx, rc, &e.diag);
	}
	printf(_("%s %s: decision %s"), already ? _("already received") :
	    _("received"), path, ref);
	if (decision_read(f.decision, &x, NULL) == 0) {
		printf(" (");
		if (x.accepted)
			printf(_("accepted, order %s"), x.number);
		else {
			printf(_("refused: "));
			print_line(stdout, x.reason);
		}
		putchar(')');
	}
	putchar('\n');
	order_file_free(&f);
	return EXIT_OK;
}

static const struct cmd_opt order_keygen_opts[] = {
	{ "out", N_("FILE"), NULL },
	{ "no-passphrase", NULL, N_("leave the secret key unsealed, without\n"
	    "asking (for scripts)") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry order_keygen_entry = {
	.name = "keygen",
	.summary = N_("the Region's key pair, needing no node: --out FILE the\n"
	    "secret key (mode 0600, never replaced; sealed with\n"
	    "--passphrase-file, or a passphrase typed twice on a\n"
	    "terminal), FILE.pub the public key; prints the public\n"
	    "key (64 hex) for the lead's order region-key"),
	.args = { .opts = order_keygen_opts,
	    .unexpected = N_("takes no argument") },
	.flags = CMD_NO_NODE,
	.exec = order_keygen,
};

static const struct cmd_opt order_decide_opts[] = {
	{ "accept", NULL, N_(
	    "the order is issued: --number N its number (1 to\n"
	    "40 printable characters), its amount the request's\n"
	    "total cost") },
	{ "number", "N", NULL },
	{ "refuse", NULL, N_("--reason TEXT why (1 to 1000 bytes)") },
	{ "reason", N_("TEXT"), NULL },
	{ "key-file", N_("FILE"), N_("the Region's secret key (order "
	    "keygen)") },
	{ "date", N_("YYYY-MM-DD"), N_("the decision's date (default: "
	    "today)") },
	{ "request-key", N_("HEX"), N_(
	    "check the request against this key (the\n"
	    "lead's) instead of the one it names") },
	{ "out", N_("FILE"), N_("write there; - or none: standard output") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry order_decide_entry = {
	.name = "decide",
	.summary = N_(
	    "the Region's answer to a request that verifies (exit 1 or\n"
	    "3 as verify otherwise), needing no node: {\"decision\":\n"
	    "{...}, \"signature\": {...}} signed with --key-file, for\n"
	    "the lead's order receive"),
	.args = { .opts = order_decide_opts, .lower = 1, .upper = 1,
	    .missing = N_("expected REQUEST, the request file to answer") },
	.flags = CMD_NO_NODE,
	.exec = order_decide,
};

static const struct cmd_opt order_region_key_opts[] = {
	{ "json", NULL, NULL },
	{ NULL, NULL, NULL },
};

const struct cmd_entry order_region_key_entry = {
	.name = "region-key",
	.summary = N_("the lead records the Region's public key (64 hex, from\n"
	    "order keygen), which every member receives and checks\n"
	    "decisions with; a new one later replaces it, each kept\n"
	    "with its date. Without HEX: the keys recorded [--json]"),
	.args = { .opts = order_region_key_opts, .upper = 1,
	    .unexpected = N_("takes one argument, the Region's public key") },
	.exec = order_region_key,
};

const struct cmd_entry order_receive_entry = {
	.name = "receive",
	.summary = N_("records a decision of the Region, checked against its\n"
	    "key recorded and the order it answers (submit the request\n"
	    "first); any member, every member sees it. Exit 1 a\n"
	    "signature that does not hold, 3 refused"),
	.args = { .lower = 1, .upper = 1,
	    .missing = N_("expected DECISION, the "
	    "file the Region sent") },
	.exec = order_receive,
};
