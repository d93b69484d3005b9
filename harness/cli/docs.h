/* docs.h — the man page and the bash and zsh completions, written from the
 * same tables as --help: the command table (cli.c) and the option table
 * (plan/options.c). The build runs them through mpbench-gendoc
 * (gendoc_main.c) and installs what they write, so a new option or command
 * reaches all three without a second list to keep up.
 */
#ifndef MPB_DOCS_H
#define MPB_DOCS_H

#include <stdio.h>

#include "diag.h"

/* mpbench.1 in roff (man(7) macros): every command with its options. */
int mpb_docs_man(FILE *f, struct mpb_diag *d);

/* A bash completion script: commands, each command's options, and the
 * values an option lists (json|csv|md) or files where it takes one. */
int mpb_docs_bash(FILE *f, struct mpb_diag *d);

/* A zsh completion function (_mpbench) with the same content. */
int mpb_docs_zsh(FILE *f, struct mpb_diag *d);

/* One line per (command, option): "COMMAND\t--NAME\t-S" (the short form, or
 * "-" when none), for tests that hold the other outputs against the table. */
int mpb_docs_options(FILE *f, struct mpb_diag *d);

#endif
