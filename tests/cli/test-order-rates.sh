#!/usr/bin/env bash
# Rates by date (R14): a lot at 6000 c/h orders April; an amendment to
# 6300 c/h from 2024-06-01 leaves April's request (its bytes, the state's
# heads apart), April's statement and the submitted order as they were,
# while June is priced at 6300; a second amendment within September splits
# that month's statement at the change and gives September's request two
# rates; the history is kept (rate records) and travels to other members.
# Refused: a session starting on a day no rate is in force on (R14, naming
# the day), two rates of one day, and a register conflict on a rate.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
{
	echo '{"type":"lot","ref":"LOT-01","sector":"Bâtiment","territory":"44","rate_cents":6000}'
	echo '{"type":"lot","ref":"LOT-02","sector":"Industrie","territory":"44","rate_cents":6000,"rate_since":"2024-06-01"}'
	s() {	# REF LOT START END HOURS
		echo "{\"type\":\"session\",\"ref\":\"$1\",\"provider\":\"$LEAD_SIRET\",\"lot\":\"$2\",\"scheme\":\"socle\",\"title\":\"Socle $1\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"$3\",\"end\":\"$4\",\"hours\":$5,\"capacity\":8,\"permanent_entry\":false}"
	}
	s S1 LOT-01 2024-04-02 2024-05-31 200
	s S2 LOT-01 2024-06-03 2024-06-28 70
	s S3 LOT-01 2024-09-02 2024-09-27 100
	s S4 LOT-01 2024-09-23 2024-10-04 80
	s S9 LOT-02 2024-04-02 2024-04-30 100
	n=0
	for sh in S1:190 S1:192 S1:200 S1:188 S1:180 S2:70 S2:70 S2:70 S2:70 S2:70 \
	    S3:100 S3:100 S3:100 S3:100 S3:100 S4:80 S4:80 S4:80 S4:80 S4:80 \
	    S9:100 S9:100 S9:100 S9:100 S9:100; do
		n=$((n + 1)); t=$(printf 'T%02d' $n); p=$(printf 'P%02d' $n)
		echo "{\"type\":\"trainee\",\"ref\":\"$t\",\"status\":\"job_seeker\"}"
		echo "{\"type\":\"path\",\"ref\":\"$p\",\"trainee\":\"$t\",\"session\":\"${sh%%:*}\",\"hours\":${sh#*:},\"modules\":\"M1\",\"financed\":true}"
	done
} >rates.jsonl
expect_rc 0 on lead import rates.jsonl
APRIL=$(( (190 + 192 + 200 + 188 + 180) * 6000 ))

# --- April at 6000 c/h: the request, its statement, submitted ---
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a1.json
out_has "950 h, 57 000,00 €"
expect_rc 0 on lead statement --lot LOT-01 --month 2024-04 --json
cp "$OUT" st-apr1.json
expect_rc 0 on lead order submit a1.json
OREF=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
expect_rc 0 on lead show order "$OREF" --json
cp "$OUT" o1.json
expect_rc 0 on lead list rate
[ ! -s "$OUT" ] || fail "a lot's creation recorded rates: $(cat "$OUT")"

# --- the amendment: 6300 c/h from 2024-06-01, the history kept ---
expect_rc 0 on lead set lot LOT-01 rate_cents=6300 rate_since=2024-06-01
expect_rc 0 on lead list rate
out_has "^LOT-01@2024-06-01 lot=LOT-01 rate_cents=6300 since=2024-06-01$"
out_has "^LOT-01@start lot=LOT-01 rate_cents=6000$"
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a2.json
out_has "950 h, 57 000,00 €"
expect_rc 0 on lead statement --lot LOT-01 --month 2024-04 --json
cp "$OUT" st-apr2.json
python3 - a1.json a2.json st-apr1.json st-apr2.json "$APRIL" <<'PY' || fail "the amendment changed April"
import json, sys
def body(f):
    d = json.load(open(f, encoding="utf-8"))
    d = d.get("request", d)
    heads = d.pop("state")
    # its place in the history: the second request amends the first
    for k in ("number", "amends", "replaces"):
        d.pop(k, None)
    return json.dumps(d, sort_keys=True, ensure_ascii=False), heads
a1, h1 = body(sys.argv[1]); a2, h2 = body(sys.argv[2])
assert a1 == a2, "April's request changed beyond its heads"
assert h1 != h2
r = json.loads(a2)
assert r["totals"]["cost_cents"] == int(sys.argv[5]), r["totals"]
assert r["lot"]["rate_cents"] == 6000 and "rate_since" not in r["lot"], r["lot"]
assert r["lot"]["rates"] == [{"rate_cents": 6000}], r["lot"]
assert all(p["rate_cents"] == 6000 and "rate_since" not in p for p in r["socle"][0]["paths"])
s1, _ = body(sys.argv[3]); s2, _ = body(sys.argv[4])
assert s1 == s2, "April's statement changed"
PY
# the submitted request never changes
expect_rc 0 on lead show order "$OREF" --json
cmp -s "$OUT" o1.json || fail "the submitted order changed: $(diff o1.json "$OUT")"
python3 -c 'import json,sys; open("o1.signed.json","w").write(json.load(open("o1.json"))["fields"]["signed"])'
expect_rc 0 consort order verify o1.signed.json

# --- June: priced at 6300 c/h, in the request and in its statement ---
expect_rc 0 on lead order build --lot LOT-01 --period 2024-06 --out jun.json
out_has "350 h, 22 050,00 €"
expect_rc 0 on lead statement --lot LOT-01 --month 2024-06 --json
cp "$OUT" st-jun.json
python3 - jun.json st-jun.json <<'PY' || fail "June is not priced at 6300"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
assert r["lot"]["rate_cents"] == 6300 and r["lot"]["rate_since"] == "2024-06-01"
assert r["lot"]["rates"] == [{"since": "2024-06-01", "rate_cents": 6300}]
for p in r["socle"][0]["paths"]:
    assert p["rate_cents"] == 6300 and p["rate_since"] == "2024-06-01", p
    assert p["cost_cents"] == p["hours"] * 6300
assert r["totals"]["cost_cents"] == 350 * 6300
s = json.load(open(sys.argv[2], encoding="utf-8"))
assert s["lot"]["rate_cents"] == 6300
assert s["totals"]["cost_cents"] == 350 * 6300, s["totals"]
assert s["rates"] == [{"from": "2024-06-01", "to": "2024-06-30", "since": "2024-06-01",
    "rate_cents": 6300, "hours": 350, "minutes": 350 * 60,
    "cost_cents": 350 * 6300}], s["rates"]
PY

# --- a change within September: the statement splits, the request has two rates ---
expect_rc 0 on lead set lot LOT-01 rate_cents=6500 rate_since=2024-09-16
expect_rc 0 on lead order build --lot LOT-01 --period 2024-09 --out sep.json
out_has "900 h, 57 500,00 €"
expect_rc 0 consort order show sep.json --csv --lang en
cp "$OUT" sep.csv
expect_rc 0 consort order show sep.json
out_has "^  rate 65,00 € from 2024-09-16$"
expect_rc 0 consort order show sep.json --html
grep -qF "par heure-stagiaire${NBSP}: 63,00${NBSP}€ à partir du 01/06/2024 ; 65,00${NBSP}€ à partir du 16/09/2024" "$OUT" ||
    fail "the HTML does not give the two rates"
expect_rc 0 on lead statement --lot LOT-01 --month 2024-09 --json
cp "$OUT" st-sep.json
python3 - sep.json sep.csv st-sep.json <<'PY' || fail "September is wrong"
import csv, json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
assert r["lot"]["rates"] == [{"since": "2024-06-01", "rate_cents": 6300},
    {"since": "2024-09-16", "rate_cents": 6500}], r["lot"]
assert r["lot"]["rate_cents"] == 6500 and r["lot"]["rate_since"] == "2024-09-16"
by = {s["ref"]: s for s in r["socle"]}
assert by["S3"]["totals"]["cost_cents"] == 500 * 6300
assert by["S4"]["totals"]["cost_cents"] == 400 * 6500
assert r["totals"]["cost_cents"] == 500 * 6300 + 400 * 6500
assert sum(l["cost_cents"] for l in r["lines"]) == r["totals"]["cost_cents"]
rows = {x["path"]: x for x in csv.DictReader(open(sys.argv[2], encoding="utf-8", newline=""))}
assert rows["P11"]["rate_cents"] == "6300" and rows["P16"]["rate_cents"] == "6500", rows["P16"]
assert sum(int(x["cost_cents"]) for x in rows.values()) == r["totals"]["cost_cents"]
s = json.load(open(sys.argv[3], encoding="utf-8"))
assert [(x["from"], x["to"], x["rate_cents"], x["hours"]) for x in s["rates"]] == [
    ("2024-09-01", "2024-09-15", 6300, 250), ("2024-09-16", "2024-09-30", 6500, 490)], s["rates"]
p11 = s["sessions"][0]["paths"][0]
assert p11["path"] == "P11" and p11["hours_in_month"] == 100
assert [(x["rate_cents"], x["hours"], x["cost_cents"]) for x in p11["parts"]] == [
    (6300, 50, 50 * 6300), (6500, 50, 50 * 6500)], p11
assert s["totals"]["cost_cents"] == 250 * 6300 + 490 * 6500 == sum(x["cost_cents"] for x in s["rates"])
PY
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" a2.json jun.json sep.json <<'PY' || fail "a request does not match schema/order.schema.json"
import json, sys, jsonschema
v = jsonschema.Draft202012Validator(json.load(open(sys.argv[1])))
for f in sys.argv[2:]:
    v.validate(json.load(open(f, encoding="utf-8")))
PY
fi
expect_rc 0 on lead statement --lot LOT-01 --month 2024-09
out_has "^Taux de 63,00${NBSP}€ de l'heure du 01/09/2024 au 15/09/2024${NBSP}: 250${NBSP}h, 15${NNBSP}750,00${NBSP}€$"
out_has "^Taux de 65,00${NBSP}€ de l'heure du 16/09/2024 au 30/09/2024${NBSP}: 490${NBSP}h, 31${NNBSP}850,00${NBSP}€$"

# --- the history survives: April again, and on another member's node ---
expect_rc 0 on lead list rate
[ "$(wc -l <"$OUT")" = 3 ] || fail "the history lost a rate: $(cat "$OUT")"
expect_rc 0 on lead order build --lot LOT-01 --period 2024-04 --out a3.json
python3 - a1.json a3.json <<'PY' || fail "April changed after the second amendment"
import json, sys
a, b = (json.load(open(f, encoding="utf-8"))["request"] for f in sys.argv[1:])
for k in ("state", "number", "amends", "replaces"):
    a.pop(k, None); b.pop(k, None)
assert a == b
PY
join_node lead co "$CO_SIRET" co
expect_rc 0 on lead bundle export --out all.bundle
expect_rc 0 on co bundle import all.bundle
expect_rc 0 on co list rate
[ "$(wc -l <"$OUT")" = 3 ] || fail "the history did not travel: $(cat "$OUT")"
expect_rc 0 on co export --json
grep -qF '"LOT-01@2024-09-16":{"lot":"LOT-01","rate_cents":6500,"since":"2024-09-16"}' "$OUT" ||
    fail "the export lacks the rates: $(head -c 400 "$OUT")"
expect_rc 3 on co set lot LOT-01 rate_cents=1
err_has "only the lead"
expect_rc 3 on co add rate --ref LOT-01@2024-12-01 lot=LOT-01 since=2024-12-01 rate_cents=1
err_has "only the lead"

# --- refusals ---
# a session that starts before the lot's first rate: R14 names the day
expect_rc 3 on lead order build --lot LOT-02 --period 2024-04 --out r.json
[ ! -e r.json ] || fail "a refused build wrote its file"
err_has "R14 lot LOT-02: lot LOT-02 has no hourly rate in force on 2024-04-02, the day path P21 of session S9 is ordered: its rates apply from 2024-06-01"
err_has_fixed "consort add rate --ref LOT-02@DAY lot=LOT-02 since=DAY rate_cents=N"
[ "$(grep -c '^consort order build: R14 ' "$ERR")" = 1 ] || fail "one error per lot and day: $(cat "$ERR")"
expect_rc 3 on lead statement --lot LOT-02 --month 2024-04
err_has "R14: lot LOT-02 has no hourly rate in force on 2024-04-01"
expect_rc 0 on lead add rate --ref LOT-02@start lot=LOT-02 rate_cents=5800
expect_rc 0 on lead order build --lot LOT-02 --period 2024-04 --out l2.json
out_has "500 h, 29 000,00 €"
expect_rc 0 on lead statement --lot LOT-02 --month 2024-04 --json
python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["totals"]["cost_cents"] == 500 * 5800, s["totals"]' "$OUT" ||
    fail "April of LOT-02 is not at 5800"
# a rate under another ref than its lot and day
expect_rc 3 on lead add rate --ref R1 lot=LOT-01 since=2024-12-01 rate_cents=6600
err_has "rate R1: a rate's ref is its lot and the day it applies from"
# two rates of one day
expect_rc 0 on lead set rate LOT-01@2024-09-16 rate_cents=6700
expect_rc 3 on lead order build --lot LOT-01 --period 2024-09
err_has "R14 rate LOT-01@2024-09-16: lot LOT-01 has two hourly rates from 2024-09-16: 6500 cents \(lot LOT-01\) and 6700 cents"
expect_rc 0 on lead set rate LOT-01@2024-09-16 rate_cents=6500
expect_rc 0 on lead order build --lot LOT-01 --period 2024-09 --out sep2.json

# a register conflict on a rate blocks the build.  Only the lead's role
# edits rates, and one author's change-sets follow each other: two members
# holding that role are what amends a rate at once, so the lead's node
# gives the co-contractor the role (no command does: forge writes it)
forge lead set member "$CO_SIRET" role lead
expect_rc 0 on lead bundle export --out all2.bundle
expect_rc 0 on co bundle import all2.bundle
expect_rc 0 on co set rate LOT-01@2024-09-16 rate_cents=6600
expect_rc 0 on lead set lot LOT-01 rate_cents=6550
expect_rc 0 on co bundle export --out co.bundle
expect_rc 0 on lead bundle import co.bundle
expect_rc 3 on lead order build --lot LOT-01 --period 2024-09
err_has "conflict C[0-9a-f]{16} \(conflict\) rate LOT-01@2024-09-16: rate LOT-01@2024-09-16 field rate_cents holds 2 competing values"
CID=$(grep -oE 'conflict C[0-9a-f]{16} \(conflict\) rate' "$ERR" | grep -oE 'C[0-9a-f]{16}')
expect_rc 0 on lead resolve "$CID" --keep 1
expect_rc 0 on lead set lot LOT-01 rate_cents=6600
expect_rc 0 on lead set rate LOT-01@2024-09-16 rate_cents=6600
expect_rc 0 on lead order build --lot LOT-01 --period 2024-09 --out sep3.json
out_has "900 h, 57 900,00 €"
exit 0
