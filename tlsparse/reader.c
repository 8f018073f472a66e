/* tlsparse/reader.c: the incremental reader of a server's first flight.
 *
 * Bytes arrive in arbitrary pieces: a record split over many reads, a
 * ServerHello split over several records, or several messages in one record.
 * The reader is a small state machine over the record layer (5-byte headers,
 * payloads counted down) feeding a handshake-message accumulator that holds at
 * most one ServerHello (TP_SERVER_HELLO_MAX bytes); anything longer is refused
 * before it is buffered. The first byte decides early whether this is TLS, an
 * SSLv2-format answer, or something else entirely (an HTTP error page, an SMTP
 * banner), so that a non-TLS service is reported without waiting for a
 * timeout. Once it can say what the server answered, it stops consuming. */
#include <string.h>

#include "tlsparse/tlsparse.h"
#include "tlsparse/internal.h"

const uint8_t tp_hello_retry_random[32] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c,
    0x02, 0x1e, 0x65, 0xb8, 0x91, 0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb,
    0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

/* RFC 8446, 4.1.3: the last 8 bytes of ServerHello.random of a TLS 1.3
 * server that negotiated 1.2 ("DOWNGRD" 01) or 1.1 and below (00). */
static const uint8_t kDowngradePrefix[7] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44};

/* RFC 5246, 6.2.1: a record is at most 2^14 bytes plus 2048 of expansion. */
#define MAX_RECORD_LEN (16384 + 2048)

void tp_reader_init(struct tp_reader *r) {
  memset(r, 0, offsetof(struct tp_reader, msg));
}

static enum tp_result finish(struct tp_reader *r, enum tp_result result) {
  r->result = result;
  return result;
}

static enum tp_result malformed(struct tp_reader *r, enum tp_malformed why) {
  r->why = why;
  return finish(r, TP_MALFORMED);
}

/* parse_supported_versions reads a ServerHello's selected_version
 * (RFC 8446, 4.2.1). */
static int parse_supported_versions(tp_cbs *body, struct tp_server_hello *sh) {
  return tp_cbs_get_u16(body, &sh->selected_version) && body->len == 0;
}

/* parse_key_share reads a KeyShareServerHello, or the bare selected_group of
 * a HelloRetryRequest (RFC 8446, 4.2.8). */
static int parse_key_share(tp_cbs *body, struct tp_server_hello *sh) {
  if (!tp_cbs_get_u16(body, &sh->key_share_group)) {
    return 0;
  }
  if (sh->is_hello_retry) {
    return body->len == 0;
  }
  tp_cbs key;
  return tp_cbs_get_u16_length_prefixed(body, &key) && key.len > 0 &&
         body->len == 0;
}

struct ext_parser {
  uint16_t type;
  int (*parse)(tp_cbs *body, struct tp_server_hello *sh);
};

static const struct ext_parser kExtParsers[] = {
    {TP_EXT_SUPPORTED_VERSIONS, parse_supported_versions},
    {TP_EXT_KEY_SHARE, parse_key_share},
};

/* seen_before reports whether extension |type| occurs in |block| before |at|;
 * used for types without a bit of their own. */
static int seen_before(tp_cbs block, const uint8_t *at, uint16_t type) {
  while (block.data < at) {
    uint16_t t;
    tp_cbs body;
    if (!tp_cbs_get_u16(&block, &t) || !tp_cbs_get_u16_length_prefixed(&block, &body)) {
      return 0;
    }
    if (t == type) {
      return 1;
    }
  }
  return 0;
}

static int parse_extensions(tp_cbs block, struct tp_server_hello *sh,
                            enum tp_malformed *out_why) {
  tp_cbs rest = block;
  while (rest.len > 0) {
    const uint8_t *at = rest.data;
    uint16_t type;
    tp_cbs body;
    if (!tp_cbs_get_u16(&rest, &type) || !tp_cbs_get_u16_length_prefixed(&rest, &body)) {
      *out_why = TP_BAD_HELLO_DECODE;
      return 0;
    }
    enum tp_ext_bit bit = tp_ext_bit_of(type);
    int duplicate = bit == TP_EXT_BIT_UNKNOWN ? seen_before(block, at, type)
                                              : (int)((sh->extensions_seen >> bit) & 1);
    if (duplicate) {
      *out_why = TP_BAD_DUPLICATE_EXTENSION;
      return 0;
    }
    sh->extensions_seen |= 1u << bit;
    for (size_t i = 0; i < sizeof(kExtParsers) / sizeof(kExtParsers[0]); i++) {
      if (kExtParsers[i].type == type && !kExtParsers[i].parse(&body, sh)) {
        *out_why = TP_BAD_EXTENSION_DECODE;
        return 0;
      }
    }
  }
  return 1;
}

int tp_parse_server_hello(const uint8_t *body, size_t len,
                          struct tp_server_hello *out, enum tp_malformed *out_why) {
  struct tp_server_hello sh;
  memset(&sh, 0, sizeof(sh));
  tp_cbs cbs;
  tp_cbs_init(&cbs, body, len);
  if (!tp_cbs_get_u16(&cbs, &sh.legacy_version) ||
      !tp_cbs_get_bytes(&cbs, &sh.random, 32) ||
      !tp_cbs_get_u8_length_prefixed(&cbs, &sh.session_id) || sh.session_id.len > 32 ||
      !tp_cbs_get_u16(&cbs, &sh.cipher_suite) ||
      !tp_cbs_get_u8(&cbs, &sh.compression)) {
    *out_why = TP_BAD_HELLO_DECODE;
    return 0;
  }
  sh.is_hello_retry = tp_cbs_mem_equal(&sh.random, tp_hello_retry_random, 32);
  const uint8_t *tail = sh.random.data + 24;
  if (memcmp(tail, kDowngradePrefix, 7) == 0) {
    if (tail[7] == 0x01) {
      sh.downgrade = TP_DOWNGRADE_TLS12;
    } else if (tail[7] == 0x00) {
      sh.downgrade = TP_DOWNGRADE_TLS11;
    }
  }
  /* The extensions block may be absent altogether (RFC 5246, 7.4.1.3). */
  if (cbs.len > 0) {
    sh.has_extensions = 1;
    if (!tp_cbs_get_u16_length_prefixed(&cbs, &sh.extensions) || cbs.len != 0) {
      *out_why = TP_BAD_HELLO_DECODE;
      return 0;
    }
    if (!parse_extensions(sh.extensions, &sh, out_why)) {
      return 0;
    }
  }
  *out = sh;
  return 1;
}

/* ssl2_step takes one byte of an SSLv2-format answer: a 2-byte record header
 * with the high bit set, then SERVER-HELLO (type 4), session_id_hit,
 * certificate_type and server_version (SSL 2.0 spec, "SERVER-HELLO"). */
static enum tp_result ssl2_step(struct tp_reader *r, uint8_t byte) {
  r->ssl2[r->ssl2_len++] = byte;
  if (r->ssl2_len == 3) {
    size_t len = ((size_t)(r->ssl2[0] & 0x7f) << 8) | r->ssl2[1];
    if (r->ssl2[2] != 4) {
      return finish(r, TP_NOT_TLS);
    }
    /* type, hit, cert type, version and three u16 lengths */
    if (len < 11) {
      return malformed(r, TP_BAD_SSL2);
    }
  } else if (r->ssl2_len == sizeof(r->ssl2)) {
    r->ssl2_version = (uint16_t)(r->ssl2[5] << 8 | r->ssl2[6]);
    return finish(r, TP_SSL2_SERVER_HELLO);
  }
  return TP_NEED_MORE;
}

/* record_header_done validates a complete 5-byte record header. */
static enum tp_result record_header_done(struct tp_reader *r) {
  uint8_t type = r->hdr[0];
  uint16_t version = (uint16_t)(r->hdr[1] << 8 | r->hdr[2]);
  uint32_t len = (uint32_t)(r->hdr[3] << 8 | r->hdr[4]);
  r->hdr_len = 0;
  if (r->record_version == 0) {
    r->record_version = version;
  }
  if ((version >> 8) != 3) {
    return malformed(r, TP_BAD_RECORD_VERSION);
  }
  if (len == 0 || len > MAX_RECORD_LEN) {
    return malformed(r, TP_BAD_RECORD_LENGTH);
  }
  if (type == TP_RECORD_ALERT) {
    /* A record may hold several alerts, but never half of one. */
    if (len % 2 != 0) {
      return malformed(r, TP_BAD_ALERT_LENGTH);
    }
  } else if (type != TP_RECORD_HANDSHAKE) {
    return malformed(r, TP_BAD_UNEXPECTED_RECORD);
  }
  r->record_type = type;
  r->record_left = len;
  return TP_NEED_MORE;
}

/* message_header_done checks the 4-byte handshake header in r->msg. */
static enum tp_result message_header_done(struct tp_reader *r) {
  uint8_t type = r->msg[0];
  uint32_t len = (uint32_t)r->msg[1] << 16 | (uint32_t)r->msg[2] << 8 | r->msg[3];
  if (type == TP_HS_HELLO_REQUEST && len == 0) {
    r->msg_len = 0; /* RFC 5246, 7.4.1.1: may come at any time; ignore it */
    return TP_NEED_MORE;
  }
  if (type != TP_HS_SERVER_HELLO) {
    return malformed(r, TP_BAD_UNEXPECTED_MESSAGE);
  }
  if (len > TP_SERVER_HELLO_MAX) {
    return malformed(r, TP_BAD_HELLO_TOO_LARGE);
  }
  if (len == 0) {
    return malformed(r, TP_BAD_HELLO_DECODE);
  }
  return TP_NEED_MORE;
}

/* handshake_bytes appends record payload to the message accumulator and
 * returns how many bytes it took (it stops at the end of a message). */
static size_t handshake_bytes(struct tp_reader *r, const uint8_t *p, size_t n) {
  if (r->msg_len < 4) {
    size_t take = 4 - r->msg_len;
    take = take < n ? take : n;
    memcpy(r->msg + r->msg_len, p, take);
    r->msg_len += (uint32_t)take;
    if (r->msg_len == 4) {
      message_header_done(r);
    }
    return take;
  }
  uint32_t want = 4 + ((uint32_t)r->msg[1] << 16 | (uint32_t)r->msg[2] << 8 | r->msg[3]);
  size_t take = want - r->msg_len;
  take = take < n ? take : n;
  memcpy(r->msg + r->msg_len, p, take);
  r->msg_len += (uint32_t)take;
  if (r->msg_len == want) {
    if (!tp_parse_server_hello(r->msg + 4, want - 4, &r->sh, &r->why)) {
      finish(r, TP_MALFORMED);
    } else {
      finish(r, r->sh.is_hello_retry ? TP_HELLO_RETRY : TP_SERVER_HELLO);
    }
  }
  return take;
}

static size_t alert_bytes(struct tp_reader *r, const uint8_t *p, size_t n) {
  size_t take = 2 - r->alert_len;
  take = take < n ? take : n;
  memcpy(r->alert + r->alert_len, p, take);
  r->alert_len += (uint8_t)take;
  if (r->alert_len == 2) {
    r->alert_len = 0;
    if (r->alert[0] == TP_ALERT_LEVEL_WARNING && r->alert[1] != TP_ALERT_CLOSE_NOTIFY) {
      r->last_warning = r->alert[1];
      if (++r->warnings > TP_MAX_WARNING_ALERTS) {
        malformed(r, TP_BAD_TOO_MANY_WARNINGS);
      }
      return take;
    }
    r->alert_level = r->alert[0];
    r->alert_desc = r->alert[1];
    finish(r, TP_ALERT);
  }
  return take;
}

static int is_content_type(uint8_t b) {
  return b >= TP_RECORD_CHANGE_CIPHER_SPEC && b <= TP_RECORD_APPLICATION_DATA;
}

enum tp_result tp_reader_feed(struct tp_reader *r, const uint8_t *data, size_t len) {
  if (r->first_len < TP_FIRST_BYTES && len > 0) {
    size_t keep = TP_FIRST_BYTES - r->first_len;
    keep = keep < len ? keep : len;
    memcpy(r->first + r->first_len, data, keep);
    r->first_len += (uint8_t)keep;
  }
  size_t i = 0;
  while (i < len && r->result == TP_NEED_MORE) {
    if (r->consumed == 0 && !is_content_type(data[i]) && (data[i] & 0x80) == 0) {
      return finish(r, TP_NOT_TLS);
    }
    if (r->ssl2_len > 0 || (r->consumed == 0 && (data[i] & 0x80))) {
      ssl2_step(r, data[i]);
      i++;
      r->consumed++;
      continue;
    }
    if (r->record_left == 0) {
      size_t take = sizeof(r->hdr) - r->hdr_len;
      take = take < len - i ? take : len - i;
      memcpy(r->hdr + r->hdr_len, data + i, take);
      r->hdr_len += (uint8_t)take;
      r->consumed += take;
      i += take;
      if (r->hdr_len == sizeof(r->hdr)) {
        record_header_done(r);
      }
      continue;
    }
    size_t n = len - i;
    n = n < r->record_left ? n : r->record_left;
    size_t took = r->record_type == TP_RECORD_ALERT ? alert_bytes(r, data + i, n)
                                                    : handshake_bytes(r, data + i, n);
    r->record_left -= (uint32_t)took;
    r->consumed += took;
    i += took;
  }
  return r->result;
}
