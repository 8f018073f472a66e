/* scanner/output/output.h: one record per target, as JSON Lines, CSV or text.
 *
 * Output formats are plug-ins (a const struct of function pointers, one per
 * format, registered in one array). A format renders a scan_result into a
 * caller's growable buffer; the output writer queues rendered records and
 * writes them without blocking the event loop for long (a bounded queue: when
 * it is full, the engine stops starting new targets until it drains). Every
 * string that came from a server is first made valid UTF-8 (utf8_sanitize),
 * then escaped by the JSON library (jansson), by CSV quoting, or for a
 * terminal by term_escape (text.h), so the record stays valid whatever the
 * server sent. */
#ifndef SCANNER_OUTPUT_H
#define SCANNER_OUTPUT_H

#include <stddef.h>

#include "scanner/base/outbuf.h"
#include "scanner/output/policies.h"
#include "scanner/output/result.h"

struct output_format {
  const char *name;                                   /* "jsonl", "csv", "text" */
  /* header writes what comes before the first record (CSV's header line). */
  int (*header)(struct outbuf *out);
  /* record appends one record, newline-terminated. Returns 1, or 0 on
   * allocation failure. */
  int (*record)(const struct scan_result *r, struct outbuf *out);
  /* summary appends summary records (a tenants sweep's), given as JSON
   * lines, in this format. NULL: the JSON lines as they are. */
  int (*summary)(const char *jsonl, size_t len, struct outbuf *out);
  /* on_terminal is the variant to use when the output is a terminal and
   * NO_COLOR is not set (the text view in colour), or NULL. */
  const struct output_format *on_terminal;
};

/* output_policy_verdicts judges |r| by its policies (r->policies) as its
 * record says: |out[i]| is 1 (compliant), 0 (not) or -1 (unknown, or i not
 * in the mask) for each policy i. Returns 1, or 0 when memory is short. */
int output_policy_verdicts(const struct scan_result *r, int8_t out[POLICY_COUNT]);

/* output_format_find returns the format called |name|, or NULL. */
const struct output_format *output_format_find(const char *name);

/* output_record_buffer is the calling thread's buffer to render a record
 * into before it is handed on (the writer copies it in under its lock);
 * freed with the thread's rendering state. NULL when memory is short. */
struct outbuf *output_record_buffer(void);

#endif /* SCANNER_OUTPUT_H */
