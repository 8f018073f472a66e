/* scanner/report/svg.h: the report's charts, drawn as inline SVG.
 *
 * tlssweep draws its own charts rather than ship a charting library: the
 * page must work with no network and no scripts, a few kinds of bar chart
 * are all it needs, and SVG written here goes through the same escaping as
 * the rest of the page (html.h). Each chart is a <figure> with a caption
 * and an <svg data-chart="ID" role="img">; every bar is a <rect
 * class="bar ..."> (a stacked bar's parts class="seg ...", an interval a
 * <g class="ebar">) with a <title> that says its figures in words, so a
 * test can count them and a reader can hover them. Colours are CSS classes
 * of the page (k-legacy, k-modern...), never inline styles. Labels and
 * titles are text from anywhere; classes and ids are the caller's
 * literals. */
#ifndef SCANNER_REPORT_SVG_H
#define SCANNER_REPORT_SVG_H

#include <stddef.h>

#include "scanner/report/html.h"

struct chart_bar {
  const char *label;         /* left of the bar */
  double value;              /* its length, 0..max */
  const char *value_text;    /* right of the bar: "57% (12 of 21)" */
  const char *css;           /* colour class */
  const char *title;         /* the tooltip */
};

/* chart_bars draws one horizontal bar per entry, lengths scaled to |max|. */
void chart_bars(struct html *h, const char *id, const char *caption, const struct chart_bar *bars,
                size_t n, double max);

/* chart_grid draws a small bar chart per cell of a table: |nrows| rows
 * named |row_labels|, |ncols| columns named |col_labels|, cell (i, j) the
 * bar cells[i * ncols + j] (its label unused), all scaled to |max|. */
void chart_grid(struct html *h, const char *id, const char *caption, const char *const *row_labels,
                size_t nrows, const char *const *col_labels, size_t ncols,
                const struct chart_bar *cells, double max);

/* chart_stacked draws one bar of |n| parts (their values add up to the
 * whole) with a legend. The parts' labels name them in the legend. */
void chart_stacked(struct html *h, const char *id, const char *caption,
                   const struct chart_bar *parts, size_t n);

struct chart_interval {
  const char *label;
  double value, lo, hi;      /* shares, 0..1 */
  const char *value_text;    /* "14% (95% CI 9-21%)" */
  const char *title;
};

/* chart_intervals draws a point and an error bar per entry on a 0-100%
 * axis. */
void chart_intervals(struct html *h, const char *id, const char *caption,
                     const struct chart_interval *iv, size_t n);

#endif /* SCANNER_REPORT_SVG_H */
