/*
 * The schema tables generated from schema/entities.def, and validation of
 * field values against them (from the wire, from a file, from the command
 * line).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core.h"

#define EXPORT SCHEMA_EXPORT
#define ROSTER SCHEMA_ROSTER
#define LEAD SCHEMA_LEAD
#define PERSONAL SCHEMA_PERSONAL

static const struct {
	uint8_t type;
	struct schema_field f;
	const char *ref_name;
} field_table[] = {
#define ENTITY(name, id, flags, label)
#define FIELD(ent, fid, fname, kind, lo, hi, extra, flags, label, values) \
	{ T_##ent, { fid, #fname, FK_##kind, lo, hi, extra, 0, \
	    ((flags) & SCHEMA_PERSONAL) != 0, label, values }, extra },
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

static struct schema_type types[] = {
#define ENTITY(name, id, flags, label) \
	{ id, #name, flags, { 0 }, { 0 }, 0, 0, label },
#define FIELD(ent, fid, fname, kind, lo, hi, extra, flags, label, values)
#include "../schema/entities.def"
#undef ENTITY
#undef FIELD
};

static struct schema_field fields[nitems(field_table)];
static const struct schema_type *by_id[SCHEMA_MAX_TYPES];
static const struct schema_type *by_name[nitems(types)];
static bool ready;

/* Orders fields by name, for sorted JSON output. */
static int
cmp_field_name(const void *a, const void *b)
{
	const struct schema_field *const *fa = a, *const *fb = b;

	return strcmp((*fa)->name, (*fb)->name);
}

/* Orders types by name. */
static int
cmp_type_name(const void *a, const void *b)
{
	const struct schema_type *const *ta = a, *const *tb = b;

	return strcmp((*ta)->name, (*tb)->name);
}

/* Builds the lookup tables once; the def file is trusted, so asserts hold. */
static void
schema_setup(void)
{
	struct schema_type *t = NULL;
	const struct schema_type *rt;
	size_t i, k;

	for (i = 0; i < nitems(types); i++) {
		by_id[types[i].id] = &types[i];
		by_name[i] = &types[i];
	}
	for (i = 0; i < nitems(field_table); i++) {
		fields[i] = field_table[i].f;
		for (k = 0; k < nitems(types); k++)
			if (types[k].id == field_table[i].type)
				t = &types[k];
		if (fields[i].kind == FK_REF) {
			for (k = 0; k < nitems(types); k++)
				if (strcmp(types[k].name, field_table[i].ref_name) == 0)
					fields[i].ref_type = types[k].id;
		}
		t->fields[fields[i].id] = &fields[i];
		t->sorted[t->nfields++] = &fields[i];
		if (fields[i].id > t->max_field)
			t->max_field = fields[i].id;
	}
	for (i = 0; i < nitems(types); i++) {
		rt = &types[i];
		qsort(types[i].sorted, rt->nfields, sizeof(rt->sorted[0]),
		    cmp_field_name);
	}
	qsort(by_name, nitems(types), sizeof(by_name[0]), cmp_type_name);
	ready = true;
}

/* The type of a wire id, or NULL. */
const struct schema_type *
schema_type(unsigned id)
{
	if (!ready)
		schema_setup();
	return id < SCHEMA_MAX_TYPES ? by_id[id] : NULL;
}

/* The type of a name, or NULL. */
const struct schema_type *
schema_type_by_name(const char *name)
{
	size_t i;

	if (!ready)
		schema_setup();
	for (i = 0; i < nitems(types); i++)
		if (strcmp(types[i].name, name) == 0)
			return &types[i];
	return NULL;
}

/* The types sorted by name; returns how many were written. */
unsigned
schema_types_sorted(const struct schema_type **out, unsigned max)
{
	unsigned i;

	if (!ready)
		schema_setup();
	for (i = 0; i < nitems(types) && i < max; i++)
		out[i] = by_name[i];
	return i;
}

/* The field of a type by wire id, or NULL. */
const struct schema_field *
schema_field(const struct schema_type *t, unsigned id)
{
	return id >= 1 && id <= SCHEMA_MAX_FIELDS ? t->fields[id] : NULL;
}

/* The field of a type by name (len bytes), or NULL. */
const struct schema_field *
schema_field_by_name(const struct schema_type *t, const char *name, size_t len)
{
	unsigned i;

	for (i = 0; i < t->nfields; i++)
		if (strlen(t->sorted[i]->name) == len &&
		    memcmp(t->sorted[i]->name, name, len) == 0)
			return t->sorted[i];
	return NULL;
}

/* The word used for a kind in messages. */
const char *
schema_kind_name(enum field_kind k)
{
	static const char *const names[] = { N_("a string"), N_("an integer"),
		N_("a boolean"), N_("a date (YYYY-MM-DD, a real day from "
		"1900-01-01 to 2199-12-31)"), N_("one word of a list"),
		N_("a comma-separated list of words"),
		N_("a SIRET (14 digits, Luhn)"), N_("a public key (64 hex)"),
		N_("the ref of a record"), N_("a month (YYYY-MM)"), N_("a text") };

	return _(names[k]);
}

/* Finds word (len bytes) in a "a|b|c" list; returns its position or -1. */
static int
enum_index(const char *list, const char *word, size_t len)
{
	const char *p = list, *bar;
	size_t n;
	int i = 0;

	for (;;) {
		bar = strchr(p, '|');
		n = bar ? (size_t)(bar - p) : strlen(p);
		if (n == len && memcmp(p, word, len) == 0)
			return i;
		if (bar == NULL)
			return -1;
		p = bar + 1;
		i++;
	}
}

/* A SET value: known words, comma-separated, no repeats, in list order. */
static bool
set_valid(const char *list, const char *s, size_t len)
{
	size_t i = 0, j;
	int last = -1, k;

	if (len == 0)
		return false;
	while (i <= len) {
		for (j = i; j < len && s[j] != ','; j++)
			;
		k = enum_index(list, s + i, j - i);
		if (k <= last)
			return false;
		last = k;
		i = j + 1;
	}
	return true;
}

/* Whether s is 64 lowercase hex characters. */
static bool
key_valid(const char *s, size_t len)
{
	size_t i;

	if (len != 64)
		return false;
	for (i = 0; i < len; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return false;
	return true;
}

/* Whether s is a month YYYY-MM of a year a date may have (util_date_valid). */
bool
schema_period_valid(const char *s, size_t len)
{
	char day[10];

	if (len != 7)
		return false;
	memcpy(day, s, 7);
	memcpy(day + 7, "-01", 3);
	return util_date_valid(day, sizeof(day));
}

/*
 * The most bytes a string value of f may hold on the wire and in the store:
 * a TEXT field's own bound, CONSORT_STR_MAX for every other field.
 */
uint32_t
schema_str_max(const struct schema_field *f)
{
	if (f != NULL && f->kind == FK_TEXT && f->hi > CONSORT_STR_MAX)
		return f->hi < CONSORT_CS_MAX_BYTES ? (uint32_t)f->hi :
		    CONSORT_CS_MAX_BYTES;
	return CONSORT_STR_MAX;
}

/* Fills d with "field F: expected KIND ..." and returns E(SCHEMA). */
static int
refuse(const struct schema_field *f, struct consort_diag *d, const char *why)
{
	char what[512];

	snprintf(what, sizeof(what), _("field %s: %s"), f->name, why);
	return consort_diag_set(d, E(SCHEMA), NULL, what, NULL);
}

/* Checks a string value against a string-like kind. */
static int
check_string(const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	const char *bad;
	char why[400];

	switch (f->kind) {
	case FK_STR:
	case FK_TEXT:
		if (v->len < f->lo || v->len > f->hi) {
			snprintf(why, sizeof(why),
			    _("%u bytes, must be %lld to %lld"),
			    v->len, (long long)f->lo, (long long)f->hi);
			return refuse(f, d, why);
		}
		return 0;
	case FK_DATE:
		if ((bad = util_date_why(v->s, v->len)) == NULL)
			return 0;
		/* the value is not repeated: a date may be a trainee's */
		snprintf(why, sizeof(why), _("expected a date %s: %s"),
		    _(UTIL_DATE_RANGE), bad);
		return refuse(f, d, why);
	case FK_ENUM:
		if (enum_index(f->extra, v->s, v->len) >= 0)
			return 0;
		if (f->personal)  /* never repeated in a message */
			snprintf(why, sizeof(why), _("not one of %s"),
			    f->extra);
		else
			snprintf(why, sizeof(why),
			    _("\"%.*s\" is not one of %s"),
			    (int)(v->len > 60 ? 60 : v->len), v->s, f->extra);
		return refuse(f, d, why);
	case FK_SET:
		if (set_valid(f->extra, v->s, v->len))
			return 0;
		snprintf(why, sizeof(why), _("expected a comma-separated list "
		    "of %s, each once, in that order"), f->extra);
		return refuse(f, d, why);
	case FK_SIRET:
		return util_siret_valid(v->s, v->len) ? 0 :
		    refuse(f, d, _("expected a SIRET: 14 digits with a valid "
		    "Luhn check digit"));
	case FK_KEY:
		return key_valid(v->s, v->len) ? 0 :
		    refuse(f, d, _("expected a public key: 64 lowercase hex "
		    "characters"));
	case FK_REF:
		return schema_check_ref(v->s, v->len, d) == 0 ? 0 :
		    refuse(f, d, _("expected the ref of a record"));
	case FK_PERIOD:
		return schema_period_valid(v->s, v->len) ? 0 :
		    refuse(f, d, _("expected a month YYYY-MM (a real month)"));
	default:
		return refuse(f, d, _("expected a string-like kind"));
	}
}

/* Checks a value (not nil) against its field's kind and bounds. */
int
schema_check_value(const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	char why[200];

	switch (f->kind) {
	case FK_INT:
		if (v->kind != VAL_INT)
			return refuse(f, d, _("expected an integer"));
		if ((v->i < f->lo || v->i > f->hi) && f->personal) {
			/* a personal value is never repeated in a message */
			snprintf(why, sizeof(why), _("out of range %lld..%lld"),
			    (long long)f->lo, (long long)f->hi);
			return refuse(f, d, why);
		}
		if (v->i < f->lo || v->i > f->hi) {
			snprintf(why, sizeof(why),
			    _("%lld is out of range %lld..%lld"),
			    (long long)v->i, (long long)f->lo, (long long)f->hi);
			return refuse(f, d, why);
		}
		return 0;
	case FK_BOOL:
		return v->kind == VAL_BOOL ? 0 :
		    refuse(f, d, _("expected a boolean (true or false)"));
	default:
		if (v->kind != VAL_STR) {
			snprintf(why, sizeof(why), _("expected %s"),
			    schema_kind_name(f->kind));
			return refuse(f, d, why);
		}
		return check_string(f, v, d);
	}
}

/* Checks an op's value as the wire carries it: a commitment in a personal field. */
int
schema_check_wire(const struct schema_field *f, const struct value *v,
    struct consort_diag *d)
{
	if (!f->personal)
		return v->kind == VAL_BIN ? refuse(f, d,
		    _("a binary value in a field "
		    "that is not personal")) : schema_check_value(f, v, d);
	if (v->kind != VAL_BIN || v->len != CONSORT_COMMIT_BYTES)
		return refuse(f, d, _("a personal field carries a 32-byte "
		    "commitment, never its value"));
	return 0;
}

/* A ref: 1..CONSORT_REF_MAX bytes of printable UTF-8 without spaces at the ends. */
int
schema_check_ref(const char *ref, size_t len, struct consort_diag *d)
{
	size_t i;

	if (len == 0 || len > CONSORT_REF_MAX)
		return consort_diag_set(d, E(SCHEMA), NULL,
		    _("a ref must be 1 to 128 bytes"), NULL);
	if (!util_utf8_valid((const uint8_t *)ref, len))
		return consort_diag_set(d, E(BADUTF8), NULL,
		    _("a ref must be valid UTF-8"), NULL);
	for (i = 0; i < len; i++)
		if ((unsigned char)ref[i] < 0x20 || ref[i] == 0x7f)
			return consort_diag_set(d, E(SCHEMA), NULL,
			    _("a ref must hold no control character"), NULL);
	if (ref[0] == ' ' || ref[len - 1] == ' ')
		return consort_diag_set(d, E(SCHEMA), NULL,
		    _("a ref must not start or end with a space"), NULL);
	return 0;
}

/* Parses an integer in plain decimal (optional minus), refusing anything else. */
static bool
parse_int(const char *s, size_t len, int64_t *out)
{
	bool neg = false;
	uint64_t v = 0;
	size_t i = 0;

	if (len > 0 && s[0] == '-') {
		neg = true;
		i = 1;
	}
	if (i == len || len - i > 18)
		return false;
	for (; i < len; i++) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	*out = neg ? -(int64_t)v : (int64_t)v;
	return true;
}

/* Turns text (a CSV cell, a FIELD=VALUE) into a typed, checked value. */
int
schema_parse_text(const struct schema_field *f, const char *text, size_t len,
    struct value *v, struct consort_diag *d)
{
	memset(v, 0, sizeof(*v));
	if (!util_utf8_valid((const uint8_t *)text, len))
		return refuse(f, d, _("not valid UTF-8"));
	switch (f->kind) {
	case FK_INT:
		v->kind = VAL_INT;
		if (!parse_int(text, len, &v->i))
			return refuse(f, d, _("expected an integer"));
		break;
	case FK_BOOL:
		v->kind = VAL_BOOL;
		if ((len == 4 && memcmp(text, "true", 4) == 0) ||
		    (len == 1 && text[0] == '1'))
			v->b = true;
		else if ((len == 5 && memcmp(text, "false", 5) == 0) ||
		    (len == 1 && text[0] == '0'))
			v->b = false;
		else
			return refuse(f, d, _("expected true or false"));
		break;
	default:
		v->kind = VAL_STR;
		v->s = text;
		v->len = (uint32_t)len;
		break;
	}
	return schema_check_value(f, v, d);
}

/*
 * The French label of one value of an ENUM or SET field (its place in
 * extra gives its place in values), written into out (len bytes).
 * Returns false, and out "", when the value is not one of the field's or
 * has no label, or the label does not fit.
 */
bool
schema_value_label(const struct schema_field *f, const char *value,
    char *out, size_t len)
{
	const char *p;
	size_t n;
	int i;

	if (len > 0)
		out[0] = '\0';
	if (f == NULL || f->values == NULL || f->values[0] == '\0' ||
	    (i = enum_index(f->extra, value, strlen(value))) < 0)
		return false;
	for (p = f->values; i > 0 && p != NULL; i--)
		if ((p = strchr(p, '|')) != NULL)
			p++;
	if (p == NULL)
		return false;
	n = strcspn(p, "|");
	if (n >= len)
		return false;
	memcpy(out, p, n);
	out[n] = '\0';
	return true;
}
