/*
 * Unit tests of import-scratch.c: the set of keys an import's first pass
 * has seen (a hash table in a mapped file, grown as it fills) and the
 * file of good records its second pass reads back in key order (sorted
 * runs, merged), and what both do when their folder cannot hold a file.
 */

#include "testutil.h"

/* The key of number i: a type byte and an id spread like a hash. */
static void
key_of(uint32_t i, uint8_t key[IMPORT_KEY_BYTES])
{
	uint64_t h = (uint64_t)i * 0x9e3779b97f4a7c15ull;

	key[0] = (uint8_t)(1 + i % 5);
	memcpy(key + 1, &h, 8);
	memcpy(key + 9, &i, 4);
	memset(key + 13, 0xa5, IMPORT_KEY_BYTES - 13);
}

/*
 * Keys added past several growths of the table are all found again with
 * their lines; an added key gives its first line back and stays; others
 * are absent.
 */
static void
test_seen_grows(void **state)
{
	struct import_seen s = { 0 };
	uint8_t key[IMPORT_KEY_BYTES];
	uint64_t prior;
	char *dir = tu_mkdtemp();
	uint32_t i, n = 100000;

	(void)state;
	s.dir = dir;
	key_of(0, key);
	assert_false(import_seen_has(&s, key));
	for (i = 0; i < n; i++) {
		key_of(i, key);
		assert_ok(import_seen_add(&s, key, 10 + i, &prior));
		assert_int_equal(prior, 0);
	}
	assert_int_equal(s.n, n);
	assert_true(s.cap >= 2 * (size_t)n);
	for (i = 0; i < n; i += 7) {
		key_of(i, key);
		assert_true(import_seen_has(&s, key));
		assert_ok(import_seen_add(&s, key, 1, &prior));
		assert_int_equal(prior, 10 + i);
	}
	assert_int_equal(s.n, n);
	for (i = n; i < n + 1000; i++) {
		key_of(i, key);
		assert_false(import_seen_has(&s, key));
	}
	key_of(5, key);
	key[0] ^= 0x40;  /* the same id as another type */
	assert_false(import_seen_has(&s, key));
	import_seen_free(&s);
	assert_null(s.map);
	tu_rmtree(dir);
}

/* The sort key of record i of n: a permutation of 0..n-1, big-endian. */
static void
order_of(uint32_t i, uint32_t n, uint8_t key[IMPORT_SORT_BYTES])
{
	uint32_t k = (uint32_t)(((uint64_t)i * 7919) % n);  /* n prime to 7919 */

	memset(key, 0, IMPORT_SORT_BYTES);
	key[6] = (uint8_t)(k >> 24);
	key[7] = (uint8_t)(k >> 16);
	key[8] = (uint8_t)(k >> 8);
	key[9] = (uint8_t)k;
}

/*
 * Records of every kind of value come back as they were put, in the order
 * of their keys, across several sorted runs (some 16 MB of records), and
 * again for a second reading.
 */
static void
test_keep_round_trip(void **state)
{
	const struct schema_type *t = schema_type_by_name("trainee");
	const struct schema_type *lot = schema_type_by_name("lot");
	struct import_keep k = { 0 };
	struct field_input in[4];
	struct import_kept r;
	uint8_t key[IMPORT_SORT_BYTES];
	char big[6000], ref[16], *dir = tu_mkdtemp();
	uint32_t i, j, n = 8009, *back;  /* n: a prime, not 7919 */
	int pass;

	(void)state;
	k.dir = dir;
	for (i = 0; i < sizeof(big); i++)
		big[i] = (char)('a' + i % 26);
	memset(in, 0, sizeof(in));
	in[0].f = schema_field_by_name(t, "family_name", 11);
	in[1].f = schema_field_by_name(t, "birth_year", 10);
	in[2].f = schema_field_by_name(t, "status", 6);
	in[2].v.kind = VAL_NIL;  /* null: unsets the field */
	in[3].f = schema_field_by_name(t, "given_name", 10);
	in[3].v = tu_str("");
	assert_non_null(in[0].f);
	assert_non_null(in[1].f);
	assert_non_null(in[2].f);
	assert_non_null(in[3].f);
	for (i = 0; i < n; i++) {
		order_of(i, n, key);
		snprintf(ref, sizeof(ref), "R%u", i);
		in[0].v.kind = VAL_STR;
		in[0].v.s = big + i % 100;
		in[0].v.len = 1 + i * 7 % 5900;
		in[1].v = tu_int(-(int64_t)i);
		if (i % 3 == 0)
			assert_ok(import_keep_put(&k, key, 10 + i, lot, ref,
			    strlen(ref), NULL, 0));
		else
			assert_ok(import_keep_put(&k, key, 10 + i, t, ref,
			    strlen(ref), in, 4));
	}
	assert_int_equal(k.kept, n);
	back = calloc(n, sizeof(*back));
	assert_non_null(back);
	for (i = 0; i < n; i++) {
		order_of(i, n, key);
		back[(uint32_t)key[6] << 24 | (uint32_t)key[7] << 16 |
		    (uint32_t)key[8] << 8 | key[9]] = i;
	}
	for (pass = 0; pass < 2; pass++) {  /* a rehearsal, then the writing */
		assert_ok(import_keep_rewind(&k));
		assert_true(k.nruns >= 2);
		for (j = 0; j < n; j++) {
			assert_int_equal(import_keep_next(&k, &r), 1);
			i = back[j];
			snprintf(ref, sizeof(ref), "R%u", i);
			assert_int_equal(r.line, 10 + i);
			assert_int_equal(r.reflen, strlen(ref));
			assert_memory_equal(r.ref, ref, r.reflen);
			if (i % 3 == 0) {
				assert_ptr_equal(r.t, lot);
				assert_int_equal(r.n, 0);
				continue;
			}
			assert_ptr_equal(r.t, t);
			assert_int_equal(r.n, 4);
			assert_ptr_equal(r.in[0].f, in[0].f);
			assert_int_equal(r.in[0].v.kind, VAL_STR);
			assert_int_equal(r.in[0].v.len, 1 + i * 7 % 5900);
			assert_memory_equal(r.in[0].v.s, big + i % 100,
			    r.in[0].v.len);
			assert_int_equal(r.in[1].v.kind, VAL_INT);
			assert_int_equal(r.in[1].v.i, -(int64_t)i);
			assert_ptr_equal(r.in[2].f, in[2].f);
			assert_int_equal(r.in[2].v.kind, VAL_NIL);
			assert_int_equal(r.in[3].v.kind, VAL_STR);
			assert_int_equal(r.in[3].v.len, 0);
		}
		assert_int_equal(import_keep_next(&k, &r), 0);
		assert_int_equal(k.read, k.bytes);
	}
	free(back);
	import_keep_free(&k);
	tu_rmtree(dir);
}

/* A boolean keeps its value; an empty file reads as no record. */
static void
test_keep_bool_and_empty(void **state)
{
	const struct schema_type *t = schema_type_by_name("path");
	struct import_keep k = { 0 };
	struct field_input in[1];
	struct import_kept r;
	uint8_t key[IMPORT_SORT_BYTES];
	char *dir = tu_mkdtemp();

	(void)state;
	k.dir = dir;
	assert_ok(import_keep_rewind(&k));
	assert_int_equal(import_keep_next(&k, &r), 0);
	memset(in, 0, sizeof(in));
	in[0].f = schema_field_by_name(t, "financed", 8);
	assert_non_null(in[0].f);
	in[0].v.kind = VAL_BOOL;
	in[0].v.b = true;
	order_of(1, 2, key);
	assert_ok(import_keep_put(&k, key, 7, t, "P1", 2, in, 1));
	in[0].v.b = false;
	order_of(0, 2, key);
	assert_ok(import_keep_put(&k, key, 8, t, "P2", 2, in, 1));
	assert_ok(import_keep_rewind(&k));
	assert_int_equal(import_keep_next(&k, &r), 1);
	assert_int_equal(r.line, 8);
	assert_false(r.in[0].v.b);
	assert_int_equal(import_keep_next(&k, &r), 1);
	assert_int_equal(r.line, 7);
	assert_true(r.in[0].v.b);
	assert_int_equal(import_keep_next(&k, &r), 0);
	import_keep_free(&k);
	tu_rmtree(dir);
}

/* A folder that cannot hold a file: both say why, and keep nothing. */
static void
test_scratch_no_folder(void **state)
{
	const struct schema_type *lot = schema_type_by_name("lot");
	struct import_seen s = { .dir = "/nonexistent/consort-test" };
	struct import_keep k = { .dir = "/nonexistent/consort-test" };
	uint8_t key[IMPORT_KEY_BYTES], order[IMPORT_SORT_BYTES];
	struct import_kept r;
	uint64_t prior = 9;

	(void)state;
	key_of(1, key);
	assert_err(import_seen_add(&s, key, 1, &prior), E(NOENT));
	assert_int_equal(prior, 0);
	assert_false(import_seen_has(&s, key));
	memset(order, 0, sizeof(order));
	assert_err(import_keep_put(&k, order, 1, lot, "LOT-01", 6, NULL, 0),
	    E(NOENT));
	assert_false(k.open);
	assert_ok(import_keep_rewind(&k));
	assert_int_equal(import_keep_next(&k, &r), 0);
	import_seen_free(&s);
	import_keep_free(&k);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_seen_grows),
		cmocka_unit_test(test_keep_round_trip),
		cmocka_unit_test(test_keep_bool_and_empty),
		cmocka_unit_test(test_scratch_no_folder),
	};

	return cmocka_run_group_tests_name("import_scratch", tests,
	    tu_group_setup, NULL);
}
