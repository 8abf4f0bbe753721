/*
 * The roster (R10): binding an awarded co-contractor's key, adding a
 * subcontractor with its DC4 reference and parent member, revoking a
 * member.  Only the lead writes it; each call adds ops to the edit's
 * change-set through the generic record writer.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "core.h"

/* Looks up a member field by wire id. */
static const struct schema_field *
member_field(unsigned field)
{
	return schema_field(schema_type(T_member), field);
}

/* Appends FIELD = string to a field list. */
static void
add_str(struct field_input *in, unsigned *n, unsigned field, const char *v)
{
	in[*n].f = member_field(field);
	in[*n].v = (struct value){ VAL_STR, false, 0, v, (uint32_t)strlen(v) };
	(*n)++;
}

/* Appends FIELD = integer or boolean to a field list. */
static void
add_scalar(struct field_input *in, unsigned *n, unsigned field,
    enum value_kind kind, int64_t i)
{
	in[*n].f = member_field(field);
	in[*n].v = (struct value){ kind, i != 0, i, NULL, 0 };
	(*n)++;
}

/* Refuses the edit unless this node is the lead. */
static int
need_lead(struct edit *e, struct consort_diag *d)
{
	if (perm_is_lead(&e->n->store, e->n->pk))
		return 0;
	return consort_diag_set(d, E(PERM), "roster",
	    _("only the lead edits the "
	    "roster"), _("ask the lead to run this command"));
}

/* Checks the request against R10 and the roster as it stands. */
static int
check_invite(struct edit *e, const struct roster_invite *rq,
    struct consort_diag *d)
{
	const struct member *m, *parent;
	struct store *s = &e->n->store;
	int rc;

	if ((rc = perm_roster(e->txn, s)) != 0)
		return rc;
	m = perm_member_by_siret(s, rq->siret, strlen(rq->siret));
	if (m != NULL && m->has_key &&
	    memcmp(m->key, rq->key, CONSORT_KEY_BYTES) != 0 && !m->revoked)
		return consort_diag_set(d, E(EXIST), rq->siret, _("this member "
		    "already has a key"), _("revoke it first to bind a new "
		    "one"));
	for (uint32_t i = 0; i < s->nroster; i++)
		if (s->roster[i].has_key && memcmp(s->roster[i].key, rq->key,
		    CONSORT_KEY_BYTES) == 0 && strcmp(s->roster[i].siret, rq->siret))
			return consort_diag_set(d, E(EXIST), rq->siret,
			    _("this key is bound to another member"),
			    _("each member keeps its own key"));
	if (rq->role == ROLE_CO) {
		if (m == NULL || m->role != ROLE_CO)
			return consort_diag_set(d, E(PERM), rq->siret,
			    _("R10: not a co-contractor awarded at the "
			    "consortium's creation"),
			    _("co-contractors cannot be added later; invite it "
			    "as a subcontractor with --role sub --parent "
			    "--dc4"));
		return 0;
	}
	if (rq->parent == NULL || rq->dc4 == NULL || rq->dc4[0] == '\0')
		return consort_diag_set(d, E(SCHEMA), rq->siret, _("R10: a "
		    "subcontractor needs its DC4 reference and the member it is "
		    "attached to"), _("give --dc4 REF and --parent SIRET"));
	if (m != NULL && m->role != ROLE_SUB)
		return consort_diag_set(d, E(EXIST), rq->siret,
		    _("this SIRET is already a member with another "
		    "role"), NULL);
	parent = perm_member_by_siret(s, rq->parent, strlen(rq->parent));
	if (parent == NULL || (parent->role != ROLE_LEAD && parent->role != ROLE_CO))
		return consort_diag_set(d, E(REF), rq->parent,
		    _("R10: the parent is not the lead or a "
		    "co-contractor"), _("name an awarded member with "
		    "--parent"));
	return 0;
}

/* Binds a member's key (co) or adds a subcontractor (sub): one change-set. */
int
roster_invite(struct edit *e, const struct roster_invite *rq,
    struct consort_diag *d)
{
	struct field_input in[SCHEMA_MAX_FIELDS];
	char hex[2 * CONSORT_KEY_BYTES + 1];
	unsigned n = 0;
	bool changed;
	int rc;

	if ((rc = need_lead(e, d)) != 0 || (rc = check_invite(e, rq, d)) != 0)
		return rc;
	util_hex(hex, rq->key, CONSORT_KEY_BYTES);
	add_str(in, &n, F_member_key, hex);
	if (rq->name != NULL)
		add_str(in, &n, F_member_name, rq->name);
	if (rq->role == ROLE_SUB) {
		add_str(in, &n, F_member_siret, rq->siret);
		add_str(in, &n, F_member_role, "sub");
		add_str(in, &n, F_member_parent, rq->parent);
		add_str(in, &n, F_member_dc4, rq->dc4);
		add_scalar(in, &n, F_member_awarded, VAL_BOOL, 0);
	}
	add_scalar(in, &n, F_member_revoked, VAL_BOOL, 0);
	for (unsigned i = 0; i < n; i++)
		if ((rc = schema_check_value(in[i].f, &in[i].v, d)) != 0)
			return rc;
	return records_put(e, schema_type(T_member), rq->siret,
	    strlen(rq->siret), in, n, rq->role == ROLE_SUB ? PUT_UPSERT : PUT_SET,
	    false, &changed, d);
}

/*
 * Revokes a member: its change-sets after the last one this node holds
 * count nowhere (DESIGN.md §2).
 */
int
roster_revoke(struct edit *e, const char *siret, uint64_t *after,
    struct consort_diag *d)
{
	struct field_input in[4];
	const struct member *m;
	struct head h;
	char today[11];
	time_t now = time(NULL);
	unsigned n = 0;
	bool changed;
	int rc;

	if ((rc = need_lead(e, d)) != 0 ||
	    (rc = perm_roster(e->txn, &e->n->store)) != 0)
		return rc;
	m = perm_member_by_siret(&e->n->store, siret, strlen(siret));
	if (m == NULL || !m->has_key)
		return consort_diag_set(d, E(NOENT), siret,
		    _("no member with a key "
		    "has this SIRET"), _("consort member list shows the "
		    "roster"));
	if (m->role == ROLE_LEAD)
		return consort_diag_set(d, E(PERM), siret,
		    _("the lead cannot be revoked"), NULL);
	rc = store_head(e->txn, &e->n->store, m->key, &h);
	if (rc != 0 && rc != E(NOENT))
		return rc;
	*after = rc == 0 ? h.seq : 0;
	strftime(today, sizeof(today), "%Y-%m-%d", gmtime(&now));
	add_scalar(in, &n, F_member_revoked, VAL_BOOL, 1);
	add_str(in, &n, F_member_revoked_date, today);
	add_scalar(in, &n, F_member_revoked_after, VAL_INT, (int64_t)*after);
	return records_put(e, schema_type(T_member), siret, strlen(siret), in, n,
	    PUT_SET, false, &changed, d);
}
