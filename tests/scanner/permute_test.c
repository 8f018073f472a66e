/* tests/scanner/permute_test.c: the scan's order and its shards.
 *
 * The cyclic walk hands out every index of 0..n-1 once, for any n up to
 * 2^32, from a generator of the whole group, in an order that changes with
 * the seed. Sequence numbers name where an item was written. The permuter
 * hands out exactly the source's items (compared field by field, invalid
 * lines included) for every window and shard count; shards are disjoint,
 * together whole and about equal; the same arguments give the same order;
 * blocks are interleaved as a random permutation would interleave them, lines
 * move at most a window from their place, and memory stays what
 * permuter_init allocated however many targets go through. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <arpa/inet.h>
#include <malloc.h>
#include <cmocka.h>

#include "scanner/targets/permute.h"
#include "scanner/targets/target.h"

static const struct target_defaults kDefaults = {443};

/* ---- helpers ---------------------------------------------------------------- */

/* An input: arguments and the text of a file, opened afresh for each run. */
struct input {
  char *const *args;
  size_t nargs;
  const char *text; /* NULL: no file */
  FILE *file;
  struct target_source src;
};

static void input_open(struct input *in) {
  in->file = NULL;
  if (in->text != NULL) {
    in->file = fmemopen((void *)in->text, strlen(in->text), "r");
    assert_non_null(in->file);
  }
  target_source_init(&in->src, in->args, in->nargs, in->file, &kDefaults);
}

static void input_close(struct input *in) {
  target_source_free(&in->src);
  if (in->file != NULL) {
    fclose(in->file);
  }
}

/* A growable list of items. */
struct items {
  struct target_item *v;
  size_t n, cap;
};

static void items_push(struct items *l, const struct target_item *it) {
  if (l->n == l->cap) {
    l->cap = l->cap ? l->cap * 2 : 256;
    l->v = realloc(l->v, l->cap * sizeof(*l->v));
    assert_non_null(l->v);
  }
  l->v[l->n++] = *it;
}

static void items_free(struct items *l) {
  free(l->v);
  memset(l, 0, sizeof(*l));
}

/* read_source lists the source's items in its own order. */
static void read_source(struct input *in, struct items *out) {
  input_open(in);
  struct target_item it;
  while (target_source_next(&in->src, &it)) {
    items_push(out, &it);
  }
  input_close(in);
}

/* read_permuted lists what a permuter hands out. */
static void read_permuted(struct input *in, uint64_t seed, uint32_t shard, uint32_t nshards,
                          size_t window, struct items *out) {
  input_open(in);
  struct permuter p;
  assert_int_equal(permuter_init(&p, &in->src, seed, shard, nshards, window), 1);
  size_t memory = permuter_memory(&p);
  struct target_item it;
  while (permuter_next(&p, &it)) {
    items_push(out, &it);
  }
  assert_int_equal(permuter_next(&p, &it), 0); /* and it stays ended */
  assert_int_equal(permuter_memory(&p), memory);
  permuter_free(&p);
  input_close(in);
}

/* assert_same_item compares every field a consumer reads. Bytes after a
 * string's NUL are not compared: the source does not clear them. */
static void assert_same_item(const struct target_item *a, const struct target_item *b) {
  assert_int_equal(a->seq, b->seq);
  assert_int_equal(a->type, b->type);
  assert_int_equal(a->line_no, b->line_no);
  assert_int_equal(a->arg_no, b->arg_no);
  assert_int_equal(a->line.kind, b->line.kind);
  assert_memory_equal(&a->line.addr, &b->line.addr, sizeof(a->line.addr));
  assert_int_equal(a->line.prefix, b->line.prefix);
  assert_int_equal(a->line.port, b->line.port);
  assert_int_equal(a->line.proto, b->line.proto);
  assert_int_equal(a->line.sni_given, b->line.sni_given);
  assert_string_equal(a->line.text, b->line.text);
  assert_string_equal(a->line.host, b->line.host);
  assert_string_equal(a->line.sni, b->line.sni);
  assert_string_equal(a->line.label, b->line.label);
  assert_string_equal(a->error, b->error);
}

static int by_seq(const void *x, const void *y) {
  uint64_t a = ((const struct target_item *)x)->seq, b = ((const struct target_item *)y)->seq;
  return a < b ? -1 : a > b;
}

static int cmp_u64(const void *x, const void *y) {
  uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;
  return a < b ? -1 : a > b;
}

static int is_prime(uint64_t n) {
  if (n < 2) {
    return 0;
  }
  for (uint64_t d = 2; d * d <= n; d++) {
    if (n % d == 0) {
      return 0;
    }
  }
  return 1;
}

static uint64_t test_powmod(uint64_t b, uint64_t e, uint64_t m) {
  unsigned __int128 r = 1, x = b % m;
  while (e > 0) {
    if (e & 1) {
      r = r * x % m;
    }
    x = x * x % m;
    e >>= 1;
  }
  return (uint64_t)r;
}

/* is_primitive_root factors p-1 itself, so it does not trust the table. */
static int is_primitive_root(uint64_t g, uint64_t p) {
  uint64_t m = p - 1;
  for (uint64_t q = 2; q * q <= m; q++) {
    if (m % q == 0) {
      if (test_powmod(g, (p - 1) / q, p) == 1) {
        return 0;
      }
      while (m % q == 0) {
        m /= q;
      }
    }
  }
  return m == 1 || test_powmod(g, (p - 1) / m, p) != 1;
}

/* ---- the cyclic walk --------------------------------------------------------- */

/* Each group is the smallest prime above 2^k, and the generator drawn is a
 * primitive root by an independent factorisation of p-1. */
static void test_groups(void **state) {
  (void)state;
  for (unsigned k = 0; k <= 32; k++) {
    uint64_t n = (uint64_t)1 << k;
    for (uint64_t seed = 0; seed < 6; seed++) {
      struct cyclic c;
      assert_int_equal(cyclic_init(&c, n, seed * 7919 + k), 1);
      assert_true(c.prime > n);
      if (seed == 0) {
        assert_true(is_prime(c.prime));
        for (uint64_t m = n + 1; m < c.prime; m++) {
          assert_false(is_prime(m));
        }
      }
      if (c.prime > 2) {
        assert_true(is_primitive_root(c.generator, c.prime));
        assert_true(c.current >= 1 && c.current < c.prime);
      }
    }
  }
}

/* walk_all checks that a walk over n hands out each index once, then ends
 * and stays ended. Returns the first index, for comparing seeds. */
static uint64_t walk_all(uint64_t n, uint64_t seed) {
  struct cyclic c;
  assert_int_equal(cyclic_init(&c, n, seed), 1);
  uint8_t *seen = calloc(n / 8 + 1, 1);
  assert_non_null(seen);
  uint64_t first = UINT64_MAX, index;
  for (uint64_t i = 0; i < n; i++) {
    assert_int_equal(cyclic_next(&c, &index), 1);
    assert_true(index < n);
    if (seen[index / 8] & (1u << (index % 8))) {
      fail_msg("n=%llu seed=%llu: index %llu twice", (unsigned long long)n,
               (unsigned long long)seed, (unsigned long long)index);
    }
    seen[index / 8] |= (uint8_t)(1u << (index % 8));
    if (i == 0) {
      first = index;
    }
  }
  assert_int_equal(cyclic_next(&c, &index), 0);
  assert_int_equal(cyclic_next(&c, &index), 0);
  free(seen);
  return first;
}

static void test_cyclic_every_index_once(void **state) {
  (void)state;
  static const uint64_t kSizes[] = {1, 2, 3, 4, 5, 7, 100, 255, 256, 257, 1000, 4096, 65535, 65536};
  for (size_t i = 0; i < sizeof(kSizes) / sizeof(kSizes[0]); i++) {
    for (uint64_t seed = 0; seed < 8; seed++) {
      walk_all(kSizes[i], seed * 0x9e3779b97f4a7c15u + 1);
    }
  }
  walk_all((uint64_t)1 << 24, 42);
  walk_all(((uint64_t)1 << 20) + 1, 43); /* the group of 2^21 */
}

static void test_cyclic_empty_and_too_large(void **state) {
  (void)state;
  struct cyclic c;
  uint64_t index;
  assert_int_equal(cyclic_init(&c, 0, 1), 1);
  assert_int_equal(cyclic_next(&c, &index), 0);
  assert_int_equal(cyclic_init(&c, CYCLIC_MAX_N + 1, 1), 0);
}

/* The /0 group needs 128-bit products: its first million indexes are
 * distinct and in range. */
static void test_cyclic_largest(void **state) {
  (void)state;
  const size_t kTake = 1000000;
  uint64_t *v = malloc(kTake * sizeof(*v));
  assert_non_null(v);
  struct cyclic c;
  assert_int_equal(cyclic_init(&c, CYCLIC_MAX_N, 7), 1);
  assert_int_equal(c.prime, 4294967311u);
  for (size_t i = 0; i < kTake; i++) {
    assert_int_equal(cyclic_next(&c, &v[i]), 1);
    assert_true(v[i] < CYCLIC_MAX_N);
  }
  assert_int_equal(c.left, CYCLIC_MAX_N - kTake);
  qsort(v, kTake, sizeof(*v), cmp_u64);
  for (size_t i = 1; i < kTake; i++) {
    assert_true(v[i] != v[i - 1]);
  }
  free(v);
}

/* Different seeds, different orders; none of them the identity. */
static void test_cyclic_seeds_differ(void **state) {
  (void)state;
  enum { kN = 256, kSeeds = 20 };
  static uint64_t order[kSeeds][kN];
  for (int s = 0; s < kSeeds; s++) {
    struct cyclic c;
    assert_int_equal(cyclic_init(&c, kN, (uint64_t)s), 1);
    int identity = 1;
    for (int i = 0; i < kN; i++) {
      assert_int_equal(cyclic_next(&c, &order[s][i]), 1);
      identity &= order[s][i] == (uint64_t)i;
    }
    assert_false(identity);
    for (int t = 0; t < s; t++) {
      assert_true(memcmp(order[s], order[t], sizeof(order[s])) != 0);
    }
  }
  /* The same seed, the same order. */
  struct cyclic c;
  assert_int_equal(cyclic_init(&c, kN, 3), 1);
  for (int i = 0; i < kN; i++) {
    uint64_t index;
    assert_int_equal(cyclic_next(&c, &index), 1);
    assert_int_equal(index, order[3][i]);
  }
}

/* ---- sequence numbers and arguments ----------------------------------------- */

static void test_source_seq(void **state) {
  (void)state;
  char *args[] = {"1.2.3.4", "10.0.0.0/31", "bad..name"};
  struct input in = {args, 3, "# c\n5.6.7.8\n\n10.1.0.0/30\nx..y\n", NULL, {0}};
  struct items l = {0};
  read_source(&in, &l);
  static const uint64_t kWant[] = {
      (uint64_t)1 << 32,       (uint64_t)2 << 32,       ((uint64_t)2 << 32) | 1,
      (uint64_t)3 << 32,       (uint64_t)(3 + 2) << 32, ((uint64_t)(3 + 4) << 32),
      ((uint64_t)7 << 32) | 1, ((uint64_t)7 << 32) | 2, ((uint64_t)7 << 32) | 3,
      (uint64_t)(3 + 5) << 32,
  };
  assert_int_equal(l.n, sizeof(kWant) / sizeof(kWant[0]));
  for (size_t i = 0; i < l.n; i++) {
    assert_int_equal(l.v[i].seq, kWant[i]);
  }
  assert_int_equal(l.v[3].type, TARGET_ITEM_INVALID);
  assert_int_equal(l.v[9].type, TARGET_ITEM_INVALID);
  items_free(&l);
}

static void test_parse_shard(void **state) {
  (void)state;
  uint32_t i = 99, n = 99;
  assert_int_equal(permuter_parse_shard("0/1", &i, &n), 1);
  assert_int_equal(i, 0);
  assert_int_equal(n, 1);
  assert_int_equal(permuter_parse_shard("6/7", &i, &n), 1);
  assert_int_equal(i, 6);
  assert_int_equal(n, 7);
  assert_int_equal(permuter_parse_shard("4294967294/4294967295", &i, &n), 1);
  assert_int_equal(i, 4294967294u);
  static const char *const kBad[] = {"",     "1",    "/2",   "1/",  "2/2",  "3/2",
                                     "0/0",  "-1/2", "1/-2", "1/2x", " 1/2", "1/ 2",
                                     "1//2", "+1/2", "0/4294967296", "1/2/3"};
  for (size_t k = 0; k < sizeof(kBad) / sizeof(kBad[0]); k++) {
    if (permuter_parse_shard(kBad[k], &i, &n)) {
      fail_msg("accepted '%s'", kBad[k]);
    }
  }
}

static void test_init_rejects(void **state) {
  (void)state;
  struct target_source src;
  target_source_init(&src, NULL, 0, NULL, &kDefaults);
  struct permuter p;
  assert_int_equal(permuter_init(&p, &src, 1, 0, 0, 16), 0);
  assert_int_equal(permuter_init(&p, &src, 1, 3, 3, 16), 0);
  assert_int_equal(permuter_init(&p, &src, 1, 0, 1, PERMUTER_WINDOW_MAX + 1), 0);
  assert_int_equal(permuter_init(&p, NULL, 1, 0, 1, 16), 0);
  assert_int_equal(permuter_init(&p, &src, 1, 0, 1, 16), 1);
  struct target_item it;
  assert_int_equal(permuter_next(&p, &it), 0);
  permuter_free(&p);
  target_source_free(&src);
}

/* ---- the permuter: what comes out ------------------------------------------- */

/* A name long enough (190 bytes) that its item needs a big cell. */
#define LABEL60 "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
#define LONG_NAME LABEL60 "." LABEL60 "." LABEL60 ".example"

/* build_mixed writes a file of addresses, names, blocks of several sizes,
 * comments, bad lines and long lines. The caller frees it. */
static char *build_mixed(void) {
  size_t cap = 1 << 20, n = 0;
  char *t = malloc(cap);
  assert_non_null(t);
#define PUT(...) n += (size_t)snprintf(t + n, cap - n, __VA_ARGS__)
  PUT("# a mixed file\n\n");
  for (int i = 0; i < 400; i++) {
    PUT("10.1.%d.%d\n", i / 200, i % 200);
    if (i % 40 == 0) {
      PUT("host%d.example.com:993 sni=mx%d.example.com label=l%d\n", i, i, i);
    }
    if (i % 25 == 0) {
      PUT("bad..line%d\n", i); /* invalid */
    }
    if (i % 50 == 7) {
      PUT("1.2.3.%d:70000\n", i); /* invalid */
    }
    if (i % 100 == 11) {
      PUT("imaps://%s:993 sni=%s label=long-%d\n", LONG_NAME, LONG_NAME, i);
    }
    if (i == 100) {
      PUT("10.2.0.0/24\n");
    }
    if (i == 150) {
      PUT("[2001:db8::/120]:993 label=v6\n");
    }
    if (i == 200) {
      PUT("10.3.0.0/23 label=two\n");
    }
    if (i == 250) {
      PUT("10.4.0.9/32\n10.5.0.0/31\nimaps://10.6.0.0/28 sni=blk.test label=blk\n");
    }
    if (i == 300) {
      PUT("2001:db8:1::/126\n");
    }
  }
  PUT("# the end");
#undef PUT
  assert_true(n < cap);
  return t;
}

static char *const kMixedArgs[] = {"192.0.2.1", "bad..arg", "198.51.100.0/30:993 label=a",
                                   "mail.example.com"};

/* For each window and shard count: each shard hands out items of its own
 * shard, equal field by field to the source's; the shards are disjoint and
 * their union is the source; they are about equal in size. */
static void test_shards_partition_the_source(void **state) {
  (void)state;
  char *text = build_mixed();
  struct input in = {kMixedArgs, 4, text, NULL, {0}};
  struct items whole = {0};
  read_source(&in, &whole);
  size_t invalid = 0;
  for (size_t i = 0; i < whole.n; i++) {
    invalid += whole.v[i].type == TARGET_ITEM_INVALID;
  }
  assert_true(whole.n > 1400);
  assert_true(invalid > 20);
  qsort(whole.v, whole.n, sizeof(*whole.v), by_seq);
  for (size_t i = 1; i < whole.n; i++) {
    assert_true(whole.v[i].seq > whole.v[i - 1].seq); /* seqs are unique */
  }

  static const size_t kWindows[] = {0, 1, 4, 64, PERMUTER_WINDOW_DEFAULT};
  static const uint32_t kShards[] = {1, 2, 3, 7};
  static const uint64_t kSeeds[] = {1, 0xdeadbeefcafef00du};
  for (size_t w = 0; w < sizeof(kWindows) / sizeof(kWindows[0]); w++) {
    for (size_t s = 0; s < sizeof(kShards) / sizeof(kShards[0]); s++) {
      for (size_t e = 0; e < sizeof(kSeeds) / sizeof(kSeeds[0]); e++) {
        uint32_t nshards = kShards[s];
        struct items all = {0};
        for (uint32_t shard = 0; shard < nshards; shard++) {
          struct items part = {0};
          read_permuted(&in, kSeeds[e], shard, nshards, kWindows[w], &part);
          /* Within five standard deviations of a binomial count. */
          double mean = (double)whole.n / nshards;
          double off = (double)part.n - mean;
          if (off * off > 25 * mean) {
            fail_msg("window %zu, shard %u/%u: %zu items, expected about %.0f", kWindows[w],
                     shard, nshards, part.n, mean);
          }
          for (size_t i = 0; i < part.n; i++) {
            assert_int_equal(permuter_shard_of(kSeeds[e], part.v[i].seq, nshards), shard);
            items_push(&all, &part.v[i]);
          }
          items_free(&part);
        }
        /* Disjoint and whole: the sorted union is the sorted source. */
        assert_int_equal(all.n, whole.n);
        qsort(all.v, all.n, sizeof(*all.v), by_seq);
        for (size_t i = 0; i < all.n; i++) {
          assert_same_item(&all.v[i], &whole.v[i]);
        }
        items_free(&all);
      }
    }
  }
  /* Every number of parts from 1 to 16 (the range), default window. */
  for (uint32_t nshards = 1; nshards <= 16; nshards++) {
    struct items all = {0};
    for (uint32_t shard = 0; shard < nshards; shard++) {
      struct items part = {0};
      read_permuted(&in, 7, shard, nshards, PERMUTER_WINDOW_DEFAULT, &part);
      for (size_t i = 0; i < part.n; i++) {
        assert_int_equal(permuter_shard_of(7, part.v[i].seq, nshards), shard);
        items_push(&all, &part.v[i]);
      }
      items_free(&part);
    }
    assert_int_equal(all.n, whole.n);
    qsort(all.v, all.n, sizeof(*all.v), by_seq);
    for (size_t i = 0; i < all.n; i++) {
      assert_same_item(&all.v[i], &whole.v[i]);
    }
    items_free(&all);
  }
  items_free(&whole);
  free(text);
}

/* Window 0 is the source's order itself. */
static void test_window_zero_is_source_order(void **state) {
  (void)state;
  char *text = build_mixed();
  struct input in = {kMixedArgs, 4, text, NULL, {0}};
  struct items whole = {0}, out = {0};
  read_source(&in, &whole);
  read_permuted(&in, 5, 0, 1, 0, &out);
  assert_int_equal(out.n, whole.n);
  for (size_t i = 0; i < out.n; i++) {
    assert_same_item(&out.v[i], &whole.v[i]);
  }
  items_free(&out);
  /* Sharded, it is the source's order with the other shards' items left out. */
  read_permuted(&in, 5, 1, 3, 0, &out);
  size_t j = 0;
  for (size_t i = 0; i < whole.n; i++) {
    if (permuter_shard_of(5, whole.v[i].seq, 3) == 1) {
      assert_true(j < out.n);
      assert_same_item(&out.v[j++], &whole.v[i]);
    }
  }
  assert_int_equal(j, out.n);
  items_free(&out);
  items_free(&whole);
  free(text);
}

/* Window 1 keeps units in source order but walks each block in its own. */
static void test_window_one_walks_blocks(void **state) {
  (void)state;
  char *args[] = {"192.0.2.1", "10.0.0.0/24", "192.0.2.2"};
  struct input in = {args, 3, NULL, NULL, {0}};
  struct items out = {0};
  read_permuted(&in, 9, 0, 1, 1, &out);
  assert_int_equal(out.n, 258);
  assert_string_equal(out.v[0].line.host, "192.0.2.1");
  assert_string_equal(out.v[257].line.host, "192.0.2.2");
  int in_order = 1;
  for (size_t i = 1; i <= 256; i++) {
    assert_int_equal(out.v[i].arg_no, 2);
    in_order &= (out.v[i].seq & 0xffffffffu) == i - 1;
  }
  assert_false(in_order);
  items_free(&out);
}

/* Blocks through the permuter: every address once, whatever the seed. */
static void test_blocks_every_address_once(void **state) {
  (void)state;
  static const char *const kBlocks[] = {"10.9.8.7/32", "10.0.0.0/31", "10.0.0.0/30",
                                        "10.0.0.0/24", "10.0.0.0/16"};
  for (size_t b = 0; b < sizeof(kBlocks) / sizeof(kBlocks[0]); b++) {
    for (uint64_t seed = 1; seed <= 3; seed++) {
      char *args[] = {(char *)kBlocks[b]};
      struct input in = {args, 1, NULL, NULL, {0}};
      input_open(&in);
      struct permuter p;
      assert_int_equal(permuter_init(&p, &in.src, seed, 0, 1, 16), 1);
      static uint8_t seen[65536];
      memset(seen, 0, sizeof(seen));
      size_t count = 0;
      struct target_item it;
      while (permuter_next(&p, &it)) {
        uint32_t a = ntohl(it.line.addr.v4.s_addr);
        assert_int_equal(it.line.kind, TARGET_IPV4);
        assert_int_equal(a >> 16, b == 0 ? 0x0a09u : 0x0a00u);
        assert_int_equal(seen[a & 0xffff], 0);
        seen[a & 0xffff] = 1;
        char host[INET_ADDRSTRLEN];
        inet_ntop(AF_INET, &it.line.addr.v4, host, sizeof(host));
        assert_string_equal(it.line.host, host);
        assert_string_equal(it.line.text, kBlocks[b]);
        count++;
      }
      static const size_t kCount[] = {1, 2, 4, 256, 65536};
      assert_int_equal(count, kCount[b]);
      permuter_free(&p);
      input_close(&in);
    }
  }
}

/* ---- the permuter: order ------------------------------------------------------ */

static void test_deterministic(void **state) {
  (void)state;
  char *text = build_mixed();
  struct input in = {kMixedArgs, 4, text, NULL, {0}};
  struct items a = {0}, b = {0}, c = {0};
  read_permuted(&in, 77, 1, 2, 64, &a);
  read_permuted(&in, 77, 1, 2, 64, &b);
  read_permuted(&in, 78, 1, 2, 64, &c);
  assert_int_equal(a.n, b.n);
  for (size_t i = 0; i < a.n; i++) {
    assert_same_item(&a.v[i], &b.v[i]);
  }
  /* Another seed: another split and another order. */
  size_t same = 0;
  for (size_t i = 0; i < a.n && i < c.n; i++) {
    same += a.v[i].seq == c.v[i].seq;
  }
  assert_true(same < a.n / 10);
  items_free(&a);
  items_free(&b);
  items_free(&c);
  free(text);
}

/* fraction_same_24 is the share of consecutive IPv4 targets in one /24. */
static double fraction_same_24(const struct items *l) {
  size_t pairs = 0, same = 0;
  for (size_t i = 1; i < l->n; i++) {
    pairs++;
    uint32_t a = ntohl(l->v[i - 1].line.addr.v4.s_addr), b = ntohl(l->v[i].line.addr.v4.s_addr);
    same += a >> 8 == b >> 8;
  }
  return pairs ? (double)same / (double)pairs : 0;
}

/* Three /24 blocks in a file: in source order nearly every consecutive pair
 * shares its /24; a uniform permutation of the 768 addresses would share it
 * 255/767 = 33% of the time, and the permuter should be close to that. */
static void test_blocks_are_interleaved(void **state) {
  (void)state;
  struct input in = {NULL, 0, "10.0.1.0/24\n10.0.2.0/24\n10.0.3.0/24\n", NULL, {0}};
  struct items l = {0};
  read_source(&in, &l);
  assert_true(fraction_same_24(&l) > 0.99);
  items_free(&l);
  double sum = 0;
  for (uint64_t seed = 1; seed <= 20; seed++) {
    read_permuted(&in, seed, 0, 1, PERMUTER_WINDOW_DEFAULT, &l);
    assert_int_equal(l.n, 768);
    double f = fraction_same_24(&l);
    if (f > 0.45) {
      fail_msg("seed %llu: %.2f of consecutive targets in the same /24",
               (unsigned long long)seed, f);
    }
    sum += f;
    items_free(&l);
  }
  assert_true(sum / 20 > 0.25 && sum / 20 < 0.40);
}

/* A unit is picked in proportion to what it holds, so a small block and a
 * few lines next to a large block are spread over the large block's whole
 * time, not handed out first. */
static void test_picks_weigh_what_units_hold(void **state) {
  (void)state;
  char *args[] = {"10.0.0.0/16", "10.1.0.0/28", "192.0.2.1", "192.0.2.2", "192.0.2.3"};
  struct input in = {args, 5, NULL, NULL, {0}};
  struct items l = {0};
  read_permuted(&in, 21, 0, 1, 64, &l);
  assert_int_equal(l.n, 65536 + 16 + 3);
  double small_sum = 0, lines_sum = 0;
  for (size_t i = 0; i < l.n; i++) {
    if (l.v[i].arg_no == 2) {
      small_sum += (double)i;
    } else if (l.v[i].arg_no > 2) {
      lines_sum += (double)i;
    }
  }
  /* Uniform positions average l.n / 2; handed out first, they would
   * average about 10. */
  double small_mean = small_sum / 16 / (double)l.n, lines_mean = lines_sum / 3 / (double)l.n;
  assert_true(small_mean > 0.3 && small_mean < 0.7);
  assert_true(lines_mean > 0.1 && lines_mean < 0.9);
  items_free(&l);
}

/* Lines move at most a window ahead of their place (the window is all the
 * permuter holds), and they do move: few neighbours stay neighbours. */
static void test_lines_shuffled_within_window(void **state) {
  (void)state;
  enum { kLines = 20000 };
  const size_t window = 1024;
  char *text = malloc(kLines * 16 + 1);
  assert_non_null(text);
  size_t n = 0;
  for (int i = 0; i < kLines; i++) {
    n += (size_t)sprintf(text + n, "10.%d.%d.%d\n", i >> 16, (i >> 8) & 255, i & 255);
  }
  struct input in = {NULL, 0, text, NULL, {0}};
  struct items l = {0};
  read_permuted(&in, 11, 0, 1, window, &l);
  assert_int_equal(l.n, kLines);
  size_t neighbours = 0;
  long displacement = 0;
  for (size_t i = 0; i < l.n; i++) {
    size_t src = l.v[i].line_no - 1;
    assert_true(i + window > src);
    displacement += labs((long)src - (long)i);
    if (i > 0 && (l.v[i].line_no == l.v[i - 1].line_no + 1)) {
      neighbours++;
    }
  }
  assert_true(neighbours < kLines / 100);
  assert_true(displacement / kLines > (long)window / 4);
  items_free(&l);
  free(text);
}

/* Long items take big cells, of which a small window has one: they wait for
 * it in order, and everything still comes out once, intact. */
static void test_long_items(void **state) {
  (void)state;
  size_t cap = 1 << 18, n = 0;
  char *text = malloc(cap);
  assert_non_null(text);
  for (int i = 0; i < 200; i++) {
    if (i % 3 == 0) {
      n += (size_t)snprintf(text + n, cap - n, "imaps://%s:%d sni=%s label=x%d\n", LONG_NAME,
                            1000 + i, LONG_NAME, i);
    } else if (i % 3 == 1) {
      n += (size_t)snprintf(text + n, cap - n, "%s..bad%d\n", LONG_NAME, i);
    } else {
      n += (size_t)snprintf(text + n, cap - n, "10.7.%d.0/30 sni=%s label=blk%d\n", i, LONG_NAME,
                            i);
    }
  }
  struct input in = {NULL, 0, text, NULL, {0}};
  struct items whole = {0};
  read_source(&in, &whole);
  qsort(whole.v, whole.n, sizeof(*whole.v), by_seq);
  static const size_t kWindows[] = {1, 2, 8, 100};
  for (size_t w = 0; w < sizeof(kWindows) / sizeof(kWindows[0]); w++) {
    struct items out = {0};
    read_permuted(&in, 3, 0, 1, kWindows[w], &out);
    assert_int_equal(out.n, whole.n);
    qsort(out.v, out.n, sizeof(*out.v), by_seq);
    for (size_t i = 0; i < out.n; i++) {
      assert_same_item(&out.v[i], &whole.v[i]);
    }
    items_free(&out);
  }
  items_free(&whole);
  free(text);
}

/* ---- the permuter: memory ----------------------------------------------------- */

static int sanitized(void) { return getenv("TLSSWEEP_SANITIZED") != NULL; }

/* A /8 (2^24 addresses): a million of them go through with the memory that
 * permuter_init took, the same as for a single address, and the heap does
 * not grow. */
static void test_memory_does_not_grow(void **state) {
  (void)state;
  char *big_args[] = {"10.0.0.0/8"};
  char *one_args[] = {"10.0.0.1"};
  struct input one = {one_args, 1, NULL, NULL, {0}};
  struct input in = {big_args, 1, NULL, NULL, {0}};
  input_open(&one);
  struct permuter p;
  assert_int_equal(permuter_init(&p, &one.src, 1, 0, 1, PERMUTER_WINDOW_DEFAULT), 1);
  size_t memory_one = permuter_memory(&p);
  permuter_free(&p);
  input_close(&one);

  input_open(&in);
  assert_int_equal(permuter_init(&p, &in.src, 1, 0, 1, PERMUTER_WINDOW_DEFAULT), 1);
  size_t memory = permuter_memory(&p);
  assert_int_equal(memory, memory_one);
  print_message("permuter: %zu bytes for a window of %d units (%zu bytes a unit)\n", memory,
                PERMUTER_WINDOW_DEFAULT, memory / PERMUTER_WINDOW_DEFAULT);
  assert_true(memory < (size_t)PERMUTER_WINDOW_DEFAULT * 400);

  uint8_t *seen = calloc((size_t)1 << 21, 1);
  assert_non_null(seen);
  struct target_item it;
  /* The first item sets up the window; from then on the heap stays put. */
  assert_int_equal(permuter_next(&p, &it), 1);
  struct mallinfo2 before = mallinfo2();
  for (int i = 1; i < 1000000; i++) {
    assert_int_equal(permuter_next(&p, &it), 1);
    uint32_t a = ntohl(it.line.addr.v4.s_addr);
    assert_int_equal(a >> 24, 10);
    uint32_t h = a & 0xffffff;
    assert_int_equal(seen[h / 8] & (1u << (h % 8)), 0);
    seen[h / 8] |= (uint8_t)(1u << (h % 8));
  }
  struct mallinfo2 after = mallinfo2();
  if (!sanitized()) {
    assert_int_equal(after.uordblks, before.uordblks);
  }
  assert_int_equal(permuter_memory(&p), memory);
  free(seen);
  permuter_free(&p);
  input_close(&in);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups),
      cmocka_unit_test(test_cyclic_every_index_once),
      cmocka_unit_test(test_cyclic_empty_and_too_large),
      cmocka_unit_test(test_cyclic_largest),
      cmocka_unit_test(test_cyclic_seeds_differ),
      cmocka_unit_test(test_source_seq),
      cmocka_unit_test(test_parse_shard),
      cmocka_unit_test(test_init_rejects),
      cmocka_unit_test(test_shards_partition_the_source),
      cmocka_unit_test(test_window_zero_is_source_order),
      cmocka_unit_test(test_window_one_walks_blocks),
      cmocka_unit_test(test_blocks_every_address_once),
      cmocka_unit_test(test_deterministic),
      cmocka_unit_test(test_blocks_are_interleaved),
      cmocka_unit_test(test_picks_weigh_what_units_hold),
      cmocka_unit_test(test_lines_shuffled_within_window),
      cmocka_unit_test(test_long_items),
      cmocka_unit_test(test_memory_does_not_grow),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
