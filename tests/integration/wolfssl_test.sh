#!/bin/bash
# tests/integration/wolfssl_test.sh: the real tlssweep binary against a real
# wolfSSL server (Debian's libwolfssl, tests/servers:wolfssl_server) that
# speaks TLS 1.2 and 1.3, on 127.62.0.1. wolfSSL closes the connection
# without an alert when a TLS 1.3 x25519 key share has bit 255 set, so a
# scanner that sends random bytes as its share sees about half its TLS 1.3
# probes closed, and a retry with another shape that passes by luck reads as
# hello_shape intolerance. The target is probed PROBES times (one targets
# line each), TLS 1.2 and 1.3 each, and every verdict must be accepted, with
# no intolerance finding: the chance that random shares pass them all is
# 2^-PROBES. Usage: wolfssl_test.sh TLSSWEEP WOLFSSL_SERVER
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
SERVER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
PROBES=300
ADDR=127.62.0.1
TMP="$(mktemp -d)"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$TMP"
}
trap cleanup EXIT

fail() { echo "FAIL: $*" >&2; exit 1; }

command -v openssl >/dev/null || fail "openssl not installed"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=wolfssl.test" >/dev/null 2>&1 || fail "cannot make a certificate"

PORT=$((20000 + RANDOM % 12500))
"$SERVER" --addr "$ADDR" --port "$PORT" --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
  --min 1.2 --max 1.3 --seconds 120 >"$TMP/server.log" 2>&1 </dev/null &
PIDS+=($!)
for _ in $(seq 50); do
  grep -q listening "$TMP/server.log" && break
  sleep 0.1
done
grep -q listening "$TMP/server.log" || { cat "$TMP/server.log" >&2; fail "the wolfSSL server did not start"; }

for _ in $(seq "$PROBES"); do echo "$ADDR:$PORT"; done >"$TMP/targets.txt"
timeout 120 "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" -V tls1.2,tls1.3 \
  --no-confirm --timeout 3s -c 64 2>"$TMP/stderr.txt"
rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/stderr.txt" >&2; fail "tlssweep exit status $rc"; }

python3 - "$TMP/out.jsonl" "$PROBES" <<'PYEOF' || fail "verdicts"
import collections, json, sys
path, probes = sys.argv[1], int(sys.argv[2])
recs = [json.loads(l) for l in open(path, encoding="utf-8")]
seen = collections.Counter()
bad = []          # verdicts other than accepted, records not ok
intolerant = []   # records with an intolerance finding
for r in recs:
    if r.get("status") != "ok":
        bad.append(r)
        continue
    for v in ("tls1.2", "tls1.3"):
        d = r["versions"].get(v, {})
        seen[(v, d.get("verdict"), d.get("reason"), d.get("alert"))] += 1
        if d.get("verdict") != "accepted":
            bad.append((v, d))
    if "intolerant" in json.dumps(r):
        intolerant.append(r)
print(f"{len(recs)} records; verdicts: " +
      ", ".join(f"{k[0]} {k[1]}{' ' + k[2] if k[2] else ''}{' ' + k[3] if k[3] else ''}: {n}"
                for k, n in sorted(seen.items(), key=str)) +
      f"; records with an intolerance finding: {len(intolerant)}")
for b in (bad + intolerant)[:6]:
    print("unexpected:", json.dumps(b)[:300])
assert len(recs) == probes, f"expected {probes} records, got {len(recs)}"
assert not bad and not intolerant, \
    f"{len(bad)} verdicts not accepted, {len(intolerant)} intolerance findings"
print(f"all {probes} x 2 verdicts accepted, no intolerance finding")
PYEOF
echo "PASS"
