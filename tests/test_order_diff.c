/*
 * Unit tests of order-diff.c on hand-made request bodies: every list is
 * matched by its key (sessions, socle and paths by ref, lines and
 * not_financed by path, withdrawn by intent, warnings by rule and record,
 * derogations by ref, the providers' totals by SIRET), so elements moved
 * in a list change nothing, a provider added or removed is one change, and
 * a change of a provider's totals is named by its SIRET.
 */
#include "testutil.h"

#include "order.h"

/* A JSON text written with ' for " (easier to read in C). */
static json_t *
load(const char *text)
{
	json_error_t err;
	char *s = strdup(text), *p;
	json_t *v;

	assert_non_null(s);
	for (p = s; *p; p++)
		if (*p == '\'')
			*p = '"';
	v = json_loads(s, 0, &err);
	if (v == NULL)
		fail_msg("bad test JSON: %s at %d: %s", err.text, err.position, s);
	free(s);
	return v;
}

/* The changes of the diff of two bodies. */
static json_t *
diff_of(const char *old, const char *new)
{
	json_t *a = load(old), *b = load(new), *d = NULL;

	assert_ok(order_diff(a, b, &d));
	json_decref(a);
	json_decref(b);
	return d;
}

/* The number of changes of a diff. */
static size_t
nchanges(const json_t *d)
{
	return json_array_size(json_object_get(d, "changes"));
}

/* Finds a change of a diff by op and place. */
static const json_t *
find_change(const json_t *d, const char *op, const char *at)
{
	const json_t *c = json_object_get(d, "changes"), *x;
	size_t i;

	for (i = 0; i < json_array_size(c); i++) {
		x = json_array_get(c, i);
		if (strcmp(json_string_value(json_object_get(x, "op")), op) == 0 &&
		    strcmp(json_string_value(json_object_get(x, "at")), at) == 0)
			return x;
	}
	return NULL;
}

/* Prints the changes of a diff (shown when a test fails). */
static void
dump(const json_t *d)
{
	char *s = json_dumps(json_object_get(d, "changes"), JSON_INDENT(1));

	print_message("%s\n", s ? s : "?");
	free(s);
}

/* A request body with every list, in one order. */
static const char old_body[] =
"{'format':'consort-order/1','lot':{'ref':'LOT-A'},'period':'2026-03',"
"'state':{'heads':[{'author':'aa','seq':1},{'author':'bb','seq':4}]},"
"'sessions':["
" {'ref':'S1','provider':{'siret':'41852736200127','name':'Lead'},"
"  'paths':[{'ref':'P1','hours':210,'intent':{'ref':'I1','date':'2026-02-10'}},"
"           {'ref':'P2','hours':189}],"
"  'totals':{'financed':2,'cost_cents':500}},"
" {'ref':'S3','provider':{'siret':'50324917900212','name':'Co'},"
"  'paths':[{'ref':'P3','hours':100}],'totals':{'financed':1,'cost_cents':100}}],"
"'socle':[{'ref':'K1','paths':[{'ref':'P7','hours':35},{'ref':'P8','hours':35}]},"
"         {'ref':'K2','paths':[]}],"
"'lines':[{'n':1,'path':'P2','intent':'I2','hours':189},"
"         {'n':2,'path':'P1','intent':'I1','hours':210},"
"         {'n':3,'path':'P3','hours':100}],"
"'not_financed':[{'path':'P6','hours':210},{'path':'P9','hours':35}],"
"'withdrawn':[{'intent':'I0','path':'P1','by':'employer','replaced_by':{'ref':'I1'}},"
"             {'intent':'I5','path':'P5','by':'trainee','followup':'none'}],"
"'warnings':[{'rule':'R16','type':'intent','ref':'I0','path':'P1','message':'a'},"
"            {'rule':'R16','type':'intent','ref':'I5','path':'P5','message':'b'},"
"            {'rule':'R02','type':'intent','ref':'I3','message':'c1'},"
"            {'rule':'R02','type':'intent','ref':'I3','message':'c2'},"
"            {'rule':'R09','type':'session','ref':'S3','message':'d'}],"
"'derogations':[{'ref':'D1','rule':'R05','applied':1},{'ref':'D2','rule':'R03','applied':0}],"
"'totals':{'financed':6,'cost_cents':600,"
" 'by_scheme':{'1e1f':{'cost_cents':600},'socle':{'cost_cents':0}},"
" 'by_provider':[{'siret':'41852736200127','name':'Lead','cost_cents':500},"
"                {'siret':'50324917900212','name':'Co','cost_cents':100}]}}";

/* The same body, every list in another order: the same request. */
static const char moved_body[] =
"{'format':'consort-order/1','lot':{'ref':'LOT-A'},'period':'2026-03',"
"'state':{'heads':[{'author':'bb','seq':5},{'author':'aa','seq':1}]},"
"'sessions':["
" {'ref':'S3','provider':{'siret':'50324917900212','name':'Co'},"
"  'paths':[{'ref':'P3','hours':100}],'totals':{'financed':1,'cost_cents':100}},"
" {'ref':'S1','provider':{'siret':'41852736200127','name':'Lead'},"
"  'paths':[{'ref':'P2','hours':189},"
"           {'ref':'P1','hours':210,'intent':{'ref':'I1','date':'2026-02-10'}}],"
"  'totals':{'financed':2,'cost_cents':500}}],"
"'socle':[{'ref':'K2','paths':[]},"
"         {'ref':'K1','paths':[{'ref':'P8','hours':35},{'ref':'P7','hours':35}]}],"
"'lines':[{'n':1,'path':'P3','hours':100},"
"         {'n':2,'path':'P1','intent':'I1','hours':210},"
"         {'n':3,'path':'P2','intent':'I2','hours':189}],"
"'not_financed':[{'path':'P9','hours':35},{'path':'P6','hours':210}],"
"'withdrawn':[{'intent':'I5','path':'P5','by':'trainee','followup':'none'},"
"             {'intent':'I0','path':'P1','by':'employer','replaced_by':{'ref':'I1'}}],"
"'warnings':[{'rule':'R09','type':'session','ref':'S3','message':'d'},"
"            {'rule':'R02','type':'intent','ref':'I3','message':'c1'},"
"            {'rule':'R16','type':'intent','ref':'I5','path':'P5','message':'b'},"
"            {'rule':'R02','type':'intent','ref':'I3','message':'c2'},"
"            {'rule':'R16','type':'intent','ref':'I0','path':'P1','message':'a'}],"
"'derogations':[{'ref':'D2','rule':'R03','applied':0},{'ref':'D1','rule':'R05','applied':1}],"
"'totals':{'financed':6,'cost_cents':600,"
" 'by_scheme':{'socle':{'cost_cents':0},'1e1f':{'cost_cents':600}},"
" 'by_provider':[{'siret':'50324917900212','name':'Co','cost_cents':100},"
"                {'siret':'41852736200127','name':'Lead','cost_cents':500}]}}";

/* Elements moved in every list, the log state changed: no change at all. */
static void
test_moved(void **state)
{
	json_t *d = diff_of(old_body, moved_body);

	(void)state;
	if (nchanges(d) != 0)
		dump(d);
	assert_int_equal(nchanges(d), 0);
	assert_true(json_is_true(json_object_get(d, "same_period")));
	json_decref(d);
	d = diff_of(moved_body, old_body);
	assert_int_equal(nchanges(d), 0);
	json_decref(d);
}

/*
 * The providers' totals by SIRET: the co-contractor's removed, another
 * added, the lead's cost changed, each named by its SIRET (before, the
 * totals of two providers in the same position read as a change of name).
 */
static void
test_providers(void **state)
{
	static const char old[] =
	    "{'lot':{'ref':'LOT-A'},'period':'2026-03','totals':{'by_provider':["
	    "{'siret':'41852736200127','name':'Lead','financed':5,'cost_cents':500},"
	    "{'siret':'50324917900212','name':'Co','financed':1,'cost_cents':100}]}}";
	static const char new[] =
	    "{'lot':{'ref':'LOT-A'},'period':'2026-03','totals':{'by_provider':["
	    "{'siret':'32756736800045','name':'Sub','financed':2,'cost_cents':70},"
	    "{'siret':'41852736200127','name':'Lead','financed':5,'cost_cents':550}]}}";
	json_t *d = diff_of(old, new);
	const json_t *c;

	(void)state;
	if (nchanges(d) != 3)
		dump(d);
	assert_int_equal(nchanges(d), 3);
	c = find_change(d, "removed", "totals.by_provider[50324917900212]");
	assert_non_null(c);
	assert_string_equal(jr_str(json_object_get(c, "old"), "name"), "Co");
	c = find_change(d, "added", "totals.by_provider[32756736800045]");
	assert_non_null(c);
	assert_string_equal(jr_str(json_object_get(c, "new"), "name"), "Sub");
	c = find_change(d, "changed",
	    "totals.by_provider[41852736200127].cost_cents");
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "old")), 500);
	assert_int_equal(json_integer_value(json_object_get(c, "new")), 550);
	assert_null(find_change(d, "changed",
	    "totals.by_provider[41852736200127].name"));
	json_decref(d);
}

/*
 * One change in each list, elements moved too: each change at its key,
 * and nothing else.
 */
static void
test_each_list(void **state)
{
	static const char new[] =
	"{'format':'consort-order/1','lot':{'ref':'LOT-A'},'period':'2026-03',"
	"'sessions':["
	" {'ref':'S3','provider':{'siret':'50324917900212','name':'Co'},"
	"  'paths':[{'ref':'P3','hours':100}],'totals':{'financed':1,'cost_cents':100}},"
	" {'ref':'S1','provider':{'siret':'41852736200127','name':'Lead'},"
	"  'paths':[{'ref':'P2','hours':200},"
	"           {'ref':'P1','hours':210,'intent':{'ref':'I1','date':'2026-02-11'}}],"
	"  'totals':{'financed':2,'cost_cents':500}}],"
	"'socle':[{'ref':'K1','paths':[{'ref':'P8','hours':35}]}],"
	"'lines':[{'n':1,'path':'P1','intent':'I1','hours':210},"
	"         {'n':2,'path':'P2','intent':'I2','hours':200}],"
	"'not_financed':[{'path':'P9','hours':30},{'path':'P6','hours':210}],"
	"'withdrawn':[{'intent':'I5','path':'P5','by':'trainee','followup':'ft_referral'},"
	"             {'intent':'I0','path':'P1','by':'employer','replaced_by':{'ref':'I1'}},"
	"             {'intent':'I4','path':'P4','by':'unknown','followup':'none'}],"
	"'warnings':[{'rule':'R02','type':'intent','ref':'I3','message':'c1'},"
	"            {'rule':'R16','type':'intent','ref':'I5','path':'P5','message':'b2'},"
	"            {'rule':'R02','type':'intent','ref':'I3','message':'c2'},"
	"            {'rule':'R16','type':'intent','ref':'I0','path':'P1','message':'a'}],"
	"'derogations':[{'ref':'D1','rule':'R05','applied':2},{'ref':'D3','rule':'R16','applied':0}],"
	"'totals':{'financed':6,'cost_cents':600,"
	" 'by_scheme':{'1e1f':{'cost_cents':600},'socle':{'cost_cents':0}},"
	" 'by_provider':[{'siret':'50324917900212','name':'Co','cost_cents':100},"
	"                {'siret':'41852736200127','name':'Lead','cost_cents':500}]}}";
	static const char *const want[][2] = {
		{ "changed", "sessions[S1].paths[P1].intent.date" },
		{ "changed", "sessions[S1].paths[P2].hours" },
		{ "removed", "socle[K1].paths[P7]" },
		{ "removed", "socle[K2]" },
		{ "removed", "lines[P3]" },
		{ "changed", "lines[P2].hours" },
		{ "changed", "not_financed[P9].hours" },
		{ "changed", "withdrawn[I5].followup" },
		{ "added", "withdrawn[I4]" },
		{ "changed", "warnings[R16 intent I5].message" },
		{ "removed", "warnings[R09 session S3]" },
		{ "changed", "derogations[D1].applied" },
		{ "removed", "derogations[D2]" },
		{ "added", "derogations[D3]" },
	};
	json_t *d = diff_of(old_body, new);
	size_t i;

	(void)state;
	for (i = 0; i < nitems(want); i++)
		if (find_change(d, want[i][0], want[i][1]) == NULL) {
			dump(d);
			fail_msg("no %s at %s", want[i][0], want[i][1]);
		}
	if (nchanges(d) != nitems(want))
		dump(d);
	assert_int_equal(nchanges(d), nitems(want));
	json_decref(d);
}

/*
 * Two elements of one key are told apart by their order ("KEY #2"); an
 * element with no key by its position; the log state is left out.
 */
static void
test_same_key(void **state)
{
	static const char old[] =
	    "{'warnings':[{'rule':'R02','type':'intent','ref':'I3','message':'x'},"
	    "{'rule':'R02','type':'intent','ref':'I3','message':'y'}],"
	    "'extra':[{'a':1},{'a':2}]}";
	static const char new[] =
	    "{'warnings':[{'rule':'R02','type':'intent','ref':'I3','message':'x'},"
	    "{'rule':'R02','type':'intent','ref':'I3','message':'z'}],"
	    "'extra':[{'a':1},{'a':3}],'state':{'heads':[]}}";
	json_t *d = diff_of(old, new);

	(void)state;
	if (nchanges(d) != 2)
		dump(d);
	assert_int_equal(nchanges(d), 2);
	assert_non_null(find_change(d, "changed",
	    "warnings[R02 intent I3 #2].message"));
	assert_non_null(find_change(d, "changed", "extra[#1].a"));
	json_decref(d);
}

/* A key too long to name whole is refused, never cut into another. */
static void
test_long_key(void **state)
{
	char *body = malloc(4096), ref[1500];
	json_t *a, *d = NULL;

	(void)state;
	assert_non_null(body);
	memset(ref, 'R', sizeof(ref) - 1);
	ref[sizeof(ref) - 1] = '\0';
	snprintf(body, 4096, "{'sessions':[{'ref':'%s'}]}", ref);
	a = load(body);
	assert_err(order_diff(a, a, &d), E(TOOBIG));
	assert_null(d);
	json_decref(a);
	free(body);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_moved),
		cmocka_unit_test(test_providers),
		cmocka_unit_test(test_each_list),
		cmocka_unit_test(test_same_key),
		cmocka_unit_test(test_long_key),
	};

	return cmocka_run_group_tests_name("order_diff", tests, NULL, NULL);
}
