/*
 * Unit tests of peers.c: the HOST:PORT addresses a node syncs with, kept
 * in DIR/peers.  The functions only read the node's directory, so a node
 * here is a directory and nothing else.
 */
#include <errno.h>
#include <sys/stat.h>

#include "testutil.h"

/* A temporary directory standing for a node's. */
struct fix {
	char *dir;
	struct node n;
	char file[4200];	/* DIR/peers */
	char tmp[4300];		/* DIR/peers.tmp, peers_save's temporary */
};

/* Per-test setup: an empty node directory. */
static int
setup(void **state)
{
	struct fix *f = calloc(1, sizeof(*f));

	if (f == NULL || (f->dir = tu_mkdtemp()) == NULL)
		return -1;
	f->n.dir = f->dir;
	snprintf(f->file, sizeof(f->file), "%s/peers", f->dir);
	snprintf(f->tmp, sizeof(f->tmp), "%s/peers.tmp", f->dir);
	*state = f;
	return 0;
}

/* Per-test teardown. */
static int
teardown(void **state)
{
	struct fix *f = *state;

	tu_rmtree(f->dir);
	free(f);
	return 0;
}

/* The peers the file lists, joined by spaces ("" for none). */
static const char *
listed(struct fix *f)
{
	static char buf[PEERS_MAX * (PEERS_ADDR_MAX + 2)];
	char list[PEERS_MAX][PEERS_ADDR_MAX + 1];
	unsigned count, i;
	size_t len = 0;

	assert_ok(peers_load(&f->n, list, PEERS_MAX, &count));
	buf[0] = '\0';
	for (i = 0; i < count; i++)
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
		    i ? " " : "", list[i]);
	return buf;
}

/* A whole small file as text. */
static const char *
file_text(const char *path)
{
	static char buf[64 << 10];
	FILE *fp = fopen(path, "r");
	size_t n;

	assert_non_null(fp);
	n = fread(buf, 1, sizeof(buf) - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	return buf;
}

/* HOST:PORT with a printable host and a port 1-65535; nothing else. */
static void
test_check_address(void **state)
{
	static const char *const good[] = {
		"127.0.0.1:7400", "lead.example.org:1", "h:65535", "[::1]:7400",
	};
	static const char *const bad[] = {
		"", "7400", "host", ":7400", "host:", "host:0", "host:65536",
		"host:-1", "host:74x", "host:7400 ", "ho st:7400", "h#st:7400",
		"h\tst:7400", "h\x7fst:7400", "h\xc3\xa9:7400",
		"host:99999999999999999999",
	};
	struct consort_diag d;
	char longest[PEERS_ADDR_MAX + 2];
	size_t i;

	(void)state;
	for (i = 0; i < nitems(good); i++)
		if (peers_check_address(good[i], NULL) != 0)
			fail_msg("refused: %s", good[i]);
	for (i = 0; i < nitems(bad); i++) {
		memset(&d, 0, sizeof(d));
		if (peers_check_address(bad[i], &d) != E(INVAL))
			fail_msg("accepted: \"%s\"", bad[i]);
		assert_string_equal(d.what, "not a HOST:PORT address");
		assert_string_equal(d.where, bad[i]);
	}
	/* PEERS_ADDR_MAX bytes at most */
	memset(longest, 'h', sizeof(longest));
	memcpy(longest + PEERS_ADDR_MAX - 5, ":7400", 6);
	assert_int_equal(strlen(longest), PEERS_ADDR_MAX);
	assert_ok(peers_check_address(longest, NULL));
	memset(longest, 'h', sizeof(longest));
	memcpy(longest + PEERS_ADDR_MAX - 4, ":7400", 6);
	assert_err(peers_check_address(longest, NULL), E(INVAL));
}

/* Added peers are kept in order, once each, in a file only the user reads. */
static void
test_add_load(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	struct stat st;

	assert_string_equal(listed(f), "");	/* no file: no peer */
	assert_ok(peers_add(&f->n, "10.0.0.1:7400", &d));
	assert_ok(peers_add(&f->n, "lead.example.org:7401", &d));
	assert_ok(peers_add(&f->n, "10.0.0.1:7400", &d));
	assert_string_equal(listed(f), "10.0.0.1:7400 lead.example.org:7401");
	assert_string_equal(file_text(f->file),
	    "# peers of this node, one HOST:PORT per line\n"
	    "10.0.0.1:7400\nlead.example.org:7401\n");
	assert_int_equal(stat(f->file, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	assert_int_not_equal(access(f->tmp, F_OK), 0);
	/* a bad address is refused before the file is touched */
	assert_err(peers_add(&f->n, "10.0.0.2", &d), E(INVAL));
	assert_string_equal(listed(f), "10.0.0.1:7400 lead.example.org:7401");
}

/* A file written by hand: comments, blanks, CRLF and bad lines are skipped. */
static void
test_load_by_hand(void **state)
{
	struct fix *f = *state;
	char list[2][PEERS_ADDR_MAX + 1];
	unsigned count;

	tu_write_file(f->file, "# mine\n\n  \n10.0.0.1:7400  # the lead\n"
	    "not an address\n10.0.0.2:7400\r\n\t\n10.0.0.3:0\n"
	    "10.0.0.4:7400\t\n");
	assert_string_equal(listed(f), "10.0.0.1:7400 10.0.0.2:7400 "
	    "10.0.0.4:7400");
	/* at most max are read */
	assert_ok(peers_load(&f->n, list, 2, &count));
	assert_int_equal(count, 2);
	assert_string_equal(list[1], "10.0.0.2:7400");
}

/* rm removes one peer; a peer not listed is E(NOENT) and changes nothing. */
static void
test_rm(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char before[4096];

	assert_err(peers_rm(&f->n, "10.0.0.1:7400", &d), E(NOENT));
	assert_int_not_equal(access(f->file, F_OK), 0);
	assert_ok(peers_add(&f->n, "10.0.0.1:7400", &d));
	assert_ok(peers_add(&f->n, "10.0.0.2:7400", &d));
	assert_ok(peers_add(&f->n, "10.0.0.3:7400", &d));
	assert_ok(peers_rm(&f->n, "10.0.0.2:7400", &d));
	assert_string_equal(listed(f), "10.0.0.1:7400 10.0.0.3:7400");
	snprintf(before, sizeof(before), "%s", file_text(f->file));
	memset(&d, 0, sizeof(d));
	assert_err(peers_rm(&f->n, "10.0.0.2:7400", &d), E(NOENT));
	assert_string_equal(d.what, "not a peer of this node");
	assert_string_equal(file_text(f->file), before);
	assert_ok(peers_rm(&f->n, "10.0.0.1:7400", &d));
	assert_ok(peers_rm(&f->n, "10.0.0.3:7400", &d));
	assert_string_equal(listed(f), "");
}

/* PEERS_MAX peers at most: one more is E(TOOBIG), the list unchanged. */
static void
test_bound(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char addr[32], before[8192];
	unsigned i;

	for (i = 0; i < PEERS_MAX; i++) {
		snprintf(addr, sizeof(addr), "10.0.%u.%u:7400", i / 200,
		    i % 200);
		assert_ok(peers_add(&f->n, addr, &d));
	}
	snprintf(before, sizeof(before), "%s", file_text(f->file));
	assert_err(peers_add(&f->n, "10.9.9.9:7400", &d), E(TOOBIG));
	assert_string_equal(d.what, "too many peers");
	assert_string_equal(file_text(f->file), before);
	/* one already listed is still fine */
	assert_ok(peers_add(&f->n, "10.0.0.0:7400", &d));
}

/*
 * The file is replaced through DIR/peers.tmp, opened without following a
 * link: when that cannot be written the add fails with E(IO) and the list
 * and the link's target are left as they were.
 */
static void
test_save_fails(void **state)
{
	struct fix *f = *state;
	struct consort_diag d = { 0 };
	char target[4300];

	assert_ok(peers_add(&f->n, "10.0.0.1:7400", &d));
	assert_int_equal(mkdir(f->tmp, 0700), 0);
	assert_err(peers_add(&f->n, "10.0.0.2:7400", &d), E(IO));
	assert_string_equal(listed(f), "10.0.0.1:7400");
	assert_int_equal(rmdir(f->tmp), 0);

	snprintf(target, sizeof(target), "%s/elsewhere", f->dir);
	tu_write_file(target, "untouched\n");
	assert_int_equal(symlink(target, f->tmp), 0);
	assert_err(peers_add(&f->n, "10.0.0.2:7400", &d), E(IO));
	assert_string_equal(listed(f), "10.0.0.1:7400");
	assert_string_equal(file_text(target), "untouched\n");
}

int
main(void)
{
#define T(fn) cmocka_unit_test_setup_teardown(fn, setup, teardown)
	const struct CMUnitTest tests[] = {
		T(test_check_address),
		T(test_add_load),
		T(test_load_by_hand),
		T(test_rm),
		T(test_bound),
		T(test_save_fails),
	};
#undef T

	return cmocka_run_group_tests_name("peers", tests, NULL, NULL);
}
