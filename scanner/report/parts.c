/* scanner/report/parts.c: the report page's small helpers and the cells and
 * rows its tables share (parts.h). Text from records goes through
 * html_text; classes are literals of ours. */
#include <stdlib.h>
#include <string.h>

#include "scanner/base/stats.h"
#include "scanner/report/parts.h"
#include "scanner/report/svg.h"

double page_share(uint64_t part, uint64_t whole) {
  return whole > 0 ? (double)part / (double)whole : 0;
}

void page_date_text(time_t t, char *out, size_t cap) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%d", &tm);
}

void page_html_u64(struct html *h, uint64_t v) {
  html_printf(h, "%llu", (unsigned long long)v);
}

/* figure writes one of the overview's key figures. */
void page_figure(struct html *h, const char *what, uint64_t n, uint64_t of) {
  html_raw(h, "<div class=\"fig\"><b>");
  page_html_u64(h, n);
  html_raw(h, "</b>");
  html_raw(h, what);
  if (of > 0) {
    html_printf(h, " <small>(%.0f%%)</small>", 100 * page_share(n, of));
  }
  html_raw(h, "</div>\n");
}

/* badge writes a verdict or class |name| (a literal of ours, also its
 * colour), with |words| to explain it on hover (NULL: none). */
void page_badge(struct html *h, const char *name, const char *words) {
  html_raw(h, "<span class=\"badge verdict b-");
  html_raw(h, name);
  if (words != NULL) {
    html_raw(h, "\" title=\"");
    html_text(h, words);
  }
  html_raw(h, "\">");
  html_text(h, name);
  html_raw(h, "</span>");
}

const char *page_severity_class(enum finding_severity s) {
  return s == SEVERITY_CRITICAL ? "sev-critical" : s == SEVERITY_WARNING ? "sev-warning"
                                                                         : "sev-info";
}

int page_is_legacy_version(int i) { return i <= 2; }

/* ---- cells and rows --------------------------------------------------------------- */

void page_cell(struct html *h, int version, const struct report_row *row) {
  const struct explain_cell *c = &row->v[version].cell;
  const char *cls = "x-na", *word = "\xe2\x80\x93"; /* – */
  int rank = 9;
  switch (c->verdict) {
    case CELL_ACCEPTED:
      word = "accepted";
      rank = 0;
      cls = !page_is_legacy_version(version) ? "x-acc" : c->app == CELL_APP_REFUSED ? "x-retire"
                                                                               : "x-legacy";
      break;
    case CELL_REJECTED: word = "rejected"; cls = "x-rej"; rank = 3; break;
    case CELL_TIMEOUT: word = "timeout"; cls = "x-tmo"; rank = 2; break;
    case CELL_ERROR: word = "error"; cls = "x-tmo"; rank = 2; break;
    case CELL_SKIPPED: word = "skipped"; rank = 4; break;
    case CELL_NOT_PROBED: break;
  }
  html_printf(h, "<td class=\"cell %s\" data-v=\"%d\"", cls, rank);
  if (row->v[version].words != NULL) {
    html_raw(h, " title=\"");
    html_text(h, row->v[version].words);
    html_raw(h, "\"");
  }
  html_raw(h, ">");
  html_raw(h, word);
  const char *app = NULL;
  switch (c->app) {
    case CELL_APP_OK: app = "app ok"; break;
    case CELL_APP_REFUSED: app = "app refused"; break;
    case CELL_APP_FAILED: app = "handshake failed"; break;
    case CELL_APP_OTHER: app = "app: no answer"; break;
    case CELL_APP_NONE: break;
  }
  if (app != NULL) {
    html_printf(h, "<small>%s", app);
    if (c->runs > 1) {
      html_printf(h, " &middot; %llu/%llu refused", (unsigned long long)c->app_refused,
                  (unsigned long long)c->handshake_ok);
    }
    html_raw(h, "</small>");
  }
  html_raw(h, "</td>");
}

void page_version_headings(struct html *h) {
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    html_raw(h, "<th>");
    html_raw(h, kExplainVersionNames[i]);
    html_raw(h, "</th>");
  }
}

void page_target_cell(struct html *h, const struct report_row *row) {
  html_raw(h, "<td class=\"target\">");
  html_text(h, row->target);
  if (row->ip != NULL && (row->target == NULL || strstr(row->target, row->ip) == NULL)) {
    html_raw(h, "<small> ");
    html_text(h, row->ip);
    html_raw(h, "</small>");
  }
  if (row->error != NULL) {
    html_raw(h, "<small>");
    html_text(h, row->error);
    html_raw(h, "</small>");
  }
  html_raw(h, "</td>");
}

void page_class_cell(struct html *h, const struct report_row *row) {
  html_printf(h, "<td class=\"class\" data-v=\"%d\">", (int)row->cls);
  page_badge(h, class_name(row->cls), class_words(row->cls));
  html_raw(h, "</td>");
}

void page_findings_text(struct html *h, uint32_t findings) {
  const char *sep = "";
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (findings & (1u << f)) {
      const struct finding_info *fi = finding_info((enum finding)f);
      html_raw(h, sep);
      html_raw(h, "<span class=\"");
      html_raw(h, page_severity_class(fi->severity));
      html_raw(h, "\">");
      html_text(h, fi->title);
      html_raw(h, "</span>");
      sep = "<br>";
    }
  }
}

/* cert_cell writes the certificate's name and expiry; it sorts by the
 * expiry. */
void page_cert_cell(struct html *h, const struct report_row *row) {
  html_printf(h, "<td class=\"cert\" data-v=\"%lld\">",
              row->has_expiry ? (long long)row->not_after : 0LL);
  html_text(h, row->cert_name);
  if (row->has_expiry) {
    char date[16];
    page_date_text(row->not_after, date, sizeof(date));
    html_printf(h, "<small>expires %s</small>", date);
  }
  html_raw(h, "</td>");
}

/* policy_cell writes the row's compliance, a line per policy judged. */
void page_policy_cell(struct html *h, const struct report_row *row) {
  html_raw(h, "<td class=\"policy\">");
  const char *s = row->policy;
  while (s != NULL && *s != '\0') {
    const char *nl = strchr(s, '\n');
    size_t n = nl != NULL ? (size_t)(nl - s) : strlen(s);
    html_raw(h, "<div>");
    html_textn(h, s, n);
    html_raw(h, "</div>");
    s = nl != NULL ? nl + 1 : s + n;
  }
  html_raw(h, "</td>");
}

/* dropped_note says how many rows a table left out, by class. */
void page_dropped_note(struct html *h, const struct row_set *set, const char *what) {
  uint64_t total = 0;
  for (int c = 0; c < CLASS_COUNT; c++) {
    total += set->dropped[c];
  }
  if (total == 0) {
    return;
  }
  html_raw(h, "<p class=\"more\">");
  page_html_u64(h, total);
  html_raw(h, " more ");
  html_raw(h, what);
  html_raw(h, " not listed (the list keeps the worst): ");
  const char *sep = "";
  for (int c = 0; c < CLASS_COUNT; c++) {
    if (set->dropped[c] > 0) {
      html_raw(h, sep);
      page_html_u64(h, set->dropped[c]);
      html_raw(h, " ");
      html_raw(h, class_words((enum endpoint_class)c));
      sep = ", ";
    }
  }
  html_raw(h, ".</p>\n");
}

