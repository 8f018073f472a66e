/* scanner/targets/permute.c: a seeded, sharded order over a stream of targets, and
 * why it hands out every target of its shard exactly once.
 *
 * Blocks. A CIDR block of n = 2^k addresses (k <= 32) is walked in the
 * multiplicative group modulo p, the smallest prime above 2^k (kGroups).
 * That group, {1, ..., p-1} under multiplication mod p, is cyclic of order
 * p-1; a generator g has order exactly p-1, so the elements x0*g^i for
 * i = 0..p-2 are pairwise distinct (x0*g^i = x0*g^j gives g^(i-j) = 1, so
 * p-1 divides i-j) and, being p-1 of them, are the whole group, each once.
 * Because p > n, the numbers 1..n are all in the group: the walk hands out
 * x-1 for each element x <= n, steps over the p-1-n others (at most 42 for a
 * block of any size), and stops when n indexes have come out, before the
 * cycle would come round again. So every address of the block comes out
 * exactly once, and the walk's state is five numbers whatever the block's
 * size. A candidate g is a generator when g^((p-1)/q) != 1 for every prime q
 * dividing p-1: were its order d a proper divisor of p-1, some prime q would
 * divide (p-1)/d, and then g^((p-1)/q) = 1. The candidate and the start x0
 * are drawn from the seed and the block's sequence number, so a block is
 * walked in the same order in every shard and every run with that seed.
 *
 * The window. The permuter reads the source in its order and keeps at most W
 * units, a unit being one line (valid or not, its item packed small) or one
 * block (its line and its walk). The source yields each line once and, for a
 * block, its first address, after which the permuter takes the block over by
 * moving the source's CIDR cursor (target.h) to the block's end, and the
 * source goes on to the next line. A unit enters the window once and leaves it
 * when it has been handed out (a line) or its walk has ended (a block);
 * permuter_next returns 0 only when the source has ended and the window is
 * empty. So each item of the shard comes out exactly once. Each step picks a
 * unit at random with a weight equal to what it still holds, which makes the
 * window at every step a uniformly shuffled deck: the addresses of a large
 * block are spread over the whole time it stays in the window, and three /24
 * blocks interleave as a random permutation of their 768 addresses would.
 * Lines are mixed only with the W units around them; memory is W units, never
 * the input's length. Weights sit in a Fenwick tree (O(log W) a pick), random
 * numbers come from splitmix64, and nothing is allocated after
 * permuter_init, so the order depends only on the input and the arguments.
 *
 * Shards. An item's seq is fixed by where it was written (target.h), and the
 * item belongs to shard permuter_shard_of(seed, seq, N), a mix of the two
 * reduced to 0..N-1. That is a function of the item: each item has exactly
 * one shard, so the shards are disjoint and together they are the whole
 * input, on machines that never talk to each other, as long as each reads the
 * same input with the same seed and N. Every shard reads the whole input
 * (parsing a line or stepping a walk, never probing) and keeps its own items:
 * lines are filtered as they are read, blocks as they are walked, so a block
 * unit weighs its remaining addresses and a line unit weighs N, both counted
 * in Nths of an expected item of this shard. */
#include "scanner/targets/permute.h"

#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/targets/packed.h"

/* The group for blocks of up to 2^k addresses: the smallest prime above 2^k
 * and the distinct prime factors of prime - 1 (permute_test checks the primes,
 * and factors p - 1 itself to check the generators these factors let in). */
struct group {
  uint64_t prime;
  uint32_t factors[5];
  unsigned nfactors;
};

static const struct group kGroups[33] = {
    {2, {0}, 0},
    {3, {2}, 1},
    {5, {2}, 1},
    {11, {2, 5}, 2},
    {17, {2}, 1},
    {37, {2, 3}, 2},
    {67, {2, 3, 11}, 3},
    {131, {2, 5, 13}, 3},
    {257, {2}, 1},
    {521, {2, 5, 13}, 3},
    {1031, {2, 5, 103}, 3},
    {2053, {2, 3, 19}, 3},
    {4099, {2, 3, 683}, 3},
    {8209, {2, 3, 19}, 3},
    {16411, {2, 3, 5, 547}, 4},
    {32771, {2, 5, 29, 113}, 4},
    {65537, {2}, 1},
    {131101, {2, 3, 5, 19, 23}, 5},
    {262147, {2, 3, 43691}, 3},
    {524309, {2, 23, 41, 139}, 4},
    {1048583, {2, 29, 101, 179}, 4},
    {2097169, {2, 3, 43691}, 3},
    {4194319, {2, 3, 699053}, 3},
    {8388617, {2, 17, 61681}, 3},
    {16777259, {2, 23, 103, 3541}, 4},
    {33554467, {2, 3, 11, 56489}, 4},
    {67108879, {2, 3, 1242757}, 3},
    {134217757, {2, 3, 1242757}, 3},
    {268435459, {2, 3, 19, 87211}, 4},
    {536870923, {2, 3, 7, 23, 555767}, 5},
    {1073741827, {2, 3, 59, 3033169}, 4},
    {2147483659, {2, 3, 149, 2402107}, 4},
    {4294967311, {2, 3, 5, 131, 364289}, 5},
};

/* Salts, so the seed feeds three independent streams. */
static const uint64_t kShardSalt = 0x5348415244u;  /* "SHARD" */
static const uint64_t kBlockSalt = 0x424c4f434bu;  /* "BLOCK" */
static const uint64_t kPickSalt = 0x5049434bu;     /* "PICK" */

/* mix64 is splitmix64's finalizer: a bijection of 64-bit words in which each
 * input bit flips about half of the output bits. */
static uint64_t mix64(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
  return z ^ (z >> 31);
}

static uint64_t splitmix_next(uint64_t *state) {
  *state += 0x9e3779b97f4a7c15u;
  return mix64(*state);
}

/* below returns a uniform number in 0..|n|-1 (|n| >= 1), rejecting the few
 * words that would make x % n favour small values. */
static uint64_t below(uint64_t *state, uint64_t n) {
  uint64_t threshold = (0 - n) % n;
  for (;;) {
    uint64_t x = splitmix_next(state);
    if (x >= threshold) {
      return x % n;
    }
  }
}

/* ---- the cyclic walk ------------------------------------------------------ */

/* mulmod is a*b mod p for a, b < p <= 4294967311: 64 bits suffice up to
 * p = 2^32, the /0 group needs 128. */
static uint64_t mulmod(uint64_t a, uint64_t b, uint64_t p) {
  if (p <= ((uint64_t)1 << 32)) {
    return a * b % p;
  }
  return (uint64_t)((unsigned __int128)a * b % p);
}

static uint64_t powmod(uint64_t base, uint64_t exp, uint64_t p) {
  uint64_t r = 1;
  while (exp > 0) {
    if (exp & 1) {
      r = mulmod(r, base, p);
    }
    base = mulmod(base, base, p);
    exp >>= 1;
  }
  return r;
}

static int is_generator(uint64_t g, const struct group *grp) {
  for (unsigned i = 0; i < grp->nfactors; i++) {
    if (powmod(g, (grp->prime - 1) / grp->factors[i], grp->prime) == 1) {
      return 0;
    }
  }
  return 1;
}

int cyclic_init(struct cyclic *c, uint64_t n, uint64_t seed) {
  memset(c, 0, sizeof(*c));
  if (n > CYCLIC_MAX_N) {
    return 0;
  }
  c->n = n;
  c->left = n;
  if (n == 0) {
    return 1;
  }
  unsigned k = 0;
  while (((uint64_t)1 << k) < n) {
    k++;
  }
  const struct group *grp = &kGroups[k];
  c->prime = grp->prime;
  uint64_t rng = mix64(seed);
  if (c->prime == 2) {
    c->generator = 1; /* the group {1} */
    c->current = 1;
    return 1;
  }
  do {
    c->generator = 2 + below(&rng, c->prime - 2);
  } while (!is_generator(c->generator, grp));
  c->current = 1 + below(&rng, c->prime - 1);
  return 1;
}

int cyclic_next(struct cyclic *c, uint64_t *out) {
  if (c->left == 0) {
    return 0;
  }
  for (;;) {
    uint64_t x = c->current;
    c->current = mulmod(x, c->generator, c->prime);
    if (x <= c->n) {
      c->left--;
      *out = x - 1;
      return 1;
    }
  }
}

/* ---- shards ---------------------------------------------------------------- */

static uint64_t shard_key(uint64_t seed) { return mix64(seed ^ kShardSalt); }

/* shard_from_key maps the mixed word onto 0..nshards-1 by its high bits
 * (multiply and shift), which a good mix makes uniform. */
static uint32_t shard_from_key(uint64_t key, uint64_t seq, uint32_t nshards) {
  uint64_t h = mix64(seq ^ key);
  return (uint32_t)(((unsigned __int128)h * nshards) >> 64);
}

uint32_t permuter_shard_of(uint64_t seed, uint64_t seq, uint32_t nshards) {
  if (nshards <= 1) {
    return 0;
  }
  return shard_from_key(shard_key(seed), seq, nshards);
}

static int mine(const struct permuter *p, uint64_t seq) {
  return p->nshards == 1 || shard_from_key(p->shard_key, seq, p->nshards) == p->shard;
}

int permuter_parse_shard(const char *text, uint32_t *out_shard, uint32_t *out_nshards) {
  uint64_t v[2] = {0, 0};
  const char *s = text;
  for (int part = 0; part < 2; part++) {
    const char *start = s;
    while (*s >= '0' && *s <= '9') {
      v[part] = v[part] * 10 + (uint64_t)(*s - '0');
      if (v[part] > UINT32_MAX) {
        return 0;
      }
      s++;
    }
    if (s == start || *s != (part == 0 ? '/' : '\0')) {
      return 0;
    }
    s++;
  }
  if (v[1] == 0 || v[0] >= v[1]) {
    return 0;
  }
  *out_shard = (uint32_t)v[0];
  *out_nshards = (uint32_t)v[1];
  return 1;
}

/* ---- units: items packed small ------------------------------------------- */

/* Bytes of strings a unit holds in place; chosen so that a unit is 256
 * bytes and that an address or a name with an sni= and a label= fits.
 * Longer items take a big cell. */
#define INLINE_BYTES 144
#define NO_BIG UINT32_MAX

/* One line, or one block and its walk. */
struct permuter_unit {
  struct packed_item item;
  struct cyclic walk;          /* blocks only */
  uint32_t big;                /* the big cell holding the strings, or NO_BIG */
  uint8_t is_block;
  char strings[INLINE_BYTES];
};

static char *unit_bytes(struct permuter *p, struct permuter_unit *u) {
  return u->big == NO_BIG ? u->strings : p->big + (size_t)u->big * PACKED_ITEM_MAX;
}

/* pack stores |it| in |u|. Returns 0, storing nothing, when its strings
 * need a big cell and none is free. */
static int pack(struct permuter *p, struct permuter_unit *u, const struct target_item *it) {
  u->big = NO_BIG;
  if (packed_item_bytes(it) > INLINE_BYTES) {
    if (p->nfree_big == 0) {
      return 0;
    }
    u->big = p->free_big[--p->nfree_big];
  }
  packed_item_pack(&u->item, it, unit_bytes(p, u));
  return 1;
}

static void unpack(struct permuter *p, struct permuter_unit *u, struct target_item *out) {
  packed_item_unpack(&u->item, unit_bytes(p, u), out);
}

/* block_host turns the block's line in |out| into its address number
 * |index|, as target_source does for blocks it expands itself. */
static void block_host(struct target_item *out, uint64_t index) {
  out->seq |= (uint32_t)index;
  target_line_block_host(&out->line, index);
}

/* ---- the window ------------------------------------------------------------ */

/* fenwick_add adds |delta| (modulo 2^64, so a negative change is its two's
 * complement) to the weight of unit |i|. */
static void fenwick_add(struct permuter *p, size_t i, uint64_t delta) {
  for (size_t j = i + 1; j <= p->window; j += j & (0 - j)) {
    p->fenwick[j] += delta;
  }
  p->total_weight += delta;
}

/* fenwick_find returns the unit whose span of cumulative weight holds |r|
 * (r < total_weight). */
static size_t fenwick_find(const struct permuter *p, uint64_t r) {
  size_t pos = 0;
  for (size_t step = p->fenwick_top; step > 0; step >>= 1) {
    if (pos + step <= p->window && p->fenwick[pos + step] <= r) {
      pos += step;
      r -= p->fenwick[pos];
    }
  }
  return pos;
}

static uint64_t unit_weight(const struct permuter *p, const struct permuter_unit *u) {
  return u->is_block ? u->walk.left : p->nshards;
}

static void release(struct permuter *p, size_t i) {
  struct permuter_unit *u = &p->units[i];
  fenwick_add(p, i, 0 - unit_weight(p, u));
  if (u->big != NO_BIG) {
    p->free_big[p->nfree_big++] = u->big;
  }
  p->free_units[p->nfree_units++] = (uint32_t)i;
}

/* read_pending reads the source until an item for the window: a line of
 * this shard, or a block, which the source is told to skip. Returns 0 at
 * the end of the source. */
static int read_pending(struct permuter *p) {
  struct target_source *src = p->src;
  while (!p->source_done) {
    if (!target_source_next(src, &p->pending)) {
      p->source_done = 1;
      return 0;
    }
    p->pending_hosts = 0;
    if (src->in_cidr && src->cidr_next == 1 && src->cidr_count > 1) {
      /* |pending| is the first address of a block the source has just
       * begun: take the whole block, and move the source's cursor past it. */
      p->pending.line = src->cidr;
      p->pending_hosts = src->cidr_count;
      src->cidr_next = src->cidr_count;
    } else if (!mine(p, p->pending.seq)) {
      continue;
    }
    p->have_pending = 1;
    return 1;
  }
  return 0;
}

/* place_pending puts |pending| into a free unit. Returns 0 when it needs a
 * big cell and none is free; it waits, in order, for one. */
static int place_pending(struct permuter *p) {
  uint32_t i = p->free_units[p->nfree_units - 1];
  struct permuter_unit *u = &p->units[i];
  if (!pack(p, u, &p->pending)) {
    return 0;
  }
  p->nfree_units--;
  u->is_block = p->pending_hosts > 0;
  if (u->is_block) {
    /* A source block has at most 2^TARGET_CIDR_MAX_HOST_BITS = CYCLIC_MAX_N
     * addresses, so the walk always starts. */
    cyclic_init(&u->walk, p->pending_hosts, mix64(p->seed ^ kBlockSalt) ^ u->item.seq);
  }
  fenwick_add(p, i, unit_weight(p, u));
  p->have_pending = 0;
  return 1;
}

static void fill(struct permuter *p) {
  while (p->nfree_units > 0) {
    if (!p->have_pending && !read_pending(p)) {
      return;
    }
    if (!place_pending(p)) {
      return;
    }
  }
}

int permuter_init(struct permuter *p, struct target_source *src, uint64_t seed, uint32_t shard,
                  uint32_t nshards, size_t window) {
  memset(p, 0, sizeof(*p));
  if (src == NULL || nshards == 0 || shard >= nshards || window > PERMUTER_WINDOW_MAX) {
    return 0;
  }
  p->src = src;
  p->seed = seed;
  p->shard_key = shard_key(seed);
  p->shard = shard;
  p->nshards = nshards;
  p->window = window;
  p->rng = mix64(mix64(seed ^ kPickSalt) + shard);
  if (window == 0) {
    return 1;
  }
  p->nbig = window / 16 + 1;
  p->units = calloc(window, sizeof(*p->units));
  p->fenwick = calloc(window + 1, sizeof(*p->fenwick));
  p->free_units = calloc(window, sizeof(*p->free_units));
  p->big = calloc(p->nbig, PACKED_ITEM_MAX);
  p->free_big = calloc(p->nbig, sizeof(*p->free_big));
  if (p->units == NULL || p->fenwick == NULL || p->free_units == NULL || p->big == NULL ||
      p->free_big == NULL) {
    permuter_free(p);
    return 0;
  }
  p->bytes = window * sizeof(*p->units) + (window + 1) * sizeof(*p->fenwick) +
             window * sizeof(*p->free_units) + p->nbig * PACKED_ITEM_MAX +
             p->nbig * sizeof(*p->free_big);
  /* Stacks popped from the end: unit 0 and cell 0 are taken first. */
  for (size_t i = 0; i < window; i++) {
    p->free_units[i] = (uint32_t)(window - 1 - i);
  }
  p->nfree_units = window;
  for (size_t i = 0; i < p->nbig; i++) {
    p->free_big[i] = (uint32_t)(p->nbig - 1 - i);
  }
  p->nfree_big = p->nbig;
  p->fenwick_top = 1;
  while (p->fenwick_top * 2 <= window) {
    p->fenwick_top *= 2;
  }
  return 1;
}

int permuter_next(struct permuter *p, struct target_item *out) {
  if (p->window == 0) {
    while (target_source_next(p->src, out)) {
      if (mine(p, out->seq)) {
        return 1;
      }
    }
    return 0;
  }
  for (;;) {
    fill(p);
    if (p->total_weight == 0) {
      return 0;
    }
    size_t i = fenwick_find(p, below(&p->rng, p->total_weight));
    struct permuter_unit *u = &p->units[i];
    if (!u->is_block) {
      unpack(p, u, out);
      release(p, i);
      return 1;
    }
    uint64_t steps = 0, index = 0;
    int found = 0;
    while (!found && cyclic_next(&u->walk, &index)) {
      steps++;
      found = mine(p, u->item.seq | index);
    }
    /* The walk has moved on by |steps| addresses; its weight follows. */
    fenwick_add(p, i, 0 - steps);
    if (found) {
      unpack(p, u, out);
      block_host(out, index);
    }
    if (u->walk.left == 0) {
      release(p, i);
    }
    if (found) {
      return 1;
    }
  }
}

void permuter_free(struct permuter *p) {
  free(p->units);
  free(p->fenwick);
  free(p->free_units);
  free(p->big);
  free(p->free_big);
  p->units = NULL;
  p->fenwick = NULL;
  p->free_units = NULL;
  p->big = NULL;
  p->free_big = NULL;
  p->bytes = 0;
}

size_t permuter_memory(const struct permuter *p) { return sizeof(*p) + p->bytes; }
