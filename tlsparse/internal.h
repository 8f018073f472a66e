/* tlsparse/internal.h: constants shared by tlsparse's own files, not API. */
#ifndef TLSPARSE_INTERNAL_H
#define TLSPARSE_INTERNAL_H

#include <stdint.h>

/* RFC 8446, 4.1.3: the ServerHello.random of a HelloRetryRequest,
 * SHA-256("HelloRetryRequest"). Defined in reader.c. */
extern const uint8_t tp_hello_retry_random[32];

#endif /* TLSPARSE_INTERNAL_H */
