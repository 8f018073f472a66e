/* scanner/proto/pgmsg.c: the framing of PostgreSQL backend messages and the fields of an
 * ErrorResponse (see pgmsg.h). */
#include "scanner/proto/pgmsg.h"

#include <string.h>

enum pt_frame pg_frame(const uint8_t *buf, size_t len, size_t max) {
  if (len < 2) {
    return PT_FRAME_MORE;
  }
  if (buf[0] == 'E' && buf[1] != 0) {
    return buf[len - 1] == 0 ? PT_FRAME_DONE : PT_FRAME_MORE;
  }
  tp_cbs cbs;
  uint8_t high;
  uint32_t low;
  tp_cbs_init(&cbs, buf + 1, len - 1);
  if (!tp_cbs_get_u8(&cbs, &high) || !tp_cbs_get_u24(&cbs, &low)) {
    return PT_FRAME_MORE;
  }
  uint32_t length = (uint32_t)high << 24 | low;
  if (length < 4) {
    return PT_FRAME_BAD;
  }
  if (length > max - 1) {
    return PT_FRAME_TOO_LONG;
  }
  return len == 1 + (size_t)length ? PT_FRAME_DONE : PT_FRAME_MORE;
}

void pg_body(const uint8_t *buf, size_t len, tp_cbs *out) { tp_cbs_init(out, buf + 5, len - 5); }

/* c_string reads a NUL-terminated string, without its NUL. */
static int c_string(tp_cbs *cbs, tp_cbs *out) {
  if (cbs->len == 0) {
    return 0;
  }
  const uint8_t *nul = memchr(cbs->data, 0, cbs->len);
  return nul != NULL && tp_cbs_get_bytes(cbs, out, (size_t)(nul - cbs->data)) &&
         tp_cbs_skip(cbs, 1);
}

int pg_error_fields(tp_cbs body, struct pg_error *out) {
  tp_cbs severity;
  tp_cbs_init(&severity, NULL, 0);
  tp_cbs_init(&out->severity, NULL, 0);
  tp_cbs_init(&out->code, NULL, 0);
  tp_cbs_init(&out->message, NULL, 0);
  for (;;) {
    uint8_t type;
    tp_cbs value;
    if (!tp_cbs_get_u8(&body, &type)) {
      return 0;
    }
    if (type == 0) {
      break;
    }
    if (!c_string(&body, &value)) {
      return 0;
    }
    switch (type) {
      case 'S':
        severity = value;
        break;
      case 'V':
        out->severity = value;
        break;
      case 'C':
        out->code = value;
        break;
      case 'M':
        out->message = value;
        break;
      default:
        break;
    }
  }
  if (out->severity.len == 0) {
    out->severity = severity;
  }
  return body.len == 0;
}
