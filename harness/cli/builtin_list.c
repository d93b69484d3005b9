/* builtin_list.c — `mpbench list`: every registry's entries (workloads,
 * start methods, codecs, transports) with their summaries, and the values
 * of --chunksize and --counters. */
#include "builtin.h"

#include <stdio.h>

#include "codec.h"
#include "counters.h"
#include "method.h"
#include "transport.h"
#include "workload.h"

int mpb_builtin_list(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	(void)call;
	(void)d;
	size_t n;
	const struct mpb_workload_ops *const *w = mpb_workload_all(&n);
	printf("workloads:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s [size: %s, default -s %s -t %llu]\n", w[i]->name, w[i]->summary,
		       w[i]->unit_name, w[i]->default_sizes, (unsigned long long)w[i]->default_tasks);
	const struct mpb_method_ops *const *me = mpb_method_all(&n);
	printf("methods:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", me[i]->name, me[i]->summary);
	const struct mpb_codec_ops *const *co = mpb_codec_all(&n);
	printf("codecs:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", co[i]->name, co[i]->summary);
	const struct mpb_transport_ops *const *tr = mpb_transport_all(&n);
	printf("transports:\n");
	for (size_t i = 0; i < n; i++)
		printf("  %-10s %s\n", tr[i]->name, tr[i]->summary);
	printf("chunksize:\n  %-10s %s\n  %-10s %s\n  %-10s %s\n", "N", "N tasks per message",
	       "python", "ceil(tasks / (4 x workers)), the rule of Pool.map", "auto",
	       "from 1, grown until a chunk takes ~50 ms, shrunk at the end (joblib's auto batching)");
	printf("counters:\n  %-10s %s\n  %-10s %s\n  %-10s %s\n", "default",
	       MPB_COUNTERS_DEFAULT, "none", "no perf-event counters (rusage is still recorded)",
	       "EVENT", "any libpfm4 event name, with modifiers (e.g. cycles:u, perf_raw::r00c0)");
	return 0;
}
