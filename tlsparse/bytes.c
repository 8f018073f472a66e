/* tlsparse/bytes.c: the bounded reader (tp_cbs) and writer (tp_cbb).
 *
 * Every multi-byte value on the TLS wire is big-endian. The reader never
 * consumes on failure, so a caller can try a shape and back off. The writer
 * keeps a sticky error: builders write a whole message and check once, and a
 * half-written message is never reported as good. */
#include "tlsparse/bytes.h"

#include <stdint.h>
#include <string.h>

void tp_cbs_init(tp_cbs *cbs, const uint8_t *data, size_t len) {
  cbs->data = data;
  cbs->len = len;
}

int tp_cbs_skip(tp_cbs *cbs, size_t len) {
  if (cbs->len < len) {
    return 0;
  }
  cbs->data += len;
  cbs->len -= len;
  return 1;
}

/* get_be reads a |width|-byte big-endian value. It is inlined into each
 * fixed-width getter, where the loop unrolls to plain loads. */
static inline int get_be(tp_cbs *cbs, size_t width, uint32_t *out) {
  if (cbs->len < width) {
    return 0;
  }
  uint32_t v = 0;
  for (size_t i = 0; i < width; i++) {
    v = (v << 8) | cbs->data[i];
  }
  *out = v;
  cbs->data += width;
  cbs->len -= width;
  return 1;
}

int tp_cbs_get_u8(tp_cbs *cbs, uint8_t *out) {
  if (cbs->len < 1) {
    return 0;
  }
  *out = cbs->data[0];
  cbs->data++;
  cbs->len--;
  return 1;
}

int tp_cbs_get_u16(tp_cbs *cbs, uint16_t *out) {
  if (cbs->len < 2) {
    return 0;
  }
  *out = (uint16_t)(cbs->data[0] << 8 | cbs->data[1]);
  cbs->data += 2;
  cbs->len -= 2;
  return 1;
}

int tp_cbs_get_u24(tp_cbs *cbs, uint32_t *out) {
  return get_be(cbs, 3, out);
}

int tp_cbs_get_bytes(tp_cbs *cbs, tp_cbs *out, size_t len) {
  if (cbs->len < len) {
    return 0;
  }
  tp_cbs_init(out, cbs->data, len);
  cbs->data += len;
  cbs->len -= len;
  return 1;
}

static inline int get_length_prefixed(tp_cbs *cbs, size_t width, tp_cbs *out) {
  tp_cbs copy = *cbs;
  uint32_t len;
  if (!get_be(&copy, width, &len) || copy.len < len) {
    return 0;
  }
  tp_cbs_init(out, copy.data, len);
  cbs->data = copy.data + len;
  cbs->len = copy.len - len;
  return 1;
}

int tp_cbs_get_u8_length_prefixed(tp_cbs *cbs, tp_cbs *out) {
  return get_length_prefixed(cbs, 1, out);
}

int tp_cbs_get_u16_length_prefixed(tp_cbs *cbs, tp_cbs *out) {
  return get_length_prefixed(cbs, 2, out);
}

int tp_cbs_get_u24_length_prefixed(tp_cbs *cbs, tp_cbs *out) {
  return get_length_prefixed(cbs, 3, out);
}

int tp_cbs_mem_equal(const tp_cbs *cbs, const uint8_t *mem, size_t len) {
  return cbs->len == len && (len == 0 || memcmp(cbs->data, mem, len) == 0);
}

size_t tp_cbs_copy_upto(tp_cbs *cbs, uint8_t *out, size_t max) {
  size_t n = cbs->len < max ? cbs->len : max;
  if (n > 0) {
    memcpy(out, cbs->data, n);
    cbs->data += n;
    cbs->len -= n;
  }
  return n;
}

void tp_cbb_init(tp_cbb *cbb, uint8_t *buf, size_t cap) {
  cbb->buf = buf;
  cbb->cap = cap;
  cbb->len = 0;
  cbb->error = 0;
  cbb->depth = 0;
}

/* fail sets the sticky error. It also lowers |cap| to what has been
 * written, so that every later write fails on its one bounds check without
 * a test of |error| of its own. */
static void fail(tp_cbb *cbb) {
  cbb->error = 1;
  cbb->cap = cbb->len;
}

/* reserve returns where |len| more bytes go, or NULL (and the sticky error). */
static inline uint8_t *reserve(tp_cbb *cbb, size_t len) {
  if (cbb->cap - cbb->len < len) {
    fail(cbb);
    return NULL;
  }
  uint8_t *p = cbb->buf + cbb->len;
  cbb->len += len;
  return p;
}

static inline void put_be(uint8_t *p, size_t width, uint32_t v) {
  for (size_t i = width; i > 0; i--) {
    p[i - 1] = (uint8_t)v;
    v >>= 8;
  }
}

/* put_u16s writes |n| values big-endian; the loop vectorises. */
static inline void put_u16s(uint8_t *restrict p, const uint16_t *restrict list, size_t n) {
  for (size_t i = 0; i < n; i++) {
    uint16_t be = __builtin_bswap16(list[i]);
    memcpy(p + 2 * i, &be, 2);
  }
}

static inline void add_be(tp_cbb *cbb, size_t width, uint32_t v) {
  uint8_t *p = reserve(cbb, width);
  if (p != NULL) {
    put_be(p, width, v);
  }
}

void tp_cbb_add_u8(tp_cbb *cbb, uint8_t v) { add_be(cbb, 1, v); }
void tp_cbb_add_u16(tp_cbb *cbb, uint16_t v) { add_be(cbb, 2, v); }

void tp_cbb_add_u24(tp_cbb *cbb, uint32_t v) {
  if (v > 0xffffff) {
    fail(cbb);
    return;
  }
  add_be(cbb, 3, v);
}

void tp_cbb_add_u16_list(tp_cbb *cbb, const uint16_t *list, size_t n) {
  if (n > SIZE_MAX / 2) {
    fail(cbb);
    return;
  }
  uint8_t *p = reserve(cbb, 2 * n);
  if (p != NULL) {
    put_u16s(p, list, n);
  }
}

void tp_cbb_add_u16_prefixed_list(tp_cbb *cbb, const uint16_t *list, size_t n) {
  if (n > 0xffff / 2) {
    fail(cbb);
    return;
  }
  uint8_t *p = reserve(cbb, 2 + 2 * n);
  if (p != NULL) {
    put_be(p, 2, (uint32_t)(2 * n));
    put_u16s(p + 2, list, n);
  }
}

void tp_cbb_add_bytes(tp_cbb *cbb, const uint8_t *data, size_t len) {
  uint8_t *p = reserve(cbb, len);
  if (p != NULL && len > 0) {
    memcpy(p, data, len);
  }
}

void tp_cbb_add_zeros(tp_cbb *cbb, size_t len) {
  uint8_t *p = reserve(cbb, len);
  if (p != NULL && len > 0) {
    memset(p, 0, len);
  }
}

static void open_block(tp_cbb *cbb, uint8_t width) {
  if (cbb->depth >= TP_CBB_MAX_DEPTH) {
    fail(cbb);
    return;
  }
  size_t at = cbb->len;
  if (reserve(cbb, width) == NULL) {
    return;
  }
  cbb->open_at[cbb->depth] = at;
  cbb->open_width[cbb->depth] = width;
  cbb->depth++;
}

void tp_cbb_open_u8(tp_cbb *cbb) { open_block(cbb, 1); }
void tp_cbb_open_u16(tp_cbb *cbb) { open_block(cbb, 2); }
void tp_cbb_open_u24(tp_cbb *cbb) { open_block(cbb, 3); }

void tp_cbb_close(tp_cbb *cbb) {
  if (cbb->depth == 0) {
    fail(cbb);
    return;
  }
  cbb->depth--;
  if (cbb->error) {
    return;
  }
  size_t at = cbb->open_at[cbb->depth];
  uint8_t width = cbb->open_width[cbb->depth];
  size_t body = cbb->len - at - width;
  if (body >> (8 * width) != 0) {
    fail(cbb);
    return;
  }
  uint8_t *p = cbb->buf + at;
  switch (width) {
    case 1: p[0] = (uint8_t)body; break;
    case 2: p[0] = (uint8_t)(body >> 8); p[1] = (uint8_t)body; break;
    default: put_be(p, width, (uint32_t)body); break;
  }
}

int tp_cbb_finish(const tp_cbb *cbb, size_t *out_len) {
  if (cbb->error || cbb->depth != 0) {
    return 0;
  }
  *out_len = cbb->len;
  return 1;
}
