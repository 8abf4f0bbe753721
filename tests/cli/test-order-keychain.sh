# order verify on requests signed by keys that replaced the founder's
# (tests/data/keychain, made by make-fixtures.c there from fixed seeds):
# the chain of key records is checked from --key, the founder's key the
# Region knows, to the signer's; a chain through a replaced key, a link
# whose signature does not hold or a recovery-signed link with no recovery
# key named is refused; and a request that follows a key another request
# shows lost (replaced by the recovery key) is refused beside it.
. "$(dirname "$0")/lib.sh"

K=$DATA/keychain
K0=8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c
K2=ed4928c628d1c2c6eae90338905995612959273a5c63f93636c14614ac8737d1
KN=8a875fff1eb38451577acd5afee405456568dd7c89e090863a0557bc7af49f17

# the founder's own request carries no chain
expect_rc 0 consort order verify "$K/founder.json" --key $K0
grep -q "key chain" "$OUT" && fail "a chain is named for the founder's request"

# two rotations: valid with the founder's key, the chain said
expect_rc 0 consort order verify "$K/rotated.json" --key $K0
out_has "valid signature by $K2, the lead named in the request"
out_has "key chain from key $K0 to the key in force $K2: key records 2 \(rotations 2,"
expect_rc 0 consort order verify "$K/rotated.json" --key $K0 --json
json_ok "$OUT"
python3 - "$OUT" "$K0" "$K2" <<'PY' || fail "order verify --json: $(cat "$OUT")"
import json, sys
v = json.load(open(sys.argv[1]))
c = v["key_chain"]
assert v["valid"] and v["key"] == sys.argv[3] and v["checked_with"] == "key"
assert (c["from"], c["current"], c["links"], c["rotations"]) == (sys.argv[2], sys.argv[3], 2, 2)
PY
# without --key, from the lead key it names; against another key, refused
expect_rc 0 consort order verify "$K/rotated.json"
expect_rc 3 consort order verify "$K/rotated.json" --key $K2
err_has "lead.key: the request names lead key $K0, and its chain is checked from key $K2"

# a recovery after the recovery key's own rotation
expect_rc 0 consort order verify "$K/recovered.json" --key $K0
out_has "to the key in force $KN: key records 2 \(rotations 0, recoveries by the recovery key 1, of the recovery key itself 1\)"

# refusals, each naming its link
expect_rc 3 consort order verify "$K/replaced-signer.json" --key $K0
err_has "key_chain: signed by key [0-9a-f]{64}, which link 2 replaced on 2026-03-05: a replaced key is revoked \[EPERM\]"
grep -q "valid" "$OUT" && fail "a request of a replaced key is called valid"
expect_rc 1 consort order verify "$K/bad-link.json" --key $K0
err_has "key_chain, link 2: its signature by key [0-9a-f]{64}, the key it replaces, does not hold \[ESIGNATURE\]"
expect_rc 3 consort order verify "$K/unnamed-recovery.json" --key $K0
err_has "key_chain, link 1: it is signed by the recovery key, but the chain names no recovery key"
expect_rc 0 consort order show "$K/replaced-signer.json"
head -n 1 "$OUT" | grep -q "^signature   KEY CHAIN REFUSED" ||
    fail "order show does not say it first: $(head -n 2 "$OUT")"

# the lost key: whoever holds it rotates it, or signs with it
expect_rc 0 consort order verify "$K/thief.json" --key $K0
expect_rc 3 consort order verify "$K/thief.json" "$K/recovered.json" --key $K0
err_has "thief.json: its key chain goes on from key $K0 by a rotation that key signed \(link 1\), but the key chain of .*recovered.json shows it replaced by the recovery key on 2026-03-10: a lost key"
expect_rc 3 consort order verify "$K/thief-founder.json" "$K/recovered.json" --key $K0
err_has "thief-founder.json: signed by key $K0, which the key chain of .*recovered.json shows replaced by the recovery key on 2026-03-10"
# --json prints nothing but the refusal when an earlier request fails
expect_rc 3 consort order verify "$K/thief.json" "$K/recovered.json" --key $K0 --json
[ ! -s "$OUT" ] || fail "verify --json printed a refused request: $(cat "$OUT")"
