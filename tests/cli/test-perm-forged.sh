#!/usr/bin/env bash
# Permissions a dishonest member could get round: moving another
# provider's path into its own session, claiming a session that has no
# provider, derogating on another provider's session.  Each is refused
# by the real binary at once (exit 3, nothing written) and in an import;
# then the same edits, signed by the member with its own key by a consort
# without the local checks (tests/forge.c), reach the lead over TCP (and
# in a bundle): the lead refuses them, and so does every node they are
# relayed to.  What each member may do still goes through.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub
serve_start lead; LEAD=$ADDR
for n in co co2 sub; do sync_ok "$n" "$LEAD"; done

# refused NODE WHY-ERE CMD...: exit 3 at once, WHY on stderr, nothing stored
refused() {
	local node=$1 why=$2 h n
	shift 2
	h=$(state_hash "$node")
	n=$(log_digest "$node")
	expect_rc 3 on "$node" "$@"
	err_has "$why" "no reason for the refusal of: $*"
	err_has 'EPERM' "the refusal of \"$*\" is not a permission's"
	err_has_fixed 'nothing was written'
	[ "$(state_hash "$node")" = "$h" ] || fail "the refused \"$*\" changed $node's state"
	[ "$(log_digest "$node")" = "$n" ] || fail "the refused \"$*\" changed $node's log"
}
# field NODE TYPE REF FIELD: the field's value as NODE shows it ("" if none)
field() {
	on "$1" show "$2" "$3" --json 2>/dev/null | python3 -c '
import json, sys
try: print(json.load(sys.stdin)["fields"].get(sys.argv[1], ""))
except ValueError: print("(no record)")' "$4"
}
# forged NODE WHY-ERE OP...: NODE (synced first) forges a change-set of
# OPs (tests/forge.c), which then reaches the lead: stored with its ops
# refused for WHY, the lead's state unchanged
forged() {
	local node=$1 why=$2 h r w
	shift 2
	sync_ok "$node" "$LEAD"
	h=$(state_hash lead)
	r=$(status_counts lead | cut -d' ' -f2)
	w=$(refusals lead "$why")
	forge "$node" "$@"
	grep -q ' 0 refused here' "$T/.forge.out" &&
	    fail "the forging node itself took the forgery: $(cat "$T/.forge.out")"
	sync_ok "$node" "$LEAD"
	[ "$(state_hash lead)" = "$h" ] || fail "a forged change-set of $node changed the lead's state: $*"
	[ "$(status_counts lead | cut -d' ' -f2)" = $((r + 1)) ] ||
	    fail "the lead does not count $node's forged change-set as refused: $(status_counts lead)"
	[ "$(refusals lead "$why")" = $((w + 1)) ] ||
	    fail "the lead did not refuse $node's forged change-set for /$why/: $*"
}

# --- a path of another provider's session moved into one's own ---
# P000001 is in the lead's S000001; S000002 and S000004 are co's
refused co 'the path belongs to a session run by another provider' \
    set path P000001 session=S000002
refused co "the path's new session is run by another provider" \
    set path P000003 session=S000001
refused co2 'another provider' set path P000003 session=S000004
printf '%s\n' '{"type":"path","ref":"P000001","session":"S000002"}' >move.jsonl
h=$(state_hash co)
expect_rc 3 on co import move.jsonl
err_has 'move.jsonl:1: .*(another provider)'
[ "$(state_hash co)" = "$h" ] || fail "a refused import changed co's state"
expect_rc 0 on co set path P000003 session=S000004      # its own sessions
forged co "the path belongs to a session run by another provider" set path P000001 session S000002 set path P000001 hours 1
[ "$(field lead path P000001 session)" = S000001 ] || fail "the forged move reached the lead"
[ "$(field lead path P000001 hours)" = 210 ] || fail "the forged hours reached the lead"

# --- a session without a provider: the lead's only ---
expect_rc 0 on lead add session --ref SNP lot=LOT-01 scheme=1e1f title=Orpheline
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"
refused co 'a session without a provider is edited by the lead only' \
    set session SNP provider="$CO_SIRET"
refused co 'without a provider' set session SNP title=Prise
refused co 'without a provider' add session --ref SCO0 lot=LOT-01 title=Anonyme
refused co 'may only name itself' add session --ref SCO0 provider="$CO2_SIRET" lot=LOT-01
refused sub 'may only name itself' add session --ref SSUB0 provider="$CO_SIRET" lot=LOT-01
expect_rc 0 on co add session --ref SCO1 provider="$CO_SIRET" lot=LOT-01 title=Propre
expect_rc 0 on co add session --ref SSUB1 provider="$SUB_SIRET" lot=LOT-01 title=Sous-traitee
# a claim by re-creating it with one's own provider, and a plain claim
forged co2 "without a provider is edited by the lead only" create session SNP set session SNP provider "$CO2_SIRET"
forged co2 "without a provider is edited by the lead only" set session SNP provider "$CO2_SIRET" set session SNP title Prise
[ "$(field lead session SNP provider)" = "" ] || fail "a forged claim gave SNP a provider"
[ "$(field lead session SNP title)" = Orpheline ] || fail "a forged edit of SNP reached the lead"
expect_rc 0 on lead set session SNP provider="$CO2_SIRET"   # the lead assigns it
sync_ok co2 "$LEAD"
expect_rc 0 on co2 set session SNP title=Attribuee

# --- derogations: by whoever runs the session, or the lead ---
refused co 'the derogation is about a session run by another provider' \
    add derogation --ref DCO1 rule=R05 session=S000001 reason=Forcee date=2026-03-20
refused co 'without a session is recorded by the lead only' \
    add derogation --ref DCO2 rule=R03 intent=I000001 reason=Forcee date=2026-03-20
expect_rc 0 on co add derogation --ref DCO3 rule=R05 session=S000002 reason=Propre date=2026-03-20
refused co "the derogation's new session is run by another provider" \
    set derogation DCO3 session=S000001
expect_rc 0 on lead add derogation --ref DL1 rule=R09 session=S000001 reason=Lead date=2026-03-20
sync_ok co "$LEAD"
refused co 'another provider' set derogation DL1 reason=Changee
refused co 'another provider' rm derogation DL1
sync_ok sub "$LEAD"
refused sub 'another provider' add derogation --ref DSUB1 rule=R05 session=S000002 \
    reason=Forcee date=2026-03-20
expect_rc 0 on sub add derogation --ref DSUB2 rule=R05 session=SSUB1 reason=Propre date=2026-03-20
forged co "the derogation is about a session run by another provider" create derogation DF1 set derogation DF1 rule R05 set derogation DF1 session S000001 \
    set derogation DF1 reason Forgee set derogation DF1 date 2026-03-20
expect_fail on lead show derogation DF1
forged co "the derogation.s new session is run by another provider" set derogation DCO3 session S000001
[ "$(field lead derogation DCO3 session)" = S000002 ] || fail "a forged move of DCO3 reached the lead"
forged co "the derogation is about a session run by another provider" delete derogation DL1
expect_rc 0 on lead show derogation DL1

# --- the same through a bundle: refused on import ---
forge co set path P000002 hours 2
expect_rc 0 on co bundle export --out co.bundle
h=$(state_hash lead)
expect_rc 0 on lead bundle import co.bundle
[ "$(state_hash lead)" = "$h" ] || fail "a forged change-set in a bundle changed the lead's state"
[ "$(field lead path P000002 hours)" = 189 ] || fail "a forged edit in a bundle reached the lead"

# --- every node ends in one state, the forgeries nowhere ---
for n in co co2 sub co co2; do sync_ok "$n" "$LEAD"; done
same_state lead co co2 sub
for n in lead co co2 sub; do
	[ "$(field "$n" path P000001 session)" = S000001 ] || fail "$n: P000001 moved"
	[ "$(field "$n" session SNP title)" = Attribuee ] || fail "$n: SNP's title is not the allowed one"
	[ "$(field "$n" session SCO1 provider)" = "$CO_SIRET" ] || fail "$n: co's own session is missing"
	[ "$(field "$n" derogation DSUB2 session)" = SSUB1 ] || fail "$n: sub's own derogation is missing"
	expect_fail on "$n" show derogation DF1
	expect_rc 0 on "$n" verify
done
exit 0
