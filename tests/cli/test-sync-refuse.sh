#!/usr/bin/env bash
# Peers the lead's server must refuse, each with nothing stored on either
# side (state hashes unchanged) and a message naming the reason: a node of
# another consortium (its own init: another network key), a key that holds
# the network key but is no member, and a member revoked by the lead.  A
# revoked member's change-sets made after the revocation, relayed by a
# member that had not heard of it yet, change no state anywhere once the
# revocation is known.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead sub "$SUB_SIRET" sub
# a key that is no member but holds the network key and a copy of the
# lead's store (the only way to make one through the CLI; copied while no
# consort process has the store open)
expect_rc 0 on nm keygen
cp "$T/lead/network.key" "$T/nm/network.key"
cp -r "$T/lead/store" "$T/nm/store"
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
same_state lead co sub
n_sessions=$(sessions lead)
h_lead=$(state_hash lead)

# refused_sync NODE ERE-STDERR ERE-SERVE-LOG: NODE's sync with the lead
# exits 1 naming the reason, the lead logs its reason, no state changes.
refused_sync() {
	local node=$1 h
	h=$(state_hash "$node")
	expect_rc 1 on "$node" sync "$LEAD"
	err_has "$2" "$node's refused sync does not name the reason"
	n_sessions=$((n_sessions + 1))
	wait_sessions lead "$n_sessions"
	tail -n 1 "$T/lead.serve.log" | grep -qE "$3" ||
	    fail "the lead's log does not name why $node was refused: $(tail -n 1 "$T/lead.serve.log")"
	[ "$(state_hash "$node")" = "$h" ] || fail "the refused sync changed $node's state"
	[ "$(state_hash lead)" = "$h_lead" ] || fail "the refused sync of $node changed the lead's state"
	kill -0 "$lead_pid" 2>/dev/null || fail "the lead's serve stopped after refusing $node"
}

# 1. another consortium: its own init, its own network key
on out init --consortium "Autre Groupement" --member "Intrus Formation" --siret 44306184100047 \
    --market X >/dev/null 2>&1 || fail "init of the outsider failed"
expect_rc 0 on out add trainee --ref TOUT family_name=Dehors given_name=Sider birth_year=1990
refused_sync out 'network key|another consortium|handshake' "network key"
expect_fail on lead show trainee TOUT

# 2. the key that is no member (made above)
expect_rc 0 on nm whoami
out_has 'not in the roster|none|no member' 
refused_sync nm 'handshake|not a member|refuses|key it does not know' "not a member"
# the same with syncpeer, a random key: the server closes before its auth
syncpeer client "$PORT" nonmember "$T/lead/network.key" random "$(consortium_id lead)" >peer.out ||
    fail "syncpeer, not a member: $(cat peer.out)"
n_sessions=$((n_sessions + 1))
wait_sessions lead "$n_sessions"
tail -n 1 "$T/lead.serve.log" | grep -q "not a member" || fail "the lead's log: $(tail -n 1 "$T/lead.serve.log")"

# 3. a revoked member: co, whose subcontractor sub has not heard of it yet
serve_start co; CO=$ADDR
expect_rc 0 on lead revoke "$CO_SIRET"
out_has "revoked $CO_SIRET"
expect_rc 0 on lead member list
out_has "^$CO_SIRET .*revoked=true"
h_lead=$(state_hash lead)
h_sub=$(state_hash sub)
n_lead=$(log_count lead)
# co's edits after the revocation
expect_rc 0 on co add trainee --ref TREV family_name=Revoque given_name=Jean birth_year=1985 \
    ft_id=9090909R status=job_seeker disability=false part_time=false
expect_rc 0 on co set session S000002 capacity=2
refused_sync co 'handshake|not a member|revoked|refuses' "not a member .*revoked"
expect_fail on lead show trainee TREV
# sub relays them: it still takes them from co...
sync_ok sub "$CO"
[ "$(synced_counts)" = "0 2" ] || fail "sub should receive co's 2 change-sets: $(head -n 1 "$OUT")"
expect_rc 0 on sub show trainee TREV
# ...and brings them to the lead, which refuses their ops (no state change)
sync_ok sub "$LEAD"
n_sessions=$((n_sessions + 1))
wait_sessions lead "$n_sessions"
[ "$(state_hash lead)" = "$h_lead" ] || fail "co's change-sets made after its revocation changed the lead's state"
expect_fail on lead show trainee TREV
expect_rc 0 on lead show session S000002 --json
grep -q '"capacity": *10' "$OUT" || fail "the lead took the revoked co's edit of S000002: $(cat "$OUT")"
# sub, now aware of the revocation, agrees with the lead and drops them
[ "$(state_hash sub)" = "$h_lead" ] || fail "sub's state differs from the lead's once both know of the revocation"
expect_fail on sub show trainee TREV
# and sub now refuses co too, in both directions
expect_rc 1 on sub sync "$CO"
err_has 'not a member|revoked|handshake|refuses' "sub's sync with the revoked co"
[ "$(state_hash sub)" = "$h_lead" ] || fail "sub's refused sync with co changed its state"
for n in lead sub; do expect_rc 0 on "$n" verify; done
exit 0
