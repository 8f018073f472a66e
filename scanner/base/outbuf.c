/* scanner/base/outbuf.c: growable buffers, UTF-8 repair and terminal escaping (see
 * outbuf.h). */
#include "scanner/base/outbuf.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* ---- output buffer --------------------------------------------------------- */

void outbuf_free(struct outbuf *b) {
  free(b->data);
  b->data = NULL;
  b->len = b->cap = 0;
}

int outbuf_reserve(struct outbuf *b, size_t n) {
  if (b->cap - b->len >= n) {
    return 1;
  }
  size_t cap = b->cap ? b->cap : 4096;
  while (cap - b->len < n) {
    if (cap > SIZE_MAX / 2) {
      return 0;
    }
    cap *= 2;
  }
  char *p = realloc(b->data, cap);
  if (p == NULL) {
    return 0;
  }
  b->data = p;
  b->cap = cap;
  return 1;
}

int outbuf_append(struct outbuf *b, const void *p, size_t n) {
  if (n == 0) {
    return 1; /* |p| may be NULL, and |b->data| too: no memcpy */
  }
  if (!outbuf_reserve(b, n)) {
    return 0;
  }
  memcpy(b->data + b->len, p, n);
  b->len += n;
  return 1;
}

int outbuf_puts(struct outbuf *b, const char *s) { return outbuf_append(b, s, strlen(s)); }

/* ---- UTF-8 ------------------------------------------------------------------ */

size_t utf8_seq_len(const uint8_t *p, size_t n) {
  uint8_t c = p[0];
  if (c < 0x80) {
    return 1;
  }
  size_t len;
  uint8_t lo = 0x80, hi = 0xbf; /* range of the second byte */
  if (c >= 0xc2 && c <= 0xdf) {
    len = 2;
  } else if (c >= 0xe0 && c <= 0xef) {
    len = 3;
    if (c == 0xe0) {
      lo = 0xa0;
    } else if (c == 0xed) {
      hi = 0x9f;
    }
  } else if (c >= 0xf0 && c <= 0xf4) {
    len = 4;
    if (c == 0xf0) {
      lo = 0x90;
    } else if (c == 0xf4) {
      hi = 0x8f;
    }
  } else {
    return 0;
  }
  if (n < len || p[1] < lo || p[1] > hi) {
    return 0;
  }
  for (size_t i = 2; i < len; i++) {
    if ((p[i] & 0xc0) != 0x80) {
      return 0;
    }
  }
  return len;
}

uint32_t utf8_code_point(const uint8_t *p, size_t len) {
  static const uint8_t kLeadMask[5] = {0, 0x7f, 0x1f, 0x0f, 0x07};
  uint32_t cp = p[0] & kLeadMask[len];
  for (size_t i = 1; i < len; i++) {
    cp = (cp << 6) | (p[i] & 0x3f);
  }
  return cp;
}

int utf8_sanitize(struct outbuf *out, const uint8_t *data, size_t len) {
  /* At most two bytes out per byte in. */
  if (len > SIZE_MAX / 2 || !outbuf_reserve(out, 2 * len)) {
    return 0;
  }
  size_t i = 0;
  while (i < len) {
    size_t k = utf8_seq_len(data + i, len - i);
    if (k > 0) {
      memcpy(out->data + out->len, data + i, k);
      out->len += k;
      i += k;
      continue;
    }
    /* U+0080..U+00FF for the byte 0x80..0xff it stands for. */
    out->data[out->len++] = (char)(0xc0 | (data[i] >> 6));
    out->data[out->len++] = (char)(0x80 | (data[i] & 0x3f));
    i++;
  }
  return 1;
}

/* ---- terminals ------------------------------------------------------------ */

int utf8_hidden_control(uint32_t cp) {
  return (cp >= 0x80 && cp <= 0x9f) || cp == 0x61c || cp == 0x200e || cp == 0x200f ||
         (cp >= 0x202a && cp <= 0x202e) || (cp >= 0x2066 && cp <= 0x2069);
}

int term_escape(struct outbuf *out, const char *s, size_t len) {
  const uint8_t *p = (const uint8_t *)s;
  size_t i = 0;
  while (i < len) {
    char esc[16];
    size_t k = utf8_seq_len(p + i, len - i);
    if (k == 1 && p[i] >= 0x20 && p[i] != 0x7f && p[i] != '\\') {
      if (!outbuf_append(out, p + i, 1)) {
        return 0;
      }
      i++;
      continue;
    }
    if (k > 1 && !utf8_hidden_control(utf8_code_point(p + i, k))) {
      if (!outbuf_append(out, p + i, k)) {
        return 0;
      }
      i += k;
      continue;
    }
    if (k > 1) {
      snprintf(esc, sizeof(esc), "\\u{%04x}", (unsigned)utf8_code_point(p + i, k));
      i += k;
    } else if (p[i] == '\\') {
      snprintf(esc, sizeof(esc), "\\\\");
      i++;
    } else if (p[i] == '\n' || p[i] == '\r' || p[i] == '\t') {
      snprintf(esc, sizeof(esc), "\\%c", p[i] == '\n' ? 'n' : p[i] == '\r' ? 'r' : 't');
      i++;
    } else {
      snprintf(esc, sizeof(esc), "\\x%02x", p[i]);
      i++;
    }
    if (!outbuf_puts(out, esc)) {
      return 0;
    }
  }
  return 1;
}

void hex_encode(char *out, const uint8_t *p, size_t n) {
  static const char kHex[] = "0123456789abcdef";
  for (size_t i = 0; i < n; i++) {
    out[2 * i] = kHex[p[i] >> 4];
    out[2 * i + 1] = kHex[p[i] & 0x0f];
  }
  out[2 * n] = '\0';
}
