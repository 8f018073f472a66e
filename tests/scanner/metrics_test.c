/* tests/scanner/metrics_test.c: the --metrics collector and its file.
 *
 * Records of two tenants are counted in their own groups (a tenants
 * sweep's labels) or in one group without a tenant (a scan's); a tenant
 * label with a quote, a backslash, a line break and ill-formed UTF-8 comes
 * out escaped and valid; certificates past METRICS_CERT_MAX are counted,
 * not kept; metrics_write replaces the file whole, and when it cannot, the
 * old file stays and no FILE.tmp is left. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "scanner/output/metrics.h"

static struct target_item item;

static void make_result(struct scan_result *r, const char *label, int accept_tls10) {
  memset(&item, 0, sizeof(item));
  memset(r, 0, sizeof(*r));
  snprintf(item.line.text, sizeof(item.line.text), "imaps://mail.example.com:993");
  snprintf(item.line.label, sizeof(item.line.label), "%s", label);
  item.line.proto = PROTO_IMAPS;
  r->item = &item;
  r->status = STATUS_OK;
  snprintf(r->ip, sizeof(r->ip), "192.0.2.1");
  r->v[PV_TLS12].outcome = OUTCOME_ACCEPTED;
  if (accept_tls10) {
    r->v[PV_TLS10].outcome = OUTCOME_ACCEPTED;
    r->v[PV_TLS10].confirm.state = CONFIRM_DONE;
    r->v[PV_TLS10].confirm.handshake_ok = 1;
    r->v[PV_TLS10].confirm.runs = 4;
    r->v[PV_TLS10].confirm.handshake_ok_runs = 4;
    r->v[PV_TLS10].confirm.app_refused_runs = 1;
    r->v[PV_TLS10].confirm.app_ok_runs = 3;
  }
  r->has_cert = 1;
  r->cert.times_known = 1;
  r->cert.not_after_time = 1800000000;
}

static char *render(const struct metrics *m) {
  struct outbuf out = {0};
  assert_true(metrics_render(m, 1.5, 1700000000, &out));
  assert_true(outbuf_append(&out, "", 1));
  return out.data;
}

static void test_groups_by_tenant(void **state) {
  (void)state;
  struct metrics m;
  metrics_init(&m, "tenants", 1);
  struct scan_result r;
  make_result(&r, "a.example", 1);
  metrics_observe(&m, &r);
  make_result(&r, "b.example", 0);
  metrics_observe(&m, &r);
  metrics_observe(&m, &r);
  char *text = render(&m);
  assert_non_null(strstr(text, "tlssweep_targets{tenant=\"a.example\",proto=\"imaps\",status=\"ok\"} 1\n"));
  assert_non_null(strstr(text, "tlssweep_targets{tenant=\"b.example\",proto=\"imaps\",status=\"ok\"} 2\n"));
  assert_non_null(strstr(text, "tlssweep_legacy_endpoints{tenant=\"a.example\",proto=\"imaps\"} 1\n"));
  assert_non_null(strstr(text, "tlssweep_legacy_endpoints{tenant=\"b.example\",proto=\"imaps\"} 0\n"));
  assert_non_null(strstr(text, "tlssweep_confirmations_total{tenant=\"a.example\",proto=\"imaps\",version=\"tls1.0\"} 4\n"));
  assert_non_null(strstr(text, "tlssweep_confirmation_refusal_ratio{tenant=\"a.example\",proto=\"imaps\",version=\"tls1.0\"} 0.25\n"));
  assert_null(strstr(text, "tlssweep_confirmation_refusal_ratio{tenant=\"b.example\""));
  assert_non_null(strstr(text, "tlssweep_scan_duration_seconds{command=\"tenants\"} 1.500\n"));
  assert_non_null(strstr(text, "# TYPE tlssweep_confirmations_total counter\n"));
  free(text);
  metrics_free(&m);
  /* A scan's labels are not tenants. */
  metrics_init(&m, "scan", 0);
  make_result(&r, "a.example", 1);
  metrics_observe(&m, &r);
  make_result(&r, "b.example", 1);
  metrics_observe(&m, &r);
  assert_int_equal(m.ngroups, 1);
  text = render(&m);
  assert_non_null(strstr(text, "tlssweep_legacy_endpoints{tenant=\"\",proto=\"imaps\"} 2\n"));
  free(text);
  metrics_free(&m);
}

static void test_hostile_label(void **state) {
  (void)state;
  struct metrics m;
  metrics_init(&m, "tenants", 1);
  struct scan_result r;
  make_result(&r, "q\"b\\n\nx\xff", 0);
  metrics_observe(&m, &r);
  char *text = render(&m);
  assert_non_null(strstr(text, "{tenant=\"q\\\"b\\\\n\\nx\xc3\xbf\",proto=\"imaps\""));
  /* Every line is a comment or a sample: the line break did not escape. */
  for (char *line = strtok(text, "\n"); line != NULL; line = strtok(NULL, "\n")) {
    assert_true(strncmp(line, "# ", 2) == 0 || strncmp(line, "tlssweep_", 9) == 0);
  }
  free(text);
  metrics_free(&m);
}

static void test_cert_cap(void **state) {
  (void)state;
  struct metrics m;
  metrics_init(&m, "scan", 0);
  struct scan_result r;
  make_result(&r, "", 0);
  for (int i = 0; i < METRICS_CERT_MAX + 5; i++) {
    metrics_observe(&m, &r);
  }
  assert_int_equal(m.ncerts, METRICS_CERT_MAX);
  assert_int_equal(m.certs_dropped, 5);
  char *text = render(&m);
  assert_non_null(strstr(text, "tlssweep_cert_series_dropped{command=\"scan\"} 5\n"));
  assert_non_null(strstr(text, "tlssweep_cert_not_after_timestamp_seconds{tenant=\"\",proto=\"imaps\","
                               "target=\"imaps://mail.example.com:993\",ip=\"192.0.2.1\"} 1800000000\n"));
  free(text);
  metrics_free(&m);
}

static void test_write(void **state) {
  (void)state;
  const char *base = getenv("TEST_TMPDIR");
  char dir[200];
  snprintf(dir, sizeof(dir), "%s/metrics_test.XXXXXX", base != NULL ? base : "/tmp");
  assert_non_null(mkdtemp(dir));
  char path[256], tmp[300], bad[300];
  snprintf(path, sizeof(path), "%s/m.prom", dir);
  snprintf(tmp, sizeof(tmp), "%s.tmp", path);
  snprintf(bad, sizeof(bad), "%s/none/m.prom", dir);
  struct outbuf text = {0};
  assert_true(outbuf_puts(&text, "first\n"));
  char err[256];
  assert_true(metrics_write(path, &text, err, sizeof(err)));
  assert_int_equal(access(tmp, F_OK), -1);
  /* FILE.tmp cannot be made (a directory is in the way): FILE stays. */
  assert_int_equal(mkdir(tmp, 0700), 0);
  text.len = 0;
  assert_true(outbuf_puts(&text, "second\n"));
  assert_false(metrics_write(path, &text, err, sizeof(err)));
  assert_non_null(strstr(err, "cannot create"));
  FILE *f = fopen(path, "r");
  char line[32] = "";
  assert_non_null(fgets(line, sizeof(line), f));
  fclose(f);
  assert_string_equal(line, "first\n");
  rmdir(tmp);
  assert_false(metrics_write(bad, &text, err, sizeof(err)));
  assert_true(metrics_write(path, &text, err, sizeof(err)));
  f = fopen(path, "r");
  assert_non_null(fgets(line, sizeof(line), f));
  fclose(f);
  assert_string_equal(line, "second\n");
  unlink(path);
  rmdir(dir);
  outbuf_free(&text);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_groups_by_tenant),
      cmocka_unit_test(test_hostile_label),
      cmocka_unit_test(test_cert_cap),
      cmocka_unit_test(test_write),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
