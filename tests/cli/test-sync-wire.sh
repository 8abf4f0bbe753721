#!/usr/bin/env bash
# The server against hostile bytes on its port, with syncpeer (a peer in
# Python written from schema/protocol.md, checked against its test vector):
# garbage and a random 64-byte hello are refused before anything is
# answered; a stalled connection does not hold up other peers; once
# through the handshake, a frame length over the bound or under 17 bytes,
# a frame that does not open, a HELLO of sync protocol 3 or of another
# consortium, and a batch of garbage each end the connection with the
# reason in the server's log (and, for session errors, an ERROR message
# naming it).  Nothing is stored, and a normal sync right after succeeds.
# Then consort sync against a fake server speaking protocol 3, of another
# consortium id, or answering with an ERROR: exit 1 and the reason.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
sync_ok co "$LEAD"
n=$(sessions lead)
h_lead=$(state_hash lead)
h_co=$(state_hash co)
cons=$(consortium_id lead)
[[ $cons =~ ^[0-9a-f]{64}$ ]] || fail "whoami prints no consortium id: $cons"
NET=$T/co/network.key KEY=$T/co/key

# syncpeer itself works: a well-behaved empty peer gets the whole log
syncpeer client "$PORT" ok "$NET" "$KEY" "$cons" >peer.out || fail "syncpeer, ok: $(cat peer.out)"
grep -qx "received $(log_count lead) change-sets" peer.out || fail "syncpeer, ok: $(cat peer.out)"
n=$((n + 1))

# hostile MODE LOG-ERE [ARGS...]: syncpeer MODE is refused and closed, the
# lead logs LOG-ERE for it, stores nothing, and still serves co.
hostile() {
	local mode=$1 why=$2
	shift 2
	syncpeer client "$PORT" "$mode" "$@" >"peer.$mode" 2>&1 ||
	    fail "syncpeer $mode: $(cat "peer.$mode")"
	n=$((n + 1))
	wait_sessions lead "$n"
	tail -n 1 "$T/lead.serve.log" | grep -qE "$why" ||
	    fail "the lead's log does not say why it refused $mode: $(tail -n 1 "$T/lead.serve.log")"
	[ "$(state_hash lead)" = "$h_lead" ] || fail "syncpeer $mode changed the lead's state"
	kill -0 "$lead_pid" 2>/dev/null || fail "the lead's serve died after syncpeer $mode"
	sync_ok co "$LEAD"
	[ "$(synced_counts)" = "0 0" ] || fail "the sync after $mode exchanged: $(head -n 1 "$OUT")"
	n=$((n + 1))
}

# before the handshake: no network key
hostile garbage "network key"
hostile noise "network key"
# a stalled peer (20 bytes of a hello, then nothing) while co syncs
bg_syncpeer peer.stall client "$PORT" stall
stall_pid=$BGPID
for i in $(seq 1 50); do grep -q stalled peer.stall && break; sleep 0.05; done
expect_rc 0 on lead add trainee --ref TW1 family_name=Wire given_name=Léo birth_year=1993
sync_ok co "$LEAD"
[ "$(synced_counts)" = "0 1" ] || fail "co's sync beside a stalled peer: $(head -n 1 "$OUT")"
n=$((n + 1))
kill "$stall_pid" 2>/dev/null || true
wait "$stall_pid" 2>/dev/null || true
n=$((n + 1))
wait_sessions lead "$n"
h_lead=$(state_hash lead)
h_co=$(state_hash co)
[ "$h_co" = "$h_lead" ] || fail "co differs from the lead"
# at the handshake: a key that is no member
hostile nonmember "not a member" "$NET" random "$cons"
# after the handshake, frames
hostile bigframe "over the size bound" "$NET" "$KEY" "$cons"
hostile hugeframe "over the size bound" "$NET" "$KEY" "$cons"
hostile shortframe "too short" "$NET" "$KEY" "$cons"
hostile badframe "does not authenticate" "$NET" "$KEY" "$cons"
# session messages: the reason also goes back to the peer in an ERROR
hostile version "sync protocol 3" "$NET" "$KEY" "$cons"
grep -q "server error: .*protocol 3.*upgrade" peer.version || fail "no ERROR naming the version: $(cat peer.version)"
hostile consortium "another consortium" "$NET" "$KEY" "$cons"
grep -q "server error: .*another consortium" peer.consortium || fail "no ERROR naming the consortium: $(cat peer.consortium)"
hostile badbatch "change-set|malformed|encoding" "$NET" "$KEY" "$cons"
grep -q "server error: " peer.badbatch || fail "no ERROR for a batch of garbage: $(cat peer.badbatch)"
[ "$(log_count lead)" = "$(log_count co)" ] || fail "the lead's log grew from the hostile peers"
expect_rc 0 on lead verify

# consort sync against a fake server: protocol 3, another consortium id,
# an ERROR message (whose reason consort sync must show)
for mode in version consortium error; do
	rm -f fake.port
	bg_syncpeer "fake.$mode" server "$T/fake.port" "$mode" "$T/lead/network.key" "$T/lead/key" "$cons"
	fake_pid=$BGPID
	for i in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.05; done
	[ -s fake.port ] || fail "the fake server did not start: $(cat "fake.$mode")"
	expect_rc 1 on co sync "127.0.0.1:$(cat fake.port)"
	case $mode in
	version) err_has 'sync protocol 3.*upgrade' "consort sync against protocol 3 does not say so" ;;
	consortium) err_has 'another consortium' "consort sync against another consortium id does not say so" ;;
	error) err_has 'the fake server refuses this sync' "consort sync does not show the reason of the peer's ERROR" ;;
	esac
	wait "$fake_pid" || fail "fake server ($mode): $(cat "fake.$mode")"
	[ $mode = error ] || grep -q "client error: " "fake.$mode" ||
	    fail "consort sync sent no ERROR to the fake server ($mode): $(cat "fake.$mode")"
	[ "$(state_hash co)" = "$h_co" ] || fail "the sync with a fake server ($mode) changed co's state"
done
exit 0
