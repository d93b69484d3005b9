/* pyrecord.c — the Python instrumentation's records read back (see pyrecord.h). */
#include "pyrecord.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "overhead.h"

void mpb_pyrec_free(struct mpb_pyrec *r)
{
	json_decref(r->parent);
	free(r->w);
	memset(r, 0, sizeof *r);
}

static uint64_t num(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 ? (uint64_t)v : 0;
}

static int read_worker(const char *path, uint64_t out[MPB_PYREC_RECORD_SLOTS])
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	ssize_t n = read(fd, out, MPB_PYREC_RECORD_SLOTS * sizeof out[0]);
	close(fd);
	if (n != (ssize_t)(MPB_PYREC_RECORD_SLOTS * sizeof out[0]) ||
	    out[MPB_PYREC_MAGIC_SLOT] != MPB_PYREC_MAGIC)
		return -1;
	return 0;
}

/* Keep the parent record p when it is the command's own, or earlier than
 * the one kept and the kept one is not the command's. */
static void choose_parent(struct mpb_pyrec *r, json_t *p, pid_t script_pid)
{
	r->nparents++;
	json_t *k = r->parent;
	bool p_own = num(p, "pid") == (uint64_t)script_pid;
	bool k_own = k && num(k, "pid") == (uint64_t)script_pid;
	if (!k || (!k_own && (p_own || num(p, "t0_ns") < num(k, "t0_ns")))) {
		json_decref(k);
		r->parent = p;
	} else {
		json_decref(p);
	}
}

int mpb_pyrec_load(const char *dir, pid_t script_pid, struct mpb_pyrec *r, struct mpb_diag *d)
{
	memset(r, 0, sizeof *r);
	DIR *dp = opendir(dir);
	if (!dp)
		return mpb_fail_errno(d, MPB_ESYS, errno, "python records: %s", dir);
	size_t cap = 0;
	int rc = 0;
	struct dirent *e;
	while (rc == 0 && (e = readdir(dp))) {
		char path[PATH_MAX];
		if (snprintf(path, sizeof path, "%s/%s", dir, e->d_name) >= (int)sizeof path)
			continue;
		size_t len = strlen(e->d_name);
		if (e->d_name[0] == 'w' && e->d_name[1] == '-' && len > 4 &&
		    strcmp(e->d_name + len - 4, ".bin") == 0) {
			if (r->nw == cap) {
				size_t nc = cap ? 2 * cap : 8;
				void *nw = realloc(r->w, nc * sizeof *r->w);
				if (!nw) {
					rc = mpb_fail(d, MPB_ENOMEM, "out of memory");
					break;
				}
				r->w = nw;
				cap = nc;
			}
			if (read_worker(path, r->w[r->nw]) == 0)
				r->nw++;
		} else if (e->d_name[0] == 'p' && e->d_name[1] == '-' && len > 5 &&
			   strcmp(e->d_name + len - 5, ".json") == 0) {
			json_t *p = json_load_file(path, 0, NULL);
			if (json_is_object(p))
				choose_parent(r, p, script_pid);
			else
				json_decref(p);
		}
	}
	closedir(dp);
	return rc;
}

static bool listed(const json_t *pids, uint64_t pid)
{
	size_t i;
	json_t *v;
	json_array_foreach(pids, i, v)
		if (json_integer_value(v) == (json_int_t)pid)
			return true;
	return false;
}

/* Whether worker record w belongs to the chosen pool. */
static bool of_pool(const json_t *p, const uint64_t *w)
{
	if (listed(json_object_get(p, "worker_pids"), w[MPB_PYREC_PID]))
		return true;
	uint64_t t0 = num(p, "t0_ns"), td = num(p, "teardown_start_ns");
	return w[MPB_PYREC_STARTED] >= t0 && (!td || w[MPB_PYREC_STARTED] <= td);
}

static uint64_t max2(uint64_t a, uint64_t b)
{
	return a > b ? a : b;
}

static uint64_t since(uint64_t from, uint64_t to)
{
	return to > from ? to - from : 0;
}

/* One worker's report from its record; td is the pool's teardown start (0:
 * unknown): a worker still waiting for a task then was idle until it. */
static void worker_report(const uint64_t *w, uint64_t t0, uint64_t td, struct mpb_worker_report *o)
{
	memset(o, 0, sizeof *o);
	o->pid = (pid_t)w[MPB_PYREC_PID];
	uint64_t ready = w[MPB_PYREC_READY];
	o->startup_ns = ready ? since(t0, ready) : 0;
	o->timeline.ready_ns = o->startup_ns;
	o->tasks = w[MPB_PYREC_TASKS];
	o->compute_ns = w[MPB_PYREC_COMPUTE];
	o->codec_ns = w[MPB_PYREC_LOADS_NS] + w[MPB_PYREC_DUMPS_NS];
	o->idle_ns = w[MPB_PYREC_IDLE];
	o->send_ns = w[MPB_PYREC_SEND];
	uint64_t end = max2(w[MPB_PYREC_LAST_PUT], w[MPB_PYREC_LAST_GET]);
	uint64_t waited = 0; /* the wait it was in when the teardown began */
	if (w[MPB_PYREC_IN_GET] && td > w[MPB_PYREC_IN_GET]) {
		waited = td - w[MPB_PYREC_IN_GET];
		o->idle_ns += waited;
		end = max2(end, td);
	}
	end = max2(end, w[MPB_PYREC_T_TASK]);
	o->serve_ns = ready ? since(ready, end) : 0;
	/* a worker killed inside that wait after it had unpickled what it got
	 * (terminate() racing the sentinel) has that unpickling in codec_ns
	 * and inside the wait: count it once, as codec */
	uint64_t parts = o->compute_ns + o->codec_ns + o->idle_ns + o->send_ns;
	if (waited && parts > o->serve_ns)
		o->idle_ns -= parts - o->serve_ns < waited ? parts - o->serve_ns : waited;
	o->nvcsw = w[MPB_PYREC_NVCSW];
	o->nivcsw = w[MPB_PYREC_NIVCSW];
	o->minflt = w[MPB_PYREC_MINFLT];
	o->majflt = w[MPB_PYREC_MAJFLT];
	o->maxrss_kb = w[MPB_PYREC_MAXRSS_KB];
	o->timeline.running_ns = since(t0, w[MPB_PYREC_STARTED]);
	o->timeline.counted_ns = w[MPB_PYREC_COUNTED] ? since(t0, w[MPB_PYREC_COUNTED]) : 0;
	o->instrumentation_ns = w[MPB_PYREC_OPEN_NS];
	/* memory: its own read-out, or the pool's process's before terminate() */
	o->has_memory = w[MPB_PYREC_MEMORY] != 0;
	if (o->has_memory) {
		o->rss_kb = w[MPB_PYREC_RSS_KB];
		o->pss_kb = w[MPB_PYREC_PSS_KB];
		o->private_dirty_kb = w[MPB_PYREC_PRIVATE_DIRTY_KB];
	}
	/* read out by itself at its loop's end, or by the pool's process just
	 * before terminate() killed it; killed otherwise: no counters */
	if (!w[MPB_PYREC_ENDED] && !w[MPB_PYREC_TAKEN])
		return;
	o->readout_ns = w[MPB_PYREC_READOUT_NS];
	if (!w[MPB_PYREC_ENDED])
		o->counters_not_taken = (uint32_t)w[MPB_PYREC_TAKE_FAILED];
	uint64_t n = w[MPB_PYREC_NCOUNTERS];
	o->counters.n = (uint32_t)(n < MPB_COUNTERS_MAX ? n : MPB_COUNTERS_MAX);
	o->counters.split = (uint32_t)w[MPB_PYREC_SPLIT];
	for (uint32_t i = 0; i < o->counters.n; i++) {
		const uint64_t *c = &w[MPB_PYREC_COUNTERS + 4 * i];
		uint32_t state = (uint32_t)c[3];
		o->counters.c[i] = (struct mpb_count){
			.value = c[0], .enabled_ns = c[1], .running_ns = c[2],
			.state = state <= MPB_COUNT_FAILED ? (int32_t)state : MPB_COUNT_FAILED,
			.err = (int32_t)(c[3] >> 32),
		};
	}
}

/* Pickling calls of one direction, summed over processes; "large" the
 * calls that moved at least MPB_PYREC_LARGE bytes. */
struct pick {
	uint64_t calls, ns, bytes;
	uint64_t large, large_ns, min_ns, max_ns; /* min_ns MPB_PYREC_NONE: no large call */
};

/* Add one process's figures: v = {calls, ns, bytes, large, large_ns,
 * large_min_ns, large_max_ns}. */
static void pick_add(struct pick *a, const uint64_t v[7])
{
	a->calls += v[0];
	a->ns += v[1];
	a->bytes += v[2];
	a->large += v[3];
	a->large_ns += v[4];
	if (v[3] && v[5] < a->min_ns)
		a->min_ns = v[5];
	if (v[3])
		a->max_ns = max2(a->max_ns, v[6]);
}

static json_t *pick_json(const struct pick *a)
{
	return json_pack("{s:I, s:I, s:I, s:{s:I, s:I, s:I, s:I}}", "calls", (json_int_t)a->calls,
			 "ns", (json_int_t)a->ns, "bytes", (json_int_t)a->bytes, "large",
			 "calls", (json_int_t)a->large, "ns", (json_int_t)a->large_ns,
			 "min_ns", (json_int_t)(a->large ? a->min_ns : 0),
			 "max_ns", (json_int_t)a->max_ns);
}

/* A parent record's figures of one direction ("dumps" or "loads"). */
static void parent_pick(const json_t *p, const char *way, const char *bytes, struct pick *a)
{
	char k[5][32];
	snprintf(k[0], sizeof k[0], "%s_ns", way);
	snprintf(k[1], sizeof k[1], "large_%s", way);
	snprintf(k[2], sizeof k[2], "large_%s_ns", way);
	snprintf(k[3], sizeof k[3], "large_%s_min_ns", way);
	snprintf(k[4], sizeof k[4], "large_%s_max_ns", way);
	const uint64_t v[7] = { num(p, way), num(p, k[0]), num(p, bytes), num(p, k[1]),
				num(p, k[2]), num(p, k[3]), num(p, k[4]) };
	pick_add(a, v);
}

/* {parent, workers: {dumps, loads}}: the pickling calls of the parent (its
 * p-<pid>.json) and of the pool's workers, each direction apart, with the
 * per-call extremes of the large calls besides the totals that codec_ns
 * sums. */
static json_t *pickling(const struct mpb_pyrec *r, const json_t *p)
{
	struct pick pd = { .min_ns = MPB_PYREC_NONE }, pl = pd, wd = pd, wl = pd;
	parent_pick(p, "dumps", "bytes_sent", &pd);
	parent_pick(p, "loads", "bytes_received", &pl);
	for (size_t k = 0; k < r->nw; k++) {
		const uint64_t *w = r->w[k];
		if (!of_pool(p, w))
			continue;
		const uint64_t d[7] = { w[MPB_PYREC_NDUMPS], w[MPB_PYREC_DUMPS_NS],
					w[MPB_PYREC_BYTES_OUT], w[MPB_PYREC_DUMPS_LARGE],
					w[MPB_PYREC_DUMPS_LARGE_NS], w[MPB_PYREC_DUMPS_LARGE_MIN],
					w[MPB_PYREC_DUMPS_LARGE_MAX] };
		const uint64_t l[7] = { w[MPB_PYREC_NLOADS], w[MPB_PYREC_LOADS_NS],
					w[MPB_PYREC_BYTES_IN], w[MPB_PYREC_LOADS_LARGE],
					w[MPB_PYREC_LOADS_LARGE_NS], w[MPB_PYREC_LOADS_LARGE_MIN],
					w[MPB_PYREC_LOADS_LARGE_MAX] };
		pick_add(&wd, d);
		pick_add(&wl, l);
	}
	return json_pack("{s:{s:o, s:o}, s:{s:o, s:o}}",
			 "parent", "dumps", pick_json(&pd), "loads", pick_json(&pl),
			 "workers", "dumps", pick_json(&wd), "loads", pick_json(&wl));
}

static json_t *str_of(const json_t *p, const char *key)
{
	const char *s = json_string_value(json_object_get(p, key));
	return json_string(s ? s : "");
}

/* The parent's pickling inside the map window, for the overhead split. A
 * pool's parent starts pickling tasks as soon as map() is called, and under
 * spawn that is long before its workers are ready: those calls lie in the
 * start-up window. The record has the parent's pickling up to its first
 * result (`pre`, its calls between first_dump and first_result); the part of
 * it before the map window opened is apportioned by time (the calls hold the
 * GIL, so they cannot overlap). Everything after the first result is inside
 * the map window. `total` stays the run's codec_ns.parent. */
static uint64_t codec_in_window(uint64_t total, uint64_t pre, uint64_t first_dump,
				uint64_t first_result, uint64_t map_start)
{
	if (!pre || pre > total || first_result <= first_dump || map_start <= first_dump)
		return total;
	uint64_t end = map_start < first_result ? map_start : first_result;
	double before = (double)pre * (double)(end - first_dump) /
			(double)(first_result - first_dump);
	return total - (uint64_t)before;
}

int mpb_pyrec_fill(const struct mpb_pyrec *r, struct mpb_sample *s, json_t **python,
		   struct mpb_diag *d)
{
	const json_t *p = r->parent;
	*python = NULL;
	if (!p) {
		*python = json_pack("{s:i}", "pools", 0);
		return *python ? 0 : mpb_fail(d, MPB_ENOMEM, "out of memory");
	}
	size_t n = 0;
	for (size_t k = 0; k < r->nw; k++)
		n += of_pool(p, r->w[k]);
	struct mpb_worker_report *wr = calloc(n ? n : 1, sizeof *wr);
	if (!wr)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	uint64_t t0 = num(p, "t0_ns"), td0 = num(p, "teardown_start_ns");
	uint64_t ready_max = 0, tasks = 0;
	size_t never = 0, j = 0;
	for (size_t k = 0; k < r->nw; k++) {
		if (!of_pool(p, r->w[k]))
			continue;
		worker_report(r->w[k], t0, td0, &wr[j++]);
		ready_max = max2(ready_max, r->w[k][MPB_PYREC_READY]);
		never += r->w[k][MPB_PYREC_READY] == 0;
		tasks += r->w[k][MPB_PYREC_TASKS];
	}
	/* listed by the parent but no record: never reached its loop */
	size_t i;
	json_t *v;
	json_array_foreach(json_object_get(p, "worker_pids"), i, v) {
		bool found = false;
		for (size_t k = 0; k < j && !found; k++)
			found = (json_int_t)wr[k].pid == json_integer_value(v);
		never += !found;
	}
	uint64_t first = num(p, "first_dump_ns"), last = num(p, "last_load_ns");
	uint64_t first_result = num(p, "first_load_ns");
	if (first_result && ready_max > first_result)
		ready_max = first_result;
	uint64_t startup_end = max2(num(p, "ctor_end_ns"), ready_max);
	uint64_t td1 = num(p, "teardown_end_ns");
	free(s->worker);
	s->worker = wr;
	s->nworkers = (unsigned)j;
	s->startup_ns = since(t0, startup_end);
	s->map_ns = first && last ? since(max2(first, startup_end), last) : 0;
	s->teardown_ns = td0 ? since(td0, td1) : 0;
	s->codec_parent_ns = num(p, "dumps_ns") + num(p, "loads_ns");
	uint64_t codec_in_map = codec_in_window(s->codec_parent_ns,
						num(p, "codec_before_first_load_ns"), first,
						first_result, max2(first, startup_end));
	s->bytes_sent = num(p, "bytes_sent");
	s->bytes_received = num(p, "bytes_received");
	s->compute_ns = s->codec_workers_ns = s->instrumentation_ns = 0;
	for (size_t k = 0; k < j; k++) {
		s->compute_ns += wr[k].compute_ns;
		s->codec_workers_ns += wr[k].codec_ns;
		s->instrumentation_ns += wr[k].instrumentation_ns + wr[k].readout_ns;
	}
	struct mpb_pool_report rep = {
		.startup_ns = s->startup_ns, .map_ns = s->map_ns, .teardown_ns = s->teardown_ns,
		.compute_ns = s->compute_ns, .codec_parent_ns = codec_in_map,
		.codec_workers_ns = s->codec_workers_ns, .bytes_sent = s->bytes_sent,
		.bytes_received = s->bytes_received, .tasks = tasks, .workers = (unsigned)j,
		.worker = wr,
	};
	mpb_overhead_split(&rep, &s->overhead); /* an inconsistent split is recorded as such */
	*python = json_pack("{s:I, s:o, s:o, s:o, s:o, s:s, s:I, s:I, s:I, s:I, s:I, s:I, s:o, s:o}",
		"pools", (json_int_t)num(p, "pools"), "kind", str_of(p, "kind"),
		"start_method", str_of(p, "start_method"), "python", str_of(p, "python"),
		"implementation", str_of(p, "implementation"), "codec", "pickle",
		"processes", (json_int_t)num(p, "processes"), "workers_seen", (json_int_t)j,
		"workers_never_ready", (json_int_t)never, "dumps", (json_int_t)num(p, "dumps"),
		"loads", (json_int_t)num(p, "loads"), "pid", (json_int_t)num(p, "pid"),
		"killed", str_of(p, "killed"), "pickling", pickling(r, p));
	return *python ? 0 : mpb_fail(d, MPB_ENOMEM, "out of memory");
}
