/* scanner/cli/status.h: the status line on stderr.
 *
 * A thread wakes every tenth of a second and, once a second, rewrites one
 * line on stderr: for a scan, targets done of the total, the share done and
 * the time left, probes per second, connections in flight and legacy
 * endpoints so far; for a bench, handshakes, their rate over the last
 * second, latency percentiles, errors and connections in flight. The line
 * is cleared when it stops, before the summary is written.
 *
 * The total is exact once the input has been read to its end; before that
 * the run estimates it (status_progress: a regular file's targets from the
 * share of its bytes read, CIDR blocks by their addresses, arguments by
 * their count) and the line marks it with "~". A pipe gives no estimate
 * until it ends: the line then says how many targets were read. The time
 * left is the time so far scaled by what is left over what is done.
 *
 * status_discovery prints the same kind of line for a phase the calling
 * thread runs itself (the DNS discovery of `tlssweep tenants`).
 *
 * When the records go to the same terminal (the text view), the writer
 * takes the line off before each write and puts it back after
 * (status_around_write), so records never land in the middle of it. */
#ifndef SCANNER_CLI_STATUS_H
#define SCANNER_CLI_STATUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/engine/engine.h"

/* How a run estimates the targets it will handle in all, before its input
 * has been read to the end. */
struct status_progress {
  /* total returns 1 with |*out| the estimate, or 0 when there is none yet.
   * Called from the status thread once a second. */
  int (*total)(void *ctx, uint64_t *out);
  void *ctx;
};

struct status_line {
  const struct scan_shared *shared;
  struct status_progress progress;
  pthread_mutex_t print_lock;  /* the line on the terminal, |text| and |started| */
  char text[256];              /* the line shown, "" when none is */
  uint64_t start_ns;
  uint64_t bench_last_count, bench_last_ns; /* a bench's rate over the last second */
  pthread_t thread;
  int started;
  atomic_int finished;
};

/* status_start starts the status line of the scan |shared|, begun at
 * |start_ns|, with |progress| to estimate its total (its |total| may be
 * NULL); when no thread can be started, the scan runs without one. */
void status_start(struct status_line *s, const struct scan_shared *shared, uint64_t start_ns,
                  const struct status_progress *progress);

/* status_stop stops the line and clears it; a line never started, or
 * stopped already, is left alone. */
void status_stop(struct status_line *s);

/* status_around_write lets records share the terminal with the line (the
 * text view on a terminal): called with |begin| 1 before records are
 * written to the terminal, it takes the line off; with 0 after, it draws
 * it again below them. A writer's terminal hook (writer.h); |ctx| is the
 * status_line, started before the hook is set. */
void status_around_write(void *ctx, int begin);

/* status_progress_text writes ", 42%, ETA 3m05s" for |done| of |total|
 * after |secs| seconds to |out| (empty when |total| is 0; no ETA before
 * anything is done). */
void status_progress_text(uint64_t done, uint64_t total, double secs, char *out, size_t cap);

/* status_discovery rewrites the status line with a phase's progress, |what|
 * and |extra| around the figures: "discovery: DNS lookups 120/400, 30%, ETA
 * 4s, 57 endpoints". */
void status_discovery(const char *what, uint64_t done, uint64_t total, const char *extra,
                      double secs);

/* status_clear clears the line status_discovery wrote. */
void status_clear(void);

#endif /* SCANNER_CLI_STATUS_H */
