/* tests/scanner/source_test.c: target_source, the stream of targets.
 *
 * Arguments come first (line 0), then the file's lines with 1-based numbers;
 * blank and comment lines vanish, bad lines become invalid items and the
 * stream goes on, and CIDR blocks expand lazily into one item per address in
 * increasing order, network and broadcast addresses included; the estimate
 * of the whole input is exact at its end. Files are real
 * files in the test's temporary directory, read through getline as the
 * program reads them. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <cmocka.h>

#include "scanner/targets/target.h"

static const struct target_defaults kDefaults = {443};

static const char *tmp_dir(void) {
  const char *dir = getenv("TEST_TMPDIR");
  return dir != NULL ? dir : "/tmp";
}

/* open_input writes |len| bytes to a new file and opens it for reading. The
 * file is unlinked at once; the stream keeps it alive. */
static FILE *open_input(const char *data, size_t len) {
  char path[4096];
  snprintf(path, sizeof(path), "%s/targets-XXXXXX", tmp_dir());
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *w = fdopen(fd, "w");
  assert_non_null(w);
  assert_int_equal(fwrite(data, 1, len, w), len);
  assert_int_equal(fclose(w), 0);
  FILE *r = fopen(path, "r");
  assert_non_null(r);
  assert_int_equal(unlink(path), 0);
  return r;
}

static FILE *open_text(const char *text) { return open_input(text, strlen(text)); }

/* next_ok takes the next item and checks that it is a target on |line_no|
 * with host |host|. */
static void next_ok(struct target_source *src, unsigned long line_no, const char *host,
                    struct target_item *item) {
  if (!target_source_next(src, item)) {
    fail_msg("expected %s on line %lu, got the end", host, line_no);
  }
  if (item->type != TARGET_ITEM_TARGET) {
    fail_msg("expected %s on line %lu, got invalid '%s' on line %lu: %s", host, line_no,
             item->line.text, item->line_no, item->error);
  }
  assert_int_equal(item->line_no, line_no);
  assert_string_equal(item->line.host, host);
  assert_string_equal(item->error, "");
}

static void next_invalid(struct target_source *src, unsigned long line_no, const char *text,
                         const char *error) {
  struct target_item item;
  assert_int_equal(target_source_next(src, &item), 1);
  if (item.type != TARGET_ITEM_INVALID) {
    fail_msg("expected invalid '%s' on line %lu, got target '%s'", text, line_no, item.line.text);
  }
  assert_int_equal(item.line_no, line_no);
  assert_string_equal(item.line.text, text);
  assert_string_equal(item.error, error);
}

static void assert_end(struct target_source *src) {
  struct target_item item;
  assert_int_equal(target_source_next(src, &item), 0);
  /* And it stays ended. */
  assert_int_equal(target_source_next(src, &item), 0);
}

static void test_nothing(void **state) {
  (void)state;
  struct target_source src;
  target_source_init(&src, NULL, 0, NULL, &kDefaults);
  assert_end(&src);
  target_source_free(&src);
}

static void test_empty_file(void **state) {
  (void)state;
  FILE *f = open_text("");
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  assert_end(&src);
  target_source_free(&src);
  assert_false(ferror(f));
  fclose(f);
}

static void test_comments_only(void **state) {
  (void)state;
  FILE *f = open_text("# targets for tenant a\n\n   \n\t# indented\r\n#1.2.3.4\n\n# no newline");
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

static void test_arguments(void **state) {
  (void)state;
  char *args[] = {
      "1.2.3.4",          "bad..name", "  # only a comment", "", "10.0.0.0/31:993 label=x",
      "[2001:db8::1]:995"};
  struct target_source src;
  target_source_init(&src, args, sizeof(args) / sizeof(args[0]), NULL, &kDefaults);
  struct target_item item;
  next_ok(&src, 0, "1.2.3.4", &item);
  assert_int_equal(item.line.port, 443);
  next_invalid(&src, 0, "bad..name", "invalid host name 'bad..name': empty label");
  next_ok(&src, 0, "10.0.0.0", &item);
  assert_int_equal(item.line.port, 993);
  assert_string_equal(item.line.label, "x");
  next_ok(&src, 0, "10.0.0.1", &item);
  next_ok(&src, 0, "2001:db8::1", &item);
  assert_int_equal(item.line.proto, PROTO_POP3S);
  assert_end(&src);
  target_source_free(&src);
}

static void test_line_numbers(void **state) {
  (void)state;
  FILE *f = open_text(
      "# header\n"                              /* 1 */
      "\n"                                      /* 2 */
      "1.2.3.4\n"                               /* 3 */
      "bad..name label=x\n"                     /* 4 */
      "   \n"                                   /* 5 */
      "[2001:db8::1]:993 label=v6 # trailing\n" /* 6 */
      "10.0.0.0/31\n"                           /* 7 */
      "1.2.3.4:70000\n"                         /* 8 */
      "mail.example.com:587\n");                /* 9 */
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  struct target_item item;
  next_ok(&src, 3, "1.2.3.4", &item);
  next_invalid(&src, 4, "bad..name", "invalid host name 'bad..name': empty label");
  next_ok(&src, 6, "2001:db8::1", &item);
  assert_string_equal(item.line.label, "v6");
  assert_int_equal(item.line.port, 993);
  next_ok(&src, 7, "10.0.0.0", &item);
  next_ok(&src, 7, "10.0.0.1", &item);
  next_invalid(&src, 8, "1.2.3.4:70000", "port 70000 out of range in '1.2.3.4:70000'");
  next_ok(&src, 9, "mail.example.com", &item);
  assert_int_equal(item.line.kind, TARGET_NAME);
  assert_int_equal(item.line.proto, PROTO_SUBMISSION);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

static void test_crlf_and_last_line(void **state) {
  (void)state;
  FILE *f = open_text("1.2.3.4:993\r\nexample.com label=crlf\r\n\r\n# c\r\n[::1]:25");
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  struct target_item item;
  next_ok(&src, 1, "1.2.3.4", &item);
  assert_string_equal(item.line.text, "1.2.3.4:993");
  assert_int_equal(item.line.port, 993);
  next_ok(&src, 2, "example.com", &item);
  assert_string_equal(item.line.label, "crlf");
  next_ok(&src, 5, "::1", &item);
  assert_int_equal(item.line.port, 25);
  assert_int_equal(item.line.proto, PROTO_SMTP);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

static void test_nul_byte_line(void **state) {
  (void)state;
  static const char data[] = "1.2.3.4\0junk\n5.6.7.8\n";
  FILE *f = open_input(data, sizeof(data) - 1);
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  struct target_item item;
  next_invalid(&src, 1, "1.2.3.4", "NUL byte in line");
  next_ok(&src, 2, "5.6.7.8", &item);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

static void test_long_lines(void **state) {
  (void)state;
  /* A 5000-byte line, a 200000-byte line, each followed by a good one. */
  size_t cap = 300000;
  char *data = malloc(cap);
  assert_non_null(data);
  size_t n = 0;
  memset(data + n, 'a', 5000);
  n += 5000;
  n += (size_t)sprintf(data + n, "\n1.1.1.1\n");
  memset(data + n, 'b', 200000);
  n += 200000;
  n += (size_t)sprintf(data + n, "\r\n2.2.2.2\n");
  FILE *f = open_input(data, n);
  free(data);

  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  struct target_item item;
  assert_int_equal(target_source_next(&src, &item), 1);
  assert_int_equal(item.type, TARGET_ITEM_INVALID);
  assert_int_equal(item.line_no, 1);
  assert_string_equal(item.error, "line too long (5000 bytes, at most 4096)");
  assert_int_equal(strlen(item.line.text), TARGET_TEXT_MAX - 1);
  next_ok(&src, 2, "1.1.1.1", &item);
  assert_int_equal(target_source_next(&src, &item), 1);
  assert_int_equal(item.type, TARGET_ITEM_INVALID);
  assert_int_equal(item.line_no, 3);
  assert_string_equal(item.error, "line too long (200000 bytes, at most 4096)");
  next_ok(&src, 4, "2.2.2.2", &item);
  /* The buffer grown for the long line was given back. */
  assert_true(src.bufcap < 200000);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

/* expand reads the whole block of one line and checks each address. */
static void expand(const char *line, const char *const *want, size_t nwant, int v6) {
  char *args[] = {(char *)line, "192.0.2.200"};
  struct target_source src;
  target_source_init(&src, args, 2, NULL, &kDefaults);
  for (size_t i = 0; i < nwant; i++) {
    struct target_item item;
    next_ok(&src, 0, want[i], &item);
    assert_int_equal(item.line.kind, v6 ? TARGET_IPV6 : TARGET_IPV4);
    assert_string_equal(item.line.text, line);
    char text[INET6_ADDRSTRLEN];
    assert_non_null(inet_ntop(v6 ? AF_INET6 : AF_INET, &item.line.addr, text, sizeof(text)));
    assert_string_equal(text, want[i]);
  }
  /* The next argument follows the block. */
  struct target_item item;
  next_ok(&src, 0, "192.0.2.200", &item);
  assert_end(&src);
  target_source_free(&src);
}

static void test_cidr_expansion(void **state) {
  (void)state;
  static const char *const k30[] = {"10.0.0.0", "10.0.0.1", "10.0.0.2", "10.0.0.3"};
  expand("10.0.0.0/30", k30, 4, 0);
  static const char *const k32[] = {"10.9.8.7"};
  expand("10.9.8.7/32", k32, 1, 0);
  static const char *const k31[] = {"192.0.2.254", "192.0.2.255"};
  expand("192.0.2.254/31", k31, 2, 0);
  static const char *const k126[] = {"2001:db8::", "2001:db8::1", "2001:db8::2", "2001:db8::3"};
  expand("2001:db8::/126", k126, 4, 1);
  expand("[2001:db8::/126]:993", k126, 4, 1);
  static const char *const k128[] = {"2001:db8::ff"};
  expand("2001:db8::ff/128", k128, 1, 1);
  static const char *const kUrl[] = {"198.51.100.4", "198.51.100.5", "198.51.100.6",
                                     "198.51.100.7"};
  expand("imaps://198.51.100.4/30", kUrl, 4, 0);
}

static void test_cidr_items_keep_the_line(void **state) {
  (void)state;
  FILE *f = open_text("\n10.0.0.0/30:993 label=blk sni=mx.test\n");
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  for (int i = 0; i < 4; i++) {
    struct target_item item;
    char host[16];
    snprintf(host, sizeof(host), "10.0.0.%d", i);
    next_ok(&src, 2, host, &item);
    assert_string_equal(item.line.text, "10.0.0.0/30:993");
    assert_int_equal(item.line.port, 993);
    assert_int_equal(item.line.proto, PROTO_IMAPS);
    assert_string_equal(item.line.label, "blk");
    assert_int_equal(item.line.sni_given, 1);
    assert_string_equal(item.line.sni, "mx.test");
  }
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

/* Blocks across byte boundaries: every address once, in increasing order. */
static void test_cidr_order(void **state) {
  (void)state;
  char *args[] = {"10.0.254.0/23", "2001:db8::/112"};
  struct target_source src;
  target_source_init(&src, args, 2, NULL, &kDefaults);
  struct target_item item;
  for (uint32_t i = 0; i < 512; i++) {
    assert_int_equal(target_source_next(&src, &item), 1);
    assert_int_equal(item.type, TARGET_ITEM_TARGET);
    assert_int_equal(ntohl(item.line.addr.v4.s_addr), 0x0a00fe00u + i);
  }
  assert_string_equal(item.line.host, "10.0.255.255");
  for (uint32_t i = 0; i < 65536; i++) {
    assert_int_equal(target_source_next(&src, &item), 1);
    assert_int_equal(item.line.kind, TARGET_IPV6);
    const uint8_t *b = item.line.addr.v6.s6_addr;
    assert_int_equal(b[0], 0x20);
    assert_int_equal(b[1], 0x01);
    assert_int_equal(b[2], 0x0d);
    assert_int_equal(b[3], 0xb8);
    assert_int_equal(
        ((uint32_t)b[12] << 24) | ((uint32_t)b[13] << 16) | ((uint32_t)b[14] << 8) | b[15], i);
  }
  assert_string_equal(item.line.host, "2001:db8::ffff");
  assert_end(&src);
  target_source_free(&src);
}

/* The largest blocks are accepted and expanded lazily: the source knows the
 * count without having made a single item beyond the first. */
static void test_cidr_largest(void **state) {
  (void)state;
  char *args[] = {"0.0.0.0/0", "2001:db8::/96"};
  struct target_source src;
  target_source_init(&src, args, 2, NULL, &kDefaults);
  struct target_item item;
  next_ok(&src, 0, "0.0.0.0", &item);
  assert_int_equal(src.cidr_count, (uint64_t)1 << 32);
  next_ok(&src, 0, "0.0.0.1", &item);
  /* Skip to the end of the block through the cursor. */
  src.cidr_next = src.cidr_count - 1;
  next_ok(&src, 0, "255.255.255.255", &item);
  next_ok(&src, 0, "2001:db8::", &item);
  src.cidr_next = src.cidr_count - 1;
  next_ok(&src, 0, "2001:db8::ffff:ffff", &item);
  assert_end(&src);
  target_source_free(&src);
}

static void test_cidr_errors(void **state) {
  (void)state;
  FILE *f = open_text("2001:db8::/64\n10.0.0.1/30\n10.0.0.0/33\n10.0.0.4/31\n");
  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  next_invalid(&src, 1, "2001:db8::/64",
               "2001:db8::/64 is too large: 2^64 addresses, at most 2^32");
  next_invalid(&src, 2, "10.0.0.1/30", "10.0.0.1/30 has host bits set; did you mean 10.0.0.0/30?");
  next_invalid(&src, 3, "10.0.0.0/33", "prefix /33 out of range for IPv4 (0-32) in '10.0.0.0/33'");
  struct target_item item;
  next_ok(&src, 4, "10.0.0.4", &item);
  next_ok(&src, 4, "10.0.0.5", &item);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

static void test_arguments_then_file(void **state) {
  (void)state;
  char *args[] = {"1.1.1.1", "2.2.2.2:993", "3.3.3.0/31"};
  FILE *f = open_text("4.4.4.4\n\nnot_a..name\n5.5.5.5:25\n");
  const struct target_defaults smtp = {587};
  struct target_source src;
  target_source_init(&src, args, 3, f, &smtp);
  struct target_item item;
  next_ok(&src, 0, "1.1.1.1", &item);
  assert_int_equal(item.line.port, 587);
  assert_int_equal(item.line.proto, PROTO_SUBMISSION);
  next_ok(&src, 0, "2.2.2.2", &item);
  assert_int_equal(item.line.port, 993);
  next_ok(&src, 0, "3.3.3.0", &item);
  next_ok(&src, 0, "3.3.3.1", &item);
  next_ok(&src, 1, "4.4.4.4", &item);
  assert_int_equal(item.line.port, 587);
  next_invalid(&src, 3, "not_a..name", "invalid host name 'not_a..name': empty label");
  next_ok(&src, 4, "5.5.5.5", &item);
  assert_int_equal(item.line.proto, PROTO_SMTP);
  assert_end(&src);
  target_source_free(&src);
  fclose(f);
}

/* A read error ends the input; the caller sees it through ferror. A
 * directory opens as a FILE but fails to read (EISDIR). */
static void test_read_error(void **state) {
  (void)state;
  FILE *f = fopen(tmp_dir(), "r");
  if (f == NULL) {
    skip();
  }
  char *args[] = {"1.2.3.4"};
  struct target_source src;
  target_source_init(&src, args, 1, f, &kDefaults);
  struct target_item item;
  next_ok(&src, 0, "1.2.3.4", &item);
  assert_end(&src);
  assert_true(ferror(f));
  target_source_free(&src);
  fclose(f);
}

/* 200,000 lines, with a CIDR line and bad lines among them, all come out;
 * the source holds nothing per line, which its fixed size shows. */
static void test_many_lines(void **state) {
  (void)state;
  const unsigned long kLines = 200000;
  char path[4096];
  snprintf(path, sizeof(path), "%s/many-XXXXXX", tmp_dir());
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *w = fdopen(fd, "w");
  assert_non_null(w);
  for (unsigned long i = 0; i < kLines; i++) {
    if (i % 1000 == 999) {
      fprintf(w, "bad..%lu\n", i);
    } else {
      fprintf(w, "10.%lu.%lu.%lu:993 label=l%lu\n", i >> 16, (i >> 8) & 255, i & 255, i);
    }
  }
  assert_int_equal(fclose(w), 0);
  FILE *f = fopen(path, "r");
  assert_non_null(f);
  assert_int_equal(unlink(path), 0);

  struct target_source src;
  target_source_init(&src, NULL, 0, f, &kDefaults);
  unsigned long items = 0, invalid = 0;
  struct target_item item, last_ok, last_bad;
  while (target_source_next(&src, &item)) {
    items++;
    assert_int_equal(item.line_no, items);
    if (item.type == TARGET_ITEM_INVALID) {
      invalid++;
      last_bad = item;
    } else {
      assert_int_equal(item.line.port, 993);
      last_ok = item;
    }
    /* The getline buffer is the only thing that could grow; it does not. */
    assert_true(src.bufcap <= 4096);
  }
  assert_int_equal(items, kLines);
  assert_int_equal(invalid, kLines / 1000);
  /* Line 199999 (i = 199998) is the last good one, line 200000 is bad. */
  assert_int_equal(last_ok.line_no, 199999);
  assert_string_equal(last_ok.line.host, "10.3.13.62");
  assert_string_equal(last_ok.line.label, "l199998");
  assert_int_equal(last_bad.line_no, 200000);
  assert_string_equal(last_bad.line.text, "bad..199999");
  assert_false(ferror(f));
  target_source_free(&src);
  fclose(f);
}

/* The estimate of the whole input, for the status line: arguments count
 * one each until read (a block then counts its addresses), a regular file
 * is extrapolated from the share of its bytes read, a pipe gives none until
 * it ends, and the end gives the exact count. */
static void test_estimate(void **state) {
  (void)state;
  struct target_source src;
  struct target_item item;
  uint64_t total;
  char *args[] = {"192.0.2.0/30", "example.com", "bad..name"};
  target_source_init(&src, args, 3, NULL, &kDefaults);
  assert_true(target_source_estimate(&src, &total));
  assert_int_equal(total, 3);
  while (target_source_next(&src, &item)) {
  }
  assert_true(target_source_estimate(&src, &total));
  assert_int_equal(total, 6);
  target_source_free(&src);

  /* 1,000 lines of 11 bytes: a quarter read says 1,000. */
  enum { kLines = 1000 };
  char *text = malloc(kLines * 11 + 1);
  assert_non_null(text);
  for (int i = 0; i < kLines; i++) {
    snprintf(text + 11 * i, 12, "h%04d.test\n", i);
  }
  FILE *f = open_text(text);
  target_source_init(&src, NULL, 0, f, &kDefaults);
  assert_false(target_source_estimate(&src, &total));
  for (int i = 0; i < kLines / 4; i++) {
    assert_true(target_source_next(&src, &item));
  }
  assert_true(target_source_estimate(&src, &total));
  assert_int_equal(total, kLines);
  while (target_source_next(&src, &item)) {
  }
  assert_true(target_source_estimate(&src, &total));
  assert_int_equal(total, kLines);
  target_source_free(&src);
  fclose(f);

  /* A pipe: no telling until its end. */
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  assert_int_equal(write(fds[1], text, 110), 110);
  assert_int_equal(close(fds[1]), 0);
  f = fdopen(fds[0], "r");
  assert_non_null(f);
  target_source_init(&src, NULL, 0, f, &kDefaults);
  assert_true(target_source_next(&src, &item));
  assert_false(target_source_estimate(&src, &total));
  while (target_source_next(&src, &item)) {
  }
  assert_true(target_source_estimate(&src, &total));
  assert_int_equal(total, 10);
  target_source_free(&src);
  fclose(f);
  free(text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_estimate),
      cmocka_unit_test(test_nothing),        cmocka_unit_test(test_empty_file),
      cmocka_unit_test(test_comments_only),  cmocka_unit_test(test_arguments),
      cmocka_unit_test(test_line_numbers),   cmocka_unit_test(test_crlf_and_last_line),
      cmocka_unit_test(test_nul_byte_line),  cmocka_unit_test(test_long_lines),
      cmocka_unit_test(test_cidr_expansion), cmocka_unit_test(test_cidr_items_keep_the_line),
      cmocka_unit_test(test_cidr_order),     cmocka_unit_test(test_cidr_largest),
      cmocka_unit_test(test_cidr_errors),    cmocka_unit_test(test_arguments_then_file),
      cmocka_unit_test(test_read_error),     cmocka_unit_test(test_many_lines),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
