/* scanner/report/page.c: the report page (see page.h).
 *
 * The page is written top to bottom in one pass over the finished report:
 * the head (CSP, CSS with the filter rules for this report's classes and
 * protocols), the navigation, each section that has something to show,
 * and the script. Words come from explain.h, so the page says what the
 * terminal view says. Text from records and files goes through html_text;
 * the markup here is literals, and the classes and ids in it are made from
 * numbers and names this file owns, never from input. */
#include "scanner/report/page.h"

#include <stdlib.h>
#include <string.h>

#include <openssl/base64.h>
#include <openssl/sha.h>

#include "scanner/base/stats.h"
#include "scanner/report/svg.h"

/* The one script: sorting a table by a column when its heading is clicked
 * (or given Enter). Cells sort by their data-v when they have one (a
 * number or a rank), else by their text. */
static const char kScript[] =
    "(function(){\n"
    "function key(c){var v=c.getAttribute('data-v');return v!==null?v:c.textContent.trim();}\n"
    "function cmp(a,b){if(a!==''&&b!==''&&isFinite(a)&&isFinite(b))return a-b;"
    "return a.localeCompare(b);}\n"
    "document.querySelectorAll('table.sortable').forEach(function(t){\n"
    " var ths=t.tHead.rows[0].cells;\n"
    " Array.prototype.forEach.call(ths,function(th,i){\n"
    "  th.tabIndex=0;\n"
    "  function go(){var asc=th.getAttribute('aria-sort')!=='ascending';\n"
    "   var b=t.tBodies[0],rows=Array.prototype.slice.call(b.rows);\n"
    "   rows.sort(function(p,q){var c=cmp(key(p.cells[i]),key(q.cells[i]));return asc?c:-c;});\n"
    "   Array.prototype.forEach.call(ths,function(o){o.removeAttribute('aria-sort');});\n"
    "   th.setAttribute('aria-sort',asc?'ascending':'descending');\n"
    "   rows.forEach(function(r){b.appendChild(r);});}\n"
    "  th.addEventListener('click',go);\n"
    "  th.addEventListener('keydown',function(e){if(e.key==='Enter'||e.key===' ')"
    "{e.preventDefault();go();}});\n"
    " });\n"
    "});\n"
    "})();\n";

static const char kCss[] =
    ":root{--legacy:#c62828;--refused:#e65100;--modern:#2e7d32;--notls:#6d4c41;"
    "--down:#757575;--warn:#f9a825;--info:#1565c0;--line:#d7dbde;--muted:#5f6b73}\n"
    "*{box-sizing:border-box}\n"
    "body{font:14px/1.45 'DejaVu Sans',system-ui,sans-serif;margin:0;color:#1d2327;"
    "background:#f6f7f8}\n"
    "header{background:#263238;color:#fff;padding:14px 24px}\n"
    "header h1{margin:0;font-size:22px}header p{margin:4px 0 0;color:#cfd8dc}\n"
    "nav{position:sticky;top:0;background:#fff;border-bottom:1px solid var(--line);"
    "padding:6px 24px;z-index:2}\n"
    "nav a{margin-right:16px;color:var(--info);text-decoration:none}\n"
    "main{max-width:1440px;margin:0 auto;padding:4px 24px 48px}\n"
    "section{margin-top:24px}h2{border-bottom:2px solid #263238;padding-bottom:3px}\n"
    "h3{margin:18px 0 6px}.muted,small{color:var(--muted)}\n"
    ".figures{display:flex;flex-wrap:wrap;gap:10px;margin:8px 0 16px}\n"
    ".fig{background:#fff;border:1px solid var(--line);border-radius:6px;padding:8px 14px;"
    "min-width:150px}\n"
    ".fig b{display:block;font-size:24px}\n"
    ".charts{display:grid;grid-template-columns:repeat(auto-fit,minmax(540px,1fr));gap:14px}\n"
    "figure.chart{background:#fff;border:1px solid var(--line);border-radius:6px;margin:0;"
    "padding:10px}\n"
    "figcaption{font-weight:bold;margin-bottom:4px}figure.chart svg{display:block;"
    "max-width:760px}\n"
    "svg text{font-size:13px;fill:#1d2327}svg .head{fill:var(--muted);font-weight:bold}\n"
    "svg .grid{stroke:var(--line)}svg .ci{stroke:#263238;stroke-width:2}svg .pt{fill:#263238}\n"
    ".k-legacy{fill:var(--legacy)}.k-refused{fill:var(--refused)}.k-modern{fill:var(--modern)}"
    ".k-notls{fill:var(--notls)}.k-down{fill:var(--down)}.k-info{fill:var(--info)}\n"
    "table{border-collapse:collapse;width:100%;background:#fff;margin:6px 0}\n"
    "th,td{border:1px solid var(--line);padding:3px 6px;text-align:left;vertical-align:top}\n"
    "th{background:#eceff1}table.sortable th{cursor:pointer}\n"
    "th[aria-sort=ascending]::after{content:' \\25B2'}"
    "th[aria-sort=descending]::after{content:' \\25BC'}\n"
    "td.num,th.num{text-align:right}\n"
    ".badge{display:inline-block;padding:0 8px;border-radius:10px;color:#fff;font-size:12px;"
    "font-weight:bold;white-space:nowrap}\n"
    ".b-legacy{background:var(--legacy)}.b-legacy_refused{background:var(--refused)}"
    ".b-modern{background:var(--modern)}.b-no_tls{background:var(--notls)}"
    ".b-unreachable,.b-dns_error,.b-blocked,.b-invalid,.b-no_endpoints,.b-unknown"
    "{background:var(--down)}\n"
    "td.cell{min-width:72px}td small{display:block;font-size:11px}\n"
    "#endpoints-table,table.matrix{font-size:13px}td.findings{font-size:12px;min-width:190px}\n"
    ".x-legacy{background:#ffcdd2}.x-retire{background:#ffe0b2}.x-acc{background:#c8e6c9}"
    ".x-rej{color:var(--muted)}.x-tmo{background:#fff9c4}.x-na{color:#aab}\n"
    ".sev-critical{color:var(--legacy);font-weight:bold}.sev-warning{color:var(--refused);"
    "font-weight:bold}.sev-info{color:var(--info);font-weight:bold}\n"
    "article.tenant{background:#fff;border:1px solid var(--line);border-radius:6px;"
    "padding:4px 14px 10px;margin:14px 0}\n"
    ".ft{margin:6px 0}.ft label{margin:0 12px 0 2px}.filters{font-weight:bold}\n"
    ".tw{overflow-x:auto}\n";

/* ---- small helpers ---------------------------------------------------------------- */

static double share(uint64_t part, uint64_t whole) {
  return whole > 0 ? (double)part / (double)whole : 0;
}

static void date_text(time_t t, char *out, size_t cap) {
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(out, cap, "%Y-%m-%d", &tm);
}

static void html_u64(struct html *h, uint64_t v) {
  html_printf(h, "%llu", (unsigned long long)v);
}

/* figure writes one of the overview's key figures. */
static void figure(struct html *h, const char *what, uint64_t n, uint64_t of) {
  html_raw(h, "<div class=\"fig\"><b>");
  html_u64(h, n);
  html_raw(h, "</b>");
  html_raw(h, what);
  if (of > 0) {
    html_printf(h, " <small>(%.0f%%)</small>", 100 * share(n, of));
  }
  html_raw(h, "</div>\n");
}

/* badge writes a verdict or class |name| (a literal of ours, also its
 * colour), with |words| to explain it on hover (NULL: none). */
static void badge(struct html *h, const char *name, const char *words) {
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

static const char *severity_class(enum finding_severity s) {
  return s == SEVERITY_CRITICAL ? "sev-critical" : s == SEVERITY_WARNING ? "sev-warning"
                                                                         : "sev-info";
}

static int is_legacy_version(int i) { return i <= 2; }

/* ---- cells and rows --------------------------------------------------------------- */

static void cell(struct html *h, int version, const struct report_row *row) {
  const struct explain_cell *c = &row->v[version].cell;
  const char *cls = "x-na", *word = "\xe2\x80\x93"; /* – */
  int rank = 9;
  switch (c->verdict) {
    case CELL_ACCEPTED:
      word = "accepted";
      rank = 0;
      cls = !is_legacy_version(version) ? "x-acc" : c->app == CELL_APP_REFUSED ? "x-retire"
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

static void version_headings(struct html *h) {
  for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
    html_raw(h, "<th>");
    html_raw(h, kExplainVersionNames[i]);
    html_raw(h, "</th>");
  }
}

static void target_cell(struct html *h, const struct report_row *row) {
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

static void class_cell(struct html *h, const struct report_row *row) {
  html_printf(h, "<td class=\"class\" data-v=\"%d\">", (int)row->cls);
  badge(h, class_name(row->cls), class_words(row->cls));
  html_raw(h, "</td>");
}

static void findings_text(struct html *h, uint32_t findings) {
  const char *sep = "";
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (findings & (1u << f)) {
      const struct finding_info *fi = finding_info((enum finding)f);
      html_raw(h, sep);
      html_raw(h, "<span class=\"");
      html_raw(h, severity_class(fi->severity));
      html_raw(h, "\">");
      html_text(h, fi->title);
      html_raw(h, "</span>");
      sep = "<br>";
    }
  }
}

/* cert_cell writes the certificate's name and expiry; it sorts by the
 * expiry. */
static void cert_cell(struct html *h, const struct report_row *row) {
  html_printf(h, "<td class=\"cert\" data-v=\"%lld\">",
              row->has_expiry ? (long long)row->not_after : 0LL);
  html_text(h, row->cert_name);
  if (row->has_expiry) {
    char date[16];
    date_text(row->not_after, date, sizeof(date));
    html_printf(h, "<small>expires %s</small>", date);
  }
  html_raw(h, "</td>");
}

/* policy_cell writes the row's compliance, a line per policy judged. */
static void policy_cell(struct html *h, const struct report_row *row) {
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
static void dropped_note(struct html *h, const struct row_set *set, const char *what) {
  uint64_t total = 0;
  for (int c = 0; c < CLASS_COUNT; c++) {
    total += set->dropped[c];
  }
  if (total == 0) {
    return;
  }
  html_raw(h, "<p class=\"more\">");
  html_u64(h, total);
  html_raw(h, " more ");
  html_raw(h, what);
  html_raw(h, " not listed (the list keeps the worst): ");
  const char *sep = "";
  for (int c = 0; c < CLASS_COUNT; c++) {
    if (set->dropped[c] > 0) {
      html_raw(h, sep);
      html_u64(h, set->dropped[c]);
      html_raw(h, " ");
      html_raw(h, class_words((enum endpoint_class)c));
      sep = ", ";
    }
  }
  html_raw(h, ".</p>\n");
}

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
             100 * share(r->by_status[s], r->records));
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
             100 * share(n, answered));
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
             100 * share(vc->accepted, vc->probed), (unsigned long long)vc->accepted,
             (unsigned long long)vc->probed);
    bars[n] = (struct chart_bar){.label = kExplainVersionNames[i],
                                 .value = share(vc->accepted, vc->probed),
                                 .value_text = text[n],
                                 .css = is_legacy_version(i) ? "k-legacy" : "k-modern"};
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
               100 * share(acc, probed));
      snprintf(title[k], sizeof(title[k]), "%s: %llu of %llu endpoints accept %s", rows[i],
               (unsigned long long)acc, (unsigned long long)probed, cols[j]);
      cells[k] = (struct chart_bar){.value = share(acc, probed),
                                    .value_text = text[k],
                                    .css = is_legacy_version(v) ? "k-legacy" : "k-modern",
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
    html_u64(h, m->count);
    html_raw(h, "</td></tr>\n");
  }
  html_raw(h, "</tbody></table>\n");
  if (r->other_messages > 0) {
    html_raw(h, "<p class=\"more\">");
    html_u64(h, r->other_messages);
    html_raw(h, " more refusals with other texts.</p>\n");
  }
}

static void render_overview(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<div class=\"figures\">\n");
  figure(h, "endpoints", r->records, 0);
  figure(h, "answered", r->by_status[RS_OK], r->records);
  figure(h, "accept legacy TLS", r->by_class[CLASS_LEGACY] + r->by_class[CLASS_LEGACY_REFUSED],
         r->records);
  figure(h, "where legacy TLS works", r->findings[FINDING_LEGACY_APP], r->records);
  figure(h, "refuse it after the handshake", r->by_class[CLASS_LEGACY_REFUSED], r->records);
  figure(h, "modern TLS only", r->by_class[CLASS_MODERN], r->records);
  figure(h, "not reachable",
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

static void render_findings(struct html *h, const struct report *r, const void *ctx) {
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
    html_raw(h, severity_class(fi->severity));
    html_raw(h, "\">");
    html_text(h, fi->title);
    html_raw(h, "</td><td class=\"num\">");
    html_u64(h, r->findings[f]);
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

static int compliance_shown(const struct report *r, const void *ctx) {
  (void)ctx;
  return r->judged;
}

static void render_compliance(struct html *h, const struct report *r, const void *ctx) {
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
    html_u64(h, c->judged);
    html_printf(h, "</td><td class=\"num ok\">%llu <small>(%.0f%%)</small>",
                (unsigned long long)c->compliant, 100 * share(c->compliant, c->judged));
    html_printf(h, "</td><td class=\"num bad\">%llu <small>(%.0f%%)</small>",
                (unsigned long long)c->not_compliant, 100 * share(c->not_compliant, c->judged));
    html_printf(h, "</td><td class=\"num\">%llu <small>(%.0f%%)</small></td></tr>\n",
                (unsigned long long)c->unknown, 100 * share(c->unknown, c->judged));
  }
  html_raw(h, "</tbody></table>\n");
}

/* ---- refusal rates ------------------------------------------------------------------ */

static int rates_shown(const struct report *r, const void *ctx) {
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
           100 * share(refused, trials), 100 * lo, 100 * hi, (unsigned long long)refused,
           (unsigned long long)trials);
}

static void rate_short(uint64_t refused, uint64_t trials, double lo, double hi, char *out,
                       size_t cap) {
  snprintf(out, cap, "%.0f%% (%.0f\xe2\x80\x93%.0f%%)", 100 * share(refused, trials), 100 * lo,
           100 * hi);
}

static void render_rates(struct html *h, const struct report *r, const void *ctx) {
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
                                    .value = share(vc->refused, vc->trials),
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
                                       .value = share(rate->refused, rate->trials),
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
    html_u64(h, r->more_rates);
    html_raw(h, " more endpoint rates not drawn (the chart shows the first ones read).</p>\n");
  }
}

/* ---- tenants -------------------------------------------------------------------------- */

static int tenants_shown(const struct report *r, const void *ctx) {
  (void)ctx;
  return r->ngroups > 0;
}

/* group_compliance writes a tenant's compliance cell: per policy its
 * endpoints judged, the tenant as its worst (one not compliant makes it
 * not compliant, else one unknown unknown). */
static void group_compliance(struct html *h, const struct report_group *g) {
  html_raw(h, "<td class=\"policy\">");
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    const struct policy_counts *c = &g->policies[i];
    if (c->judged == 0) {
      continue;
    }
    html_raw(h, "<div>");
    html_text(h, policy_name(i));
    html_raw(h, c->not_compliant > 0 ? " not compliant"
                : c->unknown > 0     ? " unknown"
                                     : " compliant");
    html_printf(h, " <small>(%llu compliant, %llu not, %llu unknown)</small></div>",
                (unsigned long long)c->compliant, (unsigned long long)c->not_compliant,
                (unsigned long long)c->unknown);
  }
  html_raw(h, "</td>");
}

static void tenants_table(struct html *h, const struct report *r) {
  /* The domain and its DNS status come from tenant summaries; a scan's
   * labels have neither. */
  int summaries = 0;
  for (size_t i = 0; i < r->ngroups; i++) {
    summaries |= r->groups[i]->has_summary;
  }
  html_raw(h, "<div class=\"tw\"><table class=\"sortable\" id=\"tenants-table\"><thead><tr>"
              "<th>Tenant</th>");
  html_raw(h, summaries ? "<th>Domain</th>" : "");
  html_raw(h, "<th>Verdict</th><th class=\"num\">Endpoints</th>"
              "<th class=\"num\">Legacy TLS</th><th class=\"num\">Where it works</th>");
  html_raw(h, summaries ? "<th>DNS</th>" : "");
  html_raw(h, r->judged ? "<th>Compliance</th>" : "");
  html_raw(h, "</tr></thead><tbody>\n");
  for (size_t i = 0; i < r->ngroups; i++) {
    const struct report_group *g = r->groups[i];
    uint64_t legacy = g->by_class[CLASS_LEGACY] + g->by_class[CLASS_LEGACY_REFUSED];
    html_printf(h, "<tr data-tenant=\"%zu\"><td><a href=\"#t-%zu\">", i, i);
    html_text(h, g->name);
    html_raw(h, "</a></td>");
    if (summaries) {
      html_raw(h, "<td>");
      html_text(h, g->tenant);
      html_raw(h, "</td>");
    }
    html_printf(h, "<td data-v=\"%d\">", (int)g->verdict);
    badge(h, kReportVerdictNames[g->verdict], NULL);
    html_printf(h, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                   "<td class=\"num\">%llu</td>",
                (unsigned long long)g->records, (unsigned long long)legacy,
                (unsigned long long)g->findings[FINDING_LEGACY_APP]);
    if (summaries) {
      html_raw(h, "<td>");
      html_text(h, g->dns);
      html_raw(h, "</td>");
    }
    if (r->judged) {
      group_compliance(h, g);
    }
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table></div>\n");
  if (r->overflow_records > 0 || r->overflow_groups > 0) {
    html_printf(h, "<p class=\"more\">Only the first %d tenants or labels get a part of their "
                   "own; %llu more records and %llu more summaries are counted above but not "
                   "here.</p>\n",
                REPORT_GROUPS_MAX, (unsigned long long)r->overflow_records,
                (unsigned long long)r->overflow_groups);
  }
}

static void group_matrix(struct html *h, const struct report_group *g) {
  size_t n;
  struct report_row *const *rows = report_rows(&g->rows, &n);
  if (n == 0) {
    html_raw(h, "<p class=\"muted\">No endpoint records for this tenant.</p>\n");
    return;
  }
  html_raw(h, "<div class=\"tw\"><table class=\"matrix\"><thead><tr><th>Endpoint</th>"
              "<th>Verdict</th>");
  version_headings(h);
  html_raw(h, "<th>Certificate</th></tr></thead><tbody>\n");
  for (size_t k = 0; k < n; k++) {
    const struct report_row *row = rows[k];
    html_raw(h, "<tr class=\"ep\">");
    target_cell(h, row);
    class_cell(h, row);
    for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
      cell(h, i, row);
    }
    cert_cell(h, row);
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table></div>\n");
  dropped_note(h, &g->rows, "endpoints of this tenant");
}

static void group_advice(struct html *h, const struct report_group *g) {
  html_raw(h, "<h4>What to do</h4>\n<ul class=\"advice\">\n");
  int any = 0;
  for (int f = 0; f < FINDING_COUNT; f++) {
    if (g->findings[f] == 0) {
      continue;
    }
    any = 1;
    const struct finding_info *fi = finding_info((enum finding)f);
    html_raw(h, "<li><span class=\"");
    html_raw(h, severity_class(fi->severity));
    html_raw(h, "\">");
    html_text(h, fi->title);
    html_raw(h, "</span> on ");
    html_u64(h, g->findings[f]);
    html_raw(h, g->findings[f] == 1 ? " endpoint (" : " endpoints (");
    for (int k = 0; k < REPORT_EXAMPLES && g->examples[f][k] != NULL; k++) {
      html_raw(h, k > 0 ? ", " : "");
      html_text(h, g->examples[f][k]);
    }
    html_raw(h, g->findings[f] > REPORT_EXAMPLES ? ", ...): " : "): ");
    html_text(h, fi->advice);
    html_raw(h, "</li>\n");
  }
  if (!any) {
    html_raw(h, "<li class=\"muted\">Nothing to act on.</li>\n");
  }
  html_raw(h, "</ul>\n");
}

static void expiry_table(struct html *h, const struct expiry_set *set, time_t now) {
  if (set->n == 0) {
    html_printf(h, "<p class=\"muted\">No certificate expires within %d days.</p>\n",
                EXPLAIN_EXPIRING_DAYS);
    return;
  }
  html_raw(h, "<table class=\"expiring\"><thead><tr><th>Endpoint</th><th>Certificate</th>"
              "<th>Expires</th><th class=\"num\">Days left</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < set->n; i++) {
    const struct report_expiry *e = &set->v[i];
    char date[16];
    date_text(e->not_after, date, sizeof(date));
    html_raw(h, "<tr><td>");
    html_text(h, e->target);
    html_raw(h, "</td><td>");
    html_text(h, e->cert_name);
    html_printf(h, "</td><td>%s</td><td class=\"num\">%lld</td></tr>\n", date,
                (long long)((e->not_after - now) / 86400));
  }
  html_raw(h, "</tbody></table>\n");
  if (set->more > 0) {
    html_raw(h, "<p class=\"more\">");
    html_u64(h, set->more);
    html_raw(h, " more (the list keeps the soonest).</p>\n");
  }
}

static void render_tenants(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  tenants_table(h, r);
  for (size_t i = 0; i < r->ngroups; i++) {
    const struct report_group *g = r->groups[i];
    html_printf(h, "<article class=\"tenant\" id=\"t-%zu\" data-tenant=\"", i);
    html_text(h, g->name);
    html_raw(h, "\"><h3>");
    html_text(h, g->name);
    if (g->tenant != NULL && strcmp(g->tenant, g->name) != 0) {
      html_raw(h, " <small>");
      html_text(h, g->tenant);
      html_raw(h, "</small>");
    }
    html_raw(h, " ");
    badge(h, kReportVerdictNames[g->verdict], NULL);
    html_raw(h, "</h3>\n<p>");
    html_u64(h, g->records);
    html_raw(h, g->records == 1 ? " endpoint record" : " endpoint records");
    if (g->has_summary) {
      html_printf(h, "; the sweep found %llu endpoints, %llu with legacy TLS, %llu where it "
                     "works at the application level; DNS ",
                  (unsigned long long)g->summary_endpoints, (unsigned long long)g->summary_legacy,
                  (unsigned long long)g->summary_confirmed);
      html_text(h, g->dns != NULL ? g->dns : "unknown");
    }
    html_raw(h, ".</p>\n");
    group_matrix(h, g);
    group_advice(h, g);
    html_printf(h, "<h4>Certificates expiring within %d days</h4>\n", EXPLAIN_EXPIRING_DAYS);
    expiry_table(h, &g->expiring, r->now);
    html_raw(h, "</article>\n");
  }
}

/* ---- every endpoint ------------------------------------------------------------------ */

/* proto_index is the filter number of a row's protocol: its place among
 * the report's protocols, or REPORT_PROTOS_MAX for "other". */
static size_t proto_index(const struct report *r, const char *proto) {
  for (size_t p = 0; proto != NULL && p < r->nprotos; p++) {
    if (strcmp(r->protos[p].name, proto) == 0) {
      return p;
    }
  }
  return REPORT_PROTOS_MAX;
}

static void filters(struct html *h, const struct report *r) {
  html_raw(h, "<span class=\"filters\">Show:</span>\n"
              "<input type=\"radio\" name=\"fc\" id=\"fc-all\" checked>"
              "<label for=\"fc-all\">every class</label>\n");
  for (int c = 0; c < CLASS_COUNT; c++) {
    if (r->by_class[c] == 0) {
      continue;
    }
    const char *name = class_name((enum endpoint_class)c);
    html_printf(h, "<input type=\"radio\" name=\"fc\" id=\"fc-%s\"><label for=\"fc-%s\">", name,
                name);
    html_raw(h, class_words((enum endpoint_class)c));
    html_printf(h, " (%llu)</label>\n", (unsigned long long)r->by_class[c]);
  }
  html_raw(h, "<br>\n");
}

static void proto_filters(struct html *h, const struct report *r) {
  html_raw(h, "<span class=\"filters\">Protocol:</span>\n"
              "<input type=\"radio\" name=\"fp\" id=\"fp-all\" checked>"
              "<label for=\"fp-all\">all</label>\n");
  for (size_t p = 0; p <= REPORT_PROTOS_MAX; p++) {
    const struct proto_counts *pc = &r->protos[p];
    if ((p >= r->nprotos && p != REPORT_PROTOS_MAX) || pc->records == 0) {
      continue;
    }
    html_printf(h, "<input type=\"radio\" name=\"fp\" id=\"fp-%zu\"><label for=\"fp-%zu\">", p,
                p);
    html_text(h, pc->name != NULL ? pc->name : "other");
    html_raw(h, "</label>\n");
  }
}

static void render_endpoints(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  size_t n;
  struct report_row *const *rows = report_rows(&r->rows, &n);
  html_printf(h, "<p>%zu of %llu endpoint records, the worst first. The buttons filter "
                 "without scripts; with scripts on, a click on a heading sorts by it.</p>\n",
              n, (unsigned long long)r->records);
  /* The radio buttons are siblings before the table's wrapper, so that
   * the filter rules in the head ("#fc-legacy:checked ~ .tw ...") reach
   * its rows. */
  html_raw(h, "<div class=\"ft\">\n");
  filters(h, r);
  proto_filters(h, r);
  html_raw(h, "<div class=\"tw\"><table class=\"sortable\" id=\"endpoints-table\"><thead><tr>"
              "<th>Endpoint</th><th>Label</th><th>Verdict</th>");
  version_headings(h);
  html_raw(h, "<th>Certificate</th><th>Findings</th>");
  if (r->judged) {
    html_raw(h, "<th>Compliance</th>");
  }
  html_raw(h, "</tr></thead><tbody>\n");
  for (size_t k = 0; k < n; k++) {
    const struct report_row *row = rows[k];
    html_printf(h, "<tr class=\"row rc-%s rp-%zu\">", class_name(row->cls),
                proto_index(r, row->proto));
    target_cell(h, row);
    html_raw(h, "<td class=\"label\">");
    html_text(h, row->label);
    html_raw(h, "</td>");
    class_cell(h, row);
    for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
      cell(h, i, row);
    }
    cert_cell(h, row);
    html_raw(h, "<td class=\"findings\">");
    findings_text(h, row->findings);
    html_raw(h, "</td>");
    if (r->judged) {
      policy_cell(h, row);
    }
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table></div></div>\n");
  dropped_note(h, &r->rows, "endpoints");
}

/* ---- certificates, scans, inputs ---------------------------------------------------- */

static void render_certificates(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  char date[16];
  date_text(r->now, date, sizeof(date));
  html_printf(h, "<p>Certificates seen by confirmation handshakes that expire within %d days "
                 "of %s, or have expired.</p>\n",
              EXPLAIN_EXPIRING_DAYS, date);
  expiry_table(h, &r->expiring, r->now);
}

static int scans_shown(const struct report *r, const void *ctx) {
  (void)ctx;
  return r->nmetadata > 0;
}

/* json_value writes a value from a metadata file: a string as it is, a
 * real to a tenth, an object as "key value, ...", anything else as
 * compact JSON. */
static void json_value(struct html *h, const json_t *v) {
  if (json_is_string(v)) {
    html_text(h, json_string_value(v));
    return;
  }
  if (json_is_real(v)) {
    html_printf(h, "%.1f", json_real_value(v));
    return;
  }
  if (json_is_object(v)) {
    const char *key, *sep = "";
    const json_t *member;
    json_object_foreach((json_t *)v, key, member) {
      html_raw(h, sep);
      html_text(h, key);
      html_raw(h, " ");
      json_value(h, member);
      sep = ", ";
    }
    return;
  }
  char *text = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  html_text(h, text != NULL ? text : "");
  free(text);
}

/* meta_row writes a row of a metadata table, unless the value is absent
 * or null. */
static void meta_row(struct html *h, const char *what, const json_t *v) {
  if (v == NULL || json_is_null(v)) {
    return;
  }
  html_raw(h, "<tr><th>");
  html_raw(h, what);
  html_raw(h, "</th><td>");
  json_value(h, v);
  html_raw(h, "</td></tr>\n");
}

static void render_scans(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  for (size_t i = 0; i < r->nmetadata; i++) {
    const json_t *m = r->metadata[i];
    const json_t *opts = json_object_get(m, "options");
    html_raw(h, "<h3>");
    html_text(h, r->metadata_names[i]);
    html_raw(h, "</h3>\n<table class=\"meta\"><tbody>\n");
    meta_row(h, "tlssweep", json_object_get(m, "version"));
    const json_t *cmd = json_object_get(m, "command");
    if (json_is_array(cmd)) {
      html_raw(h, "<tr><th>Command</th><td><code>tlssweep");
      for (size_t k = 0; k < json_array_size(cmd); k++) {
        html_raw(h, " ");
        json_value(h, json_array_get(cmd, k));
      }
      html_raw(h, "</code></td></tr>\n");
    }
    meta_row(h, "Started", json_object_get(m, "start"));
    meta_row(h, "Ended", json_object_get(m, "end"));
    meta_row(h, "Seconds", json_object_get(m, "duration_s"));
    meta_row(h, "Seed", json_object_get(opts, "seed"));
    meta_row(h, "Shard (part, parts)", json_object_get(opts, "shard"));
    meta_row(h, "Targets", json_object_get(m, "targets"));
    meta_row(h, "Statuses", json_object_get(m, "status"));
    meta_row(h, "Stopped by", json_object_get(m, "stopped_by"));
    html_raw(h, "</tbody></table>\n");
    if (json_is_object(opts)) {
      html_raw(h, "<details><summary>Every setting</summary><table class=\"meta\"><tbody>\n");
      const char *key;
      const json_t *v;
      json_object_foreach((json_t *)opts, key, v) {
        html_raw(h, "<tr><th>");
        html_text(h, key);
        html_raw(h, "</th><td>");
        json_value(h, v);
        html_raw(h, "</td></tr>\n");
      }
      html_raw(h, "</tbody></table></details>\n");
    }
  }
}

static void render_inputs(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  html_raw(h, "<table id=\"inputs-table\"><thead><tr><th>File</th><th class=\"num\">Records</th>"
              "<th class=\"num\">Tenant summaries</th><th class=\"num\">Bad lines</th></tr>"
              "</thead><tbody>\n");
  for (size_t i = 0; i < r->ninputs; i++) {
    const struct report_input *in = &r->inputs[i];
    html_raw(h, "<tr><td>");
    html_text(h, in->name);
    html_printf(h, "</td><td class=\"num\">%llu</td><td class=\"num\">%llu</td>"
                   "<td class=\"num\">%llu</td></tr>\n",
                (unsigned long long)in->records, (unsigned long long)in->summaries,
                (unsigned long long)in->bad_lines);
  }
  html_raw(h, "</tbody></table>\n");
  if (r->out_of_memory) {
    html_raw(h, "<p class=\"sev-critical\">Memory ran short while reading: this report is "
                "incomplete.</p>\n");
  }
  if (r->errors_total == 0) {
    return;
  }
  html_printf(h, "<h3>Input errors (%llu)</h3>\n<ul id=\"input-errors\">\n",
              (unsigned long long)r->errors_total);
  for (size_t i = 0; i < r->nerrors; i++) {
    html_raw(h, "<li>");
    html_text(h, r->errors[i].where);
    html_raw(h, ": ");
    html_text(h, r->errors[i].what);
    html_raw(h, "</li>\n");
  }
  html_raw(h, "</ul>\n");
  if (r->errors_total > r->nerrors) {
    html_raw(h, "<p class=\"more\">");
    html_u64(h, r->errors_total - r->nerrors);
    html_raw(h, " more.</p>\n");
  }
}

static const struct report_section kSections[] = {
    {.id = "overview", .title = "Overview", .render = render_overview},
    {.id = "findings", .title = "Findings", .render = render_findings},
    {.id = "compliance",
     .title = "Compliance",
     .shown = compliance_shown,
     .render = render_compliance},
    {.id = "rates", .title = "Refusal rates", .shown = rates_shown, .render = render_rates},
    {.id = "tenants", .title = "Tenants", .shown = tenants_shown, .render = render_tenants},
    {.id = "endpoints", .title = "Endpoints", .render = render_endpoints},
    {.id = "certificates", .title = "Certificates", .render = render_certificates},
    {.id = "scans", .title = "Scans", .shown = scans_shown, .render = render_scans},
    {.id = "inputs", .title = "Inputs", .render = render_inputs},
};

/* ---- the page ---------------------------------------------------------------------- */

/* script_hash writes the CSP source of kScript: 'sha256-BASE64'. */
static void script_hash(char *out, size_t cap) {
  uint8_t digest[SHA256_DIGEST_LENGTH];
  SHA256((const uint8_t *)kScript, sizeof(kScript) - 1, digest);
  uint8_t b64[64];
  EVP_EncodeBlock(b64, digest, sizeof(digest));
  snprintf(out, cap, "'sha256-%s'", (const char *)b64);
}

/* filter_css writes the rules behind the endpoint table's radio buttons:
 * a checked button hides the rows of every other class or protocol. */
static void filter_css(struct html *h, const struct report *r) {
  for (int c = 0; c < CLASS_COUNT; c++) {
    const char *name = class_name((enum endpoint_class)c);
    html_printf(h, "#fc-%s:checked~.tw tr.row:not(.rc-%s){display:none}\n", name, name);
  }
  for (size_t p = 0; p <= REPORT_PROTOS_MAX; p++) {
    if (p < r->nprotos || p == REPORT_PROTOS_MAX) {
      html_printf(h, "#fp-%zu:checked~.tw tr.row:not(.rp-%zu){display:none}\n", p, p);
    }
  }
}

static void head(struct html *h, const struct report *r, const char *title) {
  char csp[96];
  script_hash(csp, sizeof(csp));
  html_raw(h, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
              "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
              "style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'; "
              "script-src ");
  html_raw(h, csp);
  html_raw(h, "\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n"
              "<meta name=\"generator\" content=\"tlssweep\">\n<title>");
  html_text(h, title);
  html_raw(h, "</title>\n<style>\n");
  html_raw(h, kCss);
  filter_css(h, r);
  html_raw(h, "</style></head>\n");
}

static int section_shown(const struct report_section *s, const struct report *r) {
  return s->shown == NULL || s->shown(r, s->ctx);
}

static void section(struct html *h, const struct report_section *s, const struct report *r) {
  html_raw(h, "<section id=\"");
  html_raw(h, s->id);
  html_raw(h, "\"><h2>");
  html_text(h, s->title);
  html_raw(h, "</h2>\n");
  s->render(h, r, s->ctx);
  html_raw(h, "</section>\n");
}

int report_write_page(const struct report *r, const struct report_page *page, FILE *f) {
  struct html h = {.f = f};
  const char *title = page->title != NULL ? page->title : "tlssweep report";
  head(&h, r, title);
  char when[32];
  struct tm tm;
  gmtime_r(&r->now, &tm);
  strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
  html_raw(&h, "<body>\n<header><h1>");
  html_text(&h, title);
  if (page->extra_only) {
    html_printf(&h, "</h1><p>Made %s by tlssweep ", when);
  } else {
    html_printf(&h, "</h1><p>%llu endpoint records and %llu tenant summaries from %zu %s; made "
                    "%s by tlssweep ",
                (unsigned long long)r->records, (unsigned long long)r->summaries, r->ninputs,
                r->ninputs == 1 ? "file" : "files", when);
  }
  html_text(&h, page->version);
  html_raw(&h, "</p></header>\n<nav>");
  /* A page of extra sections alone (trends without results files) skips
   * the built-in ones, which would all be empty. */
  size_t nbuiltin = page->extra_only ? 0 : sizeof(kSections) / sizeof(kSections[0]);
  for (size_t i = 0; i < nbuiltin + page->nextra; i++) {
    const struct report_section *s = i < nbuiltin ? &kSections[i] : &page->extra[i - nbuiltin];
    if (section_shown(s, r)) {
      html_raw(&h, "<a href=\"#");
      html_raw(&h, s->id);
      html_raw(&h, "\">");
      html_text(&h, s->title);
      html_raw(&h, "</a>");
    }
  }
  html_raw(&h, "</nav>\n<main>\n");
  for (size_t i = 0; i < nbuiltin + page->nextra; i++) {
    const struct report_section *s = i < nbuiltin ? &kSections[i] : &page->extra[i - nbuiltin];
    if (section_shown(s, r)) {
      section(&h, s, r);
    }
  }
  html_raw(&h, "</main>\n<script>");
  html_raw(&h, kScript);
  html_raw(&h, "</script>\n</body></html>\n");
  return !h.failed && fflush(f) == 0 && !ferror(f);
}
