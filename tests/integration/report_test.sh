#!/bin/bash
# tests/integration/report_test.sh: `tlssweep report` from real runs, read in
# real headless Chromium (report_check.py says what is checked).
#
#   lab       `tlssweep lab --repeat 5 --metadata`: sixteen endpoints whose
#             classes the lab's configuration fixes
#   tenants   `tlssweep tenants` with dnsmasq on 127.0.0.1 (as tenants_test):
#             a.test (label tenant-a) legacy, refused in POP3; b.test and
#             c.test modern, sharing an endpoint; unreach.test unreachable;
#             empty.test no_endpoints; nx.test dns_error
#   hostile   a scan of a server whose banner is markup, an SMTP server that
#             refuses STARTTLS with markup and escapes, under a label that is
#             an onerror image; plus a file with a line of bytes that are not
#             UTF-8 (named by file and line, skipped, exit status 1) and a
#             hand-made record with a script in its label and its refusal
# Screenshots go to $TEST_UNDECLARED_OUTPUTS_DIR (or the temporary
# directory, kept when KEEP=1).
set -u
T="$(cd "$(dirname "$1")" && pwd)/$(basename "$1")"
HERE="$(cd "$(dirname "$0")" && pwd)"
find_here() {
  [ -f "$HERE/$1" ] && echo "$HERE/$1" || echo "$TEST_SRCDIR/$TEST_WORKSPACE/tests/integration/$1"
}
RETIRING=$(find_here retiring_server.py)
FAKES=$(find_here fake_servers.py)
CHECK=$(find_here report_check.py)
TMP="$(mktemp -d)"
OUT="${TEST_UNDECLARED_OUTPUTS_DIR:-$TMP/out}"
mkdir -p "$OUT"
PIDS=()
cleanup() {
  for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done
  wait 2>/dev/null
  [ "${KEEP:-0}" = 1 ] && echo "kept $TMP" >&2 || rm -rf "$TMP"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; cat "$TMP/err.txt" >&2 2>/dev/null; exit 1; }
command -v chromium >/dev/null || fail "chromium is not installed (tools/install-deps.sh)"

DNSMASQ=$(command -v dnsmasq || echo /usr/sbin/dnsmasq)
DNS_PORT=$((20000 + RANDOM % 12500))
P=$((DNS_PORT + 1))
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
  -keyout "$TMP/key.pem" -out "$TMP/cert.pem" -subj "/CN=report.test" >/dev/null 2>&1 || fail "cert"
timeout 170 "$DNSMASQ" -k --port="$DNS_PORT" --listen-address=127.0.0.1 --bind-interfaces \
  --no-resolv --no-hosts --conf-file=/dev/null --user=root --group=root --local=/test/ \
  --srv-host=_pop3s._tcp.a.test,pop.a.test,$P,0,0 --host-record=pop.a.test,127.47.0.1 \
  --srv-host=_imaps._tcp.b.test,imap.shared.test,$P,0,0 \
  --srv-host=_imaps._tcp.c.test,imap.shared.test,$P,0,0 --host-record=imap.shared.test,127.47.0.2 \
  --srv-host=_imaps._tcp.unreach.test,imap.unreach.test,$P,0,0 \
  --host-record=imap.unreach.test,127.47.0.9 --host-record=empty.test,127.47.0.10 \
  --pid-file="$TMP/dnsmasq.pid" --log-facility="$TMP/dnsmasq.log" &
PIDS+=($!)
timeout 170 python3 "$RETIRING" pop3s 127.47.0.1 "$P" 1.0 "$TMP/cert.pem" "$TMP/key.pem" 160 &
PIDS+=($!)
timeout 170 openssl s_server -accept "127.47.0.2:$P" -cert "$TMP/cert.pem" -key "$TMP/key.pem" \
  -www -quiet -min_protocol TLSv1.2 >/dev/null 2>&1 </dev/null &
PIDS+=($!)
timeout 170 python3 "$FAKES" hostile-banner 127.47.0.3 "$P" 160 &
PIDS+=($!)
timeout 170 python3 "$FAKES" smtp-hostile 127.47.0.4 "$P" 160 &
PIDS+=($!)
for a in 1 2 3 4; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/127.47.0.$a/$P") 2>/dev/null && break; sleep 0.1; done
done
sleep 0.3

# The runs.
"$T" lab -q --repeat 5 -o "$TMP/lab.jsonl" --metadata "$TMP/lab.meta.json" \
  2>"$TMP/err.txt" </dev/null || fail "lab exited $?"
"$T" tenants -q --resolver "127.0.0.1:$DNS_PORT" --timeout 2s --retries 0 \
  -o "$TMP/tenants.jsonl" --metadata "$TMP/tenants.meta.json" \
  "a.test label=tenant-a" b.test c.test unreach.test empty.test nx.test \
  2>"$TMP/err.txt" </dev/null || fail "tenants exited $?"
"$T" scan -q --timeout 2s --retries 0 -o "$TMP/hostile.jsonl" \
  "127.47.0.3:$P label=<img/src=x/onerror=document.title='pwned'>" \
  "smtp://127.47.0.4:$P label=hostile-smtp" 2>"$TMP/err.txt" </dev/null || fail "scan exited $?"
{
  printf '{"target":"ok.test"}\n'
  printf '{"target":"\xff\xfe<script>document.title=1</script>"}\n'
  printf '%s\n' '{"target":"made.test","proto":"imaps","label":"\"><script>document.title='"'"'pwned'"'"'</script>","status":"ok","versions":{"tls1.0":{"verdict":"accepted","confirm":{"handshake":"ok","app":"refused","app_message":"<img src=x onerror=\"document.title='"'"'pwned'"'"'\">"}}},"legacy":true,"legacy_app":false}'
} >"$TMP/bad.jsonl"

# The reports.
"$T" report -o "$TMP/lab.html" --metadata "$TMP/lab.meta.json" "$TMP/lab.jsonl" \
  2>"$TMP/err.txt" || fail "report of the lab exited $?"
"$T" report -o "$TMP/tenants.html" --metadata "$TMP/tenants.meta.json" "$TMP/tenants.jsonl" \
  2>"$TMP/err.txt" || fail "report of the tenants exited $?"
"$T" report -o "$TMP/hostile.html" "$TMP/hostile.jsonl" "$TMP/bad.jsonl" 2>"$TMP/err.txt"
rc=$?
[ "$rc" -eq 1 ] || fail "a report with a bad line exited $rc, not 1"
grep -q "^tlssweep report: $TMP/bad.jsonl line 2: not JSON" "$TMP/err.txt" ||
  fail "the bad line is not named: $(cat "$TMP/err.txt")"
[ -s "$TMP/hostile.html" ] || fail "no page written for input with a bad line"
"$T" report -o "$TMP/none.html" "$TMP/missing.jsonl" 2>"$TMP/err.txt" && fail "a missing file"
grep -q "cannot open '$TMP/missing.jsonl'" "$TMP/err.txt" || fail "missing file: $(cat "$TMP/err.txt")"
# Self-contained: no element that loads anything, links only to anchors
# (the browser checks below also watch for requests).
for h in lab tenants hostile; do
  grep -Eiq '<(link|iframe|object|embed|img|audio|video|source|base)[ >/]|href="[^#]|@import|url\(' \
    "$TMP/$h.html" &&
    fail "$h.html refers to something outside itself"
done

cat >"$TMP/spec.json" <<EOF
{"reports": [
 {"name": "lab", "html": "$TMP/lab.html", "inputs": ["$TMP/lab.jsonl"], "verdicts": {},
  "classes": {"tls1.0-only": "legacy", "tls1.0-1.1": "legacy", "tls1.0-1.2": "legacy",
   "tls1.0-1.3": "legacy", "tls1.1-1.2": "legacy", "tls1.2-only": "modern",
   "tls1.2-1.3": "modern", "tls1.3-only": "modern", "smtp-starttls-1.0-1.2": "legacy",
   "imap-starttls-1.2-1.3": "modern", "pop3-stls-1.0-1.3": "legacy",
   "pop3s-retiring-legacy": "legacy_refused", "plaintext-http": "no_tls", "silent": "no_tls",
   "reset": "no_tls", "closed-port": "unreachable"}},
 {"name": "tenants", "html": "$TMP/tenants.html", "inputs": ["$TMP/tenants.jsonl"],
  "classes": {},
  "verdicts": {"tenant-a": "legacy", "b.test": "modern", "c.test": "modern",
   "unreach.test": "unreachable", "empty.test": "no_endpoints", "nx.test": "dns_error"}},
 {"name": "hostile", "html": "$TMP/hostile.html", "hostile": true,
  "inputs": ["$TMP/hostile.jsonl", "$TMP/bad.jsonl"], "verdicts": {}, "classes": {}}
]}
EOF
timeout 150 python3 "$CHECK" "$TMP/spec.json" "$OUT" "$TMP/chromium-profile" || fail "the pages"
echo PASS
