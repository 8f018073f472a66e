/* scanner/engine/inflight.c: the in-flight tables (see inflight.h). */
#include "scanner/engine/inflight.h"

#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

void inflight_key_of(const struct sockaddr *sa, unsigned prefix4, unsigned prefix6,
                     struct inflight_key *out) {
  memset(out, 0, sizeof(*out));
  unsigned bits;
  if (sa->sa_family == AF_INET) {
    out->b[0] = 4;
    memcpy(out->b + 1, &((const struct sockaddr_in *)sa)->sin_addr, 4);
    bits = prefix4 > 32 ? 32 : prefix4;
  } else {
    out->b[0] = 6;
    memcpy(out->b + 1, &((const struct sockaddr_in6 *)sa)->sin6_addr, 16);
    bits = prefix6 > 128 ? 128 : prefix6;
  }
  for (unsigned i = 0; i < 16; i++) {
    unsigned at = 8 * i;
    if (at >= bits) {
      out->b[1 + i] = 0;
    } else if (at + 8 > bits) {
      out->b[1 + i] &= (uint8_t)(0xff << (8 - (bits - at)));
    }
  }
}

/* A key is read as two 64-bit words and a byte: the table is looked up
 * several times per connection, and a byte-at-a-time hash over 17 bytes
 * was the engine's busiest function of its own (bench/RESULTS.md). */
static uint32_t hash_key(const struct inflight_key *k) {
  uint64_t a, b;
  memcpy(&a, k->b, 8);
  memcpy(&b, k->b + 8, 8);
  uint64_t h = (a ^ 0x9e3779b97f4a7c15u) * 0xbf58476d1ce4e5b9u;
  h = (h ^ b ^ ((uint64_t)k->b[16] << 56)) * 0x94d049bb133111ebu;
  h ^= h >> 31;
  return (uint32_t)(h ^ (h >> 32));
}

static int same_key(const struct inflight_key *x, const struct inflight_key *y) {
  uint64_t x0, x1, y0, y1;
  memcpy(&x0, x->b, 8);
  memcpy(&x1, x->b + 8, 8);
  memcpy(&y0, y->b, 8);
  memcpy(&y1, y->b + 8, 8);
  return x0 == y0 && x1 == y1 && x->b[16] == y->b[16];
}

int inflight_init(struct inflight_table *t, uint32_t max_keys) {
  uint32_t cap = 16;
  while (cap < 2 * (uint64_t)max_keys && cap < (1u << 30)) {
    cap <<= 1;
  }
  t->slots = calloc(cap, sizeof(*t->slots));
  t->mask = cap - 1;
  t->size = 0;
  return t->slots != NULL;
}

void inflight_free(struct inflight_table *t) {
  free(t->slots);
  t->slots = NULL;
}

/* find_slot returns where |key| is, or the empty slot where it would go. */
static uint32_t find_slot(const struct inflight_table *t, const struct inflight_key *key) {
  uint32_t i = hash_key(key) & t->mask;
  while (t->slots[i].used && !same_key(&t->slots[i].key, key)) {
    i = (i + 1) & t->mask;
  }
  return i;
}

int inflight_ref(struct inflight_table *t, const struct inflight_key *key) {
  uint32_t i = find_slot(t, key);
  struct inflight_entry *e = &t->slots[i];
  if (!e->used) {
    if (t->size + 1 > (t->mask + 1) / 2) {
      return 0;
    }
    e->used = 1;
    e->key = *key;
    e->refs = 0;
    e->count = 0;
    t->size++;
  }
  e->refs++;
  return 1;
}

struct inflight_entry *inflight_find(struct inflight_table *t, const struct inflight_key *key) {
  uint32_t i = find_slot(t, key);
  return t->slots[i].used ? &t->slots[i] : NULL;
}

void inflight_unref(struct inflight_table *t, const struct inflight_key *key) {
  uint32_t i = find_slot(t, key);
  if (!t->slots[i].used || --t->slots[i].refs > 0) {
    return;
  }
  /* Remove by shifting back the entries of the probe run behind |i| that
   * may live there, so no lookup ever needs a tombstone. */
  t->slots[i].used = 0;
  t->size--;
  uint32_t hole = i;
  for (uint32_t j = (i + 1) & t->mask; t->slots[j].used; j = (j + 1) & t->mask) {
    uint32_t home = hash_key(&t->slots[j].key) & t->mask;
    /* The entry at j may move to the hole unless its home lies cyclically
     * in (hole, j]. */
    int stays = hole <= j ? (home > hole && home <= j) : (home > hole || home <= j);
    if (!stays) {
      t->slots[hole] = t->slots[j];
      t->slots[j].used = 0;
      hole = j;
    }
  }
}
