/* wake.c — the parent's wake-up order over its workers (wake.h). */
#include "wake.h"

#include <stdbool.h>

#include "method.h"

unsigned mpb_wake_order(const struct mpb_slot *slot, unsigned n, int me, unsigned *order)
{
	unsigned k = 0;
	for (int last = 0; last < 2; last++)
		for (unsigned i = 0; i < n; i++) {
			bool mine = me >= 0 && slot[i].cpu == (uint32_t)me;
			if (mine == (last == 1))
				order[k++] = i;
		}
	return k;
}
