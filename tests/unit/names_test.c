/* tests/unit/names_test.c: the name tables reports print.
 *
 * Names are what a reader of a scan sees, so a wrong or missing one is a
 * wrong report. The cipher table is searched by bisection, so it must be
 * strictly sorted (an unsorted entry would silently become "unknown"), and
 * every suite our own hellos offer must have a name, or a server that picks
 * it would be reported without one. Known values are checked against the
 * IANA registries (TLS Cipher Suites, TLS Alerts, Supported Groups,
 * ExtensionType Values); version names must round-trip through
 * tp_version_from_name, which parses the -V option; every malformed reason,
 * verdict and extension bit must have a name. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct code_name {
  uint16_t code;
  const char *name;
};

static void test_cipher_table_strictly_sorted(void **state) {
  (void)state;
  size_t n = tp_cipher_table_size();
  /* From TLS_NULL_WITH_NULL_NULL to the ECDHE_PSK CCM suites. */
  assert_true(n > 1);
  assert_int_equal(tp_cipher_table_code(0), 0x0000);
  assert_int_equal(tp_cipher_table_code(n - 1), 0xd005);
  for (size_t i = 0; i + 1 < n; i++) {
    assert_true(tp_cipher_table_code(i) < tp_cipher_table_code(i + 1));
  }
  /* Bisection finds every entry, and each is an IANA "TLS_" name. */
  for (size_t i = 0; i < n; i++) {
    const char *name = tp_cipher_name(tp_cipher_table_code(i));
    assert_non_null(name);
    assert_int_equal(strncmp(name, "TLS_", 4), 0);
  }
}

static void test_known_cipher_names(void **state) {
  (void)state;
  static const struct code_name known[] = {
      {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"},
      {0x1301, "TLS_AES_128_GCM_SHA256"},
      {0x1302, "TLS_AES_256_GCM_SHA384"},
      {0x1303, "TLS_CHACHA20_POLY1305_SHA256"},
      {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA"},
      {0x0005, "TLS_RSA_WITH_RC4_128_SHA"},
      {0x0004, "TLS_RSA_WITH_RC4_128_MD5"},
      {0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA"},
      {0x0035, "TLS_RSA_WITH_AES_256_CBC_SHA"},
      {0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"},
      {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
      {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256"},
      {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5"},
      {0x0000, "TLS_NULL_WITH_NULL_NULL"}, /* the first entry */
      {0xd005, "TLS_ECDHE_PSK_WITH_AES_128_CCM_SHA256"}, /* the last */
      {0x00ff, "TLS_EMPTY_RENEGOTIATION_INFO_SCSV"},
      {0x5600, "TLS_FALLBACK_SCSV"},
  };
  for (size_t i = 0; i < COUNT(known); i++) {
    const char *name = tp_cipher_name(known[i].code);
    assert_non_null(name);
    assert_string_equal(name, known[i].name);
  }
  /* GREASE (RFC 8701), gaps in the registry, the top of the range. */
  static const uint16_t unknown[] = {0x0a0a, 0xfafa, 0x001c, 0x0047, 0x1306, 0xffff};
  for (size_t i = 0; i < COUNT(unknown); i++) {
    assert_null(tp_cipher_name(unknown[i]));
  }
}

static void test_every_offered_cipher_has_a_name(void **state) {
  (void)state;
  static const uint16_t versions[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};
  static const uint8_t zeros[32] = {0};
  for (size_t i = 0; i < COUNT(versions); i++) {
    for (int profile = TP_CIPHERS_BROAD; profile <= TP_CIPHERS_CHEAP; profile++) {
      struct tp_client_hello_opts o;
      memset(&o, 0, sizeof(o));
      o.version = versions[i];
      o.ciphers = (enum tp_cipher_profile)profile;
      o.random = zeros;
      o.x25519_share = zeros;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL), 1);
      struct tp_client_hello_info info;
      assert_int_equal(tp_parse_client_hello(buf, len, &info), 1);
      tp_cbs list = info.cipher_suites;
      uint16_t suite;
      size_t named = 0;
      while (tp_cbs_get_u16(&list, &suite)) {
        if (suite == TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV || suite == TP_TLS_FALLBACK_SCSV) {
          continue;
        }
        if (tp_cipher_name(suite) == NULL) {
          print_message("version %04x offers %04x without a name\n", versions[i], suite);
        }
        assert_non_null(tp_cipher_name(suite));
        named++;
      }
      assert_true(named > 0);
    }
  }
}

static void test_every_offered_group_has_a_name(void **state) {
  (void)state;
  static const uint16_t versions[] = {TP_TLS12, TP_TLS13};
  static const uint8_t zeros[32] = {0};
  for (size_t i = 0; i < COUNT(versions); i++) {
    struct tp_client_hello_opts o;
    memset(&o, 0, sizeof(o));
    o.version = versions[i];
    o.random = zeros;
    o.x25519_share = zeros;
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL), 1);
    /* Find supported_groups by walking the extensions. */
    tp_cbs cbs, body, exts;
    tp_cbs_init(&cbs, buf, len);
    assert_true(tp_cbs_skip(&cbs, 5 + 4 + 2 + 32));
    assert_true(tp_cbs_get_u8_length_prefixed(&cbs, &body)); /* session id */
    assert_true(tp_cbs_get_u16_length_prefixed(&cbs, &body)); /* suites */
    assert_true(tp_cbs_get_u8_length_prefixed(&cbs, &body));  /* compression */
    assert_true(tp_cbs_get_u16_length_prefixed(&cbs, &exts));
    int found = 0;
    uint16_t type;
    while (tp_cbs_get_u16(&exts, &type) && tp_cbs_get_u16_length_prefixed(&exts, &body)) {
      if (type != TP_EXT_SUPPORTED_GROUPS) {
        continue;
      }
      tp_cbs groups;
      assert_true(tp_cbs_get_u16_length_prefixed(&body, &groups));
      uint16_t g;
      while (tp_cbs_get_u16(&groups, &g)) {
        assert_non_null(tp_group_name(g));
        found++;
      }
    }
    assert_true(found > 0);
  }
}

static void test_group_names(void **state) {
  (void)state;
  static const struct code_name known[] = {
      {23, "secp256r1"},      {24, "secp384r1"},  {25, "secp521r1"},
      {29, "x25519"},         {30, "x448"},       {256, "ffdhe2048"},
      {257, "ffdhe3072"},     {4588, "X25519MLKEM768"},
  };
  for (size_t i = 0; i < COUNT(known); i++) {
    assert_non_null(tp_group_name(known[i].code));
    assert_string_equal(tp_group_name(known[i].code), known[i].name);
  }
  assert_null(tp_group_name(0));
  assert_null(tp_group_name(0x0a0a));
  assert_null(tp_group_name(0xffff));
}

static void test_alert_names(void **state) {
  (void)state;
  /* The IANA TLS Alerts registry, entries a scan can meet. */
  static const struct code_name known[] = {
      {0, "close_notify"},
      {10, "unexpected_message"},
      {20, "bad_record_mac"},
      {22, "record_overflow"},
      {40, "handshake_failure"},
      {42, "bad_certificate"},
      {47, "illegal_parameter"},
      {48, "unknown_ca"},
      {50, "decode_error"},
      {70, "protocol_version"},
      {71, "insufficient_security"},
      {80, "internal_error"},
      {86, "inappropriate_fallback"},
      {90, "user_canceled"},
      {100, "no_renegotiation"},
      {109, "missing_extension"},
      {110, "unsupported_extension"},
      {112, "unrecognized_name"},
      {116, "certificate_required"},
      {120, "no_application_protocol"},
  };
  for (size_t i = 0; i < COUNT(known); i++) {
    const char *name = tp_alert_name((uint8_t)known[i].code);
    assert_non_null(name);
    assert_string_equal(name, known[i].name);
  }
  assert_string_equal(tp_alert_name(TP_ALERT_HANDSHAKE_FAILURE), "handshake_failure");
  static const uint8_t unknown[] = {1, 11, 39, 255};
  for (size_t i = 0; i < COUNT(unknown); i++) {
    assert_null(tp_alert_name(unknown[i]));
  }
}

static void test_version_names(void **state) {
  (void)state;
  static const struct code_name known[] = {
      {TP_SSL2, "ssl2"},     {TP_SSL3, "ssl3"},     {TP_TLS10, "tls1.0"},
      {TP_TLS11, "tls1.1"},  {TP_TLS12, "tls1.2"},  {TP_TLS13, "tls1.3"},
  };
  for (size_t i = 0; i < COUNT(known); i++) {
    assert_non_null(tp_version_name(known[i].code));
    assert_string_equal(tp_version_name(known[i].code), known[i].name);
  }
  static const uint16_t unknown[] = {0x0000, 0x0200, 0x0305, 0x7f1c, 0xfefd};
  for (size_t i = 0; i < COUNT(unknown); i++) {
    assert_null(tp_version_name(unknown[i]));
  }
  /* What reports print, -V parses back. */
  for (size_t i = 1; i < COUNT(known); i++) {
    uint16_t v = 0;
    assert_int_equal(tp_version_from_name(tp_version_name(known[i].code), &v), 1);
    assert_int_equal(v, known[i].code);
  }
}

static void test_version_from_name(void **state) {
  (void)state;
  static const struct code_name forms[] = {
      {TP_SSL3, "ssl3"},     {TP_SSL3, "sslv3"},    {TP_SSL3, "ssl3.0"},
      {TP_SSL3, "SSLv3"},    {TP_TLS10, "tls1.0"},  {TP_TLS10, "tls1"},
      {TP_TLS10, "tls10"},   {TP_TLS10, "tlsv1"},   {TP_TLS10, "TLSv1.0"},
      {TP_TLS11, "tls1.1"},  {TP_TLS11, "tls11"},   {TP_TLS11, "tlsv1.1"},
      {TP_TLS12, "tls1.2"},  {TP_TLS12, "tls12"},   {TP_TLS12, "TLS1.2"},
      {TP_TLS13, "tls1.3"},  {TP_TLS13, "tls13"},   {TP_TLS13, "TLSv1.3"},
  };
  for (size_t i = 0; i < COUNT(forms); i++) {
    uint16_t v = 0;
    assert_int_equal(tp_version_from_name(forms[i].name, &v), 1);
    assert_int_equal(v, forms[i].code);
  }
  /* Rejected, and the output left alone. */
  static const char *const bad[] = {"",      "tls",    "tls1.4", "tls1.",  "ssl2",
                                    "sslv2", "tls1.2 ", " tls1.2", "tls1.20", "1.2",
                                    "tls1_2", "dtls1.2", "tls1.2\n"};
  for (size_t i = 0; i < COUNT(bad); i++) {
    uint16_t v = 0x5a5a;
    assert_int_equal(tp_version_from_name(bad[i], &v), 0);
    assert_int_equal(v, 0x5a5a);
  }
  uint16_t v = 0x5a5a;
  assert_int_equal(tp_version_from_name(NULL, &v), 0);
  assert_int_equal(v, 0x5a5a);
}

static void test_malformed_names(void **state) {
  (void)state;
  /* The "reason" of a malformed verdict in reports: one name per value,
   * all different. */
  static const char *const want[] = {
      [TP_BAD_NONE] = "none",
      [TP_BAD_RECORD_VERSION] = "record_version",
      [TP_BAD_RECORD_LENGTH] = "record_length",
      [TP_BAD_UNEXPECTED_RECORD] = "unexpected_record",
      [TP_BAD_UNEXPECTED_MESSAGE] = "unexpected_message",
      [TP_BAD_HELLO_TOO_LARGE] = "hello_too_large",
      [TP_BAD_HELLO_DECODE] = "hello_decode",
      [TP_BAD_EXTENSION_DECODE] = "extension_decode",
      [TP_BAD_DUPLICATE_EXTENSION] = "duplicate_extension",
      [TP_BAD_ALERT_LENGTH] = "alert_length",
      [TP_BAD_SSL2] = "ssl2",
      [TP_BAD_TOO_MANY_WARNINGS] = "too_many_warnings",
  };
  assert_int_equal(COUNT(want), TP_BAD_TOO_MANY_WARNINGS + 1);
  for (int why = TP_BAD_NONE; why <= TP_BAD_TOO_MANY_WARNINGS; why++) {
    const char *name = tp_malformed_name((enum tp_malformed)why);
    assert_non_null(name);
    assert_string_equal(name, want[why]);
    for (int k = 0; k < why; k++) {
      assert_string_not_equal(want[k], name);
    }
  }
  assert_null(tp_malformed_name((enum tp_malformed)(TP_BAD_TOO_MANY_WARNINGS + 1)));
}

static void test_verdict_names(void **state) {
  (void)state;
  /* These strings are the "verdict" and "reason" values of design.md's
   * result line. */
  static const struct {
    enum tp_verdict v;
    const char *name;
  } known[] = {
      {TP_VERDICT_PENDING, "pending"},
      {TP_VERDICT_ACCEPTED, "accepted"},
      {TP_VERDICT_VERSION_MISMATCH, "version_mismatch"},
      {TP_VERDICT_ALERT, "alert"},
      {TP_VERDICT_NOT_TLS, "not_tls"},
      {TP_VERDICT_MALFORMED, "malformed"},
  };
  for (size_t i = 0; i < COUNT(known); i++) {
    assert_non_null(tp_verdict_name(known[i].v));
    assert_string_equal(tp_verdict_name(known[i].v), known[i].name);
  }
  assert_null(tp_verdict_name((enum tp_verdict)(TP_VERDICT_MALFORMED + 1)));
}

static void test_extension_bits(void **state) {
  (void)state;
  /* Every mask is a uint32_t. */
  assert_true(TP_EXT_BIT_COUNT <= 32);
  /* The IANA ExtensionType Values names of the types with a bit. */
  static const struct {
    uint16_t type;
    enum tp_ext_bit bit;
    const char *name;
  } known[] = {
      {0, TP_EXT_BIT_SERVER_NAME, "server_name"},
      {1, TP_EXT_BIT_MAX_FRAGMENT_LENGTH, "max_fragment_length"},
      {5, TP_EXT_BIT_STATUS_REQUEST, "status_request"},
      {10, TP_EXT_BIT_SUPPORTED_GROUPS, "supported_groups"},
      {11, TP_EXT_BIT_EC_POINT_FORMATS, "ec_point_formats"},
      {13, TP_EXT_BIT_SIGNATURE_ALGORITHMS, "signature_algorithms"},
      {15, TP_EXT_BIT_HEARTBEAT, "heartbeat"},
      {16, TP_EXT_BIT_ALPN, "application_layer_protocol_negotiation"},
      {18, TP_EXT_BIT_SCT, "signed_certificate_timestamp"},
      {21, TP_EXT_BIT_PADDING, "padding"},
      {22, TP_EXT_BIT_ENCRYPT_THEN_MAC, "encrypt_then_mac"},
      {23, TP_EXT_BIT_EXTENDED_MASTER_SECRET, "extended_master_secret"},
      {28, TP_EXT_BIT_RECORD_SIZE_LIMIT, "record_size_limit"},
      {35, TP_EXT_BIT_SESSION_TICKET, "session_ticket"},
      {41, TP_EXT_BIT_PRE_SHARED_KEY, "pre_shared_key"},
      {42, TP_EXT_BIT_EARLY_DATA, "early_data"},
      {43, TP_EXT_BIT_SUPPORTED_VERSIONS, "supported_versions"},
      {44, TP_EXT_BIT_COOKIE, "cookie"},
      {45, TP_EXT_BIT_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes"},
      {51, TP_EXT_BIT_KEY_SHARE, "key_share"},
      {0xff01, TP_EXT_BIT_RENEGOTIATION_INFO, "renegotiation_info"},
  };
  /* The table above lists every bit below UNKNOWN, once. */
  assert_int_equal(COUNT(known), TP_EXT_BIT_UNKNOWN);
  for (size_t i = 0; i < COUNT(known); i++) {
    assert_int_equal(known[i].bit, (enum tp_ext_bit)i);
    assert_int_equal(tp_ext_bit_of(known[i].type), known[i].bit);
    assert_non_null(tp_ext_bit_name(known[i].bit));
    assert_string_equal(tp_ext_bit_name(known[i].bit), known[i].name);
  }
  static const uint16_t unknown[] = {2, 17, 24, 0x1234, 0xfe0d, 0xffff};
  for (size_t i = 0; i < COUNT(unknown); i++) {
    assert_int_equal(tp_ext_bit_of(unknown[i]), TP_EXT_BIT_UNKNOWN);
  }
  assert_string_equal(tp_ext_bit_name(TP_EXT_BIT_UNKNOWN), "unknown");
  assert_null(tp_ext_bit_name(TP_EXT_BIT_COUNT));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_cipher_table_strictly_sorted),
      cmocka_unit_test(test_known_cipher_names),
      cmocka_unit_test(test_every_offered_cipher_has_a_name),
      cmocka_unit_test(test_every_offered_group_has_a_name),
      cmocka_unit_test(test_group_names),
      cmocka_unit_test(test_alert_names),
      cmocka_unit_test(test_version_names),
      cmocka_unit_test(test_version_from_name),
      cmocka_unit_test(test_malformed_names),
      cmocka_unit_test(test_verdict_names),
      cmocka_unit_test(test_extension_bits),
  };
  return cmocka_run_group_tests_name("names", tests, NULL, NULL);
}
