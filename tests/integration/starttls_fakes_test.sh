#!/bin/bash
# tests/integration/starttls_fakes_test.sh: the engine's side of the STARTTLS
# dialogues against fake SMTP and POP3 servers that fail the way mail servers
# do (fake_servers.py): a server that never answers EHLO must time out in
# stage "ehlo", one that closes must be "closed" in that stage, refusals must
# carry the server's reply (escaped), a server that gives the go-ahead and
# then stays silent must time out reading the TLS answer, and no command may
# ever be sent before the server's go-ahead (the fakes answer "554
# pipelining" to a client that speaks first); a server that talks ahead of
# the dialogue is followed, not lost; a server that trickles its greeting
# is cut off at the connection's deadline.
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

PORT=$((20000 + RANDOM % 12500))
KINDS="smtp-mute-ehlo smtp-close-ehlo smtp-refuse smtp-go-then-mute pop3-refuse smtp-talk-ahead smtp-trickle"
i=1
targets=()
for kind in $KINDS; do
  addr="127.31.0.$i"
  timeout 60 python3 "$FAKE" "$kind" "$addr" "$PORT" 50 &
  PIDS+=($!)
  scheme=smtp
  [ "${kind%%-*}" = pop3 ] && scheme=pop3
  targets+=("$scheme://$addr:$PORT label=$kind")
  i=$((i + 1))
done
for n in $(seq 1 $((i - 1))); do
  for _ in $(seq 50); do
    (exec 3<>"/dev/tcp/127.31.0.$n/$PORT") 2>/dev/null && break
    sleep 0.1
  done
done

"$TLSSWEEP" scan --timeout 1s --retries 0 -q -V tls1.0,tls1.2,tls1.3 "${targets[@]}" \
  >"$TMP/out.jsonl" </dev/null || fail "scan exited $?"
cat "$TMP/out.jsonl"
python3 - "$TMP/out.jsonl" <<'PYEOF' || fail "records"
import json, sys
recs = {r["label"]: r for r in (json.loads(l) for l in open(sys.argv[1]))}
assert len(recs) == 7, recs.keys()
def each(label, check):
    r = recs[label]
    assert r["status"] == "ok", r
    for v, x in r["versions"].items():
        assert "pipelining" not in x.get("reply", ""), (label, v, x)
        assert check(x), (label, v, x)
each("smtp-mute-ehlo", lambda x: x["verdict"] == "timeout" and x["stage"] == "ehlo")
each("smtp-close-ehlo", lambda x: x["verdict"] == "rejected" and x["reason"] == "closed" and x["stage"] == "ehlo")
each("smtp-refuse", lambda x: x["verdict"] == "rejected" and x["reason"] == "starttls_refused"
     and x["reply"].startswith("454 4.7.0 TLS not available"))
each("smtp-go-then-mute", lambda x: x["verdict"] == "timeout" and x["stage"] == "recv")
each("pop3-refuse", lambda x: x["verdict"] == "rejected" and x["reason"] == "starttls_refused"
     and "TLS 1.0 and 1.1 are not supported" in x["reply"] and "\u00ff" in x["reply"])
# A server that answered EHLO before it was sent: the dialogue reads that
# answer after sending EHLO, goes on to STARTTLS, and ends waiting for TLS.
each("smtp-talk-ahead", lambda x: x["verdict"] == "timeout" and x["stage"] == "recv")
# A greeting trickled a byte every 0.3 s never trips the 1 s read timeout;
# the connection's deadline (4 steps) ends it all the same.
each("smtp-trickle", lambda x: x["verdict"] == "timeout" and x["stage"] == "greeting"
     and 3500 <= x["ms"] <= 5500)
print("dialogue failures reported as expected")
PYEOF
echo PASS
