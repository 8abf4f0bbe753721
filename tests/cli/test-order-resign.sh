# A lead's request signed again with another key holds a signature, but not
# the lead's: order verify refuses it (exit 3) with or without --key that
# key, and order show says so at the top of its text and HTML.  The file is
# re-signed with openssl's Ed25519 over the request's canonical bytes.
. "$(dirname "$0")/lib.sh"

command -v openssl >/dev/null || skip "openssl is missing"
openssl genpkey -algorithm ed25519 -out k.pem 2>/dev/null || skip "openssl has no Ed25519"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
on lead add agreement --ref A1 reference=DR-2026-0117 date=2026-03-18 \
    subject=group_size session=S000002 >/dev/null || fail "agreement failed"
on lead add derogation --ref D1 rule=R05 session=S000002 reason="Équilibre" \
    date=2026-03-20 agreement=A1 >/dev/null || fail "derogation failed"
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out req.json
LEADKEY=$(on lead whoami --json | python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')
expect_rc 0 consort order verify req.json
out_has "valid signature by $LEADKEY, the lead named in the request"

# the canonical request is the file's bytes between {"request": and ,"signature"
python3 - req.json <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
open("msg.bin", "wb").write(raw[len(b'{"request":'):raw.rindex(b',"signature":')])
PY
openssl pkeyutl -sign -inkey k.pem -rawin -in msg.bin -out sig.bin 2>/dev/null ||
    skip "openssl cannot sign raw Ed25519 messages"
OTHER=$(openssl pkey -in k.pem -pubout -outform DER 2>/dev/null | tail -c 32 | od -An -tx1 -v | tr -d ' \n')
[ ${#OTHER} = 64 ] || fail "could not read the other public key"
python3 - req.json "$OTHER" <<'PY'
import sys
raw = open(sys.argv[1], "rb").read()
body = raw[:raw.rindex(b',"signature":')]
sig = open("sig.bin", "rb").read().hex()
open("resigned.json", "wb").write(body + b',"signature":{"alg":"ed25519","key":"%s","sig":"%s"}}\n'
    % (sys.argv[2].encode(), sig.encode()))
PY

expect_rc 3 consort order verify resigned.json
err_has "NOT SIGNED BY ITS SENDER: a signature by key $OTHER, but the request names the lead's key $LEADKEY"
[ ! -s "$OUT" ] || fail "verify printed a verdict on stdout: $(cat "$OUT")"
grep -q "valid signature" "$ERR" && fail "a re-signed request is called valid"
# --key the signer's own key: still not the lead's
expect_rc 3 consort order verify resigned.json --key "$OTHER"
# --key the lead's: the signature does not hold
expect_rc 1 consort order verify resigned.json --key "$LEADKEY"
err_has "signature does not match"

# order show: the verdict first, never "valid"
expect_rc 0 consort order show resigned.json
err_has "warning: signature NOT SIGNED BY ITS SENDER"
head -n 1 "$OUT" | grep -q "^signature   NOT SIGNED BY ITS SENDER" ||
    fail "order show does not say it first: $(head -n 2 "$OUT")"
grep -qi "valid" "$OUT" && fail "order show calls a re-signed request valid"
expect_rc 0 consort order show resigned.json --html
grep -qF '<body>
<p class="bad banner">Signature NON SIGNÉE PAR SON ÉMETTEUR' "$OUT" ||
    grep -q '^<p class="bad banner">Signature NON SIGNÉE PAR SON ÉMETTEUR' "$OUT" ||
    fail "the HTML page does not say it at the top"
grep -qF 'class="ok"' "$OUT" && fail "the HTML page shows the signature as good"
# the lead's own file is unaffected
expect_rc 0 consort order show req.json --html
grep -qF 'class="ok">valide, signée par la clé du mandataire' "$OUT" || fail "the lead's request is not shown valid"
# order diff warns about it too
expect_rc 0 consort order diff req.json resigned.json
err_has "resigned.json: warning: signature NOT SIGNED BY ITS SENDER"
