/* scanner/output.h: one record per target, as JSON Lines or CSV.
 *
 * Output formats are plug-ins (a const struct of function pointers, one per
 * format, registered in one array). A format renders a scan_result into a
 * caller's growable buffer; the output writer queues rendered records and
 * writes them without blocking the event loop for long (a bounded queue: when
 * it is full, the engine stops starting new targets until it drains). Every
 * string that came from a server is first made valid UTF-8 (utf8_sanitize),
 * then escaped by the JSON library (jansson) or by CSV quoting, so the record
 * stays valid whatever the server sent. */
#ifndef SCANNER_OUTPUT_H
#define SCANNER_OUTPUT_H

#include <stddef.h>

#include "scanner/result.h"

/* A growable byte buffer (the only heap use of output; it grows to the
 * largest record once and is then reused). */
struct outbuf {
  char *data;
  size_t len;
  size_t cap;
};

void outbuf_free(struct outbuf *b);

struct output_format {
  const char *name;                                   /* "jsonl", "csv" */
  /* header writes what comes before the first record (CSV's header line). */
  int (*header)(struct outbuf *out);
  /* record appends one record, newline-terminated. Returns 1, or 0 on
   * allocation failure. */
  int (*record)(const struct scan_result *r, struct outbuf *out);
};

/* output_format_find returns the format called |name|, or NULL. */
const struct output_format *output_format_find(const char *name);

/* utf8_sanitize appends |len| bytes from a server to |out| as valid UTF-8:
 * well-formed UTF-8 passes through unchanged (NUL included), and each byte of
 * an ill-formed sequence becomes the code point U+00XX of the same value, so
 * nothing is dropped and any JSON library will accept the string. Returns 1,
 * or 0 on allocation failure. */
int utf8_sanitize(struct outbuf *out, const uint8_t *data, size_t len);

#endif /* SCANNER_OUTPUT_H */
