#!/bin/bash
# tests/integration/dns_test.sh: host names are resolved by c-ares inside the
# engine, through the resolver given by --resolver (dnsmasq on loopback,
# started here; the system resolver is never used). A name that resolves is
# probed with its name as SNI; a name that does not exist becomes a record
# with status dns_error, and the scan goes on.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$TMP/dnsmasq.log" >&2 2>/dev/null; exit 1; }
command -v dnsmasq >/dev/null || DNSMASQ=/usr/sbin/dnsmasq
DNSMASQ=${DNSMASQ:-dnsmasq}

DNS_PORT=$((20000 + RANDOM % 12500))
TLS_PORT=$((DNS_PORT + 1))
timeout 60 "$DNSMASQ" -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --pid-file="$TMP/dnsmasq.pid" \
  --user=root --group=root --local=/test/ --host-record=web.scan.test,127.20.0.1 \
  --host-record=dual.scan.test,127.20.0.2,::1 \
  --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$TMP/key.pem" \
  -out "$TMP/cert.pem" -days 2 -subj "/CN=web.scan.test" >/dev/null 2>&1 || fail "cert"
timeout 60 openssl s_server -accept "127.20.0.1:$TLS_PORT" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1.2 -max_protocol TLSv1.3 >"$TMP/s_server.log" 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.20.0.1/$TLS_PORT") 2>/dev/null && break; sleep 0.1; done
sleep 0.3

"$TLSSWEEP" scan --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 -q \
  "web.scan.test:$TLS_PORT label=good" "missing.scan.test:$TLS_PORT label=missing" \
  >"$TMP/out.jsonl" </dev/null || fail "scan exited $?"
python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "records"
import json, sys
recs = {r["label"]: r for r in (json.loads(l) for l in open(sys.argv[1]))}
assert len(recs) == 2, recs
g = recs["good"]
assert g["status"] == "ok" and g["ip"] == "127.20.0.1" and g["sni"] == "web.scan.test", g
acc = [v for v, x in g["versions"].items() if x["verdict"] == "accepted"]
assert acc == ["tls1.2", "tls1.3"], acc
m = recs["missing"]
assert m["status"] == "dns_error" and m.get("error"), m
print("dns ok")
PYEOF
# A name with an IPv4 and an IPv6 address, both served by a plaintext fake.
HERE="$(cd "$(dirname "$0")" && pwd)"
FAKE="$HERE/fake_servers.py"
[ -f "$FAKE" ] || FAKE="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/fake_servers.py"
P2=$((TLS_PORT + 1))
timeout 60 python3 "$FAKE" plaintext 127.20.0.2 "$P2" 50 & PIDS+=($!)
timeout 60 python3 "$FAKE" plaintext ::1 "$P2" 50 & PIDS+=($!)
for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.20.0.2/$P2") 2>/dev/null && break; sleep 0.1; done
sleep 0.3
scan() { "$TLSSWEEP" scan --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 -q -V tls1.2 "$@" </dev/null; }
scan "dual.scan.test:$P2" >"$TMP/d1.jsonl" || fail "default scan exited $?"
scan --all-addresses "dual.scan.test:$P2" >"$TMP/d2.jsonl" || fail "--all-addresses exited $?"
scan --ipv6-only "dual.scan.test:$P2" "127.20.0.2:$P2" >"$TMP/d3.jsonl" || fail "--ipv6-only exited $?"
scan --ipv4-only "[::1]:$P2" "dual.scan.test:$P2" >"$TMP/d4.jsonl" || fail "--ipv4-only exited $?"
python3 - "$TMP" <<'PYEOF' || fail "address families"
import json, sys
d = sys.argv[1]
load = lambda n: [json.loads(l) for l in open(f"{d}/{n}.jsonl")]
d1, d2, d3, d4 = load("d1"), load("d2"), load("d3"), load("d4")
assert [r["ip"] for r in d1] == ["127.20.0.2"], d1          # IPv4 first by default
assert sorted(r["ip"] for r in d2) == ["127.20.0.2", "::1"], d2
for r in d1 + d2:
    assert r["versions"]["tls1.2"]["reason"] == "not_tls", r
by3 = {r["target"]: r for r in d3}
assert by3[next(t for t in by3 if t.startswith("dual"))]["ip"] == "::1", d3
assert by3[next(t for t in by3 if t.startswith("127."))]["status"] == "blocked", d3
by4 = {r["target"]: r for r in d4}
assert by4[next(t for t in by4 if t.startswith("["))]["status"] == "blocked", d4
assert by4[next(t for t in by4 if t.startswith("dual"))]["ip"] == "127.20.0.2", d4
print("families ok")
PYEOF
# An address that came from DNS is checked against the blocklist too.
echo "127.20.0.1/32" >"$TMP/block.txt"
scan --blocklist "$TMP/block.txt" "web.scan.test:$TLS_PORT" >"$TMP/b.jsonl" || fail "blocklist scan exited $?"
python3 - "$TMP/b.jsonl" <<'PYEOF' || fail "blocklist after DNS"
import json, sys
r = [json.loads(l) for l in open(sys.argv[1])]
assert len(r) == 1 and r[0]["status"] == "blocked" and r[0]["ip"] == "127.20.0.1", r
print("DNS answer blocked")
PYEOF
echo PASS
