#!/usr/bin/env bash
# consort order and consort statement end to end: a lot's March request
# built, signed and verified without a store; every refusal on stderr with
# exit 3 (rules, derogations, a conflict touching the request); the same
# bytes on two nodes holding the same change-sets; the signature failing
# after a byte of the request changes; CSV and HTML checked for totals and
# warnings; submit seen by another member; an amendment's diff; a
# co-contractor's direct request with its notice (R11); the statement (R18).
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
cat >base.jsonl <<'EOF'
{"type":"lot","ref":"LOT-A","sector":"Bâtiment","territory":"44","rate_cents":1410}
{"type":"session","ref":"S1","provider":"41852736200127","lot":"LOT-A","scheme":"1e1f","title":"Maçon <bloc> & \"fils\"","cert_kind":"full","cert_code":"RNCP38510","site":"Nantes","territory":"44","start":"2026-03-02","end":"2026-04-10","hours":210,"capacity":6,"permanent_entry":false}
{"type":"session","ref":"S2","provider":"50324917900212","lot":"LOT-A","scheme":"socle","title":"Hygiène HACCP","cert_kind":"rs","cert_code":"RS5618","site":"Les Sables-d'Olonne","territory":"85","start":"2026-03-09","end":"2026-03-13","hours":35,"capacity":5,"permanent_entry":false,"territory_agreement":"accord Région 2026-02-01"}
{"type":"session","ref":"S3","provider":"41852736200127","lot":"LOT-A","scheme":"1e1f","title":"Plaquiste","cert_kind":"full","cert_code":"RNCP35781","site":"Nantes","territory":"44","start":"2026-04-13","end":"2026-07-03","hours":420,"capacity":10,"permanent_entry":false}
EOF
for i in 1 2 3 4 5 6 7 8 9 10 11; do
	pt=false; dis=false; [ $i = 4 ] && { pt=true; dis=true; }
	echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"family_name\":\"Nom$i\",\"given_name\":\"Élise\",\"birth_year\":1990,\"ft_id\":\"100000${i}A\",\"status\":\"job_seeker\",\"disability\":$dis,\"part_time\":$pt}"
done >>base.jsonl
cat >>base.jsonl <<'EOF'
{"type":"intent","ref":"I1","employer":"Bâti Ouest SARL","siret":"64152677700041","employer_kind":"company","contract":"CDI","months":0,"weekly_hours":35,"job":"Maçon","date":"2026-02-10","evidence":"email 2026-02-10","steps":"info_meeting,selection,interview","status":"confirmed"}
{"type":"intent","ref":"I2","employer":"Intérim Nantes SA","siret":"64555482500028","employer_kind":"interim_agency","contract":"CDD","months":12,"weekly_hours":35,"job":"Maçon","date":"2026-01-20","evidence":"courrier 2026-01-20","steps":"info_meeting,selection,immersion,final_review,interview","status":"confirmed"}
{"type":"intent","ref":"I3","employer":"Plâtrerie Guérin SARL","siret":"90104765400016","employer_kind":"company","contract":"CDD","months":12,"weekly_hours":35,"job":"Maçon","date":"2026-02-10","evidence":"email 2026-02-10","steps":"info_meeting","status":"declared"}
{"type":"intent","ref":"I4","employer":"Rénov SAS","siret":"68199521300011","employer_kind":"company","contract":"CDD","months":9,"weekly_hours":21,"job":"Maçon","date":"2026-02-01","evidence":"offre d'emploi 2026-02-01","steps":"selection,interview","status":"confirmed"}
{"type":"intent","ref":"I5","employer":"Hôtel Océan SAS","siret":"32756736800045","employer_kind":"company","contract":"APPRENTICESHIP","months":24,"weekly_hours":35,"job":"Maçon","date":"2026-02-15","evidence":"email 2026-02-15","steps":"info_meeting,selection,immersion,final_review,interview","status":"withdrawn","status_date":"2026-02-28","status_reason":"poste supprimé","followup":"full_path"}
{"type":"path","ref":"P1","trainee":"T1","session":"S1","intent":"I1","hours":210,"modules":"M1,M2,M3","financed":true}
{"type":"path","ref":"P2","trainee":"T2","session":"S1","intent":"I2","hours":189,"modules":"M1,M2","financed":true}
{"type":"path","ref":"P3","trainee":"T3","session":"S1","intent":"I3","hours":231,"modules":"M1,M2,M3,M4","financed":true}
{"type":"path","ref":"P4","trainee":"T4","session":"S1","intent":"I4","hours":168,"modules":"M1,M3","financed":true}
{"type":"path","ref":"P5","trainee":"T5","session":"S1","intent":"I5","hours":210,"modules":"M1,M2,M3","financed":true}
{"type":"path","ref":"P6","trainee":"T6","session":"S1","hours":210,"modules":"M1,M2,M3","financed":false}
{"type":"path","ref":"P7","trainee":"T7","session":"S2","hours":35,"modules":"M1","financed":true}
{"type":"path","ref":"P8","trainee":"T8","session":"S2","hours":35,"modules":"M1","financed":true}
{"type":"path","ref":"P9","trainee":"T9","session":"S2","hours":35,"modules":"M1","financed":true}
{"type":"path","ref":"P10","trainee":"T10","session":"S2","hours":28,"modules":"M1","financed":true}
{"type":"path","ref":"P11","trainee":"T11","session":"S2","hours":35,"modules":"M1","financed":true}
EOF
expect_rc 0 on lead import base.jsonl
TOTAL=$(( (210 + 189 + 231 + 168 + 210 + 35 + 35 + 35 + 28 + 35) * 1410 ))

# --- usage ---
expect_rc 2 on lead order build --lot LOT-A --period 2026-13
expect_rc 2 on lead order build --lot LOT-A
expect_rc 2 on lead order frobnicate
expect_rc 2 on lead order build --lot LOT-A --period 2026-03 --direct
err_has_fixed "--direct is a co-contractor's own request"
expect_rc 3 on lead order build --lot LOT-A --period 2026-08
err_has "no session of the lot starts in this period"
expect_rc 3 on lead order build --lot LOT-Z --period 2026-03
err_has "LOT-Z: no such lot"

# --- a request that passes: built, signed, verified with no store ---
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out a.json
out_has "2 sessions, 10 financed trainees, 1176 h"
json_ok a.json
LEADKEY=$(pubkey lead)
expect_rc 0 consort order verify a.json
out_has "valid signature by $LEADKEY"
expect_rc 0 consort order verify a.json --key "$LEADKEY"
python3 - a.json "$TOTAL" <<'PY' || fail "the request's content is wrong"
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
r = d["request"]
assert d["signature"]["alg"] == "ed25519"
assert r["totals"]["cost_cents"] == int(sys.argv[2]), r["totals"]
assert [s["ref"] for s in r["sessions"]] == ["S1"] and [s["ref"] for s in r["socle"]] == ["S2"]
assert [l["path"] for l in r["lines"]] == ["P2", "P4", "P1", "P3", "P5", "P10", "P11", "P7", "P8", "P9"]
assert sorted(w["rule"] for w in r["warnings"]) == ["R09", "R16"], r["warnings"]
assert r["withdrawn"][0]["intent"] == "I5" and r["withdrawn"][0]["followup"] == "full_path"
assert r["not_financed"] == [{"hours": 210, "path": "P6", "session": "S1", "trainee": "T6"}]
assert r["lead"]["siret"] == "41852736200127" and r["sender"]["role"] == "lead"
assert all("family_name" not in json.dumps(s) for s in r["sessions"])
# the file is the canonical form: sorted keys, no whitespace
raw = open(sys.argv[1], "rb").read()
assert raw == (json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n").encode()
PY
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" a.json <<'PY' || fail "a.json does not match schema/order.schema.json"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(json.load(open(sys.argv[2], encoding="utf-8")))
PY
fi

# --- the signature fails after a byte of the request changes ---
python3 - a.json <<'PY' || fail "could not tamper with a.json"
raw = open("a.json", "rb").read()
i = raw.index(b'"cost_cents":') + len(b'"cost_cents":')
t = bytearray(raw); t[i] = ord("9") if t[i] != ord("9") else ord("8")
open("t1.json", "wb").write(t)
t = bytearray(raw); j = raw.index("Élise".encode()) if "Élise".encode() in raw else raw.index(b'"Nantes"') + 1
t[j] ^= 0x20
open("t2.json", "wb").write(t)
PY
expect_rc 1 consort order verify t1.json
err_has "signature does not match the request"
expect_rc 1 consort order verify t2.json
expect_rc 1 consort order verify a.json --key "$(printf '%064d' 7)"
expect_rc 2 consort order verify a.json --key zz
expect_rc 1 consort order verify missing.json

# --- CSV: one row per path, costs adding to the total, warnings per row
# (in English, the columns scripts read) ---
expect_rc 0 consort order show a.json --csv --lang en
python3 - "$OUT" "$TOTAL" <<'PY' || fail "the CSV is wrong"
import csv, sys
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8", newline="")))
assert len(rows) == 11, len(rows)
assert sum(int(r["cost_cents"]) for r in rows) == int(sys.argv[2])
by = {r["path"]: r for r in rows}
assert by["P5"]["warnings"] == "R16" and by["P7"]["warnings"] == "R09", by["P5"]
assert by["P6"]["financed"] == "false" and by["P6"]["cost_cents"] == "0"
assert by["P1"]["title"] == 'Maçon <bloc> & "fils"' and by["P1"]["cost_eur"] == "2961.00"
PY
# --- HTML: self-contained, escaped, totals per session and provider, notes ---
expect_rc 0 consort order show a.json --html
cp "$OUT" a.html
grep -qF "16${NNBSP}581,60${NBSP}€" a.html || fail "HTML lacks the grand total"
grep -qF "data-cents=\"1421280\">14${NNBSP}212,80${NBSP}€" a.html || fail "HTML lacks S1's and the lead's total"
grep -qF '<td>Atelier Compétences</td><td>50324917900212</td>' a.html || fail "HTML lacks the per-provider table"
grep -qF 'Maçon &lt;bloc&gt; &amp; &quot;fils&quot;' a.html || fail "HTML does not escape"
grep -qF '<td>R16<div class="small">Un désistement est enregistré' a.html && grep -qF '<td>R09<div' a.html || fail "HTML lacks the warnings"
grep -qF '@media print' a.html || fail "HTML is not printable"
grep -qE "<b>N°${NBSP}1</b>émise le [0-9]{2}/[0-9]{2}/20[0-9]{2}</div>" a.html || fail "the page lacks its number and date of issue"
grep -qF 'Le mandataire du groupement<br><b>Forma Nord</b>, SIRET 41852736200127' a.html &&
    grep -qF 'Fait à ' a.html && grep -qF 'Signature et cachet' a.html || fail "the page lacks the lead's signature block"
grep -qF '<h2>Dérogations (0)</h2>
<p>Aucune.</p>' a.html || fail "an empty list is not said in French"
grep -qF 'counter(page) " / " counter(pages)' a.html || fail "the printed page has no page numbers"
expect_rc 0 consort order show a.json --html --lang en
grep -qF '16&nbsp;581,60&nbsp;€' "$OUT" && grep -qF 'Signature and stamp' "$OUT" &&
    grep -qF '<p>None.</p>' "$OUT" || fail "the English page is not English"
! grep -qiE '<script|<link|src=|href=|url\(' a.html || fail "HTML loads an external asset"
expect_rc 0 consort order show a.json
out_has "^signature   valid"
out_has "^total       1176 h, 16 581,60 €"

# --- refusals: every error on stderr, exit 3; a derogation lifts its own ---
expect_rc 0 on lead set intent I3 months=3
expect_rc 0 on lead set intent I2 employer_kind=siae
expect_rc 0 on lead set path P2 financed=false
expect_rc 3 on lead order build --lot LOT-A --period 2026-03 --out r.json
[ ! -e r.json ] || fail "a refused build wrote its file"
err_has "R03 intent I3: .*CDD of 3 months"
err_has "R04 intent I2: "
err_has "R05 session S1: session S1 opens with 4 financed trainees"
err_has_fixed "consort add derogation --ref D-R03-I3 rule=R03 session=S1 intent=I3 agreement=A-R03-I3"
err_has_fixed "consort add agreement --ref A-R03-I3 reference=\"...\" date=YYYY-MM-DD subject=seasonal session=S1 intent=I3"
err_has "refused: 3 errors and 0 conflicts"
expect_rc 0 on lead set intent I2 employer_kind=interim_agency
expect_rc 0 on lead set path P2 financed=true
expect_rc 0 on lead add derogation --ref D1 rule=R03 session=S1 intent=I3 "reason=CDD saisonnier" date=2026-02-20
expect_rc 3 on lead order build --lot LOT-A --period 2026-03 --out d.json
err_has "R03 intent I3: "
err_has_fixed "warning: R03 derogation D1: derogation D1 cites no agreement of the Region: it lifts nothing"
err_has_fixed "consort set derogation D1 agreement=A-R03-I3"
expect_rc 0 on lead add agreement --ref A-R03-I3 reference=DR-2026-0042 date=2026-02-18 \
    subject=seasonal session=S1 intent=I3
expect_rc 0 on lead set derogation D1 agreement=A-R03-I3
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out d.json
python3 - d.json <<'PY' || fail "the derogation is not listed"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
d = r["derogations"]
assert len(d) == 1 and d[0]["ref"] == "D1" and d[0]["reason"] == "CDD saisonnier" and d[0]["applied"] == 1
assert d[0]["agreement"] == {"ref": "A-R03-I3", "reference": "DR-2026-0042", "date": "2026-02-18",
                             "subject": "seasonal", "intent": "I3"}, d[0]
assert d[0]["author"] == {"name": "Forma Nord", "siret": "41852736200127"}
w = [w for w in r["warnings"] if w["rule"] == "R03"]
assert len(w) == 1 and w[0]["derogation"] == "D1" and w[0]["intent"] == "I3"
PY
expect_rc 0 consort order show d.json --html
grep -qF '<td>D1</td><td>R03</td><td>S1</td><td>I3</td><td>CDD saisonnier</td>' "$OUT" || fail "HTML lacks the derogation"

# --- the same bytes on any node holding the same change-sets ---
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out d2.json
cmp -s d.json d2.json || fail "two builds on one state differ"
join_node lead co "$CO_SIRET" co
expect_rc 0 on lead bundle export --out all.bundle
expect_rc 0 on co bundle import all.bundle
same_state lead co
cp -a "$T/co" "$T/colead"
cp "$T/lead/key" "$T/lead/key.pub" "$T/colead/"
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out d3.json
expect_rc 0 on colead order build --lot LOT-A --period 2026-03 --out d4.json
cmp -s d3.json d4.json || fail "the lead and a synced node with the lead's key built different bytes"
cp -a "$T/lead" "$T/lead2"
expect_rc 0 on lead2 order build --lot LOT-A --period 2026-03 --out d5.json
cmp -s d3.json d5.json || fail "a copy of the lead built different bytes"

# --- R11: a co-contractor sends only directly, with a notice to the lead ---
expect_rc 3 on co order build --lot LOT-A --period 2026-03
err_has "R11 member $CO_SIRET: .*co-contractor: the order request is sent by the lead"
expect_rc 0 on co order build --lot LOT-A --period 2026-03 --direct --out co.json
err_has "notice N-LOT-A-2026-03-$CO_SIRET to the lead $LEAD_SIRET recorded"
expect_rc 0 on co list notice
out_has "^N-LOT-A-2026-03-$CO_SIRET .*lead=$LEAD_SIRET .*member=$CO_SIRET"
python3 - co.json "$CO_SIRET" <<'PY' || fail "the direct request is wrong"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
s = r["sender"]
assert s["role"] == "co" and s["direct"] is True and s["siret"] == sys.argv[2]
assert s["notice"]["ref"] == "N-LOT-A-2026-03-" + sys.argv[2]
assert r["sessions"] == [] and [x["ref"] for x in r["socle"]] == ["S2"]
assert r["lead"]["siret"] == "41852736200127"
PY
expect_rc 0 on co order build --lot LOT-A --period 2026-03 --direct --out co2.json
cmp -s co.json co2.json || fail "a second direct build recorded another notice"
expect_rc 0 consort order verify co.json --key "$(pubkey co)"

# --- submit: recorded in the log, seen by the other members ---
expect_rc 0 on lead order submit d3.json
out_has "^submitted d3.json: order O-LOT-A-2026-03-"
OREF=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
expect_rc 0 on lead order submit d3.json
out_has "^already submitted"
expect_rc 3 on co order submit d3.json
err_has "this node did not sign the request"
expect_rc 1 on lead order submit t1.json
expect_rc 0 on lead bundle export --out all2.bundle
expect_rc 0 on co bundle import all2.bundle
expect_rc 0 on co list order
out_has "^$OREF .*cost_cents=$TOTAL .*lot=LOT-A number=1 period=2026-03 sender=$LEAD_SIRET"

# --- an amendment: rebuilt after a change, shown as a diff ---
expect_rc 0 on lead set path P2 hours=200
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out e.json
expect_rc 0 consort order diff d3.json e.json
out_has "^amendment of LOT-A 2026-03"
out_has "^~ sessions\[S1\]\.paths\[P2\]\.hours: 189 -> 200$"
out_has "^~ totals\.hours: 1176 -> 1187$"
expect_rc 0 consort order diff d3.json e.json --json
json_ok "$OUT"
expect_rc 0 on lead order submit e.json
out_has "^submitted"
expect_rc 0 on lead list order
grep -q "amends=$OREF .*number=2" "$OUT" || fail "the amendment does not name the request it amends: $(cat "$OUT")"

# --- a conflict touching the request blocks it, with its id ---
expect_rc 0 on co bundle import "$(on lead bundle export --out all3.bundle >/dev/null && echo all3.bundle)"
expect_rc 0 on co set session S2 hours=36
expect_rc 0 on lead set session S2 hours=37
expect_rc 0 on co bundle export --out co.bundle
expect_rc 0 on lead bundle import co.bundle
expect_rc 4 on lead conflicts session S2
CID=$(grep -oE '^C[0-9a-f]{16}' "$OUT" | head -n 1)
[ -n "$CID" ] || fail "no conflict id listed: $(cat "$OUT")"
expect_rc 3 on lead order build --lot LOT-A --period 2026-03
err_has "conflict $CID \(conflict\) session S2: "
expect_rc 0 on lead resolve "$CID" --keep 1
expect_rc 0 on lead order build --lot LOT-A --period 2026-03 --out f.json

# --- the monthly statement (R18), in French, as CSV, in English ---
expect_rc 0 on lead statement --lot LOT-A --month 2026-03
out_has "^Relevé mensuel du lot LOT-A, mars 2026 \(R18\)"
out_has "^S1 +41852736200127 02/03/2026 10/04/2026 +29 +22 +5 +"   # 30 weekdays less Easter Monday
out_has "^Total${NBSP}: 2 sessions, 10 stagiaires financés, 939${NBSP}h, 13${NNBSP}239,90${NBSP}€$"
out_has "^Règle${NBSP}: heures de présence là où l.organisme a relevé la présence du mois"
expect_rc 0 on lead statement --lot LOT-A --month 2026-03 --csv
python3 - "$OUT" <<'PY' || fail "the statement's CSV is wrong: $(head -n 2 "$OUT")"
import csv, sys
raw = open(sys.argv[1], "rb").read()
assert raw.startswith(b"\xef\xbb\xbfLot;Mois;Session;") and raw.endswith(b"\r\n"), raw[:40]
rows = list(csv.DictReader(open(sys.argv[1], encoding="utf-8-sig", newline=""), delimiter=";"))
assert len(rows) == 10 and rows[0]["Début de session"] == "02/03/2026", rows[0]
assert sum(int(r["Heures du mois"]) for r in rows) == 939
assert sum(int(r["Montant (€)"].replace(",", "")) for r in rows) == 1323990
PY
expect_rc 0 on lead statement --lot LOT-A --month 2026-03 --lang en
out_has "^statement LOT-A 2026-03 \(R18\)"
out_has "^total: 2 sessions, 10 financed trainees, 939 h, 13 239,90 € \(1323990 cents\)$"
expect_rc 2 on lead statement --lot LOT-A --month 2026-03 --csv --json
expect_rc 2 on lead statement --lot LOT-A --month 2026-03 --lang de
err_has "--lang takes fr"
expect_rc 0 on lead statement --lot LOT-A --month 2026-04 --json
python3 - "$OUT" <<'PY' || fail "the April statement is wrong"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert [x["ref"] for x in s["sessions"]] == ["S1", "S3"]
s1 = s["sessions"][0]
assert s1["working_days_in_month"] == 7, s1   # Easter Monday 2026-04-06
assert s["totals"]["cost_cents"] == sum(x["cost_cents"] for x in s["sessions"])
assert all(p["cost_cents"] == p["hours_in_month"] * 1410 for p in s1["paths"])
PY
expect_rc 2 on lead statement --lot LOT-A --month 2026
exit 0
