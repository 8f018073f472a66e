/* scanner/base/clock.h: the one clock every part of tlssweep reads.
 *
 * Deadlines, rates, latencies and the status line all measure elapsed time,
 * never the time of day, so they read CLOCK_MONOTONIC, which no clock
 * adjustment moves backwards. */
#ifndef SCANNER_BASE_CLOCK_H
#define SCANNER_BASE_CLOCK_H

#include <stdint.h>

/* now_ns returns CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

#endif /* SCANNER_BASE_CLOCK_H */
