#!/usr/bin/env bash
# Read commands on a stored record that no longer decodes (the first byte of
# lot LOT-02's record altered) fail with 1 and a line saying what to do
# (consort verify / rebuild), not a bare "store error (LMDB)"; rebuild repairs.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
cp -a lead pristine
tamper lead entities "$(hex LOT-02)" -2
expect_rc 1 on lead verify
err_has 'state|rebuild'
for c in "list lot" "show lot LOT-02" "export --json" state-hash; do
	read -r -a a <<<"$c"
	expect_rc 1 on lead "${a[@]}"
	err_has 'verify|rebuild' "'$c' on a damaged record does not point to consort verify or rebuild"
done
expect_rc 0 on lead rebuild
expect_rc 0 on lead verify
[ "$(export_sha lead)" = "$(export_sha pristine)" ] || fail "rebuild did not repair the damaged record"
exit 0
