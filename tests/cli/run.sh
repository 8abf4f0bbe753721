#!/bin/sh
# End-to-end tests of the consort binary: runs every tests/cli/test-*.sh with
# bash, each in its own fresh temporary folder, and prints "ok NAME (its seconds)" or
# "FAIL NAME" (with the tail of its output) per test, then "N passed, M failed".
# Exits 1 when a test failed.
#
#   CONSORT=/abs/path/consort sh tests/cli/run.sh [NAME-PATTERN...]
#
# CONSORT defaults to ../../consort from this folder; a pattern such as
# "import" runs only the tests whose name holds it ("test-import.sh" that one
# alone: the pattern is matched against the file name).  CLI_JOBS=N runs N tests
# at a time (default 2); CLI_PYTHON names the python3 they run (default: the
# interpreter that python3 on the PATH runs).  The tests whose name holds
# one of the patterns of CLI_LEAK_TESTS run with AddressSanitizer's leak
# checker (detect_leaks=1 added to ASAN_OPTIONS), the others with
# ASAN_OPTIONS as it is.
if [ -z "${BASH_VERSION:-}" ]; then
	exec bash "$0" "$@"
fi
set -u

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
CONSORT=${CONSORT:-$here/../../consort}
case $CONSORT in /*) ;; *) CONSORT=$(cd "$(dirname "$CONSORT")" && pwd)/$(basename "$CONSORT") ;; esac
if [ ! -x "$CONSORT" ]; then
	echo "run.sh: no consort binary at $CONSORT (run make first)" >&2
	echo "0 passed, 1 failed"
	exit 1
fi
export CONSORT
# The python3 of the tests, found once: the interpreter itself (lib.sh).
CLI_PYTHON=${CLI_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null || true)}
export CLI_PYTHON
unset CONSORT_DIR CONSORT_PASSPHRASE_FILE

jobs=${CLI_JOBS:-2}
limit=${CLI_TIMEOUT:-120}   # seconds per test
logs=$(mktemp -d "${TMPDIR:-/tmp}/consort-cli-logs.XXXXXX")
trap 'rm -rf "$logs"' EXIT

tests=()
for t in "$here"/test-*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	if [ $# -gt 0 ]; then
		keep=0
		for p in "$@"; do
			case $name.sh in *"$p"*) keep=1 ;; esac
		done
		[ $keep = 1 ] || continue
	fi
	tests+=("$t")
done
if [ ${#tests[@]} = 0 ]; then
	echo "run.sh: no test matches" >&2
	echo "0 passed, 0 failed"
	exit 1
fi

# one TEST: runs it in a fresh folder; leaves its status in $logs/NAME.rc.
one() {
	local t=$1 name dir p rc=0 leaks=0 t0=$SECONDS
	name=$(basename "$t" .sh)
	dir=$(mktemp -d "${TMPDIR:-/tmp}/consort-cli-$name.XXXXXX")
	for p in ${CLI_LEAK_TESTS:-}; do
		case $name.sh in *"$p"*) leaks=1 ;; esac
	done
	(cd "$dir" || exit 1
	[ $leaks = 0 ] || export ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=1
	T=$dir exec timeout -k 5 "$limit" bash "$t") >"$logs/$name.log" 2>&1 </dev/null || rc=$?
	[ $rc = 124 ] && echo "timed out after $limit s" >>"$logs/$name.log"
	rm -rf "$dir"
	echo $rc >"$logs/$name.rc"
	echo $((SECONDS - t0)) >"$logs/$name.time"
}

# The longest tests (as measured under the sanitizers, longest first) start
# first, so that the jobs end together instead of one long test running
# alone at the end.
LONGEST="test-sync-kill test-personal-four test-sync-three test-perm-forged
    test-sync-bundle test-verify-scratch test-perm-orders test-order-region
    test-sync-wire test-crash test-order test-nospace test-usage test-sync-perms
    test-order-agreements test-edit test-order-history test-sync-serve"

# The start order: those of $LONGEST that run, in its order, then the rest.
order=()
declare -A first=()
for name in $LONGEST; do
	for t in "${tests[@]}"; do
		[ "$(basename "$t" .sh)" = "$name" ] && order+=("$t") && first[$name]=1
	done
done
for t in "${tests[@]}"; do
	[ -n "${first[$(basename "$t" .sh)]:-}" ] || order+=("$t")
done

# Start up to $jobs tests at a time, report them in name order.
running=0
for t in "${order[@]}"; do
	one "$t" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n 2>/dev/null || wait
		running=$((running - 1))
	fi
done
wait

passed=0 failed=0
for t in "${tests[@]}"; do
	name=$(basename "$t" .sh)
	rc=$(cat "$logs/$name.rc" 2>/dev/null || echo 1)
	if [ "$rc" = 0 ]; then
		passed=$((passed + 1))
		secs=$(cat "$logs/$name.time" 2>/dev/null || echo '?')
		if grep -q '^skip' "$logs/$name.log"; then
			echo "ok $name ($secs s) # $(grep -m1 '^skip' "$logs/$name.log")"
		else
			echo "ok $name ($secs s)"
		fi
	else
		failed=$((failed + 1))
		echo "FAIL $name (exit $rc)"
		tail -n 15 "$logs/$name.log" | sed 's/^/    /'
	fi
done
echo "$passed passed, $failed failed"
[ $failed = 0 ]
