/* scanner/writer.c: a writer thread with double buffering and a bound.
 *
 * Rendering happens on the engine thread into `fill`; the writer thread
 * swaps `fill` and `drain` under the lock and writes `drain` without it, so
 * an engine waits at most for a memcpy-sized critical section, never for the
 * consumer. A write error (a closed pipe, a full disk) is remembered and
 * reported at the end; records after it are discarded rather than blocking
 * the scan. */
#include "scanner/writer.h"

#include <errno.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

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

static void *writer_main(void *arg) {
  struct writer *w = arg;
  pthread_mutex_lock(&w->lock);
  for (;;) {
    while (w->fill.len == 0 && !w->closing) {
      pthread_cond_wait(&w->wake, &w->lock);
    }
    if (w->fill.len == 0 && w->closing) {
      break;
    }
    struct outbuf t = w->drain;
    w->drain = w->fill;
    w->fill = t;
    w->fill.len = 0;
    pthread_mutex_unlock(&w->lock);
    int err = w->error ? 0 : write_all(w->fd, w->drain.data, w->drain.len);
    w->drain.len = 0;
    pthread_mutex_lock(&w->lock);
    if (err != 0 && w->error == 0) {
      w->error = err;
    }
  }
  pthread_mutex_unlock(&w->lock);
  return NULL;
}

int writer_start(struct writer *w, int fd, const struct output_format *fmt, size_t bound) {
  memset(w, 0, sizeof(*w));
  pthread_mutex_init(&w->lock, NULL);
  pthread_cond_init(&w->wake, NULL);
  w->fd = fd;
  w->fmt = fmt;
  w->bound = bound;
  if (fmt->header != NULL && !fmt->header(&w->fill)) {
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

int writer_put(struct writer *w, const struct scan_result *r) {
  pthread_mutex_lock(&w->lock);
  int ok = w->fmt->record(r, &w->fill);
  w->records++;
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
  return w->error;
}
