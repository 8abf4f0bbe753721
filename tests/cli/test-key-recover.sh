#!/usr/bin/env bash
# The lead's laptop is lost: a co-contractor hands the consortium over to
# the lead's new machine (key handover, join, sync), which binds its key as
# the lead's with the recovery code init showed (key recover).  The thief's
# change-sets under the lost key after the last one the new machine held
# count nowhere, whether they reached a member before or after the
# recovery; the co-contractor keeps working without joining again, the new
# lead invites, the recovery key can be replaced and the old code then
# fails; a wrong code changes nothing.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
G='[0-9A-HJKMNP-TV-Z]{4}'
grep -E "^    $G(-$G){6}\$" "$T/.init.out" >"$T/code.txt"
[ "$(wc -l <"$T/code.txt")" = 2 ] || fail "init showed no recovery code: $(cat "$T/.init.out")"
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead sub "$SUB_SIRET" sub
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
lost=$(pubkey lead)

# the laptop is gone: the thief holds a copy and goes on signing
serve_stop "$lead_pid"
mv "$T/lead" "$T/thief"
expect_rc 0 on thief add lot --ref LOT-T1 sector=Vol territory=44 rate_cents=100
# nor can the thief name another recovery key: only the genesis names one
forge thief set consortium consortium recovery "$(pubkey co)"
grep -q ' 1 refused here' "$T/.forge.out" || fail "a lead's change of the recovery key was taken: $(cat "$T/.forge.out")"

# the new machine: a key, the consortium handed over by the co-contractor
expect_rc 0 on newlead keygen
newkey=$(grep -oE '^[0-9a-f]{64}$' "$OUT" | head -n 1)
expect_rc 0 on co key handover "$newkey" --out "$T/kit"
expect_rc 0 on newlead join "$T/kit"
serve_start co; CO=$ADDR
sync_ok newlead "$CO"
# a wrong code is refused and changes nothing
printf 'AAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA\nAAAA-AAAA-AAAA-AAAA-AAAA-AAAA-AAAA\n' >"$T/wrong.txt"
before=$(log_digest newlead)
expect_fail on newlead key recover --recovery-file "$T/wrong.txt"
[ "$(log_digest newlead)" = "$before" ] || fail "a refused recovery wrote"
expect_fail on co key recover --recovery-file "$T/code.txt"
err_has "already|member|lead" "a member's node cannot take the lead's key"
# the recovery itself
expect_rc 0 on newlead key recover --recovery-file "$T/code.txt" --json
python3 - "$OUT" "$lost" "$newkey" <<'PY' || fail "key recover: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["replaced"] == sys.argv[2] and d["lead"] == sys.argv[3], d
PY

# the subcontractor meets the thief first: it takes the lost key's late lot
serve_start thief; THIEF=$ADDR; thief_pid=$SPID
sync_ok sub "$THIEF"
expect_rc 0 on sub show lot LOT-T1
serve_stop "$thief_pid"
# the recovery reaches the co-contractor, then the subcontractor
sync_ok newlead "$CO"
expect_fail on co show lot LOT-T1
# to the subcontractor on a USB stick: a bundle of the co-contractor's
expect_rc 0 on co bundle export --out "$T/co.bundle"
expect_rc 0 on sub bundle import "$T/co.bundle"
expect_fail on sub show lot LOT-T1
sync_ok sub "$CO"
same_state newlead co sub
# the thief can no longer sync with anyone that has the recovery
expect_fail on thief sync "$CO"

# the co-contractor works on; the new lead edits and invites
expect_rc 0 on co add trainee --ref TREC1 family_name=Petit given_name=Ana \
    birth_year=1992 ft_id=5566778E status=job_seeker disability=false part_time=false
sync_ok co "$CO"
expect_rc 0 on newlead add lot --ref LOT-N1 sector=Soin territory=49 rate_cents=1500
serve_start newlead; NEWLEAD=$ADDR
join_node newlead co2 "$CO2_SIRET" co
sync_ok co2 "$NEWLEAD"
sync_ok co "$NEWLEAD"
expect_rc 0 on newlead show trainee TREC1 --json
out_has '"given_name": *"Ana"'
sync_ok sub "$CO"
sync_ok co2 "$NEWLEAD"
same_state newlead co sub co2
expect_rc 0 on co2 show lot LOT-N1

# the recovery key replaced: the old code no longer works, the new one does
expect_rc 0 on newlead key rotate-recovery --recovery-file "$T/code.txt" \
    --new-recovery-file "$T/code2.txt"
[ "$(stat -c %a "$T/code2.txt")" = 600 ] || fail "new recovery file mode $(stat -c %a "$T/code2.txt")"
sync_ok co "$NEWLEAD"
expect_rc 0 on co key list --json
python3 - "$OUT" <<'PY' || fail "key list: $(cat "$OUT")"
import json, sys
keys = json.load(open(sys.argv[1]))
assert sum(1 for k in keys if k["recovery"]) == 2
assert sum(1 for k in keys if k["recovery"] and k["current"]) == 1
PY
for n in newlead co sub co2; do expect_rc 0 on "$n" verify; done

# a second loss: the old code is refused, the new one binds another machine
expect_rc 0 on third keygen
thirdkey=$(grep -oE '^[0-9a-f]{64}$' "$OUT" | head -n 1)
expect_rc 0 on co key handover "$thirdkey" --out "$T/kit3"
expect_rc 0 on third join "$T/kit3"
sync_ok third "$CO"
expect_fail on third key recover --recovery-file "$T/code.txt"
err_has "not the consortium's recovery key in force"
expect_rc 0 on third key recover --recovery-file "$T/code2.txt"
sync_ok third "$CO"
expect_fail on newlead sync "$CO"
same_state third co
