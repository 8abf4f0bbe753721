#!/usr/bin/env bash
# The Region's agreement (R21) end to end, on four nodes: a co-contractor's
# session in another territory is refused until the Region's agreement is
# recorded for it; a derogation without an agreement, or citing another
# session's or another subject's, lifts nothing and the build says what to
# run; a subcontractor's session in another territory is refused even
# with an agreement and a derogation (R09); a group under 5 passes only
# with a derogation citing an agreement on a group size (R05).  Who
# records an agreement (the lead, a co-contractor for its own sessions and
# its subcontractors') is checked where it is written and, forged by a
# dishonest member, on every node.  The request lists the agreements.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub

# LOT-A on territory 44: SC co's in 49, SC2 co's in May, SS the
# subcontractor's in 85, SG the lead's with 3 trainees; all socle
session() {
	echo "{\"type\":\"session\",\"ref\":\"$1\",\"provider\":\"$2\",\"lot\":\"LOT-A\",\"scheme\":\"socle\",\"title\":\"Hygiène HACCP\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Cholet\",\"territory\":\"$3\",\"start\":\"$4\",\"end\":\"$4\",\"hours\":35,\"capacity\":6,\"permanent_entry\":false}"
}
{
	echo '{"type":"lot","ref":"LOT-A","sector":"Hôtellerie-Restauration","territory":"44","rate_cents":1410}'
	session SC "$CO_SIRET" 49 2026-04-06
	session SC2 "$CO_SIRET" 44 2026-05-04
	session SS "$SUB_SIRET" 85 2026-04-13
	session SG "$LEAD_SIRET" 44 2026-04-20
	i=0
	for s in SC SC SC SC SC SS SS SS SS SS SG SG SG; do
		i=$((i + 1))
		echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"status\":\"job_seeker\"}"
		echo "{\"type\":\"path\",\"ref\":\"P$i\",\"trainee\":\"T$i\",\"session\":\"$s\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}"
	done
} >data.jsonl
expect_rc 0 on lead import data.jsonl
serve_start lead; LEAD=$ADDR
for n in co co2 sub; do sync_ok "$n" "$LEAD"; done

# build: the lead's April request, exit CODE
build() { expect_rc "$1" on lead order build --lot LOT-A --period 2026-04 --date 2026-04-01 --out "${2:-r.json}"; }
# refused NODE WHY-ERE ERRNAME CMD...: exit 3 at once, WHY on stderr, nothing stored
refused() {
	local node=$1 why=$2 name=$3 h
	shift 3
	h=$(state_hash "$node")
	expect_rc 3 on "$node" "$@"
	err_has "$why" "no reason for the refusal of: $*"
	err_has "$name" "the refusal of \"$*\" is not $name"
	[ "$(state_hash "$node")" = "$h" ] || fail "the refused \"$*\" changed $node's state"
}
# field NODE TYPE REF FIELD: the field's value as NODE shows it ("" if none)
field() {
	on "$1" show "$2" "$3" --json 2>/dev/null | python3 -c '
import json, sys
try: print(json.load(sys.stdin)["fields"].get(sys.argv[1], ""))
except ValueError: print("(no record)")' "$4"
}

# --- refused: a co-contractor's session elsewhere, a subcontractor's, 3 trainees ---
build 3
[ ! -e r.json ] || fail "a refused build wrote its file"
err_has_fixed "R09 session SC: session SC is in territory 49, outside lot LOT-A's territory 44, without the Region's agreement"
err_has_fixed "record the Region's agreement, asked for by the lead or a co-contractor: consort add agreement --ref A-R09-SC reference=\"...\" date=YYYY-MM-DD subject=territory session=SC"
err_has_fixed "R09 session SS: session SS is in territory 85, outside lot LOT-A's territory 44, and is run by subcontractor $SUB_NAME ($SUB_SIRET): only the lead and the co-contractors open a session on another territory"
err_has_fixed "R05 session SG: session SG opens with 3 financed trainees"
err_has_fixed "consort add agreement --ref A-R05-SG reference=\"...\" date=YYYY-MM-DD subject=group_size session=SG; consort add derogation --ref D-R05-SG rule=R05 session=SG agreement=A-R05-SG"
err_has "refused: 3 errors and 0 conflicts"

# --- who records the Region's agreement, and what it must hold ---
refused co2 'the agreement is about a session run by another provider' EPERM \
    add agreement --ref AX reference=DR-X date=2026-03-02 subject=territory session=SC
refused sub 'a subcontractor records no agreement of the Region' EPERM \
    add agreement --ref AX reference=DR-X date=2026-03-02 subject=territory session=SS
refused co 'an agreement without a session is recorded by the lead only' EPERM \
    add agreement --ref AX reference=DR-X date=2026-03-02 subject=territory
refused co 'reference is missing' ESCHEMA \
    add agreement --ref AX date=2026-03-02 subject=territory session=SC
refused co '"weather" is not one of territory.site.certification.seasonal.group_size' ESCHEMA \
    add agreement --ref AX reference=DR-X date=2026-03-02 subject=weather session=SC
printf '%s\n' '{"type":"agreement","ref":"AX","reference":"DR-X","subject":"territory","session":"SC"}' >ax.jsonl
refused co 'date is missing' ESCHEMA import ax.jsonl

# --- a derogation without an agreement lifts nothing, and says what to run ---
expect_rc 0 on co add derogation --ref D-R09-SC rule=R09 session=SC \
    reason="Demande à la Région" date=2026-03-03
sync_ok co "$LEAD"
build 3
err_has_fixed "warning: R09 derogation D-R09-SC: derogation D-R09-SC cites no agreement of the Region: it lifts nothing, since R09 is lifted only with the Region's agreement on another territory; record the Region's agreement and cite it: consort add agreement --ref A-R09-SC reference=\"...\" date=YYYY-MM-DD subject=territory session=SC; consort set derogation D-R09-SC agreement=A-R09-SC"
err_has "R09 session SC: .*without the Region's agreement"
# another session's agreement, then another subject's
expect_rc 0 on co add agreement --ref A-SC2 reference=DR-2026-0201 date=2026-03-02 \
    subject=territory session=SC2
expect_rc 0 on co set derogation D-R09-SC agreement=A-SC2
sync_ok co "$LEAD"
build 3
err_has_fixed "derogation D-R09-SC cites agreement A-SC2, which is about session SC2, not SC: it lifts nothing"
err_has "R09 session SC: .*without the Region's agreement"
expect_rc 0 on co add agreement --ref A-SITE-SC reference=DR-2026-0202 date=2026-03-02 \
    subject=site session=SC note="Salle prêtée par la mairie"
expect_rc 0 on co set derogation D-R09-SC agreement=A-SITE-SC
sync_ok co "$LEAD"
build 3
err_has_fixed "derogation D-R09-SC cites agreement A-SITE-SC, which is about a new training site (subject=site), not another territory (subject=territory)"
err_has "R09 session SC: .*without the Region's agreement"
# the Region's agreement on the territory, recorded by co and cited
expect_rc 0 on co add agreement --ref A-R09-SC reference=DR-2026-0203 date=2026-03-02 \
    subject=territory session=SC
expect_rc 0 on co set derogation D-R09-SC agreement=A-R09-SC
sync_ok co "$LEAD"
build 3
grep -q "R09 session SC" "$ERR" && fail "SC is still refused: $(cat "$ERR")"
grep -q "derogation D-R09-SC" "$ERR" && fail "D-R09-SC still lifts nothing: $(cat "$ERR")"
err_has "refused: 2 errors"

# --- a subcontractor's session elsewhere: refused, agreement or not ---
expect_rc 0 on co add agreement --ref A-R09-SS reference=DR-2026-0204 date=2026-03-02 \
    subject=territory session=SS                        # its parent may record it
sync_ok co "$LEAD"; sync_ok sub "$LEAD"
expect_rc 0 on sub add derogation --ref D-R09-SS rule=R09 session=SS \
    agreement=A-R09-SS reason="Accord de la Région" date=2026-03-04
sync_ok sub "$LEAD"
build 3
err_has_fixed "R09 session SS: session SS is in territory 85, outside lot LOT-A's territory 44, and is run by subcontractor"
err_has_fixed "no agreement or derogation lifts this; consort set session SS territory=44"
expect_rc 0 on sub set session SS territory=44
sync_ok sub "$LEAD"

# --- a group under 5: a derogation citing an agreement on a group size ---
expect_rc 0 on lead add derogation --ref D-R05-SG rule=R05 session=SG \
    reason="Équilibre financier" date=2026-03-05
build 3
err_has_fixed "derogation D-R05-SG cites no agreement of the Region: it lifts nothing, since R05 is lifted only with the Region's agreement on a group under 5"
expect_rc 0 on lead add agreement --ref A-R05-SG reference=DR-2026-0205 date=2026-03-05 \
    subject=seasonal session=SG
expect_rc 0 on lead set derogation D-R05-SG agreement=A-R05-SG
build 3
err_has_fixed "cites agreement A-R05-SG, which is about a seasonal contract (subject=seasonal), not a group under 5 (subject=group_size)"
refused lead 'reference is missing' ESCHEMA set agreement A-R05-SG reference=
expect_rc 0 on lead set agreement A-R05-SG subject=group_size

# --- built: the request lists each derogation's agreement and each session's ---
build 0 d.json
out_has "3 sessions, 13 financed trainees"
expect_rc 0 consort order verify d.json --key "$(pubkey lead)"
python3 - d.json <<'PY' || fail "the request does not list the agreements"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))["request"]
s = {x["ref"]: x for x in r["socle"]}
assert [a["ref"] for a in s["SC"]["agreements"]] == ["A-R09-SC", "A-SITE-SC"], s["SC"]
assert s["SC"]["agreements"][0] == {"ref": "A-R09-SC", "reference": "DR-2026-0203",
                                    "date": "2026-03-02", "subject": "territory"}
assert "territory_agreement" not in s["SC"], s["SC"]
assert [a["subject"] for a in s["SG"]["agreements"]] == ["group_size"], s["SG"]
assert [a["ref"] for a in s["SS"]["agreements"]] == ["A-R09-SS"], s["SS"]
d = {x["ref"]: x for x in r["derogations"]}
assert d["D-R05-SG"]["applied"] == 1 and d["D-R05-SG"]["agreement"] == {
    "ref": "A-R05-SG", "reference": "DR-2026-0205", "date": "2026-03-05",
    "subject": "group_size"}, d["D-R05-SG"]
assert d["D-R09-SC"]["agreement"]["subject"] == "territory", d["D-R09-SC"]
assert d["D-R09-SC"]["applied"] == 0  # the agreement itself lifts R09
w = [x for x in r["warnings"] if x["rule"] == "R09"]
assert len(w) == 1 and w[0]["ref"] == "SC", w
assert "with the Region's agreement A-R09-SC (DR-2026-0203 of 2026-03-02)" in w[0]["message"], w
w = [x for x in r["warnings"] if x["rule"] == "R05"]
assert len(w) == 1 and w[0]["derogation"] == "D-R05-SG", w
assert not [x for x in r["warnings"] if x["type"] == "derogation"], r["warnings"]
PY
if python3 -c 'import jsonschema' 2>/dev/null; then
	python3 - "$CLI/../../schema/order.schema.json" d.json <<'PY' || fail "d.json does not match schema/order.schema.json"
import json, sys, jsonschema
schema = json.load(open(sys.argv[1], encoding="utf-8"))
jsonschema.validate(json.load(open(sys.argv[2], encoding="utf-8")), schema)
PY
fi
expect_rc 0 consort order show d.json --html
grep -qF "<td>A-R05-SG${NBSP}: DR-2026-0205 du 05/03/2026 (Taille du groupe)</td>" "$OUT" ||
    fail "the page does not show D-R05-SG's agreement"
grep -qF "accords de la Région${NBSP}: A-R09-SC${NBSP}: DR-2026-0203 du 02/03/2026 (Territoire), A-SITE-SC" "$OUT" ||
    fail "the page does not show SC's agreements"

# --- forged by a dishonest member: refused on every node ---
# forged NODE WHY-ERE OP...: NODE forges a change-set of OPs, which reaches
# the lead: stored, its ops refused for WHY, the lead's state unchanged
forged() {
	local node=$1 why=$2 h w
	shift 2
	sync_ok "$node" "$LEAD"
	h=$(state_hash lead)
	w=$(refusals lead "$why")
	forge "$node" "$@"
	grep -q ' 0 refused here' "$T/.forge.out" &&
	    fail "the forging node itself took the forgery: $(cat "$T/.forge.out")"
	sync_ok "$node" "$LEAD"
	[ "$(state_hash lead)" = "$h" ] || fail "a forged change-set of $node changed the lead's state: $*"
	[ "$(refusals lead "$why")" = $((w + 1)) ] ||
	    fail "the lead did not refuse $node's forged change-set for /$why/: $*"
}
forged co2 "the agreement is about a session run by another provider" \
    create agreement AF1 set agreement AF1 reference DR-FAUX set agreement AF1 date 2026-03-02 \
    set agreement AF1 subject territory set agreement AF1 session SC
forged co2 "the agreement is about a session run by another provider" \
    set agreement A-R09-SC reference DR-FAUX
forged co2 "the agreement is about a session run by another provider" delete agreement A-R09-SC
forged sub "a subcontractor records no agreement of the Region" \
    create agreement AF2 set agreement AF2 reference DR-FAUX set agreement AF2 date 2026-03-02 \
    set agreement AF2 subject territory set agreement AF2 session SS
for n in co co2 sub co co2 sub; do sync_ok "$n" "$LEAD"; done
same_state lead co co2 sub
for n in lead co co2 sub; do
	[ "$(field "$n" agreement A-R09-SC reference)" = DR-2026-0203 ] || fail "$n: a forged edit of A-R09-SC took"
	expect_fail on "$n" show agreement AF1
	expect_fail on "$n" show agreement AF2
	expect_rc 0 on "$n" verify
done
build 0 d2.json
python3 - d.json d2.json <<'PY' || fail "the forgeries changed the lead's request"
import json, sys
a, b = (json.load(open(p, encoding="utf-8"))["request"] for p in sys.argv[1:])
a.pop("state"), b.pop("state")   # the heads moved: the forged change-sets are logged
assert a == b
PY
exit 0
