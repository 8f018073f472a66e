/* scanner/report/model.h: what a sweep's report shows, gathered record by
 * record.
 *
 * A report is built from any number of sources, each handing over records
 * one at a time: scan records ({"target":...}), tenant summaries
 * ({"tenant":...}) and scan metadata documents. jsonl.h reads them from
 * `tlssweep scan` / `tenants` output files; another source (a database of
 * past runs) hands over the same JSON objects through the same calls. The
 * report keeps nothing of a record once it has been counted, except what
 * the page shows row by row, and that is bounded:
 *
 *   - counts: by status, by class (explain.h), by compliance per policy
 *     (the policies policies.h knows, as records judged by --policy say),
 *     per version (probed,
 *     accepted, confirmed, refused by the application, and the trials of
 *     --repeat), per protocol (the first REPORT_PROTOS_MAX names; the rest
 *     count as "other"), per finding;
 *   - the endpoint table: at most |max_rows| rows, the worst kept (by class,
 *     then input order: legacy first, modern last), and how many of each
 *     class were left out;
 *   - groups (tenants, or the labels of a scan): the first REPORT_GROUPS_MAX
 *     names, each with its counts, its verdict (the summary's, or worked
 *     out as `tenants` does), at most REPORT_GROUP_ROWS endpoint rows (worst
 *     kept), REPORT_EXAMPLES endpoints per finding, and the
 *     REPORT_EXPIRING_MAX certificates that expire soonest within
 *     EXPLAIN_EXPIRING_DAYS; records of further groups are counted apart;
 *   - the application's refusal messages: the first REPORT_MESSAGES_MAX
 *     distinct texts with their counts;
 *   - --repeat refusal rates per endpoint: the first REPORT_RATES_MAX;
 *   - expiring certificates over all: the REPORT_EXPIRING_MAX soonest;
 *   - metadata documents: the first REPORT_METADATA_MAX;
 *   - input errors: all counted, the first REPORT_ERRORS_MAX kept.
 *
 * Every string kept is cut at REPORT_STRING_MAX bytes, so a row holds at
 * most a few kilobytes (about one typically). Memory thus depends on those
 * bounds, never on the number of records: with the default 5,000 rows and
 * 200 groups of 50, at most 15,000 rows, some 15 MB for real records. */
#ifndef SCANNER_REPORT_MODEL_H
#define SCANNER_REPORT_MODEL_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "scanner/base/outbuf.h"
#include "scanner/output/explain.h"
#include "scanner/output/policies.h"

#define REPORT_ROWS_DEFAULT 5000
#define REPORT_PROTOS_MAX 24
#define REPORT_GROUPS_MAX 200
#define REPORT_GROUP_ROWS 50
#define REPORT_EXAMPLES 3
#define REPORT_EXPIRING_MAX 20
#define REPORT_MESSAGES_MAX 64
#define REPORT_MESSAGE_LEN 200
#define REPORT_RATES_MAX 40
#define REPORT_METADATA_MAX 16
#define REPORT_ERRORS_MAX 20
#define REPORT_STRING_MAX 512   /* bytes of any one string kept */

/* The statuses a record can have, in output order; "other" is anything
 * else a file may hold. */
enum report_status {
  RS_OK,
  RS_UNREACHABLE,
  RS_DNS_ERROR,
  RS_BLOCKED,
  RS_INVALID,
  RS_OTHER,
  RS_COUNT,
};
extern const char *const kReportStatusNames[RS_COUNT];

/* A tenant's verdict, worst first, as tenants.h names them. */
enum report_verdict {
  RV_LEGACY,
  RV_NO_TLS,
  RV_UNREACHABLE,
  RV_DNS_ERROR,
  RV_NO_ENDPOINTS,
  RV_MODERN,
  RV_UNKNOWN,     /* a summary's verdict this version does not know */
  RV_COUNT,
};
extern const char *const kReportVerdictNames[RV_COUNT];

/* One endpoint as the tables show it. Strings are owned; a row may sit in
 * the endpoint table and in its group's at once, and goes when the last
 * of them lets it go. */
struct report_row {
  unsigned refs;
  uint64_t order;               /* the record's place in the input, from 0 */
  enum endpoint_class cls;
  char *target, *label, *ip, *proto, *error;
  char *cert_name;              /* NULL: no certificate seen */
  time_t not_after;
  int has_expiry;
  uint32_t findings;            /* 1u << enum finding */
  char *policy;                 /* --policy: a line per policy judged, in words; NULL: none */
  struct {
    struct explain_cell cell;
    char *words;                /* the verdict and confirmation in words */
  } v[EXPLAIN_VERSIONS];
};

/* The worst |cap| rows seen, and how many were left out, by class. */
struct row_set {
  struct report_row **heap;     /* max-heap: the least bad row on top */
  size_t n, cap;
  uint64_t dropped[CLASS_COUNT];
};

/* A certificate that expires soon. */
struct report_expiry {
  time_t not_after;
  char *target, *cert_name;
};

struct expiry_set {
  struct report_expiry v[REPORT_EXPIRING_MAX];
  size_t n;
  uint64_t more;                /* expiring ones not kept */
};

/* Per version, over the records with that version. */
struct version_counts {
  uint64_t probed, accepted;
  uint64_t confirmed;           /* endpoints whose confirmation ran */
  uint64_t app_ok, app_refused; /* endpoints, by the first run */
  uint64_t trials, refused;     /* completed handshakes and refusals over all runs */
  uint64_t repeated;            /* endpoints confirmed with --repeat */
};

struct proto_counts {
  char *name;                   /* NULL: the "other" bucket */
  uint64_t records, ok;
  uint64_t probed[EXPLAIN_VERSIONS], accepted[EXPLAIN_VERSIONS];
};

/* Records judged by one policy (--policy), by verdict. */
struct policy_counts {
  uint64_t judged, compliant, not_compliant, unknown;
};

struct report_group {
  char *name;                   /* the label */
  char *tenant;                 /* the summary's domain, or NULL */
  char *dns;                    /* the summary's DNS status, or NULL */
  enum report_verdict verdict;  /* valid after report_finish */
  int has_summary;
  enum report_verdict summary_verdict;
  uint64_t summary_endpoints, summary_legacy, summary_confirmed;
  uint64_t records, by_class[CLASS_COUNT];
  uint64_t findings[FINDING_COUNT];
  struct policy_counts policies[POLICY_COUNT]; /* its records' compliance (--policy) */
  char *examples[FINDING_COUNT][REPORT_EXAMPLES];
  struct row_set rows;
  struct expiry_set expiring;
};

struct report_message {
  char *text;
  uint32_t versions;            /* 1u << version index */
  uint64_t count;               /* refused confirmations showing it */
};

/* A --repeat rate of one endpoint and version. */
struct report_rate {
  char *target, *label;
  int version;
  uint64_t trials, refused;
};

struct report_input {
  char *name;
  uint64_t records, summaries, bad_lines;
};

struct report_error {
  char *where;                  /* "file line N" */
  char *what;
};

struct report {
  time_t now;                   /* expiry is judged at this time */
  uint64_t records, summaries;
  uint64_t by_status[RS_COUNT];
  uint64_t by_class[CLASS_COUNT];
  uint64_t findings[FINDING_COUNT];
  struct policy_counts policies[POLICY_COUNT]; /* by policies.h's index */
  int judged;                   /* some record was judged by a policy */
  struct version_counts versions[EXPLAIN_VERSIONS];
  struct proto_counts protos[REPORT_PROTOS_MAX + 1];  /* the last: "other" */
  size_t nprotos;
  struct row_set rows;
  struct report_group **groups;
  size_t ngroups;
  uint32_t *group_index;        /* open addressing by name: index + 1 */
  size_t group_index_cap;
  uint64_t ungrouped_records;   /* no label */
  uint64_t overflow_records;    /* of groups past REPORT_GROUPS_MAX */
  uint64_t overflow_groups;     /* summaries of such groups */
  struct report_message messages[REPORT_MESSAGES_MAX];
  size_t nmessages;
  uint64_t other_messages;      /* refusals with a text not kept */
  struct report_rate rates[REPORT_RATES_MAX];
  size_t nrates;
  uint64_t more_rates;
  struct expiry_set expiring;
  json_t *metadata[REPORT_METADATA_MAX];
  char *metadata_names[REPORT_METADATA_MAX];
  size_t nmetadata;
  struct report_input *inputs;
  size_t ninputs;
  struct report_error errors[REPORT_ERRORS_MAX];
  size_t nerrors;
  uint64_t errors_total;
  int out_of_memory;
  struct outbuf scratch;        /* words before they are kept */
};

/* report_init makes an empty report judging expiry at |now| that keeps at
 * most |max_rows| rows in the endpoint table. Returns 1, or 0 when memory
 * is short. */
int report_init(struct report *r, time_t now, size_t max_rows);
void report_free(struct report *r);

/* report_add_input starts a new source named |name| (a file name); the
 * records and errors that follow are counted as its. Returns 1, or 0 when
 * memory is short. */
int report_add_input(struct report *r, const char *name);

/* report_add_record counts one scan record. Returns 1, or 0 when memory
 * ran short (the report is then incomplete, and says so). */
int report_add_record(struct report *r, const json_t *record);

/* report_add_summary takes one tenant summary. */
int report_add_summary(struct report *r, const json_t *summary);

/* report_add_metadata keeps a scan's metadata document (a reference is
 * taken) read from |name|. Documents past REPORT_METADATA_MAX are counted
 * as input errors. */
int report_add_metadata(struct report *r, json_t *doc, const char *name);

/* report_add_error notes a bad input: |where| ("results.jsonl line 7") and
 * |what| went wrong. */
void report_add_error(struct report *r, const char *where, const char *what);

/* report_finish works out the groups' verdicts and orders rows, groups
 * and lists as the page shows them. Call once, after the last record: no
 * record may be added after it. */
void report_finish(struct report *r);

/* report_rows returns the kept rows of |set|, ordered (after
 * report_finish): worst class first, then input order. */
static inline struct report_row *const *report_rows(const struct row_set *set, size_t *out_n) {
  *out_n = set->n;
  return set->heap;
}

#endif /* SCANNER_REPORT_MODEL_H */
