/* scanner/output/text.h: the terminal view, one compact block per record.
 *
 * `--format text` (the default when standard output is a terminal and
 * neither --format nor -o is given) shows each target as a person reads
 * it: the target, its label and what kind of endpoint it is; a row per
 * version with its verdict and the reason in words, the confirmation and
 * the application's answer; the certificate's name and expiry; the
 * findings. Tenant summaries become a line each. The words come from
 * explain.h, so they are the HTML report's words too.
 *
 * Every string that came from a server or an input file is escaped for the
 * terminal (term_escape, scanner/base/outbuf.h): control bytes, DEL, the C1 controls (which some
 * terminals obey even inside UTF-8) and the bidirectional overrides become
 * visible escapes, so a hostile banner can neither move the cursor, change
 * colours nor reorder what is shown. Colour (ANSI SGR) is added only by
 * this file, and only when asked. */
#ifndef SCANNER_OUTPUT_TEXT_H
#define SCANNER_OUTPUT_TEXT_H

#include <jansson.h>
#include <stddef.h>
#include <time.h>

#include "scanner/base/outbuf.h"

/* text_record appends the block of one scan record (a JSON object as
 * output.c makes it), with ANSI colour when |colour|; certificate expiry is
 * judged at |now|. Returns 1, or 0 when memory ran out. */
int text_record(const json_t *record, int colour, time_t now, struct outbuf *out);

/* text_summary appends the line of a tenant summary record. */
int text_summary(const json_t *summary, int colour, struct outbuf *out);

#endif /* SCANNER_OUTPUT_TEXT_H */
