/* scanner/targets/packed.h: a target item kept small.
 *
 * A struct target_item is about 1.4 KB, most of it room for the longest
 * strings a line may have; a typical line uses a few dozen bytes. Whoever
 * holds many items at once (the permuter's shuffle window, the engine's
 * targets in flight) keeps the numbers in a packed_item and the strings
 * (text, host, sni, label, error) back to back, each followed by a NUL so
 * that they can be used in place, in storage of its own choosing: inline
 * when they fit, a bigger cell when not. */
#ifndef SCANNER_TARGETS_PACKED_H
#define SCANNER_TARGETS_PACKED_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/targets/target.h"

/* The strings of an item, in the order they are stored. */
enum packed_string {
  PACKED_TEXT,
  PACKED_HOST,
  PACKED_SNI,
  PACKED_LABEL,
  PACKED_ERROR,
  PACKED_STRINGS,
};

/* The largest storage an item's strings can need. */
#define PACKED_ITEM_MAX \
  (TARGET_TEXT_MAX + 2 * TARGET_HOST_MAX + TARGET_LABEL_MAX + TARGET_ERROR_MAX)

struct packed_item {
  uint64_t seq;
  unsigned long line_no, arg_no;
  uint8_t addr[16];             /* target_line.addr */
  uint16_t port;
  uint16_t at[PACKED_STRINGS];  /* where each string starts in the storage */
  uint16_t bytes;               /* storage used, NULs included */
  uint8_t type, kind, prefix, proto, sni_given;
};

/* packed_item_bytes returns the storage |it|'s strings need (at most
 * PACKED_ITEM_MAX). */
size_t packed_item_bytes(const struct target_item *it);

/* packed_item_pack keeps |it|'s numbers in |p| and writes its strings to
 * |dst|, which has room for packed_item_bytes(it). */
void packed_item_pack(struct packed_item *p, const struct target_item *it, char *dst);

/* packed_item_unpack rebuilds the item from |p| and its storage |src|. */
void packed_item_unpack(const struct packed_item *p, const char *src, struct target_item *out);

/* packed_item_string returns string |which| in the storage |src|. */
static inline const char *packed_item_string(const struct packed_item *p, const char *src,
                                             enum packed_string which) {
  return src + p->at[which];
}

#endif /* SCANNER_TARGETS_PACKED_H */
