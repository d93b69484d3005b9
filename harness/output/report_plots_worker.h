/* report_plots_worker.h — internal to `mpbench report`: the plots of one
 * or two figures per point against workers (report_plots_worker.c). */
#ifndef MPB_REPORT_PLOTS_WORKER_H
#define MPB_REPORT_PLOTS_WORKER_H

#include "report_model.h"

enum mpb_rp_pw {
	MPB_RP_CTXSW,   /* context switches of the workers per task: voluntary, involuntary */
	MPB_RP_IPC,     /* instructions per cycle */
	MPB_RP_FLOORS,  /* start-up and teardown per worker over the machine's floor */
};

/* Write plot p (its name is the kind's: ctxsw, ipc, floors), or leave it
 * out with the reason. 0 or a negative MPB_E* code. */
int mpb_rp_plot_per_worker(struct mpb_rp_ctx *c, struct mpb_report_plot *p, enum mpb_rp_pw kind);

#endif
