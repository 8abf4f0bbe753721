#!/bin/sh
# The consort benchmark on the shared workload (../shared/data/README.md):
# phases A1 (load, 100 records per change-set), A2 (load, one record per
# change-set; scale 1 only), verify (with the raw Ed25519 rate of the same
# change-sets, tools/bench/edrate.c) and C (one-field incremental edit), at
# each scale, in fresh processes, RUNS times; then, on two fresh nodes A
# (lead, serving on 127.0.0.1) and B (first co-contractor) per run, phases B
# (full sync A -> B), C sync (the edit of C synced over a new connection)
# and D (100 concurrent edits on both, then one two-way sync), SYNC_RUNS
# times.  Prints the median and min-max of each measurement.
#
#   sh tools/bench/bench.sh [CONSORT]        (make bench runs it)
#
# Environment:
#   BENCH_RUNS    runs per measurement (default 5)
#   BENCH_SYNC_RUNS  runs of phases B, C sync and D (default BENCH_RUNS)
#   BENCH_TRACE   0 to skip the strace replays of run 1 (default 1: each
#                 sync of run 1 is replayed once, untimed, on copies of the
#                 nodes, both sides under strace, to measure round trips)
#   BENCH_SCALES  scales to run (default "1 10")
#   BENCH_DATA    the workload directory (default ../shared/data)
#   BENCH_BIN     where the bench tools are built (default .build/tools/bench)
#   BENCH_KEEP    when set, keep the temporary directory (for debugging)
#   TMPDIR        where the temporary nodes go (default /tmp)
#
# Wall times come from the shell's clock around /usr/bin/time -v (whose own
# elapsed time has only 10 ms resolution); peak RSS comes from time -v, and
# for consort serve from VmHWM in /proc/PID/status (cumulative since its
# start; it serves nothing but the benchmark's syncs).  A sync's bytes and
# in-protocol time are what consort sync prints (everything on the socket
# both ways; time from the connected socket to its close, 1 ms resolution).
# Messages (frames) each way and the protocol round trips are computed from
# the protocol (schema/protocol.md, sync/session.c) and the sizes of the
# change-sets sent, and checked: the bytes they predict must equal the
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
case $SYNC_RUNS in '' | *[!0-9]*) die "BENCH_SYNC_RUNS must be an integer" ;; esac
[ -x "$consort" ] || die "no consort binary at $consort (run make)"
[ -x "$BIN/edrate" ] || die "no $BIN/edrate (run make bench)"
[ -x "$TIME" ] || die "$TIME is missing (apt-get install time)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing"
command -v sha256sum >/dev/null 2>&1 || die "sha256sum is missing"
[ -d "$DATA" ] || die "no workload directory $DATA (set BENCH_DATA)"

# strace for the replays of run 1 (seccomp-bpf keeps its cost low).
SOCK_CALLS=read,write,readv,writev,recvfrom,sendto,recvmsg,sendmsg,shutdown,close
STRACE=()
if [ "${BENCH_TRACE:-1}" != 0 ] && command -v strace >/dev/null 2>&1; then
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
BATCH_BYTES, BATCH_MAX, WINDOW = 512 << 10, 256, 16

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
    ("B full sync A -> B (consort sync, loopback TCP, B starts empty)", [
        ("b_s", "wall s (sync command)", ".3f"),
        ("b_proto_s", "in-protocol s", ".3f"),
        ("b_cs", "change-sets", ",.0f"),
        ("b_cps", "change-sets/s", ",.0f"),
        ("b_raw_vps", "raw Ed25519 verify/s", ",.0f"),
        ("b_ratio", "sync/raw Ed25519 %", ".1f"),
        ("b_bytes", "bytes on the wire", ",.0f"),
        ("b_over", "  beyond the change-sets", ",.0f"),
        ("b_hs", "  of which handshake", ",.0f"),
        ("b_msgs_s", "messages A -> B", ",.0f"),
        ("b_msgs_c", "messages B -> A", ",.0f"),
        ("b_batches", "batches (acknowledged)", ",.0f"),
        ("b_rt", "round trips (protocol)", ",.0f"),
        ("b_rt_st", "round trips (strace bound)", ",.0f"),
        ("b_rss_c", "peak RSS B, sync MiB", ".1f"),
        ("b_rss_s", "peak RSS A, serve MiB", ".1f"),
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
    w = 28
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
        if "a2_s" in d:
            print("%-4s import A2  %8.3f s  %10s records/s  %8s change-sets/s  peak RSS %.1f MiB" % (
                x, m("a2_s"), format(m("a2_cps"), ",.0f"), format(m("a2_cps"), ",.0f"), m("a2_rss")))
        if "v_s" in d:
            print("%-4s verify     %8.3f s  %10s change-sets/s = %.1f%% of raw Ed25519 (%s verify/s)" % (
                x, m("v_s"), format(m("v_cps"), ",.0f"), m("v_ratio"), format(m("raw_vps"), ",.0f")))
        if "c_s" in d:
            print("%-4s edit C     %8.3f s" % (x, m("c_s")))
        if "b_s" in d:
            print("%-4s sync B     %8.3f s  %10s change-sets/s = %.1f%% of raw Ed25519 (%s verify/s); %s bytes, %d messages, %d round trips" % (
                x, m("b_s"), format(m("b_cps"), ",.0f"), m("b_ratio"), format(m("b_raw_vps"), ",.0f"),
                format(m("b_bytes"), ",.0f"), m("b_msgs_s") + m("b_msgs_c"), m("b_rt")))
            print("%-4s              peak RSS B (sync) %.1f MiB, A (serve) %.1f MiB; in-protocol %.3f s" % (
                "", m("b_rss_c"), m("b_rss_s"), m("b_proto_s")))
            print("%-4s              target: full sync <= 2 s %s (max %.3f s); peak RSS <= 64 MiB per side %s (max %.1f MiB)" % (
                "", within(d["b_s"], 2), max(d["b_s"]),
                within([max(c, v) for c, v in zip(d["b_rss_c"], d["b_rss_s"])], 64),
                max(d["b_rss_c"] + d["b_rss_s"])))
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
            print("%-4s              peak RSS A (serve, over B, C and D) %.1f MiB (max %.1f): <= 64 MiB %s" % (
                "", m("d_rss_s"), max(d["d_rss_s"]), within(d["d_rss_s"], 64)))

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
	OPS_FILE=$ops
	vars=$(py nodes "$ops") || die "cannot read the nodes of $ops"
	eval "$vars"
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
			grep -q "listening on 127.0.0.1:$SRV_PORT" "$log" && return 0
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

# Phases B, C (its sync) and D on two fresh nodes: A, the lead, serving;
# B, the first co-contractor, syncing.
run_bcd() {
	local a=$work/x$scale-A b=$work/x$scale-B pk srv port tr=0 rss
	local raw na nb ca cb type ref field va vb
	[ ${#STRACE[@]} -gt 0 ] && [ "$iter" = 1 ] && tr=1
	new_node "$a"
	run "$consort" --dir "$a" import "$DATASET"
	grep -q ": $OPS_RECORDS records read" "$work/out" ||
	    die "import did not read $OPS_RECORDS records: $(cat "$work/out")"
	rm -rf "$b"
	run "$consort" --dir "$b" keygen --no-passphrase
	pk=$(tail -n 1 "$work/out")
	case $pk in *[!0-9a-f]* | '') die "consort keygen printed no key: $pk" ;; esac
	[ ${#pk} = 64 ] || die "consort keygen printed no key: $pk"
	rm -f "$work/invite"
	run "$consort" --dir "$a" invite --siret "$OPS_NODE_B" --role co \
	    --key "$pk" --out "$work/invite"
	run "$consort" --dir "$b" join "$work/invite"
	rm -f "$work/invite"
	start_server "$a" "$work/serve.err"
	srv=$SRV_PID
	port=$SRV_PORT

	# B: full sync A -> B.
	plan_sync "$a" "$b"
	[ "$tr" = 1 ] && snap "$b" "$b.replay"
	sync_timed "$b" "$port"
	put b_s "$SECS"
	put b_proto_s "$SY_SECS"
	put b_rss_c "$RSS_MIB"
	rss=$(hwm_mib "$srv") || die "cannot read the peak RSS of consort serve"
	put b_rss_s "$rss"
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

# Check every dataset before measuring anything.
for scale in $SCALES; do
	case $scale in '' | *[!0-9]*) die "bad scale \"$scale\"" ;; esac
	load_ops "$scale"
done

cpu=$(sed -n 's/^model name[[:space:]]*: *//p' /proc/cpuinfo 2>/dev/null | head -n 1)
echo "consort benchmark: $("$consort" --version 2>/dev/null | head -n 1 || echo consort)," \
    "$(date -u +%Y-%m-%dT%H:%M:%SZ), ${cpu:-unknown cpu}, $(nproc 2>/dev/null || echo '?') cpus"
echo "workload: $DATA; runs: $RUNS (B, C sync, D: $SYNC_RUNS); temp nodes under ${TMPDIR:-/tmp}"

have_conflicts=0
"$consort" conflicts --help >/dev/null 2>&1 && have_conflicts=1

started=$(now_us)
for scale in $SCALES; do
	load_ops "$scale"
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
	[ "$scale" = 1 ] && checks="$checks and A2"
	checks="$checks, every run;export digest = post_incremental_state_sha256 after C ($INC_TYPE $INC_REF $INC_FIELD: $INC_OLD -> $INC_VALUE), every run"
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
		checks="$checks;round trips (protocol): 2 in the handshake + 1 for WANT and OPENINGS + those of the session: ceil(batches A->B / 16) (the HELLO reply carries the first window of 16), or 1 + ceil(batches B->A / 16) when B sends, TCP connect not counted"
		if [ ${#STRACE[@]} -gt 0 ]; then
			checks="$checks;round trips (strace): run 1 replayed untimed on copies of the nodes with both processes under strace (same bytes as the timed sync), the depth of the causal chain of socket writes (each write after all its process had read)"
		fi
	fi
	py table "$results" "$scale" "$OPS_DATASET" "$OPS_RECORDS" "$OPS_RPT" \
	    "$checks"
done
# Issue 5's measurement: order build for each lot of the x10 dataset, in
# the month where most of its sessions start (the dataset breaks rules on
# purpose: a refusal with its full list of errors counts as a build).
run_orders() {
	local scale=$1 node=$work/orders lot period t0 t1 rc
	load_ops "$scale"
	"$consort" --dir "$node" init --consortium "Bench" --member "Forma Nord" \
	    --siret 41852736200127 --market BENCH --no-passphrase >/dev/null 2>&1 ||
	    die "init for orders"
	"$consort" --dir "$node" import "$DATASET" >/dev/null 2>&1 || die "import for orders"
	echo "== order build, x$scale (one lot, its busiest month; refusals count as builds)"
	printf '  %-7s %-8s %6s %8s %9s  %s\n' lot period "exit" seconds "rss MiB" "refusals"
	python3 - "$DATASET" <<'PY' >"$work/lots"
import json, sys, collections
months = collections.defaultdict(collections.Counter)
for line in open(sys.argv[1], encoding="utf-8"):
    r = json.loads(line)
    if r["type"] == "session":
        months[r["lot"]][r["start"][:7]] += 1
for lot in sorted(months):
    print(lot, months[lot].most_common(1)[0][0])
PY
	while read -r lot period; do
		t0=$(now_us)
		rc=0
		/usr/bin/time -f '%M' -o "$work/orders.rss" "$consort" --dir "$node" order build \
		    --lot "$lot" --period "$period" --out "$work/orders.json" \
		    >/dev/null 2>"$work/orders.err" || rc=$?
		t1=$(now_us)
		printf '  %-7s %-8s %6s %8.3f %9.1f  %s\n' "$lot" "$period" "$rc" \
		    "$(awk -v a="$t0" -v b="$t1" 'BEGIN { print (b - a) / 1e6 }')" \
		    "$(awk '{ print $1 / 1024 }' "$work/orders.rss" | tail -n 1)" \
		    "$(grep -c ' R[0-9][0-9] ' "$work/orders.err" || true)"
		[ "$rc" = 0 ] || [ "$rc" = 3 ] || die "order build $lot $period exited $rc"
		rm -f "$work/orders.json"
	done <"$work/lots"
	echo "  (target: < 0.5 s per lot)"
	rm -rf "$node"
}
case " $SCALES " in *" 10 "*) run_orders 10 ;; *) run_orders "${SCALES%% *}" ;; esac

py summary "$results" "$RUNS" "$SYNC_RUNS"
echo "(benchmark wall time $(awk -v a="$started" -v b="$(now_us)" 'BEGIN { printf "%.1f", (b - a) / 1e6 }') s)"
