#!/bin/bash
# tests/integration/history_test.sh: three scans with --db of a small fleet
# whose servers change between runs, then exactly the expected history and
# diffs, from the database and from the JSON Lines files, and an import
# that adds nothing the second time.
#
#   s1        openssl s_server: TLS 1.0-1.3 in run 1, then TLS 1.2-1.3 (legacy off)
#   s2        openssl s_server: TLS 1.2-1.3 in runs 1 and 2, then TLS 1.0-1.3
#   retiring  tests/integration/retiring_server.py (POP3S): completes every
#             legacy handshake and refuses 20% of them in POP3 in run 1, then 90%
#
# With --repeat 40 the retiring server sees exactly 80 legacy sessions a run
# (40 for TLS 1.0, 40 for TLS 1.1) and refuses floor(80 * P) of them: 16,
# then 72, then 72. Expected:
#   diff 1 -> 2: better only: s1 stopped accepting TLS 1.0 and 1.1; the
#                retiring server's refusal rate up for both (8/40 -> 36/40:
#                the Wilson intervals are far apart), and the run's as a whole
#   diff 2 -> 3 (the default: the last two complete runs): worse: s2 accepts
#                TLS 1.0 and 1.1, and with it the run's refusal rate falls
#                (36 of 40 legacy handshakes refused, then 36 of 80); exit 4
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
RETIRING="$HERE/retiring_server.py"
[ -f "$RETIRING" ] || RETIRING="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/retiring_server.py"
TMP="$(mktemp -d)"
PIDS=()
stop_servers() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; wait "$p" 2>/dev/null; done; PIDS=(); }
cleanup() { stop_servers; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
P=$((20000 + RANDOM % 12500))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=history.test" >/dev/null 2>&1 || fail "cert"

s_server() { # ADDR MIN_PROTOCOL
  timeout 120 openssl s_server -accept "$1:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" -www \
    -quiet -min_protocol "$2" -cipher 'ALL:@SECLEVEL=0' >/dev/null 2>&1 </dev/null &
  PIDS+=($!)
}
start_fleet() { # S1_MIN S2_MIN REFUSED_SHARE
  s_server 127.63.0.1 "$1"
  s_server 127.63.0.2 "$2"
  timeout 120 python3 "$RETIRING" pop3s 127.63.0.3 "$P" "$3" "$TMP/cert.pem" "$TMP/key.pem" 110 &
  PIDS+=($!)
  for a in 1 2 3; do
    for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.63.0.$a/$P") 2>/dev/null && break; sleep 0.1; done
  done
  sleep 0.3
}
cat >"$TMP/targets.txt" <<EOF
127.63.0.1:$P label=s1
127.63.0.2:$P label=s2
pop3s://127.63.0.3:$P label=retiring
EOF
DB="$TMP/history.db"
scan() { # RUN
  "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/run$1.jsonl" --db "$DB" --repeat 40 \
    --timeout 2s --retries 0 --threads 1 -q 2>"$TMP/err$1.txt" || fail "run $1 exited $?: $(cat "$TMP/err$1.txt")"
  stop_servers
}
start_fleet TLSv1 TLSv1.2 0.2; scan 1
start_fleet TLSv1.2 TLSv1.2 0.9; scan 2
start_fleet TLSv1.2 TLSv1 0.9; scan 3
[ "$(sqlite3 "$DB" 'PRAGMA integrity_check')" = ok ] || fail "integrity"
[ "$(sqlite3 "$DB" "SELECT group_concat(state) FROM runs")" = "complete,complete,complete" ] ||
  fail "runs: $(sqlite3 "$DB" 'SELECT * FROM runs')"

"$TLSSWEEP" history --db "$DB" >"$TMP/history.jsonl" || fail "history exited $?"
"$TLSSWEEP" history --db "$DB" --target "pop3s://127.63.0.3:$P" >"$TMP/retiring.jsonl" ||
  fail "history --target exited $?"
"$TLSSWEEP" history --db "$DB" --target 127.63.0.1 >"$TMP/s1.jsonl" || fail "history s1"
"$TLSSWEEP" history --db "$DB" --format text
"$TLSSWEEP" history --db "$DB" --target nowhere.test >/dev/null 2>&1
[ $? -eq 1 ] || fail "an unknown target must exit 1"

"$TLSSWEEP" diff --db "$DB" 1 2 >"$TMP/d12.jsonl"; rc12=$?
"$TLSSWEEP" diff --db "$DB" >"$TMP/d23.jsonl"; rc23=$?
"$TLSSWEEP" diff "$TMP/run1.jsonl" "$TMP/run3.jsonl" >"$TMP/f13.jsonl"; rcf=$?
"$TLSSWEEP" diff --db "$DB" --format text 1 3
[ "$rc12" -eq 0 ] || fail "diff 1 2 exited $rc12 (nothing got worse)"
[ "$rc23" -eq 4 ] || fail "diff (2 3) exited $rc23, expected 4"
[ "$rcf" -eq 4 ] || fail "diff of files exited $rcf, expected 4"

python3 - "$TMP" "$P" <<'PYEOF' || fail "history and diffs"
import json, sys
d, port = sys.argv[1], sys.argv[2]
load = lambda n: [json.loads(l) for l in open(f"{d}/{n}")]
s1, s2, ret = (f"tls://127.63.0.1:{port}", f"tls://127.63.0.2:{port}",
               f"pop3s://127.63.0.3:{port}")

h = load("history.jsonl")
assert [r["run"] for r in h] == [1, 2, 3] and all(r["state"] == "complete" for r in h), h
assert [r["endpoints"] for r in h] == [3, 3, 3], h
assert [r["legacy"] for r in h] == [2, 1, 2], [r["legacy"] for r in h]
# The retiring server's refusals, alone in its series: 16, 72, 72 of 80.
t = load("retiring.jsonl")
ref = [x["refusal"]["tls1.0"]["refused"] + x["refusal"]["tls1.1"]["refused"] for x in t]
n = [x["refusal"]["tls1.0"]["handshakes"] + x["refusal"]["tls1.1"]["handshakes"] for x in t]
assert ref == [16, 72, 72] and n == [80, 80, 80], (ref, n)
assert all(x["accepted"] == ["tls1.0", "tls1.1", "tls1.2", "tls1.3"] for x in t), t
r1 = t[0]["refusal"]["tls1.0"]
assert r1["lo"] < r1["rate"] < r1["hi"] and r1["handshakes"] == 40, r1
a1 = [x["accepted"] for x in load("s1.jsonl")]
assert a1 == [["tls1.0", "tls1.1", "tls1.2", "tls1.3"], ["tls1.2", "tls1.3"],
              ["tls1.2", "tls1.3"]], a1

def changes(name):
    lines = load(name)
    summary = lines[-1]["summary"]
    got = {(c["direction"], c["scope"], c["subject"], c["change"], c.get("version"))
           for c in lines[:-1] if c["direction"] != "changed"}
    return got, summary

got, summary = changes("d12.jsonl")
want = {("better", "endpoint", s1, "stopped_accepting", "tls1.0"),
        ("better", "endpoint", s1, "stopped_accepting", "tls1.1"),
        ("better", "endpoint", ret, "refusal_rate_up", "tls1.0"),
        ("better", "endpoint", ret, "refusal_rate_up", "tls1.1"),
        ("better", "run", "run", "refusal_rate_up", "tls1.0"),
        ("better", "run", "run", "refusal_rate_up", "tls1.1")}
assert got == want, ("1 -> 2", got ^ want)
assert summary["run_a"] == 1 and summary["run_b"] == 2 and summary["worse"] == 0, summary

got, summary = changes("d23.jsonl")
want = {("worse", "endpoint", s2, "accepts", "tls1.0"),
        ("worse", "endpoint", s2, "accepts", "tls1.1"),
        ("worse", "run", "run", "refusal_rate_down", "tls1.0"),
        ("worse", "run", "run", "refusal_rate_down", "tls1.1")}
assert got == want, ("2 -> 3", got ^ want)
assert summary["run_a"] == 2 and summary["run_b"] == 3 and summary["worse"] == 4, summary

got, summary = changes("f13.jsonl")
want = {("worse", "endpoint", s2, "accepts", "tls1.0"),
        ("worse", "endpoint", s2, "accepts", "tls1.1"),
        ("better", "endpoint", s1, "stopped_accepting", "tls1.0"),
        ("better", "endpoint", s1, "stopped_accepting", "tls1.1"),
        ("better", "endpoint", ret, "refusal_rate_up", "tls1.0"),
        ("better", "endpoint", ret, "refusal_rate_up", "tls1.1"),
        ("better", "run", "run", "refusal_rate_up", "tls1.0"),
        ("better", "run", "run", "refusal_rate_up", "tls1.1")}
assert got == want, ("files 1 -> 3", got ^ want)
print("history and diffs as expected")
PYEOF

# The report's trends: a row and a bar per run, an interval per run for TLS
# 1.0 and 1.1 (each run confirmed them), no tenant part (a scan has none);
# with results files too, the page keeps its own sections.
"$TLSSWEEP" report --db "$DB" -o "$TMP/trends.html" 2>"$TMP/rep.txt" || fail "report --db: $(cat "$TMP/rep.txt")"
"$TLSSWEEP" report --db "$DB" -o "$TMP/both.html" "$TMP/run3.jsonl" 2>/dev/null || fail "report --db FILE"
python3 - "$TMP" <<'PYEOF' || fail "the report's trends"
import re, sys
d = sys.argv[1]
page = open(f"{d}/trends.html", encoding="utf-8").read()
def chart(name):
    m = re.search(r'data-chart="%s".*?</svg>' % name, page, re.S)
    assert m, name
    return m.group(0)
assert 'id="trends"' in page and 'id="tenant-trends"' not in page
assert 'id="overview"' not in page          # trends alone: no empty sections
rows = re.search(r'<table id="trend-runs">.*?</table>', page, re.S).group(0)
assert rows.count("<tr>") == 4 and rows.count(">complete<") == 3, rows
assert chart("trend-legacy").count('class="bar') == 3
for v in ("trend-tls10", "trend-tls11"):
    assert chart(v).count('class="ebar"') == 3, v
# The retiring server's share rises; the titles say each run's figures.
assert "run 1" in chart("trend-tls10") and "(8 of" in chart("trend-tls10")
both = open(f"{d}/both.html", encoding="utf-8").read()
assert 'id="overview"' in both and 'id="trends"' in both
print("the report draws the trends")
PYEOF

# Import: the three files into a new database, twice; the second adds nothing.
I="$TMP/import.db"
"$TLSSWEEP" import --db "$I" "$TMP"/run{1,2,3}.jsonl 2>"$TMP/imp1.txt" || fail "import: $(cat "$TMP/imp1.txt")"
"$TLSSWEEP" import --db "$I" "$TMP"/run{1,2,3}.jsonl 2>"$TMP/imp2.txt" || fail "import again"
cat "$TMP/imp1.txt" "$TMP/imp2.txt"
[ "$(grep -c ': 3 records and 0 tenant summaries stored, 0 already there' "$TMP/imp1.txt")" -eq 3 ] ||
  fail "first import"
[ "$(grep -c ': 0 records and 0 tenant summaries stored, 3 already there' "$TMP/imp2.txt")" -eq 3 ] ||
  fail "second import added something"
[ "$(sqlite3 "$I" 'SELECT count(*) FROM runs; SELECT count(*) FROM observations; SELECT count(*) FROM versions')" = "$(printf '3\n9\n45')" ] ||
  fail "rows after two imports: $(sqlite3 "$I" 'SELECT count(*) FROM observations')"
# The imported runs give the live runs' diff.
"$TLSSWEEP" diff --db "$I" 1 2 >"$TMP/i12.jsonl"
python3 - "$TMP" <<'PYEOF' || fail "imported diff differs from the live one"
import json, sys
d = sys.argv[1]
key = lambda n: sorted(l for l in open(f"{d}/{n}") if '"summary"' not in l)
assert key("i12.jsonl") == key("d12.jsonl")
PYEOF
echo PASS
