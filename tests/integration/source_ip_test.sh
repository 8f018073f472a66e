#!/bin/bash
# tests/integration/source_ip_test.sh: --source-ip binds each connection to
# the given addresses in turn: a server on 127.37.0.1 records its peers'
# addresses, which must be exactly 127.0.0.2 and 127.0.0.3, alternating (an
# IPv6 source given as well is not used for IPv4 targets). A bad address is
# a usage error. On a kernel without io_uring's bind (before 6.11) the scan
# must say so; the test then reports that and stops (style.md: skip on a
# missing kernel feature).
set -u
TLSSWEEP="$1"
TMP="$(mktemp -d)"
trap 'rm -rf "$TMP"' EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }

"$TLSSWEEP" scan --source-ip 300.1.1.1 127.0.0.1 </dev/null >/dev/null 2>"$TMP/err.txt"
[ $? -eq 1 ] && grep -q "source-ip" "$TMP/err.txt" || fail "a bad --source-ip was not refused"

timeout 30 python3 - "$TLSSWEEP" "$TMP" <<'PYEOF' || fail "source addresses"
import socket, subprocess, sys, threading
tlssweep, tmp = sys.argv[1], sys.argv[2]
ls = socket.socket()
ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
ls.bind(("127.37.0.1", 0))
ls.listen(64)
port = ls.getsockname()[1]
peers = []
def serve():
    ls.settimeout(3)
    try:
        while True:
            c, a = ls.accept()
            peers.append(a[0])
            c.close()
    except OSError:
        pass
t = threading.Thread(target=serve)
t.start()
r = subprocess.run([tlssweep, "scan", "-q", "--no-shape-retry", "--source-ip", "127.0.0.2", "--source-ip", "::1",
                    "--source-ip", "127.0.0.3", "--threads", "1", f"127.37.0.1:{port}"],
                   stdin=subprocess.DEVNULL, capture_output=True, text=True)
t.join()
if "needs io_uring's bind" in r.stderr:
    print("SKIP: this kernel has no io_uring bind; --source-ip says so clearly")
    sys.exit(0)
assert r.returncode == 0, r.stderr
# Five probes, and TLS 1.3 once more with a key share (the listener closed on
# the empty one): six connections, the two IPv4 sources in turn.
assert len(peers) == 6, peers
assert set(peers) == {"127.0.0.2", "127.0.0.3"}, peers
assert all(peers[i] != peers[i + 1] for i in range(5)), peers
print("peers:", peers)
PYEOF
echo PASS
