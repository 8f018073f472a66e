/* scanner/report/summary.c: the report's summary sections: the overview
 * (endpoints by status, the legacy share, acceptance per version and per
 * protocol, the application's refusal messages), the findings with what to
 * do, compliance per policy, and the refusal rates with their intervals. */
#include <stdlib.h>
#include <string.h>

#include "scanner/base/stats.h"
#include "scanner/report/parts.h"
#include "scanner/report/svg.h"

/* ---- overview ------------------------------------------------------------------------- */

static void status_chart(struct html *h, const struct report *r) {
  struct chart_bar bars[RS_COUNT];
  char text[RS_COUNT][48];
  size_t n = 0;
  uint64_t max = 0;
  static const char *const kColours[RS_COUNT] = {"k-modern", "k-down", "k-down",
                                                  "k-down",   "k-down", "k-down"};
  for (int s = 0; s < RS_COUNT; s++) {
    if (s == RS_OTHER && r->by_status[s] == 0) {
      continue;
    }
    snprintf(text[n], sizeof(text[n]), "%llu (%.0f%%)", (unsigned long long)r->by_status[s],
             100 * page_share(r->by_status[s], r->records));
    bars[n] = (struct chart_bar){.label = kReportStatusNames[s],
                                 .value = (double)r->by_status[s],
                                 .value_text = text[n],
                                 .css = kColours[s]};
    max = r->by_status[s] > max ? r->by_status[s] : max;
    n++;
  }
  chart_bars(h, "status", "Endpoints by status", bars, n, (double)max);
}

static void legacy_chart(struct html *h, const struct report *r) {
  static const struct {
    enum endpoint_class cls;
    const char *css;
  } kParts[] = {{CLASS_LEGACY, "k-legacy"},
                {CLASS_LEGACY_REFUSED, "k-refused"},
                {CLASS_MODERN, "k-modern"},
                {CLASS_NO_TLS, "k-notls"}};
  enum { kN = sizeof(kParts) / sizeof(kParts[0]) };
  struct chart_bar parts[kN];
  char text[kN][48];
  uint64_t answered = 0;
  for (int i = 0; i < kN; i++) {
    answered += r->by_class[kParts[i].cls];
  }
  for (int i = 0; i < kN; i++) {
    uint64_t n = r->by_class[kParts[i].cls];
    snprintf(text[i], sizeof(text[i]), "%llu (%.0f%%)", (unsigned long long)n,
             100 * page_share(n, answered));
    parts[i] = (struct chart_bar){.label = class_words(kParts[i].cls),
                                  .value = (double)n,
                                  .value_text = text[i],
                                  .css = kParts[i].css};
  }
  chart_stacked(h, "legacy", "Legacy share of the endpoints that answered", parts, kN);
}

static void versions_chart(struct html *h, const struct report *r) {
  struct chart_bar bars[EXPLAIN_VERSIONS];
  char text[EXPLAIN_VERSIONS][64];
  size_t n = 0;
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    const struct version_counts *vc = &r->versions[i];
    if (vc->probed == 0) {
      continue;
    }
    snprintf(text[n], sizeof(text[n]), "%.0f%% (%llu of %llu)",
             100 * page_share(vc->accepted, vc->probed), (unsigned long long)vc->accepted,
             (unsigned long long)vc->probed);
    bars[n] = (struct chart_bar){.label = kExplainVersionNames[i],
                                 .value = page_share(vc->accepted, vc->probed),
                                 .value_text = text[n],
                                 .css = page_is_legacy_version(i) ? "k-legacy" : "k-modern"};
    n++;
  }
  chart_bars(h, "versions", "Endpoints accepting each version (of those probed at it)", bars, n, 1);
}

static void protocols_chart(struct html *h, const struct report *r) {
  const char *rows[REPORT_PROTOS_MAX + 1];
  const struct proto_counts *pcs[REPORT_PROTOS_MAX + 1];
  size_t nrows = 0;
  for (size_t p = 0; p <= REPORT_PROTOS_MAX; p++) {
    const struct proto_counts *pc = &r->protos[p];
    if ((p < r->nprotos || p == REPORT_PROTOS_MAX) && pc->records > 0) {
      rows[nrows] = pc->name != NULL ? pc->name : "other";
      pcs[nrows++] = pc;
    }
  }
  const char *cols[EXPLAIN_VERSIONS];
  int col_version[EXPLAIN_VERSIONS];
  size_t ncols = 0;
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    if (r->versions[i].probed > 0) {
      col_version[ncols] = i;
      cols[ncols++] = kExplainVersionNames[i];
    }
  }
  if (nrows == 0 || ncols == 0) {
    return;
  }
  struct chart_bar *cells = calloc(nrows * ncols, sizeof(*cells));
  char(*text)[16] = calloc(nrows * ncols, sizeof(*text));
  char(*title)[96] = calloc(nrows * ncols, sizeof(*title));
  if (cells == NULL || text == NULL || title == NULL) {
    free(cells);
    free(text);
    free(title);
    h->failed = 1;
    return;
  }
  for (size_t i = 0; i < nrows; i++) {
    for (size_t j = 0; j < ncols; j++) {
      int v = col_version[j];
      size_t k = i * ncols + j;
      uint64_t acc = pcs[i]->accepted[v], probed = pcs[i]->probed[v];
      snprintf(text[k], sizeof(text[k]), probed > 0 ? "%.0f%%" : "\xe2\x80\x93",
               100 * page_share(acc, probed));
      snprintf(title[k], sizeof(title[k]), "%s: %llu of %llu endpoints accept %s", rows[i],
               (unsigned long long)acc, (unsigned long long)probed, cols[j]);
      cells[k] = (struct chart_bar){.value = page_share(acc, probed),
                                    .value_text = text[k],
                                    .css = page_is_legacy_version(v) ? "k-legacy" : "k-modern",
                                    .title = title[k]};
    }
  }
  chart_grid(h, "protocols", "Acceptance per version and protocol", rows, nrows, cols, ncols,
             cells, 1);
  free(cells);
  free(text);
  free(title);
}

static void messages_table(struct html *h, const struct report *r) {
  html_raw(h, "<h3>The application's refusals</h3>\n");
  if (r->nmessages == 0) {
    html_raw(h, "<p class=\"muted\">No confirmed handshake was refused by the application.</p>\n");
    return;
  }
  html_raw(h, "<table id=\"refusals\"><thead><tr><th>What the service said</th><th>Versions</th>"
              "<th class=\"num\">Confirmations</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < r->nmessages; i++) {
    const struct report_message *m = &r->messages[i];
    html_raw(h, "<tr><td><code>");
    html_text(h, m->text[0] != '\0' ? m->text : "(no text)");
    html_raw(h, "</code></td><td>");
    const char *sep = "";
    for (int v = 0; v < EXPLAIN_VERSIONS; v++) {
      if (m->versions & (1u << v)) {
        html_raw(h, sep);
        html_raw(h, kExplainVersionNames[v]);
        sep = ", ";
      }
    }
    html_raw(h, "</td><td class=\"num\">");
    page_html_u64(h, m->count);
    html_raw(h, "</td></tr>\n");
  }
  html_raw(h, "</tbody></table>\n");
  if (r->other_messages > 0) {
    html_raw(h, "<p class=\"more\">");
    page_html_u64(h, r->other_messages);
    html_raw(h, " more refusals with other texts.</p>\n");
  }
}

void render_overview(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<div class=\"figures\">\n");
  page_figure(h, "endpoints", r->records, 0);
  page_figure(h, "answered", r->by_status[RS_OK], r->records);
  page_figure(h, "accept legacy TLS", r->by_class[CLASS_LEGACY] + r->by_class[CLASS_LEGACY_REFUSED],
         r->records);
  page_figure(h, "where legacy TLS works", r->findings[FINDING_LEGACY_APP], r->records);
  page_figure(h, "refuse it after the handshake", r->by_class[CLASS_LEGACY_REFUSED], r->records);
  page_figure(h, "modern TLS only", r->by_class[CLASS_MODERN], r->records);
  page_figure(h, "not reachable",
         r->by_status[RS_UNREACHABLE] + r->by_status[RS_DNS_ERROR], r->records);
  html_raw(h, "</div>\n<div class=\"charts\">\n");
  status_chart(h, r);
  legacy_chart(h, r);
  versions_chart(h, r);
  protocols_chart(h, r);
  html_raw(h, "</div>\n");
  messages_table(h, r);
}

/* ---- findings ------------------------------------------------------------------------- */

void render_findings(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<table id=\"findings-table\"><thead><tr><th>Finding</th>"
              "<th class=\"num\">Endpoints</th><th>What to do</th></tr></thead><tbody>\n");
  int any = 0;
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (r->findings[f] == 0) {
      continue;
    }
    any = 1;
    const struct finding_info *fi = finding_info((enum finding)f);
    html_raw(h, "<tr><td class=\"");
    html_raw(h, page_severity_class(fi->severity));
    html_raw(h, "\">");
    html_text(h, fi->title);
    html_raw(h, "</td><td class=\"num\">");
    page_html_u64(h, r->findings[f]);
    html_raw(h, "</td><td>");
    html_text(h, fi->advice);
    html_raw(h, "</td></tr>\n");
  }
  if (!any) {
    html_raw(h, "<tr><td colspan=\"3\" class=\"muted\">Nothing to act on.</td></tr>\n");
  }
  html_raw(h, "</tbody></table>\n");
}

/* ---- compliance ---------------------------------------------------------------------- */

int compliance_shown(const struct report *r, const void *ctx) {
  (void)ctx;
  return r->judged;
}

void render_compliance(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<p>Endpoints judged by each policy (<code>--policy</code>). Unknown: what only "
              "<code>--ciphers</code> (every suite) or a confirmed handshake (the certificate) "
              "could settle, or no TLS answer; the endpoint table says which, row by row.</p>\n");
  html_raw(h, "<table id=\"compliance-table\"><thead><tr><th>Policy</th><th>Document</th>"
              "<th class=\"num\">Judged</th><th class=\"num\">Compliant</th>"
              "<th class=\"num\">Not compliant</th><th class=\"num\">Unknown</th></tr></thead>"
              "<tbody>\n");
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    const struct policy_counts *c = &r->policies[i];
    if (c->judged == 0) {
      continue;
    }
    html_raw(h, "<tr><td>");
    html_text(h, policy_name(i));
    html_raw(h, "</td><td>");
    html_text(h, policy_title(i));
    html_raw(h, "</td><td class=\"num\">");
    page_html_u64(h, c->judged);
    html_printf(h, "</td><td class=\"num ok\">%llu <small>(%.0f%%)</small>",
                (unsigned long long)c->compliant, 100 * page_share(c->compliant, c->judged));
    html_printf(h, "</td><td class=\"num bad\">%llu <small>(%.0f%%)</small>",
                (unsigned long long)c->not_compliant, 100 * page_share(c->not_compliant, c->judged));
    html_printf(h, "</td><td class=\"num\">%llu <small>(%.0f%%)</small></td></tr>\n",
                (unsigned long long)c->unknown, 100 * page_share(c->unknown, c->judged));
  }
  html_raw(h, "</tbody></table>\n");
}

/* ---- refusal rates ------------------------------------------------------------------ */

int rates_shown(const struct report *r, const void *ctx) {
  (void)ctx;
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    if (r->versions[i].trials > 0) {
      return 1;
    }
  }
  return 0;
}

/* rate_text says a refusal rate in full; rate_short fits it beside a
 * chart's row. */
static void rate_text(uint64_t refused, uint64_t trials, double lo, double hi, char *out,
                      size_t cap) {
  snprintf(out, cap, "%.1f%% (95%% CI %.1f\xe2\x80\x93%.1f%%), %llu of %llu",
           100 * page_share(refused, trials), 100 * lo, 100 * hi, (unsigned long long)refused,
           (unsigned long long)trials);
}

static void rate_short(uint64_t refused, uint64_t trials, double lo, double hi, char *out,
                       size_t cap) {
  snprintf(out, cap, "%.0f%% (%.0f\xe2\x80\x93%.0f%%)", 100 * page_share(refused, trials), 100 * lo,
           100 * hi);
}

void render_rates(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<p>Of the completed confirmation handshakes, the share the application then "
              "refused, with its 95% Wilson score interval. A gradual retirement (a growing "
              "share of legacy sessions refused) shows here; <code>--repeat N</code> confirms "
              "each version N times, which narrows the interval.</p>\n");
  struct chart_interval iv[EXPLAIN_VERSIONS];
  char text[EXPLAIN_VERSIONS][96], brief[EXPLAIN_VERSIONS][48];
  size_t n = 0;
  html_raw(h, "<table id=\"rates-table\"><thead><tr><th>Version</th>"
              "<th class=\"num\">Endpoints confirmed</th><th class=\"num\">with --repeat</th>"
              "<th class=\"num\">Handshakes</th><th class=\"num\">Refused</th>"
              "<th>Share refused (95% CI)</th></tr></thead><tbody>\n");
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    const struct version_counts *vc = &r->versions[i];
    if (vc->trials == 0) {
      continue;
    }
    double lo, hi;
    wilson_interval(vc->refused, vc->trials, STATS_Z_95, &lo, &hi);
    rate_text(vc->refused, vc->trials, lo, hi, text[n], sizeof(text[n]));
    rate_short(vc->refused, vc->trials, lo, hi, brief[n], sizeof(brief[n]));
    iv[n] = (struct chart_interval){.label = kExplainVersionNames[i],
                                    .value = page_share(vc->refused, vc->trials),
                                    .lo = lo,
                                    .hi = hi,
                                    .value_text = brief[n],
                                    .title = text[n]};
    n++;
    html_raw(h, "<tr><td>");
    html_raw(h, kExplainVersionNames[i]);
    html_printf(h, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                   "<td class=\"num\">%llu</td><td class=\"num\">%llu</td><td>",
                (unsigned long long)vc->confirmed, (unsigned long long)vc->repeated,
                (unsigned long long)vc->trials, (unsigned long long)vc->refused);
    html_text(h, text[n - 1]);
    html_raw(h, "</td></tr>\n");
  }
  html_raw(h, "</tbody></table>\n<div class=\"charts\">\n");
  chart_intervals(h, "rates", "Share refused by the application, per version", iv, n);
  if (r->nrates > 0) {
    struct chart_interval eiv[REPORT_RATES_MAX];
    char ebrief[REPORT_RATES_MAX][48], elabel[REPORT_RATES_MAX][REPORT_STRING_MAX + 16];
    char etitle[REPORT_RATES_MAX][REPORT_STRING_MAX + 128];
    for (size_t k = 0; k < r->nrates; k++) {
      const struct report_rate *rate = &r->rates[k];
      double lo, hi;
      char full[96];
      wilson_interval(rate->refused, rate->trials, STATS_Z_95, &lo, &hi);
      rate_text(rate->refused, rate->trials, lo, hi, full, sizeof(full));
      rate_short(rate->refused, rate->trials, lo, hi, ebrief[k], sizeof(ebrief[k]));
      /* The version first: a long target is cut at the end of the label. */
      snprintf(elabel[k], sizeof(elabel[k]), "%s %s", kExplainVersionNames[rate->version],
               rate->target != NULL ? rate->target : "?");
      snprintf(etitle[k], sizeof(etitle[k]), "%s: %s", elabel[k], full);
      eiv[k] = (struct chart_interval){.label = elabel[k],
                                       .value = page_share(rate->refused, rate->trials),
                                       .lo = lo,
                                       .hi = hi,
                                       .value_text = ebrief[k],
                                       .title = etitle[k]};
    }
    chart_intervals(h, "endpoint-rates", "Share refused per endpoint (--repeat)", eiv, r->nrates);
  }
  html_raw(h, "</div>\n");
  if (r->more_rates > 0) {
    html_raw(h, "<p class=\"more\">");
    page_html_u64(h, r->more_rates);
    html_raw(h, " more endpoint rates not drawn (the chart shows the first ones read).</p>\n");
  }
}

