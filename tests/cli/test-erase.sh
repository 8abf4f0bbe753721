#!/usr/bin/env bash
# consort erase trainee REF --reason TEXT: the lead erases a trainee's
# personal values in one change-set; show and subject say when and why,
# the node holds none of them any more (subject's opening count), and the
# store is compacted: no byte of the sealed values is left in data.mdb
# (without the compaction they are: checked on a copy erased by set).
# Refused: a reason holding one of the values, a member who did not
# record the trainee, a trainee erased already (its store compacted
# again), a missing trainee, a value written after the erasure, the
# erasure unset; a compaction a running server prevents is reported.
# A member erases a trainee it recorded.  The names are made up.
. "$(dirname "$0")/sync-lib.sh"

NAME=Zorglubovska
GIVEN=Quentaline
FTID=FT77001234

# openings NODE REF: how many of the trainee's values NODE holds (subject)
openings() {
	on "$1" subject trainee "$2" --json >"$T/.subj" 2>"$T/.subj.err" ||
	    fail "subject trainee $2 on $1 failed: $(cat "$T/.subj.err")"
	grep -oE '"openings":[0-9]+' "$T/.subj" | cut -d: -f2
}
# name_count NODE: how many files of the node directory hold a made-up value
name_count() {
	{ grep -rlaF -e "$NAME" -e "$GIVEN" -e "$FTID" "$T/$1" || true; } | wc -l
}
# sealed_left NODE DUMP: how many sealed openings of DUMP (mdb_dump lines)
# are still in NODE's data.mdb, bytes anywhere
sealed_left() {
	python3 - "$T/$1/store/data.mdb" "$2" <<'PY'
import sys
data = open(sys.argv[1], "rb").read()
vals = [bytes.fromhex(l.strip()) for l in open(sys.argv[2]) if l.strip()]
print(sum(1 for v in vals if v[:40] in data))
PY
}
# dump_openings NODE FILE: the sealed openings (values) of NODE's store
dump_openings() {
	command -v mdb_dump >/dev/null || fail "mdb_dump missing (Debian package lmdb-utils)"
	mdb_dump -s openings "$T/$1/store" | sed -n '/^HEADER=END/,/^DATA=END/p' |
	    sed '1d;$d' | awk 'NR % 2 == 0' >"$2"
	[ -s "$2" ] || fail "no opening in $1's store"
}

init_consortium lead
expect_rc 0 on lead add lot --ref LOT-01 sector=BTP territory=44 rate_cents=1000
expect_rc 0 on lead add trainee --ref T1 family_name="$NAME" given_name="$GIVEN" \
    birth_year=1991 ft_id="$FTID" status=job_seeker disability=false
expect_rc 0 on lead add trainee --ref T2 family_name=Brunehildar given_name=Ofelio \
    status=job_seeker

expect_rc 0 consort erase --help
out_has 'usage: consort \[--dir DIR\] erase trainee REF --reason TEXT'
expect_rc 2 on lead erase trainee T1
err_has 'reason TEXT is required'
expect_rc 2 on lead erase lot LOT-01 --reason x
err_has 'only a trainee'

# sealed at rest: no file holds a value in the clear, but the node holds them
[ "$(name_count lead)" = 0 ] || fail "a file of the node holds a personal value in the clear"
[ "$(openings lead T1)" = 5 ] || fail "the lead holds $(openings lead T1) values of T1, expected 5"

# a reason that holds a value is refused, in any case, nothing written
logs=$(log_count lead)
for reason in "$NAME asked for it" "asked by ${GIVEN,,}" "file $FTID closed" "born in 1991"; do
	expect_rc 3 on lead erase trainee T1 --reason "$reason"
	err_has 'the reason holds the trainee.s' "no refusal of the reason \"$reason\""
	err_has_fixed 'travels to every member'
done
expect_rc 3 on lead erase trainee T1 --reason "$(printf 'a%.0s' $(seq 501))"
err_has '1 to 500 bytes'
expect_rc 3 on lead erase trainee T1 --reason ok --date 2026-02-30
err_has 'real day'
expect_rc 3 on lead erase trainee NOPE --reason "asked by the person"
err_has 'no such trainee'
[ "$(log_count lead)" = "$logs" ] || fail "a refused erasure appended to the log"

# without the compaction, the sealed values stay in the file (a copy
# erased by set while serve holds it open, so that the compaction the
# erasure asks for stays pending): the check below can tell
dump_openings lead "$T/openings.lead"
cp -a "$T/lead" "$T/copy"
serve_start copy
expect_rc 0 on copy set trainee T1 erased=2026-03-01 erased_reason=test
expect_rc 0 on copy set trainee T2 erased=2026-03-01 erased_reason=test
serve_stop "$SPID" KILL
[ "$(sealed_left copy "$T/openings.lead")" -gt 0 ] ||
    fail "an erasure without compaction left no sealed byte: the check cannot fail"

expect_rc 0 on lead erase trainee T1 --reason "asked by the person" --date 2026-03-02
out_has 'erased trainee T1: personal values erased on 2026-03-02 \(5 held'
out_has 'store compacted'
[ "$(log_count lead)" = $((logs + 1)) ] || fail "the erasure is not one change-set"
[ "$(openings lead T1)" = 0 ] || fail "the lead still holds values of T1 after its erasure"
[ "$(openings lead T2)" = 2 ] || fail "the erasure of T1 touched T2's values"
expect_rc 0 on lead erase trainee T2 --reason "asked by the person"
[ "$(sealed_left lead "$T/openings.lead")" = 0 ] || fail "sealed values are left in data.mdb after the erasure"
[ "$(name_count lead)" = 0 ] || fail "a file of the node holds a personal value after the erasure"
[ ! -e "$T/lead/store/compact" ] || fail "the compaction left its folder"
expect_rc 0 on lead verify

# show and subject say it plainly
expect_rc 0 on lead show trainee T1
out_has '^personal values erased on 2026-03-02: asked by the person$'
out_has 'family_name +\(erased\)'
expect_rc 0 on lead show trainee T1 --json
python3 - "$OUT" <<'PY' || fail "show --json of the erased trainee: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
f = d["fields"]
assert f["erased"] == "2026-03-02" and f["erased_reason"] == "asked by the person", f
assert "family_name" not in f and "family_name" in d["erased"] and "sealed" not in d, d
PY
expect_rc 0 on lead subject trainee T1 --json
python3 - "$OUT" <<'PY' || fail "subject --json of the erased trainee: $(cat "$OUT")"
import json, sys
t = json.load(open(sys.argv[1]))["trainee"]
assert t["erased"] == {"date": "2026-03-02", "reason": "asked by the person"}, t
assert t["openings"] == 0 and t["commitments"] == 5, t
assert set(t["personal"].values()) == {"erased"}, t
PY

# twice: refused, saying when and why; the store is compacted again
expect_rc 3 on lead erase trainee T1 --reason "again"
err_has 'erased already on 2026-03-02 \(reason: asked by the person\)'
err_has 'the store was compacted'
expect_rc 3 on copy erase trainee T1 --reason "again"
[ "$(sealed_left copy "$T/openings.lead")" = 0 ] ||
    fail "erase of a trainee erased already did not compact the store"

# nothing writes the values again, and nobody unsets the erasure
expect_rc 3 on lead set trainee T1 family_name="$NAME"
err_has 'erased'
expect_rc 3 on lead set trainee T1 erased=
err_has 'nobody unsets it'
expect_rc 3 on lead set trainee T1 erased_reason=
err_has 'nobody unsets it'

# a deleted trainee's values can be erased
expect_rc 0 on lead add trainee --ref T3 given_name=Ulrikana status=employee
expect_rc 0 on lead rm trainee T3
expect_rc 0 on lead erase trainee T3 --reason "file closed"
expect_rc 0 on lead subject trainee T3 --json
grep -q '"deleted":true' "$OUT" || fail "subject of a deleted trainee does not say so"

# a member may erase only the trainees it recorded
join_node lead co "$CO_SIRET" co
expect_rc 0 on lead add trainee --ref T4 family_name=Wolkenstein status=job_seeker
expect_rc 0 on lead bundle export --out "$T/lead.bundle"
expect_rc 0 on co bundle import "$T/lead.bundle"
logs=$(log_count co)
expect_rc 3 on co erase trainee T4 --reason "asked by the person"
err_has 'only the lead or the member who recorded a trainee may erase'
err_has "$CO_SIRET"
err_has "ask the lead \\($LEAD_NAME, SIRET $LEAD_SIRET\\)"
[ "$(log_count co)" = "$logs" ] || fail "a refused erasure appended to the member's log"
expect_rc 0 on co add trainee --ref T5 family_name=Pimprenelloz status=job_seeker
expect_rc 0 on co erase trainee T5 --reason "asked by the person"
expect_rc 0 on co bundle export --out "$T/co.bundle"
expect_rc 0 on lead bundle import "$T/co.bundle"
expect_rc 0 on lead show trainee T5
out_has '^personal values erased on .*: asked by the person$'

# the erasure reaches a member entitled to the values: its node deletes
# them; its erase of the trainee, erased already, compacts its store
expect_rc 0 on lead add session --ref S7 provider="$CO_SIRET" lot=LOT-01 title=Coffreur
expect_rc 0 on lead add trainee --ref T7 family_name=Oberwiesnik status=job_seeker
expect_rc 0 on lead add path --ref P7 trainee=T7 session=S7
expect_rc 0 on lead bundle export --for "$CO_SIRET" --out "$T/lead.bundle"
expect_rc 0 on co bundle import "$T/lead.bundle"
[ "$(openings co T7)" = 1 ] || fail "the provider's node did not get T7's value"
expect_rc 0 on lead erase trainee T7 --reason "asked by the person"
expect_rc 0 on lead bundle export --out "$T/lead.bundle"
expect_rc 0 on co bundle import "$T/lead.bundle"
[ "$(openings co T7)" = 0 ] || fail "the erasure did not delete T7's value on the provider's node"
expect_rc 0 on co show trainee T7
out_has '^personal values erased on .*: asked by the person$'
expect_rc 3 on co erase trainee T7 --reason "again"
err_has 'erased already'
err_has 'the store was compacted'

# a server holding the store open: the erasure is kept, the compaction
# waits, and erase once the server stopped compacts
expect_rc 0 on lead add trainee --ref T6 family_name=Grabowiczka status=job_seeker
serve_start lead
expect_rc 1 on lead erase trainee T6 --reason "asked by the person"
err_has 'the erasure is recorded, but the store could not be compacted'
err_has 'EBUSY'
serve_stop "$SPID"
expect_rc 3 on lead erase trainee T6 --reason "asked by the person"
err_has 'the store was compacted'
[ "$(openings lead T6)" = 0 ] || fail "T6's values are held after its erasure"
