/* scanner/output/cert.h: what a server's certificate chain says, for the scan record.
 *
 * After a handshake, cert_info_from_ssl turns the chain the server presented
 * into a fixed-size cert_info (no heap; it can live in a result slab): the
 * leaf's names, validity, key, signature algorithm, fingerprint and serial,
 * and three judgements made the way a browser would make them: does the
 * chain verify against the trust store, is the leaf valid for the name we
 * asked for, and is it within its validity period at a given time. The trust
 * store is a cert_verifier, loaded once and then shared read-only by every
 * thread. cert_info_json renders a cert_info for the JSON record.
 *
 * Strings that come from the certificate (subject, issuer, DNS names) are
 * kept as raw bytes, bounded and NUL-terminated; they may hold any byte but
 * NUL except where a length says otherwise. cert_info_json makes them valid
 * UTF-8 (utf8_sanitize) before JSON escapes them. */
#ifndef SCANNER_CERT_H
#define SCANNER_CERT_H

#include <jansson.h>
#include <openssl/base.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

/* Bounds. A longer value is cut (at a UTF-8 boundary where it has one). */
#define CERT_NAME_MAX 256       /* subject, issuer, with the NUL */
#define CERT_SAN_MAX 16         /* DNS names and IP addresses kept */
#define CERT_SAN_VALUE_MAX 256  /* one of them, with the NUL (a DNS name is <= 253) */
#define CERT_SERIAL_MAX 32      /* octets of serial kept (RFC 5280 allows 20) */
#define CERT_CHAIN_MAX 16       /* certificates after the leaf used to verify */

/* cert_verifier is a trust store: made once before the threads that use it
 * start, freed after they end, and in between only read. Concurrent
 * verifications are safe: each builds its own X509_STORE_CTX, and BoringSSL
 * locks the store's internal certificate cache (an SSL_CTX shares its store
 * across connections on many threads the same way). */
struct cert_verifier {
  X509_STORE *store;
};

/* cert_verifier_init loads the trust store: the certificates of the PEM file
 * |ca_file| and nothing else, or, when |ca_file| is NULL, the system's
 * (Debian's bundle /etc/ssl/certs/ca-certificates.crt, else OpenSSL's
 * default file and hashed directory, searched as chains need them). Returns
 * 1, or 0 when |ca_file| or the memory for the store is missing. */
int cert_verifier_init(struct cert_verifier *v, const char *ca_file);

/* cert_verifier_free releases the store; |v| may be zeroed or half made. */
void cert_verifier_free(struct cert_verifier *v);

enum cert_san_type {
  CERT_SAN_DNS = 1,
  CERT_SAN_IP = 2,
};

struct cert_san {
  uint8_t type;                     /* enum cert_san_type */
  uint16_t len;                     /* bytes in value (a DNS name may hold NUL) */
  char value[CERT_SAN_VALUE_MAX];   /* DNS: raw bytes; IP: "192.0.2.1", "2001:db8::1" */
};

struct cert_info {
  /* The leaf's names in RFC 2253 order and escaping ("CN=a,O=b"), raw. */
  char subject[CERT_NAME_MAX];
  char issuer[CERT_NAME_MAX];

  /* subjectAltName: the first CERT_SAN_MAX DNS names and IP addresses, in
   * certificate order; san_more counts those left out. Other kinds (email,
   * URI...) are not kept or counted. */
  struct cert_san san[CERT_SAN_MAX];
  uint8_t san_count;
  uint32_t san_more;

  /* Validity. The strings are ISO 8601 UTC ("2026-11-26T10:00:00Z"); when
   * the certificate's time cannot be decoded, times_known is 0 and the
   * strings are empty. */
  uint8_t times_known;
  char not_before[32];
  char not_after[32];
  time_t not_before_time;
  time_t not_after_time;
  uint8_t expired;         /* now > not_after */
  uint8_t not_yet_valid;   /* now < not_before */

  /* Public key: "RSA", "EC", "Ed25519", "DSA", or for any other the
   * algorithm's name or OID; bits (RSA modulus, EC field; 0 if unknown);
   * key_curve is the NIST name ("P-256") or the curve's short name, EC only. */
  char key_type[32];
  uint32_t key_bits;
  char key_curve[32];
  /* SHA-256 of the leaf's SubjectPublicKeyInfo, lowercase hex ("" when it
   * cannot be encoded): a renewed certificate with the same key keeps it,
   * so tlssweep diff tells a renewal from a new key. */
  char key_sha256[65];

  /* The certificate's signatureAlgorithm ("sha256WithRSAEncryption",
   * "ecdsa-with-SHA256"), or its OID when unknown. */
  char signature[64];

  char sha256[65];                            /* of the leaf's DER, lowercase hex */
  char serial[2 * CERT_SERIAL_MAX + 2];       /* lowercase hex, "-" when negative */
  uint8_t serial_truncated;

  uint32_t chain_length;   /* certificates the server sent, leaf included */
  uint8_t self_signed;     /* the leaf names itself as issuer and its own key signed it */

  /* X509_verify_cert against the verifier's store at the given time, for a
   * TLS server (the chain's purpose and extended key usage are checked).
   * verify_error is "ok" or X509_verify_cert_error_string's text. */
  uint8_t chain_verifies;
  int verify_error_code;
  char verify_error[96];

  /* Whether a host name was given (name_checked) and whether the leaf is
   * valid for it: X509_check_host for names (a wildcard covers exactly one
   * leftmost label; the subject's CN is never used, as browsers no longer
   * do), X509_check_ip_asc for IPv4 and IPv6 literals. */
  uint8_t name_checked;
  uint8_t name_matches;
};

/* cert_info_from_ssl fills |out| from the chain the peer of |ssl| presented
 * (call it on a client after the handshake), judged against |v|, |host| (the
 * SNI or target name; NULL or "" for none) and |now|. Returns 1, or 0 when
 * there is no certificate, the leaf cannot be parsed, or memory ran out
 * (|out| is then zeroed). Safe to call from many threads at once with the
 * same |v|. */
int cert_info_from_ssl(const SSL *ssl, const struct cert_verifier *v, const char *host,
                       time_t now, struct cert_info *out);

/* cert_info_from_der_chain is cert_info_from_ssl for a chain given as |n|
 * DER certificates, leaf first (der[i] of len[i] bytes). Returns as above. */
int cert_info_from_der_chain(const uint8_t *const *der, const size_t *len, size_t n,
                             const struct cert_verifier *v, const char *host, time_t now,
                             struct cert_info *out);

/* cert_info_json returns a new JSON object for |c| (the caller owns it), or
 * NULL when memory ran out:
 * {"subject", "issuer", "san": ["DNS:...", "IP:..."], "san_more" (when > 0),
 *  "not_before", "not_after", "expired", "not_yet_valid",
 *  "key": {"type", "bits", "curve" (EC), "sha256" (of the SPKI)}, "signature", "sha256", "serial",
 *  "serial_truncated" (when set), "chain_length", "self_signed",
 *  "chain_verifies", "verify_error" (when it does not), "name_matches" (when
 *  a name was checked)}. */
json_t *cert_info_json(const struct cert_info *c);

#endif /* SCANNER_CERT_H */
