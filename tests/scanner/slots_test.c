/* tests/scanner/slots_test.c: the slot pool and its user_data.
 *
 * The engine trusts slot_lookup to drop completions that belong to a slot's
 * previous probe (a linked timeout cancelled after the slot was reused, a
 * late close). These tests reuse slots the way the engine does and check that
 * every stale user_data is refused and every current one accepted, that the
 * fields survive packing at their extremes, and that the pool never hands
 * out a busy slot. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <cmocka.h>

#include "scanner/engine/slots.h"

static void test_pack_round_trip(void **state) {
  (void)state;
  const uint32_t indexes[] = {0, 1, 4095, SLOT_MAX - 1};
  const uint32_t gens[] = {0, 1, 0x7fffffff, UINT32_MAX};
  for (size_t i = 0; i < 4; i++) {
    for (size_t g = 0; g < 4; g++) {
      for (unsigned op = 0; op < 256; op += 85) {
        uint64_t ud = ud_pack(op, indexes[i], gens[g]);
        assert_int_equal(ud_op(ud), op);
        assert_int_equal(ud_index(ud), indexes[i]);
        assert_int_equal(ud_gen(ud), gens[g]);
      }
    }
  }
}

static void test_stale_completion_is_dropped(void **state) {
  (void)state;
  struct slot_pool p;
  assert_true(slot_pool_init(&p, 4));
  uint32_t a = slot_take(&p);
  assert_int_not_equal(a, SLOT_NONE);
  uint64_t connect = slot_ud(&p, 2, a);
  uint64_t timeout = slot_ud(&p, 3, a);
  uint32_t got;
  assert_true(slot_lookup(&p, connect, &got));
  assert_int_equal(got, a);

  /* The probe ends; the slot is released and taken again by the next one,
   * while the old probe's timeout completion is still on its way. */
  slot_release(&p, a);
  assert_false(slot_lookup(&p, timeout, &got));
  uint32_t b = slot_take(&p);
  assert_int_equal(b, a); /* LIFO: the same slot comes back */
  assert_false(slot_lookup(&p, timeout, &got));
  assert_false(slot_lookup(&p, connect, &got));
  uint64_t fresh = slot_ud(&p, 2, b);
  assert_true(slot_lookup(&p, fresh, &got));
  assert_int_equal(got, b);
  slot_pool_free(&p);
}

static void test_out_of_range_and_free_slots(void **state) {
  (void)state;
  struct slot_pool p;
  assert_true(slot_pool_init(&p, 2));
  uint32_t got;
  /* Nothing is busy yet: even generation 0 of slot 0 is not current. */
  assert_false(slot_lookup(&p, ud_pack(1, 0, 0), &got));
  assert_false(slot_lookup(&p, ud_pack(1, 5, 0), &got));
  uint32_t a = slot_take(&p);
  uint32_t b = slot_take(&p);
  assert_int_not_equal(a, b);
  assert_int_equal(slot_take(&p), SLOT_NONE);
  /* Releasing twice must not put a slot on the free list twice. */
  slot_release(&p, a);
  slot_release(&p, a);
  assert_int_equal(p.nfree, 1);
  assert_int_equal(slot_take(&p), a);
  assert_int_equal(slot_take(&p), SLOT_NONE);
  slot_pool_free(&p);
}

static void test_init_limits(void **state) {
  (void)state;
  struct slot_pool p;
  assert_false(slot_pool_init(&p, 0));
  assert_false(slot_pool_init(&p, SLOT_MAX + 1));
  assert_true(slot_pool_init(&p, 1000));
  /* Every slot can be taken once before the pool is empty. */
  uint8_t seen[1000] = {0};
  for (int i = 0; i < 1000; i++) {
    uint32_t s = slot_take(&p);
    assert_true(s < 1000);
    assert_false(seen[s]);
    seen[s] = 1;
  }
  assert_int_equal(slot_take(&p), SLOT_NONE);
  slot_pool_free(&p);
}

/* Many rounds of take/release with a ledger of every user_data ever made:
 * exactly the ones of the current generation of busy slots are accepted. */
static void test_churn(void **state) {
  (void)state;
  enum { N = 16, ROUNDS = 2000 };
  struct slot_pool p;
  assert_true(slot_pool_init(&p, N));
  static uint64_t made[ROUNDS];
  static uint32_t owner[ROUNDS];
  uint32_t busy[N];
  unsigned nbusy = 0;
  unsigned seed = 7;
  for (int r = 0; r < ROUNDS; r++) {
    seed = seed * 1103515245u + 12345u;
    if (nbusy > 0 && (seed >> 16) % 3 == 0) {
      unsigned k = (seed >> 8) % nbusy;
      slot_release(&p, busy[k]);
      busy[k] = busy[--nbusy];
    }
    uint32_t s = slot_take(&p);
    if (s != SLOT_NONE) {
      busy[nbusy++] = s;
    } else {
      s = busy[0];
    }
    made[r] = slot_ud(&p, 1, s);
    owner[r] = s;
    for (int q = 0; q <= r; q++) {
      uint32_t got;
      int current = p.busy[owner[q]] && ud_gen(made[q]) == p.gen[owner[q]];
      assert_int_equal(slot_lookup(&p, made[q], &got), current);
    }
  }
  slot_pool_free(&p);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_pack_round_trip),
      cmocka_unit_test(test_stale_completion_is_dropped),
      cmocka_unit_test(test_out_of_range_and_free_slots),
      cmocka_unit_test(test_init_limits),
      cmocka_unit_test(test_churn),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
