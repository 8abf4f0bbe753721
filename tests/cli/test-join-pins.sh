#!/usr/bin/env bash
# join shows who invites before writing anything (consortium name and id,
# the lead's name, SIRET and key), and refuses with exit 3, writing
# nothing, an invite whose consortium or lead differs from the pins given.
# Anyone holding a member's public key can seal an invite to it: here an
# impostor makes its own consortium with the same names.  Without a pin,
# join asks on a terminal (no: exit 3, nothing written) and, from a
# script, joins and warns.
. "$(dirname "$0")/lib.sh"

pubkey() { od -An -tx1 -v "$T/$1/key.pub" | tr -d ' \n'; }
cid() { on "$1" whoami | awk '$1 == "consortium" { print $2 }'; }

init_lead lead
init_lead impostor          # same consortium name, lead name and SIRET
LEAD_KEY=$(pubkey lead)
LEAD_CID=$(cid lead)
FAKE_KEY=$(pubkey impostor)
[ "$LEAD_KEY" != "$FAKE_KEY" ] || fail "two inits made one key"

# keygen NODE [SIRET]: a key pair; invites from the lead and the impostor
# (the co-contractor, or a subcontractor of it with SIRET)
keygen() {
	local who=(--siret "$CO_SIRET" --role co)
	[ $# = 1 ] || who=(--siret "$2" --role sub --name "Sous-Traitant $1" \
	    --parent "$CO_SIRET" --dc4 "DC4-$1")
	on "$1" keygen >"$T/.kg" 2>&1 || fail "keygen of $1: $(cat "$T/.kg")"
	on lead invite "${who[@]}" --key "$(pubkey "$1")" \
	    --out "$T/$1.invite" >"$T/.inv" 2>&1 || fail "invite of $1 failed: $(cat "$T/.inv")"
	on impostor invite "${who[@]}" --key "$(pubkey "$1")" \
	    --out "$T/$1.fake" >"$T/.inv" 2>&1 || fail "impostor's invite of $1 failed: $(cat "$T/.inv")"
}
# nothing_written NODE: the directory holds only keygen's key pair
nothing_written() {
	[ "$(ls "$T/$1" | tr '\n' ' ')" = "key key.pub " ] ||
	    fail "join wrote in $1 although it refused: $(ls "$T/$1")"
}

keygen co

# the identity, printed before anything is written, whatever follows
expect_rc 3 on co join "$T/co.fake" --expect-lead "$LEAD_KEY"
out_has "^invite to the consortium \"Groupement Loire Formation\""
out_has "^  consortium id  $(cid impostor)\$"
out_has "^  lead           $LEAD_NAME, SIRET $LEAD_SIRET\$"
out_has "^  lead key       $FAKE_KEY\$"
err_has "not the expected ${LEAD_KEY:0:16}"
err_has 'EPERM'
err_has_fixed 'nothing was written'
nothing_written co
expect_rc 3 on co join "$T/co.fake" --expect-consortium "$LEAD_CID"
err_has "not the expected ${LEAD_CID:0:16}"
nothing_written co
# both pins must hold; upper-case hex is the same pin
expect_rc 3 on co join "$T/co.invite" --expect-lead "$LEAD_KEY" --expect-consortium "$(cid impostor)"
nothing_written co
expect_rc 2 on co join "$T/co.invite" --expect-lead 1234
nothing_written co
expect_rc 0 on co join "$T/co.invite" --expect-lead "$(echo "$LEAD_KEY" | tr a-f A-F)" \
    --expect-consortium "$LEAD_CID"
out_has "^  lead key       $LEAD_KEY\$"
out_has "^joined consortium $LEAD_CID as SIRET $CO_SIRET\$"
[ -z "$(cat "$ERR")" ] || fail "a pinned join warned: $(cat "$ERR")"
[ "$(cid co)" = "$LEAD_CID" ] || fail "co did not join the lead's consortium"

# no pin, no terminal (a script): joins, and says it was not pinned
keygen co2 73282932000074
expect_rc 0 on co2 join "$T/co2.invite" </dev/null
out_has "^  lead key       $LEAD_KEY\$"
err_has 'without a pin'

# no pin on a terminal: asks; "n" refuses and writes nothing, "y" joins
pty_works || skip "no pseudo-terminal here: the question on a terminal is not checked"
keygen co3 79911548000375
tty_join() {
	python3 - "$CONSORT" "$T/co3" "$1" "$2" <<'PY'
import os, pty, sys, time
consort, node, invite, answer = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(consort, [consort, "--dir", node, "join", invite])
out = b""
while b"[y/N]" not in out:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
os.write(fd, (answer + "\n").encode())
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
_, status = os.waitpid(pid, 0)
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.waitstatus_to_exitcode(status))
PY
}
rc=0; tty_join "$T/co3.fake" n >"$T/tty.out" 2>&1 || rc=$?
[ $rc = 3 ] || fail "a join declined on the terminal exits $rc: $(cat "$T/tty.out")"
grep -q 'Join this consortium? \[y/N\]' "$T/tty.out" || fail "join did not ask: $(cat "$T/tty.out")"
grep -q "lead key       $FAKE_KEY" "$T/tty.out" || fail "join asked without showing the key"
nothing_written co3
rc=0; tty_join "$T/co3.invite" y >"$T/tty.out" 2>&1 || rc=$?
[ $rc = 0 ] || fail "a join confirmed on the terminal exits $rc: $(cat "$T/tty.out")"
[ "$(cid co3)" = "$LEAD_CID" ] || fail "co3 did not join after yes"
exit 0
