/* scanner/cli/run_db.h: a scan's --db: its run's row in the history
 * database, the feed that stores its records on a thread of its own, and
 * the rule that a database that fails is left behind while the scan and its
 * output go on (the exit status says so at the end: 5). */
#ifndef SCANNER_CLI_RUN_DB_H
#define SCANNER_CLI_RUN_DB_H

#include <stdint.h>

#include "scanner/cli/run.h"
#include "scanner/store/store.h"

struct run_db {
  const char *path;           /* --db FILE */
  struct store *db;           /* while open */
  int64_t run_id;             /* the run's row */
  struct store_feed feed;
  int feeding;                /* the feed's thread runs */
  int failed;                 /* could not be opened, or failed on the way */
};

/* run_db_open opens |o->db| (nothing without it), begins the run's row (a
 * resumed run goes on in its own, after storing what |o->output| holds
 * before the checkpoint's |output_bytes|) and starts the feed. Returns the
 * feed, or NULL without --db or when the database failed (it said why on
 * standard error, and |d->failed| is set). */
struct store_feed *run_db_open(struct run_db *d, const struct run_options *o, int resumed,
                               uint64_t output_bytes);

/* run_db_close stores what is queued and marks the run: complete only when
 * the scan ran to its end (|ran_to_end|), was not stopped by a signal and
 * every record reached the database; then closes it. */
void run_db_close(struct run_db *d, int ran_to_end, int signalled, int fatal);

#endif /* SCANNER_CLI_RUN_DB_H */
