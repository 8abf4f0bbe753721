#!/usr/bin/env bash
# --passphrase-file seals the key: an edit without the passphrase fails naming
# it, with a wrong one fails, with the right one (global option or
# CONSORT_PASSPHRASE_FILE) works; read commands need no passphrase.
. "$(dirname "$0")/lib.sh"

printf 'Sésame, ouvre-toi 2026\n' >"$T/pass"
printf 'mauvaise phrase\n' >"$T/wrong"
chmod 600 "$T/pass" "$T/wrong"
init_lead lead --passphrase-file "$T/pass"
[ "$(stat -c %a lead/key)" = 600 ] || fail "sealed key has mode $(stat -c %a lead/key)"
# the sealed key file does not hold the key as a plain node's does
init_lead plain
[ "$(stat -c %s lead/key)" != "$(stat -c %s plain/key)" ] || fail "the sealed key file looks like a plain one"
n0=$(log_count lead)
h0=$(state_hash lead)

# no passphrase: refused, naming the passphrase; nothing written
expect_rc 1 on lead add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
err_has 'passphrase' "add without the passphrase does not name the passphrase"
expect_rc 1 on lead import "$DATA/sample.jsonl"
err_has 'passphrase'
# a wrong passphrase
expect_rc 1 consort --dir "$T/lead" --passphrase-file "$T/wrong" add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
err_has 'passphrase' "add with a wrong passphrase does not name the passphrase"
CONSORT_PASSPHRASE_FILE=$T/wrong expect_rc 1 on lead add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
err_has 'passphrase'
# a passphrase file that does not exist
expect_fail consort --dir "$T/lead" --passphrase-file "$T/missing" add lot --ref LOT-01 sector=B territory=44 rate_cents=1
err_has 'missing|passphrase'
[ "$(log_count lead)" = "$n0" ] || fail "refused edits appended to the log"
[ "$(state_hash lead)" = "$h0" ] || fail "refused edits changed the state"

# the right passphrase, as the global option (before the command)...
expect_rc 0 consort --passphrase-file "$T/pass" --dir "$T/lead" add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
expect_rc 0 consort --dir "$T/lead" --passphrase-file="$T/pass" add lot --ref LOT-02 sector=Hôtellerie-Restauration territory=85 rate_cents=1570
# ...or in the environment
CONSORT_PASSPHRASE_FILE=$T/pass expect_rc 0 on lead set lot LOT-01 rate_cents=1420
[ "$(log_count lead)" = $((n0 + 3)) ] || fail "three edits with the passphrase did not append three change-sets"

# still sealed: set and rm without it fail
expect_rc 1 on lead set lot LOT-01 rate_cents=1500
err_has 'passphrase'
expect_rc 1 on lead rm lot LOT-02
err_has 'passphrase'

# read commands work without the passphrase
expect_rc 0 on lead list lot
out_has '^LOT-01 .*rate_cents=1420'
expect_rc 0 on lead list lot --json
json_ok "$OUT"
expect_rc 0 on lead show lot LOT-01 --json
out_has '"rate_cents":1420'
expect_rc 0 on lead export --json
out_has '"LOT-02":\{"rate_cents":1570,"sector":"Hôtellerie-Restauration","territory":"85"\}'
expect_rc 0 on lead state-hash
out_has '^[0-9a-f]{64}$'
expect_rc 0 on lead log --json
expect_rc 0 on lead whoami --json
expect_rc 0 on lead verify

# an empty passphrase file seals nothing: init refuses it and makes no node
: >"$T/empty"
chmod 600 "$T/empty"
expect_fail consort --dir "$T/e" init --consortium G --member "Forma Nord" --siret "$LEAD_SIRET" --market M --passphrase-file "$T/empty"
[ ! -e e/key ] || fail "init with an empty passphrase file left a key"
exit 0
