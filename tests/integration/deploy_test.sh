#!/bin/bash
# tests/integration/deploy_test.sh: the deploy/ scripts run a sharded scan
# as Kubernetes and Slurm would. Three parts are run the Slurm way
# (SLURM_ARRAY_TASK_ID / SLURM_ARRAY_TASK_COUNT, through the array script)
# and three the Kubernetes way (JOB_COMPLETION_INDEX, through run-part.sh);
# each way, the concatenated parts hold every target exactly once, and both
# ways agree. The Job manifest's PARTS must equal its completions. Targets
# are closed loopback ports (refused at once: no server needed).
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
RUN_PART="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
ARRAY="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
JOB="$4"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PORT=$((20000 + RANDOM % 12500))
{ echo "127.38.0.0/24:$PORT"; echo "127.38.1.0/26:$PORT"; } >"$TMP/targets.txt"
export TLSSWEEP TARGETS="$TMP/targets.txt" SEED=99
for i in 0 1 2; do
  OUT="$TMP/slurm" SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=3 RUN_PART="$RUN_PART" \
    "$ARRAY" -V tls1.2 --timeout 1s </dev/null || fail "slurm part $i exited $?"
  OUT="$TMP/k8s" JOB_COMPLETION_INDEX=$i PARTS=3 \
    "$RUN_PART" -V tls1.2 --timeout 1s -q </dev/null || fail "k8s part $i exited $?"
done
( unset SEED; OUT="$TMP/x" PART=0 PARTS=2 "$RUN_PART" 2>/dev/null ) && fail "a part ran without SEED"
cat "$TMP"/slurm/part-*.jsonl >"$TMP/slurm.jsonl"
cat "$TMP"/k8s/part-*.jsonl >"$TMP/k8s.jsonl"
python3 - "$TMP" <<'PYEOF' || fail "parts"
import collections, json, os, sys
d = sys.argv[1]
sets = {}
for way in ("slurm", "k8s"):
    ips = [json.loads(l)["ip"] for l in open(f"{d}/{way}.jsonl")]
    c = collections.Counter(ips)
    assert max(c.values()) == 1, f"{way}: a target twice"
    assert len(ips) == 256 + 64, f"{way}: {len(ips)} records"
    for i in range(3):
        assert os.path.exists(f"{d}/{way}/part-{i}.ckpt") and os.path.exists(f"{d}/{way}/part-{i}.meta.json")
    sets[way] = set(ips)
assert sets["slurm"] == sets["k8s"]
print("both ways: 320 targets exactly once over 3 parts")
PYEOF
parts=$(sed -n 's/^ *value: "\([0-9]*\)"$/\1/p' "$JOB" | head -1)
completions=$(sed -n 's/^ *completions: *\([0-9]*\)$/\1/p' "$JOB")
parallelism=$(sed -n 's/^ *parallelism: *\([0-9]*\)$/\1/p' "$JOB")
[ -n "$parts" ] && [ "$parts" = "$completions" ] && [ "$parts" = "$parallelism" ] ||
  fail "the Job's PARTS ($parts) differs from completions ($completions) or parallelism ($parallelism)"
grep -q 'completionMode: Indexed' "$JOB" || fail "the Job is not an Indexed Job"
echo PASS
