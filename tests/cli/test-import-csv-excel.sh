#!/usr/bin/env bash
# CSV as French Excel writes it: ';' between cells, Windows-1252, CRLF,
# blank and empty rows, SIRETs and numbers grouped by spaces (no-break ones
# too), dates as 31/12/2026, Oui/Non, words in any case.  A refusal names
# the row and the column as the sheet shows them, never a personal value;
# --separator forces the separator.
. "$(dirname "$0")/lib.sh"

init_lead lead
# Windows-1252: â is the one byte 0xe2
printf 'ref;sector;territory;rate_cents\r\nLOT-01;B\xe2timent;44;1 410\r\n' >lots.csv
expect_rc 0 on lead import --type lot lots.csv
expect_rc 0 on lead show lot LOT-01 --json
out_has '"rate_cents":1410,"sector":"Bâtiment","territory":"44"'

# sessions: a no-break space (U+00A0) in the SIRET, a blank row, a row of
# empty cells, "35,0" hours, Oui, a word in another case
{
	printf 'ref;provider;lot;scheme;title;start;end;hours;permanent_entry\r\n'
	printf 'S1;418 527 362\xc2\xa000127;LOT-01;1E1F;"Soudure; TIG";7/9/2026;11/06/2027;1 372;Oui\r\n'
	printf '\r\n;;;;;;;;\r\n'
	printf 'S2;41852736200127;LOT-01;socle;Accueil;2026-09-07;30/09/2026;35,0;non\r\n'
} >sessions.csv
expect_rc 0 on lead import --type session sessions.csv
out_has ': 2 records read, 2 new or changed'
expect_rc 0 on lead list session --json
python3 - "$OUT" <<'PY' || fail "the sessions differ: $(cat "$OUT")"
import json, sys
got = json.load(open(sys.argv[1]))
assert got["S1"] == {"provider": "41852736200127", "lot": "LOT-01", "scheme": "1e1f",
    "title": "Soudure; TIG", "start": "2026-09-07", "end": "2027-06-11",
    "hours": 1372, "permanent_entry": True}, got["S1"]
assert got["S2"]["hours"] == 35 and got["S2"]["permanent_entry"] is False
assert got["S2"]["end"] == "2026-09-30"
PY

# refusals: row 4 (after a blank row 3), column C, by its header as written;
# a personal value (birth_year) is never repeated
h=$(state_hash lead)
printf 'ref;Family Name;Birth_Year\r\nT1;Moreau;1988\r\n\r\nT2;Gaborit;1 799\r\n' >t.csv
expect_rc 3 on lead import --type trainee t.csv
err_has_fixed 't.csv: row 4, column C "Birth_Year": out of range 1900..2100'
grep -q '1799\|1 799' "$ERR" && fail "a personal value in the refusal: $(cat "$ERR")"
printf 'ref;title;hours\r\nS3;Soudure;35,5\r\n' >s.csv
expect_rc 3 on lead import --type session s.csv
err_has_fixed 's.csv: row 2, column C "hours": "35,5": not a whole number'
printf 'ref;rate_cents\r\nLOT-02;14,10\r\n' >r.csv
expect_rc 3 on lead import --type lot r.csv
err_has_fixed 'this column counts cents, so 14,10 euros is written 1410'
# neither UTF-8 nor Windows-1252
printf 'ref;sector\r\nLOT-03;B\x81\r\n' >x.csv
expect_rc 3 on lead import --type lot x.csv
err_has_fixed 'x.csv: neither UTF-8 nor Windows-1252 text'
[ "$(state_hash lead)" = "$h" ] || fail "refused files changed the state"

# tabs are sniffed too; --separator forces one: a comma makes one column of
# the header "ref;sector"
printf 'ref\tsector\r\nLOT-04\ta;b,c\r\n' >f.csv
expect_rc 0 on lead import --type lot f.csv
expect_rc 0 on lead show lot LOT-04 --json
out_has '"sector":"a;b,c"'
printf 'ref;sector\r\nLOT-05;a,b\r\n' >g.csv
expect_rc 3 on lead import --type lot --separator , g.csv
err_has_fixed 'g.csv: row 1, column A "ref;sector": not a column of Lot (lot)'
expect_rc 2 on lead import --type lot --separator : g.csv
err_has -- '--separator'
exit 0
