/*
 * Unit tests of R16's withdrawn intents once their path names another
 * intent: the edit that re-points the path records on the new intent the
 * withdrawn one it replaces (records.c), the model loads the withdrawn
 * intents that the request's intents replace, following chains of
 * replacements within a bound (rules-model.c), the request lists each with who withdrew it and
 * what replaced it (order-build.c), and what does not hold together is an
 * R16 error (rules.c).
 */
#include "testutil.h"

#include "order.h"

#define CO_SIRET "50324917900212"

#include "order_base.h"

struct fix {
	char *dir;
	struct node *n;
	struct rules_model *m;
	struct store_txn *txn;
};

/* Per-test setup: a consortium with a co-contractor, the base lot imported. */
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

/*
 * Writes FIELD=VALUE pairs (as the command line gives them, NULL-ended) on
 * a record as one edit; returns its result, its diagnostic and its note.
 */
static int
put(struct fix *f, const char *type, const char *ref, struct consort_diag *d,
    struct consort_diag *note, ...)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct field_input in[SCHEMA_MAX_FIELDS];
	const char *kv, *eq;
	struct edit e;
	unsigned n = 0;
	bool changed;
	va_list ap;
	int rc;

	assert_non_null(t);
	memset(d, 0, sizeof(*d));
	va_start(ap, note);
	while ((kv = va_arg(ap, const char *)) != NULL) {
		assert_non_null(eq = strchr(kv, '='));
		in[n].f = schema_field_by_name(t, kv, (size_t)(eq - kv));
		assert_non_null(in[n].f);
		if (eq[1] == '\0')
			memset(&in[n].v, 0, sizeof(in[n].v));
		else
			assert_ok(schema_parse_text(in[n].f, eq + 1, strlen(eq + 1),
			    &in[n].v, d));
		n++;
	}
	va_end(ap);
	assert_ok(edit_begin(f->n, &e));
	if ((rc = records_put(&e, t, ref, strlen(ref), in, n, PUT_UPSERT, true,
	    &changed, d)) != 0) {
		edit_abort(&e);
		return rc;
	}
	if (note != NULL)
		*note = e.note;
	return edit_commit(&e);
}

/* put() that must succeed. */
#define set(f, type, ref, ...) do {					\
	struct consort_diag d_;						\
	if (put(f, type, ref, &d_, NULL, __VA_ARGS__, NULL) != 0)	\
		fail_msg("set %s %s: %s %s", type, ref, d_.where, d_.what); \
} while (0)

/*
 * Writes one field with a bare op, past the checks of records_put(): what
 * another version of consort, or a member's concurrent edits, may leave.
 */
static void
raw_set(struct fix *f, const char *type, const char *ref, const char *field,
    const char *text)
{
	const struct schema_type *t = schema_type_by_name(type);
	const struct schema_field *fl = schema_field_by_name(t, field,
	    strlen(field));
	struct consort_diag d = { 0 };
	struct value v;
	struct edit e;

	assert_non_null(fl);
	assert_ok(schema_parse_text(fl, text, strlen(text), &v, &d));
	assert_ok(edit_begin(f->n, &e));
	assert_ok(state_lookup(e.txn, &f->n->store, f->n->founder, t->id, ref,
	    strlen(ref), &e.rec));
	assert_true(record_alive(&f->n->store, &e.rec));
	csb_op(&e.b, OP_SET, t->id, e.rec.id, fl->id, &v);
	assert_ok(edit_commit(&e));
}

/* Records a confirmed intent that passes R02 to R04. */
static void
add_intent(struct fix *f, const char *ref, const char *employer,
    const char *date)
{
	char e[300], dt[40], ev[80];

	snprintf(e, sizeof(e), "employer=%s", employer);
	snprintf(dt, sizeof(dt), "date=%s", date);
	snprintf(ev, sizeof(ev), "evidence=email %s", date);
	set(f, "intent", ref, e, "siret=83046172900451", "employer_kind=company",
	    "contract=CDI", "weekly_hours=35", dt, ev, "steps=interview",
	    "status=confirmed");
}

/* The string a field of a record shows ("" when unset). */
static const char *
shown(struct fix *f, const char *type, const char *ref, const char *field,
    char *buf, size_t len)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct store_txn *txn;
	struct record r;

	record_init(&r);
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(state_lookup(txn, &f->n->store, f->n->founder, t->id, ref,
	    strlen(ref), &r));
	value_copy_str(buf, len, state_field(&f->n->store, &r,
	    schema_field_by_name(t, field, strlen(field))->id));
	record_free(&r);
	store_abort(txn);
	return buf;
}

/* Loads and checks the model of LOT-A's sessions starting in March 2026. */
static struct rules_model *
check_march(struct fix *f)
{
	struct consort_diag d = { 0 };
	struct rules_query q = { .lot = "LOT-A", .from = "2026-03-01",
		.to = "2026-03-31", .window = WINDOW_START };

	rules_free(f->m);
	f->m = NULL;
	if (f->txn != NULL)
		store_abort(f->txn);
	assert_ok(store_begin(&f->n->store, false, &f->txn));
	if (rules_load(f->txn, &f->n->store, &q, &f->m, &d) != 0)
		fail_msg("rules_load: %s %s", d.where, d.what);
	assert_ok(rules_check(f->txn, f->m));
	return f->m;
}

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

/* The finding of a rule, at a level, about ref, saying what (NULL if none). */
static const struct rule_result *
finding(const struct rules_model *m, const char *rule, enum rule_level level,
    const char *ref, const char *what)
{
	size_t i;

	for (i = 0; i < m->nresults; i++)
		if (strcmp(m->results[i].rule, rule) == 0 &&
		    m->results[i].level == level &&
		    strcmp(m->results[i].ref, ref) == 0 &&
		    strstr(m->results[i].what, what) != NULL)
			return &m->results[i];
	return NULL;
}

/* A finding that must exist and say what. */
static void
assert_finding(const struct rules_model *m, const char *rule,
    enum rule_level level, const char *ref, const char *what)
{
	if (finding(m, rule, level, ref, what) == NULL) {
		dump(m);
		fail_msg("no %s %s about %s saying \"%s\"", rule, level ==
		    LEVEL_ERROR ? "error" : "warning", ref, what);
	}
}

/* The request body of the checked model of March (no error left). */
static json_t *
request(struct fix *f)
{
	struct order_opts o = { .lot = "LOT-A", .period = "2026-03",
		.issued = "2026-03-02" };
	struct rules_model *m = check_march(f);
	struct consort_diag d = { 0 };
	json_t *req = NULL;

	if (m->errors + m->conflicts != 0) {
		dump(m);
		fail_msg("%zu errors, %zu conflicts", m->errors, m->conflicts);
	}
	if (order_request(f->txn, f->n, m, &o, &req, &d) != 0)
		fail_msg("order_request: %s", d.what);
	return req;
}

/* The entry of the request's withdrawn list about an intent (NULL if none). */
static const json_t *
withdrawn_of(const json_t *req, const char *intent)
{
	const json_t *w = json_object_get(req, "withdrawn");
	size_t i;

	for (i = 0; i < json_array_size(w); i++)
		if (strcmp(jr_str(json_array_get(w, i), "intent"), intent) == 0)
			return json_array_get(w, i);
	return NULL;
}

/* The index of a path in the model. */
static long
path_index(const struct rules_model *m, const char *ref)
{
	size_t i;

	for (i = 0; i < m->npaths; i++)
		if (strcmp(m->paths[i].ref, ref) == 0)
			return (long)i;
	return -1;
}

/*
 * I5, withdrawn by its employer, is replaced by I7 on path P5: the edit
 * records that I7 replaces I5, the model keeps I5 for P5 (its own checks
 * of R02 to R04 left out), and the request lists it with I7; then I7 is
 * withdrawn by the trainee and replaced by I8: both are listed.
 */
static void
test_replaced_listed(void **state)
{
	struct fix *f = *state;
	struct consort_diag d, note;
	struct rules_model *m;
	const json_t *w, *r;
	json_t *req;
	char buf[200];
	long i5, i7;

	/* before: P5 names I5, listed, who withdrew it not recorded */
	req = request(f);
	w = withdrawn_of(req, "I5");
	assert_non_null(w);
	assert_string_equal(jr_str(w, "by"), "unknown");
	assert_null(json_object_get(w, "replaced_by"));
	assert_finding(f->m, "R16", LEVEL_WARNING, "I5",
	    "who withdrew it is not recorded (consort set intent I5 "
	    "withdrawn_by=employer|trainee)");
	assert_finding(f->m, "R16", LEVEL_WARNING, "I5",
	    "path P5 still names it");
	json_decref(req);

	set(f, "intent", "I5", "withdrawn_by=employer");
	add_intent(f, "I7", "Nouvel Employeur", "2026-03-05");
	memset(&note, 0, sizeof(note));
	assert_ok(put(f, "path", "P5", &d, &note, "intent=I7", NULL));
	assert_string_equal(note.where, "intent I7");
	assert_non_null(strstr(note.what, "replaces the withdrawn intent I5 "
	    "(replaces=I5)"));
	assert_string_equal(shown(f, "intent", "I7", "replaces", buf,
	    sizeof(buf)), "I5");
	assert_string_equal(shown(f, "intent", "I5", "replaces", buf,
	    sizeof(buf)), "");
	/* a replaced intent is not checked as one backing a path */
	set(f, "intent", "I5", "evidence=");

	m = check_march(f);
	assert_int_equal(m->errors + m->conflicts, 0);
	assert_true((i5 = rules_intent(m, "I5")) >= 0);
	assert_true((i7 = rules_intent(m, "I7")) >= 0);
	assert_true(m->intents[i5].replaced);
	assert_false(m->intents[i7].replaced);
	assert_int_equal(m->intents[i7].ridx, i5);
	assert_int_equal(m->intents[i5].byidx, i7);
	assert_int_equal(m->intents[i5].wpidx, path_index(m, "P5"));
	assert_int_equal(m->intents[i5].pidx, -1);
	assert_finding(m, "R16", LEVEL_WARNING, "I5", "was withdrawn by the "
	    "employer on 2026-02-28 (poste supprim\xc3\xa9) and replaced by "
	    "intent I7 (Nouvel Employeur, dated 2026-03-05); path P5 names "
	    "intent I7 now; follow-up: full_path");

	req = request(f);
	assert_int_equal(json_array_size(json_object_get(req, "withdrawn")), 1);
	w = withdrawn_of(req, "I5");
	assert_non_null(w);
	assert_string_equal(jr_str(w, "path"), "P5");
	assert_string_equal(jr_str(w, "session"), "S1");
	assert_string_equal(jr_str(w, "employer"), "H\xc3\xb4tel");
	assert_string_equal(jr_str(w, "date"), "2026-02-28");
	assert_string_equal(jr_str(w, "reason"), "poste supprim\xc3\xa9");
	assert_string_equal(jr_str(w, "followup"), "full_path");
	assert_string_equal(jr_str(w, "by"), "employer");
	r = json_object_get(w, "replaced_by");
	assert_string_equal(jr_str(r, "ref"), "I7");
	assert_string_equal(jr_str(r, "employer"), "Nouvel Employeur");
	assert_string_equal(jr_str(r, "date"), "2026-03-05");
	json_decref(req);

	/* I7 withdrawn by the trainee, replaced by I8: a chain of two */
	set(f, "intent", "I7", "status=withdrawn", "withdrawn_by=trainee",
	    "status_date=2026-03-20", "followup=ft_referral");
	add_intent(f, "I8", "Troisi\xc3\xa8me Employeur", "2026-03-21");
	set(f, "path", "P5", "intent=I8");
	req = request(f);
	w = json_object_get(req, "withdrawn");
	assert_int_equal(json_array_size(w), 2);
	/* by path, then date of withdrawal */
	assert_string_equal(jr_str(json_array_get(w, 0), "intent"), "I5");
	assert_string_equal(jr_str(json_array_get(w, 1), "intent"), "I7");
	w = withdrawn_of(req, "I7");
	assert_string_equal(jr_str(w, "path"), "P5");
	assert_string_equal(jr_str(w, "by"), "trainee");
	assert_string_equal(jr_str(w, "followup"), "ft_referral");
	assert_string_equal(jr_str(json_object_get(w, "replaced_by"), "ref"),
	    "I8");
	assert_string_equal(jr_str(json_object_get(withdrawn_of(req, "I5"),
	    "replaced_by"), "ref"), "I7");
	assert_finding(f->m, "R16", LEVEL_WARNING, "I5", "; path P5 names "
	    "intent I8 now");
	json_decref(req);
}

/*
 * The edit records a replacement only when the path leaves a withdrawn
 * intent, on a new intent that replaces none yet; one replacing another
 * keeps it and the edit says so.
 */
static void
test_edit_replacement(void **state)
{
	struct fix *f = *state;
	struct consort_diag d, note;
	char buf[200];

	/* a path leaving a confirmed intent: nothing recorded */
	add_intent(f, "I7", "Nouvel Employeur", "2026-03-05");
	memset(&note, 0, sizeof(note));
	assert_ok(put(f, "path", "P1", &d, &note, "intent=I7", NULL));
	assert_string_equal(note.what, "");
	assert_string_equal(shown(f, "intent", "I7", "replaces", buf,
	    sizeof(buf)), "");
	/* a new intent replacing another already keeps it */
	add_intent(f, "I8", "Troisi\xc3\xa8me Employeur", "2026-03-06");
	set(f, "intent", "I8", "replaces=I6");
	memset(&note, 0, sizeof(note));
	assert_ok(put(f, "path", "P5", &d, &note, "intent=I8", NULL));
	assert_non_null(strstr(note.what, "intent I8 replaces intent I6 "
	    "already, not the withdrawn intent I5"));
	assert_non_null(strstr(note.hint, "consort set intent I8 "
	    "replaces=I5"));
	assert_string_equal(shown(f, "intent", "I8", "replaces", buf,
	    sizeof(buf)), "I6");
	/* a replacement naming the intent itself, or one replacing it */
	assert_err(put(f, "intent", "I5", &d, NULL, "replaces=I5", NULL),
	    E(SCHEMA));
	assert_non_null(strstr(d.what, "names the intent itself"));
	assert_err(put(f, "intent", "I6", &d, NULL, "replaces=I8", NULL),
	    E(SCHEMA));
	assert_non_null(strstr(d.what, "(a cycle)"));
	/* one that is not recorded */
	assert_err(put(f, "intent", "I5", &d, NULL, "replaces=I99", NULL),
	    E(REF));
}

/*
 * R16 errors: who withdrew an intent on one that is not withdrawn; an
 * intent replacing one that is not withdrawn, itself, one not recorded,
 * one another intent replaces too, or in a cycle.  A derogation lifts
 * one as any error.
 */
static void
test_r16_errors(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	struct consort_diag d = { 0 };
	struct edit e;

	set(f, "intent", "I3", "withdrawn_by=employer");
	set(f, "intent", "I1", "replaces=I2");
	m = check_march(f);
	assert_int_equal(m->errors, 2);
	assert_finding(m, "R16", LEVEL_ERROR, "I3", "intent I3 (Pl\xc3\xa2trerie) "
	    "is not withdrawn (status declared) but records who withdrew it "
	    "(withdrawn_by=employer)");
	assert_finding(m, "R16", LEVEL_ERROR, "I1", "intent I1 replaces intent "
	    "I2 (Int\xc3\xa9rim Nantes), which is not withdrawn (status "
	    "confirmed)");
	set(f, "derogation", "D1", "rule=R16", "session=S1", "intent=I1",
	    "reason=relecture", "date=2026-03-01");
	set(f, "intent", "I3", "withdrawn_by=");
	m = check_march(f);
	assert_int_equal(m->errors, 0);
	set(f, "intent", "I1", "replaces=");

	/* an intent replacing itself, written past the edit's check */
	raw_set(f, "intent", "I4", "replaces", "I4");
	m = check_march(f);
	assert_int_equal(m->errors, 1);
	assert_finding(m, "R16", LEVEL_ERROR, "I4", "intent I4 names itself as "
	    "the intent it replaces (replaces=I4)");
	/* one that is not recorded (deleted since) */
	add_intent(f, "I9", "Parti", "2026-03-05");
	set(f, "intent", "I4", "replaces=I9");
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_delete(&e, schema_type_by_name("intent"), "I9", 2,
	    &d));
	assert_ok(edit_commit(&e));
	m = check_march(f);
	assert_int_equal(m->errors, 1);
	assert_finding(m, "R16", LEVEL_ERROR, "I4", "intent I4 replaces intent "
	    "I9, which is not recorded");
	/* two intents replacing one */
	set(f, "intent", "I4", "replaces=I5");
	set(f, "intent", "I2", "replaces=I5");
	m = check_march(f);
	assert_int_equal(m->errors, 2);
	assert_finding(m, "R16", LEVEL_ERROR, "I4", "intent I4 replaces intent "
	    "I5, which 2 intents of this request replace");
	assert_finding(m, "R16", LEVEL_ERROR, "I2", "which 2 intents");
	set(f, "intent", "I4", "replaces=");
	set(f, "intent", "I2", "replaces=");
	/* a cycle: I7 replaces I5 and I5 replaces I7, P5 names I7 */
	add_intent(f, "I7", "Nouvel Employeur", "2026-03-05");
	set(f, "path", "P5", "intent=I7");
	set(f, "intent", "I7", "status=withdrawn", "withdrawn_by=trainee");
	raw_set(f, "intent", "I5", "replaces", "I7");
	m = check_march(f);
	assert_finding(m, "R16", LEVEL_ERROR, "I7", "(a cycle)");
	assert_finding(m, "R16", LEVEL_ERROR, "I5", "(a cycle)");
}

/*
 * A chain of replacements longer than the bound is followed that far:
 * the model holds the bound's intents and a warning says the earlier
 * ones are not listed.
 */
static void
test_chain_bounded(void **state)
{
	struct fix *f = *state;
	struct rules_model *m;
	char ref[16], rp[32], date[16];
	json_t *req;
	int k;

	/* C17 replaces C16, which replaces C15... down to C0; P5 names C17 */
	for (k = 0; k <= INTENT_CHAIN_MAX + 1; k++) {
		snprintf(ref, sizeof(ref), "C%d", k);
		snprintf(date, sizeof(date), "2026-03-%02d", k + 1);
		add_intent(f, ref, "Employeur", date);
		if (k <= INTENT_CHAIN_MAX)
			set(f, "intent", ref, "status=withdrawn",
			    "withdrawn_by=employer");
		if (k == 0)
			continue;
		snprintf(rp, sizeof(rp), "replaces=C%d", k - 1);
		set(f, "intent", ref, rp);
	}
	set(f, "path", "P5", "intent=C17");
	m = check_march(f);
	assert_int_equal(m->errors + m->conflicts, 0);
	assert_string_equal(m->chain_cut, "C1");
	assert_true(rules_intent(m, "C1") >= 0);
	assert_int_equal(rules_intent(m, "C0"), -1);
	assert_finding(m, "R16", LEVEL_WARNING, "C1", "intent C1 replaces "
	    "intents further back than 16 replacements: the earlier "
	    "withdrawals are not listed");
	req = request(f);
	/* C1 to C16; I5, which P5 named, is replaced by none of them */
	assert_int_equal(json_array_size(json_object_get(req, "withdrawn")),
	    INTENT_CHAIN_MAX);
	assert_non_null(withdrawn_of(req, "C16"));
	assert_null(withdrawn_of(req, "C0"));
	assert_null(withdrawn_of(req, "I5"));
	json_decref(req);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_replaced_listed, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_edit_replacement, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_r16_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_chain_bounded, setup,
		    teardown),
	};

	return cmocka_run_group_tests_name("withdrawn", tests, tu_group_setup,
	    NULL);
}
