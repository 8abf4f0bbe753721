#!/usr/bin/env bash
# log on a store holding a change-set that no longer decodes (an invalid
# UTF-8 byte put into "Saint-Nazaire"): an error (1), not a validation
# refusal (3), naming the change-set and pointing to verify; verify names it too.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
tamper lead changes "$(hex Saint-Nazaire)" 1 0x80
expect_rc 1 on lead verify
err_has 'change-set'
expect_rc 1 on lead log --json
err_has 'change-set' "log on a damaged change-set does not name it"
err_has 'verify|rebuild|restore'
exit 0
