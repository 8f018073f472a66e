/* scanner/proto/pgmsg.h: PostgreSQL backend messages as the dialogue before TLS (starttls.c)
 * and the check after it (appcheck.c) read them.
 *
 * A backend message is a type byte and an Int32 length that counts itself
 * (protocol 3, "Message Formats"); a server older than protocol 3 answers
 * with 'E' and NUL-terminated text instead, and the first byte after the
 * type tells them apart (a length's is 0, text's is not). Pure helpers
 * over bounded views: the framing that says when a whole message is in a
 * buffer, and the fields of an ErrorResponse. */
#ifndef SCANNER_PGMSG_H
#define SCANNER_PGMSG_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/proto/plaintext.h"
#include "tlsparse/bytes.h"

/* pg_frame judges |len| >= 1 bytes read of a message, type byte first,
 * checking its length against |max| as soon as that is known. A length
 * under 4 is PT_FRAME_BAD. */
enum pt_frame pg_frame(const uint8_t *buf, size_t len, size_t max);

/* pg_body sets |*out| to the body of the complete protocol 3 message of
 * |len| bytes at |buf| (after the type and length). */
void pg_body(const uint8_t *buf, size_t len, tp_cbs *out);

/* The fields of an ErrorResponse that say what went wrong. */
struct pg_error {
  tp_cbs severity; /* V (non-localized, 9.6+), else S: "FATAL" */
  tp_cbs code;     /* C, the SQLSTATE: "28000" */
  tp_cbs message;  /* M */
};

/* pg_error_fields reads the fields of an ErrorResponse body: (type byte,
 * NUL-terminated string) pairs up to a 0 type byte. Returns 1 and |*out|
 * (a field that is absent is empty), or 0 when the body is not that. */
int pg_error_fields(tp_cbs body, struct pg_error *out);

#endif /* SCANNER_PGMSG_H */
