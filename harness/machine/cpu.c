/* cpu.c — the CPU's caches and clock (see cpu.h). */
#include "cpu.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "machine.h"

bool mpb_cpu_parse_size(const char *text, uint64_t *bytes)
{
	char *end;
	errno = 0;
	if (!text || *text < '0' || *text > '9')
		return false;
	unsigned long long v = strtoull(text, &end, 10);
	uint64_t mult = 1;
	if (*end == 'K')
		mult = 1024;
	else if (*end == 'M')
		mult = 1024 * 1024;
	else if (*end == 'G')
		mult = 1024ull * 1024 * 1024;
	if (mult > 1)
		end++;
	if (errno || *end || v > UINT64_MAX / mult)
		return false;
	*bytes = v * mult;
	return true;
}

unsigned mpb_cpu_list_count(const char *list)
{
	unsigned n = 0;
	const char *p = list;
	if (!p || !*p)
		return 0;
	for (;;) {
		char *end;
		if (*p < '0' || *p > '9')
			return 0;
		unsigned long a = strtoul(p, &end, 10), b = a;
		if (*end == '-') {
			p = end + 1;
			if (*p < '0' || *p > '9')
				return 0;
			b = strtoul(p, &end, 10);
		}
		if (b < a || b - a >= UINT_MAX - n)
			return 0;
		n += (unsigned)(b - a + 1);
		if (*end == '\0')
			return n;
		if (*end != ',')
			return 0;
		p = end + 1;
	}
}

static bool read_unsigned(const char *root, const char *rel, unsigned *out)
{
	char text[64], *end;
	if (!mpb_machine_read_line(root, rel, text, sizeof text))
		return false;
	unsigned long v = strtoul(text, &end, 10);
	if (end == text || *end || v > UINT_MAX)
		return false;
	*out = (unsigned)v;
	return true;
}

/* cpufreq's kHz as MHz; 0 when unknown. */
static double read_khz(const char *root, const char *name)
{
	char rel[128];
	unsigned khz;
	snprintf(rel, sizeof rel, "/sys/devices/system/cpu/cpu0/cpufreq/%s", name);
	return read_unsigned(root, rel, &khz) && khz > 0 ? khz / 1000.0 : 0;
}

static bool read_cache(const char *root, unsigned index, struct mpb_cpu_cache *c)
{
	char rel[128], text[64];
	const char *dir = "/sys/devices/system/cpu/cpu0/cache/index";
	memset(c, 0, sizeof *c);
	snprintf(rel, sizeof rel, "%s%u/level", dir, index);
	if (!read_unsigned(root, rel, &c->level))
		return false;
	snprintf(rel, sizeof rel, "%s%u/size", dir, index);
	if (!mpb_machine_read_line(root, rel, text, sizeof text) ||
	    !mpb_cpu_parse_size(text, &c->size_bytes))
		return false;
	snprintf(rel, sizeof rel, "%s%u/type", dir, index);
	if (mpb_machine_read_line(root, rel, text, sizeof text))
		snprintf(c->type, sizeof c->type, "%.15s", text);
	snprintf(rel, sizeof rel, "%s%u/coherency_line_size", dir, index);
	(void)read_unsigned(root, rel, &c->line_bytes);
	snprintf(rel, sizeof rel, "%s%u/shared_cpu_list", dir, index);
	if (mpb_machine_read_line(root, rel, text, sizeof text))
		c->shared_cpus = mpb_cpu_list_count(text);
	return true;
}

void mpb_cpu_probe(const char *root, double mhz_cpuinfo, struct mpb_cpu *c)
{
	memset(c, 0, sizeof *c);
	/* index0, index1, ... until one is missing */
	for (unsigned i = 0; i < MPB_CPU_CACHES_MAX; i++) {
		if (!read_cache(root, i, &c->caches[c->ncaches]))
			break;
		c->ncaches++;
	}
	c->mhz = mhz_cpuinfo > 0 ? mhz_cpuinfo : read_khz(root, "scaling_cur_freq");
	c->max_mhz = read_khz(root, "cpuinfo_max_freq");
}

static json_t *mhz_json(double mhz)
{
	return mhz > 0 ? json_real(mhz) : json_null();
}

int mpb_cpu_to_json(const struct mpb_cpu *c, json_t *machine)
{
	json_t *caches = json_array();
	int rc = caches ? 0 : -1;
	for (unsigned i = 0; caches && i < c->ncaches; i++) {
		const struct mpb_cpu_cache *k = &c->caches[i];
		json_t *o = json_pack("{s:I, s:s, s:I, s:o, s:o}", "level", (json_int_t)k->level,
				      "type", k->type, "size_bytes", (json_int_t)k->size_bytes,
				      "line_bytes", k->line_bytes ? json_integer(k->line_bytes)
								  : json_null(),
				      "shared_cpus", k->shared_cpus ? json_integer(k->shared_cpus)
								    : json_null());
		if (!o || json_array_append_new(caches, o) < 0)
			rc = -1;
	}
	if (json_object_set_new(machine, "caches", caches) < 0 ||
	    json_object_set_new(machine, "cpu_mhz", mhz_json(c->mhz)) < 0 ||
	    json_object_set_new(machine, "cpu_max_mhz", mhz_json(c->max_mhz)) < 0)
		rc = -1;
	return rc;
}

static unsigned uint_of(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));
	return v > 0 && v <= UINT_MAX ? (unsigned)v : 0;
}

void mpb_cpu_from_json(const json_t *machine, struct mpb_cpu *c)
{
	memset(c, 0, sizeof *c);
	const json_t *caches = json_object_get(machine, "caches");
	for (size_t i = 0; i < json_array_size(caches) && c->ncaches < MPB_CPU_CACHES_MAX; i++) {
		const json_t *o = json_array_get(caches, i);
		struct mpb_cpu_cache *k = &c->caches[c->ncaches++];
		const char *type = json_string_value(json_object_get(o, "type"));
		json_int_t size = json_integer_value(json_object_get(o, "size_bytes"));
		k->level = uint_of(o, "level");
		snprintf(k->type, sizeof k->type, "%s", type ? type : "");
		k->size_bytes = size > 0 ? (uint64_t)size : 0;
		k->line_bytes = uint_of(o, "line_bytes");
		k->shared_cpus = uint_of(o, "shared_cpus");
	}
	c->mhz = json_is_number(json_object_get(machine, "cpu_mhz"))
		 ? json_number_value(json_object_get(machine, "cpu_mhz")) : 0;
	c->max_mhz = json_is_number(json_object_get(machine, "cpu_max_mhz"))
		     ? json_number_value(json_object_get(machine, "cpu_max_mhz")) : 0;
}
