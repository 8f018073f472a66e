/* scanner/cli/run.h: one scan, from its settings to its exit status.
 *
 * run_scan takes a command's settings and a source of targets and runs the
 * scan in stages: load the block and allow lists and the trust store, read
 * the checkpoint and open the output, set up the target order, fit the
 * concurrency to the file-descriptor limit and share the engines' state,
 * start the writer, the status line and the engine threads, join them,
 * close the output, report. One teardown undoes every stage that was
 * reached, whichever failed. The run owns the engines' sink: each result
 * goes from the engine straight to the writer, past the hooks a command
 * installs (the lab checks each result, a tenants sweep relabels them), and
 * with --db also to the database's feed (scanner/store/feed.h), which
 * stores the same JSON lines on a thread of its own. A database that cannot
 * be opened or fails during the run is reported and left behind; the
 * output is written as ever, and the exit status is then 5. */
#ifndef SCANNER_CLI_RUN_H
#define SCANNER_CLI_RUN_H

#include <stddef.h>
#include <stdint.h>

#include "scanner/engine/engine.h"
#include "scanner/output/writer.h"
#include "scanner/store/feed.h"
#include "scanner/targets/target.h"

/* The settings of a run, filled by the option table (options.h). */
struct run_options {
  struct scan_config config;
  struct target_defaults defaults;
  const char *input;          /* -i FILE ("-": standard input), or NULL */
  const char *output;         /* -o FILE, or NULL ("-" too): standard output */
  const char *format;         /* --format; after run_options_read never NULL */
  int status;                 /* --status: 1; -1: when stderr is a terminal */
  int quiet;                  /* -q */
  int alloc_stats;            /* --alloc-stats */
  const char *resume;         /* --resume FILE: the checkpoint, or NULL */
  const char *metadata;       /* --metadata FILE, or NULL */
  const char *metrics;        /* --metrics FILE, or NULL */
  const char *db;             /* --db FILE: the SQLite history, or NULL */
  const char *blocklist;      /* --blocklist FILE, or NULL */
  const char *allowlist;      /* --allowlist FILE, or NULL */
  const char *ca_file;        /* --ca-file: the trust store, NULL: the system's */
  int seed_given;             /* --seed was given */
  uint64_t seed;
  uint32_t shard, nshards;    /* --shard I/N */
  size_t window;              /* --shuffle-window */
  int fail_on_legacy;         /* --fail-on-legacy: exit 3 when TLS 1.0/1.1 works */
  uint64_t identity;          /* hash of the command line, for checkpoints */
  int argc;                   /* the command line, for the metadata */
  char **argv;
};

/* CONCURRENCY_DEFAULT is -c when none is given: connections in flight per
 * thread. Internet targets spend most of a probe waiting on round trips and
 * timeouts, so the rate follows this number (bench/RESULTS.md, internet-like
 * mix on 2 cores: 1.8 million targets an hour at 1000, 6.5-6.9 million at
 * 10000, CPU-bound and slower at 20000). Slots and target states cost
 * memory as they are first used; a scan of one host takes 15 MiB at 10000
 * (the rings), 9 MiB at 1000. */
#define CONCURRENCY_DEFAULT 10000

/* Where a run's records go: the output's writer, and with --db the
 * database's feed (NULL without it, or once it could not be opened). */
struct run_out {
  struct writer *writer;
  struct store_feed *feed;
};

/* run_out_put writes |r| to the output and the database. Returns 1, or 0
 * when the output's memory ran short. */
int run_out_put(struct run_out *out, const struct scan_result *r);
/* run_out_put_summary writes summary records (JSON lines) to the output in
 * its format, and to the database. Returns 1, or 0 as above. */
int run_out_put_summary(struct run_out *out, const char *text, size_t len);

/* What a command adds to a run. Every member may be NULL (or 0). */
struct run_hooks {
  void *ctx;
  /* The records' labels name tenants: --metrics counts by them. */
  int tenant_labels;
  /* result sees each result before it is written (on an engine thread,
   * under the sink's lock). Returns 1 when it took the result, having
   * written what it wanted through |out|; 0 to have it written as it is. */
  int (*result)(void *ctx, struct run_out *out, const struct scan_result *r);
  /* close_output writes the last records once every result is in.
   * Returns 1, or 0 after reporting a failure (exit status 2). */
  int (*close_output)(void *ctx, struct run_out *out);
  /* summary replaces the summary on stderr, and is written even with -q. */
  void (*summary)(void *ctx, const struct scan_shared *sh, uint64_t start_ns);
  /* finish has the last word on the exit status |rc| (before
   * --fail-on-legacy and a stop by a signal). Returns the new status. */
  int (*finish)(void *ctx, const struct scan_shared *sh, int rc);
};

struct opt_command;

/* run_options_read fills |opts|, a scanning command's options struct (which
 * starts with struct run_options), from argv (argv[0] names the command):
 * what the option table does not set (zeros, one engine thread per core, a
 * status line when stderr is a terminal, retries of swallowed hellos, the
 * command line's identity), then the defaults of |cmd|, then the options.
 * Combinations no run can honour are usage errors. Returns 1 with
 * |*out_first| the first operand; 0 when the command is done, with
 * |*out_exit| its exit status (as options_parse). */
int run_options_read(const struct opt_command *cmd, int argc, char **argv, void *opts,
                     int *out_first, int *out_exit);

/* run_scan scans everything |source| yields. Returns the exit status: 0
 * done, 1 an input error (invalid target lines, an unreadable list), 2 a
 * fatal error, 3 legacy TLS with --fail-on-legacy, 5 the scan and its
 * output completed but the --db database failed, 128 + the signal that
 * stopped it. */
int run_scan(const struct run_options *o, struct target_source *source,
             const struct run_hooks *hooks);

/* run_status_wanted says whether |o| asks for a status line: --status, or
 * stderr a terminal, and not -q. */
int run_status_wanted(const struct run_options *o);

/* fd_limit_raise raises the soft RLIMIT_NOFILE to the hard limit: each
 * engine's io_uring registers one file per connection slot, and the kernel
 * holds that table to the soft limit (liburing raises it only as far as one
 * table needs, and nothing else does). */
void fd_limit_raise(void);

#endif /* SCANNER_CLI_RUN_H */
