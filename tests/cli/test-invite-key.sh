#!/usr/bin/env bash
# invite --key with a key that is not the member's says what is wrong with
# it (its length, which character, not a point of the curve, the lead's own
# key), names --key and says what to give; nothing is bound or written.
. "$(dirname "$0")/sync-lib.sh"

init_lead lead
on co keygen >"$T/keygen.out" 2>&1 || fail "keygen failed: $(cat "$T/keygen.out")"
good=$(pubkey co)
n0=$(log_count lead)

# refused KEY ERE: invite with --key KEY fails (2), its one line matching ERE.
refused() {
	expect_rc 2 on lead invite --siret "$CO_SIRET" --role co --key "$1" --out "$T/co.invite"
	err_has '^consort invite: --key: ' "the refusal of \"$1\" does not name --key"
	err_has "$2" "the refusal of \"$1\" does not say why"
	err_has 'consort keygen printed' "the refusal of \"$1\" does not say what to give"
	[ "$(wc -l <"$ERR")" = 1 ] || fail "more than one line: $(cat "$ERR")"
	[ ! -e "$T/co.invite" ] || fail "a refused --key \"$1\" wrote the invite"
}

refused "${good:0:63}" '63 characters, where a public key has 64 hex digits'
refused "${good}0" '65 characters'
refused "${good}${good}" '128 characters'
refused "" '0 characters'
refused "${good:0:10}g${good:11}" 'character 11 \("g"\) is not a hex digit'
refused "${good} " 'character 65 \(" "\) is not a hex digit'
refused "0x${good:2}" 'character 2 \("x"\) is not a hex digit'
# 64 hex digits that name no point of the curve, or a point of small order
refused "$(printf 'f%.0s' $(seq 64))" 'not an Ed25519 public key'
refused "0100000000000000000000000000000000000000000000000000000000000000" 'not an Ed25519 public key'
refused "$(printf '0%.0s' $(seq 64))" 'not an Ed25519 public key'
# the lead's own key
refused "$(pubkey lead)" "this node's own public key"
[ "$(log_count lead)" = "$n0" ] || fail "refused invites appended to the log"

# the right key, in either case, is bound
expect_rc 0 on lead invite --siret "$CO_SIRET" --role co --key "${good^^}" --out "$T/co.invite"
[ "$(log_count lead)" = $((n0 + 1)) ] || fail "the invite with the right key did not bind it"
exit 0
