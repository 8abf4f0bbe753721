#!/usr/bin/env bash
# Several consort processes writing to one node at once (LMDB serialises
# them): every edit lands as exactly one change-set, seq stays 1..n without
# a fork, and verify passes, also with an import running beside the edits.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
n=$(log_count lead)
pids=()
for i in $(seq 1 12); do
	on lead add trainee --ref "TC$i" family_name=Moreau given_name="Élise $i" birth_year=$((1980 + i)) >"add$i.out" 2>&1 &
	pids+=($!)
done
for p in "${pids[@]}"; do wait "$p" || fail "a concurrent add failed: $(cat add*.out | grep -v '^added' | head -n 3)"; done
[ "$(log_count lead)" = $((n + 12)) ] || fail "12 concurrent adds appended $(( $(log_count lead) - n )) change-sets"
expect_rc 0 on lead verify
expect_rc 0 on lead list trainee --json
python3 -c '
import json, sys
l = json.load(open(sys.argv[1], encoding="utf-8"))
assert all(l["TC%d" % i]["given_name"] == "Élise %d" % i for i in range(1, 13))' "$OUT" || fail "a concurrent add is missing"

# an import and single edits at the same time
X1=$SHARED_DATA/dataset-x1.jsonl
if [ -r "$X1" ]; then
	init_lead big
	on big import "$X1" >imp.out 2>&1 &
	ipid=$!
	for i in $(seq 1 8); do
		expect_rc 0 on big add lot --ref "LOT-C$i" sector=Numérique territory=72 rate_cents=$((1200 + i))
	done
	wait "$ipid" || fail "the import beside edits failed: $(tail -n 2 imp.out)"
	expect_rc 0 on big verify
	on big log --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert [e["seq"] for e in l] == list(range(1, len(l) + 1))
assert sum(e["ops"] > 0 for e in l) == len(l)' || fail "the log after concurrent import and edits is not a clean chain"
	expect_rc 0 on big list lot
	[ "$(grep -c '^LOT-C' "$OUT")" = 8 ] || fail "edits beside an import were lost"
fi
exit 0
