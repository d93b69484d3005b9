/* counters.c — event sets, availability probing, groups with their
 * fallback, reads with scaling, and the plan's text form (see counters.h). */
#include "counters.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/perf_event.h>

/* Events that have a fixed key in a run's "counters" (results/README.md). */
static const struct {
	uint32_t type;
	uint64_t config;
	const char *key;
	bool is_time;
} schema[] = {
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, "instructions", false },
	{ PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, "cycles", false },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, "context_switches", false },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, "cpu_migrations", false },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, "page_faults", false },
	{ PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, "task_clock_ns", true },
};
#define NSCHEMA (sizeof schema / sizeof schema[0])

#define ACCEPTED "accepted: default, none, or libpfm4 event names such as cycles, " \
	"instructions, context-switches, cpu-migrations, page-faults, task-clock"

static bool same_spec(const struct mpb_counter_spec *a, const struct mpb_counter_spec *b)
{
	return a->type == b->type && a->config == b->config && a->config1 == b->config1 &&
	       a->config2 == b->config2 &&
	       (a->flags & ~MPB_CSPEC_EXCLUDE_HV) == (b->flags & ~MPB_CSPEC_EXCLUDE_HV);
}

static bool is_sw(const struct mpb_counter_spec *s, uint64_t config)
{
	return s->type == PERF_TYPE_SOFTWARE && s->config == config;
}

static bool is_hw(const struct mpb_counter_spec *s, uint64_t config)
{
	return s->type == PERF_TYPE_HARDWARE && s->config == config && s->config1 == 0 &&
	       s->config2 == 0;
}

/* Software events the kernel raises only from its own code (the scheduler):
 * a user-space-only counter of them reads 0 whatever happens. */
static bool kernel_only(const struct mpb_counter_spec *s)
{
	return is_sw(s, PERF_COUNT_SW_CONTEXT_SWITCHES) || is_sw(s, PERF_COUNT_SW_CPU_MIGRATIONS) ||
	       is_sw(s, 11 /* PERF_COUNT_SW_CGROUP_SWITCHES, absent from older headers */);
}

const char *mpb_counters_errno_name(int err)
{
	switch (err) {
	case ENOENT: return "ENOENT";
	case EACCES: return "EACCES";
	case EPERM: return "EPERM";
	case EOPNOTSUPP: return "EOPNOTSUPP";
	case ENOSYS: return "ENOSYS";
	case ENODEV: return "ENODEV";
	case EINVAL: return "EINVAL";
	case ENOSPC: return "ENOSPC";
	case EBUSY: return "EBUSY";
	case EMFILE: return "EMFILE";
	case ENFILE: return "ENFILE";
	case E2BIG: return "E2BIG";
	case ESRCH: return "ESRCH";
	case EIO: return "EIO";
	case EBADF: return "EBADF";
	default: return NULL;
	}
}

/* "perf_event_paranoid=2", or without the value when it is unknown (-100). */
static const char *paranoid_text(int paranoid, char *buf, size_t len)
{
	if (paranoid != -100)
		snprintf(buf, len, "perf_event_paranoid=%d", paranoid);
	else
		snprintf(buf, len, "perf_event_paranoid");
	return buf;
}

void mpb_counters_reason(int err, int paranoid, char *buf, size_t len)
{
	char par[48];
	paranoid_text(paranoid, par, sizeof par);
	const char *what;
	switch (err) {
	case ENOENT:
		what = "not supported here: no PMU of this machine counts it (no hardware PMU, "
		       "as in most VMs)";
		break;
	case EACCES:
		snprintf(buf, len, "not permitted: %s forbids it to this user (EACCES)", par);
		return;
	case EPERM:
		what = "the perf_event_open system call is forbidden here (seccomp or a container "
		       "policy)";
		break;
	case EOPNOTSUPP:
		what = "the PMU cannot count it as asked (an exclusion or feature it lacks)";
		break;
	case ENOSYS:
		what = "this kernel has no perf_event_open";
		break;
	case ENODEV:
		what = "no such PMU on this machine";
		break;
	case EINVAL:
		what = "the kernel rejected its encoding";
		break;
	case ENOSPC:
		what = "no hardware counter is left for it";
		break;
	case EBUSY:
		what = "its PMU is in exclusive use by someone else";
		break;
	case EMFILE:
	case ENFILE:
		what = "out of file descriptors";
		break;
	default:
		what = NULL;
		break;
	}
	const char *name = mpb_counters_errno_name(err);
	if (what && name)
		snprintf(buf, len, "%s (%s)", what, name);
	else if (name)
		snprintf(buf, len, "perf_event_open failed: %s (%s)", strerror(err), name);
	else
		snprintf(buf, len, "perf_event_open failed: %s (errno %d)", strerror(err), err);
}

int mpb_count_scaled(const struct mpb_count *c, double *value, double *coverage)
{
	if (c->state != MPB_COUNT_OK)
		return -1;
	if (c->running_ns == 0 || c->enabled_ns == 0)
		return 0;
	double cov = (double)c->running_ns / (double)c->enabled_ns;
	if (cov >= 1.0) {
		*value = (double)c->value;
		*coverage = 1.0;
	} else {
		*value = (double)c->value * (double)c->enabled_ns / (double)c->running_ns;
		*coverage = cov;
	}
	return 1;
}

/* ---- counting one thread ---------------------------------------------- */

static void open_alone(struct mpb_counter_handle *h, const struct mpb_counter_plan *p, uint32_t i)
{
	int fd = h->src->open(h->src->ctx, &p->ev[i], -1, true);
	if (fd < 0) {
		h->err[i] = -fd;
		return;
	}
	h->fd[i] = fd;
	h->lead[i] = true;
}

static bool leads(const struct mpb_counter_plan *p, uint32_t i)
{
	uint32_t l = p->leader[i];
	/* a leader index that points nowhere sensible: count it alone */
	return l == i || l >= p->n || p->leader[l] != l;
}

static void close_fd(struct mpb_counter_handle *h, uint32_t i)
{
	if (h->fd[i] >= 0)
		h->src->close(h->src->ctx, h->fd[i]);
	h->fd[i] = -1;
	h->lead[i] = false;
}

/* Open the group led by l; when a member cannot join, fall back to separate
 * counters for the whole group, so that no event is lost to its group. */
static void open_group(struct mpb_counter_handle *h, const struct mpb_counter_plan *p, uint32_t l)
{
	int fd = h->src->open(h->src->ctx, &p->ev[l], -1, true);
	bool fallback = false;
	if (fd >= 0) {
		h->fd[l] = fd;
		h->lead[l] = true;
		for (uint32_t i = 0; i < p->n && !fallback; i++) {
			if (i == l || leads(p, i) || p->leader[i] != l)
				continue;
			int m = h->src->open(h->src->ctx, &p->ev[i], fd, false);
			if (m < 0)
				fallback = true;
			else
				h->fd[i] = m;
		}
	} else {
		fallback = true;
	}
	bool has_members = false;
	for (uint32_t i = 0; i < p->n; i++)
		has_members |= i != l && !leads(p, i) && p->leader[i] == l;
	if (!fallback)
		return;
	for (uint32_t i = 0; i < p->n; i++)
		if (i == l || (!leads(p, i) && p->leader[i] == l))
			close_fd(h, i);
	for (uint32_t i = 0; i < p->n; i++) {
		if (i == l || (!leads(p, i) && p->leader[i] == l)) {
			if (has_members)
				h->split |= 1u << i;
			open_alone(h, p, i);
		}
	}
}

int mpb_counters_open(struct mpb_counter_handle *h, const struct mpb_counter_plan *p,
		      const struct mpb_counter_source *src)
{
	memset(h, 0, sizeof *h);
	h->src = src;
	for (uint32_t i = 0; i < MPB_COUNTERS_MAX; i++)
		h->fd[i] = -1;
	if (!p || !src)
		return 0;
	h->n = p->n < MPB_COUNTERS_MAX ? p->n : MPB_COUNTERS_MAX;
	struct mpb_counter_plan q = *p;
	q.n = h->n;
	for (uint32_t i = 0; i < q.n; i++)
		if (leads(&q, i))
			open_group(h, &q, i);
	int open = 0;
	for (uint32_t i = 0; i < q.n; i++) {
		if (!h->lead[i])
			continue;
		int rc = src->enable(src->ctx, h->fd[i], true);
		if (rc < 0) {
			/* a group that cannot start counts nothing: say why for each */
			for (uint32_t k = 0; k < q.n; k++)
				if (k == i || (!h->lead[k] && !leads(&q, k) && q.leader[k] == i &&
					       h->fd[k] >= 0)) {
					close_fd(h, k);
					h->err[k] = -rc;
				}
		}
	}
	for (uint32_t i = 0; i < q.n; i++)
		open += h->fd[i] >= 0;
	return open;
}

void mpb_counters_read(struct mpb_counter_handle *h, struct mpb_counts *out)
{
	memset(out, 0, sizeof *out);
	out->n = h->n;
	out->split = h->split;
	/* stop every group before reading any, so that all values describe
	 * the same stretch of the thread's life */
	for (uint32_t i = 0; i < h->n; i++)
		if (h->lead[i] && h->fd[i] >= 0)
			h->src->enable(h->src->ctx, h->fd[i], false);
	for (uint32_t i = 0; i < h->n; i++) {
		struct mpb_count *c = &out->c[i];
		if (h->fd[i] < 0) {
			c->state = h->err[i] ? MPB_COUNT_FAILED : MPB_COUNT_ABSENT;
			c->err = h->err[i];
			continue;
		}
		uint64_t v[3];
		int rc = h->src->read(h->src->ctx, h->fd[i], v);
		if (rc < 0) {
			c->state = MPB_COUNT_FAILED;
			c->err = -rc;
			continue;
		}
		c->state = MPB_COUNT_OK;
		c->value = v[0];
		c->enabled_ns = v[1];
		c->running_ns = v[2];
	}
}

void mpb_counters_close(struct mpb_counter_handle *h)
{
	/* members before leaders: a leader closed first would leave its members
	 * as singleton groups for an instant, which is harmless but pointless */
	for (uint32_t i = 0; i < h->n; i++)
		if (!h->lead[i] && h->fd[i] >= 0)
			close_fd(h, i);
	for (uint32_t i = 0; i < h->n; i++)
		if (h->fd[i] >= 0)
			close_fd(h, i);
	h->n = 0;
	h->split = 0;
}

void mpb_counters_scope_begin(struct mpb_counter_scope *sc, const struct mpb_counter_set *set)
{
	memset(sc, 0, sizeof *sc);
	mpb_counters_open(&sc->h, set && set->plan.n ? &set->plan : NULL, set ? set->src : NULL);
	sc->have_ru = getrusage(RUSAGE_THREAD, &sc->ru0) == 0;
}

static uint64_t delta(long a, long b)
{
	return b > a ? (uint64_t)(b - a) : 0;
}

void mpb_counters_scope_end(struct mpb_counter_scope *sc, struct mpb_scope_counts *out)
{
	struct rusage ru1;
	bool have = sc->have_ru && getrusage(RUSAGE_THREAD, &ru1) == 0;
	struct mpb_counts c;
	mpb_counters_read(&sc->h, &c);
	mpb_counters_close(&sc->h);
	if (!out)
		return;
	memset(out, 0, sizeof *out);
	out->perf = c;
	if (have) {
		out->nvcsw = delta(sc->ru0.ru_nvcsw, ru1.ru_nvcsw);
		out->nivcsw = delta(sc->ru0.ru_nivcsw, ru1.ru_nivcsw);
		out->minflt = delta(sc->ru0.ru_minflt, ru1.ru_minflt);
		out->majflt = delta(sc->ru0.ru_majflt, ru1.ru_majflt);
	}
}

/* ---- resolving --counters --------------------------------------------- */

static void set_key(struct mpb_counter_set *set, struct mpb_counter_event *ev)
{
	memcpy(ev->key, ev->name, sizeof ev->key); /* same size, NUL-terminated */
	ev->is_time = is_sw(&ev->spec, PERF_COUNT_SW_TASK_CLOCK) ||
		      is_sw(&ev->spec, PERF_COUNT_SW_CPU_CLOCK);
	if (ev->spec.flags & MPB_CSPEC_EXCLUDE_USER)
		return; /* kernel-only counts are not what the schema names mean */
	for (size_t k = 0; k < NSCHEMA; k++) {
		const struct mpb_counter_spec *s = &ev->spec;
		bool match = s->type == schema[k].type && s->config == schema[k].config &&
			     s->config1 == 0 && s->config2 == 0;
		if (!match || mpb_counters_find_key(set, schema[k].key))
			continue;
		snprintf(ev->key, sizeof ev->key, "%s", schema[k].key);
		return;
	}
}

static int add_event(struct mpb_counter_set *set, const char *name, struct mpb_diag *d)
{
	if (strlen(name) >= MPB_COUNTER_NAME_MAX)
		return mpb_fail(d, MPB_EINPUT, "--counters: event name '%.40s...' is longer than %d "
				"bytes", name, MPB_COUNTER_NAME_MAX - 1);
	for (const char *c = name; *c; c++)
		if (!isprint((unsigned char)*c) || *c == ' ')
			return mpb_fail(d, MPB_EINPUT, "--counters: event name '%s' holds a space or "
					"an unprintable byte", name);
	if (set->n == MPB_COUNTERS_MAX)
		return mpb_fail(d, MPB_EINPUT, "--counters: more than %d events (at '%s')",
				MPB_COUNTERS_MAX, name);
	struct mpb_counter_event *ev = &set->ev[set->n];
	memset(ev, 0, sizeof *ev);
	snprintf(ev->name, sizeof ev->name, "%s", name);
	ev->plan_index = -1;
	char why[160] = "";
	int rc = set->src->encode(set->src->ctx, name, &ev->spec, why, sizeof why);
	if (rc == -ENOENT)
		return mpb_fail(d, MPB_EINPUT, "--counters: unknown event '%s' (%s; " ACCEPTED ")",
				name, why[0] ? why : "not found");
	if (rc == -EINVAL)
		return mpb_fail(d, MPB_EINPUT, "--counters: invalid event '%s' (%s)", name,
				why[0] ? why : "bad modifier");
	if (rc < 0) {
		/* the encoder cannot work here at all: the name may be fine, the
		 * machine cannot tell; keep it as unavailable */
		snprintf(ev->reason, sizeof ev->reason, "%s", why[0] ? why : strerror(-rc));
		snprintf(ev->key, sizeof ev->key, "%s", name);
		set->n++;
		return 0;
	}
	for (size_t k = 0; k < set->n; k++)
		if (set->ev[k].reason[0] == '\0' && same_spec(&set->ev[k].spec, &ev->spec))
			return mpb_fail(d, MPB_EINPUT, "--counters: '%s' and '%s' are the same event",
					set->ev[k].name, name);
	set_key(set, ev);
	set->n++;
	return 0;
}

/* Open event i alone, as the kernel allows it. Returns the descriptor or
 * -errno; the spec may gain exclude_kernel. */
static int probe_one(struct mpb_counter_set *set, struct mpb_counter_event *ev)
{
	const struct mpb_counter_source *src = set->src;
	int fd = src->open(src->ctx, &ev->spec, -1, true);
	if (fd == -EACCES && !(ev->spec.flags & MPB_CSPEC_EXCLUDE_KERNEL)) {
		/* perf_event_paranoid >= 2: unprivileged users may count user
		 * space only; that is still worth having for most events */
		struct mpb_counter_spec user = ev->spec;
		user.flags |= MPB_CSPEC_EXCLUDE_KERNEL;
		int fd2 = src->open(src->ctx, &user, -1, true);
		if (fd2 >= 0 && kernel_only(&user)) {
			src->close(src->ctx, fd2);
			char par[48];
			paranoid_text(set->paranoid, par, sizeof par);
			snprintf(ev->reason, sizeof ev->reason,
				 "not permitted: %s lets this user count user space only, where the "
				 "kernel never counts this event (it would read 0) (EACCES)", par);
			return -EACCES;
		}
		if (fd2 >= 0) {
			ev->spec = user;
			char par[48];
			snprintf(ev->note, sizeof ev->note, "user space only: %s forbids counting "
				 "the kernel to this user (exclude_kernel)",
				 paranoid_text(set->paranoid, par, sizeof par));
			return fd2;
		}
		if (fd2 != -EACCES)
			fd = fd2; /* the more telling failure, e.g. ENOENT without a PMU */
	}
	if (fd < 0)
		mpb_counters_reason(-fd, set->paranoid, ev->reason, sizeof ev->reason);
	return fd;
}

static int find_available(const struct mpb_counter_set *set, bool (*pred)(const struct mpb_counter_spec *))
{
	for (size_t k = 0; k < set->n; k++)
		if (set->ev[k].available && pred(&set->ev[k].spec))
			return set->ev[k].plan_index;
	return -1;
}

static bool is_cycles(const struct mpb_counter_spec *s)
{
	return is_hw(s, PERF_COUNT_HW_CPU_CYCLES);
}

static bool is_instructions(const struct mpb_counter_spec *s)
{
	return is_hw(s, PERF_COUNT_HW_INSTRUCTIONS);
}

static bool is_task_clock(const struct mpb_counter_spec *s)
{
	return is_sw(s, PERF_COUNT_SW_TASK_CLOCK);
}

static bool is_software(const struct mpb_counter_spec *s)
{
	return s->type == PERF_TYPE_SOFTWARE;
}

/* Build the plan from the available events: {cycles, instructions}, the
 * software events, everything else alone. Then open it once as a worker
 * would: a group that must fall back to separate events is split in the
 * plan for good, with a note, so no worker tries it again. */
static void build_plan(struct mpb_counter_set *set)
{
	struct mpb_counter_plan *p = &set->plan;
	memset(p, 0, sizeof *p);
	for (size_t k = 0; k < set->n; k++) {
		struct mpb_counter_event *ev = &set->ev[k];
		if (!ev->available)
			continue;
		ev->plan_index = (int)p->n;
		p->ev[p->n] = ev->spec;
		p->leader[p->n] = p->n;
		p->n++;
	}
	int cyc = find_available(set, is_cycles), ins = find_available(set, is_instructions);
	if (cyc >= 0 && ins >= 0)
		p->leader[ins] = (uint32_t)cyc;
	int sw = find_available(set, is_task_clock);
	if (sw < 0)
		sw = find_available(set, is_software);
	for (uint32_t i = 0; sw >= 0 && i < p->n; i++)
		if (is_software(&p->ev[i]) && (int)i != sw)
			p->leader[i] = (uint32_t)sw;

	struct mpb_counter_handle h;
	mpb_counters_open(&h, p, set->src);
	for (size_t k = 0; k < set->n; k++) {
		struct mpb_counter_event *ev = &set->ev[k];
		if (ev->plan_index < 0)
			continue;
		uint32_t i = (uint32_t)ev->plan_index;
		if (h.split & (1u << i)) {
			p->leader[i] = i;
			snprintf(ev->note + strlen(ev->note), sizeof ev->note - strlen(ev->note),
				 "%scounted apart from its group, which could not be opened together",
				 ev->note[0] ? "; " : "");
		}
	}
	mpb_counters_close(&h);
}

int mpb_counters_resolve(const char *list, const struct mpb_counter_source *src, int paranoid,
			 struct mpb_counter_set *set, struct mpb_diag *d)
{
	memset(set, 0, sizeof *set);
	set->src = src;
	set->paranoid = paranoid;
	if (!list || !*list)
		return mpb_fail(d, MPB_EINPUT, "--counters: empty value (" ACCEPTED ")");
	if (strcmp(list, "none") == 0) {
		set->none = true;
		return 0;
	}
	char buf[1024];
	if (strlen(list) >= sizeof buf)
		return mpb_fail(d, MPB_EINPUT, "--counters: list longer than %zu bytes",
				sizeof buf - 1);
	strcpy(buf, list);
	char *save = NULL;
	int rc = 0;
	size_t len = strlen(buf);
	if (buf[0] == ',' || buf[len - 1] == ',' || strstr(buf, ",,"))
		return mpb_fail(d, MPB_EINPUT, "--counters: empty event name in '%s' (" ACCEPTED ")",
				list);
	for (char *item = strtok_r(buf, ",", &save); item && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		if (strcmp(item, "none") == 0) {
			rc = mpb_fail(d, MPB_EINPUT, "--counters: 'none' cannot be combined with "
				      "events (in '%s')", list);
		} else if (strcmp(item, "default") == 0) {
			char dfl[] = MPB_COUNTERS_DEFAULT, *s2 = NULL;
			for (char *e = strtok_r(dfl, ",", &s2); e && rc == 0; e = strtok_r(NULL, ",", &s2))
				rc = add_event(set, e, d);
		} else {
			rc = add_event(set, item, d);
		}
	}
	if (src->release)
		src->release(src->ctx); /* every name is encoded (counter_source.h) */
	if (rc < 0) {
		memset(set, 0, sizeof *set);
		return rc;
	}
	for (size_t k = 0; k < set->n; k++) {
		struct mpb_counter_event *ev = &set->ev[k];
		if (ev->reason[0])
			continue; /* the encoder could not work: already unavailable */
		int fd = probe_one(set, ev);
		if (fd >= 0) {
			ev->available = true;
			ev->user_only = ev->spec.flags & MPB_CSPEC_EXCLUDE_KERNEL;
			src->close(src->ctx, fd);
		}
	}
	build_plan(set);
	return 0;
}

const struct mpb_counter_event *mpb_counters_find_key(const struct mpb_counter_set *set,
						      const char *key)
{
	for (size_t k = 0; set && k < set->n; k++)
		if (strcmp(set->ev[k].key, key) == 0)
			return &set->ev[k];
	return NULL;
}

/* ---- the plan as text (worker_spec.h) ---------------------------------- */

int mpb_counters_plan_format(const struct mpb_counter_plan *p, char *buf, size_t len)
{
	uint32_t n = p->n < MPB_COUNTERS_MAX ? p->n : MPB_COUNTERS_MAX;
	int w = snprintf(buf, len, "1;%" PRIx32, n);
	if (w < 0 || (size_t)w >= len)
		return -1;
	size_t at = (size_t)w;
	for (uint32_t i = 0; i < n; i++) {
		const struct mpb_counter_spec *s = &p->ev[i];
		w = snprintf(buf + at, len - at, ";%" PRIx32 ",%" PRIx32 ",%" PRIx64 ",%" PRIx64
			     ",%" PRIx64 ",%" PRIx32, s->type, s->flags, s->config, s->config1,
			     s->config2, p->leader[i]);
		if (w < 0 || (size_t)w >= len - at)
			return -1;
		at += (size_t)w;
	}
	return 0;
}

/* One hex number (no sign, no prefix) at *s, at most max; *s moves past it. */
static int hex(const char **s, uint64_t max, uint64_t *out)
{
	const char *p = *s;
	if (!isxdigit((unsigned char)*p))
		return -1;
	errno = 0;
	char *e;
	unsigned long long v = strtoull(p, &e, 16);
	if (errno || v > max)
		return -1;
	*out = v;
	*s = e;
	return 0;
}

static int expect(const char **s, char c)
{
	if (**s != c)
		return -1;
	(*s)++;
	return 0;
}

int mpb_counters_plan_parse(const char *text, struct mpb_counter_plan *p)
{
	memset(p, 0, sizeof *p);
	uint64_t n, v[6];
	const char *s = text;
	if (!s || strncmp(s, "1;", 2) != 0)
		return -1;
	s += 2;
	if (hex(&s, MPB_COUNTERS_MAX, &n) < 0)
		goto bad;
	for (uint64_t i = 0; i < n; i++) {
		if (expect(&s, ';') < 0 || hex(&s, UINT32_MAX, &v[0]) < 0 || expect(&s, ',') < 0 ||
		    hex(&s, UINT32_MAX, &v[1]) < 0 || expect(&s, ',') < 0 ||
		    hex(&s, UINT64_MAX, &v[2]) < 0 || expect(&s, ',') < 0 ||
		    hex(&s, UINT64_MAX, &v[3]) < 0 || expect(&s, ',') < 0 ||
		    hex(&s, UINT64_MAX, &v[4]) < 0 || expect(&s, ',') < 0 ||
		    hex(&s, n - 1, &v[5]) < 0)
			goto bad;
		p->ev[i] = (struct mpb_counter_spec){ (uint32_t)v[0], (uint32_t)v[1], v[2], v[3], v[4] };
		p->leader[i] = (uint32_t)v[5];
	}
	if (*s != '\0')
		goto bad;
	p->n = (uint32_t)n;
	return 0;
bad:
	memset(p, 0, sizeof *p);
	return -1;
}
