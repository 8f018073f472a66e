/* tests/scanner/inflight_test.c: the per-address and per-network tables.
 *
 * A long random run of references and releases over a small key space (so
 * probe runs collide and wrap around the table's end) is checked after every
 * step against a plain array model: every live key is found with its
 * counts, every released key is gone, and the table never holds more than
 * the live keys. Network keys must group addresses by prefix exactly. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <arpa/inet.h>
#include <cmocka.h>
#include <netinet/in.h>

#include "scanner/engine/inflight.h"

static struct sockaddr_storage v4(const char *text) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in *sin = (struct sockaddr_in *)&ss;
  sin->sin_family = AF_INET;
  assert_int_equal(inet_pton(AF_INET, text, &sin->sin_addr), 1);
  return ss;
}

static struct sockaddr_storage v6(const char *text) {
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof(ss));
  struct sockaddr_in6 *sin6 = (struct sockaddr_in6 *)&ss;
  sin6->sin6_family = AF_INET6;
  assert_int_equal(inet_pton(AF_INET6, text, &sin6->sin6_addr), 1);
  return ss;
}

static int same_key(const char *a, const char *b, unsigned p4, unsigned p6, int six) {
  struct sockaddr_storage x = six ? v6(a) : v4(a), y = six ? v6(b) : v4(b);
  struct inflight_key kx, ky;
  inflight_key_of((const struct sockaddr *)&x, p4, p6, &kx);
  inflight_key_of((const struct sockaddr *)&y, p4, p6, &ky);
  return memcmp(&kx, &ky, sizeof(kx)) == 0;
}

static void test_network_keys(void **state) {
  (void)state;
  assert_true(same_key("10.1.2.3", "10.1.2.200", 24, 48, 0));
  assert_false(same_key("10.1.2.3", "10.1.3.3", 24, 48, 0));
  assert_false(same_key("10.1.2.3", "10.1.2.4", 32, 128, 0));
  assert_true(same_key("10.1.2.3", "10.1.2.3", 32, 128, 0));
  assert_true(same_key("10.1.2.3", "10.1.2.0", 23, 48, 0));
  assert_true(same_key("10.1.3.3", "10.1.2.0", 23, 48, 0));
  assert_true(same_key("1.2.3.4", "200.9.9.9", 0, 0, 0));
  assert_true(same_key("2001:db8:1::1", "2001:db8:1:ffff::2", 24, 48, 1));
  assert_false(same_key("2001:db8:1::1", "2001:db8:2::1", 24, 48, 1));
  /* An IPv4 address and the IPv6 address with the same leading bytes are
   * different keys. */
  struct sockaddr_storage a = v4("0.0.0.0"), b = v6("::");
  struct inflight_key ka, kb;
  inflight_key_of((const struct sockaddr *)&a, 0, 0, &ka);
  inflight_key_of((const struct sockaddr *)&b, 0, 0, &kb);
  assert_memory_not_equal(&ka, &kb, sizeof(ka));
}

static void test_against_model(void **state) {
  (void)state;
  enum { KEYS = 200, STEPS = 20000 };
  struct inflight_table t;
  assert_true(inflight_init(&t, KEYS)); /* 512 slots for at most 200 keys */
  static uint32_t refs[KEYS];
  memset(refs, 0, sizeof(refs));
  unsigned seed = 4242;
  for (int step = 0; step < STEPS; step++) {
    seed = seed * 1103515245u + 12345u;
    unsigned k = (seed >> 8) % KEYS;
    struct inflight_key key;
    memset(&key, 0, sizeof(key));
    key.b[0] = 4;
    key.b[16] = (uint8_t)k;
    key.b[15] = (uint8_t)(k >> 8);
    if (refs[k] > 0 && (seed >> 20) % 2) {
      inflight_unref(&t, &key);
      refs[k]--;
    } else {
      assert_true(inflight_ref(&t, &key));
      refs[k]++;
      struct inflight_entry *e = inflight_find(&t, &key);
      assert_non_null(e);
      e->count = refs[k] * 3; /* something to carry along when entries move */
    }
    if (step % 50 == 0) {
      uint32_t live = 0;
      for (unsigned q = 0; q < KEYS; q++) {
        struct inflight_key qk;
        memset(&qk, 0, sizeof(qk));
        qk.b[0] = 4;
        qk.b[16] = (uint8_t)q;
        qk.b[15] = (uint8_t)(q >> 8);
        struct inflight_entry *e = inflight_find(&t, &qk);
        if (refs[q] == 0) {
          assert_null(e);
        } else {
          live++;
          assert_non_null(e);
          assert_int_equal(e->refs, refs[q]);
        }
      }
      assert_int_equal(t.size, live);
    }
  }
  inflight_free(&t);
}

static void test_full_table_refuses(void **state) {
  (void)state;
  struct inflight_table t;
  assert_true(inflight_init(&t, 4)); /* 16 slots, 8 keys at most */
  struct inflight_key key;
  memset(&key, 0, sizeof(key));
  key.b[0] = 6;
  for (int i = 0; i < 8; i++) {
    key.b[1] = (uint8_t)i;
    assert_true(inflight_ref(&t, &key));
  }
  key.b[1] = 99;
  assert_false(inflight_ref(&t, &key));
  key.b[1] = 3;
  assert_true(inflight_ref(&t, &key)); /* an existing key still takes refs */
  inflight_free(&t);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_network_keys),
      cmocka_unit_test(test_against_model),
      cmocka_unit_test(test_full_table_refuses),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
