#!/usr/bin/env bash
# consort retention --ended-before DATE: the trainees whose last session
# (the latest end of the sessions of their paths) ended before DATE and
# whose values are not erased; none while a session has no end, none
# without a session, none erased already, and DATE itself is not before.
# --erase erases them in one change-set once confirmed: refused without a
# terminal unless --yes; on a terminal "n" erases nothing and "y" erases;
# a member erases only the trainees it recorded and lists the others as
# skipped, with why; a reason holding a trainee's value skips it.  The
# names are made up.
. "$(dirname "$0")/sync-lib.sh"

init_consortium lead
join_node lead co "$CO_SIRET" co
expect_rc 0 on lead add lot --ref LOT-01 sector=BTP territory=44 rate_cents=1000
expect_rc 0 on lead add session --ref SA lot=LOT-01 start=2025-01-06 end=2025-03-30
expect_rc 0 on lead add session --ref SB lot=LOT-01 start=2025-06-02 end=2025-09-30
expect_rc 0 on lead add session --ref SC lot=LOT-01 start=2025-02-03
# TA: SA; TB: SA and SB; TC: SA and SC (no end); TD: no session; TE erased
for t in TA TB TC TD TE TG; do
	expect_rc 0 on lead add trainee --ref $t family_name="Nom$t" given_name=Zéphirine \
	    status=job_seeker
done
n=0
for p in TA:SA TB:SA TB:SB TC:SA TC:SC TE:SA TG:SB; do
	n=$((n + 1))
	expect_rc 0 on lead add path --ref "P$n" trainee="${p%:*}" session="${p#*:}"
done
expect_rc 0 on lead erase trainee TE --reason "asked by the person"

expect_rc 0 consort retention --help
out_has 'usage: consort \[--dir DIR\] retention --ended-before YYYY-MM-DD'
expect_rc 2 on lead retention
err_has 'ended-before YYYY-MM-DD is required'
expect_rc 2 on lead retention --ended-before 2025-02-30
expect_rc 2 on lead retention --ended-before 2025-06-01 --yes
err_has 'go with --erase'
expect_rc 2 on lead retention --ended-before 2025-06-01 TA

expect_rc 0 on lead retention --ended-before 2025-06-01
out_has '^TA  last session SA  ended 2025-03-30$'
out_has '^1 trainee whose last session ended before 2025-06-01'
[ "$(grep -c '^T' "$OUT")" = 1 ] || fail "other trainees listed before 2025-06-01: $(cat "$OUT")"
expect_rc 0 on lead retention --ended-before 2025-03-30
out_has '^0 trainees'
expect_rc 0 on lead retention --ended-before 2025-10-01 --json
python3 - "$OUT" <<'PY' || fail "retention --json: $(cat "$OUT")"
import json, sys
raw = open(sys.argv[1]).read()
d = json.loads(raw)
assert list(d) == ["before", "count", "trainees"] and d["before"] == "2025-10-01", d
assert d["count"] == 3, d
assert d["trainees"] == [
    {"end": "2025-03-30", "ref": "TA", "session": "SA"},
    {"end": "2025-09-30", "ref": "TB", "session": "SB"},
    {"end": "2025-09-30", "ref": "TG", "session": "SB"}], d
PY

# --erase needs a terminal to confirm on, or --yes
logs=$(log_count lead)
expect_rc 2 on lead retention --ended-before 2025-10-01 --erase </dev/null
err_has 'confirmation on a terminal'
err_has 'add --yes'
[ "$(log_count lead)" = "$logs" ] || fail "a refused --erase wrote"

# on a terminal: "n" erases nothing, "y" erases (the prompt says how many)
if pty_works; then
	answer() {
		python3 - "$CONSORT" "$T/lead" "$1" <<'PY'
import os, pty, select, sys, time
consort, node, answer = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    os.execv(consort, [consort, "--dir", node, "retention", "--ended-before",
                       "2025-06-01", "--erase"])
out, end = b"", time.time() + 60
while b"[y/N]" not in out and time.time() < end:
    if select.select([fd], [], [], 0.5)[0]:
        try:
            out += os.read(fd, 4096)
        except OSError:
            break
os.write(fd, answer.encode() + b"\n")
while True:
    try:
        chunk = os.read(fd, 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
status = os.waitpid(pid, 0)[1]
sys.stdout.write(out.decode("utf-8", "replace"))
sys.exit(os.WEXITSTATUS(status))
PY
	}
	answer n >"$OUT" || fail "retention --erase answered n failed: $(cat "$OUT")"
	out_has 'erase the personal values of 1 trainee\? \[y/N\]'
	out_has 'nothing erased'
	[ "$(log_count lead)" = "$logs" ] || fail "answering n erased"
	answer y >"$OUT" || fail "retention --erase answered y failed: $(cat "$OUT")"
	out_has 'erased the personal values of 1 trainee on '
	[ "$(log_count lead)" = $((logs + 1)) ] || fail "answering y did not erase in one change-set"
	logs=$((logs + 1))
else
	expect_rc 0 on lead retention --ended-before 2025-06-01 --erase --yes
	[ "$(log_count lead)" = $((logs + 1)) ] || fail "--erase --yes did not erase in one change-set"
	logs=$((logs + 1))
fi
expect_rc 0 on lead show trainee TA
out_has '^personal values erased on .*: retention period over \(ended before 2025-06-01\)$'

# a reason holding a trainee's value skips that trainee
expect_rc 0 on lead retention --ended-before 2025-10-01 --erase --yes --reason "NomTB left"
out_has '^TB  last session SB  ended 2025-09-30  skipped: the reason holds its family_name'
out_has 'erased the personal values of 1 trainee on .*; 1 skipped'
out_has 'store compacted'
[ "$(log_count lead)" = $((logs + 1)) ] || fail "the erasures are not one change-set"
expect_rc 0 on lead retention --ended-before 2025-10-01
out_has '^TB  '
out_has '^1 trainee '

# a member erases only the trainees it recorded; the others are skipped
expect_rc 0 on lead bundle export --out "$T/lead.bundle"
expect_rc 0 on co bundle import "$T/lead.bundle"
expect_rc 0 on co add session --ref SCO provider="$CO_SIRET" lot=LOT-01 title=Coffreur \
    start=2025-01-06 end=2025-02-28
expect_rc 0 on co add trainee --ref TF family_name=Kastelruther status=job_seeker
expect_rc 0 on co add path --ref PF trainee=TF session=SCO
expect_rc 0 on co retention --ended-before 2025-10-01 --erase --yes --json
python3 - "$OUT" <<'PY' || fail "co's retention --erase --json: $(cat "$OUT")"
import json, sys
d = json.load(open(sys.argv[1]))
assert d["count"] == 2 and d["erased"] == 1, d
t = {x["ref"]: x for x in d["trainees"]}
assert t["TF"]["skipped"] is None and t["TF"]["session"] == "SCO", t
assert t["TB"]["skipped"].startswith("recorded by another member"), t
PY
expect_rc 0 on co show trainee TF
out_has '^personal values erased on '
expect_rc 0 on co retention --ended-before 2025-10-01
out_has '^1 trainee '
