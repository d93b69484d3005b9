/* method.c — the start-method registry (see method.h). */
#include "method.h"

#include <string.h>

static const struct mpb_method_ops *const methods[] = {
	&mpb_method_fork,
	&mpb_method_forkserver,
	&mpb_method_spawn,
	&mpb_method_thread,
#if MPB_HAVE_MPI
	&mpb_method_mpi,
#endif
};

const struct mpb_method_ops *const *mpb_method_all(size_t *n)
{
	*n = sizeof methods / sizeof methods[0];
	return methods;
}

const struct mpb_method_ops *mpb_method_find(const char *name)
{
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++)
		if (strcmp(methods[i]->name, name) == 0)
			return methods[i];
	return NULL;
}

unsigned mpb_method_abandoned(unsigned *running)
{
	unsigned n = 0, live = 0;
	for (size_t i = 0; i < sizeof methods / sizeof methods[0]; i++) {
		unsigned r = 0;
		if (methods[i]->abandoned) {
			n += methods[i]->abandoned(&r);
			live += r;
		}
	}
	if (running)
		*running = live;
	return n;
}

static const char *const ceiling_names[MPB_METHOD_CEILING_COUNT] = {
	[MPB_METHOD_CEILING_PROCESSES] = "processes",
	[MPB_METHOD_CEILING_MPI_RANKS] = "mpi_ranks",
};

static const char *const ceiling_titles[MPB_METHOD_CEILING_COUNT] = {
	[MPB_METHOD_CEILING_PROCESSES] = "ceiling",
	[MPB_METHOD_CEILING_MPI_RANKS] = "ceiling over MPI ranks",
};

const char *mpb_method_ceiling_title(enum mpb_method_ceiling c)
{
	return (unsigned)c < MPB_METHOD_CEILING_COUNT ? ceiling_titles[c] : "ceiling";
}

const char *mpb_method_ceiling_name(enum mpb_method_ceiling c)
{
	return (unsigned)c < MPB_METHOD_CEILING_COUNT ? ceiling_names[c] : "?";
}

int mpb_method_ceiling_find(const char *name)
{
	for (int c = 0; c < MPB_METHOD_CEILING_COUNT; c++)
		if (strcmp(ceiling_names[c], name) == 0)
			return c;
	return -1;
}
