/* scanner/cli/tenants.c: `tlssweep tenants`, an MSP's sweep of its
 * customers' mail domains.
 *
 * Discovery (scanner/targets/discover) finds each domain's mail endpoints
 * (MX, SRV, the usual mail./imap./pop./smtp./autodiscover. names); the
 * bookkeeping (scanner/output/tenants) turns them into one target line per
 * distinct endpoint. The scan probes each endpoint once; the run's result
 * hook hands every result to the bookkeeping, which writes it once for
 * every tenant that uses the endpoint, relabelled; the close hook adds one
 * summary record per tenant, and the table on stderr follows the summary.
 * With --dry-run the endpoints are printed as target lines instead. While
 * discovery runs, the status line (when there is one) shows its lookups
 * done of those it will make, the share and the time left; the scan's own
 * status line follows. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/base/clock.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/run.h"
#include "scanner/cli/status.h"
#include "scanner/output/tenants.h"
#include "scanner/targets/discover.h"

static const struct opt_command kTenants = {
    .bit = CMD_TENANTS,
    .synopsis = "[options] [domain...]",
    .about = "Discovers each mail domain's endpoints (MX, SRV, mail./imap./pop./smtp./\n"
             "autodiscover.), scans each distinct endpoint once with the scan's options, and\n"
             "gives one verdict per tenant: every endpoint's record once per tenant that uses\n"
             "it (labelled with the tenant), then one summary record per tenant, and a table\n"
             "on stderr. Domains come from the arguments and -i FILE ('domain [label=NAME]' a\n"
             "line). --fail-on-legacy exits 3 when a tenant has an endpoint where TLS 1.0/1.1\n"
             "works at the application level.",
};

/* What the run's hooks share: the bookkeeping, and whether the table is
 * wanted. */
struct tenants_run {
  struct tenants *tenants;
  int quiet;
};

static void emit_record(void *ctx, const struct scan_result *r) {
  run_out_put(ctx, r);
}

static int take_result(void *ctx, struct run_out *out, const struct scan_result *r) {
  struct tenants_run *tr = ctx;
  return tenants_record(tr->tenants, r, emit_record, out) != NULL;
}

/* write_summaries closes the output with the tenants' summary records,
 * once every endpoint is in. */
static int write_summaries(void *ctx, struct run_out *out) {
  struct tenants_run *tr = ctx;
  struct outbuf sums = {0};
  int ok = tenants_finish(tr->tenants, &sums) &&
           run_out_put_summary(out, sums.data ? sums.data : "", sums.len);
  outbuf_free(&sums);
  if (!ok) {
    fprintf(stderr, "tlssweep: out of memory writing the tenant summaries\n");
  }
  return ok;
}

static int print_table(void *ctx, const struct scan_shared *sh, int rc) {
  (void)sh;
  struct tenants_run *tr = ctx;
  if (!tr->quiet) {
    tenants_table(tr->tenants, stderr);
  }
  return rc;
}

/* add_domains adds the domains of the arguments and of -i FILE to |d|.
 * Returns 1 when every line was read (bad lines are reported and make
 * |*bad| 1), or 0 when the file could not be opened. */
struct bad_line {
  const char *input;
  int *bad;
};

static void report_bad_line(void *ctx, unsigned long line_no, const char *err) {
  struct bad_line *b = ctx;
  fprintf(stderr, "tlssweep tenants: %s line %lu: %s\n", b->input, line_no, err);
  *b->bad = 1;
}

static int add_domains(struct discovery *d, const char *input, char **args, int nargs, int *bad) {
  char err[256];
  for (int i = 0; i < nargs; i++) {
    if (discovery_add_tenant_line(d, args[i], strlen(args[i]), err, sizeof(err)) ==
        TARGET_PARSE_ERROR) {
      fprintf(stderr, "tlssweep tenants: argument %d ('%.64s'): %s\n", i + 1, args[i], err);
      *bad = 1;
    }
  }
  if (input == NULL) {
    return 1;
  }
  FILE *in = strcmp(input, "-") == 0 ? stdin : fopen(input, "r");
  if (in == NULL) {
    fprintf(stderr, "tlssweep tenants: cannot open input '%s': %s\n", input, strerror(errno));
    return 0;
  }
  struct bad_line ctx = {.input = input, .bad = bad};
  if (!discovery_add_tenant_file(d, in, report_bad_line, &ctx)) {
    fprintf(stderr, "tlssweep tenants: reading '%s' failed\n", input);
    *bad = 1;
  }
  if (in != stdin) {
    fclose(in);
  }
  return 1;
}

/* dry_run prints the endpoints as the target lines `tlssweep scan` reads.
 * Returns the exit status. */
static int dry_run(const struct tenants_options *to, const struct discovery *d, int bad) {
  FILE *out = stdout;
  const char *path = to->run.output;
  if (path != NULL && strcmp(path, "-") != 0) {
    out = fopen(path, "w");
    if (out == NULL) {
      fprintf(stderr, "tlssweep tenants: cannot open output '%s': %s\n", path, strerror(errno));
      return 1;
    }
  }
  int ok = discovery_write_targets(d, out);
  size_t np = 0;
  const char *const *preset = to->preset ? discovery_preset(to->preset, &np) : NULL;
  for (size_t i = 0; preset != NULL && i < np; i++) {
    ok = ok && fprintf(out, "%s\n", preset[i]) > 0;
  }
  for (size_t i = 0; i < discovery_tenant_count(d); i++) {
    const struct discovery_tenant *dt = discovery_tenant(d, i);
    fprintf(stderr, "tenant %s: dns %s, %zu endpoints\n", dt->domain,
            discovery_dns_status_name(dt->status), dt->nlinks);
  }
  if (out != stdout) {
    ok = fclose(out) == 0 && ok;
  }
  return !ok ? 2 : bad ? 1 : 0;
}

/* sweep scans the tenants' endpoints. Returns the exit status. */
static int sweep(const struct tenants_options *to, struct tenants *t, int bad) {
  struct tenants_run tr = {.tenants = t, .quiet = to->run.quiet};
  t->policies = to->run.config.policies;
  struct run_hooks hooks = {
      .ctx = &tr,
      .tenant_labels = 1,
      .result = take_result,
      .close_output = write_summaries,
      .finish = print_table,
  };
  struct target_source source;
  target_source_init(&source, t->lines, t->nendpoints, NULL, &to->run.defaults);
  int rc = run_scan(&to->run, &source, &hooks);
  target_source_free(&source);
  if (rc == 0 && to->run.fail_on_legacy && tenants_legacy_app(t) > 0) {
    rc = 3;
  }
  return rc == 0 && bad ? 1 : rc;
}

/* The discovery's status line, once a second while it runs. */
struct discovery_status {
  uint64_t start_ns, last_ns;
  int shown;
};

static void show_discovery(void *ctx, const struct discovery *d) {
  struct discovery_status *ds = ctx;
  uint64_t now = now_ns();
  if (now - ds->last_ns < 1000000000u) {
    return;
  }
  ds->last_ns = now;
  ds->shown = 1;
  size_t done, total;
  discovery_progress(d, &done, &total);
  char extra[64];
  snprintf(extra, sizeof(extra), "%zu endpoints found", discovery_endpoint_count(d));
  status_discovery("discovery: DNS lookups", done, total, extra,
                   (double)(now - ds->start_ns) / 1e9);
}

int cmd_tenants(int argc, char **argv) {
  struct tenants_options to = {0};
  int first, rc;
  if (!run_options_read(&kTenants, argc, argv, &to, &first, &rc)) {
    return rc;
  }
  struct discovery d;
  const struct scan_config *c = &to.run.config;
  /* A DNS answer is quicker than a TLS step: a second per try, at most. */
  unsigned dns_ms = c->timeout_ms < 2000 ? c->timeout_ms : 2000;
  if (!discovery_init(&d, c->resolver, dns_ms, 2)) {
    fprintf(stderr, "tlssweep tenants: cannot set up the resolver%s%s\n", c->resolver ? " " : "",
            c->resolver ? c->resolver : "");
    return 1;
  }
  int bad = 0;
  if (!add_domains(&d, to.run.input, argv + first, argc - first, &bad)) {
    discovery_free(&d);
    return 1;
  }
  if (discovery_tenant_count(&d) == 0 && to.preset == NULL) {
    discovery_free(&d);
    return usage_error(argv[0], "tenants: no domains (arguments, -i FILE) and no --preset");
  }
  struct discovery_status ds = {.start_ns = now_ns()};
  ds.last_ns = ds.start_ns;
  if (run_status_wanted(&to.run)) {
    d.on_progress = show_discovery;
    d.progress_ctx = &ds;
  }
  int discovered = discovery_run(&d);
  if (ds.shown) {
    status_clear();
  }
  if (!discovered) {
    fprintf(stderr, "tlssweep tenants: discovery failed (out of memory?)\n");
    discovery_free(&d);
    return 2;
  }
  struct tenants t;
  char err[256];
  if (!tenants_build(&t, &d, to.preset, err, sizeof(err))) {
    fprintf(stderr, "tlssweep tenants: %s\n", err);
    rc = 1;
  } else {
    rc = to.dry_run ? dry_run(&to, &d, bad) : sweep(&to, &t, bad);
  }
  tenants_free(&t);
  discovery_free(&d);
  return rc;
}
