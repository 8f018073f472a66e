/* scanner/store/feed.c: the live run's database thread (see feed.h).
 *
 * Double buffering as in the output writer: engines append rendered lines
 * to |fill| under the lock; the thread swaps |fill| and |drain| and stores
 * |drain| without the lock, in transactions of at most kBatchLines lines, so
 * a commit (the one write the disk must see) is paid per batch, not per
 * record, and the batch grows with the load. */
#include "scanner/store/feed.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Lines per transaction at most: a long transaction holds the WAL's
 * growth and a reader's view back. */
static const size_t kBatchLines = 8192;

static void feed_fail_with(struct store_feed *f, const char *why) {
  snprintf(f->error, sizeof(f->error), "%s", why);
  fprintf(stderr,
          "tlssweep: --db %s: %s; the database is no longer written (the run stays marked "
          "incomplete); records still go to the output\n",
          f->name, f->error);
  __atomic_store_n(&f->failed, 1, __ATOMIC_RELEASE);
}

static void feed_fail(struct store_feed *f) {
  feed_fail_with(f, store_error(f->store));
}

/* store_lines stores the lines of |buf|. Returns 1, or 0 when the
 * database failed. */
static int store_lines(struct store_feed *f, const char *p, size_t len) {
  const char *end = p + len;
  while (p < end) {
    if (!store_begin(f->store)) {
      return 0;
    }
    for (size_t n = 0; p < end && n < kBatchLines; n++) {
      const char *nl = memchr(p, '\n', (size_t)(end - p));
      size_t linelen = nl != NULL ? (size_t)(nl - p) : (size_t)(end - p);
      enum store_line kind;
      if (!store_ingest_line(f->store, f->run, p, linelen, f->dup, &kind)) {
        store_rollback(f->store);
        return 0;
      }
      f->stored += kind != STORE_LINE_BAD;
      p += linelen + (nl != NULL);
    }
    if (!store_commit(f->store)) {
      return 0;
    }
  }
  return 1;
}

static void *feed_main(void *arg) {
  struct store_feed *f = arg;
  pthread_mutex_lock(&f->lock);
  for (;;) {
    while (f->fill.len == 0 && !f->closing) {
      pthread_cond_wait(&f->wake, &f->lock);
    }
    if (f->fill.len == 0) {
      break;
    }
    struct outbuf t = f->drain;
    f->drain = f->fill;
    f->fill = t;
    f->fill.len = 0;
    pthread_mutex_unlock(&f->lock);
    if (!store_feed_failed(f) && !store_lines(f, f->drain.data, f->drain.len)) {
      feed_fail(f);
    }
    f->drain.len = 0;
    pthread_mutex_lock(&f->lock);
  }
  pthread_mutex_unlock(&f->lock);
  return NULL;
}

int store_feed_start(struct store_feed *f, struct store *s, int64_t run, enum store_dup dup,
                     size_t bound, const char *name) {
  memset(f, 0, sizeof(*f));
  pthread_mutex_init(&f->lock, NULL);
  pthread_cond_init(&f->wake, NULL);
  f->bound = bound;
  f->jsonl = output_format_find("jsonl");
  f->store = s;
  f->run = run;
  f->dup = dup;
  f->name = name;
  int rc = pthread_create(&f->thread, NULL, feed_main, f);
  if (rc != 0) {
    errno = rc;
    return 0;
  }
  return 1;
}

int store_feed_failed(struct store_feed *f) {
  return __atomic_load_n(&f->failed, __ATOMIC_ACQUIRE);
}

void store_feed_put(struct store_feed *f, const struct scan_result *r) {
  if (store_feed_failed(f)) {
    return;
  }
  pthread_mutex_lock(&f->lock);
  size_t before = f->fill.len;
  if (!f->jsonl->record(r, &f->fill)) {
    /* A record the database lacks makes the run incomplete: say so. */
    f->fill.len = before;
    feed_fail_with(f, "out of memory queueing a record");
  }
  pthread_cond_signal(&f->wake);
  pthread_mutex_unlock(&f->lock);
}

void store_feed_put_text(struct store_feed *f, const char *text, size_t len) {
  if (store_feed_failed(f)) {
    return;
  }
  pthread_mutex_lock(&f->lock);
  if (!outbuf_append(&f->fill, text, len)) {
    feed_fail_with(f, "out of memory queueing a summary");
  }
  pthread_cond_signal(&f->wake);
  pthread_mutex_unlock(&f->lock);
}

int store_feed_congested(struct store_feed *f) {
  if (store_feed_failed(f)) {
    return 0;
  }
  pthread_mutex_lock(&f->lock);
  int congested = f->fill.len > f->bound;
  pthread_mutex_unlock(&f->lock);
  return congested;
}

int store_feed_finish(struct store_feed *f) {
  pthread_mutex_lock(&f->lock);
  f->closing = 1;
  pthread_cond_signal(&f->wake);
  pthread_mutex_unlock(&f->lock);
  pthread_join(f->thread, NULL);
  outbuf_free(&f->fill);
  outbuf_free(&f->drain);
  pthread_mutex_destroy(&f->lock);
  pthread_cond_destroy(&f->wake);
  return !store_feed_failed(f);
}
