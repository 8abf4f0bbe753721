/*
 * Open conflicts (DESIGN.md §4): the register conflicts of every record
 * (src/conflicts-register.c) and the business conflicts computed on the
 * merged state (src/conflicts-business.c), listed together, found by id,
 * and resolved.
 */
#include <string.h>

#include "core.h"

/* Lists every open conflict (of one type when type > 0) to fn. */
int
conflicts_scan(struct store_txn *txn, struct store *s, int type, conflict_fn fn,
    void *ctx)
{
	int rc;

	if ((rc = conflicts_register_scan(txn, s, type, fn, ctx)) != 0)
		return rc;
	if ((rc = conflicts_business(txn, s, type, NULL, fn, ctx)) != 0)
		return rc;
	return type <= 0 || type == T_session ?
	    conflicts_orders(txn, s, fn, ctx) : 0;
}

/* The conflict conflicts_find looks for, and where it keeps it. */
struct finder {
	const char *id;
	struct conflict *out;
	bool found;
};

/* Keeps the conflict whose id is wanted. */
static int
find_one(void *ctx, const struct conflict *c)
{
	struct finder *f = ctx;

	if (strcmp(c->id, f->id) != 0)
		return 0;
	*f->out = *c;
	f->found = true;
	return 1;
}

/*
 * Finds an open conflict by id.  A register conflict's values point into
 * the transaction; a business conflict keeps only its kind and detail.
 */
int
conflicts_find(struct store_txn *txn, struct store *s, const char *id,
    struct conflict *out)
{
	struct finder f = { id, out, false };
	int rc;

	if ((rc = conflicts_scan(txn, s, 0, find_one, &f)) < 0)
		return rc;
	if (!f.found)
		return E(NOENT);
	if (out->kind[0] == 'R') {
		out->ref = NULL;
		out->ref_len = 0;
		out->n = 0;
	}
	return 0;
}

/*
 * Writes the resolution of a register conflict into the edit's change-set:
 * keep value n (1-based, in listing order), or the value v, or delete (the
 * field of a field conflict, the record of a deletion conflict).  The
 * change-set has seen every competing value, so it replaces them all.
 */
int
conflicts_resolve(struct edit *e, const struct conflict *c, unsigned keep,
    const struct value *v, bool del, struct consort_diag *d)
{
	uint8_t id[CONSORT_EID_BYTES];
	struct value ref = { VAL_STR, false, 0, c->ref, c->ref_len };
	const struct conflict_value *kept = keep ? &c->values[keep - 1] : NULL;
	bool record = strcmp(c->kind, "delete") == 0;

	if (c->kind[0] == 'R')
		return consort_diag_set(d, E(PERM), c->id, c->detail,
		    _("business conflicts clear when the records change"));
	if (keep > c->n)
		return consort_diag_set(d, E(INVAL), c->id, _("no such value"),
		    _("consort conflicts lists the values, numbered from 1"));
	node_entity_id(e->n, c->type, c->ref, c->ref_len, id);
	if (record && (del || (kept != NULL && kept->deletion))) {
		csb_op(&e->b, OP_DELETE, c->type, id, 0, NULL);
		return 0;
	}
	if (record)
		csb_op(&e->b, OP_CREATE, c->type, id, 0, &ref);
	if (c->field == 0)
		return v == NULL ? 0 : consort_diag_set(d, E(INVAL), c->id,
		    _("this conflict is about the record itself"),
		    _("use --keep N or --delete"));
	if (del) {
		csb_op(&e->b, OP_UNSET, c->type, id, c->field, NULL);
		return 0;
	}
	/* a personal value is written as a commitment (records_write_field) */
	return records_write_field(e, c->type, id,
	    schema_field(schema_type(c->type), c->field),
	    v != NULL ? v : &kept->val, d);
}
