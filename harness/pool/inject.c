/* inject.c — test-only fault injection from $MPBENCH_INJECT (see inject.h). */
#include "inject.h"

#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "forkserver.h"
#include "parse.h"

static const struct {
	const char *name;
	enum mpb_inject_action action;
	int def;
} actions[] = {
	{ "crash", MPB_INJECT_CRASH, SIGSEGV },
	{ "exit", MPB_INJECT_EXIT, 7 },
	{ "hang", MPB_INJECT_HANG, 0 },
	{ "corrupt", MPB_INJECT_CORRUPT, 0 },
	{ "kill-server", MPB_INJECT_KILL_SERVER, 0 },
	{ "launch-fail", MPB_INJECT_LAUNCH_FAIL, EAGAIN },
};
#define NACTIONS (sizeof actions / sizeof actions[0])
#define ACCEPTED "crash, exit, hang, corrupt, kill-server, launch-fail"

static const struct {
	const char *name;
	int value;
} errnos[] = { { "EAGAIN", EAGAIN }, { "ENOMEM", ENOMEM }, { "EMFILE", EMFILE } };

static int parse_kv(const char *key, const char *val, struct mpb_inject *in,
		    struct mpb_diag *d)
{
	uint64_t v;
	char what[64];
	snprintf(what, sizeof what, "%s: %s", MPB_INJECT_ENV, key);
	if (strcmp(key, "worker") == 0) {
		if (mpb_parse_u64(val, MPB_UNIT_COUNT, 0, 65535, what, &v, d) < 0)
			return -MPB_EINPUT;
		in->worker = (unsigned)v;
	} else if (strcmp(key, "after") == 0) {
		if (mpb_parse_u64(val, MPB_UNIT_COUNT, 0, UINT32_MAX, what, &in->after, d) < 0)
			return -MPB_EINPUT;
	} else if (strcmp(key, "signal") == 0 && in->action == MPB_INJECT_CRASH) {
		if (mpb_parse_u64(val, MPB_UNIT_COUNT, 1, 31, what, &v, d) < 0)
			return -MPB_EINPUT;
		in->arg = (int)v;
	} else if (strcmp(key, "status") == 0 && in->action == MPB_INJECT_EXIT) {
		if (mpb_parse_u64(val, MPB_UNIT_COUNT, 0, 255, what, &v, d) < 0)
			return -MPB_EINPUT;
		in->arg = (int)v;
	} else if (strcmp(key, "errno") == 0 && in->action == MPB_INJECT_LAUNCH_FAIL) {
		size_t k;
		for (k = 0; k < sizeof errnos / sizeof errnos[0]; k++)
			if (strcmp(val, errnos[k].name) == 0)
				break;
		if (k == sizeof errnos / sizeof errnos[0])
			return mpb_fail(d, MPB_EINPUT, "%s: '%s' is not accepted (accepted: EAGAIN, "
					"ENOMEM, EMFILE)", what, val);
		in->arg = errnos[k].value;
	} else {
		return mpb_fail(d, MPB_EINPUT, "%s: unknown key '%s' (accepted: worker, after; "
				"signal for crash, status for exit, errno for launch-fail)",
				MPB_INJECT_ENV, key);
	}
	return 0;
}

int mpb_inject_parse(const char *spec, struct mpb_inject *out, struct mpb_diag *d)
{
	memset(out, 0, sizeof *out);
	if (!spec || !*spec)
		return 0;
	char buf[256];
	if (strlen(spec) >= sizeof buf)
		return mpb_fail(d, MPB_EINPUT, "%s: value longer than %zu characters", MPB_INJECT_ENV,
				sizeof buf - 1);
	strcpy(buf, spec);
	char *colon = strchr(buf, ':');
	if (colon)
		*colon = '\0';
	size_t a;
	for (a = 0; a < NACTIONS; a++)
		if (strcmp(buf, actions[a].name) == 0)
			break;
	if (a == NACTIONS)
		return mpb_fail(d, MPB_EINPUT, "%s: unknown fault '%s' (accepted: " ACCEPTED ")",
				MPB_INJECT_ENV, buf);
	out->action = actions[a].action;
	out->arg = actions[a].def;
	char *save = NULL;
	for (char *kv = colon ? strtok_r(colon + 1, ",", &save) : NULL; kv;
	     kv = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(kv, '=');
		if (!eq || eq == kv || !eq[1]) {
			memset(out, 0, sizeof *out);
			return mpb_fail(d, MPB_EINPUT, "%s: '%s' is not KEY=VALUE", MPB_INJECT_ENV, kv);
		}
		*eq = '\0';
		if (parse_kv(kv, eq + 1, out, d) < 0) {
			memset(out, 0, sizeof *out);
			return -MPB_EINPUT;
		}
	}
	return 0;
}

int mpb_inject_check(struct mpb_diag *d)
{
	struct mpb_inject in;
	const char *spec = getenv(MPB_INJECT_ENV);
	if (!MPB_FAULT_INJECTION && spec && *spec)
		return mpb_fail(d, MPB_EINPUT, "%s is set, but this mpbench was built without fault "
				"injection (accepted: unset; test builds use meson -Dfault_injection=true)",
				MPB_INJECT_ENV);
	return mpb_inject_parse(spec, &in, d);
}

static struct mpb_inject current_spec;

static void load_current(void)
{
	struct mpb_diag d = { 0 };
	/* a build without fault injection never injects, whatever is set */
	if (!MPB_FAULT_INJECTION || mpb_inject_parse(getenv(MPB_INJECT_ENV), &current_spec, &d) < 0)
		memset(&current_spec, 0, sizeof current_spec);
}

/* The spec of this process, parsed once (a bad one injects nothing: the
 * harness refused it before any worker existed). Once, because thread
 * workers reach their first chunk at the same time. */
static const struct mpb_inject *current(void)
{
	static pthread_once_t once = PTHREAD_ONCE_INIT;
	pthread_once(&once, load_current);
	return &current_spec;
}

/* Sleep until the process ends: a worker's hang. Killing ends a process
 * worker; a thread worker is abandoned by its pool (method_thread.c). This
 * sleep is the injected fault itself (test builds only), not a wait of the
 * harness's. */
static _Noreturn void hang(void)
{
	for (;;) {
		struct timespec ts = { 3600, 0 };
		nanosleep(&ts, NULL);
	}
}

/* Whether this process's parent is the forkserver (forkserver.c names it). */
static bool parent_is_server(void)
{
	char path[64], comm[32] = "";
	snprintf(path, sizeof path, "/proc/%d/comm", (int)getppid());
	FILE *f = fopen(path, "re");
	if (!f)
		return false;
	bool yes = fgets(comm, sizeof comm, f) &&
		   strncmp(comm, MPB_FORKSERVER_COMM "\n", sizeof MPB_FORKSERVER_COMM) == 0;
	fclose(f);
	return yes;
}

void mpb_inject_worker(unsigned index, uint64_t tasks_done, mpb_inject_send_fn send, void *ctx)
{
	const struct mpb_inject *in = current();
	if (in->action == MPB_INJECT_NONE || in->action == MPB_INJECT_LAUNCH_FAIL ||
	    in->worker != index || tasks_done < in->after)
		return;
	switch (in->action) {
	case MPB_INJECT_CRASH:
		signal(in->arg, SIG_DFL);
		raise(in->arg);
		_exit(128 + in->arg); /* a signal the process survives still ends it */
	case MPB_INJECT_EXIT:
		_exit(in->arg);
	case MPB_INJECT_KILL_SERVER:
		if (!parent_is_server())
			return; /* not a forkserver worker: its parent is the harness */
		kill(getppid(), SIGKILL);
		break; /* then hang: the server's death must be what ends the run */
	case MPB_INJECT_CORRUPT: {
		/* a header of type 0xee with nonzero reserved bytes */
		static const unsigned char junk[16] = { 4, 0, 0, 0, 0xee, 1, 2, 3, 'j', 'u', 'n', 'k' };
		(void)send(ctx, junk, sizeof junk);
		break; /* then hang: the parent must act on the frame, not on an exit */
	}
	default:
		break;
	}
	hang(); /* until killed; the parent's timeout or failure path kills us */
}

void mpb_inject_thread_worker(unsigned index, uint64_t tasks_done)
{
	const struct mpb_inject *in = current();
	if (in->action == MPB_INJECT_HANG && in->worker == index && tasks_done >= in->after)
		hang();
}

int mpb_inject_launch(unsigned index, const char *call, struct mpb_diag *d)
{
	const struct mpb_inject *in = current();
	if (in->action != MPB_INJECT_LAUNCH_FAIL || in->worker != index)
		return 0;
	return mpb_fail_errno(d, MPB_ERUN, in->arg, "%s for worker %u (injected by %s)", call,
			      index, MPB_INJECT_ENV);
}
