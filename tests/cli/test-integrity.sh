#!/usr/bin/env bash
# verify passes on an intact store and rebuild keeps the state hash; a byte
# flipped in a stored change-set (table "changes") makes verify and rebuild
# fail naming the change-set; a byte flipped in the materialised state
# (table "entities") makes verify fail naming the state, and rebuild repairs it.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead set intent I000001 status=confirmed
expect_rc 0 on lead rm path P000008
expect_rc 0 on lead verify
out_has '^verified [0-9]+ change-sets'
h=$(state_hash lead)
e=$(export_sha lead)
expect_rc 0 on lead rebuild
[ "$(state_hash lead)" = "$h" ] || fail "rebuild of an intact store changed the state hash"
[ "$(export_sha lead)" = "$e" ] || fail "rebuild of an intact store changed the export"
expect_rc 0 on lead verify
expect_rc 2 on lead verify extra
expect_rc 2 on lead rebuild extra
pk=$(on lead whoami --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
cp -a lead pristine

# 1. a byte inside a stored change-set's ops: the string "Saint-Nazaire" of
#    the sample's import change-set
tamper lead changes "$(hex Saint-Nazaire)" 3
expect_rc 1 on lead verify
err_has 'change-set' "verify does not name the change-set"
expect_rc 1 on lead rebuild
err_has 'change-set'
[ "$(state_hash lead)" = "$h" ] || fail "a refused rebuild changed the state"

# 2. as ../shared/checks/foundation.sh: 8 bytes past the author's key, in
#    every change-set of the log in turn (genesis, import, set, rm)
for i in 0 1 2 3; do
	rm -rf lead; cp -a pristine lead
	python3 - "$T/lead/store" "$pk" "$i" <<'PY' || fail "could not alter change-set $i"
import subprocess, sys
env, pk, want = sys.argv[1], sys.argv[2], int(sys.argv[3])
dump = subprocess.run(["mdb_dump", "-s", "changes", env], capture_output=True, text=True, check=True).stdout.splitlines()
start = dump.index("HEADER=END") + 1
body = dump[start:]
seen = 0
for i in range(1, len(body), 2):
    v = body[i].strip()
    if pk not in v:
        continue
    if seen == want:
        p = v.index(pk) + len(pk) + 16
        body[i] = " " + v[:p] + format(int(v[p:p + 2], 16) ^ 1, "02x") + v[p + 2:]
        sys.exit(subprocess.run(["mdb_load", "-s", "changes", env], input="\n".join(dump[:start] + body) + "\n",
                                text=True, stderr=subprocess.DEVNULL).returncode)
    seen += 1
sys.exit(3)
PY
	expect_rc 1 on lead verify
	err_has 'change-set' "verify of change-set $i altered does not name a change-set"
done

# 3. the last byte of the set's change-set (inside its signature)
rm -rf lead; cp -a pristine lead
python3 - "$T/lead/store" <<'PY' || fail "could not alter the last change-set's signature"
import subprocess, sys
env = sys.argv[1]
dump = subprocess.run(["mdb_dump", "-s", "changes", env], capture_output=True, text=True, check=True).stdout.splitlines()
start = dump.index("HEADER=END") + 1
body = dump[start:]
i = len(body) - 2  # the last value (before DATA=END)
v = body[i].strip()
body[i] = " " + v[:-2] + format(int(v[-2:], 16) ^ 1, "02x")
sys.exit(subprocess.run(["mdb_load", "-s", "changes", env], input="\n".join(dump[:start] + body) + "\n",
                        text=True, stderr=subprocess.DEVNULL).returncode)
PY
expect_rc 1 on lead verify
err_has 'change-set'

# 4. the materialised state: one letter of a stored value ("Cuisinier")
rm -rf lead; cp -a pristine lead
tamper lead entities "$(hex Cuisinier)" 2
expect_rc 0 on lead show session S000003
out_has '^  title +Cuhsinier$'   # the stored state was altered indeed
expect_rc 1 on lead verify
err_has 'state|rebuild' "verify of an altered state does not name the state or rebuild"
expect_rc 1 on lead verify   # verify changes nothing
[ "$(state_hash lead)" != "$h" ] || fail "the altered state has the original hash"
expect_rc 0 on lead rebuild
[ "$(state_hash lead)" = "$h" ] || fail "rebuild did not restore the state hash"
[ "$(export_sha lead)" = "$e" ] || fail "rebuild did not restore the export"
expect_rc 0 on lead verify
expect_rc 0 on lead show session S000003
out_has '^  title +Cuisinier$'

# 5. a structural byte of a stored record (its first byte): still a refusal, not a crash
rm -rf lead; cp -a pristine lead
tamper lead entities "$(hex LOT-02)" -2
expect_rc 1 on lead verify
err_has 'state|rebuild|entit|record'
exit 0
