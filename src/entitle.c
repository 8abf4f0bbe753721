/*
 * Who may read a trainee's personal values (schema/DESIGN.md, "Personal
 * data"): the lead; the member who recorded the trainee; the provider of a
 * session in which the trainee has a path; and the parent member of a
 * subcontractor that is one of those.  Decided on the merged state of the
 * node that asks, every competing value of a path's session and of a
 * session's provider counting: a member that may be concerned reads.
 */
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define SIRETS_MAX 64  /* a member and its subcontractors */

/* The SIRETs a member answers for: its own and its subcontractors'. */
struct answers {
	char siret[SIRETS_MAX][15];
	unsigned n;
};

/* Fills the SIRETs a member answers for. */
static void
answers_of(const struct store *s, const struct member *m, struct answers *a)
{
	uint32_t i;

	memset(a, 0, sizeof(*a));
	memcpy(a->siret[0], m->siret, sizeof(a->siret[0]));
	a->n = 1;
	for (i = 0; i < s->nroster && a->n < SIRETS_MAX; i++) {
		const struct member *x = &s->roster[i];

		if (x->role != ROLE_SUB || strcmp(x->parent, m->siret) != 0)
			continue;
		memcpy(a->siret[a->n], x->siret, sizeof(a->siret[0]));
		a->n++;
	}
}

/* Whether a value is one of the SIRETs a member answers for. */
static bool
answers_siret(const struct answers *a, const struct value *v)
{
	unsigned i;

	if (v->kind != VAL_STR || v->len != 14)
		return false;
	for (i = 0; i < a->n; i++)
		if (memcmp(a->siret[i], v->s, 14) == 0)
			return true;
	return false;
}

/*
 * Whether a key speaks for one of the members a member answers for: any
 * key that member held, so that what it recorded before a rotation stays
 * its own.
 */
static bool
answers_key(const struct store *s, const struct answers *a,
    const uint8_t *key)
{
	const struct member *m = perm_member_by_key(s, key);
	unsigned i;

	for (i = 0; m != NULL && i < a->n; i++)
		if (strcmp(a->siret[i], m->siret) == 0)
			return true;
	return false;
}

/* Adds an id to a set (sorted at the end). */
static int
set_add(struct entitle_set *e, const uint8_t *id)
{
	uint8_t (*p)[CONSORT_EID_BYTES];
	size_t cap;

	if (e->n == e->cap) {
		cap = e->cap ? e->cap * 2 : 256;
		if ((p = realloc(e->ids, cap * sizeof(*p))) == NULL)
			return E(NOMEM);
		e->ids = p;
		e->cap = cap;
	}
	memcpy(e->ids[e->n++], id, CONSORT_EID_BYTES);
	return 0;
}

/* Orders entity ids bytewise. */
static int
cmp_id(const void *a, const void *b)
{
	return memcmp(a, b, CONSORT_EID_BYTES);
}

struct sessions_ctx {
	const struct store *s;
	const struct answers *a;
	struct entitle_set runs;  /* ids of the sessions the member runs */
};

/* Keeps a session whose provider (any competing value) the member answers for. */
static int
visit_session(void *ctx, const struct record *r)
{
	struct sessions_ctx *x = ctx;
	const struct reg *g = &r->fields[F_session_provider];
	uint32_t k;

	if (g->n == 0)  /* a session without a provider is the lead's */
		return 0;
	for (k = 0; k < g->n; k++)
		if (answers_siret(x->a, &r->pool[g->off + k].val))
			return set_add(&x->runs, r->id);
	return 0;
}

struct paths_ctx {
	struct store *s;
	const struct entitle_set *runs;
	struct entitle_set *out;
	unsigned long seen;
};

/* Whether a reference value names a session of the set. */
static bool
names_run(const struct store *s, const struct entitle_set *runs,
    const struct value *v)
{
	uint8_t id[CONSORT_EID_BYTES];

	if (v->kind != VAL_STR)
		return false;
	if (runs->n == 0)
		return false;
	keys_entity_id(id, s->founder, T_session, v->s, v->len);
	return bsearch(id, runs->ids, runs->n, CONSORT_EID_BYTES, cmp_id) != NULL;
}

/* Adds the trainees of a path in one of the member's sessions. */
static int
visit_path(void *ctx, const struct record *r)
{
	struct paths_ctx *x = ctx;
	const struct reg *gs = &r->fields[F_path_session];
	const struct reg *gt = &r->fields[F_path_trainee];
	uint8_t id[CONSORT_EID_BYTES];
	const struct value *v;
	uint32_t k;
	int rc;

	for (k = 0; k < gs->n; k++)
		if (names_run(x->s, x->runs, &r->pool[gs->off + k].val))
			break;
	if (k == gs->n)
		return 0;
	for (k = 0; k < gt->n; k++) {
		v = &r->pool[gt->off + k].val;
		if (v->kind != VAL_STR)
			continue;
		keys_entity_id(id, x->s->founder, T_trainee, v->s, v->len);
		if ((rc = set_add(x->out, id)) != 0)
			return rc;
	}
	return 0;
}

struct recorded_ctx {
	const struct store *s;
	const struct answers *a;
	struct entitle_set *out;
};

/* Adds a trainee recorded by the member or one of its subcontractors. */
static int
visit_creation(void *ctx, const uint8_t *id, uint32_t author)
{
	struct recorded_ctx *x = ctx;

	if (author >= x->s->nauthors ||
	    !answers_key(x->s, x->a, x->s->authors[author]))
		return 0;
	return set_add(x->out, id);
}

/* Sorts a set and drops repeats. */
static void
set_seal(struct entitle_set *e)
{
	size_t i, n = 0;

	if (e->n == 0)
		return;
	qsort(e->ids, e->n, CONSORT_EID_BYTES, cmp_id);
	for (i = 1; i < e->n; i++)
		if (memcmp(e->ids[i], e->ids[n], CONSORT_EID_BYTES) != 0)
			memcpy(e->ids[++n], e->ids[i], CONSORT_EID_BYTES);
	e->n = n + 1;
}

/* The trainees whose values a member (by key) may read. */
int
entitle_set_of(struct store_txn *txn, struct store *s, const uint8_t *key,
    struct entitle_set *out)
{
	struct sessions_ctx sx;
	struct paths_ctx px;
	struct recorded_ctx rx;
	const struct member *m;
	struct answers a;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((rc = store_load_authors(txn, s)) != 0 ||
	    (rc = perm_roster(txn, s)) != 0)
		return rc;
	if (!perm_key_current(s, key))
		return 0;  /* a replaced key reads nothing */
	if (perm_is_lead(s, key)) {
		out->all = true;
		return 0;
	}
	if ((m = perm_member_by_key(s, key)) == NULL || m->revoked)
		return 0;  /* nobody else reads anything */
	answers_of(s, m, &a);
	memset(&sx, 0, sizeof(sx));
	sx.s = s;
	sx.a = &a;
	if ((rc = state_foreach(txn, s, T_session, visit_session, &sx)) == 0) {
		set_seal(&sx.runs);
		px.s = s;
		px.runs = &sx.runs;
		px.out = out;
		px.seen = 0;
		rc = state_foreach(txn, s, T_path, visit_path, &px);
	}
	free(sx.runs.ids);
	rx.s = s;
	rx.a = &a;
	rx.out = out;
	if (rc == 0)
		rc = perm_foreach_creation(txn, s, T_trainee, NULL, visit_creation,
		    &rx);
	if (rc != 0) {
		entitle_free(out);
		return rc;
	}
	set_seal(out);
	return 0;
}

/* Whether a set holds a trainee. */
bool
entitle_has(const struct entitle_set *e, const uint8_t *id)
{
	return e->all || (e->n > 0 &&
	    bsearch(id, e->ids, e->n, CONSORT_EID_BYTES, cmp_id) != NULL);
}

/* Frees a set. */
void
entitle_free(struct entitle_set *e)
{
	free(e->ids);
	memset(e, 0, sizeof(*e));
}

/* Whether a member may read the values of one trainee. */
int
entitle_may_read(struct store_txn *txn, struct store *s, const uint8_t *key,
    const uint8_t *trainee, bool *may)
{
	struct entitle_set e;
	int rc;

	*may = false;
	if ((rc = entitle_set_of(txn, s, key, &e)) != 0)
		return rc;
	*may = entitle_has(&e, trainee);
	entitle_free(&e);
	return 0;
}
