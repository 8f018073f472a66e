/* scanner/store/diff.h: what changed between two runs of a store.
 *
 * store_diff compares run A with run B endpoint by endpoint (protocol,
 * host, port), tenant by tenant, and as a whole, and calls back once per
 * change, with its direction:
 *
 *   worse    newly accepts SSLv3, TLS 1.0 or 1.1 (accepts); the application
 *            stopped refusing legacy TLS (app_works); a refusal rate fell
 *            (refusal_rate_down); the certificate expired (cert_expired) or
 *            came with another key (cert_key_changed); a tenant became
 *            legacy (verdict) or has more endpoints where legacy TLS works
 *            (legacy_confirmed)
 *   better   the opposites: stopped_accepting, app_refuses,
 *            refusal_rate_up, cert_renewed, a tenant's verdict no longer
 *            legacy, fewer confirmed legacy endpoints
 *   changed  endpoints and tenants that appeared or vanished, a status
 *            (ok, unreachable...) or tenant verdict that changed otherwise,
 *            TLS 1.2/1.3 gained or lost, a new certificate with the same key
 *
 * A version is compared only where both runs have a verdict for it
 * (accepted or rejected: a timeout proves nothing), and only while the
 * endpoint answered in both. A refusal-rate change is reported only when
 * the two 95% Wilson intervals (scanner/base/stats.h) do not overlap. An
 * endpoint scanned once and written once per tenant counts once; one name
 * with several addresses (--all-addresses) adds up its addresses. */
#ifndef SCANNER_STORE_DIFF_H
#define SCANNER_STORE_DIFF_H

#include <stdint.h>

#include "scanner/store/store.h"

enum diff_direction {
  DIFF_WORSE,
  DIFF_BETTER,
  DIFF_CHANGED,
};

enum diff_scope {
  DIFF_ENDPOINT,
  DIFF_TENANT,
  DIFF_RUN,
};

/* A refusal rate: |refused| of |handshakes| completed, and its interval. */
struct diff_rate {
  uint64_t refused, handshakes;
  double lo, hi;
};

struct diff_change {
  enum diff_direction direction;
  enum diff_scope scope;
  const char *subject;      /* proto://host:port, a tenant, or "run" */
  const char *change;       /* accepts, stopped_accepting, app_works, ... (above) */
  const char *version;      /* the version it concerns, or NULL */
  const char *before;       /* the value in A, or NULL */
  const char *after;        /* the value in B, or NULL */
  int has_rate;             /* refusal_rate_*: the rates below */
  struct diff_rate rate_a, rate_b;
};

const char *diff_direction_name(enum diff_direction d);
const char *diff_scope_name(enum diff_scope s);

/* store_diff calls |fn| for every change from run |a| to run |b|. Returns 1,
 * or 0 when the database failed (store_error). */
int store_diff(struct store *s, int64_t a, int64_t b,
               void (*fn)(void *ctx, const struct diff_change *c), void *ctx);

#endif /* SCANNER_STORE_DIFF_H */
