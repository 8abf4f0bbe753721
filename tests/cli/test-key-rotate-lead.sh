#!/usr/bin/env bash
# The lead, which serves, replaces its key (its server stops, saying why,
# and is started again): a co-contractor that lacks the
# rotation refuses the new key once, the server then shows its replaced
# key to that client, the sync hands the rotation over, and the next sync
# is with the new key.  The lead's edits under its new key count on every
# node, and it still invites.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
sync_ok co "$LEAD"

# rotated while it serves: the server stops at its next connection, saying
# why, rather than go on as a key its peers no longer take
old=$(pubkey lead)
expect_rc 0 on lead key rotate
new=$(pubkey lead)
expect_fail on co sync "$LEAD"
for i in $(seq 1 50); do kill -0 "$lead_pid" 2>/dev/null || break; sleep 0.1; done
kill -0 "$lead_pid" 2>/dev/null && fail "serve goes on with a replaced key"
rc=0; wait "$lead_pid" || rc=$?
[ "$rc" != 0 ] || fail "serve stopped with exit 0 after its key was replaced"
grep -q "key was replaced" "$T/lead.serve.log" || fail "serve did not say why: $(cat "$T/lead.serve.log")"
[ "$new" != "$old" ] || fail "the lead's key did not change"
expect_rc 0 on lead add lot --ref LOT-R1 sector=Soin territory=49 rate_cents=1500
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
# one sync command: refused key, then the replaced key, then the rotation
sync_ok co "$LEAD"
expect_rc 0 on co show lot LOT-R1
expect_rc 0 on co key list --json
python3 - "$OUT" "$old" "$new" <<'PY' || fail "key list on co: $(cat "$OUT")"
import json, sys
keys = {k["key"]: k for k in json.load(open(sys.argv[1]))}
assert keys[sys.argv[2]]["current"] is False and keys[sys.argv[3]]["current"] is True
PY
# from now on the new key: the co-contractor's edit reaches the lead
expect_rc 0 on co set session S000002 capacity=11
sync_ok co "$LEAD"
same_state lead co
# the lead still binds keys: a subcontractor joins and syncs
join_node lead sub "$SUB_SIRET" sub
sync_ok sub "$LEAD"
sync_ok co "$LEAD"
same_state lead co sub
expect_rc 0 on sub verify
