/* scanner/store/feed.h: a live run's records into the store, off the engines.
 *
 * The engines hand each result to the run's sink, which also hands it here:
 * store_feed_put renders it as a JSON line (the jsonl format's own
 * rendering, so the database holds what a JSON Lines output would) into a
 * fill buffer under a lock, and returns. The feed's thread swaps buffers and
 * stores each drained buffer's lines in one transaction (store_ingest_line).
 * The engines never wait for SQLite: when the fill buffer passes its bound,
 * store_feed_congested() turns true and the engines hold back new targets
 * (as they do for a slow output), so memory stays bounded and probes in
 * flight go on. A database failure (a full disk, a corrupt or read-only
 * file) is said once on stderr as it happens; from then on the feed drops
 * what it is given, and the scan's own output is untouched. */
#ifndef SCANNER_STORE_FEED_H
#define SCANNER_STORE_FEED_H

#include <pthread.h>
#include <stddef.h>
#include <stdint.h>

#include "scanner/base/outbuf.h"
#include "scanner/output/output.h"
#include "scanner/store/store.h"

struct store_feed {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  struct outbuf fill, drain;
  size_t bound;
  int closing;
  int failed;                 /* atomic: the database failed; drop everything */
  const struct output_format *jsonl;
  struct store *store;
  int64_t run;
  enum store_dup dup;
  const char *name;           /* the database's path, for messages */
  pthread_t thread;
  uint64_t stored;            /* lines stored (records and summaries) */
  char error[512];            /* the failure, once failed */
};

/* store_feed_start starts the thread that stores run |run|'s lines in |s|,
 * treating a record the run already holds as |dup| says. Returns 1, or 0
 * with errno set. */
int store_feed_start(struct store_feed *f, struct store *s, int64_t run, enum store_dup dup,
                     size_t bound, const char *name);

/* store_feed_put queues |r| as a JSON line; store_feed_put_text queues
 * JSON lines already rendered (tenant summaries). Neither blocks on the
 * database; after a failure they do nothing. */
void store_feed_put(struct store_feed *f, const struct scan_result *r);
void store_feed_put_text(struct store_feed *f, const char *text, size_t len);

/* store_feed_congested says whether the engines should hold back new
 * targets until the feed catches up. */
int store_feed_congested(struct store_feed *f);

/* store_feed_failed says whether the database has failed. */
int store_feed_failed(struct store_feed *f);

/* store_feed_finish stores what is queued and stops the thread. Returns 1
 * when every line was stored, 0 when the database failed (f->error). */
int store_feed_finish(struct store_feed *f);

#endif /* SCANNER_STORE_FEED_H */
