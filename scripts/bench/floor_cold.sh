#!/usr/bin/env bash
# floor_cold.sh — what a floor costs hot and cold: fork+_exit+waitpid and
# pthread_create+join, each timed (a) in a tight loop, as `mpbench info` and a
# sweep's machine.floors measure them, and (b) as the first operation after
# the process waited, as a pool's launch is: after 4 ms of another process's
# memory-bound compute (a sweep's previous point: workers and bare processes
# computing while the harness waits), and after 4 ms asleep with nothing to
# compute. Medians over ROUNDS rounds; the time until fork/pthread_create
# returned in the parent too, the "launched" step of a worker's start-up
# timeline (results/README.md: workers_detail[].startup_timeline). A last
# row times pthread_create+join hot with the new thread placed on a CPU other
# than the caller's (pthread_attr_setaffinity_np), as a pool's thread worker
# runs beside the harness: the hot floor's thread takes the CPU of the parent
# that blocks in the join and never crosses CPUs. fork has no such row: a
# child cannot be created on another CPU, only moved there after it ran.
#
#   scripts/bench/floor_cold.sh [-r ROUNDS]     [31]
#
# Standalone (a C program compiled here with cc), so that nothing of mpbench
# is in the figures: what it shows is the machine's, and it is why a pool's
# start-up per worker sits above the floors that machine.floors records
# (results/README.md: derived.startup_per_worker_floors); mpbench now records
# the cold floors itself too (machine.floors.*_cold_ns, derived.
# startup_per_worker_cold_floors), this script checks them standalone. The load average is
# printed with the figures: on a shared machine it says how much they mean.
set -euo pipefail

rounds=31
while [ $# -gt 0 ]; do
  case "$1" in
    -r) rounds=$2; shift 2 ;;
    *) echo "floor_cold: $1: unknown option (accepted: -r ROUNDS)" >&2; exit 2 ;;
  esac
done
case "$rounds" in
  '' | *[!0-9]* | 0) echo "floor_cold: -r $rounds: expected a positive integer" >&2; exit 2 ;;
esac
cc=${CC:-cc}
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/floor_cold.c" <<'EOF'
#define _GNU_SOURCE
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static uint64_t now(void)
{
	struct timespec t;
	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static int cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
	qsort(v, (size_t)n, sizeof *v, cmp);
	return v[n / 2];
}

static void *nothing(void *a)
{
	return a;
}

/* us for the whole operation; *ret: until fork/pthread_create returned */
static double fork_once(double *ret)
{
	uint64_t t0 = now();
	pid_t p = fork();
	if (p == 0)
		_exit(0);
	uint64_t t1 = now();
	waitpid(p, NULL, 0);
	*ret = (double)(t1 - t0) / 1e3;
	return (double)(now() - t0) / 1e3;
}

static double thread_once(double *ret)
{
	pthread_t t;
	uint64_t t0 = now();
	pthread_create(&t, NULL, nothing, NULL);
	uint64_t t1 = now();
	pthread_join(t, NULL);
	*ret = (double)(t1 - t0) / 1e3;
	return (double)(now() - t0) / 1e3;
}

/* As thread_once, the thread placed on a CPU other than the caller's;
 * < 0 when the process may use only one CPU. */
static double thread_other_once(double *ret)
{
	cpu_set_t may, other;
	CPU_ZERO(&other);
	int me = sched_getcpu();
	if (sched_getaffinity(0, sizeof may, &may) != 0)
		return -1;
	for (int c = 0; c < CPU_SETSIZE && CPU_COUNT(&other) == 0; c++)
		if (c != me && CPU_ISSET(c, &may))
			CPU_SET(c, &other);
	if (CPU_COUNT(&other) == 0)
		return -1;
	pthread_attr_t at;
	pthread_attr_init(&at);
	pthread_attr_setaffinity_np(&at, sizeof other, &other);
	pthread_t t;
	uint64_t t0 = now();
	int e = pthread_create(&t, &at, nothing, NULL);
	uint64_t t1 = now();
	pthread_attr_destroy(&at);
	if (e != 0)
		return -1;
	pthread_join(t, NULL);
	*ret = (double)(t1 - t0) / 1e3;
	return (double)(now() - t0) / 1e3;
}

/* the compute runs in a helper process with its own 40 MB (the parent's
 * footprint stays small, as mpbench's does); the parent waits for it */
static int req[2], rep[2];

static void compute(void)
{
	char c = 'w';
	if (write(req[1], &c, 1) != 1 || read(rep[0], &c, 1) != 1)
		exit(1);
}

static void helper(void)
{
	/* only its own ends: the parent's close of req[1] is its EOF */
	close(req[1]);
	close(rep[0]);
	size_t n = 5u << 20;
	double *v = malloc(n * sizeof *v);
	volatile double sink;
	char c;
	for (size_t i = 0; i < n; i++)
		v[i] = (double)i;
	while (read(req[0], &c, 1) == 1) {
		double s = 0;
		for (size_t i = 0; i < n; i++)
			s += v[i] * v[i];
		sink = s;
		(void)sink;
		if (write(rep[1], &c, 1) != 1)
			break;
	}
	_exit(0);
}

enum { HOT, AFTER_COMPUTE, AFTER_SLEEP, HOT_OTHER_CPU, NWAYS };
static const char *way[NWAYS] = { "hot (tight loop)", "after compute", "after sleep",
				  "hot, other CPU" };

int main(int argc, char **argv)
{
	int r = argc > 1 ? atoi(argv[1]) : 31;
	if (pipe(req) || pipe(rep))
		return 1;
	pid_t h = fork();
	if (h == 0)
		helper();
	close(req[0]);
	close(rep[1]);
	double *v = calloc((size_t)r * NWAYS * 4, sizeof *v);
	if (!v)
		return 1;
#define AT(w, k, i) v[(((size_t)(w) * 4 + (k)) * (size_t)r) + (size_t)(i)]
	struct timespec ms4 = { 0, 4000000 };
	for (int i = 0; i < r; i++) {
		for (int w = 0; w < NWAYS; w++) {
			if (w == AFTER_COMPUTE)
				compute();
			if (w == AFTER_SLEEP)
				nanosleep(&ms4, NULL);
			if (w == HOT_OTHER_CPU) {
				/* hot: the last of five in a row */
				for (int j = 0; j < 5; j++)
					AT(w, 2, i) = thread_other_once(&AT(w, 3, i));
				continue;
			}
			/* hot: the last of five in a row */
			for (int j = 0; j < (w == HOT ? 5 : 1); j++)
				AT(w, 0, i) = fork_once(&AT(w, 1, i));
			if (w == AFTER_COMPUTE)
				compute();
			if (w == AFTER_SLEEP)
				nanosleep(&ms4, NULL);
			for (int j = 0; j < (w == HOT ? 5 : 1); j++)
				AT(w, 2, i) = thread_once(&AT(w, 3, i));
		}
	}
	close(req[1]); /* the helper's EOF: it exits, and is reaped */
	waitpid(h, NULL, 0);
	printf("%-18s %18s %14s %20s %16s\n", "medians, us", "fork+exit+wait", "fork returned",
	       "thread create+join", "create returned");
	for (int w = 0; w < HOT_OTHER_CPU; w++)
		printf("%-18s %18.1f %14.1f %20.1f %16.1f\n", way[w], median(&AT(w, 0, 0), r),
		       median(&AT(w, 1, 0), r), median(&AT(w, 2, 0), r), median(&AT(w, 3, 0), r));
	if (AT(HOT_OTHER_CPU, 2, 0) < 0)
		printf("%-18s %18s %14s %20s %16s\n", way[HOT_OTHER_CPU], "-", "-",
		       "(one CPU)", "-");
	else
		printf("%-18s %18s %14s %20.1f %16.1f\n", way[HOT_OTHER_CPU], "-", "-",
		       median(&AT(HOT_OTHER_CPU, 2, 0), r), median(&AT(HOT_OTHER_CPU, 3, 0), r));
	return 0;
}
EOF
"$cc" -O2 -pthread -o "$dir/floor_cold" "$dir/floor_cold.c"
echo "floor_cold: $rounds rounds; $(uptime | sed 's/.*load/load/')"
"$dir/floor_cold" "$rounds"
echo "floor_cold: done; $(uptime | sed 's/.*load/load/')"
