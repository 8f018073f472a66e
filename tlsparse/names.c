/* tlsparse/names.c: names for versions, alerts and groups, as reports print
 * them (extensions are named in their table, extensions.c; cipher suites in
 * theirs, suites.c). The tables are sorted by code and searched by
 * bisection. Everything here is const data. */
#include <stddef.h>
#include <strings.h>

#include "tlsparse/tlsparse.h"

struct code_name {
  uint16_t code;
  const char *name;
};

static const char *bisect(const struct code_name *t, size_t n, uint16_t code) {
  size_t lo = 0, hi = n;
  while (lo < hi) {
    size_t mid = lo + (hi - lo) / 2;
    if (t[mid].code == code) {
      return t[mid].name;
    }
    if (t[mid].code < code) {
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return NULL;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const char *tp_version_name(uint16_t version) {
  switch (version) {
    case TP_SSL2: return "ssl2";
    case TP_SSL3: return "ssl3";
    case TP_TLS10: return "tls1.0";
    case TP_TLS11: return "tls1.1";
    case TP_TLS12: return "tls1.2";
    case TP_TLS13: return "tls1.3";
    default: return NULL;
  }
}

int tp_version_from_name(const char *name, uint16_t *out) {
  static const struct code_name kForms[] = {
      {TP_SSL3, "ssl3"},    {TP_SSL3, "sslv3"},   {TP_SSL3, "ssl3.0"},
      {TP_TLS10, "tls1.0"}, {TP_TLS10, "tls1"},   {TP_TLS10, "tls10"},
      {TP_TLS10, "tlsv1"},  {TP_TLS10, "tlsv1.0"}, {TP_TLS11, "tls1.1"},
      {TP_TLS11, "tls11"},  {TP_TLS11, "tlsv1.1"}, {TP_TLS12, "tls1.2"},
      {TP_TLS12, "tls12"},  {TP_TLS12, "tlsv1.2"}, {TP_TLS13, "tls1.3"},
      {TP_TLS13, "tls13"},  {TP_TLS13, "tlsv1.3"},
  };
  if (name == NULL) {
    return 0;
  }
  for (size_t i = 0; i < COUNT(kForms); i++) {
    if (strcasecmp(name, kForms[i].name) == 0) {
      *out = kForms[i].code;
      return 1;
    }
  }
  return 0;
}

/* IANA TLS Alerts registry. */
static const struct code_name kAlerts[] = {
    {0, "close_notify"},
    {10, "unexpected_message"},
    {20, "bad_record_mac"},
    {21, "decryption_failed"},
    {22, "record_overflow"},
    {30, "decompression_failure"},
    {40, "handshake_failure"},
    {41, "no_certificate"},
    {42, "bad_certificate"},
    {43, "unsupported_certificate"},
    {44, "certificate_revoked"},
    {45, "certificate_expired"},
    {46, "certificate_unknown"},
    {47, "illegal_parameter"},
    {48, "unknown_ca"},
    {49, "access_denied"},
    {50, "decode_error"},
    {51, "decrypt_error"},
    {52, "too_many_cids_requested"},
    {60, "export_restriction"},
    {70, "protocol_version"},
    {71, "insufficient_security"},
    {80, "internal_error"},
    {86, "inappropriate_fallback"},
    {90, "user_canceled"},
    {100, "no_renegotiation"},
    {109, "missing_extension"},
    {110, "unsupported_extension"},
    {111, "certificate_unobtainable"},
    {112, "unrecognized_name"},
    {113, "bad_certificate_status_response"},
    {114, "bad_certificate_hash_value"},
    {115, "unknown_psk_identity"},
    {116, "certificate_required"},
    {117, "general_error"},
    {120, "no_application_protocol"},
    {121, "ech_required"},
};

const char *tp_alert_name(uint8_t desc) {
  return bisect(kAlerts, COUNT(kAlerts), desc);
}

/* IANA Supported Groups registry. */
static const struct code_name kGroups[] = {
    {1, "sect163k1"},       {2, "sect163r1"},       {3, "sect163r2"},
    {4, "sect193r1"},       {5, "sect193r2"},       {6, "sect233k1"},
    {7, "sect233r1"},       {8, "sect239k1"},       {9, "sect283k1"},
    {10, "sect283r1"},      {11, "sect409k1"},      {12, "sect409r1"},
    {13, "sect571k1"},      {14, "sect571r1"},      {15, "secp160k1"},
    {16, "secp160r1"},      {17, "secp160r2"},      {18, "secp192k1"},
    {19, "secp192r1"},      {20, "secp224k1"},      {21, "secp224r1"},
    {22, "secp256k1"},      {23, "secp256r1"},      {24, "secp384r1"},
    {25, "secp521r1"},      {26, "brainpoolP256r1"}, {27, "brainpoolP384r1"},
    {28, "brainpoolP512r1"}, {29, "x25519"},         {30, "x448"},
    {31, "brainpoolP256r1tls13"}, {32, "brainpoolP384r1tls13"},
    {33, "brainpoolP512r1tls13"}, {34, "GC256A"},     {35, "GC256B"},
    {36, "GC256C"},         {37, "GC256D"},         {38, "GC512A"},
    {39, "GC512B"},         {40, "GC512C"},         {41, "curveSM2"},
    {256, "ffdhe2048"},     {257, "ffdhe3072"},     {258, "ffdhe4096"},
    {259, "ffdhe6144"},     {260, "ffdhe8192"},     {512, "MLKEM512"},
    {513, "MLKEM768"},      {514, "MLKEM1024"},     {4587, "SecP256r1MLKEM768"},
    {4588, "X25519MLKEM768"}, {4589, "SecP384r1MLKEM1024"},
    {25497, "X25519Kyber768Draft00"},
};

const char *tp_group_name(uint16_t group) {
  return bisect(kGroups, COUNT(kGroups), group);
}

const char *tp_malformed_name(enum tp_malformed why) {
  switch (why) {
    case TP_BAD_NONE: return "none";
    case TP_BAD_RECORD_VERSION: return "record_version";
    case TP_BAD_RECORD_LENGTH: return "record_length";
    case TP_BAD_UNEXPECTED_RECORD: return "unexpected_record";
    case TP_BAD_UNEXPECTED_MESSAGE: return "unexpected_message";
    case TP_BAD_HELLO_TOO_LARGE: return "hello_too_large";
    case TP_BAD_HELLO_DECODE: return "hello_decode";
    case TP_BAD_EXTENSION_DECODE: return "extension_decode";
    case TP_BAD_DUPLICATE_EXTENSION: return "duplicate_extension";
    case TP_BAD_ALERT_LENGTH: return "alert_length";
    case TP_BAD_SSL2: return "ssl2";
    case TP_BAD_TOO_MANY_WARNINGS: return "too_many_warnings";
  }
  return NULL;
}

const char *tp_verdict_name(enum tp_verdict v) {
  switch (v) {
    case TP_VERDICT_PENDING: return "pending";
    case TP_VERDICT_ACCEPTED: return "accepted";
    case TP_VERDICT_VERSION_MISMATCH: return "version_mismatch";
    case TP_VERDICT_ALERT: return "alert";
    case TP_VERDICT_NOT_TLS: return "not_tls";
    case TP_VERDICT_MALFORMED: return "malformed";
  }
  return NULL;
}
