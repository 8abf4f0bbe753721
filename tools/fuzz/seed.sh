#!/bin/sh
# Writes a seed corpus for the fuzzers: the stored change-sets and records
# of a small node built from tests/data.  Usage: seed.sh CONSORT OUTDIR
set -eu
consort=$1 out=$2
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consort-seed.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
mkdir -p "$out"
"$consort" --dir "$tmp/n" init --consortium Seed --member Lead \
	--siret 41852736200127 --market SEED >/dev/null
for f in tests/data/*.jsonl; do
	[ -f "$f" ] && "$consort" --dir "$tmp/n" import --batch 3 "$f" >/dev/null
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
        open(f"{out}/{table}-{n}", "wb").write(bytes.fromhex(body[i].strip()))
        n += 1
print(f"seed corpus: {n} files in {out}")
PY
