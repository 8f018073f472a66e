/* scanner/report/parts.h: what the report page's files share, private to
 * scanner/report: page.c (the page: head, script, the list of sections),
 * parts.c (small helpers, and the cells and rows of the tables), summary.c
 * (overview, findings, compliance, refusal rates) and tables.c (tenants,
 * every endpoint, certificates, scans, inputs). */
#ifndef SCANNER_REPORT_PARTS_H
#define SCANNER_REPORT_PARTS_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scanner/output/explain.h"
#include "scanner/report/html.h"
#include "scanner/report/model.h"

/* ---- parts.c ---- */
double page_share(uint64_t part, uint64_t whole);
void page_date_text(time_t t, char *out, size_t cap);
void page_html_u64(struct html *h, uint64_t v);
void page_figure(struct html *h, const char *what, uint64_t n, uint64_t of);
void page_badge(struct html *h, const char *name, const char *words);
const char *page_severity_class(enum finding_severity s);
int page_is_legacy_version(int i);
void page_cell(struct html *h, int version, const struct report_row *row);
void page_version_headings(struct html *h);
void page_target_cell(struct html *h, const struct report_row *row);
void page_class_cell(struct html *h, const struct report_row *row);
void page_findings_text(struct html *h, uint32_t findings);
void page_cert_cell(struct html *h, const struct report_row *row);
void page_policy_cell(struct html *h, const struct report_row *row);
void page_dropped_note(struct html *h, const struct row_set *set, const char *what);

/* ---- the built-in sections (summary.c, tables.c) ---- */
void render_overview(struct html *h, const struct report *r, const void *ctx);
void render_findings(struct html *h, const struct report *r, const void *ctx);
int compliance_shown(const struct report *r, const void *ctx);
void render_compliance(struct html *h, const struct report *r, const void *ctx);
int rates_shown(const struct report *r, const void *ctx);
void render_rates(struct html *h, const struct report *r, const void *ctx);
int tenants_shown(const struct report *r, const void *ctx);
void render_tenants(struct html *h, const struct report *r, const void *ctx);
void render_endpoints(struct html *h, const struct report *r, const void *ctx);
void render_certificates(struct html *h, const struct report *r, const void *ctx);
int scans_shown(const struct report *r, const void *ctx);
void render_scans(struct html *h, const struct report *r, const void *ctx);
void render_inputs(struct html *h, const struct report *r, const void *ctx);

#endif /* SCANNER_REPORT_PARTS_H */
