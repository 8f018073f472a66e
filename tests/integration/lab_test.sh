#!/bin/bash
# tests/integration/lab_test.sh: `tlssweep lab` (README's main command) starts
# its loopback lab, scans it, and every endpoint answers as configured; the
# JSON output has one valid record per endpoint, mail endpoints with STARTTLS
# included, and the confirmations see a server that completes TLS 1.0 and
# then refuses it in POP3.
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
"$TLSSWEEP" lab -o "$TMP/out.jsonl" 2>"$TMP/err.txt"
rc=$?
cat "$TMP/err.txt" >&2
[ "$rc" -eq 0 ] || { echo "FAIL: lab exited $rc"; exit 1; }
grep -qE '^lab: ([0-9]+) of \1 endpoints answered as configured' "$TMP/err.txt" || { echo "FAIL: lab summary"; exit 1; }
python3 - "$TMP/out.jsonl" <<'PYEOF' || exit 1
import json, sys
recs = [json.loads(l) for l in open(sys.argv[1], encoding="utf-8")]
labels = sorted(r["label"] for r in recs)
assert len(recs) == 16 and len(set(labels)) == 16, labels
acc = {r["label"]: [v for v, x in r.get("versions", {}).items() if x["verdict"] == "accepted"] for r in recs}
assert acc["tls1.0-only"] == ["tls1.0"], acc
assert acc["tls1.2-1.3"] == ["tls1.2", "tls1.3"], acc
# The mail endpoints speak STARTTLS first; the URL in the target says so.
assert acc["smtp-starttls-1.0-1.2"] == ["tls1.0", "tls1.1", "tls1.2"], acc
assert acc["imap-starttls-1.2-1.3"] == ["tls1.2", "tls1.3"], acc
assert acc["pop3-stls-1.0-1.3"] == ["tls1.0", "tls1.1", "tls1.2", "tls1.3"], acc
by = {r["label"]: r for r in recs}
assert by["smtp-starttls-1.0-1.2"]["proto"] == "smtp" and by["pop3-stls-1.0-1.3"]["proto"] == "pop3"
# The retiring server: TLS 1.0 is accepted by the probe, the handshake
# completes, and POP3 then refuses it; TLS 1.3 (the control) works.
ret = by["pop3s-retiring-legacy"]["versions"]
c10 = ret["tls1.0"]["confirm"]
assert c10["handshake"] == "ok" and c10["app"] == "refused", c10
assert c10["app_message"].startswith("-ERR TLS 1.0 and 1.1 are not supported"), c10
assert ret["tls1.3"]["confirm"]["app"] == "ok", ret["tls1.3"]
assert by["pop3s-retiring-legacy"]["legacy_app"] is False
assert by["tls1.0-only"]["legacy_app"] is True
print("lab ok")
PYEOF
echo PASS
