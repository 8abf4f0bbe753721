#!/usr/bin/env bash
# A personal value travels as a commitment, never in clear.  A member's
# change-set made by a consort without the local checks (tests/forge.c)
# commits to the value as consort does, and is taken: the value is in no
# node's log or store file in clear.  The same member signing the value in
# clear (forge --clear-personal) is refused by the lead over TCP (the
# peer's refusal names the field) and in a bundle (ESCHEMA, naming the
# field), never repeating the value, and nothing of it is stored.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"

# in_store NODE TEXT: whether the node's store file holds TEXT in clear
in_store() { grep -qaF -- "$2" "$T/$1/store/data.mdb"; }

# 1. forged, but honest in form: a commitment the lead takes
h=$(state_hash lead)
forge co set trainee T000001 family_name Faussaire-Nom
grep -q ' 0 refused here' "$T/.forge.out" || fail "forge: $(cat "$T/.forge.out")"
sync_ok co "$LEAD"
[ "$(synced_counts)" = "1 0" ] || fail "co->lead: $(head -n 1 "$OUT")"
[ "$(state_hash lead)" != "$h" ] || fail "the committed family name did not reach the lead"
[ "$(status_counts lead)" = "0 0 0" ] || fail "the lead refused a commitment: $(status_counts lead)"
same_state lead co
for n in lead co; do
	in_store "$n" Faussaire-Nom && fail "$n's store holds the family name in clear"
	on "$n" log --json >"$T/$n.log.json" 2>/dev/null || fail "log --json of $n failed"
	grep -qF Faussaire-Nom "$T/$n.log.json" && fail "$n's log shows the family name"
done
grep -qF Faussaire-Nom "$T/lead.serve.log" && fail "the lead's serve log shows the family name"
expect_rc 0 on lead verify

# 2. the same value signed in clear: refused over TCP, nothing stored
h=$(state_hash lead)
d=$(log_digest lead)
forge co --clear-personal set trainee T000001 given_name Clairnom-Prenom
grep -q 'not decodable here' "$T/.forge.out" || fail "forge --clear-personal: $(cat "$T/.forge.out")"
n=$(sessions lead)
expect_rc 1 on co sync "$LEAD"
err_has 'given_name' "co's refused sync does not name the field"
err_has 'commitment' "co's refused sync does not say a commitment was expected"
grep -qF Clairnom "$ERR" && fail "the refusal repeats the value: $(cat "$ERR")"
wait_sessions lead $((n + 1))
tail -n 1 "$T/lead.serve.log" | grep -q 'field given_name: a personal field carries a 32-byte commitment' ||
    fail "the lead's log does not say why: $(tail -n 1 "$T/lead.serve.log")"
grep -qF Clairnom "$T/lead.serve.log" && fail "the lead's serve log repeats the value"
[ "$(state_hash lead)" = "$h" ] || fail "a clear personal value changed the lead's state"
[ "$(log_digest lead)" = "$d" ] || fail "a clear personal value reached the lead's log"
in_store lead Clairnom && fail "the lead's store holds the refused value"

# 3. the same in a bundle: refused whole on import
expect_rc 0 on co bundle export --out "$T/co.bundle"
expect_fail on lead bundle import "$T/co.bundle"
err_has 'given_name' "the bundle's refusal does not name the field"
err_has_fixed 'ESCHEMA'
grep -qF Clairnom "$ERR" && fail "the bundle's refusal repeats the value: $(cat "$ERR")"
[ "$(state_hash lead)" = "$h" ] || fail "a clear personal value in a bundle changed the lead's state"
[ "$(log_digest lead)" = "$d" ] || fail "a clear personal value in a bundle reached the lead's log"
in_store lead Clairnom && fail "the lead's store holds the value of the refused bundle"
expect_rc 0 on lead verify
exit 0
