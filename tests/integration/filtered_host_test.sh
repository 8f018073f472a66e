#!/bin/bash
# tests/integration/filtered_host_test.sh: a host that drops every SYN.
# In a network namespace of the test's own (unshare -n), nftables drops
# whatever is sent to 127.77.0.1, as a firewall in front of a dark host
# does: connect() times out. tlssweep must give it one record, status
# unreachable ("connect: Connection timed out"), after the first version's
# connect and its retry, not after five versions' worth of timeouts; a host
# that answers in the same scan keeps its verdicts.
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v nft >/dev/null || fail "nft (nftables) is not installed: tools/install-deps.sh"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
cat >"$TMP/inner.sh" <<'INNER'
set -eu
ip link set lo up
nft add table inet t
nft add chain inet t c '{ type filter hook input priority 0; }'
nft add rule inet t c ip daddr 127.77.0.1 drop
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/k.pem" -out "$TMP/c.pem" -subj /CN=filtered.test >/dev/null 2>&1
timeout 60 openssl s_server -accept 127.77.0.2:4433 -cert "$TMP/c.pem" -key "$TMP/k.pem" \
  -quiet -www -tls1_2 </dev/null >/dev/null 2>&1 &
srv=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.77.0.2/4433) 2>/dev/null && break; sleep 0.1; done
"$TLSSWEEP" scan -q --no-confirm --timeout 1s --retries 1 127.77.0.1:4433 127.77.0.2:4433 \
  >"$TMP/out.jsonl" 2>"$TMP/err.txt" || echo "exit $?" >>"$TMP/err.txt"
kill "$srv" 2>/dev/null
wait "$srv" 2>/dev/null || true
INNER
TMP="$TMP" TLSSWEEP="$TLSSWEEP" unshare -n bash "$TMP/inner.sh" || fail "namespace setup: $(cat "$TMP/err.txt" 2>/dev/null)"
[ ! -s "$TMP/err.txt" ] || fail "scan: $(cat "$TMP/err.txt")"
python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "records"
import json, sys
recs = {r["ip"]: r for r in map(json.loads, open(sys.argv[1]))}
assert len(recs) == 2, recs
dark = recs["127.77.0.1"]
assert dark["status"] == "unreachable", dark
assert dark["error"] == "connect: Connection timed out", dark
assert "versions" not in dark, dark
lit = recs["127.77.0.2"]
assert lit["status"] == "ok" and lit["versions"]["tls1.2"]["verdict"] == "accepted", lit
assert lit["versions"]["tls1.3"]["verdict"] == "rejected", lit
print("a dark host: one record, unreachable; the lit one keeps its verdicts")
PYEOF
echo PASS
