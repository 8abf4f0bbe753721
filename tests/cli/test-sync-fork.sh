#!/usr/bin/env bash
# A fork: a co-contractor's node restored from a copy writes a different
# change-set at a seq its original already used.  Syncing reports the fork
# on both sides and merges nothing: neither side takes the other's
# change-set at that seq, states stay as they were, verify passes.  As
# DESIGN.md says ("Forks seen in version vectors or in received
# change-sets are recorded with both ids (forks table, consort status)"),
# status --json then counts it.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
expect_rc 0 on co add trainee --ref TF0 family_name=Fork given_name=Zero birth_year=1990
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"

# the copy: same key, same log
cp -r "$T/co" "$T/restored"
expect_rc 0 on co add trainee --ref TFA family_name=Fork given_name=Original birth_year=1991
expect_rc 0 on restored add trainee --ref TFB family_name=Fork given_name=Restored birth_year=1992
sync_ok co "$LEAD"
[ "$(synced_counts)" = "1 0" ] || fail "co->lead: $(head -n 1 "$OUT")"
h_lead=$(state_hash lead)
h_restored=$(state_hash restored)

# the restored node meets the lead: the fork is reported, nothing merged
expect_rc 0 on restored sync "$LEAD"
out_has 'sent 0 change-sets, received 0 .* 1 forks' 
wait_sessions lead 4
tail -n 1 "$T/lead.serve.log" | grep -q 'sent 0 change-sets, received 0 .* 1 forks' ||
    fail "the lead's log does not report the fork: $(tail -n 1 "$T/lead.serve.log")"
[ "$(state_hash lead)" = "$h_lead" ] || fail "the fork changed the lead's state"
[ "$(state_hash restored)" = "$h_restored" ] || fail "the fork changed the restored node's state"
expect_fail on lead show trainee TFB
expect_fail on restored show trainee TFA
on restored status --json >restored.status || fail "status --json of restored failed"
python3 - restored.status "$LEAD" <<'PY' || fail "the restored node's status does not show the fork with the lead: $(cat restored.status)"
import json, sys
st = json.load(open(sys.argv[1]))
p = [p for p in st["peers"] if p["address"] == sys.argv[2]]
assert len(p) == 1 and p[0]["forks"] == 1 and p[0]["error"] == "", p
PY
# a third node that took the restored branch meets the lead: reported again
serve_start restored; RESTORED=$ADDR
sync_ok co2 "$RESTORED"
[ "$(synced_counts)" = "0 1" ] || fail "co2<-restored: $(head -n 1 "$OUT")"
expect_rc 0 on co2 show trainee TFB
h_co2=$(state_hash co2)
expect_rc 0 on co2 sync "$LEAD"
out_has ' 1 forks'
expect_fail on co2 show trainee TFA
[ "$(state_hash lead)" = "$h_lead" ] || fail "the fork relayed by co2 changed the lead's state"
for nd in lead co co2 restored; do expect_rc 0 on "$nd" verify; done

# status --json counts the forks it saw (DESIGN.md, section 6)
for nd in lead restored co2; do
	f=$(status_counts "$nd")
	f=${f##* }
	[ "$f" -ge 1 ] || later "$nd saw a fork in a sync, but status --json lists $f forks"
done
check_later
exit 0
