# The one rule of --out (README.md, "Files it writes"), for order build,
# bundle export and invite: a regular file is replaced whole; a device (a
# /dev/null made here: run as root, the build used to replace the real one
# with a regular file), a folder, a named pipe or a link is refused and left
# as it was; a bundle export killed in the middle of writing leaves FILE as
# it was, and one that fails leaves no temporary either.
. "$(dirname "$0")/lib.sh"

init_lead lead
on lead import "$DATA/sample.jsonl" >/dev/null || fail "import failed"
on lead add agreement --ref A1 reference=DR-2026-0117 date=2026-03-18 \
    subject=group_size session=S000002 >/dev/null || fail "agreement failed"
on lead add derogation --ref D1 rule=R05 session=S000002 reason="Équilibre" \
    date=2026-03-20 agreement=A1 >/dev/null || fail "derogation failed"

# only FILE and what the test made: no temporary left beside it
no_temp() {
	! ls -A "$T/out" | grep -q '\.tmp$' || fail "a temporary was left: $(ls -A "$T/out")"
}
mkdir out
# a character device: made here when we may (root), else a named pipe
if mknod out/null c 1 3 2>/dev/null; then
	dev=out/null kind="a character device" test_kind=-c
else
	mkfifo out/null
	dev=out/null kind="a named pipe" test_kind=-p
fi
mkdir out/folder
echo keep >out/target
ln -s target out/link
mkfifo out/fifo

for args in "order build --lot LOT-01 --period 2026-04" "bundle export"; do
	expect_rc 2 on lead $args --out "$dev"
	err_has "$kind, not a regular file"
	[ $test_kind "$dev" ] || fail "$args --out $dev replaced it: $(ls -l "$dev")"
	expect_rc 2 on lead $args --out out/folder
	err_has "a folder, not a regular file"
	[ -d out/folder ] || fail "$args replaced a folder"
	expect_rc 2 on lead $args --out out/fifo
	err_has "a named pipe, not a regular file"
	[ -p out/fifo ] || fail "$args replaced a named pipe"
	expect_rc 2 on lead $args --out out/link
	err_has "a symbolic link, not a regular file"
	[ -L out/link ] && [ "$(cat out/target)" = keep ] || fail "$args went through or cut a link"
	no_temp
done
if [ "$(id -u)" = 0 ] && [ "$test_kind" = -p ]; then
	# no device could be made here: /dev/null itself, as root
	expect_rc 2 on lead order build --lot LOT-01 --period 2026-04 --out /dev/null
	[ -c /dev/null ] || fail "order build replaced /dev/null"
fi

# a regular file is replaced whole, with the command's mode
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out out/target
json_ok out/target
[ "$(stat -c %a out/target)" = 644 ] || fail "the request is not mode 644"
expect_rc 0 on lead bundle export --out out/target
[ "$(stat -c %a out/target)" = 600 ] || fail "the bundle is not mode 600"
expect_rc 0 on lead order build --lot LOT-01 --period 2026-04 --out -
json_ok "$OUT"
no_temp

# invite: refused before anything is bound, so that it can be run again
pk=$(consort --dir "$T/keys" keygen | grep -oE '[0-9a-f]{64}' | head -n 1)
[ ${#pk} = 64 ] || fail "keygen printed no key"
expect_rc 2 on lead invite --siret "$CO_SIRET" --role co --key "$pk" --out out/folder
err_has "a folder, not a regular file"
expect_rc 0 on lead invite --siret "$CO_SIRET" --role co --key "$pk" --out out/target
[ "$(stat -c %a out/target)" = 600 ] || fail "the invite is not mode 600"
no_temp

# killed while writing: `ulimit -f` makes the kernel kill bundle export
# with SIGXFSZ in the middle of its write (no handler runs, as with kill -9)
for i in $(seq 40); do
	on lead add trainee --ref "TX$i" status=job_seeker family_name="$(printf 'N%.0s' $(seq 90))" \
	    >/dev/null || fail "add failed"
done
# killed_export: runs bundle export --out out/b.bundle under a 8 KiB limit
killed_export() {
	local rc=0
	(ulimit -f 8; exec "$CONSORT" --dir "$T/lead" bundle export --out "$T/out/b.bundle") \
	    >"$OUT" 2>"$ERR" || rc=$?
	[ $rc = $((128 + 25)) ] || fail "bundle export was not killed by SIGXFSZ (exit $rc): $(cat "$ERR")"
	rm -f out/.b.bundle.*.tmp
}
killed_export
[ ! -e out/b.bundle ] || fail "a killed export left a partial file ($(stat -c %s out/b.bundle) bytes)"
echo "old bundle" >out/b.bundle
rc=0
(ulimit -f 8; exec "$CONSORT" --dir "$T/lead" bundle export --out "$T/out/b.bundle") \
    >"$OUT" 2>"$ERR" || rc=$?
[ $rc = $((128 + 25)) ] || fail "bundle export was not killed by SIGXFSZ (exit $rc): $(cat "$ERR")"
[ "$(cat out/b.bundle)" = "old bundle" ] || fail "a killed export changed its file"
tmp=$(ls -A out | grep '^\.b\.bundle\.......\.tmp$' || true)
[ -n "$tmp" ] || fail "a killed export left no temporary named for its file: $(ls -A out)"
[ "$(stat -c %s "out/$tmp")" -le 8192 ] || fail "the temporary is not the cut write"
rm -f "out/$tmp"
# the same write failing (SIGXFSZ ignored: EFBIG): exit 1, no temporary
rc=0
(trap '' XFSZ; ulimit -f 8; exec "$CONSORT" --dir "$T/lead" bundle export --out "$T/out/b.bundle") \
    >"$OUT" 2>"$ERR" || rc=$?
[ $rc = 1 ] || fail "a failed export exited $rc: $(cat "$ERR")"
err_has "b.bundle"
[ "$(cat out/b.bundle)" = "old bundle" ] || fail "a failed export changed its file"
no_temp
# and without the limit, the file is replaced by the whole bundle
expect_rc 0 on lead bundle export --out out/b.bundle
[ "$(stat -c %s out/b.bundle)" -gt 8192 ] || fail "the bundle is not whole"
no_temp
