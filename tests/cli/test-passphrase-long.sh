#!/usr/bin/env bash
# A passphrase is used whole (or refused when too long), never cut short: a
# different passphrase that shares its first 1023 bytes must not open the key.
. "$(dirname "$0")/lib.sh"

python3 -c 'print("k" * 1100)' >"$T/long"
python3 -c 'print("k" * 1023 + "z" * 77)' >"$T/other"
chmod 600 "$T/long" "$T/other"
rc=0
consort --dir "$T/lead" --passphrase-file "$T/long" init --consortium G --member "$LEAD_NAME" \
    --siret "$LEAD_SIRET" --market M >"$OUT" 2>"$ERR" || rc=$?
if [ $rc != 0 ]; then
	# refusing an over-long passphrase is fine, if it says so and makes no node
	err_has 'passphrase'
	[ ! -e lead/key ] || fail "a refused init left a key"
	exit 0
fi
expect_rc 0 consort --dir "$T/lead" --passphrase-file "$T/long" add lot --ref LOT-01 sector=Bâtiment
expect_rc 1 consort --dir "$T/lead" --passphrase-file "$T/other" add lot --ref LOT-02 sector=Bâtiment
err_has 'passphrase'
exit 0
