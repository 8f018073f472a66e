/* scanner/proto/mailtext.h: the text of the mail protocols, as both the
 * dialogue before TLS (starttls.c) and the check after it (appcheck.c) read
 * and write it.
 *
 * Small pure helpers over bounded byte views: ASCII case folding, whole-word
 * keyword tests (SMTP keywords, IMAP atoms and POP3 status words are
 * case-insensitive), the shape of SMTP/FTP reply lines (RFC 5321 4.2,
 * RFC 959 4.2) and POP3 status lines, and the host-name check that keeps a
 * line break out of any name put into a command. */
#ifndef SCANNER_MAILTEXT_H
#define SCANNER_MAILTEXT_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/plaintext.h"
#include "tlsparse/bytes.h"

/* Longest host name (RFC 1035 with the trailing dot dropped): the one limit
 * on every name tlssweep puts into a command. */
#define MT_HOST_NAME_MAX 253

int mt_is_digit(uint8_t c);
uint8_t mt_lower(uint8_t c);
/* mt_starts_with_ci: |len| bytes at |p| start with |word|, ASCII
 * case-insensitively. */
int mt_starts_with_ci(const uint8_t *p, size_t len, const char *word);
/* mt_word_is: the text starts with |word| as a whole word (the text ends
 * after it, or a space or tab follows). */
int mt_word_is(const uint8_t *p, size_t len, const char *word);
/* mt_contains: |needle| occurs in the |len| bytes at |hay| (exact case). */
int mt_contains(const uint8_t *hay, size_t len, const char *needle);
/* mt_host_name_ok: letters, digits, '-' and '.', 1 to MT_HOST_NAME_MAX. */
int mt_host_name_ok(const char *s);
/* mt_host_name_or copies |name| to |out| when it is a host name
 * (mt_host_name_ok), else |fallback| (which must be one). */
void mt_host_name_or(char out[MT_HOST_NAME_MAX + 1], const char *name, const char *fallback);
/* mt_reply_prefix: an SMTP or FTP reply line starts with a code whose first
 * digit is 1 to 5, then a space, a hyphen or the line end. */
enum prefix mt_reply_prefix(const uint8_t *b, size_t len);
/* mt_reply_code reads a reply line's code and whether more lines follow
 * ('-'). Returns 1, or 0 when the line is not a reply line. */
int mt_reply_code(const uint8_t *l, size_t len, unsigned *code, int *more);
/* An SMTP or FTP reply in progress: the code of its first line while more
 * lines are due, 0 between replies (no valid code is 0). */
struct mt_reply {
  uint16_t code;
};

enum mt_reply_step {
  MT_REPLY_BAD,  /* not a reply line, or a line that breaks the reply */
  MT_REPLY_MORE, /* the reply goes on: read another line */
  MT_REPLY_END,  /* the reply's last line: |*code| is its code */
};

/* mt_reply_line feeds one line to |r|. SMTP (|loose| 0): every line of a
 * reply carries its code, all but the last with a hyphen after it (RFC 5321
 * 4.2.1). FTP (|loose| 1): the reply ends at a line with the same code and a
 * space; the lines between may be any text (RFC 959 4.2). */
enum mt_reply_step mt_reply_line(struct mt_reply *r, int loose, const uint8_t *l, size_t len,
                                 unsigned *code);
/* mt_status_prefix: the line starts with status |word| ("+OK", "-ERR"),
 * then a space or the line end. */
enum prefix mt_status_prefix(const uint8_t *b, size_t len, const char *word);
/* mt_pop3_prefix: a POP3 answer starts with "+OK" or "-ERR" (RFC 1939 3). */
enum prefix mt_pop3_prefix(const uint8_t *b, size_t len);
/* mt_out_text appends |text| to a command being built. */
void mt_out_text(tp_cbb *cbb, const char *text);

#endif /* SCANNER_MAILTEXT_H */
