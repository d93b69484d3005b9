/* dataset.c — the results model's memory (see dataset.h). */
#include "dataset.h"

#include <stdlib.h>
#include <string.h>

#include "workload.h"

static void *zeroed(size_t n, size_t size)
{
	return calloc(n ? n : 1, size);
}

int mpb_dataset_alloc(struct mpb_dataset *ds)
{
	const struct mpb_plan *p = ds->plan;
	if (!ds->pts)
		ds->pts = zeroed(p->npoints, sizeof *ds->pts);
	if (!ds->bls)
		ds->bls = zeroed(p->nbaselines, sizeof *ds->bls);
	if (!ds->cls)
		ds->cls = zeroed(p->nceilings, sizeof *ds->cls);
	return ds->pts && ds->bls && ds->cls ? 0 : -1;
}

int mpb_dataset_add_run(struct mpb_point_state *ps, const struct mpb_sample *smp)
{
	if (ps->nruns == ps->cap) {
		size_t nc = ps->cap ? ps->cap * 2 : 8;
		struct mpb_sample *nr = realloc(ps->runs, nc * sizeof *nr);
		if (!nr)
			return -1;
		ps->runs = nr;
		ps->cap = nc;
	}
	ps->runs[ps->nruns++] = *smp;
	return 0;
}

int mpb_dataset_add_wall(struct mpb_wall_state *ws, double wall_ns)
{
	if (ws->n == ws->cap) {
		size_t nc = ws->cap ? ws->cap * 2 : 8;
		double *nv = realloc(ws->wall_ns, nc * sizeof *nv);
		if (!nv)
			return -1;
		ws->wall_ns = nv;
		ws->cap = nc;
	}
	ws->wall_ns[ws->n++] = wall_ns;
	return 0;
}

void mpb_dataset_sample_free(struct mpb_sample *smp)
{
	free(smp->worker);
	smp->worker = NULL;
	json_decref(smp->cmd);
	smp->cmd = NULL;
}

void mpb_dataset_free(struct mpb_dataset *ds)
{
	for (size_t i = 0; ds->pts && i < ds->plan->npoints; i++) {
		for (size_t r = 0; r < ds->pts[i].nruns; r++)
			mpb_dataset_sample_free(&ds->pts[i].runs[r]);
		free(ds->pts[i].runs);
	}
	for (size_t j = 0; ds->bls && j < ds->plan->nbaselines; j++)
		free(ds->bls[j].wall_ns);
	for (size_t j = 0; ds->cls && j < ds->plan->nceilings; j++)
		free(ds->cls[j].wall_ns);
	free(ds->pts);
	free(ds->bls);
	free(ds->cls);
	ds->pts = NULL;
	ds->bls = NULL;
	ds->cls = NULL;
}

json_t *mpb_dataset_u64_json(uint64_t v)
{
	return v <= INT64_MAX ? json_integer((json_int_t)v) : json_real((double)v);
}

unsigned mpb_dataset_cmd_axes(const struct mpb_dataset *ds)
{
	static const struct { const char *name; unsigned bit; } ph[] = {
		{ "size", MPB_CMD_AXIS_SIZE }, { "tasks", MPB_CMD_AXIS_TASKS },
		{ "workers", MPB_CMD_AXIS_WORKERS }, { "method", MPB_CMD_AXIS_METHOD },
		{ "chunksize", MPB_CMD_AXIS_CHUNKSIZE },
	};
	const char *t = json_string_value(json_object_get(ds->options, "cmd"));
	unsigned axes = 0;
	for (size_t i = 0; t && t[i]; i++) {
		if (t[i] != '{')
			continue;
		if (t[i + 1] == '{') { /* "{{": a literal brace */
			i++;
			continue;
		}
		size_t n = strcspn(t + i + 1, "{}");
		for (size_t k = 0; k < sizeof ph / sizeof ph[0]; k++)
			if (t[i + 1 + n] == '}' && strlen(ph[k].name) == n &&
			    strncmp(t + i + 1, ph[k].name, n) == 0)
				axes |= ph[k].bit;
		i += n;
	}
	return axes;
}

bool mpb_dataset_measured(const struct mpb_dataset *ds, size_t i, const char *field)
{
	if (!(ds->plan->points[i].workload->flags & MPB_WORKLOAD_EXTERNAL))
		return true;
	const struct mpb_point_state *ps = &ds->pts[i];
	bool parent_codec = strcmp(field, "codec_parent_ns") == 0;
	for (size_t r = 0; r < ps->nruns; r++) {
		const json_t *rep = json_object_get(ps->runs[r].cmd, "reported");
		if (json_object_get(rep, field) ||
		    (parent_codec && json_object_get(rep, "serialize_ns")))
			return true;
	}
	return false;
}
