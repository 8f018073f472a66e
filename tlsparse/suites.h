/* tlsparse/suites.h: every cipher suite tlsparse knows, and its classes.
 *
 * One table (suites.c) lists the suites by code with their IANA registry
 * names: the whole TLS Cipher Suites registry, plus a few that the registry
 * only reserves but old servers deployed (OpenSSL 0.9.8's EXPORT1024 suites,
 * 0x0060-0x0066; the pre-RFC ChaCha20 suites of 2014-2016, 0xCC13-0xCC15).
 * Everything else about a suite is derived from its name, which the registry
 * spells as KX_WITH_CIPHER_MAC ("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256") or,
 * for TLS 1.3, CIPHER_HASH ("TLS_AES_128_GCM_SHA256"): key exchange,
 * authentication, cipher and its mode, MAC, the versions it can be
 * negotiated in, and the flags a compliance report needs (suites_test
 * checks the derivation against rows checked by hand). Pure and const, as
 * the rest of tlsparse. */
#ifndef TLSPARSE_SUITES_H
#define TLSPARSE_SUITES_H

#include <stddef.h>
#include <stdint.h>

/* Key exchange. DH_anon and ECDH_anon are ephemeral (DHE, ECDHE) with
 * TP_AUTH_ANON. TP_KX_ANY: TLS 1.3, where the suite does not say. */
enum tp_kx {
  TP_KX_NULL,
  TP_KX_RSA,       /* RSA key transport (EXPORT: a temporary 512-bit RSA key) */
  TP_KX_DH,        /* static Diffie-Hellman, from the certificate */
  TP_KX_DHE,
  TP_KX_ECDH,      /* static ECDH, from the certificate */
  TP_KX_ECDHE,
  TP_KX_PSK,
  TP_KX_DHE_PSK,
  TP_KX_RSA_PSK,
  TP_KX_ECDHE_PSK,
  TP_KX_SRP,
  TP_KX_KRB5,
  TP_KX_ECCPWD,
  TP_KX_GOST,      /* GOST R 34.10-2012 key transport (RFC 9189) */
  TP_KX_ANY,
  TP_KX_COUNT,
};

/* Authentication of the server. */
enum tp_auth {
  TP_AUTH_NULL,
  TP_AUTH_RSA,
  TP_AUTH_DSS,
  TP_AUTH_ECDSA,
  TP_AUTH_ANON,
  TP_AUTH_PSK,
  TP_AUTH_SRP,
  TP_AUTH_KRB5,
  TP_AUTH_PWD,
  TP_AUTH_GOST,
  TP_AUTH_ANY,
  TP_AUTH_COUNT,
};

/* Bulk cipher. */
enum tp_enc {
  TP_ENC_NULL,
  TP_ENC_RC4,
  TP_ENC_RC2,
  TP_ENC_DES,
  TP_ENC_3DES,
  TP_ENC_IDEA,
  TP_ENC_SEED,
  TP_ENC_AES,
  TP_ENC_CAMELLIA,
  TP_ENC_ARIA,
  TP_ENC_CHACHA20,
  TP_ENC_SM4,
  TP_ENC_KUZNYECHIK,
  TP_ENC_MAGMA,
  TP_ENC_GOST28147,
  TP_ENC_COUNT,
};

/* How the cipher is used. */
enum tp_mode {
  TP_MODE_NONE,      /* no encryption */
  TP_MODE_STREAM,    /* RC4 */
  TP_MODE_CBC,
  TP_MODE_GCM,
  TP_MODE_CCM,
  TP_MODE_CCM_8,
  TP_MODE_POLY1305,
  TP_MODE_CTR_OMAC,  /* RFC 9189 */
  TP_MODE_CNT_IMIT,  /* RFC 9189, GOST 28147-89 */
  TP_MODE_MGM,       /* RFC 9367 */
  TP_MODE_COUNT,
};

/* Record integrity: an HMAC (or a GOST MAC), or the AEAD itself. */
enum tp_mac {
  TP_MAC_NULL,
  TP_MAC_MD5,
  TP_MAC_SHA1,
  TP_MAC_SHA256,
  TP_MAC_SHA384,
  TP_MAC_GOST,       /* OMAC or IMIT, part of the cipher's name */
  TP_MAC_AEAD,
  TP_MAC_COUNT,
};

/* Flags, by bit. Their names (tp_suite_flag_name) are what reports print. */
enum tp_suite_flag {
  TP_SUITE_NULL,      /* no encryption */
  TP_SUITE_ANON,      /* no authentication of the server */
  TP_SUITE_EXPORT,    /* export grade: 40- or 56-bit keys, 512/1024-bit key exchange */
  TP_SUITE_RC4,       /* RFC 7465 prohibits it */
  TP_SUITE_DES,       /* single DES (56 bits or fewer) */
  TP_SUITE_3DES,      /* triple DES: a 64-bit block (SWEET32, CVE-2016-2183) */
  TP_SUITE_BLOCK64,   /* any 64-bit block cipher: DES, 3DES, IDEA, RC2, Magma, GOST 28147 */
  TP_SUITE_CBC,       /* a block cipher in CBC mode (BEAST before TLS 1.1, Lucky 13) */
  TP_SUITE_NO_PFS,    /* no forward secrecy: the key exchange is not ephemeral */
  TP_SUITE_SHA1_MAC,  /* HMAC-SHA1 */
  TP_SUITE_MD5_MAC,   /* HMAC-MD5 */
  TP_SUITE_FLAG_COUNT,
};

/* tp_suite_version_bit is the bit of wire version |v| (TP_SSL3..TP_TLS13)
 * in tp_suite_info.versions. */
#define TP_SUITE_VERSION_BIT(v) (1u << ((unsigned)(v) - 0x0300u))

struct tp_suite_info {
  uint16_t code;
  const char *name;       /* the registry's (static) */
  int iana;               /* registered (0: a deployed one the registry only reserves) */
  enum tp_kx kx;
  enum tp_auth auth;
  enum tp_enc enc;
  enum tp_mode mode;
  uint16_t enc_bits;      /* the cipher's key length (0 for NULL) */
  enum tp_mac mac;
  /* Versions the suite can be negotiated in (TP_SUITE_VERSION_BIT): TLS 1.3
   * suites in 1.3 only; AEAD suites and those with a SHA-256 or SHA-384 MAC
   * in 1.2 only (their PRF is 1.2's); the rest in SSLv3 to TLS 1.2. Suites a
   * later specification retired from a version (export from 1.1, DES and
   * IDEA from 1.2) keep it: a server that negotiates one there is exactly
   * what a scan must find. 0 for TLS_NULL_WITH_NULL_NULL, which no server
   * may choose. */
  uint8_t versions;
  uint32_t flags;         /* 1u << enum tp_suite_flag */
};

/* tp_suite_classify derives the info of the suite named |name| (its code
 * and |iana| are left 0). Returns 1, or 0 for a name it cannot read. */
int tp_suite_classify(const char *name, struct tp_suite_info *out);

/* tp_suite_info looks |code| up in the table and classifies it. Returns 1,
 * or 0 for a code that is not a known suite (signalling values such as the
 * renegotiation SCSV are named by tp_cipher_name but are not suites). */
int tp_suite_info(uint16_t code, struct tp_suite_info *out);

/* The table, in code order, for walking it: tp_suite_count entries,
 * signalling values included. */
size_t tp_suite_count(void);
uint16_t tp_suite_code_at(size_t i);

/* tp_suites_for_version writes the codes of every suite that version
 * |version| can negotiate, in code order, into |out| (|cap| entries) and
 * returns how many there are (more than |cap| when they did not fit). */
size_t tp_suites_for_version(uint16_t version, uint16_t *out, size_t cap);

/* Names, as reports print them; NULL for values out of range. */
const char *tp_suite_flag_name(enum tp_suite_flag f); /* "3des", "no_pfs" */
const char *tp_kx_name(enum tp_kx kx);                /* "ECDHE" */
const char *tp_auth_name(enum tp_auth auth);          /* "RSA" */
const char *tp_enc_name(enum tp_enc enc);             /* "AES" */
const char *tp_mode_name(enum tp_mode mode);          /* "GCM" */
const char *tp_mac_name(enum tp_mac mac);             /* "SHA1" */

/* tp_suite_flag_from_name parses a flag's name. Returns 1 and |*out|, or 0. */
int tp_suite_flag_from_name(const char *name, enum tp_suite_flag *out);

#endif /* TLSPARSE_SUITES_H */
