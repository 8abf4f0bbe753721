/*
 * consort subject: everything this node holds about one person (GDPR
 * art. 15, right of access): the trainee's record, its paths, their
 * sessions and intents, the orders whose request names it, the conflicts
 * that touch it, and the members who may read its personal values.
 */
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "../cmd.h"
#include "../rights.h"

#define REF_BUF RIGHTS_REF_BUF
#define NAME_BUF 201
#define WHY_MAX 8

struct s_path {
	char ref[REF_BUF], session[REF_BUF], intent[REF_BUF];
	struct value hours, financed;  /* VAL_NIL when unset */
};

struct s_session {
	char ref[REF_BUF], title[NAME_BUF], provider[15], start[11], end[11];
};

struct s_intent {
	char ref[REF_BUF], employer[NAME_BUF], siret[15], status[32];
};

struct s_order {
	char ref[REF_BUF], lot[REF_BUF], period[8], date[11];
	int64_t number;
};

struct s_conflict {
	char id[18], kind[8], type[16], ref[REF_BUF], field[32];
};

/* A member who may read the person's values, and why. */
struct s_entitled {
	const struct member *m;
	char why[WHY_MAX][REF_BUF + 40];
	unsigned nwhy;
};

/* A growable array of items of one size. */
struct list {
	void *items;
	size_t n, cap, size;
};

struct subject {
	struct cmd_listing *l;
	struct store *s;
	const char *ref;
	struct record trainee;     /* opened where this node can */
	struct record scratch;
	unsigned held, total;      /* openings held here, commitments */
	struct list paths, sessions, intents, orders, conflicts, entitled;
};

/* The item i of a list. */
static void *
item(const struct list *l, size_t i)
{
	return (char *)l->items + i * l->size;
}

/* Appends a zeroed item to a list; NULL when memory runs out. */
static void *
push(struct list *l)
{
	void *p;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 16;
		if ((p = realloc(l->items, l->cap * l->size)) == NULL)
			return NULL;
		l->items = p;
	}
	p = item(l, l->n++);
	memset(p, 0, l->size);
	return p;
}

/* Sorts a list (an empty one has no items to give qsort). */
static void
sort(struct list *l, int (*cmp)(const void *, const void *))
{
	if (l->n > 1)
		qsort(l->items, l->n, l->size, cmp);
}

/* Whether a list of items starting with a ref holds ref. */
static bool
has_ref(const struct list *l, const char *ref)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		if (strcmp((const char *)item(l, i), ref) == 0)
			return true;
	return false;
}

/* Orders items that start with a ref (or a SIRET) by it. */
static int
by_ref(const void *a, const void *b)
{
	return strcmp((const char *)a, (const char *)b);
}

/* Whether a string value is exactly s. */
static bool
value_is(const struct value *v, const char *s)
{
	return v != NULL && v->kind == VAL_STR && v->len == strlen(s) &&
	    memcmp(v->s, s, v->len) == 0;
}

/* Collects one live path of the trainee. */
static int
gather_path(void *ctx, const struct record *r)
{
	static const struct value nil = { VAL_NIL, false, 0, NULL, 0 };
	struct subject *x = ctx;
	const struct value *v;
	struct s_path *p;

	if (!value_is(state_field(x->s, r, F_path_trainee), x->ref) ||
	    r->ref_len >= REF_BUF)
		return 0;
	if ((p = push(&x->paths)) == NULL)
		return E(NOMEM);
	memcpy(p->ref, r->ref, r->ref_len);
	value_copy_str(p->session, sizeof(p->session),
	    state_field(x->s, r, F_path_session));
	value_copy_str(p->intent, sizeof(p->intent),
	    state_field(x->s, r, F_path_intent));
	p->hours = (v = state_field(x->s, r, F_path_hours)) ? *v : nil;
	p->financed = (v = state_field(x->s, r, F_path_financed)) ? *v : nil;
	return 0;
}

/* Loads a live record by ref into the scratch record; false if none. */
static int
lookup(struct subject *x, unsigned type, const char *ref, bool *alive)
{
	int rc;

	*alive = false;
	if ((rc = state_lookup(x->l->txn, x->s, x->s->founder, type, ref,
	    strlen(ref), &x->scratch)) != 0)
		return rc;
	*alive = record_alive(x->s, &x->scratch);
	return 0;
}

/* Collects the live sessions and intents the paths name, once each. */
static int
gather_links(struct subject *x)
{
	struct s_session *ss;
	struct s_intent *si;
	struct s_path *p;
	bool alive;
	size_t i;
	int rc;

	for (i = 0; i < x->paths.n; i++) {
		p = item(&x->paths, i);
		if (p->session[0] && !has_ref(&x->sessions, p->session)) {
			if ((rc = lookup(x, T_session, p->session, &alive)) != 0)
				return rc;
			if (alive && (ss = push(&x->sessions)) == NULL)
				return E(NOMEM);
			if (alive) {
				snprintf(ss->ref, sizeof(ss->ref), "%s", p->session);
#define SF(buf, f) value_copy_str(buf, sizeof(buf), state_field(x->s, &x->scratch, f))
				SF(ss->title, F_session_title);
				SF(ss->provider, F_session_provider);
				SF(ss->start, F_session_start);
				SF(ss->end, F_session_end);
			}
		}
		if (p->intent[0] && !has_ref(&x->intents, p->intent)) {
			if ((rc = lookup(x, T_intent, p->intent, &alive)) != 0)
				return rc;
			if (alive && (si = push(&x->intents)) == NULL)
				return E(NOMEM);
			if (alive) {
				snprintf(si->ref, sizeof(si->ref), "%s", p->intent);
				SF(si->employer, F_intent_employer);
				SF(si->siret, F_intent_siret);
				SF(si->status, F_intent_status);
#undef SF
			}
		}
	}
	sort(&x->sessions, by_ref);
	sort(&x->intents, by_ref);
	return 0;
}

/* Whether a request (or any part of it) names the trainee as "trainee". */
static bool
names_trainee(const json_t *j, const char *ref)
{
	const char *k;
	json_t *v;
	size_t i;

	if (json_is_array(j)) {
		json_array_foreach(j, i, v)
			if (names_trainee(v, ref))
				return true;
		return false;
	}
	if (!json_is_object(j))
		return false;
	json_object_foreach((json_t *)j, k, v) {
		if (strcmp(k, "trainee") == 0 && json_is_string(v) &&
		    strcmp(json_string_value(v), ref) == 0)
			return true;
		if (names_trainee(v, ref))
			return true;
	}
	return false;
}

/* Collects one order whose signed request names the trainee. */
static int
gather_order(void *ctx, const struct record *r)
{
	struct subject *x = ctx;
	const struct value *v = state_field(x->s, r, F_order_signed);
	struct s_order *o;
	json_t *j;
	bool named;

	if (v == NULL || v->kind != VAL_STR || r->ref_len >= REF_BUF ||
	    (j = json_loadb(v->s, v->len, 0, NULL)) == NULL)
		return 0;
	named = names_trainee(j, x->ref);
	json_decref(j);
	if (!named)
		return 0;
	if ((o = push(&x->orders)) == NULL)
		return E(NOMEM);
	memcpy(o->ref, r->ref, r->ref_len);
	value_copy_str(o->lot, sizeof(o->lot), state_field(x->s, r, F_order_lot));
	value_copy_str(o->period, sizeof(o->period),
	    state_field(x->s, r, F_order_period));
	value_copy_str(o->date, sizeof(o->date), state_field(x->s, r, F_order_date));
	v = state_field(x->s, r, F_order_number);
	o->number = v != NULL && v->kind == VAL_INT ? v->i : 0;
	return 0;
}

/* Whether a conflict touches the trainee, its paths or its intents. */
static bool
touches(const struct subject *x, const struct conflict *c)
{
	char ref[REF_BUF];
	uint32_t i;

	if (c->ref_len >= sizeof(ref))
		return false;
	memcpy(ref, c->ref, c->ref_len);
	ref[c->ref_len] = '\0';
	if ((c->type == T_trainee && strcmp(ref, x->ref) == 0) ||
	    (c->type == T_path && has_ref(&x->paths, ref)) ||
	    (c->type == T_intent && has_ref(&x->intents, ref)))
		return true;
	if (c->kind[0] != 'R')
		return false;
	for (i = 0; i < c->n; i++) {  /* a business conflict lists paths */
		value_copy_str(ref, sizeof(ref), &c->values[i].val);
		if (ref[0] && has_ref(&x->paths, ref))
			return true;
	}
	return false;
}

/* Collects one open conflict that touches the trainee. */
static int
gather_conflict(void *ctx, const struct conflict *c)
{
	struct subject *x = ctx;
	const struct schema_type *t = schema_type(c->type);
	const struct schema_field *f;
	struct s_conflict *sc;

	if (!touches(x, c))
		return 0;
	if ((sc = push(&x->conflicts)) == NULL)
		return E(NOMEM);
	snprintf(sc->id, sizeof(sc->id), "%s", c->id);
	snprintf(sc->kind, sizeof(sc->kind), "%s", c->kind);
	snprintf(sc->type, sizeof(sc->type), "%s", t != NULL ? t->name : "?");
	snprintf(sc->ref, sizeof(sc->ref), "%.*s", (int)c->ref_len, c->ref);
	f = c->field && t != NULL ? schema_field(t, c->field) : NULL;
	snprintf(sc->field, sizeof(sc->field), "%s", f != NULL ? f->name : "");
	return 0;
}

/* Adds a member to those entitled, with one more reason. */
static int
entitle(struct subject *x, const struct member *m, const char *why)
{
	struct s_entitled *e = NULL;
	size_t i;

	if (m == NULL || m->revoked)
		return 0;
	for (i = 0; i < x->entitled.n && e == NULL; i++)
		if (((struct s_entitled *)item(&x->entitled, i))->m == m)
			e = item(&x->entitled, i);
	if (e == NULL && (e = push(&x->entitled)) == NULL)
		return E(NOMEM);
	e->m = m;
	for (i = 0; i < e->nwhy; i++)
		if (strcmp(e->why[i], why) == 0)
			return 0;
	if (e->nwhy < WHY_MAX)
		snprintf(e->why[e->nwhy++], sizeof(e->why[0]), "%s", why);
	return 0;
}

/* Gives the member who recorded the trainee its reason (a creation kept). */
static int
entitle_recorder(void *ctx, const uint8_t *id, uint32_t author)
{
	struct subject *x = ctx;

	(void)id;
	if (author >= x->s->nauthors)
		return 0;
	return entitle(x, perm_member_by_key(x->s, x->s->authors[author]),
	    _("recorded it"));
}

/* Orders entitled members by SIRET. */
static int
by_siret(const void *a, const void *b)
{
	return strcmp(((const struct s_entitled *)a)->m->siret,
	    ((const struct s_entitled *)b)->m->siret);
}

/*
 * Why members may read the trainee's values: the lead, the provider of a
 * session where it has a path, the member who recorded it, the
 * co-contractor over each subcontractor among them.
 */
static int
entitled_reasons(struct subject *x)
{
	const struct s_session *ss;
	const struct s_entitled *e;
	char why[REF_BUF + 40];
	size_t i, n;
	int rc;

	for (i = 0; i < x->s->nroster; i++)
		if (x->s->roster[i].role == ROLE_LEAD &&
		    (rc = entitle(x, &x->s->roster[i], _("lead"))) != 0)
			return rc;
	for (i = 0; i < x->sessions.n; i++) {
		ss = item(&x->sessions, i);
		snprintf(why, sizeof(why), _("provider of session %s"),
		    ss->ref);
		if ((rc = entitle(x, perm_member_by_siret(x->s, ss->provider,
		    strlen(ss->provider)), why)) != 0)
			return rc;
	}
	if ((rc = perm_foreach_creation(x->l->txn, x->s, T_trainee,
	    x->trainee.id, entitle_recorder, x)) != 0)
		return rc;
	for (i = 0, n = x->entitled.n; i < n; i++) {
		e = item(&x->entitled, i);
		if (e->m->role != ROLE_SUB || !e->m->parent[0])
			continue;
		snprintf(why, sizeof(why), _("parent of subcontractor %s"),
		    e->m->siret);
		if ((rc = entitle(x, perm_member_by_siret(x->s, e->m->parent,
		    strlen(e->m->parent)), why)) != 0)
			return rc;
	}
	return 0;
}

/*
 * The members who may read the trainee's values, as entitle.c decides
 * (the rule sync follows), each with why; a member entitled through a
 * competing value only (two members wrote a path's session at once) is
 * said to be so.
 */
static int
entitled_members(struct subject *x)
{
	struct s_entitled *e;
	const struct member *m;
	size_t i, k;
	bool may;
	int rc;

	if ((rc = entitled_reasons(x)) != 0)
		return rc;
	for (i = 0; i < x->s->nroster; i++) {
		m = &x->s->roster[i];
		may = false;
		if (m->has_key && !m->revoked && (rc = entitle_may_read(x->l->txn,
		    x->s, m->key, x->trainee.id, &may)) != 0)
			return rc;
		for (k = 0; k < x->entitled.n; k++)
			if (((struct s_entitled *)item(&x->entitled, k))->m == m)
				break;
		if (may && k == x->entitled.n &&
		    (rc = entitle(x, m, _("a competing value of a path or a "
		    "session names it"))) != 0)
			return rc;
		if (!may && k < x->entitled.n) {  /* no key yet, or revoked */
			e = item(&x->entitled, k);
			memmove(e, (char *)e + x->entitled.size,
			    (x->entitled.n - k - 1) * x->entitled.size);
			x->entitled.n--;
		}
	}
	sort(&x->entitled, by_siret);
	return 0;
}

/* Loads the trainee, counting its openings before opening them. */
static int
load_trainee(struct subject *x)
{
	uint8_t id[CONSORT_EID_BYTES];
	int rc;

	node_entity_id(x->l->ctx->node, T_trainee, x->ref, strlen(x->ref), id);
	if ((rc = record_load(x->l->txn, x->s, T_trainee, id,
	    &x->trainee)) != 0)
		return rc;
	if (!x->trainee.found) {
		snprintf(x->l->diag.where, sizeof(x->l->diag.where), "trainee %s",
		    x->ref);
		return consort_diag_set(&x->l->diag, E(NOENT), x->l->diag.where,
		    _("no such trainee on this node: it holds nothing about "
		    "it"),
		    _("consort list trainee lists them"));
	}
	if ((rc = rights_openings(x->l->txn, x->s, &x->trainee, &x->held,
	    &x->total)) != 0)
		return rc;
	return personal_open_record(x->l->txn, x->s, &x->trainee);
}

/* Gathers everything the node holds about the trainee. */
static int
gather(struct subject *x)
{
	int rc;

	if ((rc = load_trainee(x)) != 0 ||
	    (rc = store_load_authors(x->l->txn, x->s)) != 0 ||
	    (rc = perm_roster(x->l->txn, x->s)) != 0 ||
	    (rc = state_foreach_d(x->l->txn, x->s, T_path, gather_path, x,
	    &x->l->diag)) != 0 || (rc = gather_links(x)) != 0 ||
	    (rc = state_foreach_d(x->l->txn, x->s, T_order, gather_order, x,
	    &x->l->diag)) != 0 ||
	    (rc = conflicts_scan(x->l->txn, x->s, 0, gather_conflict, x)) != 0)
		return rc;
	return entitled_members(x);
}

/* What a personal field shows: its value, "sealed" or "erased". */
static const char *
personal_state(const struct subject *x, const struct value *v)
{
	if (personal_erased(&x->trainee))
		return "erased";
	return v->kind == VAL_BIN ? "sealed" : "readable";
}

/* Prints a string escaped, as show prints values. */
static void
put_text(FILE *f, const char *s)
{
	struct value v = { VAL_STR, false, 0, s, (uint32_t)strlen(s) };

	cmd_print_value(f, &v);
}

/* Prints the trainee's record as text. */
static void
trainee_text(const struct subject *x, FILE *f)
{
	const struct schema_type *t = schema_type(T_trainee);
	const struct value *v, *date, *why;
	unsigned i;

	fprintf(f, _("trainee %s%s\n"), x->ref, record_alive(x->s,
	    &x->trainee) ? "" : _(" (deleted)"));
	for (i = 0; i < t->nfields; i++) {
		if ((v = state_field(x->s, &x->trainee, t->sorted[i]->id)) == NULL)
			continue;
		fprintf(f, "  %-20s ", t->sorted[i]->name);
		if (!t->sorted[i]->personal || v->kind != VAL_BIN)
			cmd_print_value(f, v);
		else if (personal_erased(&x->trainee))
			fputs(_("(erased)"), f);
		else
			fputs(_("(sealed: this node holds only a commitment to "
			    "it)"), f);
		fputc('\n', f);
	}
	if (personal_erased(&x->trainee)) {
		date = state_field(x->s, &x->trainee, F_trainee_erased);
		why = state_field(x->s, &x->trainee, F_trainee_erased_reason);
		fputs(_("  personal values erased on "), f);
		cmd_print_value(f, date);
		fputs(": ", f);
		if (why != NULL)
			cmd_print_value(f, why);
		fputc('\n', f);
	}
	fprintf(f, _("  personal values held on this node: %u of %u\n"),
	    x->held, x->total);
}

/* Prints the sections after the trainee's record as text. */
static void
links_text(const struct subject *x, FILE *f)
{
	const struct s_path *p;
	const struct s_session *ss;
	const struct s_intent *si;
	const struct member *m;
	size_t i;

	fprintf(f, _("\npaths (%zu)\n"), x->paths.n);
	for (i = 0; i < x->paths.n; i++) {
		p = item(&x->paths, i);
		fprintf(f, _("  %s  session %s  hours "), p->ref, p->session);
		cmd_print_value(f, &p->hours);
		fputs(_("  financed "), f);
		cmd_print_value(f, &p->financed);
		fprintf(f, "%s%s\n", p->intent[0] ? _("  intent ") : "",
		    p->intent);
	}
	fprintf(f, _("\nsessions (%zu)\n"), x->sessions.n);
	for (i = 0; i < x->sessions.n; i++) {
		ss = item(&x->sessions, i);
		m = perm_member_by_siret(x->s, ss->provider, strlen(ss->provider));
		fprintf(f, "  %s  ", ss->ref);
		put_text(f, ss->title);
		fprintf(f, _("  provider %s "), ss->provider);
		put_text(f, m != NULL ? m->name : _("(not a member)"));
		fprintf(f, "  %s .. %s\n", ss->start[0] ? ss->start : "?",
		    ss->end[0] ? ss->end : "?");
	}
	fprintf(f, _("\nintents (%zu)\n"), x->intents.n);
	for (i = 0; i < x->intents.n; i++) {
		si = item(&x->intents, i);
		fprintf(f, _("  %s  employer "), si->ref);
		put_text(f, si->employer);
		fprintf(f, _(" (SIRET %s)  status %s\n"), si->siret,
		    si->status[0] ? si->status : _("(unset)"));
	}
}

/* Prints the orders, conflicts and entitled members as text. */
static void
rest_text(const struct subject *x, FILE *f)
{
	const struct s_order *o;
	const struct s_conflict *c;
	const struct s_entitled *e;
	size_t i;
	unsigned k;

	fprintf(f, _("\norders whose request names the trainee (%zu)\n"),
	    x->orders.n);
	for (i = 0; i < x->orders.n; i++) {
		o = item(&x->orders, i);
		fprintf(f, _("  %s  lot %s  period %s  number %lld  date %s\n"),
		    o->ref, o->lot, o->period, (long long)o->number, o->date);
	}
	fprintf(f, _("\nopen conflicts touching it (%zu)\n"), x->conflicts.n);
	for (i = 0; i < x->conflicts.n; i++) {
		c = item(&x->conflicts, i);
		fprintf(f, "  %s  %s  %s %s%s%s\n", c->id, c->kind, c->type,
		    c->ref, c->field[0] ? " " : "", c->field);
	}
	fprintf(f, _("\nmembers who may read its personal values (%zu)\n"),
	    x->entitled.n);
	for (i = 0; i < x->entitled.n; i++) {
		e = item(&x->entitled, i);
		fputs("  ", f);
		put_text(f, e->m->name);
		fprintf(f, _("  SIRET %s  %s  "), e->m->siret,
		    e->m->role == ROLE_LEAD ? "lead" : e->m->role == ROLE_CO ?
		    "co" : "sub");
		for (k = 0; k < e->nwhy; k++)
			fprintf(f, "%s%s", k ? "; " : "", e->why[k]);
		fputc('\n', f);
	}
}

/* Writes the trainee's record as JSON. */
static void
trainee_json(const struct subject *x, struct jsonw *jw)
{
	const struct schema_type *t = schema_type(T_trainee);
	const struct value *v;
	unsigned i;

	jw_obj(jw);
	jw_key(jw, "commitments");
	jw_int(jw, x->total);
	jw_key(jw, "deleted");
	jw_bool(jw, !record_alive(x->s, &x->trainee));
	jw_key(jw, "erased");
	if (personal_erased(&x->trainee)) {
		jw_obj(jw);
		jw_key(jw, "date");
		jw_value(jw, state_field(x->s, &x->trainee, F_trainee_erased));
		jw_key(jw, "reason");
		if ((v = state_field(x->s, &x->trainee,
		    F_trainee_erased_reason)) != NULL)
			jw_value(jw, v);
		else
			jw_null(jw);
		jw_obj_end(jw);
	} else
		jw_null(jw);
	jw_key(jw, "fields");
	state_record_json(jw, x->s, &x->trainee);
	jw_key(jw, "openings");
	jw_int(jw, x->held);
	jw_key(jw, "personal");
	jw_obj(jw);
	for (i = 0; i < t->nfields; i++)
		if (t->sorted[i]->personal && (v = state_field(x->s, &x->trainee,
		    t->sorted[i]->id)) != NULL) {
			jw_key(jw, t->sorted[i]->name);
			jw_str(jw, personal_state(x, v));
		}
	jw_obj_end(jw);
	jw_key(jw, "ref");
	jw_str(jw, x->ref);
	jw_obj_end(jw);
}

/* Writes the paths, sessions and intents as JSON arrays. */
static void
links_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_intent *si;
	size_t i;

	jw_key(jw, "intents");
	jw_arr(jw);
	for (i = 0; i < x->intents.n; i++) {
		si = item(&x->intents, i);
		jw_obj(jw);
		jw_key(jw, "employer");
		jw_str(jw, si->employer);
		jw_key(jw, "ref");
		jw_str(jw, si->ref);
		jw_key(jw, "siret");
		jw_str(jw, si->siret);
		jw_key(jw, "status");
		jw_str(jw, si->status);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Writes the members entitled to the values as a JSON array. */
static void
members_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_entitled *e;
	size_t i;
	unsigned k;

	jw_key(jw, "members");
	jw_arr(jw);
	for (i = 0; i < x->entitled.n; i++) {
		e = item(&x->entitled, i);
		jw_obj(jw);
		jw_key(jw, "name");
		jw_str(jw, e->m->name);
		jw_key(jw, "reasons");
		jw_arr(jw);
		for (k = 0; k < e->nwhy; k++)
			jw_str(jw, e->why[k]);
		jw_arr_end(jw);
		jw_key(jw, "role");
		jw_str(jw, e->m->role == ROLE_LEAD ? "lead" : e->m->role ==
		    ROLE_CO ? "co" : "sub");
		jw_key(jw, "siret");
		jw_str(jw, e->m->siret);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Writes the orders as a JSON array. */
static void
orders_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_order *o;
	size_t i;

	jw_key(jw, "orders");
	jw_arr(jw);
	for (i = 0; i < x->orders.n; i++) {
		o = item(&x->orders, i);
		jw_obj(jw);
		jw_key(jw, "date");
		jw_str(jw, o->date);
		jw_key(jw, "lot");
		jw_str(jw, o->lot);
		jw_key(jw, "number");
		jw_int(jw, o->number);
		jw_key(jw, "period");
		jw_str(jw, o->period);
		jw_key(jw, "ref");
		jw_str(jw, o->ref);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Writes the paths as a JSON array. */
static void
paths_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_path *p;
	size_t i;

	jw_key(jw, "paths");
	jw_arr(jw);
	for (i = 0; i < x->paths.n; i++) {
		p = item(&x->paths, i);
		jw_obj(jw);
		jw_key(jw, "financed");
		jw_value(jw, &p->financed);
		jw_key(jw, "hours");
		jw_value(jw, &p->hours);
		jw_key(jw, "intent");
		if (p->intent[0])
			jw_str(jw, p->intent);
		else
			jw_null(jw);
		jw_key(jw, "ref");
		jw_str(jw, p->ref);
		jw_key(jw, "session");
		jw_str(jw, p->session);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Writes the sessions as a JSON array. */
static void
sessions_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_session *ss;
	const struct member *m;
	size_t i;

	jw_key(jw, "sessions");
	jw_arr(jw);
	for (i = 0; i < x->sessions.n; i++) {
		ss = item(&x->sessions, i);
		m = perm_member_by_siret(x->s, ss->provider, strlen(ss->provider));
		jw_obj(jw);
		jw_key(jw, "end");
		jw_str(jw, ss->end);
		jw_key(jw, "provider");
		jw_obj(jw);
		jw_key(jw, "name");
		if (m != NULL)
			jw_str(jw, m->name);
		else
			jw_null(jw);
		jw_key(jw, "siret");
		jw_str(jw, ss->provider);
		jw_obj_end(jw);
		jw_key(jw, "ref");
		jw_str(jw, ss->ref);
		jw_key(jw, "start");
		jw_str(jw, ss->start);
		jw_key(jw, "title");
		jw_str(jw, ss->title);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Writes the conflicts as a JSON array. */
static void
conflicts_json(const struct subject *x, struct jsonw *jw)
{
	const struct s_conflict *c;
	size_t i;

	jw_key(jw, "conflicts");
	jw_arr(jw);
	for (i = 0; i < x->conflicts.n; i++) {
		c = item(&x->conflicts, i);
		jw_obj(jw);
		jw_key(jw, "field");
		if (c->field[0])
			jw_str(jw, c->field);
		else
			jw_null(jw);
		jw_key(jw, "id");
		jw_str(jw, c->id);
		jw_key(jw, "kind");
		jw_str(jw, c->kind);
		jw_key(jw, "ref");
		jw_str(jw, c->ref);
		jw_key(jw, "type");
		jw_str(jw, c->type);
		jw_obj_end(jw);
	}
	jw_arr_end(jw);
}

/* Prints what was gathered, as text or as one JSON object. */
static void
print_subject(const struct subject *x)
{
	struct jsonw *jw = x->l->jw;

	if (jw == NULL) {
		trainee_text(x, x->l->out);
		links_text(x, x->l->out);
		rest_text(x, x->l->out);
		return;
	}
	jw_obj(jw);
	conflicts_json(x, jw);
	links_json(x, jw);
	members_json(x, jw);
	orders_json(x, jw);
	paths_json(x, jw);
	sessions_json(x, jw);
	jw_key(jw, "trainee");
	trainee_json(x, jw);
	jw_obj_end(jw);
	putc('\n', x->l->out);
}

/* Gathers and prints, in the listing's read transaction. */
static int
subject_print(struct cmd_listing *l)
{
	struct subject *x = l->arg;
	int rc;

	x->l = l;
	x->s = &l->ctx->node->store;
	if ((rc = gather(x)) == 0)
		print_subject(x);
	return rc;
}

/* Prints everything this node holds about one trainee. */
static int
subject_exec(struct cmd_ctx *ctx, const struct cmd_args *args)
{
	struct subject x;
	struct list *lists[] = { &x.paths, &x.sessions, &x.intents, &x.orders,
		&x.conflicts, &x.entitled };
	size_t i;
	int rc;

	if (strcmp(args->argv[0], "trainee") != 0)
		return cmd_usage(ctx, _("only a trainee is a person; expected "
		    "trainee REF, not \"%s\""), args->argv[0]);
	memset(&x, 0, sizeof(x));
	x.ref = args->argv[1];
	x.paths.size = sizeof(struct s_path);
	x.sessions.size = sizeof(struct s_session);
	x.intents.size = sizeof(struct s_intent);
	x.orders.size = sizeof(struct s_order);
	x.conflicts.size = sizeof(struct s_conflict);
	x.entitled.size = sizeof(struct s_entitled);
	record_init(&x.trainee);
	record_init(&x.scratch);
	rc = cmd_listing(ctx, cmd_args_has(args, "json") ? CMD_JSON : CMD_TEXT,
	    subject_print, &x);
	record_free(&x.trainee);
	record_free(&x.scratch);
	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++)
		free(lists[i]->items);
	return rc;
}

static const struct cmd_opt subject_opts[] = {
	{ "json", NULL, N_(
	    "print one object, keys sorted: conflicts, intents,\n"
	    "members (name, reasons, role, siret), orders, paths,\n"
	    "sessions, trainee {commitments, deleted, erased {date,\n"
	    "reason} or null, fields, openings, personal {FIELD:\n"
	    "readable|sealed|erased}, ref}") },
	{ NULL, NULL, NULL },
};

const struct cmd_entry cmd_subject_entry = {
	.name = "subject",
	.usage = N_("trainee REF [--json]"),
	.summary = N_("everything this node holds about one person (GDPR right "
	    "of access)"),
	.args = { .opts = subject_opts, .lower = 2, .upper = 2,
	    .missing = N_("expected trainee REF"),
	        .unexpected = N_("expected trainee REF") },
	.help = N_(
	    "\nPrints the trainee's record (its personal values where this node can\n"
	    "read them; \"sealed\" where it holds only a commitment to them, or the\n"
	    "key is sealed and no passphrase was given; \"erased\" with the date and\n"
	    "reason), how many of its values this node holds, its paths, their\n"
	    "sessions and intents, the submitted orders whose request names it,\n"
	    "the open conflicts that touch it, and the members who may read its\n"
	    "personal values, with why: the lead, the provider of a session where\n"
	    "it has a path, the member who recorded it, the co-contractor over a\n"
	    "subcontractor among them. Works on a deleted trainee too.\n"),
	.exec = subject_exec,
};
