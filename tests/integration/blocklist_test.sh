#!/bin/bash
# tests/integration/blocklist_test.sh: a blocked address is never touched.
#
# 4,096 targets (127.36.0.0/20) on one port; listeners on 127.36.0.77
# (blocklisted) and 127.36.0.78 (not) count the connections they accept.
# The blocked one must see none and get a "blocked" record; the other must
# see its five probes; every target gets exactly one record. With an
# allowlist of 127.36.0.78/32 only, everything else is blocked. A bad
# blocklist line stops the scan before it starts, naming the line.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
SERVER_PID=""
cleanup() {
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PORT=$((20000 + RANDOM % 12500))
timeout 90 python3 - "$PORT" "$TMP/counts.json" <<'PYEOF' &
import json, select, signal, socket, sys, time
port, out = int(sys.argv[1]), sys.argv[2]
counts = {"127.36.0.77": 0, "127.36.0.78": 0}
ls = {}
for a in counts:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, port))
    s.listen(64)
    ls[s] = a
def dump(*_):
    json.dump(counts, open(out, "w"))
    sys.exit(0)
signal.signal(signal.SIGTERM, dump)
while True:
    r, _, _ = select.select(list(ls), [], [], 0.2)
    for s in r:
        c, _ = s.accept()
        counts[ls[s]] += 1
        c.close()
PYEOF
SERVER_PID=$!
for _ in $(seq 50); do
  python3 -c "import socket,sys; socket.create_connection(('127.36.0.78', $PORT), 1)" 2>/dev/null && break
  sleep 0.1
done
# The readiness probe above counted once; the check subtracts it.

cat >"$TMP/block.txt" <<EOT
# a comment line, then the address to keep off
127.36.0.77/32
10.99.0.0/16   # unrelated, to make it a list
EOT
# --no-shape-retry: the listener closes at once, which would earn each probe
# a second try with the minimal hello and blur the count.
"$TLSSWEEP" scan --blocklist "$TMP/block.txt" --timeout 1s --retries 0 -c 500 -q --no-shape-retry \
  -o "$TMP/out.jsonl" "127.36.0.0/20:$PORT" </dev/null || fail "scan exited $?"
echo "127.36.0.78/32" >"$TMP/allow.txt"
"$TLSSWEEP" scan --allowlist "$TMP/allow.txt" --timeout 1s --retries 0 -q -V tls1.2 --no-shape-retry \
  -o "$TMP/out2.jsonl" "127.36.0.76:$PORT" "127.36.0.77:$PORT" "127.36.0.78:$PORT" </dev/null ||
  fail "allowlist scan exited $?"
kill "$SERVER_PID"
wait "$SERVER_PID" 2>/dev/null
SERVER_PID=""

echo "127.36.0.1/40" >"$TMP/bad.txt"
"$TLSSWEEP" scan --blocklist "$TMP/bad.txt" -q "127.36.0.1:$PORT" </dev/null >/dev/null 2>"$TMP/err.txt"
[ $? -eq 1 ] || fail "a bad blocklist did not exit 1"
grep -q "bad.txt:1" "$TMP/err.txt" || fail "the bad line is not named: $(cat "$TMP/err.txt")"

python3 - "$TMP" <<'PYEOF' || fail "records"
import json, sys
d = sys.argv[1]
counts = json.load(open(f"{d}/counts.json"))
assert counts["127.36.0.77"] == 0, counts
# readiness + 5 probes + the TLS 1.3 probe again with a key share (the
# listener closed on the empty one) + the allowlist run
assert counts["127.36.0.78"] == 1 + 5 + 1 + 1, counts
recs = [json.loads(l) for l in open(f"{d}/out.jsonl")]
assert len(recs) == 4096, len(recs)
assert len({r["ip"] for r in recs}) == 4096
by = {r["ip"]: r for r in recs}
assert by["127.36.0.77"]["status"] == "blocked" and by["127.36.0.77"]["error"] == "blocklist", by["127.36.0.77"]
assert by["127.36.0.78"]["status"] == "ok", by["127.36.0.78"]
assert sum(r["status"] == "blocked" for r in recs) == 1
r2 = {r["ip"]: r for r in map(json.loads, open(f"{d}/out2.jsonl"))}
assert r2["127.36.0.76"]["status"] == "blocked" and r2["127.36.0.76"]["error"] == "not in allowlist"
assert r2["127.36.0.77"]["status"] == "blocked" and r2["127.36.0.78"]["status"] == "ok", r2
print("blocked address untouched among 4096 targets; allowlist holds")
PYEOF
echo PASS
