#!/usr/bin/env bash
# A member floods the lead with change-sets signed by fresh keys that no
# binding names (syncpeer flood-*, 256 a batch).  Those whose past is all
# held are refused at once, with the reason in the ERROR the member reads
# and in the lead's log, and counted in status; nothing waits.  Those that
# name a change-set of the lead the lead lacks (as a new member's do
# before its binding arrives) may wait, but no more than the bound for
# keys the roster does not name (256); the rest is refused.  An honest
# member still syncs meanwhile, and the junk is dropped once the lead's
# real change-set is there.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead mal "$CO3_SIRET" co   # the member whose key syncpeer uses
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
export SYNCPEER_FOUNDER
SYNCPEER_FOUNDER=$(pubkey lead)
cons=$(consortium_id lead)
n=$(sessions lead)
d=$(log_digest lead)

# flood KIND: syncpeer floods with mal's key; its answer in flood.KIND
flood() {
	syncpeer client "$PORT" "flood-$1" "$T/mal/network.key" "$T/mal/key" "$cons" >"flood.$1" 2>&1 ||
	    fail "syncpeer flood-$1: $(cat "flood.$1")"
	n=$((n + 1))
	wait_sessions lead "$n"
}

# peer_refused: change-sets the lead refused in mal's last session
peer_refused() {
	on lead status --json | python3 -c '
import json, sys
k = sys.argv[1]
p = [p for p in json.load(sys.stdin)["peers"] if p["key"] == k]
print(p[0]["refused_changesets"] if p else "none")' "$(pubkey mal)"
}

# 1. fresh keys, their past held: refused at once, nothing waits
SYNCPEER_COUNT=2048 flood outsider
grep -qx "server error after 0 batches: .*not a member.*" flood.outsider ||
    fail "the flood of outsiders was not refused with the reason: $(cat flood.outsider)"
tail -n 1 "$T/lead.serve.log" | grep -q 'not a member' ||
    fail "the lead's log does not say why: $(tail -n 1 "$T/lead.serve.log")"
[ "$(status_counts lead)" = "0 0 0" ] || fail "the outsiders left something: $(status_counts lead)"
[ "$(peer_refused)" = 1 ] || fail "status does not count the refused change-set: $(peer_refused)"
[ "$(log_digest lead)" = "$d" ] || fail "the flood changed the lead's log"

# 2. fresh keys naming the lead's next change-set: 256 wait, then refused
SYNCPEER_COUNT=1024 flood ahead
grep -qx "server error after 1 batches: .*roster does not name.*" flood.ahead ||
    fail "the flood of would-be members was not bounded: $(cat flood.ahead)"
[ "$(status_counts lead)" = "256 0 0" ] || fail "waiting/refused/forks after the bounded flood: $(status_counts lead)"

# 3. an honest member syncs one change-set meanwhile
expect_rc 0 on co add trainee --ref TFL1 family_name=Honest given_name=Un birth_year=1990
sync_ok co "$LEAD"
[ "$(synced_counts)" = "1 0" ] || fail "co's sync beside the junk: $(head -n 1 "$OUT")"
n=$((n + 1))
wait_sessions lead "$n"
tail -n 1 "$T/lead.serve.log" | grep -q 'received 1 (0 held already, 0 waiting)' ||
    fail "the lead's log of co's sync: $(tail -n 1 "$T/lead.serve.log")"

# 4. the lead's own next change-set (another id than the junk names):
# the next batch the lead receives drops the junk
expect_rc 0 on lead add trainee --ref TFL2 family_name=Lead given_name=Deux birth_year=1991
expect_rc 0 on co add trainee --ref TFL3 family_name=Honest given_name=Trois birth_year=1992
sync_ok co "$LEAD"
n=$((n + 1))
wait_sessions lead "$n"
[ "$(status_counts lead)" = "0 0 0" ] || fail "the junk still waits after the lead's change-set: $(status_counts lead)"
same_state lead co
expect_rc 0 on lead verify
exit 0
