#!/usr/bin/env bash
# init: the node's files and modes, a second init refused without touching
# the key, required options (2), a bad SIRET (3, field named), a malformed
# --co (2), and no node left behind by a refused init.
. "$(dirname "$0")/lib.sh"

init_lead lead
grep -q '^created node ' "$T/.init.out" || fail "init did not say it created the node: $(cat "$T/.init.out")"
for f in key key.pub network.key store/data.mdb store/lock.mdb; do
	[ -f "lead/$f" ] || fail "init did not create $f"
done
[ "$(stat -c %a lead/key)" = 600 ] || fail "key has mode $(stat -c %a lead/key), expected 600"
[ "$(stat -c %a lead/network.key)" = 600 ] || fail "network.key has mode $(stat -c %a lead/network.key), expected 600"
[ "$(stat -c %s lead/key.pub)" = 32 ] || fail "key.pub is $(stat -c %s lead/key.pub) bytes, expected 32"
[ "$(stat -c %s lead/network.key)" = 32 ] || fail "network.key is $(stat -c %s lead/network.key) bytes, expected 32"
# the public key printed by init is key.pub's
pub=$(od -An -tx1 -v lead/key.pub | tr -d ' \n')
grep -q "^public key  $pub\$" "$T/.init.out" || fail "init printed another public key than key.pub ($pub)"
[ "$(log_count lead)" = 1 ] || fail "a new node should hold exactly the genesis change-set"
expect_rc 0 on lead verify

# A second init on the same folder: refused, nothing changed.
cp lead/key key.before; cp lead/key.pub pub.before; cp lead/network.key net.before
h=$(state_hash lead)
expect_fail on lead init --consortium "Autre Groupement" --member "Forma Nord" \
    --siret "$LEAD_SIRET" --market M2
err_has 'already' "the second init does not say the node already exists"
cmp -s key.before lead/key || fail "a refused second init changed the key file"
cmp -s pub.before lead/key.pub || fail "a refused second init changed key.pub"
cmp -s net.before lead/network.key || fail "a refused second init changed network.key"
[ "$(state_hash lead)" = "$h" ] || fail "a refused second init changed the state"
[ "$(log_count lead)" = 1 ] || fail "a refused second init appended to the log"

# Each required option missing: usage error, no folder created.
full=(--consortium "Groupement Test" --member "Forma Nord" --siret "$LEAD_SIRET" --market M)
for drop in --consortium --member --siret --market; do
	args=()
	set -- "${full[@]}"
	while [ $# -gt 0 ]; do
		[ "$1" = "$drop" ] || args+=("$1" "$2")
		shift 2
	done
	expect_rc 2 consort --dir "$T/n$drop" init "${args[@]}"
	err_has 'required' "init without $drop does not say what is required"
	[ ! -e "n$drop" ] || fail "init without $drop left a folder behind"
done
expect_rc 2 consort --dir "$T/extra" init "${full[@]}" stray-argument
expect_rc 2 consort --dir "$T/opt" init "${full[@]}" --colour blue
# no node folder at all
expect_rc 2 consort init "${full[@]}"
err_has '--dir|CONSORT_DIR'
# CONSORT_DIR names the folder as well as --dir does
CONSORT_DIR=$T/envnode expect_rc 0 consort init "${full[@]}"
[ -f envnode/key ] && [ -f envnode/store/data.mdb ] || fail "init with CONSORT_DIR made no node"

# A bad SIRET (wrong Luhn digit, wrong length, letters): 3, naming the field.
for s in 41852736200128 4185273620012 4185273620012A; do
	expect_rc 3 consort --dir "$T/bad$s" init --consortium G --member "Forma Nord" --siret "$s" --market M
	err_has 'siret' "the refusal of SIRET $s does not name the field siret"
	[ ! -e "bad$s/key" ] || fail "a refused init (SIRET $s) left a key behind"
done
# ...also a co-contractor's
expect_rc 3 consort --dir "$T/badco" init "${full[@]}" --co "Atelier Compétences:50324917900213"
err_has 'siret'
[ ! -e badco/key ] || fail "a refused init (co SIRET) left a key behind"
# two members with one SIRET
expect_rc 3 consort --dir "$T/dup" init "${full[@]}" --co "Doublon:$LEAD_SIRET"
err_has "$LEAD_SIRET"

# A malformed --co: usage error.
for co in "Atelier Compétences" "Atelier Compétences:" ":$CO_SIRET"; do
	expect_rc 2 consort --dir "$T/co" init "${full[@]}" --co "$co"
	err_has '--co' "the usage error for --co \"$co\" does not name --co"
	[ ! -e co ] || fail "init with --co \"$co\" left a folder behind"
done
exit 0
