#!/bin/bash
# tests/integration/mbedtls_test.sh: the real tlssweep binary against real
# Mbed TLS 2.28 servers (Debian's libmbedtls, tests/servers:mbedtls_server)
# with known version ranges, legacy-only ones included, on 127.62.2.0/24.
# Mbed TLS 2.28 has no TLS 1.3 and predates it: it reads a TLS 1.3 hello as
# a TLS 1.2 one and answers with its own highest version. Each endpoint is
# probed ROUNDS times (one targets line each) at every version, SSLv3 to TLS
# 1.3; every verdict must be accepted exactly for the versions the server
# speaks, and no record may carry an intolerance finding.
# Usage: mbedtls_test.sh TLSSWEEP MBEDTLS_SERVER
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
SERVER="$(cd "$(dirname "$2")" && pwd)/$(basename "$2")"
ROUNDS=100
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
  -days 2 -subj "/CN=mbedtls.test" >/dev/null 2>&1 || fail "cannot make a certificate"

PORT=$((20000 + RANDOM % 12500))
# name address min max
SERVERS="
tls10 127.62.2.1 1.0 1.0
tls10-11 127.62.2.2 1.0 1.1
tls10-12 127.62.2.3 1.0 1.2
tls12 127.62.2.4 1.2 1.2
"
: >"$TMP/targets.txt"
while read -r name addr min max; do
  [ -z "$name" ] && continue
  "$SERVER" --addr "$addr" --port "$PORT" --cert "$TMP/cert.pem" --key "$TMP/key.pem" \
    --min "$min" --max "$max" --seconds 120 >"$TMP/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq "$ROUNDS"); do echo "$addr:$PORT label=$name"; done >>"$TMP/targets.txt"
done <<<"$SERVERS"
while read -r name addr min max; do
  [ -z "$name" ] && continue
  for _ in $(seq 50); do
    grep -q listening "$TMP/$name.log" && break
    sleep 0.1
  done
  grep -q listening "$TMP/$name.log" || { cat "$TMP/$name.log" >&2; fail "$name did not start"; }
done <<<"$SERVERS"

timeout 120 "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" \
  -V ssl3,tls1.0,tls1.1,tls1.2,tls1.3 --no-confirm --timeout 3s -c 64 2>"$TMP/stderr.txt"
rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/stderr.txt" >&2; fail "tlssweep exit status $rc"; }

python3 - "$TMP/out.jsonl" "$ROUNDS" "$SERVERS" <<'PYEOF' || fail "verdicts"
import collections, json, sys
path, rounds, servers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
order = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
speaks = {}
for line in servers.strip().splitlines():
    name, _, lo, hi = line.split()
    speaks[name] = set(order[order.index("tls" + lo):order.index("tls" + hi) + 1])
recs = [json.loads(l) for l in open(path, encoding="utf-8")]
seen = collections.defaultdict(collections.Counter)
bad, intolerant = [], []
for r in recs:
    name = r.get("label")
    if r.get("status") != "ok" or name not in speaks:
        bad.append(r)
        continue
    for v in order:
        d = r["versions"].get(v, {})
        got = d.get("verdict")
        detail = d.get("alert") or d.get("server_version") or ""
        shown = got if got == "accepted" else f"{got} {d.get('reason')} {detail}".strip()
        seen[name][(v, shown)] += 1
        if (got == "accepted") != (v in speaks[name]):
            bad.append((name, v, d))
    if "intolerant" in json.dumps(r):
        intolerant.append(r)
for name in speaks:
    print(f"{name}: " + ", ".join(f"{v} {s}: {n}" for (v, s), n in
                                  sorted(seen[name].items(), key=lambda i: order.index(i[0][0]))))
for b in (bad + intolerant)[:6]:
    print("unexpected:", json.dumps(b)[:300])
assert len(recs) == rounds * len(speaks), f"expected {rounds * len(speaks)} records, got {len(recs)}"
assert not bad and not intolerant, \
    f"{len(bad)} verdicts not as configured, {len(intolerant)} intolerance findings"
print(f"all {len(recs)} records x 5 versions as configured, no intolerance finding")
PYEOF
echo "PASS"
