/* bench/answer.c: the bench servers' answer to a ClientHello (answer.h). */
#include "bench/answer.h"

#include <string.h>

#include "tlsparse/tlsparse.h"

int bench_answer(const uint8_t *in, size_t in_len, uint16_t lo, uint16_t hi, uint8_t *out,
                 size_t cap, size_t *out_len) {
  struct tp_client_hello_info hello;
  uint8_t random[32], share[32];
  memset(random, 0x5a, sizeof(random));
  memset(share, 0x42, sizeof(share));
  *out_len = 0;
  uint16_t pinned = 0;
  if (tp_parse_client_hello(in, in_len, &hello)) {
    pinned = hello.max_supported_version == TP_TLS13 ? TP_TLS13 : hello.legacy_version;
  } else {
    memset(&hello, 0, sizeof(hello));
  }
  int tls13_hello = pinned == TP_TLS13;
  uint16_t chosen = 0;
  if (pinned >= TP_TLS10 && pinned >= lo) {
    chosen = pinned <= hi ? pinned : (tls13_hello ? 0 : hi);
  }
  if (chosen == 0) {
    return tp_build_alert(pinned == TP_SSL3 ? TP_SSL3 : TP_TLS10, TP_ALERT_LEVEL_FATAL,
                          TP_ALERT_PROTOCOL_VERSION, out, cap, out_len);
  }
  /* RFC 8446, 4.1.3: a 1.3-capable server negotiating lower says so. */
  if (hi == TP_TLS13 && chosen < TP_TLS13) {
    memcpy(random + 24, "DOWNGRD", 7);
    random[31] = chosen == TP_TLS12 ? 1 : 0;
  }
  struct tp_server_hello_opts sh = {
      .record_version = chosen == TP_TLS13 ? TP_TLS12 : chosen,
      .legacy_version = chosen == TP_TLS13 ? TP_TLS12 : chosen,
      .selected_version = chosen == TP_TLS13 ? TP_TLS13 : 0,
      .random = random,
      .session_id = hello.session_id.data,
      .session_id_len = hello.session_id.len,
      /* TLS_AES_128_GCM_SHA256; ECDHE_RSA with AES_128_GCM_SHA256 from 1.2,
       * with AES_128_CBC_SHA below. */
      .cipher_suite = chosen == TP_TLS13 ? 0x1301 : chosen < TP_TLS12 ? 0xc013 : 0xc02f,
      .key_share_group = chosen == TP_TLS13 ? TP_GROUP_X25519 : 0,
      .key_share = share,
      .key_share_len = chosen == TP_TLS13 ? 32 : 0,
      .renegotiation_info = chosen != TP_TLS13,
  };
  return tp_build_server_hello(&sh, out, cap, out_len);
}
