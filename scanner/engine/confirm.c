/* scanner/engine/confirm.c: confirmations, full handshakes that check what
 * a probe's ServerHello only suggested.
 *
 * A probe's ServerHello says a server picked a version, not that the
 * handshake completes nor that the service then works (Exchange Online
 * completed TLS 1.0 handshakes and then refused them in POP3 and IMAP). A
 * confirmation connects again, runs the same STARTTLS dialogue, completes a
 * BoringSSL handshake pinned to the version (min = max) over memory BIOs
 * whose bytes go through the ring like any other, and then the protocol's
 * first exchange (appcheck.h): greeting, EHLO, CAPABILITY, CAPA. The
 * BoringSSL client lives in a side slot (internal.h) taken when the
 * handshake starts; the bench kind (bench.c) shares every step here but the
 * last. */
#include <arpa/inet.h>
#include <errno.h>
#include <openssl/err.h>
#include <string.h>
#include <time.h>

#include "scanner/engine/internal.h"
#include "scanner/output/cert.h"

/* A confirmation's connection lasts at most this many --timeout steps:
 * connect, dialogue, handshake, and the application's exchange. */
#define CONFIRM_DEADLINE_STEPS 6

int confirm_init(struct engine *e) {
  if (!e->cfg->confirm) {
    return 1;
  }
  /* One context for every confirmation of this thread; the version is set
   * per connection. The chain is checked by cert.c against the trust store
   * and reported, never enforced: a scanner must see servers with bad
   * certificates too. A broad cipher list, 3DES and RC4 included where
   * BoringSSL still has them, so old servers can say yes. */
  e->ssl_ctx = SSL_CTX_new(TLS_method());
  if (e->ssl_ctx == NULL) {
    return 0;
  }
  SSL_CTX_set_verify(e->ssl_ctx, SSL_VERIFY_NONE, NULL);
  SSL_CTX_set_cipher_list(e->ssl_ctx, e->cfg->bench.ciphers != NULL ? e->cfg->bench.ciphers
                                                                      : "ALL:3DES:RC4:@STRENGTH");
  SSL_CTX_set_min_proto_version(e->ssl_ctx, TLS1_VERSION);
  SSL_CTX_set_max_proto_version(e->ssl_ctx, TLS1_3_VERSION);
  return 1;
}

void confirm_free(struct engine *e) {
  for (uint32_t i = 0; e->tls.base != NULL && i < e->tls.slots.n; i++) {
    SSL_free(((struct tls_side *)side_at(&e->tls, i))->ssl); /* frees its BIOs too */
  }
  SSL_SESSION_free(e->bench_session);
  SSL_CTX_free(e->ssl_ctx);
}

/* plan_confirmations decides, once the probes of a target are done, which
 * versions to confirm and how often: each accepted legacy version (TLS 1.0,
 * 1.1) and, as a control, the highest accepted one; every accepted version
 * with --confirm-all. Returns whether any run is planned. */
int plan_confirmations(struct engine *e, struct target_state *ts) {
  ts->confirm_planned = 1;
  const struct scan_config *cfg = e->cfg;
  if (e->ssl_ctx == NULL || ts->status != STATUS_OK) {
    return 0;
  }
  int highest = -1;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->v[pv].outcome == OUTCOME_ACCEPTED) {
      highest = pv;
    }
  }
  int any = 0;
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->v[pv].outcome != OUTCOME_ACCEPTED) {
      continue;
    }
    int legacy = pv == PV_TLS10 || pv == PV_TLS11 || pv == PV_SSL3;
    if (!legacy && !cfg->confirm_all && pv != highest) {
      continue;
    }
    struct target_extras *x = target_extras(e, ts);
    if (x == NULL) {
      return any;
    }
    if (pv == PV_SSL3) {
      x->confirm[pv].state = CONFIRM_UNSUPPORTED;
      continue;
    }
    x->confirm[pv].state = CONFIRM_DONE;
    /* Repeats measure how often a legacy version is refused; the control
     * version runs once, unless every version is confirmed alike. */
    ts->confirm_left[pv] = legacy || cfg->confirm_all ? cfg->repeat : 1;
    any = 1;
  }
  return any;
}

int confirm_pending(const struct target_state *ts) {
  return next_confirm_version(ts) >= 0;
}

int next_confirm_version(const struct target_state *ts) {
  for (int pv = 0; pv < PV_COUNT; pv++) {
    if (ts->confirm_left[pv] > 0) {
      return pv;
    }
  }
  return -1;
}

void start_confirm(struct engine *e, uint32_t t, int pv) {
  struct target_state *ts = &e->targets[t];
  ts->confirm_left[pv]--;
  uint32_t c = conn_take(e, t, pv, e->cfg->bench.version != 0 ? &kBenchKind : &kConfirmKind);
  submit_connect(e, c);
}

static struct confirm_result *confirm_of(struct engine *e, const struct conn *cn) {
  struct target_extras *x = target_extras(e, target_of(e, cn));
  return &x->confirm[cn->pv];
}

void confirm_record(struct engine *e, uint32_t c, int handshake_ok,
                    enum confirm_failure failure, int app, const char *stage) {
  struct conn *cn = conn_at(e, c);
  struct confirm_result *cr = confirm_of(e, cn);
  if (cr->runs == 0) {
    cr->handshake_ok = handshake_ok;
    cr->failure = failure;
    if (cr->stage_name == NULL) {
      cr->stage_name = stage;
    }
  }
  if (!handshake_ok) {
    stat_add(&e->sh->stats.confirm_failures[failure], 1);
  }
  cr->runs++;
  cr->handshake_ok_runs += handshake_ok != 0;
  cr->app_ok_runs += app == APP_OK || app == APP_UNCHECKED;
  cr->app_refused_runs += app == APP_REFUSED;
  cn->flags |= CONN_DONE;
  stat_add(&e->sh->stats.confirms_done, 1);
}

/* tls_fail is a confirmation that ended without an answer: before or during
 * the handshake, in the dialogue, or silence after the handshake. */
void tls_fail(struct engine *e, uint32_t c, const struct conn_failure *f) {
  struct conn *cn = conn_at(e, c);
  struct confirm_result *cr = confirm_of(e, cn);
  if (f->dialogue != NULL && f->stage == STAGE_DIALOGUE) {
    const struct starttls *st = f->dialogue;
    if (cr->runs == 0) {
      cr->reason_name = starttls_failure_name(st);
      size_t n = st->reply_len < RESULT_REPLY_MAX ? st->reply_len : RESULT_REPLY_MAX;
      memcpy(cr->reply, st->reply, n);
      cr->reply_len = (uint16_t)n;
    }
    confirm_record(e, c, 0,
                   starttls_failure(st) == STARTTLS_CLOSED ? CONFIRM_FAIL_CLOSED
                                                           : CONFIRM_FAIL_STARTTLS,
                   APP_PENDING, starttls_stage_name(st));
    return;
  }
  enum confirm_failure kind = CONFIRM_FAIL_CONNECT;
  if (f->outcome == OUTCOME_TIMEOUT) {
    kind = CONFIRM_FAIL_TIMEOUT;
  } else if (f->reason == REJECT_CLOSED) {
    kind = CONFIRM_FAIL_CLOSED;
  } else if (f->reason == REJECT_RESET) {
    kind = CONFIRM_FAIL_RESET;
  }
  if (cr->runs == 0) {
    cr->error = f->error;
  }
  /* Silence or a reset after the handshake is the application's answer (or
   * its absence), not a failed handshake. */
  if (cn->state == CONN_APP) {
    const char *stage = appcheck_stage_name(&tls_of(e, cn)->app);
    if (cr->runs == 0) {
      cr->app = APP_PENDING;
      cr->app_name = kind == CONFIRM_FAIL_TIMEOUT ? "timeout"
                     : kind == CONFIRM_FAIL_RESET ? "reset"
                                                  : "closed";
      cr->stage_name = stage;
    }
    confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_CLOSED, stage);
    return;
  }
  const char *stage = cn->state == CONN_TLS      ? "handshake"
                      : f->dialogue != NULL      ? starttls_stage_name(f->dialogue)
                                                 : "connect";
  confirm_record(e, c, 0, kind, APP_PENDING, stage);
}

void drain_ssl(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if ((cn->flags & (CONN_SEND_INFLIGHT | CONN_DONE)) || cn->tx_next != NULL ||
      cn->tls == NONE || (cn->state != CONN_TLS && cn->state != CONN_APP)) {
    return; /* during a STARTTLS dialogue the output BIO has nothing to say */
  }
  struct tls_side *side = tls_of(e, cn);
  int n = BIO_read(side->wbio, side->sslbuf, sizeof(side->sslbuf));
  if (n > 0) {
    send_bytes(e, c, side->sslbuf, (size_t)n);
  }
}

void tls_sent(struct engine *e, uint32_t c) { drain_ssl(e, c); }

/* app_done records the application's answer and ends the run. */
static void app_done(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct confirm_result *cr = confirm_of(e, cn);
  struct appcheck *app = &tls_of(e, cn)->app;
  enum appcheck_result res = appcheck_result(app);
  if (cr->runs == 0) {
    cr->app = res;
    cr->app_name = appcheck_result_name(app);
    cr->app_code = (int)appcheck_code(app);
    size_t len;
    const uint8_t *reply = appcheck_reply(app, &len);
    len = len < RESULT_REPLY_MAX ? len : RESULT_REPLY_MAX;
    memcpy(cr->reply, reply, len);
    cr->reply_len = (uint16_t)len;
  }
  confirm_record(e, c, 1, CONFIRM_FAIL_NONE, res, "app");
}

/* app_step acts on what the application check asks for next. */
static void app_step(struct engine *e, uint32_t c, enum appcheck_step step) {
  struct conn *cn = conn_at(e, c);
  struct tls_side *side = tls_of(e, cn);
  if (step == APPCHECK_SEND) {
    size_t len;
    const uint8_t *out = appcheck_output(&side->app, &len);
    if (SSL_write(side->ssl, out, (int)len) <= 0) {
      confirm_record(e, c, 1, CONFIRM_FAIL_NONE, APP_CLOSED, "app");
      return;
    }
    drain_ssl(e, c);
    want_recv(e, c);
  } else if (step == APPCHECK_NEED_MORE) {
    want_recv(e, c);
  } else {
    app_done(e, c);
  }
}

/* handshake_failed reads why BoringSSL gave up: an alert the server sent
 * (its reason codes are 1000 + the alert), or its own reason. */
static void handshake_failed(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct confirm_result *cr = confirm_of(e, cn);
  uint32_t err = ERR_peek_last_error();
  int reason = ERR_GET_REASON(err);
  ERR_clear_error();
  enum confirm_failure f = CONFIRM_FAIL_TLS;
  if (reason >= SSL_AD_REASON_OFFSET && reason < SSL_AD_REASON_OFFSET + 256) {
    f = CONFIRM_FAIL_ALERT;
    if (cr->runs == 0) {
      cr->alert = (uint8_t)(reason - SSL_AD_REASON_OFFSET);
    }
  } else if (cr->runs == 0) {
    cr->error = (int)err;
  }
  confirm_record(e, c, 0, f, APP_PENDING, "handshake");
}

/* confirm_handshake_done: the certificate for the record (once per
 * target), then the application's first exchange. */
static void confirm_handshake_done(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  struct tls_side *side = tls_of(e, cn);
  struct target_extras *x = target_extras(e, ts);
  if (!x->has_cert && e->cfg->verifier != NULL) {
    const char *sni = target_sni(e, ts);
    char ip[64];
    const void *a = ts->addr.sa.sa_family == AF_INET ? (const void *)&ts->addr.v4.sin_addr
                                                     : (const void *)&ts->addr.v6.sin6_addr;
    inet_ntop(ts->addr.sa.sa_family, a, ip, sizeof(ip));
    x->has_cert = cert_info_from_ssl(side->ssl, e->cfg->verifier, sni[0] ? sni : ip, time(NULL),
                                     &x->cert);
  }
  cn->state = CONN_APP;
  enum proto proto = (enum proto)ts->item.p.proto;
  appcheck_init(&side->app, proto, starttls_needed(proto),
                ts->item.p.kind == TARGET_NAME ? target_host(e, ts) : e->cfg->ehlo);
  drain_ssl(e, c);
  app_step(e, c, appcheck_begin(&side->app));
}

/* tls_drive moves the handshake, then the application exchange, as far as
 * the bytes received so far allow. */
static void tls_drive(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  struct tls_side *side = tls_of(e, cn);
  if (cn->state == CONN_TLS) {
    int rc = SSL_do_handshake(side->ssl);
    if (rc != 1) {
      int err = SSL_get_error(side->ssl, rc);
      drain_ssl(e, c);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        want_recv(e, c);
      } else {
        handshake_failed(e, c);
      }
      return;
    }
    struct confirm_result *cr = confirm_of(e, cn);
    if (cr->runs == 0) {
      cr->version = (uint16_t)SSL_version(side->ssl);
      const SSL_CIPHER *cipher = SSL_get_current_cipher(side->ssl);
      cr->cipher = cipher != NULL ? SSL_CIPHER_get_protocol_id(cipher) : 0;
    }
    cn->kind->handshake_done(e, c);
    if ((cn->flags & CONN_DONE) || cn->state != CONN_APP) {
      return;
    }
  }
  /* The application's bytes: decrypt what has arrived and feed it. */
  uint8_t plain[2048];
  for (;;) {
    int n = SSL_read(side->ssl, plain, sizeof(plain));
    if (n <= 0) {
      int err = SSL_get_error(side->ssl, n);
      drain_ssl(e, c);
      if (err == SSL_ERROR_WANT_READ || err == SSL_ERROR_WANT_WRITE) {
        want_recv(e, c);
      } else {
        /* close_notify or a fatal alert after the handshake: the service
         * ended the session without an answer. */
        ERR_clear_error();
        app_step(e, c, appcheck_eof(&side->app));
      }
      return;
    }
    size_t at = 0;
    while (at < (size_t)n && !(cn->flags & CONN_DONE)) {
      size_t used = 0;
      enum appcheck_step step = appcheck_feed(&side->app, plain + at, (size_t)n - at, &used);
      at += used;
      app_step(e, c, step);
      if (step != APPCHECK_SEND || used == 0) {
        break;
      }
    }
    if (cn->flags & CONN_DONE) {
      return;
    }
  }
}

/* tls_side_ready readies a side slot's SSL object for this run. Returns 0
 * when BoringSSL could not make one. */
static int tls_side_ready(struct engine *e, struct tls_side *side) {
  if (side->ssl == NULL) {
    side->ssl = SSL_new(e->ssl_ctx);
    side->rbio = BIO_new(BIO_s_mem());
    side->wbio = BIO_new(BIO_s_mem());
    if (side->ssl == NULL || side->rbio == NULL || side->wbio == NULL) {
      BIO_free(side->rbio);
      BIO_free(side->wbio);
      SSL_free(side->ssl);
      side->ssl = NULL;
      return 0;
    }
    SSL_set_bio(side->ssl, side->rbio, side->wbio);
    return 1;
  }
  SSL_clear(side->ssl);
  /* BoringSSL's SSL_clear keeps a client's last session to offer it again
   * (OpenSSL's behaviour): that would make every handshake after the first
   * a resumption, and offer one server's session to the next. */
  SSL_set_session(side->ssl, NULL);
  /* What the slot's last handshake left unsent or unread belongs to that
   * connection, never to this one. */
  BIO_reset(side->rbio);
  BIO_reset(side->wbio);
  return 1;
}

void tls_ready(struct engine *e, uint32_t c, const uint8_t *early, size_t early_len) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  cn->tls = side_take(&e->tls);
  if (cn->tls == NONE || !tls_side_ready(e, tls_of(e, cn))) {
    confirm_record(e, c, 0, CONFIRM_FAIL_TLS, APP_PENDING, "handshake");
    return;
  }
  struct tls_side *side = tls_of(e, cn);
  uint16_t version = probe_version_wire((enum probe_version)cn->pv);
  SSL_set_min_proto_version(side->ssl, version);
  SSL_set_max_proto_version(side->ssl, version);
  const char *sni = target_sni(e, ts);
  if (sni[0] != '\0') {
    SSL_set_tlsext_host_name(side->ssl, sni);
  }
  if (e->bench_session != NULL) {
    SSL_set_session(side->ssl, e->bench_session);
  }
  SSL_set_connect_state(side->ssl);
  if (early_len > 0) {
    BIO_write(side->rbio, early, (int)early_len);
  }
  tls_drive(e, c);
}

void tls_data(struct engine *e, uint32_t c, const uint8_t *p, size_t len) {
  struct conn *cn = conn_at(e, c);
  BIO_write(tls_of(e, cn)->rbio, p, (int)len);
  tls_drive(e, c);
}

void tls_eof(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if (cn->state == CONN_APP) {
    app_step(e, c, appcheck_eof(&tls_of(e, cn)->app));
    return;
  }
  conn_fail(e, c, OUTCOME_REJECTED, REJECT_CLOSED, STAGE_RECV, 0);
}

void tls_release(struct engine *e, uint32_t c) {
  side_give(&e->tls, &conn_at(e, c)->tls);
}

const struct conn_kind kConfirmKind = {
    .name = "confirm",
    .deadline_steps = CONFIRM_DEADLINE_STEPS,
    .dialogue = 1,
    .ready = tls_ready,
    .data = tls_data,
    .eof = tls_eof,
    .sent = tls_sent,
    .fail = tls_fail,
    .release = tls_release,
    .handshake_done = confirm_handshake_done,
};
