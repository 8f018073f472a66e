#!/usr/bin/env python3
"""tests/fuzz/make_seeds.py: writes the seed corpora under corpus/.

Seeds are small, real shapes a server sends (ServerHellos of every version,
a HelloRetryRequest, alerts, an SSLv2 SERVER-HELLO, plaintext banners) and
ClientHello option sets, and STARTTLS dialogues as servers speak them
(Postfix, Exim, Dovecot, Exchange, vsftpd, ProFTPD, OpenLDAP-shaped BER,
Prosody, ejabberd, PostgreSQL), and the application's first exchange after
the handshake (greetings; answers to EHLO, CAPABILITY, CAPA, FEAT and HEAD;
Exchange Online's TLS 1.0 refusals), so the fuzzers start from inputs that
reach deep into the parsers. Run it again after changing it; the files are committed."""
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
    # Header: flags (version % 6, SNI, modern, fallback, minimal, ALPN), SNI
    # length, ALPN length, more (1: empty key share, 2: cheap ciphers).
    material = bytes(range(96))
    for flags in (0x00, 0x01, 0x0A, 0x0B, 0x0C, 0x44, 0x84, 0x9C, 0x24, 0xFF):
        sni = b"mail.example.com"
        alpn = b"h2\x00http/1.1"
        data = bytes([flags, len(sni), len(alpn), 0]) + material + sni + alpn
        write("client_hello", "opts_%02x" % flags, data)
    # TLS 1.3 with an empty key share (full, minimal, cheap), and the cheap
    # profile for TLS 1.2, 1.0 and SSLv3.
    for flags, more in ((0x0A, 0x01), (0x4C, 0x01), (0x1C, 0x03), (0x09, 0x02), (0x01, 0x02),
                        (0x00, 0x02)):
        sni = b"mail.example.com"
        data = bytes([flags, len(sni), 0, more]) + material + sni
        write("client_hello", "opts_%02x_%02x" % (flags, more), data)
    write("client_hello", "ip_sni", bytes([0x0B, 9, 0, 0]) + material + b"127.0.0.1")


# Index of each protocol in fuzz_starttls.c's kProtos (first byte % 8).
STARTTLS_PROTOS = ["smtp", "submission", "imap", "pop3", "ftp", "ldap", "xmpp", "postgres"]


def ber(tag, contents):
    n = len(contents)
    if n < 0x80:
        length = bytes([n])
    elif n < 0x100:
        length = bytes([0x81, n])
    else:
        length = bytes([0x82]) + n.to_bytes(2, "big")
    return bytes([tag]) + length + contents


def ldap_extended_response(message_id, result, diagnostic=b"", name=None):
    """LDAPMessage { messageID, ExtendedResponse } (RFC 4511 4.12, 4.14.2)."""
    op = ber(0x0A, bytes([result])) + ber(0x04, b"") + ber(0x04, diagnostic)
    if name is not None:
        op += ber(0x8A, name)
    return ber(0x30, ber(0x02, bytes([message_id])) + ber(0x78, op))


def pg_message(kind, body):
    """A PostgreSQL backend message: type, Int32 length counting itself, body."""
    return kind + (4 + len(body)).to_bytes(4, "big") + body


def pg_error(sqlstate, message):
    """An ErrorResponse as PostgreSQL 15 sends it (protocol 3)."""
    return pg_message(b"E", b"SFATAL\0VFATAL\0C" + sqlstate + b"\0M" + message
                      + b"\0Fauth.c\0L544\0RClientAuthentication\0\0")


def starttls_seeds():
    postfix = (b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
               b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n250-VRFY\r\n"
               b"250-ETRN\r\n250-STARTTLS\r\n250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n"
               b"250-DSN\r\n250-SMTPUTF8\r\n250 CHUNKING\r\n")
    dovecot = (b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE LITERAL+ "
               b"STARTTLS AUTH=PLAIN] Dovecot (Debian) ready.\r\n")
    prosody = (b"<?xml version='1.0'?><stream:stream xmlns:db='jabber:server:dialback' "
               b"xmlns:stream='http://etherx.jabber.org/streams' version='1.0' "
               b"from='example.com' id='4f8b2c1e' xml:lang='en' xmlns='jabber:client'>")
    tls = b"\x16\x03\x03\x00\x5a\x02\x00\x00\x56\x03\x03"
    starttls = b"<starttls xmlns='urn:ietf:params:xml:ns:xmpp-tls'/>"
    tls_ns = b"xmlns='urn:ietf:params:xml:ns:xmpp-tls'"
    oid = b"1.3.6.1.4.1.1466.20037"
    pg_fields = (b"SFATAL\0VFATAL\0C08P01\0Minvalid length of startup packet\0"
                 b"Fpostmaster.c\0L2000\0RProcessStartupPacket\0\0")
    seeds = {
        "smtp": {
            "postfix": postfix + b"220 2.0.0 Ready to start TLS\r\n" + tls,
            "refused": postfix + b"454 4.7.0 TLS not available due to local problem\r\n",
            "no_starttls": b"220 mx ESMTP\r\n250-mx\r\n250-SIZE 1000\r\n250 8BITMIME\r\n",
            "greeting_554": b"554 5.7.1 Service unavailable\r\n",
            "multiline_lf": b"220-mx ready\n220-more\n220 mx\n250-mx\n250 starttls\n220\n",
            "imap": dovecot,
        },
        "submission": {
            "exim": (b"220 smtp.example.org ESMTP Exim 4.96\r\n"
                     b"250-smtp.example.org Hello mail.example.com [192.0.2.7]\r\n"
                     b"250-SIZE 52428800\r\n250-8BITMIME\r\n250-PIPELINING\r\n250-CHUNKING\r\n"
                     b"250-STARTTLS\r\n250-PRDR\r\n250 HELP\r\n220 TLS go ahead\r\n"),
            "http": b"HTTP/1.1 400 Bad Request\r\nServer: nginx\r\n\r\n",
        },
        "imap": {
            "dovecot": dovecot + b"a1 OK Begin TLS negotiation now.\r\n" + tls,
            "blind": b"* OK IMAP4rev1 Service Ready\r\n* CAPABILITY IMAP4rev1 STARTTLS\r\n"
                     b"a1 OK Begin TLS negotiation now\r\n",
            "no_starttls": b"* OK [CAPABILITY IMAP4rev1 AUTH=PLAIN] ready.\r\n",
            "preauth": b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
            "bye": b"* BYE Server shutting down.\r\n",
            "refused": dovecot + b"a1 NO [UNAVAILABLE] TLS not available\r\n",
        },
        "pop3": {
            "dovecot": b"+OK Dovecot (Debian) ready.\r\n+OK Begin TLS negotiation now.\r\n" + tls,
            "exchange": (b"+OK The Microsoft Exchange POP3 service is ready.\r\n"
                         b"-ERR TLS 1.0 and 1.1 are not supported.\r\n"),
            "err_greeting": b"-ERR [SYS/TEMP] Too many connections\r\n",
        },
        "ftp": {
            "vsftpd": b"220 (vsFTPd 3.0.3)\r\n234 Proceed with negotiation.\r\n" + tls,
            "proftpd": (b"220-Welcome to the example.org archive.\r\n"
                        b"    All transfers are logged.\r\n220-\r\n"
                        b"220 ProFTPD Server (Debian) [::ffff:192.0.2.10]\r\n"
                        b"234 AUTH TLS successful\r\n"),
            "not_understood": b"220 ProFTPD Server\r\n500 AUTH not understood\r\n",
            "later": b"120 Service ready in 1 minute.\r\n220 ready\r\n530 Please login\r\n",
        },
        "ldap": {
            "openldap": ldap_extended_response(1, 0, name=oid) + tls,
            "minimal": ldap_extended_response(1, 0),
            "protocol_error": ldap_extended_response(1, 2, b"unsupported extended operation"),
            "long_diagnostic": ldap_extended_response(1, 52, b"d" * 300),
            "disconnection": ldap_extended_response(0, 52, b"shutting down",
                                                    name=b"1.3.6.1.4.1.1466.20036"),
            # The minimal response with its outer length in the 4-byte long form.
            "long_form": b"\x30\x84\x00\x00\x00\x0c" + ldap_extended_response(1, 0)[2:],
        },
        "xmpp": {
            "prosody": (prosody + b"<stream:features><starttls " + tls_ns + b"><required/>"
                        b"</starttls></stream:features><proceed " + tls_ns + b"/>" + tls),
            "ejabberd": (prosody + b"\n<stream:features>" + starttls +
                         b"<mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'><mechanism>PLAIN"
                         b"</mechanism></mechanisms></stream:features>"
                         b"<proceed " + tls_ns + b"></proceed>"),
            "failure": (prosody + b"<stream:features>" + starttls +
                        b"</stream:features><failure " + tls_ns + b"/>"),
            "host_unknown": (prosody + b"<stream:error><host-unknown "
                             b"xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"),
            "no_starttls": prosody + b"<stream:features/>",
        },
        "postgres": {
            "ssl": b"S" + tls,
            "no_ssl": b"N",
            "error_v3": b"E" + (4 + len(pg_fields)).to_bytes(4, "big") + pg_fields,
            "error_v2": b"EFATAL:  unsupported frontend protocol\n\0",
        },
    }
    for proto, cases in seeds.items():
        index = STARTTLS_PROTOS.index(proto)
        for name, data in sorted(cases.items()):
            # First byte: the protocol (byte % 8) and the piece size
            # ((byte >> 3) + 1): a byte at a time, 4 and 32 at a time.
            for piece_bits in (0x00, 0x18, 0xF8):
                prefix = piece_bits | index
                write("starttls", "%s_%s_%02x" % (proto, name, prefix), bytes([prefix]) + data)


# Index of each mode in fuzz_appcheck.c's kModes (first byte % 30): the
# protocol, and where it says so the other way in (a greeting inside TLS on a
# STARTTLS protocol, a command after a dialogue on an implicit one). Modes
# without seeds here are reached by mutation.
APPCHECK_MODES = ["pop3s", "imaps", "smtps", "ftps", "https", "smtp", "submission", "imap",
                  "pop3", "ftp", "smtp_greeting", "imaps_command", "pop3s_command",
                  "ftps_command", "tls", "ldaps", "ldap", "xmpp", "postgres", "ldap_tls_first",
                  "xmpp_tls_first", "postgres_tls_first"]


def appcheck_seeds():
    """The first application exchange after the handshake, as servers answer
    it, Exchange Online's TLS 1.0/1.1 refusals included; slapd, Prosody and
    PostgreSQL 15 as captured from the daemons."""
    popimap = (b"TLS 1.0 and 1.1 are not supported. Please upgrade/update your client to "
               b"support TLS 1.2. Visit https://aka.ms/popimap_tls\r\n")
    smtp_refusal = (b"421 4.7.66 TLS 1.0 and 1.1 are not supported. Please upgrade/update your "
                    b"client to support TLS 1.2. Visit https://aka.ms/smtp_auth_tls\r\n")
    postfix = b"220 mail.example.com ESMTP Postfix (Debian/GNU)\r\n"
    exchange_smtp = (b"220 SN4PR0501CA0123.outlook.office365.com Microsoft ESMTP MAIL Service "
                     b"ready at Mon, 5 Feb 2024 10:00:00 +0000\r\n")
    ehlo = (b"250-mail.example.com\r\n250-PIPELINING\r\n250-SIZE 10240000\r\n"
            b"250-ENHANCEDSTATUSCODES\r\n250-8BITMIME\r\n250 CHUNKING\r\n")
    dovecot_imap = (b"* OK [CAPABILITY IMAP4rev1 SASL-IR LOGIN-REFERRALS ID ENABLE IDLE "
                    b"LITERAL+ AUTH=PLAIN] Dovecot (Debian) ready.\r\n")
    capability = (b"* CAPABILITY IMAP4rev1 SASL-IR ID ENABLE IDLE AUTH=PLAIN\r\n"
                  b"a2 OK Pre-login capabilities listed.\r\n")
    feat = (b"211-Features:\r\n AUTH TLS\r\n EPSV\r\n MDTM\r\n PBSZ\r\n PROT\r\n"
            b" REST STREAM\r\n SIZE\r\n UTF8\r\n211 End\r\n")
    capa = b"+OK\r\nCAPA\r\nTOP\r\nUIDL\r\nUSER\r\nSASL PLAIN\r\n.\r\n"
    tls = b"\x15\x03\x01\x00\x02\x02\x46"
    slapd_whoami = b"\x30\x0e\x02\x01\x02\x78\x09\x0a\x01\x00\x04\x00\x04\x00\x8b\x00"
    prosody_stream = (b"<?xml version='1.0'?><stream:stream xmlns='jabber:client' xml:lang='en' "
                      b"from='localhost' id='470ab7f2' version='1.0' "
                      b"xmlns:stream='http://etherx.jabber.org/streams'>")
    prosody_features = (b"<stream:features><mechanisms xmlns='urn:ietf:params:xml:ns:xmpp-sasl'>"
                        b"<mechanism>PLAIN</mechanism><mechanism>SCRAM-SHA-1</mechanism>"
                        b"</mechanisms></stream:features>")
    seeds = {
        "pop3s": {
            "dovecot": b"+OK Dovecot (Debian) ready.\r\n",
            "exchange": b"-ERR " + popimap,
            "imap": dovecot_imap,
            "alert": tls,
        },
        "imaps": {
            "dovecot": dovecot_imap,
            "exchange": b"* BYE " + popimap,
            "preauth": b"* PREAUTH IMAP4rev1 server logged in as Smith\r\n",
        },
        "smtps": {
            "postfix": postfix + ehlo,
            "exchange": exchange_smtp + smtp_refusal,
            "greeting_554": b"554-mx.example.net\r\n554 5.7.1 Service unavailable\r\n",
            "multiline_lf": b"220-mx ready\n220 mx\n250-mx\n250 8BITMIME\n",
        },
        "ftps": {
            "vsftpd": b"220 (vsFTPd 3.0.3)\r\n",
            "proftpd": (b"220-Welcome to the example.org archive.\r\n    All transfers are "
                        b"logged.\r\n220-\r\n220 ProFTPD Server (Debian) [::ffff:192.0.2.10]\r\n"),
            "later": b"120 Service ready in 1 minute.\r\n220 ready\r\n",
            "busy": b"421 Too many connections (8) from this IP\r\n",
        },
        "https": {
            "nginx": b"HTTP/1.1 200 OK\r\nServer: nginx\r\nContent-Length: 0\r\n\r\n",
            "bad_request": b"HTTP/1.0 400 Bad Request\r\n",
            "ssh": b"SSH-2.0-OpenSSH_9.2p1 Debian-2\r\n",
            "no_code": b"HTTP/1.1 OK\r\n",
        },
        "smtp": {
            "postfix": ehlo,
            "exchange": smtp_refusal,
            "multiline_554": (b"554-5.7.0 Your TLS version is too old.\r\n"
                              b"554 5.7.0 Use TLS 1.2 or newer.\r\n"),
        },
        "submission": {
            "exchange": (b"250-SN4PR0501CA0123.outlook.office365.com Hello [192.0.2.7]\r\n"
                         b"250-SIZE 157286400\r\n250-PIPELINING\r\n250-AUTH LOGIN XOAUTH2\r\n"
                         b"250 SMTPUTF8\r\n"),
        },
        "imap": {
            "dovecot": capability,
            "exchange": b"* BYE " + popimap,
            "no": b"* CAPABILITY IMAP4rev1\r\na2 NO [UNAVAILABLE] TLS 1.0 is not allowed\r\n",
            "bye_later": b"* OK [ALERT] System shutdown in 10 minutes\r\n* BYE shutting down\r\n",
        },
        "pop3": {
            "capa": capa,
            "exchange": b"-ERR " + popimap,
        },
        "ftp": {
            "vsftpd": feat,
            "not_understood": b"500 FEAT not understood\r\n",
            "refused": b"421 Service not available, closing control connection.\r\n",
        },
        "smtp_greeting": {"postfix": postfix + ehlo},
        "imaps_command": {"dovecot": capability},
        "pop3s_command": {"capa": capa},
        "ftps_command": {"vsftpd": feat},
        "tls": {"anything": b"+OK\r\n"},
        "ldaps": {
            "slapd": slapd_whoami,
            "bind_response": b"\x30\x0c\x02\x01\x02\x61\x07\x0a\x01\x00\x04\x00\x04\x00",
        },
        "ldap": {
            "slapd": slapd_whoami,
            "require_authc": ldap_extended_response(2, 53, b"authentication required"),
            "confidentiality": ldap_extended_response(2, 13, b"TLS 1.2 required"),
            "disconnection": ldap_extended_response(0, 52, b"shutting down",
                                                    name=b"1.3.6.1.4.1.1466.20036"),
            "long_form": b"\x30\x84\x00\x00\x00\x0c" + ldap_extended_response(2, 0)[2:],
        },
        "xmpp": {
            "prosody": prosody_stream + prosody_features,
            "host_unknown": (prosody_stream + b"<stream:error><host-unknown "
                             b"xmlns='urn:ietf:params:xml:ns:xmpp-streams'/></stream:error>"),
            "empty": prosody_stream + b"\n<stream:features/>",
        },
        "postgres": {
            "scram": pg_message(b"R", b"\0\0\0\x0aSCRAM-SHA-256-PLUS\0SCRAM-SHA-256\0\0"),
            "trust": pg_message(b"R", b"\0\0\0\0") + pg_error(b"28000", b'role "tlssweep" does not exist'),
            "no_hba": pg_error(b"28000", b'no pg_hba.conf entry for host "127.0.0.1", user '
                                         b'"tlssweep", database "tlssweep", SSL encryption'),
            "too_many": pg_error(b"53300", b"sorry, too many clients already"),
            "notice": pg_message(b"N", b"SWARNING\0C01000\0Mmaintenance\0\0")
                      + pg_message(b"R", b"\0\0\0\x05\x12\x34\x56\x78"),
            "v2": b"EFATAL:  unsupported frontend protocol\n\0",
        },
        "ldap_tls_first": {"slapd": slapd_whoami},
        "xmpp_tls_first": {"prosody": prosody_stream + prosody_features},
        "postgres_tls_first": {"scram": pg_message(b"R", b"\0\0\0\x0aSCRAM-SHA-256\0\0")},
    }
    for mode, cases in seeds.items():
        index = APPCHECK_MODES.index(mode)
        for name, data in sorted(cases.items()):
            # First byte: the mode (byte % 30) and the piece size
            # (byte // 30 + 1): a byte at a time, 4 and 8 at a time.
            for pieces in (0, 3, 7):
                prefix = pieces * 30 + index
                write("appcheck", "%s_%s_%02x" % (mode, name, prefix), bytes([prefix]) + data)


def ja3s_seeds():
    """ServerHello bodies (no handshake header): the shapes JA3S meets."""
    rnd = bytes(range(32))
    reneg = ext(0xFF01, b"\x00")
    seeds = {
        "openssl_tls12": server_hello(0x0303, rnd, 0xC02F, [reneg, ext(0, b""), ext(11, b"\x01\x00"),
                                                           ext(35, b""), ext(23, b"")]),
        "tls10_reneg": server_hello(0x0301, rnd, 0xC014, [reneg]),
        "ssl3_noext": server_hello(0x0300, rnd, 0x000A),
        "empty_block": server_hello(0x0303, rnd, 0x002F, []),
        "tls13_hello": server_hello(0x0303, rnd, 0x1301, [ext(51, b"\x00\x1d\x00\x20" + b"\x42" * 32),
                                                          ext(43, b"\x03\x04")]),
        "tls13_hrr": server_hello(0x0303, HRR, 0x1302, [ext(43, b"\x03\x04"), ext(51, b"\x00\x17"),
                                                        ext(44, b"\x00\x02\xab\xcd")]),
        "unknown_types": server_hello(0x0303, rnd, 0xCCA8, [ext(0xFE0D, b"\x01"), ext(0x3374, b"")]),
    }
    for name, data in seeds.items():
        write("ja3s", name, data[4:])


def report_seeds():
    """Results files as `tlssweep report` reads them: a lab record with a
    confirmation, --repeat counts and a certificate, an unreachable one, a
    tenant summary, hostile strings, and lines that are not records."""
    lab = (b'{"target":"pop3s://127.77.0.12:995","host":"127.77.0.12","ip":"127.77.0.12",'
           b'"port":995,"proto":"pop3s","label":"retiring","status":"ok","versions":{'
           b'"ssl3":{"verdict":"rejected","reason":"alert","alert":"protocol_version","ms":9},'
           b'"tls1.0":{"verdict":"accepted","cipher":"TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",'
           b'"ms":4,"confirm":{"handshake":"ok","version":"tls1.0","app":"refused",'
           b'"app_message":"-ERR TLS 1.0 and 1.1 are not supported.",'
           b'"repeat":{"n":20,"handshake_ok":20,"app_ok":5,"app_refused":15}}},'
           b'"tls1.2":{"verdict":"accepted","cipher":"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},'
           b'"tls1.3":{"verdict":"timeout","stage":"recv"}},"legacy":true,"legacy_app":false,'
           b'"cert":{"subject":"CN=lab","san":["DNS:lab"],"not_after":"2023-11-20T00:00:00Z",'
           b'"expired":false,"key":{"type":"RSA","bits":1024},"chain_verifies":false}}\n')
    down = b'{"target":"10.0.0.1:443","proto":"tls","label":"t","status":"unreachable"}\n'
    summary = (b'{"tenant":"a.test","label":"t","verdict":"legacy","dns":"ok",'
               b'"endpoints":["x"],"legacy_endpoints":["x"],"legacy_confirmed":[]}\n')
    hostile = (b'{"target":"<script>x</script>","label":"\\"><img src=x>","proto":"<b>",'
               b'"status":"ok","versions":{"tls1.1":{"verdict":"accepted","confirm":'
               b'{"handshake":"ok","app":"refused","app_message":"\\u001b[2J\\u202e\\u0000"}}}}\n')
    write("report", "lab", lab + down + summary)
    write("report", "hostile", hostile + b"\xff\xfe<x>\n" + b"[1]\n\n{}\n" + hostile)
    write("report", "empty", b"")


def policies_seeds():
    """Records as --policy judges them: enumerated suites of every class, a
    certificate, versions that timed out, and records of the wrong shape."""
    full = (b'{"target":"t:443","status":"ok","versions":{'
            b'"ssl3":{"verdict":"rejected"},"tls1.0":{"verdict":"accepted",'
            b'"probe_cipher":"TLS_RSA_WITH_3DES_EDE_CBC_SHA","ciphers":{"complete":true,"suites":['
            b'{"name":"TLS_RSA_WITH_3DES_EDE_CBC_SHA"},{"name":"TLS_RSA_WITH_RC4_128_MD5"},'
            b'{"name":"TLS_DH_anon_WITH_AES_128_CBC_SHA"},{"name":"TLS_RSA_EXPORT_WITH_RC4_40_MD5"}]}},'
            b'"tls1.1":{"verdict":"timeout"},"tls1.2":{"verdict":"accepted",'
            b'"confirm":{"cipher":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},'
            b'"ciphers":{"complete":false,"suites":[{"name":"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},'
            b'{"name":"0x7a7a"}]}},"tls1.3":{"verdict":"accepted","probe_cipher":"TLS_AES_128_GCM_SHA256"}},'
            b'"cert":{"key":{"type":"RSA","bits":1024},"signature":"sha1WithRSAEncryption",'
            b'"expired":true,"chain_verifies":false}}')
    write("policies", "full", full)
    write("policies", "unreachable", b'{"target":"x","status":"unreachable"}')
    write("policies", "wrong_types", b'{"status":"ok","versions":{"tls1.2":{"verdict":"accepted",'
                                     b'"ciphers":{"suites":[1,null,{"name":[]}]}}},"cert":{"key":[]}}')
    write("policies", "not_object", b'[1,"ok",{}]')


def jsonout_seeds():
    """Trees for the compact writer (first byte even: a JSON document) and
    server bytes (odd: raw, sanitised into a string)."""
    write("jsonout", "record", b"\x00" + (b'{"target":"smtp://mx:25","label":"t \\"a\\"","line":7,'
                                          b'"versions":{"tls1.0":{"verdict":"rejected","reply":'
                                          b'"454 \\u0000\\u001f\\b\\f\\n\\r\\t\\/\u00e9\u2028"},'
                                          b'"tls1.2":{"verdict":"accepted","ms":-12,"ok":true,'
                                          b'"no":false,"none":null,"r":1.5e-3,"e":{},"l":[]}}}'))
    write("jsonout", "scalars", b"\x02[0,-9223372036854775808,9223372036854775807,\"\",1e300]")
    write("jsonout", "deep", b"\x04" + b"[" * 40 + b"]" * 40)
    write("jsonout", "server_bytes", b"\x01" + bytes(range(256)) + "\u00e9\u20ac\U0001f600".encode())


if __name__ == "__main__":
    reader_seeds()
    client_hello_seeds()
    starttls_seeds()
    appcheck_seeds()
    ja3s_seeds()
    report_seeds()
    policies_seeds()
    jsonout_seeds()
