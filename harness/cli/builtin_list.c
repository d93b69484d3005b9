/* builtin_list.c — `mpbench list`: every registry's entries (workloads,
 * start methods, codecs, transports) with their summaries, and the values
 * of --chunksize and --counters. */
#include "builtin.h"

#include <stdio.h>

#include <jansson.h>

#include "codec.h"
#include "counters.h"
#include "method.h"
#include "transport.h"
#include "workload.h"

#define ENTRY(name_, summary_) json_pack("{s:s, s:s}", "name", name_, "summary", summary_)

/* The same listing as one JSON object (list --format json). */
static int list_json(struct mpb_diag *d)
{
	size_t n;
	json_t *o = json_object(), *a;
	const struct mpb_workload_ops *const *w = mpb_workload_all(&n);
	json_object_set_new(o, "workloads", a = json_array());
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_pack("{s:s, s:s, s:s, s:s, s:I}", "name", w[i]->name,
						   "summary", w[i]->summary, "unit", w[i]->unit_name,
						   "default_sizes", w[i]->default_sizes, "default_tasks",
						   (json_int_t)w[i]->default_tasks));
	const struct mpb_method_ops *const *me = mpb_method_all(&n);
	json_object_set_new(o, "methods", a = json_array());
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, ENTRY(me[i]->name, me[i]->summary));
	const struct mpb_codec_ops *const *co = mpb_codec_all(&n);
	json_object_set_new(o, "codecs", a = json_array());
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, ENTRY(co[i]->name, co[i]->summary));
	const struct mpb_transport_ops *const *tr = mpb_transport_all(&n);
	json_object_set_new(o, "transports", a = json_array());
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, ENTRY(tr[i]->name, tr[i]->summary));
	json_object_set_new(o, "chunksizes", json_pack("[o, o, o]",
		ENTRY("N", "N tasks per message"),
		ENTRY("python", "ceil(tasks / (4 x workers)), the rule of Pool.map"),
		ENTRY("auto", "from 1, grown until a chunk takes ~50 ms, shrunk at the end")));
	json_object_set_new(o, "counters", json_pack("[o, o, o]",
		ENTRY("default", MPB_COUNTERS_DEFAULT),
		ENTRY("none", "no perf-event counters (rusage is still recorded)"),
		ENTRY("EVENT", "any libpfm4 event name, with modifiers")));
	return mpb_cli_print_json(o, d);
}

int mpb_builtin_list(const struct mpb_cli_call *call, struct mpb_diag *d)
{
	int rc = mpb_cli_check_text_json(call->cfg->format, d);
	if (rc != 0)
		return rc < 0 ? rc : list_json(d);
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
#if !MPB_HAVE_MPI
	printf("  %-10s not built: this build has no MPI (install Open MPI's libopenmpi-dev and "
	       "reconfigure; meson -Dmpi=enabled insists)\n", "mpi");
#endif
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
