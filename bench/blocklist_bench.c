/* bench/blocklist_bench.c: the cost of asking a large blocklist about one
 * address.
 *
 *   blocklist_bench [run] [N]      ns per lookup and the ratio to the floor
 *   blocklist_bench lookup|floor N one loop only, for callgrind
 *
 * The set holds 100,000 prefixes, half IPv4 (/16 to /32) and half IPv6
 * (/32 to /64 in 2000::/3, one in ten a /128), made from a fixed seed.
 * Prefix k is a pure function of k, so a lookup can aim inside any prefix
 * without keeping a list: half the lookups are an address inside a random
 * prefix (a hit), half are uniformly random (IPv4 over the whole space, IPv6
 * over 2000::/3; mostly misses), IPv4 and IPv6 alternating at random.
 *
 * The floor is the same loop with the lookup replaced by a trivial
 * comparison on the address through a call the compiler cannot inline: what
 * the engine pays anyway to have an address in hand. `run` times both loops
 * over the same addresses, three times each, alternating, and keeps each
 * one's fastest, so the ratio of the two is measured in one run on one
 * machine state. bench/blocklist_bench.sh runs `lookup` and `floor` under
 * callgrind at two values of N and divides the difference in instructions,
 * which is repeatable where nanoseconds are not. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>

#include "scanner/base/clock.h"
#include "scanner/targets/blocklist.h"

enum { kPrefixes = 100000 };
static const uint64_t kSeed = 0x7115;        /* the set */
static const uint64_t kLookupSeed = 0xb10c;  /* the addresses asked about */

/* mix is splitmix64's finaliser: a good 64-bit hash of |x|. */
static uint64_t mix(uint64_t x) {
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9u;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebu;
  return x ^ (x >> 31);
}

static uint64_t next_random(uint64_t *state) { return mix(*state += 0x9e3779b97f4a7c15u); }

static void store_be64(uint8_t *p, uint64_t v) {
  for (int i = 0; i < 8; i++) {
    p[i] = (uint8_t)(v >> (56 - 8 * i));
  }
}

/* One address or prefix, as numbers: |v4|, or |hi| and |lo| for IPv6. */
struct num {
  int family;
  unsigned prefix;
  uint64_t hi, lo;
  uint32_t v4;
};

/* One address or prefix, as addr_set_add and addr_set_contains take it. */
struct addr {
  int family;
  unsigned prefix;
  uint8_t b[16];
};

static uint64_t mask64(unsigned bits) { return bits == 0 ? 0 : ~(uint64_t)0 << (64 - bits); }

/* 2000::/3, where the IPv6 prefixes and addresses are. */
static uint64_t global_unicast(uint64_t hi) {
  return (hi & ~(UINT64_C(7) << 61)) | UINT64_C(1) << 61;
}

/* prefix_k is prefix number |k| of the set, host bits included (the set
 * masks them). */
static struct num prefix_k(uint64_t k) {
  uint64_t r = mix(kSeed ^ (k * 0x9e3779b97f4a7c15u));
  uint64_t lo = mix(r);
  uint64_t len = mix(lo);
  struct num a;
  memset(&a, 0, sizeof(a));
  if (k % 2 == 0) {
    a.family = AF_INET;
    a.prefix = 16 + (unsigned)(len % 17);
    a.v4 = (uint32_t)lo;
  } else {
    a.family = AF_INET6;
    a.prefix = len % 10 == 0 ? 128 : 32 + (unsigned)((len >> 8) % 33);
    a.hi = global_unicast(r);
    a.lo = lo;
  }
  return a;
}

static struct addr to_addr(struct num n) {
  struct addr a;
  a.family = n.family;
  a.prefix = n.prefix;
  if (n.family == AF_INET) {
    store_be64(a.b, (uint64_t)n.v4 << 32);
  } else {
    store_be64(a.b, n.hi);
    store_be64(a.b + 8, n.lo);
  }
  return a;
}

/* next_lookup makes the next address to ask about (see the file comment). */
static struct addr next_lookup(uint64_t *rng) {
  uint64_t r = next_random(rng);
  uint64_t x = next_random(rng);
  struct num a;
  if (r & 1) {
    /* A random prefix, with random host bits: still inside it. */
    a = prefix_k((r >> 8) % kPrefixes);
    if (a.family == AF_INET) {
      uint32_t mask = ~(uint32_t)0 << (32 - a.prefix); /* prefix is 16-32 */
      a.v4 = (a.v4 & mask) | ((uint32_t)x & ~mask);
    } else {
      uint64_t mask_hi = mask64(a.prefix > 64 ? 64 : a.prefix);
      uint64_t mask_lo = mask64(a.prefix > 64 ? a.prefix - 64 : 0);
      a.hi = (a.hi & mask_hi) | (x & ~mask_hi);
      a.lo = (a.lo & mask_lo) | (mix(x) & ~mask_lo);
    }
  } else if (r & 2) {
    a.family = AF_INET;
    a.v4 = (uint32_t)x;
  } else {
    a.family = AF_INET6;
    a.hi = global_unicast(x);
    a.lo = mix(x);
  }
  return to_addr(a);
}

/* floor_check is the trivial comparison that stands in for the lookup.
 * noinline, because addr_set_contains is a call too (LTO may inline it,
 * which only makes the ratio honest in the lookup's favour). */
__attribute__((noinline)) static int floor_check(int family, const void *addr) {
  const uint8_t *b = addr;
  return family == AF_INET ? b[0] == 10 : b[0] == 0x20 && b[1] == 0x01;
}

/* sink keeps the compiler from deleting the loops. */
static volatile long sink;

static long loop_lookup(const struct addr_set *s, long n) {
  uint64_t rng = kLookupSeed;
  long hits = 0;
  for (long i = 0; i < n; i++) {
    struct addr a = next_lookup(&rng);
    hits += addr_set_contains(s, a.family, a.b);
  }
  return hits;
}

static long loop_floor(long n) {
  uint64_t rng = kLookupSeed;
  long hits = 0;
  for (long i = 0; i < n; i++) {
    struct addr a = next_lookup(&rng);
    hits += floor_check(a.family, a.b);
  }
  return hits;
}

static int build(struct addr_set *s, uint64_t *out_ns) {
  uint64_t start = now_ns();
  addr_set_init(s);
  for (uint64_t k = 0; k < kPrefixes; k++) {
    struct addr a = to_addr(prefix_k(k));
    if (!addr_set_add(s, a.family, a.b, a.prefix)) {
      return 0;
    }
  }
  addr_set_finish(s);
  *out_ns = now_ns() - start;
  return 1;
}

int main(int argc, char **argv) {
  const char *mode = argc > 1 ? argv[1] : "run";
  long n = argc > 2 ? atol(argv[2]) : 10000000;
  if (argc > 3 || n <= 0 ||
      (strcmp(mode, "run") != 0 && strcmp(mode, "lookup") != 0 && strcmp(mode, "floor") != 0)) {
    fprintf(stderr, "usage: blocklist_bench [run|lookup|floor] [N]\n");
    return 1;
  }
  struct addr_set s;
  uint64_t build_ns;
  if (!build(&s, &build_ns)) {
    fprintf(stderr, "blocklist_bench: addr_set_add failed\n");
    return 2;
  }
  if (strcmp(mode, "lookup") == 0) {
    sink = loop_lookup(&s, n);
  } else if (strcmp(mode, "floor") == 0) {
    sink = loop_floor(n);
  } else {
    printf("prefixes %d (IPv4 and IPv6 alternating), ranges %zu, built in %.1f ms\n", kPrefixes,
           addr_set_ranges(&s), (double)build_ns / 1e6);
    uint64_t best_lookup = UINT64_MAX, best_floor = UINT64_MAX;
    long hits = 0;
    for (int rep = 0; rep < 3; rep++) {
      uint64_t t0 = now_ns();
      sink = loop_floor(n);
      uint64_t t1 = now_ns();
      hits = loop_lookup(&s, n);
      uint64_t t2 = now_ns();
      sink = hits;
      best_floor = t1 - t0 < best_floor ? t1 - t0 : best_floor;
      best_lookup = t2 - t1 < best_lookup ? t2 - t1 : best_lookup;
    }
    double floor_ns = (double)best_floor / (double)n;
    double lookup_ns = (double)best_lookup / (double)n;
    printf("lookups %ld, hits %.1f%%\n", n, 100.0 * (double)hits / (double)n);
    printf("floor %.2f ns/lookup, lookup %.2f ns/lookup, ratio %.2f, net %.2f ns/lookup\n",
           floor_ns, lookup_ns, lookup_ns / floor_ns, lookup_ns - floor_ns);
  }
  addr_set_free(&s);
  return 0;
}
