/* cmd_run.h — run one external command and measure it from outside, for the
 * `cmd` workload.
 *
 * The command runs in a process group of its own (so a timeout or an
 * interrupt reaches its whole tree and the terminal's Ctrl-C does not),
 * with stdin and stdout on /dev/null, stderr captured (its tail is kept) and
 * the MPBENCH_FD channel open (fdchan.h). It is held between fork and exec
 * until its counters are open, so they count from exec on. Measured:
 *  - wall: release of the command (just before exec) → the command's own
 *    process reaped;
 *  - rusage of the whole tree: the RUSAGE_CHILDREN difference across the
 *    run, which covers the command and every descendant reaped (the harness
 *    is a child subreaper during the run, so orphans are reaped here too);
 *  - perf counters opened on the command with inheritance: every process and
 *    thread it creates is counted, folded in as they exit.
 * The harness wakes on the command's exit itself, never on a timer: its
 * pidfd, or where none can be had, the pipe of a reaper process that is the
 * command's parent and reports its end (cmd_reaper.h).
 * When the command's own process has exited, whatever is left of its process
 * group is killed and reaped: no process is left behind. A timeout (or the
 * stop flag) kills the whole group with SIGKILL and reaps it. Processes that
 * leave the group (setsid, setpgid) are out of reach of the group kill.
 * Nothing here prints. */
#ifndef MPB_CMD_RUN_H
#define MPB_CMD_RUN_H

#include <signal.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "counters.h"
#include "diag.h"
#include "fdchan.h"

#define MPB_CMD_STDERR_TAIL 2048

struct mpb_cmd_job {
	char *const *argv;                     /* argv[0] is looked up in PATH */
	double timeout_s;                      /* 0: none */
	const struct mpb_counter_plan *counters; /* NULL or empty: none */
	volatile sig_atomic_t *stop_flag;      /* optional */
	/* optional, NULL-terminated "NAME=VALUE" entries that are added to the
	 * command's environment, replacing ours of the same name */
	char *const *env_extra;
};

/* The command's tree, from rusage. */
struct mpb_cmd_tree {
	uint64_t user_ns, system_ns, maxrss_bytes;
	uint64_t minflt, majflt, nvcsw, nivcsw;
};

struct mpb_cmd_result {
	uint64_t wall_ns;
	pid_t pid;                 /* the command's process (and its group) */
	bool exited;               /* exited normally: exit_status is valid */
	int exit_status;
	int term_signal;           /* the signal that ended it, 0 when it exited */
	bool timed_out;            /* killed by the timeout */
	unsigned escaped;          /* descendants that outlived it outside its group, killed */
	unsigned wakeups;          /* the run's sleeps that ended (output, exec, exit, timeout) */
	struct mpb_cmd_tree tree;
	struct mpb_counts counts;  /* per plan event; n = 0 without a plan */
	char stderr_tail[MPB_CMD_STDERR_TAIL + 1]; /* the last bytes it wrote on stderr */
	uint64_t stderr_bytes;     /* all it wrote */
	struct mpb_fdchan chan;    /* what it reported on MPBENCH_FD (owned) */
};

/* Run the job once into *r (r->chan must be freed with mpb_cmd_result_free
 * whatever the return). Returns 0 when the command exited with status 0;
 * -MPB_ERUN when it could not be started, exited non-zero, was killed by a
 * signal, timed out, or left descendants running outside its process group
 * (the message says which, with its stderr's tail; *r is filled);
 * -MPB_EINTR when the stop flag rose; -MPB_ESYS / -MPB_ENOMEM. Every process
 * of the group, and every descendant that left it (setsid) and outlived the
 * command, is killed and reaped before it returns: mpbench is their
 * subreaper during the run. (A SIGKILL of mpbench itself kills the command
 * through PR_SET_PDEATHSIG, but not what the command started: nothing can
 * act for a process killed outright.) */
int mpb_cmd_run(const struct mpb_cmd_job *job, struct mpb_cmd_result *r, struct mpb_diag *d);
void mpb_cmd_result_free(struct mpb_cmd_result *r);

/* Whether argv0 names an executable file, directly (with a '/') or through
 * PATH; 0 or -MPB_EINPUT naming it (`what` is the option, e.g. "--cmd"). */
int mpb_cmd_check_executable(const char *argv0, const char *what, struct mpb_diag *d);

#endif
