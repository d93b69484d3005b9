/* ceiling_mpi.c — the ceiling over bare MPI ranks (see ceiling_mpi.h). */
#include "ceiling_mpi.h"

#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "chunk.h"
#include "clock.h"
#include "codec.h"
#include "mpi_job.h"
#include "mpi_launch.h"

#define POLL_SLICE_MS 100

static bool stopping(const struct mpb_ceiling_job *job)
{
	return job->stop_flag && *job->stop_flag;
}

/* Read what rank 0 writes until EOF, or until mpirun has ended (then what
 * is left in the socket); woken by either, the slice bounds the wait for
 * the stop flag only. */
static int read_all(const struct mpb_ceiling_job *job, struct mpb_mpi_job *j,
		    struct mpb_buf *in, struct mpb_diag *d)
{
	int efd = mpb_mpi_job_exit_fd(j);
	int rc = 0;
	bool eof = false;
	while (rc == 0 && !eof) {
		if (stopping(job)) {
			rc = mpb_fail(d, MPB_EINTR, "interrupted");
			break;
		}
		struct pollfd pf[2] = { { j->conn, POLLIN, 0 }, { efd, POLLIN, 0 } };
		int r = poll(pf, efd >= 0 ? 2 : 1, POLL_SLICE_MS);
		if (r < 0 && errno != EINTR)
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "ceiling: poll");
		bool gone = r > 0 && efd >= 0 && (pf[1].revents & POLLIN) &&
			    mpb_mpi_job_reap(j, false) == 1;
		while (rc == 0 && !eof && (gone || (r > 0 && pf[0].revents))) {
			if (mpb_buf_reserve(in, 65536) < 0) {
				rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
				break;
			}
			ssize_t n = recv(j->conn, in->data + in->len, 65536, MSG_DONTWAIT);
			if (n > 0) {
				in->len += (size_t)n;
				continue;
			}
			if (n < 0 && errno == EINTR)
				continue;
			eof = n == 0 || gone;
			if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && !gone)
				rc = mpb_fail_errno(d, MPB_ERUN, errno, "ceiling: reading rank 0");
			break;
		}
	}
	/* then the end of mpirun itself, woken by its exit */
	while (rc == 0 && mpb_mpi_job_reap(j, false) == 0) {
		if (stopping(job)) {
			rc = mpb_fail(d, MPB_EINTR, "interrupted");
			break;
		}
		struct pollfd pf = { efd, POLLIN, 0 };
		if (efd < 0) {
			mpb_mpi_job_reap(j, true);
			break;
		}
		if (poll(&pf, 1, POLL_SLICE_MS) < 0 && errno != EINTR)
			rc = mpb_fail_errno(d, MPB_ESYS, errno, "ceiling: poll");
	}
	if (efd >= 0)
		close(efd);
	return rc;
}

/* mpirun's end: a clean exit, or why not. */
static int judge_job(const struct mpb_mpi_job *j, unsigned ranks, struct mpb_diag *d)
{
	int st = j->status;
	if (WIFEXITED(st) && WEXITSTATUS(st) == 0)
		return 0;
	char w[32];
	mpb_mpi_job_status_words(st, w, sizeof w);
	return mpb_diag_cause(d, WIFSIGNALED(st) ? MPB_CAUSE_WORKER_KILLED : MPB_CAUSE_WORKER_EXITED,
			      mpb_fail(d, MPB_ERUN, "ceiling over %u MPI ranks: mpirun (pid %d) "
				       "ended with %s (a rank died or failed; see its messages "
				       "above)", ranks, (int)j->pid, w));
}

/* Every rank's part: the split it computed, its results, into res. */
static int take_parts(const struct mpb_ceiling_job *job, const struct mpb_buf *in,
		      struct mpb_value *res, uint64_t *tasks_done, struct mpb_diag *d)
{
	struct mpb_reader r = { in->data, in->len };
	for (unsigned k = 0; k < job->workers; k++) {
		struct mpb_mpi_bare_part part;
		const uint8_t *p;
		uint64_t first, count;
		mpb_chunk_split_static(job->params.tasks, job->workers, k, &first, &count);
		if (mpb_rd_bytes(&r, sizeof part, &p) < 0)
			return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL,
					      mpb_fail(d, MPB_ERUN, "ceiling: rank %u's results are "
						       "missing", k));
		memcpy(&part, p, sizeof part);
		if (part.len > r.left || mpb_rd_bytes(&r, (size_t)part.len, &p) < 0)
			return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL,
					      mpb_fail(d, MPB_ERUN, "ceiling: rank %u's results are "
						       "cut short", k));
		if (part.status != 0)
			return mpb_diag_cause(d, MPB_CAUSE_TASK_FAILED,
					      mpb_fail(d, MPB_ERUN, "ceiling: MPI rank %u failed: "
						       "%.*s", k, (int)(part.len > 400 ? 400 : part.len),
						       (const char *)p));
		if (part.first != first || part.count != count)
			return mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					      mpb_fail(d, MPB_ERUN, "ceiling: MPI rank %u computed "
						       "tasks [%llu, +%llu), not its share [%llu, "
						       "+%llu)", k, (unsigned long long)part.first,
						       (unsigned long long)part.count,
						       (unsigned long long)first,
						       (unsigned long long)count));
		struct mpb_reader pr = { p, (size_t)part.len };
		struct mpb_value list = { 0 };
		struct mpb_diag cd = { 0 };
		if (mpb_codec_raw.decode(&pr, &list, &cd) < 0 || list.type != MPB_VAL_LIST ||
		    list.as.list.len != count || pr.left != 0) {
			mpb_value_clear(&list);
			return mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					      mpb_fail(d, MPB_ERUN, "ceiling: MPI rank %u's results "
						       "are damaged", k));
		}
		/* the values move from the list into their slots */
		memcpy(&res[first], list.as.list.items, count * sizeof *res);
		free(list.as.list.items);
		if (tasks_done)
			tasks_done[k] = count;
	}
	if (r.left != 0)
		return mpb_diag_cause(d, MPB_CAUSE_PROTOCOL,
				      mpb_fail(d, MPB_ERUN, "ceiling: more results than ranks"));
	return 0;
}

static int verify(const struct mpb_ceiling_job *job, const struct mpb_value *res,
		  struct mpb_diag *d)
{
	for (uint64_t i = 0; i < job->params.tasks; i++) {
		struct mpb_diag vd = { 0 };
		if (job->workload->verify(job->wl_state, &job->params, i, &job->args[i], &res[i],
					  &vd) < 0)
			return mpb_diag_cause(d, MPB_CAUSE_WRONG_RESULT,
					      mpb_fail(d, MPB_ERUN, "ceiling: result check failed: "
						       "%.400s", vd.msg));
	}
	return 0;
}

int mpb_ceiling_mpi_run(const struct mpb_ceiling_job *job, uint64_t *wall_ns,
			uint64_t *tasks_done, struct mpb_diag *d)
{
	if (!mpb_mpi_job_built())
		return mpb_fail(d, MPB_EINPUT, "ceiling over MPI ranks: this mpbench was built "
				"without MPI");
	char nums[4][24];
	const uint64_t v[4] = { job->params.size, job->params.tasks, job->params.seed,
				job->params.result_size };
	for (int i = 0; i < 4; i++)
		snprintf(nums[i], sizeof nums[i], "%llu", (unsigned long long)v[i]);
	const char *args[] = { MPB_MPI_BARE_CEILING, job->workload->name, nums[0], nums[1],
			       nums[2], nums[3] };
	struct mpb_mpi_job j;
	struct mpb_buf in = { 0 };
	uint64_t tasks = job->params.tasks;
	struct mpb_value *res = calloc(tasks ? tasks : 1, sizeof *res);
	if (!res)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	uint64_t t0 = mpb_now_ns();
	int rc = mpb_mpi_job_start(&j, job->workers, args, sizeof args / sizeof *args, d);
	if (rc == -MPB_ERUN && d->cause == MPB_CAUSE_NONE)
		mpb_diag_cause(d, MPB_CAUSE_LAUNCH_FAILED, rc); /* a rank died in its launch */
	if (rc == 0)
		rc = read_all(job, &j, &in, d);
	uint64_t t1 = mpb_now_ns();
	if (rc == 0)
		rc = judge_job(&j, job->workers, d);
	if (rc == 0)
		*wall_ns = t1 - t0;
	if (rc == 0 || j.pid > 0)
		mpb_mpi_job_close(&j); /* ends and reaps whatever is left */
	if (rc == 0)
		rc = take_parts(job, &in, res, tasks_done, d);
	if (rc == 0)
		rc = verify(job, res, d);
	mpb_value_clear_array(res, tasks);
	free(res);
	mpb_buf_free(&in);
	return rc;
}
