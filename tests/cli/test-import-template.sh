#!/usr/bin/env bash
# import --template TYPE writes the sheet to fill in: CSV as French Excel
# writes it (UTF-8 mark, ';', CRLF, the columns' French names, personal
# fields included), or with --xlsx a workbook whose parts are all
# well-formed and declared, its first sheet the same header and its second
# « Aide » the description of each column.  Both import back as they are
# and once filled in.  (LibreOffice 7.4 reads the workbook: `soffice
# --headless --convert-to csv` gives the header row; not run here, as
# LibreOffice is no dependency.)
. "$(dirname "$0")/lib.sh"

expect_rc 0 consort import --template Stagiaire
printf '\xef\xbb\xbfRéférence;Nom;Prénom;Année de naissance;Identifiant France Travail;Statut;Handicap;Temps partiel;Effacé le;Motif de l'"'"'effacement;Sortie de formation;Date de sortie\r\n' >want.csv
cmp -s want.csv "$OUT" || fail "the trainee template differs: $(od -c "$OUT" | head -n 5)"
expect_rc 0 consort import --template trainee --out t.csv
cmp -s want.csv t.csv || fail "--out wrote another template"
expect_rc 0 consort import --template session --xlsx --out s.xlsx
python3 - s.xlsx <<'PY' || fail "the workbook is not what Excel and LibreOffice open"
import sys, zipfile, xml.dom.minidom as dom
z = zipfile.ZipFile(sys.argv[1])
parts = {n: dom.parseString(z.read(n)) for n in z.namelist()}
types = parts["[Content_Types].xml"]
declared = {o.getAttribute("PartName") for o in types.getElementsByTagName("Override")}
for n in parts:
    if n.endswith(".xml") and n != "[Content_Types].xml":
        assert "/" + n in declared, n + " is not declared"
sheets = parts["xl/workbook.xml"].getElementsByTagName("sheet")
assert [s.getAttribute("name") for s in sheets] == ["Session", "Aide"], sheets
head = [t.firstChild.data for t in parts["xl/worksheets/sheet1.xml"].getElementsByTagName("t")]
assert head[:4] == ["Référence", "SIRET de l'organisme", "Lot", "Dispositif"], head
assert len(head) == 16, head
lists = parts["xl/worksheets/sheet1.xml"].getElementsByTagName("formula1")
assert '"1 emploi 1 formation,Socle"' in [l.firstChild.data for l in lists], lists
help = [t.firstChild.data for t in parts["xl/worksheets/sheet2.xml"].getElementsByTagName("t")]
assert "date JJ/MM/AAAA" in help and "Oui ou Non" in help, help
PY

# both import back: empty, then filled in
init_lead lead
expect_rc 0 on lead import --type trainee t.csv
out_has ': 0 records read, 0 new or changed, 0 change-sets$'
expect_rc 0 on lead import --type session s.xlsx
out_has ': 0 records read, 0 new or changed, 0 change-sets$'
printf 'T-1;Moreau;Lou;1 996;2358120V;Demandeur d’emploi;Non;Oui;;;;\r\n' >>t.csv
expect_rc 0 on lead import --type trainee t.csv
expect_rc 0 on lead show trainee T-1 --json
out_has '"birth_year":1996,"disability":false,"family_name":"Moreau","ft_id":"2358120V","given_name":"Lou","part_time":true,"status":"job_seeker"'

# misuse: an unknown type, a FILE with --template, --xlsx alone
expect_rc 2 consort import --template employer
err_has 'unknown record type "employer"'
expect_rc 2 consort import --template lot t.csv
expect_rc 2 consort import --xlsx t.csv
err_has -- '--template'
exit 0
