/* scanner/base/stats.h: interval estimates for the shares a scan reports.
 *
 * A scan of a sample says "13 of 20 servers that accept TLS 1.0 refuse it
 * in the application"; the share alone hides how little 20 servers tell.
 * The Wilson score interval (Wilson 1927; Brown, Cai and DasGupta 2001)
 * keeps its nominal coverage at small n and at shares near 0 or 1, where the
 * textbook p +- z*sqrt(p(1-p)/n) collapses to a point or leaves [0, 1].
 * Pure arithmetic: no I/O, no allocation, no globals. */
#ifndef SCANNER_STATS_H
#define SCANNER_STATS_H

#include <stdint.h>

/* The standard normal quantile for a two-sided 95% interval. */
#define STATS_Z_95 1.959964

/* wilson_interval sets |*lo| and |*hi| to the Wilson score interval for
 * |successes| out of |n| trials at normal quantile |z| (STATS_Z_95 for 95%):
 *   (x + z^2/2 -+ z * sqrt(x (n - x) / n + z^2 / 4)) / (n + z^2).
 * The bounds stay within [0, 1]; lo is exactly 0 when successes is 0 and hi
 * exactly 1 when successes is n. Nothing observed (n == 0) and meaningless
 * input (successes > n, z negative or not a number) give [0, 1]: the
 * interval that claims nothing. */
void wilson_interval(uint64_t successes, uint64_t n, double z, double *lo, double *hi);

#endif /* SCANNER_STATS_H */
