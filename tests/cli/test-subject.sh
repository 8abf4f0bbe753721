#!/usr/bin/env bash
# consort subject trainee REF (right of access): everything the node holds
# about one person.  On the lead: the values readable, the paths, their
# sessions and intents, the submitted order whose request names the
# trainee, the R01 conflict it is in, and the members who may read its
# values with why (lead, provider of a session, recorded it, parent of a
# subcontractor); --json is one object, keys sorted.  On a member with no
# right to the values: they are "sealed", none held.  Nothing about other
# trainees is printed.  Refusals: a missing trainee, another type.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead add agreement --ref A-R05-S000001 reference=DR-2026-0098 \
    date=2026-02-27 subject=group_size session=S000001
expect_rc 0 on lead add derogation --ref D-R05-S000001 rule=R05 session=S000001 \
    reason="Équilibre financier" date=2026-03-01 agreement=A-R05-S000001
expect_rc 0 on lead order build --lot LOT-01 --period 2026-03 --out "$T/d.json"
expect_rc 0 on lead order submit "$T/d.json"
OREF=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub
# a session of the subcontractor overlapping S000001: T000001 is financed
# in both at once (R01)
expect_rc 0 on lead add session --ref SX provider="$SUB_SIRET" lot=LOT-01 \
    title="Coffreur" start=2026-03-16 end=2026-05-29 hours=100
expect_rc 0 on lead add path --ref PX trainee=T000001 session=SX hours=80

expect_rc 0 consort subject --help
out_has 'usage: consort \[--dir DIR\] subject trainee REF \[--json\]'
expect_rc 2 on lead subject lot LOT-01
err_has 'only a trainee'
expect_rc 2 on lead subject trainee
expect_rc 3 on lead subject trainee NOPE
err_has 'trainee NOPE: no such trainee on this node'

expect_rc 0 on lead subject trainee T000001
for want in '^trainee T000001$' 'family_name +Thébaud' 'given_name +Maëlle' \
    'personal values held on this node: 6 of 6' '^paths \(2\)$' \
    '^  P000001  session S000001' '^  PX  session SX  hours 80' '^sessions \(2\)$' \
    "^  SX  Coffreur  provider $SUB_SIRET $SUB_NAME  2026-03-16 .. 2026-05-29" \
    '^intents \(1\)$' '^  I000001  employer Bâti Thébaud SASU' \
    "^  $OREF  lot LOT-01  period 2026-03  number 1  date " \
    '^open conflicts touching it \(1\)$' ' R01  trainee T000001' \
    '^members who may read its personal values \(3\)$' \
    "^  $LEAD_NAME  SIRET $LEAD_SIRET  lead  lead; provider of session S000001; recorded it$" \
    "^  $CO_NAME  SIRET $CO_SIRET  co  parent of subcontractor $SUB_SIRET$" \
    "^  $SUB_NAME  SIRET $SUB_SIRET  sub  provider of session SX$"; do
	out_has "$want"
done
! grep -qE 'Brétéché|Loïc|T000002' "$OUT" || fail "subject of T000001 prints another trainee"

expect_rc 0 on lead subject trainee T000001 --json
json_ok "$OUT"
python3 - "$OUT" "$OREF" "$LEAD_SIRET" "$CO_SIRET" "$SUB_SIRET" <<'PY' || fail "subject --json: $(head -c 1500 "$OUT")"
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
oref, lead, co, sub = sys.argv[2:]
def sorted_keys(o):
    if isinstance(o, dict):
        assert list(o) == sorted(o), list(o)
        for v in o.values(): sorted_keys(v)
    elif isinstance(o, list):
        for v in o: sorted_keys(v)
d = json.loads(raw, object_pairs_hook=lambda kv: dict(kv))
sorted_keys(d)
assert raw.endswith("}\n") and raw.count("\n") == 1, "one object on one line"
assert list(d) == ["conflicts", "intents", "members", "orders", "paths", "sessions", "trainee"], list(d)
t = d["trainee"]
assert t["ref"] == "T000001" and t["erased"] is None and not t["deleted"], t
assert t["openings"] == 6 and t["commitments"] == 6, t
assert t["fields"]["family_name"] == "Thébaud" and t["fields"]["birth_year"] == 1998, t
assert set(t["personal"]) == {"birth_year", "disability", "family_name", "ft_id", "given_name", "part_time"}, t
assert set(t["personal"].values()) == {"readable"}, t
assert [p["ref"] for p in d["paths"]] == ["P000001", "PX"], d["paths"]
assert d["paths"][1] == {"financed": None, "hours": 80, "intent": None, "ref": "PX", "session": "SX"}, d["paths"]
s = {x["ref"]: x for x in d["sessions"]}
assert list(s) == ["S000001", "SX"], s
assert s["SX"]["provider"] == {"name": "Sous-Traitant Loire", "siret": sub}, s
assert s["S000001"]["start"] == "2026-03-02" and s["S000001"]["end"] == "2026-04-10", s
assert [i["ref"] for i in d["intents"]] == ["I000001"] and d["intents"][0]["status"] == "declared", d["intents"]
assert [(o["ref"], o["lot"], o["period"], o["number"]) for o in d["orders"]] == [(oref, "LOT-01", "2026-03", 1)], d["orders"]
assert [(c["kind"], c["type"], c["ref"]) for c in d["conflicts"]] == [("R01", "trainee", "T000001")], d["conflicts"]
m = {x["siret"]: x for x in d["members"]}
assert list(m) == sorted(m) and set(m) == {lead, co, sub}, m
assert m[lead]["role"] == "lead" and m[lead]["reasons"] == ["lead", "provider of session S000001", "recorded it"], m
assert m[co]["reasons"] == ["parent of subcontractor " + sub] and m[co]["role"] == "co", m
assert m[sub]["reasons"] == ["provider of session SX"] and m[sub]["role"] == "sub", m
PY

# a member not entitled to the values holds only their commitments
expect_rc 0 on lead bundle export --out "$T/lead.bundle"
for n in co2 sub; do expect_rc 0 on "$n" bundle import "$T/lead.bundle"; done
expect_rc 0 on co2 subject trainee T000001 --json
python3 - "$OUT" <<'PY' || fail "subject --json on co2: $(head -c 1500 "$OUT")"
import json, sys
t = json.load(open(sys.argv[1], encoding="utf-8"))["trainee"]
assert t["openings"] == 0 and t["commitments"] == 6, t
assert set(t["personal"].values()) == {"sealed"}, t
assert "family_name" not in t["fields"] and t["fields"]["status"] == "job_seeker", t
PY
expect_rc 0 on co2 subject trainee T000001
out_has 'family_name +\(sealed: this node holds only a commitment to it\)'
out_has 'personal values held on this node: 0 of 6'
! grep -qE 'Maëlle|2318457K|1998' "$OUT" || fail "co2 prints a value it may not read"

# a subcontractor records a trainee: it and the co-contractor over it may read
expect_rc 0 on sub add trainee --ref TS1 family_name=Quastenbrück status=job_seeker
expect_rc 0 on sub bundle export --out "$T/sub.bundle"
expect_rc 0 on lead bundle import "$T/sub.bundle"
expect_rc 0 on lead subject trainee TS1
out_has '^members who may read its personal values \(3\)$'
out_has "^  $SUB_NAME  SIRET $SUB_SIRET  sub  recorded it$"
out_has "^  $CO_NAME  SIRET $CO_SIRET  co  parent of subcontractor $SUB_SIRET$"
out_has '^paths \(0\)$'
