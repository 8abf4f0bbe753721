#!/usr/bin/env bash
# Crash safety: an import of dataset-x10 killed with SIGKILL at a few
# moments leaves a store that verifies, with a whole log; importing again
# completes to the same export as a clean single import on another node
# (and the dataset's post_load_state_sha256).
. "$(dirname "$0")/lib.sh"

X10=$SHARED_DATA/dataset-x10.jsonl
[ -r "$X10" ] || skip "no $X10"

# the clean import, on the other core while this one kills imports
init_lead clean
"$CONSORT" --dir "$T/clean" import "$X10" >clean.out 2>&1 &
clean_pid=$!

init_lead crash
prev=0 killed=0
for delay in 0.1 0.4 0.7 1.0 1.3; do
	# consort itself in the background (not a shell function's subshell),
	# so that the kill hits the import
	"$CONSORT" --dir "$T/crash" import "$X10" >imp.out 2>&1 &
	pid=$!
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	[ "$rc" = 137 ] || [ "$rc" = 0 ] || fail "the import to be killed after $delay s exited $rc: $(tail -n 2 imp.out)"
	[ "$rc" = 0 ] || killed=$((killed + 1))
	expect_rc 0 on crash verify
	out_has '^verified [0-9]+ change-sets'
	on crash log --json >log.json || fail "log --json after a kill at $delay s failed"
	now=$(python3 - log.json "$prev" <<'PY'
import json, sys
l = json.load(open(sys.argv[1]))
prev = int(sys.argv[2])
seqs = [e["seq"] for e in l]
assert seqs == list(range(1, len(l) + 1)), "seq is not 1..n"
assert all(l[i]["prev"] == l[i - 1]["id"] for i in range(1, len(l))), "prev links broken"
assert all(e["ops"] > 0 and e["size"] > 0 for e in l), "an empty change-set"
assert len(l) >= prev, "the log shrank"
print(len(l))
PY
) || fail "the log after a kill at $delay s is not whole"
	prev=$now
done

[ "$killed" -gt 0 ] || fail "every import finished before its kill: nothing was interrupted"

# the interrupted imports resume to the full state
expect_rc 0 on crash import "$X10"
out_has '76010 records read'
expect_rc 0 on crash verify
wait "$clean_pid" || fail "the clean import failed: $(tail -n 2 clean.out)"
grep -q ' 76010 new or changed, 761 change-sets' clean.out || fail "clean import: $(cat clean.out)"
a=$(export_sha crash)
b=$(export_sha clean)
[ "$a" = "$b" ] || fail "the killed-and-resumed import exports $a, the clean one $b"
want=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["post_load_state_sha256"])' "$SHARED_DATA/ops-x10.json" 2>/dev/null || true)
[ -z "$want" ] || [ "$a" = "$want" ] || fail "the export digest $a is not the dataset's $want"
# and a third import appends nothing
n=$(log_count crash)
expect_rc 0 on crash import "$X10"
out_has ', 0 new or changed, 0 change-sets$'
[ "$(log_count crash)" = "$n" ] || fail "a repeated import appended to the log"
exit 0
