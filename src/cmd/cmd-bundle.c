/* consort bundle export|import: the sync stream in a sealed file. */
#include <getopt.h>
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
		return consort_diag_set(d, E(INVAL), path, "not a readable file of "
		    "at most 1 MiB", "give the output of consort status --json of "
		    "the node it is for");
	if ((root = json_load_file(path, JSON_REJECT_DUPLICATES, &jerr)) == NULL)
		return consort_diag_set(d, E(SCHEMA), path, jerr.text, "give the "
		    "output of consort status --json of the node it is for");
	authors = json_object_get(root, "authors");
	if (!json_is_array(authors) || json_array_size(authors) > SESS_MAX_AUTHORS) {
		json_decref(root);
		return consort_diag_set(d, E(SCHEMA), path, "no \"authors\" array",
		    "give the output of consort status --json");
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
			rc = consort_diag_set(d, E(SCHEMA), path, "an author needs a "
			    "64-hex \"key\", an integer \"seq\" and a \"head\"", NULL);
			break;
		}
		(*vv)[(*n)++].seq = (uint64_t)json_integer_value(seq);
	}
	json_decref(root);
	return rc;
}

/* The version vector a member had after its last sync with this node. */
static int
vv_for(struct cmd_ctx *ctx, const char *siret, struct sess_vv **vv,
    uint32_t *n, struct consort_diag *d)
{
	struct store *s = &ctx->node->store;
	const struct member *m;
	char key[3 + 2 * CONSORT_KEY_BYTES + 1];
	struct mp_reader r;
	uint32_t i, count, k;
	MDB_txn *txn;
	MDB_val v;
	int rc;

	*n = 0;
	if ((rc = store_begin(s, false, &txn)) != 0)
		return rc;
	if ((rc = perm_roster(txn, s)) != 0)
		goto out;
	if ((m = perm_member_by_siret(s, siret, strlen(siret))) == NULL ||
	    !m->has_key) {
		rc = consort_diag_set(d, E(NOENT), siret, "no member with a key has "
		    "this SIRET", "consort member list shows the roster");
		goto out;
	}
	memcpy(key, "vv:", 3);
	util_hex(key + 3, m->key, CONSORT_KEY_BYTES);
	rc = store_get(txn, s, TB_PEERS, key, sizeof(key) - 1, &v);
	if (rc == E(NOENT)) {
		rc = 0;  /* never synced: it gets everything */
		goto out;
	}
	mp_reader_init(&r, v.mv_data, v.mv_size);
	if (rc != 0 || (rc = mp_read_array(&r, &count)) != 0 ||
	    (*vv = calloc(count + 1, sizeof(**vv))) == NULL)
		goto out;
	for (i = 0; i < count; i++)
		if (mp_read_array(&r, &k) != 0 || k != 3 ||
		    mp_read_bin_fixed(&r, (*vv)[i].author, CONSORT_KEY_BYTES) ||
		    mp_read_uint(&r, &(*vv)[i].seq) ||
		    mp_read_bin_fixed(&r, (*vv)[i].head, CONSORT_HASH_BYTES)) {
			rc = E(STORE);
			goto out;
		}
	*n = count;
out:
	mdb_txn_abort(txn);
	return rc;
}

/* bundle export --out FILE [--since FILE | --for SIRET]. */
static int
bundle_export_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	static const struct option opts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "since", required_argument, NULL, 's' },
		{ "for", required_argument, NULL, 'f' },
		{ NULL, 0, NULL, 0 },
	};
	struct consort_diag d = { 0 };
	const char *out = NULL, *since = NULL, *forwhom = NULL;
	struct sess_vv *vv = NULL;
	struct bundle_stats st;
	uint32_t n = 0;
	int c, rc;

	optind = 0;
	while ((c = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (c) {
		case 'o': out = optarg; break;
		case 's': since = optarg; break;
		case 'f': forwhom = optarg; break;
		default: return cmd_usage(ctx, "unknown option");
		}
	}
	if (optind != argc || out == NULL || (since && forwhom))
		return cmd_usage(ctx, "expected export --out FILE [--since FILE | "
		    "--for SIRET]");
	if (strcmp(out, "-") == 0 && isatty(STDOUT_FILENO))
		return cmd_usage(ctx, "a bundle is binary: send standard output "
		    "to a file or a pipe, or give --out FILE");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((since && (rc = read_since(since, &vv, &n, &d)) != 0) ||
	    (forwhom && (rc = vv_for(ctx, forwhom, &vv, &n, &d)) != 0)) {
		free(vv);
		return cmd_fail(ctx, rc, &d);
	}
	rc = bundle_export(ctx->node, out, vv, n, &st, &d);
	free(vv);
	if (rc != 0)
		return cmd_fail(ctx, rc, &d);
	/* with --out -, standard output is the bundle itself */
	fprintf(strcmp(out, "-") == 0 ? stderr : stdout, "wrote %s: %llu "
	    "change-sets, %llu bytes\n", strcmp(out, "-") == 0 ?
	    "standard output" : out, (unsigned long long)st.changesets,
	    (unsigned long long)st.bytes);
	return EXIT_OK;
}

/* bundle import FILE. */
static int
bundle_import_cmd(struct cmd_ctx *ctx, int argc, char **argv)
{
	struct consort_diag d = { 0 };
	struct bundle_stats st;
	int rc;

	if (argc != 2)
		return cmd_usage(ctx, "expected import FILE");
	if ((rc = cmd_open(ctx, false)) != 0)
		return rc;
	if ((rc = bundle_import(ctx->node, argv[1], &st, &d)) != 0) {
		cmd_fail(ctx, rc, &d);
		return EXIT_ERROR;
	}
	printf("imported %s: %llu change-sets checked, %llu applied, %llu held "
	    "already, %llu waiting for their past, %llu ops refused\n", argv[1],
	    (unsigned long long)st.changesets,
	    (unsigned long long)st.recv.applied, (unsigned long long)st.recv.held,
	    (unsigned long long)st.recv.pending,
	    (unsigned long long)st.recv.refused_ops);
	return EXIT_OK;
}

/* Dispatches export and import. */
static int
bundle_exec(struct cmd_ctx *ctx, int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "export") == 0)
		return bundle_export_cmd(ctx, argc - 1, argv + 1);
	if (argc >= 2 && strcmp(argv[1], "import") == 0)
		return bundle_import_cmd(ctx, argc - 1, argv + 1);
	return cmd_usage(ctx, "expected export or import");
}

const struct cmd_entry cmd_bundle_entry = {
	.name = "bundle",
	.usage = "export --out FILE [--since STATUS.json | --for SIRET] | import FILE",
	.summary = "write or read the sync stream as a file sealed with the network key",
	.help = "  export --out FILE   every change-set, or what a member lacks; FILE\n"
	    "                      appears whole or not at all, replacing a\n"
	    "                      regular file (- : standard output):\n"
	    "    --since FILE      ... given its consort status --json output\n"
	    "    --for SIRET       ... as of its last sync with this node\n"
	    "  import FILE         checks every frame and signature first, then\n"
	    "                      applies; importing twice changes nothing\n",
	.exec_argv = bundle_exec,
};
