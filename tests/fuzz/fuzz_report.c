/* tests/fuzz/fuzz_report.c: libFuzzer target for `tlssweep report`.
 *
 * The input is a results file, whatever its bytes: it is read through the
 * JSON Lines source into a report keeping at most eight rows (so rows are
 * evicted), finished, and written as the page. Invariants checked (a
 * violation aborts, which libFuzzer reports as a crash):
 * - every line that is not blank is one record, one tenant summary or one
 *   input error;
 * - the bounds hold: rows, groups, each group's rows;
 * - the page is valid UTF-8 with no control character but tab and line
 *   feed;
 * - every '<' in the page opens or closes one of the page's own elements
 *   (a list kept in step with page.c and svg.c), and there is exactly one
 *   script: nothing from the input became markup. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "tests/fuzz/fuzz.h"
#include "scanner/base/outbuf.h"
#include "scanner/report/jsonl.h"
#include "scanner/report/page.h"

static const char *const kElements[] = {
    "a",     "article", "b",      "body",  "br",    "circle", "code",   "details", "div",
    "figcaption", "figure", "g",  "h1",    "h2",    "h3",     "h4",     "head",    "header",
    "html",  "input",   "label",  "li",    "line",  "main",   "meta",   "nav",     "p",
    "rect",  "script",  "section", "small", "span", "style",  "summary", "svg",    "table",
    "tbody", "td",      "text",   "th",    "thead", "title",  "tr",     "ul",
};

static int known_element(const char *p, size_t n) {
  for (size_t i = 0; i < sizeof(kElements) / sizeof(kElements[0]); i++) {
    if (strlen(kElements[i]) == n && memcmp(kElements[i], p, n) == 0) {
      return 1;
    }
  }
  return 0;
}

static void check_page(const char *page, size_t len) {
  size_t scripts = 0;
  for (size_t i = 0; i < len;) {
    const uint8_t c = (uint8_t)page[i];
    if (c == '<') {
      size_t j = i + 1;
      if (j < len && page[j] == '/') {
        j++;
      }
      size_t start = j;
      while (j < len && ((page[j] >= 'a' && page[j] <= 'z') || (page[j] >= '0' && page[j] <= '9'))) {
        j++;
      }
      int doctype = strncmp(page + i, "<!DOCTYPE html>", 15) == 0;
      CHECK(doctype || known_element(page + start, j - start));
      CHECK(doctype || j == len || page[j] == '>' || page[j] == ' ' || page[j] == '/');
      scripts += strncmp(page + i, "<script", 7) == 0;
      i++;
      continue;
    }
    CHECK(c >= 0x20 || c == '\n' || c == '\t');
    CHECK(c != 0x7f);
    size_t k = utf8_seq_len((const uint8_t *)page + i, len - i);
    CHECK(k > 0);
    i += k;
  }
  CHECK(scripts == 1);
}

/* nonblank_lines counts the lines the reader must account for. */
static uint64_t nonblank_lines(const uint8_t *data, size_t size) {
  uint64_t n = 0;
  int blank = 1;
  for (size_t i = 0; i < size; i++) {
    if (data[i] == '\n') {
      n += !blank;
      blank = 1;
    } else if (data[i] != ' ' && data[i] != '\t' && data[i] != '\r') {
      blank = 0;
    }
  }
  return n + !blank;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  struct report r;
  if (!report_init(&r, 1700000000, 8)) {
    return 0;
  }
  FILE *in = fmemopen(size > 0 ? (void *)data : (void *)"", size > 0 ? size : 1, "r");
  FILE *err = fopen("/dev/null", "w");
  CHECK(in != NULL && err != NULL);
  if (size == 0) {
    fgetc(in); /* fmemopen cannot make an empty stream: read its one byte */
  }
  CHECK(report_read_jsonl(&r, in, "fuzz.jsonl", err));
  fclose(in);
  fclose(err);
  CHECK(r.records + r.summaries + r.errors_total == nonblank_lines(data, size));
  CHECK(r.rows.n <= 8 && r.ngroups <= REPORT_GROUPS_MAX);
  for (size_t i = 0; i < r.ngroups; i++) {
    CHECK(r.groups[i]->rows.n <= REPORT_GROUP_ROWS);
  }
  report_finish(&r);
  char *page = NULL;
  size_t len = 0;
  FILE *out = open_memstream(&page, &len);
  CHECK(out != NULL);
  struct report_page p = {.version = "fuzz"};
  CHECK(report_write_page(&r, &p, out));
  fclose(out);
  check_page(page, len);
  free(page);
  report_free(&r);
  return 0;
}
