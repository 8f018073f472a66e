/* scanner/report/tables.c: the report's sections of rows: one part per
 * tenant (verdict, version matrix, advice, expiring certificates), every
 * endpoint with its filters, certificates, the scans' metadata and the
 * inputs with their errors. */
#include <stdlib.h>
#include <string.h>

#include "scanner/base/stats.h"
#include "scanner/report/parts.h"
#include "scanner/report/svg.h"

/* ---- tenants -------------------------------------------------------------------------- */

int tenants_shown(const struct report *r, const void *ctx) {
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
    page_badge(h, kReportVerdictNames[g->verdict], NULL);
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
  page_version_headings(h);
  html_raw(h, "<th>Certificate</th></tr></thead><tbody>\n");
  for (size_t k = 0; k < n; k++) {
    const struct report_row *row = rows[k];
    html_raw(h, "<tr class=\"ep\">");
    page_target_cell(h, row);
    page_class_cell(h, row);
    for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
      page_cell(h, i, row);
    }
    page_cert_cell(h, row);
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table></div>\n");
  page_dropped_note(h, &g->rows, "endpoints of this tenant");
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
    html_raw(h, page_severity_class(fi->severity));
    html_raw(h, "\">");
    html_text(h, fi->title);
    html_raw(h, "</span> on ");
    page_html_u64(h, g->findings[f]);
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
    page_date_text(e->not_after, date, sizeof(date));
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
    page_html_u64(h, set->more);
    html_raw(h, " more (the list keeps the soonest).</p>\n");
  }
}

void render_tenants(struct html *h, const struct report *r, const void *ctx) {
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
    page_badge(h, kReportVerdictNames[g->verdict], NULL);
    html_raw(h, "</h3>\n<p>");
    page_html_u64(h, g->records);
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

void render_endpoints(struct html *h, const struct report *r, const void *ctx) {
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
  page_version_headings(h);
  html_raw(h, "<th>Certificate</th><th>Findings</th>");
  if (r->judged) {
    html_raw(h, "<th>Compliance</th>");
  }
  html_raw(h, "</tr></thead><tbody>\n");
  for (size_t k = 0; k < n; k++) {
    const struct report_row *row = rows[k];
    html_printf(h, "<tr class=\"row rc-%s rp-%zu\">", class_name(row->cls),
                proto_index(r, row->proto));
    page_target_cell(h, row);
    html_raw(h, "<td class=\"label\">");
    html_text(h, row->label);
    html_raw(h, "</td>");
    page_class_cell(h, row);
    for (int i = 0; i < EXPLAIN_VERSIONS; i++) {
      page_cell(h, i, row);
    }
    page_cert_cell(h, row);
    html_raw(h, "<td class=\"findings\">");
    page_findings_text(h, row->findings);
    html_raw(h, "</td>");
    if (r->judged) {
      page_policy_cell(h, row);
    }
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table></div></div>\n");
  page_dropped_note(h, &r->rows, "endpoints");
}

/* ---- certificates, scans, inputs ---------------------------------------------------- */

void render_certificates(struct html *h, const struct report *r, const void *ctx) {
  (void)ctx;
  char date[16];
  page_date_text(r->now, date, sizeof(date));
  html_printf(h, "<p>Certificates seen by confirmation handshakes that expire within %d days "
                 "of %s, or have expired.</p>\n",
              EXPLAIN_EXPIRING_DAYS, date);
  expiry_table(h, &r->expiring, r->now);
}

int scans_shown(const struct report *r, const void *ctx) {
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

void render_scans(struct html *h, const struct report *r, const void *ctx) {
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

void render_inputs(struct html *h, const struct report *r, const void *ctx) {
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
    page_html_u64(h, r->errors_total - r->nerrors);
    html_raw(h, " more.</p>\n");
  }
}

