#!/usr/bin/env bash
# init's recovery code: shown once as a framed block of 14 groups of 4 (two
# lines of 7) whose checksum holds, read by an independent decoder; with
# --recovery-file, written to a new 0600 file instead (not shown); a file
# already there, or a missing folder, refused before any node is made.
. "$(dirname "$0")/lib.sh"

# check_code FILE: FILE's lines not starting with '#' hold one recovery
# code (Crockford base32 of 32 bytes and the 3 of their keyed BLAKE2b).
check_code() {
	python3 - "$1" <<'PY' || fail "no valid recovery code in $1: $(cat "$1")"
import hashlib, sys
A = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
text = "".join(l for l in open(sys.argv[1]) if not l.startswith("#"))
s = "".join(c for c in text.upper() if c not in " \t\r\n-")
if len(s) != 56 or any(c not in A for c in s):
    sys.exit("not 56 characters of the alphabet")
n = 0
for c in s:
    n = n << 5 | A.index(c)
b = n.to_bytes(35, "big")
key = b"consort-recovery/1 checksum"
if hashlib.blake2b(b[:32], digest_size=32, key=key).digest()[:3] != b[32:]:
    sys.exit("checksum")
PY
}

G='[0-9A-HJKMNP-TV-Z]{4}'
LINE="^    $G(-$G){6}\$"

# Shown once, framed, after the lines init printed before.
init_lead lead
grep -q '^created node ' "$T/.init.out" || fail "init no longer says it created the node"
grep -q '^== RECOVERY CODE, shown once' "$T/.init.out" || fail "no recovery heading: $(cat "$T/.init.out")"
[ "$(grep -cE "$LINE" "$T/.init.out")" = 2 ] || fail "expected the code on two lines of 7 groups: $(cat "$T/.init.out")"
grep -q 'will not be shown again' "$T/.init.out" || fail "init does not say the code is shown once"
grep -q 'consort key recover' "$T/.init.out" || fail "init does not say what asks for the code"
grep -E "$LINE" "$T/.init.out" >code.txt
check_code code.txt
[ "$(tail -n 1 "$T/.init.out")" = "$(printf '=%.0s' $(seq 59))" ] || fail "the block is not closed: $(tail -n 1 "$T/.init.out")"
! grep -rqF "$(head -n 1 code.txt | tr -d ' ')" lead || fail "the node keeps the recovery code"
expect_rc 0 on lead verify

# --recovery-file: a new 0600 file, the code not shown.
full=(--consortium "Groupement Test" --member "$LEAD_NAME" --siret "$LEAD_SIRET" --market M)
expect_rc 0 consort --dir "$T/second" init "${full[@]}" --recovery-file rec.txt
out_has '^recovery code written to rec.txt \(mode 600\): move it off this computer'
! grep -qE "$G-$G" "$OUT" || fail "init --recovery-file showed the code: $(cat "$OUT")"
[ "$(stat -c %a rec.txt)" = 600 ] || fail "the recovery file has mode $(stat -c %a rec.txt)"
grep -q '^# .*consort key recover --recovery-file' rec.txt || fail "the file does not say what it is for: $(cat rec.txt)"
grep -q 'Groupement Test' rec.txt || fail "the file does not name the consortium"
[ "$(grep -cE "^$G(-$G){6}\$" rec.txt)" = 2 ] || fail "expected two lines of 7 groups in the file: $(cat rec.txt)"
check_code rec.txt
cmp -s rec.txt code.txt && fail "two consortiums share a recovery code"

# A file already there: refused before anything is made; the file unchanged.
cp rec.txt rec.before
expect_rc 3 consort --dir "$T/third" init "${full[@]}" --recovery-file rec.txt
err_has 'rec.txt: a file of that name already exists'
err_has 'new file'
[ ! -e third ] || fail "a refused init left $(ls -R third)"
cmp -s rec.txt rec.before || fail "a refused init changed the recovery file"
# ...and a folder that is not there
expect_rc 3 consort --dir "$T/fourth" init "${full[@]}" --recovery-file missing/rec.txt
err_has 'missing/rec.txt: no such folder'
[ ! -e fourth ] || fail "a refused init left $(ls -R fourth)"
expect_rc 2 consort --dir "$T/fifth" init "${full[@]}" --recovery-file ''
err_has 'not a file name'
[ ! -e fifth ] || fail "a refused init left $(ls -R fifth)"
grep -q -- '--recovery-file FILE' <(consort init --help) || fail "init --help lacks --recovery-file"
exit 0
