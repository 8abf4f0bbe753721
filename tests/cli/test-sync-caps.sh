#!/usr/bin/env bash
# consort serve caps the connections still in their handshake, per remote
# address (--max-pending-per-address 2) and overall (--max-pending 3).
# Stalled connections (syncpeer stall: 20 bytes of a hello, then nothing)
# from 127.0.0.2 fill their address's share: the next from there is turned
# away with a refusal made with the network key (syncpeer probe reads
# "busy 2"), and the server logs one line, while an honest member on
# 127.0.0.1 still syncs.  One more stall from 127.0.0.3 fills the overall
# cap: consort sync is then refused with "busy", not with a word about
# network keys; once the stalls are gone, it syncs again.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
# caps and deadlines that make no sense are usage errors
expect_rc 2 on lead serve --max-pending 0
err_has 'max-pending takes a number from 1 to 100000' "serve --max-pending 0"
expect_rc 2 on lead serve --max-pending-per-address lots
err_has 'max-pending-per-address takes a number' "serve --max-pending-per-address lots"
CONSORT_IDLE_MS=soon expect_rc 2 on co sync 127.0.0.1:1
err_has 'CONSORT_IDLE_MS.*not a whole number' "sync with CONSORT_IDLE_MS=soon"
CONSORT_HANDSHAKE_MS=5 expect_rc 2 on lead serve
err_has 'CONSORT_HANDSHAKE_MS.*not a whole number from 100' "serve with CONSORT_HANDSHAKE_MS=5"
serve_start lead --max-pending 3 --max-pending-per-address 2; LEAD=$ADDR
sync_ok co "$LEAD"
NET=$T/co/network.key

# stall SOURCE NAME: a stalled connection from SOURCE, in the background
stall() {
	SYNCPEER_SOURCE=$1 bg_syncpeer "stall.$2" client "$PORT" stall
	eval "pid_$2=$BGPID"
	for i in $(seq 1 100); do grep -q stalled "stall.$2" && return 0; sleep 0.05; done
	fail "syncpeer stall from $1 did not connect: $(cat "stall.$2")"
}
stall 127.0.0.2 a
stall 127.0.0.2 b
sleep 0.2  # the server has accepted both

# the third from 127.0.0.2: turned away, in words it can check
SYNCPEER_SOURCE=127.0.0.2 syncpeer client "$PORT" probe "$NET" >probe.out 2>&1 ||
    fail "syncpeer probe from 127.0.0.2: $(cat probe.out)"
grep -qx 'busy 2' probe.out || fail "the third connection from 127.0.0.2 was not refused as busy: $(cat probe.out)"
wait_log lead '^consort serve: refused a connection from 127\.0\.0\.2:[0-9]+: 2 connections from that address are in their handshake \(--max-pending-per-address 2\)$' \
    "the refusal per address"
# another address is not refused
SYNCPEER_SOURCE=127.0.0.3 syncpeer client "$PORT" probe "$NET" >probe3.out 2>&1 ||
    fail "syncpeer probe from 127.0.0.3: $(cat probe3.out)"
grep -qx hello probe3.out || fail "a connection from 127.0.0.3 was refused: $(cat probe3.out)"
# an honest member on 127.0.0.1 syncs meanwhile
expect_rc 0 on co add trainee --ref TCAP1 family_name=Capelle given_name=Un birth_year=1990
sync_ok co "$LEAD"
[ "$(synced_counts)" = "1 0" ] || fail "co's sync beside the stalls: $(head -n 1 "$OUT")"

# the overall cap: a third stall, from 127.0.0.3; then consort sync is busy
stall 127.0.0.3 c
sleep 1.1  # the server logs one refusal a second, and has logged one already
expect_rc 1 on co sync "$LEAD"
err_has 'busy: too many connections are in their handshake' "consort sync does not say the server is busy"
grep -q 'network key' "$ERR" && fail "a busy server's refusal speaks of network keys: $(cat "$ERR")"
wait_log lead '^consort serve: refused a connection from 127\.0\.0\.1:[0-9]+: 3 connections are in their handshake \(--max-pending 3\)' \
    "the refusal over the overall cap"

# the stalls go: the member syncs again
n=$(sessions lead)
for p in "$pid_a" "$pid_b" "$pid_c"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
wait_sessions lead $((n + 3))
sync_ok co "$LEAD"
same_state lead co
exit 0
