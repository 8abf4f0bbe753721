/*
 * A passphrase typed on the terminal, as ssh-keygen and readpassphrase(3)
 * read one: the prompt and the answer go through /dev/tty (never stdout or
 * stderr), echo is off while it is typed, and the terminal is restored on
 * every path, a signal included (DESIGN.md §2).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <termios.h>
#include <unistd.h>

#include <sodium.h>

#include "core.h"

/*
 * The signals that interrupt a prompt: those that end the process, which
 * are raised again once the terminal is restored, and those that stop it
 * (Ctrl-Z, a background read or write), after which the prompt starts over.
 */
static const int tty_signals[] = { SIGINT, SIGHUP, SIGQUIT, SIGTERM,
	SIGALRM, SIGTSTP, SIGTTIN, SIGTTOU };
#define NSIGNALS (sizeof(tty_signals) / sizeof(tty_signals[0]))

/* The signal that arrived during a prompt; 0 while none did. */
static volatile sig_atomic_t tty_caught;

/* Notes a signal; the prompt acts on it once the terminal is restored. */
static void
tty_on_signal(int signo)
{
	tty_caught = signo;
}

/* What a prompt changed, to put back. */
struct tty_saved {
	struct termios term;
	bool term_set;  /* echo was turned off */
	struct sigaction act[NSIGNALS];
	sigset_t mask;
};

/* Opens the process's terminal for a prompt: a descriptor, or -1 without one. */
int
tty_open(void)
{
	return open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
}

/* Writes a whole string to the terminal; errors are ignored (a prompt). */
static void
tty_write(int fd, const char *s)
{
	size_t len = strlen(s);
	ssize_t w;

	while (len > 0 && ((w = write(fd, s, len)) > 0 || errno == EINTR)) {
		if (w > 0) {
			s += w;
			len -= (size_t)w;
		}
	}
}

/*
 * Catches the prompt's signals and blocks them, so that they arrive only
 * inside ppoll(): none can slip between a check of tty_caught and a wait.
 */
static void
tty_catch(struct tty_saved *sv)
{
	struct sigaction sa;
	sigset_t set;
	size_t i;

	tty_caught = 0;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = tty_on_signal;
	sigemptyset(&sa.sa_mask);
	sigemptyset(&set);
	for (i = 0; i < NSIGNALS; i++)
		sigaddset(&set, tty_signals[i]);
	sigprocmask(SIG_BLOCK, &set, &sv->mask);
	/* a signal the process ignores (nohup) stays ignored */
	for (i = 0; i < NSIGNALS; i++)
		if (sigaction(tty_signals[i], NULL, &sv->act[i]) == 0 &&
		    sv->act[i].sa_handler != SIG_IGN)
			sigaction(tty_signals[i], &sa, NULL);
}

/* Puts the terminal and the signals back as they were, in that order. */
static void
tty_restore(int fd, struct tty_saved *sv)
{
	size_t i;

	if (sv->term_set) {
		while (tcsetattr(fd, TCSAFLUSH, &sv->term) != 0 && errno == EINTR)
			;
		tty_write(fd, "\n");  /* the newline typed was not echoed */
		sv->term_set = false;
	}
	for (i = 0; i < NSIGNALS; i++)
		sigaction(tty_signals[i], &sv->act[i], NULL);
	sigprocmask(SIG_SETMASK, &sv->mask, NULL);
}

/* Turns echo off (and drops what was typed ahead, echoed already). */
static int
tty_echo_off(int fd, struct tty_saved *sv)
{
	struct termios t;

	if (tcgetattr(fd, &sv->term) != 0)
		return E(IO);
	t = sv->term;
	t.c_lflag &= ~(tcflag_t)(ECHO | ECHOE | ECHOK | ECHONL);
	sv->term_set = true;
	if (tcsetattr(fd, TCSAFLUSH, &t) != 0) {
		sv->term_set = false;
		return E(IO);
	}
	return 0;
}

/*
 * Reads one line into buf (KEYS_PASS_MAX + 2 bytes); signals arrive only
 * while it waits.  A longer line is read to its end and refused.
 */
static int
tty_read_line(int fd, char *buf, const sigset_t *waitmask, size_t *len)
{
	struct pollfd p = { fd, POLLIN, 0 };
	size_t n = 0;
	ssize_t r;
	char c;

	for (;;) {
		if (tty_caught != 0)
			return E(INTERRUPTED);
		if (ppoll(&p, 1, NULL, waitmask) < 0) {
			if (errno == EINTR)
				continue;
			return E(IO);
		}
		if ((r = read(fd, &c, 1)) < 0 && (errno == EINTR ||
		    errno == EAGAIN))
			continue;
		if (r < 0)
			return E(IO);
		if (r == 0 && n == 0)
			return E(TRUNCATED);  /* end of input: nothing typed */
		if (r == 0 || c == '\n')
			break;
		if (n < KEYS_PASS_MAX + 1)
			buf[n++] = c;
	}
	sodium_memzero(&c, sizeof(c));
	*len = n;
	return n > KEYS_PASS_MAX ? E(TOOBIG) : 0;
}

/*
 * One prompt: echo off, the prompt, the line, then everything restored.
 * Returns 0, an error, or E(INTERRUPTED) with *signo the signal caught.
 */
static int
tty_prompt_once(int fd, const char *prompt, char *buf, size_t *len,
    int *signo)
{
	struct tty_saved sv = { .term_set = false };
	int rc;

	tty_catch(&sv);
	if ((rc = tty_echo_off(fd, &sv)) == 0) {
		tty_write(fd, prompt);
		rc = tty_read_line(fd, buf, &sv.mask, len);
	}
	*signo = tty_caught;
	tty_restore(fd, &sv);
	return rc;
}

/* Whether a signal stops the process rather than ends it. */
static bool
tty_stops(int signo)
{
	return signo == SIGTSTP || signo == SIGTTIN || signo == SIGTTOU;
}

/*
 * Reads a passphrase typed on the terminal fd, echo off, into guarded
 * memory (at most KEYS_PASS_MAX bytes; an empty line gives length 0).  A
 * signal that ends the process is raised again once the terminal is back
 * as it was; after one that stops it (Ctrl-Z), the prompt starts over.
 */
int
tty_passphrase(int fd, const char *prompt, char **pass, size_t *passlen)
{
	size_t len = 0;
	char *buf;
	int rc, signo;

	*pass = NULL;
	*passlen = 0;
	if ((buf = keys_secret_alloc(KEYS_PASS_MAX + 2)) == NULL)
		return E(NOMEM);
	for (;;) {
		rc = tty_prompt_once(fd, prompt, buf, &len, &signo);
		if (rc != E(INTERRUPTED))
			break;
		sodium_memzero(buf, KEYS_PASS_MAX + 2);
		if (!tty_stops(signo)) {
			sodium_free(buf);
			raise(signo);  /* ends the process unless it is handled */
			return E(INTERRUPTED);
		}
		raise(signo);  /* stops here; the prompt starts over on SIGCONT */
	}
	if (rc == 0 && memchr(buf, '\0', len) != NULL)
		rc = E(PASSPHRASE);
	if (rc != 0) {
		sodium_free(buf);  /* wipes it */
		return rc;
	}
	buf[len] = '\0';
	*pass = buf;
	*passlen = len;
	return 0;
}
