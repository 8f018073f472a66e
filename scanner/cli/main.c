/* scanner/cli/main.c: the tlssweep command line: which command runs.
 *
 * kCommands names the commands (scan, lab, tenants, bench, hello, report,
 * check, import, diff, history),
 * the function that runs each, and the line `tlssweep --help` gives it.
 * Each command reads its own options from the table in options.c and
 * answers its own --help; everything here is the dispatch, the general
 * usage and --version. All settings are passed down in each command's
 * options struct; there is no global configuration. Exit status: 0 done,
 * 1 usage or input error, 2 fatal runtime error, 3 with --fail-on-legacy
 * when TLS 1.0/1.1 works somewhere, 4 from diff when something got worse,
 * 5 when the scan and its output completed but the --db database failed,
 * 128 + the signal that stopped a scan. */
#include <stdio.h>
#include <string.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/report.h"
#include "scanner/cli/run.h"

static const struct {
  const char *name;
  int (*run)(int argc, char **argv);
  const char *summary;
} kCommands[] = {
    {"scan", cmd_scan, "scan targets from arguments, -i FILE, or standard input"},
    {"lab", cmd_lab, "start the built-in loopback lab and scan it"},
    {"tenants", cmd_tenants, "find mail domains' endpoints, scan each once, one verdict a tenant"},
    {"bench", cmd_bench, "full handshakes per second against one endpoint"},
    {"hello", cmd_hello, "print the ClientHello sent for a version, as hex"},
    {"report", cmd_report, "one self-contained HTML page from results files"},
    {"check", cmd_check, "a monitoring plugin: one status line and perfdata, exit 0-3"},
    {"import", cmd_import, "store JSON Lines files of earlier runs in a --db database"},
    {"diff", cmd_diff, "what got worse or better between two runs (exit 4: worse)"},
    {"history", cmd_history, "the runs of a --db database as time series"},
};

static void usage(FILE *f) {
  fputs("usage: tlssweep <command> [options]\n"
        "\n"
        "Finds which TLS versions (SSLv3, TLS 1.0, 1.1, 1.2, 1.3) each endpoint accepts,\n"
        "with version-pinned probes, one JSON line per target.\n"
        "\n"
        "commands:\n",
        f);
  for (size_t i = 0; i < sizeof(kCommands) / sizeof(kCommands[0]); i++) {
    fprintf(f, "  %-9s %s\n", kCommands[i].name, kCommands[i].summary);
  }
  fputs("\n"
        "tlssweep <command> --help gives a command's options; tlssweep --version the\n"
        "version and the allocator.\n"
        "\n"
        "exit status: 0 done; 1 usage or input error; 2 fatal runtime error; 3 with\n"
        "--fail-on-legacy when an endpoint accepts TLS 1.0/1.1; 4 diff: something got\n"
        "worse; 5 the scan's output is complete but its --db database failed; 128 + N\n"
        "stopped by signal N\n",
        f);
}

int main(int argc, char **argv) {
  fd_limit_raise();
  if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
    usage(stdout);
    return 0;
  }
  if (strcmp(argv[1], "--version") == 0) {
    print_version();
    return 0;
  }
  for (size_t i = 0; i < sizeof(kCommands) / sizeof(kCommands[0]); i++) {
    if (strcmp(argv[1], kCommands[i].name) == 0) {
      return kCommands[i].run(argc - 1, argv + 1);
    }
  }
  fprintf(stderr, "tlssweep: unknown command '%s'\n\n", argv[1]);
  usage(stderr);
  return 1;
}
