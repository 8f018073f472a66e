#!/bin/bash
# tests/integration/check_test.sh: `tlssweep check`, the monitoring plugin,
# against real servers on 127.63.50.0/24, read as a monitoring system reads
# a plugin: the exit status, ONE line on standard output, "TLSSWEEP STATE -
# text | perfdata", and the performance data parsed by the Monitoring
# Plugins' grammar (quoted labels with '' for a quote, value and unit among
# s ms us % B KB MB TB c or none, warn;crit;min;max with ranges [@][start:][end]
# and ~). For every state but UNKNOWN the state the thresholds give (a value
# outside crit: CRITICAL, else outside warn: WARNING) must be the exit status.
#
#   .1  openssl s_server TLS 1.2-1.3, a certificate valid 400 days
#   .2  openssl s_server TLS 1.2 only
#   .3  openssl s_server TLS 1.0-1.2 (bare TLS: 1.0 works in the application)
#   .4  a POP3S server that completes TLS 1.0 and refuses it in POP3
#   .5  openssl s_server TLS 1.2-1.3 with a certificate that expired in 2020
#   .6  closed
#   dnsmasq: t.test's _imaps._tcp -> .1, nx.test NXDOMAIN
set -u
export PATH=/usr/sbin:/usr/bin:/sbin:/bin
TLSSWEEP="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
RETIRING="$HERE/retiring_server.py"
[ -f "$RETIRING" ] || RETIRING="$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/retiring_server.py"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
P=$((20000 + RANDOM % 12500))
DNS_PORT=$((P + 1))
cd "$TMP" || exit 1
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 400 \
  -keyout key.pem -out cert.pem -subj "/CN=check.test" >/dev/null 2>&1 || fail cert
# An expired certificate: signed by itself with dates in the past.
openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout old.key \
  -out old.csr -subj "/CN=expired.check.test" >/dev/null 2>&1 || fail csr
mkdir -p ca/new && touch ca/index.txt && echo 01 >ca/serial
printf '[ca]\ndefault_ca=d\n[d]\ndir=./ca\ndatabase=$dir/index.txt\nnew_certs_dir=$dir/new\nserial=$dir/serial\ndefault_md=sha256\npolicy=p\n[p]\ncommonName=supplied\n' >ca.cnf
openssl ca -batch -config ca.cnf -selfsign -keyfile old.key -in old.csr \
  -startdate 20200101000000Z -enddate 20200201000000Z -out old.pem >/dev/null 2>&1 ||
  fail "expired certificate"
serve() { # ADDR CERT KEY OPENSSL-OPTIONS...
  local addr=$1 cert=$2 key=$3; shift 3
  timeout 120 openssl s_server -accept "$addr:$P" -cert "$cert" -key "$key" -www -quiet "$@" \
    >/dev/null 2>&1 </dev/null &
  PIDS+=($!)
}
serve 127.63.50.1 cert.pem key.pem -min_protocol TLSv1.2
serve 127.63.50.2 cert.pem key.pem -min_protocol TLSv1.2 -max_protocol TLSv1.2
serve 127.63.50.3 cert.pem key.pem -min_protocol TLSv1 -max_protocol TLSv1.2 -cipher 'ALL:@SECLEVEL=0'
serve 127.63.50.5 old.pem old.key -min_protocol TLSv1.2
timeout 120 python3 "$RETIRING" pop3s 127.63.50.4 "$P" 1.0 cert.pem key.pem 110 &
PIDS+=($!)
timeout 120 dnsmasq -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --user=root --group=root --local=/test/ \
  --srv-host=_imaps._tcp.t.test,box.t.test,$P,0,0 --host-record=box.t.test,127.63.50.1 \
  --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
for a in 1 2 3 4 5; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.63.50.$a/$P") 2>/dev/null && break; sleep 0.1; done
done

cat >"$TMP/plugin.py" <<'PYEOF'
"""Reads a plugin's output as a monitoring system does."""
import re, sys
UOM = {"", "s", "ms", "us", "%", "B", "KB", "MB", "TB", "c"}
NUM = r"-?\d+(?:\.\d+)?"
def parse_range(r):
    """Nagios range: [@][start:][end]; returns (start, end, inside)."""
    if r == "":
        return None
    m = re.fullmatch(rf"(@)?(?:(~|{NUM}):)?({NUM})?", r)
    assert m and (m.group(2) or m.group(3) or r.endswith(":")), f"bad range {r!r}"
    start = float("-inf") if m.group(2) == "~" else float(m.group(2) or 0)
    end = float(m.group(3)) if m.group(3) else float("inf")
    return start, end, bool(m.group(1))
def alerts(value, rng):
    if rng is None:
        return False
    start, end, inside = rng
    out = value < start or value > end
    return not out if inside else out
def perfdata(text):
    out, i = {}, 0
    while i < len(text):
        if text[i] == " ":
            i += 1
            continue
        if text[i] == "'":
            j, label = i + 1, ""
            while True:
                k = text.index("'", j)
                label += text[j:k]
                if text[k + 1:k + 2] == "'":
                    label += "'"
                    j = k + 2
                    continue
                i = k + 1
                break
        else:
            k = text.index("=", i)
            label, i = text[i:k], k
        assert text[i] == "=", text[i:]
        k = text.find(" ", i)
        k = len(text) if k < 0 else k
        fields = text[i + 1:k].split(";")
        i = k
        m = re.fullmatch(rf"({NUM})([a-zA-Z%]*)", fields[0])
        assert m and m.group(2) in UOM, f"bad value {fields[0]!r} of {label!r}"
        fields += [""] * (5 - len(fields))
        assert len(fields) == 5, fields
        for f in fields[3:]:
            assert f == "" or re.fullmatch(NUM, f), f"bad min/max {f!r}"
        out[label] = (float(m.group(1)), m.group(2), parse_range(fields[1]), parse_range(fields[2]))
    return out
def read(path, rc):
    lines = open(path).read().split("\n")
    assert len(lines) == 2 and lines[1] == "", f"not one line: {lines!r}"
    m = re.fullmatch(r"TLSSWEEP (OK|WARNING|CRITICAL|UNKNOWN) - ([^|]*?)(?: \| (.*))?", lines[0])
    assert m, f"not a plugin line: {lines[0]!r}"
    state = ["OK", "WARNING", "CRITICAL", "UNKNOWN"].index(m.group(1))
    assert state == rc, f"the line says {m.group(1)}, the exit status is {rc}"
    perf = perfdata(m.group(3)) if m.group(3) else {}
    if state != 3:
        derived = 0
        for label, (v, _, warn, crit) in perf.items():
            derived = max(derived, 2 if alerts(v, crit) else 1 if alerts(v, warn) else 0)
        assert derived == state, f"thresholds give {derived}, the state is {state}: {perf}"
    return m.group(1), m.group(2), perf
if __name__ == "__main__":
    state, text, perf = read(sys.argv[1], int(sys.argv[2]))
    want_state, want_text = sys.argv[3], sys.argv[4]
    assert state == want_state, f"{state}, not {want_state}: {text}"
    assert re.search(want_text, text), f"{text!r} lacks {want_text!r}"
    for cond in sys.argv[5:]:  # label=value
        label, value = cond.split("=")
        assert perf[label][0] == float(value), f"{label} = {perf[label][0]}, not {value}"
    print(f"{state}: {text[:100]}")
PYEOF

N=0
# expect STATE TEXT-REGEX [LABEL=VALUE...] -- CHECK-ARGS...
expect() {
  local state=$1 text=$2; shift 2
  local want=()
  while [ "$1" != "--" ]; do want+=("$1"); shift; done
  shift
  N=$((N + 1))
  timeout 60 "$TLSSWEEP" check --timeout 2s --retries 0 "$@" >"$TMP/out.$N" 2>"$TMP/err.$N" </dev/null
  local rc=$?
  python3 "$TMP/plugin.py" "$TMP/out.$N" "$rc" "$state" "$text" "${want[@]}" ||
    { cat "$TMP/out.$N" "$TMP/err.$N" >&2; fail "check $*"; }
}
expect OK '^1 of 1 endpoints pass' endpoints=1 accepted_tls1.3=1 legacy=0 \
  -- "https://127.63.50.1:$P"
expect WARNING '1 of 1 endpoints do not accept TLS 1\.3 \(https://127\.63\.50\.2' no_tls13=1 \
  -- --warning-on no-tls13 "https://127.63.50.2:$P"
expect OK 'pass' no_tls13=1 -- "https://127.63.50.2:$P"
expect WARNING 'accept SSLv3, TLS 1\.0 or 1\.1 \(pop3s://127\.63\.50\.4' legacy=1 app_legacy=0 \
  -- "pop3s://127.63.50.4:$P"
expect CRITICAL '^1 of 3 endpoints accept TLS 1\.0/1\.1 that works in the application \(127\.63\.50\.3:[0-9]+\); WARNING: 2 of 3 endpoints accept SSLv3' \
  endpoints=3 legacy=2 app_legacy=1 accepted_tls1.0=2 \
  -- "127.63.50.3:$P" "pop3s://127.63.50.4:$P" "https://127.63.50.1:$P"
expect CRITICAL 'have an expired certificate \(https://127\.63\.50\.5' expired=1 \
  -- "https://127.63.50.5:$P"
expect WARNING 'expiring within 500d' -- --warning-on cert-expires:500d "https://127.63.50.1:$P"
expect CRITICAL 'expiring within 500d' -- --critical-on cert-expires:500d --warning-on none \
  "https://127.63.50.1:$P"
expect CRITICAL 'are unreachable' unreachable=1 -- --critical-on unreachable "127.63.50.6:$P"
expect UNKNOWN '^1 of 2 endpoints could not be checked, unreachable \(127\.63\.50\.6' \
  -- --warning-on none "127.63.50.6:$P" "https://127.63.50.1:$P"
expect OK 'pass' legacy=2 -- --critical-on none --warning-on none "127.63.50.3:$P" "pop3s://127.63.50.4:$P"
# A tenant's endpoints, found through DNS; a tenant with none; a preset.
expect OK '^1 of 1 endpoints pass' accepted_tls1.3=1 -- --resolver "127.0.0.1:$DNS_PORT" --tenant t.test
expect UNKNOWN 'tenant nx\.test: DNS nxdomain' -- --resolver "127.0.0.1:$DNS_PORT" --tenant nx.test
# UNKNOWN: tlssweep could not check.
expect UNKNOWN 'no targets' --
expect UNKNOWN "unknown condition 'bogus'" -- --critical-on bogus "127.63.50.1:$P"
expect UNKNOWN 'cert-expires needs days' -- --warning-on cert-expires "127.63.50.1:$P"
expect UNKNOWN 'invalid arguments' -- --no-such-option
expect UNKNOWN 'invalid target' -- "127.63.50.1:$P" "not a target"
expect UNKNOWN 'not both' -- --tenant t.test "127.63.50.1:$P"
# Records go to -o FILE, never to standard output.
expect OK 'pass' -- -o "$TMP/records.jsonl" "https://127.63.50.1:$P" "https://127.63.50.2:$P"
[ "$(wc -l <"$TMP/records.jsonl")" -eq 2 ] || fail "-o: $(wc -l <"$TMP/records.jsonl") records"
# --metrics counts what the check saw, for a tenant under its label.
expect OK 'pass' -- --metrics "$TMP/check.prom" "https://127.63.50.1:$P" "https://127.63.50.2:$P"
grep -q '^tlssweep_targets{tenant="",proto="https",status="ok"} 2$' "$TMP/check.prom" ||
  fail "check --metrics: $(grep '^tlssweep_targets' "$TMP/check.prom")"
expect OK 'pass' -- --metrics "$TMP/tenant.prom" --resolver "127.0.0.1:$DNS_PORT" --tenant t.test
grep -q '^tlssweep_endpoints_accepting{tenant="t.test",proto="imaps",version="tls1.3"} 1$' \
  "$TMP/tenant.prom" || fail "check --tenant --metrics: $(grep '^tlssweep_endpoints' "$TMP/tenant.prom")"
if command -v promtool >/dev/null; then
  promtool check metrics <"$TMP/check.prom" >/dev/null 2>&1 || fail "promtool check metrics"
fi
python3 -c "import json,sys; [json.loads(l) for l in open(sys.argv[1])]" "$TMP/records.jsonl" ||
  fail "-o records"
echo "$N checks read as a monitoring system reads them"
echo PASS
