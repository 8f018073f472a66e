/* scanner/proto/pgmsg.c: the framing of PostgreSQL backend messages (see pgmsg.h). */
#include "scanner/proto/pgmsg.h"

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
