/* ceiling.c — the ceiling runner, its ratios and the machine measurement of
 * `mpbench info` (see ceiling.h). */
#include "ceiling.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chunk.h"
#include "ceiling_mpi.h"
#include "clock.h"
#include "method_proc.h"
#include "stats.h"

#define POLL_SLICE_MS 100
#define MAX_ATTEMPTS 3 /* a run repeated because the result arena was short */

/* The shared mapping: [workers] child records, [tasks] result slots, then
 * [workers] arenas of arena_bytes each. */
enum { CH_RUNNING = 0, CH_OK, CH_FAILED, CH_SHORT };

struct child_rec {
	uint32_t status;
	uint32_t pad;
	uint64_t done;          /* tasks computed */
	uint64_t arena_need;    /* bytes its results take flattened */
	char error[sizeof ((struct mpb_diag *)0)->msg];
};

struct slot {
	uint32_t writes;        /* how many times a child stored this result: must be 1 */
	uint32_t type;          /* enum mpb_vtype */
	uint64_t word;          /* INT/FLOAT bits, or the offset of the flattened value */
};

/* A flattened value in an arena: a node, then for BYTES the bytes (padded to
 * 8), for LIST its items' nodes. */
struct node {
	uint32_t type;
	uint32_t pad;
	uint64_t a;             /* INT/FLOAT bits, BYTES/LIST length */
};

struct shared {
	void *base;
	size_t len;
	struct child_rec *rec;
	struct slot *slot;
	uint8_t *arena;
	size_t arena_bytes;
};

void mpb_ceiling_split(uint64_t tasks, unsigned workers, unsigned k, uint64_t *first,
		       uint64_t *count)
{
	mpb_chunk_split_static(tasks, workers, k, first, count);
}

static size_t pad8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

/* Bytes v takes flattened; SIZE_MAX when it cannot be (too deep, too big). */
static size_t flat_size(const struct mpb_value *v, int depth)
{
	if (depth > MPB_VALUE_MAX_DEPTH)
		return SIZE_MAX;
	size_t n = sizeof(struct node);
	if (v->type == MPB_VAL_BYTES) {
		if (v->as.bytes.len > SIZE_MAX / 2)
			return SIZE_MAX;
		n += pad8(v->as.bytes.len);
	} else if (v->type == MPB_VAL_LIST) {
		for (size_t i = 0; i < v->as.list.len; i++) {
			size_t m = flat_size(&v->as.list.items[i], depth + 1);
			if (m == SIZE_MAX || n > SIZE_MAX / 2 - m)
				return SIZE_MAX;
			n += m;
		}
	}
	return n;
}

static size_t flat_write(uint8_t *dst, const struct mpb_value *v)
{
	struct node nd = { (uint32_t)v->type, 0, 0 };
	size_t n = sizeof nd;
	switch (v->type) {
	case MPB_VAL_INT: nd.a = v->as.u; break;
	case MPB_VAL_FLOAT: memcpy(&nd.a, &v->as.f, sizeof nd.a); break;
	case MPB_VAL_BYTES:
		nd.a = v->as.bytes.len;
		if (v->as.bytes.len)
			memcpy(dst + n, v->as.bytes.data, v->as.bytes.len);
		n += pad8(v->as.bytes.len);
		break;
	case MPB_VAL_LIST:
		nd.a = v->as.list.len;
		for (size_t i = 0; i < v->as.list.len; i++)
			n += flat_write(dst + n, &v->as.list.items[i]);
		break;
	default: break;
	}
	memcpy(dst, &nd, sizeof nd);
	return n;
}

/* Rebuild a flattened value from arena[*off..len); bounds are checked because
 * the arena is memory a child could have scribbled on. 0 or -1. */
static int flat_read(const uint8_t *arena, size_t len, size_t *off, struct mpb_value *out,
		     int depth)
{
	struct node nd;
	*out = (struct mpb_value){ 0 };
	if (depth > MPB_VALUE_MAX_DEPTH || *off > len || len - *off < sizeof nd)
		return -1;
	memcpy(&nd, arena + *off, sizeof nd);
	*off += sizeof nd;
	switch (nd.type) {
	case MPB_VAL_NONE: return 0;
	case MPB_VAL_INT: *out = mpb_value_int(nd.a); return 0;
	case MPB_VAL_FLOAT: {
		double f;
		memcpy(&f, &nd.a, sizeof f);
		*out = mpb_value_float(f);
		return 0;
	}
	case MPB_VAL_BYTES:
		if (nd.a > len - *off || pad8((size_t)nd.a) > len - *off ||
		    mpb_value_set_bytes(out, arena + *off, (size_t)nd.a) < 0)
			return -1;
		*off += pad8((size_t)nd.a);
		return 0;
	case MPB_VAL_LIST:
		/* every item takes at least a node: a bound before allocating */
		if (nd.a > (len - *off) / sizeof nd || mpb_value_set_list(out, (size_t)nd.a) < 0)
			return -1;
		for (size_t i = 0; i < nd.a; i++) {
			if (flat_read(arena, len, off, &out->as.list.items[i], depth + 1) < 0) {
				mpb_value_clear(out);
				return -1;
			}
		}
		return 0;
	default: return -1;
	}
}

/* A child's result into its slot; values that are not scalars go to the
 * child's arena, or only count towards what it needs when it is short. */
static void store(struct shared *sh, unsigned k, uint64_t i, const struct mpb_value *v,
		  size_t *used)
{
	struct child_rec *rec = &sh->rec[k];
	struct slot *sl = &sh->slot[i];
	if (v->type == MPB_VAL_NONE || v->type == MPB_VAL_INT || v->type == MPB_VAL_FLOAT) {
		sl->type = (uint32_t)v->type;
		if (v->type == MPB_VAL_FLOAT)
			memcpy(&sl->word, &v->as.f, sizeof sl->word);
		else
			sl->word = v->type == MPB_VAL_INT ? v->as.u : 0;
	} else {
		size_t n = flat_size(v, 0);
		if (n == SIZE_MAX || rec->arena_need > SIZE_MAX / 2 - n) {
			rec->status = CH_FAILED;
			snprintf(rec->error, sizeof rec->error, "task %llu: result too large",
				 (unsigned long long)i);
			_exit(1);
		}
		rec->arena_need += n;
		if (rec->status == CH_SHORT || sh->arena_bytes - *used < n) {
			rec->status = CH_SHORT;
			return;
		}
		uint8_t *mine = sh->arena + (size_t)k * sh->arena_bytes;
		flat_write(mine + *used, v);
		sl->type = (uint32_t)v->type;
		sl->word = (uint64_t)((size_t)k * sh->arena_bytes + *used);
		*used += n;
	}
	/* atomic: a task stored twice by two children must show as 2 */
	__atomic_fetch_add(&sl->writes, 1, __ATOMIC_RELAXED);
}

static _Noreturn void child_main(const struct mpb_ceiling_job *job, struct shared *sh,
				 unsigned k, pid_t parent)
{
	/* die with the harness, whatever kills it; then check it did not die
	 * already, in the window before prctl */
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(3);
	/* Ctrl-C reaches the whole process group: the parent decides */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_DFL);
	struct child_rec *rec = &sh->rec[k];
	uint64_t first, count;
	size_t used = 0;
	mpb_ceiling_split(job->params.tasks, job->workers, k, &first, &count);
	for (uint64_t i = first; i < first + count; i++) {
		struct mpb_value r = { 0 };
		struct mpb_diag d = { 0 };
		if (job->workload->run_task(job->wl_state, &job->args[i], &r, &d) < 0) {
			snprintf(rec->error, sizeof rec->error, "task %llu: %.480s", (unsigned long long)i,
				 d.msg);
			rec->status = CH_FAILED;
			_exit(1);
		}
		store(sh, k, i, &r, &used);
		mpb_value_clear(&r);
		rec->done++;
	}
	if (rec->status != CH_SHORT)
		rec->status = CH_OK;
	_exit(0);
}

struct kids {
	unsigned n;         /* forked */
	pid_t *pid;         /* 0 once reaped */
	pid_t *orig;        /* as forked, for messages after reaping */
	int *exitfd;        /* polls readable at the child's exit: its pidfd, or
	                       where there is none its exit pipe (method_proc.h) */
	int *status;        /* wait status once reaped */
};

static bool stopping(const struct mpb_ceiling_job *job)
{
	return job->stop_flag && *job->stop_flag;
}

static int reap_one(struct kids *kd, unsigned k, bool block)
{
	for (;;) {
		pid_t r = waitpid(kd->pid[k], &kd->status[k], block ? 0 : WNOHANG);
		if (r == kd->pid[k]) {
			kd->pid[k] = 0;
			return 1;
		}
		if (r == 0)
			return 0;
		if (errno == EINTR) {
			if (!block)
				continue;
			return -EINTR;
		}
		/* ECHILD: reaped elsewhere; nothing is left to wait for */
		kd->status[k] = 0;
		kd->pid[k] = 0;
		return 1;
	}
}

/* Kill every child still alive and reap it. */
static void kill_all(struct kids *kd)
{
	for (unsigned k = 0; k < kd->n; k++)
		if (kd->pid[k] > 0)
			kill(kd->pid[k], SIGKILL);
	for (unsigned k = 0; k < kd->n; k++)
		while (kd->pid[k] > 0 && reap_one(kd, k, true) < 0)
			;
}

/* Why child k failed, or 0 when it exited cleanly. */
static int judge(const struct kids *kd, const struct shared *sh, unsigned k, struct mpb_diag *d)
{
	int st = kd->status[k];
	pid_t pid = kd->orig[k];
	const struct child_rec *rec = &sh->rec[k];
	if (WIFSIGNALED(st))
		return mpb_diag_cause(d, MPB_CAUSE_WORKER_KILLED,
				      mpb_fail(d, MPB_ERUN, "ceiling worker %u (pid %d) was killed "
					       "by signal %d", k, (int)pid, WTERMSIG(st)));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0 && (rec->status == CH_OK || rec->status == CH_SHORT))
		return 0;
	if (rec->status == CH_FAILED)
		return mpb_diag_cause(d, MPB_CAUSE_TASK_FAILED,
				      mpb_fail(d, MPB_ERUN, "ceiling worker %u (pid %d) failed: %.400s",
					       k, (int)pid, rec->error));
	if (WIFEXITED(st) && WEXITSTATUS(st) == 3)
		return mpb_fail(d, MPB_ERUN, "ceiling worker %u (pid %d) found the harness gone", k,
				(int)pid);
	return mpb_diag_cause(d, MPB_CAUSE_WORKER_EXITED,
			      mpb_fail(d, MPB_ERUN, "ceiling worker %u (pid %d) exited with status %d "
				       "before finishing its tasks", k, (int)pid,
				       WIFEXITED(st) ? WEXITSTATUS(st) : -1));
}

/* Wait for every child, failing fast: the first child that failed gets its
 * siblings killed. Returns 0 with every child reaped and judged sound, or a
 * failure after kill_all. */
static int wait_all(const struct mpb_ceiling_job *job, struct kids *kd, const struct shared *sh,
		    struct mpb_diag *d)
{
	unsigned live = kd->n;
	struct pollfd *pfd = malloc(kd->n * sizeof *pfd);
	unsigned *who = malloc(kd->n * sizeof *who);
	if (!pfd || !who) {
		free(pfd);
		free(who);
		kill_all(kd);
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	int rc = 0;
	while (live > 0 && rc == 0) {
		if (stopping(job)) {
			rc = mpb_fail(d, MPB_EINTR, "interrupted");
			break;
		}
		unsigned n = 0;
		for (unsigned k = 0; k < kd->n; k++)
			if (kd->pid[k] > 0) {
				pfd[n] = (struct pollfd){ kd->exitfd[k], POLLIN, 0 };
				who[n++] = k;
			}
		int r = poll(pfd, n, POLL_SLICE_MS);
		if (r < 0 && errno != EINTR) {
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "waiting for ceiling workers");
			break;
		}
		/* An exit pipe hangs up a few microseconds before its child is a
		 * zombie: until then the child stays in the set and the next poll
		 * returns at once. Failing fast: every child is in the set, so a
		 * later sibling's failure is seen while an earlier one runs on. */
		for (unsigned j = 0; r > 0 && j < n && rc == 0; j++) {
			if (!pfd[j].revents)
				continue;
			unsigned k = who[j];
			if (reap_one(kd, k, false) == 1) {
				live--;
				rc = judge(kd, sh, k, d);
			}
		}
	}
	free(pfd);
	free(who);
	if (rc < 0)
		kill_all(kd);
	return rc;
}

static int shared_map(struct shared *sh, uint64_t tasks, unsigned workers, size_t arena_bytes,
		      struct mpb_diag *d)
{
	size_t recs = (size_t)workers * sizeof(struct child_rec);
	if (tasks > SIZE_MAX / 2 / sizeof(struct slot) ||
	    (arena_bytes && workers > SIZE_MAX / 4 / arena_bytes))
		return mpb_fail(d, MPB_ENOMEM, "ceiling: %llu tasks' results do not fit in memory",
				(unsigned long long)tasks);
	size_t slots = (size_t)tasks * sizeof(struct slot);
	size_t arenas = (size_t)workers * arena_bytes;
	if (arenas > SIZE_MAX / 4 - recs - slots)
		return mpb_fail(d, MPB_ENOMEM, "ceiling: results do not fit in memory");
	sh->len = recs + slots + arenas;
	/* prefaulted by the parent (MAP_POPULATE): the children then take only
	 * minor faults on pages that exist, as a pool's pipes would */
	sh->base = mmap(NULL, sh->len, PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	if (sh->base == MAP_FAILED) {
		sh->base = NULL;
		return mpb_fail_errno(d, MPB_ENOMEM, errno, "ceiling: mapping %zu bytes", sh->len);
	}
	sh->rec = sh->base;
	sh->slot = (struct slot *)((char *)sh->base + recs);
	sh->arena = (uint8_t *)sh->base + recs + slots;
	sh->arena_bytes = arena_bytes;
	return 0;
}

/* Results back from the mapping into values, then the workload's verify. */
static int collect_and_verify(const struct mpb_ceiling_job *job, const struct shared *sh,
			      struct mpb_diag *d)
{
	uint64_t tasks = job->params.tasks;
	struct mpb_value *res = calloc(tasks ? tasks : 1, sizeof *res);
	if (!res)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	size_t arenas = (size_t)job->workers * sh->arena_bytes;
	int rc = 0;
	for (uint64_t i = 0; i < tasks && rc == 0; i++) {
		const struct slot *sl = &sh->slot[i];
		if (sl->writes != 1) {
			rc = mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					    mpb_fail(d, MPB_ERUN, "ceiling: task %llu was computed %u "
						     "times", (unsigned long long)i, sl->writes));
			break;
		}
		switch (sl->type) {
		case MPB_VAL_NONE: break;
		case MPB_VAL_INT: res[i] = mpb_value_int(sl->word); break;
		case MPB_VAL_FLOAT: {
			double f;
			memcpy(&f, &sl->word, sizeof f);
			res[i] = mpb_value_float(f);
			break;
		}
		default: {
			size_t off = (size_t)sl->word;
			if (sl->word > arenas || flat_read(sh->arena, arenas, &off, &res[i], 0) < 0)
				rc = mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
						    mpb_fail(d, MPB_ERUN, "ceiling: task %llu: result "
							     "is damaged", (unsigned long long)i));
		}
		}
	}
	for (uint64_t i = 0; i < tasks && rc == 0; i++) {
		struct mpb_diag vd = { 0 };
		if (job->workload->verify(job->wl_state, &job->params, i, &job->args[i], &res[i],
					  &vd) < 0)
			rc = mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					    mpb_fail(d, MPB_ERUN, "ceiling: result check failed: %.400s",
						     vd.msg));
	}
	mpb_value_clear_array(res, tasks);
	free(res);
	return rc;
}

/* One attempt. *need gets 0, or the arena a child found short and needs. */
static int run_once(const struct mpb_ceiling_job *job, size_t arena_bytes, uint64_t *wall_ns,
		    uint64_t *tasks_done, size_t *need, struct mpb_diag *d)
{
	struct shared sh = { 0 };
	struct kids kd = { 0 };
	unsigned w = job->workers;
	*need = 0;
	int rc = shared_map(&sh, job->params.tasks, w, arena_bytes, d);
	if (rc < 0)
		return rc;
	kd.pid = calloc(w, sizeof *kd.pid);
	kd.exitfd = malloc(w * sizeof *kd.exitfd);
	kd.status = calloc(w, sizeof *kd.status);
	kd.orig = calloc(w, sizeof *kd.orig);
	if (!kd.pid || !kd.exitfd || !kd.status || !kd.orig) {
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		goto out;
	}
	pid_t parent = getpid();

	uint64_t t0 = mpb_now_ns();
	for (unsigned k = 0; k < w; k++) {
		int ep[2];
		rc = mpb_proc_exit_pipe(ep, k, d);
		pid_t pid = rc < 0 ? 0 : fork();
		if (rc == 0 && pid < 0) {
			rc = mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED,
					    mpb_fail_errno(d, MPB_ERUN, errno, "fork for ceiling worker "
							   "%u of %u", k, w));
			mpb_proc_exit_pipe_close(&ep[0]);
		}
		if (rc == 0 && pid == 0) {
			mpb_proc_exit_pipe_close(&ep[0]); /* ep[1] stays open to the end */
			child_main(job, &sh, k, parent);
		}
		mpb_proc_exit_pipe_close(&ep[1]);
		if (rc == 0) {
			kd.pid[k] = kd.orig[k] = pid;
			kd.n = k + 1;
			kd.exitfd[k] = ep[0] >= 0 ? ep[0] : mpb_proc_pidfd(pid);
			if (kd.exitfd[k] < 0)
				rc = mpb_fail_errno(d, MPB_ESYS, errno, "pidfd_open for ceiling "
						    "worker %u", k);
		}
		if (rc < 0) {
			kill_all(&kd);
			goto out;
		}
	}
	rc = wait_all(job, &kd, &sh, d);
	uint64_t t1 = mpb_now_ns();
	if (rc < 0)
		goto out;
	*wall_ns = t1 - t0;
	for (unsigned k = 0; k < w; k++) {
		if (sh.rec[k].status == CH_SHORT && sh.rec[k].arena_need > *need)
			*need = (size_t)sh.rec[k].arena_need;
		if (tasks_done)
			tasks_done[k] = sh.rec[k].done;
	}
	if (*need == 0)
		rc = collect_and_verify(job, &sh, d);
out:
	for (unsigned k = 0; kd.exitfd && k < kd.n; k++)
		if (kd.exitfd[k] >= 0)
			close(kd.exitfd[k]);
	free(kd.pid);
	free(kd.exitfd);
	free(kd.status);
	free(kd.orig);
	munmap(sh.base, sh.len);
	return rc;
}

int mpb_ceiling_run(const struct mpb_ceiling_job *job, size_t *arena_bytes, uint64_t *wall_ns,
		    uint64_t *tasks_done, struct mpb_diag *d)
{
	if (!job->workload || !job->workload->run_task || !job->workload->verify ||
	    job->workers == 0 || (job->params.tasks && !job->args))
		return mpb_fail(d, MPB_EINPUT, "ceiling: needs a workload, its tasks and >= 1 worker");
	if (stopping(job))
		return mpb_fail(d, MPB_EINTR, "interrupted");
	if (job->over == MPB_METHOD_CEILING_MPI_RANKS)
		return mpb_ceiling_mpi_run(job, wall_ns, tasks_done, d);
	for (int attempt = 0; attempt < MAX_ATTEMPTS; attempt++) {
		size_t need;
		int rc = run_once(job, *arena_bytes, wall_ns, tasks_done, &need, d);
		if (rc < 0 || need == 0)
			return rc;
		/* room for what the hungriest child asked for, and a quarter more for
		 * results whose size varies between runs */
		*arena_bytes = pad8(need + need / 4);
	}
	return mpb_fail(d, MPB_ERUN, "ceiling: results kept outgrowing their room (%zu bytes "
			"per worker)", *arena_bytes);
}

/* One serial pass over the tasks: the serial baseline's loop. */
/* ---- the machine's ceiling for `mpbench info` ---------------------------- */

#define INFO_RUNS 5
#define INFO_PER_WORKER_NS 50e6   /* serial work per worker and run */
#define INFO_SERIAL_MIN_NS 250e6
#define INFO_SERIAL_MAX_NS 1600e6

static int serial_pass(const struct mpb_workload_ops *w, const struct mpb_value *args,
		       uint64_t tasks, double *ns, struct mpb_diag *d)
{
	uint64_t t0 = mpb_now_ns();
	for (uint64_t i = 0; i < tasks; i++) {
		struct mpb_value r = { 0 };
		int rc = w->run_task(NULL, &args[i], &r, d);
		mpb_value_clear(&r);
		if (rc < 0)
			return rc;
	}
	*ns = (double)(mpb_now_ns() - t0);
	return 0;
}

/* Iterations of sumsq that take about target_ns here. */
static int calibrate(const struct mpb_workload_ops *w, double target_ns, uint64_t *size,
		     struct mpb_diag *d)
{
	uint64_t n = 1000000;
	for (;;) {
		struct mpb_value a = mpb_value_int(n);
		double ns;
		int rc = serial_pass(w, &a, 1, &ns, d);
		if (rc < 0)
			return rc;
		if (ns >= 20e6 || n >= (UINT64_MAX >> 8)) {
			double s = (double)n * target_ns / (ns > 0 ? ns : 1);
			uint64_t v = s < 1000 ? 1000 : (uint64_t)s, m = 1;
			/* three significant digits: a size a person can read */
			while (v / m >= 1000)
				m *= 10;
			*size = v / m * m;
			return 0;
		}
		n *= 4;
	}
}

int mpb_ceiling_measure_machine(unsigned workers, volatile sig_atomic_t *stop_flag,
				struct mpb_ceiling_machine *out, struct mpb_diag *d)
{
	const struct mpb_workload_ops *w = &mpb_workload_sumsq;
	*out = (struct mpb_ceiling_machine){ .workers = workers ? workers : 1, .runs = INFO_RUNS };
	double serial_target = out->workers * INFO_PER_WORKER_NS;
	if (serial_target < INFO_SERIAL_MIN_NS)
		serial_target = INFO_SERIAL_MIN_NS;
	if (serial_target > INFO_SERIAL_MAX_NS)
		serial_target = INFO_SERIAL_MAX_NS;
	out->tasks = 2ull * out->workers;
	int rc = calibrate(w, serial_target / (double)out->tasks, &out->size, d);
	if (rc < 0)
		return rc;
	struct mpb_workload_params wp = { out->size, out->tasks, 0, 0 };
	struct mpb_value *args = calloc(out->tasks, sizeof *args);
	double *ser = malloc(INFO_RUNS * sizeof *ser), *cei = malloc(INFO_RUNS * sizeof *cei);
	if (!args || !ser || !cei) {
		rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
		goto out;
	}
	for (uint64_t i = 0; i < out->tasks && rc == 0; i++)
		rc = w->make_task(NULL, &wp, i, &args[i], d);
	struct mpb_ceiling_job job = { w, NULL, wp, args, out->workers, stop_flag,
				       MPB_METHOD_CEILING_PROCESSES };
	size_t arena = 0;
	/* a warm-up pair, then pairs that alternate, so drift hits both alike */
	for (int r = -1; r < INFO_RUNS && rc == 0; r++) {
		double s = 0;
		uint64_t c = 0;
		rc = serial_pass(w, args, out->tasks, &s, d);
		if (rc == 0)
			rc = mpb_ceiling_run(&job, &arena, &c, NULL, d);
		if (rc == 0 && r >= 0) {
			ser[r] = s;
			cei[r] = (double)c;
		}
	}
	if (rc == 0) {
		struct mpb_ceiling_ratios cr;
		mpb_ceiling_ratios(ser, INFO_RUNS, cei, INFO_RUNS, NULL, 0, 1, &cr);
		out->serial_ns = mpb_stats_median(ser, INFO_RUNS);
		out->ceiling_ns = cr.ceiling_median_ns;
		out->speedup = cr.speedup;
		out->ci_lo = cr.speedup_ci_lo;
		out->ci_hi = cr.speedup_ci_hi;
		out->efficiency = cr.speedup / out->workers;
	}
out:
	if (args)
		mpb_value_clear_array(args, out->tasks);
	free(args);
	free(ser);
	free(cei);
	return rc;
}
