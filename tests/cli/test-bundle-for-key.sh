#!/usr/bin/env bash
# A bundle made `--for SIRET` is sealed to that member's current key: the
# co-contractor imports the lead's and reads its trainee's personal values;
# another member's node refuses it and says whose it is.  After the co
# replaces its key, a bundle the lead made for the old key (before it had
# the rotation) is refused on the co, which asks for a new one; the new
# one opens; a copy of the co's node with the old key files opens neither
# it nor a copy relabelled for the old key.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
expect_rc 0 on lead add lot --ref LOT-K sector=Logistique territory=49 rate_cents=1380
expect_rc 0 on lead add session --ref S-CO provider="$CO_SIRET" lot=LOT-K scheme=socle \
    title="Cariste" cert_kind=rs cert_code=RS5801 site=Angers territory=49 \
    start=2026-10-05 end=2026-10-30 hours=105 capacity=10 permanent_entry=true
# trainee REF GIVEN FT_ID: a made-up trainee with a path in the co's session
trainee() {
	expect_rc 0 on lead add trainee --ref "$1" family_name=Vantardelli given_name="$2" \
	    birth_year=1990 ft_id="$3" status=job_seeker disability=false part_time=false
	expect_rc 0 on lead add path --ref "P-$1" trainee="$1" session=S-CO hours=105 \
	    modules=M1 financed=true
}
trainee TK1 Ombeline FTVA0101K
old=$(pubkey co)

# the lead's bundle for the co: sealed to the co's key, its values read there
expect_rc 0 on lead bundle export --out "$T/b1.bundle" --for "$CO_SIRET"
out_has ', [1-9][0-9]* personal values,'
[ "$(head -c 8 "$T/b1.bundle")" = CSRTBDL2 ] || fail "a bundle made --for is not sealed to a key"
[ "$(od -An -tx1 -v -j 40 -N 32 "$T/b1.bundle" | tr -d ' \n')" = "$old" ] ||
    fail "the bundle for the co does not name the co's key"
h_co2=$(state_hash co2)
expect_rc 0 on co bundle import "$T/b1.bundle"
out_has '; [1-9][0-9]* personal values kept'
expect_rc 0 on co show trainee TK1 --json
out_has '"given_name": *"Ombeline"'

# another member's node says whose bundle it is, and applies nothing
expect_fail on co2 bundle import "$T/b1.bundle"
err_has "made for key ${old:0:16}…, not for this node's key"
err_has "ask for a bundle made with --for"
[ "$(state_hash co2)" = "$h_co2" ] || fail "co2 applied a bundle made for the co"

# the co replaces its key; the lead, without the rotation yet, still
# seals its next bundle for the co to the old key
cp -a "$T/co" "$T/co-before"
expect_rc 0 on co key rotate
new=$(pubkey co)
[ "$new" != "$old" ] || fail "the key did not change"
trainee TK2 Sidonie FTVA0202K
expect_rc 0 on lead bundle export --out "$T/b2.bundle" --for "$CO_SIRET"
h_co=$(state_hash co)
expect_fail on co bundle import "$T/b2.bundle"
err_has "made for key ${old:0:16}…, which member $CO_SIRET replaced since"
err_has "ask for a new bundle made with --for $CO_SIRET"
[ "$(state_hash co)" = "$h_co" ] || fail "the co applied a bundle made for its replaced key"

# the rotation reaches the lead; its new bundle for the co opens there
expect_rc 0 on co bundle export --out "$T/co.bundle"
expect_rc 0 on lead bundle import "$T/co.bundle"
expect_rc 0 on lead bundle export --out "$T/b3.bundle" --for "$CO_SIRET"
[ "$(od -An -tx1 -v -j 40 -N 32 "$T/b3.bundle" | tr -d ' \n')" = "$new" ] ||
    fail "the bundle made after the rotation is not for the co's new key"
expect_rc 0 on co bundle import "$T/b3.bundle"
expect_rc 0 on co show trainee TK2 --json
out_has '"given_name": *"Sidonie"'

# a copy of the co's node with its old key files opens none of it
cp -a "$T/co" "$T/stale"
for f in key key.pub network.key; do cp "$T/co-before/$f" "$T/stale/$f"; done
[ "$(pubkey stale)" = "$old" ] || fail "the stale copy does not hold the old key"
h_stale=$(state_hash stale)
expect_fail on stale bundle import "$T/b3.bundle"
err_has "made for key ${new:0:16}…, not for this node's key, which member $CO_SIRET replaced since"
err_has "import it on the node that holds the member's new key"
# ... nor the same bundle relabelled for the old key
python3 - "$T/b3.bundle" "$T/b3-old.bundle" "$old" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[40:72] = bytes.fromhex(sys.argv[3])
open(sys.argv[2], "wb").write(b)
PY
expect_fail on stale bundle import "$T/b3-old.bundle"
err_has "file key does not open with this node's key"
[ "$(state_hash stale)" = "$h_stale" ] || fail "the stale copy applied the bundle made for the new key"
expect_rc 0 on co verify
