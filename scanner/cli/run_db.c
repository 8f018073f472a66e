/* scanner/cli/run_db.c: a scan's --db (see run_db.h). */
#include "scanner/cli/run_db.h"

#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>
#include <unistd.h>

#include "scanner/base/clock.h"

/* Rendered records held for the database before the engines stop taking
 * new targets. */
#define STORE_BOUND (16u << 20)

/* db_lost says the database is left behind; the scan goes on. */
static void db_lost(struct run_db *d, const char *why) {
  fprintf(stderr,
          "tlssweep: --db %s: %s; the scan goes on without it, records still go to the "
          "output\n",
          d->path, why);
  d->failed = 1;
  store_close(d->db);
  d->db = NULL;
}

/* command_json is the command line as a JSON array, for the run's row (an
 * argument that is not UTF-8 becomes null). */
static char *command_json(const struct run_options *o) {
  json_t *cmd = json_array();
  for (int i = 0; i < o->argc; i++) {
    json_t *arg = json_string(o->argv[i]);
    json_array_append_new(cmd, arg != NULL ? arg : json_null());
  }
  char *text = json_dumps(cmd, JSON_COMPACT);
  json_decref(cmd);
  return text;
}

/* backfill_from_output stores the records a resumed run's output holds
 * before its checkpoint (|left| bytes): the targets the scan will skip.
 * Those the database already has are kept. Returns 1, or 0 when the
 * database failed or the output could not be read (|why|). */
static int backfill_from_output(struct run_db *d, const char *output, uint64_t left, char *why,
                                size_t cap) {
  FILE *in = fopen(output, "r");
  if (in == NULL) {
    snprintf(why, cap, "cannot read the output back: %s", strerror(errno));
    return 0;
  }
  char *line = NULL;
  size_t linecap = 0;
  uint64_t n = 0;
  ssize_t len;
  int ok = store_begin(d->db);
  while (ok && left > 0 && (len = getline(&line, &linecap, in)) > 0) {
    if ((uint64_t)len > left) {
      break; /* past the checkpoint: truncated away already */
    }
    left -= (uint64_t)len;
    enum store_line kind;
    ok = store_ingest_line(d->db, d->run_id, line, (size_t)len, STORE_DUP_KEEP, &kind);
    if (ok && ++n % 8192 == 0) {
      ok = store_commit(d->db) && store_begin(d->db);
    }
  }
  ok = ok && store_commit(d->db);
  free(line);
  fclose(in);
  snprintf(why, cap, "%s", store_error(d->db));
  return ok;
}

/* identity names the run's row: a run that can be resumed by its
 * checkpoint's identity, so the resumed scan goes on in the same row; any
 * other by a random one. */
static void identity(const struct run_options *o, char *out, size_t cap) {
  if (o->resume != NULL) {
    snprintf(out, cap, "resume:%016llx", (unsigned long long)o->identity);
    return;
  }
  uint64_t r = 0;
  if (getrandom(&r, sizeof(r), 0) != (ssize_t)sizeof(r)) {
    r = (uint64_t)getpid() << 32;
  }
  snprintf(out, cap, "live:%016llx%016llx", (unsigned long long)r, (unsigned long long)now_ns());
}

struct store_feed *run_db_open(struct run_db *d, const struct run_options *o, int resumed,
                               uint64_t output_bytes) {
  memset(d, 0, sizeof(*d));
  d->path = o->db;
  if (o->db == NULL) {
    return NULL;
  }
  char err[512];
  if (!store_open(o->db, &d->db, err, sizeof(err))) {
    db_lost(d, err);
    return NULL;
  }
  char id[64];
  identity(o, id, sizeof(id));
  char *command = command_json(o);
  struct store_run_desc desc = {
      .identity = id,
      .kind = o->argv[0],
      .source = "live",
      .started_at = (int64_t)time(NULL),
      .command = command,
  };
  int reused;
  int ok = store_run_begin(d->db, &desc, resumed, &d->run_id, &reused);
  free(command);
  if (!ok) {
    db_lost(d, store_error(d->db));
    return NULL;
  }
  if (resumed && !backfill_from_output(d, o->output, output_bytes, err, sizeof(err))) {
    db_lost(d, err);
    return NULL;
  }
  enum store_dup dup = resumed ? STORE_DUP_REPLACE : STORE_DUP_KEEP;
  if (!store_feed_start(&d->feed, d->db, d->run_id, dup, STORE_BOUND, o->db)) {
    db_lost(d, strerror(errno));
    return NULL;
  }
  d->feeding = 1;
  return &d->feed;
}

void run_db_close(struct run_db *d, int ran_to_end, int signalled, int fatal) {
  if (d->feeding) {
    d->feeding = 0;
    int stored = store_feed_finish(&d->feed);
    enum store_run_state st = !stored || fatal || !ran_to_end ? STORE_RUN_FAILED
                              : signalled                     ? STORE_RUN_STOPPED
                                                              : STORE_RUN_COMPLETE;
    if (!stored) {
      d->failed = 1;
      /* Best effort: a full disk may still take one small update. */
      store_run_end(d->db, d->run_id, STORE_RUN_FAILED, (int64_t)time(NULL));
    } else if (!store_run_end(d->db, d->run_id, st, (int64_t)time(NULL))) {
      fprintf(stderr, "tlssweep: --db %s: %s\n", d->path, store_error(d->db));
      d->failed = 1;
    }
  }
  store_close(d->db);
  d->db = NULL;
}
