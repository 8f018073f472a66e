/* scanner/report/jsonl.c: reading tlssweep's files into a report (see
 * jsonl.h).
 *
 * The file is read in blocks into one buffer of REPORT_LINE_MAX bytes and
 * cut at line breaks, so a file without line breaks cannot make the reader
 * grow: a line that fills the buffer is skipped to its end and reported. jansson parses each line
 * (JSON_ALLOW_NUL: a record may carry a server's NUL byte as \u0000; the
 * report cuts strings there). What a line is follows from its keys, as
 * tenants.h promises: "tenant" for a summary, "target" for a record. */
#include "scanner/report/jsonl.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/base/outbuf.h"

/* bad_line counts a bad line and describes it while few have been. The
 * description may quote the line (jansson's "near '...'"), so it reaches
 * the terminal through term_escape. */
static void bad_line(struct report *r, FILE *err, const char *name, unsigned long line_no,
                     const char *what) {
  char where[512];
  snprintf(where, sizeof(where), "%s line %lu", name, line_no);
  report_add_error(r, where, what);
  if (r->errors_total <= REPORT_ERRORS_SHOWN) {
    struct outbuf safe = {0};
    if (term_escape(&safe, what, strlen(what)) && outbuf_append(&safe, "", 1)) {
      fprintf(err, "tlssweep report: %s: %s; skipped\n", where, safe.data);
    }
    outbuf_free(&safe);
  }
}

/* take_line hands one line (|len| bytes, no newline) to the report. */
static int take_line(struct report *r, FILE *err, const char *name, unsigned long line_no,
                     const char *line, size_t len) {
  json_error_t jerr;
  json_t *o = json_loadb(line, len, JSON_ALLOW_NUL, &jerr);
  char what[256];
  int ok = 1;
  if (o == NULL) {
    snprintf(what, sizeof(what), "not JSON (%s, at column %d)", jerr.text, jerr.column);
    bad_line(r, err, name, line_no, what);
  } else if (json_is_string(json_object_get(o, "tenant"))) {
    ok = report_add_summary(r, o);
  } else if (json_is_string(json_object_get(o, "target"))) {
    ok = report_add_record(r, o);
  } else {
    bad_line(r, err, name, line_no,
             json_is_object(o) ? "not a tlssweep record (no \"target\" or \"tenant\")"
                               : "not a JSON object");
  }
  json_decref(o);
  return ok;
}

/* is_blank says whether the line holds only white space. */
static int is_blank(const char *s, size_t len) {
  for (size_t i = 0; i < len; i++) {
    if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r') {
      return 0;
    }
  }
  return 1;
}

/* A file read in blocks, handed out a line at a time. */
struct line_reader {
  FILE *f;
  char *buf;
  size_t start, end;   /* the bytes not handed out yet */
  int eof;
  int skipping;        /* inside a line too long for the buffer */
};

/* next_line returns 1 with the next line (|*len| bytes, no newline, NUL
 * bytes included) and |*too_long| set when it did not fit (then the line
 * is not given), or 0 at the end of the file or on a read error. */
static int next_line(struct line_reader *lr, const char **line, size_t *len, int *too_long) {
  for (;;) {
    char *from = lr->buf + lr->start;
    char *nl = memchr(from, '\n', lr->end - lr->start);
    if (nl != NULL || (lr->eof && lr->start < lr->end)) {
      size_t n = nl != NULL ? (size_t)(nl - from) : lr->end - lr->start;
      lr->start += n + (nl != NULL);
      *line = from;
      *len = n;
      *too_long = lr->skipping;
      lr->skipping = 0;
      return 1;
    }
    if (lr->eof) {
      return 0;
    }
    if (lr->end - lr->start == REPORT_LINE_MAX) {
      /* A full buffer and no line break: drop it, remember the line. */
      lr->skipping = 1;
      lr->start = lr->end = 0;
    } else if (lr->start > 0) {
      memmove(lr->buf, lr->buf + lr->start, lr->end - lr->start);
      lr->end -= lr->start;
      lr->start = 0;
    }
    size_t got = fread(lr->buf + lr->end, 1, REPORT_LINE_MAX - lr->end, lr->f);
    lr->end += got;
    lr->eof = got == 0;
  }
}

int report_read_jsonl(struct report *r, FILE *f, const char *name, FILE *err) {
  if (!report_add_input(r, name)) {
    fprintf(err, "tlssweep report: out of memory\n");
    return 0;
  }
  struct line_reader lr = {.f = f, .buf = malloc(REPORT_LINE_MAX)};
  if (lr.buf == NULL) {
    fprintf(err, "tlssweep report: out of memory\n");
    return 0;
  }
  unsigned long line_no = 0;
  int ok = 1, too_long;
  const char *line;
  size_t len;
  while (ok && next_line(&lr, &line, &len, &too_long)) {
    line_no++;
    if (too_long) {
      char what[96];
      snprintf(what, sizeof(what), "line longer than %u bytes", REPORT_LINE_MAX);
      bad_line(r, err, name, line_no, what);
    } else if (!is_blank(line, len)) {
      ok = take_line(r, err, name, line_no, line, len);
    }
  }
  free(lr.buf);
  if (!ok) {
    fprintf(err, "tlssweep report: out of memory reading %s\n", name);
    return 0;
  }
  if (ferror(f)) {
    fprintf(err, "tlssweep report: reading %s failed: %s\n", name, strerror(errno));
    return 0;
  }
  return 1;
}

int report_read_metadata(struct report *r, const char *path, FILE *err) {
  json_error_t jerr;
  json_t *doc = json_load_file(path, 0, &jerr);
  char what[256];
  if (doc == NULL || !json_is_object(doc)) {
    if (doc == NULL) {
      snprintf(what, sizeof(what), "not a metadata file (%s, line %d)", jerr.text, jerr.line);
    } else {
      snprintf(what, sizeof(what), "not a metadata file (not a JSON object)");
    }
    report_add_error(r, path, what);
    fprintf(err, "tlssweep report: %s: %s\n", path, what);
    json_decref(doc);
    return 0;
  }
  int ok = report_add_metadata(r, doc, path);
  json_decref(doc);
  return ok;
}
