# The Region keeps verifying the lead's requests across a rotation of its
# key and the recovery of its lost laptop: each request names the
# founder's key as the lead's and carries the key chain to the key that
# signed it, which order verify --key FOUNDER accepts and every node takes
# in the log; the lost laptop's request, signed by the key the recovery
# replaced, is refused beside the recovered lead's.
. "$(dirname "$0")/sync-lib.sh"

on lead init --consortium "Groupement Loire Formation" --member "$LEAD_NAME" \
    --siret "$LEAD_SIRET" --market "MARCHE-2026-PDL-1E1F" \
    --co "$CO_NAME:$CO_SIRET" --recovery-file "$T/rec0.txt" >"$T/.init.out" 2>&1 ||
    fail "init failed: $(tail -n 3 "$T/.init.out")"
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead add agreement --ref A1 reference=DR-2026-0117 \
    date=2026-03-18 subject=group_size session=S000002
expect_rc 0 on lead add derogation --ref D1 rule=R05 session=S000002 \
    reason="Équilibre" date=2026-03-20 agreement=A1
K0=$(pubkey lead)
build() { expect_rc 0 on "$1" order build --lot LOT-01 --period 2026-04 --out "$2" --date "$3"; }

# the founder's request carries no chain
build lead n1.json 2026-04-01
grep -q key_chain n1.json && fail "the founder's request carries a key chain"
expect_rc 0 on lead order submit n1.json

# a rotation: the next request carries the chain, lead.key stays K0
expect_rc 0 on lead key rotate
K1=$(pubkey lead)
build lead n2.json 2026-04-02
python3 - n2.json "$K0" "$K1" <<'PY' || fail "n2.json: $(head -c 600 n2.json)"
import json, sys
r = json.load(open(sys.argv[1]))["request"]
assert r["lead"]["key"] == sys.argv[2] and r["sender"]["key"] == sys.argv[3]
l = r["key_chain"]["links"]
assert len(l) == 1 and (l[0]["from"], l[0]["to"], l[0]["by"]) == (sys.argv[2], sys.argv[3], "key")
PY
expect_rc 0 consort order verify n2.json n1.json --key "$K0"
out_has "n2.json: key chain from key $K0 to the key in force $K1: key records 1 \(rotations 1,"
out_has "n2.json: replaces .*n1.json"
expect_rc 0 on lead order submit n2.json

# the laptop is lost: a new machine recovers the lead's key, after a
# rotation of the recovery key, and its request verifies with K0 alone
expect_rc 0 on lead key rotate-recovery --recovery-file "$T/rec0.txt" \
    --new-recovery-file "$T/rec1.txt"
expect_rc 0 consort --dir "$T/new" keygen
expect_rc 0 on lead key handover "$(pubkey new)" --out "$T/h.bin"
expect_rc 0 on new join "$T/h.bin"
serve_start lead
sync_ok new "$ADDR"
expect_rc 0 on new key recover --recovery-file "$T/rec1.txt"
KN=$(pubkey new)
build new n3.json 2026-04-05
expect_rc 0 consort order verify n3.json n2.json n1.json --key "$K0" --json
python3 - "$OUT" "$K0" "$KN" <<'PY' || fail "verify --json: $(cat "$OUT")"
import json, sys
v = json.load(open(sys.argv[1]))
c = v["key_chain"]
assert (c["from"], c["current"], c["links"]) == (sys.argv[2], sys.argv[3], 3), c
assert (c["rotations"], c["recoveries"], c["recovery_key_rotations"]) == (1, 1, 1), c
assert [x["number"] for x in v["replaces"]] == [2, 1], v["replaces"]
PY
expect_rc 0 on new order submit n3.json
expect_rc 0 on new order list --json
python3 - "$OUT" <<'PY' || fail "order list: $(cat "$OUT")"
import json, sys
assert sorted(o["number"] for o in json.load(open(sys.argv[1]))) == [1, 2, 3]
PY

# the lost laptop still signs with K1: its request is refused beside n3
build lead thief.json 2026-04-06
expect_rc 3 consort order verify thief.json n3.json --key "$K0"
err_has "thief.json: signed by key $K1, which the key chain of n3.json shows replaced by the recovery key on [0-9-]{10}: a lost key"
