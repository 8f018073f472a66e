/* scanner/engine/engine.h: the io_uring scan engine.
 *
 * One engine runs one io_uring loop on one thread. It pulls targets from a
 * shared feed, resolves names with c-ares inside the same loop, and for each
 * target runs one TCP connection per selected version: socket, connect, send
 * the pinned ClientHello, receive until tlsparse gives a verdict, close. All
 * of it goes through the ring, batched, with linked timeouts; no blocking
 * syscall on the hot path and no heap allocation per probe (connection slots
 * and target states are slabs sized from the concurrency at start). Every
 * target yields exactly one scan_result, handed to the sink callback in
 * completion order. */
#ifndef SCANNER_ENGINE_H
#define SCANNER_ENGINE_H

#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <stdint.h>

#include "scanner/base/clock.h"
#include "scanner/engine/inflight.h"
#include "scanner/output/result.h"
#include "scanner/targets/resume.h"
#include "scanner/targets/target.h"

struct scan_policy;

/* tlssweep bench: full handshakes at one version against one target, as
 * many at once as |concurrency| (all threads together). */
struct bench_config {
  uint16_t version;           /* wire version; 0: not a bench */
  uint32_t handshakes;        /* stop after this many (0: by time) */
  uint64_t deadline_ns;       /* start no handshake after this (0: none) */
  int resume;                 /* offer the first session again (--resume-sessions) */
  const char *ciphers;        /* BoringSSL cipher list (--cipher), NULL: broad */
  unsigned concurrency;       /* handshakes in flight (-c) */
};

/* Settings of a scan, shared read-only by every engine thread. */
struct scan_config {
  uint32_t versions;          /* mask of 1u << probe_version (-V) */
  unsigned concurrency;       /* connections in flight per engine thread (-c) */
  double rate;                /* new connections per second, all threads; 0 = unlimited (-r) */
  unsigned per_host;          /* connections in flight to one IP (--per-host) */
  unsigned per_network;       /* ... to one network; 0 = no limit (--per-network) */
  unsigned net_prefix4, net_prefix6; /* what a network is (--network-prefix) */
  uint32_t timeout_ms;        /* per step: connect, each receive (--timeout) */
  unsigned retries;           /* extra attempts after a timeout (--retries) */
  int sni;                    /* send SNI for names (--sni / --no-sni) */
  const char *ehlo;           /* SMTP EHLO name and XMPP domain (--ehlo), NULL: default */
  const char *resolver;       /* "ADDR[:PORT]" or NULL for the system's (--resolver) */
  int family;                 /* 4 or 6 (--ipv4-only, --ipv6-only); 0: both */
  int all_addresses;          /* probe every address of a name (--all-addresses) */
  /* Confirmation of accepted versions by full BoringSSL handshakes. */
  int confirm;                /* --confirm (on) / --no-confirm */
  int confirm_all;            /* every accepted version, not just legacy + control */
  unsigned repeat;            /* runs per legacy version (--repeat) */
  int shape_retry;            /* retry swallowed hellos with the minimal shape */
  int era_order;              /* TLS 1.0-1.2 probes offer suites in their era's order
                                 (--era-order), not static RSA first */
  int check_fallback;         /* --check-fallback */
  int ciphers;                /* --ciphers: enumerate every accepted version's suites */
  uint32_t policies;          /* --policy: mask of 1u << policies.h's index */
  const struct cert_verifier *verifier; /* trust store for the certificate report */
  /* tlssweep bench: full handshakes at one version against one target. */
  struct bench_config bench;
  /* --source-ip: local addresses connections are bound to, round robin
   * among those of the target's family. */
  struct sockaddr_storage sources[16];
  unsigned nsources;
  /* What may be scanned: reserved ranges, --blocklist, --allowlist. */
  const struct scan_policy *policy;
  unsigned threads;           /* engine threads (--threads) */
  int connect_only;           /* connect and close, send nothing: the benchmark floor */
};

/* The feed hands targets to engine threads (a mutex around the source; each
 * engine takes a few at a time) and counts them for the status line. */
struct target_feed {
  pthread_mutex_t lock;
  /* The ordered source of targets: target_source_next over a
   * target_source, or the permuter over one. */
  int (*next)(void *source, struct target_item *out);
  void *source;
  int done;                   /* the source is exhausted */
  uint64_t position;          /* items read from the source: the next pseq */
  uint64_t taken;             /* items handed to engines */
  /* A resumed scan skips the positions its checkpoint has done (NULL: none). */
  const struct done_set *skip;
  uint64_t skipped;
};

/* What the engines report to the sink. Called from engine threads under the
 * sink's own lock; must not block for long. */
struct scan_sink {
  void (*on_result)(void *ctx, const struct scan_result *r);
  /* congested, if set, says the output is behind: take no new targets. */
  int (*congested)(void *ctx);
  void *ctx;
};

/* Latency histogram buckets: 8 per power of two of microseconds, up to
 * about 2^30 us. */
#define BENCH_BUCKETS 232

/* bench_bucket_upper_us is the upper bound of histogram bucket |b|. */
uint64_t bench_bucket_upper_us(unsigned b);

/* Counters, updated by engines with relaxed atomics, read by the status line. */
struct scan_stats {
  uint64_t targets_done;
  uint64_t probes_done;
  uint64_t in_flight;
  uint64_t legacy_targets;
  uint64_t accepted[PV_COUNT];
  uint64_t outcomes[PV_COUNT][OUTCOME_COUNT]; /* by version and enum probe_outcome */
  uint64_t status_count[STATUS_COUNT];
  uint64_t connects;
  uint64_t confirms_done;
  /* Confirmation runs by version: all, handshakes completed, and sessions
   * the application accepted (for the refusal rate in the summary). */
  uint64_t confirm_runs[PV_COUNT], confirm_handshakes[PV_COUNT], confirm_app_ok[PV_COUNT];
  uint64_t confirm_app_refused[PV_COUNT];
  uint64_t legacy_app_targets;  /* targets where TLS 1.0/1.1 works at the application level */
  uint64_t confirm_failures[8];    /* failed handshakes by enum confirm_failure */
  /* --policy: records by policy (policies.h's index) judged compliant, not
   * compliant, and unknown. */
  uint64_t policy[8][3];
  /* tlssweep bench: handshake latencies (bench_bucket), the slowest, and
   * how many handshakes resumed a session. */
  uint64_t bench_hist[BENCH_BUCKETS];
  uint64_t bench_max_us;
  uint64_t bench_resumed;
  uint64_t bench_fin_close;   /* 1: the kernel could not set SO_LINGER through the ring */
};

/* A token bucket shared by the engine threads (--rate). */
struct rate_limiter {
  pthread_mutex_t lock;
  double rate;                /* tokens per second; 0 = unlimited */
  double burst;
  double tokens;
  uint64_t last_ns;
};

/* rate_limiter_init sets |rate| tokens per second with a burst of about a
 * tenth of a second (at least 1). */
void rate_limiter_init(struct rate_limiter *rl, double rate);
/* rate_limiter_take tries to take up to |want| tokens at time |now_ns|.
 * Returns how many it took; when 0, |*wait_ns| says when one will be there. */
unsigned rate_limiter_take(struct rate_limiter *rl, unsigned want, uint64_t now_ns,
                           uint64_t *wait_ns);

/* Everything an engine thread needs, passed in (no globals). */
/* The connections in flight per address and per network, shared by every
 * engine thread so that --per-host and --per-network hold for the whole
 * scan, not per thread: one pair of tables under one lock, held for a
 * lookup or two per connection. */
struct politeness {
  pthread_mutex_t lock;
  struct inflight_table per_host;
  struct inflight_table per_net;
};

/* politeness_init sizes the tables for |targets| targets at once (every
 * engine's target states together). Returns 1, or 0 without memory. */
int politeness_init(struct politeness *p, uint32_t targets);
void politeness_free(struct politeness *p);

/* engine_targets_per_thread is how many targets one engine holds at once. */
uint32_t engine_targets_per_thread(const struct scan_config *cfg);

struct scan_shared {
  const struct scan_config *config;
  struct politeness *polite;
  struct target_feed *feed;
  struct rate_limiter *limiter;
  struct scan_sink sink;
  pthread_mutex_t sink_lock;
  struct scan_stats stats;
  /* Set by signals: 1 = start nothing new and finish what is in flight by
   * |stop_deadline_ns| (then abandon it); 2 = stop at once. */
  volatile sig_atomic_t stop;
  volatile uint64_t stop_deadline_ns;
  uint64_t abandoned;         /* targets in flight when an engine gave up */
  uint64_t not_started;       /* targets taken but never probed, dropped at a stop */
};

/* engine_run runs one engine loop until the feed is exhausted and every
 * target it took has its result (or |shared->stop| is set and in-flight work
 * is finished or timed out). Returns 0, or -errno when the ring cannot be
 * set up (the caller reports it and exits 2). */
int engine_run(struct scan_shared *shared);

#endif /* SCANNER_ENGINE_H */
