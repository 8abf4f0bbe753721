#!/usr/bin/env bash
# Change-sets no honest consort would send, crafted and signed by syncpeer
# (schema/changeset.md) and sent in a BATCH by a member that passed the
# handshake: the receiver is the last line of defence.  A member's valid
# change-set is taken (which shows the crafting is right); one that creates
# a lot (only the lead may) is stored with its ops refused, on the lead and
# on every node it reaches; one by a key that is no member, with a bad
# signature, of another consortium or with a personal value in clear is
# refused with the reason, nothing stored.  A forgery of another member's chain, ahead of its head and with
# a random signature, must not be stored either, nor block that member's
# own change-sets afterwards.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead mal "$CO3_SIRET" co   # the node whose key syncpeer uses
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
expect_rc 0 on co add trainee --ref TCO0 family_name=Honest given_name=Zero birth_year=1990
sync_ok co "$LEAD"
export SYNCPEER_FOUNDER
SYNCPEER_FOUNDER=$(pubkey lead)
cons=$(consortium_id lead)
n=$(sessions lead)

# inject KIND: syncpeer sends one crafted change-set of KIND with mal's key;
# its answer in $T/inject.KIND; waits for the lead's session line.
inject() {
	syncpeer client "$PORT" "inject-$1" "$T/mal/network.key" "$T/mal/key" "$cons" >"inject.$1" 2>&1 ||
	    fail "syncpeer inject-$1: $(cat "inject.$1")"
	n=$((n + 1))
	wait_sessions lead "$n"
}

# 1. a valid change-set by mal: a trainee
h=$(state_hash lead)
inject trainee
grep -qx acked inject.trainee || fail "a valid crafted change-set was not taken: $(cat inject.trainee)"
expect_rc 0 on lead show trainee TINJ-TRAINEE
[ "$(state_hash lead)" != "$h" ] || fail "the crafted trainee did not change the state"

# 2. mal creates a lot: stored, its 4 ops refused, no state change
h=$(state_hash lead)
inject lot
grep -qx acked inject.lot || fail "inject-lot: $(cat inject.lot)"
tail -n 1 "$T/lead.serve.log" | grep -q 'received 1 .*refused 4 ops' ||
    fail "the lead's log does not count the 4 refused ops: $(tail -n 1 "$T/lead.serve.log")"
[ "$(state_hash lead)" = "$h" ] || fail "a co-contractor's lot changed the lead's state"
expect_fail on lead show lot LOT-INJ
[ "$(status_counts lead)" = "0 1 0" ] || fail "the lead's status after a refused lot: $(status_counts lead)"
# co takes both from the lead, refuses the lot the same way
sync_ok co "$LEAD"
[ "$(synced_counts)" = "0 2" ] || fail "co<-lead: $(head -n 1 "$OUT")"
out_has 'refused 4 ops'
same_state lead co
expect_fail on co show lot LOT-INJ
expect_rc 0 on co verify
n=$((n + 1))

# 3. refused outright, nothing stored: no member, bad signature, another
# consortium, a personal value in clear (the field named, not the value)
h=$(state_hash lead)
d=$(log_digest lead)
for kind in outsider badsig consortium clear; do
	inject "$kind"
	case $kind in
	outsider) why='not a member' ;;
	badsig) why='bad signature|signature' ;;
	consortium) why='another consortium' ;;
	clear) why='family_name: a personal field carries a 32-byte commitment' ;;
	esac
	grep -qE "^server error: .*($why)" "inject.$kind" || fail "inject-$kind: the ERROR does not say why: $(cat "inject.$kind")"
	tail -n 1 "$T/lead.serve.log" | grep -qE "$why" ||
	    fail "the lead's log does not say why it refused inject-$kind: $(tail -n 1 "$T/lead.serve.log")"
	[ "$(state_hash lead)" = "$h" ] || fail "inject-$kind changed the lead's state"
	[ "$(log_digest lead)" = "$d" ] || fail "inject-$kind changed the lead's log"
	[ "$(status_counts lead)" = "0 1 0" ] || fail "inject-$kind left something: $(status_counts lead)"
	expect_fail on lead show trainee "TINJ-$(echo "$kind" | tr a-z A-Z)"
	grep -q Clairnom "inject.$kind" "$T/lead.serve.log" &&
	    fail "inject-$kind: a personal value is repeated in a message"
done

# 4. a forgery of co's chain, two past its head, with a random signature:
# it must be refused (checked at the end), and above all it must not stop
# co's real change-sets from reaching the lead
SYNCPEER_AUTHOR=$(pubkey co) inject ahead
grep -q '^server error: ' inject.ahead ||
    later "a forged change-set of co (seq two past its head, random signature) was not refused: syncpeer got \"$(cat inject.ahead)\", the lead's status waiting/refused/forks = $(status_counts lead)"
[ "$(state_hash lead)" = "$h" ] || fail "the forgery changed the lead's state"
expect_rc 0 on co add trainee --ref TCO1 family_name=Honest given_name=One birth_year=1991
expect_rc 0 on co add trainee --ref TCO2 family_name=Honest given_name=Two birth_year=1992
rc=0
on co sync "$LEAD" >sync.out 2>&1 || rc=$?
[ $rc = 0 ] || later "after the forgery, co's own sync with the lead fails (exit $rc): $(head -c 300 sync.out); the lead's log: $(tail -n 1 "$T/lead.serve.log")"
if [ $rc = 0 ]; then
	same_state lead co
	expect_rc 0 on lead show trainee TCO2
fi
expect_fail on lead show trainee TINJ-AHEAD
expect_rc 0 on lead verify
check_later
exit 0
