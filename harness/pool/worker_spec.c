/* worker_spec.c — encode and validated decode of a worker's whole
 * configuration (see worker_spec.h). */
#include "worker_spec.h"

#include <stdio.h>
#include <string.h>

#include "codec.h"
#include "frame.h"
#include "transport.h"

/* Names are identifiers: printable ASCII without spaces keeps a corrupt or
 * hostile payload from smuggling control bytes into messages. */
static int name_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > MPB_WORKER_SPEC_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static int oom(struct mpb_diag *d)
{
	return mpb_fail(d, MPB_ENOMEM, "worker spec: out of memory");
}

static int put_bytes(struct mpb_buf *out, const void *p, size_t n)
{
	return mpb_buf_put_u32(out, (uint32_t)n) < 0 || mpb_buf_append(out, p, n) < 0 ? -1 : 0;
}

static int put_name(struct mpb_buf *out, const char *what, const char *name, struct mpb_diag *d)
{
	size_t n = strnlen(name, MPB_WORKER_SPEC_NAME_MAX + 1);
	if (!name_ok((const uint8_t *)name, n))
		return mpb_fail(d, MPB_EINPUT, "worker spec: %s name is empty, longer than %u "
				"bytes or not printable", what, MPB_WORKER_SPEC_NAME_MAX);
	return put_bytes(out, name, n) < 0 ? oom(d) : 0;
}

void mpb_worker_spec_from_args(struct mpb_worker_spec *s, const struct mpb_worker_args *a,
			       uint64_t parent_pid)
{
	memset(s, 0, sizeof *s);
	s->index = a->index;
	s->parent_pid = parent_pid;
	snprintf(s->workload, sizeof s->workload, "%s", a->workload->name);
	snprintf(s->codec, sizeof s->codec, "%s", a->codec->name);
	snprintf(s->transport, sizeof s->transport, "%s", a->transport->name);
	s->params = a->wparams;
	if (a->counters)
		s->counters = *a->counters;
}

int mpb_worker_spec_encode(const struct mpb_worker_spec *s, struct mpb_buf *out,
			   struct mpb_diag *d)
{
	if (mpb_buf_put_u32(out, MPB_WORKER_SPEC_VERSION) < 0 || mpb_buf_put_u32(out, s->index) < 0 ||
	    mpb_buf_put_u64(out, s->parent_pid) < 0)
		return oom(d);
	int rc = put_name(out, "workload", s->workload, d);
	if (rc == 0)
		rc = put_name(out, "codec", s->codec, d);
	if (rc == 0)
		rc = put_name(out, "transport", s->transport, d);
	if (rc < 0)
		return rc;
	const struct mpb_workload_params *p = &s->params;
	if (mpb_buf_put_u64(out, p->size) < 0 || mpb_buf_put_u64(out, p->tasks) < 0 ||
	    mpb_buf_put_u64(out, p->seed) < 0 || mpb_buf_put_u64(out, p->result_size) < 0)
		return oom(d);
	char plan[MPB_COUNTERS_PLAN_TEXT_MAX];
	plan[0] = '\0';
	if (s->counters.n && mpb_counters_plan_format(&s->counters, plan, sizeof plan) < 0)
		return mpb_fail(d, MPB_EINPUT, "worker spec: the counter plan of %u events does "
				"not fit %zu bytes", s->counters.n, sizeof plan);
	return put_bytes(out, plan, strlen(plan)) < 0 ? oom(d) : 0;
}

static int get_name(struct mpb_reader *r, const char *what, char *dst, struct mpb_diag *d)
{
	uint32_t n;
	const uint8_t *s;
	if (mpb_rd_u32(r, &n) < 0 || n > r->left)
		return mpb_fail(d, MPB_ERUN, "worker spec: truncated %s name", what);
	if (n > MPB_WORKER_SPEC_NAME_MAX)
		return mpb_fail(d, MPB_ERUN, "worker spec: %s name of %u bytes exceeds %u", what, n,
				MPB_WORKER_SPEC_NAME_MAX);
	if (mpb_rd_bytes(r, n, &s) < 0 || !name_ok(s, n))
		return mpb_fail(d, MPB_ERUN, "worker spec: %s name is empty or not printable", what);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int get_counters(struct mpb_reader *r, struct mpb_counter_plan *plan, struct mpb_diag *d)
{
	uint32_t n;
	const uint8_t *s;
	char text[MPB_COUNTERS_PLAN_TEXT_MAX];
	if (mpb_rd_u32(r, &n) < 0 || n > r->left || mpb_rd_bytes(r, n, &s) < 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: truncated counter plan");
	memset(plan, 0, sizeof *plan);
	if (n == 0)
		return 0;
	if (n >= sizeof text || memchr(s, '\0', n))
		return mpb_fail(d, MPB_ERUN, "worker spec: malformed counter plan (%u bytes)", n);
	memcpy(text, s, n);
	text[n] = '\0';
	if (mpb_counters_plan_parse(text, plan) < 0 || plan->n == 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: malformed counter plan");
	return 0;
}

int mpb_worker_spec_decode(const uint8_t *p, size_t len, struct mpb_worker_spec *s,
			   struct mpb_diag *d)
{
	struct mpb_reader r = { p, len };
	uint32_t version;
	if (mpb_rd_u32(&r, &version) < 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: truncated version");
	if (version != MPB_WORKER_SPEC_VERSION)
		return mpb_fail(d, MPB_ERUN, "worker spec: version %u, this worker reads version %u "
				"(harness and worker are from different builds)", version,
				MPB_WORKER_SPEC_VERSION);
	if (mpb_rd_u32(&r, &s->index) < 0 || mpb_rd_u64(&r, &s->parent_pid) < 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: truncated header");
	int rc = get_name(&r, "workload", s->workload, d);
	if (rc == 0)
		rc = get_name(&r, "codec", s->codec, d);
	if (rc == 0)
		rc = get_name(&r, "transport", s->transport, d);
	if (rc < 0)
		return rc;
	struct mpb_workload_params *wp = &s->params;
	if (mpb_rd_u64(&r, &wp->size) < 0 || mpb_rd_u64(&r, &wp->tasks) < 0 ||
	    mpb_rd_u64(&r, &wp->seed) < 0 || mpb_rd_u64(&r, &wp->result_size) < 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: truncated workload parameters");
	if ((rc = get_counters(&r, &s->counters, d)) < 0)
		return rc;
	if (r.left != 0)
		return mpb_fail(d, MPB_ERUN, "worker spec: %zu unexpected trailing bytes", r.left);
	return 0;
}

int mpb_worker_spec_resolve(const struct mpb_worker_spec *s, struct mpb_worker_args *a,
			    struct mpb_diag *d)
{
	const struct mpb_workload_ops *w = mpb_workload_find(s->workload);
	const struct mpb_codec_ops *c = mpb_codec_find(s->codec);
	const struct mpb_transport_ops *t = mpb_transport_find(s->transport);
	const char *what = !w ? "workload" : !c ? "codec" : !t ? "transport" : NULL;
	if (what)
		return mpb_fail(d, MPB_ERUN, "worker spec names an unknown %s '%s' (harness and "
				"worker from different builds?)", what,
				!w ? s->workload : !c ? s->codec : s->transport);
	int rc = mpb_workload_check(w, d);
	if (rc < 0)
		return rc;
	a->index = s->index;
	a->workload = w;
	a->codec = c;
	a->transport = t;
	a->wparams = s->params;
	a->counters = s->counters.n ? &s->counters : NULL;
	return 0;
}

int mpb_worker_spec_put_hello(const struct mpb_worker_args *a, uint64_t parent_pid,
			      struct mpb_buf *out, struct mpb_diag *d)
{
	struct mpb_worker_spec spec;
	mpb_worker_spec_from_args(&spec, a, parent_pid);
	size_t before = out->len;
	long at = mpb_frame_begin(out, MPB_FRAME_HELLO);
	if (at < 0)
		return mpb_fail(d, MPB_ENOMEM, "worker spec: out of memory");
	int rc = mpb_worker_spec_encode(&spec, out, d);
	if (rc == 0 && mpb_frame_end(out, at) < 0)
		rc = mpb_fail(d, MPB_ERUN, "worker spec: HELLO frame too long");
	if (rc < 0)
		out->len = before;
	return rc;
}
