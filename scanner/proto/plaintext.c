/* scanner/proto/plaintext.c: the byte driver of the plaintext exchanges (see plaintext.h). */
#include "scanner/proto/plaintext.h"

#include <string.h>

/* r->flags */
#define F_FIRST (1u << 0)   /* the first bytes are still being judged */
#define F_FOREIGN (1u << 1) /* they are not the protocol: keeping a line for the report */

void pt_start(struct pt_reader *r) {
  r->flags = F_FIRST;
  r->len = 0;
}

void pt_clear(struct pt_reader *r) { r->len = 0; }

void pt_drop_front(struct pt_reader *r, size_t n) {
  memmove(r->buf, r->buf + n, r->len - n);
  r->len -= n;
}

/* foreign_byte: a foreign first line is judged at its end, or once it has
 * filled what the report keeps. */
static enum pt_take foreign_byte(const struct pt_reader *r, uint8_t b) {
  return b == '\n' || r->len >= PT_KEEP_MAX ? PT_FOREIGN : PT_FOREIGN_MORE;
}

enum pt_take pt_take(struct pt_reader *r, pt_judge judge, uint8_t b) {
  if (r->len == sizeof(r->buf)) {
    return PT_FULL;
  }
  r->buf[r->len++] = b;
  if (r->flags & F_FOREIGN) {
    return foreign_byte(r, b);
  }
  if (r->flags & F_FIRST) {
    switch (judge(r->buf, r->len)) {
      case PREFIX_MORE:
        break;
      case PREFIX_OK:
        r->flags &= ~F_FIRST;
        break;
      case PREFIX_BAD:
        if (pt_is_binary(b)) {
          return PT_FOREIGN;
        }
        r->flags |= F_FOREIGN;
        return foreign_byte(r, b);
    }
  }
  return PT_TAKEN;
}

int pt_foreign(const struct pt_reader *r) { return (r->flags & F_FOREIGN) != 0; }

int pt_line_end(const struct pt_reader *r, const uint8_t **line, size_t *len) {
  if (r->len == 0 || r->buf[r->len - 1] != '\n') {
    return 0;
  }
  size_t end = r->len - 1;
  size_t start = end;
  while (start > 0 && r->buf[start - 1] != '\n') {
    start--;
  }
  size_t n = end - start;
  if (n > 0 && r->buf[start + n - 1] == '\r') {
    n--;
  }
  *line = r->buf + start;
  *len = n;
  return 1;
}

size_t pt_line_len(const uint8_t *text, size_t len) {
  const uint8_t *lf = len > 0 ? memchr(text, '\n', len) : NULL;
  if (lf == NULL) {
    return len;
  }
  size_t n = (size_t)(lf - text);
  return n > 0 && text[n - 1] == '\r' ? n - 1 : n;
}

size_t pt_keep(uint8_t out[PT_KEEP_MAX], const uint8_t *text, size_t len) {
  size_t n = len < PT_KEEP_MAX ? len : PT_KEEP_MAX;
  memmove(out, text, n);
  return n;
}

int pt_feed(const uint8_t *data, size_t len, int (*take)(void *machine, uint8_t b),
            void *machine, size_t *consumed) {
  for (size_t i = 0; i < len; i++) {
    int step = take(machine, data[i]);
    if (step != 0) {
      *consumed = i + 1;
      return step;
    }
  }
  *consumed = len;
  return 0;
}

enum prefix pt_literal_prefix(const uint8_t *b, size_t len, const char *literal) {
  size_t n = strlen(literal);
  for (size_t i = 0; i < len && i < n; i++) {
    if (b[i] != (uint8_t)literal[i]) {
      return PREFIX_BAD;
    }
  }
  return len >= n ? PREFIX_OK : PREFIX_MORE;
}

enum prefix pt_first_byte_in(const uint8_t *b, size_t len, const char *allowed) {
  if (len == 0) {
    return PREFIX_MORE;
  }
  return b[0] != 0 && strchr(allowed, b[0]) != NULL ? PREFIX_OK : PREFIX_BAD;
}

/* A byte no text answer starts with. A server that sends one will not send
 * a line end either, so it is judged at once rather than at a timeout. */
int pt_is_binary(uint8_t c) {
  return (c < 0x20 && c != '\t' && c != '\r' && c != '\n') || c >= 0x7F;
}
