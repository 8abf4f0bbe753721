#!/usr/bin/env bash
# rm refuses (exit 3, nothing written) a record that live records still
# name in a reference field — a lot its sessions, a session its paths and
# derogations, a trainee or an intent its paths — naming one of them, how
# many, and what to do; once they are gone, it deletes.  Two members who
# delete concurrently are not stopped: what they leave is listed as a
# business conflict (R16, a path whose session was deleted).
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"

# refused_rm NODE TYPE REF WHAT-ERE: exit 3, WHAT on stderr, nothing stored
refused_rm() {
	local h n
	h=$(state_hash "$1")
	n=$(log_count "$1")
	expect_rc 3 on "$1" rm "$2" "$3"
	err_has "$4"
	err_has 'EREF'
	err_has 'delete them or point them at another'
	[ "$(state_hash "$1")" = "$h" ] || fail "a refused rm $2 $3 changed the state"
	[ "$(log_count "$1")" = "$n" ] || fail "a refused rm $2 $3 appended to the log"
}

refused_rm lead lot LOT-01 '^consort rm: lot LOT-01: 2 live records still name it \(session S00000[12] and others\)'
refused_rm lead session S000001 '2 live records still name it \(path P00000[12] and others\)'
refused_rm lead trainee T000001 '1 live record still names it \(path P000001\)'
refused_rm lead intent I000005 'path P000005'

# a lot, a session, a path and a derogation of our own, deleted leaf first
expect_rc 0 on lead add lot --ref LOT-X sector=Test territory=44 rate_cents=1000
expect_rc 0 on lead add session --ref SX provider="$LEAD_SIRET" lot=LOT-X scheme=socle title=Test
expect_rc 0 on lead add path --ref PX trainee=T000001 session=SX hours=10 financed=true
expect_rc 0 on lead add derogation --ref DX rule=R05 session=SX reason=Test date=2026-03-01
refused_rm lead lot LOT-X 'session SX\)'
refused_rm lead session SX '2 live records still name it \((derogation DX|path PX) and others\)'
expect_rc 0 on lead rm derogation DX
refused_rm lead session SX '1 live record still names it \(path PX\)'
expect_rc 0 on lead rm path PX
expect_rc 0 on lead rm session SX
expect_rc 0 on lead rm lot LOT-X
expect_rc 0 on lead verify

# concurrent: the lead deletes a session (no path in its state) while the
# co-contractor who runs it adds a path: both go through, R16 lists it
join_node lead co "$CO_SIRET" co
expect_rc 0 on lead add session --ref SY provider="$CO_SIRET" lot=LOT-01 scheme=socle title=Test
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
expect_rc 0 on co add path --ref PY trainee=T000003 session=SY hours=10 financed=true
expect_rc 0 on lead rm session SY
sync_ok co "$LEAD"
same_state lead co
expect_rc 4 on lead conflicts path PY
out_has 'R16'
exit 0
