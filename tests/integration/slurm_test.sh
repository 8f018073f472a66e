#!/bin/bash
# tests/integration/slurm_test.sh: deploy/slurm/tlssweep-array.sh on a real
# Slurm cluster: one node on loopback, Debian's slurm-wlm and munge, every
# file in the test's temp dir.
#
#   munged   its own key, socket, log, pid and seed file
#   slurmctld, slurmd   SlurmUser root; state, spool, logs and pids under the
#            temp dir; the node tlsnode at 127.0.0.1 (slurmd -N tlsnode),
#            ports picked at random; proctrack/linuxproc, task/none, no
#            cgroups, no accounting; 6 CPUs declared (config_overrides), so
#            the 3 tasks of 2 CPUs each that the script asks for run at once
#
# The script is submitted as it is, `sbatch --array=0-2`, with TARGETS, OUT,
# SEED and RUN_PART in the environment sbatch passes on and tlssweep's
# options as the script's arguments. Slurm itself sets SLURM_ARRAY_TASK_ID
# and SLURM_ARRAY_TASK_COUNT (deploy_test only imitates them). Targets: 384
# on 127.63.0.0/16 that each yield a record: 256 silent listeners on
# 127.63.1.0/24 (each probe waits out --timeout 1s, so a part lasts about 20
# seconds at -c 4) and 128 closed ports on 127.63.2.0/25.
#
# While the parts run, task 1 is requeued (`scontrol requeue`) once its
# checkpoint shows some but not all of its targets done: Slurm kills it and
# starts it again (Restarts=1), run-part.sh runs the same command, and
# tlssweep goes on from the checkpoint ("resuming: N targets already done").
# Afterwards the three parts hold every target exactly once, no part holds a
# target twice, and each part holds only its own share. Every daemon is
# stopped by its pid; the test is bounded by timeouts throughout.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
RUN_PART="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
ARRAY="$(cd "$(dirname "$3")" && pwd)/$(basename "$3")"
for tool in munged slurmctld slurmd sbatch scontrol squeue sinfo scancel; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is missing (tools/install-deps.sh)" >&2; exit 1; }
done
TMP="$(mktemp -d)"
chmod 0700 "$TMP"
PIDS=()
cleanup() {
  [ -n "${SLURM_CONF:-}" ] && timeout 10 scancel --quiet --full "${JOB:-0}" 2>/dev/null
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  for p in "${PIDS[@]}"; do
    for _ in $(seq 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
    kill -9 "$p" 2>/dev/null
  done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() {
  echo "FAIL: $*" >&2
  for f in slurmctld.log slurmd.log munge/munged.log; do
    echo "--- $f" >&2; tail -15 "$TMP/$f" >&2 2>/dev/null
  done
  exit 1
}
# wait_for SECONDS CMD...: polls CMD every 0.2 s until it succeeds.
wait_for() {
  local n=$(($1 * 5)); shift
  for _ in $(seq "$n"); do "$@" && return 0; sleep 0.2; done
  return 1
}

# munge, on its own socket with its own key.
mkdir -m 0700 "$TMP/munge"
dd if=/dev/urandom of="$TMP/munge/munge.key" bs=1024 count=1 status=none
chmod 0400 "$TMP/munge/munge.key"
SOCK="$TMP/munge/munge.socket"
munged -F --force --socket="$SOCK" --key-file="$TMP/munge/munge.key" \
  --log-file="$TMP/munge/munged.log" --pid-file="$TMP/munge/munged.pid" \
  --seed-file="$TMP/munge/munged.seed" 2>>"$TMP/munge/munged.err" &
PIDS+=($!)
wait_for 10 test -S "$SOCK" || fail "munged did not start: $(cat "$TMP/munge/munged.err")"

# Slurm: one controller, one node.
CTLD_PORT=$((20000 + RANDOM % 6000))
SLURMD_PORT=$((CTLD_PORT + 1))
mkdir -p "$TMP/state" "$TMP/spool" "$TMP/out"
export SLURM_CONF="$TMP/slurm.conf"
cat >"$SLURM_CONF" <<EOF
ClusterName=tlssweeptest
SlurmctldHost=$(hostname -s)(127.0.0.1)
SlurmctldPort=$CTLD_PORT
SlurmdPort=$SLURMD_PORT
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$SOCK
StateSaveLocation=$TMP/state
SlurmdSpoolDir=$TMP/spool
SlurmctldPidFile=$TMP/slurmctld.pid
SlurmdPidFile=$TMP/slurmd.pid
SlurmctldLogFile=$TMP/slurmctld.log
SlurmdLogFile=$TMP/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/backfill
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
SlurmdParameters=config_overrides
MpiDefault=none
ReturnToService=2
KillWait=5
MinJobAge=300
NodeName=tlsnode NodeAddr=127.0.0.1 NodeHostname=$(hostname -s) CPUs=6 RealMemory=8192 State=UNKNOWN
PartitionName=test Nodes=tlsnode Default=YES MaxTime=INFINITE State=UP
EOF
timeout 300 slurmctld -D -i -f "$SLURM_CONF" >"$TMP/slurmctld.out" 2>&1 &
PIDS+=($!)
timeout 300 slurmd -D -N tlsnode -f "$SLURM_CONF" >"$TMP/slurmd.out" 2>&1 &
PIDS+=($!)
node_idle() { sinfo -h -n tlsnode -o %t 2>/dev/null | grep -qx idle; }
wait_for 30 node_idle || fail "the node is not idle: $(sinfo -h -o '%n %t %E' 2>&1)"
echo "slurm: $(scontrol version) up, node tlsnode idle"

# The targets: 256 silent listeners and 128 closed ports, on 127.63.0.0/16.
PORT=$((26000 + RANDOM % 6000))
timeout 240 python3 - "$PORT" <<'PYEOF' &
import select, socket, sys, time
port = int(sys.argv[1])
ls = []
for i in range(256):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f"127.63.1.{i}", port))
    s.listen(64)
    ls.append(s)
held = []
while True:  # accept and stay silent; connections are dropped when the peer goes
    r, _, _ = select.select(ls, [], [], 1)
    for s in r:
        c, _ = s.accept()
        held.append(c)
    held = held[-2000:]
PYEOF
PIDS+=($!)
wait_for 10 bash -c "exec 3<>/dev/tcp/127.63.1.255/$PORT" 2>/dev/null || fail "the silent listeners"
{ echo "127.63.1.0/24:$PORT"; echo "127.63.2.0/25:$PORT"; } >"$TMP/targets.txt"

export TARGETS="$TMP/targets.txt" OUT="$TMP/out" SEED=63 RUN_PART TLSSWEEP
JOB=$(sbatch --parsable --array=0-2 --output="$TMP/out/slurm-%A_%a.out" --chdir="$TMP" \
  "$ARRAY" -V tls1.2 --timeout 1s --retries 0 --no-shape-retry -c 4) || fail "sbatch"
JOB=${JOB%%;*}
echo "slurm: submitted array job $JOB (tasks 0-2)"
state_of() { scontrol show job "${JOB}_$1" 2>/dev/null | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1; }

# Task 1 midway: some of its targets checkpointed, not all.
midway() {
  [ "$(state_of 1)" = RUNNING ] && [ -s "$OUT/part-1.ckpt" ] &&
    [ "$(wc -l <"$OUT/part-1.jsonl" 2>/dev/null || echo 0)" -ge 20 ]
}
wait_for 60 midway || fail "task 1 never ran midway (state $(state_of 1))"
BEFORE=$(wc -l <"$OUT/part-1.jsonl")
TASK1=$(scontrol show job "${JOB}_1" | sed -n 's/^JobId=\([0-9]*\) .*/\1/p' | head -1)
scontrol requeue "$TASK1" || fail "scontrol requeue $TASK1"
echo "slurm: requeued task 1 (job $TASK1) with $BEFORE records written"
# Slurm holds a requeued job back (Reason=BeginTime, a few minutes); let it
# start at once, as an admin would.
wait_for 30 bash -c "scontrol show job $TASK1 | grep -q 'JobState=PENDING'" ||
  fail "task 1 was not requeued: $(scontrol show job "$TASK1" | head -5)"
scontrol update jobid="$TASK1" StartTime=now || fail "scontrol update StartTime=now"
finished() {
  [ -z "$(squeue -h -j "$JOB" -o %i 2>/dev/null)" ]
}
wait_for 180 finished || fail "the array did not finish: $(squeue -h -j "$JOB" -o '%i %T %r')"
for i in 0 1 2; do
  st=$(scontrol show job "${JOB}_$i" | sed -n 's/.*JobState=\([A-Z_]*\).*/\1/p' | head -1)
  [ "$st" = COMPLETED ] || { cat "$OUT/slurm-${JOB}_$i.out" >&2; fail "task $i ended $st"; }
done
scontrol show job "$TASK1" | grep -q 'Restarts=1' || fail "task 1 was not restarted once"
grep -q '^tlssweep: resuming: [1-9][0-9]* targets already done' "$OUT/slurm-${JOB}_1.out" ||
  { cat "$OUT/slurm-${JOB}_1.out" >&2; fail "task 1 did not resume from its checkpoint"; }
echo "slurm: task 1 $(grep -o 'resuming: .*' "$OUT/slurm-${JOB}_1.out")"

python3 - "$OUT" "$PORT" <<'PYEOF' || fail "the parts"
import collections, ipaddress, json, sys
out, port = sys.argv[1], int(sys.argv[2])
want = {f"127.63.1.{i}" for i in range(256)} | {f"127.63.2.{i}" for i in range(128)}
parts = {}
for i in range(3):
    recs = [json.loads(l) for l in open(f"{out}/part-{i}.jsonl")]
    ips = [r["ip"] for r in recs]
    dup = [ip for ip, n in collections.Counter(ips).items() if n > 1]
    assert not dup, f"part {i} holds {dup[:5]} twice"
    meta = json.load(open(f"{out}/part-{i}.meta.json"))
    assert "--shard" in meta["command"] and f"{i}/3" in meta["command"], meta["command"]
    for r in recs:
        silent = r["ip"].startswith("127.63.1.")
        if silent:
            assert r["versions"]["tls1.2"]["verdict"] == "timeout", r
        else:
            assert r["status"] == "unreachable", r
    parts[i] = set(ips)
    print(f"part {i}: {len(ips)} records")
union = parts[0] | parts[1] | parts[2]
assert union == want, f"missing {sorted(want - union)[:5]}, extra {sorted(union - want)[:5]}"
assert sum(len(p) for p in parts.values()) == len(want), "parts overlap"
print(f"the 3 parts hold all {len(want)} targets exactly once")
PYEOF
echo PASS
