#!/usr/bin/env bash
# import limits and odd files: a line over 65536 bytes is refused naming its
# line (one of exactly 65536 is read), a missing file and a folder are
# refused naming the file, empty files and blank lines import nothing.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
h=$(state_hash lead)
n=$(log_count lead)
unchanged() {
	[ "$(state_hash lead)" = "$h" ] || fail "$1 changed the state"
	[ "$(log_count lead)" = "$n" ] || fail "$1 appended to the log"
}

# pad.py N REF: a valid lot line padded with JSON whitespace to N bytes.
pad() {
	python3 - "$1" "$2" <<'PY'
import sys
n, ref = int(sys.argv[1]), sys.argv[2]
head = '{"type":"lot","ref":"%s","sector":"Numérique","territory":"72","rate_cents":1215' % ref
b = len(head.encode()) + 1
sys.stdout.write(head + " " * (n - b) + "}\n")
PY
}
{ pad 200 LOT-10; pad 65537 LOT-11; pad 300 LOT-12; } >long.jsonl
[ "$(sed -n 2p long.jsonl | wc -c)" = 65538 ] || fail "test setup: line 2 is not 65537 bytes"
expect_rc 3 on lead import long.jsonl
err_has 'long\.jsonl:2([^0-9]|$)' "the long line is not named as line 2"
err_has '65536|too long|longer'
unchanged "a file with a line over 65536 bytes"
# --skip-bad leaves the long line out and reads on after it
expect_rc 0 on lead import --skip-bad long.jsonl
out_has '2 records read, 2 new or changed, 1 change-sets, 1 bad lines skipped'
expect_rc 0 on lead show lot LOT-12
expect_rc 3 on lead show lot LOT-11
# exactly 65536 bytes is within the limit
pad 65536 LOT-13 >edge.jsonl
[ "$(wc -c <edge.jsonl)" = 65537 ] || fail "test setup: edge line is not 65536 bytes"
expect_rc 0 on lead import edge.jsonl
expect_rc 0 on lead show lot LOT-13 --json
out_has '"sector":"Numérique"'
h=$(state_hash lead)
n=$(log_count lead)

# a missing file: 1 or 3, naming the file
rc=0
on lead import "$T/absent.jsonl" >"$OUT" 2>"$ERR" || rc=$?
[ "$rc" = 1 ] || [ "$rc" = 3 ] || fail "import of a missing file exits $rc, expected 1 or 3"
err_has 'absent\.jsonl'
err_has '[Nn]o such file|not found'
unchanged "a missing file"

# a line that is not JSON, on line 3
{ sed -n 1,2p "$DATA/sample.jsonl"; echo 'type=lot ref=LOT-14'; } >notjson.jsonl
expect_rc 3 on lead import notjson.jsonl
err_has 'notjson\.jsonl:3([^0-9]|$)'
err_has 'JSON'
unchanged "a line that is not JSON"
# a UTF-8 error inside a string, on line 1
printf '{"type":"lot","ref":"LOT-15","sector":"Num\xe9rique"}\n' >latin1.jsonl
expect_rc 3 on lead import latin1.jsonl
err_has 'latin1\.jsonl:1([^0-9]|$)'
unchanged "a Latin-1 line"

# empty files and blank lines: nothing to do, nothing appended
: >empty.jsonl
expect_rc 0 on lead import empty.jsonl
out_has '0 records read, 0 new or changed, 0 change-sets'
printf '\n\n' >blank.jsonl
expect_rc 0 on lead import blank.jsonl
out_has '0 records read'
# no newline after the last line: still read
printf '%s' '{"type":"lot","ref":"LOT-16","sector":"Propreté","territory":"53","rate_cents":1365}' >nonl.jsonl
expect_rc 0 on lead import nonl.jsonl
out_has '1 records read, 1 new or changed'
exit 0
