#!/usr/bin/env bash
# R16 end to end: a withdrawn intent stays in the order request after its
# path is pointed at a replacement intent.  Intent I1 backs path P1; the
# employer withdraws it, I2B replaces it and P1 is pointed at I2B: the edit
# records that I2B replaces I1, and the request lists I1 with its date,
# reason, follow-up, who withdrew it and what replaced it (text, CSV, HTML,
# diff).  A trainee's withdrawal with no replacement (follow-up
# ft_referral) is listed too.  Failure paths: an intent replacing itself,
# a missing one, a cycle, who withdrew an intent that is not withdrawn
# (R16 error, exit 3), and a subcontractor pointing its path at an intent
# it may not edit (told so, with the command to run).
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
cat >base.jsonl <<EOF
{"type":"lot","ref":"LOT-W","sector":"Bâtiment","territory":"44","rate_cents":1000}
{"type":"session","ref":"S1","provider":"$LEAD_SIRET","lot":"LOT-W","scheme":"1e1f","title":"Maçon","cert_kind":"full","cert_code":"RNCP38510","site":"Nantes","territory":"44","start":"2026-03-02","end":"2026-04-10","hours":100,"capacity":6,"permanent_entry":false}
EOF
for i in 1 2 3 4 5; do
	echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"status\":\"job_seeker\",\"disability\":false,\"part_time\":false}"
	echo "{\"type\":\"intent\",\"ref\":\"I$i\",\"employer\":\"Employeur $i\",\"siret\":\"64152677700041\",\"employer_kind\":\"company\",\"contract\":\"CDI\",\"weekly_hours\":35,\"date\":\"2026-02-0$i\",\"evidence\":\"email\",\"steps\":\"interview\",\"status\":\"confirmed\"}"
	echo "{\"type\":\"path\",\"ref\":\"P$i\",\"trainee\":\"T$i\",\"session\":\"S1\",\"intent\":\"I$i\",\"hours\":100,\"modules\":\"M1\",\"financed\":true}"
done >>base.jsonl
expect_rc 0 on lead import base.jsonl
expect_rc 0 on lead order build --lot LOT-W --period 2026-03 --out a.json

# withdrawn_of FILE INTENT: prints the request's withdrawn entry of INTENT
# as JSON, or fails the test.
withdrawn_of() {
	python3 - "$1" "$2" <<'PY' || fail "$1 does not list $2 as withdrawn: $(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["request"]["withdrawn"])' "$1")"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
w = [x for x in r["withdrawn"] if x["intent"] == sys.argv[2]]
assert len(w) == 1, w
print(json.dumps(w[0], ensure_ascii=False, sort_keys=True))
PY
}

# --- the employer withdraws I1; I2 replaces it on P1 ---
expect_rc 0 on lead set intent I1 status=withdrawn status_date=2026-03-10 \
    "status_reason=poste supprimé" followup=full_path
expect_rc 0 on lead add intent --ref I2B "employer=Nouvel Employeur" siret=32756736800045 \
    employer_kind=company contract=CDI weekly_hours=35 date=2026-03-11 evidence=email \
    steps=interview status=confirmed
expect_rc 0 on lead set path P1 intent=I2B
out_has "^updated path P1$"
err_has_fixed "note: intent I2B: it now records that it replaces the withdrawn intent I1 (replaces=I1)"
expect_rc 0 on lead show intent I2B
out_has "replaces +I1$"
expect_rc 0 on lead order build --lot LOT-W --period 2026-03 --out b.json
w=$(withdrawn_of b.json I1)
python3 - "$w" <<'PY' || fail "the withdrawal of I1 is wrong: $w"
import json, sys
w = json.loads(sys.argv[1])
assert w["path"] == "P1" and w["session"] == "S1", w
assert w["employer"] == "Employeur 1" and w["date"] == "2026-03-10", w
assert w["reason"] == "poste supprimé" and w["followup"] == "full_path", w
assert w["by"] == "unknown", w
assert w["replaced_by"] == {"ref": "I2B", "employer": "Nouvel Employeur", "date": "2026-03-11"}, w
PY
# the warning suggests recording who withdrew it
python3 - b.json <<'PY' || fail "no R16 warning about I1 suggesting withdrawn_by"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
w = [x for x in r["warnings"] if x["rule"] == "R16" and x["ref"] == "I1"]
assert len(w) == 1 and "withdrawn_by=employer|trainee" in w[0]["message"], w
assert "replaced by intent I2B" in w[0]["message"], w
assert [l["intent"] for l in r["lines"] if l["path"] == "P1"] == ["I2B"], r["lines"]
PY

expect_rc 0 on lead set intent I1 withdrawn_by=employer
expect_rc 0 on lead order build --lot LOT-W --period 2026-03 --out c.json
w=$(withdrawn_of c.json I1)
case $w in *'"by": "employer"'*) ;; *) fail "I1 is not withdrawn by the employer: $w" ;; esac
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" c.json <<'PY' || fail "c.json does not match schema/order.schema.json"
import json, sys, jsonschema
jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).validate(
    json.load(open(sys.argv[2], encoding="utf-8")))
PY
fi
expect_rc 0 consort order diff b.json c.json
out_has '^~ withdrawn\[I1\]\.by: "unknown" -> "employer"$'
expect_rc 0 consort order diff a.json c.json
out_has '^\+ withdrawn\[I1\]: '
# text, CSV and HTML show who withdrew it and what replaced it
expect_rc 0 consort order show c.json
out_has "^withdrawn   1$"
out_has "^  I1 \(Employeur 1\) path P1 session S1: withdrawn by employer on 2026-03-10 \(poste supprimé\), follow-up full_path; replaced by I2B \(Nouvel Employeur, 2026-03-11\)$"
expect_rc 0 consort order show c.json --csv --lang en
python3 - "$OUT" <<'PY' || fail "the CSV lacks the withdrawal"
import csv, sys
rows = {r["path"]: r for r in csv.DictReader(open(sys.argv[1], encoding="utf-8", newline=""))}
p1 = rows["P1"]
assert (p1["intent"], p1["withdrawn_intents"], p1["withdrawn_by"], p1["replaced_by"]) == \
    ("I2B", "I1", "employer", "I2B"), p1
assert rows["P2"]["withdrawn_intents"] == "" and rows["P2"]["withdrawn_by"] == "", rows["P2"]
PY
expect_rc 0 consort order show c.json --html
grep -qF '<th>Retirée par</th>' "$OUT" && grep -qF '<th>Remplacée par</th>' "$OUT" ||
    fail "the HTML lacks the withdrawal's columns"
grep -qF '<td>Employeur</td><td>Parcours complet</td><td>I2B</td><td>Nouvel Employeur</td><td class="d">11/03/2026</td>' "$OUT" ||
    fail "the HTML lacks who withdrew I1 and what replaced it: $(grep -A3 'Intentions retirées' "$OUT")"

# --- the trainee withdraws (I2): P2 keeps its intent, no replacement ---
expect_rc 0 on lead set intent I2 status=withdrawn withdrawn_by=trainee \
    status_date=2026-03-12 "status_reason=démission" followup=ft_referral
expect_rc 0 on lead order build --lot LOT-W --period 2026-03 --out d.json
w=$(withdrawn_of d.json I2)
python3 - "$w" <<'PY' || fail "the withdrawal of I2 is wrong: $w"
import json, sys
w = json.loads(sys.argv[1])
assert w["path"] == "P2" and w["by"] == "trainee" and w["followup"] == "ft_referral", w
assert w["date"] == "2026-03-12" and w["reason"] == "démission", w
assert "replaced_by" not in w, w
PY
withdrawn_of d.json I1 >/dev/null

# --- failure paths ---
expect_rc 3 on lead set intent I3 replaces=I3
err_has "intent I3: field replaces names the intent itself"
expect_rc 3 on lead set intent I3 replaces=NOPE
err_has "no intent \"NOPE\""
expect_rc 3 on lead set intent I1 replaces=I2B
err_has "\(a cycle\)"
expect_fail on lead set intent I3 withdrawn_by=boss
# who withdrew an intent that is not withdrawn: an R16 error, with the fix
expect_rc 0 on lead set intent I4 withdrawn_by=employer
expect_rc 3 on lead order build --lot LOT-W --period 2026-03 --out e.json
[ ! -e e.json ] || fail "a refused build wrote its file"
err_has "R16 intent I4: intent I4 \(Employeur 4\) is not withdrawn \(status confirmed\) but records who withdrew it"
err_has_fixed "consort set intent I4 withdrawn_by="
expect_rc 0 on lead set intent I4 withdrawn_by=
expect_rc 0 on lead order build --lot LOT-W --period 2026-03 --out e.json

# --- a subcontractor points its path away from the lead's withdrawn
# intent: at its own new intent, which records what it replaces; at an
# intent the lead recorded, which it may not edit: told what to ask for ---
join_node lead sub "$SUB_SIRET" sub
expect_rc 0 on lead add session --ref S9 provider="$SUB_SIRET" lot=LOT-W scheme=1e1f \
    title=Cariste cert_kind=rs cert_code=RS5000 site=Nantes territory=44 \
    start=2026-03-16 end=2026-03-20 hours=35 capacity=5 permanent_entry=false
expect_rc 0 on lead add trainee --ref T9 status=job_seeker disability=false part_time=false
expect_rc 0 on lead add intent --ref I9 "employer=Employeur 9" siret=64152677700041 \
    employer_kind=company contract=CDI weekly_hours=35 date=2026-03-01 evidence=email \
    steps=interview status=withdrawn withdrawn_by=employer status_date=2026-03-14
expect_rc 0 on lead add intent --ref I9C "employer=Employeur 9C" siret=32756736800045 \
    employer_kind=company contract=CDI weekly_hours=35 date=2026-03-15 evidence=email \
    steps=interview status=confirmed
expect_rc 0 on lead add path --ref P9 trainee=T9 session=S9 intent=I9 hours=35 modules=M1 financed=true
expect_rc 0 on lead bundle export --out "$T/full.bundle"
expect_rc 0 on sub bundle import "$T/full.bundle"
expect_rc 0 on sub set path P9 intent=I9C
out_has "^updated path P9$"
err_has_fixed "note: intent I9C: intent I9C does not record that it replaces the withdrawn intent I9"
err_has_fixed "consort set intent I9C replaces=I9"
expect_rc 0 on sub show intent I9C
! grep -q "replaces" "$OUT" || fail "the subcontractor's edit changed the lead's intent: $(cat "$OUT")"
expect_rc 0 on sub set path P9 intent=I9
expect_rc 0 on sub add intent --ref I9B "employer=Employeur 9B" siret=32756736800045 \
    employer_kind=company contract=CDI weekly_hours=35 date=2026-03-15 evidence=email \
    steps=interview status=confirmed
expect_rc 0 on sub set path P9 intent=I9B
err_has_fixed "note: intent I9B: it now records that it replaces the withdrawn intent I9 (replaces=I9)"
expect_rc 0 on sub show intent I9B
out_has "replaces +I9$"
