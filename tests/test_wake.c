/* test_wake.c — unit tests for the parent's wake-up order (harness/pool/wake.c):
 * the workers last seen on the parent's CPU come last, every slot comes
 * exactly once, and each group keeps the slots' order.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <string.h>

#include "method.h"
#include "wake.h"

static void set_cpus(struct mpb_slot *slot, const uint32_t *cpu, unsigned n)
{
	memset(slot, 0, n * sizeof *slot);
	for (unsigned i = 0; i < n; i++) {
		slot[i].index = i;
		slot[i].cpu = cpu[i];
	}
}

static void test_own_cpu_last(void **state)
{
	(void)state;
	struct mpb_slot slot[5];
	const uint32_t cpu[5] = { 1, 0, 1, MPB_CPU_UNKNOWN, 2 };
	set_cpus(slot, cpu, 5);
	unsigned order[5];
	assert_int_equal(mpb_wake_order(slot, 5, 1, order), 5);
	const unsigned want1[5] = { 1, 3, 4, 0, 2 };
	assert_memory_equal(order, want1, sizeof want1);
	assert_int_equal(mpb_wake_order(slot, 5, 0, order), 5);
	const unsigned want0[5] = { 0, 2, 3, 4, 1 };
	assert_memory_equal(order, want0, sizeof want0);
}

static void test_unknown_parent_cpu_keeps_slot_order(void **state)
{
	(void)state;
	struct mpb_slot slot[3];
	/* a worker that could not say (UINT32_MAX) never matches a parent that
	 * could not either (negative) */
	const uint32_t cpu[3] = { MPB_CPU_UNKNOWN, 0, MPB_CPU_UNKNOWN };
	set_cpus(slot, cpu, 3);
	unsigned order[3];
	assert_int_equal(mpb_wake_order(slot, 3, -1, order), 3);
	const unsigned want[3] = { 0, 1, 2 };
	assert_memory_equal(order, want, sizeof want);
}

static void test_all_on_parent_cpu(void **state)
{
	(void)state;
	struct mpb_slot slot[4];
	const uint32_t cpu[4] = { 3, 3, 3, 3 };
	set_cpus(slot, cpu, 4);
	unsigned order[4];
	assert_int_equal(mpb_wake_order(slot, 4, 3, order), 4);
	const unsigned want[4] = { 0, 1, 2, 3 };
	assert_memory_equal(order, want, sizeof want);
	assert_int_equal(mpb_wake_order(slot, 0, 3, order), 0);
}

/* Every slot exactly once, whatever the CPUs, and the parent's last. */
static void test_permutation(void **state)
{
	(void)state;
	enum { N = 16 };
	struct mpb_slot slot[N];
	uint32_t cpu[N];
	for (unsigned seed = 0; seed < 64; seed++) {
		for (unsigned i = 0; i < N; i++)
			cpu[i] = (seed * 7 + i * 13) % 5;
		set_cpus(slot, cpu, N);
		unsigned order[N], seen[N] = { 0 };
		int me = (int)(seed % 5);
		assert_int_equal(mpb_wake_order(slot, N, me, order), N);
		bool mine_started = false;
		for (unsigned k = 0; k < N; k++) {
			assert_true(order[k] < N);
			seen[order[k]]++;
			bool mine = slot[order[k]].cpu == (uint32_t)me;
			if (mine_started)
				assert_true(mine);
			mine_started |= mine;
		}
		for (unsigned i = 0; i < N; i++)
			assert_int_equal(seen[i], 1);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_own_cpu_last),
		cmocka_unit_test(test_unknown_parent_cpu_keeps_slot_order),
		cmocka_unit_test(test_all_on_parent_cpu),
		cmocka_unit_test(test_permutation),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
