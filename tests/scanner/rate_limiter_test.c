/* tests/scanner/rate_limiter_test.c: the token bucket behind --rate.
 *
 * Time is passed in, so these tests drive the bucket with a simulated clock
 * and check what a user relies on: over any stretch of time no more
 * connections start than rate x time plus one burst of about a tenth of a
 * second; an idle bucket refills only up to that burst; the wait it
 * announces is the time until the next token; rate 0 means no limit. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include "scanner/engine/engine.h"

#define MS 1000000ull
#define SEC 1000000000ull

static void test_unlimited(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 0);
  uint64_t wait = 0;
  assert_int_equal(rate_limiter_take(&rl, 100000, 1 * SEC, &wait), 100000);
}

static void test_burst_then_rate(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 100); /* burst: 10 */
  uint64_t now = 5 * SEC, wait = 0;
  assert_int_equal(rate_limiter_take(&rl, 50, now, &wait), 10);
  assert_int_equal(rate_limiter_take(&rl, 1, now, &wait), 0);
  /* One token every 10 ms. */
  assert_true(wait > 9 * MS && wait <= 10 * MS + 1);
  assert_int_equal(rate_limiter_take(&rl, 1, now + wait, &wait), 1);
}

static void test_long_run_respects_rate(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 1000); /* burst: 100 */
  uint64_t start = 1 * SEC, now = start, wait = 0;
  unsigned long taken = 0;
  /* A greedy taker polling every 0.3 ms for 3 simulated seconds. */
  while (now < start + 3 * SEC) {
    taken += rate_limiter_take(&rl, 64, now, &wait);
    now += 300000;
  }
  /* 3 s at 1000/s plus the initial burst of 100, give or take rounding. */
  assert_true(taken >= 3000 + 100 - 2);
  assert_true(taken <= 3000 + 100 + 1);
}

static void test_idle_refill_is_capped(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 50); /* burst: 5 */
  uint64_t wait = 0;
  assert_int_equal(rate_limiter_take(&rl, 5, 1 * SEC, &wait), 5);
  /* An hour idle refills one burst, not 180,000 tokens. */
  assert_int_equal(rate_limiter_take(&rl, 1000, 3601 * SEC, &wait), 5);
  assert_int_equal(rate_limiter_take(&rl, 1, 3601 * SEC, &wait), 0);
}

static void test_clock_going_back_adds_nothing(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 10); /* burst: 1 */
  uint64_t wait = 0;
  assert_int_equal(rate_limiter_take(&rl, 1, 10 * SEC, &wait), 1);
  assert_int_equal(rate_limiter_take(&rl, 1, 9 * SEC, &wait), 0);
  assert_int_equal(rate_limiter_take(&rl, 1, 10 * SEC, &wait), 0);
  assert_int_equal(rate_limiter_take(&rl, 1, 10 * SEC + 100 * MS, &wait), 1);
}

static void test_slow_rates(void **state) {
  (void)state;
  struct rate_limiter rl;
  rate_limiter_init(&rl, 0.5); /* one every two seconds; burst: 1 */
  uint64_t wait = 0;
  assert_int_equal(rate_limiter_take(&rl, 3, 1 * SEC, &wait), 1);
  assert_int_equal(rate_limiter_take(&rl, 1, 2 * SEC, &wait), 0);
  assert_true(wait > 900 * MS && wait <= 1 * SEC + 1);
  assert_int_equal(rate_limiter_take(&rl, 1, 3 * SEC, &wait), 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_unlimited),
      cmocka_unit_test(test_burst_then_rate),
      cmocka_unit_test(test_long_run_respects_rate),
      cmocka_unit_test(test_idle_refill_is_capped),
      cmocka_unit_test(test_clock_going_back_adds_nothing),
      cmocka_unit_test(test_slow_rates),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
