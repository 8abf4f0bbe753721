#!/usr/bin/env bash
# Import of what French providers' spreadsheets hold, named by the French
# labels of schema/entities.def (columns, list words, the type for --type):
#
# - tests/data/intentions-cp1252.csv, as French Excel saves "CSV
#   (séparateur: point-virgule)": Windows-1252, ';', CRLF, SIRETs grouped
#   by spaces (one a no-break space, byte 0xa0), dates 07/09/2026 and
#   1/10/2026, "35,0", a blank row and a row of empty cells, list words in
#   any case with either apostrophe, a list of steps in a quoted cell.
# - tests/data/sessions-libreoffice.xlsx, written by LibreOffice 7.4 from a
#   UTF-8 CSV (the same columns, dates as 07/09/2026, VRAI/FAUX/Non, one
#   empty cell and one blank row) with
#     soffice --headless --infilter="CSV:59,34,76,1,,1036,false,true" \
#         --convert-to xlsx sessions.csv
#   (1036: French, so that the dates become serial numbers and VRAI/FAUX
#   booleans): shared strings, SIRETs as numbers, sparse rows and cells.
#
# Each is imported and checked with list --json, a second time appends
# nothing; a workbook is told by its content whatever its name; a bad cell
# of a workbook is refused naming its row and column, in French too.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import --type "intention d'embauche" "$DATA/intentions-cp1252.csv"
out_has ': 3 records read, 3 new or changed, 1 change-sets$'
expect_rc 0 on lead list intent --json
python3 - "$OUT" <<'PY' || fail "the intents differ: $(cat "$OUT")"
import json, sys
got = json.load(open(sys.argv[1]))
want = {
    "I-101": {"employer": "Boulangerie Héraud & Fils", "siret": "74852605747935",
        "employer_kind": "company", "contract": "CDI", "months": 0, "weekly_hours": 35,
        "job": "Vendeuse en boulangerie", "date": "2026-09-07",
        "evidence": "courriel du 07/09/2026", "steps": "info_meeting,interview",
        "status": "confirmed"},
    "I-102": {"employer": "Intérim Loire Atlantique", "siret": "80927525309313",
        "employer_kind": "interim_agency", "contract": "CDI_INTERIM", "months": 0,
        "weekly_hours": 35, "job": "Soudeur TIG", "date": "2026-10-01",
        "evidence": "lettre d'engagement; signée", "steps": "selection",
        "status": "declared"},
    "I-103": {"employer": "Garage Lefèvre, SARL", "siret": "85610083167167",
        "employer_kind": "company", "contract": "PRO_CONTRACT", "months": 12,
        "weekly_hours": 35, "job": "Mécanicien", "date": "2026-10-15",
        "evidence": "appel", "steps": "selection,interview", "status": "declared"},
}
if got != want:
    for k in want:
        if got.get(k) != want[k]:
            print(k, "want", want[k], "\n got ", got.get(k), file=sys.stderr)
    sys.exit(1)
PY

expect_rc 0 on lead add lot --ref LOT-01 sector=Industrie territory=44 rate_cents=1410
expect_rc 0 on lead import --type Session "$DATA/sessions-libreoffice.xlsx"
out_has ': 3 records read, 3 new or changed, 1 change-sets$'
expect_rc 0 on lead list session --json
python3 - "$OUT" <<'PY' || fail "the sessions differ: $(cat "$OUT")"
import json, sys
got = json.load(open(sys.argv[1]))
common = {"provider": "41852736200127", "lot": "LOT-01", "territory": "44"}
want = {
    "S-201": dict(common, scheme="1e1f", title="Soudeur TIG", cert_kind="full",
        cert_code="RNCP35830", site="Saint-Nazaire", start="2026-09-07",
        end="2027-06-11", hours=1372, capacity=12, permanent_entry=True),
    "S-202": dict(common, scheme="socle", title="Accueil et remise à niveau",
        cert_kind="block", cert_code="RNCP35830BC01", site="Nantes",
        start="2026-10-05", end="2026-12-18", hours=350, permanent_entry=False),
    "S-203": dict(common, scheme="socle", title="Français langue étrangère",
        cert_kind="rs", cert_code="RS5497", site="Rezé", start="2027-01-04",
        end="2027-03-26", hours=280, capacity=8, permanent_entry=False),
}
if got != want:
    for k in want:
        if got.get(k) != want[k]:
            print(k, "want", want[k], "\n got ", got.get(k), file=sys.stderr)
    sys.exit(1)
PY
# again, under a name that does not say .xlsx: nothing new
cp "$DATA/sessions-libreoffice.xlsx" sessions.csv
expect_rc 0 on lead import --type session sessions.csv
out_has ': 3 records read, 0 new or changed, 0 change-sets$'

# a workbook with a day that is none, in row 3, column B, and a SIRET that
# fails its check in row 4, column A; both named, nothing written
h=$(state_hash lead)
python3 - bad.xlsx <<'PY'
import sys, zipfile
rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
cell = lambda r, s: '<c r="%s" t="inlineStr"><is><t>%s</t></is></c>' % (r, s)
rows = [cell("A1", "SIRET de l'organisme") + cell("B1", "Date de d\u00e9but") + cell("C1", "R\u00e9f\u00e9rence"),
        cell("A2", "418 527 362 00127") + '<c r="B2"><v>46272</v></c>' + cell("C2", "S-301"),
        cell("A3", "418 527 362 00127") + cell("B3", "31/02/2026") + cell("C3", "S-302"),
        '<c r="A4"><v>41852736200128</v></c>' + cell("C4", "S-303")]
sheet = '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>%s</sheetData></worksheet>' % \
    "".join('<row r="%d">%s</row>' % (i + 1, r) for i, r in enumerate(rows))
with zipfile.ZipFile(sys.argv[1], "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("_rels/.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="r1" Type="%s/officeDocument" Target="xl/workbook.xml"/></Relationships>' % rel)
    z.writestr("xl/workbook.xml", '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" '
        'xmlns:r="%s"><sheets><sheet name="Sessions" sheetId="1" r:id="r1"/></sheets></workbook>' % rel)
    z.writestr("xl/_rels/workbook.xml.rels", '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="r1" Type="%s/worksheet" Target="worksheets/s.xml"/></Relationships>' % rel)
    z.writestr("xl/worksheets/s.xml", sheet)
PY
expect_rc 3 on lead import --type session bad.xlsx
err_has_fixed 'bad.xlsx: row 3, column B "Date de début": expected a date as 31/12/2026 or 2026-12-31 (from 1900 to 2199): that month has no such day'
err_has_fixed 'bad.xlsx: row 4, column A "SIRET de l'"'"'organisme": not a SIRET: its 14 digits fail the check of the last one (Luhn key)'
err_has_fixed '2 bad rows, nothing imported'
# the same in French, as the spreadsheet's user reads it
env -u LC_ALL -u LANGUAGE LANG=fr_FR.UTF-8 "$CONSORT" --dir "$T/lead" import --type session bad.xlsx >"$OUT" 2>"$ERR" &&
	fail "a refused workbook imported in French"
err_has_fixed 'bad.xlsx: ligne 3, colonne B « Date de début » : attendu : une date comme 31/12/2026 ou 2026-12-31 (de 1900 à 2199) : ce mois n'"'"'a pas ce jour'
# a file named .xlsx that is no workbook
printf 'Référence;Lot\r\nS-304;LOT-01\r\n' >notzip.xlsx
expect_rc 3 on lead import --type session notzip.xlsx
err_has_fixed 'notzip.xlsx: not a readable .xlsx workbook'
[ "$(state_hash lead)" = "$h" ] || fail "refused workbooks changed the state"
exit 0
