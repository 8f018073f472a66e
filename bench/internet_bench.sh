#!/bin/bash
# bench/internet_bench.sh [internet_bench.py options]: tlssweep against an
# internet-like population (bench/population.c) of hosts that answer after an
# RTT, reset, stay silent, drop SYNs or refuse connections. Builds tlssweep
# and the population, then runs bench/internet_bench.py in a network
# namespace of its own (unshare -n), where the population listens on
# 0.0.0.0:443 and every 127.a.b.c reaches it (nftables rules drop or refuse
# some addresses) while nothing outside can. Needs root and nft (nftables).
# Default: 1,000,000 targets and a sweep of -c; try --targets 50000 first.
set -eu
cd "$(dirname "$0")/.."
targets=(//scanner:tlssweep //bench:population)
bazel build "${targets[@]}" >/dev/null 2>&1 || { bazel build "${targets[@]}"; exit 1; }
bin="$(bazel info bazel-bin 2>/dev/null)"
exec unshare -n python3 bench/internet_bench.py --tlssweep "$bin/scanner/tlssweep" \
  --population "$bin/bench/population" "$@"
