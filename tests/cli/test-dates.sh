#!/usr/bin/env bash
# Every refusal of a date says the accepted form and range (YYYY-MM-DD, a
# real day from 1900-01-01 to 2199-12-31) and what is wrong, without
# repeating the value in the import's messages; the range's ends are
# accepted; help fields shows it.
. "$(dirname "$0")/lib.sh"

RANGE='YYYY-MM-DD, a real day from 1900-01-01 to 2199-12-31'
init_lead lead

# FIELD=VALUE on the command line
i=0
for v in 2026-02-30:'no such day' 2026-13-01:'month is not 01 to 12' 1899-12-31:'year is out of the range' \
    2200-01-01:'year is out of the range' 2100-02-29:'no such day' 26-01-01:'not of the form' \
    2026/01/01:'not of the form' 2026-1-01:'not of the form'; do
	i=$((i + 1))
	expect_rc 3 on lead add lot --ref "LOT-B$i" sector=B territory=44 rate_cents=1 "rate_since=${v%%:*}"
	err_has_fixed "field rate_since: expected a date $RANGE" "the refusal of ${v%%:*} does not give the form and range"
	err_has "${v#*:}" "the refusal of ${v%%:*} does not say what is wrong"
done
for v in 1900-01-01 2199-12-31 2024-02-29 2000-02-29; do
	expect_rc 0 on lead add lot --ref "LOT-$v" sector=B territory=44 rate_cents=1 "rate_since=$v"
done

# JSON Lines: a bad day, and a number where a date is expected
printf '%s\n' '{"type":"lot","ref":"LOT-J1","sector":"B","territory":"44","rate_cents":1,"rate_since":"2026-04-31"}' \
    '{"type":"lot","ref":"LOT-J2","sector":"B","territory":"44","rate_cents":1,"rate_since":20260401}' >bad.jsonl
expect_rc 3 on lead import bad.jsonl
err_has "bad.jsonl:1: field rate_since: expected a date $RANGE: that month has no such day"
err_has "bad.jsonl:2: field rate_since: expected a date \\($RANGE\\)"
grep -q '2026-04-31\|20260401' "$ERR" && fail "the import's refusal repeats the value: $(cat "$ERR")"

# CSV: a day as a sheet writes it (31/12/2026) is a date; one that is no
# real day is refused naming its row and column, without its value
printf 'ref,sector,territory,rate_cents,rate_since\nLOT-C1,B,44,1,31/04/2026\n' >bad.csv
expect_rc 3 on lead import --type lot bad.csv
err_has 'bad.csv: row 2, column E "rate_since": expected a date as 31/12/2026 or 2026-12-31 \(from 1900 to 2199\): that month has no such day'
grep -q '31/04/2026' "$ERR" && fail "the CSV refusal repeats the value: $(cat "$ERR")"

# help fields
expect_rc 0 consort help fields session
out_has "^  start +a date \\($RANGE\\)$"
exit 0
