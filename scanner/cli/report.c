/* scanner/cli/report.c: the summary, the metadata, the bench report and the
 * allocator's figures (see report.h).
 *
 * Everything here reads the engines' counters after the fact, except the
 * percentiles, which the bench's status line also reads while it runs. */
#include "scanner/cli/report.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include <jansson.h>

#include "scanner/base/clock.h"
#include "scanner/base/stats.h"
#include "scanner/output/policies.h"
#include "tlsparse/tlsparse.h"

/* jemalloc's control interface. Weak, so that sanitizer builds (which keep
 * their own malloc) link without jemalloc and say so. */
int mallctl(const char *name, void *oldp, size_t *oldlenp, void *newp,
            size_t newlen) __attribute__((weak));

static void allocator_name(char *buf, size_t cap) {
  const char *version = NULL;
  size_t len = sizeof(version);
  if (mallctl != NULL && mallctl("version", &version, &len, NULL, 0) == 0) {
    snprintf(buf, cap, "jemalloc %s", version);
  } else {
    snprintf(buf, cap, "system malloc (jemalloc not linked)");
  }
}

void print_version(void) {
  char alloc[128];
  allocator_name(alloc, sizeof(alloc));
  printf("tlssweep %s (allocator: %s)\n", TLSSWEEP_VERSION, alloc);
}

/* With tcache on, jemalloc counts small allocations when a thread cache
 * refills, so exact figures need MALLOC_CONF=tcache:false (the benchmark
 * sets it). */
uint64_t jemalloc_nmalloc(void) {
  if (mallctl == NULL) {
    return 0;
  }
  uint64_t epoch = 1, small = 0, large = 0;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  len = sizeof(small);
  mallctl("stats.arenas.4096.small.nmalloc", &small, &len, NULL, 0); /* all arenas */
  len = sizeof(large);
  mallctl("stats.arenas.4096.large.nmalloc", &large, &len, NULL, 0);
  return small + large;
}

void print_alloc_stats(uint64_t allocs, uint64_t probes) {
  fprintf(stderr, "alloc-stats: %llu allocations, %llu probes, %.3f per probe\n",
          (unsigned long long)allocs, (unsigned long long)probes,
          probes ? (double)allocs / (double)probes : 0.0);
}

uint64_t bench_handshakes(const struct scan_stats *st) {
  uint64_t n = 0;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    n += stat_load(&st->confirm_handshakes[pv]);
  }
  return n;
}

uint64_t bench_errors(const struct scan_stats *st) {
  uint64_t n = 0;
  for (int f = 1; f < 8; f++) {
    n += stat_load(&st->confirm_failures[f]);
  }
  return n;
}

double bench_percentile_ms(const struct scan_stats *st, double q) {
  uint64_t total = 0;
  for (unsigned b = 0; b < BENCH_BUCKETS; b++) {
    total += stat_load(&st->bench_hist[b]);
  }
  if (total == 0) {
    return 0;
  }
  uint64_t want = (uint64_t)(q * (double)total), seen = 0;
  for (unsigned b = 0; b < BENCH_BUCKETS; b++) {
    seen += stat_load(&st->bench_hist[b]);
    if (seen > want) {
      return (double)bench_bucket_upper_us(b) / 1000.0;
    }
  }
  return (double)stat_load(&st->bench_max_us) / 1000.0;
}

static double seconds_since(uint64_t start_ns) {
  return (double)(now_ns() - start_ns) / 1e9;
}

/* print_confirm_rates writes one line per confirmed version: of the sessions
 * whose handshake completed, how many the application refused in its
 * protocol, the rate a gradual retirement shows (other endings, such as a
 * silent close, are neither). */
static void print_confirm_rates(const struct scan_stats *st) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    uint64_t hs = stat_load(&st->confirm_handshakes[pv]);
    uint64_t ok = stat_load(&st->confirm_app_ok[pv]);
    uint64_t refused = stat_load(&st->confirm_app_refused[pv]);
    uint64_t runs = stat_load(&st->confirm_runs[pv]);
    if (runs == 0) {
      continue;
    }
    double lo, hi;
    wilson_interval(refused, hs, 1.959964, &lo, &hi);
    fprintf(stderr,
            "  confirm %-6s %llu runs: %llu handshakes, application ok %llu, refused %llu "
            "= %.1f%% (95%% CI %.1f-%.1f%%)\n",
            probe_version_name((enum probe_version)pv), (unsigned long long)runs,
            (unsigned long long)hs, (unsigned long long)ok, (unsigned long long)refused,
            hs ? 100.0 * (double)refused / (double)hs : 0.0, 100 * lo, 100 * hi);
  }
}

void print_summary(const struct scan_shared *sh, uint64_t start_ns) {
  const struct scan_stats *st = &sh->stats;
  double secs = seconds_since(start_ns);
  fprintf(stderr, "\nsummary: %llu targets in %.1fs (%.0f probes/s)\n",
          (unsigned long long)stat_load(&st->targets_done), secs,
          secs > 0 ? (double)stat_load(&st->probes_done) / secs : 0.0);
  fprintf(stderr, "  %-12s %10s\n", "version", "accepted");
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (sh->config->versions & (1u << pv)) {
      fprintf(stderr, "  %-12s %10llu\n", probe_version_name((enum probe_version)pv),
              (unsigned long long)stat_load(&st->accepted[pv]));
    }
  }
  fprintf(stderr, "  %-12s %10llu\n", "legacy", (unsigned long long)stat_load(&st->legacy_targets));
  fprintf(stderr, "  %-12s %10llu\n", "legacy app",
          (unsigned long long)stat_load(&st->legacy_app_targets));
  print_confirm_rates(st);
  for (int s = 0; s < STATUS_COUNT; s++) {
    fprintf(stderr, "  %-12s %10llu\n", target_status_name((enum target_status)s),
            (unsigned long long)stat_load(&st->status_count[s]));
  }
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    if (sh->config->policies & (1u << i)) {
      fprintf(stderr, "  policy %s: %llu compliant, %llu not compliant, %llu unknown\n",
              policy_name(i), (unsigned long long)stat_load(&st->policy[i][0]),
              (unsigned long long)stat_load(&st->policy[i][1]),
              (unsigned long long)stat_load(&st->policy[i][2]));
    }
  }
}

/* Failed handshakes by enum confirm_failure, as the bench names them. */
static const char *const kFailureKinds[8] = {"",      "alert",   "tls_error", "closed",
                                             "reset", "timeout", "connect",   "starttls"};

static double cpu_seconds(void) {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 +
         (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
}

static void print_bench_json(const struct scan_shared *sh, double secs) {
  const struct scan_stats *st = &sh->stats;
  const struct bench_config *b = &sh->config->bench;
  uint64_t n = bench_handshakes(st);
  json_t *doc = json_object();
  json_object_set_new(doc, "version", json_string(tp_version_name(b->version)));
  json_object_set_new(doc, "concurrency", json_integer(b->concurrency));
  json_object_set_new(doc, "duration_s", json_real(secs));
  json_object_set_new(doc, "handshakes", json_integer((json_int_t)n));
  json_object_set_new(doc, "handshakes_per_sec", json_real(secs > 0 ? (double)n / secs : 0));
  json_object_set_new(doc, "resumed", json_integer((json_int_t)stat_load(&st->bench_resumed)));
  json_t *lat = json_object();
  json_object_set_new(lat, "p50", json_real(bench_percentile_ms(st, 0.50)));
  json_object_set_new(lat, "p90", json_real(bench_percentile_ms(st, 0.90)));
  json_object_set_new(lat, "p99", json_real(bench_percentile_ms(st, 0.99)));
  json_object_set_new(lat, "max", json_real((double)stat_load(&st->bench_max_us) / 1000.0));
  json_object_set_new(doc, "latency_ms", lat);
  json_t *errors = json_object();
  for (int f = 1; f < 8; f++) {
    json_object_set_new(errors, kFailureKinds[f],
                        json_integer((json_int_t)stat_load(&st->confirm_failures[f])));
  }
  json_object_set_new(doc, "errors", errors);
  json_object_set_new(doc, "client_cpu_s", json_real(cpu_seconds()));
  json_object_set_new(doc, "close",
                      json_string(stat_load(&st->bench_fin_close) ? "fin" : "reset"));
  char *text = json_dumps(doc, JSON_COMPACT);
  if (text != NULL) {
    printf("%s\n", text);
    free(text);
  }
  json_decref(doc);
}

void print_bench_report(const struct scan_shared *sh, uint64_t start_ns, int json) {
  double secs = seconds_since(start_ns);
  if (json) {
    print_bench_json(sh, secs);
    return;
  }
  const struct scan_stats *st = &sh->stats;
  uint64_t n = bench_handshakes(st);
  fprintf(stderr, "\nbench: %s, %u at once, %.1f s\n", tp_version_name(sh->config->bench.version),
          sh->config->bench.concurrency, secs);
  fprintf(stderr, "  %-22s %12llu\n", "handshakes", (unsigned long long)n);
  fprintf(stderr, "  %-22s %12.0f\n", "handshakes per second", secs > 0 ? (double)n / secs : 0);
  fprintf(stderr, "  %-22s %12llu\n", "resumed sessions",
          (unsigned long long)stat_load(&st->bench_resumed));
  fprintf(stderr, "  %-22s %12.2f %8.2f %8.2f %8.2f\n", "latency ms p50/90/99/max",
          bench_percentile_ms(st, 0.5), bench_percentile_ms(st, 0.9), bench_percentile_ms(st, 0.99),
          (double)stat_load(&st->bench_max_us) / 1000.0);
  for (int f = 1; f < 8; f++) {
    uint64_t k = stat_load(&st->confirm_failures[f]);
    if (k > 0) {
      fprintf(stderr, "  errors: %-14s %12llu\n", kFailureKinds[f], (unsigned long long)k);
    }
  }
  fprintf(stderr, "  %-22s %12.2f\n", "client CPU seconds", cpu_seconds());
  fprintf(stderr, "  %-22s %12s\n", "connections closed by",
          stat_load(&st->bench_fin_close) ? "FIN (TIME_WAIT)" : "reset");
}

static json_t *json_time(time_t t) {
  char buf[32];
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return json_string(buf);
}

static json_t *json_string_or_null(const char *s) {
  return s != NULL ? json_string(s) : json_null();
}

/* metadata_options describes the settings the scan ran with. */
static json_t *metadata_options(const struct scan_facts *f) {
  const struct run_options *o = f->options;
  const struct scan_config *c = f->config;
  json_t *opt = json_object();
  json_t *versions = json_array();
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (c->versions & (1u << pv)) {
      json_array_append_new(versions, json_string(probe_version_name((enum probe_version)pv)));
    }
  }
  json_object_set_new(opt, "versions", versions);
  json_object_set_new(opt, "port", json_integer(o->defaults.port));
  json_object_set_new(opt, "concurrency", json_integer(c->concurrency));
  json_object_set_new(opt, "threads", json_integer(c->threads));
  json_object_set_new(opt, "rate", json_real(c->rate));
  json_object_set_new(opt, "per_host", json_integer(c->per_host));
  json_object_set_new(opt, "per_network", json_integer(c->per_network));
  json_object_set_new(opt, "network_prefix",
                      json_pack("[ii]", (int)c->net_prefix4, (int)c->net_prefix6));
  json_object_set_new(opt, "timeout_ms", json_integer(c->timeout_ms));
  json_object_set_new(opt, "retries", json_integer(c->retries));
  json_object_set_new(opt, "sni", json_boolean(c->sni));
  json_object_set_new(opt, "ehlo", json_string_or_null(c->ehlo));
  json_object_set_new(opt, "resolver", json_string_or_null(c->resolver));
  json_object_set_new(opt, "family", c->family ? json_integer(c->family) : json_null());
  json_object_set_new(opt, "all_addresses", json_boolean(c->all_addresses));
  json_object_set_new(opt, "format", json_string(o->format));
  json_object_set_new(opt, "input", json_string_or_null(o->input));
  json_object_set_new(opt, "output", json_string_or_null(o->output));
  json_object_set_new(opt, "resume", json_string_or_null(o->resume));
  json_object_set_new(opt, "seed", json_integer((json_int_t)f->seed));
  json_object_set_new(opt, "shard", json_pack("[ii]", (int)o->shard, (int)o->nshards));
  json_object_set_new(opt, "shuffle_window", json_integer((json_int_t)o->window));
  return opt;
}

/* metadata_outcome adds what came of the scan to |doc|. */
static void metadata_outcome(json_t *doc, const struct scan_facts *f) {
  const struct scan_shared *sh = f->shared;
  const struct scan_stats *st = &sh->stats;
  json_t *targets = json_object();
  json_object_set_new(targets, "read", json_integer((json_int_t)sh->feed->position));
  json_object_set_new(targets, "done", json_integer((json_int_t)stat_load(&st->targets_done)));
  json_object_set_new(targets, "skipped_as_done_before",
                      json_integer((json_int_t)sh->feed->skipped));
  json_object_set_new(targets, "not_started",
                      json_integer((json_int_t)stat_load(&sh->not_started)));
  json_object_set_new(targets, "abandoned", json_integer((json_int_t)stat_load(&sh->abandoned)));
  json_object_set_new(targets, "legacy", json_integer((json_int_t)stat_load(&st->legacy_targets)));
  json_object_set_new(doc, "targets", targets);
  json_t *status = json_object();
  for (int s = 0; s < STATUS_COUNT; s++) {
    json_object_set_new(status, target_status_name((enum target_status)s),
                        json_integer((json_int_t)stat_load(&st->status_count[s])));
  }
  json_object_set_new(doc, "status", status);
  json_t *by_version = json_object();
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (!(f->config->versions & (1u << pv))) {
      continue;
    }
    json_t *counts = json_object();
    for (int oc = 0; oc < OUTCOME_COUNT; oc++) {
      uint64_t n = stat_load(&st->outcomes[pv][oc]);
      if (n > 0) {
        json_object_set_new(counts, probe_outcome_name((enum probe_outcome)oc),
                            json_integer((json_int_t)n));
      }
    }
    json_object_set_new(by_version, probe_version_name((enum probe_version)pv), counts);
  }
  json_object_set_new(doc, "verdicts", by_version);
  if (f->config->policies != 0) {
    /* --policy: records by verdict, as the summary on stderr counts them. */
    json_t *policies = json_object();
    for (unsigned i = 0; i < POLICY_COUNT; i++) {
      if (f->config->policies & (1u << i)) {
        json_t *counts = json_pack("{sIsIsI}", "compliant",
                                   (json_int_t)stat_load(&st->policy[i][0]), "not_compliant",
                                   (json_int_t)stat_load(&st->policy[i][1]), "unknown",
                                   (json_int_t)stat_load(&st->policy[i][2]));
        json_object_set_new(policies, policy_name(i), counts);
      }
    }
    json_object_set_new(doc, "policy", policies);
  }
  json_object_set_new(doc, "probes", json_integer((json_int_t)stat_load(&st->probes_done)));
  json_object_set_new(doc, "stopped_by",
                      f->signal == 0 ? json_null()
                                     : json_string(f->signal == SIGINT ? "SIGINT" : "SIGTERM"));
}

int write_metadata(const char *path, const struct scan_facts *f) {
  const struct run_options *o = f->options;
  json_t *doc = json_object();
  char alloc[128];
  allocator_name(alloc, sizeof(alloc));
  json_object_set_new(doc, "tool", json_string("tlssweep"));
  json_object_set_new(doc, "version", json_string(TLSSWEEP_VERSION));
  json_object_set_new(doc, "allocator", json_string(alloc));
  json_t *cmd = json_array();
  for (int i = 0; i < o->argc; i++) {
    json_array_append_new(cmd, json_stringn(o->argv[i], strlen(o->argv[i])));
  }
  json_object_set_new(doc, "command", cmd);
  json_object_set_new(doc, "options", metadata_options(f));
  json_object_set_new(doc, "start", json_time(f->start));
  json_object_set_new(doc, "end", json_time(f->end));
  json_object_set_new(doc, "duration_s", json_real(seconds_since(f->start_ns)));
  metadata_outcome(doc, f);
  int ok = json_dump_file(doc, path, JSON_INDENT(2)) == 0;
  json_decref(doc);
  return ok;
}
