# The conflicts user story across two real nodes synced over TCP: the lead
# and a co-contractor, offline, change the hours of one path and the status
# of one intent; after a sync both show the same values and list the same
# conflicts (exit 4) with who wrote what; a resolution on one node clears
# them everywhere after the next sync.  Also: a deletion concurrent with an
# update keeps the update, concurrent resolutions that agree converge, a
# business conflict (R07) is listed with what clears it, and a rebuild keeps
# state and conflicts.
. "$(dirname "$0")/sync-lib.sh"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
join_node lead co "$CO_SIRET" co
serve_start lead
sync_ok co "$ADDR"

# P000003 is in session S000002, run by the co-contractor: both may edit it
expect_rc 0 on lead set path P000003 hours=360
expect_rc 0 on co set path P000003 hours=395
expect_rc 0 on lead set intent I000003 status=declared
expect_rc 0 on co set intent I000003 status=withdrawn
expect_rc 0 on co conflicts   # nothing before the sync
sync_ok co "$ADDR"
same_state lead co

for n in lead co; do
	expect_rc 4 on "$n" conflicts --json
	python3 - "$OUT" <<'PY' || fail "$n: conflicts --json lacks the two field conflicts"
import json, sys
c = json.load(open(sys.argv[1]))
byref = {x["ref"]: x for x in c}
p, i = byref["P000003"], byref["I000003"]
assert p["kind"] == "field" and p["field"] == "hours" and p["type"] == "path"
assert sorted(v["value"] for v in p["values"]) == [360, 395]
assert i["field"] == "status" and sorted(v["value"] for v in i["values"]) == ["declared", "withdrawn"]
for v in p["values"] + i["values"]:
    assert v["member"] in ("Forma Nord", "Atelier Compétences"), v
    assert len(v["change"]) == 64 and v["time"].endswith("Z")
PY
done
on lead conflicts --json >"$T/lead.json" || true; on co conflicts --json >"$T/co.json" || true
cmp -s "$T/lead.json" "$T/co.json" || fail "the two nodes list different conflicts"
shown_lead=$(on lead show path P000003 --json)
[ "$shown_lead" = "$(on co show path P000003 --json)" ] || fail "the nodes show different values"
on lead show path P000003 | grep -q "conflict: 2 competing values" || fail "show does not flag the conflict"

# resolve the hours on co (a value of neither), the status on lead (keep 2)
id=$(python3 -c "import json; print([x['id'] for x in json.load(open('$T/co.json')) if x['ref']=='P000003'][0])")
expect_rc 0 on co resolve "$id" --value 377
sid=$(python3 -c "import json; print([x['id'] for x in json.load(open('$T/lead.json')) if x['ref']=='I000003'][0])")
second=$(python3 -c "import json; print([x for x in json.load(open('$T/lead.json')) if x['ref']=='I000003'][0]['values'][1]['value'])")
expect_rc 0 on lead resolve "$sid" --keep 2
expect_rc 3 on lead resolve "$sid" --keep 1   # gone: no such conflict
sync_ok co "$ADDR"
for n in lead co; do
	expect_rc 0 on "$n" conflicts
	on "$n" show path P000003 --json | grep -q '"hours":377' || fail "$n: hours is not 377"
	on "$n" show intent I000003 --json | grep -q "\"status\":\"$second\"" || fail "$n: status is not $second"
done
same_state lead co

# concurrent resolutions that agree converge; that differ conflict again
expect_rc 0 on lead set path P000003 hours=401
expect_rc 0 on co set path P000003 hours=402
sync_ok co "$ADDR"
on co conflicts --json >"$T/c2.json" || true
id=$(python3 -c "import json; print(json.load(open('$T/c2.json'))[0]['id'])")
expect_rc 0 on lead resolve "$id" --value 410
expect_rc 0 on co resolve "$id" --value 410
sync_ok co "$ADDR"
expect_rc 0 on lead conflicts
expect_rc 0 on co conflicts
expect_rc 0 on lead set path P000003 hours=420
expect_rc 0 on co set path P000003 hours=421
sync_ok co "$ADDR"
on co conflicts --json >"$T/c3.json" || true
id=$(python3 -c "import json; print(json.load(open('$T/c3.json'))[0]['id'])")
expect_rc 0 on lead resolve "$id" --value 430
expect_rc 0 on co resolve "$id" --value 431
sync_ok co "$ADDR"
expect_rc 4 on lead conflicts --json
python3 -c "import json,sys; c=json.load(open('$OUT')); assert sorted(v['value'] for v in c[0]['values'])==[430,431]" ||
	fail "differing resolutions do not conflict again with both values"
expect_rc 0 on co resolve "$(python3 -c "import json; print(json.load(open('$OUT'))[0]['id'])")" --keep 1

# a deletion concurrent with an update: the update is kept, listed (the
# trainee's path goes first: rm refuses a record that live records name)
expect_rc 3 on lead rm trainee T000002
err_has 'path P000002'
expect_rc 0 on lead rm path P000002
expect_rc 0 on lead rm trainee T000002
expect_rc 0 on co set trainee T000002 given_name=Noémie
sync_ok co "$ADDR"
expect_rc 4 on co conflicts --json trainee T000002
python3 -c "
import json; c = json.load(open('$OUT'))
assert c[0]['kind'] == 'delete' and c[0]['field'] == 'given_name', c
vals = c[0]['values']; assert any(v['deleted'] for v in vals) and any(v['value'] == 'Noémie' for v in vals), vals
" || fail "delete vs update not listed with both sides"
id=$(python3 -c "import json; print(json.load(open('$OUT'))[0]['id'])")
keep=$(python3 -c "import json; print([i+1 for i,v in enumerate(json.load(open('$OUT'))[0]['values']) if not v['deleted']][0])")
expect_rc 0 on co resolve "$id" --keep "$keep"
sync_ok co "$ADDR"
on lead show trainee T000002 --json | grep -q Noémie || fail "the kept update is not shown after resolve"
expect_rc 0 on lead conflicts

# a business conflict: one intent backing two paths (R07)
expect_rc 0 on lead set path P000004 intent=I000003
expect_rc 4 on lead conflicts --json intent
python3 -c "
import json; c = json.load(open('$OUT'))
r = [x for x in c if x['kind'] == 'R07' and x['ref'] == 'I000003']
assert r and sorted(v['value'] for v in r[0]['values']) == ['P000003', 'P000004'], c
assert 'consort set path' in r[0]['detail'], r
" || fail "R07 not listed with both paths and what clears it"
expect_rc 3 on lead resolve "$(python3 -c "import json; print(json.load(open('$OUT'))[0]['id'])")" --keep 1
err_has 'intent I000003 backs 2 paths'

# state and conflicts survive a rebuild
before=$(state_hash lead); on lead conflicts --json >"$T/before.json" || true
expect_rc 0 on lead rebuild
[ "$(state_hash lead)" = "$before" ] || fail "rebuild changed the state hash"
on lead conflicts --json >"$T/after.json" || true
cmp -s "$T/before.json" "$T/after.json" || fail "rebuild changed the conflicts"
