#!/usr/bin/env bash
# make demo's script, run as make demo runs it (tools/demo.sh): it must
# go to its end, with the order request built, answered by the Region,
# amended and accepted, and the three nodes in one state.
. "$(dirname "$0")/lib.sh"

sh "$CLI/../../tools/demo.sh" "$CONSORT" >"$OUT" 2>"$ERR" || fail "the demo stopped: $(tail -n 5 "$OUT") $(tail -n 5 "$ERR")"
out_has "^demo: done"
out_has "replaces .*/request.json \(request no. 1, sha256 [0-9a-f]{64}\)$"
out_has "^LOT-01 avril 2026 n°${NBSP}1 .* ; refusée le 27/03/2026${NBSP}: Pièce manquante: attestation DC4 ; remplacée par n°${NBSP}2 "
out_has "^LOT-01 avril 2026 n°${NBSP}2 .* ; acceptée le 01/04/2026${NBSP}: bon de commande BDC-2026-0042, "
[ "$(grep -E '^(lead|co|sub) +[0-9a-f]{64}$' "$OUT" | awk '{print $2}' | sort -u | wc -l)" = 1 ] ||
    fail "the demo's nodes end in different states: $(grep -E '^(lead|co|sub) ' "$OUT")"
exit 0
