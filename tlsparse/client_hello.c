/* tlsparse/client_hello.c: ClientHellos pinned to one protocol version.
 *
 * A probe must make a server answer with the version it would really use, so
 * each hello looks like what a client of that version's era sent: SSLv3 with
 * no extensions; TLS 1.0-1.2 with legacy_version set to the pinned version and
 * no supported_versions (RFC 8446, 4.2.1: a server then negotiates from
 * legacy_version alone); TLS 1.3 with legacy_version 0x0303 and
 * supported_versions = {0x0304}. Cipher lists are broad, because a server of
 * 2005 that only knows RC4 or 3DES must still be able to say yes; the cheap
 * profile offers the same suites in an order that lets a server honouring
 * the client's order answer without signing. The
 * renegotiation SCSV (RFC 5746) stands in for the extension, so SSLv3 hellos
 * carry it too. Hellos are padded to 512 bytes (RFC 7685) because some
 * middleboxes hang on hellos of 256-511 bytes.
 *
 * The extensions come from the table in extensions.c, which writes each one
 * these options call for and sets its bit in the mask of what was offered,
 * so a ServerHello extension we never offered can be reported. */
#include <string.h>

#include "tlsparse/internal.h"
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

/* The cheap lists: each broad list's suites, static RSA key exchange first
 * (TLS_RSA_WITH_*: "it is not legal to send the server key exchange message"
 * for them, RFC 5246, 7.4.3, so the server signs nothing and makes no
 * ephemeral key), then the rest, each part in the broad list's order. Export RSA suites stay with the rest: with a certificate key
 * over 512 bits they sign a temporary key. A unit test checks that each is
 * this partition of its broad list. */

static const uint16_t kSSL3CheapCiphers[] = {
    0x0035, 0x002f, 0x000a, 0x0005, 0x0004, 0x0009, /* RSA AES, 3DES, RC4, DES */
    0xc014, 0xc013, 0xc00a, 0xc009, 0x0039, 0x0033, /* then as kSSL3Ciphers */
    0xc012, 0x0016, 0x0013, 0x0015, 0x0014, 0x0008, 0x0006, 0x0003,
};

static const uint16_t kTLS10CheapCiphers[] = {
    0x0035, 0x002f, 0x0084, 0x0041, 0x0096,         /* RSA AES, CAMELLIA, SEED */
    0x000a, 0x0005, 0x0004, 0x0009, 0x0007,         /* RSA 3DES, RC4, DES, IDEA */
    0xc00a, 0xc014, 0xc009, 0xc013, 0x0039, 0x0038, /* then as kTLS10BroadCiphers */
    0x0033, 0x0032, 0x0088, 0x0087, 0x0045, 0x0044,
    0xc008, 0xc012, 0x0016, 0x0013, 0xc007, 0xc011, 0x0015, 0x0012,
};

static const uint16_t kTLS12CheapCiphers[] = {
    0x009d, 0x009c, 0x003d, 0x003c, 0x0035, 0x002f, /* RSA AES-GCM, AES CBC */
    0x00c0, 0x00ba, 0x0084, 0x0041, 0x0096,         /* RSA CAMELLIA, SEED */
    0x000a, 0x0005, 0x0004,                         /* RSA 3DES, RC4 */
    0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, /* then as kTLS12BroadCiphers */
    0x009f, 0x009e, 0xccaa, 0x00a3, 0x00a2, 0xc0ad, 0xc0ac, 0xc09f, 0xc09e,
    0xc024, 0xc028, 0xc023, 0xc027, 0x006b, 0x0067, 0x006a, 0x0040,
    0xc00a, 0xc014, 0xc009, 0xc013, 0x0039, 0x0038, 0x0033, 0x0032,
    0x00c4, 0x00be, 0x0088, 0x0045, 0xc008, 0xc012, 0x0016, 0x0013, 0xc007, 0xc011,
};

/* The 1.3 suites lead unchanged; the 1.2 tail, there for 1.2-only servers
 * that answer a 1.3 probe with 1.2, puts RSA key exchange first too. */
static const uint16_t kTLS13CheapCiphers[] = {
    0x1301, 0x1302, 0x1303,                         /* AES_128_GCM, AES_256_GCM, CHACHA20 */
    0x009c, 0x002f, 0x0035,                         /* RSA AES */
    0xc02c, 0xc030, 0xc02b, 0xc02f, 0xcca9, 0xcca8, /* ECDHE AES-GCM, CHACHA20 */
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

struct suites {
  const uint16_t *list;
  size_t n;
};
#define SUITES(a) {a, COUNT(a)}

/* kSuites[version - TP_SSL3][profile]. SSLv3 has one list, so its MODERN
 * is its BROAD. */
static const struct suites kSuites[5][3] = {
    {SUITES(kSSL3Ciphers), SUITES(kSSL3Ciphers), SUITES(kSSL3CheapCiphers)},
    {SUITES(kTLS10BroadCiphers), SUITES(kTLS10ModernCiphers), SUITES(kTLS10CheapCiphers)},
    {SUITES(kTLS10BroadCiphers), SUITES(kTLS10ModernCiphers), SUITES(kTLS10CheapCiphers)},
    {SUITES(kTLS12BroadCiphers), SUITES(kTLS12ModernCiphers), SUITES(kTLS12CheapCiphers)},
    {SUITES(kTLS13Ciphers), SUITES(kTLS13OnlyCiphers), SUITES(kTLS13CheapCiphers)},
};

/* A hello starts with the record header (type, version, length), then the
 * handshake header (type, length). */
#define HELLO_MSG_AT 5
#define HELLO_HEADERS_LEN (HELLO_MSG_AT + 4)

/* Character classes for host names: 1 a character of a label (letter,
 * digit, '-' or '_'), 2 the dot between labels; 0 anything that cannot be in
 * a name sent as SNI, the terminating NUL included. */
static const uint8_t kNameClass[256] = {
    ['-'] = 1, ['_'] = 1, ['.'] = 2,
    ['0'] = 1, ['1'] = 1, ['2'] = 1, ['3'] = 1, ['4'] = 1,
    ['5'] = 1, ['6'] = 1, ['7'] = 1, ['8'] = 1, ['9'] = 1,
    ['a'] = 1, ['b'] = 1, ['c'] = 1, ['d'] = 1, ['e'] = 1, ['f'] = 1, ['g'] = 1,
    ['h'] = 1, ['i'] = 1, ['j'] = 1, ['k'] = 1, ['l'] = 1, ['m'] = 1, ['n'] = 1,
    ['o'] = 1, ['p'] = 1, ['q'] = 1, ['r'] = 1, ['s'] = 1, ['t'] = 1, ['u'] = 1,
    ['v'] = 1, ['w'] = 1, ['x'] = 1, ['y'] = 1, ['z'] = 1,
    ['A'] = 1, ['B'] = 1, ['C'] = 1, ['D'] = 1, ['E'] = 1, ['F'] = 1, ['G'] = 1,
    ['H'] = 1, ['I'] = 1, ['J'] = 1, ['K'] = 1, ['L'] = 1, ['M'] = 1, ['N'] = 1,
    ['O'] = 1, ['P'] = 1, ['Q'] = 1, ['R'] = 1, ['S'] = 1, ['T'] = 1, ['U'] = 1,
    ['V'] = 1, ['W'] = 1, ['X'] = 1, ['Y'] = 1, ['Z'] = 1,
};

/* sni_length returns how many bytes of |name| go in server_name: its length
 * without a trailing dot (RFC 6066, 3), or 0 when it may not be sent (see
 * tp_sni_usable). One pass and no strlen: every probe of a named target
 * comes here, so the loop does the least per character and measures labels
 * at the dots. */
static size_t sni_length(const char *name) {
  if (name == NULL) {
    return 0;
  }
  const char *label = name; /* the label being read */
  const char *last = name;  /* the one before it */
  const char *p = name;
  for (;; p++) {
    uint8_t cls = kNameClass[(uint8_t)*p];
    if (cls == 1) {
      continue;
    }
    if (cls != 2) {
      break; /* the end, or a character no host name has (':' rules out IPv6) */
    }
    if (p == label || p - label > 63) {
      return 0;
    }
    last = label;
    label = p + 1;
  }
  if (*p != '\0' || p == name) {
    return 0;
  }
  size_t len = (size_t)(p - name);
  if (p == label) {
    len--; /* a trailing dot: the last label is the one before it */
  } else if (p - label > 63) {
    return 0;
  } else {
    last = label;
  }
  if (len > 253) {
    return 0;
  }
  /* No top-level domain is all digits, so such a name is an IPv4 literal
   * (or one written in a shorthand such as "127.1"). */
  for (const char *q = last; q < name + len; q++) {
    if (*q < '0' || *q > '9') {
      return len;
    }
  }
  return 0;
}

int tp_sni_usable(const char *name) {
  return sni_length(name) != 0;
}

/* add_or_zeros writes |len| bytes of |data|, or zeros when it is NULL. */
static void add_or_zeros(tp_cbb *b, const uint8_t *data, size_t len) {
  if (data != NULL) {
    tp_cbb_add_bytes(b, data, len);
  } else {
    tp_cbb_add_zeros(b, len);
  }
}

/* opts_valid checks what every hello needs. |strict| also wants the bytes
 * that change per probe (random, and the key share for 1.3 unless it is
 * empty); a template may leave them out and have them patched in later. */
static int opts_valid(const struct tp_client_hello_opts *opts, int strict) {
  switch (opts->version) {
    case TP_SSL3:
    case TP_TLS10:
    case TP_TLS11:
    case TP_TLS12:
      break;
    case TP_TLS13:
      if (strict && opts->x25519_share == NULL && !opts->key_share_empty) {
        return 0;
      }
      break;
    default:
      return 0;
  }
  if ((unsigned)opts->ciphers > TP_CIPHERS_CHEAP ||
      (opts->cipher_list != NULL && opts->cipher_list_len == 0)) {
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

/* The shape of a hello: whether it has an extension block at all, and
 * whether it carries server_name and padding. The minimal shape of SSLv3 to
 * TLS 1.1 has no extensions; the minimal TLS 1.2 and 1.3 shapes have only
 * what those versions cannot do without, and neither SNI nor padding. */
struct shape {
  int extensions;
  int sni_and_padding;
};

static struct shape shape_of(const struct tp_client_hello_opts *opts) {
  struct shape s;
  s.extensions = opts->version >= TP_TLS12 || (opts->version != TP_SSL3 && !opts->minimal);
  s.sni_and_padding = s.extensions && !opts->minimal;
  return s;
}

/* legacy_record_version: 0x0301 for everything from TLS 1.0 on, as
 * browsers send it, since some old servers reject higher record versions. */
static uint16_t record_version_of(uint16_t version) {
  return version == TP_SSL3 ? TP_SSL3 : TP_TLS10;
}

/* write_hello writes the whole ClientHello record for |ctx->opts| into |b|,
 * with server_name and padding as |ctx| says (a template has neither),
 * fills |*layout| and sets |*out_ext_list_at| to the offset of the first
 * extension (0 without an extension block). */
static void write_hello(tp_cbb *b, struct tp_hello_ctx *ctx,
                        struct tp_client_hello_layout *layout, size_t *out_ext_list_at) {
  const struct tp_client_hello_opts *opts = ctx->opts;
  struct suites suites = kSuites[opts->version - TP_SSL3][opts->ciphers];
  if (opts->cipher_list != NULL) {
    suites.list = opts->cipher_list;
    suites.n = opts->cipher_list_len;
  }
  memset(layout, 0, sizeof(*layout));
  *out_ext_list_at = 0;

  tp_cbb_add_u8(b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(b, record_version_of(opts->version));
  tp_cbb_open_u16(b); /* fragment */
  tp_cbb_add_u8(b, TP_HS_CLIENT_HELLO);
  tp_cbb_open_u24(b); /* ClientHello */
  tp_cbb_add_u16(b, opts->version == TP_TLS13 ? TP_TLS12 : opts->version);
  layout->random_at = b->len;
  add_or_zeros(b, opts->random, 32);
  tp_cbb_open_u8(b); /* legacy_session_id */
  if (opts->session_id != NULL) {
    layout->session_id_at = b->len;
    tp_cbb_add_bytes(b, opts->session_id, 32);
  }
  tp_cbb_close(b);
  tp_cbb_open_u16(b); /* cipher_suites */
  tp_cbb_add_u16_list(b, suites.list, suites.n);
  tp_cbb_add_u16(b, TP_TLS_EMPTY_RENEGOTIATION_INFO_SCSV);
  layout->cipher_count = suites.n + 1;
  /* The SCSV offers secure renegotiation as the extension would
   * (RFC 5746, 3.3), so a renegotiation_info answer is solicited. */
  layout->offered_exts |= 1u << TP_EXT_BIT_RENEGOTIATION_INFO;
  if (opts->fallback_scsv) {
    tp_cbb_add_u16(b, TP_TLS_FALLBACK_SCSV);
    layout->cipher_count++;
  }
  tp_cbb_close(b);
  tp_cbb_add_u8(b, 1); /* legacy_compression_methods: one, */
  tp_cbb_add_u8(b, 0); /* null */
  if (shape_of(opts).extensions) {
    tp_cbb_open_u16(b); /* extensions */
    *out_ext_list_at = b->len;
    tp_add_clienthello_extensions(b, ctx, &layout->offered_exts);
    tp_cbb_close(b);
  }
  tp_cbb_close(b); /* ClientHello */
  tp_cbb_close(b); /* fragment */
  layout->key_share_at = ctx->key_share_at;
}

int tp_hello_template_init(struct tp_hello_template *t,
                           const struct tp_client_hello_opts *opts) {
  if (!opts_valid(opts, 0)) {
    return 0;
  }
  struct shape s = shape_of(opts);
  t->version = opts->version;
  t->sni_allowed = s.sni_and_padding;
  t->pad = s.sni_and_padding;
  /* No SNI and no padding here: they go in per probe. */
  struct tp_hello_ctx ctx = {.opts = opts, .msg_at = HELLO_MSG_AT};
  tp_cbb b;
  tp_cbb_init(&b, t->bytes, sizeof(t->bytes));
  write_hello(&b, &ctx, &t->layout, &t->ext_list_at);
  return tp_cbb_finish(&b, &t->len);
}

int tp_hello_from_template(const struct tp_hello_template *t, const char *sni,
                           const uint8_t *random, const uint8_t *session_id,
                           const uint8_t *x25519_share, uint8_t *out, size_t cap,
                           size_t *out_len, struct tp_client_hello_layout *out_layout) {
  struct tp_client_hello_layout layout = t->layout;
  struct tp_hello_ctx ctx = {.sni = sni, .pad = t->pad, .msg_at = HELLO_MSG_AT};
  if (t->sni_allowed) {
    ctx.sni_len = sni_length(sni);
  }
  /* Everything before the extensions is the template's, bar the lengths of
   * the two headers, which the writer recomputes. */
  size_t head_end = t->ext_list_at != 0 ? t->ext_list_at - 2 : t->len;
  tp_cbb b;
  /* Never more than TP_CLIENT_HELLO_MAX, whatever the caller has room for:
   * callers size their buffers by it. */
  tp_cbb_init(&b, out, cap < TP_CLIENT_HELLO_MAX ? cap : TP_CLIENT_HELLO_MAX);
  tp_cbb_add_u8(&b, TP_RECORD_HANDSHAKE);
  tp_cbb_add_u16(&b, record_version_of(t->version));
  tp_cbb_open_u16(&b); /* fragment */
  tp_cbb_add_u8(&b, TP_HS_CLIENT_HELLO);
  tp_cbb_open_u24(&b); /* ClientHello */
  tp_cbb_add_bytes(&b, t->bytes + HELLO_HEADERS_LEN, head_end - HELLO_HEADERS_LEN);
  if (t->ext_list_at != 0) {
    tp_cbb_open_u16(&b); /* extensions */
    tp_add_clienthello_extension(&b, &ctx, TP_EXT_BIT_SERVER_NAME, &layout.offered_exts);
    size_t shift = b.len - t->ext_list_at;
    tp_cbb_add_bytes(&b, t->bytes + t->ext_list_at, t->len - t->ext_list_at);
    if (layout.key_share_at != 0) {
      layout.key_share_at += shift;
    }
    tp_add_clienthello_extension(&b, &ctx, TP_EXT_BIT_PADDING, &layout.offered_exts);
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
  if (!opts_valid(opts, 1)) {
    return 0;
  }
  /* The template's steps in one pass, straight into |out|: the same
   * writers, with server_name and padding in their places. */
  struct tp_hello_ctx ctx = {.opts = opts, .msg_at = HELLO_MSG_AT};
  if (shape_of(opts).sni_and_padding) {
    ctx.sni = opts->sni;
    ctx.sni_len = sni_length(opts->sni);
    ctx.pad = 1;
  }
  struct tp_client_hello_layout layout;
  size_t ext_list_at;
  tp_cbb b;
  /* At most TP_CLIENT_HELLO_MAX, as tp_hello_from_template writes. */
  tp_cbb_init(&b, out, cap < TP_CLIENT_HELLO_MAX ? cap : TP_CLIENT_HELLO_MAX);
  write_hello(&b, &ctx, &layout, &ext_list_at);
  if (!tp_cbb_finish(&b, out_len)) {
    return 0;
  }
  if (out_layout != NULL) {
    *out_layout = layout;
  }
  return 1;
}
