/* scanner/cli/commands.h: the commands main.c dispatches to.
 *
 * Each takes the command line from its own name on (argv[0] is "scan",
 * "lab", ...) and returns the exit status. Their options are in options.h;
 * the scanning commands run through run.h. */
#ifndef SCANNER_CLI_COMMANDS_H
#define SCANNER_CLI_COMMANDS_H

/* cmd_scan: scan targets from arguments, -i FILE or standard input. */
int cmd_scan(int argc, char **argv);
/* cmd_lab: start the built-in loopback lab and scan it, checking each verdict. */
int cmd_lab(int argc, char **argv);
/* cmd_tenants: discover mail domains' endpoints, scan each once, one verdict
 * per tenant. */
int cmd_tenants(int argc, char **argv);
/* cmd_bench: full handshakes per second against one endpoint. */
int cmd_bench(int argc, char **argv);
/* cmd_import: store JSON Lines files of earlier runs in a database. */
int cmd_import(int argc, char **argv);
/* cmd_diff: what changed between two runs, worse first. */
int cmd_diff(int argc, char **argv);
/* cmd_history: the time series of the runs in a database. */
int cmd_history(int argc, char **argv);
/* cmd_hello: print the ClientHello of a pinned version, as hex. */
int cmd_hello(int argc, char **argv);
/* cmd_report: one self-contained HTML page from results files. */
int cmd_report(int argc, char **argv);
/* cmd_check: a monitoring plugin: one status line with performance data,
 * exit 0 OK, 1 WARNING, 2 CRITICAL, 3 UNKNOWN. */
int cmd_check(int argc, char **argv);

#endif /* SCANNER_CLI_COMMANDS_H */
