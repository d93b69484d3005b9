/* cli.h — the command table (sweep, run, info, list) and its dispatcher.
 * `mpbench help`, per-command --help and dispatch walk the same table. */
#ifndef MPB_CLI_H
#define MPB_CLI_H

#include "diag.h"

/* Run the command line; returns 0 or a negative MPB_E* code with d set. The
 * only output before it returns is the command's own (tables, listings). */
int mpb_cli_main(int argc, char **argv, struct mpb_diag *d);

#endif
