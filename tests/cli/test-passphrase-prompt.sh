#!/usr/bin/env bash
# On a terminal, with no passphrase file, init and keygen ask for the
# passphrase twice with echo off (as ssh-keygen does), and a command that
# signs asks for it once: typed twice, the key is sealed; three mismatches
# refuse and create nothing; an empty one leaves the key unsealed with a
# warning; Ctrl-C restores the terminal; the right passphrase signs, a
# wrong one fails cleanly.  Without a terminal nothing is asked.
. "$(dirname "$0")/lib.sh"

pty_works || skip "no pseudo-terminal here: the prompt is not checked"

PASS='Sésame, ouvre-toi 2026'
ASK1='Enter passphrase \(empty for no passphrase\): '
ASK2='Enter same passphrase again: '

# tty TRANSCRIPT STEP... -- ARGS: consort ARGS on a pseudo-terminal, its
# stderr in $ERR; sets rc to its exit status.
tty() {
	local tr=$1; shift
	rc=0
	python3 "$CLI/pty-run.py" --stderr "$ERR" "$T/$tr" "$@" || rc=$?
}
# kind NODE FILE: the kind byte of a key file (0 plain, 1 sealed).
kind() { od -An -tu1 -j8 -N1 "$T/$1/${2:-key}" | tr -d ' '; }
INIT=(init --consortium "Groupement Loire Formation" --member "$LEAD_NAME"
    --siret "$LEAD_SIRET" --market "MARCHE-2026-PDL-1E1F" --co "$CO_NAME:$CO_SIRET")
LOT=(add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410)

# typed twice, echo off: the key and the network key are sealed with it
tty init.tr expect "$ASK1" echo off send "$PASS\n" expect "$ASK2" echo off \
    send "$PASS\n" expect 'created node' -- "$CONSORT" --dir "$T/lead" "${INIT[@]}"
[ $rc = 0 ] || fail "init with a typed passphrase exits $rc: $(cat "$T/init.tr" "$ERR")"
[ "$(kind lead)" = 1 ] || fail "the key typed a passphrase for is not sealed"
[ "$(stat -c %s lead/network.key)" != 32 ] || fail "the network key is not sealed"
! grep -q 'ouvre' "$T/init.tr" || fail "the passphrase was echoed: $(cat "$T/init.tr")"
! grep -q 'warning' "$ERR" || fail "a sealed init warned: $(cat "$ERR")"

# the typed passphrase is the one a passphrase file gives (no newline kept)
printf '%s\n' "$PASS" >"$T/pass"
chmod 600 "$T/pass"
n0=$(log_count lead)
expect_rc 0 consort --dir "$T/lead" --passphrase-file "$T/pass" "${LOT[@]}" </dev/null

# a signing command on a terminal asks once; the right passphrase signs
tty add.tr expect "Enter passphrase for $T/lead: " echo off send "$PASS\n" \
    expect 'updated' -- "$CONSORT" --dir "$T/lead" set lot LOT-01 rate_cents=1420
[ $rc = 0 ] || fail "set with the typed passphrase exits $rc: $(cat "$T/add.tr" "$ERR")"
[ "$(log_count lead)" = $((n0 + 2)) ] || fail "the edits did not append two change-sets"

# a wrong one fails cleanly: exit 1, one line naming the passphrase, no write
h0=$(state_hash lead)
tty wrong.tr expect "Enter passphrase for " send 'mauvaise phrase\n' -- \
    "$CONSORT" --dir "$T/lead" set lot LOT-01 rate_cents=1500
[ $rc = 1 ] || fail "set with a wrong typed passphrase exits $rc: $(cat "$T/wrong.tr" "$ERR")"
grep -q 'the passphrase does not open the secret key \[EPASSPHRASE\]; type the passphrase' "$ERR" ||
    fail "a wrong typed passphrase is not named: $(cat "$ERR")"
[ "$(wc -l <"$ERR")" = 1 ] || fail "a wrong passphrase printed more than one line: $(cat "$ERR")"
[ "$(state_hash lead)" = "$h0" ] || fail "a wrong passphrase changed the state"

# Ctrl-C at the prompt: the process dies of SIGINT, echo is back on
# (pty-run checks it: 98 otherwise), nothing written
tty intr.tr expect "Enter passphrase for " echo off send '\x03' -- \
    "$CONSORT" --dir "$T/lead" set lot LOT-01 rate_cents=1500
[ $rc = 130 ] || fail "Ctrl-C at the prompt exits $rc: $(cat "$T/intr.tr" "$ERR")"
[ "$(state_hash lead)" = "$h0" ] || fail "an interrupted command changed the state"
# ... and at init's second prompt: no node
tty intr2.tr expect "$ASK1" send "$PASS\n" expect "$ASK2" send '\x03' -- \
    "$CONSORT" --dir "$T/gone" "${INIT[@]}"
[ $rc = 130 ] || fail "Ctrl-C at init's prompt exits $rc: $(cat "$T/intr2.tr" "$ERR")"
[ ! -e gone ] || fail "an interrupted init left $(ls -R gone)"

# a bundle opens the sealed network key with a typed passphrase
tty bundle.tr expect "Enter passphrase for " send "$PASS\n" expect 'wrote' -- \
    "$CONSORT" --dir "$T/lead" bundle export --out "$T/lead.bundle"
[ $rc = 0 ] || fail "bundle export with a typed passphrase exits $rc: $(cat "$T/bundle.tr" "$ERR")"
[ -s lead.bundle ] || fail "no bundle written"

# three mismatches: refused, nothing created
tty mismatch.tr expect "$ASK1" send 'une phrase\n' expect "$ASK2" send 'une autre\n' \
    expect 'do not match.  Try again' expect "$ASK1" send 'deux\n' expect "$ASK2" \
    send 'deux bis\n' expect "$ASK1" send 'trois\n' expect "$ASK2" send 'trois bis\n' \
    -- "$CONSORT" --dir "$T/mm" "${INIT[@]}"
[ $rc = 1 ] || fail "three mismatches exit $rc: $(cat "$T/mismatch.tr" "$ERR")"
grep -q 'the two passphrases typed differed 3 times; nothing was created \[EPASSPHRASE\]' "$ERR" ||
    fail "three mismatches are not explained: $(cat "$ERR")"
[ ! -e mm ] || fail "a refused init left $(ls -R mm)"
# a mismatch then a match is fine
tty again.tr expect "$ASK1" send 'une phrase\n' expect "$ASK2" send 'une autre\n' \
    expect "$ASK1" send "$PASS\n" expect "$ASK2" send "$PASS\n" expect 'created node' -- \
    "$CONSORT" --dir "$T/again" "${INIT[@]}"
[ $rc = 0 ] || fail "a match after a mismatch exits $rc: $(cat "$T/again.tr" "$ERR")"
[ "$(kind again)" = 1 ] || fail "the key is not sealed after a mismatch then a match"

# empty: unsealed, with the warning on stderr naming the folder
tty empty.tr expect "$ASK1" send '\n' expect "$ASK2" send '\n' expect 'created node' -- \
    "$CONSORT" --dir "$T/open" "${INIT[@]}"
[ $rc = 0 ] || fail "init with an empty passphrase exits $rc: $(cat "$T/empty.tr" "$ERR")"
[ "$(kind open)" = 0 ] || fail "an empty passphrase sealed the key"
grep -qF "warning: the secret key is not protected by a passphrase; anyone who copies $T/open can sign as you and read the trainees' personal data this node holds" "$ERR" ||
    fail "no warning for an unsealed key: $(cat "$ERR")"
# an unsealed node signs on a terminal without asking
tty open-add.tr expect 'added' -- "$CONSORT" --dir "$T/open" "${LOT[@]}"
[ $rc = 0 ] || fail "an unsealed node's add on a terminal exits $rc: $(cat "$T/open-add.tr" "$ERR")"
! grep -q 'Enter passphrase' "$T/open-add.tr" || fail "an unsealed node asked for a passphrase"

# --no-passphrase: nothing asked, unsealed, no warning (a script's choice)
tty nop.tr expect 'created node' -- "$CONSORT" --dir "$T/nop" "${INIT[@]}" --no-passphrase
[ $rc = 0 ] || fail "init --no-passphrase exits $rc: $(cat "$T/nop.tr" "$ERR")"
! grep -q 'Enter passphrase' "$T/nop.tr" || fail "init --no-passphrase asked"
[ "$(kind nop)" = 0 ] || fail "init --no-passphrase sealed the key"
[ ! -s "$ERR" ] || fail "init --no-passphrase printed on stderr: $(cat "$ERR")"
expect_rc 2 consort --dir "$T/both" --passphrase-file "$T/pass" "${INIT[@]}" --no-passphrase
err_has 'not both'
[ ! -e both ] || fail "a refused init made a folder"

# keygen asks the same way; join then seals the network key with it
tty keygen.tr expect "$ASK1" echo off send "$PASS\n" expect "$ASK2" send "$PASS\n" \
    expect '(?m)^[0-9a-f]{64}\r' -- "$CONSORT" --dir "$T/co" keygen
[ $rc = 0 ] || fail "keygen with a typed passphrase exits $rc: $(cat "$T/keygen.tr" "$ERR")"
[ "$(kind co)" = 1 ] || fail "keygen's key is not sealed"
tty keygen2.tr expect '(?m)^[0-9a-f]{64}\r' -- "$CONSORT" --dir "$T/co2" keygen --no-passphrase
[ $rc = 0 ] && [ "$(kind co2)" = 0 ] || fail "keygen --no-passphrase: exit $rc, kind $(kind co2)"

# no terminal (a script): nothing asked, unsealed, no warning, as before
expect_rc 0 on plain "${INIT[@]}" </dev/null
[ "$(kind plain)" = 0 ] || fail "init without a terminal sealed the key"
[ ! -s "$ERR" ] || fail "init without a terminal printed on stderr: $(cat "$ERR")"
expect_rc 1 on lead set lot LOT-01 rate_cents=1500 </dev/null
err_has 'sealed with a passphrase.*run the command on a terminal'
exit 0
