/* scanner/cli/report_cmd.c: `tlssweep report`, one HTML page from a sweep's
 * results.
 *
 * (Not to be confused with report.c, the summary a scan prints at its end.)
 * The files named are read one after another, line by line, into a report
 * (scanner/report/model.h) that keeps counts and bounded lists only, so a
 * file of a million records needs no more memory than one of a thousand;
 * --metadata files are read whole. The page is written beside its
 * destination and renamed over it once complete, so a failed write never
 * leaves half a page under the name asked for. Bad lines are described
 * (file and line), skipped, and make the exit status 1; the page is still
 * written and lists them. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/report.h"
#include "scanner/report/jsonl.h"
#include "scanner/report/page.h"
#include "scanner/report/trends.h"

_Static_assert(REPORT_METADATA_FILES <= REPORT_METADATA_MAX, "the report keeps every one");

static const struct opt_command kReport = {
    .bit = CMD_REPORT,
    .synopsis = "[options] RESULTS.jsonl... | --db FILE [RESULTS.jsonl...]",
    .about =
        "Writes one self-contained HTML page (no network: CSS, script and SVG charts inline)\n"
        "from the JSON Lines of `tlssweep scan`, `lab` and `tenants` ('-': standard input):\n"
        "endpoints by status, the legacy share, acceptance per version and protocol, the\n"
        "application's refusals, findings with what to do, refusal rates with 95% Wilson\n"
        "intervals, a part per tenant (or label) with its version matrix, a table of the\n"
        "endpoints (filters work without scripts; sorting needs them), certificates\n"
        "expiring within 30 days and, with --metadata, how each scan ran. Files are\n"
        "streamed: memory holds counts and at most --max-rows endpoint rows, never the\n"
        "records themselves. With --db, the page adds the trends of a history database:\n"
        "the runs, the legacy share and the refusal rates run by run, and each tenant's\n"
        "legacy share (the files are then optional).",
    .epilogue = "exit status: 0 done; 1 usage error, or input that could not be read (bad lines\n"
                "are named by file and line, skipped, and listed in the page, which is still\n"
                "written); 2 the page could not be written, or memory ran short",
};

/* read_inputs reads every results file into |r|. Returns 1 when each was
 * read through, 0 when one could not be opened or read (said). */
static int read_inputs(struct report *r, char **paths, int n) {
  int ok = 1;
  for (int i = 0; i < n; i++) {
    int std = strcmp(paths[i], "-") == 0;
    FILE *f = std ? stdin : fopen(paths[i], "r");
    if (f == NULL) {
      fprintf(stderr, "tlssweep report: cannot open '%s': %s\n", paths[i], strerror(errno));
      ok = 0;
      continue;
    }
    ok = report_read_jsonl(r, f, std ? "standard input" : paths[i], stderr) && ok;
    if (!std) {
      fclose(f);
    }
  }
  return ok;
}

/* load_trends reads the trends of the history database |path|. Returns 1
 * with |*out| (the caller frees it), or 0 after saying why not. */
static int load_trends(const char *path, struct trends **out) {
  struct store *db;
  char err[512];
  if (!store_open(path, &db, err, sizeof(err))) {
    fprintf(stderr, "tlssweep report: --db %s: %s\n", path, err);
    return 0;
  }
  struct trends *t = malloc(sizeof(*t));
  int ok = t != NULL && trends_load(t, db, path);
  if (!ok) {
    fprintf(stderr, "tlssweep report: --db %s: %s\n", path,
            t == NULL ? "out of memory" : store_error(db));
    free(t);
    t = NULL;
  }
  store_close(db);
  *out = t;
  return ok;
}

/* write_page writes the page to -o's file by way of a file beside it (or
 * to standard output). Returns 1, or 0 after saying why not. */
static int write_page(const struct report *r, const struct report_options *ro,
                      const struct trends *t, int trends_only) {
  struct report_section extra[2];
  struct report_page page = {
      .title = ro->title,
      .version = TLSSWEEP_VERSION,
      .extra = extra,
      .nextra = t != NULL ? trends_sections(t, extra) : 0,
      .extra_only = trends_only && t != NULL,
  };
  if (strcmp(ro->output, "-") == 0) {
    if (!report_write_page(r, &page, stdout)) {
      fprintf(stderr, "tlssweep report: writing the page failed: %s\n", strerror(errno));
      return 0;
    }
    return 1;
  }
  char tmp[4096];
  if (snprintf(tmp, sizeof(tmp), "%s.tmp.%ld", ro->output, (long)getpid()) >= (int)sizeof(tmp)) {
    fprintf(stderr, "tlssweep report: output name too long\n");
    return 0;
  }
  FILE *f = fopen(tmp, "w");
  if (f == NULL) {
    fprintf(stderr, "tlssweep report: cannot write '%s': %s\n", ro->output, strerror(errno));
    return 0;
  }
  int ok = report_write_page(r, &page, f);
  int err = errno;
  ok = fclose(f) == 0 && ok;
  if (!ok || rename(tmp, ro->output) != 0) {
    fprintf(stderr, "tlssweep report: writing '%s' failed: %s\n", ro->output,
            strerror(ok ? errno : err));
    unlink(tmp);
    return 0;
  }
  return 1;
}

int cmd_report(int argc, char **argv) {
  struct report_options ro = {0};
  options_defaults(&kReport, &ro);
  int first, rc;
  if (!options_parse(&kReport, argc, argv, &ro, &first, &rc)) {
    return rc;
  }
  if (first >= argc && ro.db == NULL) {
    return usage_error(argv[0], "report: expected one or more results files ('-': standard "
                                "input), or --db FILE");
  }
  struct report r;
  if (!report_init(&r, time(NULL), ro.max_rows)) {
    fprintf(stderr, "tlssweep report: out of memory\n");
    return 2;
  }
  int input_ok = 1;
  for (size_t i = 0; i < ro.nmetadata; i++) {
    input_ok = report_read_metadata(&r, ro.metadata[i], stderr) && input_ok;
  }
  input_ok = read_inputs(&r, argv + first, argc - first) && input_ok;
  if (r.errors_total > REPORT_ERRORS_SHOWN) {
    fprintf(stderr, "tlssweep report: %llu bad lines in all (the first %d are described above)\n",
            (unsigned long long)r.errors_total, REPORT_ERRORS_SHOWN);
  }
  report_finish(&r);
  struct trends *trends = NULL;
  if (ro.db != NULL && !load_trends(ro.db, &trends)) {
    input_ok = 0;
  }
  int written = write_page(&r, &ro, trends, first >= argc);
  free(trends);
  if (r.out_of_memory) {
    fprintf(stderr, "tlssweep report: memory ran short: the page is incomplete, and says so\n");
  } else if (written) {
    fprintf(stderr, "tlssweep report: wrote %s: %llu endpoint records, %zu tenants or labels, "
                    "%llu bad lines\n",
            strcmp(ro.output, "-") == 0 ? "the page" : ro.output,
            (unsigned long long)r.records, r.ngroups, (unsigned long long)r.errors_total);
  }
  rc = !written || r.out_of_memory ? 2 : (!input_ok || r.errors_total > 0) ? 1 : 0;
  report_free(&r);
  return rc;
}
