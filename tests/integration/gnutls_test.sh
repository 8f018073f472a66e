#!/bin/bash
# tests/integration/gnutls_test.sh: the real tlssweep binary against real
# GnuTLS servers (gnutls-serv, Debian's gnutls-bin) with known version sets,
# legacy-only ones and one with a hole (TLS 1.0 and 1.2 without 1.1). Each
# endpoint is probed ROUNDS times (one targets line each) at every version,
# SSLv3 to TLS 1.3; every verdict must be accepted exactly for the versions
# the server speaks, and no record may carry an intolerance finding.
#
# gnutls-serv cannot be told an address: it listens on every interface. So
# the test runs in a network namespace of its own (unshare -n: loopback
# only), where each server has a port of its own and an address in
# 127.62.1.0/24 for tlssweep to name (every 127.x address reaches it there).
# Usage: gnutls_test.sh TLSSWEEP
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
command -v gnutls-serv >/dev/null || { echo "FAIL: gnutls-serv not installed (gnutls-bin)" >&2; exit 1; }
command -v openssl >/dev/null || { echo "FAIL: openssl not installed" >&2; exit 1; }
if ! unshare -n true 2>/dev/null; then
  echo "FAIL: cannot make a network namespace (unshare -n); run as root" >&2
  exit 1
fi
# The verdict check, run inside the namespace once the scan is done.
cat >"$TMP/check.py" <<'PYEOF'
import collections, json, sys
path, rounds, servers = sys.argv[1], int(sys.argv[2]), sys.argv[3]
speaks = {}
for line in servers.strip().splitlines():
    name, _, _, versions = line.split()
    speaks[name] = set(versions.split(","))
recs = [json.loads(l) for l in open(path, encoding="utf-8")]
order = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
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
        # TLS 1.3 probes carry no key share: GnuTLS answers with a
        # HelloRetryRequest, which is the verdict.
        if v == "tls1.3" and got == "accepted" and not (d.get("hello_retry") is True and
                                                         "hello" not in d):
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
export TLSSWEEP TMP
unshare -n bash -c '
set -u
fail() { echo "FAIL: $*" >&2; exit 1; }
ip link set lo up || fail "no loopback in the namespace"
ROUNDS=100
PIDS=()
trap "for p in \"\${PIDS[@]}\"; do kill \"\$p\" 2>/dev/null; done; wait 2>/dev/null" EXIT
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$TMP/key.pem" -out "$TMP/cert.pem" \
  -days 2 -subj "/CN=gnutls.test" >/dev/null 2>&1 || fail "cannot make a certificate"

# name address port versions (the priority string enables exactly these)
SERVERS="
tls10 127.62.1.1 4431 tls1.0
tls10-11 127.62.1.2 4432 tls1.0,tls1.1
tls10+12 127.62.1.3 4433 tls1.0,tls1.2
tls12-13 127.62.1.4 4434 tls1.2,tls1.3
tls13 127.62.1.5 4435 tls1.3
tls10-13 127.62.1.6 4436 tls1.0,tls1.1,tls1.2,tls1.3
"
: >"$TMP/targets.txt"
while read -r name addr port versions; do
  [ -z "$name" ] && continue
  prio="NORMAL:-VERS-ALL"
  for v in ${versions//,/ }; do prio="$prio:+VERS-TLS${v#tls}"; done
  GNUTLS_SYSTEM_PRIORITY_FILE=/dev/null timeout 120 gnutls-serv --port "$port" \
    --x509certfile "$TMP/cert.pem" --x509keyfile "$TMP/key.pem" --priority "$prio" \
    >"$TMP/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
  for _ in $(seq "$ROUNDS"); do echo "$addr:$port label=$name"; done >>"$TMP/targets.txt"
done <<<"$SERVERS"
while read -r name addr port versions; do
  [ -z "$name" ] && continue
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/$addr/$port") 2>/dev/null && break
    sleep 0.1
  done
done <<<"$SERVERS"

timeout 120 "$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" \
  -V ssl3,tls1.0,tls1.1,tls1.2,tls1.3 --no-confirm --timeout 3s -c 64 2>"$TMP/stderr.txt"
rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/stderr.txt" >&2; fail "tlssweep exit status $rc"; }

python3 "$TMP/check.py" "$TMP/out.jsonl" "$ROUNDS" "$SERVERS" || fail "verdicts"
'
rc=$?
[ "$rc" -eq 0 ] || exit "$rc"
echo "PASS"
