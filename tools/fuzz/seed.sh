#!/bin/sh
# Writes the seed corpora of the fuzzers, from a small node built from
# tests/data: OUTDIR/common holds its stored change-sets and records (for
# the change-set, record, frame, handshake and bundle harnesses), and
# OUTDIR/fuzz_NAME the seeds of one harness: signed order requests
# (fuzz_order, fuzz_order_verify; the Region's decisions and the requests
# of tests/data/keychain too for the latter), JSON Lines records
# (fuzz_import_jsonl), CSV header and row pairs (fuzz_import_csv),
# workbooks: the fixtures and the templates (fuzz_import_xlsx).
# Usage: seed.sh CONSORT OUTDIR
set -eu
consort=$1 out=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consort-seed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out/common" "$out/fuzz_order" "$out/fuzz_order_verify" \
	"$out/fuzz_import_jsonl" "$out/fuzz_import_csv" "$out/fuzz_import_xlsx"
# workbooks: the first byte is the type's index (fuzz_import_xlsx.c)
{ printf '\001'; cat tests/data/sessions-libreoffice.xlsx; } \
	>"$out/fuzz_import_xlsx/sessions-libreoffice"
for i in 0 1 2 3 4 5; do
	type=$(echo lot session trainee intent path derogation | cut -d' ' -f$((i + 1)))
	"$consort" import --template "$type" --xlsx --out "$tmp/template.xlsx"
	{ printf "\\$(printf '%03o' "$i")"; cat "$tmp/template.xlsx"; } \
		>"$out/fuzz_import_xlsx/template-$type"
done
"$consort" --dir "$tmp/n" init --consortium Seed --member Lead \
	--siret 41852736200127 --market SEED --co "Atelier:50324917900212" \
	--no-passphrase >/dev/null
for f in tests/data/*.jsonl; do
	[ -f "$f" ] && "$consort" --dir "$tmp/n" import --batch 3 "$f" >/dev/null
done
# order requests, each with a derogation citing the Region's agreement
"$consort" --dir "$tmp/n" add agreement --ref A1 reference="Accord R05" \
	date=2026-03-19 subject=group_size session=S000002 >/dev/null
"$consort" --dir "$tmp/n" add derogation --ref D1 rule=R05 session=S000002 \
	reason="Équilibre financier" date=2026-03-20 agreement=A1 >/dev/null
"$consort" --dir "$tmp/n" order build --lot LOT-01 --period 2026-04 \
	--out "$out/fuzz_order/request-1" >/dev/null
"$consort" --dir "$tmp/n" add agreement --ref A2 reference="Accord R05 bis" \
	date=2026-02-19 subject=group_size session=S000001 >/dev/null
"$consort" --dir "$tmp/n" add derogation --ref D2 rule=R05 session=S000001 \
	reason="Entrée permanente" date=2026-02-20 agreement=A2 >/dev/null
"$consort" --dir "$tmp/n" order build --lot LOT-01 --period 2026-03 \
	--out "$out/fuzz_order/request-2" >/dev/null
# the Region's decisions on them, which order verify reads too
"$consort" order keygen --out "$tmp/region.key" --no-passphrase >/dev/null
"$consort" order decide "$out/fuzz_order/request-1" --accept --number BDC-1 \
	--key-file "$tmp/region.key" --date 2026-04-20 >"$tmp/decision-1"
"$consort" order decide "$out/fuzz_order/request-2" --refuse \
	--reason "Pièces manquantes" --key-file "$tmp/region.key" \
	--date 2026-04-21 >"$tmp/decision-2"
for f in "$out"/fuzz_order/request-* "$tmp"/decision-*; do
	# order verify: without --key (first byte even), with the file's key (odd)
	{ printf '\000'; cat "$f"; } >"$out/fuzz_order_verify/nokey-$(basename "$f")"
	python3 - "$f" "$out/fuzz_order_verify/key-$(basename "$f")" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
key = bytes.fromhex(json.loads(raw)["signature"]["key"])
open(sys.argv[2], "wb").write(b"\x01" + key + raw)
PY
done
# requests carrying key chains (schema/keys.md), checked from the lead's key
for f in tests/data/keychain/*.json; do
	python3 - "$f" "$out/fuzz_order_verify/chain-$(basename "$f" .json)" <<'PY'
import json, sys
raw = open(sys.argv[1], "rb").read()
key = bytes.fromhex(json.loads(raw)["request"]["lead"]["key"])
open(sys.argv[2], "wb").write(b"\x01" + key + raw)
PY
done
python3 - "$tmp/n/store" "$out" <<'PY'
import subprocess, sys
env, out = sys.argv[1:]
n = 0
for table in ("changes", "entities"):
    dump = subprocess.run(["mdb_dump", "-s", table, env], capture_output=True,
                          text=True, check=True).stdout.splitlines()
    body = dump[dump.index("HEADER=END") + 1:]
    for i in range(1, len(body), 2):
        if body[i].startswith("DATA=END"):
            break
        open(f"{out}/common/{table}-{n}", "wb").write(bytes.fromhex(body[i].strip()))
        n += 1
# one JSON Lines record per seed
k = 0
import glob
for f in sorted(glob.glob("tests/data/*.jsonl")):
    for line in open(f, "rb"):
        line = line.rstrip(b"\n")
        if line:
            open(f"{out}/fuzz_import_jsonl/line-{k}", "wb").write(line)
            k += 1
# CSV: the type's index, the header row, one row
types = ["lot", "session", "trainee", "intent", "path", "derogation"]
c = 0
for f, t in (("tests/data/trainees.csv", "trainee"),
             ("tests/data/intentions-cp1252.csv", "intent")):
    rows = open(f, "rb").read().split(b"\n")
    for row in rows[1:]:
        if row:
            open(f"{out}/fuzz_import_csv/row-{c}", "wb").write(
                bytes([types.index(t)]) + rows[0] + b"\n" + row)
            c += 1
print(f"seed corpus: {n} stored values, 4 requests, {k} JSON lines, {c} CSV rows in {out}")
PY
