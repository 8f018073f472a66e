/* tests/unit/ja3s_test.c: the JA3S text of ServerHellos, as byte tables.
 *
 * github.com/salesforce/ja3 (python/ja3s.py) defines JA3S as the MD5 of
 * "SSLVersion,Cipher,Extensions": the ServerHello's legacy_version and
 * cipher_suite in decimal, then its extension types in decimal in the order
 * they appear, dash-separated, and nothing after the second comma when
 * there are none. Each vector here is read by the reader as a probe's answer
 * is, and its text checked; the MD5s in the comments are what hashlib gives
 * for those texts (the engine's MD5 is BoringSSL's, checked against a
 * captured ServerHello in tests/integration/ciphers_test). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/tlsparse.h"

#define RAND32                                                                           \
  0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, \
      0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15, 0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c,   \
      0x1d, 0x1e, 0x1f

/* A TLS 1.2 ServerHello as OpenSSL sends one: renegotiation_info,
 * server_name, ec_point_formats, session_ticket, extended_master_secret.
 * JA3S md5 098e26e2609212ac1bfac552fbe04127. */
static const uint8_t kTls12Five[] = {
    0x16, 0x03, 0x03, 0x00, 0x43, 0x02, 0x00, 0x00, 0x3f, 0x03, 0x03, RAND32, 0x00,
    0xc0, 0x2f, 0x00,                         /* ECDHE_RSA_AES_128_GCM_SHA256, null */
    0x00, 0x17,                               /* extensions, 23 bytes */
    0xff, 0x01, 0x00, 0x01, 0x00,             /* renegotiation_info */
    0x00, 0x00, 0x00, 0x00,                   /* server_name, empty */
    0x00, 0x0b, 0x00, 0x02, 0x01, 0x00,       /* ec_point_formats: uncompressed */
    0x00, 0x23, 0x00, 0x00,                   /* session_ticket */
    0x00, 0x17, 0x00, 0x00,                   /* extended_master_secret */
};

/* RFC 8446, 4.1.4: a HelloRetryRequest; its JA3S is that of the answer to
 * an empty key share. md5 f4febc55ea12b31ae17cfb7e614afda8. */
static const uint8_t kHelloRetryRequest[] = {
    0x16, 0x03, 0x03, 0x00, 0x38, 0x02, 0x00, 0x00, 0x34, 0x03, 0x03,
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8,
    0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8,
    0x33, 0x9c, /* the HRR random */
    0x00, 0x13, 0x01, 0x00, 0x00, 0x0c,
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions: 1.3 */
    0x00, 0x33, 0x00, 0x02, 0x00, 0x17, /* key_share: secp256r1 */
};

/* TLS 1.0 with a renegotiation_info. md5 bcf3a836c82d12ee988005fb0c011445. */
static const uint8_t kTls10Renegotiation[] = {
    0x16, 0x03, 0x01, 0x00, 0x31, 0x02, 0x00, 0x00, 0x2d, 0x03, 0x01, RAND32, 0x00,
    0xc0, 0x14, 0x00, 0x00, 0x05, 0xff, 0x01, 0x00, 0x01, 0x00,
};

/* SSLv3 without an extensions block. md5 beee243d749b8f43c283eeaf7517600d. */
static const uint8_t kSsl3[] = {
    0x16, 0x03, 0x00, 0x00, 0x2a, 0x02, 0x00, 0x00, 0x26,
    0x03, 0x00, RAND32, 0x00, 0x00, 0x0a, 0x00,
};

static void ja3s_of(const uint8_t *rec, size_t len, enum tp_result want, const char *text) {
  struct tp_reader r;
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, rec, len), want);
  char out[TP_JA3S_MAX];
  size_t n = 0;
  assert_int_equal(tp_ja3s_string(&r.sh, out, sizeof(out), &n), 1);
  assert_string_equal(out, text);
  assert_int_equal(n, strlen(text));
}

static void test_vectors(void **state) {
  (void)state;
  ja3s_of(kTls12Five, sizeof(kTls12Five), TP_SERVER_HELLO, "771,49199,65281-0-11-35-23");
  ja3s_of(kHelloRetryRequest, sizeof(kHelloRetryRequest), TP_HELLO_RETRY, "771,4865,43-51");
  ja3s_of(kTls10Renegotiation, sizeof(kTls10Renegotiation), TP_SERVER_HELLO, "769,49172,65281");
  ja3s_of(kSsl3, sizeof(kSsl3), TP_SERVER_HELLO, "768,10,");
}

/* Too small a buffer fails whole, at every size short of the text. */
static void test_small_buffers(void **state) {
  (void)state;
  struct tp_reader r;
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, kTls12Five, sizeof(kTls12Five)), TP_SERVER_HELLO);
  const char *text = "771,49199,65281-0-11-35-23";
  for (size_t cap = 0; cap <= strlen(text); cap++) {
    char out[64];
    size_t n = 0;
    assert_int_equal(tp_ja3s_string(&r.sh, out, cap, &n), 0);
  }
  char out[64];
  size_t n;
  assert_int_equal(tp_ja3s_string(&r.sh, out, strlen(text) + 1, &n), 1);
}

/* An extension block that does not parse gives no text (the reader never
 * hands one over, but the function does not rely on it). */
static void test_broken_block(void **state) {
  (void)state;
  static const uint8_t kBroken[] = {0xff, 0x01, 0x00, 0x05, 0x00};
  struct tp_server_hello sh;
  memset(&sh, 0, sizeof(sh));
  sh.legacy_version = TP_TLS12;
  sh.cipher_suite = 0x002f;
  sh.has_extensions = 1;
  tp_cbs_init(&sh.extensions, kBroken, sizeof(kBroken));
  char out[TP_JA3S_MAX];
  size_t n;
  assert_int_equal(tp_ja3s_string(&sh, out, sizeof(out), &n), 0);
  tp_cbs_init(&sh.extensions, kBroken, 3);
  assert_int_equal(tp_ja3s_string(&sh, out, sizeof(out), &n), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_vectors),
      cmocka_unit_test(test_small_buffers),
      cmocka_unit_test(test_broken_block),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
