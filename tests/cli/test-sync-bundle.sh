#!/usr/bin/env bash
# Bundles (the sync stream in a file sealed with the network key): a full
# export imported on a joined node gives the lead's state; importing it
# again changes nothing; a bundle cut short (at several offsets, also on
# frame boundaries), with one byte flipped (several positions), with bytes
# appended, or of another consortium is refused with a message and the
# state unchanged; `--for SIRET` after a sync and `--since STATUS.json`
# write only what the member lacks, and a member's bundle brings its edits
# back to the lead.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead add lot --ref LOT-B1 sector=Numérique territory=72 rate_cents=1650
expect_rc 0 on lead set intent I000001 "evidence=courrier 2026-05-02"
join_node lead co "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub

# exported FILE: the change-set count `bundle export` printed ($OUT), after
# checking that the byte count it printed is the file's size.
exported() {
	local line
	line=$(grep -E "^wrote .*: [0-9]+ change-sets, [0-9]+ personal values, [0-9]+ bytes$" "$OUT") ||
	    fail "bundle export printed no count: $(cat "$OUT")"
	[ "$(echo "$line" | sed -E 's/.* ([0-9]+) bytes$/\1/')" = "$(stat -c %s "$1")" ] ||
	    fail "bundle export printed another size than the file's $(stat -c %s "$1"): $line"
	echo "$line" | sed -E 's/.*: ([0-9]+) change-sets,.*/\1/'
}

expect_rc 0 on lead bundle export --out "$T/full.bundle"
full=$(exported "$T/full.bundle")
[ "$full" = "$(log_count lead)" ] || fail "a full bundle holds $full change-sets, the lead's log $(log_count lead)"
# a second export replaces the file whole (the rule of --out: README.md)
expect_rc 0 on lead bundle export --out "$T/full.bundle"
[ "$(exported "$T/full.bundle")" = "$full" ] || fail "a bundle exported again over the first differs"

# refused_bundle FILE ERE: importing FILE on co fails, names the reason,
# and changes nothing.
h_co=$(state_hash co)
n_co=$(log_digest co)
refused_bundle() {
	expect_fail on co bundle import "$1"
	err_has "$2" "the refusal of $(basename "$1") does not name the reason"
	[ "$(state_hash co)" = "$h_co" ] || fail "the refused $(basename "$1") changed co's state"
	[ "$(log_digest co)" = "$n_co" ] || fail "the refused $(basename "$1") changed co's log"
}

# the frames of the full bundle: offsets where each starts (after the
# 8-byte magic, 32-byte consortium id and 24-byte stream header)
size=$(stat -c %s "$T/full.bundle")
read -r -a frames < <(python3 - "$T/full.bundle" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
i, out = 64, []
while i < len(b):
    out.append(i)
    i += 4 + struct.unpack(">I", b[i:i + 4])[0]
assert i == len(b), "frames do not end at the end of the file"
print(*out)
PY
)
[ ${#frames[@]} -ge 3 ] || fail "the full bundle has ${#frames[@]} frames, expected HELLO, BATCH..., DONE"
last=${frames[${#frames[@]} - 1]}

# cut short: inside the prefix, at and inside frames, before the FINAL frame
for cut in 0 5 8 39 40 63 64 66 68 $((frames[1])) $((frames[1] + 2)) $((frames[1] + 100)) \
    $(((frames[1] + last) / 2)) "$last" $((last + 4)) $((size - 1)); do
	head -c "$cut" "$T/full.bundle" >"$T/cut-$cut.bundle"
	refused_bundle "$T/cut-$cut.bundle" 'cut short|truncated|not a consort bundle|missing|TRUNCATED|impossible length'
done
# the last frame missing is said so
refused_bundle "$T/cut-$last.bundle" 'last frame is missing|cut short'

# one byte flipped: magic, consortium id, stream header, a frame length,
# HELLO, BATCH, the MAC of the FINAL frame
for pos in 0 7 8 39 40 63 64 67 $((frames[0] + 20)) $((frames[1] + 3)) $((frames[1] + 50)) \
    $(((frames[1] + last) / 2)) $((last + 10)) $((size - 1)); do
	python3 - "$T/full.bundle" "$T/flip-$pos.bundle" "$pos" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[3])] ^= 0x20
open(sys.argv[2], "wb").write(b)
PY
	refused_bundle "$T/flip-$pos.bundle" 'altered|authenticate|another consortium|not a consort bundle|impossible length|cut short|signature|bundle'
done
refused_bundle "$T/flip-0.bundle" 'not a consort bundle'
refused_bundle "$T/flip-8.bundle" 'another consortium'
refused_bundle "$T/flip-$((frames[1] + 50)).bundle" 'altered|does not authenticate'

# bytes after the FINAL frame
{ cat "$T/full.bundle"; printf 'x'; } >"$T/trailing.bundle"
refused_bundle "$T/trailing.bundle" 'after the bundle.s last frame|trailing|TRAILING'
# a whole extra frame appended (the BATCH frame again)
{ cat "$T/full.bundle"; tail -c +$((frames[1] + 1)) "$T/full.bundle" | head -c $((last - frames[1])); } >"$T/replay.bundle"
refused_bundle "$T/replay.bundle" 'after the bundle.s last frame|trailing|TRAILING|authenticate'
# a file that is no bundle, an empty one, a missing one
printf 'CSRTBDL1' >"$T/magic-only.bundle"
refused_bundle "$T/magic-only.bundle" 'not a consort bundle|cut short'
cp "$DATA/sample.jsonl" "$T/sample.jsonl"
refused_bundle "$T/sample.jsonl" 'not a consort bundle'
refused_bundle "$T/missing.bundle" 'No such file|cannot|not found'

# another consortium's bundle
on out init --consortium "Autre Groupement" --member "Intrus Formation" --siret 44306184100047 \
    --market X >/dev/null 2>&1 || fail "init of the outsider failed"
expect_rc 0 on out add trainee --ref TOUT family_name=Dehors given_name=Sider birth_year=1990
expect_rc 0 on out bundle export --out "$T/out.bundle"
refused_bundle "$T/out.bundle" 'another consortium'
# ... even with the consortium id of the prefix replaced by ours
python3 - "$T/out.bundle" "$T/full.bundle" "$T/out-relabelled.bundle" <<'PY'
import sys
out, ours = open(sys.argv[1], "rb").read(), open(sys.argv[2], "rb").read()
open(sys.argv[3], "wb").write(out[:8] + ours[8:40] + out[40:])
PY
refused_bundle "$T/out-relabelled.bundle" 'network key|authenticate|altered'

# the good bundle, twice
expect_rc 0 on co bundle import "$T/full.bundle"
out_has "^imported .*: $full change-sets checked"
same_state lead co
[ "$(log_count co)" = "$full" ] || fail "co holds $(log_count co) change-sets after the bundle, expected $full"
h=$(state_hash co)
expect_rc 0 on co bundle import "$T/full.bundle"
out_has ", 0 applied, $full held already"
[ "$(state_hash co)" = "$h" ] || fail "importing the same bundle twice changed the state"
expect_rc 0 on co verify
# the outsider did not take ours either
h_out=$(state_hash out)
expect_fail on out bundle import "$T/full.bundle"
err_has 'another consortium'
[ "$(state_hash out)" = "$h_out" ] || fail "the outsider took our bundle"

# --for SIRET: what co2 lacks since its last sync with the lead
serve_start lead; LEAD=$ADDR
sync_ok co2 "$LEAD"
expect_rc 0 on lead add trainee --ref TB1 family_name=Bundle given_name=Léa birth_year=1995 \
    ft_id=1112223B status=job_seeker disability=false part_time=false
expect_rc 0 on lead set lot LOT-B1 rate_cents=1700
expect_rc 0 on lead bundle export --out "$T/for-co2.bundle" --for "$CO2_SIRET"
small=$(exported "$T/for-co2.bundle")
expect_rc 0 on lead bundle export --out "$T/full2.bundle"
full2=$(exported "$T/full2.bundle")
[ "$small" = 2 ] || fail "bundle export --for $CO2_SIRET wrote $small change-sets, expected the 2 made since its sync"
[ "$small" -lt "$full2" ] || fail "--for wrote $small change-sets, a full bundle $full2"
[ "$(stat -c %s "$T/for-co2.bundle")" -lt "$(stat -c %s "$T/full2.bundle")" ] || fail "--for is not smaller than a full bundle"
h_co2=$(state_hash co2)
expect_rc 0 on co2 bundle import "$T/for-co2.bundle"
out_has ': 2 change-sets checked, 2 applied'
same_state lead co2
# a member that never synced gets everything; unknown or keyless SIRETs fail
expect_rc 0 on lead bundle export --out "$T/for-sub.bundle" --for "$SUB_SIRET"
[ "$(exported "$T/for-sub.bundle")" = "$full2" ] || fail "--for a member that never synced is not the full log"
expect_fail on lead bundle export --out "$T/for-co3.bundle" --for "$CO3_SIRET"
err_has 'no member with a key|SIRET'
[ ! -e "$T/for-co3.bundle" ] || fail "a failed export left its file"
expect_fail on lead bundle export --out "$T/for-x.bundle" --for 12345678901234
expect_rc 2 on lead bundle export --out "$T/both.bundle" --for "$CO2_SIRET" --since "$T/x.json"

# --since STATUS.json: sub took the first full bundle, then says what it has
expect_rc 0 on sub bundle import "$T/full.bundle"
on sub status --json >"$T/sub.status" || fail "status --json of sub failed"
json_ok "$T/sub.status"
expect_rc 0 on lead bundle export --out "$T/since-sub.bundle" --since "$T/sub.status"
[ "$(exported "$T/since-sub.bundle")" = 2 ] || fail "--since sub's status wrote other than the 2 change-sets it lacks: $(cat "$OUT")"
expect_rc 0 on sub bundle import "$T/since-sub.bundle"
same_state lead sub
echo '{"peers": []}' >"$T/bad.status"
expect_fail on lead bundle export --out "$T/bad-since.bundle" --since "$T/bad.status"
err_has 'authors'
echo 'not json' >"$T/bad2.status"
expect_fail on lead bundle export --out "$T/bad-since2.bundle" --since "$T/bad2.status"

# and back: sub's own edits reach the lead by bundle, --since the lead's status
expect_rc 0 on sub add trainee --ref TSB1 family_name=Sub given_name=Zoé birth_year=2002 \
    ft_id=5556667S status=job_seeker disability=false part_time=false
on lead status --json >"$T/lead.status" || fail "status --json of the lead failed"
expect_rc 0 on sub bundle export --out "$T/from-sub.bundle" --since "$T/lead.status"
[ "$(exported "$T/from-sub.bundle")" = 1 ] || fail "sub's bundle for the lead: $(cat "$OUT")"
expect_rc 0 on lead bundle import "$T/from-sub.bundle"
same_state lead sub
expect_rc 0 on lead show trainee TSB1
for n in lead co co2 sub; do expect_rc 0 on "$n" verify; done
exit 0
