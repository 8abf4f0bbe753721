#!/usr/bin/env bash
# A node its user cannot write (files without write permission, or a
# read-only mount) still serves every read command, with the same answers
# as the writable node, and changes nothing; a write command fails with one
# line naming the node, EREADONLY and what to do.  As a user without write
# permission (nobody through setpriv when root; yourself otherwise), and
# through a read-only bind mount (root, in a private mount namespace).
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 0 on lead set intent I000001 status=confirmed

# The read commands and their answers on the writable node.
READS=("whoami --json" "member list --json" "list lot" "list session --json"
    "show trainee T000001 --json" "export --json" "log --json" "state-hash"
    "conflicts --json" "status --json" "verify")
mkdir "$T/want"
i=0
for c in "${READS[@]}"; do
	# shellcheck disable=SC2086
	on lead $c >"$T/want/$i" 2>&1 || echo "exit $?" >>"$T/want/$i"
	i=$((i + 1))
done
# verify's timing differs from run to run: compare its second line only
strip() { sed -E 's/ in [0-9.]+ s$//' "$1"; }

# check_reads DIR RUNNER...: every read command on DIR (through RUNNER,
# which runs consort) answers as on the writable node; the write commands
# fail as they should; DIR is unchanged.
check_reads() {
	local dir=$1 i=0 c rc before after; shift
	before=$(cd "$dir" && find . -type f -exec sha256sum {} + | sort)
	for c in "${READS[@]}"; do
		rc=0
		# shellcheck disable=SC2086
		"$@" --dir "$dir" $c >"$T/got" 2>&1 || rc=$?
		[ $rc = 0 ] || echo "exit $rc" >>"$T/got"
		if [ "$c" = verify ]; then
			[ "$(strip "$T/got")" = "$(strip "$T/want/$i")" ] ||
			    fail "verify on the read-only node: $(cat "$T/got")"
		else
			cmp -s "$T/got" "$T/want/$i" ||
			    fail "$c on the read-only node: $(head -c 400 "$T/got")"
		fi
		i=$((i + 1))
	done
	for c in "add lot --ref LOT-09 sector=B territory=44 rate_cents=1" \
	    "set lot LOT-01 rate_cents=1" "rm lot LOT-02" "import $DATA/sample.jsonl" \
	    "rebuild" "peer add 127.0.0.1:7400"; do
		rc=0
		# shellcheck disable=SC2086
		"$@" --dir "$dir" $c >"$T/got" 2>"$T/goterr" || rc=$?
		[ $rc = 1 ] || fail "$c on the read-only node exited $rc: $(cat "$T/goterr")"
		grep -q 'EREADONLY' "$T/goterr" && grep -q 'read-only' "$T/goterr" &&
		    grep -qF "$dir" "$T/goterr" ||
		    fail "$c on the read-only node does not say so: $(cat "$T/goterr")"
		[ "$(wc -l <"$T/goterr")" = 1 ] || fail "$c: more than one line: $(cat "$T/goterr")"
	done
	after=$(cd "$dir" && find . -type f -exec sha256sum {} + | sort)
	[ "$before" = "$after" ] || fail "the read-only node changed"
}

ran=0
# 1. No write permission: a copy that its user may read but not write.
cp -a lead ro
mkdir -m 1777 "$T/tmp"
if [ "$(id -u)" = 0 ]; then
	if nobody_works; then
		chmod 711 "$T"
		chown -R nobody ro
		chmod -R a-w ro
		as_nobody() { TMPDIR=$T/tmp setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$CONSORT" "$@"; }
		check_reads "$T/ro" as_nobody
		ran=$((ran + 1))
		# a store nobody may not even read: said so, not "read-only"
		cp -a lead unread
		chmod 755 unread
		chmod 644 unread/key unread/key.pub
		rc=0
		as_nobody --dir "$T/unread" list lot >"$OUT" 2>"$ERR" || rc=$?
		[ $rc != 0 ] || fail "a store nobody may read was read"
		err_has_fixed "$T/unread: you may not read this node's store [EPERM]"
	fi
else
	chmod -R a-w ro
	as_me() { TMPDIR=$T/tmp "$CONSORT" "$@"; }
	check_reads "$T/ro" as_me
	ran=$((ran + 1))
fi
# verify's private copy of the store is gone
[ -z "$(ls -A "$T/tmp")" ] || fail "verify left its copy behind: $(ls -A "$T/tmp")"
chmod -R u+w ro 2>/dev/null || true

# 3. A store an older release wrote (layout 2: no index table) that its user
# cannot write: not rebuilt, read by walks, with the same answers, and the
# same request as the writable node builds.
command -v mdb_dump >/dev/null && command -v mdb_load >/dev/null ||
    fail "mdb_dump/mdb_load missing (Debian package lmdb-utils)"
cp -a lead old
rm -f old/store/data.mdb old/store/lock.mdb
python3 - "$T/lead/store" "$T/old/store" <<'PY' || fail "could not write an older release's store"
import subprocess, sys
dump = subprocess.run(["mdb_dump", "-a", sys.argv[1]], capture_output=True,
                      text=True, check=True).stdout.split("\n")
sections, cur = [], []
for line in dump:
    if line.startswith("VERSION=") and cur:
        sections.append(cur)
        cur = []
    if line:
        cur.append(line)
sections.append(cur)
for sec in sections:
    name = [l for l in sec if l.startswith("database=")][0][len("database="):]
    if name == "index":
        continue
    for k in range(1, len(sec)):
        if sec[k - 1] == " " + b"layout".hex():  # the layout: 2
            sec[k] = " %016x" % 2
    r = subprocess.run(["mdb_load", "-s", name, sys.argv[2]], text=True,
                       input="\n".join(sec) + "\n", stderr=subprocess.PIPE)
    if r.returncode != 0:
        sys.exit(r.stderr)
PY
expect_rc 3 on lead order build --lot LOT-01 --period 2026-04 --date 2026-04-02 --out "$T/want.json"
cp "$ERR" "$T/want.err"
runner=
if [ "$(id -u)" = 0 ]; then
	if nobody_works; then
		chown -R nobody old
		chmod -R a-w old
		runner=as_nobody
	fi
else
	chmod -R a-w old
	runner=as_me
fi
if [ -n "$runner" ]; then
	check_reads "$T/old" "$runner"
	rc=0
	"$runner" --dir "$T/old" order build --lot LOT-01 --period 2026-04 \
	    --date 2026-04-02 --out "$T/tmp/got.json" >"$OUT" 2>"$ERR" || rc=$?
	[ $rc = 3 ] || fail "order build on the older store exited $rc: $(cat "$ERR")"
	cmp -s "$ERR" "$T/want.err" || fail "order build on the older store: $(head -c 400 "$ERR")"
	ran=$((ran + 1))
fi
chmod -R u+w old 2>/dev/null || true

# 2. A read-only bind mount, in a mount namespace of our own.
cp -a lead rob
if [ "$(id -u)" = 0 ] && unshare -m --propagation private true 2>/dev/null; then
	# lib.sh is sourced again inside: keep its $T and the reference answers
	T=$T CLI=$CLI CONSORT=$CONSORT unshare -m --propagation private \
	    bash -c '. "$CLI/lib.sh"; READS=("$@"); '"$(declare -f strip check_reads)"'; mount --bind -o ro "$T/rob" "$T/rob"; plain() { TMPDIR=$T/tmp "$CONSORT" "$@"; }; check_reads "$T/rob" plain' \
	    _ "${READS[@]}" || fail "the read-only bind mount run failed"
	ran=$((ran + 1))
fi
[ $ran -gt 0 ] || skip "neither setpriv nor a mount namespace: no read-only node to try"
exit 0
