/* table.c — the console table (see table.h). Figures come from analysis.c,
 * so the table and the JSON cannot disagree. */
#include "table.h"

#include "analysis.h"
#include "parse.h"
#include "stats.h"

static void fmt_ns(char *buf, size_t len, double ns)
{
	if (ns >= 1e9)
		snprintf(buf, len, "%.3f s", ns / 1e9);
	else if (ns >= 1e6)
		snprintf(buf, len, "%.2f ms", ns / 1e6);
	else if (ns >= 1e3)
		snprintf(buf, len, "%.1f us", ns / 1e3);
	else
		snprintf(buf, len, "%.0f ns", ns);
}

void mpb_table_print(FILE *f, const struct mpb_sweep *s)
{
	const struct mpb_plan *p = s->plan;
	fprintf(f, "%-8s %7s %6s %-10s %5s %7s %10s %7s %8s %5s %10s %10s\n", "workload", "size",
		"tasks", "method", "chunk", "workers", "wall", "+-CI", "speedup", "eff",
		"ovh/task", "start/wkr");
	for (size_t j = 0; j < p->nbaselines; j++) {
		const struct mpb_baseline_state *bs = &s->bls[j];
		const struct mpb_baseline *b = &p->baselines[j];
		char size[MPB_FMT_U64_LEN], wall[32];
		mpb_format_u64(b->size, b->workload->unit, size, sizeof size);
		if (bs->n)
			fmt_ns(wall, sizeof wall, mpb_stats_median(bs->wall_ns, bs->n));
		fprintf(f, "%-8s %7s %6llu %-10s %5s %7s %10s  (serial baseline%s%s)\n",
			b->workload->name, size, (unsigned long long)b->tasks, "-", "-", "-",
			bs->n ? wall : "-", bs->failed ? ": FAILED: " : "", bs->failed ? bs->error : "");
	}
	for (size_t i = 0; i < p->npoints; i++) {
		const struct mpb_point *pt = &p->points[i];
		char size[MPB_FMT_U64_LEN], wall[32], ovh[32], su[32];
		struct mpb_derived dv;
		mpb_format_u64(pt->size, pt->workload->unit, size, sizeof size);
		fprintf(f, "%-8s %7s %6llu %-10s %5llu %7u ", pt->workload->name, size,
			(unsigned long long)pt->tasks, pt->method->name,
			(unsigned long long)pt->chunksize, pt->workers);
		if (mpb_analysis_point(s, i, &dv) < 0) {
			fprintf(f, "%s\n", s->pts[i].failed ? "FAILED" : "no runs");
		} else {
			fmt_ns(wall, sizeof wall, dv.wall_median_ns);
			fmt_ns(ovh, sizeof ovh, dv.overhead_per_task_ns);
			fmt_ns(su, sizeof su, dv.startup_per_worker_ns);
			double ci = dv.wall_median_ns > 0
				? 100.0 * (dv.wall_ci_hi - dv.wall_ci_lo) / 2 / dv.wall_median_ns : 0;
			if (dv.have_speedup)
				fprintf(f, "%10s %6.1f%% %7.2fx %5.2f %10s %10s\n", wall, ci, dv.speedup,
					dv.efficiency, ovh, su);
			else
				fprintf(f, "%10s %6.1f%% %8s %5s %10s %10s\n", wall, ci, "-", "-", ovh, su);
		}
		if (s->pts[i].failed)
			fprintf(f, "         ^ %s\n", s->pts[i].error);
	}
}
