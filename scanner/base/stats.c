/* scanner/base/stats.c: the Wilson score interval.
 *
 * Written in the shares p = x/n rather than the counts, so that no
 * intermediate grows with n (n may be any uint64_t): the centre is
 * (p + z^2/2n) / (1 + z^2/n) and the half-width
 * z / (1 + z^2/n) * sqrt(p(1 - p)/n + z^2/4n^2). At x = 0 (and x = n) the
 * two are equal in exact arithmetic, so the bound that must be 0 (or 1) is
 * set rather than left to rounding. */
#include "scanner/base/stats.h"

#include <math.h>
#include <stdint.h>

void wilson_interval(uint64_t successes, uint64_t n, double z, double *lo, double *hi) {
  *lo = 0.0;
  *hi = 1.0;
  if (n == 0 || successes > n || !(z >= 0.0) || isinf(z)) {
    return;
  }
  double trials = (double)n;
  double p = (double)successes / trials;
  double z2 = z * z;
  double denominator = 1.0 + z2 / trials;
  double centre = (p + z2 / (2.0 * trials)) / denominator;
  double half = z / denominator * sqrt(p * (1.0 - p) / trials + z2 / (4.0 * trials * trials));
  if (successes > 0) {
    *lo = fmax(0.0, centre - half);
  }
  if (successes < n) {
    *hi = fmin(1.0, centre + half);
  }
}
