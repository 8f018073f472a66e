/* scanner/cli/status.h: the status line on stderr.
 *
 * A thread wakes every tenth of a second and, once a second, rewrites one
 * line on stderr: for a scan, targets done (of the total once the input has
 * been read to its end, which is when the total is known), probes per
 * second, connections in flight, legacy endpoints so far and an estimate of
 * the time left; for a bench, handshakes, their rate over the last second,
 * latency percentiles, errors and connections in flight. The line is
 * cleared when it stops, before the summary is written. */
#ifndef SCANNER_CLI_STATUS_H
#define SCANNER_CLI_STATUS_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>

#include "scanner/engine/engine.h"

struct status_line {
  const struct scan_shared *shared;
  uint64_t start_ns;
  uint64_t bench_last_count, bench_last_ns; /* a bench's rate over the last second */
  pthread_t thread;
  int started;
  atomic_int finished;
};

/* status_start starts the status line of the scan |shared|, begun at
 * |start_ns|; when no thread can be started, the scan runs without one. */
void status_start(struct status_line *s, const struct scan_shared *shared, uint64_t start_ns);

/* status_stop stops the line and clears it; a line never started, or
 * stopped already, is left alone. */
void status_stop(struct status_line *s);

#endif /* SCANNER_CLI_STATUS_H */
