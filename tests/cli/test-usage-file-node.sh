#!/usr/bin/env bash
# A regular file given as the node folder (--dir node/key, say): exit 1 with a
# message saying it is not a node, as for an empty or missing folder, and the
# file unchanged.
. "$(dirname "$0")/lib.sh"

echo "not a node" >afile
for c in whoami "list lot" export state-hash verify "add lot --ref LOT-01 sector=Bâtiment"; do
	read -r -a a <<<"$c"
	expect_rc 1 consort --dir "$T/afile" "${a[@]}"
	err_has 'not a consort node' "$c on a regular file does not say it is not a node"
done
[ "$(cat afile)" = "not a node" ] || fail "commands on a file changed it"
exit 0
