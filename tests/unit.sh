#!/usr/bin/env bash
# The unit tests: runs the cmocka programs given, JOBS at a time in the
# order given (the longest first), each one's output kept aside and shown
# whole under "== PROGRAM" as soon as it ends.  Exits 1 when one failed.
#
#   bash tests/unit.sh JOBS PROGRAM...
set -u
jobs=$1
shift
logs=$(mktemp -d "${TMPDIR:-/tmp}/consort-unit.XXXXXX") || exit 1
trap 'rm -rf "$logs"' EXIT
progs=("$@")

# one N: runs program N; its output in $logs/N.log, its status in $logs/N.rc.
one() {
	local rc=0
	"${progs[$1]}" >"$logs/$1.log" 2>&1 || rc=$?
	echo $rc >"$logs/$1.rc"
}

# show_ended: prints the output of each program ended since the last call.
shown=() failed=0
show_ended() {
	local i rc
	for i in "${!progs[@]}"; do
		[ -z "${shown[$i]:-}" ] && [ -f "$logs/$i.rc" ] || continue
		shown[$i]=1
		echo "== ${progs[$i]}"
		cat "$logs/$i.log"
		rc=$(cat "$logs/$i.rc")
		[ "$rc" = 0 ] || { echo "FAIL ${progs[$i]} (exit $rc)"; failed=$((failed + 1)); }
	done
}

running=0
for i in "${!progs[@]}"; do
	one "$i" &
	running=$((running + 1))
	if [ $running -ge "$jobs" ]; then
		wait -n 2>/dev/null || true
		running=$((running - 1))
		show_ended
	fi
done
wait
show_ended
[ $failed = 0 ]
