/* scanner/report/trends.c: trends from a history database (see trends.h).
 *
 * The series come from store_history, oldest run first; the last
 * TRENDS_RUNS are kept by shifting the array when it is full (a run is a
 * few hundred bytes, and there are few). Drawing uses the page's own charts
 * (svg.h): bars for shares, points with error bars for refusal rates, a
 * grid of small bars for the tenants. Every string from the database (a
 * tenant's name, a kind, a state) goes through html_text or the charts'
 * labels, which escape it. */
#include "scanner/report/trends.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

#include "scanner/report/html.h"
#include "scanner/report/svg.h"

/* The versions whose refusal a confirmation measures: TLS 1.0 and 1.1. */
static const int kRateVersions[] = {1, 2};
#define NRATES (sizeof(kRateVersions) / sizeof(kRateVersions[0]))

static double share(int64_t part, int64_t whole) {
  return whole > 0 ? (double)part / (double)whole : 0.0;
}

static void on_run(void *ctx, const struct history_point *p) {
  struct trends *t = ctx;
  if (t->nruns == TRENDS_RUNS) {
    memmove(&t->runs[0], &t->runs[1], (TRENDS_RUNS - 1) * sizeof(t->runs[0]));
    t->nruns--;
    t->older_runs++;
  }
  struct trends_run *r = &t->runs[t->nruns++];
  r->run = p->run;
  r->endpoints = p->endpoints;
  r->legacy = p->legacy;
  r->legacy_app = p->legacy_app;
  r->tenants = p->tenants;
  r->tenants_legacy = p->tenants_legacy;
  memcpy(r->rate, p->rate, sizeof(r->rate));
}

/* grid_column is the grid's column of run |id|, or -1 when the run is not
 * one of the grid's. */
static int grid_column(const struct trends *t, int64_t id) {
  size_t first = t->nruns > TRENDS_GRID_RUNS ? t->nruns - TRENDS_GRID_RUNS : 0;
  for (size_t i = first; i < t->nruns; i++) {
    if (t->runs[i].run.id == id) {
      return (int)(i - first);
    }
  }
  return -1;
}

struct tenant_load {
  struct trends *t;
  char last[128];             /* the tenant of the last point */
  int kept;                   /* ... and whether it is in the grid */
};

static void on_tenant(void *ctx, const struct history_point *p) {
  struct tenant_load *l = ctx;
  struct trends *t = l->t;
  if (strncmp(l->last, p->subject, sizeof(l->last) - 1) != 0 || l->last[0] == '\0') {
    snprintf(l->last, sizeof(l->last), "%s", p->subject);
    l->kept = t->ntenants < TRENDS_TENANTS;
    if (l->kept) {
      snprintf(t->tenant_names[t->ntenants++], sizeof(t->tenant_names[0]), "%s", p->subject);
    } else {
      t->more_tenants++;
    }
  }
  int col = grid_column(t, p->run.id);
  if (!l->kept || col < 0) {
    return;
  }
  struct trends_cell *c = &t->cells[t->ntenants - 1][col];
  c->present = 1;
  c->endpoints = p->endpoints;
  c->legacy = p->legacy;
  snprintf(c->verdict, sizeof(c->verdict), "%s", p->verdict ? p->verdict : "");
}

int trends_load(struct trends *t, struct store *s, const char *source) {
  memset(t, 0, sizeof(*t));
  snprintf(t->source, sizeof(t->source), "%s", source);
  struct tenant_load l = {.t = t};
  return store_history(s, NULL, NULL, on_run, t) &&
         store_history(s, STORE_EVERY_TENANT, NULL, on_tenant, &l);
}

/* ---- drawing ------------------------------------------------------------------------- */

static void run_label(const struct trends_run *r, char *out, size_t cap) {
  char day[16];
  time_t when = (time_t)r->run.started_at;
  struct tm tm;
  gmtime_r(&when, &tm);
  strftime(day, sizeof(day), "%Y-%m-%d", &tm);
  snprintf(out, cap, "run %lld, %s%s", (long long)r->run.id, day,
           strcmp(r->run.state, "complete") == 0 ? "" : " (incomplete)");
}

static void rate_text(const struct history_rate *r, char *out, size_t cap) {
  snprintf(out, cap, "%.0f%% (%llu of %llu; 95%% CI %.0f-%.0f%%)",
           100 * share((int64_t)r->refused, (int64_t)r->handshakes),
           (unsigned long long)r->refused, (unsigned long long)r->handshakes, 100 * r->lo,
           100 * r->hi);
}

static void runs_table(struct html *h, const struct trends *t) {
  html_raw(h, "<table id=\"trend-runs\"><thead><tr><th>Run</th><th>Started (UTC)</th>"
              "<th>Kind</th><th>State</th><th class=\"num\">Endpoints</th>"
              "<th class=\"num\">Legacy</th><th class=\"num\">Legacy works</th>"
              "<th class=\"num\">Tenants legacy</th><th>TLS 1.0 refused</th>"
              "<th>TLS 1.1 refused</th></tr></thead><tbody>\n");
  for (size_t i = 0; i < t->nruns; i++) {
    const struct trends_run *r = &t->runs[i];
    char when[32], rate[96];
    time_t started = (time_t)r->run.started_at;
    struct tm tm;
    gmtime_r(&started, &tm);
    strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
    html_printf(h, "<tr><td class=\"num\">%lld</td><td>", (long long)r->run.id);
    html_text(h, when);
    html_raw(h, "</td><td>");
    html_text(h, r->run.kind);
    html_raw(h, "</td><td>");
    html_text(h, r->run.state);
    html_printf(h, "</td><td class=\"num\">%lld</td><td class=\"num\">%lld (%.0f%%)</td>"
                   "<td class=\"num\">%lld</td><td class=\"num\">%lld of %lld</td>",
                (long long)r->endpoints, (long long)r->legacy,
                100 * share(r->legacy, r->endpoints), (long long)r->legacy_app,
                (long long)r->tenants_legacy, (long long)r->tenants);
    for (size_t k = 0; k < NRATES; k++) {
      const struct history_rate *hr = &r->rate[kRateVersions[k]];
      html_raw(h, "<td>");
      if (hr->handshakes > 0) {
        rate_text(hr, rate, sizeof(rate));
        html_text(h, rate);
      } else {
        html_raw(h, "&ndash;");
      }
      html_raw(h, "</td>");
    }
    html_raw(h, "</tr>\n");
  }
  html_raw(h, "</tbody></table>\n");
}

static void render_trends(struct html *h, const struct report *r, const void *ctx) {
  (void)r;
  const struct trends *t = ctx;
  html_raw(h, "<p>The runs kept in the history database <code>");
  html_text(h, t->source);
  html_printf(h, "</code>, oldest first (the last %d", TRENDS_RUNS);
  if (t->older_runs > 0) {
    html_printf(h, "; %llu older not shown", (unsigned long long)t->older_runs);
  }
  html_raw(h, "). A run that was stopped, failed or died is marked incomplete: its figures "
              "cover only what it stored. The refusal rates are the shares of completed "
              "confirmation handshakes the application refused, with 95% Wilson intervals: "
              "a retirement rolled out gradually shows as a rising series, and two runs "
              "differ only where their intervals do not overlap (<code>tlssweep diff</code>)."
              "</p>\n");
  runs_table(h, t);
  struct chart_bar bars[TRENDS_RUNS];
  char labels[TRENDS_RUNS][48], values[TRENDS_RUNS][48], titles[TRENDS_RUNS][128];
  for (size_t i = 0; i < t->nruns; i++) {
    const struct trends_run *tr = &t->runs[i];
    run_label(tr, labels[i], sizeof(labels[i]));
    snprintf(values[i], sizeof(values[i]), "%.0f%% (%lld of %lld)",
             100 * share(tr->legacy, tr->endpoints), (long long)tr->legacy,
             (long long)tr->endpoints);
    snprintf(titles[i], sizeof(titles[i]), "%s: %lld of %lld endpoints accept legacy TLS",
             labels[i], (long long)tr->legacy, (long long)tr->endpoints);
    bars[i] = (struct chart_bar){.label = labels[i],
                                 .value = share(tr->legacy, tr->endpoints),
                                 .value_text = values[i],
                                 .css = "k-legacy",
                                 .title = titles[i]};
  }
  html_raw(h, "<div class=\"charts\">\n");
  chart_bars(h, "trend-legacy", "Endpoints accepting SSLv3, TLS 1.0 or 1.1, run by run", bars,
             t->nruns, 1.0);
  static const char *const kIds[NRATES] = {"trend-tls10", "trend-tls11"};
  static const char *const kCaptions[NRATES] = {
      "TLS 1.0 refused by the application, run by run (95% CI)",
      "TLS 1.1 refused by the application, run by run (95% CI)"};
  for (size_t k = 0; k < NRATES; k++) {
    struct chart_interval iv[TRENDS_RUNS];
    char brief[TRENDS_RUNS][48], full[TRENDS_RUNS][160];
    size_t n = 0;
    for (size_t i = 0; i < t->nruns; i++) {
      const struct history_rate *hr = &t->runs[i].rate[kRateVersions[k]];
      if (hr->handshakes == 0) {
        continue;
      }
      snprintf(brief[n], sizeof(brief[n]), "%.0f%% (%.0f-%.0f%%)",
               100 * share((int64_t)hr->refused, (int64_t)hr->handshakes), 100 * hr->lo,
               100 * hr->hi);
      char rate[96];
      rate_text(hr, rate, sizeof(rate));
      snprintf(full[n], sizeof(full[n]), "%s: %s", labels[i], rate);
      iv[n] = (struct chart_interval){.label = labels[i],
                                      .value = share((int64_t)hr->refused,
                                                     (int64_t)hr->handshakes),
                                      .lo = hr->lo,
                                      .hi = hr->hi,
                                      .value_text = brief[n],
                                      .title = full[n]};
      n++;
    }
    if (n > 0) {
      chart_intervals(h, kIds[k], kCaptions[k], iv, n);
    }
  }
  html_raw(h, "</div>\n");
}

static int tenants_shown(const struct report *r, const void *ctx) {
  (void)r;
  const struct trends *t = ctx;
  return t->ntenants > 0;
}

static void render_tenant_trends(struct html *h, const struct report *r, const void *ctx) {
  (void)r;
  const struct trends *t = ctx;
  size_t first = t->nruns > TRENDS_GRID_RUNS ? t->nruns - TRENDS_GRID_RUNS : 0;
  size_t ncols = t->nruns - first;
  html_printf(h, "<p>Each tenant's share of endpoints accepting legacy TLS over the last %zu "
                 "runs (a dash: the tenant was not in that run)",
              ncols);
  if (t->more_tenants > 0) {
    html_printf(h, "; the first %d tenants by name, %llu more in <code>tlssweep history "
                   "--tenants</code>",
                TRENDS_TENANTS, (unsigned long long)t->more_tenants);
  }
  html_raw(h, ".</p>\n");
  const char *rows[TRENDS_TENANTS];
  const char *cols[TRENDS_GRID_RUNS];
  char colnames[TRENDS_GRID_RUNS][24];
  struct chart_bar cells[TRENDS_TENANTS * TRENDS_GRID_RUNS];
  char values[TRENDS_TENANTS * TRENDS_GRID_RUNS][24];
  char titles[TRENDS_TENANTS * TRENDS_GRID_RUNS][200];
  for (size_t j = 0; j < ncols; j++) {
    snprintf(colnames[j], sizeof(colnames[j]), "run %lld", (long long)t->runs[first + j].run.id);
    cols[j] = colnames[j];
  }
  for (size_t i = 0; i < t->ntenants; i++) {
    rows[i] = t->tenant_names[i];
    for (size_t j = 0; j < ncols; j++) {
      const struct trends_cell *c = &t->cells[i][j];
      size_t k = i * ncols + j;
      if (c->present) {
        snprintf(values[k], sizeof(values[k]), "%lld/%lld", (long long)c->legacy,
                 (long long)c->endpoints);
        snprintf(titles[k], sizeof(titles[k]), "%.100s, run %lld: %s, %lld of %lld endpoints legacy",
                 t->tenant_names[i], (long long)t->runs[first + j].run.id, c->verdict,
                 (long long)c->legacy, (long long)c->endpoints);
      } else {
        snprintf(values[k], sizeof(values[k]), "-");
        snprintf(titles[k], sizeof(titles[k]), "%.100s: not in run %lld", t->tenant_names[i],
                 (long long)t->runs[first + j].run.id);
      }
      cells[k] = (struct chart_bar){.label = "",
                                    .value = c->present ? share(c->legacy, c->endpoints) : 0,
                                    .value_text = values[k],
                                    .css = c->legacy > 0 ? "k-legacy" : "k-modern",
                                    .title = titles[k]};
    }
  }
  html_raw(h, "<div class=\"charts\">\n");
  chart_grid(h, "trend-tenants", "Legacy share per tenant, run by run", rows, t->ntenants, cols,
             ncols, cells, 1.0);
  html_raw(h, "</div>\n");
}

size_t trends_sections(const struct trends *t, struct report_section *out) {
  out[0] = (struct report_section){
      .id = "trends", .title = "Trends", .render = render_trends, .ctx = t};
  out[1] = (struct report_section){.id = "tenant-trends",
                                   .title = "Tenant trends",
                                   .shown = tenants_shown,
                                   .render = render_tenant_trends,
                                   .ctx = t};
  return 2;
}
