/* scanner/engine/inflight.h: connections in flight per address, or per network.
 *
 * The engine keeps at most --per-host connections in flight to one address
 * and at most --per-network to one network (a /24 or a /48 by default). Each
 * is an open-addressing hash table keyed by the address (or the network,
 * the address with its host bits cleared), holding how many targets refer to
 * the key and how many connections are open to it. An entry exists while a
 * target refers to it; when the last reference goes it is removed by
 * backward shifting (Knuth 6.4, algorithm R), so the table never fills with
 * tombstones and a lookup stays a few probes however long the scan runs.
 * Entries move on removal, so callers look a key up each time rather than
 * keeping a pointer. Sized once at start: no allocation afterwards. */
#ifndef SCANNER_INFLIGHT_H
#define SCANNER_INFLIGHT_H

#include <stdint.h>
#include <sys/socket.h>

/* A key: address family (4 or 6) and 16 address bytes. */
struct inflight_key {
  uint8_t b[17];
};

/* inflight_key_of makes the key of |sa|'s address (AF_INET or AF_INET6) with only the first
 * |prefix4| (IPv4) or |prefix6| (IPv6) bits kept: 32/128 for hosts. */
void inflight_key_of(const struct sockaddr *sa, unsigned prefix4, unsigned prefix6,
                     struct inflight_key *out);

struct inflight_entry {
  struct inflight_key key;
  uint8_t used;
  uint32_t refs;    /* targets bound to the key */
  uint32_t count;   /* connections in flight to it */
};

struct inflight_table {
  struct inflight_entry *slots;
  uint32_t mask;    /* capacity - 1 (a power of two) */
  uint32_t size;    /* entries in use */
};

/* inflight_init sizes the table for |max_keys| keys at once (at most half
 * full). Returns 1, or 0 when memory is short. */
int inflight_init(struct inflight_table *t, uint32_t max_keys);
void inflight_free(struct inflight_table *t);

/* inflight_ref adds a reference to |key|, creating its entry. Returns 1, or
 * 0 if the table is full (more keys than it was sized for). */
int inflight_ref(struct inflight_table *t, const struct inflight_key *key);
/* inflight_unref drops a reference; the entry goes with its last one. */
void inflight_unref(struct inflight_table *t, const struct inflight_key *key);
/* inflight_find returns the entry of |key|, or NULL. Valid until the next
 * inflight_unref. */
struct inflight_entry *inflight_find(struct inflight_table *t, const struct inflight_key *key);

#endif /* SCANNER_INFLIGHT_H */
