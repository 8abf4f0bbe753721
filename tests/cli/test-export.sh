#!/usr/bin/env bash
# export --json is the canonical state of /work/shared/data/README.md: keys
# sorted at every level, no whitespace, raw UTF-8, JSON.stringify escapes,
# integers as integers, the roster left out; the README's two digests.
. "$(dirname "$0")/lib.sh"

# canonical FILE: FILE (ending with one newline) is valid JSON equal byte for
# byte to Python's sorted, compact, non-ASCII-raw serialisation of itself.
canonical() {
	python3 - "$1" <<'PY' || fail "export is not canonical JSON: $(head -c 300 "$1")"
import json, sys
raw = open(sys.argv[1], "rb").read()
if not raw.endswith(b"\n") or raw.endswith(b"\n\n"):
    sys.exit("no single trailing newline")
doc = json.loads(raw)
want = json.dumps(doc, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()
if raw[:-1] != want:
    i = next((i for i in range(min(len(want), len(raw))) if raw[i] != want[i]), min(len(want), len(raw)))
    sys.exit("differs at byte %d: got %r want %r" % (i, raw[max(0, i - 40):i + 40], want[max(0, i - 40):i + 40]))
PY
}

# The empty state is {} (the roster is not exported); its digest is the README's.
init_lead lead
on lead export --json >e.json
[ "$(cat e.json)" = "{}" ] || fail "a new node exports $(cat e.json), expected {}"
[ "$(export_sha lead)" = 44136fa355b3678a1146ad16f7e8649e94fb4fc21fe77e8310c060f61caaff8a ] ||
	fail "the empty state's digest is not the README's"

# The README's example: LOT-01 and trainee T000002.
expect_rc 0 on lead add lot --ref LOT-01 sector=Bâtiment territory=44 rate_cents=1410
expect_rc 0 on lead add trainee --ref T000002 family_name=Garnier given_name=Aïcha birth_year=1989 \
    ft_id=1250405C status=job_seeker disability=false part_time=false
on lead export --json >x.json
[ "$(head -c -1 x.json)" = '{"lot":{"LOT-01":{"rate_cents":1410,"sector":"Bâtiment","territory":"44"}},"trainee":{"T000002":{"birth_year":1989,"disability":false,"family_name":"Garnier","ft_id":"1250405C","given_name":"Aïcha","part_time":false,"status":"job_seeker"}}}' ] ||
	fail "the README's example exports as $(cat x.json)"
[ "$(export_sha lead)" = b3f772293051a591f383ad275cd86041324c567e5f47030d805577b017f9ffb1 ] ||
	fail "the README's example digest differs"
# a deleted record leaves its type out when it was the last one
expect_rc 0 on lead rm trainee T000002
on lead export >x.json
[ "$(cat x.json)" = '{"lot":{"LOT-01":{"rate_cents":1410,"sector":"Bâtiment","territory":"44"}}}' ] ||
	fail "after rm, export is $(cat x.json)"

# After importing the sample: valid, canonical, the same with and without --json.
init_lead s
expect_rc 0 on s import "$DATA/sample.jsonl"
on s export --json >s.json
json_ok s.json
canonical s.json
on s export | cmp -s s.json - || fail "export and export --json differ"
grep -q "$LEAD_SIRET\"\\s*:\\s*{" s.json && fail "export holds the roster"
python3 -c '
import json, sys
d = json.load(open(sys.argv[1], encoding="utf-8"))
assert sorted(d) == ["intent", "lot", "path", "session", "trainee"], sorted(d)
assert d["session"]["S000004"]["permanent_entry"] is True
assert d["lot"]["LOT-02"]["rate_cents"] == 1570
assert d["trainee"]["T000008"]["family_name"] == "Rousseau-Lebœuf"
' s.json || fail "export of the sample: unexpected content"
grep -q '\\u' s.json && fail "export escapes non-ASCII as \\u"

# Strings that need escapes are written as JSON.stringify writes them.
expect_rc 0 on s add trainee --ref T000900 "family_name=O'Brien \"dit\" \\ Le Bœuf" \
    "given_name=$(printf 'Tab\there/slash\001\177')"
on s export --json >q.json
canonical q.json
grep -qF '"family_name":"O'"'"'Brien \"dit\" \\ Le Bœuf"' q.json || fail "quote/backslash escapes: $(grep -o '"T000900":{[^}]*}' q.json)"
grep -qF '"given_name":"Tab\there/slash\u0001'"$(printf '\177')"'"' q.json || fail "control character escapes: $(grep -o '"T000900":{[^}]*}' q.json)"
expect_rc 2 on s export --yaml
expect_rc 2 on s export extra
exit 0
