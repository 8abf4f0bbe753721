#!/usr/bin/env bash
# A CSV file whose last quoted cell is never closed is refused (3, naming the
# row), instead of the open cell swallowing the rows after it.
. "$(dirname "$0")/lib.sh"

init_lead lead
h=$(state_hash lead)
# the open cell is the last of its row, so the row has the header's cell count
printf 'ref,family_name,given_name\nT000401,Le Goff,"Maëlle, dite Maë\nT000402,Moreau,Luc\n' >q.csv
expect_rc 3 on lead import --type trainee q.csv
err_has 'q\.csv: row 2: ' "the unclosed quote is not named as row 2"
[ "$(state_hash lead)" = "$h" ] || fail "a CSV file with an unclosed quote changed the state: $(on lead list trainee --json)"
# the same row closed is fine
printf 'ref,family_name,given_name\nT000401,Le Goff,"Maëlle, dite Maë"\nT000402,Moreau,Luc\n' >q.csv
expect_rc 0 on lead import --type trainee q.csv
out_has '2 records read, 2 new or changed'
exit 0
