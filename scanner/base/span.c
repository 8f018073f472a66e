/* scanner/base/span.c: spans and strict address parsing (see span.h). */
#include "scanner/base/span.h"

#include <arpa/inet.h>
#include <stdint.h>
#include <string.h>

int span_is_all_digits(struct span s) {
  if (s.len == 0) {
    return 0;
  }
  for (size_t i = 0; i < s.len; i++) {
    if (!span_is_digit(s.p[i])) {
      return 0;
    }
  }
  return 1;
}

int span_is_digits_and_dots(struct span s) {
  int digits = 0;
  for (size_t i = 0; i < s.len; i++) {
    if (span_is_digit(s.p[i])) {
      digits = 1;
    } else if (s.p[i] != '.') {
      return 0;
    }
  }
  return digits;
}

int span_parse_ipv4(struct span s, void *out) {
  uint8_t bytes[4];
  size_t i = 0;
  for (int part = 0; part < 4; part++) {
    if (part > 0) {
      if (i >= s.len || s.p[i] != '.') {
        return 0;
      }
      i++;
    }
    size_t start = i;
    unsigned octet = 0;
    while (i < s.len && span_is_digit(s.p[i]) && i - start < 3) {
      octet = octet * 10 + (unsigned)(s.p[i] - '0');
      i++;
    }
    size_t n = i - start;
    if (n == 0 || (n > 1 && s.p[start] == '0') || octet > 255) {
      return 0;
    }
    bytes[part] = (uint8_t)octet;
  }
  if (i != s.len) {
    return 0;
  }
  memcpy(out, bytes, sizeof(bytes));
  return 1;
}

int span_parse_ipv6(struct span s, void *out) {
  char buf[INET6_ADDRSTRLEN];
  if (s.len == 0 || s.len >= sizeof(buf) || memchr(s.p, '\0', s.len) != NULL) {
    return 0;
  }
  memcpy(buf, s.p, s.len);
  buf[s.len] = '\0';
  return inet_pton(AF_INET6, buf, out) == 1;
}
