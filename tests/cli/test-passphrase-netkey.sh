#!/usr/bin/env bash
# With --passphrase-file the network key is sealed like the secret key
# (init, and join on a keygen made with a passphrase): the file does not
# hold it in the clear, and every command that needs it (invite, bundle,
# serve and sync) opens it with the passphrase; a bundle made for the
# member opens with its secret key too.  A passphrase file that
# group or others may read is refused, naming its mode and the chmod.
. "$(dirname "$0")/sync-lib.sh"

printf 'Marée-haute-à-Noirmoutier\n' >"$T/pass"
chmod 600 "$T/pass"
P=(--passphrase-file "$T/pass")

# sealed_netkey NODE: the node's network.key is sealed (not its 32 bytes).
sealed_netkey() {
	[ "$(head -c 8 "$T/$1/network.key")" = CSRTNK01 ] ||
	    fail "$1/network.key is not a sealed file: $(od -An -c -N 9 "$T/$1/network.key")"
	[ "$(stat -c %a "$T/$1/network.key")" = 600 ] || fail "$1/network.key has mode $(stat -c %a "$T/$1/network.key")"
}

init_consortium_p() {
	on "$1" "${P[@]}" init --consortium "Groupement Loire Formation" --member "$LEAD_NAME" \
	    --siret "$LEAD_SIRET" --market M --co "$CO_NAME:$CO_SIRET" >"$T/.init.out" 2>&1 ||
	    fail "init of $1 failed: $(cat "$T/.init.out")"
}

init_consortium_p lead
sealed_netkey lead
expect_rc 0 on lead "${P[@]}" add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410

# the member's key pair and node, with the passphrase
expect_rc 0 on co "${P[@]}" keygen
pk=$(grep -oE '^[0-9a-f]{64}$' "$OUT" | head -n 1)
expect_rc 0 on lead "${P[@]}" invite --siret "$CO_SIRET" --role co --name "$CO_NAME" --key "$pk" --out "$T/co.invite"
expect_rc 0 on co "${P[@]}" join "$T/co.invite"
sealed_netkey co
# the invite carried the lead's network key: both files open to the same key,
# which neither file shows (their sealed bytes differ)
cmp -s lead/network.key co/network.key && fail "two nodes' sealed network keys are equal bytes"

# a bundle needs the network key: without the passphrase it says so
expect_rc 1 on lead bundle export --out "$T/b0"
err_has 'passphrase-file' "bundle export on a sealed node without the passphrase does not ask for it"
[ ! -s "$T/b0" ] || fail "a refused bundle export wrote a file"
expect_rc 0 on lead "${P[@]}" bundle export --out "$T/b1"
expect_rc 1 on co bundle import "$T/b1"
err_has 'passphrase'
expect_rc 0 on co "${P[@]}" bundle import "$T/b1"
out_has '[1-9][0-9]* applied'
# one made for the member is sealed to its key too: the import unlocks it
expect_rc 0 on lead "${P[@]}" bundle export --out "$T/b2" --for "$CO_SIRET"
expect_rc 1 on co bundle import "$T/b2"
err_has 'passphrase'
expect_rc 0 on co "${P[@]}" bundle import "$T/b2"

# serve and sync, both sealed: the handshake needs the network key on both sides
export CONSORT_PASSPHRASE_FILE=$T/pass
serve_start lead
expect_rc 0 on lead add lot --ref LOT-02 sector=Hôtellerie territory=85 rate_cents=1570
sync_ok co "$ADDR"
serve_stop "$SPID"
unset CONSORT_PASSPHRASE_FILE
same_state lead co

# a passphrase file open to group or others is refused, with its mode and
# the chmod to run; nothing is created
for mode in 644 640 604 660; do
	cp "$T/pass" "$T/pass.$mode"
	chmod "$mode" "$T/pass.$mode"
done
for mode in 644 640 604 660; do
	expect_rc 1 consort --dir "$T/n$mode" --passphrase-file "$T/pass.$mode" init \
	    --consortium G --member "$LEAD_NAME" --siret "$LEAD_SIRET" --market M
	err_has "mode 0$mode" "the refusal does not give the mode 0$mode"
	err_has_fixed "chmod 600 $T/pass.$mode"
	err_has 'EFILEMODE'
	[ ! -e "$T/n$mode" ] || fail "init with a passphrase file of mode $mode left a folder"
done
# ...for keygen, for an edit, for a bundle
expect_rc 1 on k2 --passphrase-file "$T/pass.644" keygen
err_has_fixed "chmod 600"
[ ! -e k2/key ] || fail "keygen with a loose passphrase file wrote a key"
n0=$(log_count lead)
expect_rc 1 on lead --passphrase-file "$T/pass.640" add lot --ref LOT-03 sector=B territory=44 rate_cents=1
err_has "mode 0640"
[ "$(log_count lead)" = "$n0" ] || fail "an edit with a loose passphrase file was written"
expect_rc 1 on lead --passphrase-file "$T/pass.604" bundle export --out "$T/b3"
err_has 'EFILEMODE'
# owner-only modes are accepted (400, 600, 700)
chmod 400 "$T/pass.644"
expect_rc 0 on lead --passphrase-file "$T/pass.644" add lot --ref LOT-03 sector=B territory=44 rate_cents=1
# a passphrase given through a pipe (mode 0600 by nature) works too
expect_rc 0 on lead --passphrase-file <(cat "$T/pass") set lot LOT-03 rate_cents=2
exit 0
