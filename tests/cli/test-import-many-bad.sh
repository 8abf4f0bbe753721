#!/usr/bin/env bash
# A file with many bad lines: the first 20 are listed (in file order), then
# "... and N more bad lines, T in all", with an exact count (the check goes
# to the end of the file), refused or with --skip-bad alike; 20 or fewer:
# all listed, no such line.
. "$(dirname "$0")/lib.sh"

init_lead lead
# 3 good lots, then 400 bad ones (the rate is not an integer), then 2 good
python3 - <<'PY' >many.jsonl
import json
lot = lambda i, rate: json.dumps({"type": "lot", "ref": "LOT-%03d" % i, "sector": "B",
                                  "territory": "44", "rate_cents": rate})
for i in range(3):
    print(lot(i, 1000 + i))
for i in range(3, 403):
    print(lot(i, "mille"))
for i in range(403, 405):
    print(lot(i, 1000 + i))
PY
n0=$(log_count lead)

# shown_ok: the first 20 bad lines (4..23) are listed one per line, in order
shown_ok() {
	[ "$(grep -c '^consort import: many.jsonl:[0-9]*: ' "$ERR")" = 20 ] ||
	    fail "not 20 bad lines listed: $(grep -c 'many.jsonl:[0-9]*: ' "$ERR") ($(head -c 300 "$ERR"))"
	[ "$(grep -oE '^consort import: many.jsonl:[0-9]+' "$ERR" | cut -d: -f3 | tr '\n' ' ')" = \
	    "$(seq 4 23 | tr '\n' ' ')" ] || fail "the lines listed are not the first 20 bad ones"
	err_has_fixed 'consort import: many.jsonl: ... and 380 more bad lines, 400 in all'
}

expect_rc 3 on lead import many.jsonl
shown_ok
err_has_fixed 'many.jsonl: 400 bad lines, nothing imported'
[ "$(wc -l <"$ERR")" = 22 ] || fail "stderr has $(wc -l <"$ERR") lines, expected 20 + 2"
[ "$(log_count lead)" = "$n0" ] || fail "a refused file was imported"

expect_rc 0 on lead import --skip-bad many.jsonl
shown_ok
[ "$(wc -l <"$ERR")" = 21 ] || fail "stderr has $(wc -l <"$ERR") lines with --skip-bad, expected 20 + 1"
out_has '5 records read, 5 new or changed, 1 change-sets, 400 bad lines skipped'

# 20 bad lines or fewer: all listed, no "more" line
head -n 23 many.jsonl >twenty.jsonl
expect_rc 3 on lead import twenty.jsonl
[ "$(grep -c '^consort import: twenty.jsonl:[0-9]*: ' "$ERR")" = 20 ] || fail "not the 20 bad lines"
grep -q 'more bad lines' "$ERR" && fail "a \"more\" line with only 20 bad lines: $(tail -n 2 "$ERR")"
err_has_fixed 'twenty.jsonl: 20 bad lines, nothing imported'
exit 0
