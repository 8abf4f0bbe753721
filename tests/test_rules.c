/*
 * Unit tests of rules.c: every rule of schema/rules.md (R01 to R20) broken and
 * satisfied on a small lot, derogations turning an error into a warning
 * that names them, business conflicts blocking only the records they
 * touch, and the realistic exceptions of the shared x1 dataset found with
 * the counts its ops file gives.
 */
#include "testutil.h"

#include "order.h"

#define CO_SIRET "50324917900212"
#define SUB_SIRET "73282932000074"
#define OUT_SIRET "83046172900451"

#include "order_base.h"

struct fix {
	char *dir;
	struct node *n;
	struct rules_model *m;
	struct store_txn *txn;
	bool sealed;	/* the checks do not open personal values */
};

/* Per-test setup: a consortium with a co-contractor, and the base lot. */
static int
setup(void **state)
{
	struct genesis_member co = { "Atelier Comp\xc3\xa9tences", CO_SIRET };
	struct genesis g = { "Groupement Test", "MKT-2026", { "Lead Formation",
		TU_LEAD_SIRET }, &co, 1 };
	struct import_opts o = { 0 };
	struct import_result res;
	struct consort_diag d = { 0 };
	char path[4096];
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	tu_path(path, sizeof(path), f->dir, "node");
	if (node_init(path, &g, NULL, 0, &f->n, &d) != 0)
		return -1;
	tu_path(path, sizeof(path), f->dir, "base.jsonl");
	tu_write_file(path, base);
	o.path = path;
	o.format = IMPORT_JSONL;
	o.batch = 100;
	if (import_file(f->n, &o, &res, &d) != 0)
		fail_msg("import: %s %s", d.where, d.what);
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	rules_free(f->m);
	if (f->txn != NULL)
		store_abort(f->txn);
	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Writes FIELD=VALUE pairs (text, as the command line gives them) on a record. */
static void
set(struct fix *f, const char *type, const char *ref, const char *field,
    const char *text)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct field_input in;
	struct edit e;
	bool changed;

	assert_non_null(t);
	in.f = schema_field_by_name(t, field, strlen(field));
	assert_non_null(in.f);
	if (text == NULL)
		memset(&in.v, 0, sizeof(in.v));
	else
		assert_ok(schema_parse_text(in.f, text, strlen(text), &in.v, &d));
	assert_ok(edit_begin(f->n, &e));
	if (records_put(&e, t, ref, strlen(ref), &in, 1, PUT_UPSERT, false,
	    &changed, &d) != 0)
		fail_msg("set %s %s %s: %s", type, ref, field, d.what);
	assert_ok(edit_commit(&e));
}

/* Deletes a record. */
static void
del(struct fix *f, const char *type, const char *ref)
{
	struct consort_diag d = { 0 };
	struct edit e;

	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_delete(&e, schema_type_by_name(type), ref, strlen(ref),
	    &d));
	assert_ok(edit_commit(&e));
}

/*
 * Records the Region's agreement REF of subject on session (and intent),
 * op by op as any change-set may hold it: a NULL field is left out (the
 * command line refuses that; another member's change-set may not).
 */
static void
agree(struct fix *f, const char *ref, const char *reference,
    const char *subject, const char *session, const char *intent)
{
	static const char *const names[] = { "reference", "date", "subject",
		"session", "intent" };
	const char *vals[] = { reference, "2026-02-01", subject, session,
		intent };
	const struct schema_type *t = schema_type(T_agreement);
	const struct schema_field *fl;
	struct consort_diag d = { 0 };
	uint8_t id[CONSORT_EID_BYTES];
	struct value rv = tu_str(ref), v;
	struct edit e;
	size_t i;

	node_entity_id(f->n, T_agreement, ref, strlen(ref), id);
	assert_ok(edit_begin(f->n, &e));
	csb_op(&e.b, OP_CREATE, T_agreement, id, 0, &rv);
	for (i = 0; i < nitems(names); i++) {
		if (vals[i] == NULL)
			continue;
		fl = schema_field_by_name(t, names[i], strlen(names[i]));
		assert_ok(schema_parse_text(fl, vals[i], strlen(vals[i]), &v,
		    &d));
		csb_op(&e.b, OP_SET, T_agreement, id, fl->id, &v);
	}
	assert_ok(edit_commit(&e));
}

/* A derogation of rule on session (and intent), with a reason and a date. */
static void
derogation(struct fix *f, const char *ref, const char *rule,
    const char *session, const char *intent, const char *agreement)
{
	set(f, "derogation", ref, "rule", rule);
	set(f, "derogation", ref, "session", session);
	set(f, "derogation", ref, "intent", intent);
	set(f, "derogation", ref, "reason", "Accord de la R\xc3\xa9gion");
	set(f, "derogation", ref, "date", "2026-02-20");
	set(f, "derogation", ref, "agreement", agreement);
}

/*
 * Loads and checks the model of LOT-A's sessions starting in March 2026,
 * reading the personal values the node holds as consort order does
 * (unless f->sealed).
 */
static struct rules_model *
check_march(struct fix *f, const uint8_t *sender, bool direct)
{
	struct consort_diag d = { 0 };
	struct rules_query q = { .lot = "LOT-A", .from = "2026-03-01",
		.to = "2026-03-31", .window = WINDOW_START, .sender = sender,
		.direct = direct };

	rules_free(f->m);
	f->m = NULL;
	if (f->txn != NULL)
		store_abort(f->txn);
	f->n->store.open_personal = !f->sealed;
	assert_ok(store_begin(&f->n->store, false, &f->txn));
	if (rules_load(f->txn, &f->n->store, &q, &f->m, &d) != 0)
		fail_msg("rules_load: %s %s", d.where, d.what);
	assert_ok(rules_check(f->txn, f->m));
	return f->m;
}

/* How many findings of a rule, at a level, name ref (any ref if NULL). */
static unsigned
count(const struct rules_model *m, const char *rule, enum rule_level level,
    const char *ref)
{
	unsigned n = 0;
	size_t i;

	for (i = 0; i < m->nresults; i++)
		n += strcmp(m->results[i].rule, rule) == 0 &&
		    m->results[i].level == level && (ref == NULL ||
		    strcmp(m->results[i].ref, ref) == 0);
	return n;
}

/* The first finding of a rule, at a level, about ref; fails if none. */
static const struct rule_result *
finding(const struct rules_model *m, const char *rule, enum rule_level level,
    const char *ref)
{
	size_t i;

	for (i = 0; i < m->nresults; i++)
		if (strcmp(m->results[i].rule, rule) == 0 &&
		    m->results[i].level == level &&
		    strcmp(m->results[i].ref, ref) == 0)
			return &m->results[i];
	fail_msg("no %s finding about %s", rule, ref);
	return NULL;
}

/* Fails unless text holds part. */
#define assert_has(text, part) do {					\
	if (strstr((text), (part)) == NULL)				\
		fail_msg("\"%s\" lacks \"%s\"", (text), (part));	\
} while (0)

/* Prints the findings when an expectation fails, to see why. */
static void
dump(const struct rules_model *m)
{
	size_t i;

	for (i = 0; i < m->nresults; i++)
		print_message("  %s %s %s: %s\n", m->results[i].rule,
		    m->results[i].level == LEVEL_ERROR ? "error" : "warning",
		    m->results[i].ref, m->results[i].what);
}

/* The model has exactly these errors and conflicts, and no other. */
#define assert_errors(m, n) do {					\
	if ((m)->errors + (m)->conflicts != (n)) {			\
		dump(m);						\
		fail_msg("%zu errors, %zu conflicts; want %d in all",	\
		    (m)->errors, (m)->conflicts, (n));			\
	}								\
} while (0)

/* The base lot passes: no error, the two expected warnings, the right sums. */
static void
test_base_passes(void **state)
{
	struct fix *f = *state;
	struct rules_model *m = check_march(f, f->n->pk, false);
	size_t i;

	assert_errors(m, 0);
	assert_int_equal(m->nsessions, 2);   /* S3 starts in April */
	assert_int_equal(m->npaths, 11);
	assert_int_equal(count(m, "R09", LEVEL_WARNING, "S2"), 1);
	assert_int_equal(count(m, "R16", LEVEL_WARNING, "I5"), 1);
	assert_int_equal(m->warnings, 2);
	/* R14: cost = hours x rate; R06: P6 not financed, not costed */
	assert_string_equal(m->sessions[0].ref, "S1");
	assert_int_equal(m->sessions[0].financed, 5);
	assert_int_equal(m->sessions[0].not_financed, 1);
	assert_int_equal(m->sessions[0].fin_hours, 210 + 189 + 231 + 168 + 210);
	assert_int_equal(m->sessions[0].cost_cents, (210 + 189 + 231 + 168 +
	    210) * 1410);
	for (i = 0; i < m->npaths; i++)
		if (strcmp(m->paths[i].ref, "P6") == 0)
			assert_int_equal(m->paths[i].cost_cents, 0);
}

/* R01: a financed 1e1f path names a recorded intent; socle paths need none. */
static void
test_r01(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P1", "intent", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R01", LEVEL_ERROR, "P1"), 1);
	assert_errors(m, 1);
	set(f, "path", "P1", "intent", "I1");
	del(f, "intent", "I1");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R01", LEVEL_ERROR, "P1"), 1);
	/* satisfied: not financed, it needs no intent (R06) */
	set(f, "path", "P1", "financed", "false");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R01", LEVEL_ERROR, NULL), 0);
	/* and socle paths P7..P11 never needed one (R20) */
	assert_int_equal(count(m, "R01", LEVEL_ERROR, "P7"), 0);
}

/* R01 as a conflict: one trainee financed in two overlapping sessions. */
static void
test_r01_financed_twice(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "PX", "trainee", "T7");
	set(f, "path", "PX", "session", "S1");
	set(f, "path", "PX", "intent", "I6");
	set(f, "path", "PX", "hours", "100");
	set(f, "path", "PX", "financed", "true");
	del(f, "path", "P12");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R01", LEVEL_ERROR, "T7"), 1);
	assert_int_equal(m->conflicts, 1);
	assert_true(m->results[0].conflict[0] == 'C' ||
	    m->results[m->nresults - 1].conflict[0] == 'C');
	set(f, "path", "PX", "financed", "false");
	m = check_march(f, NULL, false);
	assert_int_equal(m->conflicts, 0);
	assert_errors(m, 0);
}

/* R02: evidence and date are errors, missing steps a warning. */
static void
test_r02(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "intent", "I1", "evidence", NULL);
	set(f, "intent", "I2", "steps", NULL);
	set(f, "intent", "I4", "date", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R02", LEVEL_ERROR, "I1"), 1);
	assert_int_equal(count(m, "R02", LEVEL_ERROR, "I4"), 1);
	assert_int_equal(count(m, "R02", LEVEL_WARNING, "I2"), 1);
	assert_errors(m, 2);
	set(f, "intent", "I1", "evidence", "courrier 2026-02-10");
	set(f, "intent", "I4", "date", "2026-02-01");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R02", LEVEL_ERROR, NULL), 0);
	assert_errors(m, 0);
}

/* R03: a CDD under 6 months and fewer than 24 h a week, unless part-time. */
static void
test_r03(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "intent", "I3", "months", "5");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	assert_errors(m, 1);
	set(f, "intent", "I3", "months", "6");
	set(f, "intent", "I3", "weekly_hours", "23");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	set(f, "intent", "I3", "weekly_hours", "24");
	/* I4's 21 h are accepted: T4 is part-time with a disability (R15) */
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, NULL), 0);
	set(f, "trainee", "T4", "part_time", "false");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I4"), 1);
}

/* A derogation turns R03's error for its intent into a warning naming it. */
static void
test_derogation(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	size_t i;

	set(f, "intent", "I3", "months", "4");
	set(f, "intent", "I2", "months", "3");
	agree(f, "A3", "DR-2026-003", "seasonal", "S1", "I3");
	set(f, "derogation", "D1", "rule", "R03");
	set(f, "derogation", "D1", "session", "S1");
	set(f, "derogation", "D1", "intent", "I3");
	set(f, "derogation", "D1", "agreement", "A3");
	set(f, "derogation", "D1", "reason", "CDD saisonnier");
	m = check_march(f, NULL, false);
	/* no date yet: it lifts nothing, and says so */
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	assert_int_equal(count(m, "R03", LEVEL_WARNING, "D1"), 1);
	set(f, "derogation", "D1", "date", "2026-02-20");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_WARNING, "I3"), 1);
	/* only its intent: I2's R03 error stays */
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I2"), 1);
	assert_errors(m, 1);
	assert_int_equal(m->nderogs, 1);
	assert_int_equal(m->derogs[0].applied, 1);
	assert_string_equal(m->derogs[0].author_siret, TU_LEAD_SIRET);
	assert_string_equal(m->derogs[0].author_name, "Lead Formation");
	for (i = 0; i < m->nresults; i++)
		if (strcmp(m->results[i].ref, "I3") == 0)
			assert_string_equal(m->derogs[m->results[i].derog].ref, "D1");
	/* without an intent it covers the whole session's R03 errors */
	agree(f, "A4", "DR-2026-004", "seasonal", "S1", NULL);
	set(f, "derogation", "D1", "intent", NULL);
	set(f, "derogation", "D1", "agreement", "A4");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, NULL), 0);
	assert_int_equal(m->derogs[0].applied, 2);
	assert_errors(m, 0);
	/* another rule's derogation lifts nothing */
	set(f, "derogation", "D1", "rule", "R04");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, NULL), 2);
}

/* R04: the hiring employer is not an SIAE. */
static void
test_r04(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "intent", "I2", "employer_kind", "siae");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R04", LEVEL_ERROR, "I2"), 1);
	assert_errors(m, 1);
	set(f, "intent", "I2", "employer_kind", "interim_agency");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R04", LEVEL_ERROR, NULL), 0);
}

/* R05: 5 financed trainees, or 1 with an intent on a permanent-entry platform. */
static void
test_r05(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P2", "financed", "false");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R05", LEVEL_ERROR, "S1"), 1);
	assert_errors(m, 1);
	set(f, "session", "S1", "permanent_entry", "true");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R05", LEVEL_ERROR, NULL), 0);
	/* socle S2 with 4 financed and no intent: even permanent entry fails */
	set(f, "path", "P11", "financed", "false");
	set(f, "session", "S2", "permanent_entry", "true");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R05", LEVEL_ERROR, "S2"), 1);
	/* a derogation for the provider's financial balance lifts it, with
	   the Region's agreement on a group under 5 */
	set(f, "derogation", "D5", "rule", "R05");
	set(f, "derogation", "D5", "session", "S2");
	set(f, "derogation", "D5", "reason", "equilibre financier");
	set(f, "derogation", "D5", "date", "2026-02-27");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R05", LEVEL_ERROR, "S2"), 1);
	assert_int_equal(count(m, "R05", LEVEL_WARNING, "D5"), 1);
	agree(f, "A5", "DR-2026-005", "group_size", "S2", NULL);
	set(f, "derogation", "D5", "agreement", "A5");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R05", LEVEL_WARNING, "S2"), 1);
	assert_int_equal(count(m, "R05", LEVEL_WARNING, "D5"), 0);
	assert_errors(m, 0);
}

/* R06: every path says whether it is financed; over capacity is a warning. */
static void
test_r06(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P6", "financed", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R06", LEVEL_ERROR, "P6"), 1);
	set(f, "path", "P6", "financed", "false");
	set(f, "session", "S1", "capacity", "4");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R06", LEVEL_ERROR, NULL), 0);
	assert_int_equal(count(m, "R06", LEVEL_WARNING, "S1"), 1);
	assert_errors(m, 0);
	/* carried: the unfinanced path is in the model, not costed */
	assert_int_equal(m->sessions[0].not_financed, 1);
}

/* R07: one intent backing two paths, and one employer with two providers. */
static void
test_r07(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P12", "intent", "I1");   /* I1 backs P1 and P12 */
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R07", LEVEL_ERROR, "I1"), 1);
	assert_int_equal(m->conflicts, 1);
	set(f, "path", "P12", "intent", "I6");
	m = check_march(f, NULL, false);
	assert_int_equal(m->conflicts, 0);
	/* T1 also in S2 (another provider) through I6, of I1's employer */
	set(f, "path", "P12", "trainee", "T1");
	set(f, "path", "P12", "session", "S2");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R07", LEVEL_ERROR, "T1"), 1);
	/* one employer hiring several different trainees is normal */
	set(f, "path", "P12", "trainee", "T12");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R07", LEVEL_ERROR, NULL), 0);
	assert_errors(m, 0);
}

/* R08: kind and code recorded; a code of the wrong shape is a warning. */
static void
test_r08(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "session", "S1", "cert_code", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_ERROR, "S1"), 1);
	set(f, "session", "S1", "cert_code", "RS1234");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_ERROR, NULL), 0);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, "S1"), 1);
	set(f, "session", "S1", "cert_code", "RNCP38510");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, NULL), 0);
	assert_errors(m, 0);
}

/*
 * R08 on a path aiming at another certification than its session's: the
 * same kinds and checks; an error names the session, so a derogation of
 * it lifts it; a path without one aims at its session's.
 */
static void
test_r08_path(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	size_t i;

	set(f, "path", "P3", "cert_kind", "block");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_ERROR, "P3"), 1);
	assert_errors(m, 1);
	for (i = 0; i < m->nresults && strcmp(m->results[i].rule, "R08"); i++)
		;
	assert_string_equal(m->results[i].session, "S1");
	assert_string_equal(m->results[i].path, "P3");
	assert_non_null(strstr(m->results[i].hint, "consort set path P3 "
	    "cert_kind=full|block|rs cert_code=CODE"));
	set(f, "path", "P3", "cert_code", "RNCP35781");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, "P3"), 1);
	assert_errors(m, 0);
	set(f, "path", "P3", "cert_code", "RNCP35781BC03");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, NULL), 0);
	assert_errors(m, 0);
	assert_string_equal(m->paths[2].ref, "P3");
	assert_string_equal(m->paths[2].cert_code, "RNCP35781BC03");
	/* only a code: an error a derogation of the session lifts, citing
	   the Region's agreement on a certification */
	set(f, "path", "P3", "cert_kind", NULL);
	agree(f, "A8", "RPDL-2026-0108", "certification", "S1", NULL);
	set(f, "derogation", "D8", "rule", "R08");
	set(f, "derogation", "D8", "session", "S1");
	set(f, "derogation", "D8", "reason", "titre en cours");
	set(f, "derogation", "D8", "date", "2026-02-20");
	set(f, "derogation", "D8", "agreement", "A8");
	m = check_march(f, NULL, false);
	assert_errors(m, 0);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, "P3"), 1);
}

/* R09: another territory is an error without the Region's agreement. */
static void
test_r09(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	const struct rule_result *x;

	/* the agreement written on the session: a warning asking to record it */
	m = check_march(f, NULL, false);
	x = finding(m, "R09", LEVEL_WARNING, "S2");
	assert_has(x->what, "written on the session (\"accord 2026-02-01\"), "
	    "not recorded");
	assert_has(x->hint, "consort add agreement --ref A-R09-S2 "
	    "reference=\"...\" date=YYYY-MM-DD subject=territory session=S2");
	set(f, "session", "S2", "territory_agreement", NULL);
	m = check_march(f, NULL, false);
	x = finding(m, "R09", LEVEL_ERROR, "S2");
	assert_has(x->what, "session S2 is in territory 85, outside lot LOT-A's "
	    "territory 44, without the Region's agreement");
	assert_has(x->hint, "consort set session S2 territory=44");
	assert_has(x->hint, "consort add agreement --ref A-R09-S2");
	assert_errors(m, 1);
	/* another subject, or another session's agreement, is no agreement */
	agree(f, "AS", "DR-2026-010", "site", "S2", NULL);
	agree(f, "AT1", "DR-2026-011", "territory", "S1", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R09", LEVEL_ERROR, "S2"), 1);
	/* one without its reference says so */
	agree(f, "AT2", NULL, "territory", "S2", NULL);
	m = check_march(f, NULL, false);
	x = finding(m, "R09", LEVEL_ERROR, "S2");
	assert_has(x->what, "its agreement AT2 records no reference");
	assert_has(x->hint, "consort set agreement AT2 reference=");
	/* the Region's agreement recorded for the session: a warning naming it */
	agree(f, "AT3", "DR-2026-012", "territory", "S2", NULL);
	m = check_march(f, NULL, false);
	x = finding(m, "R09", LEVEL_WARNING, "S2");
	assert_has(x->what, "with the Region's agreement AT3 (DR-2026-012 of "
	    "2026-02-01)");
	assert_errors(m, 0);
	set(f, "session", "S2", "territory", "44");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R09", LEVEL_ERROR, NULL), 0);
	assert_int_equal(count(m, "R09", LEVEL_WARNING, NULL), 0);
}

/*
 * A derogation of R03, R05, R08 or R09 lifts nothing unless it cites the
 * Region's agreement: recorded, complete, of the rule's subject, about its
 * session (and intent); a warning says why and what to run.
 */
static void
test_derogation_cites(void **state)
{
	struct fix *f = *state;
	const struct rule_result *x;
	struct rules_model *m;

	set(f, "intent", "I3", "months", "4");
	derogation(f, "D1", "R03", "S1", "I3", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	x = finding(m, "R03", LEVEL_WARNING, "D1");
	assert_has(x->what, "derogation D1 cites no agreement of the Region: it "
	    "lifts nothing, since R03 is lifted only with the Region's "
	    "agreement on a seasonal contract");
	assert_has(x->hint, "consort add agreement --ref A-R03-I3 "
	    "reference=\"...\" date=YYYY-MM-DD subject=seasonal session=S1 "
	    "intent=I3; consort set derogation D1 agreement=A-R03-I3");
	assert_true(m->derogs[0].unfit);
	assert_int_equal(m->derogs[0].applied, 0);
	/* the error's own hint names the agreement to record */
	x = finding(m, "R03", LEVEL_ERROR, "I3");
	assert_has(x->hint, "consort add agreement --ref A-R03-I3");
	assert_has(x->hint, "consort add derogation --ref D-R03-I3 rule=R03 "
	    "session=S1 intent=I3 agreement=A-R03-I3");
	/* another subject, session, intent; the whole session for one intent */
	agree(f, "AX", "DR-1", "site", "S1", "I3");
	agree(f, "AY", "DR-2", "seasonal", "S2", "I3");
	agree(f, "AZ", "DR-3", "seasonal", "S1", "I2");
	agree(f, "AN", "DR-4", "seasonal", NULL, "I3");
	set(f, "derogation", "D1", "agreement", "AX");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->what, "cites "
	    "agreement AX, which is about a new training site (subject=site), "
	    "not a seasonal contract (subject=seasonal)");
	set(f, "derogation", "D1", "agreement", "AY");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->what, "cites "
	    "agreement AY, which is about session S2, not S1");
	set(f, "derogation", "D1", "agreement", "AZ");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->what, "cites "
	    "agreement AZ, which is about intent I2, not I3");
	set(f, "derogation", "D1", "agreement", "AN");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->what, "cites "
	    "agreement AN, which names no session");
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	/* one that lacks its reference */
	agree(f, "AR", NULL, "seasonal", "S1", "I3");
	set(f, "derogation", "D1", "agreement", "AR");
	m = check_march(f, NULL, false);
	x = finding(m, "R03", LEVEL_WARNING, "D1");
	assert_has(x->what, "cites agreement AR, which records no reference");
	assert_has(x->hint, "consort set agreement AR reference=");
	/* the one that fits lifts it; another is pointed at */
	agree(f, "A3", "DR-2026-003", "seasonal", "S1", "I3");
	set(f, "derogation", "D1", "agreement", "AZ");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->hint, "cite "
	    "agreement A3, which fits: consort set derogation D1 agreement=A3");
	assert_has(finding(m, "R03", LEVEL_ERROR, "I3")->hint, "or derogate "
	    "citing the Region's agreement A3: consort add derogation --ref "
	    "D-R03-I3 rule=R03 session=S1 intent=I3 agreement=A3");
	set(f, "derogation", "D1", "agreement", "A3");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R03", LEVEL_WARNING, "I3"), 1);
	assert_int_equal(count(m, "R03", LEVEL_WARNING, "D1"), 0);
	assert_int_equal(m->derogs[0].applied, 1);
	assert_errors(m, 0);
	/* one intent's agreement does not cover the whole session */
	set(f, "derogation", "D1", "intent", NULL);
	m = check_march(f, NULL, false);
	x = finding(m, "R03", LEVEL_WARNING, "D1");
	assert_has(x->what, "cites agreement A3, which covers intent I3 only, "
	    "for the whole session");
	assert_errors(m, 1);
	/* deleted, it is not recorded any more */
	set(f, "derogation", "D1", "intent", "I3");
	del(f, "agreement", "A3");
	m = check_march(f, NULL, false);
	assert_has(finding(m, "R03", LEVEL_WARNING, "D1")->what, "cites "
	    "agreement A3, which is not recorded");
	assert_errors(m, 1);
}

/*
 * Each rule's derogation needs its own subject (R05 a group under 5, R08
 * a certification, R09 another territory); the other rules' derogations
 * need no agreement.
 */
static void
test_derogation_subjects(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "session", "S1", "cert_code", NULL);      /* R08 */
	set(f, "session", "S2", "territory", NULL);      /* R09 */
	set(f, "intent", "I2", "employer_kind", "siae"); /* R04 */
	derogation(f, "D8", "R08", "S1", NULL, NULL);
	derogation(f, "D9", "R09", "S2", NULL, NULL);
	derogation(f, "D4", "R04", "S1", "I2", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_ERROR, "S1"), 1);
	assert_int_equal(count(m, "R09", LEVEL_ERROR, "S2"), 1);
	assert_int_equal(count(m, "R04", LEVEL_WARNING, "I2"), 1);
	assert_errors(m, 2);
	/* crossed subjects lift nothing */
	agree(f, "A8", "DR-8", "certification", "S1", NULL);
	agree(f, "A9", "DR-9", "territory", "S2", NULL);
	set(f, "derogation", "D8", "agreement", "A9");
	set(f, "derogation", "D9", "agreement", "A8");
	m = check_march(f, NULL, false);
	assert_errors(m, 2);
	set(f, "derogation", "D8", "agreement", "A8");
	set(f, "derogation", "D9", "agreement", "A9");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R08", LEVEL_WARNING, "S1"), 1);
	assert_int_equal(count(m, "R09", LEVEL_WARNING, "S2"), 1);
	assert_errors(m, 0);
}

/*
 * R09: a subcontractor's session outside its lot's territory is an error
 * that neither the Region's agreement nor a derogation lifts; the same
 * session run by a co-contractor passes with the agreement.
 */
static void
test_r09_subcontractor(void **state)
{
	struct fix *f = *state;
	struct roster_invite rq = { "Sous-Traitant", SUB_SIRET, ROLE_SUB, { 0 },
		CO_SIRET, "DC4-2026-017" };
	struct consort_diag d = { 0 };
	const struct rule_result *x;
	struct rules_model *m;
	struct edit e;

	memset(rq.key, 7, sizeof(rq.key));
	assert_ok(edit_begin(f->n, &e));
	assert_ok(roster_invite(&e, &rq, &d));
	assert_ok(edit_commit(&e));
	set(f, "session", "S2", "provider", SUB_SIRET);
	agree(f, "A9", "DR-2026-009", "territory", "S2", NULL);
	derogation(f, "D9", "R09", "S2", NULL, "A9");
	m = check_march(f, NULL, false);
	x = finding(m, "R09", LEVEL_ERROR, "S2");
	assert_true(x->firm);
	assert_has(x->what, "session S2 is in territory 85, outside lot LOT-A's "
	    "territory 44, and is run by subcontractor Sous-Traitant ("
	    SUB_SIRET "): only the lead and the co-contractors open a session "
	    "on another territory");
	assert_has(x->hint, "consort set session S2 territory=44");
	assert_int_equal(m->derogs[0].applied, 0);
	assert_errors(m, 1);
	/* the old text on the session lifts nothing either */
	del(f, "derogation", "D9");
	del(f, "agreement", "A9");
	m = check_march(f, NULL, false);
	assert_true(finding(m, "R09", LEVEL_ERROR, "S2")->firm);
	/* run by its parent, the co-contractor, it passes with the agreement */
	set(f, "session", "S2", "provider", CO_SIRET);
	agree(f, "A10", "DR-2026-010", "territory", "S2", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R09", LEVEL_WARNING, "S2"), 1);
	assert_errors(m, 0);
	/* on its lot's territory, a subcontractor's session is fine */
	set(f, "session", "S2", "provider", SUB_SIRET);
	set(f, "session", "S2", "territory", "44");
	m = check_march(f, NULL, false);
	assert_errors(m, 0);
}

/* R10: the provider is a member; a subcontractor has its DC4. */
static void
test_r10(void **state)
{
	struct fix *f = *state;
	struct roster_invite rq = { "Sous-Traitant", SUB_SIRET, ROLE_SUB, { 0 },
		CO_SIRET, "DC4-2026-017" };
	struct consort_diag d = { 0 };
	struct rules_model *m;
	struct edit e;

	set(f, "session", "S1", "provider", OUT_SIRET);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R10", LEVEL_ERROR, "S1"), 1);
	/* satisfied: a subcontractor added by DC4 */
	memset(rq.key, 7, sizeof(rq.key));
	assert_ok(edit_begin(f->n, &e));
	assert_ok(roster_invite(&e, &rq, &d));
	assert_ok(edit_commit(&e));
	set(f, "session", "S1", "provider", SUB_SIRET);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R10", LEVEL_ERROR, NULL), 0);
	assert_errors(m, 0);
	/* a subcontractor whose DC4 is gone */
	set(f, "member", SUB_SIRET, "dc4", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R10", LEVEL_ERROR, "S1"), 1);
	set(f, "session", "S1", "dc4", "DC4-2026-017");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R10", LEVEL_ERROR, NULL), 0);
}

/* R11: the lead sends; a co-contractor only directly. */
static void
test_r11(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	uint8_t co[32];
	char hex[65];

	m = check_march(f, f->n->pk, false);
	assert_int_equal(count(m, "R11", LEVEL_ERROR, NULL), 0);
	memset(co, 9, sizeof(co));
	util_hex(hex, co, 32);
	set(f, "member", CO_SIRET, "key", hex);
	m = check_march(f, co, false);
	assert_int_equal(count(m, "R11", LEVEL_ERROR, CO_SIRET), 1);
	m = check_march(f, co, true);
	assert_int_equal(count(m, "R11", LEVEL_ERROR, NULL), 0);
	memset(co, 8, sizeof(co));
	m = check_march(f, co, true);
	assert_int_equal(count(m, "R11", LEVEL_ERROR, NULL), 1);
}

/* R12 (data): the model keeps every intent's date for the line order. */
static void
test_r12(void **state)
{
	struct fix *f = *state;
	struct rules_model *m = check_march(f, NULL, false);
	long i2 = rules_intent(m, "I2"), i1 = rules_intent(m, "I1");

	assert_true(i1 >= 0 && i2 >= 0);
	assert_string_equal(m->intents[i2].date, "2026-01-20");
	assert_true(strcmp(m->intents[i2].date, m->intents[i1].date) < 0);
	assert_int_equal(count(m, "R12", LEVEL_ERROR, NULL), 0);
}

/* R13: individual hours are recorded (they may differ from the session's). */
static void
test_r13(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P2", "hours", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R13", LEVEL_ERROR, "P2"), 1);
	set(f, "path", "P2", "hours", "1500");  /* no maximum */
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R13", LEVEL_ERROR, NULL), 0);
	assert_errors(m, 0);
	assert_int_equal(m->paths[1].hours, 1500);
	assert_string_equal(m->paths[1].modules, "M1");
}

/*
 * R13 on a path's own start: a day of its session, or an error no
 * derogation lifts, reported in the request of its session's month; a
 * path starting in a later month is that month's (a complementary path).
 */
static void
test_r13_start(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "path", "P2", "start", "2026-02-27");
	set(f, "derogation", "D13", "rule", "R13");
	set(f, "derogation", "D13", "session", "S1");
	set(f, "derogation", "D13", "reason", "parcours");
	set(f, "derogation", "D13", "date", "2026-02-20");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R13", LEVEL_ERROR, "P2"), 1);
	assert_errors(m, 1);
	set(f, "path", "P2", "start", "2026-04-13");  /* after S1's end */
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R13", LEVEL_ERROR, "P2"), 1);
	assert_int_equal(m->sessions[0].npaths, 6);
	/* a day of the session in March: ordered in March */
	set(f, "path", "P2", "start", "2026-03-16");
	m = check_march(f, NULL, false);
	assert_errors(m, 0);
	assert_string_equal(m->paths[1].ref, "P2");
	assert_string_equal(m->paths[1].day, "2026-03-16");
	/* in April: a complementary path, left out of March */
	set(f, "path", "P2", "start", "2026-04-01");
	m = check_march(f, NULL, false);
	assert_int_equal(m->sessions[0].npaths, 5);
	assert_int_equal(m->sessions[0].financed, 4);
	assert_false(m->sessions[0].carried);
	/* R05 counts S1's financed paths of March only: 4 */
	assert_int_equal(count(m, "R05", LEVEL_ERROR, "S1"), 1);
}

/* R14: the lot has a rate; cost = hours x rate. */
static void
test_r14(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "lot", "LOT-A", "rate_cents", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R14", LEVEL_ERROR, "LOT-A"), 1);
	set(f, "lot", "LOT-A", "rate_cents", "1500");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R14", LEVEL_ERROR, NULL), 0);
	assert_int_equal(m->paths[0].cost_cents, 210 * 1500);
}

/*
 * R14 on a lot's history: a rate record without a rate, and two rates
 * from one day that differ, are errors no derogation lifts.
 */
static void
test_r14_history(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	size_t i;

	/* the day moves: LOT-A@2026-03-01 and LOT-A@start hold 1410 */
	set(f, "lot", "LOT-A", "rate_since", "2026-03-01");
	m = check_march(f, NULL, false);
	assert_int_equal(m->nrates, 3);
	assert_int_equal(m->lots[0].nrates, 3);
	assert_string_equal(m->rates[0].ref, "LOT-A@start");
	assert_true(m->rates[1].own);
	assert_string_equal(m->rates[2].ref, "LOT-A@2026-03-01");
	assert_errors(m, 0);
	/* a record of the lot's own day that differs from it */
	set(f, "rate", "LOT-A@2026-03-01", "rate_cents", "1500");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R14", LEVEL_ERROR, "LOT-A@2026-03-01"), 1);
	assert_errors(m, 1);
	for (i = 0; i < m->nresults && strcmp(m->results[i].rule, "R14"); i++)
		;
	assert_true(i < m->nresults);
	assert_string_equal(m->results[i].session, "");
	assert_non_null(strstr(m->results[i].what, "two hourly rates from "
	    "2026-03-01"));
	set(f, "rate", "LOT-A@2026-03-01", "rate_cents", "1410");
	/* a rate record without a rate */
	set(f, "rate", "LOT-A@start", "rate_cents", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R14", LEVEL_ERROR, "LOT-A@start"), 1);
	assert_errors(m, 1);
	del(f, "rate", "LOT-A@start");
	m = check_march(f, NULL, false);
	assert_errors(m, 0);
	assert_int_equal(m->lots[0].nrates, 2);
}

/* R15: part time only with a recognised disability. */
static void
test_r15(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "trainee", "T4", "disability", "false");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R15", LEVEL_ERROR, "T4"), 1);
	set(f, "trainee", "T4", "disability", "true");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R15", LEVEL_ERROR, NULL), 0);
	assert_string_equal(m->trainees[5].ref, "T4");  /* refs sort as text */
	assert_true(m->trainees[5].part_time);
	assert_false(m->trainees[5].sealed);
}

/*
 * Where the values R15 reads cannot be opened (a node not entitled to
 * them), R15 and the part-time exception of R03 are left to the nodes
 * that can: neither is reported.
 */
static void
test_r15_sealed(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "trainee", "T4", "disability", "false");
	set(f, "intent", "I3", "months", "5");
	f->sealed = true;
	m = check_march(f, NULL, false);
	assert_string_equal(m->trainees[5].ref, "T4");
	assert_true(m->trainees[5].sealed);
	assert_false(m->trainees[5].part_time);
	assert_int_equal(count(m, "R15", LEVEL_ERROR, NULL), 0);
	/* I4's 21 h a week for T4: not judged here either */
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I4"), 0);
	/* what needs no personal value is still checked */
	assert_int_equal(count(m, "R03", LEVEL_ERROR, "I3"), 1);
	f->sealed = false;
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R15", LEVEL_ERROR, "T4"), 1);
}

/* R16: a withdrawal is a listed warning; a path whose session is gone a conflict. */
static void
test_r16(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R16", LEVEL_WARNING, "I5"), 1);
	set(f, "intent", "I5", "status", "confirmed");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R16", LEVEL_WARNING, NULL), 0);
	/* P12 (now T6's) names session S3, deleted: a business conflict */
	set(f, "path", "P12", "trainee", "T6");
	del(f, "session", "S3");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R16", LEVEL_ERROR, "P12"), 1);
	assert_int_equal(m->conflicts, 1);
}

/* R17: job seekers and SIAE employees, never a company's employee. */
static void
test_r17(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	set(f, "trainee", "T2", "status", "employee");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R17", LEVEL_ERROR, "T2"), 1);
	assert_errors(m, 1);
	set(f, "trainee", "T2", "status", "siae_employee");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R17", LEVEL_ERROR, NULL), 0);
	del(f, "trainee", "T2");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R17", LEVEL_ERROR, "T2"), 1);
}

/* R18, R19 (data): the model keeps every session active in a month, and several employers. */
static void
test_r18_r19(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct rules_query q = { .lot = "LOT-A", .from = "2026-04-01",
		.to = "2026-04-30", .window = WINDOW_ACTIVE };
	struct rules_model *m;
	struct store_txn *txn;

	/* R18: April's statement covers S1 (running) and S3 (starting) */
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(rules_load(txn, &f->n->store, &q, &m, &d));
	assert_int_equal(m->nsessions, 2);
	assert_string_equal(m->sessions[0].ref, "S1");
	assert_string_equal(m->sessions[1].ref, "S3");
	rules_free(m);
	store_abort(txn);
	/* R19: S1 gathers five employers and passes */
	m = check_march(f, NULL, false);
	assert_errors(m, 0);
	assert_int_equal(count(m, "R19", LEVEL_ERROR, NULL), 0);
}

/* R20: a session says its scheme; socle sessions are told apart. */
static void
test_r20(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;

	m = check_march(f, NULL, false);
	assert_string_equal(m->sessions[1].scheme, "socle");
	set(f, "session", "S2", "scheme", NULL);
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R20", LEVEL_ERROR, "S2"), 1);
	/* as a 1e1f session, S2's paths would need intents (R01) */
	set(f, "session", "S2", "scheme", "1e1f");
	m = check_march(f, NULL, false);
	assert_int_equal(count(m, "R20", LEVEL_ERROR, NULL), 0);
	assert_int_equal(count(m, "R01", LEVEL_ERROR, NULL), 5);
}

/* A register conflict on a record of the request blocks it, with its id. */
static void
test_register_conflict(void **state)
{
	struct fix *f = *state;
	struct tu_author co;
	struct cs_builder b;
	struct cs_dep dep;
	struct tu_cs cs;
	struct value v = tu_int(999);
	uint8_t id[CONSORT_EID_BYTES];
	struct rules_model *m;
	char hex[65];
	size_t i, n = 0;

	/* the co-contractor, bound to a key, edits its session S2 ... */
	tu_author_init(&co, 42);
	util_hex(hex, co.pk, 32);
	set(f, "member", CO_SIRET, "key", hex);
	dep = tu_dep(&f->n->store, f->n->pk);
	/* ... while the lead, not having seen it, edits the same field */
	set(f, "session", "S2", "hours", "40");
	csb_init(&b);
	node_entity_id(f->n, T_session, "S2", 2, id);
	csb_op(&b, OP_SET, T_session, id, 11, &v);
	cs = tu_author_sign(&co, f->n->consortium, &dep, 1,
	    (util_now_ms() << 16) + 5, &b);
	assert_ok(tu_apply_cs(&f->n->store, f->n->consortium, &cs));
	tu_cs_free(&cs);
	csb_free(&b);
	m = check_march(f, NULL, false);
	assert_int_equal(m->conflicts, 1);
	for (i = 0; i < m->nresults; i++)
		if (m->results[i].conflict[0]) {
			assert_string_equal(m->results[i].rule, "conflict");
			assert_string_equal(m->results[i].ref, "S2");
			assert_int_equal(strlen(m->results[i].conflict), 17);
			n++;
		}
	assert_int_equal(n, 1);
	/* resolved: the lead writes again, having seen both */
	set(f, "session", "S2", "hours", "35");
	m = check_march(f, NULL, false);
	assert_int_equal(m->conflicts, 0);
}

/*
 * A register conflict on a rate of the request's lot blocks it as one on
 * the lot does: two members with the lead's role amend the rate at once
 * (only the lead's role edits lots and rates).
 */
static void
test_rate_conflict(void **state)
{
	struct fix *f = *state;
	struct tu_author co;
	struct cs_builder b;
	struct cs_dep dep;
	struct tu_cs cs;
	struct value v = tu_int(1450);
	uint8_t id[CONSORT_EID_BYTES];
	struct rules_model *m;
	const char *ref = "LOT-A@2026-03-01";
	char hex[65];
	size_t i, n = 0;

	set(f, "lot", "LOT-A", "rate_since", "2026-03-01");
	tu_author_init(&co, 43);
	util_hex(hex, co.pk, 32);
	set(f, "member", CO_SIRET, "key", hex);
	set(f, "member", CO_SIRET, "role", "lead");
	dep = tu_dep(&f->n->store, f->n->pk);
	/* the lead sets the day's rate, not having seen the other's */
	set(f, "rate", ref, "rate_cents", "1440");
	set(f, "lot", "LOT-A", "rate_cents", "1440");
	csb_init(&b);
	node_entity_id(f->n, T_rate, ref, strlen(ref), id);
	csb_op(&b, OP_SET, T_rate, id, F_rate_rate_cents, &v);
	cs = tu_author_sign(&co, f->n->consortium, &dep, 1,
	    (util_now_ms() << 16) + 5, &b);
	assert_ok(tu_apply_cs(&f->n->store, f->n->consortium, &cs));
	tu_cs_free(&cs);
	csb_free(&b);
	m = check_march(f, NULL, false);
	for (i = 0; i < m->nresults; i++)
		if (m->results[i].conflict[0]) {
			assert_int_equal(m->results[i].type, T_rate);
			assert_string_equal(m->results[i].ref, ref);
			n++;
		}
	assert_int_equal(n, 1);
	assert_int_equal(m->conflicts, 1);
	/* resolved: the lead writes again, having seen both */
	set(f, "rate", ref, "rate_cents", "1441");
	set(f, "lot", "LOT-A", "rate_cents", "1441");
	m = check_march(f, NULL, false);
	assert_int_equal(m->conflicts, 0);
	assert_errors(m, 0);
}

/* Counts the model's findings of a rule at a level. */
static long long
all_of(const struct rules_model *m, const char *rule, enum rule_level level)
{
	return (long long)count(m, rule, level, NULL);
}

/*
 * The shared x1 dataset keeps realistic exceptions on purpose: the rules
 * find each of them, as many as its ops file counts (skipped when the
 * shared data is not beside the project).
 */
static void
test_dataset_exceptions(void **state)
{
	const char *dir = getenv("CONSORT_SHARED_DATA");
	struct genesis_member co[3] = {
		{ "Atelier Comp\xc3\xa9tences", CO_SIRET },
		{ "Trajectoires Emploi", "79911548000375" },
		{ "Campus M\xc3\xa9tiers Artois", OUT_SIRET },
	};
	struct genesis g = { "X", "M", { "Forma Nord", TU_LEAD_SIRET }, co, 3 };
	struct rules_query q = { .window = WINDOW_START };
	struct import_opts o = { 0 };
	struct import_result res;
	struct consort_diag d = { 0 };
	struct rules_model *m;
	json_t *ops, *notes, *refs;
	json_error_t jerr;
	char data[4096], opsf[4096], *tmp;
	struct node *n;
	struct store_txn *txn;
	size_t i, k, socle = 0, unfinanced = 0;

	(void)state;
	snprintf(data, sizeof(data), "%s/dataset-x1.jsonl", dir ? dir :
	    "../shared/data");
	snprintf(opsf, sizeof(opsf), "%s/ops-x1.json", dir ? dir :
	    "../shared/data");
	if (access(data, R_OK) != 0 || (ops = json_load_file(opsf, 0,
	    &jerr)) == NULL)
		skip();
	notes = json_object_get(ops, "notes");
	assert_non_null(tmp = tu_mkdtemp());
	tu_path(opsf, sizeof(opsf), tmp, "node");
	assert_ok(node_init(opsf, &g, NULL, 0, &n, &d));
	o.path = data;
	o.format = IMPORT_JSONL;
	o.batch = 100;
	assert_ok(import_file(n, &o, &res, &d));
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(rules_load(txn, &n->store, &q, &m, &d));
	assert_ok(rules_check(txn, m));
#define NOTE(k) ((long long)json_integer_value(json_object_get(notes, k)))
	assert_int_equal(m->nsessions, 400);
	assert_int_equal(m->npaths, 2400);
	assert_int_equal(all_of(m, "R05", LEVEL_ERROR),
	    NOTE("sessions_under_5_financed_violations"));
	refs = json_object_get(notes, "sessions_under_5_financed_violation_refs");
	for (i = 0; i < json_array_size(refs); i++)
		assert_int_equal(count(m, "R05", LEVEL_ERROR,
		    json_string_value(json_array_get(refs, i))), 1);
	assert_int_equal(all_of(m, "R04", LEVEL_ERROR),
	    NOTE("intents_employer_siae"));
	/* R03: the short CDDs; the weekly hours under 24 are all part-time */
	assert_int_equal(all_of(m, "R03", LEVEL_ERROR),
	    NOTE("intents_cdd_under_6_months"));
	assert_int_equal(all_of(m, "R09", LEVEL_ERROR),
	    NOTE("sessions_outside_lot_territory"));
	assert_int_equal(all_of(m, "R16", LEVEL_WARNING),
	    NOTE("intents_withdrawn"));
	for (i = 0; i < m->nsessions; i++)
		socle += strcmp(m->sessions[i].scheme, "socle") == 0;
	for (k = 0; k < m->npaths; k++)
		unfinanced += !m->paths[k].financed;
	assert_int_equal(socle, NOTE("sessions_socle"));
	assert_int_equal(unfinanced, NOTE("paths_not_financed"));
	/* nothing else: the data is otherwise clean */
	assert_int_equal(m->conflicts, 0);
	assert_int_equal(m->errors, NOTE("sessions_under_5_financed_violations") +
	    NOTE("intents_employer_siae") + NOTE("intents_cdd_under_6_months") +
	    NOTE("sessions_outside_lot_territory"));
#undef NOTE
	rules_free(m);
	store_abort(txn);
	node_close(n);
	tu_rmtree(tmp);
	json_decref(ops);
}

/* The table holds R01 to R20 in order, each with its kind. */
static void
test_table(void **state)
{
	const struct rule_def *t;
	size_t n, i;
	char id[32];

	(void)state;
	t = rules_table(&n);
	assert_int_equal(n, 20);
	for (i = 0; i < n; i++) {
		snprintf(id, sizeof(id), "R%02zu", i + 1);
		assert_string_equal(t[i].id, id);
		assert_ptr_equal(rules_find(id), &t[i]);
		assert_non_null(t[i].fn);
	}
	assert_int_equal(rules_find("R07")->kind, RULE_CONFLICT);
	assert_int_equal(rules_find("R16")->kind, RULE_WARNING);
	assert_int_equal(rules_find("R05")->kind, RULE_ERROR);
	assert_int_equal(rules_find("R18")->kind, RULE_DATA);
	assert_null(rules_find("R21"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_table),
		cmocka_unit_test_setup_teardown(test_base_passes, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r01, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r01_financed_twice, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_r02, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r03, setup, teardown),
		cmocka_unit_test_setup_teardown(test_derogation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_derogation_cites, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_derogation_subjects, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_r04, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r05, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r06, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r07, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r08, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r08_path, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r09, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r09_subcontractor, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_r10, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r11, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r12, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r13, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r13_start, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r14, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r14_history, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_r15, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r15_sealed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r16, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r17, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r18_r19, setup, teardown),
		cmocka_unit_test_setup_teardown(test_r20, setup, teardown),
		cmocka_unit_test_setup_teardown(test_register_conflict, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_rate_conflict, setup,
		    teardown),
		cmocka_unit_test(test_dataset_exceptions),
	};

	return cmocka_run_group_tests_name("rules", tests, tu_group_setup, NULL);
}
