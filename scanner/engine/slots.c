/* scanner/engine/slots.c: the slot pool (see slots.h). */
#include "scanner/engine/slots.h"

#include <stdlib.h>

int slot_pool_init(struct slot_pool *p, uint32_t n) {
  p->n = 0;
  p->nfree = 0;
  p->free = NULL;
  p->gen = NULL;
  p->busy = NULL;
  if (n == 0 || n > SLOT_MAX) {
    return 0;
  }
  p->free = malloc(n * sizeof(*p->free));
  p->gen = calloc(n, sizeof(*p->gen));
  p->busy = calloc(n, sizeof(*p->busy));
  if (p->free == NULL || p->gen == NULL || p->busy == NULL) {
    slot_pool_free(p);
    return 0;
  }
  for (uint32_t i = 0; i < n; i++) {
    p->free[i] = n - 1 - i;
  }
  p->n = n;
  p->nfree = n;
  return 1;
}

void slot_pool_free(struct slot_pool *p) {
  free(p->free);
  free(p->gen);
  free(p->busy);
  p->free = NULL;
  p->gen = NULL;
  p->busy = NULL;
  p->n = p->nfree = 0;
}

uint32_t slot_take(struct slot_pool *p) {
  if (p->nfree == 0) {
    return SLOT_NONE;
  }
  uint32_t i = p->free[--p->nfree];
  p->busy[i] = 1;
  return i;
}

void slot_release(struct slot_pool *p, uint32_t i) {
  if (i >= p->n || !p->busy[i]) {
    return;
  }
  p->busy[i] = 0;
  p->gen[i]++;
  p->free[p->nfree++] = i;
}

uint64_t slot_ud(const struct slot_pool *p, unsigned op, uint32_t i) {
  return ud_pack(op, i, p->gen[i]);
}

int slot_lookup(const struct slot_pool *p, uint64_t ud, uint32_t *out) {
  uint32_t i = ud_index(ud);
  if (i >= p->n || !p->busy[i] || p->gen[i] != ud_gen(ud)) {
    return 0;
  }
  *out = i;
  return 1;
}
