/* progress.c — the progress estimate and items in words (see progress.h). */
#include "progress.h"

#include <math.h>
#include <stdio.h>

#include "codec.h"
#include "parse.h"
#include "transport.h"

uint64_t mpb_progress_runs_left(const struct mpb_sampling_policy *p, uint64_t min_runs,
				const struct mpb_sampling_verdict *v, uint64_t peers)
{
	if (v->state != MPB_SAMPLING_MORE)
		return 0;
	uint64_t n = v->n;
	uint64_t max = p->max_runs > min_runs ? p->max_runs : min_runs;
	double want = (double)min_runs;
	if (max > min_runs && !(p->target_ci > 0))
		want = (double)max; /* no CI to converge to: the runs end at a limit */
	else if (max > min_runs && n >= 2 && isfinite(v->ci_half) && v->ci_half > p->target_ci) {
		double r = v->ci_half / p->target_ci;
		double need = ceil((double)n * r * r);
		if (need > want)
			want = need;
	} else if (max > min_runs && n < 2 && (double)peers > want) {
		want = (double)peers; /* no CI yet: as many as its peers needed */
	}
	if (n >= min_runs && p->max_time_ns && isfinite(v->median) && v->median > 0) {
		/* the verdict stops once the runs took --max-time */
		double by_time = ceil((double)p->max_time_ns / v->median);
		if (by_time < want)
			want = by_time;
	}
	if (want > (double)max)
		want = (double)max;
	if (want < (double)n + 1)
		want = (double)n + 1; /* it asked for another run */
	return (uint64_t)want - n;
}

void mpb_progress_tally_begin(struct mpb_progress_tally *t, uint64_t now_ns)
{
	*t = (struct mpb_progress_tally){ .start_ns = now_ns };
}

void mpb_progress_tally_reset(struct mpb_progress_tally *t)
{
	t->left = 0;
	t->left_known_ns = 0;
	t->left_unknown = 0;
}

static bool known(double run_ns)
{
	return isfinite(run_ns) && run_ns > 0;
}

void mpb_progress_tally_expect(struct mpb_progress_tally *t, uint64_t runs, double run_ns)
{
	t->left += runs;
	if (known(run_ns))
		t->left_known_ns += (double)runs * run_ns;
	else
		t->left_unknown += runs;
}

void mpb_progress_tally_ran(struct mpb_progress_tally *t, double run_ns, uint64_t wall_ns)
{
	t->done++;
	t->run_ns += wall_ns;
	if (t->left == 0)
		return; /* a run the estimate missed */
	t->left--;
	if (known(run_ns)) {
		t->left_known_ns -= run_ns;
		if (t->left_known_ns < 0)
			t->left_known_ns = 0;
	} else if (t->left_unknown) {
		t->left_unknown--;
	}
}

uint64_t mpb_progress_eta_ns(const struct mpb_progress_tally *t, uint64_t now_ns)
{
	if (t->left == 0)
		return 0;
	if (t->done == 0 || t->run_ns == 0)
		return MPB_PROGRESS_ETA_UNKNOWN;
	double mean = (double)t->run_ns / (double)t->done;
	double left = t->left_known_ns + (double)t->left_unknown * mean;
	double elapsed = now_ns > t->start_ns ? (double)(now_ns - t->start_ns) : 0;
	/* the time between runs (the harness's own work) grows the estimate in
	 * the proportion seen so far; never shrinks it */
	double scale = elapsed > (double)t->run_ns ? elapsed / (double)t->run_ns : 1.0;
	double eta = left * scale;
	return eta < 1.8e19 ? (uint64_t)eta : MPB_PROGRESS_ETA_UNKNOWN;
}

void mpb_progress_fill(const struct mpb_progress_tally *t, uint64_t now_ns, bool settled,
		       struct mpb_progress_step *st)
{
	st->done = t->done;
	st->total = t->done + t->left;
	st->settled = settled;
	st->elapsed_ns = now_ns > t->start_ns ? now_ns - t->start_ns : 0;
	st->eta_ns = mpb_progress_eta_ns(t, now_ns);
}

/* The axes of workload w's items that are its own: all of a pooled
 * workload's; of an external command, those its template names. */
static unsigned axes_of(const struct mpb_dataset *ds, const struct mpb_workload_ops *w)
{
	return w->flags & MPB_WORKLOAD_EXTERNAL ? mpb_dataset_cmd_axes(ds) : ~0u;
}

/* "sumsq 5M" (the size when the item sees it) */
static int words_of(const struct mpb_workload_ops *w, uint64_t size, unsigned axes, char *buf,
		    size_t len)
{
	char sz[MPB_FMT_U64_LEN];
	mpb_format_u64(size, MPB_UNIT_COUNT, sz, sizeof sz);
	return snprintf(buf, len, "%s%s%s", w->name, axes & MPB_CMD_AXIS_SIZE ? " " : "",
			axes & MPB_CMD_AXIS_SIZE ? sz : "");
}

void mpb_progress_point_words(const struct mpb_dataset *ds, size_t i, char *buf, size_t len)
{
	const struct mpb_point *pt = &ds->plan->points[i];
	unsigned axes = axes_of(ds, pt->workload);
	int n = words_of(pt->workload, pt->size, axes, buf, len);
	if (n < 0 || (size_t)n >= len)
		return;
	/* as the console table names them: a codec the method fixes is implied;
	 * an external command has no transport or codec of mpbench's */
	bool pooled = !(pt->workload->flags & MPB_WORKLOAD_EXTERNAL);
	bool me = axes & MPB_CMD_AXIS_METHOD;
	bool tp = pooled && pt->transport != mpb_transport_default();
	bool co = pooled && pt->codec != mpb_codec_default() && !pt->method->codec;
	snprintf(buf + n, len - (size_t)n, "%s%s%s%s%s%s -j %u", me ? " " : "",
		 me ? pt->method->name : "", tp ? " " : "", tp ? pt->transport->name : "",
		 co ? " " : "", co ? pt->codec->name : "", pt->workers);
}

void mpb_progress_baseline_words(const struct mpb_dataset *ds, size_t j, char *buf, size_t len)
{
	const struct mpb_baseline *b = &ds->plan->baselines[j];
	int n = words_of(b->workload, b->size, axes_of(ds, b->workload), buf, len);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " serial");
}

void mpb_progress_ceiling_words(const struct mpb_dataset *ds, size_t j, char *buf, size_t len)
{
	const struct mpb_ceiling *c = &ds->plan->ceilings[j];
	int n = words_of(c->workload, c->size, axes_of(ds, c->workload), buf, len);
	if (n >= 0 && (size_t)n < len)
		snprintf(buf + n, len - (size_t)n, " ceiling -j %u", c->workers);
}
