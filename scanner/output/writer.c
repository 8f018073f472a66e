/* scanner/output/writer.c: a writer thread with double buffering and a bound.
 *
 * Rendering happens on the engine thread, into a buffer of the thread's own
 * (output_record_buffer) and without the lock, then the record is copied into `fill`; the writer
 * thread swaps `fill` and `drain` under the lock and writes `drain` without
 * it, so an engine waits at most for a memcpy-sized critical section, never
 * for the consumer (rendering under the lock made the writer wait for it
 * some ten thousand times in a scan of 30,000 targets). A write error (a closed pipe, a full disk) is remembered and
 * reported at the end; records after it are discarded rather than blocking
 * the scan. The thread is woken for a batch (WRITER_BATCH bytes, or what
 * came within WRITER_LINGER_MS of the batch's first record), not for each
 * record: woken per record, it cost a futex wake, a context switch and a
 * write per record, a tenth of a fast scan's CPU on two cores (bench/
 * RESULTS.md). With --resume, the thread also keeps the checkpoint: after each
 * write that succeeded it marks the written records' positions done and
 * counts the bytes, so the checkpoint describes exactly what is in the file
 * (resume.h says why that gives every target once). */
#include "scanner/output/writer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "scanner/base/clock.h"

#define WRITER_BATCH (64 * 1024)
#define WRITER_LINGER_MS 100

static int write_all(int fd, const char *p, size_t n) {
  while (n > 0) {
    ssize_t k = write(fd, p, n);
    if (k < 0) {
      if (errno == EINTR) {
        continue;
      }
      return errno;
    }
    p += k;
    n -= (size_t)k;
  }
  return 0;
}

static int pseq_push(struct pseq_list *l, uint64_t v) {
  if (l->n == l->cap) {
    size_t cap = l->cap ? 2 * l->cap : 256;
    uint64_t *p = realloc(l->v, cap * sizeof(*p));
    if (p == NULL) {
      return 0;
    }
    l->v = p;
    l->cap = cap;
  }
  l->v[l->n++] = v;
  return 1;
}

/* checkpoint_after records what the last write put in the file, and writes
 * the checkpoint when a second has passed or |force|. Writer thread only. */
static void checkpoint_after(struct writer *w, size_t bytes, int force) {
  struct checkpoint *cp = w->cp;
  cp->output_bytes += bytes;
  for (size_t i = 0; i < w->drain_pseqs.n; i++) {
    if (!done_set_add(&cp->done, w->drain_pseqs.v[i]) && w->cp_error == 0) {
      w->cp_error = ENOMEM;
    }
  }
  uint64_t now = now_ns();
  if (force || now - w->cp_last_ns >= 1000000000u) {
    int err = checkpoint_write(w->cp_path, cp);
    if (err != 0 && w->cp_error == 0) {
      w->cp_error = err;
    }
    w->cp_last_ns = now;
  }
}

static void *writer_main(void *arg) {
  struct writer *w = arg;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (w->fill.len == 0 && !w->closing) {
      pthread_cond_wait(&w->wake, &w->lock);
    }
    if (!w->closing && w->fill.len < WRITER_BATCH) {
      /* A record is waiting: let others join it for a moment. */
      struct timespec until;
      clock_gettime(CLOCK_MONOTONIC, &until);
      until.tv_nsec += WRITER_LINGER_MS * 1000000L;
      if (until.tv_nsec >= 1000000000L) {
        until.tv_sec++;
        until.tv_nsec -= 1000000000L;
      }
      while (!w->closing && w->fill.len < WRITER_BATCH &&
             pthread_cond_timedwait(&w->wake, &w->lock, &until) == 0) {
      }
    }
    if (w->fill.len == 0 && w->closing) {
      break;
    }
    struct outbuf t = w->drain;
    w->drain = w->fill;
    w->fill = t;
    w->fill.len = 0;
    struct pseq_list tp = w->drain_pseqs;
    w->drain_pseqs = w->fill_pseqs;
    w->fill_pseqs = tp;
    w->fill_pseqs.n = 0;
    void (*around)(void *, int) = w->around_write;
    void *around_ctx = w->around_ctx;
    pthread_mutex_unlock(&w->lock);
    if (around != NULL) {
      around(around_ctx, 1);
    }
    int err = w->error ? 0 : write_all(w->fd, w->drain.data, w->drain.len);
    if (around != NULL) {
      around(around_ctx, 0);
    }
    if (err == 0 && w->error == 0 && w->cp != NULL) {
      checkpoint_after(w, w->drain.len, 0);
    }
    w->drain.len = 0;
    w->drain_pseqs.n = 0;
    pthread_mutex_lock(&w->lock);
    if (err != 0 && w->error == 0) {
      w->error = err;
    }
  }
  pthread_mutex_unlock(&w->lock);
  if (w->cp != NULL && w->error == 0) {
    checkpoint_after(w, 0, 1); /* the final checkpoint */
  }
  return NULL;
}

int writer_start(struct writer *w, int fd, const struct output_format *fmt, size_t bound,
                 int header, struct checkpoint *cp, const char *cp_path) {
  memset(w, 0, sizeof(*w));
  pthread_mutex_init(&w->lock, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&w->wake, &ca);
  pthread_condattr_destroy(&ca);
  w->fd = fd;
  w->fmt = fmt;
  w->bound = bound;
  w->cp = cp;
  w->cp_path = cp_path;
  w->cp_last_ns = now_ns();
  if (header && fmt->header != NULL && !fmt->header(&w->fill)) {
    errno = ENOMEM;
    return 0;
  }
  int rc = pthread_create(&w->thread, NULL, writer_main, w);
  if (rc != 0) {
    errno = rc;
    return 0;
  }
  return 1;
}

void writer_share_terminal(struct writer *w, void (*around)(void *ctx, int begin), void *ctx) {
  pthread_mutex_lock(&w->lock);
  w->around_write = around;
  w->around_ctx = ctx;
  pthread_mutex_unlock(&w->lock);
}

int writer_put(struct writer *w, const struct scan_result *r) {
  struct outbuf *b = output_record_buffer();
  int ok = b != NULL;
  if (ok) {
    b->len = 0;
    ok = w->fmt->record(r, b);
  }
  pthread_mutex_lock(&w->lock);
  size_t before = w->fill.len;
  if (ok) {
    ok = outbuf_append(&w->fill, b->data, b->len);
  }
  if (w->observe != NULL) {
    w->observe(w->observe_ctx, r);
  }
  if (ok && w->cp != NULL) {
    ok = pseq_push(&w->fill_pseqs, r->pseq);
  }
  w->records++;
  /* The batch's first record starts the writer's wait; a full batch ends it. */
  if (before == 0 || (before < WRITER_BATCH && w->fill.len >= WRITER_BATCH)) {
    pthread_cond_signal(&w->wake);
  }
  pthread_mutex_unlock(&w->lock);
  return ok;
}

int writer_put_summary(struct writer *w, const char *jsonl, size_t len) {
  pthread_mutex_lock(&w->lock);
  int ok = w->fmt->summary != NULL ? w->fmt->summary(jsonl, len, &w->fill)
                                   : outbuf_append(&w->fill, jsonl, len);
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  return ok;
}

int writer_congested(struct writer *w) {
  pthread_mutex_lock(&w->lock);
  int congested = w->fill.len > w->bound;
  pthread_mutex_unlock(&w->lock);
  return congested;
}

int writer_finish(struct writer *w) {
  pthread_mutex_lock(&w->lock);
  w->closing = 1;
  pthread_cond_signal(&w->wake);
  pthread_mutex_unlock(&w->lock);
  pthread_join(w->thread, NULL);
  outbuf_free(&w->fill);
  outbuf_free(&w->drain);
  free(w->fill_pseqs.v);
  free(w->drain_pseqs.v);
  return w->error;
}
