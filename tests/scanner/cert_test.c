/* tests/scanner/cert_test.c: the certificate record says exactly what the
 * certificate says.
 *
 * Every certificate is made here at run time with BoringSSL: an RSA root and
 * an EC root (both in a temporary PEM file that one verifier trusts; a second
 * verifier has only the system's store), an EC intermediate, and leaves with
 * known names, SANs, validity, serials and keys. Each field of cert_info is
 * checked against the value put in (the SHA-256 fingerprint against a hash of
 * the leaf's DER computed here), verification and name matching against what
 * a browser would decide, and the JSON rendering is parsed back, including
 * for a certificate whose names hold bytes that are not UTF-8 and control
 * characters. Four threads verify at once against the same verifiers. Last,
 * a BoringSSL server and client shake hands over a BIO pair in memory (TLS
 * 1.2 and TLS 1.0) and cert_info_from_ssl reads the client's view. Keys and
 * roots are made once for the whole group: RSA key generation is the slow
 * part. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>
#include <openssl/bn.h>
#include <openssl/ec_key.h>
#include <openssl/evp.h>
#include <openssl/mem.h>
#include <openssl/nid.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <pthread.h>

#include "scanner/output/cert.h"

/* Fixed times, so that every check is deterministic. */
static const time_t kRootNotBefore = 1577836800;  /* 2020-01-01T00:00:00Z */
static const time_t kRootNotAfter = 2208988800;   /* 2040-01-01T00:00:00Z */
static const time_t kLeafNotBefore = 1795687200;  /* 2026-11-26T10:00:00Z */
static const time_t kLeafNotAfter = 1803463200;   /* 2027-02-24T10:00:00Z */
static const time_t kNow = 1798761600;            /* 2027-01-01T00:00:00Z */

static const uint8_t kLeafSerial[] = {0x0a, 0x1b, 0x2c, 0x3d, 0x4e, 0x5f, 0x60, 0x71};

struct san_spec {
  int type;           /* GEN_DNS, GEN_IPADD, GEN_EMAIL */
  const char *value;  /* IP: text */
  size_t len;         /* DNS, email: bytes (0: strlen) */
};

struct cert_spec {
  const char *cn;
  size_t cn_len;      /* 0: strlen */
  int cn_type;        /* 0: MBSTRING_UTF8; else a V_ASN1_* string type, bytes kept */
  const uint8_t *serial;
  size_t serial_len;
  time_t not_before, not_after;
  const struct san_spec *san;
  size_t num_san;
  int is_ca;
};

struct fixture {
  EVP_PKEY *rsa_root_key, *ec_root_key, *ec_inter_key;
  EVP_PKEY *ec_leaf_key, *rsa_leaf_key;
  X509 *rsa_root;   /* CN=tlssweep test root RSA */
  X509 *ec_root;    /* CN=tlssweep test root EC */
  X509 *ec_inter;   /* CN=tlssweep test intermediate EC, signed by ec_root */
  X509 *leaf;       /* CN=mail.example.test, EC P-256 key, signed by rsa_root */
  char ca_path[256];
  struct cert_verifier trust_test;     /* the two roots */
  struct cert_verifier trust_system;   /* the system's store */
};

/* ---- making keys and certificates ----------------------------------------- */

static EVP_PKEY *make_ec_key(void) {
  EC_KEY *ec = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  EVP_PKEY *key = EVP_PKEY_new();
  assert_non_null(ec);
  assert_non_null(key);
  assert_true(EC_KEY_generate_key(ec));
  assert_true(EVP_PKEY_assign_EC_KEY(key, ec));
  return key;
}

static EVP_PKEY *make_rsa_key(void) {
  RSA *rsa = RSA_new();
  BIGNUM *e = BN_new();
  EVP_PKEY *key = EVP_PKEY_new();
  assert_non_null(rsa);
  assert_non_null(e);
  assert_non_null(key);
  assert_true(BN_set_word(e, RSA_F4));
  assert_true(RSA_generate_key_ex(rsa, 2048, e, NULL));
  assert_true(EVP_PKEY_assign_RSA(key, rsa));
  BN_free(e);
  return key;
}

static void add_sans(X509 *cert, const struct san_spec *san, size_t n) {
  GENERAL_NAMES *names = sk_GENERAL_NAME_new_null();
  assert_non_null(names);
  for (size_t i = 0; i < n; i++) {
    GENERAL_NAME *g = GENERAL_NAME_new();
    assert_non_null(g);
    if (san[i].type == GEN_IPADD) {
      ASN1_OCTET_STRING *ip = a2i_IPADDRESS(san[i].value);
      assert_non_null(ip);
      GENERAL_NAME_set0_value(g, GEN_IPADD, ip);
    } else {
      ASN1_IA5STRING *s = ASN1_IA5STRING_new();
      assert_non_null(s);
      size_t len = san[i].len ? san[i].len : strlen(san[i].value);
      assert_true(ASN1_STRING_set(s, san[i].value, (int)len));
      GENERAL_NAME_set0_value(g, san[i].type, s);
    }
    assert_true(sk_GENERAL_NAME_push(names, g));
  }
  assert_true(X509_add1_ext_i2d(cert, NID_subject_alt_name, names, 0, X509V3_ADD_DEFAULT));
  GENERAL_NAMES_free(names);
}

/* make_cert makes a certificate for |key| as |spec| says, signed with SHA-256
 * by |issuer_key| (|issuer| NULL: self-signed). O is always "tlssweep tests". */
static X509 *make_cert(const struct cert_spec *spec, EVP_PKEY *key, X509 *issuer,
                       EVP_PKEY *issuer_key) {
  X509 *cert = X509_new();
  assert_non_null(cert);
  assert_true(X509_set_version(cert, 2));
  BIGNUM *serial = BN_bin2bn(spec->serial, spec->serial_len, NULL);
  assert_non_null(serial);
  assert_non_null(BN_to_ASN1_INTEGER(serial, X509_get_serialNumber(cert)));
  BN_free(serial);
  assert_non_null(ASN1_TIME_set(X509_getm_notBefore(cert), spec->not_before));
  assert_non_null(ASN1_TIME_set(X509_getm_notAfter(cert), spec->not_after));
  X509_NAME *name = X509_get_subject_name(cert);
  assert_true(X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                                         (const uint8_t *)"tlssweep tests", -1, -1, 0));
  if (spec->cn != NULL) {
    size_t len = spec->cn_len ? spec->cn_len : strlen(spec->cn);
    assert_true(X509_NAME_add_entry_by_NID(name, NID_commonName,
                                           spec->cn_type ? spec->cn_type : MBSTRING_UTF8,
                                           (const uint8_t *)spec->cn, (int)len, -1, 0));
  }
  assert_true(X509_set_issuer_name(cert, issuer != NULL ? X509_get_subject_name(issuer) : name));
  assert_true(X509_set_pubkey(cert, key));
  if (spec->is_ca) {
    BASIC_CONSTRAINTS *bc = BASIC_CONSTRAINTS_new();
    assert_non_null(bc);
    bc->ca = 0xff;
    assert_true(X509_add1_ext_i2d(cert, NID_basic_constraints, bc, 1, X509V3_ADD_DEFAULT));
    BASIC_CONSTRAINTS_free(bc);
  }
  if (spec->num_san > 0) {
    add_sans(cert, spec->san, spec->num_san);
  }
  assert_true(X509_sign(cert, issuer_key != NULL ? issuer_key : key, EVP_sha256()));
  return cert;
}

static const struct san_spec kLeafSans[] = {
    {GEN_DNS, "mail.example.test", 0},
    {GEN_DNS, "*.example.test", 0},
    {GEN_IPADD, "127.0.0.1", 0},
};

/* make_leaf makes CN=mail.example.test with kLeafSans, valid from
 * kLeafNotBefore to kLeafNotAfter, serial kLeafSerial. */
static X509 *make_leaf(EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key) {
  const struct cert_spec spec = {
      .cn = "mail.example.test",
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
      .san = kLeafSans,
      .num_san = sizeof(kLeafSans) / sizeof(kLeafSans[0]),
  };
  return make_cert(&spec, key, issuer, issuer_key);
}

static X509 *make_root(const char *cn, EVP_PKEY *key, X509 *issuer, EVP_PKEY *issuer_key) {
  static const uint8_t kSerial[] = {0x01};
  const struct cert_spec spec = {
      .cn = cn,
      .serial = kSerial,
      .serial_len = sizeof(kSerial),
      .not_before = kRootNotBefore,
      .not_after = kRootNotAfter,
      .is_ca = 1,
  };
  return make_cert(&spec, key, issuer, issuer_key);
}

/* ---- running the module ---------------------------------------------------- */

static uint8_t *der_of(X509 *cert, size_t *out_len) {
  uint8_t *der = NULL;
  int len = i2d_X509(cert, &der);
  assert_true(len > 0);
  *out_len = (size_t)len;
  return der;
}

/* info_of runs cert_info_from_der_chain on |certs| and checks it succeeds. */
static void info_of(X509 *const *certs, size_t n, const struct cert_verifier *v,
                    const char *host, time_t now, struct cert_info *out) {
  uint8_t *der[8];
  size_t len[8];
  assert_true(n <= 8);
  for (size_t i = 0; i < n; i++) {
    der[i] = der_of(certs[i], &len[i]);
  }
  assert_int_equal(
      cert_info_from_der_chain((const uint8_t *const *)der, len, n, v, host, now, out), 1);
  for (size_t i = 0; i < n; i++) {
    OPENSSL_free(der[i]);
  }
}

static void sha256_hex_of(X509 *cert, char out[65]) {
  size_t len;
  uint8_t *der = der_of(cert, &len);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(der, len, digest);
  for (size_t i = 0; i < sizeof(digest); i++) {
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  }
  OPENSSL_free(der);
}

/* spki_sha256_hex_of is the key's fingerprint as cert.c gives it: SHA-256
 * of the DER SubjectPublicKeyInfo. */
static void spki_sha256_hex_of(X509 *cert, char out[65]) {
  uint8_t *spki = NULL;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(cert), &spki);
  assert_true(n > 0);
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256(spki, (size_t)n, digest);
  for (size_t i = 0; i < sizeof(digest); i++) {
    snprintf(out + 2 * i, 3, "%02x", digest[i]);
  }
  OPENSSL_free(spki);
}

static int group_setup(void **state) {
  struct fixture *f = calloc(1, sizeof(*f));
  assert_non_null(f);
  f->rsa_root_key = make_rsa_key();
  f->rsa_leaf_key = make_rsa_key();
  f->ec_root_key = make_ec_key();
  f->ec_inter_key = make_ec_key();
  f->ec_leaf_key = make_ec_key();
  f->rsa_root = make_root("tlssweep test root RSA", f->rsa_root_key, NULL, NULL);
  f->ec_root = make_root("tlssweep test root EC", f->ec_root_key, NULL, NULL);
  f->ec_inter = make_root("tlssweep test intermediate EC", f->ec_inter_key, f->ec_root,
                          f->ec_root_key);
  f->leaf = make_leaf(f->ec_leaf_key, f->rsa_root, f->rsa_root_key);

  const char *dir = getenv("TEST_TMPDIR");
  snprintf(f->ca_path, sizeof(f->ca_path), "%s/cert_test_ca_XXXXXX", dir != NULL ? dir : "/tmp");
  int fd = mkstemp(f->ca_path);
  assert_true(fd >= 0);
  close(fd);
  BIO *bio = BIO_new_file(f->ca_path, "w");
  assert_non_null(bio);
  assert_true(PEM_write_bio_X509(bio, f->rsa_root));
  assert_true(PEM_write_bio_X509(bio, f->ec_root));
  BIO_free(bio);
  assert_int_equal(cert_verifier_init(&f->trust_test, f->ca_path), 1);
  assert_int_equal(cert_verifier_init(&f->trust_system, NULL), 1);
  *state = f;
  return 0;
}

static int group_teardown(void **state) {
  struct fixture *f = *state;
  cert_verifier_free(&f->trust_test);
  cert_verifier_free(&f->trust_system);
  unlink(f->ca_path);
  X509_free(f->leaf);
  X509_free(f->ec_inter);
  X509_free(f->ec_root);
  X509_free(f->rsa_root);
  EVP_PKEY_free(f->rsa_root_key);
  EVP_PKEY_free(f->rsa_leaf_key);
  EVP_PKEY_free(f->ec_root_key);
  EVP_PKEY_free(f->ec_inter_key);
  EVP_PKEY_free(f->ec_leaf_key);
  free(f);
  return 0;
}

/* ---- fields ------------------------------------------------------------------ */

static void test_leaf_fields(void **state) {
  struct fixture *f = *state;
  X509 *chain[] = {f->leaf, f->rsa_root};
  struct cert_info c;
  info_of(chain, 2, &f->trust_test, "mail.example.test", kNow, &c);

  assert_string_equal(c.subject, "CN=mail.example.test,O=tlssweep tests");
  assert_string_equal(c.issuer, "CN=tlssweep test root RSA,O=tlssweep tests");
  assert_int_equal(c.san_count, 3);
  assert_int_equal(c.san_more, 0);
  assert_int_equal(c.san[0].type, CERT_SAN_DNS);
  assert_string_equal(c.san[0].value, "mail.example.test");
  assert_int_equal(c.san[0].len, strlen("mail.example.test"));
  assert_int_equal(c.san[1].type, CERT_SAN_DNS);
  assert_string_equal(c.san[1].value, "*.example.test");
  assert_int_equal(c.san[2].type, CERT_SAN_IP);
  assert_string_equal(c.san[2].value, "127.0.0.1");
  assert_int_equal(c.san[2].len, 9);

  assert_int_equal(c.times_known, 1);
  assert_string_equal(c.not_before, "2026-11-26T10:00:00Z");
  assert_string_equal(c.not_after, "2027-02-24T10:00:00Z");
  assert_true(c.not_before_time == kLeafNotBefore);
  assert_true(c.not_after_time == kLeafNotAfter);
  assert_int_equal(c.expired, 0);
  assert_int_equal(c.not_yet_valid, 0);

  assert_string_equal(c.key_type, "EC");
  assert_int_equal(c.key_bits, 256);
  assert_string_equal(c.key_curve, "P-256");
  assert_string_equal(c.signature, "sha256WithRSAEncryption");

  char want_sha256[65];
  sha256_hex_of(f->leaf, want_sha256);
  assert_string_equal(c.sha256, want_sha256);
  assert_string_equal(c.serial, "0a1b2c3d4e5f6071");
  assert_int_equal(c.serial_truncated, 0);

  assert_int_equal(c.chain_length, 2);
  assert_int_equal(c.self_signed, 0);
  assert_int_equal(c.chain_verifies, 1);
  assert_int_equal(c.verify_error_code, X509_V_OK);
  assert_string_equal(c.verify_error, "ok");
  assert_int_equal(c.name_checked, 1);
  assert_int_equal(c.name_matches, 1);
}

static void test_rsa_leaf_under_ec_intermediate(void **state) {
  struct fixture *f = *state;
  static const uint8_t kHighBitSerial[] = {0x88, 0x99, 0xaa, 0xbb, 0xcc, 0xdd};
  const struct cert_spec spec = {
      .cn = "rsa.example.test",
      .serial = kHighBitSerial,
      .serial_len = sizeof(kHighBitSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
  };
  X509 *leaf = make_cert(&spec, f->rsa_leaf_key, f->ec_inter, f->ec_inter_key);
  X509 *chain[] = {leaf, f->ec_inter};
  struct cert_info c;
  info_of(chain, 2, &f->trust_test, NULL, kNow, &c);
  assert_string_equal(c.key_type, "RSA");
  assert_int_equal(c.key_bits, 2048);
  assert_string_equal(c.key_curve, "");
  assert_string_equal(c.signature, "ecdsa-with-SHA256");
  assert_string_equal(c.issuer, "CN=tlssweep test intermediate EC,O=tlssweep tests");
  /* DER adds a leading zero octet to keep the integer positive; the serial
   * is the number, not its encoding. */
  assert_string_equal(c.serial, "8899aabbccdd");
  assert_int_equal(c.chain_verifies, 1);
  assert_int_equal(c.name_checked, 0);
  assert_int_equal(c.name_matches, 0);
  X509_free(leaf);
}

static void test_long_serial_is_cut(void **state) {
  struct fixture *f = *state;
  uint8_t serial[CERT_SERIAL_MAX + 4];
  for (size_t i = 0; i < sizeof(serial); i++) {
    serial[i] = (uint8_t)(0x11 * ((i % 7) + 1));
  }
  const struct cert_spec spec = {
      .cn = "serial.example.test",
      .serial = serial,
      .serial_len = sizeof(serial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
  };
  X509 *leaf = make_cert(&spec, f->ec_leaf_key, f->rsa_root, f->rsa_root_key);
  struct cert_info c;
  info_of(&leaf, 1, &f->trust_test, NULL, kNow, &c);
  assert_int_equal(c.serial_truncated, 1);
  assert_int_equal(strlen(c.serial), 2 * CERT_SERIAL_MAX);
  assert_memory_equal(c.serial, "1122334455667711", 16);
  X509_free(leaf);
}

/* ---- judgements ------------------------------------------------------------- */

static void test_verification(void **state) {
  struct fixture *f = *state;
  struct cert_info c;
  X509 *with_root[] = {f->leaf, f->rsa_root};

  /* The leaf alone verifies too: the root comes from the store. */
  info_of(&f->leaf, 1, &f->trust_test, NULL, kNow, &c);
  assert_int_equal(c.chain_verifies, 1);
  assert_int_equal(c.chain_length, 1);

  info_of(with_root, 2, &f->trust_system, NULL, kNow, &c);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN);
  assert_string_equal(c.verify_error, "self signed certificate in certificate chain");

  info_of(&f->leaf, 1, &f->trust_system, NULL, kNow, &c);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  assert_string_equal(c.verify_error, "unable to get local issuer certificate");

  struct cert_verifier missing;
  assert_int_equal(cert_verifier_init(&missing, "/nonexistent/ca.pem"), 0);
  assert_null(missing.store);
}

static void test_chain_of_three(void **state) {
  struct fixture *f = *state;
  X509 *leaf = make_leaf(f->ec_leaf_key, f->ec_inter, f->ec_inter_key);
  X509 *chain[] = {leaf, f->ec_inter, f->ec_root};
  struct cert_info c;

  info_of(chain, 3, &f->trust_test, "mail.example.test", kNow, &c);
  assert_int_equal(c.chain_length, 3);
  assert_int_equal(c.chain_verifies, 1);
  assert_string_equal(c.issuer, "CN=tlssweep test intermediate EC,O=tlssweep tests");
  assert_string_equal(c.signature, "ecdsa-with-SHA256");
  assert_int_equal(c.name_matches, 1);

  info_of(chain, 2, &f->trust_test, NULL, kNow, &c);
  assert_int_equal(c.chain_length, 2);
  assert_int_equal(c.chain_verifies, 1);

  /* Without the intermediate there is no path to the root. */
  info_of(chain, 1, &f->trust_test, NULL, kNow, &c);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY);
  X509_free(leaf);
}

static void test_name_matching(void **state) {
  struct fixture *f = *state;
  static const struct {
    const char *host;
    int matches;
  } kCases[] = {
      {"mail.example.test", 1},
      {"MAIL.Example.TEST", 1},   /* DNS names are case-insensitive */
      {"mail.example.test.", 1},  /* the root's dot */
      {"x.example.test", 1},      /* *.example.test */
      {"a.b.example.test", 0},    /* a wildcard is one label */
      {"example.test", 0},        /* ... and never the parent */
      {"other.test", 0},
      {"127.0.0.1", 1},           /* IP SAN */
      {"127.0.0.2", 0},
      {"::1", 0},
  };
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
    struct cert_info c;
    info_of(&f->leaf, 1, &f->trust_test, kCases[i].host, kNow, &c);
    assert_int_equal(c.name_checked, 1);
    if (c.name_matches != kCases[i].matches) {
      fail_msg("%s: name_matches %d", kCases[i].host, c.name_matches);
    }
  }
  struct cert_info c;
  info_of(&f->leaf, 1, &f->trust_test, "", kNow, &c);
  assert_int_equal(c.name_checked, 0);
  assert_int_equal(c.name_matches, 0);
}

static void test_validity_window(void **state) {
  struct fixture *f = *state;
  struct cert_info c;

  info_of(&f->leaf, 1, &f->trust_test, NULL, kLeafNotBefore - 1, &c);
  assert_int_equal(c.not_yet_valid, 1);
  assert_int_equal(c.expired, 0);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_CERT_NOT_YET_VALID);
  assert_string_equal(c.verify_error, "certificate is not yet valid");

  info_of(&f->leaf, 1, &f->trust_test, NULL, kLeafNotBefore, &c);
  assert_int_equal(c.not_yet_valid, 0);
  assert_int_equal(c.chain_verifies, 1);

  info_of(&f->leaf, 1, &f->trust_test, NULL, kLeafNotAfter - 1, &c);
  assert_int_equal(c.expired, 0);
  assert_int_equal(c.chain_verifies, 1);

  /* RFC 5280, 4.1.2.5: the period includes notAfter. (This BoringSSL's
   * verifier already calls that second expired; the flag keeps to the RFC.) */
  info_of(&f->leaf, 1, &f->trust_test, NULL, kLeafNotAfter, &c);
  assert_int_equal(c.expired, 0);

  info_of(&f->leaf, 1, &f->trust_test, NULL, kLeafNotAfter + 1, &c);
  assert_int_equal(c.expired, 1);
  assert_int_equal(c.not_yet_valid, 0);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_CERT_HAS_EXPIRED);
  assert_string_equal(c.verify_error, "certificate has expired");
}

static void test_self_signed(void **state) {
  struct fixture *f = *state;
  struct cert_info c;
  info_of(&f->ec_root, 1, &f->trust_system, NULL, kNow, &c);
  assert_int_equal(c.self_signed, 1);
  assert_string_equal(c.subject, c.issuer);
  assert_int_equal(c.chain_verifies, 0);
  assert_int_equal(c.verify_error_code, X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT);
  assert_string_equal(c.verify_error, "self signed certificate");

  /* Named as its own issuer but signed by another key: not self-signed. */
  const struct cert_spec spec = {
      .cn = "tlssweep test root EC",
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
  };
  X509 *impostor = make_cert(&spec, f->ec_leaf_key, f->ec_root, f->ec_root_key);
  info_of(&impostor, 1, &f->trust_test, NULL, kNow, &c);
  assert_string_equal(c.subject, c.issuer);
  assert_int_equal(c.self_signed, 0);
  X509_free(impostor);
}

/* ---- SAN bounds ------------------------------------------------------------- */

static void test_many_sans(void **state) {
  struct fixture *f = *state;
  /* host0 ... host19 with an email address in host3's place, then an IPv6
   * address. */
  char names[20][32];
  struct san_spec san[21];
  size_t n = 0;
  for (size_t i = 0; i < 20; i++) {
    snprintf(names[i], sizeof(names[i]), "host%zu.example.test", i);
    san[n++] = i == 3 ? (struct san_spec){GEN_EMAIL, "postmaster@example.test", 0}
                      : (struct san_spec){GEN_DNS, names[i], 0};
  }
  san[n++] = (struct san_spec){GEN_IPADD, "2001:db8::1", 0};
  const struct cert_spec spec = {
      .cn = "many.example.test",
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
      .san = san,
      .num_san = n,
  };
  X509 *leaf = make_cert(&spec, f->ec_leaf_key, f->rsa_root, f->rsa_root_key);
  struct cert_info c;
  info_of(&leaf, 1, &f->trust_test, "host19.example.test", kNow, &c);
  /* 19 DNS names and one address (the email is neither): 16 kept, 4 more. */
  assert_int_equal(c.san_count, CERT_SAN_MAX);
  assert_int_equal(c.san_more, 4);
  assert_string_equal(c.san[0].value, "host0.example.test");
  assert_string_equal(c.san[3].value, "host4.example.test");
  assert_string_equal(c.san[15].value, "host16.example.test");
  /* Matching looks at the certificate, not at what was kept. */
  assert_int_equal(c.name_matches, 1);

  json_t *j = cert_info_json(&c);
  assert_non_null(j);
  assert_int_equal(json_array_size(json_object_get(j, "san")), CERT_SAN_MAX);
  assert_int_equal(json_integer_value(json_object_get(j, "san_more")), 4);
  assert_string_equal(json_string_value(json_array_get(json_object_get(j, "san"), 15)),
                      "DNS:host16.example.test");
  json_decref(j);
  X509_free(leaf);

  /* The address, when it is kept, in RFC 5952 form. */
  const struct cert_spec one_ip = {
      .cn = "v6.example.test",
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
      .san = &san[n - 1],
      .num_san = 1,
  };
  leaf = make_cert(&one_ip, f->ec_leaf_key, f->rsa_root, f->rsa_root_key);
  info_of(&leaf, 1, &f->trust_test, "2001:DB8:0:0::1", kNow, &c);
  assert_int_equal(c.san_count, 1);
  assert_int_equal(c.san[0].type, CERT_SAN_IP);
  assert_string_equal(c.san[0].value, "2001:db8::1");
  assert_int_equal(c.name_matches, 1);
  X509_free(leaf);
}

static void test_no_san(void **state) {
  struct fixture *f = *state;
  const struct cert_spec spec = {
      .cn = "mail.example.test",
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
  };
  X509 *leaf = make_cert(&spec, f->ec_leaf_key, f->rsa_root, f->rsa_root_key);
  struct cert_info c;
  info_of(&leaf, 1, &f->trust_test, "mail.example.test", kNow, &c);
  assert_int_equal(c.san_count, 0);
  assert_int_equal(c.san_more, 0);
  assert_int_equal(c.chain_verifies, 1);
  /* The subject's CN is not a name the certificate is valid for. */
  assert_int_equal(c.name_checked, 1);
  assert_int_equal(c.name_matches, 0);

  json_t *j = cert_info_json(&c);
  assert_non_null(j);
  assert_true(json_is_array(json_object_get(j, "san")));
  assert_int_equal(json_array_size(json_object_get(j, "san")), 0);
  assert_null(json_object_get(j, "san_more"));
  json_decref(j);
  X509_free(leaf);
}

/* ---- JSON ---------------------------------------------------------------------- */

/* reparse dumps |j| (taking it) and parses it back, as a reader of the
 * record would. */
static json_t *reparse(json_t *j) {
  assert_non_null(j);
  char *text = json_dumps(j, JSON_COMPACT);
  json_decref(j);
  assert_non_null(text);
  json_error_t err;
  json_t *back = json_loads(text, JSON_ALLOW_NUL, &err);
  if (back == NULL) {
    fail_msg("invalid JSON (%s): %s", err.text, text);
  }
  free(text);
  return back;
}

static void assert_json_string(json_t *obj, const char *key, const char *want) {
  json_t *v = json_object_get(obj, key);
  if (!json_is_string(v) || strcmp(json_string_value(v), want) != 0) {
    fail_msg("%s: want \"%s\", have \"%s\"", key, want,
             json_is_string(v) ? json_string_value(v) : "?");
  }
}

static void test_json_record(void **state) {
  struct fixture *f = *state;
  X509 *chain[] = {f->leaf, f->rsa_root};
  struct cert_info c;
  info_of(chain, 2, &f->trust_test, "x.example.test", kNow, &c);
  json_t *j = reparse(cert_info_json(&c));

  char want_sha256[65];
  sha256_hex_of(f->leaf, want_sha256);
  assert_json_string(j, "subject", "CN=mail.example.test,O=tlssweep tests");
  assert_json_string(j, "issuer", "CN=tlssweep test root RSA,O=tlssweep tests");
  json_t *san = json_object_get(j, "san");
  assert_int_equal(json_array_size(san), 3);
  assert_string_equal(json_string_value(json_array_get(san, 0)), "DNS:mail.example.test");
  assert_string_equal(json_string_value(json_array_get(san, 1)), "DNS:*.example.test");
  assert_string_equal(json_string_value(json_array_get(san, 2)), "IP:127.0.0.1");
  assert_json_string(j, "not_before", "2026-11-26T10:00:00Z");
  assert_json_string(j, "not_after", "2027-02-24T10:00:00Z");
  assert_true(json_is_false(json_object_get(j, "expired")));
  assert_true(json_is_false(json_object_get(j, "not_yet_valid")));
  json_t *key = json_object_get(j, "key");
  assert_json_string(key, "type", "EC");
  assert_int_equal(json_integer_value(json_object_get(key, "bits")), 256);
  assert_json_string(key, "curve", "P-256");
  char want_spki[65];
  spki_sha256_hex_of(f->leaf, want_spki);
  assert_json_string(key, "sha256", want_spki);
  assert_int_equal(json_object_size(key), 4);
  assert_json_string(j, "signature", "sha256WithRSAEncryption");
  assert_json_string(j, "sha256", want_sha256);
  assert_json_string(j, "serial", "0a1b2c3d4e5f6071");
  assert_int_equal(json_integer_value(json_object_get(j, "chain_length")), 2);
  assert_true(json_is_false(json_object_get(j, "self_signed")));
  assert_true(json_is_true(json_object_get(j, "chain_verifies")));
  assert_true(json_is_true(json_object_get(j, "name_matches")));
  /* Nothing else: no san_more, verify_error or serial_truncated. */
  assert_int_equal(json_object_size(j), 15);
  json_decref(j);

  /* A failed verification says why; an RSA key has no curve. */
  X509 *rsa_chain[] = {f->rsa_root};
  info_of(rsa_chain, 1, &f->trust_system, "other.test", kLeafNotAfter + 1, &c);
  j = reparse(cert_info_json(&c));
  assert_true(json_is_false(json_object_get(j, "chain_verifies")));
  assert_json_string(j, "verify_error", "self signed certificate");
  assert_true(json_is_true(json_object_get(j, "self_signed")));
  assert_true(json_is_false(json_object_get(j, "expired")));
  assert_true(json_is_false(json_object_get(j, "name_matches")));
  key = json_object_get(j, "key");
  assert_json_string(key, "type", "RSA");
  assert_int_equal(json_integer_value(json_object_get(key, "bits")), 2048);
  assert_null(json_object_get(key, "curve"));
  json_decref(j);
}

static void test_json_with_hostile_bytes(void **state) {
  struct fixture *f = *state;
  /* A T61String CN with UTF-8 ("é"), stray bytes (ff fe), control
   * characters and RFC 2253 specials; a dNSName with NUL, control and stray
   * bytes. */
  static const char kCn[] = "caf\xc3\xa9 \xff\xfe x\x01y\x1f,+\"\x7f";
  static const char kDns[] = "bad\x00\x01\xffname.test";
  const struct san_spec san[] = {{GEN_DNS, kDns, sizeof(kDns) - 1}};
  const struct cert_spec spec = {
      .cn = kCn,
      .cn_len = sizeof(kCn) - 1,
      .cn_type = V_ASN1_T61STRING,
      .serial = kLeafSerial,
      .serial_len = sizeof(kLeafSerial),
      .not_before = kLeafNotBefore,
      .not_after = kLeafNotAfter,
      .san = san,
      .num_san = 1,
  };
  X509 *leaf = make_cert(&spec, f->ec_leaf_key, f->rsa_root, f->rsa_root_key);
  struct cert_info c;
  info_of(&leaf, 1, &f->trust_test, "badname.test", kNow, &c);

  /* Raw in the record: bytes as they were, controls escaped by RFC 2253. */
  assert_string_equal(c.subject,
                      "CN=caf\xc3\xa9 \xff\xfe x\\01y\\1F\\,\\+\\\"\\7F,O=tlssweep tests");
  assert_int_equal(c.san_count, 1);
  assert_int_equal(c.san[0].len, sizeof(kDns) - 1);
  assert_memory_equal(c.san[0].value, kDns, sizeof(kDns) - 1);
  assert_int_equal(c.name_matches, 0);

  json_t *j = reparse(cert_info_json(&c));
  /* Valid UTF-8 kept, each stray byte as the code point of its value. */
  assert_json_string(j, "subject",
                     "CN=caf\xc3\xa9 \xc3\xbf\xc3\xbe x\\01y\\1F\\,\\+\\\"\\7F,O=tlssweep tests");
  json_t *dns = json_array_get(json_object_get(j, "san"), 0);
  static const char kWant[] = "DNS:bad\x00\x01\xc3\xbfname.test";
  assert_int_equal(json_string_length(dns), sizeof(kWant) - 1);
  assert_memory_equal(json_string_value(dns), kWant, sizeof(kWant) - 1);
  json_decref(j);
  X509_free(leaf);
}

/* ---- refusals ----------------------------------------------------------------- */

static void test_nothing_to_read(void **state) {
  struct fixture *f = *state;
  struct cert_info c;
  memset(&c, 0xaa, sizeof(c));
  assert_int_equal(cert_info_from_der_chain(NULL, NULL, 0, &f->trust_test, NULL, kNow, &c), 0);
  assert_int_equal(c.chain_length, 0);
  assert_string_equal(c.subject, "");

  static const uint8_t kGarbage[] = {0x30, 0x03, 0x02, 0x01, 0x01};
  const uint8_t *der[] = {kGarbage};
  size_t len[] = {sizeof(kGarbage)};
  assert_int_equal(cert_info_from_der_chain(der, len, 1, &f->trust_test, NULL, kNow, &c), 0);

  /* A certificate with a byte after it is not a certificate. */
  size_t leaf_len;
  uint8_t *leaf_der = der_of(f->leaf, &leaf_len);
  uint8_t *padded = malloc(leaf_len + 1);
  assert_non_null(padded);
  memcpy(padded, leaf_der, leaf_len);
  padded[leaf_len] = 0;
  der[0] = padded;
  len[0] = leaf_len + 1;
  assert_int_equal(cert_info_from_der_chain(der, len, 1, &f->trust_test, NULL, kNow, &c), 0);
  len[0] = leaf_len;
  assert_int_equal(cert_info_from_der_chain(der, len, 1, &f->trust_test, NULL, kNow, &c), 1);
  free(padded);
  OPENSSL_free(leaf_der);

  /* A client that has not shaken hands has no peer certificate. */
  SSL_CTX *ctx = SSL_CTX_new(TLS_method());
  assert_non_null(ctx);
  SSL *ssl = SSL_new(ctx);
  assert_non_null(ssl);
  assert_int_equal(cert_info_from_ssl(ssl, &f->trust_test, NULL, kNow, &c), 0);
  SSL_free(ssl);
  SSL_CTX_free(ctx);
}

/* ---- threads --------------------------------------------------------------- */

/* One verifier, read by several threads at once: each builds its own
 * X509_STORE_CTX over the shared store, as the engine's threads will. */
struct worker {
  const struct fixture *f;
  uint8_t *der[2];
  size_t len[2];
  int agreed;
};

static void *verify_many(void *arg) {
  struct worker *w = arg;
  w->agreed = 1;
  for (int i = 0; i < 50; i++) {
    struct cert_info c;
    const struct cert_verifier *v = i % 2 ? &w->f->trust_system : &w->f->trust_test;
    if (!cert_info_from_der_chain((const uint8_t *const *)w->der, w->len, 2, v,
                                  "mail.example.test", kNow, &c) ||
        c.chain_verifies != (i % 2 == 0) || !c.name_matches) {
      w->agreed = 0;
    }
  }
  return NULL;
}

static void test_shared_verifier_across_threads(void **state) {
  struct fixture *f = *state;
  struct worker workers[4];
  pthread_t threads[4];
  for (size_t i = 0; i < 4; i++) {
    workers[i] = (struct worker){.f = f};
    workers[i].der[0] = der_of(f->leaf, &workers[i].len[0]);
    workers[i].der[1] = der_of(f->rsa_root, &workers[i].len[1]);
    assert_int_equal(pthread_create(&threads[i], NULL, verify_many, &workers[i]), 0);
  }
  for (size_t i = 0; i < 4; i++) {
    assert_int_equal(pthread_join(threads[i], NULL), 0);
    assert_int_equal(workers[i].agreed, 1);
    OPENSSL_free(workers[i].der[0]);
    OPENSSL_free(workers[i].der[1]);
  }
}

/* ---- end to end over BoringSSL -------------------------------------------- */

/* handshake runs a server (the leaf and its root as chain, exactly |version|)
 * and a client over a BIO pair, then reads the client's view. */
static void handshake(struct fixture *f, uint16_t version, struct cert_info *out) {
  SSL_CTX *server_ctx = SSL_CTX_new(TLS_method());
  SSL_CTX *client_ctx = SSL_CTX_new(TLS_method());
  assert_non_null(server_ctx);
  assert_non_null(client_ctx);
  assert_true(SSL_CTX_set_min_proto_version(server_ctx, version));
  assert_true(SSL_CTX_set_max_proto_version(server_ctx, version));
  assert_true(SSL_CTX_set_min_proto_version(client_ctx, TLS1_VERSION));
  assert_true(SSL_CTX_use_certificate(server_ctx, f->leaf));
  assert_true(SSL_CTX_use_PrivateKey(server_ctx, f->ec_leaf_key));
  assert_true(SSL_CTX_add1_chain_cert(server_ctx, f->rsa_root));

  SSL *server = SSL_new(server_ctx);
  SSL *client = SSL_new(client_ctx);
  BIO *client_bio, *server_bio;
  assert_non_null(server);
  assert_non_null(client);
  assert_true(BIO_new_bio_pair(&client_bio, 0, &server_bio, 0));
  SSL_set_bio(client, client_bio, client_bio);
  SSL_set_bio(server, server_bio, server_bio);
  SSL_set_connect_state(client);
  SSL_set_accept_state(server);
  assert_true(SSL_set_tlsext_host_name(client, "mail.example.test"));

  int client_done = 0, server_done = 0;
  for (int round = 0; round < 32 && !(client_done && server_done); round++) {
    if (!client_done) {
      int rc = SSL_do_handshake(client);
      client_done = rc == 1;
      assert_true(client_done || SSL_get_error(client, rc) == SSL_ERROR_WANT_READ);
    }
    if (!server_done) {
      int rc = SSL_do_handshake(server);
      server_done = rc == 1;
      assert_true(server_done || SSL_get_error(server, rc) == SSL_ERROR_WANT_READ);
    }
  }
  assert_true(client_done && server_done);
  assert_int_equal(SSL_version(client), version);
  assert_int_equal(cert_info_from_ssl(client, &f->trust_test, "mail.example.test", kNow, out), 1);
  SSL_free(client);
  SSL_free(server);
  SSL_CTX_free(client_ctx);
  SSL_CTX_free(server_ctx);
}

static void check_handshake_view(struct fixture *f, const struct cert_info *c) {
  char want_sha256[65];
  sha256_hex_of(f->leaf, want_sha256);
  assert_string_equal(c->sha256, want_sha256);
  assert_string_equal(c->subject, "CN=mail.example.test,O=tlssweep tests");
  assert_string_equal(c->issuer, "CN=tlssweep test root RSA,O=tlssweep tests");
  assert_int_equal(c->san_count, 3);
  assert_string_equal(c->key_type, "EC");
  assert_string_equal(c->key_curve, "P-256");
  assert_string_equal(c->serial, "0a1b2c3d4e5f6071");
  assert_int_equal(c->chain_length, 2);
  assert_int_equal(c->chain_verifies, 1);
  assert_int_equal(c->name_matches, 1);
  assert_int_equal(c->expired, 0);
}

static void test_handshake_tls12(void **state) {
  struct fixture *f = *state;
  struct cert_info c;
  handshake(f, TLS1_2_VERSION, &c);
  check_handshake_view(f, &c);
}

static void test_handshake_tls10(void **state) {
  struct fixture *f = *state;
  struct cert_info c;
  handshake(f, TLS1_VERSION, &c);
  check_handshake_view(f, &c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_leaf_fields),
      cmocka_unit_test(test_rsa_leaf_under_ec_intermediate),
      cmocka_unit_test(test_long_serial_is_cut),
      cmocka_unit_test(test_verification),
      cmocka_unit_test(test_chain_of_three),
      cmocka_unit_test(test_name_matching),
      cmocka_unit_test(test_validity_window),
      cmocka_unit_test(test_self_signed),
      cmocka_unit_test(test_many_sans),
      cmocka_unit_test(test_no_san),
      cmocka_unit_test(test_json_record),
      cmocka_unit_test(test_json_with_hostile_bytes),
      cmocka_unit_test(test_nothing_to_read),
      cmocka_unit_test(test_shared_verifier_across_threads),
      cmocka_unit_test(test_handshake_tls12),
      cmocka_unit_test(test_handshake_tls10),
  };
  return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
