/*
 * Unit tests of strbuf.c: appends fill the buffer exactly up to its
 * capacity, never past it; one that does not fit empties the text, makes
 * every later append a no-op, and strbuf_end() reports it.
 */
#include "testutil.h"

/* Text that fits is kept whole, up to the last byte of the buffer. */
static void
test_fits(void **state)
{
	char buf[9];
	struct strbuf sb;

	(void)state;
	strbuf_init(&sb, buf, sizeof(buf));
	assert_string_equal(buf, "");
	strbuf_puts(&sb, "ab");
	strbuf_printf(&sb, "%d-%s", 12, "x");
	strbuf_add(&sb, "yz", 2);
	assert_string_equal(buf, "ab12-xyz");
	assert_int_equal(sb.len, 8);
	assert_ok(strbuf_end(&sb));
}

/* A cut is an error: the text is emptied and stays so; no byte past cap. */
static void
test_cut(void **state)
{
	char mem[16];
	struct strbuf sb;

	(void)state;
	memset(mem, '#', sizeof(mem));
	strbuf_init(&sb, mem, 8);
	strbuf_puts(&sb, "1234567");
	assert_ok(strbuf_end(&sb));
	strbuf_puts(&sb, "8");             /* needs a ninth byte for the NUL */
	assert_err(strbuf_end(&sb), E(TOOBIG));
	assert_true(sb.truncated);
	assert_string_equal(mem, "");
	strbuf_puts(&sb, "a");
	strbuf_printf(&sb, "%s", "b");
	assert_string_equal(mem, "");
	assert_err(strbuf_end(&sb), E(TOOBIG));
	assert_memory_equal(mem + 8, "########", 8);
	/* a formatted append that does not fit, after text that did */
	memset(mem, '#', sizeof(mem));
	strbuf_init(&sb, mem, 8);
	strbuf_puts(&sb, "abc");
	strbuf_printf(&sb, "%s", "defgh");
	assert_err(strbuf_end(&sb), E(TOOBIG));
	assert_string_equal(mem, "");
	assert_memory_equal(mem + 8, "########", 8);
	/* no room at all */
	strbuf_init(&sb, mem, 0);
	assert_err(strbuf_end(&sb), E(TOOBIG));
	strbuf_init(&sb, mem, 1);
	assert_ok(strbuf_end(&sb));
	strbuf_add(&sb, "x", 1);
	assert_err(strbuf_end(&sb), E(TOOBIG));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fits),
		cmocka_unit_test(test_cut),
	};

	return cmocka_run_group_tests_name("strbuf", tests, NULL, NULL);
}
