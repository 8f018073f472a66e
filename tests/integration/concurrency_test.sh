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
# Slots and target states cost memory as they are first used: a scan of one
# closed port at a large -c may take more than at -c 1 only by what the
# kernel maps whole (the ring's queues, about 5 MiB at the largest), not by
# its 32,016 target states of 680 bytes (21 MiB, all touched at start once).
peak_kib() {
  python3 -c 'import resource, subprocess, sys
subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)
print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)' \
    "$TLSSWEEP" scan -q --no-confirm --threads 1 -c "$1" -V tls1.2 127.0.0.1:1
}
# The figure is jemalloc's (release builds): the sanitizer's malloc clears
# what calloc returns, touching it all, so there it would measure ASan.
if [ 16000 -lt "$limit" ] && [ "${TLSSWEEP_SANITIZED:-0}" != 1 ]; then
  small=$(peak_kib 1) || fail "the scan at -c 1 failed"
  big=$(peak_kib 16000) || fail "the scan at -c 16000 failed"
  echo "peak RSS of one closed port: -c 1 $small KiB, -c 16000 $big KiB"
  [ $((big - small)) -lt 12288 ] ||
    fail "-c 16000 costs $((big - small)) KiB more than -c 1 for one target"
fi
echo PASS
