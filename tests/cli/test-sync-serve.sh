#!/usr/bin/env bash
# consort serve: logs "listening on", then one line per session naming the
# peer and the sent/received counts; other commands (state-hash, add, set,
# list, show, status, verify) keep working on the served node; SIGTERM and
# SIGINT stop it cleanly (exit 0, "stopping" in its log, the port closed),
# also with a session open; a busy port or a bad --listen fails clearly.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
n_lead=$(log_count lead)

serve_start lead; LEAD=$ADDR; pid=$SPID
grep -qx "consort serve: listening on $LEAD" "$T/lead.serve.log" ||
    fail "serve's first line: $(head -n 1 "$T/lead.serve.log")"

# other commands on the node while it serves
h0=$(state_hash lead)
expect_rc 0 on lead add trainee --ref TS1 family_name=Serve given_name=Noé birth_year=1997 \
    ft_id=2223334S status=job_seeker disability=false part_time=false
expect_rc 0 on lead set trainee TS1 part_time=true
expect_rc 0 on lead list trainee
out_has '^TS1'
expect_rc 0 on lead show trainee TS1
expect_rc 0 on lead status
expect_rc 0 on lead member list
[ "$(state_hash lead)" != "$h0" ] || fail "the edits beside serve did not change the state"
expect_rc 0 on lead verify

# one line per session, with the counts; the edits just made are served
sync_ok co "$LEAD"
[ "$(synced_counts)" = "0 $((n_lead - 1 + 2))" ] || fail "co's first sync: $(head -n 1 "$OUT")"
wait_sessions lead 1
expect_rc 0 on co add trainee --ref TC1 family_name=Client given_name=Ana birth_year=1992 \
    ft_id=4445556C status=job_seeker disability=false part_time=false
sync_ok co "$LEAD"
wait_sessions lead 2
sync_ok co2 "$LEAD"
wait_sessions lead 3
kco=$(pubkey co) kco2=$(pubkey co2)
sed -n 2,4p "$T/lead.serve.log" >sessions.txt
python3 - sessions.txt "$kco" "$kco2" "$n_lead" <<'PY' || fail "the session lines do not name peer and counts: $(cat sessions.txt)"
import re, sys
lines = open(sys.argv[1], encoding="utf-8").read().splitlines()
kco, kco2, n = sys.argv[2], sys.argv[3], int(sys.argv[4])
pat = re.compile(r"^consort serve: session from 127\.0\.0\.1:\d+: peer ([0-9a-f]{16}): "
                 r"sent (\d+) change-sets, received (\d+) \(\d+ held already, \d+ waiting\), "
                 r"refused (\d+) ops, \d+ forks, personal values \d+ sent \d+ kept, "
                 r"\d+ bytes in [0-9.]+ s$")
got = []
for l in lines:
    m = pat.match(l)
    assert m, "not a session line: %r" % l
    got.append((m.group(1), int(m.group(2)), int(m.group(3)), int(m.group(4))))
# the server sent co the lead's log but genesis, with the 2 edits made
# beside serve; then received co's trainee; then sent co2 everything
# (co's trainee too) but genesis
assert got == [(kco[:16], n + 1, 0, 0), (kco[:16], 0, 1, 0), (kco2[:16], n + 2, 0, 0)], got
PY
same_state lead co co2
[ "$(sessions lead)" = 3 ] || fail "3 syncs, $(sessions lead) session lines"

# many peers at once, each with edits, and the lead syncing with co's
# server at the same time: one session line each, all converge
join_node lead co3 "$CO3_SIRET" co
sync_ok co3 "$LEAD"
for nd in co co2 co3; do
	expect_rc 0 on "$nd" add trainee --ref "TP-$nd" family_name=Parallel given_name="$nd" birth_year=1990
done
expect_rc 0 on lead add trainee --ref TP-lead family_name=Parallel given_name=lead birth_year=1990
before=$(sessions lead)
serve_start co; co_pid=$SPID
pids=()
for nd in co co2 co3; do
	BG_OUT=par-$nd.out bg_on "$nd" sync "$LEAD"
	pids+=("$BGPID")
done
BG_OUT=par-lead.out bg_on lead sync "$ADDR"
pids+=("$BGPID")
for p in "${pids[@]}"; do
	wait "$p" || fail "a parallel sync failed: $(cat par-*.out)"
done
wait_sessions lead $((before + 3))
for nd in co co2 co3; do sync_ok "$nd" "$LEAD"; done
same_state lead co co2 co3
for nd in co co2 co3 lead; do expect_rc 0 on "$nd" show trainee TP-co3; done
serve_stop "$co_pid"
[ "$SERVE_RC" = 0 ] || fail "co's serve exited $SERVE_RC"

# SIGTERM: exit 0, "stopping", the port closed
serve_stop "$pid" TERM
[ "$SERVE_RC" = 0 ] || fail "serve exited $SERVE_RC on SIGTERM: $(tail -n 2 "$T/lead.serve.log")"
tail -n 1 "$T/lead.serve.log" | grep -q 'stopping' || fail "no \"stopping\" in serve's log: $(tail -n 2 "$T/lead.serve.log")"
expect_rc 1 on co sync "$LEAD"
err_has 'refused|connect|consort serve' "a sync with a stopped server"

# SIGINT, with a session open (a peer that says HELLO then waits)
serve_start lead; pid=$SPID
bg_syncpeer hold.out client "$PORT" hold "$T/co/network.key" "$T/co/key" "$(consortium_id lead)"
hold_pid=$BGPID
for i in $(seq 1 100); do grep -q holding hold.out && break; sleep 0.05; done
grep -q holding hold.out || fail "syncpeer hold did not get through the handshake: $(cat hold.out)"
# ...while another peer syncs
sync_ok co2 "$ADDR"
serve_stop "$pid" INT
[ "$SERVE_RC" = 0 ] || fail "serve exited $SERVE_RC on SIGINT: $(tail -n 2 "$T/lead.serve.log")"
grep -q 'stopping' "$T/lead.serve.log" || fail "no \"stopping\" in serve's log after SIGINT"
grep -q 'server is stopping' "$T/lead.serve.log" || fail "the open session was not ended by the stop: $(cat "$T/lead.serve.log")"
wait "$hold_pid" || fail "the held connection was not closed by the stopping server: $(cat hold.out)"
expect_rc 0 on lead verify

# a busy port, a bad address
serve_start lead; pid=$SPID
expect_rc 1 on co serve --listen "$ADDR"
err_has 'in use|address' "serve on a busy port"
expect_fail on co serve --listen nonsense
err_has 'HOST:PORT' "serve with a bad --listen"
expect_fail on co serve --listen 127.0.0.1:0x10
serve_stop "$pid"
[ "$SERVE_RC" = 0 ] || fail "serve exited $SERVE_RC"
exit 0
