/* scanner/cli/diff.c: `tlssweep diff`, what got worse or better between two
 * runs, for people and for monitoring.
 *
 * The runs come from a --db database (by number; by default the last two
 * complete runs of the same kind) or are two JSON Lines files, imported
 * into a private temporary database first so that both ways compare the
 * same rows (scanner/store/diff.h says what counts as worse). On a
 * terminal the changes are a text list, worse first; otherwise JSON Lines,
 * one change a line and a summary line last. The exit status is 4 when
 * something got worse, 0 when nothing did. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/import.h"
#include "scanner/cli/options.h"
#include "scanner/store/diff.h"

static const struct opt_command kDiff = {
    .bit = CMD_DIFF,
    .synopsis = "[options] (--db FILE [RUN_A [RUN_B]] | A.jsonl B.jsonl)",
    .about =
        "Says what changed from run A to run B, endpoint by endpoint and tenant by tenant:\n"
        "worse (newly accepts SSLv3/TLS 1.0/1.1, the application stopped refusing it, a\n"
        "refusal rate fell, a certificate expired or changed key, a tenant became\n"
        "legacy), better (the opposites) and changed (appeared, vanished, status). A\n"
        "refusal rate counts as changed only when the two 95% Wilson intervals do not\n"
        "overlap. With --db the runs are numbers (tlssweep history lists them), by\n"
        "default the last two complete runs of the same kind; without, two JSON Lines\n"
        "files.",
    .epilogue = "exit status: 0 nothing got worse; 4 something got worse; 1 usage error or\n"
                "unreadable input; 2 the database failed",
};

struct diff_out {
  int text;
  int only;               /* text: the direction being printed, -1: all */
  uint64_t count[3];
  int printed_heading;
};

static void print_rate(const struct diff_rate *r) {
  printf("%.1f%% [%.1f, %.1f] of %llu", r->handshakes ? 100.0 * (double)r->refused /
                                                           (double)r->handshakes
                                                     : 0.0,
         100 * r->lo, 100 * r->hi, (unsigned long long)r->handshakes);
}

static json_t *rate_json(const struct diff_rate *r) {
  return json_pack("{sIsIsfsf}", "refused", (json_int_t)r->refused, "handshakes",
                   (json_int_t)r->handshakes, "lo", r->lo, "hi", r->hi);
}

static void on_change(void *ctx, const struct diff_change *c) {
  struct diff_out *o = ctx;
  if (o->only >= 0 && (int)c->direction != o->only) {
    return;
  }
  o->count[c->direction]++;
  if (!o->text) {
    json_t *j = json_pack("{ssssssss}", "direction", diff_direction_name(c->direction), "scope",
                          diff_scope_name(c->scope), "subject", c->subject, "change", c->change);
    if (c->version != NULL) {
      json_object_set_new(j, "version", json_string(c->version));
    }
    if (c->before != NULL) {
      json_object_set_new(j, "before", json_string(c->before));
    }
    if (c->after != NULL) {
      json_object_set_new(j, "after", json_string(c->after));
    }
    if (c->has_rate) {
      json_object_set_new(j, "rate_before", rate_json(&c->rate_a));
      json_object_set_new(j, "rate_after", rate_json(&c->rate_b));
    }
    char *line = json_dumps(j, JSON_COMPACT);
    if (line != NULL) {
      puts(line);
    }
    free(line);
    json_decref(j);
    return;
  }
  if (!o->printed_heading) {
    printf("%s:\n", diff_direction_name(c->direction));
    o->printed_heading = 1;
  }
  printf("  %-8s %-40s %s", diff_scope_name(c->scope), c->subject, c->change);
  if (c->version != NULL) {
    printf(" %s", c->version);
  }
  if (c->has_rate) {
    printf(": ");
    print_rate(&c->rate_a);
    printf(" -> ");
    print_rate(&c->rate_b);
  } else if (c->before != NULL && c->after != NULL) {
    printf(" (%s -> %s)", c->before, c->after);
  } else if (c->before != NULL || c->after != NULL) {
    printf(" (%s)", c->before != NULL ? c->before : c->after); /* vanished, appeared */
  }
  putchar('\n');
}

static void describe_run(const struct store_run *r, char *buf, size_t cap) {
  char when[32];
  time_t t = (time_t)r->started_at;
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(when, sizeof(when), "%Y-%m-%d %H:%M UTC", &tm);
  snprintf(buf, cap, "run %lld (%s, %s, %s)", (long long)r->id, r->kind, when, r->state);
}

/* pick_runs fills in the runs not given: B the newest complete run (or the
 * newest complete of A's kind after A), A the complete run of B's kind
 * before it. Returns 1, or 0 after saying why. */
static int pick_runs(struct store *db, int64_t *a, int64_t *b) {
  struct store_run ra;
  if (*a == 0) {
    if (!store_last_complete(db, NULL, 0, b)) {
      fprintf(stderr, "tlssweep diff: the database holds no complete run\n");
      return 0;
    }
    struct store_run rb;
    if (!store_run_get(db, *b, &rb) || !store_last_complete(db, rb.kind, *b, a)) {
      fprintf(stderr, "tlssweep diff: no complete %s run before run %lld to compare with\n",
              rb.kind, (long long)*b);
      return 0;
    }
    return 1;
  }
  if (!store_run_get(db, *a, &ra)) {
    fprintf(stderr, "tlssweep diff: %s\n", store_error(db));
    return 0;
  }
  if (*b == 0 && (!store_last_complete(db, ra.kind, 0, b) || *b == *a)) {
    fprintf(stderr, "tlssweep diff: no complete %s run after run %lld to compare with\n",
            ra.kind, (long long)*a);
    return 0;
  }
  return 1;
}

static int parse_run(const char *arg, int64_t *out) {
  char *end;
  errno = 0;
  long long v = strtoll(arg, &end, 10);
  if (errno != 0 || *end != '\0' || v <= 0) {
    return 0;
  }
  *out = v;
  return 1;
}

/* show runs the diff and prints it. Returns the exit status. */
static int show(struct store *db, int64_t a, int64_t b, int text) {
  struct store_run ra, rb;
  if (!store_run_get(db, a, &ra) || !store_run_get(db, b, &rb)) {
    fprintf(stderr, "tlssweep diff: %s\n", store_error(db));
    return 1;
  }
  char da[128], dbuf[128];
  describe_run(&ra, da, sizeof(da));
  describe_run(&rb, dbuf, sizeof(dbuf));
  struct diff_out o = {.text = text, .only = -1};
  int ok = 1;
  if (text) {
    printf("%s -> %s\n", da, dbuf);
    for (int dir = DIFF_WORSE; ok && dir <= DIFF_CHANGED; dir++) {
      o.only = dir;
      o.printed_heading = 0;
      ok = store_diff(db, a, b, on_change, &o);
    }
    if (ok) {
      printf("%llu worse, %llu better, %llu changed\n", (unsigned long long)o.count[DIFF_WORSE],
             (unsigned long long)o.count[DIFF_BETTER], (unsigned long long)o.count[DIFF_CHANGED]);
    }
  } else {
    ok = store_diff(db, a, b, on_change, &o);
    if (ok) {
      json_t *sum = json_pack("{s{sIsIsIsIsI}}", "summary", "run_a", (json_int_t)a, "run_b",
                              (json_int_t)b, "worse", (json_int_t)o.count[DIFF_WORSE], "better",
                              (json_int_t)o.count[DIFF_BETTER], "changed",
                              (json_int_t)o.count[DIFF_CHANGED]);
      char *line = json_dumps(sum, JSON_COMPACT);
      if (line != NULL) {
        puts(line);
      }
      free(line);
      json_decref(sum);
    }
  }
  if (!ok) {
    fprintf(stderr, "tlssweep diff: --db: %s\n", store_error(db));
    return 2;
  }
  if (fflush(stdout) != 0) {
    fprintf(stderr, "tlssweep diff: writing failed: %s\n", strerror(errno));
    return 2;
  }
  return o.count[DIFF_WORSE] > 0 ? 4 : 0;
}

int cmd_diff(int argc, char **argv) {
  struct db_options o = {0};
  options_defaults(&kDiff, &o);
  int first, rc;
  if (!options_parse(&kDiff, argc, argv, &o, &first, &rc)) {
    return rc;
  }
  int n = argc - first;
  int text = o.format != NULL ? strcmp(o.format, "text") == 0 : isatty(STDOUT_FILENO);
  struct store *db;
  char err[512];
  int64_t a = 0, b = 0;
  if (o.db != NULL) {
    if (n > 2 || (n >= 1 && !parse_run(argv[first], &a)) ||
        (n == 2 && !parse_run(argv[first + 1], &b))) {
      return usage_error(argv[0], "diff --db FILE takes up to two run numbers");
    }
    if (!store_open(o.db, &db, err, sizeof(err))) {
      fprintf(stderr, "tlssweep diff: --db %s: %s\n", o.db, err);
      return 2;
    }
    rc = pick_runs(db, &a, &b) ? show(db, a, b, text) : 1;
    store_close(db);
    return rc;
  }
  if (n != 2) {
    return usage_error(argv[0], "diff: two JSON Lines files, or --db FILE");
  }
  /* A private database on disk, deleted at close: bounded memory for
   * files of any size. */
  if (!store_open("", &db, err, sizeof(err))) {
    fprintf(stderr, "tlssweep diff: %s\n", err);
    return 2;
  }
  rc = import_one(db, argv[first], 1, &a);
  if (rc == 0) {
    rc = import_one(db, argv[first + 1], 1, &b);
  }
  if (rc == 0 && (a == 0 || b == 0)) {
    fprintf(stderr, "tlssweep diff: %s is empty\n", argv[a == 0 ? first : first + 1]);
    rc = 1;
  }
  if (rc == 0) {
    rc = show(db, a, b, text);
  }
  store_close(db);
  return rc;
}
