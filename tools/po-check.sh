#!/bin/sh
# Checks the translations against the sources: schema/po/consort.pot holds every
# message the sources mark (_(), N_(), errors.def) and no other, and each
# schema/po/LANG.po translates every one of them, none fuzzy.  Run by make test
# (make po-check); make pot brings both up to date for the translator.
#
#   sh tools/po-check.sh "XGETTEXT COMMAND" schema/po/LANG.po... -- SOURCES...
set -eu
xgettext=$1
shift
pos=
while [ $# -gt 0 ] && [ "$1" != -- ]; do
	pos="$pos $1"
	shift
done
shift
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consort-po.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
fail() { echo "po-check: $*" >&2; exit 1; }

# shellcheck disable=SC2086  # the command and its options, word by word
$xgettext -o "$tmp/sources.pot" "$@" 2>"$tmp/err" || fail "$(cat "$tmp/err")"
msgcmp --use-untranslated schema/po/consort.pot "$tmp/sources.pot" 2>"$tmp/err" ||
	fail "schema/po/consort.pot lacks messages of the sources (run make pot):
$(grep -A1 'used but not defined' "$tmp/err" | head -n 20)"
msgcmp --use-untranslated "$tmp/sources.pot" schema/po/consort.pot 2>/dev/null ||
	fail "schema/po/consort.pot holds messages the sources no longer have (run make pot)"
for po in $pos; do
	msgcmp "$po" "$tmp/sources.pot" 2>"$tmp/err" ||
		fail "$po lacks translations (run make pot, then translate):
$(grep -A1 'used but not defined\|untranslated' "$tmp/err" | head -n 20)"
	stats=$(LC_ALL=C msgfmt --check --statistics -o /dev/null "$po" 2>&1) ||
		fail "$po: $stats"
	case $stats in
	*fuzzy*|*untranslated*) fail "$po: $stats" ;;
	esac
done
