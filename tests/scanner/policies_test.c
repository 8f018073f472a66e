/* tests/scanner/policies_test.c: the compliance policies (--policy) on
 * records written by hand, as a file would hold them.
 *
 * For each policy: a record that passes every rule (compliant: true), and
 * for each kind of rule the policy has (a forbidden version, a required
 * version, a suite test, the certificate's key, its signature, its
 * validity) a record that breaks it alone, with the violation's words;
 * then the unknowns: suites without --ciphers (or an enumeration cut
 * short), no certificate (--no-confirm), a version that timed out or was
 * not probed, an endpoint with no TLS answer. Suites the probe or the
 * confirmation got are facts even without --ciphers. Also --policy's
 * parsing and a hostile record (wrong types everywhere). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/output/policies.h"

enum {
  RFC8996,
  NIST,
  PCI,
  BSI,
  MODERN,
  INTERMEDIATE,
};

/* A version object: accepted with a complete enumeration of |suites|
 * (comma-separated names), or |verdict| alone. */
static json_t *version(const char *verdict, const char *suites) {
  json_t *v = json_pack("{ss}", "verdict", verdict);
  if (suites != NULL) {
    json_t *list = json_array();
    char buf[1024];
    snprintf(buf, sizeof(buf), "%s", suites);
    char *save = NULL;
    for (char *s = strtok_r(buf, ",", &save); s != NULL; s = strtok_r(NULL, ",", &save)) {
      json_array_append_new(list, json_pack("{ss}", "name", s));
    }
    json_object_set_new(v, "probe_cipher",
                        json_copy(json_object_get(json_array_get(list, 0), "name")));
    json_object_set_new(v, "ciphers", json_pack("{sbso}", "complete", 1, "suites", list));
  }
  return v;
}

/* record builds an ok record from versions ssl3..tls1.3 (NULL: rejected)
 * and a certificate (|key_type| NULL: none). */
static json_t *record(const char *ssl3, const char *tls10, const char *tls11, const char *tls12,
                      const char *tls13, const char *key_type, int bits, const char *sig) {
  const char *suites[5] = {ssl3, tls10, tls11, tls12, tls13};
  const char *keys[5] = {"ssl3", "tls1.0", "tls1.1", "tls1.2", "tls1.3"};
  json_t *versions = json_object();
  for (int i = 0; i < 5; i++) {
    json_object_set_new(versions, keys[i],
                        suites[i] ? version("accepted", suites[i]) : version("rejected", NULL));
  }
  json_t *r = json_pack("{ssssso}", "target", "t:443", "status", "ok", "versions", versions);
  if (key_type != NULL) {
    json_object_set_new(r, "cert",
                        json_pack("{s{sssi}sssbsb}", "key", "type", key_type, "bits", bits,
                                  "signature", sig, "expired", 0, "chain_verifies", 1));
  }
  return r;
}

#define GOOD12 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"
#define GOOD13 "TLS_AES_128_GCM_SHA256"
#define SHA256RSA "sha256WithRSAEncryption"
#define BSI12                                                                        \
  "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256," \
  "TLS_DHE_RSA_WITH_AES_256_CCM"
#define BSI13 "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_AES_128_CCM_SHA256"
#define ALL13 "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256"
#define MID12 "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256"

/* judge returns policy |p|'s judgement of |r| (a borrowed reference kept
 * alive by the returned root, freed by the caller). */
static json_t *judge(const json_t *r, unsigned p, json_t **root) {
  *root = policies_json(r, 1u << p);
  assert_non_null(*root);
  json_t *one = json_object_get(*root, policy_name(p));
  assert_non_null(one);
  return one;
}

static int has(const json_t *list, const char *text) {
  size_t i;
  const json_t *v;
  json_array_foreach(list, i, v) {
    if (strcmp(json_string_value(v), text) == 0) {
      return 1;
    }
  }
  return 0;
}

/* expect checks policy |p| on |r|: its verdict (1, 0, -1) and, when
 * |text| is given, that it is among the violations (verdict 0) or the
 * unknowns (verdict -1). Frees |r|. */
static void expect(json_t *r, unsigned p, int verdict, const char *text) {
  json_t *root;
  json_t *one = judge(r, p, &root);
  int got = policy_verdict(one);
  if (got != verdict ||
      (text != NULL && !has(json_object_get(one, verdict == 0 ? "violations" : "unknown"), text))) {
    char *dump = json_dumps(one, 0);
    fail_msg("%s: verdict %d, want %d with '%s': %s", policy_name(p), got, verdict,
             text ? text : "", dump);
  }
  /* A violation cites the section it breaks. */
  assert_int_equal(json_array_size(json_object_get(one, "sources")) > 0, verdict == 0);
  if (verdict == 1) {
    assert_int_equal(json_array_size(json_object_get(one, "violations")), 0);
    assert_int_equal(json_array_size(json_object_get(one, "unknown")), 0);
  }
  json_decref(root);
  json_decref(r);
}

static void test_parse(void **state) {
  (void)state;
  uint32_t mask;
  char bad[80];
  assert_true(policies_parse("all", &mask, bad, sizeof(bad)));
  assert_int_equal(mask, (1u << POLICY_COUNT) - 1);
  assert_true(policies_parse("pci-dss-4.0,rfc8996", &mask, bad, sizeof(bad)));
  assert_int_equal(mask, (1u << PCI) | (1u << RFC8996));
  assert_false(policies_parse("rfc8996,pci", &mask, bad, sizeof(bad)));
  assert_string_equal(bad, "pci");
  assert_false(policies_parse("", &mask, bad, sizeof(bad)));
  assert_false(policies_parse("rfc8996,", &mask, bad, sizeof(bad)));
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    assert_true(policies_parse(policy_name(i), &mask, bad, sizeof(bad)));
    assert_int_equal(mask, 1u << i);
    assert_non_null(policy_title(i));
  }
  assert_null(policy_name(POLICY_COUNT));
}

static void test_rfc8996(void **state) {
  (void)state;
  /* Versions only: no --ciphers and no certificate needed. */
  expect(record(NULL, NULL, NULL, GOOD12, NULL, NULL, 0, NULL), RFC8996, 1, NULL);
  expect(record(NULL, "TLS_RSA_WITH_AES_128_CBC_SHA", NULL, GOOD12, NULL, NULL, 0, NULL), RFC8996,
         0, "accepts tls1.0");
  expect(record(NULL, NULL, "TLS_RSA_WITH_AES_128_CBC_SHA", GOOD12, NULL, NULL, 0, NULL), RFC8996,
         0, "accepts tls1.1");
  expect(record("TLS_RSA_WITH_RC4_128_SHA", NULL, NULL, GOOD12, NULL, NULL, 0, NULL), RFC8996, 0,
         "accepts ssl3");
  /* A version that timed out, or was not probed, settles nothing. */
  json_t *r = record(NULL, NULL, NULL, GOOD12, NULL, NULL, 0, NULL);
  json_object_set_new(json_object_get(r, "versions"), "tls1.0", version("timeout", NULL));
  expect(r, RFC8996, -1, "tls1.0 not determined (timeout)");
  r = record(NULL, NULL, NULL, GOOD12, NULL, NULL, 0, NULL);
  json_object_del(json_object_get(r, "versions"), "tls1.1");
  expect(r, RFC8996, -1, "tls1.1 not probed");
  /* ... but a violation elsewhere still decides. */
  r = record(NULL, "TLS_RSA_WITH_AES_128_CBC_SHA", NULL, GOOD12, NULL, NULL, 0, NULL);
  json_object_del(json_object_get(r, "versions"), "tls1.1");
  expect(r, RFC8996, 0, "accepts tls1.0");
}

static void test_nist(void **state) {
  (void)state;
  const char *ecdsa12 =
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384,TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA";
  expect(record(NULL, NULL, NULL, ecdsa12, GOOD13, "EC", 256, "ecdsa-with-SHA256"), NIST, 1, NULL);
  expect(record(NULL, NULL, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", GOOD12, GOOD13, "RSA", 2048,
                SHA256RSA),
         NIST, 0, "accepts tls1.1");
  expect(record(NULL, NULL, NULL, NULL, GOOD13, "RSA", 2048, SHA256RSA), NIST, 0,
         "does not accept tls1.2");
  expect(record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA), NIST, 0,
         "does not accept tls1.3");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_RSA_WITH_AES_128_GCM_SHA256", GOOD13, "RSA", 2048,
                SHA256RSA),
         NIST, 0, "accepts TLS_RSA_WITH_AES_128_GCM_SHA256 (key exchange RSA)");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", GOOD13,
                "RSA", 2048, SHA256RSA),
         NIST, 0, "accepts TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256 (cipher CHACHA20)");
  expect(record(NULL, NULL, NULL, GOOD12, GOOD13 ",TLS_CHACHA20_POLY1305_SHA256", "RSA", 2048,
                SHA256RSA),
         NIST, 0, "accepts TLS_CHACHA20_POLY1305_SHA256 (cipher CHACHA20)");
  expect(record(NULL, NULL, NULL, GOOD12, GOOD13, "RSA", 1024, SHA256RSA), NIST, 0,
         "certificate key RSA 1024 bits (fewer than 2048)");
  expect(record(NULL, NULL, NULL, GOOD12, GOOD13, "RSA", 2048, "sha1WithRSAEncryption"), NIST, 0,
         "certificate signed with sha1WithRSAEncryption");
}

static void test_pci(void **state) {
  (void)state;
  const char *cbc = "TLS_RSA_WITH_AES_128_CBC_SHA," GOOD12;
  /* TLS 1.1 and static RSA are allowed by PCI DSS; CBC too. */
  expect(record(NULL, NULL, cbc, cbc, NULL, "RSA", 2048, SHA256RSA), PCI, 1, NULL);
  expect(record(NULL, cbc, NULL, cbc, NULL, "RSA", 2048, SHA256RSA), PCI, 0, "accepts tls1.0");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_RSA_WITH_3DES_EDE_CBC_SHA", NULL, "RSA", 2048,
                SHA256RSA),
         PCI, 0, "accepts TLS_RSA_WITH_3DES_EDE_CBC_SHA (3des)");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_RSA_WITH_RC4_128_MD5", NULL, "RSA", 2048, SHA256RSA),
         PCI, 0, "accepts TLS_RSA_WITH_RC4_128_MD5 (rc4)");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_DH_anon_WITH_AES_128_CBC_SHA", NULL, "RSA", 2048,
                SHA256RSA),
         PCI, 0, "accepts TLS_DH_anon_WITH_AES_128_CBC_SHA (anon)");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_RSA_WITH_NULL_SHA256", NULL, "RSA", 2048, SHA256RSA),
         PCI, 0, "accepts TLS_RSA_WITH_NULL_SHA256 (null)");
  expect(record(NULL, NULL, NULL, GOOD12 ",TLS_RSA_EXPORT_WITH_RC4_40_MD5", NULL, "RSA", 2048,
                SHA256RSA),
         PCI, 0, "accepts TLS_RSA_EXPORT_WITH_RC4_40_MD5 (export)");
  expect(record(NULL, NULL, NULL, GOOD12, NULL, "EC", 192, "ecdsa-with-SHA256"), PCI, 0,
         "certificate key EC 192 bits (fewer than 224)");
  expect(record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, "md5WithRSAEncryption"), PCI, 0,
         "certificate signed with md5WithRSAEncryption");
  json_t *r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_object_set_new(json_object_get(r, "cert"), "expired", json_true());
  expect(r, PCI, 0, "certificate expired");
  r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_object_set_new(json_object_get(r, "cert"), "chain_verifies", json_false());
  expect(r, PCI, 0, "certificate chain does not verify");
}

static void test_bsi(void **state) {
  (void)state;
  expect(record(NULL, NULL, NULL, BSI12, BSI13, "EC", 256, "ecdsa-with-SHA384"), BSI, 1, NULL);
  expect(record(NULL, NULL, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", BSI12, BSI13, "EC", 256,
                "ecdsa-with-SHA384"),
         BSI, 0, "accepts tls1.1");
  expect(record(NULL, NULL, NULL, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", BSI13, "EC", 256,
                "ecdsa-with-SHA384"),
         BSI, 0, "accepts TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA (sha1_mac)");
  expect(record(NULL, NULL, NULL, BSI12, BSI13 ",TLS_CHACHA20_POLY1305_SHA256", "EC", 256,
                "ecdsa-with-SHA384"),
         BSI, 0, "accepts TLS_CHACHA20_POLY1305_SHA256 (cipher CHACHA20)");
  expect(record(NULL, NULL, NULL, BSI12 ",TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8", BSI13, "EC", 256,
                "ecdsa-with-SHA384"),
         BSI, 0, "accepts TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8 (mode CCM_8)");
  expect(record(NULL, NULL, NULL, BSI12, BSI13, "RSA", 2048, SHA256RSA), BSI, 0,
         "certificate key RSA 2048 bits (fewer than 3000)");
  expect(record(NULL, NULL, NULL, BSI12, BSI13, "RSA", 3072, SHA256RSA), BSI, 1, NULL);
}

static void test_mozilla(void **state) {
  (void)state;
  expect(record(NULL, NULL, NULL, NULL, ALL13, "EC", 256, "ecdsa-with-SHA256"), MODERN, 1, NULL);
  expect(record(NULL, NULL, NULL, GOOD12, ALL13, "EC", 256, "ecdsa-with-SHA256"), MODERN, 0,
         "accepts tls1.2");
  expect(record(NULL, NULL, NULL, NULL, NULL, "EC", 256, "ecdsa-with-SHA256"), MODERN, 0,
         "does not accept tls1.3");
  expect(record(NULL, NULL, NULL, NULL, ALL13 ",TLS_AES_128_CCM_SHA256", "EC", 256,
                "ecdsa-with-SHA256"),
         MODERN, 0, "accepts TLS_AES_128_CCM_SHA256 (mode CCM)");
  expect(record(NULL, NULL, NULL, NULL, ALL13, "RSA", 4096, SHA256RSA), MODERN, 0,
         "certificate key RSA not allowed");
  expect(record(NULL, NULL, NULL, MID12, ALL13, "RSA", 2048, SHA256RSA), INTERMEDIATE, 1, NULL);
  expect(record(NULL, NULL, NULL, MID12, NULL, "RSA", 2048, SHA256RSA), INTERMEDIATE, 1, NULL);
  expect(record(NULL, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", NULL, MID12, ALL13, "RSA", 2048,
                SHA256RSA),
         INTERMEDIATE, 0, "accepts tls1.0");
  expect(record(NULL, NULL, NULL, MID12 ",TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", ALL13, "RSA",
                2048, SHA256RSA),
         INTERMEDIATE, 0, "accepts TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256 (mode CBC)");
  expect(record(NULL, NULL, NULL, MID12, ALL13, "Ed25519", 253, "ED25519"), INTERMEDIATE, 0,
         "certificate key Ed25519 not allowed");
  expect(record(NULL, NULL, NULL, MID12, ALL13, "RSA", 2048, "sha1WithRSAEncryption"), INTERMEDIATE,
         0, "certificate signed with sha1WithRSAEncryption");
}

/* What a record cannot tell is unknown, whichever policy asks. */
static void test_unknowns(void **state) {
  (void)state;
  /* No enumeration: the probe's suite is all that is known. */
  json_t *r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_object_del(json_object_get(json_object_get(r, "versions"), "tls1.2"), "ciphers");
  expect(r, PCI, -1, "cipher suites not enumerated (use --ciphers)");
  /* ... but a bad suite the probe got is a violation all the same. */
  r = record(NULL, NULL, NULL, "TLS_RSA_WITH_3DES_EDE_CBC_SHA", NULL, "RSA", 2048, SHA256RSA);
  json_object_del(json_object_get(json_object_get(r, "versions"), "tls1.2"), "ciphers");
  expect(r, PCI, 0, "accepts TLS_RSA_WITH_3DES_EDE_CBC_SHA (3des)");
  /* So is the confirmation's. */
  r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_t *v12 = json_object_get(json_object_get(r, "versions"), "tls1.2");
  json_object_del(v12, "ciphers");
  json_object_set_new(v12, "confirm", json_pack("{ss}", "cipher", "TLS_RSA_WITH_RC4_128_SHA"));
  expect(r, PCI, 0, "accepts TLS_RSA_WITH_RC4_128_SHA (rc4)");
  /* An enumeration cut short. */
  r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_object_set_new(
      json_object_get(json_object_get(json_object_get(r, "versions"), "tls1.2"), "ciphers"),
      "complete", json_false());
  expect(r, MODERN, 0, "accepts tls1.2");
  r = record(NULL, NULL, NULL, GOOD12, NULL, "RSA", 2048, SHA256RSA);
  json_object_set_new(
      json_object_get(json_object_get(json_object_get(r, "versions"), "tls1.2"), "ciphers"),
      "complete", json_false());
  expect(r, PCI, -1, "cipher suites of tls1.2 not fully enumerated");
  /* No certificate: no confirmed handshake. */
  expect(record(NULL, NULL, NULL, GOOD12, GOOD13, NULL, 0, NULL), NIST, -1,
         "certificate not read (no confirmed handshake; drop --no-confirm)");
  /* rfc8996 needs neither. */
  expect(record(NULL, NULL, NULL, GOOD12, GOOD13, NULL, 0, NULL), RFC8996, 1, NULL);
  /* No TLS answer at all. */
  for (unsigned p = 0; p < POLICY_COUNT; p++) {
    expect(json_pack("{ssss}", "target", "x:443", "status", "unreachable"), p, -1,
           "no TLS answer to judge (unreachable)");
  }
  /* An unknown suite name is not guessed at. */
  expect(record(NULL, NULL, NULL, GOOD12 ",0x7a7a", NULL, "RSA", 2048, SHA256RSA), PCI, -1,
         "suite 0x7a7a not classified");
}

/* A record from a file may hold anything: wrong types judge as absent. */
static void test_hostile(void **state) {
  (void)state;
  const char *texts[] = {
      "{}",
      "{\"status\":\"ok\"}",
      "{\"status\":\"ok\",\"versions\":[1,2]}",
      "{\"status\":\"ok\",\"versions\":{\"tls1.0\":{\"verdict\":7},\"tls1.2\":{\"verdict\":"
      "\"accepted\",\"ciphers\":{\"complete\":true,\"suites\":[1,{\"name\":3},null]}}},"
      "\"cert\":{\"key\":{\"type\":5,\"bits\":\"x\"},\"signature\":[],\"expired\":\"yes\"}}",
      "{\"status\":5,\"policy\":{}}",
  };
  for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++) {
    json_t *r = json_loads(texts[i], 0, NULL);
    assert_non_null(r);
    json_t *all = policies_json(r, (1u << POLICY_COUNT) - 1);
    assert_non_null(all);
    assert_int_equal(json_object_size(all), POLICY_COUNT);
    const char *name;
    json_t *one;
    json_object_foreach(all, name, one) { assert_int_not_equal(policy_verdict(one), 1); }
    json_decref(all);
    json_decref(r);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse),    cmocka_unit_test(test_rfc8996),
      cmocka_unit_test(test_nist),     cmocka_unit_test(test_pci),
      cmocka_unit_test(test_bsi),      cmocka_unit_test(test_mozilla),
      cmocka_unit_test(test_unknowns), cmocka_unit_test(test_hostile),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
