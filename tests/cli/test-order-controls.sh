# order show prints a request's strings as text: a tampered file whose
# strings carry terminal escapes is shown with them defused ('?'), and the
# signature is reported as not matching.
. "$(dirname "$0")/lib.sh"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
on lead add agreement --ref A1 reference=DR-2026-0117 date=2026-03-18 \
    subject=group_size session=S000002 >/dev/null || fail "agreement failed"
on lead add derogation --ref D1 rule=R05 session=S000002 reason="Équilibre" \
    date=2026-03-20 agreement=A1 >/dev/null || fail "derogation failed"
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out "$T/req.json"
python3 - "$T/req.json" "$T/bad.json" <<'PY'
import json, sys
f = json.load(open(sys.argv[1], encoding="utf-8"))
f["request"]["consortium"]["name"] = "Evil\u001b[2J\u001b]0;pwned\u0007"
json.dump(f, open(sys.argv[2], "w", encoding="utf-8"), ensure_ascii=False)
PY
expect_rc 0 on lead order show "$T/bad.json"
err_has 'does not match'
python3 -c "
import sys
d = open('$OUT', 'rb').read()
assert b'\x1b' not in d and b'\x07' not in d, 'a control character reached the terminal'
assert b'Evil?[2J?]0;pwned?' in d, d[:300]
" || fail "order show lets a file's control characters through"
expect_rc 1 consort order verify "$T/bad.json"
