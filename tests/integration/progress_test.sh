#!/bin/bash
# tests/integration/progress_test.sh: the status line's share done and ETA.
#
#   - 40,000 targets in a regular file (closed ports on 127.44.0.0/16, each
#     refused at once), held to 8,000 new connections a second so the scan
#     lasts several status lines: the total is estimated ("/~N") from the
#     share of the file read, then exact, each line with "N%, ETA";
#   - a CIDR block as an argument: the total from its addresses;
#   - the same file through a pipe: no estimate ("(N read)") while it is
#     being read;
#   - `tenants` against a resolver that never answers: the discovery's line,
#     "discovery: DNS lookups D/T, P%", before the sweep.
# The rate limit makes each run last at least a few seconds; no assertion
# is about a time.
set -u
T="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
lines() { tr '\r' '\n' <"$1" | sed 's/\x1b\[K//g' | grep -v '^$'; }

python3 -c "
for i in range(40000):
    print(f'127.44.{i // 250}.{i % 250 + 1}:9')" >"$TMP/targets.txt"
"$T" scan --status -r 8000 -V tls1.2 -i "$TMP/targets.txt" -o /dev/null \
  2>"$TMP/file.err" </dev/null || fail "scan of a file exited $?"
lines "$TMP/file.err" | grep -qE '^[0-9]+/~[0-9]+ targets, [0-9]+%, ETA [0-9hms]+, ' ||
  fail "no estimated total with a share and an ETA: $(lines "$TMP/file.err" | head -5)"
lines "$TMP/file.err" | grep -qE '^[0-9]+/(~)?4[0-9]{4} targets' ||
  fail "the estimate is far from 40000: $(lines "$TMP/file.err" | head -5)"

"$T" scan --status -r 8000 -V tls1.2 127.45.0.0/17 -o /dev/null \
  2>"$TMP/cidr.err" </dev/null || fail "scan of a block exited $?"
lines "$TMP/cidr.err" | grep -qE '^[0-9]+/~?32768 targets, [0-9]+%' ||
  fail "a block's total is not its addresses: $(lines "$TMP/cidr.err" | head -5)"

cat "$TMP/targets.txt" | "$T" scan --status -r 8000 -V tls1.2 -o /dev/null \
  2>"$TMP/pipe.err" || fail "scan of a pipe exited $?"
lines "$TMP/pipe.err" | grep -qE '^[0-9]+ \([0-9]+ read\) targets|^[0-9]+/~?40000 targets' ||
  fail "a pipe's line: $(lines "$TMP/pipe.err" | head -5)"

# A resolver that reads queries and never answers.
DNS_PORT=$((20000 + RANDOM % 12500))
timeout 30 python3 -c "
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(('127.0.0.1', int(sys.argv[1])))
open(sys.argv[2], 'w').close()
while True:
    s.recvfrom(2048)" "$DNS_PORT" "$TMP/dns.ready" &
PIDS+=($!)
for _ in $(seq 50); do [ -e "$TMP/dns.ready" ] && break; sleep 0.1; done
[ -e "$TMP/dns.ready" ] || fail "the silent resolver did not start"
for i in $(seq 20); do echo "d$i.test"; done >"$TMP/domains.txt"
"$T" tenants --status --resolver "127.0.0.1:$DNS_PORT" --timeout 1s -i "$TMP/domains.txt" \
  -o /dev/null 2>"$TMP/tenants.err" </dev/null || fail "tenants exited $?"
lines "$TMP/tenants.err" | grep -qE '^discovery: DNS lookups [0-9]+/[0-9]+, [0-9]+%' ||
  fail "no discovery progress: $(lines "$TMP/tenants.err" | head -5)"
echo PASS
