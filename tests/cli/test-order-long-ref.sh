# The refs of submitted requests and notices are never cut: with a lot ref
# of 126 bytes, the requests of two months both got the ref "O-" + the lot
# (the second "already submitted").  A lot whose ref leaves no room for
# them is refused by order build with the reason; with the longest ref
# that fits (103 bytes), two months give two whole, different refs.
. "$(dirname "$0")/lib.sh"

# run LOT: a consortium whose LOT-01 is called LOT, both sessions derogated
# with the Region's agreement
run() {
	rm -rf "$T/lead"
	init_lead lead
	sed "s/\"LOT-01\"/\"$1\"/g" "$DATA/sample.jsonl" >data.jsonl
	on lead import data.jsonl >/dev/null || fail "import failed"
	for s in S000001 S000002; do
		on lead add agreement --ref "A-$s" reference="DR-$s" date=2026-02-18 \
		    subject=group_size session=$s >/dev/null || fail "agreement failed"
		on lead add derogation --ref "D-$s" rule=R05 session=$s reason="Équilibre" \
		    date=2026-02-20 agreement="A-$s" >/dev/null || fail "derogation failed"
	done
}

long=$(printf 'L%.0s' $(seq 126))
run "$long"
expect_rc 1 on lead order build --lot "$long" --period 2026-03 --out mar.json
err_has "lot: a ref of 126 bytes: the refs of its orders and notices would not fit in 128 bytes"
err_has "TOOBIG"
[ ! -e mar.json ] || fail "a refused build wrote its file"
expect_rc 1 on lead order build --lot "$long" --period 2026-04 --out apr.json

fits=$(printf 'L%.0s' $(seq 103))
run "$fits"
expect_rc 0 on lead order build --lot "$fits" --period 2026-03 --out mar.json
expect_rc 0 on lead order build --lot "$fits" --period 2026-04 --out apr.json
expect_rc 0 on lead order submit mar.json
out_has "order O-$fits-2026-03-[0-9a-f]{12}$"
expect_rc 0 on lead order submit apr.json
out_has "^submitted apr.json: order O-$fits-2026-04-[0-9a-f]{12}$"
[ "$(on lead list order | grep -c "^O-$fits-2026-0[34]-")" = 2 ] ||
    fail "two months did not give two order records: $(on lead list order)"
