#!/usr/bin/env bash
# DESIGN.md §2: the secret key never enters LMDB, a log line or a change-set;
# the passphrase is stored nowhere; the key files are 0600 in a 0700 folder.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead set intent I000001 status=confirmed
on lead log --json >log.json
on lead log >log.txt
on lead export --json >export.json
on lead whoami --json >whoami.json
python3 - lead log.json log.txt export.json whoami.json <<'PY' || fail "the secret key leaks"
import sys
node, outputs = sys.argv[1], sys.argv[2:]
key = open(node + "/key", "rb").read()
pk = open(node + "/key.pub", "rb").read()
i = key.find(pk)
# libsodium's secret key is seed || public key: the 32 bytes before the public key
assert i >= 32, "key file layout: the public key does not follow a 32-byte seed"
seed = key[i - 32:i]
for name in [node + "/store/data.mdb"] + outputs:
    data = open(name, "rb").read()
    for form in (seed, seed.hex().encode(), seed.hex().upper().encode()):
        assert form not in data, "the secret seed is in " + name
PY
[ "$(stat -c %a lead)" = 700 ] || fail "the node folder has mode $(stat -c %a lead), expected 700"
[ "$(stat -c %a lead/store)" = 700 ] || fail "the store folder has mode $(stat -c %a lead/store), expected 700"

# a sealed key: the passphrase is in neither the key file nor the store
printf 'Chanson-douce-de-Nantes-1789\n' >"$T/pass"
chmod 600 "$T/pass"
init_lead sealed --passphrase-file "$T/pass"
CONSORT_PASSPHRASE_FILE=$T/pass expect_rc 0 on sealed import "$DATA/sample.jsonl"
for f in sealed/key sealed/store/data.mdb; do
	grep -qaF 'Chanson-douce-de-Nantes' "$f" && fail "the passphrase is stored in $f"
done
# the sealed key file does not hold the secret key in the clear: it does not
# even hold the public key after a 32-byte seed as a plain one does
python3 - sealed <<'PY' || fail "the sealed key file holds the plain secret key layout"
import sys
key = open(sys.argv[1] + "/key", "rb").read()
pk = open(sys.argv[1] + "/key.pub", "rb").read()
i = key.find(pk)
assert i < 32, "public key found after 32 bytes in the sealed key file"
PY
exit 0
