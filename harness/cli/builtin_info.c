/* builtin_info.c — `mpbench info`: the machine, the default counters as
 * probed, and the floor costs and scaling ceiling, measured now. */
#include "builtin.h"

#include <stdio.h>

#include "ceiling.h"
#include "counter_source.h"
#include "counters.h"
#include "counters_report.h"
#include "floor.h"
#include "floor_mpi.h"
#include "mpi_job.h"
#include "machine.h"
#include "mpb_config.h"
#include "mpb_git.h"
#include "parse.h"
#include "results.h"
#include "selfcheck.h"

/* "clock 2600 MHz (max 3500 MHz)", "caches L1d 48KiB, L1i 64KiB, L2 2MiB,
 * L3 480MiB (shared by 2 CPUs)" */
static void print_cpu(const struct mpb_cpu *c)
{
	if (c->mhz > 0)
		printf("clock             %.0f MHz", c->mhz);
	else
		printf("clock             unknown");
	if (c->max_mhz > 0)
		printf(" (max %.0f MHz)", c->max_mhz);
	printf("\ncaches           %s", c->ncaches ? "" : " unknown");
	for (unsigned i = 0; i < c->ncaches; i++) {
		const struct mpb_cpu_cache *k = &c->caches[i];
		char size[MPB_FMT_U64_LEN];
		mpb_format_u64(k->size_bytes, MPB_UNIT_BYTES, size, sizeof size);
		const char *t = k->level == 1 && k->type[0] == 'D' ? "d" :
				k->level == 1 && k->type[0] == 'I' ? "i" : "";
		printf("%s L%u%s %s", i ? "," : "", k->level, t, size);
		if (k->shared_cpus > 1)
			printf(" (shared by %u CPUs)", k->shared_cpus);
	}
	putchar('\n');
}

static void print_machine(const struct mpb_machine *m)
{
	printf("mpbench %s (git %s)\n", MPB_VERSION, MPB_GIT);
	printf("host              %s\n", m->hostname);
	printf("cpu               %s\n", m->cpu_model[0] ? m->cpu_model : "unknown");
	printf("cpus              %d online, %d in affinity, %d usable", m->online_cpus,
	       m->affinity_cpus, m->usable_cpus);
	if (m->cgroup_cpu_quota > 0)
		printf(" (cgroup quota %.2f CPUs)", m->cgroup_cpu_quota);
	printf("\nphysical cores    %d%s\n", m->physical_cores, m->smt ? " (SMT on)" : "");
	printf("memory            %.1f GiB total, %.1f GiB available\n",
	       (double)m->memory_bytes / (1 << 30), (double)m->mem_available_bytes / (1 << 30));
	printf("kernel            %s %s\n", m->kernel, m->arch);
	printf("governor          %s\n", m->governor[0] ? m->governor : "unknown");
	print_cpu(&m->cpu);
	printf("perf paranoid     %d\n", m->perf_event_paranoid);
	printf("load (1 min)      %.2f\n", m->loadavg1);
	const struct mpb_build *b = &m->build;
	printf("build             %s, buildtype %s (-O%s%s), sanitize %s%s%s%s\n", b->compiler,
	       b->build_type, b->optimization, b->debug ? " -g" : "", b->sanitize,
	       b->fault_injection ? ", fault injection" : "", b->c_args[0] ? ", c_args " : "",
	       b->c_args);
	if (b->c_flags[0])
		printf("flags             %s\n", b->c_flags);
	char why[400];
	if (mpb_build_unfit(b, why, sizeof why))
		fprintf(stderr, "mpbench: warning: %s\n", why);
}

/* Floor costs and the self-check into m (machine.h: they are part of its
 * JSON), measured now. */
static int measure_floor(struct mpb_machine *m, const struct mpb_counter_set *cs,
			 struct mpb_diag *d)
{
	int rc = mpb_floor_measure(&m->floors, d);
	if (rc == 0)
		rc = mpb_selfcheck_measure(&m->floors, cs, MPB_SELFCHECK_RUNS, &m->selfcheck, d);
	m->has_floors = rc == 0;
	return rc;
}

static void print_floor(const struct mpb_machine *m)
{
	const struct mpb_floor *fl = &m->floors;
	const struct mpb_selfcheck *sc = &m->selfcheck;
	printf("floor costs (median, measured now):\n");
	printf("  pipe round trip     %9.1f us  (1 byte there and back, 2 processes)\n",
	       fl->pipe_rtt_ns / 1e3);
	printf("  fork+exit+wait      %9.1f us  cold %9.1f us\n", fl->fork_exit_wait_ns / 1e3,
	       fl->fork_exit_wait_cold_ns / 1e3);
	printf("  posix_spawn+wait    %9.1f us  cold %9.1f us  (/bin/true)\n",
	       fl->spawn_exit_wait_ns / 1e3, fl->spawn_exit_wait_cold_ns / 1e3);
	printf("  thread create+join  %9.1f us  cold %9.1f us\n", fl->thread_create_join_ns / 1e3,
	       fl->thread_create_join_cold_ns / 1e3);
	printf("  (hot: in a tight loop; cold: the first after %.0f ms asleep, as a pool's launch "
	       "is)\n", MPB_FLOOR_COLD_SLEEP_NS / 1e6);
	printf("self-check (the harness's own cost per run, default counters):\n");
	printf("  empty run           %9.1f us  (1 fork worker, 1 null task; median of %u)\n",
	       sc->empty_run_ns / 1e3, sc->runs);
	printf("  beyond the floors   %9.1f us  (less fork+exit+wait and a pipe round trip)\n",
	       sc->overhead_ns / 1e3);
	printf("  smallest task       %9.1f us  (%.0fx that: shorter tasks measure mpbench more "
	       "than the pool)\n", sc->min_task_ns / 1e3, MPB_SELFCHECK_FACTOR);
}

/* The MPI floors into m's floors when this mpbench has MPI and Open MPI runs
 * here; else why not into why (m's MPI floors stay 0, null in the JSON). */
static void measure_mpi_floor(struct mpb_machine *m, struct mpb_diag *why)
{
	*why = (struct mpb_diag){ 0 };
	unsigned ranks = m->usable_cpus > 0 ? (unsigned)m->usable_cpus : 1;
	if (!mpb_mpi_job_built())
		snprintf(why->msg, sizeof why->msg, "not built (this mpbench has no MPI: meson "
			 "-Dmpi=enabled with Open MPI installed)");
	else
		mpb_floor_mpi_measure(&m->floors, ranks, false, why);
}

static void print_mpi_floor(const struct mpb_machine *m, const struct mpb_diag *why)
{
	const struct mpb_floor *fl = &m->floors;
	if (fl->mpi_launch_ns <= 0) {
		printf("MPI floors          %s\n", why->msg);
		return;
	}
	printf("MPI floors (bare ranks of mpbench-worker-mpi, placed as -m mpi places them):\n");
	printf("  launch of %u rank%s %*s%9.1f ms  (mpirun -> MPI_Init, MPI_Finalize -> reaped)\n",
	       fl->mpi_launch_ranks,
	       fl->mpi_launch_ranks == 1 ? "" : "s", fl->mpi_launch_ranks >= 10 ? 0 : 1, "",
	       fl->mpi_launch_ns / 1e6);
	printf("  message round trip  %9.1f us  (1 byte there and back, 2 ranks)\n",
	       fl->mpi_rtt_ns / 1e3);
}

static void print_ceiling(const struct mpb_ceiling_machine *cm)
{
	char csize[MPB_FMT_U64_LEN];
	mpb_format_u64(cm->size, MPB_UNIT_COUNT, csize, sizeof csize);
	printf("ceiling (measured now: what this machine gives a CPU-bound loop):\n");
	printf("  %.2fx at %u workers  (95%% CI %.2f-%.2f, efficiency %.2f; sumsq, %llu tasks of "
	       "%s split over %u bare forked processes vs serial, median of %u)\n", cm->speedup,
	       cm->workers, cm->ci_lo, cm->ci_hi, cm->efficiency, (unsigned long long)cm->tasks,
	       csize, cm->workers, cm->runs);
}

/* info --format json: {tool, machine (with floors and selfcheck), counters,
 * ceiling}, the names of the results file's fields. */
static int info_json(const struct mpb_machine *m, const struct mpb_counter_set *cs,
		     const struct mpb_ceiling_machine *cm, const struct mpb_diag *mpi_why,
		     struct mpb_diag *d)
{
	bool mpi = m->floors.mpi_launch_ns > 0;
	json_t *o = json_pack("{s:o, s:o, s:o, s:{s:f, s:[f, f], s:f, s:i, s:I, s:I, s:i}, "
			      "s:{s:b, s:o}}",
			      "tool", mpb_results_tool(&m->build),
			      "machine", mpb_machine_to_json(m),
			      "counters", mpb_counters_machine_json(cs),
			      "ceiling", "speedup", cm->speedup, "ci95", cm->ci_lo, cm->ci_hi,
			      "efficiency", cm->efficiency, "workers", (int)cm->workers,
			      "tasks", (json_int_t)cm->tasks, "size", (json_int_t)cm->size,
			      "runs", (int)cm->runs,
			      "mpi", "built", (int)mpb_mpi_job_built(), "floors_not_measured",
			      mpi ? json_null() : json_string(mpi_why->msg));
	return mpb_cli_print_json(o, d);
}

int mpb_builtin_info(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	struct mpb_machine m;
	struct mpb_counter_set cs;
	struct mpb_ceiling_machine cm;
	int json = mpb_cli_check_text_json(call->cfg->format, d);
	if (json < 0)
		return json;
	int rc;
	if ((rc = mpb_machine_probe(NULL, &m, d)) < 0)
		return rc;
	if (!json)
		print_machine(&m);
	if ((rc = mpb_counters_resolve("default", &mpb_counter_source_perf, m.perf_event_paranoid,
				       &cs, d)) < 0)
		return rc;
	if (!json) {
		printf("counters (the default set, each probed by opening it):\n");
		mpb_counters_print(stdout, &cs);
	}
	if ((rc = measure_floor(&m, &cs, d)) < 0)
		return rc;
	struct mpb_diag mpi_why;
	measure_mpi_floor(&m, &mpi_why);
	if (!json) {
		print_floor(&m);
		print_mpi_floor(&m, &mpi_why);
	}
	if ((rc = mpb_ceiling_measure_machine((unsigned)m.usable_cpus, NULL, &cm, d)) < 0)
		return rc;
	if (json)
		return info_json(&m, &cs, &cm, &mpi_why, d);
	print_ceiling(&cm);
	return 0;
}
