/* tests/scanner/blocklist_test.c: address sets, list files and the scan
 * policy.
 *
 * Lookups are checked at the edges of every prefix (the first and last
 * address in, the ones just outside out), at /0, /32 and /128, with nested,
 * overlapping, adjacent and duplicate entries, and across the IPv4/IPv6 line
 * (mapped addresses mean their IPv4 address; nothing else crosses). Files are
 * real files in the test's temporary directory; every load error is checked
 * by its exact message, file and line, because that message is all a user
 * gets before the scan refuses to start. A randomized cross-check compares
 * the bisection with a linear scan over the prefixes as written, and a
 * threaded one checks that concurrent readers agree with a single one. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <arpa/inet.h>
#include <pthread.h>
#include <cmocka.h>

#include "scanner/targets/blocklist.h"

/* ---- helpers ---- */

/* An address as text, parsed: the family follows from a ':' in it. */
struct addr {
  int family;
  uint8_t b[16];
};

static struct addr addr_of(const char *text) {
  struct addr a;
  memset(&a, 0, sizeof(a));
  a.family = strchr(text, ':') != NULL ? AF_INET6 : AF_INET;
  if (inet_pton(a.family, text, a.b) != 1) {
    fail_msg("bad address in test: %s", text);
  }
  return a;
}

/* add adds "address/prefix" (or a bare address) to |s|. */
static void add(struct addr_set *s, const char *cidr) {
  char buf[64];
  snprintf(buf, sizeof(buf), "%s", cidr);
  char *slash = strchr(buf, '/');
  unsigned prefix = strchr(buf, ':') != NULL ? 128 : 32;
  if (slash != NULL) {
    *slash = '\0';
    prefix = (unsigned)atoi(slash + 1);
  }
  struct addr a = addr_of(buf);
  if (!addr_set_add(s, a.family, a.b, prefix)) {
    fail_msg("addr_set_add(%s) failed", cidr);
  }
}

/* set_of builds and finishes a set of |n| prefixes. */
static void set_of(struct addr_set *s, const char *const *cidrs, size_t n) {
  addr_set_init(s);
  for (size_t i = 0; i < n; i++) {
    add(s, cidrs[i]);
  }
  assert_int_equal(addr_set_finish(s), 1);
}

static int in(const struct addr_set *s, const char *text) {
  struct addr a = addr_of(text);
  return addr_set_contains(s, a.family, a.b);
}

#define assert_in(s, text)                                  \
  do {                                                      \
    if (!in((s), (text))) fail_msg("%s should be in the set", (text)); \
  } while (0)
#define assert_out(s, text)                                     \
  do {                                                          \
    if (in((s), (text))) fail_msg("%s should not be in the set", (text)); \
  } while (0)

static const char *tmp_dir(void) {
  const char *dir = getenv("TEST_TMPDIR");
  return dir != NULL ? dir : "/tmp";
}

/* write_file writes |len| bytes to a new file named into |path| (4096
 * bytes); the caller unlinks it. */
static void write_file(char *path, const char *data, size_t len) {
  snprintf(path, 4096, "%s/list-XXXXXX", tmp_dir());
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *w = fdopen(fd, "w");
  assert_non_null(w);
  assert_int_equal(fwrite(data, 1, len, w), len);
  assert_int_equal(fclose(w), 0);
}

/* load_text loads |text| as a file into |s| and returns what
 * addr_set_load_file did; |err| gets its message with the temporary path
 * replaced by "LIST". */
static int load_text_len(struct addr_set *s, const char *text, size_t len, char *err,
                         size_t errcap) {
  char path[4096];
  write_file(path, text, len);
  char raw[1024];
  int ok = addr_set_load_file(s, path, raw, sizeof(raw));
  assert_int_equal(unlink(path), 0);
  size_t plen = strlen(path);
  if (strncmp(raw, path, plen) == 0) {
    snprintf(err, errcap, "LIST%s", raw + plen);
  } else {
    snprintf(err, errcap, "%s", raw);
  }
  return ok;
}

static int load_text(struct addr_set *s, const char *text, char *err, size_t errcap) {
  return load_text_len(s, text, strlen(text), err, errcap);
}

/* ---- address sets ---- */

static void test_empty_set(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_out(&s, "0.0.0.0");
  assert_out(&s, "255.255.255.255");
  assert_out(&s, "::");
  assert_out(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "::ffff:1.2.3.4");
  assert_int_equal(addr_set_count(&s), 0);
  assert_int_equal(addr_set_ranges(&s), 0);
  addr_set_free(&s);
}

static void test_v4_boundaries(void **state) {
  (void)state;
  static const char *const kList[] = {"10.0.0.0/8", "192.0.2.128/25", "198.51.100.7",
                                      "203.0.113.0/31"};
  struct addr_set s;
  set_of(&s, kList, 4);
  assert_out(&s, "9.255.255.255");
  assert_in(&s, "10.0.0.0");
  assert_in(&s, "10.128.0.1");
  assert_in(&s, "10.255.255.255");
  assert_out(&s, "11.0.0.0");
  assert_out(&s, "192.0.2.127");
  assert_in(&s, "192.0.2.128");
  assert_in(&s, "192.0.2.255");
  assert_out(&s, "192.0.3.0");
  assert_out(&s, "198.51.100.6");
  assert_in(&s, "198.51.100.7");
  assert_out(&s, "198.51.100.8");
  assert_out(&s, "203.0.112.255");
  assert_in(&s, "203.0.113.0");
  assert_in(&s, "203.0.113.1");
  assert_out(&s, "203.0.113.2");
  assert_out(&s, "0.0.0.0");
  assert_out(&s, "255.255.255.255");
  assert_int_equal(addr_set_count(&s), 4);
  assert_int_equal(addr_set_ranges(&s), 4);
  addr_set_free(&s);
}

static void test_v4_slash0_and_slash32(void **state) {
  (void)state;
  static const char *const kAll[] = {"0.0.0.0/0"};
  struct addr_set s;
  set_of(&s, kAll, 1);
  assert_in(&s, "0.0.0.0");
  assert_in(&s, "127.0.0.1");
  assert_in(&s, "255.255.255.255");
  assert_out(&s, "::1");
  assert_out(&s, "2001:db8::1");
  addr_set_free(&s);

  static const char *const kEnds[] = {"0.0.0.0/32", "255.255.255.255/32"};
  set_of(&s, kEnds, 2);
  assert_in(&s, "0.0.0.0");
  assert_out(&s, "0.0.0.1");
  assert_out(&s, "255.255.255.254");
  assert_in(&s, "255.255.255.255");
  assert_int_equal(addr_set_ranges(&s), 2);
  addr_set_free(&s);
}

static void test_v6_boundaries(void **state) {
  (void)state;
  static const char *const kList[] = {
      "2001:db8::/32",                 /* a boundary in the high half */
      "2001:db9:0:1::/64",             /* exactly the high half */
      "2001:dba:0:2:8000::/65",        /* the first bit of the low half */
      "2001:dbb::fffe/127",            /* the last bits */
      "2001:dbc::1",                   /* one address */
  };
  struct addr_set s;
  set_of(&s, kList, 5);
  assert_out(&s, "2001:db7:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_in(&s, "2001:db8::");
  assert_in(&s, "2001:db8:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:db9::");
  assert_out(&s, "2001:db9:0:0:ffff:ffff:ffff:ffff");
  assert_in(&s, "2001:db9:0:1::");
  assert_in(&s, "2001:db9:0:1:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:db9:0:2::");
  assert_out(&s, "2001:dba:0:2:7fff:ffff:ffff:ffff");
  assert_in(&s, "2001:dba:0:2:8000::");
  assert_in(&s, "2001:dba:0:2:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:dba:0:3::");
  assert_out(&s, "2001:dbb::fffd");
  assert_in(&s, "2001:dbb::fffe");
  assert_in(&s, "2001:dbb::ffff");
  assert_out(&s, "2001:dbb::1:0");
  assert_out(&s, "2001:dbc::");
  assert_in(&s, "2001:dbc::1");
  assert_out(&s, "2001:dbc::2");
  assert_out(&s, "::");
  assert_out(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  addr_set_free(&s);
}

static void test_v6_slash0_and_slash128(void **state) {
  (void)state;
  static const char *const kAll[] = {"::/0"};
  struct addr_set s;
  set_of(&s, kAll, 1);
  assert_in(&s, "::");
  assert_in(&s, "::1");
  assert_in(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  /* Mapped addresses are IPv6 addresses too; plain IPv4 is not. */
  assert_in(&s, "::ffff:1.2.3.4");
  assert_out(&s, "1.2.3.4");
  assert_out(&s, "0.0.0.0");
  addr_set_free(&s);

  static const char *const kEnds[] = {"::/128", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff/128"};
  set_of(&s, kEnds, 2);
  assert_in(&s, "::");
  assert_out(&s, "::1");
  assert_out(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:fffe");
  assert_in(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "0.0.0.0");
  addr_set_free(&s);
}

static void test_nested_overlapping_duplicates(void **state) {
  (void)state;
  static const char *const kList[] = {
      "10.1.0.0/16", "10.0.0.0/8",   "10.1.2.0/24",  /* nested, inner ones first */
      "172.16.0.0/13", "172.20.0.0/14", "172.22.0.0/15", /* overlapping, ending together */
      "192.0.2.0/25", "192.0.2.128/25",               /* adjacent: one range */
      "198.51.100.0/24", "198.51.100.0/24", "198.51.100.0/24", /* duplicates */
      "203.0.113.0/25", "203.0.113.129",              /* a gap of one address */
      "2001:db8::/48", "2001:db8::/32", "2001:db8:1::/48", "2001:db8::/32",
      "2001:dba::/33", "2001:dba:8000::/33",          /* adjacent in IPv6 */
  };
  struct addr_set s;
  set_of(&s, kList, sizeof(kList) / sizeof(kList[0]));
  assert_int_equal(addr_set_count(&s), 19);
  /* 10/8, 172.16/13, 192.0.2/24, 198.51.100/24, 203.0.113.0/25, .129,
   * 2001:db8::/32, 2001:dba::/32. */
  assert_int_equal(addr_set_ranges(&s), 8);
  assert_in(&s, "10.0.0.0");
  assert_in(&s, "10.1.2.3");
  assert_in(&s, "10.255.255.255");
  assert_out(&s, "11.0.0.0");
  assert_in(&s, "172.23.255.255");
  assert_out(&s, "172.24.0.0");
  assert_out(&s, "192.0.1.255");
  assert_in(&s, "192.0.2.127");
  assert_in(&s, "192.0.2.128");
  assert_out(&s, "192.0.3.0");
  assert_in(&s, "198.51.100.255");
  assert_in(&s, "203.0.113.127");
  assert_out(&s, "203.0.113.128");
  assert_in(&s, "203.0.113.129");
  assert_out(&s, "203.0.113.130");
  assert_in(&s, "2001:db8:ffff::1");
  assert_out(&s, "2001:db9::");
  assert_in(&s, "2001:dba:7fff:ffff:ffff:ffff:ffff:ffff");
  assert_in(&s, "2001:dba:8000::");
  assert_in(&s, "2001:dba:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:dbb::");
  addr_set_free(&s);
}

static void test_merge_at_the_top(void **state) {
  (void)state;
  /* Merging must not overflow past the last address. */
  static const char *const kList[] = {"255.255.255.0/24", "255.255.255.255", "255.0.0.0/8",
                                      "ffff::/16", "ffff:ffff::/32",
                                      "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff"};
  struct addr_set s;
  set_of(&s, kList, 6);
  assert_int_equal(addr_set_ranges(&s), 2);
  assert_out(&s, "254.255.255.255");
  assert_in(&s, "255.0.0.0");
  assert_in(&s, "255.255.255.255");
  assert_out(&s, "fffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_in(&s, "ffff::");
  assert_in(&s, "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  addr_set_free(&s);
}

/* Lookups go through an index on the top bits of the address; the range
 * that holds an address may start in an earlier bucket than the address,
 * with or without other ranges starting in the address's bucket. */
static void test_ranges_across_index_buckets(void **state) {
  (void)state;
  /* Two ranges: one top bit indexed; 120.0.0.0-129.255.255.255 crosses
   * from bucket 0 into bucket 1. */
  static const char *const kSmall[] = {"120.0.0.0/5", "128.0.0.0/7", "200.0.0.0/8",
                                       "7fff::/16", "8000::/16", "c000::/8"};
  struct addr_set s;
  set_of(&s, kSmall, 6);
  assert_int_equal(addr_set_ranges(&s), 4);
  assert_out(&s, "119.255.255.255");
  assert_in(&s, "120.0.0.0");
  assert_in(&s, "127.255.255.255");
  assert_in(&s, "128.0.0.0");
  assert_in(&s, "129.255.255.255");
  assert_out(&s, "130.0.0.0");
  assert_out(&s, "199.255.255.255");
  assert_in(&s, "200.0.0.0");
  assert_out(&s, "201.0.0.0");
  assert_out(&s, "7ffe:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_in(&s, "7fff::");
  assert_in(&s, "8000::");
  assert_in(&s, "8000:ffff:ffff:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "8001::");
  assert_in(&s, "c0ff::1");
  assert_out(&s, "c100::");
  addr_set_free(&s);

  /* Many ranges, 16 bits indexed. IPv4: 10.0.0.0/8 spans 256 buckets in
   * which no range starts, then 256 ranges in each bucket of 11.0.0.0/8.
   * IPv6: all 65,537 ranges in the bucket of 2001::/16, the index no help. */
  addr_set_init(&s);
  add(&s, "10.0.0.0/8");
  add(&s, "2001:db8::/32");
  for (unsigned i = 0; i < 65536; i++) {
    uint8_t b[4] = {11, (uint8_t)(i >> 8), (uint8_t)i, 4};
    assert_int_equal(addr_set_add(&s, AF_INET, b, 30), 1);
    uint32_t odd = 2 * i + 1; /* every other /64, so none merge */
    uint8_t b6[16] = {0x20, 0x01, 0x0d, 0xb9, (uint8_t)(odd >> 24), (uint8_t)(odd >> 16),
                      (uint8_t)(odd >> 8), (uint8_t)odd};
    assert_int_equal(addr_set_add(&s, AF_INET6, b6, 64), 1);
  }
  assert_int_equal(addr_set_finish(&s), 1);
  assert_int_equal(addr_set_ranges(&s), 2 * (1 + 65536));
  assert_out(&s, "9.255.255.255");
  assert_in(&s, "10.0.0.0");
  assert_in(&s, "10.200.0.1");
  assert_in(&s, "10.255.255.255");
  assert_out(&s, "11.0.0.0");
  assert_out(&s, "11.0.0.3");
  assert_in(&s, "11.0.0.4");
  assert_in(&s, "11.0.0.7");
  assert_out(&s, "11.0.0.8");
  assert_out(&s, "11.0.1.3");
  assert_in(&s, "11.0.1.4");
  assert_in(&s, "11.255.255.7");
  assert_out(&s, "11.255.255.8");
  assert_out(&s, "12.0.0.0");
  assert_in(&s, "2001:db8:ffff::1");
  assert_out(&s, "2001:db9::");
  assert_in(&s, "2001:db9:0:1::");
  assert_in(&s, "2001:db9:0:1:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:db9:0:2::");
  assert_in(&s, "2001:db9:1:ffff:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:db9:2::");
  addr_set_free(&s);
}

static void test_v4_and_v6_not_confused(void **state) {
  (void)state;
  static const char *const kV4[] = {"10.0.0.0/8"};
  struct addr_set s;
  set_of(&s, kV4, 1);
  assert_in(&s, "10.0.0.1");
  assert_in(&s, "::ffff:10.0.0.1");        /* mapped: the same host */
  assert_out(&s, "::ffff:11.0.0.1");
  assert_out(&s, "::10.0.0.1");            /* IPv4-compatible: plain IPv6 */
  assert_out(&s, "64:ff9b::10.0.0.1");     /* NAT64: plain IPv6 */
  assert_out(&s, "a00::1");                /* the same first byte */
  assert_out(&s, "::ffff:0:10.0.0.1");     /* IPv4-translated: plain IPv6 */
  addr_set_free(&s);

  static const char *const kV6[] = {"a00::/8", "::a00:0/104"};
  set_of(&s, kV6, 2);
  assert_in(&s, "a00::1");
  assert_in(&s, "::10.0.0.1");
  assert_out(&s, "10.0.0.1");
  assert_out(&s, "::ffff:10.0.0.1");
  addr_set_free(&s);

  /* A mapped entry is its IPv4 block, for both forms of address. */
  static const char *const kMapped[] = {"::ffff:192.0.2.0/120", "::ffff:198.51.100.7"};
  set_of(&s, kMapped, 2);
  assert_out(&s, "192.0.1.255");
  assert_in(&s, "192.0.2.0");
  assert_in(&s, "192.0.2.255");
  assert_out(&s, "192.0.3.0");
  assert_in(&s, "::ffff:192.0.2.7");
  assert_in(&s, "198.51.100.7");
  assert_out(&s, "198.51.100.8");
  assert_out(&s, "::192.0.2.7");
  addr_set_free(&s);

  /* ::ffff:0:0/96 is all of IPv4; a shorter prefix around it is IPv6 only. */
  static const char *const kMappedAll[] = {"::ffff:0.0.0.0/96"};
  set_of(&s, kMappedAll, 1);
  assert_in(&s, "1.2.3.4");
  assert_in(&s, "::ffff:1.2.3.4");
  assert_out(&s, "::1");
  addr_set_free(&s);
  static const char *const kAround[] = {"::/80"};
  set_of(&s, kAround, 1);
  assert_in(&s, "::ffff:1.2.3.4");
  assert_out(&s, "1.2.3.4");
  addr_set_free(&s);
}

static void test_add_refusals(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  struct addr a4 = addr_of("192.0.2.0");
  struct addr a6 = addr_of("2001:db8::");
  assert_int_equal(addr_set_add(&s, AF_INET, a4.b, 33), 0);
  assert_int_equal(addr_set_add(&s, AF_INET6, a6.b, 129), 0);
  assert_int_equal(addr_set_add(&s, AF_UNIX, a4.b, 8), 0);
  assert_int_equal(addr_set_count(&s), 0);
  /* Host bits given in code are masked off. */
  struct addr host = addr_of("192.0.2.77");
  assert_int_equal(addr_set_add(&s, AF_INET, host.b, 24), 1);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_int_equal(addr_set_finish(&s), 0);
  assert_in(&s, "192.0.2.0");
  assert_int_equal(addr_set_add(&s, AF_INET, a4.b, 32), 0);
  assert_int_equal(addr_set_count(&s), 1);
  assert_int_equal(addr_set_contains(&s, AF_UNIX, a4.b), 0);
  addr_set_free(&s);
  /* A freed set is empty and can be built again. */
  assert_int_equal(addr_set_count(&s), 0);
  assert_int_equal(addr_set_add(&s, AF_INET6, a6.b, 32), 1);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_in(&s, "2001:db8::1");
  addr_set_free(&s);
}

/* ---- files ---- */

static void test_load_file(void **state) {
  (void)state;
  static const char kText[] =
      "# a blocklist\n"
      "\n"
      "10.0.0.0/8\n"
      "   192.0.2.7   \n"
      "\t198.51.100.0/24\t# a trailing comment\n"
      "203.0.113.0/24\r\n"            /* CRLF */
      "   # an indented comment\r\n"
      "\r\n"
      "2001:db8::/32#no space before the comment\n"
      "::ffff:100.64.0.0/106\n"
      "  \t  \n"
      "fe80::1";                       /* no newline at the end */
  struct addr_set s;
  addr_set_init(&s);
  char err[256];
  if (!load_text(&s, kText, err, sizeof(err))) {
    fail_msg("load failed: %s", err);
  }
  assert_string_equal(err, "");
  assert_int_equal(addr_set_count(&s), 7);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_in(&s, "10.20.30.40");
  assert_in(&s, "192.0.2.7");
  assert_out(&s, "192.0.2.8");
  assert_in(&s, "198.51.100.200");
  assert_in(&s, "203.0.113.255");
  assert_in(&s, "2001:db8:1::1");
  assert_in(&s, "100.127.255.255");
  assert_out(&s, "100.128.0.0");
  assert_in(&s, "fe80::1");
  assert_out(&s, "fe80::2");
  addr_set_free(&s);
}

static void test_load_empty_and_comment_files(void **state) {
  (void)state;
  static const char *const kTexts[] = {"", "\n\n", "# only\n# comments\n", "   \r\n\t\n"};
  for (size_t i = 0; i < sizeof(kTexts) / sizeof(kTexts[0]); i++) {
    struct addr_set s;
    addr_set_init(&s);
    char err[256];
    assert_int_equal(load_text(&s, kTexts[i], err, sizeof(err)), 1);
    assert_int_equal(addr_set_count(&s), 0);
    addr_set_free(&s);
  }
}

static void test_load_two_files(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  char err[256];
  assert_int_equal(load_text(&s, "10.0.0.0/8\n", err, sizeof(err)), 1);
  assert_int_equal(load_text(&s, "2001:db8::/32\n", err, sizeof(err)), 1);
  assert_int_equal(addr_set_count(&s), 2);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_in(&s, "10.0.0.1");
  assert_in(&s, "2001:db8::1");
  /* A finished set takes no more. */
  assert_int_equal(load_text(&s, "192.0.2.0/24\n", err, sizeof(err)), 0);
  assert_string_equal(err, "LIST: the set is already finished");
  addr_set_free(&s);
}

struct load_error_case {
  const char *text;
  const char *message; /* with the file's path as LIST */
};

static void test_load_errors(void **state) {
  (void)state;
  static const struct load_error_case kCases[] = {
      {"10.0.0.1/8\n", "LIST:1: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?"},
      {"# ok\n192.0.2.0/24\n\n192.0.2.77/20\n",
       "LIST:4: 192.0.2.77/20 has host bits set; did you mean 192.0.0.0/20?"},
      {"1.2.3.4/0\n", "LIST:1: 1.2.3.4/0 has host bits set; did you mean 0.0.0.0/0?"},
      {"2001:db8::1/120\n",
       "LIST:1: 2001:db8::1/120 has host bits set; did you mean 2001:db8::/120?"},
      {"2001:db8::c:1/109\n",
       "LIST:1: 2001:db8::c:1/109 has host bits set; did you mean 2001:db8::8:0/109?"},
      {"::ffff:192.0.2.1/120\n",
       "LIST:1: ::ffff:192.0.2.1/120 has host bits set; did you mean ::ffff:192.0.2.0/120?"},
      {"10.0.0.0/33\n", "LIST:1: prefix /33 out of range for IPv4 (0-32) in '10.0.0.0/33'"},
      {"10.0.0.0/99999999999999999999\n",
       "LIST:1: prefix /99999999999999999999 out of range for IPv4 (0-32) in "
       "'10.0.0.0/99999999999999999999'"},
      {"2001:db8::/129\n",
       "LIST:1: prefix /129 out of range for IPv6 (0-128) in '2001:db8::/129'"},
      {"10.0.0.0/\n", "LIST:1: missing prefix length in '10.0.0.0/'"},
      {"10.0.0.0/-8\n", "LIST:1: invalid prefix length '-8' in '10.0.0.0/-8'"},
      {"10.0.0.0/8/8\n", "LIST:1: invalid prefix length '8/8' in '10.0.0.0/8/8'"},
      {"1.2.3.999\n", "LIST:1: invalid IPv4 address '1.2.3.999'"},
      {"010.0.0.1\n", "LIST:1: invalid IPv4 address '010.0.0.1'"},
      {"10.0.0\n", "LIST:1: invalid IPv4 address '10.0.0'"},
      {"10.0.0.0.0/8\n", "LIST:1: invalid IPv4 address '10.0.0.0.0'"},
      {"2001:db8:::1\n", "LIST:1: invalid IPv6 address '2001:db8:::1'"},
      {"fe80::1%eth0\n", "LIST:1: invalid IPv6 address 'fe80::1%eth0'"},
      {"[2001:db8::]/32\n", "LIST:1: invalid IPv6 address '[2001:db8::]'"},
      {"example.com\n", "LIST:1: 'example.com' is not an IPv4 or IPv6 address or block"},
      {"/24\n", "LIST:1: '/24' is not an IPv4 or IPv6 address or block"},
      {"192.0.2.1:443\n", "LIST:1: '192.0.2.1:443' is not an address (a blocklist takes no ports)"},
      {"10.0.0.0/8 192.0.2.0/24\n",
       "LIST:1: unexpected '192.0.2.0/24' after '10.0.0.0/8' (one entry per line)"},
      {"10.0.0.0/8 ; old\n", "LIST:1: unexpected ';' after '10.0.0.0/8' (one entry per line)"},
      {"10.0.0.0/8\r\n10.0.0.0 /8\r\n",
       "LIST:2: unexpected '/8' after '10.0.0.0' (one entry per line)"},
  };
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
    struct addr_set s;
    addr_set_init(&s);
    char err[512];
    if (load_text(&s, kCases[i].text, err, sizeof(err))) {
      fail_msg("'%s' loaded", kCases[i].text);
    }
    if (strcmp(err, kCases[i].message) != 0) {
      fail_msg("'%s':\n got  %s\n want %s", kCases[i].text, err, kCases[i].message);
    }
    addr_set_free(&s);
  }
}

static void test_load_error_bytes(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  char err[512];
  static const char kNul[] = "10.0.0.0/8\n192.0.2.0\0/24\n";
  assert_int_equal(load_text_len(&s, kNul, sizeof(kNul) - 1, err, sizeof(err)), 0);
  assert_string_equal(err, "LIST:2: NUL byte in line");

  char long_line[ADDR_SET_LINE_MAX + 64];
  memset(long_line, ' ', sizeof(long_line));
  memcpy(long_line, "# ok\n10.0.0.0/8", 15);
  long_line[sizeof(long_line) - 1] = '\n';
  assert_int_equal(load_text_len(&s, long_line, sizeof(long_line), err, sizeof(err)), 0);
  assert_string_equal(err, "LIST:2: line longer than 512 bytes");

  /* The longest line that fits is fine. */
  char fits[ADDR_SET_LINE_MAX + 1];
  memset(fits, ' ', sizeof(fits));
  memcpy(fits, "10.0.0.0/8", 10);
  fits[ADDR_SET_LINE_MAX] = '\n';
  assert_int_equal(load_text_len(&s, fits, sizeof(fits), err, sizeof(err)), 1);
  assert_int_equal(addr_set_count(&s), 1);
  addr_set_free(&s);
}

static void test_load_missing_file_and_directory(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  char err[512];
  char path[4096];
  snprintf(path, sizeof(path), "%s/no-such-list", tmp_dir());
  assert_int_equal(addr_set_load_file(&s, path, err, sizeof(err)), 0);
  char want[4200];
  snprintf(want, sizeof(want), "%s: No such file or directory", path);
  assert_string_equal(err, want);

  assert_int_equal(addr_set_load_file(&s, tmp_dir(), err, sizeof(err)), 0);
  snprintf(want, sizeof(want), "%s: read error: Is a directory", tmp_dir());
  assert_string_equal(err, want);

  /* A tiny buffer gets a cut message, still NUL-terminated; none at all is
   * fine too. */
  char tiny[8];
  assert_int_equal(addr_set_load_file(&s, path, tiny, sizeof(tiny)), 0);
  assert_int_equal(strlen(tiny), 7);
  assert_int_equal(addr_set_load_file(&s, path, NULL, 0), 0);
  addr_set_free(&s);
}

/* A failed load leaves the set as it was: nothing from the bad file is
 * used, whatever came before it stays. */
static void test_failed_load_takes_nothing(void **state) {
  (void)state;
  struct addr_set s;
  addr_set_init(&s);
  char err[512];
  assert_int_equal(load_text(&s, "192.0.2.0/24\n", err, sizeof(err)), 1);
  assert_int_equal(load_text(&s, "10.0.0.0/8\n2001:db8::/32\n::ffff:1.0.0.0/104\nbad\n", err,
                             sizeof(err)),
                   0);
  assert_string_equal(err, "LIST:4: 'bad' is not an IPv4 or IPv6 address or block");
  assert_int_equal(addr_set_count(&s), 1);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_int_equal(addr_set_ranges(&s), 1);
  assert_in(&s, "192.0.2.1");
  assert_out(&s, "10.0.0.1");
  assert_out(&s, "2001:db8::1");
  assert_out(&s, "1.0.0.1");
  addr_set_free(&s);
}

/* 100,000 lines, as a large real blocklist has: every one counted, looked
 * up at its edges. */
static void test_large_file(void **state) {
  (void)state;
  enum { kLines = 100000 };
  size_t cap = (size_t)kLines * 48;
  char *text = malloc(cap);
  assert_non_null(text);
  size_t len = 0;
  for (unsigned i = 0; i < kLines; i++) {
    if (i % 2 == 0) {
      /* 10.x.y.z/30 blocks, every other one, so none merge. */
      unsigned a = (10u << 24) | (i << 3);
      len += (size_t)snprintf(text + len, cap - len, "%u.%u.%u.%u/30\n", a >> 24, (a >> 16) & 255,
                              (a >> 8) & 255, a & 255);
    } else {
      len += (size_t)snprintf(text + len, cap - len, "2001:db8:%x:%x::/64 # %u\n", i >> 16,
                              i & 0xffff, i);
    }
  }
  struct addr_set s;
  addr_set_init(&s);
  char err[512];
  if (!load_text_len(&s, text, len, err, sizeof(err))) {
    fail_msg("%s", err);
  }
  free(text);
  assert_int_equal(addr_set_count(&s), kLines);
  assert_int_equal(addr_set_finish(&s), 1);
  assert_int_equal(addr_set_ranges(&s), kLines);
  for (unsigned i = 0; i < kLines; i += 2) {
    uint8_t b[4];
    unsigned a = (10u << 24) | (i << 3);
    for (unsigned k = 0; k < 8; k++) {
      b[0] = (uint8_t)((a + k) >> 24);
      b[1] = (uint8_t)((a + k) >> 16);
      b[2] = (uint8_t)((a + k) >> 8);
      b[3] = (uint8_t)(a + k);
      assert_int_equal(addr_set_contains(&s, AF_INET, b), k < 4);
    }
  }
  assert_in(&s, "2001:db8:0:1::");
  assert_out(&s, "2001:db8:0:2::");
  assert_in(&s, "2001:db8:1:869f::");
  assert_in(&s, "2001:db8:1:869f:ffff:ffff:ffff:ffff");
  assert_out(&s, "2001:db8:1:86a0::");
  addr_set_free(&s);
}

/* ---- the policy ---- */

static void expect_verdict(const struct scan_policy *p, const char *text,
                           enum policy_verdict want, const char *want_why) {
  struct addr a = addr_of(text);
  const char *why = "unset";
  enum policy_verdict v = policy_check(p, a.family, a.b, &why);
  if (v != want) {
    fail_msg("%s: verdict %d (%s), want %d", text, (int)v, why ? why : "NULL", (int)want);
  }
  if (want_why == NULL) {
    if (why != NULL) {
      fail_msg("%s: why '%s', want NULL", text, why);
    }
  } else if (why == NULL || strcmp(why, want_why) != 0) {
    fail_msg("%s: why '%s', want '%s'", text, why ? why : "NULL", want_why);
  }
}

static void test_reserved(void **state) {
  (void)state;
  struct scan_policy p;
  char err[256];
  assert_int_equal(scan_policy_load(&p, NULL, NULL, err, sizeof(err)), 1);
  static const struct {
    const char *addr;
    const char *why; /* NULL: allowed */
  } kCases[] = {
      {"0.0.0.0", "reserved range 0.0.0.0/8"},
      {"0.0.0.1", "reserved range 0.0.0.0/8"},
      {"0.255.255.255", "reserved range 0.0.0.0/8"},
      {"1.0.0.0", NULL},
      {"223.255.255.255", NULL},
      {"224.0.0.0", "reserved range 224.0.0.0/4"},
      {"224.0.0.1", "reserved range 224.0.0.0/4"},
      {"239.255.255.255", "reserved range 224.0.0.0/4"},
      {"240.0.0.0", "reserved range 240.0.0.0/4"},
      {"240.0.0.1", "reserved range 240.0.0.0/4"},
      {"255.255.255.255", "reserved range 240.0.0.0/4"},
      {"127.0.0.1", NULL},
      {"10.1.2.3", NULL},
      {"172.16.0.1", NULL},
      {"192.168.1.1", NULL},
      {"169.254.1.1", NULL},
      {"100.64.0.1", NULL},
      {"8.8.8.8", NULL},
      {"::", "reserved range ::/128"},
      {"::1", NULL},
      {"::2", NULL},
      {"fe80::1", NULL},
      {"fc00::1", NULL},
      {"fd12:3456::1", NULL},
      {"2001:db8::1", NULL},
      {"feff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", NULL},
      {"ff00::", "reserved range ff00::/8"},
      {"ff02::1", "reserved range ff00::/8"},
      {"ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff", "reserved range ff00::/8"},
      {"::ffff:0.0.0.0", "reserved range ::ffff:0.0.0.0/104"},
      {"::ffff:0.255.255.255", "reserved range ::ffff:0.0.0.0/104"},
      {"::ffff:1.0.0.0", NULL},
      {"::ffff:223.255.255.255", NULL},
      {"::ffff:224.0.0.1", "reserved range ::ffff:224.0.0.0/100"},
      {"::ffff:239.255.255.255", "reserved range ::ffff:224.0.0.0/100"},
      {"::ffff:240.0.0.1", "reserved range ::ffff:240.0.0.0/100"},
      {"::ffff:255.255.255.255", "reserved range ::ffff:240.0.0.0/100"},
      {"::ffff:127.0.0.1", NULL},
      {"::224.0.0.1", NULL},          /* IPv4-compatible: not mapped */
  };
  for (size_t i = 0; i < sizeof(kCases) / sizeof(kCases[0]); i++) {
    expect_verdict(&p, kCases[i].addr, kCases[i].why ? POLICY_RESERVED : POLICY_ALLOW,
                   kCases[i].why);
    struct addr a = addr_of(kCases[i].addr);
    const char *why = NULL;
    assert_int_equal(policy_reserved(a.family, a.b, &why), kCases[i].why != NULL);
    assert_int_equal(policy_reserved(a.family, a.b, NULL), kCases[i].why != NULL);
  }
  struct addr a = addr_of("8.8.8.8");
  const char *why = "unset";
  assert_int_equal(policy_check(&p, AF_UNIX, a.b, &why), POLICY_BAD_FAMILY);
  assert_string_equal(why, "unknown address family");
  assert_int_equal(policy_check(&p, AF_INET, a.b, NULL), POLICY_ALLOW);
  scan_policy_free(&p);
}

/* load_policy writes the lists (NULL: none) and loads them. */
static int load_policy(struct scan_policy *p, const char *block, const char *allow, char *err,
                       size_t errcap) {
  char block_path[4096], allow_path[4096];
  if (block != NULL) {
    write_file(block_path, block, strlen(block));
  }
  if (allow != NULL) {
    write_file(allow_path, allow, strlen(allow));
  }
  char raw[1024];
  int ok = scan_policy_load(p, block ? block_path : NULL, allow ? allow_path : NULL, raw,
                            sizeof(raw));
  /* Name the files BLOCK and ALLOW in the message. */
  const char *msg = raw;
  const char *name = "";
  if (block != NULL && strncmp(raw, block_path, strlen(block_path)) == 0) {
    msg = raw + strlen(block_path);
    name = "BLOCK";
  } else if (allow != NULL && strncmp(raw, allow_path, strlen(allow_path)) == 0) {
    msg = raw + strlen(allow_path);
    name = "ALLOW";
  }
  snprintf(err, errcap, "%s%s", name, msg);
  if (block != NULL) {
    unlink(block_path);
  }
  if (allow != NULL) {
    unlink(allow_path);
  }
  return ok;
}

static void test_policy_blocklist(void **state) {
  (void)state;
  struct scan_policy p;
  char err[512];
  assert_int_equal(load_policy(&p, "192.0.2.0/24\n2001:db8::/32\n127.0.0.2\n", NULL, err,
                               sizeof(err)),
                   1);
  assert_int_equal(p.has_allow, 0);
  expect_verdict(&p, "192.0.2.1", POLICY_BLOCKLISTED, "blocklist");
  expect_verdict(&p, "::ffff:192.0.2.1", POLICY_BLOCKLISTED, "blocklist");
  expect_verdict(&p, "2001:db8::1", POLICY_BLOCKLISTED, "blocklist");
  expect_verdict(&p, "127.0.0.2", POLICY_BLOCKLISTED, "blocklist");
  expect_verdict(&p, "127.0.0.1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "192.0.3.1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "2001:db9::1", POLICY_ALLOW, NULL);
  /* Reserved is named first even when the blocklist has it too. */
  scan_policy_free(&p);
  assert_int_equal(load_policy(&p, "224.0.0.0/3\n", NULL, err, sizeof(err)), 1);
  expect_verdict(&p, "224.0.0.1", POLICY_RESERVED, "reserved range 224.0.0.0/4");
  expect_verdict(&p, "255.255.255.255", POLICY_RESERVED, "reserved range 240.0.0.0/4");
  scan_policy_free(&p);
}

static void test_policy_allowlist(void **state) {
  (void)state;
  struct scan_policy p;
  char err[512];
  assert_int_equal(load_policy(&p, "10.0.5.0/24\n", "10.0.0.0/16\n224.0.0.0/4\n::/0\n", err,
                               sizeof(err)),
                   1);
  assert_int_equal(p.has_allow, 1);
  expect_verdict(&p, "10.0.0.1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "10.0.255.255", POLICY_ALLOW, NULL);
  expect_verdict(&p, "::ffff:10.0.0.1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "10.1.0.0", POLICY_NOT_ALLOWED, "not in allowlist");
  expect_verdict(&p, "127.0.0.1", POLICY_NOT_ALLOWED, "not in allowlist");
  /* The blocklist wins over the allowlist, and reserved over both. */
  expect_verdict(&p, "10.0.5.1", POLICY_BLOCKLISTED, "blocklist");
  expect_verdict(&p, "224.0.0.1", POLICY_RESERVED, "reserved range 224.0.0.0/4");
  /* ::/0 allows all IPv6 but the reserved part. */
  expect_verdict(&p, "2001:db8::1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "ff02::1", POLICY_RESERVED, "reserved range ff00::/8");
  expect_verdict(&p, "::", POLICY_RESERVED, "reserved range ::/128");
  /* ::ffff:8.8.8.8 is in ::/0, as IPv6. */
  expect_verdict(&p, "::ffff:8.8.8.8", POLICY_ALLOW, NULL);
  expect_verdict(&p, "8.8.8.8", POLICY_NOT_ALLOWED, "not in allowlist");
  scan_policy_free(&p);

  /* An allowlist only. */
  assert_int_equal(load_policy(&p, NULL, "127.0.0.1\n", err, sizeof(err)), 1);
  expect_verdict(&p, "127.0.0.1", POLICY_ALLOW, NULL);
  expect_verdict(&p, "127.0.0.2", POLICY_NOT_ALLOWED, "not in allowlist");
  expect_verdict(&p, "::1", POLICY_NOT_ALLOWED, "not in allowlist");
  scan_policy_free(&p);
}

static void test_policy_load_errors(void **state) {
  (void)state;
  struct scan_policy p;
  char err[512];
  assert_int_equal(load_policy(&p, "10.0.0.0/8\n10.0.0.1/8\n", "10.0.0.0/8\n", err,
                               sizeof(err)),
                   0);
  assert_string_equal(err, "BLOCK:2: 10.0.0.1/8 has host bits set; did you mean 10.0.0.0/8?");
  assert_int_equal(load_policy(&p, "10.0.0.0/8\n", "\n\n10.0.0.0/40\n", err, sizeof(err)), 0);
  assert_string_equal(err, "ALLOW:3: prefix /40 out of range for IPv4 (0-32) in '10.0.0.0/40'");
  /* An empty allowlist would block everything: a mistake, not a policy. */
  assert_int_equal(load_policy(&p, NULL, "# nothing yet\n", err, sizeof(err)), 0);
  assert_string_equal(err, "ALLOW: the allowlist has no entries, so it would block every target");
  /* A failed load leaves a policy that can be freed again. */
  scan_policy_free(&p);
  assert_int_equal(addr_set_count(&p.block), 0);
  assert_int_equal(p.has_allow, 0);
}

/* ---- randomized cross-check ---- */

/* splitmix64: a fixed seed gives the same cases every run. */
static uint64_t next_random(uint64_t *state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15u);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

struct prefix {
  int family;
  uint8_t b[16];
  unsigned len;
};

static int bits_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
  for (unsigned i = 0; i < bits; i++) {
    uint8_t m = (uint8_t)(0x80u >> (i % 8));
    if ((a[i / 8] & m) != (b[i / 8] & m)) {
      return 0;
    }
  }
  return 1;
}

static const uint8_t kMapped[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};

/* naive_contains is blocklist.h's rule, one prefix at a time: an IPv4
 * address matches IPv4 prefixes, and IPv6 prefixes of /96 or longer by its
 * mapped form; an IPv6 address matches IPv6 prefixes, and, when mapped, the
 * IPv4 prefixes by its IPv4 address. */
static int naive_contains(const struct prefix *list, size_t n, const struct addr *a) {
  uint8_t mapped[16];
  memcpy(mapped, kMapped, 12);
  int is_mapped = a->family == AF_INET6 && memcmp(a->b, kMapped, 12) == 0;
  const uint8_t *v4 = a->family == AF_INET ? a->b : is_mapped ? a->b + 12 : NULL;
  if (v4 != NULL) {
    memcpy(mapped + 12, v4, 4);
  }
  for (size_t i = 0; i < n; i++) {
    const struct prefix *p = &list[i];
    if (p->family == AF_INET) {
      if (v4 != NULL && bits_match(v4, p->b, p->len)) {
        return 1;
      }
    } else if (a->family == AF_INET6) {
      if (bits_match(a->b, p->b, p->len)) {
        return 1;
      }
    } else if (p->len >= 96 && bits_match(mapped, p->b, p->len)) {
      return 1;
    }
  }
  return 0;
}

/* How random_prefix spreads its prefixes. */
enum spread {
  SPREAD_REGIONS,       /* around a few regions: prefixes nest, overlap, touch */
  SPREAD_REGIONS_SHORT, /* the same, and a few short enough to swallow regions */
  SPREAD_ANYWHERE,      /* over the whole space, across the index's buckets */
};

/* random_prefix makes a prefix as |spread| says. */
static struct prefix random_prefix(uint64_t *rng, enum spread spread) {
  static const uint8_t kRegions4[][4] = {{10, 0, 0, 0}, {192, 0, 2, 0}, {10, 0, 128, 0}};
  static const uint8_t kRegions6[][16] = {
      {0x20, 0x01, 0x0d, 0xb8},
      {0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0xff, 0xff},
      {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 10, 0, 0, 0}, /* mapped 10/8 */
  };
  struct prefix p;
  memset(&p, 0, sizeof(p));
  uint64_t r = next_random(rng);
  uint64_t bits[2] = {next_random(rng), next_random(rng)};
  int short_ones = spread == SPREAD_REGIONS_SHORT;
  if (spread == SPREAD_ANYWHERE) {
    p.family = r % 2 == 0 ? AF_INET : AF_INET6;
    unsigned width = p.family == AF_INET ? 32 : 128;
    for (int i = 0; i < 16; i++) {
      p.b[i] = (uint8_t)(bits[i / 8] >> (8 * (i % 8)));
    }
    /* /8-/32 and /32-/128: short enough to span many index buckets, long
     * enough to leave most of the space uncovered. */
    p.len = width / 4 + (unsigned)((r >> 24) % (width - width / 4 + 1));
  } else if (r % 2 == 0) {
    p.family = AF_INET;
    memcpy(p.b, kRegions4[(r >> 8) % 3], 4);
    /* Randomize the low 16 bits, prefix /16-/32 (or /0-/15 now and then). */
    p.b[2] ^= (uint8_t)bits[0];
    p.b[3] ^= (uint8_t)(bits[0] >> 8);
    p.len = short_ones && (r >> 16) % 50 == 0 ? (unsigned)((r >> 24) % 16)
                                              : 16 + (unsigned)((r >> 24) % 17);
  } else {
    p.family = AF_INET6;
    unsigned region = (unsigned)((r >> 8) % 3);
    memcpy(p.b, kRegions6[region], 16);
    /* Randomize the low 32 bits (crossing into the mapped IPv4 part) and a
     * bit around the half. */
    for (int i = 0; i < 4; i++) {
      p.b[12 + i] ^= (uint8_t)(bits[0] >> (8 * i));
    }
    if (region == 0) {
      p.b[7] ^= (uint8_t)(bits[1] & 3);
    }
    unsigned lo = region == 2 ? 96 : 60;
    p.len = short_ones && (r >> 16) % 50 == 0 ? (unsigned)((r >> 24) % 64)
                                              : lo + (unsigned)((r >> 24) % (129 - lo));
  }
  unsigned total = p.family == AF_INET ? 32 : 128;
  for (unsigned bit = p.len; bit < total; bit++) {
    p.b[bit / 8] &= (uint8_t)~(0x80u >> (bit % 8));
  }
  return p;
}

/* step adds |delta| (+1 or -1) to a big-endian number of |n| bytes. */
static void step(uint8_t *b, int n, int delta) {
  for (int i = n - 1; i >= 0; i--) {
    b[i] = (uint8_t)(b[i] + delta);
    if ((delta > 0 && b[i] != 0) || (delta < 0 && b[i] != 0xff)) {
      return;
    }
  }
}

/* random_probe picks an address worth asking about: a prefix's first or
 * last address or one just outside, an address near the regions, an
 * IPv4 probe in its mapped form, or any address at all. */
static struct addr random_probe(uint64_t *rng, const struct prefix *list, size_t n) {
  struct addr a;
  memset(&a, 0, sizeof(a));
  uint64_t r = next_random(rng);
  const struct prefix *p = &list[(r >> 8) % n];
  a.family = p->family;
  int nbytes = a.family == AF_INET ? 4 : 16;
  unsigned total = (unsigned)nbytes * 8;
  switch (r % 6) {
    case 0: /* first address, or the one before */
    case 1:
      memcpy(a.b, p->b, 16);
      if (r % 6 == 1) {
        step(a.b, nbytes, -1);
      }
      break;
    case 2: /* last address, or the one after */
    case 3:
      memcpy(a.b, p->b, 16);
      for (unsigned bit = p->len; bit < total; bit++) {
        a.b[bit / 8] |= (uint8_t)(0x80u >> (bit % 8));
      }
      if (r % 6 == 3) {
        step(a.b, nbytes, 1);
      }
      break;
    case 4: { /* near a prefix: its upper bits, random lower ones */
      memcpy(a.b, p->b, 16);
      uint64_t x = next_random(rng);
      unsigned keep = (unsigned)((r >> 32) % (total + 1));
      for (unsigned bit = keep; bit < total; bit++) {
        if ((x >> (bit % 64)) & 1) {
          a.b[bit / 8] ^= (uint8_t)(0x80u >> (bit % 8));
        }
      }
      break;
    }
    default: /* anything */
      for (int i = 0; i < nbytes; i++) {
        a.b[i] = (uint8_t)next_random(rng);
      }
      break;
  }
  if (a.family == AF_INET && (r >> 40) % 3 == 0) {
    memmove(a.b + 12, a.b, 4);
    memcpy(a.b, kMapped, 12);
    a.family = AF_INET6;
  }
  return a;
}

static void test_random_cross_check(void **state) {
  (void)state;
  enum { kPrefixes = 2000, kProbes = 10000, kRounds = 8 };
  uint64_t rng = 20261126;
  struct prefix *list = calloc(kPrefixes, sizeof(*list));
  assert_non_null(list);
  unsigned long hits = 0, total = 0;
  for (int round = 0; round < kRounds; round++) {
    /* Rounds grow the list from a few prefixes to thousands, then spread
     * them. */
    size_t n = round == 0 ? 3 : round == 1 ? 50 : kPrefixes;
    enum spread spread = round < 4 ? SPREAD_REGIONS
                         : round < 6 ? SPREAD_REGIONS_SHORT
                                     : SPREAD_ANYWHERE;
    struct addr_set s;
    addr_set_init(&s);
    for (size_t i = 0; i < n; i++) {
      list[i] = random_prefix(&rng, spread);
      assert_int_equal(addr_set_add(&s, list[i].family, list[i].b, list[i].len), 1);
    }
    assert_int_equal(addr_set_finish(&s), 1);
    assert_true(addr_set_ranges(&s) <= n);
    for (int i = 0; i < kProbes; i++) {
      struct addr a = random_probe(&rng, list, n);
      int want = naive_contains(list, n, &a);
      int got = addr_set_contains(&s, a.family, a.b);
      if (got != want) {
        char text[INET6_ADDRSTRLEN];
        inet_ntop(a.family, a.b, text, sizeof(text));
        fail_msg("round %d, probe %d: %s: got %d, want %d", round, i, text, got, want);
      }
      hits += (unsigned long)want;
      total++;
    }
    addr_set_free(&s);
  }
  free(list);
  /* The probes are worth something only if both answers are common. */
  assert_true(hits > total / 5);
  assert_true(hits < total * 4 / 5);
}

/* ---- concurrent readers ---- */

enum { kThreads = 4, kThreadProbes = 20000 };

struct reader_arg {
  const struct addr_set *set;
  const struct addr *probes;
  const uint8_t *want;
  int mismatches;
};

static void *reader(void *arg) {
  struct reader_arg *r = arg;
  for (int round = 0; round < 5; round++) {
    for (int i = 0; i < kThreadProbes; i++) {
      if (addr_set_contains(r->set, r->probes[i].family, r->probes[i].b) != r->want[i]) {
        r->mismatches++;
      }
    }
  }
  return NULL;
}

static void test_concurrent_readers(void **state) {
  (void)state;
  uint64_t rng = 77;
  enum { kPrefixes = 5000 };
  struct prefix *list = calloc(kPrefixes, sizeof(*list));
  struct addr *probes = calloc(kThreadProbes, sizeof(*probes));
  uint8_t *want = calloc(kThreadProbes, 1);
  assert_non_null(list);
  assert_non_null(probes);
  assert_non_null(want);
  struct addr_set s;
  addr_set_init(&s);
  for (int i = 0; i < kPrefixes; i++) {
    list[i] = random_prefix(&rng, i % 2 ? SPREAD_ANYWHERE : SPREAD_REGIONS);
    assert_int_equal(addr_set_add(&s, list[i].family, list[i].b, list[i].len), 1);
  }
  assert_int_equal(addr_set_finish(&s), 1);
  for (int i = 0; i < kThreadProbes; i++) {
    probes[i] = random_probe(&rng, list, kPrefixes);
    want[i] = (uint8_t)addr_set_contains(&s, probes[i].family, probes[i].b);
  }
  pthread_t threads[kThreads];
  struct reader_arg args[kThreads];
  for (int t = 0; t < kThreads; t++) {
    args[t] = (struct reader_arg){&s, probes, want, 0};
    assert_int_equal(pthread_create(&threads[t], NULL, reader, &args[t]), 0);
  }
  for (int t = 0; t < kThreads; t++) {
    assert_int_equal(pthread_join(threads[t], NULL), 0);
    assert_int_equal(args[t].mismatches, 0);
  }
  addr_set_free(&s);
  free(list);
  free(probes);
  free(want);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_empty_set),
      cmocka_unit_test(test_v4_boundaries),
      cmocka_unit_test(test_v4_slash0_and_slash32),
      cmocka_unit_test(test_v6_boundaries),
      cmocka_unit_test(test_v6_slash0_and_slash128),
      cmocka_unit_test(test_nested_overlapping_duplicates),
      cmocka_unit_test(test_merge_at_the_top),
      cmocka_unit_test(test_ranges_across_index_buckets),
      cmocka_unit_test(test_v4_and_v6_not_confused),
      cmocka_unit_test(test_add_refusals),
      cmocka_unit_test(test_load_file),
      cmocka_unit_test(test_load_empty_and_comment_files),
      cmocka_unit_test(test_load_two_files),
      cmocka_unit_test(test_load_errors),
      cmocka_unit_test(test_load_error_bytes),
      cmocka_unit_test(test_load_missing_file_and_directory),
      cmocka_unit_test(test_failed_load_takes_nothing),
      cmocka_unit_test(test_large_file),
      cmocka_unit_test(test_reserved),
      cmocka_unit_test(test_policy_blocklist),
      cmocka_unit_test(test_policy_allowlist),
      cmocka_unit_test(test_policy_load_errors),
      cmocka_unit_test(test_random_cross_check),
      cmocka_unit_test(test_concurrent_readers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
