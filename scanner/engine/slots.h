/* scanner/engine/slots.h: connection slots, and the user_data that names them.
 *
 * Every ring operation carries a 64-bit user_data naming its op, the slot it
 * belongs to and the slot's generation (liburing's proxy example does the
 * same). A slot's generation changes each time it is released, so a
 * completion that arrives after its slot moved on to another probe (a
 * cancelled timeout, a late close) is recognised by slot_lookup and dropped
 * instead of touching the new probe. The pool is a fixed slab sized at start:
 * taking and releasing a slot never allocates. */
#ifndef SCANNER_SLOTS_H
#define SCANNER_SLOTS_H

#include <stdint.h>

#define SLOT_NONE UINT32_MAX
/* Slot indexes fit in 24 bits of user_data. */
#define SLOT_MAX (1u << 24)

/* user_data: op in bits 0-7, index in bits 8-31, generation in bits 32-63. */
static inline uint64_t ud_pack(unsigned op, uint32_t index, uint32_t gen) {
  return (uint64_t)gen << 32 | (uint64_t)(index & (SLOT_MAX - 1)) << 8 | (op & 0xff);
}
static inline unsigned ud_op(uint64_t ud) { return (unsigned)(ud & 0xff); }
static inline uint32_t ud_index(uint64_t ud) { return (uint32_t)(ud >> 8) & (SLOT_MAX - 1); }
static inline uint32_t ud_gen(uint64_t ud) { return (uint32_t)(ud >> 32); }

struct slot_pool {
  uint32_t n;
  uint32_t nfree;
  uint32_t *free;     /* stack of free indexes */
  uint32_t *gen;      /* current generation of each slot */
  uint8_t *busy;
};

/* slot_pool_init makes a pool of |n| slots (1 <= n <= SLOT_MAX). Returns 1,
 * or 0 when |n| is out of range or memory is short. */
int slot_pool_init(struct slot_pool *p, uint32_t n);
void slot_pool_free(struct slot_pool *p);

/* slot_take returns a free slot (lowest indexes first, so a small scan keeps
 * to a few cache lines), or SLOT_NONE when all are busy. */
uint32_t slot_take(struct slot_pool *p);

/* slot_release frees busy slot |i| and moves it to a new generation, so that
 * user_data made for the old one no longer matches. */
void slot_release(struct slot_pool *p, uint32_t i);

/* slot_ud makes the user_data for |op| on busy slot |i|. */
uint64_t slot_ud(const struct slot_pool *p, unsigned op, uint32_t i);

/* slot_lookup returns 1 and the slot in |*out| when |ud| names the current
 * generation of a busy slot; 0 for a late completion. */
int slot_lookup(const struct slot_pool *p, uint64_t ud, uint32_t *out);

#endif /* SCANNER_SLOTS_H */
