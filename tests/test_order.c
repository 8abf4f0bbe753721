/*
 * Unit tests of jcs.c and order.c: the RFC 8785 canonical form, the
 * request built from a checked model (lines in R12's order, totals,
 * sessions apart by scheme), its signature failing after any byte of the
 * request changes, the CSV and HTML renderings checked for their content,
 * the diff of an amendment, and the monthly statement's hours (R18).
 */
#include "testutil.h"

#include "order.h"

#define CO_SIRET "50324917900212"

#include "order_base.h"

struct fix {
	char *dir;
	struct node *n;
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

	node_close(f->n);
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* Writes one field (text as on the command line; NULL unsets). */
static void
set(struct fix *f, const char *type, const char *ref, const char *field,
    const char *text)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct consort_diag d = { 0 };
	struct field_input in;
	struct edit e;
	bool changed;

	in.f = schema_field_by_name(t, field, strlen(field));
	assert_non_null(in.f);
	if (text == NULL)
		memset(&in.v, 0, sizeof(in.v));
	else
		assert_ok(schema_parse_text(in.f, text, strlen(text), &in.v, &d));
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_put(&e, t, ref, strlen(ref), &in, 1, PUT_UPSERT, false,
	    &changed, &d));
	assert_ok(edit_commit(&e));
}

/* Records the Region's agreement REF of subject on session, in one edit. */
static void
agree(struct fix *f, const char *ref, const char *reference,
    const char *subject, const char *session)
{
	static const char *const names[] = { "reference", "date", "subject",
		"session" };
	const char *vals[] = { reference, "2026-02-01", subject, session };
	const struct schema_type *t = schema_type(T_agreement);
	struct consort_diag d = { 0 };
	struct field_input in[4];
	struct edit e;
	bool changed;
	size_t i;

	for (i = 0; i < nitems(names); i++) {
		in[i].f = schema_field_by_name(t, names[i], strlen(names[i]));
		assert_ok(schema_parse_text(in[i].f, vals[i], strlen(vals[i]),
		    &in[i].v, &d));
	}
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_put(&e, t, ref, strlen(ref), in, 4, PUT_ADD, true,
	    &changed, &d));
	assert_ok(edit_commit(&e));
}

/* Builds and signs LOT-A's request of a month; returns the file, sets *req. */
static char *
build_month(struct fix *f, const char *month, json_t **req, size_t *len)
{
	struct order_opts o = { "LOT-A", month, false, NULL, NULL,
	    "2026-03-02" };
	struct consort_diag d = { 0 };
	struct rules_query q;
	struct rules_model *m;
	char from[11], to[11], *file;
	struct store_txn *txn;

	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(store_load_authors(txn, &f->n->store));
	assert_ok(perm_roster(txn, &f->n->store));
	assert_ok(order_query(&f->n->store, f->n->pk, &o, &q, from, to, &d));
	assert_ok(rules_load(txn, &f->n->store, &q, &m, &d));
	assert_ok(rules_check(txn, m));
	assert_int_equal(m->errors + m->conflicts, 0);
	if (order_request(txn, f->n, m, &o, req, &d) != 0)
		fail_msg("order_request: %s", d.what);
	rules_free(m);
	store_abort(txn);
	assert_ok(order_sign(*req, f->n->pk, f->n->sk, &file, len));
	return file;
}

/* Builds and signs LOT-A's March request; returns the file, sets *req. */
static char *
build(struct fix *f, json_t **req, size_t *len)
{
	return build_month(f, "2026-03", req, len);
}

/* The canonical form of a JSON text. */
static char *
canon(const char *text, int *rc)
{
	json_error_t err;
	json_t *v = json_loads(text, JSON_DECODE_ANY, &err);
	char *out = NULL;
	size_t len;

	assert_non_null(v);
	*rc = jcs_canonical(v, &out, &len);
	json_decref(v);
	if (*rc == 0)
		assert_int_equal(strlen(out), len);
	return out;
}

/* RFC 8785: keys by UTF-16 code units, JSON.stringify escapes, integers only. */
static void
test_jcs(void **state)
{
	int rc;
	char *s;

	(void)state;
	s = canon("{ \"b\": 1, \"a\": [true, false, null], \"\\u00e9\": \"x\", "
	    "\"Z\": -7 }", &rc);
	assert_ok(rc);
	assert_string_equal(s, "{\"Z\":-7,\"a\":[true,false,null],\"b\":1,"
	    "\"\xc3\xa9\":\"x\"}");
	free(s);
	/* U+20AC < U+1F600 (surrogates D83D DE00) < U+FB01 in UTF-16, though
	 * UTF-8 bytes would put U+FB01 (EF AC 81) before U+1F600 (F0 9F ...) */
	s = canon("{\"\\ufb01\":3,\"\\ud83d\\ude00\":2,\"\\u20ac\":1}", &rc);
	assert_ok(rc);
	assert_string_equal(s, "{\"\xe2\x82\xac\":1,\"\xf0\x9f\x98\x80\":2,"
	    "\"\xef\xac\x81\":3}");
	free(s);
	assert_true(jcs_key_cmp("\xf0\x9f\x98\x80", 4, "\xef\xac\x81", 3) < 0);
	assert_true(jcs_key_cmp("a", 1, "ab", 2) < 0);
	assert_int_equal(jcs_key_cmp("ab", 2, "ab", 2), 0);
	s = canon("\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\\u007f\\u00e9\\u2028\"", &rc);
	assert_ok(rc);
	assert_string_equal(s, "\"\\u0001\\b\\t\\n\\f\\r\\\"\\\\/\x7f\xc3\xa9"
	    "\xe2\x80\xa8\"");
	free(s);
	s = canon("[1.5]", &rc);
	assert_err(rc, E(BADTYPE));
	s = canon("[9007199254740992]", &rc);
	assert_err(rc, E(TOOBIG));
	s = canon("[9007199254740991, -9007199254740991, 0]", &rc);
	assert_ok(rc);
	assert_string_equal(s, "[9007199254740991,-9007199254740991,0]");
	free(s);
}

/* The request holds what schema/order.md lists, R12's order, exact totals. */
static void
test_request_content(void **state)
{
	struct fix *f = *state;
	const json_t *t, *lines, *s1, *p;
	json_t *req;
	char *file;
	size_t len, i;
	static const char *const order[] = { "P2", "P4", "P1", "P3", "P5",
		"P10", "P11", "P7", "P8", "P9" };

	file = build(f, &req, &len);
	assert_string_equal(json_string_value(json_object_get(req, "format")),
	    ORDER_FORMAT);
	assert_string_equal(json_string_value(json_object_get(req, "period")),
	    "2026-03");
	/* R20: socle apart */
	assert_int_equal(json_array_size(json_object_get(req, "sessions")), 1);
	assert_int_equal(json_array_size(json_object_get(req, "socle")), 1);
	s1 = json_array_get(json_object_get(req, "sessions"), 0);
	assert_string_equal(json_string_value(json_object_get(s1, "ref")), "S1");
	/* R19: five employers in S1 */
	assert_int_equal(json_integer_value(json_object_get(s1, "employers")), 5);
	/* R12: intent date, then intent id (I1 and I3 share a date), socle last */
	lines = json_object_get(req, "lines");
	assert_int_equal(json_array_size(lines), nitems(order));
	for (i = 0; i < nitems(order); i++)
		assert_string_equal(json_string_value(json_object_get(
		    json_array_get(lines, i), "path")), order[i]);
	/* R14: cost = hours x rate; R06: P6 apart, not costed */
	t = json_object_get(req, "totals");
	assert_int_equal(json_integer_value(json_object_get(t, "financed")), 10);
	assert_int_equal(json_integer_value(json_object_get(t, "not_financed")), 1);
	assert_int_equal(json_integer_value(json_object_get(t, "hours")),
	    1008 + 168);
	assert_int_equal(json_integer_value(json_object_get(t, "cost_cents")),
	    (1008 + 168) * 1410);
	assert_int_equal(json_array_size(json_object_get(req, "not_financed")), 1);
	/* R16: the withdrawn intent listed with its follow-up */
	p = json_array_get(json_object_get(req, "withdrawn"), 0);
	assert_string_equal(json_string_value(json_object_get(p, "intent")), "I5");
	assert_string_equal(json_string_value(json_object_get(p, "followup")),
	    "full_path");
	/* R17: remuneration carried; part time (R15) is personal, not */
	p = json_array_get(json_object_get(s1, "paths"), 3);
	assert_string_equal(json_string_value(json_object_get(p, "ref")), "P4");
	assert_null(json_object_get(p, "part_time"));
	p = json_array_get(json_object_get(s1, "paths"), 2);
	assert_true(json_is_false(json_object_get(p, "remunerated")));
	assert_null(strstr(file, "family_name"));
	assert_null(strstr(file, "ft_id"));
	/* R08: the certification; the state's heads */
	assert_string_equal(json_string_value(json_object_get(json_object_get(s1,
	    "certification"), "code")), "RNCP38510");
	assert_int_equal(json_array_size(json_object_get(json_object_get(req,
	    "state"), "heads")), 1);
	/* warnings with their rule ids */
	assert_int_equal(json_array_size(json_object_get(req, "warnings")), 2);
	free(file);
	json_decref(req);
}

/* Building twice on one state gives the same bytes; a new edit changes them. */
static void
test_deterministic(void **state)
{
	struct fix *f = *state;
	json_t *r1, *r2, *r3;
	char *a, *b, *c;
	size_t la, lb, lc;

	a = build(f, &r1, &la);
	b = build(f, &r2, &lb);
	assert_int_equal(la, lb);
	assert_memory_equal(a, b, la);
	set(f, "trainee", "T12", "birth_year", "1991");  /* outside the request */
	c = build(f, &r3, &lc);
	/* same sessions, but the state (heads) it reflects moved */
	assert_true(la != lc || memcmp(a, c, la) != 0);
	assert_true(json_equal(json_object_get(r1, "sessions"),
	    json_object_get(r3, "sessions")));
	free(a);
	free(b);
	free(c);
	json_decref(r1);
	json_decref(r2);
	json_decref(r3);
}

/* The signature fails after any byte of the canonical request changes. */
static void
test_signature(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	uint8_t other[32];
	json_t *req;
	char *file;
	size_t len, i, start = strlen("{\"request\":"), end;

	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	assert_true(of.valid);
	/* the request's bytes in the file are its canonical form */
	end = start + of.canonical_len;
	assert_memory_equal(file + start, of.canonical, of.canonical_len);
	assert_memory_equal(file + end, ",\"signature\":", 13);
	order_file_free(&of);
	for (i = start; i < end; i++) {
		file[i] ^= 0x01;
		if (order_parse(file, len, NULL, &of, &d) == 0) {
			if (of.valid)
				fail_msg("byte %zu changed, signature still valid", i);
			order_file_free(&of);
		}
		file[i] ^= 0x01;
	}
	/* a change that keeps the JSON valid: one digit of the total */
	assert_ok(order_parse(file, len, NULL, &of, &d));
	assert_true(of.valid);
	order_file_free(&of);
	/* another key (--key) does not verify it */
	memset(other, 3, sizeof(other));
	assert_ok(order_parse(file, len, other, &of, &d));
	assert_false(of.valid);
	order_file_free(&of);
	/* whitespace and key order do not matter: the canonical form does */
	{
		char *pretty = json_dumps(req, JSON_INDENT(2));
		char sig[512], *alt;

		snprintf(sig, sizeof(sig), "%s", strstr(file, "\"signature\""));
		sig[strlen(sig) - 2] = '\0';   /* drop "}\n" */
		alt = malloc(strlen(pretty) + strlen(sig) + 32);
		sprintf(alt, "{ %s,\n \"request\": %s }", sig, pretty);
		assert_ok(order_parse(alt, strlen(alt), NULL, &of, &d));
		assert_true(of.valid);
		order_file_free(&of);
		free(alt);
		free(pretty);
	}
	/* malformed files are refused with a reason */
	assert_err(order_parse("{\"request\":{}}", 14, NULL, &of, &d), E(SCHEMA));
	assert_err(order_parse("[", 1, NULL, &of, &d), E(SCHEMA));
	free(file);
	json_decref(req);
}

/*
 * Renders a request with a writer into a string: 0 CSV, 1 HTML (both in
 * English, as before consort spoke French), 2 text, 3 CSV and 4 HTML in
 * French.
 */
static char *
render(const struct order_file *of, int kind)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *m = open_memstream(&buf, &len);

	assert_non_null(m);
	if (kind == 0)
		assert_ok(order_write_csv(m, of->request, FMT_EN, NULL));
	else if (kind == 1)
		assert_ok(order_write_html(m, of, FMT_EN));
	else if (kind == 3)
		assert_ok(order_write_csv(m, of->request, FMT_FR, NULL));
	else if (kind == 4)
		assert_ok(order_write_html(m, of, FMT_FR));
	else
		assert_ok(order_write_text(m, of));
	fclose(m);
	return buf;
}

/* The CSV has one row per path, costs adding up to the total, and warnings. */
static void
test_csv(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	json_t *req;
	char *file, *csv, *line, *save, *cell;
	size_t len;
	long long sum = 0;
	int rows = 0, col, costcol = -1, warncol = -1, pathcol = -1, k;
	int wdcol = -1, bycol = -1;
	char cells[40][256];

	set(f, "session", "S1", "title", "Ma\xc3\xa7on, \"bloc 2\"");
	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	csv = render(&of, 0);
	for (line = strtok_r(csv, "\n", &save); line != NULL;
	    line = strtok_r(NULL, "\n", &save)) {
		/* split on commas outside quotes */
		char *p = line;
		bool q = false;

		col = 0;
		k = 0;
		for (; *p && *p != '\r'; p++) {
			if (*p == '"' && (!q || p[1] != '"')) {
				q = !q;
				continue;
			}
			if (*p == '"')
				p++;
			if (*p == ',' && !q) {
				cells[col][k] = '\0';
				col++;
				k = 0;
				continue;
			}
			if (k < 255)
				cells[col][k++] = *p;
		}
		cells[col][k] = '\0';
		if (rows == 0) {
			for (k = 0; k <= col; k++) {
				if (strcmp(cells[k], "cost_cents") == 0)
					costcol = k;
				if (strcmp(cells[k], "warnings") == 0)
					warncol = k;
				if (strcmp(cells[k], "path") == 0)
					pathcol = k;
				if (strcmp(cells[k], "withdrawn_intents") == 0)
					wdcol = k;
				if (strcmp(cells[k], "withdrawn_by") == 0)
					bycol = k;
			}
			assert_true(costcol >= 0 && warncol >= 0 && pathcol >= 0);
			assert_true(wdcol >= 0 && bycol == wdcol + 1);
		} else {
			/* 34 columns: part_time (R15) is personal, not carried */
			assert_int_equal(col, 33);
			sum += atoll(cells[costcol]);
			if (strcmp(cells[pathcol], "P5") == 0) {
				assert_string_equal(cells[warncol], "R16");
				/* R16: the withdrawal, who withdrew it not recorded */
				assert_string_equal(cells[wdcol], "I5");
				assert_string_equal(cells[bycol], "unknown");
				assert_string_equal(cells[bycol + 1], "");
			}
			if (strcmp(cells[pathcol], "P7") == 0)
				assert_string_equal(cells[warncol], "R09");
			if (strcmp(cells[pathcol], "P1") == 0) {
				assert_string_equal(cells[warncol], "");
				assert_string_equal(cells[4],
				    "Ma\xc3\xa7on, \"bloc 2\"");
			}
		}
		cell = NULL;
		(void)cell;
		rows++;
	}
	assert_int_equal(rows, 1 + 11);   /* header + every path, P6 too */
	assert_int_equal(sum, (1008 + 168) * 1410);
	free(csv);
	order_file_free(&of);
	free(file);
	json_decref(req);
}

/*
 * A crafted file whose warning has a 1,100-character rule and a derogation
 * is rendered (it overflowed the warnings cell's buffer), and one whose
 * warnings would not fit in a cell is refused, never cut.
 */
static void
test_csv_long_warning(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	json_t *req, *w;
	char *file, *csv, *rule;
	size_t len, n;
	FILE *m;

	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	rule = malloc(20001);
	memset(rule, 'R', 20000);
	rule[1100] = '\0';
	w = json_pack("{s:s, s:s, s:s, s:s, s:s}", "rule", rule, "type",
	    "session", "ref", "S1", "session", "S1", "derogation", "D1");
	assert_non_null(w);
	assert_ok(json_array_append_new(json_object_get(of.request, "warnings"),
	    w));
	csv = render(&of, 0);
	assert_non_null(strstr(csv, "RRRR (derogation D1)"));
	free(csv);
	/* 20,000 characters do not fit in the cell: refused, naming the path */
	rule[1100] = 'R';
	rule[20000] = '\0';
	json_object_set_new(w, "rule", json_string(rule));
	csv = NULL;
	m = open_memstream(&csv, &n);
	assert_err(order_write_csv(m, of.request, FMT_EN, &d), E(TOOBIG));
	assert_non_null(strstr(d.where, "P1"));
	fclose(m);
	free(csv);
	free(rule);
	order_file_free(&of);
	free(file);
	json_decref(req);
}

/* Sets a string member of an object of a parsed request. */
static void
poke(json_t *o, const char *key, const char *value)
{
	assert_non_null(o);
	assert_ok(json_object_set_new(o, key, json_string(value)));
}

/*
 * No CSV cell of a crafted file is a formula a spreadsheet would evaluate
 * (= + - @, tab, CR, their full-width forms) nor carries a control
 * character; the numbers the tool writes stay numbers, negative ones too.
 */
static void
test_csv_formulas(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	json_t *req, *s1, *p1, *in;
	char *file, *csv;
	size_t len;

	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	s1 = json_array_get(json_object_get(of.request, "sessions"), 0);
	p1 = json_array_get(json_object_get(s1, "paths"), 0);
	in = json_object_get(p1, "intent");
	poke(s1, "title", "=cmd|' /C calc'!A0");
	poke(s1, "site", "=HYPERLINK(\"http://x.example/\",\"clic\")");
	poke(json_object_get(s1, "provider"), "name", "@SUM(1+1)");
	poke(s1, "territory", "+33");
	poke(json_object_get(s1, "certification"), "code",
	    "\xef\xbc\x9dSUM(1)");                  /* full-width = */
	poke(p1, "trainee", "\x01\x1b-1+2");          /* controls, then - */
	poke(p1, "modules", "\tM1");
	poke(in, "employer", "B\xc2\x85\x7fti\r\nOuest");  /* C1, DEL, CR LF */
	poke(in, "contract", "-12");                  /* a plain number */
	assert_ok(json_object_set_new(p1, "cost_cents", json_integer(-50)));
	csv = render(&of, 0);
	assert_non_null(strstr(csv, ",'=cmd|' /C calc'!A0,"));
	assert_non_null(strstr(csv, ",\"'=HYPERLINK(\"\"http://x.example/\"\","
	    "\"\"clic\"\")\","));
	assert_non_null(strstr(csv, ",'@SUM(1+1),"));
	assert_non_null(strstr(csv, ",'+33,"));
	assert_non_null(strstr(csv, ",'\xef\xbc\x9dSUM(1),"));
	assert_non_null(strstr(csv, ",'-1+2,"));
	assert_non_null(strstr(csv, ",M1,"));
	assert_non_null(strstr(csv, ",BtiOuest,"));
	assert_non_null(strstr(csv, ",-12,"));
	assert_non_null(strstr(csv, ",-50,-0.50,"));
	/* no cell starts with a formula character, no control is left */
	assert_null(strstr(csv, ",="));
	assert_null(strstr(csv, ",@"));
	assert_null(strstr(csv, ",+"));
	assert_null(strstr(csv, "\x1b"));
	assert_null(strstr(csv, "\xc2\x85"));
	assert_null(strstr(csv, "\x7f"));
	assert_null(strstr(csv, "\t"));
	free(csv);
	order_file_free(&of);
	free(file);
	json_decref(req);
}

/*
 * A request is valid only when signed by the signer it names: the lead,
 * or the sender of a direct request.  Re-signed by another key, its
 * signature holds but the verdict says so, with or without --key.
 */
static void
test_signer(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	uint8_t pk[32], sk[64];
	json_t *req, *snd;
	char *file, *other, text[512], hex[65];
	size_t len, olen;

	crypto_sign_keypair(pk, sk);
	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	assert_ok(order_verdict_text(&of, text, sizeof(text)));
	assert_non_null(strstr(text, "valid, signed by the lead's key"));
	order_file_free(&of);
	/* the lead's request signed with another key */
	assert_ok(order_sign(req, pk, sk, &other, &olen));
	assert_ok(order_parse(other, olen, NULL, &of, &d));
	assert_true(of.valid);
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	assert_ok(order_verdict_text(&of, text, sizeof(text)));
	util_hex(hex, f->n->pk, 32);
	assert_non_null(strstr(text, "NOT SIGNED BY ITS SENDER"));
	assert_non_null(strstr(text, hex));
	order_file_free(&of);
	/* --key with the signer's key does not make it the lead's */
	assert_ok(order_parse(other, olen, pk, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	order_file_free(&of);
	/* --key with the lead's key: the signature does not hold */
	assert_ok(order_parse(other, olen, f->n->pk, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_BAD_SIGNATURE);
	order_file_free(&of);
	free(other);
	/* a sender that is not the lead, without --direct: not valid either */
	snd = json_object_get(req, "sender");
	util_hex(hex, pk, 32);
	poke(snd, "key", hex);
	assert_ok(order_sign(req, pk, sk, &other, &olen));
	assert_ok(order_parse(other, olen, NULL, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	order_file_free(&of);
	free(other);
	/* a direct request (R11) is its sender's to sign */
	assert_ok(json_object_set_new(snd, "direct", json_true()));
	assert_ok(order_sign(req, pk, sk, &other, &olen));
	assert_ok(order_parse(other, olen, NULL, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_VALID);
	order_file_free(&of);
	free(other);
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &other, &olen));
	assert_ok(order_parse(other, olen, NULL, &of, &d));
	assert_int_equal(order_verdict(&of), ORDER_WRONG_SIGNER);
	/* show says so at the top of its text and HTML */
	{
		char *t = render(&of, 2), *h = render(&of, 1);

		assert_memory_equal(t, "signature   NOT SIGNED BY ITS SENDER", 36);
		assert_non_null(strstr(h, "<body>\n<p class=\"bad banner\">"
		    "Signature NOT SIGNED BY ITS SENDER"));
		assert_null(strstr(h, "class=\"ok\""));
		free(t);
		free(h);
	}
	order_file_free(&of);
	free(other);
	free(file);
	json_decref(req);
}

/* The HTML page is self-contained, escaped, with totals, warnings, derogations. */
static void
test_html(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	json_t *req;
	char *file, *html, eur[64], want[128];
	size_t len;

	set(f, "session", "S1", "title", "Ma\xc3\xa7on <script>alert(1)</script>");
	agree(f, "A1", "DR-2026-<1>", "group_size", "S1");
	agree(f, "A2", "DR-2026-002", "territory", "S2");
	set(f, "derogation", "D1", "rule", "R05");
	set(f, "derogation", "D1", "session", "S1");
	set(f, "derogation", "D1", "reason", "\xc3\xa9quilibre financier & co");
	set(f, "derogation", "D1", "date", "2026-02-20");
	set(f, "derogation", "D1", "agreement", "A1");
	file = build(f, &req, &len);
	/* the request lists each derogation's agreement, each session's */
	assert_string_equal(json_string_value(json_object_get(json_object_get(
	    json_array_get(json_object_get(req, "derogations"), 0),
	    "agreement"), "reference")), "DR-2026-<1>");
	assert_string_equal(json_string_value(json_object_get(json_array_get(
	    json_object_get(json_array_get(json_object_get(req, "socle"), 0),
	    "agreements"), 0), "subject")), "territory");
	assert_null(json_object_get(json_array_get(json_object_get(req,
	    "sessions"), 0), "territory_agreement"));
	assert_ok(order_parse(file, len, NULL, &of, &d));
	html = render(&of, 1);
	assert_non_null(strstr(html, "<!DOCTYPE html>"));
	assert_non_null(strstr(html, "@page{size:A4"));
	assert_non_null(strstr(html, "@media print"));
	/* self-contained: no external asset, no script */
	assert_null(strstr(html, "<script"));
	assert_null(strstr(html, "src="));
	assert_null(strstr(html, "href="));
	assert_null(strstr(html, "url("));
	assert_non_null(strstr(html, "Ma\xc3\xa7on &lt;script&gt;alert(1)"
	    "&lt;/script&gt;"));
	/* grand total, per session and per provider */
	order_euros(eur, sizeof(eur), (1008 + 168) * 1410, "&nbsp;");
	assert_string_equal(eur, "16&nbsp;581,60&nbsp;\xe2\x82\xac");
	snprintf(want, sizeof(want), "data-cents=\"%d\">%s", (1008 + 168) * 1410,
	    eur);
	assert_non_null(strstr(html, want));
	assert_non_null(strstr(html, "Session total: 5 financed"));
	assert_non_null(strstr(html, "data-cents=\"1421280\">14&nbsp;212,80"));
	assert_non_null(strstr(html, "<td>Lead Formation</td><td>"
	    TU_LEAD_SIRET "</td>"));
	assert_non_null(strstr(html, "data-cents=\"236880\">2&nbsp;368,80"));
	/* warnings and derogations with their rule ids */
	assert_non_null(strstr(html, "<h2>Warnings (2)</h2>"));
	assert_non_null(strstr(html, "<td>R16</td>"));
	assert_non_null(strstr(html, "<td>R09</td>"));
	assert_non_null(strstr(html, "<h2>Derogations (1)</h2>"));
	assert_non_null(strstr(html, "<td>D1</td><td>R05</td>"));
	assert_non_null(strstr(html, "\xc3\xa9quilibre financier &amp; co"));
	assert_non_null(strstr(html, "<td>A1: DR-2026-&lt;1&gt; of 2026-02-01 "
	    "(group_size)</td>"));
	assert_non_null(strstr(html, "; Region's agreements: A2: DR-2026-002 of "
	    "2026-02-01 (territory)"));
	assert_non_null(strstr(html, "class=\"ok\">valid"));
	free(html);
	/* a tampered file says so */
	of.valid = false;
	html = render(&of, 1);
	assert_non_null(strstr(html, "INVALID"));
	free(html);
	html = render(&of, 2);
	assert_non_null(strstr(html, "signature   INVALID"));
	assert_non_null(strstr(html, "total       1176 h, 16 581,60"));
	free(html);
	order_file_free(&of);
	free(file);
	json_decref(req);
}

/*
 * The French page: its number, date of issue and the request it amends at
 * the top, French labels, dates and amounts, page numbers when printed,
 * the lead's signature block; the French CSV: BOM, ";", French headings,
 * decimal comma, dates JJ/MM/AAAA, oui/non.
 */
static void
test_french(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct order_file of;
	json_t *req, *am;
	char *file, *html, *csv, *p;
	size_t len;

	set(f, "session", "S1", "title", "=HYPERLINK(\"x\")");
	file = build(f, &req, &len);
	am = json_object();
	assert_ok(json_object_set_new(am, "number", json_integer(1)));
	poke(am, "sha256", "0123456789abcdef0123456789abcdef0123456789abcdef"
	    "0123456789abcdef");
	assert_ok(json_object_set_new(req, "amends", am));
	assert_ok(json_object_set_new(req, "number", json_integer(2)));
	free(file);
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_ok(order_parse(file, len, NULL, &of, &d));
	html = render(&of, 4);
	assert_non_null(strstr(html, "<html lang=\"fr\">"));
	assert_non_null(strstr(html, "<h1>Demande de bon de commande</h1>"));
	assert_non_null(strstr(html, "<b>N\xc2\xb0" FMT_NBSP "2</b>"
	    "émise le 02/03/2026<br>modifie la demande n\xc2\xb0" FMT_NBSP
	    "1</div>"));
	assert_non_null(strstr(html, "période" FMT_NBSP ": mars 2026"));
	assert_non_null(strstr(html, "data-cents=\"1658160\">16" FMT_NNBSP
	    "581,60" FMT_NBSP "€"));
	assert_non_null(strstr(html, "<th>Stagiaires financés</th>"));
	assert_non_null(strstr(html, "du 02/03/2026 au 10/04/2026"));
	assert_non_null(strstr(html, "<td>non (R06)</td>"));
	assert_non_null(strstr(html, "<h2>Dérogations (0)</h2>\n<p>Aucune.</p>"));
	assert_non_null(strstr(html, "counter(page) \" / \" counter(pages)"));
	assert_non_null(strstr(html, "Le mandataire du groupement<br><b>Lead "
	    "Formation</b>, SIRET " TU_LEAD_SIRET));
	assert_non_null(strstr(html, "Fait à "));
	assert_non_null(strstr(html, "Signature et cachet"));
	assert_non_null(strstr(html, "class=\"ok\">valide, signée par la clé "
	    "du mandataire"));
	assert_null(strstr(html, "None."));
	assert_null(strstr(html, "Financed"));
	/* values of ENUM fields by their French labels (schema/entities.def) */
	assert_non_null(strstr(html, "(SIRET " TU_LEAD_SIRET ", Mandataire)"));
	assert_non_null(strstr(html, "<tr><td>1 emploi 1 formation</td>"));
	free(html);
	csv = render(&of, 3);
	assert_memory_equal(csv, FMT_BOM "Lot;Période;Dispositif;Session;", 30);
	assert_non_null(strstr(csv, ";Taux horaire (€);Montant (€);Alertes\r\n"));
	assert_null(strstr(csv, "cost_cents"));
	/* the title a spreadsheet would evaluate, defused and quoted */
	assert_non_null(strstr(csv, ";\"'=HYPERLINK(\"\"x\"\")\";"));
	p = strstr(csv, "\r\nLOT-A;03/2026;1 emploi 1 formation;S1;");
	assert_non_null(p);
	assert_non_null(strstr(p, ";02/03/2026;10/04/2026;P1;;"));
	assert_non_null(strstr(p, ";oui;oui;I1;"));
	assert_non_null(strstr(p, ";14,10;2961,00;\r\n"));
	free(csv);
	order_file_free(&of);
	free(file);
	/* what the file says cannot leave the CSS string of the margin box */
	poke(json_object_get(req, "lot"), "ref", "L\"}</style><p>é");
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_ok(order_parse(file, len, NULL, &of, &d));
	html = render(&of, 4);
	p = strstr(html, "@bottom-left");
	assert_non_null(p);
	assert_non_null(strstr(p, "\\2014  L\\22 \\7d \\3c /style\\3e "
	    "\\3c p\\3e \\e9  \\2014  mars 2026\"}"));
	assert_int_equal(strstr(html, "</style>") - html, strstr(p, "</style>") -
	    html);  /* the one </style> is the page's own */
	free(html);
	order_file_free(&of);
	free(file);
	json_decref(req);
}

/*
 * The statement's CSV: a row per path and part of the month with its
 * rate (two for a path across a change of rate), one with no rate for a
 * path with no hour in the month; its text in French and English.
 */
static void
test_statement_render(void **state)
{
	static const char st_json[] = "{\"lot\":{\"ref\":\"L1\",\"sector\":"
	    "\"Bâtiment\",\"territory\":\"44\",\"rate_cents\":6500},"
	    "\"month\":\"2024-09\",\"rule\":\"r\",\"rates\":[{\"from\":"
	    "\"2024-09-01\",\"to\":\"2024-09-15\",\"rate_cents\":6300,"
	    "\"hours\":50,\"cost_cents\":315000},{\"from\":\"2024-09-16\","
	    "\"to\":\"2024-09-30\",\"rate_cents\":6500,\"hours\":50,"
	    "\"cost_cents\":325000}],\"sessions\":[{\"ref\":\"S1\",\"title\":"
	    "\"=1+1\",\"scheme\":\"socle\",\"provider\":{\"siret\":\"1\","
	    "\"name\":\"P\"},\"start\":\"2024-09-02\",\"end\":\"2024-10-04\","
	    "\"working_days\":25,\"working_days_in_month\":21,\"financed\":2,"
	    "\"hours\":100,\"cost_cents\":640000,\"paths\":[{\"path\":\"P1\","
	    "\"trainee\":\"T1\",\"hours\":120,\"source\":\"attended\","
	    "\"parts\":[{\"from\":"
	    "\"2024-09-01\",\"to\":\"2024-09-15\",\"rate_cents\":6300,"
	    "\"hours\":50,\"minutes\":3010,\"cost_cents\":316050},{\"from\":"
	    "\"2024-09-16\",\"to\":\"2024-09-30\",\"rate_cents\":6500,"
	    "\"hours\":50,\"minutes\":3000,"
	    "\"cost_cents\":325000}]},{\"path\":\"P2\",\"trainee\":\"T2\","
	    "\"start\":\"2024-10-01\",\"hours\":7,\"source\":\"planned\","
	    "\"parts\":[]}]}],"
	    "\"totals\":{\"sessions\":1,\"financed\":2,\"hours\":100,"
	    "\"minutes\":6030,\"cost_cents\":640000}}";
	json_error_t err;
	json_t *st = json_loads(st_json, 0, &err);
	char *out = NULL;
	size_t len = 0;
	FILE *m;

	(void)state;
	assert_non_null(st);
	m = open_memstream(&out, &len);
	assert_ok(statement_write_csv(m, st, FMT_FR));
	fclose(m);
	assert_non_null(strstr(out, "\r\nL1;09/2024;S1;'=1+1;Socle;1;P;02/09/2024;"
	    "04/10/2024;25;21;P1;T1;;120;présence relevée;01/09/2024;15/09/2024;"
	    "63,00;50;3010;3160,50\r\n"));
	assert_non_null(strstr(out, ";P1;T1;;120;présence relevée;16/09/2024;"
	    "30/09/2024;65,00;50;3000;3250,00\r\n"));
	assert_non_null(strstr(out, ";P2;T2;01/10/2024;7;prévues;;;;0;0;0,00\r\n"));
	free(out);
	out = NULL;
	m = open_memstream(&out, &len);
	assert_ok(statement_write_csv(m, st, FMT_EN));
	fclose(m);
	assert_memory_equal(out, "lot,month,session,", 18);
	assert_non_null(strstr(out, ",P1,T1,,120,attended,2024-09-16,2024-09-30,"
	    "6500,50,3000,325000\r\n"));
	free(out);
	out = NULL;
	m = open_memstream(&out, &len);
	assert_ok(statement_write_text(m, st, FMT_FR));
	fclose(m);
	assert_non_null(strstr(out, "Taux de 63,00" FMT_NBSP "€ de l'heure du "
	    "01/09/2024 au 15/09/2024" FMT_NBSP ": 50" FMT_NBSP "h, 3" FMT_NNBSP
	    "150,00" FMT_NBSP "€\n"));
	assert_non_null(strstr(out, "\nRègle" FMT_NBSP ": r\n"));
	/* minutes past the hour are shown, so hours x rate give the amount */
	assert_non_null(strstr(out, "\nTotal" FMT_NBSP ": 1 session, 2 "
	    "stagiaires financés, 100" FMT_NBSP "h" FMT_NBSP "30, 6" FMT_NNBSP
	    "400,00" FMT_NBSP "€\n"));
	assert_non_null(strstr(out, "       100       6" FMT_NNBSP "400,00"));
	free(out);
	out = NULL;
	m = open_memstream(&out, &len);
	assert_ok(statement_write_text(m, st, FMT_EN));
	fclose(m);
	assert_non_null(strstr(out, "rate 63,00 € per hour from 2024-09-01 to "
	    "2024-09-15: 50 h, 3 150,00 €\n"));
	free(out);
	json_decref(st);
}

/* Finds a change of a diff by op and place. */
static const json_t *
find_change(const json_t *diff, const char *op, const char *at)
{
	const json_t *c = json_object_get(diff, "changes"), *x;
	size_t i;

	for (i = 0; i < json_array_size(c); i++) {
		x = json_array_get(c, i);
		if (strcmp(json_string_value(json_object_get(x, "op")), op) == 0 &&
		    strcmp(json_string_value(json_object_get(x, "at")), at) == 0)
			return x;
	}
	return NULL;
}

/* An amendment: a path added and an hour changed show up, nothing else. */
static void
test_diff(void **state)
{
	struct fix *f = *state;
	json_t *a, *b, *diff;
	const json_t *c;
	char *fa, *fb;
	size_t la, lb;

	fa = build(f, &a, &la);
	set(f, "path", "P12", "session", "S1");   /* I6 moves into March */
	set(f, "path", "P2", "hours", "200");
	fb = build(f, &b, &lb);
	assert_ok(order_diff(a, b, &diff));
	assert_true(json_is_true(json_object_get(diff, "same_period")));
	assert_non_null(find_change(diff, "added", "sessions[S1].paths[P12]"));
	assert_non_null(find_change(diff, "added", "lines[P12]"));
	c = find_change(diff, "changed", "sessions[S1].paths[P2].hours");
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "old")), 189);
	assert_int_equal(json_integer_value(json_object_get(c, "new")), 200);
	c = find_change(diff, "changed", "totals.financed");
	assert_non_null(c);
	assert_int_equal(json_integer_value(json_object_get(c, "new")), 11);
	assert_null(find_change(diff, "changed", "sessions[S2].totals.hours"));
	json_decref(diff);
	assert_ok(order_diff(a, a, &diff));
	assert_int_equal(json_array_size(json_object_get(diff, "changes")), 0);
	json_decref(diff);
	free(fa);
	free(fb);
	json_decref(a);
	json_decref(b);
}

/* R18: working days per month; a session's months add up to its hours. */
static void
test_statement(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	int64_t total, prev, thru;
	json_t *mar, *apr, *none;
	const json_t *sm, *sa, *pm, *pa;
	struct store_txn *txn;
	size_t i;

	/*
	 * S1: Monday 2026-03-02 to Friday 2026-04-10: 30 weekdays less
	 * Easter Monday (2026-04-06), 29 working days
	 */
	assert_ok(statement_days("2026-03-02", "2026-04-10", "2026-03-01",
	    "2026-03-31", &total, &prev, &thru));
	assert_int_equal(total, 29);
	assert_int_equal(prev, 0);
	assert_int_equal(thru, 22);
	assert_ok(statement_days("2026-03-02", "2026-04-10", "2026-04-01",
	    "2026-04-30", &total, &prev, &thru));
	assert_int_equal(prev, 22);
	assert_int_equal(thru, 29);
	assert_err(statement_days("2026-02-30", "2026-04-10", "2026-04-01",
	    "2026-04-30", &total, &prev, &thru), E(INVAL));
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(statement_build(txn, &f->n->store, "LOT-A", "2026-03", &mar, &d));
	assert_ok(statement_build(txn, &f->n->store, "LOT-A", "2026-04", &apr, &d));
	assert_err(statement_build(txn, &f->n->store, "LOT-Z", "2026-04", &none,
	    &d), E(NOENT));
	assert_null(none);
	store_abort(txn);
	sm = json_array_get(json_object_get(mar, "sessions"), 0);
	sa = json_array_get(json_object_get(apr, "sessions"), 0);
	assert_string_equal(json_string_value(json_object_get(sm, "ref")), "S1");
	assert_string_equal(json_string_value(json_object_get(sa, "ref")), "S1");
	assert_int_equal(json_integer_value(json_object_get(sm,
	    "working_days_in_month")), 22);
	for (i = 0; i < json_array_size(json_object_get(sm, "paths")); i++) {
		pm = json_array_get(json_object_get(sm, "paths"), i);
		pa = json_array_get(json_object_get(sa, "paths"), i);
		assert_int_equal(json_integer_value(json_object_get(pm,
		    "hours_in_month")) + json_integer_value(json_object_get(pa,
		    "hours_in_month")), json_integer_value(json_object_get(pm,
		    "hours")));
		assert_int_equal(json_integer_value(json_object_get(pm,
		    "cost_cents")), 1410 * json_integer_value(json_object_get(pm,
		    "hours_in_month")));
	}
	/* P1: 210 h x 22 / 29 = 159 h in March */
	pm = json_array_get(json_object_get(sm, "paths"), 0);
	assert_int_equal(json_integer_value(json_object_get(pm,
	    "hours_in_month")), 159);
	/* March: S1 and S2; April: S1 and S3 (one statement covers them all) */
	assert_int_equal(json_array_size(json_object_get(mar, "sessions")), 2);
	assert_int_equal(json_array_size(json_object_get(apr, "sessions")), 2);
	assert_int_equal(json_integer_value(json_object_get(json_object_get(mar,
	    "totals"), "financed")), 10);
	json_decref(mar);
	json_decref(apr);
}

/* Amends LOT-A's rate from a day, as consort set lot does (one edit). */
static void
amend(struct fix *f, const char *cents, const char *since)
{
	const struct schema_type *t = schema_type_by_name("lot");
	struct consort_diag d = { 0 };
	struct field_input in[2];
	struct edit e;
	bool changed;

	in[0].f = schema_field(t, F_lot_rate_cents);
	in[1].f = schema_field(t, F_lot_rate_since);
	assert_ok(schema_parse_text(in[0].f, cents, strlen(cents), &in[0].v, &d));
	assert_ok(schema_parse_text(in[1].f, since, strlen(since), &in[1].v, &d));
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_put(&e, t, "LOT-A", 5, in, 2, PUT_SET, true, &changed,
	    &d));
	assert_ok(edit_commit(&e));
}

/* The canonical text of a request or statement without its state. */
static char *
stateless(const json_t *v)
{
	json_t *c = json_deep_copy(v);
	char *s;
	size_t len;

	assert_non_null(c);
	json_object_del(c, "state");
	assert_ok(jcs_canonical(c, &s, &len));
	json_decref(c);
	return s;
}

/* LOT-A's statement of a month. */
static json_t *
statement(struct fix *f, const char *month)
{
	struct consort_diag d = { 0 };
	struct store_txn *txn;
	json_t *st = NULL;

	assert_ok(store_begin(&f->n->store, false, &txn));
	if (statement_build(txn, &f->n->store, "LOT-A", month, &st, &d) != 0)
		fail_msg("statement %s: %s %s", month, d.where, d.what);
	store_abort(txn);
	return st;
}

/* An integer member of a JSON object. */
static int64_t
num(const json_t *o, const char *key)
{
	return json_integer_value(json_object_get(o, key));
}

/*
 * R14: every path is priced at the rate in force on the day its hours are
 * ordered, so an amendment of the rate leaves the requests and statements
 * of earlier months as they were; the request carries each path's rate
 * and the rates it used; the statement prices the days of each month at
 * their rate, split at a change.
 */
static void
test_rates(void **state)
{
	struct fix *f = *state;
	json_t *mar1, *mar2, *apr, *st1, *st2, *x;
	const json_t *s3, *p, *parts;
	char *a, *b, *file;
	size_t len, i;
	int64_t h, c;

	free(build(f, &mar1, &len));
	st1 = statement(f, "2026-03");
	amend(f, "1500", "2026-04-01");
	free(build(f, &mar2, &len));
	st2 = statement(f, "2026-03");
	a = stateless(mar1);
	b = stateless(mar2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	a = stateless(st1);
	b = stateless(st2);
	assert_string_equal(a, b);
	free(a);
	free(b);
	x = json_object_get(mar2, "lot");
	assert_int_equal(num(x, "rate_cents"), 1410);
	assert_null(json_object_get(x, "rate_since"));
	assert_int_equal(json_array_size(json_object_get(x, "rates")), 1);
	p = json_array_get(json_object_get(json_array_get(json_object_get(mar2,
	    "sessions"), 0), "paths"), 0);
	assert_int_equal(num(p, "rate_cents"), 1410);
	assert_int_equal(num(p, "cost_cents"), 1410 * num(p, "hours"));
	json_decref(mar1);
	json_decref(mar2);
	json_decref(st1);
	json_decref(st2);

	/* April: S3 starts after the amendment (one path: R05 on a platform) */
	set(f, "session", "S3", "permanent_entry", "true");
	file = build_month(f, "2026-04", &apr, &len);
	free(file);
	x = json_object_get(apr, "lot");
	assert_int_equal(num(x, "rate_cents"), 1500);
	assert_string_equal(json_string_value(json_object_get(x, "rate_since")),
	    "2026-04-01");
	x = json_array_get(json_object_get(x, "rates"), 0);
	assert_string_equal(json_string_value(json_object_get(x, "since")),
	    "2026-04-01");
	assert_int_equal(num(json_object_get(apr, "totals"), "cost_cents"),
	    420 * 1500);
	s3 = json_array_get(json_object_get(apr, "sessions"), 0);
	p = json_array_get(json_object_get(s3, "paths"), 0);
	assert_int_equal(num(p, "rate_cents"), 1500);
	assert_string_equal(json_string_value(json_object_get(p, "rate_since")),
	    "2026-04-01");
	json_decref(apr);

	/* a change on 2026-04-20: April's statement splits S3's hours */
	amend(f, "1600", "2026-04-20");
	st1 = statement(f, "2026-04");
	x = json_object_get(st1, "rates");
	assert_int_equal(json_array_size(x), 2);
	assert_string_equal(json_string_value(json_object_get(json_array_get(x,
	    0), "to")), "2026-04-19");
	assert_int_equal(num(json_array_get(x, 1), "rate_cents"), 1600);
	s3 = json_array_get(json_object_get(st1, "sessions"), 1);
	assert_string_equal(json_string_value(json_object_get(s3, "ref")), "S3");
	p = json_array_get(json_object_get(s3, "paths"), 0);
	parts = json_object_get(p, "parts");
	assert_int_equal(json_array_size(parts), 2);
	for (i = 0, h = c = 0; i < 2; i++) {
		x = json_array_get(parts, i);
		assert_int_equal(num(x, "rate_cents"), i == 0 ? 1500 : 1600);
		assert_int_equal(num(x, "cost_cents"), num(x, "hours") *
		    num(x, "rate_cents"));
		h += num(x, "hours");
		c += num(x, "cost_cents");
	}
	/*
	 * S3: 420 h over 56 working days (60 weekdays less 1, 8, 14 and
	 * 25 May); 5 (13-17) then 9 (20-30) in April
	 */
	assert_int_equal(num(json_array_get(parts, 0), "hours"), 37);
	assert_int_equal(h, 105);
	assert_int_equal(num(p, "hours_in_month"), h);
	assert_int_equal(num(p, "cost_cents"), c);
	assert_int_equal(num(json_object_get(st1, "totals"), "cost_cents"),
	    num(json_array_get(json_object_get(st1, "rates"), 0), "cost_cents") +
	    num(json_array_get(json_object_get(st1, "rates"), 1), "cost_cents"));
	json_decref(st1);
}

/* R14: a path ordered on a day no rate of its lot is in force on. */
static void
test_rate_missing(void **state)
{
	struct fix *f = *state;
	struct order_opts o = { "LOT-A", "2026-03", false, NULL, NULL,
	    "2026-03-02" };
	struct consort_diag d = { 0 };
	struct rules_query q;
	struct rules_model *m;
	char from[11], to[11];
	struct store_txn *txn;
	struct edit e;
	json_t *req = NULL;
	size_t i, n = 0;

	amend(f, "1500", "2026-04-01");
	assert_ok(edit_begin(f->n, &e));
	assert_ok(records_delete(&e, schema_type(T_rate), "LOT-A@start", 11,
	    &d));
	assert_ok(edit_commit(&e));
	assert_ok(store_begin(&f->n->store, false, &txn));
	assert_ok(order_query(&f->n->store, f->n->pk, &o, &q, from, to, &d));
	assert_ok(rules_load(txn, &f->n->store, &q, &m, &d));
	assert_ok(rules_check(txn, m));
	/* one error per day: S1 starts on 2026-03-02, S2 on 2026-03-09 */
	for (i = 0; i < m->nresults; i++) {
		if (strcmp(m->results[i].rule, "R14") != 0)
			continue;
		assert_int_equal(m->results[i].level, LEVEL_ERROR);
		assert_string_equal(m->results[i].ref, "LOT-A");
		assert_string_equal(m->results[i].session, "");
		assert_non_null(strstr(m->results[i].what, n == 0 ?
		    "no hourly rate in force on 2026-03-02" :
		    "no hourly rate in force on 2026-03-09"));
		n++;
	}
	assert_int_equal(n, 2);
	assert_int_equal(m->errors, 2);
	assert_err(order_request(txn, f->n, m, &o, &req, &d), E(PERM));
	assert_null(req);
	rules_free(m);
	store_abort(txn);
}

/* The path of a request with a ref, in any session, or NULL. */
static const json_t *
request_path(const json_t *req, const char *ref, const char **session)
{
	static const char *const lists[] = { "sessions", "socle" };
	const json_t *x, *p;
	size_t l, i, k;

	for (l = 0; l < nitems(lists); l++)
		for (i = 0; i < json_array_size(json_object_get(req, lists[l]));
		    i++) {
			x = json_array_get(json_object_get(req, lists[l]), i);
			for (k = 0; k < json_array_size(json_object_get(x,
			    "paths")); k++) {
				p = json_array_get(json_object_get(x, "paths"), k);
				if (strcmp(json_string_value(json_object_get(p,
				    "ref")), ref) != 0)
					continue;
				*session = json_string_value(json_object_get(x,
				    "ref"));
				return p;
			}
		}
	return NULL;
}

/*
 * A complementary path (its own start, in a later month than its
 * session's) is ordered in the month it starts, at the rate in force that
 * day, with its session carrying only it; not in its session's month; the
 * statement counts it from its own start.
 */
static void
test_complementary(void **state)
{
	struct fix *f = *state;
	json_t *mar, *apr, *st;
	const json_t *p, *s1 = NULL, *x;
	const char *session = NULL;
	size_t i;

	set(f, "trainee", "T13", "status", "job_seeker");
	set(f, "intent", "I7", "employer", "B\xc3\xa2ti Ouest");
	set(f, "intent", "I7", "siret", "64152677700041");
	set(f, "intent", "I7", "employer_kind", "company");
	set(f, "intent", "I7", "contract", "CDI");
	set(f, "intent", "I7", "weekly_hours", "35");
	set(f, "intent", "I7", "date", "2026-03-20");
	set(f, "intent", "I7", "evidence", "email 2026-03-20");
	set(f, "intent", "I7", "steps", "interview");
	set(f, "path", "P13", "session", "S1");
	set(f, "path", "P13", "trainee", "T13");
	set(f, "path", "P13", "intent", "I7");
	set(f, "path", "P13", "hours", "60");
	set(f, "path", "P13", "financed", "true");
	set(f, "path", "P13", "start", "2026-04-01");
	set(f, "session", "S3", "permanent_entry", "true");
	amend(f, "1500", "2026-04-01");

	/* March: S1 without P13 */
	free(build(f, &mar, &i));
	assert_null(request_path(mar, "P13", &session));
	assert_int_equal(num(json_object_get(mar, "totals"), "financed"), 10);
	json_decref(mar);
	/* April: S1 carries only P13, at April's rate; S3 as before */
	free(build_month(f, "2026-04", &apr, &i));
	x = json_object_get(apr, "sessions");
	assert_int_equal(json_array_size(x), 2);
	for (i = 0; i < json_array_size(x); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(x,
		    i), "ref")), "S1") == 0)
			s1 = json_array_get(x, i);
	assert_non_null(s1);
	assert_int_equal(json_array_size(json_object_get(s1, "paths")), 1);
	assert_int_equal(num(json_object_get(s1, "totals"), "cost_cents"),
	    60 * 1500);
	p = request_path(apr, "P13", &session);
	assert_non_null(p);
	assert_string_equal(session, "S1");
	assert_string_equal(json_string_value(json_object_get(p, "start")),
	    "2026-04-01");
	assert_int_equal(num(p, "rate_cents"), 1500);
	assert_int_equal(num(json_object_get(apr, "totals"), "cost_cents"),
	    (60 + 420) * 1500);
	json_decref(apr);
	/* the statement counts P13 from its own start, not before */
	st = statement(f, "2026-03");
	x = json_object_get(json_array_get(json_object_get(st, "sessions"), 0),
	    "paths");
	for (i = 0; i < json_array_size(x); i++)
		assert_string_not_equal(json_string_value(json_object_get(
		    json_array_get(x, i), "path")), "P13");
	json_decref(st);
	st = statement(f, "2026-04");
	x = json_object_get(json_array_get(json_object_get(st, "sessions"), 0),
	    "paths");
	for (i = 0, p = NULL; i < json_array_size(x); i++)
		if (strcmp(json_string_value(json_object_get(json_array_get(x,
		    i), "path")), "P13") == 0)
			p = json_array_get(x, i);
	assert_non_null(p);
	assert_int_equal(num(p, "hours_in_month"), 60);
	assert_int_equal(num(p, "cost_cents"), 60 * 1500);
	json_decref(st);
}

/*
 * R08: a path aiming at another certification than its session's carries
 * it in the request; one aiming at its session's carries none.
 */
static void
test_path_certification(void **state)
{
	struct fix *f = *state;
	const char *session;
	const json_t *p, *c;
	json_t *req;
	size_t len;

	set(f, "path", "P3", "cert_kind", "block");
	set(f, "path", "P3", "cert_code", "RNCP35781BC03");
	set(f, "path", "P4", "cert_kind", "full");
	set(f, "path", "P4", "cert_code", "RNCP38510");  /* S1's */
	free(build(f, &req, &len));
	p = request_path(req, "P3", &session);
	assert_non_null(p);
	c = json_object_get(p, "certification");
	assert_non_null(c);
	assert_string_equal(json_string_value(json_object_get(c, "kind")),
	    "block");
	assert_string_equal(json_string_value(json_object_get(c, "code")),
	    "RNCP35781BC03");
	p = request_path(req, "P4", &session);
	assert_null(json_object_get(p, "certification"));
	p = request_path(req, "P1", &session);
	assert_null(json_object_get(p, "certification"));
	json_decref(req);
}

/* Submits a signed file in its own edit; returns what order_submit did. */
static int
submit(struct fix *f, const char *file, size_t len, char *ref, size_t reflen,
    bool *already)
{
	struct consort_diag d = { 0 };
	struct order_file of;
	struct edit e;
	int rc;

	assert_ok(order_parse(file, len, NULL, &of, &d));
	assert_ok(edit_begin(f->n, &e));
	rc = order_submit(&e, &of, ref, reflen, already, &d);
	if (rc == 0)
		assert_ok(edit_commit(&e));
	else
		edit_abort(&e);
	order_file_free(&of);
	return rc;
}

/*
 * The refs of orders and notices are never cut: two requests of different
 * months for a lot with a 126-byte ref each got the ref "O-" and the lot
 * (the second "already submitted"); now a lot ref that does not leave
 * room for them is refused, and one that does gives whole refs.
 */
static void
test_long_lot_ref(void **state)
{
	struct fix *f = *state;
	struct order_opts o = { NULL, "2026-03", false, NULL, NULL,
	    "2026-03-02" };
	struct consort_diag d = { 0 };
	struct rules_query q;
	char lot[CONSORT_REF_MAX + 1], ref[CONSORT_REF_MAX + 1], from[11], to[11];
	char hex[65], *file;
	json_t *req;
	size_t len;
	bool already;

	file = build(f, &req, &len);
	free(file);
	memset(lot, 'L', 126);
	lot[126] = '\0';
	assert_ok(json_object_set_new(json_object_get(req, "lot"), "ref",
	    json_string(lot)));
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_err(submit(f, file, len, ref, sizeof(ref), &already), E(TOOBIG));
	free(file);
	assert_ok(json_object_set_new(req, "period", json_string("2026-04")));
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	assert_err(submit(f, file, len, ref, sizeof(ref), &already), E(TOOBIG));
	free(file);
	/* a build for such a lot is refused at once, with a reason */
	o.lot = lot;
	assert_err(order_query(&f->n->store, f->n->pk, &o, &q, from, to, &d),
	    E(TOOBIG));
	assert_non_null(strstr(d.what, "126 bytes"));
	/* the longest lot ref that can be ordered gives whole refs */
	lot[ORDER_LOT_REF_MAX] = '\0';
	assert_ok(order_query(&f->n->store, f->n->pk, &o, &q, from, to, &d));
	memset(hex, 'a', 64);
	hex[64] = '\0';
	assert_ok(order_ref(ref, sizeof(ref), lot, "2026-03", hex, &d));
	assert_int_equal(strlen(ref), 2 + ORDER_LOT_REF_MAX + 9 + 12);
	assert_memory_equal(ref + 2 + ORDER_LOT_REF_MAX, "-2026-03-aaaaaaaaaaaa",
	    21);
	lot[ORDER_LOT_REF_MAX] = 'L';
	lot[ORDER_LOT_REF_MAX + 4] = '\0';
	assert_err(order_ref(ref, sizeof(ref), lot, "2026-03", hex, &d),
	    E(TOOBIG));
	json_decref(req);
}

/* Periods are YYYY-MM months; their bounds are the month's first and last days. */
static void
test_periods(void **state)
{
	char from[11], to[11];

	(void)state;
	assert_true(order_period_valid("2026-03"));
	assert_true(order_period_valid("2026-12"));
	assert_false(order_period_valid("2026-13"));
	assert_false(order_period_valid("2026-00"));
	assert_false(order_period_valid("2026-3"));
	assert_false(order_period_valid("2026/03"));
	order_month_bounds("2028-02", from, to);
	assert_string_equal(from, "2028-02-01");
	assert_string_equal(to, "2028-02-29");
	order_month_bounds("2026-04", from, to);
	assert_string_equal(to, "2026-04-30");
}


/* Builds and signs the Region's decision on a signed request file. */
static char *
decide(const char *file, size_t len, const struct decision_opts *o,
    const uint8_t *pk, const uint8_t *sk, size_t *dlen)
{
	struct consort_diag d = { 0 };
	struct order_file rq;
	json_t *body;
	char *out;

	assert_ok(order_parse(file, len, NULL, &rq, &d));
	if (decision_build(&rq, o, &body, &d) != 0)
		fail_msg("decision_build: %s %s", d.where, d.what);
	order_file_free(&rq);
	assert_ok(order_sign_as("decision", body, pk, sk, &out, dlen));
	json_decref(body);
	return out;
}

/*
 * The Region's decision: what it is about copied from the request (its
 * SHA-256, lot, period, number when it has one, total cost), signed in
 * the request's form under "decision", and failing after any byte of it
 * changes or with another key.
 */
static void
test_decision(void **state)
{
	struct fix *f = *state;
	struct decision_opts acc = { true, "BDC-2026-0042", NULL, "2026-04-15" };
	struct decision_opts ref = { false, NULL, "Pi\xc3\xa8""ces manquantes",
		"2026-04-16" };
	struct consort_diag d = { 0 };
	struct order_file rq, of;
	struct decision x;
	uint8_t pk[32], sk[64], other[32];
	char *file, *dec, hex[65];
	json_t *req, *body;
	size_t len, dlen, i, start = strlen("{\"decision\":"), end;

	crypto_sign_keypair(pk, sk);
	file = build(f, &req, &len);
	assert_ok(order_parse(file, len, NULL, &rq, &d));
	util_hex(hex, rq.hash, 32);
	dec = decide(file, len, &acc, pk, sk, &dlen);
	assert_ok(order_parse_as("decision", dec, dlen, NULL, &of, &d));
	assert_true(of.valid);
	assert_string_equal(of.member, "decision");
	assert_memory_equal(of.file_key, pk, 32);
	assert_ok(decision_read(of.decision, &x, &d));
	assert_string_equal(x.request, hex);
	assert_string_equal(x.lot, "LOT-A");
	assert_string_equal(x.period, "2026-03");
	assert_string_equal(x.date, "2026-04-15");
	assert_true(x.accepted);
	assert_string_equal(x.number, "BDC-2026-0042");
	assert_int_equal(x.amount_cents, json_integer_value(json_object_get(
	    json_object_get(req, "totals"), "cost_cents")));
	assert_true(x.has_request_number);
	assert_int_equal(x.request_number, 1);
	assert_null(json_object_get(of.decision, "reason"));
	/* the file is canonical: the body's bytes are the signed bytes */
	end = start + of.canonical_len;
	assert_memory_equal(dec, "{\"decision\":", start);
	assert_memory_equal(dec + start, of.canonical, of.canonical_len);
	assert_memory_equal(dec + end, ",\"signature\":", 13);
	order_file_free(&of);
	for (i = start; i < end; i++) {
		dec[i] ^= 0x01;
		if (order_parse_as("decision", dec, dlen, NULL, &of, &d) == 0) {
			if (of.valid)
				fail_msg("byte %zu changed, signature still valid", i);
			order_file_free(&of);
		}
		dec[i] ^= 0x01;
	}
	/* another key does not verify it; a reader that asks either finds it */
	memset(other, 3, sizeof(other));
	assert_ok(order_parse_as("decision", dec, dlen, other, &of, &d));
	assert_false(of.valid);
	order_file_free(&of);
	assert_ok(order_parse_as(NULL, dec, dlen, NULL, &of, &d));
	assert_string_equal(of.member, "decision");
	order_file_free(&of);
	assert_ok(order_parse_as(NULL, file, len, NULL, &of, &d));
	assert_string_equal(of.member, "request");
	order_file_free(&of);
	/* a decision is not a request, nor a request a decision */
	assert_err(order_parse(dec, dlen, NULL, &of, &d), E(SCHEMA));
	assert_err(order_parse_as("decision", file, len, NULL, &of, &d),
	    E(SCHEMA));
	assert_non_null(strstr(d.hint, "decision.schema.json"));
	free(dec);
	/* a refusal carries its reason, no order */
	dec = decide(file, len, &ref, pk, sk, &dlen);
	assert_ok(order_parse_as("decision", dec, dlen, NULL, &of, &d));
	assert_ok(decision_read(of.decision, &x, &d));
	assert_false(x.accepted);
	assert_string_equal(x.reason, "Pi\xc3\xa8""ces manquantes");
	assert_null(json_object_get(of.decision, "order"));
	order_file_free(&of);
	free(dec);
	/* a request that has a number: the decision names it */
	assert_ok(json_object_set_new(req, "number", json_integer(3)));
	free(file);
	assert_ok(order_sign(req, f->n->pk, f->n->sk, &file, &len));
	dec = decide(file, len, &acc, pk, sk, &dlen);
	assert_ok(order_parse_as("decision", dec, dlen, NULL, &of, &d));
	assert_ok(decision_read(of.decision, &x, &d));
	assert_true(x.has_request_number);
	assert_int_equal(x.request_number, 3);
	order_file_free(&of);
	free(dec);
	/* an answer decision_read would refuse is not built */
	acc.number = "";
	assert_err(decision_build(&rq, &acc, &body, &d), E(SCHEMA));
	assert_null(body);
	assert_string_equal(d.where, "decision.order.number");
	ref.reason = "tab\there";
	assert_err(decision_build(&rq, &ref, &body, &d), E(SCHEMA));
	assert_string_equal(d.where, "decision.reason");
	order_file_free(&rq);
	free(file);
	json_decref(req);
}

/* Reads a decision body from JSON text; returns decision_read's result. */
static int
read_text(const char *text, struct consort_diag *d)
{
	json_error_t err;
	json_t *b = json_loads(text, 0, &err);
	struct decision x;
	int rc;

	if (b == NULL)
		fail_msg("%s: %s", text, err.text);
	rc = decision_read(b, &x, d);
	json_decref(b);
	return rc;
}

/* Every member of a decision is checked, and nothing else may be there. */
static void
test_decision_read(void **state)
{
	static const struct {
		const char *body;   /* between the common members and "}" */
		const char *where;  /* NULL: accepted */
	} cases[] = {
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\"B-1\","
		    "\"amount_cents\":0}", NULL },
		{ ",\"verdict\":\"refused\",\"reason\":\"l1\\nl2\"", NULL },
		{ ",\"number\":7,\"verdict\":\"refused\",\"reason\":\"r\"", NULL },
		/* 40 characters of two bytes each */
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\""
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9\xc3\xa9"
		    "\",\"amount_cents\":1}", NULL },
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\""
		    "12345678901234567890123456789012345678901\",\"amount_cents\":1}",
		    "decision.order.number" },
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\"a\\u0085\","
		    "\"amount_cents\":1}", "decision.order.number" },
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\"a\","
		    "\"amount_cents\":-1}", "decision.order.amount_cents" },
		{ ",\"verdict\":\"accepted\",\"order\":{\"number\":\"a\","
		    "\"amount_cents\":1,\"x\":1}", "decision.order" },
		{ ",\"verdict\":\"accepted\",\"reason\":\"r\",\"order\":{\"number\":"
		    "\"a\",\"amount_cents\":1}", "decision" },
		{ ",\"verdict\":\"refused\"", "decision.reason" },
		{ ",\"verdict\":\"refused\",\"reason\":\"\"", "decision.reason" },
		{ ",\"verdict\":\"refused\",\"reason\":\"a\\tb\"", "decision.reason" },
		{ ",\"verdict\":\"refused\",\"reason\":\"r\",\"order\":{}",
		    "decision" },
		{ ",\"verdict\":\"maybe\",\"reason\":\"r\"", "decision.verdict" },
		{ ",\"number\":0,\"verdict\":\"refused\",\"reason\":\"r\"",
		    "decision.number" },
		{ ",\"number\":\"2\",\"verdict\":\"refused\",\"reason\":\"r\"",
		    "decision.number" },
		{ ",\"verdict\":\"refused\",\"reason\":\"r\",\"extra\":1",
		    "decision" },
	};
	static const char common[] = "{\"format\":\"consort-decision/1\","
	    "\"request\":\"%s\",\"lot\":\"%s\",\"period\":\"%s\",\"date\":\"%s\"%s}";
	static const char hash[] =
	    "44b63cd57a882d3744342f3637fc85a5adb3d1c29e21d45230adf4742363fea0";
	struct consort_diag d = { 0 };
	char text[1024], upper[65];
	size_t i;
	int rc;

	(void)state;
	for (i = 0; i < nitems(cases); i++) {
		snprintf(text, sizeof(text), common, hash, "LOT-A", "2026-03",
		    "2026-04-15", cases[i].body);
		memset(&d, 0, sizeof(d));
		rc = read_text(text, &d);
		if (cases[i].where == NULL && rc != 0)
			fail_msg("case %zu refused: %s %s", i, d.where, d.what);
		if (cases[i].where != NULL && (rc != E(SCHEMA) ||
		    strcmp(d.where, cases[i].where) != 0))
			fail_msg("case %zu: %d at %s, expected %s", i, rc, d.where,
			    cases[i].where);
	}
	/* what it is about: the request's SHA-256, lot, period, date */
	for (i = 0; i < 64; i++)
		upper[i] = (char)(hash[i] >= 'a' ? hash[i] - 32 : hash[i]);
	upper[64] = '\0';
	snprintf(text, sizeof(text), common, upper, "LOT-A", "2026-03",
	    "2026-04-15", ",\"verdict\":\"refused\",\"reason\":\"r\"");
	assert_err(read_text(text, &d), E(SCHEMA));
	assert_string_equal(d.where, "decision.request");
	snprintf(text, sizeof(text), common, hash, "", "2026-03", "2026-04-15",
	    ",\"verdict\":\"refused\",\"reason\":\"r\"");
	assert_err(read_text(text, &d), E(SCHEMA));
	assert_string_equal(d.where, "decision.lot");
	snprintf(text, sizeof(text), common, hash, "LOT-A", "2026-13",
	    "2026-04-15", ",\"verdict\":\"refused\",\"reason\":\"r\"");
	assert_err(read_text(text, &d), E(SCHEMA));
	assert_string_equal(d.where, "decision.period");
	snprintf(text, sizeof(text), common, hash, "LOT-A", "2026-03",
	    "2026-02-30", ",\"verdict\":\"refused\",\"reason\":\"r\"");
	assert_err(read_text(text, &d), E(SCHEMA));
	assert_string_equal(d.where, "decision.date");
	assert_err(read_text("{\"format\":\"consort-decision/2\"}", &d),
	    E(SCHEMA));
	assert_string_equal(d.where, "decision.format");
	assert_true(decision_reason_valid("x"));
	assert_false(decision_reason_valid(NULL));
	assert_false(decision_number_valid("a\x7f"));
	assert_false(decision_number_valid("\xff"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_jcs),
		cmocka_unit_test(test_periods),
		cmocka_unit_test_setup_teardown(test_request_content, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_deterministic, setup, teardown),
		cmocka_unit_test_setup_teardown(test_signature, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv, setup, teardown),
		cmocka_unit_test_setup_teardown(test_csv_long_warning, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_csv_formulas, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_signer, setup, teardown),
		cmocka_unit_test_setup_teardown(test_html, setup, teardown),
		cmocka_unit_test_setup_teardown(test_french, setup, teardown),
		cmocka_unit_test(test_statement_render),
		cmocka_unit_test_setup_teardown(test_diff, setup, teardown),
		cmocka_unit_test_setup_teardown(test_statement, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rates, setup, teardown),
		cmocka_unit_test_setup_teardown(test_rate_missing, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_complementary, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_path_certification, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_long_lot_ref, setup,
		    teardown),
		cmocka_unit_test_setup_teardown(test_decision, setup, teardown),
		cmocka_unit_test(test_decision_read),
	};

	return cmocka_run_group_tests_name("order", tests, tu_group_setup, NULL);
}
