/*
 * The model the rules read (schema/rules.md): one lot's lots, sessions,
 * paths, intents, trainees, derogations and roster, loaded from the merged
 * state for a query (a lot, a window of dates, a provider), sorted by ref
 * and linked; its strings live in an arena freed with the model.  The
 * records holding register conflicts are flagged for rules_check.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"
#include "order.h"

/* Blocks of strings freed together with the model. */
struct rm_arena {
	struct rm_arena *next;
	size_t used, cap;
	char data[];
};

#define ARENA_BLOCK 65536

/* The widest window, in months, read through the index (use_index). */
#define INDEX_WINDOW_MAX 1200

/* Copies len bytes into the model's arena, NUL-terminated. */
const char *
rules_strn(struct rules_model *m, const char *s, size_t len)
{
	struct rm_arena *a = m->arena;
	size_t cap;
	char *p;

	if (a == NULL || a->used + len + 1 > a->cap) {
		cap = len + 1 > ARENA_BLOCK ? len + 1 : ARENA_BLOCK;
		if ((a = malloc(sizeof(*a) + cap)) == NULL)
			return NULL;
		a->next = m->arena;
		a->used = 0;
		a->cap = cap;
		m->arena = a;
	}
	p = a->data + a->used;
	if (len > 0)
		memcpy(p, s, len);
	p[len] = '\0';
	a->used += len + 1;
	return p;
}

/* Formats a string, whole, into the model's arena ("" if memory runs out). */
const char *
rules_printf(struct rules_model *m, const char *fmt, ...)
{
	const char *p;
	char *buf;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vasprintf(&buf, fmt, ap);
	va_end(ap);
	if (n < 0)
		return "";
	p = rules_strn(m, buf, (size_t)n);
	free(buf);
	return p != NULL ? p : "";
}

/* A field's string value copied into the arena ("" when unset or not a string). */
static const char *
field_str(struct rules_model *m, const struct record *r, unsigned field)
{
	const struct value *v = state_field(m->s, r, field);
	const char *p;

	if (v == NULL || v->kind != VAL_STR)
		return "";
	p = rules_strn(m, v->s, v->len);
	return p != NULL ? p : "";
}

/* A field's integer value; *has tells whether it is set. */
static int64_t
field_int(struct rules_model *m, const struct record *r, unsigned field,
    bool *has)
{
	const struct value *v = state_field(m->s, r, field);

	*has = v != NULL && v->kind == VAL_INT;
	return *has ? v->i : 0;
}

/* A field's boolean value (dflt when unset). */
static bool
field_bool(struct rules_model *m, const struct record *r, unsigned field,
    bool dflt, bool *has)
{
	const struct value *v = state_field(m->s, r, field);
	bool set = v != NULL && v->kind == VAL_BOOL;

	if (has != NULL)
		*has = set;
	return set ? v->b : dflt;
}

/* Whether a personal field holds a value this node cannot read. */
static bool
field_sealed(struct rules_model *m, const struct record *r, unsigned field)
{
	const struct value *v = state_field(m->s, r, field);

	return v != NULL && v->kind == VAL_BIN;
}

/* Whether a field holds exactly the string s. */
static bool
field_is(const struct store *s, const struct record *r, unsigned field,
    const char *want)
{
	const struct value *v = state_field(s, r, field);

	return v != NULL && v->kind == VAL_STR && v->len == strlen(want) &&
	    memcmp(v->s, want, v->len) == 0;
}

/* Grows an array of n elements of size sz to hold one more. */
int
rules_grow(void **p, size_t n, size_t *cap, size_t sz)
{
	void *q;
	size_t c;

	if (n < *cap)
		return 0;
	c = *cap ? *cap * 2 : 64;
	if ((q = realloc(*p, c * sz)) == NULL)
		return E(NOMEM);
	*p = q;
	*cap = c;
	return 0;
}

/* Notes a record, by type and ref, as holding a register conflict. */
static int
flag_ref(struct rules_model *m, unsigned type, const char *ref)
{
	int rc;

	if ((rc = rules_grow((void **)&m->flags, m->nflags, &m->fcap,
	    sizeof(*m->flags))) != 0)
		return rc;
	m->flags[m->nflags].type = (uint8_t)type;
	m->flags[m->nflags].ref = ref;
	m->nflags++;
	return 0;
}

/* Notes a record that holds a register conflict. */
static int
flag_record(struct rules_model *m, const struct record *r)
{
	const char *ref;

	if (!conflicts_record_has(m->s, r))
		return 0;
	if ((ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	return flag_ref(m, r->type, ref);
}

typedef int (*each_fn)(struct rules_model *m, const struct record *r,
    bool alive);

/* The loader each_record() hands the records of one type to. */
struct each_visit {
	struct rules_model *m;
	each_fn fn;
};

/* Hands a stored record with a ref to the loader, saying if it is alive. */
static int
visit_stored(void *ctx, const struct record *r)
{
	struct each_visit *ev = ctx;

	if (!r->found || r->ref_len == 0)
		return 0;
	return ev->fn(ev->m, r, record_alive(ev->m->s, r));
}

/* Adds to h the index entries of one kind under each ref of an array. */
static int
find_each(struct store_txn *txn, struct rules_model *m, enum index_kind kind,
    const void *base, size_t n, size_t size, struct index_hits *h)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < n && rc == 0; i++)
		rc = index_find(txn, m->s, kind, *(const char *const *)
		    ((const char *)base + i * size), -1, h);
	return rc;
}

/* Adds to h the agreements the derogations of the model cite. */
static int
find_cited(struct store_txn *txn, struct rules_model *m, struct index_hits *h)
{
	size_t i;
	int rc = 0;

	for (i = 0; i < m->nderogs && rc == 0; i++)
		rc = index_add_ref(txn, m->s, T_agreement, m->derogs[i].agreement,
		    h);
	return rc;
}

/*
 * The records of a type that a walk of the whole type would give the
 * model's loader, and maybe others it leaves out (index.c): the sessions
 * running in the window's months in the lot, and what the records
 * already in the model name.
 */
static int
indexed_hits(struct store_txn *txn, struct rules_model *m, unsigned type,
    struct index_hits *h)
{
	int64_t month;
	int rc = 0;

	switch (type) {
	case T_rate:
		return find_each(txn, m, IX_RATE_LOT, m->lots, m->nlots,
		    sizeof(*m->lots), h);
	case T_session:
		for (month = m->month_from; month <= m->month_to && rc == 0;
		    month++)
			rc = index_find(txn, m->s, IX_SESSION_MONTH, m->q.lot,
			    month, h);
		return rc != 0 ? rc : index_find(txn, m->s, IX_SESSION_MONTH,
		    m->q.lot, INDEX_OPEN, h);
	case T_path:
		return find_each(txn, m, IX_PATH_SESSION, m->sessions,
		    m->nsessions, sizeof(*m->sessions), h);
	case T_derogation:
		if ((rc = find_each(txn, m, IX_DEROG_SESSION, m->sessions,
		    m->nsessions, sizeof(*m->sessions), h)) != 0)
			return rc;
		return find_each(txn, m, IX_DEROG_INTENT, m->intents,
		    m->nintents, sizeof(*m->intents), h);
	case T_agreement:
		if ((rc = find_each(txn, m, IX_AGREEMENT_SESSION, m->sessions,
		    m->nsessions, sizeof(*m->sessions), h)) != 0)
			return rc;
		return find_cited(txn, m, h);
	default:
		return E(INVAL);
	}
}

/*
 * Calls fn for every stored record of a type, deleted ones too; through
 * the index, those of the lot and window, and those the model's records
 * name (the members and lots are read whole).
 */
static int
each_record(struct store_txn *txn, struct rules_model *m, unsigned type,
    each_fn fn)
{
	struct each_visit ev = { m, fn };
	struct index_hits h = { 0 };
	int rc;

	if (!m->indexed || type == T_member || type == T_lot)
		return state_foreach_stored(txn, m->s, type, visit_stored, &ev,
		    NULL);
	if ((rc = indexed_hits(txn, m, type, &h)) == 0)
		rc = index_visit(txn, m->s, type, &h, true, visit_stored, &ev);
	index_hits_free(&h);
	return rc;
}

/*
 * Whether a query can be read through the index: one lot, a window of
 * dates bounded on both sides, at most INDEX_WINDOW_MAX months, and a
 * store whose index is kept; sets the months of the window.
 */
static bool
use_index(struct store_txn *txn, struct rules_model *m)
{
	const struct rules_query *q = &m->q;

	if (q->lot == NULL || q->from == NULL || q->to == NULL)
		return false;
	m->month_from = index_month(q->from, strlen(q->from));
	m->month_to = index_month(q->to, strlen(q->to));
	if (m->month_from < 0 || m->month_to < 0)
		return false;
	/* a session started before the window and running into it is
	   under the window's first month, even when the window is empty */
	if (m->month_to < m->month_from)
		m->month_to = m->month_from;
	if (m->month_to - m->month_from > INDEX_WINDOW_MAX)
		return false;
	return index_ready(txn, m->s);
}

/* Orders strings for bsearch over arrays of structs whose first member is a ref. */
static int
cmp_ref(const void *key, const void *elem)
{
	return strcmp(key, *(const char *const *)elem);
}

/* The index of ref in a sorted array of n structs of size each, or -1. */
static long
find_ref(const void *base, size_t n, size_t size, const char *ref)
{
	const char *p;

	if (n == 0)
		return -1;
	p = bsearch(ref, base, n, size, cmp_ref);
	return p != NULL ? (long)((p - (const char *)base) / (ptrdiff_t)size) : -1;
}

/* The index of the session ref in the model, or -1. */
long
rules_session(const struct rules_model *m, const char *ref)
{
	return find_ref(m->sessions, m->nsessions, sizeof(*m->sessions), ref);
}

/* The index of the intent ref in the model, or -1. */
long
rules_intent(const struct rules_model *m, const char *ref)
{
	return find_ref(m->intents, m->nintents, sizeof(*m->intents), ref);
}

/* The index of the agreement ref in the model, or -1. */
long
rules_agreement(const struct rules_model *m, const char *ref)
{
	return find_ref(m->agreements, m->nagreements, sizeof(*m->agreements),
	    ref);
}

/* The index of the trainee ref in the model, or -1. */
static long
model_trainee(const struct rules_model *m, const char *ref)
{
	return find_ref(m->trainees, m->ntrainees, sizeof(*m->trainees), ref);
}

/* The index of the lot ref in the model, or -1. */
static long
model_lot(const struct rules_model *m, const char *ref)
{
	return find_ref(m->lots, m->nlots, sizeof(*m->lots), ref);
}

/* Whether a trainee belongs to the model (business conflict filter). */
bool
rules_has_trainee(const struct rules_model *m, const char *ref)
{
	return ref[0] != '\0' && model_trainee(m, ref) >= 0;
}

/* Whether an intent belongs to the model (business conflict filter). */
bool
rules_has_intent(const struct rules_model *m, const char *ref)
{
	return ref[0] != '\0' && rules_intent(m, ref) >= 0;
}

/* Reads one lot record into the model. */
static int
load_lot(struct rules_model *m, const struct record *r, bool alive)
{
	struct rm_lot *l;
	int rc;

	if (!alive)
		return flag_record(m, r);
	if ((rc = rules_grow((void **)&m->lots, m->nlots, &m->lcap,
	    sizeof(*m->lots))) != 0)
		return rc;
	l = &m->lots[m->nlots++];
	memset(l, 0, sizeof(*l));
	l->ref = rules_strn(m, r->ref, r->ref_len);
	l->sector = field_str(m, r, F_lot_sector);
	l->territory = field_str(m, r, F_lot_territory);
	l->market_lot = field_str(m, r, F_lot_market_lot);
	l->rate_since = field_str(m, r, F_lot_rate_since);
	l->rate_cents = field_int(m, r, F_lot_rate_cents, &l->has_rate);
	if (l->ref == NULL)
		return E(NOMEM);
	return flag_record(m, r);
}

/* Adds an entry to the model's rate histories. */
static int
add_rate(struct rules_model *m, const char *ref, const char *since,
    int64_t cents, bool has_cents, bool own, long lot_idx)
{
	struct rm_rate *x;
	int rc;

	if ((rc = rules_grow((void **)&m->rates, m->nrates, &m->ratecap,
	    sizeof(*m->rates))) != 0)
		return rc;
	x = &m->rates[m->nrates++];
	x->ref = ref;
	x->since = since;
	x->cents = cents;
	x->has_cents = has_cents;
	x->own = own;
	x->lot_idx = lot_idx;
	return 0;
}

/* Reads one rate record of a lot of the model into its history. */
static int
load_rate(struct rules_model *m, const struct record *r, bool alive)
{
	const char *lot = field_str(m, r, F_rate_lot), *ref;
	bool has;
	int64_t cents;
	long li;

	if ((li = model_lot(m, lot)) < 0)
		return 0;
	if (!alive)
		return flag_record(m, r);  /* deleted: only its conflicts count */
	if ((ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	cents = field_int(m, r, F_rate_rate_cents, &has);
	if (add_rate(m, ref, field_str(m, r, F_rate_since), cents, has, false,
	    li) != 0)
		return E(NOMEM);
	return flag_record(m, r);
}

/* Orders rates by lot, since, the lot's own pair first, then ref. */
static int
cmp_rate(const void *a, const void *b)
{
	const struct rm_rate *x = a, *y = b;
	int c;

	if (x->lot_idx != y->lot_idx)
		return x->lot_idx < y->lot_idx ? -1 : 1;
	if ((c = strcmp(x->since, y->since)) != 0)
		return c;
	if (x->own != y->own)
		return x->own ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

/*
 * Loads the rate histories of the model's lots: their rate records and
 * their own pairs, sorted, each lot pointing at its own.
 */
static int
load_rates(struct store_txn *txn, struct rules_model *m)
{
	struct rm_lot *l;
	size_t i;
	int rc;

	if ((rc = each_record(txn, m, T_rate, load_rate)) != 0)
		return rc;
	for (i = 0; i < m->nlots; i++) {
		l = &m->lots[i];
		if (l->has_rate && (rc = add_rate(m, l->ref, l->rate_since,
		    l->rate_cents, true, true, (long)i)) != 0)
			return rc;
	}
	if (m->nrates > 1)
		qsort(m->rates, m->nrates, sizeof(*m->rates), cmp_rate);
	for (i = 0; i < m->nrates; i++) {
		l = &m->lots[m->rates[i].lot_idx];
		if (l->nrates++ == 0)
			l->rfirst = i;
	}
	return 0;
}

/* The rate of a lot in force on a day: the latest since on or before it. */
const struct rm_rate *
rules_rate_on(const struct rules_model *m, long lot_idx, const char *day)
{
	const struct rm_rate *best = NULL, *x;
	const struct rm_lot *l;
	size_t i;

	if (lot_idx < 0 || (size_t)lot_idx >= m->nlots)
		return NULL;
	l = &m->lots[lot_idx];
	for (i = l->rfirst; i < l->rfirst + l->nrates; i++) {
		x = &m->rates[i];
		if (x->has_cents && strcmp(x->since, day) <= 0)
			best = x;
	}
	return best;
}

/* A date field as YYYY-MM-DD, "" when unset. */
static void
field_day(const struct store *s, const struct record *r, unsigned field,
    char out[11])
{
	const struct value *v = state_field(s, r, field);

	memset(out, 0, 11);
	if (v != NULL && v->kind == VAL_STR && v->len == 10)
		memcpy(out, v->s, 10);
}

/*
 * Whether a session's dates fall in the query's window; *carried is set
 * for a session that started before a start window and runs into it,
 * whose paths starting in the window (complementary paths) it holds.
 */
static bool
in_window(const struct rules_query *q, const struct store *s,
    const struct record *r, bool *carried)
{
	char start[11], end[11];

	field_day(s, r, F_session_start, start);
	field_day(s, r, F_session_end, end);
	*carried = false;
	if (q->window == WINDOW_START) {
		if (q->from != NULL && start[0] && strcmp(start, q->from) < 0)
			return *carried = !end[0] || strcmp(end, q->from) >= 0;
		return (q->from == NULL || strcmp(start, q->from) >= 0) &&
		    (q->to == NULL || (start[0] && strcmp(start, q->to) <= 0));
	}
	if (!end[0])
		strcpy(end, start);
	return (q->to == NULL || (start[0] && strcmp(start, q->to) <= 0)) &&
	    (q->from == NULL || (end[0] && strcmp(end, q->from) >= 0));
}

/* Whether a session's provider is the query's member or one of its subs. */
static bool
provider_wanted(const struct rules_query *q, const struct store *s,
    const struct record *r)
{
	const struct value *v = state_field(s, r, F_session_provider);
	const struct member *p;

	if (q->provider == NULL)
		return true;
	if (v == NULL || v->kind != VAL_STR)
		return false;
	if (v->len == strlen(q->provider) && memcmp(v->s, q->provider, v->len) == 0)
		return true;
	p = perm_member_by_siret(s, v->s, v->len);
	return p != NULL && p->role == ROLE_SUB &&
	    strcmp(p->parent, q->provider) == 0;
}

/* Whether a session is in a co-contractor's current direct request (R11). */
static bool
requested_directly(const struct rules_query *q, const struct record *r)
{
	char ref[CONSORT_REF_MAX + 1];

	if (q->skip == NULL || r->ref_len > CONSORT_REF_MAX)
		return false;
	memcpy(ref, r->ref, r->ref_len);
	ref[r->ref_len] = '\0';
	return order_covered_directly(q->skip, ref) != NULL;
}

/* Reads one session record of the query's lot and window into the model. */
static int
load_session(struct rules_model *m, const struct record *r, bool alive)
{
	struct rm_session *x;
	bool carried;
	int rc;

	if (m->q.lot != NULL && !field_is(m->s, r, F_session_lot, m->q.lot))
		return 0;
	if (!in_window(&m->q, m->s, r, &carried) ||
	    !provider_wanted(&m->q, m->s, r) || requested_directly(&m->q, r))
		return 0;
	if (!alive)  /* deleted: only its conflicts count */
		return carried ? 0 : flag_record(m, r);
	if ((rc = rules_grow((void **)&m->sessions, m->nsessions, &m->scap,
	    sizeof(*m->sessions))) != 0)
		return rc;
	x = &m->sessions[m->nsessions++];
	memset(x, 0, sizeof(*x));
	if ((x->ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	x->provider = field_str(m, r, F_session_provider);
	x->lot = field_str(m, r, F_session_lot);
	x->scheme = field_str(m, r, F_session_scheme);
	x->title = field_str(m, r, F_session_title);
	x->cert_kind = field_str(m, r, F_session_cert_kind);
	x->cert_code = field_str(m, r, F_session_cert_code);
	x->site = field_str(m, r, F_session_site);
	x->territory = field_str(m, r, F_session_territory);
	x->start = field_str(m, r, F_session_start);
	x->end = field_str(m, r, F_session_end);
	x->dc4 = field_str(m, r, F_session_dc4);
	x->agreement = field_str(m, r, F_session_territory_agreement);
	x->hours = field_int(m, r, F_session_hours, &x->has_hours);
	x->capacity = field_int(m, r, F_session_capacity, &x->has_capacity);
	x->permanent_entry = field_bool(m, r, F_session_permanent_entry, false, NULL);
	x->lot_idx = -1;
	x->carried = carried;
	if (carried) {  /* flagged if a path of the window keeps it */
		x->conflicted = conflicts_record_has(m->s, r);
		return 0;
	}
	return flag_record(m, r);
}

/* Whether a day falls in the query's window (a start window). */
static bool
day_in_window(const struct rules_query *q, const char *day)
{
	return (q->from == NULL || strcmp(day, q->from) >= 0) &&
	    (q->to == NULL || (day[0] && strcmp(day, q->to) <= 0));
}

/*
 * Whether a path's own start falls outside its session (before its start
 * or after its end); a path without one starts with its session.
 */
static bool
start_outside(const struct rm_session *x, const char *start)
{
	return start[0] && (strcmp(start, x->start) < 0 ||
	    (x->end[0] && strcmp(start, x->end) > 0));
}

/*
 * Reads one path of a session of the model.  In a start window it is kept
 * when the day its hours are ordered falls in the window: its own start,
 * or its session's (also when its own is outside the session, which R13
 * refuses where the session is ordered).  A financed path of the session
 * ordered before the window is counted, not kept.
 */
static int
load_path(struct rules_model *m, const struct record *r, bool alive)
{
	const struct value *v = state_field(m->s, r, F_path_session);
	char sref[CONSORT_REF_MAX + 1], start[11];
	struct rm_session *x;
	struct rm_path *p;
	const char *day;
	long si;
	int rc;

	if (v == NULL || v->kind != VAL_STR || v->len > CONSORT_REF_MAX)
		return 0;
	memcpy(sref, v->s, v->len);
	sref[v->len] = '\0';
	if ((si = rules_session(m, sref)) < 0)
		return 0;
	x = &m->sessions[si];
	field_day(m->s, r, F_path_start, start);
	day = start[0] && !start_outside(x, start) ? start : x->start;
	if (m->q.window == WINDOW_START && !day_in_window(&m->q, day)) {
		if (alive && m->q.from != NULL && strcmp(day, m->q.from) < 0 &&
		    field_bool(m, r, F_path_financed, true, NULL))
			x->financed_before++;
		return 0;
	}
	if (!alive)
		return flag_record(m, r);
	if ((rc = rules_grow((void **)&m->paths, m->npaths, &m->pcap,
	    sizeof(*m->paths))) != 0)
		return rc;
	p = &m->paths[m->npaths++];
	memset(p, 0, sizeof(*p));
	if ((p->ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	p->session = m->sessions[si].ref;
	p->trainee = field_str(m, r, F_path_trainee);
	p->intent = field_str(m, r, F_path_intent);
	p->modules = field_str(m, r, F_path_modules);
	p->cert_kind = field_str(m, r, F_path_cert_kind);
	p->cert_code = field_str(m, r, F_path_cert_code);
	p->hours = field_int(m, r, F_path_hours, &p->has_hours);
	p->financed = field_bool(m, r, F_path_financed, true, &p->has_financed);
	p->sidx = si;
	p->iidx = p->tidx = p->ridx = -1;
	if ((p->start = rules_strn(m, start, strlen(start))) == NULL)
		return E(NOMEM);
	p->start_outside = start_outside(x, start);
	p->day = start[0] && !p->start_outside ? p->start : x->start;
	return flag_record(m, r);
}

/*
 * Leaves out the sessions started before the window that no path of the
 * window keeps, and flags the conflicts of those it keeps.
 */
static int
drop_unordered(struct rules_model *m)
{
	long *map;
	bool *kept;
	size_t i, k = 0;
	int rc = 0;

	map = calloc(m->nsessions + 1, sizeof(*map));
	kept = calloc(m->nsessions + 1, sizeof(*kept));
	if (map == NULL || kept == NULL) {
		free(map);
		free(kept);
		return E(NOMEM);
	}
	for (i = 0; i < m->npaths; i++)
		kept[m->paths[i].sidx] = true;
	for (i = 0; i < m->nsessions; i++) {
		map[i] = -1;
		if (m->sessions[i].carried && !kept[i])
			continue;
		map[i] = (long)k;
		m->sessions[k++] = m->sessions[i];
	}
	m->nsessions = k;
	for (i = 0; i < m->npaths; i++)
		m->paths[i].sidx = map[m->paths[i].sidx];
	for (i = 0; i < m->nsessions && rc == 0; i++)
		if (m->sessions[i].carried && m->sessions[i].conflicted)
			rc = flag_ref(m, T_session, m->sessions[i].ref);
	free(map);
	free(kept);
	return rc;
}

/* Reads one derogation about a session or intent of the model. */
static int
load_derog(struct rules_model *m, const struct record *r, bool alive)
{
	const struct entry *e = record_winner(m->s, r, &r->exist);
	const struct member *author = NULL;
	struct rm_derog *d;
	const char *session, *intent;
	int rc;

	session = field_str(m, r, F_derogation_session);
	intent = field_str(m, r, F_derogation_intent);
	if (rules_session(m, session) < 0 && !rules_has_intent(m, intent))
		return 0;
	if (!alive)
		return flag_record(m, r);
	if ((rc = rules_grow((void **)&m->derogs, m->nderogs, &m->dcap,
	    sizeof(*m->derogs))) != 0)
		return rc;
	d = &m->derogs[m->nderogs++];
	memset(d, 0, sizeof(*d));
	if ((d->ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	d->rule = field_str(m, r, F_derogation_rule);
	d->session = session;
	d->intent = intent;
	d->reason = field_str(m, r, F_derogation_reason);
	d->date = field_str(m, r, F_derogation_date);
	d->agreement = field_str(m, r, F_derogation_agreement);
	/* the author is the member who recorded it */
	if (e != NULL && e->author < m->s->nauthors)
		author = perm_member_by_key(m->s, m->s->authors[e->author]);
	d->author_name = author ? rules_printf(m, "%s", author->name) : "";
	d->author_siret = author ? rules_printf(m, "%s", author->siret) : "";
	return flag_record(m, r);
}

/* Whether a derogation of the model cites the agreement ref (len bytes). */
static bool
cited(const struct rules_model *m, const char *ref, size_t len)
{
	size_t i;

	for (i = 0; i < m->nderogs; i++)
		if (strlen(m->derogs[i].agreement) == len &&
		    memcmp(m->derogs[i].agreement, ref, len) == 0)
			return true;
	return false;
}

/* Reads one agreement about a model session, or cited by a derogation. */
static int
load_agreement(struct rules_model *m, const struct record *r, bool alive)
{
	struct rm_agreement *a;
	const char *session;
	int rc;

	session = field_str(m, r, F_agreement_session);
	if (rules_session(m, session) < 0 && !cited(m, r->ref, r->ref_len))
		return 0;
	if (!alive)
		return flag_record(m, r);
	if ((rc = rules_grow((void **)&m->agreements, m->nagreements,
	    &m->agcap, sizeof(*m->agreements))) != 0)
		return rc;
	a = &m->agreements[m->nagreements++];
	if ((a->ref = rules_strn(m, r->ref, r->ref_len)) == NULL)
		return E(NOMEM);
	a->reference = field_str(m, r, F_agreement_reference);
	a->date = field_str(m, r, F_agreement_date);
	a->subject = field_str(m, r, F_agreement_subject);
	a->session = session;
	a->intent = field_str(m, r, F_agreement_intent);
	a->note = field_str(m, r, F_agreement_note);
	return flag_record(m, r);
}

/* Orders paths by session index, then ref. */
static int
cmp_path(const void *a, const void *b)
{
	const struct rm_path *x = a, *y = b;

	if (x->sidx != y->sidx)
		return x->sidx < y->sidx ? -1 : 1;
	return strcmp(x->ref, y->ref);
}

/* Orders strings (for sorting the refs of intents and trainees). */
static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Collects the distinct non-empty refs of one path field. */
static int
distinct_refs(struct rules_model *m, size_t off, const char ***out, size_t *n)
{
	const char **v;
	size_t i, k = 0;

	*out = NULL;
	*n = 0;
	if (m->npaths == 0)
		return 0;
	if ((v = calloc(m->npaths, sizeof(*v))) == NULL)
		return E(NOMEM);
	for (i = 0; i < m->npaths; i++) {
		const char *s = *(const char *const *)((const char *)&m->paths[i] + off);

		if (s[0] != '\0')
			v[k++] = s;
	}
	qsort(v, k, sizeof(*v), cmp_str);
	for (i = 0, *n = 0; i < k; i++)
		if (*n == 0 || strcmp(v[*n - 1], v[i]) != 0)
			v[(*n)++] = v[i];
	*out = v;
	return 0;
}

/* Orders the intents of the model by ref. */
static int
cmp_intent(const void *a, const void *b)
{
	return strcmp(((const struct rm_intent *)a)->ref,
	    ((const struct rm_intent *)b)->ref);
}

/* The index of an intent among the first n of the model, by a walk, or -1. */
static long
intent_among(const struct rules_model *m, size_t n, const char *ref)
{
	size_t i;

	for (i = 0; i < n; i++)
		if (strcmp(m->intents[i].ref, ref) == 0)
			return (long)i;
	return -1;
}

/*
 * Looks up one intent and appends it to the model (alive or not: a missing
 * one a path names is R01's); replaced when no path names it but an intent
 * of the model replaces it (R16).
 */
static int
load_intent(struct store_txn *txn, struct rules_model *m, struct record *r,
    size_t *cap, const char *ref, bool replaced)
{
	struct rm_intent *x;
	int rc;

	if ((rc = rules_grow((void **)&m->intents, m->nintents, cap,
	    sizeof(*m->intents))) != 0)
		return rc;
	x = &m->intents[m->nintents++];
	memset(x, 0, sizeof(*x));
	x->ref = ref;
	x->replaced = replaced;
	x->pidx = x->ridx = x->byidx = x->wpidx = -1;
	if ((rc = state_lookup(txn, m->s, m->s->founder, T_intent, ref,
	    strlen(ref), r)) != 0)
		return rc;
	x->found = record_alive(m->s, r);
	if (r->found && (rc = flag_record(m, r)) != 0)
		return rc;
	if (!x->found) {
		x->employer = x->siret = x->kind = x->contract = x->job = "";
		x->date = x->evidence = x->steps = x->status = "";
		x->status_date = x->status_reason = x->followup = "";
		x->withdrawn_by = x->replaces = "";
		x->outcome = x->hired_date = x->hired_contract = "";
		x->not_hired_reason = "";
		return 0;
	}
	x->employer = field_str(m, r, F_intent_employer);
	x->siret = field_str(m, r, F_intent_siret);
	x->kind = field_str(m, r, F_intent_employer_kind);
	x->contract = field_str(m, r, F_intent_contract);
	x->months = field_int(m, r, F_intent_months, &x->has_months);
	x->weekly_hours = field_int(m, r, F_intent_weekly_hours, &x->has_weekly);
	x->job = field_str(m, r, F_intent_job);
	x->date = field_str(m, r, F_intent_date);
	x->evidence = field_str(m, r, F_intent_evidence);
	x->steps = field_str(m, r, F_intent_steps);
	x->status = field_str(m, r, F_intent_status);
	x->status_date = field_str(m, r, F_intent_status_date);
	x->status_reason = field_str(m, r, F_intent_status_reason);
	x->followup = field_str(m, r, F_intent_followup);
	x->withdrawn_by = field_str(m, r, F_intent_withdrawn_by);
	x->replaces = field_str(m, r, F_intent_replaces);
	x->outcome = field_str(m, r, F_intent_outcome);
	x->hired_date = field_str(m, r, F_intent_hired_date);
	x->hired_contract = field_str(m, r, F_intent_hired_contract);
	x->hired_weekly_hours = field_int(m, r, F_intent_hired_weekly_hours,
	    &x->has_hired_weekly);
	x->not_hired_reason = field_str(m, r, F_intent_not_hired_reason);
	return 0;
}

/*
 * Appends the intents that the intents of the model replaced (R16): what
 * each one's replaces names, then what those replace, INTENT_CHAIN_MAX
 * steps deep (m->chain_cut names where it stopped); an intent already in
 * the model is not taken again, so a cycle ends.  Only lookups: no walk
 * of every intent.
 */
static int
load_replaced(struct store_txn *txn, struct rules_model *m, struct record *r,
    size_t *cap)
{
	size_t from = 0, to = m->nintents, i, step;
	const char *ref;
	int rc;

	for (step = 0; from < to; step++, from = to, to = m->nintents) {
		for (i = from; i < to; i++) {
			ref = m->intents[i].replaces;
			if (!m->intents[i].found || !ref[0] ||
			    intent_among(m, m->nintents, ref) >= 0)
				continue;
			if (step == INTENT_CHAIN_MAX) {
				m->chain_cut = m->intents[i].ref;
				return 0;
			}
			if ((rc = load_intent(txn, m, r, cap, ref, true)) != 0)
				return rc;
			if (!m->intents[m->nintents - 1].found) {
				/* not recorded: R16's error, not part of the model */
				m->nintents--;
				m->intents[i].replaces_missing = true;
			}
		}
	}
	return 0;
}

/*
 * Looks up the intents the paths name and the withdrawn intents these
 * replaced (R16), sorted by ref.
 */
static int
load_intents(struct store_txn *txn, struct rules_model *m, struct record *r)
{
	const char **refs;
	size_t i, n, cap = 0;
	int rc;

	if ((rc = distinct_refs(m, offsetof(struct rm_path, intent), &refs,
	    &n)) != 0)
		return rc;
	for (i = 0; i < n && rc == 0; i++)
		rc = load_intent(txn, m, r, &cap, refs[i], false);
	free(refs);
	if (rc == 0)
		rc = load_replaced(txn, m, r, &cap);
	if (rc == 0 && m->nintents > 1)
		qsort(m->intents, m->nintents, sizeof(*m->intents), cmp_intent);
	return rc;
}

/*
 * The path the withdrawal of an intent concerns (R16): the first naming
 * it, or for an intent a later one replaced, the path naming the last
 * replacement; -1 when none.
 */
static long
withdrawal_path(const struct rules_model *m, const struct rm_intent *x)
{
	long j = x->byidx;
	size_t step;

	if (!x->replaced)
		return x->pidx;
	for (step = 0; j >= 0 && m->intents[j].replaced && step < m->nintents;
	    step++)
		j = m->intents[j].byidx;
	return j >= 0 && !m->intents[j].replaced ? m->intents[j].pidx : -1;
}

/*
 * Links each intent of the model to the one it replaces and to the first
 * (by ref) that replaces it (R16), and to the path its withdrawal
 * concerns.
 */
static void
link_replacements(struct rules_model *m)
{
	struct rm_intent *x, *y;
	size_t i;

	for (i = 0; i < m->nintents; i++) {
		x = &m->intents[i];
		if (!x->replaces[0] || (x->ridx = rules_intent(m, x->replaces)) < 0)
			continue;
		y = &m->intents[x->ridx];
		if (y->nby++ == 0)
			y->byidx = (long)i;
	}
	for (i = 0; i < m->nintents; i++)
		m->intents[i].wpidx = withdrawal_path(m, &m->intents[i]);
}

/* Looks up the trainees the paths name. */
static int
load_trainees(struct store_txn *txn, struct rules_model *m, struct record *r)
{
	const char **refs;
	size_t i, n;
	int rc;

	if ((rc = distinct_refs(m, offsetof(struct rm_path, trainee), &refs,
	    &n)) != 0)
		return rc;
	if (n > 0 && (m->trainees = calloc(n, sizeof(*m->trainees))) == NULL)
		rc = E(NOMEM);
	for (i = 0; i < n && rc == 0; i++) {
		struct rm_trainee *x = &m->trainees[m->ntrainees++];

		x->ref = refs[i];
		x->status = x->exit = x->exit_date = "";
		if ((rc = state_lookup(txn, m->s, m->s->founder, T_trainee,
		    refs[i], strlen(refs[i]), r)) != 0)
			break;
		x->found = record_alive(m->s, r);
		if (r->found && (rc = flag_record(m, r)) != 0)
			break;
		if (!x->found)
			continue;
		x->status = field_str(m, r, F_trainee_status);
		x->disability = field_bool(m, r, F_trainee_disability, false, NULL);
		x->part_time = field_bool(m, r, F_trainee_part_time, false, NULL);
		x->sealed = field_sealed(m, r, F_trainee_disability) ||
		    field_sealed(m, r, F_trainee_part_time);
		x->exit = field_str(m, r, F_trainee_exit);
		x->exit_date = field_str(m, r, F_trainee_exit_date);
		x->exit_sealed = field_sealed(m, r, F_trainee_exit) ||
		    field_sealed(m, r, F_trainee_exit_date);
	}
	free(refs);
	return rc;
}

/*
 * Links paths to their session, intent, trainee and the rate in force on
 * their day, and sums the sessions.
 */
static void
link_model(struct rules_model *m)
{
	const struct rm_rate *rate;
	struct rm_session *x;
	struct rm_path *p;
	size_t i;

	if (m->npaths > 1)
		qsort(m->paths, m->npaths, sizeof(*m->paths), cmp_path);
	for (i = 0; i < m->nsessions; i++)
		m->sessions[i].lot_idx = model_lot(m, m->sessions[i].lot);
	for (i = 0; i < m->npaths; i++) {
		p = &m->paths[i];
		x = &m->sessions[p->sidx];
		if ((rate = rules_rate_on(m, x->lot_idx, p->day)) != NULL)
			p->ridx = rate - m->rates;
		if (x->npaths == 0)
			x->first = i;
		x->npaths++;
		p->iidx = p->intent[0] ? rules_intent(m, p->intent) : -1;
		p->tidx = p->trainee[0] ? model_trainee(m, p->trainee) : -1;
		if (p->iidx >= 0 && m->intents[p->iidx].pidx < 0)
			m->intents[p->iidx].pidx = (long)i;
		if (p->tidx >= 0 && m->trainees[p->tidx].pidx < 0)
			m->trainees[p->tidx].pidx = (long)i;
		if (!p->financed) {
			x->not_financed++;
			continue;
		}
		x->financed++;
		x->fin_hours += p->hours;
		if (rate != NULL)  /* R14: the rate in force on its day */
			p->cost_cents = p->hours * rate->cents;
		x->cost_cents += p->cost_cents;
	}
}

/* Reads one member record (the roster) into the model. */
static int
load_member(struct rules_model *m, const struct record *r, bool alive)
{
	struct rm_member *x;
	int rc;

	if (!alive)
		return 0;
	if ((rc = rules_grow((void **)&m->members, m->nmembers, &m->mcap,
	    sizeof(*m->members))) != 0)
		return rc;
	x = &m->members[m->nmembers++];
	memset(x, 0, sizeof(*x));
	x->siret = field_str(m, r, F_member_siret);
	x->name = field_str(m, r, F_member_name);
	x->role = field_str(m, r, F_member_role);
	x->key = field_str(m, r, F_member_key);
	x->parent = field_str(m, r, F_member_parent);
	x->dc4 = field_str(m, r, F_member_dc4);
	x->awarded = field_bool(m, r, F_member_awarded, false, NULL);
	x->revoked = field_bool(m, r, F_member_revoked, false, NULL);
	return 0;
}

/* The member of a SIRET in the model, or NULL. */
const struct rm_member *
rules_member(const struct rules_model *m, const char *siret)
{
	size_t i;

	for (i = 0; siret[0] && i < m->nmembers; i++)
		if (strcmp(m->members[i].siret, siret) == 0)
			return &m->members[i];
	return NULL;
}

/* The lead member in the model, or NULL. */
const struct rm_member *
rules_lead(const struct rules_model *m)
{
	size_t i;

	for (i = 0; i < m->nmembers; i++)
		if (strcmp(m->members[i].role, "lead") == 0)
			return &m->members[i];
	return NULL;
}

/*
 * Loads the model of a query from the merged state: the lot (or every
 * lot), the sessions of the window, their paths, the intents and trainees
 * these name, the withdrawn intents these intents replaced (R16), the
 * derogations about them, and which of these records hold register
 * conflicts.  The transaction must stay open while the model is
 * used; the roster (perm_roster) and authors are loaded here.
 */
int
rules_load(struct store_txn *txn, struct store *s, const struct rules_query *q,
    struct rules_model **out, struct consort_diag *d)
{
	struct rules_model *m;
	struct record r;
	size_t i;
	int rc;

	*out = NULL;
	if ((m = calloc(1, sizeof(*m))) == NULL)
		return E(NOMEM);
	m->q = *q;
	m->s = s;
	m->indexed = use_index(txn, m);
	record_init(&r);
	if ((rc = store_load_authors(txn, s)) != 0 ||
	    (rc = perm_roster(txn, s)) != 0 ||
	    (rc = each_record(txn, m, T_member, load_member)) != 0)
		goto fail;
	if (q->lot != NULL) {
		if ((rc = state_lookup(txn, s, s->founder, T_lot, q->lot,
		    strlen(q->lot), &r)) != 0)
			goto fail;
		if (!record_alive(s, &r)) {
			rc = consort_diag_set(d, E(NOENT), q->lot,
			    _("no such lot"),
			    _("consort list lot shows the lots"));
			goto fail;
		}
		if ((rc = load_lot(m, &r, true)) != 0)
			goto fail;
	} else if ((rc = each_record(txn, m, T_lot, load_lot)) != 0)
		goto fail;
	if ((rc = load_rates(txn, m)) != 0)
		goto fail;
	if ((rc = each_record(txn, m, T_session, load_session)) != 0 ||
	    (rc = each_record(txn, m, T_path, load_path)) != 0 ||
	    (rc = drop_unordered(m)) != 0 ||
	    (rc = load_intents(txn, m, &r)) != 0 ||
	    (rc = load_trainees(txn, m, &r)) != 0)
		goto fail;
	for (i = 0; i < m->ntrainees; i++)
		m->trainees[i].pidx = -1;
	link_model(m);
	link_replacements(m);
	if ((rc = each_record(txn, m, T_derogation, load_derog)) != 0 ||
	    (rc = each_record(txn, m, T_agreement, load_agreement)) != 0)
		goto fail;
	record_free(&r);
	*out = m;
	return 0;
fail:
	record_free(&r);
	rules_free(m);
	return rc;
}

/* Frees a model and everything it holds. */
void
rules_free(struct rules_model *m)
{
	struct rm_arena *a, *next;

	if (m == NULL)
		return;
	for (a = m->arena; a != NULL; a = next) {
		next = a->next;
		free(a);
	}
	free(m->lots);
	free(m->rates);
	free(m->sessions);
	free(m->paths);
	free(m->intents);
	free(m->trainees);
	free(m->derogs);
	free(m->agreements);
	free(m->members);
	free(m->results);
	free(m->flags);
	free(m);
}
