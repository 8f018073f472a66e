#!/bin/bash
# tests/integration/enumerate_test.sh: tlssweep --ciphers against real
# servers configured with known suite sets, in a network namespace of its own
# (gnutls-serv listens on every interface; unshare -n leaves it loopback):
#   legacy   openssl s_server, TLS 1.0, 1.2 and 1.3 (not 1.1), @SECLEVEL=0
#            suites: RSA key exchange, NULL, anonymous DH, Camellia, DHE,
#            ECDHE; two TLS 1.3 suites (-ciphersuites); client order
#   order    nginx, an explicit list and ssl_prefer_server_ciphers on
#   ecdsa    openssl s_server with a P-256 certificate only (an RSA suite in
#            its list it cannot use)
#   gnutls   gnutls-serv with a priority string of 3DES, RC4, CBC and GCM
#            suites, TLS 1.0 and 1.2, the server's order
#   boring   tests/servers/boringssl_server, 3DES among its suites, server
#            order (Debian's OpenSSL has no 3DES: BoringSSL and GnuTLS
#            serve it)
# enumerate_check.py derives each set independently (one s_client per
# candidate suite, or the library's own list of what it enabled) and compares
# it with tlssweep's, sslscan's and nmap ssl-enum-ciphers'. Then:
#   stall    tls_proxy.py in front of legacy, silent after a few connections:
#            the scan ends (bounded), the version cut short keeps the suites
#            it learned and says why
#   policy   the records judged by every policy (--policy all), and without
#            --ciphers nor a confirmation, unknown where it must be
#   ja3s     tls_proxy.py watching a plain scan of legacy: each accepted
#            version's ja3s equals the MD5 of the JA3S text computed here
#            from the ServerHello bytes the proxy captured
# Usage: enumerate_test.sh TLSSWEEP BORINGSSL_SERVER
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
if [ -z "${ENUMERATE_NETNS:-}" ]; then
  unshare -n true 2>/dev/null || fail "cannot make a network namespace (unshare -n); run as root"
  exec unshare -n env ENUMERATE_NETNS=1 bash "$0" "$@"
fi
ip link set lo up || fail "no loopback in the namespace"
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
BORING="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
HERE="$(cd "$(dirname "$0")" && pwd)"
[ -f "$HERE/enumerate_check.py" ] || HERE="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration"
# shellcheck source=tests/integration/servers.sh
. "$HERE/servers.sh"
servers_setup enumerate
NGINX=$(command -v nginx || echo /usr/sbin/nginx)
for tool in openssl gnutls-serv gnutls-cli "$NGINX"; do
  command -v "$tool" >/dev/null || fail "$tool not installed (tools/install-deps.sh)"
done

openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=enumerate.test" >/dev/null 2>&1 || fail "cannot make an RSA certificate"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/eckey.pem" \
  -out "$TMP/eccert.pem" -days 2 -subj "/CN=ecdsa.test" >/dev/null 2>&1 ||
  fail "cannot make an EC certificate"

# label addr port oracle order-at-tls1.2
SERVERS="
legacy 127.64.0.1 4431 s_client client
order 127.64.0.2 4432 s_client server
ecdsa 127.64.0.3 4433 s_client -
gnutls 127.64.0.4 4434 gnutls server
boring 127.64.0.5 4435 boring server
"
timeout 100 openssl s_server -accept 127.64.0.1:4431 -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1 -no_tls1_1 \
  -cipher 'AES128-SHA:AES256-SHA256:NULL-SHA256:ADH-AES128-SHA:CAMELLIA128-SHA:DHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-AES128-GCM-SHA256:@SECLEVEL=0' \
  -ciphersuites 'TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256' \
  >"$TMP/legacy.log" 2>&1 </dev/null &
PIDS+=($!)
{
  echo "daemon off; master_process off; pid $TMP/nginx.pid; error_log $TMP/error.log;"
  echo "events { worker_connections 256; }"
  echo "http { access_log off; client_body_temp_path $TMP; proxy_temp_path $TMP;"
  echo "  fastcgi_temp_path $TMP; uwsgi_temp_path $TMP; scgi_temp_path $TMP;"
  echo "  server { listen 127.64.0.2:4432 ssl; ssl_protocols TLSv1.2 TLSv1.3;"
  echo "    ssl_certificate $TMP/cert.pem; ssl_certificate_key $TMP/key.pem;"
  echo "    ssl_ciphers 'ECDHE-RSA-AES256-GCM-SHA384:ECDHE-RSA-CHACHA20-POLY1305:AES128-GCM-SHA256:AES256-SHA';"
  echo "    ssl_prefer_server_ciphers on; return 200 'order'; }"
  echo "}"
} >"$TMP/nginx.conf"
timeout 100 "$NGINX" -c "$TMP/nginx.conf" -p "$TMP" -e "$TMP/error.log" </dev/null &
PIDS+=($!)
timeout 100 openssl s_server -accept 127.64.0.3:4433 -cert "$TMP/eccert.pem" -key "$TMP/eckey.pem" \
  -www -quiet -min_protocol TLSv1.2 \
  -cipher 'ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-SHA:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-AES128-GCM-SHA256' \
  >"$TMP/ecdsa.log" 2>&1 </dev/null &
PIDS+=($!)
echo 'NONE:+VERS-TLS1.0:+VERS-TLS1.2:+AES-128-CBC:+3DES-CBC:+ARCFOUR-128:+AES-128-GCM:+RSA:+ECDHE-RSA:+SHA1:+AEAD:+SIGN-ALL:+GROUP-ALL:+COMP-NULL:%SERVER_PRECEDENCE' \
  >"$TMP/gnutls.priority"
GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null timeout 100 gnutls-serv --port 4434 \
  --x509certfile "$TMP/cert.pem" --x509keyfile "$TMP/key.pem" \
  --priority "$(cat "$TMP/gnutls.priority")" >"$TMP/gnutls.out" 2>&1 </dev/null &
PIDS+=($!)
timeout 100 "$BORING" --addr 127.64.0.5 --port 4435 --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
  --min 1.0 --max 1.3 --server-order 1 --seconds 90 \
  --ciphers 'ECDHE-RSA-AES128-GCM-SHA256:ECDHE-RSA-CHACHA20-POLY1305:AES128-SHA:DES-CBC3-SHA' \
  >"$TMP/boring.log" 2>&1 </dev/null &
PIDS+=($!)
for row in "127.64.0.1 4431" "127.64.0.2 4432" "127.64.0.3 4433" "127.64.0.4 4434" "127.64.0.5 4435"; do
  set -- $row
  for _ in $(seq 100); do
    (exec 3<>"/dev/tcp/$1/$2") 2>/dev/null && continue 2
    sleep 0.1
  done
  fail "nothing listens on $1:$2"
done

targets=()
while read -r label addr port _; do
  [ -n "$label" ] && targets+=("$addr:$port label=$label")
done <<<"$SERVERS"
timeout 60 "$TLSSWEEP" scan --ciphers --policy all --timeout 3s -q -o "$TMP/out.jsonl" \
  --metadata "$TMP/meta.json" \
  "${targets[@]}" </dev/null || fail "tlssweep --ciphers exited $?"

# The peers' enumerations of the same servers, where they are installed.
while read -r label addr port _; do
  [ -z "$label" ] && continue
  if command -v sslscan >/dev/null; then
    timeout 60 sslscan --no-colour --no-check-certificate --no-heartbleed --no-renegotiation \
      --no-compression --no-fallback --no-groups --xml="$TMP/$label.sslscan.xml" \
      "$addr:$port" >/dev/null 2>&1 || fail "sslscan of $label exited $?"
  fi
  if command -v nmap >/dev/null; then
    timeout 60 nmap -Pn -n -p "$port" --script ssl-enum-ciphers -oX "$TMP/$label.nmap.xml" \
      "$addr" >/dev/null 2>&1 || fail "nmap of $label exited $?"
  fi
done <<<"$SERVERS"
python3 "$HERE/enumerate_check.py" "$TMP" "$SERVERS" || fail "enumerated sets differ"

# policy: the same records, judged; then without --ciphers nor a
# confirmation, what the suites and the certificate would tell is unknown.
timeout 30 "$TLSSWEEP" scan --policy pci-dss-4.0,rfc8996 --no-confirm --timeout 3s -q \
  -o "$TMP/unknown.jsonl" "127.64.0.2:4432 label=order" </dev/null || fail "policy scan exited $?"
python3 - "$TMP/out.jsonl" "$TMP/unknown.jsonl" "$TMP/meta.json" <<'PYEOF' || fail "policy"
import json, sys
recs = {r["label"]: r for r in map(json.loads, open(sys.argv[1], encoding="utf-8"))}
def judged(label, policy):
    return recs[label]["policy"][policy]
def want(label, policy, compliant, *texts):
    p = judged(label, policy)
    assert p["compliant"] is compliant, (label, policy, p)
    for t in texts:
        assert t in p["violations"] + p["unknown"], (label, policy, t, p)
    print("policy %s %s: %s %s" % (label, policy, compliant, list(texts)))
want("legacy", "pci-dss-4.0", False, "accepts tls1.0", "accepts TLS_RSA_WITH_NULL_SHA256 (null)",
     "accepts TLS_DH_anon_WITH_AES_128_CBC_SHA (anon)")
want("legacy", "rfc8996", False, "accepts tls1.0")
want("boring", "pci-dss-4.0", False, "accepts TLS_RSA_WITH_3DES_EDE_CBC_SHA (3des)")
want("gnutls", "pci-dss-4.0", False, "accepts TLS_RSA_WITH_RC4_128_SHA (rc4)")
want("gnutls", "bsi-tr-02102-2", False, "accepts tls1.0")
want("order", "rfc8996", True)
want("ecdsa", "rfc8996", True)
want("order", "mozilla-intermediate", False,
     "accepts TLS_RSA_WITH_AES_128_GCM_SHA256 (key exchange RSA)")
want("ecdsa", "mozilla-modern", False, "accepts tls1.2")
want("order", "bsi-tr-02102-2", False, "certificate key RSA 2048 bits (fewer than 3000)")
rec = json.loads(open(sys.argv[2], encoding="utf-8").readline())
p = rec["policy"]["pci-dss-4.0"]
assert p["compliant"] is None and p["violations"] == [], p
assert "cipher suites not enumerated (use --ciphers)" in p["unknown"], p
assert "certificate not read (no confirmed handshake; drop --no-confirm)" in p["unknown"], p
assert rec["policy"]["rfc8996"]["compliant"] is True, rec["policy"]
print("policy order pci-dss-4.0 without --ciphers and --no-confirm: unknown", p["unknown"])
# The run's metadata counts the records by verdict, policy by policy.
meta = json.load(open(sys.argv[3], encoding="utf-8"))["policy"]
for name, counts in meta.items():
    verdicts = [r["policy"][name]["compliant"] for r in recs.values()]
    assert counts == {"compliant": verdicts.count(True), "not_compliant": verdicts.count(False),
                      "unknown": verdicts.count(None)}, (name, counts, verdicts)
assert len(meta) == 6 and meta["rfc8996"] == {"compliant": 2, "not_compliant": 3, "unknown": 0}, meta
PYEOF

# stall: the proxy forwards 9 connections, then accepts and stays silent.
timeout 60 python3 "$HERE/tls_proxy.py" 127.64.0.6 4436 127.64.0.1 4431 stall:9 50 \
  "$TMP/stall.log" >"$TMP/stall.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.64.0.6/4436) 2>/dev/null && break; sleep 0.1; done
timeout 50 "$TLSSWEEP" scan --ciphers --no-confirm --timeout 1s --retries 0 -q \
  -o "$TMP/stall.jsonl" "127.64.0.6:4436 label=stall" </dev/null
rc=$?
[ "$rc" -ne 124 ] || fail "the scan of a server that stops answering did not end"
python3 - "$TMP/stall.jsonl" <<'PYEOF' || fail "stall"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(recs) == 1, recs
cut = [(v, d["ciphers"]) for v, d in recs[0]["versions"].items()
       if "ciphers" in d and not d["ciphers"]["complete"]]
assert cut, "no enumeration was cut short: %s" % recs[0]["versions"]
for v, c in cut:
    assert c["suites"] and c.get("failure"), (v, c)
    print("stall: %s stopped after %d suites: %s" % (v, len(c["suites"]), json.dumps(c["failure"])))
PYEOF

# ja3s: the proxy captures every ServerHello of a plain scan.
timeout 60 python3 "$HERE/tls_proxy.py" 127.64.0.7 4437 127.64.0.1 4431 watch 30 \
  "$TMP/watch.log" >"$TMP/watch.out" 2>&1 &
PIDS+=($!)
for _ in $(seq 100); do (exec 3<>/dev/tcp/127.64.0.7/4437) 2>/dev/null && break; sleep 0.1; done
timeout 30 "$TLSSWEEP" scan --no-confirm --timeout 3s -q -o "$TMP/ja3s.jsonl" \
  "127.64.0.7:4437 label=ja3s" </dev/null || fail "plain scan exited $?"
sleep 0.5
python3 - "$TMP/ja3s.jsonl" "$TMP/watch.log" <<'PYEOF' || fail "ja3s"
import hashlib, json, sys
rec = json.loads(open(sys.argv[1], encoding="utf-8").readline())
GREASE = {0x0a0a + 0x1010 * i for i in range(16)}
names = {0x0301: "tls1.0", 0x0302: "tls1.1", 0x0303: "tls1.2", 0x0304: "tls1.3"}
seen = {}
for line in open(sys.argv[2], encoding="utf-8"):
    b = bytes.fromhex(json.loads(line).get("server_bytes", ""))
    # One handshake record whose first message is a ServerHello.
    if len(b) < 9 or b[0] != 22 or b[5] != 2:
        continue
    body = b[9:9 + int.from_bytes(b[6:9], "big")]
    legacy = int.from_bytes(body[0:2], "big")
    p = 34 + 1 + body[34]
    suite = int.from_bytes(body[p:p + 2], "big")
    p += 3
    exts, version = [], legacy
    if p + 2 <= len(body):
        end = p + 2 + int.from_bytes(body[p:p + 2], "big")
        p += 2
        while p + 4 <= end:
            t, n = int.from_bytes(body[p:p + 2], "big"), int.from_bytes(body[p + 2:p + 4], "big")
            if t == 43:
                version = int.from_bytes(body[p + 4:p + 6], "big")
            if t not in GREASE:
                exts.append(str(t))
            p += 4 + n
    text = "%d,%d,%s" % (legacy, suite, "-".join(exts))
    seen.setdefault(names.get(version), set()).add(hashlib.md5(text.encode()).hexdigest())
accepted = {v: d["ja3s"] for v, d in rec["versions"].items() if d["verdict"] == "accepted"}
assert set(accepted) == {"tls1.0", "tls1.2", "tls1.3"}, rec["versions"]
for v, ja3s in accepted.items():
    assert ja3s in seen.get(v, set()), (v, ja3s, seen.get(v))
    print("ja3s %s: %s, as computed from the captured ServerHello" % (v, ja3s))
PYEOF
echo "PASS"
