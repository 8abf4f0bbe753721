#!/usr/bin/env bash
# The fixtures in tests/data keep the shape of /work/shared/data/README.md:
# key order per type, types in order, refs unique and increasing, references
# to earlier lines, Luhn-valid SIRETs (SIREN too for employers), real dates,
# providers among the consortium's members; trainees.csv has a ref column,
# the trainee fields, quoted cells with commas and UTF-8 names.
. "$(dirname "$0")/lib.sh"

python3 - "$DATA/sample.jsonl" "$DATA/trainees.csv" "$LEAD_SIRET" "$CO_SIRET" <<'PY' || fail "tests/data does not keep the dataset's format"
import csv, datetime, json, re, sys
sample, trainees, *members = sys.argv[1:]
ORDER = {
    "lot": ["sector", "territory", "rate_cents"],
    "session": ["provider", "lot", "scheme", "title", "cert_kind", "cert_code", "site",
                "territory", "start", "end", "hours", "capacity", "permanent_entry"],
    "trainee": ["family_name", "given_name", "birth_year", "ft_id", "status", "disability", "part_time"],
    "intent": ["employer", "siret", "employer_kind", "contract", "months", "weekly_hours", "job",
               "date", "evidence", "steps", "status"],
    "path": ["trainee", "session", "intent", "hours", "modules", "financed"],
}
TYPES = list(ORDER)
REFS = {("session", "lot"): "lot", ("path", "trainee"): "trainee",
        ("path", "session"): "session", ("path", "intent"): "intent"}
STEPS = ["info_meeting", "selection", "immersion", "final_review", "interview"]

def luhn(s):
    t = 0
    for i, c in enumerate(reversed(s)):
        d = int(c) * (2 if i % 2 else 1)
        t += d - 9 if d > 9 else d
    return t % 10 == 0

def date(s):
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", s), s
    return datetime.date.fromisoformat(s)

raw = open(sample, "rb").read()
assert raw.endswith(b"\n") and b"\r" not in raw and not raw.startswith(b"\xef\xbb\xbf")
seen = {t: [] for t in TYPES}
last_type = 0
counts = {}
for n, line in enumerate(raw.decode("utf-8").split("\n")[:-1], 1):
    assert line, "blank line %d" % n
    r = json.loads(line)
    keys = list(r)
    t = r["type"]
    assert keys == ["type", "ref"] + ORDER[t], "line %d: keys %s" % (n, keys)
    assert TYPES.index(t) >= last_type, "line %d: types out of order" % n
    last_type = TYPES.index(t)
    assert not seen[t] or seen[t][-1] < r["ref"], "line %d: ref not increasing" % n
    seen[t].append(r["ref"])
    counts[t] = counts.get(t, 0) + 1
    for k, v in r.items():
        assert isinstance(v, (str, int)) and v is not None, (n, k)
        if isinstance(v, str):
            assert v and '"' not in v and "\\" not in v and not any(ord(c) < 32 for c in v), (n, k)
        elif not isinstance(v, bool):
            assert 0 <= v <= 2100, (n, k, v)
        if (t, k) in REFS:
            assert v in seen[REFS[(t, k)]], "line %d: %s %s names no earlier %s" % (n, k, v, REFS[(t, k)])
    if t == "lot":
        assert r["territory"] in ("44", "49", "53", "72", "85") and 1050 <= r["rate_cents"] <= 1650
    elif t == "session":
        assert r["provider"] in members, "line %d: provider is no member" % n
        assert luhn(r["provider"]) and len(r["provider"]) == 14
        s, e = date(r["start"]), date(r["end"])
        assert s.weekday() == 0 and e.weekday() == 4 and e > s, "line %d: start Monday, end Friday" % n
        assert r["scheme"] in ("1e1f", "socle") and r["cert_kind"] in ("full", "block", "rs")
        assert re.fullmatch({"full": r"RNCP\d{5}", "block": r"RNCP\d{5}BC\d{2}", "rs": r"RS\d{4}"}[r["cert_kind"]], r["cert_code"])
        assert r["territory"] in ("44", "49", "53", "72", "85") and r["hours"] % 7 == 0
        assert isinstance(r["permanent_entry"], bool)
    elif t == "trainee":
        assert re.fullmatch(r"\d{7}[A-Z]", r["ft_id"]) and 1964 <= r["birth_year"] <= 2007
        assert r["status"] in ("job_seeker", "siae_employee")
        assert not r["part_time"] or r["disability"], "line %d: part-time without disability (R15)" % n
    elif t == "intent":
        s = r["siret"]
        assert len(s) == 14 and s.isdigit() and luhn(s) and luhn(s[:9]), "line %d: SIRET %s" % (n, s)
        d = date(r["date"])
        assert r["evidence"].endswith(" " + r["date"]) and r["evidence"].split(" ")[0] in ("email", "courrier", "offre")
        st = r["steps"].split(",")
        assert st and st == [x for x in STEPS if x in st], "line %d: steps" % n
        assert r["status"] in ("declared", "confirmed", "withdrawn")
        assert (r["months"] == 0) == (r["contract"] in ("CDI", "CDI_INTERIM")), "line %d: months" % n
    elif t == "path":
        assert isinstance(r["financed"], bool) and re.fullmatch(r"M\d+(,M\d+)*", r["modules"])
assert counts.get("lot", 0) >= 2 and counts.get("session", 0) >= 4, counts
assert all(counts.get(t, 0) >= 6 for t in ("trainee", "intent", "path")), counts
assert any(ord(c) > 127 for c in raw.decode("utf-8")), "no accented letter in the sample"

rows = list(csv.reader(open(trainees, encoding="utf-8", newline="")))
head = rows[0]
assert head[0] == "ref" and set(head[1:]) <= set(ORDER["trainee"]), head
assert len(rows) >= 4 and all(len(r) == len(head) for r in rows)
text = open(trainees, encoding="utf-8").read()
assert re.search(r'"[^"\n]*,[^"\n]*"', text), "no quoted cell with a comma"
assert any(ord(c) > 127 for c in text), "no UTF-8 name"
refs = [r[0] for r in rows[1:]]
assert len(set(refs)) == len(refs) and not set(refs) & set(seen["trainee"]), "CSV refs collide"
PY
exit 0
