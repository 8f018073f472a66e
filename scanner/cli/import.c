/* scanner/cli/import.c: `tlssweep import`, JSON Lines files of earlier
 * runs (or of other machines) into a --db database.
 *
 * Without --metadata each file is a run of its own, known by a SHA-256 of
 * its first MiB: importing a file again takes up the same run, and since a
 * record's identity within its run is unique (store.h), adds nothing. With
 * --metadata FILE, the files are the parts of one scan (a Kubernetes or
 * Slurm shard each) and all go into the one run the metadata describes
 * (its command, start and end), known by a SHA-256 of the metadata.
 *
 * Lines are read into a fixed buffer, never a growing one, parsed by a
 * reader thread at most PIPE_LINES ahead of this one, which stores them and
 * commits in batches, so memory stays bounded whatever the file's size; a
 * line longer than the buffer is no record of ours and is counted bad. */
#include <errno.h>
#include <jansson.h>
#include <pthread.h>
#include <openssl/sha.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>

#include "scanner/cli/import.h"

#include "scanner/base/outbuf.h"
#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/store/store.h"

static const struct opt_command kImport = {
    .bit = CMD_IMPORT,
    .synopsis = "--db FILE [options] RESULTS.jsonl...",
    .about = "Stores the records and tenant summaries of JSON Lines files ('-': standard\n"
             "input) written by tlssweep scan, lab or tenants in the SQLite database, for\n"
             "tlssweep history and diff. Each file is a run, unless --metadata names the scan\n"
             "the files are parts of. Importing a file twice adds nothing.",
    .epilogue = "exit status: 0 done; 1 usage error, an unreadable file or lines that are not\n"
                "records (the others are stored); 2 the database failed",
};

/* The longest line taken: a record is a few KiB (reply texts and names are
 * bounded by the scanner). */
#define LINE_MAX_BYTES (1u << 20)
/* Bytes of a file that name its run. */
#define IDENTITY_BYTES (1u << 20)
/* Lines per transaction. */
#define BATCH_LINES 50000

struct import {
  struct store *db;
  int quiet;
  char *line;                     /* LINE_MAX_BYTES + 1 */
  int64_t run;
  int tenants_seen;
  uint64_t records, summaries, known, bad;
  uint64_t in_batch;
};

/* read_line reads one line of |in| into |buf| (LINE_MAX_BYTES + 1 bytes).
 * Returns its length (with the newline), 0 at the end, or -1 for a line too
 * long (skipped to its end). */
static long read_line(FILE *in, char *buf) {
  if (fgets(buf, LINE_MAX_BYTES + 1, in) == NULL) {
    return 0;
  }
  size_t len = strlen(buf);
  if (len == LINE_MAX_BYTES && buf[len - 1] != '\n') {
    int c;
    while ((c = getc(in)) != EOF && c != '\n') {
    }
    return -1;
  }
  return (long)len;
}

/* ---- parsing ahead ------------------------------------------------------------------ */

/* A reader thread reads and parses lines (JSON parsing is the larger part
 * of an import's work) while this thread stores them. Lines go across in
 * batches, so the two threads meet once per batch, not per line; a bounded
 * ring of batches between them keeps memory flat. */
#define BATCH 256
#define PIPE_BATCHES 16

struct parsed {
  struct store_parsed *doc;     /* NULL: not a JSON object */
  uint64_t line_no;
  int too_long;
};

struct batch {
  struct parsed v[BATCH];
  size_t n;
};

struct pipe {
  pthread_mutex_t lock;
  pthread_cond_t can_put, can_take;
  struct batch ring[PIPE_BATCHES];
  size_t head, count;
  int done;                     /* the reader is through */
  int stop;                     /* the store failed: the reader gives up */
  FILE *in;
  const char *held;             /* lines read before the reader started */
  size_t held_len;
  char *buf;
  struct batch fill;            /* the reader's batch being filled */
  int read_error;
};

static void batch_free(struct batch *b) {
  for (size_t i = 0; i < b->n; i++) {
    store_parsed_free(b->v[i].doc);
  }
  b->n = 0;
}

/* flush hands the reader's batch over. Returns 0 when the store has given
 * up. */
static int flush(struct pipe *p) {
  if (p->fill.n == 0) {
    return 1;
  }
  pthread_mutex_lock(&p->lock);
  while (p->count == PIPE_BATCHES && !p->stop) {
    pthread_cond_wait(&p->can_put, &p->lock);
  }
  int ok = !p->stop;
  if (ok) {
    p->ring[(p->head + p->count) % PIPE_BATCHES] = p->fill;
    p->count++;
    pthread_cond_signal(&p->can_take);
  }
  pthread_mutex_unlock(&p->lock);
  if (!ok) {
    batch_free(&p->fill);
  }
  p->fill.n = 0;
  return ok;
}

static int put(struct pipe *p, struct parsed x) {
  p->fill.v[p->fill.n++] = x;
  return p->fill.n < BATCH || flush(p);
}

/* take takes the next batch into |out|. Returns 1, or 0 when there is none
 * left. */
static int take(struct pipe *p, struct batch *out) {
  pthread_mutex_lock(&p->lock);
  while (p->count == 0 && !p->done) {
    pthread_cond_wait(&p->can_take, &p->lock);
  }
  int got = p->count > 0;
  if (got) {
    *out = p->ring[p->head];
    p->head = (p->head + 1) % PIPE_BATCHES;
    p->count--;
    pthread_cond_signal(&p->can_put);
  }
  pthread_mutex_unlock(&p->lock);
  return got;
}

/* parse_put parses a line and queues it; blank lines are skipped. Returns
 * 0 when the store has given up. */
static int parse_put(struct pipe *p, const char *line, size_t len, uint64_t line_no) {
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r')) {
    len--;
  }
  if (len == 0) {
    return 1;
  }
  return put(p, (struct parsed){.doc = store_parse(line, len), .line_no = line_no});
}

static void *reader_main(void *arg) {
  struct pipe *p = arg;
  uint64_t line_no = 0;
  int go_on = 1;
  for (size_t off = 0; go_on && off < p->held_len;) {
    const char *nl = memchr(p->held + off, '\n', p->held_len - off);
    size_t n = nl != NULL ? (size_t)(nl - (p->held + off)) + 1 : p->held_len - off;
    go_on = parse_put(p, p->held + off, n, ++line_no);
    off += n;
  }
  long len;
  while (go_on && (len = read_line(p->in, p->buf)) != 0) {
    line_no++;
    if (len < 0) {
      go_on = put(p, (struct parsed){.line_no = line_no, .too_long = 1});
    } else {
      go_on = parse_put(p, p->buf, (size_t)len, line_no);
    }
  }
  go_on = go_on && flush(p);
  p->read_error = go_on && ferror(p->in);
  pthread_mutex_lock(&p->lock);
  p->done = 1;
  pthread_cond_signal(&p->can_take);
  pthread_mutex_unlock(&p->lock);
  return NULL;
}

/* store_one stores one parsed line (and frees it). Returns 1, or 0 when
 * the database failed. */
static int store_one(struct import *im, const char *name, struct parsed *x) {
  enum store_line kind = STORE_LINE_BAD;
  if (!x->too_long && !store_ingest_parsed(im->db, im->run, x->doc, STORE_DUP_KEEP, &kind)) {
    return 0;
  }
  switch (kind) {
    case STORE_LINE_RECORD: im->records++; break;
    case STORE_LINE_TENANT: im->summaries++; im->tenants_seen = 1; break;
    case STORE_LINE_KNOWN: im->known++; break;
    case STORE_LINE_BAD:
      if (im->bad++ < 5) {
        fprintf(stderr, "tlssweep import: %s line %llu: %s\n", name,
                (unsigned long long)x->line_no,
                x->too_long ? "too long for a record" : "not a tlssweep JSON record");
      }
      break;
  }
  if (++im->in_batch == BATCH_LINES) {
    im->in_batch = 0;
    return store_commit(im->db) && store_begin(im->db);
  }
  return 1;
}

/* store_from stores |held| and then the rest of |in|, parsed by a reader
 * thread. Returns 1, 0 when the database failed, -1 when |in| could not be
 * read. */
static int store_from(struct import *im, FILE *in, const char *name, const char *held,
                      size_t held_len) {
  struct pipe *p = calloc(1, sizeof(*p));
  if (p == NULL) {
    fprintf(stderr, "tlssweep import: out of memory\n");
    return -1;
  }
  pthread_mutex_init(&p->lock, NULL);
  pthread_cond_init(&p->can_put, NULL);
  pthread_cond_init(&p->can_take, NULL);
  p->in = in;
  p->held = held;
  p->held_len = held_len;
  p->buf = im->line;
  pthread_t reader;
  int err = pthread_create(&reader, NULL, reader_main, p);
  if (err != 0) {
    fprintf(stderr, "tlssweep import: cannot start the reader: %s\n", strerror(err));
    free(p);
    return -1;
  }
  int ok = 1;
  struct batch *b = malloc(sizeof(*b));
  while (b != NULL && take(p, b)) {
    for (size_t i = 0; i < b->n; i++) {
      if (ok && !store_one(im, name, &b->v[i])) {
        ok = 0;
        pthread_mutex_lock(&p->lock);
        p->stop = 1;
        pthread_cond_signal(&p->can_put);
        pthread_mutex_unlock(&p->lock);
      } else if (!ok) {
        store_parsed_free(b->v[i].doc);
      }
    }
  }
  if (b == NULL) {
    /* Nothing can be stored: let the reader go, and drop what it made. */
    ok = 0;
    pthread_mutex_lock(&p->lock);
    p->stop = 1;
    pthread_cond_signal(&p->can_put);
    pthread_mutex_unlock(&p->lock);
  }
  free(b);
  pthread_join(reader, NULL);
  while (p->count > 0) {
    batch_free(&p->ring[p->head]);
    p->head = (p->head + 1) % PIPE_BATCHES;
    p->count--;
  }
  int read_error = p->read_error;
  pthread_mutex_destroy(&p->lock);
  pthread_cond_destroy(&p->can_put);
  pthread_cond_destroy(&p->can_take);
  free(p);
  if (ok && read_error) {
    fprintf(stderr, "tlssweep import: reading %s failed\n", name);
    return -1;
  }
  return ok;
}

/* ---- runs --------------------------------------------------------------------------- */

/* begin_run starts (or takes up) the run |d|, in a transaction. */
static int begin_run(struct import *im, const struct store_run_desc *d) {
  int reused;
  if (!store_run_begin(im->db, d, 1, &im->run, &reused)) {
    return 0;
  }
  im->in_batch = 0;
  return store_begin(im->db);
}

/* end_run commits and marks the run: complete when every file was read
 * to its end. */
static int end_run(struct import *im, int read_ok, int64_t finished) {
  return store_commit(im->db) &&
         (!im->tenants_seen || store_run_set_kind(im->db, im->run, "tenants")) &&
         store_run_end(im->db, im->run,
                       read_ok ? STORE_RUN_COMPLETE : STORE_RUN_FAILED, finished);
}

/* import_stream stores the lines of |in|; with |d| (a run per file) it
 * first reads up to IDENTITY_BYTES to name the run and begins it. Returns
 * 1, 0 when the database failed, -1 when the file could not be read. */
static int import_stream(struct import *im, FILE *in, const char *name,
                         struct store_run_desc *d) {
  if (d == NULL) {
    return store_from(im, in, name, NULL, 0);
  }
  char *held = malloc(IDENTITY_BYTES + LINE_MAX_BYTES + 1);
  if (held == NULL) {
    fprintf(stderr, "tlssweep import: out of memory\n");
    return -1;
  }
  /* The first MiB names the run. A line too long for a record is held as
   * an empty one and counted bad. */
  size_t held_len = 0;
  uint64_t line_no = 0;
  long len;
  SHA256_CTX ctx;
  SHA256_Init(&ctx);
  while (held_len < IDENTITY_BYTES && (len = read_line(in, im->line)) != 0) {
    line_no++;
    if (len < 0) {
      strcpy(im->line, "\n");
      len = 1;
      if (im->bad++ < 5) {
        fprintf(stderr, "tlssweep import: %s line %llu: too long for a record\n", name,
                (unsigned long long)line_no);
      }
    }
    SHA256_Update(&ctx, im->line, (size_t)len);
    memcpy(held + held_len, im->line, (size_t)len);
    held_len += (size_t)len;
  }
  if (held_len == 0) {
    free(held);
    return ferror(in) ? -1 : 1; /* an empty file: no run */
  }
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256_Final(md, &ctx);
  char identity[16 + 2 * SHA256_DIGEST_LENGTH];
  memcpy(identity, "import:", 8);
  hex_encode(identity + 7, md, sizeof(md));
  d->identity = identity;
  int rc = begin_run(im, d) ? store_from(im, in, name, held, held_len) : 0;
  d->identity = NULL;
  free(held);
  return rc;
}

static FILE *open_input(const char *path) {
  if (strcmp(path, "-") == 0) {
    return stdin;
  }
  FILE *in = fopen(path, "r");
  if (in == NULL) {
    fprintf(stderr, "tlssweep import: cannot open %s: %s\n", path, strerror(errno));
  }
  return in;
}

static void report(const struct import *im, const char *name) {
  if (im->quiet) {
    return;
  }
  if (im->run == 0) {
    fprintf(stderr, "tlssweep import: %s: empty, nothing stored\n", name);
    return;
  }
  fprintf(stderr,
          "tlssweep import: %s: run %lld: %llu records and %llu tenant summaries stored, "
          "%llu already there, %llu bad lines\n",
          name, (long long)im->run, (unsigned long long)im->records,
          (unsigned long long)im->summaries, (unsigned long long)im->known,
          (unsigned long long)im->bad);
}

static void reset_counts(struct import *im) {
  im->records = im->summaries = im->known = im->bad = 0;
  im->tenants_seen = 0;
  im->run = 0;
}

/* import_files stores each file as a run of its own. Returns the exit status. */
static int import_files(struct import *im, char **paths, int n) {
  int rc = 0;
  for (int i = 0; i < n; i++) {
    FILE *in = open_input(paths[i]);
    if (in == NULL) {
      rc = 1;
      continue;
    }
    struct stat st;
    int64_t when = in != stdin && fstat(fileno(in), &st) == 0 ? (int64_t)st.st_mtime
                                                               : (int64_t)time(NULL);
    struct store_run_desc d = {.kind = "scan", .source = "import", .started_at = when};
    reset_counts(im);
    int got = import_stream(im, in, paths[i], &d);
    if (in != stdin) {
      fclose(in);
    }
    if (got == 0 || (im->run != 0 && !end_run(im, got == 1, when))) {
      fprintf(stderr, "tlssweep import: --db: %s\n", store_error(im->db));
      return 2;
    }
    report(im, paths[i]);
    rc = got < 0 || im->bad > 0 ? 1 : rc;
  }
  return rc;
}

/* parse_time reads the metadata's "2026-07-01T10:00:00Z". */
static int64_t parse_time(const json_t *v, int64_t fallback) {
  const char *s = json_string_value(v);
  struct tm tm;
  memset(&tm, 0, sizeof(tm));
  if (s == NULL || strptime(s, "%Y-%m-%dT%H:%M:%SZ", &tm) == NULL) {
    return fallback;
  }
  return (int64_t)timegm(&tm);
}

/* import_parts stores every file in the one run |meta_path| describes.
 * Returns the exit status. */
static int import_parts(struct import *im, const char *meta_path, char **paths, int n) {
  json_error_t jerr;
  json_t *meta = json_load_file(meta_path, 0, &jerr);
  if (!json_is_object(meta)) {
    fprintf(stderr, "tlssweep import: --metadata %s: %s\n", meta_path, jerr.text);
    json_decref(meta);
    return 1;
  }
  char *text = json_dumps(meta, JSON_COMPACT | JSON_SORT_KEYS);
  char *command = json_dumps(json_object_get(meta, "command"), JSON_COMPACT);
  uint8_t md[SHA256_DIGEST_LENGTH];
  SHA256((const uint8_t *)text, strlen(text), md);
  char identity[16 + 2 * SHA256_DIGEST_LENGTH];
  memcpy(identity, "import:", 8);
  hex_encode(identity + 7, md, sizeof(md));
  const char *kind = json_string_value(json_array_get(json_object_get(meta, "command"), 0));
  int64_t now = (int64_t)time(NULL);
  struct store_run_desc d = {
      .identity = identity,
      .kind = kind != NULL && strlen(kind) < 16 ? kind : "scan",
      .source = "import",
      .started_at = parse_time(json_object_get(meta, "start"), now),
      .command = command,
      .metadata = text,
  };
  int64_t end = parse_time(json_object_get(meta, "end"), d.started_at);
  int rc = 0, read_ok = 1;
  reset_counts(im);
  int ok = begin_run(im, &d);
  for (int i = 0; ok && i < n; i++) {
    FILE *in = open_input(paths[i]);
    if (in == NULL) {
      read_ok = 0;
      continue;
    }
    int got = import_stream(im, in, paths[i], NULL);
    if (in != stdin) {
      fclose(in);
    }
    ok = got != 0;
    read_ok = read_ok && got > 0;
  }
  /* A stopped scan's parts make an incomplete run, however well imported. */
  int stopped = !json_is_null(json_object_get(meta, "stopped_by")) &&
                json_object_get(meta, "stopped_by") != NULL;
  ok = ok && end_run(im, read_ok && !stopped, end);
  if (!ok) {
    fprintf(stderr, "tlssweep import: --db: %s\n", store_error(im->db));
    rc = 2;
  } else {
    report(im, meta_path);
    rc = !read_ok || im->bad > 0 ? 1 : 0;
  }
  free(text);
  free(command);
  json_decref(meta);
  return rc;
}

int import_one(struct store *db, const char *path, int quiet, int64_t *out_run) {
  struct import im = {.db = db, .quiet = quiet, .line = malloc(LINE_MAX_BYTES + 1)};
  if (im.line == NULL) {
    fprintf(stderr, "tlssweep: out of memory\n");
    return 2;
  }
  char *paths[] = {(char *)path};
  int rc = import_files(&im, paths, 1);
  *out_run = im.run;
  free(im.line);
  return rc;
}

int cmd_import(int argc, char **argv) {
  struct db_options o = {0};
  options_defaults(&kImport, &o);
  int first, rc;
  if (!options_parse(&kImport, argc, argv, &o, &first, &rc)) {
    return rc;
  }
  if (o.db == NULL) {
    return usage_error(argv[0], "import needs --db FILE");
  }
  if (first == argc) {
    return usage_error(argv[0], "import: no files (RESULTS.jsonl..., '-' for standard input)");
  }
  struct import im = {0};
  char err[512];
  if (!store_open(o.db, &im.db, err, sizeof(err))) {
    fprintf(stderr, "tlssweep import: --db %s: %s\n", o.db, err);
    return 2;
  }
  im.line = malloc(LINE_MAX_BYTES + 1);
  if (im.line == NULL) {
    fprintf(stderr, "tlssweep import: out of memory\n");
    store_close(im.db);
    return 2;
  }
  rc = o.metadata != NULL ? import_parts(&im, o.metadata, argv + first, argc - first)
                          : import_files(&im, argv + first, argc - first);
  free(im.line);
  store_close(im.db);
  return rc;
}
