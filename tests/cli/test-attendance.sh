#!/usr/bin/env bash
# Hours attended (R18): a co-contractor imports its register for May 2026
# (1 and 8 May, Ascension and Whit Monday off) for a path of its session,
# a French spreadsheet's CSV with no ref column, twice, and syncs with the
# lead over TCP; the lead's statement counts the hours attended for that
# path, planned hours for the other one, says so, and warns about the day
# on Ascension it counts.  Another co-contractor
# recording attendance for that path is refused at once, and its forged
# change-set is refused by the lead and by co, which the lead relays it to.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"

# --- co's register, as French Excel writes it: S000002 is co's ---
printf '\357\273\277Parcours;Date;Heures;Minutes\r\n%s\r\n%s\r\n%s\r\n%s\r\n%s\r\n' \
    'P000003;04/05/2026;7;' 'P000003;05/05/2026;7;' 'P000003;12/05/2026;3;30' \
    'P000003;14/05/2026;7;' 'P000003;29/05/2026;0;' >reg.csv
expect_rc 0 on co import reg.csv --type attendance
out_has "5 records read, 5 new or changed"
expect_rc 0 on co import reg.csv --type attendance
out_has "5 records read, 0 new or changed"
expect_rc 0 on co show attendance P000003@2026-05-12
sync_ok co "$LEAD"

# --- the lead's statement: P000003 attended, P000004 planned ---
expect_rc 0 on lead statement --lot LOT-01 --month 2026-05 --json
python3 - "$OUT" <<'PY' || fail "May's statement is wrong"
import json, sys
s = json.load(open(sys.argv[1], encoding="utf-8"))
assert s["format"] == "consort-statement/2"
p = {x["path"]: x for x in s["sessions"][0]["paths"]}
a, b = p["P000003"], p["P000004"]
assert a["source"] == "attended" and a["attended_minutes"] == 1470, a
assert a["cost_cents"] == 1470 * 1410 // 60, a
# P000004: 357 h over S000002's 56 working days, 14 in April, 17 in May
assert b["source"] == "planned" and b["attended_minutes"] == 0, b
assert b["hours_in_month"] == 357 * 31 // 56 - 357 * 14 // 56, b
t = s["totals"]
assert t["paths_by_source"] == {"attended": 1, "planned": 1, "mixed": 0}, t
assert t["attended_minutes"] == 1470 and t["planned_minutes"] == b["planned_minutes"]
assert [(w["kind"], w["date"], w["counted"]) for w in s["warnings"]] == [
    ("non_working", "2026-05-14", True)], s["warnings"]
PY
cp "$OUT" may.json
expect_rc 0 on lead statement --lot LOT-01 --month 2026-05 --lang en
out_has "^S000002: planned hours for P000004 all month$"
out_has "^attended: 24 h 30, planned: "
out_has "^warning: attendance of path P000003 on 2026-05-14, Ascension, is counted"
# the same in French, the statement's default language
expect_rc 0 on lead statement --lot LOT-01 --month 2026-05
out_has "^S000002${NBSP}: heures prévues pour P000004 tout le mois$"
out_has "^Présence relevée${NBSP}: 24${NBSP}h${NBSP}30, heures prévues${NBSP}: "
out_has "^Attention${NBSP}: présence du parcours P000003 le 14/05/2026, jour non ouvré, comptée"
expect_rc 0 on lead statement --lot LOT-01 --month 2026-05 --csv
out_has "P000003;.*;présence relevée;.*;1470;"
out_has "P000004;.*;prévues;"

# --- another co-contractor: refused at once, and its forgery by the lead ---
expect_rc 3 on co2 add attendance path=P000003 date=2026-05-06 hours=7
err_has "the attendance is of a path of a session run by another provider"
err_has 'EPERM'
expect_rc 3 on co2 import reg.csv --type attendance
err_has 'reg.csv: row [0-9]+: .*another provider'  # the first refused in write order
r=$(refusals lead 'the attendance is of a path of a session run by another provider')
forge co2 create attendance P000003@2026-05-06 set attendance P000003@2026-05-06 path P000003 \
    set attendance P000003@2026-05-06 date 2026-05-06 set attendance P000003@2026-05-06 hours 7
sync_ok co2 "$LEAD"
[ "$(refusals lead 'the attendance is of a path of a session run by another provider')" = $((r + 1)) ] ||
    fail "the lead did not refuse co2's forged attendance"
expect_fail on lead show attendance P000003@2026-05-06
sync_ok co "$LEAD"   # relayed to co, which refuses it too
[ "$(refusals co 'the attendance is of a path of a session run by another provider')" = 1 ] ||
    fail "co did not refuse co2's forged attendance relayed by the lead"
expect_fail on co show attendance P000003@2026-05-06
expect_rc 0 on lead statement --lot LOT-01 --month 2026-05 --json
python3 - may.json "$OUT" <<'PY' || fail "co2's forgery changed the statement"
import json, sys
a, b = (json.load(open(f, encoding="utf-8")) for f in sys.argv[1:])
a.pop("state"); b.pop("state")
assert a == b
PY
exit 0
