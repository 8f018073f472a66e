#!/bin/bash
# tests/integration/peers_bench_test.sh: the peer comparison
# (bench/peers/peers_bench.py) on a small fleet, directly and through
# delayproxy at 50 ms RTT: nginx on 14 addresses (every version set twice),
# dovecot IMAP/POP3 and postfix SMTP on 6. It checks the script, not the
# peers' speed: every tool leaves an answer for every target it was given
# (so each output parser read its tool's format), tlssweep's answers (with
# and without confirmation) equal the configured truth at both RTTs, and so do those of sslscan, nmap and the
# s_client loop, which agree with it on this fleet (a parser that misread
# one version would show here). testssl.sh runs on 2 targets, as its rate is
# about a target a second; its agreement is reported, not asserted (with
# Debian's OpenSSL 3 it cannot connect to a TLS 1.0-1.1-only server).
# The head-to-head on the all-versions nginx fleet (14 more addresses, each
# accepting TLS 1.0-1.3) runs sslscan and tlssweep --no-confirm twice each;
# both must be exact there, and the report must carry its ratios and the
# server cost per target. No timing is asserted.
set -u
TLSSWEEP="$1" DELAYPROXY="$2" SCRIPT="$3"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
[ "$(id -u)" -eq 0 ] || fail "needs root (ports 25, 110, 143, 443 and postfix's master)"
for tool in sslscan testssl nmap openssl nginx dovecot; do
  command -v "$tool" >/dev/null || fail "$tool not installed (tools/install-deps.sh)"
done
timeout 800 python3 "$SCRIPT" --tlssweep "$TLSSWEEP" --delayproxy "$DELAYPROXY" \
  --https 14 --mail 6 --rtt-ms 0,50 --sample testssl=2 --tool-timeout 300 \
  --json "$TMP/r.json" >"$TMP/report.md" 2>"$TMP/err"
rc=$?
[ "$rc" -eq 0 ] || { cat "$TMP/err" >&2; fail "script exited $rc"; }
cat "$TMP/report.md"
python3 - "$TMP/r.json" <<'PYEOF' || fail "results"
import json, sys
everything = json.load(open(sys.argv[1]))
rows = [r for r in everything if r["phase"] == "fleet"]
h2h = [r for r in everything if r["phase"] == "allv"]
assert {(r["round"], r["tool"]) for r in h2h} == {
    (k, t) for k in (0, 1) for t in ("sslscan", "tlssweep-probes")}, h2h
for r in h2h:
    assert not r["timed_out"] and r["n"] == 14 and r["exact"] == 14 and r["missing"] == 0, r
seen = {(r["rtt"], r["tool"]) for r in rows}
tools = ("tlssweep", "tlssweep-probes", "sslscan", "testssl", "nmap", "s_client")
want = {(rtt, t) for rtt in (0, 50) for t in tools}
assert seen == want, f"rows {sorted(seen)}"
for r in rows:
    assert not r["timed_out"], r
    assert r["n"] == (2 if r["tool"] == "testssl" else 20), r
    if r["tool"] != "testssl":
        assert r["missing"] == 0 and r["exact"] == r["n"], r
    assert r["wall"] > 0 and r["rate"] > 0, r
print("every tool answered for every target; both tlssweep runs, sslscan, nmap and s_client "
      "match the truth, also on the all-versions fleet")
PYEOF
grep -q "Headline, RTT 50 ms" "$TMP/report.md" || fail "no headline for 50 ms"
grep -q "Server cost, RTT 0 ms: server CPU per target" "$TMP/report.md" || fail "no server cost"
grep -q "Headline, all-versions nginx fleet: sslscan wall / tlssweep --no-confirm" \
  "$TMP/report.md" || fail "no all-versions head-to-head"
echo PASS
