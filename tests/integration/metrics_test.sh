#!/bin/bash
# tests/integration/metrics_test.sh: --metrics FILE on scan, tenants and lab.
#
# Servers on 127.63.30.0/24: openssl s_server with TLS 1.0-1.2 (a
# certificate valid 30 days) and with TLS 1.2-1.3 (400 days), and a closed
# port; dnsmasq on loopback for two tenants that share one endpoint.
#
#   - every file passes `promtool check metrics` (Debian's prometheus);
#   - scan: each family, recomputed from the scan's own JSON records (targets
#     by status, endpoints accepting each version, legacy and legacy at the
#     application level, confirmations, handshakes and refusals by version,
#     the refusal ratio, each endpoint's notAfter), equals the file, and the
#     known truths hold (one endpoint accepts TLS 1.0, two TLS 1.2);
#   - tenants: the shared endpoint is counted once for each tenant, under the
#     tenant's label;
#   - lab: the file is written and valid;
#   - failures: an unwritable FILE is reported on stderr, the records are all
#     there and the exit status is the scan's (0, and 3 with
#     --fail-on-legacy, as without --metrics); a FILE.tmp that cannot be made
#     leaves the previous FILE as it was; no FILE.tmp is left behind.
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
command -v promtool >/dev/null || fail "promtool is missing (prometheus, tools/install-deps.sh)"
P=$((20000 + RANDOM % 12500))
DNS_PORT=$((P + 1))
for d in 30 400; do
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days "$d" \
    -keyout "$TMP/key$d.pem" -out "$TMP/cert$d.pem" -subj "/CN=metrics.test" >/dev/null 2>&1 ||
    fail "cert"
done
timeout 120 openssl s_server -accept "127.63.30.1:$P" -cert "$TMP/cert30.pem" -key "$TMP/key30.pem" \
  -www -quiet -min_protocol TLSv1 -max_protocol TLSv1.2 -cipher 'ALL:@SECLEVEL=0' \
  >/dev/null 2>&1 </dev/null &
PIDS+=($!)
timeout 120 openssl s_server -accept "127.63.30.2:$P" -cert "$TMP/cert400.pem" \
  -key "$TMP/key400.pem" -www -quiet -min_protocol TLSv1.2 >/dev/null 2>&1 </dev/null &
PIDS+=($!)
timeout 120 dnsmasq -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --user=root --group=root --local=/test/ \
  --srv-host=_pop3s._tcp.t1.test,legacy.test,$P,0,0 --host-record=legacy.test,127.63.30.1 \
  --srv-host=_imaps._tcp.t1.test,shared.test,$P,0,0 \
  --srv-host=_imaps._tcp.t2.test,shared.test,$P,0,0 --host-record=shared.test,127.63.30.2 \
  --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
for a in 1 2; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.63.30.$a/$P") 2>/dev/null && break; sleep 0.1; done
done
# The legacy server as a bare TLS target (no application check: its TLS 1.0
# works at the application level once the handshake completes).
TARGETS=("127.63.30.1:$P" "https://127.63.30.2:$P" "127.63.30.3:$P")
SCAN=(scan --timeout 2s --retries 0 -q)

# The scan.
"$TLSSWEEP" "${SCAN[@]}" -o "$TMP/scan.jsonl" --metrics "$TMP/scan.prom" "${TARGETS[@]}" \
  </dev/null 2>"$TMP/err.txt" || { cat "$TMP/err.txt" >&2; fail "scan exited $?"; }
promtool check metrics <"$TMP/scan.prom" >"$TMP/promtool.txt" 2>&1 ||
  { cat "$TMP/promtool.txt" "$TMP/scan.prom" >&2; fail "promtool check metrics (scan)"; }
[ -e "$TMP/scan.prom.tmp" ] && fail "scan.prom.tmp left behind"

# parse_metrics.py-like reading, as Prometheus would: name{labels} value.
cat >"$TMP/prom.py" <<'PYEOF'
import re
SAMPLE = re.compile(r'^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$')
LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)",?')
def read(path):
    out, types = {}, {}
    for line in open(path, encoding="utf-8"):
        line = line.rstrip("\n")
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(" ", 3)
            types[name] = kind
            continue
        if not line or line.startswith("#"):
            continue
        m = SAMPLE.match(line)
        assert m, f"not a sample: {line!r}"
        labels = dict(LABEL.findall(m.group(2) or ""))
        key = (m.group(1), tuple(sorted(labels.items())))
        assert key not in out, f"twice: {line}"
        out[key] = float(m.group(3))
    return out, types
def get(samples, name, **labels):
    return samples.get((name, tuple(sorted(labels.items()))))
PYEOF
python3 - "$TMP" "$P" <<'PYEOF' || fail "the scan's metrics"
import calendar, collections, json, sys, time
sys.path.insert(0, sys.argv[1])
from prom import read, get
d, port = sys.argv[1], sys.argv[2]
s, types = read(f"{d}/scan.prom")
recs = [json.loads(l) for l in open(f"{d}/scan.jsonl")]
for name in ("tlssweep_confirmations_total", "tlssweep_confirmation_handshakes_total",
             "tlssweep_confirmation_refusals_total"):
    assert types[name] == "counter", types
assert types["tlssweep_targets"] == "gauge" and types["tlssweep_scan_duration_seconds"] == "gauge"
V = ["ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"]
want = collections.Counter()
for r in recs:
    g = ("", r["proto"])
    want[("tlssweep_targets",) + g + (("status", r["status"]),)] += 1
    for v in V:
        x = r.get("versions", {}).get(v, {})
        want[("tlssweep_endpoints_accepting",) + g + (("version", v),)] += x.get("verdict") == "accepted"
        c = x.get("confirm")
        if c and v != "ssl3":
            rep = c.get("repeat", {"n": 1, "handshake_ok": int(c["handshake"] == "ok"),
                                   "app_refused": int(c.get("app") == "refused")})
            want[("tlssweep_confirmations_total",) + g + (("version", v),)] += rep["n"]
            want[("tlssweep_confirmation_handshakes_total",) + g + (("version", v),)] += rep["handshake_ok"]
            want[("tlssweep_confirmation_refusals_total",) + g + (("version", v),)] += rep["app_refused"]
    want[("tlssweep_legacy_endpoints",) + g] += bool(r.get("legacy"))
    want[("tlssweep_legacy_app_endpoints",) + g] += r.get("legacy_app") is True
checked = 0
for key, n in want.items():
    name, tenant, proto, *extra = key
    got = get(s, name, tenant=tenant, proto=proto, **dict(extra))
    assert got == n, f"{key}: file {got}, records {n}"
    checked += 1
# Every sample of those families is accounted for by the records (zeros too).
for (name, labels), v in s.items():
    if name in {k[0] for k in want} and v != 0:
        l = dict(labels)
        key = (name, l.pop("tenant"), l.pop("proto")) + tuple(sorted(l.items()))
        assert want.get(key) == v, f"{name}{dict(labels)} = {v}, not in the records"
assert get(s, "tlssweep_endpoints_accepting", tenant="", proto="tls", version="tls1.0") == 1
assert get(s, "tlssweep_endpoints_accepting", tenant="", proto="https", version="tls1.0") == 0
assert get(s, "tlssweep_endpoints_accepting", tenant="", proto="https", version="tls1.2") == 1
assert get(s, "tlssweep_endpoints_accepting", tenant="", proto="tls", version="tls1.2") == 1
assert get(s, "tlssweep_targets", tenant="", proto="tls", status="unreachable") == 1
assert get(s, "tlssweep_legacy_endpoints", tenant="", proto="tls") == 1
assert get(s, "tlssweep_legacy_app_endpoints", tenant="", proto="tls") == 1
for (name, labels), v in s.items():
    if name == "tlssweep_confirmation_refusal_ratio":
        l = dict(labels)
        hs = get(s, "tlssweep_confirmation_handshakes_total", **l)
        rf = get(s, "tlssweep_confirmation_refusals_total", **l)
        assert hs > 0 and abs(v - rf / hs) < 1e-6, (l, v, hs, rf)
# Certificates: each endpoint's notAfter, as in its record.
certs = [r for r in recs if "cert" in r]
assert len(certs) == 2, certs
days = []
for r in certs:
    t = calendar.timegm(time.strptime(r["cert"]["not_after"], "%Y-%m-%dT%H:%M:%SZ"))
    got = get(s, "tlssweep_cert_not_after_timestamp_seconds", tenant="", proto=r["proto"],
              target=r["target"], ip=r["ip"])
    assert got == t, (r["target"], got, t)
    days.append(round((got - time.time()) / 86400))
assert sorted(days) == [30, 400], days
assert get(s, "tlssweep_scan_duration_seconds", command="scan") > 0
assert get(s, "tlssweep_cert_series_dropped", command="scan") == 0
print(f"scan: {checked} figures equal to the records'; certificates expire in {days} days")
PYEOF

# The tenants sweep: the shared endpoint once per tenant.
"$TLSSWEEP" tenants --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 -q \
  -o "$TMP/tenants.jsonl" --metrics "$TMP/tenants.prom" t1.test t2.test </dev/null \
  2>"$TMP/err.txt" || { cat "$TMP/err.txt" >&2; fail "tenants exited $?"; }
promtool check metrics <"$TMP/tenants.prom" >"$TMP/promtool.txt" 2>&1 ||
  { cat "$TMP/promtool.txt" >&2; fail "promtool check metrics (tenants)"; }
python3 - "$TMP" <<'PYEOF' || fail "the tenants' metrics"
import sys
sys.path.insert(0, sys.argv[1])
from prom import read, get
s, _ = read(f"{sys.argv[1]}/tenants.prom")
ok = {(dict(l)["tenant"], dict(l)["proto"]): v for (n, l), v in s.items()
      if n == "tlssweep_targets" and dict(l)["status"] == "ok" and v}
assert ok == {("t1.test", "imaps"): 1, ("t1.test", "pop3s"): 1, ("t2.test", "imaps"): 1}, ok
assert get(s, "tlssweep_legacy_endpoints", tenant="t1.test", proto="pop3s") == 1
assert get(s, "tlssweep_legacy_endpoints", tenant="t2.test", proto="imaps") == 0
assert get(s, "tlssweep_endpoints_accepting", tenant="t2.test", proto="imaps", version="tls1.3") == 1
assert get(s, "tlssweep_scan_duration_seconds", command="tenants") > 0
print("tenants: the shared endpoint counted for t1.test and t2.test, legacy only in t1.test's pop3s")
PYEOF

# The lab.
"$TLSSWEEP" lab -q -o "$TMP/lab.jsonl" --metrics "$TMP/lab.prom" </dev/null 2>"$TMP/err.txt" ||
  { cat "$TMP/err.txt" >&2; fail "lab exited $?"; }
promtool check metrics <"$TMP/lab.prom" >"$TMP/promtool.txt" 2>&1 ||
  { cat "$TMP/promtool.txt" >&2; fail "promtool check metrics (lab)"; }
grep -q '^tlssweep_targets{tenant="",proto="pop3s",status="ok"} 1$' "$TMP/lab.prom" || fail "lab"

# Failures: reported, records complete, the exit status the scan's.
for flag in "" --fail-on-legacy; do
  "$TLSSWEEP" "${SCAN[@]}" $flag -o "$TMP/plain.jsonl" "${TARGETS[@]}" </dev/null 2>/dev/null
  want=$?
  "$TLSSWEEP" "${SCAN[@]}" $flag -o "$TMP/bad.jsonl" --metrics "$TMP/no/such/dir/m.prom" \
    "${TARGETS[@]}" </dev/null 2>"$TMP/err.txt"
  rc=$?
  [ "$rc" -eq "$want" ] || fail "with an unwritable --metrics ${flag:-(no flag)}: exit $rc, not $want"
  grep -q "cannot write the metrics: cannot create $TMP/no/such/dir/m.prom.tmp" "$TMP/err.txt" ||
    fail "the failure was not reported: $(cat "$TMP/err.txt")"
  [ "$(wc -l <"$TMP/bad.jsonl")" -eq 3 ] || fail "records lost: $(wc -l <"$TMP/bad.jsonl")"
done
[ "$want" -eq 3 ] || fail "--fail-on-legacy exited $want"
cp "$TMP/scan.prom" "$TMP/before.prom"
mkdir "$TMP/scan.prom.tmp"
"$TLSSWEEP" "${SCAN[@]}" -o "$TMP/again.jsonl" --metrics "$TMP/scan.prom" "${TARGETS[@]}" \
  </dev/null 2>"$TMP/err.txt" || fail "exit $? when FILE.tmp cannot be made"
grep -q 'cannot write the metrics' "$TMP/err.txt" || fail "not reported: $(cat "$TMP/err.txt")"
cmp -s "$TMP/scan.prom" "$TMP/before.prom" || fail "the previous metrics file changed"
echo "failures: reported, records complete, exit status unchanged (0, 3), the last file kept"
echo PASS
