/* forkserver.h — the forkserver process and its wire protocol, used by the
 * `forkserver` start method (method_forkserver.c).
 *
 * The server is a fork of the harness taken early, while the harness is still
 * small and single-threaded; later workers are forks of the server, so their
 * start cost does not grow with the harness. Harness and server talk over a
 * SOCK_SEQPACKET unix socket pair: one message per datagram, in order.
 *
 *   harness → server  u32 MPB_FS_START and the worker's spec (worker_spec.h)
 *                     + 2 descriptors (SCM_RIGHTS): the worker's input and
 *                     output ends of its pipes, and a third, its transport
 *                     channel, when the spec's transport shares state
 *                     (transport.h)
 *   server → harness  MPB_FS_SPAWNED {pid} or MPB_FS_FAILED {err, msg}, one
 *                     per request, in request order; MPB_FS_EXITED {pid, wait
 *                     status, rusage} whenever the server reaps a worker.
 *
 * The server dies with the harness (PR_SET_PDEATHSIG) and its workers die with
 * the server. When the harness closes its end the server kills and reaps
 * every worker it still has, then exits 0.
 */
#ifndef MPB_FORKSERVER_H
#define MPB_FORKSERVER_H

/* The server's process name (/proc/PID/comm, at most 15 characters). */
#define MPB_FORKSERVER_COMM "mpb-forkserver"

#include <stdint.h>
#include <sys/resource.h>
#include <sys/types.h>

#include "counters.h"
#include "diag.h"
#include "worker_spec.h"

/* Largest request datagram: the kind and a spec with the longest names and
 * counter plan, with room to spare. */
#define MPB_FS_REQUEST_MAX (1024u + MPB_COUNTERS_PLAN_TEXT_MAX)

enum mpb_fs_kind {
	MPB_FS_START = 1,    /* request: fork a worker */
	MPB_FS_SPAWNED = 2,  /* reply: pid */
	MPB_FS_FAILED = 3,   /* reply: err (an errno, or 0) and msg */
	MPB_FS_EXITED = 4,   /* notice: pid, status, ru */
};

struct mpb_fs_msg {
	uint32_t kind;       /* MPB_FS_SPAWNED, _FAILED or _EXITED */
	int32_t pid;
	int32_t status;      /* EXITED: the wait status */
	int32_t err;         /* FAILED: errno, or 0 */
	struct rusage ru;    /* EXITED: the worker's whole life, from wait4 */
	char msg[160];       /* FAILED: why, NUL-terminated */
};

/* Fork the server. On success *pid is its pid (a child of the caller, which
 * must waitpid it) and *sock the caller's end of the socket (close-on-exec).
 * 0 or negative with d set. */
int mpb_forkserver_start(pid_t *pid, int *sock, struct mpb_diag *d);

/* Ask for a worker as spec says, to run on in_fd and out_fd and on chan_fd,
 * its transport channel (< 0: none). The caller keeps its copies. 0, or
 * -MPB_ERUN when the server is gone (EPIPE, ECONNRESET), -MPB_EINPUT when
 * the spec does not encode, or another negative code. */
int mpb_forkserver_send(int sock, const struct mpb_worker_spec *spec, int in_fd, int out_fd,
			int chan_fd, struct mpb_diag *d);

/* Receive one message, waiting up to timeout_ms (0: only what is queued).
 * 1 with *m filled; 0 when nothing came in time or a signal interrupted the
 * wait; -MPB_ERUN when the server closed its end or sent garbage; another
 * negative code on other errors. */
int mpb_forkserver_recv(int sock, int timeout_ms, struct mpb_fs_msg *m, struct mpb_diag *d);

#endif
