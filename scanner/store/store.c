/* scanner/store/store.c: opening a store, its prepared statements, and runs
 * (see store.h).
 *
 * The write path's statements are prepared once at open and reset after
 * each use. WAL with synchronous=NORMAL makes a commit cheap (no fsync of
 * the database file per transaction) while a crash can lose at most the last
 * transactions, never corrupt the file; the page cache is bounded (32 MiB),
 * so an import of any size runs in bounded memory. A busy timeout lets a
 * reader (`tlssweep history`) or a second writer wait for a moment instead
 * of failing. */
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "scanner/store/internal.h"

static const char *const kStatementSql[ST_COUNT] = {
    [ST_BEGIN] = "BEGIN",
    [ST_COMMIT] = "COMMIT",
    [ST_ROLLBACK] = "ROLLBACK",
    [ST_ENDPOINT_FIND] = "SELECT id FROM endpoints WHERE proto = ?1 AND host = ?2 AND port = ?3",
    [ST_ENDPOINT_ADD] = "INSERT INTO endpoints (proto, host, port) VALUES (?1, ?2, ?3)",
    [ST_CERT_FIND] = "SELECT id FROM certificates WHERE sha256 = ?1",
    [ST_CERT_ADD] = "INSERT INTO certificates (sha256, subject, issuer, not_before, not_after, "
                    "key_type, key_bits, key_curve, key_sha256, signature, self_signed) "
                    "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
    [ST_OBS_FIND] = "SELECT id FROM observations WHERE run_id = ?1 AND rkey = ?2",
    [ST_OBS_ADD] = "INSERT INTO observations (run_id, rkey, endpoint_id, target, line, ip, sni, "
                   "label, status, error, legacy, legacy_app, min_version, max_version, cert_id, "
                   "cert_expired, cert_verifies, scan_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, "
                   "?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18)",
    [ST_OBS_DROP] = "DELETE FROM observations WHERE id = ?1",
    [ST_VERSIONS_DROP] = "DELETE FROM versions WHERE observation_id = ?1",
    [ST_VERSION_ADD] = "INSERT INTO versions (observation_id, version, verdict, reason, alert, "
                       "stage, cipher, ms, confirm_handshake, confirm_app, app_message, repeat_n, "
                       "handshake_ok, app_ok, app_refused, confirm_cipher) VALUES (?1, ?2, ?3, "
                       "?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16)",
    [ST_TENANT_FIND] = "SELECT 1 FROM tenants WHERE run_id = ?1 AND tenant = ?2",
    [ST_TENANT_PUT] = "INSERT OR REPLACE INTO tenants (run_id, tenant, label, verdict, dns, "
                      "endpoints, legacy, confirmed) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
    [ST_TENANT_ENDPOINTS_DROP] = "DELETE FROM tenant_endpoints WHERE run_id = ?1 AND tenant = ?2",
    [ST_TENANT_ENDPOINT_PUT] = "INSERT OR REPLACE INTO tenant_endpoints (run_id, tenant, "
                               "endpoint_id, legacy, confirmed) VALUES (?1, ?2, ?3, ?4, ?5)",
};

int store_fail(struct store *s, const char *what) {
  int code = sqlite3_extended_errcode(s->db);
  const char *msg = sqlite3_errmsg(s->db);
  if ((code & 0xff) == SQLITE_READONLY) {
    snprintf(s->error, sizeof(s->error), "%s: the database cannot be written (%s)", what, msg);
  } else {
    snprintf(s->error, sizeof(s->error), "%s: %s", what, msg);
  }
  return 0;
}

const char *store_error(const struct store *s) {
  return s->error;
}

sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which) {
  sqlite3_stmt *st = s->stmt[which];
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
  return st;
}

int store_step(struct store *s, sqlite3_stmt *st, const char *what) {
  int rc = sqlite3_step(st);
  sqlite3_reset(st);
  if (rc != SQLITE_DONE && rc != SQLITE_ROW) {
    return store_fail(s, what);
  }
  return 1;
}

/* pragma runs a PRAGMA that may answer with a row. */
static int pragma(struct store *s, const char *sql) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    return store_fail(s, "opening the database");
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "opening the database");
}

static int open_db(struct store *s, const char *path) {
  if (sqlite3_open_v2(path, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE, NULL) !=
      SQLITE_OK) {
    if (s->db == NULL) {
      snprintf(s->error, sizeof(s->error), "out of memory");
      return 0;
    }
    return store_fail(s, "opening the database");
  }
  sqlite3_extended_result_codes(s->db, 1);
  /* SQLite falls back to read-only when the file cannot be written; every
   * write would fail later, so say it now. */
  if (sqlite3_db_readonly(s->db, "main") == 1) {
    snprintf(s->error, sizeof(s->error), "the database file is read-only");
    return 0;
  }
  sqlite3_busy_timeout(s->db, 5000);
  /* The first read of a file that is not a database fails here ("file is
   * not a database"), before anything is written to it. */
  return pragma(s, "PRAGMA journal_mode = WAL") && pragma(s, "PRAGMA synchronous = NORMAL") &&
         pragma(s, "PRAGMA cache_size = -32768") && pragma(s, "PRAGMA temp_store = FILE");
}

int store_open(const char *path, struct store **out, char *err, size_t errcap) {
  struct store *s = calloc(1, sizeof(*s));
  if (s == NULL) {
    snprintf(err, errcap, "out of memory");
    return 0;
  }
  int ok = open_db(s, path) && schema_migrate(s);
  for (int i = 0; ok && i < ST_COUNT; i++) {
    if (sqlite3_prepare_v3(s->db, kStatementSql[i], -1, SQLITE_PREPARE_PERSISTENT, &s->stmt[i],
                           NULL) != SQLITE_OK) {
      ok = store_fail(s, "preparing the statements");
    }
  }
  if (!ok) {
    snprintf(err, errcap, "%s", s->error);
    store_close(s);
    return 0;
  }
  *out = s;
  return 1;
}

void store_close(struct store *s) {
  if (s == NULL) {
    return;
  }
  for (int i = 0; i < ST_COUNT; i++) {
    sqlite3_finalize(s->stmt[i]);
  }
  sqlite3_close(s->db);
  free(s);
}

int store_begin(struct store *s) {
  return store_step(s, store_stmt(s, ST_BEGIN), "starting a transaction");
}

int store_commit(struct store *s) {
  if (store_step(s, store_stmt(s, ST_COMMIT), "committing")) {
    return 1;
  }
  /* A failed COMMIT can leave the transaction open (SQLITE_BUSY, a full
   * disk); end it so the connection can still mark the run. */
  store_rollback(s);
  return 0;
}

void store_rollback(struct store *s) {
  if (!sqlite3_get_autocommit(s->db)) {
    sqlite3_step(store_stmt(s, ST_ROLLBACK));
    sqlite3_reset(s->stmt[ST_ROLLBACK]);
  }
}

struct sqlite3 *store_sqlite(struct store *s) {
  return s->db;
}

/* ---- record identity -------------------------------------------------------- */

static void key_text(SHA256_CTX *ctx, const char *s) {
  /* A field is its bytes and a NUL, or a lone 0x01 when absent, so that
   * absent and empty differ and no two field lists hash alike. */
  if (s == NULL) {
    SHA256_Update(ctx, "\x01", 1);
  } else {
    SHA256_Update(ctx, s, strlen(s) + 1);
  }
}

static void key_int(SHA256_CTX *ctx, int64_t v) {
  char buf[24];
  int n = snprintf(buf, sizeof(buf), "%lld", (long long)v);
  SHA256_Update(ctx, buf, (size_t)n + 1);
}

int64_t store_record_key(const char *target, int64_t line, const char *host, const char *ip,
                         int64_t port, const char *proto, const char *label) {
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  key_text(&ctx, target);
  key_int(&ctx, line);
  key_text(&ctx, host);
  key_text(&ctx, ip);
  key_int(&ctx, port);
  key_text(&ctx, proto);
  key_text(&ctx, label);
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &ctx);
  uint64_t k = 0;
  for (int i = 0; i < 8; i++) {
    k = k << 8 | md[i];
  }
  return (int64_t)(k >> 1);
}

/* ---- runs ------------------------------------------------------------------------- */

static const char *const kRunStateNames[] = {
    [STORE_RUN_RUNNING] = "running",
    [STORE_RUN_COMPLETE] = "complete",
    [STORE_RUN_STOPPED] = "stopped",
    [STORE_RUN_FAILED] = "failed",
};

const char *store_run_state_name(enum store_run_state st) {
  return kRunStateNames[st];
}

/* prepare makes a statement used now and then (runs, queries). */
static sqlite3_stmt *prepare(struct store *s, const char *sql, const char *what) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(s->db, sql, -1, &st, NULL) != SQLITE_OK) {
    store_fail(s, what);
    return NULL;
  }
  return st;
}

static void bind_text_or_null(sqlite3_stmt *st, int i, const char *v) {
  if (v != NULL) {
    sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
  } else {
    sqlite3_bind_null(st, i);
  }
}

/* find_run finds the newest run of |identity|. Returns 1 with |*out| (0
 * when there is none), or 0 when the database failed. */
static int find_run(struct store *s, const char *identity, int64_t *out) {
  sqlite3_stmt *st =
      prepare(s, "SELECT id FROM runs WHERE identity = ?1 ORDER BY id DESC LIMIT 1", "finding a run");
  if (st == NULL) {
    return 0;
  }
  sqlite3_bind_text(st, 1, identity, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  *out = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
  sqlite3_finalize(st);
  return rc == SQLITE_ROW || rc == SQLITE_DONE ? 1 : store_fail(s, "finding a run");
}

int store_run_begin(struct store *s, const struct store_run_desc *d, int reuse, int64_t *out_run,
                    int *out_reused) {
  *out_reused = 0;
  int64_t found = 0;
  if (reuse && !find_run(s, d->identity, &found)) {
    return 0;
  }
  sqlite3_stmt *st;
  if (found != 0) {
    st = prepare(s, "UPDATE runs SET state = 'running', finished_at = NULL WHERE id = ?1",
                 "taking up a run again");
    if (st == NULL) {
      return 0;
    }
    sqlite3_bind_int64(st, 1, found);
  } else {
    st = prepare(s,
                 "INSERT INTO runs (identity, kind, source, state, started_at, command, metadata) "
                 "VALUES (?1, ?2, ?3, 'running', ?4, ?5, ?6)",
                 "starting a run");
    if (st == NULL) {
      return 0;
    }
    sqlite3_bind_text(st, 1, d->identity, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 2, d->kind, -1, SQLITE_STATIC);
    sqlite3_bind_text(st, 3, d->source, -1, SQLITE_STATIC);
    sqlite3_bind_int64(st, 4, d->started_at);
    bind_text_or_null(st, 5, d->command);
    bind_text_or_null(st, 6, d->metadata);
  }
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  if (rc != SQLITE_DONE) {
    return store_fail(s, "starting a run");
  }
  *out_run = found != 0 ? found : sqlite3_last_insert_rowid(s->db);
  *out_reused = found != 0;
  return 1;
}

int store_run_end(struct store *s, int64_t run, enum store_run_state state, int64_t finished_at) {
  sqlite3_stmt *st = prepare(
      s,
      "UPDATE runs SET state = ?2, finished_at = ?3, "
      "records = (SELECT count(*) FROM observations WHERE run_id = ?1) WHERE id = ?1",
      "ending the run");
  if (st == NULL) {
    return 0;
  }
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, store_run_state_name(state), -1, SQLITE_STATIC);
  sqlite3_bind_int64(st, 3, finished_at);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "ending the run");
}

int store_run_set_kind(struct store *s, int64_t run, const char *kind) {
  sqlite3_stmt *st = prepare(s, "UPDATE runs SET kind = ?2 WHERE id = ?1", "naming the run's kind");
  if (st == NULL) {
    return 0;
  }
  sqlite3_bind_int64(st, 1, run);
  sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
  int rc = sqlite3_step(st);
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "naming the run's kind");
}

#define RUN_COLUMNS "id, kind, state, source, started_at, coalesce(finished_at, 0), records"

static void copy_column(sqlite3_stmt *st, int col, char *out, size_t cap) {
  const unsigned char *t = sqlite3_column_text(st, col);
  snprintf(out, cap, "%s", t != NULL ? (const char *)t : "");
}

static void read_run(sqlite3_stmt *st, struct store_run *r) {
  r->id = sqlite3_column_int64(st, 0);
  copy_column(st, 1, r->kind, sizeof(r->kind));
  copy_column(st, 2, r->state, sizeof(r->state));
  copy_column(st, 3, r->source, sizeof(r->source));
  r->started_at = sqlite3_column_int64(st, 4);
  r->finished_at = sqlite3_column_int64(st, 5);
  r->records = sqlite3_column_int64(st, 6);
}

int store_run_get(struct store *s, int64_t id, struct store_run *out) {
  sqlite3_stmt *st = prepare(s, "SELECT " RUN_COLUMNS " FROM runs WHERE id = ?1", "reading a run");
  if (st == NULL) {
    return 0;
  }
  sqlite3_bind_int64(st, 1, id);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    read_run(st, out);
  }
  sqlite3_finalize(st);
  if (rc == SQLITE_DONE) {
    snprintf(s->error, sizeof(s->error), "there is no run %lld", (long long)id);
  } else if (rc != SQLITE_ROW) {
    store_fail(s, "reading a run");
  }
  return rc == SQLITE_ROW;
}

int store_runs(struct store *s, void (*fn)(void *ctx, const struct store_run *r), void *ctx) {
  sqlite3_stmt *st =
      prepare(s, "SELECT " RUN_COLUMNS " FROM runs ORDER BY started_at, id", "listing the runs");
  if (st == NULL) {
    return 0;
  }
  int rc;
  while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
    struct store_run r;
    read_run(st, &r);
    fn(ctx, &r);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_DONE ? 1 : store_fail(s, "listing the runs");
}

int store_last_complete(struct store *s, const char *kind, int64_t before, int64_t *out) {
  *out = 0;
  /* Runs are ordered by (started_at, id); "before" is before run |before|
   * in that order. */
  sqlite3_stmt *st = prepare(
      s,
      "SELECT r.id FROM runs r WHERE r.state = 'complete' AND (?1 IS NULL OR r.kind = ?1) AND "
      "(?2 = 0 OR (r.started_at, r.id) < (SELECT b.started_at, b.id FROM runs b WHERE b.id = ?2)) "
      "ORDER BY r.started_at DESC, r.id DESC LIMIT 1",
      "finding the last complete run");
  if (st == NULL) {
    return 0;
  }
  bind_text_or_null(st, 1, kind);
  sqlite3_bind_int64(st, 2, before);
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int64(st, 0);
  }
  sqlite3_finalize(st);
  if (rc != SQLITE_ROW && rc != SQLITE_DONE) {
    store_fail(s, "finding the last complete run");
  }
  return rc == SQLITE_ROW;
}
