/* machine.h — what the machine is: provenance for every results file and the
 * usable CPU count that -j auto and recommendations are based on. */
#ifndef MPB_MACHINE_H
#define MPB_MACHINE_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "build.h"
#include "cpu.h"
#include "diag.h"
#include "floor.h"
#include "selfcheck.h"

/* An MPBENCH_* variable set in mpbench's environment: recorded in the
 * results ("machine.environment"), and warned about when it changes what is
 * measured (fault injection, the shm spin, waits without pidfd, another
 * worker image). */
#define MPB_MACHINE_ENV_MAX 8
struct mpb_env_var {
	char name[32];
	char value[160];
	bool changes_measurement;
};

struct mpb_machine {
	char hostname[256];
	char cpu_model[256];        /* "model name" from /proc/cpuinfo, "" if unknown */
	int online_cpus;            /* sysconf(_SC_NPROCESSORS_ONLN) */
	int affinity_cpus;          /* CPU_COUNT of sched_getaffinity(0) */
	double cgroup_cpu_quota;    /* CPUs allowed by cgroup v2 cpu.max; 0 = no quota */
	int usable_cpus;            /* min(affinity, ceil(quota)) when quota > 0, else affinity */
	int physical_cores;         /* distinct (physical id, core id) pairs; 0 if unknown */
	bool smt;                   /* more logical CPUs than physical cores */
	uint64_t memory_bytes;      /* MemTotal */
	uint64_t mem_available_bytes; /* MemAvailable */
	char kernel[256];           /* uname -r */
	char arch[64];              /* uname -m */
	char governor[64];          /* cpu0 scaling_governor, "" if unknown */
	struct mpb_cpu cpu;         /* cpu0's caches and clock (cpu.h) */
	int perf_event_paranoid;    /* /proc/sys/kernel/perf_event_paranoid, -100 if unknown */
	long max_user_processes;    /* RLIMIT_NPROC soft limit, -1 = unlimited (or root) */
	double loadavg1;            /* 1-minute load average at probe time */
	struct mpb_env_var env[MPB_MACHINE_ENV_MAX]; /* set MPBENCH_* variables */
	struct mpb_build build;     /* how the measuring binary was built (results: tool) */
	unsigned nenv;
	/* measured by a sweep in its own process before its first point (not
	 * by the probe): the floors (has_floors) and the self-check (runs > 0) */
	bool has_floors;
	struct mpb_floor floors;
	struct mpb_selfcheck selfcheck;
};

/* Probe the running machine. `root` prefixes every /proc and /sys path (NULL or
 * "" for the real machine; tests pass a directory holding fake files). The
 * cgroup v2 cpu.max used is <root>/sys/fs/cgroup/<path from /proc/self/cgroup>/cpu.max,
 * falling back to <root>/sys/fs/cgroup/cpu.max. Missing files leave the field
 * unknown, never fail. Returns 0 (or negative on a hard failure). */
int mpb_machine_probe(const char *root, struct mpb_machine *m, struct mpb_diag *d);

/* The first line of <root><rel>, trimmed, into out; false if unreadable
 * or empty. */
bool mpb_machine_read_line(const char *root, const char *rel, char *out, size_t cap);

/* Parse cgroup v2 cpu.max text ("max 100000" → 0, "150000 100000" → 1.5).
 * Returns 0 or -1 on malformed text. */
int mpb_machine_parse_cpu_max(const char *text, double *quota_cpus);

/* min(affinity, ceil(quota)) when quota > 0, else affinity; at least 1. */
int mpb_machine_usable_cpus(int affinity_cpus, double quota_cpus);

/* JSON object with every field above under its schema name (hostname, cpu_model,
 * online_cpus, affinity_cpus, usable_cpus, physical_cores, smt, memory_bytes,
 * mem_available_bytes, kernel, arch, governor (null if unknown),
 * perf_event_paranoid (null if unknown), cgroup_cpu_quota (null if none),
 * max_user_processes (null if unlimited), loadavg1), and the CPU's caches,
 * cpu_mhz and cpu_max_mhz (cpu.h). NULL on ENOMEM. */
json_t *mpb_machine_to_json(const struct mpb_machine *m);
/* Measure the floors (quick) and the self-check in this process into m, the
 * self-check counting `counters` (may be NULL) as the runs will. On failure
 * m says not measured (has_floors false, selfcheck.runs 0). */
int mpb_machine_measure_floors(struct mpb_machine *m, const struct mpb_counter_set *counters,
			       struct mpb_diag *d);

#endif
