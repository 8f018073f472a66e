#!/bin/bash
# tests/integration/db_resume_test.sh: kill -9 during a scan with --db leaves
# a valid database (PRAGMA integrity_check: ok) whose run is incomplete,
# never shown as complete; --resume takes up the same run and completes it
# with every target exactly once, as in the output.
#
# 60 targets as in resume_test: 40 silent servers (each probe times out after
# 1 s) and 20 closed ports, 4 at a time, so the scan takes several seconds.
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
timeout 120 python3 - "$PORT" <<'PYEOF' &
import select, socket, sys, time
port = int(sys.argv[1])
ls = []
for i in range(1, 41):
    s = socket.socket()
    s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    s.bind((f"127.34.0.{i}", port))
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
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.34.0.40/$PORT") 2>/dev/null && break; sleep 0.1; done

for i in $(seq 1 40); do echo "127.34.0.$i:$PORT label=silent-$i"; done >"$TMP/targets.txt"
for i in $(seq 1 20); do echo "127.35.0.$i:$PORT label=closed-$i"; done >>"$TMP/targets.txt"
DB="$TMP/history.db"
CMD=("$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" --resume "$TMP/ckpt" --db "$DB"
     -V tls1.2 --timeout 1s --retries 0 --no-shape-retry -c 4 --threads 1 -q)

"${CMD[@]}" &
pid=$!
sleep 3
kill -9 "$pid"
wait "$pid" 2>/dev/null
[ -s "$TMP/ckpt" ] || fail "no checkpoint after 3 s"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after kill -9"
state=$(sqlite3 "$DB" 'SELECT group_concat(state) FROM runs')
[ "$state" = running ] || fail "after kill -9 the run is '$state', expected one run left 'running'"
n1=$(sqlite3 "$DB" 'SELECT count(*) FROM observations')
echo "after kill -9: $n1 records in the database, $(wc -l <"$TMP/out.jsonl") lines in the output"
[ "$n1" -gt 0 ] && [ "$n1" -lt 60 ] || fail "$n1 records after kill -9: the scan was not cut in the middle"
# Incomplete is never complete: history says so, diff has nothing to compare.
"$TLSSWEEP" history --db "$DB" | grep -q '"state":"running"' || fail "history does not show the run incomplete"
"$TLSSWEEP" diff --db "$DB" >/dev/null 2>"$TMP/diff.txt"
[ $? -eq 1 ] && grep -q "no complete run" "$TMP/diff.txt" || fail "diff used an incomplete run"

"${CMD[@]}" 2>"$TMP/err2.txt" || fail "resumed run exited $?: $(cat "$TMP/err2.txt")"
grep -q resuming "$TMP/err2.txt" || fail "the second run did not resume"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity after resume"
[ "$(sqlite3 "$DB" 'SELECT count(*) || state FROM runs')" = 1complete ] ||
  fail "runs after resume: $(sqlite3 "$DB" 'SELECT id, identity, state FROM runs')"
[ "$(sqlite3 "$DB" 'SELECT records FROM runs')" = 60 ] || fail "the run's record count"
python3 - "$TMP" <<'PYEOF' || fail "every target once"
import collections, json, sqlite3, sys
d = sys.argv[1]
out = collections.Counter(json.loads(l)["label"] for l in open(f"{d}/out.jsonl"))
db = sqlite3.connect(f"{d}/history.db")
rows = collections.Counter(l for (l,) in db.execute("SELECT label FROM observations"))
assert len(out) == 60 and max(out.values()) == 1, out
assert rows == out, (rows - out, out - rows)
verdicts = dict(db.execute(
    "SELECT o.label, coalesce(v.verdict, o.status) FROM observations o "
    "LEFT JOIN versions v ON v.observation_id = o.id"))
assert all(v == "timeout" for l, v in verdicts.items() if l.startswith("silent")), verdicts
assert all(v == "unreachable" for l, v in verdicts.items() if l.startswith("closed")), verdicts
print("60 targets, each once in the output and in the database")
PYEOF
echo PASS
