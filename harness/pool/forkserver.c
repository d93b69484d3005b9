/* forkserver.c — the forkserver process (its loop) and both ends of its
 * protocol (see forkserver.h).
 *
 * The server is single-threaded and event-driven: one poll over the socket
 * and a signalfd for SIGCHLD, so a worker's exit is relayed as soon as it
 * happens (the harness's teardown time depends on it) and a request never
 * waits behind a reap.
 */
#include "forkserver.h"

#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "transport.h"
#include "worker.h"
#include "worker_spec.h"

struct server {
	int sock, sfd;
	pid_t self;
	sigset_t oldmask;   /* restored in workers */
	pid_t *kids;        /* workers not yet reaped */
	size_t nkids, cap;
};

/* The server starts as a copy of the harness: drop every descriptor but
 * stdio and its socket, so that no pipe of the harness (another pool's,
 * a results file) stays open in it or in its workers. */
static void close_inherited(int keep)
{
#ifdef SYS_close_range
	if ((keep <= 3 || syscall(SYS_close_range, 3u, (unsigned)keep - 1, 0u) == 0) &&
	    syscall(SYS_close_range, (unsigned)keep + 1, ~0u, 0u) == 0)
		return;
#endif
	long max = sysconf(_SC_OPEN_MAX);
	if (max < 0 || max > 65536)
		max = 65536;
	for (int fd = 3; fd < max; fd++)
		if (fd != keep)
			close(fd);
}

static void send_msg(struct server *sv, const struct mpb_fs_msg *m)
{
	/* MSG_NOSIGNAL: a harness that is gone must not kill us with SIGPIPE;
	 * we learn it from EOF on the next poll instead */
	while (send(sv->sock, m, sizeof *m, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

__attribute__((format(printf, 3, 4)))
static void send_failed(struct server *sv, int err, const char *fmt, ...)
{
	struct mpb_fs_msg m;
	memset(&m, 0, sizeof m);
	m.kind = MPB_FS_FAILED;
	m.err = err;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(m.msg, sizeof m.msg, fmt, ap);
	va_end(ap);
	send_msg(sv, &m);
}

static void forget_kid(struct server *sv, pid_t pid)
{
	for (size_t i = 0; i < sv->nkids; i++)
		if (sv->kids[i] == pid) {
			sv->kids[i] = sv->kids[--sv->nkids];
			return;
		}
}

/* Reap every worker that has ended and tell the harness how each ended. */
static void reap_kids(struct server *sv)
{
	for (;;) {
		struct mpb_fs_msg m;
		int st;
		memset(&m, 0, sizeof m);
		pid_t r = wait4(-1, &st, WNOHANG, &m.ru);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			return;
		forget_kid(sv, r);
		m.kind = MPB_FS_EXITED;
		m.pid = r;
		m.status = st;
		send_msg(sv, &m);
	}
}

__attribute__((noreturn))
static void run_worker(struct server *sv, const struct mpb_worker_args *a)
{
	/* die with the server (which dies with the harness); then check it did
	 * not die already, in the window before prctl */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != sv->self)
		_exit(3);
	close(sv->sock);
	close(sv->sfd);
	signal(SIGCHLD, SIG_DFL);
	signal(SIGINT, SIG_IGN);   /* the harness decides what Ctrl-C does to workers */
	signal(SIGTERM, SIG_DFL);
	signal(SIGPIPE, SIG_IGN);  /* a dead parent reads as EPIPE, as for the CLI's fork workers */
	sigprocmask(SIG_SETMASK, &sv->oldmask, NULL);
	_exit(mpb_worker_main(a));
}

static int grow_kids(struct server *sv)
{
	size_t cap = sv->cap * 2 + 8;
	pid_t *k = realloc(sv->kids, cap * sizeof *k);
	if (!k)
		return -1;
	sv->kids = k;
	sv->cap = cap;
	return 0;
}

/* Serve one request. Returns -1 when the harness is gone. */
static int handle_request(struct server *sv)
{
	uint8_t rq[MPB_FS_REQUEST_MAX];
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(3 * sizeof(int))];
	} cb;
	struct iovec iov = { rq, sizeof rq };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.buf,
			     .msg_controllen = sizeof cb.buf };
	ssize_t n = recvmsg(sv->sock, &mh, MSG_CMSG_CLOEXEC | MSG_DONTWAIT);
	if (n < 0)
		return errno == EINTR || errno == EAGAIN ? 0 : -1;
	if (n == 0)
		return -1;
	int fds[3] = { -1, -1, -1 }, nfds = 0;
	for (struct cmsghdr *c = CMSG_FIRSTHDR(&mh); c; c = CMSG_NXTHDR(&mh, c)) {
		if (c->cmsg_level != SOL_SOCKET || c->cmsg_type != SCM_RIGHTS)
			continue;
		size_t k = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);
		for (size_t i = 0; i < k; i++) {
			int fd;
			memcpy(&fd, CMSG_DATA(c) + i * sizeof(int), sizeof fd);
			if (nfds < 3)
				fds[nfds++] = fd;
			else
				close(fd);
		}
	}
	/* the request: u32 MPB_FS_START, then the worker's spec */
	struct mpb_worker_spec spec;
	struct mpb_worker_args a = { .in_fd = fds[0], .out_fd = fds[1], .chan_fd = fds[2],
				     .rusage_who = RUSAGE_SELF };
	struct mpb_diag d = { 0 };
	uint32_t kind = 0;
	if (n >= 4)
		memcpy(&kind, rq, sizeof kind);
	if (n < 4 || kind != MPB_FS_START || (mh.msg_flags & (MSG_TRUNC | MSG_CTRUNC)))
		send_failed(sv, 0, "malformed request");
	else if (mpb_worker_spec_decode(rq + 4, (size_t)n - 4, &spec, &d) < 0 ||
		 mpb_worker_spec_resolve(&spec, &a, &d) < 0)
		send_failed(sv, 0, "%s", d.msg);
	else if (nfds != (a.transport->attach ? 3 : 2))
		send_failed(sv, 0, "malformed request: %d descriptors for transport %s", nfds,
			    a.transport->name);
	else if (sv->nkids == sv->cap && grow_kids(sv) < 0)
		send_failed(sv, ENOMEM, "forkserver: out of memory");
	else {
		pid_t pid = fork();
		if (pid == 0)
			run_worker(sv, &a);
		if (pid < 0) {
			send_failed(sv, errno, "fork");
		} else {
			sv->kids[sv->nkids++] = pid;
			struct mpb_fs_msg m;
			memset(&m, 0, sizeof m);
			m.kind = MPB_FS_SPAWNED;
			m.pid = pid;
			send_msg(sv, &m);
		}
	}
	for (int i = 0; i < nfds; i++)
		close(fds[i]);
	return 0;
}

__attribute__((noreturn))
static void serve(int sock)
{
	struct server sv = { .sock = sock, .self = getpid() };
	sigset_t chld;
	close_inherited(sock);
	/* whatever handlers the harness had installed: Ctrl-C is the harness's
	 * to handle, SIGTERM ends us (and, through PDEATHSIG, our workers) */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	signal(SIGCHLD, SIG_DFL);  /* not SIG_IGN, which would reap for us and lose the status */
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	sigprocmask(SIG_BLOCK, &chld, &sv.oldmask);
	sv.sfd = signalfd(-1, &chld, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sv.sfd < 0)
		_exit(1);
	for (;;) {
		struct pollfd pf[2] = { { sock, POLLIN, 0 }, { sv.sfd, POLLIN, 0 } };
		if (poll(pf, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pf[1].revents) {
			struct signalfd_siginfo si;
			while (read(sv.sfd, &si, sizeof si) > 0)
				;
			reap_kids(&sv);
		}
		if (pf[0].revents && handle_request(&sv) < 0)
			break;
	}
	/* the harness closed its end (or went away): nothing of ours outlives it */
	for (size_t i = 0; i < sv.nkids; i++)
		kill(sv.kids[i], SIGKILL);
	while (sv.nkids > 0) {
		pid_t r = waitpid(-1, NULL, 0);
		if (r > 0)
			forget_kid(&sv, r);
		else if (errno != EINTR)
			break;
	}
	_exit(0);
}

int mpb_forkserver_start(pid_t *pid, int *sock, struct mpb_diag *d)
{
	int sv[2];
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0)
		return mpb_fail_errno(d, MPB_ESYS, errno, "forkserver: socketpair");
	pid_t parent = getpid();
	pid_t p = fork();
	if (p < 0) {
		int e = errno;
		close(sv[0]);
		close(sv[1]);
		return mpb_fail_errno(d, MPB_ERUN, e, "forkserver: fork");
	}
	if (p == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (getppid() != parent)
			_exit(3);
		close(sv[0]);
		/* a name of its own: ps shows which process is the server, and
		 * the test-only kill-server fault (inject.h) finds it by name */
		prctl(PR_SET_NAME, MPB_FORKSERVER_COMM);
		serve(sv[1]);
	}
	close(sv[1]);
	*pid = p;
	*sock = sv[0];
	return 0;
}

/* One datagram with the descriptors. */
static int send_request(int sock, const struct mpb_buf *rq, int in_fd, int out_fd, int chan_fd,
			struct mpb_diag *d)
{
	union {
		struct cmsghdr h;
		char buf[CMSG_SPACE(3 * sizeof(int))];
	} cb;
	memset(&cb, 0, sizeof cb);
	struct iovec iov = { rq->data, rq->len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cb.buf,
			     .msg_controllen = sizeof cb.buf };
	struct cmsghdr *c = CMSG_FIRSTHDR(&mh);
	int fds[3] = { in_fd, out_fd, chan_fd };
	size_t nfds = chan_fd >= 0 ? 3 : 2;
	mh.msg_controllen = CMSG_SPACE(nfds * sizeof(int));
	c->cmsg_level = SOL_SOCKET;
	c->cmsg_type = SCM_RIGHTS;
	c->cmsg_len = CMSG_LEN(nfds * sizeof(int));
	memcpy(CMSG_DATA(c), fds, nfds * sizeof(int));
	for (;;) {
		ssize_t n = sendmsg(sock, &mh, MSG_NOSIGNAL);
		if (n == (ssize_t)rq->len)
			return 0;
		if (n >= 0)
			return mpb_fail(d, MPB_ESYS, "forkserver: short send");
		if (errno == EINTR)
			continue;
		if (errno == EPIPE || errno == ECONNRESET || errno == ENOTCONN)
			return mpb_fail(d, MPB_ERUN, "the forkserver closed its socket");
		return mpb_fail_errno(d, MPB_ESYS, errno, "sending a request to the forkserver");
	}
}

int mpb_forkserver_send(int sock, const struct mpb_worker_spec *spec, int in_fd, int out_fd,
			int chan_fd, struct mpb_diag *d)
{
	struct mpb_buf rq = { 0 };
	int rc = mpb_buf_put_u32(&rq, MPB_FS_START) < 0
		 ? mpb_fail(d, MPB_ENOMEM, "forkserver: out of memory")
		 : mpb_worker_spec_encode(spec, &rq, d);
	if (rc == 0 && rq.len > MPB_FS_REQUEST_MAX)
		rc = mpb_fail(d, MPB_EINPUT, "forkserver: a request of %zu bytes exceeds %u",
			      rq.len, MPB_FS_REQUEST_MAX);
	if (rc == 0)
		rc = send_request(sock, &rq, in_fd, out_fd, chan_fd, d);
	mpb_buf_free(&rq);
	return rc;
}

int mpb_forkserver_recv(int sock, int timeout_ms, struct mpb_fs_msg *m, struct mpb_diag *d)
{
	struct pollfd pf = { sock, POLLIN, 0 };
	int r = poll(&pf, 1, timeout_ms);
	if (r < 0)
		return errno == EINTR ? 0 : mpb_fail_errno(d, MPB_ESYS, errno, "poll on the forkserver");
	if (r == 0)
		return 0;
	ssize_t n = recv(sock, m, sizeof *m, MSG_DONTWAIT);
	if (n < 0) {
		if (errno == EINTR || errno == EAGAIN)
			return 0;
		if (errno == ECONNRESET)
			return mpb_fail(d, MPB_ERUN, "the forkserver closed its socket");
		return mpb_fail_errno(d, MPB_ESYS, errno, "reading from the forkserver");
	}
	if (n == 0)
		return mpb_fail(d, MPB_ERUN, "the forkserver closed its socket");
	if ((size_t)n != sizeof *m || m->kind < MPB_FS_SPAWNED || m->kind > MPB_FS_EXITED)
		return mpb_fail(d, MPB_ERUN, "the forkserver sent a malformed message");
	m->msg[sizeof m->msg - 1] = '\0';
	return 1;
}
