/* tests/unit/verdict_test.c: tp_probe_verdict_of, the one definition of
 * "accepted".
 *
 * A scan's findings are these verdicts, so each rule of design.md ("Probes:
 * facts to get right") is checked here on answers built with
 * tp_build_server_hello and tp_build_alert and read by the real reader, with
 * the offered-extension masks of real hellos from tp_build_client_hello:
 * accepted only for exactly the pinned version; version_mismatch, with the
 * version the server chose, otherwise; for a 1.3 probe supported_versions
 * decides, and a supported_versions the hello never offered is ignored; a
 * HelloRetryRequest counts for 1.3, also as the answer to a hello with an
 * empty key_share list; an SSLv2 answer is a mismatch with
 * version 0x0002; alerts, non-TLS and malformed answers keep their details;
 * unsolicited extensions, the downgrade sentinel and skipped warnings are
 * passed through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint16_t kVersions[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};

static const uint8_t kRandom[32] = {
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
    0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75,
    0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
};
static const uint8_t kShare[32] = {
    0xc9, 0x82, 0x88, 0x76, 0x11, 0x20, 0x95, 0xfe, 0x66, 0x76, 0x2b,
    0xdb, 0xf7, 0xc6, 0x72, 0xe1, 0x56, 0xd6, 0xcc, 0x25, 0x3b, 0x83,
    0x3d, 0xf1, 0xdd, 0x69, 0xb1, 0xb0, 0x4e, 0x75, 0x1f, 0x0f,
};

/* offered_by returns the offered-extension mask of the hello a probe pinned
 * to |version| really sends. */
static uint32_t offered_by(uint16_t version, int minimal) {
  struct tp_client_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.version = version;
  o.sni = "probe.example.com";
  o.minimal = minimal;
  o.random = kRandom;
  o.x25519_share = kShare;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 1);
  return layout.offered_exts;
}

/* server_opts describes the ServerHello a server of |version| sends: the
 * version itself below 1.3; legacy 0x0303, supported_versions and an x25519
 * share for 1.3 (RFC 8446, 4.1.3). */
static struct tp_server_hello_opts server_opts(uint16_t version) {
  struct tp_server_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.legacy_version = version == TP_TLS13 ? TP_TLS12 : version;
  o.random = kRandom;
  if (version == TP_TLS13) {
    o.selected_version = TP_TLS13;
    o.cipher_suite = 0x1301;
    o.key_share_group = TP_GROUP_X25519;
    o.key_share = kShare;
    o.key_share_len = 32;
  } else {
    o.cipher_suite = version == TP_SSL3 ? 0x000a : 0xc013;
    o.no_extensions = 1;
  }
  return o;
}

/* feed_answer reads one scripted answer, which must be complete. */
static void feed_answer(struct tp_reader *r, const uint8_t *data, size_t len) {
  tp_reader_init(r);
  assert_int_not_equal(tp_reader_feed(r, data, len), TP_NEED_MORE);
}

static void answer_with(struct tp_reader *r, const struct tp_server_hello_opts *o) {
  uint8_t buf[512];
  size_t len;
  assert_int_equal(tp_build_server_hello(o, buf, sizeof(buf), &len), 1);
  feed_answer(r, buf, len);
}

/* verdict_of asserts the verdict is final and returns it. The output is
 * filled with garbage first: every field must be set by the call. */
static struct tp_probe_verdict verdict_of(const struct tp_reader *r, uint16_t pinned,
                                          uint32_t offered) {
  struct tp_probe_verdict v;
  memset(&v, 0xa5, sizeof(v));
  assert_int_equal(tp_probe_verdict_of(r, pinned, offered, &v), 1);
  return v;
}

static void test_pending(void **state) {
  (void)state;
  struct tp_reader r;
  struct tp_probe_verdict v;
  tp_reader_init(&r);
  memset(&v, 0xa5, sizeof(v));
  assert_int_equal(tp_probe_verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0), &v), 0);
  assert_int_equal(v.verdict, TP_VERDICT_PENDING);
  assert_int_equal(v.server_version, 0);
  /* Half a ServerHello is still pending. */
  struct tp_server_hello_opts o = server_opts(TP_TLS12);
  uint8_t buf[512];
  size_t len;
  assert_int_equal(tp_build_server_hello(&o, buf, sizeof(buf), &len), 1);
  assert_int_equal(tp_reader_feed(&r, buf, len - 1), TP_NEED_MORE);
  assert_int_equal(tp_probe_verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0), &v), 0);
  assert_int_equal(v.verdict, TP_VERDICT_PENDING);
  assert_int_equal(tp_reader_feed(&r, buf + len - 1, 1), TP_SERVER_HELLO);
  assert_int_equal(tp_probe_verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0), &v), 1);
}

static void test_every_pinned_version_against_every_server(void **state) {
  (void)state;
  /* A server of version s answering a probe pinned to p: accepted exactly
   * when s == p. A 1.3 server answers 1.3 only to a hello offering it, so
   * (p < 1.3, s = 1.3) is not a real combination. */
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (size_t j = 0; j < COUNT(kVersions); j++) {
      uint16_t pinned = kVersions[i], server = kVersions[j];
      if (server == TP_TLS13 && pinned != TP_TLS13) {
        continue;
      }
      struct tp_server_hello_opts o = server_opts(server);
      struct tp_reader r;
      answer_with(&r, &o);
      struct tp_probe_verdict v = verdict_of(&r, pinned, offered_by(pinned, 0));
      assert_int_equal(v.verdict, pinned == server ? TP_VERDICT_ACCEPTED
                                                   : TP_VERDICT_VERSION_MISMATCH);
      assert_int_equal(v.server_version, server);
      assert_int_equal(v.cipher_suite, o.cipher_suite);
      assert_int_equal(v.key_share_group, o.key_share_group);
      assert_int_equal(v.hello_retry, 0);
      assert_int_equal(v.unsolicited_exts, 0);
      assert_int_equal(v.downgrade, TP_DOWNGRADE_NONE);
      assert_int_equal(v.why, TP_BAD_NONE);
      assert_int_equal(v.alert, 0);
      assert_int_equal(v.warnings, 0);
    }
  }
}

static void test_lower_version_is_mismatch(void **state) {
  (void)state;
  /* The case the whole tool is about: a 1.2 probe answered with 1.0 does
   * not mean the server accepts 1.2 (nor, without a 1.0 probe, 1.0). */
  struct tp_server_hello_opts o = server_opts(TP_TLS10);
  struct tp_reader r;
  answer_with(&r, &o);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS10);
  /* A higher version than pinned is no acceptance either. */
  o = server_opts(TP_TLS12);
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS10, offered_by(TP_TLS10, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS12);
}

static void test_tls13_decided_by_supported_versions(void **state) {
  (void)state;
  const uint32_t offered = offered_by(TP_TLS13, 0);
  struct tp_reader r;
  /* legacy_version says 1.2, supported_versions 1.3: accepted as 1.3. */
  struct tp_server_hello_opts o = server_opts(TP_TLS13);
  answer_with(&r, &o);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS13, offered);
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.server_version, TP_TLS13);
  assert_int_equal(v.key_share_group, TP_GROUP_X25519);
  assert_int_equal(v.cipher_suite, 0x1301);
  /* A 1.2 server ignoring supported_versions: mismatch, 1.2. */
  o = server_opts(TP_TLS12);
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS13, offered);
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS12);
  /* supported_versions naming 1.2 decides too, whatever legacy says. */
  o = server_opts(TP_TLS13);
  o.selected_version = TP_TLS12;
  o.key_share_group = 0;
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS13, offered);
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS12);
  /* The minimal 1.3 hello offers supported_versions too. */
  o = server_opts(TP_TLS13);
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS13, offered_by(TP_TLS13, 1));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
}

static void test_unoffered_supported_versions_ignored(void **state) {
  (void)state;
  /* RFC 8446, 4.2.1: a server must not send supported_versions to a hello
   * without it; if one does, what it "selected" there means nothing and
   * legacy_version is what it negotiated. */
  struct tp_reader r;
  struct tp_server_hello_opts o = server_opts(TP_TLS12);
  o.no_extensions = 0;
  o.selected_version = TP_TLS13;
  answer_with(&r, &o);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.server_version, TP_TLS12);
  /* ...and the extension is reported as unsolicited. */
  assert_int_equal(v.unsolicited_exts, 1u << TP_EXT_BIT_SUPPORTED_VERSIONS);

  /* The other way round: it cannot turn a 1.0 answer into 1.2 either. */
  o = server_opts(TP_TLS10);
  o.no_extensions = 0;
  o.selected_version = TP_TLS12;
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS10);
}

static void test_hello_retry_request(void **state) {
  (void)state;
  struct tp_server_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.legacy_version = TP_TLS12;
  o.selected_version = TP_TLS13;
  o.hello_retry = 1;
  o.cipher_suite = 0x1302;
  o.key_share_group = TP_GROUP_SECP256R1;
  struct tp_reader r;
  answer_with(&r, &o);
  assert_int_equal(r.result, TP_HELLO_RETRY);
  /* The server is ready to do 1.3, with another group: accepted. */
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS13, offered_by(TP_TLS13, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.hello_retry, 1);
  assert_int_equal(v.server_version, TP_TLS13);
  assert_int_equal(v.key_share_group, TP_GROUP_SECP256R1);
  assert_int_equal(v.cipher_suite, 0x1302);
  /* Only a 1.3 server sends an HRR: to a 1.2 probe that is a mismatch
   * with 1.3, not an acceptance of 1.2. */
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS13);
  assert_int_equal(v.hello_retry, 1);
}

/* RFC 8446, 4.1.4: the HelloRetryRequest a 1.3 server sends to a hello
 * whose key_share list is empty (4.2.8), naming the group it wants in
 * key_share.selected_group. It costs the server no key exchange and no
 * signature, and it answers the probe. */
static const uint8_t kHelloRetryForX25519[] = {
    0x16, 0x03, 0x03, 0x00, 0x38, /* handshake record, 56 bytes */
    0x02, 0x00, 0x00, 0x34,       /* ServerHello (an HRR is one), 52 bytes */
    0x03, 0x03,                   /* legacy_version */
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, /* random: */
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, /* SHA-256 of */
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,       /* "HelloRetryRequest" */
    0x00,                         /* legacy_session_id_echo: empty, as sent */
    0x13, 0x01,                   /* TLS_AES_128_GCM_SHA256 */
    0x00,                         /* legacy_compression_method */
    0x00, 0x0c,                   /* extensions, 12 bytes */
    0x00, 0x2b, 0x00, 0x02, 0x03, 0x04, /* supported_versions: TLS 1.3 */
    0x00, 0x33, 0x00, 0x02, 0x00, 0x1d, /* key_share: selected_group x25519 */
};

static void test_empty_key_share_probe_accepted_by_hello_retry(void **state) {
  (void)state;
  for (int minimal = 0; minimal <= 1; minimal++) {
    struct tp_client_hello_opts o;
    memset(&o, 0, sizeof(o));
    o.version = TP_TLS13;
    o.minimal = minimal;
    o.random = kRandom;
    o.key_share_empty = 1;
    uint8_t hello[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    assert_int_equal(tp_build_client_hello(&o, hello, sizeof(hello), &len, &layout), 1);
    struct tp_reader r;
    feed_answer(&r, kHelloRetryForX25519, sizeof(kHelloRetryForX25519));
    assert_int_equal(r.result, TP_HELLO_RETRY);
    struct tp_probe_verdict v = verdict_of(&r, TP_TLS13, layout.offered_exts);
    assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
    assert_int_equal(v.hello_retry, 1);
    assert_int_equal(v.server_version, TP_TLS13);
    assert_int_equal(v.key_share_group, TP_GROUP_X25519);
    assert_int_equal(v.cipher_suite, 0x1301);
    /* key_share was offered, if empty: its answer is no finding. */
    assert_int_equal(v.unsolicited_exts, 0);
  }
}

static void test_hello_retry_without_supported_versions(void **state) {
  (void)state;
  /* An HRR missing supported_versions breaks RFC 8446, 4.1.4, but its
   * random alone says TLS 1.3 ("only a 1.3 server sends one, whatever it
   * claims", verdict.c). tlsparse.h defines ACCEPTED as "exactly the pinned
   * version (or an HRR, for 1.3)"; reporting the server as having chosen
   * 1.2 would be false. */
  struct tp_server_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.legacy_version = TP_TLS12;
  o.hello_retry = 1;
  o.cipher_suite = 0x1301;
  o.key_share_group = TP_GROUP_SECP256R1;
  struct tp_reader r;
  answer_with(&r, &o);
  assert_int_equal(r.result, TP_HELLO_RETRY);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS13, offered_by(TP_TLS13, 0));
  assert_int_equal(v.hello_retry, 1);
  assert_int_equal(v.server_version, TP_TLS13);
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
}

/* SSL 2.0 SERVER-HELLO, as in reader_test.c: header (length 27), type 4,
 * session id hit, certificate type, version 0x0002, three lengths and a
 * 16-byte connection id. */
static const uint8_t kSsl2ServerHello[] = {
    0x80, 0x1b, 0x04, 0x01, 0x00, 0x00, 0x02, 0x00, 0x00, 0x00, 0x00, 0x00, 0x10,
    0xc0, 0xc1, 0xc2, 0xc3, 0xc4, 0xc5, 0xc6, 0xc7, 0xc8, 0xc9, 0xca, 0xcb,
    0xcc, 0xcd, 0xce, 0xcf,
};

static void test_ssl2_answer_is_mismatch(void **state) {
  (void)state;
  struct tp_reader r;
  feed_answer(&r, kSsl2ServerHello, sizeof(kSsl2ServerHello));
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    struct tp_probe_verdict v = verdict_of(&r, kVersions[i], offered_by(kVersions[i], 0));
    assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
    assert_int_equal(v.server_version, TP_SSL2);
    assert_int_equal(v.cipher_suite, 0);
  }
}

static void test_alert(void **state) {
  (void)state;
  static const uint8_t descs[] = {TP_ALERT_HANDSHAKE_FAILURE, TP_ALERT_PROTOCOL_VERSION,
                                  TP_ALERT_INAPPROPRIATE_FALLBACK, 80 /* internal_error */};
  for (size_t i = 0; i < COUNT(descs); i++) {
    uint8_t buf[16];
    size_t len;
    assert_int_equal(
        tp_build_alert(TP_TLS12, TP_ALERT_LEVEL_FATAL, descs[i], buf, sizeof(buf), &len), 1);
    struct tp_reader r;
    feed_answer(&r, buf, len);
    struct tp_probe_verdict v = verdict_of(&r, TP_TLS11, offered_by(TP_TLS11, 0));
    assert_int_equal(v.verdict, TP_VERDICT_ALERT);
    assert_int_equal(v.alert, descs[i]);
    assert_int_equal(v.alert_level, TP_ALERT_LEVEL_FATAL);
    assert_int_equal(v.server_version, 0);
    assert_int_equal(v.cipher_suite, 0);
    assert_int_equal(v.hello_retry, 0);
    assert_int_equal(v.unsolicited_exts, 0);
    assert_int_equal(v.downgrade, TP_DOWNGRADE_NONE);
    assert_int_equal(v.why, TP_BAD_NONE);
  }
  /* close_notify at warning level is an answer too: the server hung up. */
  uint8_t buf[16];
  size_t len;
  assert_int_equal(tp_build_alert(TP_TLS10, TP_ALERT_LEVEL_WARNING, TP_ALERT_CLOSE_NOTIFY,
                                  buf, sizeof(buf), &len),
                   1);
  struct tp_reader r;
  feed_answer(&r, buf, len);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS10, offered_by(TP_TLS10, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ALERT);
  assert_int_equal(v.alert, TP_ALERT_CLOSE_NOTIFY);
  assert_int_equal(v.alert_level, TP_ALERT_LEVEL_WARNING);
}

static void test_not_tls_and_malformed(void **state) {
  (void)state;
  struct tp_reader r;
  static const char http[] = "HTTP/1.0 400 Bad Request\r\n\r\n";
  feed_answer(&r, (const uint8_t *)http, sizeof(http) - 1);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_NOT_TLS);
  assert_int_equal(v.server_version, 0);
  assert_int_equal(v.why, TP_BAD_NONE);

  /* An empty record: malformed, and the reason travels with the verdict. */
  static const uint8_t empty_record[] = {0x16, 0x03, 0x03, 0x00, 0x00};
  feed_answer(&r, empty_record, sizeof(empty_record));
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_MALFORMED);
  assert_int_equal(v.why, TP_BAD_RECORD_LENGTH);
  assert_int_equal(v.server_version, 0);

  static const uint8_t app_data[] = {0x17, 0x03, 0x03, 0x00, 0x01, 0x00};
  feed_answer(&r, app_data, sizeof(app_data));
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_MALFORMED);
  assert_int_equal(v.why, TP_BAD_UNEXPECTED_RECORD);
}

/* A TLS 1.2 ServerHello with extended_master_secret (RFC 7627) and an
 * unassigned extension 0x1234: hand-made, field by field. */
static const uint8_t kServerHelloEmsUnknown[] = {
    0x16, 0x03, 0x03, 0x00, 0x34,       /* handshake record, 52 bytes */
    0x02, 0x00, 0x00, 0x30,             /* ServerHello, 48 bytes */
    0x03, 0x03,                         /* TLS 1.2 */
    0x60, 0x61, 0x62, 0x63, 0x64, 0x65, 0x66, 0x67, 0x68, 0x69, 0x6a,
    0x6b, 0x6c, 0x6d, 0x6e, 0x6f, 0x70, 0x71, 0x72, 0x73, 0x74, 0x75,
    0x76, 0x77, 0x78, 0x79, 0x7a, 0x7b, 0x7c, 0x7d, 0x7e, 0x7f,
    0x00,                               /* no session id */
    0xc0, 0x2f, 0x00,                   /* suite, null compression */
    0x00, 0x08,                         /* extensions, 8 bytes */
    0x00, 0x17, 0x00, 0x00,             /* extended_master_secret */
    0x12, 0x34, 0x00, 0x00,             /* unassigned */
};

static void test_unsolicited_extensions(void **state) {
  (void)state;
  struct tp_reader r;
  /* SSLv3 hellos have no extensions, but the SCSV solicits
   * renegotiation_info (RFC 5746, 3.3). */
  struct tp_server_hello_opts o = server_opts(TP_SSL3);
  o.no_extensions = 0;
  o.renegotiation_info = 1;
  answer_with(&r, &o);
  struct tp_probe_verdict v = verdict_of(&r, TP_SSL3, offered_by(TP_SSL3, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.unsolicited_exts, 0);

  /* A key_share in answer to a 1.2 hello was never asked for. */
  o = server_opts(TP_TLS12);
  o.no_extensions = 0;
  o.key_share_group = TP_GROUP_X25519;
  o.key_share = kShare;
  o.key_share_len = 32;
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.unsolicited_exts, 1u << TP_EXT_BIT_KEY_SHARE);

  /* extended_master_secret is offered by the full 1.2 hello, not by the
   * minimal one; an unknown type is never offered. */
  feed_answer(&r, kServerHelloEmsUnknown, sizeof(kServerHelloEmsUnknown));
  assert_int_equal(r.result, TP_SERVER_HELLO);
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.unsolicited_exts, 1u << TP_EXT_BIT_UNKNOWN);
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 1));
  assert_int_equal(v.unsolicited_exts,
                   1u << TP_EXT_BIT_UNKNOWN | 1u << TP_EXT_BIT_EXTENDED_MASTER_SECRET);
  /* Unsolicited extensions are a finding, not a different verdict. */
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
}

static void test_downgrade_passed_through(void **state) {
  (void)state;
  static const uint8_t sentinel12[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0x01};
  static const uint8_t sentinel11[8] = {'D', 'O', 'W', 'N', 'G', 'R', 'D', 0x00};
  uint8_t random[32];
  memcpy(random, kRandom, 24);
  struct tp_reader r;

  /* A 1.3 server that settled for 1.2 says so (RFC 8446, 4.1.3). */
  memcpy(random + 24, sentinel12, 8);
  struct tp_server_hello_opts o = server_opts(TP_TLS12);
  o.random = random;
  answer_with(&r, &o);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS13, offered_by(TP_TLS13, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.downgrade, TP_DOWNGRADE_TLS12);
  /* The same answer to a 1.2 probe is an acceptance that also tells the
   * server speaks 1.3. */
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.downgrade, TP_DOWNGRADE_TLS12);

  memcpy(random + 24, sentinel11, 8);
  o = server_opts(TP_TLS11);
  o.random = random;
  answer_with(&r, &o);
  v = verdict_of(&r, TP_TLS12, offered_by(TP_TLS12, 0));
  assert_int_equal(v.verdict, TP_VERDICT_VERSION_MISMATCH);
  assert_int_equal(v.server_version, TP_TLS11);
  assert_int_equal(v.downgrade, TP_DOWNGRADE_TLS11);
}

static void test_warnings_passed_through(void **state) {
  (void)state;
  uint8_t stream[64];
  size_t n = 0, len;
  /* unrecognized_name as a warning, then the answer (RFC 6066, 3 lets a
   * server go on after it). */
  assert_int_equal(tp_build_alert(TP_TLS10, TP_ALERT_LEVEL_WARNING,
                                  TP_ALERT_UNRECOGNIZED_NAME, stream, sizeof(stream), &len),
                   1);
  n += len;
  struct tp_server_hello_opts o = server_opts(TP_TLS10);
  assert_int_equal(tp_build_server_hello(&o, stream + n, sizeof(stream) - n, &len), 1);
  n += len;
  struct tp_reader r;
  feed_answer(&r, stream, n);
  struct tp_probe_verdict v = verdict_of(&r, TP_TLS10, offered_by(TP_TLS10, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ACCEPTED);
  assert_int_equal(v.warnings, 1);
  assert_int_equal(v.last_warning, TP_ALERT_UNRECOGNIZED_NAME);

  /* Then a fatal alert instead of the hello: both are kept. */
  n = 7;
  assert_int_equal(tp_build_alert(TP_TLS10, TP_ALERT_LEVEL_FATAL, TP_ALERT_HANDSHAKE_FAILURE,
                                  stream + n, sizeof(stream) - n, &len),
                   1);
  n += len;
  feed_answer(&r, stream, n);
  v = verdict_of(&r, TP_TLS10, offered_by(TP_TLS10, 0));
  assert_int_equal(v.verdict, TP_VERDICT_ALERT);
  assert_int_equal(v.alert, TP_ALERT_HANDSHAKE_FAILURE);
  assert_int_equal(v.warnings, 1);
  assert_int_equal(v.last_warning, TP_ALERT_UNRECOGNIZED_NAME);

  /* Pending verdicts carry them too. */
  tp_reader_init(&r);
  assert_int_equal(tp_reader_feed(&r, stream, 7), TP_NEED_MORE);
  memset(&v, 0xa5, sizeof(v));
  assert_int_equal(tp_probe_verdict_of(&r, TP_TLS10, offered_by(TP_TLS10, 0), &v), 0);
  assert_int_equal(v.warnings, 1);
  assert_int_equal(v.last_warning, TP_ALERT_UNRECOGNIZED_NAME);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pending),
      cmocka_unit_test(test_every_pinned_version_against_every_server),
      cmocka_unit_test(test_lower_version_is_mismatch),
      cmocka_unit_test(test_tls13_decided_by_supported_versions),
      cmocka_unit_test(test_unoffered_supported_versions_ignored),
      cmocka_unit_test(test_hello_retry_request),
      cmocka_unit_test(test_empty_key_share_probe_accepted_by_hello_retry),
      cmocka_unit_test(test_hello_retry_without_supported_versions),
      cmocka_unit_test(test_ssl2_answer_is_mismatch),
      cmocka_unit_test(test_alert),
      cmocka_unit_test(test_not_tls_and_malformed),
      cmocka_unit_test(test_unsolicited_extensions),
      cmocka_unit_test(test_downgrade_passed_through),
      cmocka_unit_test(test_warnings_passed_through),
  };
  return cmocka_run_group_tests_name("verdict", tests, NULL, NULL);
}
