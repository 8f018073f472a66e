/* scanner/cli/lab.c: `tlssweep lab`, a scan of the built-in loopback lab.
 *
 * The lab (scanner/lab) starts real TLS servers with known version ranges,
 * and endpoints that misbehave as the internet does, on loopback; this
 * command scans them with the scan's options and checks every result
 * against the endpoint's configuration, through the run's result hook. Any
 * endpoint that did not answer as configured makes the exit status 2. The
 * lab's silent endpoint times out by design, so the lab's steps are short. */
#include <stdio.h>
#include <stdlib.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/run.h"
#include "scanner/lab/lab.h"

static const struct opt_default kLabDefaults[] = {
    {"timeout", "500ms"},
    {"retries", "0"},
    {NULL, NULL},
};

static const struct opt_command kLab = {
    .bit = CMD_LAB,
    .synopsis = "[options]",
    .about = "Starts the built-in lab on loopback (TLS servers with known version ranges, mail\n"
             "servers behind STARTTLS, endpoints that close, reset, stay silent or speak\n"
             "plaintext) and scans it with the scan's options, checking every verdict against\n"
             "the lab's configuration: the tool at work with no network. The exit status is 2\n"
             "when an endpoint did not answer as configured.",
    .defaults = kLabDefaults,
};

struct lab_check {
  const struct lab *lab;
  unsigned long ok, bad;
};

/* check_result compares each result with its endpoint; the record is
 * written as it is. */
static int check_result(void *ctx, struct run_out *out, const struct scan_result *r) {
  (void)out;
  struct lab_check *lc = ctx;
  const struct lab_endpoint *ep = lab_find(lc->lab, r->item->line.label);
  char why[128];
  if (ep != NULL && lab_check(ep, r, why, sizeof(why))) {
    lc->ok++;
  } else {
    lc->bad++;
    fprintf(stderr, "lab: %s (%s): %s\n", r->item->line.label, r->item->line.text,
            ep == NULL ? "unknown endpoint" : why);
  }
  return 0;
}

static int finish_lab(void *ctx, const struct scan_shared *sh, int rc) {
  (void)sh;
  struct lab_check *lc = ctx;
  fprintf(stderr, "lab: %lu of %lu endpoints answered as configured\n", lc->ok, lc->ok + lc->bad);
  return lc->bad > 0 && rc == 0 ? 2 : rc;
}

/* scan_lab scans the started lab. */
static int scan_lab(const struct run_options *o, const struct lab *lab) {
  size_t n = lab_count(lab);
  char **lines = calloc(n, sizeof(*lines));
  char(*storage)[160] = calloc(n, sizeof(*storage));
  if (lines == NULL || storage == NULL) {
    free(lines);
    free(storage);
    fprintf(stderr, "tlssweep lab: out of memory\n");
    return 2;
  }
  fprintf(stderr, "lab: %zu endpoints on loopback:\n", n);
  for (size_t i = 0; i < n; i++) {
    const struct lab_endpoint *ep = lab_endpoint_at(lab, i);
    snprintf(storage[i], sizeof(storage[i]), "%s label=%s", ep->target, ep->name);
    lines[i] = storage[i];
    fprintf(stderr, "  %-22s %s\n", ep->target, ep->name);
  }
  struct lab_check lc = {.lab = lab};
  struct run_hooks hooks = {.ctx = &lc, .result = check_result, .finish = finish_lab};
  struct target_source source;
  target_source_init(&source, lines, n, NULL, &o->defaults);
  int rc = run_scan(o, &source, &hooks);
  target_source_free(&source);
  free(lines);
  free(storage);
  return rc;
}

int cmd_lab(int argc, char **argv) {
  struct run_options o;
  int first, rc;
  if (!run_options_read(&kLab, argc, argv, &o, &first, &rc)) {
    return rc;
  }
  if (first != argc) {
    return usage_error(argv[0], "lab takes no targets ('%s')", argv[first]);
  }
  char err[256];
  struct lab *lab = lab_start(err, sizeof(err));
  if (lab == NULL) {
    fprintf(stderr, "tlssweep lab: %s\n", err);
    return 2;
  }
  rc = scan_lab(&o, lab);
  lab_stop(lab);
  return rc;
}
