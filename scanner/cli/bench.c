/* scanner/cli/bench.c: `tlssweep bench TARGET`, full TLS handshakes per
 * second against one endpoint.
 *
 * A bench is a scan of one target in which the engines, instead of probing,
 * run full BoringSSL handshakes at one version, as many at once as -c (all
 * threads together), until --duration or --handshakes. Its report replaces
 * the scan's summary; a bench that completed not one handshake has measured
 * nothing and exits 2. Records go nowhere. */

#include "scanner/base/clock.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/report.h"
#include "scanner/cli/run.h"

static const struct opt_default kBenchDefaults[] = {
    {"threads", "1"},
    {NULL, NULL},
};

static const struct opt_command kBench = {
    .bit = CMD_BENCH,
    .synopsis = "TARGET [options]",
    .about =
        "Full TLS handshakes against one endpoint, as fast as it will take them\n"
        "(BoringSSL in the io_uring loop). TARGET is a target line: host:port, or a URL\n"
        "such as imap://mail.example.com (the STARTTLS dialogue runs before each\n"
        "handshake).",
    .epilogue =
        "Each handshake is a new connection, closed with a reset (SO_LINGER 0) once the\n"
        "handshake is done, so neither side keeps a TIME_WAIT socket and a long run to\n"
        "one address and port never runs out of ephemeral ports (before Linux 6.7 the\n"
        "ring cannot set it: tlssweep then closes with a FIN and says so; set\n"
        "net.ipv4.tcp_tw_reuse=1).",
    .defaults = kBenchDefaults,
};

static void report(void *ctx, const struct scan_shared *sh, uint64_t start_ns) {
  const struct bench_options *bo = ctx;
  print_bench_report(sh, start_ns, bo->json);
}

static int finish_bench(void *ctx, const struct scan_shared *sh, int rc) {
  (void)ctx;
  return rc == 0 && bench_handshakes(&sh->stats) == 0 ? 2 : rc;
}

int cmd_bench(int argc, char **argv) {
  struct bench_options bo = {0};
  int first, rc;
  if (!run_options_read(&kBench, argc, argv, &bo, &first, &rc)) {
    return rc;
  }
  /* No option of the bench's sets these: a handshake is not retried in
   * another shape, records go nowhere, and one target needs no shuffle. */
  struct run_options *o = &bo.run;
  o->config.shape_retry = 0;
  o->output = "/dev/null";
  o->window = 0;
  if (argc - first != 1) {
    return usage_error(argv[0], "bench: expected one TARGET");
  }
  /* Every thread's slots may hold the whole concurrency. */
  o->config.concurrency = o->config.bench.concurrency;
  if (o->config.bench.handshakes == 0) {
    o->config.bench.deadline_ns = now_ns() + (uint64_t)bo.duration_s * 1000000000u;
  }
  struct run_hooks hooks = {.ctx = &bo, .summary = report, .finish = finish_bench};
  struct target_source source;
  target_source_init(&source, argv + first, 1, NULL, &o->defaults);
  rc = run_scan(o, &source, &hooks);
  target_source_free(&source);
  return rc;
}
