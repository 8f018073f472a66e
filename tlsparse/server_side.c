/* tlsparse/server_side.c: the server's half, for tests and the bench responder.
 *
 * tp_build_server_hello and tp_build_alert write what a server would answer,
 * so that tests can script any response (and any malformation) and the bench
 * responder can answer probes at line rate without a TLS library.
 * tp_parse_client_hello reads a probe back: the responder decides its answer
 * from it, and tests check what the builder wrote without trusting it. */
#include <string.h>

#include "tlsparse/tlsparse.h"
#include "tlsparse/internal.h"

int tp_build_server_hello(const struct tp_server_hello_opts *opts, uint8_t *out,
                          size_t cap, size_t *out_len) {
  if (opts->session_id_len > 32 || (!opts->hello_retry && opts->random == NULL) ||
      (opts->session_id_len > 0 && opts->session_id == NULL) ||
      (opts->key_share_len > 0 && opts->key_share == NULL)) {
    return 0;
  }
  tp_cbb b;
  tp_cbb_init(&b, out, cap);
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(&b, opts->record_version ? opts->record_version : opts->legacy_version);
  tp_cbb_open_u16(&b); /* fragment */
  tp_cbb_add_u8(&b, TP_HS_SERVER_HELLO);
  tp_cbb_open_u24(&b); /* ServerHello */
  tp_cbb_add_u16(&b, opts->legacy_version);
  tp_cbb_add_bytes(&b, opts->hello_retry ? tp_hello_retry_random : opts->random, 32);
  tp_cbb_open_u8(&b); /* legacy_session_id_echo */
  tp_cbb_add_bytes(&b, opts->session_id, opts->session_id_len);
  tp_cbb_close(&b);
  tp_cbb_add_u16(&b, opts->cipher_suite);
  tp_cbb_add_u8(&b, 0); /* legacy_compression_method */
  if (!opts->no_extensions) {
    tp_cbb_open_u16(&b); /* extensions */
    if (opts->selected_version != 0) {
      tp_cbb_add_u16(&b, TP_EXT_SUPPORTED_VERSIONS);
      tp_cbb_open_u16(&b);
      tp_cbb_add_u16(&b, opts->selected_version);
      tp_cbb_close(&b);
    }
    if (opts->key_share_group != 0) {
      tp_cbb_add_u16(&b, TP_EXT_KEY_SHARE);
      tp_cbb_open_u16(&b);
      tp_cbb_add_u16(&b, opts->key_share_group);
      if (!opts->hello_retry) {
        tp_cbb_open_u16(&b); /* key_exchange */
        tp_cbb_add_bytes(&b, opts->key_share, opts->key_share_len);
        tp_cbb_close(&b);
      }
      tp_cbb_close(&b);
    }
    if (opts->renegotiation_info) {
      tp_cbb_add_u16(&b, TP_EXT_RENEGOTIATION_INFO);
      tp_cbb_open_u16(&b);
      tp_cbb_add_u8(&b, 0); /* renegotiated_connection: empty */
      tp_cbb_close(&b);
    }
    tp_cbb_close(&b);
  }
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  return tp_cbb_finish(&b, out_len);
}

int tp_build_alert(uint16_t record_version, uint8_t level, uint8_t desc,
                   uint8_t *out, size_t cap, size_t *out_len) {
  tp_cbb b;
  tp_cbb_init(&b, out, cap);
  tp_cbb_add_u8(&b, TP_RECORD_ALERT);
  tp_cbb_add_u16(&b, record_version);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, level);
  tp_cbb_add_u8(&b, desc);
  tp_cbb_close(&b);
  return tp_cbb_finish(&b, out_len);
}

static int parse_client_extensions(tp_cbs exts, struct tp_client_hello_info *out) {
  while (exts.len > 0) {
    uint16_t type;
    tp_cbs body;
    if (!tp_cbs_get_u16(&exts, &type) || !tp_cbs_get_u16_length_prefixed(&exts, &body)) {
      return 0;
    }
    out->extensions_seen |= 1u << tp_ext_bit_of(type);
    if (type == TP_EXT_SUPPORTED_VERSIONS) {
      tp_cbs list;
      if (!tp_cbs_get_u8_length_prefixed(&body, &list) || list.len % 2 != 0) {
        return 0;
      }
      uint16_t v;
      while (tp_cbs_get_u16(&list, &v)) {
        /* GREASE values (RFC 8701) are 0x?a?a and never a real version. */
        if ((v & 0x0f0f) != 0x0a0a && v > out->max_supported_version) {
          out->max_supported_version = v;
        }
      }
    } else if (type == TP_EXT_SERVER_NAME) {
      tp_cbs list;
      uint8_t name_type;
      if (!tp_cbs_get_u16_length_prefixed(&body, &list) ||
          !tp_cbs_get_u8(&list, &name_type) ||
          !tp_cbs_get_u16_length_prefixed(&list, &out->server_name) || name_type != 0) {
        return 0;
      }
    }
  }
  return 1;
}

int tp_parse_client_hello(const uint8_t *rec, size_t len,
                          struct tp_client_hello_info *out) {
  memset(out, 0, sizeof(*out));
  tp_cbs cbs, fragment, msg, compression, exts;
  uint8_t type, msg_type;
  tp_cbs_init(&cbs, rec, len);
  if (!tp_cbs_get_u8(&cbs, &type) || type != TP_RECORD_HANDSHAKE ||
      !tp_cbs_get_u16(&cbs, &out->record_version) ||
      !tp_cbs_get_u16_length_prefixed(&cbs, &fragment) ||
      !tp_cbs_get_u8(&fragment, &msg_type) || msg_type != TP_HS_CLIENT_HELLO ||
      !tp_cbs_get_u24_length_prefixed(&fragment, &msg) || fragment.len != 0) {
    return 0;
  }
  out->message_len = 4 + msg.len;
  if (!tp_cbs_get_u16(&msg, &out->legacy_version) ||
      !tp_cbs_get_bytes(&msg, &out->random, 32) ||
      !tp_cbs_get_u8_length_prefixed(&msg, &out->session_id) ||
      out->session_id.len > 32 ||
      !tp_cbs_get_u16_length_prefixed(&msg, &out->cipher_suites) ||
      out->cipher_suites.len == 0 || out->cipher_suites.len % 2 != 0 ||
      !tp_cbs_get_u8_length_prefixed(&msg, &compression) || compression.len == 0) {
    return 0;
  }
  if (msg.len == 0) {
    return 1; /* no extensions: SSLv3 and minimal hellos */
  }
  if (!tp_cbs_get_u16_length_prefixed(&msg, &exts) || msg.len != 0) {
    return 0;
  }
  return parse_client_extensions(exts, out);
}
