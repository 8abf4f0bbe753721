#!/bin/sh
# The consort benchmark on the shared workload (../shared/data/README.md):
# phases A1 (load, 100 records per change-set), A2 (load, one record per
# change-set; scale 1 only), verify (with the raw Ed25519 rate of the same
# change-sets, tools/bench/edrate.c) and C (one-field incremental edit), at
# each scale, in fresh processes, RUNS times; prints the median and min-max
# of each measurement.  Phases B and D need consort sync.
#
#   sh tools/bench/bench.sh [CONSORT]        (make bench runs it)
#
# Environment:
#   BENCH_RUNS    runs per measurement (default 5)
#   BENCH_SCALES  scales to run (default "1 10")
#   BENCH_DATA    the workload directory (default ../shared/data)
#   BENCH_BIN     where the bench tools are built (default .build/tools/bench)
#   BENCH_KEEP    when set, keep the temporary directory (for debugging)
#   TMPDIR        where the temporary nodes go (default /tmp)
#
# Wall times come from the shell's clock around /usr/bin/time -v (whose own
# elapsed time has only 10 ms resolution); peak RSS comes from time -v.
# Digests are checked on every run; a mismatch stops the benchmark.

# It needs bash (EPOCHREALTIME, ${v//}, <(...), pipefail); re-run under it
# when started by sh.
if [ -z "${BASH_VERSION:-}" ]; then
	command -v bash >/dev/null 2>&1 || {
		echo "bench.sh: needs bash" >&2
		exit 1
	}
	exec bash "$0" "$@"
fi

set -euo pipefail
export LC_ALL=C

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
consort=${1:-$root/consort}
case $consort in /*) ;; *) consort=$(pwd)/$consort ;; esac
RUNS=${BENCH_RUNS:-5}
SCALES=${BENCH_SCALES:-"1 10"}
DATA=${BENCH_DATA:-$root/../shared/data}
[ -d "$DATA" ] && DATA=$(cd "$DATA" && pwd)
BIN=${BENCH_BIN:-$root/.build/tools/bench}
TIME=/usr/bin/time

# Prints a message and stops.
die() {
	echo "bench.sh: $*" >&2
	exit 1
}

# Prints a progress note on stderr.
note() {
	printf '%s\n' "$*" >&2
}

case $RUNS in '' | *[!0-9]* | 0) die "BENCH_RUNS must be a positive integer" ;; esac
[ -x "$consort" ] || die "no consort binary at $consort (run make)"
[ -x "$BIN/edrate" ] || die "no $BIN/edrate (run make bench)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing"
[ -d "$DATA" ] || die "no workload directory $DATA (set BENCH_DATA)"

work=$(mktemp -d "${TMPDIR:-/tmp}/consort-bench.XXXXXX")
if [ -n "${BENCH_KEEP:-}" ]; then
	trap 'echo "bench.sh: kept $work" >&2' EXIT
else
	trap 'rm -rf "$work"' EXIT
fi
trap 'exit 130' INT TERM
results=$work/results.tsv
: >"$results"

# The Python helpers: ops-file fields, digests, log sizes, statistics.
PYLIB='
import hashlib, json, shlex, statistics, sys

def ops(path):
    o = json.load(open(path, encoding="utf-8"))
    inc = o["incremental"]
    v = {
        "OPS_DATASET": o["dataset"], "OPS_SHA": o["dataset_sha256"],
        "OPS_BYTES": o["dataset_bytes"], "OPS_RECORDS": o["records"],
        "OPS_SCALE": o["scale"], "OPS_RPT": o["load"]["records_per_transaction"],
        "OPS_POST_LOAD": o["post_load_state_sha256"],
        "OPS_POST_INC": o["post_incremental_state_sha256"],
        "INC_TYPE": inc["type"], "INC_REF": inc["ref"],
        "INC_FIELD": inc["field"], "INC_OLD": inc["old"],
        "INC_VALUE": inc["value"],
    }
    for k, x in v.items():
        if isinstance(x, bool):
            x = "true" if x else "false"
        print("%s=%s" % (k, shlex.quote(str(x))))

def digest(path):
    b = open(path, "rb").read()
    if not b.endswith(b"\n"):
        sys.exit("export does not end with a newline")
    print(hashlib.sha256(b[:-1]).hexdigest())

def log(path):
    cs = json.load(open(path, encoding="utf-8"))
    mine = [c for c in cs if c["seq"] > 1]  # all but the genesis
    mean = sum(c["size"] for c in mine) / len(mine) if mine else 0
    print(len(cs) - 1, "%.1f" % mean)

ROWS = [
    ("A1 load, %(rpt)s records/change-set", [
        ("a1_s", "wall s", ".3f"),
        ("a1_rps", "records/s", ",.0f"),
        ("a1_cps", "change-sets/s", ",.1f"),
        ("a1_cs", "change-sets", ",.0f"),
        ("a1_bpc", "bytes/change-set", ",.0f"),
        ("a1_store", "store on disk MiB", ".1f"),
        ("a1_rss", "peak RSS MiB", ".1f"),
    ]),
    ("A2 load, 1 record/change-set", [
        ("a2_s", "wall s", ".3f"),
        ("a2_cps", "change-sets/s", ",.0f"),
        ("a2_cs", "change-sets", ",.0f"),
        ("a2_store", "store on disk MiB", ".1f"),
        ("a2_rss", "peak RSS MiB", ".1f"),
    ]),
    ("verify (replay of the A1 store)", [
        ("v_s", "wall s", ".3f"),
        ("v_cps", "change-sets/s", ",.1f"),
        ("v_rss", "peak RSS MiB", ".1f"),
        ("raw_vps", "raw Ed25519 verify/s", ",.1f"),
        ("raw_mbs", "raw Ed25519 MB/s", ".1f"),
        ("v_ratio", "verify/raw %", ".1f"),
    ]),
    ("C incremental edit (consort set)", [
        ("c_s", "wall s", ".3f"),
        ("c_rss", "peak RSS MiB", ".1f"),
    ]),
]

def load(path):
    data = {}
    for line in open(path, encoding="utf-8"):
        scale, key, val = line.rstrip("\n").split("\t")
        data.setdefault(scale, {}).setdefault(key, []).append(float(val))
    return data

def fmt(f, x):
    return format(x, f)

def table(path, scale, dataset, records, checks):
    d = load(path).get(scale, {})
    title = "scale x%s: %s, %s records" % (scale, dataset, format(int(records), ","))
    runs = max((len(v) for v in d.values()), default=0)
    print()
    print("== %s: median [min - max] of %d run%s" % (title, runs, "" if runs == 1 else "s"))
    w = 22
    for head, rows in ROWS:
        rows = [r for r in rows if r[0] in d]
        if not rows:
            continue
        print("%s" % (head % {"rpt": RPT}))
        for key, label, f in rows:
            v = d[key]
            med, lo, hi = statistics.median(v), min(v), max(v)
            print("   %-*s %14s   [%s - %s]" % (w, label, fmt(f, med), fmt(f, lo), fmt(f, hi)))
    for c in checks.split(";"):
        if c:
            print("   check: %s" % c)

def summary(path, runs):
    data = load(path)
    print()
    print("== summary (medians of %s run%s)" % (runs, "" if runs == "1" else "s"))
    for scale in sorted(data, key=int, reverse=True):
        d = data[scale]
        m = lambda k: statistics.median(d[k])
        x = "x" + scale
        if "a1_s" in d:
            print("%-4s import A1  %8.3f s  %10s records/s  %8s change-sets/s  peak RSS %.1f MiB" % (
                x, m("a1_s"), format(m("a1_rps"), ",.0f"), format(m("a1_cps"), ",.0f"), m("a1_rss")))
        if "a2_s" in d:
            print("%-4s import A2  %8.3f s  %10s records/s  %8s change-sets/s  peak RSS %.1f MiB" % (
                x, m("a2_s"), format(m("a2_cps"), ",.0f"), format(m("a2_cps"), ",.0f"), m("a2_rss")))
        if "v_s" in d:
            print("%-4s verify     %8.3f s  %10s change-sets/s = %.1f%% of raw Ed25519 (%s verify/s)" % (
                x, m("v_s"), format(m("v_cps"), ",.0f"), m("v_ratio"), format(m("raw_vps"), ",.0f")))
        if "c_s" in d:
            print("%-4s edit C     %8.3f s" % (x, m("c_s")))
    print("phase B/D: needs consort sync (not yet available)")

RPT = 100
cmd = sys.argv[1]
if cmd == "ops":
    ops(sys.argv[2])
elif cmd == "digest":
    digest(sys.argv[2])
elif cmd == "log":
    log(sys.argv[2])
elif cmd == "table":
    RPT = sys.argv[6]
    table(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5], sys.argv[7])
elif cmd == "summary":
    summary(sys.argv[2], sys.argv[3])
else:
    sys.exit("unknown helper " + cmd)
'

# Runs one of the Python helpers.
py() {
	python3 -c "$PYLIB" "$@"
}

# The current time in microseconds.
now_us() {
	local t=${EPOCHREALTIME:-}
	if [ -n "$t" ]; then
		t=${t//[.,]/}
		echo "${t#0}"
	else
		echo $(($(date +%s%N) / 1000))
	fi
}

# Records one measurement of the current scale.
put() {
	printf '%s\t%s\t%s\n' "$scale" "$1" "$2" >>"$results"
}

# Runs a consort command under time -v, quiet; sets SECS and RSS_MIB.
timed() {
	local t0 t1 kb
	t0=$(now_us)
	if ! "$TIME" -v -o "$work/time.txt" "$@" >"$work/out" 2>"$work/err"; then
		cat "$work/err" >&2
		die "failed: $*"
	fi
	t1=$(now_us)
	SECS=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.6f", (b - a) / 1e6 }')
	kb=$(sed -n 's/.*Maximum resident set size (kbytes): *//p' "$work/time.txt")
	[ -n "$kb" ] || die "no peak RSS in the time -v report of: $*"
	RSS_MIB=$(awk -v k="$kb" 'BEGIN { printf "%.3f", k / 1024 }')
}

# Runs a consort command, quiet, stopping on failure.
run() {
	if ! "$@" >"$work/out" 2>"$work/err"; then
		cat "$work/err" >&2
		die "failed: $*"
	fi
}

# a / b, for rates.
div() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.6f", (b > 0 ? a / b : 0) }'
}

# Creates a fresh node at $1 with the benchmark consortium's genesis.
new_node() {
	rm -rf "$1"
	run "$consort" --dir "$1" init --consortium "Bench" \
	    --member "Forma Nord" --siret 41852736200127 --market BENCH \
	    --co "Atelier Compétences:50324917900212" \
	    --co "Trajectoires Emploi:79911548000375" \
	    --co "Campus Métiers Artois:83046172900451"
}

# Checks the node's export digest against an expected one.
check_digest() {
	local dir=$1 want=$2 what=$3 got
	run "$consort" --dir "$dir" export --json
	got=$(py digest "$work/out") || die "cannot digest the export"
	if [ "$got" != "$want" ]; then
		echo "bench.sh: DIGEST MISMATCH after $what (scale x$scale, run $iter)" >&2
		echo "  expected $want" >&2
		echo "  got      $got" >&2
		exit 1
	fi
}

# The store's size on disk, in MiB.
store_mib() {
	local kb
	kb=$(du -k "$1/store/data.mdb" | cut -f1)
	awk -v k="$kb" 'BEGIN { printf "%.3f", k / 1024 }'
}

# Loads the ops file of a scale and checks its dataset; sets OPS_* and INC_*.
load_ops() {
	local ops=$DATA/ops-x$1.json file size sum vars
	[ -f "$ops" ] || die "no ops file $ops"
	vars=$(py ops "$ops") || die "cannot read $ops"
	eval "$vars"
	[ "$OPS_DATASET" = "dataset-x$1.jsonl" ] ||
	    die "$ops names dataset $OPS_DATASET, not dataset-x$1.jsonl"
	file=$DATA/$OPS_DATASET
	[ -f "$file" ] || die "no dataset $file"
	size=$(wc -c <"$file" | tr -d ' ')
	sum=$(sha256sum "$file" | cut -d' ' -f1)
	if [ "$size" != "$OPS_BYTES" ] || [ "$sum" != "$OPS_SHA" ]; then
		echo "bench.sh: $file does not match $ops; refusing to run" >&2
		echo "  bytes  $size, expected $OPS_BYTES" >&2
		echo "  sha256 $sum" >&2
		echo "  expect $OPS_SHA" >&2
		exit 1
	fi
	DATASET=$file
}

# Phase A1, verify, edrate and phase C on one fresh node.
run_a1_verify_c() {
	local d=$work/x$scale-a1 n bpc vcs raw rawmb
	new_node "$d"
	timed "$consort" --dir "$d" import "$DATASET"
	grep -q ": $OPS_RECORDS records read" "$work/out" ||
	    die "import did not read $OPS_RECORDS records: $(cat "$work/out")"
	put a1_s "$SECS"
	put a1_rss "$RSS_MIB"
	put a1_rps "$(div "$OPS_RECORDS" "$SECS")"
	a1_secs=$SECS
	run "$consort" --dir "$d" log --json
	read -r n bpc < <(py log "$work/out")
	[ "$n" -gt 0 ] || die "the import appended no change-set"
	put a1_cs "$n"
	put a1_cps "$(div "$n" "$a1_secs")"
	put a1_bpc "$bpc"
	put a1_store "$(store_mib "$d")"
	check_digest "$d" "$OPS_POST_LOAD" "phase A1 (post_load_state_sha256)"

	timed "$consort" --dir "$d" verify
	vcs=$(sed -n 's/^verified \([0-9]*\) change-sets.*/\1/p' "$work/out")
	[ -n "$vcs" ] || die "unexpected verify output: $(cat "$work/out")"
	put v_s "$SECS"
	put v_rss "$RSS_MIB"
	put v_cps "$(div "$vcs" "$SECS")"
	run "$BIN/edrate" "$d"
	raw=$(sed -n 's/.*raw_verify_per_s=\([0-9.]*\).*/\1/p' "$work/out")
	rawmb=$(sed -n 's/.*raw_verify_mb_per_s=\([0-9.]*\).*/\1/p' "$work/out")
	[ -n "$raw" ] || die "unexpected edrate output: $(cat "$work/out")"
	grep -q "changesets=$vcs\$" "$work/out" ||
	    die "edrate and verify saw different change-set counts"
	put raw_vps "$raw"
	put raw_mbs "$rawmb"
	put v_ratio "$(awk -v v="$vcs" -v s="$SECS" -v r="$raw" \
	    'BEGIN { printf "%.4f", 100 * v / s / r }')"

	timed "$consort" --dir "$d" set "$INC_TYPE" "$INC_REF" \
	    "$INC_FIELD=$INC_VALUE"
	put c_s "$SECS"
	put c_rss "$RSS_MIB"
	check_digest "$d" "$OPS_POST_INC" \
	    "phase C (post_incremental_state_sha256)"
	rm -rf "$d"
}

# Phase A2: one change-set per record.
run_a2() {
	local d=$work/x$scale-a2 n
	new_node "$d"
	timed "$consort" --dir "$d" import --batch 1 "$DATASET"
	n=$(sed -n 's/.* \([0-9]*\) change-sets.*/\1/p' "$work/out")
	[ "$n" = "$OPS_RECORDS" ] ||
	    die "--batch 1 gave ${n:-?} change-sets, not $OPS_RECORDS"
	put a2_s "$SECS"
	put a2_rss "$RSS_MIB"
	put a2_cs "$n"
	put a2_cps "$(div "$n" "$SECS")"
	put a2_store "$(store_mib "$d")"
	check_digest "$d" "$OPS_POST_LOAD" "phase A2 (post_load_state_sha256)"
	rm -rf "$d"
}

# Check every dataset before measuring anything.
for scale in $SCALES; do
	case $scale in '' | *[!0-9]*) die "bad scale \"$scale\"" ;; esac
	load_ops "$scale"
done

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "consort benchmark: $("$consort" --version 2>/dev/null | head -n 1 || echo consort)," \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ), ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus"
echo "workload: $DATA; runs: $RUNS; temp nodes under ${TMPDIR:-/tmp}"

started=$(now_us)
for scale in $SCALES; do
	load_ops "$scale"
	for iter in $(seq 1 "$RUNS"); do
		note "x$scale run $iter/$RUNS: A1 + verify + C"
		run_a1_verify_c
		if [ "$scale" = 1 ]; then
			note "x$scale run $iter/$RUNS: A2"
			run_a2
		fi
	done
	checks="export digest = post_load_state_sha256 after A1"
	[ "$scale" = 1 ] && checks="$checks and A2"
	checks="$checks, every run;export digest = post_incremental_state_sha256 after C ($INC_TYPE $INC_REF $INC_FIELD: $INC_OLD -> $INC_VALUE), every run"
	py table "$results" "$scale" "$OPS_DATASET" "$OPS_RECORDS" "$OPS_RPT" \
	    "$checks"
	echo "phase B/D: needs consort sync (not yet available)"
done
py summary "$results" "$RUNS"
echo "(benchmark wall time $(awk -v a="$started" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s)"
