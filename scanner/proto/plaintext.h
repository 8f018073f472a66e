/* scanner/proto/plaintext.h: the byte driver under every plaintext exchange around TLS.
 *
 * The dialogue before TLS (starttls.h) and the application check after it
 * (appcheck.h) read a server the same way, and this is that way. Bytes go
 * one at a time into one bounded buffer that holds the whole message being
 * read (every line of a multi-line reply, an LDAP message, XMPP stream
 * features), so one bound covers lines and messages. The server's first
 * bytes are judged against the protocol's shape as they arrive: a server
 * that speaks something else is told at the end of its first line (kept
 * for the report, up to PT_KEEP_MAX), or at once when a byte no text starts
 * with comes (a TLS record, an alert), since no line end will follow. Lines
 * split at LF, bare or after CR. The feed stops at the byte that decides a
 * step, so a stream fed whole or in any pieces gives the same steps and
 * nothing after a decision is consumed. A protocol machine brings the judge
 * of its first bytes and what it does with each byte; the driver does no
 * I/O, allocates nothing and has no globals. */
#ifndef SCANNER_PLAINTEXT_H
#define SCANNER_PLAINTEXT_H

#include <stddef.h>
#include <stdint.h>

/* The longest message held; a longer one is the machine's "too long", never
 * a buffer overrun. RFC 5321 4.5.3.1.5 allows 512-byte SMTP reply lines;
 * IMAP greetings with capability lists and XMPP stream features run to a
 * few hundred bytes. */
#define PT_BUF_MAX 2048
/* What a report keeps of a server's message, and so how much of a foreign
 * first line is read before it is judged. */
#define PT_KEEP_MAX 256

/* How far the first bytes of an answer go toward a protocol's shape. */
enum prefix {
  PREFIX_MORE, /* plausible, not decided yet */
  PREFIX_OK,   /* this protocol's shape: judge no further */
  PREFIX_BAD,  /* something else */
};

/* How far a message of a binary protocol has come (LDAP's BER, PostgreSQL's
 * length): its own length says when it is all there. */
enum pt_frame {
  PT_FRAME_MORE,     /* not all there yet */
  PT_FRAME_DONE,     /* the bytes read are exactly one message */
  PT_FRAME_BAD,      /* a length the protocol does not allow */
  PT_FRAME_TOO_LONG, /* its length says it is longer than the bound */
};

/* A judge of a protocol's first bytes: |len| >= 1 bytes so far. */
typedef enum prefix (*pt_judge)(const uint8_t *buf, size_t len);

/* The message being read. Fields are private to plaintext.c but for
 * reading: buf[0..len) is what has been taken of the current message. */
struct pt_reader {
  unsigned flags;
  size_t len;
  uint8_t buf[PT_BUF_MAX];
};

/* What became of one byte. */
enum pt_take {
  PT_TAKEN,        /* appended: the protocol's handler reads it at buf[len - 1] */
  PT_FOREIGN_MORE, /* appended to a foreign first line being kept: feed on */
  PT_FOREIGN,      /* appended, and the first bytes are not the protocol: buf holds
                      the first line (with its LF, or cut at PT_KEEP_MAX), or the
                      first bytes up to the binary one that decided */
  PT_FULL,         /* not taken: the buffer is full, the message too long */
};

/* pt_start readies |r| for a server's first bytes: empty, to be judged. */
void pt_start(struct pt_reader *r);

/* pt_clear empties |r| for the next message; the judgement of the first
 * bytes, once made, stays made. */
void pt_clear(struct pt_reader *r);

/* pt_drop_front drops the first |n| bytes of the message (n <= len): what
 * is kept starts later. */
void pt_drop_front(struct pt_reader *r, size_t n);

/* pt_take appends |b|, judging it with |judge| while the first bytes are in
 * question. */
enum pt_take pt_take(struct pt_reader *r, pt_judge judge, uint8_t b);

/* pt_foreign reports whether a foreign first line is being kept (for the
 * close: what came is still foreign). */
int pt_foreign(const struct pt_reader *r);

/* pt_line_end reports whether the newest byte is an LF, and then sets
 * |*line| and |*len| to the line it ends, without its CRLF or LF. */
int pt_line_end(const struct pt_reader *r, const uint8_t **line, size_t *len);

/* pt_line_len returns the length of the first line of the |len| bytes at
 * |text| without its CRLF or LF, or |len| when no line has ended. */
size_t pt_line_len(const uint8_t *text, size_t len);

/* pt_keep copies at most PT_KEEP_MAX of the |len| bytes at |text| to |out|
 * (a message kept for the report) and returns how many it copied. */
size_t pt_keep(uint8_t out[PT_KEEP_MAX], const uint8_t *text, size_t len);

/* pt_feed offers |len| bytes at |data| to |take| one at a time and stops
 * after the first byte for which it returns nonzero: a machine's step other
 * than "need more", which every machine numbers 0. Sets |*consumed| to the
 * bytes offered; returns that step, or 0 when all were taken. */
int pt_feed(const uint8_t *data, size_t len, int (*take)(void *machine, uint8_t b),
            void *machine, size_t *consumed);

/* pt_literal_prefix judges the start of an answer against |literal|, byte
 * for byte (case matters). */
enum prefix pt_literal_prefix(const uint8_t *b, size_t len, const char *literal);

/* pt_first_byte_in judges an answer by its first byte alone: one of the
 * bytes of |allowed| (binary protocols: a BER SEQUENCE, a message type). */
enum prefix pt_first_byte_in(const uint8_t *b, size_t len, const char *allowed);

/* pt_is_binary: a byte no text answer starts with (a TLS record's 0x16, an
 * alert's 0x15): such an answer will not send a line end either. */
int pt_is_binary(uint8_t c);

#endif /* SCANNER_PLAINTEXT_H */
