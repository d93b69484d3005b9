/* method_mpi.c — the `mpi` start method: the pool's workers are MPI ranks
 * that Open MPI's mpirun starts and places, one mpirun per pool, as an MPI
 * master/worker job is started. Rank 0 of the job is a relay
 * (pool/mpi/mpi_relay.c) that stands for the MPI master: it holds the pool's
 * pipes of every worker and forwards their frames as MPI messages to ranks
 * 1..N (worker i is rank i + 1), which serve them through the same worker
 * loop and codecs as every method (pool/mpi/worker_mpi_main.c). The harness
 * itself does not link MPI.
 *
 * Why mpirun and not MPI_Comm_spawn from the harness: Debian 12's Open MPI
 * 4.1.4 with its external PMIx 4.2 hangs in MPI_Comm_spawn now and then (a
 * spawned rank never leaves PMIx_Init; seen here within 2 to 15 spawns of
 * 4 ranks, with or without mpirun, and known upstream); a hung spawn cannot
 * be interrupted or recovered in the calling process, and a sweep starts a
 * pool per run. mpirun launches did not hang (README.md).
 *
 * The first launch of a pool starts `mpirun -n N+1 mpbench-worker-mpi
 * @SOCKET` (with --hostfile and the arguments of $MPBENCH_MPI_HOSTFILE and
 * $MPBENCH_MPI_ARGS, which --mpi-hostfile and --mpi-args set), waits for
 * the relay to connect to the pool's abstract unix socket, and every launch
 * hands its worker's pipe ends over it (mpi_launch.h). From there a worker
 * is a pair of pipes like any process method's: a rank that dies makes
 * mpirun end the whole job, every pipe closes, and the pool fails the point.
 * Ending a worker ends the job: mpirun is signalled and reaped, and the
 * worker's wait status is mpirun's.
 */
#include "method.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "method_proc.h"
#include "mpi_launch.h"
#include "selfpath.h"
#include "worker.h"
#include "worker_spec.h"

#ifndef MPB_MPI_WORKER_FROM_BIN
#define MPB_MPI_WORKER_FROM_BIN MPB_MPI_WORKER_NAME
#endif
/* How long mpirun gets to start the relay rank: far beyond a launch on a
 * loaded machine, short of a hang. */
#define CONNECT_GRACE_NS (120ull * 1000000000ull)
/* After SIGTERM, mpirun ends its job; if it has not within this, SIGKILL. */
#define TERM_GRACE_NS (5ull * 1000000000ull)
#define MAX_ARGS 64

extern char **environ;

/* One pool's mpirun job. */
struct group {
	const struct mpb_pool *pool;
	pid_t pid;            /* mpirun */
	int conn;             /* to the relay, until every worker's pipes are handed over */
	unsigned n, refs;
	uint64_t requested_ns;
	bool ended, termed;
	int status;           /* mpirun's wait status */
	int exit_rd;          /* read end of mpirun's exit pipe where there is no pidfd, else -1 */
};

/* Where mpirun holds its exit pipe (method_proc.h) when there is one. */
#define MPIRUN_EXIT_FD 3

static struct group *current; /* the pool being launched */

static int worker_path(char *path, size_t len, int code, struct mpb_diag *d)
{
	const char *env = getenv("MPBENCH_MPI_WORKER");
	if (env && *env) {
		if ((size_t)snprintf(path, len, "%s", env) >= len)
			return mpb_fail(d, code, "mpi: MPBENCH_MPI_WORKER is too long");
	} else {
		const char *rel[] = { MPB_MPI_WORKER_NAME, MPB_MPI_WORKER_FROM_BIN };
		size_t i = 0;
		for (; i < 2; i++)
			if (mpb_selfpath_join(rel[i], path, len) == 0 && access(path, X_OK) == 0)
				break;
		if (i == 2)
			return mpb_fail(d, code, "mpi: " MPB_MPI_WORKER_NAME " not found beside "
					"mpbench nor under its libexec (set MPBENCH_MPI_WORKER)");
	}
	if (access(path, X_OK) < 0)
		return mpb_fail_errno(d, code, errno, "mpi: worker executable %s", path);
	return 0;
}

/* Run as root, Open MPI refuses to start unless told twice: say so before
 * the first point rather than fail every one. */
static int check_root(struct mpb_diag *d)
{
	const char *a = getenv("OMPI_ALLOW_RUN_AS_ROOT");
	const char *b = getenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM");
	if (geteuid() != 0 || (a && strcmp(a, "1") == 0 && b && strcmp(b, "1") == 0))
		return 0;
	return mpb_fail(d, MPB_EINPUT, "-m mpi as root: Open MPI's mpirun needs "
			"OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 in the "
			"environment");
}

static const char *mpirun_path(void)
{
	const char *m = getenv("MPBENCH_MPIRUN");
	return m && *m ? m : "mpirun";
}

/* The command line: mpirun, its placement arguments, -n N+1, the worker and
 * the socket name. args holds the split copy of $MPBENCH_MPI_ARGS. */
static int build_argv(char **argv, char *args, const char *worker, const char *sock, char *np,
		      struct mpb_diag *d)
{
	size_t k = 0;
	argv[k++] = (char *)mpirun_path();
	/* like the other methods' workers: as many as asked, unpinned */
	argv[k++] = (char *)"--oversubscribe";
	argv[k++] = (char *)"--bind-to";
	argv[k++] = (char *)"none";
	const char *hf = getenv("MPBENCH_MPI_HOSTFILE");
	if (hf && *hf) {
		argv[k++] = (char *)"--hostfile";
		argv[k++] = (char *)hf;
	}
	char *save = NULL;
	for (char *t = args ? strtok_r(args, " \t\n", &save) : NULL; t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		if (k >= MAX_ARGS - 6)
			return mpb_fail(d, MPB_EINPUT, "mpi: --mpi-args has more than %d words",
					MAX_ARGS - 12);
		argv[k++] = t;
	}
	argv[k++] = (char *)"-n";
	argv[k++] = np;
	argv[k++] = (char *)worker;
	argv[k++] = (char *)sock;
	argv[k] = NULL;
	return 0;
}

/* Listen on a fresh abstract unix socket; its name, '@' for the leading NUL,
 * into name. */
static int listen_socket(char *name, size_t len, struct mpb_diag *d)
{
	static unsigned serial;
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return mpb_fail_errno(d, MPB_ERUN, errno, "mpi: socket");
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	snprintf(name, len, "@mpbench-mpi-%d-%u-%llx", (int)getpid(), serial++,
		 (unsigned long long)mpb_now_ns());
	size_t n = strlen(name);
	memcpy(a.sun_path + 1, name + 1, n - 1);
	socklen_t sl = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + n);
	if (bind(fd, (struct sockaddr *)&a, sl) < 0 || listen(fd, 1) < 0) {
		int e = errno;
		close(fd);
		return mpb_fail_errno(d, MPB_ERUN, e, "mpi: listening on %s", name);
	}
	return fd;
}

static int start_mpirun(struct group *g, const char *worker, const char *sock,
			struct mpb_diag *d)
{
	char np[16], *argv[MAX_ARGS];
	snprintf(np, sizeof np, "%u", g->n + 1);
	const char *extra = getenv("MPBENCH_MPI_ARGS");
	char *args = extra ? strdup(extra) : NULL;
	if (extra && !args)
		return mpb_fail(d, MPB_ENOMEM, "mpi: out of memory");
	int rc = build_argv(argv, args, worker, sock, np, d);
	/* where there is no pidfd, mpirun's exit closes a pipe (method_proc.h) */
	int ep[2] = { -1, -1 };
	if (rc == 0)
		rc = mpb_proc_exit_pipe(ep, 0, d);
	if (rc == 0 && ep[1] >= 0 && ep[1] <= MPIRUN_EXIT_FD) {
		int h = fcntl(ep[1], F_DUPFD_CLOEXEC, MPIRUN_EXIT_FD + 1);
		close(ep[1]);
		ep[1] = h;
		if (h < 0)
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "mpi: fcntl on the exit pipe");
	}
	posix_spawn_file_actions_t fa;
	int e = rc == 0 ? posix_spawn_file_actions_init(&fa) : 0;
	if (rc == 0 && e == 0) {
		/* mpirun forwards its stdin to rank 0: give it none */
		e = posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
		if (e == 0 && ep[1] >= 0)
			e = posix_spawn_file_actions_adddup2(&fa, ep[1], MPIRUN_EXIT_FD);
		if (e == 0)
			e = posix_spawnp(&g->pid, argv[0], &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (rc == 0 && e)
		rc = mpb_fail_errno(d, MPB_ERUN, e, "mpi: starting %s", argv[0]);
	mpb_proc_exit_pipe_close(&ep[1]);
	if (rc == 0)
		g->exit_rd = ep[0];
	else
		mpb_proc_exit_pipe_close(&ep[0]);
	free(args);
	return rc;
}

/* Wait for the relay to connect, or for mpirun to end first: woken by
 * either event (mpirun's pidfd or exit pipe); the poll's timeout only
 * bounds the wait. */
static int accept_relay(struct group *g, int lfd, struct mpb_diag *d)
{
	int pidfd = g->exit_rd >= 0 ? -1 : mpb_proc_pidfd(g->pid);
	int ended_fd = pidfd >= 0 ? pidfd : g->exit_rd;
	uint64_t until = mpb_now_ns() + CONNECT_GRACE_NS;
	int rc = 0;
	for (;;) {
		struct pollfd pf[2] = { { lfd, POLLIN, 0 }, { ended_fd, POLLIN, 0 } };
		int r = poll(pf, ended_fd >= 0 ? 2 : 1, 1000);
		if (r < 0 && errno != EINTR) {
			rc = mpb_fail_errno(d, MPB_ERUN, errno, "mpi: poll");
			break;
		}
		if (r > 0 && (pf[0].revents & POLLIN)) {
			g->conn = accept4(lfd, NULL, NULL, SOCK_CLOEXEC);
			if (g->conn < 0)
				rc = mpb_fail_errno(d, MPB_ERUN, errno, "mpi: accept");
			break;
		}
		int st;
		if (waitpid(g->pid, &st, WNOHANG) == g->pid) {
			g->ended = true;
			g->status = st;
			rc = mpb_fail(d, MPB_ERUN, "mpi: %s ended (%s %d) before its relay rank "
				      "connected: see its messages above", mpirun_path(),
				      WIFSIGNALED(st) ? "signal" : "status",
				      WIFSIGNALED(st) ? WTERMSIG(st) : WEXITSTATUS(st));
			break;
		}
		if (mpb_now_ns() > until) {
			rc = mpb_fail(d, MPB_ERUN, "mpi: the relay rank did not connect within %llu s",
				      CONNECT_GRACE_NS / 1000000000ull);
			break;
		}
	}
	if (pidfd >= 0)
		close(pidfd);
	return rc;
}

/* End the job: SIGTERM (mpirun ends its ranks), SIGKILL if it lingers. */
static void end_job(struct group *g, bool block)
{
	if (g->ended)
		return;
	if (!g->termed) {
		kill(g->pid, SIGTERM);
		g->termed = true;
	}
	uint64_t until = mpb_now_ns() + TERM_GRACE_NS;
	int st;
	for (;;) {
		pid_t r = waitpid(g->pid, &st, block ? 0 : WNOHANG);
		if (r == g->pid || (r < 0 && errno == ECHILD)) {
			g->ended = true;
			g->status = r == g->pid ? st : MPB_WAIT_STATUS_UNKNOWN;
			return;
		}
		if (!block || r != 0 || mpb_now_ns() > until)
			break;
	}
	if (block) {
		kill(g->pid, SIGKILL);
		while (waitpid(g->pid, &st, 0) < 0 && errno == EINTR)
			;
		g->ended = true;
		g->status = st;
	}
}

static void group_free(struct group *g)
{
	if (g->conn >= 0)
		close(g->conn);
	mpb_proc_exit_pipe_close(&g->exit_rd);
	if (!g->ended)
		end_job(g, true);
	if (current == g)
		current = NULL;
	free(g);
}

static int start_group(struct mpb_pool *p, uint64_t requested_ns, struct mpb_diag *d)
{
	char worker[PATH_MAX], sock[108];
	int rc = worker_path(worker, sizeof worker, MPB_ERUN, d);
	if (rc < 0)
		return rc;
	struct group *g = calloc(1, sizeof *g);
	if (!g)
		return mpb_fail(d, MPB_ENOMEM, "mpi: out of memory");
	g->pool = p;
	g->n = mpb_pool_workers(p);
	g->conn = -1;
	g->exit_rd = -1;
	g->requested_ns = requested_ns;
	int lfd = listen_socket(sock, sizeof sock, d);
	if (lfd < 0) {
		free(g);
		return lfd;
	}
	rc = start_mpirun(g, worker, sock, d);
	if (rc == 0)
		rc = accept_relay(g, lfd, d);
	close(lfd);
	if (rc < 0) {
		if (g->pid > 0)
			group_free(g);
		else
			free(g);
		return rc;
	}
	current = g;
	return 0;
}

static int mpi_prepare(struct mpb_diag *d)
{
	char path[PATH_MAX];
	int rc = worker_path(path, sizeof path, MPB_EINPUT, d);
	return rc < 0 ? rc : check_root(d);
}

static int mpi_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	if (!current || current->pool != p || s->index == 0) {
		current = NULL; /* a group lives on in its slots until they are reaped */
		int rc = start_group(p, s->requested_ns, d);
		if (rc < 0)
			return rc;
	}
	struct group *g = current;
	if (s->index >= g->n || g->conn < 0)
		return mpb_fail(d, MPB_ERUN, "mpi: worker %u is not in the job", s->index);
	int e = mpb_mpi_launch_send(g->conn, s->index, s->child_in, s->child_out);
	if (e < 0)
		return mpb_fail_errno(d, MPB_ERUN, -e, "mpi: handing worker %u to the relay rank",
				      s->index);
	g->refs++;
	s->method_data = g;
	s->pid = g->pid;
	/* each slot waits on mpirun's exit: its pidfd, or a copy of the pipe */
	if (g->exit_rd >= 0 && (s->exit_fd = fcntl(g->exit_rd, F_DUPFD_CLOEXEC, 0)) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "mpi: fcntl on the exit pipe");
	/* all of the pool's workers were asked for at once */
	s->requested_ns = g->requested_ns;
	close(s->child_in);
	close(s->child_out);
	s->child_in = s->child_out = -1;
	if (s->index + 1 == g->n) { /* every worker's pipes are over */
		close(g->conn);
		g->conn = -1;
	}
	struct mpb_worker_args a;
	mpb_pool_worker_args(p, s, &a);
	return mpb_worker_spec_put_hello(&a, (uint64_t)getpid(), &s->out, d);
}

static void slot_ended(struct mpb_slot *s, struct group *g)
{
	s->ended = true;
	s->wait_status = g->status;
	s->method_data = NULL;
	if (--g->refs == 0)
		group_free(g);
}

static int mpi_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	(void)d;
	struct group *g = s->method_data;
	if (s->ended)
		return 1;
	if (!g) {
		s->ended = true;
		return 1;
	}
	if (!g->ended && block && g->termed) {
		end_job(g, true); /* bounded: SIGKILL after TERM_GRACE_NS */
	} else if (!g->ended) {
		int st;
		pid_t r;
		while ((r = waitpid(g->pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
			;
		if (r == 0)
			return 0;
		g->ended = true;
		g->status = r == g->pid ? st : MPB_WAIT_STATUS_UNKNOWN;
	}
	slot_ended(s, g);
	return 1;
}

static int mpi_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns,
		    struct mpb_diag *d)
{
	(void)p;
	struct group *g = s->method_data;
	if (s->ended || !g || g->ended)
		return 0;
	return mpb_proc_wait(s, until_ns, d); /* s->pid is mpirun's */
}

static void mpi_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	struct group *g = s->method_data;
	if (g && !s->ended)
		end_job(g, false);
}

const struct mpb_method_ops mpb_method_mpi = {
	.name = "mpi",
	.summary = "MPI ranks of mpbench-worker-mpi from one mpirun per pool (Open MPI); rank 0 "
		   "relays tasks as MPI messages",
	.launch_call = "mpirun",
	.floor = MPB_METHOD_FLOOR_MPI,
	.transport = &mpb_transport_pipe,
	.prepare = mpi_prepare,
	.launch = mpi_launch,
	.reap = mpi_reap,
	.wait = mpi_wait,
	.kill = mpi_kill,
};
