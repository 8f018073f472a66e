/* scanner/output/writer.h: records out of the event loop without stalling it.
 *
 * Engines render each result in a buffer of their own, then copy it into the
 * writer's fill buffer under a lock (never blocking on I/O); a writer
 * thread swaps buffers and writes to the
 * output file descriptor. When the fill buffer passes its bound (a slow
 * consumer of stdout), writer_congested() turns true and the engines stop
 * taking new targets until it drains, so memory stays bounded and probes in
 * flight are never stalled. writer_finish() flushes everything. */
#ifndef SCANNER_WRITER_H
#define SCANNER_WRITER_H

#include <pthread.h>
#include <stddef.h>

#include "scanner/output/output.h"
#include "scanner/targets/resume.h"

/* Positions (pseq) of the records in a buffer, for checkpoints. */
struct pseq_list {
  uint64_t *v;
  size_t n, cap;
};

struct writer {
  pthread_mutex_t lock;
  pthread_cond_t wake;
  struct outbuf fill;
  struct outbuf drain;
  size_t bound;
  int fd;
  int closing;
  int error;                 /* errno of the first failed write */
  const struct output_format *fmt;
  pthread_t thread;
  unsigned long records;
  /* Checkpoints (--resume): NULL when not asked for. Only the writer thread
   * touches |cp| once started: it alone knows what reached the file. */
  struct checkpoint *cp;
  const char *cp_path;
  int cp_error;              /* errno of the first failed checkpoint */
  uint64_t cp_last_ns;
  struct pseq_list fill_pseqs, drain_pseqs;
  /* Called around each write when the output shares a terminal with a
   * status line (writer_share_terminal); NULL: none. */
  void (*around_write)(void *ctx, int begin);
  void *around_ctx;
  /* When set (after writer_start), sees every record writer_put is given,
   * under the lock: the --metrics collector. */
  void (*observe)(void *ctx, const struct scan_result *r);
  void *observe_ctx;
};

/* writer_start starts the thread; it writes the format's header first when
 * |header| is set (not when a resumed scan appends). With |cp| and
 * |cp_path|, it keeps |cp| up to date and writes it to |cp_path| at most once
 * a second and when it finishes. Returns 1, or 0 with errno set. */
int writer_start(struct writer *w, int fd, const struct output_format *fmt, size_t bound,
                 int header, struct checkpoint *cp, const char *cp_path);
/* writer_share_terminal has the writer call |around|(|ctx|, 1) before each
 * write and |around|(|ctx|, 0) after it, from its thread: the output is a
 * terminal a status line also writes to (status_around_write). */
void writer_share_terminal(struct writer *w, void (*around)(void *ctx, int begin), void *ctx);

/* writer_put renders |r| and queues it. Returns 1, or 0 on allocation failure. */
int writer_put(struct writer *w, const struct scan_result *r);
/* writer_put_summary queues summary records (JSON lines: a tenants sweep's)
 * in the output's format. Returns 1, or 0 on allocation failure. */
int writer_put_summary(struct writer *w, const char *jsonl, size_t len);
/* writer_congested reports whether engines should hold back new targets. */
int writer_congested(struct writer *w);
/* writer_finish flushes, stops the thread and frees the buffers. Returns 0
 * or the errno of the first failed write. */
int writer_finish(struct writer *w);

#endif /* SCANNER_WRITER_H */
