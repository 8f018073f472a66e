"""tests/integration/fake_servers.py: misbehaving TCP servers for scan tests.

Each endpoint kind is one way a real service fails a TLS prober:
  silent    accepts, reads, never answers (the prober must time out)
  reset     accepts and resets the connection at once (SO_LINGER 0)
  plaintext answers any bytes with an HTTP error page (not TLS)
  garbage   answers with bytes that look like a TLS record but are broken
Usage: fake_servers.py KIND ADDR PORT SECONDS. Serves until SECONDS pass.
"""
import select
import socket
import struct
import sys
import time


def main():
    kind, addr, port, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    ls = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(64)
    ls.setblocking(False)
    deadline = time.time() + seconds
    held = []
    while time.time() < deadline:
        r, _, _ = select.select([ls] + held, [], [], 0.2)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                if kind == "reset":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    c.close()
                else:
                    held.append(c)
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                held.remove(s)
                s.close()
                continue
            if kind == "plaintext":
                s.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: \xff\xfe\x00fake\r\n\r\n")
                held.remove(s)
                s.close()
            elif kind == "garbage":
                # A handshake record whose ServerHello body is cut short.
                s.sendall(bytes([22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3]))
                held.remove(s)
                s.close()
            # silent: keep reading, never answer


if __name__ == "__main__":
    main()
