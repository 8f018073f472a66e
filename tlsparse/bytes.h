/* tlsparse/bytes.h: the only way tlsparse reads or writes wire bytes.
 *
 * tp_cbs is a bounds-checked reader over a view (pointer + length, owns
 * nothing); every getter either consumes exactly what it returns or fails and
 * leaves the view untouched. tp_cbb is a writer into caller-owned fixed memory
 * with a sticky error bit: once anything overflows, every later call fails and
 * tp_cbb_finish() reports it, so builders check once at the end. Length
 * prefixes are written by opening a nested block and closing it, so builder
 * code has the shape of the RFC structures. Modelled on BoringSSL's CBS/CBB. */
#ifndef TLSPARSE_BYTES_H
#define TLSPARSE_BYTES_H

#include <stddef.h>
#include <stdint.h>

typedef struct {
  const uint8_t *data;
  size_t len;
} tp_cbs;

/* tp_cbs_init points |cbs| at |len| bytes of |data|. */
void tp_cbs_init(tp_cbs *cbs, const uint8_t *data, size_t len);

/* Each getter returns 1 and advances on success, 0 (nothing consumed) when
 * the view is too short. */
int tp_cbs_skip(tp_cbs *cbs, size_t len);
int tp_cbs_get_u8(tp_cbs *cbs, uint8_t *out);
int tp_cbs_get_u16(tp_cbs *cbs, uint16_t *out);
int tp_cbs_get_u24(tp_cbs *cbs, uint32_t *out);
/* tp_cbs_get_bytes sets |out| to the next |len| bytes. */
int tp_cbs_get_bytes(tp_cbs *cbs, tp_cbs *out, size_t len);
/* tp_cbs_get_uN_length_prefixed reads an N-bit length, then that many bytes
 * into |out|. */
int tp_cbs_get_u8_length_prefixed(tp_cbs *cbs, tp_cbs *out);
int tp_cbs_get_u16_length_prefixed(tp_cbs *cbs, tp_cbs *out);
int tp_cbs_get_u24_length_prefixed(tp_cbs *cbs, tp_cbs *out);
/* tp_cbs_mem_equal returns 1 when |cbs| holds exactly |len| bytes equal to |mem|. */
int tp_cbs_mem_equal(const tp_cbs *cbs, const uint8_t *mem, size_t len);
/* tp_cbs_copy_upto copies the next min(|max|, |cbs->len|) bytes into |out|,
 * consumes them, and returns how many: an incremental reader fills a
 * fixed buffer with it from whatever piece of the stream has arrived. It
 * cannot fail; a short view gives a short copy. */
size_t tp_cbs_copy_upto(tp_cbs *cbs, uint8_t *out, size_t max);

/* Deepest nesting of length-prefixed blocks a builder may open. A ClientHello
 * needs 5 (record, handshake, extensions, one extension, its list). */
#define TP_CBB_MAX_DEPTH 8

typedef struct {
  uint8_t *buf;
  size_t cap;   /* lowered to |len| by an error, so that nothing more fits */
  size_t len;
  int error;
  unsigned depth;
  size_t open_at[TP_CBB_MAX_DEPTH];   /* offset of each open length prefix */
  uint8_t open_width[TP_CBB_MAX_DEPTH]; /* its width in bytes: 1, 2 or 3 */
} tp_cbb;

/* tp_cbb_init makes |cbb| write into the caller's |cap| bytes at |buf|. */
void tp_cbb_init(tp_cbb *cbb, uint8_t *buf, size_t cap);

/* Writers: on overflow they set the sticky error and write nothing. */
void tp_cbb_add_u8(tp_cbb *cbb, uint8_t v);
void tp_cbb_add_u16(tp_cbb *cbb, uint16_t v);
void tp_cbb_add_u24(tp_cbb *cbb, uint32_t v);
void tp_cbb_add_bytes(tp_cbb *cbb, const uint8_t *data, size_t len);
/* tp_cbb_add_u16_list writes |n| big-endian u16 values (a cipher or group
 * list) with one bounds check. */
void tp_cbb_add_u16_list(tp_cbb *cbb, const uint16_t *list, size_t n);
/* tp_cbb_add_u16_prefixed_list writes a TLS vector of |n| u16 values with a
 * u16 length prefix (named_group_list, supported_signature_algorithms):
 * the same bytes as tp_cbb_open_u16, tp_cbb_add_u16_list, tp_cbb_close, with
 * one bounds check. */
void tp_cbb_add_u16_prefixed_list(tp_cbb *cbb, const uint16_t *list, size_t n);
void tp_cbb_add_zeros(tp_cbb *cbb, size_t len);

/* tp_cbb_open_uN reserves an N-bit length prefix and starts a block;
 * tp_cbb_close fills in the innermost open block's length, which must fit
 * (else the sticky error is set). */
void tp_cbb_open_u8(tp_cbb *cbb);
void tp_cbb_open_u16(tp_cbb *cbb);
void tp_cbb_open_u24(tp_cbb *cbb);
void tp_cbb_close(tp_cbb *cbb);

/* tp_cbb_finish returns 1 and the number of bytes written in |*out_len| when
 * nothing overflowed and every block was closed; 0 otherwise. */
int tp_cbb_finish(const tp_cbb *cbb, size_t *out_len);

#endif /* TLSPARSE_BYTES_H */
