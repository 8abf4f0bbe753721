#!/usr/bin/env bash
# The hires report (R23).  The provider of two sessions records, on its
# own node, what became of their intents and trainees; another member,
# who may edit intents, may not record an outcome: refused at once, and
# forged (tests/forge.c) refused by the lead and by the provider it is
# relayed to.  The lead's report in JSON, CSV (French spreadsheets) and
# HTML counts the hire, the intent not kept and the exits, warns of a
# contract other than promised, and holds no trainee's value; the other
# member's report counts the exits it may not read apart and says so.  A
# period that is none is refused.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
# an employer's name a spreadsheet or a page would run
expect_rc 0 on lead set intent I000004 'employer=@SUM(A1) <b>x</b>'
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"

# --- co runs S000002 (P000003: I000003, T000003; P000004: I000004, T000004) ---
expect_rc 0 on co set intent I000003 outcome=hired hired_date=2026-07-06 \
    hired_contract=CDI hired_weekly_hours=35
expect_rc 0 on co set intent I000004 outcome=not_hired \
    'not_hired_reason=poste supprimé'
expect_rc 0 on co set trainee T000003 exit=completed exit_date=2026-07-03
expect_rc 0 on co set trainee T000004 exit=dropped_out exit_date=2026-05-15
expect_rc 3 on co set intent I000007 outcome=hired
err_has 'hired_date is missing'
expect_rc 3 on co set intent I000007 outcome=not_hired
err_has 'not_hired_reason is missing'
# not the lead's session's intent, and not co2, though it edits intents
expect_rc 3 on co set intent I000001 outcome=hired hired_date=2026-04-13
err_has 'recorded by the lead or the provider of the session whose path names'
expect_rc 0 on co2 set intent I000003 job=Plaquiste-jointeur
expect_rc 3 on co2 set intent I000003 outcome=not_hired not_hired_reason=Faux
err_has 'EPERM'
expect_rc 3 on co2 set trainee T000003 exit=dropped_out exit_date=2026-05-01
err_has "a trainee's exit is recorded by the lead or the provider"
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"

# --- the same, forged by co2: refused by the lead, the outcome as co wrote it ---
h=$(state_hash lead)
forge co2 set intent I000004 outcome hired set intent I000004 hired_date 2026-07-01
grep -q ' 2 refused here' "$T/.forge.out" || fail "co2 took its own forgery: $(cat "$T/.forge.out")"
sync_ok co2 "$LEAD"
[ "$(state_hash lead)" = "$h" ] || fail "co2's forged outcome changed the lead's state"
[ "$(refusals lead 'outcome is recorded by the lead or the provider')" = 1 ] ||
    fail "the lead did not refuse co2's forged outcome for its reason"
sync_ok co "$LEAD"
[ "$(refusals co 'outcome is recorded by the lead or the provider')" = 1 ] ||
    fail "co did not refuse co2's forged outcome relayed by the lead"
same_state lead co co2

# --- the lead's report, in JSON ---
expect_rc 0 on lead report --json --lot LOT-01 --period 2026-03..2026-06 --out lead.json
out_has 'report lead.json: 2 sessions, 4 financed paths, 1 hired of 4 intents'
python3 - "$T/lead.json" <<'PY' || fail "the lead's JSON report is not as expected"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
t = r["totals"]
want = dict(sessions=2, financed=4, completed=1, dropped_out=1, exit_unreadable=0,
            intents=4, hired=1, not_hired=1, pending=2, hire_rate_permille=250)
bad = {k: (t[k], v) for k, v in want.items() if t[k] != v}
assert not bad, bad
assert t["hired_by_contract"]["CDI"] == 1, t
s2 = [s for s in r["sessions"] if s["ref"] == "S000002"][0]
assert s2["hire_rate_permille"] == 500 and s2["provider"]["siret"] == "50324917900212", s2
nk = r["not_kept"]
assert [(x["intent"], x["kind"], x.get("reason")) for x in nk] == \
    [("I000004", "not_hired", "poste supprimé")], nk
w = [(x["ref"], x["code"]) for x in r["warnings"]]
assert w == [("I000003", "contract_differs")], w
assert r["scope"] == {"lot": "LOT-01", "from": "2026-03-01", "to": "2026-06-30"}, r["scope"]
PY
expect_rc 0 on lead report --json --lot LOT-01 --period 2026-03..2026-06
cmp -s "$OUT" "$T/lead.json" || fail "report --json to stdout differs from --out"

# --- CSV as French spreadsheets open it, HTML as a printable page ---
expect_rc 0 on lead report --csv --out lead.csv
expect_rc 0 on lead report --html --out lead.html
python3 - "$T/lead.csv" "$T/lead.html" <<'PY' || fail "the CSV or the HTML report is not as expected"
import sys
csv = open(sys.argv[1], "rb").read()
assert csv.startswith(b"\xef\xbb\xbf"), "no BOM"
lines = csv[3:].split(b"\r\n")
assert lines[-1] == b"" and b"\n" not in b"".join(lines), "not CRLF"
head = lines[0].decode().split(";")
assert head[0] == "Niveau" and "Embauchés" in head and len(head) == 24, head
rows = [l.decode().split(";") for l in lines[1:-1]]
s2 = [x for x in rows if x[:2] == ["Session", "S000002"]][0]
assert s2[4:6] == ["13/04/2026", "03/07/2026"] and s2[22] == "50,0", s2
emp = [l for l in lines if b"SUM(A1)" in l][0].decode()
assert ";'@SUM(A1) <b>x</b>;" in emp, emp
html = open(sys.argv[2], encoding="utf-8").read()
low = html.lower()
assert "<svg" in low and "<script" not in low and "href=" not in low and "src=" not in low
assert "@SUM(A1) &lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html
assert "Employeurs n'ayant pas embauché après s'être engagés" in html
assert "contrat signé (CDI) différent du contrat promis (CDD)" in html
for doc in (csv.decode(), html):
    for value in ("Loïc", "Aïcha", "Kévin", "Maëlle", "2325504M", "1985"):
        assert value not in doc, value
PY

# --- co2 may not read those trainees' exits: counted apart, and said ---
expect_rc 0 on co2 report --period 2026-04
out_has 'sortie non lisible ici 2'
out_has 'Une sortie de formation est une donnée personnelle'
expect_rc 0 on co2 report --json --period 2026-04
python3 -c '
import json, sys
t = json.load(sys.stdin)["totals"]
assert (t["completed"], t["dropped_out"], t["exit_unreadable"], t["hired"]) == (0, 0, 2, 1), t
' <"$OUT" || fail "co2's report counts exits it may not read: $(head -c 300 "$OUT")"

# --- a period that is none, and --lang with JSON ---
expect_rc 2 on lead report --period 2026-13
err_has '--period 2026-13: not a period'
err_has 'give FROM..TO'
expect_rc 2 on lead report --period 2026-06..2026-01
err_has 'ends before it starts'
expect_rc 2 on lead report --json --lang fr
exit 0
