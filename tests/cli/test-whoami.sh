#!/usr/bin/env bash
# whoami: the public key as 64 lowercase hex (key.pub's), --json with exactly
# the keys consortium, key, member, role, siret; the consortium id is the
# genesis change-set's id; member list shows the roster written at init.
. "$(dirname "$0")/lib.sh"

init_lead lead
pub=$(od -An -tx1 -v lead/key.pub | tr -d ' \n')

expect_rc 0 on lead whoami
out_has "^public key  [0-9a-f]{64}\$" "whoami prints no 64-hex public key line"
out_has "^public key  $pub\$" "whoami's public key is not key.pub's"
out_has "Forma Nord \\(SIRET $LEAD_SIRET\\), lead"
grep -E '[0-9a-f]{64}' "$OUT" | grep -qE '[A-F]' && fail "whoami prints upper-case hex"

expect_rc 0 on lead whoami --json
json_ok "$OUT"
python3 - "$OUT" "$pub" "$LEAD_SIRET" <<'PY' || fail "whoami --json: $(cat "$OUT")"
import json, re, sys
w = json.load(open(sys.argv[1], encoding="utf-8"))
assert sorted(w) == ["consortium", "key", "member", "role", "siret"], sorted(w)
assert re.fullmatch("[0-9a-f]{64}", w["key"]) and w["key"] == sys.argv[2], w["key"]
assert re.fullmatch("[0-9a-f]{64}", w["consortium"]), w["consortium"]
assert w["member"] == "Forma Nord" and w["role"] == "lead" and w["siret"] == sys.argv[3], w
PY
consortium=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["consortium"])' "$OUT")
# DESIGN.md: the consortium id is the hash of the genesis (the first change-set)
genesis=$(on lead log --json | python3 -c 'import json,sys; l=json.load(sys.stdin); print(l[0]["id"], l[0]["seq"], l[0]["author"])')
[ "$genesis" = "$consortium 1 $pub" ] || fail "genesis (id seq author) is '$genesis', expected '$consortium 1 $pub'"

# another node of another consortium: another key, another consortium id
init_lead other
[ "$(on other whoami --json | python3 -c 'import json,sys; w=json.load(sys.stdin); print(w["key"] != "'"$pub"'" and w["consortium"] != "'"$consortium"'")')" = True ] ||
	fail "two nodes share a key or a consortium id"

expect_rc 0 on lead member list --json
json_ok "$OUT"
python3 - "$OUT" "$LEAD_SIRET" "$CO_SIRET" "$pub" <<'PY' || fail "member list --json: $(cat "$OUT")"
import json, sys
m = json.load(open(sys.argv[1], encoding="utf-8"))
lead, co, pk = sys.argv[2:]
assert sorted(m) == sorted([lead, co]), sorted(m)
assert m[lead]["role"] == "lead" and m[lead]["name"] == "Forma Nord" and m[lead]["key"] == pk, m[lead]
assert m[co]["role"] == "co" and m[co]["name"] == "Atelier Compétences", m[co]
PY
expect_rc 2 on lead whoami --colour
expect_rc 2 on lead whoami extra

# --key: the public key alone, what `order verify --key` takes.
expect_rc 0 on lead whoami --key
[ "$(cat "$OUT")" = "$pub" ] || fail "whoami --key prints $(cat "$OUT"), not $pub"
expect_rc 2 on lead whoami --key --json
err_has "exclude each other" "whoami --key --json does not say why it refuses"
exit 0
