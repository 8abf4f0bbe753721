#!/usr/bin/env bash
# A reader that stops early (`consort list path | head -n 1`) ends the
# command quietly, as it ends git: killed by SIGPIPE (141 in a shell, which
# `set -o pipefail` shows), nothing on stderr.  An output that cannot be
# written for another reason (a full disk) is still an error.
. "$(dirname "$0")/lib.sh"

[ -f "$SHARED_DATA/dataset-x1.jsonl" ] || skip "no $SHARED_DATA/dataset-x1.jsonl"
init_lead lead
expect_rc 0 on lead import "$SHARED_DATA/dataset-x1.jsonl"

# The shell pipelines of the issue: each output is far over a pipe's buffer,
# so the reader is gone before the command has written everything.
set -o pipefail
piped() {
	local reader=$1 rc=0; shift
	on lead "$@" 2>"$ERR" | $reader >"$OUT" || rc=$?
	[ ! -s "$ERR" ] || fail "consort $* | $reader wrote on stderr: $(head -c 300 "$ERR")"
	[ -s "$OUT" ] || fail "consort $* | $reader gave the reader nothing"
	[ $rc = 141 ] || fail "consort $* | $reader: pipeline status $rc, expected 141 (SIGPIPE, as git)"
}
piped "head -n 1" list path
piped "head -c 10" export --json
piped "head -n 1" list trainee
piped "head -c 100" list session --json
set +o pipefail

# Every command, on a pipe whose reader closed before it started: killed by
# SIGPIPE, silent (commands whose output fits a pipe's buffer included).
python3 - "$CONSORT" "$T/lead" <<'PY' || fail "a command on a closed pipe did not end quietly by SIGPIPE"
import os, signal, subprocess, sys
consort, node = sys.argv[1:]
cmds = [["list", "path"], ["export", "--json"], ["log"], ["log", "--json"],
        ["show", "trainee", "T000001"], ["whoami"], ["whoami", "--json"],
        ["member", "list"], ["status"], ["state-hash"], ["verify"],
        ["conflicts", "--json"], ["help"], ["--version"]]
bad = []
for c in cmds:
    r, w = os.pipe()
    os.close(r)
    p = subprocess.run([consort, "--dir", node] + c, stdout=w,
                       stderr=subprocess.PIPE)
    os.close(w)
    if p.returncode != -signal.SIGPIPE or p.stderr:
        bad.append("%s: status %d, stderr %r" % (" ".join(c), p.returncode,
                                                 p.stderr[:200]))
if bad:
    sys.exit("\n".join(bad))
PY

# A write that fails otherwise is reported: stdout on a full device
if [ -w /dev/full ]; then
	rc=0
	on lead list path >/dev/full 2>"$ERR" || rc=$?
	[ $rc = 1 ] || fail "list path >/dev/full exited $rc, expected 1"
	err_has 'ENOSPC|space' "a full stdout is not reported as such"
fi
exit 0
