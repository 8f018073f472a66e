/* scanner/engine/conn.c: the life every connection shares, whatever its
 * kind: take a slot, connect, run the protocol's STARTTLS dialogue if it has
 * one, hand over to the kind once TLS may start, move bytes both ways, and
 * close and free the slot once nothing is outstanding.
 *
 * The kind (internal.h) decides what "ready", "data", "sent" and "fail"
 * mean: a probe sends its hello and reads a verdict, a confirmation runs
 * BoringSSL and then the application check, a bench handshake counts its
 * latency. Everything here is the same for all of them, so no function in
 * this file asks which kind it is serving. */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "scanner/engine/internal.h"

uint32_t conn_take(struct engine *e, uint32_t t, int pv, const struct conn_kind *kind) {
  struct target_state *ts = &e->targets[t];
  uint32_t c = slot_take(&e->slots);
  struct conn *cn = conn_at(e, c);
  memset(cn, 0, sizeof(*cn));
  cn->kind = kind;
  cn->state = CONN_CONNECTING;
  cn->target = t;
  cn->pv = (uint8_t)pv;
  cn->dialogue = cn->reader = cn->sendbuf = cn->tls = NONE;
  cn->start_ns = now_ns();
  /* The whole connection's bound: a few steps' worth (connect, a dialogue
   * of several replies, the answer), more for a full handshake and the
   * application's first exchange. */
  cn->deadline_ns = cn->start_ns + (uint64_t)e->cfg->timeout_ms * 1000000u * kind->deadline_steps;
  ts->active++; /* its place under the politeness limits was taken by admit() */
  stat_add(&e->sh->stats.in_flight, 1);
  stat_add(&e->sh->stats.connects, 1);
  return c;
}

static void queue_push(struct engine *e, struct conn_queue *q, uint32_t c) {
  conn_at(e, c)->wait_next = NONE;
  if (q->tail == NONE) {
    q->head = c;
  } else {
    conn_at(e, q->tail)->wait_next = c;
  }
  q->tail = c;
}

static uint32_t queue_pop(struct engine *e, struct conn_queue *q) {
  uint32_t c = q->head;
  if (c != NONE) {
    q->head = conn_at(e, c)->wait_next;
    if (q->head == NONE) {
      q->tail = NONE;
    }
  }
  return c;
}

int sendbuf_take(struct engine *e, uint32_t c, size_t early_len) {
  struct conn *cn = conn_at(e, c);
  if (cn->sendbuf != NONE) {
    return 1; /* handed over by sendbufs_hand_out */
  }
  /* With fewer buffers than slots, a connection without the server's first
   * bytes waits while the reserve is all that is left, or others wait
   * before it: nothing of its is in flight meanwhile, and the wait is one
   * send's. */
  int scarce = e->sendbufs.slots.n < e->nconn;
  if (scarce && early_len == 0 &&
      (e->sendbufs.slots.nfree <= SENDBUFS_RESERVE || e->send_wait.head != NONE)) {
    queue_push(e, &e->send_wait, c);
    return 0;
  }
  cn->sendbuf = side_take(&e->sendbufs);
  if (cn->sendbuf == NONE) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, ENOMEM);
    return 0;
  }
  return 1;
}

void sendbufs_hand_out(struct engine *e) {
  while (e->send_wait.head != NONE && e->sendbufs.slots.nfree > SENDBUFS_RESERVE) {
    uint32_t c = queue_pop(e, &e->send_wait);
    conn_at(e, c)->sendbuf = side_take(&e->sendbufs);
    conn_at(e, c)->kind->ready(e, c, NULL, 0);
    conn_settle(e, c); /* as after a completion: a ready that failed closes */
  }
}

void recvs_hand_out(struct engine *e) {
  /* Their answers are already in their sockets, so each receive submitted
   * takes a buffer at once: no more of them than there are buffers, less a
   * quarter for the receives already waiting on the network. */
  for (unsigned n = e->nbufs - e->nbufs / 4; n > 0 && e->recv_wait.head != NONE; n--) {
    uint32_t c = queue_pop(e, &e->recv_wait);
    struct conn *cn = conn_at(e, c);
    cn->flags &= (uint8_t)~CONN_RECV_WAITING;
    cn->pending--;
    if (!(cn->flags & CONN_DONE)) {
      submit_recv(e, c);
    }
    conn_settle(e, c);
  }
}

/* conn_release frees a slot once no completion is outstanding, with
 * everything it held. */
static void conn_release(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if (cn->kind->release != NULL) {
    cn->kind->release(e, c);
  }
  side_give(&e->dialogues, &cn->dialogue);
  side_give(&e->readers, &cn->reader);
  side_give(&e->sendbufs, &cn->sendbuf);
  cn->state = CONN_FREE;
  slot_release(&e->slots, c);
  stat_add(&e->sh->stats.in_flight, -1);
}

void conn_fail(struct engine *e, uint32_t c, enum probe_outcome outcome,
               enum reject_reason reason, enum probe_stage stage, int err) {
  struct conn *cn = conn_at(e, c);
  if (cn->flags & CONN_DONE) {
    return;
  }
  struct conn_failure f = {
      .outcome = outcome,
      .reason = reason,
      .stage = stage,
      .error = err,
      .dialogue = cn->state == CONN_DIALOGUE ? &dialogue_of(e, cn)->st : NULL,
  };
  cn->kind->fail(e, c, &f);
  cn->flags |= CONN_DONE;
}

void want_recv(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if (!(cn->flags & (CONN_RECV_INFLIGHT | CONN_RECV_WAITING | CONN_DONE))) {
    submit_recv(e, c);
  }
}

/* ---- the STARTTLS dialogue ---------------------------------------------------- */

/* dialogue_ready hands the connection to its kind once the dialogue said go,
 * giving back the dialogue's side slot first: it is not needed any more. */
static void dialogue_ready(struct engine *e, uint32_t c, const uint8_t *rest, size_t rest_len) {
  struct conn *cn = conn_at(e, c);
  /* A command may still be on its way from the dialogue's buffers; its
   * completion touches nothing but the counters. */
  if (!(cn->flags & CONN_SEND_INFLIGHT)) {
    side_give(&e->dialogues, &cn->dialogue);
  }
  cn->state = CONN_TLS;
  cn->kind->ready(e, c, rest, rest_len);
}

/* dialogue_step acts on what the dialogue asks for next. |rest| are server
 * bytes it did not consume: after a go-ahead they belong to TLS; after a
 * SEND step (a server that talked ahead of our command) they are fed to the
 * dialogue again once the command is on its way. */
static void dialogue_step(struct engine *e, uint32_t c, enum starttls_step step,
                          const uint8_t *rest, size_t rest_len) {
  struct conn *cn = conn_at(e, c);
  struct dialogue_side *d = dialogue_of(e, cn);
  for (;;) {
    switch (step) {
      case STARTTLS_NEED_MORE:
        submit_recv(e, c);
        return;
      case STARTTLS_SEND: {
        if ((cn->flags & CONN_SEND_INFLIGHT) && cn->tx_next != NULL) {
          /* A third command while two wait: only a server answering what
           * was never asked can cause it. */
          conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, EPROTO);
          return;
        }
        size_t len;
        const uint8_t *out = starttls_output(&d->st, &len);
        uint8_t *buf = d->txbuf[d->turn];
        d->turn ^= 1;
        memcpy(buf, out, len);
        send_bytes(e, c, buf, len);
        if (rest_len == 0) {
          submit_recv(e, c);
          return;
        }
        size_t used = 0;
        step = starttls_feed(&d->st, rest, rest_len, &used);
        rest += used;
        rest_len -= used;
        continue;
      }
      case STARTTLS_READY:
        dialogue_ready(e, c, rest, rest_len);
        return;
      case STARTTLS_FAILED:
        conn_fail(e, c, OUTCOME_REJECTED,
                  starttls_failure(&d->st) == STARTTLS_CLOSED ? REJECT_CLOSED : REJECT_STARTTLS,
                  STAGE_DIALOGUE, 0);
        return;
    }
    return;
  }
}

static void dialogue_begin(struct engine *e, uint32_t c, enum proto proto) {
  struct conn *cn = conn_at(e, c);
  cn->dialogue = side_take(&e->dialogues);
  if (cn->dialogue == NONE) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, ENOMEM);
    return;
  }
  cn->state = CONN_DIALOGUE;
  struct dialogue_side *d = dialogue_of(e, cn);
  d->turn = 0;
  /* The XMPP stream's "to" is the server's domain, a named target's own
   * name (as after TLS, appcheck); SMTP's EHLO names the client (--ehlo). */
  struct target_state *ts = target_of(e, cn);
  const char *name = proto == PROTO_XMPP && ts->item.p.kind == TARGET_NAME ? target_host(e, ts)
                                                                           : e->cfg->ehlo;
  starttls_init(&d->st, proto, name);
  dialogue_step(e, c, starttls_begin(&d->st), NULL, 0);
}

/* ---- completions ---------------------------------------------------------------- */

void conn_on_connect(struct engine *e, uint32_t c, int res) {
  struct conn *cn = conn_at(e, c);
  struct target_state *ts = target_of(e, cn);
  if (res == 0) {
    ts->connected_once = 1;
    enum proto proto = (enum proto)ts->item.p.proto;
    if (cn->kind->dialogue && starttls_needed(proto)) {
      dialogue_begin(e, c, proto);
    } else {
      cn->state = CONN_TLS;
      cn->kind->ready(e, c, NULL, 0);
    }
    return;
  }
  int err = -res;
  if (cn->socket_error != 0) {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, cn->socket_error);
    return;
  }
  if (err == ECANCELED || err == ETIMEDOUT) {
    conn_fail(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_CONNECT, 0);
    return;
  }
  if (err == ECONNRESET || err == ECONNABORTED) {
    /* The server took the connection and reset it before the hello went out
     * (a filter behind accept()): an answer, not an unreachable host. */
    ts->connected_once = 1;
    conn_fail(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_CONNECT, 0);
    return;
  }
  int unreachable = err == ECONNREFUSED || err == ENETUNREACH || err == EHOSTUNREACH;
  if (unreachable && !ts->connected_once) {
    /* The host says nobody listens: the other versions would say the same. */
    ts->status = STATUS_UNREACHABLE;
    ts->error.text = "connect";
    ts->error.errnum = err;
    ts->versions_left = 0;
  }
  conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_CONNECT, err);
}

/* conclude_recv ends a connection whose receive brought no bytes: the
 * server closed (0) or reset, the linked timeout cancelled it, or an error. */
static void conclude_recv(struct engine *e, uint32_t c, int res) {
  if (res == -ECONNRESET || res == -EPIPE) {
    conn_fail(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_RECV, 0);
  } else if (res == -ECANCELED) {
    conn_fail(e, c, OUTCOME_TIMEOUT, REJECT_NONE, STAGE_RECV, 0);
  } else {
    conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_RECV, -res);
  }
}

void conn_on_recv(struct engine *e, uint32_t c, int res, const uint8_t *data) {
  struct conn *cn = conn_at(e, c);
  if (cn->flags & CONN_DONE) {
    return;
  }
  if (res == -ENOBUFS) {
    /* Every provided buffer was taken when the answer came: it is still in
     * the socket. Submitted again at once, the receive would fail again
     * while this batch holds the buffers (a burst of answers at -c 2000
     * made four or five failed receives per probe): it waits for them,
     * counted as pending so that the slot stays its own meanwhile. */
    cn->flags |= CONN_RECV_WAITING;
    cn->pending++;
    queue_push(e, &e->recv_wait, c);
    return;
  }
  if (cn->state == CONN_DIALOGUE) {
    struct dialogue_side *d = dialogue_of(e, cn);
    if (res > 0) {
      size_t used = 0;
      enum starttls_step step = starttls_feed(&d->st, data, (size_t)res, &used);
      dialogue_step(e, c, step, data + used, (size_t)res - used);
    } else if (res == 0) {
      starttls_eof(&d->st);
      conn_fail(e, c, OUTCOME_REJECTED,
                starttls_failure(&d->st) == STARTTLS_CLOSED ? REJECT_CLOSED : REJECT_STARTTLS,
                STAGE_DIALOGUE, 0);
    } else {
      conclude_recv(e, c, res);
    }
    return;
  }
  if (res > 0) {
    cn->kind->data(e, c, data, (size_t)res);
  } else if (res == 0) {
    cn->kind->eof(e, c);
  } else {
    conclude_recv(e, c, res);
  }
}

void conn_on_send(struct engine *e, uint32_t c, int res) {
  struct conn *cn = conn_at(e, c);
  cn->flags &= (uint8_t)~CONN_SEND_INFLIGHT;
  if (cn->state != CONN_DIALOGUE && cn->tx_next == NULL) {
    /* A dialogue's last command has gone: its buffers can go too. */
    side_give(&e->dialogues, &cn->dialogue);
  }
  if (cn->flags & CONN_DONE) {
    return; /* a flush before the close has gone (or failed) */
  }
  if (res < 0) {
    /* A reset seen while sending is the server's answer to the hello. */
    if (res == -ECONNRESET || res == -EPIPE) {
      conn_fail(e, c, OUTCOME_REJECTED, REJECT_RESET, STAGE_SEND, 0);
    } else {
      conn_fail(e, c, OUTCOME_ERROR, REJECT_NONE, STAGE_SEND, -res);
    }
    return;
  }
  cn->sent += (uint32_t)res;
  if (cn->sent < cn->tx_len) {
    submit_send(e, c);
  } else if (cn->tx_next != NULL) {
    const uint8_t *p = cn->tx_next;
    cn->tx_next = NULL;
    send_bytes(e, c, p, cn->tx_next_len);
  } else if (cn->kind->sent != NULL) {
    cn->kind->sent(e, c);
  }
}

/* conn_settle runs after every completion of a slot: once the outcome is in
 * it closes, and once nothing is outstanding it frees the slot and moves the
 * target on: more versions to probe, the fallback check, confirmations, or
 * its record. */
void conn_settle(struct engine *e, uint32_t c) {
  struct conn *cn = conn_at(e, c);
  if ((cn->flags & CONN_DONE) && cn->state != CONN_CLOSING &&
      !((cn->flags & CONN_FLUSH_CLOSE) && (cn->flags & CONN_SEND_INFLIGHT))) {
    close_conn(e, c);
  }
  if (cn->state != CONN_CLOSING || cn->pending > 0) {
    return;
  }
  uint32_t t = cn->target;
  struct target_state *ts = &e->targets[t];
  release_place(e, ts);
  ts->active--;
  conn_release(e, c);
  if ((ts->versions_left != 0 || ts->fallback_due || ts->ciphers_due != 0 ||
       confirm_pending(ts)) &&
      ts->status == STATUS_OK) {
    fifo_push(e, t);
  } else if (ts->active == 0) {
    /* Probes done: the fallback check, the suites (--ciphers), then
     * confirmations, if due. */
    if (!ts->fallback_planned && plan_fallback(e, ts)) {
      fifo_push(e, t);
      return;
    }
    if (!ts->ciphers_planned && plan_ciphers(e, ts)) {
      fifo_push(e, t);
      return;
    }
    if (!ts->confirm_planned && plan_confirmations(e, ts)) {
      fifo_push(e, t);
      return;
    }
    /* Versions never probed because the target was unreachable stay not_run. */
    ts->versions_left = 0;
    finish_target(e, t);
  }
}
