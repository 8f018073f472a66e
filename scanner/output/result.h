/* scanner/output/result.h: the outcome of scanning one target, as output writes it.
 *
 * The engine fills one scan_result per target (every target gets exactly one,
 * whatever happened to it) and hands it to output. Everything here is fixed
 * size: results live in the engine's connection slabs, not on the heap.
 * Bytes that came from a server (first_bytes) are raw here; output escapes
 * them. */
#ifndef SCANNER_RESULT_H
#define SCANNER_RESULT_H

#include <stdint.h>

#include "scanner/output/cert.h"
#include "scanner/targets/target.h"
#include "tlsparse/tlsparse.h"

/* The versions tlssweep probes, in output order. */
enum probe_version {
  PV_SSL3,
  PV_TLS10,
  PV_TLS11,
  PV_TLS12,
  PV_TLS13,
  PV_COUNT,
};

/* probe_version_wire returns the wire version (0x0300...) of |pv|. */
uint16_t probe_version_wire(enum probe_version pv);
/* probe_version_name returns "ssl3", "tls1.0"... as output keys. */
const char *probe_version_name(enum probe_version pv);
/* probe_version_from_wire maps 0x0300... back. Returns 1 and |*out|, or 0. */
int probe_version_from_wire(uint16_t wire, enum probe_version *out);

enum probe_outcome {
  OUTCOME_NOT_RUN,    /* not selected (-V), or skipped after the target was found unreachable */
  OUTCOME_ACCEPTED,
  OUTCOME_REJECTED,   /* see reject_reason */
  OUTCOME_TIMEOUT,    /* see stage */
  OUTCOME_ERROR,      /* see stage and error */
  OUTCOME_CONNECTED,  /* --connect-only (the benchmark floor): TCP connected, nothing sent */
  OUTCOME_COUNT,
};

/* probe_outcome_name returns "accepted", "rejected", ... as output writes
 * them ("skipped" for OUTCOME_NOT_RUN). */
const char *probe_outcome_name(enum probe_outcome o);

enum reject_reason {
  REJECT_NONE,
  REJECT_ALERT,             /* alert, alert_level */
  REJECT_CLOSED,            /* orderly close before an answer */
  REJECT_RESET,             /* connection reset before an answer */
  REJECT_VERSION_MISMATCH,  /* server_version */
  REJECT_NOT_TLS,           /* first_bytes */
  REJECT_MALFORMED,         /* malformed */
  REJECT_STARTTLS,          /* the dialogue before TLS failed: reason_name, reply */
};

enum probe_stage {
  STAGE_NONE,
  STAGE_CONNECT,
  STAGE_SEND,
  STAGE_RECV,
  STAGE_DIALOGUE,  /* in the STARTTLS dialogue: stage_name */
};

#define RESULT_FIRST_BYTES TP_FIRST_BYTES
/* What is kept of a server's dialogue reply (a refusal's text). */
#define RESULT_REPLY_MAX 200

/* The confirmation of an accepted version: full BoringSSL handshakes at
 * that version (min = max), then the application's first exchange. */
enum confirm_state {
  CONFIRM_NONE,         /* not asked for this version */
  CONFIRM_DONE,         /* ran: see the fields */
  CONFIRM_UNSUPPORTED,  /* SSLv3: BoringSSL cannot speak it */
};

enum confirm_failure {
  CONFIRM_FAIL_NONE,
  CONFIRM_FAIL_ALERT,     /* the server sent alert |alert| */
  CONFIRM_FAIL_TLS,       /* the handshake broke on our side: |error| names why */
  CONFIRM_FAIL_CLOSED,
  CONFIRM_FAIL_RESET,
  CONFIRM_FAIL_TIMEOUT,   /* |stage| */
  CONFIRM_FAIL_CONNECT,   /* |error| is errno */
  CONFIRM_FAIL_STARTTLS,  /* the dialogue before TLS failed: |reason_name| */
};

struct confirm_result {
  enum confirm_state state;
  /* The first run, reported in full. */
  int handshake_ok;
  enum confirm_failure failure;
  uint8_t alert;
  int error;                    /* errno, or a BoringSSL reason code for CONFIRM_FAIL_TLS */
  const char *stage_name;       /* where a timeout or failure happened (static) */
  const char *reason_name;      /* CONFIRM_FAIL_STARTTLS (static) */
  uint16_t version;             /* negotiated */
  uint16_t cipher;
  int app;                      /* enum appcheck_result of the first run with a handshake */
  const char *app_name;         /* its name for the output: "ok", "refused", "timeout"... */
  int app_code;                 /* its reply code (SMTP, FTP, HTTP), 0 if none */
  uint16_t reply_len;
  uint8_t reply[RESULT_REPLY_MAX]; /* the application's (or dialogue's) answer, raw */
  /* All runs (--repeat). */
  uint32_t runs, handshake_ok_runs, app_ok_runs, app_refused_runs;
};

struct version_result {
  enum probe_outcome outcome;
  enum reject_reason reason;
  enum probe_stage stage;       /* for timeout and error */
  int error;                    /* errno, for OUTCOME_ERROR */
  uint16_t server_version;
  uint16_t cipher_suite;
  uint16_t key_share_group;
  uint8_t alert;
  uint8_t alert_level;
  enum tp_malformed malformed;
  enum tp_downgrade downgrade;
  int hello_retry;
  uint32_t unsolicited_exts;    /* mask of 1u << tp_ext_bit */
  uint8_t warnings;             /* warning alerts before the answer */
  uint8_t last_warning;
  uint32_t ms;                  /* connect to verdict, milliseconds */
  uint8_t attempts;             /* 1 + retries used */
  uint8_t first_len;
  uint8_t first_bytes[RESULT_FIRST_BYTES];
  const char *stage_name;       /* STAGE_DIALOGUE: "greeting", "ehlo"... (static) */
  const char *reason_name;      /* REJECT_STARTTLS: "starttls_refused"... (static) */
  uint16_t reply_len;
  uint8_t reply[RESULT_REPLY_MAX]; /* REJECT_STARTTLS: the server's reply, raw */
  struct confirm_result confirm;
  int hello_minimal;            /* this verdict came from the minimal hello (shape retry) */
  int hello_key_share;          /* ... from a TLS 1.3 hello with a real key share (the
                                   empty list drew no answer) */
  int has_ja3s;                 /* accepted: the JA3S of the probe's answer */
  uint8_t ja3s[16];
};

/* --ciphers: every suite an accepted version accepts (engine/enumerate.c). */
enum cipher_state {
  CIPHERS_NONE,        /* not enumerated */
  CIPHERS_COMPLETE,
  CIPHERS_INCOMPLETE,  /* stopped short: |failure| says why; the suites found stand */
};

enum cipher_order {
  CIPHER_ORDER_UNKNOWN, /* fewer than two suites, or the test drew no answer */
  CIPHER_ORDER_SERVER,  /* the server imposes its own order */
  CIPHER_ORDER_CLIENT,  /* it follows the client's */
};

/* Suites a version can have at most (tlsparse/suites.h: 344 for TLS 1.2). */
#define CIPHER_MAX 384

/* Why an enumeration stopped short. */
struct cipher_failure {
  uint8_t outcome;              /* enum probe_outcome; OUTCOME_NOT_RUN: it did not */
  uint8_t reason;               /* enum reject_reason */
  uint8_t stage;                /* enum probe_stage */
  uint8_t alert;
  uint8_t canary;               /* an offer holding an accepted suite was refused, even small */
  uint8_t unoffered;            /* the server chose |suite|, which was not offered */
  uint16_t suite;
  uint16_t server_version;      /* REJECT_VERSION_MISMATCH */
  int error;                    /* errno for OUTCOME_ERROR */
  const char *stage_name;       /* STAGE_DIALOGUE (static) */
};

struct cipher_result {
  enum cipher_state state;
  enum cipher_order order;
  uint16_t connections;         /* connections the enumeration made */
  uint16_t window;              /* suites per offer at the end */
  uint16_t n;
  uint16_t suites[CIPHER_MAX];  /* accepted, in code order (the probe's included) */
  struct cipher_failure failure;
};

enum target_status {
  STATUS_OK,
  STATUS_UNREACHABLE,  /* connection refused / no route on the first probe */
  STATUS_DNS_ERROR,
  STATUS_BLOCKED,
  STATUS_INVALID,
  STATUS_COUNT,
};

/* target_status_name returns "ok", "unreachable"... as output writes them. */
const char *target_status_name(enum target_status s);

struct scan_result {
  const struct target_item *item;   /* the target as read (text, host, port, proto, label) */
  uint64_t pseq;                    /* position in the scan's order (resume.h) */
  enum target_status status;
  char ip[64];                      /* the address probed, text form; empty if none */
  char sni[TARGET_HOST_MAX];        /* the SNI sent, empty if none */
  char error[TARGET_ERROR_MAX];     /* invalid / dns_error / unreachable detail */
  uint32_t versions_selected;       /* mask of 1u << probe_version */
  uint32_t policies;                /* --policy: 1u << policies.h's index, judged in the record */
  int fallback_pv;                  /* --check-fallback: the version probed with the SCSV */
  struct version_result fallback;   /* its answer (OUTCOME_NOT_RUN: not probed) */
  int has_cert;                     /* a confirmation saw the certificate */
  struct cert_info cert;
  struct version_result v[PV_COUNT];
  struct cipher_result ciphers[PV_COUNT]; /* --ciphers */
  uint32_t scan_ms;
};

/* scan_result_legacy_app says whether TLS 1.0 or 1.1 works at the
 * application level: 1 when a confirmation of one of them completed its
 * handshake and the application answered (or has no check), 0 when every
 * confirmed legacy version failed or was refused, -1 when none was
 * confirmed. --fail-on-legacy exits 3 on 1. */
int scan_result_legacy_app(const struct scan_result *r);

/* scan_result_summary computes the derived fields of a finished result:
 * |*legacy| (TLS 1.0 or 1.1 accepted, or SSLv3), and the lowest and highest
 * accepted versions as probe_version (or -1 when none was accepted). */
void scan_result_summary(const struct scan_result *r, int *legacy, int *min_pv,
                         int *max_pv);

#endif /* SCANNER_RESULT_H */
