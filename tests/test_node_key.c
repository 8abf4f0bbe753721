/*
 * Replacing a node's key (src/node-key.c): a rotation signs with the new
 * key from then on and re-seals the values kept at rest, keeps a sealed
 * key sealed, and one a killed process left half done is finished by the
 * next open when the store holds the key record, undone otherwise.
 */
#include "testutil.h"

/* Reads the public key of key.pub in dir. */
static void
read_pub(const char *dir, uint8_t pk[CONSORT_KEY_BYTES])
{
	char path[4096];
	bool sealed;

	tu_path(path, sizeof(path), dir, "key");
	assert_int_equal(keys_file_public(path, pk, &sealed), 0);
}

/* Renames dir/from to dir/to. */
static void
move(const char *dir, const char *from, const char *to)
{
	char a[4096], b[4096];

	tu_path(a, sizeof(a), dir, from);
	tu_path(b, sizeof(b), dir, to);
	assert_int_equal(rename(a, b), 0);
}

/* Whether dir/name exists. */
static bool
exists(const char *dir, const char *name)
{
	char path[4096];

	tu_path(path, sizeof(path), dir, name);
	return access(path, F_OK) == 0;
}

/* Opens the node of dir with its key unlocked (pass may be NULL). */
static struct node *
reopen(const char *dir, const char *pass)
{
	struct consort_diag d = { 0 };
	struct node *n = NULL;

	if (node_open(dir, &n, &d) != 0 ||
	    node_unlock(n, pass, pass ? strlen(pass) : 0, &d) != 0)
		fail_msg("reopen %s: %s %s", dir, d.where, d.what);
	return n;
}

/* A rotation: new key on disk and in memory, the old one replaced. */
static void
test_rotate(void **state)
{
	char *dir = tu_mkdtemp(), path[4096];
	struct consort_diag d = { 0 };
	uint8_t old[CONSORT_KEY_BYTES], fresh[CONSORT_KEY_BYTES];
	uint8_t disk[CONSORT_KEY_BYTES];
	struct node *n = tu_node_init(dir, "lead", "a passphrase");
	struct store_txn *txn;

	(void)state;
	tu_path(path, sizeof(path), dir, "lead");
	memcpy(old, n->pk, CONSORT_KEY_BYTES);
	if (node_rotate(n, "a passphrase", 12, fresh, &d) != 0)
		fail_msg("rotate: %s %s", d.where, d.what);
	assert_memory_equal(n->pk, fresh, CONSORT_KEY_BYTES);
	assert_memory_not_equal(old, fresh, CONSORT_KEY_BYTES);
	read_pub(path, disk);
	assert_memory_equal(disk, fresh, CONSORT_KEY_BYTES);
	assert_false(exists(path, "key.new"));
	assert_true(exists(path, "key.old"));
	assert_int_equal(store_begin(&n->store, false, &txn), 0);
	assert_int_equal(perm_roster(txn, &n->store), 0);
	store_abort(txn);
	assert_true(perm_is_lead(&n->store, fresh));
	assert_true(perm_key_current(&n->store, fresh));
	assert_false(perm_key_current(&n->store, old));
	/* it signs with the new key, as the lead */
	assert_int_equal(tu_del(n, "lot", "NONE"), E(NOENT));
	node_close(n);
	/* the sealed key opens with the same passphrase, the old does not */
	n = reopen(path, "a passphrase");
	assert_memory_equal(n->pk, fresh, CONSORT_KEY_BYTES);
	assert_int_equal(node_old_key_use(n), 0);
	assert_memory_equal(n->pk, old, CONSORT_KEY_BYTES);
	node_old_key_drop(n);
	assert_memory_equal(n->pk, fresh, CONSORT_KEY_BYTES);
	node_close(n);
	tu_rmtree(dir);
}

/* Killed after the commit, before the renames: the open finishes it. */
static void
test_finish_after_commit(void **state)
{
	char *dir = tu_mkdtemp(), path[4096];
	struct consort_diag d = { 0 };
	uint8_t fresh[CONSORT_KEY_BYTES], disk[CONSORT_KEY_BYTES];
	struct node *n = tu_node_init(dir, "lead", NULL);

	(void)state;
	tu_path(path, sizeof(path), dir, "lead");
	/* keep the old files aside, rotate, then put things as a kill left them */
	{
		char a[4096], b[4096 + 8];
		FILE *f;
		uint8_t buf[256];
		size_t len;
		const char *names[] = { "key", "key.pub" };

		for (size_t i = 0; i < 2; i++) {
			tu_path(a, sizeof(a), path, names[i]);
			snprintf(b, sizeof(b), "%s.saved", a);
			assert_non_null(f = fopen(a, "rb"));
			len = fread(buf, 1, sizeof(buf), f);
			fclose(f);
			assert_non_null(f = fopen(b, "wb"));
			assert_int_equal(fwrite(buf, 1, len, f), len);
			fclose(f);
		}
	}
	assert_int_equal(node_rotate(n, NULL, 0, fresh, &d), 0);
	node_close(n);
	move(path, "key", "key.new");
	move(path, "key.pub", "key.new.pub");
	move(path, "key.saved", "key");
	move(path, "key.pub.saved", "key.pub");
	n = reopen(path, NULL);
	assert_memory_equal(n->pk, fresh, CONSORT_KEY_BYTES);
	read_pub(path, disk);
	assert_memory_equal(disk, fresh, CONSORT_KEY_BYTES);
	assert_false(exists(path, "key.new.pub"));
	node_close(n);
	tu_rmtree(dir);
}

/* Killed between two renames: the open finishes the rest. */
static void
test_finish_between_renames(void **state)
{
	char *dir = tu_mkdtemp(), path[4096], a[4096];
	struct consort_diag d = { 0 };
	uint8_t old[CONSORT_KEY_BYTES], fresh[CONSORT_KEY_BYTES];
	uint8_t disk[CONSORT_KEY_BYTES];
	struct node *n = tu_node_init(dir, "lead", NULL);

	(void)state;
	tu_path(path, sizeof(path), dir, "lead");
	memcpy(old, n->pk, CONSORT_KEY_BYTES);
	assert_int_equal(node_rotate(n, NULL, 0, fresh, &d), 0);
	node_close(n);
	/* the secret key took its name, the public key not yet */
	move(path, "key.pub", "key.new.pub");
	tu_path(a, sizeof(a), path, "key.pub");
	assert_int_equal(keys_public_write(a, old, CONSORT_KEY_BYTES), 0);
	n = reopen(path, NULL);
	assert_memory_equal(n->pk, fresh, CONSORT_KEY_BYTES);
	read_pub(path, disk);
	assert_memory_equal(disk, fresh, CONSORT_KEY_BYTES);
	assert_false(exists(path, "key.new.pub"));
	node_close(n);
	tu_rmtree(dir);
}

/* Killed before the commit: the open removes the new files. */
static void
test_undo_before_commit(void **state)
{
	char *dir = tu_mkdtemp(), path[4096], a[4096];
	struct node *n = tu_node_init(dir, "lead", NULL);
	uint8_t old[CONSORT_KEY_BYTES], pk[CONSORT_KEY_BYTES];
	uint8_t *sk = sodium_malloc(64);

	(void)state;
	tu_path(path, sizeof(path), dir, "lead");
	memcpy(old, n->pk, CONSORT_KEY_BYTES);
	node_close(n);
	crypto_sign_keypair(pk, sk);
	tu_path(a, sizeof(a), path, "key.new");
	assert_int_equal(keys_file_write(a, sk, NULL, 0), 0);
	tu_path(a, sizeof(a), path, "key.new.pub");
	assert_int_equal(keys_public_write(a, pk, CONSORT_KEY_BYTES), 0);
	sodium_free(sk);
	n = reopen(path, NULL);
	assert_memory_equal(n->pk, old, CONSORT_KEY_BYTES);
	assert_false(exists(path, "key.new"));
	assert_false(exists(path, "key.new.pub"));
	assert_int_equal(node_old_key_use(n), E(NOENT));
	node_close(n);
	tu_rmtree(dir);
}

/* The recovery refuses a seed that is not the consortium's recovery key. */
static void
test_recover_wrong_seed(void **state)
{
	char *dir = tu_mkdtemp();
	struct consort_diag d = { 0 };
	struct node *n = tu_node_init(dir, "lead", NULL);
	uint8_t seed[32] = { 1 }, replaced[CONSORT_KEY_BYTES];
	uint64_t before = tu_head(&n->store, n->pk).seq;

	(void)state;
	assert_int_equal(node_recover(n, seed, replaced, &d), E(KEY));
	assert_int_equal(tu_head(&n->store, n->pk).seq, before);
	node_close(n);
	tu_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_rotate),
		cmocka_unit_test(test_finish_after_commit),
		cmocka_unit_test(test_finish_between_renames),
		cmocka_unit_test(test_undo_before_commit),
		cmocka_unit_test(test_recover_wrong_seed),
	};

	return cmocka_run_group_tests(tests, tu_group_setup, NULL);
}
