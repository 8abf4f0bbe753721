#!/usr/bin/env bash
# import --help: "--format F  jsonl or csv (default: from the file name)".
# A .jsonl file given with --type is still read as JSON Lines, a .csv file
# as CSV, whatever other options are given.
. "$(dirname "$0")/lib.sh"

init_lead lead
grep '"type":"trainee"' "$DATA/sample.jsonl" >trainees.jsonl
expect_rc 0 on lead import --type trainee trainees.jsonl
out_has "$(wc -l <trainees.jsonl) records read, $(wc -l <trainees.jsonl) new or changed"
expect_rc 0 on lead show trainee T000004 --json
out_has '"family_name":"Öztürk"'
exit 0
