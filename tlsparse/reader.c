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
 * timeout. Once it can say what the server answered, it stops consuming.
 *
 * Every byte goes through one tp_cbs over the caller's piece: a step copies
 * what it needs into the reader's own buffers (a record header cut in two,
 * an alert, the ServerHello) with tp_cbs_copy_upto and decodes them with
 * tp_cbs getters, and a record's payload is a view bounded by what is left
 * of the record, so no length is counted down by hand. */
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
  memset(r, 0, offsetof(struct tp_reader, sh));
}

static enum tp_result finish(struct tp_reader *r, enum tp_result result) {
  r->result = result;
  return result;
}

static enum tp_result malformed(struct tp_reader *r, enum tp_malformed why) {
  r->why = why;
  return finish(r, TP_MALFORMED);
}

int tp_parse_server_hello(const uint8_t *body, size_t len,
                          struct tp_server_hello *out, enum tp_malformed *out_why) {
  memset(out, 0, sizeof(*out));
  tp_cbs cbs;
  tp_cbs_init(&cbs, body, len);
  if (!tp_cbs_get_u16(&cbs, &out->legacy_version) ||
      !tp_cbs_get_bytes(&cbs, &out->random, 32) ||
      !tp_cbs_get_u8_length_prefixed(&cbs, &out->session_id) || out->session_id.len > 32 ||
      !tp_cbs_get_u16(&cbs, &out->cipher_suite) ||
      !tp_cbs_get_u8(&cbs, &out->compression)) {
    *out_why = TP_BAD_HELLO_DECODE;
    return 0;
  }
  out->is_hello_retry = tp_cbs_mem_equal(&out->random, tp_hello_retry_random, 32);
  const uint8_t *tail = out->random.data + 24;
  if (memcmp(tail, kDowngradePrefix, 7) == 0) {
    if (tail[7] == 0x01) {
      out->downgrade = TP_DOWNGRADE_TLS12;
    } else if (tail[7] == 0x00) {
      out->downgrade = TP_DOWNGRADE_TLS11;
    }
  }
  /* The extensions block may be absent altogether (RFC 5246, 7.4.1.3). */
  if (cbs.len > 0) {
    out->has_extensions = 1;
    if (!tp_cbs_get_u16_length_prefixed(&cbs, &out->extensions) || cbs.len != 0) {
      *out_why = TP_BAD_HELLO_DECODE;
      return 0;
    }
    if (!tp_parse_serverhello_extensions(out->extensions, out, out_why)) {
      return 0;
    }
  }
  return 1;
}

/* The reader's steps. Each takes what it can from |in|, the part of the
 * caller's piece not yet consumed, through tp_cbs only; a step that needs
 * more than has arrived keeps what it took in the reader and leaves |in|
 * empty. */

/* gather makes |out| a view of the next |want| bytes of the stream (at most
 * 8: a header or an alert): straight from |in| when they have all arrived
 * and none are held, otherwise through |buf|, which holds |*have| of them
 * across pieces. Returns 1 when the view is complete (and |buf| is free
 * again), 0 when |in| ran out first. */
static int gather(tp_cbs *in, uint8_t *buf, uint8_t *have, size_t want, tp_cbs *out) {
  if (*have == 0 && tp_cbs_get_bytes(in, out, want)) {
    return 1;
  }
  *have += (uint8_t)tp_cbs_copy_upto(in, buf + *have, want - *have);
  if (*have < want) {
    return 0;
  }
  *have = 0;
  tp_cbs_init(out, buf, want);
  return 1;
}

/* read_ssl2 reads an SSLv2-format answer: a 2-byte record header with the
 * high bit set, then SERVER-HELLO's message type (4), session_id_hit,
 * certificate_type and server_version (SSL 2.0 spec, "SERVER-HELLO"). The
 * type is checked as soon as it is in, the version when it is. */
static void read_ssl2(struct tp_reader *r, tp_cbs *in) {
  size_t want = r->ssl2_len < 3 ? 3 : sizeof(r->ssl2);
  r->ssl2_len += (uint8_t)tp_cbs_copy_upto(in, r->ssl2 + r->ssl2_len, want - r->ssl2_len);
  if (r->ssl2_len < want) {
    return;
  }
  tp_cbs hello;
  uint16_t header, version;
  uint8_t type;
  tp_cbs_init(&hello, r->ssl2, r->ssl2_len);
  tp_cbs_get_u16(&hello, &header);
  tp_cbs_get_u8(&hello, &type);
  if (want == 3) {
    if (type != 4) {
      finish(r, TP_NOT_TLS);
    } else if ((header & 0x7fff) < 11) {
      /* type, hit, cert type, version and three u16 lengths */
      malformed(r, TP_BAD_SSL2);
    }
    return;
  }
  tp_cbs_skip(&hello, 2); /* session_id_hit, certificate_type */
  tp_cbs_get_u16(&hello, &version);
  r->ssl2_version = version;
  finish(r, TP_SSL2_SERVER_HELLO);
}

/* read_record_header reads a 5-byte record header (RFC 5246, 6.2.1) and
 * checks it: only alerts and handshake records may come first. */
static void read_record_header(struct tp_reader *r, tp_cbs *in) {
  tp_cbs hdr;
  if (!gather(in, r->hdr, &r->hdr_len, sizeof(r->hdr), &hdr)) {
    return;
  }
  uint8_t type;
  uint16_t version, len;
  tp_cbs_get_u8(&hdr, &type);
  tp_cbs_get_u16(&hdr, &version);
  tp_cbs_get_u16(&hdr, &len);
  if (r->record_version == 0) {
    r->record_version = version;
  }
  if ((version >> 8) != 3) {
    malformed(r, TP_BAD_RECORD_VERSION);
  } else if (len == 0 || len > MAX_RECORD_LEN) {
    malformed(r, TP_BAD_RECORD_LENGTH);
  } else if (type == TP_RECORD_ALERT && len % 2 != 0) {
    /* A record may hold several alerts, but never half of one. */
    malformed(r, TP_BAD_ALERT_LENGTH);
  } else if (type != TP_RECORD_ALERT && type != TP_RECORD_HANDSHAKE) {
    malformed(r, TP_BAD_UNEXPECTED_RECORD);
  } else {
    r->record_type = type;
    r->record_left = len;
  }
}

/* message_body_len is the length in the handshake header held in r->msg. */
static uint32_t message_body_len(const struct tp_reader *r) {
  tp_cbs hdr;
  uint32_t len;
  tp_cbs_init(&hdr, r->msg + 1, 3);
  tp_cbs_get_u24(&hdr, &len);
  return len;
}

/* message_header_done checks the 4-byte handshake header in r->msg: a
 * ServerHello we can hold, or a HelloRequest to drop. */
static void message_header_done(struct tp_reader *r) {
  tp_cbs hdr;
  uint8_t type;
  uint32_t len;
  tp_cbs_init(&hdr, r->msg, 4);
  tp_cbs_get_u8(&hdr, &type);
  tp_cbs_get_u24(&hdr, &len);
  if (type == TP_HS_HELLO_REQUEST && len == 0) {
    r->msg_len = 0; /* RFC 5246, 7.4.1.1: may come at any time; ignore it */
  } else if (type != TP_HS_SERVER_HELLO) {
    malformed(r, TP_BAD_UNEXPECTED_MESSAGE);
  } else if (len > TP_SERVER_HELLO_MAX) {
    malformed(r, TP_BAD_HELLO_TOO_LARGE);
  } else if (len == 0) {
    malformed(r, TP_BAD_HELLO_DECODE);
  }
}

/* read_handshake moves a handshake record's payload into the message
 * buffer, one message at a time, and stops at the end of the ServerHello. */
static void read_handshake(struct tp_reader *r, tp_cbs *payload) {
  while (payload->len > 0 && r->result == TP_NEED_MORE) {
    if (r->msg_len < 4) {
      tp_cbs hdr;
      if (r->msg_len == 0 && tp_cbs_get_bytes(payload, &hdr, 4)) {
        memcpy(r->msg, hdr.data, 4); /* the usual case: the header in one piece */
        r->msg_len = 4;
      } else {
        r->msg_len += (uint32_t)tp_cbs_copy_upto(payload, r->msg + r->msg_len, 4 - r->msg_len);
      }
      if (r->msg_len == 4) {
        message_header_done(r);
      }
      continue;
    }
    uint32_t want = 4 + message_body_len(r);
    r->msg_len += (uint32_t)tp_cbs_copy_upto(payload, r->msg + r->msg_len, want - r->msg_len);
    if (r->msg_len == want) {
      if (!tp_parse_server_hello(r->msg + 4, want - 4, &r->sh, &r->why)) {
        finish(r, TP_MALFORMED);
      } else {
        finish(r, r->sh.is_hello_retry ? TP_HELLO_RETRY : TP_SERVER_HELLO);
      }
    }
  }
}

/* read_alerts reads an alert record's payload two bytes at a time. Warning
 * alerts other than close_notify do not end a handshake (RFC 5246, 7.2):
 * they are counted and skipped. */
static void read_alerts(struct tp_reader *r, tp_cbs *payload) {
  while (payload->len > 0 && r->result == TP_NEED_MORE) {
    tp_cbs alert;
    if (!gather(payload, r->alert, &r->alert_len, sizeof(r->alert), &alert)) {
      return;
    }
    uint8_t level, desc;
    tp_cbs_get_u8(&alert, &level);
    tp_cbs_get_u8(&alert, &desc);
    if (level == TP_ALERT_LEVEL_WARNING && desc != TP_ALERT_CLOSE_NOTIFY) {
      r->last_warning = desc;
      if (++r->warnings > TP_MAX_WARNING_ALERTS) {
        malformed(r, TP_BAD_TOO_MANY_WARNINGS);
      }
      continue;
    }
    r->alert_level = level;
    r->alert_desc = desc;
    finish(r, TP_ALERT);
  }
}

/* read_record_body hands the current record's payload, as far as it has
 * arrived, to the reader of its content type, and consumes from |in| only
 * what that reader took: bytes after a decided answer stay unread. */
static void read_record_body(struct tp_reader *r, tp_cbs *in) {
  tp_cbs rest = *in, payload;
  size_t n = in->len < r->record_left ? in->len : r->record_left;
  tp_cbs_get_bytes(&rest, &payload, n);
  if (r->record_type == TP_RECORD_ALERT) {
    read_alerts(r, &payload);
  } else {
    read_handshake(r, &payload);
  }
  size_t used = n - payload.len;
  r->record_left -= (uint32_t)used;
  tp_cbs_skip(in, used);
}

/* read_first_byte decides from the stream's first byte, without consuming
 * it, what follows: a TLS record (a content type), an SSLv2-format record
 * (high bit set), or something that is not TLS at all. */
static void read_first_byte(struct tp_reader *r, tp_cbs *in) {
  tp_cbs peek = *in;
  uint8_t first;
  tp_cbs_get_u8(&peek, &first);
  if (first & 0x80) {
    read_ssl2(r, in);
  } else if (first >= TP_RECORD_CHANGE_CIPHER_SPEC && first <= TP_RECORD_APPLICATION_DATA) {
    read_record_header(r, in);
  } else {
    finish(r, TP_NOT_TLS);
  }
}

enum tp_result tp_reader_feed(struct tp_reader *r, const uint8_t *data, size_t len) {
  tp_cbs in;
  tp_cbs_init(&in, data, len);
  if (r->first_len < TP_FIRST_BYTES) {
    tp_cbs peek = in, all;
    if (r->first_len == 0 && tp_cbs_get_bytes(&peek, &all, TP_FIRST_BYTES)) {
      memcpy(r->first, all.data, TP_FIRST_BYTES); /* the usual case: one piece */
      r->first_len = TP_FIRST_BYTES;
    } else {
      r->first_len += (uint8_t)tp_cbs_copy_upto(&peek, r->first + r->first_len,
                                                TP_FIRST_BYTES - r->first_len);
    }
  }
  if (r->consumed == 0 && in.len > 0 && r->result == TP_NEED_MORE) {
    read_first_byte(r, &in);
  }
  while (in.len > 0 && r->result == TP_NEED_MORE) {
    if (r->ssl2_len > 0) {
      read_ssl2(r, &in);
    } else if (r->record_left == 0) {
      read_record_header(r, &in);
    } else {
      read_record_body(r, &in);
    }
  }
  r->consumed += len - in.len;
  return r->result;
}
