/* tlsparse/extensions.c: every TLS extension tlsparse knows, in one table.
 *
 * Each extension is one entry of tp_extensions, in the shape of BoringSSL's
 * ssl/extensions.cc: its type, its bit (the entry's index) in the masks of
 * what a probe offered and what the server sent back, its IANA name, how a
 * ClientHello writes it and how a ServerHello's copy is read. The sections
 * below hold each extension's writer and parser, with the RFC that defines
 * it; a probe sends only a few, and the others are here so that reports name
 * them when a server sends them (one we never offered is itself a finding).
 * The bits follow the types' order, so the table is sorted by type and
 * tp_ext_bit_of bisects it; names_test finds every type's bit through it,
 * which an entry out of order would fail. */
#include <string.h>

#include "tlsparse/internal.h"
#include "tlsparse/tlsparse.h"

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* begin_extension writes an extension's type and opens its extension_data;
 * tp_cbb_close ends it. */
static void begin_extension(tp_cbb *b, uint16_t type) {
  tp_cbb_add_u16(b, type);
  tp_cbb_open_u16(b); /* extension_data */
}

static int is_tls13(const struct tp_hello_ctx *ctx) {
  return ctx->opts->version == TP_TLS13;
}

/* ---- server_name (RFC 6066, 3) -------------------------------------------- */

/* One host_name entry, written per probe. The lengths are known (the name
 * is at most 253 bytes), so they are written, not counted. */
static void add_server_name(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (ctx->sni_len == 0) {
    return;
  }
  tp_cbb_add_u16(b, TP_EXT_SERVER_NAME);
  tp_cbb_add_u16(b, (uint16_t)(ctx->sni_len + 5)); /* extension_data */
  tp_cbb_add_u16(b, (uint16_t)(ctx->sni_len + 3)); /* server_name_list */
  tp_cbb_add_u8(b, 0);                             /* name_type: host_name */
  tp_cbb_add_u16(b, (uint16_t)ctx->sni_len);       /* HostName */
  tp_cbb_add_bytes(b, (const uint8_t *)ctx->sni, ctx->sni_len);
}

/* ---- extended_master_secret (RFC 7627, 5.1) -------------------------------- */

static void add_extended_master_secret(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (ctx->opts->minimal) {
    return;
  }
  tp_cbb_add_u16(b, TP_EXT_EXTENDED_MASTER_SECRET);
  tp_cbb_add_u16(b, 0); /* extension_data: empty */
}

/* ---- supported_groups (RFC 8422, 5.1.1; RFC 8446, 4.2.7) ------------------- */

/* FFDHE groups are left out below TLS 1.3 because RFC 7919, 4 forbids a
 * server that knows none of them from picking DHE at all. */
static const uint16_t kGroupsLegacy[] = {
    TP_GROUP_X25519, TP_GROUP_SECP256R1, TP_GROUP_SECP384R1, TP_GROUP_SECP521R1,
};
static const uint16_t kGroupsTLS13[] = {
    TP_GROUP_X25519, TP_GROUP_SECP256R1, TP_GROUP_SECP384R1,
    TP_GROUP_SECP521R1, TP_GROUP_X448, TP_GROUP_FFDHE2048, TP_GROUP_FFDHE3072,
};

/* 1.3 cannot do without supported_groups; the minimal shape of older
 * versions leaves it out (RFC 8422, 4: a server then picks any curve). */
static void add_supported_groups(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (!is_tls13(ctx) && ctx->opts->minimal) {
    return;
  }
  begin_extension(b, TP_EXT_SUPPORTED_GROUPS);
  if (is_tls13(ctx)) {
    tp_cbb_add_u16_prefixed_list(b, kGroupsTLS13, COUNT(kGroupsTLS13)); /* named_group_list */
  } else {
    tp_cbb_add_u16_prefixed_list(b, kGroupsLegacy, COUNT(kGroupsLegacy));
  }
  tp_cbb_close(b);
}

/* ---- ec_point_formats (RFC 8422, 5.1.2) ------------------------------------ */

/* One format, so the lengths are known and written, not counted. */
static void add_ec_point_formats(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (ctx->opts->minimal) {
    return;
  }
  tp_cbb_add_u16(b, TP_EXT_EC_POINT_FORMATS);
  tp_cbb_add_u16(b, 2); /* extension_data */
  tp_cbb_add_u8(b, 1);  /* ec_point_format_list */
  tp_cbb_add_u8(b, 0);  /* uncompressed */
}

/* ---- signature_algorithms (RFC 5246, 7.4.1.4.1; RFC 8446, 4.2.3) ----------- */

static const uint16_t kSignatureAlgorithms[] = {
    0x0403, 0x0804, 0x0401, /* ecdsa_secp256r1_sha256, rsa_pss_rsae_sha256, rsa_pkcs1_sha256 */
    0x0503, 0x0805, 0x0501, /* ... sha384 */
    0x0603, 0x0806, 0x0601, /* ... sha512 */
    0x0807, 0x0808,         /* ed25519, ed448 */
    0x0809, 0x080a, 0x080b, /* rsa_pss_pss_* */
    0x0402, 0x0502, 0x0602, /* dsa with sha256..sha512 (TLS 1.2 DSS suites) */
    0x0203, 0x0201, 0x0202, /* ecdsa_sha1, rsa_pkcs1_sha1, dsa_sha1 */
};

/* The TLS 1.3 list leaves out DSA and SHA-1 signatures a 1.3 server may not
 * use (RFC 8446, 4.2.3). */
static const uint16_t kSignatureAlgorithmsTLS13[] = {
    0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501,
    0x0603, 0x0806, 0x0601, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b,
};

/* The extension does not exist before TLS 1.2, and some 1.0 servers fail on
 * it; from 1.2 on even the minimal shape sends it, because without it a
 * server must assume SHA-1, which OpenSSL 3 refuses. */
static void add_signature_algorithms(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (ctx->opts->version < TP_TLS12) {
    return;
  }
  begin_extension(b, TP_EXT_SIGNATURE_ALGORITHMS);
  if (is_tls13(ctx)) {
    /* supported_signature_algorithms */
    tp_cbb_add_u16_prefixed_list(b, kSignatureAlgorithmsTLS13,
                                 COUNT(kSignatureAlgorithmsTLS13));
  } else {
    tp_cbb_add_u16_prefixed_list(b, kSignatureAlgorithms, COUNT(kSignatureAlgorithms));
  }
  tp_cbb_close(b);
}

/* ---- application_layer_protocol_negotiation (RFC 7301, 3.1) ---------------- */

static void add_alpn(tp_cbb *b, struct tp_hello_ctx *ctx) {
  const struct tp_client_hello_opts *opts = ctx->opts;
  if (opts->alpn_count == 0 || opts->minimal) {
    return;
  }
  begin_extension(b, TP_EXT_ALPN);
  tp_cbb_open_u16(b); /* protocol_name_list */
  for (size_t i = 0; i < opts->alpn_count; i++) {
    tp_cbb_open_u8(b); /* ProtocolName */
    tp_cbb_add_bytes(b, (const uint8_t *)opts->alpn[i], strlen(opts->alpn[i]));
    tp_cbb_close(b);
  }
  tp_cbb_close(b);
  tp_cbb_close(b);
}

/* ---- padding (RFC 7685) ---------------------------------------------------- */

/* Padding is sized from everything before it, so it goes last: the
 * handshake message reaches TP_CLIENT_HELLO_PAD_TO bytes, because some
 * middleboxes hang on hellos of 256 to 511 bytes (RFC 7685, 4). */
static void add_padding(tp_cbb *b, struct tp_hello_ctx *ctx) {
  size_t msg_len = b->len - ctx->msg_at;
  if (!ctx->pad || msg_len >= TP_CLIENT_HELLO_PAD_TO) {
    return;
  }
  /* The extension's own 4-byte header counts towards the size. */
  size_t pad = msg_len + 4 >= TP_CLIENT_HELLO_PAD_TO ? 0 : TP_CLIENT_HELLO_PAD_TO - msg_len - 4;
  tp_cbb_add_u16(b, TP_EXT_PADDING);
  tp_cbb_add_u16(b, (uint16_t)pad); /* extension_data: |pad| zeros */
  tp_cbb_add_zeros(b, pad);
}

/* ---- supported_versions (RFC 8446, 4.2.1) ---------------------------------- */

/* Only a 1.3 probe sends it, with 1.3 alone: below 1.3 a server must
 * negotiate from legacy_version. */
static void add_supported_versions(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (!is_tls13(ctx)) {
    return;
  }
  begin_extension(b, TP_EXT_SUPPORTED_VERSIONS);
  tp_cbb_open_u8(b); /* versions */
  tp_cbb_add_u16(b, TP_TLS13);
  tp_cbb_close(b);
  tp_cbb_close(b);
}

/* A ServerHello's selected_version. */
static int parse_supported_versions(tp_cbs *body, struct tp_server_hello *sh) {
  return tp_cbs_get_u16(body, &sh->selected_version) && body->len == 0;
}

/* ---- key_share (RFC 8446, 4.2.8) ------------------------------------------- */

/* One x25519 KeyShareEntry, whose 32 bytes are patched in per probe; or no
 * entry at all, which asks the server to name its group in a
 * HelloRetryRequest (the cheapest answer a 1.3 server can give). */
static void add_key_share(tp_cbb *b, struct tp_hello_ctx *ctx) {
  if (!is_tls13(ctx)) {
    return;
  }
  begin_extension(b, TP_EXT_KEY_SHARE);
  tp_cbb_open_u16(b); /* client_shares */
  if (!ctx->opts->key_share_empty) {
    tp_cbb_add_u16(b, TP_GROUP_X25519);
    tp_cbb_open_u16(b); /* key_exchange */
    ctx->key_share_at = b->len;
    if (ctx->opts->x25519_share != NULL) {
      tp_cbb_add_bytes(b, ctx->opts->x25519_share, 32);
    } else {
      tp_cbb_add_zeros(b, 32);
    }
    tp_cbb_close(b);
  }
  tp_cbb_close(b);
  tp_cbb_close(b);
}

/* A KeyShareServerHello, or the bare selected_group of a HelloRetryRequest. */
static int parse_key_share(tp_cbs *body, struct tp_server_hello *sh) {
  if (!tp_cbs_get_u16(body, &sh->key_share_group)) {
    return 0;
  }
  if (sh->is_hello_retry) {
    return body->len == 0;
  }
  tp_cbs key;
  return tp_cbs_get_u16_length_prefixed(body, &key) && key.len > 0 && body->len == 0;
}

/* ---- the table ------------------------------------------------------------- */

const struct tp_extension tp_extensions[TP_EXT_BIT_UNKNOWN] = {
    [TP_EXT_BIT_SERVER_NAME] = {TP_EXT_SERVER_NAME, "server_name", add_server_name, NULL},
    [TP_EXT_BIT_MAX_FRAGMENT_LENGTH] = {TP_EXT_MAX_FRAGMENT_LENGTH, "max_fragment_length",
                                        NULL, NULL},
    [TP_EXT_BIT_STATUS_REQUEST] = {TP_EXT_STATUS_REQUEST, "status_request", NULL, NULL},
    [TP_EXT_BIT_SUPPORTED_GROUPS] = {TP_EXT_SUPPORTED_GROUPS, "supported_groups",
                                     add_supported_groups, NULL},
    [TP_EXT_BIT_EC_POINT_FORMATS] = {TP_EXT_EC_POINT_FORMATS, "ec_point_formats",
                                     add_ec_point_formats, NULL},
    [TP_EXT_BIT_SIGNATURE_ALGORITHMS] = {TP_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms",
                                         add_signature_algorithms, NULL},
    [TP_EXT_BIT_HEARTBEAT] = {TP_EXT_HEARTBEAT, "heartbeat", NULL, NULL},
    [TP_EXT_BIT_ALPN] = {TP_EXT_ALPN, "application_layer_protocol_negotiation", add_alpn, NULL},
    [TP_EXT_BIT_SCT] = {TP_EXT_SCT, "signed_certificate_timestamp", NULL, NULL},
    [TP_EXT_BIT_PADDING] = {TP_EXT_PADDING, "padding", add_padding, NULL},
    [TP_EXT_BIT_ENCRYPT_THEN_MAC] = {TP_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac", NULL, NULL},
    [TP_EXT_BIT_EXTENDED_MASTER_SECRET] = {TP_EXT_EXTENDED_MASTER_SECRET,
                                           "extended_master_secret",
                                           add_extended_master_secret, NULL},
    [TP_EXT_BIT_RECORD_SIZE_LIMIT] = {TP_EXT_RECORD_SIZE_LIMIT, "record_size_limit", NULL,
                                      NULL},
    [TP_EXT_BIT_SESSION_TICKET] = {TP_EXT_SESSION_TICKET, "session_ticket", NULL, NULL},
    [TP_EXT_BIT_PRE_SHARED_KEY] = {TP_EXT_PRE_SHARED_KEY, "pre_shared_key", NULL, NULL},
    [TP_EXT_BIT_EARLY_DATA] = {TP_EXT_EARLY_DATA, "early_data", NULL, NULL},
    [TP_EXT_BIT_SUPPORTED_VERSIONS] = {TP_EXT_SUPPORTED_VERSIONS, "supported_versions",
                                       add_supported_versions, parse_supported_versions},
    [TP_EXT_BIT_COOKIE] = {TP_EXT_COOKIE, "cookie", NULL, NULL},
    [TP_EXT_BIT_PSK_KEY_EXCHANGE_MODES] = {TP_EXT_PSK_KEY_EXCHANGE_MODES,
                                           "psk_key_exchange_modes", NULL, NULL},
    [TP_EXT_BIT_KEY_SHARE] = {TP_EXT_KEY_SHARE, "key_share", add_key_share, parse_key_share},
    /* Never sent as an extension: the renegotiation SCSV in every hello's
     * cipher list offers it (RFC 5746, 3.3). */
    [TP_EXT_BIT_RENEGOTIATION_INFO] = {TP_EXT_RENEGOTIATION_INFO, "renegotiation_info", NULL,
                                       NULL},
};

/* Masks are 32 bits wide, so the table has at most 31 entries and a
 * bisection takes five steps. */
_Static_assert(COUNT(tp_extensions) < 32, "extension masks are 32 bits");

enum tp_ext_bit tp_ext_bit_of(uint16_t type) {
  /* This runs for every extension of every ServerHello: a bisection in
   * power-of-two steps, which unroll, for the last entry whose type is at
   * most |type| (entry 0, type 0, is at most any). */
  size_t i = 0;
  for (size_t step = 16; step > 0; step /= 2) {
    if (i + step < COUNT(tp_extensions) && tp_extensions[i + step].type <= type) {
      i += step;
    }
  }
  return tp_extensions[i].type == type ? (enum tp_ext_bit)i : TP_EXT_BIT_UNKNOWN;
}

const char *tp_ext_bit_name(enum tp_ext_bit bit) {
  if (bit == TP_EXT_BIT_UNKNOWN) {
    return "unknown";
  }
  if ((unsigned)bit >= TP_EXT_BIT_UNKNOWN) {
    return NULL;
  }
  return tp_extensions[bit].name;
}

/* ---- ClientHello ----------------------------------------------------------- */

/* The order a probe sends its extensions in, each with a writer:
 * server_name first (a template leaves it out and tp_hello_from_template
 * writes it per probe), padding last (it is sized from everything before
 * it). A writer writes its own type; client_hello_test holds the bits a
 * hello says it offered against the types on the wire. */
static const enum tp_ext_bit kClientHelloOrder[] = {
    TP_EXT_BIT_SERVER_NAME,
    TP_EXT_BIT_EXTENDED_MASTER_SECRET,
    TP_EXT_BIT_SUPPORTED_GROUPS,
    TP_EXT_BIT_EC_POINT_FORMATS,
    TP_EXT_BIT_SIGNATURE_ALGORITHMS,
    TP_EXT_BIT_ALPN,
    TP_EXT_BIT_SUPPORTED_VERSIONS,
    TP_EXT_BIT_KEY_SHARE,
    TP_EXT_BIT_PADDING,
};

void tp_add_clienthello_extension(tp_cbb *exts, struct tp_hello_ctx *ctx, enum tp_ext_bit bit,
                                  uint32_t *offered) {
  size_t before = exts->len;
  tp_extensions[bit].add_clienthello(exts, ctx);
  if (exts->len != before) {
    *offered |= 1u << bit;
  }
}

void tp_add_clienthello_extensions(tp_cbb *exts, struct tp_hello_ctx *ctx, uint32_t *offered) {
  for (size_t i = 0; i < COUNT(kClientHelloOrder); i++) {
    tp_add_clienthello_extension(exts, ctx, kClientHelloOrder[i], offered);
  }
}

/* ---- ServerHello ----------------------------------------------------------- */

/* seen_before reports whether extension |type| occurs in |block| before |at|;
 * used for types without a bit of their own. */
static int seen_before(tp_cbs block, const uint8_t *at, uint16_t type) {
  while (block.data < at) {
    uint16_t t;
    tp_cbs body;
    if (!tp_cbs_get_u16(&block, &t) || !tp_cbs_get_u16_length_prefixed(&block, &body)) {
      return 0;
    }
    if (t == type) {
      return 1;
    }
  }
  return 0;
}

int tp_parse_serverhello_extensions(tp_cbs block, struct tp_server_hello *sh,
                                    enum tp_malformed *out_why) {
  tp_cbs rest = block;
  while (rest.len > 0) {
    const uint8_t *at = rest.data;
    uint16_t type;
    tp_cbs body;
    if (!tp_cbs_get_u16(&rest, &type) || !tp_cbs_get_u16_length_prefixed(&rest, &body)) {
      *out_why = TP_BAD_HELLO_DECODE;
      return 0;
    }
    enum tp_ext_bit bit = tp_ext_bit_of(type);
    int duplicate = bit == TP_EXT_BIT_UNKNOWN ? seen_before(block, at, type)
                                              : (int)((sh->extensions_seen >> bit) & 1);
    if (duplicate) {
      *out_why = TP_BAD_DUPLICATE_EXTENSION;
      return 0;
    }
    sh->extensions_seen |= 1u << bit;
    if (bit != TP_EXT_BIT_UNKNOWN && tp_extensions[bit].parse_serverhello != NULL &&
        !tp_extensions[bit].parse_serverhello(&body, sh)) {
      *out_why = TP_BAD_EXTENSION_DECODE;
      return 0;
    }
  }
  return 1;
}
