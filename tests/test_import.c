/*
 * Unit tests of import.c: JSON Lines and CSV files imported into a node
 * (all or nothing, skipping bad lines, references, batches), and
 * import_check_line, the entry point of the import fuzzers, with no node.
 */

#include "node_fixture.h"

/* A second import of the same file appends nothing and keeps the state hash. */
static void
test_import_idempotent(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"lot\",\"ref\":\"LOT-02\","
	    "\"sector\":\"Num\xc3\xa9rique\","
	    "\"territory\":\"72\",\"rate_cents\":1215}\n"
	    T02
	    "{\"type\":\"session\",\"ref\":\"S000001\",\"provider\":\""
	    TU_LEAD_SIRET "\",\"lot\":\"LOT-02\",\"title\":\"Soudure\"}\n"
	    "\n"
	    "{\"type\":\"path\",\"ref\":\"P000001\",\"trainee\":\"T000002\","
	    "\"session\":\"S000001\",\"hours\":176,\"financed\":true}\n";
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_ok(nf_import_text(f, "data.jsonl", text, NULL, false, &res,
	    &bad));
	assert_int_equal(res.lines, 6);
	assert_int_equal(res.records, 5);
	assert_int_equal(res.changed, 5);
	assert_int_equal(res.bad, 0);
	assert_int_equal(res.changesets, 1);
	assert_int_equal(bad.n, 0);
	assert_int_equal(nf_own_seq(f->n), 2);
	assert_string_equal(nf_shown(f->n, "path", "P000001", "hours"), "176");
	assert_string_equal(nf_shown(f->n, "session", "S000001", "lot"),
	    "LOT-02");
	tu_state_hash(&f->n->store, h1);

	assert_ok(nf_import_text(f, "data.jsonl", text, NULL, false, &res,
	    &bad));
	assert_int_equal(res.records, 5);
	assert_int_equal(res.changed, 0);
	assert_int_equal(res.changesets, 0);
	assert_int_equal(nf_own_seq(f->n), 2);
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
}

/* A file with one bad line is refused whole: nothing is written. */
static void
test_import_all_or_nothing(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"trainee\",\"ref\":\"T1\",\"status\":\"retired\"}\n"
	    T02;
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	tu_state_hash(&f->n->store, h1);
	assert_err(nf_import_text(f, "bad.jsonl", text, NULL, false, &res,
	    &bad), E(SCHEMA));
	assert_int_equal(res.bad, 1);
	assert_int_equal(res.changesets, 0);
	nf_expect_one_bad(f, &bad, "bad.jsonl", 2, "field status");
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_int_equal(nf_own_seq(f->n), 1);
	assert_int_equal(nf_count(f->n, T_lot), 0);
	assert_int_equal(nf_count(f->n, T_trainee), 0);
}

/* With skip_bad the good lines are imported and the bad one left out. */
static void
test_import_skip_bad(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"trainee\",\"ref\":\"T1\",\"status\":\"retired\"}\n"
	    "not json\n"
	    T02;
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_ok(nf_import_text(f, "skip.jsonl", text, NULL, true, &res,
	    &bad));
	assert_int_equal(res.lines, 4);
	assert_int_equal(res.bad, 2);
	assert_int_equal(res.records, 2);
	assert_int_equal(res.changed, 2);
	assert_int_equal(res.changesets, 1);
	assert_int_equal(bad.n, 2);
	assert_non_null(strstr(bad.where[1], "skip.jsonl:3"));
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "rate_cents"),
	    "1410");
	assert_string_equal(nf_shown(f->n, "trainee", "T000002", "status"),
	    "job_seeker");
	assert_false(nf_lookup(f->n, "trainee", "T1", "status", NULL, 0));
	assert_int_equal(nf_count(f->n, T_trainee), 1);
}

/* One ref twice in a file is refused, naming both lines. */
static void
test_import_duplicate_ref(void **state)
{
	static const char text[] = LOT01
	    "{\"type\":\"lot\",\"ref\":\"LOT-02\",\"sector\":\"x\"}\n"
	    "{\"type\":\"lot\",\"ref\":\"LOT-01\",\"sector\":\"y\"}\n";
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_err(nf_import_text(f, "dup.jsonl", text, NULL, false, &res,
	    &bad), E(SCHEMA));
	nf_expect_one_bad(f, &bad, "dup.jsonl", 3, "already appears on line 1");
	assert_int_equal(nf_own_seq(f->n), 1);
	/* the same ref under another type is another record */
	assert_ok(nf_import_text(f, "two.jsonl",
	    "{\"type\":\"lot\",\"ref\":\"X1\",\"sector\":\"x\"}\n"
	    "{\"type\":\"trainee\",\"ref\":\"X1\",\"family_name\":\"x\"}\n",
	    NULL, false, &res, &bad));
	assert_int_equal(res.records, 2);
}

/* A reference must name a record earlier in the file (or in the store). */
static void
test_import_reference_order(void **state)
{
	static const char later[] =
	    "{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T000002\"}\n"
	    T02;
	static const char earlier[] = T02
	    "{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T000002\"}\n";
	static const char stored[] =
	    "{\"type\":\"path\",\"ref\":\"P2\",\"trainee\":\"T000002\"}\n";
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_err(nf_import_text(f, "later.jsonl", later, NULL, false, &res,
	    &bad),
	    E(SCHEMA));
	nf_expect_one_bad(f, &bad, "later.jsonl", 1, "no trainee \"T000002\"");
	assert_int_equal(nf_own_seq(f->n), 1);
	assert_ok(nf_import_text(f, "earlier.jsonl", earlier, NULL, false, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	assert_ok(nf_import_text(f, "stored.jsonl", stored, NULL, false, &res,
	    &bad));
	assert_int_equal(res.changed, 1);
	assert_int_equal(nf_count(f->n, T_path), 2);
}

/* JSON lines that are not records of an importable type are refused. */
static void
test_import_jsonl_refusals(void **state)
{
	static const char *const lines[] = {
		"{\"type\":\"member\",\"ref\":\"" TU_LEAD_SIRET "\","
		    "\"name\":\"x\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"color\":\"red\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":14.5}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":\"1410\"}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"sector\":[\"a\"]}",
		"{\"type\":\"lot\",\"ref\":\"L\",\"sector\":\"a\","
		    "\"sector\":\"b\"}",
		"{\"type\":\"lot\",\"sector\":\"a\"}",
		"{\"type\":\"lot\",\"ref\":7}",
		"[1,2]",
		"{\"type\":\"lot\",\"ref\":\"L\"",
	};
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;
	char text[256];
	size_t i;

	for (i = 0; i < nitems(lines); i++) {
		snprintf(text, sizeof(text), "%s\n", lines[i]);
		if (nf_import_text(f, "one.jsonl", text, NULL, false, &res,
		    &bad) != E(SCHEMA) || res.bad != 1 || bad.n != 1)
			fail_msg("line accepted: %s", lines[i]);
	}
	assert_int_equal(nf_own_seq(f->n), 1);
}

/* JSON null unsets a field. */
static void
test_import_null_unsets(void **state)
{
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_ok(nf_import_text(f, "a.jsonl", LOT01, NULL, false, &res, &bad));
	assert_ok(nf_import_text(f, "b.jsonl",
	    "{\"type\":\"lot\",\"ref\":\"LOT-01\","
	    "\"territory\":null}\n", NULL, false, &res, &bad));
	assert_int_equal(res.changed, 1);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "territory"),
	    "(none)");
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "rate_cents"),
	    "1410");
}

/* CSV: a header row, quoted cells with commas, quotes and UTF-8. */
static void
test_import_csv(void **state)
{
	static const char text[] =
	    "ref,sector,territory,rate_cents\n"
	    "LOT-01,\"B\xc3\xa2timent, travaux publics\",44,1410\n"
	    "LOT-02,\"Dit \"\"num\xc3\xa9rique\"\"\",72,1215\n"
	    "LOT-03,Propret\xc3\xa9,,1365\n";
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_ok(nf_import_text(f, "lots.csv", text, "lot", false, &res,
	    &bad));
	assert_int_equal(res.records, 3);
	assert_int_equal(res.changed, 3);
	assert_int_equal(res.bad, 0);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "sector"),
	    "B\xc3\xa2timent, travaux publics");
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "rate_cents"),
	    "1410");
	assert_string_equal(nf_shown(f->n, "lot", "LOT-02", "sector"),
	    "Dit \"num\xc3\xa9rique\"");
	/* an empty cell leaves the field unset */
	assert_string_equal(nf_shown(f->n, "lot", "LOT-03", "territory"),
	    "(none)");
	/* and leaves an existing value alone */
	assert_ok(nf_import_text(f, "again.csv", "ref,territory,rate_cents\n"
	    "LOT-01,,1411\n", "lot", false, &res, &bad));
	assert_int_equal(res.changed, 1);
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "territory"), "44");
	assert_string_equal(nf_shown(f->n, "lot", "LOT-01", "rate_cents"),
	    "1411");
}

/* Asserts the import reported one bad row of a sheet, DIR/name, about what. */
static void
expect_one_bad_row(struct nf_fix *f, const struct nf_badlog *bad,
    const char *name, const char *what)
{
	char where[4300];

	snprintf(where, sizeof(where), "%s/%s", f->dir, name);
	assert_int_equal(bad->n, 1);
	assert_string_equal(bad->where[0], where);
	if (strstr(bad->what[0], what) == NULL)
		fail_msg("bad row says \"%s\", not \"%s\"", bad->what[0], what);
}

/* CSV rows with the wrong number of cells, and bad headers, are refused. */
static void
test_import_csv_refusals(void **state)
{
	uint8_t h1[CONSORT_HASH_BYTES], h2[CONSORT_HASH_BYTES];
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	tu_state_hash(&f->n->store, h1);
	assert_err(nf_import_text(f, "cells.csv", "ref,sector,territory\n"
	    "LOT-01,a,44\n" "LOT-02,b\n" "LOT-03,c,72\n", "lot", false, &res,
	    &bad), E(SCHEMA));
	assert_int_equal(res.bad, 1);
	expect_one_bad_row(f, &bad, "cells.csv",
	    "row 3: 2 cells where the header has 3");
	assert_err(nf_import_text(f, "cells2.csv", "ref,sector\n"
	    "LOT-01,a,extra\n", "lot", false, &res, &bad), E(SCHEMA));
	assert_int_equal(res.bad, 1);
	assert_err(nf_import_text(f, "col.csv", "ref,color\nLOT-01,red\n",
	    "lot", false, &res, &bad), E(SCHEMA));
	assert_err(nf_import_text(f, "noref.csv", "sector\nx\n", "lot", false,
	    &res, &bad), E(SCHEMA));
	assert_err(nf_import_text(f, "value.csv",
	    "ref,rate_cents\nLOT-01,cheap\n",
	    "lot", false, &res, &bad), E(SCHEMA));
	assert_err(nf_import_text(f, "quote.csv", "ref,sector\nLOT-01,\"a\"b\n",
	    "lot", false, &res, &bad), E(SCHEMA));
	/* a quote never closed would swallow the rest of the file */
	assert_err(nf_import_text(f, "open.csv", "ref,sector\nLOT-01,\"open\n"
	    "LOT-02,b\n", "lot", false, &res, &bad), E(SCHEMA));
	assert_err(nf_import_text(f, "notype.csv", "ref,sector\nLOT-01,a\n",
	    NULL, false, &res, &bad), E(INVAL));
	tu_state_hash(&f->n->store, h2);
	assert_memory_equal(h1, h2, CONSORT_HASH_BYTES);
	assert_int_equal(nf_own_seq(f->n), 1);
	/* skip_bad keeps the good rows of the first file */
	assert_ok(nf_import_text(f, "cells.csv", "ref,sector,territory\n"
	    "LOT-01,a,44\n" "LOT-02,b\n" "LOT-03,c,72\n", "lot", true, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	assert_int_equal(nf_count(f->n, T_lot), 2);
}

/*
 * Attendance from a register with no ref column: each row's ref is its
 * path and day or month, so a second import of the register, or of one of
 * its lines again, is the same records; a row naming neither day nor
 * month is refused.
 */
static void
test_import_csv_attendance(void **state)
{
	static const char base[] = LOT01
	    "{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\""
	    TU_LEAD_SIRET "\",\"lot\":\"LOT-01\",\"title\":\"Soudure\"}\n"
	    "{\"type\":\"path\",\"ref\":\"P1\",\"session\":\"S1\","
	    "\"hours\":100}\n";
	static const char reg[] = "path,date,month,hours,minutes\n"
	    "P1,2026-05-04,,7,\n"
	    "P1,2026-05-05,,3,30\n"
	    "P1,,2026-04,20,\n";
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;

	assert_ok(nf_import_text(f, "base.jsonl", base, NULL, false, &res,
	    &bad));
	assert_ok(nf_import_text(f, "reg.csv", reg, "attendance", false, &res,
	    &bad));
	assert_int_equal(res.changed, 3);
	assert_string_equal(nf_shown(f->n, "attendance", "P1@2026-05-05",
	    "minutes"), "30");
	assert_string_equal(nf_shown(f->n, "attendance", "P1@2026-04",
	    "hours"), "20");
	assert_ok(nf_import_text(f, "reg.csv", reg, "attendance", false, &res,
	    &bad));
	assert_int_equal(res.changed, 0);
	assert_ok(nf_import_text(f, "one.csv", "ref,path,date,hours\n"
	    "P1@2026-05-04,P1,2026-05-04,6\n", "attendance", false, &res,
	    &bad));
	assert_int_equal(res.changed, 1);
	assert_int_equal(nf_count(f->n, T_attendance), 3);
	assert_string_equal(nf_shown(f->n, "attendance", "P1@2026-05-04",
	    "hours"), "6");
	assert_err(nf_import_text(f, "noday.csv", "path,hours\nP1,7\n",
	    "attendance", false, &res, &bad), E(SCHEMA));
	expect_one_bad_row(f, &bad, "noday.csv", "row 2: no ref, and none made");
	assert_err(nf_import_text(f, "other.csv", "ref,path,date,hours\n"
	    "P1@2026-05-06,P1,2026-05-07,7\n", "attendance", false, &res,
	    &bad), E(SCHEMA));
	assert_int_equal(nf_count(f->n, T_attendance), 3);
}

/* Import in small batches gives the same records as one change-set. */
static void
test_import_batches(void **state)
{
	struct nf_fix *f = *state;
	struct import_opts o;
	struct import_result res;
	struct consort_diag d = { 0 };
	struct node *other;
	char path[4200], *j1, *j2;
	FILE *fp;
	int i;

	tu_path(path, sizeof(path), f->dir, "many.jsonl");
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 1; i <= 25; i++)
		fprintf(fp, "{\"type\":\"trainee\",\"ref\":\"T%03d\","
		    "\"family_name\":\"N%d\",\"birth_year\":%d}\n", i, i,
		    1950 + i);
	assert_int_equal(fclose(fp), 0);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.batch = 10;
	assert_ok(import_file(f->n, &o, &res, &d));
	assert_int_equal(res.records, 25);
	assert_int_equal(res.changesets, 3);
	assert_int_equal(nf_own_seq(f->n), 4);

	other = tu_node_init(f->dir, "other", NULL);
	o.batch = 1000;
	assert_ok(import_file(other, &o, &res, &d));
	assert_int_equal(res.changesets, 1);
	j1 = tu_export(&f->n->store);
	j2 = tu_export(&other->store);
	assert_string_equal(j1, j2);
	assert_int_equal(nf_count(other, T_trainee), 25);
	free(j1);
	free(j2);
	node_close(other);
}

/*
 * An import whose scratch files cannot be made (the store's folder gone
 * from under it) stops before it writes, saying why; the same import
 * then goes through.
 */
static void
test_import_scratch_fails(void **state)
{
	static const char text[] = LOT01 T02;
	struct nf_fix *f = *state;
	struct import_opts o;
	struct import_result res;
	struct consort_diag d = { 0 };
	char path[4200], *dir = f->n->dir;

	tu_path(path, sizeof(path), f->dir, "two.jsonl");
	tu_write_file(path, text);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.batch = 100;
	f->n->dir = (char *)"/nonexistent/consort-test";
	assert_err(import_file(f->n, &o, &res, &d), E(NOENT));
	f->n->dir = dir;
	assert_non_null(strstr(d.what, "scratch file"));
	assert_string_equal(d.where, "/nonexistent/consort-test/store");
	assert_int_equal(res.bad, 0);
	assert_int_equal(res.changesets, 0);
	assert_int_equal(res.committed_changesets, 0);
	assert_int_equal(nf_own_seq(f->n), 1);
	assert_int_equal(nf_count(f->n, T_lot), 0);
	memset(&d, 0, sizeof(d));
	assert_ok(import_file(f->n, &o, &res, &d));
	assert_int_equal(res.records, 2);
	assert_int_equal(nf_count(f->n, T_lot), 1);
	assert_int_equal(nf_count(f->n, T_trainee), 1);
}

/* The seq of the change-set that created a record of the node's own. */
static uint64_t
created_seq(struct node *n, const char *type, const char *ref)
{
	const struct schema_type *t = schema_type_by_name(type);
	struct store_txn *txn;
	struct record r;
	uint64_t seq;

	record_init(&r);
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(state_lookup(txn, &n->store, n->founder, t->id, ref,
	    strlen(ref), &r));
	store_abort(txn);
	assert_true(record_alive(&n->store, &r));
	assert_int_equal(r.exist.n, 1);
	seq = r.pool[r.exist.off].seq;
	record_free(&r);
	return seq;
}

/* The first 8 bytes of a record's entity id, as a number that sorts as they do. */
static uint64_t
id_order(struct node *n, const char *type, const char *ref)
{
	uint8_t id[CONSORT_EID_BYTES];

	node_entity_id(n, schema_type_by_name(type)->id, ref, strlen(ref), id);
	return util_get_be64(id);
}

/*
 * New records are written type after type, each type in entity id order
 * (records side by side in the tables keyed by id), whatever their order
 * in the file; an intent that replaces another comes after it, as in the
 * file; from the first record already stored, the file's order.
 */
static void
test_import_key_order(void **state)
{
	struct nf_fix *f = *state;
	struct import_opts o;
	struct import_result res;
	struct consort_diag d = { 0 };
	char path[4200], ref[16];
	uint64_t last_id = 0, seq, last_seq = 0;
	unsigned i;
	FILE *fp;

	tu_path(path, sizeof(path), f->dir, "intents.jsonl");
	fp = fopen(path, "w");
	assert_non_null(fp);
	for (i = 0; i < 40; i++) {
		fprintf(fp, "{\"type\":\"intent\",\"ref\":\"I%03u\"}\n", i);
		if (i % 2 == 0)  /* a chain: C01 <- C02 <- ... <- C20 */
			fprintf(fp, i == 0 ? "{\"type\":\"intent\",\"ref\":"
			    "\"C01\"}\n" : "{\"type\":\"intent\",\"ref\":"
			    "\"C%02u\",\"replaces\":\"C%02u\"}\n", i / 2 + 1, i / 2);
	}
	fprintf(fp, LOT01);  /* last in the file, first written: its type */
	assert_int_equal(fclose(fp), 0);
	memset(&o, 0, sizeof(o));
	o.path = path;
	o.batch = 1;  /* a change-set a record: seqs tell the order */
	assert_ok(import_file(f->n, &o, &res, &d));
	assert_int_equal(res.changed, 61);
	assert_int_equal(created_seq(f->n, "lot", "LOT-01"), 2);
	for (;;) {  /* the intents that replace none, in id order */
		uint64_t best = UINT64_MAX, id;
		char best_ref[16] = "";

		for (i = 0; i <= 40; i++) {
			if (i < 40)
				snprintf(ref, sizeof(ref), "I%03u", i);
			else
				snprintf(ref, sizeof(ref), "C01");
			id = id_order(f->n, "intent", ref);
			if (id > last_id && id < best) {
				best = id;
				snprintf(best_ref, sizeof(best_ref), "%s", ref);
			}
		}
		if (best == UINT64_MAX)
			break;
		seq = created_seq(f->n, "intent", best_ref);
		assert_true(seq > last_seq);
		last_seq = seq;
		last_id = best;
	}
	assert_int_equal(last_seq, 43);  /* after the genesis and the lot */
	for (i = 2; i <= 20; i++) {  /* then the chain, as in the file */
		snprintf(ref, sizeof(ref), "C%02u", i);
		assert_int_equal(created_seq(f->n, "intent", ref), 42 + i);
	}

	/* a record already stored first: the rest in the file's order */
	tu_path(path, sizeof(path), f->dir, "more.jsonl");
	fp = fopen(path, "w");
	assert_non_null(fp);
	fprintf(fp, "{\"type\":\"intent\",\"ref\":\"I000\","
	    "\"job\":\"Soudeur\"}\n");
	for (i = 0; i < 20; i++)
		fprintf(fp, "{\"type\":\"intent\",\"ref\":\"N%03u\"}\n", i);
	assert_int_equal(fclose(fp), 0);
	assert_ok(import_file(f->n, &o, &res, &d));
	assert_int_equal(res.changed, 21);
	last_seq = created_seq(f->n, "intent", "C20");
	for (i = 0; i < 20; i++) {
		snprintf(ref, sizeof(ref), "N%03u", i);
		assert_int_equal(created_seq(f->n, "intent", ref),
		    last_seq + 2 + i);
	}
}

/* Checks a JSON line; returns the error. */
static int
jsonl(const char *line, struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return import_check_line(IMPORT_JSONL, NULL, NULL, line, strlen(line),
	    d);
}

/* Checks a CSV row of trainees under a header; returns the error. */
static int
csv(const char *header, const char *row, struct consort_diag *d)
{
	memset(d, 0, sizeof(*d));
	return import_check_line(IMPORT_CSV, schema_type_by_name("trainee"),
	    header, row, strlen(row), d);
}

/* JSON Lines: a good record passes; each kind of bad line says why. */
static void
test_check_line_jsonl(void **state)
{
	struct consort_diag d;

	(void)state;
	assert_ok(jsonl("{\"type\":\"lot\",\"ref\":\"LOT-01\",\"sector\":\"B\","
	    "\"territory\":\"44\",\"rate_cents\":1410}", &d));
	/* references are not checked: there is no store */
	assert_ok(jsonl("{\"type\":\"path\",\"ref\":\"P1\",\"trainee\":\"T9\","
	    "\"session\":\"S9\",\"hours\":10}", &d));
	assert_err(jsonl("{\"type\":\"lot\"", &d), E(SCHEMA));
	assert_string_equal(d.where, "line:1");
	assert_non_null(strstr(d.what, "not a JSON object"));
	assert_err(jsonl("{\"type\":\"lot\",\"ref\":\"L\",\"colour\":\"red\"}",
	    &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "colour"));
	assert_err(jsonl("{\"type\":\"member\",\"ref\":\"M\"}", &d), E(SCHEMA));
	assert_err(jsonl("{\"type\":\"lot\",\"ref\":\"L\",\"rate_cents\":\"x\"}",
	    &d), E(SCHEMA));
	assert_true(d.what[0] != '\0');
}

/* CSV: a header and a row; a row that does not fit its header is refused. */
static void
test_check_line_csv(void **state)
{
	struct consort_diag d;

	(void)state;
	assert_ok(csv("ref,family_name,status", "T1,\"Le Goff, \"\"dit\"\" X\","
	    "job_seeker", &d));
	assert_err(csv("ref,family_name", "T1", &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "1 cells where the header has 2"));
	assert_err(csv("ref,colour", "T1,red", &d), E(SCHEMA));
	assert_err(csv("family_name", "X", &d), E(SCHEMA));
	assert_non_null(strstr(d.what, "(ref) column"));
	assert_err(csv("ref,status", "T1,\"open", &d), E(SCHEMA));
	assert_err(csv("ref,status", "T1,retired", &d), E(SCHEMA));
	assert_err(import_check_line(IMPORT_CSV, NULL, "ref", "T1", 2, &d),
	    E(INVAL));
}

int
main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, nf_teardown)
	const struct CMUnitTest tests[] = {
		T(test_import_idempotent, nf_setup_node),
		T(test_import_all_or_nothing, nf_setup_node),
		T(test_import_skip_bad, nf_setup_node),
		T(test_import_duplicate_ref, nf_setup_node),
		T(test_import_reference_order, nf_setup_node),
		T(test_import_jsonl_refusals, nf_setup_node),
		T(test_import_null_unsets, nf_setup_node),
		T(test_import_csv, nf_setup_node),
		T(test_import_csv_refusals, nf_setup_node),
		T(test_import_csv_attendance, nf_setup_node),
		T(test_import_batches, nf_setup_node),
		T(test_import_scratch_fails, nf_setup_node),
		T(test_import_key_order, nf_setup_node),
		cmocka_unit_test(test_check_line_jsonl),
		cmocka_unit_test(test_check_line_csv),
	};
#undef T

	return cmocka_run_group_tests_name("import", tests, tu_group_setup,
	    NULL);
}
