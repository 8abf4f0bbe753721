# Shared by the sync tests (tests/cli/test-sync-*.sh): source it instead of
# lib.sh (it sources lib.sh).  Adds nodes of the sample consortium joined
# by invite, `consort serve` in the background on a free port of 127.0.0.1,
# and syncpeer, a consort peer written in Python from protocol.md that
# misbehaves on purpose.  Only 127.0.0.1 is ever used.  Every process a
# test starts here is killed when it exits.
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

# The other members of the dataset's consortium (tests/data, shared/data):
# co-contractors awarded at creation, and a subcontractor of $CO_SIRET.
CO2_NAME="Trajectoires Emploi"
CO2_SIRET=79911548000375
CO3_NAME="Campus Métiers Artois"
CO3_SIRET=83046172900451
SUB_NAME="Sous-Traitant Loire"
SUB_SIRET=73282932000074
SUB_DC4=DC4-2026-017

# Background processes started by this file (serve, syncpeer), by pid.
SYNC_PIDS=()
sync_cleanup() {
	local p i
	for p in "${SYNC_PIDS[@]}"; do kill "$p" 2>/dev/null || true; done
	for i in 1 2 3 4 5 6 7 8 9 10; do
		local alive=0
		for p in "${SYNC_PIDS[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
		[ $alive = 0 ] && break
		sleep 0.1
	done
	for p in "${SYNC_PIDS[@]}"; do kill -9 "$p" 2>/dev/null || true; done
	cleanup
}
trap sync_cleanup EXIT

# later WHAT: a failure reported only by check_later, at the end of the
# test, so that the checks after a known failure still run.
LATER=()
later() { LATER+=("$1"); }
check_later() {
	[ ${#LATER[@]} = 0 ] || fail "$(printf '%s\n' "${LATER[@]}")"
}

# init_consortium NODE: the lead of the dataset's consortium (Forma Nord)
# with its three co-contractors awarded, as /work/shared/checks does.
init_consortium() {
	on "$1" init --consortium "Groupement Loire Formation" --member "$LEAD_NAME" \
	    --siret "$LEAD_SIRET" --market "MARCHE-2026-PDL-1E1F" \
	    --co "$CO_NAME:$CO_SIRET" --co "$CO2_NAME:$CO2_SIRET" \
	    --co "$CO3_NAME:$CO3_SIRET" >"$T/.init.out" 2>&1 ||
	    fail "init of $1 failed: $(tail -n 3 "$T/.init.out")"
}

# pubkey NODE: the node's public key (hex), from key.pub.
pubkey() { od -An -tx1 -v "$T/$1/key.pub" | tr -d ' \n'; }

# consortium_id NODE: the consortium id (hex) whoami prints.
consortium_id() {
	on "$1" whoami 2>/dev/null | awk '$1 == "consortium" { print $2 }'
}

# join_node LEAD NODE SIRET co|sub [INVITE-ARGS...]: keygen on NODE, invite
# from LEAD (a sub is attached to $CO_SIRET with $SUB_DC4 unless ARGS say
# otherwise), then join.
join_node() {
	local lead=$1 node=$2 siret=$3 role=$4 pk
	shift 4
	on "$node" keygen >"$T/.keygen.out" 2>&1 || fail "keygen of $node failed: $(cat "$T/.keygen.out")"
	pk=$(grep -oE '^[0-9a-f]{64}$' "$T/.keygen.out" | head -n 1)
	[ -n "$pk" ] || fail "keygen of $node printed no key: $(cat "$T/.keygen.out")"
	[ "$pk" = "$(pubkey "$node")" ] || fail "keygen printed $pk, key.pub of $node holds $(pubkey "$node")"
	local extra=()
	if [ "$role" = sub ] && [ $# = 0 ]; then
		extra=(--name "$SUB_NAME" --parent "$CO_SIRET" --dc4 "$SUB_DC4")
	elif [ $# = 0 ]; then
		case $siret in
		"$CO_SIRET") extra=(--name "$CO_NAME") ;;
		"$CO2_SIRET") extra=(--name "$CO2_NAME") ;;
		"$CO3_SIRET") extra=(--name "$CO3_NAME") ;;
		esac
	fi
	on "$lead" invite --siret "$siret" --role "$role" --key "$pk" "${extra[@]}" "$@" \
	    --out "$T/$node.invite" >"$T/.invite.out" 2>&1 ||
	    fail "invite of $node ($siret, $role) failed: $(cat "$T/.invite.out")"
	on "$node" join "$T/$node.invite" >"$T/.join.out" 2>&1 ||
	    fail "join of $node failed: $(cat "$T/.join.out")"
}

# free_port: a port of 127.0.0.1 that nothing listens on (right now).
free_port() {
	python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

# serve_start NODE [ARGS...]: `consort serve` for NODE on a free port of
# 127.0.0.1 (and ARGS), its stderr in $T/NODE.serve.log; waits until it
# listens.  Sets PORT (the port), SPID (its pid) and ADDR (127.0.0.1:PORT).
serve_start() {
	local node=$1 log=$T/$1.serve.log try i
	shift
	for try in 1 2 3; do
		PORT=$(free_port)
		ADDR=127.0.0.1:$PORT
		: >"$log"
		"$CONSORT" --dir "$T/$node" serve --listen "$ADDR" "$@" 2>"$log" >"$T/$node.serve.out" &
		SPID=$!
		SYNC_PIDS+=("$SPID")
		for i in $(seq 1 100); do
			grep -q "listening on $ADDR" "$log" && return 0
			kill -0 "$SPID" 2>/dev/null || break
			sleep 0.05
		done
		kill -9 "$SPID" 2>/dev/null || true
		wait "$SPID" 2>/dev/null || true
		grep -qi 'in use' "$log" || break  # retry only a port taken meanwhile
	done
	fail "consort serve of $node did not listen on $ADDR: $(tail -n 3 "$log")"
}

# serve_stop PID [SIGNAL]: signals the server (TERM by default) and waits up
# to 5 s for it; sets SERVE_RC to its exit status.
serve_stop() {
	local pid=$1 sig=${2:-TERM} i
	kill -"$sig" "$pid" 2>/dev/null || fail "serve $pid is not running"
	for i in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if kill -0 "$pid" 2>/dev/null; then
		kill -9 "$pid" 2>/dev/null || true
		wait "$pid" 2>/dev/null || true
		fail "consort serve ($pid) still runs 5 s after SIG$sig"
	fi
	SERVE_RC=0
	wait "$pid" 2>/dev/null || SERVE_RC=$?
}

# sessions NODE: the number of session lines in NODE's serve log.
sessions() { grep -c '^consort serve: session from ' "$T/$1.serve.log" || true; }

# wait_sessions NODE N: up to 5 s for N session lines in NODE's serve log
# (the server logs a session once its connection is closed).
wait_sessions() {
	local i
	for i in $(seq 1 100); do
		[ "$(sessions "$1")" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "$1's serve log has $(sessions "$1") session lines, expected $2: $(tail -n 3 "$T/$1.serve.log")"
}

# wait_log NODE REGEX WHAT: up to 5 s for a line matching REGEX in NODE's
# serve log (a refused peer may report before the server has logged it).
wait_log() {
	local i
	for i in $(seq 1 100); do
		grep -qE "$2" "$T/$1.serve.log" && return 0
		sleep 0.05
	done
	fail "no line for $3 in $1's serve log: $(tail -n 3 "$T/$1.serve.log")"
}

# sync_ok NODE ADDR...: consort sync from NODE must succeed.
sync_ok() {
	local n=$1; shift
	expect_rc 0 on "$n" sync "$@"
}

# synced_counts: "SENT RECEIVED" of the last sync's first line ($OUT).
synced_counts() {
	sed -nE '1s/.*: sent ([0-9]+) change-sets, received ([0-9]+) .*/\1 \2/p' "$OUT"
}

# log_digest NODE: SHA-256 of the node's `log --json` (cheaper than
# log_count when only "unchanged" matters).
log_digest() {
	local d
	d=$(on "$1" log --json 2>"$T/.log.err" | sha256sum) || fail "log --json of $1 failed: $(cat "$T/.log.err")"
	echo "${d%% *}"
}

# status_counts NODE: "WAITING REFUSED FORKS" from status --json (forks is
# a count, or a list of forks whose length is counted).
status_counts() {
	on "$1" status --json 2>"$T/.st.err" | python3 -c '
import json, sys
s = json.load(sys.stdin)
n = lambda v: len(v) if isinstance(v, list) else v
print(n(s["waiting"]), n(s["refused"]), n(s["forks"]))' || fail "status --json of $1 failed: $(cat "$T/.st.err")"
}

# refusals NODE WHY-ERE: how many change-sets NODE stored with refused ops
# whose first refusal's reason matches WHY (its LMDB table refused).
refusals() {
	command -v mdb_dump >/dev/null || fail "mdb_dump missing (Debian package lmdb-utils)"
	mdb_dump -p -s refused "$T/$1/store" 2>"$T/.md.err" | grep -cE -- "$2" || true
}

# same_state NODE...: every node has the state hash of the first.
same_state() {
	local first h n
	first=$(state_hash "$1")
	for n in "${@:2}"; do
		h=$(state_hash "$n")
		[ "$h" = "$first" ] || fail "$n's state hash $h differs from $1's $first"
	done
}

# bg_on NODE ARGS... (redirect with BG_OUT=FILE): consort ARGS on NODE in
# the background; BGPID is the pid of consort itself (`on NODE ... &` would
# give the pid of a subshell, and killing it would leave consort running).
bg_on() {
	local n=$1; shift
	"$CONSORT" --dir "$T/$n" "$@" >"${BG_OUT:-/dev/null}" 2>&1 &
	BGPID=$!
	SYNC_PIDS+=("$BGPID")
}

# syncpeer ARGS...: the Python peer (see its docstring below); bg_syncpeer
# OUT ARGS... runs it in the background (BGPID, its own pid), output in OUT.
SYNCPEER=$T/.syncpeer.py
syncpeer() { python3 "$SYNCPEER" "$@"; }
bg_syncpeer() {
	local out=$1; shift
	"$CLI_PYTHON" "$SYNCPEER" "$@" >"$out" 2>&1 &
	BGPID=$!
	SYNC_PIDS+=("$BGPID")
}

cat >"$SYNCPEER" <<'PY'
#!/usr/bin/env python3
"""A hostile or odd consort peer, in pure Python (no third-party module).

Implements the transport of schema/protocol.md (secret handshake, then
secretstream frames) with the standard library only: hmac, hashlib
(BLAKE2b, SHA-512) and hand-written X25519, Ed25519, XSalsa20-Poly1305 and
XChaCha20-Poly1305 secretstream.  `selftest` checks all of it against the
test vector of protocol.md.

  syncpeer.py selftest
  syncpeer.py client PORT MODE [NETKEY_FILE KEY_FILE|random [CONSORTIUM_HEX]]
  syncpeer.py server PORT_FILE MODE NETKEY_FILE KEY_FILE CONSORTIUM_HEX

Client modes: garbage (64 random bytes as hello), noise (4096 random
bytes), stall (20 bytes, then silence), trickle (a hello one byte every
SYNCPEER_GAP seconds, default 0.25: prints how long until the server
closed); with the network key: probe (a hello; prints "busy REASON" for a
server's refusal, or "hello"), nonmember
(a random key), then as a member after the handshake: bigframe, hugeframe
(a frame length over the bound), shortframe (under 17), badframe (40 bytes
that do not open), version (HELLO of sync protocol 3), consortium (HELLO of
another consortium id), badbatch (a BATCH of garbage), hold (HELLO, then
silence), ok (a well-behaved empty peer), inject-KIND (one change-set
crafted and signed here, sent in a BATCH; KIND trainee: the member creates
a trainee; lot: the member creates a lot; outsider: a key that is no
member; badsig: a signature that does not hold; consortium: another
consortium id; clear: a trainee whose family name is signed in clear, not
as a commitment; ahead: a forgery of the chain of the member whose key
SYNCPEER_AUTHOR names, two past its head, with a random signature;
SYNCPEER_FOUNDER names the founder's key in hex).  It prints "acked",
"server error: WHY" or "closed".  flood-KIND: SYNCPEER_COUNT (default
1024) change-sets by fresh keys, 256 a BATCH, until the server refuses
one; KIND outsider: at seq 2, their past all held; ahead: naming the
lead's next change-set (a made-up id), as a new member's would.  Server modes (one connection,
the port written to PORT_FILE): version, consortium, as above; error (a
valid HELLO, then an ERROR naming "the fake server refuses this sync");
trickle (its hello one byte every SYNCPEER_GAP seconds); trickle-session
(a valid HELLO, then a frame one byte at a time).  Client mode
trickle-session is the same from a member's client.  SYNCPEER_SOURCE
names the address a client connects from (127.0.0.2, ...).

Prints one line saying what the other side did; exit 0 when it behaved as
the mode expects (refused and closed), 1 otherwise.
"""
import hashlib
import hmac
import os
import socket
import struct
import sys
import time

# --- Curve25519 / Ed25519 (RFC 7748, RFC 8032), plain integers -------------
P = 2**255 - 19
L = 2**252 + 27742317777372353535851937790883648493
D = -121665 * pow(121666, P - 2, P) % P
I = pow(2, (P - 1) // 4, P)


def x25519(k, u):
    k = bytearray(k)
    k[0] &= 248
    k[31] &= 127
    k[31] |= 64
    k = int.from_bytes(k, "little")
    x1 = int.from_bytes(u, "little") & ((1 << 255) - 1)
    x2, z2, x3, z3, swap = 1, 0, x1, 1, 0
    for t in reversed(range(255)):
        kt = (k >> t) & 1
        swap ^= kt
        if swap:
            x2, x3, z2, z3 = x3, x2, z3, z2
        swap = kt
        a, b = (x2 + z2) % P, (x2 - z2) % P
        aa, bb = a * a % P, b * b % P
        e = (aa - bb) % P
        c, d = (x3 + z3) % P, (x3 - z3) % P
        da, cb = d * a % P, c * b % P
        x3 = (da + cb) ** 2 % P
        z3 = x1 * (da - cb) ** 2 % P
        x2 = aa * bb % P
        z2 = e * (aa + 121665 * e) % P
    if swap:
        x2, z2 = x3, z3
    return (x2 * pow(z2, P - 2, P) % P).to_bytes(32, "little")


def x25519_base(k):
    return x25519(k, (9).to_bytes(32, "little"))


def _xrecover(y):
    xx = (y * y - 1) * pow(D * y * y + 1, P - 2, P)
    x = pow(xx, (P + 3) // 8, P)
    if (x * x - xx) % P:
        x = x * I % P
    return P - x if x % 2 else x


_BY = 4 * pow(5, P - 2, P) % P
_B = (_xrecover(_BY), _BY, 1, _xrecover(_BY) * _BY % P)


def _add(p, q):
    x1, y1, z1, t1 = p
    x2, y2, z2, t2 = q
    a = (y1 - x1) * (y2 - x2) % P
    b = (y1 + x1) * (y2 + x2) % P
    c = t1 * 2 * D * t2 % P
    dd = z1 * 2 * z2 % P
    e, f, g, h = b - a, dd - c, dd + c, b + a
    return (e * f % P, g * h % P, f * g % P, e * h % P)


def _mul(s, p):
    q = (0, 1, 1, 0)
    while s:
        if s & 1:
            q = _add(q, p)
        p = _add(p, p)
        s >>= 1
    return q


def _enc(p):
    x, y, z, _ = p
    zi = pow(z, P - 2, P)
    x, y = x * zi % P, y * zi % P
    return (y | ((x & 1) << 255)).to_bytes(32, "little")


def ed25519_keypair(seed):
    h = hashlib.sha512(seed).digest()
    a = int.from_bytes(h[:32], "little")
    a &= (1 << 254) - 8
    a |= 1 << 254
    return a, h[32:], _enc(_mul(a, _B))


def ed25519_sign(seed, msg):
    a, prefix, pk = ed25519_keypair(seed)
    r = int.from_bytes(hashlib.sha512(prefix + msg).digest(), "little") % L
    rr = _enc(_mul(r, _B))
    k = int.from_bytes(hashlib.sha512(rr + pk + msg).digest(), "little") % L
    return rr + ((r + k * a) % L).to_bytes(32, "little")


# --- Salsa20 / ChaCha20 / Poly1305 ----------------------------------------
M32 = 0xffffffff


def _rotl(v, c):
    return ((v << c) & M32) | (v >> (32 - c))


def _salsa_rounds(x):
    x = list(x)

    def qr(a, b, c, d):
        x[b] ^= _rotl((x[a] + x[d]) & M32, 7)
        x[c] ^= _rotl((x[b] + x[a]) & M32, 9)
        x[d] ^= _rotl((x[c] + x[b]) & M32, 13)
        x[a] ^= _rotl((x[d] + x[c]) & M32, 18)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(5, 9, 13, 1); qr(10, 14, 2, 6); qr(15, 3, 7, 11)
        qr(0, 1, 2, 3); qr(5, 6, 7, 4); qr(10, 11, 8, 9); qr(15, 12, 13, 14)
    return x


SIGMA = struct.unpack("<4I", b"expand 32-byte k")


def _salsa_state(key, in16):
    k = struct.unpack("<8I", key)
    n = struct.unpack("<4I", in16)
    return [SIGMA[0], k[0], k[1], k[2], k[3], SIGMA[1], n[0], n[1], n[2], n[3],
            SIGMA[2], k[4], k[5], k[6], k[7], SIGMA[3]]


def hsalsa20(key, in16):
    x = _salsa_rounds(_salsa_state(key, in16))
    return struct.pack("<8I", x[0], x[5], x[10], x[15], x[6], x[7], x[8], x[9])


def xsalsa20_xor(key, nonce24, data):
    sub = hsalsa20(key, nonce24[:16])
    out = bytearray()
    for i in range(0, len(data), 64):
        st = _salsa_state(sub, nonce24[16:24] + struct.pack("<Q", i // 64))
        x = _salsa_rounds(st)
        block = struct.pack("<16I", *[(a + b) & M32 for a, b in zip(x, st)])
        out += bytes(p ^ q for p, q in zip(data[i:i + 64], block))
    return bytes(out)


def poly1305(key, msg):
    r = int.from_bytes(key[:16], "little") & 0x0ffffffc0ffffffc0ffffffc0fffffff
    s = int.from_bytes(key[16:32], "little")
    acc, p = 0, (1 << 130) - 5
    for i in range(0, len(msg), 16):
        acc = (acc + int.from_bytes(msg[i:i + 16] + b"\x01", "little")) * r % p
    return ((acc + s) & ((1 << 128) - 1)).to_bytes(16, "little")


def box(key, msg):
    """crypto_secretbox_easy with the all-zero nonce: tag || ciphertext."""
    c = xsalsa20_xor(key, bytes(24), bytes(32) + msg)
    return poly1305(c[:32], c[32:]) + c[32:]


def box_open(key, boxed):
    c = xsalsa20_xor(key, bytes(24), bytes(32) + boxed[16:])
    if not hmac.compare_digest(poly1305(c[:32], boxed[16:]), boxed[:16]):
        return None
    return c[32:]


def _chacha_rounds(x):
    x = list(x)

    def qr(a, b, c, d):
        x[a] = (x[a] + x[b]) & M32; x[d] = _rotl(x[d] ^ x[a], 16)
        x[c] = (x[c] + x[d]) & M32; x[b] = _rotl(x[b] ^ x[c], 12)
        x[a] = (x[a] + x[b]) & M32; x[d] = _rotl(x[d] ^ x[a], 8)
        x[c] = (x[c] + x[d]) & M32; x[b] = _rotl(x[b] ^ x[c], 7)
    for _ in range(10):
        qr(0, 4, 8, 12); qr(1, 5, 9, 13); qr(2, 6, 10, 14); qr(3, 7, 11, 15)
        qr(0, 5, 10, 15); qr(1, 6, 11, 12); qr(2, 7, 8, 13); qr(3, 4, 9, 14)
    return x


def hchacha20(key, in16):
    x = _chacha_rounds(list(SIGMA) + list(struct.unpack("<8I", key)) +
                       list(struct.unpack("<4I", in16)))
    return struct.pack("<8I", *(x[0:4] + x[12:16]))


def chacha20_xor(key, nonce12, counter, data):
    out = bytearray()
    for i in range(0, len(data), 64):
        st = list(SIGMA) + list(struct.unpack("<8I", key)) + \
            [(counter + i // 64) & M32] + list(struct.unpack("<3I", nonce12))
        x = _chacha_rounds(st)
        block = struct.pack("<16I", *[(a + b) & M32 for a, b in zip(x, st)])
        out += bytes(p ^ q for p, q in zip(data[i:i + 64], block))
    return bytes(out)


TAG_MESSAGE, TAG_FINAL = 0, 3


class Stream:
    """One direction of crypto_secretstream_xchacha20poly1305 (1.0.18)."""

    def __init__(self, key, header):
        self.k = hchacha20(key, header[:16])
        self.nonce = bytearray(struct.pack("<I", 1) + header[16:24])

    def _mac(self, c_block0, c):
        polykey = chacha20_xor(self.k, bytes(self.nonce), 0, bytes(64))[:32]
        # libsodium pads with (0x10 - 64 + mlen) & 0xf bytes (sic)
        data = c_block0 + c + bytes((0x10 - 64 + len(c)) & 0xf) + \
            struct.pack("<QQ", 0, 64 + len(c))
        return poly1305(polykey, data)

    def _advance(self, mac):
        for i in range(8):
            self.nonce[4 + i] ^= mac[i]
        ctr = (struct.unpack("<I", self.nonce[:4])[0] + 1) & M32
        self.nonce[:4] = struct.pack("<I", ctr)

    def push(self, msg, tag=TAG_MESSAGE):
        block = chacha20_xor(self.k, bytes(self.nonce), 1, bytes([tag]) + bytes(63))
        c = chacha20_xor(self.k, bytes(self.nonce), 2, msg)
        mac = self._mac(block, c)
        self._advance(mac)
        return block[:1] + c + mac

    def pull(self, frame):
        """(tag, plaintext), or (None, None) when the frame does not open."""
        if len(frame) < 17:
            return None, None
        ks1 = chacha20_xor(self.k, bytes(self.nonce), 1, bytes(64))
        tag = frame[0] ^ ks1[0]
        c, mac = frame[1:-16], frame[-16:]
        if not hmac.compare_digest(self._mac(frame[:1] + ks1[1:], c), mac):
            return None, None
        plain = chacha20_xor(self.k, bytes(self.nonce), 2, c)
        self._advance(mac)
        return tag, plain


# --- the handshake ---------------------------------------------------------
LABEL = b"consort-shs-1"


def H(m):
    return hashlib.blake2b(m, digest_size=32).digest()


def auth_hmac(key, m):
    return hmac.new(key, m, hashlib.sha512).digest()[:32]


class Handshake:
    def __init__(self, netkey, seed, eph_sk=None):
        self.netkey, self.seed = netkey, seed
        self.pk = ed25519_keypair(seed)[2]
        self.eph_sk = eph_sk if eph_sk is not None else os.urandom(32)
        self.eph_pk = x25519_base(self.eph_sk)

    def hello(self):
        return auth_hmac(self.netkey, self.eph_pk) + self.eph_pk

    def read_hello(self, msg, client):
        if not hmac.compare_digest(auth_hmac(self.netkey, msg[32:]), msg[:32]):
            return False
        self.peer_eph = msg[32:]
        shared = x25519(self.eph_sk, self.peer_eph)
        c, s = (self.eph_pk, self.peer_eph) if client else (self.peer_eph, self.eph_pk)
        self.T = H(LABEL + self.netkey + c + s + shared)
        self.shared = shared
        return True

    def client_auth(self):
        self.sig_c = ed25519_sign(self.seed, LABEL + b" client" + self.T)
        return box(H(b"auth-c" + self.T), self.pk + self.sig_c)

    def server_read_auth(self, msg):
        inner = box_open(H(b"auth-c" + self.T), msg)
        if inner is None:
            return False
        self.peer_pk, self.sig_c = inner[:32], inner[32:]
        return True

    def server_auth(self):
        sig_s = ed25519_sign(self.seed, LABEL + b" server" + self.T + self.sig_c)
        return box(H(b"auth-s" + self.T), self.pk + sig_s)

    def client_read_auth(self, msg):
        inner = box_open(H(b"auth-s" + self.T), msg)
        if inner is None:
            return False
        self.peer_pk = inner[:32]
        return True

    def keys(self, client):
        c, s = (self.pk, self.peer_pk) if client else (self.peer_pk, self.pk)
        k_cs = H(b"stream-cs" + self.T + c + s)
        k_sc = H(b"stream-sc" + self.T + c + s)
        return (k_cs, k_sc) if client else (k_sc, k_cs)  # (tx, rx)


# --- a little msgpack ------------------------------------------------------
def mp(v):
    """Canonical msgpack (the shortest form, as msgpack-c writes it)."""
    if v is None:
        return b"\xc0"
    if isinstance(v, bool):
        return b"\xc3" if v else b"\xc2"
    if isinstance(v, int):
        if 0 <= v < 128:
            return bytes([v])
        if v >= 0:
            for lim, tag, f in ((1 << 8, b"\xcc", ">B"), (1 << 16, b"\xcd", ">H"),
                                (1 << 32, b"\xce", ">I"), (1 << 64, b"\xcf", ">Q")):
                if v < lim:
                    return tag + struct.pack(f, v)
        if v >= -32:
            return struct.pack(">b", v)
        for lim, tag, f in ((1 << 7, b"\xd0", ">b"), (1 << 15, b"\xd1", ">h"),
                            (1 << 31, b"\xd2", ">i"), (1 << 63, b"\xd3", ">q")):
            if v >= -lim:
                return tag + struct.pack(f, v)
    if isinstance(v, bytes):
        if len(v) < 256:
            return b"\xc4" + bytes([len(v)]) + v
        if len(v) < 65536:
            return b"\xc5" + struct.pack(">H", len(v)) + v
        return b"\xc6" + struct.pack(">I", len(v)) + v
    if isinstance(v, str):
        b = v.encode()
        if len(b) < 32:
            return bytes([0xa0 | len(b)]) + b
        if len(b) < 256:
            return b"\xd9" + bytes([len(b)]) + b
        return b"\xda" + struct.pack(">H", len(b)) + b
    if isinstance(v, list):
        head = bytes([0x90 | len(v)]) if len(v) < 16 else b"\xdc" + struct.pack(">H", len(v))
        return head + b"".join(mp(x) for x in v)
    raise TypeError(v)


def unmp(b, i=0):
    t = b[i]
    if t < 0x80:
        return t, i + 1
    if t >= 0xe0:
        return t - 256, i + 1
    if 0x90 <= t <= 0x9f or t in (0xdc, 0xdd):
        if t <= 0x9f:
            n, i = t & 15, i + 1
        elif t == 0xdc:
            n, i = struct.unpack(">H", b[i + 1:i + 3])[0], i + 3
        else:
            n, i = struct.unpack(">I", b[i + 1:i + 5])[0], i + 5
        out = []
        for _ in range(n):
            v, i = unmp(b, i)
            out.append(v)
        return out, i
    if 0xa0 <= t <= 0xbf:
        n = t & 31
        return b[i + 1:i + 1 + n].decode("utf-8", "replace"), i + 1 + n
    sizes = {0xcc: ">B", 0xcd: ">H", 0xce: ">I", 0xcf: ">Q",
             0xd0: ">b", 0xd1: ">h", 0xd2: ">i", 0xd3: ">q"}
    if t in sizes:
        n = struct.calcsize(sizes[t])
        return struct.unpack(sizes[t], b[i + 1:i + 1 + n])[0], i + 1 + n
    lens = {0xc4: (">B", bytes), 0xc5: (">H", bytes), 0xc6: (">I", bytes),
            0xd9: (">B", str), 0xda: (">H", str), 0xdb: (">I", str)}
    if t in lens:
        f, kind = lens[t]
        n = struct.calcsize(f)
        ln = struct.unpack(f, b[i + 1:i + 1 + n])[0]
        v = b[i + 1 + n:i + 1 + n + ln]
        return (v if kind is bytes else v.decode("utf-8", "replace")), i + 1 + n + ln
    if t in (0xc2, 0xc3):
        return t == 0xc3, i + 1
    raise ValueError("msgpack type %#x" % t)


HELLO, BATCH, ACK, DONE, ERROR, WANT, OPENINGS = range(7)
SYNC_PROTOCOL = 2  # sync/session.h


# --- change-sets (schema/changeset.md) -------------------------------------
CS_VERSION = 2
T_LOT, T_TRAINEE = 3, 5


def hlc_now():
    return int(time.time() * 1000) << 16


def entity_id(founder, etype, ref):
    return hashlib.blake2b(bytes([etype]) + ref.encode(), digest_size=16,
                           key=founder).digest()


def changeset(seed, consortium, seq, prev, deps, ops, badsig=False):
    """A signed change-set: [2, consortium, author, seq, prev, deps, hlc, ops]."""
    author = ed25519_keypair(seed)[2]
    body = mp([CS_VERSION, consortium, author, seq, prev, sorted(deps), hlc_now(), ops])
    sig = bytearray(ed25519_sign(seed, body))
    if badsig:
        sig[10] ^= 1
    return body + bytes(sig)


def create_ops(founder, etype, ref, fields):
    eid = entity_id(founder, etype, ref)
    return [[0, etype, eid, 0, ref]] + [[1, etype, eid, f, v] for f, v in fields]


def commitment(founder, etype, ref, field, value):
    """A personal value's commitment under a fresh salt (src/personal.c)."""
    h = hashlib.blake2b(digest_size=32, key=os.urandom(32))
    h.update(b"consort personal 1" + bytes([etype]) + entity_id(founder, etype, ref) +
             bytes([field]) + mp(value))
    return h.digest()


def trainee_ops(founder, ref):
    """A trainee's creation; its names and birth year, personal, as commitments."""
    return create_ops(founder, T_TRAINEE, ref,
                      [(f, commitment(founder, T_TRAINEE, ref, f, v))
                       for f, v in ((1, "Injecte"), (2, "Par Python"), (3, 1991))])


def inject(s, tx, rx, kind, seed, consortium, founder, server_vv):
    """Sends one crafted change-set in a BATCH; returns what the server said."""
    author = ed25519_keypair(seed)[2]
    if kind == "outsider":
        seed = os.urandom(32)
        author = ed25519_keypair(seed)[2]
    heads = {a: (q, h) for a, q, h in server_vv}
    seq, prev = heads.get(author, (0, bytes(32)))
    deps = [[a, q, h] for a, q, h in server_vv if a != author]
    ref = "TINJ-" + kind.upper()
    ops = trainee_ops(founder, ref)
    badsig = False
    if kind == "lot":
        ops = create_ops(founder, T_LOT, "LOT-INJ", [(1, "Injecte"), (2, "44"), (3, 999)])
    elif kind == "badsig":
        badsig = True
    elif kind == "clear":
        ops = create_ops(founder, T_TRAINEE, ref, [(1, "Clairnom")])
    elif kind == "ahead":
        # a forgery of another member's chain (SYNCPEER_AUTHOR): seq two
        # past its head, a made-up prev, 64 random bytes as signature
        author = bytes.fromhex(os.environ["SYNCPEER_AUTHOR"])
        seq = heads.get(author, (0, None))[0] + 1
        body = mp([CS_VERSION, consortium, author, seq + 1, os.urandom(32),
                   sorted(d for d in deps if d[0] != author), hlc_now(),
                   trainee_ops(founder, "TINJ-AHEAD")])
        return send_batch(s, tx, rx, body + os.urandom(64))
    elif kind == "consortium":
        consortium = os.urandom(32)
    elif kind not in ("trainee", "outsider"):
        say(False, "unknown inject kind " + kind)
    return send_batch(s, tx, rx, changeset(seed, consortium, seq + 1, prev, deps, ops, badsig))


def flood(s, tx, rx, kind, consortium, founder, server_vv, count):
    """count change-sets by fresh keys, 256 a BATCH, until refused.

    kind outsider: at seq 2 (a hole before), every dep held by the server;
    kind ahead: at seq 1, naming the lead's next change-set with a made-up
    id, as a new member's would before its binding arrives."""
    deps = [[a, q, h] for a, q, h in server_vv]
    if kind == "ahead":
        deps = [[a, q + 1, os.urandom(32)] if a == founder else [a, q, h]
                for a, q, h in deps]
    sent = acked = no = 0
    while sent < count:
        batch = []
        for _ in range(min(256, count - sent)):
            seed = os.urandom(32)
            seq, prev = (1, bytes(32)) if kind == "ahead" else (2, os.urandom(32))
            batch.append(changeset(seed, consortium, seq, prev, deps,
                                   trainee_ops(founder, "TFLOOD")))
        no += 1
        send_frame(s, tx, mp([BATCH, no, batch]))
        sent += len(batch)
        try:
            while True:
                m = read_frame(s, rx)
                if m[0] == ERROR:
                    return "server error after %d batches: %s" % (acked, m[2])
                if m[0] == ACK:
                    acked += 1
                    break
        except Closed:
            return "closed after %d batches" % acked
    send_frame(s, tx, mp([DONE, no]))
    return "acked %d batches" % acked


def send_batch(s, tx, rx, cs):
    """One BATCH of one change-set, then DONE; what the server answered."""
    send_frame(s, tx, mp([BATCH, 1, [cs]]))
    send_frame(s, tx, mp([DONE, 1]))
    acked = done = False
    try:
        while not (acked and done):
            m = read_frame(s, rx)
            if m[0] == ERROR:
                return "server error: %s" % m[2]
            if m[0] == ACK and m[1] == 1:
                acked = True
            elif m[0] == DONE:
                done = True
    except Closed:
        return "closed"
    return "acked"


# --- sockets ---------------------------------------------------------------
class Closed(Exception):
    pass


def recv_exact(s, n):
    buf = b""
    while len(buf) < n:
        try:
            chunk = s.recv(n - len(buf))
        except ConnectionResetError:
            chunk = b""
        if not chunk:
            raise Closed(len(buf))
        buf += chunk
    return buf


def wait_closed(s, limit=8.0):
    """Reads until the peer closes; True if it did within limit seconds."""
    s.settimeout(limit)
    try:
        while True:
            try:
                if not s.recv(65536):
                    return True
            except ConnectionResetError:
                return True
    except socket.timeout:
        return False


def read_frame(s, rx):
    ln = struct.unpack(">I", recv_exact(s, 4))[0]
    tag, plain = rx.pull(recv_exact(s, ln))
    if tag is None:
        raise ValueError("a frame from the peer does not open")
    return unmp(plain)[0]


def send_frame(s, tx, msg, tag=TAG_MESSAGE):
    c = tx.push(msg, tag)
    s.sendall(struct.pack(">I", len(c)) + c)


def load_seed(path):
    if path == "random":
        return os.urandom(32)
    b = open(path, "rb").read()
    if len(b) != 73 or b[:8] != b"CSRTSK01" or b[8] != 0:
        sys.exit("syncpeer: %s is not a plain consort secret key" % path)
    return b[9:41]


def say(ok, what):
    print(what)
    sys.exit(0 if ok else 1)


def is_busy(netkey, msg):
    """Whether 64 bytes are a server's refusal (protocol.md, "Busy")."""
    tag = hmac.new(netkey, b"consort-shs-1 busy" + msg[32:], hashlib.sha512).digest()[:32]
    return hmac.compare_digest(tag, msg[:32])


def trickle(s, data, gap):
    """Sends data one byte every gap seconds; the seconds until the peer
    closed, or None if it did not before the end."""
    start = time.time()
    s.settimeout(gap)
    for b in data:
        try:
            s.sendall(bytes([b]))
        except OSError:
            return time.time() - start
        try:
            while True:
                if not s.recv(65536):
                    return time.time() - start
        except socket.timeout:
            pass
        except OSError:
            return time.time() - start
    return None


def client(port, mode, netkey=None, seed=None, consortium=None):
    src = os.environ.get("SYNCPEER_SOURCE")
    gap = float(os.environ.get("SYNCPEER_GAP", "0.25"))
    s = socket.create_connection(("127.0.0.1", port), timeout=8,
                                 source_address=(src, 0) if src else None)
    if mode == "trickle":  # a hello, one byte at a time
        t = trickle(s, os.urandom(64), gap)
        say(t is not None, "closed by the server after %.1f s" % t if t is not None
            else "not closed while its hello trickled in")
    if mode == "probe":  # a hello: what comes back?
        s.sendall(Handshake(netkey, os.urandom(32)).hello())
        try:
            got = recv_exact(s, 64)
        except (Closed, socket.timeout):
            say(False, "closed")
        say(True, "busy %d" % got[32] if is_busy(netkey, got) else "hello")
    if mode == "stall":  # the start of a hello, then nothing
        s.sendall(os.urandom(20))
        print("stalled", flush=True)
        say(wait_closed(s, 30), "closed by the server")
    if mode in ("garbage", "noise"):
        try:
            s.sendall(os.urandom(64 if mode == "garbage" else 4096))
        except OSError:
            say(True, "closed while sending garbage")
        try:
            got = s.recv(64)
        except (ConnectionResetError, socket.timeout):
            got = b""
        if got:
            say(False, "the server answered %d bytes to a garbage hello" % len(got))
        say(wait_closed(s), "closed after a garbage hello")
    hs = Handshake(netkey, seed)
    s.sendall(hs.hello())
    try:
        if not hs.read_hello(recv_exact(s, 64), True):
            say(False, "the server's hello does not verify")
        s.sendall(hs.client_auth())
        auth = recv_exact(s, 112)
    except Closed:
        say(mode == "nonmember", "closed during the handshake")
    if mode == "nonmember":
        say(False, "the server sent its auth to a key that is not a member")
    if not hs.client_read_auth(auth):
        say(False, "the server's auth does not open")
    tx_key, rx_key = hs.keys(True)
    rx = Stream(rx_key, recv_exact(s, 24))
    header = os.urandom(24)
    tx = Stream(tx_key, header)
    s.sendall(header)
    peer_hello = read_frame(s, rx)
    if not (isinstance(peer_hello, list) and peer_hello[0] == HELLO):
        say(False, "the server's first message is not HELLO: %r" % (peer_hello,))
    if mode in ("bigframe", "hugeframe", "shortframe", "badframe"):
        ln = {"bigframe": 1052690, "hugeframe": 0xffffffff,
              "shortframe": 16, "badframe": 40}[mode]
        s.sendall(struct.pack(">I", ln) + (os.urandom(40) if mode == "badframe" else b""))
        say(wait_closed(s), "closed after a frame of length %d" % ln)
    if mode in ("version", "consortium", "badbatch"):
        proto = SYNC_PROTOCOL + 1 if mode == "version" else SYNC_PROTOCOL
        cons = os.urandom(32) if mode == "consortium" else consortium
        send_frame(s, tx, mp([HELLO, proto, cons, []]))
        if mode == "badbatch":
            send_frame(s, tx, mp([BATCH, 1, [os.urandom(200)]]))
        try:
            while True:
                m = read_frame(s, rx)
                if m[0] == ERROR:
                    print("server error: %s" % m[2])
                    say(wait_closed(s), "closed after ERROR")
        except Closed:
            say(False, "closed without an ERROR message")
    if mode.startswith("inject-"):
        vv = [[a, q, h] for a, q, h in peer_hello[3]]
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, vv]))  # nothing to send us
        founder = bytes.fromhex(os.environ["SYNCPEER_FOUNDER"])
        what = inject(s, tx, rx, mode[7:], seed, consortium, founder, vv)
        say(True, what)
    if mode.startswith("flood-"):
        vv = [[a, q, h] for a, q, h in peer_hello[3]]
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, vv]))  # nothing to send us
        founder = bytes.fromhex(os.environ["SYNCPEER_FOUNDER"])
        count = int(os.environ.get("SYNCPEER_COUNT", "1024"))
        say(True, flood(s, tx, rx, mode[6:], consortium, founder, vv, count))
    if mode == "trickle-session":  # HELLO, then a frame one byte at a time
        vv = [[a, q, h] for a, q, h in peer_hello[3]]
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, vv]))  # nothing to send us
        t = trickle(s, struct.pack(">I", 100000) + os.urandom(100000), gap)
        say(t is not None, "closed by the server after %.1f s" % t)
    if mode == "hold":
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, []]))
        print("holding", flush=True)
        say(wait_closed(s, 25), "closed by the server")
    if mode == "ok":  # a well-behaved, empty peer: takes everything
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, []]))
        send_frame(s, tx, mp([DONE, 0]))
        got = batches = 0
        done = opened = False
        while not (done and opened):
            m = read_frame(s, rx)
            if m[0] == BATCH:
                got += len(m[2])
                batches += 1
                send_frame(s, tx, mp([ACK, m[1]]))
            elif m[0] == DONE:
                if m[1] != batches:
                    say(False, "DONE announced %d batches, got %d" % (m[1], batches))
                done = True
                # it may read nothing: one empty final WANT
                send_frame(s, tx, mp([WANT, True, []]))
            elif m[0] == WANT:  # it holds no opening to give
                send_frame(s, tx, mp([OPENINGS, m[1], []]))
            elif m[0] == OPENINGS and done:
                if m[2]:
                    say(False, "openings it did not ask for: %r" % (m,))
                opened = m[1]
            else:
                say(False, "unexpected message %r" % (m,))
        say(True, "received %d change-sets" % got)
    say(False, "unknown mode " + mode)


def server(port_file, mode, netkey, seed, consortium):
    ls = socket.socket()
    ls.bind(("127.0.0.1", 0))
    ls.listen(1)
    with open(port_file + ".tmp", "w") as f:
        f.write(str(ls.getsockname()[1]))
    os.rename(port_file + ".tmp", port_file)
    ls.settimeout(20)
    s, _ = ls.accept()
    s.settimeout(8)
    gap = float(os.environ.get("SYNCPEER_GAP", "0.25"))
    hs = Handshake(netkey, seed)
    if not hs.read_hello(recv_exact(s, 64), False):
        say(False, "the client's hello does not verify")
    if mode == "trickle":  # its hello, one byte at a time
        t = trickle(s, hs.hello(), gap)
        say(t is not None, "closed by the client after %.1f s" % t if t is not None
            else "not closed while the hello trickled out")
    s.sendall(hs.hello())
    if not hs.server_read_auth(recv_exact(s, 112)):
        say(False, "the client's auth does not open")
    s.sendall(hs.server_auth())
    tx_key, rx_key = hs.keys(False)
    header = os.urandom(24)
    tx = Stream(tx_key, header)
    s.sendall(header)
    proto = SYNC_PROTOCOL + 1 if mode == "version" else SYNC_PROTOCOL
    cons = os.urandom(32) if mode == "consortium" else consortium
    if mode == "trickle-session":  # the client's own heads: nothing to send
        rx = Stream(rx_key, recv_exact(s, 24))
        vv = [[a, q, h] for a, q, h in read_frame(s, rx)[3]]
        send_frame(s, tx, mp([HELLO, SYNC_PROTOCOL, consortium, vv]))
        t = trickle(s, struct.pack(">I", 100000) + os.urandom(100000), gap)
        say(t is not None, "closed by the client after %.1f s" % t)
    send_frame(s, tx, mp([HELLO, proto, cons, []]))
    if mode == "error":  # an ERROR as consort sends one: [4, -errno, why]
        send_frame(s, tx, mp([ERROR, -26, "the fake server refuses this sync"]))
    rx = Stream(rx_key, recv_exact(s, 24))
    try:
        while True:
            m = read_frame(s, rx)
            if m[0] == ERROR:
                print("client error: %s" % m[2])
    except (Closed, socket.timeout):
        pass
    say(True, "client closed")


def selftest():
    hx = bytes.fromhex
    netkey = bytes(range(32))
    c = Handshake(netkey, b"\x01" * 32, b"\x11" * 32)
    s = Handshake(netkey, b"\x02" * 32, b"\x22" * 32)
    assert c.pk == hx("8a88e3dd7409f195fd52db2d3cba5d72ca6709bf1d94121bf3748801b40f6f5c")
    assert s.pk == hx("8139770ea87d175f56a35466c34c7ecccb8d8a91b4ee37a25df60f5b8fc9b394")
    assert c.hello() == hx("b0b299821f6ef9101ef10c72519723d07d0a498bc0f904656636f0a2ab31885a"
                           "7b4e909bbe7ffe44c465a220037d608ee35897d31ef972f07f74892cb0f73f13")
    assert s.hello()[:32] == hx("bac79c5467f2ec1381e06d42360f0f4a942ef4523b2979ea2116693ff83054d6")
    assert s.read_hello(c.hello(), False) and c.read_hello(s.hello(), True)
    assert c.shared == hx("9e004098efc091d4ec2663b4e9f5cfd4d7064571690b4bea97ab146ab9f35056")
    assert c.T == s.T == hx("5eeb8894f87cb6885367a97e2dea17ec8ccbe9e18970bf2218fc3aee999eea05")
    ca = c.client_auth()
    assert c.sig_c == hx("03f92fcdf68ec74597bef85a795310b47724e5946740bd016f39323c37bf0483"
                         "feb2c253d2310b1317dac4140c6d6a3df734595aacbc5a8ce42b77fd8ce0d60e")
    assert ca == hx("0c4308c104afc51fbe67d6549872c6818aae6651b52e9c06bca16c13fd90ead5"
                    "b64a6306af9d6aabfc541d12c076b23366e93d5a64bb69d61d7fda12571df639"
                    "7e792de2841501678723c296e2201f0f0f22667fd182c05879ac99c68bf4dbd3"
                    "eace2e9590a123ef760ebe7d404dca3e")
    assert s.server_read_auth(ca)
    sa = s.server_auth()
    assert sa == hx("5d25cb38d946b3bc34b5b32898afdb57619e2152465a47ab7da49c7c8e25d713"
                    "df694bd20de4374ea21f3aad5f3f254d2b705d257aa0f14e414227fd3ea90445"
                    "9d027c9a97f1d18552bd56862d503fb56d5d8fb2a14a9ae5564cd9895b779bf8"
                    "5b75422481919805d3f77e2b007945c9")
    assert c.client_read_auth(sa)
    k_cs, k_sc = c.keys(True)
    assert k_cs == hx("323792c54bff3093a20701aa60a9a43f828766a67fc81b376f21801cee91706b")
    assert k_sc == hx("cfd654231364e73d3971368a52733c807a76e42a43979eaf4e5ccbdebf047487")
    assert s.keys(False) == (k_sc, k_cs)
    tx = Stream(k_cs, b"\x33" * 24)
    f1, f2 = tx.push(b"consort"), tx.push(b"", TAG_FINAL)
    assert struct.pack(">I", len(f1)) + f1 == hx("000000183f2e0cebb5284e7e99830a3900cbdd627a9abccf3af9748c")
    assert struct.pack(">I", len(f2)) + f2 == hx("0000001154cfc37c05f6d1f263c3279ab040ef771f")
    rx = Stream(k_cs, b"\x33" * 24)
    assert rx.pull(f1) == (TAG_MESSAGE, b"consort") and rx.pull(f2) == (TAG_FINAL, b"")
    assert unmp(mp([4, -25, "x" * 40, b"\0" * 300, 2**40]))[0] == [4, -25, "x" * 40, b"\0" * 300, 2**40]
    print("selftest ok")


def main(a):
    if a[:1] == ["selftest"]:
        return selftest()
    if len(a) >= 3 and a[0] == "client":
        netkey = open(a[3], "rb").read() if len(a) > 3 else None
        seed = load_seed(a[4]) if len(a) > 4 else None
        cons = bytes.fromhex(a[5]) if len(a) > 5 else None
        return client(int(a[1]), a[2], netkey, seed, cons)
    if len(a) == 6 and a[0] == "server":
        return server(a[1], a[2], open(a[3], "rb").read(), load_seed(a[4]),
                      bytes.fromhex(a[5]))
    sys.exit(__doc__)


if __name__ == "__main__":
    main(sys.argv[1:])
PY
python3 "$SYNCPEER" selftest >/dev/null || fail "syncpeer.py does not reproduce the test vector of protocol.md"
