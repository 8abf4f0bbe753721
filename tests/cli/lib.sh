# Shared by the end-to-end tests in tests/cli: source it first.
#
# run.sh gives each test its own fresh folder in $T (also the working
# directory) and the binary in $CONSORT.  A test can also run by itself,
# from anywhere: `bash tests/cli/test-init.sh` makes its own $T and uses
# ./consort at the top of the tree unless $CONSORT names another binary.
#
# A test prints nothing when it passes; it stops at the first check that
# does not hold, with "FAIL: what" on stderr and exit status 1.  set -e
# also stops it when a helper fails inside $(...): h=$(state_hash lead).
set -eu

CLI=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
DATA=$(cd "$CLI/../data" && pwd)
# The shared benchmark data (dataset-x1/x10, ops files), beside the project.
SHARED_DATA=${CONSORT_SHARED_DATA:-$(cd "$CLI/../../.." && pwd)/shared/data}

# The members of the sample consortium (tests/data, /work/shared/data).
LEAD_NAME="Forma Nord"
LEAD_SIRET=41852736200127
CO_NAME="Atelier Compétences"
CO_SIRET=50324917900212

# Keep the caller's environment from choosing a node or a passphrase, or
# the language of the messages the tests read (test-gettext.sh sets its own).
unset CONSORT_DIR CONSORT_PASSPHRASE_FILE LANGUAGE CONSORT_LOCALEDIR
export LC_ALL=C

fail() { echo "FAIL: $*" >&2; exit 1; }
skip() { echo "skip: $*"; exit 0; }

# python3: the interpreter itself (run.sh finds it once for every test, in
# CLI_PYTHON), not a version manager's wrapper script that may stand for it
# on the PATH and cost a quarter of a second a call.  A job put in the
# background runs "$CLI_PYTHON" itself: the pid of `python3 ... &` would be
# a subshell's, and killing it would leave python running.
CLI_PYTHON=${CLI_PYTHON:-$(python3 -c 'import sys; print(sys.executable)' 2>/dev/null ||
    echo python3)}
python3() { "$CLI_PYTHON" "$@"; }

# On exit, stop the test's own background jobs (by pid), and remove $T if
# this file made it.
own_t=
if [ -z "${T:-}" ]; then
	T=$(mktemp -d "${TMPDIR:-/tmp}/consort-cli.XXXXXX")
	own_t=$T
fi
cleanup() {
	local p
	for p in $(jobs -p); do kill "$p" 2>/dev/null || true; done
	wait 2>/dev/null || true
	[ -z "$own_t" ] || rm -rf "$own_t"
}
trap cleanup EXIT
cd "$T" || fail "cannot enter the test folder $T"
CONSORT=${CONSORT:-$CLI/../../consort}
case $CONSORT in /*) ;; *) CONSORT=$(cd "$(dirname "$CONSORT")" && pwd)/$(basename "$CONSORT") ;; esac
[ -x "$CONSORT" ] || fail "no consort binary at $CONSORT (run make first)"

# The spaces of French documents: U+202F between groups of thousands,
# U+00A0 before a unit ("16 581,60 €").
NNBSP=$(printf '\342\200\257')
NBSP=$(printf '\302\240')

# The output files of the last expect_rc / run.
OUT=$T/.out
ERR=$T/.err

# consort ARGS...: the binary under test.
consort() { "$CONSORT" "$@"; }

# on NODE ARGS...: consort on the node folder $T/NODE (given by --dir).
on() { local n=$1; shift; "$CONSORT" --dir "$T/$n" "$@"; }

# init_lead NODE [ARGS...]: the lead of a new consortium in $T/NODE, with one
# co-contractor; extra ARGS go to init (say --passphrase-file F).
init_lead() {
	local n=$1; shift
	"$CONSORT" --dir "$T/$n" init --consortium "Groupement Loire Formation" \
	    --member "$LEAD_NAME" --siret "$LEAD_SIRET" --market "MARCHE-2026-PDL-1E1F" \
	    --co "$CO_NAME:$CO_SIRET" "$@" >"$T/.init.out" 2>&1 ||
	    fail "init of $n failed: $(tail -n 3 "$T/.init.out")"
}

# expect_rc CODE CMD...: runs CMD (stdout in $OUT, stderr in $ERR) and fails
# the test unless it exits with CODE.
expect_rc() {
	local want=$1 rc=0; shift
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	[ "$rc" = "$want" ] || fail "exit $rc, expected $want: $*
  stdout: $(head -c 400 "$OUT")
  stderr: $(head -c 600 "$ERR")"
	return 0
}

# expect_fail CMD...: CMD must fail (any non-zero status).
expect_fail() {
	local rc=0
	"$@" >"$OUT" 2>"$ERR" || rc=$?
	[ "$rc" != 0 ] || fail "succeeded, expected a failure: $*
  stdout: $(head -c 400 "$OUT")"
	return 0
}

# err_has ERE [WHY]: the stderr of the last command matches ERE.
err_has() {
	grep -qE -- "$1" "$ERR" || fail "${2:-stderr lacks /$1/}: $(head -c 600 "$ERR")"
}

# err_has_fixed STRING [WHY]: the stderr of the last command holds STRING.
err_has_fixed() {
	grep -qF -- "$1" "$ERR" || fail "${2:-stderr lacks \"$1\"}: $(head -c 600 "$ERR")"
}

# out_has ERE [WHY]: the stdout of the last command matches ERE.
out_has() {
	grep -qE -- "$1" "$OUT" || fail "${2:-stdout lacks /$1/}: $(head -c 600 "$OUT")"
}

# state_hash NODE: the node's state hash (64 hex), failing the test otherwise.
state_hash() {
	local h
	h=$(on "$1" state-hash 2>"$T/.sh.err") || fail "state-hash of $1 failed: $(cat "$T/.sh.err")"
	[[ $h =~ ^[0-9a-f]{64}$ ]] || fail "state-hash of $1 is not 64 hex: $h"
	echo "$h"
}

# log_count NODE: the number of change-sets in the node's log.
log_count() {
	on "$1" log --json 2>"$T/.log.err" | python3 -c '
import json, sys
print(len(json.load(sys.stdin)))' || fail "log --json of $1 failed or is not JSON: $(cat "$T/.log.err")"
}

# export_sha NODE: SHA-256 of `export --json` without its trailing newline.
export_sha() {
	on "$1" export --json 2>"$T/.exp.err" | python3 -c '
import hashlib, sys
d = sys.stdin.buffer.read()
if not d.endswith(b"\n"): sys.exit("export does not end with a newline")
print(hashlib.sha256(d[:-1]).hexdigest())' || fail "export --json of $1 failed: $(cat "$T/.exp.err")"
}

# json_ok FILE: FILE holds one JSON document.
json_ok() {
	python3 -c 'import json, sys; json.load(open(sys.argv[1], encoding="utf-8"))' "$1" \
	    2>"$T/.json.err" || fail "not valid JSON: $1: $(tail -n 1 "$T/.json.err")"
}

# hex STRING: the bytes of STRING in lowercase hex.
hex() { printf '%s' "$1" | od -An -tx1 -v | tr -d ' \n'; }

# tamper NODE TABLE NEEDLE_HEX [OFFSET [MASK]]: XORs with MASK (default 1) one
# byte of the first value of LMDB table TABLE (in NODE/store) whose hex holds
# NEEDLE_HEX, OFFSET bytes after the needle's start (default 0), using
# mdb_dump and mdb_load.
tamper() {
	command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
	    fail "mdb_dump/mdb_load missing (Debian package lmdb-utils)"
	python3 - "$T/$1/store" "$2" "$3" "${4:-0}" "${5:-1}" <<'PY' || fail "could not alter table $2 of $1 (needle $3)"
import subprocess, sys
env, table, needle, off, mask = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4]), int(sys.argv[5], 0)
dump = subprocess.run(["mdb_dump", "-s", table, env], capture_output=True,
                      text=True, check=True).stdout.splitlines()
start = dump.index("HEADER=END") + 1
body = dump[start:]
for i in range(1, len(body), 2):  # key, value, key, value..., DATA=END
    v = body[i].strip()
    at = v.find(needle)
    if at < 0 or at % 2:
        continue
    p = at + 2 * off
    if p + 2 > len(v):
        sys.exit("offset past the value's end")
    body[i] = " " + v[:p] + format(int(v[p:p + 2], 16) ^ mask, "02x") + v[p + 2:]
    r = subprocess.run(["mdb_load", "-s", table, env], input="\n".join(dump[:start] + body) + "\n",
                       text=True, stderr=subprocess.DEVNULL)
    sys.exit(r.returncode)
sys.exit("no value of %s holds %s" % (table, needle))
PY
}

# forge NODE OP...: a dishonest member's change-set (tests/forge.c): signed
# with NODE's key, holding exactly the ops given, appended to NODE's log
# without the local checks, so that sync or bundle export carry it.
FORGE=${CONSORT_FORGE:-$CLI/../../.build/tests/forge}
forge() {
	local n=$1; shift
	[ -x "$FORGE" ] || fail "no forge binary at $FORGE (make .build/tests/forge)"
	"$FORGE" "$T/$n" "$@" >"$T/.forge.out" 2>&1 || fail "forge on $n failed: $(cat "$T/.forge.out")"
}

# nobody_works: whether this test may run consort as the user nobody: we
# are root, setpriv and a nobody user exist, and nobody can reach the binary
# and its libraries (a chroot whose / is 0700 gives it none).
nobody_works() {
	[ "$(id -u)" = 0 ] && command -v setpriv >/dev/null && id nobody >/dev/null 2>&1 &&
	    setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$CONSORT" --help >/dev/null 2>&1
}

# pty_works: whether a pseudo-terminal can be opened here (a /dev without
# devpts has none).
pty_works() {
	python3 -c 'import os, pty; m, s = pty.openpty(); os.close(m); os.close(s)' 2>/dev/null
}
