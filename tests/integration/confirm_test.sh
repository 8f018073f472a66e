#!/bin/bash
# tests/integration/confirm_test.sh: confirmations and probe-side findings
# against servers on loopback.
#
# - Three servers retire legacy TLS as Exchange Online did (retiring_server.py:
#   POP3S, IMAPS, SMTPS): every TLS 1.0/1.1 handshake completes, then a known
#   share p of the sessions is refused in the protocol. With --repeat 200 the
#   record must count exactly the refusals the server made, and the 95% Wilson
#   interval of the measured rate must contain p.
# - The certificate report must match what openssl says of the same file.
# - A server whose ServerHello picks TLS 1.0 but which then closes: probe
#   accepted, confirmation failed.
# - openssl s_server with TLS 1.0-1.2: --check-fallback at TLS 1.1 must get
#   inappropriate_fallback (protection).
# - A proxy in front of it that drops ClientHellos over 256 bytes: the
#   minimal hello gets through, TLS 1.0 is accepted as intolerant: hello_shape.
# - A proxy that closes the first connection of each version and relays the
#   rest: a server that drops one connection is not intolerant of a shape;
#   every version is accepted from the full hello, on its second attempt.
# - A proxy in front of an s_server (TLS 1.2-1.3) that closes on a TLS 1.3 hello with
#   an empty key_share list (a server mishandling what RFC 8446, 4.2.8
#   allows): TLS 1.3 still reads accepted, from the retry with a real share,
#   and the record says so ("hello":"key_share").
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
RUNFILES="${TEST_SRCDIR:-}/${TEST_WORKSPACE:-}/tests/integration"
find_file() { if [ -f "$HERE/$1" ]; then echo "$HERE/$1"; else echo "$RUNFILES/$1"; fi; }
RETIRING="$(find_file retiring_server.py)"
FAKE="$(find_file fake_servers.py)"
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=confirm.test/O=tlssweep tests" \
  -addext "subjectAltName=DNS:confirm.test,DNS:*.confirm.test,IP:127.39.0.1" >/dev/null 2>&1 ||
  fail "cannot make a certificate"
# An RSA certificate for s_server: an old server the minimal hello must reach
# (without supported_groups, ECDSA suites are out of the question).
openssl req -x509 -newkey rsa:2048 -nodes -days 30 -keyout "$TMP/rsa.key" -out "$TMP/rsa.pem" \
  -subj "/CN=old.confirm.test" >/dev/null 2>&1 || fail "cannot make an RSA certificate"
PORT=$((20000 + RANDOM % 12500))
timeout 120 python3 "$RETIRING" pop3s 127.39.0.1 "$PORT" 0.3 "$TMP/cert.pem" "$TMP/key.pem" 110 &
PIDS+=($!)
timeout 120 python3 "$RETIRING" imaps 127.39.0.2 "$PORT" 0.5 "$TMP/cert.pem" "$TMP/key.pem" 110 &
PIDS+=($!)
timeout 120 python3 "$RETIRING" smtps 127.39.0.3 "$PORT" 0.25 "$TMP/cert.pem" "$TMP/key.pem" 110 &
PIDS+=($!)
timeout 120 python3 "$FAKE" hello-then-close 127.39.0.4 "$PORT" 110 &
PIDS+=($!)
timeout 120 openssl s_server -accept "127.39.0.5:$PORT" -cert "$TMP/rsa.pem" -key "$TMP/rsa.key" \
  -www -quiet -min_protocol TLSv1 -max_protocol TLSv1.2 -cipher 'ALL:@SECLEVEL=0' \
  >"$TMP/s_server.log" 2>&1 </dev/null &
PIDS+=($!)
# The shape-intolerant middlebox: drops hellos over 256 bytes, else relays.
timeout 120 python3 - "$PORT" <<'PYEOF' &
import select, socket, sys, threading, time
port = int(sys.argv[1])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.39.0.6", port))
ls.listen(64)
def relay(c):
    try:
        head = c.recv(5, socket.MSG_WAITALL)
        if len(head) < 5 or 5 + (head[3] << 8 | head[4]) > 256:
            return c.close()
        b = socket.create_connection(("127.39.0.5", port), 5)
        b.sendall(head)
        end = time.time() + 10
        while time.time() < end:
            r, _, _ = select.select([c, b], [], [], 0.5)
            for s in r:
                d = s.recv(65536)
                if not d:
                    raise OSError
                (b if s is c else c).sendall(d)
    except OSError:
        pass
    c.close()
end = time.time() + 110
ls.settimeout(0.5)
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=relay, args=(c,), daemon=True).start()
PYEOF
PIDS+=($!)
# The flaky-once proxy: closes the first hello of each version (its
# client_version, and whether it offers supported_versions), relays the rest.
timeout 120 python3 - "$PORT" <<'PYEOF' &
import select, socket, sys, threading, time
port = int(sys.argv[1])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.39.0.7", port))
ls.listen(64)
seen, lock = set(), threading.Lock()
def relay(c):
    try:
        head = c.recv(5, socket.MSG_WAITALL)
        body = c.recv(head[3] << 8 | head[4], socket.MSG_WAITALL) if len(head) == 5 else b""
        key = (bytes(body[4:6]), b"\x00\x2b\x00" in body)
        with lock:
            first = key not in seen
            seen.add(key)
        if first or len(body) < 6:
            return c.close()
        b = socket.create_connection(("127.39.0.5", port), 5)
        b.sendall(head + body)
        end = time.time() + 10
        while time.time() < end:
            r, _, _ = select.select([c, b], [], [], 0.5)
            for s in r:
                d = s.recv(65536)
                if not d:
                    raise OSError
                (b if s is c else c).sendall(d)
    except OSError:
        pass
    c.close()
end = time.time() + 110
ls.settimeout(0.5)
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=relay, args=(c,), daemon=True).start()
PYEOF
PIDS+=($!)
timeout 120 openssl s_server -accept "127.39.0.9:$PORT" -cert "$TMP/rsa.pem" -key "$TMP/rsa.key" \
  -www -quiet -min_protocol TLSv1.2 -max_protocol TLSv1.3 >"$TMP/s_server13.log" 2>&1 </dev/null &
PIDS+=($!)
# The empty-key-share closer: relays to that s_server unless a hello
# offers TLS 1.3 (supported_versions) with no key share in key_share.
timeout 120 python3 - "$PORT" <<'PYEOF' &
import select, socket, struct, sys, threading, time
port = int(sys.argv[1])
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.39.0.8", port))
ls.listen(64)
def empty_share(hello):
    # ClientHello body after the 4-byte header: version, random, session id,
    # suites, compression, then extensions.
    b = hello[4:]
    at = 2 + 32
    at += 1 + b[at]
    at += 2 + struct.unpack(">H", b[at:at + 2])[0]
    at += 1 + b[at]
    end = at + 2 + struct.unpack(">H", b[at:at + 2])[0]
    at += 2
    tls13 = shares = None
    while at + 4 <= end:
        t, n = struct.unpack(">HH", b[at:at + 4])
        body = b[at + 4:at + 4 + n]
        if t == 0x002b:
            tls13 = b"\x03\x04" in body[1:]
        if t == 0x0033:
            shares = struct.unpack(">H", body[:2])[0]
        at += 4 + n
    return tls13 and shares == 0
def relay(c):
    try:
        head = c.recv(5, socket.MSG_WAITALL)
        body = c.recv(head[3] << 8 | head[4], socket.MSG_WAITALL) if len(head) == 5 else b""
        if len(body) < 6 or empty_share(body):
            return c.close()
        b = socket.create_connection(("127.39.0.9", port), 5)
        b.sendall(head + body)
        end = time.time() + 10
        while time.time() < end:
            r, _, _ = select.select([c, b], [], [], 0.5)
            for s in r:
                d = s.recv(65536)
                if not d:
                    raise OSError
                (b if s is c else c).sendall(d)
    except OSError:
        pass
    c.close()
end = time.time() + 110
ls.settimeout(0.5)
while time.time() < end:
    try:
        c, _ = ls.accept()
    except socket.timeout:
        continue
    threading.Thread(target=relay, args=(c,), daemon=True).start()
PYEOF
PIDS+=($!)
for a in 1 2 3 4 5 6 7 8 9; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.39.0.$a/$PORT") 2>/dev/null && break; sleep 0.1; done
done

"$TLSSWEEP" scan --repeat 200 --check-fallback --ca-file "$TMP/cert.pem" --timeout 5s -q \
  -V tls1.0,tls1.1,tls1.2,tls1.3 --threads 2 \
  "pop3s://127.39.0.1:$PORT label=pop3s" "imaps://127.39.0.2:$PORT label=imaps" \
  "smtps://127.39.0.3:$PORT label=smtps" "127.39.0.4:$PORT label=hello-then-close" \
  "127.39.0.5:$PORT label=s_server" "127.39.0.6:$PORT label=intolerant" \
  "127.39.0.7:$PORT label=flaky-once" "127.39.0.8:$PORT label=no-empty-share" \
  >"$TMP/out.jsonl" 2>"$TMP/err.txt" </dev/null || fail "scan exited $?: $(cat "$TMP/err.txt")"
SHA=$(openssl x509 -in "$TMP/cert.pem" -noout -fingerprint -sha256 | sed 's/.*=//; s/://g' | tr A-F a-f)
# The key's fingerprint: SHA-256 of the leaf's SubjectPublicKeyInfo, as DER.
KEY_SHA=$(openssl x509 -in "$TMP/cert.pem" -noout -pubkey | openssl pkey -pubin -outform DER | sha256sum | cut -d' ' -f1)
NOT_AFTER=$(date -u -d "$(openssl x509 -in "$TMP/cert.pem" -noout -enddate | sed 's/notAfter=//')" +%Y-%m-%dT%H:%M:%SZ)
python3 - "$TMP/out.jsonl" "$SHA" "$NOT_AFTER" "$KEY_SHA" <<'PYEOF' || fail "records"
import json, math, sys
recs = {r["label"]: r for r in map(json.loads, open(sys.argv[1]))}
sha, not_after, key_sha = sys.argv[2], sys.argv[3], sys.argv[4]
def wilson(k, n, z=1.959964):
    p = k / n
    d = 1 + z * z / n
    c = (p + z * z / (2 * n)) / d
    h = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / d
    return c - h, c + h
for label, p in (("pop3s", 0.3), ("imaps", 0.5), ("smtps", 0.25)):
    r = recs[label]
    for v in ("tls1.0", "tls1.1"):
        c = r["versions"][v]["confirm"]
        rep = c["repeat"]
        assert rep["n"] == 200 and rep["handshake_ok"] == 200, (label, v, c)
        assert rep["app_refused"] == round(200 * p), (label, v, rep)
        assert rep["app_ok"] == 200 - rep["app_refused"], (label, v, rep)
        lo, hi = wilson(rep["app_refused"], rep["handshake_ok"])
        assert lo <= p <= hi, (label, v, lo, hi)
    first = r["versions"]["tls1.0"]["confirm"]
    assert first["handshake"] == "ok" and first["version"] == "tls1.0", first
    if first["app"] == "refused":
        assert "TLS 1.0 and 1.1 are not supported" in first["app_message"], first
    assert r["legacy_app"] is True, r["legacy_app"]
    # The control: the highest version, once, accepted by the application.
    top = r["versions"]["tls1.3"]["confirm"]
    assert top["handshake"] == "ok" and top["app"] == "ok" and "repeat" not in top, top
c = recs["pop3s"]["cert"]
assert c["subject"] == "O=tlssweep tests,CN=confirm.test", c["subject"]
assert c["san"] == ["DNS:confirm.test", "DNS:*.confirm.test", "IP:127.39.0.1"], c["san"]
assert c["sha256"] == sha, (c["sha256"], sha)
assert c["not_after"] == not_after, (c["not_after"], not_after)
assert c["key"] == {"type": "EC", "bits": 256, "curve": "P-256", "sha256": key_sha}, c["key"]
assert c["chain_verifies"] is True and c["name_matches"] is True and c["self_signed"] is True, c
h = recs["hello-then-close"]["versions"]["tls1.0"]
assert h["verdict"] == "accepted", h
assert h["confirm"]["handshake"] == "failed", h["confirm"]
fb = recs["s_server"]["fallback_scsv"]
assert fb["version"] == "tls1.1" and fb["protection"] is True and fb["alert"] == "inappropriate_fallback", fb
i10 = recs["intolerant"]["versions"]["tls1.0"]
assert i10["verdict"] == "accepted" and i10.get("intolerant") == "hello_shape", i10
assert i10.get("attempts") == 3 and i10.get("hello") == "minimal", i10
# Through the same middlebox, s_server (TLS 1.0-1.2) refuses TLS 1.3: the
# full hello dropped, the minimal one answered with protocol_version, in two
# connections.
i13 = recs["intolerant"]["versions"]["tls1.3"]
assert i13["verdict"] == "rejected" and i13.get("attempts") == 2, i13
assert i13.get("alert") == "protocol_version" and "intolerant" not in i13, i13
# The first hello of each version closed, the minimal one accepted, the full
# one once more accepted: a dropped connection, not intolerance.
for v in ("tls1.0", "tls1.1", "tls1.2"):
    f = recs["flaky-once"]["versions"][v]
    assert f["verdict"] == "accepted" and f.get("attempts") == 3, (v, f)
    assert "intolerant" not in f and "hello" not in f, (v, f)
e13 = recs["no-empty-share"]["versions"]["tls1.3"]
assert e13["verdict"] == "accepted" and e13.get("hello") == "key_share", e13
assert e13.get("group") == "x25519" and "hello_retry" not in e13, e13
assert "intolerant" not in e13, e13
d13 = recs["pop3s"]["versions"]["tls1.3"]
assert d13["verdict"] == "accepted" and d13.get("hello_retry") is True and "hello" not in d13, d13
print("refusal counts exact, intervals hold p; certificate as openssl sees it; "
      "failed handshake, fallback protection and hello-shape intolerance reported")
PYEOF
echo PASS
