#!/usr/bin/env bash
# Messages follow the locale (GNU gettext, schema/po/fr.po): French with
# LANG=fr_FR.UTF-8, whether or not that locale is installed here; English
# with LANG=C, with LANGUAGE=en, under LC_ALL=C, and in all that --json
# prints, which is for programs.
. "$(dirname "$0")/lib.sh"

# lc VAR=VALUE... -- ARGS...: consort with only these locale variables set.
lc() {
	local e=(env -u LC_ALL -u LC_MESSAGES -u LANG -u LANGUAGE)
	while [ "$1" != -- ]; do e+=("$1"); shift; done
	shift
	"${e[@]}" "$CONSORT" "$@"
}
fr() { lc LANG=fr_FR.UTF-8 -- "$@"; }

# --help, and a command's
expect_rc 0 fr --help
out_has '^utilisation : consort \[--dir DOSSIER\]' "--help is not in French"
out_has '^commandes :'
expect_rc 0 lc LANG=C -- --help
out_has '^usage: consort \[--dir DIR\]' "--help is not in English under LANG=C"
expect_rc 0 lc LANG=fr_FR.UTF-8 LANGUAGE=en -- --help
out_has '^usage: consort' "LANGUAGE=en does not keep English"
expect_rc 0 lc LANG=fr_FR.UTF-8 LC_ALL=C -- --help
out_has '^usage: consort' "LC_ALL=C does not keep English"
expect_rc 0 lc LANG=fr_FR.UTF-8 CONSORT_LOCALEDIR=/nonexistent -- --help
out_has '^usage: consort' "CONSORT_LOCALEDIR does not choose the catalogues"

# a refusal: the same exit code and error name, in French
expect_rc 2 fr frobnicate
err_has '^consort : commande inconnue « frobnicate »' "the refusal is not in French"
expect_rc 2 lc LANG=C -- frobnicate
err_has '^consort: unknown command "frobnicate"'

# a refusal made in the core, on a node
expect_rc 1 fr --dir "$T/none" list lot
err_has '^consort list: .*: pas un dossier de nœud consort \[ENOTNODE\]; donnez le nœud avec --dir DOSSIER'

# --json: the same bytes whatever the language
init_lead lead
for args in "whoami --json" "member list --json"; do
	# shellcheck disable=SC2086
	lc LANG=C -- --dir "$T/lead" $args >c.json || fail "$args failed under LANG=C"
	# shellcheck disable=SC2086
	fr --dir "$T/lead" $args >fr.json || fail "$args failed in French"
	cmp -s c.json fr.json || fail "$args differs in French: $(diff c.json fr.json | head -n 4)"
done

# order build: its refusal in French; the request it signs is the same
# bytes in every language, its rules' messages included
expect_rc 0 on lead import "$DATA/sample.jsonl"
expect_rc 3 fr --dir "$T/lead" order build --lot LOT-01 --period 2026-04
err_has '^consort order build: R05 session S000002: la session S000002 ouvre avec 2 stagiaires financés'
err_has '^consort order build: refusée : 1 erreur'
expect_rc 0 on lead add agreement --ref A-R05-S000002 reference=RPDL-2026-0117 \
    date=2026-03-18 subject=group_size session=S000002
expect_rc 0 on lead add derogation --ref D-R05-S000002 rule=R05 session=S000002 \
    agreement=A-R05-S000002 reason=agreed date=2026-03-20
for l in C fr_FR.UTF-8; do
	lc LANG=$l -- --dir "$T/lead" order build --lot LOT-01 --period 2026-04 \
	    --date 2026-03-25 >"request-$l.json" || fail "order build failed under LANG=$l"
done
grep -q '"message":"session S000002 opens with 2 financed trainees' request-C.json ||
	fail "the request lacks its warning: $(head -c 300 request-C.json)"
cmp -s request-C.json request-fr_FR.UTF-8.json || fail "the request differs in French"
exit 0
