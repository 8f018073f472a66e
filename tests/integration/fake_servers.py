"""tests/integration/fake_servers.py: misbehaving TCP servers for scan tests.

Each endpoint kind is one way a real service fails a TLS prober:
  silent    accepts, reads, never answers (the prober must time out)
  reset     accepts and resets the connection at once (SO_LINGER 0)
  plaintext answers any bytes with an HTTP error page (not TLS)
  garbage   answers with bytes that look like a TLS record but are broken
  hello-then-close  answers any hello with a TLS 1.0 ServerHello, then closes
            (the probe sees acceptance; a full handshake cannot complete)
and, for the STARTTLS dialogues, SMTP and POP3 servers that fail in the ways
mail servers do (each greets only after 200 ms, and answers "554 pipelining"
if the client spoke before being spoken to):
  smtp-mute-ehlo      greets, then never answers EHLO
  smtp-close-ehlo     greets, then closes when EHLO arrives
  smtp-refuse         offers STARTTLS, then refuses it with 454
  smtp-go-then-mute   offers STARTTLS, says 220 go ahead, then never answers the hello
  smtp-talk-ahead     sends its EHLO reply with the greeting, before EHLO was sent
  smtp-trickle        sends its greeting one byte every 0.3 s, never ending the line
  pop3-refuse         +OK greeting, then refuses STLS with a long -ERR and odd bytes
and, for the views a person reads (terminal, HTML report), servers whose
words are an attack on the reader:
  hostile-banner      answers any bytes with markup and terminal escape sequences
  smtp-hostile        offers STARTTLS, then refuses it with markup, escapes and
                      ill-formed UTF-8
Usage: fake_servers.py KIND ADDR PORT SECONDS. Serves until SECONDS pass.
"""
import select
import socket
import struct
import sys
import time


# What a hostile server says. The banner fits the 48 bytes a probe keeps:
# markup, a C1 CSI (0x9b), an OSC that would set the terminal's title and a
# clear-screen. The reply adds an onerror image, quotes, a bidi override and
# bytes that are not UTF-8.
HOSTILE_BANNER = b"<script>document.title='pwned'</script>\x9b\x1b[2J"
HOSTILE_REPLY = (b"454 <script>document.title='pwned'</script>"
                 b"<img src=x onerror=\"document.title='pwned'\">"
                 b"\x1b]0;pwned\x07\x1b[31m\xe2\x80\xae\xff\xfe'\"&amp;\r\n")


def main():
    kind, addr, port, seconds = sys.argv[1], sys.argv[2], int(sys.argv[3]), float(sys.argv[4])
    family = socket.AF_INET6 if ":" in addr else socket.AF_INET
    ls = socket.socket(family, socket.SOCK_STREAM)
    ls.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    ls.bind((addr, port))
    ls.listen(64)
    ls.setblocking(False)
    deadline = time.time() + seconds
    held = []
    greet_at = {}   # connection -> when to send the greeting
    trickle = {}    # connection -> [next byte index, when]
    spoke = set()   # connections whose client spoke before the greeting
    while time.time() < deadline:
        now = time.time()
        for c, (i, at) in list(trickle.items()):
            if now >= at:
                try:
                    c.sendall((b"220 " + b"x" * 4096)[i % 4096:i % 4096 + 1])
                except OSError:
                    del trickle[c]
                    continue
                trickle[c] = [i + 1, now + 0.3]
        for c, at in list(greet_at.items()):
            if now >= at:
                del greet_at[c]
                if c in spoke:
                    c.sendall(b"554 5.5.0 pipelining: you spoke before the greeting\r\n")
                elif kind.startswith("pop3"):
                    c.sendall(b"+OK fake POP3 ready\r\n")
                elif kind == "smtp-talk-ahead":
                    c.sendall(b"220 fake.test ESMTP\r\n250-fake.test\r\n250 STARTTLS\r\n")
                else:
                    c.sendall(b"220 fake.test ESMTP\r\n")
        r, _, _ = select.select([ls] + held, [], [], 0.2)
        for s in r:
            if s is ls:
                c, _ = ls.accept()
                if kind == "reset":
                    c.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                    c.close()
                else:
                    held.append(c)
                    if kind == "smtp-trickle":
                        trickle[c] = [0, time.time()]
                    elif kind.startswith(("smtp", "pop3")):
                        greet_at[c] = time.time() + 0.2
                continue
            try:
                data = s.recv(4096)
            except OSError:
                data = b""
            if not data:
                held.remove(s)
                greet_at.pop(s, None)
                trickle.pop(s, None)
                s.close()
                continue
            if s in greet_at:
                spoke.add(s)
                continue
            if kind == "smtp-trickle":
                continue
            if kind.startswith(("smtp", "pop3")):
                for line in data.split(b"\n"):
                    if line.strip() and not dialogue(kind, s, line):
                        held.remove(s)
                        s.close()
                        break
                continue
            if kind == "hostile-banner":
                s.sendall(HOSTILE_BANNER)
                held.remove(s)
                s.close()
                continue
            if kind == "plaintext":
                s.sendall(b"HTTP/1.1 400 Bad Request\r\nServer: \xff\xfe\x00fake\r\n\r\n")
                held.remove(s)
                s.close()
            elif kind == "hello-then-close":
                body = (b"\x03\x01" + b"\x42" * 32 + b"\x00" + b"\xc0\x13" + b"\x00")
                msg = b"\x02" + len(body).to_bytes(3, "big") + body
                s.sendall(b"\x16\x03\x01" + len(msg).to_bytes(2, "big") + msg)
                held.remove(s)
                s.close()
            elif kind == "garbage":
                # A handshake record whose ServerHello body is cut short.
                s.sendall(bytes([22, 3, 3, 0, 6, 2, 0, 0, 2, 3, 3]))
                held.remove(s)
                s.close()
            # silent: keep reading, never answer


def dialogue(kind, s, data):
    """Answers one client line of a mail dialogue; False closes the connection."""
    line = data.strip().upper()
    if kind == "smtp-close-ehlo":
        return False
    if kind == "smtp-mute-ehlo":
        return True
    if kind.startswith("smtp"):
        if line.startswith(b"EHLO") and kind == "smtp-talk-ahead":
            pass  # it already answered, ahead of time
        elif line.startswith(b"EHLO"):
            s.sendall(b"250-fake.test\r\n250-PIPELINING\r\n250-STARTTLS\r\n250 8BITMIME\r\n")
        elif line == b"STARTTLS" and kind == "smtp-hostile":
            s.sendall(HOSTILE_REPLY)
        elif line == b"STARTTLS" and kind == "smtp-refuse":
            s.sendall(b"454 4.7.0 TLS not available due to local problem\r\n")
        elif line == b"STARTTLS":
            s.sendall(b"220 2.0.0 Ready to start TLS\r\n")
        # after the go-ahead (smtp-go-then-mute): read the hello, say nothing
        return True
    if line == b"STLS":
        s.sendall(b"-ERR TLS 1.0 and 1.1 are not supported. \"Please\" upgrade \xff\xfe\x00 now\r\n")
    return True


if __name__ == "__main__":
    main()
