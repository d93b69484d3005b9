/* deadline.c — run and task time limits of a pool run (see deadline.h). */
#include "deadline.h"

#include "method.h"

uint64_t mpb_deadline_ns(double seconds)
{
	if (!(seconds > 0))
		return 0;
	double ns = seconds * 1e9;
	if (ns >= 1.8e19) /* beyond UINT64_MAX: as good as none, but still "set" */
		return UINT64_MAX;
	uint64_t v = (uint64_t)ns;
	return v ? v : 1;
}

enum mpb_deadline_verdict mpb_deadline_check(const struct mpb_deadline *dl, uint64_t now,
					     const struct mpb_slot *slots, unsigned n,
					     unsigned *culprit)
{
	if (dl->run_ns && now > dl->start_ns && now - dl->start_ns > dl->run_ns)
		return MPB_DEADLINE_RUN;
	if (!dl->task_ns)
		return MPB_DEADLINE_OK;
	uint64_t worst = 0;
	enum mpb_deadline_verdict v = MPB_DEADLINE_OK;
	for (unsigned i = 0; i < n; i++) {
		const struct mpb_slot *s = &slots[i];
		/* a slot that is gone or idle holds no task to time */
		if (s->eof || s->ended || s->inflight_count == 0 || now <= s->busy_since_ns)
			continue;
		uint64_t held = now - s->busy_since_ns;
		if (held > dl->task_ns && held > worst) {
			worst = held;
			*culprit = i;
			v = MPB_DEADLINE_TASK;
		}
	}
	return v;
}
