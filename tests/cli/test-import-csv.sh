#!/usr/bin/env bash
# CSV import: tests/data/trainees.csv with --type trainee (quoted cells with
# commas, UTF-8 names, typed cells) equals what Python's csv module reads;
# again appends nothing; no --type is an error; header and row errors are
# refused naming the row and column as a sheet shows them.
. "$(dirname "$0")/lib.sh"

C=$DATA/trainees.csv
rows=$(($(wc -l <"$C") - 1))
init_lead lead
n=$(log_count lead)
expect_rc 0 on lead import --type trainee "$C"
out_has ": $rows records read, $rows new or changed, 1 change-sets\$"
[ "$(log_count lead)" = $((n + 1)) ] || fail "the CSV import did not append one change-set"
expect_rc 0 on lead list trainee --json
json_ok "$OUT"
python3 - "$C" "$OUT" <<'PY' || fail "the imported trainees differ from the CSV"
import csv, json, sys
ints = {"birth_year"}
bools = {"disability", "part_time"}
want = {}
with open(sys.argv[1], encoding="utf-8", newline="") as f:
    for row in csv.DictReader(f):
        ref = row.pop("ref")
        want[ref] = {k: int(v) if k in ints else (v == "true") if k in bools else v
                     for k, v in row.items() if v != ""}
got = json.load(open(sys.argv[2], encoding="utf-8"))
if got != want:
    print("want", want, "\ngot ", got, file=sys.stderr)
    sys.exit(1)
assert any("," in v for r in want.values() for v in r.values() if isinstance(v, str)), "no cell with a comma"
PY
expect_rc 0 on lead show trainee T000101 --json
out_has '"family_name":"Le Goff, épouse Morvan"'

# again: nothing appended
h=$(state_hash lead)
on lead log --json >log1.json
expect_rc 0 on lead import --type trainee "$C"
out_has ', 0 new or changed, 0 change-sets$'
on lead log --json | cmp -s log1.json - || fail "a second CSV import changed the log"
[ "$(state_hash lead)" = "$h" ] || fail "a second CSV import changed the state"

# without --type: an error naming --type, nothing written
expect_rc 2 on lead import "$C"
err_has -- '--type'
cp "$C" trainees.txt
expect_rc 2 on lead import --format csv trainees.txt
err_has -- '--type'
# --type with a .txt name reads CSV; --format csv too
init_lead other
expect_rc 0 on other import --type trainee trainees.txt
expect_rc 0 on other list trainee --json
cmp -s "$OUT" <(on lead list trainee --json) || fail "CSV from a .txt file imports differently"

# an empty cell leaves the field unset; a type column must agree with --type
printf 'type,ref,family_name,given_name,birth_year\ntrainee,T000201,Moreau,,1984\n' >e.csv
expect_rc 0 on lead import --type trainee e.csv
expect_rc 0 on lead show trainee T000201 --json
[ "$(cat "$OUT")" = '{"fields":{"birth_year":1984,"family_name":"Moreau"},"ref":"T000201","type":"trainee"}' ] ||
	fail "an empty CSV cell: $(cat "$OUT")"
printf 'type,ref,family_name\nlot,T000202,Moreau\n' >e.csv
expect_rc 3 on lead import --type trainee e.csv
err_has 'e\.csv: row 2, column A "type": '
# CRLF line ends (spreadsheet exports)
printf 'ref,family_name,given_name,birth_year\r\nT000203,"Rivière, dite Riv",Zoé,1990\r\n' >crlf.csv
expect_rc 0 on lead import --type trainee crlf.csv
expect_rc 0 on lead show trainee T000203 --json
out_has '"birth_year":1990,"family_name":"Rivière, dite Riv","given_name":"Zoé"\}'

h=$(state_hash lead)
n=$(log_count lead)
# header errors: row 1
printf 'ref,family_name,colour\nT000301,Moreau,bleu\n' >h.csv
expect_rc 3 on lead import --type trainee h.csv
err_has 'h\.csv: row 1, column C "colour": not a column of Stagiaire \(trainee\); the columns are Référence, Nom, Prénom, Année de naissance'
printf 'family_name,given_name\nMoreau,Luc\n' >h.csv
expect_rc 3 on lead import --type trainee h.csv
err_has 'h\.csv: row 1: no "Référence" \(ref\) column'
: >h.csv
expect_rc 3 on lead import --type trainee h.csv
# a row with a cell too many, on row 3
printf 'ref,family_name\nT000302,Moreau\nT000303,Moreau,Luc\n' >r.csv
expect_rc 3 on lead import --type trainee r.csv
err_has 'r\.csv: row 3: 3 cells where the header has 2'
# a quoted cell over two lines is one row, as in a sheet: the bad row after
# it, on line 4 of the file, is row 3
printf 'ref,family_name,birth_year\nT000304,"Sur deux\nlignes",1990\nT000305,Moreau,19x0\n' >m.csv
expect_rc 3 on lead import --type trainee m.csv
err_has 'm\.csv: row 3, column C "birth_year": ' "the bad row after a two-line cell is not named as row 3"
[ "$(state_hash lead)" = "$h" ] || fail "refused CSV files changed the state"
[ "$(log_count lead)" = "$n" ] || fail "refused CSV files appended to the log"
exit 0
