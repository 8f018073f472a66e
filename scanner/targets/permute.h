/* scanner/targets/permute.h: the order of a scan, and its shards.
 *
 * A permuter wraps a target_source and hands out the same items in a
 * pseudo-random order drawn from a seed, keeping only the items of one shard
 * out of N. CIDR blocks are walked in the order of a cyclic group (struct
 * cyclic), so a block of any size costs a few words; lines, and blocks as
 * wholes, are shuffled inside a bounded window, so a file of any length costs
 * the same memory. The order depends on nothing but the input, the seed, the
 * shard, the shard count and the window size: the same arguments give the
 * same order, item for item, which --resume relies on. The argument for
 * "every target once" and for the shards' split is at the top of permute.c. */
#ifndef SCANNER_PERMUTE_H
#define SCANNER_PERMUTE_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/targets/target.h"

/* A walk over the indexes 0..n-1, each once, in the order of the
 * multiplicative group modulo a prime above n. */
struct cyclic {
  uint64_t prime;      /* the smallest prime above the power of two >= n */
  uint64_t generator;  /* of the whole group, drawn from the seed */
  uint64_t current;    /* the next group element to look at */
  uint64_t n;
  uint64_t left;       /* indexes not yet handed out */
};

/* Largest walk: an IPv4 /0 or an IPv6 /96 (TARGET_CIDR_MAX_HOST_BITS). */
#define CYCLIC_MAX_N ((uint64_t)1 << 32)

/* cyclic_init prepares a walk over 0..|n|-1 (|n| <= CYCLIC_MAX_N; 0 is an
 * empty walk) whose generator and starting point come from |seed|. Returns 1,
 * or 0 if |n| is too large. */
int cyclic_init(struct cyclic *c, uint64_t n, uint64_t seed);
/* cyclic_next writes the next index to |*out| and returns 1, or returns 0
 * once all |n| have been handed out. */
int cyclic_next(struct cyclic *c, uint64_t *out);

/* Window sizes, in units (a line, or a whole CIDR block). */
#define PERMUTER_WINDOW_DEFAULT 16384
#define PERMUTER_WINDOW_MAX ((size_t)1 << 24)

struct permuter_unit;

/* The state of one permuter. All of its memory is allocated by
 * permuter_init and depends on the window only (permuter_memory); fields are
 * private. */
struct permuter {
  struct target_source *src;
  uint64_t seed;
  uint64_t shard_key;         /* mixed from the seed, for permuter_shard_of */
  uint32_t shard, nshards;
  size_t window;              /* 0: source order */
  uint64_t rng;               /* splitmix64 state for picking in the window */
  struct permuter_unit *units;
  uint64_t *fenwick;          /* weights of the units, 1-based Fenwick tree */
  size_t fenwick_top;         /* the largest power of two <= window */
  uint64_t total_weight;
  uint32_t *free_units;       /* stack of empty unit indexes */
  size_t nfree_units;
  char *big;                  /* cells for items too long to fit in a unit */
  uint32_t *free_big;
  size_t nbig, nfree_big;
  size_t bytes;               /* allocated by permuter_init */
  int source_done;
  int have_pending;           /* |pending| was read but has no unit yet */
  uint64_t pending_hosts;     /* > 0: |pending| is a block of this many */
  struct target_item pending;
};

/* permuter_init prepares |p| over |src| (which the caller keeps alive and
 * frees) for shard |shard| of |nshards| (0 <= shard < nshards), order drawn
 * from |seed|. |window| is how many units are shuffled together (at most
 * PERMUTER_WINDOW_MAX); 1 keeps lines in file order but still walks each
 * block in cyclic order; 0 is the source order itself, blocks in increasing
 * address order (--no-shuffle), still filtered by shard. Returns 1, or 0
 * if an argument is out of range or memory is short. */
int permuter_init(struct permuter *p, struct target_source *src, uint64_t seed, uint32_t shard,
                  uint32_t nshards, size_t window);
/* permuter_next fills |out| with the next item of this shard, invalid lines
 * included. Returns 1, or 0 at the end. It never allocates and never fails
 * otherwise. */
int permuter_next(struct permuter *p, struct target_item *out);
/* permuter_free releases what permuter_init allocated (not the source). */
void permuter_free(struct permuter *p);

/* permuter_memory returns the bytes |p| holds: the struct and its arrays.
 * It is fixed at permuter_init. */
size_t permuter_memory(const struct permuter *p);

/* permuter_shard_of returns the shard (0..|nshards|-1) that the item with
 * sequence number |seq| (target_item.seq) belongs to under |seed|. */
uint32_t permuter_shard_of(uint64_t seed, uint64_t seq, uint32_t nshards);

/* permuter_parse_shard reads "I/N" (decimal, 0 <= I < N < 2^32, as a
 * Kubernetes completion index and a completion count). Returns 1 and
 * |*out_shard|, |*out_nshards|, or 0. */
int permuter_parse_shard(const char *text, uint32_t *out_shard, uint32_t *out_nshards);

#endif /* SCANNER_PERMUTE_H */
