#!/bin/bash
# tests/integration/resume_test.sh: --resume keeps every target exactly once.
#
# 60 targets: 40 silent servers (each probe times out after 1 s) and 20 closed
# ports, scanned 4 at a time so the scan takes several seconds. Run 1 is
# killed with SIGKILL in the middle (no chance to flush or checkpoint at
# the end); run 2 is stopped with SIGINT (graceful: exit 130, in-flight work
# drained); run 3, the same command again, finishes. Afterwards the output
# must hold one valid JSON line per target, no torn line, no duplicate, and
# a fourth run must add nothing. A changed command line must be refused.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

PORT=$((20000 + RANDOM % 12500))
# One process holding 40 silent listeners on 127.32.0.1-40.
timeout 120 python3 - "$PORT" <<'PYEOF' &
import select, socket, sys, time
port = int(sys.argv[1])
ls = []
for i in range(1, 41):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f"127.32.0.{i}", port))
    s.listen(64)
    ls.append(s)
held = []
end = time.time() + 110
while time.time() < end:
    r, _, _ = select.select(ls + held, [], [], 0.2)
    for s in r:
        if s in ls:
            held.append(s.accept()[0])
        elif not s.recv(4096):
            held.remove(s)
            s.close()
PYEOF
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.32.0.40/$PORT") 2>/dev/null && break; sleep 0.1; done

for i in $(seq 1 40); do echo "127.32.0.$i:$PORT label=silent-$i"; done >"$TMP/targets.txt"
for i in $(seq 1 20); do echo "127.33.0.$i:$PORT label=closed-$i"; done >>"$TMP/targets.txt"
CMD=("$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" --resume "$TMP/ckpt"
     -V tls1.2 --timeout 1s --retries 0 --no-shape-retry -c 4 --threads 1 -q)

"${CMD[@]}" &
pid=$!
sleep 2.5
kill -9 "$pid"
wait "$pid" 2>/dev/null
[ -s "$TMP/ckpt" ] || fail "no checkpoint after 2.5 s"
n1=$(wc -l <"$TMP/out.jsonl")
# What run 2 starts from: the lines within the checkpoint's output length
# (anything after it is dropped and probed again).
kept=$(sed -n 's/^output_bytes //p' "$TMP/ckpt")
k1=$(head -c "$kept" "$TMP/out.jsonl" | wc -l)
echo "run 1 (SIGKILL): $n1 lines, $k1 of them in the checkpoint"

"${CMD[@]}" 2>"$TMP/err2.txt" &
pid=$!
sleep 2.5
kill -INT "$pid"
wait "$pid"
rc=$?
cat "$TMP/err2.txt" >&2
[ "$rc" -eq 130 ] || fail "SIGINT run exited $rc, expected 130"
grep -q "resuming" "$TMP/err2.txt" || fail "run 2 did not say it resumed"
n2=$(wc -l <"$TMP/out.jsonl")
echo "run 2 (SIGINT): $n2 lines"
[ "$n2" -gt "$n1" ] || fail "run 2 added nothing"
# SIGINT flushes every record it finished: exactly what it says it did.
done2=$(sed -n 's/.*stopped by SIGINT: \([0-9]*\) targets done.*/\1/p' "$TMP/err2.txt")
[ -n "$done2" ] && [ $((k1 + done2)) -eq "$n2" ] ||
  fail "SIGINT run reported $done2 targets done but wrote $((n2 - k1)) lines"

"${CMD[@]}" 2>"$TMP/err3.txt" || fail "run 3 exited $?: $(cat "$TMP/err3.txt")"

python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "output"
import collections, json, sys
data = open(sys.argv[1], "rb").read()
assert data.endswith(b"\n"), "torn last line"
recs = [json.loads(l) for l in data.decode().splitlines()]
labels = collections.Counter(r["label"] for r in recs)
dups = [l for l, n in labels.items() if n > 1]
assert not dups, f"twice: {dups}"
assert len(recs) == 60, f"{len(recs)} records for 60 targets"
for r in recs:
    if r["label"].startswith("silent"):
        assert r["versions"]["tls1.2"]["verdict"] == "timeout", r
    else:
        assert r["status"] == "unreachable", r
print("60 targets, each exactly once")
PYEOF

before=$(wc -c <"$TMP/out.jsonl")
"${CMD[@]}" 2>/dev/null || fail "run 4 exited $?"
[ "$(wc -c <"$TMP/out.jsonl")" -eq "$before" ] || fail "a finished scan, resumed, wrote again"

"$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" --resume "$TMP/ckpt" -V tls1.3 -q \
  2>"$TMP/err5.txt" && fail "a different command line was allowed to resume"
grep -q "another command line" "$TMP/err5.txt" || fail "no clear message: $(cat "$TMP/err5.txt")"
echo PASS
