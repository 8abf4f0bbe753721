#!/usr/bin/env bash
# kill -9 during a large sync (dataset-x10 on the lead, 762 change-sets):
# the client killed at a few moments, then the server killed mid-sync (once
# the side that only sends, once the side that receives and writes).  Each
# killed node's store verifies and its log only grows; syncing again
# completes: verify passes on both, the state hashes are equal, and the
# co-contractor's log counts as many change-sets as the lead's.
. "$(dirname "$0")/sync-lib.sh"

X10=$SHARED_DATA/dataset-x10.jsonl
[ -r "$X10" ] || skip "no $X10"

init_consortium lead
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead co3 "$CO3_SIRET" co
expect_rc 0 on lead import "$X10"
out_has '76010 records read'
total=$(log_count lead)
[ "$total" -gt 700 ] || fail "the lead holds only $total change-sets after importing x10"
serve_start lead; LEAD=$ADDR; lead_pid=$SPID

# log_ok NODE PREV: the node verifies, its log is a whole chain per author,
# it holds at least PREV change-sets; prints how many it holds.
log_ok() {
	expect_rc 0 on "$1" verify
	out_has '^verified [0-9]+ change-sets'
	on "$1" log --json >"$T/$1.log.json" 2>"$T/.log.err" || fail "log --json of $1 failed: $(cat "$T/.log.err")"
	python3 - "$T/$1.log.json" "$2" <<'PY' || fail "the log of $1 is not whole after a kill"
import collections, json, sys
l, prev = json.load(open(sys.argv[1])), int(sys.argv[2])
by = collections.defaultdict(list)
for e in l:
    by[e["author"]].append(e)
for a, es in by.items():
    es.sort(key=lambda e: e["seq"])
    assert [e["seq"] for e in es] == list(range(1, len(es) + 1)), "seq of %s is not 1..n" % a
    assert all(es[i]["prev"] == es[i - 1]["id"] for i in range(1, len(es))), "prev links of %s" % a
assert len(l) >= prev, "the log shrank from %d to %d" % (prev, len(l))
print(len(l))
PY
}

# 1. the client killed after a few delays
prev=$(log_count co) partial=0
for delay in 0.05 0.2 0.4; do
	BG_OUT=sync.out bg_on co sync "$LEAD"
	pid=$BGPID
	sleep "$delay"
	kill -9 "$pid" 2>/dev/null || true
	rc=0
	wait "$pid" 2>/dev/null || rc=$?
	[ "$rc" = 137 ] || [ "$rc" = 0 ] || fail "the sync to be killed after $delay s exited $rc: $(tail -n 2 sync.out)"
	now=$(log_ok co "$prev")
	[ "$now" -gt "$prev" ] && [ "$now" -lt "$total" ] && partial=$((partial + 1))
	prev=$now
	[ "$now" -lt "$total" ] || break
done
echo "client kills: co held $prev of $total change-sets, $partial partial syncs"
# the lead (the server) keeps serving and is intact
kill -0 "$lead_pid" 2>/dev/null || fail "the lead's serve died when its client was killed"
expect_rc 0 on lead verify

# 2. the server killed mid-sync while it only reads (co2 pulls from the lead)
sync_rc=0
BG_OUT=sync2.out bg_on co2 sync "$LEAD"
pid=$BGPID
sleep 0.15
kill -9 "$lead_pid"
wait "$lead_pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || sync_rc=$?
n2=$(log_ok co2 0)
if [ "$n2" -lt "$total" ]; then
	# (checked at the end, so that the resumption below is tested anyway)
	[ "$sync_rc" = 1 ] || later "a sync whose server was killed mid-sync exited $sync_rc, expected 1$([ "$sync_rc" = 141 ] && echo ' (killed by SIGPIPE)'): stderr \"$(head -c 300 sync2.out)\""
	grep -qiE 'closed|connection|reset|pipe' sync2.out || later "the sync whose server was killed does not say the connection was lost: \"$(head -c 300 sync2.out)\""
	# and status keeps the outcome: the lead's address with an error
	on co2 status --json >co2.status || fail "status --json of co2 failed"
	python3 -c '
import json, sys
p = [p for p in json.load(open(sys.argv[1]))["peers"] if p["address"] == sys.argv[2]]
assert p and p[0]["error"], p' co2.status "$LEAD" 2>/dev/null ||
	    later "co2's status does not record the cut sync with $LEAD as failed: $(cat co2.status)"
else
	echo "note: co2's sync finished before the server was killed"
fi
log_ok lead "$total" >/dev/null

# 3. the server killed mid-sync while it receives and writes: co3 serves
# and the lead pushes its log to it
serve_start co3; co3_pid=$SPID
before=$(log_count co3)
sync_rc=0
BG_OUT=sync3.out bg_on lead sync "$ADDR"
pid=$BGPID
sleep 0.15
kill -9 "$co3_pid"
wait "$co3_pid" 2>/dev/null || true
wait "$pid" 2>/dev/null || sync_rc=$?
n3=$(log_ok co3 "$before")
if [ "$n3" -lt "$total" ]; then
	[ "$sync_rc" = 1 ] || later "a push whose server was killed mid-sync exited $sync_rc, expected 1$([ "$sync_rc" = 141 ] && echo ' (killed by SIGPIPE)'): stderr \"$(head -c 300 sync3.out)\""
	grep -qiE 'closed|connection|reset|pipe' sync3.out || later "the push whose server was killed does not say the connection was lost: \"$(head -c 300 sync3.out)\""
fi
echo "server kills: co2 held $n2, co3 $n3 of $total change-sets"

# 4. syncing again completes, in both set-ups
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"
serve_start co3; CO3=$ADDR
sync_ok lead "$CO3"
[ "$(synced_counts)" = "$((total - n3)) 0" ] || fail "the lead's push to co3 after the kill sent other than the $((total - n3)) missing: $(head -n 1 "$OUT")"
sync_ok lead "$CO3"
[ "$(synced_counts)" = "0 0" ] || fail "lead and co3 still differ after a full sync: $(head -n 1 "$OUT")"
for n in lead co co2 co3; do
	c=$(log_ok "$n" "$total")
	[ "$c" = "$total" ] || fail "$n holds $c change-sets, the lead $total"
done
same_state lead co co2 co3
check_later
exit 0
