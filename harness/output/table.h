/* table.h — the console table of a sweep: one line per point. */
#ifndef MPB_TABLE_H
#define MPB_TABLE_H

#include <stdio.h>

#include "dataset.h"

void mpb_table_print(FILE *f, const struct mpb_dataset *s);

#endif
