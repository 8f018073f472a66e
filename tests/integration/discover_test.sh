#!/bin/bash
# tests/integration/discover_test.sh: tenant discovery against real DNS on
# loopback (the system resolver is never used). dnsmasq serves the tenants:
#   a.test        MX mx1/mx2.a.test, SRV _imaps._tcp -> imap.a.test:993,
#                 SRV _submission._tcp -> "." (not available), A records for
#                 mx1, mx2, imap and mail.a.test
#   b.test        MX mx.shared.test, and pop3.b.test
#   c.test        MX mx.shared.test (shared with b.test)
#   nomx.test     no MX; mail.nomx.test has an AAAA record only
#   missing.test  NXDOMAIN (dnsmasq is authoritative for /test/)
#   servfail.test and slow.test are forwarded to a small responder written
#   here that answers SERVFAIL for the first and never answers the second
#   refused.example  dnsmasq has no server for it and answers REFUSED
# The driver (tests/scanner/discover_driver.c) prints each tenant's status
# and endpoints as JSON Lines, and the dry run's target lines; both are
# checked exactly (the unit test parses such lines with scan's parser).
# Last, 2000 tenants whose every conventional name resolves check that the
# lookups in flight stay bounded and every tenant gets its record.
set -u
DRIVER="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; tail -n 40 "$TMP/dnsmasq.log" >&2 2>/dev/null; exit 1; }
command -v dnsmasq >/dev/null || DNSMASQ=/usr/sbin/dnsmasq
DNSMASQ=${DNSMASQ:-dnsmasq}

DNS_PORT=$((20000 + RANDOM % 12500))
FAKE_PORT=$((DNS_PORT + 1))

cat >"$TMP/fake_dns.py" <<'PYEOF'
# A DNS responder on UDP: SERVFAIL (RCODE 2, RFC 1035 section 4.1.1) for
# names under servfail.test, no answer at all for names under slow.test.
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind(("127.0.0.1", int(sys.argv[1])))
while True:
    q, addr = s.recvfrom(4096)
    if len(q) < 12:
        continue
    i, labels = 12, []
    while i < len(q) and q[i]:
        labels.append(q[i + 1:i + 1 + q[i]].decode("ascii", "replace"))
        i += 1 + q[i]
    if ".".join(labels).lower().endswith("slow.test"):
        continue
    question = q[12:i + 5]  # QNAME, QTYPE, QCLASS
    header = q[:2] + (0x8182).to_bytes(2, "big") + b"\x00\x01\x00\x00\x00\x00\x00\x00"
    s.sendto(header + question, addr)
PYEOF
timeout 120 python3 "$TMP/fake_dns.py" "$FAKE_PORT" & PIDS+=($!)

timeout 120 "$DNSMASQ" -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --pid-file="$TMP/dnsmasq.pid" \
  --user=root --group=root --local=/test/ \
  --server="/servfail.test/127.0.0.1#$FAKE_PORT" --server="/slow.test/127.0.0.1#$FAKE_PORT" \
  --mx-host=a.test,mx1.a.test,10 --mx-host=a.test,mx2.a.test,20 \
  --srv-host=_imaps._tcp.a.test,imap.a.test,993,0,0 --srv-host=_submission._tcp.a.test \
  --host-record=mx1.a.test,127.30.0.1 --host-record=mx2.a.test,127.30.0.2 \
  --host-record=imap.a.test,127.30.0.3 --host-record=mail.a.test,127.30.0.4 \
  --mx-host=b.test,mx.shared.test,10 --host-record=pop3.b.test,127.30.0.5 \
  --mx-host=c.test,mx.shared.test,10 --host-record=mx.shared.test,127.30.0.6 \
  --host-record=nomx.test,127.30.0.7 --host-record=mail.nomx.test,::1 \
  --address=/bulk.example/127.30.1.1 --local=/bulk.example/ \
  --log-facility="$TMP/dnsmasq.log" & PIDS+=($!)
for _ in $(seq 50); do
  grep -q "started" "$TMP/dnsmasq.log" 2>/dev/null && break
  sleep 0.1
done
sleep 0.2

# 300 ms per try, 2 tries: c-ares waits 300 ms, then 600 ms.
START=$(date +%s%N)
"$DRIVER" --resolver "127.0.0.1:$DNS_PORT" --timeout-ms 300 --tries 2 --targets "$TMP/targets.txt" \
  a.test B.Test. c.test nomx.test,NoMX missing.test servfail.test slow.test refused.example a.test \
  >"$TMP/out.jsonl" || fail "driver exited $?"
ELAPSED_MS=$((($(date +%s%N) - START) / 1000000))
[ "$ELAPSED_MS" -lt 4000 ] || fail "discovery took ${ELAPSED_MS} ms (the timeout bound is about 900 ms)"

python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "tenant records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
errors = [r for r in recs if "error" in r]
assert len(errors) == 1 and errors[0]["error"] == "duplicate domain 'a.test'", errors
tenants = {r["domain"]: r for r in recs if "tenant" in r}
endpoints = {r["endpoint"]: r for r in recs if "endpoint" in r}
summary = [r for r in recs if "summary" in r]
assert len(tenants) == 8, tenants.keys()
assert summary == [{"summary": True, "tenants": 8, "endpoints": 27,
                    "peak_in_flight": summary[0]["peak_in_flight"]}], summary

mx = lambda h: {f"smtp://{h}:25": ["mx"], f"submission://{h}:587": ["mx"], f"smtps://{h}:465": ["mx"]}
mail = lambda h: {f"{s}://{h}:{p}": ["name"] for s, p in
                  [("imap", 143), ("imaps", 993), ("pop3", 110), ("pop3s", 995),
                   ("smtp", 25), ("submission", 587), ("smtps", 465)]}
want = {
    "a.test": ("ok", {**mx("mx1.a.test"), **mx("mx2.a.test"), **mail("mail.a.test"),
                      "imap://imap.a.test:143": ["name"],
                      "imaps://imap.a.test:993": ["srv", "name"]}),
    "b.test": ("ok", {**mx("mx.shared.test"), "pop3://pop3.b.test:110": ["name"],
                      "pop3s://pop3.b.test:995": ["name"]}),
    "c.test": ("ok", mx("mx.shared.test")),
    "nomx.test": ("no_mx", mail("mail.nomx.test")),
    "missing.test": ("nxdomain", {}),
    "servfail.test": ("servfail", {}),
    "slow.test": ("timeout", {}),
    "refused.example": ("error", {}),
}
for domain, (status, eps) in want.items():
    t = tenants[domain]
    assert t["status"] == status, (domain, t)
    assert t["endpoints"] == eps, (domain, sorted(set(t["endpoints"]) ^ set(eps)))
    assert t["failed_lookups"] == 0, t
assert tenants["nomx.test"]["tenant"] == "NoMX"
assert tenants["refused.example"]["detail"] == "DNS server refused query"
assert tenants["a.test"]["mx_hosts"] == 2
# No endpoint for the "." SRV target, none for names that do not resolve.
assert not any("submission://." in e or "pop.a.test" in e for e in endpoints), endpoints
# The shared host: each endpoint once, used by b and c.
for e in mx("mx.shared.test"):
    assert endpoints[e]["tenants"] == ["b.test", "c.test"], endpoints[e]
print("tenants ok")
PYEOF

cat >"$TMP/want.txt" <<'EOF'
imap://imap.a.test:143 label=a.test # name
imaps://imap.a.test:993 label=a.test # srv,name
smtp://mail.a.test:25 label=a.test # name
pop3://mail.a.test:110 label=a.test # name
imap://mail.a.test:143 label=a.test # name
smtps://mail.a.test:465 label=a.test # name
submission://mail.a.test:587 label=a.test # name
imaps://mail.a.test:993 label=a.test # name
pop3s://mail.a.test:995 label=a.test # name
smtp://mx1.a.test:25 label=a.test # mx
smtps://mx1.a.test:465 label=a.test # mx
submission://mx1.a.test:587 label=a.test # mx
smtp://mx2.a.test:25 label=a.test # mx
smtps://mx2.a.test:465 label=a.test # mx
submission://mx2.a.test:587 label=a.test # mx
smtp://mx.shared.test:25 label=shared # mx; tenants: b.test,c.test
smtps://mx.shared.test:465 label=shared # mx; tenants: b.test,c.test
submission://mx.shared.test:587 label=shared # mx; tenants: b.test,c.test
pop3://pop3.b.test:110 label=b.test # name
pop3s://pop3.b.test:995 label=b.test # name
smtp://mail.nomx.test:25 label=NoMX # name
pop3://mail.nomx.test:110 label=NoMX # name
imap://mail.nomx.test:143 label=NoMX # name
smtps://mail.nomx.test:465 label=NoMX # name
submission://mail.nomx.test:587 label=NoMX # name
imaps://mail.nomx.test:993 label=NoMX # name
pop3s://mail.nomx.test:995 label=NoMX # name
EOF
diff -u "$TMP/want.txt" "$TMP/targets.txt" || fail "dry-run target lines"
echo "dry run ok"

# Many tenants from a file: every name under bulk.example (not under /test/, where dnsmasq
# answers other types NXDOMAIN) has an address and no
# MX, so each tenant makes all 13 lookups and gets 17 endpoints.
{
  echo "# tenants of the bulk test"
  for i in $(seq 0 1999); do echo "t$i.bulk.example label=bulk-$i"; done
  echo "not a domain!"
} >"$TMP/tenants.txt"
START=$(date +%s%N)
"$DRIVER" --resolver "127.0.0.1:$DNS_PORT" --timeout-ms 1000 --tries 3 -i "$TMP/tenants.txt" \
  >"$TMP/bulk.jsonl" || fail "bulk driver exited $?"
echo "bulk: $((($(date +%s%N) - START) / 1000000)) ms"
python3 - "$TMP/bulk.jsonl" <<'PYEOF' || fail "bulk records"
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1])]
errors = [r for r in recs if "error" in r]
assert len(errors) == 1 and errors[0]["line"] == 2002, errors
tenants = [r for r in recs if "tenant" in r]
assert len(tenants) == 2000, len(tenants)
for i, t in enumerate(tenants):
    assert t["tenant"] == f"bulk-{i}" and t["status"] == "no_mx", t
    assert len(t["endpoints"]) == 17 and t["failed_lookups"] == 0, t
s = recs[-1]
assert s["summary"] is True and s["endpoints"] == 34000, s
assert s["peak_in_flight"] == 256, s  # the bound, and it was reached
print("bulk ok")
PYEOF
echo PASS
