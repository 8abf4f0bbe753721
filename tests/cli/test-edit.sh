#!/usr/bin/env bash
# add / set / rm / list / show: refs given or made, one change-set per
# successful edit, none for a no-op or a refused edit, FIELD= unsets,
# a deleted record is gone (3), list --json is an object keyed by ref.
. "$(dirname "$0")/lib.sh"

init_lead lead
n=$(log_count lead)
# expect_edit DELTA CMD...: CMD succeeds and appends DELTA change-sets.
expect_edit() {
	local delta=$1; shift
	expect_rc 0 "$@"
	local now
	now=$(log_count lead)
	[ "$now" = $((n + delta)) ] || fail "$* appended $((now - n)) change-sets, expected $delta"
	n=$now
}
# expect_refused CODE CMD...: CMD exits CODE and appends nothing.
expect_refused() {
	local code=$1; shift
	local h
	h=$(state_hash lead)
	expect_rc "$code" "$@"
	[ "$(log_count lead)" = "$n" ] || fail "a refused edit appended to the log: $*"
	[ "$(state_hash lead)" = "$h" ] || fail "a refused edit changed the state: $*"
}

expect_edit 1 on lead add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
out_has '^added lot LOT-01$'
expect_edit 1 on lead add lot --ref LOT-02 sector=Hôtellerie-Restauration territory=85 rate_cents=1570
expect_edit 1 on lead add session --ref S000001 provider="$LEAD_SIRET" lot=LOT-01 scheme=1e1f \
    "title=Maçon (bloc 2)" cert_kind=block cert_code=RNCP38510BC02 site=Saint-Nazaire territory=44 \
    start=2026-03-02 end=2026-04-10 hours=210 capacity=8 permanent_entry=false
# a random ref, printed
expect_edit 1 on lead add trainee family_name=Thébaud given_name=Maëlle birth_year=1998 \
    ft_id=2318457K status=job_seeker disability=false part_time=false
out_has '^added trainee [^ ]+$'
ref=$(sed -n 's/^added trainee \([^ ]*\)$/\1/p' "$OUT")
expect_edit 1 on lead add trainee family_name=Brétéché given_name=Loïc birth_year=1985
ref2=$(sed -n 's/^added trainee \([^ ]*\)$/\1/p' "$OUT")
[ "$ref" != "$ref2" ] || fail "two adds without --ref made the same ref $ref"
expect_rc 0 on lead show trainee "$ref" --json
json_ok "$OUT"
python3 - "$OUT" "$ref" <<'PY' || fail "show trainee $ref --json: $(cat "$OUT")"
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r == {"type": "trainee", "ref": sys.argv[2], "fields": {
    "family_name": "Thébaud", "given_name": "Maëlle", "birth_year": 1998,
    "ft_id": "2318457K", "status": "job_seeker", "disability": False,
    "part_time": False}}, r
PY
expect_rc 0 on lead show trainee "$ref"
out_has "^trainee $ref\$"
out_has '^  family_name +Thébaud$'

# add on an existing ref: 3
expect_refused 3 on lead add lot --ref LOT-01 sector=Propreté territory=53 rate_cents=1365
err_has 'LOT-01'
err_has 'exists'
# set on a missing ref: 3
expect_refused 3 on lead set lot LOT-99 rate_cents=1000
err_has 'LOT-99'

# set changes a field: one change-set; the same value again: none
expect_edit 1 on lead set lot LOT-01 rate_cents=1420
expect_edit 0 on lead set lot LOT-01 rate_cents=1420
out_has 'no change'
expect_edit 1 on lead set session S000001 capacity=10 hours=245 end=2026-04-17
expect_rc 0 on lead show session S000001 --json
out_has '"capacity":10,'
out_has '"hours":245,'
# FIELD= unsets the field: absent from show --json and list --json
expect_edit 1 on lead set lot LOT-01 rate_cents=
expect_rc 0 on lead show lot LOT-01 --json
python3 -c '
import json, sys
r = json.load(open(sys.argv[1], encoding="utf-8"))
assert r["fields"] == {"sector": "Bâtiment", "territory": "44"}, r' "$OUT" || fail "rate_cents still set: $(cat "$OUT")"
expect_edit 0 on lead set lot LOT-01 rate_cents=
expect_edit 1 on lead set lot LOT-01 rate_cents=1430

# list --json: an object keyed by ref
expect_rc 0 on lead list lot --json
json_ok "$OUT"
python3 -c '
import json, sys
l = json.load(open(sys.argv[1], encoding="utf-8"))
assert l == {"LOT-01": {"rate_cents": 1430, "sector": "Bâtiment", "territory": "44"},
             "LOT-02": {"rate_cents": 1570, "sector": "Hôtellerie-Restauration", "territory": "85"}}, l
' "$OUT" || fail "list lot --json: $(cat "$OUT")"
expect_rc 0 on lead list lot
[ "$(cut -d' ' -f1 "$OUT" | tr '\n' ' ')" = "LOT-01 LOT-02 " ] || fail "list lot is not in ref order: $(cat "$OUT")"
expect_rc 0 on lead list trainee --json
python3 -c 'import json,sys; assert len(json.load(open(sys.argv[1]))) == 2' "$OUT" || fail "list trainee --json: $(cat "$OUT")"
expect_rc 0 on lead list derogation --json
[ "$(cat "$OUT")" = "{}" ] || fail "an empty type lists as $(cat "$OUT"), expected {}"

# rm: one change-set; then show and set are refused (3), rm again too
expect_edit 1 on lead rm trainee "$ref2"
out_has "^deleted trainee $ref2\$"
expect_refused 3 on lead show trainee "$ref2"
err_has "$ref2"
expect_refused 3 on lead show trainee "$ref2" --json
expect_refused 3 on lead set trainee "$ref2" birth_year=1986
expect_refused 3 on lead rm trainee "$ref2"
expect_rc 0 on lead list trainee --json
python3 -c 'import json,sys; l=json.load(open(sys.argv[1])); assert sorted(l) == [sys.argv[2]], l' "$OUT" "$ref" ||
	fail "a deleted trainee is still listed: $(cat "$OUT")"
expect_rc 0 on lead export --json
grep -qF "$ref2" "$OUT" && fail "a deleted trainee is still exported"

# a deleted ref added again starts afresh: none of its old fields come back
expect_edit 1 on lead rm lot LOT-02
expect_edit 1 on lead add lot --ref LOT-02 sector=Hôtellerie-Restauration
expect_rc 0 on lead show lot LOT-02 --json
[ "$(cat "$OUT")" = '{"fields":{"sector":"Hôtellerie-Restauration"},"ref":"LOT-02","type":"lot"}' ] ||
	fail "a re-added record: $(cat "$OUT")"
expect_rc 0 on lead rebuild
expect_rc 0 on lead show lot LOT-02 --json
out_has '^\{"fields":\{"sector":"Hôtellerie-Restauration"\},'

# the log is whole: verify passes, seq runs 1..n
expect_rc 0 on lead verify
on lead log --json | python3 -c '
import json, sys
l = json.load(sys.stdin)
assert [e["seq"] for e in l] == list(range(1, len(l) + 1)), [e["seq"] for e in l]
assert all(l[i]["prev"] == l[i - 1]["id"] for i in range(1, len(l)))
assert all(l[i]["hlc"] > l[i - 1]["hlc"] for i in range(1, len(l))), "hlc does not rise with seq"
assert len(set(e["id"] for e in l)) == len(l)
' || fail "the log's seq/prev/hlc chain is broken"

# usage errors: 2, nothing written
expect_refused 2 on lead add
expect_refused 2 on lead add castle --ref X name=Y
err_has 'unknown record type'
expect_refused 2 on lead add member --ref X name=Y
expect_refused 2 on lead add lot --ref LOT-09 sector
err_has 'FIELD=VALUE'
expect_refused 2 on lead add lot --ref LOT-09 sector=A sector=B
err_has 'twice'
expect_refused 2 on lead add lot --ref LOT-09 sector=
expect_refused 2 on lead set lot LOT-01
expect_refused 2 on lead rm lot
expect_refused 2 on lead show lot
expect_refused 2 on lead list
expect_refused 2 on lead list lot --yaml
exit 0
