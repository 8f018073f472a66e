#!/bin/bash
# tests/integration/resume_stress_test.sh: kill -9 at random moments, resume,
# and every one of 50,000 targets is in the output exactly once, with the
# verdicts the bench responder's policy says.
#
# Runs in a network namespace of its own (unshare -n: loopback only, where
# the responder on 0.0.0.0 answers every 127.a.b.c). Three runs are killed
# with SIGKILL after a random 1-4 s each; the fourth runs to the end. All
# bounded: the whole test takes well under a minute.
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
RESPONDER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
POLICY="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
if ! unshare -n true 2>/dev/null; then
  echo "FAIL: cannot make a network namespace (unshare -n); run as root" >&2
  exit 1
fi
export TLSSWEEP RESPONDER POLICY TMP
unshare -n bash -c '
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
ip link set lo up
timeout 120 "$RESPONDER" --port 4433 --duration 110 2>/dev/null &
RESP=$!
trap "kill $RESP 2>/dev/null; wait 2>/dev/null" EXIT
python3 - "$TMP/targets.txt" <<PYEOF
import sys
with open(sys.argv[1], "w") as f:
    for i in range(50000):
        n = (1 << 16) + i
        f.write(f"127.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}:4433\n")
PYEOF
sleep 0.3
CMD=("$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" --resume "$TMP/ckpt"
     --timeout 5s --retries 0 -c 1000 --threads 2 -q --no-confirm)
for round in 1 2 3; do
  "${CMD[@]}" &
  pid=$!
  sleep "$(python3 -c "import random; print(round(random.uniform(1, 4), 2))")"
  kill -9 "$pid"
  wait "$pid" 2>/dev/null
  echo "round $round: killed with $(wc -l <"$TMP/out.jsonl") lines written"
done
"${CMD[@]}" || fail "the last run exited $?"
python3 - "$TMP/out.jsonl" "$POLICY" <<PYEOF || fail "output"
import collections, importlib.util, json, sys
spec = importlib.util.spec_from_file_location("policy", sys.argv[2])
policy = importlib.util.module_from_spec(spec)
spec.loader.exec_module(policy)
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "torn last line"
recs = [json.loads(l) for l in data.decode().splitlines()]
seen = collections.Counter(r["ip"] for r in recs)
twice = [ip for ip, n in seen.items() if n > 1]
assert not twice, f"{len(twice)} targets twice, e.g. {twice[:3]}"
assert len(recs) == 50000, f"{len(recs)} records for 50000 targets"
wrong = 0
for r in recs:
    for v in policy.VERSIONS:
        x, e = r["versions"][v], policy.expected(r["ip"], v)
        ok = x["verdict"] == e[0] and (e[0] == "accepted" or x.get("reason") == e[1])
        wrong += not ok
assert wrong == 0, f"{wrong} verdicts differ from the policy"
print("50000 targets exactly once, every verdict as the policy says")
PYEOF
'
rc=$?
[ "$rc" -eq 0 ] && echo PASS
exit "$rc"
