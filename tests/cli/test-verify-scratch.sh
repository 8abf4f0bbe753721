#!/usr/bin/env bash
# verify and rebuild replay the log into scratch tables of a throwaway
# environment in TMPDIR, whose file is gone as soon as it is open: nothing
# is left there, not even by a verify or a rebuild killed half-way, after
# which the store is as it was and the next verify says what it said
# before.  A rebuild of an intact store writes nothing (data.mdb byte for
# byte).  In a log of thousands of change-sets (the signature checks take
# it a chunk at a time), the first altered signature in log order is
# named, and so is a change-set missing from the middle of the log.  A
# TMPDIR that is no folder is EIO naming it, one without room ENOSPC (on
# a small tmpfs, in a mount namespace of our own; skipped where mounting
# is not allowed).
. "$(dirname "$0")/lib.sh"

X1=$SHARED_DATA/dataset-x1.jsonl
[ -f "$X1" ] || skip "no $X1"
command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
    skip "no mdb_dump/mdb_load (lmdb-utils)"
mkdir "$T/tmp"
export TMPDIR=$T/tmp
DATA_MDB=$T/lead/store/data.mdb

# left: what the replays left in TMPDIR, one name a line.
left() { ls -A "$T/tmp"; }
# killed_while_replaying CMD...: runs consort CMD on lead and kills it
# (SIGKILL) once its scratch environment is open and its folder removed.
killed_while_replaying() {
	local pid i=0
	"$CONSORT" --dir "$T/lead" "$@" >"$OUT" 2>"$ERR" &
	pid=$!
	until grep -q 'consort-scratch-.*(deleted)' "/proc/$pid/maps" 2>/dev/null &&
	    [ -z "$(left)" ]; do
		kill -0 "$pid" 2>/dev/null || fail "$* ended before it could be killed"
		i=$((i + 1))
		[ $i -lt 3000 ] || fail "$* never opened its scratch environment"
		sleep 0.01
	done
	kill -9 "$pid"
	wait "$pid" 2>/dev/null && fail "$* was not killed"
	true
}

# Two records a change-set: thousands of change-sets.
init_lead lead
expect_rc 0 on lead import --batch 2 "$X1"
expect_rc 0 on lead import "$DATA/sample.jsonl"
n=$(log_count lead)
[ "$n" -gt 3500 ] || fail "expected thousands of change-sets, got $n"
expect_rc 0 on lead verify
out_has "^verified $n change-sets"
[ -z "$(left)" ] || fail "verify left in TMPDIR: $(left)"
h=$(state_hash lead)

# rebuild of an intact store: the same state, and not a byte written
sum=$(sha256sum <"$DATA_MDB")
expect_rc 0 on lead rebuild
[ "$(sha256sum <"$DATA_MDB")" = "$sum" ] || fail "rebuild of an intact store wrote to data.mdb"
[ "$(state_hash lead)" = "$h" ] || fail "rebuild of an intact store changed the state hash"
[ -z "$(left)" ] || fail "rebuild left in TMPDIR: $(left)"

# a verify killed half-way: nothing changed, nothing left, verify passes
killed_while_replaying verify
[ "$(sha256sum <"$DATA_MDB")" = "$sum" ] || fail "a killed verify changed data.mdb"
[ -z "$(left)" ] || fail "a killed verify left in TMPDIR: $(left)"
expect_rc 0 on lead verify
cp -a lead pristine

# a rebuild killed half-way on an altered state: the store stays as it
# was (verify still names the state), and the next rebuild repairs it
tamper lead entities "$(hex Cuisinier)" 2
expect_rc 1 on lead verify
err_has 'state|rebuild'
sum=$(sha256sum <"$DATA_MDB")
killed_while_replaying rebuild
[ "$(sha256sum <"$DATA_MDB")" = "$sum" ] || fail "a killed rebuild changed data.mdb"
[ -z "$(left)" ] || fail "a killed rebuild left in TMPDIR: $(left)"
expect_rc 1 on lead verify
err_has 'state|rebuild' "after a killed rebuild, verify does not name the altered state"
expect_rc 0 on lead rebuild
[ "$(state_hash lead)" = "$h" ] || fail "rebuild did not restore the state hash"
expect_rc 0 on lead verify

# two signatures altered, late in the log: the first one is named, by
# verify and by rebuild, which changes nothing
# alter_sig NODE SEQ...: flips the last byte (in the signature) of the
# lead's change-sets SEQ...
alter_sig() {
	local node=$1; shift
	python3 - "$T/$node/store" "$@" <<'PY' || fail "could not alter signatures"
import subprocess, sys
env, seqs = sys.argv[1], {int(x) for x in sys.argv[2:]}
dump = subprocess.run(["mdb_dump", "-s", "changes", env], capture_output=True, text=True, check=True).stdout.splitlines()
start = dump.index("HEADER=END") + 1
body = dump[start:]
for i in range(0, len(body) - 1, 2):
    k, v = body[i].strip(), body[i + 1].strip()
    if int(k[64:80], 16) in seqs:
        body[i + 1] = " " + v[:-2] + format(int(v[-2:], 16) ^ 1, "02x")
sys.exit(subprocess.run(["mdb_load", "-s", "changes", env], input="\n".join(dump[:start] + body) + "\n",
                        text=True, stderr=subprocess.DEVNULL).returncode)
PY
}
rm -rf lead; cp -a pristine lead
alter_sig lead 2600 3400
expect_rc 1 on lead verify
err_has "change-set [0-9a-f]{16}/2600: bad signature" "verify does not name the first altered change-set"
sum=$(sha256sum <"$DATA_MDB")
expect_rc 1 on lead rebuild
err_has "change-set [0-9a-f]{16}/2600: bad signature"
[ "$(sha256sum <"$DATA_MDB")" = "$sum" ] || fail "a refused rebuild changed data.mdb"

# a change-set missing from the middle of the log (the store dumped and
# loaded again without it)
rm -rf lead; cp -a pristine lead
python3 - "$T/lead/store" 2000 <<'PY' || fail "could not remove a change-set"
import os, subprocess, sys
env, seq = sys.argv[1], int(sys.argv[2])
dump = subprocess.run(["mdb_dump", "-a", env], capture_output=True, text=True, check=True).stdout.splitlines()
out, table, i = [], None, 0
while i < len(dump):
    line = dump[i]
    if line.startswith("database="):
        table = line[len("database="):]
    if table == "changes" and line.startswith(" ") and i + 1 < len(dump) and \
            len(line.strip()) == 80 and int(line.strip()[64:], 16) == seq:
        i += 2
        continue
    out.append(line)
    i += 1
new = env + ".new"
os.mkdir(new)
r = subprocess.run(["mdb_load", new], input="\n".join(out) + "\n", text=True,
                   stderr=subprocess.DEVNULL)
if r.returncode:
    sys.exit(r.returncode)
os.replace(os.path.join(new, "data.mdb"), os.path.join(env, "data.mdb"))
PY
expect_rc 1 on lead verify
err_has "change-set [0-9a-f]{16}/2000: missing from the store" "verify does not name the missing change-set"
[ -z "$(left)" ] || fail "a refused verify left in TMPDIR: $(left)"

# a TMPDIR that is no folder: EIO, naming it, in one line
rm -rf lead; cp -a pristine lead
TMPDIR=$T/nowhere expect_rc 1 on lead verify
err_has_fixed "consort verify: $T/nowhere: cannot make the scratch tables of the replay in this folder [EIO]"
[ "$(wc -l <"$ERR")" = 1 ] || fail "more than one line: $(cat "$ERR")"

# a TMPDIR without room: ENOSPC, naming it, in one line
mkdir "$T/small"
cat >"$T/small.sh" <<'SH'
set -u
mount -t tmpfs -o size=1m consort-test "$T/small" 2>/dev/null || exit 77
rc=0
TMPDIR=$T/small "$CONSORT" --dir "$T/lead" verify >"$T/s.out" 2>"$T/s.err" || rc=$?
echo $rc >"$T/s.rc"
ls -A "$T/small" >"$T/s.left"
SH
rc=0
T=$T CONSORT=$CONSORT unshare -m --propagation private bash "$T/small.sh" 2>"$T/small.err" || rc=$?
case $rc in
0) ;;
77|1) skip "cannot mount a tmpfs here (not root, or no mount namespace): $(head -c 200 "$T/small.err")" ;;
*) fail "the tmpfs run failed ($rc): $(head -c 400 "$T/small.err")" ;;
esac
[ "$(cat "$T/s.rc")" = 1 ] || fail "verify with a full TMPDIR exited $(cat "$T/s.rc"): $(cat "$T/s.err")"
cp "$T/s.err" "$ERR"
err_has_fixed "consort verify: $T/small: no room for the scratch tables of the replay"
err_has '\[ENOSPC\]; free space there, or set TMPDIR'
[ "$(wc -l <"$ERR")" = 1 ] || fail "more than one line: $(cat "$ERR")"
[ ! -s "$T/s.left" ] || fail "verify left in the full TMPDIR: $(cat "$T/s.left")"
expect_rc 0 on lead verify
exit 0
