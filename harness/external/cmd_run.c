/* cmd_run.c — run one external command in its own process group and measure
 * it from outside (see cmd_run.h). */
#include "cmd_run.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "clock.h"
#include "cmd_reaper.h"
#include "method_proc.h"

extern char **environ;

void mpb_cmd_result_free(struct mpb_cmd_result *r)
{
	mpb_fdchan_free(&r->chan);
}

static bool is_exec_file(const char *path)
{
	struct stat st;
	return stat(path, &st) == 0 && S_ISREG(st.st_mode) && access(path, X_OK) == 0;
}

int mpb_cmd_check_executable(const char *argv0, const char *what, struct mpb_diag *d)
{
	if (strchr(argv0, '/')) {
		if (is_exec_file(argv0))
			return 0;
		return mpb_fail(d, MPB_EINPUT, "%s: '%s' is not an executable file (accepted: a "
				"program in PATH or a path to an executable)", what, argv0);
	}
	const char *path = getenv("PATH");
	if (!path || !*path)
		path = "/bin:/usr/bin";
	while (*path) {
		const char *end = strchr(path, ':');
		size_t len = end ? (size_t)(end - path) : strlen(path);
		char full[PATH_MAX];
		if (snprintf(full, sizeof full, "%.*s/%s", (int)len, len ? path : ".", argv0) <
		    (int)sizeof full && is_exec_file(full))
			return 0;
		path += len + (end ? 1 : 0);
	}
	return mpb_fail(d, MPB_EINPUT, "%s: program '%s' not found in PATH (accepted: a program in "
			"PATH or a path to an executable)", what, argv0);
}

/* Move a descriptor above the standard three (close-on-exec), so that the
 * child's dup2 onto 0-2 never meets one of our own pipe ends there. */
static int above_std(int fd)
{
	if (fd < 0 || fd > 2)
		return fd;
	int nfd = fcntl(fd, F_DUPFD_CLOEXEC, 3);
	close(fd);
	return nfd;
}

static int make_pipe(int p[2], bool nonblock_read)
{
	if (pipe2(p, O_CLOEXEC) < 0)
		return -1;
	p[0] = above_std(p[0]);
	p[1] = above_std(p[1]);
	if (p[0] < 0 || p[1] < 0)
		return -1;
	if (nonblock_read)
		fcntl(p[0], F_SETFL, fcntl(p[0], F_GETFL) | O_NONBLOCK);
	return 0;
}

static void close_fd(int *fd)
{
	if (*fd >= 0)
		close(*fd);
	*fd = -1;
}

/* Whether environment entry e sets the variable of entry "NAME=..." x. */
static bool same_name(const char *e, const char *x)
{
	size_t n = strcspn(x, "=");
	return strncmp(e, x, n) == 0 && e[n] == '=';
}

/* The environment of the command: ours, with the extra entries and
 * MPBENCH_FD set to `fd` (the last entry: ours to free). */
static char **make_env(int fd, char *const *extra)
{
	size_t n = 0, nx = 0;
	while (environ && environ[n])
		n++;
	while (extra && extra[nx])
		nx++;
	char **env = calloc(n + nx + 2, sizeof *env);
	char *mine = malloc(32);
	if (!env || !mine) {
		free(env);
		free(mine);
		return NULL;
	}
	snprintf(mine, 32, MPB_FDCHAN_ENV "=%d", fd);
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		bool replaced = same_name(environ[i], mine);
		for (size_t x = 0; x < nx && !replaced; x++)
			replaced = same_name(environ[i], extra[x]);
		if (!replaced)
			env[k++] = environ[i];
	}
	for (size_t x = 0; x < nx; x++)
		if (!same_name(extra[x], mine))
			env[k++] = extra[x];
	env[k++] = mine;
	env[k] = NULL;
	return env;
}

static void free_env(char **env)
{
	if (!env)
		return;
	size_t k = 0;
	while (env[k])
		k++;
	free(env[k - 1]); /* ours is the last one */
	free(env);
}

/* Between fork and exec: only async-signal-safe calls. */
static void child(const struct mpb_cmd_job *job, char **env, int err_w, int chan_w, int gate_r,
		  int exec_w, pid_t parent)
{
	setpgid(0, 0);
	mpb_cmd_die_with(parent);
	/* the harness's handlers and mask are not the command's business */
	struct sigaction dfl;
	memset(&dfl, 0, sizeof dfl);
	dfl.sa_handler = SIG_DFL;
	for (int s = 1; s < NSIG; s++)
		if (s != SIGKILL && s != SIGSTOP)
			sigaction(s, &dfl, NULL);
	sigset_t none;
	sigemptyset(&none);
	sigprocmask(SIG_SETMASK, &none, NULL);
	int null = open("/dev/null", O_RDWR);
	if (null < 0 || dup2(null, 0) < 0 || dup2(null, 1) < 0 || dup2(err_w, 2) < 0)
		goto fail;
	/* the channel is the one descriptor the command inherits on purpose */
	if (fcntl(chan_w, F_SETFD, 0) < 0)
		goto fail;
	char c;
	ssize_t got;
	while ((got = read(gate_r, &c, 1)) < 0 && errno == EINTR)
		;
	if (got != 1)
		_exit(127); /* the harness gave up before releasing us */
	execvpe(job->argv[0], job->argv, env);
fail:;
	int e = errno;
	ssize_t w = write(exec_w, &e, sizeof e);
	(void)w;
	_exit(127);
}

/* Counters on the command, counting from its exec, inherited by every
 * process and thread it creates. Each event alone: inherited counters
 * cannot be read as a group. */
static void open_counters(const struct mpb_counter_plan *p, pid_t pid, int *fd,
			  struct mpb_counts *out)
{
	memset(out, 0, sizeof *out);
	out->n = p ? p->n : 0;
	for (uint32_t i = 0; i < out->n; i++) {
		const struct mpb_counter_spec *s = &p->ev[i];
		struct perf_event_attr a;
		mpb_counter_spec_attr(s, &a);
		a.disabled = 1;
		a.enable_on_exec = 1;
		a.inherit = 1;
		long r = syscall(SYS_perf_event_open, &a, pid, -1, -1, PERF_FLAG_FD_CLOEXEC);
		fd[i] = r < 0 ? -1 : (int)r;
		if (r < 0) {
			out->c[i].state = MPB_COUNT_FAILED;
			out->c[i].err = errno;
		}
	}
}

static void read_counters(int *fd, struct mpb_counts *out)
{
	for (uint32_t i = 0; i < out->n; i++) {
		if (fd[i] < 0)
			continue;
		uint64_t v[3];
		int rc = mpb_counter_source_perf.read(NULL, fd[i], v);
		if (rc == 0) {
			out->c[i] = (struct mpb_count){ v[0], v[1], v[2], MPB_COUNT_OK, 0 };
		} else {
			out->c[i].state = MPB_COUNT_FAILED;
			out->c[i].err = -rc;
		}
		close_fd(&fd[i]);
	}
}

/* Keep the last MPB_CMD_STDERR_TAIL bytes of stderr. */
static void tail_add(struct mpb_cmd_result *r, const char *buf, size_t n, size_t *len)
{
	const size_t cap = MPB_CMD_STDERR_TAIL;
	r->stderr_bytes += n;
	if (n >= cap) {
		memcpy(r->stderr_tail, buf + n - cap, cap);
		*len = cap;
	} else {
		if (*len + n > cap) {
			size_t drop = *len + n - cap;
			memmove(r->stderr_tail, r->stderr_tail + drop, *len - drop);
			*len -= drop;
		}
		memcpy(r->stderr_tail + *len, buf, n);
		*len += n;
	}
	r->stderr_tail[*len] = '\0';
}

/* Read what is there; returns false at EOF or on error (stop polling it). */
static bool drain(int fd, struct mpb_cmd_result *r, bool is_chan, size_t *tail_len, int *oom)
{
	char buf[8192];
	for (;;) {
		ssize_t n = read(fd, buf, sizeof buf);
		if (n > 0) {
			if (is_chan) {
				if (mpb_fdchan_feed(&r->chan, buf, (size_t)n) < 0)
					*oom = 1;
			} else {
				tail_add(r, buf, (size_t)n, tail_len);
			}
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 && errno == EAGAIN;
	}
}

static uint64_t tv_ns(struct timeval tv)
{
	return (uint64_t)tv.tv_sec * 1000000000u + (uint64_t)tv.tv_usec * 1000u;
}

static uint64_t sub0(long a, long b)
{
	return a > b ? (uint64_t)(a - b) : 0;
}

static uint64_t sub0ns(uint64_t a, uint64_t b)
{
	return a > b ? a - b : 0;
}

/* Kill what is left of the group and reap every process of it that is (or
 * becomes, through the subreaper) our child. */
static void reap_group(pid_t pgid, struct mpb_cmd_result *r)
{
	kill(-pgid, SIGKILL);
	for (;;) {
		int st;
		struct rusage ru;
		pid_t w = wait4(-pgid, &st, 0, &ru);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			break;
		if ((uint64_t)ru.ru_maxrss * 1024 > r->tree.maxrss_bytes)
			r->tree.maxrss_bytes = (uint64_t)ru.ru_maxrss * 1024;
	}
}

/* This process's children, from every thread's /proc children list (an
 * orphan is reparented to the subreaper's thread group, whichever thread).
 * Up to cap pids into out; returns how many. */
static size_t list_children(pid_t *out, size_t cap)
{
	size_t n = 0;
	DIR *dp = opendir("/proc/self/task");
	struct dirent *e;
	while (dp && (e = readdir(dp))) {
		if (e->d_name[0] == '.')
			continue;
		char path[300];
		snprintf(path, sizeof path, "/proc/self/task/%.255s/children", e->d_name);
		FILE *f = fopen(path, "re");
		long v;
		while (f && n < cap && fscanf(f, "%ld", &v) == 1)
			out[n++] = (pid_t)v;
		if (f)
			fclose(f);
	}
	if (dp)
		closedir(dp);
	return n;
}

static bool among(pid_t p, const pid_t *v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == p)
			return true;
	return false;
}

/* Kill and reap the command's descendants that left its process group
 * (setsid, setpgid) and outlived it: as the subreaper we adopted them when
 * their parents died. Anything that is our child now and was not before the
 * run is one. Repeats until none is left, since killing one orphans its own
 * children to us. Returns how many, with the first pids listed in `pids`. */
static unsigned kill_escaped(const pid_t *before, size_t nbefore, char *pids, size_t len)
{
	unsigned killed = 0;
	size_t used = 0;
	pids[0] = '\0';
	for (int round = 0; round < 1000; round++) {
		pid_t now[256];
		size_t n = list_children(now, sizeof now / sizeof *now), found = 0;
		for (size_t i = 0; i < n; i++) {
			if (among(now[i], before, nbefore))
				continue;
			found++;
			kill(now[i], SIGKILL);
			while (waitpid(now[i], NULL, 0) < 0 && errno == EINTR)
				;
			if (killed++ < 8 && used + 16 < len)
				used += (size_t)snprintf(pids + used, len - used, "%s%d", used ? ", " : "",
							 (int)now[i]);
		}
		if (!found)
			break;
	}
	return killed;
}

/* The last line or so of stderr, on one line, for an error message. */
static void short_tail(const char *tail, char *out, size_t len)
{
	size_t n = strlen(tail);
	while (n && (tail[n - 1] == '\n' || tail[n - 1] == ' '))
		n--;
	size_t start = n > 300 ? n - 300 : 0;
	size_t k = 0;
	for (size_t i = start; i < n && k + 4 < len; i++) {
		char c = tail[i];
		if (c == '\n') {
			out[k++] = ' ';
			out[k++] = '|';
			out[k++] = ' ';
		} else {
			out[k++] = (c >= 32 && c < 127) ? c : '?';
		}
	}
	out[k] = '\0';
}

/* How a run ended, beyond what *r holds. */
struct ending {
	int oom;
	bool interrupted, exec_failed;
	int exec_errno;
	unsigned escaped;          /* descendants killed outside the group */
	const char *escaped_pids;
};

/* The run's verdict: 0, or the failure that comes first, named. */
static int judge(const struct mpb_cmd_job *job, const struct mpb_cmd_result *r,
		 const struct ending *e, struct mpb_diag *d)
{
	char tail[400];
	short_tail(r->stderr_tail, tail, sizeof tail);
	const char *sep = tail[0] ? "; stderr: " : "";
	if (e->oom)
		return mpb_fail(d, MPB_ENOMEM, "out of memory reading the command's MPBENCH_FD");
	if (e->interrupted)
		return mpb_fail(d, MPB_EINTR, "interrupted");
	if (e->exec_failed)
		return mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED,
				      mpb_fail_errno(d, MPB_ERUN, e->exec_errno, "cannot run '%s'",
						     job->argv[0]));
	if (r->timed_out)
		return mpb_diag_cause(d, MPB_CAUSE_RUN_TIMEOUT,
				      mpb_fail(d, MPB_ERUN, "command timed out after %g s: its process "
					       "group %d was killed%s%s", job->timeout_s, (int)r->pid,
					       sep, tail));
	if (r->term_signal)
		return mpb_diag_cause(d, MPB_CAUSE_COMMAND_FAILED,
				      mpb_fail(d, MPB_ERUN, "command killed by signal %d (%s)%s%s",
					       r->term_signal, strsignal(r->term_signal), sep, tail));
	if (r->exit_status != 0)
		return mpb_diag_cause(d, MPB_CAUSE_COMMAND_FAILED,
				      mpb_fail(d, MPB_ERUN, "command exited with status %d%s%s",
					       r->exit_status, sep, tail));
	if (e->escaped)
		return mpb_diag_cause(d, MPB_CAUSE_COMMAND_FAILED,
				      mpb_fail(d, MPB_ERUN, "the command left %u process%s running "
					       "outside its process group after it exited (pid %s%s); "
					       "mpbench killed %s: a measured command must wait for what "
					       "it starts", e->escaped, e->escaped == 1 ? "" : "es",
					       e->escaped_pids, e->escaped > 8 ? ", ..." : "",
					       e->escaped == 1 ? "it" : "them"));
	return 0;
}

/* What the command's process runs between the forks and its exec. */
struct start_args {
	const struct mpb_cmd_job *job;
	char **env;
	int err_w, chan_w, gate_r, exec_w;
};

static void start_command(void *arg, pid_t parent)
{
	const struct start_args *a = arg;
	child(a->job, a->env, a->err_w, a->chan_w, a->gate_r, a->exec_w, parent);
}

/* How the harness learns that the command's process ended: its pidfd, or
 * where none can be had, the pipe of its reaper (cmd_reaper.h). Either
 * descriptor polls readable at the exit itself. */
struct exit_watch {
	int fd;
	struct mpb_cmd_reaper rp; /* pid -1 with a pidfd */
};

/* Whether a pidfd can be had here: asked of our own pid, before the fork,
 * since without one the command needs its reaper from the start. */
static bool pidfd_here(void)
{
	int fd = mpb_proc_pidfd(getpid());
	if (fd < 0)
		return false;
	close(fd);
	return true;
}

/* Launch the command's process, held at its gate: *pid and the watch on
 * its exit. 0, or negative with d set (then nothing is left running). */
static int launch(const struct start_args *a, int *const fds, size_t nfds, pid_t *pid,
		  struct exit_watch *w, struct mpb_diag *d)
{
	w->fd = -1;
	w->rp = (struct mpb_cmd_reaper){ -1, -1 };
	if (!pidfd_here()) {
		int rc = mpb_cmd_reaper_start(&w->rp, start_command, (void *)a, fds, nfds, pid, d);
		if (rc < 0)
			return mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED, rc);
		w->fd = w->rp.fd;
		return 0;
	}
	pid_t parent = getpid();
	*pid = fork();
	if (*pid < 0)
		return mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED,
				      mpb_fail_errno(d, MPB_ERUN, errno, "cmd: fork"));
	if (*pid == 0)
		start_command((void *)a, parent);
	setpgid(*pid, *pid); /* also in the child: no race with a kill of the group */
	w->fd = mpb_proc_pidfd(*pid);
	if (w->fd < 0) {
		int e = errno;
		kill(-*pid, SIGKILL);
		while (waitpid(*pid, NULL, 0) < 0 && errno == EINTR)
			;
		return mpb_fail_errno(d, MPB_ESYS, e, "cmd: pidfd_open");
	}
	return 0;
}

/* The command's process ended (its watch polled readable; or it was killed
 * and this blocks the moment it takes to die): its wait status and rusage,
 * the time of its end, and the share of the harness's children's rusage
 * that is not the command's (the reaper's own; zero with a pidfd). */
static int collect(struct exit_watch *w, pid_t pid, int *status, struct rusage *ru,
		   uint64_t *t1, struct rusage *other, struct mpb_diag *d)
{
	memset(other, 0, sizeof *other);
	if (w->rp.pid < 0) {
		pid_t got;
		while ((got = wait4(pid, status, 0, ru)) < 0 && errno == EINTR)
			;
		*t1 = mpb_now_ns();
		return got == pid ? 0 : mpb_fail_errno(d, MPB_ESYS, errno, "cmd: wait4");
	}
	struct mpb_cmd_exit ex;
	int rc = mpb_cmd_reaper_collect(&w->rp, &ex, other, d);
	w->fd = -1;
	*t1 = rc == 1 ? ex.t_ns : mpb_now_ns();
	if (rc < 0)
		return rc;
	if (rc == 0)
		return mpb_fail(d, MPB_ESYS, "cmd: the command's reaper ended without reporting "
				"its exit");
	*status = ex.status;
	*ru = ex.ru;
	return 0;
}

int mpb_cmd_run(const struct mpb_cmd_job *job, struct mpb_cmd_result *r, struct mpb_diag *d)
{
	int err_p[2] = { -1, -1 }, chan_p[2] = { -1, -1 }, gate_p[2] = { -1, -1 };
	int exec_p[2] = { -1, -1 };
	struct exit_watch watch = { -1, { -1, -1 } };
	int cfd[MPB_COUNTERS_MAX];
	char **env = NULL;
	int rc = 0, old_reaper = 0;
	memset(r, 0, sizeof *r);
	for (int i = 0; i < MPB_COUNTERS_MAX; i++)
		cfd[i] = -1;
	if (mpb_fdchan_init(&r->chan) < 0)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	if (make_pipe(err_p, true) < 0 || make_pipe(chan_p, true) < 0 ||
	    make_pipe(gate_p, false) < 0 || make_pipe(exec_p, true) < 0) {
		rc = mpb_fail_errno(d, MPB_ESYS, errno, "cmd: pipe");
		goto out;
	}
	if (!(env = make_env(chan_p[1], job->env_extra))) {
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		goto out;
	}
	/* orphans of the command come to us, so that they are reaped here and
	 * their rusage lands in RUSAGE_CHILDREN */
	prctl(PR_GET_CHILD_SUBREAPER, &old_reaper);
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	/* who our children are before the run: afterwards, any other child is
	 * a descendant of the command that escaped its group (kill_escaped) */
	pid_t before[256];
	size_t nbefore = list_children(before, sizeof before / sizeof *before);
	struct rusage ru0, ru1, other;
	memset(&other, 0, sizeof other);
	getrusage(RUSAGE_CHILDREN, &ru0);
	struct start_args sa = { job, env, err_p[1], chan_p[1], gate_p[0], exec_p[1] };
	int fds[] = { err_p[0], err_p[1], chan_p[0], chan_p[1],
		      gate_p[0], gate_p[1], exec_p[0], exec_p[1] };
	pid_t pid;
	if ((rc = launch(&sa, fds, sizeof fds / sizeof *fds, &pid, &watch, d)) < 0)
		goto out;
	r->pid = pid;
	close_fd(&err_p[1]);
	close_fd(&chan_p[1]);
	close_fd(&gate_p[0]);
	close_fd(&exec_p[1]);
	open_counters(job->counters, pid, cfd, &r->counts);

	size_t tail_len = 0;
	int oom = 0, status = 0;
	bool done = false, interrupted = false, exec_failed = false;
	int exec_errno = 0;
	struct rusage ru_main;
	memset(&ru_main, 0, sizeof ru_main);
	uint64_t t0 = mpb_now_ns(), t1 = t0;
	uint64_t deadline = job->timeout_s > 0 ? t0 + (uint64_t)(job->timeout_s * 1e9) : 0;
	if (write(gate_p[1], "g", 1) != 1) {
		rc = mpb_fail_errno(d, MPB_ESYS, errno, "cmd: releasing the command");
		kill(-pid, SIGKILL);
	}
	close_fd(&gate_p[1]);
	/* every sleep here ends at an event: output, the exec, the exit; the
	 * timeout bounds it only to look at the stop flag and the deadline */
	while (!done) {
		struct pollfd pf[4];
		int np = 0, ie = -1, ic = -1, ix = -1, ip;
		if (err_p[0] >= 0) { ie = np; pf[np++] = (struct pollfd){ err_p[0], POLLIN, 0 }; }
		if (chan_p[0] >= 0) { ic = np; pf[np++] = (struct pollfd){ chan_p[0], POLLIN, 0 }; }
		if (exec_p[0] >= 0) { ix = np; pf[np++] = (struct pollfd){ exec_p[0], POLLIN, 0 }; }
		ip = np;
		pf[np++] = (struct pollfd){ watch.fd, POLLIN, 0 };
		int wait_ms = 100;
		uint64_t now = mpb_now_ns();
		if (deadline && !r->timed_out) {
			if (now >= deadline) {
				r->timed_out = true;
				kill(-pid, SIGKILL);
			} else if ((deadline - now) / 1000000 + 1 < (uint64_t)wait_ms) {
				wait_ms = (int)((deadline - now) / 1000000 + 1);
			}
		}
		if (!interrupted && job->stop_flag && *job->stop_flag) {
			interrupted = true;
			kill(-pid, SIGKILL);
		}
		if (rc < 0) {
			/* killed above: wait the moment it takes to die */
			collect(&watch, pid, &status, &ru_main, &t1, &other, &(struct mpb_diag){ 0 });
			break;
		}
		int n = poll(pf, (nfds_t)np, wait_ms);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "cmd: poll");
			kill(-pid, SIGKILL);
			continue;
		}
		r->wakeups++;
		if (ie >= 0 && pf[ie].revents && !drain(err_p[0], r, false, &tail_len, &oom))
			close_fd(&err_p[0]);
		if (ic >= 0 && pf[ic].revents && !drain(chan_p[0], r, true, &tail_len, &oom))
			close_fd(&chan_p[0]);
		if (ix >= 0 && pf[ix].revents) {
			ssize_t got = read(exec_p[0], &exec_errno, sizeof exec_errno);
			if (got == (ssize_t)sizeof exec_errno)
				exec_failed = true;
			if (got >= 0 || errno != EINTR)
				close_fd(&exec_p[0]);
		}
		if (pf[ip].revents) {
			rc = collect(&watch, pid, &status, &ru_main, &t1, &other, d);
			done = true;
		}
	}
	/* what the command wrote before it exited is still in the pipes */
	if (err_p[0] >= 0)
		drain(err_p[0], r, false, &tail_len, &oom);
	if (chan_p[0] >= 0)
		drain(chan_p[0], r, true, &tail_len, &oom);
	if (exec_p[0] >= 0 && read(exec_p[0], &exec_errno, sizeof exec_errno) == sizeof exec_errno)
		exec_failed = true;
	r->tree.maxrss_bytes = (uint64_t)ru_main.ru_maxrss * 1024;
	reap_group(pid, r);
	char escaped_pids[128];
	unsigned escaped = kill_escaped(before, nbefore, escaped_pids, sizeof escaped_pids);
	r->escaped = escaped;
	getrusage(RUSAGE_CHILDREN, &ru1);
	read_counters(cfd, &r->counts);
	if (mpb_fdchan_finish(&r->chan) < 0)
		oom = 1;
	r->wall_ns = t1 - t0;
	/* RUSAGE_CHILDREN less what is not the command's (its reaper's own) */
	r->tree.user_ns = sub0ns(tv_ns(ru1.ru_utime), tv_ns(ru0.ru_utime) + tv_ns(other.ru_utime));
	r->tree.system_ns = sub0ns(tv_ns(ru1.ru_stime),
				   tv_ns(ru0.ru_stime) + tv_ns(other.ru_stime));
	r->tree.minflt = sub0(ru1.ru_minflt, ru0.ru_minflt + other.ru_minflt);
	r->tree.majflt = sub0(ru1.ru_majflt, ru0.ru_majflt + other.ru_majflt);
	r->tree.nvcsw = sub0(ru1.ru_nvcsw, ru0.ru_nvcsw + other.ru_nvcsw);
	r->tree.nivcsw = sub0(ru1.ru_nivcsw, ru0.ru_nivcsw + other.ru_nivcsw);
	r->exited = WIFEXITED(status);
	r->exit_status = r->exited ? WEXITSTATUS(status) : -1;
	r->term_signal = WIFSIGNALED(status) ? WTERMSIG(status) : 0;
	if (rc < 0)
		goto out;
	rc = judge(job, r, &(struct ending){ oom, interrupted, exec_failed, exec_errno, escaped,
					    escaped_pids }, d);
out:
	prctl(PR_SET_CHILD_SUBREAPER, old_reaper);
	for (int i = 0; i < MPB_COUNTERS_MAX; i++)
		close_fd(&cfd[i]);
	if (watch.rp.pid < 0)
		close_fd(&watch.fd);
	mpb_cmd_reaper_end(&watch.rp);
	for (int i = 0; i < 2; i++) {
		close_fd(&err_p[i]);
		close_fd(&chan_p[i]);
		close_fd(&gate_p[i]);
		close_fd(&exec_p[i]);
	}
	free_env(env);
	return rc;
}
