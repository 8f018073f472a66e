/* scanner/cli/report.h: what a run tells the person at the end.
 *
 * The summary on stderr (targets, accepted versions, confirmation refusal
 * rates with their Wilson intervals, statuses), the metadata JSON file
 * (zmap's --metadata-file), the bench report (a table, or one JSON object)
 * with its latency percentiles read off the engines' histogram, and the
 * allocator's name and allocation counts. Counters are read with relaxed
 * atomic loads: the engines may still be writing them for the status line. */
#ifndef SCANNER_CLI_REPORT_H
#define SCANNER_CLI_REPORT_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scanner/cli/run.h"
#include "scanner/engine/engine.h"

#define TLSSWEEP_VERSION "0.2.0"

/* stat_load reads one engine counter. */
static inline uint64_t stat_load(const uint64_t *p) {
  return __atomic_load_n(p, __ATOMIC_RELAXED);
}

/* print_version writes "tlssweep VERSION (allocator: ...)" to stdout. */
void print_version(void);

/* jemalloc_nmalloc returns how many allocations jemalloc has served, or 0
 * when jemalloc is not the allocator. */
uint64_t jemalloc_nmalloc(void);

/* print_alloc_stats writes --alloc-stats' line: |allocs| over |probes|. */
void print_alloc_stats(uint64_t allocs, uint64_t probes);

/* bench_handshakes counts completed handshakes (a bench's runs go through
 * the confirmation counters); bench_errors the failed ones. */
uint64_t bench_handshakes(const struct scan_stats *st);
uint64_t bench_errors(const struct scan_stats *st);

/* bench_percentile_ms reads percentile |q| (0..1) off the latency
 * histogram, in milliseconds. */
double bench_percentile_ms(const struct scan_stats *st, double q);

/* print_summary writes the scan's summary to stderr. */
void print_summary(const struct scan_shared *sh, uint64_t start_ns);

/* print_bench_report ends a bench: a table on stderr, or with |json| one
 * JSON object on stdout. */
void print_bench_report(const struct scan_shared *sh, uint64_t start_ns, int json);

/* A finished scan, as the metadata describes it. */
struct scan_facts {
  const struct run_options *options;
  const struct scan_config *config;   /* as it ran (the fitted concurrency) */
  const struct scan_shared *shared;
  uint64_t seed;
  uint64_t start_ns;
  time_t start, end;
  int signal;                         /* the signal that stopped it, or 0 */
};

/* write_metadata writes one JSON document describing the scan to |path|:
 * what ran, with which settings, when, and what came of it. Returns 1, or 0
 * when it could not be written. */
int write_metadata(const char *path, const struct scan_facts *f);

#endif /* SCANNER_CLI_REPORT_H */
