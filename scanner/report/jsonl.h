/* scanner/report/jsonl.h: a report's records from files tlssweep wrote.
 *
 * `tlssweep scan` and `tenants` write JSON Lines; --metadata writes one JSON
 * document. report_read_jsonl streams a results file line by line into a
 * report (model.h): each line is parsed by jansson on its own and
 * forgotten once counted, so a file of any length costs one line buffer
 * (REPORT_LINE_MAX) and one parsed line at a time. A line that is not JSON,
 * not an object, or neither a scan record nor a tenant summary is reported
 * with its file and line number and skipped; reading goes on. */
#ifndef SCANNER_REPORT_JSONL_H
#define SCANNER_REPORT_JSONL_H

#include <stdio.h>

#include "scanner/report/model.h"

/* Longest line read; a longer one is skipped as an error. A record is a
 * few kilobytes at most. */
#define REPORT_LINE_MAX (1u << 20)

/* How many bad lines are described on stderr before the rest are only
 * counted. */
#define REPORT_ERRORS_SHOWN 20

/* report_read_jsonl reads the JSON Lines of |f|, named |name| in messages,
 * into |r|, describing bad lines on |err| (the first REPORT_ERRORS_SHOWN of
 * the report's). Returns 1 when |f| was read to its end, or 0 when reading
 * it failed or memory ran short (said on |err|). */
int report_read_jsonl(struct report *r, FILE *f, const char *name, FILE *err);

/* report_read_metadata reads the --metadata document at |path| into |r|.
 * Returns 1, or 0 when it cannot be read or is not a JSON object (said on
 * |err|, and counted as an input error). */
int report_read_metadata(struct report *r, const char *path, FILE *err);

#endif /* SCANNER_REPORT_JSONL_H */
