/*
 * A person's rights over a trainee's personal values (schema/DESIGN.md,
 * "Personal data: the person's rights").  Erasure writes trainee.erased
 * and erased_reason; every node that applies it deletes the openings it
 * holds (merge.c, personal_erase()), and nobody writes them again.  The
 * reason travels to every member and stays in the log, so it may not hold
 * the person's values.  Retention finds the trainees whose training ended
 * before a date: the latest end among the sessions of their paths.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "rights.h"

/* Whether text holds the number n with no digit right before or after. */
static bool
holds_number(const char *text, size_t len, int64_t n)
{
	char num[24];
	size_t i, k;

	k = (size_t)snprintf(num, sizeof(num), "%lld", (long long)n);
	for (i = 0; i + k <= len; i++) {
		if (memcmp(text + i, num, k) != 0)
			continue;
		if ((i == 0 || text[i - 1] < '0' || text[i - 1] > '9') &&
		    (i + k == len || text[i + k] < '0' || text[i + k] > '9'))
			return true;
	}
	return false;
}

/* Whether text holds one value, as rights_text_names() tells it. */
static bool
holds_value(const char *text, size_t len, const struct value *v)
{
	if (v->kind == VAL_STR)
		return v->len >= 2 && util_holds_nocase(text, len, v->s, v->len);
	if (v->kind == VAL_INT)
		return holds_number(text, len, v->i);
	return false;  /* a boolean says nothing; a commitment is not read */
}

/*
 * The personal field whose value (as read here) a text holds, or NULL.  An
 * enumeration's value or a day (how and when the trainee left) names
 * nobody, and a reason may well say "completed" or give a date.
 */
const struct schema_field *
rights_text_names(const struct record *r, const char *text, size_t len)
{
	const struct schema_type *t = schema_type(r->type);
	const struct schema_field *f;
	unsigned i;
	uint32_t k;

	for (i = 0; t != NULL && i < t->nfields; i++) {
		f = t->sorted[i];
		if (!f->personal || f->kind == FK_ENUM || f->kind == FK_DATE)
			continue;
		for (k = 0; k < r->fields[f->id].n; k++)
			if (holds_value(text, len, record_shown(r,
			    &r->pool[r->fields[f->id].off + k])))
				return f;
	}
	return NULL;
}

/*
 * Counts the personal values of a record (its commitments) and the
 * openings this node holds of it: the rows of the openings table under its
 * id.
 */
int
rights_openings(struct store_txn *txn, struct store *s, const struct record *r,
    unsigned *held, unsigned *total)
{
	const struct schema_type *t = schema_type(r->type);
	struct store_walk w;
	struct store_val k, v;
	unsigned i;
	int rc;

	*held = *total = 0;
	for (i = 0; t != NULL && r->found && i < t->nfields; i++)
		if (t->sorted[i]->personal)
			*total += r->fields[t->sorted[i]->id].n;
	if (!r->found)
		return 0;
	if ((rc = store_walk_begin(&w, txn, s, TB_OPENINGS, r->id,
	    CONSORT_EID_BYTES, CONSORT_EID_BYTES)) != 0)
		return rc;
	while ((rc = store_walk_next(&w, &k, &v)) > 0)
		(*held)++;
	store_walk_end(&w);
	return rc;
}

/* Fills d naming the trainee; returns err. */
static int
refuse(struct consort_diag *d, int err, const char *ref, size_t reflen,
    const char *what, const char *hint)
{
	char where[200];

	snprintf(where, sizeof(where), "trainee %.*s", (int)reflen, ref);
	return consort_diag_set(d, err, where, what, hint);
}

/* Refuses a trainee erased already, saying when and why. */
static int
erased_already(const struct store *s, const struct record *r, const char *ref,
    size_t reflen, struct consort_diag *d)
{
	const struct value *date = state_field(s, r, F_trainee_erased);
	const struct value *why = state_field(s, r, F_trainee_erased_reason);
	char what[512];

	snprintf(what, sizeof(what), _("its personal values were erased "
	    "already on %.*s (reason: %.*s); an erasure is for good and is not "
	    "written again"), date != NULL ? (int)date->len : 1, date != NULL ?
	    date->s : "?", why != NULL ? (int)why->len : 1, why != NULL ?
	    why->s : "?");
	return refuse(d, E(ERASED), ref, reflen, what,
	    _("consort subject trainee "
	    "REF shows what this node still holds about the person"));
}

/* Parses the erasure's date and reason into values of their fields. */
static int
parse_erasure(const char *ref, size_t reflen, const char *date,
    const char *reason, size_t reasonlen, struct value *dv, struct value *rv,
    struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_trainee);
	int rc;

	if ((rc = schema_parse_text(schema_field(t, F_trainee_erased), date,
	    strlen(date), dv, d)) != 0)
		return refuse(d, rc, ref, reflen, _("the date of the erasure "
		    "must be a real day, YYYY-MM-DD"), NULL);
	if (reasonlen == 0 || reasonlen > 500)
		return refuse(d, E(SCHEMA), ref, reflen,
		    _("the reason of an erasure "
		    "is 1 to 500 bytes"), _("say why in a few words (\"asked "
		    "by the person\", \"retention period over\")"));
	if ((rc = schema_parse_text(schema_field(t, F_trainee_erased_reason),
	    reason, reasonlen, rv, d)) != 0)
		return refuse(d, rc, ref, reflen, _("the reason of an erasure "
		    "must be UTF-8 text"), NULL);
	return 0;
}

/* Adds the ops that erase a trainee's personal values. */
int
rights_erase(struct edit *e, const char *ref, size_t reflen, const char *date,
    const char *reason, size_t reasonlen, unsigned *held,
    struct consort_diag *d)
{
	struct store *s = &e->n->store;
	const struct schema_field *f;
	struct value dv, rv;
	struct record r;
	uint8_t id[CONSORT_EID_BYTES];
	char what[300];
	unsigned total;
	int rc;

	*held = 0;
	if ((rc = parse_erasure(ref, reflen, date, reason, reasonlen, &dv, &rv,
	    d)) != 0)
		return rc;
	record_init(&r);
	node_entity_id(e->n, T_trainee, ref, reflen, id);  /* not opened yet */
	if ((rc = record_load(e->txn, s, T_trainee, id, &r)) != 0 ||
	    (rc = rights_openings(e->txn, s, &r, held,
	    &total)) != 0 || (rc = personal_open_record(e->txn, s, &r)) != 0)
		goto out;
	if (!r.found) {
		rc = refuse(d, E(NOENT), ref, reflen,
		    _("no such trainee on this node"),
		    _("consort list trainee lists them"));
		goto out;
	}
	if (personal_erased(&r)) {
		rc = erased_already(s, &r, ref, reflen, d);
		goto out;
	}
	if ((f = rights_text_names(&r, reason, reasonlen)) != NULL) {
		snprintf(what, sizeof(what), _("the reason holds the trainee's "
		    "%s; the reason travels to every member and stays in the "
		    "log, where a personal value never goes"), f->name);
		rc = refuse(d, E(SCHEMA), ref, reflen, what,
		    _("write the reason "
		    "without the person's values (\"asked by the person\", "
		    "\"retention period over\")"));
		goto out;
	}
	csb_op(&e->b, OP_SET, T_trainee, r.id, F_trainee_erased, &dv);
	csb_op(&e->b, OP_SET, T_trainee, r.id, F_trainee_erased_reason, &rv);
out:
	record_free(&r);
	return rc;
}

/* Starts a tally with no session. */
void
rights_last_init(struct rights_last *l)
{
	memset(l, 0, sizeof(*l));
}

/* Takes in one session: the latest end wins, an unset end keeps it open. */
void
rights_last_add(struct rights_last *l, const char *session, size_t len,
    const struct value *end)
{
	l->sessions++;
	if (end == NULL || end->kind != VAL_STR ||
	    end->len != RIGHTS_DATE_BUF - 1) {
		l->open = true;
		return;
	}
	if (l->end[0] != '\0' && memcmp(end->s, l->end, end->len) <= 0)
		return;
	memcpy(l->end, end->s, end->len);
	l->end[end->len] = '\0';
	if (len >= sizeof(l->session))
		len = sizeof(l->session) - 1;
	memcpy(l->session, session, len);
	l->session[len] = '\0';
}

/* Whether every session ended, the last one before date. */
bool
rights_last_before(const struct rights_last *l, const char *date)
{
	return l->sessions > 0 && !l->open && l->end[0] != '\0' &&
	    strcmp(l->end, date) < 0;
}

/* A live path's trainee and its live session's end. */
struct path_end {
	char trainee[RIGHTS_REF_BUF];
	char session[RIGHTS_REF_BUF];
	char end[RIGHTS_DATE_BUF];
	bool ended;  /* its session has an end */
};

struct retention {
	struct store_txn *txn;
	struct store *s;
	struct record scratch;
	struct path_end *p;
	size_t n, cap;
	const char *before;
	rights_ended_fn fn;
	void *ctx;
};

/* Collects one live path with its session's end. */
static int
gather_path(void *ctx, const struct record *r)
{
	struct retention *x = ctx;
	const struct value *end;
	struct path_end *p;
	int rc;

	if (x->n == x->cap) {
		x->cap = x->cap ? x->cap * 2 : 256;
		if ((p = realloc(x->p, x->cap * sizeof(*p))) == NULL)
			return E(NOMEM);
		x->p = p;
	}
	p = &x->p[x->n];
	memset(p, 0, sizeof(*p));
	value_copy_str(p->trainee, sizeof(p->trainee),
	    state_field(x->s, r, F_path_trainee));
	value_copy_str(p->session, sizeof(p->session),
	    state_field(x->s, r, F_path_session));
	if (!p->trainee[0] || !p->session[0])
		return 0;
	if ((rc = state_lookup(x->txn, x->s, x->s->founder, T_session,
	    p->session, strlen(p->session), &x->scratch)) != 0)
		return rc;
	if (!record_alive(x->s, &x->scratch))
		return 0;  /* a deleted session ends nothing */
	end = state_field(x->s, &x->scratch, F_session_end);
	p->ended = end != NULL;
	value_copy_str(p->end, sizeof(p->end), end);
	x->n++;
	return 0;
}

/* Orders paths by trainee. */
static int
by_trainee(const void *a, const void *b)
{
	return strcmp(((const struct path_end *)a)->trainee,
	    ((const struct path_end *)b)->trainee);
}

/* Tallies the sessions of one trainee, passing it on when it is over. */
static int
visit_trainee(void *ctx, const struct record *r)
{
	struct retention *x = ctx;
	struct rights_last last;
	struct path_end key, *p;
	struct value end;
	size_t lo, hi, mid;

	if (personal_erased(r) || r->ref_len >= sizeof(key.trainee))
		return 0;
	memcpy(key.trainee, r->ref, r->ref_len);
	key.trainee[r->ref_len] = '\0';
	for (lo = 0, hi = x->n; lo < hi;) {  /* the first path of the trainee */
		mid = lo + (hi - lo) / 2;
		if (by_trainee(&x->p[mid], &key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	rights_last_init(&last);
	for (p = x->p + lo; p < x->p + x->n && by_trainee(p, &key) == 0; p++) {
		end = (struct value){ VAL_STR, false, 0, p->end,
			(uint32_t)strlen(p->end) };
		rights_last_add(&last, p->session, strlen(p->session),
		    p->ended ? &end : NULL);
	}
	if (!rights_last_before(&last, x->before))
		return 0;
	return x->fn(x->ctx, r, &last);
}

/* Calls fn on every trainee whose last session ended before a date. */
int
rights_retention(struct store_txn *txn, struct store *s, const char *before,
    rights_ended_fn fn, void *ctx, struct consort_diag *d)
{
	struct retention x = { txn, s, { 0 }, NULL, 0, 0, before, fn, ctx };
	bool open = s->open_personal;
	int rc;

	record_init(&x.scratch);
	s->open_personal = false;  /* paths and sessions: no personal value */
	rc = state_foreach_d(txn, s, T_path, gather_path, &x, d);
	s->open_personal = open;
	if (rc == 0) {
		if (x.n > 1)
			qsort(x.p, x.n, sizeof(*x.p), by_trainee);
		rc = state_foreach_d(txn, s, T_trainee, visit_trainee, &x, d);
	}
	record_free(&x.scratch);
	free(x.p);
	return rc;
}
