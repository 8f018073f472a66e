/* scanner/store/schema.c: the store's tables, and their migrations.
 *
 * kMigrations[i] brings a database from schema version i to i + 1 (PRAGMA
 * user_version; a new file is version 0). Opening a file runs, in one
 * transaction, the steps from its version to STORE_SCHEMA_VERSION, so a
 * file written by an older tlssweep is brought forward and one written by a
 * newer tlssweep is refused rather than misread. A step is only ever added,
 * never changed once released. docs/store.md explains each table and
 * column; this is the source of truth it describes. */
#include <stdio.h>

#include "scanner/store/internal.h"

static const char *const kMigrations[] = {
    /* 0 -> 1: runs, endpoints, observations with one row per version,
     * certificates by fingerprint, tenants. */
    "CREATE TABLE runs ("
    "  id INTEGER PRIMARY KEY,"
    "  identity TEXT NOT NULL,"
    "  kind TEXT NOT NULL,"
    "  source TEXT NOT NULL,"
    "  state TEXT NOT NULL,"
    "  started_at INTEGER NOT NULL,"
    "  finished_at INTEGER,"
    "  command TEXT,"
    "  metadata TEXT,"
    "  records INTEGER NOT NULL DEFAULT 0"
    ");"
    "CREATE INDEX runs_identity ON runs (identity);"
    "CREATE INDEX runs_started ON runs (started_at, id);"
    "CREATE TABLE endpoints ("
    "  id INTEGER PRIMARY KEY,"
    "  proto TEXT NOT NULL,"
    "  host TEXT NOT NULL,"
    "  port INTEGER NOT NULL,"
    "  UNIQUE (proto, host, port)"
    ");"
    "CREATE TABLE certificates ("
    "  id INTEGER PRIMARY KEY,"
    "  sha256 TEXT NOT NULL UNIQUE,"
    "  subject TEXT,"
    "  issuer TEXT,"
    "  not_before TEXT,"
    "  not_after TEXT,"
    "  key_type TEXT,"
    "  key_bits INTEGER,"
    "  key_curve TEXT,"
    "  key_sha256 TEXT,"
    "  signature TEXT,"
    "  self_signed INTEGER"
    ");"
    "CREATE TABLE observations ("
    "  id INTEGER PRIMARY KEY,"
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  rkey INTEGER NOT NULL,"
    "  endpoint_id INTEGER REFERENCES endpoints (id),"
    "  target TEXT NOT NULL,"
    "  line INTEGER,"
    "  ip TEXT,"
    "  sni TEXT,"
    "  label TEXT,"
    "  status TEXT NOT NULL,"
    "  error TEXT,"
    "  legacy INTEGER,"
    "  legacy_app INTEGER,"
    "  min_version TEXT,"
    "  max_version TEXT,"
    "  cert_id INTEGER REFERENCES certificates (id),"
    "  cert_expired INTEGER,"
    "  cert_verifies INTEGER,"
    "  scan_ms INTEGER,"
    "  UNIQUE (run_id, rkey)"
    ");"
    "CREATE INDEX observations_endpoint ON observations (endpoint_id, run_id);"
    "CREATE TABLE versions ("
    "  observation_id INTEGER NOT NULL REFERENCES observations (id),"
    "  version TEXT NOT NULL,"
    "  verdict TEXT NOT NULL,"
    "  reason TEXT,"
    "  alert TEXT,"
    "  stage TEXT,"
    "  cipher TEXT,"
    "  ms INTEGER,"
    "  confirm_handshake TEXT,"
    "  confirm_cipher TEXT,"
    "  confirm_app TEXT,"
    "  app_message TEXT,"
    "  repeat_n INTEGER,"
    "  handshake_ok INTEGER,"
    "  app_ok INTEGER,"
    "  app_refused INTEGER,"
    "  PRIMARY KEY (observation_id, version)"
    ") WITHOUT ROWID;"
    "CREATE TABLE tenants ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  tenant TEXT NOT NULL,"
    "  label TEXT,"
    "  verdict TEXT NOT NULL,"
    "  dns TEXT,"
    "  endpoints INTEGER NOT NULL,"
    "  legacy INTEGER NOT NULL,"
    "  confirmed INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, tenant)"
    ") WITHOUT ROWID;"
    "CREATE TABLE tenant_endpoints ("
    "  run_id INTEGER NOT NULL REFERENCES runs (id),"
    "  tenant TEXT NOT NULL,"
    "  endpoint_id INTEGER NOT NULL REFERENCES endpoints (id),"
    "  legacy INTEGER NOT NULL,"
    "  confirmed INTEGER NOT NULL,"
    "  PRIMARY KEY (run_id, tenant, endpoint_id)"
    ") WITHOUT ROWID;",
};

_Static_assert(sizeof(kMigrations) / sizeof(kMigrations[0]) == STORE_SCHEMA_VERSION,
               "a migration for every schema version");

/* user_version reads PRAGMA user_version. */
static int user_version(struct store *s, int *out) {
  sqlite3_stmt *st;
  if (sqlite3_prepare_v2(s->db, "PRAGMA user_version", -1, &st, NULL) != SQLITE_OK) {
    return store_fail(s, "reading the schema version");
  }
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) {
    *out = sqlite3_column_int(st, 0);
  }
  sqlite3_finalize(st);
  return rc == SQLITE_ROW ? 1 : store_fail(s, "reading the schema version");
}

int schema_migrate(struct store *s) {
  int have;
  if (!user_version(s, &have)) {
    return 0;
  }
  if (have == STORE_SCHEMA_VERSION) {
    return 1;
  }
  if (have > STORE_SCHEMA_VERSION) {
    snprintf(s->error, sizeof(s->error),
             "the database has schema version %d, newer than this tlssweep's %d: use a newer "
             "tlssweep",
             have, STORE_SCHEMA_VERSION);
    return 0;
  }
  /* BEGIN IMMEDIATE: two processes opening a new file at once must not both
   * create the tables; the second waits (busy timeout), then sees them. */
  if (sqlite3_exec(s->db, "BEGIN IMMEDIATE", NULL, NULL, NULL) != SQLITE_OK) {
    return store_fail(s, "migrating the schema");
  }
  if (!user_version(s, &have)) {
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return 0;
  }
  for (int v = have; v < STORE_SCHEMA_VERSION; v++) {
    if (sqlite3_exec(s->db, kMigrations[v], NULL, NULL, NULL) != SQLITE_OK) {
      store_fail(s, "migrating the schema");
      sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
      return 0;
    }
  }
  char sql[64];
  snprintf(sql, sizeof(sql), "PRAGMA user_version = %d", STORE_SCHEMA_VERSION);
  if (sqlite3_exec(s->db, sql, NULL, NULL, NULL) != SQLITE_OK ||
      sqlite3_exec(s->db, "COMMIT", NULL, NULL, NULL) != SQLITE_OK) {
    store_fail(s, "migrating the schema");
    sqlite3_exec(s->db, "ROLLBACK", NULL, NULL, NULL);
    return 0;
  }
  return 1;
}
