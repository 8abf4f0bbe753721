/*
 * Business conflicts (schema/rules.md), computed on the merged state and
 * listed by consort conflicts beside the register conflicts; each blocks
 * an order request it touches:
 *   R07  one intent backing two paths; one employer's intents for one
 *        trainee in sessions of two different providers
 *   R01  one trainee financed in two sessions at once
 *   R16  a path whose session was deleted (never silently dropped)
 * Every node holding the same change-sets lists the same conflicts with
 * the same ids.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "order.h"

#define REF_BUF (CONSORT_REF_MAX + 1)

/* What the business rules need of one live path. */
struct path_info {
	char ref[REF_BUF], trainee[REF_BUF], session[REF_BUF], intent[REF_BUF];
	char provider[15], employer[15], start[11], end[11];
	bool financed, session_alive;
	struct conflict_value cv;  /* the path, as a competing value */
};

struct gather {
	struct store_txn *txn;
	struct store *s;
	struct record scratch;
	struct path_info *p;
	size_t n, cap;
	int err;
	const struct rules_model *only;  /* NULL: every path */
};

/* Whether a path touches the records of the model (its trainee or intent). */
static bool
touches(const struct gather *g, const struct path_info *p)
{
	return g->only == NULL || rules_has_trainee(g->only, p->trainee) ||
	    rules_has_intent(g->only, p->intent);
}

/* Reads the session and intent a path names. */
static int
lookup_links(struct gather *g, struct path_info *p)
{
	int rc;

	if (p->session[0]) {
		if ((rc = state_lookup(g->txn, g->s, g->s->founder, T_session,
		    p->session, strlen(p->session), &g->scratch)) != 0)
			return rc;
		p->session_alive = record_alive(g->s, &g->scratch);
		value_copy_str(p->provider, sizeof(p->provider),
		    state_field(g->s, &g->scratch, F_session_provider));
		value_copy_str(p->start, sizeof(p->start),
		    state_field(g->s, &g->scratch, F_session_start));
		value_copy_str(p->end, sizeof(p->end),
		    state_field(g->s, &g->scratch, F_session_end));
	}
	if (p->intent[0]) {
		if ((rc = state_lookup(g->txn, g->s, g->s->founder, T_intent,
		    p->intent, strlen(p->intent), &g->scratch)) != 0)
			return rc;
		if (record_alive(g->s, &g->scratch))
			value_copy_str(p->employer, sizeof(p->employer),
			    state_field(g->s, &g->scratch, F_intent_siret));
	}
	return 0;
}

/* Collects one live path. */
static int
gather_path(void *ctx, const struct record *r)
{
	struct gather *g = ctx;
	struct path_info *p;
	const struct value *v;
	const struct entry *e;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 256;
		if ((p = realloc(g->p, g->cap * sizeof(*p))) == NULL)
			return E(NOMEM);
		g->p = p;
	}
	p = &g->p[g->n++];
	memset(p, 0, sizeof(*p));
	memcpy(p->ref, r->ref, r->ref_len);
	value_copy_str(p->trainee, sizeof(p->trainee), state_field(g->s, r, F_path_trainee));
	value_copy_str(p->session, sizeof(p->session), state_field(g->s, r, F_path_session));
	value_copy_str(p->intent, sizeof(p->intent), state_field(g->s, r, F_path_intent));
	if (!touches(g, p)) {
		g->n--;  /* a path of other trainees and intents */
		return 0;
	}
	v = state_field(g->s, r, F_path_financed);
	p->financed = v == NULL || (v->kind == VAL_BOOL && v->b);
	/* the path's own creation stands for it as a competing value */
	if ((e = record_winner(g->s, r, &r->exist)) != NULL) {
		memcpy(p->cv.author, g->s->authors[e->author], CONSORT_KEY_BYTES);
		p->cv.seq = e->seq;
		p->cv.hlc = e->hlc;
	}
	return lookup_links(g, p);
}

/* Adds a path as a value of a business conflict. */
static void
add_path(struct conflict *c, const struct path_info *p)
{
	if (c->n == CONFLICT_MAX_VALUES)
		return;
	c->values[c->n] = p->cv;
	c->values[c->n].val = (struct value){ VAL_STR, false, 0, p->ref,
		(uint32_t)strlen(p->ref) };
	c->n++;
}

/* Starts a business conflict about (type, ref). */
static void
begin_rule(struct conflict *c, const char *rule, unsigned type, const char *ref)
{
	memset(c, 0, sizeof(*c));
	c->kind = rule;
	c->type = (uint8_t)type;
	c->ref = ref;
	c->ref_len = (uint32_t)strlen(ref);
}

/* Orders paths by intent. */
static int
by_intent(const void *a, const void *b)
{
	const struct path_info *x = a, *y = b;
	int c = strcmp(x->intent, y->intent);

	return c != 0 ? c : strcmp(x->ref, y->ref);
}

/* Orders paths by trainee, then ref. */
static int
by_trainee(const void *a, const void *b)
{
	const struct path_info *x = a, *y = b;
	int c = strcmp(x->trainee, y->trainee);

	return c != 0 ? c : strcmp(x->ref, y->ref);
}

/* R07: one intent backing two or more paths. */
static int
intent_twice(struct gather *g, conflict_fn fn, void *ctx)
{
	struct conflict c;
	size_t i, j;
	int rc;

	if (g->n > 1)
		qsort(g->p, g->n, sizeof(*g->p), by_intent);
	for (i = 0; i < g->n; i = j) {
		for (j = i + 1; j < g->n && strcmp(g->p[i].intent, g->p[j].intent) == 0; j++)
			;
		if (j - i < 2 || !g->p[i].intent[0] || (g->only != NULL &&
		    !rules_has_intent(g->only, g->p[i].intent)))
			continue;
		begin_rule(&c, "R07", T_intent, g->p[i].intent);
		for (size_t k = i; k < j; k++)
			add_path(&c, &g->p[k]);
		snprintf(c.detail, sizeof(c.detail),
		    _("intent %s backs %zu paths; an "
		    "intent backs one path: point the others at their own intent "
		    "(consort set path REF intent=...) or remove them"),
		    g->p[i].intent, j - i);
		conflict_finish(&c, NULL);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	return 0;
}

/* Whether two sessions' date ranges overlap (ISO dates compare as text). */
static bool
overlap(const struct path_info *a, const struct path_info *b)
{
	if (!a->start[0] || !a->end[0] || !b->start[0] || !b->end[0])
		return false;
	return strcmp(a->start, b->end) <= 0 && strcmp(b->start, a->end) <= 0;
}

/* R07 (one employer, one trainee, two providers) and R01 (financed twice). */
static int
trainee_rules(struct gather *g, size_t i, size_t j, conflict_fn fn, void *ctx)
{
	struct conflict c7, c1;
	size_t a, b;
	int rc;

	begin_rule(&c7, "R07", T_trainee, g->p[i].trainee);
	begin_rule(&c1, "R01", T_trainee, g->p[i].trainee);
	for (a = i; a < j; a++)
		for (b = a + 1; b < j; b++) {
			if (g->p[a].employer[0] && strcmp(g->p[a].employer,
			    g->p[b].employer) == 0 && strcmp(g->p[a].provider,
			    g->p[b].provider) != 0 && c7.n == 0) {
				add_path(&c7, &g->p[a]);
				add_path(&c7, &g->p[b]);
			}
			if (g->p[a].financed && g->p[b].financed &&
			    g->p[a].session_alive && g->p[b].session_alive &&
			    overlap(&g->p[a], &g->p[b]) && c1.n == 0) {
				add_path(&c1, &g->p[a]);
				add_path(&c1, &g->p[b]);
			}
		}
	if (c7.n > 0) {
		snprintf(c7.detail, sizeof(c7.detail),
		    _("employer %s committed to two "
		    "providers for trainee %s; keep one provider's path (consort rm "
		    "path REF on the other)"), g->p[i].employer,
		    g->p[i].trainee);
		conflict_finish(&c7, NULL);
		if ((rc = fn(ctx, &c7)) != 0)
			return rc;
	}
	if (c1.n > 0) {
		snprintf(c1.detail, sizeof(c1.detail),
		    _("trainee %s is financed in two "
		    "sessions at once; set financed=false on one path or move "
		    "it"),
		    g->p[i].trainee);
		conflict_finish(&c1, NULL);
		if ((rc = fn(ctx, &c1)) != 0)
			return rc;
	}
	return 0;
}

/* R16: a path whose session is gone. */
static int
orphan_paths(struct gather *g, conflict_fn fn, void *ctx)
{
	struct conflict c;
	size_t i;
	int rc;

	for (i = 0; i < g->n; i++) {
		if (!g->p[i].session[0] || g->p[i].session_alive ||
		    !touches(g, &g->p[i]))
			continue;
		begin_rule(&c, "R16", T_path, g->p[i].ref);
		c.field = F_path_session;
		add_path(&c, &g->p[i]);
		snprintf(c.detail, sizeof(c.detail),
		    _("path %s names session %s, "
		    "which was deleted; a path is never dropped silently: move it "
		    "(consort set path %s session=...) or remove it"),
		    g->p[i].ref, g->p[i].session, g->p[i].ref);
		conflict_finish(&c, NULL);
		if ((rc = fn(ctx, &c)) != 0)
			return rc;
	}
	return 0;
}

/*
 * Gathers the live paths a model's trainees and intents name, through the
 * index: those a walk of every path would keep (touches), in the same
 * order.
 */
static int
gather_indexed(struct gather *g)
{
	const struct rules_model *m = g->only;
	struct index_hits h = { 0 };
	size_t i;
	int rc = 0;

	for (i = 0; i < m->ntrainees && rc == 0; i++)
		rc = index_find(g->txn, g->s, IX_PATH_TRAINEE,
		    m->trainees[i].ref, -1, &h);
	for (i = 0; i < m->nintents && rc == 0; i++)
		rc = index_find(g->txn, g->s, IX_PATH_INTENT, m->intents[i].ref,
		    -1, &h);
	if (rc == 0)
		rc = index_visit(g->txn, g->s, T_path, &h, false, gather_path, g);
	index_hits_free(&h);
	return rc;
}

/*
 * Lists the business conflicts of the merged state (of one type if > 0),
 * or only those touching the trainees and intents of a model.  A conflict
 * found for a model is the one the whole scan finds, with the same id: its
 * group (the paths of one intent, or of one trainee) is gathered whole.
 */
int
conflicts_business(struct store_txn *txn, struct store *s, int type,
    const struct rules_model *only, conflict_fn fn, void *ctx)
{
	struct gather g = { txn, s, { 0 }, NULL, 0, 0, 0, only };
	size_t i, j;
	int rc;

	if (type > 0 && type != T_path && type != T_intent && type != T_trainee)
		return 0;
	record_init(&g.scratch);
	if (only != NULL && only->indexed)
		rc = gather_indexed(&g);
	else
		rc = state_foreach(txn, s, T_path, gather_path, &g);
	if (rc == 0 && (type <= 0 || type == T_intent))
		rc = intent_twice(&g, fn, ctx);
	if (rc == 0 && (type <= 0 || type == T_trainee)) {
		if (g.n > 1)
			qsort(g.p, g.n, sizeof(*g.p), by_trainee);
		for (i = 0; i < g.n && rc == 0; i = j) {
			for (j = i + 1; j < g.n && strcmp(g.p[i].trainee,
			    g.p[j].trainee) == 0; j++)
				;
			if (j - i >= 2 && g.p[i].trainee[0] && (only == NULL ||
			    rules_has_trainee(only, g.p[i].trainee)))
				rc = trainee_rules(&g, i, j, fn, ctx);
		}
	}
	if (rc == 0 && (type <= 0 || type == T_path))
		rc = orphan_paths(&g, fn, ctx);
	record_free(&g.scratch);
	free(g.p);
	return rc;
}
