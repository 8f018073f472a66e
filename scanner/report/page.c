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

#include "scanner/report/parts.h"

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
