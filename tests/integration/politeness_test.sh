#!/bin/bash
# tests/integration/politeness_test.sh: --per-host and --per-network hold.
#
# Silent servers on 127.34.1.1-10 (one /24) and 127.34.2.1 record the most
# connections they ever held at once, per address and per /24, while
# tlssweep probes them with a short timeout and plenty of concurrency. With
# the defaults, one address never sees two connections at once (its five
# version probes come one after another) while the /24 sees many; with
# --per-network 2 the /24 never sees more than two. Then the limits across
# engine threads: four targets on each address, dealt to four threads that
# take two targets at a time, still never put two connections on one
# address, nor, with --per-network 3, more than three on the /24.
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

start_server() {
  timeout 60 python3 - "$PORT" "$1" <<'PYEOF' &
import json, select, signal, socket, sys, time
port, stats = int(sys.argv[1]), sys.argv[2]
addrs = [f"127.34.1.{i}" for i in range(1, 11)] + ["127.34.2.1"]
ls = {}
for a in addrs:
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((a, port))
    s.listen(64)
    ls[s] = a
held = {}
peak_host, peak_net = {}, {}
def dump(*_):
    json.dump({"host": peak_host, "net": peak_net}, open(stats, "w"))
    sys.exit(0)
signal.signal(signal.SIGTERM, dump)
end = time.time() + 55
while time.time() < end:
    r, _, _ = select.select(list(ls) + list(held), [], [], 0.2)
    # Closes before accepts: a client's FIN precedes its next SYN, so a
    # server that looked at accepts first would count one connection twice.
    r.sort(key=lambda s: s in ls)
    for s in r:
        if s in ls:
            c, _ = s.accept()
            held[c] = ls[s]
        elif not s.recv(4096):
            del held[s]
            s.close()
            continue
        now_host, now_net = {}, {}
        for a in held.values():
            now_host[a] = now_host.get(a, 0) + 1
            net = a.rsplit(".", 1)[0]
            now_net[net] = now_net.get(net, 0) + 1
        for k, v in now_host.items():
            peak_host[k] = max(peak_host.get(k, 0), v)
        for k, v in now_net.items():
            peak_net[k] = max(peak_net.get(k, 0), v)
dump()
PYEOF
  SERVER_PID=$!
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.34.2.1/$PORT") 2>/dev/null && break; sleep 0.1; done
}

targets=()
for i in $(seq 1 10); do targets+=("127.34.1.$i:$PORT"); done
targets+=("127.34.2.1:$PORT")

# 1. Defaults: per-host 1, no network limit.
start_server "$TMP/stats1.json"
"$TLSSWEEP" scan --timeout 300ms --retries 0 -c 100 --threads 1 -q "${targets[@]}" \
  >"$TMP/out1.jsonl" </dev/null || fail "scan 1 exited $?"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
# 2. At most two connections in flight to the /24.
start_server "$TMP/stats2.json"
"$TLSSWEEP" scan --timeout 300ms --retries 0 -c 100 --threads 1 -q --per-network 2 \
  "${targets[@]}" >"$TMP/out2.jsonl" </dev/null || fail "scan 2 exited $?"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""
# 3. Four engine threads, four targets per address (labels keep them apart).
many=()
for i in $(seq 1 10); do for k in 1 2 3 4; do many+=("127.34.1.$i:$PORT label=t$i-$k"); done; done
start_server "$TMP/stats3.json"
"$TLSSWEEP" scan --timeout 300ms --retries 0 -c 2 --threads 4 -q -V tls1.2 --per-network 3 \
  "${many[@]}" >"$TMP/out3.jsonl" </dev/null || fail "scan 3 exited $?"
kill "$SERVER_PID"; wait "$SERVER_PID" 2>/dev/null; SERVER_PID=""

python3 - "$TMP" <<'PYEOF' || fail "limits"
import json, sys
d = sys.argv[1]
s1 = json.load(open(f"{d}/stats1.json"))
s2 = json.load(open(f"{d}/stats2.json"))
for run in (s1, s2):
    assert run["host"] and max(run["host"].values()) == 1, run["host"]
assert s1["net"]["127.34.1"] >= 5, s1["net"]    # no network limit: many at once
assert s2["net"]["127.34.1"] <= 2, s2["net"]    # --per-network 2
assert s2["net"]["127.34.1"] == 2, s2["net"]    # and it is used
for out in ("out1", "out2"):
    recs = [json.loads(l) for l in open(f"{d}/{out}.jsonl")]
    assert len(recs) == 11, len(recs)
    assert all(r["versions"]["tls1.2"]["verdict"] == "timeout" for r in recs)
s3 = json.load(open(f"{d}/stats3.json"))
assert s3["host"] and max(s3["host"].values()) == 1, s3["host"]   # across 4 threads
assert s3["net"]["127.34.1"] <= 3, s3["net"]
recs = [json.loads(l) for l in open(f"{d}/out3.jsonl")]
assert len(recs) == 40 and all(r["versions"]["tls1.2"]["verdict"] == "timeout" for r in recs)
print("per-host peak 1; /24 peak", s1["net"]["127.34.1"], "unlimited,", s2["net"]["127.34.1"],
      "with --per-network 2; with 4 threads: host peak 1, /24 peak", s3["net"]["127.34.1"])
PYEOF
echo PASS
