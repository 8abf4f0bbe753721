#!/usr/bin/env bash
# consort peer add/list/rm round-trip; join adds the address the invite
# names; consort sync with no argument syncs with every peer of the file
# (exit 1 when there is none, or when one of them fails, the others still
# synced); consort status --json after a sync lists the peer with its
# address, key and counts (and a failed sync with its error), on both sides.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
serve_start lead; LEAD=$ADDR; lead_pid=$SPID
# the invite names the lead's address: join adds it to the peers
join_node lead co "$CO_SIRET" co --name "$CO_NAME" --address "$LEAD"
join_node lead co2 "$CO2_SIRET" co
n_lead=$(log_count lead)
expect_rc 0 on co peer list
[ "$(cat "$OUT")" = "$LEAD" ] || fail "co's peers after a join with --address: $(cat "$OUT")"

# no peer: sync fails with exit 1 and says why
expect_rc 0 on co2 peer list
[ ! -s "$OUT" ] || fail "co2 has peers it was never given: $(cat "$OUT")"
expect_rc 1 on co2 sync
err_has 'no peer'
expect_rc 0 on co2 peer list --json
[ "$(tr -d ' \n' <"$OUT")" = "[]" ] || fail "peer list --json with no peer: $(cat "$OUT")"

# add / list / rm
DEAD=127.0.0.1:$(free_port)   # nothing listens there
expect_rc 0 on co2 peer add "$LEAD"
out_has "added $LEAD"
expect_rc 0 on co2 peer add "$DEAD"
expect_rc 0 on co2 peer add "$LEAD"   # once only
expect_rc 0 on co2 peer list
[ "$(cat "$OUT")" = "$LEAD
$DEAD" ] || fail "peer list after two adds (one twice): $(cat "$OUT")"
expect_rc 0 on co2 peer list --json
python3 -c 'import json,sys; assert json.load(open(sys.argv[1])) == sys.argv[2:], open(sys.argv[1]).read()' \
    "$OUT" "$LEAD" "$DEAD" || fail "peer list --json: $(cat "$OUT")"
for bad in nonsense 127.0.0.1 127.0.0.1:0 127.0.0.1:65536 :7400 "127.0.0.1:74 00" 127.0.0.1:x; do
	expect_fail on co2 peer add "$bad"
	err_has 'HOST:PORT' "peer add \"$bad\""
done
expect_fail on co2 peer rm 127.0.0.1:1
err_has 'not a peer'
expect_rc 2 on co2 peer frob
expect_rc 0 on co2 peer list
[ "$(wc -l <"$OUT")" = 2 ] || fail "failed peer commands changed the list: $(cat "$OUT")"

# sync with no argument: every peer; one dead peer makes it exit 1, but
# the live one synced
expect_rc 1 on co2 sync
[ "$(state_hash co2)" = "$(state_hash lead)" ] || fail "sync with the peers file did not sync with the live peer"
grep -q "^$LEAD: .*sent 0 change-sets, received $((n_lead - 1)) " "$OUT" ||
    fail "no line for the live peer: $(cat "$OUT")"
err_has "$DEAD" "the failing peer is not named"
expect_rc 0 on co2 peer rm "$DEAD"
out_has "removed $DEAD"
expect_rc 0 on co2 peer list
[ "$(cat "$OUT")" = "$LEAD" ] || fail "peer list after rm: $(cat "$OUT")"
expect_rc 0 on co2 add trainee --ref TP1 family_name=Peer given_name=Eva birth_year=1994 \
    ft_id=6667778P status=job_seeker disability=false part_time=false
expect_rc 0 on co2 sync
[ "$(synced_counts)" = "1 0" ] || fail "sync with the peers file: $(head -n 1 "$OUT")"
same_state lead co2
# co syncs with the address its invite gave, by default
expect_rc 0 on co sync
same_state lead co co2

# status --json on the client: the peer's address, key, counts, no error,
# and the dead peer with its error
on co2 status --json >co2.status || fail "status --json of co2 failed"
json_ok co2.status
python3 - co2.status "$LEAD" "$DEAD" "$(pubkey lead)" "$n_lead" <<'PY' || fail "co2's status --json: $(cat co2.status)"
import json, sys
st = json.load(open(sys.argv[1]))
lead, dead, key, n = sys.argv[2], sys.argv[3], sys.argv[4], int(sys.argv[5])
peers = {p["address"]: p for p in st["peers"]}
assert set(peers) == {lead, dead}, sorted(peers)
p = peers[lead]
# the last sync with the lead: sent TP1, received nothing
assert p["key"] == key and p["error"] == "", p
assert (p["sent"], p["received"], p["refused"]) == (1, 0, 0), p
assert p["bytes"] > 0 and p["time"].endswith("Z"), p
d = peers[dead]
assert d["error"] != "" and d["key"] == "" and d["sent"] == 0 and d["received"] == 0, d
# the authors: the lead and co2 itself (co has made no change-set)
assert st["forks"] in (0, []) and st["waiting"] == 0 and st["refused"] in (0, []), st
assert {a["member"] for a in st["authors"]} == {"41852736200127", "79911548000375"}, st["authors"]
PY
# status --json on the server: one entry per member key that synced
on lead status --json >lead.status || fail "status --json of the lead failed"
python3 - lead.status "$(pubkey co)" "$(pubkey co2)" <<'PY' || fail "the lead's status --json: $(cat lead.status)"
import json, sys
st = json.load(open(sys.argv[1]))
kco, kco2 = sys.argv[2], sys.argv[3]
peers = {p["address"]: p for p in st["peers"]}
assert set(peers) == {"from " + kco, "from " + kco2}, sorted(peers)
p = peers["from " + kco2]
assert p["key"] == kco2 and p["error"] == "" and p["received"] == 1 and p["sent"] == 0, p
PY
# status (text) names the peer too
expect_rc 0 on co2 status
out_has "$LEAD +last sync .*: sent 1, received 0"
out_has "$DEAD .*error: "

# last: the keys of every object come in sorted order, like every other
# JSON object consort prints (status --help lists them so, and the code
# that prints a peer says "keys in sorted order")
order=$(python3 - co2.status <<'PY'
import json, sys
orders = []
def hook(kv):
    orders.append([k for k, _ in kv])
    return dict(kv)
json.load(open(sys.argv[1]), object_pairs_hook=hook)
bad = [o for o in orders if o != sorted(o)]
print(",".join(bad[0]) if bad else "sorted")
PY
) || fail "status --json of co2 is not JSON"
[ "$order" = sorted ] || fail "status --json prints an object's keys unsorted: $order"
exit 0
