/* consort bundle export|import: the sync stream in a sealed file. */
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>

#include "../cmd.h"
#include "../../sync/bundle.h"

#define SINCE_MAX_BYTES (1u << 20)

/* Reads a version vector from consort status --json output ("authors"). */
static int
read_since(const char *path, struct sess_vv **vv, uint32_t *n,
    struct consort_diag *d)
{
	json_error_t jerr;
	json_t *root, *authors, *a;
	struct stat st;
	size_t i;
	int rc = 0;

	if (stat(path, &st) != 0 || !S_ISREG(st.st_mode) ||
	    st.st_size > SINCE_MAX_BYTES)
		return consort_diag_set(d, E(INVAL), path,
		    _("not a readable file of "
		    "at most 1 MiB"), _("give the output of consort status "
		    "--json of the node it is for"));
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return consort_diag_set(d, E(SCHEMA), path, jerr.text,
		    _("give the "
		    "output of consort status --json of the node it is for"));
	authors = json_object_get(root, "authors");
	if (!json_is_array(authors) || json_array_size(authors) > SESS_MAX_AUTHORS) {
		json_decref(root);
		return consort_diag_set(d, E(SCHEMA), path,
		    _("no \"authors\" array"),
		    _("give the output of consort status --json"));
	}
	*vv = calloc(json_array_size(authors) + 1, sizeof(**vv));
	*n = 0;
	json_array_foreach(authors, i, a) {
		json_t *key = json_object_get(a, "key"), *seq = json_object_get(a, "seq");
		json_t *head = json_object_get(a, "head");

		if (!json_is_string(key) || !json_is_integer(seq) ||
		    json_integer_value(seq) < 0 ||
		    util_unhex((*vv)[*n].author, CONSORT_KEY_BYTES,
		    json_string_value(key)) != 0 || (json_is_string(head) &&
		    util_unhex((*vv)[*n].head, CONSORT_HASH_BYTES,
		    json_string_value(head)) != 0)) {
			rc = consort_diag_set(d, E(SCHEMA), path,
			    _("an author needs a "
			    "64-hex \"key\", an integer \"seq\" and a "
			    "\"head\""), NULL);
			break;
		}
		(*vv)[(*n)++].seq = (uint64_t)json_integer_value(seq);
	}
	json_decref(root);
	return rc;
}

/* A version vector being read, one author at a time. */
struct vv_read {
	struct sess_vv *v;
	uint32_t n, cap;
};

/* Appends one author's seq and head to the vector being read. */
static int
vv_add(void *ctx, const uint8_t *author, uint64_t seq, const uint8_t *head)
{
	struct vv_read *r = ctx;
	struct sess_vv *nv;

	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 16;
		if ((nv = realloc(r->v, (size_t)r->cap * sizeof(*nv))) == NULL)
			return E(NOMEM);
		r->v = nv;
	}
	memcpy(r->v[r->n].author, author, CONSORT_KEY_BYTES);
	r->v[r->n].seq = seq;
	memcpy(r->v[r->n].head, head, CONSORT_HASH_BYTES);
	r->n++;
	return 0;
}

/*
 * The version vector a member had after its last sync with this node
 * (none: it gets everything), and the member's key (its bundle carries the
 * personal values it may read).
 */
static int
vv_for(struct cmd_ctx *ctx, const char *siret, struct sess_vv **vv,
    uint32_t *n, uint8_t member_key[CONSORT_KEY_BYTES], struct consort_diag *d)
{
	struct store *s = &ctx->node->store;
	struct vv_read r = { NULL, 0, 0 };
	const struct member *m;
	struct store_txn *txn;
	int rc;

	*n = 0;
	if ((rc = store_begin(s, false, &txn)) != 0)
		return rc;
	if ((rc = perm_roster(txn, s)) != 0)
		goto out;
	if ((m = perm_member_by_siret(s, siret, strlen(siret))) == NULL ||
	    !m->has_key) {
		rc = consort_diag_set(d, E(NOENT), siret,
		    _("no member with a key has "
		    "this SIRET"), _("consort member list shows the roster"));
		goto out;
	}
	memcpy(member_key, m->key, CONSORT_KEY_BYTES);
	rc = peers_vv_foreach(txn, s, m->key, vv_add, &r);
out:
	store_abort(txn);
	*vv = r.v;
	*n = rc == 0 ? r.n : 0;
	return rc;
}

#define EXPORT_EXPECTED \
	"expected export --out FILE [--since FILE | --for SIRET]"

/* bundle export --out FILE [--since FILE | --for SIRET]. */
static int
bundle_export_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	const char *out = cmd_args_get(args, "out");
	const char *since = cmd_args_get(args, "since");
	const char *forwhom = cmd_args_get(args, "for");
	struct consort_diag d = { 0 };
	uint8_t reader[CONSORT_KEY_BYTES];
	struct sess_vv *vv = NULL;
	struct bundle_stats st;
	uint32_t n = 0;
	int rc;

	if (out == NULL || (since && forwhom))
		return cmd_usage(ctx, EXPORT_EXPECTED);
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
		return cmd_usage(ctx, _("a bundle is binary: send standard "
		    "output to a file or a pipe, or give --out FILE"));
	if ((rc = cmd_open_netkey(ctx)) != 0 ||
	    (forwhom && (rc = cmd_read_personal(ctx)) != 0))
		return rc;
	if ((since && (rc = read_since(since, &vv, &n, &d)) != 0) ||
	    (forwhom && (rc = vv_for(ctx, forwhom, &vv, &n, reader, &d)) != 0)) {
		free(vv);
		return cmd_fail(ctx, rc, &d);
	}
	rc = bundle_export(ctx->node, out, vv, n, forwhom ? reader : NULL, &st,
	    &d);
	free(vv);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	/* with --out -, standard output is the bundle itself */
	fprintf(strcmp(out, "-") == 0 ? stderr : stdout, _("wrote %s: %llu "
	    "change-sets, %llu personal values, %llu bytes\n"),
	    strcmp(out, "-") == 0 ? _("standard output") : out,
	    (unsigned long long)st.changesets, (unsigned long long)st.openings,
	    (unsigned long long)st.bytes);
	return EXIT_OK;
}

/* bundle import FILE. */
static int
bundle_import_cmd(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct consort_diag d = { 0 };
	const char *path = args->argv[0];
	struct bundle_stats st;
	int rc;

	/* one made for this node's key opens with its secret key */
	if ((rc = bundle_is_sealed(path) ? cmd_open(ctx, true) :
	    cmd_open_netkey(ctx)) != 0 || (rc = cmd_read_personal(ctx)) != 0)
		return rc;
	if ((rc = bundle_import(ctx->node, path, &st, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	printf(_("imported %s: %llu change-sets checked, %llu applied, %llu "
	    "held already, %llu waiting for their past, %llu ops refused; %llu "
	    "personal values kept, %llu not for this node\n"), path,
	    (unsigned long long)st.changesets,
	    (unsigned long long)st.recv.applied, (unsigned long long)st.recv.held,
	    (unsigned long long)st.recv.pending,
	    (unsigned long long)st.recv.refused_ops,
	    (unsigned long long)st.openings_recv.kept,
	    (unsigned long long)st.openings_recv.skipped);
	return EXIT_OK;
}

static const struct cmd_opt bundle_export_opts[] = {
	{ "out", N_("FILE"), NULL },
	{ "since", N_("FILE"), N_("... given its consort status --json "
	    "output") },
	{ "for", N_("SIRET"), N_(
	    "... as of its last sync with this node, with the\n"
	    "personal values that member may read (none without --for),\n"
	    "sealed to its current key: only its node opens it") },
	{ NULL, NULL, NULL },
};

static const struct cmd_entry bundle_export_entry = {
	.name = "export",
	.usage = N_("--out FILE"),
	.summary = N_("every change-set, or what a member lacks; FILE\n"
	    "appears whole or not at all, replacing a\n"
	    "regular file (- : standard output):"),
	.args = { .opts = bundle_export_opts, .unexpected = EXPORT_EXPECTED },
	.help_col = 22,
	.exec = bundle_export_cmd,
};

static const struct cmd_entry bundle_import_entry = {
	.name = "import",
	.usage = N_("FILE"),
	.summary = N_("checks every frame and signature first, then\n"
	    "applies; importing twice changes nothing"),
	.args = { .lower = 1, .upper = 1, .missing = N_("expected import FILE"),
	    .unexpected = N_("expected import FILE"),
	        .flags = CMD_ARGS_LITERAL },
	.exec = bundle_import_cmd,
};

static const struct cmd_entry *const bundle_sub[] = {
	&bundle_export_entry,
	&bundle_import_entry,
	NULL,
};

const struct cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.usage = N_("export --out FILE [--since STATUS.json | --for SIRET] | "
	    "import FILE"),
	.summary = N_("write or read the sync stream as a file sealed with the "
	    "network key"),
	.args = { .missing = N_("expected export or import"),
	    .unexpected = N_("expected export or import") },
	.sub = bundle_sub,
	.help_col = 22,
};
