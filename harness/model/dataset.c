/* dataset.c — the results model's memory (see dataset.h). */
#include "dataset.h"

#include <stdlib.h>

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
