/* method_forkserver.c — the `forkserver` start method: workers are forked by
 * a small server process started once (prepare), before the harness grows its
 * heap or starts threads, like multiprocessing's "forkserver" context. The
 * pool's pipe ends travel to the server over a unix socket (SCM_RIGHTS); the
 * server and its protocol are in forkserver.c.
 *
 * Workers are the server's children, not ours, so their exit status and
 * rusage come back as server messages. The socket is shared by every slot,
 * so all reading goes through pump(), which files exit notices in a small
 * table of launched workers for whichever slot asks later. If the server
 * dies its workers die too (PR_SET_PDEATHSIG); a pidfd per worker still
 * tells us when each is gone, though not how it ended.
 *
 * The server's PR_SET_PDEATHSIG fires when the *thread* that forked it ends:
 * call prepare from the thread that outlives every pool (main's).
 */
#include "method.h"

#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "clock.h"
#include "forkserver.h"
#include "method_proc.h"
#include "worker.h"

#define REPLY_TIMEOUT_NS 10000000000ull  /* a fork of the small server takes ~100 us */
#define REAP_TIMEOUT_NS 10000000000ull   /* a killed worker's exit notice takes ~1 ms */
#define SHUTDOWN_GRACE_NS 2000000000ull
#define SERVER_EXIT_WAIT_NS 1000000000ull /* its socket closed: exit follows at once */
#define SLICE_MS 100
/* Neither WIFEXITED nor WIFSIGNALED: the worker is gone but the server that
 * could have said how died first. */

struct fs_worker {     /* launched and not yet reaped */
	pid_t pid;
	int pidfd;         /* -1 where pidfd_open is unavailable */
	bool exited;
	int status;
	struct rusage ru;
};

static struct {
	pid_t pid;         /* the server; 0 when not prepared */
	pid_t owner;       /* who prepared: a fork of the harness has no server */
	int sock;
	bool dead;         /* the socket failed: no more messages will come */
	bool reaped;
	int status;        /* the server's wait status, when reaped */
	struct fs_worker *w;
	size_t nw, capw;
	bool atfork;
} fs = { .sock = -1 };

/* A timer sleep, used only where the server can no longer send its exit
 * notices: after it died (server_failed, worker_gone: the run has already
 * failed, nothing is being measured) and at shutdown (after the sweep).
 * Every wait of a live pool wakes on the server's notice or a pidfd. */
static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };
	nanosleep(&ts, NULL);
}

/* Every fork of the harness (the fork method's workers, say) drops its copy
 * of the socket: one left open would hide the harness's EOF from the server
 * at shutdown. */
static void forget_in_child(void)
{
	if (fs.sock >= 0)
		close(fs.sock);
	fs.sock = -1;
	fs.pid = fs.owner = 0;
	/* the child's copy of the table: dropped without free() it would be
	 * leaked memory at the child's exit (valgrind: "definitely lost") */
	free(fs.w);
	fs.w = NULL;
	fs.nw = fs.capw = 0;
}

static void server_reap(uint64_t wait_ns)
{
	uint64_t deadline = mpb_now_ns() + wait_ns;
	while (fs.pid > 0 && !fs.reaped) {
		pid_t r = waitpid(fs.pid, &fs.status, WNOHANG);
		if (r < 0 && errno == ECHILD) /* reaped elsewhere: how it ended is lost */
			fs.status = MPB_WAIT_STATUS_UNKNOWN;
		if (r == fs.pid || (r < 0 && errno == ECHILD))
			fs.reaped = true;
		else if (mpb_now_ns() >= deadline)
			return;
		else
			sleep_ms(1);
	}
}

/* The server failed: stop talking to it, make sure it is gone (its workers
 * go with it), and say how it ended. */
static int server_failed(struct mpb_diag *d, const char *what)
{
	fs.dead = true;
	if (fs.sock >= 0) {
		close(fs.sock);
		fs.sock = -1;
	}
	server_reap(SERVER_EXIT_WAIT_NS);
	char how[96] = "closed its socket";
	if (!fs.reaped) {
		kill(fs.pid, SIGKILL);
		snprintf(how, sizeof how, "stopped answering and was killed");
	} else if (WIFSIGNALED(fs.status)) {
		snprintf(how, sizeof how, "was killed by signal %d (%s)", WTERMSIG(fs.status),
			 strsignal(WTERMSIG(fs.status)));
	} else if (WIFEXITED(fs.status)) {
		snprintf(how, sizeof how, "exited with status %d", WEXITSTATUS(fs.status));
	}
	return mpb_diag_cause(d, MPB_CAUSE_FORKSERVER_DIED,
			      mpb_fail(d, MPB_ERUN, "forkserver (pid %d) died: it %s; %s",
				       (int)fs.pid, how, what));
}

static struct fs_worker *find(pid_t pid)
{
	for (size_t i = 0; i < fs.nw; i++)
		if (fs.w[i].pid == pid)
			return &fs.w[i];
	return NULL;
}

static void forget(struct fs_worker *w)
{
	if (w->pidfd >= 0)
		close(w->pidfd);
	*w = fs.w[--fs.nw];
}

/* Read what the server sent, waiting up to timeout_ms for the first message.
 * Exit notices go to the table; a launch reply goes to *reply when asked
 * for. 0, or negative once the socket failed: the server is then dead to us
 * (fs.dead) and the caller says so with server_failed. */
static int pump(int timeout_ms, struct mpb_fs_msg *reply, bool *got)
{
	if (fs.dead)
		return -MPB_ERUN;
	for (;;) {
		struct mpb_fs_msg m;
		int rc = mpb_forkserver_recv(fs.sock, timeout_ms, &m, NULL);
		if (rc < 0) {
			server_failed(NULL, "");
			return rc;
		}
		if (rc == 0)
			return 0;
		timeout_ms = 0;
		if (m.kind == MPB_FS_EXITED) {
			struct fs_worker *w = find(m.pid);
			if (w && !w->exited) {
				w->exited = true;
				w->status = m.status;
				w->ru = m.ru;
			}
		} else if (reply && !*got) {
			*reply = m;
			*got = true;
		}
	}
}

/* Whether a worker is gone, when its server can no longer tell us. */
static bool worker_gone(const struct fs_worker *w, int timeout_ms)
{
	if (w->pidfd >= 0) {
		struct pollfd pf = { w->pidfd, POLLIN, 0 };
		return poll(&pf, 1, timeout_ms) > 0;
	}
	if (kill(w->pid, 0) < 0 && errno == ESRCH)
		return true;
	/* a zombie whose new parent does not reap: gone as far as we care */
	char path[64], buf[256];
	snprintf(path, sizeof path, "/proc/%d/stat", (int)w->pid);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(buf, 1, sizeof buf - 1, f) : 0;
	if (f)
		fclose(f);
	buf[n] = '\0';
	const char *rp = strrchr(buf, ')');
	if (rp && rp[1] == ' ' && (rp[2] == 'Z' || rp[2] == 'X'))
		return true;
	sleep_ms(timeout_ms < 10 ? timeout_ms : 10);
	return false;
}

static void signal_worker(const struct fs_worker *w)
{
#ifdef SYS_pidfd_send_signal
	/* through the pidfd: the pid may already name another process */
	if (w->pidfd >= 0 && syscall(SYS_pidfd_send_signal, w->pidfd, SIGKILL, NULL, 0) == 0)
		return;
	if (w->pidfd >= 0 && errno == ESRCH)
		return;
#endif
	kill(w->pid, SIGKILL);
}

static void fs_shutdown(void);

static int fs_prepare(struct mpb_diag *d)
{
	if (fs.pid > 0 && fs.owner == getpid()) {
		server_reap(0);
		if (!fs.dead && !fs.reaped)
			return 0;
		fs_shutdown(); /* replace a server that died */
	}
	if (!fs.atfork) {
		int e = pthread_atfork(NULL, NULL, forget_in_child);
		if (e != 0)
			return mpb_fail_errno(d, MPB_ESYS, e, "forkserver: pthread_atfork");
		fs.atfork = true;
	}
	forget_in_child(); /* anything left is a copy inherited from our parent */
	/* when the server dies, its workers (killed by PDEATHSIG) become our
	 * children instead of init's, so that fs_reap can reap them: no zombie
	 * outlives the pool, and none lands on whoever started mpbench */
	prctl(PR_SET_CHILD_SUBREAPER, 1);
	int rc = mpb_forkserver_start(&fs.pid, &fs.sock, d);
	if (rc < 0) {
		fs.pid = 0;
		fs.sock = -1;
		return rc;
	}
	fs.owner = getpid();
	fs.dead = fs.reaped = false;
	return 0;
}

static void fs_shutdown(void)
{
	if (fs.owner != getpid()) {
		forget_in_child();
		return;
	}
	if (fs.sock >= 0)
		close(fs.sock);
	fs.sock = -1;
	if (fs.pid > 0) {
		/* on EOF the server kills and reaps its workers, then exits */
		server_reap(SHUTDOWN_GRACE_NS);
		if (!fs.reaped) {
			kill(fs.pid, SIGKILL);
			while (waitpid(fs.pid, NULL, 0) < 0 && errno == EINTR)
				;
		}
	}
	for (size_t i = 0; i < fs.nw; i++)
		if (fs.w[i].pidfd >= 0)
			close(fs.w[i].pidfd);
	free(fs.w);
	fs.w = NULL;
	fs.nw = fs.capw = 0;
	fs.pid = fs.owner = 0;
	fs.dead = fs.reaped = false;
}

static int fs_launch(struct mpb_pool *p, struct mpb_slot *s, struct mpb_diag *d)
{
	struct mpb_worker_args a;
	mpb_pool_worker_args(p, s, &a);
	if (fs.pid <= 0 || fs.owner != getpid())
		return mpb_fail(d, MPB_ERUN, "forkserver: no server is running (the method was "
				"not prepared), cannot start worker %u", s->index);
	char what[64];
	snprintf(what, sizeof what, "cannot start worker %u", s->index);
	if (fs.dead)
		return server_failed(d, what);
	struct mpb_worker_spec spec;
	mpb_worker_spec_from_args(&spec, &a, (uint64_t)fs.pid);
	if (fs.nw == fs.capw) { /* before the request: nothing may fail after the fork */
		size_t cap = fs.capw * 2 + 8;
		struct fs_worker *w = realloc(fs.w, cap * sizeof *w);
		if (!w)
			return mpb_fail(d, MPB_ENOMEM, "forkserver: out of memory");
		fs.w = w;
		fs.capw = cap;
	}
	int rc = mpb_forkserver_send(fs.sock, &spec, s->child_in, s->child_out, s->chan_fd, d);
	if (rc == -MPB_ERUN)
		return server_failed(d, what);
	if (rc < 0)
		return rc;
	struct mpb_fs_msg m;
	bool got = false;
	uint64_t deadline = mpb_now_ns() + REPLY_TIMEOUT_NS;
	while (!got) {
		if (pump(SLICE_MS, &m, &got) < 0 || (!got && mpb_now_ns() > deadline))
			return server_failed(d, what);
	}
	if (m.kind == MPB_FS_FAILED) /* its fork failed: the errno names EMFILE */
		return mpb_fail_errno(d, MPB_ERUN, m.err, "forkserver: %s: %s", what, m.msg);
	fs.w[fs.nw++] = (struct fs_worker){ .pid = m.pid, .pidfd = mpb_proc_pidfd(m.pid) };
	s->pid = m.pid;
	close(s->child_in);
	close(s->child_out);
	s->child_in = s->child_out = -1;
	return 0;
}

static int fs_reap(struct mpb_pool *p, struct mpb_slot *s, bool block, struct mpb_diag *d)
{
	(void)p;
	if (s->ended)
		return 1;
	struct fs_worker *w = find(s->pid);
	uint64_t deadline = mpb_now_ns() + REAP_TIMEOUT_NS;
	for (;;) {
		if (!w || w->exited) {
			/* no entry: the method was shut down since and the server
			 * took the worker along; how it ended is lost */
			s->wait_status = w ? w->status : MPB_WAIT_STATUS_UNKNOWN;
			s->have_ru = w != NULL;
			if (w) {
				s->ru = w->ru;
				forget(w);
			}
			s->ended = true;
			return 1;
		}
		if (!fs.dead) {
			int rc = pump(block ? SLICE_MS : 0, NULL, NULL);
			if (rc < 0 || w->exited)
				continue;
			if (!block)
				return 0;
			if (mpb_now_ns() > deadline) {
				/* a server that does not reap is broken: end it, and
				 * with it its workers */
				server_failed(NULL, "");
				deadline = mpb_now_ns() + REAP_TIMEOUT_NS;
			}
			continue;
		}
		if (worker_gone(w, block ? SLICE_MS : 0)) {
			/* the pool names this as the cause when the status is unknown */
			if (fs.reaped && WIFSIGNALED(fs.status))
				mpb_fail(d, MPB_ERUN, "its forkserver (pid %d) was killed by signal %d "
					 "first", (int)fs.pid, WTERMSIG(fs.status));
			else
				mpb_fail(d, MPB_ERUN, "its forkserver (pid %d) died first", (int)fs.pid);
			mpb_diag_cause(d, MPB_CAUSE_FORKSERVER_DIED, 0);
			/* orphaned to us (fs_prepare): reap it; it has exited, so
			 * this does not block, and ECHILD means it was not ours */
			while (waitpid(w->pid, NULL, 0) < 0 && errno == EINTR)
				;
			s->wait_status = MPB_WAIT_STATUS_UNKNOWN;
			s->have_ru = false;
			forget(w);
			s->ended = true;
			return 1;
		}
		if (!block)
			return 0;
		if (mpb_now_ns() > deadline)
			return mpb_fail(d, MPB_ERUN, "worker %u (pid %d) is still there after its "
					"forkserver died", s->index, (int)s->pid);
		signal_worker(w);
	}
}

/* Until the worker's exit notice arrives on the socket (or, the server
 * dead, its pidfd fires): the wake-up is the event, not a timer. */
static int fs_wait(struct mpb_pool *p, struct mpb_slot *s, uint64_t until_ns, struct mpb_diag *d)
{
	(void)p;
	(void)d;
	struct fs_worker *w = s->ended ? NULL : find(s->pid);
	uint64_t now = mpb_now_ns();
	if (!w || w->exited || now >= until_ns)
		return 0;
	/* whole milliseconds, rounded up: the notice ends the sleep */
	uint64_t ms = (until_ns - now + 999999u) / 1000000u;
	int timeout_ms = ms > SLICE_MS ? SLICE_MS : (int)ms;
	if (!fs.dead)
		pump(timeout_ms, NULL, NULL); /* a failure shows in fs.dead */
	else
		worker_gone(w, timeout_ms);
	return 0;
}

static void fs_kill(struct mpb_pool *p, struct mpb_slot *s)
{
	(void)p;
	if (s->pid <= 0 || s->ended)
		return;
	struct fs_worker *w = find(s->pid);
	if (w && !w->exited)
		signal_worker(w);
}

const struct mpb_method_ops mpb_method_forkserver = {
	.name = "forkserver",
	.summary = "a small server forked early forks each worker on request (passed fds)",
	.flags = MPB_METHOD_NOT_CHILDREN,
	.launch_call = "fork",
	.prepare = fs_prepare,
	.shutdown = fs_shutdown,
	.launch = fs_launch,
	.reap = fs_reap,
	.wait = fs_wait,
	.kill = fs_kill,
};
