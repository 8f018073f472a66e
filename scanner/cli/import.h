/* scanner/cli/import.h: one JSON Lines file into a store, for the commands
 * that read files (diff of two files). */
#ifndef SCANNER_CLI_IMPORT_H
#define SCANNER_CLI_IMPORT_H

#include <stdint.h>

#include "scanner/store/store.h"

/* import_one stores the file |path| ('-': standard input) as a run of its
 * own in |db|, saying on stderr what it stored unless |quiet|. Returns 0
 * with |*out_run|, 1 when the file could not be read or held lines that
 * are not records (the rest is stored), 2 when the database failed. */
int import_one(struct store *db, const char *path, int quiet, int64_t *out_run);

#endif /* SCANNER_CLI_IMPORT_H */
