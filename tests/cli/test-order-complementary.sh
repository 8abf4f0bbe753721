#!/usr/bin/env bash
# Complementary paths (FAQ §3, « un parcours complémentaire à un collectif
# existant »): a trainee joining a running session in a later month has a
# path with its own start.  It is ordered in the month it starts (its
# session in that request with it alone), not in its session's month, at
# the rate in force on its own start; the statement counts its hours from
# that day.  A start outside its session is refused (R13) where the
# session is ordered.  A path may aim at another certification than its
# session's (R08, « compétences proches mais sur des titres différents »),
# carried in the request, the CSV and the HTML.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
{
	echo '{"type":"lot","ref":"LOT-01","sector":"Bâtiment","territory":"44","rate_cents":6000}'
	echo "{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\"$LEAD_SIRET\",\"lot\":\"LOT-01\",\"scheme\":\"socle\",\"title\":\"Socle\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2024-04-02\",\"end\":\"2024-06-28\",\"hours\":300,\"capacity\":6,\"permanent_entry\":false}"
	for n in 1 2 3 4 5 6 7 8; do
		echo "{\"type\":\"trainee\",\"ref\":\"T0$n\",\"status\":\"job_seeker\"}"
	done
	for n in 1 2 3 4 5; do
		echo "{\"type\":\"path\",\"ref\":\"P0$n\",\"trainee\":\"T0$n\",\"session\":\"S1\",\"hours\":300,\"modules\":\"M1\",\"financed\":true}"
	done
} >base.jsonl
expect_rc 0 on lead import base.jsonl

# --- April's request, before and after a trainee joins in May ---
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a1.json
out_has "1500 h, 90 000,00 €"
expect_rc 3 on lead order build --lot LOT-01 --period 2024-05
err_has "no session of the lot starts in this period"
expect_rc 0 on lead add path --ref P06 trainee=T06 session=S1 hours=120 modules=M2 financed=true start=2024-05-13
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a2.json
python3 - a1.json a2.json <<'PY' || fail "the complementary path changed April"
import json, sys
a, b = (json.load(open(f, encoding="utf-8"))["request"] for f in sys.argv[1:])
a.pop("state"); b.pop("state")
assert a == b
assert "P06" not in json.dumps(b)
PY

# --- May's request: S1 with P06 alone ---
expect_rc 0 on lead order build --lot LOT-01 --period 2024-05 --out may.json
out_has "1 sessions, 1 financed trainees, 120 h, 7 200,00 €"
python3 - may.json <<'PY' || fail "May's request is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
assert [s["ref"] for s in r["socle"]] == ["S1"] and r["sessions"] == []
s = r["socle"][0]
assert s["start"] == "2024-04-02"
assert [p["ref"] for p in s["paths"]] == ["P06"], s["paths"]
p = s["paths"][0]
assert p["start"] == "2024-05-13" and p["rate_cents"] == 6000 and p["cost_cents"] == 120 * 6000
assert s["totals"] == {"financed": 1, "not_financed": 0, "hours": 120, "cost_cents": 120 * 6000}
assert [l["path"] for l in r["lines"]] == ["P06"]
assert r["totals"]["cost_cents"] == 120 * 6000
PY
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" may.json <<'PY' || fail "may.json does not match schema/order.schema.json"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2], encoding="utf-8")))
PY
fi

# --- a complementary path is priced at the rate in force on its own start ---
expect_rc 0 on lead set lot LOT-01 rate_cents=6300 rate_since=2024-06-01
expect_rc 0 on lead add path --ref P07 trainee=T07 session=S1 hours=60 modules=M2 financed=true start=2024-06-10
expect_rc 0 on lead order build --lot LOT-01 --period 2024-06 --out jun.json
out_has "60 h, 3 780,00 €"
expect_rc 0 on lead order build --lot LOT-01 --period 2024-05 --out may2.json
out_has "120 h, 7 200,00 €"

# --- the statement counts a complementary path from its own start ---
expect_rc 0 on lead statement --lot LOT-01 --month 2024-04 --json
python3 - "$OUT" <<'PY' || fail "April's statement counts a path that starts later"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert [p["path"] for p in s["sessions"][0]["paths"]] == ["P01", "P02", "P03", "P04", "P05"]
PY
expect_rc 0 on lead statement --lot LOT-01 --month 2024-05 --json
python3 - "$OUT" <<'PY' || fail "May's statement is wrong for P06"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
p = {x["path"]: x for x in s["sessions"][0]["paths"]}
assert "P07" not in p
# P06: 120 h over its 34 working days (2024-05-13 to 2024-06-28, Whit
# Monday 2024-05-20 left out), 14 in May
assert p["P06"]["hours_in_month"] == 120 * 14 // 34, p["P06"]
assert p["P06"]["cost_cents"] == p["P06"]["hours_in_month"] * 6000
PY
expect_rc 0 on lead statement --lot LOT-01 --month 2024-06 --json
python3 - "$OUT" <<'PY' || fail "June's statement is wrong"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
p = {x["path"]: x for x in s["sessions"][0]["paths"]}
assert p["P06"]["hours_in_month"] == 120 - 120 * 14 // 34
assert p["P07"]["hours_in_month"] == 60 and p["P07"]["cost_cents"] == 60 * 6300
PY

# --- refusals: a start outside its session, where the session is ordered ---
expect_rc 0 on lead add path --ref P08 trainee=T08 session=S1 hours=40 modules=M1 financed=true start=2024-03-25
expect_rc 3 on lead order build --lot LOT-01 --period 2024-04 --out r.json
[ ! -e r.json ] || fail "a refused build wrote its file"
err_has "R13 path P08: path P08 starts on 2024-03-25, outside its session S1 \(2024-04-02 to 2024-06-28\)"
err_has_fixed "consort set path P08 start=YYYY-MM-DD"
expect_rc 3 on lead order build --lot LOT-01 --period 2024-03
err_has "no session of the lot starts in this period"
expect_rc 0 on lead add derogation --ref D13 rule=R13 session=S1 "reason=entrée anticipée" date=2024-03-20
expect_rc 3 on lead order build --lot LOT-01 --period 2024-04
err_has "R13 path P08: "
expect_rc 0 on lead set path P08 start=2024-07-01
expect_rc 3 on lead order build --lot LOT-01 --period 2024-04
err_has "R13 path P08: path P08 starts on 2024-07-01, outside its session"
expect_rc 3 on lead order build --lot LOT-01 --period 2024-07
err_has "no session of the lot starts in this period"
expect_rc 3 on lead add path --ref P09 trainee=T08 session=S1 hours=40 start=2024-06-31
err_has "field start: expected a date"
expect_rc 0 on lead set path P08 start=
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a3.json
out_has "1540 h, 92 400,00 €"

# --- a path aiming at another certification than its session's (R08) ---
expect_rc 0 on lead set path P06 cert_kind=block
expect_rc 3 on lead order build --lot LOT-01 --period 2024-05
err_has "R08 path P06: path P06 does not name its certification code"
err_has_fixed "consort set path P06 cert_kind=full|block|rs cert_code=CODE; or, with the Region's agreement on a certification, record it and derogate citing it: consort add agreement --ref A-R08-S1"
expect_rc 3 on lead set path P06 cert_kind=master
err_has "field cert_kind"
expect_rc 0 on lead set path P06 cert_code=RNCP35781BC
expect_rc 0 on lead order build --lot LOT-01 --period 2024-05 --out may3.json
expect_rc 0 on lead set path P06 cert_code=RNCP35781BC02
expect_rc 0 on lead set path P08 cert_kind=rs cert_code=RS5618
expect_rc 0 on lead order build --lot LOT-01 --period 2024-05 --out may4.json
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a4.json
expect_rc 0 consort order show may4.json --csv --lang en
cp "$OUT" may4.csv
expect_rc 0 consort order show may4.json --html
cp "$OUT" may4.html
python3 - may3.json may4.json a4.json a3.json may4.csv <<'PY' || fail "the path's certification is wrong"
import csv, json, sys
def req(f): return json.load(open(f, encoding="utf-8"))["request"]
m3, m4, a4, a3 = (req(f) for f in sys.argv[1:5])
w = [x for x in m3["warnings"] if x["rule"] == "R08"]
assert len(w) == 1 and w[0]["path"] == "P06" and w[0]["type"] == "path", m3["warnings"]
p = m4["socle"][0]["paths"][0]
assert p["certification"] == {"kind": "block", "code": "RNCP35781BC02"}, p
assert m4["socle"][0]["certification"] == {"kind": "rs", "code": "RS5618"}
assert not [x for x in m4["warnings"] if x["rule"] == "R08"]
# P08 names its session's certification: nothing carried, April unchanged
a3.pop("state"); a4.pop("state")
assert a3 == a4
row = next(csv.DictReader(open(sys.argv[5], encoding="utf-8", newline="")))
assert (row["path"], row["cert_kind"], row["cert_code"]) == ("P06", "block", "RNCP35781BC02"), row
assert (row["start"], row["path_start"]) == ("2024-04-02", "2024-05-13"), row
PY
grep -qF '<td>RNCP35781BC02</td>' may4.html || fail "the HTML lacks the path's certification"
grep -qF '<td>P06</td><td>T06</td><td class="d">13/05/2024</td>' may4.html || fail "the HTML lacks the path's start"
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" may4.json <<'PY' || fail "may4.json does not match schema/order.schema.json"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(json.load(open(sys.argv[2], encoding="utf-8")))
PY
fi
exit 0
