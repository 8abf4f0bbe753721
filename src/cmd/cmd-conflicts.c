/* consort conflicts: every open conflict, register and business ones. */
#include <string.h>
#include <time.h>

#include "../cmd.h"

struct list {
	struct cmd_ctx *ctx;
	struct store_txn *txn;
	struct jsonw *jw;
	FILE *out;
	unsigned type;     /* 0: every type */
	const char *ref;   /* NULL: every record */
	unsigned count;
};

/* The change-set id of (author, seq), as hex ("" if it is not stored). */
static void
change_id(struct list *l, const struct conflict_value *v, char hex[65])
{
	uint8_t id[CONSORT_HASH_BYTES];
	struct store_val b;

	hex[0] = '\0';
	if (store_get_change(l->txn, &l->ctx->node->store, v->author, v->seq,
	    &b) != 0 || b.len <= CONSORT_SIG_BYTES)
		return;
	keys_hash(id, b.data, b.len - CONSORT_SIG_BYTES);
	util_hex(hex, id, CONSORT_HASH_BYTES);
}

/* The member who wrote a value. */
static const struct member *
writer(struct list *l, const struct conflict_value *v)
{
	return perm_member_by_key(&l->ctx->node->store, v->author);
}

/* Writes one value as JSON. */
static void
value_json(struct list *l, const struct conflict_value *v)
{
	const struct member *m = writer(l, v);
	char hex[65], when[32];

	change_id(l, v, hex);
	cmd_hlc_time(when, sizeof(when), v->hlc);
	jw_obj(l->jw);
	jw_key(l->jw, "change");
	jw_str(l->jw, hex);
	jw_key(l->jw, "deleted");
	jw_bool(l->jw, v->deletion);
	jw_key(l->jw, "member");
	jw_str(l->jw, m != NULL ? m->name : "");
	jw_key(l->jw, "siret");
	jw_str(l->jw, m != NULL ? m->siret : "");
	jw_key(l->jw, "time");
	jw_str(l->jw, when);
	jw_key(l->jw, "value");
	jw_value(l->jw, &v->val);
	jw_obj_end(l->jw);
}

/* The name of a conflict's field ("" for the record itself). */
static const char *
field_name(const struct conflict *c)
{
	const struct schema_field *f = schema_field(schema_type(c->type), c->field);

	return f != NULL ? f->name : "";
}

/* Writes one conflict as JSON. */
static void
conflict_json(struct list *l, const struct conflict *c)
{
	uint32_t i;

	jw_obj(l->jw);
	jw_key(l->jw, "detail");
	jw_str(l->jw, c->detail);
	jw_key(l->jw, "field");
	if (c->field)
		jw_str(l->jw, field_name(c));
	else
		jw_null(l->jw);
	jw_key(l->jw, "id");
	jw_str(l->jw, c->id);
	jw_key(l->jw, "kind");
	jw_str(l->jw, c->kind);
	jw_key(l->jw, "ref");
	jw_strn(l->jw, c->ref, c->ref_len);
	jw_key(l->jw, "type");
	jw_str(l->jw, schema_type(c->type)->name);
	jw_key(l->jw, "values");
	jw_arr(l->jw);
	for (i = 0; i < c->n; i++)
		value_json(l, &c->values[i]);
	jw_arr_end(l->jw);
	jw_obj_end(l->jw);
}

/* Writes one conflict as text. */
static void
conflict_text(struct list *l, const struct conflict *c)
{
	const struct member *m;
	char hex[65], when[32];
	uint32_t i;

	fprintf(l->out, "%s  %s  %s %.*s%s%s\n", c->id, c->kind,
	    schema_type(c->type)->name, (int)c->ref_len, c->ref,
	    c->field ? " " : "", field_name(c));
	for (i = 0; i < c->n; i++) {
		m = writer(l, &c->values[i]);
		change_id(l, &c->values[i], hex);
		cmd_hlc_time(when, sizeof(when), c->values[i].hlc);
		fprintf(l->out, "  %u. ", i + 1);
		if (c->values[i].deletion)
			fputs(_("(deleted)"), l->out);
		else
			cmd_print_value(l->out, &c->values[i].val);
		fprintf(l->out, _("  by %s (%s) at %s, change %.16s%s\n"),
		    m ? m->name : "?", m ? m->siret : "?", when, hex,
		    i == 0 && c->kind[0] != 'R' ? _("  (shown)") : "");
	}
	if (c->kind[0] == 'R')
		fprintf(l->out, "  %s\n", c->detail);
	else
		fprintf(l->out, _("  resolve: consort resolve %s --keep N | "
		    "--value V | --delete\n"), c->id);
}

/* Prints one conflict, if it passes the ref filter. */
static int
print_one(void *ctx, const struct conflict *c)
{
	struct list *l = ctx;

	if (l->ref != NULL && (c->ref_len != strlen(l->ref) ||
	    memcmp(c->ref, l->ref, c->ref_len) != 0))
		return 0;
	l->count++;
	if (l->jw != NULL)
		conflict_json(l, c);
	else
		conflict_text(l, c);
	return 0;
}

/* Prints the conflicts, the authors and roster loaded, then their count. */
static int
conflicts_all(struct cmd_listing *cl)
{
	struct store *s = &cl->ctx->node->store;
	struct list *l = cl->arg;
	int rc;

	l->txn = cl->txn;
	l->jw = cl->jw;
	l->out = cl->out;
	if ((rc = store_load_authors(l->txn, s)) == 0 &&
	    (rc = perm_roster(l->txn, s)) == 0)
		rc = conflicts_scan(l->txn, s, l->type, print_one, l);
	if (rc == 0 && l->jw == NULL)
		fprintf(l->out, _("%u open conflict%s\n"), l->count,
		    l->count == 1 ? "" : "s");
	return rc;
}

/* Lists the open conflicts; exit 4 when there is any. */
static int
conflicts_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct list l = { ctx, NULL, NULL, NULL, 0, NULL, 0 };
	const struct schema_type *t;
	int rc;

	if (args->argc >= 1) {
		if ((t = cmd_type(ctx, args->argv[0])) == NULL)
			return EXIT_USAGE;
		l.type = t->id;
	}
	l.ref = args->argc == 2 ? args->argv[1] : NULL;
	rc = cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON_ARRAY :
	    CMD_TEXT, conflicts_all, &l);
	return rc == EXIT_OK && l.count > 0 ? EXIT_CONFLICTS : rc;
}

static const struct cmd_opt conflicts_opts[] = {
	{ "json", NULL, N_(
	    "print an array of {detail, field, id, kind, ref, type, values:\n"
	    "[{change, deleted, member, siret, time, value}]}; kind is\n"
	    "field, delete, or a rule id (R07, R01, R16); values are\n"
	    "listed shown-first") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_conflicts_entry = {
	.name = "conflicts",
	.usage = N_("[--json] [TYPE [REF]]"),
	.summary = N_("list open conflicts: concurrent edits, deletions, "
	    "R07/R01/R16 (exit 4 if any)"),
	.args = { .opts = conflicts_opts, .upper = 2,
	    .unexpected = N_("expected at most TYPE REF") },
	.help = N_("Exit codes: 0 none open, 4 some open (scripts can gate on "
	    "it).\n"),
	.exec = conflicts_exec,
};
