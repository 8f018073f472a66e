/* tests/scanner/text_test.c: the terminal view and the words behind it.
 *
 * term_escape is checked against a table (controls, DEL, backslash, C1
 * controls, bidirectional overrides, ill-formed bytes; printable UTF-8
 * unchanged). The text format renders records whose server strings (first
 * bytes, STARTTLS replies, the application's answer), target and label are
 * random hostile bytes, thousands of times, with and without colour: the
 * output must hold no control byte but the newline, no C1 or bidirectional
 * control, and, in colour, no escape sequence but the SGR colours text.c
 * writes itself. explain's classes, phrases and findings are checked on
 * records written as JSON, as a file would hold them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/output/explain.h"
#include "scanner/output/output.h"
#include "scanner/output/text.h"

static void escape_case(const char *in, size_t len, const char *want) {
  struct outbuf b = {0};
  assert_true(term_escape(&b, in, len));
  assert_int_equal(b.len, strlen(want));
  assert_memory_equal(b.data, want, b.len);
  outbuf_free(&b);
}

static void test_term_escape(void **state) {
  (void)state;
  escape_case("plain", 5, "plain");
  escape_case("\xc3\xa9t\xc3\xa9 \xe2\x82\xac", 9, "\xc3\xa9t\xc3\xa9 \xe2\x82\xac");
  escape_case("\033[2J\033]0;x\007", 10, "\\x1b[2J\\x1b]0;x\\x07");
  escape_case("a\r\n\tb", 5, "a\\r\\n\\tb");
  escape_case("\x7f\\", 2, "\\x7f\\\\");
  escape_case("a\0b", 3, "a\\x00b");
  escape_case("\xc2\x9b" "31m", 5, "\\u{009b}31m");                 /* C1 CSI */
  escape_case("\xe2\x80\xae" "evil", 7, "\\u{202e}evil");           /* RLO */
  escape_case("\xe2\x81\xa6", 3, "\\u{2066}");                       /* LRI */
  escape_case("\xff\xc3", 2, "\\xff\\xc3");                          /* ill-formed */
}

/* A result as the engine hands it over, with every version selected. */
static struct target_item item;

static void make_result(struct scan_result *r) {
  memset(&item, 0, sizeof(item));
  memset(r, 0, sizeof(*r));
  snprintf(item.line.text, sizeof(item.line.text), "pop3s://mail.example.com");
  snprintf(item.line.host, sizeof(item.line.host), "mail.example.com");
  item.line.port = 995;
  item.line.proto = PROTO_POP3S;
  r->item = &item;
  r->status = STATUS_OK;
  snprintf(r->ip, sizeof(r->ip), "127.0.0.1");
  r->versions_selected = (1u << PV_COUNT) - 1;
}

static unsigned g_seed = 4242;

static uint8_t nasty_byte(void) {
  static const uint8_t kNasty[] = {0x1b, '[', 0x9b, 0xc2, 0xe2, 0x80, 0xae, 0x07, '\n', '\r',
                                   0x7f, 0,    '\\', '"',  0xff};
  g_seed = g_seed * 1103515245u + 12345u;
  return (g_seed >> 20) % 3 ? kNasty[(g_seed >> 8) % sizeof(kNasty)] : (uint8_t)(g_seed >> 12);
}

static void fill_nasty(uint8_t *p, size_t n) {
  for (size_t i = 0; i < n; i++) {
    p[i] = nasty_byte();
  }
}

/* check_terminal_safe fails when |b| holds anything a terminal would act
 * on but our own SGR sequences (with |colour|). */
static void check_terminal_safe(const struct outbuf *b, int colour) {
  const uint8_t *p = (const uint8_t *)b->data;
  size_t i = 0;
  while (i < b->len) {
    if (p[i] == 0x1b) {
      assert_true(colour);
      /* ESC [ digits-and-semicolons m, nothing else. */
      assert_true(i + 2 < b->len && p[i + 1] == '[');
      size_t j = i + 2;
      while (j < b->len && ((p[j] >= '0' && p[j] <= '9') || p[j] == ';')) {
        j++;
      }
      assert_true(j < b->len && p[j] == 'm');
      i = j + 1;
      continue;
    }
    if (p[i] < 0x20 || p[i] == 0x7f) {
      assert_int_equal(p[i], '\n');
      i++;
      continue;
    }
    size_t k = utf8_seq_len(p + i, b->len - i);
    assert_true(k > 0);
    uint32_t cp = utf8_code_point(p + i, k);
    assert_false(cp >= 0x80 && cp <= 0x9f);
    assert_false(cp >= 0x202a && cp <= 0x202e);
    assert_false(cp >= 0x2066 && cp <= 0x2069);
    i += k;
  }
}

static void test_text_hostile(void **state) {
  (void)state;
  const struct output_format *plain = output_format_find("text");
  assert_non_null(plain);
  assert_non_null(plain->on_terminal);
  struct outbuf b = {0};
  for (int round = 0; round < 2000; round++) {
    struct scan_result r;
    make_result(&r);
    struct version_result *v = &r.v[round % PV_COUNT];
    v->outcome = OUTCOME_REJECTED;
    v->reason = REJECT_NOT_TLS;
    v->first_len = RESULT_FIRST_BYTES;
    fill_nasty(v->first_bytes, v->first_len);
    struct version_result *a = &r.v[PV_TLS10];
    a->outcome = OUTCOME_ACCEPTED;
    a->confirm.state = CONFIRM_DONE;
    a->confirm.handshake_ok = 1;
    a->confirm.app_name = "refused";
    a->confirm.reply_len = 120;
    fill_nasty(a->confirm.reply, a->confirm.reply_len);
    fill_nasty((uint8_t *)item.line.label, 40);
    item.line.label[40] = '\0';
    fill_nasty((uint8_t *)item.line.text, 60);
    item.line.text[60] = '\0';
    const struct output_format *f = round % 2 ? plain->on_terminal : plain;
    b.len = 0;
    assert_true(f->record(&r, &b));
    check_terminal_safe(&b, round % 2);
  }
  outbuf_free(&b);
}

static void test_text_summary(void **state) {
  (void)state;
  const struct output_format *f = output_format_find("text");
  const char lines[] =
      "{\"tenant\":\"a.test\",\"label\":\"cust\\u001b[31m\",\"verdict\":\"legacy\",\"dns\":\"ok\","
      "\"endpoints\":[\"pop3s://pop.a.test:995\",\"smtp://mx.a.test:25\"],"
      "\"legacy_endpoints\":[\"pop3s://pop.a.test:995\"],\"legacy_confirmed\":[]}\n"
      "{\"tenant\":\"b.test\",\"label\":\"b.test\",\"verdict\":\"modern\",\"dns\":\"ok\","
      "\"endpoints\":[],\"legacy_endpoints\":[],\"legacy_confirmed\":[]}\n";
  struct outbuf b = {0};
  assert_true(f->summary(lines, sizeof(lines) - 1, &b));
  check_terminal_safe(&b, 0);
  assert_true(outbuf_append(&b, "", 1));
  assert_non_null(strstr(b.data, "tenant a.test  [cust\\x1b[31m]  legacy: 2 endpoints, 1 accept "
                                 "legacy TLS (pop3s://pop.a.test:995), 0 where it works; "
                                 "dns ok\n"));
  assert_non_null(strstr(b.data, "tenant b.test  modern: 0 endpoints"));
  outbuf_free(&b);
}

static json_t *load(const char *text) {
  json_error_t err;
  json_t *o = json_loads(text, 0, &err);
  if (o == NULL) {
    fail_msg("bad test JSON: %s", err.text);
  }
  return o;
}

static const char kRetiring[] =
    "{\"target\":\"pop3s://pop.a.test:995\",\"status\":\"ok\",\"versions\":{"
    "\"ssl3\":{\"verdict\":\"rejected\",\"reason\":\"alert\",\"alert\":\"protocol_version\"},"
    "\"tls1.0\":{\"verdict\":\"accepted\",\"cipher\":\"TLS_RSA_WITH_AES_128_CBC_SHA\","
    "\"confirm\":{\"handshake\":\"ok\",\"app\":\"refused\",\"app_message\":\"-ERR no\","
    "\"repeat\":{\"n\":20,\"handshake_ok\":20,\"app_ok\":5,\"app_refused\":15}}},"
    "\"tls1.1\":{\"verdict\":\"rejected\",\"reason\":\"version_mismatch\","
    "\"server_version\":\"tls1.0\"},"
    "\"tls1.2\":{\"verdict\":\"timeout\",\"stage\":\"recv\"}},"
    "\"legacy\":true,\"legacy_app\":false,"
    "\"cert\":{\"subject\":\"CN=pop.a.test,O=A\",\"not_after\":\"2030-01-10T00:00:00Z\","
    "\"expired\":false,\"chain_verifies\":false,\"key\":{\"type\":\"RSA\",\"bits\":1024}}}";

static void test_explain(void **state) {
  (void)state;
  json_t *r = load(kRetiring);
  assert_int_equal(explain_class(r), CLASS_LEGACY_REFUSED);
  struct explain_cell cell;
  explain_cell(r, "tls1.0", &cell);
  assert_int_equal(cell.verdict, CELL_ACCEPTED);
  assert_int_equal(cell.app, CELL_APP_REFUSED);
  assert_int_equal(cell.runs, 20);
  assert_int_equal(cell.app_refused, 15);
  explain_cell(r, "tls1.3", &cell);
  assert_int_equal(cell.verdict, CELL_NOT_PROBED);

  struct outbuf b = {0};
  const json_t *v = json_object_get(r, "versions");
  assert_true(explain_version(json_object_get(v, "tls1.1"), &b) && outbuf_append(&b, "", 1));
  assert_string_equal(b.data, "the server chose tls1.0 instead");
  b.len = 0;
  assert_true(explain_version(json_object_get(v, "ssl3"), &b) && outbuf_append(&b, "", 1));
  assert_string_equal(b.data, "refused: alert protocol_version");
  b.len = 0;
  assert_true(explain_version(json_object_get(v, "tls1.2"), &b) && outbuf_append(&b, "", 1));
  assert_string_equal(b.data, "no answer in time at recv");
  b.len = 0;
  assert_true(explain_confirm(json_object_get(json_object_get(v, "tls1.0"), "confirm"), &b) &&
              outbuf_append(&b, "", 1));
  assert_string_equal(b.data, "handshake ok, application refused: \"-ERR no\" "
                              "(20 runs: 20 handshakes, 15 refused)");
  outbuf_free(&b);

  char name[64];
  explain_cert_name(r, name, sizeof(name));
  assert_string_equal(name, "pop.a.test");
  time_t after;
  assert_true(explain_cert_expiry(r, &after));
  /* 2030-01-10: expiring seen from 2029-12-20, not from 2029-11-01. */
  time_t dec20, nov1;
  assert_true(explain_parse_time("2029-12-20T00:00:00Z", &dec20));
  assert_true(explain_parse_time("2029-11-01T00:00:00Z", &nov1));
  uint32_t f = explain_findings(r, dec20);
  assert_true(f & (1u << FINDING_LEGACY_REFUSED));
  assert_true(f & (1u << FINDING_CERT_EXPIRING));
  assert_true(f & (1u << FINDING_CERT_UNTRUSTED));
  assert_true(f & (1u << FINDING_WEAK_KEY));
  assert_true(f & (1u << FINDING_NO_TLS12));
  assert_false(f & (1u << FINDING_LEGACY_APP));
  assert_false(explain_findings(r, nov1) & (1u << FINDING_CERT_EXPIRING));
  for (int i = 0; i < FINDING_COUNT; i++) {
    const struct finding_info *fi = finding_info((enum finding)i);
    assert_non_null(fi->advice);
    assert_non_null(strchr(fi->advice, '.'));
  }
  json_decref(r);

  /* Whatever a file holds, nothing is assumed: wrong types read as absent. */
  r = load("{\"status\":\"ok\",\"versions\":{\"tls1.0\":{\"verdict\":7}},\"cert\":[1]}");
  assert_int_equal(explain_class(r), CLASS_NO_TLS);
  explain_cell(r, "tls1.0", &cell);
  assert_int_equal(cell.verdict, CELL_NOT_PROBED);
  name[0] = 'x';
  explain_cert_name(r, name, sizeof(name));
  assert_string_equal(name, "");
  json_decref(r);
  r = load("[1,2]");
  assert_int_equal(explain_class(r), CLASS_INVALID);
  assert_int_equal(explain_findings(r, 0), 0);
  json_decref(r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_term_escape),
      cmocka_unit_test(test_text_hostile),
      cmocka_unit_test(test_text_summary),
      cmocka_unit_test(test_explain),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
