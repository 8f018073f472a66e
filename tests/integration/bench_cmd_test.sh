#!/bin/bash
# tests/integration/bench_cmd_test.sh: `tlssweep bench` against openssl
# s_server on loopback: a fixed number of full handshakes at TLS 1.2, 1.0
# and 1.3 all complete without errors and are counted exactly; the JSON has
# the fields the issue names; --resume-sessions resumes (s_server keeps a
# session cache); a closed port ends the bench with a connect error and exit
# status 2; a bad --cipher is refused before anything runs.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=bench.test" >/dev/null 2>&1 || fail cert
P=$((20000 + RANDOM % 30000))
timeout 90 openssl s_server -accept "127.43.0.1:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1 -cipher 'ALL:@SECLEVEL=0' >/dev/null 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.43.0.1/$P") 2>/dev/null && break; sleep 0.1; done
for v in tls1.2 tls1.0 tls1.3; do
  "$TLSSWEEP" bench "127.43.0.1:$P" --version "$v" --handshakes 150 -c 4 --json \
    >"$TMP/$v.json" </dev/null || fail "bench $v exited $?"
done
"$TLSSWEEP" bench "127.43.0.1:$P" --version tls1.2 --handshakes 100 -c 2 --resume-sessions --json \
  >"$TMP/resume.json" </dev/null || fail "resume bench exited $?"
"$TLSSWEEP" bench "127.43.0.2:$P" --handshakes 10 --json >"$TMP/closed.json" </dev/null
rc=$?
[ "$rc" -eq 2 ] || fail "a bench against a closed port exited $rc, expected 2"
"$TLSSWEEP" bench "127.43.0.1:$P" --cipher NOT-A-CIPHER >/dev/null 2>&1 </dev/null && fail "bad --cipher accepted"
python3 - "$TMP" <<'PYEOF' || fail "results"
import json, sys
d = sys.argv[1]
for v in ("tls1.2", "tls1.0", "tls1.3"):
    r = json.load(open(f"{d}/{v}.json"))
    assert r["version"] == v and r["handshakes"] == 150, r
    assert sum(r["errors"].values()) == 0, r
    assert r["handshakes_per_sec"] > 0 and r["client_cpu_s"] > 0, r
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] and lat["max"] > 0, lat
r = json.load(open(f"{d}/resume.json"))
assert r["handshakes"] == 100 and r["resumed"] >= 90, r
c = json.load(open(f"{d}/closed.json"))
assert c["handshakes"] == 0 and c["errors"]["connect"] >= 1, c
print("bench counts exact, sessions resumed, failures reported")
PYEOF
echo PASS
