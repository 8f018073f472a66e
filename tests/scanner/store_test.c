/* tests/scanner/store_test.c: the scan history store (scanner/store) on real
 * SQLite files in a temporary directory: the schema and its version, JSON
 * lines into rows, a record's identity (stored once, or replaced), tenant
 * summaries, hostile strings kept as data, runs and their states, what
 * diff calls worse, better and changed (refusal rates only past both
 * Wilson intervals), and the history's counts. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <sqlite3.h>

#include "scanner/store/diff.h"
#include "scanner/store/history.h"
#include "scanner/store/store.h"

static char g_dir[] = "/tmp/store_test.XXXXXX";

static void db_path(const char *name, char *out, size_t cap) {
  snprintf(out, cap, "%s/%s", g_dir, name);
}

static struct store *open_new(const char *name) {
  char path[256], err[512];
  db_path(name, path, sizeof(path));
  unlink(path);
  struct store *s = NULL;
  assert_true(store_open(path, &s, err, sizeof(err)));
  return s;
}

static int64_t begin_run(struct store *s, const char *identity, const char *kind, int64_t t) {
  struct store_run_desc d = {
      .identity = identity, .kind = kind, .source = "live", .started_at = t};
  int64_t run;
  int reused;
  assert_true(store_run_begin(s, &d, 0, &run, &reused));
  assert_false(reused);
  return run;
}

static enum store_line ingest(struct store *s, int64_t run, const char *line,
                              enum store_dup dup) {
  enum store_line kind;
  assert_true(store_ingest_line(s, run, line, strlen(line), dup, &kind));
  return kind;
}

static int64_t scalar(struct store *s, const char *sql) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  int64_t v = sqlite3_column_int64(st, 0);
  sqlite3_finalize(st);
  return v;
}

static const char *text(struct store *s, const char *sql, char *buf, size_t cap) {
  sqlite3_stmt *st;
  assert_int_equal(sqlite3_prepare_v2(store_sqlite(s), sql, -1, &st, NULL), SQLITE_OK);
  assert_int_equal(sqlite3_step(st), SQLITE_ROW);
  const unsigned char *t = sqlite3_column_text(st, 0);
  snprintf(buf, cap, "%s", t != NULL ? (const char *)t : "(null)");
  sqlite3_finalize(st);
  return buf;
}

/* A record as scanner/output writes one, with the parts the tests vary. */
static void record(char *out, size_t cap, const char *host, const char *tls10,
                   const char *confirm10, const char *cert) {
  snprintf(out, cap,
           "{\"target\":\"pop3s://%s:995\",\"host\":\"%s\",\"ip\":\"127.0.0.1\",\"port\":995,"
           "\"proto\":\"pop3s\",\"label\":\"t\",\"status\":\"ok\",\"versions\":{"
           "\"ssl3\":{\"verdict\":\"rejected\",\"reason\":\"alert\",\"alert\":"
           "\"handshake_failure\",\"ms\":1},"
           "\"tls1.0\":{\"verdict\":\"%s\"%s%s,\"ms\":2},"
           "\"tls1.2\":{\"verdict\":\"accepted\",\"probe_cipher\":\"TLS_RSA_WITH_AES_128_CBC_SHA\","
           "\"ms\":1,\"confirm\":{\"handshake\":\"ok\",\"cipher\":"
           "\"TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256\",\"app\":\"ok\"}}},\"legacy\":%s%s%s,\"scan_ms\":9}",
           host, host, tls10, confirm10 ? ",\"confirm\":" : "", confirm10 ? confirm10 : "",
           strcmp(tls10, "accepted") == 0 ? "true" : "false", cert ? ",\"cert\":" : "",
           cert ? cert : "");
}

static int setup(void **state) {
  (void)state;
  return mkdtemp(g_dir) != NULL ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  char cmd[300];
  snprintf(cmd, sizeof(cmd), "rm -rf %s", g_dir);
  return system(cmd);
}

/* ---- schema ------------------------------------------------------------------- */

static void test_schema_version_and_wal(void **state) {
  (void)state;
  struct store *s = open_new("schema.db");
  assert_int_equal(scalar(s, "PRAGMA user_version"), STORE_SCHEMA_VERSION);
  char buf[32];
  assert_string_equal(text(s, "PRAGMA journal_mode", buf, sizeof(buf)), "wal");
  store_close(s);
  /* Opening again migrates nothing and keeps the data. */
  char path[256], err[512];
  db_path("schema.db", path, sizeof(path));
  assert_true(store_open(path, &s, err, sizeof(err)));
  assert_int_equal(scalar(s, "SELECT count(*) FROM sqlite_master WHERE type = 'table'"), 7);
  store_close(s);
}

static void test_newer_schema_refused(void **state) {
  (void)state;
  struct store *s = open_new("newer.db");
  assert_int_equal(sqlite3_exec(store_sqlite(s), "PRAGMA user_version = 99", NULL, NULL, NULL),
                   SQLITE_OK);
  store_close(s);
  char path[256], err[512];
  db_path("newer.db", path, sizeof(path));
  assert_false(store_open(path, &s, err, sizeof(err)));
  assert_non_null(strstr(err, "newer than this tlssweep"));
}

static void test_not_a_database(void **state) {
  (void)state;
  char path[256], err[512];
  db_path("garbage.db", path, sizeof(path));
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  for (int i = 0; i < 512; i++) {
    fputs("not a database at all ", f);
  }
  fclose(f);
  struct store *s;
  assert_false(store_open(path, &s, err, sizeof(err)));
  assert_non_null(strstr(err, "not a database"));
}

/* ---- records ------------------------------------------------------------------ */

static void test_record_rows(void **state) {
  (void)state;
  struct store *s = open_new("rows.db");
  int64_t run = begin_run(s, "live:1", "scan", 1000);
  char line[4096];
  record(line, sizeof(line), "mail.example", "accepted",
         "{\"handshake\":\"ok\",\"app\":\"refused\",\"app_message\":\"-ERR TLS 1.0\","
         "\"repeat\":{\"n\":20,\"handshake_ok\":20,\"app_ok\":13,\"app_refused\":7}}",
         "{\"sha256\":\"aa\",\"subject\":\"CN=x\",\"key\":{\"type\":\"EC\",\"bits\":256,"
         "\"sha256\":\"k1\"},\"expired\":false}");
  assert_true(store_begin(s));
  assert_int_equal(ingest(s, run, line, STORE_DUP_KEEP), STORE_LINE_RECORD);
  /* The same record again is known, not stored twice. */
  assert_int_equal(ingest(s, run, line, STORE_DUP_KEEP), STORE_LINE_KNOWN);
  assert_true(store_commit(s));
  assert_int_equal(scalar(s, "SELECT count(*) FROM observations"), 1);
  assert_int_equal(scalar(s, "SELECT count(*) FROM versions"), 3);
  assert_int_equal(scalar(s, "SELECT count(*) FROM endpoints"), 1);
  assert_int_equal(scalar(s, "SELECT count(*) FROM certificates"), 1);
  char buf[128];
  assert_string_equal(
      text(s, "SELECT alert FROM versions WHERE version = 'ssl3'", buf, sizeof(buf)),
      "handshake_failure");
  assert_int_equal(scalar(s, "SELECT app_refused FROM versions WHERE version = 'tls1.0'"), 7);
  assert_int_equal(scalar(s, "SELECT repeat_n FROM versions WHERE version = 'tls1.0'"), 20);
  assert_string_equal(
      text(s, "SELECT key_sha256 FROM certificates", buf, sizeof(buf)), "k1");
  /* The probe's suite and the confirmation's, each in its column. */
  assert_string_equal(
      text(s, "SELECT cipher || ' ' || confirm_cipher FROM versions WHERE version = 'tls1.2'", buf,
           sizeof(buf)),
      "TLS_RSA_WITH_AES_128_CBC_SHA TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256");
  /* A confirmation without --repeat is one run, counted. */
  record(line, sizeof(line), "other.example", "accepted",
         "{\"handshake\":\"ok\",\"app\":\"refused\"}", NULL);
  assert_int_equal(ingest(s, run, line, STORE_DUP_KEEP), STORE_LINE_RECORD);
  assert_int_equal(scalar(s, "SELECT v.app_refused + 10 * v.handshake_ok + 100 * v.repeat_n "
                             "FROM versions v JOIN observations o ON o.id = v.observation_id "
                             "WHERE o.target LIKE '%other%' AND v.version = 'tls1.0'"),
                   111);
  store_close(s);
}

static void test_record_replaced(void **state) {
  (void)state;
  struct store *s = open_new("replace.db");
  int64_t run = begin_run(s, "resume:1", "scan", 1000);
  char line[4096];
  record(line, sizeof(line), "a.example", "accepted", NULL, NULL);
  assert_int_equal(ingest(s, run, line, STORE_DUP_KEEP), STORE_LINE_RECORD);
  /* The same target probed again (a resumed scan): the new record wins. */
  record(line, sizeof(line), "a.example", "rejected", NULL, NULL);
  assert_int_equal(ingest(s, run, line, STORE_DUP_REPLACE), STORE_LINE_RECORD);
  assert_int_equal(scalar(s, "SELECT count(*) FROM observations"), 1);
  assert_int_equal(scalar(s, "SELECT count(*) FROM versions"), 3);
  char buf[32];
  assert_string_equal(
      text(s, "SELECT verdict FROM versions WHERE version = 'tls1.0'", buf, sizeof(buf)),
      "rejected");
  /* Another run holds its own copy. */
  int64_t run2 = begin_run(s, "resume:2", "scan", 2000);
  assert_int_equal(ingest(s, run2, line, STORE_DUP_KEEP), STORE_LINE_RECORD);
  assert_int_equal(scalar(s, "SELECT count(*) FROM observations"), 2);
  assert_int_equal(scalar(s, "SELECT count(*) FROM endpoints"), 1);
  store_close(s);
}

static void test_hostile_strings_are_data(void **state) {
  (void)state;
  struct store *s = open_new("hostile.db");
  int64_t run = begin_run(s, "live:h", "scan", 1000);
  const char *line =
      "{\"target\":\"x'); DROP TABLE runs; --\",\"host\":\"h\\\"';--\",\"port\":443,"
      "\"proto\":\"tls\",\"status\":\"ok\",\"versions\":{\"tls1.2\":{\"verdict\":\"rejected\","
      "\"reason\":\"starttls_refused\",\"reply\":\"' OR 1=1; DELETE FROM versions; --\\u0000x\"}}}";
  assert_int_equal(ingest(s, run, line, STORE_DUP_KEEP), STORE_LINE_RECORD);
  assert_int_equal(scalar(s, "SELECT count(*) FROM runs"), 1);
  char buf[128];
  assert_string_equal(text(s, "SELECT target FROM observations", buf, sizeof(buf)),
                      "x'); DROP TABLE runs; --");
  assert_string_equal(text(s, "SELECT host FROM endpoints", buf, sizeof(buf)), "h\"';--");
  store_close(s);
}

static void test_bad_lines(void **state) {
  (void)state;
  struct store *s = open_new("bad.db");
  int64_t run = begin_run(s, "live:b", "scan", 1000);
  assert_int_equal(ingest(s, run, "target,host,ip,port", STORE_DUP_KEEP), STORE_LINE_BAD);
  assert_int_equal(ingest(s, run, "{\"target\":\"x\"", STORE_DUP_KEEP), STORE_LINE_BAD);
  assert_int_equal(ingest(s, run, "[1,2]", STORE_DUP_KEEP), STORE_LINE_BAD);
  assert_int_equal(ingest(s, run, "{\"target\":\"x\"}", STORE_DUP_KEEP), STORE_LINE_BAD);
  assert_int_equal(ingest(s, run, "{\"tenant\":\"t\"}", STORE_DUP_KEEP), STORE_LINE_BAD);
  assert_int_equal(scalar(s, "SELECT count(*) FROM observations"), 0);
  store_close(s);
}

static void test_tenant_summary(void **state) {
  (void)state;
  struct store *s = open_new("tenant.db");
  int64_t run = begin_run(s, "live:t", "tenants", 1000);
  const char *sum =
      "{\"tenant\":\"a.test\",\"label\":\"tenant-a\",\"verdict\":\"legacy\",\"dns\":\"ok\","
      "\"endpoints\":[\"pop3s://pop.a.test:995\",\"imaps://[2001:db8::1]:993\"],"
      "\"legacy_endpoints\":[\"pop3s://pop.a.test:995\"],\"legacy_confirmed\":[]}";
  assert_int_equal(ingest(s, run, sum, STORE_DUP_KEEP), STORE_LINE_TENANT);
  assert_int_equal(ingest(s, run, sum, STORE_DUP_KEEP), STORE_LINE_KNOWN);
  assert_int_equal(scalar(s, "SELECT endpoints * 100 + legacy * 10 + confirmed FROM tenants"),
                   210);
  assert_int_equal(scalar(s, "SELECT count(*) FROM tenant_endpoints"), 2);
  char buf[64];
  assert_string_equal(text(s,
                           "SELECT e.host FROM tenant_endpoints te JOIN endpoints e ON "
                           "e.id = te.endpoint_id WHERE te.legacy = 1",
                           buf, sizeof(buf)),
                      "pop.a.test");
  assert_string_equal(text(s, "SELECT host || ':' || port FROM endpoints WHERE proto = 'imaps'",
                           buf, sizeof(buf)),
                      "2001:db8::1:993");
  store_close(s);
}

/* ---- runs ------------------------------------------------------------------------ */

static void test_runs_and_states(void **state) {
  (void)state;
  struct store *s = open_new("runs.db");
  int64_t a = begin_run(s, "live:a", "scan", 1000);
  int64_t b = begin_run(s, "live:b", "tenants", 2000);
  int64_t c = begin_run(s, "live:c", "scan", 3000);
  int64_t d = begin_run(s, "live:d", "scan", 4000); /* left running: it died */
  assert_true(store_run_end(s, a, STORE_RUN_COMPLETE, 1100));
  assert_true(store_run_end(s, b, STORE_RUN_COMPLETE, 2100));
  assert_true(store_run_end(s, c, STORE_RUN_COMPLETE, 3100));
  int64_t last, before;
  assert_true(store_last_complete(s, NULL, 0, &last));
  assert_int_equal(last, c);
  assert_true(store_last_complete(s, "scan", c, &before));
  assert_int_equal(before, a);
  assert_false(store_last_complete(s, "tenants", b, &before));
  struct store_run r;
  assert_true(store_run_get(s, d, &r));
  assert_string_equal(r.state, "running");
  /* Taking a run up again by its identity (a resumed scan). */
  struct store_run_desc desc = {.identity = "live:c", .kind = "scan", .source = "live"};
  int64_t again;
  int reused;
  assert_true(store_run_begin(s, &desc, 1, &again, &reused));
  assert_true(reused);
  assert_int_equal(again, c);
  assert_true(store_run_get(s, c, &r));
  assert_string_equal(r.state, "running");
  assert_false(store_run_get(s, 999, &r));
  store_close(s);
}

/* ---- diff ----------------------------------------------------------------------- */

struct seen {
  char lines[32][160];
  int n;
};

static void on_change(void *ctx, const struct diff_change *c) {
  struct seen *s = ctx;
  assert_true(s->n < 32);
  snprintf(s->lines[s->n++], sizeof(s->lines[0]), "%s %s %s %s%s%s",
           diff_direction_name(c->direction), diff_scope_name(c->scope), c->subject, c->change,
           c->version ? " " : "", c->version ? c->version : "");
}

static int has(const struct seen *s, const char *want) {
  for (int i = 0; i < s->n; i++) {
    if (strcmp(s->lines[i], want) == 0) {
      return 1;
    }
  }
  return 0;
}

static const char *confirm(char *buf, size_t cap, int n, int refused) {
  snprintf(buf, cap,
           "{\"handshake\":\"ok\",\"app\":\"ok\",\"repeat\":{\"n\":%d,\"handshake_ok\":%d,"
           "\"app_ok\":%d,\"app_refused\":%d}}",
           n, n, n - refused, refused);
  return buf;
}

static void test_diff(void **state) {
  (void)state;
  struct store *s = open_new("diff.db");
  int64_t a = begin_run(s, "live:a", "tenants", 1000);
  int64_t b = begin_run(s, "live:b", "tenants", 2000);
  char line[4096], c1[256], c2[256];
  const char *cert_k1 = "{\"sha256\":\"c1\",\"key\":{\"sha256\":\"k1\"},\"expired\":false}";
  const char *cert_k1b = "{\"sha256\":\"c2\",\"key\":{\"sha256\":\"k1\"},\"expired\":false}";
  const char *cert_k2 = "{\"sha256\":\"c3\",\"key\":{\"sha256\":\"k2\"},\"expired\":true}";
  /* newly.example: TLS 1.0 rejected, then accepted. */
  record(line, sizeof(line), "newly.example", "rejected", NULL, cert_k1);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "newly.example", "accepted", NULL, cert_k1b);
  ingest(s, b, line, STORE_DUP_KEEP);
  /* falling.example: refusals 60 of 100, then 10 of 100; a new key, expired. */
  record(line, sizeof(line), "falling.example", "accepted", confirm(c1, sizeof(c1), 100, 60),
         cert_k1);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "falling.example", "accepted", confirm(c2, sizeof(c2), 100, 10),
         cert_k2);
  ingest(s, b, line, STORE_DUP_KEEP);
  /* noisy.example: 6 of 10, then 4 of 10: the intervals overlap, no claim. */
  record(line, sizeof(line), "noisy.example", "accepted", confirm(c1, sizeof(c1), 10, 6), NULL);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "noisy.example", "accepted", confirm(c2, sizeof(c2), 10, 4), NULL);
  ingest(s, b, line, STORE_DUP_KEEP);
  /* fixed.example: accepted, then rejected. gone / new: one run each. */
  record(line, sizeof(line), "fixed.example", "accepted", NULL, NULL);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "fixed.example", "rejected", NULL, NULL);
  ingest(s, b, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "gone.example", "rejected", NULL, NULL);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "new.example", "rejected", NULL, NULL);
  ingest(s, b, line, STORE_DUP_KEEP);
  ingest(s, a,
         "{\"tenant\":\"t.test\",\"verdict\":\"modern\",\"endpoints\":[],"
         "\"legacy_endpoints\":[],\"legacy_confirmed\":[]}",
         STORE_DUP_KEEP);
  ingest(s, b,
         "{\"tenant\":\"t.test\",\"verdict\":\"legacy\",\"endpoints\":[],"
         "\"legacy_endpoints\":[],\"legacy_confirmed\":[]}",
         STORE_DUP_KEEP);
  struct seen seen = {0};
  assert_true(store_diff(s, a, b, on_change, &seen));
  for (int i = 0; i < seen.n; i++) {
    printf("  %s\n", seen.lines[i]);
  }
  assert_true(has(&seen, "worse endpoint pop3s://newly.example:995 accepts tls1.0"));
  assert_true(has(&seen, "changed endpoint pop3s://newly.example:995 cert_changed"));
  assert_true(has(&seen, "worse endpoint pop3s://falling.example:995 refusal_rate_down tls1.0"));
  assert_true(has(&seen, "worse endpoint pop3s://falling.example:995 cert_key_changed"));
  assert_true(has(&seen, "worse endpoint pop3s://falling.example:995 cert_expired"));
  assert_true(has(&seen, "better endpoint pop3s://fixed.example:995 stopped_accepting tls1.0"));
  assert_true(has(&seen, "changed endpoint pop3s://gone.example:995 vanished"));
  assert_true(has(&seen, "changed endpoint pop3s://new.example:995 appeared"));
  assert_true(has(&seen, "worse tenant t.test verdict"));
  /* And the run as a whole: 66 of 110 refused, then 14 of 110. */
  assert_true(has(&seen, "worse run run refusal_rate_down tls1.0"));
  assert_int_equal(seen.n, 10);
  /* Backwards, worse and better trade places. */
  struct seen back = {0};
  assert_true(store_diff(s, b, a, on_change, &back));
  assert_true(has(&back, "better endpoint pop3s://falling.example:995 refusal_rate_up tls1.0"));
  assert_true(has(&back, "better endpoint pop3s://falling.example:995 cert_renewed"));
  assert_true(has(&back, "better tenant t.test verdict"));
  store_close(s);
}

/* ---- history ---------------------------------------------------------------------- */

struct points {
  struct history_point v[8];
  int n;
};

static void on_point(void *ctx, const struct history_point *p) {
  struct points *ps = ctx;
  assert_true(ps->n < 8);
  ps->v[ps->n++] = *p;
}

static void test_history(void **state) {
  (void)state;
  struct store *s = open_new("history.db");
  int64_t a = begin_run(s, "live:a", "scan", 1000);
  int64_t b = begin_run(s, "live:b", "scan", 2000);
  char line[4096], c[256];
  record(line, sizeof(line), "one.example", "accepted", confirm(c, sizeof(c), 20, 5), NULL);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "two.example", "rejected", NULL, NULL);
  ingest(s, a, line, STORE_DUP_KEEP);
  record(line, sizeof(line), "one.example", "accepted", confirm(c, sizeof(c), 20, 15), NULL);
  ingest(s, b, line, STORE_DUP_KEEP);
  assert_true(store_run_end(s, a, STORE_RUN_COMPLETE, 1100));
  struct points ps = {0};
  assert_true(store_history(s, NULL, NULL, on_point, &ps));
  assert_int_equal(ps.n, 2);
  assert_int_equal(ps.v[0].endpoints, 2);
  assert_int_equal(ps.v[0].legacy, 1);
  assert_int_equal(ps.v[0].rate[1].handshakes, 20);
  assert_int_equal(ps.v[0].rate[1].refused, 5);
  assert_true(ps.v[0].rate[1].lo > 0.08 && ps.v[0].rate[1].hi < 0.48);
  assert_string_equal(ps.v[0].run.state, "complete");
  assert_string_equal(ps.v[1].run.state, "running");
  assert_int_equal(ps.v[1].rate[1].refused, 15);
  struct points one = {0};
  assert_true(store_history(s, NULL, "one.example", on_point, &one));
  assert_int_equal(one.n, 2);
  struct points none = {0};
  assert_false(store_history(s, NULL, "nowhere.example", on_point, &none));
  assert_non_null(strstr(store_error(s), "no run scanned"));
  store_close(s);
}

static void test_history_of_a_tenant(void **state) {
  (void)state;
  struct store *s = open_new("tenant_history.db");
  int64_t a = begin_run(s, "live:a", "tenants", 1000);
  int64_t b = begin_run(s, "live:b", "tenants", 2000);
  char line[4096], c[256];
  /* The shared endpoint is written once per tenant: it counts once. */
  for (int copy = 0; copy < 2; copy++) {
    record(line, sizeof(line), "pop.a.test", "accepted", confirm(c, sizeof(c), 10, 2), NULL);
    char *label = strstr(line, "\"label\":\"t\"");
    assert_non_null(label);
    label[9] = copy ? 'u' : 't';
    ingest(s, a, line, STORE_DUP_KEEP);
  }
  record(line, sizeof(line), "pop.a.test", "rejected", NULL, NULL);
  ingest(s, b, line, STORE_DUP_KEEP);
  const char *legacy =
      "{\"tenant\":\"a.test\",\"verdict\":\"legacy\",\"endpoints\":[\"pop3s://pop.a.test:995\","
      "\"imaps://imap.a.test:993\"],\"legacy_endpoints\":[\"pop3s://pop.a.test:995\"],"
      "\"legacy_confirmed\":[\"pop3s://pop.a.test:995\"]}";
  const char *modern =
      "{\"tenant\":\"a.test\",\"verdict\":\"modern\",\"endpoints\":[\"pop3s://pop.a.test:995\","
      "\"imaps://imap.a.test:993\"],\"legacy_endpoints\":[],\"legacy_confirmed\":[]}";
  ingest(s, a, legacy, STORE_DUP_KEEP);
  ingest(s, b, modern, STORE_DUP_KEEP);
  struct points ps = {0};
  assert_true(store_history(s, "a.test", NULL, on_point, &ps));
  assert_int_equal(ps.n, 2);
  assert_int_equal(ps.v[0].endpoints, 2);
  assert_int_equal(ps.v[0].legacy, 1);
  assert_int_equal(ps.v[0].legacy_app, 1);
  assert_int_equal(ps.v[0].rate[1].handshakes, 10);
  assert_int_equal(ps.v[0].rate[1].refused, 2);
  assert_int_equal(ps.v[1].legacy, 0);
  assert_int_equal(ps.v[1].rate[1].handshakes, 0);
  ingest(s, b,
         "{\"tenant\":\"b.test\",\"verdict\":\"no_endpoints\",\"endpoints\":[],"
         "\"legacy_endpoints\":[],\"legacy_confirmed\":[]}",
         STORE_DUP_KEEP);
  struct points every = {0};
  assert_true(store_history(s, STORE_EVERY_TENANT, NULL, on_point, &every));
  assert_int_equal(every.n, 3); /* a.test twice, then b.test once */
  assert_int_equal(every.v[1].run.id, b);
  assert_int_equal(every.v[2].endpoints, 0);
  struct points whole = {0};
  assert_true(store_history(s, NULL, NULL, on_point, &whole));
  assert_int_equal(whole.v[0].tenants, 1);
  assert_int_equal(whole.v[0].tenants_legacy, 1);
  assert_int_equal(whole.v[0].endpoints, 1);
  assert_int_equal(whole.v[0].rate[1].handshakes, 10);
  assert_int_equal(whole.v[1].tenants_legacy, 0);
  store_close(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_schema_version_and_wal),
      cmocka_unit_test(test_newer_schema_refused),
      cmocka_unit_test(test_not_a_database),
      cmocka_unit_test(test_record_rows),
      cmocka_unit_test(test_record_replaced),
      cmocka_unit_test(test_hostile_strings_are_data),
      cmocka_unit_test(test_bad_lines),
      cmocka_unit_test(test_tenant_summary),
      cmocka_unit_test(test_runs_and_states),
      cmocka_unit_test(test_diff),
      cmocka_unit_test(test_history),
      cmocka_unit_test(test_history_of_a_tenant),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
