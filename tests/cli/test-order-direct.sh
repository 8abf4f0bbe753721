#!/usr/bin/env bash
# Direct requests (R11, schema/order.md "Direct requests"): a co-contractor's
# build says when the lead has not yet received its notice, and stops
# saying it once the lead has it (a sync with the lead's node, or a change
# of the lead's made after it); the lead's build leaves out, and lists, the
# sessions already requested directly; a session in the current requests
# of the lead and of a co-contractor (submitted offline) is a business
# conflict on every node, which clears when the lead's next request leaves
# it out.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
join_node lead co "$CO_SIRET" co
{
	echo '{"type":"lot","ref":"LOT-D","sector":"Logistique","territory":"44","rate_cents":1000}'
	echo "{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\"$LEAD_SIRET\",\"lot\":\"LOT-D\",\"scheme\":\"socle\",\"title\":\"Cariste\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-03-02\",\"end\":\"2026-03-27\",\"hours\":70,\"capacity\":8,\"permanent_entry\":false}"
	echo "{\"type\":\"session\",\"ref\":\"S2\",\"provider\":\"$CO_SIRET\",\"lot\":\"LOT-D\",\"scheme\":\"socle\",\"title\":\"Magasinier\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5619\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-03-09\",\"end\":\"2026-03-27\",\"hours\":35,\"capacity\":8,\"permanent_entry\":false}"
	echo "{\"type\":\"session\",\"ref\":\"S3\",\"provider\":\"$CO_SIRET\",\"lot\":\"LOT-D\",\"scheme\":\"socle\",\"title\":\"Préparateur\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5620\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-04-06\",\"end\":\"2026-04-24\",\"hours\":35,\"capacity\":8,\"permanent_entry\":false}"
	echo "{\"type\":\"session\",\"ref\":\"S4\",\"provider\":\"$LEAD_SIRET\",\"lot\":\"LOT-D\",\"scheme\":\"socle\",\"title\":\"Quai\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5621\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-04-06\",\"end\":\"2026-04-24\",\"hours\":35,\"capacity\":8,\"permanent_entry\":false}"
	echo "{\"type\":\"session\",\"ref\":\"S5\",\"provider\":\"$CO2_SIRET\",\"lot\":\"LOT-D\",\"scheme\":\"socle\",\"title\":\"Emballage\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5622\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-04-06\",\"end\":\"2026-04-24\",\"hours\":35,\"capacity\":8,\"permanent_entry\":false}"
	for i in $(seq 1 25); do
		s=S1; [ $i -gt 5 ] && s=S2; [ $i -gt 10 ] && s=S3
		[ $i -gt 15 ] && s=S4; [ $i -gt 20 ] && s=S5
		echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"family_name\":\"Nom$i\",\"status\":\"job_seeker\"}"
		echo "{\"type\":\"path\",\"ref\":\"P$i\",\"trainee\":\"T$i\",\"session\":\"$s\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}"
	done
} >base.jsonl
expect_rc 0 on lead import base.jsonl
expect_rc 0 on lead bundle export --out b1.bundle --for "$CO_SIRET"
expect_rc 0 on co bundle import b1.bundle
req() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; print(eval(sys.argv[2]))' "$1" "$2"; }
NOTICE=N-LOT-D-2026-03-$CO_SIRET

# --- the notice not yet at the lead: said; after a sync with the lead: not ---
expect_rc 0 on co order build --lot LOT-D --period 2026-03 --direct --date 2026-03-01 --out c1.json
err_has "R11: the lead has not yet received notice $NOTICE"
expect_rc 0 on co order build --lot LOT-D --period 2026-03 --direct --date 2026-03-01 --out c1.json
err_has "R11: the lead has not yet received notice $NOTICE"
serve_start lead
sync_ok co "$ADDR"
serve_stop "$SPID"
expect_rc 0 on co order build --lot LOT-D --period 2026-03 --direct --date 2026-03-01 --out c1.json
grep -q "has not yet received" "$ERR" && fail "the lead has the notice, the co-contractor is still told otherwise: $(cat "$ERR")"
# a sync that failed does not count: a second co-contractor's notice,
# its sync to a lead that is not listening
join_node lead co2 "$CO2_SIRET" co
expect_rc 0 on lead bundle export --out b2.bundle --for "$CO2_SIRET"
expect_rc 0 on co2 bundle import b2.bundle
expect_rc 0 on co2 order build --lot LOT-D --period 2026-04 --direct --date 2026-04-01 --out x.json
err_has "R11: the lead has not yet received notice N-LOT-D-2026-04-$CO2_SIRET"
expect_fail on co2 sync "$ADDR"
expect_rc 0 on co2 order build --lot LOT-D --period 2026-04 --direct --date 2026-04-01 --out x.json
err_has "R11: the lead has not yet received notice"
# the lead has it through a bundle and a change of its own made after it
expect_rc 0 on co2 bundle export --out co2.bundle
expect_rc 0 on lead bundle import co2.bundle
expect_rc 0 on lead set lot LOT-D sector=Logistique-Transport
expect_rc 0 on lead bundle export --out b3.bundle --for "$CO2_SIRET"
expect_rc 0 on co2 bundle import b3.bundle
expect_rc 0 on co2 order build --lot LOT-D --period 2026-04 --direct --date 2026-04-01 --out x.json
grep -q "has not yet received" "$ERR" && fail "the lead's change after the notice does not count: $(cat "$ERR")"

# --- the lead's build leaves out what was requested directly, and lists it ---
expect_rc 0 on co order submit c1.json
sync_with_lead() {
	serve_start lead
	sync_ok co "$ADDR"
	serve_stop "$SPID"
}
sync_with_lead
expect_rc 0 on lead order build --lot LOT-D --period 2026-03 --date 2026-03-02 --out a1.json
err_has "R11: session S2 left out: requested directly by $CO_SIRET \(request no. 1, sha256 "
[ "$(req a1.json '[s["ref"] for s in r["socle"]], [(x["session"], x["sender"], x["number"]) for x in r["requested_directly"]], r["number"]')" = \
    "(['S1'], [('S2', '$CO_SIRET', 1)], 2)" ] || fail "the lead's request: $(req a1.json '[s["ref"] for s in r["socle"]], r["requested_directly"]')"
json_ok a1.json
expect_rc 0 consort order show a1.json
out_has "^left out    S2: requested directly by $CO_SIRET \(no. 1\)$"
expect_rc 0 consort order show a1.json --html
out_has "<h2>Sessions demandées directement par un co-traitant, non reprises \(R11\)"
expect_rc 0 on lead order submit a1.json
expect_rc 0 on lead conflicts
[ -z "$(grep R11 "$OUT")" ] || fail "a conflict without an overlap: $(cat "$OUT")"

# --- April: both submit offline, one session in two requests: a conflict ---
expect_rc 0 on lead order build --lot LOT-D --period 2026-04 --date 2026-04-02 --out a4.json
expect_rc 0 on lead order submit a4.json
expect_rc 0 on co order build --lot LOT-D --period 2026-04 --direct --date 2026-04-02 --out c4.json
expect_rc 0 on co order submit c4.json
sync_with_lead
for n in lead co; do
	expect_rc 4 on "$n" conflicts
	grep -q "R11" "$OUT" || fail "$n lists no R11 conflict: $(cat "$OUT")"
	grep -q "session S3 is in 2 current requests of LOT-D 2026-04" "$OUT" || fail "$n: the conflict does not say which session: $(cat "$OUT")"
	grep -oE '^C[0-9a-f]{16}' "$OUT" | head -n 1 >"$n.cid"
	expect_rc 4 on "$n" conflicts session S3
done
cmp -s lead.cid co.cid || fail "the two nodes give the conflict two ids"
CID=$(cat lead.cid)
expect_rc 3 on lead resolve "$CID" --keep 1
err_has "business conflicts clear when the records change"
# the lead's next April request leaves S3 out: the conflict clears everywhere
expect_rc 0 on lead order build --lot LOT-D --period 2026-04 --date 2026-04-03 --out a5.json
err_has "R11: session S3 left out"
[ "$(req a5.json '[s["ref"] for s in r["socle"]], r["number"], r["amends"]["number"]')" = "(['S4', 'S5'], 2, 1)" ] ||
    fail "the lead's amended April request: $(req a5.json '[s["ref"] for s in r["socle"]], r["number"]')"
expect_rc 0 consort order diff a4.json a5.json
out_has "^\+ requested_directly\[S3\]: "
out_has "^- socle\[S3\]: "
out_has "^\+ replaces\[$(sed -nE 's/.*sha256 ([0-9a-f]{64})\)$/\1/p' <(consort order verify a4.json))\]: "
expect_rc 0 on lead order submit a5.json
sync_with_lead
for n in lead co; do
	expect_rc 0 on "$n" conflicts
	grep -q R11 "$OUT" && fail "$n still lists the conflict: $(cat "$OUT")"
done
exit 0
