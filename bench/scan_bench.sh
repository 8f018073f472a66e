#!/bin/bash
# bench/scan_bench.sh [scan_bench.py options]: the scan engine benchmark.
# Builds tlssweep and the bench responder, then runs bench/scan_bench.py in a
# network namespace of its own (unshare -n), where the responder listens on
# 0.0.0.0 and every 127.a.b.c reaches it while nothing outside can. Needs
# root (for the namespace). Writes its section of bench/RESULTS.md.
set -eu
cd "$(dirname "$0")/.."
bazel build //scanner:tlssweep //bench:responder >/dev/null 2>&1 ||
  { bazel build //scanner:tlssweep //bench:responder; exit 1; }
bin="$(bazel info bazel-bin 2>/dev/null)"
exec unshare -n python3 bench/scan_bench.py --tlssweep "$bin/scanner/tlssweep" \
  --responder "$bin/bench/responder" --write bench/RESULTS.md "$@"
