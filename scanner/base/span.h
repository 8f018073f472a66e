/* scanner/base/span.h: views of text owned by someone else, and the strict
 * address parsing that target lines and block/allow lists share.
 *
 * A span is a pointer and a length into the caller's line; nothing here
 * copies or allocates. Addresses are parsed strictly: an IPv4 address is
 * exactly four dotted decimal parts of 0-255 without leading zeros
 * (inet_aton would read "010" as octal 8, so such text cannot be trusted to
 * mean one address); an IPv6 address is what inet_pton accepts, with no NUL
 * inside the span. */
#ifndef SCANNER_SPAN_H
#define SCANNER_SPAN_H

#include <stddef.h>

struct span {
  const char *p;
  size_t len;
};

static inline struct span span_sub(struct span s, size_t from, size_t to) {
  struct span r = {s.p + from, to - from};
  return r;
}

static inline int span_is_space(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == '\v' || c == '\f';
}

static inline int span_is_digit(char c) { return c >= '0' && c <= '9'; }

/* span_next_token returns the next whitespace-separated token of |*line| and
 * advances |*line| past it; an empty span when only space is left. */
static inline struct span span_next_token(struct span *line) {
  size_t i = 0;
  while (i < line->len && span_is_space(line->p[i])) {
    i++;
  }
  size_t start = i;
  while (i < line->len && !span_is_space(line->p[i])) {
    i++;
  }
  struct span tok = span_sub(*line, start, i);
  *line = span_sub(*line, i, line->len);
  return tok;
}

/* span_is_all_digits: one digit or more, and nothing else. */
int span_is_all_digits(struct span s);
/* span_is_digits_and_dots is true of "1.2.3.999" and "12345", which are
 * meant as IPv4 addresses, but not of "." */
int span_is_digits_and_dots(struct span s);
/* span_parse_ipv4 writes the 4 address bytes in network order to |out|.
 * Returns 1, or 0 when |s| is not exactly a strict dotted quad. */
int span_parse_ipv4(struct span s, void *out);
/* span_parse_ipv6 writes the 16 address bytes to |out|. Returns 1 or 0. */
int span_parse_ipv6(struct span s, void *out);

#endif /* SCANNER_SPAN_H */
