/* scanner/proto/pgmsg.h: PostgreSQL backend messages as the dialogue before TLS (starttls.c)
 * and the check after it (appcheck.c) read them.
 *
 * A backend message is a type byte and an Int32 length that counts itself
 * (protocol 3, "Message Formats"); a server older than protocol 3 answers
 * with 'E' and NUL-terminated text instead, and the first byte after the
 * type tells them apart (a length's is 0, text's is not). A pure helper
 * over a bounded view: the framing that says when a whole message is in a
 * buffer. */
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

#endif /* SCANNER_PGMSG_H */
