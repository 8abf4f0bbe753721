#!/usr/bin/env bash
# The secrets stay out of core dumps (DESIGN.md §2).  consort is not
# dumpable from the start of main; a `consort serve`
# started with `ulimit -c unlimited` runs with a core size limit of 0; a
# crash leaves no core file that holds the secret key; and even a core
# taken by a debugger as root (gcore), which no limit stops, holds neither
# the secret key, the network key nor the passphrase: they live in guarded
# memory left out of dumps, and the passphrase file is read without stdio.
. "$(dirname "$0")/sync-lib.sh"

printf 'Vent-du-large-sur-Pornic-44\n' >"$T/pass"
chmod 600 "$T/pass"
init_lead plain
init_lead sealed --passphrase-file "$T/pass"

# secret_check CORE NODE: CORE holds none of NODE's secrets, in any form.
secret_check() {
	python3 - "$1" "$T/$2" "$T/pass" <<'PY'
import sys
core, node, passfile = sys.argv[1:]
data = open(core, "rb").read()
pk = open(node + "/key.pub", "rb").read()
# the core is real: the public key, kept in ordinary memory, is in it
if pk not in data:
    sys.exit("%s does not hold the public key: not a core of the server?" % core)
found = []
key = open(node + "/key", "rb").read()
if key[8] == 0:
    seed = key[9:41]
    for form in (seed, seed.hex().encode()):
        if form in data:
            found.append("the secret key")
net = open(node + "/network.key", "rb").read()
if len(net) == 32 and net in data:
    found.append("the network key")
phrase = open(passfile, "rb").read().strip()
if phrase in data:
    found.append("the passphrase")
if found:
    sys.exit("%s holds %s" % (core, ", ".join(found)))
PY
}

# Not dumpable from the start: the kernel then shows the files of the
# process's /proc folder as root's.  A consort that waits (reading its passphrase from a
# FIFO), run as another user than root (nobody when we are root).
mkfifo -m 600 "$T/fifo"
if [ "$(id -u)" = 0 ] && ! nobody_works; then
	echo "skip: cannot run consort as nobody here: its dumpable flag is not checked"
elif [ "$(id -u)" = 0 ]; then
	chmod 711 "$T"
	chown nobody "$T/fifo"
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$CONSORT" --dir "$T/nb" --passphrase-file "$T/fifo" keygen >/dev/null 2>&1 &
	WPID=$!
elif [ "$(id -u)" != 0 ]; then
	"$CONSORT" --dir "$T/nb" --passphrase-file "$T/fifo" keygen >/dev/null 2>&1 &
	WPID=$!
fi
if [ -n "${WPID:-}" ]; then
	SYNC_PIDS+=("$WPID")
	# wait until it is consort (not the shell or setpriv) that waits
	for i in $(seq 1 100); do
		[ "$(readlink "/proc/$WPID/exe" 2>/dev/null)" = "$CONSORT" ] && break
		sleep 0.05
	done
	sleep 0.2
	[ "$(stat -c %u "/proc/$WPID/status")" = 0 ] ||
	    fail "consort is dumpable: its /proc files belong to uid $(stat -c %u "/proc/$WPID/status")"
	kill "$WPID" 2>/dev/null || true
fi

ulimit -c unlimited 2>/dev/null || ulimit -c "$(ulimit -H -c)"
serve_start plain
awk '/^Max core file size/ { exit !($5 == "0") }' "/proc/$SPID/limits" ||
    fail "serve runs with a core size limit: $(grep '^Max core' "/proc/$SPID/limits")"

# A core taken by a debugger (root can take one of any process); not of an
# AddressSanitizer build, whose terabytes of shadow mappings gcore walks for
# a minute before giving up.
asan=0
grep -qa __asan_init "$CONSORT" && asan=1
if [ $asan = 0 ] && command -v gcore >/dev/null && timeout 60 gcore -o "$T/gcore" "$SPID" >"$T/gcore.log" 2>&1 &&
    [ -s "$T/gcore.$SPID" ]; then
	secret_check "$T/gcore.$SPID" plain || fail "a debugger's core of serve holds a secret"
	rm -f "$T/gcore.$SPID"
	# a sealed node: the key, the network key and the passphrase file's line
	CONSORT_PASSPHRASE_FILE=$T/pass
	export CONSORT_PASSPHRASE_FILE
	serve_start sealed
	unset CONSORT_PASSPHRASE_FILE
	# a connection makes it open the sealed network key
	python3 -c 'import socket, sys; s = socket.create_connection(("127.0.0.1", int(sys.argv[1]))); s.sendall(b"x" * 64); s.recv(1)' "$PORT" || true
	timeout 60 gcore -o "$T/gcore" "$SPID" >"$T/gcore.log" 2>&1 ||
	    fail "gcore of the sealed serve failed: $(tail -n 2 "$T/gcore.log")"
	secret_check "$T/gcore.$SPID" sealed || fail "a debugger's core of a sealed serve holds a secret"
	rm -f "$T/gcore.$SPID"
	serve_stop "$SPID"
else
	echo "skip: no gcore, an ASan build, or gcore cannot attach here: the debugger's core is not checked"
fi

# A crash: SIGSEGV would dump a core in serve's folder ($T) where the
# kernel writes core files there; it must not hold the key (none is written).
pattern=$(cat /proc/sys/kernel/core_pattern 2>/dev/null || echo '|')
rm -f "$T"/core*
serve_start plain
kill -SEGV "$SPID"
wait "$SPID" 2>/dev/null || true
case $pattern in
'|'* | /*)
	echo "skip: core files go to $pattern: the crash's core is not checked" ;;
*)
	for c in "$T"/core*; do
		[ -e "$c" ] || continue
		secret_check "$c" plain || fail "serve's crash left a core holding a secret: $c"
	done ;;
esac
exit 0
