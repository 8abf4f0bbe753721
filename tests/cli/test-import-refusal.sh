#!/usr/bin/env bash
# import is all or nothing: a file with a bad line N is refused with 3 naming
# FILE:N, the state and the log unchanged; --skip-bad imports the good lines
# and says how many it skipped.  (That the message also names the field:
# test-import-field-named.sh.)
. "$(dirname "$0")/lib.sh"

S=$DATA/sample.jsonl
init_lead lead
expect_rc 0 on lead import "$S"
h=$(state_hash lead)
n=$(log_count lead)
on lead log --json >log0.json
unchanged() {
	[ "$(state_hash lead)" = "$h" ] || fail "a refused import changed the state: $1"
	on lead log --json | cmp -s log0.json - || fail "a refused import changed the log: $1"
}

# new.jsonl: 6 good records; bad_at N SED: the same with line N replaced.
cat >new.jsonl <<'J'
{"type":"lot","ref":"LOT-03","sector":"Sanitaire et social","territory":"49","rate_cents":1565}
{"type":"session","ref":"S000005","provider":"41852736200127","lot":"LOT-03","scheme":"1e1f","title":"Aide-soignant","cert_kind":"full","cert_code":"RNCP35830","site":"Cholet","territory":"49","start":"2026-09-07","end":"2027-06-11","hours":1372,"capacity":12,"permanent_entry":false}
{"type":"trainee","ref":"T000009","family_name":"Gaborit","given_name":"Jade","birth_year":1996,"ft_id":"2358120V","status":"job_seeker","disability":false,"part_time":false}
{"type":"trainee","ref":"T000010","family_name":"Pénisson","given_name":"Théo","birth_year":2000,"ft_id":"2361574E","status":"job_seeker","disability":false,"part_time":false}
{"type":"intent","ref":"I000009","employer":"EHPAD Les Mauges","siret":"64152677700041","employer_kind":"company","contract":"CDI","months":0,"weekly_hours":35,"job":"Aide-soignant","date":"2026-07-01","evidence":"email 2026-07-01","steps":"info_meeting,selection,immersion,final_review,interview","status":"confirmed"}
{"type":"path","ref":"P000009","trainee":"T000009","session":"S000005","intent":"I000009","hours":1372,"modules":"M1,M2,M3","financed":true}
J
bad_at() { sed "$1" new.jsonl >bad.jsonl; cmp -s new.jsonl bad.jsonl && fail "test setup: '$1' changed nothing"; return 0; }

# a bad value on line 4
bad_at '4s/"birth_year":2000/"birth_year":"deux mille"/'
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:4([^0-9]|$)' "the refusal does not name bad.jsonl:4"
err_has 'nothing imported'
grep -q 'bad\.jsonl:[1235]' "$ERR" && fail "the refusal names a good line: $(cat "$ERR")"
unchanged "bad value on line 4"
# a reference to a missing record on line 6
bad_at '6s/"session":"S000005"/"session":"S999999"/'
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:6([^0-9]|$)'
err_has 'S999999'
unchanged "missing reference on line 6"
# a reference to a record later in the file is a missing one too
{ sed -n 6p new.jsonl; sed 6d new.jsonl; } >bad.jsonl
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:1([^0-9]|$)'
unchanged "forward reference"
# one record twice
{ cat new.jsonl; sed -n 3p new.jsonl; } >bad.jsonl
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:7([^0-9]|$)'
err_has 'line 3'
unchanged "duplicate record"
# invalid JSON on line 2, an unknown type on line 5, a JSON array on line 3
# (so line 6, which names line 3's trainee, is bad too)
bad_at '2s/}$//; 5s/"type":"intent"/"type":"employer"/; 3s/.*/[1,2]/'
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:2([^0-9]|$)' "invalid JSON on line 2 is not named"
err_has 'bad\.jsonl:3([^0-9]|$)' "a JSON array on line 3 is not named"
err_has 'bad\.jsonl:5([^0-9]|$)' "an unknown type on line 5 is not named"
err_has 'employer'
err_has 'bad\.jsonl:6([^0-9]|$)' "line 6, naming the trainee of line 3, is not refused"
err_has '4 bad lines'
unchanged "four bad lines"
# no type or no ref
bad_at '3s/"type":"trainee",//'
expect_rc 3 on lead import bad.jsonl
err_has 'bad\.jsonl:3([^0-9]|$)'
unchanged "no type"
# a bad record already in the store is not a reason to refuse others: the
# store's records are valid references
printf '%s\n' '{"type":"path","ref":"P000010","trainee":"T000008","session":"S000004","intent":"I000008","hours":14,"modules":"M1","financed":false}' >ok.jsonl
expect_rc 0 on lead import ok.jsonl
out_has '1 new or changed, 1 change-sets'
h=$(state_hash lead)
n=$(log_count lead)
on lead log --json >log0.json

# --skip-bad: the good lines go in, the bad ones are named and counted
bad_at '4s/"birth_year":2000/"birth_year":"deux mille"/'
expect_rc 0 on lead import --skip-bad bad.jsonl
out_has '5 records read, 5 new or changed, 1 change-sets, 1 bad lines skipped'
err_has 'bad\.jsonl:4([^0-9]|$)'
[ "$(log_count lead)" = $((n + 1)) ] || fail "--skip-bad did not append one change-set"
expect_rc 0 on lead show trainee T000009
expect_rc 3 on lead show trainee T000010
expect_rc 0 on lead show path P000009
# the fixed file afterwards brings the one record left out
expect_rc 0 on lead import new.jsonl
out_has '6 records read, 1 new or changed, 1 change-sets$'
expect_rc 0 on lead show trainee T000010 --json
out_has '"birth_year":2000'
# --skip-bad with a reference to a skipped line: both left out
init_lead skip
expect_rc 0 on skip import "$S"
bad_at '3s/"birth_year":1996/"birth_year":1800/'
expect_rc 0 on skip import --skip-bad bad.jsonl
out_has 'bad lines skipped'
expect_rc 3 on skip show trainee T000009
expect_rc 3 on skip show path P000009
expect_rc 0 on skip verify
exit 0
