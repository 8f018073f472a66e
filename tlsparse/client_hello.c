/* tlsparse/client_hello.c: ClientHellos pinned to one protocol version.
 *
 * A probe must make a server answer with the version it would really use, so
 * each hello looks like what a client of that version's era sent: SSLv3 with
 * no extensions; TLS 1.0-1.2 with legacy_version set to the pinned version and
 * no supported_versions (RFC 8446, 4.2.1: a server then negotiates from
 * legacy_version alone); TLS 1.3 with legacy_version 0x0303 and
 * supported_versions = {0x0304}. Cipher lists are broad, because a server of
 * 2005 that only knows RC4 or 3DES must still be able to say yes. The
 * renegotiation SCSV (RFC 5746) stands in for the extension, so SSLv3 hellos
 * carry it too. Hellos are padded to 512 bytes (RFC 7685) because some
 * middleboxes hang on hellos of 256-511 bytes.
 *
 * Extensions are a const table: each entry says whether it applies to these
 * options and writes its body; what was offered becomes a bitmask, so a
 * ServerHello extension we never offered can be reported. */
#include <string.h>

#include "tlsparse/tlsparse.h"

/* Cipher suites, strongest first, so that a server honouring the client's
 * order picks what a real client of that era would have got. */

static const uint16_t kSSL3Ciphers[] = {
    0xc014, 0xc013,         /* ECDHE_RSA AES256/AES128 CBC SHA */
    0xc00a, 0xc009,         /* ECDHE_ECDSA AES CBC SHA */
    0x0039, 0x0033,         /* DHE_RSA AES CBC SHA */
    0x0035, 0x002f,         /* RSA AES CBC SHA */
    0xc012, 0x0016, 0x0013, /* ECDHE_RSA, DHE_RSA, DHE_DSS 3DES */
    0x000a,                 /* RSA 3DES */
    0x0005, 0x0004,         /* RSA RC4 SHA, MD5 */
    0x0015, 0x0009,         /* DHE_RSA, RSA single DES */
    0x0014, 0x0008,         /* DHE_RSA, RSA EXPORT DES40 */
    0x0006, 0x0003,         /* RSA EXPORT RC2, RC4 */
};

static const uint16_t kTLS10BroadCiphers[] = {
    0xc00a, 0xc014, 0xc009, 0xc013, /* ECDHE AES CBC SHA */
    0x0039, 0x0038, 0x0033, 0x0032, /* DHE_RSA, DHE_DSS AES CBC SHA */
    0x0088, 0x0087, 0x0045, 0x0044, /* DHE CAMELLIA */
    0x0035, 0x002f,                 /* RSA AES CBC SHA */
    0x0084, 0x0041, 0x0096,         /* RSA CAMELLIA, SEED */
    0xc008, 0xc012, 0x0016, 0x0013, /* ECDHE, DHE 3DES */
    0x000a,                         /* RSA 3DES */
    0xc007, 0xc011, 0x0005, 0x0004, /* RC4 */
    0x0015, 0x0012, 0x0009,         /* single DES */
    0x0007,                         /* RSA IDEA */
};

static const uint16_t kTLS10ModernCiphers[] = {
    0xc00a, 0xc014, 0xc009, 0xc013, /* ECDHE AES CBC SHA */
    0x0039, 0x0033,                 /* DHE_RSA AES CBC SHA */
    0x0035, 0x002f,                 /* RSA AES CBC SHA */
};

static const uint16_t kTLS12BroadCiphers[] = {
    0xc02c, 0xc030, 0xc02b, 0xc02f, /* ECDHE AES-GCM */
    0xcca9, 0xcca8,                 /* ECDHE CHACHA20-POLY1305 */
    0x009f, 0x009e, 0xccaa,         /* DHE_RSA GCM, CHACHA20 */
    0x00a3, 0x00a2,                 /* DHE_DSS GCM */
    0xc0ad, 0xc0ac, 0xc09f, 0xc09e, /* ECDHE_ECDSA, DHE_RSA CCM */
    0xc024, 0xc028, 0xc023, 0xc027, /* ECDHE AES CBC SHA384/256 */
    0x006b, 0x0067, 0x006a, 0x0040, /* DHE AES CBC SHA256 */
    0xc00a, 0xc014, 0xc009, 0xc013, /* ECDHE AES CBC SHA */
    0x0039, 0x0038, 0x0033, 0x0032, /* DHE AES CBC SHA */
    0x009d, 0x009c,                 /* RSA AES-GCM */
    0x003d, 0x003c, 0x0035, 0x002f, /* RSA AES CBC */
    0x00c4, 0x00be, 0x0088, 0x0045, /* DHE_RSA CAMELLIA */
    0x00c0, 0x00ba, 0x0084, 0x0041, /* RSA CAMELLIA */
    0x0096,                         /* RSA SEED */
    0xc008, 0xc012, 0x0016, 0x0013, /* ECDHE, DHE 3DES */
    0x000a,                         /* RSA 3DES */
    0xc007, 0xc011, 0x0005, 0x0004, /* RC4 */
};

static const uint16_t kTLS12ModernCiphers[] = {
    0xc02c, 0xc030, 0xc02b, 0xc02f, /* ECDHE AES-GCM */
    0xcca9, 0xcca8,                 /* ECDHE CHACHA20-POLY1305 */
    0x009f, 0x009e,                 /* DHE_RSA AES-GCM */
    0xc024, 0xc028, 0xc023, 0xc027, /* ECDHE AES CBC SHA384/256 */
    0xc00a, 0xc014, 0xc009, 0xc013, /* ECDHE AES CBC SHA */
};

/* TLS 1.3 suites, then a few TLS 1.2 ones: a 1.2-only server that ignores
 * supported_versions then answers with a 1.2 ServerHello, which the report
 * shows as version_mismatch, instead of a bare handshake_failure. */
static const uint16_t kTLS13Ciphers[] = {
    0x1301, 0x1302, 0x1303,         /* AES_128_GCM, AES_256_GCM, CHACHA20 */
    0xc02c, 0xc030, 0xc02b, 0xc02f, /* ECDHE AES-GCM */
    0xcca9, 0xcca8,                 /* ECDHE CHACHA20-POLY1305 */
    0x009c, 0x002f, 0x0035,         /* RSA AES */
};

static const uint16_t kTLS13OnlyCiphers[] = {0x1301, 0x1302, 0x1303};

/* Groups: FFDHE groups are left out below TLS 1.3 because RFC 7919, 4 forbids
 * a server that knows none of them from picking DHE at all. */
static const uint16_t kGroupsLegacy[] = {
    TP_GROUP_X25519, TP_GROUP_SECP256R1, TP_GROUP_SECP384R1, TP_GROUP_SECP521R1,
};
static const uint16_t kGroupsTLS13[] = {
    TP_GROUP_X25519, TP_GROUP_SECP256R1, TP_GROUP_SECP384R1,
    TP_GROUP_SECP521R1, TP_GROUP_X448, TP_GROUP_FFDHE2048, TP_GROUP_FFDHE3072,
};

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

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Character classes for host names: 1 letter or '-' or '_', 2 digit, 3 dot;
 * 0 is anything that cannot be in a name sent as SNI. */
static const uint8_t kNameClass[256] = {
    ['-'] = 1, ['_'] = 1, ['.'] = 3,
    ['0'] = 2, ['1'] = 2, ['2'] = 2, ['3'] = 2, ['4'] = 2,
    ['5'] = 2, ['6'] = 2, ['7'] = 2, ['8'] = 2, ['9'] = 2,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

int tp_sni_usable(const char *name) {
  if (name == NULL) {
    return 0;
  }
  size_t len = strlen(name);
  if (len > 0 && name[len - 1] == '.') {
    len--;
  }
  if (len == 0 || len > 253) {
    return 0;
  }
  size_t label = 0;
  int last_label_numeric = 1;
  for (size_t i = 0; i < len; i++) {
    /* ':' is class 0, which rules out IPv6 literals here. */
    uint8_t cls = kNameClass[(uint8_t)name[i]];
    if (cls == 3) {
      if (label == 0) {
        return 0;
      }
      label = 0;
      last_label_numeric = 1;
      continue;
    }
    if (cls == 0 || ++label > 63) {
      return 0;
    }
    last_label_numeric &= cls == 2;
  }
  /* No top-level domain is all digits, so such a name is an IPv4 literal
   * (or one written in a shorthand such as "127.1"). */
  return label > 0 && !last_label_numeric;
}

/* add_or_zeros writes |len| bytes of |data|, or zeros when it is NULL. */
static void add_or_zeros(tp_cbb *b, const uint8_t *data, size_t len) {
  if (data != NULL) {
    tp_cbb_add_bytes(b, data, len);
  } else {
    tp_cbb_add_zeros(b, len);
  }
}

/* What the extension writers need to know. */
struct hello_ctx {
  const struct tp_client_hello_opts *opts;
  size_t key_share_at;
};

typedef int (*ext_applies_fn)(const struct hello_ctx *ctx);
typedef void (*ext_body_fn)(tp_cbb *b, struct hello_ctx *ctx);

struct ext_writer {
  uint16_t type;
  ext_applies_fn applies;
  ext_body_fn body;
};

static int is_tls13(const struct hello_ctx *ctx) {
  return ctx->opts->version == TP_TLS13;
}

/* groups_applies: 1.3 cannot do without supported_groups; the minimal
 * shape of older versions leaves it out (RFC 8422, 4: a server then picks
 * any curve it likes). */
static int groups_applies(const struct hello_ctx *ctx) {
  return is_tls13(ctx) || !ctx->opts->minimal;
}

static int full_shape(const struct hello_ctx *ctx) {
  return !ctx->opts->minimal;
}

static void groups_body(tp_cbb *b, struct hello_ctx *ctx) {
  tp_cbb_open_u16(b); /* named_group_list */
  if (is_tls13(ctx)) {
    tp_cbb_add_u16_list(b, kGroupsTLS13, COUNT(kGroupsTLS13));
  } else {
    tp_cbb_add_u16_list(b, kGroupsLegacy, COUNT(kGroupsLegacy));
  }
  tp_cbb_close(b);
}

static void point_formats_body(tp_cbb *b, struct hello_ctx *ctx) {
  (void)ctx;
  tp_cbb_open_u8(b); /* ec_point_format_list */
  tp_cbb_add_u8(b, 0); /* uncompressed */
  tp_cbb_close(b);
}

static int sigalgs_applies(const struct hello_ctx *ctx) {
  return ctx->opts->version >= TP_TLS12;
}

static void sigalgs_body(tp_cbb *b, struct hello_ctx *ctx) {
  tp_cbb_open_u16(b); /* supported_signature_algorithms */
  if (is_tls13(ctx)) {
    tp_cbb_add_u16_list(b, kSignatureAlgorithmsTLS13, COUNT(kSignatureAlgorithmsTLS13));
  } else {
    tp_cbb_add_u16_list(b, kSignatureAlgorithms, COUNT(kSignatureAlgorithms));
  }
  tp_cbb_close(b);
}

static int alpn_applies(const struct hello_ctx *ctx) {
  return ctx->opts->alpn_count > 0 && !ctx->opts->minimal;
}

static void alpn_body(tp_cbb *b, struct hello_ctx *ctx) {
  tp_cbb_open_u16(b); /* protocol_name_list */
  for (size_t i = 0; i < ctx->opts->alpn_count; i++) {
    const char *name = ctx->opts->alpn[i];
    tp_cbb_open_u8(b);
    tp_cbb_add_bytes(b, (const uint8_t *)name, strlen(name));
    tp_cbb_close(b);
  }
  tp_cbb_close(b);
}

static void empty_body(tp_cbb *b, struct hello_ctx *ctx) {
  (void)b;
  (void)ctx;
}

static void versions_body(tp_cbb *b, struct hello_ctx *ctx) {
  (void)ctx;
  tp_cbb_open_u8(b); /* versions */
  tp_cbb_add_u16(b, TP_TLS13);
  tp_cbb_close(b);
}

static void key_share_body(tp_cbb *b, struct hello_ctx *ctx) {
  tp_cbb_open_u16(b); /* client_shares */
  tp_cbb_add_u16(b, TP_GROUP_X25519);
  tp_cbb_open_u16(b); /* key_exchange */
  ctx->key_share_at = b->len;
  add_or_zeros(b, ctx->opts->x25519_share, 32);
  tp_cbb_close(b);
  tp_cbb_close(b);
}

/* In the order they go on the wire, after server_name, which comes first
 * and is written per probe (tp_hello_from_template). Padding is not here
 * either: it is sized from everything else and must come last. */
static const struct ext_writer kExtensions[] = {
    {TP_EXT_EXTENDED_MASTER_SECRET, full_shape, empty_body},
    {TP_EXT_SUPPORTED_GROUPS, groups_applies, groups_body},
    {TP_EXT_EC_POINT_FORMATS, full_shape, point_formats_body},
    {TP_EXT_SIGNATURE_ALGORITHMS, sigalgs_applies, sigalgs_body},
    {TP_EXT_ALPN, alpn_applies, alpn_body},
    {TP_EXT_SUPPORTED_VERSIONS, is_tls13, versions_body},
    {TP_EXT_KEY_SHARE, is_tls13, key_share_body},
};

static void cipher_list(const struct tp_client_hello_opts *opts,
                        const uint16_t **out_list, size_t *out_n) {
  int modern = opts->ciphers == TP_CIPHERS_MODERN;
  switch (opts->version) {
    case TP_SSL3:
      *out_list = kSSL3Ciphers;
      *out_n = COUNT(kSSL3Ciphers);
      return;
    case TP_TLS10:
    case TP_TLS11:
      *out_list = modern ? kTLS10ModernCiphers : kTLS10BroadCiphers;
      *out_n = modern ? COUNT(kTLS10ModernCiphers) : COUNT(kTLS10BroadCiphers);
      return;
    case TP_TLS12:
      *out_list = modern ? kTLS12ModernCiphers : kTLS12BroadCiphers;
      *out_n = modern ? COUNT(kTLS12ModernCiphers) : COUNT(kTLS12BroadCiphers);
      return;
    default:
      *out_list = modern ? kTLS13OnlyCiphers : kTLS13Ciphers;
      *out_n = modern ? COUNT(kTLS13OnlyCiphers) : COUNT(kTLS13Ciphers);
      return;
  }
}

/* opts_valid checks what every hello needs. |strict| also wants the bytes
 * that change per probe (random, and the key share for 1.3); a template may
 * leave them out and have them patched in later. */
static int opts_valid(const struct tp_client_hello_opts *opts, int strict) {
  switch (opts->version) {
    case TP_SSL3:
    case TP_TLS10:
    case TP_TLS11:
    case TP_TLS12:
      break;
    case TP_TLS13:
      if (strict && opts->x25519_share == NULL) {
        return 0;
      }
      break;
    default:
      return 0;
  }
  if ((strict && opts->random == NULL) || (opts->alpn_count > 0 && opts->alpn == NULL)) {
    return 0;
  }
  for (size_t i = 0; i < opts->alpn_count; i++) {
    size_t n = opts->alpn[i] == NULL ? 0 : strlen(opts->alpn[i]);
    if (n == 0 || n > 255) {
      return 0;
    }
  }
  return 1;
}

int tp_hello_template_init(struct tp_hello_template *t,
                           const struct tp_client_hello_opts *opts) {
  if (!opts_valid(opts, 0)) {
    return 0;
  }
  /* No SNI here: it is the first extension and goes in per probe. */
  struct hello_ctx ctx = {.opts = opts};
  struct tp_client_hello_layout layout = {0};
  const uint16_t *ciphers;
  size_t n_ciphers;
  cipher_list(opts, &ciphers, &n_ciphers);
  int with_extensions = opts->version >= TP_TLS12 || (opts->version != TP_SSL3 && !opts->minimal);
  t->version = opts->version;
  t->sni_allowed = with_extensions && !opts->minimal;
  t->pad = with_extensions && !opts->minimal;
  t->ext_list_at = 0;

  tp_cbb b;
  tp_cbb_init(&b, t->bytes, sizeof(t->bytes));
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  /* legacy_record_version: 0x0301 for everything from TLS 1.0 on, as
   * browsers send it, since some old servers reject higher record versions. */
  tp_cbb_add_u16(&b, opts->version == TP_SSL3 ? TP_SSL3 : TP_TLS10);
  tp_cbb_open_u16(&b); /* fragment */
  tp_cbb_add_u8(&b, TP_HS_CLIENT_HELLO);
  tp_cbb_open_u24(&b); /* ClientHello */
  tp_cbb_add_u16(&b, opts->version == TP_TLS13 ? TP_TLS12 : opts->version);
  layout.random_at = b.len;
  add_or_zeros(&b, opts->random, 32);
  tp_cbb_open_u8(&b); /* legacy_session_id */
  if (opts->session_id != NULL) {
    layout.session_id_at = b.len;
    tp_cbb_add_bytes(&b, opts->session_id, 32);
  }
  tp_cbb_close(&b);
  tp_cbb_open_u16(&b); /* cipher_suites */
  tp_cbb_add_u16_list(&b, ciphers, n_ciphers);
  tp_cbb_add_u16(&b, TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  layout.cipher_count = n_ciphers + 1;
  /* The SCSV offers secure renegotiation as the extension would
   * (RFC 5746, 3.3), so a renegotiation_info answer is solicited. */
  layout.offered_exts |= 1u << TP_EXT_BIT_RENEGOTIATION_INFO;
  if (opts->fallback_scsv) {
    tp_cbb_add_u16(&b, TP_TLS_FALLBACK_SCSV);
    layout.cipher_count++;
  }
  tp_cbb_close(&b);
  tp_cbb_open_u8(&b); /* legacy_compression_methods */
  tp_cbb_add_u8(&b, 0); /* null */
  tp_cbb_close(&b);

  if (with_extensions) {
    tp_cbb_open_u16(&b); /* extensions */
    t->ext_list_at = b.len;
    for (size_t i = 0; i < COUNT(kExtensions); i++) {
      const struct ext_writer *e = &kExtensions[i];
      if (!e->applies(&ctx)) {
        continue;
      }
      tp_cbb_add_u16(&b, e->type);
      tp_cbb_open_u16(&b); /* extension_data */
      e->body(&b, &ctx);
      tp_cbb_close(&b);
      layout.offered_exts |= 1u << tp_ext_bit_of(e->type);
    }
    tp_cbb_close(&b);
  }
  tp_cbb_close(&b); /* ClientHello */
  tp_cbb_close(&b); /* fragment */
  if (!tp_cbb_finish(&b, &t->len)) {
    return 0;
  }
  layout.key_share_at = ctx.key_share_at;
  t->layout = layout;
  return 1;
}

/* The fixed headers a hello starts with: record (type, version, length) and
 * handshake (type, length). */
#define HELLO_HEADERS_LEN (5 + 4)

int tp_hello_from_template(const struct tp_hello_template *t, const char *sni,
                           const uint8_t *random, const uint8_t *session_id,
                           const uint8_t *x25519_share, uint8_t *out, size_t cap,
                           size_t *out_len, struct tp_client_hello_layout *out_layout) {
  struct tp_client_hello_layout layout = t->layout;
  size_t sni_len = 0;
  if (t->sni_allowed && tp_sni_usable(sni)) {
    sni_len = strlen(sni);
    if (sni[sni_len - 1] == '.') {
      sni_len--; /* RFC 6066, 3: "without a trailing dot" */
    }
  }
  /* Everything before the extensions is the template's, bar the lengths of
   * the two headers, which the writer recomputes. */
  size_t head_end = t->ext_list_at != 0 ? t->ext_list_at - 2 : t->len;
  tp_cbb b;
  /* Never more than TP_CLIENT_HELLO_MAX, whatever the caller has room for:
   * callers size their buffers by it. */
  tp_cbb_init(&b, out, cap < TP_CLIENT_HELLO_MAX ? cap : TP_CLIENT_HELLO_MAX);
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(&b, (uint16_t)(t->bytes[1] << 8 | t->bytes[2]));
  tp_cbb_open_u16(&b); /* fragment */
  size_t msg_at = b.len;
  tp_cbb_add_u8(&b, TP_HS_CLIENT_HELLO);
  tp_cbb_open_u24(&b); /* ClientHello */
  tp_cbb_add_bytes(&b, t->bytes + HELLO_HEADERS_LEN, head_end - HELLO_HEADERS_LEN);
  if (t->ext_list_at != 0) {
    tp_cbb_open_u16(&b); /* extensions */
    if (sni_len > 0) {
      /* RFC 6066, 3: one host_name entry. The lengths are known (the name
       * is at most 253 bytes), so they are written, not counted. */
      tp_cbb_add_u16(&b, TP_EXT_SERVER_NAME);
      tp_cbb_add_u16(&b, (uint16_t)(sni_len + 5)); /* extension_data */
      tp_cbb_add_u16(&b, (uint16_t)(sni_len + 3)); /* server_name_list */
      tp_cbb_add_u8(&b, 0);                        /* name_type: host_name */
      tp_cbb_add_u16(&b, (uint16_t)sni_len);       /* HostName */
      tp_cbb_add_bytes(&b, (const uint8_t *)sni, sni_len);
      layout.offered_exts |= 1u << TP_EXT_BIT_SERVER_NAME;
    }
    size_t shift = b.len - t->ext_list_at;
    tp_cbb_add_bytes(&b, t->bytes + t->ext_list_at, t->len - t->ext_list_at);
    if (layout.key_share_at != 0) {
      layout.key_share_at += shift;
    }
    size_t msg_len = b.len - msg_at;
    if (t->pad && msg_len < TP_CLIENT_HELLO_PAD_TO) {
      size_t pad = msg_len + 4 >= TP_CLIENT_HELLO_PAD_TO
                       ? 0
                       : TP_CLIENT_HELLO_PAD_TO - msg_len - 4;
      tp_cbb_add_u16(&b, TP_EXT_PADDING);
      tp_cbb_open_u16(&b);
      tp_cbb_add_zeros(&b, pad);
      tp_cbb_close(&b);
      layout.offered_exts |= 1u << TP_EXT_BIT_PADDING;
    }
    tp_cbb_close(&b);
  }
  tp_cbb_close(&b); /* ClientHello */
  tp_cbb_close(&b); /* fragment */
  if (!tp_cbb_finish(&b, out_len)) {
    return 0;
  }
  /* The per-probe bytes sit before the extensions (random, session id) or
   * at a shifted offset inside them (key share). */
  if (random != NULL) {
    memcpy(out + layout.random_at, random, 32);
  }
  if (session_id != NULL && layout.session_id_at != 0) {
    memcpy(out + layout.session_id_at, session_id, 32);
  }
  if (x25519_share != NULL && layout.key_share_at != 0) {
    memcpy(out + layout.key_share_at, x25519_share, 32);
  }
  if (out_layout != NULL) {
    *out_layout = layout;
  }
  return 1;
}

int tp_build_client_hello(const struct tp_client_hello_opts *opts, uint8_t *out,
                          size_t cap, size_t *out_len,
                          struct tp_client_hello_layout *out_layout) {
  struct tp_hello_template t;
  if (!opts_valid(opts, 1) || !tp_hello_template_init(&t, opts)) {
    return 0;
  }
  return tp_hello_from_template(&t, opts->sni, NULL, NULL, NULL, out, cap, out_len,
                                out_layout);
}
