#!/usr/bin/env bash
# Orders and notices stand for something signed: nobody rewrites, deletes
# or forges them, the lead included.  The real binary refuses at once
# (exit 3, nothing written) every set, unset, rm or add of an order or a
# notice, and a notice whose period is no real month; an import line too.
# Change-sets a dishonest member signs with its own key without those
# checks (tests/forge.c) reach other nodes over TCP, and are refused
# there: an order under another signer's request, an order whose request
# signature does not hold, fields that are not the request's, a notice in
# another member's name or to another lead.  The same crafting with the
# member's own valid direct request is taken, which shows it is right.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub
expect_rc 0 on lead add agreement --ref A-R05-S000001 reference=DR-2026-0098 \
    date=2026-02-27 subject=group_size session=S000001
expect_rc 0 on lead add derogation --ref D-R05-S000001 rule=R05 session=S000001 \
    reason="Équilibre financier" date=2026-03-01 agreement=A-R05-S000001
expect_rc 0 on lead order build --lot LOT-01 --period 2026-03 --out d.json
expect_rc 0 on lead order submit d.json
OREF=$(sed -E 's/.*order (O-[^ ]+)$/\1/' "$OUT")
serve_start lead; LEAD=$ADDR
for n in co co2 sub; do sync_ok "$n" "$LEAD"; done

# refused NODE WHY-ERE CMD...: exit 3 at once, WHY on stderr, nothing stored
refused() {
	local node=$1 why=$2 h n
	shift 2
	h=$(state_hash "$node")
	n=$(log_digest "$node")
	expect_rc 3 on "$node" "$@"
	err_has "$why" "no reason for the refusal of: $*"
	[ "$(state_hash "$node")" = "$h" ] || fail "the refused \"$*\" changed $node's state"
	[ "$(log_digest "$node")" = "$n" ] || fail "the refused \"$*\" changed $node's log"
}
# forged NODE TO WHY-ERE OP...: NODE forges a change-set of OPs
# (tests/forge.c); it reaches TO (through the lead's server): stored with
# its ops refused for WHY, TO's state unchanged
forged() {
	local node=$1 to=$2 why=$3 h r
	shift 3
	sync_ok "$to" "$LEAD"
	[ "$node" = lead ] || sync_ok "$node" "$LEAD"
	h=$(state_hash "$to")
	r=$(refusals "$to" "$why")
	forge "$node" "$@"
	[ "$node" = lead ] || sync_ok "$node" "$LEAD"
	sync_ok "$to" "$LEAD"
	[ "$(state_hash "$to")" = "$h" ] || fail "$node's forged change-set changed $to's state: $*"
	[ "$(refusals "$to" "$why")" = $((r + 1)) ] ||
	    fail "$to did not refuse $node's forged change-set for /$why/: $*"
}
# order_ops FILE NUMBER [AMENDS]: the ops creating the order record of a
# signed request file, every field as consort order submit writes it
order_ops() {
	python3 - "$@" <<'PY'
import hashlib, json, sys
path, number = sys.argv[1], sys.argv[2]
text = open(path, encoding="utf-8").read()
assert text.endswith("\n")
open(path + ".signed", "w", encoding="utf-8").write(text[:-1])
f = json.loads(text)
r, s = f["request"], f["signature"]
canon = text[len('{"request":'):text.rindex(',"signature":')]
h = hashlib.sha256(canon.encode()).hexdigest()
t = r["totals"]
ref = "O-%s-%s-%s" % (r["lot"]["ref"], r["period"], h[:12])
ops = [["create", "order", ref]]
for k, v in (("lot", r["lot"]["ref"]), ("period", r["period"]), ("hash", h),
             ("key", s["key"]), ("signature", s["sig"]), ("date", "2026-03-31"),
             ("sessions", t["sessions"]), ("financed", t["financed"]),
             ("hours", t["hours"]), ("cost_cents", t["cost_cents"]),
             ("sender", r["sender"]["siret"]),
             ("direct", "true" if r["sender"]["direct"] else "false"),
             ("number", number), ("signed", "@" + path + ".signed")):
    ops.append(["set", "order", ref, k, str(v)])
if len(sys.argv) > 3:
    ops.append(["set", "order", ref, "amends", sys.argv[3]])
for op in ops:
    print("\n".join(op))
PY
}
# notice_ops LOT PERIOD MEMBER LEAD: the ops creating a notice
notice_ops() {
	local ref="N-$1-$2-$3"
	printf '%s\n' create notice "$ref" set notice "$ref" lot "$1" set notice "$ref" period "$2" \
	    set notice "$ref" member "$3" set notice "$ref" lead "$4" set notice "$ref" date 2026-04-01
}

# --- the real binary refuses at once, the lead as anyone ---
refused co 'never changed nor deleted' set order "$OREF" cost_cents=1
refused co 'never changed nor deleted' rm order "$OREF"
refused lead 'never changed nor deleted' rm order "$OREF"
refused lead 'never changed nor deleted' set order "$OREF" number=7
refused lead 'never changed nor deleted' set order "$OREF" signed=
err_has 'orders are recorded by consort order submit'
refused co 'holds the signed request' add order --ref O-FAKE lot=LOT-01 period=2026-03 \
    hash="$(printf 'a%.0s' $(seq 64))" sender="$LEAD_SIRET" number=1
refused co 'names its own author as the member' add notice --ref "N-LOT-01-2026-03-$CO2_SIRET" \
    lot=LOT-01 period=2026-03 member="$CO2_SIRET" lead="$LEAD_SIRET" date=2026-03-01
refused co "names the consortium's lead" add notice --ref "N-LOT-01-2026-03-$CO_SIRET" \
    lot=LOT-01 period=2026-03 member="$CO_SIRET" lead="$CO2_SIRET" date=2026-03-01
refused lead 'only a co-contractor records a notice' add notice --ref "N-LOT-01-2026-03-$LEAD_SIRET" \
    lot=LOT-01 period=2026-03 member="$LEAD_SIRET" lead="$LEAD_SIRET" date=2026-03-01
refused co 'a month YYYY-MM' add notice --ref N-LOT-01-2026-13 lot=LOT-01 period=2026-13 \
    member="$CO_SIRET" lead="$LEAD_SIRET" date=2026-03-01
err_has 'ESCHEMA'
printf '%s\n' "{\"type\":\"order\",\"ref\":\"$OREF\",\"cost_cents\":1}" >o.jsonl
refused co 'o.jsonl:1: .*never changed nor deleted' import o.jsonl

# --- forged over TCP: refused on the nodes they reach ---
forged co lead "never changed nor deleted" set order "$OREF" cost_cents 1
forged co lead "never changed nor deleted" delete order "$OREF"
forged co co2 "never changed nor deleted" unset order "$OREF" signed
forged lead co "never changed nor deleted" set order "$OREF" cost_cents 2       # the lead cannot either
mapfile -t ops < <(order_ops d.json 1)
forged co lead "created once" "${ops[@]}"  # the lead's submitted request again

# co's own direct request (R11): its notice, then the request
expect_rc 0 on co add agreement --ref A-R05-S000002 reference=DR-2026-0121 \
    date=2026-03-30 subject=group_size session=S000002
expect_rc 0 on co add derogation --ref D-R05-S000002 rule=R05 session=S000002 \
    reason="Équilibre financier" date=2026-04-01 agreement=A-R05-S000002
expect_rc 0 on co order build --lot LOT-01 --period 2026-04 --direct --out co.json
sync_ok co "$LEAD"
# a request the lead built and signed, not submitted: recorded as co's
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out e.json
mapfile -t ops < <(order_ops e.json 1)
forged co lead "not signed by the author" "${ops[@]}"
expect_fail on lead show order "${ops[2]}"
# its signature altered (one hex digit): well formed, but it does not hold
python3 - co.json bad.json <<'PY'
import sys
t = open(sys.argv[1], encoding="utf-8").read()
i = t.index('"sig":"') + len('"sig":"')
t = t[:i] + ("1" if t[i] != "1" else "2") + t[i + 1:]
open(sys.argv[2], "w", encoding="utf-8").write(t)
PY
mapfile -t ops < <(order_ops bad.json 1)
forged co lead "not signed by the author" "${ops[@]}"
mapfile -t ops < <(order_ops co.json 2)       # a number that is not the next
forged co lead "number and the order it amends" "${ops[@]}"
mapfile -t ops < <(order_ops co.json 1)
for i in "${!ops[@]}"; do [ "${ops[$i]}" = cost_cents ] && ops[$((i + 1))]=1; done
forged co lead "totals are its signed request" "${ops[@]}"  # a total that is not the request's
# the same crafting, right: taken everywhere
mapfile -t ops < <(order_ops co.json 1)
CREF=${ops[2]}
h=$(state_hash lead)
forge co "${ops[@]}"
grep -q ' 0 refused here' "$T/.forge.out" || fail "co's own valid order was refused: $(cat "$T/.forge.out")"
sync_ok co "$LEAD"
[ "$(state_hash lead)" != "$h" ] || fail "co's valid crafted order did not reach the lead"
expect_rc 0 on lead show order "$CREF" --json
grep -q "\"sender\": *\"$CO_SIRET\"" "$OUT" || fail "co's order is not co's: $(head -c 300 "$OUT")"
# created once: the same again is refused
forged co lead "created once" "${ops[@]}"

# notices: only a co-contractor's own, to the real lead, on a live lot
mapfile -t ops < <(notice_ops LOT-01 2026-05 "$CO_SIRET" "$LEAD_SIRET")
forged co2 lead "names its own author as the member" "${ops[@]}"
mapfile -t ops < <(notice_ops LOT-01 2026-05 "$CO2_SIRET" "$CO2_SIRET")
forged co2 lead "names the consortium.s lead" "${ops[@]}"
mapfile -t ops < <(notice_ops LOT-99 2026-05 "$CO2_SIRET" "$LEAD_SIRET")
forged co2 lead "names a lot that exists" "${ops[@]}"
mapfile -t ops < <(notice_ops LOT-01 2026-05 "$SUB_SIRET" "$LEAD_SIRET")
forged sub lead "only a co-contractor records a notice" "${ops[@]}"
mapfile -t ops < <(notice_ops LOT-01 2026-05 "$CO2_SIRET" "$LEAD_SIRET")
forge co2 "${ops[@]}"
grep -q ' 0 refused here' "$T/.forge.out" || fail "co2's own notice was refused: $(cat "$T/.forge.out")"
sync_ok co2 "$LEAD"
expect_rc 0 on lead show notice "N-LOT-01-2026-05-$CO2_SIRET"

# every node ends in one state; the lead's order as submitted
for n in co co2 sub co co2; do sync_ok "$n" "$LEAD"; done
same_state lead co co2 sub
for n in lead co co2 sub; do
	expect_rc 0 on "$n" list order
	[ "$(grep -c '^O-' "$OUT")" = 2 ] || fail "$n holds other orders than the two real ones: $(cat "$OUT")"
	grep -q "^$OREF .*cost_cents=562590 .*number=1 " "$OUT" || fail "$n: the lead's order changed: $(cat "$OUT")"
	expect_rc 0 on "$n" verify
done
exit 0
