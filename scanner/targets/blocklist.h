/* scanner/targets/blocklist.h: which addresses tlssweep may scan.
 *
 * An addr_set is a set of IPv4 and IPv6 CIDR prefixes that answers "is this
 * address in the set?" with one index load and a short bisection, and no
 * allocation. It is built once at
 * start (addr_set_add, addr_set_load_file), then sealed by addr_set_finish,
 * which sorts the prefixes into disjoint address ranges; from then on it is
 * read-only, and any number of threads may look up concurrently without
 * locks.
 *
 * A scan_policy puts the three rules of what may be scanned together: the
 * built-in reserved ranges (always), the user's blocklist, and the user's
 * allowlist when one is given. policy_check is what the engine asks before
 * every connection; a blocked target becomes a `blocked` record whose error
 * text is the reason policy_check gives.
 *
 * IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, RFC 4291 section 2.5.5.2) are
 * the IPv4 address a.b.c.d: a dual-stack socket connecting to one reaches
 * a.b.c.d over IPv4. So a blocklist entry "192.0.2.0/24" also blocks
 * ::ffff:192.0.2.7, and an entry "::ffff:192.0.2.0/120" is stored as the IPv4
 * block 192.0.2.0/24 and also blocks 192.0.2.7. Plain IPv6 and plain IPv4 are
 * otherwise never confused: "::/0" blocks every IPv6 address (including the
 * mapped ones, which are IPv6 addresses too) but no plain IPv4 address, and
 * "0.0.0.0/0" blocks every IPv4 address and every mapped one, but no other
 * IPv6 address. Other embeddings (IPv4-compatible ::a.b.c.d, NAT64
 * 64:ff9b::/96, 6to4) are plain IPv6 here: their traffic goes to a
 * translator, not straight to the IPv4 host. */
#ifndef SCANNER_BLOCKLIST_H
#define SCANNER_BLOCKLIST_H

#include <stddef.h>
#include <stdint.h>

/* At most this many prefixes per family in one set (a blocklist of the whole
 * routing table is about a million); addr_set_add refuses more. */
#define ADDR_SET_MAX_ENTRIES (1u << 24)

/* The longest line addr_set_load_file accepts, without its line ending. An
 * IPv6 block with a comment fits many times over; a longer line is a wrong
 * file. */
#define ADDR_SET_LINE_MAX 512

/* A closed range of IPv4 addresses, host byte order. */
struct addr_range4 {
  uint32_t first, last;
};

/* A 128-bit IPv6 address as two host-order halves, so ranges compare as
 * numbers. */
struct addr_u128 {
  uint64_t hi, lo;
};

struct addr_range6 {
  struct addr_u128 first, last;
};

/* A set of prefixes. Before addr_set_finish, |v4| and |v6| hold the ranges
 * as added, in any order, overlapping; after it, sorted and disjoint (two
 * ranges that overlap or touch become one), which is what lookups bisect,
 * and |index4| and |index6| say where to start: index[h] is the number of
 * ranges whose first address has its top |index_bits| bits below h
 * (2^index_bits + 1 entries, index_bits 1-16, about as many entries as
 * ranges). The fields are the implementation's; use the functions. */
struct addr_set {
  struct addr_range4 *v4;
  size_t n4, cap4;
  struct addr_range6 *v6;
  size_t n6, cap6;
  uint32_t *index4, *index6;
  unsigned index_bits4, index_bits6;
  size_t added;   /* prefixes added, counted before merging */
  int finished;   /* sealed by addr_set_finish: read-only from here */
};

/* addr_set_init makes |s| an empty, unfinished set. Returns 1. */
int addr_set_init(struct addr_set *s);

/* addr_set_add adds the prefix |addr|/|prefix|. |family| is AF_INET (|addr|
 * points to a struct in_addr, |prefix| 0-32) or AF_INET6 (a struct in6_addr,
 * 0-128); addresses are in network byte order as inet_pton writes them.
 * Host bits in |addr| are ignored (the file loader refuses them; callers that
 * build sets in code are trusted). An IPv6 prefix of /96 or longer inside
 * ::ffff:0:0/96 is stored as the IPv4 prefix it maps. Returns 1, or 0 for an
 * unknown family, a prefix out of range, a finished set, more than
 * ADDR_SET_MAX_ENTRIES or a failed allocation; |s| is unchanged then. */
int addr_set_add(struct addr_set *s, int family, const void *addr, unsigned prefix);

/* addr_set_load_file adds every entry of the file at |path|: one IPv4 or
 * IPv6 address or CIDR block per line (`192.0.2.0/24`, `192.0.2.7`,
 * `2001:db8::/32`, `::1`); `#` starts a comment anywhere on a line; blank
 * lines and whitespace around the entry are ignored; LF and CRLF line endings
 * both work, and the last line needs no newline. IPv4 parts with leading
 * zeros are refused (they would be octal to inet_aton), as are host names,
 * ports, brackets and zone ids.
 *
 * The load stops at the first bad line and fails as a whole: a typo in a
 * blocklist must not silently unblock what the line meant to block, nor
 * block a range nobody asked for. On failure it returns 0, |s| is as it was
 * before the call, and |err| (|errcap| bytes) holds a message naming the file
 * and line, e.g. "block.txt:12: 10.0.0.1/8 has host bits set; did you mean
 * 10.0.0.0/8?". Other messages: invalid IPv4/IPv6 address, not an address
 * (host names), prefix out of range for the family, missing or invalid
 * prefix length, more than one entry on a line, line too long, NUL byte, too
 * many entries, and the file's open or read error. Returns 1 on success;
 * |s| must not be finished. */
int addr_set_load_file(struct addr_set *s, const char *path, char *err, size_t errcap);

/* addr_set_finish sorts and merges the ranges, builds the indexes and seals
 * the set; after it, addr_set_contains works and addr_set_add refuses.
 * Memory: 8 bytes per disjoint IPv4 range and 32 per IPv6 range, plus an
 * index per family of 4 to 8 bytes per range (at most 256 KiB; 12 bytes
 * when the family has no range). Returns 1, or 0 when |s| was already finished or an index
 * could not be allocated (|s| is then still unfinished: free it). */
int addr_set_finish(struct addr_set *s);

/* addr_set_contains returns 1 if the address |addr| of |family| (as for
 * addr_set_add) is in the finished set |s|, else 0 (also for an unknown
 * family). An IPv4-mapped IPv6 address is looked up as its IPv4 address and
 * as itself. Allocates nothing and writes nothing: safe from many threads at
 * once. Calling it on an unfinished set is a programming error and aborts,
 * because answering "not in the set" there would unblock everything. */
int addr_set_contains(const struct addr_set *s, int family, const void *addr);

/* addr_set_count returns how many prefixes were added (lines loaded plus
 * addr_set_add calls), duplicates included. */
size_t addr_set_count(const struct addr_set *s);

/* addr_set_ranges returns how many disjoint ranges lookups search (after
 * addr_set_finish; before it, the prefixes added). */
size_t addr_set_ranges(const struct addr_set *s);

/* addr_set_free releases the set's memory and leaves it empty and
 * unfinished, as addr_set_init does. */
void addr_set_free(struct addr_set *s);

/* The built-in reserved ranges, always blocked, whatever the lists say: the
 * blocks of the IANA special-purpose registries (RFC 6890) where no host can
 * answer a TCP connection:
 *
 *   0.0.0.0/8            "this host on this network" (RFC 1122 section
 *                        3.2.1.3, RFC 6890 section 2.2.2); Linux connects
 *                        0.0.0.0 to the local host
 *   224.0.0.0/4          multicast (RFC 5771); TCP has no multicast
 *   240.0.0.0/4          reserved (RFC 1112 section 4, RFC 6890 section 2.2.2),
 *                        which holds 255.255.255.255, limited broadcast
 *                        (RFC 919, RFC 8190)
 *   ::/128               unspecified (RFC 4291 section 2.5.2)
 *   ff00::/8             multicast (RFC 4291 section 2.7)
 *   ::ffff:0.0.0.0/104   the IPv4-mapped forms of the three IPv4 blocks
 *   ::ffff:224.0.0.0/100 (RFC 4291 section 2.5.5.2)
 *   ::ffff:240.0.0.0/100
 *
 * Loopback (127.0.0.0/8, ::1), private (10.0.0.0/8, 172.16.0.0/12,
 * 192.168.0.0/16, fc00::/7), shared (100.64.0.0/10), link-local
 * (169.254.0.0/16, fe80::/10) and documentation ranges are NOT reserved
 * here: users scan their own networks and our tests use loopback. Put them in
 * a blocklist to keep a scan off them. */

enum policy_verdict {
  POLICY_ALLOW,
  POLICY_RESERVED,     /* in a built-in reserved range */
  POLICY_BLOCKLISTED,  /* in the user's blocklist */
  POLICY_NOT_ALLOWED,  /* an allowlist was given and the address is not in it */
  POLICY_BAD_FAMILY,   /* neither AF_INET nor AF_INET6: refused, never guessed */
};

/* What may be scanned: the blocklist, and the allowlist when |has_allow|.
 * Both sets are finished before policy_check is called; scan_policy_load
 * does all of it. */
struct scan_policy {
  struct addr_set block, allow;
  int has_allow;
};

/* scan_policy_load initialises |p| and loads the blocklist at |block_path|
 * and the allowlist at |allow_path| (either may be NULL: no list), then
 * finishes both sets. An allowlist without a single entry is an error, as it
 * would block every target. Returns 1, or 0 with |err| as
 * addr_set_load_file writes it; |p| is then freed (and safe to free again). */
int scan_policy_load(struct scan_policy *p, const char *block_path, const char *allow_path,
                     char *err, size_t errcap);

/* policy_check says whether the address |addr| of |family| (as for
 * addr_set_add) may be scanned. Checked in order: reserved, blocklist,
 * allowlist; the first that blocks decides. |*out_why| (if |out_why| is not
 * NULL) gets a static string for the record's error text: "reserved range
 * 240.0.0.0/4", "blocklist", "not in allowlist", "unknown address family",
 * or NULL for POLICY_ALLOW. Allocates nothing: safe from many threads. */
enum policy_verdict policy_check(const struct scan_policy *p, int family, const void *addr,
                                 const char **out_why);

/* policy_reserved is the reserved-range check alone: 1 and the range's
 * reason in |*out_why| (if not NULL) when |addr| is reserved, else 0. */
int policy_reserved(int family, const void *addr, const char **out_why);

/* scan_policy_free releases both sets. */
void scan_policy_free(struct scan_policy *p);

#endif /* SCANNER_BLOCKLIST_H */
