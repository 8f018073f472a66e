/* scanner/store/store.h: every run kept in an SQLite database (--db FILE).
 *
 * A store is one SQLite file (Debian's libsqlite3) in WAL mode, so that
 * `tlssweep history` can read while a scan writes. Its schema is versioned
 * with PRAGMA user_version and migrated forward when a file is opened
 * (schema.c holds the migrations; docs/store.md describes every table and
 * column). What goes in is exactly what a JSON Lines output holds: a run's
 * records and tenant summaries arrive as JSON lines, from a live scan
 * (feed.h renders each result as the jsonl format would) or from a file
 * (`tlssweep import`), and both go through store_ingest_line. So a live run
 * and an import of its output give the same rows.
 *
 * A run is a row in `runs`, "running" from its start. Only a run that ended
 * as it should is marked "complete"; one that was stopped, failed, or died
 * (kill -9, a full disk) stays "stopped", "failed" or "running", and every
 * reader treats anything but "complete" as incomplete. A record's place in
 * its run is its identity (store_record_key: the target as written, its
 * line, host, address, port, protocol and label), unique per run, so a
 * record ingested twice is stored once, and a resumed scan that probes a
 * target again replaces its earlier record.
 *
 * Every value from a record is a bound parameter of a prepared statement,
 * never SQL text. Functions return 1 or 0; on 0, store_error() says why in
 * a sentence, and the store may be used no further except to be closed
 * (every failure is an SQLite error: a full disk, a read-only or corrupt
 * file). A store is used by one thread at a time. */
#ifndef SCANNER_STORE_H
#define SCANNER_STORE_H

#include <stddef.h>
#include <stdint.h>

struct store;

/* The schema version this build writes (PRAGMA user_version). */
#define STORE_SCHEMA_VERSION 1

/* store_open opens |path| (creating it, or "" for a private temporary
 * database deleted at close), sets WAL mode and migrates the schema
 * forward. Returns 1 with |*out|, or 0 with the reason in |err| (a file of
 * a newer schema, not a database, read-only). */
int store_open(const char *path, struct store **out, char *err, size_t errcap);
void store_close(struct store *s);

/* store_error is the last failure, as a sentence. */
const char *store_error(const struct store *s);

/* store_begin and store_commit bracket a batch of ingests: one transaction
 * per batch, not per row. store_rollback drops a batch that failed half
 * way, so no record is kept in part. */
int store_begin(struct store *s);
int store_commit(struct store *s);
void store_rollback(struct store *s);

enum store_run_state {
  STORE_RUN_RUNNING,   /* begun; also what a run that died is left as */
  STORE_RUN_COMPLETE,
  STORE_RUN_STOPPED,   /* stopped by a signal */
  STORE_RUN_FAILED,    /* a fatal error, or the database failed during it */
};

const char *store_run_state_name(enum store_run_state st);

/* A run as it begins. */
struct store_run_desc {
  const char *identity;   /* see docs/store.md: live:RANDOM, resume:CHECKPOINT, import:SHA256 */
  const char *kind;       /* scan, lab, tenants */
  const char *source;     /* live, import */
  int64_t started_at;     /* Unix seconds */
  const char *command;    /* JSON array of the command line, or NULL */
  const char *metadata;   /* a --metadata document, or NULL */
};

/* store_run_begin starts run |d|. With |reuse|, the newest run of the same
 * identity is taken up again instead of a new one (a resumed scan, an
 * import of a file seen before), set running, and |*out_reused| is 1.
 * Returns 1 with the run's id in |*out_run|. */
int store_run_begin(struct store *s, const struct store_run_desc *d, int reuse, int64_t *out_run,
                    int *out_reused);

/* store_run_end sets the run's state, its end time and its record count
 * (recounted from the rows). */
int store_run_end(struct store *s, int64_t run, enum store_run_state st, int64_t finished_at);

/* store_run_set_kind changes a run's kind (an import learns it is a
 * tenants sweep when it meets a summary). */
int store_run_set_kind(struct store *s, int64_t run, const char *kind);

/* How a record whose identity the run already holds is treated. */
enum store_dup {
  STORE_DUP_KEEP,      /* keep the stored one (imports, a resume's backfill) */
  STORE_DUP_REPLACE,   /* the new one wins (a resumed scan probing a target again) */
};

enum store_line {
  STORE_LINE_RECORD,   /* a target's record, stored */
  STORE_LINE_TENANT,   /* a tenant summary, stored */
  STORE_LINE_KNOWN,    /* stored before (same identity in this run), kept */
  STORE_LINE_BAD,      /* not JSON, or neither a record nor a summary */
};

/* store_ingest_line stores one JSON line of a run's output in run |run|.
 * |*out_kind| says what the line was. Returns 1 (a bad line included: it is
 * the caller's to report), or 0 when the database failed. */
int store_ingest_line(struct store *s, int64_t run, const char *line, size_t len,
                      enum store_dup dup, enum store_line *out_kind);

/* store_parse parses one JSON line for store_ingest_parsed, touching no
 * database, so that one thread can parse while another stores. Returns
 * NULL for a line that is not a JSON object. */
struct store_parsed;
struct store_parsed *store_parse(const char *line, size_t len);
void store_parsed_free(struct store_parsed *p);

/* store_ingest_parsed is store_ingest_line for a line parsed before (NULL:
 * a bad line); it frees |p|. */
int store_ingest_parsed(struct store *s, int64_t run, struct store_parsed *p, enum store_dup dup,
                        enum store_line *out_kind);

/* store_record_key is a record's identity within its run: 63 bits of
 * SHA-256 over its target as written, input line, host, address, port,
 * protocol and label (NULL for absent ones). */
int64_t store_record_key(const char *target, int64_t line, const char *host, const char *ip,
                         int64_t port, const char *proto, const char *label);

/* A run as readers see it. */
struct store_run {
  int64_t id;
  char kind[16];
  char state[16];
  char source[16];
  int64_t started_at, finished_at;   /* finished_at 0: none */
  int64_t records;
};

/* store_run_get reads run |id|. Returns 1, or 0 when there is no such run
 * (with a sentence in store_error) or the database failed. */
int store_run_get(struct store *s, int64_t id, struct store_run *out);

/* store_runs calls |fn| for every run, oldest first (by start, then id).
 * Returns 1, or 0 when the database failed. */
int store_runs(struct store *s, void (*fn)(void *ctx, const struct store_run *r), void *ctx);

/* store_last_complete finds the newest complete run (of |kind|, or any kind
 * when NULL) started before run |before| (0: no bound). Returns 1 with
 * |*out| set, or 0 with *out 0 when there is none. */
int store_last_complete(struct store *s, const char *kind, int64_t before, int64_t *out);

/* store_sqlite gives the queries of diff.c and history.c the connection. */
struct sqlite3 *store_sqlite(struct store *s);

#endif /* SCANNER_STORE_H */
