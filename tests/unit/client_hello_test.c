/* tests/unit/client_hello_test.c: the version-pinned ClientHello builder.
 *
 * A probe is only as good as its hello: a wrong legacy_version, a stray
 * supported_versions or an SNI carrying an IP address makes a server answer
 * something other than what it would tell a real client of that version. So
 * every hello built here is read back twice: once by tp_parse_client_hello
 * (the bench responder's view) and once by hand in this file, through tp_cbs
 * only, so that a bug shared by the builder and the library's own parser
 * cannot hide. The checks follow design.md ("Probes: facts to get right"):
 * record and legacy versions per version, the random and session id at the
 * offsets the layout announces (the engine patches them there), the SCSVs,
 * which extensions each version carries and what is in them (a 1.3 hello
 * with an empty key_share list as a byte table), SNI only for
 * host names, padding to 512 bytes, the minimal shape, the cipher profiles
 * (the cheap one a reordering of the broad one, RSA key exchange first),
 * invalid options, short buffers, and determinism. Templates (built once,
 * patched per probe) must write exactly what the direct build writes. The
 * RFC 8448 ClientHello checks the parser against bytes nobody here wrote. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static const uint16_t kVersions[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};
static const uint16_t kTlsVersions[] = {TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13};
static const enum tp_cipher_profile kProfiles[] = {TP_CIPHERS_BROAD, TP_CIPHERS_MODERN,
                                                   TP_CIPHERS_CHEAP};

/* Distinct patterns, so that a field copied from the wrong input shows. */
static const uint8_t kRandom[32] = {
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a,
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
};
static const uint8_t kSessionId[32] = {
    0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7, 0xa8, 0xa9, 0xaa,
    0xab, 0xac, 0xad, 0xae, 0xaf, 0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5,
    0xb6, 0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd, 0xbe, 0xbf,
};
static const uint8_t kShare[32] = {
    0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a,
    0x4b, 0x4c, 0x4d, 0x4e, 0x4f, 0x50, 0x51, 0x52, 0x53, 0x54, 0x55,
    0x56, 0x57, 0x58, 0x59, 0x5a, 0x5b, 0x5c, 0x5d, 0x5e, 0x5f,
};

#define MAX_EXTS 32

struct wire_ext {
  uint16_t type;
  tp_cbs body;
};

/* A hello as this file reads it, independently of tp_parse_client_hello. */
struct wire {
  uint16_t record_version;
  size_t msg_len; /* the handshake message with its 4-byte header */
  uint16_t legacy_version;
  tp_cbs random;
  tp_cbs session_id;
  tp_cbs ciphers;
  tp_cbs compression;
  int has_ext_block;
  size_t n_ext;
  struct wire_ext ext[MAX_EXTS];
  uint32_t ext_mask; /* 1u << tp_ext_bit of every extension on the wire */
};

/* decode_by_hand reads a ClientHello record with tp_cbs, asserting that
 * every length prefix matches what it encloses and that no extension occurs
 * twice (RFC 8446, 4.2). */
static void decode_by_hand(const uint8_t *rec, size_t len, struct wire *w) {
  memset(w, 0, sizeof(*w));
  tp_cbs cbs, fragment, msg, exts;
  uint8_t u8;
  tp_cbs_init(&cbs, rec, len);
  assert_true(tp_cbs_get_u8(&cbs, &u8));
  assert_int_equal(u8, TP_RECORD_HANDSHAKE);
  assert_true(tp_cbs_get_u16(&cbs, &w->record_version));
  assert_true(tp_cbs_get_u16_length_prefixed(&cbs, &fragment));
  assert_int_equal(cbs.len, 0);
  assert_true(tp_cbs_get_u8(&fragment, &u8));
  assert_int_equal(u8, TP_HS_CLIENT_HELLO);
  assert_true(tp_cbs_get_u24_length_prefixed(&fragment, &msg));
  assert_int_equal(fragment.len, 0);
  w->msg_len = 4 + msg.len;
  assert_true(tp_cbs_get_u16(&msg, &w->legacy_version));
  assert_true(tp_cbs_get_bytes(&msg, &w->random, 32));
  assert_true(tp_cbs_get_u8_length_prefixed(&msg, &w->session_id));
  assert_true(tp_cbs_get_u16_length_prefixed(&msg, &w->ciphers));
  assert_int_equal(w->ciphers.len % 2, 0);
  assert_true(tp_cbs_get_u8_length_prefixed(&msg, &w->compression));
  if (msg.len == 0) {
    return;
  }
  w->has_ext_block = 1;
  assert_true(tp_cbs_get_u16_length_prefixed(&msg, &exts));
  assert_int_equal(msg.len, 0);
  while (exts.len > 0) {
    struct wire_ext e;
    assert_true(tp_cbs_get_u16(&exts, &e.type));
    assert_true(tp_cbs_get_u16_length_prefixed(&exts, &e.body));
    for (size_t i = 0; i < w->n_ext; i++) {
      assert_int_not_equal(w->ext[i].type, e.type);
    }
    assert_true(w->n_ext < MAX_EXTS);
    w->ext[w->n_ext++] = e;
    w->ext_mask |= 1u << tp_ext_bit_of(e.type);
  }
}

static const struct wire_ext *find_ext(const struct wire *w, uint16_t type) {
  for (size_t i = 0; i < w->n_ext; i++) {
    if (w->ext[i].type == type) {
      return &w->ext[i];
    }
  }
  return NULL;
}

/* count_u16 counts |v| in a list of u16 values. */
static size_t count_u16(tp_cbs list, uint16_t v) {
  size_t n = 0;
  uint16_t x;
  while (tp_cbs_get_u16(&list, &x)) {
    n += x == v;
  }
  return n;
}

/* u16_list_of reads an extension body that is one u16-prefixed u16 list
 * (supported_groups, signature_algorithms), asserting its framing. */
static tp_cbs u16_list_of(const struct wire_ext *e) {
  tp_cbs body = e->body, list;
  assert_true(tp_cbs_get_u16_length_prefixed(&body, &list));
  assert_int_equal(body.len, 0);
  assert_true(list.len > 0);
  assert_int_equal(list.len % 2, 0);
  return list;
}

static struct tp_client_hello_opts opts_for(uint16_t version) {
  struct tp_client_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.version = version;
  o.ciphers = TP_CIPHERS_BROAD;
  o.random = kRandom;
  o.session_id = kSessionId;
  o.x25519_share = kShare;
  return o;
}

/* build writes a hello that must succeed, reads it back both ways, and checks
 * that the two readings and the layout agree on what is common to them. */
static void build(const struct tp_client_hello_opts *o, uint8_t *buf, size_t *len,
                  struct tp_client_hello_layout *layout, struct wire *w,
                  struct tp_client_hello_info *info) {
  assert_int_equal(tp_build_client_hello(o, buf, TP_CLIENT_HELLO_MAX, len, layout), 1);
  assert_true(*len <= TP_CLIENT_HELLO_MAX);
  decode_by_hand(buf, *len, w);
  assert_int_equal(*len, 5 + w->msg_len);
  assert_int_equal(tp_parse_client_hello(buf, *len, info), 1);
  assert_int_equal(info->record_version, w->record_version);
  assert_int_equal(info->legacy_version, w->legacy_version);
  assert_int_equal(info->message_len, w->msg_len);
  assert_ptr_equal(info->random.data, w->random.data);
  assert_true(tp_cbs_mem_equal(&info->session_id, w->session_id.data, w->session_id.len));
  assert_true(tp_cbs_mem_equal(&info->cipher_suites, w->ciphers.data, w->ciphers.len));
  assert_int_equal(info->extensions_seen, w->ext_mask);
  assert_int_equal(layout->cipher_count, w->ciphers.len / 2);
}

static void test_versions_on_the_wire(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    struct tp_client_hello_opts o = opts_for(v);
    o.sni = "example.com";
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    /* legacy_record_version: 0x0300 for SSLv3, 0x0301 for every TLS hello
     * (old servers reject higher record versions). */
    assert_int_equal(w.record_version, v == TP_SSL3 ? 0x0300 : 0x0301);
    /* legacy_version is the pinned version, except that TLS 1.3 pins
     * through supported_versions and says 0x0303 here (RFC 8446, 4.1.2). */
    assert_int_equal(w.legacy_version, v == TP_TLS13 ? 0x0303 : v);
    /* Exactly one compression method: null. */
    assert_int_equal(w.compression.len, 1);
    assert_int_equal(w.compression.data[0], 0);
  }
}

static void test_random_and_session_id_at_layout_offsets(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    struct tp_client_hello_opts o = opts_for(kVersions[i]);
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    /* Record header (5), handshake header (4), legacy_version (2). */
    assert_int_equal(layout.random_at, 11);
    assert_ptr_equal(w.random.data, buf + layout.random_at);
    assert_memory_equal(buf + layout.random_at, kRandom, 32);
    /* Then the session id's length byte, then the id. */
    assert_int_equal(layout.session_id_at, 44);
    assert_int_equal(w.session_id.len, 32);
    assert_ptr_equal(w.session_id.data, buf + layout.session_id_at);
    assert_memory_equal(buf + layout.session_id_at, kSessionId, 32);

    o.session_id = NULL;
    build(&o, buf, &len, &layout, &w, &info);
    assert_int_equal(w.session_id.len, 0);
    assert_int_equal(layout.session_id_at, 0);
    assert_int_equal(buf[43], 0);
  }
}

static void test_scsvs(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int fallback = 0; fallback <= 1; fallback++) {
      struct tp_client_hello_opts o = opts_for(kVersions[i]);
      o.fallback_scsv = fallback;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      struct tp_client_hello_layout layout;
      struct wire w;
      struct tp_client_hello_info info;
      build(&o, buf, &len, &layout, &w, &info);
      /* RFC 5746, 3.3: the SCSV stands in for renegotiation_info, in every
       * hello including SSLv3's, which has no extensions. */
      assert_int_equal(count_u16(w.ciphers, TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV), 1);
      /* RFC 7507: TLS_FALLBACK_SCSV only in a deliberate fallback. */
      assert_int_equal(count_u16(w.ciphers, TP_TLS_FALLBACK_SCSV), (size_t)fallback);
      assert_int_equal(layout.cipher_count, w.ciphers.len / 2);
    }
  }
}

static void test_ssl3_has_no_extensions(void **state) {
  (void)state;
  /* Every option that would add an extension elsewhere is set: SSLv3 must
   * still send none (an SSLv3 server may choke on the block). */
  static const char *const alpn[] = {"http/1.1"};
  struct tp_client_hello_opts o = opts_for(TP_SSL3);
  o.sni = "mail.example.com";
  o.alpn = alpn;
  o.alpn_count = 1;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  assert_int_equal(w.has_ext_block, 0);
  assert_int_equal(w.n_ext, 0);
  assert_int_equal(info.extensions_seen, 0);
  assert_int_equal(info.server_name.len, 0);
  /* Only the SCSV's renegotiation_info counts as offered. */
  assert_int_equal(layout.offered_exts, 1u << TP_EXT_BIT_RENEGOTIATION_INFO);
  assert_int_equal(layout.key_share_at, 0);
}

static void test_supported_versions_only_for_tls13(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      uint16_t v = kVersions[i];
      struct tp_client_hello_opts o = opts_for(v);
      o.minimal = minimal;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      struct tp_client_hello_layout layout;
      struct wire w;
      struct tp_client_hello_info info;
      build(&o, buf, &len, &layout, &w, &info);
      const struct wire_ext *sv = find_ext(&w, TP_EXT_SUPPORTED_VERSIONS);
      if (v == TP_TLS13) {
        /* versions<2..254>: exactly {0x0304}, so the probe pins 1.3. */
        static const uint8_t want[] = {0x02, 0x03, 0x04};
        assert_non_null(sv);
        assert_true(tp_cbs_mem_equal(&sv->body, want, sizeof(want)));
        assert_int_equal(info.max_supported_version, TP_TLS13);
      } else {
        /* Below 1.3 the server must negotiate from legacy_version alone
         * (RFC 8446, 4.2.1). */
        assert_null(sv);
        assert_int_equal(info.max_supported_version, 0);
      }
    }
  }
}

static void test_key_share_x25519_at_layout(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      uint16_t v = kVersions[i];
      struct tp_client_hello_opts o = opts_for(v);
      o.minimal = minimal;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      struct tp_client_hello_layout layout;
      struct wire w;
      struct tp_client_hello_info info;
      build(&o, buf, &len, &layout, &w, &info);
      const struct wire_ext *ks = find_ext(&w, TP_EXT_KEY_SHARE);
      if (v != TP_TLS13) {
        assert_null(ks);
        assert_int_equal(layout.key_share_at, 0);
        continue;
      }
      /* client_shares<0..2^16-1> = one KeyShareEntry {x25519, 32 bytes}. */
      assert_non_null(ks);
      uint8_t want[6 + 32] = {0x00, 0x24, 0x00, 0x1d, 0x00, 0x20};
      memcpy(want + 6, kShare, 32);
      assert_true(tp_cbs_mem_equal(&ks->body, want, sizeof(want)));
      assert_ptr_equal(buf + layout.key_share_at, ks->body.data + 6);
      assert_memory_equal(buf + layout.key_share_at, kShare, 32);
    }
  }
}

/* RFC 8446, 4.2.8: "client_shares: A list of offered KeyShareEntry values
 * in descending order of client preference." The list may be empty, so that
 * the server names its group in a HelloRetryRequest (4.1.4), which costs it
 * no key exchange and no signature: the cheapest 1.3 probe. Here the whole
 * minimal hello, field by field from RFC 8446, 4.1.2 and 4.2. */
static const uint8_t kMinimalTls13EmptyShare[] = {
    0x16, 0x03, 0x01, 0x00, 0x78, /* handshake record, 0x0301 (5.1), 120 bytes */
    0x01, 0x00, 0x00, 0x74,       /* ClientHello (4), 116 bytes */
    0x03, 0x03,                   /* legacy_version (4.1.2) */
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, /* random */
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x00,                         /* legacy_session_id: empty */
    0x00, 0x08,                   /* cipher_suites: 8 bytes */
    0x13, 0x01, 0x13, 0x02, 0x13, 0x03, /* the three 1.3 suites (B.4) */
    0x00, 0xff,                   /* renegotiation SCSV (RFC 5746, 3.3) */
    0x01, 0x00,                   /* legacy_compression_methods: null */
    0x00, 0x43,                   /* extensions: 67 bytes */
    0x00, 0x0a, 0x00, 0x10,       /* supported_groups (4.2.7), 16 bytes */
    0x00, 0x0e,                   /*   named_group_list: 14 bytes */
    0x00, 0x1d, 0x00, 0x17, 0x00, 0x18, 0x00, 0x19, /* x25519, secp256r1/384r1/521r1 */
    0x00, 0x1e, 0x01, 0x00, 0x01, 0x01,             /* x448, ffdhe2048, ffdhe3072 */
    0x00, 0x0d, 0x00, 0x1e,       /* signature_algorithms (4.2.3), 30 bytes */
    0x00, 0x1c,                   /*   supported_signature_algorithms: 28 bytes */
    0x04, 0x03, 0x08, 0x04, 0x04, 0x01, 0x05, 0x03, 0x08, 0x05, 0x05, 0x01,
    0x06, 0x03, 0x08, 0x06, 0x06, 0x01, 0x08, 0x07, 0x08, 0x08, 0x08, 0x09,
    0x08, 0x0a, 0x08, 0x0b,
    0x00, 0x2b, 0x00, 0x03,       /* supported_versions (4.2.1), 3 bytes */
    0x02, 0x03, 0x04,             /*   versions: TLS 1.3 */
    0x00, 0x33, 0x00, 0x02,       /* key_share (4.2.8), 2 bytes */
    0x00, 0x00,                   /*   client_shares: empty */
};

static void test_key_share_empty_minimal_bytes(void **state) {
  (void)state;
  struct tp_client_hello_opts o = opts_for(TP_TLS13);
  o.minimal = 1;
  o.ciphers = TP_CIPHERS_MODERN;
  o.session_id = NULL;
  o.x25519_share = NULL; /* not needed with an empty list */
  o.key_share_empty = 1;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  assert_int_equal(len, sizeof(kMinimalTls13EmptyShare));
  assert_memory_equal(buf, kMinimalTls13EmptyShare, sizeof(kMinimalTls13EmptyShare));
  assert_int_equal(layout.key_share_at, 0);
  /* The extension is there (empty), so the HRR's key_share is solicited. */
  assert_int_equal(layout.offered_exts,
                   1u << TP_EXT_BIT_SUPPORTED_GROUPS | 1u << TP_EXT_BIT_SIGNATURE_ALGORITHMS |
                       1u << TP_EXT_BIT_SUPPORTED_VERSIONS | 1u << TP_EXT_BIT_KEY_SHARE |
                       1u << TP_EXT_BIT_RENEGOTIATION_INFO);
  assert_int_equal(info.max_supported_version, TP_TLS13);
}

static void test_key_share_empty_full_shape(void **state) {
  (void)state;
  for (int minimal = 0; minimal <= 1; minimal++) {
    struct tp_client_hello_opts o = opts_for(TP_TLS13);
    o.minimal = minimal;
    o.sni = "mail.example.com";
    uint8_t with_buf[TP_CLIENT_HELLO_MAX], empty_buf[TP_CLIENT_HELLO_MAX];
    size_t with_len, empty_len;
    struct tp_client_hello_layout with_layout, empty_layout;
    struct wire with, empty;
    struct tp_client_hello_info info;
    build(&o, with_buf, &with_len, &with_layout, &with, &info);
    o.key_share_empty = 1;
    o.x25519_share = NULL;
    build(&o, empty_buf, &empty_len, &empty_layout, &empty, &info);
    /* The same extensions, in the same order, and the same groups offered
     * in supported_groups (RFC 8446, 4.2.8: the server picks from them). */
    assert_int_equal(empty.n_ext, with.n_ext);
    assert_int_equal(empty_layout.offered_exts, with_layout.offered_exts);
    for (size_t k = 0; k < with.n_ext; k++) {
      assert_int_equal(empty.ext[k].type, with.ext[k].type);
      if (with.ext[k].type == TP_EXT_KEY_SHARE || with.ext[k].type == TP_EXT_PADDING) {
        continue;
      }
      assert_int_equal(empty.ext[k].body.len, with.ext[k].body.len);
      assert_memory_equal(empty.ext[k].body.data, with.ext[k].body.data,
                          with.ext[k].body.len);
    }
    const struct wire_ext *ks = find_ext(&empty, TP_EXT_KEY_SHARE);
    assert_non_null(ks);
    static const uint8_t no_shares[] = {0x00, 0x00}; /* client_shares<0..2^16-1> */
    assert_true(tp_cbs_mem_equal(&ks->body, no_shares, sizeof(no_shares)));
    assert_int_equal(empty_layout.key_share_at, 0);
    if (!minimal) {
      /* The 38 bytes the share took are padding now: still 512. */
      assert_int_equal(empty.msg_len, TP_CLIENT_HELLO_PAD_TO);
      assert_int_equal(empty_len, with_len);
    } else {
      assert_int_equal(empty_len, with_len - 36);
    }
  }
}

static void test_key_share_empty_ignored_below_tls13(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    if (kVersions[i] == TP_TLS13) {
      continue;
    }
    for (int minimal = 0; minimal <= 1; minimal++) {
      struct tp_client_hello_opts o = opts_for(kVersions[i]);
      o.minimal = minimal;
      uint8_t a[TP_CLIENT_HELLO_MAX], b[TP_CLIENT_HELLO_MAX];
      size_t len_a, len_b;
      assert_int_equal(tp_build_client_hello(&o, a, sizeof(a), &len_a, NULL), 1);
      o.key_share_empty = 1;
      assert_int_equal(tp_build_client_hello(&o, b, sizeof(b), &len_b, NULL), 1);
      assert_int_equal(len_a, len_b);
      assert_memory_equal(a, b, len_a);
    }
  }
}

static void test_signature_algorithms_for_tls12_and_up(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    struct tp_client_hello_opts o = opts_for(v);
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    const struct wire_ext *sa = find_ext(&w, TP_EXT_SIGNATURE_ALGORITHMS);
    if (v < TP_TLS12) {
      /* RFC 5246, 7.4.1.4.1: the extension does not exist before 1.2, and
       * some 1.0 servers fail on it. */
      assert_null(sa);
      continue;
    }
    assert_non_null(sa);
    tp_cbs list = u16_list_of(sa);
    /* What the common certificates need. */
    assert_int_equal(count_u16(list, 0x0403), 1); /* ecdsa_secp256r1_sha256 */
    assert_int_equal(count_u16(list, 0x0804), 1); /* rsa_pss_rsae_sha256 */
    if (v == TP_TLS13) {
      /* RFC 8446, 4.2.3: no DSA in 1.3; SHA-1 is legacy. */
      static const uint16_t banned[] = {0x0201, 0x0202, 0x0203, 0x0402, 0x0502, 0x0602};
      for (size_t k = 0; k < COUNT(banned); k++) {
        assert_int_equal(count_u16(list, banned[k]), 0);
      }
    } else {
      assert_int_equal(count_u16(list, 0x0401), 1); /* rsa_pkcs1_sha256 */
    }
  }
}

static void test_supported_groups_and_point_formats(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kTlsVersions); i++) {
    uint16_t v = kTlsVersions[i];
    struct tp_client_hello_opts o = opts_for(v);
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    const struct wire_ext *g = find_ext(&w, TP_EXT_SUPPORTED_GROUPS);
    assert_non_null(g);
    tp_cbs list = u16_list_of(g);
    /* The key share's group must be among the offered groups (RFC 8446,
     * 4.2.8), and ECDHE suites need a curve every server has. */
    assert_int_equal(count_u16(list, TP_GROUP_X25519), 1);
    assert_int_equal(count_u16(list, TP_GROUP_SECP256R1), 1);
    if (v < TP_TLS13) {
      /* RFC 7919, 4: with FFDHE groups offered, a server that knows none of
       * them may not pick DHE at all. */
      uint16_t g16;
      while (tp_cbs_get_u16(&list, &g16)) {
        assert_false(g16 >= 0x0100 && g16 <= 0x01ff);
      }
    }
    /* ec_point_formats: uncompressed only (RFC 8422, 5.1.2). */
    const struct wire_ext *pf = find_ext(&w, TP_EXT_EC_POINT_FORMATS);
    assert_non_null(pf);
    static const uint8_t want_pf[] = {0x01, 0x00};
    assert_true(tp_cbs_mem_equal(&pf->body, want_pf, sizeof(want_pf)));
  }
}

/* sni_body_for is the server_name extension body RFC 6066, 3 prescribes for
 * one host_name. */
static size_t sni_body_for(const char *host, uint8_t *out) {
  size_t n = strlen(host);
  out[0] = (uint8_t)((n + 3) >> 8);
  out[1] = (uint8_t)(n + 3);
  out[2] = 0; /* host_name */
  out[3] = (uint8_t)(n >> 8);
  out[4] = (uint8_t)n;
  memcpy(out + 5, host, n);
  return n + 5;
}

static void test_sni_sent_for_host_names(void **state) {
  (void)state;
  static const char *const hosts[] = {"mail.example.com", "localhost",
                                      "_dmarc.Example.ORG", "10.0.0.1.nip.io"};
  for (size_t i = 0; i < COUNT(kTlsVersions); i++) {
    for (size_t h = 0; h < COUNT(hosts); h++) {
      struct tp_client_hello_opts o = opts_for(kTlsVersions[i]);
      o.sni = hosts[h];
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      struct tp_client_hello_layout layout;
      struct wire w;
      struct tp_client_hello_info info;
      build(&o, buf, &len, &layout, &w, &info);
      const struct wire_ext *sni = find_ext(&w, TP_EXT_SERVER_NAME);
      assert_non_null(sni);
      uint8_t want[300];
      size_t want_len = sni_body_for(hosts[h], want);
      assert_true(tp_cbs_mem_equal(&sni->body, want, want_len));
      assert_true(tp_cbs_mem_equal(&info.server_name, (const uint8_t *)hosts[h],
                                   strlen(hosts[h])));
      assert_true(layout.offered_exts & (1u << TP_EXT_BIT_SERVER_NAME));
    }
  }
}

static void test_sni_trailing_dot_stripped(void **state) {
  (void)state;
  /* RFC 6066, 3: "The hostname is represented ... without a trailing dot." */
  struct tp_client_hello_opts o = opts_for(TP_TLS12);
  o.sni = "example.com.";
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  const struct wire_ext *sni = find_ext(&w, TP_EXT_SERVER_NAME);
  assert_non_null(sni);
  uint8_t want[64];
  size_t want_len = sni_body_for("example.com", want);
  assert_true(tp_cbs_mem_equal(&sni->body, want, want_len));
  assert_true(tp_cbs_mem_equal(&info.server_name, (const uint8_t *)"example.com", 11));
}

/* repeat fills |out| with |n| copies of |c| and a terminator. */
static char *repeat(char *out, char c, size_t n) {
  memset(out, c, n);
  out[n] = '\0';
  return out;
}

static void test_no_sni_for_literals_and_bad_names(void **state) {
  (void)state;
  char long_name[300], long_label[80];
  /* 254 bytes: one over RFC 1035's 253-character limit for a name. */
  repeat(long_name, 'a', 254);
  for (size_t i = 63; i < 254; i += 64) {
    long_name[i] = '.';
  }
  /* A 64-byte label: one over the 63-byte limit. */
  repeat(long_label, 'b', 64);
  memcpy(long_label + 64, ".com", 5);
  const char *const bad[] = {
      "1.2.3.4",         /* IPv4 literal: RFC 6066, 3 forbids it in SNI */
      "1.2.3.4.",        /* the same with a root dot */
      "127.1",           /* inet_aton shorthand for 127.0.0.1 */
      "3232235521",      /* a whole IPv4 address as one number */
      "::1",             /* IPv6 literals */
      "2001:db8::1",
      "[2001:db8::1]",
      "::ffff:1.2.3.4",
      "",                /* empty */
      ".",               /* the root alone */
      "a..b",            /* empty label */
      ".example.com",
      "exa mple.com",    /* not a host name character */
      "example.com/x",
      "example.com..",
      long_name,
      long_label,
  };
  for (size_t i = 0; i < COUNT(bad); i++) {
    assert_int_equal(tp_sni_usable(bad[i]), 0);
    struct tp_client_hello_opts o = opts_for(TP_TLS12);
    o.sni = bad[i];
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    assert_null(find_ext(&w, TP_EXT_SERVER_NAME));
    assert_int_equal(info.server_name.len, 0);
    assert_false(layout.offered_exts & (1u << TP_EXT_BIT_SERVER_NAME));
  }
  assert_int_equal(tp_sni_usable(NULL), 0);
}

static void test_sni_length_limits(void **state) {
  (void)state;
  char name[300];
  /* 63 + 1 + 63 + 1 + 63 + 1 + 61 = 253 bytes, the most a name may have. */
  repeat(name, 'x', 253);
  name[63] = name[127] = name[191] = '.';
  assert_int_equal(tp_sni_usable(name), 1);
  /* With a root dot it is still 253 bytes of name. */
  name[253] = '.';
  name[254] = '\0';
  assert_int_equal(tp_sni_usable(name), 1);
  /* 254 bytes without the dot is too long. */
  name[253] = 'x';
  assert_int_equal(tp_sni_usable(name), 0);

  /* The full 253 bytes go on the wire unchanged. */
  name[253] = '\0';
  struct tp_client_hello_opts o = opts_for(TP_TLS13);
  o.sni = name;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  assert_true(tp_cbs_mem_equal(&info.server_name, (const uint8_t *)name, 253));

  /* A 63-byte label is allowed. */
  char label[80];
  repeat(label, 'y', 63);
  memcpy(label + 63, ".com", 5);
  assert_int_equal(tp_sni_usable(label), 1);
  assert_int_equal(tp_sni_usable("a"), 1);
  assert_int_equal(tp_sni_usable("example.com."), 1);
}

static void test_padding_reaches_512(void **state) {
  (void)state;
  /* Sweep an ALPN name over every length so that the unpadded hello lands
   * on every size around 512, including 508-511 where the padding
   * extension's own 4-byte header is all that fits. */
  for (size_t i = 0; i < COUNT(kTlsVersions); i++) {
    for (size_t alpn_len = 0; alpn_len <= 255; alpn_len++) {
      char name[256];
      const char *alpn[1] = {repeat(name, 'p', alpn_len)};
      struct tp_client_hello_opts o = opts_for(kTlsVersions[i]);
      o.alpn = alpn;
      o.alpn_count = alpn_len > 0;
      uint8_t buf[TP_CLIENT_HELLO_MAX];
      size_t len;
      struct tp_client_hello_layout layout;
      struct wire w;
      struct tp_client_hello_info info;
      build(&o, buf, &len, &layout, &w, &info);
      /* RFC 7685, 4: some middleboxes hang on hellos of 256-511 bytes. */
      assert_true(w.msg_len >= TP_CLIENT_HELLO_PAD_TO);
      const struct wire_ext *pad = find_ext(&w, TP_EXT_PADDING);
      if (pad == NULL) {
        assert_false(layout.offered_exts & (1u << TP_EXT_BIT_PADDING));
        continue;
      }
      assert_true(layout.offered_exts & (1u << TP_EXT_BIT_PADDING));
      /* Padding is zeros (RFC 7685, 3), added only when needed, and never
       * more than needed. */
      for (size_t k = 0; k < pad->body.len; k++) {
        assert_int_equal(pad->body.data[k], 0);
      }
      assert_true(w.msg_len - 4 - pad->body.len < TP_CLIENT_HELLO_PAD_TO);
      if (pad->body.len > 0) {
        assert_int_equal(w.msg_len, TP_CLIENT_HELLO_PAD_TO);
      }
    }
  }
}

static void test_minimal_shape(void **state) {
  (void)state;
  static const char *const alpn[] = {"h2"};
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    struct tp_client_hello_opts o = opts_for(v);
    o.sni = "mail.example.com";
    o.alpn = alpn;
    o.alpn_count = 1;
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len, full_len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &full_len, &layout, &w, &info);
    o.minimal = 1;
    build(&o, buf, &len, &layout, &w, &info);
    if (v < TP_TLS12) {
      /* For servers intolerant of extensions: no block at all. */
      assert_int_equal(w.has_ext_block, 0);
      assert_int_equal(layout.offered_exts, 1u << TP_EXT_BIT_RENEGOTIATION_INFO);
    } else if (v == TP_TLS12) {
      /* signature_algorithms only: without it a 1.2 server must assume
       * SHA-1 (RFC 5246, 7.4.1.4.1), which OpenSSL 3 refuses. */
      assert_int_equal(w.n_ext, 1);
      assert_int_equal(w.ext_mask, 1u << TP_EXT_BIT_SIGNATURE_ALGORITHMS);
      assert_int_equal(layout.offered_exts, 1u << TP_EXT_BIT_SIGNATURE_ALGORITHMS |
                                                1u << TP_EXT_BIT_RENEGOTIATION_INFO);
    } else {
      /* Only what a 1.3 handshake cannot do without (RFC 8446, 9.2). */
      assert_int_equal(w.n_ext, 4);
      uint32_t four = 1u << TP_EXT_BIT_SUPPORTED_VERSIONS |
                      1u << TP_EXT_BIT_SUPPORTED_GROUPS | 1u << TP_EXT_BIT_KEY_SHARE |
                      1u << TP_EXT_BIT_SIGNATURE_ALGORITHMS;
      assert_int_equal(w.ext_mask, four);
      assert_int_equal(layout.offered_exts, four | 1u << TP_EXT_BIT_RENEGOTIATION_INFO);
    }
    /* No padding: the point of the shape is a short hello. */
    if (v != TP_SSL3) {
      assert_true(len < full_len);
      assert_true(w.msg_len < TP_CLIENT_HELLO_PAD_TO);
    }
  }
}

/* cipher_list builds a hello and returns its cipher list (a view into
 * |buf|). */
static tp_cbs cipher_list(uint16_t version, enum tp_cipher_profile profile,
                          uint8_t *buf) {
  struct tp_client_hello_opts o = opts_for(version);
  o.ciphers = profile;
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  return w.ciphers;
}

static void test_modern_profile_is_subset_of_broad(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    uint8_t broad_buf[TP_CLIENT_HELLO_MAX], modern_buf[TP_CLIENT_HELLO_MAX];
    tp_cbs broad = cipher_list(v, TP_CIPHERS_BROAD, broad_buf);
    tp_cbs modern = cipher_list(v, TP_CIPHERS_MODERN, modern_buf);
    assert_true(modern.len > 2); /* more than the SCSV */
    assert_true(modern.len <= broad.len);
    tp_cbs walk = modern;
    uint16_t suite;
    while (tp_cbs_get_u16(&walk, &suite)) {
      assert_int_equal(count_u16(broad, suite), 1);
      if (v == TP_TLS12 && suite != TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        /* The 1.2 modern list is forward-secret only. */
        const char *name = tp_cipher_name(suite);
        assert_non_null(name);
        assert_true(strstr(name, "_ECDHE_") != NULL || strstr(name, "_DHE_") != NULL);
      }
    }
    if (v == TP_TLS13) {
      /* The three mandatory-to-offer 1.3 suites and the SCSV, nothing else. */
      static const uint8_t want[] = {0x13, 0x01, 0x13, 0x02, 0x13, 0x03, 0x00, 0xff};
      assert_true(tp_cbs_mem_equal(&modern, want, sizeof(want)));
    }
  }
}

/* is_rsa_key_exchange says whether |suite| uses static RSA key exchange
 * (RFC 5246, 7.4.3: no ServerKeyExchange, so the server signs nothing). The
 * IANA name says it: TLS_RSA_WITH_*, not TLS_RSA_EXPORT_* (a key over 512
 * bits makes an export server sign a temporary one). */
static int is_rsa_key_exchange(uint16_t suite) {
  const char *name = tp_cipher_name(suite);
  assert_non_null(name);
  return strncmp(name, "TLS_RSA_WITH_", 13) == 0;
}

static void test_cheap_profile_is_broad_rsa_first(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    uint8_t broad_buf[TP_CLIENT_HELLO_MAX], cheap_buf[TP_CLIENT_HELLO_MAX];
    tp_cbs broad = cipher_list(v, TP_CIPHERS_BROAD, broad_buf);
    tp_cbs cheap = cipher_list(v, TP_CIPHERS_CHEAP, cheap_buf);
    /* The same suites, each once: the server's choice among them, and so
     * the verdict, cannot change. */
    assert_int_equal(cheap.len, broad.len);
    uint16_t suite;
    tp_cbs walk = cheap;
    while (tp_cbs_get_u16(&walk, &suite)) {
      assert_int_equal(count_u16(broad, suite), 1);
      assert_int_equal(count_u16(cheap, suite), 1);
    }
    /* The order: the 1.3 suites as in the broad list (TLS 1.3 only), then
     * the RSA key exchange suites, then the rest, each in the broad list's
     * order, then the SCSV. Rebuild it from the broad list and compare. */
    uint16_t want[128];
    size_t n = 0, leading = v == TP_TLS13 ? 3 : 0;
    for (int pass = 0; pass < 3; pass++) {
      walk = broad;
      for (size_t k = 0; tp_cbs_get_u16(&walk, &suite); k++) {
        int scsv = suite == TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV;
        int group = k < leading ? 0 : scsv ? 3 : is_rsa_key_exchange(suite) ? 1 : 2;
        if (group == pass || (pass == 2 && group == 3)) {
          assert_true(n < COUNT(want));
          want[n++] = suite;
        }
      }
    }
    walk = cheap;
    for (size_t k = 0; k < n; k++) {
      assert_true(tp_cbs_get_u16(&walk, &suite));
      assert_int_equal(suite, want[k]);
    }
    /* And a server honouring the order meets an RSA suite first. */
    walk = cheap;
    assert_true(tp_cbs_skip(&walk, 2 * leading));
    assert_true(tp_cbs_get_u16(&walk, &suite));
    assert_true(is_rsa_key_exchange(suite));
  }
}

/* The whole cheap SSLv3 hello (RFC 6101, 5.6.1.2; no extensions): static
 * RSA key exchange first, for which "it is not legal to send the server key
 * exchange message" (RFC 5246, 7.4.3; RFC 6101, 5.6.3), so a server taking
 * the first suite it knows signs nothing. */
static const uint8_t kSsl3CheapHello[] = {
    0x16, 0x03, 0x00, 0x00, 0x55, /* handshake record, SSL 3.0, 85 bytes */
    0x01, 0x00, 0x00, 0x51,       /* ClientHello, 81 bytes */
    0x03, 0x00,                   /* client_version: SSL 3.0 */
    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, /* random */
    0x0b, 0x0c, 0x0d, 0x0e, 0x0f, 0x10, 0x11, 0x12, 0x13, 0x14, 0x15,
    0x16, 0x17, 0x18, 0x19, 0x1a, 0x1b, 0x1c, 0x1d, 0x1e, 0x1f,
    0x00,                         /* session_id: empty */
    0x00, 0x2a,                   /* cipher_suites: 42 bytes */
    0x00, 0x35, 0x00, 0x2f,       /* RSA_WITH_AES_256/128_CBC_SHA */
    0x00, 0x0a,                   /* RSA_WITH_3DES_EDE_CBC_SHA */
    0x00, 0x05, 0x00, 0x04,       /* RSA_WITH_RC4_128_SHA, _MD5 */
    0x00, 0x09,                   /* RSA_WITH_DES_CBC_SHA */
    0xc0, 0x14, 0xc0, 0x13, 0xc0, 0x0a, 0xc0, 0x09, /* ECDHE AES */
    0x00, 0x39, 0x00, 0x33,       /* DHE_RSA AES */
    0xc0, 0x12, 0x00, 0x16, 0x00, 0x13, /* ECDHE_RSA, DHE_RSA, DHE_DSS 3DES */
    0x00, 0x15, 0x00, 0x14,       /* DHE_RSA DES, EXPORT DES40 */
    0x00, 0x08, 0x00, 0x06, 0x00, 0x03, /* RSA_EXPORT DES40, RC2, RC4 */
    0x00, 0xff,                   /* renegotiation SCSV (RFC 5746, 3.3) */
    0x01, 0x00,                   /* compression_methods: null */
};

static void test_cheap_ssl3_hello_bytes(void **state) {
  (void)state;
  struct tp_client_hello_opts o = opts_for(TP_SSL3);
  o.ciphers = TP_CIPHERS_CHEAP;
  o.session_id = NULL;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  assert_int_equal(len, sizeof(kSsl3CheapHello));
  assert_memory_equal(buf, kSsl3CheapHello, sizeof(kSsl3CheapHello));
  assert_int_equal(layout.cipher_count, 21);
}

static void test_ciphers_fit_the_version(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    uint16_t v = kVersions[i];
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    tp_cbs list = cipher_list(v, TP_CIPHERS_BROAD, buf);
    uint16_t suite;
    size_t index = 0;
    while (tp_cbs_get_u16(&list, &suite)) {
      int is_13_suite = (suite >> 8) == 0x13;
      if (v == TP_TLS13 && index < 3) {
        /* A 1.3 hello leads with 1.3 suites, so a server honouring the
         * client's order cannot pick a 1.2 suite. */
        assert_true(is_13_suite);
      }
      if (v != TP_TLS13) {
        assert_false(is_13_suite);
      }
      if (v < TP_TLS12 && suite != TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV) {
        /* AEAD and SHA-256/384 suites need TLS 1.2 (RFC 5246, 1.2): a
         * 1.0 server cannot take them. */
        const char *name = tp_cipher_name(suite);
        assert_non_null(name);
        assert_null(strstr(name, "GCM"));
        assert_null(strstr(name, "CHACHA20"));
        assert_null(strstr(name, "CCM"));
        assert_null(strstr(name, "SHA256"));
        assert_null(strstr(name, "SHA384"));
      }
      index++;
    }
  }
}

static void test_alpn_written(void **state) {
  (void)state;
  static const char *const alpn[] = {"h2", "http/1.1"};
  for (size_t i = 0; i < COUNT(kTlsVersions); i++) {
    struct tp_client_hello_opts o = opts_for(kTlsVersions[i]);
    o.alpn = alpn;
    o.alpn_count = 2;
    uint8_t buf[TP_CLIENT_HELLO_MAX];
    size_t len;
    struct tp_client_hello_layout layout;
    struct wire w;
    struct tp_client_hello_info info;
    build(&o, buf, &len, &layout, &w, &info);
    const struct wire_ext *e = find_ext(&w, TP_EXT_ALPN);
    assert_non_null(e);
    /* RFC 7301, 3.1: ProtocolNameList of u8-prefixed names. */
    static const uint8_t want[] = {0x00, 0x0c, 0x02, 'h', '2', 0x08, 'h', 't',
                                   't',  'p',  '/',  '1', '.', '1'};
    assert_true(tp_cbs_mem_equal(&e->body, want, sizeof(want)));
    assert_true(layout.offered_exts & (1u << TP_EXT_BIT_ALPN));
  }
  /* A 255-byte name is the longest allowed, and is written whole. */
  char name[256];
  const char *longest[1] = {repeat(name, 'z', 255)};
  struct tp_client_hello_opts o = opts_for(TP_TLS12);
  o.alpn = longest;
  o.alpn_count = 1;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  struct wire w;
  struct tp_client_hello_info info;
  build(&o, buf, &len, &layout, &w, &info);
  const struct wire_ext *e = find_ext(&w, TP_EXT_ALPN);
  assert_non_null(e);
  assert_int_equal(e->body.len, 2 + 1 + 255);
  assert_int_equal(e->body.data[2], 255);
}

static void test_invalid_options_rejected(void **state) {
  (void)state;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  static const uint16_t bad_versions[] = {0x0000, TP_SSL2, 0x0305, 0x0200, 0x0403, 0xfefd};
  for (size_t i = 0; i < COUNT(bad_versions); i++) {
    struct tp_client_hello_opts o = opts_for(bad_versions[i]);
    assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 0);
  }
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    struct tp_client_hello_opts o = opts_for(kVersions[i]);
    o.random = NULL;
    assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 0);
  }
  /* TLS 1.3 needs a key share, unless it offers an empty list; older
   * versions do not. */
  struct tp_client_hello_opts o = opts_for(TP_TLS13);
  o.x25519_share = NULL;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 0);
  o.key_share_empty = 1;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 1);
  o = opts_for(TP_TLS12);
  o.x25519_share = NULL;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 1);

  /* A cipher profile that does not exist. */
  o = opts_for(TP_TLS12);
  o.ciphers = (enum tp_cipher_profile)(TP_CIPHERS_CHEAP + 1);
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 0);

  /* ALPN: RFC 7301, 3.1 allows names of 1 to 255 bytes. */
  char name[257];
  const char *too_long[1] = {repeat(name, 'n', 256)};
  const char *empty[1] = {""};
  const char *null_name[2] = {"h2", NULL};
  struct {
    const char *const *alpn;
    size_t count;
  } bad_alpn[] = {{too_long, 1}, {empty, 1}, {null_name, 2}, {NULL, 1}};
  for (size_t i = 0; i < COUNT(bad_alpn); i++) {
    o = opts_for(TP_TLS12);
    o.alpn = bad_alpn[i].alpn;
    o.alpn_count = bad_alpn[i].count;
    assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 0);
  }
}

static void test_too_small_buffer(void **state) {
  (void)state;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      struct tp_client_hello_opts o = opts_for(kVersions[i]);
      o.minimal = minimal;
      o.sni = "example.com";
      uint8_t want[TP_CLIENT_HELLO_MAX], buf[TP_CLIENT_HELLO_MAX];
      size_t n;
      assert_int_equal(tp_build_client_hello(&o, want, sizeof(want), &n, NULL), 1);
      const size_t caps[] = {0, 1, 5, 9, n / 2, n - 1};
      for (size_t c = 0; c < COUNT(caps); c++) {
        memset(buf, 0xee, sizeof(buf));
        size_t len = 0;
        assert_int_equal(tp_build_client_hello(&o, buf, caps[c], &len, NULL), 0);
        /* Not one byte past the capacity it was given. */
        for (size_t k = caps[c]; k < sizeof(buf); k++) {
          assert_int_equal(buf[k], 0xee);
        }
      }
      size_t len = 0;
      assert_int_equal(tp_build_client_hello(&o, buf, n, &len, NULL), 1);
      assert_int_equal(len, n);
      assert_memory_equal(buf, want, n);
    }
  }
}

static void test_offered_exts_match_wire(void **state) {
  (void)state;
  static const char *const alpn[] = {"imap"};
  static const char *const snis[] = {NULL, "imap.example.net", "192.0.2.1"};
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      for (size_t s = 0; s < COUNT(snis); s++) {
        for (size_t a = 0; a <= 1; a++) {
          for (int fallback = 0; fallback <= 1; fallback++) {
            for (size_t p = 0; p < COUNT(kProfiles); p++) {
              struct tp_client_hello_opts o = opts_for(kVersions[i]);
              o.minimal = minimal;
              o.sni = snis[s];
              o.alpn = alpn;
              o.alpn_count = a;
              o.fallback_scsv = fallback;
              o.ciphers = kProfiles[p];
              uint8_t buf[TP_CLIENT_HELLO_MAX];
              size_t len;
              struct tp_client_hello_layout layout;
              struct wire w;
              struct tp_client_hello_info info;
              build(&o, buf, &len, &layout, &w, &info);
              if (kVersions[i] == TP_TLS13) {
                /* An empty key_share list is still the extension. */
                o.key_share_empty = 1;
                struct tp_client_hello_layout empty_layout;
                struct wire empty_w;
                build(&o, buf, &len, &empty_layout, &empty_w, &info);
                assert_int_equal(empty_layout.offered_exts, layout.offered_exts);
                assert_int_equal(empty_w.ext_mask, w.ext_mask);
                assert_int_equal(empty_layout.key_share_at, 0);
              }
              /* What is offered is what is on the wire, plus
               * renegotiation_info, which the SCSV offers (RFC 5746, 3.3). */
              assert_int_equal(layout.offered_exts,
                               w.ext_mask | 1u << TP_EXT_BIT_RENEGOTIATION_INFO);
              assert_false(layout.offered_exts & (1u << TP_EXT_BIT_UNKNOWN));
            }
          }
        }
      }
    }
  }
}

static void test_deterministic(void **state) {
  (void)state;
  static const char *const alpn[] = {"h2", "http/1.1"};
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    struct tp_client_hello_opts o = opts_for(kVersions[i]);
    o.sni = "www.example.com";
    o.alpn = alpn;
    o.alpn_count = 2;
    /* Different garbage beforehand: a byte left unwritten would show. */
    uint8_t a[TP_CLIENT_HELLO_MAX], b[TP_CLIENT_HELLO_MAX];
    memset(a, 0x00, sizeof(a));
    memset(b, 0xff, sizeof(b));
    size_t len_a, len_b;
    struct tp_client_hello_layout la, lb;
    assert_int_equal(tp_build_client_hello(&o, a, sizeof(a), &len_a, &la), 1);
    assert_int_equal(tp_build_client_hello(&o, b, sizeof(b), &len_b, &lb), 1);
    assert_int_equal(len_a, len_b);
    assert_memory_equal(a, b, len_a);
    assert_int_equal(la.random_at, lb.random_at);
    assert_int_equal(la.session_id_at, lb.session_id_at);
    assert_int_equal(la.key_share_at, lb.key_share_at);
    assert_int_equal(la.offered_exts, lb.offered_exts);
    assert_int_equal(la.cipher_count, lb.cipher_count);
  }
}

static void test_layout_patch_equals_rebuild(void **state) {
  (void)state;
  /* The engine builds a hello once and patches random, session id and key
   * share per probe; that must give the bytes a fresh build would. */
  uint8_t other_random[32], other_sid[32], other_share[32];
  for (int k = 0; k < 32; k++) {
    other_random[k] = (uint8_t)(0xf0 - k);
    other_sid[k] = (uint8_t)(0x70 + k);
    other_share[k] = (uint8_t)(0x33 * k);
  }
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    struct tp_client_hello_opts o = opts_for(kVersions[i]);
    o.sni = "example.org";
    uint8_t patched[TP_CLIENT_HELLO_MAX], fresh[TP_CLIENT_HELLO_MAX];
    size_t len_p, len_f;
    struct tp_client_hello_layout layout;
    assert_int_equal(tp_build_client_hello(&o, patched, sizeof(patched), &len_p, &layout), 1);
    memcpy(patched + layout.random_at, other_random, 32);
    memcpy(patched + layout.session_id_at, other_sid, 32);
    if (layout.key_share_at != 0) {
      memcpy(patched + layout.key_share_at, other_share, 32);
    }
    o.random = other_random;
    o.session_id = other_sid;
    o.x25519_share = other_share;
    assert_int_equal(tp_build_client_hello(&o, fresh, sizeof(fresh), &len_f, NULL), 1);
    assert_int_equal(len_p, len_f);
    assert_memory_equal(patched, fresh, len_f);
  }
}

static void test_hello_never_exceeds_max(void **state) {
  (void)state;
  /* TP_CLIENT_HELLO_MAX is documented as the largest hello the builder
   * writes, so callers size their buffers by it. Grow the ALPN list until
   * the build fails; up to then every hello, with the longest SNI on top,
   * must fit. */
  char name[256], host[260];
  repeat(name, 'a', 255);
  repeat(host, 'h', 253);
  host[63] = host[127] = host[191] = '.';
  const char *alpn[16];
  for (size_t k = 0; k < COUNT(alpn); k++) {
    alpn[k] = name;
  }
  static uint8_t buf[4 * TP_CLIENT_HELLO_MAX];
  for (size_t i = 0; i < COUNT(kTlsVersions); i++) {
    for (size_t count = 1; count <= COUNT(alpn); count++) {
      struct tp_client_hello_opts o = opts_for(kTlsVersions[i]);
      o.alpn = alpn;
      o.alpn_count = count;
      o.sni = host;
      size_t len = 0;
      if (!tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL)) {
        break;
      }
      if (len > TP_CLIENT_HELLO_MAX) {
        print_message("version %04x, %zu ALPN names of 255 bytes, 253-byte SNI: %zu bytes\n",
                      kTlsVersions[i], count, len);
      }
      assert_true(len <= TP_CLIENT_HELLO_MAX);
    }
  }
}

/* ---- Templates: built once, patched per probe ---------------------------- */

static void test_template_equals_direct_build(void **state) {
  (void)state;
  /* tp_build_client_hello is documented as template + patch in one step;
   * an engine that uses the two steps must send the very same bytes, for
   * every shape and every SNI, with the per-probe parts patched in. */
  static const char *const alpn[] = {"h2", "http/1.1"};
  static const char *const snis[] = {NULL, "a.example", "mail.example.com.",
                                     "192.0.2.7", "::1", ""};
  uint8_t random[32], sid[32], share[32];
  for (int k = 0; k < 32; k++) {
    random[k] = (uint8_t)(k * 7 + 1);
    sid[k] = (uint8_t)(k * 5 + 2);
    share[k] = (uint8_t)(k * 3 + 3);
  }
  static struct tp_hello_template t;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      for (int with_sid = 0; with_sid <= 1; with_sid++) {
        for (size_t a = 0; a <= 1; a++) {
          for (int fallback = 0; fallback <= 1; fallback++) {
            for (int bits = 0; bits < 6; bits++) {
              struct tp_client_hello_opts o = opts_for(kVersions[i]);
              o.minimal = minimal;
              o.alpn = alpn;
              o.alpn_count = 2 * a;
              o.fallback_scsv = fallback;
              o.ciphers = kProfiles[bits % 3];
              o.key_share_empty = bits / 3;
              /* The template needs no per-probe bytes... */
              o.random = NULL;
              o.session_id = with_sid ? kSessionId : NULL;
              o.x25519_share = NULL;
              assert_int_equal(tp_hello_template_init(&t, &o), 1);
              for (size_t s = 0; s < COUNT(snis); s++) {
                /* ...and the direct build gets them all. */
                o.sni = snis[s];
                o.random = random;
                o.session_id = with_sid ? sid : NULL;
                o.x25519_share = share;
                uint8_t direct[TP_CLIENT_HELLO_MAX], patched[TP_CLIENT_HELLO_MAX];
                size_t len_d, len_p;
                struct tp_client_hello_layout ld, lp;
                assert_int_equal(
                    tp_build_client_hello(&o, direct, sizeof(direct), &len_d, &ld), 1);
                assert_int_equal(tp_hello_from_template(&t, snis[s], random,
                                                        with_sid ? sid : NULL, share,
                                                        patched, sizeof(patched), &len_p,
                                                        &lp),
                                 1);
                assert_int_equal(len_p, len_d);
                assert_memory_equal(patched, direct, len_d);
                assert_int_equal(lp.random_at, ld.random_at);
                assert_int_equal(lp.session_id_at, ld.session_id_at);
                assert_int_equal(lp.key_share_at, ld.key_share_at);
                assert_int_equal(lp.offered_exts, ld.offered_exts);
                assert_int_equal(lp.cipher_count, ld.cipher_count);
                /* And it reads back as a well-formed hello. */
                struct wire w;
                decode_by_hand(patched, len_p, &w);
                assert_int_equal(lp.offered_exts,
                                 w.ext_mask | 1u << TP_EXT_BIT_RENEGOTIATION_INFO);
                if (lp.key_share_at != 0) {
                  assert_memory_equal(patched + lp.key_share_at, share, 32);
                }
                o.session_id = with_sid ? kSessionId : NULL;
              }
            }
          }
        }
      }
    }
  }
}

static void test_template_shape_flags(void **state) {
  (void)state;
  static struct tp_hello_template t;
  for (size_t i = 0; i < COUNT(kVersions); i++) {
    for (int minimal = 0; minimal <= 1; minimal++) {
      uint16_t v = kVersions[i];
      struct tp_client_hello_opts o = opts_for(v);
      o.minimal = minimal;
      assert_int_equal(tp_hello_template_init(&t, &o), 1);
      int full_tls = v != TP_SSL3 && !minimal;
      assert_int_equal(t.version, v);
      /* SNI and padding belong to the full TLS shapes only. */
      assert_int_equal(t.sni_allowed, full_tls);
      assert_int_equal(t.pad, full_tls);
      assert_int_equal(t.ext_list_at != 0, v >= TP_TLS12 || full_tls);
    }
  }
}

static void test_template_keeps_unpatched_bytes(void **state) {
  (void)state;
  /* NULL per-probe inputs keep what the template has: zeros when the
   * template was built without them, its own bytes otherwise. */
  static struct tp_hello_template t;
  struct tp_client_hello_opts o = opts_for(TP_TLS13);
  o.random = NULL;
  o.x25519_share = NULL;
  assert_int_equal(tp_hello_template_init(&t, &o), 1);
  uint8_t out[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  assert_int_equal(
      tp_hello_from_template(&t, NULL, NULL, NULL, NULL, out, sizeof(out), &len, &layout), 1);
  static const uint8_t zeros[32] = {0};
  assert_memory_equal(out + layout.random_at, zeros, 32);
  assert_memory_equal(out + layout.key_share_at, zeros, 32);
  assert_memory_equal(out + layout.session_id_at, kSessionId, 32);

  /* A template with an empty session id stays empty: there is no room for
   * one, so the probe's is not written anywhere. */
  o.session_id = NULL;
  assert_int_equal(tp_hello_template_init(&t, &o), 1);
  uint8_t sid[32];
  memset(sid, 0x99, sizeof(sid));
  assert_int_equal(
      tp_hello_from_template(&t, NULL, kRandom, sid, kShare, out, sizeof(out), &len, &layout),
      1);
  struct wire w;
  decode_by_hand(out, len, &w);
  assert_int_equal(w.session_id.len, 0);
  assert_int_equal(layout.session_id_at, 0);
  for (size_t k = 0; k < len; k++) {
    assert_int_not_equal(out[k], 0x99);
  }
}

static void test_template_too_small_buffer(void **state) {
  (void)state;
  static struct tp_hello_template t;
  struct tp_client_hello_opts o = opts_for(TP_TLS12);
  assert_int_equal(tp_hello_template_init(&t, &o), 1);
  uint8_t want[TP_CLIENT_HELLO_MAX], buf[TP_CLIENT_HELLO_MAX];
  size_t n;
  assert_int_equal(tp_hello_from_template(&t, "example.com", kRandom, kSessionId, NULL,
                                          want, sizeof(want), &n, NULL),
                   1);
  for (size_t cap = 0; cap < n; cap += (cap < 64 || cap > n - 64) ? 1 : 37) {
    memset(buf, 0xee, sizeof(buf));
    size_t len = 0;
    assert_int_equal(tp_hello_from_template(&t, "example.com", kRandom, kSessionId, NULL,
                                            buf, cap, &len, NULL),
                     0);
    for (size_t k = cap; k < sizeof(buf); k++) {
      assert_int_equal(buf[k], 0xee);
    }
  }
}

static void test_template_rejects_invalid_options(void **state) {
  (void)state;
  static struct tp_hello_template t;
  struct tp_client_hello_opts o = opts_for(0x0305);
  assert_int_equal(tp_hello_template_init(&t, &o), 0);
  const char *empty[1] = {""};
  o = opts_for(TP_TLS12);
  o.alpn = empty;
  o.alpn_count = 1;
  assert_int_equal(tp_hello_template_init(&t, &o), 0);
  /* An ALPN list too large for the template buffer. */
  char name[256];
  const char *alpn[12];
  for (size_t k = 0; k < COUNT(alpn); k++) {
    alpn[k] = repeat(name, 'q', 255);
  }
  o.alpn = alpn;
  o.alpn_count = COUNT(alpn);
  assert_int_equal(tp_hello_template_init(&t, &o), 0);
  assert_int_equal(tp_build_client_hello(&o, t.bytes, sizeof(t.bytes), &t.len, NULL), 0);
}

/* RFC 8448, section 3 ("Simple 1-RTT Handshake"): the client's ClientHello
 * record ("{client} send handshake record", complete record, 201 octets). */
static const uint8_t kRfc8448ClientHello[] = {
    0x16, 0x03, 0x01, 0x00, 0xc4, 0x01, 0x00, 0x00, 0xc0, 0x03, 0x03, 0xcb,
    0x34, 0xec, 0xb1, 0xe7, 0x81, 0x63, 0xba, 0x1c, 0x38, 0xc6, 0xda, 0xcb,
    0x19, 0x6a, 0x6d, 0xff, 0xa2, 0x1a, 0x8d, 0x99, 0x12, 0xec, 0x18, 0xa2,
    0xef, 0x62, 0x83, 0x02, 0x4d, 0xec, 0xe7, 0x00, 0x00, 0x06, 0x13, 0x01,
    0x13, 0x03, 0x13, 0x02, 0x01, 0x00, 0x00, 0x91, 0x00, 0x00, 0x00, 0x0b,
    0x00, 0x09, 0x00, 0x00, 0x06, 0x73, 0x65, 0x72, 0x76, 0x65, 0x72, 0xff,
    0x01, 0x00, 0x01, 0x00, 0x00, 0x0a, 0x00, 0x14, 0x00, 0x12, 0x00, 0x1d,
    0x00, 0x17, 0x00, 0x18, 0x00, 0x19, 0x01, 0x00, 0x01, 0x01, 0x01, 0x02,
    0x01, 0x03, 0x01, 0x04, 0x00, 0x23, 0x00, 0x00, 0x00, 0x33, 0x00, 0x26,
    0x00, 0x24, 0x00, 0x1d, 0x00, 0x20, 0x99, 0x38, 0x1d, 0xe5, 0x60, 0xe4,
    0xbd, 0x43, 0xd2, 0x3d, 0x8e, 0x43, 0x5a, 0x7d, 0xba, 0xfe, 0xb3, 0xc0,
    0x6e, 0x51, 0xc1, 0x3c, 0xae, 0x4d, 0x54, 0x13, 0x69, 0x1e, 0x52, 0x9a,
    0xaf, 0x2c, 0x00, 0x2b, 0x00, 0x03, 0x02, 0x03, 0x04, 0x00, 0x0d, 0x00,
    0x20, 0x00, 0x1e, 0x04, 0x03, 0x05, 0x03, 0x06, 0x03, 0x02, 0x03, 0x08,
    0x04, 0x08, 0x05, 0x08, 0x06, 0x04, 0x01, 0x05, 0x01, 0x06, 0x01, 0x02,
    0x01, 0x04, 0x02, 0x05, 0x02, 0x06, 0x02, 0x02, 0x02, 0x00, 0x2d, 0x00,
    0x02, 0x01, 0x01, 0x00, 0x1c, 0x00, 0x02, 0x40, 0x01,
};

static void test_parse_rfc8448_client_hello(void **state) {
  (void)state;
  assert_int_equal(sizeof(kRfc8448ClientHello), 201);
  struct tp_client_hello_info info;
  assert_int_equal(
      tp_parse_client_hello(kRfc8448ClientHello, sizeof(kRfc8448ClientHello), &info), 1);
  assert_int_equal(info.record_version, 0x0301);
  assert_int_equal(info.legacy_version, 0x0303);
  assert_int_equal(info.message_len, 196);
  assert_ptr_equal(info.random.data, kRfc8448ClientHello + 11);
  assert_int_equal(info.random.len, 32);
  assert_int_equal(info.session_id.len, 0);
  static const uint8_t suites[] = {0x13, 0x01, 0x13, 0x03, 0x13, 0x02};
  assert_true(tp_cbs_mem_equal(&info.cipher_suites, suites, sizeof(suites)));
  assert_int_equal(info.max_supported_version, TP_TLS13);
  assert_true(tp_cbs_mem_equal(&info.server_name, (const uint8_t *)"server", 6));
  uint32_t want = 1u << TP_EXT_BIT_SERVER_NAME | 1u << TP_EXT_BIT_RENEGOTIATION_INFO |
                  1u << TP_EXT_BIT_SUPPORTED_GROUPS | 1u << TP_EXT_BIT_SESSION_TICKET |
                  1u << TP_EXT_BIT_KEY_SHARE | 1u << TP_EXT_BIT_SUPPORTED_VERSIONS |
                  1u << TP_EXT_BIT_SIGNATURE_ALGORITHMS |
                  1u << TP_EXT_BIT_PSK_KEY_EXCHANGE_MODES |
                  1u << TP_EXT_BIT_RECORD_SIZE_LIMIT;
  assert_int_equal(info.extensions_seen, want);
  /* Our hand reader agrees on the same bytes. */
  struct wire w;
  decode_by_hand(kRfc8448ClientHello, sizeof(kRfc8448ClientHello), &w);
  assert_int_equal(w.n_ext, 9);
  assert_int_equal(w.ext_mask, want);
}

static void test_parse_client_hello_rejects_broken_records(void **state) {
  (void)state;
  const uint8_t *ch = kRfc8448ClientHello;
  const size_t n = sizeof(kRfc8448ClientHello);
  struct tp_client_hello_info info;
  /* Every truncation: the record length no longer matches. */
  for (size_t cut = 0; cut < n; cut++) {
    assert_int_equal(tp_parse_client_hello(ch, cut, &info), 0);
  }
  uint8_t copy[sizeof(kRfc8448ClientHello)];
  /* Not a handshake record. */
  memcpy(copy, ch, n);
  copy[0] = TP_RECORD_APPLICATION_DATA;
  assert_int_equal(tp_parse_client_hello(copy, n, &info), 0);
  /* A ServerHello, not a ClientHello. */
  memcpy(copy, ch, n);
  copy[5] = TP_HS_SERVER_HELLO;
  assert_int_equal(tp_parse_client_hello(copy, n, &info), 0);
  /* Extensions block one byte longer than what follows. */
  memcpy(copy, ch, n);
  copy[55]++;
  assert_int_equal(tp_parse_client_hello(copy, n, &info), 0);
}

/* hello_with_session_id writes a minimal ClientHello record with a session
 * id of |sid_len| bytes, using the writer directly so that the builder's own
 * limits do not apply. */
static size_t hello_with_session_id(size_t sid_len, uint8_t *out, size_t cap) {
  tp_cbb b;
  tp_cbb_init(&b, out, cap);
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(&b, 0x0301);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, TP_HS_CLIENT_HELLO);
  tp_cbb_open_u24(&b);
  tp_cbb_add_u16(&b, 0x0303);
  tp_cbb_add_bytes(&b, kRandom, 32);
  tp_cbb_open_u8(&b);
  tp_cbb_add_zeros(&b, sid_len);
  tp_cbb_close(&b);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u16(&b, 0x002f);
  tp_cbb_close(&b);
  tp_cbb_open_u8(&b);
  tp_cbb_add_u8(&b, 0);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  return len;
}

static void test_parse_client_hello_session_id_limit(void **state) {
  (void)state;
  /* RFC 8446, 4.1.2: legacy_session_id<0..32>. 32 parses (the control, so
   * that 33 is refused for its length and nothing else). */
  uint8_t buf[128];
  struct tp_client_hello_info info;
  size_t len = hello_with_session_id(32, buf, sizeof(buf));
  assert_int_equal(tp_parse_client_hello(buf, len, &info), 1);
  assert_int_equal(info.session_id.len, 32);
  len = hello_with_session_id(33, buf, sizeof(buf));
  assert_int_equal(tp_parse_client_hello(buf, len, &info), 0);
}

/* An explicit suite list (enumeration's offers) replaces the profile's, in
 * its order, the renegotiation SCSV after it; the largest list that fits
 * TP_CLIENT_HELLO_MAX builds and the next does not; an empty list is
 * refused. */
static void test_explicit_cipher_list(void **state) {
  (void)state;
  static const uint8_t zeros[32] = {0};
  static const uint16_t kList[] = {0x000a, 0xc02f, 0x0005};
  struct tp_client_hello_opts o;
  memset(&o, 0, sizeof(o));
  o.version = TP_TLS12;
  o.random = zeros;
  o.sni = "example.com";
  o.cipher_list = kList;
  o.cipher_list_len = 3;
  uint8_t buf[TP_CLIENT_HELLO_MAX];
  size_t len;
  struct tp_client_hello_layout layout;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, &layout), 1);
  assert_int_equal(layout.cipher_count, 4);
  struct tp_client_hello_info info;
  assert_int_equal(tp_parse_client_hello(buf, len, &info), 1);
  static const uint8_t kWire[] = {0x00, 0x0a, 0xc0, 0x2f, 0x00, 0x05, 0x00, 0xff};
  assert_true(tp_cbs_mem_equal(&info.cipher_suites, kWire, sizeof(kWire)));

  uint16_t many[1024];
  for (size_t i = 0; i < 1024; i++) {
    many[i] = (uint16_t)(0x0100 + i);
  }
  o.cipher_list = many;
  size_t fits = 0;
  for (size_t n = 1; n <= 1024; n++) {
    o.cipher_list_len = n;
    if (tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL)) {
      assert_true(len <= TP_CLIENT_HELLO_MAX);
      fits = n;
    }
  }
  assert_true(fits > 700);
  assert_true(fits < 1024);
  o.cipher_list_len = 0;
  assert_int_equal(tp_build_client_hello(&o, buf, sizeof(buf), &len, NULL), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_versions_on_the_wire),
      cmocka_unit_test(test_random_and_session_id_at_layout_offsets),
      cmocka_unit_test(test_scsvs),
      cmocka_unit_test(test_ssl3_has_no_extensions),
      cmocka_unit_test(test_supported_versions_only_for_tls13),
      cmocka_unit_test(test_key_share_x25519_at_layout),
      cmocka_unit_test(test_key_share_empty_minimal_bytes),
      cmocka_unit_test(test_key_share_empty_full_shape),
      cmocka_unit_test(test_key_share_empty_ignored_below_tls13),
      cmocka_unit_test(test_signature_algorithms_for_tls12_and_up),
      cmocka_unit_test(test_supported_groups_and_point_formats),
      cmocka_unit_test(test_sni_sent_for_host_names),
      cmocka_unit_test(test_sni_trailing_dot_stripped),
      cmocka_unit_test(test_no_sni_for_literals_and_bad_names),
      cmocka_unit_test(test_sni_length_limits),
      cmocka_unit_test(test_padding_reaches_512),
      cmocka_unit_test(test_minimal_shape),
      cmocka_unit_test(test_modern_profile_is_subset_of_broad),
      cmocka_unit_test(test_cheap_profile_is_broad_rsa_first),
      cmocka_unit_test(test_cheap_ssl3_hello_bytes),
      cmocka_unit_test(test_ciphers_fit_the_version),
      cmocka_unit_test(test_alpn_written),
      cmocka_unit_test(test_invalid_options_rejected),
      cmocka_unit_test(test_too_small_buffer),
      cmocka_unit_test(test_offered_exts_match_wire),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_layout_patch_equals_rebuild),
      cmocka_unit_test(test_hello_never_exceeds_max),
      cmocka_unit_test(test_template_equals_direct_build),
      cmocka_unit_test(test_template_shape_flags),
      cmocka_unit_test(test_template_keeps_unpatched_bytes),
      cmocka_unit_test(test_template_too_small_buffer),
      cmocka_unit_test(test_template_rejects_invalid_options),
      cmocka_unit_test(test_parse_rfc8448_client_hello),
      cmocka_unit_test(test_parse_client_hello_rejects_broken_records),
      cmocka_unit_test(test_parse_client_hello_session_id_limit),
      cmocka_unit_test(test_explicit_cipher_list),
  };
  return cmocka_run_group_tests_name("client_hello", tests, NULL, NULL);
}
