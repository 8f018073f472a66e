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
  snprintf(s->text, sizeof(s->text),
           "%llu handshakes, %.0f/s, p50 %.1f ms, p99 %.1f ms, %llu errors, %llu in flight",
           (unsigned long long)n, rate, bench_percentile_ms(st, 0.5), bench_percentile_ms(st, 0.99),
           (unsigned long long)bench_errors(st), (unsigned long long)stat_load(&st->in_flight));
}

/* duration_text writes |secs| as "45s", "3m05s" or "2h03m". */
static void duration_text(double secs, char *out, size_t cap) {
  unsigned long s = secs < 0 ? 0 : secs > 359999 ? 359999 : (unsigned long)(secs + 0.5);
  if (s < 60) {
    snprintf(out, cap, "%lus", s);
  } else if (s < 3600) {
    snprintf(out, cap, "%lum%02lus", s / 60, s % 60);
  } else {
    snprintf(out, cap, "%luh%02lum", s / 3600, s / 60 % 60);
  }
}

void status_progress_text(uint64_t done, uint64_t total, double secs, char *out, size_t cap) {
  out[0] = '\0';
  if (total == 0) {
    return;
  }
  /* An estimate can fall short of what is already done. */
  if (total < done) {
    total = done;
  }
  unsigned pct = (unsigned)(100.0 * (double)done / (double)total);
  if (pct == 100 && done < total) {
    pct = 99;
  }
  if (done == 0 || secs <= 0) {
    snprintf(out, cap, ", %u%%", pct);
    return;
  }
  char eta[32];
  duration_text(secs * (double)(total - done) / (double)done, eta, sizeof(eta));
  snprintf(out, cap, ", %u%%, ETA %s", pct, eta);
}

static void print_scan_status(struct status_line *s) {
  const struct scan_stats *st = &s->shared->stats;
  double secs = (double)(now_ns() - s->start_ns) / 1e9;
  uint64_t done = stat_load(&st->targets_done);
  /* The feed is written under its lock by the engines; these reads are atomic. */
  uint64_t taken = __atomic_load_n(&s->shared->feed->taken, __ATOMIC_RELAXED);
  int total_known = __atomic_load_n(&s->shared->feed->done, __ATOMIC_ACQUIRE);
  double pps = secs > 0 ? (double)stat_load(&st->probes_done) / secs : 0;
  uint64_t total = 0;
  int estimated = !total_known && s->progress.total != NULL &&
                  s->progress.total(s->progress.ctx, &total) && total > 0;
  char of[48], progress[64] = "";
  if (total_known || estimated) {
    total = total_known ? taken : total;
    snprintf(of, sizeof(of), "/%s%llu", estimated ? "~" : "", (unsigned long long)total);
    status_progress_text(done, total, secs, progress, sizeof(progress));
  } else {
    snprintf(of, sizeof(of), " (%llu read)", (unsigned long long)taken);
  }
  snprintf(s->text, sizeof(s->text),
           "%llu%s targets%s, %.0f probes/s, %llu in flight, %llu legacy, %.0fs",
           (unsigned long long)done, of, progress, pps,
           (unsigned long long)stat_load(&st->in_flight),
           (unsigned long long)stat_load(&st->legacy_targets), secs);
}

void status_discovery(const char *what, uint64_t done, uint64_t total, const char *extra,
                      double secs) {
  char progress[64];
  status_progress_text(done, total, secs, progress, sizeof(progress));
  fprintf(stderr, "\r\033[K%s %llu/%llu%s%s%s", what, (unsigned long long)done,
          (unsigned long long)total, progress, extra[0] != '\0' ? ", " : "", extra);
}

void status_clear(void) {
  fputs("\r\033[K", stderr);
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
    pthread_mutex_lock(&s->print_lock);
    if (s->shared->config->bench.version != 0) {
      print_bench_status(s);
    } else {
      print_scan_status(s);
    }
    fprintf(stderr, "\r\033[K%s", s->text);
    pthread_mutex_unlock(&s->print_lock);
  }
  pthread_mutex_lock(&s->print_lock);
  s->text[0] = '\0';
  status_clear();
  pthread_mutex_unlock(&s->print_lock);
  return NULL;
}

void status_start(struct status_line *s, const struct scan_shared *shared, uint64_t start_ns,
                  const struct status_progress *progress) {
  s->shared = shared;
  s->progress = *progress;
  s->start_ns = start_ns;
  s->bench_last_count = 0;
  s->bench_last_ns = start_ns;
  s->text[0] = '\0';
  pthread_mutex_init(&s->print_lock, NULL);
  atomic_store(&s->finished, 0);
  s->started = pthread_create(&s->thread, NULL, status_main, s) == 0;
}

void status_stop(struct status_line *s) {
  if (!s->started) {
    return;
  }
  atomic_store(&s->finished, 1);
  pthread_join(s->thread, NULL);
  pthread_mutex_lock(&s->print_lock);
  s->started = 0;
  pthread_mutex_unlock(&s->print_lock);
}

void status_around_write(void *ctx, int begin) {
  struct status_line *s = ctx;
  if (begin) {
    pthread_mutex_lock(&s->print_lock);
    if (s->started && s->text[0] != '\0') {
      status_clear();
      fflush(stderr);
    }
    return;
  }
  if (s->started && s->text[0] != '\0') {
    fprintf(stderr, "\r\033[K%s", s->text);
  }
  pthread_mutex_unlock(&s->print_lock);
}
