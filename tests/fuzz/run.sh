#!/bin/bash
# tests/fuzz/run.sh [SECONDS]: builds every libFuzzer target (ASan + UBSan)
# and runs each for SECONDS (default 60) from its seed corpus, one line per
# target: "fuzz: NAME ok (N runs)" or "fuzz: NAME FAILED". New inputs go to
# a scratch corpus, not the tree; a crash leaves its input in $FUZZ_OUT
# (default a temp dir) and the script exits 1. A long run: run.sh 3600.
set -u
cd "$(dirname "$0")/../.."
seconds="${1:-60}"
out="${FUZZ_OUT:-$(mktemp -d)}"
fuzzers=$(sed -n 's/^    "\([a-z_0-9]*\)",$/\1/p' tests/fuzz/BUILD.bazel)
targets=""
for f in $fuzzers; do targets="$targets //tests/fuzz:fuzz_$f"; done
# shellcheck disable=SC2086
bazel build --config=fuzz $targets >"$out/build.log" 2>&1
if [ $? -ne 0 ]; then
  grep -v linux-sandbox "$out/build.log" | tail -20
  echo "fuzz: build FAILED"
  exit 1
fi
bin="$(bazel info --config=fuzz bazel-bin 2>/dev/null)"
rc=0
for f in $fuzzers; do
  scratch="$out/$f"
  mkdir -p "$scratch"
  log="$out/$f.log"
  if "$bin/tests/fuzz/fuzz_$f" -max_total_time="$seconds" -max_len=4096 \
      -artifact_prefix="$out/$f-" -print_final_stats=1 \
      "$scratch" "tests/fuzz/corpus/$f" >"$log" 2>&1; then
    runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
    echo "fuzz: $f ok (${runs:-?} runs in ${seconds}s)"
  else
    echo "fuzz: $f FAILED (see $log and $out/$f-*)"
    tail -30 "$log"
    rc=1
  fi
done
exit $rc
