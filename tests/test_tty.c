/*
 * Unit tests of tty.c on a pseudo-terminal: the prompt written, echo off
 * while the line is read and on again after, and the lines refused (too
 * long, holding a NUL, no line at all, no terminal).
 */
#include <fcntl.h>
#include <pthread.h>
#include <termios.h>

#include "testutil.h"

#define PROMPT "Enter passphrase for test: "

/* A pseudo-terminal: the side a person types on, and the process's side. */
struct pt {
	int master, slave;
	const char *input;  /* typed once the prompt is shown */
	size_t inlen;
	bool echo_during;   /* echo was on when the prompt was shown */
	char shown[256];    /* what the process wrote */
};

/* Opens a pseudo-terminal pair, or skips the test where there is none. */
static void
pt_open(struct pt *p, const char *input, size_t inlen)
{
	memset(p, 0, sizeof(*p));
	p->slave = -1;
	p->master = posix_openpt(O_RDWR | O_NOCTTY);
	if (p->master < 0 || grantpt(p->master) != 0 ||
	    unlockpt(p->master) != 0 ||
	    (p->slave = open(ptsname(p->master), O_RDWR | O_NOCTTY)) < 0) {
		if (p->master >= 0)
			close(p->master);
		skip();  /* no pseudo-terminal here (a /dev without devpts) */
	}
	p->input = input;
	p->inlen = inlen;
}

/* Whether the terminal echoes now. */
static bool
echo_on(int fd)
{
	struct termios t;

	assert_int_equal(tcgetattr(fd, &t), 0);
	return (t.c_lflag & ECHO) != 0;
}

/* The person: waits for the prompt, notes the echo, then types the input. */
static void *
typist(void *arg)
{
	struct pt *p = arg;
	size_t n = 0;
	ssize_t r;

	while (strstr(p->shown, PROMPT) == NULL && n < sizeof(p->shown) - 1 &&
	    (r = read(p->master, p->shown + n, sizeof(p->shown) - 1 - n)) > 0)
		n += (size_t)r;
	p->echo_during = echo_on(p->slave);
	if (write(p->master, p->input, p->inlen) != (ssize_t)p->inlen)
		return NULL;
	return p;
}

/* Reads a passphrase with input typed at the prompt; returns its code. */
static int
ask(struct pt *p, const char *input, size_t inlen, char **pass, size_t *len)
{
	pthread_t th;
	int rc;

	pt_open(p, input, inlen);
	assert_true(echo_on(p->slave));
	assert_int_equal(pthread_create(&th, NULL, typist, p), 0);
	rc = tty_passphrase(p->slave, PROMPT, pass, len);
	assert_int_equal(pthread_join(th, NULL), 0);
	assert_non_null(strstr(p->shown, PROMPT));
	assert_false(p->echo_during);
	assert_true(echo_on(p->slave));  /* restored, whatever the outcome */
	close(p->slave);
	close(p->master);
	return rc;
}

/* A line typed is the passphrase, without its newline, in guarded memory. */
static void
test_line_read_echo_off(void **state)
{
	struct pt p;
	size_t len;
	char *pass;

	assert_int_equal(ask(&p, "Sésame 2026\n", 13, &pass, &len), 0);
	assert_int_equal(len, 12);
	assert_memory_equal(pass, "Sésame 2026", 13);  /* NUL-terminated */
	sodium_free(pass);
}

/* An empty line is a passphrase of length 0 (the caller decides). */
static void
test_empty_line(void **state)
{
	struct pt p;
	size_t len = 1;
	char *pass;

	assert_int_equal(ask(&p, "\n", 1, &pass, &len), 0);
	assert_int_equal(len, 0);
	assert_string_equal(pass, "");
	sodium_free(pass);
}

/* A line over KEYS_PASS_MAX bytes is refused, not cut. */
static void
test_too_long(void **state)
{
	char line[KEYS_PASS_MAX + 2];
	struct pt p;
	size_t len;
	char *pass = (char *)1;

	memset(line, 'a', KEYS_PASS_MAX + 1);
	line[KEYS_PASS_MAX + 1] = '\n';
	assert_err(ask(&p, line, sizeof(line), &pass, &len), E(TOOBIG));
	assert_null(pass);
	/* exactly KEYS_PASS_MAX bytes is fine */
	line[KEYS_PASS_MAX] = '\n';
	assert_int_equal(ask(&p, line, KEYS_PASS_MAX + 1, &pass, &len), 0);
	assert_int_equal(len, KEYS_PASS_MAX);
	sodium_free(pass);
}

/* A NUL byte cannot be part of a passphrase (C strings end there). */
static void
test_nul_refused(void **state)
{
	struct pt p;
	size_t len;
	char *pass = (char *)1;

	assert_err(ask(&p, "ab\0cd\n", 6, &pass, &len), E(PASSPHRASE));
	assert_null(pass);
}

/* The end of input (Ctrl-D) before anything is typed gives no passphrase. */
static void
test_end_of_input(void **state)
{
	struct pt p;
	size_t len;
	char *pass = (char *)1;

	assert_err(ask(&p, "\x04", 1, &pass, &len), E(TRUNCATED));
	assert_null(pass);
}

/* A descriptor that is no terminal is refused before anything is written. */
static void
test_not_a_terminal(void **state)
{
	int fd = open("/dev/null", O_RDWR);
	size_t len;
	char *pass = (char *)1;

	assert_true(fd >= 0);
	assert_err(tty_passphrase(fd, PROMPT, &pass, &len), E(IO));
	assert_null(pass);
	close(fd);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_line_read_echo_off),
		cmocka_unit_test(test_empty_line),
		cmocka_unit_test(test_too_long),
		cmocka_unit_test(test_nul_refused),
		cmocka_unit_test(test_end_of_input),
		cmocka_unit_test(test_not_a_terminal),
	};

	return cmocka_run_group_tests_name("tty", tests, NULL, NULL);
}
