/* tlsparse/tlsparse.h: the hand-written TLS core of tlssweep.
 *
 * A pure library: no I/O, no allocation, no globals. It builds ClientHellos
 * pinned to one protocol version into a caller's buffer, reads whatever a
 * server sends back incrementally (bytes may arrive one at a time) until it
 * can say what the server answered, and turns that answer into the probe's
 * verdict, so the scanner and the tests share one definition of "accepted".
 * It also builds ServerHellos and alerts, for tests and the bench responder,
 * and names versions, alerts, groups and cipher suites for reports.
 *
 * Ownership: every function works on memory the caller owns. Views returned
 * by the reader point into the tp_reader itself and live as long as it does. */
#ifndef TLSPARSE_TLSPARSE_H
#define TLSPARSE_TLSPARSE_H

#include <stddef.h>
#include <stdint.h>

#include "tlsparse/bytes.h"

/* Protocol versions, as on the wire. SSLv2 appears only in an SSLv2-format
 * server hello. */
enum {
  TP_SSL2 = 0x0002,
  TP_SSL3 = 0x0300,
  TP_TLS10 = 0x0301,
  TP_TLS11 = 0x0302,
  TP_TLS12 = 0x0303,
  TP_TLS13 = 0x0304,
};

/* Record content types (RFC 8446, section 5.1). */
enum {
  TP_RECORD_CHANGE_CIPHER_SPEC = 20,
  TP_RECORD_ALERT = 21,
  TP_RECORD_HANDSHAKE = 22,
  TP_RECORD_APPLICATION_DATA = 23,
};

/* Alert levels and the descriptions tlsparse itself acts on (RFC 8446, 6). */
enum {
  TP_ALERT_LEVEL_WARNING = 1,
  TP_ALERT_LEVEL_FATAL = 2,
  TP_ALERT_CLOSE_NOTIFY = 0,
  TP_ALERT_HANDSHAKE_FAILURE = 40,
  TP_ALERT_PROTOCOL_VERSION = 70,
  TP_ALERT_INAPPROPRIATE_FALLBACK = 86,
  TP_ALERT_UNRECOGNIZED_NAME = 112,
};

/* Handshake message types we meet before or in a ServerHello. */
enum {
  TP_HS_HELLO_REQUEST = 0,
  TP_HS_CLIENT_HELLO = 1,
  TP_HS_SERVER_HELLO = 2,
};

/* Extensions tlsparse knows by name. Each has a bit (TP_EXT_BIT_*) in the
 * masks of what was offered and what the server sent back; a ServerHello
 * extension outside the offered mask is itself a finding. The bits follow
 * the types' order, and everything else about an extension (its name, how a
 * ClientHello writes it, how a ServerHello's is read) is one entry of the
 * table in extensions.c: adding one means a type here, a bit in that order,
 * and its entry there. */
enum {
  TP_EXT_SERVER_NAME = 0,
  TP_EXT_MAX_FRAGMENT_LENGTH = 1,
  TP_EXT_STATUS_REQUEST = 5,
  TP_EXT_SUPPORTED_GROUPS = 10,
  TP_EXT_EC_POINT_FORMATS = 11,
  TP_EXT_SIGNATURE_ALGORITHMS = 13,
  TP_EXT_HEARTBEAT = 15,
  TP_EXT_ALPN = 16,
  TP_EXT_SCT = 18,
  TP_EXT_PADDING = 21,
  TP_EXT_ENCRYPT_THEN_MAC = 22,
  TP_EXT_EXTENDED_MASTER_SECRET = 23,
  TP_EXT_RECORD_SIZE_LIMIT = 28,
  TP_EXT_SESSION_TICKET = 35,
  TP_EXT_PRE_SHARED_KEY = 41,
  TP_EXT_EARLY_DATA = 42,
  TP_EXT_SUPPORTED_VERSIONS = 43,
  TP_EXT_COOKIE = 44,
  TP_EXT_PSK_KEY_EXCHANGE_MODES = 45,
  TP_EXT_KEY_SHARE = 51,
  TP_EXT_RENEGOTIATION_INFO = 0xff01,
};

enum tp_ext_bit {
  TP_EXT_BIT_SERVER_NAME,
  TP_EXT_BIT_MAX_FRAGMENT_LENGTH,
  TP_EXT_BIT_STATUS_REQUEST,
  TP_EXT_BIT_SUPPORTED_GROUPS,
  TP_EXT_BIT_EC_POINT_FORMATS,
  TP_EXT_BIT_SIGNATURE_ALGORITHMS,
  TP_EXT_BIT_HEARTBEAT,
  TP_EXT_BIT_ALPN,
  TP_EXT_BIT_SCT,
  TP_EXT_BIT_PADDING,
  TP_EXT_BIT_ENCRYPT_THEN_MAC,
  TP_EXT_BIT_EXTENDED_MASTER_SECRET,
  TP_EXT_BIT_RECORD_SIZE_LIMIT,
  TP_EXT_BIT_SESSION_TICKET,
  TP_EXT_BIT_PRE_SHARED_KEY,
  TP_EXT_BIT_EARLY_DATA,
  TP_EXT_BIT_SUPPORTED_VERSIONS,
  TP_EXT_BIT_COOKIE,
  TP_EXT_BIT_PSK_KEY_EXCHANGE_MODES,
  TP_EXT_BIT_KEY_SHARE,
  TP_EXT_BIT_RENEGOTIATION_INFO,
  TP_EXT_BIT_UNKNOWN, /* any extension type not listed above */
  TP_EXT_BIT_COUNT,
};

/* tp_ext_bit_of returns the bit for extension |type| (TP_EXT_BIT_UNKNOWN for
 * types not listed). */
enum tp_ext_bit tp_ext_bit_of(uint16_t type);

/* Named groups. */
enum {
  TP_GROUP_SECP256R1 = 23,
  TP_GROUP_SECP384R1 = 24,
  TP_GROUP_SECP521R1 = 25,
  TP_GROUP_X25519 = 29,
  TP_GROUP_X448 = 30,
  TP_GROUP_FFDHE2048 = 256,
  TP_GROUP_FFDHE3072 = 257,
};

/* Signalling cipher suites. */
enum {
  TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV = 0x00ff,
  TP_TLS_FALLBACK_SCSV = 0x5600,
};

/* ---- ClientHello builder ------------------------------------------------ */

/* Cipher profiles. BROAD offers everything a server of the pinned version's
 * era may insist on (RSA, DHE, ECDHE key exchange; AEAD, CBC, 3DES, and RC4
 * and single DES where the version allows), strongest first. MODERN offers
 * what a current browser offers, for servers that refuse a hello carrying
 * weak ciphers: for 1.2, forward-secret AES-GCM and ChaCha20, then ECDHE
 * AES-CBC; for 1.0 and 1.1, AES-CBC only (ECDHE, DHE, RSA); for 1.3, the
 * 1.3 suites only. CHEAP offers exactly BROAD's suites, with the static RSA
 * key exchange ones (TLS_RSA_WITH_*) first and the rest after, each part in
 * BROAD's order: a server honouring the client's order then answers without
 * a ServerKeyExchange, so it signs nothing, and a server choosing by its own
 * order chooses as from BROAD, so the verdict cannot change. For 1.3 the 1.3
 * suites lead as in BROAD and only the 1.2 tail is reordered. */
enum tp_cipher_profile {
  TP_CIPHERS_BROAD,
  TP_CIPHERS_MODERN,
  TP_CIPHERS_CHEAP,
};

/* Largest ClientHello tp_build_client_hello writes, record header included. */
#define TP_CLIENT_HELLO_MAX 2048
/* Handshake-message size a padded hello reaches (RFC 7685, section 4: some
 * middleboxes hang on hellos of 256 to 511 bytes). */
#define TP_CLIENT_HELLO_PAD_TO 512

struct tp_client_hello_opts {
  uint16_t version;                /* TP_SSL3 .. TP_TLS13 */
  const char *sni;                 /* host name, or NULL; IP literals are never sent */
  enum tp_cipher_profile ciphers;
  /* cipher_list: the suites to offer, in this order, instead of the
   * profile's (suite enumeration offers what is left to learn);
   * |cipher_list_len| of them, at least one. The renegotiation SCSV still
   * follows them. A list too long for TP_CLIENT_HELLO_MAX fails the build. */
  const uint16_t *cipher_list;
  size_t cipher_list_len;
  int fallback_scsv;               /* add TLS_FALLBACK_SCSV (RFC 7507) */
  const char *const *alpn;         /* protocol names, or NULL */
  size_t alpn_count;
  /* minimal: the short shape for servers intolerant of large hellos or of
   * extensions: no extensions for SSLv3 to TLS 1.1; only
   * signature_algorithms for TLS 1.2 (without it a server must assume SHA-1
   * signatures, RFC 5246, 7.4.1.4.1, which OpenSSL 3 refuses at its default
   * security level); only the four TLS 1.3 needs (supported_versions,
   * supported_groups, key_share, signature_algorithms) for 1.3; no padding. */
  int minimal;
  const uint8_t *random;           /* 32 bytes */
  const uint8_t *session_id;       /* 32 bytes, or NULL for an empty one */
  const uint8_t *x25519_share;     /* 32 bytes, TLS 1.3 only */
  /* key_share_empty (TLS 1.3 only, full and minimal shapes): a key_share
   * extension with an empty client_shares list, which RFC 8446, 4.2.8
   * allows. A 1.3 server then answers with a HelloRetryRequest naming the
   * group it wants, which costs it no key exchange and no signature and
   * counts as acceptance. supported_groups offers the same groups as ever;
   * |x25519_share| is not needed, and the layout's key_share_at is 0. */
  int key_share_empty;
};

/* Where the per-probe parts sit in a built hello, so that an engine can build
 * the constant part once and patch only these; and what was offered. */
struct tp_client_hello_layout {
  size_t random_at;       /* offset of the 32-byte random */
  size_t session_id_at;   /* offset of the session id bytes (0 if empty) */
  size_t key_share_at;    /* offset of the x25519 share (0 if none or empty) */
  uint32_t offered_exts;  /* mask of 1u << tp_ext_bit */
  size_t cipher_count;    /* cipher suites offered, SCSVs included */
};

/* tp_sni_usable returns 1 when |name| may go in server_name: a DNS host name
 * (letters, digits, '-', '_', dots, 1-253 bytes with an optional trailing
 * dot) that is not an IPv4 or IPv6 literal (RFC 6066, section 3). */
int tp_sni_usable(const char *name);

/* tp_build_client_hello writes one TLS record holding a ClientHello pinned to
 * |opts->version| into |out| (|cap| bytes). It returns 1 and sets |*out_len|
 * (and |*out_layout| if not NULL) on success; 0 when an option is invalid or
 * |cap| is too small. */
int tp_build_client_hello(const struct tp_client_hello_opts *opts, uint8_t *out,
                          size_t cap, size_t *out_len,
                          struct tp_client_hello_layout *out_layout);

/* A hello template: a pinned hello built once, without what changes per
 * probe (SNI, random, session id, key share), so that an engine patches a
 * probe's hello in a couple of copies instead of building it (zmap's "build
 * the constant part once"). tp_build_client_hello is the two steps in one,
 * so both paths write the same bytes for the same options. */
struct tp_hello_template {
  uint16_t version;
  int sni_allowed;          /* this shape carries server_name for host names */
  int pad;                  /* this shape is padded (RFC 7685) */
  size_t len;               /* bytes in |bytes|: the hello without SNI or padding */
  size_t ext_list_at;       /* offset of the first extension; 0 without extensions */
  struct tp_client_hello_layout layout; /* offsets in |bytes| */
  uint8_t bytes[TP_CLIENT_HELLO_MAX];
};

/* tp_hello_template_init builds the template for |opts|; |opts->sni| is
 * ignored, and |random|, |session_id| and |x25519_share| may be NULL (zeros
 * until patched; a NULL session_id means an empty one). Returns 1, or 0 when
 * an option is invalid or the hello does not fit. */
int tp_hello_template_init(struct tp_hello_template *t,
                           const struct tp_client_hello_opts *opts);

/* tp_hello_from_template writes one probe's hello into |out| (|cap| bytes):
 * the template with SNI for |sni| (when the shape carries it and the name may
 * be sent; NULL for none), padding sized to match, and |random|,
 * |session_id|, |x25519_share| (32 bytes each; NULL keeps the template's)
 * patched in. Returns 1 with |*out_len| and |*out_layout| (if not NULL), or
 * 0 when |cap| is too small. */
int tp_hello_from_template(const struct tp_hello_template *t, const char *sni,
                           const uint8_t *random, const uint8_t *session_id,
                           const uint8_t *x25519_share, uint8_t *out, size_t cap,
                           size_t *out_len, struct tp_client_hello_layout *out_layout);

/* ---- Response reader ----------------------------------------------------- */

/* What the server's first bytes turned out to be. */
enum tp_result {
  TP_NEED_MORE,           /* undecided: feed more bytes */
  TP_SERVER_HELLO,        /* a complete ServerHello, parsed into reader->sh */
  TP_HELLO_RETRY,         /* a HelloRetryRequest (RFC 8446, section 4.1.4) */
  TP_ALERT,               /* a fatal alert (or close_notify): reader->alert_level/_desc */
  TP_SSL2_SERVER_HELLO,   /* an SSLv2 SERVER-HELLO: reader->ssl2_version */
  TP_NOT_TLS,             /* not a TLS or SSL stream: see reader->first */
  TP_MALFORMED,           /* TLS, but broken: reader->why */
};

/* Why a response was malformed. */
enum tp_malformed {
  TP_BAD_NONE,
  TP_BAD_RECORD_VERSION,      /* record version major is not 3 */
  TP_BAD_RECORD_LENGTH,       /* record longer than 2^14 + 2048, or empty */
  TP_BAD_UNEXPECTED_RECORD,   /* change_cipher_spec, application_data... first */
  TP_BAD_UNEXPECTED_MESSAGE,  /* a handshake message other than ServerHello first */
  TP_BAD_HELLO_TOO_LARGE,     /* ServerHello longer than TP_SERVER_HELLO_MAX */
  TP_BAD_HELLO_DECODE,        /* ServerHello body does not parse */
  TP_BAD_EXTENSION_DECODE,    /* an extension's body does not parse */
  TP_BAD_DUPLICATE_EXTENSION, /* the same extension twice */
  TP_BAD_ALERT_LENGTH,        /* an alert record that is not 2 bytes */
  TP_BAD_SSL2,                /* an SSLv2-format record that does not parse */
  TP_BAD_TOO_MANY_WARNINGS,   /* more than TP_MAX_WARNING_ALERTS warnings */
};

/* Warning alerts skipped before the answer; a server that sends more is
 * stalling, and the stream is called malformed rather than read forever. */
#define TP_MAX_WARNING_ALERTS 4

/* Largest ServerHello body (after the 4-byte message header) we hold. A real
 * one is under 200 bytes, or about 1,200 with a post-quantum key share. */
#define TP_SERVER_HELLO_MAX 2048
/* Bytes of the stream kept verbatim for reports (first_bytes). */
#define TP_FIRST_BYTES 48

/* The TLS 1.3 downgrade sentinel in ServerHello.random (RFC 8446, 4.1.3). */
enum tp_downgrade {
  TP_DOWNGRADE_NONE,
  TP_DOWNGRADE_TLS12, /* "DOWNGRD\x01": the server also speaks TLS 1.3 */
  TP_DOWNGRADE_TLS11, /* "DOWNGRD\x00": the server also speaks TLS 1.2 */
};

/* A parsed ServerHello; views point into the reader's message buffer. */
struct tp_server_hello {
  uint16_t legacy_version;
  uint16_t selected_version;   /* from supported_versions; 0 when absent */
  tp_cbs random;               /* 32 bytes */
  tp_cbs session_id;
  uint16_t cipher_suite;
  uint8_t compression;
  int has_extensions;          /* the extensions block was present */
  tp_cbs extensions;           /* the raw block */
  uint32_t extensions_seen;    /* mask of 1u << tp_ext_bit */
  uint16_t key_share_group;    /* 0 when no key_share */
  enum tp_downgrade downgrade;
  int is_hello_retry;
};

/* tp_reader holds the state of one probe's response. Its size is fixed
 * (about 2.2 KB) so that an engine can keep one per connection slot. */
struct tp_reader {
  enum tp_result result;
  enum tp_malformed why;
  uint64_t consumed;            /* bytes of the stream seen so far */

  uint8_t first[TP_FIRST_BYTES];
  uint8_t first_len;

  uint8_t hdr[5];               /* current record header */
  uint8_t hdr_len;
  uint16_t record_version;      /* of the first record */
  uint8_t record_type;
  uint32_t record_left;         /* payload bytes of the current record still to come */

  uint8_t alert[2];
  uint8_t alert_len;
  uint8_t alert_level;
  uint8_t alert_desc;
  /* Warning alerts other than close_notify do not end a handshake (RFC 5246,
   * 7.2): old servers send unrecognized_name before their ServerHello. The
   * reader skips them, keeping the count and the last one for reports. */
  uint8_t warnings;
  uint8_t last_warning;

  uint8_t ssl2[7];              /* SSLv2 header, type, hit, cert type, version */
  uint8_t ssl2_len;
  uint16_t ssl2_version;

  uint32_t msg_len;             /* bytes of the current handshake message held */

  /* Last, so that tp_reader_init need not clear them: |sh| is written whole
   * when a ServerHello is parsed and means something only when the result
   * is TP_SERVER_HELLO or TP_HELLO_RETRY; |msg| fills as bytes arrive. */
  struct tp_server_hello sh;
  uint8_t msg[4 + TP_SERVER_HELLO_MAX];
};

/* tp_reader_init readies |r| for a new response stream. */
void tp_reader_init(struct tp_reader *r);

/* tp_reader_feed consumes bytes of the server's stream and returns the result
 * so far. Once the result is not TP_NEED_MORE it is final: later calls
 * return it again and consume nothing more, except that bytes are still
 * copied into |r->first| until it is full. Bytes that follow a complete
 * ServerHello are not needed and not held. */
enum tp_result tp_reader_feed(struct tp_reader *r, const uint8_t *data, size_t len);

/* tp_parse_server_hello parses a ServerHello body (the message without its
 * 4-byte header) into |out|, with views into |body|. Returns 1, or 0 and
 * |*out_why|; |*out| then holds only what was read before the error. */
int tp_parse_server_hello(const uint8_t *body, size_t len,
                          struct tp_server_hello *out, enum tp_malformed *out_why);

/* ---- Verdict ------------------------------------------------------------- */

enum tp_verdict {
  TP_VERDICT_PENDING,           /* the reader needs more bytes */
  TP_VERDICT_ACCEPTED,          /* exactly the pinned version (or an HRR, for 1.3) */
  TP_VERDICT_VERSION_MISMATCH,  /* the server chose another version: server_version */
  TP_VERDICT_ALERT,             /* the server refused with an alert: alert */
  TP_VERDICT_NOT_TLS,           /* the server does not speak TLS here */
  TP_VERDICT_MALFORMED,         /* the server spoke broken TLS: why */
};

struct tp_probe_verdict {
  enum tp_verdict verdict;
  uint16_t server_version;     /* version the server chose (0 if none) */
  uint16_t cipher_suite;       /* for ServerHello and HRR */
  uint16_t key_share_group;
  uint8_t alert_level;
  uint8_t alert;               /* for TP_VERDICT_ALERT */
  enum tp_malformed why;
  enum tp_downgrade downgrade;
  int hello_retry;
  uint32_t unsolicited_exts;   /* extensions in the ServerHello we never offered */
  uint8_t warnings;            /* warning alerts skipped before the answer */
  uint8_t last_warning;        /* the last of them (e.g. unrecognized_name) */
};

/* tp_probe_verdict_of computes the verdict for a probe pinned to |pinned|
 * that offered the extensions in |offered_exts|, from the reader's state.
 * Returns 1 when |*out| is final, 0 while the reader needs more bytes. */
int tp_probe_verdict_of(const struct tp_reader *r, uint16_t pinned,
                        uint32_t offered_exts, struct tp_probe_verdict *out);

/* ---- JA3S ---------------------------------------------------------------- */

/* Longest JA3S text: two numbers and an extension type (five digits and a
 * dash) for every four bytes a ServerHello may hold. */
#define TP_JA3S_MAX (16 + 6 * (TP_SERVER_HELLO_MAX / 4))

/* tp_ja3s_string writes the JA3S text of a parsed ServerHello (or
 * HelloRetryRequest) into |out| (|cap| bytes, NUL-terminated), as
 * github.com/salesforce/ja3 defines it: "SSLVersion,Cipher,Extensions",
 * the ServerHello's legacy_version and cipher_suite in decimal, then its
 * extension types in decimal, in the order they appear, joined by dashes
 * (empty without extensions: "769,47,"). Its MD5 is the JA3S. Returns 1 and
 * |*out_len|, or 0 when the extension block does not parse or |cap| is too
 * small. */
int tp_ja3s_string(const struct tp_server_hello *sh, char *out, size_t cap, size_t *out_len);

/* ---- ServerHello and alert builders (tests, bench responder) ------------- */

struct tp_server_hello_opts {
  uint16_t record_version;     /* e.g. 0x0303; 0 means the legacy_version */
  uint16_t legacy_version;
  uint16_t selected_version;   /* 0: no supported_versions extension */
  const uint8_t *random;       /* 32 bytes; ignored for an HRR */
  int hello_retry;             /* write the HRR random */
  const uint8_t *session_id;   /* echoed; NULL for empty */
  size_t session_id_len;       /* at most 32 */
  uint16_t cipher_suite;
  uint16_t key_share_group;    /* 0: no key_share */
  const uint8_t *key_share;    /* the server's share (not for an HRR) */
  size_t key_share_len;
  int renegotiation_info;      /* add an empty renegotiation_info */
  int no_extensions;           /* omit the extensions block entirely */
};

/* tp_build_server_hello writes one handshake record holding a ServerHello.
 * Returns 1 and |*out_len|, or 0 when |cap| is too small or an option is bad. */
int tp_build_server_hello(const struct tp_server_hello_opts *opts, uint8_t *out,
                          size_t cap, size_t *out_len);

/* tp_build_alert writes one alert record. Returns 1 and |*out_len|, or 0. */
int tp_build_alert(uint16_t record_version, uint8_t level, uint8_t desc,
                   uint8_t *out, size_t cap, size_t *out_len);

/* tp_client_hello_info is what tp_parse_client_hello reads back from a hello
 * (the bench responder's view of a probe, and the tests'). */
struct tp_client_hello_info {
  uint16_t record_version;
  uint16_t legacy_version;
  tp_cbs random;
  tp_cbs session_id;
  tp_cbs cipher_suites;        /* u16 list */
  uint32_t extensions_seen;
  uint16_t max_supported_version; /* highest in supported_versions, 0 if absent */
  tp_cbs server_name;          /* host_name, empty if absent */
  size_t message_len;          /* handshake message length with its header */
};

/* tp_parse_client_hello parses a complete ClientHello record at |rec|.
 * Returns 1, or 0 when it does not parse. Views point into |rec|. */
int tp_parse_client_hello(const uint8_t *rec, size_t len,
                          struct tp_client_hello_info *out);

/* ---- Names --------------------------------------------------------------- */

/* Each returns a static string, or NULL for values it does not know. */
const char *tp_version_name(uint16_t version);     /* "ssl3", "tls1.2" */
const char *tp_alert_name(uint8_t desc);            /* "handshake_failure" */
const char *tp_cipher_name(uint16_t suite);         /* IANA "TLS_..." name */
const char *tp_group_name(uint16_t group);          /* "x25519" */
const char *tp_malformed_name(enum tp_malformed why);
const char *tp_verdict_name(enum tp_verdict v);
const char *tp_ext_bit_name(enum tp_ext_bit bit);

/* tp_cipher_table_size and tp_cipher_table_code expose the cipher-suite
 * name table, so that tests can check it is sorted (lookups bisect it). */
size_t tp_cipher_table_size(void);
uint16_t tp_cipher_table_code(size_t i);

/* tp_version_from_name parses "ssl3", "tls1.0" ... "tls1.3" (also "tls1" and
 * "tls10" forms). Returns 1 and |*out|, or 0. */
int tp_version_from_name(const char *name, uint16_t *out);

#endif /* TLSPARSE_TLSPARSE_H */
