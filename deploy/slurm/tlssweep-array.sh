#!/bin/bash
# deploy/slurm/tlssweep-array.sh: a sharded tlssweep scan as a Slurm array
# job. Each array task is one part: Slurm sets SLURM_ARRAY_TASK_ID and
# SLURM_ARRAY_TASK_COUNT, and deploy/run-part.sh turns them into --shard I/N.
# A requeued task (scontrol requeue, a node failure) resumes from its
# checkpoint in $OUT. tests/integration/slurm_test.sh runs this script as it
# is on a real one-node Slurm cluster, requeue included.
#
#   sbatch --array=0-7 deploy/slurm/tlssweep-array.sh
#   # when all are done:
#   cat "$OUT"/part-*.jsonl > all.jsonl
#
#SBATCH --job-name=tlssweep
#SBATCH --cpus-per-task=2
#SBATCH --mem=2G
#SBATCH --time=04:00:00
#SBATCH --requeue
set -eu
export TARGETS="${TARGETS:-$HOME/tlssweep/targets.txt}"
export OUT="${OUT:-$HOME/tlssweep/out}"
export SEED="${SEED:-20261126}"
# sbatch runs a copy of this script; run-part.sh is found from where the job
# was submitted (the top of the tlssweep tree).
TOP="${SLURM_SUBMIT_DIR:-$(cd "$(dirname "$0")/../.." && pwd)}"
exec "${RUN_PART:-$TOP/deploy/run-part.sh}" --rate 2000 -q "$@"
