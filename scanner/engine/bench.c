/* scanner/engine/bench.c: tlssweep bench, full handshakes as fast as one
 * server takes them.
 *
 * A bench target has no probes: it is planned as confirmations of one
 * version, as many as --handshakes asks (or until --duration is up), run
 * --concurrency at a time through the confirmation's own steps (confirm.c).
 * What differs is the end: at the completed handshake the latency (connect
 * to handshake done) goes to a histogram with eight buckets per power of two
 * of microseconds, so percentiles are within about 9%, and the connection
 * closes with a reset so that neither side keeps a TIME_WAIT socket. */
#include "scanner/engine/internal.h"

/* bench_bucket maps a latency to its histogram bucket. */
static unsigned bench_bucket(uint64_t us) {
  if (us < 8) {
    return (unsigned)us;
  }
  unsigned log = 63u - (unsigned)__builtin_clzll(us);
  unsigned b = (log - 2) * 8 + (unsigned)((us >> (log - 3)) & 7);
  return b < BENCH_BUCKETS ? b : BENCH_BUCKETS - 1;
}

uint64_t bench_bucket_upper_us(unsigned b) {
  if (b < 8) {
    return b + 1;
  }
  unsigned log = b / 8 + 2;
  return ((uint64_t)(8 + b % 8 + 1) << (log - 3));
}

void bench_plan(struct engine *e, struct target_state *ts) {
  enum probe_version pv;
  ts->versions_left = 0;
  ts->confirm_planned = 1;
  if (!probe_version_from_wire(e->cfg->bench.version, &pv)) {
    return;
  }
  struct target_extras *x = target_extras(e, ts);
  if (x == NULL) {
    return;
  }
  x->confirm[pv].state = CONFIRM_DONE;
  ts->confirm_left[pv] = e->cfg->bench.handshakes ? e->cfg->bench.handshakes : UINT32_MAX;
}

/* bench_handshake_done ends a bench run at the completed handshake; with
 * --resume-sessions the first session is kept for the runs after it. */
void bench_handshake_done(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct scan_stats *st = &e->sh->stats;
  SSL *ssl = tls_of(e, cn)->ssl;
  uint64_t us = (now_ns() - cn->start_ns) / 1000;
  stat_add(&st->bench_hist[bench_bucket(us)], 1);
  uint64_t max = __atomic_load_n(&st->bench_max_us, __ATOMIC_RELAXED);
  while (us > max && !__atomic_compare_exchange_n(&st->bench_max_us, &max, us, 0,
                                                  __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
  }
  if (SSL_session_reused(ssl)) {
    stat_add(&st->bench_resumed, 1);
  }
  if (e->cfg->bench.resume && e->bench_session == NULL) {
    e->bench_session = SSL_get1_session(ssl);
  }
  /* In TLS 1.3 the client's Finished is still in the output BIO: send it and
   * close once it has gone, so that the server completes its handshake too
   * (and the next handshake on this side slot starts clean). */
  drain_ssl(e, c);
  if (cn->flags & CONN_SEND_INFLIGHT) {
    cn->flags |= CONN_FLUSH_CLOSE;
  }
  confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_UNCHECKED, "handshake");
}

const struct conn_kind kBenchKind = {
    .name = "bench",
    .deadline_steps = 6,
    .dialogue = 1,
    .ready = tls_ready,
    .data = tls_data,
    .eof = tls_eof,
    .sent = tls_sent,
    .fail = tls_fail,
    .release = tls_release,
    .handshake_done = bench_handshake_done,
};
