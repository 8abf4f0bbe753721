#!/usr/bin/env bash
# import of tests/data/sample.jsonl: every record lands with its typed values
# (export equals the sample's canonical state), the change-sets it reports
# are the ones appended, and importing again appends nothing.
. "$(dirname "$0")/lib.sh"

S=$DATA/sample.jsonl
records=$(wc -l <"$S")
init_lead lead
n0=$(log_count lead)
expect_rc 0 on lead import "$S"
out_has "^imported .*: $records records read, $records new or changed, 1 change-sets\$"
# DESIGN.md §8: progress only on a terminal, nothing when piped
[ ! -s "$ERR" ] || fail "a piped import wrote on stderr: $(head -c 300 "$ERR")"
[ "$(log_count lead)" = $((n0 + 1)) ] || fail "import of $records records (batch 100) did not append 1 change-set"
expect_rc 0 on lead verify

# export is the sample's state: types -> refs -> fields, typed as in the file
on lead export --json >export.json || fail "export failed"
python3 - "$S" export.json <<'PY' || fail "export after import differs from the sample"
import json, sys
want = {}
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    t, ref = r.pop("type"), r.pop("ref")
    want.setdefault(t, {})[ref] = r
got = json.load(open(sys.argv[2], encoding="utf-8"))
if got != want:
    for t in sorted(set(want) | set(got)):
        for ref in sorted(set(want.get(t, {})) | set(got.get(t, {}))):
            a, b = want.get(t, {}).get(ref), got.get(t, {}).get(ref)
            if a != b:
                print("%s %s: want %r got %r" % (t, ref, a, b), file=sys.stderr)
                sys.exit(1)
    sys.exit(1)
# booleans and integers keep their JSON types
for t in want:
    for ref in want[t]:
        for k, v in want[t][ref].items():
            assert type(got[t][ref][k]) is type(v), (t, ref, k)
PY
expect_rc 0 on lead list path
[ "$(wc -l <"$OUT")" = "$(grep -c '"type":"path"' "$S")" ] || fail "list path shows $(wc -l <"$OUT") paths"
expect_rc 0 on lead show trainee T000004
out_has '^  family_name +Öztürk$'
out_has '^  part_time +true$'

# importing again appends nothing: log byte-identical, state-hash equal
h1=$(state_hash lead)
on lead log --json >log1.json
expect_rc 0 on lead import "$S"
out_has ": $records records read, 0 new or changed, 0 change-sets\$"
on lead log --json >log2.json
cmp -s log1.json log2.json || fail "a second import changed the log"
[ "$(state_hash lead)" = "$h1" ] || fail "a second import changed the state hash"

# a file that changes one record: one change-set holding that record only
sed 's/"ref":"I000001",\(.*\)"status":"declared"/"ref":"I000001",\1"status":"confirmed"/' "$S" >changed.jsonl
cmp -s "$S" changed.jsonl && fail "test setup: sed changed nothing"
expect_rc 0 on lead import changed.jsonl
out_has ": $records records read, 1 new or changed, 1 change-sets\$"
[ "$(log_count lead)" = $((n0 + 2)) ] || fail "importing one changed record did not append exactly one change-set"
expect_rc 0 on lead show intent I000001 --json
out_has '"status":"confirmed"'

# --batch N: ceil(records / N) change-sets, the same state as one batch
init_lead b1
expect_rc 0 on b1 import "$S" --batch 1
out_has ", $records change-sets\$"
[ "$(log_count b1)" = $((records + 1)) ] || fail "--batch 1 did not append one change-set per record"
init_lead b7
expect_rc 0 on b7 import --batch 7 "$S"
out_has ", $(( (records + 6) / 7 )) change-sets\$"
[ "$(export_sha b1)" = "$(export_sha b7)" ] || fail "--batch 1 and --batch 7 give different exports"
init_lead b100
expect_rc 0 on b100 import "$S"
[ "$(export_sha b1)" = "$(export_sha b100)" ] || fail "--batch 1 and the default batch give different exports"
expect_rc 2 on b1 import "$S" --batch 0
expect_rc 2 on b1 import "$S" --batch ten
expect_rc 2 on b1 import "$S" --format xml
expect_rc 2 on b1 import
expect_rc 2 on b1 import "$S" "$S"

# --format jsonl reads a file whatever its name
cp "$S" sample.txt
init_lead fmt
expect_rc 0 on fmt import --format jsonl sample.txt
[ "$(export_sha fmt)" = "$(export_sha b100)" ] || fail "--format jsonl on a .txt file gives another state"
exit 0
