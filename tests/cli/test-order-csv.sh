# order show --csv on files others send: cells a spreadsheet would evaluate
# (= + - @, tab, CR, their full-width forms) start with an apostrophe,
# control characters are gone, the numbers the tool writes stay numbers,
# in French (the default: BOM, ";", decimal comma) and in English (--lang
# en: the columns and numbers scripts read, as before);
# a crafted warning with a 1,100-character rule (it overflowed a stack
# buffer and crashed) is rendered whole, and warnings too long for one
# cell are refused with a reason, never cut.
. "$(dirname "$0")/lib.sh"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
on lead add agreement --ref A1 reference=DR-2026-0117 date=2026-03-18 \
    subject=group_size session=S000002 >/dev/null || fail "agreement failed"
on lead add derogation --ref D1 rule=R05 session=S000002 reason="Équilibre" \
    date=2026-03-20 agreement=A1 >/dev/null || fail "derogation failed"
# what a member typed reaches the request as typed
expect_rc 0 on lead set session S000002 "title==cmd|' /C calc'!A0" \
    "site=@SUM(1+1)" "cert_code=+33 6"
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out req.json
expect_rc 0 consort order show req.json --csv
[ "$(head -c 3 "$OUT" | od -An -tx1 | tr -d ' ')" = efbbbf ] || fail "the French CSV has no BOM"
grep -qF "Lot;Période;Dispositif;Session;Intitulé;" "$OUT" || fail "the French CSV's header: $(head -n 1 "$OUT")"
grep -qF ";'=cmd|' /C calc'!A0;" "$OUT" || fail "a typed formula is not defused in French: $(sed -n 2p "$OUT")"
grep -qF ";'@SUM(1+1);" "$OUT" && grep -qF ";'+33 6;" "$OUT" || fail "a French cell is not defused"
grep -qF ";6514,20;" "$OUT" || fail "the French amount has no decimal comma"
grep -qF ';13/04/2026;03/07/2026;' "$OUT" || fail "the French dates are not JJ/MM/AAAA"
expect_rc 2 consort order show req.json --csv --lang xx
err_has "--lang takes fr \(French, the default\) or en"
expect_rc 0 consort order show req.json --csv --lang en
cp "$OUT" typed.csv
[ "$(head -n 1 typed.csv)" = "$(printf 'lot,period,scheme,session,title,provider_siret,provider_name,dc4,site,territory,cert_kind,cert_code,start,end,path,path_start,trainee,hours,modules,financed,remunerated,intent,employer,employer_siret,contract,intent_date,intent_status,withdrawn_intents,withdrawn_by,replaced_by,rate_cents,cost_cents,cost_eur,warnings\r')" ] ||
    fail "the English CSV's header changed: $(head -n 1 typed.csv)"
grep -qF ",'=cmd|' /C calc'!A0," typed.csv || fail "a typed formula is not defused: $(sed -n 2p typed.csv)"
grep -qF ",'@SUM(1+1)," typed.csv || fail "an @ formula is not defused"
grep -qF ",'+33 6," typed.csv || fail "a + cell is not defused"
grep -qF ",651420,6514.20," typed.csv || fail "the amounts are not plain numbers"

# a crafted file: formulas, full-width forms, controls, a negative amount
python3 - req.json crafted.json <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
s = f["request"]["sessions"][0]
p = s["paths"][0]
s["title"] = '=HYPERLINK("http://x.example/","clic")'
s["site"] = "\uff1dSUM(1)"                 # full-width equals sign
s["provider"]["name"] = "\u0001\u001b-1+2"   # controls hide a minus
p["modules"] = "\tM1\r"
p["intent"]["employer"] = "B\u0085\u007fti\r\nOuest"
p["intent"]["contract"] = "-12"
p["cost_cents"] = -50
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
expect_rc 0 consort order show crafted.json --csv --lang en
err_has "warning: signature INVALID"
python3 - "$OUT" <<'PY' || fail "a crafted cell reaches the CSV as a formula or with a control"
import sys
raw = open(sys.argv[1], "rb").read()
for b in list(range(0x00, 0x20)) + [0x7f]:
    if b in (0x0d, 0x0a):
        continue
    assert bytes([b]) not in raw, "control 0x%02x left" % b
assert "\u0085".encode() not in raw, "C1 control left"
rows = raw.split(b"\r\n")
assert all(b"\r" not in r and b"\n" not in r for r in rows), "a line break inside a row"
text = raw.decode()
for want in (',"\'=HYPERLINK(""http://x.example/"",""clic"")",', ",'\uff1dSUM(1),",
             ",'-1+2,", ",M1,", ",BtiOuest,", ",-12,", ",-50,-0.50,"):
    assert want in text, want
for cell in (c for r in text.split("\r\n")[1:] for c in r.split(",")):
    c = cell.lstrip('"')
    assert not c[:1] in ("=", "+", "@", "\uff1d"), cell
    assert not (c.startswith("-") and not c.lstrip("-").replace(".", "", 1).isdigit()), cell
PY

# a warning whose rule has 1,100 characters, with a derogation
python3 - req.json long.json 1100 <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
f["request"]["warnings"].append({"rule": "R" * int(sys.argv[3]), "type": "session",
    "ref": "S000002", "session": "S000002", "message": "m", "derogation": "D1"})
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"))
PY
expect_rc 0 consort order show long.json --csv
grep -qE ";R{1100} \(dérogation D1\)" "$OUT" || fail "the long warning is not rendered whole"
expect_rc 0 consort order show long.json --html
expect_rc 0 consort order show long.json
# too long for one cell: refused, naming the path, nothing printed
python3 - req.json huge.json 20000 <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
f["request"]["warnings"].append({"rule": "R" * int(sys.argv[3]), "type": "session",
    "ref": "S000002", "session": "S000002", "message": "m"})
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"))
PY
expect_rc 1 consort order show huge.json --csv
err_has "path P000003: the warnings of one path do not fit in a CSV cell"
[ ! -s "$OUT" ] || fail "a refused CSV printed something"
