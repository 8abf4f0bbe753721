#!/usr/bin/env bash
# Permissions across sync: a co-contractor may not edit a session another
# member provides (nor a path in it, nor a lot), a subcontractor may not
# add a lot nor name another provider; each is refused locally with exit 3
# and a message naming the reason, stores nothing (state hash, log), and
# after syncs in every direction the refused edits appear nowhere.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead sub "$SUB_SIRET" sub
serve_start lead; LEAD=$ADDR
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
same_state lead co sub

# refused NODE WHY-ERE CMD...: exit 3, WHY on stderr, nothing stored
refused() {
	local node=$1 why=$2 h n
	shift 2
	h=$(state_hash "$node")
	n=$(log_digest "$node")
	expect_rc 3 on "$node" "$@"
	err_has "$why" "no reason for the refusal of: $*"
	err_has 'EPERM|not permitted' "the refusal of \"$*\" does not say it is a permission"
	[ "$(state_hash "$node")" = "$h" ] || fail "the refused \"$*\" changed $node's state"
	[ "$(log_digest "$node")" = "$n" ] || fail "the refused \"$*\" changed $node's log"
}

# the co-contractor: S000001 and S000003 are the lead's sessions, P000001 a
# path in S000001
refused co 'another provider' set session S000001 capacity=99
refused co 'another provider' set session S000003 "title=Cuisinier (co)"
refused co 'another provider|session' set path P000001 hours=1
refused co 'another provider|session' rm session S000001
refused co 'only the lead' add lot --ref LOT-CO sector=X territory=44 rate_cents=1000
refused co 'provider' add session --ref SCOX provider="$CO2_SIRET" lot=LOT-01 scheme=1e1f \
    title=Soudeur cert_kind=full cert_code=RNCP1 site=Nantes territory=44 start=2026-05-04 \
    end=2026-07-01 hours=300 capacity=8 permanent_entry=false
refused co 'only the lead' set lot LOT-01 rate_cents=1
# the subcontractor
refused sub 'only the lead' add lot --ref LOT-SUB sector=X territory=44 rate_cents=1000
refused sub 'provider' add session --ref SSUBX provider="$CO_SIRET" lot=LOT-01 scheme=1e1f \
    title=Carreleur cert_kind=full cert_code=RNCP2 site=Nantes territory=44 start=2026-05-04 \
    end=2026-07-01 hours=300 capacity=8 permanent_entry=false
refused sub 'another provider|session' set session S000002 capacity=1
refused sub 'another provider|session' set session S000001 capacity=1
refused sub 'trainees and intents it recorded' set trainee T000001 given_name=Intrus
refused sub 'trainees and intents it recorded' set intent I000001 status=withdrawn

# what each may do, beside the refusals
expect_rc 0 on co set session S000002 capacity=11
expect_rc 0 on sub add trainee --ref TSUB1 family_name=Nguyen given_name=Linh birth_year=2001 \
    ft_id=7788990D status=job_seeker disability=false part_time=true

# syncs in every direction
serve_start co; CO=$ADDR
sync_ok sub "$CO"
sync_ok co "$LEAD"
sync_ok sub "$LEAD"
sync_ok lead "$CO"
same_state lead co sub
for n in lead co sub; do
	expect_rc 0 on "$n" show session S000001 --json
	grep -q '"capacity": *8' "$OUT" || fail "$n: S000001's capacity is not the original 8: $(cat "$OUT")"
	expect_rc 0 on "$n" show session S000003 --json
	grep -q 'Cuisinier (co)' "$OUT" && fail "$n: co's refused title of S000003 arrived"
	expect_rc 0 on "$n" show path P000001 --json
	grep -q '"hours": *210' "$OUT" || fail "$n: P000001's hours changed: $(cat "$OUT")"
	expect_rc 0 on "$n" show lot LOT-01 --json
	grep -q '"rate_cents": *1410' "$OUT" || fail "$n: LOT-01's rate changed: $(cat "$OUT")"
	expect_rc 0 on "$n" show trainee T000001 --json
	grep -q 'Intrus' "$OUT" && fail "$n: sub's refused trainee edit arrived"
	for rec in "lot LOT-CO" "lot LOT-SUB" "session SCOX" "session SSUBX"; do
		expect_fail on "$n" show $rec
	done
	# and the allowed edits did
	expect_rc 0 on "$n" show session S000002 --json
	grep -q '"capacity": *11' "$OUT" || fail "$n: co's allowed edit of S000002 is missing"
	expect_rc 0 on "$n" show trainee TSUB1
	# nothing was refused on receipt either: nothing refused was ever sent
	on "$n" status --json >"$n.status" || fail "status --json of $n failed"
	python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); assert s["refused"] in (0, []), s' "$n.status" ||
	    fail "$n counts change-sets with refused ops: $(cat "$n.status")"
done
exit 0
