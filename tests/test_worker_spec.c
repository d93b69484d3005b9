/* test_worker_spec.c — unit tests for the worker spec (worker_spec.c), the
 * one encoding of a worker's configuration that spawn's HELLO and the
 * forkserver's START request both carry: every field survives the round
 * trip, and truncated, corrupt or foreign input is refused with a message,
 * never read past its end. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "worker_spec.h"

#include "codec.h"
#include "diag.h"
#include "transport.h"
#include "workload.h"

static void assert_contains(const char *s, const char *needle)
{
	if (!strstr(s, needle))
		fail_msg("'%s' does not contain '%s'", s, needle);
}

/* Every field set to a value that no default or zeroing produces. */
static struct mpb_worker_spec sample(void)
{
	struct mpb_worker_spec s = {
		.index = 7,
		.parent_pid = 424242,
		.params = { .size = 0x0123456789abcdefull, .tasks = 1000003, .seed = UINT64_MAX,
			    .result_size = 0xfedcba9876ull },
		.counters = { .n = 2, .leader = { 0, 0 },
			      .ev = { { 1, 0, 2, 0xdeadbeefcafeull, 3 },
				      { 4, 0, 5, 6, UINT64_MAX } } },
	};
	snprintf(s.workload, sizeof s.workload, "payload");
	snprintf(s.codec, sizeof s.codec, "json");
	snprintf(s.transport, sizeof s.transport, "shm");
	return s;
}

static void assert_spec_equal(const struct mpb_worker_spec *a, const struct mpb_worker_spec *b)
{
	assert_int_equal(a->index, b->index);
	assert_true(a->parent_pid == b->parent_pid);
	assert_string_equal(a->workload, b->workload);
	assert_string_equal(a->codec, b->codec);
	assert_string_equal(a->transport, b->transport);
	assert_true(a->params.size == b->params.size);
	assert_true(a->params.tasks == b->params.tasks);
	assert_true(a->params.seed == b->params.seed);
	assert_true(a->params.result_size == b->params.result_size);
	assert_int_equal(a->counters.n, b->counters.n);
	assert_memory_equal(a->counters.leader, b->counters.leader,
			    a->counters.n * sizeof a->counters.leader[0]);
	assert_memory_equal(a->counters.ev, b->counters.ev, a->counters.n * sizeof a->counters.ev[0]);
}

static void round_trip(const struct mpb_worker_spec *in)
{
	struct mpb_worker_spec out;
	struct mpb_buf b = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_worker_spec_encode(in, &b, &d), 0);
	memset(&out, 0xa5, sizeof out);
	if (mpb_worker_spec_decode(b.data, b.len, &out, &d) != 0)
		fail_msg("decode: %s", d.msg);
	assert_spec_equal(in, &out);
	mpb_buf_free(&b);
}

static void test_round_trip_every_field(void **state)
{
	(void)state;
	struct mpb_worker_spec s = sample();
	round_trip(&s);
	/* no counters: nothing to count, not a malformed plan */
	s.counters.n = 0;
	round_trip(&s);
	/* the longest names allowed survive intact */
	memset(s.workload, 'w', MPB_WORKER_SPEC_NAME_MAX);
	s.workload[MPB_WORKER_SPEC_NAME_MAX] = '\0';
	memset(s.transport, 't', MPB_WORKER_SPEC_NAME_MAX);
	s.transport[MPB_WORKER_SPEC_NAME_MAX] = '\0';
	round_trip(&s);
}

/* What the in-memory arguments of a worker become, and back. */
static void test_from_args_and_resolve(void **state)
{
	(void)state;
	struct mpb_counter_plan plan = sample().counters;
	struct mpb_worker_args a = {
		.index = 3, .in_fd = 11, .out_fd = 12, .workload = &mpb_workload_payload,
		.codec = &mpb_codec_json, .transport = &mpb_transport_shm, .chan_fd = 13,
		.wparams = { 4096, 10, 99, 1234 }, .counters = &plan,
	};
	struct mpb_worker_spec s;
	mpb_worker_spec_from_args(&s, &a, 77);
	assert_int_equal(s.index, 3);
	assert_true(s.parent_pid == 77);
	assert_string_equal(s.workload, "payload");
	assert_string_equal(s.codec, "json");
	assert_string_equal(s.transport, "shm");
	assert_true(s.params.result_size == 1234);
	assert_int_equal(s.counters.n, plan.n);

	struct mpb_worker_args b = { .in_fd = 3, .out_fd = 4, .chan_fd = -1 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_worker_spec_resolve(&s, &b, &d), 0);
	assert_int_equal(b.index, 3);
	assert_ptr_equal(b.workload, &mpb_workload_payload);
	assert_ptr_equal(b.codec, &mpb_codec_json);
	assert_ptr_equal(b.transport, &mpb_transport_shm);
	assert_memory_equal(&b.wparams, &a.wparams, sizeof a.wparams);
	assert_ptr_equal(b.counters, &s.counters);
	/* what the spec does not carry is left to the caller */
	assert_int_equal(b.in_fd, 3);
	assert_int_equal(b.out_fd, 4);
	assert_int_equal(b.chan_fd, -1);

	/* without a plan, nothing is counted */
	a.counters = NULL;
	mpb_worker_spec_from_args(&s, &a, 77);
	assert_int_equal(mpb_worker_spec_resolve(&s, &b, &d), 0);
	assert_null(b.counters);

	/* a name this build does not know is named in the message */
	snprintf(s.transport, sizeof s.transport, "carrier-pigeon");
	assert_int_equal(mpb_worker_spec_resolve(&s, &b, &d), -MPB_ERUN);
	assert_contains(d.msg, "transport 'carrier-pigeon'");
	mpb_worker_spec_from_args(&s, &a, 77);
	snprintf(s.workload, sizeof s.workload, "no-such-workload");
	assert_int_equal(mpb_worker_spec_resolve(&s, &b, &d), -MPB_ERUN);
	assert_contains(d.msg, "no-such-workload");
}

static void test_rejects_truncated(void **state)
{
	(void)state;
	struct mpb_worker_spec in = sample(), out;
	struct mpb_buf b = { 0 };
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_worker_spec_encode(&in, &b, &d), 0);
	/* every proper prefix, each in a block of exactly its size so that the
	 * sanitizer build catches a read past the end */
	for (size_t len = 0; len < b.len; len++) {
		uint8_t *cut = malloc(len ? len : 1);
		assert_non_null(cut);
		memcpy(cut, b.data, len);
		mpb_diag_clear(&d);
		int rc = mpb_worker_spec_decode(cut, len, &out, &d);
		free(cut);
		if (rc != -MPB_ERUN)
			fail_msg("a %zu-byte prefix of a %zu-byte spec decoded (rc %d)", len, b.len, rc);
		assert_int_equal(d.code, MPB_ERUN);
		assert_contains(d.msg, "worker spec");
	}
	mpb_buf_free(&b);
}

/* A spec written field by field, to state what a foreign sender could send. */
struct raw {
	uint32_t version;
	const char *wl;
	uint32_t wl_len;
	const char *codec, *transport, *counters;
};

static void put_str(struct mpb_buf *b, const char *s, uint32_t n)
{
	assert_int_equal(mpb_buf_put_u32(b, n), 0);
	assert_int_equal(mpb_buf_append(b, s, n), 0);
}

static void put_raw(struct mpb_buf *b, struct raw r)
{
	assert_int_equal(mpb_buf_put_u32(b, r.version), 0);
	assert_int_equal(mpb_buf_put_u32(b, 0), 0);
	assert_int_equal(mpb_buf_put_u64(b, 1), 0);
	put_str(b, r.wl, r.wl_len);
	put_str(b, r.codec, (uint32_t)strlen(r.codec));
	put_str(b, r.transport, (uint32_t)strlen(r.transport));
	for (int i = 0; i < 4; i++)
		assert_int_equal(mpb_buf_put_u64(b, 5), 0);
	put_str(b, r.counters, (uint32_t)strlen(r.counters));
}

static struct raw good(void)
{
	return (struct raw){ MPB_WORKER_SPEC_VERSION, "sumsq", 5, "raw", "pipe", "" };
}

static void expect_decode_error(struct mpb_buf *b, const char *needle)
{
	struct mpb_worker_spec out;
	struct mpb_diag d = { 0 };
	assert_int_equal(mpb_worker_spec_decode(b->data, b->len, &out, &d), -MPB_ERUN);
	assert_contains(d.msg, needle);
	mpb_buf_reset(b);
}

static void test_rejects_corrupt_and_foreign(void **state)
{
	(void)state;
	struct mpb_buf b = { 0 };
	struct mpb_diag d = { 0 };
	char longname[MPB_WORKER_SPEC_NAME_MAX + 2];
	memset(longname, 'x', sizeof longname - 1);
	longname[sizeof longname - 1] = '\0';

	/* the well-formed reference decodes, so each rejection below is due to
	 * the one thing changed */
	put_raw(&b, good());
	struct mpb_worker_spec out;
	assert_int_equal(mpb_worker_spec_decode(b.data, b.len, &out, &d), 0);
	assert_string_equal(out.workload, "sumsq");
	assert_string_equal(out.transport, "pipe");
	assert_true(out.params.result_size == 5);
	assert_int_equal(out.counters.n, 0);

	/* one byte too many */
	assert_int_equal(mpb_buf_put_u8(&b, 0), 0);
	expect_decode_error(&b, "trailing");

	struct raw r = good();
	r.wl = longname;
	r.wl_len = MPB_WORKER_SPEC_NAME_MAX + 1;
	put_raw(&b, r);
	expect_decode_error(&b, "exceeds");
	/* a length far beyond the payload must not be trusted */
	put_raw(&b, good());
	memset(b.data + 16, 0xff, 4);
	expect_decode_error(&b, "truncated");

	r = good();
	r.version++;
	put_raw(&b, r);
	expect_decode_error(&b, "version");
	r = good();
	r.wl = "su\0sq";
	put_raw(&b, r);
	expect_decode_error(&b, "workload");
	r = good();
	r.codec = "r w";
	put_raw(&b, r);
	expect_decode_error(&b, "codec");
	r = good();
	r.transport = "";
	put_raw(&b, r);
	expect_decode_error(&b, "transport");
	r = good();
	r.wl = "";
	r.wl_len = 0;
	put_raw(&b, r);
	expect_decode_error(&b, "empty");
	r = good();
	r.counters = "1;1;1,0,0,0,0"; /* a field short */
	put_raw(&b, r);
	expect_decode_error(&b, "counter plan");

	/* the encoder refuses what the decoder would refuse */
	struct mpb_worker_spec s = sample();
	s.codec[0] = '\0';
	assert_int_equal(mpb_worker_spec_encode(&s, &b, &d), -MPB_EINPUT);
	assert_contains(d.msg, "codec");
	mpb_buf_reset(&b);
	s = sample();
	s.transport[1] = '\n';
	assert_int_equal(mpb_worker_spec_encode(&s, &b, &d), -MPB_EINPUT);
	assert_contains(d.msg, "transport");
	mpb_buf_free(&b);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_every_field),
		cmocka_unit_test(test_from_args_and_resolve),
		cmocka_unit_test(test_rejects_truncated),
		cmocka_unit_test(test_rejects_corrupt_and_foreign),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
