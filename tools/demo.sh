#!/bin/sh
# The demo consortium: a lead creates its node, imports the sample records
# of tests/data, edits one, and proves its store intact.  Everything runs
# in a temporary directory that is removed at the end.
# Usage: tools/demo.sh [CONSORT]
set -eu
consort=$(cd "$(dirname "${1:-./consort}")" && pwd)/$(basename "${1:-./consort}")
data=$(cd "$(dirname "$0")/../tests/data" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consort-demo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
export CONSORT_DIR="$tmp/lead"

step() { printf '\n== %s\n$ consort %s\n' "$1" "$(echo "$2" | sed "s|$data/||g")"; }
run() { step "$1" "$2"; shift 2; "$consort" "$@"; }

run "The lead creates the consortium's node" \
    "init --consortium 'Groupement Loire Formation' ..." \
    init --consortium "Groupement Loire Formation" --member "Forma Nord" \
    --siret 41852736200127 --market "MARCHE-2026-PDL-1E1F" \
    --co "Atelier Compétences:50324917900212" \
    --co "Trajectoires Emploi:79911548000375"
run "Who this node is" "whoami" whoami
run "The roster written in the genesis" "member list" member list
run "Sessions, trainees, intents and paths from a spreadsheet export" \
    "import $data/sample.jsonl" import "$data/sample.jsonl"
run "Importing the same file again appends nothing" \
    "import $data/sample.jsonl" import "$data/sample.jsonl"
run "Trainees from a CSV file" "import --type trainee $data/trainees.csv" \
    import --type trainee "$data/trainees.csv"
run "A bad value is refused with its field" "add trainee --ref T-BAD birth_year=nineteen" \
    add trainee --ref T-BAD birth_year=nineteen || true
run "The lots" "list lot" list lot
ref=$("$consort" list intent | head -n 1 | cut -d' ' -f1)
run "An employer confirms a hiring intention" "set intent $ref status=confirmed" \
    set intent "$ref" status=confirmed
run "The intention now" "show intent $ref" show intent "$ref"
run "The signed log: one change-set per edit or import batch" "log" log
run "Every signature, chain link and the state re-checked" "verify" verify
run "The state hash (equal on every node holding the same change-sets)" \
    "state-hash" state-hash
step "The canonical export (first 300 bytes)" "export --json"
"$consort" export --json | head -c 300
printf '…\n\ndemo: done (node in %s, removed now)\n' "$tmp"
