/* scanner/base/outbuf.h: growable byte buffers, and strings from servers made
 * valid UTF-8.
 *
 * An outbuf grows to the largest thing written into it once and is then
 * reused, so rendering records makes no allocation in steady state.
 * utf8_sanitize is the one gate every server-supplied string passes before
 * it becomes JSON or CSV: well-formed UTF-8 goes through unchanged, and each
 * byte of an ill-formed sequence becomes the code point U+00XX of the same
 * value, so nothing is dropped and any JSON library accepts the result.
 * term_escape is the gate before a terminal: what a terminal would act on
 * (controls, escapes) is shown as text instead. */
#ifndef SCANNER_OUTBUF_H
#define SCANNER_OUTBUF_H

#include <stddef.h>
#include <stdint.h>

struct outbuf {
  char *data;
  size_t len;
  size_t cap;
};

void outbuf_free(struct outbuf *b);
/* outbuf_reserve makes room for |n| more bytes. Returns 1, or 0 on
 * allocation failure (the buffer is unchanged). */
int outbuf_reserve(struct outbuf *b, size_t n);
/* outbuf_append and outbuf_puts add bytes; 1, or 0 on allocation failure. */
int outbuf_append(struct outbuf *b, const void *p, size_t n);
int outbuf_puts(struct outbuf *b, const char *s);

/* utf8_seq_len returns the length of the well-formed UTF-8 sequence at |p|
 * (|n| > 0 bytes available), or 0 when it is ill-formed (RFC 3629, 4: no
 * overlong forms, no surrogates, nothing above U+10FFFF). */
size_t utf8_seq_len(const uint8_t *p, size_t n);

/* utf8_code_point decodes the well-formed sequence of |len| bytes at |p|
 * (|len| from utf8_seq_len). */
uint32_t utf8_code_point(const uint8_t *p, size_t len);

/* utf8_hidden_control says whether code point |cp| (past ASCII) is a
 * control a reader must not get raw: the C1 controls (U+0080..U+009F; 0x9B
 * is CSI to terminals that read 8-bit controls) and the bidirectional
 * controls that reorder what is shown (U+061C, U+200E/F, U+202A..U+202E,
 * U+2066..U+2069). */
int utf8_hidden_control(uint32_t cp);

/* term_escape appends |len| bytes of |s| to |out| made safe for a
 * terminal: printable UTF-8 goes through; a control byte becomes \xNN (\n,
 * \r, \t as such), a backslash \\, a hidden control (above) \u{NNNN},
 * and a byte of ill-formed UTF-8 \xNN. Returns 1, or 0 when memory ran
 * out. */
int term_escape(struct outbuf *out, const char *s, size_t len);

/* utf8_sanitize appends |len| bytes from a server to |out| as valid UTF-8
 * (see above). Returns 1, or 0 on allocation failure. */
int utf8_sanitize(struct outbuf *out, const uint8_t *data, size_t len);

/* hex_encode writes |n| bytes of |p| to |out| as 2 * |n| lower-case hex
 * digits and a NUL (fingerprints, JA3S, a broken answer's first bytes). */
void hex_encode(char *out, const uint8_t *p, size_t n);

#endif /* SCANNER_OUTBUF_H */
