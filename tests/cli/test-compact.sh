#!/usr/bin/env bash
# consort compact rewrites the store without its free pages: the sealed
# personal values of an erased trainee, still in data.mdb after the
# erasure, are gone after it, and nothing else changes (log, state,
# verify).  While consort serve has the node open it refuses (EBUSY) and
# leaves the compaction pending; the next command alone on the node runs
# it.  A full disk (ENOSPC) or a crash before the rename leave data.mdb as
# it was; a read-only node is refused.
. "$(dirname "$0")/lib.sh"
. "$CLI/sync-lib.sh"

command -v mdb_dump >/dev/null || skip "no mdb_dump (lmdb-utils) to read the openings table"
DATA_MDB=$T/lead/store/data.mdb
TMP_MDB=$T/lead/store/data.mdb.compact

# sealed_values NODE: the sealed openings of NODE, one hex value a line.
sealed_values() {
	mdb_dump -s openings "$T/$1/store" | sed -n '/^HEADER=END/,/^DATA=END/p' |
	    sed '1d;$d' | awk 'NR % 2 == 0 { print $1 }'
}
# held FILE: how many of the values of $T/vals the bytes of FILE hold.
held() {
	python3 -c '
import sys
d = open(sys.argv[1], "rb").read()
print(sum(bytes.fromhex(l.strip()) in d for l in open(sys.argv[2]) if l.strip()))' "$1" "$T/vals"
}
size() { stat -c %s "$1"; }

init_lead lead </dev/null
expect_rc 0 on lead import "$DATA/sample.jsonl"
sealed_values lead | sort >"$T/vals0"
expect_rc 0 on lead add trainee --ref T-ERASE family_name=Quillebeuf \
    given_name=Zéphyrine birth_year=1987 ft_id=0123456X
# the trainee's own sealed values: those its addition brought
sealed_values lead | sort | comm -13 "$T/vals0" - >"$T/vals"
nv=$(grep -c . "$T/vals" || true)
[ "$nv" -ge 4 ] || fail "expected the trainee's sealed values in the openings table, found $nv"
[ "$(held "$DATA_MDB")" = "$nv" ] || fail "the sealed values are not in data.mdb"

# the erasure deletes the openings, but their bytes stay in free pages
# until a compaction: serve has the node open, so the one the erasure
# asks for stays pending
serve_start lead
expect_rc 0 on lead set trainee T-ERASE erased=2026-12-07
[ -z "$(sealed_values lead | sort | comm -12 "$T/vals" -)" ] ||
    fail "the openings of an erased trainee are still listed"
[ "$(held "$DATA_MDB")" = "$nv" ] || fail "expected the erased values still in data.mdb's free pages"
h0=$(state_hash lead)
n0=$(log_count lead)
serve_stop "$SPID" KILL
before=$(size "$DATA_MDB")

# compact: the sizes, the bytes gone, nothing else changed
expect_rc 0 on lead compact
out_has "^compacted $T/lead/store: data.mdb [0-9.]+ KiB -> [0-9.]+ KiB \\($before -> [0-9]+ bytes\\)\$"
after=$(size "$DATA_MDB")
[ "$after" -lt "$before" ] || fail "data.mdb did not shrink: $before -> $after"
[ "$(held "$DATA_MDB")" = 0 ] || fail "erased values survived the compaction"
[ ! -e "$TMP_MDB" ] || fail "the compacted copy was left beside data.mdb"
[ "$(state_hash lead)" = "$h0" ] || fail "the compaction changed the state"
[ "$(log_count lead)" = "$n0" ] || fail "the compaction changed the log"
expect_rc 0 on lead verify
expect_rc 0 on lead add lot --ref LOT-C1 sector=Bâtiment territory=44 rate_cents=1410

# --json: the sizes before and after, as numbers
expect_rc 0 on lead rebuild
expect_rc 0 on lead compact --json
json_ok "$OUT"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert sorted(d) == ["after", "before"], d
assert isinstance(d["before"], int) and isinstance(d["after"], int), d
assert 0 < d["after"] < d["before"], d' "$OUT" || fail "compact --json: $(cat "$OUT")"
expect_rc 2 on lead compact extra
expect_rc 0 on lead compact --help
out_has 'EBUSY'

# busy: serve has the node open; compact refuses, the compaction pending
# (an edit first, whose copied pages a compaction can drop)
expect_rc 0 on lead set lot LOT-C1 rate_cents=1411
grown=$(size "$DATA_MDB")
serve_start lead
expect_rc 1 on lead compact
err_has_fixed "another consort process has this node open (consort serve, a sync); the compaction is pending [EBUSY]"
[ "$(wc -l <"$ERR")" = 1 ] || fail "the refusal is more than one line: $(cat "$ERR")"
# (the pending mark is written: data.mdb may grow, it must not shrink)
[ "$(size "$DATA_MDB")" -ge "$grown" ] || fail "a refused compaction compacted"
# other commands go on, and leave it pending while serve runs
expect_rc 0 on lead list lot
[ "$(size "$DATA_MDB")" -ge "$grown" ] || fail "a compaction ran while serve had the node open"
# serve dies without its end (no chance to compact); the next command does
serve_stop "$SPID" KILL
expect_rc 0 on lead whoami
[ "$(size "$DATA_MDB")" -lt "$grown" ] || fail "the pending compaction did not run at the end of the next command"
[ ! -s "$ERR" ] || fail "the pending compaction printed: $(cat "$ERR")"
expect_rc 0 on lead verify
# done, no longer pending: the next command compacts nothing
s1=$(sha256sum <"$DATA_MDB")
expect_rc 0 on lead list lot
[ "$(sha256sum <"$DATA_MDB")" = "$s1" ] || fail "the compaction is still pending after it ran"

# a full disk while the copy is written: ENOSPC, data.mdb as it was
expect_rc 0 on lead rebuild
command -v cc >/dev/null || fail "no C compiler to build the fault-injection library"
cat >"$T/faults.c" <<'C'
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

/* write(2) fails with ENOSPC once CONSORT_TEST_WRITE_BUDGET bytes are spent */
ssize_t
write(int fd, const void *buf, size_t n)
{
	static long long budget = -2;
	const char *e;

	if (budget == -2)
		budget = (e = getenv("CONSORT_TEST_WRITE_BUDGET")) ? atoll(e) : -1;
	if (budget >= 0 && fd > 2) {
		if ((long long)n > budget) {
			budget = 0;
			errno = ENOSPC;
			return -1;
		}
		budget -= (long long)n;
	}
	return syscall(SYS_write, fd, buf, n);
}

/* with CONSORT_TEST_DIE_AT_RENAME, the process dies as data.mdb is replaced */
int
rename(const char *from, const char *to)
{
	size_t n = strlen(to);

	if (getenv("CONSORT_TEST_DIE_AT_RENAME") && n >= 8 &&
	    strcmp(to + n - 8, "data.mdb") == 0)
		raise(SIGKILL);
	return syscall(SYS_rename, from, to);
}
C
cc -shared -fPIC -o "$T/faults.so" "$T/faults.c" || fail "cannot build the fault-injection library"
sha0=$(sha256sum <"$DATA_MDB")
h1=$(state_hash lead)
LD_PRELOAD=$T/faults.so CONSORT_TEST_WRITE_BUDGET=20000 ASAN_OPTIONS=verify_asan_link_order=0 \
    expect_rc 1 on lead compact
err_has_fixed "no space left for the compacted copy of the store; the store is unchanged [ENOSPC]"
err_has 'free space'
[ "$(sha256sum <"$DATA_MDB")" = "$sha0" ] || fail "a compaction on a full disk changed data.mdb"
[ ! -e "$TMP_MDB" ] || fail "a compaction on a full disk left its copy"
expect_rc 0 on lead verify

# a crash between the copy and the rename: data.mdb as it was, and the
# copy left behind is removed by the next command
# (in a subshell that keeps its own "Killed" to itself)
(rc=0; LD_PRELOAD=$T/faults.so CONSORT_TEST_DIE_AT_RENAME=1 ASAN_OPTIONS=verify_asan_link_order=0 \
    "$CONSORT" --dir "$T/lead" compact >"$OUT" 2>"$ERR" || rc=$?; echo $rc >"$T/rc") 2>/dev/null
rc=$(cat "$T/rc")
[ $rc = 137 ] || fail "the crash at the rename exits $rc: $(cat "$ERR")"
[ -e "$TMP_MDB" ] || fail "the crash left no copy (the test did not crash where it meant to)"
[ "$(sha256sum <"$DATA_MDB")" = "$sha0" ] || fail "a crash before the rename changed data.mdb"
expect_rc 0 on lead list lot
[ ! -e "$TMP_MDB" ] || fail "the copy a crash left is still there after the next command"
[ "$(state_hash lead)" = "$h1" ] || fail "the state changed after a crash at the rename"
expect_rc 0 on lead verify

# a read-only node: refused, nothing changed
if [ "$(id -u)" = 0 ] && nobody_works; then
	cp -a lead ro
	chmod 711 "$T"
	chown -R nobody ro
	chmod -R a-w ro
	sums=$(cd ro && find . -type f -exec sha256sum {} + | sort)
	rc=0
	setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups \
	    "$CONSORT" --dir "$T/ro" compact >"$OUT" 2>"$ERR" || rc=$?
	[ $rc = 1 ] || fail "compact on a read-only node exits $rc: $(cat "$ERR")"
	err_has_fixed "$T/ro: the node is read-only: you cannot write its store [EREADONLY]"
	[ "$sums" = "$(cd ro && find . -type f -exec sha256sum {} + | sort)" ] ||
	    fail "a refused compaction changed the read-only node"
	chmod -R u+w ro
else
	echo "skip: the read-only node is not checked (not root, or no setpriv and nobody)"
fi
exit 0
