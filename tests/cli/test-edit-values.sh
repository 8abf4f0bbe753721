#!/usr/bin/env bash
# Typed values on add and set: each bad value is refused with 3, in one line
# naming the field, and nothing is written; the good values of each kind pass.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
n=$(log_count lead)
h=$(state_hash lead)

# refuse FIELD CMD...: exit 3, FIELD named on stderr.
refuse() {
	local field=$1; shift
	expect_rc 3 on lead "$@"
	err_has "$field" "the refusal of '$*' does not name $field"
	# DESIGN.md §8: one line on stderr, nothing on stdout
	[ "$(wc -l <"$ERR")" = 1 ] || fail "the refusal of '$*' is not one line: $(cat "$ERR")"
	[ ! -s "$OUT" ] || fail "the refusal of '$*' printed on stdout: $(cat "$OUT")"
}
refuse hours add session --ref S9 hours=abc
refuse hours add session --ref S9 hours=12.5
refuse hours add session --ref S9 hours=-7
refuse colour add lot --ref LOT-09 sector=Numérique colour=bleu
refuse scheme add session --ref S9 scheme=bogus
refuse cert_kind add session --ref S9 cert_kind=FULL
refuse lot add session --ref S9 lot=LOT-99
err_has 'LOT-99'
refuse trainee add path --ref P9 trainee=T999999 session=S000001
refuse start add session --ref S9 start=2026-02-30
refuse start add session --ref S9 start=2025-02-29
refuse start add session --ref S9 start=2026-13-01
refuse start add session --ref S9 start=2026-3-2
refuse provider add session --ref S9 provider=41852736200128
refuse provider add session --ref S9 provider=4185273620012
refuse birth_year add trainee --ref T9 birth_year=1899
refuse birth_year add trainee --ref T9 birth_year=nineteen
refuse disability add trainee --ref T9 disability=yes
refuse status add trainee --ref T9 status=retired
refuse steps add intent --ref I9 steps=selection,info_meeting
refuse steps add intent --ref I9 steps=interview,interview
refuse steps add intent --ref I9 steps=coffee
refuse weekly_hours add intent --ref I9 weekly_hours=49
refuse rule add derogation --ref D9 rule=R21
# the same checks on set
refuse hours set session S000001 hours=abc
refuse end set session S000001 end=2026-02-30
refuse session set path P000001 session=S999999
refuse contract set intent I000001 contract=CDI-INTERIM
refuse colour set lot LOT-01 colour=bleu
[ "$(log_count lead)" = "$n" ] || fail "refused values appended to the log"
[ "$(state_hash lead)" = "$h" ] || fail "refused values changed the state"

# good values of each kind
expect_rc 0 on lead add intent --ref I9 employer="Boulangerie Pâtissière de l'Erdre" siret=64152677700041 \
    employer_kind=company contract=CDD months=6 weekly_hours=35 job="Boulanger" date=2024-02-29 \
    evidence="email 2024-02-29" steps=info_meeting,interview status=declared
expect_rc 0 on lead add derogation --ref D9 rule=R03 intent=I9 reason="Contrat saisonnier, accord de la Région" date=2026-03-01
expect_rc 0 on lead show intent I9 --json
python3 -c '
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))["fields"]
assert f["months"] == 6 and f["weekly_hours"] == 35 and f["date"] == "2024-02-29", f
assert f["steps"] == "info_meeting,interview" and f["employer"] == "Boulangerie Pâtissière de l'"'"'Erdre", f
' "$OUT" || fail "show intent I9: $(cat "$OUT")"
[ "$(log_count lead)" = $((n + 2)) ] || fail "two good adds did not append two change-sets"
exit 0
