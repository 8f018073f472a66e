/* scanner/report/trends.h: the report's trends, from a history database
 * (`tlssweep report --db FILE`).
 *
 * trends_load reads the series scanner/store/history.h gives (the whole
 * run, and every tenant) for the last TRENDS_RUNS runs, and keeps them in
 * fixed arrays: a trend is a handful of numbers per run, never records.
 * trends_sections hands the page (page.h) its extra sections: "Trends" (a
 * table of the runs, incomplete ones marked; the legacy share run by run;
 * the share of TLS 1.0 and of TLS 1.1 the application refused, with its 95%
 * Wilson interval, run by run: the shape of a gradual retirement) and, when
 * the runs have tenants, "Tenant trends" (each tenant's legacy share over
 * the last TRENDS_GRID_RUNS runs). */
#ifndef SCANNER_REPORT_TRENDS_H
#define SCANNER_REPORT_TRENDS_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/report/page.h"
#include "scanner/store/history.h"
#include "scanner/store/store.h"

#define TRENDS_RUNS 24        /* the runs drawn, the latest */
#define TRENDS_GRID_RUNS 8    /* the runs of the tenants' grid */
#define TRENDS_TENANTS 50     /* tenants in the grid, by name; the rest counted */

struct trends_run {
  struct store_run run;
  int64_t endpoints, legacy, legacy_app, tenants, tenants_legacy;
  struct history_rate rate[STORE_VERSIONS];
};

struct trends_cell {
  int present;                /* the tenant was in that run */
  int64_t endpoints, legacy;
  char verdict[16];
};

struct trends {
  char source[256];           /* the database's name, for the page */
  struct trends_run runs[TRENDS_RUNS];
  size_t nruns;
  uint64_t older_runs;        /* runs before the ones kept */
  char tenant_names[TRENDS_TENANTS][128];
  struct trends_cell cells[TRENDS_TENANTS][TRENDS_GRID_RUNS];
  size_t ntenants;
  uint64_t more_tenants;      /* tenants left out of the grid */
};

/* trends_load fills |t| from |s|. Returns 1, or 0 when the database failed
 * (store_error). */
int trends_load(struct trends *t, struct store *s, const char *source);

/* trends_sections writes the page's sections for |t| into |out| (room for
 * 2) and returns how many; they read |t|, which must outlive the page. */
size_t trends_sections(const struct trends *t, struct report_section *out);

#endif /* SCANNER_REPORT_TRENDS_H */
