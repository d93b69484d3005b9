/* cli.h — the command table and its dispatcher (cli.c). `mpbench help`,
 * `mpbench COMMAND --help` and dispatch walk the same table; the commands
 * themselves are the builtin_*.c files (builtin.h). */
#ifndef MPB_CLI_H
#define MPB_CLI_H

#include <stddef.h>

#include "diag.h"

struct mpb_cli_command;

/* Run the command line; returns 0 or a negative MPB_E* code with d set. The
 * only output before it returns is the command's own (tables, listings). */
int mpb_cli_main(int argc, char **argv, struct mpb_diag *d);

/* The width of what goes to fd (help on stdout, progress on stderr):
 * $COLUMNS when it is a number, else the terminal's, else 80. */
size_t mpb_cli_width(int fd);

/* The command table, in the order `mpbench help` lists it; *n its length. */
const struct mpb_cli_command *mpb_cli_commands(size_t *n);

#endif
