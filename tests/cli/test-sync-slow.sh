#!/usr/bin/env bash
# Peers that hold a node by being slow, with the deadlines shortened for
# the test (CONSORT_HANDSHAKE_MS=1500, CONSORT_IDLE_MS=1000; the rate,
# 128 bytes/s, is the default): a client that trickles its hello one byte
# every 0.25 s is cut at the handshake's deadline, not 16 s later; a
# member's client that says HELLO then trickles a frame is cut for moving
# too little; one that says HELLO then nothing is cut once idle.  The same
# on the other side: consort sync cuts a server that trickles its hello,
# and one that trickles a frame.  Each says why, on its side; an honest
# member still syncs under these deadlines.
. "$(dirname "$0")/sync-lib.sh"

export CONSORT_HANDSHAKE_MS=1500 CONSORT_IDLE_MS=1000
init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
n=$(sessions lead)
cons=$(consortium_id lead)
NET=$T/co/network.key KEY=$T/co/key

# within SECONDS FILE: FILE says "closed ... after T s" with T < SECONDS
within() {
	local t
	t=$(sed -nE 's/^closed by the (server|client) after ([0-9.]+) s$/\2/p' "$2")
	[ -n "$t" ] || return 1
	awk -v t="$t" -v m="$1" 'BEGIN { exit !(t < m) }'
}

# cut MODE ERE [ARGS]: syncpeer client MODE is cut within 6 s, and the
# lead's log says ERE for it
cut() {
	local mode=$1 why=$2
	shift 2
	syncpeer client "$PORT" "$mode" "$@" >"peer.$mode" 2>&1 ||
	    fail "syncpeer $mode was not cut: $(cat "peer.$mode")"
	within 6 "peer.$mode" || fail "syncpeer $mode was cut late: $(cat "peer.$mode")"
	n=$((n + 1))
	wait_sessions lead "$n"
	tail -n 1 "$T/lead.serve.log" | grep -qE "$why" ||
	    fail "the lead's log does not say why it cut $mode: $(tail -n 1 "$T/lead.serve.log")"
}

# 1. the server cuts slow clients
cut trickle 'the handshake did not finish within 1\.5 s'
cut trickle-session 'the peer is too slow: [0-9]+ bytes in [0-9.]+ s, under 128 bytes/s after the first 1 s' "$NET" "$KEY" "$cons"
syncpeer client "$PORT" hold "$NET" "$KEY" "$cons" >peer.hold 2>&1 || fail "syncpeer hold was not cut: $(cat peer.hold)"
n=$((n + 1))
wait_sessions lead "$n"
tail -n 1 "$T/lead.serve.log" | grep -q 'the peer sent and read nothing for 1 s' ||
    fail "the lead's log does not say why it cut hold: $(tail -n 1 "$T/lead.serve.log")"
# ... and still serves an honest member
expect_rc 0 on co add trainee --ref TSL1 family_name=Slow given_name=Un birth_year=1990
sync_ok co "$LEAD"
[ "$(synced_counts)" = "1 0" ] || fail "co's sync after the slow peers: $(head -n 1 "$OUT")"

# 2. consort sync cuts slow servers
for mode in trickle trickle-session; do
	rm -f fake.port
	bg_syncpeer "fake.$mode" server "$T/fake.port" "$mode" "$T/lead/network.key" "$T/lead/key" "$cons"
	fake_pid=$BGPID
	for i in $(seq 1 100); do [ -s fake.port ] && break; sleep 0.05; done
	[ -s fake.port ] || fail "the fake server did not start: $(cat "fake.$mode")"
	start=$(date +%s%N)
	expect_rc 1 on co sync "127.0.0.1:$(cat fake.port)"
	ms=$((($(date +%s%N) - start) / 1000000))
	case $mode in
	trickle) err_has 'handshake did not finish within 1\.5 s' "consort sync does not say why it cut a trickling server" ;;
	trickle-session) err_has 'too slow' "consort sync does not say why it cut a server trickling a frame" ;;
	esac
	[ $ms -lt 8000 ] || fail "consort sync took $ms ms to cut a $mode server"
	wait "$fake_pid" || fail "fake server ($mode): $(cat "fake.$mode")"
done
exit 0
