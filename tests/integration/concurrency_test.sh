#!/bin/bash
# tests/integration/concurrency_test.sh: the engine sets up at every
# concurrency the command line accepts and the descriptor limit allows.
# The kernel caps a ring's completion queue at 65,536 entries; asking for
# more (as -c 8000 and above once did: four per slot) failed every scan with
# "cannot set up io_uring: Invalid argument". One closed loopback port is
# enough: the record must say unreachable, whatever -c is.
set -u
TLSSWEEP="$1"
fail() { echo "FAIL: $*" >&2; exit 1; }
# Registered files, one per slot, count against RLIMIT_NOFILE.
ulimit -n "$(ulimit -Hn)" 2>/dev/null
limit=$(ulimit -n)
for c in 1 1000 8000 16000; do
  [ "$c" -lt "$limit" ] || continue
  out=$("$TLSSWEEP" scan -q --no-confirm --threads 1 -c "$c" -V tls1.2 127.0.0.1:1 2>&1)
  rc=$?
  [ "$rc" -eq 0 ] || fail "-c $c exited $rc: $out"
  echo "$out" | grep -q '"status":"unreachable"' || fail "-c $c: $out"
  echo "-c $c: ok"
done
echo PASS
