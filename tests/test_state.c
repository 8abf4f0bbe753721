/*
 * Unit tests of state.c's canonical export: exact bytes and hash for a
 * tiny state however it was written, JSON escapes, the empty state.
 */

#include "node_fixture.h"

/* The canonical export of LOT01 and T02 (the benchmark README's example). */
#define EXPORT_LOT_T02 "{\"lot\":{\"LOT-01\":{\"rate_cents\":1410," \
	"\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\"}},\"trainee\":" \
	"{\"T000002\":{\"birth_year\":1989,\"disability\":false," \
	"\"family_name\":\"Garnier\",\"ft_id\":\"1250405C\"," \
	"\"given_name\":\"A\xc3\xaf" "cha\",\"part_time\":false," \
	"\"status\":\"job_seeker\"}}}"
/* The same from a node that holds no opening: personal values left out. */
#define EXPORT_LOT_T02_SEALED "{\"lot\":{\"LOT-01\":{\"rate_cents\":1410," \
	"\"sector\":\"B\xc3\xa2timent\",\"territory\":\"44\"}},\"trainee\":" \
	"{\"T000002\":{\"status\":\"job_seeker\"}}}"
#define EXPORT_SHA256 \
	"b3f772293051a591f383ad275cd86041324c567e5f47030d805577b017f9ffb1"

/*
 * The canonical export of a tiny state is exact, however it was written;
 * personal values appear where the node opens them (as consort export
 * does), and are left out where it does not.
 */
static void
test_export_exact(void **state)
{
	struct kv lot[3] = {
		{ "rate_cents", tu_int(1410) },
		{ "sector", tu_str("B\xc3\xa2timent") },
		{ "territory", tu_str("44") },
	};
	struct kv tr[7] = {
		{ "family_name", tu_str("Garnier") },
		{ "given_name", tu_str("A\xc3\xaf" "cha") },
		{ "birth_year", tu_int(1989) }, { "ft_id", tu_str("1250405C") },
		{ "status", tu_str("job_seeker") },
		{ "disability", tu_bool(false) },
		{ "part_time", tu_bool(false) },
	};
	uint8_t sha[crypto_hash_sha256_BYTES];
	char hex[2 * crypto_hash_sha256_BYTES + 1];
	struct import_result res;
	struct nf_fix *f = *state;
	struct nf_badlog bad;
	struct node *local;
	char *json;

	/* written with records_put */
	assert_int_equal(nf_put(f->n, "trainee", "T000002", tr, 7, PUT_ADD), 1);
	assert_int_equal(nf_put(f->n, "lot", "LOT-01", lot, 3, PUT_ADD), 1);
	json = tu_export(&f->n->store);
	assert_string_equal(json, EXPORT_LOT_T02_SEALED);
	free(json);
	f->n->store.open_personal = true;
	json = tu_export(&f->n->store);
	assert_string_equal(json, EXPORT_LOT_T02);
	crypto_hash_sha256(sha, (const uint8_t *)json, strlen(json));
	util_hex(hex, sha, sizeof(sha));
	assert_string_equal(hex, EXPORT_SHA256);
	free(json);

	/* imported into another node */
	local = f->n;
	f->n = tu_node_init(f->dir, "other", NULL);
	assert_ok(nf_import_text(f, "tiny.jsonl", LOT01 T02, NULL, false, &res,
	    &bad));
	assert_int_equal(res.records, 2);
	f->n->store.open_personal = true;
	json = tu_export(&f->n->store);
	assert_string_equal(json, EXPORT_LOT_T02);
	free(json);
	node_close(f->n);
	f->n = local;
}

/* Strings are exported with JSON.stringify's escapes, non-ASCII raw. */
static void
test_export_escapes(void **state)
{
	struct kv lot = { "sector",
	    tu_str("q\"b\\n\nt\tc\x01\x1f/\xc3\xa9\xe2\x82\xac") };
	struct nf_fix *f = *state;
	char *json;

	assert_int_equal(nf_put(f->n, "lot", "L\"1", &lot, 1, PUT_ADD), 1);
	json = tu_export(&f->n->store);
	assert_string_equal(json, "{\"lot\":{\"L\\\"1\":{\"sector\":"
	    "\"q\\\"b\\\\n\\nt\\tc\\u0001\\u001f/\xc3\xa9\xe2\x82\xac\"}}}");
	free(json);
}

/* The export of the genesis alone is empty: roster types are not exported. */
static void
test_export_empty(void **state)
{
	struct nf_fix *f = *state;
	char *json = tu_export(&f->n->store);

	assert_string_equal(json, "{}");
	free(json);
}

int
main(void)
{
#define T(fn, setup) cmocka_unit_test_setup_teardown(fn, setup, nf_teardown)
	const struct CMUnitTest tests[] = {
		T(test_export_exact, nf_setup_node),
		T(test_export_escapes, nf_setup_node),
		T(test_export_empty, nf_setup_node),
	};
#undef T

	return cmocka_run_group_tests_name("state", tests, tu_group_setup,
	    NULL);
}
