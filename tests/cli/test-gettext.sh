#!/usr/bin/env bash
# Messages follow the locale (GNU gettext, po/fr.po): French with
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

# --json: the same bytes whatever the language
init_lead lead
for args in "whoami --json" "member list --json"; do
	# shellcheck disable=SC2086
	lc LANG=C -- --dir "$T/lead" $args >c.json || fail "$args failed under LANG=C"
	# shellcheck disable=SC2086
	fr --dir "$T/lead" $args >fr.json || fail "$args failed in French"
	cmp -s c.json fr.json || fail "$args differs in French: $(diff c.json fr.json | head -n 4)"
done
exit 0
