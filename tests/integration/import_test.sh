#!/bin/bash
# tests/integration/import_test.sh: `tlssweep import` of real outputs.
#   - the two shards of one scan with --metadata: one run, its kind, start
#     and end from the metadata, every target once; again: nothing added
#   - a file per run without --metadata; again (from standard input):
#     nothing added
#   - lines that are not records (CSV, garbage, a line too long): reported
#     with their line numbers, counted, exit 1; the records around them stored
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
PORT=$((20000 + RANDOM % 12500))
# Closed ports: each target is settled at once.
for i in $(seq 1 40); do echo "127.37.0.$i:$PORT label=t$i"; done >"$TMP/targets.txt"
for part in 0 1; do
  "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/part$part.jsonl" --shard "$part/2" --seed 7 \
    --metadata "$TMP/meta$part.json" -V tls1.2 --timeout 1s --retries 0 -q || fail "shard $part"
done
n0=$(wc -l <"$TMP/part0.jsonl"); n1=$(wc -l <"$TMP/part1.jsonl")
[ $((n0 + n1)) -eq 40 ] && [ "$n0" -gt 0 ] && [ "$n1" -gt 0 ] || fail "shards of $n0 and $n1 records"

DB="$TMP/h.db"
"$TLSSWEEP" import --db "$DB" --metadata "$TMP/meta0.json" "$TMP/part0.jsonl" "$TMP/part1.jsonl" \
  2>"$TMP/err1.txt" || fail "import of the shards: $(cat "$TMP/err1.txt")"
grep -q "run 1: 40 records and 0 tenant summaries stored, 0 already there, 0 bad lines" \
  "$TMP/err1.txt" || fail "shards: $(cat "$TMP/err1.txt")"
"$TLSSWEEP" import --db "$DB" --metadata "$TMP/meta0.json" "$TMP/part0.jsonl" "$TMP/part1.jsonl" \
  2>"$TMP/err2.txt" || fail "second import of the shards"
grep -q "run 1: 0 records and 0 tenant summaries stored, 40 already there" "$TMP/err2.txt" ||
  fail "shards again: $(cat "$TMP/err2.txt")"
python3 - "$TMP" <<'PYEOF' || fail "the shards' run"
import json, sqlite3, sys, calendar, time
d = sys.argv[1]
meta = json.load(open(f"{d}/meta0.json"))
db = sqlite3.connect(f"{d}/h.db")
runs = db.execute("SELECT id, kind, source, state, started_at, records, metadata FROM runs").fetchall()
assert len(runs) == 1, runs
rid, kind, source, state, started, records, m = runs[0]
assert (kind, source, state, records) == ("scan", "import", "complete", 40), runs
assert started == calendar.timegm(time.strptime(meta["start"], "%Y-%m-%dT%H:%M:%SZ")), (started, meta["start"])
assert json.loads(m)["options"]["seed"] == 7
labels = sorted(l for (l,) in db.execute("SELECT label FROM observations"))
assert labels == sorted(f"t{i}" for i in range(1, 41)), labels
print("the shards: one run of 40 targets")
PYEOF

# A run per file; standard input is the same run as the file.
"$TLSSWEEP" import --db "$DB" "$TMP/part0.jsonl" 2>"$TMP/err3.txt" || fail "a file"
grep -q "run 2: $n0 records" "$TMP/err3.txt" || fail "a file: $(cat "$TMP/err3.txt")"
"$TLSSWEEP" import --db "$DB" - <"$TMP/part0.jsonl" 2>"$TMP/err4.txt" || fail "stdin"
grep -q "run 2: 0 records and 0 tenant summaries stored, $n0 already there" "$TMP/err4.txt" ||
  fail "stdin: $(cat "$TMP/err4.txt")"

# Lines that are not records.
{ head -2 "$TMP/part0.jsonl"; echo "target,host,ip,port"; echo "garbage {"
  python3 -c 'print("x" * 1100000)'; tail -1 "$TMP/part1.jsonl"; } >"$TMP/mixed.jsonl"
"$TLSSWEEP" import --db "$TMP/m.db" "$TMP/mixed.jsonl" 2>"$TMP/err7.txt"
[ $? -eq 1 ] || fail "bad lines must exit 1"
cat "$TMP/err7.txt"
grep -q "mixed.jsonl line 3: not a tlssweep JSON record" "$TMP/err7.txt" &&
  grep -q "mixed.jsonl line 4: not a tlssweep JSON record" "$TMP/err7.txt" &&
  grep -q "mixed.jsonl line 5: too long for a record" "$TMP/err7.txt" &&
  grep -q "3 records and 0 tenant summaries stored, 0 already there, 3 bad lines" "$TMP/err7.txt" ||
  fail "bad lines"
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
echo PASS
