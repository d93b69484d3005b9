/* counter_source_perf.c — the real counter source (see counter_source.h):
 * event names through libpfm4 (pfm_get_os_event_encoding with
 * PFM_OS_PERF_EVENT_EXT), counters through perf_event_open(2).
 *
 * libpfm4 is loaded (dlopen) when a name is first encoded, not linked: only
 * the harness encodes names, and linking it would make every image of the
 * pool library load it, mpbench-worker too, whose start-up is part of every
 * spawned worker's. Its tables take some 41,000 relocations at load: the
 * dynamic loader spent 1.95 M cycles starting mpbench-worker with it linked,
 * against 0.18 M for /bin/true, the spawn floor's program.
 *
 * And it is unloaded (release: pfm_terminate, dlclose) once a set of names is
 * encoded: its relocated tables are some 1.3 MB of private memory, whose
 * page-table entries every fork of the harness copies. With it loaded, the
 * fork floor of a sweep on the 2-core VM was 147-173 us against 110-114 us
 * with --counters none, and a fork pool's start-up grew the same way. */
#include "counter_source.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <perfmon/pfmlib_perf_event.h>

/* libpfm4's ABI 4, by its soname; the unversioned name where only a
 * development link exists */
static const char *const pfm_sonames[] = { "libpfm.so.4", "libpfm.so" };

static struct {
	void *handle;       /* dlopen's, NULL while not loaded */
	bool tried;         /* pfm_init ran since the last release */
	pfm_err_t (*initialize)(void);
	void (*terminate)(void);
	const char *(*strerror)(int code);
	pfm_err_t (*encode)(const char *str, int dfl_plm, pfm_os_t os, void *args);
} pfm;
static pthread_mutex_t pfm_lock = PTHREAD_MUTEX_INITIALIZER;
static char pfm_why[200]; /* empty once libpfm4 is loaded and initialised */

/* Load and initialise libpfm4 unless tried since the last release; under
 * pfm_lock. */
static void pfm_init(void)
{
	if (pfm.tried)
		return;
	pfm.tried = true;
	pfm_why[0] = '\0';
	void *h = NULL;
	for (size_t i = 0; !h && i < sizeof pfm_sonames / sizeof *pfm_sonames; i++)
		h = dlopen(pfm_sonames[i], RTLD_NOW | RTLD_LOCAL);
	pfm.handle = h;
	if (!h) {
		const char *e = dlerror();
		snprintf(pfm_why, sizeof pfm_why, "libpfm4 could not be loaded: %s",
			 e ? e : "not found");
		return;
	}
	/* the POSIX way to a function pointer from dlsym */
	*(void **)&pfm.initialize = dlsym(h, "pfm_initialize");
	*(void **)&pfm.terminate = dlsym(h, "pfm_terminate");
	*(void **)&pfm.strerror = dlsym(h, "pfm_strerror");
	*(void **)&pfm.encode = dlsym(h, "pfm_get_os_event_encoding");
	if (!pfm.initialize || !pfm.strerror || !pfm.encode) {
		snprintf(pfm_why, sizeof pfm_why, "libpfm4 lacks pfm_get_os_event_encoding");
		return;
	}
	int rc = pfm.initialize();
	if (rc != PFM_SUCCESS)
		snprintf(pfm_why, sizeof pfm_why, "libpfm4 could not initialise: %s",
			 pfm.strerror(rc));
}

static void perf_release(void *ctx)
{
	(void)ctx;
	pthread_mutex_lock(&pfm_lock);
	if (pfm.handle) {
		if (pfm.terminate && !pfm_why[0]) /* it initialised */
			pfm.terminate();
		dlclose(pfm.handle);
	}
	memset(&pfm, 0, sizeof pfm);
	pthread_mutex_unlock(&pfm_lock);
}

static int perf_encode_locked(const char *event, struct mpb_counter_spec *spec, char *why,
			      size_t why_len)
{
	if (pfm_why[0]) {
		snprintf(why, why_len, "%s", pfm_why);
		return -ENOSYS;
	}
	struct perf_event_attr attr;
	pfm_perf_encode_arg_t arg;
	memset(&attr, 0, sizeof attr);
	memset(&arg, 0, sizeof arg);
	arg.attr = &attr;
	arg.size = sizeof arg;
	/* PLM0|PLM3: user and kernel unless the name's modifiers say otherwise;
	 * the kernel may still demand user space only (EACCES at open) */
	int rc = pfm.encode(event, PFM_PLM0 | PFM_PLM3, PFM_OS_PERF_EVENT_EXT, &arg);
	if (rc != PFM_SUCCESS) {
		snprintf(why, why_len, "libpfm4: %s", pfm.strerror(rc));
		return rc == PFM_ERR_NOTFOUND ? -ENOENT : rc == PFM_ERR_NOMEM ? -ENOMEM : -EINVAL;
	}
	memset(spec, 0, sizeof *spec);
	spec->type = attr.type;
	spec->config = attr.config;
	spec->config1 = attr.config1;
	spec->config2 = attr.config2;
	spec->flags = (attr.exclude_user ? MPB_CSPEC_EXCLUDE_USER : 0) |
		      (attr.exclude_kernel ? MPB_CSPEC_EXCLUDE_KERNEL : 0) |
		      (attr.exclude_hv ? MPB_CSPEC_EXCLUDE_HV : 0) |
		      (attr.exclude_idle ? MPB_CSPEC_EXCLUDE_IDLE : 0) |
		      (attr.exclude_host ? MPB_CSPEC_EXCLUDE_HOST : 0) |
		      (attr.exclude_guest ? MPB_CSPEC_EXCLUDE_GUEST : 0) |
		      ((uint32_t)attr.precise_ip << MPB_CSPEC_PRECISE_SHIFT);
	return 0;
}

static int perf_encode(void *ctx, const char *event, struct mpb_counter_spec *spec, char *why,
		       size_t why_len)
{
	(void)ctx;
	pthread_mutex_lock(&pfm_lock);
	pfm_init();
	int rc = perf_encode_locked(event, spec, why, why_len);
	pthread_mutex_unlock(&pfm_lock);
	return rc;
}

void mpb_counter_spec_attr(const struct mpb_counter_spec *spec, struct perf_event_attr *attr)
{
	memset(attr, 0, sizeof *attr);
	attr->size = sizeof *attr;
	attr->type = spec->type;
	attr->config = spec->config;
	attr->config1 = spec->config1;
	attr->config2 = spec->config2;
	/* one read per counter, with the times that scale a multiplexed count;
	 * no PERF_FORMAT_GROUP, so a member that had to leave its group reads
	 * the same way as one inside it */
	attr->read_format = PERF_FORMAT_TOTAL_TIME_ENABLED | PERF_FORMAT_TOTAL_TIME_RUNNING;
	attr->exclude_user = !!(spec->flags & MPB_CSPEC_EXCLUDE_USER);
	attr->exclude_kernel = !!(spec->flags & MPB_CSPEC_EXCLUDE_KERNEL);
	attr->exclude_hv = 1; /* never the hypervisor: it is not ours to measure */
	attr->exclude_idle = !!(spec->flags & MPB_CSPEC_EXCLUDE_IDLE);
	attr->exclude_host = !!(spec->flags & MPB_CSPEC_EXCLUDE_HOST);
	attr->exclude_guest = !!(spec->flags & MPB_CSPEC_EXCLUDE_GUEST);
	attr->precise_ip = (spec->flags & MPB_CSPEC_PRECISE_MASK) >> MPB_CSPEC_PRECISE_SHIFT;
}

static int perf_open(void *ctx, const struct mpb_counter_spec *spec, int group_fd, bool disabled)
{
	(void)ctx;
	struct perf_event_attr attr;
	mpb_counter_spec_attr(spec, &attr);
	attr.disabled = disabled;
	/* pid 0 and cpu -1: this thread, wherever it runs; close-on-exec, so
	 * a spawned worker does not inherit the harness's counters */
	long fd = syscall(SYS_perf_event_open, &attr, 0, -1, group_fd, PERF_FLAG_FD_CLOEXEC);
	return fd < 0 ? -errno : (int)fd;
}

static int perf_enable(void *ctx, int fd, bool on)
{
	(void)ctx;
	int rc = ioctl(fd, on ? PERF_EVENT_IOC_ENABLE : PERF_EVENT_IOC_DISABLE, PERF_IOC_FLAG_GROUP);
	return rc < 0 ? -errno : 0;
}

static int perf_read(void *ctx, int fd, uint64_t v[3])
{
	(void)ctx;
	for (;;) {
		ssize_t n = read(fd, v, 3 * sizeof *v);
		if (n == (ssize_t)(3 * sizeof *v))
			return 0;
		if (n < 0 && errno == EINTR)
			continue;
		return n < 0 ? -errno : -EIO;
	}
}

static void perf_close(void *ctx, int fd)
{
	(void)ctx;
	close(fd);
}

const struct mpb_counter_source mpb_counter_source_perf = {
	.name = "perf",
	.encode = perf_encode,
	.open = perf_open,
	.enable = perf_enable,
	.read = perf_read,
	.close = perf_close,
	.release = perf_release,
};
