#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py: writes the seed corpora under corpus/.

Seeds are small, real shapes a server sends (ServerHellos of every version,
a HelloRetryRequest, alerts, an SSLv2 SERVER-HELLO, plaintext banners) and
ClientHello option sets, so the fuzzers start from inputs that reach deep
into the parsers. Run it again after changing it; the files are committed."""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
HRR = bytes.fromhex("cf21ad74e59a6111be1d8c021e65b891c2a211167abb8c5e079e09e2c8a8339c")


def record(ctype, version, body):
    return struct.pack(">BHH", ctype, version, len(body)) + body


def ext(etype, body):
    return struct.pack(">HH", etype, len(body)) + body


def server_hello(legacy, random, suite, exts=None, session=b"\x11" * 32):
    body = struct.pack(">H", legacy) + random + bytes([len(session)]) + session
    body += struct.pack(">HB", suite, 0)
    if exts is not None:
        blob = b"".join(exts)
        body += struct.pack(">H", len(blob)) + blob
    return bytes([2]) + len(body).to_bytes(3, "big") + body


def write(folder, name, data):
    path = os.path.join(HERE, "corpus", folder)
    os.makedirs(path, exist_ok=True)
    with open(os.path.join(path, name), "wb") as f:
        f.write(data)


def reader_seeds():
    rnd = bytes(range(32))
    down12 = rnd[:24] + b"DOWNGRD\x01"
    reneg = ext(0xFF01, b"\x00")
    seeds = {
        "tls10_hello": record(22, 0x0301, server_hello(0x0301, rnd, 0xC014, [reneg])),
        "tls11_noext": record(22, 0x0302, server_hello(0x0302, rnd, 0x002F)),
        "tls12_down": record(22, 0x0303, server_hello(0x0303, down12, 0xC02F, [reneg, ext(23, b"")])),
        "tls13_hello": record(22, 0x0303, server_hello(
            0x0303, rnd, 0x1301, [ext(43, b"\x03\x04"), ext(51, b"\x00\x1d\x00\x20" + b"\x42" * 32)])),
        "tls13_hrr": record(22, 0x0303, server_hello(
            0x0303, HRR, 0x1302, [ext(43, b"\x03\x04"), ext(51, b"\x00\x17")])),
        "alert_fatal": record(21, 0x0303, b"\x02\x46"),
        "alert_warning_then_hello": record(21, 0x0301, b"\x01\x70")
        + record(22, 0x0301, server_hello(0x0301, rnd, 0x000A)),
        "ssl2_server_hello": bytes([0x80 | 0, 0x20, 4, 0, 1, 0, 2, 0, 0, 0, 3, 0, 0x10]) + b"\x00" * 20,
        "http": b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n",
        "smtp": b"220 mail.example.com ESMTP Postfix\r\n",
    }
    # A ServerHello split over two records, and one followed by a Certificate.
    sh = server_hello(0x0303, rnd, 0xC030, [reneg])
    seeds["split_records"] = record(22, 0x0303, sh[:20]) + record(22, 0x0303, sh[20:])
    seeds["hello_and_cert"] = record(22, 0x0303, sh + b"\x0b\x00\x00\x03\x00\x00\x00")
    for name, data in sorted(seeds.items()):
        # First byte: the pinned version (byte % 5: ssl3 .. tls1.3) and the
        # piece size ((byte >> 3) + 1). Each seed is pinned to TLS 1.0, 1.2
        # and 1.3, fed a byte at a time and in pieces of 16 and 32.
        for pinned in (1, 3, 4):
            for piece_bits in (0x00, 0x78, 0xF8):
                prefix = next(piece_bits | low for low in range(8) if (piece_bits | low) % 5 == pinned)
                write("reader", "%s_%02x" % (name, prefix), bytes([prefix]) + data)


def client_hello_seeds():
    material = bytes(range(96))
    for flags in (0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x44, 0x84, 0x9C, 0x24, 0xFF):
        sni = b"mail.example.com"
        alpn = b"h2\x00http/1.1"
        data = bytes([flags, len(sni), len(alpn)]) + material + sni + alpn
        write("client_hello", "opts_%02x" % flags, data)
    write("client_hello", "ip_sni", bytes([0x0B, 9, 0]) + material + b"127.0.0.1")


if __name__ == "__main__":
    reader_seeds()
    client_hello_seeds()
