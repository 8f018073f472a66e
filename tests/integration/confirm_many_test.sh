#!/bin/bash
# tests/integration/confirm_many_test.sh: 10,200 confirmations in one run.
# Under --config=asan this is the leak check of the confirmation path
# (LeakSanitizer fails the run at exit if anything leaked); in every build it
# checks that all of them are counted. Four retiring POP3S servers (a
# third of TLS 1.0/1.1 sessions refused) on 127.40.0.1-4, five targets each,
# --repeat 255 on both legacy versions: 20 x 2 x 255 = 10,200 confirmations.
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
RETIRING="$HERE/retiring_server.py"
[ -f "$RETIRING" ] || RETIRING="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/retiring_server.py"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=many.test" >/dev/null 2>&1 || fail "cert"
PORT=$((20000 + RANDOM % 12500))
targets=()
for a in 1 2 3 4; do
  timeout 170 python3 "$RETIRING" pop3s "127.40.0.$a" "$PORT" 0.333 "$TMP/cert.pem" "$TMP/key.pem" 160 &
  PIDS+=($!)
  for i in 1 2 3 4 5; do targets+=("pop3s://127.40.0.$a:$PORT label=s$a-$i"); done
done
for a in 1 2 3 4; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.40.0.$a/$PORT") 2>/dev/null && break; sleep 0.1; done
done
"$TLSSWEEP" scan --repeat 255 -V tls1.0,tls1.1 --timeout 5s --threads 2 -q "${targets[@]}" \
  >"$TMP/out.jsonl" 2>"$TMP/err.txt" </dev/null
rc=$?
[ "$rc" -eq 0 ] || fail "scan exited $rc: $(tail -20 "$TMP/err.txt")"
python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "counts"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == 20, len(recs)
total = 0
for r in recs:
    for v in ("tls1.0", "tls1.1"):
        rep = r["versions"][v]["confirm"]["repeat"]
        assert rep["n"] == 255 and rep["handshake_ok"] == 255, (r["label"], v, rep)
        assert rep["app_ok"] + rep["app_refused"] == 255, rep
        total += rep["n"]
assert total == 10200, total
print("10200 confirmations, all counted")
PYEOF
echo PASS
