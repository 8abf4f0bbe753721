/*
 * Unit tests of keys.c and the key handling of node.c: the secret key in
 * guarded memory left out of core dumps, the network key sealed like the
 * secret key, and passphrase files (their mode, their first line).
 */
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "testutil.h"

#define PASSPHRASE "Pluie fine sur Guérande"
#define SEALED_NETKEY_BYTES (8 + 1 + 16 + 16 + 24 + 16 + 32)

/* A temporary directory and, for some tests, a node in DIR/node. */
struct fix {
	char *dir;
	struct node *n;
	char path[4096];	/* DIR/node */
};

/* Per-test setup: a temporary directory only. */
static int
setup_dir(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	snprintf(f->path, sizeof(f->path), "%s/node", f->dir);
	*state = f;
	return 0;
}

/* Per-test teardown: closes the node, forgets the passphrase's key. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	node_close(f->n);
	keys_forget();
	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* DIR/name. */
static const char *
dir_file(struct fix *f, const char *name)
{
	static char buf[4200];

	tu_path(buf, sizeof(buf), f->dir, name);
	return buf;
}

/* Writes a file with the given content and mode. */
static void
write_mode(const char *path, const char *text, size_t len, mode_t mode)
{
	FILE *fp = fopen(path, "wb");

	assert_non_null(fp);
	assert_int_equal(fwrite(text, 1, len, fp), len);
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(chmod(path, mode), 0);
}

/*
 * Whether the mapping holding p is marked "dd" in /proc/self/smaps: left
 * out of core dumps by the kernel and by gdb's gcore.
 */
static bool
never_dumped(const void *p)
{
	unsigned long lo, hi, a = (unsigned long)p;
	char line[512];
	bool in = false, dd = false;
	FILE *fp = fopen("/proc/self/smaps", "r");

	assert_non_null(fp);
	while (fgets(line, sizeof(line), fp) != NULL) {
		if (sscanf(line, "%lx-%lx ", &lo, &hi) == 2 &&
		    strchr(line, ':') != NULL && line[0] != 'V')
			in = a >= lo && a < hi;
		else if (in && strncmp(line, "VmFlags:", 8) == 0)
			dd = strstr(line, " dd") != NULL;
	}
	fclose(fp);
	return dd;
}

/* Whether writing one byte at p kills a child process with SIGSEGV. */
static bool
write_faults(uint8_t *p)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		signal(SIGSEGV, SIG_DFL);  /* not cmocka's handler */
		*(volatile uint8_t *)p ^= 1;
		_exit(0);
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGSEGV;
}

/* The secret key lives in memory never dumped, read-only once loaded. */
static void
test_sk_guarded(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	uint8_t pk[CONSORT_KEY_BYTES];

	f->n = tu_node_init(f->dir, "node", NULL);
	assert_true(never_dumped(f->n->sk));
	assert_true(write_faults(f->n->sk));
	crypto_sign_ed25519_sk_to_pk(pk, f->n->sk);
	assert_memory_equal(pk, f->n->pk, sizeof(pk));
	node_close(f->n);
	f->n = NULL;
	assert_ok(node_open(f->path, &f->n, &d));
	assert_true(never_dumped(f->n->sk));
	assert_false(f->n->have_sk);
	assert_ok(node_unlock(f->n, NULL, 0, &d));
	assert_true(write_faults(f->n->sk));
	crypto_sign_ed25519_sk_to_pk(pk, f->n->sk);
	assert_memory_equal(pk, f->n->pk, sizeof(pk));
}

/* A plain node's network key is its 32 bytes, readable without a key. */
static void
test_netkey_plain(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	uint8_t a[32], b[32];
	struct stat st;

	f->n = tu_node_init(f->dir, "node", NULL);
	assert_int_equal(stat(dir_file(f, "node/network.key"), &st), 0);
	assert_int_equal(st.st_size, 32);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_ok(node_netkey(f->n, a));
	node_close(f->n);
	f->n = NULL;
	keys_forget();
	assert_ok(node_open(f->path, &f->n, &d));
	assert_ok(node_netkey(f->n, b));
	assert_memory_equal(a, b, 32);
}

/*
 * A sealed node's network key is sealed with the passphrase: it opens
 * with the key derived when the secret key was opened, or with the
 * passphrase file named for it, and not otherwise.
 */
static void
test_netkey_sealed(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	uint8_t a[32], b[32], buf[256];
	struct stat st;
	FILE *fp;
	size_t len;

	f->n = tu_node_init(f->dir, "node", PASSPHRASE);
	assert_int_equal(stat(dir_file(f, "node/network.key"), &st), 0);
	assert_int_equal(st.st_size, SEALED_NETKEY_BYTES);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_ok(node_netkey(f->n, a));
	fp = fopen(dir_file(f, "node/network.key"), "rb");
	assert_non_null(fp);
	len = fread(buf, 1, sizeof(buf), fp);
	fclose(fp);
	assert_memory_equal(buf, "CSRTNK01\x01", 9);
	assert_null(memmem(buf, len, a, 32));

	/* another process: the passphrase is needed again */
	node_close(f->n);
	f->n = NULL;
	keys_forget();
	assert_ok(node_open(f->path, &f->n, &d));
	assert_err(node_netkey(f->n, b), E(PASSPHRASE));
	assert_err(node_unlock(f->n, "wrong", 5, &d), E(PASSPHRASE));
	assert_err(node_netkey(f->n, b), E(PASSPHRASE));
	assert_ok(node_unlock(f->n, PASSPHRASE, strlen(PASSPHRASE), &d));
	memset(b, 0, sizeof(b));
	assert_ok(node_netkey(f->n, b));
	assert_memory_equal(a, b, 32);

	/* without the secret key: the passphrase file, if it is private */
	keys_forget();
	write_mode(dir_file(f, "pass"), PASSPHRASE "\n",
	    strlen(PASSPHRASE) + 1, 0644);
	keys_passphrase_source(dir_file(f, "pass"));
	assert_err(node_netkey(f->n, b), E(FILEMODE));
	assert_int_equal(chmod(dir_file(f, "pass"), 0600), 0);
	memset(b, 0, sizeof(b));
	assert_ok(node_netkey(f->n, b));
	assert_memory_equal(a, b, 32);
	keys_forget();
	write_mode(dir_file(f, "wrong"), "wrong\n", 6, 0600);
	keys_passphrase_source(dir_file(f, "wrong"));
	assert_err(node_netkey(f->n, b), E(PASSPHRASE));
}

/* A passphrase file: private, its first line, 1 to 1023 bytes. */
static void
test_passphrase_file(void **state)
{
	static const mode_t loose[] = { 0644, 0640, 0604, 0660, 0610, 0601 };
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char line[1100], *pass;
	const char *path = dir_file(f, "pass");
	size_t len;
	unsigned i;

	for (i = 0; i < nitems(loose); i++) {
		char mode[8];

		unlink(path);
		write_mode(path, "secret\n", 7, loose[i]);
		memset(&d, 0, sizeof(d));
		assert_err(keys_passphrase_read(path, &pass, &len, &d),
		    E(FILEMODE));
		assert_null(pass);
		snprintf(mode, sizeof(mode), "0%o", (unsigned)loose[i]);
		assert_non_null(strstr(d.what, mode));
		assert_non_null(strstr(d.hint, "chmod 600"));
		assert_string_equal(d.where, path);
	}
	unlink(path);
	write_mode(path, "secret\r\nsecond line\n", 20, 0600);
	assert_ok(keys_passphrase_read(path, &pass, &len, &d));
	assert_int_equal(len, 6);
	assert_memory_equal(pass, "secret", 6);
	assert_true(never_dumped(pass));
	sodium_free(pass);
	/* 1023 bytes and no newline: the whole of it */
	memset(line, 'k', sizeof(line));
	unlink(path);
	write_mode(path, line, 1023, 0400);
	assert_ok(keys_passphrase_read(path, &pass, &len, &d));
	assert_int_equal(len, 1023);
	sodium_free(pass);
	/* 1024 bytes: refused, not cut */
	unlink(path);
	write_mode(path, line, 1024, 0600);
	assert_err(keys_passphrase_read(path, &pass, &len, &d), E(TOOBIG));
	assert_null(pass);
	/* empty, an empty first line, a NUL byte */
	unlink(path);
	write_mode(path, "", 0, 0600);
	assert_err(keys_passphrase_read(path, &pass, &len, &d), E(PASSPHRASE));
	unlink(path);
	write_mode(path, "\nsecret\n", 8, 0600);
	assert_err(keys_passphrase_read(path, &pass, &len, &d), E(PASSPHRASE));
	unlink(path);
	write_mode(path, "sec\0ret\n", 8, 0600);
	assert_err(keys_passphrase_read(path, &pass, &len, &d), E(PASSPHRASE));
	/* missing */
	memset(&d, 0, sizeof(d));
	assert_err(keys_passphrase_read(dir_file(f, "missing"), &pass, &len,
	    &d), E(IO));
	assert_non_null(strstr(d.what, "no such"));
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup_dir, teardown)
	const struct CMUnitTest tests[] = {
		T(test_sk_guarded),
		T(test_netkey_plain),
		T(test_netkey_sealed),
		T(test_passphrase_file),
	};
#undef T

	return cmocka_run_group_tests_name("keys", tests, tu_group_setup, NULL);
}
