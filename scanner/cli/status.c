/* scanner/cli/status.c: the status line (see status.h). */
#include "scanner/cli/status.h"

#include <stdio.h>
#include <time.h>

#include "scanner/base/clock.h"
#include "scanner/cli/report.h"

static void print_bench_status(struct status_line *s) {
  const struct scan_stats *st = &s->shared->stats;
  uint64_t now = now_ns(), n = bench_handshakes(st);
  double dt = (double)(now - s->bench_last_ns) / 1e9;
  double rate = dt > 0 ? (double)(n - s->bench_last_count) / dt : 0;
  s->bench_last_count = n;
  s->bench_last_ns = now;
  fprintf(stderr,
          "\r\033[K%llu handshakes, %.0f/s, p50 %.1f ms, p99 %.1f ms, %llu errors, %llu in flight",
          (unsigned long long)n, rate, bench_percentile_ms(st, 0.5), bench_percentile_ms(st, 0.99),
          (unsigned long long)bench_errors(st), (unsigned long long)stat_load(&st->in_flight));
}

static void print_scan_status(struct status_line *s) {
  const struct scan_stats *st = &s->shared->stats;
  double secs = (double)(now_ns() - s->start_ns) / 1e9;
  uint64_t done = stat_load(&st->targets_done);
  /* The feed is written under its lock by the engines; these reads are atomic. */
  uint64_t taken = __atomic_load_n(&s->shared->feed->taken, __ATOMIC_RELAXED);
  int total_known = __atomic_load_n(&s->shared->feed->done, __ATOMIC_ACQUIRE);
  double pps = secs > 0 ? (double)stat_load(&st->probes_done) / secs : 0;
  char total[48], eta[32] = "";
  if (total_known) {
    snprintf(total, sizeof(total), "/%llu", (unsigned long long)taken);
    double tps = secs > 0 ? (double)done / secs : 0;
    if (tps > 0 && taken > done) {
      double left = (double)(taken - done) / tps;
      snprintf(eta, sizeof(eta), ", ETA %.0fs", left);
    }
  } else {
    snprintf(total, sizeof(total), " (%llu read)", (unsigned long long)taken);
  }
  fprintf(stderr, "\r\033[K%llu%s targets, %.0f probes/s, %llu in flight, %llu legacy, %.0fs%s",
          (unsigned long long)done, total, pps, (unsigned long long)stat_load(&st->in_flight),
          (unsigned long long)stat_load(&st->legacy_targets), secs, eta);
}

static void *status_main(void *arg) {
  struct status_line *s = arg;
  while (!atomic_load(&s->finished)) {
    struct timespec ts = {.tv_sec = 0, .tv_nsec = 100000000};
    for (int i = 0; i < 10 && !atomic_load(&s->finished); i++) {
      nanosleep(&ts, NULL);
    }
    if (atomic_load(&s->finished)) {
      break;
    }
    if (s->shared->config->bench.version != 0) {
      print_bench_status(s);
    } else {
      print_scan_status(s);
    }
  }
  fputs("\r\033[K", stderr);
  return NULL;
}

void status_start(struct status_line *s, const struct scan_shared *shared, uint64_t start_ns) {
  s->shared = shared;
  s->start_ns = start_ns;
  s->bench_last_count = 0;
  s->bench_last_ns = start_ns;
  atomic_store(&s->finished, 0);
  s->started = pthread_create(&s->thread, NULL, status_main, s) == 0;
}

void status_stop(struct status_line *s) {
  if (!s->started) {
    return;
  }
  atomic_store(&s->finished, 1);
  pthread_join(s->thread, NULL);
  s->started = 0;
}
