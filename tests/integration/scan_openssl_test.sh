#!/bin/bash
# tests/integration/scan_openssl_test.sh: tlssweep scan against real OpenSSL
# servers with known version ranges on distinct loopback addresses, plus a
# port nobody listens on, a silent server, a resetting one, a plaintext one
# and a broken-TLS one. Asserts the verdict of every version of every
# endpoint, that every target (a bad line included) yields exactly one
# record, and that every record is valid JSON.
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
FAKE="$HERE/fake_servers.py"
[ -f "$FAKE" ] || FAKE="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/fake_servers.py"
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
  -days 2 -subj "/CN=scan.test" >/dev/null 2>&1 || fail "cannot make a certificate"

PORT=$((20000 + RANDOM % 12500))
# name addr min max: OpenSSL 3 only speaks TLS 1.0/1.1 at SECLEVEL=0.
SERVERS="
tls10-only 127.10.0.1 TLSv1 TLSv1
tls10-11 127.10.0.2 TLSv1 TLSv1.1
tls12-only 127.10.0.3 TLSv1.2 TLSv1.2
tls12-13 127.10.0.4 TLSv1.2 TLSv1.3
tls13-only 127.10.0.5 TLSv1.3 TLSv1.3
tls10-13 127.10.0.6 TLSv1 TLSv1.3
"
while read -r name addr min max; do
  [ -z "$name" ] && continue
  timeout 120 openssl s_server -accept "$addr:$PORT" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
    -www -quiet -min_protocol "$min" -max_protocol "$max" -cipher 'ALL:@SECLEVEL=0' \
    >"$TMP/$name.log" 2>&1 </dev/null &
  PIDS+=($!)
done <<<"$SERVERS"
for kind in silent reset plaintext garbage; do
  case $kind in silent) a=127.10.0.7;; reset) a=127.10.0.8;; plaintext) a=127.10.0.9;; garbage) a=127.10.0.10;; esac
  timeout 120 python3 "$FAKE" "$kind" "$a" "$PORT" 100 &
  PIDS+=($!)
done

# Wait (bounded) until every listener answers.
for addr in 127.10.0.1 127.10.0.2 127.10.0.3 127.10.0.4 127.10.0.5 127.10.0.6 127.10.0.7 127.10.0.8 127.10.0.9 127.10.0.10; do
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/$addr/$PORT") 2>/dev/null && break
    sleep 0.1
  done
done

cat >"$TMP/targets.txt" <<EOT
# OpenSSL servers
127.10.0.1:$PORT label=tls10-only
127.10.0.2:$PORT label=tls10-11
127.10.0.3:$PORT label=tls12-only
127.10.0.4:$PORT label=tls12-13
127.10.0.5:$PORT label=tls13-only
tls://127.10.0.6:$PORT label=tls10-13 sni=scan.test
127.10.0.7:$PORT label=silent
127.10.0.8:$PORT label=reset
127.10.0.9:$PORT label=plaintext
127.10.0.10:$PORT label=garbage
127.10.0.11:$PORT label=closed
this is not a target
EOT

"$TLSSWEEP" scan -i "$TMP/targets.txt" -o "$TMP/out.jsonl" --timeout 1s --retries 0 \
  -c 64 --threads 2 2>"$TMP/stderr.txt"
rc=$?
cat "$TMP/stderr.txt" >&2
[ "$rc" -eq 1 ] || fail "exit status $rc, expected 1 (one invalid line)"
grep -q "line 13" "$TMP/stderr.txt" || grep -q '"line":13' "$TMP/out.jsonl" || fail "the bad line's number is not reported"

python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "verdicts"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
assert len(recs) == 12, f"expected 12 records, got {len(recs)}"
by = {r.get("label", "invalid" if r["status"] == "invalid" else "?"): r for r in recs}
order = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
ranges = {"tls10-only": ("tls1.0", "tls1.0"), "tls10-11": ("tls1.0", "tls1.1"),
          "tls12-only": ("tls1.2", "tls1.2"), "tls12-13": ("tls1.2", "tls1.3"),
          "tls13-only": ("tls1.3", "tls1.3"), "tls10-13": ("tls1.0", "tls1.3")}
bad = []
for name, (lo, hi) in ranges.items():
    r = by[name]
    assert r["status"] == "ok", (name, r)
    for v in order:
        want = order.index(lo) <= order.index(v) <= order.index(hi)
        got = r["versions"][v]["verdict"] == "accepted"
        if want != got:
            bad.append((name, v, r["versions"][v]))
    # A version above the range is answered with the server's own maximum
    # (below TLS 1.3) or refused; never accepted.
    if name == "tls10-only":
        t12 = r["versions"]["tls1.2"]
        if not (t12["verdict"] == "rejected" and t12.get("server_version") == "tls1.0"):
            bad.append((name, "tls1.2 mismatch", t12))
    # The TLS 1.3 probe offers no key share: OpenSSL answers with a
    # HelloRetryRequest naming its group, and that hello gave the verdict.
    t13 = r["versions"]["tls1.3"]
    if t13["verdict"] == "accepted" and not (t13.get("hello_retry") is True and
                                             t13.get("group") and "hello" not in t13):
        bad.append((name, "tls1.3 not by a HelloRetryRequest", t13))
    assert r["legacy"] == (order.index(lo) <= 2), (name, r["legacy"])
    assert r["min"] == lo and r["max"] == hi, (name, r["min"], r["max"])
assert by["tls10-13"].get("sni") == "scan.test", by["tls10-13"]
for v in order:
    s = by["silent"]["versions"][v]
    if not (s["verdict"] == "timeout" and s.get("stage") == "recv"):
        bad.append(("silent", v, s))
    p = by["plaintext"]["versions"][v]
    if not (p["verdict"] == "rejected" and p.get("reason") == "not_tls" and p.get("first_bytes", "").startswith("HTTP/1.1 400")):
        bad.append(("plaintext", v, p))
    g = by["garbage"]["versions"][v]
    if not (g["verdict"] == "rejected" and g.get("reason") == "malformed"):
        bad.append(("garbage", v, g))
    rs = by["reset"]["versions"][v]
    if not (rs["verdict"] == "rejected" and rs.get("reason") in ("reset", "closed")):
        bad.append(("reset", v, rs))
    # A swallowed hello is asked once more in the minimal shape, and no more
    # when that is swallowed too: two connections per version (--retries 0
    # here). The resetting server resets at accept, before or after the
    # hello arrives: one connection or two.
    if not (s.get("attempts") == 2 and s.get("hello", "").startswith("minimal")):
        bad.append(("silent", "attempts", v, s))
    if rs.get("attempts", 1) > 2:
        bad.append(("reset", "attempts", v, rs))
assert by["closed"]["status"] == "unreachable", by["closed"]
inv = by["invalid"]
assert inv["status"] == "invalid" and inv.get("error"), inv
for b in bad:
    print("mismatch:", b)
assert not bad
print("all verdicts as configured")
PYEOF
echo "PASS"
