/* tests/scanner/jsonout_test.c: jsonout_compact writes what jansson's dump
 * writes, byte for byte.
 *
 * The writer replaces json_dumpb on the record's hot path (jsonout.h says
 * why), so every difference would change the records people diff week
 * after week. Checked against jansson itself: every single-byte string,
 * every byte of a server's reply after utf8_sanitize, the integers' edges,
 * empty and nested containers, thousands of random trees, and a full
 * record read back and dumped again by jansson; a tree too deep fails and
 * leaves the buffer as it was. */
#include <limits.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/output/jsonout.h"
#include "scanner/output/output.h"
#include "tests/scanner/rich_result.h"

/* same_as_jansson fails the test unless |v| comes out of both writers the
 * same. Takes |v|. */
static void same_as_jansson(json_t *v) {
  assert_non_null(v);
  char *want = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
  assert_non_null(want);
  struct outbuf out = {0};
  assert_true(jsonout_compact(v, &out));
  if (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0) {
    fail_msg("jsonout wrote\n%.*s\njansson\n%s", (int)out.len, out.data, want);
  }
  free(want);
  outbuf_free(&out);
  json_decref(v);
}

static void test_every_ascii_byte(void **state) {
  (void)state;
  for (int c = 0; c < 0x80; c++) {
    char s[3] = {'a', (char)c, 'z'};
    same_as_jansson(json_stringn(s, 3));
  }
}

static void test_server_bytes_sanitised(void **state) {
  (void)state;
  uint8_t raw[256 + 16];
  for (int i = 0; i < 256; i++) {
    raw[i] = (uint8_t)i;
  }
  /* Well-formed multi-byte sequences, which pass through unescaped. */
  memcpy(raw + 256, "\xc3\xa9\xe2\x82\xac\xf0\x9f\x98\x80\xe2\x80\xa8!!!!", 16);
  struct outbuf s = {0};
  assert_true(utf8_sanitize(&s, raw, sizeof(raw)));
  same_as_jansson(json_stringn(s.data, s.len));
  json_t *o = json_object();
  json_object_setn_new(o, s.data, s.len, json_stringn(s.data, s.len));
  same_as_jansson(o);
  outbuf_free(&s);
}

static void test_scalars_and_empties(void **state) {
  (void)state;
  static const json_int_t kInts[] = {0, 1, -1, 9, 10, -10, 1234567890, LLONG_MAX, LLONG_MIN};
  for (size_t i = 0; i < sizeof(kInts) / sizeof(kInts[0]); i++) {
    same_as_jansson(json_integer(kInts[i]));
  }
  same_as_jansson(json_true());
  same_as_jansson(json_false());
  same_as_jansson(json_null());
  same_as_jansson(json_real(1.5e-3));
  same_as_jansson(json_object());
  same_as_jansson(json_array());
  same_as_jansson(json_string(""));
  same_as_jansson(json_pack("{s:{},s:[],s:[{},[[]]]}", "a", "b", "c"));
}

/* A small generator, seeded: the same trees every run. */
static uint64_t rng = 0x9e3779b97f4a7c15u;
static uint32_t next_rand(void) {
  rng ^= rng << 13;
  rng ^= rng >> 7;
  rng ^= rng << 17;
  return (uint32_t)(rng >> 11);
}

static json_t *random_string(void) {
  uint8_t raw[24];
  size_t n = next_rand() % sizeof(raw);
  for (size_t i = 0; i < n; i++) {
    /* Mostly printable, with controls, quotes, backslashes and high bytes. */
    static const uint8_t kPick[] = {'"', '\\', '/', 0, '\n', 0x1f, 0x7f, 0xc3, 0xa9, 0xff};
    raw[i] = next_rand() % 3 ? (uint8_t)(0x20 + next_rand() % 95)
                             : kPick[next_rand() % sizeof(kPick)];
  }
  struct outbuf s = {0};
  assert_true(utf8_sanitize(&s, raw, n));
  json_t *v = json_stringn(s.data != NULL ? s.data : "", s.len);
  outbuf_free(&s);
  return v;
}

static json_t *random_tree(int depth) {
  unsigned kind = depth >= 5 ? next_rand() % 5 : next_rand() % 7;
  switch (kind) {
    case 0:
      return random_string();
    case 1:
      return json_integer((json_int_t)(int64_t)((uint64_t)next_rand() << 32 | next_rand()));
    case 2:
      return json_true();
    case 3:
      return json_false();
    case 4:
      return json_null();
    case 5: {
      json_t *a = json_array();
      for (unsigned i = next_rand() % 5; i > 0; i--) {
        json_array_append_new(a, random_tree(depth + 1));
      }
      return a;
    }
    default: {
      json_t *o = json_object();
      for (unsigned i = next_rand() % 5; i > 0; i--) {
        json_t *key = random_string();
        json_object_setn_new(o, json_string_value(key), json_string_length(key),
                             random_tree(depth + 1));
        json_decref(key);
      }
      return o;
    }
  }
}

static void test_random_trees(void **state) {
  (void)state;
  for (int i = 0; i < 3000; i++) {
    same_as_jansson(random_tree(0));
  }
}

static json_t *nested(int depth) {
  json_t *v = json_array();
  for (int i = 1; i < depth; i++) {
    json_t *outer = json_array();
    json_array_append_new(outer, v);
    v = outer;
  }
  return v;
}

static void test_depth_bound(void **state) {
  (void)state;
  same_as_jansson(nested(JSONOUT_MAX_DEPTH));
  json_t *deep = nested(JSONOUT_MAX_DEPTH + 1);
  struct outbuf out = {0};
  assert_true(outbuf_append(&out, "kept", 4));
  assert_false(jsonout_compact(deep, &out));
  assert_int_equal(out.len, 4);
  outbuf_free(&out);
  json_decref(deep);
}

/* A whole record: its line, read by jansson and dumped again, is itself. */
static void test_record_is_what_jansson_writes(void **state) {
  (void)state;
  struct target_item item;
  struct scan_result r;
  rich_result(&r, &item);
  struct outbuf line = {0};
  assert_true(output_format_find("jsonl")->record(&r, &line));
  assert_true(line.len > 1 && line.data[line.len - 1] == '\n');
  json_error_t err;
  json_t *o = json_loadb(line.data, line.len - 1, JSON_ALLOW_NUL, &err);
  if (o == NULL) {
    fail_msg("not JSON (%s): %.*s", err.text, (int)line.len, line.data);
  }
  char *again = json_dumps(o, JSON_COMPACT);
  assert_non_null(again);
  if (strlen(again) != line.len - 1 || memcmp(again, line.data, line.len - 1) != 0) {
    fail_msg("the record\n%.*s\njansson's dump of it\n%s", (int)line.len, line.data, again);
  }
  /* The parts that need escaping made it: the quoted label, the reply. */
  assert_non_null(strstr(again, "\"label\":\"tenant \\\"a\\\"\""));
  assert_non_null(strstr(again, "not supported \\\""));
  free(again);
  json_decref(o);
  outbuf_free(&line);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_ascii_byte),
      cmocka_unit_test(test_server_bytes_sanitised),
      cmocka_unit_test(test_scalars_and_empties),
      cmocka_unit_test(test_random_trees),
      cmocka_unit_test(test_depth_bound),
      cmocka_unit_test(test_record_is_what_jansson_writes),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
