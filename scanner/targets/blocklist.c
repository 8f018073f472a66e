/* scanner/targets/blocklist.c: address sets as sorted, disjoint ranges, and the scan
 * policy on top.
 *
 * A CIDR prefix is a closed range of addresses [first, last], numbers of 32
 * bits (IPv4) or 128 bits (IPv6, two uint64_t halves). While a set is built,
 * addr_set_add appends ranges as they come; addr_set_finish sorts them by
 * their first address and merges every range that overlaps or touches the
 * one before, so the ranges end up disjoint and increasing, and an address is
 * in the set exactly when the last range starting at or below it also ends at
 * or above it. addr_set_contains finds that range by bisection, a branch-free
 * loop over an array with nothing to allocate.
 *
 * Bisecting 100,000 ranges takes 17 dependent loads, and past the first ten
 * or so each is a cache miss. So finish also builds an index on the top bits
 * of the address (as many bits as the ranges need, at most 16): index[h]
 * counts the ranges that start below bucket h, so the range an address in
 * bucket h falls in is one of those starting inside the bucket or the last
 * one before it, and the bisection starts from a handful of ranges instead
 * of all of them. On 100,000 random prefixes that cuts the time of a lookup
 * to between a third and a half (bench/RESULTS.md has the figures, against
 * the cost of making up the address to look up). A list crowded into one
 * bucket (all of it in 2001::/16, say) is bisected as if there were no
 * index, at the cost of one more load. A binary prefix trie would take as
 * many steps as there are prefix bits on the path, each a dependent load
 * from a node somewhere in the heap; the sorted array is smaller (8 or 32
 * bytes a range, fewer ranges after merging) and needs no pointers.
 *
 * IPv4-mapped IPv6 prefixes are stored as the IPv4 prefixes they map, and an
 * IPv4-mapped address is looked up in the IPv4 ranges as well as the IPv6
 * ones, so "192.0.2.0/24" and "::ffff:192.0.2.0/120" mean the same thing
 * both ways (blocklist.h says why).
 *
 * The file loader reads through a fixed line buffer, so a file without
 * newlines cannot make it allocate; it parses each entry strictly (one entry
 * a line, no host bits, no leading zeros) and stops at the first bad line,
 * taking back what it had added from that file. */
#include "scanner/targets/blocklist.h"

#include "scanner/base/span.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* How much of a token an error message quotes. */
static const int kQuoteMax = 64;

/* ---- ranges ---- */

static uint32_t load_be32(const uint8_t *p) {
  return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | (uint32_t)p[3];
}

static uint64_t load_be64(const uint8_t *p) {
  return (uint64_t)load_be32(p) << 32 | load_be32(p + 4);
}

/* mask32 has the top |bits| bits set (0-32). */
static uint32_t mask32(unsigned bits) { return bits == 0 ? 0 : ~(uint32_t)0 << (32 - bits); }

static uint64_t mask64(unsigned bits) { return bits == 0 ? 0 : ~(uint64_t)0 << (64 - bits); }

static struct addr_range4 range4_of(uint32_t addr, unsigned prefix) {
  uint32_t mask = mask32(prefix);
  struct addr_range4 r = {addr & mask, (addr & mask) | ~mask};
  return r;
}

static struct addr_range6 range6_of(struct addr_u128 addr, unsigned prefix) {
  uint64_t mask_hi = mask64(prefix > 64 ? 64 : prefix);
  uint64_t mask_lo = mask64(prefix > 64 ? prefix - 64 : 0);
  struct addr_range6 r = {
      {addr.hi & mask_hi, addr.lo & mask_lo},
      {(addr.hi & mask_hi) | ~mask_hi, (addr.lo & mask_lo) | ~mask_lo},
  };
  return r;
}

/* u128_le is a <= b, with bitwise operators so that the bisection's
 * comparison compiles to no branch. */
static int u128_le(struct addr_u128 a, struct addr_u128 b) {
  return (a.hi < b.hi) | ((a.hi == b.hi) & (a.lo <= b.lo));
}

static int u128_is_max(struct addr_u128 a) { return a.hi == UINT64_MAX && a.lo == UINT64_MAX; }

static struct addr_u128 u128_inc(struct addr_u128 a) {
  a.lo++;
  a.hi += a.lo == 0;
  return a;
}

/* mapped_v4 is true when the IPv6 address |b| (16 bytes) is ::ffff:a.b.c.d
 * (RFC 4291 section 2.5.5.2); |*out| is then a.b.c.d. */
static int mapped_v4(const uint8_t *b, uint32_t *out) {
  static const uint8_t kMappedPrefix[12] = {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff};
  if (memcmp(b, kMappedPrefix, sizeof(kMappedPrefix)) != 0) {
    return 0;
  }
  *out = load_be32(b + 12);
  return 1;
}

int addr_set_init(struct addr_set *s) {
  memset(s, 0, sizeof(*s));
  return 1;
}

/* grow makes room for one more element in |arr| (|*cap| elements of |size|
 * bytes, |n| used) and returns it, moved perhaps, or NULL when it cannot. */
static void *grow(void *arr, size_t *cap, size_t n, size_t size) {
  if (n < *cap) {
    return arr;
  }
  if (n >= ADDR_SET_MAX_ENTRIES) {
    return NULL;
  }
  size_t next = *cap == 0 ? 64 : *cap * 2;
  if (next > ADDR_SET_MAX_ENTRIES) {
    next = ADDR_SET_MAX_ENTRIES;
  }
  void *p = realloc(arr, next * size);
  if (p != NULL) {
    *cap = next;
  }
  return p;
}

static int add4(struct addr_set *s, uint32_t addr, unsigned prefix) {
  struct addr_range4 *v4 = grow(s->v4, &s->cap4, s->n4, sizeof(*s->v4));
  if (v4 == NULL) {
    return 0;
  }
  s->v4 = v4;
  s->v4[s->n4++] = range4_of(addr, prefix);
  s->added++;
  return 1;
}

int addr_set_add(struct addr_set *s, int family, const void *addr, unsigned prefix) {
  if (s->finished) {
    return 0;
  }
  const uint8_t *b = addr;
  if (family == AF_INET) {
    return prefix <= 32 && add4(s, load_be32(b), prefix);
  }
  if (family != AF_INET6 || prefix > 128) {
    return 0;
  }
  uint32_t v4;
  if (prefix >= 96 && mapped_v4(b, &v4)) {
    return add4(s, v4, prefix - 96);
  }
  struct addr_range6 *v6 = grow(s->v6, &s->cap6, s->n6, sizeof(*s->v6));
  if (v6 == NULL) {
    return 0;
  }
  s->v6 = v6;
  struct addr_u128 a = {load_be64(b), load_be64(b + 8)};
  s->v6[s->n6++] = range6_of(a, prefix);
  s->added++;
  return 1;
}

static int cmp_range4(const void *a, const void *b) {
  uint32_t x = ((const struct addr_range4 *)a)->first;
  uint32_t y = ((const struct addr_range4 *)b)->first;
  return (x > y) - (x < y);
}

static int cmp_range6(const void *a, const void *b) {
  struct addr_u128 x = ((const struct addr_range6 *)a)->first;
  struct addr_u128 y = ((const struct addr_range6 *)b)->first;
  if (x.hi != y.hi) {
    return x.hi < y.hi ? -1 : 1;
  }
  return (x.lo > y.lo) - (x.lo < y.lo);
}

/* merge4 turns sorted ranges into disjoint ones, in place, and returns how
 * many are left. A range that starts right after the previous one ends joins
 * it, so 10.0.0.0/25 and 10.0.0.128/25 become one range. */
static size_t merge4(struct addr_range4 *r, size_t n) {
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    if (out > 0 && (r[out - 1].last == UINT32_MAX || r[i].first <= r[out - 1].last + 1)) {
      if (r[i].last > r[out - 1].last) {
        r[out - 1].last = r[i].last;
      }
      continue;
    }
    r[out++] = r[i];
  }
  return out;
}

static size_t merge6(struct addr_range6 *r, size_t n) {
  size_t out = 0;
  for (size_t i = 0; i < n; i++) {
    if (out > 0 &&
        (u128_is_max(r[out - 1].last) || u128_le(r[i].first, u128_inc(r[out - 1].last)))) {
      if (!u128_le(r[i].last, r[out - 1].last)) {
        r[out - 1].last = r[i].last;
      }
      continue;
    }
    r[out++] = r[i];
  }
  return out;
}

/* shrink gives back the unused tail of |arr| and returns it; when realloc
 * fails, keeping the larger block is harmless. */
static void *shrink(void *arr, size_t *cap, size_t n, size_t size) {
  if (n == 0) {
    free(arr);
    *cap = 0;
    return NULL;
  }
  void *p = realloc(arr, n * size);
  if (p == NULL) {
    return arr;
  }
  *cap = n;
  return p;
}

/* index_bits is how many top bits to index |n| ranges by: enough for
 * about one range a bucket, at least 1 (so shifts stay below the width) and
 * at most 16 (a 256 KiB index). */
static unsigned index_bits(size_t n) {
  unsigned bits = 1;
  while (bits < 16 && ((size_t)1 << bits) < n) {
    bits++;
  }
  return bits;
}

/* build_index4 fills index[h] (2^bits + 1 entries) with the number of
 * ranges whose first address's top |bits| bits are below h; the last entry
 * is n. */
static uint32_t *build_index4(const struct addr_range4 *r, size_t n, unsigned bits) {
  size_t size = ((size_t)1 << bits) + 1;
  uint32_t *index = malloc(size * sizeof(*index));
  if (index == NULL) {
    return NULL;
  }
  size_t j = 0;
  for (size_t h = 0; h < size; h++) {
    while (j < n && (r[j].first >> (32 - bits)) < h) {
      j++;
    }
    index[h] = (uint32_t)j;
  }
  return index;
}

static uint32_t *build_index6(const struct addr_range6 *r, size_t n, unsigned bits) {
  size_t size = ((size_t)1 << bits) + 1;
  uint32_t *index = malloc(size * sizeof(*index));
  if (index == NULL) {
    return NULL;
  }
  size_t j = 0;
  for (size_t h = 0; h < size; h++) {
    while (j < n && (r[j].first.hi >> (64 - bits)) < h) {
      j++;
    }
    index[h] = (uint32_t)j;
  }
  return index;
}

int addr_set_finish(struct addr_set *s) {
  if (s->finished) {
    return 0;
  }
  if (s->n4 > 0) {
    qsort(s->v4, s->n4, sizeof(*s->v4), cmp_range4);
  }
  if (s->n6 > 0) {
    qsort(s->v6, s->n6, sizeof(*s->v6), cmp_range6);
  }
  s->n4 = merge4(s->v4, s->n4);
  s->n6 = merge6(s->v6, s->n6);
  s->v4 = shrink(s->v4, &s->cap4, s->n4, sizeof(*s->v4));
  s->v6 = shrink(s->v6, &s->cap6, s->n6, sizeof(*s->v6));
  s->index_bits4 = index_bits(s->n4);
  s->index_bits6 = index_bits(s->n6);
  s->index4 = build_index4(s->v4, s->n4, s->index_bits4);
  s->index6 = build_index6(s->v6, s->n6, s->index_bits6);
  if (s->index4 == NULL || s->index6 == NULL) {
    /* Sorted and merged is still a valid unfinished set; finish can be
     * tried again, and free frees it. */
    free(s->index4);
    free(s->index6);
    s->index4 = s->index6 = NULL;
    return 0;
  }
  s->finished = 1;
  return 1;
}

/* find4 bisects for the last range whose first address is at most |a| and
 * says whether it reaches |a|. The loop keeps base[0].first <= a and the
 * answer within base[0..n); it halves n with a conditional move rather than
 * a branch, which a random address would mispredict half the time. */
static int find4(const struct addr_range4 *r, size_t n, uint32_t a) {
  if (n == 0 || a < r[0].first) {
    return 0;
  }
  const struct addr_range4 *base = r;
  while (n > 1) {
    size_t half = n / 2;
    base = base[half].first <= a ? base + half : base;
    n -= half;
  }
  return a <= base->last;
}

static int find6(const struct addr_range6 *r, size_t n, struct addr_u128 a) {
  if (n == 0 || !u128_le(r[0].first, a)) {
    return 0;
  }
  const struct addr_range6 *base = r;
  while (n > 1) {
    size_t half = n / 2;
    base = u128_le(base[half].first, a) ? base + half : base;
    n -= half;
  }
  return u128_le(a, base->last);
}

/* contains4 looks |a| up through the index: ranges index[h] to
 * index[h + 1] - 1 start in |a|'s bucket, and the one before them (if any)
 * starts below it and may reach into it; no other range can hold |a|. */
static int contains4(const struct addr_set *s, uint32_t a) {
  uint32_t h = a >> (32 - s->index_bits4);
  uint32_t from = s->index4[h], to = s->index4[h + 1];
  if (to == 0) {
    return 0; /* nothing starts at or below |a|, and |v4| may be NULL */
  }
  from -= from > 0;
  return find4(s->v4 + from, to - from, a);
}

int addr_set_contains(const struct addr_set *s, int family, const void *addr) {
  if (!s->finished) {
    fprintf(stderr, "addr_set_contains: the set is not finished (addr_set_finish)\n");
    abort();
  }
  const uint8_t *b = addr;
  uint32_t v4;
  if (family == AF_INET) {
    return contains4(s, load_be32(b));
  }
  if (family != AF_INET6) {
    return 0;
  }
  if (mapped_v4(b, &v4) && contains4(s, v4)) {
    return 1;
  }
  struct addr_u128 a = {load_be64(b), load_be64(b + 8)};
  /* As contains4, on the top bits of the high half. */
  uint64_t h = a.hi >> (64 - s->index_bits6);
  uint32_t from = s->index6[h], to = s->index6[h + 1];
  if (to == 0) {
    return 0;
  }
  from -= from > 0;
  return find6(s->v6 + from, to - from, a);
}

size_t addr_set_count(const struct addr_set *s) { return s->added; }

size_t addr_set_ranges(const struct addr_set *s) { return s->n4 + s->n6; }

void addr_set_free(struct addr_set *s) {
  free(s->v4);
  free(s->v6);
  free(s->index4);
  free(s->index6);
  addr_set_init(s);
}

/* ---- loading a file ---- */


/* span_find returns the index of the first |c| in |s|, or s.len. */
static size_t span_find(struct span s, char c) {
  const char *p = memchr(s.p, c, s.len);
  return p == NULL ? s.len : (size_t)(p - s.p);
}

static int qlen(struct span s) { return s.len > (size_t)kQuoteMax ? kQuoteMax : (int)s.len; }

/* The state of loading one file: where we are, for messages. */
struct loader {
  const char *path;
  unsigned long line_no;
  char *err;
  size_t errcap;
};

static int fail(struct loader *ld, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* fail writes "path:line: message" (or "path: message" before the first
 * line) and returns 0, so callers can `return fail(...)`. */
static int fail(struct loader *ld, const char *fmt, ...) {
  if (ld->errcap == 0) {
    return 0;
  }
  int n = ld->line_no > 0 ? snprintf(ld->err, ld->errcap, "%s:%lu: ", ld->path, ld->line_no)
                          : snprintf(ld->err, ld->errcap, "%s: ", ld->path);
  if (n >= 0 && (size_t)n < ld->errcap) {
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(ld->err + n, ld->errcap - (size_t)n, fmt, ap);
    va_end(ap);
  }
  return 0;
}

/* parse_prefix reads the digits after '/' in |tok|. */
static int parse_prefix(struct loader *ld, struct span tok, struct span s, int v6,
                        unsigned *out) {
  unsigned max = v6 ? 128 : 32;
  if (s.len == 0) {
    return fail(ld, "missing prefix length in '%.*s'", qlen(tok), tok.p);
  }
  if (!span_is_all_digits(s)) {
    return fail(ld, "invalid prefix length '%.*s' in '%.*s'", qlen(s), s.p, qlen(tok), tok.p);
  }
  unsigned v = 0;
  for (size_t i = 0; i < s.len && v <= max; i++) {
    v = v * 10 + (unsigned)(s.p[i] - '0');
  }
  if (v > max) {
    return fail(ld, "prefix /%.*s out of range for %s (0-%u) in '%.*s'", qlen(s), s.p,
                v6 ? "IPv6" : "IPv4", max, qlen(tok), tok.p);
  }
  *out = v;
  return 1;
}

/* check_host_bits refuses a base with bits set past the prefix, naming the
 * base the user probably meant: "10.0.0.1/8" is either a typo for
 * 10.0.0.0/8 or for 10.0.0.1/32, and a blocklist must not guess which. */
static int check_host_bits(struct loader *ld, struct span written, int family, uint8_t *addr,
                           unsigned prefix) {
  unsigned total = family == AF_INET ? 32 : 128;
  int set = 0;
  for (unsigned bit = prefix; bit < total; bit++) {
    uint8_t m = (uint8_t)(0x80u >> (bit % 8));
    if (addr[bit / 8] & m) {
      set = 1;
      addr[bit / 8] &= (uint8_t)~m;
    }
  }
  if (!set) {
    return 1;
  }
  char base[INET6_ADDRSTRLEN];
  inet_ntop(family, addr, base, sizeof(base));
  return fail(ld, "%.*s/%u has host bits set; did you mean %s/%u?", qlen(written), written.p,
              prefix, base, prefix);
}

/* parse_entry parses one entry token into a family, address and prefix. */
static int parse_entry(struct loader *ld, struct span tok, int *out_family, uint8_t out[16],
                       unsigned *out_prefix) {
  size_t slash = span_find(tok, '/');
  struct span addr = span_sub(tok, 0, slash);
  int v6 = span_find(addr, ':') != addr.len;
  if (v6) {
    if (!span_parse_ipv6(addr, out)) {
      /* "192.0.2.1:443": one colon after an IPv4 address is a port. */
      size_t colon = span_find(addr, ':');
      struct span after_colon = span_sub(addr, colon + 1, addr.len);
      uint8_t scratch[4];
      if (span_find(after_colon, ':') == after_colon.len &&
          span_parse_ipv4(span_sub(addr, 0, colon), scratch)) {
        return fail(ld, "'%.*s' is not an address (a blocklist takes no ports)", qlen(tok),
                    tok.p);
      }
      return fail(ld, "invalid IPv6 address '%.*s'", qlen(addr), addr.p);
    }
  } else if (span_is_digits_and_dots(addr)) {
    if (!span_parse_ipv4(addr, out)) {
      return fail(ld, "invalid IPv4 address '%.*s'", qlen(addr), addr.p);
    }
  } else {
    return fail(ld, "'%.*s' is not an IPv4 or IPv6 address or block", qlen(tok), tok.p);
  }
  *out_family = v6 ? AF_INET6 : AF_INET;
  *out_prefix = v6 ? 128 : 32;
  if (slash == tok.len) {
    return 1;
  }
  if (!parse_prefix(ld, tok, span_sub(tok, slash + 1, tok.len), v6, out_prefix)) {
    return 0;
  }
  return check_host_bits(ld, addr, *out_family, out, *out_prefix);
}

/* load_line adds the entry of one line, if it has one. */
static int load_line(struct loader *ld, struct addr_set *s, struct span line) {
  if (memchr(line.p, '\0', line.len) != NULL) {
    return fail(ld, "NUL byte in line");
  }
  line.len = span_find(line, '#');
  struct span tok = span_next_token(&line);
  if (tok.len == 0) {
    return 1;
  }
  struct span extra = span_next_token(&line);
  if (extra.len > 0) {
    return fail(ld, "unexpected '%.*s' after '%.*s' (one entry per line)", qlen(extra), extra.p,
                qlen(tok), tok.p);
  }
  int family;
  uint8_t addr[16];
  unsigned prefix;
  if (!parse_entry(ld, tok, &family, addr, &prefix)) {
    return 0;
  }
  if (!addr_set_add(s, family, addr, prefix)) {
    if (s->n4 >= ADDR_SET_MAX_ENTRIES || s->n6 >= ADDR_SET_MAX_ENTRIES) {
      return fail(ld, "too many entries (at most %u per address family)",
                  (unsigned)ADDR_SET_MAX_ENTRIES);
    }
    return fail(ld, "out of memory");
  }
  return 1;
}

/* read_line reads the next line into |buf| (ADDR_SET_LINE_MAX + 1 bytes)
 * without its newline. Returns 1 with |*out_len| and |*out_too_long| (the
 * line did not fit; the rest of it was skipped), or 0 at the end of the file
 * or on a read error. A line's bytes are kept whatever they are, NULs
 * included, so the caller can refuse them. */
static int read_line(FILE *f, char *buf, size_t *out_len, int *out_too_long) {
  size_t len = 0;
  int too_long = 0;
  int c;
  int any = 0;
  while ((c = getc(f)) != EOF) {
    any = 1;
    if (c == '\n') {
      break;
    }
    if (len < ADDR_SET_LINE_MAX) {
      buf[len++] = (char)c;
    } else {
      too_long = 1;
    }
  }
  if (!any || ferror(f)) {
    return 0; /* a line cut short by a read error is not parsed */
  }
  *out_len = len;
  *out_too_long = too_long;
  return 1;
}

int addr_set_load_file(struct addr_set *s, const char *path, char *err, size_t errcap) {
  struct loader ld = {path, 0, err, errcap};
  if (errcap > 0) {
    err[0] = '\0';
  }
  if (s->finished) {
    return fail(&ld, "the set is already finished");
  }
  FILE *f = fopen(path, "r");
  if (f == NULL) {
    return fail(&ld, "%s", strerror(errno));
  }
  /* Taken back on failure, so a half-loaded list is never used. */
  size_t n4 = s->n4, n6 = s->n6, added = s->added;
  char buf[ADDR_SET_LINE_MAX + 1];
  size_t len;
  int too_long;
  int ok = 1;
  while (ok && read_line(f, buf, &len, &too_long)) {
    ld.line_no++;
    if (too_long) {
      ok = fail(&ld, "line longer than %d bytes", ADDR_SET_LINE_MAX);
      break;
    }
    struct span line = {buf, len};
    ok = load_line(&ld, s, line);
  }
  if (ok && ferror(f)) {
    int e = errno;
    ld.line_no = 0;
    ok = fail(&ld, "read error: %s", strerror(e));
  }
  fclose(f);
  if (!ok) {
    s->n4 = n4;
    s->n6 = n6;
    s->added = added;
  }
  return ok;
}

/* ---- the scan policy ---- */

/* One built-in reserved block (blocklist.h has the list with its RFCs). */
struct reserved_range {
  int family;
  uint8_t addr[16];
  unsigned prefix;
  const char *why;
};

static const struct reserved_range kReserved[] = {
    {AF_INET, {0, 0, 0, 0}, 8, "reserved range 0.0.0.0/8"},
    {AF_INET, {224, 0, 0, 0}, 4, "reserved range 224.0.0.0/4"},
    {AF_INET, {240, 0, 0, 0}, 4, "reserved range 240.0.0.0/4"},
    {AF_INET6, {0}, 128, "reserved range ::/128"},
    {AF_INET6, {0xff}, 8, "reserved range ff00::/8"},
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0, 0, 0}, 104,
     "reserved range ::ffff:0.0.0.0/104"},
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 224, 0, 0, 0}, 100,
     "reserved range ::ffff:224.0.0.0/100"},
    {AF_INET6, {0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 240, 0, 0, 0}, 100,
     "reserved range ::ffff:240.0.0.0/100"},
};

/* prefix_match compares the first |bits| bits of |a| and |b|. */
static int prefix_match(const uint8_t *a, const uint8_t *b, unsigned bits) {
  unsigned whole = bits / 8;
  if (memcmp(a, b, whole) != 0) {
    return 0;
  }
  if (bits % 8 == 0) {
    return 1;
  }
  uint8_t m = (uint8_t)(0xffu << (8 - bits % 8));
  return (a[whole] & m) == (b[whole] & m);
}

int policy_reserved(int family, const void *addr, const char **out_why) {
  for (size_t i = 0; i < sizeof(kReserved) / sizeof(kReserved[0]); i++) {
    const struct reserved_range *r = &kReserved[i];
    if (r->family == family && prefix_match(addr, r->addr, r->prefix)) {
      if (out_why != NULL) {
        *out_why = r->why;
      }
      return 1;
    }
  }
  return 0;
}

int scan_policy_load(struct scan_policy *p, const char *block_path, const char *allow_path,
                     char *err, size_t errcap) {
  memset(p, 0, sizeof(*p));
  addr_set_init(&p->block);
  addr_set_init(&p->allow);
  if (errcap > 0) {
    err[0] = '\0';
  }
  if (block_path != NULL && !addr_set_load_file(&p->block, block_path, err, errcap)) {
    scan_policy_free(p);
    return 0;
  }
  if (allow_path != NULL) {
    if (!addr_set_load_file(&p->allow, allow_path, err, errcap)) {
      scan_policy_free(p);
      return 0;
    }
    if (addr_set_count(&p->allow) == 0) {
      if (errcap > 0) {
        snprintf(err, errcap, "%s: the allowlist has no entries, so it would block every target",
                 allow_path);
      }
      scan_policy_free(p);
      return 0;
    }
    p->has_allow = 1;
  }
  if (!addr_set_finish(&p->block) || !addr_set_finish(&p->allow)) {
    if (errcap > 0) {
      snprintf(err, errcap, "out of memory for the blocklist and allowlist indexes");
    }
    scan_policy_free(p);
    return 0;
  }
  return 1;
}

enum policy_verdict policy_check(const struct scan_policy *p, int family, const void *addr,
                                 const char **out_why) {
  const char *why = NULL;
  enum policy_verdict v = POLICY_ALLOW;
  if (family != AF_INET && family != AF_INET6) {
    why = "unknown address family";
    v = POLICY_BAD_FAMILY;
  } else if (policy_reserved(family, addr, &why)) {
    v = POLICY_RESERVED;
  } else if (addr_set_contains(&p->block, family, addr)) {
    why = "blocklist";
    v = POLICY_BLOCKLISTED;
  } else if (p->has_allow && !addr_set_contains(&p->allow, family, addr)) {
    why = "not in allowlist";
    v = POLICY_NOT_ALLOWED;
  }
  if (out_why != NULL) {
    *out_why = why;
  }
  return v;
}

void scan_policy_free(struct scan_policy *p) {
  addr_set_free(&p->block);
  addr_set_free(&p->allow);
  p->has_allow = 0;
}
