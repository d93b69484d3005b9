/* build.c — how this binary was built (see build.h). */
#include "build.h"

#include <stdio.h>
#include <string.h>

/* harness/meson.build defines these for the library this file is in */
#ifndef MPB_BUILD_COMPILER
#define MPB_BUILD_COMPILER ""
#define MPB_BUILD_C_ARGS ""
#define MPB_BUILD_TYPE ""
#define MPB_BUILD_OPTIMIZATION ""
#define MPB_BUILD_DEBUG 0
#define MPB_BUILD_SANITIZE ""
#endif
#ifndef MPB_BUILD_C_FLAGS
#define MPB_BUILD_C_FLAGS ""
#endif

void mpb_build_current(struct mpb_build *b)
{
	memset(b, 0, sizeof *b);
	snprintf(b->compiler, sizeof b->compiler, "%s", MPB_BUILD_COMPILER);
	snprintf(b->c_args, sizeof b->c_args, "%s", MPB_BUILD_C_ARGS);
	snprintf(b->c_flags, sizeof b->c_flags, "%s", MPB_BUILD_C_FLAGS);
	snprintf(b->build_type, sizeof b->build_type, "%s", MPB_BUILD_TYPE);
	snprintf(b->optimization, sizeof b->optimization, "%s", MPB_BUILD_OPTIMIZATION);
	b->debug = MPB_BUILD_DEBUG;
	snprintf(b->sanitize, sizeof b->sanitize, "%s", MPB_BUILD_SANITIZE);
	b->fault_injection = MPB_FAULT_INJECTION;
}

int mpb_build_to_json(const struct mpb_build *b, json_t *tool)
{
	if (!b->compiler[0])
		return 0;
	int rc = 0;
	rc |= json_object_set_new(tool, "compiler", json_string(b->compiler));
	rc |= json_object_set_new(tool, "c_args", json_string(b->c_args));
	rc |= json_object_set_new(tool, "c_flags", json_string(b->c_flags));
	rc |= json_object_set_new(tool, "build_type", json_string(b->build_type));
	rc |= json_object_set_new(tool, "optimization", json_string(b->optimization));
	rc |= json_object_set_new(tool, "debug", json_boolean(b->debug));
	rc |= json_object_set_new(tool, "sanitize", json_string(b->sanitize));
	rc |= json_object_set_new(tool, "fault_injection", json_boolean(b->fault_injection));
	return rc ? -1 : 0;
}

static void copy(const json_t *tool, const char *key, char *dst, size_t len)
{
	const char *s = json_string_value(json_object_get(tool, key));
	snprintf(dst, len, "%s", s ? s : "");
}

void mpb_build_from_json(const json_t *tool, struct mpb_build *b)
{
	memset(b, 0, sizeof *b);
	copy(tool, "compiler", b->compiler, sizeof b->compiler);
	copy(tool, "c_args", b->c_args, sizeof b->c_args);
	copy(tool, "c_flags", b->c_flags, sizeof b->c_flags);
	copy(tool, "build_type", b->build_type, sizeof b->build_type);
	copy(tool, "optimization", b->optimization, sizeof b->optimization);
	b->debug = json_is_true(json_object_get(tool, "debug"));
	copy(tool, "sanitize", b->sanitize, sizeof b->sanitize);
	b->fault_injection = json_is_true(json_object_get(tool, "fault_injection"));
}

bool mpb_build_unfit(const struct mpb_build *b, char *msg, size_t len)
{
	char why[160] = "";
	size_t n = 0;
	if (strcmp(b->optimization, "0") == 0 || strcmp(b->optimization, "g") == 0)
		n += (size_t)snprintf(why + n, sizeof why - n, "%sunoptimized (-O%s, buildtype %s)",
				      n ? ", " : "", b->optimization, b->build_type);
	if (b->sanitize[0] && strcmp(b->sanitize, "none") != 0 && n < sizeof why)
		n += (size_t)snprintf(why + n, sizeof why - n, "%sbuilt with -fsanitize=%s",
				      n ? ", " : "", b->sanitize);
	if (b->fault_injection && n < sizeof why)
		n += (size_t)snprintf(why + n, sizeof why - n, "%sfault injection compiled in",
				      n ? ", " : "");
	if (!n)
		return false;
	snprintf(msg, len, "this mpbench is a test build (%s): its own overhead inflates the "
		 "figures; measure with a release build (meson setup --buildtype=release)", why);
	return true;
}
