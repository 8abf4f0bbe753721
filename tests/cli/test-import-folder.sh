#!/usr/bin/env bash
# import of a folder instead of a file: refused (1), the message naming it.
. "$(dirname "$0")/lib.sh"

init_lead lead
h=$(state_hash lead)
mkdir records.jsonl
expect_rc 1 on lead import records.jsonl
err_has 'records\.jsonl' "the refusal does not name the folder given"
[ "$(state_hash lead)" = "$h" ] || fail "import of a folder changed the state"
exit 0
