/* scanner/cli/scan.c: `tlssweep scan`, the scan of targets from the
 * arguments, -i FILE, or standard input.
 *
 * With no targets and standard input a terminal there is nothing to read:
 * the scan says so and runs the built-in lab instead, to show the tool at
 * work. An input that fails while it is read ends the input; the targets
 * read by then are scanned, and the exit status says 1. */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "scanner/cli/commands.h"
#include "scanner/cli/options.h"
#include "scanner/cli/run.h"

static const struct opt_command kScan = {
    .bit = CMD_SCAN,
    .synopsis = "[options] [target...]",
    .about =
        "Finds which TLS versions each target accepts, with version-pinned probes: one\n"
        "record per target (JSON Lines or CSV), a status line and a summary on stderr.\n"
        "Targets come from the arguments, -i FILE, or standard input.\n"
        "\n"
        "targets: 1.2.3.4  1.2.3.4:993  [2001:db8::1]:993  10.0.0.0/24  mail.example.com\n"
        "  mail.example.com:587  imaps://host  (implicit TLS: https imaps pop3s smtps\n"
        "  ftps ldaps tls; STARTTLS: smtp submission imap pop3 ftp ldap xmpp postgres)\n"
        "  optional fields after a target: sni=NAME label=TEXT; '#' starts a comment",
    .epilogue =
        "exit status: 0 done; 1 usage or input error (bad flags, unreadable input,\n"
        "invalid target lines: all other targets are still scanned); 2 fatal runtime\n"
        "error; 3 with --fail-on-legacy when an endpoint accepts TLS 1.0/1.1; 5 the\n"
        "output is complete but the --db database failed; 130/143 stopped by\n"
        "SIGINT/SIGTERM (a second SIGINT stops without waiting)",
};

int cmd_scan(int argc, char **argv) {
  struct run_options o;
  int first, rc;
  if (!run_options_read(&kScan, argc, argv, &o, &first, &rc)) {
    return rc;
  }
  FILE *in = NULL;
  int nargs = argc - first;
  if (o.input != NULL) {
    in = strcmp(o.input, "-") == 0 ? stdin : fopen(o.input, "r");
    if (in == NULL) {
      fprintf(stderr, "tlssweep: cannot open input '%s': %s\n", o.input, strerror(errno));
      return 1;
    }
  } else if (nargs == 0) {
    if (isatty(STDIN_FILENO)) {
      fprintf(stderr, "tlssweep: no targets given and standard input is a terminal: "
                      "running the built-in lab (tlssweep lab)\n");
      char *lab_argv[] = {"lab", NULL};
      return cmd_lab(1, lab_argv);
    }
    in = stdin;
  }
  struct target_source source;
  target_source_init(&source, argv + first, (size_t)nargs, in, &o.defaults);
  rc = run_scan(&o, &source, NULL);
  if (in != NULL && ferror(in)) {
    fprintf(stderr, "tlssweep: reading input failed\n");
    rc = rc == 0 ? 1 : rc;
  }
  target_source_free(&source);
  if (in != NULL && in != stdin) {
    fclose(in);
  }
  return rc;
}
