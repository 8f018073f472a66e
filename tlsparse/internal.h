/* tlsparse/internal.h: what tlsparse's own files share, not API.
 *
 * The extension table (extensions.c) is the one place an extension's facts
 * live: the ClientHello builder (client_hello.c) writes through it and the
 * ServerHello parser (reader.c) reads through it. */
#ifndef TLSPARSE_INTERNAL_H
#define TLSPARSE_INTERNAL_H

#include <stddef.h>
#include <stdint.h>

#include "tlsparse/bytes.h"
#include "tlsparse/tlsparse.h"

/* RFC 8446, 4.1.3: the ServerHello.random of a HelloRetryRequest,
 * SHA-256("HelloRetryRequest"). Defined in reader.c. */
extern const uint8_t tp_hello_retry_random[32];

/* tp_hello_ctx is what the ClientHello extension writers read, and where
 * they leave what the layout needs. */
struct tp_hello_ctx {
  const struct tp_client_hello_opts *opts; /* NULL when only server_name and
                                            * padding are written (templates) */
  const char *sni;        /* host name for server_name ... */
  size_t sni_len;         /* ... its length without a trailing dot; 0: none */
  int pad;                /* pad the hello to TP_CLIENT_HELLO_PAD_TO */
  size_t msg_at;          /* offset of the handshake message in the writer */
  size_t key_share_at;    /* set to the x25519 share's offset when written */
};

/* tp_extension is one extension's facts (BoringSSL's ssl/extensions.cc). */
struct tp_extension {
  uint16_t type;          /* IANA ExtensionType value */
  const char *name;       /* its IANA name, for reports */
  /* add_clienthello writes the whole extension (type and extension_data)
   * into a ClientHello's extension list when |ctx| calls for it, and nothing
   * otherwise; NULL for extensions a probe never sends. */
  void (*add_clienthello)(tp_cbb *exts, struct tp_hello_ctx *ctx);
  /* parse_serverhello reads the extension_data of a ServerHello's copy into
   * |sh| and returns 1, or 0 when it does not decode; NULL when its presence
   * is all that matters. */
  int (*parse_serverhello)(tp_cbs *body, struct tp_server_hello *sh);
};

/* tp_extensions is indexed by enum tp_ext_bit, whose order follows the
 * types', so it is sorted by type (tp_ext_bit_of bisects it). */
extern const struct tp_extension tp_extensions[TP_EXT_BIT_UNKNOWN];

/* tp_add_clienthello_extensions writes every extension |ctx| calls for, in
 * the order a probe sends them (server_name first, padding last), into the
 * open extension list of |exts|, and sets their bits in |*offered|. */
void tp_add_clienthello_extensions(tp_cbb *exts, struct tp_hello_ctx *ctx, uint32_t *offered);

/* tp_add_clienthello_extension writes the one extension of |bit| when |ctx|
 * calls for it, and sets its bit in |*offered| if it did. */
void tp_add_clienthello_extension(tp_cbb *exts, struct tp_hello_ctx *ctx, enum tp_ext_bit bit,
                                  uint32_t *offered);

/* tp_parse_serverhello_extensions reads a ServerHello's extension block into
 * |sh| (extensions_seen and what the parsers fill). Returns 1, or 0 and
 * |*out_why| for a block that does not decode, an extension body that does
 * not parse, or a type that occurs twice (RFC 8446, 4.2). */
int tp_parse_serverhello_extensions(tp_cbs block, struct tp_server_hello *sh,
                                    enum tp_malformed *out_why);

#endif /* TLSPARSE_INTERNAL_H */
