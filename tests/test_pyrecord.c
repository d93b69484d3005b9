/* test_pyrecord.c — the Python instrumentation's directory (pyinstr.h) and
 * its records read back into a run's figures (pyrecord.h). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "pyinstr.h"
#include "pyrecord.h"

static void write_worker(const char *dir, const uint64_t *w)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/w-%llu.bin", dir, (unsigned long long)w[MPB_PYREC_PID]);
	FILE *f = fopen(path, "wb");
	assert_non_null(f);
	assert_int_equal(fwrite(w, sizeof *w, MPB_PYREC_RECORD_SLOTS, f), MPB_PYREC_RECORD_SLOTS);
	fclose(f);
}

static void write_text(const char *dir, const char *name, const char *text)
{
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/%s", dir, name);
	FILE *f = fopen(path, "w");
	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void remove_tmp(const char *dir)
{
	char cmd[PATH_MAX + 16];
	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	assert_int_equal(system(cmd), 0);
}

/* Load dir's records as the run of command pid, and fill s and *py. */
static void load_fill(const char *dir, pid_t pid, struct mpb_pyrec *r, struct mpb_sample *s,
		      json_t **py)
{
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pyrec_load(dir, pid, r, &d), 0);
	assert_int_equal(mpb_pyrec_fill(r, s, py, &d), 0);
}

static void worker(uint64_t *w, uint64_t pid, uint64_t started, uint64_t ready)
{
	memset(w, 0, MPB_PYREC_RECORD_SLOTS * sizeof *w);
	w[MPB_PYREC_MAGIC_SLOT] = MPB_PYREC_MAGIC;
	w[MPB_PYREC_PID] = pid;
	w[MPB_PYREC_STARTED] = started;
	w[MPB_PYREC_READY] = ready;
}

/* begin makes the file (the embedded source, byte for byte) and the record
 * directory and the two entries; end leaves nothing. */
static void test_instr_dir(void **st)
{
	(void)st;
	struct mpb_pyinstr pi;
	struct mpb_diag d = { 0 };
	setenv("PYTHONPATH", "/some/where", 1);
	assert_int_equal(mpb_pyinstr_begin(&pi, NULL, &d), 0);
	char path[PATH_MAX + 32];
	snprintf(path, sizeof path, "%s/sitecustomize.py", pi.dir);
	FILE *f = fopen(path, "r");
	assert_non_null(f);
	char *buf = malloc(mpb_pyinstr_source_len + 1);
	assert_int_equal(fread(buf, 1, mpb_pyinstr_source_len + 1, f), mpb_pyinstr_source_len);
	fclose(f);
	assert_memory_equal(buf, mpb_pyinstr_source, mpb_pyinstr_source_len);
	free(buf);
	assert_non_null(strstr(mpb_pyinstr_source, "MPBENCH_PY_DIR"));
	struct stat sb;
	assert_int_equal(stat(pi.records, &sb), 0);
	assert_true(S_ISDIR(sb.st_mode));
	char want[PATH_MAX + 64];
	snprintf(want, sizeof want, "PYTHONPATH=%s:/some/where", pi.dir);
	assert_string_equal(pi.env[0], want);
	snprintf(want, sizeof want, "MPBENCH_PY_DIR=%s", pi.records);
	assert_string_equal(pi.env[1], want);
	assert_null(pi.env[2]);
	write_text(pi.records, "w-1.bin", "left by a worker");
	char dir[PATH_MAX];
	memcpy(dir, pi.dir, sizeof dir);
	mpb_pyinstr_end(&pi);
	assert_int_not_equal(stat(dir, &sb), 0);
	mpb_pyinstr_end(&pi); /* twice is harmless */
	unsetenv("PYTHONPATH");

	/* a counter plan: the workers get it with the system call's number */
	struct mpb_counter_plan plan = { .n = 2, .leader = { 0, 0 } };
	plan.ev[0] = (struct mpb_counter_spec){ .type = 1, .config = 1 };
	plan.ev[1] = (struct mpb_counter_spec){ .type = 1, .flags = 2, .config = 3 };
	assert_int_equal(mpb_pyinstr_begin(&pi, &plan, &d), 0);
	snprintf(want, sizeof want, "MPBENCH_PY_COUNTERS=%ld 1;2;1,0,1,0,0,0;1,2,3,0,0,0",
		 (long)SYS_perf_event_open);
	assert_string_equal(pi.env[2], want);
	assert_null(pi.env[3]);
	mpb_pyinstr_end(&pi);
	plan.n = 0; /* an empty plan: nothing to open */
	assert_int_equal(mpb_pyinstr_begin(&pi, &plan, &d), 0);
	assert_null(pi.env[2]);
	mpb_pyinstr_end(&pi);
}

/* A pool of two listed workers, one that started inside the pool's window
 * (a replacement), one from before it (not the pool's), a bad file and a
 * later parent record of another process. */
static void test_fill(void **st)
{
	(void)st;
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint64_t w[MPB_PYREC_RECORD_SLOTS];
	worker(w, 101, 1100, 1200);
	w[MPB_PYREC_TASKS] = 6;
	w[MPB_PYREC_COMPUTE] = 500;
	w[MPB_PYREC_LOADS_NS] = 30;
	w[MPB_PYREC_DUMPS_NS] = 20;
	w[MPB_PYREC_IDLE] = 100;
	w[MPB_PYREC_SEND] = 10;
	w[MPB_PYREC_LAST_PUT] = 1900;
	w[MPB_PYREC_IN_GET] = 1950;   /* waiting when the teardown began at 2100 */
	w[MPB_PYREC_NVCSW] = 7;
	w[MPB_PYREC_MAXRSS_KB] = 1000;
	w[MPB_PYREC_NLOADS] = 3;
	w[MPB_PYREC_LOADS_LARGE] = 2;
	w[MPB_PYREC_LOADS_LARGE_NS] = 20;
	w[MPB_PYREC_LOADS_LARGE_MIN] = 5;
	w[MPB_PYREC_LOADS_LARGE_MAX] = 15;
	w[MPB_PYREC_BYTES_IN] = 700;
	write_worker(dir, w);
	worker(w, 102, 1150, 1400);
	w[MPB_PYREC_TASKS] = 2;
	w[MPB_PYREC_COMPUTE] = 300;
	w[MPB_PYREC_NLOADS] = 1;
	w[MPB_PYREC_LOADS_NS] = 4;
	w[MPB_PYREC_LOADS_LARGE] = 1;
	w[MPB_PYREC_LOADS_LARGE_NS] = 4;
	w[MPB_PYREC_LOADS_LARGE_MIN] = 4;
	w[MPB_PYREC_LOADS_LARGE_MAX] = 4;
	w[MPB_PYREC_DUMPS_LARGE_MIN] = MPB_PYREC_NONE;
	w[MPB_PYREC_BYTES_IN] = 70;
	w[MPB_PYREC_LAST_GET] = 2000;
	write_worker(dir, w);
	worker(w, 103, 1500, 1600);   /* not listed, started while open; the last ready */
	w[MPB_PYREC_TASKS] = 1;
	write_worker(dir, w);
	worker(w, 104, 900, 950);     /* not listed, started before the pool */
	w[MPB_PYREC_TASKS] = 50;
	write_worker(dir, w);
	worker(w, 105, 1100, 1200);
	w[MPB_PYREC_MAGIC_SLOT] = 1;  /* not a record */
	w[MPB_PYREC_TASKS] = 70;
	write_worker(dir, w);
	write_text(dir, "p-77.json",
		   "{\"pid\": 77, \"pools\": 2, \"processes\": 3, \"t0_ns\": 1000, "
		   "\"ctor_end_ns\": 1300, \"first_dump_ns\": 1250, \"last_load_ns\": 2050, "
		   "\"first_load_ns\": 1700, "
		   "\"teardown_start_ns\": 2100, \"teardown_end_ns\": 2400, \"dumps_ns\": 40, "
		   "\"loads_ns\": 60, \"bytes_sent\": 5000, \"bytes_received\": 300, \"dumps\": 9, "
		   "\"loads\": 8, \"large_dumps\": 3, \"large_dumps_ns\": 30, "
		   "\"large_dumps_min_ns\": 2, \"large_dumps_max_ns\": 9, \"large_loads\": 0, "
		   "\"kind\": \"multiprocessing.Pool\", \"start_method\": \"spawn\", "
		   "\"python\": \"3.11.7\", \"implementation\": \"cpython\", \"killed\": \"\", "
		   "\"worker_pids\": [101, 102, 106]}\n");
	write_text(dir, "p-88.json", "{\"pid\": 88, \"t0_ns\": 10, \"worker_pids\": []}\n");
	write_text(dir, "p-99.json", "not json");

	struct mpb_pyrec r;
	struct mpb_diag d = { 0 };
	struct mpb_sample s = { 0 };
	json_t *py;
	load_fill(dir, 77, &r, &s, &py);
	assert_int_equal(r.nw, 4);
	assert_int_equal(r.nparents, 2);
	assert_int_equal(s.nworkers, 3);                /* 101, 102, 103 */
	assert_int_equal(s.startup_ns, 600);            /* 1000 → 1600 (103 ready) */
	assert_int_equal(s.map_ns, 450);                /* 1600 (not 1250) → 2050 */
	assert_int_equal(s.teardown_ns, 300);
	assert_int_equal(s.codec_parent_ns, 100);
	assert_int_equal(s.bytes_sent, 5000);
	assert_int_equal(s.bytes_received, 300);
	assert_int_equal(s.compute_ns, 800);
	assert_int_equal(s.codec_workers_ns, 54);
	uint64_t tasks = 0;
	for (unsigned k = 0; k < s.nworkers; k++) {
		const struct mpb_worker_report *wr = &s.worker[k];
		tasks += wr->tasks;
		if (wr->pid == 101) {
			assert_int_equal(wr->startup_ns, 200);
			assert_int_equal(wr->idle_ns, 100 + 150); /* + waiting 1950 → 2100 */
			assert_int_equal(wr->serve_ns, 2100 - 1200);
			assert_int_equal(wr->nvcsw, 7);
			assert_int_equal(wr->maxrss_kb, 1000);
		} else if (wr->pid == 102) {
			assert_int_equal(wr->serve_ns, 2000 - 1400);
		}
	}
	assert_int_equal(tasks, 9);
	assert_int_equal(s.overhead.tasks, 9);
	assert_int_equal(s.overhead.map_ns, 450);
	assert_int_equal(json_integer_value(json_object_get(py, "pools")), 2);
	assert_int_equal(json_integer_value(json_object_get(py, "workers_seen")), 3);
	assert_int_equal(json_integer_value(json_object_get(py, "workers_never_ready")), 1);
	assert_string_equal(json_string_value(json_object_get(py, "codec")), "pickle");
	assert_string_equal(json_string_value(json_object_get(py, "start_method")), "spawn");
	/* pickling per direction: the parent's as it wrote them; the pool's
	 * workers' summed (104 and the bad record left out), their per-call
	 * minimum the least of those that made a call */
	json_t *pk = json_object_get(py, "pickling");
	const struct { const char *side, *way; json_int_t v[7]; } want[] = {
		/* calls, ns, bytes, large: calls, ns, min_ns, max_ns (0: none) */
		{ "parent", "dumps", { 9, 40, 5000, 3, 30, 2, 9 } },
		{ "workers", "loads", { 4, 34, 770, 3, 24, 4, 15 } },
		{ "workers", "dumps", { 0, 20, 0, 0, 0, 0, 0 } },
	};
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		json_t *o = json_object_get(json_object_get(pk, want[i].side), want[i].way);
		json_t *l = json_object_get(o, "large");
		const json_t *got[7] = { json_object_get(o, "calls"), json_object_get(o, "ns"),
					 json_object_get(o, "bytes"), json_object_get(l, "calls"),
					 json_object_get(l, "ns"), json_object_get(l, "min_ns"),
					 json_object_get(l, "max_ns") };
		for (int k = 0; k < 7; k++)
			assert_int_equal(json_integer_value(got[k]), want[i].v[k]);
	}
	json_decref(py);
	free(s.worker);
	mpb_pyrec_free(&r);

	/* the command's own process made no pool: the earliest record is taken */
	assert_int_equal(mpb_pyrec_load(dir, 5, &r, &d), 0);
	assert_int_equal(json_integer_value(json_object_get(r.parent, "pid")), 88);
	mpb_pyrec_free(&r);
	remove_tmp(dir);
}

/* Work done before the last worker was up: start-up ends at the first
 * result, not at that worker's readiness. */
static void test_first_result_ends_startup(void **st)
{
	(void)st;
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint64_t w[MPB_PYREC_RECORD_SLOTS];
	worker(w, 201, 1100, 1200);
	write_worker(dir, w);
	worker(w, 202, 1100, 3000);
	write_worker(dir, w);
	write_text(dir, "p-9.json",
		   "{\"pid\": 9, \"t0_ns\": 1000, \"ctor_end_ns\": 1050, \"first_dump_ns\": 1060, "
		   "\"first_load_ns\": 1300, \"last_load_ns\": 2000, \"worker_pids\": [201, 202]}");
	struct mpb_pyrec r;
	struct mpb_sample s = { 0 };
	json_t *py;
	load_fill(dir, 9, &r, &s, &py);
	assert_int_equal(s.startup_ns, 300);
	assert_int_equal(s.map_ns, 700);
	assert_int_equal(s.teardown_ns, 0); /* never torn down */
	json_decref(py);
	free(s.worker);
	mpb_pyrec_free(&r);
	remove_tmp(dir);
}

/* Under spawn a parent pickles its tasks while its workers start: those calls
 * lie before the map window, and the overhead split counts only the share of
 * the parent's pickling up to its first result that falls inside the window;
 * codec_ns.parent keeps all of it. Without the figure (an older record) the
 * split takes all of it and comes out inconsistent. */
static void split_of(const char *extra, struct mpb_sample *s)
{
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint64_t w[MPB_PYREC_RECORD_SLOTS];
	worker(w, 211, 1100000, 5000000);
	write_worker(dir, w);
	worker(w, 212, 1100000, 4900000);
	write_worker(dir, w);
	char text[512];
	snprintf(text, sizeof text,
		 "{\"pid\": 9, \"t0_ns\": 1000000, \"ctor_end_ns\": 1050000, \"first_dump_ns\": 1060000, "
		 "\"first_load_ns\": 5100000, \"last_load_ns\": 5400000, \"dumps_ns\": 3000000, "
		 "\"loads_ns\": 200000, %s\"worker_pids\": [211, 212]}", extra);
	write_text(dir, "p-9.json", text);
	struct mpb_pyrec r;
	json_t *py;
	load_fill(dir, 9, &r, s, &py);
	json_decref(py);
	mpb_pyrec_free(&r);
	remove_tmp(dir);
}

static void test_codec_before_map(void **st)
{
	(void)st;
	struct mpb_sample s = { 0 };
	split_of("\"codec_before_first_load_ns\": 3040000, ", &s);
	assert_int_equal(s.map_ns, 400000);	 /* from the last worker ready to the last result */
	assert_int_equal(s.codec_parent_ns, 3200000); /* all of the parent's pickling */
	/* 3040 us over 1060..5100 us, of which 1060..5000 precede the window */
	assert_int_equal(s.overhead.parent_codec_ns, 3200000 - 2964752);
	assert_false(s.overhead.inconsistent);
	free(s.worker);

	struct mpb_sample old = { 0 };
	split_of("", &old);
	assert_int_equal(old.overhead.parent_codec_ns, 3200000);
	assert_true(old.overhead.inconsistent);
	free(old.worker);
}

/* No parent record: no pool, the sample untouched. */
static void test_no_pool(void **st)
{
	(void)st;
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	struct mpb_pyrec r;
	struct mpb_diag d = { 0 };
	struct mpb_sample s = { .startup_ns = 5, .map_ns = 6 };
	json_t *py;
	load_fill(dir, 1, &r, &s, &py);
	assert_int_equal(json_integer_value(json_object_get(py, "pools")), 0);
	assert_int_equal(s.startup_ns, 5);
	assert_int_equal(s.map_ns, 6);
	json_decref(py);
	mpb_pyrec_free(&r);
	rmdir(dir);
	assert_int_equal(mpb_pyrec_load("/nonexistent/mpb", 1, &r, &d), -MPB_ESYS);
	mpb_pyrec_free(&r);
}

/* A worker killed inside its wait for a task after it unpickled what it
 * got: that unpickling is counted once (codec), not again as idle. */
static void test_killed_in_wait(void **st)
{
	(void)st;
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint64_t w[MPB_PYREC_RECORD_SLOTS];
	worker(w, 401, 1100, 1200);
	w[MPB_PYREC_IDLE] = 100;      /* 1200 → 1300 */
	w[MPB_PYREC_COMPUTE] = 200;   /* 1300 → 1500 */
	w[MPB_PYREC_LAST_PUT] = 1500;
	w[MPB_PYREC_IN_GET] = 1500;   /* waiting since, when the teardown began at 1600 */
	w[MPB_PYREC_LOADS_NS] = 30;   /* inside that wait: unpickled, then killed */
	write_worker(dir, w);
	write_text(dir, "p-9.json",
		   "{\"pid\": 9, \"t0_ns\": 1000, \"ctor_end_ns\": 1050, \"first_dump_ns\": 1060, "
		   "\"first_load_ns\": 1300, \"last_load_ns\": 1550, \"teardown_start_ns\": 1600, "
		   "\"teardown_end_ns\": 1700, \"worker_pids\": [401]}");
	struct mpb_pyrec r;
	struct mpb_sample s = { 0 };
	json_t *py;
	load_fill(dir, 9, &r, &s, &py);
	const struct mpb_worker_report *wr = &s.worker[0];
	assert_int_equal(wr->serve_ns, 400);
	assert_int_equal(wr->codec_ns, 30);
	assert_int_equal(wr->idle_ns, 100 + 100 - 30);
	assert_int_equal(wr->compute_ns + wr->codec_ns + wr->idle_ns + wr->send_ns, wr->serve_ns);
	json_decref(py);
	free(s.worker);
	mpb_pyrec_free(&r);
	remove_tmp(dir);
}

/* The end block: a worker that read itself out has its memory, its
 * counters (one read, one whose open failed with its errno) and its
 * read-out; one that Pool.terminate() killed has what the pool's process
 * read for it just before (MPB_PYREC_TAKEN: its counters, one that could
 * not be taken marked so), or its own where it ended its loop all the same;
 * one killed otherwise has neither; the run's instrumentation is every open
 * and read-out. */
static void test_end_block(void **st)
{
	(void)st;
	char dir[] = "/tmp/mpb-test-pyrec.XXXXXX";
	assert_non_null(mkdtemp(dir));
	uint64_t w[MPB_PYREC_RECORD_SLOTS];
	worker(w, 301, 1100, 1200);
	/* slot, value: the end block as a worker leaves it */
	static const uint64_t end[][2] = {
		{ MPB_PYREC_OPEN_NS, 40 }, { MPB_PYREC_COUNTED, 1150 }, { MPB_PYREC_READOUT_NS, 7 },
		{ MPB_PYREC_ENDED, 2500 }, { MPB_PYREC_NCOUNTERS, 2 }, { MPB_PYREC_SPLIT, 3 },
		{ MPB_PYREC_MEMORY, 1 }, { MPB_PYREC_RSS_KB, 9000 }, { MPB_PYREC_PSS_KB, 4000 },
		{ MPB_PYREC_PRIVATE_DIRTY_KB, 3000 },
		/* one counter read (multiplexed), one whose open failed with EACCES */
		{ MPB_PYREC_COUNTERS, 12345 }, { MPB_PYREC_COUNTERS + 1, 900 },
		{ MPB_PYREC_COUNTERS + 2, 450 }, { MPB_PYREC_COUNTERS + 3, MPB_COUNT_OK },
		{ MPB_PYREC_COUNTERS + 7, MPB_COUNT_FAILED | (uint64_t)13 << 32 },
	};
	for (size_t k = 0; k < sizeof end / sizeof end[0]; k++)
		w[end[k][0]] = end[k][1];
	write_worker(dir, w);
	worker(w, 302, 1100, 1300);   /* killed: counted its open, never read out */
	w[MPB_PYREC_OPEN_NS] = 50;
	w[MPB_PYREC_NCOUNTERS] = 2;
	w[MPB_PYREC_PSS_KB] = 77;     /* not valid without MPB_PYREC_MEMORY */
	write_worker(dir, w);
	worker(w, 303, 1100, 1300);   /* memory only, neither ended nor taken: no counters */
	w[MPB_PYREC_NCOUNTERS] = 2;
	w[MPB_PYREC_MEMORY] = 1;
	w[MPB_PYREC_PSS_KB] = 88;
	w[MPB_PYREC_COUNTERS + 3] = MPB_COUNT_OK; /* not valid without ENDED or TAKEN */
	write_worker(dir, w);
	/* terminated: read out by the pool's process, one counter taken, one
	 * not (EPERM) */
	worker(w, 304, 1100, 1300);
	w[MPB_PYREC_OPEN_NS] = 30;
	w[MPB_PYREC_NCOUNTERS] = 2;
	w[MPB_PYREC_FDS] = 0x000c000b;
	w[MPB_PYREC_MEMORY] = 1;
	w[MPB_PYREC_PSS_KB] = 99;
	w[MPB_PYREC_READOUT_NS] = 9;
	w[MPB_PYREC_TAKEN] = 2400;
	w[MPB_PYREC_TAKE_FAILED] = 2;
	w[MPB_PYREC_COUNTERS] = 5000;
	w[MPB_PYREC_COUNTERS + 1] = w[MPB_PYREC_COUNTERS + 2] = 800;
	w[MPB_PYREC_COUNTERS + 3] = MPB_COUNT_OK;
	w[MPB_PYREC_COUNTERS + 7] = MPB_COUNT_FAILED | (uint64_t)1 << 32;
	write_worker(dir, w);
	/* taken, then ended its loop all the same: its own read-out stands */
	w[MPB_PYREC_PID] = 305;
	w[MPB_PYREC_ENDED] = 2600;
	w[MPB_PYREC_COUNTERS + 7] = MPB_COUNT_OK;
	write_worker(dir, w);
	write_text(dir, "p-9.json",
		   "{\"pid\": 9, \"t0_ns\": 1000, \"ctor_end_ns\": 1050, \"first_dump_ns\": 1060, "
		   "\"first_load_ns\": 1300, \"last_load_ns\": 2000, "
		   "\"worker_pids\": [301, 302, 303, 304, 305]}");
	struct mpb_pyrec r;
	struct mpb_sample s = { 0 };
	json_t *py;
	load_fill(dir, 9, &r, &s, &py);
	assert_int_equal(s.nworkers, 5);
	assert_int_equal(s.instrumentation_ns, 40 + 7 + 50 + 2 * (30 + 9));
	for (unsigned k = 0; k < s.nworkers; k++) {
		const struct mpb_worker_report *wr = &s.worker[k];
		if (wr->pid == 301) {
			assert_int_equal(wr->instrumentation_ns, 40);
			assert_int_equal(wr->readout_ns, 7);
			assert_int_equal(wr->timeline.running_ns, 100);
			assert_int_equal(wr->timeline.counted_ns, 150);
			assert_false(wr->timeline.has_faults); /* not recorded: null */
			assert_true(wr->has_memory);
			assert_int_equal(wr->rss_kb, 9000);
			assert_int_equal(wr->pss_kb, 4000);
			assert_int_equal(wr->private_dirty_kb, 3000);
			assert_int_equal(wr->counters.n, 2);
			assert_int_equal(wr->counters.split, 3);
			assert_int_equal(wr->counters.c[0].state, MPB_COUNT_OK);
			assert_int_equal(wr->counters.c[0].value, 12345);
			assert_int_equal(wr->counters.c[0].enabled_ns, 900);
			assert_int_equal(wr->counters.c[0].running_ns, 450);
			assert_int_equal(wr->counters.c[1].state, MPB_COUNT_FAILED);
			assert_int_equal(wr->counters.c[1].err, 13);
			double v, cov;
			assert_int_equal(mpb_count_scaled(&wr->counters.c[0], &v, &cov), 1);
			assert_true(v == 24690.0 && cov == 0.5); /* multiplexed: scaled */
		} else if (wr->pid == 303) {
			assert_true(wr->has_memory);
			assert_int_equal(wr->pss_kb, 88);
			assert_int_equal(wr->counters.n, 0);
			assert_int_equal(wr->readout_ns, 0);
		} else if (wr->pid == 304 || wr->pid == 305) {
			assert_true(wr->has_memory);
			assert_int_equal(wr->pss_kb, 99);
			assert_int_equal(wr->instrumentation_ns, 30);
			assert_int_equal(wr->readout_ns, 9);
			assert_int_equal(wr->counters.n, 2);
			assert_int_equal(wr->counters.c[0].state, MPB_COUNT_OK);
			assert_int_equal(wr->counters.c[0].value, 5000);
			assert_int_equal(wr->counters.c[0].running_ns, 800);
			if (wr->pid == 304) {
				assert_int_equal(wr->counters.c[1].state, MPB_COUNT_FAILED);
				assert_int_equal(wr->counters.c[1].err, 1);
				assert_int_equal(wr->counters_not_taken, 2);
			} else {
				assert_int_equal(wr->counters.c[1].state, MPB_COUNT_OK);
				assert_int_equal(wr->counters_not_taken, 0);
			}
		} else {
			assert_int_equal(wr->pid, 302);
			assert_int_equal(wr->instrumentation_ns, 50);
			assert_int_equal(wr->readout_ns, 0);
			assert_false(wr->has_memory);
			assert_int_equal(wr->pss_kb, 0);
			assert_int_equal(wr->counters.n, 0);   /* not counted */
		}
	}
	json_decref(py);
	free(s.worker);
	mpb_pyrec_free(&r);

	/* a record cut short (the old size, or a worker killed while it grew
	 * its file) is not read */
	char path[PATH_MAX];
	snprintf(path, sizeof path, "%s/w-301.bin", dir);
	assert_int_equal(truncate(path, MPB_PYREC_SLOTS * sizeof w[0]), 0);
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_pyrec_load(dir, 9, &r, &d), 0);
	assert_int_equal(r.nw, 4);
	mpb_pyrec_free(&r);
	remove_tmp(dir);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_instr_dir),
		cmocka_unit_test(test_fill),
		cmocka_unit_test(test_first_result_ends_startup),
		cmocka_unit_test(test_codec_before_map),
		cmocka_unit_test(test_no_pool),
		cmocka_unit_test(test_end_block),
		cmocka_unit_test(test_killed_in_wait),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
