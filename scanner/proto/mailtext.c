/* scanner/proto/mailtext.c: the text helpers of the mail protocols (see mailtext.h). */
#include "scanner/proto/mailtext.h"

#include <string.h>

int mt_is_digit(uint8_t c) { return c >= '0' && c <= '9'; }

uint8_t mt_lower(uint8_t c) { return c >= 'A' && c <= 'Z' ? (uint8_t)(c + 32) : c; }

/* starts_with_ci reports whether |len| bytes at |p| start with |word|, ASCII
 * case-insensitively: SMTP keywords, IMAP atoms and POP3 status words are
 * case-insensitive. */
int mt_starts_with_ci(const uint8_t *p, size_t len, const char *word) {
  size_t n = strlen(word);
  if (len < n) {
    return 0;
  }
  for (size_t i = 0; i < n; i++) {
    if (mt_lower(p[i]) != mt_lower((uint8_t)word[i])) {
      return 0;
    }
  }
  return 1;
}

/* word_is reports whether the text starts with |word| as a whole word: the
 * text ends after it or a space or tab follows. */
int mt_word_is(const uint8_t *p, size_t len, const char *word) {
  size_t n = strlen(word);
  return mt_starts_with_ci(p, len, word) && (len == n || p[n] == ' ' || p[n] == '\t');
}

int mt_contains(const uint8_t *hay, size_t len, const char *needle) {
  size_t n = strlen(needle);
  for (size_t i = 0; i + n <= len; i++) {
    if (memcmp(hay + i, needle, n) == 0) {
      return 1;
    }
  }
  return 0;
}

int mt_host_name_ok(const char *s) {
  size_t n = 0;
  for (; n <= MT_HOST_NAME_MAX && s[n] != '\0'; n++) {
    uint8_t c = (uint8_t)s[n];
    if (!(mt_is_digit(c) || (mt_lower(c) >= 'a' && mt_lower(c) <= 'z') || c == '-' || c == '.')) {
      return 0;
    }
  }
  return n > 0 && n <= MT_HOST_NAME_MAX;
}

void mt_host_name_or(char out[MT_HOST_NAME_MAX + 1], const char *name, const char *fallback) {
  const char *use = name != NULL && mt_host_name_ok(name) ? name : fallback;
  memcpy(out, use, strlen(use) + 1);
}

/* reply_prefix: an SMTP or FTP reply line starts with a code whose first
 * digit is 1 to 5 (RFC 5321 4.2, RFC 959 4.2), then a space, a hyphen or the
 * line end. */
enum prefix mt_reply_prefix(const uint8_t *b, size_t len) {
  if (len >= 1 && (b[0] < '1' || b[0] > '5')) {
    return PREFIX_BAD;
  }
  if ((len >= 2 && !mt_is_digit(b[1])) || (len >= 3 && !mt_is_digit(b[2]))) {
    return PREFIX_BAD;
  }
  if (len < 4) {
    return PREFIX_MORE;
  }
  return b[3] == ' ' || b[3] == '-' || b[3] == '\r' || b[3] == '\n' ? PREFIX_OK : PREFIX_BAD;
}

/* reply_code reads a reply line's code and whether more lines follow ('-'). */
int mt_reply_code(const uint8_t *l, size_t len, unsigned *code, int *more) {
  if (len < 3 || mt_reply_prefix(l, len < 4 ? len : 4) == PREFIX_BAD) {
    return 0;
  }
  if (len > 3 && l[3] != ' ' && l[3] != '-') {
    return 0;
  }
  *code = (unsigned)(l[0] - '0') * 100 + (unsigned)(l[1] - '0') * 10 + (unsigned)(l[2] - '0');
  *more = len > 3 && l[3] == '-';
  return 1;
}

enum mt_reply_step mt_reply_line(struct mt_reply *r, int loose, const uint8_t *l, size_t len,
                                 unsigned *code) {
  int more;
  if (!mt_reply_code(l, len, code, &more)) {
    /* Inside an FTP reply, a line without a code is part of the text. */
    return loose && r->code != 0 ? MT_REPLY_MORE : MT_REPLY_BAD;
  }
  if (r->code == 0) {
    if (more) {
      r->code = (uint16_t)*code;
      return MT_REPLY_MORE;
    }
    return MT_REPLY_END;
  }
  if (*code != r->code) {
    return loose ? MT_REPLY_MORE : MT_REPLY_BAD;
  }
  if (more) {
    return MT_REPLY_MORE;
  }
  r->code = 0;
  return MT_REPLY_END;
}

/* status_prefix judges the start of a line against a status word that must
 * be followed by a space or the line end. */
enum prefix mt_status_prefix(const uint8_t *b, size_t len, const char *word) {
  size_t n = strlen(word);
  for (size_t i = 0; i < len && i < n; i++) {
    if (mt_lower(b[i]) != mt_lower((uint8_t)word[i])) {
      return PREFIX_BAD;
    }
  }
  if (len <= n) {
    return PREFIX_MORE;
  }
  return b[n] == ' ' || b[n] == '\r' || b[n] == '\n' ? PREFIX_OK : PREFIX_BAD;
}

enum prefix mt_pop3_prefix(const uint8_t *b, size_t len) {
  return mt_status_prefix(b, len, b[0] == '-' ? "-ERR" : "+OK");
}

void mt_out_text(tp_cbb *cbb, const char *text) {
  tp_cbb_add_bytes(cbb, (const uint8_t *)text, strlen(text));
}
