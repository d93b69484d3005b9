/* machine.c — probe what the machine is (CPUs, cgroup quota, memory, kernel,
 * governor, limits) for results provenance and the usable CPU count that
 * -j auto is based on. Reads /proc and /sys under an optional fake root. */
#include "machine.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "method.h"

#define MPB_PARANOID_UNKNOWN (-100)

static char *trim(char *s)
{
	while (isspace((unsigned char)*s))
		s++;
	size_t n = strlen(s);
	while (n > 0 && isspace((unsigned char)s[n - 1]))
		s[--n] = '\0';
	return s;
}

static FILE *open_at(const char *root, const char *rel)
{
	char path[PATH_MAX];
	int n = snprintf(path, sizeof path, "%s%s", root, rel);
	return n >= 0 && (size_t)n < sizeof path ? fopen(path, "r") : NULL;
}

bool mpb_machine_read_line(const char *root, const char *rel, char *out, size_t cap)
{
	FILE *f = open_at(root, rel);
	if (!f)
		return false;
	char *line = NULL, *t = NULL;
	size_t lcap = 0;
	bool ok = getline(&line, &lcap, f) > 0 && *(t = trim(line)) != '\0';
	if (ok)
		snprintf(out, cap, "%s", t);
	free(line);
	fclose(f);
	return ok;
}

/* Split "key<ws>: value" in place; false when there is no colon. */
static bool split_kv(char *line, char **key, char **val)
{
	char *colon = strchr(line, ':');
	if (!colon)
		return false;
	*colon = '\0';
	*key = trim(line);
	*val = trim(colon + 1);
	return true;
}

static bool parse_long(const char *s, long *out)
{
	char *end;
	errno = 0;
	long v = strtol(s, &end, 10);
	if (end != s && !errno)
		*out = v;
	return end != s && !errno;
}

struct core_ids { long (*id)[2]; size_t n, cap; bool oom; };

/* Remember one distinct (physical id, core id) pair. */
static void add_pair(struct core_ids *c, long pkg, long core)
{
	for (size_t i = 0; i < c->n; i++)
		if (c->id[i][0] == pkg && c->id[i][1] == core)
			return;
	if (c->n == c->cap) {
		size_t nc = c->cap ? c->cap * 2 : 16;
		long (*p)[2] = realloc(c->id, nc * sizeof *p);
		if (!p) {
			c->oom = true;
			return;
		}
		c->id = p;
		c->cap = nc;
	}
	c->id[c->n][0] = pkg;
	c->id[c->n++][1] = core;
}

/* Fill cpu_model, physical_cores and the first "cpu MHz" into *mhz;
 * returns the number of "processor" lines. */
static int read_cpuinfo(const char *root, struct mpb_machine *m, double *mhz)
{
	FILE *f = open_at(root, "/proc/cpuinfo");
	if (!f)
		return 0;
	struct core_ids c = { 0 };
	char *line = NULL, *key, *val;
	size_t lcap = 0;
	long pkg = 0, core = 0;
	bool have_pkg = false, have_core = false;
	int procs = 0;
	while (getline(&line, &lcap, f) > 0) {
		if (!split_kv(line, &key, &val))
			continue;
		if (strcmp(key, "processor") == 0) {
			if (have_pkg && have_core)
				add_pair(&c, pkg, core);
			have_pkg = have_core = false;
			if (procs < INT_MAX)
				procs++;
		} else if (strcmp(key, "model name") == 0 && m->cpu_model[0] == '\0') {
			snprintf(m->cpu_model, sizeof m->cpu_model, "%s", val);
		} else if (strcmp(key, "cpu MHz") == 0 && *mhz == 0) {
			char *end;
			double v = strtod(val, &end);
			*mhz = end != val && isfinite(v) && v > 0 ? v : 0;
		} else if (strcmp(key, "physical id") == 0) {
			have_pkg = parse_long(val, &pkg);
		} else if (strcmp(key, "core id") == 0) {
			have_core = parse_long(val, &core);
		}
	}
	if (have_pkg && have_core)
		add_pair(&c, pkg, core);
	m->physical_cores = c.oom || c.n > INT_MAX ? 0 : (int)c.n;
	free(c.id);
	free(line);
	fclose(f);
	return procs;
}

/* CPU_COUNT of sched_getaffinity(0) with a set grown until it fits. */
static int affinity_count(void)
{
	for (int ncpu = 1024; ncpu > 0 && ncpu <= (1 << 22); ncpu *= 2) {
		cpu_set_t *set = CPU_ALLOC((size_t)ncpu);
		if (!set)
			return 0;
		size_t sz = CPU_ALLOC_SIZE((size_t)ncpu);
		CPU_ZERO_S(sz, set);
		if (sched_getaffinity(0, sz, set) == 0) {
			int n = CPU_COUNT_S(sz, set);
			CPU_FREE(set);
			return n;
		}
		int err = errno;
		CPU_FREE(set);
		if (err != EINVAL)
			return 0;
	}
	return 0;
}

static void read_meminfo(const char *root, struct mpb_machine *m)
{
	FILE *f = open_at(root, "/proc/meminfo");
	if (!f)
		return;
	char *line = NULL, *key, *val;
	size_t lcap = 0;
	while (getline(&line, &lcap, f) > 0) {
		if (!split_kv(line, &key, &val) || !isdigit((unsigned char)*val))
			continue;
		uint64_t *dst = strcmp(key, "MemTotal") == 0 ? &m->memory_bytes
			: strcmp(key, "MemAvailable") == 0 ? &m->mem_available_bytes : NULL;
		if (!dst)
			continue;
		errno = 0;
		unsigned long long kb = strtoull(val, NULL, 10);
		if (errno == 0 && kb <= UINT64_MAX / 1024)
			*dst = (uint64_t)kb * 1024;
	}
	free(line);
	fclose(f);
}

/* cgroup v2 cpu.max of this process ("0::/path" in /proc/self/cgroup),
 * falling back to the root cgroup's; 0 when none or malformed. */
static double read_cgroup_quota(const char *root)
{
	char rel[PATH_MAX], text[128];
	double q = 0.0;
	bool found = false;
	FILE *f = open_at(root, "/proc/self/cgroup");
	if (f) {
		char *line = NULL;
		size_t lcap = 0;
		while (getline(&line, &lcap, f) > 0) {
			if (strncmp(line, "0::", 3) != 0)
				continue;
			char *cg = trim(line + 3);
			int n = snprintf(rel, sizeof rel, "/sys/fs/cgroup%s/cpu.max", cg);
			found = *cg == '/' && strcmp(cg, "/") != 0 && n > 0 &&
				(size_t)n < sizeof rel && mpb_machine_read_line(root, rel, text, sizeof text);
			break;
		}
		free(line);
		fclose(f);
	}
	if (!found && !mpb_machine_read_line(root, "/sys/fs/cgroup/cpu.max", text, sizeof text))
		return 0.0;
	return mpb_machine_parse_cpu_max(text, &q) == 0 ? q : 0.0;
}

/* Whether `path` names the same file as the worker spawn uses when
 * MPBENCH_WORKER is not set. */
static bool is_default_worker(const char *path)
{
	char want[PATH_MAX];
	struct stat a, b;
	return mpb_method_spawn_default_worker(want, sizeof want) == 0 && stat(path, &a) == 0 &&
	       stat(want, &b) == 0 && a.st_dev == b.st_dev && a.st_ino == b.st_ino;
}

/* The variables of harness/pool/inject.h, transport.h, method_proc.h,
 * method_spawn.c and output/report.c, and whether each changes a figure. */
static void read_env(struct mpb_machine *m)
{
	static const struct { const char *name; bool measured; } vars[] = {
		{ "MPBENCH_INJECT", true },
		{ "MPBENCH_SPIN_NS", true },
		{ "MPBENCH_NO_PIDFD", true },
		{ "MPBENCH_WORKER", true },
		{ "MPBENCH_PLOTS_DIR", false },
	};
	for (size_t i = 0; i < sizeof vars / sizeof *vars && m->nenv < MPB_MACHINE_ENV_MAX; i++) {
		const char *v = getenv(vars[i].name);
		if (!v)
			continue;
		struct mpb_env_var *e = &m->env[m->nenv++];
		snprintf(e->name, sizeof e->name, "%s", vars[i].name);
		snprintf(e->value, sizeof e->value, "%s", v);
		e->changes_measurement = vars[i].measured &&
			!(strcmp(vars[i].name, "MPBENCH_WORKER") == 0 && is_default_worker(v)) &&
			!(strcmp(vars[i].name, "MPBENCH_NO_PIDFD") == 0 && strcmp(v, "0") == 0);
	}
}

int mpb_machine_probe(const char *root, struct mpb_machine *m, struct mpb_diag *d)
{
	if (!m)
		return mpb_fail(d, MPB_EINPUT, "machine probe: no output struct");
	memset(m, 0, sizeof *m);
	mpb_build_current(&m->build);
	m->perf_event_paranoid = MPB_PARANOID_UNKNOWN;
	m->loadavg1 = -1.0;
	bool real = root == NULL || root[0] == '\0';
	if (real)
		root = "";

	if (gethostname(m->hostname, sizeof m->hostname - 1) != 0)
		m->hostname[0] = '\0';

	double mhz = 0;
	int procs = read_cpuinfo(root, m, &mhz);
	mpb_cpu_probe(root, mhz, &m->cpu);
	if (real) {
		long n = sysconf(_SC_NPROCESSORS_ONLN);
		m->online_cpus = n > 0 && n <= INT_MAX ? (int)n : procs;
		m->affinity_cpus = affinity_count();
		if (m->affinity_cpus <= 0)
			m->affinity_cpus = m->online_cpus;
	} else {
		m->online_cpus = procs;
		m->affinity_cpus = procs;
	}
	int logical = m->online_cpus > 0 ? m->online_cpus : m->affinity_cpus;
	m->smt = m->physical_cores > 0 && logical > m->physical_cores;

	read_meminfo(root, m);

	struct utsname u;
	if (uname(&u) == 0) {
		snprintf(m->kernel, sizeof m->kernel, "%s", u.release);
		snprintf(m->arch, sizeof m->arch, "%.63s", u.machine);
	}

	mpb_machine_read_line(root, "/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor",
		     m->governor, sizeof m->governor);

	char text[128];
	long v;
	if (mpb_machine_read_line(root, "/proc/sys/kernel/perf_event_paranoid", text, sizeof text) &&
	    parse_long(text, &v) && v > INT_MIN && v < INT_MAX)
		m->perf_event_paranoid = (int)v;

	m->cgroup_cpu_quota = read_cgroup_quota(root);
	m->usable_cpus = mpb_machine_usable_cpus(m->affinity_cpus, m->cgroup_cpu_quota);

	struct rlimit rl;
	m->max_user_processes = -1;
	/* RLIMIT_NPROC binds every user but root: the kernel exempts uid 0 */
	if (getuid() != 0 && getrlimit(RLIMIT_NPROC, &rl) == 0 &&
	    rl.rlim_cur != RLIM_INFINITY)
		m->max_user_processes = rl.rlim_cur > LONG_MAX ? LONG_MAX : (long)rl.rlim_cur;

	if (mpb_machine_read_line(root, "/proc/loadavg", text, sizeof text)) {
		char *end;
		double la = strtod(text, &end);
		if (end != text && isfinite(la) && la >= 0)
			m->loadavg1 = la;
	}
	if (real)
		read_env(m);
	return 0;
}

/* Positive decimal integer token at *s (no sign); advances *s. */
static bool parse_pos_u64(const char **s, uint64_t *out)
{
	if (!isdigit((unsigned char)**s))
		return false;
	char *end;
	errno = 0;
	unsigned long long v = strtoull(*s, &end, 10);
	if (errno || v == 0)
		return false;
	*s = end;
	*out = (uint64_t)v;
	return true;
}

int mpb_machine_parse_cpu_max(const char *text, double *quota_cpus)
{
	if (!text || !quota_cpus)
		return -1;
	const char *p = text;
	while (*p == ' ' || *p == '\t')
		p++;
	uint64_t quota = 0, period;
	bool unlimited = strncmp(p, "max", 3) == 0;
	if (unlimited)
		p += 3;
	else if (!parse_pos_u64(&p, &quota))
		return -1;
	if (*p != ' ' && *p != '\t')
		return -1;
	while (*p == ' ' || *p == '\t')
		p++;
	if (!parse_pos_u64(&p, &period))
		return -1;
	while (isspace((unsigned char)*p))
		p++;
	if (*p != '\0')
		return -1;
	*quota_cpus = unlimited ? 0.0 : (double)quota / (double)period;
	return 0;
}

int mpb_machine_usable_cpus(int affinity_cpus, double quota_cpus)
{
	int n = affinity_cpus > 0 ? affinity_cpus : 1;
	if (quota_cpus > 0 && quota_cpus < (double)n) {
		int q = (int)quota_cpus;     /* ceil without libm; 0 < quota < n */
		n = q < quota_cpus ? q + 1 : q;
	}
	return n > 0 ? n : 1;
}

/* String value: json_stringn, or a printable-ASCII copy if not valid UTF-8. */
static json_t *jstr(const char *s, size_t cap)
{
	size_t n = strnlen(s, cap);
	json_t *j = json_stringn(s, n);
	if (j)
		return j;
	char buf[256];
	n = n < sizeof buf ? n : sizeof buf;
	for (size_t i = 0; i < n; i++)
		buf[i] = (s[i] >= 0x20 && s[i] < 0x7f) ? s[i] : '?';
	return json_stringn(buf, n);
}

static json_int_t ju64(uint64_t v)
{
	return v > (uint64_t)INT64_MAX ? (json_int_t)INT64_MAX : (json_int_t)v;
}

static json_t *floors_json(const struct mpb_machine *m)
{
	if (!m->has_floors)
		return json_null();
	const struct mpb_floor *f = &m->floors;
	json_t *o = json_pack("{s:f,s:f,s:f,s:f}", "pipe_rtt_ns", f->pipe_rtt_ns,
			      "fork_exit_wait_ns", f->fork_exit_wait_ns, "spawn_exit_wait_ns",
			      f->spawn_exit_wait_ns, "thread_create_join_ns",
			      f->thread_create_join_ns);
	/* the cold floors, null when not measured (a model loaded from a file
	 * from before them) */
	const struct { const char *key; double v; } cold[] = {
		{ "fork_exit_wait_cold_ns", f->fork_exit_wait_cold_ns },
		{ "spawn_exit_wait_cold_ns", f->spawn_exit_wait_cold_ns },
		{ "thread_create_join_cold_ns", f->thread_create_join_cold_ns },
	};
	for (size_t i = 0; o && i < sizeof cold / sizeof cold[0]; i++)
		json_object_set_new(o, cold[i].key,
				    cold[i].v > 0 ? json_real(cold[i].v) : json_null());
	/* the MPI floors: measured only for sweeps with mpi points, and info */
	bool mpi = f->mpi_launch_ns > 0;
	if (o) {
		json_object_set_new(o, "mpi_launch_ns", mpi ? json_real(f->mpi_launch_ns) : json_null());
		json_object_set_new(o, "mpi_launch_ranks",
				    mpi ? json_integer(f->mpi_launch_ranks) : json_null());
		json_object_set_new(o, "mpi_rtt_ns", mpi ? json_real(f->mpi_rtt_ns) : json_null());
	}
	return o;
}

static json_t *selfcheck_json(const struct mpb_machine *m)
{
	const struct mpb_selfcheck *sc = &m->selfcheck;
	if (sc->runs == 0)
		return json_null();
	return json_pack("{s:i,s:f,s:f,s:f,s:f}", "runs", (json_int_t)sc->runs, "empty_run_ns",
			 sc->empty_run_ns, "floors_ns", sc->floors_ns, "overhead_ns", sc->overhead_ns,
			 "min_task_ns", sc->min_task_ns);
}

int mpb_machine_measure_floors(struct mpb_machine *m, const struct mpb_counter_set *counters,
			       struct mpb_diag *d)
{
	int rc = mpb_floor_measure_quick(&m->floors, d);
	m->has_floors = rc == 0;
	m->selfcheck.runs = 0;
	if (rc == 0)
		rc = mpb_selfcheck_measure(&m->floors, counters, MPB_SELFCHECK_RUNS, &m->selfcheck, d);
	return rc;
}

json_t *mpb_machine_to_json(const struct mpb_machine *m)
{
	if (!m)
		return NULL;
	json_t *o = json_object();
	if (!o)
		return NULL;
	size_t gl = strnlen(m->governor, sizeof m->governor);
	struct { const char *k; json_t *v; } kv[] = {
		{ "hostname", jstr(m->hostname, sizeof m->hostname) },
		{ "cpu_model", jstr(m->cpu_model, sizeof m->cpu_model) },
		{ "online_cpus", json_integer(m->online_cpus) },
		{ "affinity_cpus", json_integer(m->affinity_cpus) },
		{ "usable_cpus", json_integer(m->usable_cpus) },
		{ "physical_cores", json_integer(m->physical_cores) },
		{ "smt", json_boolean(m->smt) },
		{ "memory_bytes", json_integer(ju64(m->memory_bytes)) },
		{ "mem_available_bytes", json_integer(ju64(m->mem_available_bytes)) },
		{ "kernel", jstr(m->kernel, sizeof m->kernel) },
		{ "arch", jstr(m->arch, sizeof m->arch) },
		{ "governor", gl ? jstr(m->governor, sizeof m->governor) : json_null() },
		{ "perf_event_paranoid", m->perf_event_paranoid == MPB_PARANOID_UNKNOWN
			? json_null() : json_integer(m->perf_event_paranoid) },
		{ "cgroup_cpu_quota", m->cgroup_cpu_quota > 0 && isfinite(m->cgroup_cpu_quota)
			? json_real(m->cgroup_cpu_quota) : json_null() },
		{ "max_user_processes", m->max_user_processes < 0
			? json_null() : json_integer(m->max_user_processes) },
		{ "loadavg1", json_real(isfinite(m->loadavg1) ? m->loadavg1 : -1.0) },
		{ "floors", floors_json(m) },
		{ "selfcheck", selfcheck_json(m) },
	};
	bool ok = true;
	for (size_t i = 0; i < sizeof kv / sizeof kv[0]; i++)
		if (!kv[i].v || json_object_set_new(o, kv[i].k, kv[i].v) != 0)
			ok = false;   /* set_new frees v on failure; NULL v is a no-op */
	if (mpb_cpu_to_json(&m->cpu, o) < 0)
		ok = false;
	json_t *env = json_object();
	for (unsigned i = 0; env && i < m->nenv; i++)
		if (json_object_set_new(env, m->env[i].name, json_string(m->env[i].value)) != 0)
			ok = false;
	if (!env || json_object_set_new(o, "environment", env) != 0)
		ok = false;
	if (!ok)
		json_decref(o);
	return ok ? o : NULL;
}
