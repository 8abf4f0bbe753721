#!/usr/bin/env bash
# A CSV header naming a column twice (a field, or ref) is refused on row 1,
# as add refuses a field given twice and JSON Lines a duplicate key, instead
# of one of the two cells being dropped without a word.
. "$(dirname "$0")/lib.sh"

init_lead lead
h=$(state_hash lead)
printf 'ref,family_name,given_name,family_name\nT000501,Le Goff,Maëlle,Morvan\n' >f.csv
expect_rc 3 on lead import --type trainee f.csv
err_has 'f\.csv: row 1, column D "family_name": column B names it already' "the duplicate column is not named as row 1, column D"
printf 'ref,family_name,ref\nT000502,Moreau,T000503\n' >r.csv
expect_rc 3 on lead import --type trainee r.csv
err_has 'r\.csv: row 1, column C "ref": column A names it already' "the duplicate ref column is not named as row 1, column C"
[ "$(state_hash lead)" = "$h" ] || fail "a CSV file with a duplicate column changed the state: $(on lead list trainee)"
exit 0
