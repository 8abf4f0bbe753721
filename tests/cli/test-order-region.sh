#!/usr/bin/env bash
# The Region's answer end to end.  The lead builds and submits LOT-01's
# March request; the Region, with no node, makes its key pair (order
# keygen) and refuses the request (order decide --refuse); the lead records
# the Region's key (order region-key) and receives the refusal (order
# receive); after a sync the co-contractor's order list shows it refused,
# with its reason.  The lead amends (build and submit again); the Region
# accepts the amendment; the co-contractor receives it; every node lists
# the amendment accepted with the order's number and amount, and the first
# request as amended by it.  The Region's key sealed with a passphrase
# (a file, or typed on a terminal).  Refused: a decision signed by another
# key, an altered decision, a decision received before the Region's key
# is recorded, one for a request nobody submitted, a second answer to a
# request, decide on an altered or re-signed request, region-key by a
# co-contractor (at once on its node, and forged in a change-set by a
# dishonest member, on every node), and a decision the Region's old key
# signed once the lead has recorded a new one.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
expect_rc 0 on lead add agreement --ref A-R05-S000001 reference=RPDL-S000001 \
    date=2026-03-01 subject=group_size session=S000001
expect_rc 0 on lead add derogation --ref D-R05-S000001 rule=R05 session=S000001 \
    agreement=A-R05-S000001 reason="Équilibre financier" date=2026-03-01
expect_rc 0 on lead order build --lot LOT-01 --period 2026-03 --out r1.json
expect_rc 0 on lead order submit r1.json
O1=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
expect_rc 0 consort order verify r1.json
H1=$(sed -nE 's/.*sha256 ([0-9a-f]{64})\)$/\1/p' "$OUT")
[ ${#H1} = 64 ] || fail "order verify printed no sha256: $(cat "$OUT")"
serve_start lead
LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"

# --- the Region's key pair, needing no node ---
expect_rc 0 consort order keygen --out region.key --no-passphrase
RK=$(head -n 1 "$OUT")
[[ $RK =~ ^[0-9a-f]{64}$ ]] || fail "order keygen printed no key: $(cat "$OUT")"
[ "$(od -An -tx1 -v region.key.pub | tr -d ' \n')" = "$RK" ] || fail "region.key.pub is not the key printed"
[ "$(stat -c %a region.key)" = 600 ] || fail "region.key has mode $(stat -c %a region.key)"
cp region.key before.key
expect_rc 3 consort order keygen --out region.key --no-passphrase
err_has "exists: a key file is never replaced"
cmp -s region.key before.key || fail "keygen replaced region.key"
expect_rc 0 consort order keygen --out other.key --no-passphrase
OTHER=$(head -n 1 "$OUT")
# sealed with a passphrase file, or one typed twice on a terminal
printf 'Sésame 2026\n' >pass
chmod 600 pass
expect_rc 0 consort --passphrase-file pass order keygen --out sealed.key
[ "$(od -An -tu1 -j8 -N1 sealed.key | tr -d ' ')" = 1 ] || fail "sealed.key is not sealed"
expect_rc 1 consort order decide r1.json --refuse --reason x --key-file sealed.key </dev/null
err_has "sealed.key: the key is sealed with a passphrase"
expect_rc 0 consort --passphrase-file pass order decide r1.json --refuse --reason x \
    --key-file sealed.key --out sealed.json
expect_rc 0 consort order verify sealed.json --key "$(od -An -tx1 -v sealed.key.pub | tr -d ' \n')"
if pty_works; then
	rc=0
	python3 "$CLI/pty-run.py" --stderr "$ERR" "$T/kg.tr" \
	    expect 'Enter passphrase \(empty for no passphrase\): ' echo off send 'mot de passe\n' \
	    expect 'Enter same passphrase again: ' echo off send 'mot de passe\n' \
	    expect 'send this public key' -- "$CONSORT" order keygen --out typed.key || rc=$?
	[ $rc = 0 ] || fail "keygen with a typed passphrase exits $rc: $(cat "$T/kg.tr" "$ERR")"
	[ "$(od -An -tu1 -j8 -N1 typed.key | tr -d ' ')" = 1 ] || fail "typed.key is not sealed"
	python3 "$CLI/pty-run.py" --stderr "$ERR" "$T/dc.tr" \
	    expect 'Enter passphrase for typed.key: ' echo off send 'mot de passe\n' \
	    expect 'written to typed.json' -- "$CONSORT" order decide r1.json --refuse \
	    --reason x --key-file typed.key --out typed.json || rc=$?
	[ $rc = 0 ] || fail "decide with a typed passphrase exits $rc: $(cat "$T/dc.tr" "$ERR")"
fi

# --- the Region refuses the request ---
expect_rc 0 consort order decide r1.json --refuse --reason "Pièces manquantes : attestation" \
    --key-file region.key --date 2026-04-02 --out no1.json
out_has "refused: Pièces manquantes"
expect_rc 0 consort order verify no1.json --key "$RK"
out_has "valid signature by $RK"
out_has "sha256 $H1\), 2026-04-02: refused"
expect_rc 3 consort order verify no1.json --key "$OTHER"
err_has "NOT SIGNED BY THE REGION'S KEY"
python3 - r1.json no1.json "$CLI/../../schema/decision.schema.json" <<'PY' || fail "no1.json is wrong"
import hashlib, json, sys
req = open(sys.argv[1], encoding="utf-8").read()
text = open(sys.argv[2], encoding="utf-8").read()
d = json.loads(text)
x = d["decision"]
canon = req[len('{"request":'):req.rindex(',"signature":')]
assert x["request"] == hashlib.sha256(canon.encode()).hexdigest(), x
assert x["format"] == "consort-decision/1" and x["verdict"] == "refused", x
assert x["lot"] == "LOT-01" and x["period"] == "2026-03" and x["date"] == "2026-04-02", x
assert "order" not in x and x["reason"].startswith("Pièces"), x
# the file is its canonical form
assert text == json.dumps(d, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
try:
    import jsonschema
except ImportError:
    sys.exit(0)
schema = json.load(open(sys.argv[3]))
jsonschema.Draft202012Validator.check_schema(schema)
jsonschema.Draft202012Validator(schema).validate(d)
PY

# decide needs a request that verifies
python3 - r1.json <<'PY' || fail "could not alter r1.json"
raw = open("r1.json", "rb").read()
i = raw.index(b'"cost_cents":') + len(b'"cost_cents":')
t = bytearray(raw); t[i] = ord("9") if t[i] != ord("9") else ord("8")
open("r1-altered.json", "wb").write(t)
PY
expect_rc 1 consort order decide r1-altered.json --accept --number BDC-1 --key-file region.key --out x.json
err_has "signature does not match the request"
[ ! -e x.json ] || fail "decide wrote a decision on an altered request"
expect_rc 2 consort order decide r1.json --accept --key-file region.key
# the lead's request signed again by another key: not the lead's
python3 - r1.json "$SYNCPEER" <<'PY' || fail "could not sign r1.json again"
import importlib.util, os, sys
spec = importlib.util.spec_from_file_location("syncpeer", sys.argv[2])
peer = importlib.util.module_from_spec(spec)
spec.loader.exec_module(peer)
text = open(sys.argv[1], encoding="utf-8").read()
canon = text[len('{"request":'):text.rindex(',"signature":')]
seed = os.urandom(32)
pk = peer.ed25519_keypair(seed)[2]
sig = peer.ed25519_sign(seed, canon.encode())
open("r1-resigned.json", "w", encoding="utf-8").write('{"request":%s,"signature":{"alg":"ed25519","key":"%s","sig":"%s"}}\n'
    % (canon, pk.hex(), sig.hex()))
PY
expect_rc 3 consort order decide r1-resigned.json --refuse --reason x --key-file region.key
err_has "NOT SIGNED BY ITS SENDER"
expect_rc 1 consort order decide r1.json --refuse --reason x --key-file region.key \
    --request-key "$(pubkey co)"
err_has "signature does not match the request"
expect_rc 2 consort order decide r1.json --refuse --reason "" --key-file region.key
expect_rc 1 consort order decide r1.json --refuse --reason x --key-file nowhere.key

# a decision signed by another key, and an altered one
expect_rc 0 consort order decide r1.json --refuse --reason "Autre" --key-file other.key --out bad-key.json
python3 - no1.json <<'PY' || fail "could not alter no1.json"
t = open("no1.json", encoding="utf-8").read()
open("no1-altered.json", "w", encoding="utf-8").write(t.replace("attestation", "attestatioN"))
PY
expect_rc 1 consort order verify no1-altered.json
err_has "signature does not match the decision"

# --- the consortium's side ---
# refused states: NODE CMD... must exit 3, nothing written
refused() {
	local node=$1 why=$2 h
	shift 2
	h=$(log_digest "$node")
	expect_rc 3 on "$node" "$@"
	err_has "$why"
	[ "$(log_digest "$node")" = "$h" ] || fail "the refused \"$*\" changed $node's log"
}
refused lead "no Region key is recorded" order receive no1.json
err_has "consort order region-key"
refused co "only the consortium's lead records the Region's key" order region-key "$RK"
expect_rc 2 on lead order region-key 1234
expect_rc 0 on lead order region-key "$RK"
out_has "as RK-1"
expect_rc 0 on lead order region-key "$RK"
out_has "in force already"
refused lead "signed by key $OTHER, not by the Region's key $RK \(RK-1" order receive bad-key.json
expect_rc 1 on lead order receive no1-altered.json
err_has "the decision does not match its signature"

# a decision for a request nobody submitted: submit it first
expect_rc 0 on lead set path P000001 hours=150
expect_rc 0 on lead order build --lot LOT-01 --period 2026-03 --out r2.json
expect_rc 0 consort order decide r2.json --accept --number "BDC-2026-0042" --key-file region.key \
    --date 2026-04-20 --out yes2.json
out_has "accepted, order BDC-2026-0042, 4 779,90 €"
refused lead "no submitted order .* has the request sha256" order receive yes2.json
err_has "submit it first"

expect_rc 0 on lead order receive no1.json
out_has "^received no1.json: decision D-LOT-01-2026-03-[0-9a-f]{12} \(refused: Pièces manquantes"
D1=$(sed -nE 's/.*decision (D-[^ ]+) .*/\1/p' "$OUT")
expect_rc 0 on lead order receive no1.json
out_has "^already received"
# the Region answers a request once
expect_rc 0 consort order decide r1.json --accept --number BDC-X --key-file region.key --out yes1.json
refused lead "answered this request already: decision $D1" order receive yes1.json

# the co-contractor sees the refusal, with its reason
sync_ok co "$LEAD"
expect_rc 0 on co order list
out_has "^LOT-01 mars 2026 n°${NBSP}1 ${H1:0:12} .* par $LEAD_SIRET .*\(mandataire\)${NBSP}: .* ; refusée le 02/04/2026${NBSP}: Pièces manquantes : attestation \[$O1\]$"
expect_rc 0 on co order receive no1.json
out_has "^already received"

# --- forged by a dishonest member: refused on every node ---
forged() {
	local node=$1 why=$2 h2 r1 r2
	shift 2
	sync_ok co2 "$LEAD"
	sync_ok "$node" "$LEAD"
	h2=$(state_hash co2)
	r1=$(refusals lead "$why")
	r2=$(refusals co2 "$why")
	forge "$node" "$@"
	grep -qE " [1-9][0-9]* refused here" "$T/.forge.out" || fail "$node took its own forged change-set: $(cat "$T/.forge.out")"
	sync_ok "$node" "$LEAD"
	sync_ok co2 "$LEAD"
	[ "$(state_hash co2)" = "$h2" ] || fail "$node's forged change-set changed co2's state: $*"
	[ "$(refusals lead "$why")" = $((r1 + 1)) ] || fail "the lead did not refuse $node's forged change-set for /$why/"
	[ "$(refusals co2 "$why")" = $((r2 + 1)) ] || fail "co2 did not refuse $node's forged change-set for /$why/"
}
forged co "only the lead records the Region.s key" create region_key RK-2 \
    set region_key RK-2 key "$OTHER" set region_key RK-2 date 2026-04-03 set region_key RK-2 number 2
forged co "the Region.s key is never changed nor deleted" set region_key RK-1 key "$OTHER"
forged co "a decision of the Region is never changed nor deleted" set decision "$D1" reason Acceptée
# decision_ops FILE: the ops recording a decision as order receive writes them
decision_ops() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
path = sys.argv[1]
text = open(path, encoding="utf-8").read()
open(path + ".signed", "w", encoding="utf-8").write(text[:-1])
f = json.loads(text)
x, s = f["decision"], f["signature"]
canon = text[len('{"decision":'):text.rindex(',"signature":')]
h = hashlib.sha256(canon.encode()).hexdigest()
ref = "D-%s-%s-%s" % (x["lot"], x["period"], h[:12])
ops = [["create", "decision", ref]]
fields = [("lot", x["lot"]), ("period", x["period"]), ("request", x["request"]),
          ("order", "O-%s-%s-%s" % (x["lot"], x["period"], x["request"][:12])),
          ("verdict", x["verdict"])]
if x["verdict"] == "accepted":
    fields += [("order_number", x["order"]["number"]), ("amount_cents", x["order"]["amount_cents"])]
else:
    fields += [("reason", x["reason"])]
fields += [("date", x["date"])]
if "number" in x:
    fields += [("request_number", x["number"])]
fields += [("hash", h), ("key", s["key"]), ("signature", s["sig"]), ("signed", "@" + path + ".signed")]
for k, v in fields:
    ops.append(["set", "decision", ref, k, str(v)])
for op in ops:
    print("\n".join(op))
PY
}
mapfile -t ops < <(decision_ops bad-key.json)
forged co "not signed by the Region.s key in force" "${ops[@]}"

# --- the amendment, accepted, received by the co-contractor ---
expect_rc 0 on lead order submit r2.json
O2=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
sync_ok co "$LEAD"
expect_rc 0 on co order receive yes2.json
out_has "^received yes2.json: decision D-LOT-01-2026-03-[0-9a-f]{12} \(accepted, order BDC-2026-0042\)"
sync_ok co "$LEAD"
sync_ok co2 "$LEAD"
for n in lead co co2; do
	expect_rc 0 on "$n" order list --lot LOT-01
	[ "$(grep -c '^LOT-01 mars 2026 ' "$OUT")" = 2 ] || fail "$n lists other orders than the two: $(cat "$OUT")"
	out_has "^LOT-01 mars 2026 n°${NBSP}1 .* ; refusée le 02/04/2026${NBSP}: Pièces manquantes : attestation ; remplacée par n°${NBSP}2 $O2 \[$O1\]$"
	out_has "^LOT-01 mars 2026 n°${NBSP}2 .* 339${NBSP}h, 4${NNBSP}779,90${NBSP}€ ; acceptée le 20/04/2026${NBSP}: bon de commande BDC-2026-0042, 4${NNBSP}779,90${NBSP}€ \[$O2\]$"
done
expect_rc 0 on co order list --period 2026-03 --json
python3 - "$OUT" "$O1" "$O2" "$H1" <<'PY' || fail "order list --json is wrong: $(head -c 600 "$OUT")"
import json, sys
raw = open(sys.argv[1], encoding="utf-8").read()
l = json.loads(raw)
assert raw == json.dumps(l, ensure_ascii=False, sort_keys=True, separators=(",", ":")) + "\n"
assert [o["ref"] for o in l] == sys.argv[2:4], l
a, b = l
assert a["hash"] == sys.argv[4] and a["number"] == 1 and a["state"] == "refused", a
assert a["amended_by"] == [{"number": 2, "ref": sys.argv[3]}], a
assert a["decisions"][0]["reason"] == "Pièces manquantes : attestation", a
assert a["sender"] == {"direct": False, "name": "Forma Nord", "siret": "41852736200127"}, a
assert b["state"] == "accepted" and b["amends"] == sys.argv[2], b
d = b["decisions"][0]
assert d["order_number"] == "BDC-2026-0042" and d["amount_cents"] == 477990, d
assert d["amount_cents"] == b["totals"]["cost_cents"], b
PY
expect_rc 0 on co order list --period 2026-04
out_has "^aucune demande enregistrée en avril 2026$"
expect_rc 0 on co order list --lot LOT-01 --lang en
out_has "^LOT-01 2026-03 #1 .*; refused on 2026-04-02: Pièces manquantes : attestation; amended by #2 $O2 \[$O1\]$"
out_has "^LOT-01 2026-03 #2 .* 339 h, 4 779,90 €; accepted on 2026-04-20: order BDC-2026-0042, 4 779,90 € \[$O2\]$"
expect_rc 2 on co order list --lang EN
expect_rc 2 on co order list --period 2026-4

# --- a new key of the Region: the old one's decisions are refused ---
expect_rc 0 on lead order region-key "$OTHER"
out_has "as RK-2"
expect_rc 0 on lead order region-key
out_has "^RK-1 [0-9-]{10} $RK$"
out_has "^RK-2 [0-9-]{10} $OTHER \(in force\)$"
expect_rc 3 on lead order build --lot LOT-01 --period 2026-04 --out r3.json
err_has "R05"
expect_rc 0 on lead add agreement --ref A-R05-S000002 reference=RPDL-S000002 \
    date=2026-04-01 subject=group_size session=S000002
expect_rc 0 on lead add derogation --ref D-R05-S000002 rule=R05 session=S000002 \
    agreement=A-R05-S000002 reason="Équilibre financier" date=2026-04-01
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out r3.json
expect_rc 0 on lead order submit r3.json
expect_rc 0 consort order decide r3.json --refuse --reason "Trop tard" --key-file region.key --out no3.json
refused lead "signed by key $RK, not by the Region's key $OTHER \(RK-2" order receive no3.json
# what the old key signed and was received stays, and receiving it again changes nothing
expect_rc 0 on lead order receive no1.json
out_has "^already received"

for n in co co2; do sync_ok "$n" "$LEAD"; done
same_state lead co co2
for n in lead co co2; do expect_rc 0 on "$n" verify; done
exit 0
