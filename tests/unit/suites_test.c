/* tests/unit/suites_test.c: the classes tlsparse reads from suite names.
 *
 * A compliance verdict is only as good as the classes under it, and they are
 * derived from the IANA names, not written by hand per row. So the
 * derivation is checked against rows checked by hand, one for every part of
 * the grammar (each key exchange, cipher, mode and MAC spelling, TLS 1.3
 * names, the GOST, SM4, integrity-only and pre-RFC ChaCha20 suites, the
 * signalling values that are not suites); every row of the table must
 * classify; and every suite a probe offers at a version must be one the
 * table says that version can negotiate, so enumeration offers a superset
 * of what the probes offer. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/suites.h"
#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

#define F(x) (1u << TP_SUITE_##x)
#define V(x) TP_SUITE_VERSION_BIT(TP_##x)
#define UP_TO_12 (V(SSL3) | V(TLS10) | V(TLS11) | V(TLS12))

/* One row, checked by hand against the suite's RFC. */
struct row {
  uint16_t code;
  const char *name;
  enum tp_kx kx;
  enum tp_auth auth;
  enum tp_enc enc;
  uint16_t bits;
  enum tp_mode mode;
  enum tp_mac mac;
  uint8_t versions;
  uint32_t flags;
  int iana;
};

static const struct row kRows[] = {
    {0x000a, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_3DES, 168,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12,
     F(3DES) | F(BLOCK64) | F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", TP_KX_ECDHE, TP_AUTH_RSA, TP_ENC_AES, 128,
     TP_MODE_GCM, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0x1301, "TLS_AES_128_GCM_SHA256", TP_KX_ANY, TP_AUTH_ANY, TP_ENC_AES, 128, TP_MODE_GCM,
     TP_MAC_AEAD, V(TLS13), 0, 1},
    {0x1305, "TLS_AES_128_CCM_8_SHA256", TP_KX_ANY, TP_AUTH_ANY, TP_ENC_AES, 128, TP_MODE_CCM_8,
     TP_MAC_AEAD, V(TLS13), 0, 1},
    {0x0003, "TLS_RSA_EXPORT_WITH_RC4_40_MD5", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_RC4, 40,
     TP_MODE_STREAM, TP_MAC_MD5, UP_TO_12, F(EXPORT) | F(RC4) | F(NO_PFS) | F(MD5_MAC), 1},
    {0x0018, "TLS_DH_anon_WITH_RC4_128_MD5", TP_KX_DHE, TP_AUTH_ANON, TP_ENC_RC4, 128,
     TP_MODE_STREAM, TP_MAC_MD5, UP_TO_12, F(ANON) | F(RC4) | F(MD5_MAC), 1},
    {0x0002, "TLS_RSA_WITH_NULL_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_NULL, 0, TP_MODE_NONE,
     TP_MAC_SHA1, UP_TO_12, F(NULL) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x003b, "TLS_RSA_WITH_NULL_SHA256", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_NULL, 0, TP_MODE_NONE,
     TP_MAC_SHA256, V(TLS12), F(NULL) | F(NO_PFS), 1},
    {0x0009, "TLS_RSA_WITH_DES_CBC_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_DES, 56, TP_MODE_CBC,
     TP_MAC_SHA1, UP_TO_12, F(DES) | F(BLOCK64) | F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x0007, "TLS_RSA_WITH_IDEA_CBC_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_IDEA, 128, TP_MODE_CBC,
     TP_MAC_SHA1, UP_TO_12, F(BLOCK64) | F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x0096, "TLS_RSA_WITH_SEED_CBC_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_SEED, 128, TP_MODE_CBC,
     TP_MAC_SHA1, UP_TO_12, F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x0014, "TLS_DHE_RSA_EXPORT_WITH_DES40_CBC_SHA", TP_KX_DHE, TP_AUTH_RSA, TP_ENC_DES, 40,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12, F(EXPORT) | F(DES) | F(BLOCK64) | F(CBC) | F(SHA1_MAC),
     1},
    {0x0026, "TLS_KRB5_EXPORT_WITH_DES_CBC_40_SHA", TP_KX_KRB5, TP_AUTH_KRB5, TP_ENC_DES, 40,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12,
     F(EXPORT) | F(DES) | F(BLOCK64) | F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0xc0ac, "TLS_ECDHE_ECDSA_WITH_AES_128_CCM", TP_KX_ECDHE, TP_AUTH_ECDSA, TP_ENC_AES, 128,
     TP_MODE_CCM, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0xc0af, "TLS_ECDHE_ECDSA_WITH_AES_256_CCM_8", TP_KX_ECDHE, TP_AUTH_ECDSA, TP_ENC_AES, 256,
     TP_MODE_CCM_8, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", TP_KX_ECDHE, TP_AUTH_RSA,
     TP_ENC_CHACHA20, 256, TP_MODE_POLY1305, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0xcc13, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256_OLD", TP_KX_ECDHE, TP_AUTH_RSA,
     TP_ENC_CHACHA20, 256, TP_MODE_POLY1305, TP_MAC_AEAD, V(TLS12), 0, 0},
    {0xc061, "TLS_ECDHE_RSA_WITH_ARIA_256_GCM_SHA384", TP_KX_ECDHE, TP_AUTH_RSA, TP_ENC_ARIA, 256,
     TP_MODE_GCM, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0x0084, "TLS_RSA_WITH_CAMELLIA_256_CBC_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_CAMELLIA, 256,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12, F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x00c4, "TLS_DHE_RSA_WITH_CAMELLIA_256_CBC_SHA256", TP_KX_DHE, TP_AUTH_RSA, TP_ENC_CAMELLIA,
     256, TP_MODE_CBC, TP_MAC_SHA256, V(TLS12), F(CBC), 1},
    {0xc00e, "TLS_ECDH_RSA_WITH_AES_128_CBC_SHA", TP_KX_ECDH, TP_AUTH_RSA, TP_ENC_AES, 128,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12, F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x0030, "TLS_DH_DSS_WITH_AES_128_CBC_SHA", TP_KX_DH, TP_AUTH_DSS, TP_ENC_AES, 128,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12, F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", TP_KX_ECDHE, TP_AUTH_ECDSA, TP_ENC_AES,
     256, TP_MODE_CBC, TP_MAC_SHA384, V(TLS12), F(CBC), 1},
    {0x008c, "TLS_PSK_WITH_AES_128_CBC_SHA", TP_KX_PSK, TP_AUTH_PSK, TP_ENC_AES, 128, TP_MODE_CBC,
     TP_MAC_SHA1, UP_TO_12, F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0x00b2, "TLS_DHE_PSK_WITH_AES_128_CBC_SHA256", TP_KX_DHE_PSK, TP_AUTH_PSK, TP_ENC_AES, 128,
     TP_MODE_CBC, TP_MAC_SHA256, V(TLS12), F(CBC), 1},
    {0xc0aa, "TLS_PSK_DHE_WITH_AES_128_CCM_8", TP_KX_DHE_PSK, TP_AUTH_PSK, TP_ENC_AES, 128,
     TP_MODE_CCM_8, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0x0093, "TLS_RSA_PSK_WITH_3DES_EDE_CBC_SHA", TP_KX_RSA_PSK, TP_AUTH_RSA, TP_ENC_3DES, 168,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12,
     F(3DES) | F(BLOCK64) | F(CBC) | F(NO_PFS) | F(SHA1_MAC), 1},
    {0xd003, "TLS_ECDHE_PSK_WITH_AES_128_CCM_8_SHA256", TP_KX_ECDHE_PSK, TP_AUTH_PSK, TP_ENC_AES,
     128, TP_MODE_CCM_8, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0xc01a, "TLS_SRP_SHA_WITH_3DES_EDE_CBC_SHA", TP_KX_SRP, TP_AUTH_SRP, TP_ENC_3DES, 168,
     TP_MODE_CBC, TP_MAC_SHA1, UP_TO_12, F(3DES) | F(BLOCK64) | F(CBC) | F(SHA1_MAC), 1},
    {0xc016, "TLS_ECDH_anon_WITH_RC4_128_SHA", TP_KX_ECDHE, TP_AUTH_ANON, TP_ENC_RC4, 128,
     TP_MODE_STREAM, TP_MAC_SHA1, UP_TO_12, F(ANON) | F(RC4) | F(SHA1_MAC), 1},
    {0xc0b0, "TLS_ECCPWD_WITH_AES_128_GCM_SHA256", TP_KX_ECCPWD, TP_AUTH_PWD, TP_ENC_AES, 128,
     TP_MODE_GCM, TP_MAC_AEAD, V(TLS12), 0, 1},
    {0x0000, "TLS_NULL_WITH_NULL_NULL", TP_KX_NULL, TP_AUTH_NULL, TP_ENC_NULL, 0, TP_MODE_NONE,
     TP_MAC_NULL, 0, F(NULL) | F(ANON) | F(NO_PFS), 1},
    {0xc0b4, "TLS_SHA256_SHA256", TP_KX_ANY, TP_AUTH_ANY, TP_ENC_NULL, 0, TP_MODE_NONE,
     TP_MAC_SHA256, V(TLS13), F(NULL), 1},
    {0x00c6, "TLS_SM4_GCM_SM3", TP_KX_ANY, TP_AUTH_ANY, TP_ENC_SM4, 128, TP_MODE_GCM, TP_MAC_AEAD,
     V(TLS13), 0, 1},
    {0xc100, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_CTR_OMAC", TP_KX_GOST, TP_AUTH_GOST,
     TP_ENC_KUZNYECHIK, 256, TP_MODE_CTR_OMAC, TP_MAC_GOST, V(TLS12), F(NO_PFS), 1},
    {0xc102, "TLS_GOSTR341112_256_WITH_28147_CNT_IMIT", TP_KX_GOST, TP_AUTH_GOST,
     TP_ENC_GOST28147, 256, TP_MODE_CNT_IMIT, TP_MAC_GOST, V(TLS12), F(BLOCK64) | F(NO_PFS), 1},
    {0xc103, "TLS_GOSTR341112_256_WITH_KUZNYECHIK_MGM_L", TP_KX_ANY, TP_AUTH_ANY,
     TP_ENC_KUZNYECHIK, 256, TP_MODE_MGM, TP_MAC_AEAD, V(TLS13), 0, 1},
    {0x0064, "TLS_RSA_EXPORT1024_WITH_RC4_56_SHA", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_RC4, 56,
     TP_MODE_STREAM, TP_MAC_SHA1, UP_TO_12, F(EXPORT) | F(RC4) | F(NO_PFS) | F(SHA1_MAC), 0},
    {0x0061, "TLS_RSA_EXPORT1024_WITH_RC2_CBC_56_MD5", TP_KX_RSA, TP_AUTH_RSA, TP_ENC_RC2, 56,
     TP_MODE_CBC, TP_MAC_MD5, UP_TO_12,
     F(EXPORT) | F(BLOCK64) | F(CBC) | F(NO_PFS) | F(MD5_MAC), 0},
};

static void test_rows_checked_by_hand(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kRows); i++) {
    const struct row *r = &kRows[i];
    struct tp_suite_info s;
    print_message("%s\n", r->name);
    assert_int_equal(tp_suite_info(r->code, &s), 1);
    assert_string_equal(s.name, r->name);
    assert_int_equal(s.code, r->code);
    assert_int_equal(s.kx, r->kx);
    assert_int_equal(s.auth, r->auth);
    assert_int_equal(s.enc, r->enc);
    assert_int_equal(s.enc_bits, r->bits);
    assert_int_equal(s.mode, r->mode);
    assert_int_equal(s.mac, r->mac);
    assert_int_equal(s.versions, r->versions);
    assert_int_equal(s.flags, r->flags);
    assert_int_equal(s.iana, r->iana);
  }
}

/* Signalling values are named but are not suites; unknown codes are neither. */
static void test_not_suites(void **state) {
  (void)state;
  static const uint16_t codes[] = {0x00ff, 0x5600, 0x0a0a, 0x1306, 0xffff};
  for (size_t i = 0; i < COUNT(codes); i++) {
    struct tp_suite_info s;
    assert_int_equal(tp_suite_info(codes[i], &s), 0);
  }
  struct tp_suite_info s;
  static const char *const bad[] = {
      "TLS_FOO_WITH_AES_128_GCM_SHA256", "TLS_RSA_WITH_AES_128_CBC", /* a CBC needs its MAC */
      "TLS_RSA_WITH_SHA256_SHA256",      "SSL_RSA_WITH_RC4_128_MD5",
      "TLS_RSA_WITH_AES_128_CBC_SHA1",   "TLS_",
      "",
  };
  for (size_t i = 0; i < COUNT(bad); i++) {
    print_message("%s\n", bad[i]);
    assert_int_equal(tp_suite_classify(bad[i], &s), 0);
  }
  /* A CBC suite without a MAC is wrong, but a CCM suite needs none. */
  assert_int_equal(tp_suite_classify("TLS_RSA_WITH_AES_128_CCM", &s), 1);
}

/* Every row of the table classifies, bar the two signalling values; every
 * flag and class has a name; the flags' names parse back. */
static void test_whole_table_classifies(void **state) {
  (void)state;
  size_t n = tp_suite_count(), suites = 0;
  assert_int_equal(n, tp_cipher_table_size());
  for (size_t i = 0; i < n; i++) {
    uint16_t code = tp_suite_code_at(i);
    struct tp_suite_info s;
    int ok = tp_suite_info(code, &s);
    if (code == TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV || code == TP_TLS_FALLBACK_SCSV) {
      assert_int_equal(ok, 0);
      continue;
    }
    if (!ok) {
      print_message("0x%04x %s does not classify\n", code, tp_cipher_name(code));
    }
    assert_int_equal(ok, 1);
    suites++;
    assert_non_null(tp_kx_name(s.kx));
    assert_non_null(tp_auth_name(s.auth));
    assert_non_null(tp_enc_name(s.enc));
    assert_non_null(tp_mode_name(s.mode));
    assert_non_null(tp_mac_name(s.mac));
    /* A cipher of no bits is no cipher, and the other way round. */
    assert_int_equal(s.enc_bits == 0, s.enc == TP_ENC_NULL);
  }
  assert_int_equal(suites, n - 2);
  for (unsigned f = 0; f < TP_SUITE_FLAG_COUNT; f++) {
    const char *name = tp_suite_flag_name((enum tp_suite_flag)f);
    assert_non_null(name);
    enum tp_suite_flag back;
    assert_int_equal(tp_suite_flag_from_name(name, &back), 1);
    assert_int_equal(back, f);
  }
  assert_null(tp_suite_flag_name(TP_SUITE_FLAG_COUNT));
}

/* What each version can negotiate: TLS 1.3 its own suites only (the five of
 * RFC 8446, SM4, integrity-only and GOST), SSLv3 none of 1.2's AEADs. */
static void test_suites_for_version(void **state) {
  (void)state;
  uint16_t list[512];
  size_t n13 = tp_suites_for_version(TP_TLS13, list, COUNT(list));
  assert_int_equal(n13, 13);
  for (size_t i = 0; i < n13; i++) {
    struct tp_suite_info s;
    assert_int_equal(tp_suite_info(list[i], &s), 1);
    assert_int_equal(s.versions, V(TLS13));
  }
  size_t n3 = tp_suites_for_version(TP_SSL3, list, COUNT(list));
  assert_true(n3 > 100);
  assert_int_equal(tp_suites_for_version(TP_TLS10, list, COUNT(list)), n3);
  assert_int_equal(tp_suites_for_version(TP_TLS11, list, 0), n3); /* counts past |cap| */
  assert_int_equal(tp_suites_for_version(0x0200, list, COUNT(list)), 0);
  size_t n12 = tp_suites_for_version(TP_TLS12, list, COUNT(list));
  assert_true(n12 > n3);
  assert_true(n12 <= COUNT(list));
  /* In code order, without the signalling values or the null suite. */
  for (size_t i = 0; i + 1 < n12; i++) {
    assert_true(list[i] < list[i + 1]);
  }
  for (size_t i = 0; i < n12; i++) {
    assert_true(list[i] != 0x0000 && list[i] != 0x00ff && list[i] != 0x5600);
  }
}

/* Every suite a probe offers below TLS 1.3 is one the table gives that
 * version, so an enumeration's offers hold everything a probe's did. (The
 * 1.3 probe also offers a few 1.2 suites, for 1.2-only servers that ignore
 * supported_versions.) */
static void test_probe_suites_are_candidates(void **state) {
  (void)state;
  static const uint16_t versions[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12};
  static const uint8_t zeros[32] = {0};
  for (size_t i = 0; i < COUNT(versions); i++) {
    for (int profile = TP_CIPHERS_BROAD; profile <= TP_CIPHERS_CHEAP; profile++) {
      struct tp_client_hello_opts o;
      memset(&o, 0, sizeof(o));
      o.version = versions[i];
      o.ciphers = (enum tp_cipher_profile)profile;
      o.random = zeros;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL), 1);
      struct tp_client_hello_info info;
      assert_int_equal(tp_parse_client_hello(buf, len, &info), 1);
      tp_cbs list = info.cipher_suites;
      uint16_t suite;
      while (tp_cbs_get_u16(&list, &suite)) {
        if (suite == TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
          continue;
        }
        struct tp_suite_info s;
        assert_int_equal(tp_suite_info(suite, &s), 1);
        assert_true(s.versions & TP_SUITE_VERSION_BIT(versions[i]));
      }
    }
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_rows_checked_by_hand),
      cmocka_unit_test(test_not_suites),
      cmocka_unit_test(test_whole_table_classifies),
      cmocka_unit_test(test_suites_for_version),
      cmocka_unit_test(test_probe_suites_are_candidates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
