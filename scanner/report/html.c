/* scanner/report/html.c: HTML text and escaping (see html.h).
 *
 * Escaping walks the string once: runs of bytes that need nothing go out in
 * one fwrite; each byte or sequence that does gets its replacement. UTF-8
 * is checked with the same reader the records were made valid with
 * (scanner/base/outbuf.h). */
#include "scanner/report/html.h"

#include <stdarg.h>
#include <string.h>

#include "scanner/base/outbuf.h"

static const char kReplacement[] = "\xef\xbf\xbd"; /* U+FFFD */

/* replacement returns what the sequence of |k| bytes at |p| (k == 0: an
 * ill-formed byte) becomes, or NULL when it goes out as it is. */
static const char *replacement(const uint8_t *p, size_t k) {
  if (k == 0) {
    return kReplacement;
  }
  if (k == 1) {
    switch (p[0]) {
      case '&': return "&amp;";
      case '<': return "&lt;";
      case '>': return "&gt;";
      case '"': return "&quot;";
      case '\'': return "&#39;";
      case '\t':
      case '\n': return NULL;
      default: return p[0] < 0x20 || p[0] == 0x7f ? kReplacement : NULL;
    }
  }
  return utf8_hidden_control(utf8_code_point(p, k)) ? kReplacement : NULL;
}

/* escape calls |put| for each piece of |s| escaped. */
static void escape(const char *s, size_t len, void (*put)(void *ctx, const char *p, size_t n),
                   void *ctx) {
  const uint8_t *p = (const uint8_t *)s;
  size_t run = 0, i = 0;
  while (i < len) {
    size_t k = utf8_seq_len(p + i, len - i);
    const char *rep = replacement(p + i, k);
    if (rep == NULL) {
      i += k;
      continue;
    }
    put(ctx, s + run, i - run);
    put(ctx, rep, strlen(rep));
    i += k > 0 ? k : 1;
    run = i;
  }
  put(ctx, s + run, len - run);
}

static void put_file(void *ctx, const char *p, size_t n) {
  struct html *h = ctx;
  if (n > 0 && fwrite(p, 1, n, h->f) != n) {
    h->failed = 1;
  }
}

void html_raw(struct html *h, const char *markup) {
  put_file(h, markup, strlen(markup));
}

void html_textn(struct html *h, const char *s, size_t len) {
  escape(s, len, put_file, h);
}

void html_text(struct html *h, const char *s) {
  if (s != NULL) {
    escape(s, strlen(s), put_file, h);
  }
}

void html_printf(struct html *h, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  if (vfprintf(h->f, fmt, ap) < 0) {
    h->failed = 1;
  }
  va_end(ap);
}
