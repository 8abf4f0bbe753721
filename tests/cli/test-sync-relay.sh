#!/usr/bin/env bash
# Relay: A (the lead) syncs only with B (a co-contractor), and C (another
# co-contractor) only with B; A and C never talk, yet each ends with the
# other's edits and the same state hash.  A's status knows B only.
. "$(dirname "$0")/sync-lib.sh"

init_consortium a
expect_rc 0 on a import "$DATA/sample.jsonl"
join_node a b "$CO_SIRET" co
join_node a c "$CO2_SIRET" co

serve_start a; A=$ADDR; a_pid=$SPID
serve_start b; B=$ADDR; b_pid=$SPID

# C first reaches B before B has heard of C: B does not know C's key yet
expect_rc 1 on c sync "$B"
err_has 'handshake|not a member|refuses' "C's sync with a B that does not know C yet"
sync_ok b "$A"
sync_ok c "$B"
same_state a b c

# edits at both ends of the chain
expect_rc 0 on a add lot --ref LOT-R1 sector=Logistique territory=49 rate_cents=1380
expect_rc 0 on a add trainee --ref TRA1 family_name=Roux given_name=Anaïs birth_year=1996 \
    ft_id=1100220A status=job_seeker disability=false part_time=false
expect_rc 0 on c add session --ref SRC1 provider="$CO2_SIRET" lot=LOT-02 scheme=socle \
    title="Préparation de commandes" cert_kind=rs cert_code=RS5432 site=Angers territory=49 \
    start=2026-10-05 end=2026-10-30 hours=105 capacity=10 permanent_entry=true
expect_rc 0 on c add trainee --ref TRC1 family_name=Martin given_name=Hugo birth_year=2000 \
    ft_id=3300440B status=job_seeker disability=false part_time=false
expect_rc 0 on c add path --ref PRC1 trainee=TRC1 session=SRC1 intent=I000003 hours=105 \
    modules=M1 financed=true
h_c=$(state_hash c)

# C -> B: B gets C's 3 change-sets; then B -> A: A gets them, B gets A's 2
sync_ok c "$B"
[ "$(synced_counts)" = "3 0" ] || fail "c->b: expected sent 3, received 0: $(head -n 1 "$OUT")"
sync_ok b "$A"
[ "$(synced_counts)" = "3 2" ] || fail "b->a: expected sent 3, received 2: $(head -n 1 "$OUT")"
[ "$(state_hash c)" = "$h_c" ] || fail "C changed without syncing"
# B -> C: C gets A's edits through B
sync_ok c "$B"
[ "$(synced_counts)" = "0 2" ] || fail "c->b (2): expected sent 0, received 2: $(head -n 1 "$OUT")"
same_state a b c
for n in a c; do
	expect_rc 0 on "$n" show lot LOT-R1
	expect_rc 0 on "$n" show trainee TRA1
	expect_rc 0 on "$n" show path PRC1
	expect_rc 0 on "$n" verify
done
[ "$(log_count a)" = "$(log_count c)" ] || fail "A holds $(log_count a) change-sets, C $(log_count c)"

# A never talked to C: its sessions were with B's key only
wait_sessions a 2
ka=$(pubkey b) kc=$(pubkey c)
grep -q "peer ${kc:0:16}" "$T/a.serve.log" && fail "A's server saw C"
grep -q "peer ${ka:0:16}" "$T/a.serve.log" || fail "A's server did not log B's sessions: $(cat "$T/a.serve.log")"
on a status --json >a.status || fail "status --json of A failed"
python3 - a.status "$ka" "$kc" <<'PY' || fail "A's status lists another peer than B: $(cat a.status)"
import json, sys
st, kb, kc = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
keys = {p["key"] for p in st["peers"]}
assert keys == {kb}, keys
# and A holds change-sets authored by C
assert any(a["key"] == kc and a["seq"] >= 3 for a in st["authors"]), st["authors"]
PY

serve_stop "$a_pid"
serve_stop "$b_pid"
exit 0
