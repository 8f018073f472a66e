/* tests/unit/reader_test.c: the incremental response reader (tp_reader_feed),
 * tp_parse_server_hello, and the server-side builders through round trips.
 *
 * The reader decides what a server answered from bytes that arrive in any
 * pieces, so every response here is a byte table fed four ways: whole, one
 * byte at a time (each byte from a scratch byte that is clobbered at once,
 * so a reader keeping a pointer into the caller's buffer fails), split at
 * every point into two pieces, and with more bytes after the answer. Each
 * way must give the same outcome, decided at the same byte, and nothing may
 * be consumed after that. The tables cover every tp_result and every
 * reachable tp_malformed reason; a test at the end checks that they do.
 *
 * Where the bytes come from: the TLS 1.3 ServerHello is RFC 8448, section 3
 * ("Simple 1-RTT Handshake"), as printed there; the HelloRetryRequest random
 * is RFC 8446, section 4.1.3. Every other table is hand-made from the
 * structures in RFC 5246 (7.4.1.3, 6.2.1, 7.2), RFC 8446 (4.1.3, 4.1.4,
 * 4.2) and the SSL 2.0 specification (SERVER-HELLO), field by field as the
 * comments show; they are not captures of real servers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* A random with no meaning (and no downgrade sentinel). */
#define RAND24                                                                \
  0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a, 0x6b,     \
      0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75, 0x76, 0x77
#define RAND32 RAND24, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f
#define SID32                                                                 \
  0x90, 0x91, 0x92, 0x93, 0x94, 0x95, 0x96, 0x97, 0x98, 0x99, 0x9a, 0x9b,     \
      0x9c, 0x9d, 0x9e, 0x9f, 0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, \
      0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf
/* RFC 8446, 4.1.3: the random of every HelloRetryRequest,
 * SHA-256("HelloRetryRequest"). */
#define HRR_RANDOM                                                            \
  0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02,     \
      0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, \
      0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c

/* RFC 8448, section 3, "{server} construct a ServerHello handshake message"
 * (90 octets): TLS 1.3 through supported_versions, TLS_AES_128_GCM_SHA256,
 * an x25519 key share, no session id. The record that carries it is
 * "16 03 03 00 5a" (RFC 8448, "complete record (95 octets)"). The bytes
 * check out: SHA-256 of the section's ClientHello and this message is the
 * transcript hash printed there, 860c06ed...e1cad8. */
#define RFC8448_SH_MSG                                                        \
  0x02, 0x00, 0x00, 0x56, 0x03, 0x03, 0xa6, 0xaf, 0x06, 0xa4, 0x12, 0x18,     \
      0x60, 0xdc, 0x5e, 0x6e, 0x60, 0x24, 0x9c, 0xd3, 0x4c, 0x95, 0x93, 0x0c, \
      0x8a, 0xc5, 0xcb, 0x14, 0x34, 0xda, 0xc1, 0x55, 0x77, 0x2e, 0xd3, 0xe2, \
      0x69, 0x28, 0x00, 0x13, 0x01, 0x00, 0x00, 0x2e, 0x00, 0x33, 0x00, 0x24, \
      0x00, 0x1d, 0x00, 0x20, 0xc9, 0x82, 0x88, 0x76, 0x11, 0x20, 0x95, 0xfe, \
      0x66, 0x76, 0x2b, 0xdb, 0xf7, 0xc6, 0x72, 0xe1, 0x56, 0xd6, 0xcc, 0x25, \
      0x3b, 0x83, 0x3d, 0xf1, 0xdd, 0x69, 0xb1, 0xb0, 0x4e, 0x75, 0x1f, 0x0f, \
      0x00, 0x2b, 0x00, 0x02, 0x03, 0x04

static const uint8_t kRfc8448ShMsg[] = {RFC8448_SH_MSG};
static const uint8_t kRfc8448Random[32] = {
    0xa6, 0xaf, 0x06, 0xa4, 0x12, 0x18, 0x60, 0xdc, 0x5e, 0x6e, 0x60,
    0x24, 0x9c, 0xd3, 0x4c, 0x95, 0x93, 0x0c, 0x8a, 0xc5, 0xcb, 0x14,
    0x34, 0xda, 0xc1, 0x55, 0x77, 0x2e, 0xd3, 0xe2, 0x69, 0x28,
};
static const uint8_t kRfc8448ServerShare[32] = {
    0xc9, 0x82, 0x88, 0x76, 0x11, 0x20, 0x95, 0xfe, 0x66, 0x76, 0x2b,
    0xdb, 0xf7, 0xc6, 0x72, 0xe1, 0x56, 0xd6, 0xcc, 0x25, 0x3b, 0x83,
    0x3d, 0xf1, 0xdd, 0x69, 0xb1, 0xb0, 0x4e, 0x75, 0x1f, 0x0f,
};
static const uint8_t kRand32[32] = {RAND32};
static const uint8_t kSid32[32] = {SID32};

static const uint8_t kRfc8448ServerHello[] = {
    0x16, 0x03, 0x03, 0x00, 0x5a, /* handshake record, 90 bytes */
    RFC8448_SH_MSG,
};

/* A TLS 1.2 ServerHello with no extensions block at all, which RFC 5246,
 * 7.4.1.3 allows ("the client MUST check for extensions data"). */
#define TLS12_SH_MSG                                                          \
  0x02, 0x00, 0x00, 0x26,       /* ServerHello, 38 bytes */                   \
      0x03, 0x03, RAND32, 0x00, /* legacy_version, random, no session id */   \
      0xc0, 0x2f, 0x00          /* ECDHE_RSA_AES_128_GCM_SHA256, null */
#define TLS12_SH_RECORD 0x16, 0x03, 0x03, 0x00, 0x2a, TLS12_SH_MSG

static const uint8_t kTls12NoExtensions[] = {TLS12_SH_RECORD};

static const uint8_t kTls11NoExtensions[] = {
    0x16, 0x03, 0x02, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26,
    0x03, 0x02, RAND32, 0x00, /* TLS 1.1 */
    0x00, 0x35, 0x00,         /* RSA_WITH_AES_256_CBC_SHA */
};

static const uint8_t kSsl3ServerHello[] = {
    0x16, 0x03, 0x00, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26,
    0x03, 0x00, RAND32, 0x00, /* SSL 3.0 */
    0x00, 0x0a, 0x00,         /* RSA_WITH_3DES_EDE_CBC_SHA */
};

/* TLS 1.0 with a 32-byte session id and an empty renegotiation_info
 * (RFC 5746, 3.6). */
static const uint8_t kTls10WithExtensions[] = {
    0x16, 0x03, 0x01, 0x00, 0x51,             /* record, 81 bytes */
    0x02, 0x00, 0x00, 0x4d,                   /* ServerHello, 77 bytes */
    0x03, 0x01, RAND32, 0x20, SID32,          /* TLS 1.0, random, session id */
    0xc0, 0x14, 0x00,                         /* ECDHE_RSA_AES_256_CBC_SHA */
    0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00, /* renegotiation_info, empty */
};

/* RFC 8446, 4.1.4: a HelloRetryRequest asking for secp256r1. */
static const uint8_t kHelloRetryRequest[] = {
    0x16, 0x03, 0x03, 0x00, 0x38,             /* record, 56 bytes */
    0x02, 0x00, 0x00, 0x34,                   /* ServerHello, 52 bytes */
    0x03, 0x03, HRR_RANDOM, 0x00,             /* the HRR random, no session id */
    0x13, 0x01, 0x00,                         /* TLS_AES_128_GCM_SHA256 */
    0x00, 0x0c,                               /* extensions, 12 bytes */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,       /* supported_versions: 1.3 */
    0x00, 0x33, 0x00, 0x02, 0x00, 0x17,       /* key_share: selected_group */
};

/* RFC 8446, 6: alert records, {level, description}. */
#define WARNING_UNRECOGNIZED_NAME 0x15, 0x03, 0x01, 0x00, 0x02, 0x01, 0x70
static const uint8_t kFatalHandshakeFailure[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x02, 0x28};
static const uint8_t kCloseNotify[] = {0x15, 0x03, 0x03, 0x00, 0x02, 0x01, 0x00};
static const uint8_t kWarningThenServerHello[] = {WARNING_UNRECOGNIZED_NAME,
                                                  TLS12_SH_RECORD};
static const uint8_t kFourWarningsThenFatal[] = {
    WARNING_UNRECOGNIZED_NAME, WARNING_UNRECOGNIZED_NAME, WARNING_UNRECOGNIZED_NAME,
    WARNING_UNRECOGNIZED_NAME, 0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x28,
};
static const uint8_t kFiveWarnings[] = {
    WARNING_UNRECOGNIZED_NAME, WARNING_UNRECOGNIZED_NAME, WARNING_UNRECOGNIZED_NAME,
    WARNING_UNRECOGNIZED_NAME, WARNING_UNRECOGNIZED_NAME, TLS12_SH_RECORD,
};
/* A warning and a fatal alert in one record (RFC 5246, 6.2.1 lets a record
 * carry several messages of its type). */
static const uint8_t kTwoAlertsOneRecord[] = {0x15, 0x03, 0x01, 0x00, 0x04,
                                              0x01, 0x70, 0x02, 0x28};

/* SSL 2.0, SERVER-HELLO: a 2-byte header (high bit set, length 27), then
 * MSG-SERVER-HELLO (4), SESSION-ID-HIT (1), CERTIFICATE-TYPE, SERVER-VERSION
 * (0x0002), CERTIFICATE-LENGTH, CIPHER-SPECS-LENGTH (0 on a hit) and
 * CONNECTION-ID-LENGTH (16), then the connection id. */
static const uint8_t kSsl2ServerHello[] = {
    0x80, 0x1b, 0x04, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
    0xcc, 0xcd, 0xce, 0xcf,
};
/* A SERVER-HELLO whose record is 5 bytes, too short for its fixed fields. */
static const uint8_t kSsl2TooShort[] = {0x80, 0x05, 0x04, 0x00, 0x01, 0x00, 0x02};

/* Not TLS: what services on TLS ports answer in plain text or binary. */
static const char kHttp[] =
    "HTTP/1.1 400 Bad Request\r\nServer: nginx\r\nContent-Type: text/html\r\n"
    "Content-Length: 0\r\n\r\n";
static const char kSmtpBanner[] = "220 mail.example.com ESMTP ready\r\n";
/* Telnet option negotiation (IAC DO ...): high bit set like SSLv2, but not
 * a SERVER-HELLO. */
static const uint8_t kTelnet[] = {0xff, 0xfd, 0x18, 0xff, 0xfd, 0x20, 0xff, 0xfd, 0x23};

/* Record layer errors (RFC 5246, 6.2.1). */
static const uint8_t kBadRecordVersion[] = {0x16, 0x02, 0x00, 0x00, 0x2a, 0x02, 0x00};
static const uint8_t kBadSecondRecordVersion[] = {WARNING_UNRECOGNIZED_NAME,
                                                  0x16, 0x00, 0x00, 0x00, 0x2a};
static const uint8_t kRecordLengthZero[] = {0x16, 0x03, 0x03, 0x00, 0x00, 0x02};
/* 2^14 + 2048 + 1 = 0x4801 */
static const uint8_t kRecordTooLong[] = {0x16, 0x03, 0x03, 0x48, 0x01, 0x02};
static const uint8_t kApplicationDataFirst[] = {0x17, 0x03, 0x03, 0x00, 0x05,
                                                0x01, 0x02, 0x03, 0x04, 0x05};
static const uint8_t kChangeCipherSpecFirst[] = {0x14, 0x03, 0x03, 0x00, 0x01, 0x01};
static const uint8_t kOddAlertLength[] = {0x15, 0x03, 0x03, 0x00, 0x03, 0x02, 0x28, 0x00};
static const uint8_t kOneByteAlert[] = {0x15, 0x03, 0x03, 0x00, 0x01, 0x02};

/* Handshake layer errors. */
static const uint8_t kCertificateFirst[] = {0x16, 0x03, 0x03, 0x00, 0x07, 0x0b,
                                            0x00, 0x00, 0x03, 0x00, 0x00, 0x00};
static const uint8_t kHelloRequestWithBody[] = {0x16, 0x03, 0x03, 0x00, 0x05,
                                                0x00, 0x00, 0x00, 0x01, 0x00};
/* A ServerHello of 2049 bytes: one over TP_SERVER_HELLO_MAX. */
static const uint8_t kHelloTooLarge[] = {0x16, 0x03, 0x03, 0x00, 0x04,
                                         0x02, 0x00, 0x08, 0x01};
static const uint8_t kHelloEmpty[] = {0x16, 0x03, 0x03, 0x00, 0x04,
                                      0x02, 0x00, 0x00, 0x00};
/* The message ends after the random. */
static const uint8_t kHelloTruncated[] = {0x16, 0x03, 0x03, 0x00, 0x26, 0x02, 0x00,
                                          0x00, 0x22, 0x03, 0x03, RAND32};
/* An empty extensions block and then a byte. */
static const uint8_t kHelloTrailingBytes[] = {
    0x16, 0x03, 0x03, 0x00, 0x2d, 0x02, 0x00, 0x00, 0x29, 0x03, 0x03, RAND32,
    0x00, 0xc0, 0x2f, 0x00, 0x00, 0x00, 0xee,
};
/* One byte after the compression method: too short for an extensions
 * length. */
static const uint8_t kHelloOneTrailingByte[] = {
    0x16, 0x03, 0x03, 0x00, 0x2b, 0x02, 0x00, 0x00, 0x27,
    0x03, 0x03, RAND32, 0x00, 0xc0, 0x2f, 0x00, 0xee,
};
/* legacy_session_id_echo<0..32> with 33 bytes. */
static const uint8_t kHelloSessionId33[] = {
    0x16, 0x03, 0x03, 0x00, 0x4b, 0x02, 0x00, 0x00, 0x47, 0x03, 0x03, RAND32,
    0x21, SID32, 0xee, 0xc0, 0x2f, 0x00,
};
/* The extensions length says 6; 4 bytes follow. */
static const uint8_t kExtensionsBlockTooLong[] = {
    0x16, 0x03, 0x03, 0x00, 0x30, 0x02, 0x00, 0x00, 0x2c, 0x03, 0x03, RAND32,
    0x00, 0xc0, 0x2f, 0x00, 0x00, 0x06, 0xff, 0x01, 0x00, 0x00,
};
/* A 3-byte block: an extension header cut in half. */
static const uint8_t kExtensionHeaderCut[] = {
    0x16, 0x03, 0x03, 0x00, 0x2f, 0x02, 0x00, 0x00, 0x2b, 0x03, 0x03, RAND32,
    0x00, 0xc0, 0x2f, 0x00, 0x00, 0x03, 0x00, 0x2b, 0x00,
};
/* RFC 8446, 4.2.1: a ServerHello's supported_versions is one
 * selected_version, exactly 2 bytes. */
static const uint8_t kSupportedVersionsShort[] = {
    0x16, 0x03, 0x03, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x03, RAND32,
    0x00, 0x13, 0x01, 0x00, 0x00, 0x05, 0x00, 0x2b, 0x00, 0x01, 0x03,
};
/* A client-style version list in a ServerHello. */
static const uint8_t kSupportedVersionsList[] = {
    0x16, 0x03, 0x03, 0x00, 0x34, 0x02, 0x00, 0x00, 0x30, 0x03, 0x03, RAND32,
    0x00, 0x13, 0x01, 0x00, 0x00, 0x08, 0x00, 0x2b, 0x00, 0x04, 0x03, 0x04, 0x03, 0x03,
};
/* RFC 8446, 4.2.8: KeyShareServerHello is a whole KeyShareEntry; here only
 * the group. */
static const uint8_t kKeyShareNoKey[] = {
    0x16, 0x03, 0x03, 0x00, 0x32, 0x02, 0x00, 0x00, 0x2e, 0x03, 0x03, RAND32,
    0x00, 0x13, 0x01, 0x00, 0x00, 0x06, 0x00, 0x33, 0x00, 0x02, 0x00, 0x1d,
};
/* key_exchange<1..2^16-1> empty. */
static const uint8_t kKeyShareEmptyKey[] = {
    0x16, 0x03, 0x03, 0x00, 0x34, 0x02, 0x00, 0x00, 0x30, 0x03, 0x03, RAND32, 0x00,
    0x13, 0x01, 0x00, 0x00, 0x08, 0x00, 0x33, 0x00, 0x04, 0x00, 0x1d, 0x00, 0x00,
};
/* An HRR's key_share is a bare selected_group; here two more bytes. */
static const uint8_t kHrrKeyShareTooLong[] = {
    0x16, 0x03, 0x03, 0x00, 0x3a, 0x02, 0x00, 0x00, 0x36, 0x03, 0x03, HRR_RANDOM,
    0x00, 0x13, 0x01, 0x00, 0x00, 0x0e, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
    0x00, 0x33, 0x00, 0x04, 0x00, 0x17, 0x00, 0x00,
};
/* RFC 8446, 4.2: "There MUST NOT be more than one extension of the same
 * type", for known types... */
static const uint8_t kDuplicateSupportedVersions[] = {
    0x16, 0x03, 0x03, 0x00, 0x38, 0x02, 0x00, 0x00, 0x34, 0x03, 0x03, RAND32,
    0x00, 0x13, 0x01, 0x00, 0x00, 0x0c, 0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04,
};
/* ...and for types without a bit of their own (0x1234 is unassigned). */
static const uint8_t kDuplicateUnknown[] = {
    0x16, 0x03, 0x03, 0x00, 0x34, 0x02, 0x00, 0x00, 0x30, 0x03, 0x03, RAND32, 0x00,
    0xc0, 0x2f, 0x00, 0x00, 0x08, 0x12, 0x34, 0x00, 0x00, 0x12, 0x34, 0x00, 0x00,
};
/* The same with another extension between the two. */
static const uint8_t kDuplicateUnknownApart[] = {
    0x16, 0x03, 0x03, 0x00, 0x3a, 0x02, 0x00, 0x00, 0x36, 0x03, 0x03, RAND32,
    0x00, 0xc0, 0x2f, 0x00, 0x00, 0x0e, 0x12, 0x34, 0x00, 0x01, 0xaa,
    0xff, 0x01, 0x00, 0x01, 0x00, 0x12, 0x34, 0x00, 0x00,
};
/* Two different unknown types share a bit but are no duplicate. */
static const uint8_t kDistinctUnknowns[] = {
    0x16, 0x03, 0x03, 0x00, 0x34, 0x02, 0x00, 0x00, 0x30, 0x03, 0x03, RAND32, 0x00,
    0xc0, 0x2f, 0x00, 0x00, 0x08, 0x12, 0x34, 0x00, 0x00, 0x56, 0x78, 0x00, 0x00,
};
/* An extensions block that is present but empty. */
static const uint8_t kEmptyExtensionsBlock[] = {
    0x16, 0x03, 0x03, 0x00, 0x2c, 0x02, 0x00, 0x00, 0x28, 0x03, 0x03,
    RAND32, 0x00, 0xc0, 0x2f, 0x00, 0x00, 0x00,
};

/* RFC 5246, 7.4.1.1: a HelloRequest may come at any time and is ignored,
 * in its own record or in the ServerHello's. */
static const uint8_t kHelloRequestThenServerHello[] = {
    0x16, 0x03, 0x03, 0x00, 0x04, 0x00, 0x00, 0x00, 0x00, TLS12_SH_RECORD,
};
static const uint8_t kHelloRequestSameRecord[] = {
    0x16, 0x03, 0x03, 0x00, 0x2e, 0x00, 0x00, 0x00, 0x00, TLS12_SH_MSG,
};
/* A server's first flight: ServerHello and Certificate in one record. Only
 * the ServerHello is needed. */
static const uint8_t kServerHelloThenCertificate[] = {
    0x16, 0x03, 0x03, 0x00, 0x61, RFC8448_SH_MSG,
    0x0b, 0x00, 0x00, 0x03, 0x00, 0x00, 0x00,
};

/* RFC 8446, 4.1.3: the last 8 bytes of the random of a 1.3-capable server
 * that negotiated 1.2 ("DOWNGRD" 01) or 1.1 and below ("DOWNGRD" 00). */
#define DOWNGRD 0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44
static const uint8_t kDowngradeTls12[] = {
    0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03,
    RAND24, DOWNGRD, 0x01, 0x00, 0xc0, 0x2f, 0x00,
};
static const uint8_t kDowngradeTls11[] = {
    0x16, 0x03, 0x02, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x02,
    RAND24, DOWNGRD, 0x00, 0x00, 0xc0, 0x13, 0x00,
};
/* Neither value: no sentinel. */
static const uint8_t kDowngradeOther[] = {
    0x16, 0x03, 0x03, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26, 0x03, 0x03,
    RAND24, DOWNGRD, 0x02, 0x00, 0xc0, 0x2f, 0x00,
};

struct vector {
  const char *name;
  const uint8_t *data;
  size_t len;
  enum tp_result result;
  enum tp_malformed why;
  size_t decided_at; /* the byte count at which the result is known */
};

#define V(table, result, why, at) {#table, table, sizeof(table), result, why, at}
#define TEXT(str, result, at) \
  {#str, (const uint8_t *)(str), sizeof(str) - 1, result, TP_BAD_NONE, at}

static const struct vector kVectors[] = {
    V(kRfc8448ServerHello, TP_SERVER_HELLO, TP_BAD_NONE, 95),
    V(kTls12NoExtensions, TP_SERVER_HELLO, TP_BAD_NONE, 47),
    V(kTls11NoExtensions, TP_SERVER_HELLO, TP_BAD_NONE, 47),
    V(kSsl3ServerHello, TP_SERVER_HELLO, TP_BAD_NONE, 47),
    V(kTls10WithExtensions, TP_SERVER_HELLO, TP_BAD_NONE, 86),
    V(kHelloRetryRequest, TP_HELLO_RETRY, TP_BAD_NONE, 61),
    V(kFatalHandshakeFailure, TP_ALERT, TP_BAD_NONE, 7),
    V(kCloseNotify, TP_ALERT, TP_BAD_NONE, 7),
    V(kWarningThenServerHello, TP_SERVER_HELLO, TP_BAD_NONE, 54),
    V(kFourWarningsThenFatal, TP_ALERT, TP_BAD_NONE, 35),
    V(kFiveWarnings, TP_MALFORMED, TP_BAD_TOO_MANY_WARNINGS, 35),
    V(kTwoAlertsOneRecord, TP_ALERT, TP_BAD_NONE, 9),
    V(kSsl2ServerHello, TP_SSL2_SERVER_HELLO, TP_BAD_NONE, 7),
    V(kSsl2TooShort, TP_MALFORMED, TP_BAD_SSL2, 3),
    TEXT(kHttp, TP_NOT_TLS, 1),
    TEXT(kSmtpBanner, TP_NOT_TLS, 1),
    V(kTelnet, TP_NOT_TLS, TP_BAD_NONE, 3),
    V(kBadRecordVersion, TP_MALFORMED, TP_BAD_RECORD_VERSION, 5),
    V(kBadSecondRecordVersion, TP_MALFORMED, TP_BAD_RECORD_VERSION, 12),
    V(kRecordLengthZero, TP_MALFORMED, TP_BAD_RECORD_LENGTH, 5),
    V(kRecordTooLong, TP_MALFORMED, TP_BAD_RECORD_LENGTH, 5),
    V(kApplicationDataFirst, TP_MALFORMED, TP_BAD_UNEXPECTED_RECORD, 5),
    V(kChangeCipherSpecFirst, TP_MALFORMED, TP_BAD_UNEXPECTED_RECORD, 5),
    V(kOddAlertLength, TP_MALFORMED, TP_BAD_ALERT_LENGTH, 5),
    V(kOneByteAlert, TP_MALFORMED, TP_BAD_ALERT_LENGTH, 5),
    V(kCertificateFirst, TP_MALFORMED, TP_BAD_UNEXPECTED_MESSAGE, 9),
    V(kHelloRequestWithBody, TP_MALFORMED, TP_BAD_UNEXPECTED_MESSAGE, 9),
    V(kHelloTooLarge, TP_MALFORMED, TP_BAD_HELLO_TOO_LARGE, 9),
    V(kHelloEmpty, TP_MALFORMED, TP_BAD_HELLO_DECODE, 9),
    V(kHelloTruncated, TP_MALFORMED, TP_BAD_HELLO_DECODE, 43),
    V(kHelloTrailingBytes, TP_MALFORMED, TP_BAD_HELLO_DECODE, 50),
    V(kHelloOneTrailingByte, TP_MALFORMED, TP_BAD_HELLO_DECODE, 48),
    V(kHelloSessionId33, TP_MALFORMED, TP_BAD_HELLO_DECODE, 80),
    V(kExtensionsBlockTooLong, TP_MALFORMED, TP_BAD_HELLO_DECODE, 53),
    V(kExtensionHeaderCut, TP_MALFORMED, TP_BAD_HELLO_DECODE, 52),
    V(kSupportedVersionsShort, TP_MALFORMED, TP_BAD_EXTENSION_DECODE, 54),
    V(kSupportedVersionsList, TP_MALFORMED, TP_BAD_EXTENSION_DECODE, 57),
    V(kKeyShareNoKey, TP_MALFORMED, TP_BAD_EXTENSION_DECODE, 55),
    V(kKeyShareEmptyKey, TP_MALFORMED, TP_BAD_EXTENSION_DECODE, 57),
    V(kHrrKeyShareTooLong, TP_MALFORMED, TP_BAD_EXTENSION_DECODE, 63),
    V(kDuplicateSupportedVersions, TP_MALFORMED, TP_BAD_DUPLICATE_EXTENSION, 61),
    V(kDuplicateUnknown, TP_MALFORMED, TP_BAD_DUPLICATE_EXTENSION, 57),
    V(kDuplicateUnknownApart, TP_MALFORMED, TP_BAD_DUPLICATE_EXTENSION, 63),
    V(kDistinctUnknowns, TP_SERVER_HELLO, TP_BAD_NONE, 57),
    V(kEmptyExtensionsBlock, TP_SERVER_HELLO, TP_BAD_NONE, 49),
    V(kHelloRequestThenServerHello, TP_SERVER_HELLO, TP_BAD_NONE, 56),
    V(kHelloRequestSameRecord, TP_SERVER_HELLO, TP_BAD_NONE, 51),
    V(kServerHelloThenCertificate, TP_SERVER_HELLO, TP_BAD_NONE, 95),
    V(kDowngradeTls12, TP_SERVER_HELLO, TP_BAD_NONE, 47),
    V(kDowngradeTls11, TP_SERVER_HELLO, TP_BAD_NONE, 47),
    V(kDowngradeOther, TP_SERVER_HELLO, TP_BAD_NONE, 47),
};

/* feed_all feeds |len| bytes in one call to a fresh reader. */
static enum tp_result feed_all(struct tp_reader *r, const uint8_t *data, size_t len) {
  tp_reader_init(r);
  return tp_reader_feed(r, data, len);
}

static void views_equal(tp_cbs a, tp_cbs b) {
  assert_int_equal(a.len, b.len);
  if (a.len > 0) {
    assert_memory_equal(a.data, b.data, a.len);
  }
}

/* same_outcome asserts that two readers reached the same answer with the
 * same details. */
static void same_outcome(const struct tp_reader *a, const struct tp_reader *b) {
  assert_int_equal(a->result, b->result);
  assert_int_equal(a->why, b->why);
  assert_int_equal(a->consumed, b->consumed);
  assert_int_equal(a->first_len, b->first_len);
  if (a->first_len > 0) {
    assert_memory_equal(a->first, b->first, a->first_len);
  }
  assert_int_equal(a->record_version, b->record_version);
  assert_int_equal(a->alert_level, b->alert_level);
  assert_int_equal(a->alert_desc, b->alert_desc);
  assert_int_equal(a->warnings, b->warnings);
  assert_int_equal(a->last_warning, b->last_warning);
  assert_int_equal(a->ssl2_version, b->ssl2_version);
  if (a->result != TP_SERVER_HELLO && a->result != TP_HELLO_RETRY) {
    return;
  }
  const struct tp_server_hello *x = &a->sh, *y = &b->sh;
  assert_int_equal(x->legacy_version, y->legacy_version);
  assert_int_equal(x->selected_version, y->selected_version);
  assert_int_equal(x->cipher_suite, y->cipher_suite);
  assert_int_equal(x->compression, y->compression);
  assert_int_equal(x->has_extensions, y->has_extensions);
  assert_int_equal(x->extensions_seen, y->extensions_seen);
  assert_int_equal(x->key_share_group, y->key_share_group);
  assert_int_equal(x->downgrade, y->downgrade);
  assert_int_equal(x->is_hello_retry, y->is_hello_retry);
  views_equal(x->random, y->random);
  views_equal(x->session_id, y->session_id);
  views_equal(x->extensions, y->extensions);
}

/* check_vector feeds one response every way and checks that all agree with
 * the expectation and with each other. */
static void check_vector(const struct vector *v) {
  static struct tp_reader whole, r;
  print_message("vector %s\n", v->name);

  /* Whole. */
  assert_int_equal(feed_all(&whole, v->data, v->len), v->result);
  assert_int_equal(whole.result, v->result);
  assert_int_equal(whole.why, v->why);
  if (v->result != TP_NOT_TLS) {
    /* Nothing after the deciding byte is consumed. NOT_TLS is decided by
     * looking at the first byte, without consuming it. */
    assert_int_equal(whole.consumed, v->decided_at);
  }

  /* One byte at a time, each from a scratch byte clobbered after the call:
   * undecided exactly until the deciding byte. */
  tp_reader_init(&r);
  for (size_t i = 0; i < v->len; i++) {
    uint8_t scratch = v->data[i];
    enum tp_result got = tp_reader_feed(&r, &scratch, 1);
    scratch = (uint8_t)~scratch;
    assert_int_equal(got, r.result);
    assert_int_equal(got, i + 1 < v->decided_at ? TP_NEED_MORE : v->result);
  }
  same_outcome(&r, &whole);

  /* Every split into two pieces, either of which may be empty. */
  for (size_t at = 0; at <= v->len; at++) {
    tp_reader_init(&r);
    enum tp_result first = tp_reader_feed(&r, v->data, at);
    assert_int_equal(first, at < v->decided_at ? TP_NEED_MORE : v->result);
    assert_int_equal(tp_reader_feed(&r, v->data + at, v->len - at), v->result);
    same_outcome(&r, &whole);
  }

  /* Final once decided: more bytes change nothing (but first[] keeps
   * filling, as documented). */
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, v->data, v->len), v->result);
  for (int k = 0; k < 3; k++) {
    assert_int_equal(tp_reader_feed(&r, kTls12NoExtensions, sizeof(kTls12NoExtensions)),
                     v->result);
    assert_int_equal(tp_reader_feed(&r, kFatalHandshakeFailure, 0), v->result);
  }
  assert_int_equal(r.consumed, whole.consumed);
  assert_int_equal(r.why, whole.why);
  assert_int_equal(r.alert_desc, whole.alert_desc);
  assert_int_equal(r.warnings, whole.warnings);
  assert_int_equal(r.first_len, TP_FIRST_BYTES);
}

static void test_vectors_every_split(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVectors); i++) {
    check_vector(&kVectors[i]);
  }
}

static void test_vectors_cover_every_outcome(void **state) {
  (void)state;
  /* Guards the table itself: deleting the last vector of a kind fails. */
  int result_seen[TP_MALFORMED + 1] = {0};
  int why_seen[TP_BAD_TOO_MANY_WARNINGS + 1] = {0};
  for (size_t i = 0; i < COUNT(kVectors); i++) {
    result_seen[kVectors[i].result] = 1;
    why_seen[kVectors[i].why] = 1;
  }
  for (int res = TP_SERVER_HELLO; res <= TP_MALFORMED; res++) {
    assert_true(result_seen[res]);
  }
  for (int why = TP_BAD_RECORD_VERSION; why <= TP_BAD_TOO_MANY_WARNINGS; why++) {
    assert_true(why_seen[why]);
  }
}

static void test_rfc8448_server_hello(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(sizeof(kRfc8448ServerHello), 95);
  assert_int_equal(feed_all(&r, kRfc8448ServerHello, sizeof(kRfc8448ServerHello)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.record_version, 0x0303);
  assert_int_equal(r.sh.legacy_version, 0x0303);
  assert_int_equal(r.sh.selected_version, TP_TLS13);
  assert_int_equal(r.sh.cipher_suite, 0x1301);
  assert_int_equal(r.sh.compression, 0);
  assert_int_equal(r.sh.key_share_group, TP_GROUP_X25519);
  assert_int_equal(r.sh.session_id.len, 0);
  assert_true(tp_cbs_mem_equal(&r.sh.random, kRfc8448Random, 32));
  assert_int_equal(r.sh.has_extensions, 1);
  assert_int_equal(r.sh.extensions.len, 0x2e);
  assert_int_equal(r.sh.extensions_seen,
                   1u << TP_EXT_BIT_KEY_SHARE | 1u << TP_EXT_BIT_SUPPORTED_VERSIONS);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_NONE);
  assert_int_equal(r.sh.is_hello_retry, 0);
  assert_int_equal(r.warnings, 0);
}

static void test_views_point_into_the_reader(void **state) {
  (void)state;
  /* The engine's receive buffer is reused at once: the parsed hello must
   * live in the reader. */
  uint8_t scratch[sizeof(kRfc8448ServerHello)];
  memcpy(scratch, kRfc8448ServerHello, sizeof(scratch));
  struct tp_reader r;
  assert_int_equal(feed_all(&r, scratch, sizeof(scratch)), TP_SERVER_HELLO);
  memset(scratch, 0, sizeof(scratch));
  const uint8_t *lo = (const uint8_t *)&r, *hi = lo + sizeof(r);
  assert_true(r.sh.random.data >= lo && r.sh.random.data + 32 <= hi);
  assert_true(r.sh.extensions.data >= lo && r.sh.extensions.data <= hi);
  assert_true(tp_cbs_mem_equal(&r.sh.random, kRfc8448Random, 32));
}

static void test_tls12_without_extensions(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kTls12NoExtensions, sizeof(kTls12NoExtensions)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.sh.legacy_version, TP_TLS12);
  assert_int_equal(r.sh.selected_version, 0);
  assert_int_equal(r.sh.cipher_suite, 0xc02f);
  assert_int_equal(r.sh.has_extensions, 0);
  assert_int_equal(r.sh.extensions.len, 0);
  assert_int_equal(r.sh.extensions_seen, 0);
  assert_int_equal(r.sh.key_share_group, 0);
  assert_true(tp_cbs_mem_equal(&r.sh.random, kRand32, 32));

  assert_int_equal(feed_all(&r, kTls11NoExtensions, sizeof(kTls11NoExtensions)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.record_version, TP_TLS11);
  assert_int_equal(r.sh.legacy_version, TP_TLS11);
  assert_int_equal(r.sh.cipher_suite, 0x0035);

  assert_int_equal(feed_all(&r, kSsl3ServerHello, sizeof(kSsl3ServerHello)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.record_version, TP_SSL3);
  assert_int_equal(r.sh.legacy_version, TP_SSL3);
  assert_int_equal(r.sh.cipher_suite, 0x000a);

  /* Present but empty is not absent. */
  assert_int_equal(feed_all(&r, kEmptyExtensionsBlock, sizeof(kEmptyExtensionsBlock)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.sh.has_extensions, 1);
  assert_int_equal(r.sh.extensions_seen, 0);
}

static void test_tls10_with_extensions(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kTls10WithExtensions, sizeof(kTls10WithExtensions)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.record_version, TP_TLS10);
  assert_int_equal(r.sh.legacy_version, TP_TLS10);
  assert_true(tp_cbs_mem_equal(&r.sh.session_id, kSid32, 32));
  assert_int_equal(r.sh.cipher_suite, 0xc014);
  assert_int_equal(r.sh.has_extensions, 1);
  assert_int_equal(r.sh.extensions_seen, 1u << TP_EXT_BIT_RENEGOTIATION_INFO);

  assert_int_equal(feed_all(&r, kDistinctUnknowns, sizeof(kDistinctUnknowns)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.sh.extensions_seen, 1u << TP_EXT_BIT_UNKNOWN);
}

static void test_hello_retry_request(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kHelloRetryRequest, sizeof(kHelloRetryRequest)),
                   TP_HELLO_RETRY);
  assert_int_equal(r.sh.is_hello_retry, 1);
  assert_int_equal(r.sh.legacy_version, 0x0303);
  assert_int_equal(r.sh.selected_version, TP_TLS13);
  /* In an HRR, key_share is the group the server wants next. */
  assert_int_equal(r.sh.key_share_group, TP_GROUP_SECP256R1);
  assert_int_equal(r.sh.cipher_suite, 0x1301);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_NONE);
}

static void test_alerts(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kFatalHandshakeFailure, sizeof(kFatalHandshakeFailure)),
                   TP_ALERT);
  assert_int_equal(r.alert_level, TP_ALERT_LEVEL_FATAL);
  assert_int_equal(r.alert_desc, TP_ALERT_HANDSHAKE_FAILURE);
  assert_int_equal(r.warnings, 0);

  /* close_notify is final even at warning level: the server is hanging up. */
  assert_int_equal(feed_all(&r, kCloseNotify, sizeof(kCloseNotify)), TP_ALERT);
  assert_int_equal(r.alert_level, TP_ALERT_LEVEL_WARNING);
  assert_int_equal(r.alert_desc, TP_ALERT_CLOSE_NOTIFY);
  assert_int_equal(r.warnings, 0);

  assert_int_equal(feed_all(&r, kTwoAlertsOneRecord, sizeof(kTwoAlertsOneRecord)),
                   TP_ALERT);
  assert_int_equal(r.alert_level, TP_ALERT_LEVEL_FATAL);
  assert_int_equal(r.alert_desc, TP_ALERT_HANDSHAKE_FAILURE);
  assert_int_equal(r.warnings, 1);
  assert_int_equal(r.last_warning, TP_ALERT_UNRECOGNIZED_NAME);

  static const uint8_t protocol_version[] = {0x15, 0x03, 0x01, 0x00, 0x02, 0x02, 0x46};
  assert_int_equal(feed_all(&r, protocol_version, sizeof(protocol_version)), TP_ALERT);
  assert_int_equal(r.alert_desc, TP_ALERT_PROTOCOL_VERSION);
}

static void test_warnings_before_the_answer(void **state) {
  (void)state;
  struct tp_reader r;
  /* RFC 5246, 7.2: a warning does not end the handshake; old servers send
   * unrecognized_name before their ServerHello. */
  assert_int_equal(feed_all(&r, kWarningThenServerHello, sizeof(kWarningThenServerHello)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.warnings, 1);
  assert_int_equal(r.last_warning, TP_ALERT_UNRECOGNIZED_NAME);
  assert_int_equal(r.alert_desc, 0); /* not reported as the answer */
  assert_int_equal(r.sh.cipher_suite, 0xc02f);
  /* The record version reported is the first record's. */
  assert_int_equal(r.record_version, TP_TLS10);

  /* TP_MAX_WARNING_ALERTS are tolerated... */
  assert_int_equal(feed_all(&r, kFourWarningsThenFatal, sizeof(kFourWarningsThenFatal)),
                   TP_ALERT);
  assert_int_equal(r.warnings, TP_MAX_WARNING_ALERTS);
  assert_int_equal(r.alert_desc, TP_ALERT_HANDSHAKE_FAILURE);
  /* ...one more is a server stalling. */
  assert_int_equal(feed_all(&r, kFiveWarnings, sizeof(kFiveWarnings)), TP_MALFORMED);
  assert_int_equal(r.why, TP_BAD_TOO_MANY_WARNINGS);
  assert_int_equal(r.warnings, TP_MAX_WARNING_ALERTS + 1);

  /* A different last warning is the one kept. */
  static const uint8_t two_warnings[] = {WARNING_UNRECOGNIZED_NAME, 0x15, 0x03, 0x01,
                                         0x00, 0x02, 0x01, 0x5a, TLS12_SH_RECORD};
  assert_int_equal(feed_all(&r, two_warnings, sizeof(two_warnings)), TP_SERVER_HELLO);
  assert_int_equal(r.warnings, 2);
  assert_int_equal(r.last_warning, 90); /* user_canceled */
}

static void test_ssl2_server_hello(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kSsl2ServerHello, sizeof(kSsl2ServerHello)),
                   TP_SSL2_SERVER_HELLO);
  assert_int_equal(r.ssl2_version, TP_SSL2);
  /* The version bytes are taken as they are. */
  uint8_t odd[sizeof(kSsl2ServerHello)];
  memcpy(odd, kSsl2ServerHello, sizeof(odd));
  odd[5] = 0x03;
  odd[6] = 0x01;
  assert_int_equal(feed_all(&r, odd, sizeof(odd)), TP_SSL2_SERVER_HELLO);
  assert_int_equal(r.ssl2_version, 0x0301);
}

static void test_not_tls_keeps_first_bytes(void **state) {
  (void)state;
  struct tp_reader r;
  /* A long answer: the first TP_FIRST_BYTES are kept for the report. */
  assert_true(sizeof(kHttp) - 1 > TP_FIRST_BYTES);
  assert_int_equal(feed_all(&r, (const uint8_t *)kHttp, sizeof(kHttp) - 1), TP_NOT_TLS);
  assert_int_equal(r.first_len, TP_FIRST_BYTES);
  assert_memory_equal(r.first, kHttp, TP_FIRST_BYTES);
  /* A short one is kept whole, in pieces as it came. */
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, (const uint8_t *)kSmtpBanner, 4), TP_NOT_TLS);
  assert_int_equal(r.first_len, 4);
  assert_int_equal(
      tp_reader_feed(&r, (const uint8_t *)kSmtpBanner + 4, sizeof(kSmtpBanner) - 1 - 4),
      TP_NOT_TLS);
  assert_int_equal(r.first_len, sizeof(kSmtpBanner) - 1);
  assert_memory_equal(r.first, kSmtpBanner, sizeof(kSmtpBanner) - 1);
  /* Other plain-text greetings. */
  static const char *const greetings[] = {"* OK IMAP4rev1 ready\r\n", "+OK POP3\r\n",
                                          "SSH-2.0-OpenSSH_9.2\r\n", "\r\n", "<html>"};
  for (size_t i = 0; i < COUNT(greetings); i++) {
    assert_int_equal(
        feed_all(&r, (const uint8_t *)greetings[i], strlen(greetings[i])), TP_NOT_TLS);
  }
}

static void test_first_bytes_of_tls_streams(void **state) {
  (void)state;
  struct tp_reader r;
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, kFatalHandshakeFailure, sizeof(kFatalHandshakeFailure)),
                   TP_ALERT);
  assert_int_equal(r.first_len, sizeof(kFatalHandshakeFailure));
  assert_memory_equal(r.first, kFatalHandshakeFailure, sizeof(kFatalHandshakeFailure));
  /* After the answer, first[] still fills up, but nothing is consumed. */
  assert_int_equal(tp_reader_feed(&r, kRfc8448ServerHello, sizeof(kRfc8448ServerHello)),
                   TP_ALERT);
  assert_int_equal(r.consumed, sizeof(kFatalHandshakeFailure));
  assert_int_equal(r.first_len, TP_FIRST_BYTES);
  assert_memory_equal(r.first + sizeof(kFatalHandshakeFailure), kRfc8448ServerHello,
                      TP_FIRST_BYTES - sizeof(kFatalHandshakeFailure));
}

static void test_empty_feed_changes_nothing(void **state) {
  (void)state;
  struct tp_reader r;
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, kTls12NoExtensions, 0), TP_NEED_MORE);
  assert_int_equal(r.consumed, 0);
  assert_int_equal(r.first_len, 0);
  /* An empty feed must not trip the "first byte" checks either. */
  assert_int_equal(tp_reader_feed(&r, kTls12NoExtensions, sizeof(kTls12NoExtensions)),
                   TP_SERVER_HELLO);
}

static void test_record_length_limits(void **state) {
  (void)state;
  struct tp_reader r;
  /* 2^14 + 2048 is the largest record RFC 5246, 6.2.3 allows: accepted,
   * and the reader waits for its body. */
  static const uint8_t largest[] = {0x16, 0x03, 0x03, 0x48, 0x00};
  assert_int_equal(feed_all(&r, largest, sizeof(largest)), TP_NEED_MORE);
  static const uint8_t largest_alert[] = {0x15, 0x03, 0x03, 0x48, 0x00};
  assert_int_equal(feed_all(&r, largest_alert, sizeof(largest_alert)), TP_NEED_MORE);
}

/* sh_with_body_len writes a TLS 1.2 ServerHello record whose body is exactly
 * |body_len| bytes (at least 46), padded with an unknown extension. */
static size_t sh_with_body_len(size_t body_len, uint8_t *out, size_t cap) {
  tp_cbb b;
  tp_cbb_init(&b, out, cap);
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(&b, TP_TLS12);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, TP_HS_SERVER_HELLO);
  tp_cbb_open_u24(&b);
  tp_cbb_add_u16(&b, TP_TLS12);
  tp_cbb_add_bytes(&b, kRand32, 32);
  tp_cbb_add_u8(&b, 0);
  tp_cbb_add_u16(&b, 0xc02f);
  tp_cbb_add_u8(&b, 0);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u16(&b, 0xfe00); /* an unassigned type */
  tp_cbb_open_u16(&b);
  tp_cbb_add_zeros(&b, body_len - 38 - 2 - 4);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 5 + 4 + body_len);
  return len;
}

static void test_hello_size_limit(void **state) {
  (void)state;
  static uint8_t buf[5 + 4 + TP_SERVER_HELLO_MAX + 16];
  /* TP_SERVER_HELLO_MAX is held and parsed, fed every which way... */
  size_t len = sh_with_body_len(TP_SERVER_HELLO_MAX, buf, sizeof(buf));
  struct vector v = {"largest ServerHello", buf, len, TP_SERVER_HELLO, TP_BAD_NONE, len};
  check_vector(&v);
  /* ...one more byte is refused from its header, before it is buffered. */
  len = sh_with_body_len(TP_SERVER_HELLO_MAX + 1, buf, sizeof(buf));
  struct vector w = {"ServerHello one too large", buf, len, TP_MALFORMED,
                     TP_BAD_HELLO_TOO_LARGE, 9};
  check_vector(&w);
}

/* wrap_records puts |msg| into handshake records of the given sizes. */
static size_t wrap_records(const uint8_t *msg, size_t msg_len, const size_t *sizes,
                           size_t n, uint8_t *out, size_t cap) {
  tp_cbb b;
  tp_cbb_init(&b, out, cap);
  size_t at = 0;
  for (size_t i = 0; i < n; i++) {
    tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
    tp_cbb_add_u16(&b, TP_TLS12);
    tp_cbb_open_u16(&b);
    tp_cbb_add_bytes(&b, msg + at, sizes[i]);
    tp_cbb_close(&b);
    at += sizes[i];
  }
  assert_int_equal(at, msg_len);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  return len;
}

static void test_server_hello_across_records(void **state) {
  (void)state;
  const size_t n = sizeof(kRfc8448ShMsg);
  struct tp_reader ref;
  assert_int_equal(feed_all(&ref, kRfc8448ServerHello, sizeof(kRfc8448ServerHello)),
                   TP_SERVER_HELLO);
  uint8_t buf[1024];
  /* Two records (45 + 45), and three with the message header itself cut
   * (2 + 40 + 48), each fed every way. */
  static const size_t two[] = {45, 45};
  size_t len = wrap_records(kRfc8448ShMsg, n, two, 2, buf, sizeof(buf));
  struct vector v2 = {"RFC 8448 ServerHello in two records", buf, len,
                      TP_SERVER_HELLO, TP_BAD_NONE, 100};
  check_vector(&v2);
  static const size_t three[] = {2, 40, 48};
  len = wrap_records(kRfc8448ShMsg, n, three, 3, buf, sizeof(buf));
  struct vector v3 = {"RFC 8448 ServerHello in three records", buf, len,
                      TP_SERVER_HELLO, TP_BAD_NONE, 105};
  check_vector(&v3);

  /* Every cut into two and three records gives the same ServerHello. */
  for (size_t i = 1; i < n; i++) {
    for (size_t j = i; j < n; j++) {
      size_t sizes[3] = {i, j - i, n - j};
      size_t count = j == i ? 2 : 3;
      if (j == i) {
        sizes[1] = n - i;
      }
      struct tp_reader r;
      len = wrap_records(kRfc8448ShMsg, n, sizes, count, buf, sizeof(buf));
      assert_int_equal(feed_all(&r, buf, len), TP_SERVER_HELLO);
      assert_int_equal(r.consumed, len);
      r.consumed = ref.consumed;
      r.first_len = ref.first_len;
      memcpy(r.first, ref.first, ref.first_len);
      same_outcome(&r, &ref);
    }
  }

  /* One record per byte of the message. */
  size_t ones[sizeof(kRfc8448ShMsg)];
  for (size_t i = 0; i < n; i++) {
    ones[i] = 1;
  }
  len = wrap_records(kRfc8448ShMsg, n, ones, n, buf, sizeof(buf));
  struct tp_reader r;
  assert_int_equal(feed_all(&r, buf, len), TP_SERVER_HELLO);
  assert_int_equal(r.sh.cipher_suite, 0x1301);
  assert_int_equal(r.sh.selected_version, TP_TLS13);
}

static void test_rfc8448_every_three_piece_split(void **state) {
  (void)state;
  const uint8_t *d = kRfc8448ServerHello;
  const size_t n = sizeof(kRfc8448ServerHello);
  struct tp_reader ref, r;
  assert_int_equal(feed_all(&ref, d, n), TP_SERVER_HELLO);
  for (size_t i = 0; i <= n; i++) {
    for (size_t j = i; j <= n; j++) {
      tp_reader_init(&r);
      tp_reader_feed(&r, d, i);
      tp_reader_feed(&r, d + i, j - i);
      assert_int_equal(tp_reader_feed(&r, d + j, n - j), TP_SERVER_HELLO);
      same_outcome(&r, &ref);
    }
  }
}

static void test_server_hello_then_certificate(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(
      feed_all(&r, kServerHelloThenCertificate, sizeof(kServerHelloThenCertificate)),
      TP_SERVER_HELLO);
  /* The Certificate is neither needed nor consumed. */
  assert_int_equal(r.consumed, 5 + sizeof(kRfc8448ShMsg));
  assert_int_equal(r.sh.cipher_suite, 0x1301);
}

static void test_hello_request_ignored(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(
      feed_all(&r, kHelloRequestThenServerHello, sizeof(kHelloRequestThenServerHello)),
      TP_SERVER_HELLO);
  assert_int_equal(r.sh.cipher_suite, 0xc02f);
  assert_true(tp_cbs_mem_equal(&r.sh.random, kRand32, 32));
  assert_int_equal(feed_all(&r, kHelloRequestSameRecord, sizeof(kHelloRequestSameRecord)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.sh.cipher_suite, 0xc02f);
  assert_true(tp_cbs_mem_equal(&r.sh.random, kRand32, 32));
}

static void test_downgrade_sentinel(void **state) {
  (void)state;
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kDowngradeTls12, sizeof(kDowngradeTls12)), TP_SERVER_HELLO);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_TLS12);
  assert_int_equal(feed_all(&r, kDowngradeTls11, sizeof(kDowngradeTls11)), TP_SERVER_HELLO);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_TLS11);
  assert_int_equal(feed_all(&r, kDowngradeOther, sizeof(kDowngradeOther)), TP_SERVER_HELLO);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_NONE);
  /* The sentinel is the random's last 8 bytes, not anywhere in it. */
  uint8_t early[sizeof(kTls12NoExtensions)];
  memcpy(early, kTls12NoExtensions, sizeof(early));
  static const uint8_t sentinel[8] = {DOWNGRD, 0x01};
  memcpy(early + 11, sentinel, 8);
  assert_int_equal(feed_all(&r, early, sizeof(early)), TP_SERVER_HELLO);
  assert_int_equal(r.sh.downgrade, TP_DOWNGRADE_NONE);
}

static void test_echoed_client_hello(void **state) {
  (void)state;
  /* An echo service sends our own ClientHello back: a handshake message,
   * but not a ServerHello. */
  static const uint16_t versions[] = {TP_SSL3, TP_TLS10, TP_TLS12, TP_TLS13};
  uint8_t random[32] = {0}, share[32] = {0};
  for (size_t i = 0; i < COUNT(versions); i++) {
    struct tp_client_hello_opts o;
    memset(&o, 0, sizeof(o));
    o.version = versions[i];
    o.random = random;
    o.x25519_share = share;
    uint8_t hello[TP_CLIENT_HELLO_MAX];
    size_t len;
    assert_int_equal(tp_build_client_hello(&o, hello, sizeof(hello), &len, NULL), 1);
    struct vector v = {"echoed ClientHello", hello, len, TP_MALFORMED,
                       TP_BAD_UNEXPECTED_MESSAGE, 9};
    check_vector(&v);
  }
}

static void test_reader_reusable(void **state) {
  (void)state;
  /* An engine keeps one reader per slot: init must forget everything. */
  struct tp_reader r;
  assert_int_equal(feed_all(&r, kFiveWarnings, sizeof(kFiveWarnings)), TP_MALFORMED);
  assert_int_equal(feed_all(&r, kTls12NoExtensions, sizeof(kTls12NoExtensions)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.warnings, 0);
  assert_int_equal(r.why, TP_BAD_NONE);
  assert_int_equal(r.consumed, sizeof(kTls12NoExtensions));
  assert_int_equal(feed_all(&r, (const uint8_t *)kHttp, 10), TP_NOT_TLS);
  assert_int_equal(feed_all(&r, kSsl2ServerHello, sizeof(kSsl2ServerHello)),
                   TP_SSL2_SERVER_HELLO);
  assert_int_equal(feed_all(&r, kHelloRetryRequest, sizeof(kHelloRetryRequest)),
                   TP_HELLO_RETRY);
  assert_int_equal(feed_all(&r, kTls12NoExtensions, sizeof(kTls12NoExtensions)),
                   TP_SERVER_HELLO);
  assert_int_equal(r.sh.is_hello_retry, 0);
  assert_int_equal(r.sh.selected_version, 0);
}

static void test_parse_server_hello_directly(void **state) {
  (void)state;
  const uint8_t *body = kRfc8448ShMsg + 4;
  const size_t n = sizeof(kRfc8448ShMsg) - 4;
  struct tp_server_hello sh;
  enum tp_malformed why = TP_BAD_NONE;
  assert_int_equal(tp_parse_server_hello(body, n, &sh, &why), 1);
  assert_ptr_equal(sh.random.data, body + 2);
  assert_int_equal(sh.selected_version, TP_TLS13);
  assert_int_equal(sh.key_share_group, TP_GROUP_X25519);
  /* Every truncation fails as a decode error (a fixed field is cut, or the
   * extensions block no longer matches its length), except the one that
   * drops the whole block: that is a valid hello without extensions. */
  const size_t fixed = 2 + 32 + 1 + 2 + 1;
  for (size_t cut = 0; cut < n; cut++) {
    why = TP_BAD_NONE;
    if (cut == fixed) {
      assert_int_equal(tp_parse_server_hello(body, cut, &sh, &why), 1);
      assert_int_equal(sh.has_extensions, 0);
      continue;
    }
    assert_int_equal(tp_parse_server_hello(body, cut, &sh, &why), 0);
    assert_int_equal(why, TP_BAD_HELLO_DECODE);
  }
}

/* ---- Server-side builders, checked against the tables above ------------- */

static void test_build_server_hello_matches_tables(void **state) {
  (void)state;
  uint8_t buf[512];
  size_t len;
  struct tp_server_hello_opts o;

  memset(&o, 0, sizeof(o));
  o.legacy_version = TP_TLS12;
  o.random = kRand32;
  o.cipher_suite = 0xc02f;
  o.no_extensions = 1;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(len, sizeof(kTls12NoExtensions));
  assert_memory_equal(buf, kTls12NoExtensions, len);

  /* record_version 0 means legacy_version. */
  memset(&o, 0, sizeof(o));
  o.legacy_version = TP_SSL3;
  o.random = kRand32;
  o.cipher_suite = 0x000a;
  o.no_extensions = 1;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(len, sizeof(kSsl3ServerHello));
  assert_memory_equal(buf, kSsl3ServerHello, len);

  memset(&o, 0, sizeof(o));
  o.record_version = TP_TLS10;
  o.legacy_version = TP_TLS10;
  o.random = kRand32;
  o.session_id = kSid32;
  o.session_id_len = 32;
  o.cipher_suite = 0xc014;
  o.renegotiation_info = 1;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(len, sizeof(kTls10WithExtensions));
  assert_memory_equal(buf, kTls10WithExtensions, len);

  /* The HRR random is written whatever |random| says. */
  memset(&o, 0, sizeof(o));
  o.record_version = TP_TLS12;
  o.legacy_version = TP_TLS12;
  o.selected_version = TP_TLS13;
  o.hello_retry = 1;
  o.random = NULL;
  o.cipher_suite = 0x1301;
  o.key_share_group = TP_GROUP_SECP256R1;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(len, sizeof(kHelloRetryRequest));
  assert_memory_equal(buf, kHelloRetryRequest, len);
}

static void test_build_server_hello_rfc8448_round_trip(void **state) {
  (void)state;
  /* The builder writes supported_versions before key_share, RFC 8448 the
   * other way round, so the bytes differ; what the reader gets must not. */
  struct tp_server_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.record_version = TP_TLS12;
  o.legacy_version = TP_TLS12;
  o.selected_version = TP_TLS13;
  o.random = kRfc8448Random;
  o.cipher_suite = 0x1301;
  o.key_share_group = TP_GROUP_X25519;
  o.key_share = kRfc8448ServerShare;
  o.key_share_len = 32;
  uint8_t buf[512];
  size_t len;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(len, sizeof(kRfc8448ServerHello));
  struct tp_reader built, rfc;
  assert_int_equal(feed_all(&built, buf, len), TP_SERVER_HELLO);
  assert_int_equal(feed_all(&rfc, kRfc8448ServerHello, sizeof(kRfc8448ServerHello)),
                   TP_SERVER_HELLO);
  assert_int_equal(built.sh.extensions_seen, rfc.sh.extensions_seen);
  assert_int_equal(built.sh.selected_version, rfc.sh.selected_version);
  assert_int_equal(built.sh.key_share_group, rfc.sh.key_share_group);
  assert_int_equal(built.sh.cipher_suite, rfc.sh.cipher_suite);
  assert_int_equal(built.sh.legacy_version, rfc.sh.legacy_version);
  views_equal(built.sh.random, rfc.sh.random);
  views_equal(built.sh.session_id, rfc.sh.session_id);
  assert_int_equal(built.sh.extensions.len, rfc.sh.extensions.len);
}

static void test_build_server_hello_rejects(void **state) {
  (void)state;
  uint8_t buf[512];
  size_t len;
  struct tp_server_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.legacy_version = TP_TLS12;
  o.random = kRand32;
  o.session_id = kSid32;
  o.session_id_len = 32;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  const size_t n = len;
  /* Every capacity short of the record fails, writing nothing past it. */
  for (size_t cap = 0; cap < n; cap++) {
    uint8_t canary[512];
    memset(canary, 0xee, sizeof(canary));
    assert_int_equal(tp_build_server_hello(&o, canary, cap, &len), 0);
    for (size_t k = cap; k < sizeof(canary); k++) {
      assert_int_equal(canary[k], 0xee);
    }
  }
  uint8_t sid33[33] = {0};
  o.session_id = sid33;
  o.session_id_len = 33;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 0);
  o.session_id = NULL;
  o.session_id_len = 1;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 0);
  o.session_id_len = 0;
  o.random = NULL;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 0);
  o.random = kRand32;
  o.key_share_group = TP_GROUP_X25519;
  o.key_share = NULL;
  o.key_share_len = 32;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 0);
}

static void test_build_alert(void **state) {
  (void)state;
  uint8_t buf[16];
  size_t len;
  assert_int_equal(tp_build_alert(TP_TLS12, TP_ALERT_LEVEL_FATAL, TP_ALERT_HANDSHAKE_FAILURE,
                                  buf, sizeof(buf), &len),
                   1);
  assert_int_equal(len, sizeof(kFatalHandshakeFailure));
  assert_memory_equal(buf, kFatalHandshakeFailure, len);
  assert_int_equal(
      tp_build_alert(TP_TLS12, TP_ALERT_LEVEL_WARNING, TP_ALERT_CLOSE_NOTIFY, buf, 7, &len), 1);
  assert_memory_equal(buf, kCloseNotify, sizeof(kCloseNotify));
  for (size_t cap = 0; cap < 7; cap++) {
    assert_int_equal(tp_build_alert(TP_TLS12, 2, 40, buf, cap, &len), 0);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vectors_every_split),
      cmocka_unit_test(test_vectors_cover_every_outcome),
      cmocka_unit_test(test_rfc8448_server_hello),
      cmocka_unit_test(test_views_point_into_the_reader),
      cmocka_unit_test(test_tls12_without_extensions),
      cmocka_unit_test(test_tls10_with_extensions),
      cmocka_unit_test(test_hello_retry_request),
      cmocka_unit_test(test_alerts),
      cmocka_unit_test(test_warnings_before_the_answer),
      cmocka_unit_test(test_ssl2_server_hello),
      cmocka_unit_test(test_not_tls_keeps_first_bytes),
      cmocka_unit_test(test_first_bytes_of_tls_streams),
      cmocka_unit_test(test_empty_feed_changes_nothing),
      cmocka_unit_test(test_record_length_limits),
      cmocka_unit_test(test_hello_size_limit),
      cmocka_unit_test(test_server_hello_across_records),
      cmocka_unit_test(test_rfc8448_every_three_piece_split),
      cmocka_unit_test(test_server_hello_then_certificate),
      cmocka_unit_test(test_hello_request_ignored),
      cmocka_unit_test(test_downgrade_sentinel),
      cmocka_unit_test(test_echoed_client_hello),
      cmocka_unit_test(test_reader_reusable),
      cmocka_unit_test(test_parse_server_hello_directly),
      cmocka_unit_test(test_build_server_hello_matches_tables),
      cmocka_unit_test(test_build_server_hello_rfc8448_round_trip),
      cmocka_unit_test(test_build_server_hello_rejects),
      cmocka_unit_test(test_build_alert),
  };
  return cmocka_run_group_tests_name("reader", tests, NULL, NULL);
}
