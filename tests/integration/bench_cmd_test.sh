#!/bin/bash
# tests/integration/bench_cmd_test.sh: `tlssweep bench` against openssl
# s_server on loopback: a fixed number of full handshakes at TLS 1.2, 1.0
# and 1.3 all complete without errors and are counted exactly; the JSON has
# the fields the issue names; without --resume-sessions not one handshake
# resumes (s_server keeps a session cache, and a reused SSL object would
# offer its last session); --resume-sessions resumes; connections end with a
# reset, so no TIME_WAIT socket is left on either side; a closed port ends the bench with a connect error and exit
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
P=$((20000 + RANDOM % 12500))
timeout 90 openssl s_server -accept "127.43.0.1:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1 -cipher 'ALL:@SECLEVEL=0' >/dev/null 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.43.0.1/$P") 2>/dev/null && break; sleep 0.1; done
for v in tls1.2 tls1.0 tls1.3; do
  "$TLSSWEEP" bench "127.43.0.1:$P" --version "$v" --handshakes 150 -c 4 --json \
    >"$TMP/$v.json" </dev/null || fail "bench $v exited $?"
done
# TIME_WAIT: s_server writes after the handshake, so any close there turns
# into a reset by itself; nginx stays quiet until the client goes, which is
# where a FIN-closing client keeps a TIME_WAIT socket per handshake.
Q=$((P + 1))
mkdir -p "$TMP/nginx"
cat >"$TMP/nginx/nginx.conf" <<EOF
daemon off; master_process off; worker_processes 1; pid $TMP/nginx/nginx.pid;
error_log $TMP/nginx/error.log; events { worker_connections 256; }
http { access_log off; client_body_temp_path $TMP/nginx; proxy_temp_path $TMP/nginx;
  fastcgi_temp_path $TMP/nginx; uwsgi_temp_path $TMP/nginx; scgi_temp_path $TMP/nginx;
  server { listen 127.43.0.3:$Q ssl; ssl_certificate $TMP/cert.pem;
    ssl_certificate_key $TMP/key.pem; ssl_session_tickets off; return 200 'bench'; } }
EOF
timeout 60 nginx -c "$TMP/nginx/nginx.conf" -p "$TMP/nginx" >/dev/null 2>&1 &
PIDS+=($!)
# (Ready when listening: a test connection would leave a TIME_WAIT of its own.)
for _ in $(seq 50); do ss -Hltn "sport = :$Q" | grep -q . && break; sleep 0.1; done
"$TLSSWEEP" bench "127.43.0.3:$Q" --handshakes 200 -c 4 --json >"$TMP/quiet.json" </dev/null ||
  fail "bench against the quiet server exited $?"
sleep 0.5
# Only sockets of this server's address and port: other tests running beside
# this one leave TIME_WAIT sockets whose ephemeral port may equal $Q.
ss -Htan state time-wait "( src 127.43.0.3:$Q or dst 127.43.0.3:$Q )" >"$TMP/tw"
tw=$(wc -l <"$TMP/tw")
[ "$tw" -eq 0 ] || fail "$tw TIME_WAIT sockets left after 200 handshakes: $(cat "$TMP/tw")"
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
    assert r["resumed"] == 0 and r["close"] == "reset", r
    assert r["handshakes_per_sec"] > 0 and r["client_cpu_s"] > 0, r
    lat = r["latency_ms"]
    assert 0 < lat["p50"] <= lat["p90"] <= lat["p99"] and lat["max"] > 0, lat
r = json.load(open(f"{d}/resume.json"))
assert r["handshakes"] == 100 and r["resumed"] >= 90, r
c = json.load(open(f"{d}/closed.json"))
assert c["handshakes"] == 0 and c["errors"]["connect"] >= 1, c
print("bench counts exact, full handshakes unless asked, sessions resumed, failures reported")
PYEOF
echo PASS
