"""tests/integration/retiring_server.py: mail servers retiring legacy TLS.

A TLS server (Python's ssl, OpenSSL 3 at SECLEVEL=0 so TLS 1.0 works) that
completes every handshake from TLS 1.0 to 1.3 and then, for sessions below
TLS 1.2, refuses a fixed fraction P of them in the protocol itself, with the
texts Exchange Online used:
  pop3s  "-ERR TLS 1.0 and 1.1 are not supported. ..."
  imaps  "* BYE TLS 1.0 and 1.1 are not supported. ..."
  smtps  "421 4.7.66 TLS 1.0 and 1.1 are not supported. ..."
The other sessions get a normal greeting (and SMTP's EHLO an answer). The
refusals follow a fixed pattern (session k is refused when
floor((k+1)*P) > floor(k*P)), so over any N sessions the share refused is P
to within 1/N, and a test can check the measured interval exactly.

Usage: retiring_server.py PROTO ADDR PORT P CERT KEY SECONDS
"""
import math
import socket
import ssl
import sys
import threading
import time
import warnings

# Python warns that TLS 1.0 is deprecated; serving it is this server's point.
warnings.filterwarnings("ignore", category=DeprecationWarning)

TEXT = ("TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to support "
        "TLS 1.2. Visit https://aka.ms/popimap_tls")


def main():
    proto, addr, port, p, cert, key, seconds = sys.argv[1:8]
    port, p, seconds = int(port), float(p), float(seconds)
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.minimum_version = ssl.TLSVersion.TLSv1
    ctx.set_ciphers("ALL:@SECLEVEL=0")
    ctx.load_cert_chain(cert, key)
    ls = socket.socket()
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(128)
    ls.settimeout(0.5)
    legacy_sessions = [0]
    lock = threading.Lock()
    end = time.time() + seconds

    def serve(conn):
        try:
            conn.settimeout(5)
            s = ctx.wrap_socket(conn, server_side=True)
        except (OSError, ssl.SSLError):
            conn.close()
            return
        try:
            refuse = False
            if s.version() in ("TLSv1", "TLSv1.1"):
                with lock:
                    k = legacy_sessions[0]
                    legacy_sessions[0] += 1
                refuse = math.floor((k + 1) * p) > math.floor(k * p)
            if proto == "pop3s":
                s.sendall((f"-ERR {TEXT}" if refuse else "+OK POP3 ready").encode() + b"\r\n")
            elif proto == "imaps":
                s.sendall((f"* BYE {TEXT}" if refuse else "* OK IMAP4rev1 ready").encode() + b"\r\n")
            else:
                if refuse:
                    s.sendall(f"421 4.7.66 {TEXT}\r\n".encode())
                else:
                    s.sendall(b"220 mail ESMTP ready\r\n")
                    if s.recv(4096):
                        s.sendall(b"250-mail\r\n250 8BITMIME\r\n")
            s.recv(4096)  # until the client goes
        except (OSError, ssl.SSLError):
            pass
        finally:
            s.close()

    while time.time() < end:
        try:
            conn, _ = ls.accept()
        except socket.timeout:
            continue
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
