/* tests/scanner/output_test.c: records stay valid whatever a server sent.
 *
 * utf8_sanitize is checked byte for byte (valid UTF-8 passes unchanged,
 * every byte of an ill-formed sequence becomes U+0080..U+00FF); JSON Lines
 * records made from random server bytes are parsed back with jansson and
 * must be one line, valid, and carry the exact bytes in first_bytes_hex;
 * CSV records with commas, quotes and line breaks in their fields stay one
 * line and split back into the right fields. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/output/output.h"

static void sanitize_case(const char *in, size_t len, const char *want, size_t want_len) {
  struct outbuf b = {0};
  assert_true(utf8_sanitize(&b, (const uint8_t *)in, len));
  assert_int_equal(b.len, want_len);
  assert_memory_equal(b.data, want, want_len);
  outbuf_free(&b);
}

static void test_utf8_sanitize(void **state) {
  (void)state;
  sanitize_case("plain ascii", 11, "plain ascii", 11);
  sanitize_case("a\0b", 3, "a\0b", 3);                          /* NUL kept */
  sanitize_case("\xc3\xa9t\xc3\xa9", 5, "\xc3\xa9t\xc3\xa9", 5); /* été */
  sanitize_case("\xe2\x82\xac", 3, "\xe2\x82\xac", 3);           /* € */
  sanitize_case("\xf0\x9f\x94\x92", 4, "\xf0\x9f\x94\x92", 4);   /* 🔒 */
  sanitize_case("\xff", 1, "\xc3\xbf", 2);                       /* lone byte */
  sanitize_case("\xc0\xaf", 2, "\xc3\x80\xc2\xaf", 4);           /* overlong '/' */
  sanitize_case("\xed\xa0\x80", 3, "\xc3\xad\xc2\xa0\xc2\x80", 6); /* surrogate */
  sanitize_case("\xf4\x90\x80\x80", 4, "\xc3\xb4\xc2\x90\xc2\x80\xc2\x80", 8); /* > U+10FFFF */
  sanitize_case("\xe2\x82", 2, "\xc3\xa2\xc2\x82", 4);           /* truncated at the end */
  sanitize_case("\xe2(a", 3, "\xc3\xa2(a", 4);                   /* bad continuation */
}

/* A result as the engine hands it over, with every version selected. */
static struct target_item item;

static void make_result(struct scan_result *r) {
  memset(&item, 0, sizeof(item));
  memset(r, 0, sizeof(*r));
  snprintf(item.line.text, sizeof(item.line.text), "imaps://mail.example.com");
  snprintf(item.line.host, sizeof(item.line.host), "mail.example.com");
  snprintf(item.line.label, sizeof(item.line.label), "tenant-a");
  item.line.port = 993;
  item.line.proto = PROTO_IMAPS;
  item.line_no = 7;
  r->item = &item;
  r->status = STATUS_OK;
  snprintf(r->ip, sizeof(r->ip), "127.0.0.1");
  snprintf(r->sni, sizeof(r->sni), "mail.example.com");
  r->versions_selected = (1u << PV_COUNT) - 1;
}

static json_t *render_json(const struct scan_result *r, struct outbuf *b) {
  b->len = 0;
  assert_true(output_format_find("jsonl")->record(r, b));
  assert_true(b->len > 0);
  assert_int_equal(b->data[b->len - 1], '\n');
  /* One record, one line. */
  assert_null(memchr(b->data, '\n', b->len - 1));
  json_error_t err;
  /* \u0000 is valid JSON (RFC 8259, 7); jansson wants to be told. */
  json_t *o = json_loadb(b->data, b->len, JSON_ALLOW_NUL, &err);
  if (o == NULL) {
    fail_msg("invalid JSON (%s): %.*s", err.text, (int)b->len, b->data);
  }
  return o;
}

static void test_jsonl_fields(void **state) {
  (void)state;
  struct scan_result r;
  make_result(&r);
  r.v[PV_TLS10].outcome = OUTCOME_ACCEPTED;
  r.v[PV_TLS10].cipher_suite = 0xc014;
  r.v[PV_TLS10].downgrade = TP_DOWNGRADE_TLS11;
  r.v[PV_TLS12].outcome = OUTCOME_REJECTED;
  r.v[PV_TLS12].reason = REJECT_VERSION_MISMATCH;
  r.v[PV_TLS12].server_version = TP_TLS10;
  r.v[PV_SSL3].outcome = OUTCOME_REJECTED;
  r.v[PV_SSL3].reason = REJECT_ALERT;
  r.v[PV_SSL3].alert = 40;
  r.v[PV_TLS13].outcome = OUTCOME_TIMEOUT;
  r.v[PV_TLS13].stage = STAGE_RECV;
  r.v[PV_TLS11].outcome = OUTCOME_ACCEPTED;
  r.v[PV_TLS11].cipher_suite = 0xfefe; /* no name: hex */
  struct outbuf b = {0};
  json_t *o = render_json(&r, &b);
  assert_string_equal(json_string_value(json_object_get(o, "target")), "imaps://mail.example.com");
  assert_int_equal(json_integer_value(json_object_get(o, "line")), 7);
  assert_int_equal(json_integer_value(json_object_get(o, "port")), 993);
  assert_string_equal(json_string_value(json_object_get(o, "proto")), "imaps");
  assert_string_equal(json_string_value(json_object_get(o, "label")), "tenant-a");
  assert_string_equal(json_string_value(json_object_get(o, "status")), "ok");
  assert_true(json_is_true(json_object_get(o, "legacy")));
  assert_string_equal(json_string_value(json_object_get(o, "min")), "tls1.0");
  assert_string_equal(json_string_value(json_object_get(o, "max")), "tls1.1");
  json_t *v = json_object_get(o, "versions");
  json_t *t10 = json_object_get(v, "tls1.0");
  assert_string_equal(json_string_value(json_object_get(t10, "verdict")), "accepted");
  /* The probe's cipher is named for what it is: the pick from the probe's offer. */
  assert_null(json_object_get(t10, "cipher"));
  assert_string_equal(json_string_value(json_object_get(t10, "probe_cipher")),
                      "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA");
  assert_string_equal(json_string_value(json_object_get(t10, "downgrade_sentinel")), "tls1.1");
  assert_string_equal(
      json_string_value(json_object_get(json_object_get(v, "tls1.1"), "probe_cipher")), "0xfefe");
  json_t *t12 = json_object_get(v, "tls1.2");
  assert_string_equal(json_string_value(json_object_get(t12, "reason")), "version_mismatch");
  assert_string_equal(json_string_value(json_object_get(t12, "server_version")), "tls1.0");
  json_t *s3 = json_object_get(v, "ssl3");
  assert_string_equal(json_string_value(json_object_get(s3, "alert")), "handshake_failure");
  json_t *t13 = json_object_get(v, "tls1.3");
  assert_string_equal(json_string_value(json_object_get(t13, "verdict")), "timeout");
  assert_string_equal(json_string_value(json_object_get(t13, "stage")), "recv");
  json_decref(o);
  outbuf_free(&b);
}

static void test_jsonl_unselected_and_statuses(void **state) {
  (void)state;
  struct scan_result r;
  make_result(&r);
  r.versions_selected = 1u << PV_TLS12;
  r.v[PV_TLS12].outcome = OUTCOME_ACCEPTED;
  struct outbuf b = {0};
  json_t *o = render_json(&r, &b);
  json_t *v = json_object_get(o, "versions");
  assert_int_equal(json_object_size(v), 1);
  assert_non_null(json_object_get(v, "tls1.2"));
  assert_true(json_is_false(json_object_get(o, "legacy")));
  json_decref(o);

  make_result(&r);
  r.status = STATUS_INVALID;
  snprintf(r.error, sizeof(r.error), "port 70000 out of range");
  o = render_json(&r, &b);
  assert_string_equal(json_string_value(json_object_get(o, "status")), "invalid");
  assert_string_equal(json_string_value(json_object_get(o, "error")), "port 70000 out of range");
  assert_null(json_object_get(o, "versions"));
  assert_null(json_object_get(o, "port"));
  json_decref(o);
  outbuf_free(&b);
}

/* Random server bytes, many times: always valid JSON, exact hex. */
static void test_jsonl_hostile_bytes(void **state) {
  (void)state;
  struct scan_result r;
  struct outbuf b = {0};
  unsigned seed = 12345;
  for (int round = 0; round < 3000; round++) {
    make_result(&r);
    struct version_result *v = &r.v[round % PV_COUNT];
    v->outcome = OUTCOME_REJECTED;
    v->reason = round % 2 ? REJECT_NOT_TLS : REJECT_MALFORMED;
    v->first_len = (uint8_t)(1 + round % RESULT_FIRST_BYTES);
    for (int i = 0; i < v->first_len; i++) {
      seed = seed * 1103515245u + 12345u;
      /* Mostly the nasty ones: controls, quotes, backslashes, high bytes. */
      static const uint8_t kNasty[] = {0, '"', '\\', '\n', '\r', 0x7f, 0x80, 0xc3, 0xff, 0xe2};
      v->first_bytes[i] = (seed >> 20) % 3 ? kNasty[(seed >> 8) % 10] : (uint8_t)(seed >> 12);
    }
    /* The target text comes from a user's file and may hold any byte too. */
    for (int i = 0; i < 20; i++) {
      seed = seed * 1103515245u + 12345u;
      item.line.text[i] = (char)(1 + (seed >> 16) % 255);
    }
    item.line.text[20] = '\0';
    json_t *o = render_json(&r, &b);
    json_t *ver = json_object_get(json_object_get(o, "versions"), probe_version_name(round % PV_COUNT));
    const char *hex = json_string_value(json_object_get(ver, "first_bytes_hex"));
    assert_non_null(hex);
    assert_int_equal(strlen(hex), 2u * v->first_len);
    for (int i = 0; i < v->first_len; i++) {
      unsigned byte;
      assert_int_equal(sscanf(hex + 2 * i, "%2x", &byte), 1);
      assert_int_equal(byte, v->first_bytes[i]);
    }
    assert_non_null(json_object_get(ver, "first_bytes"));
    json_decref(o);
  }
  outbuf_free(&b);
}

/* csv_split splits one CSV line (RFC 4180) into at most |max| fields. */
static int csv_split(const char *line, size_t len, char fields[][128], int max) {
  int n = 0;
  size_t i = 0;
  while (n < max) {
    size_t k = 0;
    if (i < len && line[i] == '"') {
      i++;
      while (i < len && !(line[i] == '"' && (i + 1 >= len || line[i + 1] != '"'))) {
        if (line[i] == '"') {
          i++;
        }
        fields[n][k++] = line[i++];
      }
      i++; /* closing quote */
    } else {
      while (i < len && line[i] != ',' && line[i] != '\n') {
        fields[n][k++] = line[i++];
      }
    }
    fields[n][k] = '\0';
    n++;
    if (i >= len || line[i] == '\n') {
      break;
    }
    i++; /* comma */
  }
  return n;
}

static void test_csv(void **state) {
  (void)state;
  const struct output_format *csv = output_format_find("csv");
  assert_non_null(csv);
  struct outbuf b = {0};
  assert_true(csv->header(&b));
  static char fields[40][128];
  int columns = csv_split(b.data, b.len, fields, 40);
  assert_int_equal(columns, 24);
  assert_string_equal(fields[0], "target");
  assert_string_equal(fields[14], "ssl3");

  struct scan_result r;
  make_result(&r);
  snprintf(item.line.text, sizeof(item.line.text), "we\"ird,\ntarget");
  r.v[PV_TLS12].outcome = OUTCOME_ACCEPTED;
  r.v[PV_TLS12].cipher_suite = 0xc02f;
  r.v[PV_SSL3].outcome = OUTCOME_REJECTED;
  r.v[PV_SSL3].reason = REJECT_ALERT;
  r.v[PV_SSL3].alert = 70;
  b.len = 0;
  assert_true(csv->record(&r, &b));
  assert_int_equal(b.data[b.len - 1], '\n');
  assert_null(memchr(b.data, '\n', b.len - 1));
  assert_int_equal(csv_split(b.data, b.len, fields, 40), columns);
  assert_string_equal(fields[0], "we\"ird, target");
  assert_string_equal(fields[1], "7");
  assert_string_equal(fields[7], "tenant-a");
  assert_string_equal(fields[8], "ok");
  assert_string_equal(fields[14], "rejected");
  assert_string_equal(fields[15], "alert:protocol_version");
  assert_string_equal(fields[20], "accepted");
  assert_string_equal(fields[21], "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  outbuf_free(&b);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_utf8_sanitize),
      cmocka_unit_test(test_jsonl_fields),
      cmocka_unit_test(test_jsonl_unselected_and_statuses),
      cmocka_unit_test(test_jsonl_hostile_bytes),
      cmocka_unit_test(test_csv),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
