#!/usr/bin/env bash
# A co-contractor replaces its key (consort key rotate) while the
# subcontractor is offline: its edits before and after the rotation count
# everywhere, the new key syncs and reads its trainees' personal values,
# and the old key (a stolen copy of the laptop) can neither sync nor have
# a change-set counted, whether it arrives by a bundle or through a relay;
# a subcontractor still edits what it recorded after its own rotation.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead sub "$SUB_SIRET" sub
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
old=$(pubkey co)

# an edit under the old key, then the rotation, then one under the new key
expect_rc 0 on co add trainee --ref TROT1 family_name=Martin given_name=Zoé \
    birth_year=1994 ft_id=2233445B status=job_seeker disability=true part_time=false
cp -a "$T/co" "$T/co-before"
expect_rc 0 on co key rotate --json
new=$(python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); print(d["new"])' "$OUT")
[ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["old"])' "$OUT")" = "$old" ] ||
    fail "key rotate names another old key"
[ "$new" = "$(pubkey co)" ] || fail "key.pub does not hold the new key"
[ "$new" != "$old" ] || fail "the key did not change"
ls "$T/co" | grep -q '\.new' && fail "rotation left new files: $(ls "$T/co")"
expect_rc 0 on co whoami --json
out_has "\"siret\": *\"$CO_SIRET\"" "whoami no longer finds the member after the rotation"
expect_rc 0 on co add trainee --ref TROT2 family_name=Bernard given_name=Léo \
    birth_year=1996 ft_id=3344556C status=job_seeker disability=false part_time=false
# the node reads its trainees' personal values under the new key
expect_rc 0 on co show trainee TROT1 --json
out_has '"given_name": *"Zoé"'
expect_rc 0 on co key list --json
python3 - "$OUT" "$old" "$new" <<'PY' || fail "key list: $(cat "$OUT")"
import json, sys
keys = {k["key"]: k for k in json.load(open(sys.argv[1]))}
assert keys[sys.argv[2]]["current"] is False
assert keys[sys.argv[3]]["current"] is True
PY

# the lead accepts the new key once it has the rotation
sync_ok co "$LEAD"
expect_rc 0 on lead show trainee TROT2
expect_rc 0 on lead show trainee TROT1 --json
out_has '"given_name": *"Zoé"'
# the subcontractor, offline meanwhile, gets it all through the lead
sync_ok sub "$LEAD"
same_state lead co sub

# a stolen copy of the old key: the data of today, the key of before
cp -a "$T/co" "$T/thief"
for f in key key.pub network.key; do cp "$T/co-before/$f" "$T/thief/$f"; done
[ "$(pubkey thief)" = "$old" ] || fail "thief copy does not hold the old key"
# it cannot sync with anyone: the old key is no member's current key
expect_fail on thief sync "$LEAD"
# its change-set, forged and carried by a bundle, counts nowhere
forge thief create trainee TTHIEF set trainee TTHIEF family_name X
expect_rc 0 on thief bundle export --out "$T/thief.bundle"
expect_rc 0 on lead bundle import "$T/thief.bundle"
expect_fail on lead show trainee TTHIEF
[ "$(refusals lead 'key replaced')" -ge 1 ] || fail "the lead did not store the thief's change-set as refused"
expect_rc 0 on sub bundle import "$T/thief.bundle"
expect_fail on sub show trainee TTHIEF
same_state lead co sub
# the new key keeps working: an edit after all that reaches everyone
expect_rc 0 on co set trainee TROT2 birth_year=1997
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
same_state lead co sub
for n in lead co sub; do expect_rc 0 on "$n" verify; done
# a subcontractor edits only what it recorded: still so after its rotation
expect_rc 0 on sub add trainee --ref TSUB9 family_name=Roux given_name=Lia \
    birth_year=1995 ft_id=1112223A status=job_seeker disability=false part_time=false
expect_rc 0 on sub key rotate
expect_rc 0 on sub set trainee TSUB9 birth_year=1996
sync_ok sub "$LEAD"
expect_rc 0 on lead show trainee TSUB9 --json
out_has '"birth_year": *1996'
