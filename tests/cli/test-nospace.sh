#!/usr/bin/env bash
# A full disk during an import says ENOSPC (not a store error), how many
# change-sets and records were committed, and that importing the same file
# again finishes the job; it does, to the export of an import never cut.
# Twice: with LMDB's writes failing by a preloaded library (always runs),
# and on a small tmpfs really filled (as root, in a private mount namespace;
# skipped when mounting is not allowed).
. "$(dirname "$0")/lib.sh"

X1=$SHARED_DATA/dataset-x1.jsonl
[ -f "$X1" ] || skip "no $X1"

# The export of the same file imported on a disk never full.
init_lead ref
expect_rc 0 on ref import --batch 10 "$X1"
want=$(export_sha ref)
nrec=$(grep -c . "$X1")

# check_cut: the refusal in $ERR; sets N (change-sets) and M (records).
check_cut() {
	err_has '\[ENOSPC\]' "a full disk is not named ENOSPC"
	grep -q 'ESTORE' "$ERR" && fail "a full disk is still reported as a store error: $(cat "$ERR")"
	err_has 'no space left on the device'
	err_has 'import the same file again' "the refusal does not say how to finish the job"
	N=$(sed -nE 's/.* after ([0-9]+) change-sets \(([0-9]+) records\) were committed.*/\1/p' "$ERR")
	M=$(sed -nE 's/.* after ([0-9]+) change-sets \(([0-9]+) records\) were committed.*/\2/p' "$ERR")
	[ -n "$N" ] && [ -n "$M" ] || fail "the refusal does not say what was committed: $(cat "$ERR")"
	[ "$N" -gt 0 ] && [ "$M" -lt "$nrec" ] || fail "expected a cut half-way, got $N change-sets, $M records"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "more than one line on stderr: $(cat "$ERR")"
}

# 1. LMDB's writes fail once a budget of bytes is spent (an LD_PRELOAD
# library defining pwrite and writev, which LMDB calls through its PLT).
command -v cc >/dev/null || fail "no C compiler to build the fault-injection library"
cat >"$T/enospc.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <stdlib.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <unistd.h>

static long long budget = -2;

static int
spend(size_t n)
{
	const char *e;

	if (budget == -2)
		budget = (e = getenv("CONSORT_TEST_WRITE_BUDGET")) ? atoll(e) : -1;
	if (budget < 0)
		return 1;
	if ((long long)n > budget) {
		budget = 0;
		errno = ENOSPC;
		return 0;
	}
	budget -= (long long)n;
	return 1;
}

ssize_t
pwrite(int fd, const void *buf, size_t n, off_t off)
{
	return spend(n) ? syscall(SYS_pwrite64, fd, buf, n, off) : -1;
}

ssize_t
writev(int fd, const struct iovec *iov, int iovcnt)
{
	size_t n = 0;
	int i;

	for (i = 0; i < iovcnt; i++)
		n += iov[i].iov_len;
	return spend(n) ? syscall(SYS_writev, fd, iov, iovcnt) : -1;
}
C
cc -shared -fPIC -o "$T/enospc.so" "$T/enospc.c" || fail "cannot build the fault-injection library"
init_lead lead
n0=$(log_count lead)
LD_PRELOAD=$T/enospc.so CONSORT_TEST_WRITE_BUDGET=3000000 ASAN_OPTIONS=verify_asan_link_order=0 \
    expect_rc 1 on lead import --batch 10 "$X1"
check_cut
[ "$(log_count lead)" = $((n0 + N)) ] || fail "the log holds $(log_count lead) change-sets, expected $n0 + $N committed"
expect_rc 0 on lead verify
expect_rc 0 on lead import --batch 10 "$X1"
out_has "$((nrec - M)) new or changed" "the second import did not write exactly the records the first left out"
[ "$(export_sha lead)" = "$want" ] || fail "after the second import the state differs from an import never cut"
# an edit on a full disk: ENOSPC, nothing written
LD_PRELOAD=$T/enospc.so CONSORT_TEST_WRITE_BUDGET=0 ASAN_OPTIONS=verify_asan_link_order=0 \
    expect_rc 1 on lead add lot --ref LOT-X sector=B territory=44 rate_cents=1
err_has '\[ENOSPC\]'
err_has 'free space'
expect_rc 3 on lead show lot LOT-X

# 2. A real small file system, in a mount namespace of our own.
mkdir "$T/small"
cat >"$T/small.sh" <<'SH'
set -u
mount -t tmpfs -o size=4m consort-test "$T/small" 2>/dev/null || exit 77
d=$T/small/lead
"$CONSORT" --dir "$d" init --consortium G --member "Forma Nord" --siret 41852736200127 \
    --market M >"$T/s.init" 2>&1 || exit 78
rc=0
"$CONSORT" --dir "$d" import --batch 10 "$X1" >"$T/s1.out" 2>"$T/s1.err" || rc=$?
echo $rc >"$T/s1.rc"
"$CONSORT" --dir "$d" log --json >"$T/s1.log" 2>&1
mount -o remount,size=256m "$T/small" || exit 79
rc=0
"$CONSORT" --dir "$d" import --batch 10 "$X1" >"$T/s2.out" 2>"$T/s2.err" || rc=$?
echo $rc >"$T/s2.rc"
"$CONSORT" --dir "$d" export --json >"$T/s2.export" 2>&1
SH
rc=0
T=$T CONSORT=$CONSORT X1=$X1 unshare -m --propagation private bash "$T/small.sh" 2>"$T/small.err" || rc=$?
case $rc in
0) ;;
77|1) skip "cannot mount a tmpfs here (not root, or no mount namespace): $(head -c 200 "$T/small.err")" ;;
*) fail "the tmpfs run failed ($rc): $(cat "$T/small.err" "$T/s.init" 2>/dev/null | head -c 400)" ;;
esac
[ "$(cat "$T/s1.rc")" = 1 ] || fail "import on a full tmpfs exited $(cat "$T/s1.rc"): $(cat "$T/s1.err")"
cp "$T/s1.err" "$ERR"
check_cut
got=$(python3 -c 'import json, sys; print(len(json.load(open(sys.argv[1]))))' "$T/s1.log")
[ "$got" = $((1 + N)) ] || fail "the full tmpfs node holds $got change-sets, expected 1 + $N"
[ "$(cat "$T/s2.rc")" = 0 ] || fail "the import after freeing space failed: $(cat "$T/s2.err")"
grep -q "$((nrec - M)) new or changed" "$T/s2.out" || fail "the second import on tmpfs: $(cat "$T/s2.out")"
got=$(python3 -c '
import hashlib, sys
d = open(sys.argv[1], "rb").read()
print(hashlib.sha256(d[:-1]).hexdigest())' "$T/s2.export")
[ "$got" = "$want" ] || fail "after the second import on tmpfs the state differs from an import never cut"
exit 0
