#!/usr/bin/env bash
# Personal values among four real nodes: the lead, two co-contractors (co1,
# co2) and a subcontractor of co1 (sub).  Each trainee's values are
# readable exactly where the entitlement rules say (the lead; the member
# who recorded it; the provider of a session where it has a path; the
# parent member of such a subcontractor), proved on every node both by
# `show trainee --json` ("sealed" or the values) and by the node's
# openings table; no file of any node, bundle or log ever holds a value in
# clear; values do not pass through a node that may not read them (relay,
# bundles; a bundle made for a member opens only with its key); an
# erasure deletes them everywhere and nothing brings them
# back; an edited bundle is refused whole; a copy of a node's store beside
# a key that does not open its values shows them sealed.  Prints one line
# per check.
. "$(dirname "$0")/sync-lib.sh"

NODES=(lead co1 co2 sub)
PERSONAL="birth_year disability family_name ft_id given_name part_time"
TRAINEE_TYPE=5   # schema/entities.def, ENTITY(trainee, 5, ...)

ok() { echo "ok - $*"; }

# The made-up persons, by trainee ref: "family|given|birth year|ft_id|
# disability|part time".  Every string is unusual enough that finding
# its bytes anywhere means it leaked.
declare -A PERSON
TRAINEES=()
# Who may read each trainee (node names); the erasure of an erased one.
declare -A READERS ERASURE

# values_json: the persons as JSON for the checkers (passed in the
# environment, never written to a file).
values_json() {
	local ref out="{" sep=""
	for ref in "${TRAINEES[@]}"; do
		out+="$sep\"$ref\":\"${PERSON[$ref]}\""
		sep=,
	done
	echo "$out}"
}

# transcript: keeps the output of the last sync or bundle command, which
# the search for values in clear reads too.
transcript() { cat "$OUT" "$ERR" >>"$T/transcript.log"; }

# record_trainee NODE REF FAMILY GIVEN YEAR FT_ID DISABILITY PART_TIME:
# NODE records a trainee; READERS starts with NODE and the lead.
record_trainee() {
	local n=$1 ref=$2
	expect_rc 0 on "$n" add trainee --ref "$ref" family_name="$3" given_name="$4" \
	    birth_year="$5" ft_id="$6" status=job_seeker disability="$7" part_time="$8"
	PERSON[$ref]="$3|$4|$5|$6|$7|$8"
	TRAINEES+=("$ref")
	READERS[$ref]="lead"
	[ "$n" = lead ] || READERS[$ref]="lead $n"
}

# add_session NODE REF PROVIDER-SIRET TITLE: a session of LOT-P.
add_session() {
	expect_rc 0 on "$1" add session --ref "$2" provider="$3" lot=LOT-P scheme=socle \
	    title="$4" cert_kind=rs cert_code=RS5801 site=Angers territory=49 \
	    start=2026-10-05 end=2026-10-30 hours=105 capacity=10 permanent_entry=true
}

# add_path NODE REF TRAINEE SESSION
add_path() {
	expect_rc 0 on "$1" add path --ref "$2" trainee="$3" session="$4" hours=105 \
	    modules=M1 financed=true
}

# sync_with NODE ADDR: NODE syncs with the server at ADDR.
sync_with() {
	sync_ok "$1" "$2"
	transcript
}

# moved "SENT KEPT" WHAT: the last sync's line says that this node sent
# SENT personal values and kept KEPT.
moved() {
	local got
	got=$(sed -nE '1s/.*, personal values ([0-9]+) sent ([0-9]+) kept, .*/\1 \2/p' "$OUT")
	[ -n "$got" ] || fail "the sync line counts no personal values: $(head -n 1 "$OUT")"
	[ "$got" = "$1" ] || fail "$2: personal values sent and kept: $got, expected $1: $(head -n 1 "$OUT")"
	ok "$2: personal values sent and kept: $1"
}

# same_everywhere WHEN NODE...: one state hash on every node named.
same_everywhere() {
	local when=$1 h; shift
	same_state "$@"
	h=$(state_hash "$1")
	ok "$when: one state hash (${h:0:16}...) on $*"
}

# expect NODE=REF:STATE...: checks each trainee REF on NODE, where STATE
# is r (its values readable: show --json gives every one, export --json
# holds its strings, and the node's openings table holds the six), s
# (sealed: show --json lists every personal field under "sealed", none in
# "fields", export --json holds none of its strings, and the table holds
# none of its openings), k (sealed, though the table holds the six: they
# were sealed under another key), e (erased: sealed, no opening, and the
# erasure's date and reason shown) or a (absent: no such record here, no
# opening).
# Prints one line per node.
expect() {
	VALUES=$(values_json) ERASED=$(erasures_json) python3 - "$CONSORT" "$T" \
	    "$(pubkey lead)" "$TRAINEE_TYPE" "$PERSONAL" "$@" <<'PY' || exit 1
import collections, hashlib, json, os, subprocess, sys

consort, T, founder, ttype, personal = sys.argv[1:6]
personal = personal.split()
values = json.loads(os.environ["VALUES"])
erased = json.loads(os.environ["ERASED"])
founder = bytes.fromhex(founder)


def fail(msg):
    sys.stderr.write("FAIL: %s\n" % msg)
    sys.exit(1)


def eid(ref):
    """A record's entity id: BLAKE2b-128 keyed with the founder's key."""
    return hashlib.blake2b(bytes([int(ttype)]) + ref.encode(), key=founder,
                           digest_size=16).digest()


def openings(node):
    """The number of openings the node's table holds, by entity id."""
    r = subprocess.run(["mdb_dump", "-s", "openings", os.path.join(T, node, "store")],
                       capture_output=True, text=True)
    if r.returncode != 0:
        fail("mdb_dump of %s's openings table: %s" % (node, r.stderr.strip()))
    lines = r.stdout.splitlines()
    body = lines[lines.index("HEADER=END") + 1:]
    count = collections.Counter()
    for i in range(0, len(body) - 1, 2):
        count[bytes.fromhex(body[i].strip())[:16]] += 1
    return count


def expected(ref):
    fam, giv, year, ft, dis, pt = values[ref].split("|")
    return {"family_name": fam, "given_name": giv, "birth_year": int(year),
            "ft_id": ft, "disability": dis == "true", "part_time": pt == "true"}


by_node = collections.OrderedDict()
for item in sys.argv[6:]:
    node, rest = item.split("=", 1)
    ref, state = rest.rsplit(":", 1)
    by_node.setdefault(node, []).append((ref, state))

for node, items in by_node.items():
    held = openings(node)
    said = collections.defaultdict(list)
    r = subprocess.run([consort, "--dir", os.path.join(T, node), "export", "--json"],
                       capture_output=True)
    if r.returncode != 0:
        fail("export --json on %s failed: %s" % (node, r.stderr.decode(errors="replace").strip()))
    exported = r.stdout
    for ref, state in items:
        r = subprocess.run([consort, "--dir", os.path.join(T, node), "show", "trainee",
                            ref, "--json"], capture_output=True, text=True)
        n = held.get(eid(ref), 0)
        if state == "a":
            if r.returncode == 0:
                fail("%s holds trainee %s, expected none yet" % (node, ref))
            if n:
                fail("%s holds %d openings of %s, a trainee it does not know" % (node, n, ref))
            said["absent"].append(ref)
            continue
        if r.returncode != 0:
            fail("show trainee %s --json on %s failed: %s" % (ref, node, r.stderr.strip()))
        shown = json.loads(r.stdout)
        fields, sealed = shown["fields"], shown.get("sealed", [])
        if state == "r":
            want = expected(ref)
            got = {k: fields.get(k) for k in want}
            if sealed or got != want:
                fail("%s should read trainee %s: sealed %s; %d of 6 values right" %
                     (node, ref, sealed, sum(got[k] == want[k] for k in want)))
            if n != len(personal):
                fail("%s reads trainee %s but its openings table holds %d of its openings, "
                     "not %d" % (node, ref, n, len(personal)))
            if not all(want[k].encode() in exported for k in ("family_name", "given_name", "ft_id")):
                fail("export --json on %s lacks values of trainee %s that show gives" % (node, ref))
            said["readable"].append(ref)
            continue
        if any(expected(ref)[k].encode() in exported for k in ("family_name", "given_name", "ft_id")):
            fail("export --json on %s holds values of trainee %s, which it may not read" % (node, ref))
        # an erased trainee's fields are listed as "erased", not "sealed"
        hidden = sealed + (shown.get("erased", []) if state == "e" else [])
        if sorted(hidden) != personal or any(k in fields for k in personal):
            fail("%s should not read trainee %s: sealed %s, personal fields shown %s" %
                 (node, ref, hidden, sorted(k for k in personal if k in fields)))
        if state == "k":
            if n != len(personal):
                fail("%s's openings table holds %d openings of %s, not %d" %
                     (node, n, ref, len(personal)))
            said["sealed (openings held, another key)"].append(ref)
            continue
        if n:
            fail("%s may not read trainee %s yet its openings table holds %d of its "
                 "openings" % (node, ref, n))
        if state == "e":
            date, why = erased[ref].split("|", 1)
            if fields.get("erased") != date or fields.get("erased_reason") != why:
                fail("%s does not show the erasure of %s (%s): %s" %
                     (node, ref, erased[ref], fields))
            said["erased"].append(ref)
        else:
            said["sealed"].append(ref)
    print("ok - %s: %s" % (node, "; ".join("%s %s" % (k, " ".join(v))
                                           for k, v in said.items())))
PY
}

# erasures_json: the erasures as JSON ("date|reason" by ref).
erasures_json() {
	local ref out="{" sep=""
	for ref in "${!ERASURE[@]}"; do
		out+="$sep\"$ref\":\"${ERASURE[$ref]}\""
		sep=,
	done
	echo "$out}"
}

# entitlements WHEN: every trainee on each of the four nodes is as READERS
# and ERASURE say.
entitlements() {
	local n ref items=() state
	for n in "${NODES[@]}"; do
		for ref in "${TRAINEES[@]}"; do
			if [ -n "${ERASURE[$ref]:-}" ]; then
				state=e
			elif [[ " ${READERS[$ref]} " == *" $n "* ]]; then
				state=r
			else
				state=s
			fi
			items+=("$n=$ref:$state")
		done
	done
	echo "# $1"
	expect "${items[@]}"
}

# reads_exactly NODE [REF...]: NODE holds every trainee recorded so far,
# reads the REFs, shows the erased ones erased and the others sealed.
reads_exactly() {
	local n=$1 ref items=() state
	shift
	for ref in "${TRAINEES[@]}"; do
		if [ -n "${ERASURE[$ref]:-}" ]; then
			state=e
		elif [[ " $* " == *" $ref "* ]]; then
			state=r
		else
			state=s
		fi
		items+=("$n=$ref:$state")
	done
	expect "${items[@]}"
}

# sealed_under_another_key NODE: NODE holds the openings of every trainee
# not erased, and reads none.
sealed_under_another_key() {
	local ref items=()
	for ref in "${TRAINEES[@]}"; do
		items+=("$1=$ref:$([ -n "${ERASURE[$ref]:-}" ] && echo e || echo k)")
	done
	expect "${items[@]}"
}

# nothing_in_clear: no file under $T (node folders and their copies,
# bundles, serve logs, the output of syncs and bundles) but the last
# command's output holds the bytes of a personal value (family name, given name, or
# France Travail id), nor their hex.
nothing_in_clear() {
	VALUES=$(values_json) python3 - "$T" <<'PY' || exit 1
import json, os, sys

T = sys.argv[1]
values = json.loads(os.environ["VALUES"])
needles = []
for ref, v in values.items():
    fam, giv, _, ft, _, _ = v.split("|")
    for field, s in (("family_name", fam), ("given_name", giv), ("ft_id", ft)):
        b = s.encode()
        needles += [(ref, field, b), (ref, field + " in hex", b.hex().encode())]
files = total = 0
for top in sorted(os.listdir(T)):
    p = os.path.join(T, top)
    if top in (".out", ".err"):
        continue  # the last command's output, which may be a show
    walk = os.walk(p) if os.path.isdir(p) else [(T, [], [top])]
    for d, _, names in walk:
        for name in names:
            f = os.path.join(d, name)
            if os.path.islink(f) or not os.path.isfile(f):
                continue
            data = open(f, "rb").read()
            files += 1
            total += len(data)
            for ref, what, b in needles:
                if b in data:
                    sys.stderr.write("FAIL: %s holds the %s of trainee %s in clear\n" %
                                     (os.path.relpath(f, T), what, ref))
                    sys.exit(1)
print("ok - no personal value in clear in %d files (%d bytes) under the test folder: "
      "%d values of %d trainees searched" % (files, total, len(needles) // 2, len(values)))
PY
}

# bundle_export NODE FILE [ARGS...]: NODE writes a bundle; BUNDLE_VALUES is
# the number of personal values it says it carries.
bundle_export() {
	local n=$1 f=$2; shift 2
	expect_rc 0 on "$n" bundle export --out "$f" "$@"
	transcript
	BUNDLE_VALUES=$(sed -nE 's/.* ([0-9]+) personal values, .*/\1/p' "$OUT")
	[ -n "$BUNDLE_VALUES" ] || fail "bundle export printed no count of personal values: $(cat "$OUT")"
}

# bundle_import NODE FILE KEPT SKIPPED: NODE imports FILE, keeping KEPT
# personal values and leaving SKIPPED (- for any count).
bundle_import() {
	local kept skipped
	expect_rc 0 on "$1" bundle import "$2"
	transcript
	kept=$(sed -nE 's/.*; ([0-9]+) personal values kept, ([0-9]+) not for this node$/\1/p' "$OUT")
	skipped=$(sed -nE 's/.*; ([0-9]+) personal values kept, ([0-9]+) not for this node$/\2/p' "$OUT")
	[ -n "$kept" ] || fail "bundle import printed no count of personal values: $(cat "$OUT")"
	{ [ "$3" = - ] || [ "$kept" = "$3" ]; } &&
	    { [ "$4" = - ] || [ "$skipped" = "$4" ]; } ||
	    fail "$1 imported $(basename "$2"): kept $kept values, $skipped not for it; expected $3 and $4"
	ok "$1 imports $(basename "$2"): $kept personal values kept, $skipped not for it"
}

# flipped FILE OFFSET OUT: a copy of FILE with the byte at OFFSET flipped.
flipped() {
	python3 - "$1" "$2" "$3" <<'PY'
import sys
b = bytearray(open(sys.argv[1], "rb").read())
b[int(sys.argv[2])] ^= 0x01
open(sys.argv[3], "wb").write(b)
PY
}

# frame_offsets FILE: the offset of each frame of a bundle (after its
# 8-byte magic, 32-byte consortium id, for a bundle made for a member its
# 32-byte key and 80-byte sealed file key, and 24-byte stream header).
frame_offsets() {
	python3 - "$1" <<'PY'
import struct, sys
b = open(sys.argv[1], "rb").read()
i, out = (176 if b[:8] == b"CSRTBDL2" else 64), []
while i < len(b):
    out.append(i)
    i += 4 + struct.unpack(">I", b[i:i + 4])[0]
print(*out)
PY
}

# ---------------------------------------------------------------------
# The consortium: the lead, co1 and co2 (awarded at init), sub (a
# subcontractor of co1).  leadb and subb are copies of the lead and of sub
# taken before anything was recorded: they only ever import bundles.
init_consortium lead
cp -a "$T/lead" "$T/leadb"
join_node lead co1 "$CO_SIRET" co
join_node lead co2 "$CO2_SIRET" co
join_node lead sub "$SUB_SIRET" sub --name "$SUB_NAME" --parent "$CO_SIRET" --dc4 "$SUB_DC4"
cp -a "$T/sub" "$T/subb"
ok "four nodes: lead, co1 and co2 (co-contractors), sub (subcontractor of co1)"

serve_start lead; L=$ADDR; lead_pid=$SPID

# Round 1: each member runs its session; trainees recorded by the lead
# (TA in the lead's session, TB in co1's, TC in sub's, TE in the lead's for
# now), by co2 (TD) and by sub (TG), these two without a path.
expect_rc 0 on lead add lot --ref LOT-P sector=Logistique territory=49 rate_cents=1380
for n in co1 co2 sub; do sync_with "$n" "$L"; done
add_session lead S-LEAD "$LEAD_SIRET" "Cariste d'entrepôt"
add_session co1 S-CO1 "$CO_SIRET" "Préparateur de commandes"
add_session co2 S-CO2 "$CO2_SIRET" "Agent de quai"
add_session sub S-SUB "$SUB_SIRET" "Magasinier polyvalent"
record_trainee lead TA Quixottelle Zanzibarine 1991 FTQX0417A false false
record_trainee lead TB Brumavelleux Oskarinette 1987 FTBR0528B true true
record_trainee lead TC Cascarollier Wendelinea 1979 FTCA0639C false false
record_trainee lead TE Esperluettard Xandrinelle 1995 FTES0852E true false
record_trainee co2 TD Draculesquin Ysolindette 2001 FTDR0741D false true
record_trainee sub TG Gribouillandre Hortensiane 1983 FTGR1074G true true
READERS[TG]="lead sub co1"
add_path lead PA TA S-LEAD
add_path lead PE TE S-LEAD
for n in co1 co2 sub; do sync_with "$n" "$L"; done
add_path lead PB TB S-CO1
add_path lead PC TC S-SUB
READERS[TB]="lead co1"
READERS[TC]="lead co1 sub"
for n in co1 co2 sub; do sync_with "$n" "$L"; done
same_everywhere "round 1" "${NODES[@]}"
entitlements "round 1: TA the lead's; TB in co1's session; TC in sub's (co1 its parent); TD recorded by co2; TG by sub (co1 its parent); TE in the lead's session"
nothing_in_clear

# Bundles.  B1: co1's for sub (sub never synced with co1: every
# change-set, and the values sub may read of those co1 holds: TC's and
# TG's, not TB's).  Edited, it is refused whole on subb; whole, subb reads
# TC and TG only.
bundle_export co1 "$T/b1-co1-for-sub.bundle" --for "$SUB_SIRET"
[ "$BUNDLE_VALUES" = 12 ] || fail "co1's bundle for sub carries $BUNDLE_VALUES personal values, expected TC's and TG's 12"
ok "co1's bundle for sub carries 12 personal values (TC's and TG's; co1 also reads TB's)"
h_subb=$(state_hash subb)
d_subb=$(log_digest subb)
read -r -a frames < <(frame_offsets "$T/b1-co1-for-sub.bundle")
size=$(stat -c %s "$T/b1-co1-for-sub.bundle")
nf=${#frames[@]}
[ "$nf" -ge 3 ] || fail "co1's bundle for sub has $nf frames"
for at in $((frames[1] + 10)) $((frames[nf - 2] + 20)) $((size - 3)); do
	flipped "$T/b1-co1-for-sub.bundle" "$at" "$T/edited.bundle"
	expect_fail on subb bundle import "$T/edited.bundle"
	transcript
	err_has 'altered|authenticate' "the refusal of an edited bundle does not say why"
	[ "$(state_hash subb)" = "$h_subb" ] || fail "an edited bundle (byte $at of $size) changed subb's state"
	[ "$(log_digest subb)" = "$d_subb" ] || fail "an edited bundle (byte $at of $size) changed subb's log"
	expect subb=TC:a >/dev/null
	ok "co1's bundle for sub with byte $at of $size flipped: refused ($(sed -nE '1s/.*edited.bundle: ([^;]*);.*/\1/p' "$ERR")), nothing applied"
done
rm -f "$T/edited.bundle"
bundle_import subb "$T/b1-co1-for-sub.bundle" 12 0
same_everywhere "subb after co1's bundle" lead subb
reads_exactly subb TC TG

# not_for NODE FILE SIRET: NODE refuses FILE, a bundle made for the key of
# member SIRET, and nothing of it applies.
not_for() {
	local h
	h=$(state_hash "$1")
	expect_fail on "$1" bundle import "$2"
	transcript
	err_has "made for key [0-9a-f]{16}… of member $3, not for this node's key" \
	    "$1's refusal of a bundle made for $3 does not say whose it is"
	[ "$(state_hash "$1")" = "$h" ] || fail "$1 applied $(basename "$2"), made for $3"
	ok "$1 refuses $(basename "$2"), made for $3's key"
}

# B2: the lead's for co2 carries TD's values only, sealed to co2's key:
# sub and subb cannot open it.
bundle_export lead "$T/b2-lead-for-co2.bundle" --for "$CO2_SIRET"
[ "$BUNDLE_VALUES" = 6 ] || fail "the lead's bundle for co2 carries $BUNDLE_VALUES personal values, expected TD's 6"
ok "the lead's bundle for co2 carries 6 personal values (TD's)"
not_for subb "$T/b2-lead-for-co2.bundle" "$CO2_SIRET"
reads_exactly subb TC TG
not_for sub "$T/b2-lead-for-co2.bundle" "$CO2_SIRET"
reads_exactly sub TC TG
# B3: the lead's for co1 carries TB's, TC's and TG's, for co1 only.
bundle_export lead "$T/b3-lead-for-co1.bundle" --for "$CO_SIRET"
[ "$BUNDLE_VALUES" = 18 ] || fail "the lead's bundle for co1 carries $BUNDLE_VALUES personal values, expected TB's, TC's and TG's 18"
ok "the lead's bundle for co1 carries 18 personal values (TB's, TC's and TG's)"
not_for subb "$T/b3-lead-for-co1.bundle" "$CO_SIRET"
reads_exactly subb TC TG
# B0: without --for, no value at all, even for the lead's own copy.
bundle_export lead "$T/b0-lead.bundle"
[ "$BUNDLE_VALUES" = 0 ] || fail "a bundle without --for carries $BUNDLE_VALUES personal values"
bundle_import leadb "$T/b0-lead.bundle" 0 0
same_everywhere "leadb after the lead's bundle without --for" lead leadb
reads_exactly leadb
nothing_in_clear

# TE joins co2's session: co2 reads TE from its next sync on.
expect_rc 0 on lead set path PE session=S-CO2
expect co2=TE:s
sync_with co2 "$L"
READERS[TE]="lead co2"
expect co2=TE:r
for n in co1 sub; do sync_with "$n" "$L"; done
same_everywhere "round 2" "${NODES[@]}"
entitlements "round 2: TE now has its path in co2's session"

# Relay: co2 records TF and syncs only with co1, which may not read it:
# co1 holds its change-sets but none of its values; the lead, syncing with
# co1, gets the change-sets and still no value (co1 has none to give),
# until co2 syncs with the lead itself.
serve_start co1; C1=$ADDR; co1_pid=$SPID
record_trainee co2 TF Farfadinelle Quentalinea 1969 FTFA0963F true false
sync_with co2 "$C1"
moved "0 0" "co2 syncs with co1"
expect co1=TF:s co2=TF:r
sync_with lead "$C1"
moved "0 0" "the lead syncs with co1"
expect lead=TF:s
ok "the lead holds TF's change-sets from co1 but not its values"
sync_with co2 "$L"
moved "6 0" "co2 syncs with the lead"
expect lead=TF:r co1=TF:s
for n in co1 sub co2; do sync_with "$n" "$L"; done
same_everywhere "round 3" "${NODES[@]}"
entitlements "round 3: TF recorded by co2, relayed by co1"
nothing_in_clear

# Erasure of TC (readable on the lead, co1 and sub) by the lead while sub
# is away: co1 gets the erasure from the lead; sub, still holding TC's
# values, then syncs with co1 only: sub drops them and co1 does not get
# them back.
ERASED_ON=2026-11-03
ERASED_WHY="the person asked for it (Article 17)"
expect_rc 0 on lead set trainee TC erased="$ERASED_ON" erased_reason="$ERASED_WHY"
ERASURE[TC]="$ERASED_ON|$ERASED_WHY"
expect lead=TC:e
sync_with co1 "$L"
reads_exactly co1 TB TG
expect sub=TC:r
ok "co1 has the erasure; sub, away, still reads TC"
sync_with sub "$C1"
moved "0 0" "sub, still holding TC's values, syncs with co1"
expect sub=TC:e co1=TC:e
ok "sub synced with co1 only: TC erased on both, nothing came back"
for n in co2 sub co1; do sync_with "$n" "$L"; done
same_everywhere "round 4" "${NODES[@]}"
entitlements "round 4: TC erased"
# bundles made before the erasure bring nothing back: the lead's for co1
# (TB's, TC's and TG's values) on co1, co1's for sub on subb once subb has
# the erasure (the values of TB and TG are kept again, TC's refused)
bundle_import co1 "$T/b3-lead-for-co1.bundle" 12 6
reads_exactly co1 TB TG
bundle_export lead "$T/b4-lead.bundle"
bundle_import subb "$T/b4-lead.bundle" 0 0
reads_exactly subb TG
bundle_import subb "$T/b1-co1-for-sub.bundle" 6 6
same_everywhere "after the old bundles" "${NODES[@]}" subb
reads_exactly subb TG

# Folders holding the lead's store whose key does not open its values:
# every personal field sealed, though the openings are there, and no crash.
# badkey: the lead's key with one byte of its secret half changed;
# foreign: co2's key files beside the lead's store.
copy_store() {
	mkdir "$T/$1"
	cp -a "$T/lead/store" "$T/$1/"
	cp -a "$T/$2/key" "$T/$2/key.pub" "$T/$2/network.key" "$T/$1/"
}
copy_store badkey lead
flipped "$T/lead/key" 20 "$T/badkey/key"
copy_store foreign co2
for n in badkey foreign; do
	for ref in "${TRAINEES[@]}"; do
		expect_rc 0 env CONSORT_DIR="$T/$n" "$CONSORT" show trainee "$ref"
		[ "$(grep -cE '\(personal, not readable on this node\)|\(erased\)' "$OUT")" = 6 ] ||
		    fail "show trainee $ref on $n does not say its 6 personal fields are sealed: $(cat "$OUT")"
	done
	ok "$n: show trainee (CONSORT_DIR) says every personal field sealed"
	sealed_under_another_key "$n"
done
# nokey: the lead's folder without its key file.  Today consort refuses
# such a folder ("not a consort node directory": the key file tells
# whether the key is sealed); if it opens it one day, the values must
# show sealed.
mkdir "$T/nokey"
cp -a "$T/lead/store" "$T/lead/key.pub" "$T/lead/network.key" "$T/nokey/"
rc=0
CONSORT_DIR="$T/nokey" "$CONSORT" show trainee TA >"$OUT" 2>"$ERR" || rc=$?
if [ $rc = 0 ]; then
	[ "$(grep -c '(personal, not readable on this node)' "$OUT")" = 6 ] ||
	    fail "show trainee TA without the key file does not say its 6 personal fields are sealed: $(cat "$OUT")"
	sealed_under_another_key nokey
	ok "nokey: show trainee says every personal field sealed"
else
	[ $rc = 1 ] && [ ! -s "$OUT" ] && grep -q 'ENOTNODE' "$ERR" ||
	    fail "show trainee without the key file: exit $rc, neither sealed values nor a refusal: $(cat "$OUT" "$ERR")"
	ok "nokey: show trainee refused without the key file (exit 1: $(sed -nE '1s/^[^:]*: [^:]*: ([^;]*);.*/\1/p' "$ERR"))"
fi

serve_stop "$co1_pid"
serve_stop "$lead_pid"
for n in "${NODES[@]}"; do
	expect_rc 0 on "$n" verify
done
ok "verify holds on ${NODES[*]}"
nothing_in_clear
exit 0
