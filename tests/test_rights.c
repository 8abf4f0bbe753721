/*
 * Unit tests of rights.c and store_compact(): the last session of a
 * trainee (the latest end, none while one has no end), the trainees past
 * a retention date, a text that holds a personal value, the erasure's ops
 * and refusals, and a compaction that leaves no byte of an erased value's
 * sealed opening in the store's file (and waits for another process).
 */
#include <signal.h>
#include <sys/wait.h>

#include "node_fixture.h"
#include "rights.h"

/* A DATE value over a string. */
static struct value
date_of(const char *s)
{
	return tu_str(s);
}

/* The latest end wins; an equal end keeps the session taken first. */
static void
test_last_latest(void **state)
{
	struct value a = date_of("2025-03-30"), b = date_of("2025-06-01"),
	    c = date_of("2025-01-01"), d = date_of("2025-06-01");
	struct rights_last l;

	(void)state;
	rights_last_init(&l);
	assert_false(rights_last_before(&l, "2030-01-01"));  /* no session */
	rights_last_add(&l, "S1", 2, &a);
	rights_last_add(&l, "S2", 2, &b);
	rights_last_add(&l, "S3", 2, &c);
	rights_last_add(&l, "S4", 2, &d);
	assert_string_equal(l.end, "2025-06-01");
	assert_string_equal(l.session, "S2");
	assert_int_equal(l.sessions, 4);
	assert_true(rights_last_before(&l, "2025-06-02"));
	assert_false(rights_last_before(&l, "2025-06-01"));  /* strictly */
	assert_false(rights_last_before(&l, "2025-05-31"));
}

/* A session without an end keeps the training open, whatever the others. */
static void
test_last_open(void **state)
{
	struct value a = date_of("2020-01-01"), bad = tu_int(3);
	struct rights_last l;

	(void)state;
	rights_last_init(&l);
	rights_last_add(&l, "S1", 2, &a);
	assert_true(rights_last_before(&l, "2021-01-01"));
	rights_last_add(&l, "S2", 2, NULL);
	assert_true(l.open);
	assert_false(rights_last_before(&l, "2099-01-01"));
	rights_last_init(&l);
	rights_last_add(&l, "S3", 2, &bad);  /* not a date: not an end */
	assert_false(rights_last_before(&l, "2099-01-01"));
}

/* Writes the test trainee T1 with made-up values. */
static void
put_trainee(struct node *n, const char *ref)
{
	struct kv t[5] = {
		{ "family_name", tu_str("Vantrouillard") },
		{ "given_name", tu_str("Elodine") },
		{ "birth_year", tu_int(1990) },
		{ "ft_id", tu_str("FT4455667") },
		{ "status", tu_str("job_seeker") },
	};

	assert_int_equal(nf_put(n, "trainee", ref, t, 5, PUT_ADD), 1);
}

/* Loads a trainee opened, for rights_text_names(). */
static void
load_opened(struct node *n, struct store_txn *txn, const char *ref,
    struct record *r)
{
	record_init(r);
	assert_ok(state_lookup(txn, &n->store, n->founder, T_trainee, ref,
	    strlen(ref), r));
	assert_ok(personal_open_record(txn, &n->store, r));
}

/*
 * Names, ids and the birth year are found; parts and larger numbers not,
 * nor how and when the trainee left (an enumeration, a day).
 */
static void
test_text_names(void **state)
{
	struct kv exit[2] = { { "exit", tu_str("completed") },
		{ "exit_date", tu_str("2026-07-03") } };
	struct nf_fix *f = *state;
	const struct schema_field *hit;
	struct store_txn *txn;
	struct record r;

	put_trainee(f->n, "T1");
	assert_int_equal(nf_put(f->n, "trainee", "T1", exit, 2, PUT_SET), 1);
	assert_ok(store_begin(&f->n->store, false, &txn));
	load_opened(f->n, txn, "T1", &r);
#define NAMES(text) rights_text_names(&r, text, strlen(text))
	assert_non_null(hit = NAMES("asked by VANTROUILLARD"));
	assert_string_equal(hit->name, "family_name");
	assert_string_equal(NAMES("elodine asked")->name, "given_name");
	assert_string_equal(NAMES("file FT4455667.")->name, "ft_id");
	assert_string_equal(NAMES("born 1990")->name, "birth_year");
	assert_string_equal(NAMES("1990")->name, "birth_year");
	assert_null(NAMES("asked by the person"));
	assert_null(NAMES("Vantrouil"));       /* a part of a name */
	assert_null(NAMES("ticket 19901"));    /* another number */
	assert_null(NAMES("ticket 21990"));
	assert_null(NAMES("training completed on 2026-07-03"));
	assert_null(NAMES(""));
#undef NAMES
	record_free(&r);
	store_abort(txn);
}

/* Erases in an edit; returns the error and the values held before. */
static int
erase(struct node *n, const char *ref, const char *reason, unsigned *held)
{
	struct consort_diag d = { 0 };
	struct edit e;
	int rc;

	assert_ok(edit_begin(n, &e));
	rc = rights_erase(&e, ref, strlen(ref), "2026-04-01", reason,
	    strlen(reason), held, &d);
	if (rc != 0) {
		edit_abort(&e);
		return rc;
	}
	return edit_commit(&e);
}

/* Counts a trainee's values held, and all of them. */
static void
openings(struct node *n, const char *ref, unsigned *held, unsigned *total)
{
	struct store_txn *txn;
	struct record r;
	uint8_t id[CONSORT_EID_BYTES];

	record_init(&r);
	node_entity_id(n, T_trainee, ref, strlen(ref), id);
	assert_ok(store_begin(&n->store, false, &txn));
	assert_ok(record_load(txn, &n->store, T_trainee, id, &r));
	assert_ok(rights_openings(txn, &n->store, &r, held, total));
	store_abort(txn);
	record_free(&r);
}

/* The erasure: its refusals, its two ops, the openings gone, once only. */
static void
test_erase(void **state)
{
	struct nf_fix *f = *state;
	unsigned held, total;
	char buf[64];

	put_trainee(f->n, "T1");
	openings(f->n, "T1", &held, &total);
	assert_int_equal(held, 4);
	assert_int_equal(total, 4);
	assert_err(erase(f->n, "T1", "Elodine asked", &held), E(SCHEMA));
	assert_err(erase(f->n, "T1", "", &held), E(SCHEMA));
	assert_err(erase(f->n, "T9", "asked", &held), E(NOENT));
	assert_int_equal(nf_own_seq(f->n), 2);
	assert_ok(erase(f->n, "T1", "asked by the person", &held));
	assert_int_equal(held, 4);
	assert_int_equal(nf_own_seq(f->n), 3);
	openings(f->n, "T1", &held, &total);
	assert_int_equal(held, 0);
	assert_int_equal(total, 4);
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "erased"),
	    "2026-04-01");
	assert_string_equal(nf_shown(f->n, "trainee", "T1", "erased_reason"),
	    "asked by the person");
	assert_err(erase(f->n, "T1", "again", &held), E(ERASED));
	assert_int_equal(nf_own_seq(f->n), 3);
	/* a deleted trainee: its values went with the deletion; it can
	   still be marked erased */
	put_trainee(f->n, "T2");
	assert_ok(tu_del(f->n, "trainee", "T2"));
	openings(f->n, "T2", &held, &total);
	assert_int_equal(held, 0);
	assert_false(nf_lookup(f->n, "trainee", "T2", "erased", buf,
	    sizeof(buf)));
	assert_ok(erase(f->n, "T2", "file closed", &held));
	assert_int_equal(held, 0);
	openings(f->n, "T2", &held, &total);
	assert_int_equal(held, 0);
	assert_err(erase(f->n, "T2", "again", &held), E(ERASED));
}

/* Collects the refs rights_retention() passes on, comma-separated. */
static int
collect(void *ctx, const struct record *r, const struct rights_last *l)
{
	char *out = ctx;

	snprintf(out + strlen(out), 256 - strlen(out), "%s%.*s:%s:%s",
	    out[0] ? "," : "", (int)r->ref_len, r->ref, l->session, l->end);
	return 0;
}

/* The trainees past a date, in ref order: erased ones and open ones not. */
static void
test_retention(void **state)
{
	struct kv lot[3] = { { "sector", tu_str("BTP") },
		{ "territory", tu_str("44") }, { "rate_cents", tu_int(1000) } };
	struct kv s1[2] = { { "lot", tu_str("LOT-01") },
		{ "end", tu_str("2025-03-30") } };
	struct kv s2[2] = { { "lot", tu_str("LOT-01") },
		{ "end", tu_str("2025-07-01") } };
	struct kv s3[1] = { { "lot", tu_str("LOT-01") } };
	struct kv tr = { "status", tu_str("job_seeker") };
	static const char *const paths[][3] = {
		{ "P1", "T1", "S1" }, { "P2", "T2", "S1" }, { "P3", "T2", "S2" },
		{ "P4", "T3", "S1" }, { "P5", "T3", "S3" }, { "P6", "T5", "S1" },
		{ "P7", "T6", "S4" },
	};
	struct nf_fix *f = *state;
	struct store_txn *txn;
	struct kv p[2];
	char out[256];
	unsigned held, i;

	assert_int_equal(nf_put(f->n, "lot", "LOT-01", lot, 3, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "session", "S1", s1, 2, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "session", "S2", s2, 2, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "session", "S3", s3, 1, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "session", "S4", s1, 2, PUT_ADD), 1);
	for (i = 1; i <= 6; i++) {
		snprintf(out, sizeof(out), "T%u", i);
		assert_int_equal(nf_put(f->n, "trainee", out, &tr, 1, PUT_ADD), 1);
	}
	for (i = 0; i < sizeof(paths) / sizeof(paths[0]); i++) {
		p[0] = (struct kv){ "trainee", tu_str(paths[i][1]) };
		p[1] = (struct kv){ "session", tu_str(paths[i][2]) };
		assert_int_equal(nf_put(f->n, "path", paths[i][0], p, 2, PUT_ADD),
		    1);
	}
	assert_ok(erase(f->n, "T5", "asked by the person", &held));
	assert_ok(tu_del(f->n, "session", "S4"));  /* T6: no live session */
	assert_ok(store_begin(&f->n->store, false, &txn));
	out[0] = '\0';
	assert_ok(rights_retention(txn, &f->n->store, "2025-06-01", collect,
	    out, NULL));
	assert_string_equal(out, "T1:S1:2025-03-30");
	out[0] = '\0';
	assert_ok(rights_retention(txn, &f->n->store, "2025-07-02", collect,
	    out, NULL));
	assert_string_equal(out, "T1:S1:2025-03-30,T2:S2:2025-07-01");
	store_abort(txn);
}

/* Whether a file holds the bytes of needle anywhere. */
static bool
file_holds(const char *path, const uint8_t *needle, size_t len)
{
	static uint8_t buf[1 << 22];
	size_t n, i;
	FILE *fp = fopen(path, "rb");

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	for (i = 0; i + len <= n; i++)
		if (memcmp(buf + i, needle, len) == 0)
			return true;
	return false;
}

/* The first 40 bytes of the first sealed opening in the store. */
static void
first_sealed(struct store *s, uint8_t out[40])
{
	struct store_txn *txn;
	struct store_walk w;
	struct store_val k, v;

	assert_ok(store_begin(s, false, &txn));
	assert_ok(store_walk_begin(&w, txn, s, TB_OPENINGS, NULL, 0, 0));
	assert_int_equal(store_walk_next(&w, &k, &v), 1);
	assert_true(v.len >= 40);
	memcpy(out, v.data, 40);
	store_walk_end(&w);
	store_abort(txn);
}

/*
 * An erased value's sealed opening stays in the file's free pages until
 * the store is compacted; the compaction keeps every record, and waits
 * while another process holds the store open.
 */
static void
test_compact(void **state)
{
	uint8_t sealed[40], before[CONSORT_HASH_BYTES], after[CONSORT_HASH_BYTES];
	struct nf_fix *f = *state;
	struct store other;
	struct store_compact_stats cst;
	struct consort_diag cd = { 0 };
	int go[2], ready[2];
	unsigned held;
	pid_t pid;
	char c;

	put_trainee(f->n, "T1");
	first_sealed(&f->n->store, sealed);
	assert_true(file_holds(nf_node_file(f, "store/data.mdb"), sealed, 40));
	assert_ok(erase(f->n, "T1", "asked by the person", &held));
	assert_true(file_holds(nf_node_file(f, "store/data.mdb"), sealed, 40));

	/* another process holds the store open: nothing changes */
	assert_int_equal(pipe(go), 0);
	assert_int_equal(pipe(ready), 0);
	if ((pid = fork()) == 0) {
		memset(&other, 0, sizeof(other));
		if (store_open(&other, nf_node_file(f, "store"), false) != 0)
			_exit(1);
		(void)!write(ready[1], "r", 1);
		(void)!read(go[0], &c, 1);
		store_close(&other);
		_exit(0);
	}
	assert_true(pid > 0);
	assert_int_equal(read(ready[0], &c, 1), 1);
	tu_state_hash(&f->n->store, before);
	assert_err(store_compact(&f->n->store, &cst, &cd), E(BUSY));
	assert_true(store_compact_pending(&f->n->store));
	assert_true(file_holds(nf_node_file(f, "store/data.mdb"), sealed, 40));
	assert_int_equal(write(go[1], "g", 1), 1);
	assert_int_equal(waitpid(pid, NULL, 0), pid);
	close(go[0]);
	close(go[1]);
	close(ready[0]);
	close(ready[1]);

	assert_ok(store_compact(&f->n->store, &cst, &cd));
	assert_false(store_compact_pending(&f->n->store));
	assert_false(file_holds(nf_node_file(f, "store/data.mdb"), sealed, 40));
	tu_state_hash(&f->n->store, after);
	assert_memory_equal(before, after, CONSORT_HASH_BYTES);
	/* the store goes on: a write and a read after the compaction */
	put_trainee(f->n, "T2");
	assert_string_equal(nf_shown(f->n, "trainee", "T2", "status"),
	    "job_seeker");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_last_latest),
		cmocka_unit_test(test_last_open),
		cmocka_unit_test_setup_teardown(test_text_names, nf_setup_node,
		    nf_teardown),
		cmocka_unit_test_setup_teardown(test_erase, nf_setup_node,
		    nf_teardown),
		cmocka_unit_test_setup_teardown(test_retention, nf_setup_node,
		    nf_teardown),
		cmocka_unit_test_setup_teardown(test_compact, nf_setup_node,
		    nf_teardown),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
