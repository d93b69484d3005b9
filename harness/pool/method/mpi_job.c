/* mpi_job.c — one mpirun job of mpbench-worker-mpi (see mpi_job.h). */
#include "mpi_job.h"

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
#include <unistd.h>

#include "clock.h"
#include "method.h"
#include "method_proc.h"
#include "mpi_launch.h"
#include "selfpath.h"

#ifndef MPB_HAVE_MPI
#define MPB_HAVE_MPI 0
#endif
#ifndef MPB_MPI_WORKER_FROM_BIN
#define MPB_MPI_WORKER_FROM_BIN MPB_MPI_WORKER_NAME
#endif
/* How long mpirun gets to start rank 0: far beyond a launch on a loaded
 * machine, short of a hang. */
#define CONNECT_GRACE_NS (120ull * 1000000000ull)
/* After SIGTERM, mpirun ends its job; if it has not within this, SIGKILL. */
#define TERM_GRACE_NS (5ull * 1000000000ull)
#define MAX_ARGS 64
/* Where mpirun holds its exit pipe (method_proc.h) when there is one. */
#define MPIRUN_EXIT_FD 3

extern char **environ;

bool mpb_mpi_job_built(void)
{
	return MPB_HAVE_MPI;
}

int mpb_mpi_job_worker(char *path, size_t len, int code, struct mpb_diag *d)
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

int mpb_mpi_job_check_root(struct mpb_diag *d)
{
	const char *a = getenv("OMPI_ALLOW_RUN_AS_ROOT");
	const char *b = getenv("OMPI_ALLOW_RUN_AS_ROOT_CONFIRM");
	if (geteuid() != 0 || (a && strcmp(a, "1") == 0 && b && strcmp(b, "1") == 0))
		return 0;
	return mpb_fail(d, MPB_EINPUT, "-m mpi as root: Open MPI's mpirun needs "
			"OMPI_ALLOW_RUN_AS_ROOT=1 and OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 in the "
			"environment");
}

const char *mpb_mpi_job_mpirun(void)
{
	const char *m = getenv("MPBENCH_MPIRUN");
	return m && *m ? m : "mpirun";
}

void mpb_mpi_job_status_words(int st, char *buf, size_t len)
{
	if (WIFSIGNALED(st))
		snprintf(buf, len, "signal %d", WTERMSIG(st));
	else if (WIFEXITED(st))
		snprintf(buf, len, "status %d", WEXITSTATUS(st));
	else
		snprintf(buf, len, "an unknown status");
}

/* The command line: mpirun, its placement arguments, -n RANKS, the worker,
 * its arguments and the socket name. split holds the split copy of
 * $MPBENCH_MPI_ARGS. */
static int build_argv(char **argv, char *split, unsigned ranks, char *np, const char *worker,
		      const char *const *args, size_t nargs, const char *sock, struct mpb_diag *d)
{
	size_t k = 0;
	argv[k++] = (char *)mpb_mpi_job_mpirun();
	/* like the other methods' workers: as many as asked, unpinned */
	argv[k++] = (char *)"--oversubscribe";
	argv[k++] = (char *)"--bind-to";
	argv[k++] = (char *)"none";
	const char *hf = getenv("MPBENCH_MPI_HOSTFILE");
	if (hf && *hf) {
		argv[k++] = (char *)"--hostfile";
		argv[k++] = (char *)hf;
	}
	size_t room = MAX_ARGS - 5 - nargs; /* -n N, the worker, the socket, NULL */
	char *save = NULL;
	for (char *t = split ? strtok_r(split, " \t\n", &save) : NULL; t;
	     t = strtok_r(NULL, " \t\n", &save)) {
		if (k >= room)
			return mpb_fail(d, MPB_EINPUT, "mpi: --mpi-args has more than %d words",
					MAX_ARGS - 16);
		argv[k++] = t;
	}
	snprintf(np, 16, "%u", ranks);
	argv[k++] = (char *)"-n";
	argv[k++] = np;
	argv[k++] = (char *)worker;
	for (size_t i = 0; i < nargs; i++)
		argv[k++] = (char *)args[i];
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

static int spawn_mpirun(struct mpb_mpi_job *j, char **argv, struct mpb_diag *d)
{
	/* where there is no pidfd, mpirun's exit closes a pipe (method_proc.h) */
	int ep[2] = { -1, -1 };
	int rc = mpb_proc_exit_pipe(ep, 0, d);
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
			e = posix_spawnp(&j->pid, argv[0], &fa, NULL, argv, environ);
		posix_spawn_file_actions_destroy(&fa);
	}
	if (rc == 0 && e)
		rc = mpb_fail_errno(d, MPB_ERUN, e, "mpi: starting %s", argv[0]);
	mpb_proc_exit_pipe_close(&ep[1]);
	if (rc == 0)
		j->exit_rd = ep[0];
	else
		mpb_proc_exit_pipe_close(&ep[0]);
	return rc;
}

int mpb_mpi_job_exit_fd(const struct mpb_mpi_job *j)
{
	if (j->ended || j->pid <= 0)
		return -1;
	if (j->exit_rd >= 0)
		return fcntl(j->exit_rd, F_DUPFD_CLOEXEC, 0);
	return mpb_proc_pidfd(j->pid);
}

int mpb_mpi_job_reap(struct mpb_mpi_job *j, bool block)
{
	if (j->ended || j->pid <= 0)
		return 1;
	int st;
	pid_t r;
	while ((r = waitpid(j->pid, &st, block ? 0 : WNOHANG)) < 0 && errno == EINTR)
		;
	if (r == 0)
		return 0;
	j->ended = true;
	j->status = r == j->pid ? st : MPB_WAIT_STATUS_UNKNOWN;
	return 1;
}

/* Wait for rank 0 to connect, or for mpirun to end first: woken by either
 * event; the poll's timeout only bounds the wait. */
static int accept_rank0(struct mpb_mpi_job *j, struct mpb_diag *d)
{
	int ended_fd = mpb_mpi_job_exit_fd(j);
	uint64_t until = mpb_now_ns() + CONNECT_GRACE_NS;
	int rc = 0;
	for (;;) {
		struct pollfd pf[2] = { { j->lfd, POLLIN, 0 }, { ended_fd, POLLIN, 0 } };
		int r = poll(pf, ended_fd >= 0 ? 2 : 1, 1000);
		if (r < 0 && errno != EINTR) {
			rc = mpb_fail_errno(d, MPB_ERUN, errno, "mpi: poll");
			break;
		}
		if (r > 0 && (pf[0].revents & POLLIN)) {
			j->conn = accept4(j->lfd, NULL, NULL, SOCK_CLOEXEC);
			if (j->conn < 0)
				rc = mpb_fail_errno(d, MPB_ERUN, errno, "mpi: accept");
			break;
		}
		if (mpb_mpi_job_reap(j, false) == 1) {
			char w[32];
			mpb_mpi_job_status_words(j->status, w, sizeof w);
			rc = mpb_fail(d, MPB_ERUN, "mpi: %s ended (%s) before its rank 0 connected: "
				      "see its messages above", mpb_mpi_job_mpirun(), w);
			break;
		}
		if (mpb_now_ns() > until) {
			rc = mpb_fail(d, MPB_ERUN, "mpi: rank 0 did not connect within %llu s",
				      CONNECT_GRACE_NS / 1000000000ull);
			break;
		}
	}
	if (ended_fd >= 0)
		close(ended_fd);
	return rc;
}

int mpb_mpi_job_start(struct mpb_mpi_job *j, unsigned ranks, const char *const *args,
		      size_t nargs, struct mpb_diag *d)
{
	*j = (struct mpb_mpi_job){ .lfd = -1, .conn = -1, .exit_rd = -1 };
	char worker[PATH_MAX], sock[108], np[16], *argv[MAX_ARGS];
	if (nargs > MAX_ARGS - 16)
		return mpb_fail(d, MPB_EINPUT, "mpi: %zu worker arguments are too many", nargs);
	int rc = mpb_mpi_job_worker(worker, sizeof worker, MPB_ERUN, d);
	if (rc < 0)
		return rc;
	j->lfd = listen_socket(sock, sizeof sock, d);
	if (j->lfd < 0)
		return j->lfd;
	const char *extra = getenv("MPBENCH_MPI_ARGS");
	char *split = extra ? strdup(extra) : NULL;
	if (extra && !split)
		rc = mpb_fail(d, MPB_ENOMEM, "mpi: out of memory");
	if (rc == 0)
		rc = build_argv(argv, split, ranks, np, worker, args, nargs, sock, d);
	if (rc == 0)
		rc = spawn_mpirun(j, argv, d);
	if (rc == 0)
		rc = accept_rank0(j, d);
	free(split);
	close(j->lfd);
	j->lfd = -1;
	if (rc < 0)
		mpb_mpi_job_close(j);
	return rc;
}

void mpb_mpi_job_end(struct mpb_mpi_job *j, bool block)
{
	if (j->ended || j->pid <= 0)
		return;
	if (!j->termed) {
		kill(j->pid, SIGTERM);
		j->termed = true;
	}
	if (mpb_mpi_job_reap(j, false) == 1 || !block)
		return;
	/* woken by mpirun's exit itself; the timeout only bounds the wait */
	int fd = mpb_mpi_job_exit_fd(j);
	uint64_t until = mpb_now_ns() + TERM_GRACE_NS;
	while (mpb_mpi_job_reap(j, false) == 0 && fd >= 0) {
		uint64_t now = mpb_now_ns();
		if (now >= until)
			break;
		struct pollfd pf = { fd, POLLIN, 0 };
		if (poll(&pf, 1, (int)((until - now) / 1000000 + 1)) < 0 && errno != EINTR)
			break;
	}
	if (fd >= 0)
		close(fd);
	if (!j->ended) {
		kill(j->pid, SIGKILL);
		mpb_mpi_job_reap(j, true);
	}
}

void mpb_mpi_job_close(struct mpb_mpi_job *j)
{
	if (j->conn >= 0)
		close(j->conn);
	if (j->lfd >= 0)
		close(j->lfd);
	j->conn = j->lfd = -1;
	mpb_proc_exit_pipe_close(&j->exit_rd);
	mpb_mpi_job_end(j, true);
}
