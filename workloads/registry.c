/* registry.c — the explicit table of workloads. Adding a workload is one file
 * plus one line here (see skeleton.c). */
#include "workload.h"

#include <string.h>

static const struct mpb_workload_ops *const workloads[] = {
	&mpb_workload_null,
	&mpb_workload_sumsq,
	&mpb_workload_payload,
	&mpb_workload_stream,
	&mpb_workload_imbalance,
	&mpb_workload_sleep,
	&mpb_workload_cmd,
};

const struct mpb_workload_ops *const *mpb_workload_all(size_t *n)
{
	*n = sizeof workloads / sizeof workloads[0];
	return workloads;
}

const struct mpb_workload_ops *mpb_workload_find(const char *name)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		if (strcmp(workloads[i]->name, name) == 0)
			return workloads[i];
	return NULL;
}

const struct mpb_workload_option *mpb_workload_option_at(size_t k)
{
	for (size_t i = 0; i < sizeof workloads / sizeof workloads[0]; i++)
		for (const struct mpb_workload_option *o = workloads[i]->options; o && o->name; o++)
			if (k-- == 0)
				return o;
	return NULL;
}

uint64_t *mpb_workload_option_field(struct mpb_workload_params *p,
				    const struct mpb_workload_option *o)
{
	return (uint64_t *)((char *)p + o->param);
}

static int check_options(const struct mpb_workload_ops *w, struct mpb_diag *d)
{
	for (const struct mpb_workload_option *o = w->options; o && o->name; o++)
		if (!o->metavar || !o->help || !o->def || !o->key || o->min > o->max ||
		    o->param % sizeof(uint64_t) != 0 ||
		    o->param + sizeof(uint64_t) > sizeof(struct mpb_workload_params))
			return mpb_fail(d, MPB_EINPUT, "workload '%s': option '%s' is incomplete or "
					"out of range", w->name, o->name);
	return 0;
}

int mpb_workload_check(const struct mpb_workload_ops *w, struct mpb_diag *d)
{
	if (!w || !w->name)
		return mpb_fail(d, MPB_EINPUT, "workload without a name");
	if (w->abi != MPB_WORKLOAD_ABI)
		return mpb_fail(d, MPB_EINPUT, "workload '%s' has ABI %u, mpbench needs %u",
				w->name, w->abi, MPB_WORKLOAD_ABI);
	if (!w->make_task ||
	    (!(w->flags & MPB_WORKLOAD_EXTERNAL) && (!w->run_task || !w->verify)))
		return mpb_fail(d, MPB_EINPUT,
				"workload '%s' lacks make_task, run_task or verify", w->name);
	if (!w->default_sizes || w->default_tasks == 0 || w->min_size > w->max_size)
		return mpb_fail(d, MPB_EINPUT, "workload '%s' has bad default sizes or tasks",
				w->name);
	return check_options(w, d);
}

int mpb_workload_make_index(void *state, const struct mpb_workload_params *p, uint64_t index,
			    struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}
