/* hello.c — encode and validated decode of the HELLO payload (see hello.h). */
#include "hello.h"

#include <string.h>

/* Names are identifiers: printable ASCII without spaces keeps a corrupt or
 * hostile payload from smuggling control bytes into messages. */
static int name_ok(const uint8_t *s, size_t n)
{
	if (n == 0 || n > MPB_HELLO_NAME_MAX)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= 0x20 || s[i] >= 0x7f)
			return 0;
	return 1;
}

static int put_name(struct mpb_buf *out, const char *what, const char *name, struct mpb_diag *d)
{
	size_t n = strnlen(name, MPB_HELLO_NAME_MAX + 1);
	if (!name_ok((const uint8_t *)name, n))
		return mpb_fail(d, MPB_EINPUT, "HELLO: %s name is empty, longer than %u bytes "
				"or not printable", what, MPB_HELLO_NAME_MAX);
	if (mpb_buf_put_u32(out, (uint32_t)n) < 0 || mpb_buf_append(out, name, n) < 0)
		return mpb_fail(d, MPB_ENOMEM, "HELLO: out of memory");
	return 0;
}

int mpb_hello_encode(const struct mpb_hello *h, struct mpb_buf *out, struct mpb_diag *d)
{
	if (mpb_buf_put_u32(out, MPB_HELLO_VERSION) < 0 || mpb_buf_put_u32(out, h->index) < 0 ||
	    mpb_buf_put_u64(out, h->parent_pid) < 0)
		return mpb_fail(d, MPB_ENOMEM, "HELLO: out of memory");
	int rc = put_name(out, "workload", h->workload, d);
	if (rc == 0)
		rc = put_name(out, "codec", h->codec, d);
	if (rc < 0)
		return rc;
	if (mpb_buf_put_u64(out, h->params.size) < 0 || mpb_buf_put_u64(out, h->params.tasks) < 0 ||
	    mpb_buf_put_u64(out, h->params.seed) < 0)
		return mpb_fail(d, MPB_ENOMEM, "HELLO: out of memory");
	return 0;
}

static int get_name(struct mpb_reader *r, const char *what, char *dst, struct mpb_diag *d)
{
	uint32_t n;
	const uint8_t *s;
	if (mpb_rd_u32(r, &n) < 0 || n > r->left)
		return mpb_fail(d, MPB_ERUN, "HELLO: truncated %s name", what);
	if (n > MPB_HELLO_NAME_MAX)
		return mpb_fail(d, MPB_ERUN, "HELLO: %s name of %u bytes exceeds %u", what, n,
				MPB_HELLO_NAME_MAX);
	if (mpb_rd_bytes(r, n, &s) < 0 || !name_ok(s, n))
		return mpb_fail(d, MPB_ERUN, "HELLO: %s name is empty or not printable", what);
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

int mpb_hello_decode(const uint8_t *p, size_t len, struct mpb_hello *h, struct mpb_diag *d)
{
	struct mpb_reader r = { p, len };
	uint32_t version;
	if (mpb_rd_u32(&r, &version) < 0)
		return mpb_fail(d, MPB_ERUN, "HELLO: truncated version");
	if (version != MPB_HELLO_VERSION)
		return mpb_fail(d, MPB_ERUN, "HELLO: version %u, this worker reads version %u "
				"(harness and worker are from different builds)", version,
				MPB_HELLO_VERSION);
	if (mpb_rd_u32(&r, &h->index) < 0 || mpb_rd_u64(&r, &h->parent_pid) < 0)
		return mpb_fail(d, MPB_ERUN, "HELLO: truncated header");
	int rc = get_name(&r, "workload", h->workload, d);
	if (rc == 0)
		rc = get_name(&r, "codec", h->codec, d);
	if (rc < 0)
		return rc;
	if (mpb_rd_u64(&r, &h->params.size) < 0 || mpb_rd_u64(&r, &h->params.tasks) < 0 ||
	    mpb_rd_u64(&r, &h->params.seed) < 0)
		return mpb_fail(d, MPB_ERUN, "HELLO: truncated workload parameters");
	if (r.left != 0)
		return mpb_fail(d, MPB_ERUN, "HELLO: %zu unexpected trailing bytes", r.left);
	return 0;
}
