#!/bin/bash
# bench/scan_bench.sh [scan_bench.py options]: the scan engine benchmark.
# Builds tlssweep, the bench responder and the probe floor, then runs
# bench/scan_bench.py in a network namespace of its own (unshare -n), where
# the responder listens on 0.0.0.0 and every 127.a.b.c reaches it while
# nothing outside can. Needs root (for the namespace). Writes its sections of
# bench/RESULTS.md. Try `--ab-only --floor-ab candidates` for the probe
# floor's A/B of the kernel's options, `--rounds 3` for the spread.
set -eu
cd "$(dirname "$0")/.."
targets=(//scanner:tlssweep //bench:responder //bench:probe_floor)
bazel build "${targets[@]}" >/dev/null 2>&1 || { bazel build "${targets[@]}"; exit 1; }
bin="$(bazel info bazel-bin 2>/dev/null)"
exec unshare -n python3 bench/scan_bench.py --tlssweep "$bin/scanner/tlssweep" \
  --responder "$bin/bench/responder" --probe-floor "$bin/bench/probe_floor" \
  --write bench/RESULTS.md "$@"
