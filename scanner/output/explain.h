/* scanner/output/explain.h: a record in words, for people.
 *
 * The terminal view (text.h) and the HTML report (scanner/report) both
 * start from a JSON record as `tlssweep scan` writes it (record_json in
 * output.c, or a line read back from a file) and need the same judgements:
 * what class of endpoint it is (legacy TLS that works, legacy TLS the
 * service refuses, modern...), what each version's verdict means in words,
 * what the confirmation found, and which findings call for action, each
 * with a one-sentence advice. They live here, once, so the two views never
 * disagree.
 *
 * Everything is read through jansson's getters, so a record from a file
 * (which may hold anything) is never trusted to have a field or a type: a
 * missing or mistyped field reads as absent. The words written into an
 * outbuf may quote strings from the record (a server's reply, an alert's
 * name as the file spells it): they are plain UTF-8 text, and the caller
 * escapes them for its medium (terminal, HTML). */
#ifndef SCANNER_OUTPUT_EXPLAIN_H
#define SCANNER_OUTPUT_EXPLAIN_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scanner/base/outbuf.h"

/* The versions in output order, as records name them. */
#define EXPLAIN_VERSIONS 5
extern const char *const kExplainVersionKeys[EXPLAIN_VERSIONS];   /* "ssl3".."tls1.3" */
extern const char *const kExplainVersionNames[EXPLAIN_VERSIONS];  /* "SSLv3".."TLS 1.3" */

/* What an endpoint is, worst first (the order reports sort by). */
enum endpoint_class {
  CLASS_LEGACY,          /* SSLv3, TLS 1.0 or 1.1 accepted, and working or not confirmed */
  CLASS_LEGACY_REFUSED,  /* TLS 1.0/1.1 handshakes complete, the service refuses them */
  CLASS_NO_TLS,          /* answers, but accepts no version */
  CLASS_UNREACHABLE,
  CLASS_DNS_ERROR,
  CLASS_INVALID,
  CLASS_BLOCKED,
  CLASS_MODERN,          /* TLS, none of it legacy */
  CLASS_COUNT,
};

/* explain_class classifies a record. */
enum endpoint_class explain_class(const json_t *record);
/* class_name is the class as reports write it ("legacy", "legacy_refused"...);
 * class_words how a person reads it ("legacy TLS works"). */
const char *class_name(enum endpoint_class c);
const char *class_words(enum endpoint_class c);

/* One version's verdict, reduced to what a matrix cell shows. */
enum cell_verdict {
  CELL_NOT_PROBED,   /* absent from the record (-V), or the record has no versions */
  CELL_ACCEPTED,
  CELL_REJECTED,
  CELL_TIMEOUT,
  CELL_ERROR,
  CELL_SKIPPED,      /* probed no further (unreachable) */
};

/* What the confirmation of an accepted version found at the application
 * level. */
enum cell_app {
  CELL_APP_NONE,       /* not confirmed */
  CELL_APP_OK,         /* handshake done, the service answered (or has no check) */
  CELL_APP_REFUSED,    /* handshake done, the service refused it */
  CELL_APP_FAILED,     /* the handshake itself failed */
  CELL_APP_OTHER,      /* handshake done; the service closed, timed out, spoke nonsense */
};

struct explain_cell {
  enum cell_verdict verdict;
  enum cell_app app;
  /* --repeat: the counts over all runs (runs == 0: one run or none). */
  uint64_t runs, handshake_ok, app_ok, app_refused;
};

/* explain_cell reads version |key| ("tls1.0") of a record. */
void explain_cell(const json_t *record, const char *key, struct explain_cell *out);

/* cell_verdict_name: "accepted", "rejected", "timeout", "error", "skipped", "". */
const char *cell_verdict_name(enum cell_verdict v);

/* explain_version appends what one version's entry says, in words: "accepted,
 * TLS_AES_128_GCM_SHA256 with x25519", "refused: alert protocol_version",
 * "the server chose tls1.2 instead", "not TLS: the server sent \"HTTP/1.1
 * 400...\"", "STARTTLS refused: \"454 ...\"". Returns 1, or 0 when memory ran
 * out. */
int explain_version(const json_t *version, struct outbuf *out);

/* explain_confirm appends what a confirmation found: "handshake ok,
 * application refused: \"-ERR TLS 1.0 ...\" (20 of 20 runs refused)". */
int explain_confirm(const json_t *confirm, struct outbuf *out);

/* Findings that call for action, in the order reports list them. */
enum finding {
  FINDING_SSL3,
  FINDING_LEGACY_APP,          /* TLS 1.0/1.1 work at the application level */
  FINDING_LEGACY,              /* TLS 1.0/1.1 accepted, not confirmed */
  FINDING_LEGACY_REFUSED,      /* TLS 1.0/1.1 handshakes complete, then refused */
  FINDING_NO_TLS12,            /* the highest version is below TLS 1.2 */
  FINDING_CERT_EXPIRED,
  FINDING_CERT_EXPIRING,       /* within EXPLAIN_EXPIRING_DAYS */
  FINDING_CERT_UNTRUSTED,
  FINDING_CERT_NAME,
  FINDING_WEAK_KEY,            /* RSA or DSA under 2048 bits */
  FINDING_NO_FALLBACK_SCSV,    /* --check-fallback: downgrade not refused */
  FINDING_NO_STARTTLS,         /* STARTTLS not offered, or refused */
  FINDING_NOT_TLS,             /* the port speaks something else */
  FINDING_HELLO_SHAPE,         /* accepted only the minimal hello */
  FINDING_UNSOLICITED_EXT,
  FINDING_NO_TLS13,
  FINDING_COUNT,
};

enum finding_severity {
  SEVERITY_CRITICAL,
  SEVERITY_WARNING,
  SEVERITY_INFO,
};

struct finding_info {
  const char *name;            /* "legacy_app" */
  const char *title;           /* a few words: "TLS 1.0/1.1 work" */
  const char *advice;          /* what to do, in one sentence */
  enum finding_severity severity;
};

/* A certificate expires "soon" within this many days. */
#define EXPLAIN_EXPIRING_DAYS 30

/* explain_findings returns the findings of a record as a mask of
 * 1u << enum finding; certificate expiry is judged at |now|. */
uint32_t explain_findings(const json_t *record, time_t now);

const struct finding_info *finding_info(enum finding f);

/* explain_cert_name writes the certificate's common name (or its first
 * SAN, or its subject) to |out|; "" when the record has no certificate. */
void explain_cert_name(const json_t *record, char *out, size_t cap);

/* explain_cert_expiry reads the record's certificate's not_after. Returns 1
 * with |*out|, or 0 when there is none or it cannot be read. */
int explain_cert_expiry(const json_t *record, time_t *out);

/* explain_parse_time reads "2026-11-26T10:00:00Z". Returns 1 with |*out|,
 * or 0. */
int explain_parse_time(const char *s, time_t *out);

/* explain_str returns the string member |key| of |obj|, or NULL when
 * |obj| is not an object or the member is absent or not a string. */
const char *explain_str(const json_t *obj, const char *key);

#endif /* SCANNER_OUTPUT_EXPLAIN_H */
