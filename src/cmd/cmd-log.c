/* consort log: the stored change-sets, by author then seq. */
#include <time.h>

#include "../cmd.h"

/* Prints one change-set as a text line (to out) or a JSON object. */
static void
print_cs(FILE *out, struct jsonw *jw, const struct changeset *cs, size_t size)
{
	char a[2 * CONSORT_KEY_BYTES + 1], id[2 * CONSORT_HASH_BYTES + 1];
	char when[32];

	cmd_hlc_time(when, sizeof(when), cs->hlc);
	if (jw == NULL) {
		util_hex(a, cs->author, CONSORT_KEY_BYTES);
		util_hex(id, cs->id, CONSORT_HASH_BYTES);
		fprintf(out, "%.16s %6llu  %.16s  %s  %5u ops  %7zu bytes  %u deps\n",
		    a, (unsigned long long)cs->seq, id, when, cs->nops, size,
		    cs->ndeps);
		return;
	}
	jw_obj(jw);
	jw_key(jw, "author");
	jw_hex(jw, cs->author, CONSORT_KEY_BYTES);
	jw_key(jw, "deps");
	jw_int(jw, cs->ndeps);
	jw_key(jw, "hlc");
	jw_int(jw, (int64_t)cs->hlc);
	jw_key(jw, "id");
	jw_hex(jw, cs->id, CONSORT_HASH_BYTES);
	jw_key(jw, "ops");
	jw_int(jw, cs->nops);
	jw_key(jw, "prev");
	jw_hex(jw, cs->prev, CONSORT_HASH_BYTES);
	jw_key(jw, "seq");
	jw_int(jw, (int64_t)cs->seq);
	jw_key(jw, "size");
	jw_int(jw, (int64_t)size);
	jw_key(jw, "time");
	jw_str(jw, when);
	jw_obj_end(jw);
}

/* Names a stored change-set that does not decode. */
static int
damaged(struct consort_diag *d, const MDB_val *k, int rc)
{
	char a[2 * CONSORT_KEY_BYTES + 1], where[128], what[1024];

	if (k->mv_size != CONSORT_KEY_BYTES + 8)
		return consort_diag_set(d, E(STORE), "changes table",
		    "a malformed key", "run consort verify");
	util_hex(a, k->mv_data, CONSORT_KEY_BYTES);
	snprintf(where, sizeof(where), "change-set %.16s/%llu", a,
	    (unsigned long long)util_get_be64((const uint8_t *)k->mv_data +
	    CONSORT_KEY_BYTES));
	snprintf(what, sizeof(what), "the stored bytes do not decode (%s: %s)",
	    d->where, d->what);
	return consort_diag_set(d, rc, where, what, "the store was altered; run "
	    "consort verify, then restore it from a backup or sync it again");
}

/* Walks the changes table and prints each change-set. */
static int
walk(struct cmd_ctx *ctx, MDB_txn *txn, FILE *out, struct jsonw *jw)
{
	struct consort_diag d = { 0 };
	struct store *s = &ctx->node->store;
	struct changeset cs;
	MDB_cursor *c;
	MDB_val k, v;
	int rc, op = MDB_FIRST;

	if ((rc = mdb_cursor_open(txn, s->dbi[TB_CHANGES], &c)) != 0)
		return cmd_fail(ctx, store_err(rc), NULL);
	while ((rc = mdb_cursor_get(c, &k, &v, op)) == 0) {
		op = MDB_NEXT;
		if ((rc = cs_decode(v.mv_data, v.mv_size, &cs, &d)) != 0) {
			rc = damaged(&d, &k, rc);
			break;
		}
		print_cs(out, jw, &cs, v.mv_size);
		cs_free(&cs);
	}
	mdb_cursor_close(c);
	if (rc != MDB_NOTFOUND) {
		cmd_fail(ctx, rc < 0 ? rc : store_err(rc), &d);
		return EXIT_ERROR;  /* store damage, not a refused input */
	}
	return EXIT_OK;
}

/* Prints the change-sets; walk reports its own failure. */
static int
log_all(struct cmd_listing *l)
{
	return walk(l->ctx, l->txn, l->out, l->jw);
}

/* Prints the log. */
static int
log_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON_ARRAY :
	    CMD_TEXT, log_all, NULL);
}

static const struct cmd_opt log_opts[] = {
	{ "json", NULL, "print an array of {author, deps, hlc, id, ops, prev, seq,\n"
	    "size, time}" },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_log_entry = {
	.name = "log",
	.usage = "[--json]",
	.summary = "list the stored change-sets by author and seq",
	.args = { .opts = log_opts },
	.exec = log_exec,
};
