#!/bin/bash
# tests/integration/tenants_test.sh: `tlssweep tenants` from mail domains to
# one verdict per tenant, with dnsmasq on loopback as the resolver.
#
#   a.test        SRV _pop3s._tcp -> pop.a.test:P (a POP3S server that accepts
#                 TLS 1.0 and refuses it in POP3): verdict legacy, confirmed
#                 refused at the application level (not in legacy_confirmed)
#   b.test,c.test SRV _imaps._tcp -> imap.shared.test:P (openssl s_server,
#                 TLS 1.2-1.3): both modern; the shared endpoint is scanned
#                 once and reported for each
#   unreach.test  SRV _imaps._tcp -> a host where nothing listens: unreachable
#   empty.test    exists, no MX, no SRV, no conventional names: no_endpoints
#   nx.test       NXDOMAIN: dns_error
# plus --dry-run (the endpoints as target lines), --fail-on-legacy, --db
# (the tenants and their verdicts in the database, as in the summaries) and
# --policy rfc8996 (each summary counts its endpoints' compliance).
set -u
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
RETIRING="$HERE/retiring_server.py"
[ -f "$RETIRING" ] || RETIRING="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/retiring_server.py"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$TMP/err.txt" >&2 2>/dev/null; exit 1; }
DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
DNS_PORT=$((20000 + RANDOM % 12500))
P=$((DNS_PORT + 1))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=tenants.test" >/dev/null 2>&1 || fail "cert"
timeout 90 "$DNSMASQ" -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --user=root --group=root --local=/test/ \
  --srv-host=_pop3s._tcp.a.test,pop.a.test,$P,0,0 --host-record=pop.a.test,127.42.0.1 \
  --srv-host=_imaps._tcp.b.test,imap.shared.test,$P,0,0 \
  --srv-host=_imaps._tcp.c.test,imap.shared.test,$P,0,0 --host-record=imap.shared.test,127.42.0.2 \
  --srv-host=_imaps._tcp.unreach.test,imap.unreach.test,$P,0,0 \
  --host-record=imap.unreach.test,127.42.0.9 --host-record=empty.test,127.42.0.10 \
  --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
timeout 90 python3 "$RETIRING" pop3s 127.42.0.1 "$P" 1.0 "$TMP/cert.pem" "$TMP/key.pem" 80 &
PIDS+=($!)
timeout 90 openssl s_server -accept "127.42.0.2:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1.2 >/dev/null 2>&1 </dev/null &
PIDS+=($!)
for a in 1 2; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.42.0.$a/$P") 2>/dev/null && break; sleep 0.1; done
done
sleep 0.3
DOMAINS=("a.test label=tenant-a" b.test c.test unreach.test empty.test nx.test)
"$TLSSWEEP" tenants --resolver "127.0.0.1:$DNS_PORT" --dry-run "${DOMAINS[@]}" \
  >"$TMP/dry.txt" 2>"$TMP/err.txt" </dev/null || fail "dry run exited $?"
grep -q "^pop3s://pop.a.test:$P label=tenant-a" "$TMP/dry.txt" || fail "dry run: $(cat "$TMP/dry.txt")"
grep -q "^imaps://imap.shared.test:$P label=shared .*b.test,c.test" "$TMP/dry.txt" ||
  fail "dry run shared: $(cat "$TMP/dry.txt")"
"$TLSSWEEP" tenants --resolver "127.0.0.1:$DNS_PORT" --dry-run --preset exchange-online \
  >"$TMP/preset.txt" 2>/dev/null </dev/null || fail "preset dry run exited $?"
[ "$(grep -c 'label=exchange-online' "$TMP/preset.txt")" -eq 7 ] &&
  grep -q '^imaps://outlook.office365.com:993' "$TMP/preset.txt" &&
  grep -q '^pop3s://pop-legacy.office365.com:995' "$TMP/preset.txt" ||
  fail "preset: $(cat "$TMP/preset.txt")"
"$TLSSWEEP" tenants --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 --policy rfc8996 \
  --metadata "$TMP/meta.json" --db "$TMP/history.db" "${DOMAINS[@]}" >"$TMP/out.jsonl" \
  2>"$TMP/err.txt" </dev/null ||
  fail "tenants exited $?"
"$TLSSWEEP" tenants --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 -q \
  --fail-on-legacy "a.test" >/dev/null 2>&1 </dev/null
[ $? -eq 0 ] || fail "--fail-on-legacy: a.test's TLS 1.0 is refused by POP3, so it must not count"
python3 - "$TMP" "$P" <<'PYEOF' || fail "records"
import json, sys
d, port = sys.argv[1], sys.argv[2]
lines = [json.loads(l) for l in open(f"{d}/out.jsonl")]
sums = {r["tenant"]: r for r in lines if "tenant" in r}
recs = [r for r in lines if "tenant" not in r]
assert set(sums) == {"a.test", "b.test", "c.test", "unreach.test", "empty.test", "nx.test"}, sums
v = {t: s["verdict"] for t, s in sums.items()}
assert v == {"a.test": "legacy", "b.test": "modern", "c.test": "modern",
             "unreach.test": "unreachable", "empty.test": "no_endpoints", "nx.test": "dns_error"}, v
assert sums["a.test"]["label"] == "tenant-a"
assert sums["a.test"]["legacy_endpoints"] == [f"pop3s://pop.a.test:{port}"], sums["a.test"]
assert sums["a.test"]["legacy_confirmed"] == [], sums["a.test"]   # refused in POP3
assert sums["nx.test"]["dns"] == "nxdomain", sums["nx.test"]
shared = [r for r in recs if r["host"] == "imap.shared.test"]
assert sorted(r["label"] for r in shared) == ["b.test", "c.test"], shared
# pop.a.test and imap.unreach.test are also conventional names (pop., imap.),
# so each brings its protocol's standard ports too: 3 + 3 + the shared one.
unique = {e for s in sums.values() for e in s["endpoints"]}
assert len(unique) == 7, unique
assert f"pop3://pop.a.test:110" in sums["a.test"]["endpoints"], sums["a.test"]
meta = json.load(open(f"{d}/meta.json"))
assert meta["targets"]["done"] == 7, meta["targets"]   # the shared endpoint once
assert len(recs) == 8, len(recs)                       # ... and reported twice
a10 = next(r for r in recs if r["label"] == "tenant-a" and r["port"] == int(port))["versions"]["tls1.0"]
assert a10["verdict"] == "accepted" and a10["confirm"]["app"] == "refused", a10
print("verdicts:", v)
# --policy: each summary counts its endpoints' verdicts, the tenant as its
# worst endpoint; one without endpoints (or none that answered) is unknown.
pol = {t: s["policy"]["rfc8996"] for t, s in sums.items()}
assert pol["a.test"]["compliant"] is False and pol["a.test"]["endpoints_not_compliant"] == 1, pol
assert pol["b.test"] == {"compliant": True, "endpoints_compliant": 1, "endpoints_not_compliant": 0,
                         "endpoints_unknown": 0}, pol
assert pol["unreach.test"]["compliant"] is None and pol["unreach.test"]["endpoints_unknown"] > 0, pol
assert pol["empty.test"]["compliant"] is None and pol["nx.test"]["compliant"] is None, pol
assert all(r["policy"]["rfc8996"]["compliant"] is True for r in shared), shared
print("policy:", {t: p["compliant"] for t, p in pol.items()})
# --db kept the same run: each tenant's verdict and counts, the shared
# endpoint once per tenant but one endpoint.
import sqlite3
db = sqlite3.connect(f"{d}/history.db")
assert db.execute("SELECT kind, state, records FROM runs").fetchall() == [("tenants", "complete", 8)]
dbv = dict(db.execute("SELECT tenant, verdict FROM tenants"))
assert dbv == v, dbv
for t, s in sums.items():
    row = db.execute("SELECT endpoints, legacy, confirmed FROM tenants WHERE tenant = ?", (t,)).fetchone()
    assert row == (len(s["endpoints"]), len(s["legacy_endpoints"]), len(s["legacy_confirmed"])), (t, row)
assert db.execute("SELECT count(*) FROM endpoints").fetchone()[0] == 7
print("database: tenants as in the summaries")
PYEOF
grep -q "tenant-a *legacy" "$TMP/err.txt" || fail "no tenant table on stderr"
echo PASS
