/* tests/scanner/writer_test.c: the writer thread delivers every record whole
 * and once, as the format renders it, and does not sit on a lone record.
 *
 * Engines render records in buffers of their own, outside the writer's lock,
 * and the writer is woken per batch, not per record (writer.c). So: a record
 * with every part filled in must come out exactly as the format renders it
 * directly, in every format, although the caller's result is overwritten as
 * soon as writer_put returns (an engine reuses its scratch); four
 * threads put records at once, each line naming its thread and number, into
 * a pipe read by the test; every line must parse as one JSON record and each
 * (thread, number) must come exactly once. And a single record put while the
 * scan goes on must reach the pipe without writer_finish, however long the
 * batch takes to fill (a person watching the output, `tail -f`). */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "scanner/output/writer.h"
#include "tests/scanner/rich_result.h"

#define THREADS 4
#define PER_THREAD 3000

struct putter {
  struct writer *w;
  int id;
};

/* A result whose line says who put it: label "t<thread>", line number n. */
static void *put_many(void *arg) {
  struct putter *p = arg;
  struct target_item item;
  struct scan_result r;
  for (int n = 0; n < PER_THREAD; n++) {
    memset(&item, 0, sizeof(item));
    memset(&r, 0, sizeof(r));
    snprintf(item.line.text, sizeof(item.line.text), "127.0.0.%d:443", p->id + 1);
    snprintf(item.line.host, sizeof(item.line.host), "127.0.0.%d", p->id + 1);
    snprintf(item.line.label, sizeof(item.line.label), "t%d", p->id);
    item.line.port = 443;
    item.line_no = (unsigned long)n;
    r.item = &item;
    r.status = STATUS_OK;
    snprintf(r.ip, sizeof(r.ip), "127.0.0.%d", p->id + 1);
    r.versions_selected = (1u << PV_COUNT) - 1;
    r.v[PV_TLS12].outcome = OUTCOME_ACCEPTED;
    r.v[PV_TLS12].cipher_suite = 0x002f;
    if (!writer_put(p->w, &r)) {
      return (void *)1;
    }
  }
  return NULL;
}

/* drain reads the pipe to its end into a buffer the caller frees. */
static char *drain(int fd, size_t *len) {
  size_t cap = 1 << 20, n = 0;
  char *buf = malloc(cap);
  assert_non_null(buf);
  for (;;) {
    if (n == cap) {
      cap *= 2;
      buf = realloc(buf, cap);
      assert_non_null(buf);
    }
    ssize_t k = read(fd, buf + n, cap - n);
    if (k < 0 && errno == EINTR) {
      continue;
    }
    assert_true(k >= 0);
    if (k == 0) {
      break;
    }
    n += (size_t)k;
  }
  *len = n;
  return buf;
}

struct reader {
  int fd;
  char *buf;
  size_t len;
};

static void *read_all(void *arg) {
  struct reader *rd = arg;
  rd->buf = drain(rd->fd, &rd->len);
  return NULL;
}

/* whole_and_once has four threads put records through a writer with
 * |bound| and checks that each arrives once, as one JSON line. */
static void whole_and_once(size_t bound) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  /* The reader runs beside the putters, so a full pipe never stalls them. */
  struct reader rd = {.fd = fds[0]};
  pthread_t reader;
  assert_int_equal(pthread_create(&reader, NULL, read_all, &rd), 0);
  struct writer w;
  assert_true(writer_start(&w, fds[1], output_format_find("jsonl"), bound, 1, NULL, NULL));
  pthread_t t[THREADS];
  struct putter p[THREADS];
  for (int i = 0; i < THREADS; i++) {
    p[i] = (struct putter){.w = &w, .id = i};
    assert_int_equal(pthread_create(&t[i], NULL, put_many, &p[i]), 0);
  }
  for (int i = 0; i < THREADS; i++) {
    void *rc;
    pthread_join(t[i], &rc);
    assert_null(rc);
  }
  assert_int_equal(writer_finish(&w), 0);
  close(fds[1]);
  pthread_join(reader, NULL);
  close(fds[0]);

  static uint8_t seen[THREADS][PER_THREAD];
  memset(seen, 0, sizeof(seen));
  size_t lines = 0;
  for (char *at = rd.buf, *end = rd.buf + rd.len; at < end;) {
    char *nl = memchr(at, '\n', (size_t)(end - at));
    assert_non_null(nl);
    json_error_t err;
    json_t *o = json_loadb(at, (size_t)(nl - at), 0, &err);
    if (o == NULL) {
      fail_msg("line %zu is not one JSON record (%s): %.*s", lines + 1, err.text,
               (int)(nl - at > 200 ? 200 : nl - at), at);
    }
    const char *label = json_string_value(json_object_get(o, "label"));
    json_int_t n = json_integer_value(json_object_get(o, "line"));
    assert_non_null(label);
    assert_true(label[0] == 't' && label[1] >= '0' && label[1] < '0' + THREADS);
    assert_true(n >= 0 && n < PER_THREAD);
    seen[label[1] - '0'][n]++;
    json_decref(o);
    lines++;
    at = nl + 1;
  }
  assert_int_equal(lines, THREADS * PER_THREAD);
  for (int i = 0; i < THREADS; i++) {
    for (int n = 0; n < PER_THREAD; n++) {
      if (seen[i][n] != 1) {
        fail_msg("record t%d/%d came %u times", i, n, seen[i][n]);
      }
    }
  }
  free(rd.buf);
}

static void test_records_whole_and_once(void **state) {
  (void)state;
  whole_and_once(1 << 20);
}

/* through_writer puts |r| twice through a writer with |bound| and returns
 * what reached the pipe (the caller frees it); |r| and its target are
 * scribbled over right after each put, as an engine reuses its scratch. */
static char *through_writer(const struct output_format *fmt, size_t bound, size_t *len) {
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  struct writer w;
  assert_true(writer_start(&w, fds[1], fmt, bound, 0, NULL, NULL));
  struct target_item item;
  struct scan_result r;
  for (int i = 0; i < 2; i++) {
    rich_result(&r, &item);
    assert_true(writer_put(&w, &r));
    memset(&item, 0x5a, sizeof(item));
    memset(&r, 0x5a, sizeof(r));
  }
  assert_int_equal(writer_finish(&w), 0);
  close(fds[1]);
  char *out = drain(fds[0], len);
  close(fds[0]);
  return out;
}

static void test_rendered_as_the_format_does(void **state) {
  (void)state;
  static const char *const kFormats[] = {"jsonl", "csv", "text"};
  for (size_t f = 0; f < sizeof(kFormats) / sizeof(kFormats[0]); f++) {
    const struct output_format *fmt = output_format_find(kFormats[f]);
    assert_non_null(fmt);
    struct target_item item;
    struct scan_result r;
    rich_result(&r, &item);
    struct outbuf direct = {0};
    assert_true(fmt->record(&r, &direct));
    assert_true(direct.len > 0);
    /* A roomy bound, and a bound of nothing: the second put finds the
     * first still waiting (the writer lingers for a batch), over it. */
    static const size_t kBounds[] = {1 << 20, 0};
    for (size_t b = 0; b < 2; b++) {
      size_t len;
      char *got = through_writer(fmt, kBounds[b], &len);
      if (len != 2 * direct.len || memcmp(got, direct.data, direct.len) != 0 ||
          memcmp(got + direct.len, direct.data, direct.len) != 0) {
        fail_msg("%s, bound %zu: the writer wrote %zu bytes, not twice these %zu:\n%.*s\n"
                 "but:\n%.*s",
                 kFormats[f], kBounds[b], len, direct.len, (int)direct.len, direct.data,
                 (int)len, got);
      }
      free(got);
    }
    outbuf_free(&direct);
  }
}

static void test_lone_record_not_held(void **state) {
  (void)state;
  int fds[2];
  assert_int_equal(pipe(fds), 0);
  struct writer w;
  assert_true(writer_start(&w, fds[1], output_format_find("jsonl"), 1 << 20, 1, NULL, NULL));
  struct putter p = {.w = &w, .id = 0};
  struct target_item item;
  struct scan_result r;
  memset(&item, 0, sizeof(item));
  memset(&r, 0, sizeof(r));
  snprintf(item.line.text, sizeof(item.line.text), "127.0.0.1:443");
  item.line.port = 443;
  r.item = &item;
  r.status = STATUS_OK;
  snprintf(r.ip, sizeof(r.ip), "127.0.0.1");
  /* Let the writer thread settle into waiting for a first record, as it
   * does through a quiet stretch of a scan. */
  usleep(200000);
  assert_true(writer_put(p.w, &r));
  /* Far below a batch, and the scan is not over: the record must still
   * come. The wait is a bound on a hang, not a measure of speed. */
  struct pollfd pfd = {.fd = fds[0], .events = POLLIN};
  int ready = poll(&pfd, 1, 20000);
  assert_int_equal(ready, 1);
  char buf[4096];
  ssize_t k = read(fds[0], buf, sizeof(buf));
  assert_true(k > 0 && buf[k - 1] == '\n');
  assert_non_null(memmem(buf, (size_t)k, "\"127.0.0.1:443\"", 15));
  assert_int_equal(writer_finish(&w), 0);
  close(fds[1]);
  close(fds[0]);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_records_whole_and_once),
      cmocka_unit_test(test_rendered_as_the_format_does),
      cmocka_unit_test(test_lone_record_not_held),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
