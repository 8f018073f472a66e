/* scanner/report/svg.c: bar charts as inline SVG (see svg.h).
 *
 * Every chart is 720 units wide and scales with the page (viewBox, width
 * 100%); rows are 24 units high. Labels longer than their column are cut
 * at a character with an ellipsis, the full text in the <title>. */
#include "scanner/report/svg.h"

#include <string.h>

#include "scanner/base/outbuf.h"

enum {
  kWidth = 720,
  kRow = 24,
  kBarHeight = 16,
  kTop = 8,
  kLabelWidth = 210,      /* the label column, bars start after it */
  kBarArea = 360,
  kLabelChars = 26,       /* characters of a label shown */
};

/* label_text writes at most |max_chars| characters of |s|, then "…". */
static void label_text(struct html *h, const char *s, size_t max_chars) {
  if (s == NULL) {
    return;
  }
  size_t len = strlen(s), at = 0, chars = 0;
  while (at < len && chars < max_chars) {
    size_t k = utf8_seq_len((const uint8_t *)s + at, len - at);
    at += k > 0 ? k : 1;
    chars++;
  }
  html_textn(h, s, at);
  if (at < len) {
    html_raw(h, "\xe2\x80\xa6");
  }
}

static void open_chart(struct html *h, const char *id, const char *caption, int height) {
  html_raw(h, "<figure class=\"chart\"><figcaption>");
  html_text(h, caption);
  html_raw(h, "</figcaption>\n<svg data-chart=\"");
  html_raw(h, id);
  html_raw(h, "\" role=\"img\" aria-label=\"");
  html_text(h, caption);
  html_printf(h,
              "\" viewBox=\"0 0 %d %d\" width=\"100%%\" preserveAspectRatio=\"xMinYMin meet\">\n",
              kWidth, height);
}

static void close_chart(struct html *h) {
  html_raw(h, "</svg></figure>\n");
}

/* row_label writes a row's label, right-aligned before the bars. */
static void row_label(struct html *h, int y, const char *label) {
  html_printf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\" text-anchor=\"end\"><title>",
              kLabelWidth - 8, y + kRow / 2 + 4);
  html_text(h, label);
  html_raw(h, "</title>");
  label_text(h, label, kLabelChars);
  html_raw(h, "</text>\n");
}

static double scaled(double value, double max, double width) {
  if (!(max > 0) || !(value > 0)) {
    return 0;
  }
  return value >= max ? width : width * value / max;
}

/* bar writes one bar at (x, y) of |width| units. */
static void bar(struct html *h, const char *kind, double x, int y, double width,
                const struct chart_bar *b) {
  html_printf(h, "<rect class=\"%s ", kind);
  html_raw(h, b->css != NULL ? b->css : "");
  html_printf(h, "\" x=\"%.1f\" y=\"%d\" width=\"%.1f\" height=\"%d\"><title>", x,
              y + (kRow - kBarHeight) / 2, width, kBarHeight);
  html_text(h, b->title != NULL ? b->title : b->value_text);
  html_raw(h, "</title></rect>\n");
}

static void value_label(struct html *h, double x, int y, const char *text) {
  html_printf(h, "<text class=\"val\" x=\"%.1f\" y=\"%d\">", x, y + kRow / 2 + 4);
  html_text(h, text);
  html_raw(h, "</text>\n");
}

void chart_bars(struct html *h, const char *id, const char *caption, const struct chart_bar *bars,
                size_t n, double max) {
  open_chart(h, id, caption, 2 * kTop + (int)n * kRow);
  for (size_t i = 0; i < n; i++) {
    int y = kTop + (int)i * kRow;
    double w = scaled(bars[i].value, max, kBarArea);
    row_label(h, y, bars[i].label);
    bar(h, "bar", kLabelWidth, y, w, &bars[i]);
    value_label(h, kLabelWidth + w + 6, y, bars[i].value_text);
  }
  close_chart(h);
}

void chart_grid(struct html *h, const char *id, const char *caption, const char *const *row_labels,
                size_t nrows, const char *const *col_labels, size_t ncols,
                const struct chart_bar *cells, double max) {
  int col_width = ncols > 0 ? (kWidth - kLabelWidth) / (int)ncols : 0;
  int bar_max = col_width - 44; /* room for "100%" after the bar */
  open_chart(h, id, caption, 2 * kTop + (int)(nrows + 1) * kRow);
  for (size_t j = 0; j < ncols; j++) {
    html_printf(h, "<text class=\"head\" x=\"%d\" y=\"%d\">", kLabelWidth + (int)j * col_width,
                kTop + kRow / 2 + 4);
    html_text(h, col_labels[j]);
    html_raw(h, "</text>\n");
  }
  for (size_t i = 0; i < nrows; i++) {
    int y = kTop + (int)(i + 1) * kRow;
    row_label(h, y, row_labels[i]);
    for (size_t j = 0; j < ncols; j++) {
      const struct chart_bar *c = &cells[i * ncols + j];
      double x = kLabelWidth + (double)j * col_width;
      double w = scaled(c->value, max, bar_max);
      bar(h, "bar", x, y, w, c);
      value_label(h, x + w + 4, y, c->value_text);
    }
  }
  close_chart(h);
}

void chart_stacked(struct html *h, const char *id, const char *caption,
                   const struct chart_bar *parts, size_t n) {
  double total = 0;
  for (size_t i = 0; i < n; i++) {
    total += parts[i].value > 0 ? parts[i].value : 0;
  }
  int legend_rows = (int)(n + 1) / 2;
  open_chart(h, id, caption, 2 * kTop + kRow + legend_rows * kRow);
  double x = 0;
  for (size_t i = 0; i < n; i++) {
    double w = scaled(parts[i].value, total, kWidth);
    bar(h, "seg", x, kTop, w, &parts[i]);
    x += w;
  }
  for (size_t i = 0; i < n; i++) {
    int lx = (int)(i % 2) * (kWidth / 2), ly = kTop + kRow + (int)(i / 2) * kRow;
    html_printf(h, "<rect class=\"key ");
    html_raw(h, parts[i].css != NULL ? parts[i].css : "");
    html_printf(h, "\" x=\"%d\" y=\"%d\" width=\"12\" height=\"12\"/>", lx, ly + 6);
    html_printf(h, "<text class=\"lab\" x=\"%d\" y=\"%d\">", lx + 18, ly + kRow / 2 + 4);
    label_text(h, parts[i].label, 2 * kLabelChars);
    html_raw(h, ": ");
    html_text(h, parts[i].value_text);
    html_raw(h, "</text>\n");
  }
  close_chart(h);
}

void chart_intervals(struct html *h, const char *id, const char *caption,
                     const struct chart_interval *iv, size_t n) {
  int height = 2 * kTop + (int)(n + 1) * kRow;
  open_chart(h, id, caption, height);
  /* The axis: gridlines at every quarter, labelled at the top. */
  for (int q = 0; q <= 4; q++) {
    double x = kLabelWidth + kBarArea * q / 4.0;
    html_printf(h, "<line class=\"grid\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", x,
                kTop + kRow, x, height - kTop);
    html_printf(h, "<text class=\"head\" x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">%d%%</text>\n",
                x, kTop + kRow / 2 + 4, q * 25);
  }
  for (size_t i = 0; i < n; i++) {
    int y = kTop + (int)(i + 1) * kRow, mid = y + kRow / 2;
    double lo = kLabelWidth + scaled(iv[i].lo, 1, kBarArea);
    double hi = kLabelWidth + scaled(iv[i].hi, 1, kBarArea);
    double at = kLabelWidth + scaled(iv[i].value, 1, kBarArea);
    row_label(h, y, iv[i].label);
    html_raw(h, "<g class=\"ebar\"><title>");
    html_text(h, iv[i].title != NULL ? iv[i].title : iv[i].value_text);
    html_printf(h, "</title><line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", lo,
                mid, hi, mid);
    html_printf(h, "<line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", lo, mid - 5,
                lo, mid + 5);
    html_printf(h, "<line class=\"ci\" x1=\"%.1f\" y1=\"%d\" x2=\"%.1f\" y2=\"%d\"/>", hi, mid - 5,
                hi, mid + 5);
    html_printf(h, "<circle class=\"pt\" cx=\"%.1f\" cy=\"%d\" r=\"4\"/></g>\n", at, mid);
    value_label(h, kLabelWidth + kBarArea + 10, y, iv[i].value_text);
  }
  close_chart(h);
}
