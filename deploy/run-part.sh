#!/bin/sh
# deploy/run-part.sh: runs one part of a sharded scan, under Kubernetes (an
# Indexed Job: JOB_COMPLETION_INDEX) or Slurm (an array job:
# SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT), or by hand (PART=i PARTS=n).
#
#   TARGETS=/data/targets.txt OUT=/data/out PARTS=8 SEED=20261126 run-part.sh [tlssweep options]
#
# Every part reads the same TARGETS with the same SEED and PARTS and scans
# only its own share (tlssweep --shard I/N): the parts are disjoint and
# together cover every target, with no coordinator. Each writes
# OUT/part-I.jsonl, a checkpoint OUT/part-I.ckpt (a part that is restarted,
# as Kubernetes and Slurm do after a failure, goes on where it stopped) and
# OUT/part-I.meta.json. The result is the concatenation of the parts:
#   cat OUT/part-*.jsonl > all.jsonl
set -eu
: "${TARGETS:?set TARGETS to the target file every part reads}"
: "${OUT:?set OUT to a directory shared by the parts}"
: "${SEED:?set SEED: every part must use the same one}"
PART="${PART:-${JOB_COMPLETION_INDEX:-${SLURM_ARRAY_TASK_ID:-}}}"
PARTS="${PARTS:-${SLURM_ARRAY_TASK_COUNT:-}}"
: "${PART:?no part index: set PART, or run as a Kubernetes Indexed Job or a Slurm array}"
: "${PARTS:?set PARTS (the number of parts)}"
TLSSWEEP="${TLSSWEEP:-tlssweep}"
mkdir -p "$OUT"
exec "$TLSSWEEP" scan -i "$TARGETS" --shard "$PART/$PARTS" --seed "$SEED" \
  -o "$OUT/part-$PART.jsonl" --resume "$OUT/part-$PART.ckpt" \
  --metadata "$OUT/part-$PART.meta.json" "$@"
