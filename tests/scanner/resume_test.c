/* tests/scanner/resume_test.c: the done set and checkpoint files.
 *
 * The done set must answer exactly like a plain set of positions whatever
 * the order they come in (checked against a bitmap over random orders, with
 * stragglers far behind the front), while its window stays proportional to
 * the spread, not the count; and a checkpoint written and read back must
 * describe the same set, refuse files that are cut short or not ours, and
 * say "fresh start" for a file that does not exist. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanner/targets/resume.h"

static void test_in_order_keeps_window_small(void **state) {
  (void)state;
  struct done_set d;
  done_set_init(&d);
  for (uint64_t p = 0; p < 1000000; p++) {
    assert_true(done_set_add(&d, p));
  }
  assert_int_equal(d.count, 1000000);
  assert_int_equal(d.low, 1000000 - 1000000 % 64);
  /* A million positions in order never need more than the first window. */
  assert_true(d.nwords <= 16);
  assert_true(done_set_has(&d, 999999));
  assert_false(done_set_has(&d, 1000000));
  done_set_free(&d);
}

static void test_random_order_matches_bitmap(void **state) {
  (void)state;
  enum { N = 50000 };
  static uint32_t order[N];
  static uint8_t truth[N + 100];
  for (int round = 0; round < 3; round++) {
    for (uint32_t i = 0; i < N; i++) {
      order[i] = i;
    }
    /* Shuffle within windows of 2,000 (out-of-order completion), and hold
     * back a few stragglers to the very end. */
    unsigned seed = 99 + (unsigned)round;
    for (uint32_t i = 0; i < N; i++) {
      seed = seed * 1103515245u + 12345u;
      uint32_t j = i + (seed >> 8) % (N - i < 2000 ? N - i : 2000);
      uint32_t t = order[i];
      order[i] = order[j];
      order[j] = t;
    }
    struct done_set d;
    done_set_init(&d);
    memset(truth, 0, sizeof(truth));
    for (uint32_t i = 0; i < N; i++) {
      uint32_t p = order[i];
      if (p % 9973 == 5) {
        continue; /* stragglers */
      }
      assert_true(done_set_add(&d, p));
      truth[p] = 1;
      if (i % 997 == 0) {
        for (uint32_t q = 0; q < N + 100; q += 7) {
          assert_int_equal(done_set_has(&d, q), truth[q]);
        }
      }
    }
    assert_true(d.low <= 5);
    for (uint32_t p = 5; p < N; p += 9973) {
      assert_true(done_set_add(&d, p));
      truth[p] = 1;
    }
    for (uint32_t q = 0; q < N + 100; q++) {
      assert_int_equal(done_set_has(&d, q), truth[q]);
    }
    assert_int_equal(d.low, N - N % 64);
    done_set_add(&d, 7); /* again: no change */
    assert_int_equal(d.count, N);
    done_set_free(&d);
  }
}

static void test_checkpoint_round_trip(void **state) {
  (void)state;
  char path[] = "/tmp/tlssweep-ckpt-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  struct checkpoint cp;
  memset(&cp, 0, sizeof(cp));
  done_set_init(&cp.done);
  cp.identity = 0x0123456789abcdefull;
  cp.seed = 42;
  cp.output_bytes = 987654321;
  for (uint64_t p = 0; p < 700; p++) {
    done_set_add(&cp.done, p);
  }
  const uint64_t above[] = {705, 800, 801, 5000, 123456};
  for (size_t i = 0; i < 5; i++) {
    done_set_add(&cp.done, above[i]);
  }
  assert_int_equal(checkpoint_write(path, &cp), 0);

  struct checkpoint back;
  memset(&back, 0, sizeof(back));
  done_set_init(&back.done);
  char err[256] = "";
  assert_int_equal(checkpoint_read(path, &back, err, sizeof(err)), 1);
  assert_int_equal(back.identity, cp.identity);
  assert_int_equal(back.seed, 42);
  assert_int_equal(back.output_bytes, 987654321);
  assert_int_equal(back.done.count, cp.done.count);
  for (uint64_t q = 0; q < 130000; q++) {
    assert_int_equal(done_set_has(&back.done, q), done_set_has(&cp.done, q));
  }
  done_set_free(&back.done);

  /* Cut short: refused, with a reason. */
  FILE *f = fopen(path, "r+");
  fseek(f, 0, SEEK_END);
  long len = ftell(f);
  fclose(f);
  assert_int_equal(truncate(path, len - 4), 0);
  done_set_init(&back.done);
  assert_int_equal(checkpoint_read(path, &back, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "cut short"));
  done_set_free(&back.done);

  /* Not ours. */
  f = fopen(path, "w");
  fputs("{\"target\":\"x\"}\n", f);
  fclose(f);
  done_set_init(&back.done);
  assert_int_equal(checkpoint_read(path, &back, err, sizeof(err)), -1);
  assert_non_null(strstr(err, "not a tlssweep checkpoint"));
  done_set_free(&back.done);

  unlink(path);
  done_set_init(&back.done);
  assert_int_equal(checkpoint_read(path, &back, err, sizeof(err)), 0);
  done_set_free(&back.done);
  done_set_free(&cp.done);
}

static void test_identity(void **state) {
  (void)state;
  char *a[] = {"scan", "-i", "t.txt", "-o", "out"};
  char *b[] = {"scan", "-i", "t.txt", "-o", "out2"};
  char *c[] = {"scan", "-it.txt", "-o", "out"};
  uint64_t ia = checkpoint_identity(5, a);
  assert_int_equal(ia, checkpoint_identity(5, a));
  assert_int_not_equal(ia, checkpoint_identity(5, b));
  /* Argument boundaries count: "-i" "t.txt" is not "-it.txt". */
  assert_int_not_equal(ia, checkpoint_identity(4, c));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_in_order_keeps_window_small),
      cmocka_unit_test(test_random_order_matches_bitmap),
      cmocka_unit_test(test_checkpoint_round_trip),
      cmocka_unit_test(test_identity),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
