#!/usr/bin/env bash
# Without a node every command fails with 1 saying so; unknown commands and
# options are usage errors (2); --help on every command exits 0 with
# "usage:"; `consort help` lists the commands.
. "$(dirname "$0")/lib.sh"

cmds=(init whoami member add set rm list show import export log verify rebuild state-hash)

# consort help and consort --help list every command
expect_rc 0 consort help
cp "$OUT" help.txt
expect_rc 0 consort --help
cmp -s help.txt "$OUT" || fail "consort help and consort --help differ"
for c in "${cmds[@]}"; do
	grep -qE "^  $c +[a-z]" help.txt || fail "consort help does not list $c"
done
grep -q 'Exit codes: 0 ok, 1 error, 2 usage, 3 refused by validation' help.txt ||
	fail "consort help does not give the exit codes"

# --help (and -h, and help COMMAND) on every command, listed or known
listed=$(sed -n 's/^  \([a-z][a-z-]*\)  .*/\1/p' help.txt)
for c in "${cmds[@]}" $listed; do
	expect_rc 0 consort "$c" --help
	out_has "^usage: consort .*$c" "$c --help prints no usage line"
	expect_rc 0 consort "$c" -h
	out_has '^usage:'
	expect_rc 0 consort help "$c"
	out_has '^usage:'
	# help wins over a missing node
	expect_rc 0 consort --dir "$T/nowhere" "$c" --help
	out_has '^usage:'
done
[ ! -e nowhere ] || fail "--help created a node folder"

# unknown or ambiguous commands, unknown global options: 2
expect_rc 2 consort frobnicate
err_has 'unknown command "frobnicate"'
expect_rc 2 consort --dir "$T" frobnicate
expect_rc 2 consort s
err_has 'ambiguous'
expect_rc 2 consort help frobnicate
expect_rc 2 consort --colour whoami
expect_rc 2 consort
expect_rc 2 consort --dir
expect_rc 0 consort --version
out_has '^consort '

# a unique prefix names its command; --dir=DIR works as --dir DIR
init_lead pre
expect_rc 0 consort --dir="$T/pre" ver
out_has '^verified '
expect_rc 0 consort --dir "$T/pre" state-h
out_has '^[0-9a-f]{64}$'
expect_rc 2 consort --dir "$T/pre" state
err_has 'ambiguous'
expect_rc 0 consort --dir "$T/pre" who --json
out_has '"role":"lead"'

# No node: no --dir nor CONSORT_DIR, an empty folder, a missing folder.
# (A regular file given as the node: test-usage-file-node.sh.)
mkdir empty
init_lead lead
expect_rc 0 on lead whoami   # the same commands work on a node
args_of() {
	case $1 in
	member) echo "member list" ;;
	add) echo "add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410" ;;
	set) echo "set lot LOT-01 rate_cents=1420" ;;
	rm) echo "rm lot LOT-01" ;;
	list) echo "list lot" ;;
	show) echo "show lot LOT-01" ;;
	import) echo "import $DATA/sample.jsonl" ;;
	*) echo "$1" ;;
	esac
}
for c in whoami member add set rm list show import export log verify rebuild state-hash; do
	read -r -a a <<<"$(args_of "$c")"
	expect_rc 1 consort "${a[@]}"
	err_has 'node director' "$c without a node does not say it needs a node"
	err_has -- '--dir|CONSORT_DIR' "$c without a node does not say how to give one"
	for d in empty missing; do
		expect_rc 1 consort --dir "$T/$d" "${a[@]}"
		err_has 'not a consort node' "$c on $d does not say it is not a node"
		CONSORT_DIR=$T/$d expect_rc 1 consort "${a[@]}"
		err_has 'not a consort node'
	done
done
[ -z "$(ls -A empty)" ] || fail "commands on a non-node folder wrote into it: $(ls -A empty)"
[ ! -e missing ] || fail "commands on a missing folder created it"
# a node folder whose store is gone is not a node either
cp -a lead broken; rm -r broken/store
expect_rc 1 on broken list lot
err_has 'not a consort node'
[ ! -e broken/store ] || fail "list on a node without a store re-created the store"
exit 0
