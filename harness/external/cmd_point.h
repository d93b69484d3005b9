/* cmd_point.h — the `cmd` workload in a sweep: its options (--cmd,
 * --baseline-cmd, --shell, --timeout) checked up front, and the runner
 * (runner.h) that makes one run of a point or of a serial baseline as the
 * driver schedules them.
 *
 * A point's run substitutes the point's workers, size, method, chunk size
 * and tasks into --cmd and runs it (cmd_run.h); its sample has the command's
 * wall time, the phase timings it reported on MPBENCH_FD (startup_ns, map_ns,
 * teardown_ns, compute_ns, serialize_ns as codec_parent_ns, ...; 0 when not
 * reported), its tree's rusage and inherited counters as the harness scope,
 * and the whole record under the run's "cmd" key. With --instrument python
 * a point's run is measured from inside too (pyinstr.h, pyrecord.h): the
 * first process pool's phases, pickling and workers replace what the
 * command reported, and the record gets a "python" key. The serial baseline of
 * (size, tasks) runs --baseline-cmd, or --cmd with {workers}=1, the other
 * placeholders taken from the first point it serves. Nothing here prints. */
#ifndef MPB_CMD_POINT_H
#define MPB_CMD_POINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "diag.h"
#include "options.h"
#include "plan.h"
#include "runner.h"

struct mpb_cmd_spec {
	const char *tmpl;          /* --cmd; NULL: the sweep has no cmd workload */
	const char *baseline_tmpl; /* --baseline-cmd; NULL: tmpl with {workers}=1 */
	bool shell;
	double timeout_s;          /* --timeout: one run's limit, 0 none */
	bool instrument_python;    /* --instrument python (pyinstr.h) */
};

/* From the parsed options, before the plan is built: --cmd makes the
 * workload `cmd` (-w may then only say cmd); -w cmd needs --cmd; the
 * templates must parse; --instrument is none, or python with --cmd. 0 or -MPB_EINPUT naming the option and position. */
int mpb_cmd_spec_from(struct mpb_config *cfg, struct mpb_cmd_spec *spec, struct mpb_diag *d);

/* After the plan is built: the program of every point's and baseline's
 * command line exists and is executable, and no chunk size is `auto` (sized
 * inside mpbench's pool, which a command does not use). 0 or -MPB_EINPUT. */
int mpb_cmd_spec_check_plan(const struct mpb_cmd_spec *spec, const struct mpb_plan *plan,
			    struct mpb_diag *d);

/* The runner of a sweep with --cmd (runner.h; its context is spec, which
 * must outlive the sweep), or NULL without --cmd (the native pool runs it).
 * Its point run's sample owns a new "cmd" record; a run fails with the
 * negative code of mpb_cmd_run and its message. */
const struct mpb_runner_ops *mpb_cmd_spec_runner(const struct mpb_cmd_spec *spec);

#endif
