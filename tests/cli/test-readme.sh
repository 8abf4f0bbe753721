# The README's walk-through, followed literally: every command of "A lead's
# first steps", "The order request", "The Region's answer" and "Hires after
# the training", in that order, in one shell, with consort on the PATH, a
# fresh HOME and a copy of tests/data as the source tree.  A command followed by a "# exit N: TEXT"
# comment must exit N and print TEXT on stderr (the refusal the README
# shows is the real one); every other command must succeed.  `make ...`
# lines are what put consort on the PATH, which this test does itself.
. "$(dirname "$0")/lib.sh"

readme=$CLI/../../README.md
[ -f "$readme" ] || fail "no README.md at $readme"
mkdir -p "$T/bin" "$T/home" "$T/src/tests"
ln -s "$CONSORT" "$T/bin/consort"
cp -r "$DATA" "$T/src/tests/data"

# The commands of the two sections, one per line, continuations joined, as
# a script that stops at the first step that does not do what it says.
python3 - "$readme" >"$T/steps.sh" <<'PY' || fail "cannot read the README's steps"
import re, shlex, sys
text = open(sys.argv[1], encoding="utf-8").read()
want = ["## A lead's first steps", "## The order request", "## The Region's answer",
        "## Hires after the training"]
steps = []
for title in want:
    at = text.index(title)
    body = text[at + len(title):]
    body = body[:body.index("\n## ")] if "\n## " in body else body
    lines = [l[4:] for l in body.split("\n") if l.startswith("    ")]
    cmd = ""
    for l in lines:
        if cmd.endswith("\\"):
            cmd = cmd[:-1] + " " + l.strip()
            continue
        if cmd:
            steps.append(cmd)
        cmd = l.rstrip()
    if cmd:
        steps.append(cmd)
if len(steps) < 10:
    sys.exit("too few steps found")
out = ["set -u", "cd \"$T/src\""]
i = 0
while i < len(steps):
    s = steps[i]
    i += 1
    if s.startswith("#") or s.startswith("make "):
        continue
    m = re.match(r"#\s*exit (\d+): (.*)$", steps[i]) if i < len(steps) else None
    shown = shlex.quote(s)
    if m:
        i += 1
        out.append("rc=0; { %s\n} 2>\"$T/step.err\" >/dev/null || rc=$?" % s)
        out.append("[ $rc = %s ] || { echo \"README step exits $rc, not %s: \"%s; cat \"$T/step.err\"; exit 1; }"
                   % (m.group(1), m.group(1), shown))
        out.append("grep -qF -- %s \"$T/step.err\" || { echo \"README step says other than the README shows: \"%s; cat \"$T/step.err\"; exit 1; }"
                   % (shlex.quote(m.group(2)), shown))
    else:
        out.append("{ %s\n} >\"$T/step.out\" 2>&1 || { echo \"README step fails: \"%s; tail -n 5 \"$T/step.out\"; exit 1; }"
                   % (s, shown))
print("\n".join(out))
PY
grep -q '^\[ $rc = 3 \]' "$T/steps.sh" || fail "the README shows no refusal to check"
out=$(HOME=$T/home PATH=$T/bin:$PATH T=$T bash "$T/steps.sh" 2>&1) ||
	fail "$out"

# What the steps leave behind is what they say.
[ -d "$T/home/consort/forma-nord/store" ] || fail "init did not create the node under a new parent folder"
for f in request.json request-2.json request.html request.csv state.json lead.pub \
    region.key region.pub refusal.json order.json; do
	[ -s "$T/src/$f" ] || fail "the walk-through leaves no $f"
done
HOME=$T/home PATH=$T/bin:$PATH consort --dir "$T/home/consort/forma-nord" \
    order verify "$T/src/request-2.json" --key "$(cat "$T/src/lead.pub")" >/dev/null ||
	fail "the amended request does not verify"
# the Region's answers are recorded: the first refused, the amendment accepted
HOME=$T/home PATH=$T/bin:$PATH consort --dir "$T/home/consort/forma-nord" \
    order list --lot LOT-01 >"$T/list.out" 2>&1 || fail "order list fails: $(cat "$T/list.out")"
grep -q "n°${NBSP}1 .* ; refusée le .*: Attestation d.embauche manquante pour P000002 ; remplacée par n°${NBSP}2 " "$T/list.out" ||
	fail "the request is not listed refused and amended: $(cat "$T/list.out")"
grep -q "n°${NBSP}2 .* ; acceptée le .*: bon de commande BDC-2026-0042, " "$T/list.out" ||
	fail "the amendment is not listed accepted: $(cat "$T/list.out")"
exit 0
