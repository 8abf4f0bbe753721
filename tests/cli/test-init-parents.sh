#!/usr/bin/env bash
# init (and keygen) create the missing folders above the node, as git init
# and mkdir -p do: the walk-through's `export CONSORT_DIR=~/consort/forma-nord`
# works when ~/consort does not exist yet.  The node's own folder is 0700,
# those above it get the usual mode.  When a folder cannot be made, the
# error names it and says why (ENOENT, a file in the way, no permission),
# never EIO.
. "$(dirname "$0")/lib.sh"

full=(--consortium "Groupement Loire Formation" --member "$LEAD_NAME" --siret "$LEAD_SIRET" --market M)

# the walk-through, followed literally, with HOME in the test folder
mkdir home
HOME=$T/home
export CONSORT_DIR=~/consort/forma-nord
expect_rc 0 consort init "${full[@]}"
out_has "^created node $T/home/consort/forma-nord\$"
unset CONSORT_DIR
[ "$(stat -c %a home/consort/forma-nord)" = 700 ] || fail "the node folder has mode $(stat -c %a home/consort/forma-nord)"
[ "$(stat -c %a home/consort)" = "$(printf '%o' $((0777 & ~$(umask))))" ] ||
    fail "the folder above the node has mode $(stat -c %a home/consort), not the umask's"
expect_rc 0 consort --dir ~/consort/forma-nord verify

# several levels, trailing slashes
expect_rc 0 consort --dir "$T/a/b/c/lead//" init "${full[@]}"
[ -f a/b/c/lead/key ] || fail "init a/b/c/lead made no node"
# keygen too
expect_rc 0 consort --dir "$T/sites/atelier" keygen
[ -f sites/atelier/key.pub ] || fail "keygen did not make its folder"

# a file in the way
touch afile
expect_rc 2 consort --dir "$T/afile/node" init "${full[@]}"
err_has_fixed "$T/afile: cannot create the folder: a file of that name is in the way"
grep -q EIO "$ERR" && fail "a file in the way is reported as EIO: $(cat "$ERR")"
expect_rc 2 consort --dir "$T/afile" init "${full[@]}"
err_has_fixed "$T/afile: "

# a folder that cannot exist (ENOENT, named)
expect_rc 3 consort --dir /proc/consort-no-such/node init "${full[@]}"
err_has_fixed '/proc/consort-no-such: No such file or directory [ENOENT]'

# no permission to create it, as another user (root: nobody; else: ourselves)
mkdir -m 755 locked
if [ "$(id -u)" = 0 ]; then
	chmod 711 "$T"
	nobody_works || skip "cannot run consort as nobody here (no setpriv, no nobody user, or a / nobody may not walk)"
	run_other() { setpriv --reuid=nobody --regid="$(id -g nobody)" --clear-groups "$@"; }
else
	chmod 555 locked
	run_other() { "$@"; }
fi
rc=0
run_other "$CONSORT" --dir "$T/locked/x/node" init "${full[@]}" >"$OUT" 2>"$ERR" || rc=$?
[ $rc != 0 ] || fail "init in a folder we may not write succeeded"
err_has_fixed "$T/locked/x: Permission denied [EPERM]"
err_has 'choose a --dir where you may create folders'
[ ! -e locked/x ] || fail "a refused init left a folder"
exit 0
