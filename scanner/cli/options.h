/* scanner/cli/options.h: every option of every command, declared once.
 *
 * One table (options.c) gives each option its long and short name, the kind
 * of its argument and how it is checked, its default, its help line and the
 * commands that take it (a bitmask), as zmap's zopt.ggo does. getopt_long's
 * option array and short-option string, each command's --help, the defaults
 * a command starts from, the message for a bad value and the hidden
 * --list-options dump the cli test reads all come from that table; nothing
 * else lists options. Each command has its own options struct, which the
 * table fills through offsets: the scan, the lab and the tenants sweep share
 * struct run_options (run.h); the bench and the hello command extend it or
 * have their own, and the report has its own. */
#ifndef SCANNER_CLI_OPTIONS_H
#define SCANNER_CLI_OPTIONS_H

#include <stdint.h>
#include <stdio.h>

#include "scanner/cli/run.h"

/* A command's bit in the table's masks. */
enum command_bit {
  CMD_SCAN = 1u << 0,
  CMD_LAB = 1u << 1,
  CMD_TENANTS = 1u << 2,
  CMD_BENCH = 1u << 3,
  CMD_HELLO = 1u << 4,
  CMD_REPORT = 1u << 5,
  CMD_CHECK = 1u << 6,
  CMD_IMPORT = 1u << 7,
  CMD_DIFF = 1u << 8,
  CMD_HISTORY = 1u << 9,
};

/* tlssweep tenants: a scan's options and the sweep's own. */
struct tenants_options {
  struct run_options run;     /* first: the table's offsets for shared options */
  int dry_run;                /* --dry-run: print the endpoints, do not probe */
  const char *preset;         /* --preset NAME, or NULL */
};

/* tlssweep check: a tenants sweep's options (a scan's, --preset) and the
 * check's own; the condition lists are read by check.c. */
struct check_options {
  struct tenants_options tenants; /* first: the table's offsets for shared options */
  const char *tenant;             /* --tenant DOMAIN, or NULL */
  const char *critical_on;        /* --critical-on LIST */
  const char *warning_on;         /* --warning-on LIST */
};

/* tlssweep bench: a scan's options (the bench settings are in
 * run.config.bench) and the bench's own. */
struct bench_options {
  struct run_options run;     /* first, as above */
  uint32_t duration_s;        /* --duration */
  int json;                   /* --json: one JSON object at the end */
};

/* tlssweep hello: the shape of the hello to print. */
struct hello_options {
  int minimal;                /* --minimal */
  int modern;                 /* --modern: modern cipher suites */
  int fallback_scsv;          /* --fallback-scsv */
  int era_order;              /* --era-order: broad suites in their era's order */
  int key_share;              /* --key-share: TLS 1.3 with a key share */
};

/* --metadata files a report takes. */
#define REPORT_METADATA_FILES 16

/* tlssweep report: where the page goes and what it holds. */
struct report_options {
  const char *output;         /* -o FILE ("-": standard output) */
  const char *title;          /* --title, or NULL */
  uint32_t max_rows;          /* --max-rows */
  const char *metadata[REPORT_METADATA_FILES]; /* --metadata FILE, repeatable */
  size_t nmetadata;
  const char *db;             /* --db FILE: trends from the history database */
};

/* tlssweep import, diff and history: the database and how to show it. */
struct db_options {
  const char *db;             /* --db FILE */
  const char *metadata;       /* import --metadata FILE: one run for all files */
  const char *format;         /* diff, history: "text", "jsonl", or NULL: text on a terminal */
  const char *tenant;         /* history --tenant T */
  int tenants;                /* history --tenants: every tenant */
  const char *target;         /* history --target X */
};

/* A default a command sets apart from the table's (the lab's short timeout);
 * a list ends with {NULL, NULL}. */
struct opt_default {
  const char *name;           /* the option's long name */
  const char *value;          /* as it would be typed */
};

/* A command as its options see it. Its name is argv[0] of the command line
 * main.c hands it (tlssweep's own argv from the command's name on). */
struct opt_command {
  unsigned bit;               /* enum command_bit */
  const char *synopsis;       /* what follows "usage: tlssweep NAME " */
  const char *about;          /* --help before the options */
  const char *epilogue;       /* --help after the options, or NULL */
  const struct opt_default *defaults; /* NULL: the table's */
};

/* options_defaults fills |opts|, the command's options struct, with the
 * defaults of the options it takes: the table's, then the command's own.
 * Commands that scan start from a scan's defaults, so that settings they do
 * not offer (the bench's SNI, say) are a scan's. Fields no option sets, and
 * defaults the table cannot state (the number of cores), are the caller's,
 * set before. */
void options_defaults(const struct opt_command *cmd, void *opts);

/* options_parse reads the options of argv (argv[0] names the command) into
 * |opts|. Returns 1 with |*out_first| the index of the first operand once
 * every option is read; 0 when the command is done, with |*out_exit| the exit
 * status: 0 after --help, --version or --list-options, 1 after a bad option
 * (already reported). Long options must be typed in full. */
int options_parse(const struct opt_command *cmd, int argc, char **argv, void *opts,
                  int *out_first, int *out_exit);

/* options_help writes the --help of command |name| to |f|. */
void options_help(const struct opt_command *cmd, const char *name, FILE *f);

/* usage_error reports a usage error of command |name| and returns 1, the
 * exit status of one. */
__attribute__((format(printf, 2, 3)))
int usage_error(const char *name, const char *fmt, ...);

#endif /* SCANNER_CLI_OPTIONS_H */
