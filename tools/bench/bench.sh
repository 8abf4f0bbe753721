#!/bin/sh
# The consort benchmark on the shared workload (../shared/data/README.md):
# phases A1 (load, 100 records per change-set), A2 (load, one record per
# change-set; scale 1 only: at 7,610 change-sets it already measures the
# per-change-set cost, which does not depend on the scale), verify (with
# the raw Ed25519 rate of the same change-sets, tools/bench/edrate.c), C
# (one-field incremental edit) and order build (one lot, its busiest
# month), at each scale, in fresh processes, RUNS times; then, on two fresh
# nodes A (lead, serving on 127.0.0.1) and B (first co-contractor) per run,
# phases B (full sync A -> B, and the machine's bound for it,
# tools/bench/bound.c), C sync (the edit of C synced over a new
# connection) and D (100 concurrent edits on both, then one two-way sync),
# SYNC_RUNS times.  Prints the median and min-max of each measurement, a
# summary against the targets, and a Markdown table of the main figures
# per scale (the README's).
#
#   sh tools/bench/bench.sh [CONSORT]        (make bench runs it)
#
# Environment:
#   BENCH_RUNS    runs per measurement (default 5)
#   BENCH_SYNC_RUNS  runs of phases B, C sync and D (default BENCH_RUNS)
#   BENCH_TRACE   0 to skip the strace replays of run 1 (default 1: each
#                 sync of run 1 at scales up to 10 is replayed once,
#                 untimed, on copies of the nodes, both sides under strace,
#                 to measure round trips; "all": at every scale)
#   BENCH_SCALES  scales to run, any positive integers (default "1 10")
#   BENCH_DATA    the workload directory (default ../shared/data)
#   BENCH_CACHE   where the datasets of scales that BENCH_DATA lacks are
#                 generated once, by BENCH_DATA/gen.js (needs node), and
#                 reused (default .build/bench-data)
#   BENCH_BIN     where the bench tools are built (default .build/tools/bench)
#   BENCH_SAMPLE_MS  interval of the private memory samples (default 5)
#   BENCH_KEEP    when set, keep the temporary directory (for debugging)
#   TMPDIR        where the temporary nodes go (default /tmp)
#
# Every timed command runs under tools/bench/peakmem.c, which forks it,
# samples its private (anonymous) resident memory, RssAnon, every
# BENCH_SAMPLE_MS ms from /proc/PID/statm, and reaps it: wall time from
# fork to exit, peak RSS (ru_maxrss, the store's mapped pages included),
# peak private memory, and the bytes it wrote to storage (ru_oublock x 512,
# the "File system outputs" of /usr/bin/time -v).  consort serve is
# watched from outside over phase B by the same tool: its private memory
# before the sync (idle) and its peak during it (the difference is what one
# connected peer costs), its peak RSS (VmHWM, cumulative since its start;
# it serves nothing but the benchmark's syncs) and the growth of
# write_bytes in /proc/PID/io.  The store's size is the size of data.mdb.
# A sync's bytes and in-protocol time are what consort sync prints
# (everything on the socket both ways; time from the connected socket to
# its close, 1 ms resolution).  Messages (frames) each way and the
# protocol round trips are computed from the protocol (schema/protocol.md,
# sync/session.c, its constants read from sync/session.h) and the sizes of
# the change-sets sent, and checked: the bytes they predict must equal the
# measured bytes.  Digests are checked on every run; a mismatch stops the
# benchmark.

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
SYNC_RUNS=${BENCH_SYNC_RUNS:-$RUNS}
SCALES=${BENCH_SCALES:-"1 10"}
DATA=${BENCH_DATA:-$root/../shared/data}
[ -d "$DATA" ] && DATA=$(cd "$DATA" && pwd)
CACHE=${BENCH_CACHE:-$root/.build/bench-data}
BIN=${BENCH_BIN:-$root/.build/tools/bench}
SAMPLE_MS=${BENCH_SAMPLE_MS:-5}
TRACE=${BENCH_TRACE:-1}
export BENCH_ROOT=$root  # the Python helpers read sync/session.h there

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
case $SYNC_RUNS in '' | *[!0-9]*) die "BENCH_SYNC_RUNS must be an integer" ;; esac
[ -x "$consort" ] || die "no consort binary at $consort (run make)"
for tool in edrate peakmem bound; do
	[ -x "$BIN/$tool" ] || die "no $BIN/$tool (run make bench)"
done
case $SAMPLE_MS in '' | *[!0-9]* | 0) die "BENCH_SAMPLE_MS must be a positive integer" ;; esac
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing"
[ -d "$DATA" ] || die "no workload directory $DATA (set BENCH_DATA)"

# strace for the replays of run 1 (seccomp-bpf keeps its cost low).
SOCK_CALLS=read,write,readv,writev,recvfrom,sendto,recvmsg,sendmsg,shutdown,close
STRACE=()
if [ "$TRACE" != 0 ] && command -v strace >/dev/null 2>&1; then
	if strace -f --seccomp-bpf -qq -e trace=write -o /dev/null true 2>/dev/null; then
		STRACE=(strace -f --seccomp-bpf -qq)
	elif strace -f -qq -e trace=write -o /dev/null true 2>/dev/null; then
		STRACE=(strace -f -qq)
	fi
fi

work=$(mktemp -d "${TMPDIR:-/tmp}/consort-bench.XXXXXX")
servers=""  # the consort serve processes started here, by pid

# Stops the servers started here, then removes (or keeps) the nodes.
cleanup() {
	local p
	for p in $servers; do
		kill -TERM "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	servers=""
	if [ -n "${BENCH_KEEP:-}" ]; then
		echo "bench.sh: kept $work" >&2
	else
		rm -rf "$work"
	fi
}
trap cleanup EXIT
trap 'exit 130' INT TERM
results=$work/results.tsv
: >"$results"

# The Python helpers: ops-file fields, digests, log sizes, statistics.
PYLIB='
import hashlib, json, re, shlex, statistics, sys

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


def vars_out(prefix, v):
    for k, x in v.items():
        print("%s%s=%s" % (prefix, k, shlex.quote(str(x))))

def nodes(path):
    o = json.load(open(path, encoding="utf-8"))
    print("OPS_NODE_A=%s OPS_NODE_B=%s" % (shlex.quote(o["nodes"]["A"]), shlex.quote(o["nodes"]["B"])))

def conc(path):
    # type ref field a b, one line per concurrent edit
    for c in json.load(open(path, encoding="utf-8"))["concurrent"]:
        print(c["type"], c["ref"], c["field"], c["a"], c["b"])

SYNC_RE = re.compile(r"^(\S+): peer (\w+): sent (\d+) change-sets, received (\d+) "
    r"\((\d+) held already, (\d+) waiting\), refused (\d+) ops, (\d+) forks, "
    r"personal values \d+ sent \d+ kept, (\d+) bytes in ([0-9.]+) s$")

def syncline(path, prefix):
    lines = [l.rstrip("\n") for l in open(path, encoding="utf-8") if l.strip()]
    m = SYNC_RE.match(lines[-1]) if len(lines) == 1 else None
    if m is None:
        sys.exit("unexpected consort sync output: %r" % lines)
    k = ["ADDR", "PEER", "SENT", "RECV", "HELD", "WAIT", "REFUSED", "FORKS", "BYTES", "SECS"]
    vars_out(prefix, dict(zip(k, m.groups())))

# The sync protocol, for the messages and bytes a sync must take
# (schema/protocol.md; sync/conn.c, sync/session.c).
HANDSHAKE = 2 * (64 + 112) + 2 * 24  # hellos, auths, stream headers
FRAME = 4 + 17                       # length, secretstream tag and MAC

def session_consts():
    # SESS_BATCH_BYTES, SESS_BATCH_MAX and SESS_WINDOW, the one place that
    # sets them: sync/session.h (integer expressions: digits, u, <<, ( ))
    import os
    path = os.path.join(os.environ.get("BENCH_ROOT", "."), "sync", "session.h")
    text = open(path, encoding="utf-8").read()
    v = {}
    for name in ("BATCH_BYTES", "BATCH_MAX", "WINDOW"):
        m = re.search(r"^#define SESS_%s\s+([0-9u<>()+* ]+?)\s*(?:/\*.*)?$" % name,
            text, re.M)
        if m is None:
            sys.exit("no SESS_%s in %s" % (name, path))
        v[name] = int(eval(m.group(1).replace("u", ""), {"__builtins__": {}}))
    return v["BATCH_BYTES"], v["BATCH_MAX"], v["WINDOW"]

BATCH_BYTES, BATCH_MAX, WINDOW = session_consts()

def usz(x):  # msgpack unsigned int, smallest form
    return 1 if x < 128 else 2 if x < 256 else 3 if x < 65536 else 5 if x < 1 << 32 else 9

def asz(n):  # msgpack array header
    return 1 if n < 16 else 3 if n < 65536 else 5

def bsz(n):  # msgpack bin header
    return 2 if n < 256 else 3 if n < 65536 else 5

def heads(log):
    h = {}
    for c in log:
        h[c["author"]] = max(h.get(c["author"], 0), c["seq"])
    return h

def hello(log):  # [0, protocol, consortium, [[author, seq, head]...]]
    h = heads(log)
    return 2 + 1 + 34 + asz(len(h)) + sum(1 + 34 + usz(q) + 34 for q in h.values())

def outgoing(mine, theirs):
    # per author the seqs after the head of the peer, merged by smallest HLC
    peer = heads(theirs)
    chains = {}
    for c in mine:
        if c["seq"] > peer.get(c["author"], 0):
            chains.setdefault(c["author"], []).append(c)
    for v in chains.values():
        v.sort(key=lambda c: c["seq"])
    out, idx = [], {a: 0 for a in chains}
    while True:
        best = None
        for a in sorted(chains):
            if idx[a] < len(chains[a]):
                c = chains[a][idx[a]]
                if best is None or c["hlc"] < best["hlc"]:
                    best = c
        if best is None:
            return out
        out.append(best)
        idx[best["author"]] += 1

def batches(cs):  # (count, packed items) per batch, as send_batch cuts them
    out, i = [], 0
    while i < len(cs):
        n = nb = items = 0
        while n < BATCH_MAX and nb < BATCH_BYTES and i < len(cs):
            sz = cs[i]["size"]
            if n > 0 and nb + sz > BATCH_BYTES:
                break
            items += bsz(sz) + sz
            nb += sz
            n += 1
            i += 1
        out.append((n, items))
    return out

def side(mine, theirs):
    cs = outgoing(mine, theirs)
    bs = batches(cs)
    msgs = [hello(mine)]                                   # HELLO
    msgs += [2 + usz(k + 1) + asz(n) + it for k, (n, it) in enumerate(bs)]  # BATCH
    msgs.append(2 + usz(len(bs)))                          # DONE
    return cs, bs, msgs

def plan(server_log, client_log):
    ls = json.load(open(server_log, encoding="utf-8"))
    lc = json.load(open(client_log, encoding="utf-8"))
    cs_s, b_s, m_s = side(ls, lc)
    cs_c, b_c, m_c = side(lc, ls)
    m_s += [2 + usz(k + 1) for k in range(len(b_c))]      # ACKs
    m_c += [2 + usz(k + 1) for k in range(len(b_s))]
    # the WANT of each side and its answer, OPENINGS: [5 or 6, true, []], 4 bytes
    # when nothing is wanted (a sync that carries personal values is off
    # by their bytes: the prediction then says so)
    m_s += [4, 4]
    m_c += [4, 4]
    m_s.append(0)                                         # the FINAL frames
    m_c.append(0)
    total = HANDSHAKE + sum(FRAME + m for m in m_s + m_c)
    ceil = lambda n: -(-n // WINDOW)
    # turns the client waits for: 2 in the handshake, 1 for WANT and
    # OPENINGS after the DONEs; the HELLO of the
    # server comes back with its first window of batches, each further
    # window after the ACKs of the one before; the batches of the client
    # start once it has the HELLO of the server and end with the last ACK.
    session = max(1, ceil(len(b_s)), 1 + ceil(len(b_c)) if b_c else 0)
    vars_out("P_", {
        "S2C_CS": len(cs_s), "C2S_CS": len(cs_c),
        "S2C_BATCHES": len(b_s), "C2S_BATCHES": len(b_c),
        "S2C_MSGS": len(m_s), "C2S_MSGS": len(m_c),
        "CS_BYTES": sum(c["size"] for c in cs_s + cs_c),
        "BYTES": total, "HANDSHAKE": HANDSHAKE, "RT": 3 + session,
    })

SOCK_W = ("write", "writev", "sendto", "sendmsg")
SOCK_R = ("read", "readv", "recvfrom", "recvmsg")

def sockio(path, client):
    # the reads and writes on the TCP connection of one traced process, in
    # order: [(W or R, bytes)]; the connection is the first connect (client)
    # or accept (server)
    fd, ev, pend = None, [], {}
    for line in open(path, encoding="utf-8", errors="replace"):
        m = re.match(r"(\d+)\s+(?:[0-9.]+\s+)?(.*)$", line)
        if m is None:
            continue
        pid, rest = m.groups()
        if rest.startswith("<... "):
            m = re.match(r"<\.\.\. (\w+) resumed>", rest)
            if m is None or pid not in pend:
                continue
            name, f = pend.pop(pid)
        else:
            m = re.match(r"(\w+)\((\d*)", rest)
            if m is None:
                continue
            name, f = m.group(1), m.group(2)
            if client and name == "connect" and fd is None and "AF_INET" in rest:
                fd = f
                continue
            if rest.rstrip().endswith("<unfinished ...>"):
                pend[pid] = (name, f)
                continue
        try:
            ret = int(rest.rsplit(" = ", 1)[1].split()[0])
        except (IndexError, ValueError):
            continue
        if fd is None:
            if not client and name in ("accept", "accept4") and ret >= 0:
                fd = str(ret)
            continue
        if f != fd:
            continue
        if name == "close":
            break
        if ret > 0 and name in SOCK_W:
            ev.append(("W", ret))
        elif ret > 0 and name in SOCK_R:
            ev.append(("R", ret))
    if fd is None:
        sys.exit("no TCP connection in " + path)
    return ev

def rtrips(ctrace, strace_):
    # Round trips on the causal chain, from both traces: a write is one
    # half-trip deeper than the deepest peer write whose bytes its process
    # had read before it (the conservative reading: a write depends on all
    # that was read before it); a write made before reading anything is at
    # depth 1.  The round trips the client waits for = half the depth of
    # the last server write it read.  No clock is shared: only the order
    # of each process and the byte offsets of the two streams.
    import bisect
    sys.setrecursionlimit(100000)
    ev = {"c": sockio(ctrace, True), "s": sockio(strace_, False)}
    writes, ends = {}, {}
    for side, e in ev.items():
        w, off, rd = [], 0, 0
        for kind, n in e:
            if kind == "W":
                w.append(rd)   # bytes read by this side before this write
                off += n
                ends.setdefault(side, []).append(off)
            else:
                rd += n
        writes[side] = w
        ends.setdefault(side, [])
    peer = {"c": "s", "s": "c"}
    memo = {}
    def depth(side, k):
        if (side, k) not in memo:
            r = writes[side][k]
            if r == 0:
                memo[side, k] = 1
            else:
                j = bisect.bisect_left(ends[peer[side]], r)
                memo[side, k] = 1 + depth(peer[side], j)
        return memo[side, k]
    got = sum(n for kind, n in ev["c"] if kind == "R")
    if got == 0:
        sys.exit("the client read nothing")
    print(depth("s", bisect.bisect_left(ends["s"], got)) // 2)

def busiest(path):
    # the lot and month where most sessions start, and how many: records
    # come type by type, lots and sessions first
    import collections
    n = collections.Counter()
    for line in open(path, encoding="utf-8"):
        r = json.loads(line)
        if r["type"] == "session":
            n[r["lot"], r["start"][:7]] += 1
        elif r["type"] != "lot":
            break
    (lot, month), k = min(n.items(), key=lambda x: (-x[1], x[0]))
    print(lot, month, k)

def vv(sa, sb):
    # the version vectors (author, seq, head) of two consort status --json
    f = lambda p: sorted((a["key"], a["seq"], a["head"])
        for a in json.load(open(p, encoding="utf-8"))["authors"])
    if f(sa) != f(sb):
        sys.exit("the version vectors differ:\n  %s\n  %s" % (f(sa), f(sb)))

def canon(state):
    return json.dumps(state, ensure_ascii=False, separators=(",", ":"),
        sort_keys=True).encode("utf-8")

PERSONAL = ("family_name", "given_name", "birth_year", "ft_id", "disability",
    "part_time")

def public(state):
    # an export without the personal values, which B (a co-contractor)
    # reads for its own trainees only
    for r in state.get("trainee", {}).values():
        for k in PERSONAL:
            r.pop(k, None)
    return state

def dcheck(ea, eb, opsf):
    # the checks after phase D (README, post_concurrent_note)
    o = json.load(open(opsf, encoding="utf-8"))
    ba, bb = open(ea, "rb").read(), open(eb, "rb").read()
    if canon(public(json.loads(ba))) != canon(public(json.loads(bb))):
        sys.exit("the exports of A and B differ (personal values aside)")
    if not ba.endswith(b"\n"):
        sys.exit("export does not end with a newline")
    state = json.loads(ba)
    if canon(state) != ba[:-1]:
        sys.exit("cannot re-serialize the export byte for byte")
    na = nb = 0
    for c in o["concurrent"]:
        v = state[c["type"]][c["ref"]][c["field"]]
        if isinstance(v, bool) or not isinstance(v, int) or v not in (c["a"], c["b"]):
            sys.exit("%s %s %s holds %r, neither a=%r nor b=%r" % (
                c["type"], c["ref"], c["field"], v, c["a"], c["b"]))
        na += v == c["a"]
        nb += v == c["b"]
        state[c["type"]][c["ref"]][c["field"]] = c["old"]
    if hashlib.sha256(canon(state)).hexdigest() != o["post_incremental_state_sha256"]:
        sys.exit("with the concurrent fields set back to old, the digest is not "
            "post_incremental_state_sha256: something else changed")
    print(na, nb)

def conflicts(path, opsf):
    # consort conflicts --json, whatever its shape: how many of the
    # concurrent fields it lists with both a and b
    o = json.load(open(opsf, encoding="utf-8"))
    doc = json.load(open(path, encoding="utf-8"))
    items = doc.get("conflicts", doc) if isinstance(doc, dict) else doc
    if isinstance(items, dict):
        items = [{k: v} for k, v in items.items()]
    def atoms(x):
        if isinstance(x, dict):
            for k, y in x.items():
                yield k
                yield from atoms(y)
        elif isinstance(x, list):
            for y in x:
                yield from atoms(y)
        else:
            yield x
    found = set()
    for it in items:
        a = list(atoms(it))
        text = " ".join(x for x in a if isinstance(x, str))
        for c in o["concurrent"]:
            if re.search(r"\b%s\b" % re.escape(c["ref"]), text) and \
                    c["a"] in a and c["b"] in a:
                found.add(c["ref"])
    print(len(found))

ROWS = [
    ("A1 load, %(rpt)s records/change-set", [
        ("a1_s", "wall s", ".3f"),
        ("a1_us", "us/record", ".1f"),
        ("a1_rps", "records/s", ",.0f"),
        ("a1_cps", "change-sets/s", ",.1f"),
        ("a1_cs", "change-sets", ",.0f"),
        ("a1_bpc", "bytes/change-set", ",.0f"),
        ("a1_store", "store on disk MiB", ".1f"),
        ("a1_store_b", "store, data.mdb bytes", ",.0f"),
        ("a1_written", "bytes written", ",.0f"),
        ("a1_wratio", "written / store", ".2f"),
        ("a1_rss", "peak RSS MiB", ".1f"),
        ("a1_anon", "peak private MiB", ".1f"),
    ]),
    ("A2 load, 1 record/change-set", [
        ("a2_s", "wall s", ".3f"),
        ("a2_cps", "change-sets/s", ",.0f"),
        ("a2_cs", "change-sets", ",.0f"),
        ("a2_store", "store on disk MiB", ".1f"),
        ("a2_written", "bytes written", ",.0f"),
        ("a2_rss", "peak RSS MiB", ".1f"),
        ("a2_anon", "peak private MiB", ".1f"),
        ("a2_raw2_vps", "raw Ed25519 verify/s, 2 cores", ",.0f"),
        ("a2_ratio2", "change-sets/s / 2-core raw %", ".1f"),
    ]),
    ("B2 full sync of the A2 log to a new node, 1 record/change-set", [
        ("b2_s", "wall s (sync command)", ".3f"),
        ("b2_cs", "change-sets", ",.0f"),
        ("b2_cps", "change-sets/s", ",.0f"),
        ("b2_ratio2", "change-sets/s / 2-core raw %", ".1f"),
        ("b2_written", "bytes written by B (sync)", ",.0f"),
        ("b2_wratio", "  written / store", ".2f"),
        ("b2_anon_c", "peak private B, sync MiB", ".1f"),
        ("b2_anon_s", "peak private A, serve MiB", ".1f"),
    ]),
    ("verify (replay of the A1 store)", [
        ("v_s", "wall s", ".3f"),
        ("v_us", "us/record", ".1f"),
        ("v_cps", "change-sets/s", ",.1f"),
        ("v_written", "bytes written", ",.0f"),
        ("v_rss", "peak RSS MiB", ".1f"),
        ("v_anon", "peak private MiB", ".1f"),
        ("raw_vps", "raw Ed25519 verify/s", ",.1f"),
        ("raw_mbs", "raw Ed25519 MB/s", ".1f"),
        ("v_ratio", "verify/raw %", ".1f"),
    ]),
    ("C incremental edit (consort set)", [
        ("c_s", "wall s", ".3f"),
        ("c_rss", "peak RSS MiB", ".1f"),
    ]),
    ("order build, one lot and its busiest month (node of A1)", [
        ("ob_s", "wall s", ".3f"),
        ("ob_us", "us/session of the lot-month", ",.0f"),
        ("ob_refusals", "refusals listed", ",.0f"),
        ("ob_rss", "peak RSS MiB", ".1f"),
        ("ob_anon", "peak private MiB", ".1f"),
    ]),
    ("B full sync A -> B (consort sync, loopback TCP, B starts empty)", [
        ("b_s", "wall s (sync command)", ".3f"),
        ("b_us", "us/record", ".1f"),
        ("b_proto_s", "in-protocol s", ".3f"),
        ("b_cs", "change-sets", ",.0f"),
        ("b_cps", "change-sets/s", ",.0f"),
        ("b_raw_vps", "raw Ed25519 verify/s", ",.0f"),
        ("b_ratio", "sync/raw Ed25519 %", ".1f"),
        ("b_raw2_vps", "raw Ed25519 verify/s, 2 cores", ",.0f"),
        ("bd_s", "bound s (tables + Ed25519)", ".3f"),
        ("bd_write_s", "  tables, 1 durable commit s", ".3f"),
        ("bd_check_s", "  Ed25519, 2nd thread s", ".3f"),
        ("bd_ratio", "full sync / bound", ".2f"),
        ("b_store_b", "store B, data.mdb bytes", ",.0f"),
        ("bd_store_b", "  store of the bound, bytes", ",.0f"),
        ("b_written", "bytes written by B (sync)", ",.0f"),
        ("b_wratio", "  written / store", ".2f"),
        ("b_dev", "  the device wrote meanwhile (machine-wide)", ",.0f"),
        ("b_dratio", "  device writes / store", ".2f"),
        ("bd_written", "  bytes written by the bound", ",.0f"),
        ("b_written_s", "bytes written by A (serve)", ",.0f"),
        ("b_bytes", "bytes on the wire", ",.0f"),
        ("b_over", "  beyond the change-sets", ",.0f"),
        ("b_hs", "  of which handshake", ",.0f"),
        ("b_msgs_s", "messages A -> B", ",.0f"),
        ("b_msgs_c", "messages B -> A", ",.0f"),
        ("b_batches", "batches (acknowledged)", ",.0f"),
        ("b_rt", "round trips (protocol)", ",.0f"),
        ("b_rt_st", "round trips (strace bound)", ",.0f"),
        ("b_rss_c", "peak RSS B, sync MiB", ".1f"),
        ("b_anon_c", "peak private B, sync MiB", ".1f"),
        ("b_rss_s", "peak RSS A, serve MiB", ".1f"),
        ("b_anon_s", "peak private A, serve MiB", ".1f"),
        ("b_anon_s0", "  idle before the sync MiB", ".1f"),
        ("b_peer_s", "  for the one peer MiB", ".2f"),
    ]),
    ("C sync: the edit of C synced A -> B over a new connection", [
        ("cs_ms", "wall ms (sync command)", ".2f"),
        ("cs_proto_ms", "in-protocol ms (1 ms res.)", ".0f"),
        ("cs_bytes", "bytes on the wire", ",.0f"),
        ("cs_size", "  the change-set", ",.0f"),
        ("cs_over", "  protocol bytes beyond it", ",.0f"),
        ("cs_msgs_s", "messages A -> B", ",.0f"),
        ("cs_msgs_c", "messages B -> A", ",.0f"),
        ("cs_rt", "round trips (protocol)", ",.0f"),
        ("cs_rt_st", "round trips (strace bound)", ",.0f"),
        ("cs_rss_c", "peak RSS B, sync MiB", ".1f"),
    ]),
    ("D 100 concurrent edits on A and B, then one two-way sync", [
        ("d_ms", "wall ms (sync command)", ".2f"),
        ("d_proto_ms", "in-protocol ms (1 ms res.)", ".0f"),
        ("d_cs_s", "change-sets A -> B", ",.0f"),
        ("d_cs_c", "change-sets B -> A", ",.0f"),
        ("d_bytes", "bytes on the wire", ",.0f"),
        ("d_size", "  the change-sets", ",.0f"),
        ("d_over", "  protocol bytes beyond them", ",.0f"),
        ("d_msgs_s", "messages A -> B", ",.0f"),
        ("d_msgs_c", "messages B -> A", ",.0f"),
        ("d_rt", "round trips (protocol)", ",.0f"),
        ("d_rt_st", "round trips (strace bound)", ",.0f"),
        ("d_conf_a", "conflicts listed on A", ",.0f"),
        ("d_conf_b", "conflicts listed on B", ",.0f"),
        ("d_win_a", "fields holding a (A value)", ",.0f"),
        ("d_win_b", "fields holding b (B value)", ",.0f"),
        ("d_rss_c", "peak RSS B, sync MiB", ".1f"),
        ("d_rss_s", "peak RSS A, serve B-D MiB", ".1f"),
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
    w = 30
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

def within(values, limit):
    over = sum(1 for v in values if v > limit)
    if over == 0:
        return "met in every run"
    return "NOT met in %d of %d run%s" % (over, len(values), "" if len(values) == 1 else "s")

def summary(path, runs, sync_runs=None):
    data = load(path)
    print()
    sync = ""
    if sync_runs == "0":
        sync = "; B, C sync and D skipped"
    elif sync_runs not in (None, runs):
        sync = "; B, C sync and D: %s run%s" % (sync_runs, "" if sync_runs == "1" else "s")
    print("== summary (medians of %s run%s%s)" % (runs, "" if runs == "1" else "s", sync))
    for scale in sorted(data, key=int, reverse=True):
        d = data[scale]
        m = lambda k: statistics.median(d[k])
        x = "x" + scale
        if "a1_s" in d:
            print("%-4s import A1  %8.3f s  %10s records/s  %8s change-sets/s  peak RSS %.1f MiB" % (
                x, m("a1_s"), format(m("a1_rps"), ",.0f"), format(m("a1_cps"), ",.0f"), m("a1_rss")))
            print("%-4s              %.1f us/record; peak private %.1f MiB; %s bytes written = %.2fx the store (%s bytes)" % (
                "", m("a1_us"), m("a1_anon"), format(m("a1_written"), ",.0f"), m("a1_wratio"),
                format(m("a1_store_b"), ",.0f")))
        if "a2_s" in d:
            print("%-4s import A2  %8.3f s  %10s records/s  %8s change-sets/s  peak RSS %.1f MiB" % (
                x, m("a2_s"), format(m("a2_cps"), ",.0f"), format(m("a2_cps"), ",.0f"), m("a2_rss")))
        if "b2_s" in d:
            print("%-4s sync B2    %8.3f s  %10s change-sets/s = %.1f%% of the raw Ed25519 rate of 2 cores (%s verify/s)" % (
                x, m("b2_s"), format(m("b2_cps"), ",.0f"), m("b2_ratio2"), format(m("a2_raw2_vps"), ",.0f")))
        if "v_s" in d:
            print("%-4s verify     %8.3f s  %10s change-sets/s = %.1f%% of raw Ed25519 (%s verify/s)" % (
                x, m("v_s"), format(m("v_cps"), ",.0f"), m("v_ratio"), format(m("raw_vps"), ",.0f")))
            print("%-4s              %.1f us/record; peak RSS %.1f MiB, private %.1f MiB" % (
                "", m("v_us"), m("v_rss"), m("v_anon")))
        if "c_s" in d:
            print("%-4s edit C     %8.3f s" % (x, m("c_s")))
        if "ob_s" in d:
            print("%-4s order build %7.3f s  %10s us per session of the lot-month; peak RSS %.1f MiB, private %.1f MiB" % (
                x, m("ob_s"), format(m("ob_us"), ",.0f"), m("ob_rss"), m("ob_anon")))
        if "b_s" in d:
            print("%-4s sync B     %8.3f s  %10s change-sets/s = %.1f%% of raw Ed25519 (%s verify/s); %s bytes, %d messages, %d round trips" % (
                x, m("b_s"), format(m("b_cps"), ",.0f"), m("b_ratio"), format(m("b_raw_vps"), ",.0f"),
                format(m("b_bytes"), ",.0f"), m("b_msgs_s") + m("b_msgs_c"), m("b_rt")))
            print("%-4s              peak RSS B (sync) %.1f MiB, A (serve) %.1f MiB; in-protocol %.3f s" % (
                "", m("b_rss_c"), m("b_rss_s"), m("b_proto_s")))
            print("%-4s              %.1f us/record; peak private B (sync) %.1f MiB, A (serve) %.1f MiB (%.2f MiB over its idle %.1f MiB)" % (
                "", m("b_us"), m("b_anon_c"), m("b_anon_s"), m("b_peer_s"), m("b_anon_s0")))
            print("%-4s              %s bytes written by B = %.2fx its store (%s bytes); A (serve) wrote %s bytes" % (
                "", format(m("b_written"), ",.0f"), m("b_wratio"), format(m("b_store_b"), ",.0f"),
                format(m("b_written_s"), ",.0f")))
            if "bd_s" in d:
                print("%-4s              bound %.3f s (tables in one durable commit %.3f s, Ed25519 on a 2nd thread %.3f s): full sync = %.2fx the bound" % (
                    "", m("bd_s"), m("bd_write_s"), m("bd_check_s"), m("bd_ratio")))
            print("%-4s              target: full sync <= 2 s %s (max %.3f s)" % (
                "", within(d["b_s"], 2), max(d["b_s"])))
        if "cs_ms" in d:
            print("%-4s sync C     %8.1f ms whole command, %.0f ms in-protocol; %s bytes = %s change-set + %s protocol; %d round trips" % (
                x, m("cs_ms"), m("cs_proto_ms"), format(m("cs_bytes"), ",.0f"),
                format(m("cs_size"), ",.0f"), format(m("cs_over"), ",.0f"), m("cs_rt")))
            print("%-4s              target <= 2 ms: in-protocol (TCP connect excluded, 1 ms resolution) %s; whole command (process start and exit included) %s" % (
                "", within(d["cs_proto_ms"], 2), within(d["cs_ms"], 2)))
            print("%-4s              target < 1 KiB of protocol bytes beyond the change-set %s" % (
                "", within(d["cs_over"], 1023)))
        if "d_ms" in d:
            print("%-4s sync D     %8.1f ms whole command, %.0f ms in-protocol; %s bytes; %d round trips; conflicts listed: %d on A, %d on B (of %d)" % (
                x, m("d_ms"), m("d_proto_ms"), format(m("d_bytes"), ",.0f"), m("d_rt"),
                m("d_conf_a"), m("d_conf_b"), m("d_cs_s")))
            print("%-4s              peak RSS A (serve, over B, C and D, its mapped store included) %.1f MiB (max %.1f)" % (
                "", m("d_rss_s"), max(d["d_rss_s"])))

# The targets of the benchmark, per scale: (label, keys, limit); a key
# holds one value per run, a run meets the target when each of its values
# is within the limit.
MEM_KEYS = [("import", "a1_anon"), ("sync B", "b_anon_c"), ("serve A", "b_anon_s"),
    ("verify", "v_anon"), ("order build", "ob_anon")]

def med(d, k):
    return statistics.median(d[k]) if k in d else None

def targets(data):
    print()
    print("== targets (every run; medians and the runs that miss)")
    scales = sorted(data, key=int)
    for scale in scales:
        d = data[scale]
        x = "x" + scale
        for name, k in MEM_KEYS:
            if k in d:
                print("%-5s peak private memory %-11s <= 64 MiB: max %6.1f MiB, %s" % (
                    x, name, max(d[k]), within(d[k], 64)))
        if "b_peer_s" in d:
            print("%-5s serve private memory per connected peer <= 1 MiB: max %.2f MiB, %s" % (
                x, max(d["b_peer_s"]), within(d["b_peer_s"], 1)))
        if "b_wratio" in d:
            print("%-5s bytes written by a full sync <= 3x the store: median %.2fx, %s" % (
                x, med(d, "b_wratio"), within(d["b_wratio"], 3)))
        if "bd_ratio" in d:
            lim = " (target <= 1.3 at x10)" if scale == "10" else ""
            print("%-5s full sync / bound: median %.2f [%.2f - %.2f]%s%s" % (
                x, med(d, "bd_ratio"), min(d["bd_ratio"]), max(d["bd_ratio"]), lim,
                ": " + within(d["bd_ratio"], 1.3) if scale == "10" else ""))
        for k, name in (("a2_ratio2", "import A2"), ("b2_ratio2", "full sync B2")):
            if k in d:
                r = d[k]
                miss = sum(1 for v in r if v < 80)
                print("%-5s one change-set per record, %s / 2-core raw Ed25519: median %.1f%% (target >= 80%%): %s" % (
                    x, name, statistics.median(r),
                    "met in every run" if miss == 0 else "NOT met in %d of %d runs" % (miss, len(r))))
    if "10" in data:
        ref = data["10"]
        for scale in scales:
            if int(scale) <= 10:
                continue
            lim = 1.25 if int(scale) <= 100 else 1.5
            for name, k in (("import", "a1_us"), ("full sync", "b_us")):
                if k in data[scale] and k in ref:
                    print("%-5s %s per record / x10: %.2f (target <= %.2f): %s" % (
                        "x" + scale, name, med(data[scale], k) / med(ref, k), lim,
                        "met" if med(data[scale], k) / med(ref, k) <= lim else "NOT met"))

def cell(d, k, f, spread=True):
    if k not in d:
        return "-"
    v = d[k]
    if not spread or len(v) == 1:
        return format(statistics.median(v), f)
    return "%s (%s-%s)" % (format(statistics.median(v), f), format(min(v), f), format(max(v), f))

def mem_cell(d):
    out = []
    for name, k in MEM_KEYS:
        out.append(format(max(d[k]), ".0f") if k in d else "-")
    return " / ".join(out)

def markdown(path, runs, head):
    data = load(path)
    scales = sorted(data, key=int)
    rows = [
        ("import, \u00b5s per record", lambda d: cell(d, "a1_us", ".1f")),
        ("full sync, \u00b5s per record", lambda d: cell(d, "b_us", ".1f")),
        ("verify, \u00b5s per record", lambda d: cell(d, "v_us", ".1f")),
        ("full sync / bound", lambda d: cell(d, "bd_ratio", ".2f")),
        ("bytes written by full sync / store", lambda d: cell(d, "b_wratio", ".2f")),
        ("device writes during full sync / store", lambda d: cell(d, "b_dratio", ".2f")),
        ("peak private MiB import / sync / serve / verify / order build (max)", mem_cell),
        ("serve, private MiB for one peer (max)", lambda d: format(max(d["b_peer_s"]), ".2f") if "b_peer_s" in d else "-"),
        ("order build, one lot-month, s", lambda d: cell(d, "ob_s", ".3f")),
        ("1 record/change-set, full sync / 2-core raw Ed25519 %", lambda d: cell(d, "b2_ratio2", ".0f")),
    ]
    print()
    print("== Markdown (README, Benchmark): medians (min-max) of %s run%s" % (runs, "" if runs == "1" else "s"))
    print()
    print("| | " + " | ".join("x" + s for s in scales) + " |")
    print("|---|" + "---|" * len(scales))
    for label, f in rows:
        print("| %s | %s |" % (label, " | ".join(f(data[s]) for s in scales)))
    print()
    print(head)

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
    summary(sys.argv[2], sys.argv[3], sys.argv[4] if len(sys.argv) > 4 else None)
    targets(load(sys.argv[2]))
elif cmd == "markdown":
    markdown(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "nodes":
    nodes(sys.argv[2])
elif cmd == "conc":
    conc(sys.argv[2])
elif cmd == "syncline":
    syncline(sys.argv[2], sys.argv[3])
elif cmd == "plan":
    plan(sys.argv[2], sys.argv[3])
elif cmd == "rtrips":
    rtrips(sys.argv[2], sys.argv[3])
elif cmd == "vv":
    vv(sys.argv[2], sys.argv[3])
elif cmd == "dcheck":
    dcheck(sys.argv[2], sys.argv[3], sys.argv[4])
elif cmd == "conflicts":
    conflicts(sys.argv[2], sys.argv[3])
elif cmd == "busiest":
    busiest(sys.argv[2])
elif cmd == "consts":
    vars_out("SESS_", {"BATCH_BYTES": BATCH_BYTES, "BATCH_MAX": BATCH_MAX, "WINDOW": WINDOW})
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

# Runs a consort command under peakmem, quiet; sets SECS, RSS_MIB (peak
# RSS), ANON_MIB (peak private memory) and WRITTEN (bytes written).
timed() {
	if ! "$BIN/peakmem" -i "$SAMPLE_MS" -o "$work/peak.txt" -- "$@" \
	    >"$work/out" 2>"$work/err"; then
		cat "$work/err" >&2
		die "failed: $*"
	fi
	peak_read "$work/peak.txt" || die "no peakmem report for: $*"
}

# Reads a peakmem report of a command: sets SECS, RSS_MIB, ANON_MIB, WRITTEN.
peak_read() {
	local line
	line=$(cat "$1" 2>/dev/null) || return 1
	SECS=$(peak_field "$line" wall_s)
	RSS_MIB=$(kib_mib "$(peak_field "$line" rss_peak_kib)")
	ANON_MIB=$(kib_mib "$(peak_field "$line" anon_peak_kib)")
	WRITTEN=$(peak_field "$line" written_bytes)
	[ -n "$SECS" ] && [ -n "$WRITTEN" ]
}

# One key=value field of a peakmem, bound or edrate line.
peak_field() {
	local f=" $1"
	f=${f##* "$2"=}
	[ "$f" != " $1" ] || return 0
	echo "${f%% *}"
}

# KiB to MiB.
kib_mib() {
	awk -v k="$1" 'BEGIN { printf "%.3f", k / 1024 }'
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
	    --co "Campus Métiers Artois:83046172900451" --no-passphrase
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

# The size of the store's data.mdb, in bytes.
store_bytes() {
	stat -c %s "$1/store/data.mdb"
}

# The sectors the block device under the benchmark's folder has written
# since boot (/sys/class/block/DEV/stat, 7th field), or 0 when unknown.
# ru_oublock and /proc/PID/io count a whole page-cache folio for a small
# write into it (large folios: up to 2 MiB), so on kernels that use them
# they can say ten times what reaches the device.  The device's own count
# is the machine's: it is exact on a quiet machine only.
dev_sectors() {
	local src
	src=$(df --output=source "$work" 2>/dev/null | tail -n 1)
	src=${src##*/}
	awk '{ print $7 }' "/sys/class/block/$src/stat" 2>/dev/null || echo 0
}

# Microseconds per item: seconds $1 over $2 items.
per_us() {
	awk -v s="$1" -v n="$2" 'BEGIN { printf "%.4f", (n > 0 ? s * 1e6 / n : 0) }'
}

# The store's size on disk, in MiB.
store_mib() {
	local kb
	kb=$(du -k "$1/store/data.mdb" | cut -f1)
	awk -v k="$kb" 'BEGIN { printf "%.3f", k / 1024 }'
}

# The directory that holds the workload of scale $1: BENCH_DATA, else the
# cache; fails when neither does.
data_dir() {
	if [ -f "$DATA/ops-x$1.json" ]; then
		echo "$DATA"
	elif [ -f "$CACHE/ops-x$1.json" ] && [ -f "$CACHE/dataset-x$1.jsonl" ]; then
		echo "$CACHE"
	else
		return 1
	fi
}

# Generates the workload of scale $1 into the cache, once, with the
# workload's own generator (BENCH_DATA/gen.js, deterministic: the files are
# those the workload's README describes for that scale).
generate() {
	local gen=$DATA/gen.js tmp
	[ -f "$gen" ] ||
	    die "scale x$1 is neither in $DATA nor in $CACHE, and there is no $gen to generate it"
	command -v node >/dev/null 2>&1 ||
	    die "scale x$1 is neither in $DATA nor in $CACHE, and node (Node.js, apt-get install nodejs) is missing to generate it with $gen"
	mkdir -p "$CACHE" || die "cannot create $CACHE"
	tmp=$(mktemp -d "$CACHE/.gen-x$1.XXXXXX") || die "cannot write in $CACHE"
	note "bench.sh: generating the x$1 workload into $CACHE (node $gen --scale $1), once"
	if ! node "$gen" --scale "$1" --out "$tmp/dataset-x$1.jsonl" \
	    --ops "$tmp/ops-x$1.json" >"$tmp/log" 2>&1; then
		cat "$tmp/log" >&2
		rm -rf "$tmp"
		die "$gen failed for scale x$1"
	fi
	mv "$tmp/dataset-x$1.jsonl" "$CACHE/" && mv "$tmp/ops-x$1.json" "$CACHE/" ||
	    die "cannot move the x$1 workload into $CACHE"
	rm -rf "$tmp"
}

# Loads the ops file of a scale and checks its dataset; sets OPS_* and INC_*.
load_ops() {
	local dir ops file size sum vars
	dir=$(data_dir "$1") || die "no ops-x$1.json in $DATA or $CACHE"
	ops=$dir/ops-x$1.json
	vars=$(py ops "$ops") || die "cannot read $ops"
	eval "$vars"
	[ "$OPS_DATASET" = "dataset-x$1.jsonl" ] ||
	    die "$ops names dataset $OPS_DATASET, not dataset-x$1.jsonl"
	file=$dir/$OPS_DATASET
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
	OPS_FILE=$ops
	vars=$(py nodes "$ops") || die "cannot read the nodes of $ops"
	eval "$vars"
}

# Phase A1, verify, edrate, phase C and order build on one fresh node.
run_a1_verify_c() {
	local d=$work/x$scale-a1 n bpc vcs raw rawmb st
	new_node "$d"
	timed "$consort" --dir "$d" import "$DATASET"
	grep -q ": $OPS_RECORDS records read" "$work/out" ||
	    die "import did not read $OPS_RECORDS records: $(cat "$work/out")"
	put a1_s "$SECS"
	put a1_us "$(per_us "$SECS" "$OPS_RECORDS")"
	put a1_rss "$RSS_MIB"
	put a1_anon "$ANON_MIB"
	put a1_rps "$(div "$OPS_RECORDS" "$SECS")"
	a1_secs=$SECS
	st=$(store_bytes "$d")
	put a1_written "$WRITTEN"
	put a1_store_b "$st"
	put a1_wratio "$(div "$WRITTEN" "$st")"
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
	put v_us "$(per_us "$SECS" "$OPS_RECORDS")"
	put v_rss "$RSS_MIB"
	put v_anon "$ANON_MIB"
	put v_written "$WRITTEN"
	put v_cps "$(div "$vcs" "$SECS")"
	run "$BIN/edrate" "$d"
	raw=$(peak_field "$(cat "$work/out")" raw_verify_per_s)
	rawmb=$(peak_field "$(cat "$work/out")" raw_verify_mb_per_s)
	[ -n "$raw" ] || die "unexpected edrate output: $(cat "$work/out")"
	[ "$(peak_field "$(cat "$work/out")" changesets)" = "$vcs" ] ||
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
	run_order "$d"
	rm -rf "$d"
}

# Order build on node $1 for the lot and month of ORDER_LOT, ORDER_PERIOD
# (the dataset breaks rules on purpose: a refusal with its full list of
# errors counts as a build).
run_order() {
	local rc=0
	rm -f "$work/orders.json"
	"$BIN/peakmem" -i "$SAMPLE_MS" -o "$work/peak.txt" -- "$consort" \
	    --dir "$1" order build --lot "$ORDER_LOT" --period "$ORDER_PERIOD" \
	    --out "$work/orders.json" >/dev/null 2>"$work/orders.err" || rc=$?
	[ "$rc" = 0 ] || [ "$rc" = 3 ] || {
		cat "$work/orders.err" >&2
		die "order build $ORDER_LOT $ORDER_PERIOD exited $rc"
	}
	peak_read "$work/peak.txt" || die "no peakmem report for order build"
	put ob_s "$SECS"
	put ob_us "$(per_us "$SECS" "$ORDER_SESSIONS")"
	put ob_rss "$RSS_MIB"
	put ob_anon "$ANON_MIB"
	put ob_refusals "$(grep -c ' R[0-9][0-9] ' "$work/orders.err" || true)"
	rm -f "$work/orders.json"
}

# Phase A2: one change-set per record; then its full sync to a new
# co-contractor node (B2, where the receiver checks a signature per
# record).  Both against the raw Ed25519 rate of two cores on the same
# change-sets.
run_a2() {
	local d=$work/x$scale-a2 b=$work/x$scale-a2-B n raw2
	new_node "$d"
	timed "$consort" --dir "$d" import --batch 1 "$DATASET"
	n=$(sed -n 's/.* \([0-9]*\) change-sets.*/\1/p' "$work/out")
	[ "$n" = "$OPS_RECORDS" ] ||
	    die "--batch 1 gave ${n:-?} change-sets, not $OPS_RECORDS"
	put a2_s "$SECS"
	put a2_rss "$RSS_MIB"
	put a2_anon "$ANON_MIB"
	put a2_cs "$n"
	put a2_cps "$(div "$n" "$SECS")"
	put a2_store "$(store_mib "$d")"
	put a2_written "$WRITTEN"
	check_digest "$d" "$OPS_POST_LOAD" "phase A2 (post_load_state_sha256)"
	run "$BIN/edrate" "$d" --threads 2
	raw2=$(peak_field "$(cat "$work/out")" raw_verify_per_s)
	[ -n "$raw2" ] || die "unexpected edrate output: $(cat "$work/out")"
	put a2_raw2_vps "$raw2"
	put a2_ratio2 "$(awk -v n="$n" -v s="$SECS" -v r="$raw2" \
	    'BEGIN { printf "%.4f", 100 * n / s / r }')"

	join_b "$d" "$b"
	start_server "$d" "$work/serve.err"
	plan_sync "$d" "$b"
	watch_start "$SRV_PID"
	sync_timed "$b" "$SRV_PORT"
	watch_stop
	stop_server "$SRV_PID"
	check_same_hash "$d" "$b" "phase B2"
	put b2_s "$SECS"
	put b2_cs "$SY_RECV"
	put b2_cps "$(div "$SY_RECV" "$SECS")"
	put b2_anon_c "$ANON_MIB"
	put b2_anon_s "$(kib_mib "$(peak_field "$WATCH" anon_peak_kib)")"
	put b2_written "$WRITTEN"
	put b2_wratio "$(div "$WRITTEN" "$(store_bytes "$b")")"
	put b2_ratio2 "$(awk -v n="$SY_RECV" -v s="$SECS" -v r="$raw2" \
	    'BEGIN { printf "%.4f", 100 * n / s / r }')"
	rm -rf "$d" "$b"
}

# A free TCP port on 127.0.0.1.
free_port() {
	python3 -c 'import socket
s = socket.socket()
s.bind(("127.0.0.1", 0))
print(s.getsockname()[1])'
}

# Starts consort serve on node $1 at 127.0.0.1, its stderr in $2, and waits
# until it listens; sets SRV_PID and SRV_PORT.  With a file $3, it runs
# under strace writing there (SRV_PID is then the strace process).
start_server() {
	local dir=$1 log=$2 trace=${3:-} i try
	for try in 1 2 3; do
		SRV_PORT=$(free_port)
		if [ -n "$trace" ]; then
			"${STRACE[@]}" -o "$trace" -e "trace=accept,accept4,$SOCK_CALLS" \
			    "$consort" --dir "$dir" serve --listen "127.0.0.1:$SRV_PORT" \
			    >/dev/null 2>"$log" &
		else
			"$consort" --dir "$dir" serve --listen "127.0.0.1:$SRV_PORT" \
			    >/dev/null 2>"$log" &
		fi
		SRV_PID=$!
		servers="$servers $SRV_PID"
		for i in $(seq 1 200); do
			grep -qs "listening on 127.0.0.1:$SRV_PORT" "$log" && return 0
			kill -0 "$SRV_PID" 2>/dev/null || break
			sleep 0.05
		done
		stop_server "$SRV_PID"  # the port was taken meanwhile, or too slow
	done
	cat "$log" >&2
	die "consort serve does not listen on 127.0.0.1"
}

# Stops a server started by start_server (under strace: its traced child,
# as strace -o ignores SIGTERM).
stop_server() {
	local pid=$1 p rest="" kids
	kids=$(cat /proc/"$pid"/task/*/children 2>/dev/null || true)
	kill -TERM "$pid" $kids 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
	for p in $servers; do
		[ "$p" = "$pid" ] || rest="$rest $p"
	done
	servers=$rest
}

# The peak RSS (VmHWM) of a running process, in MiB.
hwm_mib() {
	local kb
	kb=$(sed -n 's/^VmHWM:[[:space:]]*\([0-9]*\) kB$/\1/p' "/proc/$1/status" 2>/dev/null)
	[ -n "$kb" ] || die "no VmHWM for process $1 (did consort serve stop?)"
	awk -v k="$kb" 'BEGIN { printf "%.3f", k / 1024 }'
}

# Starts watching process $1 (consort serve) with peakmem, once it has its
# first sample.
watch_start() {
	local i
	rm -f "$work/watch.txt" "$work/watch.ready"
	"$BIN/peakmem" -i "$SAMPLE_MS" -o "$work/watch.txt" -p "$1" \
	    >"$work/watch.ready" &
	WATCH_PID=$!
	for i in $(seq 1 500); do
		[ -s "$work/watch.ready" ] && return 0
		kill -0 "$WATCH_PID" 2>/dev/null || break
		sleep 0.01
	done
	die "cannot watch consort serve (process $1)"
}

# Stops the watch of watch_start; sets WATCH to its report.
watch_stop() {
	kill -TERM "$WATCH_PID" 2>/dev/null || true
	wait "$WATCH_PID" || die "the watch of consort serve failed"
	WATCH=$(cat "$work/watch.txt") || die "no report of the watch of consort serve"
}

# The machine's bound for the full sync that ended with node $1
# (tools/bench/bound.c), against the sync's wall time b_secs.
run_bound() {
	local line
	rm -rf "$work/bound"
	run "$BIN/bound" "$1" "$work/bound"
	line=$(cat "$work/out")
	rm -rf "$work/bound"
	[ -n "$(peak_field "$line" bound_s)" ] || die "unexpected bound output: $line"
	put bd_s "$(peak_field "$line" bound_s)"
	put bd_write_s "$(peak_field "$line" write_s)"
	put bd_check_s "$(peak_field "$line" check_s)"
	put bd_written "$(peak_field "$line" written_bytes)"
	put bd_store_b "$(peak_field "$line" store_bytes)"
	put bd_ratio "$(div "$b_secs" "$(peak_field "$line" bound_s)")"
}

# Saves the change-set lists of a server node $1 and a client node $2 (for
# the messages and bytes a sync between them must take); sets P_*.
plan_sync() {
	local vars
	run "$consort" --dir "$1" log --json
	cp "$work/out" "$work/log-server.json"
	run "$consort" --dir "$2" log --json
	cp "$work/out" "$work/log-client.json"
	vars=$(py plan "$work/log-server.json" "$work/log-client.json") ||
	    die "cannot plan the sync"
	eval "$vars"
}

# Times consort sync of node $1 with 127.0.0.1:$2; sets SECS, RSS_MIB and
# SY_* from its line, and checks it against P_*: what was sent each way,
# no refusal, no fork, and the bytes the protocol predicts.
sync_timed() {
	local vars
	timed "$consort" --dir "$1" sync "127.0.0.1:$2"
	vars=$(py syncline "$work/out" SY_) || die "unexpected sync output"
	eval "$vars"
	[ "$SY_SENT" = "$P_C2S_CS" ] && [ "$SY_RECV" = "$P_S2C_CS" ] ||
	    die "the sync sent $SY_SENT and received $SY_RECV change-sets," \
	    "not $P_C2S_CS and $P_S2C_CS: $(cat "$work/out")"
	[ "$SY_REFUSED" = 0 ] && [ "$SY_FORKS" = 0 ] && [ "$SY_WAIT" = 0 ] ||
	    die "refused ops, forks or waiting change-sets: $(cat "$work/out")"
	pred_n=$((pred_n + 1))
	if [ "$SY_BYTES" = "$P_BYTES" ]; then
		pred_ok=$((pred_ok + 1))
	else
		note "bench.sh: x$scale run $iter: the sync took $SY_BYTES bytes," \
		    "the protocol predicts $P_BYTES (messages counts may be off)"
	fi
}

# Copies a node (for a replay of run 1); the lock file is left behind, and
# the copy is flushed to disk so that its writeback does not slow the
# timed sync that follows.
snap() {
	rm -rf "$2"
	cp -a "$1" "$2"
	rm -f "$2/store/lock.mdb"
	sync "$2/store/data.mdb" 2>/dev/null || sync
}

# Replays a sync untimed, both sides under strace: client node $1 (a copy
# made before the timed sync) against a new consort serve on node $2;
# records the round trips of the causal chain under key $3 (py rtrips), and
# checks that the replay took the bytes of the timed sync.
replay() {
	local pid n vars
	start_server "$2" "$work/replay.err" "$work/strace-s.txt"
	pid=$SRV_PID
	if ! "${STRACE[@]}" -o "$work/strace-c.txt" -e "trace=connect,$SOCK_CALLS" \
	    "$consort" --dir "$1" sync "127.0.0.1:$SRV_PORT" >"$work/out" 2>"$work/err"; then
		cat "$work/err" >&2
		die "failed: the replay of $3 under strace"
	fi
	stop_server "$pid"
	vars=$(py syncline "$work/out" RP_) || die "unexpected sync output"
	eval "$vars"
	[ "$RP_BYTES" = "$SY_BYTES" ] ||
	    die "the replay of $3 took $RP_BYTES bytes, the timed sync $SY_BYTES"
	if [ -n "${BENCH_KEEP:-}" ]; then
		cp "$work/strace-c.txt" "$work/strace-$3-client.txt"
		cp "$work/strace-s.txt" "$work/strace-$3-server.txt"
	fi
	n=$(py rtrips "$work/strace-c.txt" "$work/strace-s.txt") ||
	    die "cannot read the strace output"
	put "$3" "$n"
	rm -rf "$1"
}

# Whether the node's state-hash is the other node's.
check_same_hash() {
	local ha
	run "$consort" --dir "$1" state-hash
	ha=$(cat "$work/out")
	run "$consort" --dir "$2" state-hash
	[ "$ha" = "$(cat "$work/out")" ] ||
	    die "A and B have different state-hashes after $3 (x$scale, run $iter)"
}

# How many of the concurrent fields node $1 lists as conflicts holding two
# values (consort conflicts --json when it exists, else consort show).
count_conflicts() {
	local n=0 type ref field a b rc=0
	if [ "$have_conflicts" = 1 ]; then
		"$consort" --dir "$1" conflicts --json >"$work/out" 2>"$work/err" || rc=$?
		[ "$rc" = 0 ] || [ "$rc" = 4 ] || {
			cat "$work/err" >&2
			die "failed: consort conflicts --json"
		}
		py conflicts "$work/out" "$OPS_FILE" || die "cannot read consort conflicts --json"
		return
	fi
	while read -r type ref field a b; do
		run "$consort" --dir "$1" show "$type" "$ref"
		if grep -Eq "^ *$field .*\(conflict: 2 competing values\)" "$work/out"; then
			n=$((n + 1))
		fi
	done <"$work/conc.txt"
	echo "$n"
}

# Makes node $2 the first co-contractor of node $1 (the lead): a new key,
# invited by $1, joined.
join_b() {
	local pk
	rm -rf "$2"
	run "$consort" --dir "$2" keygen --no-passphrase
	pk=$(tail -n 1 "$work/out")
	case $pk in *[!0-9a-f]* | '') die "consort keygen printed no key: $pk" ;; esac
	[ ${#pk} = 64 ] || die "consort keygen printed no key: $pk"
	rm -f "$work/invite"
	run "$consort" --dir "$1" invite --siret "$OPS_NODE_B" --role co \
	    --key "$pk" --out "$work/invite"
	run "$consort" --dir "$2" join "$work/invite"
	rm -f "$work/invite"
}

# Phases B, C (its sync) and D on two fresh nodes: A, the lead, serving;
# B, the first co-contractor, syncing.
run_bcd() {
	local a=$work/x$scale-A b=$work/x$scale-B srv port tr=0 rss st dev0 dev1
	local raw na nb ca cb type ref field va vb
	[ ${#STRACE[@]} -gt 0 ] && [ "$iter" = 1 ] &&
	    { [ "$scale" -le 10 ] || [ "$TRACE" = all ]; } && tr=1
	new_node "$a"
	run "$consort" --dir "$a" import "$DATASET"
	grep -q ": $OPS_RECORDS records read" "$work/out" ||
	    die "import did not read $OPS_RECORDS records: $(cat "$work/out")"
	join_b "$a" "$b"
	start_server "$a" "$work/serve.err"
	srv=$SRV_PID
	port=$SRV_PORT

	# B: full sync A -> B, consort serve watched all along.
	plan_sync "$a" "$b"
	[ "$tr" = 1 ] && snap "$b" "$b.replay"
	watch_start "$srv"
	sync
	dev0=$(dev_sectors)
	sync_timed "$b" "$port"
	sync
	dev1=$(dev_sectors)
	watch_stop
	put b_s "$SECS"
	put b_us "$(per_us "$SECS" "$OPS_RECORDS")"
	put b_proto_s "$SY_SECS"
	put b_rss_c "$RSS_MIB"
	put b_anon_c "$ANON_MIB"
	st=$(store_bytes "$b")
	put b_written "$WRITTEN"
	put b_store_b "$st"
	put b_wratio "$(div "$WRITTEN" "$st")"
	put b_dev "$(((dev1 - dev0) * 512))"
	put b_dratio "$(div "$(((dev1 - dev0) * 512))" "$st")"
	put b_rss_s "$(kib_mib "$(peak_field "$WATCH" hwm_kib)")"
	put b_anon_s "$(kib_mib "$(peak_field "$WATCH" anon_peak_kib)")"
	put b_anon_s0 "$(kib_mib "$(peak_field "$WATCH" anon_base_kib)")"
	put b_peer_s "$(kib_mib "$(($(peak_field "$WATCH" anon_peak_kib) - \
	    $(peak_field "$WATCH" anon_base_kib)))")"
	put b_written_s "$(peak_field "$WATCH" written_bytes)"
	b_secs=$SECS
	put b_cs "$SY_RECV"
	put b_cps "$(div "$SY_RECV" "$SECS")"
	put b_bytes "$SY_BYTES"
	put b_over "$((SY_BYTES - P_CS_BYTES))"
	put b_hs "$P_HANDSHAKE"
	put b_msgs_s "$P_S2C_MSGS"
	put b_msgs_c "$P_C2S_MSGS"
	put b_batches "$((P_S2C_BATCHES + P_C2S_BATCHES))"
	put b_rt "$P_RT"
	# B, a co-contractor, reads the personal values of its own trainees
	# only: its export is not the dataset's; its state hash is A's
	check_same_hash "$a" "$b" "phase B"
	run "$consort" --dir "$a" status --json
	cp "$work/out" "$work/status-a.json"
	run "$consort" --dir "$b" status --json
	py vv "$work/status-a.json" "$work/out" || die "phase B: A and B differ"
	run "$BIN/edrate" "$b"
	raw=$(sed -n 's/.*raw_verify_per_s=\([0-9.]*\).*/\1/p' "$work/out")
	[ -n "$raw" ] || die "unexpected edrate output: $(cat "$work/out")"
	put b_raw_vps "$raw"
	put b_ratio "$(awk -v n="$SY_RECV" -v s="$SECS" -v r="$raw" \
	    'BEGIN { printf "%.4f", 100 * n / s / r }')"
	run "$BIN/edrate" "$b" --threads 2
	raw=$(peak_field "$(cat "$work/out")" raw_verify_per_s)
	[ -n "$raw" ] || die "unexpected edrate output: $(cat "$work/out")"
	put b_raw2_vps "$raw"
	run_bound "$b"
	[ "$tr" = 1 ] && replay "$b.replay" "$a" b_rt_st

	# C: the incremental edit on A, then a new sync.
	run "$consort" --dir "$a" set "$INC_TYPE" "$INC_REF" \
	    "$INC_FIELD=$INC_VALUE"
	plan_sync "$a" "$b"
	[ "$P_S2C_CS" = 1 ] || die "the edit made $P_S2C_CS change-sets, not 1"
	[ "$tr" = 1 ] && snap "$b" "$b.replay"
	sync_timed "$b" "$port"
	put cs_ms "$(awk -v s="$SECS" 'BEGIN { printf "%.3f", s * 1000 }')"
	put cs_proto_ms "$(awk -v s="$SY_SECS" 'BEGIN { printf "%.0f", s * 1000 }')"
	put cs_rss_c "$RSS_MIB"
	put cs_bytes "$SY_BYTES"
	put cs_size "$P_CS_BYTES"
	put cs_over "$((SY_BYTES - P_CS_BYTES))"
	put cs_msgs_s "$P_S2C_MSGS"
	put cs_msgs_c "$P_C2S_MSGS"
	put cs_rt "$P_RT"
	check_digest "$a" "$OPS_POST_INC" "phase C on A (post_incremental_state_sha256)"
	check_same_hash "$a" "$b" "the sync of phase C"
	[ "$tr" = 1 ] && replay "$b.replay" "$a" cs_rt_st

	# D: every concurrent edit on A (a) and on B (b), one change-set each,
	# while they are apart; then one sync, both ways.
	py conc "$OPS_FILE" >"$work/conc.txt" || die "cannot read $OPS_FILE"
	while read -r type ref field va vb; do
		run "$consort" --dir "$a" set "$type" "$ref" "$field=$va"
		run "$consort" --dir "$b" set "$type" "$ref" "$field=$vb"
	done <"$work/conc.txt"
	plan_sync "$a" "$b"
	if [ "$tr" = 1 ]; then
		snap "$a" "$a.replay"
		snap "$b" "$b.replay"
	fi
	sync_timed "$b" "$port"
	put d_ms "$(awk -v s="$SECS" 'BEGIN { printf "%.3f", s * 1000 }')"
	put d_proto_ms "$(awk -v s="$SY_SECS" 'BEGIN { printf "%.0f", s * 1000 }')"
	put d_rss_c "$RSS_MIB"
	rss=$(hwm_mib "$srv") || die "cannot read the peak RSS of consort serve"
	put d_rss_s "$rss"
	put d_cs_s "$SY_RECV"
	put d_cs_c "$SY_SENT"
	put d_bytes "$SY_BYTES"
	put d_size "$P_CS_BYTES"
	put d_over "$((SY_BYTES - P_CS_BYTES))"
	put d_msgs_s "$P_S2C_MSGS"
	put d_msgs_c "$P_C2S_MSGS"
	put d_rt "$P_RT"
	stop_server "$srv"
	check_same_hash "$a" "$b" "phase D"
	run "$consort" --dir "$a" export --json
	cp "$work/out" "$work/export-a.json"
	run "$consort" --dir "$b" export --json
	read -r na nb < <(py dcheck "$work/export-a.json" "$work/out" "$OPS_FILE") ||
	    die "phase D checks failed (x$scale, run $iter)"
	put d_win_a "$na"
	put d_win_b "$nb"
	ca=$(count_conflicts "$a") && cb=$(count_conflicts "$b") ||
	    die "cannot count the conflicts"
	case $ca$cb in '' | *[!0-9]*) die "cannot count the conflicts: $ca $cb" ;; esac
	put d_conf_a "$ca"
	put d_conf_b "$cb"
	if [ "$tr" = 1 ]; then
		replay "$b.replay" "$a.replay" d_rt_st
		rm -rf "$a.replay"
	fi
	rm -rf "$a" "$b"
}

# Check every scale and dataset before measuring anything; generate the
# missing ones.
list=""
for scale in $SCALES; do
	case $scale in '' | *[!0-9]*) die "bad scale \"$scale\" (a positive integer)" ;; esac
	scale=$((10#$scale))
	[ "$scale" -gt 0 ] || die "bad scale 0 (a positive integer)"
	list="$list $scale"
done
SCALES=${list# }
[ -n "$SCALES" ] || die "BENCH_SCALES is empty"
for scale in $SCALES; do
	data_dir "$scale" >/dev/null || generate "$scale"
	load_ops "$scale"
done
vars=$(py consts) || die "cannot read the sync constants in $root/sync/session.h"
eval "$vars"

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "consort benchmark: $("$consort" --version 2>/dev/null | head -n 1 || echo consort)," \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ), ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus"
echo "workload: $DATA (generated scales: $CACHE); runs: $RUNS (B, C sync, D: $SYNC_RUNS); temp nodes under ${TMPDIR:-/tmp}"

have_conflicts=0
"$consort" conflicts --help >/dev/null 2>&1 && have_conflicts=1

started=$(now_us)
for scale in $SCALES; do
	load_ops "$scale"
	read -r ORDER_LOT ORDER_PERIOD ORDER_SESSIONS < <(py busiest "$DATASET") ||
	    die "cannot find the busiest lot and month of $DATASET"
	pred_n=0 pred_ok=0
	iters=$RUNS
	[ "$SYNC_RUNS" -gt "$iters" ] && iters=$SYNC_RUNS
	for iter in $(seq 1 "$iters"); do
		if [ "$iter" -le "$RUNS" ]; then
			note "x$scale run $iter/$RUNS: A1 + verify + C"
			run_a1_verify_c
			if [ "$scale" = 1 ]; then
				note "x$scale run $iter/$RUNS: A2"
				run_a2
			fi
		fi
		if [ "$iter" -le "$SYNC_RUNS" ]; then
			note "x$scale run $iter/$SYNC_RUNS: B + C sync + D (two nodes)"
			run_bcd
		fi
	done
	checks="export digest = post_load_state_sha256 after A1"
	[ "$scale" = 1 ] && checks="$checks and A2;B2: equal state-hash on the A2 node and its co-contractor after the sync"
	checks="$checks, every run;order build: lot $ORDER_LOT, $ORDER_PERIOD, its $ORDER_SESSIONS sessions starting that month (the busiest lot and month of the dataset), on the node of A1 after C, a refusal (exit 3) counting as a build;export digest = post_incremental_state_sha256 after C ($INC_TYPE $INC_REF $INC_FIELD: $INC_OLD -> $INC_VALUE), every run"
	if [ "$SYNC_RUNS" -gt 0 ]; then
		if [ "$have_conflicts" = 1 ]; then
			how="the concurrent fields that consort conflicts --json lists with both a and b"
		else
			how="no consort conflicts command: the concurrent fields consort show marks (conflict: 2 competing values)"
		fi
		checks="$checks;B: equal state-hash and version vector on A and B, every run (the export of B, a co-contractor, holds only the personal values it may read)"
		checks="$checks;C sync: export digests of A and B = post_incremental_state_sha256, equal state-hash, every run"
		checks="$checks;D: equal state-hash on A and B, and equal exports but for the personal values B may not read, each of the 100 fields holds a or b (the same on both), and set back to old the digest is post_incremental_state_sha256, every run"
		checks="$checks;D: conflicts listed = $how"
		checks="$checks;messages: frames each way (HELLO, BATCHes, ACKs, DONE, WANT, OPENINGS, the empty FINAL frame) computed from the protocol and the sizes of the change-sets sent, checked: the bytes they predict (handshake $((2 * (64 + 112) + 2 * 24)) + 21 per frame + messages) = the bytes consort sync measured in $pred_ok of $pred_n syncs"
		checks="$checks;round trips (protocol): 2 in the handshake + 1 for WANT and OPENINGS + those of the session: ceil(batches A->B / $SESS_WINDOW) (the HELLO reply carries the first window of $SESS_WINDOW), or 1 + ceil(batches B->A / $SESS_WINDOW) when B sends, TCP connect not counted"
		if [ ${#STRACE[@]} -gt 0 ] && { [ "$scale" -le 10 ] || [ "$TRACE" = all ]; }; then
			checks="$checks;round trips (strace): run 1 replayed untimed on copies of the nodes with both processes under strace (same bytes as the timed sync), the depth of the causal chain of socket writes (each write after all its process had read)"
		fi
	fi
	py table "$results" "$scale" "$OPS_DATASET" "$OPS_RECORDS" "$OPS_RPT" \
	    "$checks"
done
py summary "$results" "$RUNS" "$SYNC_RUNS"
rev=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
py markdown "$results" "$RUNS" "Measured $(date -u +%Y-%m-%d) at commit $rev by \`make bench\` with BENCH_SCALES='$SCALES', BENCH_RUNS=$RUNS (B: $SYNC_RUNS), on ${cpu:-an unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus."
echo "(benchmark wall time $(awk -v a="$started" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s)"
