/* scanner/cli/run.c: one scan in stages, with one teardown (see run.h).
 *
 * struct run holds everything a scan takes. run_setup walks kStages in
 * order and |stage| counts the stages done; run_teardown undoes exactly
 * those, last first, whether the scan ran to its end or a stage failed. A
 * stage that fails leaves nothing of its own behind, and what needs no
 * stage to be undone (empty done sets, thread arrays) is set up empty when
 * the run is made and freed whatever happened. The exit status comes last,
 * from the counters, once the output is closed. */
#include "scanner/cli/run.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "scanner/base/clock.h"
#include "scanner/cli/options.h"
#include "scanner/cli/report.h"
#include "scanner/cli/run_db.h"
#include "scanner/cli/status.h"
#include "scanner/output/cert.h"
#include "scanner/store/store.h"
#include "scanner/output/metrics.h"
#include "scanner/targets/blocklist.h"
#include "scanner/targets/permute.h"

/* Rendered records held for the output before the engines stop taking
 * new targets. */
#define WRITER_BOUND (16u << 20)

/* File descriptors the process holds besides the rings' registered files:
 * the rings themselves, c-ares sockets, the output, the checkpoint, the
 * lab's servers. */
#define FD_MARGIN 64

struct thread_arg {
  struct scan_shared *shared;
  int rc;
};

struct run {
  const struct run_options *o;
  struct run_hooks hooks;
  struct target_source *source;
  int stage;                      /* stages done (kStages) */
  /* o->config with the lists, the trust store and a concurrency that fits. */
  struct scan_config config;
  struct scan_policy policy;
  struct cert_verifier verifier;
  int have_verifier;
  struct checkpoint cp;           /* the writer's once it starts */
  int resumed;
  struct done_set skip;           /* positions the feed skips: a copy of cp.done */
  int out_fd;
  int close_fd;                   /* out_fd is ours to close */
  uint64_t seed;                  /* the target order's */
  struct permuter perm;
  struct target_feed feed;
  struct rate_limiter limiter;
  struct politeness polite;
  pthread_t *threads;
  struct thread_arg *args;
  struct scan_shared shared;
  struct writer writer;
  struct run_out out;             /* the writer, and the feed while the database works */
  struct run_db db;               /* --db */
  int fatal;                      /* the engines failed: the run's row says so */
  struct metrics metrics;         /* --metrics: fed by the writer's observer */
  struct status_line status;
  const char *input_name;         /* for messages: the -i file, or "input" */
  uint64_t drain_ns;              /* after a stop signal, how long in-flight work may take */
  uint64_t start_ns, nmalloc_start;
  time_t start_time;
  int signal;                     /* the signal that stopped the scan, or 0 */
};

/* ---- options ------------------------------------------------------------------ */

static void run_options_init(struct run_options *o, int argc, char **argv) {
  memset(o, 0, sizeof(*o));
  long cores = sysconf(_SC_NPROCESSORS_ONLN);
  o->config.threads = cores > 0 ? (unsigned)cores : 1;
  o->config.shape_retry = 1;
  o->status = -1;
  o->identity = checkpoint_identity(argc, argv);
  o->argc = argc;
  o->argv = argv;
}

/* run_options_check refuses combinations of options no run can honour.
 * Returns 1 when |o| can run. */
static int run_options_check(const char *name, const struct run_options *o) {
  if (o->nshards > 1 && !o->seed_given) {
    /* A random seed per machine would split the targets differently on
     * each, and the parts would neither cover the whole nor be disjoint. */
    usage_error(name, "--shard needs --seed (the same on every part)");
    return 0;
  }
  if (o->db != NULL && o->resume != NULL && o->format != NULL &&
      strcmp(o->format, "jsonl") != 0) {
    /* A resumed run fills the database from the output's records written
     * before the checkpoint, which it reads back as JSON lines (the
     * default for a file). */
    usage_error(name, "--db with --resume needs --format jsonl");
    return 0;
  }
  if (o->resume != NULL && o->config.all_addresses) {
    /* A name's several records complete at different times; a checkpoint
     * could not say which of them reached the output. */
    usage_error(name, "--resume cannot be combined with --all-addresses");
    return 0;
  }
  return 1;
}

int run_options_read(const struct opt_command *cmd, int argc, char **argv, void *opts,
                     int *out_first, int *out_exit) {
  struct run_options *o = opts;
  run_options_init(o, argc, argv);
  options_defaults(cmd, opts);
  if (!options_parse(cmd, argc, argv, opts, out_first, out_exit)) {
    return 0;
  }
  if (!run_options_check(argv[0], o)) {
    *out_exit = 1;
    return 0;
  }
  if (o->format == NULL) {
    /* A person at a terminal reads the text view; a pipe or a file gets
     * JSON Lines, as it always has. */
    o->format = o->output == NULL && isatty(STDOUT_FILENO) ? "text" : "jsonl";
  }
  return 1;
}

int run_status_wanted(const struct run_options *o) {
  return !o->quiet && (o->status == 1 || (o->status == -1 && isatty(STDERR_FILENO)));
}

void fd_limit_raise(void) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

/* ---- the sink and signals ----------------------------------------------------- */

int run_out_put(struct run_out *out, const struct scan_result *r) {
  if (out->feed != NULL) {
    store_feed_put(out->feed, r);
  }
  return writer_put(out->writer, r);
}

int run_out_put_summary(struct run_out *out, const char *text, size_t len) {
  if (out->feed != NULL) {
    store_feed_put_text(out->feed, text, len);
  }
  return writer_put_summary(out->writer, text, len);
}

_Static_assert(POLICY_COUNT <= sizeof(((struct scan_stats *)0)->policy) /
                                   sizeof(((struct scan_stats *)0)->policy[0]),
               "scan_stats counts every policy");

/* count_policies adds the result's compliance verdicts (--policy) to the
 * summary's counts: compliant, not, unknown. */
static void count_policies(struct run *run, const struct scan_result *r) {
  int8_t verdicts[POLICY_COUNT];
  if (r->policies == 0 || !output_policy_verdicts(r, verdicts)) {
    return;
  }
  for (unsigned i = 0; i < POLICY_COUNT; i++) {
    if (r->policies & (1u << i)) {
      int k = verdicts[i] == 1 ? 0 : verdicts[i] == 0 ? 1 : 2;
      __atomic_fetch_add(&run->shared.stats.policy[i][k], 1, __ATOMIC_RELAXED);
    }
  }
}

/* run_result is the engines' sink: the command's hook, then the writer and
 * the database. */
static void run_result(void *ctx, const struct scan_result *r) {
  struct run *run = ctx;
  count_policies(run, r);
  if (run->hooks.result != NULL && run->hooks.result(run->hooks.ctx, &run->out, r)) {
    return;
  }
  if (r->status == STATUS_INVALID) {
    /* The record says it too; stderr tells the person running the scan. */
    const struct target_item *item = r->item;
    if (item->line_no > 0) {
      fprintf(stderr, "tlssweep: %s line %lu: %s\n", run->input_name, item->line_no, r->error);
    } else {
      fprintf(stderr, "tlssweep: argument %lu ('%.64s'): %s\n", item->arg_no, item->line.text,
              r->error);
    }
  }
  run_out_put(&run->out, r);
}

static int run_congested(void *ctx) {
  struct run *run = ctx;
  return writer_congested(&run->writer) ||
         (run->out.feed != NULL && store_feed_congested(run->out.feed));
}

/* Only for the signal handler, which cannot be given a context. */
static struct run *g_signal_run;
static volatile sig_atomic_t g_signal;

/* on_signal: the first SIGINT or SIGTERM stops new work and gives what is
 * in flight until the drain deadline; a second SIGINT stops at once. Either
 * way the engines return, the output is flushed and the summary printed. */
static void on_signal(int sig) {
  struct run *run = g_signal_run;
  if (run == NULL) {
    return;
  }
  if (run->shared.stop != 0 && sig == SIGINT) {
    run->shared.stop = 2;
    return;
  }
  g_signal = sig;
  run->shared.stop_deadline_ns = now_ns() + run->drain_ns; /* clock_gettime is signal-safe */
  run->shared.stop = 1;
}

/* ---- stages ---------------------------------------------------------------------- */

static int load_policy(struct run *run) {
  char err[512];
  if (!scan_policy_load(&run->policy, run->o->blocklist, run->o->allowlist, err, sizeof(err))) {
    fprintf(stderr, "tlssweep: %s\n", err);
    return 1;
  }
  run->config.policy = &run->policy;
  return 0;
}

static int load_trust_store(struct run *run) {
  const char *ca = run->o->ca_file;
  if (!run->config.confirm) {
    return 0;
  }
  if (!cert_verifier_init(&run->verifier, ca)) {
    fprintf(stderr, "tlssweep: cannot load the trust store%s%s\n", ca ? " " : "", ca ? ca : "");
    return 1;
  }
  run->have_verifier = 1;
  run->config.verifier = &run->verifier;
  return 0;
}

static int read_checkpoint(struct run *run) {
  const struct run_options *o = run->o;
  if (o->resume == NULL) {
    return 0;
  }
  /* A checkpoint describes an output file; standard output cannot be
   * truncated and appended to. */
  if (o->output == NULL || strcmp(o->output, "-") == 0) {
    fprintf(stderr, "tlssweep: --resume needs -o FILE\n");
    return 1;
  }
  char err[512];
  int rc = checkpoint_read(o->resume, &run->cp, err, sizeof(err));
  if (rc < 0) {
    fprintf(stderr, "tlssweep: --resume: %s\n", err);
    return 1;
  }
  if (rc == 1 && run->cp.identity != o->identity) {
    fprintf(stderr, "tlssweep: --resume: %s belongs to a scan with another command line; "
                    "run the same command, or remove it to start afresh\n", o->resume);
    return 1;
  }
  run->resumed = rc == 1;
  run->cp.identity = o->identity;
  return 0;
}

static int open_output(struct run *run) {
  const struct run_options *o = run->o;
  if (o->output == NULL || strcmp(o->output, "-") == 0) {
    run->out_fd = STDOUT_FILENO;
    return 0;
  }
  int flags = O_WRONLY | O_CREAT | O_CLOEXEC | (run->resumed ? O_APPEND : O_TRUNC);
  run->out_fd = open(o->output, flags, 0644);
  if (run->out_fd < 0) {
    fprintf(stderr, "tlssweep: cannot open output '%s': %s\n", o->output, strerror(errno));
    return 1;
  }
  run->close_fd = 1;
  if (!run->resumed) {
    return 0;
  }
  /* Records written after the checkpoint (and a torn last line) go: their
   * targets are not in the done set and are probed again. */
  struct stat st;
  if (fstat(run->out_fd, &st) != 0 || (uint64_t)st.st_size < run->cp.output_bytes ||
      ftruncate(run->out_fd, (off_t)run->cp.output_bytes) != 0) {
    fprintf(stderr, "tlssweep: --resume: output '%s' is shorter than its checkpoint says "
                    "(%llu bytes): was it changed?\n",
            o->output, (unsigned long long)run->cp.output_bytes);
    return 1;
  }
  fprintf(stderr, "tlssweep: resuming: %llu targets already done\n",
          (unsigned long long)run->cp.done.count);
  return 0;
}

static int open_store(struct run *run) {
  run->out.writer = &run->writer;
  run->out.feed = run_db_open(&run->db, run->o, run->resumed, run->cp.output_bytes);
  return 0;
}

/* random_seed picks a seed for a scan that was given none. */
static uint64_t random_seed(void) {
  uint64_t seed = 0;
  if (getrandom(&seed, sizeof(seed), 0) != (ssize_t)sizeof(seed)) {
    seed = now_ns() ^ ((uint64_t)getpid() << 32);
  }
  return seed;
}

static int set_up_order(struct run *run) {
  const struct run_options *o = run->o;
  /* The given seed, or the one a resumed scan used, or a new random one
   * (recorded in the checkpoint and the metadata). */
  run->seed = o->seed_given ? o->seed : run->resumed ? run->cp.seed : random_seed();
  run->cp.seed = run->seed;
  /* The checkpoint's own done set is the writer's once it starts; the feed
   * skips by a copy taken before the writer adds to it. */
  if (run->resumed && !done_set_copy(&run->skip, &run->cp.done)) {
    fprintf(stderr, "tlssweep: out of memory\n");
    return 2;
  }
  if (!permuter_init(&run->perm, run->source, run->seed, o->shard, o->nshards, o->window)) {
    fprintf(stderr, "tlssweep: cannot set up the target order (out of memory)\n");
    return 2;
  }
  return 0;
}

static void say_fitted(unsigned asked, uint64_t need, const struct rlimit *rl, unsigned fit) {
  fprintf(stderr,
          "tlssweep: -c %u needs about %llu file descriptors; the %s is %llu: running with -c %u\n",
          asked, (unsigned long long)need, rl->rlim_cur == rl->rlim_max ? "hard limit" : "limit",
          (unsigned long long)rl->rlim_cur, fit);
}

/* fit_concurrency lowers the concurrency to what the file limit allows.
 * Each engine's io_uring registers one file per connection slot, and the
 * kernel refuses a table larger than RLIMIT_NOFILE. The limit holds per
 * ring: connections are direct descriptors, outside the process's file
 * table, so the threads' tables do not add up (measured: under a limit of
 * 1,024, two threads with -c 1000 held 1,867 connections at once, and one
 * thread with -c 1030 could not start). A typed -c that does not fit is
 * said; the default (concurrency 0 here) is fitted quietly, since the user
 * asked for nothing that is being changed. */
static void fit_concurrency(struct scan_config *c) {
  int typed = c->concurrency != 0;
  if (!typed) {
    c->concurrency = CONCURRENCY_DEFAULT;
  }
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur == RLIM_INFINITY) {
    return;
  }
  uint64_t need = (uint64_t)c->concurrency + FD_MARGIN;
  if (need <= rl.rlim_cur) {
    return;
  }
  unsigned fit = rl.rlim_cur > 2 * FD_MARGIN ? (unsigned)(rl.rlim_cur - FD_MARGIN) : 1;
  if (c->bench.version == 0) {
    if (typed) {
      say_fitted(c->concurrency, need, &rl, fit);
    }
    c->concurrency = fit;
    return;
  }
  /* A bench's -c counts all threads together, and each thread has slots
   * for all of it: it changes only when all threads' slots are too few. */
  c->concurrency = fit;
  uint64_t total = (uint64_t)fit * c->threads;
  if (total < c->bench.concurrency) {
    say_fitted(c->bench.concurrency, need, &rl, (unsigned)total);
    c->bench.concurrency = (unsigned)total;
  }
}

static int permuter_next_fn(void *source, struct target_item *out) {
  return permuter_next(source, out);
}

static int share_state(struct run *run) {
  const struct run_options *o = run->o;
  fit_concurrency(&run->config);
  run->feed = (struct target_feed){
      .next = permuter_next_fn,
      .source = &run->perm,
      .skip = run->resumed ? &run->skip : NULL,
  };
  pthread_mutex_init(&run->feed.lock, NULL);
  rate_limiter_init(&run->limiter, run->config.rate);
  run->shared.config = &run->config;
  run->shared.feed = &run->feed;
  run->shared.limiter = &run->limiter;
  run->shared.polite = &run->polite;
  run->shared.sink = (struct scan_sink){.on_result = run_result, .congested = run_congested,
                                        .ctx = run};
  pthread_mutex_init(&run->shared.sink_lock, NULL);
  /* In-flight targets get one step's timeout (at least a second) to finish. */
  uint32_t step_ms = run->config.timeout_ms < 1000 ? 1000 : run->config.timeout_ms;
  run->drain_ns = (uint64_t)step_ms * 1000000u;
  run->input_name = o->input == NULL || strcmp(o->input, "-") == 0 ? "input" : o->input;
  run->start_ns = now_ns();
  run->start_time = time(NULL);
  run->nmalloc_start = jemalloc_nmalloc();
  unsigned n = run->config.threads;
  run->threads = calloc(n, sizeof(*run->threads));
  run->args = calloc(n, sizeof(*run->args));
  /* --per-host and --per-network count across all engine threads. */
  if (run->threads == NULL || run->args == NULL ||
      !politeness_init(&run->polite, n * engine_targets_per_thread(&run->config))) {
    fprintf(stderr, "tlssweep: out of memory\n");
    return 2;
  }
  return 0;
}

/* colour_wanted follows https://no-color.org: a NO_COLOR that is set and
 * not empty turns colour off. */
static int colour_wanted(int fd) {
  const char *no_color = getenv("NO_COLOR");
  return isatty(fd) && (no_color == NULL || no_color[0] == '\0');
}

static int start_writer(struct run *run) {
  const struct run_options *o = run->o;
  int header = !run->resumed || run->cp.output_bytes == 0;
  const struct output_format *fmt = output_format_find(o->format);
  if (fmt->on_terminal != NULL && colour_wanted(run->out_fd)) {
    fmt = fmt->on_terminal;
  }
  if (!writer_start(&run->writer, run->out_fd, fmt, WRITER_BOUND, header,
                    o->resume != NULL ? &run->cp : NULL, o->resume)) {
    fprintf(stderr, "tlssweep: cannot start the output writer: %s\n", strerror(errno));
    return 2;
  }
  if (o->metrics != NULL) {
    metrics_init(&run->metrics, o->argv[0], run->hooks.tenant_labels);
    run->writer.observe = metrics_observe;
    run->writer.observe_ctx = &run->metrics;
  }
  return 0;
}

/* estimate_total estimates, for the status line, the targets this run
 * hands to the engines: the source's estimate of the whole input, this
 * shard's share of it, less what a resumed scan skips as done before. */
static int estimate_total(void *ctx, uint64_t *out) {
  struct run *run = ctx;
  uint64_t all;
  /* The engines read the source under the feed's lock. */
  pthread_mutex_lock(&run->feed.lock);
  int ok = target_source_estimate(run->source, &all);
  pthread_mutex_unlock(&run->feed.lock);
  if (!ok) {
    return 0;
  }
  uint64_t mine = all / (run->o->nshards > 0 ? run->o->nshards : 1);
  uint64_t skipped = run->resumed ? run->skip.count : 0;
  *out = mine > skipped ? mine - skipped : 0;
  return 1;
}

static int catch_signals(struct run *run) {
  g_signal_run = run;
  struct sigaction sa = {.sa_handler = on_signal};
  sigaction(SIGINT, &sa, NULL);
  sigaction(SIGTERM, &sa, NULL);
  signal(SIGPIPE, SIG_IGN);
  if (run_status_wanted(run->o)) {
    struct status_progress progress = {.total = estimate_total, .ctx = run};
    status_start(&run->status, &run->shared, run->start_ns, &progress);
    if (run->status.started && isatty(run->out_fd) && isatty(STDERR_FILENO)) {
      /* Records and the line on one terminal: the writer steps around it. */
      writer_share_terminal(&run->writer, status_around_write, &run->status);
    }
  }
  return 0;
}

/* The stages in order; run->stage counts those done. */
enum run_stage {
  STAGE_POLICY = 1,
  STAGE_TRUST,
  STAGE_CHECKPOINT,
  STAGE_OUTPUT,
  STAGE_STORE,
  STAGE_ORDER,
  STAGE_SHARED,
  STAGE_WRITER,
  STAGE_SIGNALS,
};

static int (*const kStages[])(struct run *run) = {
    load_policy, load_trust_store, read_checkpoint, open_output, open_store,
    set_up_order, share_state, start_writer, catch_signals,
};

_Static_assert(sizeof(kStages) / sizeof(kStages[0]) == STAGE_SIGNALS, "a stage each");

/* run_setup runs the stages. Returns 0, or the exit status of the stage
 * that failed (it said why). */
static int run_setup(struct run *run) {
  for (size_t i = 0; i < sizeof(kStages) / sizeof(kStages[0]); i++) {
    int rc = kStages[i](run);
    if (rc != 0) {
      return rc;
    }
    run->stage = (int)i + 1;
  }
  return 0;
}

/* run_teardown undoes the stages done, last first. Returns 1, or 0 when
 * the output or the checkpoint could not be written (it said why). */
static int run_teardown(struct run *run) {
  int ok = 1;
  if (run->stage >= STAGE_SIGNALS) {
    status_stop(&run->status);
    run->signal = g_signal;
    g_signal_run = NULL;
    g_signal = 0;
  }
  if (run->stage >= STAGE_WRITER) {
    int werr = writer_finish(&run->writer);
    if (werr != 0) {
      fprintf(stderr, "tlssweep: writing output failed: %s\n", strerror(werr));
      ok = 0;
    }
    if (run->writer.cp_error != 0) {
      fprintf(stderr, "tlssweep: writing the checkpoint %s failed: %s\n", run->o->resume,
              strerror(run->writer.cp_error));
      ok = 0;
    }
  }
  if (run->stage >= STAGE_STORE) {
    /* A run whose set-up stopped short failed, as one whose output did. */
    run->out.feed = NULL;
    run_db_close(&run->db, ok && run->stage == STAGE_SIGNALS, run->signal != 0, run->fatal);
  }
  if (run->close_fd) {
    close(run->out_fd);
  }

  if (run->stage >= STAGE_SHARED) {
    politeness_free(&run->polite);
  }
  free(run->threads);
  free(run->args);
  if (run->stage >= STAGE_ORDER) {
    permuter_free(&run->perm);
  }
  done_set_free(&run->skip);
  done_set_free(&run->cp.done);
  if (run->have_verifier) {
    cert_verifier_free(&run->verifier);
  }
  if (run->stage >= STAGE_POLICY) {
    scan_policy_free(&run->policy);
  }
  return ok;
}

/* ---- running and reporting ------------------------------------------------------- */

static void *engine_thread(void *arg) {
  struct thread_arg *ta = arg;
  ta->rc = engine_run(ta->shared);
  return NULL;
}

/* run_engines runs the engine threads to their end, then lets the command
 * close the output. Returns 1, or 0 after a fatal error (reported). */
static int run_engines(struct run *run) {
  unsigned started = 0;
  int ok = 1;
  for (; started < run->config.threads; started++) {
    run->args[started].shared = &run->shared;
    int err = pthread_create(&run->threads[started], NULL, engine_thread, &run->args[started]);
    if (err != 0) {
      fprintf(stderr, "tlssweep: cannot start an engine thread: %s\n", strerror(err));
      ok = 0;
      break;
    }
  }
  for (unsigned i = 0; i < started; i++) {
    pthread_join(run->threads[i], NULL);
    int rc = run->args[i].rc;
    if (rc == -EOPNOTSUPP) {
      fprintf(stderr, "tlssweep: --source-ip needs io_uring's bind (Linux 6.11 or later)\n");
    } else if (rc < 0) {
      fprintf(stderr, "tlssweep: cannot set up io_uring: %s\n", strerror(-rc));
    }
    ok = ok && rc >= 0;
  }
  status_stop(&run->status);
  if (run->hooks.close_output != NULL && !run->hooks.close_output(run->hooks.ctx, &run->out)) {
    ok = 0;
  }
  return ok;
}

/* write_metrics writes the --metrics file of a run that ended: not after a
 * fatal error or a stop by a signal, whose figures would read as a whole
 * run's (the file keeps the last complete one, and its age shows it). A
 * failure is reported and changes nothing else: the records are complete
 * and the exit status stays the scan's. */
static void write_metrics(struct run *run, int fatal) {
  const char *path = run->o->metrics;
  if (fatal || run->signal != 0) {
    fprintf(stderr, "tlssweep: the run did not finish: metrics not written (%s keeps the last "
                    "complete run)\n", path);
    return;
  }
  struct outbuf text = {0};
  char err[512] = "out of memory";
  double secs = (double)(now_ns() - run->start_ns) / 1e9;
  if (run->metrics.out_of_memory ||
      !metrics_render(&run->metrics, secs, time(NULL), &text) ||
      !metrics_write(path, &text, err, sizeof(err))) {
    fprintf(stderr, "tlssweep: cannot write the metrics: %s (the records are complete; the exit "
                    "status is the scan's)\n", err);
  }
  outbuf_free(&text);
}

/* run_report tells how the scan went and gives its exit status. */
static int run_report(struct run *run, int fatal) {
  const struct run_options *o = run->o;
  const struct scan_shared *sh = &run->shared;
  const struct scan_stats *st = &sh->stats;
  if (run->signal != 0) {
    fprintf(stderr,
            "tlssweep: stopped by %s: %llu targets done, %llu in flight not finished, "
            "%llu read but not started%s\n",
            run->signal == SIGINT ? "SIGINT" : "SIGTERM",
            (unsigned long long)stat_load(&st->targets_done),
            (unsigned long long)stat_load(&sh->abandoned),
            (unsigned long long)stat_load(&sh->not_started),
            o->resume != NULL ? "; the same command with --resume goes on from here" : "");
  }
  if (run->hooks.summary != NULL) {
    run->hooks.summary(run->hooks.ctx, sh, run->start_ns);
  } else if (!o->quiet) {
    print_summary(sh, run->start_ns);
  }
  if (o->metadata != NULL) {
    struct scan_facts facts = {
        .options = o,
        .config = &run->config,
        .shared = sh,
        .seed = run->seed,
        .start_ns = run->start_ns,
        .start = run->start_time,
        .end = time(NULL),
        .signal = run->signal,
    };
    if (!write_metadata(o->metadata, &facts)) {
      fprintf(stderr, "tlssweep: cannot write the metadata to %s\n", o->metadata);
      fatal = 1;
    }
  }
  if (o->alloc_stats) {
    print_alloc_stats(jemalloc_nmalloc() - run->nmalloc_start, stat_load(&st->probes_done));
  }
  int rc = fatal ? 2 : stat_load(&st->status_count[STATUS_INVALID]) > 0 ? 1 : 0;
  if (run->hooks.finish != NULL) {
    rc = run->hooks.finish(run->hooks.ctx, sh, rc);
  }
  if (rc == 0 && run->db.failed) {
    rc = 5; /* the output is whole; the database is not */
  }
  if (rc == 0 && o->fail_on_legacy && stat_load(&st->legacy_app_targets) > 0) {
    rc = 3;
  }
  if (o->metrics != NULL) {
    write_metrics(run, fatal);
  }
  if (run->signal != 0) {
    rc = 128 + run->signal; /* as shells report a death by that signal */
  }
  return rc;
}

int run_scan(const struct run_options *o, struct target_source *source,
             const struct run_hooks *hooks) {
  struct run *run = calloc(1, sizeof(*run));
  if (run == NULL) {
    fprintf(stderr, "tlssweep: out of memory\n");
    return 2;
  }
  run->o = o;
  if (hooks != NULL) {
    run->hooks = *hooks;
  }
  run->source = source;
  run->config = o->config;
  run->out_fd = -1;
  done_set_init(&run->cp.done);
  done_set_init(&run->skip);
  int rc = run_setup(run);
  int fatal = rc == 0 && !run_engines(run);
  run->fatal = fatal;
  fatal = !run_teardown(run) || fatal;
  if (rc == 0) {
    rc = run_report(run, fatal);
  }
  metrics_free(&run->metrics);
  free(run);
  return rc;
}
