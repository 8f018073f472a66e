/* tests/scanner/rich_result.h: a scan result with a part of every kind (a
 * certificate, a fallback probe, versions accepted, refused with a reply
 * and with first bytes, timed out, a confirmation, enumerated suites), and
 * strings that need escaping, for the tests of the writer and of the JSON
 * output. */
#ifndef TESTS_SCANNER_RICH_RESULT_H
#define TESTS_SCANNER_RICH_RESULT_H

#include "scanner/output/result.h"

/* rich_result fills |r| and |item|, which |r->item| then points to. */
void rich_result(struct scan_result *r, struct target_item *item);

#endif /* TESTS_SCANNER_RICH_RESULT_H */
