#!/bin/bash
# tests/integration/scan_nginx_test.sh: tlssweep scan against a real nginx
# (Debian's, OpenSSL 3) serving HTTPS with six different ssl_protocols sets,
# one per loopback address, started here from a config in a temp dir. The
# accepted versions of every endpoint must be exactly its configured set, and
# every other version must be rejected (an alert or version_mismatch), with
# exactly one valid JSON record per target.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
NGINX_PID=""
cleanup() {
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$TMP/error.log" >&2 2>/dev/null; exit 1; }
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
[ -x "$NGINX" ] || fail "nginx not installed (tools/install-deps.sh)"

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=nginx.scan.test" >/dev/null 2>&1 || fail "cannot make a certificate"
PORT=$((20000 + RANDOM % 12500))
# label address protocols (OpenSSL 3 needs SECLEVEL=0 for TLS 1.0/1.1)
ENDPOINTS="
v10 127.11.0.1 TLSv1
v10-11 127.11.0.2 TLSv1 TLSv1.1
v12 127.11.0.3 TLSv1.2
v12-13 127.11.0.4 TLSv1.2 TLSv1.3
v13 127.11.0.5 TLSv1.3
v10-13 127.11.0.6 TLSv1 TLSv1.1 TLSv1.2 TLSv1.3
"
{
  echo "daemon off; master_process off; pid $TMP/nginx.pid; error_log $TMP/error.log;"
  echo "events { worker_connections 256; }"
  echo "http { access_log off; client_body_temp_path $TMP; proxy_temp_path $TMP;"
  echo "  fastcgi_temp_path $TMP; uwsgi_temp_path $TMP; scgi_temp_path $TMP;"
  echo "  ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem;"
  echo "  ssl_ciphers ALL:@SECLEVEL=0;"
  while read -r label addr protos; do
    [ -z "$label" ] && continue
    echo "  server { listen $addr:$PORT ssl; ssl_protocols $protos; return 200 '$label'; }"
  done <<<"$ENDPOINTS"
  echo "}"
} >"$TMP/nginx.conf"
timeout 120 "$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/error.log" &
NGINX_PID=$!
for _ in $(seq 50); do
  (exec 3<>"/dev/tcp/127.11.0.6/$PORT") 2>/dev/null && break
  sleep 0.1
done

targets=()
while read -r label addr protos; do
  [ -z "$label" ] && continue
  targets+=("https://$addr:$PORT label=$label")
done <<<"$ENDPOINTS"
"$TLSSWEEP" scan --timeout 3s --retries 0 -q "${targets[@]}" >"$TMP/out.jsonl" </dev/null ||
  fail "scan exited $?"

python3 - "$TMP/out.jsonl" "$ENDPOINTS" <<'PYEOF' || fail "records"
import json, sys
names = {"TLSv1": "tls1.0", "TLSv1.1": "tls1.1", "TLSv1.2": "tls1.2", "TLSv1.3": "tls1.3"}
want = {}
for line in sys.argv[2].strip().splitlines():
    label, _addr, *protos = line.split()
    want[label] = sorted(names[p] for p in protos)
recs = [json.loads(l) for l in open(sys.argv[1])]
assert len(recs) == len(want), f"{len(recs)} records for {len(want)} targets"
for r in recs:
    label = r["label"]
    assert r["status"] == "ok", r
    acc = sorted(v for v, x in r["versions"].items() if x["verdict"] == "accepted")
    assert acc == want[label], f"{label}: accepted {acc}, configured {want[label]}"
    for v, x in r["versions"].items():
        if v not in want[label]:
            assert x["verdict"] == "rejected" and x["reason"] in ("alert", "version_mismatch"), (label, v, x)
    print(f"{label}: {acc}")
PYEOF
echo PASS
