#!/usr/bin/env bash
# schema/rules.md documents every rule the code knows: each id of the rules
# table (src/rules.c) and each id a derogation may name (the schema's
# enumeration, as the binary states it) has its entry and its summary row,
# and each entry gives its source in the FAQ; no file of the project cites
# the rules from anywhere else.
. "$(dirname "$0")/lib.sh"

TOP=$(cd "$CLI/../.." && pwd)
DOC=$TOP/schema/rules.md
[ -f "$DOC" ] || fail "no schema/rules.md"

# the ids a derogation may name, from the binary's refusal of another one
init_lead lead
expect_rc 3 on lead add derogation --ref D1 rule=R99 reason=x date=2026-01-01
err_has "is not one of R01\\|" "the refusal of rule=R99 lists no rule ids"
derog=$(grep -oE 'R[0-9]{2}(\|R[0-9]{2})+' "$ERR" | head -n 1 | tr '|' ' ')
[ -n "$derog" ] || fail "no rule ids in: $(cat "$ERR")"

# the ids of the rules table
table=$(grep -oE '\{ "R[0-9]{2}", rule_r[0-9]{2},' "$TOP/src/rules.c" |
    grep -oE 'R[0-9]{2}' | tr '\n' ' ')
[ "$(echo $table | wc -w)" -ge 20 ] || fail "src/rules.c's table not found: '$table'"

for id in $derog $table; do
	grep -qE "^### $id — " "$DOC" || fail "schema/rules.md has no entry for $id"
	grep -qE "^\| $id \| " "$DOC" || fail "schema/rules.md's summary has no row for $id"
done

python3 - "$DOC" <<'PY' || fail "an entry of schema/rules.md gives no source"
import re, sys
doc = open(sys.argv[1], encoding="utf-8").read()
entries = re.split(r"^### ", doc, flags=re.M)[1:]
assert len(entries) >= 20, len(entries)
for e in entries:
    rid = e.split()[0]
    assert "**Source**" in e, rid + ": no Source"
    if rid != "R25":    # the GDPR, not the FAQ
        assert re.search(r"§\d", e) and "«" in e, rid + ": no FAQ section or quotation"
PY

# the rules are cited from the project's own document only
name="DOMAIN"".md"
left=$(cd "$TOP" && grep -rlF "$name" README.md schema src sync include tools tests |
    grep -v '^schema/rules.md$' || true)
[ -z "$left" ] || fail "$name still cited in: $left"
exit 0
