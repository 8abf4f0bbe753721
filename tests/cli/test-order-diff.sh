#!/usr/bin/env bash
# consort order diff on two real requests of one lot and month: between
# them a co-contractor's session left the month and another's came in, so
# the providers' totals differ.  Every list is matched by its key: the
# provider that left is removed and the one that came is added, each named
# by its SIRET (never read as a change of name of the provider in the same
# position), a change of the lead's totals is at its SIRET, and the log
# state and the lines' numbers are left out.  Text and --json.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
cat >base.jsonl <<EOF
{"type":"lot","ref":"LOT-A","sector":"Bâtiment","territory":"44","rate_cents":1000}
{"type":"session","ref":"S1","provider":"$LEAD_SIRET","lot":"LOT-A","scheme":"socle","title":"Maçon","cert_kind":"full","cert_code":"RNCP38510","site":"Nantes","territory":"44","start":"2026-03-02","end":"2026-04-10","hours":210,"capacity":6,"permanent_entry":false}
{"type":"session","ref":"S2","provider":"$CO_SIRET","lot":"LOT-A","scheme":"socle","title":"HACCP","cert_kind":"rs","cert_code":"RS5618","site":"Nantes","territory":"44","start":"2026-03-09","end":"2026-03-13","hours":35,"capacity":5,"permanent_entry":false}
{"type":"session","ref":"S3","provider":"$CO2_SIRET","lot":"LOT-A","scheme":"socle","title":"Cariste","cert_kind":"rs","cert_code":"RS5000","site":"Nantes","territory":"44","start":"2026-04-06","end":"2026-04-10","hours":35,"capacity":5,"permanent_entry":false}
EOF
for i in $(seq 1 15); do
	echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}"
done >>base.jsonl
for i in 1 2 3 4 5; do
	echo "{\"type\":\"path\",\"ref\":\"P$i\",\"trainee\":\"T$i\",\"session\":\"S1\",\"hours\":100,\"modules\":\"M1\",\"financed\":true}"
	echo "{\"type\":\"path\",\"ref\":\"Q$i\",\"trainee\":\"T$((i + 5))\",\"session\":\"S2\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}"
	echo "{\"type\":\"path\",\"ref\":\"R$i\",\"trainee\":\"T$((i + 10))\",\"session\":\"S3\",\"hours\":30,\"modules\":\"M1\",\"financed\":true}"
done >>base.jsonl
expect_rc 0 on lead import base.jsonl
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out a.json

# S2 (the co-contractor's) moves to April, S3 (the second co-contractor's)
# to March; one of the lead's paths takes more hours
expect_rc 0 on lead set session S2 start=2026-04-06 end=2026-04-10
expect_rc 0 on lead set session S3 start=2026-03-16 end=2026-03-20
expect_rc 0 on lead set path P3 hours=120
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out b.json

expect_rc 0 consort order diff a.json b.json
out_has "^amendment of LOT-A 2026-03"
out_has "^- totals\.by_provider\[$CO_SIRET\]: "
out_has "^\+ totals\.by_provider\[$CO2_SIRET\]: "
out_has "^~ totals\.by_provider\[$LEAD_SIRET\]\.cost_cents: 500000 -> 520000$"
out_has "^~ totals\.by_provider\[$LEAD_SIRET\]\.hours: 500 -> 520$"
out_has "^- socle\[S2\]: "
out_has "^\+ socle\[S3\]: "
out_has "^~ socle\[S1\]\.paths\[P3\]\.hours: 100 -> 120$"
! grep -qE '\.(name|siret): ' "$OUT" || fail "a provider's name or SIRET reads as changed: $(cat "$OUT")"
! grep -qE '#[0-9]' "$OUT" || fail "an element is named by its position: $(cat "$OUT")"
! grep -qE '^. state' "$OUT" || fail "the log state is compared: $(cat "$OUT")"

expect_rc 0 consort order diff a.json b.json --json
json_ok "$OUT"
python3 - "$OUT" "$LEAD_SIRET" "$CO_SIRET" "$CO2_SIRET" <<'PY' || fail "diff --json is wrong: $(head -c 800 "$OUT")"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
lead, co, co2 = sys.argv[2:5]
ch = {(c["op"], c["at"]): c for c in d["changes"]}
assert d["same_period"] is True and d["lot"] == "LOT-A"
c = ch[("removed", "totals.by_provider[%s]" % co)]
assert c["old"]["siret"] == co and c["old"]["cost_cents"] == 175 * 1000
c = ch[("added", "totals.by_provider[%s]" % co2)]
assert c["new"]["siret"] == co2 and c["new"]["cost_cents"] == 150 * 1000
c = ch[("changed", "totals.by_provider[%s].cost_cents" % lead)]
assert (c["old"], c["new"]) == (500000, 520000)
assert not any(a.endswith((".name", ".siret")) for _, a in ch), ch.keys()
assert not any(a.startswith("state") for _, a in ch), ch.keys()
# the lines of the paths that stayed are matched by path, not by number
assert ("changed", "lines[P3].hours") in ch and not any(a.endswith(".n") for _, a in ch)
PY

# the same request against itself: no change; the other order: reversed ops
expect_rc 0 consort order diff a.json a.json
out_has "^amendment of LOT-A 2026-03: 0 changes"
expect_rc 0 consort order diff b.json a.json
out_has "^\+ totals\.by_provider\[$CO_SIRET\]: "
out_has "^- totals\.by_provider\[$CO2_SIRET\]: "

# failure paths: a missing file, a file that is not a request, usage
expect_rc 1 consort order diff a.json missing.json
echo '{"request":1}' >bad.json
expect_rc 1 consort order diff a.json bad.json
expect_rc 2 consort order diff a.json
expect_rc 0 consort order diff --help
out_has "diff"
