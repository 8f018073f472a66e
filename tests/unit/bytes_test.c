/* tests/unit/bytes_test.c: the bounded reader (tp_cbs) and writer (tp_cbb).
 *
 * Every parser and builder in tlsparse stands on these two, so their edges are
 * pinned here one by one: each getter at exactly the length it needs and one
 * byte short (where it must fail and consume nothing, because callers try a
 * shape and back off), length-prefixed reads whose body is one byte short,
 * tp_cbs_copy_upto short and long (the reader fills its buffers with it),
 * big-endian order (tp_cbb_add_u16_list included), and the writer's sticky
 * error: after an overflow nothing more is written, and tp_cbb_finish
 * reports 0 so a half-built hello can never go out. Nested blocks, a close
 * without an open block, a u8 block of 256 bytes and the depth limit are the
 * ways a builder can go wrong. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "tlsparse/bytes.h"

/* expect_untouched checks that a failed getter left the view exactly as it
 * was: the same pointer and the same length. */
static void expect_untouched(const tp_cbs *cbs, const uint8_t *data, size_t len) {
  assert_ptr_equal(cbs->data, data);
  assert_int_equal(cbs->len, len);
}

static void test_get_u8(void **state) {
  (void)state;
  static const uint8_t in[] = {0xab};
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, sizeof(in));
  uint8_t v = 0;
  assert_int_equal(tp_cbs_get_u8(&cbs, &v), 1);
  assert_int_equal(v, 0xab);
  assert_int_equal(cbs.len, 0);
  /* Empty now: one short. The output keeps its old value. */
  v = 0x5a;
  assert_int_equal(tp_cbs_get_u8(&cbs, &v), 0);
  assert_int_equal(v, 0x5a);
  expect_untouched(&cbs, in + 1, 0);
}

static void test_get_u16_is_big_endian(void **state) {
  (void)state;
  static const uint8_t in[] = {0x12, 0x34, 0x56};
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, 2);
  uint16_t v = 0;
  assert_int_equal(tp_cbs_get_u16(&cbs, &v), 1);
  assert_int_equal(v, 0x1234);
  assert_int_equal(cbs.len, 0);
  tp_cbs_init(&cbs, in, 1);
  v = 0x5a5a;
  assert_int_equal(tp_cbs_get_u16(&cbs, &v), 0);
  assert_int_equal(v, 0x5a5a);
  expect_untouched(&cbs, in, 1);
}

static void test_get_u24_is_big_endian(void **state) {
  (void)state;
  static const uint8_t in[] = {0x12, 0x34, 0x56, 0x78};
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, 3);
  uint32_t v = 0;
  assert_int_equal(tp_cbs_get_u24(&cbs, &v), 1);
  assert_int_equal(v, 0x123456);
  assert_int_equal(cbs.len, 0);
  tp_cbs_init(&cbs, in, 2);
  v = 0x5a5a5a;
  assert_int_equal(tp_cbs_get_u24(&cbs, &v), 0);
  assert_int_equal(v, 0x5a5a5a);
  expect_untouched(&cbs, in, 2);
}

static void test_getters_advance_in_order(void **state) {
  (void)state;
  /* One value of each width back to back: each getter must start where the
   * previous one stopped. */
  static const uint8_t in[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06};
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, sizeof(in));
  uint8_t a;
  uint16_t b;
  uint32_t c;
  assert_int_equal(tp_cbs_get_u8(&cbs, &a), 1);
  assert_int_equal(tp_cbs_get_u16(&cbs, &b), 1);
  assert_int_equal(tp_cbs_get_u24(&cbs, &c), 1);
  assert_int_equal(a, 0x01);
  assert_int_equal(b, 0x0203);
  assert_int_equal(c, 0x040506);
  expect_untouched(&cbs, in + 6, 0);
}

static void test_skip(void **state) {
  (void)state;
  static const uint8_t in[] = {1, 2, 3, 4};
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, sizeof(in));
  assert_int_equal(tp_cbs_skip(&cbs, 0), 1);
  expect_untouched(&cbs, in, 4);
  assert_int_equal(tp_cbs_skip(&cbs, 5), 0);
  expect_untouched(&cbs, in, 4);
  assert_int_equal(tp_cbs_skip(&cbs, 4), 1);
  expect_untouched(&cbs, in + 4, 0);
  assert_int_equal(tp_cbs_skip(&cbs, 1), 0);
  expect_untouched(&cbs, in + 4, 0);
}

static void test_get_bytes(void **state) {
  (void)state;
  static const uint8_t in[] = {1, 2, 3, 4, 5};
  tp_cbs cbs, out;
  tp_cbs_init(&cbs, in, sizeof(in));
  assert_int_equal(tp_cbs_get_bytes(&cbs, &out, 6), 0);
  expect_untouched(&cbs, in, 5);
  assert_int_equal(tp_cbs_get_bytes(&cbs, &out, 2), 1);
  assert_ptr_equal(out.data, in);
  assert_int_equal(out.len, 2);
  /* Exactly what is left. */
  assert_int_equal(tp_cbs_get_bytes(&cbs, &out, 3), 1);
  assert_ptr_equal(out.data, in + 2);
  assert_int_equal(out.len, 3);
  expect_untouched(&cbs, in + 5, 0);
  /* A zero-length read of an empty view is fine. */
  assert_int_equal(tp_cbs_get_bytes(&cbs, &out, 0), 1);
  assert_int_equal(out.len, 0);
}

static void test_copy_upto(void **state) {
  (void)state;
  static const uint8_t in[] = {1, 2, 3, 4, 5};
  uint8_t out[8];
  memset(out, 0xee, sizeof(out));
  tp_cbs cbs;
  tp_cbs_init(&cbs, in, sizeof(in));
  /* Less than is there: exactly |max| bytes, consumed. */
  assert_int_equal(tp_cbs_copy_upto(&cbs, out, 2), 2);
  assert_memory_equal(out, in, 2);
  assert_int_equal(out[2], 0xee);
  expect_untouched(&cbs, in + 2, 3);
  /* More than is there: what is left, and no byte past it. */
  assert_int_equal(tp_cbs_copy_upto(&cbs, out, sizeof(out)), 3);
  assert_memory_equal(out, in + 2, 3);
  assert_int_equal(out[3], 0xee);
  expect_untouched(&cbs, in + 5, 0);
  /* An empty view, or a zero |max|, copies nothing. */
  assert_int_equal(tp_cbs_copy_upto(&cbs, out, sizeof(out)), 0);
  tp_cbs_init(&cbs, in, sizeof(in));
  assert_int_equal(tp_cbs_copy_upto(&cbs, out, 0), 0);
  expect_untouched(&cbs, in, 5);
  tp_cbs_init(&cbs, NULL, 0);
  assert_int_equal(tp_cbs_copy_upto(&cbs, out, sizeof(out)), 0);
}

typedef int (*prefixed_getter)(tp_cbs *cbs, tp_cbs *out);

/* check_length_prefixed runs one length-prefixed getter of |width| bytes
 * over a prefix announcing 3 bytes: with the body complete (plus one byte
 * that must stay behind), with the body one byte short, with the prefix
 * itself cut, and with an empty body. */
static void check_length_prefixed(prefixed_getter get, size_t width) {
  uint8_t in[3 + 3 + 1];
  memset(in, 0, sizeof(in));
  in[width - 1] = 3; /* big-endian length 3 */
  in[width] = 0xa1;
  in[width + 1] = 0xa2;
  in[width + 2] = 0xa3;
  in[width + 3] = 0xee; /* not part of the block */

  tp_cbs cbs, out;
  tp_cbs_init(&cbs, in, width + 4);
  assert_int_equal(get(&cbs, &out), 1);
  assert_ptr_equal(out.data, in + width);
  assert_int_equal(out.len, 3);
  expect_untouched(&cbs, in + width + 3, 1);

  /* Body one byte short: the prefix must not be consumed either. */
  tp_cbs_init(&cbs, in, width + 2);
  assert_int_equal(get(&cbs, &out), 0);
  expect_untouched(&cbs, in, width + 2);

  /* The prefix itself one byte short. */
  tp_cbs_init(&cbs, in, width - 1);
  assert_int_equal(get(&cbs, &out), 0);
  expect_untouched(&cbs, in, width - 1);

  /* An empty block: a prefix of 0 with nothing after it. */
  uint8_t zero[3] = {0, 0, 0};
  tp_cbs_init(&cbs, zero, width);
  assert_int_equal(get(&cbs, &out), 1);
  assert_int_equal(out.len, 0);
  assert_int_equal(cbs.len, 0);
}

static void test_u8_length_prefixed(void **state) {
  (void)state;
  check_length_prefixed(tp_cbs_get_u8_length_prefixed, 1);
}

static void test_u16_length_prefixed(void **state) {
  (void)state;
  check_length_prefixed(tp_cbs_get_u16_length_prefixed, 2);
}

static void test_u24_length_prefixed(void **state) {
  (void)state;
  check_length_prefixed(tp_cbs_get_u24_length_prefixed, 3);
}

static void test_u16_length_prefix_uses_both_bytes(void **state) {
  (void)state;
  /* A length of 0x0102 = 258: a reader that looked at one byte only would
   * take 2 or 1 bytes and succeed. */
  uint8_t in[2 + 258];
  memset(in, 0x77, sizeof(in));
  in[0] = 0x01;
  in[1] = 0x02;
  tp_cbs cbs, out;
  tp_cbs_init(&cbs, in, sizeof(in));
  assert_int_equal(tp_cbs_get_u16_length_prefixed(&cbs, &out), 1);
  assert_int_equal(out.len, 258);
  assert_int_equal(cbs.len, 0);
  tp_cbs_init(&cbs, in, sizeof(in) - 1);
  assert_int_equal(tp_cbs_get_u16_length_prefixed(&cbs, &out), 0);
  expect_untouched(&cbs, in, sizeof(in) - 1);
}

static void test_mem_equal(void **state) {
  (void)state;
  static const uint8_t a[] = {1, 2, 3};
  static const uint8_t b[] = {1, 2, 4};
  tp_cbs cbs;
  tp_cbs_init(&cbs, a, 3);
  assert_int_equal(tp_cbs_mem_equal(&cbs, a, 3), 1);
  assert_int_equal(tp_cbs_mem_equal(&cbs, b, 3), 0);
  /* A prefix is not equal: the lengths must match too. */
  assert_int_equal(tp_cbs_mem_equal(&cbs, a, 2), 0);
  tp_cbs_init(&cbs, a, 2);
  assert_int_equal(tp_cbs_mem_equal(&cbs, a, 3), 0);
  tp_cbs_init(&cbs, NULL, 0);
  assert_int_equal(tp_cbs_mem_equal(&cbs, NULL, 0), 1);
}

static void test_cbb_writes_big_endian(void **state) {
  (void)state;
  uint8_t buf[16];
  memset(buf, 0xee, sizeof(buf));
  tp_cbb b;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u8(&b, 0x01);
  tp_cbb_add_u16(&b, 0x0203);
  tp_cbb_add_u24(&b, 0x040506);
  static const uint8_t raw[] = {0x07, 0x08};
  tp_cbb_add_bytes(&b, raw, sizeof(raw));
  tp_cbb_add_bytes(&b, NULL, 0);
  tp_cbb_add_zeros(&b, 3);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  static const uint8_t want[] = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06,
                                 0x07, 0x08, 0x00, 0x00, 0x00};
  assert_int_equal(len, sizeof(want));
  assert_memory_equal(buf, want, sizeof(want));
  assert_int_equal(buf[sizeof(want)], 0xee); /* nothing beyond */
}

static void test_cbb_add_u16_list(void **state) {
  (void)state;
  /* Cipher and group lists: host-order values out as big-endian pairs. */
  static const uint16_t list[] = {0x0102, 0xa0b0, 0x00ff};
  uint8_t buf[16];
  memset(buf, 0xee, sizeof(buf));
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u16(&b);
  tp_cbb_add_u16_list(&b, list, 3);
  tp_cbb_add_u16_list(&b, list, 0);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  static const uint8_t want[] = {0x00, 0x06, 0x01, 0x02, 0xa0, 0xb0, 0x00, 0xff};
  assert_int_equal(len, sizeof(want));
  assert_memory_equal(buf, want, sizeof(want));
  assert_int_equal(buf[sizeof(want)], 0xee);

  /* One byte short: nothing written, and the error sticks. */
  memset(buf, 0xee, sizeof(buf));
  tp_cbb_init(&b, buf, 5);
  tp_cbb_add_u16_list(&b, list, 3);
  for (size_t i = 0; i < sizeof(buf); i++) {
    assert_int_equal(buf[i], 0xee);
  }
  tp_cbb_add_u8(&b, 1);
  assert_int_equal(buf[0], 0xee);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);

  /* A count whose byte size overflows size_t is refused before the list
   * is read (here there is none to read). */
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u16_list(&b, NULL, SIZE_MAX / 2 + 1);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u16_list(&b, NULL, SIZE_MAX);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_add_u16_prefixed_list(void **state) {
  (void)state;
  /* The same bytes as open_u16 + add_u16_list + close (a TLS vector). */
  static const uint16_t list[] = {0x001d, 0x0017, 0x0100};
  uint8_t nested[16], direct[16];
  tp_cbb b;
  size_t nested_len, len;
  tp_cbb_init(&b, nested, sizeof(nested));
  tp_cbb_open_u16(&b);
  tp_cbb_add_u16_list(&b, list, 3);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &nested_len), 1);
  memset(direct, 0xee, sizeof(direct));
  tp_cbb_init(&b, direct, sizeof(direct));
  tp_cbb_add_u16_prefixed_list(&b, list, 3);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  static const uint8_t want[] = {0x00, 0x06, 0x00, 0x1d, 0x00, 0x17, 0x01, 0x00};
  assert_int_equal(len, sizeof(want));
  assert_int_equal(nested_len, sizeof(want));
  assert_memory_equal(direct, want, sizeof(want));
  assert_memory_equal(nested, want, sizeof(want));
  assert_int_equal(direct[sizeof(want)], 0xee);

  /* An empty list is its zero length alone. */
  tp_cbb_init(&b, direct, sizeof(direct));
  tp_cbb_add_u16_prefixed_list(&b, list, 0);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 2);
  assert_int_equal(direct[0], 0);
  assert_int_equal(direct[1], 0);

  /* One byte short: nothing written, and the error sticks. */
  memset(direct, 0xee, sizeof(direct));
  tp_cbb_init(&b, direct, sizeof(want) - 1);
  tp_cbb_add_u16_prefixed_list(&b, list, 3);
  for (size_t i = 0; i < sizeof(direct); i++) {
    assert_int_equal(direct[i], 0xee);
  }
  tp_cbb_add_u8(&b, 1);
  assert_int_equal(direct[0], 0xee);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);

  /* 32767 values (65534 bytes) is the most a u16 length can say; one more
   * is refused before the list is read (here there is none to read). */
  tp_cbb_init(&b, direct, sizeof(direct));
  tp_cbb_add_u16_prefixed_list(&b, NULL, 0x8000);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_exact_fit(void **state) {
  (void)state;
  /* Filling the buffer to the last byte is not an overflow. */
  uint8_t buf[6];
  tp_cbb b;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u24(&b, 0xabcdef);
  tp_cbb_add_u16(&b, 0x1234);
  tp_cbb_add_u8(&b, 0x56);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 6);
}

static void test_cbb_sticky_error(void **state) {
  (void)state;
  uint8_t buf[8];
  memset(buf, 0xee, sizeof(buf));
  tp_cbb b;
  tp_cbb_init(&b, buf, 3);
  tp_cbb_add_u16(&b, 0x0102);
  /* Needs 2 bytes, 1 is left: fails and writes nothing. */
  tp_cbb_add_u16(&b, 0x0304);
  assert_int_equal(buf[2], 0xee);
  /* Would fit, but the error is sticky: still nothing written. */
  tp_cbb_add_u8(&b, 0x05);
  assert_int_equal(buf[2], 0xee);
  tp_cbb_add_bytes(&b, (const uint8_t *)"x", 1);
  tp_cbb_add_zeros(&b, 1);
  assert_int_equal(buf[2], 0xee);
  tp_cbb_open_u8(&b);
  tp_cbb_close(&b);
  size_t len = 12345;
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  assert_int_equal(len, 12345); /* no length reported for a failed build */
  assert_int_equal(buf[0], 0x01);
  assert_int_equal(buf[1], 0x02);
}

static void test_cbb_overflow_by_bytes_and_zeros(void **state) {
  (void)state;
  uint8_t buf[4];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_zeros(&b, 5);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  tp_cbb_init(&b, buf, sizeof(buf));
  static const uint8_t five[5] = {1, 2, 3, 4, 5};
  tp_cbb_add_bytes(&b, five, sizeof(five));
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  /* A zero-capacity writer can still finish an empty build. */
  tp_cbb_init(&b, buf, 0);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 0);
  tp_cbb_add_u8(&b, 1);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_u24_value_too_large(void **state) {
  (void)state;
  uint8_t buf[8];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u24(&b, 0xffffff);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 3);
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u24(&b, 0x1000000);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_nested_blocks(void **state) {
  (void)state;
  /* The shape of an extension: a u16 block holding a u8 list and an empty
   * u24 block, then a sibling u16 block. */
  uint8_t buf[32];
  tp_cbb b;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, 0xaa);
  tp_cbb_open_u8(&b);
  tp_cbb_add_u16(&b, 0x0102);
  tp_cbb_add_u8(&b, 0x03);
  tp_cbb_close(&b);
  tp_cbb_open_u24(&b);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, 0xbb);
  tp_cbb_close(&b);
  size_t len = 0;
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  static const uint8_t want[] = {
      0x00, 0x08,             /* outer u16 block: 8 bytes */
      0xaa,                   /*   a byte */
      0x03, 0x01, 0x02, 0x03, /*   u8 block of 3 */
      0x00, 0x00, 0x00,       /*   empty u24 block */
      0x00, 0x01, 0xbb,       /* sibling u16 block */
  };
  assert_int_equal(len, sizeof(want));
  assert_memory_equal(buf, want, sizeof(want));
}

static void test_cbb_close_without_open_block(void **state) {
  (void)state;
  uint8_t buf[8];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u8(&b, 1);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  /* One close too many after a balanced pair is the same mistake. */
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u8(&b);
  tp_cbb_close(&b);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_finish_with_open_block(void **state) {
  (void)state;
  uint8_t buf[8];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u16(&b);
  tp_cbb_add_u8(&b, 1);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 3);
}

static void test_cbb_u8_block_overflow(void **state) {
  (void)state;
  uint8_t buf[300];
  tp_cbb b;
  size_t len;
  /* 255 bytes is the most a u8 length can say. */
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u8(&b);
  tp_cbb_add_zeros(&b, 255);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 256);
  assert_int_equal(buf[0], 0xff);
  /* 256 would be written as 0x00 if the width were not checked. */
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u8(&b);
  tp_cbb_add_zeros(&b, 256);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_u16_block_overflow(void **state) {
  (void)state;
  static uint8_t buf[2 + 65536];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u16(&b);
  tp_cbb_add_zeros(&b, 65535);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(buf[0], 0xff);
  assert_int_equal(buf[1], 0xff);
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u16(&b);
  tp_cbb_add_zeros(&b, 65536);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_open_without_room_for_prefix(void **state) {
  (void)state;
  uint8_t buf[2];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u8(&b, 1);
  tp_cbb_open_u16(&b);
  tp_cbb_close(&b);
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_depth_limit(void **state) {
  (void)state;
  uint8_t buf[64];
  tp_cbb b;
  size_t len;
  /* TP_CBB_MAX_DEPTH nested blocks work, each length counting the ones
   * inside it. */
  tp_cbb_init(&b, buf, sizeof(buf));
  for (int i = 0; i < TP_CBB_MAX_DEPTH; i++) {
    tp_cbb_open_u8(&b);
  }
  tp_cbb_add_u8(&b, 0x42);
  for (int i = 0; i < TP_CBB_MAX_DEPTH; i++) {
    tp_cbb_close(&b);
  }
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, TP_CBB_MAX_DEPTH + 1);
  for (int i = 0; i < TP_CBB_MAX_DEPTH; i++) {
    assert_int_equal(buf[i], TP_CBB_MAX_DEPTH - i);
  }
  assert_int_equal(buf[TP_CBB_MAX_DEPTH], 0x42);

  /* One more is refused at once, before its prefix is written (there is
   * no slot left to remember it in), and stays refused when every block is
   * closed again. */
  tp_cbb_init(&b, buf, sizeof(buf));
  for (int i = 0; i < TP_CBB_MAX_DEPTH + 1; i++) {
    tp_cbb_open_u8(&b);
  }
  assert_int_equal(b.len, TP_CBB_MAX_DEPTH);
  assert_int_equal(b.depth, TP_CBB_MAX_DEPTH);
  for (int i = 0; i < TP_CBB_MAX_DEPTH + 1; i++) {
    tp_cbb_close(&b);
  }
  assert_int_equal(tp_cbb_finish(&b, &len), 0);
}

static void test_cbb_reusable_after_init(void **state) {
  (void)state;
  /* tp_cbb_init must clear a previous build's error and open blocks, since
   * an engine reuses one writer per slot. */
  uint8_t buf[4];
  tp_cbb b;
  size_t len;
  tp_cbb_init(&b, buf, 1);
  tp_cbb_open_u16(&b);
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_add_u8(&b, 9);
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 1);
  tp_cbb_init(&b, buf, sizeof(buf));
  tp_cbb_open_u8(&b);
  tp_cbb_init(&b, buf, sizeof(buf));
  assert_int_equal(tp_cbb_finish(&b, &len), 1);
  assert_int_equal(len, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_get_u8),
      cmocka_unit_test(test_get_u16_is_big_endian),
      cmocka_unit_test(test_get_u24_is_big_endian),
      cmocka_unit_test(test_getters_advance_in_order),
      cmocka_unit_test(test_skip),
      cmocka_unit_test(test_get_bytes),
      cmocka_unit_test(test_copy_upto),
      cmocka_unit_test(test_u8_length_prefixed),
      cmocka_unit_test(test_u16_length_prefixed),
      cmocka_unit_test(test_u24_length_prefixed),
      cmocka_unit_test(test_u16_length_prefix_uses_both_bytes),
      cmocka_unit_test(test_mem_equal),
      cmocka_unit_test(test_cbb_writes_big_endian),
      cmocka_unit_test(test_cbb_add_u16_list),
      cmocka_unit_test(test_cbb_add_u16_prefixed_list),
      cmocka_unit_test(test_cbb_exact_fit),
      cmocka_unit_test(test_cbb_sticky_error),
      cmocka_unit_test(test_cbb_overflow_by_bytes_and_zeros),
      cmocka_unit_test(test_cbb_u24_value_too_large),
      cmocka_unit_test(test_cbb_nested_blocks),
      cmocka_unit_test(test_cbb_close_without_open_block),
      cmocka_unit_test(test_cbb_finish_with_open_block),
      cmocka_unit_test(test_cbb_u8_block_overflow),
      cmocka_unit_test(test_cbb_u16_block_overflow),
      cmocka_unit_test(test_cbb_open_without_room_for_prefix),
      cmocka_unit_test(test_cbb_depth_limit),
      cmocka_unit_test(test_cbb_reusable_after_init),
  };
  return cmocka_run_group_tests_name("bytes", tests, NULL, NULL);
}
