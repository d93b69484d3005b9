/* test_counters.c — unit tests for the counters (harness/counters/counters.c,
 * counters_report.c) and their path through the pool.
 *
 * Most tests inject a fake counter source (counter_source.h): it encodes a
 * small table of events and fails, multiplexes and reads on demand, so the
 * rules are tested without a PMU: grouping, group failure falling back to
 * separate events, the exclude_kernel retry, errno → reason, multiplex
 * scaling, coverage 0 ("not counted", never 0), IPC arithmetic, totals over
 * harness and workers. The fake checks every descriptor is closed.
 *
 * The last tests use the real kernel (software events only: this machine
 * has no PMU): a thread that sleeps N times counts at least N context
 * switches, and workers of every start method send non-zero counts in BYE.
 * Where the kernel refuses software events (perf_event_paranoid, seccomp)
 * they check the refusal is recorded with a reason instead.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <math.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <linux/perf_event.h>

#include "counters.h"

#include "clock.h"
#include "codec.h"
#include "counters_report.h"
#include "dataset.h"
#include "method.h"
#include "pool.h"
#include "workload.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

#define assert_contains(hay, needle)                                                   \
	do {                                                                           \
		if (!strstr((hay), (needle)))                                          \
			fail_msg("\"%s\" does not contain \"%s\"", (hay), (needle));   \
	} while (0)

/* ---- the fake source ------------------------------------------------------- */

#define FAKE_FD0 1000
#define FAKE_FDS 128

struct fake_event {
	const char *name;
	uint32_t type;
	uint64_t config;
	int err;          /* every open fails with this */
	int err_kernel;   /* an open that counts the kernel fails with this */
	int err_user;     /* an open of user space only fails with this */
	int err_member;   /* joining a group fails with this */
	int err_read;
	uint64_t value, enabled, running;
};

struct fake_fd {
	bool open;
	int ev;
	int group;        /* leader's fd, -1 when it leads */
	uint32_t flags;
	int enables, disables;
};

struct fake {
	struct fake_event ev[32];
	size_t n;
	struct fake_fd fd[FAKE_FDS];
	int nfd;
	int opens;
	int releases;              /* release calls */
	int encodes_after_release; /* encode calls since the last release */
};

static struct fake F;

static const struct fake_event fake_table[] = {
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "branches", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_INSTRUCTIONS, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "context-switches", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CONTEXT_SWITCHES, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "cpu-migrations", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_MIGRATIONS, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "page-faults", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_PAGE_FAULTS, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK, 0, 0, 0, 0, 0, 0, 0, 0 },
	{ "raw-c0", PERF_TYPE_RAW, 0xc0, 0, 0, 0, 0, 0, 0, 0, 0 },
};

static struct fake_event *fake_find(const char *name)
{
	for (size_t i = 0; i < F.n; i++)
		if (strcmp(F.ev[i].name, name) == 0)
			return &F.ev[i];
	fail_msg("no fake event %s", name);
	return &F.ev[0]; /* not reached */
}

/* More raw events than a set may hold, for the limit. */
static const char *const extra_raw[] = { "raw-01", "raw-02", "raw-03", "raw-04", "raw-05",
					 "raw-06", "raw-07", "raw-08", "raw-09", "raw-10",
					 "raw-11", "raw-12" };

static void fake_reset(void)
{
	memset(&F, 0, sizeof F);
	for (size_t i = 0; i < N_OF(fake_table); i++)
		F.ev[F.n++] = (struct fake_event){ fake_table[i].name, fake_table[i].type,
						   fake_table[i].config, 0, 0, 0, 0, 0, 100, 1000,
						   1000 };
	for (size_t i = 0; i < N_OF(extra_raw); i++)
		F.ev[F.n++] = (struct fake_event){ extra_raw[i], PERF_TYPE_RAW, 0x100 + i, 0, 0, 0,
						   0, 0, 100, 1000, 1000 };
}

/* "cs" is the alias libpfm4 knows; ":u" asks for user space only. */
static int fake_encode(void *ctx, const char *event, struct mpb_counter_spec *spec, char *why,
		       size_t len)
{
	struct fake *f = ctx;
	f->encodes_after_release++;
	char name[64];
	snprintf(name, sizeof name, "%s", event);
	uint32_t flags = 0;
	char *colon = strchr(name, ':');
	if (colon && strcmp(colon, ":u") == 0) {
		flags |= MPB_CSPEC_EXCLUDE_KERNEL;
		*colon = '\0';
	} else if (colon) {
		snprintf(why, len, "libpfm4: invalid or missing unit mask");
		return -EINVAL;
	}
	if (strcmp(name, "cs") == 0)
		snprintf(name, sizeof name, "context-switches");
	if (strcmp(name, "broken-encoder") == 0) {
		snprintf(why, len, "libpfm4 could not initialise: fake");
		return -ENOSYS;
	}
	for (size_t i = 0; i < f->n; i++)
		if (strcmp(f->ev[i].name, name) == 0) {
			*spec = (struct mpb_counter_spec){ f->ev[i].type, flags, f->ev[i].config, 0, 0 };
			return 0;
		}
	snprintf(why, len, "libpfm4: event not found");
	return -ENOENT;
}

static struct fake_fd *fake_fd(struct fake *f, int fd)
{
	if (fd < FAKE_FD0 || fd >= FAKE_FD0 + f->nfd || !f->fd[fd - FAKE_FD0].open)
		fail_msg("fake: descriptor %d is not open", fd);
	return &f->fd[fd - FAKE_FD0];
}

static int fake_open(void *ctx, const struct mpb_counter_spec *spec, int group_fd, bool disabled)
{
	struct fake *f = ctx;
	int e = -1;
	for (size_t i = 0; i < f->n; i++)
		if (f->ev[i].type == spec->type && f->ev[i].config == spec->config)
			e = (int)i;
	assert_true(e >= 0);
	const struct fake_event *ev = &f->ev[e];
	f->opens++;
	bool user_only = spec->flags & MPB_CSPEC_EXCLUDE_KERNEL;
	if (ev->err)
		return -ev->err;
	if (!user_only && ev->err_kernel)
		return -ev->err_kernel;
	if (user_only && ev->err_user)
		return -ev->err_user;
	if (group_fd >= 0) {
		struct fake_fd *l = fake_fd(f, group_fd);
		assert_int_equal(l->group, -1); /* members join a leader, never a member */
		if (ev->err_member)
			return -ev->err_member;
	}
	/* a leader starts disabled and is enabled once its members are in */
	assert_true(group_fd >= 0 || disabled);
	int slot = 0; /* the lowest free one, as the kernel does */
	while (slot < f->nfd && f->fd[slot].open)
		slot++;
	assert_true(slot < FAKE_FDS);
	f->fd[slot] = (struct fake_fd){ true, e, group_fd, spec->flags, 0, 0 };
	if (slot == f->nfd)
		f->nfd++;
	return FAKE_FD0 + slot;
}

static int fake_enable(void *ctx, int fd, bool on)
{
	struct fake_fd *d = fake_fd(ctx, fd);
	assert_int_equal(d->group, -1);
	if (on)
		d->enables++;
	else
		d->disables++;
	return 0;
}

static int fake_read(void *ctx, int fd, uint64_t v[3])
{
	struct fake *f = ctx;
	struct fake_fd *d = fake_fd(f, fd);
	const struct fake_event *ev = &f->ev[d->ev];
	/* stop-then-read: a group is disabled before any of it is read */
	const struct fake_fd *lead = d->group < 0 ? d : fake_fd(f, d->group);
	assert_true(lead->disables > 0);
	if (ev->err_read)
		return -ev->err_read;
	v[0] = ev->value;
	v[1] = ev->enabled;
	v[2] = ev->running;
	return 0;
}

static void fake_close(void *ctx, int fd)
{
	fake_fd(ctx, fd)->open = false;
}

static void fake_release(void *ctx)
{
	struct fake *f = ctx;
	f->releases++;
	f->encodes_after_release = 0;
}

static const struct mpb_counter_source fake_source = {
	.name = "fake",
	.ctx = &F,
	.encode = fake_encode,
	.open = fake_open,
	.enable = fake_enable,
	.read = fake_read,
	.close = fake_close,
	.release = fake_release,
};

static int fake_open_fds(void)
{
	int n = 0;
	for (int i = 0; i < F.nfd; i++)
		n += F.fd[i].open;
	return n;
}

static int fx_setup(void **state)
{
	(void)state;
	fake_reset();
	return 0;
}

/* Every descriptor the code under test opened is closed again. */
static int fx_teardown(void **state)
{
	(void)state;
	assert_int_equal(fake_open_fds(), 0);
	return 0;
}

#define FAKE_TEST(f) cmocka_unit_test_setup_teardown(f, fx_setup, fx_teardown)

static void resolve_ok(const char *list, int paranoid, struct mpb_counter_set *set)
{
	struct mpb_diag d = { 0 };
	if (mpb_counters_resolve(list, &fake_source, paranoid, set, &d) < 0)
		fail_msg("resolve '%s': %s", list, d.msg);
}

static const char *resolve_fails(const char *list, struct mpb_diag *d)
{
	struct mpb_counter_set set;
	mpb_diag_clear(d);
	assert_int_equal(mpb_counters_resolve(list, &fake_source, 2, &set, d), -MPB_EINPUT);
	assert_int_equal(d->code, MPB_EINPUT);
	assert_null(strchr(d->msg, '\n'));
	assert_int_equal(set.n, 0);
	return d->msg;
}

static const struct mpb_counter_event *ev_named(const struct mpb_counter_set *set,
						const char *name)
{
	for (size_t k = 0; k < set->n; k++)
		if (strcmp(set->ev[k].name, name) == 0)
			return &set->ev[k];
	fail_msg("no event %s in the set", name);
	return &set->ev[0]; /* not reached */
}

/* The plan index of an available event. */
static uint32_t pi_of(const struct mpb_counter_set *set, const char *name)
{
	const struct mpb_counter_event *ev = ev_named(set, name);
	assert_true(ev->available);
	assert_true(ev->plan_index >= 0 && (uint32_t)ev->plan_index < set->plan.n);
	return (uint32_t)ev->plan_index;
}

/* ---- resolving --counters -------------------------------------------------- */

static void test_default_set_without_pmu(void **state)
{
	(void)state;
	fake_find("cycles")->err = ENOENT;
	fake_find("instructions")->err = ENOENT;
	struct mpb_counter_set set;
	resolve_ok("default", 2, &set);
	assert_int_equal(set.n, 6);
	const char *names[] = { "instructions", "cycles", "context-switches", "cpu-migrations",
				"page-faults", "task-clock" };
	const char *keys[] = { "instructions", "cycles", "context_switches", "cpu_migrations",
			       "page_faults", "task_clock_ns" };
	for (size_t k = 0; k < N_OF(names); k++) {
		assert_string_equal(set.ev[k].name, names[k]);
		assert_string_equal(set.ev[k].key, keys[k]);
		assert_ptr_equal(mpb_counters_find_key(&set, keys[k]), &set.ev[k]);
	}
	for (size_t k = 0; k < 2; k++) {
		assert_false(set.ev[k].available);
		assert_int_equal(set.ev[k].plan_index, -1);
		assert_contains(set.ev[k].reason, "(ENOENT)");
		assert_contains(set.ev[k].reason, "PMU");
	}
	for (size_t k = 2; k < 6; k++) {
		assert_true(set.ev[k].available);
		assert_string_equal(set.ev[k].reason, "");
		assert_false(set.ev[k].user_only);
	}
	assert_true(ev_named(&set, "task-clock")->is_time);
	assert_false(ev_named(&set, "page-faults")->is_time);
	/* the software events form one group, led by task-clock */
	assert_int_equal(set.plan.n, 4);
	uint32_t tc = pi_of(&set, "task-clock");
	for (uint32_t i = 0; i < set.plan.n; i++)
		assert_int_equal(set.plan.leader[i], tc);
	char note[512];
	assert_true(mpb_counters_ipc_note(&set, note, sizeof note));
	assert_contains(note, "IPC");
	assert_contains(note, "ENOENT");
	assert_contains(note, "cycles and instructions");
	/* "default" inside a list, and the alias of a default event is refused
	 * as a duplicate */
	resolve_ok("default,branches", 2, &set);
	assert_int_equal(set.n, 7);
	assert_string_equal(set.ev[6].key, "branches");
	struct mpb_diag d;
	assert_contains(resolve_fails("default,cs", &d), "'context-switches' and 'cs'");
}

static void test_none_and_bad_lists(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	resolve_ok("none", 2, &set);
	assert_true(set.none);
	assert_int_equal(set.n, 0);
	assert_int_equal(set.plan.n, 0);
	assert_int_equal(F.opens, 0);
	char note[256];
	assert_false(mpb_counters_ipc_note(&set, note, sizeof note)); /* off on purpose */

	struct mpb_diag d;
	const char *m = resolve_fails("cycles,bogus-event", &d);
	assert_contains(m, "--counters");
	assert_contains(m, "unknown event 'bogus-event'");
	assert_contains(m, "event not found");
	assert_contains(m, "accepted:");
	assert_contains(resolve_fails("cycles:zz", &d), "invalid event 'cycles:zz'");
	assert_contains(resolve_fails("", &d), "empty value");
	assert_contains(resolve_fails("cycles,,task-clock", &d), "empty event name");
	assert_contains(resolve_fails(",cycles", &d), "empty event name");
	assert_contains(resolve_fails("cycles,", &d), "empty event name");
	assert_contains(resolve_fails("cycles,none", &d), "'none' cannot be combined");
	assert_contains(resolve_fails("cycles,cycles", &d), "same event");
	assert_contains(resolve_fails("task clock", &d), "space");
	char big[600] = "default";
	for (size_t i = 0; i < N_OF(extra_raw); i++) {
		strcat(big, ",");
		strcat(big, extra_raw[i]);
	}
	assert_contains(resolve_fails(big, &d), "more than 16 events");
	assert_contains(d.msg, "raw-11"); /* the 17th */
	char longname[100];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';
	assert_contains(resolve_fails(longname, &d), "longer than");
	/* nothing was opened for lists that fail to parse */
	assert_int_equal(F.opens, 0);
}

static void test_encoder_failure_is_unavailable_not_fatal(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	resolve_ok("task-clock,broken-encoder", 2, &set);
	const struct mpb_counter_event *ev = ev_named(&set, "broken-encoder");
	assert_false(ev->available);
	assert_contains(ev->reason, "could not initialise");
	assert_true(ev_named(&set, "task-clock")->available);
	assert_int_equal(set.plan.n, 1);
}

/* Each errno of a failed open becomes the recorded reason, naming it. */
static void test_error_reasons(void **state)
{
	(void)state;
	const struct { int err; const char *name, *words; } cases[] = {
		{ ENOENT, "(ENOENT)", "no hardware PMU" },
		{ EACCES, "(EACCES)", "perf_event_paranoid=3" },
		{ EPERM, "(EPERM)", "forbidden" },
		{ EOPNOTSUPP, "(EOPNOTSUPP)", "cannot count it" },
		{ ENOSYS, "(ENOSYS)", "no perf_event_open" },
		{ ENOSPC, "(ENOSPC)", "no hardware counter" },
		{ EMFILE, "(EMFILE)", "file descriptors" },
		{ EXDEV, "perf_event_open failed", "errno" },
	};
	for (size_t c = 0; c < N_OF(cases); c++) {
		char buf[MPB_COUNTER_REASON_MAX];
		mpb_counters_reason(cases[c].err, 3, buf, sizeof buf);
		assert_contains(buf, cases[c].name);
		assert_contains(buf, cases[c].words);
		assert_null(strchr(buf, '\n'));
	}
	char buf[MPB_COUNTER_REASON_MAX];
	mpb_counters_reason(EACCES, -100, buf, sizeof buf); /* paranoid unknown */
	assert_contains(buf, "perf_event_paranoid forbids");

	/* through the probe: each event keeps its own reason */
	fake_find("cycles")->err = EOPNOTSUPP;
	fake_find("instructions")->err = EPERM;
	fake_find("branches")->err = ENOENT;
	fake_find("raw-c0")->err = EACCES;
	fake_find("raw-c0")->err_kernel = EACCES;
	struct mpb_counter_set set;
	resolve_ok("cycles,instructions,branches,raw-c0,page-faults", 3, &set);
	assert_contains(ev_named(&set, "cycles")->reason, "(EOPNOTSUPP)");
	assert_contains(ev_named(&set, "instructions")->reason, "(EPERM)");
	assert_contains(ev_named(&set, "branches")->reason, "(ENOENT)");
	assert_contains(ev_named(&set, "raw-c0")->reason, "(EACCES)");
	assert_contains(ev_named(&set, "raw-c0")->reason, "perf_event_paranoid=3");
	assert_true(ev_named(&set, "page-faults")->available);
	for (size_t k = 0; k < 4; k++)
		assert_false(set.ev[k].available);
	char note[512];
	assert_true(mpb_counters_ipc_note(&set, note, sizeof note));
	assert_contains(note, "cycles:");
	assert_contains(note, "(EOPNOTSUPP)");
	assert_contains(note, "instructions:");
	assert_contains(note, "(EPERM)");
}

/* perf_event_paranoid >= 2 for an unprivileged user: EACCES unless the
 * kernel is excluded. Most events are then counted user-space only; events
 * the kernel raises only in kernel mode would read 0, so they are refused. */
static void test_exclude_kernel_retry(void **state)
{
	(void)state;
	for (size_t i = 0; i < F.n; i++)
		F.ev[i].err_kernel = EACCES;
	fake_find("cycles")->err_user = ENOENT; /* and there is no PMU either */
	struct mpb_counter_set set;
	resolve_ok("cycles,context-switches,cpu-migrations,page-faults,task-clock", 2, &set);
	const struct mpb_counter_event *pf = ev_named(&set, "page-faults");
	assert_true(pf->available);
	assert_true(pf->user_only);
	assert_true(pf->spec.flags & MPB_CSPEC_EXCLUDE_KERNEL);
	assert_contains(pf->note, "user space only");
	assert_true(set.plan.ev[pi_of(&set, "page-faults")].flags & MPB_CSPEC_EXCLUDE_KERNEL);
	assert_true(ev_named(&set, "task-clock")->user_only);
	for (size_t k = 0; k < 2; k++) {
		const struct mpb_counter_event *ev =
			ev_named(&set, k ? "cpu-migrations" : "context-switches");
		assert_false(ev->available);
		assert_contains(ev->reason, "(EACCES)");
		assert_contains(ev->reason, "read 0");
		assert_contains(ev->reason, "perf_event_paranoid=2");
	}
	/* the more telling failure wins: no PMU, not "permission" */
	assert_contains(ev_named(&set, "cycles")->reason, "(ENOENT)");
	assert_int_equal(set.plan.n, 2);
	/* an event that asked for user space only is opened once, as asked */
	fake_reset();
	for (size_t i = 0; i < F.n; i++)
		F.ev[i].err_kernel = EACCES;
	resolve_ok("branches:u,page-faults:u", 2, &set);
	assert_true(set.ev[0].available);
	assert_true(set.ev[0].user_only);
	assert_string_equal(set.ev[0].note, ""); /* as asked, nothing to say */
	assert_string_equal(set.ev[0].key, "branches:u"); /* not a schema event */
	assert_string_equal(set.ev[1].key, "page_faults");
}

/* ---- groups ---------------------------------------------------------------- */

static void test_groups(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	resolve_ok("default,branches,raw-c0", 2, &set);
	assert_int_equal(set.plan.n, 8);
	uint32_t cyc = pi_of(&set, "cycles"), ins = pi_of(&set, "instructions");
	uint32_t tc = pi_of(&set, "task-clock");
	assert_int_equal(set.plan.leader[cyc], cyc);
	assert_int_equal(set.plan.leader[ins], cyc);
	assert_int_equal(set.plan.leader[pi_of(&set, "branches")], pi_of(&set, "branches"));
	assert_int_equal(set.plan.leader[pi_of(&set, "raw-c0")], pi_of(&set, "raw-c0"));
	assert_int_equal(set.plan.leader[tc], tc);
	const char *sw[] = { "context-switches", "cpu-migrations", "page-faults" };
	for (size_t k = 0; k < N_OF(sw); k++)
		assert_int_equal(set.plan.leader[pi_of(&set, sw[k])], tc);
	assert_false(mpb_counters_ipc_note(&set, (char[64]){ 0 }, 64));

	/* opening the plan: members join their leader's descriptor */
	struct mpb_counter_handle h;
	assert_int_equal(mpb_counters_open(&h, &set.plan, &fake_source), 8);
	assert_int_equal(h.split, 0);
	assert_int_equal(F.fd[h.fd[ins] - FAKE_FD0].group, h.fd[cyc]);
	assert_int_equal(F.fd[h.fd[cyc] - FAKE_FD0].group, -1);
	for (size_t k = 0; k < N_OF(sw); k++)
		assert_int_equal(F.fd[h.fd[pi_of(&set, sw[k])] - FAKE_FD0].group, h.fd[tc]);
	/* each group leader was enabled once, members never on their own */
	int leaders = 0;
	for (uint32_t i = 0; i < h.n; i++) {
		const struct fake_fd *d = &F.fd[h.fd[i] - FAKE_FD0];
		assert_int_equal(d->enables, d->group < 0 ? 1 : 0);
		leaders += d->group < 0;
	}
	assert_int_equal(leaders, 4); /* ipc, software, branches, raw-c0 */
	struct mpb_counts c;
	mpb_counters_read(&h, &c);
	assert_int_equal(c.n, 8);
	for (uint32_t i = 0; i < c.n; i++) {
		assert_int_equal(c.c[i].state, MPB_COUNT_OK);
		assert_int_equal(c.c[i].value, 100);
	}
	mpb_counters_close(&h);
	assert_int_equal(h.n, 0);
	mpb_counters_close(&h); /* closing twice is harmless */
}

/* A member that cannot join: the probe splits the group for good (with a
 * note), and a thread that meets the failure on its own falls back too. */
static void test_group_failure_falls_back_to_separate_events(void **state)
{
	(void)state;
	fake_find("instructions")->err_member = EINVAL;
	fake_find("page-faults")->err_member = ENOSPC;
	struct mpb_counter_set set;
	resolve_ok("default", 2, &set);
	for (size_t k = 0; k < set.n; k++) {
		assert_true(set.ev[k].available);
		assert_contains(set.ev[k].note, "apart from its group");
		uint32_t i = (uint32_t)set.ev[k].plan_index;
		assert_int_equal(set.plan.leader[i], i);
	}
	/* IPC is still there, from separately scheduled counters */
	assert_false(mpb_counters_ipc_note(&set, (char[64]){ 0 }, 64));

	/* a plan that still groups them, opened where joining fails */
	struct mpb_counter_plan p = { 0 };
	p.n = 3;
	p.ev[0] = (struct mpb_counter_spec){ PERF_TYPE_HARDWARE, 0, PERF_COUNT_HW_CPU_CYCLES, 0, 0 };
	p.ev[1] = (struct mpb_counter_spec){ PERF_TYPE_HARDWARE, 0, PERF_COUNT_HW_INSTRUCTIONS, 0, 0 };
	p.ev[2] = (struct mpb_counter_spec){ PERF_TYPE_SOFTWARE, 0, PERF_COUNT_SW_TASK_CLOCK, 0, 0 };
	p.leader[0] = 0;
	p.leader[1] = 0;
	p.leader[2] = 2;
	struct mpb_counter_handle h;
	assert_int_equal(mpb_counters_open(&h, &p, &fake_source), 3);
	assert_int_equal(h.split, 0x3);
	for (uint32_t i = 0; i < 2; i++) {
		assert_true(h.lead[i]);
		assert_int_equal(F.fd[h.fd[i] - FAKE_FD0].group, -1);
	}
	struct mpb_counts c;
	mpb_counters_read(&h, &c);
	assert_int_equal(c.split, 0x3);
	for (uint32_t i = 0; i < 3; i++)
		assert_int_equal(c.c[i].state, MPB_COUNT_OK);
	mpb_counters_close(&h);

	/* a leader that fails on its own: its members are still counted */
	fake_reset();
	fake_find("cycles")->err = EBUSY;
	assert_int_equal(mpb_counters_open(&h, &p, &fake_source), 2);
	mpb_counters_read(&h, &c);
	assert_int_equal(c.c[0].state, MPB_COUNT_FAILED);
	assert_int_equal(c.c[0].err, EBUSY);
	assert_int_equal(c.c[1].state, MPB_COUNT_OK);
	assert_int_equal(c.c[2].state, MPB_COUNT_OK);
	mpb_counters_close(&h);
}

static void test_read_failure_and_empty_handle(void **state)
{
	(void)state;
	fake_find("page-faults")->err_read = EIO;
	struct mpb_counter_set set;
	resolve_ok("page-faults,task-clock", 2, &set);
	struct mpb_counter_handle h;
	mpb_counters_open(&h, &set.plan, &fake_source);
	struct mpb_counts c;
	mpb_counters_read(&h, &c);
	assert_int_equal(c.c[pi_of(&set, "page-faults")].state, MPB_COUNT_FAILED);
	assert_int_equal(c.c[pi_of(&set, "page-faults")].err, EIO);
	assert_int_equal(c.c[pi_of(&set, "task-clock")].state, MPB_COUNT_OK);
	mpb_counters_close(&h);
	double v, cov;
	assert_int_equal(mpb_count_scaled(&c.c[pi_of(&set, "page-faults")], &v, &cov), -1);

	/* no plan: nothing opened, nothing read */
	assert_int_equal(mpb_counters_open(&h, NULL, &fake_source), 0);
	mpb_counters_read(&h, &c);
	assert_int_equal(c.n, 0);
	mpb_counters_close(&h);
	struct mpb_counter_handle zero;
	memset(&zero, 0, sizeof zero);
	mpb_counters_read(&zero, &c); /* a zeroed handle is "nothing open" */
	assert_int_equal(c.n, 0);
	mpb_counters_close(&zero);
}

/* ---- scaling ------------------------------------------------------------- */

static void test_multiplex_scaling_and_coverage_zero(void **state)
{
	(void)state;
	double v, cov;
	struct mpb_count full = { 1234, 5000, 5000, MPB_COUNT_OK, 0 };
	assert_int_equal(mpb_count_scaled(&full, &v, &cov), 1);
	assert_true(v == 1234.0);
	assert_true(cov == 1.0);
	struct mpb_count half = { 1000, 400, 100, MPB_COUNT_OK, 0 };
	assert_int_equal(mpb_count_scaled(&half, &v, &cov), 1);
	assert_true(fabs(v - 1000.0 * 400 / 100) < 1e-9);
	assert_true(fabs(cov - 100.0 / 400) < 1e-12);
	/* never ran: not counted, whatever the raw value says */
	struct mpb_count never = { 0, 400, 0, MPB_COUNT_OK, 0 };
	v = cov = -1;
	assert_int_equal(mpb_count_scaled(&never, &v, &cov), 0);
	assert_true(v == -1 && cov == -1);
	struct mpb_count never_enabled = { 0, 0, 0, MPB_COUNT_OK, 0 };
	assert_int_equal(mpb_count_scaled(&never_enabled, &v, &cov), 0);
	struct mpb_count failed = { 5, 5, 5, MPB_COUNT_FAILED, ENOENT };
	assert_int_equal(mpb_count_scaled(&failed, &v, &cov), -1);
	struct mpb_count absent = { 0 };
	assert_int_equal(mpb_count_scaled(&absent, &v, &cov), -1);
}

/* ---- totals, JSON and derived figures over synthetic runs -------------------- */

#define NRUNS 3
#define NWORKERS 2

struct synth {
	struct mpb_counter_set set;
	struct mpb_point pt;
	struct mpb_plan plan;
	struct mpb_point_state ps;
	struct mpb_dataset s;
	struct mpb_sample runs[NRUNS];
	struct mpb_worker_report workers[NRUNS][NWORKERS];
};

/* Read the plan through the fake with each event's current values. */
static void fake_count(const struct mpb_counter_set *set, struct mpb_counts *out)
{
	struct mpb_counter_handle h;
	mpb_counters_open(&h, &set->plan, &fake_source);
	mpb_counters_read(&h, out);
	mpb_counters_close(&h);
}

static void set_values(const char *name, uint64_t value, uint64_t enabled, uint64_t running)
{
	struct fake_event *e = fake_find(name);
	e->value = value;
	e->enabled = enabled;
	e->running = running;
}

/* Run r, scope k (0 harness, 1.. workers): cycles and instructions
 * multiplexed at different coverages, software events in full. */
static uint64_t cyc_raw(size_t r, size_t k) { return 1000 * (r + 1) + 300 * k; }
static uint64_t ins_raw(size_t r, size_t k) { return 1500 * (r + 1) + 700 * k; }
static uint64_t cs_raw(size_t r, size_t k) { return 10 * (r + 1) + k; }

static void synth_build(struct synth *y)
{
	memset(y, 0, sizeof *y);
	resolve_ok("default", 2, &y->set);
	y->pt.tasks = 8;
	y->pt.workers = NWORKERS;
	y->plan.points = &y->pt;
	y->plan.npoints = 1;
	y->plan.seed = 7;
	y->ps.runs = y->runs;
	y->ps.nruns = NRUNS;
	y->s.plan = &y->plan;
	y->s.pts = &y->ps;
	y->s.counters = &y->set;
	for (size_t r = 0; r < NRUNS; r++) {
		struct mpb_sample *smp = &y->runs[r];
		smp->wall_ns = 1000000000ull * (r + 1);
		smp->nworkers = NWORKERS;
		smp->worker = y->workers[r];
		smp->harness.nvcsw = 3;
		smp->harness.nivcsw = 1;
		for (size_t k = 0; k <= NWORKERS; k++) {
			/* coverage: harness half, workers a quarter (cycles), full (ins) */
			set_values("cycles", cyc_raw(r, k), 4000, k ? 1000 : 2000);
			set_values("instructions", ins_raw(r, k), 4000, k ? 1000 : 2000);
			set_values("context-switches", cs_raw(r, k), 4000, 4000);
			set_values("task-clock", 1000000 * (k + 1), 4000, 4000);
			set_values("page-faults", 40 + k, 4000, 4000);
			set_values("cpu-migrations", k, 4000, 4000);
			struct mpb_counts *c = k ? &smp->worker[k - 1].counters : &smp->harness.perf;
			fake_count(&y->set, c);
			if (k) {
				smp->worker[k - 1].nvcsw = 5 * k;
				smp->worker[k - 1].nivcsw = 2 * k;
			}
		}
	}
}

static double scaled_cyc(size_t r, size_t k) { return (double)cyc_raw(r, k) * 4000 / (k ? 1000 : 2000); }
static double scaled_ins(size_t r, size_t k) { return (double)ins_raw(r, k) * 4000 / (k ? 1000 : 2000); }

static double median3(double a, double b, double c)
{
	double v[3] = { a, b, c };
	for (int i = 0; i < 3; i++)
		for (int j = i + 1; j < 3; j++)
			if (v[j] < v[i]) {
				double t = v[i];
				v[i] = v[j];
				v[j] = t;
			}
	return v[1];
}

static void test_totals_and_ipc(void **state)
{
	(void)state;
	struct synth y;
	synth_build(&y);
	const struct mpb_counter_event *cyc = mpb_counters_find_key(&y.set, "cycles");
	double ipc[NRUNS];
	for (size_t r = 0; r < NRUNS; r++) {
		struct mpb_counter_total t;
		mpb_counters_total(&y.set, (size_t)(cyc - y.set.ev), &y.runs[r], &t);
		double want = 0, wh = scaled_cyc(r, 0), ww = 0;
		for (size_t k = 0; k <= NWORKERS; k++)
			want += scaled_cyc(r, k);
		ww = want - wh;
		assert_int_equal(t.state, 1);
		assert_true(fabs(t.value - want) < 1e-6);
		assert_true(fabs(t.harness - wh) < 1e-6);
		assert_true(fabs(t.workers - ww) < 1e-6);
		/* coverage: summed running over summed enabled */
		assert_true(fabs(t.coverage - (2000.0 + 1000 * NWORKERS) / (4000.0 * (NWORKERS + 1))) < 1e-12);
		double ins = 0;
		for (size_t k = 0; k <= NWORKERS; k++)
			ins += scaled_ins(r, k);
		ipc[r] = ins / want;
	}
	struct mpb_counter_derived o;
	mpb_counters_derive(&y.s, 0, &o);
	assert_true(o.have_ipc);
	assert_true(fabs(o.ipc - median3(ipc[0], ipc[1], ipc[2])) < 1e-12);
	assert_string_equal(o.ipc_reason, "");
	/* context switches: per task and per second; rusage beside it */
	double cs[NRUNS], csps[NRUNS];
	for (size_t r = 0; r < NRUNS; r++) {
		cs[r] = 0;
		for (size_t k = 0; k <= NWORKERS; k++)
			cs[r] += (double)cs_raw(r, k);
		csps[r] = cs[r] / ((double)y.runs[r].wall_ns / 1e9);
	}
	assert_true(o.have_cs);
	assert_true(fabs(o.cs_per_task - median3(cs[0], cs[1], cs[2]) / 8) < 1e-12);
	assert_true(fabs(o.cs_per_second - median3(csps[0], csps[1], csps[2])) < 1e-9);
	double vol = 3 + 5 + 10, inv = 1 + 2 + 4; /* harness + workers 1 and 2 */
	assert_true(fabs(o.vcs_per_task - vol / 8) < 1e-12);
	assert_true(fabs(o.ics_per_task - inv / 8) < 1e-12);
	assert_true(fabs(o.ics_per_second - median3(inv / 1, inv / 2, inv / 3)) < 1e-12);
	assert_true(fabs(o.cs_vs_rusage - median3(cs[0], cs[1], cs[2]) / (vol + inv)) < 1e-12);
	/* page faults per worker: the workers' scope only */
	assert_true(o.have_faults);
	assert_true(fabs(o.page_faults_per_worker - (41.0 + 42.0) / NWORKERS) < 1e-12);
	assert_true(o.have_migrations);
	assert_true(fabs(o.migrations_per_task - (0.0 + 1 + 2) / 8) < 1e-12);
	assert_true(o.have_task_clock);

	json_t *der = json_object();
	mpb_counters_derived_json(der, &y.set, &o);
	assert_true(fabs(json_real_value(json_object_get(der, "ipc")) - o.ipc) < 1e-12);
	assert_true(json_is_null(json_object_get(der, "ipc_unavailable_reason")));
	assert_true(json_is_real(json_object_get(der, "context_switches_per_task")));
	assert_true(json_is_real(json_object_get(der, "involuntary_context_switches_per_task")));
	json_decref(der);
}

/* The JSON of a run: totals, scopes, coverage, per worker. */
static void test_run_json(void **state)
{
	(void)state;
	struct synth y;
	synth_build(&y);
	json_t *run = json_pack("{s:[{}, {}]}", "workers_detail");
	mpb_counters_run_json(run, &y.set, &y.runs[1]);
	json_t *tot = json_object_get(run, "counters");
	json_t *h = json_object_get(json_object_get(run, "counters_by_scope"), "harness");
	json_t *w = json_object_get(json_object_get(run, "counters_by_scope"), "workers");
	json_t *cov = json_object_get(run, "counters_coverage");
	const char *keys[] = { "instructions", "cycles", "context_switches",
			       "voluntary_context_switches", "involuntary_context_switches",
			       "cpu_migrations", "page_faults", "task_clock_ns" };
	for (size_t k = 0; k < N_OF(keys); k++) {
		json_t *t = json_object_get(tot, keys[k]);
		if (!json_is_integer(t))
			fail_msg("counters.%s is not an integer", keys[k]);
		assert_int_equal(json_integer_value(t), json_integer_value(json_object_get(h, keys[k])) +
							    json_integer_value(json_object_get(w, keys[k])));
	}
	assert_int_equal(json_object_size(tot), N_OF(keys));
	assert_int_equal(json_integer_value(json_object_get(tot, "voluntary_context_switches")), 18);
	assert_int_equal(json_integer_value(json_object_get(h, "involuntary_context_switches")), 1);
	assert_int_equal(json_integer_value(json_object_get(tot, "context_switches")),
			 (json_int_t)(cs_raw(1, 0) + cs_raw(1, 1) + cs_raw(1, 2)));
	assert_true(json_real_value(json_object_get(cov, "task_clock_ns")) == 1.0);
	assert_true(json_real_value(json_object_get(cov, "cycles")) < 1.0);
	assert_null(json_object_get(cov, "voluntary_context_switches")); /* rusage: no coverage */
	for (size_t k = 0; k < NWORKERS; k++) {
		json_t *wc = json_object_get(json_array_get(json_object_get(run, "workers_detail"), k),
					     "counters");
		assert_int_equal(json_integer_value(json_object_get(wc, "context_switches")),
				 (json_int_t)cs_raw(1, k + 1));
		assert_int_equal(json_integer_value(json_object_get(wc, "cycles")),
				 llround(scaled_cyc(1, k + 1)));
	}
	json_decref(run);

	json_t *summary = json_object();
	mpb_counters_summaries_json(summary, &y.s, 0);
	json_t *sm = json_object_get(summary, "context_switches");
	assert_int_equal(json_integer_value(json_object_get(sm, "n")), NRUNS);
	assert_true(json_number_value(json_object_get(sm, "min")) ==
		    (double)(cs_raw(0, 0) + cs_raw(0, 1) + cs_raw(0, 2)));
	assert_non_null(json_object_get(summary, "involuntary_context_switches"));
	json_decref(summary);

	json_t *m = mpb_counters_machine_json(&y.set);
	json_t *c = json_object_get(m, "cycles");
	assert_true(json_is_true(json_object_get(c, "available")));
	assert_true(json_is_null(json_object_get(c, "reason")));
	assert_int_equal(json_array_size(json_object_get(c, "group")), 2);
	assert_int_equal(json_array_size(json_object_get(json_object_get(m, "page-faults"), "group")), 4);
	json_decref(m);
}

/* A cmd run (--instrument python): its harness scope is the command's
 * whole tree, which holds its workers, so its total is the tree's (never
 * tree + workers), coverage included, and the workers' scope is theirs; a
 * worker that counted nothing leaves the total alone. */
static void test_cmd_run_total_is_the_tree(void **state)
{
	(void)state;
	struct synth y;
	synth_build(&y);
	struct mpb_sample *r = &y.runs[1];
	r->cmd = json_object();
	const struct mpb_counter_event *cyc = mpb_counters_find_key(&y.set, "cycles");
	struct mpb_counter_total t;
	mpb_counters_total(&y.set, (size_t)(cyc - y.set.ev), r, &t);
	assert_int_equal(t.state, 1);
	assert_true(fabs(t.value - scaled_cyc(1, 0)) < 1e-6);
	assert_true(fabs(t.workers - scaled_cyc(1, 1) - scaled_cyc(1, 2)) < 1e-6);
	assert_true(t.coverage == 0.5); /* the tree's own */
	json_t *run = json_pack("{s:[{}, {}]}", "workers_detail");
	mpb_counters_run_json(run, &y.set, r);
	json_t *tot = json_object_get(run, "counters");
	json_t *h = json_object_get(json_object_get(run, "counters_by_scope"), "harness");
	assert_int_equal(json_integer_value(json_object_get(tot, "context_switches")),
			 (json_int_t)cs_raw(1, 0));
	assert_int_equal(json_integer_value(json_object_get(tot, "voluntary_context_switches")),
			 json_integer_value(json_object_get(h, "voluntary_context_switches")));
	json_decref(run);
	r->worker[0].counters.n = 0; /* killed before its read-out */
	mpb_counters_total(&y.set, (size_t)(cyc - y.set.ev), r, &t);
	assert_int_equal(t.state, 1);
	assert_int_equal(t.workers_state, -1);
	json_decref(r->cmd);
	r->cmd = NULL;
}

/* One worker whose counter never ran, one that could not open one, one
 * that counted nothing at all: the totals are null, never a partial sum. */
static void test_not_counted_is_null_never_zero(void **state)
{
	(void)state;
	struct synth y;
	synth_build(&y);
	const struct mpb_counter_set *set = &y.set;
	uint32_t tc = pi_of(set, "task-clock"), cs = pi_of(set, "context-switches");
	uint32_t cyc = pi_of(set, "cycles");
	for (size_t r = 0; r < NRUNS; r++) {
		y.runs[r].worker[1].counters.c[tc].running_ns = 0;      /* multiplexed out */
		y.runs[r].worker[0].counters.c[cs].state = MPB_COUNT_FAILED;
		y.runs[r].worker[0].counters.c[cs].err = EMFILE;
		y.runs[r].worker[1].counters.c[cyc].running_ns = 0;
	}
	struct mpb_counter_total t;
	mpb_counters_total(set, (size_t)(mpb_counters_find_key(set, "task_clock_ns") - set->ev),
			   &y.runs[0], &t);
	assert_int_equal(t.state, 0);
	assert_int_equal(t.harness_state, 1);
	assert_int_equal(t.workers_state, 0);
	json_t *run = json_pack("{s:[{}, {}]}", "workers_detail");
	mpb_counters_run_json(run, set, &y.runs[0]);
	json_t *tot = json_object_get(run, "counters");
	assert_true(json_is_null(json_object_get(tot, "task_clock_ns")));
	assert_true(json_is_null(json_object_get(tot, "context_switches")));
	assert_true(json_is_null(json_object_get(tot, "cycles")));
	assert_true(json_is_integer(json_object_get(tot, "page_faults")));
	/* coverage says which: 0 for never ran, null for failed */
	json_t *cov = json_object_get(run, "counters_coverage");
	assert_true(json_is_real(json_object_get(cov, "task_clock_ns")));
	assert_true(json_real_value(json_object_get(cov, "task_clock_ns")) == 0.0);
	assert_true(json_is_null(json_object_get(cov, "context_switches")));
	/* the harness's own scope still has it */
	json_t *h = json_object_get(json_object_get(run, "counters_by_scope"), "harness");
	assert_true(json_is_integer(json_object_get(h, "task_clock_ns")));
	json_t *w1 = json_object_get(json_array_get(json_object_get(run, "workers_detail"), 1),
				     "counters");
	assert_true(json_is_null(json_object_get(w1, "task_clock_ns")));
	json_decref(run);

	struct mpb_counter_derived o;
	mpb_counters_derive(&y.s, 0, &o);
	assert_false(o.have_ipc);
	assert_contains(o.ipc_reason, "not counted");
	assert_false(o.have_cs);
	assert_false(o.have_task_clock);
	assert_true(o.have_faults);
	json_t *der = json_object();
	mpb_counters_derived_json(der, set, &o);
	assert_true(json_is_null(json_object_get(der, "ipc")));
	assert_true(json_is_string(json_object_get(der, "ipc_unavailable_reason")));
	assert_true(json_is_null(json_object_get(der, "context_switches_per_task")));
	json_decref(der);
	json_t *summary = json_object();
	mpb_counters_summaries_json(summary, &y.s, 0);
	assert_true(json_is_null(json_object_get(summary, "task_clock_ns")));
	json_decref(summary);

	/* a worker with no plan at all (n = 0): nothing of its is a total */
	synth_build(&y);
	memset(&y.runs[0].worker[1].counters, 0, sizeof y.runs[0].worker[1].counters);
	mpb_counters_total(&y.set, (size_t)(mpb_counters_find_key(&y.set, "page_faults") - y.set.ev),
			   &y.runs[0], &t);
	assert_int_equal(t.state, -1);
}

/* Counters off or unavailable: every counter key null, rusage still there,
 * IPC null with the reason. */
static void test_counters_off(void **state)
{
	(void)state;
	struct synth y;
	synth_build(&y);
	struct mpb_counter_set none;
	resolve_ok("none", 2, &none);
	y.s.counters = &none;
	json_t *run = json_pack("{s:[{}, {}]}", "workers_detail");
	mpb_counters_run_json(run, &none, &y.runs[0]);
	json_t *tot = json_object_get(run, "counters");
	assert_true(json_is_null(json_object_get(tot, "context_switches")));
	assert_true(json_is_null(json_object_get(tot, "cycles")));
	assert_int_equal(json_integer_value(json_object_get(tot, "voluntary_context_switches")), 18);
	json_decref(run);
	struct mpb_counter_derived o;
	mpb_counters_derive(&y.s, 0, &o);
	assert_false(o.have_ipc);
	assert_contains(o.ipc_reason, "--counters none");
	y.s.counters = NULL;
	mpb_counters_derive(&y.s, 0, &o);
	assert_contains(o.ipc_reason, "--counters none");
	json_t *der = json_object();
	mpb_counters_derived_json(der, NULL, NULL); /* a point without runs */
	assert_true(json_is_null(json_object_get(der, "ipc")));
	assert_true(json_is_string(json_object_get(der, "ipc_unavailable_reason")));
	json_decref(der);
	json_t *m = mpb_counters_machine_json(&none);
	assert_int_equal(json_object_size(m), 0);
	json_decref(m);

	/* cycles requested but not instructions */
	struct mpb_counter_set only;
	resolve_ok("cycles,task-clock", 2, &only);
	char note[256];
	assert_true(mpb_counters_ipc_note(&only, note, sizeof note));
	assert_contains(note, "instructions not in --counters");
}

/* ---- the plan's text form (a worker spec's counters) ------------------------ */

/* The encoder is released once a set's names are encoded, failed lists
 * included, and nothing is encoded after it; counters still open. */
static void test_encoder_released_after_resolve(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_counters_resolve("default", &fake_source, 1, &set, &d), 0);
	assert_int_equal(F.releases, 1);
	assert_int_equal(F.encodes_after_release, 0);
	assert_true(mpb_counters_find_key(&set, "task_clock_ns")->available);
	struct mpb_counter_handle h;
	int n = mpb_counters_open(&h, &set.plan, &fake_source);
	assert_true(n > 0);
	assert_int_equal(fake_open_fds(), n);
	mpb_counters_close(&h);
	/* a name with a bad modifier fails the list: released all the same */
	assert_true(mpb_counters_resolve("task-clock,cycles:zz", &fake_source, 1, &set, &d) < 0);
	assert_int_equal(F.releases, 2);
	assert_int_equal(F.encodes_after_release, 0);
	/* "none" encodes nothing and has nothing to release */
	assert_int_equal(mpb_counters_resolve("none", &fake_source, 1, &set, &d), 0);
	assert_int_equal(F.releases, 2);
}

static int paranoid(void);

static bool libpfm_mapped(void)
{
	FILE *f = fopen("/proc/self/maps", "re");
	assert_non_null(f);
	char line[512];
	bool found = false;
	while (fgets(line, sizeof line, f))
		found |= strstr(line, "libpfm") != NULL;
	fclose(f);
	return found;
}

/* The real encoder unloads libpfm4 once the names are encoded: the process
 * that forks the workers does not carry its tables (counter_source_perf.c).
 * Encoding again after that loads it again. */
static void test_real_libpfm_unloaded_after_resolve(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	struct mpb_diag d = { 0 };
	for (int round = 0; round < 2; round++) {
		assert_int_equal(mpb_counters_resolve("task-clock", &mpb_counter_source_perf,
						      paranoid(), &set, &d), 0);
		const struct mpb_counter_event *ev = mpb_counters_find_key(&set, "task_clock_ns");
		assert_non_null(ev);
		/* encoded by libpfm4 (or said why not), and then unloaded */
		assert_true(ev->spec.type == PERF_TYPE_SOFTWARE || ev->reason[0]);
		assert_false(libpfm_mapped());
	}
}

static void test_plan_text_roundtrip(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	resolve_ok("default,raw-c0:u", 2, &set);
	set.plan.ev[0].config1 = 0xdeadbeefcafeull; /* every field crosses */
	set.plan.ev[1].config2 = UINT64_MAX;
	char buf[MPB_COUNTERS_PLAN_TEXT_MAX];
	assert_int_equal(mpb_counters_plan_format(&set.plan, buf, sizeof buf), 0);
	assert_null(strchr(buf, '\n'));
	assert_null(strchr(buf, '='));
	struct mpb_counter_plan p;
	assert_int_equal(mpb_counters_plan_parse(buf, &p), 0);
	assert_int_equal(p.n, set.plan.n);
	assert_memory_equal(p.ev, set.plan.ev, p.n * sizeof p.ev[0]);
	assert_memory_equal(p.leader, set.plan.leader, p.n * sizeof p.leader[0]);
	/* too small a buffer is refused, not truncated */
	assert_int_equal(mpb_counters_plan_format(&set.plan, buf, 20), -1);
	/* an empty plan */
	struct mpb_counter_plan empty = { 0 };
	assert_int_equal(mpb_counters_plan_format(&empty, buf, sizeof buf), 0);
	assert_int_equal(mpb_counters_plan_parse(buf, &p), 0);
	assert_int_equal(p.n, 0);
	const char *bad[] = {
		"", "2;0", "1;", "1;1", "1;1;1,0,0,0,0", "1;1;1,0,0,0,0,1", "1;1;1,0,0,0,0,0;",
		"1;11;1,0,0,0,0,0", "1;1;1,0,0,0,0,0x", "1;1;-1,0,0,0,0,0", "1;1;100000000,0,0,0,0,0",
		"1;2;1,0,0,0,0,0", "1;1; 1,0,0,0,0,0", "1;1;1,0,10000000000000000,0,0,0",
	};
	for (size_t k = 0; k < N_OF(bad); k++) {
		if (mpb_counters_plan_parse(bad[k], &p) == 0)
			fail_msg("accepted malformed plan '%s'", bad[k]);
		assert_int_equal(p.n, 0);
	}
	assert_int_equal(mpb_counters_plan_parse(NULL, &p), -1);
}

/* ---- the real kernel (software events) ---------------------------------------- */

static int paranoid(void)
{
	int v = -100;
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "r");
	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -100;
		fclose(f);
	}
	return v;
}

/* The real set; false (with the recorded reason checked and said) when
 * this kernel does not let us count `need`. */
static bool real_set(const char *list, const char *need, struct mpb_counter_set *set)
{
	struct mpb_diag d = { 0 };
	if (mpb_counters_resolve(list, &mpb_counter_source_perf, paranoid(), set, &d) < 0)
		fail_msg("resolve: %s", d.msg);
	const struct mpb_counter_event *ev = mpb_counters_find_key(set, need);
	assert_non_null(ev);
	if (!ev->available) {
		assert_true(ev->reason[0] != '\0');
		print_message("  (%s cannot be counted here: %s; checked the reason only)\n",
			      ev->name, ev->reason);
		return false;
	}
	return true;
}

static uint64_t value_of(const struct mpb_counter_set *set, const struct mpb_counts *c,
			 const char *key)
{
	const struct mpb_counter_event *ev = mpb_counters_find_key(set, key);
	assert_non_null(ev);
	assert_true(ev->available);
	assert_int_equal(c->n, set->plan.n);
	double v, cov;
	if (mpb_count_scaled(&c->c[ev->plan_index], &v, &cov) != 1)
		fail_msg("%s not counted (state %d, err %d)", key, c->c[ev->plan_index].state,
			 c->c[ev->plan_index].err);
	return (uint64_t)llround(v);
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };
	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

#define NAPS 20

static void test_real_sleeps_are_context_switches(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	if (!real_set("default", "context_switches", &set))
		return;
	/* without a PMU the hardware events say why */
	assert_true(mpb_counters_find_key(&set, "task_clock_ns")->available);
	struct mpb_counter_scope sc;
	struct mpb_scope_counts out;
	mpb_counters_scope_begin(&sc, &set);
	for (int i = 0; i < NAPS; i++)
		sleep_ms(1);
	mpb_counters_scope_end(&sc, &out);
	uint64_t cs = value_of(&set, &out.perf, "context_switches");
	if (cs < NAPS)
		fail_msg("%d sleeps, %llu context switches", NAPS, (unsigned long long)cs);
	if (out.nvcsw < NAPS)
		fail_msg("%d sleeps, %llu voluntary switches in rusage", NAPS,
			 (unsigned long long)out.nvcsw);
	assert_true(value_of(&set, &out.perf, "task_clock_ns") > 0);
	/* the counter is this thread's: a child's sleeps are not in it */
	mpb_counters_scope_begin(&sc, &set);
	pid_t pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		for (int i = 0; i < NAPS * 5; i++)
			sleep_ms(1);
		_exit(0);
	}
	int st;
	assert_int_equal(waitpid(pid, &st, 0), pid);
	mpb_counters_scope_end(&sc, &out);
	/* waiting is one or a few switches, not the child's hundred */
	assert_true(value_of(&set, &out.perf, "context_switches") < NAPS * 5);
}

/* Each task sleeps the number of milliseconds in params.size. */
static int nap_setup(const struct mpb_workload_params *p, void **state, struct mpb_diag *d)
{
	uint64_t *ms = malloc(sizeof *ms);
	if (!ms)
		return mpb_fail(d, MPB_ENOMEM, "out of memory");
	*ms = p->size;
	*state = ms;
	return 0;
}

static void nap_teardown(void *state)
{
	free(state);
}

static int nap_make(void *state, const struct mpb_workload_params *p, uint64_t index,
		    struct mpb_value *arg, struct mpb_diag *d)
{
	(void)state; (void)p; (void)d;
	*arg = mpb_value_int(index);
	return 0;
}

static int nap_run(void *state, const struct mpb_value *arg, struct mpb_value *result,
		   struct mpb_diag *d)
{
	(void)d;
	sleep_ms((long)*(const uint64_t *)state);
	*result = *arg;
	return 0;
}

static int nap_verify(void *state, const struct mpb_workload_params *p, uint64_t index,
		      const struct mpb_value *arg, const struct mpb_value *result,
		      struct mpb_diag *d)
{
	(void)state; (void)p; (void)arg;
	if (result->type != MPB_VAL_INT || result->as.u != index)
		return mpb_fail(d, MPB_ERUN, "task %llu came back wrong", (unsigned long long)index);
	return 0;
}

static const struct mpb_workload_ops wl_nap = {
	.abi = MPB_WORKLOAD_ABI,
	.name = "test-nap",
	.summary = "sleeps params.size ms per task",
	.unit = MPB_UNIT_COUNT,
	.unit_name = "ms",
	.default_sizes = "1",
	.default_tasks = 1,
	.min_size = 0,
	.max_size = 1000,
	.setup = nap_setup,
	.make_task = nap_make,
	.run_task = nap_run,
	.verify = nap_verify,
	.teardown = nap_teardown,
};

/* Run one map of n tasks of wl on `workers` workers of method m with the
 * set's plan; returns the pool (stopped, for its report). */
static struct mpb_pool *run_pool(const struct mpb_method_ops *m, const struct mpb_workload_ops *wl,
				 uint64_t size, uint64_t n, unsigned workers,
				 const struct mpb_counter_set *set)
{
	struct mpb_diag d = { 0 };
	struct mpb_workload_params wp = { size, n, 3, 0 };
	struct mpb_value *args = calloc(n, sizeof *args), *res = calloc(n, sizeof *res);
	assert_non_null(args);
	assert_non_null(res);
	for (uint64_t i = 0; i < n; i++)
		assert_int_equal(wl->make_task(NULL, &wp, i, &args[i], &d), 0);
	struct mpb_pool_config c = {
		.method = m,
		.codec = &mpb_codec_raw,
		.transport = &mpb_transport_pipe,
		.workload = wl,
		.wparams = wp,
		.workers = workers,
		.chunksize = 1,
		.counters = &set->plan,
	};
	struct mpb_pool *p = NULL;
	if (mpb_pool_start(&c, &p, &d) < 0 || mpb_pool_map(p, args, n, res, &d) < 0 ||
	    mpb_pool_stop(p, &d) < 0) {
		mpb_pool_free(p);
		fail_msg("%s pool: %s", m->name, d.msg);
	}
	for (uint64_t i = 0; i < n; i++)
		if (wl->verify(NULL, &wp, i, &args[i], &res[i], &d) < 0)
			fail_msg("%s", d.msg);
	mpb_value_clear_array(args, n);
	mpb_value_clear_array(res, n);
	free(args);
	free(res);
	return p;
}

#define NAP_TASKS 12

/* A worker that sleeps once per task switches at least once per task; its
 * own counter says so, in BYE, for a process and for a thread. */
static void test_real_pool_workers_count_their_sleeps(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	if (!real_set("context-switches,task-clock,page-faults", "context_switches", &set))
		return;
	const struct mpb_method_ops *methods[] = { &mpb_method_fork, &mpb_method_thread };
	for (size_t m = 0; m < N_OF(methods); m++) {
		struct mpb_pool *p = run_pool(methods[m], &wl_nap, 1, NAP_TASKS, 1, &set);
		const struct mpb_worker_report *w = &mpb_pool_report(p)->worker[0];
		assert_int_equal(w->tasks, NAP_TASKS);
		uint64_t cs = value_of(&set, &w->counters, "context_switches");
		if (cs < NAP_TASKS)
			fail_msg("%s: %d sleeping tasks, %llu context switches", methods[m]->name,
				 NAP_TASKS, (unsigned long long)cs);
		assert_true(w->nvcsw >= NAP_TASKS);
		assert_true(value_of(&set, &w->counters, "task_clock_ns") > 0);
		mpb_pool_free(p);
	}
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1); /* no child left */
	assert_int_equal(errno, ECHILD);
}

/* Workers that are fresh images (spawn) or forks of the server (forkserver)
 * get the plan too and count themselves. */
static void test_real_spawn_and_forkserver_workers_count(void **state)
{
	(void)state;
	struct mpb_counter_set set;
	if (!real_set("default", "task_clock_ns", &set))
		return;
	struct mpb_diag d = { 0 };
	if (mpb_method_forkserver.prepare(&d) < 0)
		fail_msg("forkserver: %s", d.msg);
	const struct mpb_method_ops *methods[] = { &mpb_method_spawn, &mpb_method_forkserver,
						   &mpb_method_fork, &mpb_method_thread };
	for (size_t m = 0; m < N_OF(methods); m++) {
		struct mpb_pool *p = run_pool(methods[m], &mpb_workload_sumsq, 20000, 8, 2, &set);
		const struct mpb_pool_report *r = mpb_pool_report(p);
		for (unsigned k = 0; k < r->workers; k++) {
			const struct mpb_counts *c = &r->worker[k].counters;
			if (c->n != set.plan.n)
				fail_msg("%s worker %u reported %u counters, the plan has %u",
					 methods[m]->name, k, c->n, set.plan.n);
			assert_true(value_of(&set, c, "task_clock_ns") > 0);
		}
		mpb_pool_free(p);
	}
	mpb_method_forkserver.shutdown();
	assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
	assert_int_equal(errno, ECHILD);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		FAKE_TEST(test_default_set_without_pmu),
		FAKE_TEST(test_none_and_bad_lists),
		FAKE_TEST(test_encoder_failure_is_unavailable_not_fatal),
		FAKE_TEST(test_error_reasons),
		FAKE_TEST(test_exclude_kernel_retry),
		FAKE_TEST(test_groups),
		FAKE_TEST(test_group_failure_falls_back_to_separate_events),
		FAKE_TEST(test_read_failure_and_empty_handle),
		FAKE_TEST(test_multiplex_scaling_and_coverage_zero),
		FAKE_TEST(test_totals_and_ipc),
		FAKE_TEST(test_run_json),
		FAKE_TEST(test_cmd_run_total_is_the_tree),
		FAKE_TEST(test_not_counted_is_null_never_zero),
		FAKE_TEST(test_counters_off),
		FAKE_TEST(test_plan_text_roundtrip),
		FAKE_TEST(test_encoder_released_after_resolve),
		cmocka_unit_test(test_real_libpfm_unloaded_after_resolve),
		cmocka_unit_test(test_real_sleeps_are_context_switches),
		cmocka_unit_test(test_real_pool_workers_count_their_sleeps),
		cmocka_unit_test(test_real_spawn_and_forkserver_workers_count),
	};
	/* a write to a dead worker must come back as EPIPE (as in the CLI) */
	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
