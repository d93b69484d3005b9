/* overhead.c — the overhead split of a run (see overhead.h). */
#include "overhead.h"

#include <stddef.h>
#include <stdlib.h>

#include "stats.h"

/* Clock reads at the edges of each part: allow this much per part before
 * calling a sum inconsistent. */
#define ROUNDING_NS 1000u

static uint64_t rest(uint64_t total, uint64_t parts, unsigned nparts, bool *bad)
{
	if (parts <= total)
		return total - parts;
	if (parts - total > (uint64_t)nparts * ROUNDING_NS)
		*bad = true;
	return 0;
}

int mpb_overhead_split(const struct mpb_pool_report *r, struct mpb_overhead *o)
{
	*o = (struct mpb_overhead){ 0 };
	o->map_ns = r->map_ns;
	o->parent_codec_ns = r->codec_parent_ns;
	o->parent_transport_ns = r->map_transport_parent_ns;
	o->parent_wait_ns = r->map_wait_parent_ns;
	o->parent_other_ns = rest(o->map_ns,
				  o->parent_codec_ns + o->parent_transport_ns + o->parent_wait_ns,
				  3, &o->inconsistent);
	for (unsigned k = 0; k < r->workers; k++) {
		const struct mpb_worker_report *w = &r->worker[k];
		o->serve_ns += w->serve_ns;
		o->compute_ns += w->compute_ns;
		o->worker_codec_ns += w->codec_ns;
		o->worker_wait_ns += w->idle_ns;
		o->worker_send_ns += w->send_ns;
	}
	o->worker_other_ns = rest(o->serve_ns,
				  o->compute_ns + o->worker_codec_ns + o->worker_wait_ns +
					  o->worker_send_ns,
				  4 * (r->workers ? r->workers : 1), &o->inconsistent);
	o->parent_syscalls = r->syscalls_parent;
	o->bytes_sent = r->bytes_sent;
	o->bytes_received = r->bytes_received;
	o->tasks = r->tasks;
	return o->inconsistent ? -1 : 0;
}

#define u64 mpb_dataset_u64_json

json_t *mpb_overhead_json(const struct mpb_overhead *o)
{
	return json_pack("{s:{s:o, s:o, s:o, s:o, s:o, s:o}, s:{s:o, s:o, s:o, s:o, s:o, s:o}, "
			 "s:o, s:o, s:b}",
		"parent", "map_ns", u64(o->map_ns), "codec_ns", u64(o->parent_codec_ns),
		"transport_ns", u64(o->parent_transport_ns), "wait_ns", u64(o->parent_wait_ns),
		"other_ns", u64(o->parent_other_ns), "syscalls", u64(o->parent_syscalls),
		"workers", "serve_ns", u64(o->serve_ns), "compute_ns", u64(o->compute_ns),
		"codec_ns", u64(o->worker_codec_ns), "wait_ns", u64(o->worker_wait_ns),
		"send_ns", u64(o->worker_send_ns), "other_ns", u64(o->worker_other_ns),
		"bytes_sent", u64(o->bytes_sent), "bytes_received", u64(o->bytes_received),
		"consistent", !o->inconsistent);
}

#define PART(name) { #name, offsetof(struct mpb_overhead, name) }
static const struct {
	const char *name;
	size_t off;
} parts[] = {
	PART(parent_codec_ns), PART(parent_transport_ns), PART(parent_wait_ns),
	PART(parent_other_ns), PART(compute_ns), PART(worker_codec_ns), PART(worker_wait_ns),
	PART(worker_send_ns), PART(worker_other_ns),
};
#undef PART

json_t *mpb_overhead_median_json(const struct mpb_overhead *const *runs, size_t n)
{
	if (n == 0)
		return NULL;
	double *v = malloc(n * sizeof *v);
	json_t *o = json_object();
	if (!v || !o) {
		free(v);
		json_decref(o);
		return NULL;
	}
	for (size_t p = 0; p < sizeof parts / sizeof parts[0]; p++) {
		for (size_t r = 0; r < n; r++) {
			uint64_t x = *(const uint64_t *)((const char *)runs[r] + parts[p].off);
			v[r] = runs[r]->tasks ? (double)x / (double)runs[r]->tasks : 0;
		}
		json_object_set_new(o, parts[p].name, json_real(mpb_stats_median(v, n)));
	}
	free(v);
	return o;
}

static json_t *chunks_json(const struct mpb_chunk_stats *c)
{
	json_t *first = json_array();
	for (unsigned i = 0; first && i < c->nfirst; i++)
		json_array_append_new(first, json_integer(c->first[i]));
	return json_pack("{s:o, s:o, s:o, s:o, s:o}", "count", u64(c->chunks), "min", u64(c->min),
			 "max", u64(c->max),
			 "mean", json_real(c->chunks ? (double)c->tasks / (double)c->chunks : 0),
			 "first", first ? first : json_null());
}

void mpb_overhead_run_json(json_t *run, const struct mpb_sample *s)
{
	json_object_set_new(run, "overhead", mpb_overhead_json(&s->overhead));
	json_object_set_new(run, "chunks", chunks_json(&s->chunks));
}

void mpb_overhead_derived_json(json_t *derived, const struct mpb_point_state *ps)
{
	const struct mpb_overhead **v = malloc((ps->nruns ? ps->nruns : 1) * sizeof *v);
	if (!v)
		return;
	for (size_t r = 0; r < ps->nruns; r++)
		v[r] = &ps->runs[r].overhead;
	json_t *m = mpb_overhead_median_json(v, ps->nruns);
	free(v);
	json_object_set_new(derived, "overhead_split_per_task_ns", m ? m : json_null());
}
