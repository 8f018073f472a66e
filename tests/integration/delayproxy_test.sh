#!/bin/bash
# tests/integration/delayproxy_test.sh: bench/peers/delayproxy at 100 ms in
# front of two tagged python echo servers on loopback: 1 MiB passes intact
# both ways; a round trip takes at least 2 x 100 ms (a lower bound only);
# each listen address reaches its own upstream; an EOF travels to the server
# and the server's close back to the client; a mapping to a closed port
# closes or resets the client while other connections are still served; the
# exit summary counts it; and a bad map line exits 2 naming the line.
set -u
PROXY="$1"
TMP="$(mktemp -d)"
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null; done; wait 2>/dev/null; rm -rf "$TMP"; }
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; [ -f "$TMP/proxy.log" ] && cat "$TMP/proxy.log" >&2; exit 1; }

NET="127.$((80 + RANDOM % 40)).$((RANDOM % 250))"
P=$((20000 + RANDOM % 12500))
A="$NET.1"; B="$NET.2"; UA="$NET.11"; UB="$NET.12"; CLOSED="$NET.13"

# The echo server: echoes every chunk, then on EOF sends its tag and closes.
cat >"$TMP/echo.py" <<'PYEOF'
import socket, socketserver, sys
class Echo(socketserver.BaseRequestHandler):
    def handle(self):
        while True:
            data = self.request.recv(65536)
            if not data:
                break
            self.request.sendall(data)
        self.request.sendall(b"TAG:" + sys.argv[3].encode() + b"\n")
class Server(socketserver.ThreadingTCPServer):
    allow_reuse_address = True
    daemon_threads = True
Server((sys.argv[1], int(sys.argv[2])), Echo).serve_forever()
PYEOF
timeout 60 python3 "$TMP/echo.py" "$UA" "$P" A &
PIDS+=($!)
timeout 60 python3 "$TMP/echo.py" "$UB" "$P" B &
PIDS+=($!)
for h in "$UA" "$UB"; do
  for _ in $(seq 50); do (exec 3<>"/dev/tcp/$h/$P") 2>/dev/null && break; sleep 0.1; done
done

cat >"$TMP/map" <<EOF
# listen          upstream
$A:$P   $UA:$P
$B:$P   $UB:$P   # trailing comment

$CLOSED:$P $CLOSED:$((P + 1))
EOF
"$PROXY" --map "$TMP/map" --delay-ms 100 --duration 60 2>"$TMP/proxy.log" &
PROXY_PID=$!
PIDS+=($PROXY_PID)
for _ in $(seq 100); do grep -q 'listening on' "$TMP/proxy.log" && break; sleep 0.1; done
grep -q '^delayproxy: listening on 3 addresses, delay 100 ms$' "$TMP/proxy.log" || fail "no ready line"

timeout 45 python3 - "$A" "$B" "$CLOSED" "$P" <<'PYEOF' || fail "client checks"
import hashlib, os, socket, sys, threading, time
a, b, closed, port = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])

def dial(host):
    s = socket.create_connection((host, port), timeout=20)
    s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    return s

def read_all(s):
    out = bytearray()
    while True:
        d = s.recv(65536)
        if not d:
            return bytes(out)
        out += d

# 1, 4: 1 MiB both ways; the client's shutdown reaches the server (which only
# then sends its tag), and the server's close reaches the client (EOF).
payload = os.urandom(1 << 20)
s = dial(a)
def send():
    s.sendall(payload)
    s.shutdown(socket.SHUT_WR)
t = threading.Thread(target=send)
t.start()
got = read_all(s)
t.join()
s.close()
assert got.endswith(b"TAG:A\n"), got[-40:]
assert hashlib.sha256(got[:-6]).digest() == hashlib.sha256(payload).digest(), len(got)
print("1 MiB echoed intact; EOF went through and back")

# 2: a request and its answer cross the proxy twice each way's delay.
s = dial(a)
start = time.monotonic()
s.sendall(b"ping")
got = b""
while len(got) < 4:
    got += s.recv(4 - len(got))
rtt = time.monotonic() - start
assert got == b"ping", got
assert rtt >= 0.2, rtt
s.close()
print(f"round trip {rtt * 1000:.0f} ms")

# 3: each listen address reaches its own upstream.
for host, tag in ((a, b"A"), (b, b"B")):
    s = dial(host)
    s.sendall(b"hello")
    s.shutdown(socket.SHUT_WR)
    got = read_all(s)
    s.close()
    assert got == b"hello" + b"TAG:" + tag + b"\n", (host, got)
print("each address reached its own upstream")

# 5: nothing listens upstream: the client's connection is closed or reset,
# and the proxy goes on serving.
s = dial(closed)
try:
    s.sendall(b"anyone?")
    got = s.recv(100)
    assert got == b"", got
except ConnectionResetError:
    pass
s.close()
s = dial(b)
s.sendall(b"still")
s.shutdown(socket.SHUT_WR)
got = read_all(s)
assert got == b"stillTAG:B\n", got
print("refused upstream closed the client; proxy still serving")
PYEOF

kill -TERM "$PROXY_PID"
wait "$PROXY_PID"
rc=$?
[ "$rc" -eq 0 ] || fail "proxy exited $rc after SIGTERM"
grep -q ' 1 upstream connect failures$' "$TMP/proxy.log" || fail "summary: $(tail -1 "$TMP/proxy.log")"
grep -q '^delayproxy: 6 connections accepted' "$TMP/proxy.log" || fail "summary: $(tail -1 "$TMP/proxy.log")"

# 6: a bad line exits 2 and names its line number.
printf '# ok\n%s:%s %s:%s\n127.0.0.1:%s nowhere\n' "$A" "$P" "$UA" "$P" "$P" >"$TMP/bad"
timeout 10 "$PROXY" --map "$TMP/bad" --duration 5 2>"$TMP/bad.log"
rc=$?
[ "$rc" -eq 2 ] || fail "bad map exited $rc, expected 2"
grep -q ':3: ' "$TMP/bad.log" || fail "bad map message does not name line 3: $(cat "$TMP/bad.log")"
echo PASS
