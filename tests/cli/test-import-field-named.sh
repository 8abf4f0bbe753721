#!/usr/bin/env bash
# A refused import line names its field as well as FILE:LINE, as add and set
# do: a wrong type, an enumeration, a date, a SIRET in JSON Lines; a bad
# cell in CSV names its row and column as a sheet shows them.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
h=$(state_hash lead)

# check LINE FIELD JSON: a two-line file whose line LINE (2) is JSON; 3, FILE:2 and FIELD named.
check() {
	local field=$1 json=$2
	printf '%s\n%s\n' '{"type":"lot","ref":"LOT-03","sector":"Sanitaire et social","territory":"49","rate_cents":1565}' "$json" >f.jsonl
	expect_rc 3 on lead import f.jsonl
	err_has 'f\.jsonl:2([^0-9]|$)' "the refusal of '$json' does not name f.jsonl:2"
	err_has "$field" "the refusal of '$json' does not name the field $field"
	[ "$(state_hash lead)" = "$h" ] || fail "a refused import changed the state"
}
check birth_year '{"type":"trainee","ref":"T000020","family_name":"Bad","given_name":"B","birth_year":"nineteen"}'
check rate_cents '{"type":"lot","ref":"LOT-04","sector":"Industrie","territory":"49","rate_cents":"1455"}'
check territory '{"type":"lot","ref":"LOT-04","sector":"Industrie","territory":49}'
check disability '{"type":"trainee","ref":"T000020","disability":"false"}'
check scheme '{"type":"session","ref":"S000009","provider":"41852736200127","lot":"LOT-01","scheme":"bogus"}'
check start '{"type":"session","ref":"S000009","provider":"41852736200127","lot":"LOT-01","start":"2026-02-30"}'
check provider '{"type":"session","ref":"S000009","provider":"41852736200128","lot":"LOT-01"}'
check steps '{"type":"intent","ref":"I000020","steps":"interview,selection"}'
check months '{"type":"intent","ref":"I000020","months":121}'

# CSV: the bad cell's column
printf 'ref,family_name,given_name,birth_year\nT000021,Gaborit,Jade,1996\nT000022,Pénisson,Théo,deux mille\n' >t.csv
expect_rc 3 on lead import --type trainee t.csv
err_has 't\.csv: row 3, column D "birth_year": ' "the CSV refusal does not name row 3, column D"
[ "$(state_hash lead)" = "$h" ] || fail "a refused CSV import changed the state"
exit 0
