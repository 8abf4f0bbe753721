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
