/* tests/scanner/report_test.c: the HTML report's parts.
 *
 * html_text's escaping is checked against a table (markup, quotes, control
 * and C1 characters, bidirectional overrides, ill-formed UTF-8, NUL). A
 * report built from records whose every string is hostile (markup in the
 * target, the label, the server's refusal, the certificate's name, the
 * protocol) must come out with no markup but its own: one <script>, no
 * <img>, no attribute opened by a record. The bounds hold: 20,000 modern
 * records and three legacy ones at the end keep 100 rows, the legacy ones
 * first; 300 labels make 200 groups and count the rest apart. Groups get
 * the verdict `tenants` would give, and a tenant summary's verdict wins.
 * The JSON Lines reader names each bad line (not JSON, not an object, not
 * a record, longer than a line may be, cut by a NUL) and reads on; blank
 * lines and CRLF endings are fine. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/report/html.h"
#include "scanner/report/jsonl.h"
#include "scanner/report/model.h"
#include "scanner/report/page.h"

/* A memory FILE and what was written to it. */
struct mem {
  FILE *f;
  char *data;
  size_t len;
};

static void mem_open(struct mem *m) {
  m->data = NULL;
  m->len = 0;
  m->f = open_memstream(&m->data, &m->len);
  assert_non_null(m->f);
}

static void mem_close(struct mem *m) {
  assert_int_equal(fclose(m->f), 0);
}

static void escape_case(const char *in, size_t len, const char *want) {
  struct mem m;
  mem_open(&m);
  struct html h = {.f = m.f};
  html_textn(&h, in, len);
  mem_close(&m);
  assert_false(h.failed);
  assert_string_equal(m.data, want);
  free(m.data);
}

#define FFFD "\xef\xbf\xbd"

static void test_escape(void **state) {
  (void)state;
  escape_case("plain text", 10, "plain text");
  escape_case("<script>alert('x')</script>", 27,
              "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  escape_case("a\"b&c", 5, "a&quot;b&amp;c");
  escape_case("t\tn\n", 4, "t\tn\n");
  escape_case("\033[31m\r\x7f", 7, FFFD "[31m" FFFD FFFD);
  escape_case("a\0b", 3, "a" FFFD "b");
  escape_case("\xc2\x9b", 2, FFFD);                       /* C1 CSI */
  escape_case("\xe2\x80\xae" "x", 4, FFFD "x");           /* RLO */
  escape_case("\xff\xfe" "ok", 4, FFFD FFFD "ok");        /* ill-formed */
  escape_case("\xc3\xa9t\xc3\xa9 \xe2\x82\xac", 9, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac");
}

static json_t *load(const char *text) {
  json_error_t err;
  json_t *o = json_loads(text, JSON_ALLOW_NUL, &err);
  if (o == NULL) {
    fail_msg("bad test JSON: %s", err.text);
  }
  return o;
}

static void add(struct report *r, const char *text) {
  json_t *o = load(text);
  assert_true(report_add_record(r, o));
  json_decref(o);
}

/* page writes |r|'s page into memory; the caller frees the text. */
static char *page(struct report *r) {
  report_finish(r);
  struct mem m;
  mem_open(&m);
  struct report_page p = {.version = "test"};
  assert_true(report_write_page(r, &p, m.f));
  mem_close(&m);
  return m.data;
}

static size_t count(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p != NULL; p = strstr(p + 1, needle)) {
    n++;
  }
  return n;
}

static const char kHostile[] =
    "{\"target\":\"<script>document.title='pwned'</script>\",\"ip\":\"\\\"><img src=x>\","
    "\"proto\":\"<u>imaps\",\"label\":\"<img src=x onerror=alert(1)>\",\"status\":\"ok\","
    "\"versions\":{\"tls1.0\":{\"verdict\":\"accepted\",\"cipher\":\"<i>c\","
    "\"confirm\":{\"handshake\":\"ok\",\"app\":\"refused\","
    "\"app_message\":\"-ERR <script>alert(2)</script>\\u001b[2J\\u0000\\u202e'\\\"\"}},"
    "\"tls1.2\":{\"verdict\":\"rejected\",\"reason\":\"<svg onload=alert(3)>\","
    "\"reply\":\"</td></tr></table><script>alert(4)</script>\"}},"
    "\"legacy\":true,\"legacy_app\":false,"
    "\"cert\":{\"subject\":\"CN=<script>alert(5)</script>\",\"not_after\":\"2000-01-01T00:00:00Z\","
    "\"expired\":true},"
    "\"policy\":{\"pci-dss-4.0\":{\"compliant\":false,\"violations\":[\"accepts <script>alert(6)"
    "</script>\"],\"unknown\":[\"<img src=x>\\n<u>x\"]},\"<b>evil</b>\":{\"compliant\":true}}}";

static void test_hostile_page(void **state) {
  (void)state;
  struct report r;
  assert_true(report_init(&r, 1700000000, 100));
  assert_true(report_add_input(&r, "<i>file</i>.jsonl"));
  add(&r, kHostile);
  json_t *sum = load("{\"tenant\":\"t.test\",\"label\":\"<img src=x onerror=alert(1)>\","
                     "\"verdict\":\"legacy\",\"dns\":\"<u>ok\",\"endpoints\":[\"a\"],"
                     "\"legacy_endpoints\":[\"a\"],\"legacy_confirmed\":[]}");
  assert_true(report_add_summary(&r, sum));
  json_decref(sum);
  json_t *meta = load("{\"version\":\"<script>x</script>\",\"command\":[\"scan\",\"<b>\"],"
                      "\"options\":{\"<k>\":\"<v>\",\"seed\":1}}");
  assert_true(report_add_metadata(&r, meta, "<m>.json"));
  json_decref(meta);
  report_add_error(&r, "<f> line 1", "not JSON (<x>)");
  char *html = page(&r);
  assert_int_equal(count(html, "<script"), 1);       /* ours, at the end */
  assert_int_equal(count(html, "<img"), 0);
  assert_int_equal(count(html, "<svg onload"), 0);
  assert_int_equal(count(html, "<u>"), 0);
  assert_int_equal(count(html, "<i>"), 0);
  assert_int_equal(count(html, "</table><script"), 0);
  assert_non_null(strstr(html, "&lt;script&gt;document.title=&#39;pwned&#39;&lt;/script&gt;"));
  assert_non_null(strstr(html, "&lt;img src=x onerror=alert(1)&gt;"));
  assert_null(strchr(html, '\033'));
  assert_null(strstr(html, "\xe2\x80\xae"));
  /* Compliance: the policies policies.h knows, counted and shown escaped;
   * a name it does not know is left out. */
  assert_non_null(strstr(html, "id=\"compliance-table\""));
  assert_non_null(strstr(html, "pci-dss-4.0 not compliant: accepts &lt;script&gt;alert(6)"));
  assert_null(strstr(html, "evil"));
  uint32_t pci;
  char bad[80];
  assert_true(policies_parse("pci-dss-4.0", &pci, bad, sizeof(bad)));
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    assert_int_equal(r.policies[i].judged, pci == 1u << i);
    assert_int_equal(r.policies[i].not_compliant, pci == 1u << i);
    assert_int_equal(r.groups[0]->policies[i].not_compliant, pci == 1u << i);
  }
  /* ... and the tenant, as its worst endpoint, in the tenants' table. */
  assert_non_null(strstr(html, "pci-dss-4.0 not compliant <small>(0 compliant, 1 not, 0 unknown)"));
  /* The tenant summary joined its label's records. */
  assert_int_equal(r.ngroups, 1);
  assert_int_equal(r.groups[0]->verdict, RV_LEGACY);
  assert_int_equal(r.groups[0]->records, 1);
  /* A CSP allows our script alone. */
  assert_non_null(strstr(html, "default-src 'none'"));
  assert_non_null(strstr(html, "script-src 'sha256-"));
  free(html);
  report_free(&r);
}

static void test_bounds(void **state) {
  (void)state;
  struct report r;
  assert_true(report_init(&r, 1700000000, 100));
  char rec[512];
  for (int i = 0; i < 20000; i++) {
    snprintf(rec, sizeof(rec),
             "{\"target\":\"h%d.test\",\"label\":\"g%d\",\"proto\":\"https\",\"status\":\"ok\","
             "\"versions\":{\"tls1.2\":{\"verdict\":\"accepted\"},"
             "\"tls1.0\":{\"verdict\":\"rejected\",\"reason\":\"alert\"}},\"legacy\":false}",
             i, i % 300);
    add(&r, rec);
  }
  for (int i = 0; i < 3; i++) {
    snprintf(rec, sizeof(rec),
             "{\"target\":\"old%d.test\",\"label\":\"g7\",\"proto\":\"https\",\"status\":\"ok\","
             "\"versions\":{\"tls1.0\":{\"verdict\":\"accepted\"}},\"legacy\":true}",
             i);
    add(&r, rec);
  }
  assert_int_equal(r.records, 20003);
  assert_int_equal(r.rows.n, 100);
  assert_int_equal(r.rows.dropped[CLASS_MODERN], 20000 - 97);
  assert_int_equal(r.ngroups, REPORT_GROUPS_MAX);
  assert_int_equal(r.overflow_records, 100 * 66); /* g200..g299, 66 records each */
  assert_int_equal(r.versions[1].probed, 20003);
  assert_int_equal(r.versions[1].accepted, 3);
  char *html = page(&r);
  size_t n;
  struct report_row *const *rows = report_rows(&r.rows, &n);
  assert_string_equal(rows[0]->target, "old0.test");
  assert_string_equal(rows[2]->target, "old2.test");
  assert_string_equal(rows[3]->target, "h0.test");
  /* The legacy group first; the others modern, by name. */
  assert_string_equal(r.groups[0]->name, "g7");
  assert_int_equal(r.groups[0]->verdict, RV_LEGACY);
  assert_int_equal(r.groups[1]->verdict, RV_MODERN);
  assert_int_equal(count(html, "<tr class=\"row "), 100);
  /* Two versions probed: two bars in the versions chart. */
  const char *chart = strstr(html, "data-chart=\"versions\"");
  assert_non_null(chart);
  const char *end = strstr(chart, "</svg>");
  size_t bars = 0;
  for (const char *p = strstr(chart, "<rect class=\"bar"); p != NULL && p < end;
       p = strstr(p + 1, "<rect class=\"bar")) {
    bars++;
  }
  assert_int_equal(bars, 2);
  free(html);
  report_free(&r);
}

static void test_group_verdicts(void **state) {
  (void)state;
  struct report r;
  assert_true(report_init(&r, 1700000000, 10));
  add(&r, "{\"target\":\"a\",\"label\":\"down\",\"status\":\"unreachable\"}");
  add(&r, "{\"target\":\"b\",\"label\":\"dns\",\"status\":\"dns_error\"}");
  add(&r, "{\"target\":\"c\",\"label\":\"plain\",\"status\":\"ok\",\"versions\":"
          "{\"tls1.2\":{\"verdict\":\"rejected\",\"reason\":\"not_tls\"}}}");
  add(&r, "{\"target\":\"d\",\"label\":\"retiring\",\"status\":\"ok\",\"versions\":"
          "{\"tls1.0\":{\"verdict\":\"accepted\"}},\"legacy_app\":false}");
  json_t *s = load("{\"tenant\":\"none.test\",\"verdict\":\"no_endpoints\",\"dns\":\"ok\","
                   "\"endpoints\":[],\"legacy_endpoints\":[],\"legacy_confirmed\":[]}");
  assert_true(report_add_summary(&r, s));
  json_decref(s);
  report_finish(&r);
  static const struct {
    const char *name;
    enum report_verdict v;
  } kWant[] = {{"retiring", RV_LEGACY},  {"plain", RV_NO_TLS},
               {"down", RV_UNREACHABLE}, {"dns", RV_DNS_ERROR},
               {"none.test", RV_NO_ENDPOINTS}};
  assert_int_equal(r.ngroups, 5);
  for (size_t i = 0; i < 5; i++) {
    assert_string_equal(r.groups[i]->name, kWant[i].name);
    assert_int_equal(r.groups[i]->verdict, kWant[i].v);
  }
  assert_int_equal(r.by_class[CLASS_LEGACY_REFUSED], 1);
  report_free(&r);
}

static void test_jsonl_reader(void **state) {
  (void)state;
  char path[4096];
  const char *dir = getenv("TEST_TMPDIR");
  snprintf(path, sizeof(path), "%s/report-XXXXXX", dir != NULL ? dir : "/tmp");
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *w = fdopen(fd, "w");
  fputs("{\"target\":\"a\",\"status\":\"ok\"}\r\n", w);               /* 1 */
  fputs("\n   \n", w);                                               /* 2, 3 */
  fputs("not json at all\n", w);                                    /* 4 */
  fputs("[1,2,3]\n", w);                                            /* 5 */
  fputs("{\"hello\":1}\n", w);                                      /* 6 */
  fputs("{\"target\":\"b\",\"status\":\"ok\"}\n", w);                 /* 7 */
  for (size_t i = 0; i < REPORT_LINE_MAX + 10; i++) {               /* 8 */
    fputc('x', w);
  }
  fputc('\n', w);
  fwrite("{\"target\":\"c\"\0,\"x\":1}\n", 1, 22, w);                /* 9 */
  fputs("{\"tenant\":\"t.test\",\"verdict\":\"modern\"}\n", w);       /* 10 */
  fputs("{\"target\":\"d\",\"status\":\"ok\"}", w);                   /* 11, no newline */
  assert_int_equal(fclose(w), 0);

  struct report r;
  assert_true(report_init(&r, 1700000000, 10));
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  struct mem err;
  mem_open(&err);
  assert_true(report_read_jsonl(&r, f, "in.jsonl", err.f));
  fclose(f);
  mem_close(&err);
  unlink(path);
  assert_int_equal(r.records, 3);
  assert_int_equal(r.summaries, 1);
  assert_int_equal(r.errors_total, 5);
  static const char *const kWhere[] = {"in.jsonl line 4", "in.jsonl line 5", "in.jsonl line 6",
                                       "in.jsonl line 8", "in.jsonl line 9"};
  for (size_t i = 0; i < 5; i++) {
    assert_string_equal(r.errors[i].where, kWhere[i]);
  }
  assert_non_null(strstr(r.errors[0].what, "not JSON"));
  assert_string_equal(r.errors[1].what, "not a JSON object");
  assert_non_null(strstr(r.errors[2].what, "not a tlssweep record"));
  assert_non_null(strstr(r.errors[3].what, "longer than"));
  assert_non_null(strstr(err.data, "tlssweep report: in.jsonl line 4: not JSON"));
  assert_int_equal(r.inputs[0].bad_lines, 5);
  free(err.data);
  report_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_escape),
      cmocka_unit_test(test_hostile_page),
      cmocka_unit_test(test_bounds),
      cmocka_unit_test(test_group_verdicts),
      cmocka_unit_test(test_jsonl_reader),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
