/* tests/fuzz/fuzz_client_hello.c: libFuzzer target for the hello builder
 * and the ClientHello parser.
 *
 * The builder takes options from the scanner (versions, SNI from a target
 * file, ALPN lists); the parser reads probes in the bench responder. The
 * input picks every option, the SNI and ALPN names come from its bytes, and
 * the random, session id and key share too. Invariants:
 * - a hello that builds fits TP_CLIENT_HELLO_MAX, parses back with
 *   tp_parse_client_hello, carries the pinned legacy_version (0x0303 for
 *   1.3 with supported_versions = 1.3), and is padded to 512 bytes unless
 *   minimal or SSLv3;
 * - SNI appears only when tp_sni_usable says the name may be sent;
 * - the cheap cipher profile offers the broad profile's suites, each once;
 * - an empty TLS 1.3 key_share list is still the extension, with no share
 *   to patch (key_share_at 0);
 * - the same options build the same bytes twice, and a template built with
 *   no random, session id or key share, then patched with them and the SNI,
 *   writes exactly the bytes of a direct build (the engine's path);
 * - the raw input, read as a ClientHello record, never crashes the parser. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "tlsparse/tlsparse.h"

static const uint16_t kVersions[] = {TP_SSL3, TP_TLS10, TP_TLS11, TP_TLS12, TP_TLS13, 0x0305};

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct tp_client_hello_info parsed;
  (void)tp_parse_client_hello(data, size, &parsed);

  if (size < 4 + 96) {
    return 0;
  }
  uint8_t flags = data[0];
  size_t sni_len = data[1];
  size_t alpn_len = data[2];
  uint8_t more = data[3];             /* 1: empty key share; 2: cheap ciphers */
  const uint8_t *material = data + 4; /* random, session id, share */
  data += 4 + 96;
  size -= 4 + 96;

  char sni[256];
  sni_len = sni_len < size ? sni_len : size;
  memcpy(sni, data, sni_len);
  sni[sni_len] = '\0';
  data += sni_len;
  size -= sni_len;

  /* ALPN names: the rest, split at zero bytes, at most 8 names. */
  char alpn_buf[300];
  const char *alpn[8];
  size_t alpn_count = 0;
  alpn_len = alpn_len < size ? alpn_len : size;
  memcpy(alpn_buf, data, alpn_len);
  alpn_buf[alpn_len] = '\0';
  for (size_t at = 0; at < alpn_len && alpn_count < 8;) {
    alpn[alpn_count++] = alpn_buf + at;
    at += strlen(alpn_buf + at) + 1;
  }

  struct tp_client_hello_opts opts = {
      .version = kVersions[flags % 6],
      .sni = (flags & 0x08) ? sni : NULL,
      .ciphers = (more & 0x02)   ? TP_CIPHERS_CHEAP
                 : (flags & 0x10) ? TP_CIPHERS_MODERN
                                  : TP_CIPHERS_BROAD,
      .fallback_scsv = (flags & 0x20) != 0,
      .minimal = (flags & 0x40) != 0,
      .alpn = alpn,
      .alpn_count = (flags & 0x80) ? alpn_count : 0,
      .random = material,
      .session_id = (flags & 0x04) ? material + 32 : NULL,
      .x25519_share = material + 64,
      .key_share_empty = (more & 0x01) != 0,
  };
  static uint8_t out[TP_CLIENT_HELLO_MAX], again[TP_CLIENT_HELLO_MAX];
  size_t len, len2;
  struct tp_client_hello_layout layout;
  if (!tp_build_client_hello(&opts, out, sizeof(out), &len, &layout)) {
    return 0;
  }
  CHECK(opts.version != 0x0305);
  CHECK(len <= TP_CLIENT_HELLO_MAX);
  CHECK(tp_build_client_hello(&opts, again, sizeof(again), &len2, NULL));
  CHECK(len == len2 && memcmp(out, again, len) == 0);
  CHECK(memcmp(out + layout.random_at, material, 32) == 0);

  static struct tp_hello_template tpl;
  struct tp_client_hello_opts bare = opts;
  bare.sni = NULL;
  bare.random = NULL;
  bare.x25519_share = NULL;
  struct tp_client_hello_layout patched;
  CHECK(tp_hello_template_init(&tpl, &bare));
  CHECK(tp_hello_from_template(&tpl, opts.sni, opts.random, opts.session_id,
                               opts.x25519_share, again, sizeof(again), &len2, &patched));
  CHECK(len == len2 && memcmp(out, again, len) == 0);
  CHECK(memcmp(&patched, &layout, sizeof(layout)) == 0);

  struct tp_client_hello_info info;
  CHECK(tp_parse_client_hello(out, len, &info));
  CHECK(info.legacy_version == (opts.version == TP_TLS13 ? TP_TLS12 : opts.version));
  CHECK(info.max_supported_version == (opts.version == TP_TLS13 ? TP_TLS13 : 0));
  CHECK(info.cipher_suites.len / 2 == layout.cipher_count);
  CHECK((info.extensions_seen & ~(1u << TP_EXT_BIT_RENEGOTIATION_INFO)) ==
        (layout.offered_exts & ~(1u << TP_EXT_BIT_RENEGOTIATION_INFO)));
  int sni_sent = info.server_name.len > 0;
  CHECK(!sni_sent || (opts.sni != NULL && tp_sni_usable(opts.sni)));
  if (!opts.minimal && opts.version != TP_SSL3) {
    CHECK(info.message_len >= TP_CLIENT_HELLO_PAD_TO);
  }
  if (opts.version == TP_SSL3) {
    CHECK(info.extensions_seen == 0);
  }
  if (opts.version == TP_TLS13) {
    CHECK((layout.offered_exts >> TP_EXT_BIT_KEY_SHARE) & 1);
    CHECK((layout.key_share_at == 0) == (opts.key_share_empty != 0));
  }
  if (opts.ciphers == TP_CIPHERS_CHEAP) {
    /* The same suites as the broad profile, each once, in another order. */
    static uint8_t broad[TP_CLIENT_HELLO_MAX];
    struct tp_client_hello_opts b = opts;
    b.ciphers = TP_CIPHERS_BROAD;
    struct tp_client_hello_info binfo;
    CHECK(tp_build_client_hello(&b, broad, sizeof(broad), &len2, NULL));
    CHECK(tp_parse_client_hello(broad, len2, &binfo));
    CHECK(binfo.cipher_suites.len == info.cipher_suites.len);
    tp_cbs cheap_list = info.cipher_suites;
    uint16_t suite;
    while (tp_cbs_get_u16(&cheap_list, &suite)) {
      size_t in_broad = 0, in_cheap = 0;
      tp_cbs walk = binfo.cipher_suites;
      uint16_t other;
      while (tp_cbs_get_u16(&walk, &other)) {
        in_broad += other == suite;
      }
      walk = info.cipher_suites;
      while (tp_cbs_get_u16(&walk, &other)) {
        in_cheap += other == suite;
      }
      CHECK(in_broad == 1 && in_cheap == 1);
    }
  }
  return 0;
}
