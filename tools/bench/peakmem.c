/*
 * peakmem: the peak private memory of a command, sampled cheaply.
 *
 *   peakmem [-i MS] -o FILE -- COMMAND [ARG ...]
 *	runs COMMAND (its output passes through), samples its anonymous
 *	resident memory (RssAnon: resident minus file and shared pages, from
 *	/proc/PID/statm) every MS milliseconds (default 5) and when it ends,
 *	and writes to FILE one line:
 *
 *	wall_s=W user_s=U sys_s=S anon_peak_kib=A rss_peak_kib=R
 *	written_bytes=B samples=N
 *
 *	W from fork to reaping (CLOCK_MONOTONIC; the end is seen at once, by
 *	SIGCHLD), R the kernel's peak RSS of the command (ru_maxrss), B its
 *	bytes written to storage (ru_oublock x 512, what /usr/bin/time -v
 *	counts as "File system outputs").  Exits with the command's status.
 *
 *   peakmem [-i MS] -o FILE -p PID
 *	watches a running process until peakmem gets SIGTERM or SIGINT, or
 *	the process ends; prints "ready" on stdout once it has its first
 *	sample, then writes to FILE:
 *
 *	anon_base_kib=A0 anon_peak_kib=A anon_end_kib=A1 hwm_kib=H
 *	written_bytes=B samples=N
 *
 *	A0 at the start, H the process's VmHWM at the end (cumulative since
 *	it started), B the growth of write_bytes in /proc/PID/io.
 *
 * A sample reads one line of /proc/PID/statm, a few microseconds.  Every
 * 5 ms, it misses no buffer of 20 MiB or more, however short-lived: the
 * command takes longer than that to touch it (a page fault costs about
 * 1 us a 4 KiB page).  Exit status: 2 on misuse, 1 when
 * the command cannot be run or FILE cannot be written.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DEFAULT_INTERVAL_MS 5

/* What is known of the watched process so far. */
struct watch {
	pid_t pid;
	int statm;            /* /proc/PID/statm, open for rereading */
	long page_kib;
	long anon_first_kib;  /* -1 until the first sample */
	long anon_peak_kib;
	long anon_last_kib;
	unsigned long samples;
};

/* Prints the usage lines and returns the misuse exit status. */
static int
usage(void)
{
	fprintf(stderr, "usage: peakmem [-i MS] -o FILE -- COMMAND [ARG ...]\n"
	    "       peakmem [-i MS] -o FILE -p PID\n");
	return 2;
}

/* Seconds elapsed between two monotonic times. */
static double
elapsed(const struct timespec *t0, const struct timespec *t1)
{
	return (double)(t1->tv_sec - t0->tv_sec) +
	    (double)(t1->tv_nsec - t0->tv_nsec) / 1e9;
}

/* Opens /proc/PID/statm of the watched process; -1 when it is gone. */
static int
watch_open(struct watch *w, pid_t pid)
{
	char path[64];

	memset(w, 0, sizeof(*w));
	w->pid = pid;
	w->page_kib = sysconf(_SC_PAGESIZE) / 1024;
	w->anon_first_kib = -1;
	snprintf(path, sizeof(path), "/proc/%ld/statm", (long)pid);
	w->statm = open(path, O_RDONLY | O_CLOEXEC);
	return w->statm < 0 ? -1 : 0;
}

/*
 * Takes one sample: resident minus shared pages of statm, which is
 * RssAnon of /proc/PID/status.  Returns -1 once the process is gone.
 */
static int
watch_sample(struct watch *w)
{
	char buf[256];
	unsigned long size, resident, shared;
	ssize_t n;
	long kib;

	n = pread(w->statm, buf, sizeof(buf) - 1, 0);
	if (n <= 0)
		return -1;
	buf[n] = '\0';
	if (sscanf(buf, "%lu %lu %lu", &size, &resident, &shared) != 3)
		return -1;
	if (resident == 0)  /* a zombie's mm is gone */
		return -1;
	kib = (long)(resident - shared) * w->page_kib;
	if (w->anon_first_kib < 0)
		w->anon_first_kib = kib;
	if (kib > w->anon_peak_kib)
		w->anon_peak_kib = kib;
	w->anon_last_kib = kib;
	w->samples++;
	return 0;
}

/* One field of a /proc/PID file ("VmHWM:", "write_bytes:"); -1 if absent. */
static long long
proc_field(pid_t pid, const char *file, const char *name)
{
	char path[64], line[256];
	size_t len = strlen(name);
	long long v = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%ld/%s", (long)pid, file);
	if ((f = fopen(path, "re")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, len) == 0) {
			v = strtoll(line + len, NULL, 10);
			break;
		}
	fclose(f);
	return v;
}

/* Writes the result line to path; 0 or -1. */
static int
write_result(const char *path, const char *line)
{
	FILE *f = fopen(path, "we");

	if (f == NULL) {
		fprintf(stderr, "peakmem: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fputs(line, f);
	if (fclose(f) != 0) {
		fprintf(stderr, "peakmem: %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

/* The interval as a timespec. */
static struct timespec
interval_ts(unsigned ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	return ts;
}

/* Forks and execs the command with the signal mask it had; -1 on failure. */
static pid_t
spawn(char **argv, const sigset_t *oldmask)
{
	pid_t pid = fork();

	if (pid != 0)
		return pid;
	sigprocmask(SIG_SETMASK, oldmask, NULL);
	execvp(argv[0], argv);
	fprintf(stderr, "peakmem: %s: %s\n", argv[0], strerror(errno));
	_exit(127);
}

/* Runs a command, sampling it until it ends; returns its exit status. */
static int
run_command(char **argv, const char *out, unsigned ms)
{
	struct timespec t0, t1, ts = interval_ts(ms);
	struct rusage ru;
	struct watch w;
	sigset_t set, old;
	char line[512];
	pid_t pid, got;
	int status = 0, ret;

	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigprocmask(SIG_BLOCK, &set, &old);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if ((pid = spawn(argv, &old)) < 0) {
		fprintf(stderr, "peakmem: fork: %s\n", strerror(errno));
		return 1;
	}
	if (watch_open(&w, pid) != 0)
		w.statm = -1;
	for (;;) {
		if (w.statm >= 0)
			(void)watch_sample(&w);
		got = wait4(pid, &status, WNOHANG, &ru);
		if (got == pid)
			break;
		if (got < 0 && errno != EINTR) {
			fprintf(stderr, "peakmem: wait: %s\n", strerror(errno));
			return 1;
		}
		(void)sigtimedwait(&set, NULL, &ts);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (w.statm >= 0)
		close(w.statm);
	snprintf(line, sizeof(line), "wall_s=%.6f user_s=%.6f sys_s=%.6f "
	    "anon_peak_kib=%ld rss_peak_kib=%ld written_bytes=%lld "
	    "samples=%lu\n", elapsed(&t0, &t1),
	    (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6,
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6,
	    w.anon_peak_kib, ru.ru_maxrss, (long long)ru.ru_oublock * 512,
	    w.samples);
	if (write_result(out, line) != 0)
		return 1;
	if (WIFEXITED(status))
		ret = WEXITSTATUS(status);
	else
		ret = 128 + (WIFSIGNALED(status) ? WTERMSIG(status) : 0);
	return ret;
}

/* Watches a running process until told to stop or until it ends. */
static int
watch_pid(pid_t pid, const char *out, unsigned ms)
{
	struct timespec ts = interval_ts(ms);
	struct watch w;
	sigset_t set;
	long long wb0, wb1, hwm;
	char line[512];
	int sig;

	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigprocmask(SIG_BLOCK, &set, NULL);
	if (watch_open(&w, pid) != 0 || watch_sample(&w) != 0) {
		fprintf(stderr, "peakmem: no process %ld\n", (long)pid);
		return 1;
	}
	wb0 = proc_field(pid, "io", "write_bytes:");
	printf("ready\n");
	fflush(stdout);
	for (;;) {
		sig = sigtimedwait(&set, NULL, &ts);
		if (watch_sample(&w) != 0 || sig > 0)
			break;
	}
	wb1 = proc_field(pid, "io", "write_bytes:");
	hwm = proc_field(pid, "status", "VmHWM:");
	close(w.statm);
	snprintf(line, sizeof(line), "anon_base_kib=%ld anon_peak_kib=%ld "
	    "anon_end_kib=%ld hwm_kib=%lld written_bytes=%lld samples=%lu\n",
	    w.anon_first_kib, w.anon_peak_kib, w.anon_last_kib, hwm,
	    wb0 >= 0 && wb1 >= 0 ? wb1 - wb0 : -1, w.samples);
	return write_result(out, line) != 0 ? 1 : 0;
}

/* Parses the options, then runs or watches. */
int
main(int argc, char **argv)
{
	const char *out = NULL;
	unsigned ms = DEFAULT_INTERVAL_MS;
	long pid = 0, n;
	char *end;
	int c;

	while ((c = getopt(argc, argv, "+i:o:p:")) != -1) {
		switch (c) {
		case 'i':
			n = strtol(optarg, &end, 10);
			if (*end != '\0' || n < 1 || n > 1000)
				return usage();
			ms = (unsigned)n;
			break;
		case 'o':
			out = optarg;
			break;
		case 'p':
			pid = strtol(optarg, &end, 10);
			if (*end != '\0' || pid < 1)
				return usage();
			break;
		default:
			return usage();
		}
	}
	if (out == NULL)
		return usage();
	if (pid != 0)
		return optind == argc ? watch_pid((pid_t)pid, out, ms) : usage();
	if (optind >= argc)
		return usage();
	return run_command(argv + optind, out, ms);
}
