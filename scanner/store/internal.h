/* scanner/store/internal.h: what the store's files share; nothing outside
 * scanner/store includes it.
 *
 * struct store holds the connection, the prepared statements of the write
 * path (made once at open, reset after each use) and the last error. */
#ifndef SCANNER_STORE_INTERNAL_H
#define SCANNER_STORE_INTERNAL_H

#include <sqlite3.h>

#include "scanner/store/store.h"

/* The write path's statements, in kStatementSql's order (store.c). */
enum store_stmt {
  ST_BEGIN,
  ST_COMMIT,
  ST_ROLLBACK,
  ST_ENDPOINT_FIND,
  ST_ENDPOINT_ADD,
  ST_CERT_FIND,
  ST_CERT_ADD,
  ST_OBS_FIND,
  ST_OBS_ADD,
  ST_OBS_DROP,
  ST_VERSIONS_DROP,
  ST_VERSION_ADD,
  ST_TENANT_FIND,
  ST_TENANT_PUT,
  ST_TENANT_ENDPOINTS_DROP,
  ST_TENANT_ENDPOINT_PUT,
  ST_COUNT,
};

struct store {
  sqlite3 *db;
  sqlite3_stmt *stmt[ST_COUNT];
  char error[512];
};

/* store_fail records |what| and SQLite's message for the connection in
 * s->error. Returns 0, for `return store_fail(...)`. */
int store_fail(struct store *s, const char *what);

/* store_stmt returns statement |which|, reset and with no bindings. */
sqlite3_stmt *store_stmt(struct store *s, enum store_stmt which);

/* store_step runs a statement that returns no row (or whose row is not
 * wanted). Returns 1, or 0 after store_fail. */
int store_step(struct store *s, sqlite3_stmt *st, const char *what);

/* schema_migrate brings the schema of |s| to STORE_SCHEMA_VERSION. Returns
 * 1, or 0 with s->error set (a newer schema, or a failure). */
int schema_migrate(struct store *s);

#endif /* SCANNER_STORE_INTERNAL_H */
