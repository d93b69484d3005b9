/* cpu.h — the CPU's caches and clock, for results provenance (as Google
 * Benchmark's context and pyperf's metadata carry them): cpu0's caches from
 * /sys/devices/system/cpu/cpu0/cache, its clock from /proc/cpuinfo's "cpu
 * MHz" (else cpufreq's scaling_cur_freq) and cpufreq's cpuinfo_max_freq.
 * Missing files leave a fact unknown, never fail. */
#ifndef MPB_CPU_H
#define MPB_CPU_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#define MPB_CPU_CACHES_MAX 8

struct mpb_cpu_cache {
	unsigned level;         /* 1, 2, 3, ... */
	char type[16];          /* "Data", "Instruction", "Unified" */
	uint64_t size_bytes;
	unsigned line_bytes;    /* coherency line size; 0 unknown */
	unsigned shared_cpus;   /* logical CPUs sharing it; 0 unknown */
};

struct mpb_cpu {
	struct mpb_cpu_cache caches[MPB_CPU_CACHES_MAX]; /* cpu0's, by index */
	unsigned ncaches;
	double mhz;             /* cpu0's clock when probed; 0 unknown */
	double max_mhz;         /* cpufreq's maximum; 0 unknown (typical in VMs) */
};

/* Probe cpu0 under root ("" for the real machine); mhz_cpuinfo is the "cpu
 * MHz" that /proc/cpuinfo gave (0: none), which wins over cpufreq's. */
void mpb_cpu_probe(const char *root, double mhz_cpuinfo, struct mpb_cpu *c);

/* "48K" -> 49152, "2048K", "32M", "512" (bytes). false when malformed. */
bool mpb_cpu_parse_size(const char *text, uint64_t *bytes);

/* CPUs in a kernel CPU list ("0-3,8" -> 5); 0 when malformed. */
unsigned mpb_cpu_list_count(const char *list);

/* Set machine's "caches" ([{level, type, size_bytes, line_bytes,
 * shared_cpus}], [] when unknown), "cpu_mhz" and "cpu_max_mhz" (null when
 * unknown) from c. 0, or -1 on ENOMEM. */
int mpb_cpu_to_json(const struct mpb_cpu *c, json_t *machine);

/* Read them back from a results file's machine (missing: unknown). */
void mpb_cpu_from_json(const json_t *machine, struct mpb_cpu *c);

#endif
