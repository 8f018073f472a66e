/* tests/fuzz/fuzz_jsonout.c: libFuzzer target for the compact JSON writer.
 *
 * jsonout_compact must write the bytes jansson's own dump writes. The first
 * byte picks what the rest is:
 * - even: a JSON document as jansson reads it (any value, NUL in strings
 *   allowed), so the tree takes every shape jansson can hold;
 * - odd: raw bytes a server might send, made a string by utf8_sanitize as
 *   the record's strings are, used as a key and as a value.
 * Invariants (a violation aborts): where the tree nests no deeper than
 * JSONOUT_MAX_DEPTH, jsonout_compact succeeds and its text equals
 * json_dumpb(JSON_COMPACT | JSON_ENCODE_ANY) byte for byte (jansson will not
 * read back a key holding NUL, so equality is the check); deeper, it fails
 * and leaves the buffer as it was. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "tests/fuzz/fuzz.h"
#include "scanner/output/jsonout.h"

static size_t depth_of(const json_t *v) {
  size_t d = 0;
  if (json_is_object(v)) {
    const char *key;
    json_t *value;
    json_object_foreach((json_t *)v, key, value) {
      size_t k = depth_of(value);
      d = k > d ? k : d;
    }
    return d + 1;
  }
  if (json_is_array(v)) {
    size_t i;
    json_t *value;
    json_array_foreach(v, i, value) {
      size_t k = depth_of(value);
      d = k > d ? k : d;
    }
    return d + 1;
  }
  return 0;
}

static void check_same(const json_t *v) {
  struct outbuf out = {0};
  CHECK(outbuf_append(&out, "x", 1)); /* something before: it must stay */
  int ok = jsonout_compact(v, &out);
  if (depth_of(v) > JSONOUT_MAX_DEPTH) {
    CHECK(!ok && out.len == 1);
    outbuf_free(&out);
    return;
  }
  CHECK(ok);
  size_t n = json_dumpb(v, NULL, 0, JSON_COMPACT | JSON_ENCODE_ANY);
  CHECK(n > 0);
  char *want = malloc(n);
  CHECK(want != NULL);
  CHECK(json_dumpb(v, want, n, JSON_COMPACT | JSON_ENCODE_ANY) == n);
  CHECK(out.len == n + 1 && memcmp(out.data + 1, want, n) == 0);
  free(want);
  outbuf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (size == 0) {
    return 0;
  }
  const uint8_t *rest = data + 1;
  size_t len = size - 1;
  if ((data[0] & 1) == 0) {
    json_t *v = json_loadb((const char *)rest, len, JSON_DECODE_ANY | JSON_ALLOW_NUL, NULL);
    if (v != NULL) {
      check_same(v);
      json_decref(v);
    }
    return 0;
  }
  struct outbuf s = {0};
  CHECK(utf8_sanitize(&s, rest, len));
  json_t *str = json_stringn(s.data != NULL ? s.data : "", s.len);
  CHECK(str != NULL); /* sanitised means jansson takes it as UTF-8 */
  json_t *o = json_object();
  json_t *a = json_array();
  CHECK(o != NULL && a != NULL);
  CHECK(json_array_append(a, str) == 0 && json_array_append_new(a, json_integer((json_int_t)len)) == 0);
  CHECK(json_object_setn(o, s.data != NULL ? s.data : "", s.len, str) == 0);
  CHECK(json_object_set_new(o, "a", a) == 0);
  check_same(o);
  json_decref(o);
  json_decref(str);
  outbuf_free(&s);
  return 0;
}
