/*
 * Local edits, generic over the schema: create, update and delete records
 * by (type, ref).  Each call adds ops to the edit's current change-set; only
 * fields whose displayed value differs produce an op, so writing the same
 * values twice appends nothing.
 */
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

#include "core.h"

/* Fills d naming the record "type ref". */
static int
refuse(struct consort_diag *d, int err, const struct schema_type *t,
    const char *ref, size_t reflen, const char *what, const char *hint)
{
	char where[200];

	snprintf(where, sizeof(where), "%s %.*s", t->name, (int)reflen, ref);
	return consort_diag_set(d, err, where, what, hint);
}

/* Whether the record a reference field names is alive. */
int
records_ref_alive(struct store_txn *txn, struct node *n, struct record *scratch,
    const struct schema_field *f, const struct value *v, bool *alive)
{
	int rc;

	*alive = false;
	if ((rc = state_lookup(txn, &n->store, n->founder, f->ref_type, v->s,
	    v->len, scratch)) != 0)
		return rc;
	*alive = record_alive(&n->store, scratch);
	return 0;
}

/* Checks that every reference among the inputs names a live record. */
static int
check_refs(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	char what[300];
	bool alive;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++) {
		if (in[i].f->kind != FK_REF || in[i].v.kind != VAL_STR)
			continue;
		if ((rc = records_ref_alive(e->txn, e->n, &e->target, in[i].f,
		    &in[i].v, &alive)) != 0)
			return rc;
		if (alive)
			continue;
		snprintf(what, sizeof(what), _("field %s: no %s \"%.*s\""),
		    in[i].f->name, schema_type(in[i].f->ref_type)->name,
		    (int)in[i].v.len, in[i].v.s);
		return refuse(d, E(REF), t, ref, reflen, what,
		    _("record the referenced record first"));
	}
	return 0;
}

/* Whether a field already shows exactly v, with no competing value. */
static bool
unchanged(const struct store *s, const struct record *r,
    const struct field_input *in)
{
	const struct reg *g = &r->fields[in->f->id];
	const struct entry *e;

	if (g->n == 0)
		return in->v.kind == VAL_NIL;
	if (g->n > 1)
		return false;
	e = record_winner(s, r, g);
	return value_equal(record_shown(r, e), &in->v);
}

/* Whether a byte belongs to a word: an ASCII letter, or part of a UTF-8 one. */
static bool
word_byte(unsigned char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c >= 0x80;
}

/*
 * Whether text holds word as a word of its own (no letter right before or
 * after it), ASCII letters compared without case: "DURAND-01" holds
 * "Durand", "TBUNDLE" does not hold "Bundle".
 */
static bool
holds_word(const char *text, size_t len, const char *word, size_t wlen)
{
	size_t i;

	for (i = 0; wlen > 0 && i + wlen <= len; i++)
		if (strncasecmp(text + i, word, wlen) == 0 &&
		    (i == 0 || !word_byte((unsigned char)text[i - 1])) &&
		    (i + wlen == len || !word_byte((unsigned char)text[i + wlen])))
			return true;
	return false;
}

/* Whether a ref holds a trainee's family name (a word) or France Travail id. */
static bool
ref_holds(const char *ref, size_t reflen, const struct field_input *in)
{
	if (in->v.kind != VAL_STR || in->v.len < 2)
		return false;
	if (in->f->id == F_trainee_family_name)
		return holds_word(ref, reflen, in->v.s, in->v.len);
	return in->f->id == F_trainee_ft_id &&
	    util_holds_nocase(ref, reflen, in->v.s, in->v.len);
}

/*
 * Refuses a trainee's ref that holds its family name or its France Travail
 * id: refs travel to every node and into the request, where a personal
 * value never goes.
 */
static int
check_ref_anonymous(const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	unsigned i;

	if (t->id != T_trainee)
		return 0;
	for (i = 0; i < n; i++)
		if (ref_holds(ref, reflen, &in[i]))
			return refuse(d, E(SCHEMA), t, ref, reflen, in[i].f->id ==
			    F_trainee_ft_id ? _("the ref holds the trainee's "
			    "France Travail id, and refs reach every member "
			    "and the order request") :
			    _("the ref holds the trainee's family name, "
			    "and refs reach every member and the order "
			    "request"),
			    _("give the trainee a ref without its personal "
			    "values (e.g. its file number, or none: a random "
			    "one is made)"));
	return 0;
}

/* Refuses to write personal values again once they were erased. */
static int
check_not_erased(const struct schema_type *t, const struct record *r,
    const char *ref, size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	unsigned i;

	if (!personal_erased(r))
		return 0;
	for (i = 0; i < n; i++)
		if (in[i].f->personal && in[i].v.kind != VAL_NIL)
			return refuse(d, E(ERASED), t, ref, reflen,
			    _("its personal "
			    "values were erased (consort subject shows when and "
			    "why); they are never written again"), NULL);
	return 0;
}

/*
 * Adds the op that writes one field of record (type, id): a personal value
 * as a commitment, its opening kept (sealed) in the edit's transaction; a
 * commitment already made (VAL_BIN) as it is.  r is the record, loaded
 * already (NULL: loaded here), so that an import does not load it again
 * for each value.
 */
static int
write_field_of(struct edit *e, const struct record *r, unsigned type,
    const uint8_t *id, const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	struct personal_opening o;
	struct value c;
	int rc;

	if (v->kind == VAL_NIL || v->kind == VAL_BIN || !f->personal) {
		csb_op(&e->b, v->kind == VAL_NIL ? OP_UNSET : OP_SET, type, id,
		    f->id, v);
		return 0;
	}
	memset(&o, 0, sizeof(o));
	o.type = (uint8_t)type;
	o.field = f->id;
	memcpy(o.id, id, CONSORT_EID_BYTES);
	o.value = *v;
	personal_commit_new(type, id, f->id, v, o.salt, o.commitment);
	rc = r != NULL ? personal_put_in(e->txn, &e->n->store, &o, r, d) :
	    personal_put(e->txn, &e->n->store, &o, d);
	sodium_memzero(o.salt, sizeof(o.salt));
	if (rc != 0)
		return rc;
	c.kind = VAL_BIN;
	c.s = (const char *)o.commitment;
	c.len = CONSORT_COMMIT_BYTES;
	csb_op(&e->b, OP_SET, type, id, f->id, &c);
	return 0;
}

/* Adds the op that writes one field of a record (write_field_of). */
int
records_write_field(struct edit *e, unsigned type, const uint8_t *id,
    const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	return write_field_of(e, NULL, type, id, f, v, d);
}

/* A lot's hourly rate and the day it applies from, as a lot shows them. */
struct rate_pair {
	bool has_cents;
	int64_t cents;
	char since[11];   /* "": from the start */
};

/* The rate and the day two fields of a record show (a lot's pair). */
static void
pair_of(const struct store *s, const struct record *r, unsigned cents,
    unsigned since, struct rate_pair *p)
{
	const struct value *v = state_field(s, r, cents);

	memset(p, 0, sizeof(*p));
	p->has_cents = v != NULL && v->kind == VAL_INT;
	p->cents = p->has_cents ? v->i : 0;
	v = state_field(s, r, since);
	if (v != NULL && v->kind == VAL_STR && v->len == 10)
		memcpy(p->since, v->s, 10);
}

/* The pair of a lot once the inputs are written over it. */
static void
pair_after(const struct rate_pair *old, const struct field_input *in,
    unsigned n, struct rate_pair *p)
{
	unsigned i;

	*p = *old;
	for (i = 0; i < n; i++) {
		if (in[i].f->id == F_lot_rate_cents) {
			p->has_cents = in[i].v.kind == VAL_INT;
			p->cents = p->has_cents ? in[i].v.i : 0;
		} else if (in[i].f->id == F_lot_rate_since) {
			memset(p->since, 0, sizeof(p->since));
			if (in[i].v.kind == VAL_STR && in[i].v.len == 10)
				memcpy(p->since, in[i].v.s, 10);
		}
	}
}

/*
 * The ref of a lot's rate from a day: LOT@YYYY-MM-DD, LOT@start without
 * one.  A ref that would not fit is refused, never cut.
 */
static int
rate_ref(char *out, size_t len, const char *lot, size_t lotlen,
    const char *since, struct consort_diag *d)
{
	int k = snprintf(out, len, "%.*s@%s", (int)lotlen, lot, since[0] ?
	    since : "start");
	char where[200];

	if (k > 0 && (size_t)k < len && (size_t)k <= CONSORT_REF_MAX)
		return 0;
	snprintf(where, sizeof(where), _("lot %.*s"), (int)(lotlen < 100 ?
	    lotlen : 100), lot);
	return consort_diag_set(d, E(TOOBIG), where,
	    _("the lot's ref is too long "
	    "for the refs of its rates (LOT@YYYY-MM-DD, at most 128 bytes)"),
	    _("give the lot a ref of at most 117 bytes"));
}

/*
 * Refuses a rate whose ref is not its lot and day (rate_ref): the ref is
 * what makes two writes of one amendment one record.
 */
static int
check_rate_ref(const struct store *s, const struct record *r,
    const char *ref, size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	const struct value *lot = r ? state_field(s, r, F_rate_lot) : NULL;
	const struct value *since = r ? state_field(s, r, F_rate_since) : NULL;
	char want[CONSORT_REF_MAX + 2], day[11] = "";
	unsigned i;

	for (i = 0; i < n; i++)
		if (in[i].f->id == F_rate_lot)
			lot = in[i].v.kind == VAL_STR ? &in[i].v : NULL;
		else if (in[i].f->id == F_rate_since)
			since = in[i].v.kind == VAL_STR ? &in[i].v : NULL;
	if (since != NULL && since->len == 10)
		memcpy(day, since->s, 10);
	if (lot != NULL && rate_ref(want, sizeof(want), lot->s, lot->len, day,
	    NULL) == 0 && strlen(want) == reflen && memcmp(want, ref,
	    reflen) == 0)
		return 0;
	return refuse(d, E(SCHEMA), schema_type(T_rate), ref, reflen,
	    _("a rate's ref is its lot and the day it applies from: "
	    "LOT@YYYY-MM-DD, or LOT@start without a since"), lot == NULL ?
	    _("name its lot: lot=LOT") : _("record it under that ref (consort "
	    "add rate --ref LOT@YYYY-MM-DD lot=LOT since=YYYY-MM-DD "
	    "rate_cents=N)"));
}

/*
 * Refuses an agreement without the Region's reference, its date or its
 * subject, as created or left by the edit: what a derogation cites must
 * say which of the Region's letters it is (schema/rules.md, R21).
 */
static int
check_agreement(const struct store *s, const struct record *r,
    const char *ref, size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	static const unsigned need[] = { F_agreement_reference,
		F_agreement_date, F_agreement_subject };
	const struct value *v;
	char what[200];
	unsigned i, k;

	for (k = 0; k < nitems(need); k++) {
		v = r != NULL ? state_field(s, r, need[k]) : NULL;
		for (i = 0; i < n; i++)
			if (in[i].f->id == need[k])
				v = &in[i].v;
		if (v != NULL && v->kind != VAL_NIL)
			continue;
		snprintf(what, sizeof(what), _("an agreement records the "
		    "Region's reference, its date and its subject: %s is "
		    "missing"),
		    schema_field(schema_type(T_agreement), need[k])->name);
		return refuse(d, E(SCHEMA), schema_type(T_agreement), ref,
		    reflen, what, _("give reference=\"...\" (the Region's own "
		    "reference), date=YYYY-MM-DD (the day it agreed) and "
		    "subject=territory|site|certification|seasonal|group_size"));
	}
	return 0;
}

/* The value an edit leaves in a field: its input, else the record's. */
static const struct value *
value_after(const struct store *s, const struct record *r, unsigned field,
    const struct field_input *in, unsigned n)
{
	const struct value *v = r != NULL ? state_field(s, r, field) : NULL;
	unsigned i;

	for (i = 0; i < n; i++)
		if (in[i].f->id == field)
			v = &in[i].v;
	return v != NULL && v->kind != VAL_NIL ? v : NULL;
}

/*
 * The ref of attendance: its path's ref and its day or month,
 * PATH@YYYY-MM-DD or PATH@YYYY-MM.  Returns false when a part is missing
 * or the ref would not fit (a path's ref of more than 117 bytes).
 */
static bool
attendance_ref(char *out, size_t len, const struct value *path,
    const struct value *when)
{
	int k;

	if (path == NULL || when == NULL || path->kind != VAL_STR ||
	    when->kind != VAL_STR)
		return false;
	k = snprintf(out, len, "%.*s@%.*s", (int)path->len, path->s,
	    (int)when->len, when->s);
	return k > 0 && (size_t)k < len && (size_t)k <= CONSORT_REF_MAX;
}

/* Makes the ref of a record whose ref its fields decide (attendance). */
bool
records_derived_ref(const struct schema_type *t, const struct field_input *in,
    unsigned n, char *out, size_t len)
{
	const struct value *path, *date, *month;

	if (t->id != T_attendance)
		return false;
	path = value_after(NULL, NULL, F_attendance_path, in, n);
	date = value_after(NULL, NULL, F_attendance_date, in, n);
	month = value_after(NULL, NULL, F_attendance_month, in, n);
	if ((date == NULL) == (month == NULL))
		return false;
	return attendance_ref(out, len, path, date != NULL ? date : month);
}

/*
 * Refuses attendance that does not name its path and one day or one
 * month, that gives no time, more than a day holds on a day, or whose ref
 * is not its path and day or month (attendance_ref): the ref is what makes
 * two imports of one register line one record.
 */
static int
check_attendance(const struct store *s, const struct record *r,
    const char *ref, size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_attendance);
	const struct value *path, *date, *month, *h, *m;
	char want[CONSORT_REF_MAX + 2] = "", what[400];

	path = value_after(s, r, F_attendance_path, in, n);
	date = value_after(s, r, F_attendance_date, in, n);
	month = value_after(s, r, F_attendance_month, in, n);
	h = value_after(s, r, F_attendance_hours, in, n);
	m = value_after(s, r, F_attendance_minutes, in, n);
	if (path == NULL || (date == NULL) == (month == NULL))
		return refuse(d, E(SCHEMA), t, ref, reflen,
		    _("attendance names "
		    "its path and either one day (date) or one month (month)"),
		    _("give path=PATH and date=YYYY-MM-DD, or path=PATH and "
		    "month=YYYY-MM"));
	if (h == NULL && m == NULL)
		return refuse(d, E(SCHEMA), t, ref, reflen,
		    _("attendance gives "
		    "the time attended: hours, minutes or both"),
		    _("give hours=H "
		    "and, for a part of an hour, minutes=M (3 h 30: hours=3 "
		    "minutes=30)"));
	if (date != NULL && (h != NULL ? h->i : 0) * 60 +
	    (m != NULL ? m->i : 0) > 24 * 60)
		return refuse(d, E(SCHEMA), t, ref, reflen, _("a day holds at "
		    "most 24 hours of attendance"),
		    _("give the hours of that day, "
		    "or the month's in one record with month=YYYY-MM"));
	if (attendance_ref(want, sizeof(want), path, date != NULL ? date :
	    month) && strlen(want) == reflen && memcmp(want, ref, reflen) == 0)
		return 0;
	snprintf(what, sizeof(what), _("the ref of attendance is its path and "
	    "its %s: %s"), date != NULL ? _("day") : _("month"), strlen(want) <=
	    CONSORT_REF_MAX ? want : _("(too long: a path's ref of at most 117 "
	    "bytes)"));
	return refuse(d, E(SCHEMA), t, ref, reflen, what, _("record it under "
	    "that ref, or without one: consort add attendance path=PATH "
	    "date=YYYY-MM-DD hours=H makes it"));
}

/* What an intent's outcome or a trainee's exit needs with it (R23). */
static const struct outcome_need {
	unsigned type, field;
	const char *value;  /* the value that needs it; NULL: any */
	unsigned need;
	const char *what, *hint;
} outcome_needs[] = {
	{ T_intent, F_intent_outcome, "hired", F_intent_hired_date,
	    N_("a hire records its day: hired_date is missing"),
	    N_("give hired_date=YYYY-MM-DD (the day the contract starts), with "
	    "hired_contract= and hired_weekly_hours= as signed") },
	{ T_intent, F_intent_outcome, "not_hired", F_intent_not_hired_reason,
	    N_("an intent that ended without a hire records why: "
	    "not_hired_reason is missing"),
	    N_("give not_hired_reason=\"...\" (what became of the job; it "
	    "reaches every member, so never a person's name or health)") },
	{ T_trainee, F_trainee_exit, NULL, F_trainee_exit_date,
	    N_("an exit records its day: exit_date is missing"),
	    N_("give exit_date=YYYY-MM-DD (the trainee's last day of "
	    "training)") },
};

/*
 * Refuses an edit of an intent's outcome or a trainee's exit that leaves
 * it without what it needs (R23): a hire its day, an intent not kept its
 * reason, an exit its day.  Only an edit of those fields is checked, so a
 * record left incomplete by another node still takes other edits (the
 * report lists it).
 */
static int
check_outcome(const struct store *s, const struct record *r,
    const struct schema_type *t, const char *ref, size_t reflen,
    const struct field_input *in, unsigned n, struct consort_diag *d)
{
	const struct outcome_need *x;
	const struct value *v;
	bool touched;
	unsigned i, k;

	for (k = 0; k < nitems(outcome_needs); k++) {
		x = &outcome_needs[k];
		if (x->type != t->id)
			continue;
		for (i = 0, touched = false; i < n; i++)
			touched |= in[i].f->id == x->field || in[i].f->id == x->need;
		if (!touched || (v = value_after(s, r, x->field, in, n)) == NULL)
			continue;
		if (x->value != NULL && (v->kind != VAL_STR ||
		    v->len != strlen(x->value) ||
		    memcmp(v->s, x->value, v->len) != 0))
			continue;
		if (value_after(s, r, x->need, in, n) == NULL)
			return refuse(d, E(SCHEMA), t, ref, reflen, x->what,
			    x->hint);
	}
	return 0;
}

/* Writes (or finds unchanged) the rate record of a lot's pair. */
static int
put_rate(struct edit *e, const char *lot, size_t lotlen,
    const struct rate_pair *p, struct consort_diag *d)
{
	const struct schema_type *t = schema_type(T_rate);
	char ref[CONSORT_REF_MAX + 2];
	struct field_input in[3];
	bool changed;
	int rc;

	if ((rc = rate_ref(ref, sizeof(ref), lot, lotlen, p->since, d)) != 0)
		return rc;
	memset(in, 0, sizeof(in));
	in[0].f = schema_field(t, F_rate_lot);
	in[0].v = (struct value){ VAL_STR, false, 0, lot, (uint32_t)lotlen };
	in[1].f = schema_field(t, F_rate_since);
	if (p->since[0])
		in[1].v = (struct value){ VAL_STR, false, 0, p->since, 10 };
	in[2].f = schema_field(t, F_rate_rate_cents);
	in[2].v = (struct value){ VAL_INT, false, p->cents, NULL, 0 };
	return records_put(e, t, ref, strlen(ref), in, 3, PUT_UPSERT, false,
	    &changed, d);
}

/* Whether a lot's rate history holds a live rate record of its pair's day. */
static int
rate_recorded(struct edit *e, const char *lot, size_t lotlen,
    const struct rate_pair *p, bool *found)
{
	char ref[CONSORT_REF_MAX + 2];
	int rc;

	*found = false;
	if (rate_ref(ref, sizeof(ref), lot, lotlen, p->since, NULL) != 0)
		return 0;  /* put_rate refuses it, naming the lot */
	if ((rc = state_lookup(e->txn, &e->n->store, e->n->founder, T_rate, ref,
	    strlen(ref), &e->rec)) != 0)
		return rc;
	*found = record_alive(&e->n->store, &e->rec) &&
	    state_field(&e->n->store, &e->rec, F_rate_rate_cents) != NULL;
	return 0;
}

/*
 * Keeps a lot's rate history (R14) when an edit changes its pair: the new
 * pair as a rate record and, when the day moves, the pair it replaces
 * unless the history holds a rate of that day already.  The lot keeps its
 * current pair; a lot's creation writes no rate (its pair is the history).
 */
static int
keep_rate_history(struct edit *e, const char *lot, size_t lotlen,
    const struct rate_pair *old, const struct rate_pair *p,
    struct consort_diag *d)
{
	bool moved = strcmp(old->since, p->since) != 0, found;
	int rc;

	if (!moved && old->has_cents == p->has_cents && old->cents == p->cents)
		return 0;
	if (p->has_cents && (rc = put_rate(e, lot, lotlen, p, d)) != 0)
		return rc;
	if (!moved || !old->has_cents)
		return 0;
	if ((rc = rate_recorded(e, lot, lotlen, old, &found)) != 0 || found)
		return rc;
	return put_rate(e, lot, lotlen, old, d);
}

/* Whether a field of r shows the string want. */
static bool
shows_str(const struct store *s, const struct record *r, unsigned field,
    const char *want, size_t len)
{
	const struct value *v = state_field(s, r, field);

	return v != NULL && v->kind == VAL_STR && v->len == len &&
	    memcmp(v->s, want, len) == 0;
}

/*
 * Refuses an intent's replaces that names the intent itself, or an intent
 * that replaces it, through its own replaces: a replacement comes after
 * what it replaces (R16).
 */
static int
check_replacement(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    struct consort_diag *d)
{
	char cur[CONSORT_REF_MAX + 1], what[400];
	const struct value *v = NULL, *w;
	unsigned i, step;
	int rc;

	for (i = 0; t->id == T_intent && i < n; i++)
		if (in[i].f->id == F_intent_replaces && in[i].v.kind == VAL_STR)
			v = &in[i].v;
	if (v == NULL)
		return 0;
	if (v->len == reflen && memcmp(v->s, ref, reflen) == 0)
		return refuse(d, E(SCHEMA), t, ref, reflen,
		    _("field replaces names "
		    "the intent itself"), _("name the withdrawn intent it "
		    "replaced (replaces=REF), or unset the field (replaces=)"));
	value_copy_str(cur, sizeof(cur), v);
	for (step = 0; step < INTENT_CHAIN_MAX; step++) {
		if ((rc = state_lookup(e->txn, &e->n->store, e->n->founder,
		    T_intent, cur, strlen(cur), &e->target)) != 0)
			return rc;
		if (!record_alive(&e->n->store, &e->target))
			return 0;
		w = state_field(&e->n->store, &e->target, F_intent_replaces);
		if (w == NULL || w->kind != VAL_STR)
			return 0;
		if (w->len == reflen && memcmp(w->s, ref, reflen) == 0) {
			snprintf(what, sizeof(what),
			    _("field replaces: intent %s "
			    "replaces, through its own replacements, this intent "
			    "(a cycle)"), cur);
			return refuse(d, E(SCHEMA), t, ref, reflen, what, _("a "
			    "replacement comes after the intent it replaces: "
			    "name the earlier intent"));
		}
		value_copy_str(cur, sizeof(cur), w);
	}
	return 0;
}

/*
 * R16: a path that leaves a withdrawn intent for another makes the new
 * intent record the one it replaces (replaces), in the same change-set,
 * so that the order request still lists the withdrawal.  A new intent
 * that replaces another already keeps it; one the author may not edit is
 * left as it is; e->note says what was done, or why not and the command
 * that would do it.
 */
static int
follow_withdrawal(struct edit *e, const struct record *path,
    const struct field_input *in, unsigned n, struct consort_diag *d)
{
	struct store *s = &e->n->store;
	const struct value *old, *nv = NULL, *rp;
	char from[CONSORT_REF_MAX + 1], to[CONSORT_REF_MAX + 1];
	char where[200], what[768], hint[512], had[CONSORT_REF_MAX + 1];
	struct value fv;
	bool ok;
	unsigned i;
	int rc;

	for (i = 0; i < n; i++)
		if (in[i].f->id == F_path_intent && in[i].v.kind == VAL_STR)
			nv = &in[i].v;
	old = state_field(s, path, F_path_intent);
	if (nv == NULL || old == NULL || old->kind != VAL_STR ||
	    value_equal(old, nv))
		return 0;
	value_copy_str(from, sizeof(from), old);
	value_copy_str(to, sizeof(to), nv);
	if ((rc = state_lookup(e->txn, s, e->n->founder, T_intent, from,
	    strlen(from), &e->target)) != 0)
		return rc;
	if (!record_alive(s, &e->target) || !shows_str(s, &e->target,
	    F_intent_status, "withdrawn", 9))
		return 0;
	if ((rc = state_lookup(e->txn, s, e->n->founder, T_intent, to,
	    strlen(to), &e->target)) != 0)
		return rc;
	if (!record_alive(s, &e->target))
		return 0;  /* refused by check_refs() when it is asked for */
	snprintf(where, sizeof(where), _("intent %s"), to);
	rp = state_field(s, &e->target, F_intent_replaces);
	if (rp != NULL && rp->kind == VAL_STR) {
		if (rp->len == strlen(from) && memcmp(rp->s, from, rp->len) == 0)
			return 0;
		value_copy_str(had, sizeof(had), rp);
		snprintf(what, sizeof(what), _("intent %s replaces intent %s "
		    "already, not the withdrawn intent %s that the path named"),
		    to, had, from);
		snprintf(hint, sizeof(hint), _("if it replaced %s: consort set "
		    "intent %s replaces=%s"), from, to, from);
		consort_diag_set(&e->note, 0, where, what, hint);
		return 0;
	}
	if ((rc = perm_may_edit(e->txn, s, e->n->pk, T_intent, e->target.id,
	    &ok)) != 0)
		return rc;
	if (!ok) {
		snprintf(what, sizeof(what), _("intent %s does not record that "
		    "it replaces the withdrawn intent %s: only the member who "
		    "recorded it, a co-contractor or the lead may edit it"), to,
		    from);
		snprintf(hint, sizeof(hint), _("ask one of them to run: "
		    "consort set intent %s replaces=%s"), to, from);
		consort_diag_set(&e->note, 0, where, what, hint);
		return 0;
	}
	fv = (struct value){ VAL_STR, false, 0, from, (uint32_t)strlen(from) };
	if ((rc = write_field_of(e, &e->target, T_intent, e->target.id,
	    schema_field(schema_type(T_intent), F_intent_replaces), &fv,
	    d)) != 0)
		return rc;
	snprintf(what, sizeof(what), _("it now records that it replaces the "
	    "withdrawn intent %s (replaces=%s)"), from, from);
	consort_diag_set(&e->note, 0, where, what, _("the order request keeps "
	    "listing the withdrawal, with its replacement (R16)"));
	return 0;
}

/* Creates or updates a record with the given fields. */
int
records_put(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, const struct field_input *in, unsigned n,
    enum put_mode mode, bool refs, bool *changed, struct consort_diag *d)
{
	struct store *s = &e->n->store;
	struct value rv = { VAL_STR, false, 0, ref, (uint32_t)reflen };
	struct record *r = &e->rec;
	struct rate_pair before = { 0 }, after;
	bool alive;
	unsigned i;
	int rc;

	*changed = false;
	if ((rc = schema_check_ref(ref, reflen, d)) != 0)
		return refuse(d, rc, t, ref, reflen, d ? d->what : NULL, NULL);
	if (refs && (rc = check_refs(e, t, ref, reflen, in, n, d)) != 0)
		return rc;
	if ((rc = check_ref_anonymous(t, ref, reflen, in, n, d)) != 0 ||
	    (rc = check_replacement(e, t, ref, reflen, in, n, d)) != 0)
		return rc;
	if ((rc = state_lookup(e->txn, s, e->n->founder, t->id, ref, reflen,
	    r)) != 0 || (rc = personal_open_record(e->txn, s, r)) != 0)
		return rc;
	if ((rc = check_not_erased(t, r, ref, reflen, in, n, d)) != 0)
		return rc;
	alive = record_alive(s, r);
	if (mode == PUT_ADD && alive)
		return refuse(d, E(EXIST), t, ref, reflen, _("already exists"),
		    _("change it with consort set"));
	if (mode == PUT_SET && !alive)
		return refuse(d, E(NOENT), t, ref, reflen, _("no such record"),
		    _("create it with consort add"));
	if (t->id == T_rate && (rc = check_rate_ref(s, alive ? r : NULL, ref,
	    reflen, in, n, d)) != 0)
		return rc;
	if (t->id == T_agreement && (rc = check_agreement(s, alive ? r : NULL,
	    ref, reflen, in, n, d)) != 0)
		return rc;
	if (t->id == T_attendance && (rc = check_attendance(s, alive ? r : NULL,
	    ref, reflen, in, n, d)) != 0)
		return rc;
	if ((rc = check_outcome(s, alive ? r : NULL, t, ref, reflen, in, n,
	    d)) != 0)
		return rc;
	if (t->id == T_lot && alive)
		pair_of(s, r, F_lot_rate_cents, F_lot_rate_since, &before);
	if (!alive) {
		csb_op(&e->b, OP_CREATE, t->id, r->id, 0, &rv);
		*changed = true;
	}
	for (i = 0; i < n; i++) {
		if (alive && unchanged(s, r, &in[i]))
			continue;
		if (!alive && in[i].v.kind == VAL_NIL)
			continue;
		if ((rc = write_field_of(e, r, t->id, r->id, in[i].f, &in[i].v,
		    d)) != 0)
			return rc;
		*changed = true;
	}
	if (t->id == T_path && alive)
		return follow_withdrawal(e, r, in, n, d);
	if (t->id != T_lot || !alive)
		return 0;
	pair_after(&before, in, n, &after);
	return keep_rate_history(e, ref, reflen, &before, &after, d);
}

/* What a search for the records naming one record counts. */
struct referrers {
	const struct store *s;
	const struct schema_field *f;  /* the reference field searched */
	const char *ref;
	size_t reflen;
	uint64_t n;
	const struct schema_type *first_type;
	char first[CONSORT_REF_MAX + 1];
};

/* Counts a live record whose field names the record (any value it holds). */
static int
count_referrer(void *ctx, const struct record *r)
{
	struct referrers *x = ctx;
	const struct reg *g = &r->fields[x->f->id];
	const struct value *v;
	uint32_t i;

	for (i = 0; i < g->n; i++) {
		v = &r->pool[g->off + i].val;
		if (v->kind != VAL_STR || v->len != x->reflen ||
		    memcmp(v->s, x->ref, v->len) != 0)
			continue;
		if (x->n++ == 0 && r->ref_len <= CONSORT_REF_MAX) {
			x->first_type = schema_type(r->type);
			memcpy(x->first, r->ref, r->ref_len);
			x->first[r->ref_len] = '\0';
		}
		break;
	}
	return 0;
}

/*
 * Refuses the deletion of a record that live records still name in a
 * reference field (a lot its sessions, a session its paths and
 * derogations...), naming one of them and how many.  consort rm asks it:
 * a check of the local state, so two members who delete concurrently are
 * not stopped, and what they leave shows as the business conflicts R16
 * and R09 (DESIGN.md §4).
 */
int
records_check_unreferenced(struct edit *e, const struct schema_type *t,
    const char *ref, size_t reflen, struct consort_diag *d)
{
	const struct schema_type *types[SCHEMA_MAX_TYPES];
	struct referrers x;
	char what[400], hint[400];
	unsigned i, k, nt;
	int rc;

	memset(&x, 0, sizeof(x));
	x.s = &e->n->store;
	x.ref = ref;
	x.reflen = reflen;
	nt = schema_types_sorted(types, SCHEMA_MAX_TYPES);
	for (i = 0; i < nt; i++)
		for (k = 0; k < types[i]->nfields; k++) {
			x.f = types[i]->sorted[k];
			if (x.f->kind != FK_REF || x.f->ref_type != t->id)
				continue;
			if ((rc = state_foreach(e->txn, &e->n->store, types[i]->id,
			    count_referrer, &x)) != 0)
				return rc;
		}
	if (x.n == 0)
		return 0;
	snprintf(what, sizeof(what), _("%llu live record%s still name%s it (%s "
	    "%s%s)"),
	    (unsigned long long)x.n, x.n == 1 ? "" : "s", x.n == 1 ? "s" : "",
	    x.first_type->name, x.first, x.n == 1 ? "" : _(" and others"));
	snprintf(hint, sizeof(hint), _("delete them or point them at another "
	    "%s first (consort show %s %s), then delete it"), t->name,
	    x.first_type->name, x.first);
	return refuse(d, E(REF), t, ref, reflen, what, hint);
}

/* Deletes a live record (a tombstone: its history stays in the log). */
int
records_delete(struct edit *e, const struct schema_type *t, const char *ref,
    size_t reflen, struct consort_diag *d)
{
	struct store *s = &e->n->store;
	int rc;

	if ((rc = state_lookup(e->txn, s, e->n->founder, t->id, ref, reflen,
	    &e->rec)) != 0)
		return rc;
	if (!record_alive(s, &e->rec))
		return refuse(d, E(NOENT), t, ref, reflen, _("no such record"),
		    _("list the records with consort list"));
	csb_op(&e->b, OP_DELETE, t->id, e->rec.id, 0, NULL);
	return 0;
}

/* A fresh random ref for a record added without one: TYPE-16 hex digits. */
void
records_new_ref(const struct schema_type *t, char *out, size_t len)
{
	uint8_t rnd[8];
	char hex[17];

	randombytes_buf(rnd, sizeof(rnd));
	util_hex(hex, rnd, sizeof(rnd));
	snprintf(out, len, "%s-%s", t->name, hex);
}
