#!/bin/sh
# The demo consortium, in temporary directories removed at the end: the
# lead creates the consortium, invites a co-contractor and a subcontractor
# (DC4), records its sessions; the members work offline; the lead and the
# co-contractor edit the same path concurrently; they sync over TCP on
# loopback; the conflict is listed and resolved; the subcontractor's
# changes travel by bundle; a rule stops the first order request and a
# derogation citing the Region's agreement clears it; the request is
# built, verified, shown as text, CSV and HTML, submitted; the Region
# refuses it, the amendment replaces it and is accepted, and every member
# sees each request's state; French spreadsheets are imported, April's
# register of hours attended counts in the statement, the hires after the
# training make the report; every store is verified and every node ends
# with the same state hash.
# Usage: tools/demo.sh [CONSORT]
set -eu
consort=$(cd "$(dirname "${1:-./consort}")" && pwd)/$(basename "${1:-./consort}")
data=$(cd "$(dirname "$0")/../tests/data" && pwd)
tmp=$(mktemp -d "${TMPDIR:-/tmp}/consort-demo.XXXXXX")
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT

LEAD=41852736200127 CO=50324917900212 SUB=73282932000074
step() { printf '\n== %s\n' "$1"; }
# on NODE ARGS...: show and run a command on one node
on() {
	node=$1; shift
	printf '%s$ consort %s\n' "$node" "$(echo "$*" | sed "s|$tmp/||g; s|$data/||g")"
	"$consort" --dir "$tmp/$node" "$@"
}

step "The lead creates the consortium (genesis: the awarded members)"
on lead init --consortium "Groupement Loire Formation" --member "Forma Nord" \
    --siret $LEAD --market "MARCHE-2026-PDL-1E1F" \
    --co "Atelier Compétences:$CO" --co "Trajectoires Emploi:79911548000375" \
    --no-passphrase
on lead import "$data/sample.jsonl"
on lead import --type trainee "$data/trainees.csv"

step "An employers' sheet as French Excel saves it: Windows-1252, ';', French columns and values, spaced SIRETs, JJ/MM/AAAA"
on lead import --type "Intention d'embauche" "$data/intentions-cp1252.csv"
on lead import --template Stagiaire | head -n 1

step "A bad value is refused with its field, nothing is written"
on lead add trainee --ref T-BAD birth_year=nineteen || true

step "The co-contractor and a subcontractor (DC4) get keys and invites"
pk_co=$(on co keygen --no-passphrase | tail -n 1)
on lead invite --siret $CO --role co --key "$pk_co" --out "$tmp/co.invite"
# the lead tells its key by another channel; join refuses any other lead's
lead_key=$("$consort" --dir "$tmp/lead" whoami --key)
on co join "$tmp/co.invite" --expect-lead "$lead_key"
pk_sub=$(on sub keygen --no-passphrase | tail -n 1)
on lead invite --name "Sous-Traitant Bocage" --siret $SUB --role sub \
    --parent $CO --dc4 DC4-2026-017 --key "$pk_sub" --out "$tmp/sub.invite"
on sub join "$tmp/sub.invite" --expect-lead "$lead_key"
on lead member list

step "The lead serves; the co-contractor syncs over TCP"
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$consort" --dir "$tmp/lead" serve --listen 127.0.0.1:$port 2>"$tmp/serve.log" &
serve_pid=$!
python3 -c "
import socket, time
for _ in range(100):
    try: socket.create_connection(('127.0.0.1', $port), 0.2).close(); break
    except OSError: time.sleep(0.05)"
on co sync 127.0.0.1:$port

step "Offline, the lead and the co-contractor change the same path"
on lead set path P000003 hours=380
on co set path P000003 hours=395
on co add trainee --ref T-CO1 family_name=Guérin given_name=Anaïs \
    birth_year=1994 ft_id=7654322D status=job_seeker disability=false part_time=false
step "A member may not edit another provider's session: refused at once"
on co set session S000001 hours=200 || true

step "They sync: both keep both values, and both list the conflict"
on co sync 127.0.0.1:$port
on lead conflicts || true
id=$("$consort" --dir "$tmp/co" conflicts --json | python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["id"])')
on co resolve "$id" --value 380
on co sync 127.0.0.1:$port
on lead conflicts
on lead show path P000003

step "The subcontractor works offline and sends a bundle by e-mail"
on sub sync 127.0.0.1:$port
on sub add trainee --ref T-SUB1 family_name=Morin given_name=Loïc \
    birth_year=1999 ft_id=7654323E status=job_seeker disability=false part_time=false
on sub bundle export --out "$tmp/sub.bundle"
on lead bundle import "$tmp/sub.bundle"
on lead bundle import "$tmp/sub.bundle"
on co sync 127.0.0.1:$port

step "The lead builds April's order request for LOT-01: a rule stops it"
on lead order build --lot LOT-01 --period 2026-04 --out "$tmp/request.json" || true
step "The session opens with 2 trainees: the Region agreed; the lead records its agreement and the derogation citing it (R05)"
on lead add agreement --ref A-R05-S000002 reference=RPDL-2026-0117 \
    date=2026-03-18 subject=group_size session=S000002
on lead add derogation --ref D-R05-S000002 rule=R05 session=S000002 \
    agreement=A-R05-S000002 \
    reason="Équilibre financier de l'organisme: ouverture validée par la Région" \
    date=2026-03-20
on lead order build --lot LOT-01 --period 2026-04 --date 2026-03-25 --out "$tmp/request.json"
step "Anyone with the lead's public key verifies it, without a store"
"$consort" order verify "$tmp/request.json" --key "$("$consort" --dir "$tmp/lead" whoami --json |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["key"])')"
on lead order show "$tmp/request.json"
on lead order show "$tmp/request.json" --csv
on lead order show "$tmp/request.json" --html >"$tmp/request.html"
printf 'HTML page: %s bytes, self-contained (%s external references)\n' \
    "$(wc -c <"$tmp/request.html")" "$(grep -ciE '(src|href)=\"?https?:' "$tmp/request.html" || true)"
on lead order submit "$tmp/request.json"
step "April's register of hours attended; the statement counts them, planned hours elsewhere, no public holiday"
on lead import --type attendance "$data/register-04.csv"
on lead statement --lot LOT-01 --month 2026-04

step "The Region's officer answers with its own key (no node): refused, then the amendment accepted"
"$consort" order keygen --out "$tmp/region.key" --no-passphrase >"$tmp/region.pub"
"$consort" order decide "$tmp/request.json" --refuse --reason "Pièce manquante: attestation DC4" \
    --key-file "$tmp/region.key" --date 2026-03-27 --out "$tmp/refusal.json"
on lead order region-key "$(tail -n 1 "$tmp/region.pub")"
on lead order receive "$tmp/refusal.json"
on lead set path P000003 hours=360
on lead order build --lot LOT-01 --period 2026-04 --date 2026-03-30 --out "$tmp/request-2.json"
"$consort" order verify "$tmp/request-2.json" "$tmp/request.json"
on lead order submit "$tmp/request-2.json"
"$consort" order decide "$tmp/request-2.json" --accept --number BDC-2026-0042 \
    --key-file "$tmp/region.key" --date 2026-04-01 --out "$tmp/order.json"
on lead order receive "$tmp/order.json"
on lead order list --lot LOT-01

step "After the training: who was hired, on which contract; the report for the Region"
on lead set trainee T000001 exit=completed exit_date=2026-04-10
on lead set intent I000001 outcome=hired hired_date=2026-04-20 hired_contract=CDI \
    hired_weekly_hours=35
on lead set intent I000002 outcome=not_hired \
    not_hired_reason="Poste supprimé avant la fin de la formation"
on lead report --lot LOT-01
on lead report --lot LOT-01 --html >"$tmp/report.html"
printf 'HTML report: %s bytes, its chart inline (%s svg)\n' \
    "$(wc -c <"$tmp/report.html")" "$(grep -c '<svg' "$tmp/report.html")"
on co sync 127.0.0.1:$port
on sub sync 127.0.0.1:$port

step "Every store is intact and every node holds the same state"
kill "$serve_pid"; wait "$serve_pid" 2>/dev/null || true; serve_pid=
sed 's/^/  serve: /' "$tmp/serve.log"
on lead verify
for n in lead co sub; do printf '%-4s %s\n' $n "$("$consort" --dir "$tmp/$n" state-hash)"; done
on lead status

step "The request the Region receives, checked with the lead's public key only"
"$consort" order verify "$tmp/request.json"
printf '\ndemo: done (nodes in %s, removed now)\n' "$tmp"
