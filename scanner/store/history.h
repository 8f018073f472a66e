/* scanner/store/history.h: the runs of a store as time series.
 *
 * store_history calls back once per run (oldest first) and subject:
 *   - with no filter, the whole run: endpoints, how many answered, accepted
 *     legacy TLS and had it work at the application level; tenants and how
 *     many were legacy; and per version the refusal rate of completed
 *     confirmations with its 95% Wilson interval;
 *   - with a tenant, that tenant in each run that has it: its verdict, its
 *     endpoints and legacy ones (the legacy share), the refusal rates over
 *     its endpoints; with STORE_EVERY_TENANT, so every tenant, one after
 *     another;
 *   - with a target (proto://host:port, or a host: each of its endpoints),
 *     each endpoint in each run that scanned it: status, accepted versions,
 *     whether legacy TLS works at the application level, certificate, and
 *     the refusal rates.
 * Counts follow diff.h: an endpoint written once per tenant counts once. */
#ifndef SCANNER_STORE_HISTORY_H
#define SCANNER_STORE_HISTORY_H

#include <stdint.h>

#include "scanner/store/store.h"

#define STORE_VERSIONS 5

/* The versions in output order: ssl3, tls1.0, tls1.1, tls1.2, tls1.3. */
extern const char *const store_version_names[STORE_VERSIONS];

struct history_rate {
  uint64_t refused, handshakes;   /* handshakes 0: no confirmation of it */
  double lo, hi;                  /* 95% Wilson interval of refused / handshakes */
};

struct history_point {
  struct store_run run;
  const char *subject;          /* NULL (the whole run), the tenant, or the endpoint */
  int64_t endpoints, answering, legacy, legacy_app;   /* the run, a tenant */
  int64_t tenants, tenants_legacy;                    /* the run */
  const char *verdict;                                /* a tenant */
  const char *status;                                 /* an endpoint */
  const char *accepted;                               /* an endpoint: "tls1.0,tls1.2" */
  int legacy_works;                                   /* an endpoint: 1, 0, -1 unknown */
  const char *cert;                                   /* an endpoint's fingerprint, or NULL */
  int cert_expired;
  struct history_rate rate[STORE_VERSIONS];
};

/* A |tenant| for store_history: every tenant's series. */
extern const char STORE_EVERY_TENANT[];

/* store_history calls |fn| per run and subject (above); |tenant| and
 * |target| are NULL or one of them is given. Returns 1, or 0 when the
 * database failed (store_error) or the target names no endpoint it knows
 * (a sentence in store_error). */
int store_history(struct store *s, const char *tenant, const char *target,
                  void (*fn)(void *ctx, const struct history_point *p), void *ctx);

#endif /* SCANNER_STORE_HISTORY_H */
