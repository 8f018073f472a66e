/* tlsparse/verdict.c: what a probe's answer means, in one place.
 *
 * The scanner and every test call tp_probe_verdict_of, so "accepted" has one
 * definition: the server answered with exactly the pinned version. Below TLS
 * 1.3 that is ServerHello.legacy_version; for a TLS 1.3 probe it is the
 * supported_versions extension (RFC 8446, 4.2.1), and a HelloRetryRequest
 * counts because only a 1.3 server sends one. A lower (or higher) version is
 * version_mismatch, never acceptance. */
#include <string.h>

#include "tlsparse/tlsparse.h"

int tp_probe_verdict_of(const struct tp_reader *r, uint16_t pinned,
                        uint32_t offered_exts, struct tp_probe_verdict *out) {
  memset(out, 0, sizeof(*out));
  out->warnings = r->warnings;
  out->last_warning = r->last_warning;
  switch (r->result) {
    case TP_NEED_MORE:
      out->verdict = TP_VERDICT_PENDING;
      return 0;
    case TP_ALERT:
      out->verdict = TP_VERDICT_ALERT;
      out->alert_level = r->alert_level;
      out->alert = r->alert_desc;
      return 1;
    case TP_SSL2_SERVER_HELLO:
      out->verdict = TP_VERDICT_VERSION_MISMATCH;
      out->server_version = TP_SSL2;
      return 1;
    case TP_NOT_TLS:
      out->verdict = TP_VERDICT_NOT_TLS;
      return 1;
    case TP_MALFORMED:
      out->verdict = TP_VERDICT_MALFORMED;
      out->why = r->why;
      return 1;
    case TP_SERVER_HELLO:
    case TP_HELLO_RETRY:
      break;
  }
  const struct tp_server_hello *sh = &r->sh;
  /* A server that answers supported_versions to a hello without it is
   * breaking RFC 8446, 4.2.1; the version it "selected" there means nothing
   * and legacy_version is what it negotiated. */
  int versions_offered = (offered_exts >> TP_EXT_BIT_SUPPORTED_VERSIONS) & 1;
  uint16_t chosen = sh->legacy_version;
  if (versions_offered && sh->selected_version != 0) {
    chosen = sh->selected_version;
  }
  out->server_version = chosen;
  out->cipher_suite = sh->cipher_suite;
  out->key_share_group = sh->key_share_group;
  out->downgrade = sh->downgrade;
  out->hello_retry = sh->is_hello_retry;
  out->unsolicited_exts = sh->extensions_seen & ~offered_exts;
  if (sh->is_hello_retry && (!versions_offered || sh->selected_version == 0)) {
    /* Only a 1.3 server sends one, whatever its legacy_version says, and an
     * HRR may leave out supported_versions. */
    chosen = TP_TLS13;
    out->server_version = chosen;
  }
  out->verdict = chosen == pinned ? TP_VERDICT_ACCEPTED : TP_VERDICT_VERSION_MISMATCH;
  return 1;
}
