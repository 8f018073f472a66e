/* scanner/report/page.h: the report as one self-contained HTML page.
 *
 * report_write_page writes a finished report (model.h) as a single HTML
 * file that needs nothing else: the CSS and the one small script are
 * inline, the charts are inline SVG (svg.h), and a Content-Security-Policy
 * in the page forbids every fetch and every script but that one (by its
 * SHA-256), so even a string that escaped escaping could not load or run
 * anything. Everything but sorting works with scripts off: the endpoint
 * table's filters are radio buttons and CSS.
 *
 * The page is a list of sections, each a struct report_section: an
 * overview (endpoints by status, the legacy share, acceptance per version
 * and per protocol, the application's refusal messages), the findings with
 * what to do, the refusal rates with their 95% Wilson intervals, one part
 * per tenant (verdict, version matrix, advice, expiring certificates), the
 * table of every endpoint kept, expiring certificates, the scans' metadata
 * and the inputs with their errors. Another source of data (a database of
 * past runs, with trends) adds its own sections after these through
 * report_page.extra, drawing with the same svg.h and html.h. */
#ifndef SCANNER_REPORT_PAGE_H
#define SCANNER_REPORT_PAGE_H

#include <stddef.h>
#include <stdio.h>

#include "scanner/report/html.h"
#include "scanner/report/model.h"

struct report_section {
  const char *id;            /* the anchor, a literal: "overview" */
  const char *title;         /* in the navigation and the heading */
  /* shown says whether the section has anything to show; NULL: always. */
  int (*shown)(const struct report *r, const void *ctx);
  void (*render)(struct html *h, const struct report *r, const void *ctx);
  const void *ctx;
};

struct report_page {
  const char *title;         /* NULL: "tlssweep report" */
  const char *version;       /* tlssweep's, for the footer */
  const struct report_section *extra;
  size_t nextra;
  int extra_only;            /* the extra sections alone: no results were read */
};

/* report_write_page writes the page of |r| (finished) to |f|. Returns 1,
 * or 0 when a write failed. */
int report_write_page(const struct report *r, const struct report_page *page, FILE *f);

#endif /* SCANNER_REPORT_PAGE_H */
