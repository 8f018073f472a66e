/* scanner/output/cert.c: what a server's certificate chain says (see cert.h).
 *
 * The chain arrives as DER (the CRYPTO_BUFFERs BoringSSL keeps from the
 * handshake, whichever X.509 method the SSL_CTX uses). The leaf and up to
 * CERT_CHAIN_MAX further certificates are parsed into short-lived X509
 * objects; the leaf's fields are copied out into the fixed-size cert_info,
 * the chain is verified with a fresh X509_STORE_CTX over the shared store,
 * and everything parsed is freed before returning, so a cert_info owns no
 * memory. Parsing costs tens of microseconds, small beside the handshake
 * that delivered the chain.
 *
 * Names are printed by X509_NAME_print_ex in RFC 2253 form, but without
 * escaping bytes above 127 and, unless the name holds BMPString or
 * UniversalString values, without decoding the strings by their declared
 * type: servers put UTF-8 in T61String and PrintableString values all the
 * time, and printing those bytes as they are keeps such names readable once
 * utf8_sanitize has passed them (a decode as Latin-1 would turn "é" into
 * "Ã©"). Control characters are still escaped ("\01"), as RFC 2253 asks. */
#include "scanner/output/cert.h"

#include <arpa/inet.h>
#include <limits.h>
#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/ec_key.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/nid.h>
#include <openssl/obj.h>
#include <openssl/pool.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>

#include "scanner/base/outbuf.h"

/* ---- trust store --------------------------------------------------------- */

/* Debian's bundle of the system's trust anchors (update-ca-certificates). */
static const char kSystemBundle[] = "/etc/ssl/certs/ca-certificates.crt";

int cert_verifier_init(struct cert_verifier *v, const char *ca_file) {
  v->store = X509_STORE_new();
  if (v->store == NULL) {
    return 0;
  }
  int ok;
  if (ca_file != NULL) {
    ok = X509_STORE_load_locations(v->store, ca_file, NULL);
  } else {
    /* The bundle is read once, here. The default paths add a hashed
     * directory that is searched on every lookup that misses, which means
     * file opens under the store's lock for each self-signed or incomplete
     * chain a scan meets; it is only the fallback. */
    ok = X509_STORE_load_locations(v->store, kSystemBundle, NULL) ||
         X509_STORE_set_default_paths(v->store);
  }
  ERR_clear_error();
  if (!ok) {
    cert_verifier_free(v);
    return 0;
  }
  return 1;
}

void cert_verifier_free(struct cert_verifier *v) {
  X509_STORE_free(v->store);
  v->store = NULL;
}

/* ---- small helpers ------------------------------------------------------- */

/* utf8_cut returns how many of |len| bytes fit in |cap|, moving a cut that
 * would fall inside a UTF-8 sequence back to the sequence's start. Bytes
 * that are not UTF-8 are cut anywhere. */
static size_t utf8_cut(const uint8_t *p, size_t len, size_t cap) {
  if (len <= cap) {
    return len;
  }
  size_t k = cap;
  while (k > 0 && cap - k < 3 && (p[k] & 0xc0) == 0x80) {
    k--;
  }
  return (k < cap && p[k] >= 0xc0) ? k : cap;
}

/* copy_bounded copies up to |cap| - 1 bytes and a NUL. Returns the length. */
static size_t copy_bounded(char *out, size_t cap, const uint8_t *p, size_t len) {
  size_t n = utf8_cut(p, len, cap - 1);
  memcpy(out, p, n);
  out[n] = '\0';
  return n;
}

/* parse_der returns the certificate of exactly |len| bytes, or NULL. */
static X509 *parse_der(const uint8_t *der, size_t len) {
  if (len > LONG_MAX) {
    return NULL;
  }
  const uint8_t *p = der;
  X509 *x = d2i_X509(NULL, &p, (long)len);
  if (x != NULL && p != der + len) {
    X509_free(x);
    return NULL;
  }
  return x;
}

/* ---- the leaf's fields ---------------------------------------------------- */

static int name_has_wide_strings(const X509_NAME *name) {
  int n = X509_NAME_entry_count(name);
  for (int i = 0; i < n; i++) {
    int type = ASN1_STRING_type(X509_NAME_ENTRY_get_data(X509_NAME_get_entry(name, i)));
    if (type == V_ASN1_BMPSTRING || type == V_ASN1_UNIVERSALSTRING) {
      return 1;
    }
  }
  return 0;
}

/* print_name writes |name| in RFC 2253 form to |out| (see the file comment
 * for the flags). Returns 1, or 0 when memory ran out. */
static int print_name(const X509_NAME *name, char *out, size_t cap) {
  const unsigned long decoded = XN_FLAG_RFC2253 & ~(unsigned long)ASN1_STRFLGS_ESC_MSB;
  const unsigned long raw =
      (decoded & ~(unsigned long)ASN1_STRFLGS_UTF8_CONVERT) | ASN1_STRFLGS_IGNORE_TYPE;
  unsigned long tries[2];
  size_t num_tries = 0;
  if (name_has_wide_strings(name)) {
    tries[num_tries++] = decoded;
  }
  tries[num_tries++] = raw; /* cannot fail on content: every byte prints */
  for (size_t i = 0; i < num_tries; i++) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) {
      return 0;
    }
    const uint8_t *data;
    size_t len;
    int ok = X509_NAME_print_ex(bio, name, 0, tries[i]) >= 0 && BIO_mem_contents(bio, &data, &len);
    if (ok) {
      copy_bounded(out, cap, data, len);
    }
    BIO_free(bio);
    if (ok) {
      return 1;
    }
  }
  return 0;
}

/* format_ip writes an iPAddress: dotted or RFC 5952 text for 4 or 16 bytes,
 * hex for any other length (malformed, but worth seeing). */
static size_t format_ip(const uint8_t *ip, size_t len, char *out, size_t cap) {
  if ((len == 4 && inet_ntop(AF_INET, ip, out, (socklen_t)cap) != NULL) ||
      (len == 16 && inet_ntop(AF_INET6, ip, out, (socklen_t)cap) != NULL)) {
    return strlen(out);
  }
  if (len > (cap - 1) / 2) {
    len = (cap - 1) / 2;
  }
  hex_encode(out, ip, len);
  return 2 * len;
}

static void read_sans(X509 *leaf, struct cert_info *out) {
  GENERAL_NAMES *names = X509_get_ext_d2i(leaf, NID_subject_alt_name, NULL, NULL);
  size_t n = sk_GENERAL_NAME_num(names);
  for (size_t i = 0; i < n; i++) {
    const GENERAL_NAME *g = sk_GENERAL_NAME_value(names, i);
    if (g->type != GEN_DNS && g->type != GEN_IPADD) {
      continue;
    }
    if (out->san_count == CERT_SAN_MAX) {
      out->san_more++;
      continue;
    }
    struct cert_san *s = &out->san[out->san_count++];
    const ASN1_STRING *value = g->type == GEN_DNS ? g->d.dNSName : g->d.iPAddress;
    const uint8_t *bytes = ASN1_STRING_get0_data(value);
    size_t len = (size_t)ASN1_STRING_length(value);
    if (g->type == GEN_DNS) {
      s->type = CERT_SAN_DNS;
      s->len = (uint16_t)copy_bounded(s->value, sizeof(s->value), bytes, len);
    } else {
      s->type = CERT_SAN_IP;
      s->len = (uint16_t)format_ip(bytes, len, s->value, sizeof(s->value));
    }
  }
  GENERAL_NAMES_free(names);
}

/* to_posix converts a certificate time. ASN1_TIME_diff is the library's own
 * strict decoder of both UTCTime and GeneralizedTime. */
static int to_posix(const ASN1_TIME *t, const ASN1_TIME *epoch, time_t *out) {
  int days, secs;
  if (t == NULL || !ASN1_TIME_diff(&days, &secs, epoch, t)) {
    return 0;
  }
  *out = (time_t)days * 86400 + secs;
  return 1;
}

static void format_iso8601(time_t t, char *out, size_t cap) {
  struct tm tm;
  if (gmtime_r(&t, &tm) == NULL || strftime(out, cap, "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    out[0] = '\0';
  }
}

/* read_times fills the validity fields. Returns 1, or 0 when memory ran out. */
static int read_times(const X509 *leaf, time_t now, struct cert_info *out) {
  ASN1_TIME *epoch = ASN1_TIME_set(NULL, 0);
  if (epoch == NULL) {
    return 0;
  }
  if (to_posix(X509_get0_notBefore(leaf), epoch, &out->not_before_time) &&
      to_posix(X509_get0_notAfter(leaf), epoch, &out->not_after_time)) {
    out->times_known = 1;
    format_iso8601(out->not_before_time, out->not_before, sizeof(out->not_before));
    format_iso8601(out->not_after_time, out->not_after, sizeof(out->not_after));
    out->expired = now > out->not_after_time;
    out->not_yet_valid = now < out->not_before_time;
  } else {
    out->not_before_time = out->not_after_time = 0;
  }
  ASN1_TIME_free(epoch);
  return 1;
}

/* read_key describes |key| (NULL when the library cannot parse the leaf's
 * key: then the algorithm's name or OID is all there is). */
static void read_key(X509 *leaf, const EVP_PKEY *key, struct cert_info *out) {
  const char *type = NULL;
  if (key != NULL) {
    switch (EVP_PKEY_id(key)) {
      case EVP_PKEY_RSA: type = "RSA"; break;
      case EVP_PKEY_DSA: type = "DSA"; break;
      case EVP_PKEY_ED25519: type = "Ed25519"; break;
      case EVP_PKEY_EC: {
        type = "EC";
        const EC_GROUP *group = EC_KEY_get0_group(EVP_PKEY_get0_EC_KEY(key));
        int nid = group != NULL ? EC_GROUP_get_curve_name(group) : NID_undef;
        const char *curve = EC_curve_nid2nist(nid);
        if (curve == NULL && nid != NID_undef) {
          curve = OBJ_nid2sn(nid);
        }
        snprintf(out->key_curve, sizeof(out->key_curve), "%s", curve != NULL ? curve : "");
        break;
      }
      default: break;
    }
    int bits = EVP_PKEY_bits(key);
    out->key_bits = bits > 0 ? (uint32_t)bits : 0;
  }
  if (type != NULL) {
    snprintf(out->key_type, sizeof(out->key_type), "%s", type);
    return;
  }
  ASN1_OBJECT *alg = NULL;
  X509_PUBKEY_get0_param(&alg, NULL, NULL, NULL, X509_get_X509_PUBKEY(leaf));
  if (alg == NULL || OBJ_obj2txt(out->key_type, sizeof(out->key_type), alg, 0) <= 0) {
    snprintf(out->key_type, sizeof(out->key_type), "unknown");
  }
}

/* read_spki_digest hashes the leaf's SubjectPublicKeyInfo as encoded in
 * the certificate. */
static void read_spki_digest(X509 *leaf, struct cert_info *out) {
  uint8_t *spki = NULL;
  int n = i2d_X509_PUBKEY(X509_get_X509_PUBKEY(leaf), &spki);
  if (n > 0) {
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(spki, (size_t)n, digest);
    hex_encode(out->key_sha256, digest, sizeof(digest));
  }
  OPENSSL_free(spki);
}

static void read_signature(const X509 *leaf, struct cert_info *out) {
  const X509_ALGOR *alg = NULL;
  const ASN1_OBJECT *obj = NULL;
  X509_get0_signature(NULL, &alg, leaf);
  if (alg != NULL) {
    X509_ALGOR_get0(&obj, NULL, NULL, alg);
  }
  if (obj == NULL || OBJ_obj2txt(out->signature, sizeof(out->signature), obj, 0) <= 0) {
    snprintf(out->signature, sizeof(out->signature), "unknown");
  }
}

static void read_serial(const X509 *leaf, struct cert_info *out) {
  const ASN1_INTEGER *serial = X509_get0_serialNumber(leaf);
  const uint8_t *p = ASN1_STRING_get0_data(serial);
  size_t len = (size_t)ASN1_STRING_length(serial);
  char *w = out->serial;
  if (ASN1_STRING_type(serial) == V_ASN1_NEG_INTEGER) {
    *w++ = '-';
  }
  if (len == 0) {
    static const uint8_t kZero = 0;
    p = &kZero;
    len = 1;
  }
  if (len > CERT_SERIAL_MAX) {
    len = CERT_SERIAL_MAX;
    out->serial_truncated = 1;
  }
  hex_encode(w, p, len);
}

/* ---- judgements ----------------------------------------------------------- */

/* verify_chain runs X509_verify_cert at |now| for a TLS server. Returns 1, or
 * 0 when the verification context cannot be made. */
static int verify_chain(const struct cert_verifier *v, X509 *leaf, STACK_OF(X509) *untrusted,
                        time_t now, struct cert_info *out) {
  X509_STORE_CTX *ctx = X509_STORE_CTX_new();
  if (ctx == NULL || !X509_STORE_CTX_init(ctx, v->store, leaf, untrusted) ||
      !X509_STORE_CTX_set_default(ctx, "ssl_server")) {
    X509_STORE_CTX_free(ctx);
    return 0;
  }
  X509_STORE_CTX_set_time(ctx, 0, now);
  out->chain_verifies = X509_verify_cert(ctx) == 1;
  out->verify_error_code = X509_STORE_CTX_get_error(ctx);
  snprintf(out->verify_error, sizeof(out->verify_error), "%s",
           X509_verify_cert_error_string(out->verify_error_code));
  X509_STORE_CTX_free(ctx);
  return 1;
}

static int is_ip_literal(const char *host) {
  uint8_t addr[16];
  return inet_pton(AF_INET, host, addr) == 1 || inet_pton(AF_INET6, host, addr) == 1;
}

static void check_name(X509 *leaf, const char *host, struct cert_info *out) {
  if (host == NULL || host[0] == '\0') {
    return;
  }
  out->name_checked = 1;
  if (is_ip_literal(host)) {
    out->name_matches = X509_check_ip_asc(leaf, host, 0) == 1;
    return;
  }
  size_t len = strlen(host);
  if (len > 1 && host[len - 1] == '.') {
    len--; /* "example.com." is example.com */
  }
  out->name_matches = X509_check_host(leaf, host, len, X509_CHECK_FLAG_NEVER_CHECK_SUBJECT,
                                      NULL) == 1;
}

static int is_self_signed(X509 *leaf, EVP_PKEY *key) {
  return key != NULL && X509_check_issued(leaf, leaf) == X509_V_OK && X509_verify(leaf, key) == 1;
}

/* ---- entry points --------------------------------------------------------- */

/* fill_from_der does the work of both entry points: it reads |n_parse|
 * certificates of a chain of |n_total|. */
static int fill_from_der(const uint8_t *const *der, const size_t *len, size_t n_parse,
                         size_t n_total, const struct cert_verifier *v, const char *host,
                         time_t now, struct cert_info *out) {
  memset(out, 0, sizeof(*out));
  if (n_parse == 0) {
    return 0;
  }
  X509 *leaf = parse_der(der[0], len[0]);
  STACK_OF(X509) *untrusted = sk_X509_new_null();
  int ok = leaf != NULL && untrusted != NULL;
  /* An extra certificate that does not parse is left out; the chain may
   * still verify without it, as it would for a client that skipped it. */
  for (size_t i = 1; ok && i < n_parse && i <= CERT_CHAIN_MAX; i++) {
    X509 *x = parse_der(der[i], len[i]);
    if (x != NULL && !sk_X509_push(untrusted, x)) {
      X509_free(x);
      ok = 0;
    }
  }
  EVP_PKEY *key = ok ? X509_get_pubkey(leaf) : NULL;
  ok = ok && print_name(X509_get_subject_name(leaf), out->subject, sizeof(out->subject)) &&
       print_name(X509_get_issuer_name(leaf), out->issuer, sizeof(out->issuer)) &&
       read_times(leaf, now, out) && verify_chain(v, leaf, untrusted, now, out);
  if (ok) {
    uint8_t digest[SHA256_DIGEST_LENGTH];
    SHA256(der[0], len[0], digest);
    hex_encode(out->sha256, digest, sizeof(digest));
    read_sans(leaf, out);
    read_key(leaf, key, out);
    read_spki_digest(leaf, out);
    read_signature(leaf, out);
    read_serial(leaf, out);
    out->chain_length = n_total > UINT32_MAX ? UINT32_MAX : (uint32_t)n_total;
    out->self_signed = is_self_signed(leaf, key);
    check_name(leaf, host, out);
  }
  EVP_PKEY_free(key);
  sk_X509_pop_free(untrusted, X509_free);
  X509_free(leaf);
  /* Failed parses and lookups leave errors on this thread's queue; nobody
   * will read them. */
  ERR_clear_error();
  if (!ok) {
    memset(out, 0, sizeof(*out));
  }
  return ok;
}

int cert_info_from_der_chain(const uint8_t *const *der, const size_t *len, size_t n,
                             const struct cert_verifier *v, const char *host, time_t now,
                             struct cert_info *out) {
  return fill_from_der(der, len, n, n, v, host, now, out);
}

int cert_info_from_ssl(const SSL *ssl, const struct cert_verifier *v, const char *host,
                       time_t now, struct cert_info *out) {
  /* The CRYPTO_BUFFER chain exists with either X.509 method; on a client it
   * starts with the leaf. */
  const STACK_OF(CRYPTO_BUFFER) *chain = SSL_get0_peer_certificates(ssl);
  size_t n = sk_CRYPTO_BUFFER_num(chain);
  const uint8_t *der[CERT_CHAIN_MAX + 1];
  size_t len[CERT_CHAIN_MAX + 1];
  size_t n_parse = n < CERT_CHAIN_MAX + 1 ? n : CERT_CHAIN_MAX + 1;
  for (size_t i = 0; i < n_parse; i++) {
    const CRYPTO_BUFFER *buf = sk_CRYPTO_BUFFER_value(chain, i);
    der[i] = CRYPTO_BUFFER_data(buf);
    len[i] = CRYPTO_BUFFER_len(buf);
  }
  return fill_from_der(der, len, n_parse, n, v, host, now, out);
}

/* ---- JSON ----------------------------------------------------------------- */

/* json_raw makes a JSON string of bytes from a certificate, made valid UTF-8
 * first in |scratch| (reused across the strings of one record). */
static json_t *json_raw(struct outbuf *scratch, const char *p, size_t len) {
  scratch->len = 0;
  if (!utf8_sanitize(scratch, (const uint8_t *)p, len)) {
    return NULL;
  }
  return scratch->len == 0 ? json_string("") : json_stringn(scratch->data, scratch->len);
}

/* put sets |key|; a NULL |value| (memory ran out) makes it fail. */
static int put(json_t *obj, const char *key, json_t *value) {
  return json_object_set_new(obj, key, value) == 0;
}

static json_t *key_json(const struct cert_info *c) {
  json_t *key = json_object();
  int ok = key != NULL && put(key, "type", json_string(c->key_type));
  if (ok && c->key_bits > 0) {
    ok = put(key, "bits", json_integer(c->key_bits));
  }
  if (ok && c->key_curve[0] != '\0') {
    ok = put(key, "curve", json_string(c->key_curve));
  }
  if (ok && c->key_sha256[0] != '\0') {
    ok = put(key, "sha256", json_string(c->key_sha256));
  }
  if (!ok) {
    json_decref(key);
    return NULL;
  }
  return key;
}

static json_t *san_json(const struct cert_info *c, struct outbuf *scratch) {
  json_t *san = json_array();
  for (size_t i = 0; san != NULL && i < c->san_count; i++) {
    const struct cert_san *s = &c->san[i];
    /* "DNS:" and "IP:" as OpenSSL prints them: a DNS name can look like an
     * address, and the kinds match differently. */
    char entry[4 + CERT_SAN_VALUE_MAX];
    size_t prefix = s->type == CERT_SAN_IP ? 3 : 4;
    memcpy(entry, s->type == CERT_SAN_IP ? "IP:" : "DNS:", prefix);
    memcpy(entry + prefix, s->value, s->len);
    if (json_array_append_new(san, json_raw(scratch, entry, prefix + s->len)) != 0) {
      json_decref(san);
      san = NULL;
    }
  }
  return san;
}

json_t *cert_info_json(const struct cert_info *c) {
  struct outbuf scratch = {0};
  json_t *o = json_object();
  int ok = o != NULL && put(o, "subject", json_raw(&scratch, c->subject, strlen(c->subject))) &&
           put(o, "issuer", json_raw(&scratch, c->issuer, strlen(c->issuer))) &&
           put(o, "san", san_json(c, &scratch));
  if (ok && c->san_more > 0) {
    ok = put(o, "san_more", json_integer(c->san_more));
  }
  if (ok && c->times_known) {
    ok = put(o, "not_before", json_string(c->not_before)) &&
         put(o, "not_after", json_string(c->not_after)) &&
         put(o, "expired", json_boolean(c->expired)) &&
         put(o, "not_yet_valid", json_boolean(c->not_yet_valid));
  }
  ok = ok && put(o, "key", key_json(c)) && put(o, "signature", json_string(c->signature)) &&
       put(o, "sha256", json_string(c->sha256)) && put(o, "serial", json_string(c->serial));
  if (ok && c->serial_truncated) {
    ok = put(o, "serial_truncated", json_true());
  }
  ok = ok && put(o, "chain_length", json_integer(c->chain_length)) &&
       put(o, "self_signed", json_boolean(c->self_signed)) &&
       put(o, "chain_verifies", json_boolean(c->chain_verifies));
  if (ok && !c->chain_verifies) {
    ok = put(o, "verify_error", json_string(c->verify_error));
  }
  if (ok && c->name_checked) {
    ok = put(o, "name_matches", json_boolean(c->name_matches));
  }
  outbuf_free(&scratch);
  if (!ok) {
    json_decref(o);
    return NULL;
  }
  return o;
}
