# A member other than the lead imports a file: a single record it may not
# write (another provider's session) refuses the whole file, naming the
# line, and nothing is written; the same file without it imports.
. "$(dirname "$0")/sync-lib.sh"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
join_node lead co "$CO_SIRET" co
on lead bundle export --out "$T/all.bundle" >/dev/null || fail "bundle export failed"
on co bundle import "$T/all.bundle" >/dev/null || fail "bundle import failed"

cat >"$T/mixed.jsonl" <<JSON
{"type":"trainee","ref":"TX1","family_name":"Aubry","given_name":"Inès"}
{"type":"session","ref":"SX1","provider":"$CO_SIRET","lot":"LOT-01","title":"Coffreur"}
{"type":"session","ref":"SX2","provider":"$LEAD_SIRET","lot":"LOT-01","title":"Not its own"}
JSON
before=$(state_hash co)
logs=$(log_count co)
expect_rc 3 on co import "$T/mixed.jsonl"
err_has 'mixed.jsonl:3: '
err_has 'provider'
err_has_fixed 'nothing was written'
[ "$(state_hash co)" = "$before" ] || fail "a refused import changed the state"
[ "$(log_count co)" = "$logs" ] || fail "a refused import appended to the log"

head -n 2 "$T/mixed.jsonl" >"$T/own.jsonl"
expect_rc 0 on co import "$T/own.jsonl"
out_has '2 records read, 2 new or changed, 1 change-sets'
[ "$(log_count co)" = $((logs + 1)) ] || fail "the import did not append one change-set"
