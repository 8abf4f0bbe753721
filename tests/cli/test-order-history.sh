#!/usr/bin/env bash
# A request as a document with a history (schema/order.md, "A request's
# history"): its date of issue (--date, the same bytes on two nodes), its
# number for the lot and period, the requests of its scope it amends and
# replaces; order verify checking that NEW replaces OLD; a stale request
# refused at submit; a co-contractor's direct request numbered in the same
# sequence but never amending the lead's; two requests submitted offline
# with one number, and the next one numbered after both.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
join_node lead co "$CO_SIRET" co
{
	echo '{"type":"lot","ref":"LOT-H","sector":"Hôtellerie","territory":"44","rate_cents":1000}'
	echo "{\"type\":\"session\",\"ref\":\"S1\",\"provider\":\"$LEAD_SIRET\",\"lot\":\"LOT-H\",\"scheme\":\"socle\",\"title\":\"Accueil\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5618\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-03-02\",\"end\":\"2026-03-27\",\"hours\":70,\"capacity\":8,\"permanent_entry\":false}"
	echo "{\"type\":\"session\",\"ref\":\"S2\",\"provider\":\"$CO_SIRET\",\"lot\":\"LOT-H\",\"scheme\":\"socle\",\"title\":\"Service\",\"cert_kind\":\"rs\",\"cert_code\":\"RS5619\",\"site\":\"Nantes\",\"territory\":\"44\",\"start\":\"2026-03-09\",\"end\":\"2026-03-27\",\"hours\":35,\"capacity\":8,\"permanent_entry\":false}"
	for i in 1 2 3 4 5 6 7 8 9 10; do
		s=S1; [ $i -gt 5 ] && s=S2
		echo "{\"type\":\"trainee\",\"ref\":\"T$i\",\"family_name\":\"Nom$i\",\"status\":\"job_seeker\"}"
		echo "{\"type\":\"path\",\"ref\":\"P$i\",\"trainee\":\"T$i\",\"session\":\"$s\",\"hours\":35,\"modules\":\"M1\",\"financed\":true}"
	done
} >base.jsonl
expect_rc 0 on lead import base.jsonl
expect_rc 0 on lead bundle export --out b1.bundle --for "$CO_SIRET"
expect_rc 0 on co bundle import b1.bundle

# reads FILE's request and prints the python expression EXPR of it (r)
req() { python3 -c 'import json,sys; r=json.load(open(sys.argv[1]))["request"]; print(eval(sys.argv[2]))' "$1" "$2"; }
sha() { expect_rc 0 consort order verify "$1"; sed -nE 's/.*sha256 ([0-9a-f]{64})\)$/\1/p' "$OUT" | head -n 1; }

# --- the date of issue: explicit, or today; the same bytes on two nodes ---
expect_rc 2 on lead order build --lot LOT-H --period 2026-03 --date 2026-02-30
err_has "--date takes the day of issue"
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-01 --out a1.json
json_ok a1.json
sleep 1
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-01 --out a1b.json
cmp -s a1.json a1b.json || fail "two builds with one date differ"
cp -a "$T/lead" "$T/lead2"
expect_rc 0 on lead2 order build --lot LOT-H --period 2026-03 --date 2026-03-01 --out a1c.json
cmp -s a1.json a1c.json || fail "two nodes with the same change-sets and date differ"
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --out today.json
[ "$(req today.json 'r["issued"]')" = "$(date -u +%Y-%m-%d)" ] || fail "the default date of issue is not today"
[ "$(req a1.json 'r["format"], r["issued"], r["number"], r["replaces"], "amends" in r')" = \
    "('consort-order/2', '2026-03-01', 1, [], False)" ] || fail "the first request: $(req a1.json 'r["number"], r["replaces"]')"
H1=$(sha a1.json)

# --- submitted, then an amendment: number 2, amends and replaces no. 1 ---
expect_rc 0 on lead order submit a1.json
expect_rc 0 on lead set path P1 hours=30
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-05 --out a2.json
[ "$(req a2.json 'r["number"], r["amends"]["number"], r["amends"]["sha256"], [x["sha256"] for x in r["replaces"]]')" = \
    "(2, 1, '$H1', ['$H1'])" ] || fail "the amendment does not name no. 1: $(req a2.json 'r.get("amends"), r["replaces"]')"
H2=$(sha a2.json)
# built here and not submitted: order list says so, with the file
expect_rc 0 on lead order list --lot LOT-H
out_has "^LOT-H mars 2026 n°${NBSP}1 ${H1:0:12} .* ; transmise \[O-LOT-H-2026-03-${H1:0:12}\]$"
out_has "^LOT-H mars 2026 n°${NBSP}2 ${H2:0:12} .* ; préparée sur ce nœud, émise le 05/03/2026, non transmise${NBSP}: $T/a2.json$"
expect_rc 0 on lead order list --json
python3 - "$OUT" "$H2" <<'PY' || fail "order list --json: the built request"
import json, sys
o = json.load(open(sys.argv[1]))
b = [x for x in o if x["state"] == "built"]
assert [x["hash"] for x in b] == [sys.argv[2]], b
assert b[0]["number"] == 2 and b[0]["issued"] == "2026-03-05" and b[0]["file"].endswith("/a2.json")
PY
expect_rc 0 on co order list
out_has "^aucune demande enregistrée$"
expect_rc 0 consort order verify a2.json a1.json
out_has "^a2.json: replaces a1.json \(request no. 1, sha256 $H1\)$"
expect_rc 3 consort order verify a1.json a2.json
err_has "does not replace a2.json"
expect_rc 0 consort order show a2.json
out_has "^request     no. 2, issued 2026-03-05; amends no. 1 \(sha256 ${H1:0:12}\); replaces no. 1$"
expect_rc 0 consort order show a2.json --html
out_has "<tr><td>Demande</td><td>n°${NBSP}2, émise le 05/03/2026"
# a number changed in the file: the signature no longer holds
python3 - a2.json <<'PY'
import json, sys
f = json.load(open(sys.argv[1]))
f["request"]["number"] = 1
json.dump(f, open("a2-renumbered.json", "w"))
PY
expect_rc 1 consort order verify a2-renumbered.json
expect_rc 1 consort order verify a2.json a2-renumbered.json

# --- built before another was submitted: stale, refused, nothing written ---
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-06 --out a2bis.json
expect_rc 0 on lead order submit a2.json
expect_rc 0 on lead order list --lot LOT-H
grep -q "préparée" "$OUT" && fail "a submitted request, or one that can no longer be, is listed as built: $(cat "$OUT")"
n=$(log_count lead)
expect_rc 3 on lead order submit a2bis.json
err_has "request no. 2 of LOT-H 2026-03: its number is not 1 \+ the highest"
err_has "build it again"
[ "$(log_count lead)" = "$n" ] || fail "a refused submit wrote a change-set"

# --- a co-contractor's direct request: next number, its own scope ---
expect_rc 0 on lead bundle export --out b2.bundle --for "$CO_SIRET"
expect_rc 0 on co bundle import b2.bundle
expect_rc 0 on co order build --lot LOT-H --period 2026-03 --direct --date 2026-03-07 --out c1.json
[ "$(req c1.json 'r["number"], r["replaces"], "amends" in r')" = "(3, [], False)" ] ||
    fail "the direct request: $(req c1.json 'r["number"], r["replaces"]')"
expect_rc 0 on co order submit c1.json
expect_rc 0 on co bundle export --out c.bundle
expect_rc 0 on lead bundle import c.bundle
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-08 --out a3.json
[ "$(req a3.json 'r["number"], r["amends"]["number"], [x["number"] for x in r["replaces"]]')" = "(4, 2, [1, 2])" ] ||
    fail "the lead's third request: $(req a3.json 'r["number"], r["amends"], r["replaces"]')"
expect_rc 0 consort order verify a3.json a1.json a2.json
out_has "^a3.json: replaces a1.json"
expect_rc 3 consort order verify a3.json c1.json
err_has "does not replace c1.json"
expect_rc 0 on lead order submit a3.json

# --- two nodes submit offline: one number twice, the next after both ---
expect_rc 0 on lead bundle export --out b3.bundle --for "$CO_SIRET"
expect_rc 0 on co bundle import b3.bundle
expect_rc 0 on lead set path P2 hours=30
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-10 --out a4.json
expect_rc 0 on co order build --lot LOT-H --period 2026-03 --direct --date 2026-03-10 --out c2.json
[ "$(req a4.json 'r["number"]')" = 5 ] && [ "$(req c2.json 'r["number"]')" = 5 ] || fail "both offline requests should be no. 5"
expect_rc 0 on lead order submit a4.json
expect_rc 0 on co order submit c2.json
expect_rc 0 on lead bundle export --out b4.bundle --for "$CO_SIRET"
expect_rc 0 on co bundle export --out c4.bundle
expect_rc 0 on co bundle import b4.bundle
expect_rc 0 on lead bundle import c4.bundle
[ "$(state_hash lead)" = "$(state_hash co)" ] || fail "the two nodes differ after the exchange"
for n in lead co; do
	expect_rc 0 on "$n" list order
	[ "$(grep -c 'number=5 ' "$OUT")" = 2 ] || fail "$n does not hold both requests no. 5: $(cat "$OUT")"
	expect_rc 0 on "$n" order list --period 2026-03
	[ "$(grep -c "^LOT-H mars 2026 n°${NBSP}5 .* ; son numéro est aussi pris par O-LOT-H-2026-03-" "$OUT")" = 2 ] ||
	    fail "$n: order list does not flag the number taken twice: $(cat "$OUT")"
done
expect_rc 0 on lead order build --lot LOT-H --period 2026-03 --date 2026-03-11 --out a5.json
[ "$(req a5.json 'r["number"], r["amends"]["number"], [x["number"] for x in r["replaces"]]')" = "(6, 5, [1, 2, 4, 5])" ] ||
    fail "the request after the offline ones: $(req a5.json 'r["number"], r["replaces"]')"
expect_rc 0 on co order build --lot LOT-H --period 2026-03 --direct --date 2026-03-11 --out c3.json
[ "$(req c3.json 'r["number"], r["amends"]["number"], [x["number"] for x in r["replaces"]]')" = "(6, 5, [3, 5])" ] ||
    fail "the co-contractor's next: $(req c3.json 'r["number"], r["replaces"]')"
expect_rc 0 consort order verify a5.json a1.json
out_has "^a5.json: replaces a1.json \(request no. 1,"
exit 0
