/* scanner/targets/target.h: what a user asks tlssweep to scan, one line at a time.
 *
 * A target line is an IPv4 or IPv6 literal, a CIDR block, a host name, any of
 * these with a port, or a URL whose scheme names the protocol
 * (`imaps://mail.example.com`), optionally followed by `key=value` fields
 * (`sni=`, `label=`); `#` starts a comment. Input is streamed: a
 * target_source reads one line at a time from the command line's arguments,
 * a file or standard input, and expands CIDR blocks lazily, so memory does not
 * grow with the number of targets. A bad line becomes an error record naming
 * its line number; the scan goes on. */
#ifndef SCANNER_TARGET_H
#define SCANNER_TARGET_H

#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>

#include "scanner/targets/proto.h"

enum target_kind {
  TARGET_IPV4,
  TARGET_IPV6,
  TARGET_NAME,
  TARGET_CIDR4,
  TARGET_CIDR6,
};

#define TARGET_TEXT_MAX 512  /* a line's target token, as written */
#define TARGET_HOST_MAX 256  /* a DNS name is at most 253 bytes */
#define TARGET_LABEL_MAX 128
#define TARGET_ERROR_MAX 160

/* One parsed target line. */
struct target_line {
  enum target_kind kind;
  char text[TARGET_TEXT_MAX];   /* the target token as written ("imaps://host:995") */
  char host[TARGET_HOST_MAX];   /* name or address literal, no brackets, no port */
  union {
    struct in_addr v4;
    struct in6_addr v6;
  } addr;                       /* for IPv4/IPv6 and the CIDR base (host bits zero) */
  uint8_t prefix;               /* CIDR prefix length */
  uint16_t port;
  enum proto proto;
  int sni_given;                /* an sni= field was present (empty value: no SNI) */
  char sni[TARGET_HOST_MAX];
  char label[TARGET_LABEL_MAX];
};

/* Defaults that apply to bare targets. */
struct target_defaults {
  uint16_t port;       /* -p; 443 when not given */
};

enum target_parse_result {
  TARGET_PARSE_OK,
  TARGET_PARSE_EMPTY,   /* blank line or comment only */
  TARGET_PARSE_ERROR,   /* |err| says what is wrong */
};

/* target_parse_line parses one line (without its newline; |len| bytes, not
 * necessarily NUL-terminated). On TARGET_PARSE_ERROR, |err| (|errcap| bytes)
 * holds a message without the line number, e.g. "port 70000 out of range",
 * and |out->text| the offending token so the error record can name it. */
enum target_parse_result target_parse_line(const char *line, size_t len,
                                           const struct target_defaults *defaults,
                                           struct target_line *out, char *err,
                                           size_t errcap);

/* Largest CIDR expansion accepted (IPv6 /96, IPv4 /0 both fit 2^32). */
#define TARGET_CIDR_MAX_HOST_BITS 32

/* One target to scan, as the source hands it out: a line, and for CIDR
 * lines one address of the block (kind becomes TARGET_IPV4/IPV6 with
 * |addr| set, |text| keeps the block as written and |host| the address).
 * A block yields every address in increasing order, network and broadcast
 * addresses included (as zmap does). */
struct target_item {
  enum {
    TARGET_ITEM_TARGET,  /* |line| is ready to scan */
    TARGET_ITEM_INVALID, /* |line.text| and |error| describe a bad line */
  } type;
  unsigned long line_no;  /* 1-based line in its input; 0 for arguments */
  unsigned long arg_no;   /* 1-based target argument; 0 for input lines */
  /* The item's identity in its input, the same in every run over the same
   * input: (unit << 32) | host, where unit is arg_no for an argument and
   * nargs + line_no for a file line (blank and comment lines count), and
   * host is the address's index in a CIDR block (0 for other lines). Unique
   * while unit < 2^32; the shard of an item is a function of it. */
  uint64_t seq;
  struct target_line line;
  char error[TARGET_ERROR_MAX];
};

/* A streaming source of targets: command-line arguments first, then, if
 * |file| is not NULL, its lines. Holds one line and one CIDR cursor, never
 * more. */
struct target_source {
  char *const *args;
  size_t nargs;
  size_t next_arg;
  FILE *file;
  unsigned long line_no;
  char *buf;              /* getline buffer, owned */
  size_t bufcap;
  struct target_defaults defaults;
  int in_cidr;            /* expanding |cidr| */
  struct target_line cidr;
  uint64_t cidr_next;     /* next host index in the block */
  uint64_t cidr_count;    /* addresses in the block */
  unsigned long cidr_line_no, cidr_arg_no; /* where the block was written */
  /* For progress: the targets the lines read so far hold (a block counts
   * its addresses, an invalid line one), those of the file's lines alone,
   * the bytes of the file read, and the file's size when it is a regular
   * file (0: unknown, a pipe or a terminal). */
  uint64_t items_read, file_items_read;
  uint64_t bytes_read, file_size;
};

/* target_line_block_host turns the block line |l| into its address number
 * |index| (below the block's size): kind becomes the address's, |text| keeps
 * the block as written, |host| the address in text. The host bits of a
 * block's base are zero, so OR-ing the index in is the addition. */
void target_line_block_host(struct target_line *l, uint64_t index);

/* target_source_init prepares |src| over |args| then |file| (either may be
 * empty/NULL). The caller keeps both alive and closes |file|. */
void target_source_init(struct target_source *src, char *const *args, size_t nargs,
                        FILE *file, const struct target_defaults *defaults);
/* target_source_next fills |out| with the next item. Returns 1, or 0 at the
 * end of all input. Errors of reading |file| end the input (the caller can
 * check ferror). Blank and comment lines are skipped. */
int target_source_next(struct target_source *src, struct target_item *out);
/* target_source_estimate estimates how many targets the whole input holds:
 * exactly once it has all been read; before that, the arguments not read
 * yet count one each and a regular file's lines are extrapolated from the
 * share of its bytes read. Returns 1 with |*out_total|, or 0 when there is
 * no telling yet (nothing read, or a pipe not read to its end). */
int target_source_estimate(const struct target_source *src, uint64_t *out_total);

/* target_source_free releases the line buffer. */
void target_source_free(struct target_source *src);

#endif /* SCANNER_TARGET_H */
