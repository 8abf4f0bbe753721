/* consort status: per author and per peer, what this node holds and did. */
#include <string.h>
#include <time.h>

#include "../cmd.h"

struct status_ctx {
	struct cmd_ctx *ctx;
	struct store_txn *txn;
	struct jsonw *jw;
	FILE *out;
};

/* The SIRET of the member bound to a key, or "". */
static const char *
member_of(struct store *s, const uint8_t *key)
{
	const struct member *m = perm_member_by_key(s, key);

	return m != NULL ? m->siret : "";
}

/* Prints one author: key, member, seq, head, time of its last change-set. */
static int
print_author(struct status_ctx *x, const uint8_t *author)
{
	struct store *s = &x->ctx->node->store;
	char key[2 * CONSORT_KEY_BYTES + 1], head[2 * CONSORT_HASH_BYTES + 1];
	char when[32];
	struct head h;
	int rc;

	if ((rc = store_head(x->txn, s, author, &h)) != 0)
		return rc;
	util_hex(key, author, CONSORT_KEY_BYTES);
	util_hex(head, h.id, CONSORT_HASH_BYTES);
	cmd_hlc_time(when, sizeof(when), h.hlc);
	if (x->jw == NULL) {
		fprintf(x->out, _("  %.16s %-14s seq %-8llu head %.16s  %s\n"),
		    key,
		    member_of(s, author), (unsigned long long)h.seq, head, when);
		return 0;
	}
	jw_obj(x->jw);
	jw_key(x->jw, "head");
	jw_str(x->jw, head);
	jw_key(x->jw, "key");
	jw_str(x->jw, key);
	jw_key(x->jw, "member");
	jw_str(x->jw, member_of(s, author));
	jw_key(x->jw, "seq");
	jw_int(x->jw, (int64_t)h.seq);
	jw_key(x->jw, "time");
	jw_str(x->jw, when);
	jw_obj_end(x->jw);
	return 0;
}

/* Prints the outcome of the last sync with one peer. */
static int
print_peer(void *ctx, const struct peer_stats *st)
{
	static const char *const names[] = { "time", "sent", "received",
		"refused", "forks", "bytes" };
	struct status_ctx *x = ctx;
	uint64_t num[6] = { st->time, st->sent, st->received, st->refused_ops,
		st->forks, st->bytes }, refused_cs = st->refused;
	const char *err = st->err;
	uint32_t elen = st->errlen, i;
	char when[32], hex[2 * CONSORT_KEY_BYTES + 1] = "", said[512];
	const char *shown;

	if (st->key != NULL)
		util_hex(hex, st->key, CONSORT_KEY_BYTES);
	cmd_time(when, sizeof(when), (time_t)num[0]);
	if (x->jw == NULL) {
		const struct member *m = st->key != NULL ?
		    perm_member_by_key(&x->ctx->node->store, st->key) : NULL;
		bool from = st->addrlen > 5 && memcmp(st->addr, "from ", 5) == 0;

		if (from && m != NULL)
			fprintf(x->out, _("  from %s (%s)"), m->name, m->siret);
		else
			fprintf(x->out, "  %.*s", (int)st->addrlen, st->addr);
		fprintf(x->out, _("  last sync %s: sent %llu, received %llu, "
		    "refused %llu ops"), when, (unsigned long long)num[1],
		    (unsigned long long)num[2], (unsigned long long)num[3]);
		if (refused_cs > 0)
			fprintf(x->out, _(" and %llu change-sets"),
			    (unsigned long long)refused_cs);
		/* a peer's words, stored in English: in the user's language */
		snprintf(said, sizeof(said), "%.*s", (int)elen, err ? err : "");
		shown = _(said);
		fprintf(x->out, _(", %llu bytes%s%.*s\n"),
		    (unsigned long long)num[5],
		    elen ? _("; error: ") : "", (int)strlen(shown), shown);
		return 0;
	}
	/* keys in sorted order */
	jw_obj(x->jw);
	jw_key(x->jw, "address");
	jw_strn(x->jw, st->addr, st->addrlen);
	jw_key(x->jw, names[5]);
	jw_int(x->jw, (int64_t)num[5]);
	jw_key(x->jw, "error");
	jw_strn(x->jw, err, elen);
	jw_key(x->jw, names[4]);
	jw_int(x->jw, (int64_t)num[4]);
	jw_key(x->jw, "key");
	jw_str(x->jw, hex);
	for (i = 2; i <= 3; i++) {  /* received, refused */
		jw_key(x->jw, names[i]);
		jw_int(x->jw, (int64_t)num[i]);
	}
	jw_key(x->jw, "refused_changesets");
	jw_int(x->jw, (int64_t)refused_cs);
	jw_key(x->jw, names[1]);  /* sent */
	jw_int(x->jw, (int64_t)num[1]);
	jw_key(x->jw, "time");
	jw_str(x->jw, when);
	jw_obj_end(x->jw);
	return 0;
}

/* Prints one fork: two change-sets with one author and seq, both ids. */
static int
print_fork(void *ctx, const struct log_fork *f)
{
	struct status_ctx *x = ctx;
	struct store *s = &x->ctx->node->store;
	char a[2 * CONSORT_KEY_BYTES + 1], h1[65], h2[65];

	util_hex(a, f->author, CONSORT_KEY_BYTES);
	util_hex(h1, f->held, sizeof(f->held));
	util_hex(h2, f->other, sizeof(f->other));
	if (x->jw == NULL) {
		fprintf(x->out, _("  fork: author %.16s (%s) seq %llu: held "
		    "%.16s, also seen %.16s (not merged)\n"), a, member_of(s,
		    f->author), (unsigned long long)f->seq, h1, h2);
		return 0;
	}
	jw_obj(x->jw);
	jw_key(x->jw, "author");
	jw_str(x->jw, a);
	jw_key(x->jw, "held");
	jw_str(x->jw, h1);
	jw_key(x->jw, "other");
	jw_str(x->jw, h2);
	jw_key(x->jw, "seq");
	jw_int(x->jw, (int64_t)f->seq);
	jw_obj_end(x->jw);
	return 0;
}

/* The number of entries of a table. */
static uint64_t
entries(struct status_ctx *x, enum store_table t)
{
	struct store_stat st;

	if (store_stat(x->txn, &x->ctx->node->store, t, &st) != 0)
		return 0;
	return st.entries;
}

/* Prints everything, as text or JSON. */
static int
print_status(struct status_ctx *x)
{
	struct store *s = &x->ctx->node->store;
	uint32_t i;
	int rc = 0;

	if (x->jw != NULL) {
		jw_obj(x->jw);
		jw_key(x->jw, "authors");
		jw_arr(x->jw);
	} else
		fprintf(x->out, _("authors\n"));
	for (i = 0; i < s->nauthors && rc == 0; i++)
		rc = print_author(x, s->authors[i]);
	if (x->jw != NULL) {
		jw_arr_end(x->jw);
		jw_key(x->jw, "forks");
		jw_arr(x->jw);
	}
	if (rc == 0)
		rc = log_foreach_fork(x->txn, s, print_fork, x);
	if (x->jw != NULL) {
		jw_arr_end(x->jw);
		jw_key(x->jw, "peers");
		jw_arr(x->jw);
	} else
		fprintf(x->out, _("peers\n"));
	if (rc == 0)
		rc = peers_foreach_stats(x->txn, s, print_peer, x);
	if (x->jw != NULL) {
		jw_arr_end(x->jw);
		jw_key(x->jw, "refused");
		jw_int(x->jw, (int64_t)entries(x, TB_REFUSED));
		jw_key(x->jw, "waiting");
		jw_int(x->jw, (int64_t)entries(x, TB_PENDING));
		jw_obj_end(x->jw);
		putc('\n', x->out);
	} else
		fprintf(x->out, _("waiting for their past: %llu change-sets; "
		    "forks: %llu; change-sets with refused ops: %llu\n"),
		    (unsigned long long)entries(x, TB_PENDING),
		    (unsigned long long)entries(x, TB_FORKS),
		    (unsigned long long)entries(x, TB_REFUSED));
	return rc;
}

/* Prints everything, the authors and roster loaded. */
static int
status_all(struct cmd_listing *l)
{
	struct status_ctx x = { l->ctx, l->txn, l->jw, l->out };
	struct store *s = &l->ctx->node->store;
	int rc;

	if ((rc = store_load_authors(x.txn, s)) == 0 &&
	    (rc = perm_roster(x.txn, s)) == 0)
		rc = print_status(&x);
	return rc;
}

/* Prints the status. */
static int
status_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	return cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON : CMD_TEXT,
	    status_all, NULL);
}

static const struct cmd_opt status_opts[] = {
	{ "json", NULL, N_(
	    "print {authors: [{head, key, member, seq, time}], forks:\n"
	    "[{author, held, other, seq}],\n"
	    "peers: [{address, bytes, error, forks, key, received,\n"
	    "refused, refused_changesets, sent, time}], refused, waiting}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_status_entry = {
	.name = "status",
	.usage = N_("[--json]"),
	.summary = N_("per author: seq, head, last change; per peer: last sync "
	    "and its outcome"),
	.args = { .opts = status_opts },
	.help = N_(
	    "refused: change-sets with ops their authors could not make;\n"
	    "refused_changesets: change-sets the peer sent in its last sync that\n"
	    "this node refused; waiting: change-sets that wait for their past.\n"),
	.exec = status_exec,
};
