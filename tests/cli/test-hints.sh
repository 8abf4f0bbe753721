#!/usr/bin/env bash
# Error messages end with what the user can do; a command they point to
# ("run consort rebuild", "consort help fields ...") must exist.
. "$(dirname "$0")/lib.sh"

init_lead lead
expect_rc 0 on lead import "$DATA/sample.jsonl"
: >hints.txt
collect() { "$@" >/dev/null 2>>hints.txt || true; }
collect on lead add lot --ref LOT-09 colour=bleu
collect on lead add lot --ref LOT-01 sector=Bâtiment
collect on lead set lot LOT-99 sector=Bâtiment
collect on lead show lot LOT-99
collect on lead rm lot LOT-99
collect on lead add session --ref S9 lot=LOT-99
collect on lead add session --ref S9 hours=abc
collect on lead add castle --ref X a=b
collect on lead list
collect consort --dir "$T/none" list lot
collect consort list lot
printf '{"type":"lot","ref":"LOT-09","colour":"bleu"}\n' >bad.jsonl
collect on lead import bad.jsonl
collect on lead import --type trainee "$DATA/trainees.csv" --format jsonl
cp -a lead altered
tamper altered entities "$(hex Cuisinier)" 2
collect on altered verify

[ -s hints.txt ] || fail "no error message collected"
# "consort help WORD": WORD must be a command (help prints its usage)
while read -r _ _ word; do
	consort help "$word" >/dev/null 2>&1 ||
		fail "a message points to 'consort help $word', which exits $(consort help "$word" >/dev/null 2>&1; echo $?): $(grep -m1 "consort help $word" hints.txt)"
done < <(grep -oE "consort help [a-z][a-z-]*" hints.txt | sort -u)
# "run consort CMD", "with consort CMD", "(see consort CMD --help)": CMD must exist
while read -r cmd; do
	consort "$cmd" --help >/dev/null 2>&1 || fail "a message points to 'consort $cmd', which is no command"
done < <(grep -oE "(run|with|see|use) consort [a-z][a-z-]*" hints.txt | sed 's/.* //' | sort -u)
exit 0
